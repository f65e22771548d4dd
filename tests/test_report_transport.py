"""Reports read through the plumbing that delivered them (``reports.transport.unwrap_transport``).

Every report here is written by hand for this file. Each transport: a clean report reads with FINDINGS and an
IMPRESSION and raises no issue of the five scored kinds; an error put into it is still caught through the wrapper;
the reading has the text's length and every span indexes the text as given; a plain report is left unchanged.
"""

from __future__ import annotations

import base64
import json

import pytest

from medrag_core.reports import check_report, parse_report, read_report
from medrag_core.reports.checks.structure import placeholder_spans
from medrag_core.reports.transport import unwrap_transport

SCORED = {"missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"}
FLAGGED = {"warning", "error"}

FINDINGS = ("Cardiomediastinal contours are normal for age. Both lungs are well aerated and clear. "
            "Pleural spaces are clear. No bony injury is identified.")
IMPRESSION = "Normal appearances of the chest."


def scored(text: str) -> set[str]:
    return {i.kind for i in check_report(text) if i.severity in FLAGGED and i.kind in SCORED}


def read_ok(text: str, clean: bool = True) -> None:
    """The reading keeps the length, finds both sections (for a ``clean`` report: FINDINGS and IMPRESSION exactly,
    none of the wrapping), and every mention's span indexes the text as given."""
    given = read_report(text)
    reading = unwrap_transport(given)
    assert len(reading) == len(given)
    parsed = parse_report(given)
    assert parsed.text == given
    assert parsed.sections.get("FINDINGS") and parsed.sections.get("IMPRESSION"), parsed.sections
    if clean:
        assert " ".join(parsed.sections["FINDINGS"].split()) == FINDINGS, parsed.sections
        assert parsed.sections["IMPRESSION"] == IMPRESSION, parsed.sections
    for o in parsed.observations:
        a, b = o.span
        # a word broken across a line end is read whole where it starts, so its span ends short by the break
        assert given[a:b].lower() == o.term.lower() or "-\n" in given[a:b], (o.term, given[a:b])
        assert reading[a:b].lower() == o.term.lower()


# --- HL7 v2 ------------------------------------------------------------------------------------------------------

_MSH = "MSH|^~\\&|RADSYS|NORTH|EHR|WARD|202401020304||ORU^R01|55501|P|2.5\nPID|1||778899^^^H^MR||DOE^JANE\n" \
       "OBR|1|A1|B2|71046^XR CHEST 2V^CPT4"


def hl7_lines(findings: str, impression: str | None) -> str:
    body = ["Exam: XR chest, 2 views \\T\\ lateral", "History: cough", "", "FINDINGS:", findings, ""]
    if impression is not None:
        body += ["IMPRESSION:", impression]
    return "\n".join([_MSH] + [f"OBX|{n}|TX|RPT^Report^L|1|{line}||||||F" for n, line in enumerate(body, 1)])


def hl7_one(findings: str, impression: str, br: str) -> str:
    body = br.join(["Indication: fever", "", "Findings", findings, "", "Impression", impression])
    return f"{_MSH}\nOBX|1|FT|RPT^Report^L|1|{body}||||||F\nNTE|1||Images available in PACS."


def hl7_repeats(findings: str, impression: str | None) -> str:
    segs = [_MSH, "OBX|1|TX|RPT^Report^L|1|Reason for exam: dyspnoea~Comparison: none||||||F",
            f"OBX|2|TX|RPT^Report^L|2|Findings:~{findings.replace('. ', '.~')}||||||F"]
    if impression is not None:
        segs.append(f"OBX|3|TX|RPT^Report^L|3|Impression:~{impression}||||||F")
    return "\n".join(segs)


@pytest.mark.parametrize("make", [
    lambda f, i: hl7_lines(f, i), lambda f, i: hl7_one(f, i, "\\.br\\"), lambda f, i: hl7_one(f, i, "\\X0D\\\\X0A\\"),
    lambda f, i: hl7_repeats(f, i)], ids=["lines", "br", "crlf", "repeats"])
def test_hl7_clean_report_reads_as_its_sections(make) -> None:
    text = make(FINDINGS, IMPRESSION)
    read_ok(text)
    assert scored(text) == set()


def test_hl7_errors_are_still_caught() -> None:
    assert "laterality_conflict" in scored(hl7_lines("Minor left-sided effusion is present. Lungs otherwise clear.",
                                                     "Minor right-sided effusion."))
    assert "negation_conflict" in scored(hl7_one("Lungs clear. There is no pneumothorax visible.",
                                                 "Moderate left pneumothorax.", "\\.br\\"))
    assert "missing_section" in scored(hl7_repeats(FINDINGS, None))


def test_hl7_repetitions_are_lines_and_escapes_characters() -> None:
    text = hl7_repeats("There is no pleural fluid. Right basal mass of 3 cm.", "Right basal mass.")
    parsed = parse_report(text)
    # "~" ends a line: the negation before it does not reach the mass after it
    assert [o.polarity for o in parsed.observations if o.name == "Mass" and o.section == "FINDINGS"] == ["present"]
    reading = unwrap_transport(hl7_lines(FINDINGS, IMPRESSION))
    assert "2 views &   lateral" in reading and "OBX|" not in reading and "MSH|" not in reading


# --- FHIR ------------------------------------------------------------------------------------------------------------

def fhir_json(findings: str, impression: str | None, indent: int | None = 2, encode: bool = False) -> str:
    report = f"Exam: Chest PA\nHistory: fall\n\nFindings:\n{findings}"
    form = {"contentType": "text/plain"}
    if encode:
        form["data"] = base64.b64encode(report.encode()).decode()
    else:
        form["data(decoded)"] = report
    res = {"resourceType": "DiagnosticReport", "status": "final", "subject": {"reference": "Patient/[hidden]"},
           "presentedForm": [form]}
    if impression is not None:
        res["conclusion"] = impression
    return json.dumps(res, indent=indent)


@pytest.mark.parametrize("indent,encode", [(2, False), (None, False), (None, True)])
def test_fhir_json_reads_presented_form_and_conclusion(indent, encode) -> None:
    text = fhir_json(FINDINGS, IMPRESSION, indent, encode)
    if not encode:
        read_ok(text)
    assert parse_report(text).sections.get("IMPRESSION") == IMPRESSION
    assert scored(text) == set()
    omitted = fhir_json("Large right pleural effusion. Lungs otherwise clear.", "No acute disease.", indent, encode)
    assert "impression_omits_finding" in scored(omitted)
    assert "missing_section" in scored(fhir_json(FINDINGS, "", indent, encode))


@pytest.mark.parametrize("headed", [False, True])
def test_json_export_with_section_keys_or_a_headed_report_key(headed: bool) -> None:
    def export(findings: str, impression: str) -> str:
        if headed:
            return json.dumps({"accession": "X1", "report": f"FINDINGS:\n{findings}\n\nIMPRESSION:\n{impression}"})
        return json.dumps({"clinicalHistory": "fever", "findings": findings, "impression": impression})
    text = export(FINDINGS, IMPRESSION)
    read_ok(text)
    assert scored(text) == set()
    assert "impression_omits_finding" in scored(export("Large left pneumothorax with mediastinal shift.",
                                                       "Normal appearances of the chest."))


def fhir_flat(findings: str, impression: str) -> str:
    data = f"Indication: chest pain & cough\n\nFindings:\n{findings}"
    data = data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(["DiagnosticReport.status: amended", "DiagnosticReport.code.text: Chest X-ray",
                      "ServiceRequest.reasonCode[0]: R07.9 | Chest pain",
                      "DiagnosticReport.presentedForm[0].data: " + data.replace("\n", "&#10;"),
                      f"DiagnosticReport.conclusion: {impression}", "DiagnosticReport.resultsInterpreter: Reader"])


def test_fhir_key_paths() -> None:
    text = fhir_flat(FINDINGS, IMPRESSION)
    read_ok(text)
    assert parse_report(text).sections["IMPRESSION"] == IMPRESSION
    assert scored(text) == set()
    field = fhir_flat("Nodule in the right <insert lobe> measuring 8 mm.", "Right lung nodule.")
    assert "placeholder" in scored(field)
    spans = placeholder_spans(parse_report(field))
    assert [field[a:b] for a, b in spans] == ["&lt;insert lobe&gt;"]  # the escaped field, whole, in the given text


# --- key=value and XML ---------------------------------------------------------------------------------------------

def kv(findings: str, impression: str, sep: str) -> str:
    return sep.join(["STATUS=FINAL", "PROCEDURE=Chest radiograph", f"FINDINGS={findings}", f"IMPRESSION={impression}",
                     "SIGNED_BY=___"])


@pytest.mark.parametrize("sep", ["\n", "; ", " | "])
def test_key_value_export(sep: str) -> None:
    text = kv(FINDINGS, IMPRESSION, sep)
    read_ok(text)
    assert scored(text) == set()
    assert "missing_section" in scored(kv(FINDINGS, "", sep))


def xml(findings: str, impression: str | None, wrapped: bool) -> str:
    parts = ['<?xml version="1.0"?>', "<Result>", '  <Diagnosis code="R05.1">Acute cough</Diagnosis>']
    imp = "<Impression/>" if impression is None else f"<Impression>{impression}</Impression>"
    if wrapped:
        parts.append(f"  <ReportText>FINDINGS:&#10;{findings}&#10;&#10;IMPRESSION:&#10;{impression or ''}</ReportText>")
    else:
        parts += [f"  <Findings>{findings}</Findings>", f"  {imp}"]
    return "\n".join(parts + ["</Result>"])


@pytest.mark.parametrize("wrapped", [False, True])
def test_xml_export(wrapped: bool) -> None:
    text = xml(FINDINGS, IMPRESSION, wrapped)
    read_ok(text)
    parsed = parse_report(text)
    assert parsed.sections["IMPRESSION"] == IMPRESSION
    assert "Acute cough" in parsed.sections["INDICATION"]  # a coded diagnosis is the order's reason
    assert scored(text) == set()
    assert "laterality_conflict" in scored(xml("Left lower lobe consolidation. No effusion.",
                                               "Right lower lobe consolidation.", wrapped))


def test_xml_empty_impression_element_is_a_missing_section() -> None:
    assert "missing_section" in scored(xml(FINDINGS, None, False))


# --- e-mail and chat -----------------------------------------------------------------------------------------------

def email(findings: str, impression: str) -> str:
    return "\n".join(["From: Ward Clerk <clerk@ward.example>", "Subject: FW: chest film", "", "See below.", "",
                      "-----Original Message-----", "From: Imaging Reports <reports@rad.example>",
                      "Sent: Monday", "To: Ward", "Subject: Result", "", "> FINDINGS:", f"> {findings}", ">",
                      "> IMPRESSION:", f"> {impression}", "", "--", "This message is confidential."])


def chat(findings: str, impression: str) -> str:
    return "\n".join(["[08:15] Night Nurse: any result for the film in bay 4?", "[08:19] Dr On Call:",
                      "  FINDINGS:", f"  {findings}", "", "  IMPRESSION:", f"  {impression}",
                      "[08:20] Night Nurse: thanks"])


@pytest.mark.parametrize("make", [email, chat])
def test_mail_and_chat(make) -> None:
    text = make(FINDINGS, IMPRESSION)
    read_ok(text)
    assert parse_report(text).sections["IMPRESSION"] == IMPRESSION
    assert scored(text) == set()
    assert "negation_conflict" in scored(make("There is no pleural fluid on either side. Lungs clear.",
                                              "Left pleural fluid collection, small."))
    assert "placeholder" in scored(make("Heart size [size]. Lungs clear.", IMPRESSION))


# --- PDF, fax, coded diagnoses ---------------------------------------------------------------------------------------

def pdf(findings_first: str, findings_rest: str, impression: str) -> str:
    return "\n".join(["Northfield Community Hospital     Patient: ___", "Imaging Services     MRN: 123", "",
                      "FINDINGS:", findings_first, "Printed: ___   Page 1 of 2", "Northfield Community Hospital",
                      "", "Patient: ___   (continued)", findings_rest, "", "IMPRESSION:", impression, "",
                      "Signed: Reader", "Page 2 of 2"])


def test_pdf_page_break_and_hyphenation() -> None:
    text = pdf("Heart within normal limits. Lungs aerated and clear. No",
               "pleural fluid seen. Mild basal atelec-\ntasis.", "Mild basal atelectasis.")
    read_ok(text, clean=False)
    parsed = parse_report(text)
    assert "Page" not in parsed.sections["FINDINGS"] and "Printed" not in parsed.sections["FINDINGS"]
    assert {o.name for o in parsed.section_observations("FINDINGS") if o.polarity == "absent"} >= {"Pleural Effusion"}
    assert "Atelectasis" in {o.name for o in parsed.section_observations("FINDINGS") if o.polarity == "present"}
    assert scored(text) == set()
    assert "impression_omits_finding" in scored(pdf("Heart within normal limits. There is a large right",
                                                    "pneumo-\nthorax.", "No acute disease."))


def test_fax_marks_and_coded_diagnosis() -> None:
    text = ("FROM: NORTHFIELD IMAGING  FAX 555 0100   P. 001\n\nREASON FOR EXAM: Fever. [Dx: J18.9 Pneumonia, "
            f"unspecified organism]\n\nFINDINGS:\n{FINDINGS}\n\nConclusion '\n{IMPRESSION}\n")
    read_ok(text)
    assert scored(text) == set()
    assert "placeholder" in scored(text.replace("normal for age", "[normal/enlarged]"))


# --- plain reports stay as they are ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    f"FINDINGS: {FINDINGS}\n\nIMPRESSION: {IMPRESSION}",
    "FINDINGS:\n> 5 mm nodule in the right apex, unchanged.\n\nIMPRESSION:\nStable apical nodule.",
    "From the prior study the lungs are unchanged.\nIMPRESSION: Stable.",
    "EF=55% on echo.\nFINDINGS: Heart normal.\nIMPRESSION: Normal.",
    "HISTORY: cough | fever\nFINDINGS: Lungs clear. {see addendum}\nIMPRESSION: <Normal>",
    "Lungs clear.\n[15:30] film reviewed.\nIMPRESSION: Normal chest.",
    "FINDINGS: Well-defined nodule.\nIMPRESSION: Nodule; page the team.",
])
def test_plain_reports_are_unchanged(text: str) -> None:
    assert unwrap_transport(text) == text
    assert parse_report(text).reading == ""


def test_fax_digits_read_as_letters_only_inside_words() -> None:
    banner = "FROM: NORTHFIELD IMAGING  FAX 555 0100   P. 002\n\n"
    text = banner + ("FINDINGS:\nSmal1 1eft basal effusi0n. T1 and L5 intact; 5mm nodule stable since 2019.\n\n"
                     "IMPRESSION:\nRight basal effusion.")
    reading = unwrap_transport(text)
    assert len(reading) == len(text)
    assert "Small left basal effusion." in reading
    assert "T1 and L5" in reading and "5mm" in reading and "2019" in reading
    assert "laterality_conflict" in scored(text)
    assert unwrap_transport(text.replace("FAX", "fax line")) == text.replace("FAX", "fax line")  # no banner, no OCR


def test_coded_diagnosis_broken_across_a_line_is_no_field() -> None:
    text = ("INDICATION: Fever. [Dx: J18.9 Pneu-\nmonia, unspecified organism] [ICD-10: R05.9 Cough]\n\nFINDINGS:\n"
            f"{FINDINGS}\n\nIMPRESSION:\n{IMPRESSION}")
    assert len(unwrap_transport(text)) == len(text)
    assert placeholder_spans(parse_report(text)) == []
    assert scored(text) == set()


def test_compact_xml_wrapper_inline_markup_and_html_left_to_markup() -> None:
    text = (f"<Study><Findings>{FINDINGS.replace('clear', '<b>clear</b>')}</Findings>"
            f"<Impression>{IMPRESSION}</Impression></Study>")
    parsed = parse_report(text)
    assert set(parsed.sections) == {"FINDINGS", "IMPRESSION"}, parsed.sections  # <Study> wraps sections: no header
    assert parsed.sections["IMPRESSION"] == IMPRESSION and scored(text) == set()
    page = "<html><body><p><b>FINDINGS:</b> There is <i>no</i> effusion.</p><p>IMPRESSION: Normal.</p></body></html>"
    assert unwrap_transport(page) == page  # HTML is markup: mask_markup reads it, line breaks and all


@pytest.mark.parametrize("findings_id,impression_id", [
    ("FINDINGS", "IMPRESSION"),
    ("59776-5^Procedure findings^LN", "19005-8^Impression^LN"),
    ("RAD^Findings^L", "&IMP^Impression^L"),
])
def test_hl7_sections_named_by_the_observation_identifier(findings_id: str, impression_id: str) -> None:
    # each section in its own OBX, named by OBX-3 and not in the text; CR separates segments, as HL7 sends them
    text = (f"MSH|^~\\&|RIS|H|EHR|H|202601011200||ORU^R01|1|P|2.5\rPID|1||___\r"
            f"OBX|1|TX|{findings_id}||Moderate right pleural effusion.\\.br\\No pneumothorax.||||||F\r"
            f"OBX|2|TX|{impression_id}||No acute cardiopulmonary process.||||||F\r")
    parsed = parse_report(read_report(text))
    assert parsed.sections["FINDINGS"].startswith("Moderate right pleural effusion.")
    assert parsed.sections["IMPRESSION"] == "No acute cardiopulmonary process."
    assert "impression_omits_finding" in scored(text)
    # the whole report in OBX segments named &GDT ("Report"): its own headers name the sections
    whole = text.replace(findings_id, "&GDT^Report^L").replace(impression_id, "&GDT^Report^L")
    assert "FINDINGS" not in parse_report(read_report(whole)).sections
