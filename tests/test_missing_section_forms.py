"""An empty or absent FINDINGS/IMPRESSION in other layouts: a numbered list with nothing after its number is empty."""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report

FINDINGS = "Heart size is normal. Moderate right pleural effusion. No pneumothorax."
IMPRESSION = "Moderate right pleural effusion."


def missing(text: str) -> list[tuple[str, str | None]]:
    return [(i.severity, i.section) for i in check_report(text) if i.kind == "missing_section"]


@pytest.mark.parametrize("empty", ["1.", "1. ", "1)\n2)", "1.\n2.\n3."])
def test_a_numbered_impression_with_nothing_after_its_numbers_is_empty(empty: str) -> None:
    text = f"Indication: SOB.\n\nObservations:\n- {FINDINGS}\n\nInterpretation:\n{empty}"
    assert missing(text) == [("warning", "impression")]
    assert missing(f"Indication: SOB.\n\nObservations:\n- {FINDINGS}\n\nInterpretation:\n1. {IMPRESSION}") == []


@pytest.mark.parametrize("layout", [
    "CLINICAL INFORMATION: Cough.\n\nREPORT:\n{F}\n\nCONCLUSION:\n{I}",
    "Clinical information: Cough.\nReport: {F}\nOpinion: {I}",
    "Reason for exam: cough\n\nDiscussion: {F}\n\nSummary: {I}",
    "HISTORY: Fever.\n\nRESULT:\n{F}\n\nCOMMENT:\n{I}",
    "Indication: fever\nRadiological findings: {F}\nRadiological impression: {I}",
    "FINDINGS\n--------\n{F}\n\nIMPRESSION\n----------\n{I}",
])
def test_other_headers_complete_empty_and_absent(layout: str) -> None:
    assert missing(layout.format(F=FINDINGS, I=IMPRESSION)) == []
    assert missing(layout.format(F="", I=IMPRESSION))[0] == ("warning", "findings")
    assert missing(layout.format(F=FINDINGS, I="")) == [("warning", "impression")]


@pytest.mark.parametrize("impression", [
    "RECOMMENDATION: CT chest with contrast is recommended.",
    "This is a preliminary report. A final report will follow from the on-site radiologist.",
    "Final report to follow.",
    "Suggest CT thorax for further characterisation.\nUrgent result phoned to the ward.",
])
def test_an_impression_of_advice_or_a_communication_alone_states_no_conclusion(impression: str) -> None:
    text = f"Findings:\nA 3.5 cm mass in the left lower lobe. No effusion.\n\nConclusion:\n{impression}"
    issues = [i for i in check_report(text) if i.severity in ("warning", "error")]
    # the conclusion is still to write, and (since the v11/v12 look) the mass it must summarise is left out of it
    assert [(i.kind, i.section, i.finding) for i in issues] == [
        ("missing_section", "impression", None), ("impression_omits_finding", "impression", "nodule or mass")]
    assert "no conclusion" in issues[0].message


@pytest.mark.parametrize("impression", [
    "Left lower lobe mass. CT chest is recommended.",
    "Suspicious left lower lobe mass; CT recommended. Discussed with Dr Smith at 10:00.",
    "1. Left lower lobe mass.\n2. Findings communicated to the ward.",
])
def test_a_conclusion_with_advice_beside_it_is_complete(impression: str) -> None:
    text = f"Findings:\nA 3.5 cm mass in the left lower lobe. No effusion.\n\nConclusion:\n{impression}"
    assert missing(text) == []


@pytest.mark.parametrize("part", [
    "CRITICAL RESULT -\nCritical result communicated to the referring clinician at 04:15, read-back confirmed.",
    "COMMUNICATION - Discussed with the ward nurse in charge by telephone at 17:18.",
])
def test_a_communication_part_after_an_empty_conclusion_leaves_it_empty(part: str) -> None:
    # since the v19-v21 look, "Critical result" and "Communication" head parts of their own beside the two sections
    text = f"Findings:\nA 3.5 cm mass in the left lower lobe. No effusion.\n\nConclusion:\n{part}"
    assert parse_report(text).sections.get("IMPRESSION") == ""
    issues = [i for i in check_report(text) if i.severity in ("warning", "error")]
    assert [(i.kind, i.section) for i in issues] == [("missing_section", "impression")]
