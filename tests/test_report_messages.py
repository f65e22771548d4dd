"""The issue messages read as English whichever section they name: "FINDINGS" is plural and "IMPRESSION" singular, so
a message names "the FINDINGS section" and "the IMPRESSION section" and its verbs agree with "section"."""

from __future__ import annotations

from medrag_core.reports import check_report
from tests.fixtures.report_forms import report


def _messages(text: str, kind: str) -> list[str]:
    return [i.message for i in check_report(text) if i.kind == kind]


def test_a_negation_conflict_names_each_section_with_a_verb_that_agrees() -> None:
    ruled_out_by_impression = _messages(report("Small right pleural effusion.", "No pleural effusion."),
                                        "negation_conflict")
    assert ruled_out_by_impression == [
        "The FINDINGS section reports pleural effusion ('pleural effusion') but the IMPRESSION section rules it out "
        "('pleural effusion')."]
    ruled_out_by_findings = _messages(report("No pleural effusion.", "Small right pleural effusion."),
                                      "negation_conflict")
    assert len(ruled_out_by_findings) == 1
    assert "The IMPRESSION section reports pleural effusion" in ruled_out_by_findings[0]
    assert "the FINDINGS section rules it out" in ruled_out_by_findings[0]


def test_a_contradiction_within_a_section_agrees_with_section() -> None:
    text = report("Small right apical pneumothorax. No pneumothorax.", "Small right apical pneumothorax.")
    messages = _messages(text, "section_contradiction")
    assert len(messages) == 1
    assert messages[0].startswith("The FINDINGS section both reports pneumothorax")
    assert "and rules it out" in messages[0]
