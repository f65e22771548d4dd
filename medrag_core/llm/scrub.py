"""Remove identifiers from text before it leaves the machine.

``scrub_phi`` replaces, with bracketed tags:

- names after a title (Dr., Mr., Mrs., Ms., Miss, Prof., Doctor) or after a ``Name:`` label -> ``[NAME]``;
- dates: 03/04/2021, 3-4-21, 2021-03-04 (with an optional time), 20210304, 4 March 2021,
  March 4th, 2021, Mar. 2021 -> ``[DATE]``;
- medical record numbers (MRN, medical record number, patient ID, hospital number) -> ``[ID]``;
- accession numbers (accession, acc #) -> ``[ACCESSION]``;
- phone and fax numbers -> ``[PHONE]``; e-mail addresses -> ``[EMAIL]``; SSN-shaped numbers -> ``[ID]``.

It keeps the Open-i de-identification mask ``XXXX`` (a label followed by ``XXXX`` stays as is) and
leaves clinical numbers alone (sizes such as ``2.5 x 3.1 cm``, vertebral levels, ages). It is a
pattern scrubber, not a guarantee: it lowers the risk, it does not certify de-identification.
"""

from __future__ import annotations

import re

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_NAME_WORD = r"(?:[A-Z](?:[a-z]|['\u2019][A-Z])[A-Za-z'\u2019-]*|[A-Z]\.|[A-Z](?=\s+[A-Z][a-z]))"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_NOT_MASK = r"(?!X{2,}\b)(?=[A-Z-]*\d)"  # not the XXXX mask; has a digit

_RULES: list[tuple[re.Pattern[str], str]] = [
    # e-mail before names and phones.
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "[EMAIL]"),
    # Accession and record numbers: keep the label, replace the value.
    (
        re.compile(
            r"(?i)(\b(?:accession\b|acc\b\.?)(?:\s*(?:number|num|no\.?|#))?\s*[:#]?\s*)"
            + _NOT_MASK
            + r"[A-Z0-9][A-Z0-9-]{2,}"
        ),
        r"\1[ACCESSION]",
    ),
    (
        re.compile(
            r"(?i)(\b(?:MRN|medical\s+record(?:\s+(?:number|num|no\.?|#))?|record\s+(?:number|no\.?|#)|"
            r"patient\s+id|pid|hospital\s+(?:number|no\.?))\s*[:#]?\s*)" + _NOT_MASK + r"[A-Z0-9][A-Z0-9-]{2,}"
        ),
        r"\1[ID]",
    ),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[ID]"),
    # Dates.
    (re.compile(r"\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?\b"), "[DATE]"),
    (re.compile(r"\b\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})\b"), "[DATE]"),
    (re.compile(r"\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b"), "[DATE]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{4}}\b", re.IGNORECASE), "[DATE]"),
    (re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.IGNORECASE), "[DATE]"),
    (re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)\b", re.IGNORECASE), "[DATE]"),
    (re.compile(rf"(?<![\w.])(?:{_MONTHS})\s+(?:19|20)\d{{2}}\b"), "[DATE]"),
    # Phone numbers (after dates so 2021-03-04 is a date).
    (re.compile(r"(?<![\w-])(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b"), "[PHONE]"),
    (re.compile(r"(?<![\w-])\+\d{1,3}(?:[\s.-]?\d{2,4}){2,5}\b"), "[PHONE]"),
    # Names after a title or a label.
    (re.compile(rf"\b((?:Dr|Mr|Mrs|Ms|Prof)\.?\s*|(?:Miss|Doctor)\s+){_NAME}"), r"\1[NAME]"),
    (re.compile(rf"(?i)(\b(?:patient(?:'s)?\s+name|name)\s*:\s*)(?-i:{_NAME})"), r"\1[NAME]"),
]


def scrub_phi(text: str) -> str:
    """Return ``text`` with names, dates, record/accession numbers, phones and e-mails replaced."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
