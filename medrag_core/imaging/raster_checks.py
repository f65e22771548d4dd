"""Container checks for raster uploads that need no pixel decoding: signatures, completeness, and
the block sizes a TIFF declares (its decoder allocates one tile or strip at a time from them)."""

from __future__ import annotations

import struct

from PIL import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


_TIFF_TILE_WIDTH, _TIFF_TILE_LENGTH, _TIFF_ROWS_PER_STRIP = 322, 323, 278


def tiff_blocks_too_large(im: Image.Image, max_pixels: int) -> bool:
    """A TIFF's decoder allocates one tile or strip at a time from the sizes its tags declare, which
    need not match the image size: refuse tiles or strips larger than the image could need."""
    tags = getattr(im, "tag_v2", {})
    width, height = im.size
    tile_w, tile_h = int(tags.get(_TIFF_TILE_WIDTH, 0) or 0), int(tags.get(_TIFF_TILE_LENGTH, 0) or 0)
    if tile_w or tile_h:
        # tiles are multiples of 16 and may overhang the image by less than one tile
        return tile_w * tile_h > max_pixels or tile_w > width + 1024 or tile_h > height + 1024
    rows = int(tags.get(_TIFF_ROWS_PER_STRIP, 0) or 0)
    return rows > height and rows * width > max_pixels


def has_raster_signature(data: bytes) -> bool:
    """The bytes start like one of the accepted raster formats (so a failure is damage, not a wrong type)."""
    return (
        data[:8] == PNG_MAGIC
        or data[:3] == b"\xff\xd8\xff"
        or data[:4] in (b"II*\x00", b"MM\x00*", b"GIF8")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
        or data[:2] == b"BM"
    )


def declares_more_than(data: bytes) -> bool:
    """True when the header points past the end of the data (a TIFF's first IFD, a RIFF's or BMP's size)."""
    if data[:4] == b"II*\x00":
        return struct.unpack("<I", data[4:8])[0] >= len(data)
    if data[:4] == b"MM\x00*":
        return struct.unpack(">I", data[4:8])[0] >= len(data)
    if data[:4] == b"RIFF":
        return struct.unpack("<I", data[4:8])[0] + 8 > len(data)
    if data[:2] == b"BM" and len(data) >= 6:
        return struct.unpack("<I", data[2:6])[0] > len(data)
    return False


def png_complete(data: bytes) -> bool:
    """Walk the PNG chunks: True when an IEND chunk is reached inside the data."""
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IEND":
            return True
        pos += 12 + length
    return False


def jpeg_complete(data: bytes) -> bool:
    """An EOI marker follows the last start-of-scan (markers cannot occur inside scan data)."""
    sos = data.rfind(b"\xff\xda")
    return sos != -1 and data.find(b"\xff\xd9", sos) != -1


def raster_bit_depth(im: Image.Image) -> int:
    """Bits per sample in the file: TIFF's BitsPerSample tag, else Pillow's ``bits`` (8 by default)."""
    if im.format == "TIFF":
        value = getattr(im, "tag_v2", {}).get(258)
        if isinstance(value, tuple):
            value = value[0] if value else None
        if isinstance(value, int) and 0 < value <= 64:
            return value
    return int(getattr(im, "bits", 8) or 8)
