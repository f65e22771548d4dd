"""Report forms from the v31-v33 blind looks: compact notation (arrows, "pl.", "w/o", "#", "IMP:"), the scope of
what a negation or an "old" covers (a zone, a clause set in commas, a contrast), and normal statements with
exceptions.

Each test is a general rule written from what the looks showed, in sentences of our own; guards keep what must not
change.
"""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report
from tests.fixtures.report_forms import flagged

# --- compact notation -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "FINDINGS:\n• Heart size normal\n• No PTX or pl. effusion\nIMP:\n→ Negative chest",
    "Findings:\n✓ Normal heart size\n✓ Lungs clear, w/o evidence of infiltrate\nImpr. ⇒\n→ No acute abnormality",
    "» Findings Lungs are clear. No pneumothorax or pleural effusion.\nIMPRESSION No acute abnormality.",
    "Findings -\n- Lungs are clear\n- No effusions or PTX\n→ Impression:\n→ Normal chest",
])
def test_compact_notation_of_a_normal_report_reads_as_normal(text: str) -> None:
    parsed = parse_report(text)
    assert {"FINDINGS", "IMPRESSION"} <= set(parsed.sections)
    assert flagged(text) == set()


def test_an_up_arrow_is_an_increase_an_impression_must_name() -> None:
    assert "impression_omits_finding" in flagged("FINDINGS: ↑ R pleural effusion, now moderate. Lungs clear.\n"
                                                 "IMPRESSION: NAD.")
    parsed = parse_report("FINDINGS: R effusion ↓ since last week.\nIMPRESSION: Small R effusion.")
    assert [o.change for o in parsed.observations if o.section == "FINDINGS"] == ["decreased"]


@pytest.mark.parametrize("findings,impression", [
    ("Ht mildly enlarged (CTR ~0.55). Lungs clear.", "Normal heart size. NAD otherwise."),
    ("Trace L pl. effusion. Heart not enlarged.", "Trace R effusion."),
    ("R CP angle blunted - small effusion. Heart size normal.", "Small left effusion."),
    ("Healed L 6th rib #. Mediastinum N.", "Old Rt rib #. Mild cardiomegaly."),
])
def test_shorthand_sides_and_findings_are_compared(findings: str, impression: str) -> None:
    assert flagged(f"FINDINGS: {findings}\nIMPRESSION: {impression}") & {"negation_conflict", "laterality_conflict"}


@pytest.mark.parametrize("text", [
    "FINDINGS: No pneumothorax. Mediastinum N.\nIMPRESSION: —",
    "FINDINGS:\n- No PTX\n- Osseous structures are intact\nIMPRESSION:\nRep: ___ / verified ___",
    "FINDINGS:\nLungs clear. Bones NAD.\nImpression:\n/jd",
])
def test_a_dash_or_a_sign_off_under_the_header_leaves_the_impression_empty(text: str) -> None:
    assert [i.message for i in check_report(text) if i.kind == "missing_section"] == [
        "The IMPRESSION section is empty."]


def test_run_in_history_and_comparison_labels_are_no_findings() -> None:
    text = "CXR PA + lat. Hx: Rib pain. Comp: None.\nImpression: NAD.\n/jd"
    assert set(parse_report(text).sections) == {"INDICATION", "COMPARISON", "IMPRESSION"}
    assert "missing_section" in flagged(text)
    # guard: a report that ends with the typist's initials is otherwise as it was
    assert flagged("FINDINGS: Lungs clear.\nIMPRESSION: Normal chest.\n/jd") == set()


# --- what a negation covers -----------------------------------------------------------------------------------------

def test_a_negation_in_one_zone_says_nothing_of_another() -> None:
    text = ("FINDINGS: The lungs are clear apart from patchy consolidation in the left lower zone. No consolidation in "
            "the upper zones.\nIMPRESSION: Left lower zone pneumonia; the remainder is normal.")
    assert flagged(text) == set()
    # guard: in the same zone it still stands against the finding
    assert "negation_conflict" in flagged("FINDINGS: Consolidation in the left upper zone.\n"
                                          "IMPRESSION: No consolidation in the upper zones.")


def test_collapse_ruled_out_in_a_list_stands_against_a_lobes_collapse() -> None:
    assert "negation_conflict" in flagged("FINDINGS: No pneumothorax, collapse or pleural effusion.\n"
                                          "IMPRESSION: Collapse of the left lower lobe.")
    # guard: a vertebra's collapse is no lung's
    assert [o.name for o in parse_report("FINDINGS: Old wedge collapse of T7.\nIMPRESSION: x").observations] == []


def test_what_a_clause_in_commas_says_does_not_stop_the_predicate_after_it() -> None:
    parsed = parse_report("FINDINGS: The left lower zone consolidation, which was present on ___, has resolved.\n"
                          "IMPRESSION: Resolution of the left lower zone consolidation.")
    assert [(o.polarity, o.resolved) for o in parsed.observations if o.section == "FINDINGS"] == [("absent", True)]
    assert flagged(parsed.text) == set()


def test_an_old_finding_does_not_make_the_next_clauses_finding_old() -> None:
    text = ("FINDINGS: There is an old healed fracture of the right eighth rib, which is unchanged, while there is a "
            "17 mm nodule in the right upper zone.\nIMPRESSION: Old healed right rib fracture, but no other acute "
            "abnormality.")
    assert "impression_omits_finding" in flagged(text)
    # guard: "enlarged but unchanged" is one stable finding, which "no acute disease" may leave out
    assert flagged("FINDINGS: Cardiac silhouette is enlarged but unchanged.\nIMPRESSION: No acute disease.") == set()


def test_a_rib_lesion_is_no_lung_lesion() -> None:
    assert flagged("FINDINGS: There is a 16 mm nodule in the left upper zone, which does not correspond to a nipple "
                   "shadow or a rib lesion.\nIMPRESSION: 16 mm left upper zone nodule; CT chest is advised.") == set()


def test_a_prior_studys_masked_date_is_no_field() -> None:
    assert flagged("FINDINGS: Since the previous radiograph (___), a small calcified granuloma is unchanged.\n"
                   "IMPRESSION: Old granulomatous disease.") == set()
    # guard: a blank where a size belongs still is one
    assert "placeholder" in flagged("FINDINGS: Nodule measuring ___ mm in the right lung.\nIMPRESSION: Nodule.")


def test_a_normal_statement_with_an_exception_does_not_deny_the_exception() -> None:
    text = ("FINDINGS: The lungs and pleural spaces are clear, with the exception of a small right pleural effusion.\n"
            "IMPRESSION: No pleural effusion. No acute abnormality.")
    assert "negation_conflict" in flagged(text)


def test_a_healed_fracture_is_still_one_a_plain_negation_denies() -> None:
    assert "negation_conflict" in flagged("FINDINGS: No focal consolidation, rib fracture or pleural effusion.\n"
                                          "IMPRESSION: No acute abnormality other than healed fracture, right 8th rib.")
    # guard: "no acute fracture" says nothing of an old one
    assert flagged("FINDINGS: Old healed right rib fractures.\nIMPRESSION: No acute bony abnormality.") == set()


# --- typed in a hurry: spaces, case and colons left out (v34-v36 look) --------------------------------------------

def test_a_missing_space_after_a_full_stop_still_ends_the_sentence() -> None:
    text = ("Findings:  Normal heart size.No airspace disease.Small left pleural effusion blunting the costophrenic "
            "angle.Thin right lateral pneumothorax.\nimpression:  Small right pneumothorax.Small left effusion.")
    assert "negation_conflict" not in flagged(text)
    parsed = parse_report(text)
    assert ("Pleural Effusion", "present") in {(o.name, o.polarity) for o in parsed.observations
                                               if o.section == "FINDINGS"}


@pytest.mark.parametrize("text", [
    "Findings Normal heart size. No pleural effusion or pneumothorax., Bones are unremarkable.\n"
    "impression No acute cardiopulmonary abnormality.",
    "indication cough\nfindings the heart is not enlarged. lungs are clear bilaterally.\nimpression normal chest.",
    "INDICATION-smoker COMPARISON-No prior. findings-The heart is not enlarged. Lungs are clear.\n"
    "Impression-No acute disease.",
])
def test_headers_typed_in_lower_case_or_run_in_with_a_dash(text: str) -> None:
    assert {"FINDINGS", "IMPRESSION"} <= set(parse_report(text).sections)
    assert flagged(text) == set()


def test_a_lower_case_word_that_opens_prose_is_no_header() -> None:
    # guard: "findings are ..." in a report typed with capitals is prose, not a header
    parsed = parse_report("FINDINGS: The heart is normal.\nfindings are otherwise unremarkable.\nIMPRESSION: Normal.")
    assert "otherwise unremarkable" in parsed.sections["FINDINGS"]


# --- impressions given as diagnoses -------------------------------------------------------------------------------

@pytest.mark.parametrize("findings,impression", [
    ("Loculated right pleural collection along the lateral chest wall. The lungs are clear.", "Right empyema."),
    ("Patchy right upper zone consolidation with a small cavity. The lungs are otherwise clear.",
     "Reactivation TB - isolate and send sputum."),
    ("Large left pneumothorax with partial collapse of the left lung.", "Large left pneumothorax requiring drainage."),
])
def test_a_diagnosis_names_the_finding_it_stands_for(findings: str, impression: str) -> None:
    assert "impression_omits_finding" not in flagged(f"FINDINGS: {findings}\nIMPRESSION: {impression}")


def test_tb_ruled_out_names_no_consolidation() -> None:
    assert "impression_omits_finding" in flagged("FINDINGS: Patchy right upper zone consolidation.\n"
                                                 "IMPRESSION: No evidence of active TB.")


def test_an_effusion_not_present_before_is_a_new_one() -> None:
    assert "negation_conflict" in flagged("FINDINGS: New blunting of the left costophrenic angle, a small effusion not "
                                          "present before.\nIMPRESSION: No pleural effusion.")
