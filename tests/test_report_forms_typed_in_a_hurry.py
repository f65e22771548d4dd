"""Report forms from the v35 look (punctuation, spacing and case typed in a hurry), fixed after it: headers run into
one paragraph without a colon, a comma typed with the full stop, a stop run into "a", hard-wrapped capitals, and
sentences run together with no stop at all.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from medrag_core.reports.sentences import split_sentences
from tests.fixtures.report_forms import flagged

# --- headers run into one paragraph with no colon -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Indication-Cough COMPARISON-None findings-The heart is normal in size. The lungs are clear. "
    "Impression-No acute disease.",
    "Indication Cough Comparison None Findings The lungs are clear. No effusion. Impression No acute disease.",
    "indication cough. comparison none. findings heart size normal.no effusion or pneumothorax. "
    "impression no acute cardiopulmonary disease.",
    "Clinical history-Chest pain Comparison-none Findings-The heart is normal in size. Impression-No acute disease.",
])
def test_headers_run_into_a_paragraph_without_a_colon_are_found(text: str) -> None:
    parsed = parse_report(text)
    assert {"FINDINGS", "IMPRESSION"} <= set(parsed.sections)
    assert "heart" in parsed.sections["FINDINGS"].lower() or "lungs" in parsed.sections["FINDINGS"].lower()
    assert flagged(text) == set()


def test_a_run_in_header_still_shows_a_real_conflict() -> None:
    text = ("Indication-Cough Comparison-None Findings-Large right pleural effusion. Impression-Large left pleural "
            "effusion.")
    assert "laterality_conflict" in flagged(text)


@pytest.mark.parametrize("text", [
    # the section's name in prose is no header: "no acute findings", "Findings are consistent with"
    "IMPRESSION: Findings are consistent with right lower lobe pneumonia.",
    "The lungs are clear. No acute findings. Normal heart size.",
])
def test_a_section_name_in_prose_is_not_a_run_in_header(text: str) -> None:
    assert "FINDINGS" not in parse_report(text).sections


# --- punctuation typed in a hurry -----------------------------------------------------------------------------------

def test_a_comma_typed_with_the_full_stop_keeps_the_list_of_negations() -> None:
    text = ("FINDINGS: No focal consolidation, pleural effusion,. or pneumothorax is identified.\n"
            "IMPRESSION: No acute cardiopulmonary abnormality.")
    assert flagged(text) == set()
    # before a capital the stop still ends the sentence
    assert len(split_sentences("No effusion,. Small left pneumothorax.")) == 2


def test_a_stop_run_into_a_lower_case_a_ends_the_sentence() -> None:
    text = ("FINDINGS: no pleural effusion. no signs of vascular congestion.a 14 mm nodule is seen in the right upper "
            "lobe.\nIMPRESSION: 14 mm right upper lobe nodule.")
    assert flagged(text) == set()


def test_a_capital_a_after_a_lower_case_word_opens_a_sentence_in_dictation_without_stops() -> None:
    text = ("FINDINGS: The mediastinum is not widened. No signs of vascular congestion A 14 mm nodule is seen in the "
            "left upper lobe.\nIMPRESSION: 14 mm left upper lobe nodule, CT recommended.")
    assert flagged(text) == set()
    # a grade or type named by a letter is not a sentence's start
    assert len(split_sentences("There is an old fracture of the left clavicle, type A as described before.")) == 1


def test_hard_wrapped_capitals_go_on_after_a_word_no_sentence_ends_on() -> None:
    text = ("FINDINGS:NORMAL HEART SIZE. THE LUNGS ARE\nCLEAR. THERE IS NO FOCAL\nAIRSPACE OPACITY.\n"
            "NO PLEURAL EFFUSION, NO EVIDENCE\nOF\nPNEUMOTHORAX.\nIMPRESSION:NORMAL CHEST.")
    assert flagged(text) == set()


def test_a_tick_box_rows_answer_no_is_not_an_open_line_end() -> None:
    text = ("FINDINGS\nConsolidation: Yes No\nPulmonary oedema: No\nAdditional findings: Hyperexpanded lungs. No "
            "effusion.\n\nIMPRESSION:\nHyperexpanded lungs.")
    sentences = [s for _, s in split_sentences(parse_report(text).sections["FINDINGS"])]
    assert "Consolidation: Yes No" in sentences


def test_a_clause_with_its_own_normal_predicate_ends_a_list_of_negations() -> None:
    text = ("FINDINGS: Thin left pneumothorax. No airspace disease, pulmonary vascularity is normal, large left "
            "pleural effusion with compressive atelectasis.\nIMPRESSION: Small left pneumothorax, large left "
            "effusion.")
    assert "negation_conflict" not in flagged(text)
