"""Subspecialty clinic, outsourced (teleradiology) and plain-language forms (the classes the v16-v18 look exposed).

Every example is written here by hand; none is taken from a generator. Each was checked to fail on the checker
before the rule it tests.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import parse_report
from tests.fixtures.report_forms import flagged


def report(findings: str, impression: str, *, findings_header: str = "FINDINGS:",
           impression_header: str = "IMPRESSION:", tail: str = "") -> str:
    return f"History: Cough.\n{findings_header}\n{findings}\n{impression_header}\n{impression}\n{tail}"


# --- sections: an empty conclusion under a service's standing lines ---------------------------------------------

@pytest.mark.parametrize("tail", [
    "Reported via teleradiology. Images reviewed on a diagnostic workstation.",
    "This report was issued by a remote reporting service. Prior imaging was not available unless stated.",
    "Preliminary overnight report - the final report will be issued by the local radiology department.",
    "Note: this report is intended for the referring clinician; correlate clinically.",
    "Report verified by: ___, MD.",
    "Electronically signed (chest imaging section).",
    "Electronically signed: Dr ___ (Consultant Thoracic Radiologist).",
])
def test_a_conclusion_holding_only_the_services_lines_is_empty(tail: str) -> None:
    text = report("The heart is normal. The lungs are clear.", "", impression_header="OPINION:", tail=tail)
    parsed = parse_report(text)
    assert parsed.sections.get("IMPRESSION", "") == "", parsed.sections
    assert "missing_section" in flagged(text)


def test_the_services_lines_after_a_written_conclusion_change_nothing() -> None:
    text = report("The heart is normal. Small right pleural effusion.", "Small right pleural effusion.",
                  impression_header="OPINION:",
                  tail="Reported via teleradiology. Images reviewed on a diagnostic workstation.")
    assert parse_report(text).sections["IMPRESSION"] == "Small right pleural effusion."
    assert flagged(text) == set()


def test_continuing_surveillance_is_advice_not_a_conclusion() -> None:
    text = report("- Small right effusion, unchanged.\n- Heart size normal.", "",
                  impression_header="", tail="Recommendation: continue routine surveillance.")
    assert "missing_section" in flagged(text)


@pytest.mark.parametrize("header", ["SUMMARY IMPRESSION:", "IMPRESSION / RESPONSE ASSESSMENT:",
                                    "IMPRESSION (in order of importance):"])
def test_qualified_conclusion_headers(header: str) -> None:
    filled = report("Large right pleural effusion.", "Large right pleural effusion.", impression_header=header)
    assert parse_report(filled).sections["IMPRESSION"] == "Large right pleural effusion."
    assert flagged(filled) == set()
    empty = report("Large right pleural effusion.", "", impression_header=header)
    assert "missing_section" in flagged(empty)


def test_key_findings_before_a_diagnosis_are_the_findings() -> None:
    text = report("The heart is normal. Large left pleural effusion.", "Large left pleural effusion.",
                  findings_header="KEY FINDINGS:", impression_header="DIAGNOSIS:")
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"].startswith("The heart is normal.")
    assert parsed.sections["IMPRESSION"] == "Large left pleural effusion."
    # alone, "Key findings" is still the summary it names
    alone = parse_report("History: Cough.\nKEY FINDINGS:\nLarge left pleural effusion.")
    assert set(alone.sections) >= {"IMPRESSION"} and "FINDINGS" not in alone.sections


# --- sides ------------------------------------------------------------------------------------------------------

def test_talc_pleurodesis_has_a_side() -> None:
    text = report("Dense pleural thickening along the right lateral chest wall, in keeping with prior talc "
                  "pleurodesis.", "1. Left talc pleurodesis.\n2. No acute process.")
    assert "laterality_conflict" in flagged(text)
    same = report("Dense pleural thickening along the right lateral chest wall, in keeping with prior talc "
                  "pleurodesis.", "1. Right talc pleurodesis.\n2. No acute process.")
    assert flagged(same) == set()


def test_streakiness_has_a_side_but_is_no_consolidation() -> None:
    text = report("There is mild streakiness in the right base. No focal infiltrate or effusion.",
                  "Mild streakiness, subsegmental atelectasis versus early infiltrate left lower lobe.")
    assert "laterality_conflict" in flagged(text)
    # a streak beside "no focal infiltrate" is not a contradiction, nor an omission from a normal impression
    alone = report("There is mild streakiness in the right base. No focal infiltrate or effusion.",
                   "No acute disease.")
    assert flagged(alone) == set()


def test_the_middle_lobe_is_the_right_lungs() -> None:
    assert "laterality_conflict" in flagged(report("There is consolidation in the middle lobe. No effusion.",
                                                   "Left-sided pneumonia."))
    assert flagged(report("There is consolidation in the middle lobe. No effusion.",
                          "Right middle lobe pneumonia.")) == set()


def test_ipsilateral_and_contralateral_take_the_side_named_before() -> None:
    findings = "A left-sided chest drain is in place. There is a moderate ipsilateral pneumothorax."
    assert "laterality_conflict" in flagged(report(findings, "Moderate right pneumothorax; drain in situ."))
    assert "laterality_conflict" not in flagged(report(findings, "Moderate left pneumothorax; drain in situ."))
    other = "A left-sided chest drain is in place. There is a small contralateral pneumothorax."
    assert "laterality_conflict" in flagged(report(other, "Small left pneumothorax; drain in situ."))


def test_a_side_past_a_comma_heading_another_phrase_is_not_the_negated_findings() -> None:
    text = report("No definite pleural effusion seen, left bronchovascular crowding. Heart normal.",
                  "Small right pleural effusion.")
    assert "negation_conflict" in flagged(text)
    # a side that places the finding after a comma still does ("Pneumothorax, right apical")
    placed = parse_report(report("Pneumothorax, right apical.", "Right pneumothorax."))
    assert [o.sites for o in placed.observations if o.section == "FINDINGS"] == [(("right", "upper"),)]


# --- saying no --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("findings,impression", [
    ("The clinician's query of pneumothorax is not confirmed. No effusion.", "Small right apical pneumothorax."),
    ("The right costophrenic angle has cleared. Negative for consolidation.", "Persistent right pleural effusion."),
    ("Moderate pleural effusion (left). No consolidation.", "No pleural abnormality."),
    ("There is a large left pneumothorax. No effusion.", "1. Stable mild cardiomegaly.\n2. Lungs fully expanded."),
])
def test_plain_language_rule_outs_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" in flagged(report(findings, impression))


def test_a_query_alone_stays_a_hedge_and_expanded_lungs_are_inflation() -> None:
    asked = parse_report(report("Clinical query of pneumothorax. No effusion.", "No acute disease."))
    assert [o.polarity for o in asked.observations if o.name == "Pneumothorax"] == ["uncertain"]
    assert flagged(report("Lungs are expanded and clear. Small right apical pneumothorax.",
                          "Small right apical pneumothorax.")) == set()


def test_aspiration_as_a_procedure_is_no_pneumonia() -> None:
    text = report("Large right pleural effusion. Triangular density behind the heart with loss of the left "
                  "hemidiaphragm outline: left lower lobe collapse.",
                  "Large right effusion; ultrasound-guided aspiration could be considered.\nLeft lower lobe collapse.")
    assert flagged(text) == set()
    assert "negation_conflict" in flagged(report("No consolidation. No pneumonia.", "Right lower lobe aspiration."))


# --- what an impression must not leave out ----------------------------------------------------------------------

@pytest.mark.parametrize("findings,impression", [
    ("Heart size normal before. Cardiac silhouette enlarged since the prior study, globular in shape.",
     "Stable device position. Otherwise no acute process."),
    ("Left pleural effusion has reaccumulated and now occupies the lower third of the left hemithorax.",
     "1. LVAD in situ.\n2. Remaining appearances stable."),
    ("A 13 mm soft tissue nodule projects over the left upper zone, not seen on the previous film.",
     "Borderline heart size."),
    ("Diffuse interstitial opacities, right greater than left. 1.5 cm nodule in the left upper lobe.",
     "Bilateral interstitial opacities."),
    ("Innumerable bilateral lung nodules. New moderate left pleural effusion.",
     "Continued innumerable bilateral small lung nodules. No change."),
])
def test_new_or_growing_findings_must_be_summarised(findings: str, impression: str) -> None:
    assert "impression_omits_finding" in flagged(report(findings, impression))


def test_what_the_impression_names_otherwise_is_not_omitted() -> None:
    # "increasing cardiac silhouette" names the enlarged heart
    assert flagged(report("Cardiac silhouette enlarged since the prior study, globular in shape.",
                          "Increasing cardiac silhouette, ?pericardial effusion.")) == set()
    # septal lines read as the tumour's lymphatic spread are not oedema
    assert flagged(report("Increasing bilateral reticulonodular opacities with septal lines, compatible with "
                          "progressive lymphangitic carcinomatosis. No pulmonary edema.",
                          "Progressive lymphangitic carcinomatosis.")) == set()
    # a nodular density summarised as an airspace density at its side
    assert "impression_omits_finding" not in flagged(report(
        "There is a 2.5 cm vague nodular density in the right mid lung.", "Right midlung airspace density."))
    # "No change." still speaks for a finding the findings call unchanged
    assert "impression_omits_finding" not in flagged(report(
        "Innumerable bilateral lung nodules. Moderate left pleural effusion, unchanged.",
        "Continued innumerable bilateral small lung nodules. No change."))


# --- blanks -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("findings", [
    "Large ___ pleural effusion with mediastinal shift to the left.",
    "Moderate ___ pleural effusion with a meniscus.",
    "Right upper lobe collapse with elevation of the horizontal fissure and the ___ hilum.",
])
def test_a_blank_where_a_side_belongs_is_a_placeholder_in_a_masked_report(findings: str) -> None:
    # the history's mask shows the report was de-identified: the finding's blank is a field all the same
    text = f"History: ___-year-old man, seen by Dr ___.\nFINDINGS:\n{findings}\nIMPRESSION:\nEffusion."
    assert "placeholder" in flagged(text)


def test_no_new_finding_against_a_conclusion_the_findings_never_describe() -> None:
    # FINDINGS rule out a new airspace opacity and describe none; the IMPRESSION concludes one, not called old
    text = report("No new airspace opacity. Emphysema. No effusion.",
                  "1. Patchy right lower lobe airspace disease.\n2. Emphysema.")
    assert "negation_conflict" in flagged(text)
    # ... but an old or stable one, or one the findings describe, is no conflict
    assert "negation_conflict" not in flagged(report("No new airspace opacity. Emphysema.",
                                                     "1. Stable right lower lobe airspace disease.\n2. Emphysema."))
    assert "negation_conflict" not in flagged(report("Right basal consolidation, unchanged. No new airspace opacity.",
                                                     "Right basal consolidation."))
