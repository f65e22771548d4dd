"""Offline report checks: a parsed report in, a list of ``Issue`` out. No model, no network.

Kinds (stable names; the UI, the scorer and the consensus layer match on them):

===========================  ========  ===========================================================
kind                         severity  what it means
===========================  ========  ===========================================================
missing_section              warning   FINDINGS or IMPRESSION absent or empty (info for a text
                                       without any headers, read as one section by rule)
placeholder                  error     an unfilled template field: ``[***]``, ``___``, ``[ ]``,
                                       ``<insert>``, ``{size}``, ``XX cm``. Open-i's ``XXXX``
                                       de-identification mask is not one.
laterality_conflict          error     one finding placed on the left in one section and on the
                                       right in the other (same lung zone where both give one)
negation_conflict            error     a finding affirmed in one of FINDINGS/IMPRESSION and ruled
                                       out in the other, explicitly ("no effusion") or by a normal
                                       statement ("the lungs are clear", "heart size is normal")
impression_omits_finding     warning   FINDINGS affirm a significant finding, the IMPRESSION calls
                             (info)    the study normal and does not mention it. Chronic or stable
                                       findings beside "no acute disease" are normal practice; mild,
                                       borderline or stable cardiomegaly, a small effusion and a
                                       nodule under 6 mm left out are info.
section_contradiction        warning   one section affirms a finding and plainly rules it out
size_mismatch                warning   one finding at one side and zone given sizes in FINDINGS and
                                       IMPRESSION that cannot both be true ("large" vs "small"; trace
                                       and small count as one; "9 mm" vs "2 cm"), each section giving
                                       that site one size
change_mismatch              warning   one finding at one side and zone said to change one way in
                                       FINDINGS and another in IMPRESSION ("increasing" vs
                                       "decreasing", "new" vs "unchanged")
critical_not_communicated    info      pneumothorax or free air with no statement that it was
                                       communicated to the care team
comparison_not_available     info      the report compares with a prior study while COMPARISON
                                       says there is none
measurement_without_unit     info      a size given as a bare number ("measuring 2.5")
===========================  ========  ===========================================================

``evidence`` always quotes the report verbatim (for two places, the two sentences joined by
" ... "), so a UI can highlight it.

This module holds the list of kinds and runs the checks in that order; the checks themselves live in
``structure.py`` (structure and wording: missing_section, placeholder, critical_not_communicated,
comparison_not_available, measurement_without_unit), and, for FINDINGS against IMPRESSION, one module per
check: ``laterality.py`` (laterality_conflict), ``negation.py`` (negation_conflict), ``omission.py``
(impression_omits_finding) and ``agreement.py`` (section_contradiction, size_mismatch, change_mismatch), with
what they share in ``pairing.py``.
"""

from __future__ import annotations

from medrag_core.models import Issue
from medrag_core.reports.checks.agreement import change_mismatches, section_contradictions, size_mismatches
from medrag_core.reports.checks.laterality import laterality_conflicts
from medrag_core.reports.checks.negation import negation_conflicts
from medrag_core.reports.checks.omission import impression_omits
from medrag_core.reports.checks.structure import (
    comparison_not_available,
    critical_not_communicated,
    measurement_without_unit,
    missing_section,
    placeholders,
)
from medrag_core.reports.parse import ParsedReport, parse_report, read_report
from medrag_core.reports.reading import offset_as_given

__all__ = ["KINDS", "check_report", "run_checks"]

KINDS = (
    "missing_section",
    "placeholder",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "section_contradiction",
    "size_mismatch",
    "change_mismatch",
    "critical_not_communicated",
    "comparison_not_available",
    "measurement_without_unit",
)


def check_report(text: str | bytes) -> list[Issue]:
    """Read, parse and check one free-text report (raises ``ReportError`` for unusable input)."""
    return run_checks(parse_report(read_report(text)))


def run_checks(parsed: ParsedReport) -> list[Issue]:
    """Every check on one parsed report, in a stable order (the order of ``KINDS``)."""
    issues: list[Issue] = []
    issues += missing_section(parsed)
    issues += placeholders(parsed)
    issues += laterality_conflicts(parsed)
    issues += negation_conflicts(parsed)
    issues += impression_omits(parsed)
    issues += section_contradictions(parsed)
    issues += size_mismatches(parsed)
    issues += change_mismatches(parsed)
    issues += critical_not_communicated(parsed)
    issues += comparison_not_available(parsed)
    issues += measurement_without_unit(parsed)
    return [_as_given(parsed, i) for i in issues] if parsed.put_back else issues


def _as_given(parsed: ParsedReport, issue: Issue) -> Issue:
    """``issue`` with its spans, and its evidence where it quotes the report, in the report as given: the checks read
    ``parsed.text``, which holds the letters typing slips dropped put back."""
    def given(at: int) -> int:
        return offset_as_given(at, parsed.put_back)

    at = parsed.text.find(issue.evidence) if issue.evidence else -1
    evidence = parsed.as_given[given(at): given(at + len(issue.evidence))] if at >= 0 else issue.evidence
    return issue.model_copy(update={"spans": [(given(a), given(b)) for a, b in issue.spans], "evidence": evidence})
