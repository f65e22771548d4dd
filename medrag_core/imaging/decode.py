"""Decode an uploaded X-ray (PNG, JPEG, DICOM; also TIFF, BMP, WebP, GIF) into one float gray image.

``decode_image`` recognises the format from the bytes, never from the file name, by offering them to
an ordered list of decoders (DICOM, 16-bit grayscale PNG, ordinary raster via Pillow). Every refusal
is an ``ImageDecodeError`` (``UnsupportedImage`` for "not an image") whose ``code`` says why:

=========================  ============================================================================
code                       rule
=========================  ============================================================================
empty                      zero bytes
not_an_image               no decoder takes the bytes, or a raster format other than PNG, JPEG, TIFF,
                           BMP, WebP or GIF (ICO, PSD, PDF, ...)
truncated                  the data ends early (PNG without IEND, JPEG without EOI, short pixel data)
corrupt                    the data is damaged in any other way
too_large                  width x height > ``max_pixels`` (from the header, before decoding), a
                           TIFF tile or strip larger than the image allows, a DICOM whose compressed
                           data would inflate past the limit (see ``dicom``), or Pillow's
                           decompression-bomb check fires
animated                   more than one frame in a raster file (animated GIF/APNG/WebP, multi-page
                           TIFF): refused, never reduced to the first frame
aspect_ratio               long side / short side > ``MAX_ASPECT`` (4.0)
too_small                  a side shorter than ``MIN_SIDE`` (64 px)
multi_frame                DICOM NumberOfFrames > 1
no_pixel_data              DICOM header without Pixel Data
not_a_radiograph           DICOM Modality other than CR/DX (absent is accepted), or a colour DICOM
unsupported_compression    DICOM transfer syntax with no installed decoder (the message names the package)
=========================  ============================================================================

Size rules run in this order: too_large, then too_small when even the long side is under
``MIN_SIDE``, then aspect_ratio, then too_small. Messages are plain words and never quote DICOM
header values; nothing here logs header values or file names.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from medrag_core.errors import ImageDecodeError, UnsupportedImage
from medrag_core.imaging.dicom import decode_dicom
from medrag_core.imaging.raster_checks import (
    PNG_MAGIC,
    declares_more_than,
    has_raster_signature,
    jpeg_complete,
    png_complete,
    raster_bit_depth,
    tiff_blocks_too_large,
)

log = logging.getLogger(__name__)

MIN_SIDE = 64
"""Smallest accepted side in pixels (after any EXIF rotation; the rule is rotation-invariant)."""
MAX_ASPECT = 4.0
"""Largest accepted long-side / short-side ratio."""
ACCEPTED_RASTER = {
    "PNG": "png",
    "JPEG": "jpeg",
    "MPO": "jpeg",
    "TIFF": "tiff",
    "BMP": "bmp",
    "DIB": "bmp",
    "WEBP": "webp",
    "GIF": "gif",
}
"""Pillow formats accepted, and the ``DecodedImage.format`` each gets (MPO is a JPEG with extras).
A still GIF is accepted; an animated one (more than one frame) is refused like any animation."""


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """A decoded radiograph.

    ``pixels``: 2-D float32 array (height, width), values in [0, 1], 0 = black (air dark, bone bright),
    after EXIF orientation, palette / colour / alpha reduction to gray, and for DICOM the modality LUT,
    the VOI window (or the data range) and the MONOCHROME1 inversion. Read-only when made by
    ``decode_image``. 8-bit sources are scaled by 1/255; 16-bit PNGs are stretched from their min to
    their max value (like a viewer's default window).

    Only technical fields are kept: no patient, study or institution identifiers.
    ``modality_range`` is (min, max) after the DICOM modality LUT; ``window`` the (centre, width)
    applied, in modality units; both ``None`` for non-DICOM input.
    """

    pixels: np.ndarray
    format: str
    source_bit_depth: int
    modality_range: tuple[float, float] | None = None
    modality: str | None = None
    photometric: str | None = None
    window: tuple[float, float] | None = None
    exif_orientation: int | None = None

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def __repr__(self) -> str:
        return (
            f"DecodedImage(format={self.format!r}, {self.width}x{self.height}, "
            f"source_bit_depth={self.source_bit_depth}, modality={self.modality!r})"
        )


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``: the cache key for anything computed from an upload."""
    return hashlib.sha256(data).hexdigest()


def check_geometry(width: int, height: int, max_pixels: int) -> None:
    """Raise ``ImageDecodeError`` (too_large, too_small, aspect_ratio) when the size is implausible."""
    if width * height > max_pixels:
        raise ImageDecodeError(
            f"The image is {width} x {height} pixels, more than the {max_pixels / 1e6:g} megapixel limit. "
            "Upload a smaller export of the radiograph.",
            code="too_large",
        )
    short, long = min(width, height), max(width, height)
    if long < MIN_SIDE or short <= 0:
        raise _too_small(width, height)
    if long / short > MAX_ASPECT:
        raise ImageDecodeError(
            f"The image is {width} x {height} pixels, far too narrow to be a radiograph (more than "
            f"{MAX_ASPECT:g}:1). Upload the full radiograph rather than a strip or banner.",
            code="aspect_ratio",
        )
    if short < MIN_SIDE:
        raise _too_small(width, height)


def _too_small(width: int, height: int) -> ImageDecodeError:
    return ImageDecodeError(
        f"The image is only {width} x {height} pixels, too small to be a radiograph (each side needs at "
        f"least {MIN_SIDE} pixels). Upload the full-size image, not a thumbnail or icon.",
        code="too_small",
    )


def decode_image(data: bytes, *, max_pixels: int = 50_000_000, filename: str | None = None) -> DecodedImage:
    """Decode PNG, JPEG, DICOM, TIFF, BMP, WebP or GIF bytes into a :class:`DecodedImage`.

    The result is 2-D float32 in [0, 1], 0 = black.

    The format comes from the content only; ``filename`` merely words the message when the bytes are
    not an image. Size limits are checked from the header before any pixels are decoded. Raises
    ``ImageDecodeError`` / ``UnsupportedImage`` with one of the codes in the module docstring.
    """
    data = bytes(data)
    if not data:
        raise ImageDecodeError("The uploaded file is empty (0 bytes). Choose the image file again.", code="empty")
    for name, accepts, decode in _DECODERS:
        if accepts(data):
            try:
                image = decode(data, max_pixels)
            except UnsupportedImage as exc:
                if exc.code == "not_an_image" and exc.user_message == _not_an_image_message(None):
                    raise UnsupportedImage(_not_an_image_message(filename), code="not_an_image") from None
                raise
            image.pixels.flags.writeable = False
            log.debug("decoded %s image %dx%d via %s", image.format, image.width, image.height, name)
            return image
    raise UnsupportedImage(_not_an_image_message(filename), code="not_an_image")  # pragma: no cover


def _not_an_image_message(filename: str | None) -> str:
    hint = ""
    if filename and "." in filename:
        ext = filename.rsplit(".", 1)[1].lower()
        if ext.isalnum() and len(ext) <= 5:
            hint = f" (whatever its .{ext} name says)"
    return (
        f"The file is not a PNG, JPEG or DICOM image{hint} (TIFF, BMP, WebP and GIF are read too). "
        "Export the radiograph as PNG, JPEG or DICOM and upload that file."
    )


# --- sniffers --------------------------------------------------------------------------------


def _is_dicom(data: bytes) -> bool:
    return data[128:132] == b"DICM"


def _is_raw_dicom(data: bytes) -> bool:
    """A DICOM stream without preamble: starts with a group 0x0002 or 0x0008 tag (little endian)."""
    return len(data) > 8 and data[:2] in (b"\x02\x00", b"\x08\x00") and data[3] == 0


def _is_png16_gray(data: bytes) -> bool:
    return data[:8] == PNG_MAGIC and data[12:16] == b"IHDR" and data[24:26] == b"\x10\x00"


# --- decoders --------------------------------------------------------------------------------


def _decode_dicom(data: bytes, max_pixels: int, *, force: bool = False) -> DecodedImage:
    result = decode_dicom(
        data,
        check_size=lambda w, h: check_geometry(w, h, max_pixels),
        force=force,
        max_pixel_bytes=max_pixels * 4,  # at most 32 bits for each of max_pixels single-sample pixels
    )
    return DecodedImage(
        pixels=result.pixels,
        format="dicom",
        source_bit_depth=result.bits_stored,
        modality_range=result.modality_range,
        modality=result.modality,
        photometric=result.photometric,
        window=result.window,
    )


def _decode_raw_dicom(data: bytes, max_pixels: int) -> DecodedImage:
    try:
        return _decode_dicom(data, max_pixels, force=True)
    except ImageDecodeError as exc:
        if exc.code == "corrupt":  # it only looked like DICOM
            raise UnsupportedImage(_not_an_image_message(None), code="not_an_image") from None
        raise


def _decode_raster(data: bytes, max_pixels: int) -> DecodedImage:
    """PNG, JPEG, TIFF, BMP, WebP or GIF through Pillow, with the bomb, frame, size and completeness
    checks first (all from the header: no pixel is decoded before they pass)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's notes on odd metadata are not the user's business
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = _open(data, max_pixels)
        fmt = ACCEPTED_RASTER[im.format or ""]
        if (fmt == "png" and not png_complete(data)) or (fmt == "jpeg" and not jpeg_complete(data)):
            raise _truncated()
        try:
            im.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_large_bomb() from None
        except Exception as exc:
            truncated = isinstance(exc, EOFError) or "truncated" in str(exc).lower()
            log.info("raster decode failed (%s)", type(exc).__name__)
            if truncated:
                raise _truncated() from None
            raise ImageDecodeError(
                "The image data is damaged and cannot be decoded. Export the image again and re-upload it.",
                code="corrupt",
            ) from None
    orientation = _exif_orientation(im)
    if orientation not in (None, 1):
        try:
            im = ImageOps.exif_transpose(im)
        except Exception as exc:  # unreadable EXIF: keep the stored orientation
            log.info("EXIF orientation not applied (%s)", type(exc).__name__)
    bit_depth = data[24] if fmt == "png" else raster_bit_depth(im)
    return DecodedImage(pixels=_to_gray(im), format=fmt, source_bit_depth=int(bit_depth), exif_orientation=orientation)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Image.open (header only) plus every check that needs no pixel decoding."""
    try:
        im = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_large_bomb() from None
    except Exception as exc:
        log.info("no raster decoder accepts the bytes (%s)", type(exc).__name__)
        if has_raster_signature(data):  # right signature, broken header
            if len(data) < 1024 or declares_more_than(data):
                raise _truncated() from None
            raise ImageDecodeError(
                "The image header is damaged. Export the image again and re-upload it.", code="corrupt"
            ) from None
        raise UnsupportedImage(_not_an_image_message(None), code="not_an_image") from None
    width, height = im.size
    if width * height > max_pixels:
        check_geometry(width, height, max_pixels)
    frames = 1 if im.format == "MPO" else int(getattr(im, "n_frames", 1) or 1)
    if frames > 1:
        raise ImageDecodeError(
            f"The file is an animation or multi-page file of {frames} frames; a radiograph is one still "
            "image. Upload the radiograph as a single PNG, JPEG or DICOM image.",
            code="animated",
        )
    if im.format not in ACCEPTED_RASTER:
        raise UnsupportedImage(
            f"The file is a {im.format} image; the workbench reads PNG, JPEG, DICOM, TIFF, BMP, WebP and "
            "GIF. Save the radiograph as PNG (or export DICOM) and upload that.",
            code="not_an_image",
        )
    check_geometry(width, height, max_pixels)
    if im.format == "TIFF" and tiff_blocks_too_large(im, max_pixels):
        raise _too_large_bomb()
    return im


def _too_large_bomb() -> ImageDecodeError:
    return ImageDecodeError(
        "The image declares far more pixels than a radiograph has (a possible decompression bomb). "
        "Upload an ordinary export of the radiograph.",
        code="too_large",
    )


def _truncated() -> ImageDecodeError:
    return ImageDecodeError(
        "The image file is incomplete: it ends before all its pixels. The upload or copy was probably "
        "cut short; copy the file again and re-upload it.",
        code="truncated",
    )


def _exif_orientation(im: Image.Image) -> int | None:
    try:
        value = im.getexif().get(0x0112)
    except Exception:
        return None
    return int(value) if isinstance(value, int) else None


def _to_gray(im: Image.Image) -> np.ndarray:
    """Any Pillow mode -> 2-D float32 in [0, 1] (palette applied, alpha dropped, colour by luma)."""
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        lo, hi = float(a.min()), float(a.max())
        return ((a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)).astype(np.float32)
    if im.mode in ("P", "PA"):
        im = im.convert("RGBA")
    elif im.mode == "CMYK":
        im = im.convert("RGB")
    if im.mode != "L":
        im = im.convert("L")  # RGB(A)/LA/1/YCbCr -> L by ITU-R 601 luma; alpha dropped
    return np.asarray(im, dtype=np.float32) / 255.0


_DECODERS: tuple[tuple[str, Callable[[bytes], bool], Callable[[bytes, int], DecodedImage]], ...] = (
    ("dicom", _is_dicom, _decode_dicom),
    ("dicom-no-preamble", _is_raw_dicom, _decode_raw_dicom),
    ("png16", _is_png16_gray, _decode_raster),
    ("raster", lambda data: True, _decode_raster),
)
"""Tried in order; the first whose sniffer accepts the bytes decodes them (or raises)."""


# --- display helpers -------------------------------------------------------------------------


def to_display_uint8(img: DecodedImage | np.ndarray, window: tuple[float, float] | None = None) -> np.ndarray:
    """2-D uint8 (0 = black) for previews.

    ``img`` is a DecodedImage or a 2-D float array in [0, 1] (a uint8 array passes through).
    ``window`` = (centre, width) on the [0, 1] scale maps [centre - width/2, centre + width/2] to 0..255.
    """
    a = img.pixels if isinstance(img, DecodedImage) else np.asarray(img)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D gray array, got shape {a.shape}")
    if a.dtype == np.uint8 and window is None:
        return a.copy()
    a = a.astype(np.float32) / (255.0 if a.dtype == np.uint8 else 1.0)
    if window is not None:
        center, width = float(window[0]), max(float(window[1]), 1e-6)
        a = (a - (center - width / 2.0)) / width
    return np.rint(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)


def png_bytes(pixels: np.ndarray, *, max_side: int | None = None) -> bytes:
    """8-bit gray PNG of a 2-D array (float in [0, 1] or uint8), shrunk so neither side exceeds ``max_side``."""
    im = Image.fromarray(to_display_uint8(pixels))
    if max_side is not None and max(im.size) > max_side:
        scale = max_side / max(im.size)
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        im = im.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
