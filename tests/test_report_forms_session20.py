"""Report forms fixed in the twentieth session.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged, report

# --- a lesion measured in two dimensions, and a rounded "soft tissue" opacity ---------------------------------------


@pytest.mark.parametrize("lesion", [
    "A well-defined rounded soft tissue opacity measuring approximately 4.2 x 2.8 cm in the left mid zone.",
    "An opacity measuring 3.5 x 2 cm is projected over the left mid zone.",
    "A 4.2 x 3.9 cm soft tissue density in the left mid zone.",
])
def test_a_measured_or_rounded_soft_tissue_opacity_is_a_lesion(lesion: str) -> None:
    findings = f"{lesion} Both costophrenic angles are sharp. Heart size normal."
    assert "laterality_conflict" in flagged(report(findings, "Right mid zone lesion; CT thorax advised."))
    assert "impression_omits_finding" in flagged(report(findings, "Normal chest radiograph."))


def test_a_two_dimension_soft_tissue_lesion_is_not_ruled_out_by_no_focal_lesion() -> None:
    findings = "A rounded soft tissue opacity measuring 3.9 x 3.1 cm in the right lower zone."
    assert "negation_conflict" in flagged(report(findings, "No focal lung lesion."))
    # (the soft tissues of the chest wall are still no lung lesion)
    assert "negation_conflict" not in flagged(report("Soft tissue swelling over the left chest wall.",
                                                     "No focal lung lesion."))


def test_a_small_measured_opacity_stays_a_bare_opacity() -> None:
    # under a centimetre, a measured opacity may be bone or overlap: no lesion the impression must name
    findings = "A 0.4 x 0.3 cm opacity projected over the right 6th rib. Lungs otherwise clear."
    assert flagged(report(findings, "No acute cardiopulmonary abnormality.")) == set()


# --- a calcified nodule is the granuloma ------------------------------------------------------------------------------


def test_a_calcified_nodule_has_the_granulomas_side() -> None:
    findings = "Tiny calcified nodule in the left upper zone, benign. Lungs otherwise clear."
    assert "laterality_conflict" in flagged(report(findings, "Right upper zone calcified granuloma."))
    assert flagged(report(findings, "Left upper zone calcified granuloma.")) == set()


@pytest.mark.parametrize("nodule", ["A 9 mm non-calcified nodule", "A 9 mm non calcified nodule"])
def test_a_non_calcified_nodule_does_not_lend_the_granuloma_its_side(nodule: str) -> None:
    findings = f"{nodule} in the left upper zone. Calcified granuloma in the right lower zone."
    assert flagged(report(findings, "Left upper zone nodule; CT advised. Right calcified granuloma.")) == set()
    # (while a calcified one, in the same words, does)
    assert "laterality_conflict" in flagged(report(findings.replace(nodule, "A 4 mm calcified nodule").replace(
        " Calcified granuloma in the right lower zone.", ""), "Right upper zone calcified granuloma."))


# --- the bony cage ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bones", ["Bony cage appears intact.", "The bony thoracic cage is intact.",
                                   "Thoracic cage is intact."])
def test_a_bony_cage_called_intact_rules_out_a_fracture(bones: str) -> None:
    findings = f"The lungs are clear. {bones}"
    assert "negation_conflict" in flagged(report(findings, "Fracture of the left 7th rib."))
    assert flagged(report(findings, "Normal chest radiograph.")) == set()


# --- after abdominal surgery: a subphrenic collection and an abdominal drain have sides ------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Air-fluid level beneath the right hemidiaphragm, separate from the gastric bubble.",
     "Left subphrenic air-fluid level, ?collection."),
    ("Lucency with an air-fluid level under the left hemidiaphragm.",
     "Appearances raise concern for a right subphrenic collection."),
    ("Right subphrenic abscess.", "Left subphrenic abscess, drain advised."),
])
def test_a_subphrenic_collection_has_a_side_both_sections_give(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))
    agreeing = impression.replace("Left", "Right") if "Left" in impression else impression.replace("right", "left")
    assert flagged(report(findings, agreeing)) == set()


def test_the_stomachs_own_air_fluid_level_is_no_collection() -> None:
    observations = parse_report(report("Gastric air-fluid level below the left hemidiaphragm.", "Normal.")).observations
    assert "Subphrenic Collection" not in {o.name for o in observations}


def test_a_subphrenic_collection_ruled_out_is_a_negation() -> None:
    findings = "Air-fluid level beneath the left hemidiaphragm."
    assert "negation_conflict" in flagged(report(findings, "No subphrenic collection."))


@pytest.mark.parametrize(("findings", "impression"), [
    ("Surgical drain projected over the left upper quadrant. No pneumothorax.", "Right upper quadrant drain in situ."),
    ("Abdominal drain in the right upper quadrant.", "Left upper quadrant drain in place."),
])
def test_an_abdominal_drain_has_the_side_where_it_lies(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))
    swapped = findings.replace("left", "LEFT").replace("right", "left").replace("LEFT", "right")
    assert flagged(report(swapped, impression)) == set()


def test_a_surgical_drain_in_the_chest_is_no_abdominal_drain() -> None:
    observations = parse_report(report("Left surgical drain in the pleural space.", "Drain in situ.")).observations
    assert "Abdominal Drain" not in {o.name for o in observations}


# --- sign-offs: an attestation over a department's name, a subspecialty role, a role after a dash --------------------


@pytest.mark.parametrize("signature", [
    "I have personally reviewed the images and agree with the findings above.\n"
    "Karen Whitfield, MD, Cardiothoracic Imaging",
    "Dr S. Carter, Consultant Cardiothoracic Radiologist",
    "Dr. Salma Al Harthy - Specialist Radiologist",
    "Dr. Omar Idris - Consultant Radiologist",
])
def test_a_sign_off_under_a_header_leaves_the_section_empty(signature: str) -> None:
    findings = "Heart size is normal. Both lungs are clear. No pleural effusion."
    assert "missing_section" in flagged(f"FINDINGS:\n{findings}\n\nIMPRESSION:\n{signature}\n")
    assert flagged(f"FINDINGS:\n{findings}\n\nIMPRESSION:\nNormal chest radiograph.\n\n{signature}\n") == set()


def test_words_of_the_image_after_a_sign_off_still_keep_it_in_the_section() -> None:
    # a department's name is no finding, but the lungs named after the sign-off are the report's
    text = ("FINDINGS:\nHeart size is normal.\n\nIMPRESSION:\nI have personally reviewed the images.\n"
            "The lungs are clear.\n")
    assert "missing_section" not in flagged(text)


# --- differentials weighed, not found ---------------------------------------------------------------------------------


def test_findings_named_as_differentials_are_weighed_not_affirmed() -> None:
    findings = "New 11 mm rounded opacity in the left lower zone. No focal consolidation."
    impression = "New 11 mm left lower zone nodule; lymphoma and infection are differentials. CT advised."
    assert flagged(report(findings, impression)) == set()
    assert "negation_conflict" in flagged(report(findings, "New left lower zone nodule. Right lower lobe infection."))


# --- "stable appearances of" one thing is that thing's course, not the whole study's --------------------------------


@pytest.mark.parametrize("omitted", ["Moderate right pleural effusion.", "A 9 mm nodule in the left mid zone, new."])
def test_stable_appearances_of_a_named_disease_does_not_speak_for_the_rest(omitted: str) -> None:
    findings = f"Established bibasal reticulation with volume loss, unchanged. {omitted} No pneumothorax."
    issues = flagged(report(findings, "Stable appearances of fibrotic lung disease."))
    assert "impression_omits_finding" in issues
    # (it names that disease: the reticulation is not left out)
    assert flagged(report("Established bibasal reticulation with volume loss, unchanged. No pneumothorax.",
                          "Stable appearances of fibrotic lung disease.")) == set()


# --- a transplanted lung and its bronchial anastomosis have sides -----------------------------------------------------


def test_a_single_lung_transplant_has_the_side_of_the_surgery() -> None:
    findings = "Right single lung transplant, clear. The native left lung shows emphysema. No effusion."
    assert "laterality_conflict" in flagged(report(findings, "Stable appearances of left SLTx."))
    assert flagged(report(findings, "Stable appearances of right SLTx.")) == set()
    # (a clinic or an assessment for one is no transplant)
    names = {o.name for o in parse_report(report("Lungs clear.", "Fit for lung transplant assessment.")).observations}
    assert "Lung Transplant" not in names


def test_a_bronchial_anastomosis_has_a_side() -> None:
    findings = "Mild narrowing at the left main bronchial anastomosis, unchanged. Lungs clear."
    assert "laterality_conflict" in flagged(report(findings, "Stable narrowing of the right bronchial anastomosis."))
    assert flagged(report(findings, "Stable narrowing of the left bronchial anastomosis.")) == set()


# --- a bone infarct or avascular necrosis, and a joint's collapse ----------------------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Serpiginous sclerosis in the left humeral shaft from a previous bone infarct.",
     "Old right humeral bone infarct."),
    ("Sclerosis and flattening of the right humeral head (AVN).", "Left humeral head avascular necrosis."),
])
def test_avascular_necrosis_has_the_bones_side(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(f"Lungs clear. {findings}", impression))


def test_a_joints_collapse_is_no_lung_collapse() -> None:
    findings = "No focal airspace opacity. Articular surface collapse and sclerosis of the left humeral head."
    assert flagged(report(findings, "No acute cardiopulmonary abnormality.")) == set()
    assert "impression_omits_finding" in flagged(report("Collapse of the left lower lobe.", "Normal chest."))


@pytest.mark.parametrize("signature", ["Dr S. Carter, Consultant Cardiothoracic Radiologist",
                                       "Dr. Omar Idris - Consultant Radiologist"])
def test_a_sign_off_under_the_findings_header_leaves_the_findings_empty(signature: str) -> None:
    text = f"FINDINGS:\n{signature}\n\nSUMMARY:\nNo acute cardiopulmonary abnormality.\n\n{signature}\n"
    assert "missing_section" in flagged(text)


# --- tuberculosis ruled out old as well as active ---------------------------------------------------------------------


def test_old_tuberculosis_ruled_out_against_calcified_upper_zone_scarring() -> None:
    findings = "Fibrotic strands with calcific foci in the right upper zone. Both CP angles are sharp."
    assert "negation_conflict" in flagged(report(findings, "No radiological evidence of old or active pulmonary TB."))
    # active disease alone ruled out leaves old scarring standing; scarring without calcification, or low, is no sign
    assert flagged(report(findings, "No radiological evidence of active pulmonary TB.")) == set()
    assert flagged(report("Fibrotic strands in the right lower zone. Both CP angles are sharp.",
                          "No radiological evidence of old or active pulmonary TB.")) == set()


# --- an impression that calls the lungs clear denies the streak of atelectasis the findings name ---------------------


@pytest.mark.parametrize("atelectasis", ["Subsegmental atelectasis at the left lung base.",
                                         "Linear atelectasis at the right base.",
                                         "Band of atelectasis in the left mid to lower zone."])
def test_a_clear_lungs_impression_denies_the_findings_atelectasis(atelectasis: str) -> None:
    findings = f"{atelectasis} No pleural effusion. Heart size is normal."
    assert "negation_conflict" in flagged(report(findings, "Lungs clear."))
    # "otherwise", the atelectasis named, or no word of the lungs at all: no denial
    assert flagged(report(findings, "Minor basal atelectasis. Lungs otherwise clear.")) == set()
    assert flagged(report(findings, "No acute cardiopulmonary abnormality.")) == set()
    # (and the findings may say both, as real reports do)
    assert flagged(report(f"{atelectasis} The lungs are otherwise clear.", "No acute abnormality.")) == set()


# --- a wide-bore line by its use: apheresis, exchange transfusion, Vascath --------------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Left internal jugular dual-lumen apheresis catheter (Vascath), tip at the cavoatrial junction.",
     "Right IJ apheresis line, tip at the cavoatrial junction."),
    ("A right internal jugular exchange catheter has been inserted; its tip lies in the lower SVC.",
     "Left internal jugular Vascath in satisfactory position."),
])
def test_an_apheresis_or_exchange_line_is_the_vascath(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(f"{findings} Lungs clear.", impression))


def test_a_jugular_line_and_a_dialysis_line_stay_two_lines() -> None:
    findings = "Right internal jugular central venous catheter, tip in the SVC. Lungs clear."
    assert flagged(report(findings, "Left tunnelled dialysis catheter in situ.")) == set()


# --- a bone finding takes the one side its sentence gives a bone ------------------------------------------------------


def test_a_bone_finding_read_after_a_comma_has_the_bones_side() -> None:
    findings = ("The lungs are clear. Sclerosis and flattening of the left humeral head, in keeping with avascular "
                "necrosis.")
    assert "laterality_conflict" in flagged(report(findings, "Right humeral head avascular necrosis."))
    assert flagged(report(findings, "Left humeral head avascular necrosis.")) == set()


# --- "interval development of" several words before the finding -------------------------------------------------------


def test_interval_development_of_described_opacities_is_new() -> None:
    findings = ("Right PICC line, tip in the SVC. There has been interval development of several ill-defined focal "
                "opacities in the left and right mid zones. No pneumothorax.")
    assert "impression_omits_finding" in flagged(report(findings, "Right PICC line, tip in the SVC."))
    observations = parse_report(report(findings, "PICC.")).observations
    assert [o.change for o in observations if o.name == "Lung Opacity"] == ["new"]


# --- hilar lymphadenopathy named with the mediastinum's or the paratracheal nodes ----------------------------------


def test_hilar_or_mediastinal_lymphadenopathy_ruled_out_and_its_sides() -> None:
    assert "negation_conflict" in flagged(report("No hilar or mediastinal lymphadenopathy. Lungs clear.",
                                                 "Right hilar lymphadenopathy; consider mycobacterial infection."))
    assert "laterality_conflict" in flagged(report("There is left paratracheal and left hilar lymphadenopathy.",
                                                   "Right hilar and paratracheal lymphadenopathy."))
    assert flagged(report("There is left paratracheal and left hilar lymphadenopathy.",
                          "Left hilar and paratracheal lymphadenopathy.")) == set()


# --- an acute consolidation ruled out as "no acute airspace disease" -------------------------------------------------


@pytest.mark.parametrize(("consolidation", "conflicts"), [
    ("Dense consolidation in the right lower lobe with air bronchograms.", True),
    ("Focal airspace consolidation involving the left lower lobe.", True),
    ("Interval improvement of the left lower lobe consolidation, with minimal residual opacity.", False),
    ("Chronic consolidation in the right upper lobe, unchanged.", False),
])
def test_no_acute_airspace_disease_rules_out_a_consolidation_not_called_old_or_clearing(
        consolidation: str, conflicts: bool) -> None:
    assert ("negation_conflict" in flagged(report(consolidation, "No acute airspace disease."))) == conflicts


# --- a neonatal unit's words: air leak, air in the pleural space, PIE, NEC, the cardiothymic outline -----------------


@pytest.mark.parametrize(("findings", "impression", "kind"), [
    ("No air leak. Lungs clear.", "Right pneumothorax.", "negation_conflict"),
    ("Air is seen in the right pleural space, outlining the collapsed right lung.", "Left pneumothorax.",
     "laterality_conflict"),
    ("Cystic lucencies throughout the left lung, in keeping with pulmonary interstitial emphysema.",
     "Right-sided PIE.", "laterality_conflict"),
    ("Pneumatosis in the right lower quadrant, in keeping with NEC.", "No evidence of NEC.", "negation_conflict"),
    ("Normal cardiothymic outline. Lungs clear.", "Cardiomegaly.", "negation_conflict"),
    ("ETT tip projects beyond the carina, over the right main bronchus.", "ETT too low, in the left main bronchus.",
     "laterality_conflict"),
])
def test_a_neonatal_units_words(findings: str, impression: str, kind: str) -> None:
    assert kind in flagged(report(findings, impression))


def test_pie_is_no_adult_emphysema_and_nec_no_lung_finding() -> None:
    names = {o.name for o in parse_report(report("Right-sided PIE. Pneumatosis intestinalis.", "NEC.")).observations}
    assert {"Pulmonary Interstitial Emphysema", "Necrotising Enterocolitis"} <= names
    assert "Emphysema" not in names


@pytest.mark.parametrize("signature", ["Dr S Rowntree\nConsultant Paediatric Radiologist",
                                       "M. Rowntree, MD - Pediatric Radiology\nFinalized: 10/05/2022 07:55"])
def test_a_neonatal_units_sign_offs(signature: str) -> None:
    assert "missing_section" in flagged(f"FINDINGS:\nETT tip at T2. Lungs clear.\n\nIMPRESSION:\n{signature}\n")


# --- a cardiac device by the letters cardiology writes ----------------------------------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Left pectoral CRT device with RA, RV and coronary sinus leads.", "Right-sided CRT-D in satisfactory position."),
    ("Left pectoral dual-chamber pacemaker with leads over the right atrium and right ventricle.",
     "Right-sided PPM in satisfactory position."),
    ("Left pectoral single-chamber ICD in situ.", "Stable right chest wall AICD."),
])
def test_a_cardiac_devices_side_by_its_letters(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(f"{findings} Clear lungs.", impression))
    assert flagged(report(f"{findings} Clear lungs.", impression.replace("Right", "Left").replace("right", "left"))) \
        == set()


def test_an_opacity_read_as_the_effusion_is_summarised_by_the_effusion() -> None:
    findings = ("Hazy increased density over the left hemithorax on this supine film, in keeping with a layering "
                "moderate effusion. No pneumothorax.")
    assert flagged(report(findings, "1. Moderate left pleural effusion, increased.")) == set()
    # (an opacity read as something else is still to be summarised)
    assert "impression_omits_finding" in flagged(report(
        "New dense consolidation in the left lower lobe. Moderate left pleural effusion.",
        "1. Moderate left pleural effusion."))


def test_a_prior_study_named_as_the_reads_first_sentence_leaves_the_read_in_the_findings() -> None:
    text = ("Report:\nPrevious: 07/02/2023. Both lungs are clear. No pleural effusion. Heart size normal.\n\n"
            "Summary:\nNo significant acute abnormality.\n")
    assert flagged(text) == set()
    assert parse_report(text).sections["FINDINGS"].startswith("Both lungs are clear.")
    # (the prior study alone under the header leaves the read empty)
    assert "missing_section" in flagged("Report:\nPrevious: 07/02/2023.\n\nSummary:\nNo acute abnormality.\n")


# --- Indonesian headers and sign-offs; a bulla's side ----------------------------------------------------------------


@pytest.mark.parametrize("signature", ["dr. Made Suastika, Sp.Rad(K)", "Dr. Hendra Gunawan, Sp.Rad, FRCR",
                                       "dr. Putu Ayu Lestari, M.Ked.Klin, Sp.Rad"])
def test_an_indonesian_radiologists_sign_off_under_an_empty_conclusion(signature: str) -> None:
    findings = "Cor: not enlarged, CTR 45%.\nBoth lungs are clear."
    assert "missing_section" in flagged(f"FINDINGS:\n{findings}\n\nIMPRESSION:\n\n{signature}\n")
    assert flagged(f"FINDINGS:\n{findings}\n\nKesan / Impression:\nNormal chest.\n\n{signature}\n") == set()


def test_a_bulla_has_a_side_and_bullous_emphysema_stays_emphysema() -> None:
    findings = "Left apical bleb/bulla, approximately 4 cm. No pneumothorax."
    assert "laterality_conflict" in flagged(report(findings, "Right apical bulla (4 cm). CT thorax suggested."))
    assert flagged(report(findings, "Left apical bulla (4 cm). CT thorax suggested.")) == set()
    names = {o.name for o in parse_report(report("Bullous emphysema in both upper zones.", "COPD.")).observations}
    assert names == {"Emphysema"}


def test_a_bulla_ruled_out_against_one_named() -> None:
    assert "negation_conflict" in flagged(report("No bullae or blebs at the apices. Lungs clear.",
                                                 "Right apical bulla, 3 cm."))
