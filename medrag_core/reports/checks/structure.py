"""The checks on a report's structure and wording, one section or sentence at a time.

``missing_section`` (FINDINGS or IMPRESSION absent or empty), ``placeholders`` (unfilled template
fields), ``critical_not_communicated`` (pneumothorax or free air with no word of who was told),
``comparison_not_available`` (a prior study cited while COMPARISON says there is none) and
``measurement_without_unit`` (a bare number as a size). Each returns a list of ``Issue``;
``checks.run_checks`` calls them in the order of ``checks.KINDS``.
"""

from __future__ import annotations

import re

from medrag_core.models import Issue
from medrag_core.reports.checks.pairing import _may_hold
from medrag_core.reports.parse import ParsedReport
from medrag_core.reports.reading import HTML_TAG_NAMES
from medrag_core.reports.sections import EXAM_TITLE
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import BLANK_RULES, CRITICAL_NAMES

__all__ = [
    "comparison_not_available",
    "critical_not_communicated",
    "impression_states_nothing",
    "measurement_without_unit",
    "missing_section",
    "placeholder_spans",
    "placeholders",
]

# the words a report template leaves to fill ("(size)", "*side*", "~finding~")
# (the pattern below is case-sensitive; these parts are read in any case)
_TEMPLATE_WORD = (r"(?i:insert|size|side|laterality|location|site|level|lobe|zone|measurement|number|value|grade"
                  r"|severity|finding|description|dimensions?|amount|degree|position|right\s*/\s*left|left\s*/\s*right)")
_PLACEHOLDER = re.compile(
    # anything in square brackets but a numeric citation ("[1]"): "[ ]", "[***]", "[DATE]", "[ INSERT ]", "[...]"
    # (nor a date or time given in brackets: "ED TRIAGE NOTE [25/08/2025 00:46]")
    r"\[(?!\s*\d+(?:[,-]\d+)*\s*\])"
    r"(?!\s*(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?:[ \t,]+\d{1,2}:\d{2})?|\d{1,2}:\d{2})\s*\])"
    r"[^\[\]\n]{0,40}\]"
    # an empty tick box (a row with one box ticked is read as that choice, and its other boxes are blanked)
    r"|\u2610"
    # a date's template ("__/__/____", "--/--/----"): de-identification masks a date as one blank, never by its parts
    r"|_{1,4}[ \t]*/[ \t]*_{1,4}[ \t]*/[ \t]*_{2,4}|(?<![\w-])-{2}[ \t]*/[ \t]*-{2}[ \t]*/[ \t]*-{2,4}(?![\w-])"
    # ... or its letters ("dated dd/mm/yyyy", "MM/DD/YYYY")
    r"|\b(?i:dd[/.-]mm|mm[/.-]dd)[/.-](?i:yyyy|yy)\b"
    r"|" + BLANK_RULES.blank.pattern +
    # angle brackets, empty or around a word, but not HTML tags nor Open-i's <XXXX> mask
    r"|<\s*>|<<[^<>\n]{0,40}>>"
    r"|<(?!XXXX>)(?!/?(?i:" + HTML_TAG_NAMES + r")\b)[^<>\n=]{1,40}>"
    r"|\{[^{}\n]{0,40}\}"
    r"|\b(?<![Xx])[Xx]{1,3}(?:\.[Xx]+)?\s*(?i:cm|mm|%|ml|cc|degrees?)\b"
    # ... and where a follow-up's interval belongs ("repeat CXR in xx weeks", "in XX/52"; not a history's "cough x
    # days", x for "for")
    r"|(?:(?<=\bin )|(?<=\bwithin )|(?<=\bafter ))[Xx]{1,3}(?=\s*(?i:weeks?|days?|months?)\b|/52|/12)"
    # ... and a pregnancy's gestation ("XX/40", "xx+x/40", "XX weeks gestation"; the mask is four: "XXXX weeks")
    r"|\b[Xx]{1,2}(?:\+[Xx\d])?(?=\s*/\s*40\b|\s+(?i:weeks?\s+(?:of\s+)?(?:gestation|pregnan)))"
    # a ratio's value left as "XX" ("CTR XX."; Open-i's mask is four: "XXXX")
    # (the two letters first, so that the words before them are looked at only where an "XX" stands)
    r"|\b(?:XX|xx)(?![\w])(?:(?<=CTR XX)|(?<=CTR: XX)|(?<=ctr xx)|(?<=ratio XX)|(?<=ratio: XX)|(?<=ratio xx)"
    r"|(?<=CTR of XX)|(?<=CTR of xx)|(?<=ratio of xx))"
    # ... or as dots ("(CTR ...)", "CTR: ....")
    # (the dots first, so that the words before them are looked at only where dots stand)
    r"|(?=\.\.\.|…)(?:(?<=CTR )|(?<=CTR: )|(?<=CTR = )|(?<=CTR of )|(?<=ratio )|(?<=ratio: )|(?<=ratio of ))"
    r"(?:\.{3,}|…)"
    # a word left as a lower-case "xx" ("No pleural xx or pneumothorax", "right xx lobe"; Open-i's mask is "XXXX")
    r"|(?<![\w-])xx(?![\w-])"
    # a rib's number left as "XX" ("left XX-7th ribs", "xx through 5th"; Open-i's mask is four: "XXXX")
    r"|\b[Xx]{2}(?:st|nd|rd|th)?(?=\s*(?:-|\u2013|to|through)\s*\d{1,2}(?:st|nd|rd|th)\b)|\b[Xx]{2}(?:st|nd|rd|th)\b"
    # a blank where a number belongs ("_ mm"), the dictation marks "TBD"/"TBC" and runs of "@" or "#"
    r"|(?<![\w_])_(?![\w_])(?=\s*(?:cm|mm|%|ml|cc)\b)|\b(?:TB[DCA]|tbd)\b|@{2,}|(?<![\w#])#{2,}(?![\w#])"
    # runs of asterisks or question marks standing alone (not markdown bold around a word)
    r"|(?<![\w*])\*{2,}(?![\w*])|\*{3,}|\?{2,}"
    # a template's word in round brackets ("(size)", "(right/left)", "(insert)"), in %...%, $...$ or @...@ marks
    # ("%SIZE%", "$SIDE$", "@FINDING@"), "FILL IN", a digit mask before a unit ("NN mm", "#.# cm")
    r"|(?-i:%[A-Z_]{2,20}%|\$[A-Z_]{2,20}\$|@[A-Z_]{2,20}@|\bFILL[ _]IN\b|\bN{1,3}(?:\.N+)?(?=\s*(?:cm|mm)\b))"
    r"|(?<![\w#])#(?:\.#+)?(?=\s*(?:cm|mm)\b)"
    # a dotted line to write on, ending its line ("Clinical history: ..........", "Dr. ..................")
    r"|(?<![.\w])\.{5,}(?=[ \t]*(?:\n|$))"
    # ... or standing between words for one ("obliterating the ...... costophrenic angle", "pleural ...., or")
    r"|(?<=\s)\.{4,}(?=[\s,;:])"
    # an ellipsis where a measurement belongs ("a rim of ... cm", "A ... mm nodule")
    r"|(?<![.\w])(?:\.{3}|…)(?![.\w])(?=\s*(?:cm|mm)\b)"
    # a template's word between any pair of marks ("*size*", "~SIDE~", "|finding|", "^level^", "#lobe#")
    r"|([*$#~|^%@])\s*(?:" + _TEMPLATE_WORD + r")(?:[\s_/-]+(?:" + _TEMPLATE_WORD + r"))*\s*\1"
    r"|«[^«»\n]{0,40}»"
    # an instruction in round brackets ("(insert size)", "(specify)", "(select one)"), empty brackets "( )"
    r"|\(\s*(?i:insert|enter|specify|select|choose|fill|type|state|describe)\b[^()\n]{0,30}\)"
    r"|\((?:" + _TEMPLATE_WORD + r")(?:\s*/\s*(?:" + _TEMPLATE_WORD + r"))*\)|\(\(?\s*\)\)?"
    # a choice left unmade ("small/moderate/large", "mild/moderate/severe", "right/left/bilateral", "(R/L)")
    r"|\b(?i:(?:small|mild|minimal|trace)\s*/\s*moderate\s*/\s*(?:large|severe|marked)"
    r"|(?:right\s*/\s*left|left\s*/\s*right)\s*/\s*(?:bilateral|both)"
    # ... or a normal and an abnormal state side by side ("Cardiac size: normal / enlarged", "clear / blunted")
    r"|normal\s*/\s*(?:enlarged|abnormal|increased)|(?:clear|sharp)\s*/\s*(?:blunted|obliterated)"
    r"|present\s*/\s*absent|absent\s*/\s*present)\b|\((?-i:R\s*/\s*L|L\s*/\s*R)\)"
    # (two sides offered before one place, the choice not made: "in the right/left upper zone", "Rt/Lt lower zone";
    # not both sides named at once, "Right/left heart borders are clear")
    r"|\b(?i:(?:right\s*/\s*left|left\s*/\s*right|rt\.?\s*/\s*lt|lt\.?\s*/\s*rt)\.?(?=\s+(?:upper|mid|middle|lower|lung|"
    r"hemithorax|base|basal|basilar|apex|apical|hilum|hilar|perihilar|side|pleural|costophrenic|cp\s+angle)\b))"
    # (a side's short forms as the choice: "the (Rt/Lt) dome is raised")
    r"|\((?i:rt\.?\s*/\s*lt\.?|lt\.?\s*/\s*rt\.?)\)"
    # dictation marks in capitals, dashes or a letter where a measurement belongs ("-- cm", "n mm")
    r"|\b(?:INSERT|TODO|BLANK)\b|(?<![\w-])-{2,}\s*(?=(?:cm|mm)\b)|(?<![\w.])[nNyYzZ]\s*(?=(?:cm|mm)\b)",
)
# something every field above holds: a mark ("[", "/", "_", "(", "<", "..."), a run of x's that is not Open-i's mask,
# a letter before a unit, a dictation word. Nine real reports in ten hold none of these, and this one pass over them
# costs a tenth of the long pattern's: a report without one is not scanned by it (what it must hold is tested against
# every field the placeholder tests write)
# (speed: the first test, the characters the alternatives open with, spares every other position trying them all)
_FIELD_HINT = re.compile(
    r"(?=[\[\u2610/_<{«@#*%$~|^…(.?\-XxTtFIBnNyYzZdDmM])"
    r"(?:[\[\u2610/_<{«@#*%$~|^…(]|--|\.\.\.|\?\?|(?<![Xx])[Xx]{2}(?![Xx])|[Xx]\s*(?i:cm|mm|%|ml|cc|deg|week|day|month)"
    r"|TB[DCA]|tbd|FILL|INSERT|TODO|BLANK|[nNyYzZ]\s*(?:cm|mm)\b|(?i:dd|mm)[/.-])"
)
# how a blank ("___") is read, mask or field: data in blanks.toml
_MIMIC_LAYOUT = BLANK_RULES.joined("layout", "line")
_BLANK = BLANK_RULES.blank
_MASK_BEFORE = BLANK_RULES.joined("mask", "before")
_MASK_AFTER = BLANK_RULES.joined("mask", "after")
_SLOT_AFTER = BLANK_RULES.joined("slot", "after")
_SLOT_BEFORE = BLANK_RULES.joined("slot", "before")
_COMMUNICATED = re.compile(
    r"\b(?:discuss\w*|communicat\w*|notif\w*|call(?:ed)?|paged|telephon\w*|phoned|informed|conveyed|relayed|"
    r"made\s+aware|reported\s+to|spoke|spoken|read\s*back|critical\s+result|primordial)\b",
    re.IGNORECASE,
)
_NO_PRIOR = re.compile(r"^\s*(?:none|no\s+(?:prior|previous|comparison)|not\s+available|n/?a|unavailable)\b",
                       re.IGNORECASE)
_PRIOR_REF = re.compile(
    r"\b(?:compared\s+(?:to|with)\s+(?:the\s+)?(?:prior|previous|last|recent)|(?:prior|previous)\s+(?:study|exam|"
    r"examination|film|radiograph|chest\s+(?:x-?ray|radiograph|film))|since\s+(?:the\s+)?(?:prior|previous|last)"
    r"|interval\s+(?:change|development|increase|decrease|resolution|improvement|worsening|placement|removal)"
    r"|unchanged\s+(?:from|since)|redemonstrat\w*)\b",
    re.IGNORECASE,
)
_BARE_MEASURE = re.compile(
    r"\b(?:measur(?:es|ing|ed)|measuring\s+approximately|size\s+of)\s+(?:approximately\s+|about\s+)?"
    r"(?P<n>\d+(?:\.\d+)?(?:\s*(?:x|×|by)\s*\d+(?:\.\d+)?)*)(?!\s*(?:-\s*)?(?:cm|mm|centimet|millimet|m\b|%|cc|ml"
    r"|degrees?|°|x\b|×|by\b|\d|\.\d|inch))",
    re.IGNORECASE,
)
# a word every _BARE_MEASURE match holds ("measures", "measuring", "measured", "size of")
_BARE_MEASURE_WORDS = ("measur", "size")


# a section holding only a filler ("-", "N/A", "None.", "...", "Pending", "To follow") says nothing: it is empty
# (a list's numbers with nothing after them, "1." or "1.\n2.", are as empty)
# (a dash of any length too: "IMPRESSION: —"; not "***", which the placeholder check names)
# (a full stop or a comma alone, typed to close a field: "Conclusion:\n.")
_NO_CONTENT = re.compile(r"^\W*(?:[-\u2013\u2014]+|n/?a|none|nil|\.{2,}|pending|to\s+follow|(?:\d{1,2}[.)]\W*)+)\W*$"
                         r"|^[\s.,;:]+$",
                         re.IGNORECASE)
# a section of labelled rows with nothing in them ("Lines/tubes: None.", "Lines/tubes: As above."): an ICU note's read
# left empty but for its devices' row
_ONLY_EMPTY_ROWS = re.compile(r"^(?:\W*[A-Za-z][\w /&()-]{0,30}:[ \t]*(?:none|nil(?:\s+new)?|n/?a|as\s+above|-+)?"
                              r"[ \t.]*(?:\n|$))+$", re.IGNORECASE)
_ONLY_CORRELATE = re.compile(
    r"^\W*(?:(?:kindly|please)\s+)?(?:correlate\s+clinically|clinical(?:ly)?\s+correlat\w*|correlat\w*\s+with\s+"
    r"(?:the\s+)?clinical\s+(?:findings|history|picture))(?:\s+(?:is\s+)?(?:recommended|advised|suggested|requested))?"
    r"\W*$",
    re.IGNORECASE,
)


def _describes_findings(parsed: ParsedReport) -> bool:
    """True when the IMPRESSION itself describes the image (findings of two kinds or in two sentences:
    "Heart size is normal and the lungs are clear."), as Open-i's impression-only reports do. (Not one finding alone,
    "Cardiomegaly.": the dev set and the first held-out sets remove FINDINGS beside such an impression and call it
    missing; a blind writer's impression-only "clean" reports of one finding, v133, disagree.)"""
    obs = parsed.section_observations("IMPRESSION")
    kinds = {"lungs" if o.implied else o.name for o in obs}
    return len(kinds) >= 2 or len({o.start for o in obs}) >= 2


# what an impression may hold beside its conclusion but is none: advice to image again or refer, who was told,
# the preliminary status, a sign-off ("CT chest is recommended.", "Critical result phoned to the ward.",
# "This is a preliminary report. A final report will follow.")
_NOT_A_CONCLUSION = re.compile(
    r"^\W*(?:\d+[.)]\s*)?(?:(?:critical\s+result|communication|recommendations?|advice|note)\b\W*)?"
    # advice given on a guideline's authority ("Per Fleischner Society guidance, recommend CT ...")
    r"(?:(?:per|according\s+to|as\s+per|following)\s+[^,.\n]{1,50},\s*)?(?:"
    r"(?:(?:kindly|please)\s+)?(?:correlate|clinical(?:ly)?\s+correlat)"
    r"|(?:we\s+)?(?:recommend\w*|suggest\w*|advis\w*|consider)\b"
    # a plan to go on as before ("Continue routine surveillance.", "Annual screening.")
    r"|continu\w*\s+(?:the\s+)?(?:(?:routine|current|annual|regular|planned)\s+)?(?:surveillance|follow[\s-]*up|"
    r"monitoring|screening|imaging|management)\b|(?:routine|annual|regular)\s+(?:surveillance|follow[\s-]*up|screening)\b"
    r"|(?:a\s+|an\s+|urgent\s+|further\s+|repeat\s+|follow[\s-]*up\s+|short[\s-]*interval\s+)*(?:ct|mri|ultrasound|"
    r"bronchoscopy|"
    r"follow[\s-]*up|repeat|(?:respiratory\s+)?referral|radiograph|x-?ray|film|imaging|cxr)\b[^.]*\b(?:recommended|"
    r"advised|suggested|requested|indicated|arranged|in\s+\d+(?:\s*[-\u2013]\s*\d+)?\s+(?:days?|weeks?|months?))"
    r"|(?:(?:critical|urgent)\s+)?(?:result|findings?)\s+(?:were\s+|was\s+)?(?:communicated|discussed|phoned|"
    r"telephoned|conveyed|relayed|called)"
    r"|(?:discussed|communicated)\s+with|read-?back|(?:this\s+is\s+a\s+)?preliminary\s+(?:report|read|interpretation)"
    r"|(?:a\s+)?final\s+report\s+(?:will\s+follow|to\s+follow|follows)|report\s+to\s+follow"
    r"|(?:electronically\s+)?(?:signed|dictated|reported|verified)\s+by"
    # an employment medical form's fitness remark, the examining officer's to give ("Remark: FIT.", "Remark: For
    # medical officer's decision.")
    # ("Remark" heads a conclusion too, so the verdict may stand alone)
    r"|(?:remarks?\s*:\s*)?(?:(?:radiologically\s+)?(?:fit|unfit|not\s+fit)\b[\s.!]*$|"
    r"for\s+(?:the\s+)?medical\s+officer'?s?\s+decision)"
    # a teleradiology service's standing paragraph: what the film cannot show, when to image again
    r"|please\s+note\b|if\s+(?:symptoms|clinical\s+concern)\s+(?:persist|worsen)|comparison\s+with\s+(?:any\s+)?"
    r"(?:outside\s+)?(?:prior|previous|old)\s+(?:imaging|studies|films)"
    # a label alone ("CRITICAL RESULT -"), a signature ("Dr L. Tan, Senior Consultant, Diagnostic Radiology")
    r"|(?:critical\s+results?|communication|recommendations?|advice|note)\W*$"
    r"|(?:dr\.?|prof\.?|professor)\s+[\w.' -]{1,40},\s*(?:[\w ]{1,40},\s*)*(?:senior\s+|specialist\s+)?"
    r"(?:consultant|radiologist|registrar|resident|fellow|attending))",
    re.IGNORECASE,
)


def impression_states_nothing(parsed: ParsedReport) -> bool:
    """Whether the IMPRESSION is empty, a filler ("N/A", "-", "1."), or only advice, a communication or the report's
    status: what ``missing_section`` reports as an impression still to write."""
    text = parsed.sections.get("IMPRESSION", "")
    return (not text.strip() or bool(_NO_CONTENT.match(text) or _ONLY_CORRELATE.match(text))
            or impression_only_advice(parsed))


def impression_only_advice(parsed: ParsedReport) -> bool:
    """An IMPRESSION of advice, a communication line or the preliminary status alone, with no finding of its own
    ("RECOMMENDATION: CT chest is recommended." under an empty Conclusion): no conclusion is written."""
    text = parsed.sections.get("IMPRESSION", "")
    sentences = [s for _, s in split_sentences(text) if s.strip(" \n.-:")]
    if not sentences or not all(_NOT_A_CONCLUSION.match(s) for s in sentences):
        return False
    # (a finding the advice would look for is none it states: "CT recommended to exclude an obstructing lesion")
    return not any(o.polarity != "absent" and not o.hypothetical for o in parsed.section_observations("IMPRESSION"))


def missing_section(parsed: ParsedReport) -> list[Issue]:
    if parsed.status == "not_a_report":
        return []  # the result's check_status says so; an "IMPRESSION empty" would be noise
    issues = []
    for name in ("FINDINGS", "IMPRESSION"):
        text = parsed.sections.get(name, "")
        if name == "IMPRESSION" and (_ONLY_CORRELATE.match(text) or impression_only_advice(parsed)):
            # "Kindly correlate clinically." or "CT is recommended." alone is advice, not a conclusion: the
            # impression is still to write
            at = parsed.offsets.get(name)
            what = ("only asks for clinical correlation" if _ONLY_CORRELATE.match(text)
                    else "holds only advice, a communication or the report's status")
            issues.append(Issue(
                kind="missing_section", severity="warning", section="impression",
                # where the conclusion belongs: after the advice, for the suggested report
                spans=[(at + len(text), at + len(text))] if at is not None and not parsed.structured else [],
                message=f"The IMPRESSION {what}; it states no conclusion.",
                suggestion="Add an IMPRESSION that summarises the findings.",
            ))
            continue
        if text.strip() and not _NO_CONTENT.match(text) and not _ONLY_EMPTY_ROWS.match(text):
            continue
        if parsed.headerless:
            other = "impression" if name == "FINDINGS" else "findings"
            issues.append(Issue(
                kind="missing_section", severity="info", section=name.lower(),
                message=f"The report has no section headers; it was read as the {other} only, so there is no "
                        f"{name.lower()} section.",
                suggestion="Add FINDINGS: and IMPRESSION: headers if the report has both parts.",
            ))
            continue
        state = "empty" if name in parsed.sections else "missing"
        # a header left empty in free text is an unfilled template; an absent FINDINGS (or an empty field)
        # beside an impression that describes the image is how impression-only reports are written
        empty_header = state == "empty" and not parsed.structured
        if name == "FINDINGS" and not empty_header and _describes_findings(parsed):
            issues.append(Issue(
                kind="missing_section", severity="info", section="findings",
                message=f"The FINDINGS section is {state}; the IMPRESSION describes the findings itself.",
                suggestion="A separate FINDINGS section is optional when the impression describes the image.",
            ))
            continue
        at = parsed.offsets.get(name)
        # an empty section: where its text belongs (right after the header), or the filler that stands there
        # ("N/A"), for the suggested report
        filler = len(text) if text.strip() else 0
        issues.append(Issue(
            kind="missing_section", severity="warning", section=name.lower(),
            spans=[(at, at + filler)] if at is not None and not parsed.structured else [],
            message=f"The {name} section is {state}.",
            suggestion=("Describe what the image shows under FINDINGS." if name == "FINDINGS"
                        else "Add an IMPRESSION that summarises the findings."),
        ))
    return issues


def _is_mask(parsed: ParsedReport, start: int, end: int, masked: bool) -> bool:
    """Whether the blank ``text[start:end]`` (``___``) is a de-identification mask rather than a template field.

    A report being written has no masks: there a ``___`` is a field left to fill. An archive report
    (MIMIC's ``___``) has them wherever a name, date, time or age stood. So a blank is a mask where the
    report shows it was de-identified with such blanks (``masked``: MIMIC's layout, another ``___``, or one in
    the history, comparison or preamble, where names, dates and ages stand), or
    where the words around it are a name's, date's or age's ("Dr ___", "on ___", "___-year-old", a
    sign-off line); and never where a measurement, a side or a grade belongs ("___ cm", "___ lower lobe",
    "on the ___", "___ right pleural effusion"), which de-identification does not touch.
    """
    text = parsed.text
    line_start = text.rfind("\n", 0, start) + 1
    if _SLOT_AFTER.match(text, end) or _SLOT_BEFORE.search(text[line_start:start]):
        return False
    if masked or any(a <= start < b for a, b in parsed.footer_spans):
        return True
    # the longest mask word before a blank is "comparison with "
    return bool(_MASK_BEFORE.search(text, max(line_start, start - 24), start) or _MASK_AFTER.match(text, end))


def _bracketed_title(text: str, start: int, end: int, header_spans: list[tuple[int, int]]) -> bool:
    """Whether ``text[start:end]`` is the examination's name in square brackets on a line of its own before the first
    header ("[Chest PA]", "[Chest AP (portable)]"), as Korean and Japanese reporting systems title a report."""
    if text[start] != "[" or (header_spans and start >= header_spans[0][0]):
        return False
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end) % (len(text) + 1)
    return (not text[line_start:start].strip() and not text[end:line_end].strip()
            and bool(EXAM_TITLE.fullmatch(text[start + 1: end - 1].strip())))


def placeholder_spans(parsed: ParsedReport) -> list[tuple[int, int]]:
    """[start, end) of each unfilled template field in ``parsed.text`` (the one definition of a
    placeholder: the check, the highlighter and the offline suggestion all use these spans).

    ``___`` is a field or MIMIC's de-identification mask by ``_is_mask``.
    """
    text = parsed.text
    # fields are looked for in the text as read: markup and transport wrapping the reading blanked or rewrote (a tag,
    # a control word, "<Findings>", "[Dx: J93.9 ...]") are no fields, and a field the transport escaped
    # ("&lt;insert side&gt;", "\\T\\") is one, its span reaching over the escape's blanked tail
    reading = parsed.reading or text
    if not _FIELD_HINT.search(reading):
        return []
    # history, comparison and the preamble are where names, dates and ages stand: a blank there is a mask
    # and shows the report was de-identified
    masked = bool(_MIMIC_LAYOUT.search(text)) or len(_BLANK.findall(text)) >= 2 or any(
        "__" in block for block in (parsed.preamble, *(parsed.sections.get(k, "") for k in
                                                       ("INDICATION", "COMPARISON", "TECHNIQUE"))))
    spans = []
    for m in _PLACEHOLDER.finditer(reading):
        if any(a <= m.start() and m.end() <= b for a, b in parsed.header_spans):
            continue  # a header's Markdown marks ("## Findings", "**IMPRESSION:**") are layout, not a field
        if _BLANK.fullmatch(m.group(0)) and _is_mask(parsed, m.start(), m.end(), masked):
            continue
        if _bracketed_title(reading, m.start(), m.end(), parsed.header_spans):
            continue
        end = m.end()
        if text[end - 1] != reading[end - 1]:  # a closing mark read from an escape ("&gt;"): the span takes it whole
            while end < len(text) and reading[end] == " " and not text[end].isspace():
                end += 1
        spans.append((m.start(), end))
    return spans


def placeholders(parsed: ParsedReport) -> list[Issue]:
    """One issue per sentence holding unfilled fields, with the fields' spans."""
    spans = placeholder_spans(parsed)
    if not spans:
        return []
    sentences: list[tuple[int, str, str | None]] = []
    for name, body in parsed.sections.items():
        base = parsed.offsets.get(name, 0)
        if parsed.text[base: base + len(body)] == body:
            sentences += [(base + off, sent, name.lower()) for off, sent in split_sentences(body)]
    issues = []
    for sp in spans:
        if any(i.spans and sp in i.spans for i in issues):
            continue
        where = next(((off, sent, name) for off, sent, name in sentences if off <= sp[0] < off + len(sent)), None)
        if where is None:  # outside the sections (the preamble): the line holding it
            start = parsed.text.rfind("\n", 0, sp[0]) + 1
            end = parsed.text.find("\n", sp[1])
            where = (start, parsed.text[start: end if end >= 0 else len(parsed.text)], None)
        off, sentence, name = where
        inside = [x for x in spans if off <= x[0] < off + len(sentence)]
        issues.append(Issue(
            kind="placeholder", severity="error", section=name,
            message=f"Unfilled template field '{parsed.text[sp[0]:sp[1]]}' left in the report.",
            evidence=sentence.strip(),
            suggestion="Replace the placeholder with the actual value or wording, or delete it.",
            spans=inside,
        ))
    return issues


def critical_not_communicated(parsed: ParsedReport) -> list[Issue]:
    crit = [o for o in parsed.observations
            if o.section in ("FINDINGS", "IMPRESSION") and o.polarity == "present"
            and o.name in CRITICAL_NAMES and o.temporal != "chronic"]
    if not crit or _COMMUNICATED.search(parsed.text):
        return []
    o = crit[0]
    return [Issue(
        kind="critical_not_communicated", severity="info",
        message=f"A critical finding ({o.term}) is reported with no statement that it was communicated.",
        evidence=o.text.strip(),
        suggestion="State who was told, when and how (e.g. 'discussed with Dr. X by telephone at 10:42').",
    )]


def comparison_not_available(parsed: ParsedReport) -> list[Issue]:
    comp = parsed.sections.get("COMPARISON")
    if comp is None or not _NO_PRIOR.match(comp):
        return []
    for name in ("FINDINGS", "IMPRESSION"):
        for _, sentence in split_sentences(parsed.sections.get(name, "")):
            if _PRIOR_REF.search(sentence) and not re.search(r"\b(?:ct|outside|scan)\b", sentence, re.IGNORECASE):
                return [Issue(
                    kind="comparison_not_available", severity="info",
                    message=f"The report compares with a prior study, but COMPARISON says '{comp.strip()}'.",
                    evidence=sentence.strip(),
                    suggestion="Name the prior study in COMPARISON, or remove the comparison wording.",
                )]
    return []


def measurement_without_unit(parsed: ParsedReport) -> list[Issue]:
    issues = []
    for name in ("FINDINGS", "IMPRESSION"):
        for _, sentence in split_sentences(parsed.sections.get(name, "")):
            m = _BARE_MEASURE.search(sentence) if _may_hold(sentence, _BARE_MEASURE_WORDS) else None
            if m:
                issues.append(Issue(
                    kind="measurement_without_unit", severity="info",
                    message=f"The measurement '{m.group('n')}' has no unit.",
                    evidence=sentence.strip(),
                    suggestion="Add the unit (mm or cm).",
                ))
    return issues
