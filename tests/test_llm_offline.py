"""The offline verifier: verdict from the issues, conservative suggested edits, no network."""

from __future__ import annotations

import socket

import pytest

from medrag_core.llm import OfflineVerifier, VerificationRequest, make_verifier, merge_issues, strictest
from medrag_core.models import Issue
from medrag_core.settings import Settings

REPORT = "FINDINGS: Small left pleural effusion. Heart size ___.\n\nIMPRESSION: No acute disease.\n"


def _issue(kind: str, severity: str = "warning", **kw) -> Issue:
    return Issue(kind=kind, severity=severity, message=kw.pop("message", f"{kind} found."), **kw)


@pytest.mark.parametrize(
    ("severities", "verdict"),
    [
        ([], "consistent"),
        (["info"], "consistent"),
        (["info", "warning"], "needs_review"),
        (["warning", "error"], "inconsistent"),
    ],
)
def test_verdict_from_issues(severities: list[str], verdict: str) -> None:
    issues = [_issue("whatever", s) for s in severities]
    out = OfflineVerifier().verify(VerificationRequest(report=REPORT, offline_issues=issues))
    assert out.verdict == verdict and out.issues == issues
    assert (out.answered_by, out.failures, out.notices) == ("offline", 0, [])


def test_no_issues_leaves_report_unchanged() -> None:
    issues = [_issue("style", "info", suggestion="Rephrase.")]
    out = OfflineVerifier().verify(VerificationRequest(report=REPORT, offline_issues=issues))
    assert out.suggested_report == REPORT


def test_placeholders_marked_and_mask_kept() -> None:
    report = "INDICATION: XXXX-year-old.\nFINDINGS: Heart size [***]. Lungs [ ] clear.\nIMPRESSION: ___ disease."
    out = OfflineVerifier().verify(VerificationRequest(report=report, offline_issues=[_issue("placeholder")]))
    assert out.suggested_report == (
        "INDICATION: XXXX-year-old.\nFINDINGS: Heart size [TO COMPLETE]. Lungs [TO COMPLETE] clear.\n"
        "IMPRESSION: [TO COMPLETE] disease."
    )


def test_omitted_finding_gets_a_review_line_in_the_impression() -> None:
    report = REPORT + "\nCOMPARISON: None."
    issue = _issue("impression_omits_finding", "error", evidence="Small left pleural effusion.")
    out = OfflineVerifier().verify(VerificationRequest(report=report, offline_issues=[issue]))
    line = '[REVIEW: the findings state "Small left pleural effusion."; the impression does not address it.]'
    assert out.suggested_report == (
        "FINDINGS: Small left pleural effusion. Heart size ___.\n\nIMPRESSION: No acute disease.\n"
        f"{line}\n\nCOMPARISON: None."
    )
    assert out.verdict == "inconsistent"


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ("FINDINGS: Clear.\nIMPRESSION:\n", "FINDINGS: Clear.\nIMPRESSION: [TO COMPLETE]"),
        ("FINDINGS: Clear.", "FINDINGS: Clear.\n\nIMPRESSION: [TO COMPLETE]"),
    ],
)
def test_missing_section_marked(report: str, expected: str) -> None:
    issue = _issue("missing_section", "error", message="The IMPRESSION section is empty.")
    out = OfflineVerifier().verify(VerificationRequest(report=report, offline_issues=[issue]))
    assert out.suggested_report == expected


def test_other_issues_become_review_notes_without_new_findings() -> None:
    issues = [
        _issue("laterality_conflict", "error", message="Right in findings, left in impression.", suggestion="Check."),
        _issue("neighbour_disagreement", "warning", message="4 of 5 similar cases report cardiomegaly."),
        _issue("neighbour_disagreement", "warning", message="4 of 5 similar cases report cardiomegaly."),
    ]
    out = OfflineVerifier().verify(VerificationRequest(report="FINDINGS: x.\nIMPRESSION: y.", offline_issues=issues))
    assert out.suggested_report == (
        "FINDINGS: x.\nIMPRESSION: y.\n\nREVIEW NOTES (remove before signing):\n"
        "- Right in findings, left in impression. Suggestion: Check.\n"
        "- 4 of 5 similar cases report cardiomegaly."
    )


def test_offline_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the offline verifier opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    verifier = make_verifier(Settings(llm_backend="offline"))
    assert isinstance(verifier, OfflineVerifier)
    verifier.verify(VerificationRequest(report=REPORT, offline_issues=[_issue("placeholder")]))


def test_merge_rules() -> None:
    offline = [_issue("negation_conflict", evidence="No effusion.")]
    llm = [
        _issue("negation_conflict", "error", message="different words", evidence="no   EFFUSION."),
        _issue("negation_conflict", "info", message="negation_conflict found."),  # same message
        _issue("new_kind", "info"),
        _issue("new_kind", "info"),
    ]
    merged = merge_issues(offline, llm)
    assert merged == offline + [llm[2]]
    assert strictest("consistent", "needs_review") == "needs_review"
    assert strictest("inconsistent", "consistent", "needs_review") == "inconsistent"
