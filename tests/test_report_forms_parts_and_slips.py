"""Parts beside the two sections, decision-support lines, reading workflows and typing slips (the classes the
v19-v21 look exposed).

Every example is written here by hand; none is taken from a generator. Each was checked to fail on the checker
before the rule it tests (the ones that guard what must stay unchanged say so).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medrag_core.reports import parse_report, parse_sections, run_checks
from medrag_core.reports.reading import offset_as_given, offset_as_read, put_back_letters, read_slips
from medrag_core.reports.vocabulary import SECTION_HEADERS, VocabularyError, load_section_headers
from tests.fixtures.report_forms import flagged

FINDINGS = "FINDINGS:\nA 3 cm mass in the right upper zone. No pleural effusion.\n"


# --- parts beside the two sections ------------------------------------------------------------------------------

@pytest.mark.parametrize("part", [
    "COMMUNICATION:\nRoutine; report to the ordering provider.",
    "CRITICAL RESULT:\nYes. New finding phoned to the team.",
    "LIMITATIONS:\nRotated patient.",
    "QUALITY: Diagnostic.",
    "DIFFERENTIAL DIAGNOSIS:\nPrimary lung neoplasm; metastasis.",
    "FOLLOW-UP:\nNo follow-up imaging needed.",
    "INCIDENTAL FINDINGS:\nCholecystectomy clips.",
])
def test_a_part_beside_the_sections_is_not_the_conclusion(part: str) -> None:
    empty = f"{FINDINGS}IMPRESSION:\n{part}"
    assert parse_report(empty).sections.get("IMPRESSION") == ""
    assert "missing_section" in flagged(empty)
    written = f"{FINDINGS}IMPRESSION:\nRight upper zone mass.\n{part}"
    assert parse_report(written).sections["IMPRESSION"] == "Right upper zone mass."
    assert flagged(written) == set()


def test_rows_of_the_findings_stay_in_them() -> None:
    # guards: a row label inside the findings is no part of its own ("Additional findings:" in lower case, "Lines
    # and tubes:" in any case)
    text = ("FINDINGS:\nLines and tubes: ETT 4 cm above the carina.\nAdditional findings: Large left pleural "
            "effusion.\nIMPRESSION:\nLarge right pleural effusion.")
    assert "Large left pleural effusion" in parse_report(text).sections["FINDINGS"]
    assert "laterality_conflict" in flagged(text)


@pytest.mark.parametrize("advice", [
    "Short-interval follow-up radiograph recommended.",
    "Follow-up radiograph in 6-8 weeks after treatment to document resolution.",
    "Per local guidance, recommend a repeat radiograph after treatment.",
])
def test_advice_alone_states_no_conclusion(advice: str) -> None:
    assert "missing_section" in flagged(f"{FINDINGS}IMPRESSION:\nRECOMMENDATION: {advice}")


# --- decision support and reading workflows ---------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "AI triage: pneumothorax suspected (score 0.91) - radiologist reviewed: no pneumothorax.",
    "[AI-assisted read] Algorithm flag: pleural effusion (confidence 0.88). Radiologist comment: no effusion.",
    "CAD marks reviewed; no nodule.",
    "AI FINDINGS (decision support, not verified)\n  pneumothorax      0.40\n  pleural effusion  0.07",
])
def test_decision_support_lines_are_not_the_report(line: str) -> None:
    text = ("FINDINGS:\nThe lungs are clear. No pleural effusion or pneumothorax.\n"
            f"IMPRESSION:\nNo acute cardiopulmonary abnormality.\n{line}")
    assert flagged(text) == set()
    # the report's own text is still read: a radiologist's pneumothorax there still conflicts
    assert "negation_conflict" in flagged(text.replace("No acute cardiopulmonary abnormality.",
                                                       "Small left apical pneumothorax."))


def test_a_banner_is_no_blank() -> None:
    text = "*** REVISED REPORT ***\nFINDINGS:\nThe lungs are clear.\nIMPRESSION:\nNormal chest."
    assert flagged(text) == set()
    assert "placeholder" in flagged("FINDINGS:\nThe lungs are ***.\nIMPRESSION:\nNormal chest.")


@pytest.mark.parametrize("line", [
    "ATTESTATION: I have reviewed the images and the report prepared by the resident and agree with it.",
    "Agree with above. -- Dr. A. Reader",
    "Reader 2 (independent): concordant.",
    "Reader 2: agree with reader 1; no discrepancy.",
    "Revised by Dr. A. Reader.",
    "Resident: Dr. A. Reader, radiology resident",
    "I have seen the images and agree with the report as dictated.",
])
def test_an_attestation_or_second_read_under_an_empty_conclusion_leaves_it_empty(line: str) -> None:
    text = f"FINDINGS:\nThe lungs are clear.\nIMPRESSION:\n{line}"
    assert parse_report(text).sections.get("IMPRESSION") == ""
    assert "missing_section" in flagged(text)


# --- typing slips -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("findings_header,impression_header", [
    ("Findngs:", "Impresion:"), ("FINIDNGS:", "IMPRESSSION:"), ("FINDINGS:", "Conclsuion:")])
def test_slipped_section_headers(findings_header: str, impression_header: str) -> None:
    text = f"{findings_header}\nThe lungs are clear.\n{impression_header}\nNormal chest."
    parsed = parse_report(text)
    assert parsed.sections.get("FINDINGS") == "The lungs are clear."
    assert parsed.sections.get("IMPRESSION") == "Normal chest."
    assert flagged(text) == set()


def test_typed_slips_must_name_the_sections_own_header(tmp_path: Path) -> None:
    bad = tmp_path / "sections.toml"
    bad.write_text('[[section]]\nname = "FINDINGS"\nheaders = ["findings"]\ntyped_slips = ["impression"]\n')
    with pytest.raises(VocabularyError, match="typed_slips"):
        load_section_headers(bad)
    # a real name wins over a slip of another: "finding" stays FINDINGS' own
    assert SECTION_HEADERS.sections["finding"] == "FINDINGS"


@pytest.mark.parametrize("typed,read", [
    ("consolidaiton", "consolidation"), ("Hearrt", "Heart "), ("opacitiy", "opacity "), ("effusiom", "effusion"),
    ("PNUEMONIA", "PNEUMONIA"), ("Lugns", "Lungs"),
])
def test_a_typing_slip_of_a_vocabulary_word_is_read_as_the_word(typed: str, read: str) -> None:
    assert read_slips(f"Right basal {typed}.") == (f"Right basal {read}.", ())


@pytest.mark.parametrize("word", ["hemithorax", "silhouettes", "lingular", "pneumonic", "fractured", "evidenced",
                                  "pleura", "finding", "cardia", "lobar"])
def test_real_words_are_left_as_typed(word: str) -> None:
    # guards: a word of its own is never "corrected" into another (hemithorax is no hemothorax; the pleura, a
    # finding and the gastric cardia are words, though each is a vocabulary word with its last letter dropped)
    assert read_slips(f"Right {word} here.") == (f"Right {word} here.", ())


@pytest.mark.parametrize("typed,read,at", [
    ("colapse", "collapse", 3), ("Nodle", "Nodule", 3), ("pneumothorx", "pneumothorax", 10),
    ("silhouete", "silhouette", 8), ("efusion", "effusion", 2), ("CONSOLDATION", "CONSOLIDATION", 6),
])
def test_a_dropped_letter_is_put_back_and_said_where(typed: str, read: str, at: int) -> None:
    reading, put_back = read_slips(f"Right {typed} and {typed}.")
    assert reading == f"Right {read} and {read}."
    assert put_back == (6 + at, 6 + len(read) + 5 + at)
    assert put_back_letters(f"Right {typed} and {typed}.", reading, put_back) == reading
    # every character as given is found again in the reading, and maps back to itself
    given = f"Right {typed} and {typed}."
    assert all(reading[offset_as_read(i, put_back)].lower() == c.lower() for i, c in enumerate(given))
    assert all(offset_as_given(offset_as_read(i, put_back), put_back) == i for i in range(len(given)))


def test_dropped_letters_are_read_and_spans_index_the_report_as_given() -> None:
    text = ("FINDINGS: Colapse of the right lower lobe. 14 mm nodle right mid zone, measuring [XX] on the lateral.\n"
            "IMPRESSION: Left lower lobe collapse. No acute disease otherwise.")
    parsed = parse_report(text)
    assert parsed.as_given == text and parsed.text != text and len(parsed.put_back) == 2
    issues = {i.kind: i for i in run_checks(parsed)}
    assert {"laterality_conflict", "impression_omits_finding", "placeholder"} <= set(issues)
    quoted = {k: [text[a:b] for a, b in i.spans] for k, i in issues.items()}
    assert quoted["laterality_conflict"] == ["Colapse of the right lower lobe.", "Left lower lobe collapse."]
    assert quoted["placeholder"] == ["[XX]"]
    assert quoted["impression_omits_finding"][0].startswith("14 mm nodle right mid zone")
    # evidence that quotes one sentence quotes it as typed
    assert issues["placeholder"].evidence in text


def test_dropped_letters_in_fields_already_split() -> None:
    parsed = parse_sections("Large right pleural efusion. Colapse of the left lower lobe.", "Left pleural effusion.")
    assert parsed.sections["FINDINGS"] == "Large right pleural effusion. Collapse of the left lower lobe."
    assert parsed.sections["IMPRESSION"] == "Left pleural effusion."
    assert "laterality_conflict" in {i.kind for i in run_checks(parsed)}


def test_slips_change_what_the_checks_see() -> None:
    text = ("FINDINGS: Hearrt size normal. Patchy airspace opacitiy at the right base c/w consolidaiton.\n"
            "Impresion: Left basal pneumonia.")
    assert "laterality_conflict" in flagged(text)


# --- lung lesions and free air ----------------------------------------------------------------------------------

def test_a_nodule_said_to_be_in_the_lung_against_no_lung_lesion() -> None:
    assert "negation_conflict" in flagged("FINDINGS: No effusion. No focal lung lesion.\n"
                                          "IMPRESSION: Right lung nodule 14 mm - CT advised.")
    # guard: a nodule with no place in the lung stays no conflict with clear lungs
    assert "negation_conflict" not in flagged("FINDINGS: No effusion. The lungs are clear.\nIMPRESSION: 12 mm nodule.")


def test_free_intra_abdominal_air() -> None:
    assert "negation_conflict" in flagged("FINDINGS: No visible free air under the diaphragm.\n"
                                          "IMPRESSION: Free intra-abdominal air.")


def test_a_final_impression_replaces_the_preliminary_one() -> None:
    text = ("FINDINGS: Moderate right pleural effusion.\nIMPRESSION (preliminary):\nModerate right pleural effusion.\n"
            "FINAL REPORT (Attending: Dr. A. Reader)\nI have reviewed the images; the preliminary impression is "
            "replaced by\nFINAL IMPRESSION:\nModerate left pleural effusion.")
    assert parse_report(text).sections["IMPRESSION"] == "Moderate left pleural effusion."
    assert "laterality_conflict" in flagged(text)
    # two impression headers without "final" are still read together
    both = "FINDINGS: Moderate right pleural effusion.\nIMPRESSION: Right effusion.\nIMPRESSION: No pneumothorax."
    assert parse_report(both).sections["IMPRESSION"] == "Right effusion.\nNo pneumothorax."


def test_advice_looking_for_a_finding_states_none() -> None:
    text = ("FINDINGS: Complete collapse of the left upper lobe with elevation of the left hilum.\n"
            "RECOMMENDATIONS: Bronchoscopy or CT recommended to exclude an obstructing lesion.")
    assert "missing_section" in flagged(text)


# --- after the v22-v24 look: long and short reports, second voices, signs -------------------------------------

def test_a_technique_label_run_into_the_findings_paragraph_does_not_end_them() -> None:
    text = ("FINDINGS:\nCompared with the radiograph of May, the abnormality below is new. Technique: PA and lateral, "
            "adequate inspiration. There is collapse of the left lower lobe with volume loss.\n"
            "IMPRESSION:\nRight lower lobe collapse.")
    assert "collapse of the left lower lobe" in parse_report(text).sections["FINDINGS"]
    assert "laterality_conflict" in flagged(text)


def test_an_opacity_the_findings_read_as_oedema_is_the_oedemas() -> None:
    assert flagged("FINDINGS: Upper lobe venous diversion with bilateral perihilar airspace shadowing, in keeping "
                   "with pulmonary oedema.\nIMPRESSION: Pulmonary oedema.") == set()


def test_checklist_questions_read_as_their_answers() -> None:
    text = ("FINDINGS:\nIs there a pleural effusion? No.\nIs there a pneumothorax? No.\nLungs clear.\n"
            "IMPRESSION:\nNo acute disease.")
    assert flagged(text) == set()
    assert "impression_omits_finding" in flagged(text.replace("pneumothorax? No.", "pneumothorax? Yes, right apical."))


@pytest.mark.parametrize("note", [
    "Discussion: about 200 ml of pleural fluid is needed to blunt the costophrenic angle.",
    "Teaching point: a small apical pneumothorax is easily missed on a supine film.",
])
def test_a_discussion_or_teaching_note_after_the_conclusion_is_no_finding(note: str) -> None:
    assert flagged(f"FINDINGS:\nThe lungs are clear.\nIMPRESSION:\nNo acute disease.\n{note}") == set()


@pytest.mark.parametrize("sign", [
    "Veil-like opacity over the left hemithorax with a luftsichel.",
    "Golden S sign: the elevated horizontal fissure is concave laterally around a right hilar bulge.",
])
def test_a_lobes_collapse_named_by_its_sign_must_be_summarised(sign: str) -> None:
    assert "impression_omits_finding" in flagged(f"FINDINGS: {sign} No effusion.\nIMPRESSION: No acute disease.")


def test_deep_sulcus_sign_affirmed_or_ruled_out() -> None:
    assert flagged("FINDINGS: No deep sulcus sign; no pneumothorax.\nIMPRESSION: No acute disease.") == set()
    assert "impression_omits_finding" in flagged(
        "FINDINGS: Interstitial oedema. Deep sulcus sign on the left on this supine film.\n"
        "IMPRESSION: Interstitial pulmonary oedema.")


def test_a_collapse_elsewhere_does_not_summarise_a_consolidation() -> None:
    assert "impression_omits_finding" in flagged(
        "FINDINGS: Right upper lobe collapse. Airspace opacity in the right lower zone with air bronchograms.\n"
        "IMPRESSION: Right upper lobe collapse; CT recommended.")


def test_hampton_hump_has_a_side_and_a_ratio_left_as_xx_is_a_field() -> None:
    assert "laterality_conflict" in flagged(
        "FINDINGS: Peripheral wedge-shaped pleural-based opacity at the right base (Hampton hump).\n"
        "IMPRESSION: Hampton hump at the left base, ? pulmonary infarction.")
    assert "placeholder" in flagged("FINDINGS: The heart is top normal in size. CTR XX.\nIMPRESSION: Normal.")
    assert "placeholder" not in flagged("FINDINGS: CTR XXXX. Lungs clear.\nIMPRESSION: Normal.")


# --- a reviewer's edit in brackets ---------------------------------------------------------------------------------

def test_a_consultants_bracketed_edit_replaces_the_sentence_before_it() -> None:
    text = ("FINDINGS: Large right effusion with a meniscus to the mid zone.\nIMPRESSION:\n"
            "Large right effusion ?aspirate. [Consultant edit: Large left effusion ?aspirate.]\n"
            "Reported by: Dr ___ (ST3)\nAmended by consultant: Dr ___")
    found = flagged(text)
    assert "laterality_conflict" in found and "placeholder" not in found
    # guard: an edit that agrees with the findings leaves the report consistent, the registrar's slip read no more
    agreed = text.replace("Large left effusion ?aspirate.]", "Large right effusion ?aspirate.]").replace(
        "Large right effusion ?aspirate. [", "Large left effusion ?aspirate. [")
    assert flagged(agreed) == set()


def test_a_bracketed_addendum_is_report_text_and_a_template_field_still_is_one() -> None:
    assert flagged("FINDINGS: Lungs clear. No effusion.\nIMPRESSION: No acute disease. [Addendum: CT booked.]") == set()
    assert "placeholder" in flagged("FINDINGS: Lungs clear. [Addendum: CT booked.] Nodule [XX] in the [LEFT/RIGHT] "
                                    "lung.\nIMPRESSION: Nodule.")
