"""Report forms of Pacific Island, US nursing-home (mobile X-ray) and Nepalese lists, fixed in the sixteenth session: a
signer whose name opens with a glottal stop's mark over a role line that names the department, an effusion read from
a meniscus-shaped opacity that obliterates an angle, a well-defined opacity of 6 mm or more as a nodule, the
cardiothoracic ratio written "CT ratio", a "small to moderate" effusion as one larger than small, a ratio just over
one half as a borderline heart, and the setting's blanks (a lower-case "xx", four dots between words, two sides
offered and none chosen).

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report
from tests.fixtures.report_forms import flagged, report

# --- sign-offs under an empty impression -----------------------------------------------------------------------------


@pytest.mark.parametrize("sign_off", [
    "Dr 'Ana Fifita\nMedical Officer Radiology",
    "Dr \u02bbAkanesi Taufa",
    "Sione 'Otai\nConsultant Radiologist",
])
def test_a_polynesian_signer_under_an_empty_impression_leaves_it_empty(sign_off: str) -> None:
    text = f"FINDINGS:\nModerate right pleural effusion. Heart size normal.\n\nOpinion:\n{sign_off}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)
    signed = text.replace("Opinion:\n", "Opinion:\nModerate right pleural effusion.\n")
    assert parse_report(signed).sections["IMPRESSION"] == "Moderate right pleural effusion."


# --- an effusion by its signs ----------------------------------------------------------------------------------------


MENISCUS = ("Homogeneous opacity with a concave upper border (meniscus sign) is seen in the left lower zone "
            "obliterating the left CP angle. Rest of the lung fields are clear. Heart size is normal.")


def test_a_meniscus_shaped_opacity_is_an_effusion_with_its_side() -> None:
    assert "laterality_conflict" in flagged(report(MENISCUS, "Moderate pleural effusion on the right side."))
    assert "negation_conflict" in flagged(report(MENISCUS, "No pleural effusion."))
    assert flagged(report(MENISCUS, "Moderate left pleural effusion.")) == set()


def test_an_opacity_obliterating_an_angle_is_an_effusion() -> None:
    findings = "Homogeneous opacity in the right lower zone obliterating the right costophrenic angle."
    names = {(o.name, o.laterality) for o in parse_report(report(findings, "x")).section_observations("FINDINGS")}
    assert ("Pleural Effusion", "right") in names
    assert "laterality_conflict" in flagged(report(findings, "Left pleural effusion."))


# --- nodules, the heart's ratio and an effusion's size ---------------------------------------------------------------


@pytest.mark.parametrize("opacity", [
    "Well-defined 9 mm opacity in the left lower zone, not calcified.",
    "A well circumscribed 12 mm opacity in the left mid zone.",
    "Solitary 7 mm density in the left upper zone.",
])
def test_a_well_defined_opacity_of_six_mm_or_more_is_a_nodule(opacity: str) -> None:
    findings = f"{opacity} Heart size normal. Both costophrenic angles are clear."
    assert "impression_omits_finding" in flagged(report(findings, "NAD."))
    assert "laterality_conflict" in flagged(report(findings, "Non-calcified right lung nodule; suggest CT."))
    assert flagged(report(findings, "Left lung nodule; suggest CT.")) == set()


@pytest.mark.parametrize("opacity", [
    "Well-defined 4 mm opacity in the left lower zone.",  # under 6 mm: not measured as a nodule to name
    "8 mm opacity over the left 6th rib.",  # no lesion's margin: bone or overlap as often as not
])
def test_a_small_or_undescribed_opacity_stays_an_opacity(opacity: str) -> None:
    assert "impression_omits_finding" not in flagged(report(f"{opacity} Heart size normal.", "No active disease."))


@pytest.mark.parametrize("ratio", ["CT ratio is within normal limits.", "C/T ratio is normal.",
                                   "CT Ratio < 0.5."])
def test_a_ct_ratio_called_normal_is_a_normal_heart(ratio: str) -> None:
    text = report(f"No active parenchymal lesion is seen in either lung. {ratio}", "Cardiomegaly.")
    assert "negation_conflict" in flagged(text)
    assert "negation_conflict" not in flagged(text.replace("Cardiomegaly.", "Normal chest."))


@pytest.mark.parametrize("effusion", ["Small-to-moderate right pleural effusion.",
                                      "Small to moderate right pleural effusion."])
def test_a_small_to_moderate_effusion_left_out_is_a_warning(effusion: str) -> None:
    findings = f"Heart size within normal limits. No focal consolidation. {effusion} No pneumothorax."
    omitted = [i for i in check_report(report(findings, "No acute findings.")) if i.kind == "impression_omits_finding"]
    assert [i.severity for i in omitted] == ["warning"]
    small = findings.replace("Small-to-moderate", "Small").replace("Small to moderate", "Small")
    assert "impression_omits_finding" not in flagged(report(small, "No acute findings."))


def test_a_ratio_just_over_one_half_left_out_is_a_borderline_heart() -> None:
    findings = "Borderline cardiac size, CTR 0.52. The lungs are clear. No pleural effusion."
    assert "impression_omits_finding" not in flagged(report(findings, "No acute disease."))
    assert "impression_omits_finding" in flagged(report(findings.replace("Borderline cardiac size, CTR 0.52",
                                                                         "Cardiomegaly, CTR 0.62"),
                                                        "Normal chest."))


# --- blanks ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("blank", "filled"), [
    ("No pleural xx or pneumothorax is seen.", "No pleural effusion or pneumothorax is seen."),
    ("Prominent markings in the right xx lobe.", "Prominent markings in the right upper lobe."),
    ("No consolidation, pleural ...., or pneumothorax.", "No consolidation, pleural effusion, or pneumothorax."),
    ("No consolidation, pneumothorax or .... pleural effusion.", "No consolidation, pneumothorax or pleural effusion."),
    ("Fibro-calcific opacities in the right/left upper zone.", "Fibro-calcific opacities in the right upper zone."),
    ("Fibro-calcific opacities in the Rt/Lt upper zone.", "Fibro-calcific opacities in the Rt upper zone."),
    ("Large RIGHT/LEFT pleural effusion.", "Large RIGHT pleural effusion."),
])
def test_a_word_left_as_xx_dots_or_an_unmade_side_choice_is_a_field(blank: str, filled: str) -> None:
    assert "placeholder" in flagged(report(blank, "No acute chest disease."))
    assert "placeholder" not in flagged(report(filled, "No acute chest disease."))


@pytest.mark.parametrize("text", [
    report("Lungs are clear... heart size normal.", "Normal chest."),  # an ellipsis of three dots after a word
    report("The XXXX are normal. Lungs are clear.", "Normal chest."),  # Open-i's mask in capitals
    report("Lungs are clear.", "Normal chest. Follow-up in 6/52."),
    report("Comparison of right and left lung volumes is symmetric. Lungs are clear.", "Normal chest."),
    report("Mild cardiomegaly. Right/left heart borders are clear.", "Cardiomegaly."),  # both sides named at once
])
def test_ellipses_masks_and_sides_written_out_are_no_fields(text: str) -> None:
    assert "placeholder" not in flagged(text)


# --- round 27: East African, children's hospital and cardiothoracic lists --------------------------------------------


ROUND_OPACITY = ("Round opacity in the superior segment of the right lower lobe measuring approximately 3 cm. "
                 "No other focal opacity. No effusion or pneumothorax.")


def test_no_other_opacity_beside_the_one_named_is_no_conflict_with_its_reading() -> None:
    assert flagged(report(ROUND_OPACITY, "Rounded right lower lobe opacity, most consistent with round pneumonia.")) \
        == set()
    # on the other side, the negation still weighs against the impression's pneumonia
    assert "negation_conflict" in flagged(report(ROUND_OPACITY, "Left lower lobe pneumonia."))


def test_no_other_consolidation_beside_one_on_the_other_side_still_conflicts() -> None:
    assert "negation_conflict" in flagged(report("Left basal consolidation. No other consolidation.",
                                                 "Right lower lobe pneumonia."))


@pytest.mark.parametrize("impression", [
    "Left upper zone fibrocalcific changes - healed PTB.",
    "Post-TB fibrosis of the left upper zone.",
])
def test_old_tuberculosis_in_the_impression_does_not_stand_for_a_consolidation(impression: str) -> None:
    findings = ("Patchy airspace opacities are seen in the left mid zone. Fibrocalcific changes in the left upper "
                "zone. No pleural effusion.")
    assert "impression_omits_finding" in flagged(report(findings, impression))
    assert "impression_omits_finding" not in flagged(report(findings, "Active PTB, left mid and upper zones."))
    # "post-primary" is the active, adult form, not an old one
    assert "impression_omits_finding" not in flagged(report(findings, "Post-primary tuberculosis."))


@pytest.mark.parametrize("lesion", [
    "An irregular soft tissue opacity (approx. 4 cm) in the right perihilar region.",
    "A density measuring 2.5 cm in the right upper zone.",
])
def test_an_opacity_with_its_size_after_it_of_a_centimetre_or_more_is_a_lesion(lesion: str) -> None:
    findings = f"{lesion} Both costophrenic angles are sharp. Normal cardiothoracic ratio."
    assert "impression_omits_finding" in flagged(report(findings, "Normal study."))
    assert flagged(report(findings, "Right lung mass; CT chest advised.")) == set()


def test_a_band_with_its_length_after_it_stays_an_opacity() -> None:
    findings = "Linear opacity measuring 3 cm in the left base. Heart size normal."
    names = {o.name for o in parse_report(report(findings, "x")).section_observations("FINDINGS")}
    assert "Nodule" not in names


def test_a_cardiothymic_silhouette_within_normal_limits_is_a_normal_heart() -> None:
    findings = "Clear lungs. No effusion. The cardiothymic silhouette is within normal limits."
    assert "negation_conflict" in flagged(report(findings, "Cardiomegaly. Lungs are clear."))
    assert flagged(report(findings, "Normal chest.")) == set()


def test_air_trapping_against_lungs_that_deflate_without_it_is_a_conflict() -> None:
    findings = ("No radiopaque foreign body. The lungs deflate symmetrically on the decubitus views, without evidence "
                "of air trapping.")
    trapped = "Air trapping in the left lung, suspicious for a foreign body."
    assert "negation_conflict" in flagged(report(findings, trapped))
    assert "negation_conflict" not in flagged(report(findings, "No radiographic sign of an aspirated foreign body."))


# --- round 28: Canadian community, US safety-net ED and Levantine lists ----------------------------------------------


@pytest.mark.parametrize("attestation", [
    "Attending addendum: I have reviewed the study and concur with the above.",
    "Staff attestation: I have personally reviewed the images and agree with the report.",
])
def test_an_attending_s_labelled_attestation_under_an_empty_impression_leaves_it_empty(attestation: str) -> None:
    text = f"FINDINGS: Moderate right pleural effusion. Heart size normal.\nIMPRESSION:\n{attestation}"
    assert parse_report(text).sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)


def test_one_airspace_finding_and_its_reading_in_each_section_on_opposite_sides_is_a_side_slip() -> None:
    findings = "Ill-defined airspace disease at the left lung base most consistent with pneumonia. No effusion."
    assert "laterality_conflict" in flagged(report(findings, "Right upper lobe pneumonia."))
    assert flagged(report(findings, "Left lower lobe pneumonia.")) == set()


def test_two_airspace_findings_on_two_sides_in_one_sentence_are_no_side_slip() -> None:
    text = report("Right lower lobe pneumonia and left upper lobe consolidation.", "Right lower lobe pneumonia.")
    assert "laterality_conflict" not in flagged(text)


# --- round 29: Malawian, Basotho and Swazi, US community-hospital and remote Australian lists -------------------------


def test_an_effusion_given_no_size_against_no_large_effusion_is_a_conflict() -> None:
    findings = "There is no focal consolidation. There is no pneumothorax or large pleural effusion."
    assert "negation_conflict" in flagged(report(findings, "Left pleural effusion."))
    # a small one is what "no large effusion" leaves open; a large one it rules out
    assert "negation_conflict" not in flagged(report(findings, "Small left pleural effusion."))
    assert "negation_conflict" in flagged(report(findings, "Large left pleural effusion."))
    # findings that show a sign of one (a blunted angle) name the effusion the impression means
    blunted = "Blunting of the left costophrenic angle. There is no pneumothorax or large pleural effusion."
    assert "negation_conflict" not in flagged(report(blunted, "Interstitial lung disease with pleural effusion."))


def test_a_miliary_pattern_is_no_clear_lung() -> None:
    findings = "Lungs are clear. No pleural effusion. Heart size normal."
    assert "negation_conflict" in flagged(report(findings, "Miliary shadowing - ?disseminated TB."))
    miliary = "Miliary mottling throughout both lungs. No pleural effusion. Heart size normal."
    assert "negation_conflict" not in flagged(report(miliary, "Miliary tuberculosis."))


# --- round 30 (a blind look of the checker as this session lands it): Liberian and Sierra Leonean lists -------------


MILIARY = "Multiple tiny nodular opacities are distributed diffusely throughout both lung fields. Heart size is normal."


def test_innumerable_tiny_nodules_through_both_lungs_are_a_miliary_pattern() -> None:
    assert "impression_omits_finding" in flagged(report(MILIARY, "Normal study. Fit from the X-ray point of view."))
    assert "negation_conflict" in flagged(report(MILIARY, "Both lung fields are clear."))
    assert flagged(report(MILIARY, "Miliary pattern, ?miliary tuberculosis. Sputum GeneXpert advised.")) == set()


def test_calcified_tiny_nodules_are_no_miliary_pattern() -> None:
    findings = "Innumerable tiny calcified nodules throughout both lungs, old granulomatous disease."
    assert flagged(report(findings, "No acute cardiopulmonary disease.")) == set()


def test_a_ratio_left_as_dots_is_a_field() -> None:
    text = report("The heart is normal in size and shape (CTR ...). Lungs are clear.", "Normal chest.")
    assert "placeholder" in flagged(text)
    assert "placeholder" not in flagged(text.replace("CTR ...", "CTR 0.45"))
