"""Forms of a side the laterality check reads (after the v9/v10 looks): UK shorthand before a device, a line named
without its kind, free air under one hemidiaphragm, an enlarged hilar shadow, the lingula, and what lies under
a bone. Hand-written reports, checked end to end through ``check_report``."""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report


def lateral(findings: str, impression: str) -> list[tuple[str, str]]:
    """(severity, finding) of each laterality_conflict raised on a report of these two sections."""
    issues = check_report(f"FINDINGS: {findings}\n\nIMPRESSION: {impression}")
    return [(i.severity, i.finding) for i in issues if i.kind == "laterality_conflict"]


CONFLICTS = [
    # "Lt" / "Rt" before a device
    ("A right intercostal drain is in place, tip at the apex. No pneumothorax.", "Lt chest drain in situ.",
     ("warning", "Chest Tube")),
    ("Rt chest tube with its tip projected over the apex.", "Left chest tube, satisfactory.",
     ("warning", "Chest Tube")),
    # a line named without its kind against the one kind the other section names
    ("A left jugular venous line ends in the SVC.", "Right central line satisfactorily placed.",
     ("warning", "Central Venous Catheter")),
    ("Right chest wall Mediport, catheter tip at the cavoatrial junction.", "Left venous catheter in place.",
     ("warning", "Central Venous Catheter")),
    # the kind just before a line's name is its kind ("IJ central venous catheter" is a jugular line)
    ("Left IJ central venous catheter, tip in the SVC.", "Right central venous catheter.",
     ("warning", "Central Venous Catheter")),
    # free air has the side of the hemidiaphragm it lies under
    ("There is gas under the left hemidiaphragm.", "Pneumoperitoneum, free air on the right.", ("error", "free air")),
    ("Free intraperitoneal gas beneath the left hemidiaphragm.", "Free gas on the R; surgical review advised.",
     ("error", "free air")),
    # an enlarged or prominent hilar shadow
    ("Enlargement of the right hilum. Lungs clear.", "Left hilar enlargement; CT advised.",
     ("error", "hilar enlargement")),
    ("Prominent left hilar contour, new.", "New right hilar prominence.", ("error", "hilar enlargement")),
    # "the hila are of normal size and density" states no opacity that would place the finding on both sides
    ("The hila are of normal size and density. Airspace consolidation in the left lower lobe.",
     "Right lower lobe consolidation.", ("error", "airspace disease")),
    # the lingula is left, where the sentence states no side
    ("Patchy opacity in the lingula.", "Right middle lobe pneumonia.", ("error", "airspace disease")),
    ("An 8 mm nodule projects over the right middle lobe.", "Lingular nodule, 8 mm.", ("error", "nodule or mass")),
    # what lies under a bone is on the bone's side
    ("Irregular contour of the left 6th rib with underlying pleural thickening.",
     "Irregular right 6th rib with underlying pleural thickening.", ("error", "pleural thickening")),
]


@pytest.mark.parametrize("findings,impression,expected", CONFLICTS)
def test_side_forms_conflict(findings: str, impression: str, expected: tuple[str, str]) -> None:
    assert expected in lateral(findings, impression)


CLEAN = [
    ("Rt chest tube with its tip at the apex.", "Right chest tube in place."),
    # two kinds of line in one section: a line without its kind in the other is not compared with either
    ("Left subclavian line and right jugular line, both in the SVC.", "Right central line in place."),
    # a jugular and a PICC are two lines, whatever the wording of the jugular one
    ("Right IJ central venous catheter, tip in the SVC.", "Left PICC in satisfactory position."),
    ("Free air under the right hemidiaphragm.", "Pneumoperitoneum on the right."),
    ("Free air under the diaphragm.", "Free air under the right hemidiaphragm: perforation."),
    ("Free gas beneath both hemidiaphragms.", "Pneumoperitoneum."),
    ("Both hila are of normal size and density. The lungs are clear.", "Normal chest."),
    ("Left lower lobe and lingular consolidation.", "Left-sided pneumonia."),
    ("Subsegmental atelectasis in the lingula.", "Lingular atelectasis."),
    ("Old left rib fracture with adjacent pleural thickening.", "Left pleural thickening, chronic."),
]


@pytest.mark.parametrize("findings,impression", CLEAN)
def test_side_forms_agree(findings: str, impression: str) -> None:
    assert lateral(findings, impression) == []


def test_a_stated_side_wins_over_the_lingula() -> None:
    # a side word in the sentence is the finding's; the lingula gives no side of its own there
    assert lateral("Right lower lobe and lingular opacities.", "Right basal opacity.") == []
    assert ("error", "airspace disease") in lateral("Right mid zone opacity.", "Opacity in the lingula.")


def test_a_side_read_from_the_lingula_stands_only_against_a_section_naming_no_lingula() -> None:
    # both sections name the lingula: its side read from the place alone says nothing against a stated one
    assert lateral("Right middle lobe and lingular opacities.", "Lingular scarring.") == []
    assert lateral("Patchy right middle lobe opacity. Lingular opacity as well.", "Lingular pneumonia.") == []
    # a stated side is not covered by a side read from the lingula: right middle lobe against "left middle lobe"
    assert ("error", "airspace disease") in lateral(
        "Airspace disease in the right middle lobe. Faint opacity in the lingula too.",
        "Left middle lobe and lingular pneumonia.")


# --- after the v11/v12 looks -----------------------------------------------------------------------------------------

CONFLICTS_V12 = [
    # a plural "hemidiaphragms" is still the elevation, and the worse side is its side
    ("Poor inspiration. Raised hemidiaphragms, greater on the left.", "Raised right hemidiaphragm.",
     ("error", "elevated hemidiaphragm")),
    # gas in the chest wall has a side
    ("Surgical emphysema tracks along the right axilla.", "Left chest wall soft tissue gas.",
     ("error", "subcutaneous emphysema")),
    # a deformed rib is read as an old fracture
    ("Old deformity of the left posterior 9th rib.", "Healed right rib fracture.", ("error", "fracture")),
    ("Remote right-sided rib deformities laterally.", "Old fractures of the left ribs.", ("error", "fracture")),
    # a fungus ball in a cavity, and a lymph node inside the lung, are a mass and a nodule
    ("Cavity in the left upper lobe containing a mycetoma.", "Right apical fungus ball, unchanged.",
     ("error", "nodule or mass")),
    ("Calcified 9 mm nodule at the right base.", "Left intrapulmonary lymph node, benign.",
     ("error", "nodule or mass")),
]


@pytest.mark.parametrize("findings,impression,expected", CONFLICTS_V12)
def test_side_forms_conflict_after_v12(findings: str, impression: str, expected: tuple[str, str]) -> None:
    assert expected in lateral(findings, impression)


CLEAN_V12 = [
    # a rib fracture and a clavicle fracture are two findings: each keeps its own side
    ("Fracture of the left clavicle. Old right rib deformities.", "Left clavicular fracture."),
    ("Healed left 4th rib fracture.", "Deformity of the left 4th rib, old."),
    ("Right chest wall subcutaneous air.", "Subcutaneous emphysema on the right."),
    ("Mycetoma in the right upper lobe cavity.", "Stable right apical aspergilloma."),
]


@pytest.mark.parametrize("findings,impression", CLEAN_V12)
def test_side_forms_agree_after_v12(findings: str, impression: str) -> None:
    assert lateral(findings, impression) == []


def test_a_fracture_of_another_bone_does_not_hide_a_flipped_side() -> None:
    # the right rib fractures are another bone's: the clavicle is still left in one section, right in the other
    assert ("error", "fracture") in lateral("Comminuted left clavicle fracture. Healed right lower rib fractures.",
                                            "Right clavicle fracture.")


def test_one_measured_size_is_one_lesion_whatever_else_lies_on_that_side() -> None:
    # the 4 cm mass is left in FINDINGS, right in the IMPRESSION; the right nodule of another size does not cover it
    assert ("error", "nodule or mass") in lateral(
        "Lobulated left hilar mass, 4 cm across. A 12 mm nodule at the right base.",
        "4 cm right hilar mass. 12 mm nodule, right base.")
    # sizes that agree with their sides, or a size given on both sides, are no conflict
    assert lateral("3 cm mass in the right upper lobe. 8 mm nodule in the left lower lobe.",
                   "Right upper lobe mass of 3 cm and an 8 mm left lower lobe nodule.") == []
    assert lateral("A 6 mm nodule in each lower lobe: 6 mm left lower lobe nodule and 6 mm right lower lobe nodule.",
                   "6 mm right lower lobe nodule, stable.") == []


def test_a_place_after_each_of_two_mentions_is_each_ones_own() -> None:
    # "in the left lung" follows the first mention; the second is given its own place after it
    assert lateral("Effusion at the left base and atelectasis at the right base.",
                   "Right basilar atelectasis and a small left effusion.") == []
    assert lateral("Right 2 cm nodule. Left 9 mm nodule.",
                   "A 2 cm nodule in the right lung and a 9 mm nodule in the left lung.") == []


def test_a_sentence_that_reads_the_one_before_takes_its_side() -> None:
    # "This ..." / "Appearance ..." interprets the sentence before: its finding is on that sentence's side
    assert ("error", "fracture") in lateral(
        "Focal sclerotic density over the lateral right 8th rib. Appearance is that of a healed fracture.",
        "Old left rib fracture.")
    assert ("error", "nodule or mass") in lateral(
        "Small rounded density projecting over the left mid lung. This could be a nipple shadow or a nodule.",
        "Possible nodule in the right lung; repeat with nipple markers.")
    # the sentence before names both sides, or the reading sentence names its own side: nothing is carried
    assert lateral("Opacities at both bases. These may represent atelectasis.", "Left basilar atelectasis.") == []
    assert lateral("Right basal opacity. This may be left-sided atelectasis.", "Left basilar atelectasis.") == []


def test_a_finding_both_sections_call_unchanged_in_one_zone_is_one_finding() -> None:
    # an unchanged opacity at one base in FINDINGS and at the other in the IMPRESSION, though FINDINGS also name a
    # new opacity elsewhere in the left lung without a zone
    assert ("error", "airspace disease") in lateral(
        "Unchanged right basilar opacities. New hazy opacity in the left lung.",
        "New left lung opacity. Left basilar opacities, unchanged.")
    # each section's unchanged finding on its own side is no conflict where the sides agree
    assert lateral("Unchanged left basilar opacities. New hazy opacity in the right lung.",
                   "New right lung opacity. Left basilar opacities, unchanged.") == []


@pytest.mark.parametrize("correction,severity", [
    ("Correction: impression item 1 should read \u201cleft\u201d, not \u201cright\u201d.", "info"),
    ("ADDENDUM: The side in the impression is corrected to left rather than right.", "info"),
    ("ADDENDUM: The impression should read right, not left.", "error"),  # corrects the other way: still wrong
    ("ADDENDUM: Findings discussed with the ward.", "error"),
])
def test_a_side_corrected_in_the_report_is_told_not_raised(correction: str, severity: str) -> None:
    text = ("FINDINGS: Small left apical pneumothorax. No effusion.\n\nIMPRESSION:\n1. Right apical pneumothorax.\n\n"
            + correction)
    issues = [i for i in check_report(text) if i.kind == "laterality_conflict"]
    assert [i.severity for i in issues] == [severity]
    assert ("correction" in issues[0].message) == (severity == "info")


def test_a_stable_small_nodule_does_not_place_a_mass_on_its_side() -> None:
    findings = ("Right hilar mass, 4.8 x 3.4 cm, unchanged. Stable 4 mm nodule in the left upper zone, likely a "
                "granuloma.")
    assert lateral(findings, "Left hilar mass, unchanged.") == [("error", "nodule or mass")]
    assert lateral(findings, "Right hilar mass, unchanged.") == []
    # a mass on the left too: the IMPRESSION's left mass may be that one
    assert lateral(findings + " A 5 cm mass in the left lower lobe.", "Left hilar mass, unchanged.") == []
