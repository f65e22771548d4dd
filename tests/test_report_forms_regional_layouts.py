"""Report forms of East Asian and US Veterans Affairs lists, fixed in the thirteenth session: sections headed by a name
in square brackets, the examination's name in brackets as a title, "Rt." and "Lt." before their place, the VA's "/ES/"
signature and status lines, and "the heart and lungs are normal" read as both parts.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report
from medrag_core.reports.sentences import split_sentences
from tests.fixtures.report_forms import flagged, report

# --- sections headed in square brackets -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "[Finding]\nCardiothoracic ratio 44%. Both lungs are clear.\n\n[Conclusion]\nNo active lung lesion.",
    "[Findings] Heart size is normal. Both lungs are clear.\n[Impression] Normal chest.",
])
def test_a_section_named_in_square_brackets_is_a_header(text: str) -> None:
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"].startswith(("Cardiothoracic", "Heart"))
    assert parsed.sections["IMPRESSION"] in ("No active lung lesion.", "Normal chest.")
    assert flagged(text) == set()


def test_a_bracketed_conclusion_left_empty_is_missing() -> None:
    text = "[Findings]\nModerate left pleural effusion.\n\n[Conclusion]\n\nReading physician: Dr. Han Seo-jun"
    assert "missing_section" in flagged(text)
    assert "placeholder" not in flagged(text)


@pytest.mark.parametrize("text", [
    # a template's field under the header it fills, and a field named like a header but in lower case
    "FINDINGS: Heart size is normal. Lungs are clear.\nIMPRESSION:\n[Impression]",
    "HISTORY:\n[reason for exam]\nFINDINGS: Heart size is normal. Lungs are clear.\nIMPRESSION: Normal chest.",
])
def test_a_bracketed_field_is_still_a_placeholder(text: str) -> None:
    assert "placeholder" in flagged(text)


def test_the_examination_named_in_brackets_on_the_first_line_is_a_title() -> None:
    body = "\nFindings: Heart size is normal. Lungs are clear.\nConclusion: Normal chest."
    assert flagged("[Chest PA and lateral]" + body) == set()
    assert flagged("[CXR portable (AP)]" + body) == set()
    # guard: a choice left open, or a bracketed title inside the text, is a field
    assert "placeholder" in flagged("[Chest PA/AP]" + body)
    assert "placeholder" in flagged(body + "\nComparison: [Chest PA]")


# --- a side's short form with a full stop -----------------------------------------------------------------------------


def test_rt_and_lt_with_a_full_stop_go_on_to_their_place() -> None:
    findings = "1. Patchy consolidation in the Rt. lower lung zone.\n2. Heart normal."
    assert "laterality_conflict" in flagged(report(findings, "Lt. lower zone pneumonia."))
    assert "laterality_conflict" not in flagged(report("Patchy consolidation in the Rt. lower lung zone.",
                                                       "Rt. lower zone pneumonia."))


def test_a_side_short_form_ending_a_sentence_ends_it() -> None:
    sentences = [s for _, s in split_sentences("Blunted costophrenic angle on the Lt. No pneumothorax.")]
    assert sentences == ["Blunted costophrenic angle on the Lt.", "No pneumothorax."]


# --- the VA's layout --------------------------------------------------------------------------------------------------


def test_an_es_signature_under_an_empty_impression_leaves_it_empty() -> None:
    text = ("FINDINGS:\n  Large left pleural effusion, increased.\n  Heart size normal.\nIMPRESSION:\n"
            "/ES/ ROBERT HALL, MD\nStaff Radiologist")
    assert "missing_section" in flagged(text)
    # guard: signed under a written impression, nothing is missing
    assert "missing_section" not in flagged(text.replace("IMPRESSION:\n", "IMPRESSION:\nLarge left effusion.\n"))


def test_clinical_hx_and_report_status_are_no_findings() -> None:
    text = ("Procedure: CHEST PA&LAT\nClinical Hx:\n  Pre-op, hernia repair\nReport Status: Verified\n"
            "Comparison: None.\nImpression:\nAs above.\nPrimary Interpreting Staff:\n  GARCIA, MD\n/ES/ GARCIA, MD")
    parsed = parse_report(text)
    assert "FINDINGS" not in parsed.sections
    assert parsed.sections["IMPRESSION"] == "As above."
    assert "missing_section" in flagged(text)


# --- the heart and the lungs named normal together --------------------------------------------------------------------


def test_heart_and_lungs_called_normal_describe_the_image() -> None:
    text = "EXAM: CHEST 2 VIEWS\nComparison: None.\nImpression:\nThe heart and lungs are within normal limits."
    assert flagged(text) == set()
    assert [i.severity for i in check_report(text) if i.kind == "missing_section"] == ["info"]
    # guard: "Normal chest." alone describes no part of the image
    assert "missing_section" in flagged(text.replace("The heart and lungs are within normal limits.", "Normal chest."))


@pytest.mark.parametrize("finding", ["Dense right lower lobe consolidation.", "The heart is moderately enlarged."])
def test_heart_and_lungs_called_normal_contradict_either_part(finding: str) -> None:
    assert "negation_conflict" in flagged(report(finding, "Heart and lungs are normal."))
    assert "negation_conflict" in flagged(report(finding, "Normal heart and lungs."))


# --- Australian and New Zealand, Canadian forms (the v64 and v65 looks, read this session) --------------------------


def test_a_name_blank_with_college_letters_in_brackets_signs_off() -> None:
    text = ("FINDINGS:\nLeft lower lobe consolidation. No effusion.\nCONCLUSION:\nDr ___ (FRANZCR), verified ___")
    assert "missing_section" in flagged(text)
    assert "missing_section" not in flagged(text.replace("CONCLUSION:\n", "CONCLUSION:\nLeft lower lobe pneumonia.\n"))


def test_no_other_lung_abnormality_rules_out_what_its_section_does_not_name() -> None:
    findings = "A 16 mm nodule in the right upper zone. The heart is mildly enlarged."
    assert "negation_conflict" in flagged(report(findings, "Mild cardiomegaly. No other focal lung abnormality."))
    # guards: the section names one of its own, or another limit stands with "other"
    assert "negation_conflict" not in flagged(report("Right basal consolidation. Heart normal.",
                                                     "Right basal consolidation. No other consolidation."))
    assert "negation_conflict" not in flagged(report("Right basal consolidation. Heart normal.",
                                                     "Right basal consolidation. No other acute abnormality."))


def test_the_heart_listed_with_other_parts_called_normal_rules_out_cardiomegaly() -> None:
    findings = "The cardiac silhouette, hila and pulmonary vessels are within normal limits. Lungs clear."
    assert "negation_conflict" in flagged(report(findings, "Cardiomegaly."))
    # guard: a clause after the comma is no list ("the heart is enlarged, the lungs are normal")
    assert "negation_conflict" not in flagged(report("Heart is enlarged, lungs are normal.", "Cardiomegaly."))


def test_an_arm_pic_catheter_has_a_side() -> None:
    findings = "Right upper extremity PIC catheter with its tip in the SVC. Lungs clear."
    assert "laterality_conflict" in flagged(report(findings, "Left upper extremity PIC catheter, tip in the SVC."))
    assert "laterality_conflict" not in flagged(report(findings, "Right arm PIC line in satisfactory position."))


# --- South African and US academic sign-offs (the v70-v72 look) -------------------------------------------------------


@pytest.mark.parametrize("sign_off", [
    "Regards\nDr T. Mokoena",
    "Dr H. Adams (MBChB, FC Rad Diag (SA))",
    "Attending attestation: I have reviewed the images and agree with the report above.\nAttending: R. Lee, MD",
    "Preliminary report by J. Ortiz, MD.\nFinal report electronically signed by R. Lee, MD on 02/03/2025 at 10:12.",
    "Prelim read: J. Ortiz, MD, 02/03/2025 03:12",
])
def test_a_sign_off_under_an_empty_conclusion_leaves_it_empty(sign_off: str) -> None:
    text = f"FINDINGS:\nModerate right pleural effusion. Heart normal.\nCONCLUSION:\n{sign_off}"
    assert "missing_section" in flagged(text)
    assert flagged(text.replace("CONCLUSION:\n", "CONCLUSION:\nModerate right pleural effusion.\n")) == set()


@pytest.mark.parametrize("mark", [".", "-", ","])
def test_a_stop_alone_under_a_conclusion_is_no_conclusion(mark: str) -> None:
    assert "missing_section" in flagged(f"FINDINGS:\nLungs clear. Heart normal.\nOpinion:\n{mark}\nDr T. Mokoena")


def test_a_dobhoff_alone_is_a_feeding_tube_an_impression_can_describe() -> None:
    text = ("EXAM: XR CHEST PORTABLE\nCOMPARISON: Yesterday.\nIMPRESSION:\n1. Dobhoff tip in the stomach.\n"
            "2. No pneumothorax.")
    assert flagged(text) == set()
    assert [i.severity for i in check_report(text) if i.kind == "missing_section"] == ["info"]


def test_atelectasis_beside_an_effusion_does_not_unsay_clear_lungs() -> None:
    findings = "Lungs are clear. Moderate right pleural effusion. Heart normal."
    assert flagged(report(findings, "Moderate right pleural effusion with adjacent atelectasis.")) == set()
    # guard: a lobe's collapse is no such atelectasis
    collapse = "Moderate right pleural effusion. Right lower lobe collapse."
    assert "negation_conflict" in flagged(report(findings, collapse))


# --- screening, cancer-centre and Scottish forms (the v73-v75 look) ---------------------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Lungs clear. Left cervical rib.", "Incidental right cervical rib. Normal chest."),
    ("Lungs clear. Calcified right hilar lymph nodes.", "Calcified left hilar nodes from old granulomatous disease."),
])
def test_incidental_findings_of_one_side_keep_it(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))
    assert "laterality_conflict" not in flagged(report(findings, impression.replace("right", "@").replace(
        "left", "right").replace("@", "left")))


@pytest.mark.parametrize(("findings", "impression"), [
    ("Heart normal. Moderate left pleural effusion. Lungs clear.",
     "Moderate left pleural effusion. Aspiration of the right effusion under ultrasound could be considered."),
    ("Heart normal. A 6 mm calcified granuloma in the left mid zone. The right-sided granuloma is densely calcified.",
     "No active tuberculosis."),
    # said to be new: still the one finding the article points back to, not a change since a prior film
    ("9 mm nodular opacity in the left lower zone. The right lung nodule is new. Otherwise clear.",
     "9 mm left lung nodule. CT chest recommended."),
])
def test_a_finding_pointed_back_to_on_the_other_side_is_a_side_slip(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize("text", [
    # the article names a place, not the finding
    report("Right pleural effusion. The left costophrenic angle is blunted.", "Right pleural effusion."),
    # the other side's finding is named elsewhere, or has gone
    report("Bilateral pleural effusions. The right effusion is larger.", "Bilateral effusions."),
    report("Small right effusion. The left effusion seen previously has resolved.", "Small right effusion."),
    # another zone of the other lung: a second finding, not the first one pointed back to
    report("Patchy opacity in the right upper lobe. The left basilar opacity is new.",
           "Right upper lobe pneumonia."),
])
def test_the_other_sides_finding_named_in_its_own_right_is_no_slip(text: str) -> None:
    assert "laterality_conflict" not in flagged(text)


@pytest.mark.parametrize("sign_off", [
    "Dr A. Grant (ST2 Radiology) / Dr J. Kowal (Consultant Radiologist)",
    "Report by: M. Ferguson, Consultant Radiographer",
    "Lorna Sinclair\nAdvanced Practitioner Reporting Radiographer, HCPC RA12345",
])
def test_scottish_sign_offs_under_an_empty_comment(sign_off: str) -> None:
    assert "missing_section" in flagged(f"FINDINGS:\nModerate right pleural effusion.\nComment:\n{sign_off}")


def test_a_follow_up_interval_left_as_xx_is_a_field() -> None:
    text = report("Right upper zone consolidation.", "Right upper zone pneumonia. Repeat CXR in xx weeks.")
    assert "placeholder" in flagged(text)
    assert "placeholder" not in flagged(text.replace("xx", "6"))
    # guard: a history's "x days" is "for days"
    assert "placeholder" not in flagged("HISTORY: Cough x days.\n" + text.replace("xx", "6"))


def test_a_known_measured_nodule_in_a_cancer_patient_left_out_of_no_acute_disease_is_omitted() -> None:
    findings = "Known 12 mm nodule in the right upper lobe is unchanged. No effusion. Heart normal."
    history = "HISTORY: Melanoma on immunotherapy. Cough.\n"
    assert "impression_omits_finding" in flagged(history + report(findings, "No acute cardiopulmonary disease."))
    # guards: named; a small or unmeasured stable nodule; a stable nodule in a patient with no cancer (benign)
    assert flagged(history + report(findings, "Stable 12 mm right upper lobe nodule. No acute disease.")) == set()
    assert flagged(history + report(findings.replace("12 mm ", "4 mm "), "No acute disease.")) == set()
    assert flagged(history + report(findings.replace("12 mm ", ""), "No acute disease.")) == set()
    assert flagged("HISTORY: Chest pain.\n" + report(findings, "No acute cardiopulmonary disease.")) == set()


def test_post_radiation_changes_are_a_scar_with_a_side() -> None:
    findings = "Stable right perihilar radiation fibrosis with traction. No effusion."
    assert "laterality_conflict" in flagged(report(findings, "Stable post-radiation changes in the left lung."))
    assert flagged(report(findings, "Stable post-radiation changes in the right lung.")) == set()


def test_paratracheal_fullness_is_named_by_a_widened_mediastinum() -> None:
    findings = "Lobulated mediastinal contour with increased right paratracheal fullness. Heart normal. Lungs clear."
    assert "impression_omits_finding" not in flagged(report(findings, "Increased mediastinal widening, likely "
                                                                      "progressive adenopathy. CT is recommended."))
    # guard: an impression that lists something else still leaves it out
    assert "impression_omits_finding" in flagged(report(findings.replace("Heart normal.", "Heart mildly enlarged."),
                                                        "Mild cardiomegaly."))


# --- after the v76-v78 look (the checker as landed at e3821dc), not blind -------------------------------------------


@pytest.mark.parametrize("header", ["FINDINGS/IMPRESSION:", "Findings and impression:", "FINDINGS & CONCLUSION:"])
def test_one_text_headed_as_findings_and_impression_is_both(header: str) -> None:
    text = f"EXAM: XR CHEST\nCOMPARISON: None.\n{header} Clear lungs. Normal heart size. No effusion. Negative chest."
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == parsed.sections["FINDINGS"]
    assert flagged(text) == set()
    # guard: the findings' header alone leaves the conclusion to write
    assert "missing_section" in flagged(text.replace(header, "FINDINGS:"))


def test_the_lung_an_effusion_presses_on_is_the_effusions() -> None:
    findings = "Heart normal. Moderate right pleural effusion with partial collapse of the adjacent lung."
    assert flagged(report(findings, "Moderate right pleural effusion.")) == set()
    # guard: a lobe's collapse is its own finding to name
    assert "impression_omits_finding" in flagged(report("Heart normal. Moderate right pleural effusion. Right lower "
                                                        "lobe collapse.", "Moderate right pleural effusion."))


def test_a_sides_volume_loss_named_by_its_side_alone_has_that_side() -> None:
    slip = report("Increased interstitial markings. Mild left-sided volume loss, unchanged.",
                  "Stable mild right-sided volume loss.")
    assert "laterality_conflict" in flagged(slip)
    assert flagged(report("Right hemithorax volume loss with rightward mediastinal shift.",
                          "Stable right-sided volume loss.")) == set()


@pytest.mark.parametrize("text", [
    report("Status post left upper lobectomy with volume loss in the left hemithorax, surgical clips at the left hilum "
           "and mild elevation of the left hemidiaphragm, as expected. Lungs otherwise clear.",
           "Expected appearances following left upper lobectomy."),
    report("Left thoracotomy changes with mild left-sided volume loss. The right lung is clear.",
           "Stable left-sided volume loss. Right lung clear."),
])
def test_a_sides_volume_loss_is_no_collapse_nor_an_opacity(text: str) -> None:
    assert flagged(text) == set()
