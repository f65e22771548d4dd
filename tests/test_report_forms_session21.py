"""Report forms fixed in the twenty-first session.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report
from tests.fixtures.report_forms import flagged, report

# --- sign-offs: an undotted initial before "MD", a masked name, a council's registration number -----------------------


@pytest.mark.parametrize("signature", [
    "H Tan, MD\nElectronically signed 9/5/2024 09:05",
    "Dr G Morrison ST4 Radiology / Verified by Dr F Brennan, Consultant",
    "___, MD\nElectronically signed 10/7/2022 17:05",
    "Dr ___ ST4 Radiology / Verified by Dr P Lindqvist, Consultant",
    "Dr M. Fernandes GMC 5251656",
    # (round 45: how a post is held, and a reporting radiographer's long line)
    "Dr Gareth Lewis, Visiting Consultant Radiologist",
    "Dr Sarah Whitfield, Locum Consultant Radiologist. GMC 7123456",
    "Reported by Dr Ciaran O'Donnell, Consultant Reporting Radiographer, on behalf of the teleradiology service. "
    "Please contact the reporting service if urgent discussion is required.",
    "Dr H. Davies (StR Radiology) / verified Dr P. Venkatesan, Consultant",
])
def test_a_sign_off_alone_under_the_impression_header_leaves_it_empty(signature: str) -> None:
    findings = "Heart size is normal. Both lungs are clear. No pleural effusion."
    assert "missing_section" in flagged(f"FINDINGS:\n{findings}\n\nIMPRESSION:\n{signature}\n")
    assert flagged(f"FINDINGS:\n{findings}\n\nIMPRESSION:\nNormal chest radiograph.\n\n{signature}\n") == set()


def test_a_single_capital_before_a_sentence_is_no_signature() -> None:
    # an undotted initial opens a name only in capitals: "A small left effusion, MD" is not a reader's line
    text = "FINDINGS:\nA small left effusion.\n\nIMPRESSION:\nA Left effusion, small.\n"
    assert "missing_section" not in flagged(text)


# --- the prior study named as what a finding is compared with ---------------------------------------------------------


@pytest.mark.parametrize("findings", [
    "The superior mediastinum is widened compared with the previous film.",
    "The superior mediastinum is widened following the attempted right subclavian line, new since the prior study.",
])
def test_a_finding_compared_with_the_prior_study_is_not_called_chronic(findings: str) -> None:
    text = report(f"{findings} Heart size normal. Free gas beneath the right hemidiaphragm.",
                  "1. Free subdiaphragmatic gas; discussed with the surgical team. 2. No pneumothorax.")
    assert "impression_omits_finding" in flagged(text)
    # (a finding the same as on the prior study is still chronic, and may be left out)
    stable = text.replace(findings, "The superior mediastinum is widened, unchanged from the prior study.")
    assert "impression_omits_finding" not in flagged(stable)


def test_a_nodule_not_definitively_calcified_is_not_called_chronic() -> None:
    findings = "In the left lung base, there is a 9 mm nodule that is not definitively calcified."
    assert "impression_omits_finding" in flagged(report(findings, "NAD."))
    assert "impression_omits_finding" not in flagged(report(findings.replace("not definitively calcified",
                                                                            "densely calcified"), "NAD."))


@pytest.mark.parametrize("findings", [
    "A 14 mm nodule in the right upper zone, not present on the film of 28/02/2024.",
    "There is a 1 cm nodular density in the right midlung which does not appear to be present on the prior study.",
])
def test_a_finding_absent_from_an_earlier_film_is_present_now(findings: str) -> None:
    assert "negation_conflict" not in flagged(report(findings, "Right lung nodule; CT advised."))
    assert "impression_omits_finding" in flagged(report(findings, "Sarcoidosis, stable."))


# --- an airspace finding beside atelectasis the findings name apart -----------------------------------------------


def test_an_airspace_finding_is_not_summarised_by_the_atelectasis_named_apart() -> None:
    findings = ("Bibasal subsegmental atelectasis related to low lung volumes. Airspace opacification at the left base "
                "with air bronchograms. No effusion.")
    assert "impression_omits_finding" in flagged(report(findings, "Bibasal atelectasis."))
    # (an opacity its own sentence calls atelectasis is the impression's atelectasis)
    said_so = "Airspace opacification at the left base, likely atelectasis. No effusion."
    assert "impression_omits_finding" not in flagged(report(said_so, "Left basal atelectasis."))


# --- a central line by the vein cannulated ----------------------------------------------------------------------------


def test_a_subclavian_cannulation_has_the_lines_side() -> None:
    findings = "Widening of the superior mediastinum after right subclavian line insertion."
    assert "laterality_conflict" in flagged(report(
        findings, "Widened superior mediastinum following left subclavian cannulation; CT advised."))
    assert "laterality_conflict" not in flagged(report(
        findings, "Widened superior mediastinum following right subclavian cannulation; CT advised."))


def test_a_dialysis_line_by_any_of_its_names_is_one_kind() -> None:
    # a "tunnel line" is the renal unit's line, compared with the dialysis catheter the other section names
    findings = "Right internal jugular tunnel line with its tip in the right atrium. Lungs clear."
    assert "laterality_conflict" in flagged(report(findings, "Left dialysis catheter in satisfactory position."))
    assert "laterality_conflict" not in flagged(report(findings, "Right dialysis catheter in satisfactory position."))
    # (two kinds of line are still not compared: a right jugular line and a left PICC)
    assert "laterality_conflict" not in flagged(report("Right internal jugular line, tip in the SVC.",
                                                       "Left PICC in satisfactory position."))


# --- a raised hemidiaphragm ruled out by its position ----------------------------------------------------------------


@pytest.mark.parametrize("normal", [
    "Both hemidiaphragms are normally sited.",
    "The hemidiaphragms are normal in position.",
    "Normal position of the hemidiaphragms.",
])
def test_hemidiaphragms_where_they_belong_rule_out_a_raised_one(normal: str) -> None:
    assert "negation_conflict" in flagged(report(f"Lungs clear. {normal}",
                                                 "Bilateral diaphragmatic elevation, consistent with weakness."))
    assert "negation_conflict" in flagged(report("The right hemidiaphragm is elevated, ?phrenic nerve palsy.",
                                                 normal))
    assert flagged(report(f"Lungs clear. {normal}", "Normal chest radiograph.")) == set()


def test_one_hemidiaphragm_raised_and_the_other_normal_is_no_contradiction() -> None:
    text = report("The right hemidiaphragm is elevated. Normal left hemidiaphragm.", "Raised right hemidiaphragm.")
    assert flagged(text) == set()


# --- "appearances suggest" concludes --------------------------------------------------------------------------------


def test_appearances_suggest_is_a_conclusion_against_clear_lungs() -> None:
    findings = "The lungs are clear. No focal consolidation."
    assert "negation_conflict" in flagged(report(findings, "Appearances suggest aspiration into the right lower lobe."))
    # (a bare "suggesting" still hedges)
    assert "negation_conflict" not in flagged(report(findings, "Cough, suggesting early infection; no consolidation."))


# --- aspiration the procedure, not the pneumonia ----------------------------------------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Lungs clear. Small right apical pneumothorax measuring 2 cm, following thoracentesis.",
     "Right apical pneumothorax post aspiration. Discussed with the registrar."),
    ("Right apical pneumothorax (3 cm), new since the pre-aspiration film. No consolidation.",
     "Right pneumothorax (3 cm). Discussed with the team."),
])
def test_a_pleural_aspiration_is_no_pneumonia(findings: str, impression: str) -> None:
    kinds = flagged(report(findings, impression))
    assert "negation_conflict" not in kinds and "impression_omits_finding" not in kinds
    # (aspiration named as the lungs' is still a pneumonia)
    assert "negation_conflict" in flagged(report("Lungs clear.", "Aspiration pneumonia in the right lower lobe."))


# --- what a finding is read as, when the impression names the finding -------------------------------------------


def test_a_findings_cause_need_not_be_repeated_beside_it() -> None:
    findings = "The heart is not enlarged. New collapse of the left lower lobe, likely mucus plugging."
    assert "impression_omits_finding" not in flagged(report(findings, "1. Left lower lobe collapse."))
    # (the collapse itself left out is still an omission)
    assert "impression_omits_finding" in flagged(report(findings, "1. Heart not enlarged. 2. No effusion."))


# --- a lobar opacity beside a normal impression -----------------------------------------------------------------------


@pytest.mark.parametrize("impression", ["Normal chest.", "No active disease.",
                                        "No significant abnormality demonstrated.", "Satisfactory appearances.",
                                        "Unremarkable appearances."])
def test_an_opacity_in_one_lobe_is_not_left_out_of_a_normal_impression(impression: str) -> None:
    findings = "There is a right upper lobe opacity. Cardiomediastinal silhouette is normal."
    assert "impression_omits_finding" in flagged(report(findings, impression))


@pytest.mark.parametrize("findings", [
    "Streaky opacity in the left lower lobe.",
    "Opacity in the right lower lobe, likely atelectasis.",
    "Bilateral lower lobe opacities with small effusions.",
])
def test_streaks_read_opacities_and_unlobed_ones_stay_out_of_a_normal_impression(findings: str) -> None:
    issues = [i for i in check_report(report(findings, "No active disease.")) if i.kind == "impression_omits_finding"]
    assert all(i.severity == "info" for i in issues)


# --- a blank where the organ's state belongs ------------------------------------------------------------------------


@pytest.mark.parametrize("findings", [
    "Heart size ___, stable mediastinal and hilar contours. No pleural effusion.",
    "The previous right basal consolidation has resolved. Remainder of the lungs ___.",
])
def test_a_blank_after_the_organ_is_a_field_to_fill(findings: str) -> None:
    assert "placeholder" in flagged("HISTORY: ___-year-old man.\n\n" + report(findings, "No acute findings."))


def test_an_aspiration_being_considered_is_the_pleural_procedure() -> None:
    findings = ("Volume loss and increased density at the left base, in keeping with left lower lobe collapse. Large "
                "right pleural effusion.")
    impression = "1. Large right pleural effusion. Ultrasound advised if aspiration is considered."
    # the collapse is left out; no pneumonia in the impression speaks for it
    assert "impression_omits_finding" in flagged(report(findings, impression))


# --- an impression that speaks for the course, beside a finding called new later in its sentence ---------------------


def test_no_interval_change_cannot_speak_for_a_finding_called_new_later_in_its_sentence() -> None:
    findings = ("Ill-defined alveolar opacity in the left mid zone suggestive of pneumonic consolidation, new since "
                "the previous study. The rest of the lung fields are clear.")
    issues = [i for i in check_report(report(findings, "No significant interval change."))
              if i.kind == "impression_omits_finding"]
    assert [i.severity for i in issues] == ["warning"]
    # (an unchanged one it speaks for: info)
    unchanged = findings.replace(", new since the previous study", ", unchanged from the previous study")
    assert all(i.severity == "info" for i in check_report(report(unchanged, "No significant interval change."))
               if i.kind == "impression_omits_finding")


# --- a mass in the mediastinum against a mediastinum called normal ----------------------------------------------------


@pytest.mark.parametrize("mass", ["Smooth left-sided anterior mediastinal mass measuring approximately 7 cm.",
                                  "Lobulated soft tissue mass projecting over the right superior mediastinum."])
def test_a_mediastinal_mass_is_not_a_normal_mediastinum(mass: str) -> None:
    assert "negation_conflict" in flagged(report(f"Lungs clear. {mass}",
                                                 "Lines satisfactory. Normal mediastinal contours."))
    # (a lung mass is not the mediastinum's; a report that names both in one section is a mixed picture)
    assert "negation_conflict" not in flagged(report("4 cm mass in the right upper lobe. Normal mediastinal contours.",
                                                     "Right upper lobe mass."))
    assert "negation_conflict" not in flagged(report(f"{mass} Normal mediastinal width.",
                                                     "Anterior mediastinal mass, ?thymoma."))


# --- round 45: interstitial lung disease, effusions of the overload, a mediastinum wider than before ------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("The lungs are clear. No pleural effusion.", "Bibasal reticular shadowing consistent with interstitial lung "
                                                  "disease; HRCT advised."),
    ("Heart size is normal. Subpleural reticulation in both lower zones. No effusion.", "The lungs are clear."),
    ("Fine basal reticulation, in keeping with RA-ILD. No effusion.", "No evidence of interstitial lung disease."),
])
def test_interstitial_lung_disease_against_clear_lungs_or_its_own_denial(findings: str, impression: str) -> None:
    assert "negation_conflict" in flagged(report(findings, impression))
    # (named in both sections, or with the lungs clear only otherwise, it agrees)
    assert flagged(report("Fine basal reticulation, in keeping with RA-ILD. Lungs otherwise clear.",
                          "Stable RA-ILD.")) == set()


def test_small_effusions_attached_to_the_congestion_are_the_overloads() -> None:
    findings = "Pulmonary venous congestion with small bilateral effusions, new since the pre-operative film."
    impression = "Pulmonary venous congestion, new; fluid overload likely."
    assert "impression_omits_finding" not in flagged(report(findings, impression))
    # (moderate ones, or small ones on their own, new, are still to name)
    assert "impression_omits_finding" in flagged(report(findings.replace("small", "moderate"), impression))
    assert "impression_omits_finding" in flagged(report(
        "Small bilateral effusions, new since the pre-operative film. Pulmonary venous congestion.",
        "Pulmonary venous congestion, new."))


def test_a_mediastinum_wider_than_before_is_widened() -> None:
    findings = "Cardiac size within normal limits. The mediastinum is wider than on the pre-operative film."
    assert "impression_omits_finding" in flagged(report(findings, "Small left effusion."))
    assert flagged(report("The mediastinum is no wider than on the pre-operative film.", "Normal chest.")) == set()


def test_interstitial_lung_disease_called_progressing_is_to_summarise() -> None:
    findings = "Increased reticular shadowing in both lower zones compared with the previous film. Mild cardiomegaly."
    assert "impression_omits_finding" in flagged(report(findings, "No acute abnormality."))
    assert "impression_omits_finding" in flagged(report(findings, "Mild cardiomegaly."))
    # (stable, it is chronic, and a normal impression may leave it)
    assert "impression_omits_finding" not in flagged(report("Stable bibasal reticular shadowing.",
                                                            "No acute abnormality."))


@pytest.mark.parametrize("impression", ["Progression of basal fibrotic change.",
                                        "Progression of basal interstitial change since the previous film; HRCT "
                                        "advised."])
def test_an_impression_names_interstitial_disease_by_its_kind(impression: str) -> None:
    findings = "Progression of the bibasal subpleural reticulation since the previous study. No effusion."
    assert "impression_omits_finding" not in flagged(report(findings, impression))


def test_interstitial_change_ruled_out_in_the_impression_does_not_name_it() -> None:
    findings = "Increased reticular shadowing in both lower zones compared with the previous film. Mild cardiomegaly."
    assert "impression_omits_finding" in flagged(report(findings, "Mild cardiomegaly; no interstitial change."))


def test_increased_mediastinal_width_names_the_widened_mediastinum() -> None:
    findings = "The heart is not enlarged. The mediastinum is wider than on the pre-operative film."
    assert "impression_omits_finding" not in flagged(report(
        findings, "Increased mediastinal width since surgery; ?haematoma. CT if concern."))
