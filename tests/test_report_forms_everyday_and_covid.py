"""Report forms from the v43-v45 blind looks, fixed after them: the everyday general list (clear costophrenic angles,
a mid-zone finding against a lower-lobe one, suture material), chest findings on other studies (a lobe collapsed on
a spine film, an indeterminate nodule on a rib series) and COVID-era wording (ground glass, "the other lung clear", a
score left blank).

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report
from tests.fixtures.report_forms import flagged, report

# --- the everyday list ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("normal", ["Clear costophrenic angles.", "Sharp costophrenic angles.",
                                    "Preserved costophrenic angles."])
def test_costophrenic_angles_called_clear_before_the_noun_rule_out_an_effusion(normal: str) -> None:
    assert "negation_conflict" in flagged(report("Moderate left pleural effusion. Heart not enlarged.",
                                                 f"{normal} No acute abnormality."))
    # guard: with no effusion in the findings they agree
    assert flagged(report("Heart not enlarged. Lungs clear.", f"{normal} No acute abnormality.")) == set()


def test_a_mid_zone_finding_against_a_lower_lobe_one_on_the_other_side_is_a_side_conflict() -> None:
    # a lower lobe reaches the mid zone on a frontal film
    assert "laterality_conflict" in flagged(report("New airspace opacity in the right mid zone. Heart normal.",
                                                   "Left lower lobe pneumonia."))
    # guard: the same side agrees; and where the findings also place it on the impression's side, no conflict
    assert flagged(report("New airspace opacity in the right mid zone.", "Right lower lobe pneumonia.")) == set()
    assert "laterality_conflict" not in flagged(report(
        "Airspace opacity in the right mid zone and the left lower zone.", "Left lower lobe pneumonia."))


def test_upper_and_lower_zones_stay_apart() -> None:
    assert "laterality_conflict" not in flagged(report("Scarring at the right apex. Left basal atelectasis.",
                                                       "Left basal atelectasis. Right apical scarring."))


def test_suture_material_is_placed_where_it_lies() -> None:
    text = report("There is suture material at the right apex suggesting prior lung surgery. Lungs clear.",
                  "No pneumonia. Suture material along the left apex suggesting prior lung surgery.")
    assert "laterality_conflict" in flagged(text)
    assert flagged(text.replace("left apex", "right apex")) == set()


def test_a_finding_word_in_capitals_after_a_lower_case_word_opens_a_sentence_in_a_long_run() -> None:
    # "No evidence of pneumonia or aspiration Suture material ...": the negation ends where the new sentence starts
    parsed = parse_report(report("Suture material at the right apex. Lungs clear.",
                                 "No evidence of pneumonia or aspiration Suture material along the right apex"))
    sutures = [o for o in parsed.observations if o.name == "Surgical Clips" and o.section == "IMPRESSION"]
    assert [o.polarity for o in sutures] == ["present"]


# --- other studies that show the chest --------------------------------------------------------------------------------

def test_an_indeterminate_nodule_is_a_nodule() -> None:
    text = ("RIBS LEFT + CHEST PA\nFINDINGS:\nRibs: intact.\nChest: No pulmonary nodule. The lungs are clear.\n"
            "IMPRESSION: Indeterminate 12 mm left pulmonary nodule. Recommend CT thorax.")
    assert "negation_conflict" in flagged(text)
    nodules = [o for o in parse_report(text).observations if o.name == "Nodule" and o.section == "IMPRESSION"]
    assert [o.polarity for o in nodules] == ["present"]


def test_indeterminate_for_a_finding_still_hedges_it() -> None:
    parsed = parse_report(report("Right lower zone opacity.", "Indeterminate for pneumonia."))
    assert [o.polarity for o in parsed.observations if o.name == "Pneumonia"] == ["uncertain"]


def test_a_collapsed_lobe_is_no_streak_at_a_base_whatever_its_sentence_says_of_the_base() -> None:
    findings = ("Vertebral heights maintained. Increased density at the left base with loss of the left "
                "hemidiaphragm outline and crowding of vessels: left lower lobe collapse.")
    assert "negation_conflict" in flagged(report(findings, "The lungs are clear and fully expanded."))
    # (and the other way round: findings calling the lungs clear against the impression's collapse)
    assert "negation_conflict" in flagged(report("The lungs are clear and fully expanded.", findings))
    # guard: findings that call the lungs clear beside the impression's plate atelectasis at a base: what real reports
    # say (an impression calling the lungs clear denies it: twentieth session)
    assert flagged(report("The lungs are clear.", "Plate atelectasis at the left base.")) == set()


# --- COVID-era wording --------------------------------------------------------------------------------------------

def test_ground_glass_is_an_airspace_finding() -> None:
    text = report("Bilateral peripheral, lower-zone predominant ground-glass opacities. Moderate left effusion.",
                  "1. Moderate left effusion.\n2. Heart size normal.")
    assert "impression_omits_finding" in flagged(text)
    assert "negation_conflict" in flagged(report("Patchy ground-glass change in the left lower zone.",
                                                 "Lungs are clear."))
    # guards: a ground-glass nodule is a nodule; a little ground glass from a known cause need not be summarised
    nodule = parse_report(report("A 7 mm ground-glass nodule in the right upper lobe.", "Nodule."))
    assert {o.name for o in nodule.observations if o.section == "FINDINGS"} == {"Nodule"}
    assert "impression_omits_finding" not in flagged(report(
        "Known left upper lobe lesion with a little surrounding ground-glass change from post-biopsy haemorrhage.",
        "Minor post-biopsy haemorrhage around the known left upper lobe lesion."))


@pytest.mark.parametrize("other", ["the other lung clear", "the contralateral lung is clear",
                                   "the rest of the lungs clear"])
def test_the_other_lung_clear_is_clear_but_for_the_finding_beside_it(other: str) -> None:
    findings = f"Patchy peripheral ground-glass change in the left lower zone, {other}."
    assert flagged(report(findings, "Peripheral left lower zone ground-glass opacity, indeterminate for COVID-19.")) \
        == set()
    assert "laterality_conflict" in flagged(report(findings, "Peripheral right lower zone ground-glass opacity."))


def test_an_opacity_the_impression_places_contradicts_findings_that_call_the_lungs_clear() -> None:
    assert "negation_conflict" in flagged(report("The heart is normal. Lungs are clear.",
                                                 "Unilateral peripheral right lower zone opacity."))
    # guards: a queried density explained in the impression, and an opacity the findings also describe
    assert flagged(report("The heart is normal. The lungs are clear.",
                          "No acute abnormality. Reader 2 queried a density at the left apex: the first "
                          "costochondral junction.")) == set()
    assert "negation_conflict" not in flagged(report(
        "The lungs are free of focal airspace disease. Some bandlike opacities in the left base.",
        "Opacities in the lingula. The appearance suggests scarring or atelectasis."))


def test_a_negation_of_a_developing_finding_rules_out_a_new_one_only() -> None:
    assert flagged(report("Interstitial opacities persist at both bases. No developing airspace opacity.",
                          "Stable groundglass and interstitial markings at the lung bases.")) == set()


def test_a_named_sign_ruled_out_is_no_plain_negation_of_the_finding() -> None:
    text = report("Bilateral peripheral lower-zone ground-glass opacities. No Westermark sign, no Hampton hump.",
                  "Bilateral ground-glass opacities, classic COVID-19.")
    assert "section_contradiction" not in {i.kind for i in check_report(text)}


@pytest.mark.parametrize("blank", ["RALE score: __/8.", "Brixia score: ___."])
def test_a_score_left_blank_is_a_template_field_even_among_masks(blank: str) -> None:
    text = ("HISTORY: ___ F with cough. Referred by Dr. ___.\nFINDINGS: Heart normal. Left effusion.\n"
            f"IMPRESSION: Left effusion. {blank}\nSigned: ___ FRCR ___")
    assert "placeholder" in flagged(text)
    # guard: a date's mask with a slash is a mask
    assert "placeholder" not in flagged(text.replace(blank, "").replace("cough.", "cough. Comparison ___/11 ___."))
