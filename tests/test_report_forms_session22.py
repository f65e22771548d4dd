"""Report forms fixed in the twenty-second session.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report
from tests.fixtures.report_forms import flagged, report

# --- a sign-off on the header's own line: the section holds nothing ---------------------------------------------------


@pytest.mark.parametrize("signature", [
    "Electronically signed: ___, MD",
    "Reported by: ___ (Consultant Radiologist)",
    "Attending radiologist: XXXX, MD. I have personally reviewed the images and agree with the findings.",
    "Dr XXXX, Radiology SpR, on behalf of Dr XXXX (Consultant).",
])
def test_a_sign_off_on_the_findings_header_line_leaves_the_findings_empty(signature: str) -> None:
    text = f"CHEST, ONE VIEW.\nIndication: Cough.\nFindings: {signature}\nImpression: No active disease.\n"
    issues = [i for i in check_report(text) if i.kind == "missing_section"]
    assert [(i.section, i.severity) for i in issues] == [("findings", "warning")]


def test_a_sentence_after_the_header_that_names_its_reader_is_still_the_findings() -> None:
    # the read itself follows the reader's name: not a sign-off
    text = ("Findings: Reported by Dr Okafor: the lungs are clear and the heart size is normal.\n"
            "Impression: No active disease.\n")
    assert "missing_section" not in flagged(text)


def test_a_sign_off_under_its_own_footer_line_still_ends_the_report() -> None:
    text = ("Findings: The lungs are clear. No effusion.\nImpression: Normal chest.\n"
            "Dr A. Mensah, Radiology SpR, on behalf of Dr B. Hale (Consultant).\n")
    assert flagged(text) == set()


# --- a rib's lytic lesion, an indwelling pleural catheter and a bulla: sides both sections give -----------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Lytic destructive lesion of the right sixth rib, in keeping with a metastasis. No fracture.",
     "Lytic metastasis of the left sixth rib."),
    ("Expansile lesion of the left fourth rib. The lungs are clear.", "Right fourth rib metastasis."),
    ("Right tunnelled pleural catheter (PleurX) in situ, its tip at the right base. No pneumothorax.",
     "Left PleurX catheter in satisfactory position."),
    ("Right indwelling pleural catheter in situ. No pneumothorax.", "Left IPC in situ."),
    ("Large bulla in the left upper lobe. The lungs are otherwise clear.", "Bullous emphysema, right upper lobe."),
    ("Bulky lobulated left hilum in keeping with lymphadenopathy.", "Right hilar lymphadenopathy."),
    ("Loculated gas and fluid under the right hemidiaphragm, separate from the bowel.",
     "Probable left subphrenic collection."),
])
def test_a_side_flipped_between_the_sections_is_a_laterality_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize(("findings", "impression"), [
    ("Lytic destructive lesion of the right sixth rib, in keeping with a metastasis. No fracture.",
     "Lytic metastasis of the right sixth rib."),
    ("Right tunnelled pleural catheter (PleurX) in situ, its tip at the right base. Small left effusion.",
     "Right PleurX catheter in satisfactory position. Small left effusion."),
    ("Large bulla in the left upper lobe. The lungs are otherwise clear.", "Bullous emphysema, left upper lobe."),
    ("Loculated gas and fluid under the right hemidiaphragm, separate from the bowel.",
     "Probable right subphrenic collection."),
    # (a rib lesion on one side and a catheter on the other are two findings, each on its own side)
    ("Sclerotic lesion of the right fifth rib. Left indwelling pleural catheter.",
     "Right rib metastasis. Left IPC in situ."),
])
def test_the_same_side_in_both_sections_is_no_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in flagged(report(findings, impression))


def test_bullous_emphysema_without_a_side_is_still_emphysema() -> None:
    # "bullous emphysema" with no side is the diffuse disease, which "no emphysema" rules out
    assert "negation_conflict" in flagged(report("Bullous emphysema. No effusion.", "No emphysema."))


def test_normal_hila_beside_a_bulky_hilum_is_a_negation_conflict() -> None:
    assert "negation_conflict" in flagged(report("Bulky lobulated right hilum in keeping with lymphadenopathy.",
                                                 "Normal hila."))


# --- the largest of lesions on both sides: its side is compared -------------------------------------------------------

_BOTH_LUNGS = ("Multiple rounded nodules throughout both lungs, the largest measuring 15 mm in the {side} mid zone, "
               "more numerous than on the previous film. No effusion.")


def test_the_largest_lesion_placed_on_opposite_sides_is_a_laterality_conflict() -> None:
    text = report(_BOTH_LUNGS.format(side="left"),
                  "Multiple pulmonary metastases, increased in number; largest deposit right mid zone.")
    issues = [i for i in check_report(text) if i.kind == "laterality_conflict"]
    assert issues and "largest on the left" in issues[0].message


@pytest.mark.parametrize("impression", [
    "Multiple pulmonary metastases, increased in number; largest deposit left mid zone.",
    # (one section alone naming the largest: the other's "both lungs" holds it)
    "Multiple pulmonary metastases, increased in number.",
    "Bilateral pulmonary metastases.",
])
def test_the_largest_lesion_on_one_side_or_unnamed_is_no_conflict(impression: str) -> None:
    assert "laterality_conflict" not in flagged(report(_BOTH_LUNGS.format(side="left"), impression))


# --- lymphangitis carcinomatosa: the reticular pattern and its septal lines are its own -------------------------------

_LYMPHANGITIS = ("Bilateral coarse reticular interstitial shadowing with septal lines, most marked at the bases, "
                 "increased since the previous film. No pulmonary oedema. No focal consolidation.")


def test_an_impression_naming_lymphangitis_summarises_the_reticular_shadowing_and_its_septal_lines() -> None:
    impression = "Appearances in keeping with lymphangitis carcinomatosa, progressed."
    assert flagged(report(_LYMPHANGITIS, impression)) == set()


def test_progressing_reticular_shadowing_left_out_of_the_impression_is_still_an_omission() -> None:
    assert "impression_omits_finding" in flagged(report(_LYMPHANGITIS, "No acute cardiopulmonary abnormality."))


def test_no_interstitial_abnormality_beside_reticular_shadowing_is_a_negation_conflict() -> None:
    assert "negation_conflict" in flagged(report(_LYMPHANGITIS, "No interstitial abnormality."))


def test_septal_lines_alone_are_still_oedema() -> None:
    # not in a reticular pattern's sentence: the lines are the oedema's, which a normal impression leaves out
    assert "impression_omits_finding" in flagged(report("Septal lines at both bases. Upper lobe diversion.",
                                                        "No acute cardiopulmonary abnormality."))


# --- round 47: a line's side after its name, the port and the Hickman line by name ------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Tunnelled dialysis catheter via the left internal jugular vein, tip at the right atrium.",
     "Right IJ tunnelled dialysis catheter in satisfactory position."),
    ("Left port-a-cath, tip in the lower superior vena cava.", "Satisfactory position of the right port."),
    ("Left tunnelled central venous catheter (Hickman line) in situ, its tip at the cavoatrial junction.",
     "Right Hickman line in satisfactory position."),
])
def test_a_line_placed_on_the_other_side_in_the_impression_is_a_laterality_conflict(findings: str,
                                                                                     impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize(("findings", "impression"), [
    # (the tip's side is where it lies: a left-sided line reaches the right atrium)
    ("Tunnelled dialysis catheter via the left internal jugular vein, tip at the right atrium.",
     "Left IJ tunnelled dialysis catheter in satisfactory position."),
    ("Right-sided port-a-cath with the tip at the SVC/right atrial junction.", "Right port tip appropriately sited."),
    ("Right-sided tunnelled central venous catheter (Hickman line) with the tip in the lower SVC.",
     "Right Hickman line tip appropriately sited."),
])
def test_a_line_on_the_same_side_in_both_sections_is_no_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in flagged(report(findings, impression))


def test_calcified_hilar_nodes_named_in_either_word_order_keep_their_side() -> None:
    assert "laterality_conflict" in flagged(report("The left hilar calcified lymph nodes appear stable.",
                                                   "Stable right calcified hilar lymph nodes."))
    assert "laterality_conflict" not in flagged(report("The left hilar calcified lymph nodes appear stable.",
                                                       "Stable left calcified hilar lymph nodes."))


# --- round 47: a header for both sections, a reader's department, lymphoma and its nodes ------------------------------


@pytest.mark.parametrize("header", ["Report and impression", "Report/Impression", "Findings and impression"])
def test_one_header_for_the_report_and_its_impression_heads_both(header: str) -> None:
    text = (f"XR Chest\nClinical details: Fever.\n{header}:\nThe lungs are clear. No pleural effusion. Heart not "
            "enlarged.\n\nDr Murray / Dr Walsh, Radiology\n")
    assert flagged(text) == set()


def test_a_report_header_alone_still_leaves_the_impression_missing() -> None:
    text = "XR Chest\nReport:\nThe lungs are clear. No pleural effusion.\n\nDr Murray, Radiology\n"
    assert "missing_section" in flagged(text)


def test_a_readers_department_after_the_name_is_a_sign_off_not_the_findings() -> None:
    text = "FINDINGS: The lungs are clear.\nIMPRESSION:\nDr Murray / Dr Walsh, Radiology\n"
    assert "missing_section" in flagged(text)


@pytest.mark.parametrize(("findings", "impression"), [
    ("Mediastinal widening with a bulky right hilar and paratracheal soft tissue mass. The lungs are clear.",
     "Mediastinal widening due to known lymphoma, smaller than the previous film."),
    ("Lobulated mediastinal widening, most marked on the right, in keeping with nodal disease.",
     "Bulky right-sided mediastinal nodal disease, unchanged from previously."),
])
def test_an_impression_naming_the_nodal_disease_summarises_the_widened_mediastinum(findings: str,
                                                                                     impression: str) -> None:
    assert "impression_omits_finding" not in flagged(report(findings, impression))


def test_a_widened_mediastinum_left_out_of_a_normal_impression_is_still_an_omission() -> None:
    findings = "Mediastinal widening with a bulky right paratracheal soft tissue mass."
    assert "impression_omits_finding" in flagged(report(findings, "No acute cardiopulmonary abnormality."))


def test_a_nodal_mass_is_not_ruled_out_by_no_lung_mass() -> None:
    findings = ("Widening of the superior mediastinum, lobulated right paratracheal contour. No consolidation, "
                "collapse or mass.")
    assert "negation_conflict" not in flagged(report(findings, "Right paratracheal nodal mass, larger than before."))
    # (a lung mass still is)
    assert "negation_conflict" in flagged(report(findings, "Right upper lobe mass, larger than before."))


def test_a_lung_nodule_projecting_over_a_rib_is_still_in_the_lung() -> None:
    findings = ("Poorly defined lung nodule in the right upper zone measuring 7 mm, partially superimposed upon the "
                "anterior right second rib. Otherwise, the lungs are clear.")
    assert "negation_conflict" in flagged(report(findings, "No focal lung lesion."))
    # (a lesion of the rib itself is none of the lung's)
    assert "negation_conflict" not in flagged(report("Sclerotic lesion of the right second rib. The lungs are clear.",
                                                     "No focal lung lesion."))


# --- round 47: a pregnancy's gestation left unfilled; clips by the vessel they close ----------------------------------


@pytest.mark.parametrize("history", ["XX/40, severe pre-eclampsia.", "XX weeks gestation, acute SOB.",
                                     "xx+x/40, cough."])
def test_an_unfilled_gestation_is_a_placeholder(history: str) -> None:
    assert "placeholder" in flagged(f"History: {history}\nFINDINGS: The lungs are clear.\nIMPRESSION: Normal chest.\n")


@pytest.mark.parametrize("history", ["32/40, cough.", "XXXX weeks gestation, cough.", "Cough x 2 weeks.",
                                     "Pregnant, 30 weeks."])
def test_a_gestation_given_or_masked_is_no_placeholder(history: str) -> None:
    assert flagged(f"History: {history}\nFINDINGS: The lungs are clear.\nIMPRESSION: Normal chest.\n") == set()


def test_vascular_clips_are_a_finding_an_impression_only_report_describes() -> None:
    text = ("CHEST PA\nClinical history: Dialysis.\n\nComment:\nExtensive vascular calcification. Vascular clips over "
            "the right axilla from previous fistula surgery. Cardiac size within normal limits.\n")
    assert "missing_section" not in flagged(text)
    # (one finding alone is no description of the film: the findings are still to write)
    assert "missing_section" in flagged("CHEST PA\n\nComment:\nCardiac size within normal limits.\n")


# --- round 48: a mastectomy, fiducial markers and a central venous device keep their sides ----------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Left mastectomy with surgical clips in the left axilla. No focal consolidation.",
     "Post right mastectomy and axillary clearance."),
    ("Left breast tissue expander in situ. Left lower lobe consolidation.",
     "Left lower lobe consolidation. Right breast tissue expander in situ."),
    ("Four fiducial markers projected over the left lower lung, in a stable position.",
     "Fiducial markers in situ in the right lung."),
    ("Right subclavian Port-a-Cath with tip projected over the lower SVC.",
     "Left-sided central venous device in satisfactory position."),
])
def test_a_mastectomy_marker_or_device_on_the_other_side_is_a_laterality_conflict(findings: str,
                                                                                    impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings, impression))


@pytest.mark.parametrize(("findings", "impression"), [
    ("Left mastectomy with surgical clips in the left axilla. No focal consolidation.",
     "Post left mastectomy and axillary clearance."),
    # (a mastectomy's side is its own, not the pneumonia's on the other side)
    ("Left mastectomy. Right lower lobe consolidation.", "Right lower lobe pneumonia. Post left mastectomy."),
    ("Four fiducial markers projected over the left lower lung, in a stable position.",
     "Fiducial markers in situ in the left lung."),
])
def test_a_mastectomy_or_marker_on_the_same_side_is_no_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in flagged(report(findings, impression))


# --- round 48: a finding absent from the baseline film is new; "no new X" against one called new ----------------------


def test_a_finding_not_present_on_the_baseline_film_is_affirmed_and_new() -> None:
    findings = "New patchy consolidation in the right lower zone, not present on the baseline radiograph."
    assert "impression_omits_finding" in flagged(report(findings, "No acute cardiopulmonary abnormality."))
    findings = "A 7 mm nodular opacity in the left mid zone, not clearly seen on the prior radiograph. No effusion."
    assert "impression_omits_finding" in flagged(report(findings, "No acute cardiopulmonary abnormality."))


def test_no_new_nodule_against_a_nodule_called_new_is_a_negation_conflict() -> None:
    findings = "A new 8 mm rounded opacity is seen in the left lower lobe. No focal consolidation."
    assert "negation_conflict" in flagged(report(findings, "No evidence of new lung nodule."))
    # (against one called unchanged, "no new nodule" says nothing)
    findings = "An 8 mm nodule in the left lower lobe, unchanged since the prior study."
    assert "negation_conflict" not in flagged(report(findings, "Stable left lower lobe nodule. No new nodule."))


# --- round 48: a displaced fracture against "no displaced fracture"; a caveat that fractures may be occult ------------


@pytest.mark.parametrize("findings", ["No displaced rib fracture is identified. Lungs clear.",
                                      "No rib fracture demonstrated, although undisplaced fractures may be occult."])
def test_a_displaced_fracture_ruled_out_by_the_findings_is_a_negation_conflict(findings: str) -> None:
    assert "negation_conflict" in flagged(report(findings, "Displaced right 6th rib fracture."))


def test_no_displaced_fracture_beside_an_undisplaced_one_is_no_conflict() -> None:
    assert "negation_conflict" not in flagged(report("No displaced rib fracture is identified. Lungs clear.",
                                                     "Undisplaced right 6th rib fracture."))


# --- round 48: non-tuberculous mycobacteria and a bronchiectatic exacerbation's side ----------------------------------


def test_known_ntm_disease_in_the_impression_names_the_cavity_and_the_infection() -> None:
    findings = ("Widespread peribronchial thickening, similar to the previous film. Nodular opacities with a "
                "thin-walled cavity in the left upper lobe, in keeping with known NTM infection, unchanged.")
    impression = "Diffuse bronchial wall thickening, unchanged. Known left upper zone NTM disease, no interval change."
    assert flagged(report(findings, impression)) == set()


def test_bronchial_wall_thickening_placed_on_the_other_side_is_a_laterality_conflict() -> None:
    findings = ("Increased bronchial wall thickening and peribronchial opacity in the left lower zone compared with "
                "baseline.")
    impression = "Increased {side} lower zone bronchial wall thickening."
    assert "laterality_conflict" in flagged(report(findings, impression.format(side="right")))
    assert "laterality_conflict" not in flagged(report(findings, impression.format(side="left")))
    # (on both sides in one section, one side in the other: no conflict)
    assert "laterality_conflict" not in flagged(report("Bilateral peribronchial cuffing.",
                                                       "Right perihilar peribronchial thickening."))


def test_what_new_nodular_and_tubular_opacities_are_read_as_is_new_too() -> None:
    findings = ("Widespread bronchiectatic change in both lungs, as before. New nodular and tubular opacities in the "
                "right upper zone consistent with mucus plugging.")
    assert "impression_omits_finding" in flagged(report(findings, "Known bronchiectasis, unchanged."))
    assert "negation_conflict" in flagged(report(findings, "Stable appearances. No new mucus plugging."))
    # (named in the impression, nothing is left out)
    assert flagged(report(findings, "New right upper zone mucus plugging. Known bronchiectasis.")) == set()


# --- round 49: a retrosternal goitre, the trachea's side, a haemothorax's opacity, a known disease's background --


@pytest.mark.parametrize(("findings", "impression"), [
    ("Soft tissue mass at the thoracic inlet extending into the superior mediastinum, displacing the trachea to the "
     "right, consistent with retrosternal goitre. Lungs clear.",
     "Known retrosternal goitre displacing the trachea to the right."),
    ("Widening of the superior mediastinum with deviation of the trachea to the left, in keeping with the known "
     "retrosternal goitre. Lungs clear.", "Retrosternal goitre with tracheal deviation to the left."),
])
def test_a_retrosternal_goitre_names_the_mass_and_the_widened_mediastinum(findings: str, impression: str) -> None:
    assert flagged(report(findings, impression)) == set()
    # (the trachea pushed the other way is a side flipped)
    flipped = impression.replace("right", "LEFT").replace("left", "right").replace("LEFT", "left")
    assert "laterality_conflict" in flagged(report(findings, flipped))


def test_a_trachea_called_central_against_one_displaced_is_a_negation_conflict() -> None:
    findings = "Soft tissue mass at the thoracic inlet displacing the trachea to the left, consistent with goitre."
    assert "negation_conflict" in flagged(report(findings, "The trachea is central."))
    assert flagged(report("The trachea is central. The lungs are clear.", "Normal chest.")) == set()


def test_an_opacity_read_as_a_haemothorax_is_the_haemothorax_the_impression_names() -> None:
    findings = ("New homogeneous opacification of the right hemithorax with a meniscus, consistent with a right "
                "haemothorax. No pneumothorax.")
    assert flagged(report(findings, "Right haemothorax (new).")) == set()


def test_the_background_of_a_known_disease_need_not_be_summarised_but_new_airspace_disease_must() -> None:
    findings = ("New left-sided pneumothorax measuring 3 cm at the apex. Background bilateral patchy airspace "
                "opacification in keeping with known COVID-19.")
    assert "impression_omits_finding" not in flagged(report(findings, "Left-sided pneumothorax, no tension."))
    findings = "New left-sided pneumothorax. New patchy airspace opacification in the right lower zone."
    assert "impression_omits_finding" in flagged(report(findings, "Left-sided pneumothorax, no tension."))


def test_a_consolidation_on_a_background_of_another_disease_is_still_to_summarise() -> None:
    findings = "Right lower lobe consolidation on a background of COPD. Left apical pleural thickening."
    assert "impression_omits_finding" in flagged(report(findings, "1. COPD. 2. Left apical pleural thickening."))


def test_opacities_after_a_recent_infection_are_its_residue_not_an_infection_to_name() -> None:
    findings = ("Incidental 10 mm rounded nodule in the left lower zone. Minor residual opacities after recent "
                "COVID-19 infection.")
    assert "impression_omits_finding" not in flagged(report(findings, "10 mm left pulmonary nodule. CT recommended."))


def test_a_ventricular_cavity_and_a_white_out_are_no_lesion_and_an_opacity() -> None:
    findings = ("Impella device with the inlet projected over the left ventricular cavity. Dense bilateral airspace "
                "opacification, near white-out of both lungs, on ECMO.")
    assert flagged(report(findings, "Bilateral white-out, unchanged.")) == set()
    # (a lung's cavity is still a lesion to name)
    assert "impression_omits_finding" in flagged(report("Thick-walled cavity in the right upper lobe.",
                                                        "No acute cardiopulmonary abnormality."))


def test_a_pneumomediastinum_is_never_left_out_of_the_impression() -> None:
    findings = ("Lucency outlining the mediastinum and extending into the neck, in keeping with pneumomediastinum. "
                "No pneumothorax.")
    assert "impression_omits_finding" in flagged(report(findings, "Known bilateral COVID-19 pneumonitis."))


def test_every_term_opens_on_letters_the_dispatcher_can_read() -> None:
    # a term that opens on a lookbehind ("\b(?<=right\s)port") may start with any letter, so it is tried at every word
    # of every report: 5-10 % of the checker's time for one such term (measured on the IU archive, this session)
    from medrag_core.reports import vocabulary

    if vocabulary._sre_parse is None:
        pytest.skip("this Python has no re._parser to read the terms with")
    anywhere = [finding for pattern, finding, _ in vocabulary.LEXICON
                if vocabulary._first_chars(vocabulary._sre_parse.parse(pattern, 2)) is None]
    assert anywhere == []
