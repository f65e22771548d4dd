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
    "Round soft-tissue density in the left mid zone.",
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


def test_a_non_calcified_nodule_stays_a_nodule() -> None:
    observations = parse_report(report("A 9 mm non-calcified nodule in the right upper zone.", "Nodule.")).observations
    assert {o.name for o in observations if o.section == "FINDINGS"} == {"Nodule"}


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
