"""A sentence read once and a section split once (the checker's two memos): what a copy at another place gets is what
reading it there afresh gives, and what a caller does to its list never reaches the memo."""

from __future__ import annotations

import pytest

from medrag_core.reports import mentions, sentences
from medrag_core.reports.mentions import extract_observations
from medrag_core.reports.sentences import split_sentences

SENTENCES = [
    "The lungs are clear.",
    "Small right pleural effusion and no pneumothorax.",
    "Effusion and collapse on the right and left respectively.",
    "Scarring or atelectasis in the right base.",
    "Hydropneumothorax on the left with a 2 cm nodule in the right upper lobe.",
    "Normal cardiomediastinal silhouette.",
    "No consolidation, which was present on the prior study, is seen now.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize(("start", "base"), [(0, 0), (14, 14), (7, 130)])
def test_a_sentence_read_at_any_place_is_what_a_fresh_reading_gives(sentence: str, start: int, base: int) -> None:
    fresh = mentions._read_mentions(sentence, "FINDINGS", start, base)
    extract_observations(sentence, "FINDINGS")  # the memo holds it now, read at offset 0
    got = extract_observations(sentence, "FINDINGS", start, base=base)
    assert got == fresh
    assert [o.extra for o in got] == [o.extra for o in fresh]  # (not compared by ==)
    assert all(o.start == start and o.sentence_span == (base, base + len(sentence)) for o in got)
    assert all(sentence[o.span[0] - base: o.span[1] - base] == o.term for o in got)


def test_the_same_sentence_in_two_reports_gets_each_its_own_spans() -> None:
    first = extract_observations("No pneumothorax.", "IMPRESSION", 0, base=40)
    second = extract_observations("No pneumothorax.", "IMPRESSION", 5, base=200)
    assert [o.span for o in first] == [(43, 55)]
    assert [o.span for o in second] == [(203, 215)]


def test_what_a_caller_does_to_its_lists_does_not_reach_the_memos() -> None:
    found = extract_observations("Small left pleural effusion.", "FINDINGS", 3, base=3)
    found.clear()
    assert [o.name for o in extract_observations("Small left pleural effusion.", "FINDINGS", 3, base=3)] == [
        "Pleural Effusion"]
    split = split_sentences("Heart normal. Lungs clear.")
    split.append((99, "added"))
    assert split_sentences("Heart normal. Lungs clear.") == [(0, "Heart normal."), (14, "Lungs clear.")]


def test_a_long_sentence_or_section_is_read_without_the_memo() -> None:
    long_sentence = "Small right pleural effusion " + "with " * 200 + "no pneumothorax."
    before = mentions._mentions_at_zero.cache_info().currsize
    found = extract_observations(long_sentence, "FINDINGS", 0, base=0)
    assert mentions._mentions_at_zero.cache_info().currsize == before
    assert {o.name for o in found} == {"Pleural Effusion", "Pneumothorax"}
    long_text = "Heart normal. Lungs clear. " * 300
    before = sentences._split_kept.cache_info().currsize
    assert split_sentences(long_text) == sentences._split(long_text)
    assert len(split_sentences(long_text)) == 600
    assert sentences._split_kept.cache_info().currsize == before
