"""Report forms of US military, Philippine and trauma-centre lists, fixed in the fourteenth session: a rank and a corps
in the sign-off, the CHCS screen's result code, a status line before the signer, five-word names, "Clinical
impression:" as the history (and no header name across a line break), congested vessels, hazy and fibrohazy densities,
an effusion's meniscus, bronchiectasis, a pulmonary contusion, a blunted angle against a sharp one, tuberculosis against
clear lungs, and a smaller pneumothorax left out.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged, report

# --- who signed, under an empty impression ---------------------------------------------------------------------------


@pytest.mark.parametrize("sign_off", [
    "MAJ Daniel R. Ortiz, MC, USA  21 Jan 2026",
    "Lt Col Brian T. Hale, USAF, MC",
    "Michael P. Donnelly, MD  03 Jul 2026",
    "Result Code: NORMAL\nInterpreted By: LCDR Sarah K. Whitfield, MC, USN",
    "Final report. D. Kim, MD, 08/28/2026 14:19",
    "JOSE MARI C. DELA CRUZ, MD, DPBR",
    "Ma. Theresa G. Villanueva, MD, FPCR",
    "Workstation: RADREAD08\nElectronically signed by Priya Raman, MD, 10/18/2025 at 15:03.",
    "Thank you for the referral.\nDr. Imran Malik, Consultant Radiologist",
    "Thank you for referring this patient.\nDr A. Kaur FRANZCR",
    "Dr. Kavitha a/p Subramaniam\nRadiologist, HKL",
    "Dr. Nor Azlina binti Osman\nRadiologist, HPP",
    "MO: Dr. Syafiqah Ramli",
    "Seen by Dr. Priya Devi (MO, Klinik Kesihatan Jalan Perak)",
])
def test_a_sign_off_under_an_empty_impression_leaves_it_empty(sign_off: str) -> None:
    text = f"FINDINGS:\nModerate right pleural effusion. Heart size normal.\n\nIMPRESSION:\n\n{sign_off}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)


def test_a_signed_impression_keeps_its_text() -> None:
    text = ("FINDINGS:\nModerate right pleural effusion.\n\nIMPRESSION:\nModerate right pleural effusion.\n\n"
            "Final report. C. Ramirez, MD, 10/17/2026 06:19")
    assert parse_report(text).sections["IMPRESSION"] == "Moderate right pleural effusion."
    assert flagged(text) == set()


def test_final_report_as_a_title_is_no_sign_off() -> None:
    text = "FINAL REPORT\nEXAMINATION: Chest PA and lateral.\nFINDINGS: Lungs are clear.\nIMPRESSION: Normal chest."
    assert parse_report(text).sections["IMPRESSION"] == "Normal chest."


def test_clinical_impression_is_the_history_not_the_conclusion() -> None:
    text = ("Clinical impression: OFW medical examination\nFindings:\nBoth lung fields are clear.\n"
            "Heart size is normal.\n\nEDGARDO V. SORIANO, MD, FPCR")
    parsed = parse_report(text)
    assert parsed.sections["INDICATION"] == "OFW medical examination"
    assert "IMPRESSION" not in parsed.sections
    assert "missing_section" in flagged(text)


# --- findings named as these lists name them -------------------------------------------------------------------------


@pytest.mark.parametrize("findings", [
    "Pulmonary vascular markings are congested. Heart is not enlarged.",
    "Hazy densities are seen in the right lower lung field. The heart is normal in size.",
])
def test_a_significant_finding_in_local_words_is_not_left_out_of_a_normal_chest(findings: str) -> None:
    assert "impression_omits_finding" in flagged(report(findings, "Essentially normal chest findings."))


def test_vessels_not_congested_are_no_finding() -> None:
    assert flagged(report("Pulmonary vascular markings are not congested. Heart is not enlarged.",
                          "Essentially normal chest findings.")) == set()


@pytest.mark.parametrize(("findings", "impression"), [
    ("Fibrohazy and nodular densities are seen in the right upper lung field.", "Consider PTB, left upper lobe."),
    ("The lungs are clear. Homogeneous density with a meniscus sign in the left hemithorax.",
     "Pleural effusion, right, moderate."),
    ("Airspace consolidation in the right lung base, likely contusion. No pneumothorax.",
     "Left lung base pulmonary contusion."),
    ("Bronchiectatic changes in the left lower zone, static. Heart is not enlarged.",
     "Right lower zone bronchiectasis, stable."),
])
def test_the_sides_of_findings_named_by_their_signs_are_compared(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize("text", [
    report("Fibrohazy densities are seen in the right upper lung field.", "PTB, minimal, right upper lobe."),
    report("Airspace opacity at the right base, likely contusion.", "Right basilar pulmonary contusion."),
    report("Tram-track opacities and ring shadows in the left lower zone, compatible with bronchiectasis.",
           "Left lower zone bronchiectasis, stable."),
    # the chest wall's bruise is no lung finding
    report("Right chest wall contusion. Lungs are clear.", "No acute cardiopulmonary process."),
])
def test_the_same_finding_on_the_same_side_is_no_conflict(text: str) -> None:
    assert flagged(text) == set()


# --- conflicts -------------------------------------------------------------------------------------------------------


def test_a_blunted_angle_contradicts_the_angles_called_sharp() -> None:
    text = report("The lung parenchyma is clear. Both hemidiaphragms and costophrenic sulci are intact.",
                  "Blunted right costophrenic sulcus, may represent minimal effusion or pleural thickening.")
    assert "negation_conflict" in flagged(text)


@pytest.mark.parametrize("text", [
    # a blunted angle is a sign, not an effusion: "no effusion" beside it is no contradiction
    report("Lungs clear. No pleural effusion.", "Blunted right costophrenic angle, likely scarring."),
    report("The right costophrenic angle is sharp. Blunting of the left costophrenic angle.",
           "Blunted left costophrenic angle."),
])
def test_a_blunted_angle_beside_no_effusion_or_the_other_angle_is_no_conflict(text: str) -> None:
    assert "negation_conflict" not in flagged(text)


@pytest.mark.parametrize("findings", [
    "Both lung fields are clear. Heart size is normal.",
    "The lungs are clear without evidence of focal airspace disease.",
])
def test_tuberculosis_concluded_against_clear_lungs_is_a_conflict(findings: str) -> None:
    impression = "Pulmonary tuberculosis, minimal, right upper lobe, activity undetermined."
    assert "negation_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize("text", [
    report("Fibrocalcific changes in the right upper zone. Lungs otherwise clear.",
           "PTB, right upper lobe, probably inactive."),
    # weighing its activity is no finding of the lungs
    report("Scattered calcified granulomas. Findings to suggest. tuberculosis are not seen.",
           "No radiographic evidence of active tuberculosis."),
])
def test_tuberculosis_beside_what_the_findings_place_is_no_negation_conflict(text: str) -> None:
    assert "negation_conflict" not in flagged(text)


def test_a_smaller_pneumothorax_is_still_restated() -> None:
    text = report("Left chest tube in place. Small left apical pneumothorax, slightly decreased from prior. Trace left "
                  "pleural effusion.",
                  "1. Small left pleural effusion.\n2. Otherwise no acute cardiopulmonary abnormality.")
    assert "impression_omits_finding" in flagged(text)


def test_a_header_name_does_not_run_across_a_line_break() -> None:
    text = ("COMPARISON:\nNone. Clinical\nIMPRESSION:\nModerate left pleural effusion.\n\n"
            "FINDINGS:\nModerate left pleural effusion.")
    parsed = parse_report(text)
    assert parsed.sections["COMPARISON"] == "None. Clinical"
    assert parsed.sections["IMPRESSION"] == "Moderate left pleural effusion."


def test_vascular_markings_called_normal_rule_out_oedema() -> None:
    text = report("Both lungs are clear of infiltrates. Pulmonary vascular markings are normal.", "Pulmonary edema.")
    assert "negation_conflict" in flagged(text)
    assert flagged(report("Pulmonary vascular markings are normal. Lungs clear.", "Normal chest.")) == set()


def test_lungs_called_normally_expanded_and_clear_rule_out_hyperinflation() -> None:
    text = report("The lungs are hyperinflated with flattening of the hemidiaphragms. No effusion.",
                  "Lungs are normally expanded and clear.")
    assert "negation_conflict" in flagged(text)
    assert flagged(report("The lungs are normally expanded and clear.", "Normal chest.")) == set()


def test_one_consolidation_a_section_placed_on_the_other_side_at_another_zone_is_a_side_slip() -> None:
    text = report("There is consolidation of the right lower lobe. Heart size is normal.",
                  "Left upper zone consolidation, ? infective.")
    assert "laterality_conflict" in flagged(text)
    # two findings in one section: the impression names one of them
    assert "laterality_conflict" not in flagged(report("Right lower lobe consolidation. Left upper lobe consolidation.",
                                                       "Left upper lobe pneumonia."))


def test_a_date_left_as_its_letters_is_a_field() -> None:
    text = "COMPARISON: Previous CXR dated dd/mm/yyyy.\nFINDINGS: Lungs clear.\nIMPRESSION: Normal chest."
    assert "placeholder" in flagged(text)
    assert "placeholder" not in flagged(text.replace("dd/mm/yyyy", "12/09/2024"))


def test_an_opacity_that_takes_away_the_heart_border_is_not_left_out() -> None:
    findings = "Opacity in the right middle lobe obscuring the right heart border. No pleural effusion."
    assert "impression_omits_finding" in flagged(report(findings, "Negative chest x-ray."))
    assert flagged(report(findings, "Right middle lobe pneumonia.")) == set()
