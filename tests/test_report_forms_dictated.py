"""Reports signed with speech-recognition artefacts left in (the class the v45 look exposed): punctuation and commands
spoken as words, self-corrections, repeated and misheard words, and the dictation system's sign-off lines.

Every example is written here by hand; none is taken from a generator. Each test fails without
``reports.dictation``; the guards in them keep real prose ("the transverse colon", "a period of observation") as
written.
"""

from __future__ import annotations

import time

import pytest

from medrag_core.reports import parse_report
from medrag_core.reports.reading import read_text
from tests.fixtures.report_forms import flagged


def reading(text: str) -> str:
    read, put_back = read_text(text)
    assert not put_back and len(read) == len(text)  # every dictation reading keeps the text's length
    return read


# --- spoken punctuation and commands --------------------------------------------------------------------------------

@pytest.mark.parametrize(("spoken", "mark"), [
    ("period", "."), ("full stop", "."), ("Period", "."), ("comma", ","), ("semicolon", ";"), ("semi-colon", ";"),
])
def test_a_spoken_mark_is_read_as_its_character(spoken: str, mark: str) -> None:
    text = f"FINDINGS: Heart size is normal {spoken} Lungs are clear.\nIMPRESSION: Normal chest."
    read = reading(text)
    assert f"normal{mark}" in read and spoken not in read
    assert read.index("Lungs") == text.index("Lungs")  # the words after it stay where they were


@pytest.mark.parametrize("command", ["new paragraph", "next line", "new line", "New Paragraph"])
def test_a_spoken_line_break_starts_the_next_header_on_its_line(command: str) -> None:
    text = (f"Indication colon cough {command} Findings colon Heart size is normal period Moderate right pleural "
            f"effusion period {command} Impression colon Moderate left pleural effusion period")
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"].startswith("Heart size is normal.")
    assert parsed.sections["IMPRESSION"].startswith("Moderate left pleural effusion.")
    assert "laterality_conflict" in flagged(text)


def test_brackets_hyphens_and_numbered_items_spoken_as_words() -> None:
    text = ("EXAM: Chest open bracket portable close bracket\nFINDINGS: Right hyphen sided pleural effusion.\n"
            "IMPRESSION: number one Right-sided pleural effusion. number two No pneumothorax.")
    read = reading(text)
    assert "(" in read and ")" in read and "bracket" not in read
    assert read.split("\n")[1].startswith("FINDINGS: Right-sided ")
    assert "1." in read and "2." in read and "number" not in read
    assert flagged(text) == set()


def test_a_spoken_question_mark_queries_the_word_after_it_or_before_it() -> None:
    before = "FINDINGS: Patchy right basal opacity period\nIMPRESSION: question mark pneumonia period"
    assert "?pneumonia." in reading(before)
    after = "FINDINGS: Patchy right basal opacity comma pneumonia question mark\nIMPRESSION: Normal."
    assert "pneumonia? " in reading(after) and "question" not in reading(after)
    assert {(o.name, o.polarity) for o in parse_report(before).observations if o.section == "IMPRESSION"} == {
        ("Pneumonia", "uncertain")}


# --- a header dictated with "colon" ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Impression colon", "IMPRESSION COLON", "Conclusion colon"])
def test_an_empty_header_dictated_as_colon_is_an_empty_section(header: str) -> None:
    text = f"Clinical history colon cough.\nFindings colon Small left pleural effusion period\n{header}\n"
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"].startswith("Small left pleural effusion")
    assert parsed.sections.get("IMPRESSION", "") == ""
    assert "missing_section" in flagged(text)


def test_the_bowel_and_a_length_of_time_stay_words() -> None:
    text = ("Findings colon Gas in the transverse colon period Observed for a short period of time period "
            "Small right pleural effusion period\nImpression colon Small left pleural effusion period")
    read = reading(text)
    assert "transverse colon." in read and "short period of time." in read
    assert read.startswith("Findings:")
    assert "laterality_conflict" in flagged(text)


def test_a_quoted_comma_stays_a_word() -> None:
    text = 'Findings colon No "comma" sign period Impression colon Normal.'
    read = reading(text)
    assert '"comma" sign.' in read and read.startswith("Findings:")


def test_a_history_of_colon_cancer_keeps_its_bowel() -> None:
    text = "Clinical history colon cancer period\nFindings colon Heart size is normal period"
    read = reading(text)
    assert "history colon cancer." in read and read.split("\n")[1].startswith("Findings:")


def test_a_new_line_placed_is_a_device_not_a_command() -> None:
    text = ("Findings colon There is a new line in the right internal jugular vein period Left PICC, new line. "
            "next line Impression colon Right internal jugular line.")
    read = reading(text)
    assert "a new line in the right" in read and "PICC, new line." in read
    assert parse_report(text).sections["IMPRESSION"].startswith("Right internal jugular line")


# --- self-corrections -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("said", [
    "right scratch that left", "right, sorry, left", "right comma sorry comma left", "right, correction: left",
    "right comma I mean left", "right, no, left", "right comma no comma left", "right, or rather left",
    "right, make that left",
])
def test_a_side_corrected_in_passing_is_read_as_the_side_meant(said: str) -> None:
    text = f"FINDINGS: Collapse of the {said} lower lobe.\nIMPRESSION: Left lower lobe collapse."
    read = reading(text)
    assert "right" not in read.split("\n")[0]
    assert flagged(text) == set()
    flipped = f"FINDINGS: Collapse of the {said} lower lobe.\nIMPRESSION: Right lower lobe collapse."
    assert "laterality_conflict" in flagged(flipped)


def test_a_size_corrected_in_passing_is_read_as_the_size_meant() -> None:
    text = "FINDINGS: Large, correction: small left pleural effusion.\nIMPRESSION: Small left pleural effusion."
    assert "Large" not in reading(text)
    assert flagged(text) == set()


@pytest.mark.parametrize("retraction", [
    "Scratch that.", "No, scratch that.", "Delete that.", "No comma scratch that period", "Strike that full stop",
    "Disregard the last sentence.",
])
def test_a_retracted_sentence_is_not_read(retraction: str) -> None:
    text = (f"FINDINGS: The lungs are clear. The heart is enlarged. {retraction} Heart size is normal.\n"
            "IMPRESSION: No acute cardiopulmonary disease.")
    read = reading(text)
    assert "enlarged" not in read and "lungs are clear." in read
    assert flagged(text) == set()


def test_a_template_field_in_a_retracted_sentence_is_still_a_blank_left() -> None:
    text = ("FINDINGS: The lungs are clear. There is <severity> cardiomegaly. Scratch that. Heart size is normal.\n"
            "IMPRESSION: No acute disease.")
    assert flagged(text) == {"placeholder"}


def test_a_word_that_only_looks_like_a_correction_is_kept() -> None:
    # "sorry" with no side after it, and a scratch on the skin, are the sentence's own words
    text = ("Findings colon Superficial right scratch that crosses the left shoulder period "
            "Small right pleural effusion period\nImpression colon Small right pleural effusion period")
    read = reading(text)
    assert "right scratch that crosses the left" in read and read.startswith("Findings:")
    assert flagged(text) == set()


# --- misheard words, repeats and the system's sign-off -----------------------------------------------------------

@pytest.mark.parametrize(("heard", "finding"), [
    ("small right new Moe thorax", "pneumothorax"), ("left lower lobe new Monia", "pneumonia"),
    ("mild interstitial a Dema", "oedema"),
])
def test_a_misheard_finding_is_read_as_the_word_meant(heard: str, finding: str) -> None:
    text = f"FINDINGS: There is {heard}.\nIMPRESSION: No acute cardiopulmonary disease."
    assert finding in reading(text).lower()
    assert "impression_omits_finding" in flagged(text)


@pytest.mark.parametrize(("heard", "name"), [
    ("mild cardio megaly", "Cardiomegaly"), ("right base a telectasis", "Atelectasis"),
    ("in physema", "Emphysema"),
])
def test_a_misheard_finding_is_found(heard: str, name: str) -> None:
    parsed = parse_report(f"FINDINGS: There is {heard}.\nIMPRESSION: Stable.")
    assert name in {o.name for o in parsed.observations if o.polarity == "present"}


def test_misheard_words_that_fit_the_space_are_read_as_the_meant_words() -> None:
    text = "FINDINGS: The cardiomediastinal sill wet is normal. The costal frenic angles are sharp."
    read = reading(text)
    assert "cardiomediastinal contour " in read and "costophrenic" in read


@pytest.mark.parametrize("sign_off", [
    "Dictated but not read.", "End of dictation.", "Dictated but not signed.", "Homophones may occur.",
    "Voice recognition was used; homophones may occur.", "Dictated using speech recognition; not proofread.",
])
def test_a_dictation_sign_off_fills_no_section(sign_off: str) -> None:
    text = f"FINDINGS: Small left pleural effusion.\nIMPRESSION:\n\n{sign_off}\nDictated by: Dr A"
    assert parse_report(text).sections.get("IMPRESSION", "").strip() == ""
    assert "missing_section" in flagged(text)


def test_a_repeated_word_is_read_once() -> None:
    text = "FINDINGS: There is is a small small left pleural effusion period\nIMPRESSION: Small left effusion."
    read = reading(text)
    assert "There is    a small       left pleural effusion." in read


def test_long_blanks_are_read_in_linear_time() -> None:
    # a report's blanked markup or layout leaves long runs of spaces; no reading may try them again per space
    text = ("FINDINGS:" + " " * 20000 + "Heart normal period" + " " * 20000 + "left" + " " * 5000 + ", sorry right"
            + " " * 20000 + "comma clear")
    started = time.perf_counter()
    read = reading(text)
    assert time.perf_counter() - started < 1.0
    assert "normal." in read and "left" not in read and "right," in read
