"""The offline verifier: no network, verdict and suggested edits from the offline issues.

Verdict: ``verdict_from_issues`` (any error -> inconsistent, any warning -> needs_review, else
consistent). Issue kinds come from ``checks`` and ``consensus`` and are treated generically; only
the kinds below get a targeted edit.

The suggested report is the original text with conservative, visibly marked edits. It never adds
a finding the report does not already state, and never deletes clinical text:

- ``placeholder`` issues: each unfilled dictation/template placeholder (``[***]``, ``___``,
  ``[ ]``, ``<...>``, ``{...}``, ``[insert ...]``) becomes ``[TO COMPLETE]``. The Open-i mask
  ``XXXX`` is not a placeholder and stays.
- ``impression_omits_finding`` issues with evidence: a line ``[REVIEW: the findings state
  "<evidence>"; the impression does not address it.]`` is added at the end of the IMPRESSION
  section (or of the report when there is none). The evidence is quoted from the report itself.
- ``missing_section`` issues naming FINDINGS or IMPRESSION: an empty ``<SECTION>: [TO COMPLETE]``
  is added when the header is absent, or ``[TO COMPLETE]`` after an empty header.
- every other warning or error (conflicts, neighbour disagreements, ...): a line in a trailing
  ``REVIEW NOTES (remove before signing):`` block with the issue's message and suggestion.

With no warning or error the suggested report is the original, unchanged.
"""

from __future__ import annotations

import re

from medrag_core.llm.base import VerificationRequest, VerifierOutcome, verdict_from_issues
from medrag_core.models import Issue

TO_COMPLETE = "[TO COMPLETE]"
_PLACEHOLDER = re.compile(
    r"\[\s*\*+\s*\]|\[\s*\]|_{3,}|\*{3,}|<[A-Za-z _-]{1,30}>|\{\{?[^{}\n]{0,40}\}?\}"
    r"|\[\s*(?:insert|fill|enter|tbd|blank|placeholder)[^\]\n]{0,40}\]",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^[ \t]*([A-Z][A-Za-z ]{2,30}):", re.MULTILINE)
_SECTIONS = ("FINDINGS", "IMPRESSION")


class OfflineVerifier:
    """Sends nothing anywhere; see the module docstring for the verdict and the edits."""

    name = "offline"

    def verify(self, request: VerificationRequest) -> VerifierOutcome:
        issues = list(request.offline_issues)
        return VerifierOutcome(
            verdict=verdict_from_issues(issues),
            issues=issues,
            suggested_report=suggest_report(request.report, issues),
            relied_on_case_ids=[],
            answered_by=self.name,
        )


def suggest_report(report: str, issues: list[Issue]) -> str:
    """The report with the conservative edits of the module docstring applied."""
    actionable = [i for i in issues if i.severity in ("warning", "error")]
    text = report
    notes: list[str] = []
    for issue in actionable:
        if issue.kind == "placeholder":
            text = _PLACEHOLDER.sub(TO_COMPLETE, text)
        elif issue.kind == "impression_omits_finding" and issue.evidence.strip():
            line = f'[REVIEW: the findings state "{issue.evidence.strip()}"; the impression does not address it.]'
            if line not in text:
                text = _append_to_section(text, "IMPRESSION", line)
        elif issue.kind == "missing_section" and _named_section(issue):
            text = _mark_missing(text, _named_section(issue))
        else:
            note = f"- {issue.message.strip()}"
            if issue.suggestion.strip():
                note += f" Suggestion: {issue.suggestion.strip()}"
            if note not in notes:
                notes.append(note)
    if notes:
        text = text.rstrip() + "\n\nREVIEW NOTES (remove before signing):\n" + "\n".join(notes)
    return text


def _section_span(text: str, name: str) -> tuple[int, int] | None:
    """(start of the header, end of the section) of the first ``NAME:`` header, any case."""
    headers = list(_HEADER.finditer(text))
    for index, match in enumerate(headers):
        if match.group(1).strip().upper() == name:
            end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
            return match.start(), end
    return None


def _append_to_section(text: str, name: str, line: str) -> str:
    span = _section_span(text, name)
    if span is None:
        return text.rstrip() + "\n" + line
    _, end = span
    body = text[:end].rstrip()
    rest = text[end:]
    return body + "\n" + line + ("\n\n" + rest.lstrip("\n") if rest.strip() else "\n" * text.endswith("\n"))


def _named_section(issue: Issue) -> str | None:
    blob = f"{issue.message} {issue.evidence}".upper()
    for name in _SECTIONS:
        if name in blob:
            return name
    return None


def _mark_missing(text: str, name: str) -> str:
    span = _section_span(text, name)
    if span is None:
        return text.rstrip() + f"\n\n{name}: {TO_COMPLETE}"
    start, end = span
    header_end = text.index(":", start) + 1
    if text[header_end:end].strip():
        return text
    return text[:header_end] + f" {TO_COMPLETE}" + ("\n\n" + text[end:].lstrip("\n") if text[end:].strip() else "")
