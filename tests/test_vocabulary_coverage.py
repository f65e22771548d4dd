"""How radiologists name chest X-ray findings, read through ``check_report``: wordings taken as a checklist from
public lexicons (the CheXpert labeler's and NegBio's mention phrases, Fleischner Society and RadLex names, UK and
US report wording), each written here in our own sentences. Each wording is checked in context, as the checks use
it: affirmed in FINDINGS beside a normal impression (an omission, or none where the finding is minor or chronic),
affirmed in FINDINGS and ruled out in the IMPRESSION (a negation conflict), and on the other side in the
IMPRESSION (a laterality conflict)."""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report
from medrag_core.reports.mentions import extract_observations


def _issues(text: str) -> set[tuple[str, str, str | None]]:
    return {(i.kind, i.severity, i.finding) for i in check_report(text)}


# --- two subjects of one predicate share its change -------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "changes"), [
    ("Cardiomegaly and pulmonary edema have increased.", [("Cardiomegaly", "increased"), ("Edema", "increased")]),
    ("The right effusion and the left pneumothorax are smaller.",
     [("Pleural Effusion", "decreased"), ("Pneumothorax", "decreased")]),
    # a change word before the second finding is that finding's own
    ("Cardiomegaly and increased opacities.", [("Cardiomegaly", None), ("Lung Opacity", "increased")]),
    ("Right effusion has decreased and left effusion increased.",
     [("Pleural Effusion", "decreased"), ("Pleural Effusion", "increased")]),
])
def test_two_findings_before_one_plural_predicate_share_its_change(sentence: str, changes: list) -> None:
    assert [(o.name, o.change) for o in extract_observations(sentence, "FINDINGS")] == changes


def test_a_pneumothorax_fading_beside_another_finding_is_compared_by_side() -> None:
    text = ("FINDINGS: The right pneumothorax is no longer seen. There is a small left effusion.\n"
            "IMPRESSION: The left pneumothorax and the effusion are less apparent.")
    assert ("laterality_conflict", "error", "pneumothorax") in _issues(text)
