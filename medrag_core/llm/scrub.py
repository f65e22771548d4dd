"""Remove identifiers from text before it leaves the machine.

``find_phi(text, known_values)`` returns the spans to remove; ``scrub_phi`` replaces each with a
bracketed tag. Three sources, joined:

1. **Known values**: what the DICOM header says about this patient (PatientName parts, PatientID,
   AccessionNumber, ...), removed wherever they occur, in any case. The header values are used only
   here, on this machine; they are never sent anywhere.
2. **Patterns** for what has a shape: dates (03/14/2021, 3/14/21, 2021-03-14, 14.03.2021, March 14,
   2021, 14 Mar 2021, Mar 2021, 3/14, 03/2021), record numbers after a label (MRN, patient ID, #) and
   any bare number of 6 or more digits, accession numbers, phones, e-mails, ages over 89, street
   addresses with city/state/ZIP, institutions (words before Hospital, Medical Center, Clinic, ...),
   and names in the places names go: after a title (Dr., Mr., Mrs.), a label (Patient:, Name:,
   Dictated by:), "patient", "discussed with", "called to", before ", MD" or "(12345678)".
3. **Name lists** (``phi_names``): philter-lite's first and last names against its list of
   ordinary words, with medical eponyms (Hodgkin, Parkinson, Swan-Ganz, Kerley, ...) protected.

It keeps the Open-i mask ``XXXX`` and clinical numbers (sizes, levels, ages up to 89). The measured
recall per type, and what it does not cover, are in ``docs/privacy.md``: it lowers the risk, it does
not certify de-identification.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from medrag_core.llm.phi_names import EPONYMS, LETTER, UPPER, find_names

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_U, _L = UPPER, LETTER
_NAME_WORD = (
    r"(?!(?:Dr|Mr|Mrs|Ms|Prof|ID|MRN|DOB|ACC|PA|AP|CXR|CT|MD|RN|DO|NP)\b|X{2,})"  # titles, labels, the mask
    rf"(?:[{_U}](?:[{_L}]|['\u2019][{_U}])[{_L}'\u2019-]*|[{_U}]{{2,}}(?:-[{_U}]+)?|[{_U}]\.|[{_U}](?=\s+[{_U}][{_L}]))"
)
_PARTICLE = r"(?:(?:de|del|della|der|den|di|da|du|dos|das|van|von|le|la|al|bin|ibn|y|auch|zu)[ \t]+)"
"""Lower-case parts of names ("de la Rosa", "van der Berg", "Heide-Marie auch Schlauchin")."""
_NAME = (  # names do not run across lines
    rf"{_PARTICLE}{{0,2}}{_NAME_WORD}(?:(?:,?[ \t]+{_PARTICLE}{{0,2}}|[ \t]+){_NAME_WORD}){{0,3}}"
    rf"(?:[ \t]+(?:de|van|von|da|di)\b(?![ \t]+[a-z]))?"
)
_NOT_MASK = r"(?!X{2,}\b)(?=[A-Z-]*\d)"  # not the XXXX mask; has a digit
_SUFFIX = r"(?:Hospital|Medical\s+Center|Med\s+Ctr|Clinic|Health(?:\s+(?:Center|System))?|Infirmary|Institute|Center)"
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Circle|Cir|"
    r"Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Loop|Row|Alley|Plaza|Crescent|Close|Gardens|Walk|Hill|Path|Pike)"
)
TAGS = ("NAME", "DATE", "ID", "ACCESSION", "PHONE", "EMAIL", "AGE", "ADDRESS", "HOSPITAL")


@dataclass(frozen=True, order=True)
class PhiSpan:
    """``text[start:end]`` is an identifier of kind ``kind`` (one of ``TAGS``)."""

    start: int
    end: int
    kind: str


# (pattern, kind): the named group ``v`` (else the whole match) is the identifier; a label before it stays.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "EMAIL"),
    (
        re.compile(
            r"(?i)\b(?:accession\b|acc\b\.?|order)(?:\s*(?:number|num|no\.?|#))?\s*[:#]?\s*(?P<v>"
            + _NOT_MASK
            + r"[A-Z0-9][A-Z0-9-]{2,})"
        ),
        "ACCESSION",
    ),
    (
        re.compile(
            r"(?i)\b(?:MRN|medical\s+record(?:\s+(?:number|num|no\.?|#))?|record\s+(?:number|no\.?|#)|"
            r"patient\s+id|pt\.?\s+id|pid|id\s*#|hospital\s+(?:number|no\.?))\s*[:#]?\s*(?P<v>"
            + _NOT_MASK
            + r"[A-Z0-9][A-Z0-9-]{2,})"
        ),
        "ID",
    ),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "ID"),
    # dates
    (re.compile(r"\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b"), "DATE"),
    (re.compile(r"\b\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})\b"), "DATE"),
    (re.compile(r"\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b"), "DATE"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{4}}\b", re.IGNORECASE), "DATE"),
    (re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE), "DATE"),
    (re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)\b", re.IGNORECASE), "DATE"),
    (re.compile(rf"(?<![\w.])(?:{_MONTHS})\s+(?:19|20)\d{{2}}\b"), "DATE"),
    (re.compile(r"(?<![\w./-])(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}\b"), "DATE"),  # 03/2021
    (  # 3/14, only where a date is expected: a fraction such as 1/2 stays
        re.compile(
            r"(?i)\b(?:on|dated|from|since|seen|until|date|dob:?|birth:?|comparison:?|compared\s+(?:to|with)|prior(?:\s+study)?(?:\s+of)?|"
            r"study\s+of|exam(?:ination)?\s+of|film\s+of)\s+(?P<v>(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))(?![\w/-]|\.\d)"
        ),
        "DATE",
    ),
    # phones (after dates so 2021-03-04 is a date)
    (re.compile(r"(?<![\w-])(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b"), "PHONE"),
    (re.compile(r"(?<![\w-])\+\d{1,3}(?:[\s.-]?\d{2,4}){2,5}\b"), "PHONE"),
    # ages over 89
    (
        re.compile(
            r"(?i)(?:\b(?:age[ds]?|aged)\s*:?\s*(?P<v>(?:9\d|1[0-4]\d))\b|"
            r"\b(?P<w>(?:9\d|1[0-4]\d))(?:\s*|-)(?:years?|yrs?|y)(?:\s*|-)(?:old|o|/o)?\b(?:-old)?|"
            r"\b(?P<u>(?:9\d|1[0-4]\d))\s*(?:yo|y/o|y\.o\.)(?!\w))"
        ),
        "AGE",
    ),
    # addresses: number + street words + suffix, then optional ", City, ST 12345"
    (
        re.compile(
            rf"\b\d{{1,6}}(?:[ \t]+[A-Z][A-Za-z'-]*){{1,4}}[ \t]+{_STREET}\.?"
            r"(?:(?:,?[ \t]+(?:Apt\.?|Suite|Ste\.?|Unit|#)[ \t]*\w+)?(?:,[ \t]*[A-Z][A-Za-z. '-]+){0,2}"
            r"(?:,?[ \t]+[A-Z]{2})?(?:[ \t]+\d{5}(?:-\d{4})?)?)",
        ),
        "ADDRESS",
    ),
    (  # number and words before a unit or before ", City, ST 12345", whatever the street's suffix
        re.compile(
            r"\b\d{1,6}(?:[ \t]+[A-Z][A-Za-z'-]*){1,4}"
            r"(?:,?[ \t]+(?:Apt\.?|Suite|Ste\.?|Unit|#)[ \t]*\w+"
            r"|(?=,[ \t]*[A-Z][A-Za-z. '-]+,[ \t]*[A-Z]{2}[ \t]+\d{5}))"
        ),
        "ADDRESS",
    ),
    (re.compile(r"\b[A-Z][A-Za-z. '-]+,[ \t]*[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b"), "ADDRESS"),
    (
        re.compile(
            r"(?i)\b(?:lives[ \t]+at|resides[ \t]+at|address[ \t]*:?|home[ \t]*:)[ \t]*"
            r"(?P<v>\d{1,6}(?:[ \t]+(?-i:[A-Z])[\w'-]*){1,4})"
        ),
        "ADDRESS",
    ),
    # institutions
    (
        re.compile(
            rf"(?P<v>(?:\b(?:St\.?|Saint)\s+)?(?:\b[A-Z][A-Za-z'\u2019.-]*\s+){{1,4}}{_SUFFIX})\b(?!\s+(?:of|for)\b)"
        ),
        "HOSPITAL",
    ),
    # names where names go
    (re.compile(rf"\b(?:Dr|Mr|Mrs|Ms|Prof|Mx)\.?\s*(?P<v>{_NAME})"), "NAME"),
    (re.compile(rf"\b(?:Miss|Doctor)\s+(?P<v>{_NAME})"), "NAME"),
    (
        re.compile(
            r"(?i)\b(?:patient(?:'s)?\s+name|name|patient|pt|dictated\s+by|signed\s+by|read\s+by|reviewed\s+by|"
            r"attending|resident|referring(?:\s+(?:physician|provider|doctor|md))?|ordering(?:\s+(?:physician|provider))?|"
            r"physician|provider|radiologist|technologist|nurse|rn|cc)\s*:\s*(?P<v>(?-i:" + _NAME + "))"
        ),
        "NAME",
    ),
    (
        re.compile(
            r"(?i)\b(?:in\s+patient|the\s+patient,?|patient|pt\.?|discussed\s+with|called\s+to|spoke\s+(?:with|to)|"
            r"notified|communicated\s+to|conveyed\s+to|paged|informed|relayed\s+to|d/w|images\s+of)\s+"
            r"(?P<v>(?-i:" + _NAME + r"))"
        ),
        "NAME",
    ),
    (re.compile(rf"(?P<v>{_NAME}),?\s+(?:MD|M\.D\.|DO|D\.O\.|RN|NP|PA-C|PA|MBBS|PhD)\b"), "NAME"),
    (re.compile(rf"(?P<v>{_NAME})\s*\(\s*#?\d{{5,}}\s*\)"), "NAME"),
    # bare long numbers (record numbers without a label), not measurements
    (re.compile(r"(?<![\w.,/-])#?\d{6,}(?![\w/-]|[.,]\d|\s*(?:mm|cm|ml|mg|kg|g)\b)"), "ID"),
]
_NOT_A_NAME = frozenset(
    "the a an and or of no not with without is are was were has had this that there these those his her "
    "patient findings impression indication comparison history chest lungs heart left right normal stable".split()
)


def find_phi(text: str, known_values: Iterable[str] = ()) -> list[PhiSpan]:
    """Spans of ``text`` to remove, sorted and non-overlapping (see the module docstring)."""
    spans: list[PhiSpan] = []
    for value in _known_words(known_values):
        for m in re.finditer(rf"(?<![\w]){re.escape(value)}(?![\w])", text, re.IGNORECASE):
            spans.append(PhiSpan(m.start(), m.end(), "ID" if any(c.isdigit() for c in value) else "NAME"))
    for pattern, kind in _RULES:
        for m in pattern.finditer(text):
            group = next((g for g in ("v", "w", "u") if g in pattern.groupindex and m.group(g)), None)
            start, end = m.span(group) if group else m.span()
            if kind == "NAME":
                start, end = _trim_name(text, start, end)
                if start >= end:
                    continue
            spans.append(PhiSpan(start, end, kind))
    spans += [PhiSpan(s, e, "NAME") for s, e in find_names(text)]
    spans += _repeats_of_names(text, _merge(text, spans))
    return _merge(text, spans)


def _repeats_of_names(text: str, spans: list[PhiSpan]) -> list[PhiSpan]:
    """A name found once (say in a labelled header line) is removed wherever else it is written with
    a capital: "Patient name: Baldwin, Pauric ... Pauric has a history of smoking"."""
    words = {
        w
        for span in spans
        if span.kind == "NAME"
        for w in re.split(r"[\s,.]+", text[span.start : span.end])
        if len(w) >= 2 and w.lower() not in EPONYMS and w.lower() not in _NOT_A_NAME and not w.isdigit()
    }
    found = []
    for word in words:
        for m in re.finditer(rf"(?<![{LETTER}]){re.escape(word)}(?![{LETTER}])", text, re.IGNORECASE):
            if m.group()[0].isupper():
                found.append(PhiSpan(m.start(), m.end(), "NAME"))
    return found


def scrub_phi(text: str, known_values: Iterable[str] = ()) -> str:
    """``text`` with every identifier replaced by its tag: ``[NAME]``, ``[DATE]``, ``[ID]``, ..."""
    out, pos = [], 0
    for span in find_phi(text, known_values):
        out += [text[pos : span.start], f"[{span.kind}]"]
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def _known_words(values: Iterable[str]) -> list[str]:
    """DICOM values as words to remove: a PersonName ``LAST^FIRST^MIDDLE`` gives each part (2+ letters)."""
    words: set[str] = set()
    for value in values:
        value = str(value or "").strip()
        if not value or value.upper().startswith("XXXX"):
            continue
        words.add(value.replace("^", " ").strip())
        for part in re.split(r"[\^\s,]+", value):
            if len(part) >= 2 and part.lower() not in _NOT_A_NAME and part.lower() not in EPONYMS:
                words.add(part)
    return sorted((w for w in words if w), key=len, reverse=True)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop ordinary words a name pattern swallowed at its edges ("John Smith The" -> "John Smith")."""
    words = list(re.finditer(r"\S+", text[start:end]))

    def ordinary(word: str) -> bool:
        w = word.strip(",.").lower()
        return w in _NOT_A_NAME | _SECTION

    while len(words) > 1 and ordinary(words[-1].group()):  # the first word after a title or label stays
        words.pop()
    while words and words[0].group().strip(",.").lower() in _NOT_A_NAME | _SECTION:
        words.pop(0)
    if not words:
        return start, start
    s, e = start + words[0].start(), start + words[-1].end()
    while e > s and text[e - 1] in ",":
        e -= 1
    return s, e


_SECTION = frozenset("findings impression indication comparison technique views exam report".split())


def _merge(text: str, spans: list[PhiSpan]) -> list[PhiSpan]:
    """Sorted, overlapping spans joined (the first-found kind wins); eponyms never removed alone."""
    merged: list[PhiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        word = text[span.start : span.end].strip(" ,.").lower()
        parts = word.replace("-", " ").split()
        if parts and all(w in EPONYMS for w in parts):
            if span.kind == "NAME" and not _after_title(text, span.start):
                continue
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = PhiSpan(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return merged


def _after_title(text: str, start: int) -> bool:
    return re.search(r"\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s*$|(?i:patient|name)\s*:\s*$", text[:start]) is not None
