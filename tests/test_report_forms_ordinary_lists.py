"""Report forms of the ordinary lists, fixed in the twelfth session: heart failure called "congestive failure", the
pleural spaces said to show no abnormality, and one reading of a lobe's collapse shared by every check.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged, report

# --- vocabulary -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("negated", ["No evidence of congestive failure.", "No congestive cardiac failure."])
def test_congestive_failure_ruled_out_contradicts_oedema(negated: str) -> None:
    assert "negation_conflict" in flagged(report("Interstitial oedema with Kerley B lines and upper lobe diversion.",
                                                 negated))
    # guard: with no oedema in the findings they agree
    assert flagged(report("Heart size normal. Lungs clear.", negated)) == set()


def test_congestive_failure_affirmed_is_oedema_against_clear_lungs() -> None:
    assert "negation_conflict" in flagged(report("Heart size normal. Lungs clear.", "Congestive failure."))
    # guard: "respiratory failure" names no finding on the film
    assert flagged(report("Heart size normal. Lungs clear.", "No acute abnormality. History of respiratory failure."
                          )) == set()


@pytest.mark.parametrize("normal", ["The pleural spaces show no acute abnormality.",
                                    "Pleural spaces demonstrate no abnormality."])
def test_pleural_spaces_showing_no_abnormality_rule_out_an_effusion(normal: str) -> None:
    assert "negation_conflict" in flagged(report("Moderate left pleural effusion. Heart normal.", normal))
    # guard: no effusion in the findings, no conflict
    assert flagged(report("Heart normal. Lungs clear. No effusion.", normal)) == set()


# --- a lobe's collapse, one reading for every check ------------------------------------------------------------------


@pytest.mark.parametrize("collapse", ["The right lower lobe is collapsed, with mild elevation of the right "
                                      "hemidiaphragm.", "Collapsed right lower lobe with minor shift."])
def test_a_lobe_called_collapsed_is_no_minor_atelectasis_beside_clear_lungs(collapse: str) -> None:
    # a "mild" in the sentence does not make a collapsed lobe the plate atelectasis real reports set beside clear lungs
    assert "negation_conflict" in flagged(report(collapse, "The lungs are clear."))
    assert "negation_conflict" in flagged(report("The lungs are clear.", collapse))
    # guard: findings that call the lungs clear beside the impression's streak of atelectasis stay unflagged
    assert "negation_conflict" not in flagged(report("The lungs are clear.",
                                                     "Mild plate-like atelectasis at the right base."))


def test_a_collapse_named_by_its_sign_is_not_the_streak_on_the_other_side() -> None:
    # the luftsichel names a left upper lobe's collapse; the right basal streak does not place it on the right
    assert "laterality_conflict" in flagged(report(
        "Luftsichel sign in keeping with left upper lobe collapse. Minor right basal atelectasis.",
        "Right upper lobe collapse."))
    assert "laterality_conflict" not in flagged(report(
        "Luftsichel sign in keeping with left upper lobe collapse. Minor right basal atelectasis.",
        "Left upper lobe collapse."))


# --- the v52-v54 looks: sign-offs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", [
    "C. Doyle, Consultant Reporting Radiographer",
    "L. Murray, Advanced Practitioner (Reporting Radiographer)",
    "Dr K. Iqbal, ST2 Radiology Registrar",
    "JOSE R. MENDOZA, MD, DPBR\nRadiologist",
    "John Smith, MD",
    "Dr. Priya Menon",
    "Dr. ___",
    "Radiologist",
])
def test_a_conclusion_heading_with_only_the_sign_off_under_it_is_empty(signature: str) -> None:
    text = f"Findings: Heart normal. Lungs clear.\nConclusion:\n{signature}\n"
    assert "missing_section" in flagged(text)
    # guard: with a conclusion above the sign-off, the report is complete
    assert flagged(f"Findings: Heart normal. Lungs clear.\nConclusion: Normal chest.\n{signature}\n") == set()


@pytest.mark.parametrize("line", ["Discussed with John Smith, MD.", "Dr. Smith notified of the findings."])
def test_a_line_that_names_a_doctor_it_was_discussed_with_is_no_sign_off(line: str) -> None:
    parsed = parse_report(f"Findings: Heart normal. Lungs clear.\nConclusion: Normal chest.\n{line}\n")
    assert parsed.sections["IMPRESSION"].endswith(line) and parsed.footer == ""


# --- omissions ------------------------------------------------------------------------------------------------------


def test_a_new_placed_opacity_left_out_of_the_impression_is_an_omission() -> None:
    findings = "Low lung volumes. Heart size normal. There has been interval development of bibasilar opacities."
    assert "impression_omits_finding" in flagged(report(findings, "Low lung volumes."))
    assert "impression_omits_finding" in flagged(report(findings, "No acute disease."))
    # guard: a bare opacity neither new nor described as a lesion stays too vague to be missed
    assert "impression_omits_finding" not in flagged(report("Heart size normal. Bibasilar opacities.",
                                                            "No acute disease."))


def test_a_cavity_left_out_of_an_impression_that_lists_other_findings_is_an_omission() -> None:
    findings = "Patchy opacities with a thin-walled cavity in the left upper zone. Cardiomegaly (CTR 0.58)."
    assert "impression_omits_finding" in flagged(report(findings, "Cardiomegaly."))
    # guard: a small nodule left out of such an impression is not
    assert "impression_omits_finding" not in flagged(report("A 4 mm nodule in the left upper zone. Cardiomegaly.",
                                                            "Cardiomegaly."))


def test_an_impression_that_rules_oedema_out_does_not_summarise_airspace_disease_as_oedema() -> None:
    assert "impression_omits_finding" in flagged(report(
        "Heart size is enlarged. There is alveolar airspace disease in the medial right lung base.",
        "Cardiomegaly without pulmonary edema."))
    # guard: an impression that names the oedema summarises a diffuse airspace pattern
    assert "impression_omits_finding" not in flagged(report(
        "Heart size is enlarged. Diffuse bilateral airspace disease.", "Cardiomegaly with pulmonary edema."))


def test_opacities_read_as_congestion_are_summarised_by_the_impressions_oedema() -> None:
    findings = ("Bilateral perihilar alveolar opacities with upper lobe venous distension, in keeping with pulmonary "
                "congestion. No pleural effusion.")
    assert flagged(report(findings, "Pulmonary oedema, likely cardiogenic.")) == set()
    # guard: left out of an impression that names something else, they are omitted
    assert "impression_omits_finding" in flagged(report(findings, "Thoracic spondylosis."))


# --- negations ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["Moderate", "Large"])
def test_no_significant_effusion_against_a_moderate_or_large_one_is_a_negation_conflict(size: str) -> None:
    findings = "The lungs are clear. No significant pleural effusion. No pneumothorax."
    assert "negation_conflict" in flagged(report(findings, f"{size} left pleural effusion."))


@pytest.mark.parametrize("impression", ["Small right pleural effusion.", "Right pleural effusion."])
def test_no_significant_effusion_allows_a_small_or_ungraded_one(impression: str) -> None:
    findings = "The lungs are clear. No significant pleural effusion. No pneumothorax."
    assert "negation_conflict" not in flagged(report(findings, impression))


def test_an_unremarkable_outline_beside_an_enlarged_heart_does_not_unsay_it() -> None:
    findings = "No pneumothorax or effusion. Mild cardiomegaly. Cardiomediastinal silhouette unremarkable."
    assert "negation_conflict" in flagged(report(findings, "Heart size is normal."))
    # guard: against an impression that speaks of the outline too, the findings' own mix stands
    assert "negation_conflict" not in flagged(report(findings, "Normal cardiomediastinal silhouette."))


@pytest.mark.parametrize("normal", ["The costophrenic sulci are intact.", "Both CP angles are intact."])
def test_intact_costophrenic_angles_rule_out_an_effusion(normal: str) -> None:
    assert "negation_conflict" in flagged(report(f"{normal} Heart normal.", "Small right pleural effusion."))


def test_no_active_lung_lesion_calls_the_lungs_clear() -> None:
    # ("No active pulmonary disease." stays a statement of no acute disease, beside a calcified granuloma)
    assert "negation_conflict" in flagged(report("No active lung lesion is seen. Heart normal.",
                                                 "Consolidation in the right lung."))
    assert flagged(report("No active lung lesion is seen. Heart normal.", "Normal chest.")) == set()
    assert flagged(report("There is a calcified density in the left mid lung, most likely a calcified granuloma. "
                          "Lungs are otherwise clear.", "No active pulmonary disease.")) == set()


# --- tuberculosis, as screening lists write it ----------------------------------------------------------------------


@pytest.mark.parametrize("impression", [
    "PTB, right upper lobe, probably inactive (old healed).",
    "Fibrocalcific changes in the right upper zone, likely old healed tuberculosis.",
    "Findings suggestive of active pulmonary tuberculosis, right upper lobe.",
])
def test_tuberculosis_placed_on_the_other_side_from_the_findings_is_a_side_conflict(impression: str) -> None:
    findings = "Fibrotic strands and calcific densities are seen in the left upper zone. Heart normal."
    assert "laterality_conflict" in flagged(report(findings, impression))
    # guard: on the findings' own side they agree
    assert "laterality_conflict" not in flagged(report(findings, impression.replace("right", "left")))


def test_tb_screening_names_no_finding() -> None:
    assert flagged(report("Lungs clear. Heart normal.", "Normal chest. Fit for TB screening purposes on the right "
                          "clinic list.")) == set()


# --- the v55-v57 looks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", [
    "P. Jansen, radioloog",
    "Dr. S. Hansen",
    "Mikko Virtanen, consultant",
    "Dr. M. Schneider, Oberarzt",
    "Dr. med. Katrin Weber",
    "Dr P. Ssempijja (Senior House Officer, Radiology)\nVerified by: Dr J. K. Mwangi",
    "Dr P. Ssempijja, Senior House Officer, Radiology",
    "Dr A. O. Adeyemi\nConsultant Radiologist",
])
def test_sign_offs_of_european_and_african_readers_end_the_report(signature: str) -> None:
    assert "missing_section" in flagged(f"Findings: Heart normal. Lungs clear.\nConclusion:\n{signature}\n")
    assert flagged(f"Findings: Heart normal. Lungs clear.\nConclusion: Normal chest.\n{signature}\n") == set()


@pytest.mark.parametrize("line", ["Needs review by the consultant.", "Lungs clear per consultant.",
                                  "Please discuss with consultant."])
def test_a_bare_consultant_in_a_sentence_is_no_sign_off(line: str) -> None:
    parsed = parse_report(f"Findings: Heart normal. Lungs clear.\nConclusion: Normal chest.\n{line}\n")
    assert parsed.sections["IMPRESSION"].endswith(line) and parsed.footer == ""


def test_a_clinical_question_is_the_indication_not_the_findings() -> None:
    text = ("Chest X-ray PA and lateral.\nQuestion: Infiltrate?\nComparison: 17.07.2023\n"
            "Conclusion: No acute findings.\n")
    parsed = parse_report(text)
    assert parsed.sections["INDICATION"] == "Infiltrate?" and "FINDINGS" not in parsed.sections
    assert "missing_section" in flagged(text) and "impression_omits_finding" not in flagged(text)


def test_dystelectasis_is_atelectasis() -> None:
    assert "negation_conflict" in flagged(report("Hyperinflated lungs. Some dystelectasis left basally.",
                                                 "No atelectasis."))
    assert "laterality_conflict" in flagged(report("Some dystelectasis right basally. No pleural fluid.",
                                                   "Dystelectasis left basally."))


def test_no_congestion_rules_out_oedema() -> None:
    assert "negation_conflict" in flagged(report(
        "Normal heart size. Interstitial oedema with Kerley B lines and perihilar haziness.", "No congestion."))
    # guard: a history's congestion is no finding
    assert flagged("History: nasal congestion.\nFindings: Normal heart size. Lungs clear.\nConclusion: Normal chest."
                   ) == set()


def test_a_finding_not_seen_on_a_dated_earlier_film_is_affirmed() -> None:
    findings = "Normal heart size. New 16 mm nodule in the left upper zone, not seen on 08.04.2023. No pleural fluid."
    assert "impression_omits_finding" in flagged(report(findings, "No acute cardiopulmonary findings."))
    assert "negation_conflict" not in flagged(report(findings, "16 mm nodule in the left upper lobe, CT recommended."))
    assert "laterality_conflict" in flagged(report(findings, "Nodule in the right upper lobe (16 mm)."))


def test_an_ellipsis_where_a_measurement_belongs_is_a_placeholder() -> None:
    assert "placeholder" in flagged(report("Left apical pneumothorax with a rim of ... cm.", "Left pneumothorax."))
    # guard: an ellipsis between two measurements is a range, and one after a value a trailing off
    assert "placeholder" not in flagged(report("Multiple nodules (5 mm ... 12 mm).", "Multiple nodules."))
    assert "placeholder" not in flagged(report("Nodule measuring 1.5 cm... stable.", "Stable nodule."))


def test_lobar_atelectasis_is_a_collapsed_lobe_to_summarise() -> None:
    findings = ("Volume loss and homogeneous density in the right lower lobe, compatible with lobar atelectasis. CVC "
                "from the right with tip over the SVC.")
    assert "impression_omits_finding" in flagged(report(findings, "CVC from the right in correct position."))
    # guard: a lower lobe's atelectasis, not called lobar, stays a minor finding
    assert "impression_omits_finding" not in flagged(report(
        "Right lower lobe atelectasis. CVC from the right with tip over the SVC.",
        "CVC from the right in correct position."))


def test_active_ptb_in_the_impression_names_the_consolidation_and_cavity() -> None:
    findings = "Patchy consolidation with cavitation and fibronodular opacities in the left upper zone."
    assert "impression_omits_finding" not in flagged(report(findings, "Left upper zone cavitary lesion, in keeping "
                                                                      "with active PTB."))
    # guard: old tuberculosis named does not
    assert "impression_omits_finding" in flagged(report(findings, "History of old PTB. Cardiomegaly."))


def test_pcp_in_the_impression_names_the_ground_glass() -> None:
    findings = "Bilateral perihilar ground-glass opacities sparing the apices."
    assert "impression_omits_finding" not in flagged(report(findings, "Diffuse interstitial pattern; PCP is a "
                                                                      "consideration."))
    assert "impression_omits_finding" in flagged(report(findings, "Cardiomegaly."))


# --- the v58-v60 looks ----------------------------------------------------------------------------------------------


def test_interval_clearance_of_a_finding_is_its_resolution() -> None:
    findings = "Interval clearance of the left upper zone consolidation. Normal cardiac size. No pneumothorax."
    assert flagged(report(findings, "Resolved left sided pneumonia. No follow-up required.")) == set()
    # guard: consolidation not cleared against the same impression is a negation conflict
    assert "negation_conflict" in flagged(report("Left upper zone consolidation. Normal cardiac size.",
                                                 "Resolved left sided pneumonia."))


def test_ards_in_the_impression_names_the_airspace_disease() -> None:
    findings = "ETT 4 cm above the carina. Dense bilateral perihilar and basal airspace disease, slightly worse."
    assert "impression_omits_finding" not in flagged(report(findings, "Lines in position. Slightly worse ARDS."))
    assert "impression_omits_finding" in flagged(report(findings, "Lines in position."))


def test_a_new_opacity_beside_effusions_is_theirs() -> None:
    findings = "Right PICC tip in the lower SVC. Bilateral small pleural effusions with basal opacity, new."
    assert "impression_omits_finding" not in flagged(report(findings, "New small bilateral pleural effusions. PICC "
                                                                      "in satisfactory position."))


def test_no_collapse_beside_minor_atelectasis_is_no_conflict() -> None:
    findings = "Moderate right pleural effusion with some associated basal atelectasis. No consolidation or collapse."
    assert "negation_conflict" not in flagged(report(findings, "Right pleural effusion. Minor right basal "
                                                               "atelectasis."))
    # guard: a lobe's collapse in the impression still contradicts it
    assert "negation_conflict" in flagged(report("Heart normal. No consolidation or collapse.",
                                                 "Right lower lobe collapse."))


def test_a_consolidation_on_one_side_is_not_summarised_by_oedema() -> None:
    findings = ("Upper lobe venous diversion, Kerley B lines and moderate interstitial oedema. Patchy airspace "
                "consolidation at the right base.")
    assert "impression_omits_finding" in flagged(report(findings, "Moderate cardiogenic pulmonary oedema."))
    # guard: a diffuse airspace pattern is the oedema's
    assert "impression_omits_finding" not in flagged(report(
        "Upper lobe venous diversion and Kerley B lines. Bilateral perihilar airspace opacities.",
        "Moderate cardiogenic pulmonary oedema."))


def test_a_bulky_hilum_and_a_hilar_mass_are_compared_by_side() -> None:
    assert "laterality_conflict" in flagged(report("Bulky right hilar opacity. Heart normal. Lungs clear.",
                                                   "Left hilar mass, suspicious for malignancy."))
    assert "laterality_conflict" not in flagged(report("Bulky left hilar opacity. Heart normal. Lungs clear.",
                                                       "Left hilar mass, suspicious for malignancy."))


def test_air_trapping_is_compared_by_side() -> None:
    findings = ("Inspiratory and expiratory views. The left lung remains hyperlucent on the expiratory image, with "
                "mediastinal shift to the right.")
    assert "laterality_conflict" in flagged(report(findings, "Right-sided air trapping, suspicious for an inhaled "
                                                             "foreign body."))
    assert flagged(report(findings, "Left-sided air trapping, suspicious for an inhaled foreign body.")) == set()


def test_a_rounded_opacity_called_a_round_pneumonia_takes_its_side() -> None:
    findings = "There is a rounded opacity in the right lower lobe measuring 2.8 cm, with ill-defined margins."
    assert "laterality_conflict" in flagged(report(findings, "Round pneumonia in the left lower lobe."))
    assert flagged(report(findings, "Round pneumonia in the right lower lobe.")) == set()
    # guard: beside a nodule the impression names, a pneumonia elsewhere is another finding
    assert "laterality_conflict" not in flagged(report(
        "Rounded opacity in the right upper lobe measuring 2 cm. Left lower lobe consolidation.",
        "Left lower lobe pneumonia. Right upper lobe nodule, CT advised."))


# --- the v61-v63 looks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["Cardiac size: normal / enlarged.", "CP angles: clear / blunted."])
def test_a_normal_and_an_abnormal_state_side_by_side_is_a_choice_left_unmade(choice: str) -> None:
    assert "placeholder" in flagged(report(f"Both lung fields are clear. {choice}", "Normal study."))
    # guard: the words apart are prose
    assert "placeholder" not in flagged(report("Cardiac size is normal. The left CP angle is blunted.",
                                               "Blunted left CP angle."))


def test_sol_is_a_mass() -> None:
    findings = "A soft tissue density nodule of about 14 mm is seen in the left mid zone. Cardiac size is normal."
    assert "impression_omits_finding" not in flagged(report(findings, "Left mid zone SOL. CT correlation advised."))
    assert "laterality_conflict" in flagged(report(findings, "Right mid zone SOL. CT correlation advised."))


def test_a_hemithorax_devoid_of_lung_markings_negates_nothing_after_it() -> None:
    findings = "Hyperlucent right hemithorax devoid of lung markings with a visible pleural line. Heart normal."
    assert "negation_conflict" not in flagged(report(findings, "Right pneumothorax."))
    assert "impression_omits_finding" in flagged(report(findings, "Mild cardiomegaly."))


def test_the_collapsed_lung_of_a_pneumothorax_is_its_own() -> None:
    findings = "A left sided pneumothorax is seen with visible collapsed lung margin. Right lung is clear."
    assert "impression_omits_finding" not in flagged(report(findings, "Left sided pneumothorax."))


def test_upper_lobe_vessels_do_not_make_perihilar_opacities_lobar() -> None:
    findings = "Prominent upper lobe vessels with bilateral perihilar alveolar opacities (bat-wing). Heart normal."
    assert "impression_omits_finding" not in flagged(report(findings, "Features suggestive of pulmonary oedema."))


def test_a_non_homogeneous_opacity_is_a_consolidation_to_summarise() -> None:
    findings = "Non-homogeneous opacity is noted in the right mid and lower zones. CTR is within normal limits."
    assert "impression_omits_finding" in flagged(report(findings, "No significant abnormality detected."))
    assert "impression_omits_finding" in flagged(report(findings + " Cardiomegaly.", "Cardiomegaly."))
    assert "impression_omits_finding" not in flagged(report(findings, "Right mid and lower zone consolidation."))
