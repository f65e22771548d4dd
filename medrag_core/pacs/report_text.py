"""The report text a study carries: a DICOM Structured Report, or an encapsulated text document.

A Basic/Enhanced/Comprehensive SR's content tree is walked depth first; each TEXT item becomes a
paragraph, headed ``FINDINGS:`` / ``IMPRESSION:`` (and the other report sections) when its concept
name says so, so the workbench's report parser finds the same sections as in a pasted report.
Encapsulated documents give their text when they are plain text or CDA XML; a PDF gives None (no
PDF text extraction here: the page says so and the user pastes the report).

Only report content is read: no patient or institution element is touched.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from typing import TYPE_CHECKING

from medrag_core.reports import section_for_header

if TYPE_CHECKING:
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

log = logging.getLogger(__name__)

_SECTION_BY_LOINC = {"59776-5": "FINDINGS", "19005-8": "IMPRESSION", "121071": "FINDINGS", "121073": "IMPRESSION",
                     "121060": "INDICATION", "55752-0": "INDICATION", "18834-2": "COMPARISON"}
_XML_TAG = re.compile(r"<[^>]+>")
MAX_DEPTH = 16  # SR trees nest a few levels; a deeper one is malformed or hostile


def _concept(item: Dataset) -> tuple[str, str]:
    seq = item.get("ConceptNameCodeSequence")
    if not seq:
        return "", ""
    code = seq[0]
    return str(code.get("CodeValue") or "").strip(), str(code.get("CodeMeaning") or "").strip()


def _walk(items: Sequence | None, section: str | None, out: list[tuple[str | None, str]], depth: int) -> None:
    if depth > MAX_DEPTH or not items:
        return
    for item in items:
        value, meaning = _concept(item)
        heading = _SECTION_BY_LOINC.get(value) or section_for_header(meaning) or section
        if str(item.get("ValueType") or "").upper() == "TEXT":
            text = str(item.get("TextValue") or "").strip()
            if text:
                out.append((heading, text))
        _walk(item.get("ContentSequence"), heading, out, depth + 1)


def sr_text(ds: Dataset) -> str | None:
    """The text of an SR dataset (pydicom ``Dataset``) with section headings, or None when it has none."""
    parts: list[tuple[str | None, str]] = []
    _walk(ds.get("ContentSequence"), None, parts, 0)
    if not parts:
        return None
    lines: list[str] = []
    current: str | None = None
    for heading, text in parts:
        if heading and heading != current:
            lines.append(f"{heading}: {text}")
            current = heading
        else:
            lines.append(text)
    return "\n".join(lines)


def encapsulated_text(ds: Dataset) -> str | None:
    """The text of an Encapsulated Document dataset when it is text or CDA XML, else None (PDF)."""
    mime = str(ds.get("MIMETypeOfEncapsulatedDocument") or "").strip().lower()
    raw = ds.get("EncapsulatedDocument")
    if raw is None or not mime.startswith(("text/", "application/xml", "application/hl7")):
        return None
    data = bytes(raw).rstrip(b"\x00")  # OB values are padded to an even length
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "xml" in mime or "hl7" in mime:
        text = _XML_TAG.sub(" ", text)
    text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


def report_from_dicom(data: bytes) -> str | None:
    """The report text of one DICOM file (SR or encapsulated document), or None when there is none."""
    import pydicom

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except Exception as exc:
        log.info("report object unreadable (%s)", type(exc).__name__)
        return None
    if "EncapsulatedDocument" in ds:
        return encapsulated_text(ds)
    return sr_text(ds)
