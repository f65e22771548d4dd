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


# --- rounds 24 and 25: private UK, US integrated-system, southern African and 2WW lists ------------------------------


@pytest.mark.parametrize("sign_off", [
    "Reporter: Dr M Hughes. Verified.",
    "Dr D Fraser MRCP FRCR\nConsultant Radiologist",
])
def test_a_reporter_line_or_an_initial_without_its_stop_is_a_sign_off(sign_off: str) -> None:
    text = f"FINDINGS:\nThe lungs are clear. Heart size normal.\nIMPRESSION:\n\n{sign_off}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)
    signed = text.replace("IMPRESSION:\n", "IMPRESSION:\nNormal chest.")
    assert parse_report(signed).sections["IMPRESSION"] == "Normal chest."


@pytest.mark.parametrize(("findings", "impression"), [
    ("There is a 12 mm rounded nodule in the left mid zone.", "Right upper zone nodule; CT advised."),
    ("Well-defined 2 cm mass in the right upper zone.", "Left mid zone nodule. CT chest recommended."),
])
def test_one_lesion_a_section_on_opposite_sides_is_a_side_slip_at_any_zone(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


def test_two_lesions_named_apart_in_a_section_are_no_side_slip() -> None:
    text = report("A 12 mm nodule in the left mid zone. A 9 mm nodule in the right upper zone.",
                  "Right upper zone nodule and left mid zone nodule; CT advised.")
    assert "laterality_conflict" not in flagged(text)


@pytest.mark.parametrize(("findings", "impression"), [
    ("Consolidation in the right lower zone. The left hemidiaphragm is obscured by the consolidation.",
     "Right basal pneumonia."),
    ("Moderate left pleural effusion. The right costophrenic angle is obliterated by this effusion.",
     "Left pleural effusion."),
])
def test_a_place_on_the_other_side_hidden_by_the_finding_named_before_is_a_slip(findings: str,
                                                                                 impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))
    same_side = findings.replace("The left", "The right").replace("The right costophrenic", "The left costophrenic")
    assert "laterality_conflict" not in flagged(report(same_side, impression))


def test_a_rounded_opacity_measured_in_millimetres_is_a_nodule_left_out() -> None:
    findings = "Rounded 9 mm opacity projected over the left lower zone. Both costophrenic angles are clear."
    assert "impression_omits_finding" in flagged(report(findings, "No radiological abnormality seen."))
    assert flagged(report(findings, "9 mm left lower zone nodule; CT advised.")) == set()


def test_a_dotted_gap_between_words_is_a_field() -> None:
    text = report("Opacity obliterating the ...... costophrenic angle, a moderate pleural effusion.",
                  "Right pleural effusion.")
    assert "placeholder" in flagged(text)
    assert "placeholder" not in flagged(text.replace("......", "right"))


def test_cardiomegaly_beside_a_position_likened_to_the_prior_study_is_today_s() -> None:
    findings = "Pacemaker leads in similar position to prior study with stable cardiomegaly. No consolidation."
    assert "negation_conflict" in flagged(report(findings, "Stable post-procedural chest. Normal heart size."))
    assert "negation_conflict" not in flagged(report(findings, "Stable cardiomegaly. Leads in position."))


@pytest.mark.parametrize("findings", [
    # a nodule explained away, or a second nodule whose side is not given: no lone lesion on each side
    "A 5 mm nodular opacity in the left lower zone, likely a nipple shadow. Right upper lobe collapse.",
    "An 8 mm nodule in the mid zone. A 2 mm nodule projects over the left lower zone, unchanged for two years.",
])
def test_a_lesion_explained_away_or_beside_another_is_no_lone_side_slip(findings: str) -> None:
    text = report(findings, "8 mm nodule in the right mid zone; CT recommended.")
    assert "laterality_conflict" not in flagged(text)
