"""The DICOM header of a retrieved image as rows for a local table.

For the radiologist's eyes only: the page shows it in a collapsed panel. It is never logged, stored,
sent to an LLM or returned by the API (``workflow.verify`` uses the pixels only).
"""

from __future__ import annotations

import io
import warnings

MAX_VALUE_CHARS = 200
_SKIPPED_VRS = frozenset({"OB", "OW", "OF", "OD", "OL", "OV", "UN", "SQ"})


def header_rows(data: bytes) -> list[tuple[str, str, str]]:
    """``(tag, name, value)`` for each top-level element but pixel data, binary values and sequences."""
    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=True)
        rows: list[tuple[str, str, str]] = []
        for element in ds:
            if element.VR in _SKIPPED_VRS:
                continue
            value = str(element.value)
            if len(value) > MAX_VALUE_CHARS:
                value = value[:MAX_VALUE_CHARS] + "…"
            rows.append((f"({element.tag.group:04X},{element.tag.element:04X})", element.name, value))
    return rows
