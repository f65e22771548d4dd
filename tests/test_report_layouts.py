"""Section layouts, sign-off footers and MIMIC's ``___`` mask (the classes the v3 held-out look exposed).

Every example is written here by hand; none is taken from a generator.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from medrag_core.reports import check_report, parse_report, parse_sections, read_report, run_checks
from medrag_core.reports.checks.structure import placeholder_spans
from medrag_core.reports.reading import mask_layout, mask_markup
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import SECTION_HEADERS, VocabularyError, load_section_headers
from tests.fixtures.report_forms import FLAGGED, flagged


@pytest.mark.parametrize("example,section", SECTION_HEADERS.examples)
def test_every_sections_toml_example_reads_as_its_section(example: str, section: str) -> None:
    parsed = parse_report(example)
    if section == "preamble":  # no section of its own: what follows it is the next header's
        assert parsed.sections == {"FINDINGS": "Lungs clear."}, (example, parsed.sections)
    else:
        assert parsed.sections.get(section), (example, parsed.sections)


# one report, four header styles: each must give the same three sections
_UK_BODY = {
    "INDICATION": "Cough for two weeks.",
    "COMPARISON": "None available.",
    "FINDINGS": "The heart is enlarged. Small right pleural effusion.",
    "IMPRESSION": "Cardiomegaly with a small right effusion.",
}
_UK_NAMES = {"INDICATION": "Clinical notes", "COMPARISON": "Previous imaging", "FINDINGS": "Observations",
             "IMPRESSION": "Comment"}


@pytest.mark.parametrize("style", ["colon", "dash", "tab", "alone", "alone_upper", "underlined", "equals"])
def test_uk_section_names_in_every_header_style(style: str) -> None:
    def header(name: str) -> str:
        return {"colon": f"{name}: ", "dash": f"{name.upper()} - ", "tab": f"{name}\t", "alone": f"{name}\n",
                "alone_upper": f"{name.upper()}\n", "underlined": f"{name.upper()}\n{'-' * len(name)}\n",
                "equals": f"{name}\n{'=' * len(name)}\n"}[style]

    text = "\n\n".join(header(_UK_NAMES[k]) + v for k, v in _UK_BODY.items())
    parsed = parse_report(text)
    assert {k: parsed.sections.get(k) for k in _UK_BODY} == _UK_BODY
    assert parsed.status == "checked"
    assert flagged(text) == set()


def test_crlf_bullets_and_a_signature_footer() -> None:
    text = ("REASON FOR REFERRAL:\r\nFall.\r\n\r\nRESULTS:\r\n\u2022 Heart size normal.\r\n\u2022 No pneumothorax."
            "\r\n\r\nCONCLUSION:\r\n\u2022 No acute abnormality.\r\n\r\nReported by Dr Jane Roe, Consultant "
            "Radiologist\r\nElectronically signed on 01/02/2026 10:42")
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"] == "\u2022 Heart size normal.\n\u2022 No pneumothorax."
    assert parsed.sections["IMPRESSION"] == "\u2022 No acute abnormality."
    assert parsed.footer.startswith("Reported by Dr Jane Roe") and "01/02/2026" in parsed.footer
    assert flagged(text) == set()


@pytest.mark.parametrize("sign_off", [
    "Dictated by: J. Smith, M.D.",
    "I have personally reviewed the images and agree with the above report.",
    "Signed: A. Jones MD   Date: 3/4/2025",
    "Attending radiologist: Dr. Lee",
])
def test_sign_off_lines_are_not_the_impression(sign_off: str) -> None:
    parsed = parse_report(f"FINDINGS: Lungs clear.\n\nIMPRESSION: Normal chest.\n\n{sign_off}")
    assert parsed.sections["IMPRESSION"] == "Normal chest."
    assert parsed.footer == sign_off


def test_a_line_that_describes_the_image_after_a_sign_off_is_kept() -> None:
    # "read by" in mid-report, then more findings: nothing is cut
    parsed = parse_report("FINDINGS: Lungs clear.\n\nIMPRESSION: Read by two readers:\nsmall left effusion.")
    assert "small left effusion" in parsed.sections["IMPRESSION"]
    assert parsed.footer == ""


def test_an_empty_uk_section_under_its_header_is_still_missing() -> None:
    text = "Observations\n------------\nThe lungs are clear.\n\nComment\n-------\n\nSigned: Dr Roe"
    issues = [i for i in check_report(text) if i.kind == "missing_section"]
    assert [(i.section, i.severity) for i in issues] == [("impression", "warning")]


# --- MIMIC's ___: a mask in a de-identified archive report, a field left to fill in a live one ---------

@pytest.mark.parametrize("text", [
    # a de-identified archive report: several masks
    "INDICATION: ___-year-old man with cough.\n\nFINDINGS: The ___ are normal. Lungs clear.\n\nIMPRESSION: Normal.",
    # one mask, in the history (where names, dates and ages stand)
    "HISTORY: Fell on ___.\n\nFINDINGS: The ___ are intact. Lungs clear.\n\nIMPRESSION: No acute disease.",
    "COMPARISON: ___\n\nFINDINGS: Lungs are clear.\n\nIMPRESSION: No acute disease.",
    # a name, a date, an age, a time
    "FINDINGS: Lungs clear.\n\nIMPRESSION: Normal chest. Discussed with Dr. ___ at 10:30.",
    "FINDINGS: A ___-year-old's chest; lungs clear.\n\nIMPRESSION: Normal chest.",
    # a sign-off footer
    "FINDINGS: Lungs clear.\n\nIMPRESSION: Normal chest.\n\nElectronically signed by: ___, MD",
    # before a finding with no side, a masked word may be any word ("pleural", "small")
    "HISTORY: ___-year-old man.\n\nFINDINGS: Possible ___ effusions.\n\nIMPRESSION: Possible effusions.",
    # MIMIC's layout
    "                FINAL REPORT\n EXAMINATION:  CHEST (PA AND LAT)\n\n FINDINGS:  The ___ are normal.\n\n"
    " IMPRESSION:  No acute process.",
])
def test_underscore_masks_are_not_placeholders(text: str) -> None:
    assert "placeholder" not in flagged(text)


@pytest.mark.parametrize("text", [
    # a live report: one blank and nothing else masked
    "FINDINGS: The lungs ___ clear.\n\nIMPRESSION: No acute disease.",
    "FINDINGS: Lungs clear.\n\nIMPRESSION: No ___ cardiopulmonary disease.",
    # where a measurement, a side or a grade belongs: a field even in a masked archive report
    "HISTORY: ___-year-old woman.\n\nFINDINGS: A ___ cm nodule in the right upper lobe.\n\nIMPRESSION: Nodule.",
    "HISTORY: ___-year-old woman.\n\nFINDINGS: Opacity in the ___ lower lobe.\n\nIMPRESSION: Pneumonia.",
    "HISTORY: ___-year-old woman.\n\nFINDINGS: Opacity on the ___.\n\nIMPRESSION: Pneumonia.",
    "HISTORY: ___-year-old woman.\n\nFINDINGS: There is a ___ right pleural effusion.\n\nIMPRESSION: Effusion.",
    "                FINAL REPORT\n FINDINGS:  Nodule measuring ___ in the left lung.\n\n IMPRESSION:  Nodule.",
])
def test_underscore_blanks_where_a_value_belongs_are_placeholders(text: str) -> None:
    assert "placeholder" in flagged(text)


@pytest.mark.parametrize("token", ["_ mm", "TBD", "@@", "##"])
def test_more_dictation_field_shapes(token: str) -> None:
    issues = run_checks(parse_sections(f"There is a {token} nodule in the right upper lobe.", "Nodule."))
    assert [i.kind for i in issues if i.severity in FLAGGED] == ["placeholder"]


@pytest.mark.parametrize("text", ["Snake_case_word in a file name.", "Cough x 2 weeks.", "Grade TB disease.",
                                  "Tbd is lower case here."])
def test_not_more_field_shapes(text: str) -> None:
    issues = run_checks(parse_sections(text + " Lungs clear.", "Normal chest."))
    assert "placeholder" not in {i.kind for i in issues}


def test_malformed_sections_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "sections.toml"
    bad.write_text('[[section]]\nname = "FINDINGS"\nheaders = ["findings"]\n'
                   '[[section]]\nname = "IMPRESSION"\nheaders = ["findings"]\n', encoding="utf-8")
    with pytest.raises(VocabularyError, match="given twice"):
        load_section_headers(bad)
    bad.write_text('[[section]]\nname = "FOOTER"\nheaders = ["signed"]\n', encoding="utf-8")
    with pytest.raises(VocabularyError, match="FOOTER"):
        load_section_headers(bad)
    bad.write_text('[[section]]\nname = "FINDINGS"\nheaders = ["report"]\nline_only = ["comment"]\n',
                   encoding="utf-8")
    with pytest.raises(VocabularyError, match="not among its headers"):
        load_section_headers(bad)


# --- wording the v3 look showed unread: UK normal statements, R/L shorthand, a bilateral finding narrowed ---

def kinds(findings: str, impression: str) -> dict[str, str]:
    return {i.kind: i.severity for i in run_checks(parse_sections(findings, impression)) if i.severity in FLAGGED}


@pytest.mark.parametrize("impression", ["NAD.", "The chest appears radiologically normal.",
                                        "Normal PA and lateral views of the chest.",
                                        "No significant radiological abnormality.", "Stable chest."])
def test_normal_impressions_that_leave_out_a_significant_finding(impression: str) -> None:
    findings = "There is a new large right pleural effusion. Heart size normal."
    assert kinds(findings, impression) == {"impression_omits_finding": "warning"}


def test_a_stable_impression_that_says_more_is_not_a_normal_statement() -> None:
    assert kinds("Patchy interstitial opacities. Mild edema.",
                 "Unchanged appearance of the chest with interstitial prominence, possibly edema.") == {}


@pytest.mark.parametrize("findings,impression", [
    ("There is a small left pleural effusion.", "Small R pleural effusion."),
    ("Right basal consolidation.", "L basal consolidation in keeping with pneumonia."),
    ("Opacity in the L lower lobe.", "Right lower lobe pneumonia."),
])
def test_one_letter_sides(findings: str, impression: str) -> None:
    assert kinds(findings, impression) == {"laterality_conflict": "error"}


@pytest.mark.parametrize("text", ["R and L lateral decubitus views were obtained.", "Lungs clear. L1 vertebra intact."])
def test_one_letter_words_that_are_not_sides(text: str) -> None:
    assert kinds(text + " Small right effusion.", "Small right effusion.") == {}


@pytest.mark.parametrize("findings,impression", [
    ("Bibasilar atelectasis. No effusion.", "Left basilar atelectasis."),
    ("Small bilateral pleural effusions.", "Small right pleural effusion."),
])
def test_a_bilateral_finding_narrowed_to_one_side(findings: str, impression: str) -> None:
    assert kinds(findings, impression) == {"laterality_conflict": "warning"}


@pytest.mark.parametrize("findings,impression", [
    # one side said to be the worse, or the finding also placed on that side, or a hedge, or another zone
    ("Bilateral effusions, right greater than left.", "Right pleural effusion."),
    ("Bibasilar atelectasis. Right basilar opacity.", "Right basilar atelectasis."),
    ("There may be small bilateral pleural effusions.", "Question of a left pleural effusion."),
    ("Bibasilar scarring.", "Scarring in the left perihilar region."),
    # another finding on one side beside a bilateral one
    ("Bibasilar atelectasis.", "Right lower lobe pneumonia."),
])
def test_one_side_of_a_bilateral_finding_that_is_no_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Normal cardiothoracic ratio. Lungs clear.", "Cardiomegaly."),
    ("Moderate left pleural effusion.", "Pleural spaces are free of fluid."),
    ("The cardiothoracic ratio is within normal limits.", "Mild cardiomegaly."),
])
def test_other_wordings_of_a_normal_heart_and_pleura(findings: str, impression: str) -> None:
    assert kinds(findings, impression) == {"negation_conflict": "error"}


# --- after the v4/v5 looks: Markdown headers, headers run into one paragraph, dictation disclaimers ---

_MD_BODY = {
    "INDICATION": "Fever and cough.",
    "FINDINGS": "Heart size is normal. Small left pleural effusion.",
    "IMPRESSION": "Small left effusion.",
}


@pytest.mark.parametrize("style", ["hash", "hash3", "bold_colon_inside", "bold_colon_outside", "underscores"])
def test_markdown_headers_are_headers_and_their_marks_no_template_fields(style: str) -> None:
    def header(name: str) -> str:
        return {"hash": f"## {name.title()}\n", "hash3": f"### {name}\n", "bold_colon_inside": f"**{name}:**\n",
                "bold_colon_outside": f"**{name.title()}**: ", "underscores": f"__{name}__\n"}[style]

    text = "\n\n".join(header(k) + v for k, v in _MD_BODY.items())
    parsed = parse_report(text)
    assert {k: parsed.sections.get(k) for k in _MD_BODY} == _MD_BODY
    assert flagged(text) == set()


def test_a_markdown_report_still_flags_its_real_blanks_and_empty_sections() -> None:
    text = "## Findings\nThere is a [size] right effusion.\n\n**Impression:**\n"
    kinds = [i.kind for i in check_report(text) if i.severity in FLAGGED]
    assert sorted(kinds) == ["missing_section", "placeholder"]
    spans = [sp for i in check_report(text) if i.kind == "placeholder" for sp in i.spans]
    assert [text[a:b] for a, b in spans] == ["[size]"]


def test_a_bare_section_name_right_under_a_header_is_that_headers_text() -> None:
    # in capitals throughout, "FINDINGS" opening the impression's sentence is a word, not a second FINDINGS
    text = ("FINDINGS:\nTHE HEART IS ENLARGED. THERE IS PERIHILAR HAZE.\n\nIMPRESSION:\n"
            "FINDINGS SUGGEST MILD PULMONARY OEDEMA.")
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == "FINDINGS SUGGEST MILD PULMONARY OEDEMA."
    assert parsed.sections["FINDINGS"] == "THE HEART IS ENLARGED. THERE IS PERIHILAR HAZE."
    # and a repeated history line under a history heading is its text
    parsed = parse_report("# Clinical history\nHISTORY OF ASTHMA.\n\n# Findings\nLungs clear.\n\n# Impression\nNormal.")
    assert parsed.sections["INDICATION"] == "HISTORY OF ASTHMA."


def test_a_bare_section_name_under_a_header_of_another_section_is_still_a_header() -> None:
    parsed = parse_report("INDICATION:\nFINDINGS\nThe lungs are clear.\nIMPRESSION\nNormal chest.")
    assert parsed.sections["FINDINGS"] == "The lungs are clear."


@pytest.mark.parametrize("text", [
    "Indication: chest pain comparison: none findings: the heart is normal in size. the lungs are clear. "
    "impression: normal chest.",
    "History: chest pain Comparison: None Findings: the heart is normal in size. the lungs are clear. "
    "Impression: normal chest.",
    "History: chest pain. Comparison: none. FINDINGS the heart is normal in size. the lungs are clear. "
    "IMPRESSION normal chest.",
])
def test_headers_run_into_one_paragraph(text: str) -> None:
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"] == "the heart is normal in size. the lungs are clear."
    assert parsed.sections["IMPRESSION"] == "normal chest."
    assert parsed.status == "checked"
    assert flagged(text) == set()


def test_run_on_headers_are_read_only_when_the_layout_has_none() -> None:
    # a line-start layout that has both sections keeps them; "findings:" inside its prose is text
    text = "FINDINGS: Stable appearance; prior findings: none new.\nIMPRESSION: No change."
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"] == "Stable appearance; prior findings: none new."
    assert parsed.sections["IMPRESSION"] == "No change."


def test_run_on_headers_still_find_a_missing_impression() -> None:
    text = "History: cough. Findings: there is a large right pleural effusion. the heart is normal."
    kinds = {i.kind: i.severity for i in check_report(text)}
    assert parse_report(text).sections["FINDINGS"].startswith("there is a large right")
    assert kinds.get("missing_section") == "warning"


@pytest.mark.parametrize("disclaimer", [
    "This report was generated with speech recognition software; errors may be present.",
    "This report has been dictated using voice recognition and may contain transcription errors.",
    "Voice recognition software was used to prepare this report.",
])
def test_a_dictation_disclaimer_is_a_footer_not_the_impression(disclaimer: str) -> None:
    for joiner in (" ", "\n"):
        text = f"FINDINGS: The lungs are clear.\nIMPRESSION:{joiner}{disclaimer}"
        parsed = parse_report(text)
        assert parsed.sections["IMPRESSION"] == ""
        assert disclaimer in parsed.footer
        assert "missing_section" in flagged(text)
        text = f"FINDINGS: The lungs are clear.\nIMPRESSION: Normal chest. {disclaimer}"
        assert parse_report(text).sections["IMPRESSION"] == "Normal chest."


def test_indian_style_header_names_and_colon_dash() -> None:
    text = "C/O :- Cough.\n\nOBSERVATIONS :- The lungs are clear.\n\nIMPRESSION :- Normal study."
    parsed = parse_report(text)
    assert parsed.sections == {"INDICATION": "Cough.", "FINDINGS": "The lungs are clear.",
                               "IMPRESSION": "Normal study."}
    parsed = parse_report("CLINICAL PROFILE:\nFever.\n\nFINDINGS:\nLungs clear.\n\nIMPRESSION:\nNormal.")
    assert parsed.sections["INDICATION"] == "Fever."


def test_a_combined_findings_and_comment_header_and_an_examination_title_line() -> None:
    text = ("XR CHEST PA\nClinical indication:\nCough.\nFindings and comment:\nThere is a 3 cm mass in the left upper "
            "lobe.\nConclusion:\nNormal appearances.")
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"] == "There is a 3 cm mass in the left upper lobe."
    assert parsed.preamble == "XR CHEST PA"
    assert "impression_omits_finding" in flagged(text)


@pytest.mark.parametrize("advice", ["Kindly correlate clinically.", "Clinical correlation is recommended.",
                                    "Please correlate with the clinical findings."])
def test_an_impression_that_only_asks_for_correlation_states_no_conclusion(advice: str) -> None:
    text = f"FINDINGS:\nThe lungs are clear.\n\nIMPRESSION:\n{advice}"
    assert "missing_section" in flagged(text)
    # beside a conclusion it is ordinary advice
    assert flagged(f"FINDINGS:\nThe lungs are clear.\n\nIMPRESSION:\nNormal chest. {advice}") == set()


def test_the_suggested_report_completes_an_impression_of_advice_only_in_place() -> None:
    from medrag_core.llm.offline import suggest_report

    text = "FINDINGS:\nThe lungs are clear.\n\nIMPRESSION:\nPlease correlate clinically."
    suggested = suggest_report(text, check_report(text))
    assert suggested.count("IMPRESSION") == 1
    assert suggested.endswith("Please correlate clinically. [TO COMPLETE]")


@pytest.mark.parametrize("title", ["CHEST: PA AND LATERAL VIEWS", "RADIOGRAPHS OF THE CHEST", "XR CHEST 2 VIEWS"])
def test_an_examination_title_line_is_preamble_not_findings(title: str) -> None:
    text = f"{title}\n\nReason for request:\nFall.\n\nPREVIOUS: None.\n\nCONCLUSION:\nSmall left effusion."
    parsed = parse_report(text)
    assert "FINDINGS" not in parsed.sections
    assert parsed.sections["INDICATION"] == "Fall." and parsed.sections["COMPARISON"] == "None."


def test_previous_in_title_case_starting_a_sentence_is_no_header() -> None:
    parsed = parse_report("FINDINGS:\nPrevious sternotomy. The lungs are clear.\nIMPRESSION:\nNo acute disease.")
    assert parsed.sections["FINDINGS"] == "Previous sternotomy. The lungs are clear."


# --- reports8 (after the v4-v6 looks; hand-written) ---

@pytest.mark.parametrize("title", ["AP PORTABLE CHEST", "CHEST 2V (PA/LAT)", "PORTABLE SEMI-ERECT CHEST\nACC 12345"])
def test_a_capitalised_title_before_the_first_header_is_not_a_body(title: str) -> None:
    text = (f"{title}\n\nHISTORY: Cough.\n\nCOMPARISON: None.\n\nThe lungs are clear. No effusion.\n\n"
            "IMPRESSION: Right upper lobe pneumonia.")
    parsed = parse_report(text)
    # the paragraph under COMPARISON is the body, not the title
    assert parsed.sections["FINDINGS"] == "The lungs are clear. No effusion."
    assert "negation_conflict" in flagged(text)


def test_a_capitalised_body_before_the_first_header_is_still_the_findings() -> None:
    # a finding word or a sentence end makes it a body, not a title
    parsed = parse_report("LEFT BASAL ATELECTASIS\n\nIMPRESSION: Atelectasis.")
    assert parsed.sections["FINDINGS"] == "LEFT BASAL ATELECTASIS"


def test_discussion_names_the_findings() -> None:
    text = ("HISTORY: Fever.\n\nDISCUSSION: No pleural effusion. Lungs clear.\n\n"
            "CONCLUSION: Large left pleural effusion.")
    assert parse_report(text).sections["FINDINGS"] == "No pleural effusion. Lungs clear."
    assert "negation_conflict" in flagged(text)


@pytest.mark.parametrize("header,section", [
    ("IMPRESSION (final)", "IMPRESSION"), ("Findings (portable film)", "FINDINGS"),
    ("CONCLUSION (provisional)", "IMPRESSION"),
])
def test_a_note_in_brackets_between_a_header_and_its_colon(header: str, section: str) -> None:
    text = f"HISTORY: Cough.\n{header}: Small left pleural effusion.\nCOMPARISON:\nNone."
    assert parse_report(text).sections[section] == "Small left pleural effusion."


def test_an_addendum_with_a_date_in_brackets_is_no_findings_body() -> None:
    text = "COMPARISON: None.\n\nIMPRESSION: Normal chest.\n\nAddendum (12/03): Result phoned to the ward."
    parsed = parse_report(text)
    assert "FINDINGS" not in parsed.sections and parsed.sections["IMPRESSION"] == "Normal chest."


def test_this_report_was_signed_is_a_sign_off() -> None:
    text = "FINDINGS: Lungs clear.\n\nIMPRESSION:\n\nThis report has been electronically signed by Dr A. Jones."
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == "" and "signed" in parsed.footer
    assert "missing_section" in flagged(text)


@pytest.mark.parametrize("preamble", ["Study: Chest, single frontal view.", "Portable supine radiograph at 04:10.",
                                      "Two views of the chest were obtained."])
def test_an_examination_name_or_technique_before_the_first_header_is_no_body(preamble: str) -> None:
    text = f"{preamble}\n\nClinical info: Fever.\n\nIMPRESSION: No acute disease."
    parsed = parse_report(text)
    assert "FINDINGS" not in parsed.sections and parsed.sections["INDICATION"] == "Fever."
    assert "missing_section" in flagged(text)


def test_a_body_before_the_first_header_that_names_anatomy_is_the_findings() -> None:
    parsed = parse_report("Heart size within normal limits. Mild degenerative change of the spine.\n\n"
                          "IMPRESSION: No acute disease.")
    assert parsed.sections["FINDINGS"].startswith("Heart size")


@pytest.mark.parametrize("header,section", [
    ("Impression/Plan", "IMPRESSION"), ("FINDINGS/DISCUSSION", "FINDINGS"),
    ("Conclusion and recommendations", "IMPRESSION"),
    ("Radiographic findings", "FINDINGS"), ("FINAL DIAGNOSIS", "IMPRESSION"), ("Summary of findings", "IMPRESSION"),
    ("Indication/History", "INDICATION"), ("Clinical summary", "INDICATION"), ("Prior exam", "COMPARISON"),
    ("Comparison studies", "COMPARISON"), ("Technique and views", "TECHNIQUE"),
])
def test_more_section_names_and_joined_names(header: str, section: str) -> None:
    bodies = {"FINDINGS": "Heart normal. Lungs clear.", "IMPRESSION": "Normal chest.", "INDICATION": "Fever.",
              "COMPARISON": "None.", "TECHNIQUE": "Erect PA."}
    others = "\n".join(f"{name}: {bodies[name]}" for name in ("FINDINGS", "IMPRESSION") if name != section)
    parsed = parse_report(f"{header}: {bodies[section]}\n{others}")
    assert parsed.sections[section] == bodies[section]


def test_a_joined_name_needs_a_known_second_part() -> None:
    # "History and physical" in prose is no header, and the sentence stays in its section
    parsed = parse_report("FINDINGS: Lungs clear.\nHistory and physical examination were reviewed.\n"
                          "IMPRESSION: Normal.")
    assert "INDICATION" not in parsed.sections


@pytest.mark.parametrize("filler", ["-", "N/A", "None.", "...", "Pending.", "To follow."])
def test_a_section_holding_only_a_filler_is_empty(filler: str) -> None:
    text = f"FINDINGS: Moderate right pleural effusion.\nIMPRESSION: {filler}"
    issues = [i for i in check_report(text) if i.kind == "missing_section"]
    assert [(i.severity, i.section) for i in issues] == [("warning", "impression")]
    from medrag_core.llm.offline import suggest_report
    assert suggest_report(text, check_report(text)).endswith("IMPRESSION: [TO COMPLETE]")


def test_an_impression_referring_to_the_findings_is_not_a_filler() -> None:
    assert "missing_section" not in flagged("FINDINGS: Moderate right pleural effusion.\nIMPRESSION: As above.")


# --- lines wrapped by the sending system (after the v11/v12 look; examples written here) ---------------------

_WRAPPED = """FINAL REPORT
 EXAMINATION:  CHEST (PA AND LAT)

 FINDINGS:  The cardiac silhouette is mildly enlarged but stable. No
 pneumothorax is seen. There is no focal consolidation and no pleural
 effusion, and the pulmonary vasculature is not engorged. Degenerative
 changes of the spine.

 IMPRESSION:  Stable mild cardiomegaly. No acute cardiopulmonary process.
"""


def test_a_sentence_wrapped_across_lines_keeps_its_negation() -> None:
    # before, each line was a sentence: "pneumothorax is seen." read as an affirmed pneumothorax left out
    assert flagged(_WRAPPED) == set()
    text = "No\n pneumothorax is seen. There is no focal consolidation and no pleural\n effusion."
    assert [s for _, s in split_sentences(text)] == [
        "No\n pneumothorax is seen.", "There is no focal consolidation and no pleural\n effusion."]


def test_a_wrap_still_leaves_the_finding_found_where_it_is_affirmed() -> None:
    text = _WRAPPED.replace("No\n pneumothorax is seen.", "Small right apical\n pneumothorax.")
    assert "impression_omits_finding" in flagged(text)


@pytest.mark.parametrize("text,sentences", [
    # a line per statement without full stops, short lines: every line a sentence
    ("Heart normal\nLungs clear\nNo effusion", ["Heart normal", "Lungs clear", "No effusion"]),
    # a long line, then a list item or a label: not a wrap
    ("Endotracheal tube terminates about four centimetres above the carina\n- No pneumothorax",
     ["Endotracheal tube terminates about four centimetres above the carina", "- No pneumothorax"]),
    ("Endotracheal tube terminates about four centimetres above the carina\nLungs: no pneumothorax",
     ["Endotracheal tube terminates about four centimetres above the carina", "Lungs: no pneumothorax"]),
    # a blank line is a paragraph's end, however long the line before
    ("Endotracheal tube terminates about four centimetres above the\n\ncarina", [
        "Endotracheal tube terminates about four centimetres above the", "carina"]),
    # a line that goes on in lower case, or after a comma, is wrapped even when short
    ("Small left\neffusion.", ["Small left\neffusion."]),
    ("Bibasal atelectasis,\nNo effusion.", ["Bibasal atelectasis,\nNo effusion."]),
])
def test_which_line_breaks_are_wraps(text: str, sentences: list[str]) -> None:
    assert [s for _, s in split_sentences(text)] == sentences


# --- reports as they arrive from other systems and other schools (after the v11/v12 look; written here) -----

def test_result_after_findings_is_the_conclusion() -> None:
    # "Result" heads the findings where it stands alone or first; after a FINDINGS header it is the conclusion
    assert parse_report("Report: The lungs are clear.\nResult:\nNormal chest.").sections == {
        "FINDINGS": "The lungs are clear.", "IMPRESSION": "Normal chest."}
    assert parse_report("RESULT: The lungs are clear.\nIMPRESSION: Normal chest.").sections == {
        "FINDINGS": "The lungs are clear.", "IMPRESSION": "Normal chest."}


@pytest.mark.parametrize("footer", [
    "Reading physician: ___", "Reporting physician: ___  Reviewing physician: ___", "Sincerely, Dr. ___",
    "With kind regards", "Kind regards,\nThe reporting radiologist",
])
def test_a_letters_closing_or_the_physicians_line_is_a_sign_off(footer: str) -> None:
    text = f"Findings: The lungs are clear.\n\nImpression: Normal chest.\n\n{footer}"
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == "Normal chest."
    assert parsed.footer == footer
    assert flagged(text) == set()  # the blank in a name's place is a mask


_RTF = (r"{\rtf1\ansi\deff0 {\fonttbl{\f0 Arial;}}\f0\fs20 \b INDICATION:\b0  cough\par" "\n"
        r"\b FINDINGS:\b0 \par" "\n" r"Lungs clear. No effusion. Caf\'e9 wall.\par" "\n" r"\par" "\n"
        r"\b IMPRESSION:\b0 \par" "\n" r"Normal chest.\par" "\n}")


def test_rtf_pasted_from_a_ris_is_read_as_its_text() -> None:
    parsed = parse_report(read_report(_RTF))
    assert parsed.text == _RTF  # shown as given: the markup is blanked for reading only
    assert parsed.sections == {"INDICATION": "cough", "FINDINGS": "Lungs clear. No effusion. Caf\u00e9    wall.",
                               "IMPRESSION": "Normal chest."}
    assert flagged(_RTF) == set()  # "{\\f0 Arial;}" was read as a template field before
    assert len(mask_markup(_RTF)) == len(_RTF)


def test_html_pasted_from_an_ehr_is_read_as_its_text_and_template_fields_stay() -> None:
    text = "<b>FINDINGS</b>:<br>Lungs&nbsp;clear. Small right&nbsp;effusion.<br/><p>IMPRESSION: <insert></p>"
    parsed = parse_report(text)
    assert parsed.text == text
    assert " ".join(parsed.sections["FINDINGS"].split()) == "Lungs clear. Small right effusion."
    assert "placeholder" in flagged(text)  # "<insert>" is a template field, not a tag
    # spans index the text as given: the effusion's span holds its words there
    effusion = next(o for o in parsed.observations if o.name == "Pleural Effusion")
    assert text[effusion.span[0]:effusion.span[1]].endswith("effusion")
    plain = "IMPRESSION: <<DATE>> <insert size> Normal & stable, < 5 mm."
    assert mask_markup(plain) == plain  # no HTML: nothing blanked


@pytest.mark.parametrize("tag", ['<a href="https://ris.example/1">', "<img src=x.png>", "<code>", "<small>",
                                 "<blockquote>", "<tbody>", "<script>", "<style>", "<s>"])
def test_an_html_tag_is_blanked_for_reading_and_never_a_template_field(tag: str) -> None:
    # one list of tag names serves both: a tag the reader blanks is never flagged as a field, and the reverse
    text = f"FINDINGS: {tag}Lungs clear. No effusion.\n\nIMPRESSION: Normal chest."
    assert tag not in mask_markup(text)
    assert flagged(text) == set()
    assert "placeholder" in flagged(text.replace(tag, "<side>"))


@pytest.mark.parametrize("title", ["PA AND LATERAL CHEST:", "Chest radiograph, PA and lateral projections."])
def test_a_title_line_that_goes_on_to_describe_the_image_is_the_findings(title: str) -> None:
    text = f"{title} The cardiomediastinal silhouette is within normal limits. No pleural effusion.\n\n" \
           "IMPRESSION: No acute cardiopulmonary abnormality."
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"].startswith(title)
    assert "missing_section" not in {i.kind for i in check_report(text)}
    # a title alone is still no body
    assert "FINDINGS" not in parse_report(f"{title}\n\nIMPRESSION: No acute abnormality.").sections


_FINDINGS_BODY = "FINDINGS:\nThe lungs are clear. Normal heart size. No pneumothorax.\n\n"


@pytest.mark.parametrize("after", [
    # a teleradiology service's standing paragraph under an empty impression: no conclusion
    "IMPRESSION:\n\nRECOMMENDATIONS: Recommend correlation with clinical history. Please note that radiography has "
    "limited sensitivity and does not exclude early disease. If symptoms persist or worsen, CT may be obtained. "
    "Comparison with any outside prior imaging would be helpful.\n\nThis study was interpreted remotely by a "
    "board-certified radiologist via teleradiology.",
    # a VA report's coding and staff lines, and an end-of-report mark, under an empty impression
    "Impression:\nPrimary Diagnostic Code: NORMAL\nInterpreting Staff:\n  ___, Staff Radiologist",
    "CONCLUSION\n-- END OF REPORT --",
])
def test_an_impression_left_empty_above_standing_text_is_missing(after: str) -> None:
    issues = [(i.kind, i.severity, i.section) for i in check_report(_FINDINGS_BODY + after)]
    assert ("missing_section", "warning", "impression") in issues
    assert not {kind for kind, severity, _ in issues if severity != "info"} - {"missing_section"}


def test_rtf_whose_header_was_cut_off_is_still_read_as_rtf() -> None:
    text = ("\\b CLINICAL INDICATION:\\b0  chest pain\\par\n\\b Findings:\\b0 \\par\n\\par\n\\b Impression:\\b0 \\par\n"
            "Large right pneumothorax.\\par\n")
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"] == "" and parsed.sections["IMPRESSION"] == "Large right pneumothorax."
    assert ("missing_section", "warning") in {(i.kind, i.severity) for i in check_report(text)}


@pytest.mark.parametrize("title", ["PA AND LATERAL CHEST:", "CHEST, TWO VIEWS:", "Chest radiograph, PA and lateral."])
def test_a_titled_findings_body_with_no_conclusion_misses_its_impression(title: str) -> None:
    text = (f"{title} The cardiomediastinal silhouette is within normal limits. No focal airspace disease. "
            "No pleural effusion or pneumothorax. The osseous structures are intact.")
    parsed = parse_report(text)
    assert set(parsed.sections) == {"FINDINGS"} and parsed.status == "checked"
    assert ("missing_section", "warning") in {(i.kind, i.severity) for i in check_report(text)}
    # a short text with no title stays a bare impression, at info
    assert {(i.kind, i.severity) for i in check_report("No acute cardiopulmonary process.")} <= {
        ("missing_section", "info")}


def test_a_wrapped_line_indented_further_is_still_a_wrap() -> None:
    assert [s for _, s in split_sentences("There is no focal consolidation and no\n      pleural effusion.")] == [
        "There is no focal consolidation and no\n      pleural effusion."]


def test_what_the_reading_blanked_is_markup_never_a_template_field() -> None:
    text = "FINDINGS: <Exam>Lungs clear.</Exam>\n\nIMPRESSION: Normal chest."
    parsed = parse_report(text)
    assert [text[a:b] for a, b in placeholder_spans(parsed)] == ["<Exam>", "</Exam>"]  # not known markup: fields
    # where the reading blanks them (as a sending system's wrapping), they are markup
    blanked = text.replace("<Exam>", " " * 6).replace("</Exam>", " " * 7)
    assert placeholder_spans(replace(parsed, reading=blanked)) == []


@pytest.mark.parametrize("row,read", [
    ("Pneumothorax: \u2610 Present \u2611 Absent", "absent"),
    ("Pneumothorax: [ ] Present [x] Absent", "absent"),
    ("- Pneumothorax: \u2611 Present \u2610 Absent", "present"),
])
def test_a_row_of_tick_boxes_reads_as_the_option_ticked(row: str, read: str) -> None:
    text = f"FINDINGS\n{row}\nHeart size: \u2611 Normal \u2610 Enlarged\n\nIMPRESSION\nNo acute abnormality."
    parsed = parse_report(text)
    assert [(o.name, o.polarity) for o in parsed.observations if o.name == "Pneumothorax"] == [("Pneumothorax", read)]
    assert ("Cardiomegaly", "absent") in {(o.name, o.polarity) for o in parsed.observations}
    assert "placeholder" not in flagged(text)  # the boxes of a row with one ticked are a choice made
    # a row with no box ticked is a choice not made; a box inside a sentence is a blank
    assert "placeholder" in flagged(text.replace("\u2611 Absent", "\u2610 Absent").replace("[x] Absent", "[ ] Absent")
                                    .replace("\u2611 Present", "\u2610 Present"))
    assert "placeholder" in flagged("FINDINGS: Lungs clear.\n\nIMPRESSION: No acute cardiopulmonary [x].")
    assert "placeholder" in flagged("FINDINGS: Lungs clear.\n\nIMPRESSION: [x] without acute disease.")
    # fields already split are read the same way
    fields = parse_sections(text.split("\n\n")[0].removeprefix("FINDINGS\n"), "No acute abnormality.")
    assert ("Pneumothorax", read) in {(o.name, o.polarity) for o in fields.observations}
    assert not placeholder_spans(fields)
    assert placeholder_spans(parse_sections("Lungs clear.", "[x] without acute disease."))


def test_markdown_from_a_drafting_tool_is_read_without_its_marks() -> None:
    text = ("## XR CHEST 2V\n\n**Findings:**\n| Region | Finding |\n|---|---|\n| Lungs | Clear. |\n"
            "| Pleura | Small **right** effusion. |\n\n---\n\n### Impression\n1) Small right pleural effusion.\n\n"
            "*Reviewed by Dr. ___.*")
    parsed = parse_report(text)
    assert parsed.text == text and len(mask_layout(text)) == len(text)
    assert set(parsed.sections) == {"FINDINGS", "IMPRESSION"}
    effusion = next(o for o in parsed.observations if o.name == "Pleural Effusion" and o.section == "FINDINGS")
    assert (effusion.polarity, effusion.side) == ("present", "right")
    assert text[effusion.span[0]:effusion.span[1]].endswith("effusion")  # spans index the text as given
    assert flagged(text) == set()  # "##", "**" and the table's header row are layout, not fields
    assert "negation_conflict" in flagged(text.replace("Small right pleural effusion.", "Right lower lobe pneumonia."))


@pytest.mark.parametrize("row,name,polarity", [
    ("Heart size: Normal", "Cardiomegaly", "absent"),
    ("Lungs: clear.", "Lung Opacity", "absent"),
    ("- Heart: enlarged.", "Cardiomegaly", "present"),
    ("Mediastinum: normal.", "Enlarged Cardiomediastinum", "absent"),
])
def test_an_organ_row_reads_as_the_phrase_it_stands_for(row: str, name: str, polarity: str) -> None:
    parsed = parse_report(f"FINDINGS:\n{row}\n\nIMPRESSION: No acute abnormality.")
    assert (name, polarity) in {(o.name, o.polarity) for o in parsed.observations}


def test_phone_and_word_processor_characters_read_as_plain_ones() -> None:
    text = "FINDINGS\uff1a\u00a0Small\u200b left pleural effusion.\n\nIMPRESSION\uff1a No acute abnormality."
    assert mask_layout(text) == "FINDINGS: Small  left pleural effusion.\n\nIMPRESSION: No acute abnormality."
    assert "impression_omits_finding" not in flagged(text)  # a small effusion left out is no omission
    assert "placeholder" not in flagged(text)
    plain = "FINDINGS: Lungs clear.\n\nIMPRESSION: Normal chest.\n* Rule [1] and a_b __init__ 2 * 3 = 6"
    assert mask_layout(plain) == plain  # no Markdown, no boxes: unchanged


def test_a_comment_label_under_findings_is_the_findings_text_where_an_impression_follows() -> None:
    text = "FINDINGS:\nComment: Large left pleural effusion.\n\nIMPRESSION:\nNo acute abnormality."
    parsed = parse_report(text)
    assert parsed.sections["FINDINGS"].endswith("Large left pleural effusion.")
    assert "missing_section" not in flagged(text) and "impression_omits_finding" in flagged(text)
    # with no other impression, "Comment:" is the impression, as before
    assert parse_report("FINDINGS:\nLungs clear.\nComment: Normal chest.").sections["IMPRESSION"] == "Normal chest."
    # rows before it too: "Comment:" labels the findings' free text
    rows = "Findings\nPneumothorax: Absent\nComment: Large left pleural effusion.\n\nImpression\nNo acute abnormality."
    assert parse_report(rows).sections["FINDINGS"].endswith("Large left pleural effusion.")
    # "Opinion:" then "Recommendation:" is a conclusion and advice, as before
    opinion = "FINDINGS: Small left pneumothorax.\n\nOPINION: Left pneumothorax.\n\nRECOMMENDATION: CT chest."
    assert parse_report(opinion).sections["IMPRESSION"].startswith("Left pneumothorax.")
    # an empty FINDINGS header above a plain "Impression:" stays empty, whatever follows
    empty = "FINDINGS:\nImpression: Left lower lobe pneumonia.\nRecommendation: Follow-up film."
    assert "missing_section" in flagged(empty)


def test_shorthand_headers_a_joined_interval_change_header_and_a_dashed_signature() -> None:
    text = ("XR: Chest, PA view\nHx: Follow-up pneumonia.\nCf: Film of last week.\nTech: Semi-erect.\n\n"
            "FINDINGS / INTERVAL CHANGE:\nLarge left pleural effusion, increasing.\n\nIMPRESSION:\n\n-- ___ / RAD")
    parsed = parse_report(text)
    assert parsed.sections["INDICATION"] == "Follow-up pneumonia."  # not a findings body naming pneumonia
    assert parsed.sections["COMPARISON"] == "Film of last week."
    assert parsed.sections["FINDINGS"] == "Large left pleural effusion, increasing."
    assert parsed.sections["IMPRESSION"] == "" and parsed.footer == "-- ___ / RAD"
    assert ("missing_section", "warning") in {(i.kind, i.severity) for i in check_report(text)}
    # "cf." inside a sentence is no header
    assert "COMPARISON" not in parse_report("FINDINGS: Effusion, smaller cf. prior.\n\nIMPRESSION: Effusion.").sections


@pytest.mark.parametrize("after", [
    "*Drafted with AI assistance; reviewed by Dr. ___.*",
    "_Reviewed and finalised by Dr. ___._",
    "sent from mobile reporting \u2014 please excuse dictation errors",
    "Sent from my iPhone",
])
def test_a_drafting_tools_or_a_phones_closing_line_is_no_impression(after: str) -> None:
    text = f"FINDINGS:\nSmall left pleural effusion.\n\nIMPRESSION:\n\n{after}"
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == ""
    assert ("missing_section", "warning") in {(i.kind, i.severity) for i in check_report(text)}


def test_ligatures_from_pdf_text_read_as_their_letters() -> None:
    text = "FINDINGS: Patchy right basal inﬁltrate. Small left eﬀusion.\n\nIMPRESSION: Normal chest."
    parsed = parse_report(text)
    assert "infiltrate" in parsed.text and "effusion" in read_report(text)
    assert {"Lung Opacity", "Pleural Effusion"} <= {o.name for o in parsed.observations if o.polarity == "present"}
    assert "impression_omits_finding" in flagged(text)
