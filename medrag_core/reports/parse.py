"""Report text in, sections and observation mentions out.

``read_report`` turns uploaded bytes into clean text (or refuses them with a ``ReportError``);
``parse_report`` splits free text into sections and finds observation mentions; ``parse_sections``
does the same for reports that arrive already split (``findings`` / ``impression`` fields).
``observation_labels`` names the observations a report affirms (the ETL ``labels`` column).

Section rules (the formats radiologists actually produce):

- A header is a known name (FINDINGS, IMPRESSION, CONCLUSION, COMPARISON, INDICATION, HISTORY,
  CLINICAL HISTORY, REASON FOR EXAM, TECHNIQUE, EXAMINATION, NOTIFICATION, RECOMMENDATION, ...) at the
  start of a line followed by ``:`` or a dash in any case (``Findings -``), or written in capitals
  with no punctuation (``FINDINGS The heart...``), or alone on its line. After a sentence end, a
  capitalised name with a colon also starts a section ("... normal. IMPRESSION: ..."). A number
  before it is allowed ("1. FINDINGS:").
- HISTORY and CLINICAL ... fold into INDICATION; CONCLUSION/SUMMARY, NOTIFICATION and
  RECOMMENDATION fold into IMPRESSION; EXAMINATION into TECHNIQUE. "FINAL REPORT" and text before
  the first header are kept as ``preamble``, not a section.
- A text with no header at all is treated as the IMPRESSION when it is short (at most three
  sentences or 400 characters: a pasted conclusion such as "No acute cardiopulmonary process.")
  and as FINDINGS otherwise; ``headerless`` is then True, so the checks can say so.
- CRLF and CR become LF before anything else, so both parse the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medrag_core.errors import ReportError
from medrag_core.models import CheckStatus
from medrag_core.reports.mentions import DEVICE_NAMES, Observation, extract_observations, placed_on
from medrag_core.reports.reading import offset_as_read, put_back_letters, read_text
from medrag_core.reports.transport import unwrap_transport
from medrag_core.reports.vocabulary import DEVICE_LABEL, NO_FINDING_LABEL, NON_LATERAL, SECTION_HEADERS, TARGET_RE
from medrag_core.settings import Settings

__all__ = [
    "SECTION_NAMES",
    "Observation",
    "ParsedReport",
    "observation_labels",
    "parse_report",
    "parse_sections",
    "read_report",
    "section_for_header",
    "split_sentences",
]

SECTION_NAMES = ("INDICATION", "COMPARISON", "TECHNIQUE", "FINDINGS", "IMPRESSION")
# The default of MEDRAG_MAX_REPORT_CHARS, for callers without Settings (one number, defined in Settings).
MAX_REPORT_CHARS: int = Settings.model_fields["max_report_chars"].default

# Header names are data (sections.toml): name -> section (None: preamble, no section).
_HEADER_MAP: dict[str, str | None] = SECTION_HEADERS.sections
# Names that make a header on their own at a line start only when written as one ("Report There is ...");
# as prose ("Report of ...", "Comment: ...") they are too common to take from a sentence end.
_LINE_ONLY = SECTION_HEADERS.line_only
_NAMES = "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _HEADER_MAP), key=len, reverse=True))
# (a joined name may carry one qualifying word: "IMPRESSION / RESPONSE ASSESSMENT", "Findings and clinical discussion")
_JOINED = (rf"(?:[a-z]+[ \t]+)?(?:{_NAMES}|plan|recommendations?|advice|discussion|views|comments?|history|changes?|"
           r"category|classification|score|grade)")
# who asked for the study
_REQUESTER = (r"ED|A&E|GP|ward|referr\w*|request\w*|clinicians?|physicians?|doctors?|"
              r"(?:clinical|medical|surgical)[ \t]+team|team|surgeons?|nurse|form|card")
# Markdown marks around a header ("## Findings", "**IMPRESSION:**", "__Comparison__:") are part of the header.
_HEADER_RE = re.compile(
    rf"(?P<lead>^|(?<=[.!?])[ \t]+)[ \t]*(?P<md>#{{1,6}}[ \t]+|\*\*|__)?(?:\d{{1,2}}[.)][ \t]*)?(?P<h>{_NAMES})"
    # two names joined ("Impression/Plan", "Findings/Discussion", "Conclusion and recommendation"): the first names it
    rf"(?:[ \t]*(?:/|&|\band\b)[ \t]*(?:{_JOINED})(?![\w/]))?"
    # a short note in brackets between the name and its colon ("IMPRESSION (summary):", "Addendum (date):")
    rf"(?:[ \t]*\([^()\n]{{1,40}}\)(?=[ \t]*(?::|-|–|—)))?"
    # who gave it, before the colon ("History per the ED physician:", "Clinical details from the request card:")
    rf"(?:[ \t]+(?:per|from|by|according[ \t]+to)[ \t]+(?:the[ \t]+)?(?:{_REQUESTER})(?:[ \t]+[\w-]+)?(?=[ \t]*:))?"
    # ("Impr. ⇒", "IMPRESSION →": an arrow typed for the colon; a full stop after a short form, "Impr.")
    rf"(?:(?:\*\*|__)(?!\w)|(?![\w/]))(?:(?<=impr)\.)?[ \t]*(?P<p>:-|:|--?|–|—|⇒|→)?(?(md)(?:\*\*|__)?)",
    re.IGNORECASE | re.MULTILINE,
)
# A header run into the text with a colon ("... breath findings: the lungs are clear. impression: ..."): speech
# recognition output flattened to one paragraph. Read only where no FINDINGS/IMPRESSION header was found otherwise.
_RUN_ON_HEADER_RE = re.compile(
    rf"(?<![\w/-])(?:(?P<h>{_NAMES})[ \t]*(?P<p>:-|:)|(?-i:(?P<caps>{_NAMES.upper()}))(?=[ \t]+[a-z])"
    # ... or with no colon, typed in a hurry ("Comparison-none Findings-The heart ...", "Comparison None Findings The
    # lungs ...", "indication syncope. findings normal heart size"): taken only in the sections' usual order
    rf"|(?P<bare>{_NAMES})(?:(?P<dash>-|–)(?=[A-Za-z0-9])|(?=[ \t]+(?P<next>[A-Za-z0-9]))))",
    re.IGNORECASE,
)
# words that make a section's name prose ("no acute findings", "the impression of ...")
_NAME_AS_PROSE = re.compile(r"\b(?:no|acute|other|these|those|the|of|any|new|key|additional|cardiopulmonary|"
                            r"significant|similar|imaging|radiographic|my|an|overall|clinical|first|general)[ \t]*$",
                            re.IGNORECASE)
_SECTION_ORDER = {"INDICATION": 0, "COMPARISON": 1, "TECHNIQUE": 1, "FINDINGS": 2, "IMPRESSION": 3}

# Administrative lines before the first header that are not a report body (MIMIC's "FINAL REPORT" block,
# accession lines, dates, the examination name).
_PREAMBLE_ONLY = re.compile(
    r"^(?:(?:final\s+report|wet\s+read|addendum|examination|exam|procedure|accession|date|mrn|name|"
    r"chest\s+(?:x-?ray|radiograph|pa|ap)|pa\s+and\s+lateral|cxr|radiograph|"
    r"(?:xr|x-?ray|dx|cr|skiagram|radiographs?\s+of\s+the)\s+chest|"
    r"chest\s*[:,]\s*(?:pa|ap|frontal|portable|single|one|two|1|2)\b)\b[^\n]*(?:\n+|$))+$",
    re.IGNORECASE,
)
# the paragraphs a letter or an e-mail opens with: a greeting, the request thanked for or repeated, "I have reviewed
# the film" (each a paragraph of its own, up to a blank line)
_LETTER_OPENING = re.compile(
    r"(?:[ \t]*(?:dear\b|to\s+(?:the|my|dr)\b|hi\b|hello\b|subject\s*:|re\s*:|thank|many\s+thanks|thanks\b|"
    r"i\s+have\s+(?:had\s+a\s+look|reviewed|looked)|i[’']ve\s+(?:had\s+a\s+look|reviewed|looked)|had\s+a\s+look)"
    r"[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*(?:\n[ \t]*\n|$))+",
    re.IGNORECASE)


def _preamble_only(preamble: str) -> bool:
    """True when the text before the first header is administrative lines only (``_PREAMBLE_ONLY``): not where a
    line goes on past its title to describe the image ("PA AND LATERAL CHEST: The cardiomediastinal silhouette
    ...", "Chest radiograph, PA and lateral. The heart is ...": an old-style report with only a final header)."""
    if not _PREAMBLE_ONLY.match(preamble):
        return False
    for line in preamble.splitlines():
        title_end = re.search(r"[:.]\s+(?=\S)", line)
        if title_end and _describes_image(line[title_end.end():], min_chars=40, min_anatomy=1):
            return False
    return True


def _describes_image(text: str, *, min_chars: int, min_anatomy: int) -> bool:
    """Whether the text after an examination title goes on to describe the image: long enough and naming anatomy."""
    return len(text) >= min_chars and len(_ANATOMY.findall(text)) >= min_anatomy


_TITLE_LABEL = re.compile(r"\s*([^:.\n]{3,60})[:.]\s+(?=\S)")


def _titled_findings(body: str) -> bool:
    """Whether a text with no headers opens with an examination title ("PA AND LATERAL CHEST:", "Chest radiograph,
    PA and lateral projections.") and then describes the image at some length: a findings body."""
    title = _TITLE_LABEL.match(body)
    if not title or not _PREAMBLE_ONLY.match(title.group(1).strip() + "\n"):
        return False
    return _describes_image(body[title.end():], min_chars=80, min_anatomy=2)


# An examination title in capitals ("PA/LATERAL CHEST", "PORTABLE AP SUPINE"): short, no sentence end, no finding.
_TITLE_LINE = re.compile(r"^[^a-z.!?;]{1,60}$")


# Anatomy a findings body describes; a text before the first header naming none of it (and no finding) is the
# examination's name and technique ("Semi-erect AP portable radiograph.", "Two views of the chest were obtained.")
_ANATOMY = re.compile(
    r"\b(?:lungs?|heart|cardiac|cardio\w*|pleura\w*|mediastin\w*|hil(?:um|ar|a)|diaphragm\w*|costophrenic|"
    r"silhouette|lobes?|zones?|bases?|apex|apices|bony|bones?|osseous|ribs?|spine|aort\w+|trachea|soft\s+tissues?)\b",
    re.IGNORECASE)


def _title_lines(preamble: str) -> bool:
    """True when the text before the first header is an examination title and technique, not a report body:
    each line a capitalised title ("PA/LATERAL CHEST": short, no sentence end), or the whole naming no
    finding and no anatomy."""
    if not TARGET_RE.search(preamble) and not _ANATOMY.search(preamble):
        return True
    return all(_TITLE_LINE.match(line.strip()) and len(line.split()) <= 8 and not TARGET_RE.search(line)
               for line in preamble.splitlines() if line.strip())


_UNDERLINE = re.compile(r"\n[ \t]*(?:-{3,}|={3,}|_{3,}|~{3,})[ \t]*(?=\n|$)")
# A sign-off line: who signed, dictated or verified the report, and when, or the reader's attestation. It ends
# the report, so it and the lines after it are a footer, not the last section's text.
_SIGNATURE = re.compile(
    r"^[ \t]*[*_]*(?:(?:note|n\.b\.|disclaimer)\s*:\s*)?"
    r"(?:this\s+(?:report|study|examination|exam)\s+(?:was|has\s+been|is)\s+|(?:report|study)\s+)?"
    r"(?:(?:electronically\s+)?(?:signed|dictated|reported|verified|transcribed|approved|finali[sz]ed|reviewed|"
    r"read|interpreted|authori[sz]ed|issued|revised|amended)(?:\s+(?:and\s+)?(?:signed|verified|electronically|finali[sz]ed|approved))*"
    r"\s*(?:by\b|on\b|:)|"
    # a drafting tool's note ("Drafted with AI assistance; reviewed by Dr ...")
    r"(?:drafted|generated|prepared|written)\s+(?:with|using|by)\s+(?:the\s+)?(?:help\s+of\s+|aid\s+of\s+)?"
    r"(?:an?\s+)?(?:ai|artificial\s+intelligence|large\s+language\s+model|llm)\b|"
    r"electronically\s+signed\b|signature\s*:|(?:attending|consultant|reporting)\s+radiologist\s*:|"
    r"(?:radiologist|reader)\s*:|(?:reading|reporting|reviewing|referring|requesting|dictating|interpreting|"
    r"signing)\s+(?:physician|radiologist|doctor|staff|clinician|consultant|practitioner)\s*:|"
    r"primary\s+diagnostic\s+code\s*:|[-*=~ \t]*end\s+of\s+report\b|"
    r"this\s+(?:study|examination|exam|report)\s+was\s+(?:interpreted|read|reported)\s+remotely\b|"
    # how and where the report was made, not what the image shows ("Reported via teleradiology.", "Images reviewed on
    # a diagnostic workstation.", "This report is intended for the referring clinician.", "Preliminary overnight
    # report - the final report will be issued by the local department.")
    r"(?:reported|read|interpreted|issued)\s+(?:via|through|remotely|off-?site)\b|"
    r"images?\s+(?:were\s+|was\s+)?(?:reviewed|viewed|read|interpreted)\s+(?:on|at|using|remotely)\b|"
    r"this\s+report\s+is\s+(?:intended|meant)\s+for\b|"
    r"preliminary\s+(?:[a-z]+\s+){0,2}report\b(?=[^\n]*\bfinal\s+report\s+will\b)|"
    r"(?:yours\s+)?sincerely\b|(?:with\s+)?(?:kind|best|warm)\s+regards\b|best\s+wishes\b|cheers\b|"
    r"happy\s+to\s+discuss\b|dr\.?[ \t]+\S+(?:[ \t]+\S+)?[ \t]*\((?:radiology|radiologist|consultant[^)\n]*)\)|"
    # a signature set off by dashes, as in e-mail ("-- ___ / RAD", "-- Dr. Lee, radiologist")
    r"--[ \t]+(?:___|dr\b|[^\n]{0,40}\b(?:rad|radiologist|md|m\.d\.|frcr|do)\b)|"
    r"I\s+have\s+(?:personally\s+)?(?:reviewed|seen)\s+the\s+(?:images|study|examination)\b|"
    # an attestation, a second reader's or an attending's agreement ("Agree with above.", "Reader 2: concordant.")
    r"attestation\s*:|(?:resident|attending|fellow|trainee|registrar)\s*:|rep\s*:|"
    # a typist's initials alone on the last lines ("/jd")
    r"/[a-z]{2,4}[ \t]*$|"
    r"(?:i\s+)?agree(?:s|d)?\s+with\s+(?:the\s+)?(?:above|findings|report|reader|resident|preliminary|trainee)\b|"
    r"(?:second\s+)?reader\s*\d*\s*(?:\([^)\n]{0,40}\))?\s*:\s*(?:agree|concordant|concur|no\s+discrepancy)|"
    r"dr\.?\s+\S+(?:\s+\S+)?,?\s+(?:consultant\s+radiologist|radiologist|M\.?D\.?|FRCR|FRANZCR)\b)",
    re.IGNORECASE | re.MULTILINE,
)
# A dictation disclaimer ("This report was generated with speech recognition software ...") ends the report
# wherever it stands, on its own line or run into the last sentence's.
_DISCLAIMER = re.compile(
    r"(?:^|(?<=[.!?;])[ \t]*|(?<=\s))(?=\S)(?:this\s+(?:report|document|study)\s+(?:was|has\s+been|is)\s+"
    r"(?:generated|dictated|transcribed|created|produced|prepared)\s+(?:with|using|by|via)\s+(?:the\s+(?:aid|help|use)"
    r"\s+of\s+)?(?:\w+\s+)?(?:speech|voice)[- ]recognition|(?:speech|voice)[- ]recognition\s+(?:software|technology|"
    r"system)\s+(?:was|has\s+been|is)\s+used|"
    # a phone's or a mobile reporting app's line ("Sent from my iPhone", "please excuse dictation errors")
    r"sent\s+from\s+(?:my\s+)?(?:mobile|iphone|ipad|android|phone|tablet)\b|"
    r"please\s+excuse\s+(?:any\s+)?(?:dictation|typographical|typing|voice[- ]recognition|transcription|spelling)\s+"
    r"(?:errors?|mistakes?))",
    re.IGNORECASE | re.MULTILINE,
)
# (and the short forms typed for speed: "pl." pleural, "impr." impression)
_ABBREV = re.compile(r"(?:\b(?:dr|vs|approx|e\.g|i\.e|st|mr|mrs|ms|no|fig|cf|etc|pl|impr)\.|\b[A-Z]\.)$",
                     re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\(?\d{1,2}[.)]$")
# a "?" ends a sentence after a word ("Pneumothorax? No."), not where it stands alone as a hedge before a finding
# ("? small left pneumothorax", "right basal opacity ? consolidation")
# (a semicolon before a capital ends an item of a list run on one line: "Granuloma; Heart size normal")
# (and where a hurried hand left out the space: "Normal heart size.No effusion", "congestion.a 14 mm nodule",
# "pneumothorax., Visualized"; a comma typed with the stop goes on in lower case: "No consolidation, effusion,. or
# pneumothorax")
_BOUNDARY = re.compile(r"(?<=[.!])(?<!,\.)\s+|(?<=,\.)\s+(?![\sa-z])|(?<=\S\?)\s+|(?<=;)[ \t]+(?=[A-Z])|\n+"
                       r"|(?<=[A-Za-z]{2}\.)(?=[A-Za-z]{2}|[aA][ \t])|(?<=\.,)\s+")
# speech recognition run without full stops ("No pneumothorax Cardiac size is within normal limits"): a capitalised
# word right after a lower-case one opens a sentence, in a long chunk only, where it is a word reports open sentences
# with (a closed list: a brand, an eponym or a name mid-sentence, "Mediport", "Kerley", "Dr Smith", is not one)
_RUN_ON = re.compile(
    r"(?<=[a-z,])[ \t]+(?<!\bDr )(?=(?:The|There|These|This|Both|No|Normal|Heart|Cardiac|Cardiothoracic|Lungs?|Hila"
    r"|Hilar|Mediastin\w*|Pleural|Bony|Bones|Osseous|Visuali[sz]ed|Trachea|Aort\w*|Pulmonary|Costophrenic|Acute|Mild"
    r"|Moderate|Small|Large|Minor|Interval|Stable|Unchanged|Degenerative|Surgical|Status|Sternotomy|Left|Right"
    r"|Bilateral|Soft|Limited|Low|Lines|Tubes|Temporary|Otherwise|Cardiomegaly|Calcified|Focal|Patchy|Diffuse"
    r"|Increased|Decreased|New|Prior|Previous|Again|Hyperinflat\w*|Emphysema|Atelectasis|Consolidation|Opacit\w*"
    r"|Effusions?|Pneumothorax|Edema|Oedema|Endotracheal|Nasogastric|Interstitial|Unremarkable|Clear|Intact|Free"
    # (an article, not a letter naming a type or grade: "type A dissection")
    r"|(?<!type )(?<!grade )(?<!class )(?<!group )(?<!hepatitis )(?<!vitamin )A(?=[ \t]+[a-z0-9]))\b)")
_RUN_ON_MIN = 60
# a report wrapped by the system that sent it (MIMIC's lines of about 70-80 characters, teletype output) breaks its
# sentences mid-line ("... No\npneumothorax."): such a line break is a space, not a sentence end. A break is a wrap
# where the line before ends without a sentence's or a label's end and either the next line goes on in lower case,
# or the line before is as long as wrapped lines are and the next line opens no list item or label
_WRAP_MIN = 45
_NEXT_CHARACTER = re.compile(r"[ \t]*(\S)")
_WRAPPED_LINE_END = re.compile(r"[^.!?:;\s]\s*$")
# a line that ends on a word no sentence ends on ("THERE IS NO FOCAL\nAIRSPACE OPACITY", "WITHOUT EVIDENCE OF\n")
_OPEN_LINE_END = re.compile(r"\b(?:the|a|an|of|and|or|nor|with|without|no|not|is|are|was|were|in|at|on|to|for|by|"
                            r"from|into|than|there|both|any|focal|pleural|airspace|evidence|signs)[ \t]*$",
                            re.IGNORECASE)
_NEXT_LINE_OPENS_ITEM = re.compile(r"\s*(?:[-*\u2022]\s|\(?\d{1,2}[.)]\s|[A-Z][A-Za-z /&-]{0,30}:)")


def _is_wrap(text: str, start: int, end: int) -> bool:
    """Whether the single line break in ``text[start:end]`` is a soft wrap (``_WRAP_MIN``)."""
    line = text[text.rfind("\n", 0, start) + 1: start]
    following = _NEXT_CHARACTER.match(text, end)
    if not _WRAPPED_LINE_END.search(line) or not following:
        return False
    if following.group(1).islower() or line.rstrip().endswith(","):
        return True
    open_end = _OPEN_LINE_END.search(line)
    if open_end and not (open_end.group().strip().lower() in ("no", "not") and ":" in line):
        return True  # (a row's answer, "Consolidation: Yes No", is no open end)
    return len(line.strip()) >= _WRAP_MIN and not _NEXT_LINE_OPENS_ITEM.match(text, end)


# the typographic ligatures PDF text extraction leaves ("eﬀusion", "inﬁltrate"): each one character for two or three
_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}


def _normalise(text: str) -> str:
    """Line breaks as LF and ligatures as their letters: the text every offset then indexes."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)


def read_report(data: bytes | str, *, max_chars: int = MAX_REPORT_CHARS) -> str:
    """Decode and normalise an uploaded report, or refuse it.

    UTF-8 (a BOM is dropped) with a Latin-1 fallback, so "15°" and "±" in old Windows files survive;
    CRLF and CR become LF. Raises ``ReportError`` with ``code`` ``nul_byte`` (binary data),
    ``empty`` (nothing but whitespace) or ``too_long`` (over ``max_chars``; never truncated).
    """
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise ReportError(
                "The report contains NUL bytes, so it looks like a binary or damaged file rather than text. "
                "Paste the report text or upload a plain-text file.",
                code="nul_byte",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    else:
        text = data.removeprefix("\ufeff")
        if "\x00" in text:
            raise ReportError(
                "The report contains NUL characters, so it looks like binary or damaged data rather than text. "
                "Paste the report text again.",
                code="nul_byte",
            )
    text = _normalise(text)
    if not text.strip():
        raise ReportError("The report is empty. Paste the report text (findings and impression) and try again.",
                          code="empty")
    if len(text) > max_chars:
        raise ReportError(
            f"The report is {len(text):,} characters long, more than the {max_chars:,} allowed. "
            "Check that only one report was pasted, or shorten it to its findings and impression.",
            code="too_long",
        )
    return text


@dataclass
class ParsedReport:
    """A report split into sections, with its observation mentions.

    ``sections`` maps the names in ``SECTION_NAMES`` that the report has to their text, verbatim and
    stripped (an empty section is present with ""); ``observations`` lists mentions in report order.
    ``headerless`` is True when the text had no headers and was filed under one section by rule;
    ``structured`` is True when the sections came as separate fields (``parse_sections``).
    ``footer`` holds sign-off lines cut from the sections ("Dictated by: ...", "Reported by Dr ...").
    ``offsets[name]`` is where ``sections[name]`` starts in ``text`` (so ``Observation.span`` indexes
    ``text``). ``status`` says whether the content checks can run: ``"checked"``, ``"not_a_report"``
    (clinical notes rather than an image report) or ``"sections_not_found"`` (no FINDINGS/IMPRESSION
    headers found, so the sections cannot be compared).
    """

    text: str
    sections: dict[str, str]
    observations: list[Observation] = field(default_factory=list)
    preamble: str = ""
    headerless: bool = False
    structured: bool = False
    offsets: dict[str, int] = field(default_factory=dict)  # where each section's text starts in ``text``
    footer: str = ""  # sign-off lines after the last section ("Electronically signed by ..."), not its text
    footer_spans: list[tuple[int, int]] = field(default_factory=list)  # where ``footer``'s parts are in ``text``
    status: CheckStatus = "checked"
    header_spans: list[tuple[int, int]] = field(default_factory=list)  # each header in ``text``, its marks too
    # ``text`` as read: the same length, with what a sending system or a drafting tool wrapped it in (a transport,
    # RTF, HTML, Markdown, tick boxes) blanked or rewritten (``reading.read_text``); "" when the same as ``text``.
    # Sections and placeholders are read from it; what it blanked is never a template field.
    reading: str = ""
    # where a typing slip's dropped letter was put back ("colapse" read as "collapse"): each an offset into ``text``,
    # which then holds the report with those letters put back, so that one offset indexes ``text`` and ``reading``;
    # ``as_given`` is the report as given (``run_checks`` maps its issues' spans to it). () and "" when none was.
    put_back: tuple[int, ...] = ()
    as_given: str = ""

    def section_observations(self, section: str) -> list[Observation]:
        return [o for o in self.observations if o.section == section]


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; each sentence is ``text[offset:offset + len(sentence)]``.

    Splits at line breaks and after ``.``/``!``/``?`` followed by space, but keeps list markers
    ("1.") and abbreviations ("Dr.", "vs.") with the words that follow them.
    """
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        if m.group().count("\n") == 1 and _is_wrap(text, m.start(), m.end()):
            continue
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    split: list[tuple[int, int]] = []
    for s, e in pieces:
        if e - s < _RUN_ON_MIN:
            split.append((s, e))
            continue
        at = s
        for m in _RUN_ON.finditer(text, s, e):
            split.append((at, m.start()))
            at = m.end()
        split.append((at, e))
    pieces = split
    out: list[tuple[int, str]] = []
    pending: int | None = None
    for s, e in pieces:
        chunk = text[s:e]
        if not chunk.strip():
            continue
        start = s if pending is None else pending
        if (_LIST_MARKER.match(chunk.strip()) or _ABBREV.search(chunk)) and "\n" not in text[e: e + 1]:
            pending = start
            continue
        pending = None
        out.append((start, text[start:e]))
    if pending is not None:
        out.append((pending, text[pending:].rstrip()))
    return out


# the study a clinician's read names before the read itself ("CXR (AP supine, 06:00) -", "Chest X-ray today:")
_STUDY_NAME = re.compile(r"[ \t]*(?:CXR|chest[ \t]+x-?ray|chest[ \t]+radiograph|chest[ \t]+film)\b", re.IGNORECASE)
_STUDY_NOTE = re.compile(r"(?:[ \t]*\([^()\n]{0,60}\))?(?:,?[ \t]*[\w ,]{0,30}?)?[ \t]*(?::|[-–—](?=[ \t]|$))",
                         re.MULTILINE)


_OWN_READ = re.compile(r"\b(?:read|reading|interpretation|today|this\s+morning)\b", re.IGNORECASE)


def _study_read_end(text: str, at: int, *, named: bool) -> int | None:
    """Where a clinician's read starts after a ``study_label`` header ending at ``at``: past the study's name and a
    note on it; None where no colon or dash sets the header off. ``named``: the header's own colon or dash came
    already, so the study's name and note are optional."""
    if named:
        study = _STUDY_NAME.match(text, at)
        if study is None:
            return at
        note = _STUDY_NOTE.match(text, study.end())
        return note.end() if note else study.end()
    note = _STUDY_NOTE.match(text, at)
    return note.end() if note else None


def _typed_in_lower_case(text: str) -> bool:
    """A report typed all in lower case (Open-i's "XXXX" masks aside)."""
    return not re.search(r"[A-Z]", re.sub(r"X{2,}", "", text))


def _find_headers(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, section) for each accepted header."""
    found: list[tuple[int, int, str | None]] = []
    keys: list[str] = []  # each header's name
    lower_case = _typed_in_lower_case(text)
    for m in _HEADER_RE.finditer(text):
        word = m.group("h")
        punct = m.group("p")
        key = re.sub(r"\s+", " ", word.lower())
        line_start = m.group("lead") == ""
        if key in SECTION_HEADERS.capitals_only and not word.isupper():
            continue  # "Additional findings: ..." labels a row of the section it stands in
        eol = text.find("\n", m.end())
        rest_of_line = text[m.end(): eol if eol >= 0 else len(text)]
        if key in SECTION_HEADERS.study_label:
            # a clinician's read: "Imaging: CXR (portable) - ...", "CXR (my read), portable AP:", "CXR today - ..."
            read = _study_read_end(text, m.end() if punct else m.end("h"), named=bool(punct))
            if key == "cxr" and read is not None and not _OWN_READ.search(text, m.end("h"), read):
                read = None  # "CXR - cough and fever", "CXR PA - Chest clinic": the study's title, no read
            if key == "imaging" and not punct:
                read = None  # "Imaging Department MRN: ...": a letterhead
            if line_start and read is not None:
                found.append((m.start(), read, _HEADER_MAP[key]))
                keys.append(key)
            continue
        if line_start:
            ok = bool(punct) or word.isupper() or not rest_of_line.strip()
            if m.group("md") and m.group("md").startswith("#"):
                ok = True  # a Markdown heading ("## Findings") is a header by its mark
            if (ok and not punct and not m.group("md") and rest_of_line.strip() and found
                    and text[found[-1][1]: m.start()].strip() == ""
                    and _HEADER_MAP[key] in {section for _, _, section in found}):
                # "IMPRESSION:\nFINDINGS CONCERNING FOR ...", "## History\nHISTORY OF SMOKING": a bare name
                # right under a header, naming a section already headed, is that header's text
                ok = False
            if not punct and word.isupper() and rest_of_line[:1].islower():
                ok = False  # "FINDINGS suggest ..." inside all-caps prose is not a header
            if key in SECTION_HEADERS.lead_in and not punct:
                # "In summary, ..." opens a letter's conclusion; "Overall heart size ..." is prose
                ok = text[m.end("h"): m.end("h") + 1] == ","
            if not ok and word[:1].isupper() and not word.isupper():
                # title case with no colon, the text on the same line: "Findings There is ..." is a
                # header when a capitalised sentence follows; "History of ..." is prose
                nxt = rest_of_line.lstrip()
                # ... or a numbered list ("Impression 1. No acute ...", "Opinion 1) ...")
                starts = nxt[:1].isupper() or nxt[:1].isdigit()
                ok = (text[m.end("h"): m.end("h") + 1] in (" ", "\t") and starts
                      and key not in SECTION_HEADERS.no_title_case_before_text)
            if not ok and text[m.end("h"): m.end("h") + 1] == "\t" and rest_of_line.strip():
                ok = True  # a tab after the name sets a header off in any case ("Clinical notes<TAB>Cough")
            if (not ok and word.islower() and key not in _LINE_ONLY
                    and key not in SECTION_HEADERS.no_title_case_before_text):
                # typed in lower case with no colon: "impression No acute disease.", or any text after it in a report
                # typed all in lower case ("findings the heart is not enlarged ...")
                nxt = rest_of_line.lstrip()
                ok = text[m.end("h"): m.end("h") + 1] in (" ", "\t") and bool(nxt) and (
                    nxt[0].isupper() or nxt[0].isdigit() or (lower_case and nxt[0].isalpha()))
        else:
            ok = punct == ":" and word[0].isupper() and key not in _LINE_ONLY
            if not ok and punct == "-" and m.end() < len(text) and text[m.end()].isupper() and key not in _LINE_ONLY:
                ok = True  # a dash set straight between name and text after a sentence end: "... None. findings-The"
            if ok and found and found[-1][2] in ("FINDINGS", "IMPRESSION") \
                    and _HEADER_MAP[key] in ("INDICATION", "COMPARISON", "TECHNIQUE"):
                # "... new since November. Technique: PA and lateral, adequate inspiration. No effusion ...": a label
                # run into the findings' paragraph, not the end of the findings
                ok = False
        if ok:
            end = m.end() + (text[m.end(): m.end() + 1] == "," and key in SECTION_HEADERS.lead_in)
            if line_start and not rest_of_line.strip():
                # a header alone on its line may be underlined ("FINDINGS\n--------"): the rule is part of it
                under = _UNDERLINE.match(text, eol) if eol >= 0 else None
                end = under.end() if under else end
            section = _HEADER_MAP[key]
            if key in SECTION_HEADERS.conclusion_after_findings and "FINDINGS" in {f[2] for f in found}:
                section = "IMPRESSION"
            if key == "discussion" and "IMPRESSION" in {f[2] for f in found}:
                section = None  # a discussion after the conclusion ("Discussion: the differential for ... includes")
            found.append((m.start("h") if not line_start else m.start(), end, section))
            keys.append(key)
    # a prose-like name of the conclusion ("Comment:") inside the findings, where an "Impression" or "Conclusion"
    # header comes further on ("FINDINGS:\nComment: The lungs ...\n\nIMPRESSION: ..."): a field's label inside the
    # findings
    kept: list[tuple[int, int, str | None]] = []
    for i, header in enumerate(found):
        if (keys[i] in SECTION_HEADERS.findings_before_conclusion and header[2] == "IMPRESSION"
                and "FINDINGS" not in {h[2] for h in found[:i]}
                and any(found[j][2] == "IMPRESSION" and keys[j] != keys[i] for j in range(i + 1, len(found)))):
            header = (header[0], header[1], "FINDINGS")  # "KEY FINDINGS: ... DIAGNOSIS: ...": the findings' name
        if (kept and keys[i] in _LINE_ONLY and kept[-1][2] == "FINDINGS" and header[2] == "IMPRESSION"
                and any(key.startswith(("impression", "conclusion")) for key in keys[i + 1:])):
            continue
        kept.append(header)
    return kept


def _find_run_on_headers(text: str) -> list[tuple[int, int, str | None]]:
    """Headers run into one paragraph with a colon ("History: cough comparison: none findings: the lungs ...");
    each name at most once, the first section a FINDINGS or IMPRESSION must come after."""
    found: list[tuple[int, int, str | None]] = []
    seen: set[str | None] = set()
    lower_case = _typed_in_lower_case(text)
    rank = -1  # the usual order's place of the last section taken
    for m in _RUN_ON_HEADER_RE.finditer(text):
        key = re.sub(r"\s+", " ", (m.group("h") or m.group("caps") or m.group("bare")).lower())
        section = _HEADER_MAP[key]
        if section in seen or key in _LINE_ONLY:
            continue
        if m.group("bare"):
            word, nxt = m.group("bare"), m.group("next")
            if (section not in _SECTION_ORDER or _SECTION_ORDER[section] <= rank
                    or _NAME_AS_PROSE.search(text, max(0, m.start() - 40), m.start())):
                continue
            if not m.group("dash") and not (nxt.isupper() or nxt.isdigit() or (lower_case and word.islower())):
                continue  # "Findings are consistent with ..." is prose; "Findings The lungs ..." a header
        rank = max(rank, _SECTION_ORDER.get(section, rank))
        seen.add(section)
        found.append((m.start(), m.end(), section))
    return found if {"FINDINGS", "IMPRESSION"} & seen else []


_SIGN_OFF_LINE_REST = 80
_FINAL_HEADER = re.compile(r"[ \t]*(?:#{1,6}[ \t]+|\*\*|__)?(?:final|revised|amended|corrected|updated)\b",
                           re.IGNORECASE)


def _cut_footer(text: str, start: int, stop: int) -> tuple[int, int]:
    """(stop of the section, start of the footer) for ``text[start:stop]``: a sign-off line and what follows
    it, where nothing after it describes the image, is cut from the section (stop == footer start when none)."""
    for m in sorted((*_SIGNATURE.finditer(text, start, stop), *_DISCLAIMER.finditer(text, start, stop)),
                    key=lambda found: found.start()):
        # the rest of a short sign-off line is the signer's ("Electronically signed (chest imaging section).",
        # "Dr ___ (Consultant Thoracic Radiologist)"), not a description of the image
        line_end = text.find("\n", m.end(), stop) % (stop + 1)  # the section's end where no line break follows
        after = line_end if 0 <= line_end - m.end() <= _SIGN_OFF_LINE_REST else m.end()
        if not _IMAGING.search(text, after, stop):
            return m.start(), m.start()
    return stop, stop


# a row of the findings labelled by its side ("RIGHT: Clear. No effusion.", "Left hemithorax: Moderate effusion."), and
# any other row's label, which ends the side's row ("Heart and mediastinum: normal.")
_ROW_LABEL = re.compile(r"(?:^|(?<=[.;])[ \t]+)[ \t]*(?:(?P<side>right|left)(?:[ \t]+(?:hemithorax|lung|side|chest))?"
                        r"|[A-Z][A-Za-z /&]{0,30})[ \t]*(?::|[ \t]-[ \t])", re.IGNORECASE | re.MULTILINE)


# a sentence with a subject of its own ends a side's row: "Left hemithorax: 2 cm nodule. The lungs are otherwise clear."
_OWN_SUBJECT = re.compile(r"\s*(?:the|there|these|this|both|heart|cardiac|cardio\w*|hila|hilar|lungs?|bony|bones|"
                          r"osseous|mediastin\w*|trachea|visuali[sz]ed|soft|aort\w*|pulmonary)\b", re.IGNORECASE)


_SIDE_ROW_HINT = re.compile(r"(?i:right|left)(?:[ \t]+\w+)?[ \t]*(?::|[ \t]-[ \t])")


def _row_sides(body: str) -> list[tuple[int, int, str]]:
    """(start, end, side) of each stretch of ``body`` a side's row label governs: to the next label or line end."""
    rows: list[tuple[int, int, str]] = []
    labels = list(_ROW_LABEL.finditer(body))
    for i, m in enumerate(labels):
        if not m.group("side"):
            continue
        eol = body.find("\n", m.end())
        stop = min(eol if eol >= 0 else len(body), labels[i + 1].start() if i + 1 < len(labels) else len(body))
        rows.append((m.end(), stop, m.group("side").lower()))
    return rows


def _observe(parsed: ParsedReport) -> ParsedReport:
    for name in ("FINDINGS", "IMPRESSION", "INDICATION"):
        body = parsed.sections.get(name, "")
        base = parsed.offsets.get(name, 0)
        sentences = split_sentences(body)
        rows = _row_sides(body) if name == "FINDINGS" and _SIDE_ROW_HINT.search(body) else []
        # a sentence with a subject of its own ends its side's row
        rows = [(a, min([b, *(o for o, s in sentences if a < o < b and _OWN_SUBJECT.match(s))]), side)
                for a, b, side in rows]
        for off, sent in sentences:
            found = extract_observations(sent, name, off, base=base + off)
            at = off + len(sent) - len(sent.lstrip())
            row = next((side for a, b, side in rows if a <= at < b), None)
            if row:
                # a sentence with no side of its own in a side's row is on that side
                found = [placed_on(o, row) if o.laterality is None and o.name not in NON_LATERAL else o
                         for o in found]
            parsed.observations.extend(found)
    parsed.status = _status(parsed)
    return parsed


def _body(text: str, start: int, stop: int) -> tuple[int, str]:
    """(absolute offset, stripped text) of ``text[start:stop]``."""
    raw = text[start:stop]
    if not raw.strip():
        return start, ""  # an empty section "starts" right after its header
    lead = len(raw) - len(raw.lstrip())
    return start + lead, raw.strip()


# Clinical-note wording (case histories such as the COVID-19 collection's) and image-report wording.
_NARRATIVE = re.compile(
    r"\b(?:\d+[- ]?(?:year|yr)s?[- ]old|years?\s+old|admitted|admission|presented|presenting|received|was\s+"
    r"(?:treated|given|started|intubated|discharged|transferred|maintained)|diagnos\w+|medications?|\d+\s*mg\b|"
    r"(?:rt-)?pcr|swab|fever|febrile|dyspn\w+|tachypn\w+|saturation|spo2|symptoms?|hospital\w*|icu|"
    r"laboratory|lymphop\w+|crp|tested|positive\s+for|she|he|her|his|presentation|patients?|treat\w*|initiated|"
    r"therapy|hiv|infection|male|female|man|woman|brother|parents|proved|recover\w*)\b",
    re.IGNORECASE,
)
_STRONG_NARRATIVE = re.compile(r"\b(?:\d+[- ]?(?:year|yr)s?[- ]old|admitted|presented|presentation:|(?:rt-)?pcr|"
                               r"\d+\s*mg\b|newly\s+diagnosed|(?:young|middle-aged|elderly|old)\s+(?:male|female|man|woman))",
                               re.IGNORECASE)
_IMAGING = re.compile(
    r"\b(?:lungs?|heart|cardiac|cardio\w*|pleura\w*|mediastin\w*|hil(?:um|ar|a)|opacit\w+|radiograph\w*|x-?ray|"
    r"chest|thora\w+|diaphragm\w*|costophrenic|silhouette|lobes?|zones?|bases?|apex|apices|consolidat\w+|"
    r"effusions?|bony|osseous|pneumothorax|atelecta\w+|infiltrat\w+|nodul\w+|aort\w+|osseous)\b",
    re.IGNORECASE,
)


def _status(parsed: ParsedReport) -> CheckStatus:
    """Whether the content checks can run on ``parsed`` (see ``ParsedReport``)."""
    body = "\n".join(parsed.sections.get(k, "") for k in ("FINDINGS", "IMPRESSION"))
    narrative = imaging = sentences = 0
    for _, sentence in split_sentences(body):
        sentences += 1
        if _NARRATIVE.search(sentence) and (not _IMAGING.search(sentence) or _STRONG_NARRATIVE.search(sentence)):
            narrative += 1
        elif _IMAGING.search(sentence):
            imaging += 1
    if narrative >= 2 and narrative >= imaging:
        return "not_a_report"
    if parsed.structured:
        return "checked"
    if parsed.headerless and sentences == imaging == 1:
        return "checked"  # one sentence that reads as imaging: a bare impression ("No acute cardiopulmonary process.")
    if parsed.headerless or not ({"FINDINGS", "IMPRESSION"} & set(parsed.sections)):
        return "sections_not_found"
    return "checked"


def section_for_header(header: str) -> str | None:
    """The section a header names ("Impressions" -> "IMPRESSION"; a DICOM SR concept name too), else None."""
    return _HEADER_MAP.get(" ".join(header.lower().replace(":", " ").split()))


def parse_report(text: str) -> ParsedReport:
    """Split free text into sections and find its observation mentions (see the module docstring).

    ``text`` should come from ``read_report``; CR/CRLF are normalised here too, so a caller may
    pass raw text (offsets then index the normalised text, which ``read_report`` returns too).
    """
    typed = _normalise(text)
    # read through its transport (HL7, FHIR, XML, e-mail, PDF ...) too; ``ParsedReport.text`` stays the text as given,
    # with the letters a typing slip dropped put back where the reading put them
    text, put_back = read_text(unwrap_transport(typed))
    given = put_back_letters(typed, text, put_back) if put_back else typed
    reading = text if text != given else ""
    slips = {"put_back": put_back, "as_given": typed if put_back else ""}
    headers = _find_headers(text)
    main = {"FINDINGS", "IMPRESSION"}
    if not main <= {h[2] for h in headers}:
        run_on = _find_run_on_headers(text)
        if main & {h[2] for h in headers} < main & {h[2] for h in run_on}:
            headers = run_on
    sections: dict[str, str] = {}
    offsets: dict[str, int] = {}
    if not headers:
        cut, _ = _cut_footer(text, 0, len(text))
        footers = [(cut, len(text))] if cut < len(text) else []
        off, body = _body(text, 0, cut)
        if _titled_findings(body):
            # "PA AND LATERAL CHEST: The heart ...": the examination's title heads a findings body, and no conclusion
            # follows it (an old-style report whose final header is missing)
            return _observe(ParsedReport(text=given, reading=reading, **slips, sections={"FINDINGS": body},
                                         offsets={"FINDINGS": off}, footer=text[cut:].strip(), footer_spans=footers))
        opening = _LETTER_OPENING.match(body)
        if opening and opening.end() < len(body):
            # a letter with no headers: after its opening, its paragraphs are the read and its last one the
            # conclusion; a letter of one paragraph has written no conclusion
            paragraphs = list(re.finditer(r"\S[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*", body[opening.end():]))
            base = off + opening.end()
            sections, offsets = {}, {}
            last = paragraphs[-1] if len(paragraphs) > 1 else None
            first_end = (paragraphs[-2] if last else paragraphs[-1]).end()
            offsets["FINDINGS"], sections["FINDINGS"] = _body(text, base + paragraphs[0].start(), base + first_end)
            if last:
                offsets["IMPRESSION"], sections["IMPRESSION"] = _body(text, base + last.start(), base + last.end())
            return _observe(ParsedReport(text=given, reading=reading, **slips, sections=sections, offsets=offsets,
                                         preamble=body[:opening.end()].strip(), footer=text[cut:].strip(),
                                         footer_spans=footers))
        short = len(split_sentences(body)) <= 3 or len(body) <= 400
        name = "IMPRESSION" if short else "FINDINGS"
        return _observe(ParsedReport(text=given, reading=reading, **slips, sections={name: body}, offsets={name: off},
                                     headerless=True, footer=text[cut:].strip(), footer_spans=footers))
    off, preamble = _body(text, 0, headers[0][0])
    # a body pasted before the first header with no FINDINGS header of its own ("The heart ... IMPRESSION:")
    loose: tuple[int, str] | None = (off, preamble) if preamble and not _preamble_only(preamble) \
        and not _title_lines(preamble) else None
    pre_parts = [] if loose else [preamble]
    if loose:
        # a letter's opening paragraphs ("Dear colleague, thank you for asking me to look at this film (?infection).")
        # are no findings: the request they repeat is the preamble's
        opening = _LETTER_OPENING.match(loose[1])
        if opening and opening.end() < len(loose[1]):
            pre_parts.append(loose[1][:opening.end()].strip())
            loose = _body(text, loose[0] + opening.end(), loose[0] + len(loose[1]))
            loose = loose if loose[1] else None
    footers: list[str] = []
    for i, (_, end, name) in enumerate(headers):
        stop = headers[i + 1][0] if i + 1 < len(headers) else len(text)
        cut, _ = _cut_footer(text, end, stop)
        if cut < stop:
            footers.append((cut, stop))
            stop = cut
        off, body = _body(text, end, stop)
        if name is None:
            pre_parts.append(body)
            continue
        if name in ("INDICATION", "COMPARISON", "TECHNIQUE") and "\n\n" in body:
            # "INDICATION: cough.\n\nThe heart is ...": the paragraphs after the first are the body
            cut = body.index("\n\n")
            rest_off, rest = _body(text, off + cut, off + len(body))
            if rest and loose is None:
                loose = (rest_off, rest)
                body = body[:cut].rstrip()
        if name == "IMPRESSION" and sections.get(name) and _FINAL_HEADER.match(text, headers[i][0], end):
            # "FINAL IMPRESSION:" after a preliminary one (a resident's, before the attending's final report):
            # the final one is the report's conclusion
            sections[name], offsets[name] = body, off
        elif name in sections and sections[name]:
            sections[name] = f"{sections[name]}\n{body}" if body else sections[name]
        else:
            sections[name], offsets[name] = body, off
    if "FINDINGS" not in sections and loose is not None:
        offsets["FINDINGS"], sections["FINDINGS"] = loose
        sections = {k: sections[k] for k in (*SECTION_NAMES, *sections) if k in sections}
    elif loose is not None:
        pre_parts.insert(0, loose[1])
    preamble = "\n".join(p for p in pre_parts if p)
    return _observe(ParsedReport(text=given, reading=reading, **slips, sections=sections, offsets=offsets,
                                 preamble=preamble, footer="\n".join(text[a:b].strip() for a, b in footers),
                                 footer_spans=footers, header_spans=[(a, b) for a, b, _ in headers]))


def parse_sections(
    findings: str | None = None,
    impression: str | None = None,
    *,
    indication: str | None = None,
    comparison: str | None = None,
    technique: str | None = None,
) -> ParsedReport:
    """Build a ``ParsedReport`` from fields already split (e.g. a JSONL line or a ``Case``).

    A field that is None is absent; "" is present but empty (both count as missing for the checks).
    ``text`` is the fields joined under headers, in report order.
    """
    fields = {"INDICATION": indication, "COMPARISON": comparison, "TECHNIQUE": technique,
              "FINDINGS": findings, "IMPRESSION": impression}
    sections = {k: _normalise(v).strip() for k, v in fields.items() if v is not None}
    parts, offsets, pos = [], {}, 0
    for k, v in sections.items():
        offsets[k] = pos + len(k) + 2
        parts.append(f"{k}: {v}")
        pos += len(parts[-1]) + 2
    typed = "\n\n".join(parts)
    # each field is read as free text is (fields come already out of their transport)
    reading, put_back = read_text(typed)
    text = put_back_letters(typed, reading, put_back) if put_back else typed
    if reading != typed:
        ends = {k: offset_as_read(offsets[k] + len(v) - 1, put_back) + 1 if v else None for k, v in sections.items()}
        offsets = {k: offset_as_read(at, put_back) for k, at in offsets.items()}
        sections = {k: reading[offsets[k]: ends[k]] if ends[k] else "" for k in sections}
    if reading == text:
        reading = ""
    return _observe(ParsedReport(text=text, reading=reading, sections=sections, offsets=offsets, structured=True,
                                 put_back=put_back, as_given=typed if put_back else ""))


def observation_labels(parsed: ParsedReport) -> list[str]:
    """Sorted names of the observations the report affirms ("present"), from FINDINGS and IMPRESSION.

    Devices add "Support Devices"; "No Finding" is given when nothing but devices is present or
    uncertain, as in CheXpert (both labels from ``[labels]`` in findings.toml).
    """
    names: set[str] = set()
    uncertain = False
    for o in parsed.observations:
        if o.section == "INDICATION":
            continue
        if o.polarity == "present":
            names.add(o.name)
            if o.name in DEVICE_NAMES:
                names.add(DEVICE_LABEL)
        elif o.polarity == "uncertain" and o.name not in DEVICE_NAMES:
            uncertain = True
    if not (names - DEVICE_NAMES) and not uncertain:
        names.add(NO_FINDING_LABEL)
    return sorted(names)
