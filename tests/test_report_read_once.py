"""A sentence read once and a section split once (the checker's two memos): what a copy at another place gets is what
reading it there afresh gives, and what a caller does to its list never reaches the memo."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from medrag_core.reports import mentions, parse_report, parse_sections, sentences
from medrag_core.reports.checks import structure
from medrag_core.reports.checks.structure import placeholder_spans
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
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
DEV_SET = SHARED / "eval" / "report_errors_dev.jsonl"


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


# --- the placeholder check's first pass: a report with no hint of a field is not scanned by the long pattern ---------

FIELDS = [
    "[ ]", "[DATE]", "\u2610 effusion", "__/__/____", "dated dd/mm/yyyy", "<insert side>", "<<side>>", "{size}",
    "a xx cm nodule", "repeat CXR in xx weeks", "CTR XX.", "(CTR ...)", "No pleural xx or pneumothorax",
    "left XX-7th ribs", "a _ mm nodule", "TBD", "@@", "##", "***", "??", "%SIZE%", "$SIDE$", "FILL IN", "NN mm",
    "#.# cm", "Dr ..........", "obliterating the .... costophrenic angle", "A ... mm nodule", "*size*", "~SIDE~",
    "\u00absize\u00bb", "(insert size)", "(right/left)", "( )", "small/moderate/large", "normal / enlarged",
    "(R/L)", "in the Rt/Lt lower zone", "the (Rt/Lt) dome", "INSERT", "-- cm", "n mm", "repeat in x weeks",
]


@pytest.mark.parametrize("field", FIELDS)
def test_every_kind_of_field_holds_the_hint_that_lets_the_long_pattern_run(field: str) -> None:
    report = f"FINDINGS: The lungs are clear. Note {field} here.\n\nIMPRESSION: Normal chest."
    assert structure._PLACEHOLDER.search(report), field  # (a field the long pattern knows)
    assert structure._FIELD_HINT.search(report), field
    assert placeholder_spans(parse_report(report))


def test_a_plain_report_holds_no_hint_and_gets_no_field() -> None:
    report = ("FINDINGS: Heart size is normal. The lungs are clear. No pleural effusion or pneumothorax. "
              "Open-i's mask XXXX stays a mask.\n\nIMPRESSION: No acute cardiopulmonary disease.")
    assert not structure._FIELD_HINT.search(report)
    assert placeholder_spans(parse_report(report)) == []


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"dev set not found at {DEV_SET} (set MEDRAG_SHARED_DIR)")
def test_on_the_dev_set_the_hint_is_there_wherever_the_long_pattern_finds_a_field() -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text().splitlines() if line.strip()]
    # (half the rows are one text, half are given by section)
    readings = [p.reading or p.text for p in (
        parse_report(r["report"]) if "report" in r else parse_sections(
            r["findings"], r["impression"], indication=r.get("indication"), comparison=r.get("comparison"))
        for r in rows)]
    with_field = [r for r in readings if structure._PLACEHOLDER.search(r)]
    assert len(with_field) >= 40  # (the dev set has its placeholder cases)
    assert all(structure._FIELD_HINT.search(r) for r in with_field)
