"""The finding vocabulary as data (reports/findings.toml): every term's example is found as its finding,
the file's own consistency checks, and the wordings the issue-13 review found missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from medrag_core.reports import check_report, parse_report
from medrag_core.reports.mentions import extract_observations
from medrag_core.reports.vocabulary import (
    FINDINGS,
    TARGET_RE,
    TERMS,
    VocabularyError,
    groups_checked_by,
    load_vocabulary,
)


def test_every_term_has_an_example() -> None:
    assert [t.finding for t in TERMS if not t.example] == []


@pytest.mark.parametrize("index", range(len(TERMS)), ids=lambda i: f"{TERMS[i].finding}:{TERMS[i].example}")
def test_every_term_example_is_matched_by_that_term_as_its_finding(index: int) -> None:
    term = TERMS[index]
    assert term.example
    assert f"t{index}" in {m.lastgroup for m in TARGET_RE.finditer(term.example)}  # this wording, not another's
    found = {o.name: o.polarity for o in extract_observations(term.example, "FINDINGS")}
    expected = set(FINDINGS[term.finding].implies) or {term.finding}
    if term.finding == "Lung Clear":
        expected = {"Lung Opacity", "Consolidation", "Pneumonia", "Edema"}  # what "the lungs are clear" rules out
    assert expected <= set(found), found
    if term.polarity:
        assert {found[name] for name in expected} == {term.polarity}


@pytest.mark.parametrize(("sentence", "name", "polarity", "side"), [
    ("Small left haemothorax.", "Hemothorax", "present", "left"),
    ("Right hemopneumothorax.", "Pneumothorax", "present", "right"),
    ("Small right PTX.", "Pneumothorax", "present", "right"),
    ("RLL PNA.", "Pneumonia", "present", "right"),
    ("Mild interstitial oedema.", "Edema", "present", None),
    ("No evidence of CHF.", "Edema", "absent", None),
    ("Wide mediastinal contour.", "Enlarged Cardiomediastinum", "present", None),
    ("Masslike opacity in the left upper lobe.", "Mass", "present", "left"),
    ("There is right hilar enlargement.", "Hilar Enlargement", "present", "right"),
    ("Patchy ASD in the left lower lobe.", "Lung Opacity", "present", "left"),
    ("Mild CM.", "Cardiomegaly", "present", None),
    # an anatomy landmark lends no side: the finding's own side is the left
    ("Opacity in the left lower lobe seen behind the right hemidiaphragm.", "Lung Opacity", "present", "left"),
])
def test_vocabulary_wordings(sentence: str, name: str, polarity: str, side: str | None) -> None:
    found = [o for o in extract_observations(sentence, "FINDINGS") if o.name == name]
    assert [(o.polarity, o.side) for o in found][:1] == [(polarity, side)]


def test_abbreviation_cm_is_case_sensitive() -> None:
    assert [o.name for o in extract_observations("A 2 cm nodule.", "FINDINGS")] == ["Nodule"]


def test_a_placed_opacity_counts_against_clear_lungs() -> None:
    kinds = {i.kind for i in check_report("FINDINGS: Focal opacity in the right lower lobe.\n"
                                          "IMPRESSION: The lungs are clear.")}
    assert kinds == {"negation_conflict"}
    assert check_report("FINDINGS: Faint opacity at the right base.\nIMPRESSION: The lungs are clear.") == []


def test_groups_and_checks_come_from_the_file() -> None:
    assert groups_checked_by("omission") == {"pleural effusion", "pneumothorax", "airspace disease", "pulmonary edema",
                                             "cardiomegaly", "nodule or mass", "widened mediastinum", "free air"}
    assert "atelectasis" in groups_checked_by("negation") and "atelectasis" not in groups_checked_by("omission")
    assert FINDINGS["Hemothorax"].group == "pleural effusion"
    assert parse_report("FINDINGS: Left haemothorax.\nIMPRESSION: Normal chest.").observations[0].name == "Hemothorax"


@pytest.mark.parametrize(("body", "message"), [
    ('[[finding]]\nname = "A"\nsignificance = "huge"\n', "significance 'huge'"),
    ('[[finding]]\nname = "A"\nsignificance = "minor"\n[[term]]\nfinding = "B"\npattern = "b"\n', "finding 'B'"),
    ('[[finding]]\nname = "A"\nsignificance = "minor"\n[[term]]\nfinding = "A"\npattern = "(a"\n',
     "not a valid regular expression"),
])
def test_inconsistent_vocabulary_is_refused_with_the_entry_named(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "findings.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        load_vocabulary(path)
