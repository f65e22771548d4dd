"""What every verify route answers: the ``VerificationResult``, the original MedRAG backend's
``isCorrect`` / ``correctReport``, and ``degraded`` (the parts that could not be used, and why).

``verify_for_api`` is how the API runs ``workflow.verify`` (``/api/verify-report``, ``/api/verify-study``):
the parts come from the app's ``Services`` only after the inputs are validated, and a missing model,
database or LLM becomes a notice, so the answer is a 200 with ``degraded`` rather than an error.
``verify_response`` builds the answer of every verify route (``/api/check-report`` too).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from medrag_core.history import HistoryContext
from medrag_core.models import VerificationResult
from medrag_core.services import Services

Part = Literal["database", "model", "verifier"]

class Degradation(BaseModel):
    """One part that could not be used for this answer, and why (the app's notice)."""

    part: Part = Field(description="database (no similar cases), model (no embeddings) or verifier (LLM).")
    message: str

class VerifyReportResponse(VerificationResult):
    """The full result plus the original MedRAG backend's two fields, so its clients keep working."""

    isCorrect: bool = Field(
        description="True only when the checks ran on a recognisable report and found no warning or error.")
    correctReport: str = Field(
        description="Report text only (the suggested report): never review notes; see review_notes.")
    degraded: list[Degradation] = Field(default_factory=list)

# Notices of the workflow that say a part was skipped (medrag_core.workflow's texts).
_PART_NOTICES: dict[Part, tuple[str, ...]] = {
    "database": ("Similar cases are not available",),
    "model": ("embedding model is not available", "could not be embedded", "found by text search only"),
}
_PATH = re.compile(r"(?<![\w:/.~-])/(?:[\w.@~+-]+/)*[\w.@~+-]+/?")

def public(message: str) -> str:
    """A library message for the outside: local file paths (data folder, model folder) removed."""
    return _PATH.sub("[path]", message)

def verify_response(result: VerificationResult) -> VerifyReportResponse:
    """The answer of a verify route for ``result``; ``degraded`` from its notices; local paths removed."""
    blocking = any(issue.severity in ("warning", "error") for issue in result.issues)
    fields = result.model_dump()
    # The notices name local folders (a missing model's directory): not for the outside, as in degraded.
    fields["notices"] = [public(n) for n in result.notices]
    if result.verifier_fallback:
        fields["verifier_fallback"] = public(result.verifier_fallback)
    return VerifyReportResponse(
        **fields,
        isCorrect=result.check_status == "checked" and not blocking,
        correctReport=result.suggested_report,
        degraded=degradations(result),
    )

def degradations(result: VerificationResult) -> list[Degradation]:
    """The parts ``result`` says were skipped (its notices, its verifier fallback), paths removed."""
    out: list[Degradation] = []
    for part, snippets in _PART_NOTICES.items():
        notice = next((n for n in result.notices if any(s in n for s in snippets)), None)
        if notice is not None:
            out.append(Degradation(part=part, message=public(notice)))
    if result.verifier_fallback:
        out.append(Degradation(part="verifier", message=public(result.verifier_fallback)))
    return out


def verify_for_api(image: bytes, report: str | bytes, resources: Services) -> VerifyReportResponse:
    """``workflow.verify`` with the app's parts, recorded in the history as the API's, as an answer."""
    from medrag_core.workflow import verify

    result = verify(image, report, resources.settings, services=resources,
                    history=HistoryContext(who="api", entry_point="api"))
    return verify_response(result)
