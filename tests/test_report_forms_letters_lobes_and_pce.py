"""Report forms from the v40-v42 blind looks, fixed after them: a consultant's letter in the first person, lobes and
their abbreviations called clear, and a radiographer's red dot, PCE or triage line set above or below the
radiologist's report.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged


def polarity(sentence: str) -> list[tuple[str, str]]:
    return [(o.name, o.polarity) for o in parse_report(f"FINDINGS: {sentence}\nIMPRESSION: x.").observations
            if o.section == "FINDINGS"]


# --- a consultant's letter ------------------------------------------------------------------------------------------

LETTER = ("Dear colleague,\n\nThank you for asking me to look at this film (?pneumothorax after line insertion). I "
          "have reviewed the film.\n\n{body}\n\n{conclusion}Best wishes,\nDr ___")


def test_a_letters_opening_is_no_finding_and_its_summary_is_the_conclusion() -> None:
    text = LETTER.format(body="The lungs look clear to me. I can't see any pneumothorax.",
                         conclusion="In summary, nothing acute that I can see.\n\n")
    parsed = parse_report(text)
    assert "pneumothorax after line insertion" not in parsed.sections["FINDINGS"]
    assert parsed.sections["IMPRESSION"].startswith("nothing acute")
    assert flagged(text) == set()


def test_a_letter_with_no_conclusion_paragraph_has_no_impression() -> None:
    text = LETTER.format(body="You will see the left lower lobe has collapsed, with crowding of the vessels.",
                         conclusion="")
    assert "missing_section" in flagged(text)
    # its last paragraph, after the read, is its conclusion
    text = LETTER.format(body="You will see the left lower lobe has collapsed.\n\nLeft lower lobe collapse.",
                         conclusion="")
    assert flagged(text) == set()


@pytest.mark.parametrize("heading", ["What I see:", "Findings as I see them:"])
@pytest.mark.parametrize("closing", ["To summarise:", "My impression:", "Answer to your question:"])
def test_a_letters_headings_name_the_read_and_the_conclusion(heading: str, closing: str) -> None:
    text = (f"Hi ___,\n\n{heading}\nAs you suspected, there is a left pneumothorax.\n\n{closing}\n"
            "The good news is that I can't see anything acute.\n\nCheers,\n___")
    assert "impression_omits_finding" in flagged(text)


@pytest.mark.parametrize("sentence,expected", [
    ("I cannot see a pneumothorax.", [("Pneumothorax", "absent")]),
    ("I couldn't find any consolidation.", [("Consolidation", "absent")]),
    ("The pulmonary vessels look normal to me.", [("Edema", "absent")]),
])
def test_the_readers_own_negations(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert polarity(sentence) == expected


def test_overall_as_prose_is_no_header() -> None:
    parsed = parse_report("FINDINGS: Overall heart size is normal. Lungs clear.\nIMPRESSION: Normal chest.")
    assert parsed.sections["FINDINGS"].startswith("Overall heart size")


def test_a_blank_where_an_organs_state_belongs_is_a_field_in_a_masked_report() -> None:
    text = ("Dear Dr ___,\n\nWhat I see:\nBoth lungs are clear. Heart and mediastinum are ___.\n\nMy impression:\n"
            "No active disease.\n\nKind regards,\nDr ___")
    assert "placeholder" in flagged(text)


# --- lobes called clear ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("findings,impression", [
    ("RML: clear.\nRLL: clear.", "Right middle lobe consolidation."),
    ("Other: No pneumothorax. The right upper lobe is clear.", "Right upper lobe consolidation, likely pneumonia."),
    ("Increasing consolidation in the left upper lobe.", "LUL is clear."),
])
def test_a_lobe_called_clear_rules_out_consolidation_in_that_lobe(findings: str, impression: str) -> None:
    assert "negation_conflict" in flagged(f"FINDINGS:\n{findings}\nIMPRESSION:\n{impression}")


def test_a_lobe_called_clear_says_nothing_of_another_lobe() -> None:
    text = ("FINDINGS: Consolidation in the right lower lobe. The left lower lobe is clear. RUL: clear.\n"
            "IMPRESSION: Right lower lobe pneumonia.")
    assert flagged(text) == set()


# --- a radiographer's flag beside the radiologist's report ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "ED TRIAGE NOTE [01/10/2021 22:31]\nAbnormality detected: ?free air\nTriage: urgent\nFINAL REPORT - verified\n"
    "FINDINGS:\nHeart size is normal. No free subdiaphragmatic gas.\nIMPRESSION:\nNo acute abnormality. "
    "Radiographer's ?free air not confirmed.",
    "XR CHEST PA\nRed dot: YES\nRadiographer comment: Query R pneumothorax.\n------\nFindings:\nThe lungs are clear. "
    "The radiographer's query of a pneumothorax is not confirmed.\nConclusion:\nNormal study.",
    "Findings:\nThe lungs are clear. No effusion.\nOpinion:\nNo acute disease.\nReported by J. Smith, Consultant "
    "Reporting Radiographer.\n(PCE at time of examination: Query R nodule. - K. Osei. Red dot: YES.)",
])
def test_a_radiographers_flag_is_not_the_report(text: str) -> None:
    assert flagged(text) == set()


def test_an_omission_beside_a_radiographers_flag_naming_the_finding_is_still_an_omission() -> None:
    text = ("Findings:\nNew 9 mm nodular opacity in the right upper zone.\nOpinion:\nNo acute disease.\n"
            "Reported by J. Smith, Consultant Reporting Radiographer.\n(PCE at time of examination: Query R nodule.)")
    assert "impression_omits_finding" in flagged(text)


def test_a_template_date_in_brackets_is_still_a_field() -> None:
    assert "placeholder" in flagged("FINDINGS: Lungs clear. Compared with [DATE].\nIMPRESSION: Normal chest.")
    assert "placeholder" in flagged("FINDINGS: Lungs clear. Heart [ ] normal.\nIMPRESSION: Normal chest.")


@pytest.mark.parametrize("sentence,omitted", [
    ("There is a 14 mm nodule in the left upper zone, which I don't think is a nipple shadow.", True),
    ("A 14 mm nodule in the left upper zone, not a nipple shadow.", True),
    ("A 14 mm nodule in the left upper zone, likely a nipple shadow.", False),  # explained away
])
def test_a_benign_explanation_denied_explains_nothing_away(sentence: str, omitted: bool) -> None:
    text = f"FINDINGS: {sentence}\nIMPRESSION: No acute disease."
    assert ("impression_omits_finding" in flagged(text)) is omitted
