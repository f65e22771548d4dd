"""The per-case work done in the pipeline's worker pool: decode, resize, thumbnail, labels.

``prepare(item, options)`` is a top-level function of picklable arguments, so it runs in a thread
or a process pool alike. It never raises for a bad case: the result carries an error code instead
(and nothing else about the case), which the pipeline counts and logs with the case id only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from medrag_core.errors import ImageDecodeError, MedragError
from medrag_core.imaging import decode_image, png_bytes, prepare_for_model, sha256_hex
from medrag_core.models import Case

from .sources import SourceItem, is_dicom

THUMBNAIL_SIDE = 256


@dataclass(frozen=True)
class PrepareOptions:
    resize_mode: str = "tf_bilinear"
    image_size: int = 448
    max_pixels: int = 50_000_000
    thumbnail_side: int = THUMBNAIL_SIDE
    model_input: bool = True  # False: no model to feed (ingest without embeddings), skip the resize


@dataclass
class Prepared:
    """A case ready to embed. ``model_input``: 2-D float32 in [0, 1] for ``Embedder.embed_images``
    (already at the model's size in tf_bilinear mode, which the embedder's own resize leaves
    unchanged). ``stored``: the bytes to archive (the original PNG/JPEG; a PNG re-encoding of a
    DICOM's pixels, never its header)."""

    item: SourceItem
    text: str = ""
    labels: list[str] = field(default_factory=list)
    model_input: np.ndarray | None = None
    stored: bytes | None = None
    mime: str | None = None
    sha256: str | None = None
    thumbnail: bytes | None = None
    error: str | None = None


def report_text(item: SourceItem | Case) -> str:
    """What the text embedding encodes: findings then impression (as ``workflow.verify`` queries)."""
    return "\n".join(part for part in (item.findings.strip(), item.impression.strip()) if part)


def sniff_mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


def _labels(item: SourceItem) -> list[str]:
    from medrag_core.reports import observation_labels, parse_report

    text = "\n".join(
        f"{name.upper()}: {value}" for name, value in (("findings", item.findings), ("impression", item.impression))
        if value
    )
    return list(observation_labels(parse_report(text))) if text else []


def prepare(item: SourceItem, options: PrepareOptions) -> Prepared:
    out = Prepared(item=item, text=report_text(item))
    try:
        read = _labels(item)
    except Exception:
        read = []
    out.labels = sorted(set(read) | set(item.labels))
    if not item.has_image:
        return out
    try:
        data = item.image if item.image is not None else item.fetch()  # type: ignore[misc]
    except MedragError as exc:  # the PACS refused or went away: counted like a bad image
        out.error = f"fetch_{exc.code}"
        return out
    except Exception as exc:
        out.error = f"fetch_{type(exc).__name__}"
        return out
    try:
        pixels = decode_image(data, max_pixels=options.max_pixels).pixels
    except ImageDecodeError as exc:
        out.error = f"image_{exc.code}"
        return out
    except Exception as exc:
        out.error = f"image_{type(exc).__name__}"
        return out
    if is_dicom(data):
        out.stored, out.mime = png_bytes(pixels), "image/png"
    else:
        out.stored, out.mime = data, sniff_mime(data)
    out.sha256 = sha256_hex(out.stored)
    out.thumbnail = png_bytes(pixels, max_side=options.thumbnail_side)
    if options.model_input:
        out.model_input = model_input(pixels, options)
    return out


def model_input(pixels: np.ndarray, options: PrepareOptions) -> np.ndarray:
    """Decoded pixels as ``Embedder.embed_images`` takes them (2-D float32 in [0, 1] at the model's size
    in tf_bilinear mode, else the pixels as float32 for the embedder to resize)."""
    if options.resize_mode == "tf_bilinear":
        # The card's resize, done here in the pool; u8/255 maps back to the same u8 in the embedder.
        u8 = prepare_for_model(pixels, "tf_bilinear", options.image_size)[:, :, 0]
        return u8.astype(np.float32) / np.float32(255)
    return np.array(pixels, dtype=np.float32)
