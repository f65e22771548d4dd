"""Report text in, sections and observation mentions out.

``read_report`` turns uploaded bytes into clean text (or refuses them with a ``ReportError``);
``parse_report`` reads free text through its transport (``transport``, ``reading``), finds its sections
(``sections``) and the observation mentions in them (``mentions``); ``parse_sections`` does the same for reports
that arrive already split (``findings`` / ``impression`` fields). ``observation_labels`` names the observations a
report affirms (the ETL ``labels`` column). CRLF and CR become LF before anything else, so both parse the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from medrag_core.errors import ReportError
from medrag_core.models import CheckStatus
from medrag_core.reports.mentions import (
    _CACHED_SENTENCE_MAX,
    DEVICE_NAMES,
    Observation,
    extract_observations,
    placed_on,
)
from medrag_core.reports.reading import offset_as_read, put_back_letters, read_text
from medrag_core.reports.sections import IMAGING_WORDS, find_sections
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.transport import unwrap_transport
from medrag_core.reports.vocabulary import DEVICE_LABEL, NO_FINDING_LABEL, NON_LATERAL
from medrag_core.settings import Settings

__all__ = [
    "ParsedReport",
    "observation_labels",
    "parse_report",
    "parse_sections",
    "read_report",
]

# The default of MEDRAG_MAX_REPORT_CHARS, for callers without Settings (one number, defined in Settings).
MAX_REPORT_CHARS: int = Settings.model_fields["max_report_chars"].default

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


# real archives repeat sentences word for word ("No acute cardiopulmonary process."): a sentence up to
# ``mentions._CACHED_SENTENCE_MAX`` is read once


def _sentence_reads_as(sentence: str) -> tuple[bool, bool]:
    """(narrative, imaging): whether one sentence reads as clinical-note wording, else as image-report wording."""
    if len(sentence) > _CACHED_SENTENCE_MAX:
        return _read_sentence(sentence)
    return _read_sentence_kept(sentence)


def _read_sentence(sentence: str) -> tuple[bool, bool]:
    if _NARRATIVE.search(sentence) and (not IMAGING_WORDS.search(sentence) or _STRONG_NARRATIVE.search(sentence)):
        return True, False
    return False, IMAGING_WORDS.search(sentence) is not None


@lru_cache(maxsize=8192)
def _read_sentence_kept(sentence: str) -> tuple[bool, bool]:
    return _read_sentence(sentence)


def _status(parsed: ParsedReport) -> CheckStatus:
    """Whether the content checks can run on ``parsed`` (see ``ParsedReport``)."""
    body = "\n".join(parsed.sections.get(k, "") for k in ("FINDINGS", "IMPRESSION"))
    narrative = imaging = sentences = 0
    for _, sentence in split_sentences(body):
        sentences += 1
        is_narrative, is_imaging = _sentence_reads_as(sentence)
        narrative += is_narrative
        imaging += is_imaging
    if narrative >= 2 and narrative >= imaging:
        return "not_a_report"
    if parsed.structured:
        return "checked"
    if parsed.headerless and sentences == imaging == 1:
        return "checked"  # one sentence that reads as imaging: a bare impression ("No acute cardiopulmonary process.")
    if parsed.headerless or not ({"FINDINGS", "IMPRESSION"} & set(parsed.sections)):
        return "sections_not_found"
    return "checked"


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
    layout = find_sections(text)
    return _observe(ParsedReport(text=given, reading=reading, **slips, sections=layout.sections, offsets=layout.offsets,
                                 preamble=layout.preamble, headerless=layout.headerless, footer=layout.footer,
                                 footer_spans=layout.footer_spans, header_spans=layout.header_spans))


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
