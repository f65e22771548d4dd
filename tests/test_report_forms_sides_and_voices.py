"""Report forms from the v25-v27 blind looks: sides written in brackets or as a list's label, a finding on both sides
said to be worse on one, other people's words quoted beside the radiologist's own (the referrer's question, other
imaging), and the rarer words of a chest film (loculated fluid, a lobe's volume loss, acute rib fractures).

Each test is a general rule written from what the looks showed, in sentences of our own; guards keep what must not
change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report
from medrag_core.reports.vocabulary import LEANING, SIDE
from tests.fixtures.report_forms import flagged

# --- sides in brackets and as a list's label ----------------------------------------------------------------------

@pytest.mark.parametrize("text,side", [("(R) apical pneumothorax", "r1"), ("small (L) pleural fluid", "l1"),
                                       ("R) lung: clear", "r1")])
def test_a_capital_side_letter_in_brackets_or_heading_a_line_is_a_side(text: str, side: str) -> None:
    assert [m.lastgroup for m in SIDE.finditer(text)] == [side]


@pytest.mark.parametrize("text", ["Grade A R.", "see R) above", "(LR) view", "L-spine"])
def test_other_capital_letters_are_no_side(text: str) -> None:
    assert not list(SIDE.finditer(text))


def test_bracketed_sides_are_compared() -> None:
    assert "laterality_conflict" in flagged("FINDINGS: (R) apical pneumothorax, rim 1.5 cm.\n"
                                            "IMPRESSION: (L) apical pneumothorax; clinical team informed.")
    assert flagged("FINDINGS: Small (L) pleural fluid.\nIMPRESSION: Small (L) pleural effusion.") == set()


def test_a_side_labelled_line_places_its_finding() -> None:
    text = ("FINDINGS:\nR) lung: Moderate pleural effusion on this side, with a meniscus.\nL) lung: Clear.\n"
            "IMPRESSION:\nLt pleural effusion.")
    assert "laterality_conflict" in flagged(text)
    assert "laterality_conflict" not in flagged(text.replace("Lt pleural", "Rt pleural"))


# --- a finding on both sides, worse on one ------------------------------------------------------------------------

@pytest.mark.parametrize("text,side", [
    ("Bilateral pleural effusions (right greater than left).", "right"), ("Bibasal pneumonia, R > L.", "right"),
    ("effusions at both bases, more on the left", "left"), ("consolidation, predominantly left-sided", "left"),
    ("oedema, worse on the right", "right"), ("left-predominant opacities", "left"), ("more right than left", "right"),
    ("Lt > Rt", "left"),
])
def test_the_side_a_finding_leans_to(text: str, side: str) -> None:
    assert {m.lastgroup.rstrip("234") for m in LEANING.finditer(text) if m.lastgroup} == {side}


@pytest.mark.parametrize("findings,impression", [
    ("Pleural effusions at both bases, more on the left, the larger reaching the mid zone.",
     "Bilateral pleural effusions (right greater than left)."),
    ("Bibasal airspace consolidation, predominantly left-sided.", "Bibasal pneumonia, R > L."),
    ("Interstitial and alveolar oedema at both bases, more on the left.", "Pulmonary oedema, asymmetric (R > L)."),
])
def test_a_finding_worse_on_opposite_sides_is_a_laterality_conflict(findings: str, impression: str) -> None:
    issues = [i for i in check_report(f"FINDINGS: {findings}\nIMPRESSION: {impression}")
              if i.kind == "laterality_conflict"]
    assert len(issues) == 1 and issues[0].severity == "error" and "worse on the" in issues[0].message


def test_a_finding_worse_on_the_same_side_in_both_sections_is_consistent() -> None:
    assert flagged("FINDINGS: Pleural effusions at both bases, more on the left.\n"
                   "IMPRESSION: Bilateral pleural effusions, L > R.") == set()
    # guard: "more on the right and left" names no one side
    assert flagged("FINDINGS: Effusions at both bases, more on the right and left than before.\n"
                   "IMPRESSION: Bilateral pleural effusions, right greater than left.") == set()


def test_an_opacity_read_as_oedema_after_a_colon_is_the_oedemas() -> None:
    assert flagged("FINDINGS: Bilateral perihilar airspace shadowing, R > L, with upper lobe venous diversion and "
                   "septal lines: pulmonary oedema.\nIMPRESSION: Pulmonary oedema, asymmetric (R > L).") == set()


# --- other people's words --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Ward reports: ?lung lesion.", "History per the ED physician: ?consolidation.",
                                    "Clinical query: ?left lower lobe collapse.",
                                    "Clinical details from the request card: ?mass."])
def test_the_referrers_question_is_the_indication(header: str) -> None:
    text = f"XR CHEST PA\n{header}\nComparison: ___\nIMPRESSION:\nNo acute abnormality."
    parsed = parse_report(text)
    assert "INDICATION" in parsed.sections and "FINDINGS" not in parsed.sections
    # nothing the referrer asked about is read as a finding the impression left out; the report has no findings
    assert flagged(text) == {"missing_section"}


def test_what_other_imaging_showed_is_not_this_films_finding() -> None:
    text = ("FINDINGS:\nNo pneumothorax.\nNo focal lung abnormality.\nNo pleural effusion.\nCORRELATION:\n"
            "Ultrasound per the respiratory team showed a small right effusion; not appreciable radiographically.\n"
            "IMPRESSION:\nNo pneumothorax. Heart and lungs normal.")
    assert flagged(text) == set()


@pytest.mark.parametrize("impression", ["Left apical pneumothorax, no tension, as queried.",
                                        "Moderate left pleural effusion, as clinically suspected.",
                                        "Left lower lobe collapse - bronchoscopy may be considered."])
def test_a_finding_confirmed_as_queried_or_beside_advice_is_affirmed(impression: str) -> None:
    text = ("FINDINGS: Heart size is normal. The lungs are clear. Costophrenic angles are sharp. No pneumothorax. "
            f"No pleural effusion.\nIMPRESSION: {impression}")
    assert "negation_conflict" in flagged(text)


def test_no_lobar_collapse_does_not_deny_a_streak_of_atelectasis() -> None:
    assert flagged("FINDINGS: Linear atelectasis at the left base. No volume loss.\n"
                   "IMPRESSION: No lobar collapse as queried.") == set()
    # guard: a lobe's collapse is what it denies
    assert "negation_conflict" in flagged("FINDINGS: Collapse of the left lower lobe.\nIMPRESSION: No lobar collapse.")


# --- lung lesions and the hila ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("denial", ["No focal lung lesion.", "No focal lung abnormality."])
def test_a_denial_of_any_lung_lesion_stands_against_a_nodule_of_6_mm(denial: str) -> None:
    text = (f"FINDINGS: No effusion. Well-defined 8 mm nodule projected over the left mid zone, lateral to the hilum.\n"
            f"IMPRESSION: {denial} No other acute abnormality.")
    assert "negation_conflict" in flagged(text)
    # guard: a nodule under 6 mm is no lesion the impression must answer for
    assert "negation_conflict" not in flagged(text.replace("8 mm", "4 mm"))


def test_clear_lungs_against_a_large_nodule_placed_beside_the_hilum() -> None:
    assert "negation_conflict" in flagged("FINDINGS: Heart size is normal. Well-defined 18 mm nodule projected over "
                                          "the right mid zone, lateral to the hilum.\nIMPRESSION: The lungs are clear.")


def test_normal_hila_against_a_hilar_mass() -> None:
    assert "negation_conflict" in flagged("FINDINGS: Lobulated 4 cm mass at the right hilum. Heart size is normal.\n"
                                          "IMPRESSION: Hila are normal. No other acute abnormality.")
    # guard: the findings' own mixed picture is no conflict with an impression that names the mass
    assert "negation_conflict" not in flagged("FINDINGS: Hila are normal. Right hilar mass.\n"
                                              "IMPRESSION: Right hilar mass.")


# --- the rarer words of a chest film ----------------------------------------------------------------------------------

def test_loculated_fluid_is_an_effusion_an_impression_must_name() -> None:
    findings = ("FINDINGS: No focal consolidation. Loculated fluid in the left posterior costophrenic recess, with a "
                "convex upper border.\n")
    assert "impression_omits_finding" in flagged(findings + "IMPRESSION: Dilated bowel loop in the left flank.")
    assert "laterality_conflict" in flagged(findings + "IMPRESSION: Loculated right pleural fluid - ? empyema.")


def test_a_lobes_volume_loss_is_its_collapse() -> None:
    text = ("FINDINGS: Volume loss in the left lower lobe: the left hemidiaphragm is elevated and the left hilum "
            "depressed.\nIMPRESSION: ")
    assert "impression_omits_finding" in flagged(text + "Spiculated left upper zone mass. CT chest recommended.")
    assert "laterality_conflict" in flagged(text + "Right lower lobe collapse.")
    # guard: a lobe's volume loss with no sign of collapse may be a scarred lobe's, and is not one to name
    assert flagged("FINDINGS: Right lower lobe volume loss.\nIMPRESSION: No acute cardiopulmonary process.") == set()


@pytest.mark.parametrize("impression", ["No active disease in the chest.",
                                        "- Small left pleural effusion.\n- Left basal atelectasis."])
def test_new_rib_fractures_must_be_named(impression: str) -> None:
    text = f"FINDINGS: Heart size is normal. New fractures of the left 7th to 9th ribs.\nIMPRESSION: {impression}"
    assert "impression_omits_finding" in flagged(text)


def test_an_acute_fracture_left_out_is_no_warning() -> None:
    # the spec's list names no fracture; an acute one is not said to be new (blind writers labelled it both ways)
    assert flagged("FINDINGS: Acute, displaced fractures of the left 4th and 5th ribs. No pneumothorax.\n"
                   "IMPRESSION: No acute cardiopulmonary abnormality.") == set()


@pytest.mark.parametrize("findings", [
    "Visualized osseous structures demonstrate healed, remote bilateral rib fractures without acute abnormality.",
    "No acute osseous abnormality. Old healed left rib fractures.",
])
def test_old_fractures_beside_no_acute_abnormality_stay_unflagged(findings: str) -> None:
    assert flagged(f"FINDINGS: The lungs are clear. {findings}\nIMPRESSION: No acute cardiopulmonary abnormality.") \
        == set()


def test_an_infiltrate_in_a_lobe_is_airspace_disease_but_an_interstitial_one_is_not() -> None:
    impression = "IMPRESSION:\n- Postop changes of CABG with mild cardiomegaly.\n- Thoracic spondylosis."
    assert "impression_omits_finding" in flagged(
        f"FINDINGS: Postop changes of CABG with mild cardiomegaly. There is an infiltrate in the right lower lobe.\n"
        f"{impression}")
    assert "impression_omits_finding" not in flagged(
        "FINDINGS: The patchy right lower lobe interstitial infiltrates are largely unchanged. Heart size remains "
        "large.\nIMPRESSION: Persistent cardiomegaly and patchy bibasilar interstitial disease.")


# --- after the look's second pass -------------------------------------------------------------------------------------

def test_a_lobes_collapse_is_not_placed_by_a_streak_of_atelectasis_on_its_side() -> None:
    text = ("FINDINGS:\nCollapse of the left lower lobe.\nLinear atelectasis at the left base.\nNo pneumothorax.\n"
            "CONCLUSION:\n1. Right lower lobe collapse - bronchoscopy may be considered.\n"
            "2. Left basal linear atelectasis.")
    assert "laterality_conflict" in flagged(text)
    assert "laterality_conflict" not in flagged(text.replace("Right lower lobe collapse", "Left lower lobe collapse"))


def test_the_referring_clinicians_line_is_no_impression() -> None:
    text = ("FINDINGS:\nThe cardiac contours are normal. The lungs are clear.\nIMPRESSION:\n"
            "Referring clinician: Dr ___\nReported by: Dr ___, Consultant Radiologist")
    assert [i.message for i in check_report(text) if i.kind == "missing_section"] == [
        "The IMPRESSION section is empty."]


def test_a_hedge_after_a_dash_with_its_own_subject_hedges_that_subject() -> None:
    findings = "FINDINGS: The mediastinum is not widened.\nIMPRESSION: "
    assert "negation_conflict" in flagged(findings + "Mediastinal widening - aortic injury cannot be excluded.")
    # guard: a hedge straight after the dash is the finding's own
    impression = [(o.name, o.polarity) for o in parse_report("FINDINGS: x\nIMPRESSION: Small left effusion - likely.")
                  .observations if o.section == "IMPRESSION"]
    assert impression == [("Pleural Effusion", "uncertain")]


@pytest.mark.parametrize("normal", ["The lungs and hila are clear.", "Normal hilar and mediastinal contours."])
def test_more_ways_to_call_the_hila_normal(normal: str) -> None:
    assert "negation_conflict" in flagged(f"FINDINGS: {normal}\nIMPRESSION: Lobulated left hilar mass; CT advised.")
