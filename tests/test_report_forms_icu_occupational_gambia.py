"""Report forms of ICU portable, occupational-health, Gambian and Cameroonian, US pulmonology-clinic, English on-call,
Mauritian and Iraqi lists, fixed in the seventeenth session. Sign-offs: a courtesy line ("Thanks.") under an empty
conclusion, an overnight registrar's ("Hot report, Dr ... (ST2)", "Provisional report: ..."), a signer's letters in
brackets with the role after a dash, and a bracketed section name left as the last item of an impression's list.
Negations: "no focal lung lesion" against a consolidation; a cavity, or a nodule of 6 mm or more, against lungs
called clear; lungs of normal volume against hyperinflation; the hila and the mediastinum called normal together; one
group's alternatives ("consolidation/pneumonia") against clear lungs; "parenchymal condensation" as a consolidation;
a borderline heart against one called plainly normal. Omission: opacities increased since the last film. Sides:
calcified nodes at a hilum, a hilar contour called prominent, the side a bilateral finding is worse on ("more
extensive on the left"), a cavity beside the tuberculosis the other section places, a finding pointed back to as
unchanged on the other side, and a follow-up sentence naming the other side of the findings.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged, report

# --- a courtesy line is no conclusion --------------------------------------------------------------------------------


@pytest.mark.parametrize("courtesy", ["Thanks.", "Thank you.", "Many thanks", "Thank you very much."])
def test_a_courtesy_line_alone_under_the_conclusion_leaves_it_empty(courtesy: str) -> None:
    text = (f"FINDINGS:\nModerate right pleural effusion. Heart size normal.\n\nOPINION:\n\n{courtesy}\n"
            "Signed: Dr. K. Mensah, Radiologist")
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)


def test_a_courtesy_line_after_a_conclusion_is_no_part_of_it() -> None:
    text = "FINDINGS:\nModerate right pleural effusion.\n\nOPINION:\nModerate right pleural effusion.\nThanks."
    assert parse_report(text).sections["IMPRESSION"] == "Moderate right pleural effusion."
    assert flagged(text) == set()


# --- what "no focal lung lesion" and "the lungs are clear" rule out --------------------------------------------------


@pytest.mark.parametrize("negation", ["No focal lung lesion is seen.", "No focal pulmonary abnormality."])
@pytest.mark.parametrize("conclusion", ["Right mid zone pneumonic consolidation.",
                                        "Features in keeping with left lower zone pneumonia."])
def test_no_focal_lung_lesion_rules_out_a_consolidation(negation: str, conclusion: str) -> None:
    findings = f"Heart is normal in size. {negation} The costophrenic angles are clear."
    assert "negation_conflict" in flagged(report(findings, conclusion))


def test_no_focal_lung_lesion_guards() -> None:
    findings = "Heart is normal in size. No focal lung lesion is seen. The costophrenic angles are clear."
    assert flagged(report(findings, "Normal chest radiograph.")) == set()
    # (a lesion of the bones is not the lung's; oedema is no focal lesion)
    assert "negation_conflict" not in flagged(report(
        "No lytic bone lesion. Right lower zone consolidation.", "Right lower zone pneumonia."))
    assert "negation_conflict" not in flagged(report(
        "No focal lung lesion. Upper lobe venous diversion and bilateral perihilar haze.", "Pulmonary oedema."))


def test_a_cavity_contradicts_lungs_called_clear() -> None:
    findings = "Nodular opacities with areas of cavitation in the left upper zone. The rest of the lungs are clear."
    assert "negation_conflict" in flagged(report(findings, "No active lung lesion; lungs are clear."))
    assert "negation_conflict" not in flagged(report(findings, "Cavitating left upper zone consolidation, ?PTB."))


def test_a_nodule_of_six_millimetres_or_more_contradicts_lungs_called_clear() -> None:
    findings = "Normal heart size. Both lungs are clear. The costophrenic angles are sharp."
    assert "negation_conflict" in flagged(report(findings, "7 mm right upper zone nodule; CT recommended."))
    assert "negation_conflict" not in flagged(report(findings, "4 mm right upper zone nodule, likely a granuloma."))


def test_normal_lung_volumes_rule_out_hyperinflation_not_emphysema() -> None:
    findings = "No focal consolidation. The lungs are hyperinflated with flattening of the hemidiaphragms."
    assert "negation_conflict" in flagged(report(findings, "Normal lung volumes. No acute cardiopulmonary disease."))
    assert "negation_conflict" in flagged(report("Hyperexpanded lungs. Heart size normal.", "Lung volumes are normal."))
    assert flagged(report("Normal lung volumes. Upper lobe emphysematous change.", "COPD. No acute disease.")) == set()
    assert flagged(report("Lung volumes are normal. The lungs are clear.", "Emphysema.")) == set()


def test_opacities_increased_since_the_last_film_are_a_growing_finding() -> None:
    findings = "No focal consolidation. Increased bibasilar reticular opacities compared with prior. Normal heart size."
    assert "impression_omits_finding" in flagged(report(findings, "No radiographic evidence of acute disease."))
    # ("increased opacities" with no earlier study named is as often more than normal as more than before)
    assert flagged(report(findings.replace(" compared with prior", ""), "No acute cardiopulmonary process.")) == set()
    # (the impression that names them as interstitial disease has them)
    assert flagged(report(findings, "Progression of bibasilar interstitial lung disease.")) == set()


def test_one_groups_alternatives_against_lungs_called_clear() -> None:
    findings = "Lungs are clear. Costophrenic angles are sharp."
    conclusion = "Features in keeping with left lower zone consolidation/pneumonia."
    assert "negation_conflict" in flagged(report(findings, conclusion))
    # (alternatives of two groups stay a hedge against clear lungs)
    assert "negation_conflict" not in flagged(report(findings, "Left basal atelectasis/infiltrate."))


def test_a_parenchymal_condensation_is_a_consolidation() -> None:
    findings = "Mediastinum of normal width. No focal parenchymal condensation. No pleural effusion."
    assert "negation_conflict" in flagged(report(findings, "Left mid zone pneumonia."))
    assert "laterality_conflict" in flagged(report(
        "Alveolar condensation in the right lower zone.", "Left lower zone pneumonia."))


@pytest.mark.parametrize(("findings", "conclusion"), [
    ("Trachea is central. Heart size is normal. Both lung fields are clear.", "Borderline cardiomegaly."),
    ("Lungs clear. Cardiac silhouette is borderline enlarged, similar to prior.", "Heart size is normal."),
])
def test_a_borderline_heart_against_one_called_plainly_normal(findings: str, conclusion: str) -> None:
    assert "negation_conflict" in flagged(report(findings, conclusion))


@pytest.mark.parametrize(("findings", "conclusion"), [
    ("Upper limits of normal heart size. Lungs clear.", "Borderline heart size. No acute disease."),
    ("The heart is top normal in size. The lungs are clear.", "Borderline cardiomegaly without acute disease."),
    ("Cardiac silhouette at the upper limits of normal in size.", "Borderline heart size."),
])
def test_a_heart_at_the_limit_of_normal_is_a_borderline_one(findings: str, conclusion: str) -> None:
    # (the archive's own pairs: one reading in two wordings)
    assert "negation_conflict" not in flagged(report(findings, conclusion))


# --- sides ---------------------------------------------------------------------------------------------------------


def test_calcified_nodes_at_a_hilum_have_its_side() -> None:
    findings = "Heart size is normal. The lungs are clear. A few calcified nodes at the left hilum."
    assert "laterality_conflict" in flagged(report(findings, "Calcified right hilar nodes, old granulomatous disease."))
    assert flagged(report(findings, "Calcified left hilar nodes, old granulomatous disease.")) == set()


@pytest.mark.parametrize("worse", ["more extensive on the left", "more marked on the left",
                                   "most prominent on the left"])
def test_the_side_a_bilateral_finding_is_worse_on(worse: str) -> None:
    findings = f"Heart size is normal. Bilateral calcified pleural plaques, {worse}. The lungs are clear."
    assert "laterality_conflict" in flagged(report(findings, "Asbestos-related pleural plaques, right predominant."))
    assert flagged(report(findings, "Asbestos-related pleural plaques, left predominant.")) == set()


def test_a_cavity_is_the_tuberculosis_the_other_section_places() -> None:
    findings = ("Fluffy nodular opacities with areas of cavitation are seen in the left upper zone. "
                "The rest of the lung fields are clear.")
    assert "laterality_conflict" in flagged(report(findings, "Features of active PTB (right upper zone)."))
    assert "laterality_conflict" not in flagged(report(findings, "Features of active PTB (left upper zone)."))


@pytest.mark.parametrize("stray", ["Correlate with clinical examination of the left chest.",
                                   "The left sided changes were discussed with the ED team."])
def test_a_follow_up_sentence_naming_the_other_side_of_the_findings(stray: str) -> None:
    findings = "Large right pleural effusion with adjacent basal atelectasis. No pneumothorax."
    assert "laterality_conflict" in flagged(report(findings, f"Large right pleural effusion. {stray}"))
    # (the side named elsewhere in the report, a device's or a finding's, may be what the sentence means)
    assert flagged(report(findings + " Left PICC with its tip in the SVC.",
                          f"Large right pleural effusion. {stray}")) == set()
    assert flagged(report(findings, f"Large right pleural effusion. {stray.replace('left', 'right')}")) == set()


def test_a_finding_pointed_back_to_as_unchanged_on_the_other_side() -> None:
    text = ("REPORT:\nTrace left pleural effusion.\nThe right effusion has not changed in size.\n"
            "Both lungs are clear.\nOPINION:\nBlunted left CP angle.")
    assert "laterality_conflict" in flagged(text)
    both = text.replace("Trace left pleural effusion.", "Trace left and small right pleural effusions.")
    assert "laterality_conflict" not in flagged(both)


@pytest.mark.parametrize("text", [
    "REPORT: Minor pleuro-parenchymal scarring at the right apex. Lungs otherwise clear. The left apical scarring is "
    "unchanged in appearance.\nIMPRESSION: Minor right apical scarring, of no clinical significance.",
    "Description:\nLung fields are clear. Small left pleural effusion blunting the costophrenic angle.\nSummary:\n"
    "Minimal left effusion. No acute abnormality. Follow-up of the right effusion recommended.",
])
def test_a_finding_pointed_back_to_by_its_place_or_in_a_follow_up_on_the_other_side(text: str) -> None:
    assert "laterality_conflict" in flagged(text)
    side = "left" if "right apex" in text else "right"
    fixed = text.replace(f"The {side} apical", "The right apical").replace("of the right effusion", "of the effusion")
    assert "laterality_conflict" not in flagged(fixed)


def test_a_place_on_the_other_side_said_to_be_opacified_is_no_pointer() -> None:
    text = ("FINDINGS: Post-pneumonectomy space on the left is fully opacified, stable. New consolidation in the right "
            "lower lobe.\nIMPRESSION: Right lower lobe pneumonia.")
    assert "laterality_conflict" not in flagged(text)


# --- what else a normal line names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("normal", "conclusion"), [
    ("Normal hilar and mediastinal outlines.", "Widened mediastinum."),
    ("Normal hilar and mediastinal outlines.", "Bilateral hilar lymphadenopathy."),
    ("Normal mediastinal and hilar contours.", "Widened mediastinum."),
    ("Normal mediastinal and hilar contours.", "Bilateral hilar enlargement."),
])
def test_the_hila_and_the_mediastinum_called_normal_together(normal: str, conclusion: str) -> None:
    assert "negation_conflict" in flagged(report(f"Normal heart size. {normal} The lungs are clear.", conclusion))



# --- an overnight registrar's report and its verification ----------------------------------------------------------


@pytest.mark.parametrize("sign_off", [
    "Provisional report: Dr L. Murphy, Registrar.\nVerified: Dr B. Osei (Consultant Radiologist).",
    "Dr J. Kaur, StR Radiology (on call)\nAuthorised by Dr S. Rahman, Consultant Radiologist",
    "Hot report, Dr C. Hughes (ST2) at 04:52. Agree with provisional report - Dr N. Whitfield, Consultant Radiologist.",
    "Provisional report: Dr T. Hussain, ST4.",
])
def test_a_registrars_hot_report_sign_off_under_the_conclusion_leaves_it_empty(sign_off: str) -> None:
    text = f"Findings: Heart size is normal. Lungs are clear.\nOpinion:\n{sign_off}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)
    concluded = text.replace("Opinion:\n", "Opinion:\nNormal chest radiograph.\n")
    assert parse_report(concluded).sections["IMPRESSION"] == "Normal chest radiograph."
    assert flagged(concluded) == set()


@pytest.mark.parametrize("sign_off", [
    "Dr. Ali Hussein Al-Obaidi (MBChB, CABMS (Rad.)) - Consultant Radiologist",
    "Dr. Sarah Abdulrahman (MBChB, MSc, FRCR) - Specialist Radiologist",
])
def test_a_signer_with_letters_in_brackets_and_the_role_after_a_dash(sign_off: str) -> None:
    text = f"Findings: No consolidation or collapse. Both CP angles are clear.\nConclusion:\n{sign_off}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)


def test_a_hilar_contour_called_prominent_is_an_enlarged_hilum_with_its_side() -> None:
    findings = "Heart size is within normal limits. The left hilar contour is prominent."
    assert "laterality_conflict" in flagged(report(findings, "Prominent right hilum."))
    assert flagged(report(findings, "Prominent left hilum.")) == set()


# --- a bracketed section name as a field -----------------------------------------------------------------------------


def test_a_section_name_in_brackets_ending_the_list_is_a_field() -> None:
    text = ("Findings:\nLungs are clear. No pneumothorax.\nConclusion:\n1. Tubes and lines satisfactory.\n"
            "2. No acute cardiopulmonary abnormality.\n3. [Impression]\nDr S. Kaur, Consultant Radiologist")
    assert "No acute cardiopulmonary abnormality." in parse_report(text).sections["IMPRESSION"]
    assert flagged(text) == {"placeholder"}
    # (the two sections headed by their brackets stay headers)
    headed = "[Findings] Heart size normal. Lungs clear.\n[Conclusion] Normal chest."
    assert set(parse_report(headed).sections) >= {"FINDINGS", "IMPRESSION"}
    assert flagged(headed) == set()
