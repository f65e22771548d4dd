"""DICOM decoding for :mod:`medrag_core.imaging.decode`: one CR/DX frame to a float gray image.

Only technical header fields are read (modality, photometric interpretation, size, bits, rescale,
window, transfer syntax). Patient and institution fields are never read, logged or returned, and
pydicom's own warnings (which can quote element values) are silenced while a file is parsed.

Pipeline (PS3.3 C.11): stored values -> modality LUT (RescaleSlope/Intercept or LUT) -> VOI
(first WindowCenter/WindowWidth, or the VOI LUT; without either, the min..max of the modality
values) -> [0, 1] -> inverted for MONOCHROME1, so that 0 is always black.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from medrag_core.errors import ImageDecodeError, MissingDependency
from medrag_core.imaging.dicom_limits import (
    DEFLATED,
    MAX_HEADER_BYTES,
    BoundedInflater,
    bomb_error,
    check_encapsulated,
    decoded_bytes,
    file_meta_end,
    inflate_dataset,
    pixel_data_offset,
)

log = logging.getLogger(__name__)

RADIOGRAPH_MODALITIES = frozenset({"CR", "DX"})
"""Accepted ``Modality`` values; a file without Modality is accepted too."""

_PLUGIN_HINT = {
    "1.2.840.10008.1.2.4.80": "pyjpegls",  # JPEG-LS lossless
    "1.2.840.10008.1.2.4.81": "pyjpegls",  # JPEG-LS near-lossless
}
_DEFAULT_HINT = "pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg pylibjpeg-rle"


class DicomPixels(NamedTuple):
    """What :func:`decode_dicom` returns: ``pixels`` is 2-D float32 in [0, 1], 0 = black."""

    pixels: np.ndarray
    bits_stored: int
    modality_range: tuple[float, float]
    modality: str | None
    photometric: str
    window: tuple[float, float] | None


def _err(message: str, code: str) -> ImageDecodeError:
    return ImageDecodeError(message, code=code)


def decode_dicom(
    data: bytes,
    *,
    check_size: Callable[[int, int], None],
    force: bool = False,
    max_pixel_bytes: int = 100_000_000,
) -> DicomPixels:
    """Decode one DICOM file; ``check_size(width, height)`` runs on the header before any pixel decode.

    ``max_pixel_bytes`` bounds the decoded pixel data (Rows x Columns x Samples x Frames x bytes per
    sample) and everything inflated or decoded on the way (see ``dicom_limits``).
    Raises ``ImageDecodeError`` with code corrupt, not_a_radiograph, multi_frame, no_pixel_data,
    unsupported_compression, truncated, too_large (or whatever ``check_size`` raises).
    """
    try:
        import pydicom
        from pydicom.pixels import apply_modality_lut, get_decoder
    except ImportError as exc:  # pragma: no cover - pydicom is in requirements
        raise MissingDependency("pydicom", "Reading DICOM files") from exc

    with _quiet_pydicom():
        try:
            meta_end, syntax = file_meta_end(data) if data[128:132] == b"DICM" else (0, None)
            if syntax == DEFLATED:
                ds = _read_deflated(data, meta_end, check_size, max_pixel_bytes)
            else:
                ds = pydicom.dcmread(io.BytesIO(data), force=force)
            header = _technical_header(ds)
        except ImageDecodeError:
            raise
        except Exception as exc:
            log.info("DICOM header unreadable (%s)", type(exc).__name__)
            raise _err(
                "The DICOM file is damaged: its header cannot be read. Export the image again from the "
                "PACS or viewer and upload the new file.",
                "corrupt",
            ) from None
        _check_header(header, check_size)

        tsyntax = header["transfer_syntax"]
        if tsyntax is not None and not _decoder_available(get_decoder, tsyntax):
            package = _PLUGIN_HINT.get(str(tsyntax), _DEFAULT_HINT)
            raise _err(
                "This DICOM file is compressed in a format the workbench cannot decode here. Ask your "
                f"administrator to install it (pip install {package}), or export the image uncompressed.",
                "unsupported_compression",
            )
        _check_decoded_size(ds, header, max_pixel_bytes)
        try:
            stored = ds.pixel_array
            values = np.asarray(apply_modality_lut(stored, ds), dtype=np.float64)
        except Exception as exc:
            short = any(w in str(exc).lower() for w in ("length", "less than expected", "truncated"))
            code = "truncated" if short else "corrupt"
            log.info("DICOM pixel data undecodable (%s, %s)", type(exc).__name__, code)
            what = "is cut short" if code == "truncated" else "cannot be decoded"
            raise _err(
                f"The image data in this DICOM file {what}. Export or copy the file again and re-upload it.",
                code,
            ) from None

    if values.ndim != 2:
        raise _err("This DICOM file does not hold one 2-D grayscale image.", "multi_frame")
    if not np.isfinite(values).all():
        raise _err("The DICOM pixel values are invalid (not finite numbers).", "corrupt")
    lo, hi = float(values.min()), float(values.max())
    pixels, window = _apply_voi(values, ds, lo, hi)
    if header["photometric"] == "MONOCHROME1":
        pixels = 1.0 - pixels
    return DicomPixels(
        pixels=np.clip(pixels, 0.0, 1.0).astype(np.float32),
        bits_stored=header["bits_stored"],
        modality_range=(lo, hi),
        modality=header["modality"],
        photometric=header["photometric"],
        window=window,
    )


_IDENTIFYING = (
    "PatientName", "OtherPatientNames", "PatientBirthName", "PatientMotherBirthName", "PatientID",
    "OtherPatientIDs", "IssuerOfPatientID", "AccessionNumber", "StudyID", "InstitutionName", "InstitutionAddress",
    "ReferringPhysicianName", "PerformingPhysicianName", "NameOfPhysiciansReadingStudy", "OperatorsName",
    "RequestingPhysician", "PatientAddress", "PatientTelephoneNumbers",
)  # fmt: skip


def dicom_identifiers(data: bytes) -> tuple[str, ...]:
    """The patient's and institution's identifying header values, to remove from text on this machine.

    For the PHI scrubber only (as known values): never logged, stored, shown or sent. Call it on bytes
    that ``decode_dicom`` accepted (so their size is already bounded). Empty for anything unreadable.
    """
    try:
        import pydicom
    except ImportError:  # pragma: no cover - pydicom is in requirements
        return ()
    with _quiet_pydicom():
        try:
            meta_end, syntax = file_meta_end(data) if data[128:132] == b"DICM" else (0, None)
            if syntax == DEFLATED:  # inflate the header only, never the pixels
                from pydicom.filereader import read_dataset

                inflater = BoundedInflater(data[meta_end:])
                inflater.fill(MAX_HEADER_BYTES)
                prefix = bytes(inflater.out)
                ds = read_dataset(io.BytesIO(prefix[: pixel_data_offset(prefix) or len(prefix)]), False, True)
            else:
                ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=data[128:132] != b"DICM")
        except Exception:
            return ()
        values: list[str] = []
        for keyword in _IDENTIFYING:
            try:
                value = ds.get(keyword)
            except Exception:
                continue
            items = value if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue" else [value]
            values += [str(v).strip() for v in items if v is not None and str(v).strip()]
    return tuple(dict.fromkeys(values))


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextlib.contextmanager
def _quiet_pydicom() -> Iterator[None]:
    """Silence pydicom's warnings and log records (both can quote header values) while parsing."""
    logger, drop = logging.getLogger("pydicom"), _DropAll()
    logger.addFilter(drop)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.removeFilter(drop)


def _technical_header(ds: Any) -> dict[str, Any]:
    """The few technical elements needed; raises ImageDecodeError(corrupt) on a header with none."""
    meta = getattr(ds, "file_meta", None)
    known = ("Modality", "Rows", "Columns", "SOPClassUID", "PixelData")
    if not any(k in ds for k in known):
        raise _err(
            "The file starts like a DICOM file but holds no readable DICOM data. Export it again.",
            "corrupt",
        )
    modality = str(ds.get("Modality") or "").strip().upper() or None
    return {
        "modality": modality,
        "rows": int(ds.get("Rows") or 0),
        "columns": int(ds.get("Columns") or 0),
        "frames": int(ds.get("NumberOfFrames") or 1),
        "samples": int(ds.get("SamplesPerPixel") or 1),
        "photometric": str(ds.get("PhotometricInterpretation") or "MONOCHROME2").strip().upper(),
        "bits_stored": int(ds.get("BitsStored") or ds.get("BitsAllocated") or 16),
        "has_pixels": _has_pixel_bytes(ds),
        "bits_allocated": int(ds.get("BitsAllocated") or 16),
        "transfer_syntax": meta.get("TransferSyntaxUID") if meta is not None else None,
    }


def _has_pixel_bytes(ds: Any) -> bool:
    """A Pixel Data element with at least one byte (an empty element holds no image either)."""
    if "PixelData" not in ds:
        return False
    value = ds["PixelData"].value
    return value is not None and len(value) > 0  # pydicom reads an empty element as None


def _read_deflated(data: bytes, start: int, check_size: Callable[[int, int], None], max_pixel_bytes: int) -> Any:
    """Read a Deflated Explicit VR Little Endian file inflating only what its header allows."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.filereader import read_dataset
    from pydicom.uid import ExplicitVRLittleEndian

    def read_header(prefix: bytes) -> tuple[int, int] | None:
        at = pixel_data_offset(prefix)
        if at is None:
            return None
        partial = read_dataset(io.BytesIO(prefix[:at]), False, True)
        partial.PixelData = b"\x00"  # stands for the element not inflated yet
        header = _technical_header(partial)
        _check_header(header, check_size)
        return at, _declared_bytes(header)

    inflated = inflate_dataset(data, start, read_header=read_header, max_pixel_bytes=max_pixel_bytes)
    ds = read_dataset(io.BytesIO(inflated), False, True)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian  # the inflated dataset is exactly that
    return ds


def _declared_bytes(h: dict[str, Any]) -> int:
    return decoded_bytes(h["rows"], h["columns"], h["samples"], h["frames"], h["bits_allocated"])


def _check_decoded_size(ds: Any, h: dict[str, Any], max_pixel_bytes: int) -> None:
    """Before decoding: the declared size within the limit, and compressed data that cannot outgrow it."""
    if _declared_bytes(h) > max_pixel_bytes:
        raise bomb_error(f"pixel data would take {_declared_bytes(h) / 1e6:.0f} MB, more than the limit allows")
    syntax = str(h["transfer_syntax"] or "")
    if not ds["PixelData"].is_undefined_length:
        return  # native pixel data: exactly the bytes in the file
    from pydicom.encaps import generate_frames

    check_encapsulated(
        syntax,
        generate_frames(ds.PixelData, number_of_frames=1),  # one frame: all fragments, no offset table
        rows=h["rows"],
        columns=h["columns"],
        samples=h["samples"],
        bits_allocated=h["bits_allocated"],
    )


def _check_header(h: dict[str, Any], check_size: Callable[[int, int], None]) -> None:
    if h["modality"] is not None and h["modality"] not in RADIOGRAPH_MODALITIES:
        raise _err(
            f"This DICOM file is a {_safe_code(h['modality'])} study, not a plain radiograph. The workbench checks "
            "chest X-rays (DICOM modality CR or DX): upload the chest X-ray image instead.",
            "not_a_radiograph",
        )
    if h["frames"] > 1:
        raise _err(
            f"This DICOM file holds {h['frames']} frames; the workbench needs one still radiograph. "
            "Export the single image you want to check.",
            "multi_frame",
        )
    if not h["has_pixels"] or h["rows"] <= 0 or h["columns"] <= 0:
        raise _err(
            "This DICOM file has no image in it (no pixel data). Export the image itself, not only "
            "its header, and upload that file.",
            "no_pixel_data",
        )
    if h["samples"] != 1 or h["photometric"] not in ("MONOCHROME1", "MONOCHROME2"):
        raise _err(
            "This DICOM file holds a colour picture, not a grayscale radiograph. Upload the original CR or DX image.",
            "not_a_radiograph",
        )
    check_size(h["columns"], h["rows"])


_KNOWN_MODALITIES = frozenset(
    "CT MR US NM PT MG XA RF SR OT SC DOC PR KO SEG REG RTSTRUCT RTPLAN RTDOSE RTIMAGE OP OPT ES IO PX "
    "XC GM SM BMD ECG EPS HD IVUS".split()
)


def _safe_code(value: str) -> str:
    """A modality code for a message: only a known code, never free text from the header."""
    return value if value in _KNOWN_MODALITIES else "non-radiograph"


def _decoder_available(get_decoder: Callable[[Any], Any], tsyntax: Any) -> bool:
    try:
        return bool(get_decoder(tsyntax).is_available)
    except (NotImplementedError, ValueError, KeyError):
        return False


def _first(value: Any) -> float:
    """First value of a possibly multi-valued DS element."""
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        value = value[0]
    return float(value)


def _apply_voi(values: np.ndarray, ds: Any, lo: float, hi: float) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Map modality values to [0, 1]: window, else VOI LUT, else min..max. Returns (pixels, window)."""
    try:
        center, width = _first(ds.WindowCenter), _first(ds.WindowWidth)
    except Exception:
        center = width = None  # absent or unparsable
    function = str(ds.get("VOILUTFunction") or "LINEAR").strip().upper()
    if center is not None and width is not None and width > 0 and np.isfinite([center, width]).all():
        if function == "SIGMOID":
            out = 1.0 / (1.0 + np.exp(-4.0 * (values - center) / width))
        elif function == "LINEAR_EXACT":
            out = (values - (center - width / 2.0)) / width
        else:  # LINEAR, PS3.3 C.11.2.1.2.1
            width = max(width, 1.0)
            out = (values - (center - 0.5)) / (width - 1.0) + 0.5 if width > 1 else (values > center - 0.5)
        return np.clip(np.asarray(out, dtype=np.float64), 0.0, 1.0), (center, width)
    if "VOILUTSequence" in ds:
        try:
            from pydicom.pixels import apply_voi

            item = ds.VOILUTSequence[0]
            out = np.asarray(apply_voi(values, ds, index=0), dtype=np.float64)
            top = float(2 ** int(item.LUTDescriptor[2]) - 1)
            return np.clip(out / top, 0.0, 1.0), None
        except Exception as exc:
            log.info("VOI LUT unusable (%s); using the data range", type(exc).__name__)
    if hi <= lo:
        return np.zeros_like(values), None
    return (values - lo) / (hi - lo), None
