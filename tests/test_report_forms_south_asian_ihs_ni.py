"""Report forms of Pakistani, US Indian Health Service and Northern Irish lists, fixed in the fifteenth session: the
hila "normal in size and density" (no lung density), a side written short in a term's own slot ("Bulky Rt hilum"), the
dome of the diaphragm raised, the upper mediastinum widened, old tuberculosis concluded against clear lungs, a
teleradiology line and a bracket inside a signer's letters under an empty impression, and the setting's blanks (a side
as "(Rt/Lt)", a date as "--/--/----", a ratio as "CTR of xx", a dotted line to write on).

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged, report

# --- sides -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hila", [
    "Both hila are normal in size and density.",
    "Bilateral hila are normal in size and density.",
    "Hilar shadows are normal in size and density.",
])
def test_hila_normal_in_density_name_no_density_that_blurs_a_side(hila: str) -> None:
    # the density is the hila's, called normal: it must not stand as a bilateral lung opacity beside the consolidation
    findings = f"Patchy consolidation with air bronchograms in the left lower zone. {hila} Heart size is normal."
    assert "laterality_conflict" in flagged(report(findings, "Right lower zone pneumonia."))
    assert flagged(report(findings, "Left lower zone pneumonia.")) == set()


@pytest.mark.parametrize(("findings", "impression"), [
    ("The left hilum appears bulky.", "Bulky Rt hilum."),
    ("Bulky Lt. hilum.", "The right hilum is bulky."),
    ("Elevated right dome of diaphragm.", "Elevated left dome of diaphragm."),
    ("The right dome of the diaphragm is raised.", "Raised Lt hemidiaphragm."),
])
def test_a_side_written_short_or_a_dome_named_keeps_its_finding_side(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize("text", [
    report("The left hilum appears bulky.", "Bulky Lt hilum."),
    report("Elevated right dome of diaphragm.", "Elevated right hemidiaphragm."),
])
def test_the_same_side_written_short_is_no_conflict(text: str) -> None:
    assert flagged(text) == set()


# --- what the impression leaves out ----------------------------------------------------------------------------------


def test_a_widened_upper_mediastinum_is_not_left_out_of_a_normal_impression() -> None:
    findings = "Widening of the upper mediastinum. The lungs are clear. No effusion."
    assert "impression_omits_finding" in flagged(report(findings, "No acute abnormality."))
    assert flagged(report(findings, "Widened upper mediastinum; CT chest advised.")) == set()


# --- old tuberculosis against clear lungs ----------------------------------------------------------------------------


@pytest.mark.parametrize("impression", [
    "Left apical fibro-calcific changes - old healed TB.",
    "Fibrotic changes in the right upper zone, likely old healed Koch's.",
])
def test_old_tuberculosis_read_on_the_film_contradicts_clear_lungs(impression: str) -> None:
    findings = "Both lung fields are clear. Heart size is normal. Both CP angles are clear."
    assert "negation_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize("text", [
    # the scars are in the findings: the two sections agree
    report("Calcified granuloma in the left upper zone. Lung fields are otherwise clear.",
           "Old healed TB, left upper zone."),
    report("Fibro-calcific strands in the left apex. The lungs are otherwise clear.", "Old healed Koch's."),
    # a history, not a reading of the film
    report("Both lung fields are clear.", "No active disease. Known case of treated old TB."),
    report("Both lung fields are clear.", "No radiological evidence of active TB. History of old TB."),
])
def test_old_tuberculosis_beside_its_scars_or_as_a_history_is_no_conflict(text: str) -> None:
    assert "negation_conflict" not in flagged(text)


# --- sign-offs under an empty impression -----------------------------------------------------------------------------


@pytest.mark.parametrize("sign_off", [
    "Teleradiology read. Signed Jane Begay, MD, 04/16/2024",
    "Dr. Tahir Mehmood (MBBS, FCPS (Diagnostic Radiology))\nNote: Radiological findings should be correlated with "
    "clinical findings.",
])
def test_a_sign_off_under_an_empty_impression_leaves_it_empty(sign_off: str) -> None:
    text = f"FINDINGS:\nModerate right pleural effusion. Heart size normal.\n\nIMPRESSION:\n\n{sign_off}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)


def test_a_signed_impression_keeps_its_text_above_a_teleradiology_line() -> None:
    text = ("FINDINGS:\nModerate right pleural effusion.\n\nIMPRESSION:\nModerate right pleural effusion.\n\n"
            "Teleradiology read. Signed Jane Begay, MD, 04/16/2024")
    assert parse_report(text).sections["IMPRESSION"] == "Moderate right pleural effusion."
    assert flagged(text) == set()


# --- blanks ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("blank", "filled"), [
    ("The (Rt/Lt) hemidiaphragm is elevated.", "The right hemidiaphragm is elevated."),
    ("Patient is rotated to the (lt/rt).", "Patient is rotated to the left."),
    ("Heart is enlarged with a CTR of xx.", "Heart is enlarged with a CTR of 0.6."),
])
def test_a_setting_s_blank_in_the_findings_is_a_field(blank: str, filled: str) -> None:
    impression = "Elevated right hemidiaphragm." if "hemidiaphragm" in blank else "No acute chest disease."
    assert "placeholder" in flagged(report(f"{blank} Lungs are clear.", impression))
    assert "placeholder" not in flagged(report(f"{filled} Lungs are clear.", impression))


@pytest.mark.parametrize(("line", "filled"), [
    ("Comparison: Previous film dated --/--/---- reviewed.", "Comparison: Previous film dated 12/09/2023 reviewed."),
    ("Clinical history: ..............", "Clinical history: Cough for three weeks."),
])
def test_a_date_or_a_dotted_line_left_to_fill_is_a_field(line: str, filled: str) -> None:
    text = f"{line}\nFINDINGS: Lungs are clear.\nIMPRESSION: Normal chest."
    assert "placeholder" in flagged(text)
    assert "placeholder" not in flagged(text.replace(line, filled))


def test_a_dotted_line_for_the_signer_s_name_is_a_field() -> None:
    text = "FINDINGS: Lungs are clear.\nIMPRESSION: Normal study.\n\nDr. ..................\nMBBS, FCPS (Radiology)"
    assert "placeholder" in flagged(text)


@pytest.mark.parametrize("text", [
    # an ellipsis inside a sentence, dashes as a rule, a date written out: no fields
    report("Lungs are clear... heart size normal.", "Normal chest."),
    "Comparison: 12/09/2023.\nFINDINGS: Lungs are clear.\n----------\nIMPRESSION: Normal chest.",
    report("Heart size normal, CTR 0.45.", "Normal chest."),
])
def test_dots_dashes_and_ratios_that_are_written_are_no_fields(text: str) -> None:
    assert "placeholder" not in flagged(text)
