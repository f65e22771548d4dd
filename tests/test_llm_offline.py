"""The offline verifier: verdict from the issues, conservative suggested edits, no network."""

from __future__ import annotations

import socket

import pytest

from medrag_core.llm import OfflineVerifier, VerificationRequest, make_verifier, merge_issues, strictest
from medrag_core.models import Issue
from medrag_core.reports import check_report
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


def _offline(report: str) -> tuple[str, list[str]]:
    """The offline verifier's suggestion and notes for the real checks' issues on ``report``."""
    issues = check_report(report)
    out = OfflineVerifier().verify(VerificationRequest(report=report, offline_issues=issues))
    return out.suggested_report, out.review_notes


def test_placeholders_marked_and_mask_kept() -> None:
    report = "INDICATION: XXXX-year-old.\nFINDINGS: Heart size [***]. Lungs [ ] clear.\nIMPRESSION: ___ disease."
    suggested, _ = _offline(report)
    assert suggested == (
        "INDICATION: XXXX-year-old.\nFINDINGS: Heart size [TO COMPLETE]. Lungs [TO COMPLETE] clear.\n"
        "IMPRESSION: [TO COMPLETE] disease."
    )


def test_issue_12_xx_cm_marked_in_the_suggestion_as_the_check_flags_it() -> None:
    # two placeholder patterns used to disagree: the check flagged "XX cm", the suggestion left it
    report = "FINDINGS: A XX cm nodule in the right upper lobe.\n\nIMPRESSION: Right upper lobe nodule."
    assert [i.kind for i in check_report(report)] == ["placeholder"]
    suggested, _ = _offline(report)
    assert suggested == ("FINDINGS: A [TO COMPLETE] nodule in the right upper lobe.\n\n"
                         "IMPRESSION: Right upper lobe nodule.")


def test_mimic_masks_are_not_placeholders() -> None:
    report = ("FINAL REPORT\nEXAMINATION:  CHEST (PA AND LAT)\n\nINDICATION: ___ year old woman with cough\n\n"
              "COMPARISON: ___\n\nFINDINGS: Compared to the prior study from ___ the lungs are clear.\n\n"
              "IMPRESSION: No acute cardiopulmonary process.")
    assert [i for i in check_report(report) if i.kind == "placeholder"] == []
    # outside a MIMIC layout, "Dr. ___" and "on ___" are masks too; a word replaced by ___ is not
    assert [i.kind for i in check_report("FINDINGS: Discussed with Dr. ___ on ___.\nIMPRESSION: Normal.")] == []
    assert "placeholder" in {i.kind for i in check_report("FINDINGS: The heart is ___.\nIMPRESSION: Normal.")}


def test_omitted_finding_proposed_as_an_impression_line_in_its_own_words() -> None:
    report = ("FINDINGS: Moderate left pleural effusion. Heart size normal.\n\nIMPRESSION: No acute disease.\n"
              "\nCOMPARISON: None.")
    suggested, notes = _offline(report)
    assert suggested == ("FINDINGS: Moderate left pleural effusion. Heart size normal.\n\nIMPRESSION: No acute "
                         "disease.\nModerate left pleural effusion.\n\nCOMPARISON: None.")
    assert notes == []


def test_issue_12_dash_headers_put_the_omission_in_the_impression_not_after_recommendation() -> None:
    # two header parsers used to disagree: with "Findings -" headers the review line landed after
    # "Recommendation" and quoted the impression as the finding
    report = ("Findings - There is a moderate right pleural effusion.\nImpression - No acute disease.\n"
              "Recommendation - Follow-up as clinically indicated.")
    issues = check_report(report)
    assert [(i.kind, i.severity) for i in issues] == [("impression_omits_finding", "warning")]
    suggested, _ = _offline(report)
    assert suggested == ("Findings - There is a moderate right pleural effusion.\nImpression - No acute disease.\n"
                         "There is a moderate right pleural effusion.\n"
                         "Recommendation - Follow-up as clinically indicated.")


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ("FINDINGS: Clear lungs.\nIMPRESSION:\n", "FINDINGS: Clear lungs.\nIMPRESSION: [TO COMPLETE]\n"),
        ("FINDINGS: Clear lungs.", "FINDINGS: Clear lungs.\n\nIMPRESSION: [TO COMPLETE]"),
    ],
)
def test_missing_section_marked(report: str, expected: str) -> None:
    suggested, _ = _offline(report)
    assert suggested == expected


def test_other_issues_become_review_notes_apart_from_the_report() -> None:
    issues = [
        _issue("laterality_conflict", "error", message="Right in findings, left in impression.", suggestion="Check."),
        _issue("neighbour_disagreement", "warning", message="4 of 5 similar cases report cardiomegaly."),
        _issue("neighbour_disagreement", "warning", message="4 of 5 similar cases report cardiomegaly."),
        _issue("style", "info", message="Could be shorter."),
    ]
    out = OfflineVerifier().verify(VerificationRequest(report="FINDINGS: x.\nIMPRESSION: y.", offline_issues=issues))
    assert out.suggested_report == "FINDINGS: x.\nIMPRESSION: y."
    assert out.review_notes == ["Right in findings, left in impression. Suggestion: Check.",
                                "4 of 5 similar cases report cardiomegaly."]


def test_a_size_mismatch_is_a_review_note_not_an_edit() -> None:
    report = "FINDINGS: Large right pleural effusion.\nIMPRESSION: Small right pleural effusion."
    out = OfflineVerifier().verify(VerificationRequest(report=report, offline_issues=check_report(report)))
    assert out.verdict == "needs_review"
    assert out.suggested_report == report  # which size is right is the radiologist's call
    assert out.review_notes == ["FINDINGS describe the right pleural effusion as large, the IMPRESSION as small. "
                                "Suggestion: Check the image and give the finding one size in both sections."]


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
