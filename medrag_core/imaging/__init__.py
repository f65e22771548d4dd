"""Decode an uploaded X-ray (PNG, JPEG, DICOM) into one gray image, and preprocess it for the model."""

from medrag_core.imaging.decode import (
    MAX_ASPECT,
    MIN_SIDE,
    DecodedImage,
    check_geometry,
    decode_image,
    png_bytes,
    sha256_hex,
    to_display_uint8,
)
from medrag_core.imaging.dicom import dicom_identifiers
from medrag_core.imaging.dicom_limits import DEFLATED, BoundedInflater, file_meta_end
from medrag_core.imaging.preprocess import (
    RESIZE_MODES,
    ResizeMode,
    pad_to_square,
    prepare_for_model,
    tf_bilinear_resize,
    to_uint8,
)

__all__ = [
    "DEFLATED",
    "BoundedInflater",
    "DecodedImage",
    "MAX_ASPECT",
    "MIN_SIDE",
    "RESIZE_MODES",
    "ResizeMode",
    "check_geometry",
    "decode_image",
    "dicom_identifiers",
    "file_meta_end",
    "pad_to_square",
    "png_bytes",
    "prepare_for_model",
    "sha256_hex",
    "tf_bilinear_resize",
    "to_display_uint8",
    "to_uint8",
]
