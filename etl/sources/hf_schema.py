"""Rows in the Hugging Face ``mimic-cxr-dataset`` schema -> ``SourceItem``s.

Shared by the parquet and hub sources. Columns: ``image`` (struct{bytes, path} or raw bytes),
``findings``, ``impression``; optional ``case_id`` (or ``study_id``), ``view``, ``indication``,
``comparison``, ``source_dataset`` (becomes the case's ``source``). Every other scalar column
(``label``, ``license``, ``source_url``, ``source_image``, ...) is kept verbatim in the case's
``metadata`` (as a string, at most ``METADATA_VALUE_MAX_CHARS``; empty cells skipped), and so is
``source_dataset`` when a source name overrides it. Non-scalar columns (lists, structs) are dropped.

Ids: a row with a ``case_id`` is one image of study ``case_id``: its id is
``"<case_id>/<12 hex of sha256(image bytes)>"`` (independent of row order, so every shard and every
run agree). A row without one gets a content hash of image and text. Text-only rows keep the
``case_id`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from .base import BadItem, SourceItem, SourceRecord, clean_text, content_id, metadata_value

HF_COLUMNS = ("image", "findings", "impression", "case_id", "study_id", "view", "indication", "comparison",
              "source_dataset")


def image_bytes(cell: object) -> bytes | None:
    """The encoded bytes of an HF ``Image`` cell (undecoded struct, raw bytes), or None."""
    if cell is None:
        return None
    if isinstance(cell, bytes | bytearray | memoryview):
        return bytes(cell) or None
    if isinstance(cell, Mapping):
        data = cell.get("bytes")
        return bytes(data) if data else None
    raise TypeError(f"unexpected image cell of type {type(cell).__name__}")


def row_metadata(row: Mapping[str, object], *, keep_source_dataset: bool = False) -> dict[str, str]:
    """The row's extra scalar columns (those that are not Case fields, never ``image``) as strings."""
    out: dict[str, str] = {}
    for key, cell in row.items():
        if key in HF_COLUMNS and not (keep_source_dataset and key == "source_dataset"):
            continue
        value = metadata_value(cell)
        if value is not None:
            out[str(key)] = value
    return out


def rows_to_items(rows: Iterable[Mapping[str, object]], *, source: str, use_row_source: bool = True,
                  ) -> Iterator[SourceRecord]:
    """One item per row; a row that cannot be read becomes a ``BadItem`` naming its index."""
    for index, row in enumerate(rows):
        try:
            image = image_bytes(row.get("image"))
        except TypeError as exc:
            yield BadItem(f"row {index}", str(exc))
            continue
        findings = clean_text(row.get("findings"))
        impression = clean_text(row.get("impression"))
        study = clean_text(row.get("case_id")) or clean_text(row.get("study_id")) or None
        if image is not None:
            case_id = f"{study}/{content_id(image, length=12)}" if study else content_id(image, findings, impression)
        else:
            case_id = study or content_id(None, findings, impression)
        row_source = clean_text(row.get("source_dataset")) if use_row_source else ""
        yield SourceItem(
            case_id=case_id,
            source=row_source or source,
            study_id=study,
            findings=findings,
            impression=impression,
            indication=clean_text(row.get("indication")),
            comparison=clean_text(row.get("comparison")),
            view=clean_text(row.get("view")) or None,
            image=image,
            metadata=row_metadata(row, keep_source_dataset=not use_row_source),
        )
