"""ConText rules as data (reports/context_rules.toml): every rule's example sentences give the finding the
polarity the rule says, and the loader refuses an inconsistent file with the rule named."""

from __future__ import annotations

from pathlib import Path

import pytest

from medrag_core.reports.mentions import extract_observations
from medrag_core.reports.vocabulary import CONTEXT_RULES, VocabularyError, load_context_rules

EXAMPLES = [(rule.literal, *example) for rule in CONTEXT_RULES for example in rule.examples]


def test_every_rule_has_an_example() -> None:
    assert [r.literal for r in CONTEXT_RULES if not r.examples] == []


@pytest.mark.parametrize(("literal", "text", "finding", "polarity"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_rule_examples(literal: str, text: str, finding: str, polarity: str) -> None:
    found = [o.polarity for o in extract_observations(text, "FINDINGS") if o.name == finding]
    assert found[:1] == [polarity], (literal, found)


@pytest.mark.parametrize(("body", "message"), [
    ('[[rule]]\nliteral = "x"\ncategory = "NEGATED"\ndirection = "FORWARD"\npattern = "x"\n', "category 'NEGATED'"),
    ('[[rule]]\nliteral = "x"\ncategory = "PSEUDO"\ndirection = "FORWARD"\npattern = "(x"\n',
     "not a valid regular expression"),
    # a pattern opening on a space would be skipped by the one start test the compiled triggers make
    ('[[rule]]\nliteral = "x"\ncategory = "TERMINATE"\ndirection = "TERMINATE"\npattern = \'\'\'\\s+but\'\'\'\n'
     'examples = [{ text = "No effusion but consolidation.", finding = "Consolidation", polarity = "present" }]\n',
     "where no word or punctuation mark starts"),
    # a macro the file does not define
    ('[macros]\nFILM = "film"\n[[rule]]\nliteral = "x"\ncategory = "PSEUDO"\ndirection = "PSEUDO"\n'
     'pattern = "not seen on the %FILMS%"\n', "rule 'x' uses the macro %FILMS%"),
])
def test_inconsistent_rules_are_refused_with_the_rule_named(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "context_rules.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        load_context_rules(path)


def test_macros_are_expanded_in_rule_patterns(tmp_path: Path) -> None:
    path = tmp_path / "context_rules.toml"
    path.write_text('[macros]\nFILM = "(?:film|study)"\n[[rule]]\nliteral = "x"\ncategory = "PSEUDO"\n'
                    'direction = "PSEUDO"\npattern = "not seen on the %FILM%"\n', encoding="utf-8")
    assert [r.pattern for r in load_context_rules(path)] == ["not seen on the (?:film|study)"]
