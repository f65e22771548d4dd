"""The report text a study carries: a DICOM Structured Report, or an encapsulated text document.

A Basic/Enhanced/Comprehensive SR's content tree is walked depth first; each TEXT item becomes a
paragraph, headed ``FINDINGS:`` / ``IMPRESSION:`` (and the other report sections) when its concept
name says so, so the workbench's report parser finds the same sections as in a pasted report.
Encapsulated documents give their text when they are plain text or CDA XML; a PDF gives None (no
PDF text extraction here: the page says so and the user pastes the report).

Only report content is read: no patient or institution element is touched.

Bounds (a report object is kilobytes; these hold before anything is inflated or decoded past them):

- a **Deflated Explicit VR Little Endian** object is inflated with ``imaging.dicom_limits``'s bounded
  inflater, never past ``MAX_REPORT_OBJECT_BYTES`` (pydicom would inflate all of it first: a 1 MB file
  can hold gigabytes of text);
- an encapsulated text or CDA document over ``MAX_REPORT_OBJECT_BYTES`` is not decoded;
- an SR's text is collected only up to ``MAX_REPORT_TEXT_CHARS``.

Past a bound, or when the deflated data is damaged, ``report_from_dicom`` raises ``ReportObjectError``
(a plain message, no header value); an object pydicom cannot read at all still gives None.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from typing import TYPE_CHECKING

from medrag_core.errors import ImageDecodeError, ReportObjectError
from medrag_core.imaging import DEFLATED, BoundedInflater, file_meta_end
from medrag_core.reports import MAX_REPORT_CHARS, section_for_header

if TYPE_CHECKING:
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

log = logging.getLogger(__name__)

_SECTION_BY_LOINC = {"59776-5": "FINDINGS", "19005-8": "IMPRESSION", "121071": "FINDINGS", "121073": "IMPRESSION",
                     "121060": "INDICATION", "55752-0": "INDICATION", "18834-2": "COMPARISON"}
_XML_TAG = re.compile(r"<[^>]+>")
MAX_DEPTH = 16  # SR trees nest a few levels; a deeper one is malformed or hostile
MAX_REPORT_OBJECT_BYTES = 4 << 20
"""Most bytes a report object's dataset may inflate to (Deflated transfer syntax), and most bytes of an
encapsulated text or CDA document that are decoded. A radiology report SR or CDA is a few kB to a few tens
of kB (the checker reads at most ``MAX_REPORT_CHARS``, 20,000 characters by default); 4 MB leaves room for
verbose CDA markup, many code sequences and a long report in four-byte UTF-8, and still bounds what a
decompression bomb can make the workbench hold to a few MB."""
MAX_REPORT_TEXT_CHARS = 10 * MAX_REPORT_CHARS
"""Most characters of text taken from an SR or document: ten times what the checker reads by default, so a
report somewhat over the checker's limit still reaches the report box (where the checker says it is too long
and the user can shorten it), while an absurd one never becomes a multi-megabyte string in the page or API."""


def _concept(item: Dataset) -> tuple[str, str]:
    seq = item.get("ConceptNameCodeSequence")
    if not seq:
        return "", ""
    code = seq[0]
    return str(code.get("CodeValue") or "").strip(), str(code.get("CodeMeaning") or "").strip()


def _too_much_text() -> ReportObjectError:
    return ReportObjectError(
        f"The study's report object holds more than {MAX_REPORT_TEXT_CHARS:,} characters of text, far more than "
        "any report, so it was not read.",
        code="too_large",
    )


def _walk(items: Sequence | None, section: str | None, out: list[tuple[str | None, str]], depth: int,
          total: list[int]) -> None:
    if depth > MAX_DEPTH or not items:
        return
    for item in items:
        value, meaning = _concept(item)
        heading = _SECTION_BY_LOINC.get(value) or section_for_header(meaning) or section
        if str(item.get("ValueType") or "").upper() == "TEXT":
            text = str(item.get("TextValue") or "").strip()
            if text:
                total[0] += len(text)
                if total[0] > MAX_REPORT_TEXT_CHARS:
                    raise _too_much_text()
                out.append((heading, text))
        _walk(item.get("ContentSequence"), heading, out, depth + 1, total)


def sr_text(ds: Dataset) -> str | None:
    """The text of an SR dataset (pydicom ``Dataset``) with section headings, or None when it has none.

    Raises ``ReportObjectError`` (too_large) once its text passes ``MAX_REPORT_TEXT_CHARS``.
    """
    parts: list[tuple[str | None, str]] = []
    _walk(ds.get("ContentSequence"), None, parts, 0, [0])
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
    """The text of an Encapsulated Document dataset when it is text or CDA XML, else None (PDF).

    Raises ``ReportObjectError`` (too_large) for a document over ``MAX_REPORT_OBJECT_BYTES`` or text over
    ``MAX_REPORT_TEXT_CHARS``, before decoding it.
    """
    mime = str(ds.get("MIMETypeOfEncapsulatedDocument") or "").strip().lower()
    if not mime.startswith(("text/", "application/xml", "application/hl7")):
        return None
    raw = ds.get("EncapsulatedDocument")
    if raw is None:
        return None
    if len(raw) > MAX_REPORT_OBJECT_BYTES:
        raise ReportObjectError(
            f"The study's report document is {len(raw) / 2**20:.1f} MB, more than the "
            f"{MAX_REPORT_OBJECT_BYTES >> 20} MB any report text takes, so it was not read.",
            code="too_large",
        )
    data = bytes(raw).rstrip(b"\x00")  # OB values are padded to an even length
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "xml" in mime or "hl7" in mime:
        text = _XML_TAG.sub(" ", text)
    text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) > MAX_REPORT_TEXT_CHARS:
        raise _too_much_text()
    return text or None


def report_from_dicom(data: bytes) -> str | None:
    """The report text of one DICOM file (SR or encapsulated document), or None when there is none.

    None also when pydicom cannot read the file at all. Raises ``ReportObjectError`` when the object is
    refused by a bound of this module (too_large: a possible decompression bomb, or absurdly long text) or
    its deflated data is damaged (corrupt); the message holds no header value, the log line only the code.
    """
    try:
        with warnings.catch_warnings():  # pydicom warns of odd values as it converts them, in the walk too
            warnings.simplefilter("ignore")
            ds = _read(data)
            if "EncapsulatedDocument" in ds:
                return encapsulated_text(ds)
            return sr_text(ds)
    except ReportObjectError as exc:
        log.info("report object refused (%s)", exc.code)
        raise
    except Exception as exc:  # pydicom reads values lazily: a malformed element may fail only now
        log.info("report object unreadable (%s)", type(exc).__name__)
        return None


def _read(data: bytes) -> Dataset:
    import pydicom

    meta_end, syntax = file_meta_end(data) if data[128:132] == b"DICM" else (0, None)
    if syntax == DEFLATED:
        return _read_deflated(data, meta_end)
    return pydicom.dcmread(io.BytesIO(data), force=True)


def _read_deflated(data: bytes, start: int) -> Dataset:
    """The dataset of a Deflated Explicit VR Little Endian file, inflated never past
    ``MAX_REPORT_OBJECT_BYTES`` (``imaging.dicom_limits.BoundedInflater``, as images are)."""
    from pydicom.filereader import read_dataset

    inflater = BoundedInflater(data[start:])
    try:
        inflater.fill(MAX_REPORT_OBJECT_BYTES + 1)
    except ImageDecodeError:  # zlib refused the stream: its wording is about images, this one is not
        raise _damaged() from None
    if len(inflater.out) > MAX_REPORT_OBJECT_BYTES:
        raise ReportObjectError(
            f"The study's report object inflates to more than {MAX_REPORT_OBJECT_BYTES >> 20} MB, far more than "
            "any report (a possible decompression bomb), so it was not read.",
            code="too_large",
        )
    if not inflater.complete:
        raise _damaged()
    return read_dataset(io.BytesIO(bytes(inflater.out)), False, True)  # Explicit VR Little Endian


def _damaged() -> ReportObjectError:
    return ReportObjectError(
        "The study's report object is damaged: its compressed (deflated) data cannot be inflated, so it was not "
        "read.",
        code="corrupt",
    )
