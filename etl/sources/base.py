"""What every source yields: ``SourceItem`` (one searchable image, or one text-only report) or
``BadItem`` (a record that could not be read; counted as an error by the pipeline, never fatal).

Case ids are stable: taken from the source when it has them, else a content hash. Several images of
one study share ``study_id`` and the report; each image is its own item with its own ``case_id``
(``"<study>/<image key>"``), so no image is lost to an id collision.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from medrag_core.errors import SourceError

DICOM_MAGIC_OFFSET = 128
METADATA_VALUE_MAX_CHARS = 2000  # a longer provenance value is cut to this many characters
_METADATA_SCALARS = (str, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One case as read from a source, before decoding and embedding.

    ``image`` holds the encoded bytes exactly as the source has them (PNG, JPEG or a DICOM file),
    or None for a text-only case. DICOM bytes are decoded to pixels by the pipeline; their headers
    are never stored or logged. ``metadata`` is the source's provenance for this item, kept verbatim
    as strings (``Case.metadata``: licence, source URL, source label, ...), never patient identifiers.
    ``labels``: labels the source itself assigns (Open-i's MeSH headings, ``"MeSH: ..."``), stored
    beside the ones the pipeline reads from the report.
    """

    case_id: str
    source: str
    study_id: str | None = None
    findings: str = ""
    impression: str = ""
    indication: str = ""
    comparison: str = ""
    view: str | None = None
    image: bytes | None = field(default=None, repr=False)  # never printed: a DICOM header holds PHI
    metadata: dict[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    # A picklable callable giving the image bytes, for sources that fetch them over the network
    # (``image`` is then None): the pipeline calls it in its worker pool, and only for cases not stored yet.
    fetch: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def has_image(self) -> bool:
        return self.image is not None or self.fetch is not None

    @property
    def has_text(self) -> bool:
        return bool(self.findings.strip() or self.impression.strip())


@dataclass(frozen=True, slots=True)
class BadItem:
    """A record the source could not turn into an item. ``ref`` names it (an id or a file name in the
    source, never report text); ``reason`` is a short code-like phrase."""

    ref: str
    reason: str


SourceRecord = SourceItem | BadItem


class Source(Protocol):
    """A parsed, validated source spec. ``items()`` reads lazily, one record at a time."""

    @property
    def name(self) -> str:
        """The default ``source`` of its cases (rows may carry their own)."""
        ...

    @property
    def key(self) -> str:
        """A canonical spec (absolute paths): the key of this source's ingest progress."""
        ...

    def size_hint(self) -> int | None:
        """About how many records ``items()`` yields, when cheap to know (progress bars only)."""
        ...

    def items(self) -> Iterator[SourceRecord]: ...


def content_id(*parts: bytes | str | None, length: int = 16) -> str:
    """A stable hex id of the given parts (None and "" hash alike)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else (part or b"")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:length]


def shard_of(case_id: str, n: int) -> int:
    """The shard (0..n-1) that owns ``case_id``: a stable hash, the same in every process and run."""
    if n <= 1:
        return 0
    digest = hashlib.blake2b(case_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n


def is_dicom(data: bytes) -> bool:
    return len(data) >= DICOM_MAGIC_OFFSET + 4 and data[DICOM_MAGIC_OFFSET : DICOM_MAGIC_OFFSET + 4] == b"DICM"


def clean_text(value: object) -> str:
    """A text cell with whitespace runs collapsed ('' for None/NaN and a bare 'None' / 'None.')."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split())
    return "" if text.lower().rstrip(".") == "none" else text


def metadata_value(value: object) -> str | None:
    """A scalar cell as a metadata string (verbatim, cut to ``METADATA_VALUE_MAX_CHARS``), or None to
    skip it: None, NaN, blank strings and non-scalars (lists, structs, bytes, images) are not metadata."""
    if not isinstance(value, _METADATA_SCALARS):
        return None
    if isinstance(value, float) and value != value:
        return None
    text = (value if isinstance(value, str) else str(value)).replace("\x00", "")  # jsonb cannot hold NUL
    if not text.strip():
        return None
    return text[:METADATA_VALUE_MAX_CHARS]


def parse_options(raw: str, allowed: Mapping[str, str], kind: str) -> dict[str, str]:
    """``"a=1,b=2"`` -> ``{"a": "1", "b": "2"}``; unknown keys raise ``SourceError`` listing the valid ones."""
    options: dict[str, str] = {}
    for chunk in filter(None, (c.strip() for c in raw.split(","))):
        key, sep, value = chunk.partition("=")
        if not sep or key not in allowed:
            valid = ", ".join(f"{k}= ({v})" for k, v in allowed.items()) or "none"
            raise SourceError(f"Unknown option '{chunk}' for a {kind} source. Valid options: {valid}.")
        options[key] = value
    return options
