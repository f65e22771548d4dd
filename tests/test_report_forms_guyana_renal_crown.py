"""Report forms of Guyanese and Belizean, renal-unit and British Crown Dependency lists, fixed in the eighteenth
session (round 35). A solitary pulmonary nodule by its letters ("SPN"); "no active lung parenchymal lesion" as lungs
called clear; lungs called clear beside airspace disease dictated in the same section (a normal line left over the
finding), against the other section's airspace disease; a tunnelled haemodialysis line as a central line with a side;
inhomogeneous shadowing as airspace disease the impression must name; a zone between a side and "changes".

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from tests.fixtures.report_forms import flagged, report

# --- a solitary pulmonary nodule by its letters ---------------------------------------------------------------------


def test_an_spn_is_the_nodule_the_findings_describe() -> None:
    findings = "Solitary pulmonary nodule of 14 mm in the right mid zone. No pleural effusion."
    assert flagged(report(findings, "Right mid zone SPN - CT thorax advised to characterise.")) == set()
    # (and it has a side of its own)
    assert "laterality_conflict" in flagged(report(findings, "Left mid zone SPN - CT thorax advised to characterise."))
    # (in capitals only: "spn" in running lower-case text is no abbreviation we know)
    assert "impression_omits_finding" in flagged(report(findings, "No acute disease. Review by spn team."))


# --- what the lungs called clear rule out ---------------------------------------------------------------------------


def test_no_active_lung_parenchymal_lesion_calls_the_lungs_clear() -> None:
    findings = "No active lung parenchymal lesion is seen. No pleural effusion or pneumothorax."
    assert "negation_conflict" in flagged(report(findings, "Left mid zone pneumonia."))
    assert flagged(report(findings, "Normal chest radiograph.")) == set()


@pytest.mark.parametrize("clear", ["Both lung fields are clear.", "The lungs are clear."])
@pytest.mark.parametrize("finding", ["There is patchy consolidation in the right upper zone with air bronchograms.",
                                     # (an opacity called the airspace's, and one read as a consolidation)
                                     "Patchy inhomogeneous shadowing is noted in the right upper zone.",
                                     "Homogeneous opacity in the right upper zone consistent with consolidation."])
def test_lungs_called_clear_beside_the_consolidation_dictated_after_them(clear: str, finding: str) -> None:
    findings = f"{clear} {finding} No effusion."
    assert "negation_conflict" in flagged(report(findings, "Right upper zone pneumonia."))


@pytest.mark.parametrize("findings", [
    # (the rest of the lungs: "otherwise", "apart from", "remaining")
    "The lungs are otherwise clear. There is patchy consolidation in the right upper zone.",
    "There is focal consolidation in the right upper lobe. The remaining lungs are clear.",
    # (the compressed lung beside an effusion: IU CXR2289)
    "Lungs are clear. A small right pleural effusion and associated airspace disease.",
    "Apart from the right upper zone the lungs are clear. There is patchy consolidation in the right upper zone.",
    # (one lung called clear)
    "The left lung is clear. There is patchy consolidation in the right upper zone.",
    # (a hedged finding or a bare opacity beside clear lungs stays a mixed picture)
    "The lungs are clear. Possible early consolidation in the right upper zone.",
    "The lungs are clear. Faint patchy opacity in the right upper zone.",
])
def test_clear_lungs_beside_a_finding_they_do_not_deny(findings: str) -> None:
    assert "negation_conflict" not in flagged(report(findings, "Right upper zone pneumonia, improving."))


# --- a follow-up sentence naming the other side ---------------------------------------------------------------------


def test_a_zone_between_the_side_and_the_changes() -> None:
    findings = "Fibrocalcific changes in the left upper zone with volume loss. No effusion."
    assert "laterality_conflict" in flagged(report(findings, "Old healed TB. These right upper zone changes are old."))
    assert flagged(report(findings, "Old healed TB. These left upper zone changes are old.")) == set()


# --- a renal unit's tunnelled line --------------------------------------------------------------------------------


@pytest.mark.parametrize(("findings", "impression"), [
    ("Left internal jugular tunneled hemodialysis catheter with its tip projected over the right atrium.",
     "Right-sided tunneled hemodialysis catheter in satisfactory position."),
    ("Right IJ tunnelled haemodialysis line with its tip at the cavoatrial junction.",
     "Left-sided tunnelled haemodialysis line in satisfactory position."),
    ("Right IJ Permcath, tip in the right atrium.", "Left tunnelled dialysis catheter, tip in the right atrium."),
])
def test_a_tunnelled_dialysis_line_has_a_side(findings: str, impression: str) -> None:
    assert "laterality_conflict" in flagged(report(findings + " Lungs clear.", impression))
    # (its tip's place is not its side: a right-sided line with its tip in the right atrium is one line)
    same = impression.replace("Left", "Right") if "Left" in impression else impression.replace("Right", "Left")
    assert "laterality_conflict" not in flagged(report(findings + " Lungs clear.", same))


# --- an omitted opacity called the airspace's ----------------------------------------------------------------------


def test_inhomogeneous_shadowing_left_out_of_the_impression() -> None:
    findings = "Patchy inhomogeneous shadowing noted in the right upper zone. No effusion. Mild cardiomegaly."
    assert "impression_omits_finding" in flagged(report(findings, "Mild cardiomegaly."))
    assert "impression_omits_finding" not in flagged(report(findings, "Right upper zone pneumonia. Mild cardiomegaly."))
