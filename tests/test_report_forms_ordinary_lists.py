"""Report forms of the ordinary lists, fixed in the twelfth session: heart failure called "congestive failure", the
pleural spaces said to show no abnormality, and one reading of a lobe's collapse shared by every check.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from tests.fixtures.report_forms import flagged, report

# --- vocabulary -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("negated", ["No evidence of congestive failure.", "No congestive cardiac failure."])
def test_congestive_failure_ruled_out_contradicts_oedema(negated: str) -> None:
    assert "negation_conflict" in flagged(report("Interstitial oedema with Kerley B lines and upper lobe diversion.",
                                                 negated))
    # guard: with no oedema in the findings they agree
    assert flagged(report("Heart size normal. Lungs clear.", negated)) == set()


def test_congestive_failure_affirmed_is_oedema_against_clear_lungs() -> None:
    assert "negation_conflict" in flagged(report("Heart size normal. Lungs clear.", "Congestive failure."))
    # guard: "respiratory failure" names no finding on the film
    assert flagged(report("Heart size normal. Lungs clear.", "No acute abnormality. History of respiratory failure."
                          )) == set()


@pytest.mark.parametrize("normal", ["The pleural spaces show no acute abnormality.",
                                    "Pleural spaces demonstrate no abnormality."])
def test_pleural_spaces_showing_no_abnormality_rule_out_an_effusion(normal: str) -> None:
    assert "negation_conflict" in flagged(report("Moderate left pleural effusion. Heart normal.", normal))
    # guard: no effusion in the findings, no conflict
    assert flagged(report("Heart normal. Lungs clear. No effusion.", normal)) == set()


# --- a lobe's collapse, one reading for every check ------------------------------------------------------------------


@pytest.mark.parametrize("collapse", ["The right lower lobe is collapsed, with mild elevation of the right "
                                      "hemidiaphragm.", "Collapsed right lower lobe with minor shift."])
def test_a_lobe_called_collapsed_is_no_minor_atelectasis_beside_clear_lungs(collapse: str) -> None:
    # a "mild" in the sentence does not make a collapsed lobe the plate atelectasis real reports set beside clear lungs
    assert "negation_conflict" in flagged(report(collapse, "The lungs are clear."))
    # guard: a streak of atelectasis beside clear lungs stays unflagged
    assert "negation_conflict" not in flagged(report("Mild plate-like atelectasis at the right base.",
                                                     "The lungs are clear."))


def test_a_collapse_named_by_its_sign_is_not_the_streak_on_the_other_side() -> None:
    # the luftsichel names a left upper lobe's collapse; the right basal streak does not place it on the right
    assert "laterality_conflict" in flagged(report(
        "Luftsichel sign in keeping with left upper lobe collapse. Minor right basal atelectasis.",
        "Right upper lobe collapse."))
    assert "laterality_conflict" not in flagged(report(
        "Luftsichel sign in keeping with left upper lobe collapse. Minor right basal atelectasis.",
        "Left upper lobe collapse."))
