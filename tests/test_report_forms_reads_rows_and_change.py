"""Report forms from the v37-v39 blind looks, fixed after them: a clinician's own read of the film (ED, ICU and GP
notes, wet reads with pertinent positives and negatives), findings rows labelled by their side, sides given in order
("the former ... the latter", "respectively"), and a finding not seen on an earlier film named by its date.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged


def sides(text: str, section: str = "FINDINGS") -> dict[str, str | None]:
    return {o.name: o.side for o in parse_report(text).observations if o.section == section}


# --- a clinician's read of the film ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "ED note\nHPI: Cough.\nImaging: CXR (portable) - Right lower zone consolidation.\nPertinent negatives: no "
    "effusion, no pneumothorax.\nBottom line: Right lower lobe pneumonia.\nPlan: Antibiotics.",
    "ED note\nHPI: Cough.\nCXR (my read), portable AP: Right lower zone consolidation.\nBottom line - Right lower lobe "
    "pneumonia.\nPlan: Antibiotics.",
    "ICU round\nBackground: Post-op day 2.\nCXR today - Right lower zone consolidation. Pertinent negatives: no "
    "pneumothorax.\nLines/tubes: ETT 4 cm above the carina.\nAssessment (CXR): Right lower lobe pneumonia.\n"
    "Plan: Continue.",
    "Dear Colleague,\nRe: Cough for three weeks.\nFindings:\nRight lower zone consolidation.\nMy opinion: Right lower "
    "lobe pneumonia.\nPlan: Repeat film in six weeks.",
    "ED note\nRadiology wet read (phoned through):\nRight lower zone consolidation.\nPertinent negatives: no "
    "effusion.\nBottom line: Right lower lobe pneumonia.\nPlan: Antibiotics.",
])
def test_a_clinicians_read_has_findings_and_a_conclusion(text: str) -> None:
    parsed = parse_report(text)
    assert "consolidation" in parsed.sections["FINDINGS"].lower()
    assert "pneumonia" in parsed.sections["IMPRESSION"].lower()
    assert "Plan" not in parsed.sections["IMPRESSION"]
    assert flagged(text) == set()


@pytest.mark.parametrize("text", [
    "ED note\nHPI: Cough.\nImaging - CXR (my own read, not yet reported):\nBottom line: No acute disease.\nPlan: Home.",
    "Consult\nReason: Cough.\nImaging: CXR:\nSummary: No acute disease.\nPlan: Home.",
    "ICU round\nBackground: Cough.\nImaging: CXR today - Right lower zone consolidation.\nAssessment:\nPlan: Continue.",
])
def test_an_empty_read_or_an_empty_conclusion_is_a_missing_section(text: str) -> None:
    assert "missing_section" in flagged(text)


def test_a_side_flipped_between_the_read_and_the_bottom_line_is_a_laterality_conflict() -> None:
    text = ("ED note\nRadiology wet read (phoned through):\nVisible pleural line at the right apex - right "
            "pneumothorax.\nPertinent negatives: no effusion.\nBottom line -\n1. Left apical PTX.\nPlan: Drain.")
    assert "laterality_conflict" in flagged(text)


@pytest.mark.parametrize("text", [
    # the study's title is no read of it
    "CXR - ___ with cough and fever. FINDINGS: No effusion. Widened mediastinum. IMPRESSION: Widened mediastinum.",
    "CXR PA - Chest clinic\nFINDINGS: Lungs clear.\nIMPRESSION: Normal chest.",
    # a letterhead is no header
    "Imaging Department MRN: 123\nFINDINGS: Lungs clear.\nIMPRESSION: Normal chest.",
])
def test_a_study_title_or_letterhead_is_no_clinicians_read(text: str) -> None:
    parsed = parse_report(text)
    assert "CXR" not in parsed.sections.get("FINDINGS", "")[:4]
    assert "MRN" not in parsed.sections.get("FINDINGS", "")
    assert flagged(text) == set()


def test_a_finding_not_seen_on_an_earlier_film_named_by_its_date_is_new() -> None:
    text = ("Findings:\nWell-defined 12 mm nodule in the right mid zone, not seen on the 2019 film.\n"
            "My opinion: New 12 mm right lung nodule - needs CT.")
    nodule = next(o for o in parse_report(text).observations if o.section == "FINDINGS")
    assert (nodule.polarity, nodule.change) == ("present", "new")
    assert flagged(text) == set()
    # a nodule ruled out on the earlier film stays ruled out
    assert parse_report("FINDINGS: No nodule is seen on the prior film.\nIMPRESSION: x").observations[0].polarity \
        == "absent"


# --- rows labelled by their side ------------------------------------------------------------------------------------

def test_a_row_labelled_by_its_side_gives_its_sentences_that_side() -> None:
    text = ("FINDINGS:\nRight hemithorax: Clear. No effusion or pneumothorax.\nLeft hemithorax: Large pleural "
            "effusion.\nHeart and mediastinum: unremarkable.\nIMPRESSION:\nLarge left pleural effusion.")
    assert flagged(text) == set()
    assert "laterality_conflict" in flagged(text.replace("Large left pleural effusion.",
                                                         "Large right pleural effusion."))


def test_a_side_row_on_one_line_ends_at_the_next_label_or_a_sentence_with_its_own_subject() -> None:
    text = ("FINDINGS:\nRIGHT: Moderate pleural effusion. LEFT: Clear. No effusion or pneumothorax. Heart: normal.\n"
            "IMPRESSION:\nRight-sided moderate effusion.")
    assert flagged(text) == set()
    # "The lungs are otherwise clear. No pneumothorax is seen." is the whole chest's, not the left row's
    text = ("FINDINGS:\nLarge pleural effusion, right. Left hemithorax: 2 cm nodule. The lungs are otherwise clear. "
            "No pneumothorax is seen.\nIMPRESSION:\nLarge right effusion. 2 cm left nodule. Moderate pneumothorax, "
            "right.")
    assert "negation_conflict" in flagged(text)


def test_an_organs_row_after_a_sentence_end_is_read_as_its_phrase() -> None:
    text = "FINDINGS: No pneumothorax. Heart: enlarged.\nIMPRESSION: Normal heart size."
    assert "negation_conflict" in flagged(text)
    # a row of the heart and mediastinum that goes on to a sentence of its own names no heart size
    text = ("FINDINGS:\nHeart and mediastinum: Mediastinal contours are normal. Mild cardiomegaly, stable.\n"
            "IMPRESSION: Normal heart size.")
    assert "negation_conflict" in flagged(text)


# --- sides given in order -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "There is a moderate pneumothorax and lower lobe collapse, the former on the left and the latter on the right.",
    "Moderate pneumothorax and lower lobe collapse on the left and right respectively.",
])
def test_sides_given_in_order_go_to_the_two_findings_before_them(sentence: str) -> None:
    found = sides(f"FINDINGS: {sentence}\nIMPRESSION: x.")
    assert found == {"Pneumothorax": "left", "Atelectasis": "right"}
    text = f"FINDINGS: {sentence}\nIMPRESSION: Moderate right pneumothorax. Right lower lobe collapse."
    assert "laterality_conflict" in flagged(text)


def test_a_side_carried_from_the_sentence_keeps_the_mentions_own_zone() -> None:
    parsed = parse_report("FINDINGS:\nLEFT: 9 mm mid zone nodule; lower lobe collapse.\nIMPRESSION:\nRight lower lobe "
                          "collapse.")
    collapse = next(o for o in parsed.observations if o.section == "FINDINGS" and o.name == "Atelectasis")
    assert (collapse.side, collapse.zone) == ("left", "lower")
    assert "laterality_conflict" in flagged(parsed.text)


def test_a_new_nodule_is_not_summarised_by_consolidation_near_it() -> None:
    text = ("FINDINGS: A new 8 mm nodule has developed in the right mid zone. The right upper lobe consolidation has "
            "increased.\nIMPRESSION: Worsening right upper lobe consolidation.")
    assert "impression_omits_finding" in flagged(text)
