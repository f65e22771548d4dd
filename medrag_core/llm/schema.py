"""The structured answer every LLM verifier must give, and its validation.

``LLMVerdict`` is the pydantic model; ``ANSWER_JSON_SCHEMA`` is the same shape as a plain JSON
schema (no ``$ref``, every property required, no extra properties) that both Gemini's
``response_json_schema`` and OpenAI's strict ``json_schema`` response format accept.
``parse_answer`` turns the model's text into an ``LLMVerdict`` or raises ``AnswerInvalid`` with a
short description of what was wrong (never the answer or report text itself).
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medrag_core.errors import VerifierError
from medrag_core.models import Issue, Severity

MAX_ISSUES = 30
AnswerVerdict = Literal["consistent", "needs_review", "inconsistent"]


class LLMIssue(BaseModel):
    """An issue as the model reports it: the ``Issue`` fields a model can fill."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=80)
    severity: Severity
    message: str = Field(min_length=1, max_length=2000)
    evidence: str = Field("", max_length=2000)
    suggestion: str = Field("", max_length=2000)

    def to_issue(self) -> Issue:
        return Issue(
            kind=self.kind.strip(),
            severity=self.severity,
            message=self.message.strip(),
            evidence=self.evidence.strip(),
            suggestion=self.suggestion.strip(),
            origin="llm",
        )


class LLMVerdict(BaseModel):
    """The whole answer: verdict, issues, a suggested corrected report, the cases relied on."""

    model_config = ConfigDict(extra="forbid")

    verdict: AnswerVerdict  # never "not_checked": that says the offline checks could not run, not a model's view
    issues: list[LLMIssue] = Field(max_length=MAX_ISSUES)
    suggested_report: str = Field(max_length=40_000)
    relied_on_case_ids: list[str] = Field(max_length=50)


VerifierAnswer = LLMVerdict

_STR = {"type": "string"}
ANSWER_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "enum": list(get_args(AnswerVerdict))},
        "issues": {
            "type": "array",
            "maxItems": MAX_ISSUES,
            "items": {
                "type": "object",
                "properties": {
                    "kind": _STR,
                    "severity": {"type": "string", "enum": ["info", "warning", "error"]},
                    "message": _STR,
                    "evidence": _STR,
                    "suggestion": _STR,
                },
                "required": ["kind", "severity", "message", "evidence", "suggestion"],
                "additionalProperties": False,
            },
        },
        "suggested_report": _STR,
        "relied_on_case_ids": {"type": "array", "items": _STR},
    },
    "required": ["verdict", "issues", "suggested_report", "relied_on_case_ids"],
    "additionalProperties": False,
}


class AnswerInvalid(VerifierError):
    """The model's answer is not valid JSON or does not match ``LLMVerdict``.

    ``user_message`` is short and safe to show and to send back to the model: it names the fields
    and the problem, never the answer's text.
    """

    code = "llm_answer_invalid"


_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*)\n\s*```\s*$", re.DOTALL | re.IGNORECASE)


def parse_answer(text: str | None) -> LLMVerdict:
    """Parse and validate a model answer. Tolerates one surrounding Markdown code fence."""
    if text is None or not text.strip():
        raise AnswerInvalid("The answer was empty.")
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise AnswerInvalid(f"The answer is not valid JSON ({exc.msg} at {where}).") from None
    if not isinstance(data, dict):
        raise AnswerInvalid(f"The answer must be a JSON object, not {type(data).__name__}.")
    try:
        return LLMVerdict.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)[:8]
        ]
        raise AnswerInvalid("The answer does not match the schema: " + "; ".join(problems) + ".") from None
