"""The blank (``___``) rules are data (``reports/blanks.toml``): every rule's examples, read by the placeholder
check as its kind, and a malformed file refused. Every example is written by hand in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from medrag_core.reports import check_report, parse_report
from medrag_core.reports.checks import structure
from medrag_core.reports.checks.structure import placeholder_spans
from medrag_core.reports.vocabulary import BLANK_RULES, BlankRules, VocabularyError, load_blank_rules

EXAMPLES = [(rule.name, rule.kind, example) for rule in BLANK_RULES.rules for example in rule.examples]


def _blanks(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in BLANK_RULES.blank.finditer(text)]


def test_every_kind_and_place_has_a_rule() -> None:
    assert {(r.kind, r.where) for r in BLANK_RULES.rules} == {
        ("slot", "before"), ("slot", "after"), ("mask", "before"), ("mask", "after"), ("layout", "line")}


@pytest.mark.parametrize(("name", "kind", "example"), EXAMPLES)
def test_every_blank_rule_example_is_read_as_its_kind_by_that_rule(name: str, kind: str, example: str) -> None:
    rule = next(r for r in BLANK_RULES.rules if r.name == name)
    parsed = parse_report(example)
    spans = placeholder_spans(parsed)
    # the example's blank that this rule is about: the one it matches at (the layout rule: the report's only one
    # in the findings or impression)
    at = []
    for start, end in _blanks(example):
        line_start = example.rfind("\n", 0, start) + 1
        if (rule.where == "after" and rule.regex.match(example, end)) or (
                rule.where == "before" and rule.regex.search(example[line_start:start])) or rule.where == "line":
            at.append((start, end))
    assert at, f"rule {name!r} matches at no blank of its example {example!r}"
    if rule.where == "line":
        assert rule.regex.search(example)
        at = at[-1:]  # the blank in the body, after the layout's lines
    if kind == "slot":
        assert at[0] in spans
        assert "placeholder" in {i.kind for i in check_report(example) if i.severity == "error"}
    else:
        assert at[0] not in spans
        assert "placeholder" not in {i.kind for i in check_report(example)}


@pytest.mark.parametrize(("name", "kind", "example"), [e for e in EXAMPLES if e[1] != "slot"])
def test_without_its_rule_a_mask_example_would_be_a_placeholder(monkeypatch: pytest.MonkeyPatch, name: str,
                                                                 kind: str, example: str) -> None:
    """Each mask and layout rule is what makes its example's blank a mask: with that rule's regex replaced by
    one that never matches, the same blank is a placeholder."""
    without = BlankRules(BLANK_RULES.blank, tuple(r for r in BLANK_RULES.rules if r.name != name))
    where = next(r.where for r in BLANK_RULES.rules if r.name == name)
    attribute = {("mask", "before"): "_MASK_BEFORE", ("mask", "after"): "_MASK_AFTER",
                 ("layout", "line"): "_MIMIC_LAYOUT"}[(kind, where)]
    monkeypatch.setattr(structure, attribute, without.joined(kind, where))
    assert placeholder_spans(parse_report(example)), example


@pytest.mark.parametrize(("body", "message"), [
    ('[[rule]]\nname = "x"\nkind = "slot"\nwhere = "after"\npattern = "cm"\nexamples = ["a"]\n',
     r"has no 'blank'"),
    ('blank = "_{2,}"\n[[rule]]\nname = "x"\nkind = "field"\nwhere = "after"\npattern = "cm"\nexamples = ["a"]\n',
     r"rule 1 \(x\) has kind 'field'"),
    ('blank = "_{2,}"\n[[rule]]\nname = "x"\nkind = "layout"\nwhere = "after"\npattern = "cm"\nexamples = ["a"]\n',
     r"a layout rule looks line"),
    ('blank = "_{2,}"\n[[rule]]\nname = "x"\nkind = "mask"\nwhere = "after"\npattern = "(cm"\nexamples = ["a"]\n',
     r"rule 1 \(x\) is not a valid regular expression"),
    ('blank = "_{2,}"\n[[rule]]\nname = "x"\nkind = "mask"\nwhere = "after"\npattern = "cm"\n',
     r"rule 1 \(x\) has no examples"),
    ('blank = "(_"\n', r"blanks\.toml: blank is not a valid regular expression"),
    ('blank = "_{2,}\n', r"blanks\.toml is not valid TOML"),
])
def test_malformed_blank_rules_are_refused_with_the_rule_named(tmp_path: Path, body: str, message: str) -> None:
    bad = tmp_path / "blanks.toml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        load_blank_rules(bad)


def test_no_check_lists_blank_patterns_in_code() -> None:
    """The mask and slot words live in blanks.toml: structure.py names none of them."""
    source = Path(structure.__file__).read_text(encoding="utf-8")
    for word in ("year|yr", "dr|drs", "mrn|dob", "hemidiaphragm", "-sided", "FINAL REPORT", "WET READ", "_{2,}"):
        assert word not in source, word
