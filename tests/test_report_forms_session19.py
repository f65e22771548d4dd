"""Report forms fixed in the nineteenth session.

Each test is a general rule in sentences of our own; guards keep what must not change.
"""

from __future__ import annotations

import pytest

from tests.fixtures.report_forms import flagged, report

# --- a finding named as the place of a negated one ------------------------------------------------------------------


@pytest.mark.parametrize("negated", ["No cavitation within the right consolidation.",
                                     "No cavitation is seen within the consolidation.",
                                     "No cavity in the right lower lobe consolidation."])
def test_a_finding_named_as_where_a_negated_one_is_not_is_itself_there(negated: str) -> None:
    findings = f"Right lower lobe consolidation. {negated} No pleural effusion."
    assert flagged(report(findings, "Right lower lobe pneumonia.")) == set()
    # (and so it is a finding the impression must name)
    assert "impression_omits_finding" in flagged(report(f"{negated} No pleural effusion.", "Normal chest."))


@pytest.mark.parametrize("findings", [
    # a plain list is negated as a whole
    "No pneumothorax or effusion in the right hemithorax.",
    # a place that is no finding
    "No pneumothorax in the region of the right apex.",
    # no article: not a finding said to be there
    "No pneumothorax within a right-sided effusion.",
])
def test_the_negation_still_reaches_what_it_rules_out(findings: str) -> None:
    assert "negation_conflict" in flagged(report(findings, "Right pneumothorax."))
