"""The offline verifier: no network, verdict and suggested edits from the offline issues.

Verdict: ``verdict_from_issues`` (any error -> inconsistent, any warning -> needs_review, else
consistent). Issue kinds come from ``reports.checks`` and ``retrieval`` consensus and are treated
generically; only the kinds below get a targeted edit.

The suggested report is report text only: the original with conservative edits placed by the issues'
``spans`` (character offsets into the report, set by the checks). Nothing here parses the report or
looks for placeholders or headers again, so the edits land exactly where the checks found the problem.
It never invents a finding and never deletes clinical text:

- ``placeholder``: each span (an unfilled template field) becomes ``[TO COMPLETE]``.
- ``impression_omits_finding`` at warning: the findings sentence (the issue's first span), in its own
  words, is proposed as a line of the IMPRESSION, right after the normal statement (its second span).
- ``missing_section`` at warning: an empty section (a zero-length span after its header) gets
  ``[TO COMPLETE]``, a filler standing for its text ("N/A", "-", its span) becomes ``[TO COMPLETE]``; an
  absent IMPRESSION is added at the end as ``IMPRESSION: [TO COMPLETE]``.

Every warning or error without a determinable edit (conflicts, neighbour disagreements, an absent
FINDINGS section, ...) becomes one line of ``review_notes``, kept apart from the report text. With no
warning or error the suggested report is the original, unchanged.
"""

from __future__ import annotations

from medrag_core.llm.base import VerificationRequest, VerifierOutcome, verdict_from_issues
from medrag_core.models import Issue

TO_COMPLETE = "[TO COMPLETE]"


class OfflineVerifier:
    """Sends nothing anywhere; see the module docstring for the verdict and the edits."""

    name = "offline"
    sends_images = False

    def verify(self, request: VerificationRequest) -> VerifierOutcome:
        issues = list(request.offline_issues)
        return VerifierOutcome(
            verdict=verdict_from_issues(issues),
            issues=issues,
            suggested_report=suggest_report(request.report, issues),
            review_notes=review_notes(request.report, issues),
            relied_on_case_ids=[],
            answered_by=self.name,
        )


def _valid(report: str, span: tuple[int, int]) -> bool:
    return 0 <= span[0] <= span[1] <= len(report)


def _edits(report: str, issue: Issue) -> list[tuple[int, int, str]] | None:
    """(start, end, replacement) edits for one issue, or None when the issue has no determinable edit."""
    if issue.severity not in ("warning", "error"):
        return []
    spans = [tuple(s) for s in issue.spans if _valid(report, tuple(s))]
    if issue.kind == "placeholder" and spans:
        return [(s, e, TO_COMPLETE) for s, e in spans if e > s]
    if issue.kind == "impression_omits_finding" and len(spans) >= 2:
        (fs, fe), (_, ie) = spans[0], spans[1]
        return [(ie, ie, "\n" + report[fs:fe].strip())]
    if issue.kind == "missing_section" and issue.section in ("findings", "impression"):
        empty = [s for s, e in spans if s == e]
        if empty:
            return [(empty[0], empty[0], " " + TO_COMPLETE)]
        if spans:  # a filler standing for the section's text ("IMPRESSION: N/A")
            return [(spans[0][0], spans[0][1], TO_COMPLETE)]
        if issue.section == "impression":
            end = len(report.rstrip())
            return [(end, len(report), f"\n\nIMPRESSION: {TO_COMPLETE}")]
    return None


def suggest_report(report: str, issues: list[Issue]) -> str:
    """The report with the edits of the module docstring applied (report text only, no notes)."""
    edits: dict[tuple[int, int], str] = {}
    for issue in issues:
        for start, end, new in _edits(report, issue) or []:
            edits.setdefault((start, end), new)
    text = report
    taken_from = len(report) + 1
    # right to left, so earlier offsets stay valid; an edit overlapping one already made is dropped
    for (start, end), new in sorted(edits.items(), reverse=True):
        if end > taken_from:
            continue
        text = text[:start] + new + text[end:]
        taken_from = start
    return text


def review_notes(report: str, issues: list[Issue]) -> list[str]:
    """One line per warning or error that the suggested report does not fix by an edit."""
    notes: list[str] = []
    for issue in issues:
        if issue.severity not in ("warning", "error") or _edits(report, issue) is not None:
            continue
        note = issue.message.strip()
        if issue.suggestion.strip():
            note += f" Suggestion: {issue.suggestion.strip()}"
        if note not in notes:
            notes.append(note)
    return notes
