"""Report forms from the v46-v48 blind looks, fixed after them: the everyday lists of US and UK/Australian hospitals
(a reader's role signing an empty conclusion, fluid at a costophrenic angle, graded effusions on two sides, a lobe's
collapse beside adjacent atelectasis, chronic change in a lung base) and occupational films read for dust disease
(the ILO's small and large opacities, pleural plaques, a B reader's sign-off).

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged, report


def names(text: str, section: str = "FINDINGS") -> dict[str, str]:
    return {o.name: o.polarity for o in parse_report(text).observations if o.section == section}


# --- who signed ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sign_off", [
    "Reporting radiographer: L. Thompson", "Dr E. McCarthy, Radiology Registrar", "Dr P. Fitzgerald FFRRCSI",
    "C. Hughes, Advanced Practitioner Radiographer", "B Reader: ___, MD", "NIOSH-certified B Reader: Dr. ___",
    "-- dictated --",
])
def test_a_sign_off_under_an_empty_conclusion_is_no_conclusion(sign_off: str) -> None:
    text = f"Findings:\nThe lungs are clear. No effusion.\nOpinion:\n{sign_off}"
    assert "missing_section" in flagged(text)
    # guard: under a conclusion it is the footer, and the report is whole
    assert flagged(f"Findings:\nThe lungs are clear. No effusion.\nOpinion:\nNormal chest.\n{sign_off}") == set()


def test_a_role_named_inside_a_conclusions_sentence_is_no_sign_off() -> None:
    parsed = parse_report("Findings:\nLeft lower lobe consolidation.\nConclusion:\n"
                          "Left lower lobe pneumonia, discussed with the on-call registrar")
    assert parsed.sections["IMPRESSION"].startswith("Left lower lobe pneumonia")


# --- the everyday lists ---------------------------------------------------------------------------------------------

def test_fluid_at_a_costophrenic_angle_is_an_effusion_on_its_side() -> None:
    findings = "Small amount of fluid at the right costophrenic angle. Clear lungs."
    assert "negation_conflict" in flagged(report(findings, "1. No effusion.\n2. No active disease."))
    assert "laterality_conflict" in flagged(report(findings, "Small left pleural effusion."))


def test_a_grade_names_which_of_two_effusions_changed_side() -> None:
    findings = "There is a moderate left pleural effusion. There is a small left pleural effusion, unchanged."
    assert "laterality_conflict" in flagged(report(findings, "Moderate right pleural effusion. Small left pleural "
                                                             "effusion, unchanged."))
    # guard: each grade on its own side in both sections
    assert "laterality_conflict" not in flagged(report(
        "Moderate left pleural effusion. Small right pleural effusion.",
        "Moderate left and small right pleural effusions."))


def test_a_collapsed_lobe_is_not_the_atelectasis_beside_an_effusion_or_at_both_bases() -> None:
    findings = ("Right lower lobe collapse with loss of the right hemidiaphragm contour. Small right pleural effusion "
                "with adjacent compressive atelectasis. Mild bibasilar atelectasis.")
    assert "laterality_conflict" in flagged(report(findings, "1. Small right pleural effusion with adjacent "
                                                             "atelectasis.\n2. Collapse of the left lower lobe."))
    assert "laterality_conflict" not in flagged(report(findings, "1. Small right pleural effusion with adjacent "
                                                                 "atelectasis.\n2. Collapse of the right lower lobe."))


def test_an_opacity_read_as_atelectasis_is_not_the_pneumonia_on_the_other_side() -> None:
    findings = ("There is consolidation of the right lower lobe with air bronchograms. Streaky opacity at the left "
                "base, likely subsegmental atelectasis.")
    assert "laterality_conflict" in flagged(report(findings, "Findings compatible with left lower lobe pneumonia."))
    assert "laterality_conflict" not in flagged(report(findings, "Right lower lobe pneumonia."))


def test_chronic_change_in_a_lung_base_is_scarring_with_its_side() -> None:
    findings = "The lungs are hypoinflated with scarring in the right lung base. No focal consolidation."
    assert "laterality_conflict" in flagged(report(findings, "Mild chronic changes in the left lung base."))
    assert flagged(report(findings, "Mild chronic changes in the right lung base.")) == set()
    # guard: the spine's chronic change is no lung finding
    assert "Fibrosis" not in names(report("Chronic changes of the thoracic spine.", "No acute disease."))


def test_a_lobulated_paratracheal_stripe_has_its_side() -> None:
    assert "laterality_conflict" in flagged(report(
        "There is a lobulated contour to the left paratracheal stripe, possibly a vessel or a lymph node.",
        "Lobulated contour of the right paratracheal stripe; CT could evaluate further."))


# --- dust disease ---------------------------------------------------------------------------------------------------

def test_the_ilos_small_opacities_are_a_dust_diseases_pattern_not_a_nodule() -> None:
    findings = "Small rounded opacities, primary p, secondary q, profusion 2/1, in both upper zones."
    assert names(report(findings, "x."))["Pneumoconiosis"] == "present"
    assert "Nodule" not in names(report(findings, "x."))
    assert flagged(report(findings, "Simple coal workers' pneumoconiosis, ILO category 2/1 (p/q). "
                                    "No acute chest disease.")) == set()
    assert "negation_conflict" in flagged(report(findings, "No parenchymal abnormality consistent with "
                                                           "pneumoconiosis."))
    # profusion 0/0 is category 0: no small opacities
    assert names(report("No small or large opacities (profusion 0/0).", "x."))["Pneumoconiosis"] == "absent"


def test_a_large_opacity_of_progressive_massive_fibrosis_is_a_mass() -> None:
    findings = ("Small rounded opacities, profusion 2/3. Large opacity in the right mid zone measuring 3.1 cm, ILO "
                "category A, on a background of small rounded opacities.")
    assert "impression_omits_finding" in flagged(report(findings, "Simple silicosis, ILO category 2/3 (q/q)."))
    assert "laterality_conflict" in flagged(report(
        findings, "Left mid zone large opacity, 3.1 cm, in keeping with progressive massive fibrosis."))
    # guard: a large opacity in prose is an opacity, no lesion
    assert "Mass" not in names(report("Large opacity at the left base, likely pneumonia.", "x."))


def test_pleural_plaques_have_a_side_and_can_be_ruled_out() -> None:
    assert "laterality_conflict" in flagged(report("Calcified plaque on the dome of the left hemidiaphragm.",
                                                   "Right pleural plaque, in keeping with asbestos exposure."))
    assert "negation_conflict" in flagged(report("No pleural plaques, diffuse pleural thickening or effusion.",
                                                 "Left pleural plaque, in keeping with asbestos exposure."))


def test_an_angle_obliterated_by_thickened_pleura_holds_no_fluid() -> None:
    findings = ("Diffuse pleural thickening along the left lateral chest wall with obliteration of the left "
                "costophrenic angle.")
    assert "impression_omits_finding" not in flagged(report(findings, "Diffuse pleural thickening on the left, "
                                                                      "likely asbestos related. No acute abnormality."))
    # guard: an obliterated angle alone is fluid
    assert "impression_omits_finding" in flagged(report("Obliteration of the left costophrenic angle with a "
                                                        "meniscus.", "Normal chest."))


def test_a_negated_abnormality_consistent_with_a_finding_rules_out_that_finding_only() -> None:
    # "no <abnormality> consistent with X" rules X out; a finding word before "changes" stays under the plain "no"
    assert flagged(report("No cavitary lesion to suggest active tuberculosis. Large hiatal hernia.",
                          "1. No cavitary lung changes to suggest active tuberculosis.\n2. Hiatal hernia.")) == set()


# --- after the v49-v51 looks: Commonwealth and outpatient lists ----------------------------------------------------

def test_remarks_head_the_conclusion_and_a_report_indicator_is_no_findings_header() -> None:
    text = ("CHEST X-RAY PA\nClinical Information: Chest pain.\nFindings:\nThe lungs are clear. No effusion.\n"
            "Remarks:\nNo acute cardiopulmonary process.\nReport Indicator: Normal\nReported by: Radiologist")
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == "No acute cardiopulmonary process."
    assert flagged(text) == set()
    # an empty findings header beside a bare conclusion is a missing section, whatever label follows the conclusion
    assert "missing_section" in flagged(text.replace("The lungs are clear. No effusion.\n", ""))


@pytest.mark.parametrize("sign_off", ["Panel radiologist: Dr P. Menon", "Radiologist code R-114"])
def test_a_panel_readers_sign_off_is_no_conclusion(sign_off: str) -> None:
    assert "missing_section" in flagged(f"FINDINGS:\nThe lung fields are clear.\nIMPRESSION:\n{sign_off}")


def test_a_possessive_s_ends_no_sentence_early() -> None:
    # "old healed Koch's." is no initial: the sentence after it is read on its own
    assert "negation_conflict" in flagged(report(
        "Large right pleural effusion obscuring the right hemidiaphragm. The left costophrenic angle is clear.",
        "Fibrotic changes in the left upper zone - old healed Koch's. No pleural effusion."))


def test_collapse_of_the_lung_under_a_pneumothorax_is_the_pneumothoraxs_own() -> None:
    assert "impression_omits_finding" not in flagged(report(
        "Left-sided pneumothorax with partial collapse of the underlying lung. No effusion.", "Left pneumothorax."))
    # guard: a lobe's collapse after a negated pneumothorax is its own finding
    assert "impression_omits_finding" in flagged(report(
        "No pneumothorax or pleural effusion, but there is collapse of the left lower lobe.",
        "Normal chest radiograph."))


def test_lungs_of_normal_volume_rule_out_emphysema_but_a_resolution_beside_copd_does_not() -> None:
    assert "negation_conflict" in flagged(report("The lungs are normally expanded. The lungs are clear.",
                                                 "Significant bilateral emphysematous changes."))
    assert flagged(report("Both lungs remain hyperexpanded. A small apical pleural air collection, decreased.",
                          "COPD with almost completely resolved right apical pleural air collection.")) == set()


def test_a_doubled_letter_in_oedema_is_still_oedema() -> None:
    assert "negation_conflict" in flagged(report("Normal cardiac size. No pulmonary oedema.",
                                                 "Mild interstitial pulmonary ooedema."))


def test_a_lobes_collapse_beside_a_pneumothorax_is_its_own_finding() -> None:
    assert "impression_omits_finding" in flagged(report(
        "Left apical pneumothorax, with lower lobe collapse on the same side. Heart normal.", "Pneumothorax, left."))
