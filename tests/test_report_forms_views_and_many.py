"""Report forms from the v28-v30 blind looks: films taken for a purpose (check films after a procedure, special
views), sizes written many ways, and several findings on both sides at once.

Each test is a general rule written from what the looks showed, in sentences of our own; guards keep what must not
change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged


def impression_sites(impression: str) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    parsed = parse_report(f"FINDINGS: Heart size is normal.\nIMPRESSION: {impression}")
    return [(o.name, o.sites) for o in parsed.observations if o.section == "IMPRESSION"]


# --- what a view was taken for --------------------------------------------------------------------------------------

@pytest.mark.parametrize("purpose", ["Left side down decubitus view added to assess free pleural fluid.",
                                     "Inspiratory and expiratory PA views obtained for pneumothorax."])
def test_what_a_view_was_taken_to_look_for_is_no_finding(purpose: str) -> None:
    assert flagged(f"FINDINGS: {purpose} No pneumothorax. No pleural effusion. The lungs are clear.\n"
                   "IMPRESSION: No acute findings.") == set()


def test_a_finding_seen_on_the_special_view_is_still_one() -> None:
    assert "impression_omits_finding" in flagged("FINDINGS: Moderate left pleural effusion layering on the decubitus "
                                                 "view.\nIMPRESSION: No acute findings.")


# --- the side inside a finding's own words --------------------------------------------------------------------------

def test_a_side_inside_the_findings_words_is_its_own() -> None:
    sites = dict(impression_sites("Elevated left hemidiaphragm; right basal atelectasis."))
    assert {side for side, _ in sites["Elevated Hemidiaphragm"]} == {"left"}
    assert {side for side, _ in sites["Atelectasis"]} == {"right"}
    # guard: a landmark's side beside a finding with its own side stays the landmark's
    assert dict(impression_sites("Left lower lobe opacity seen behind the right hemidiaphragm."))["Lung Opacity"] == (
        ("left", "lower"),)


def test_findings_by_side_labels_agree_with_an_impression_that_lists_them() -> None:
    text = ("FINDINGS:\nRight lung and pleura: Large pleural effusion; 5.5 cm spiculated mass in the upper zone.\n"
            "Left lung and pleura: Elevated hemidiaphragm.\nIMPRESSION:\nElevated left hemidiaphragm; right upper zone "
            "mass, CT recommended; large right pleural effusion.")
    assert flagged(text) == set()


# --- several findings on both sides ---------------------------------------------------------------------------------

def test_a_mass_side_swapped_beside_a_nodule_on_that_side() -> None:
    text = ("FINDINGS:\nRight lung and pleura: Moderate pleural effusion; 5.5 cm spiculated mass in the mid zone.\n"
            "Left lung and pleura: Small pleural effusion; 12 mm nodule in the mid zone.\nIMPRESSION:\n"
            "Bilateral pleural effusions, larger on the right; left mid zone mass, CT recommended; 12 mm left mid zone "
            "nodule.")
    assert "laterality_conflict" in flagged(text)
    assert "laterality_conflict" not in flagged(text.replace("left mid zone mass", "right mid zone mass"))


def test_a_streak_of_atelectasis_swapped_beside_a_lobes_collapse_on_that_side() -> None:
    text = ("FINDINGS:\n- Volume loss with a triangular opacity in keeping with right lower lobe collapse.\n"
            "- Right basal subsegmental atelectasis.\n- Small left pleural effusion.\nIMPRESSION:\n"
            "Right lower lobe collapse; small left pleural effusion; left basal atelectasis.")
    assert "laterality_conflict" in flagged(text)
    assert "laterality_conflict" not in flagged(text.replace("left basal atelectasis", "right basal atelectasis"))


@pytest.mark.parametrize("findings,impression", [
    ("Right lung: 9 mm nodule in the lower zone.\nLungs: No lung mass.",
     "Right lower zone nodule (9 mm), for CT; right upper zone mass, suspicious for malignancy."),
    ("Well-defined right mid zone nodule measuring 12 mm. Lobulated right upper zone mass measuring 3.1 cm.",
     "Right upper zone mass, suspicious for malignancy. No discrete lung nodule."),
    ("Collapse of the left lower lobe with shift of the fissure; basal subsegmental atelectasis.",
     "1. No collapse or consolidation.\n2. Left basal atelectasis."),
])
def test_another_kind_of_the_finding_beside_its_denial_is_no_mixed_picture(findings: str, impression: str) -> None:
    assert "negation_conflict" in flagged(f"FINDINGS: {findings}\nIMPRESSION: {impression}")


def test_a_nodule_beside_no_lung_mass_in_one_section_stays_unflagged() -> None:
    assert flagged("FINDINGS: No lung mass. 4 mm calcified granuloma in the left mid zone.\n"
                   "IMPRESSION: No acute disease.") == set()


# --- omissions ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("impression", ["No acute findings.",
                                        "1. Left lower lobe consolidation.\n2. Left chest wall surgical emphysema."])
def test_a_measured_mediastinum_called_wide_despite_the_projection_must_be_named(impression: str) -> None:
    text = ("FINDINGS: Single AP portable view. The mediastinum measures 9.5 cm at the aortic knuckle, wide even "
            f"allowing for the AP projection. No pneumothorax.\nIMPRESSION: {impression}")
    assert "impression_omits_finding" in flagged(text)
    # guard: a mediastinum put down to the projection is not
    assert flagged("FINDINGS: Widened mediastinum, accentuated by the AP portable technique.\n"
                   "IMPRESSION: No acute findings.") == set()


def test_a_consolidation_is_not_summarised_as_a_minor_streak_of_atelectasis() -> None:
    text = ("FINDINGS: Consolidation in the right lower lobe with air bronchograms.\n"
            "IMPRESSION: Right IJ CVC tip in the SVC. Minor right basal atelectasis.")
    assert "impression_omits_finding" in flagged(text)
    # guard: an opacity the findings read as atelectasis is summarised by it
    assert flagged("FINDINGS: Patchy consolidation at the right base, likely atelectasis.\n"
                   "IMPRESSION: Right basal atelectasis.") == set()


def test_a_nodule_is_not_summarised_by_consolidation_in_another_zone() -> None:
    assert "impression_omits_finding" in flagged(
        "FINDINGS: 11 mm rounded nodule in the left upper zone. Small left apical pneumothorax.\n"
        "IMPRESSION:\n1. Small left apical pneumothorax.\n2. Left lower lobe consolidation.")


def test_a_measurement_blank_in_capitals_is_a_field() -> None:
    assert "placeholder" in flagged("FINDINGS: A LOBULATED RIGHT HILAR MASS IS PRESENT, APPROXIMATELY XX MM IN "
                                    "DIAMETER.\nIMPRESSION: RIGHT HILAR MASS.")
    # guard: Open-i's XXXX mask before a unit is not
    assert "placeholder" not in flagged("FINDINGS: XXXX MM opacity at the right base.\nIMPRESSION: Opacity.")


# --- sizes written other ways ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,mm", [
    ("a 1,5 cm nodule", 15.0), ("a 0,5 cm nodule", 5.0), ("a 5,5mm nodule", 5.5), ("3/4 INCH nodule", 19.05),
    ("1/4 inch nodule", 6.35), ("a 2.1 x 1.8 cm nodule", 21.0),
])
def test_sizes_with_a_decimal_comma_or_in_inches(text: str, mm: float) -> None:
    nodules = [o for o in parse_report(f"FINDINGS: There is {text} in the left upper lobe.\nIMPRESSION: Nodule.")
               .observations if o.section == "FINDINGS"]
    assert nodules and nodules[0].size_mm == pytest.approx(mm)


def test_a_calcified_nodule_of_half_a_centimetre_is_not_one_to_name() -> None:
    # before the decimal comma was read, "0,5 cm" was a 5 cm lesion
    assert flagged("FINDINGS: Calcified nodule of 0,5 cm in the left lower zone, a granuloma. Lungs otherwise clear.\n"
                   "IMPRESSION: Normal chest.") == set()


@pytest.mark.parametrize("extent", ["occupying approximately a third of the hemithorax",
                                    "extending to the level of the hilum", "reaching the mid zone"])
def test_an_effusions_extent_stands_for_its_grade(extent: str) -> None:
    text = (f"FINDINGS: Left pleural effusion {extent}. Consolidation in the left upper lobe with air bronchograms.\n"
            "IMPRESSION: Left upper lobe pneumonia.")
    assert "impression_omits_finding" in flagged(text)
    # guard: an effusion that only blunts the angle is a small one
    assert "impression_omits_finding" not in flagged(text.replace(extent, "blunting the costophrenic angle"))


def test_what_is_chronic_is_read_in_its_own_clause() -> None:
    text = ("FINDINGS:\nRight lung and pleura: Calcified pleural plaques; volume loss with a triangular opacity in "
            "keeping with upper lobe collapse.\nIMPRESSION:\nNo acute disease.")
    assert "impression_omits_finding" in flagged(text)
