"""Size limits for DICOM pixel data that hold before anything is inflated or decoded.

The decoded size of a single-frame image is known from its header: Rows x Columns x SamplesPerPixel x
NumberOfFrames x BitsAllocated / 8. Every way the pixel data can be smaller in the file than in
memory is bounded here against that figure, so a small upload can never make a decoder allocate
more than the limit allows:

- **Deflated Explicit VR Little Endian** compresses the whole dataset (header and pixels) with
  zlib. pydicom would inflate all of it before reading a single element; instead the stream is
  inflated in bounded steps: first only enough to read the header (at most ``MAX_HEADER_BYTES``),
  then the pixel data up to the size that header declares, never a byte more.
- **RLE Lossless** expands up to 64-fold; each segment's decoded length is counted run by run (no
  output is written) and refused as soon as it passes Rows x Columns.
- **JPEG, JPEG-LS, JPEG 2000 and HTJ2K** code their own image size in the codestream, which a
  decoder trusts; it must equal the DICOM header's Rows, Columns and SamplesPerPixel, and the
  encapsulated data may not exceed twice the raw size (a real encoder never grows data that much).

Nothing here reads or reports patient fields; errors are ``ImageDecodeError`` with plain messages.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable

from medrag_core.errors import ImageDecodeError

DEFLATED = "1.2.840.10008.1.2.1.99"
RLE_LOSSLESS = "1.2.840.10008.1.2.5"
_JPEG_SYNTAXES = frozenset(
    {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"}
)
_JPEG_LS_SYNTAXES = frozenset({"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"})
_J2K_SYNTAXES = frozenset(
    {
        "1.2.840.10008.1.2.4.90",
        "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.92",
        "1.2.840.10008.1.2.4.93",
        "1.2.840.10008.1.2.4.201",
        "1.2.840.10008.1.2.4.202",
        "1.2.840.10008.1.2.4.203",
    }
)
MAX_HEADER_BYTES = 8 << 20
"""Most bytes of non-pixel elements read from a deflated dataset before its pixel data begins."""
_PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"
_CHUNK = 1 << 16


def decoded_bytes(rows: int, columns: int, samples: int, frames: int, bits_allocated: int) -> int:
    """Bytes the decoded pixel data takes, from the header alone."""
    return rows * columns * max(samples, 1) * max(frames, 1) * max(-(-bits_allocated // 8), 1)


def bomb_error(what: str) -> ImageDecodeError:
    return ImageDecodeError(
        f"This DICOM file's {what} (a possible decompression bomb), so it was not decoded. Export the "
        "image again from the PACS or viewer and upload that file.",
        code="too_large",
    )


def _corrupt(what: str) -> ImageDecodeError:
    return ImageDecodeError(
        f"The image data in this DICOM file cannot be decoded: {what}. Export or copy the file again and "
        "re-upload it.",
        code="corrupt",
    )


# --- file meta and the deflated dataset ---------------------------------------------------------


def file_meta_end(data: bytes) -> tuple[int, str | None]:
    """(offset where the dataset starts, transfer syntax UID) for a file with preamble and DICM magic.

    The file meta group is always Explicit VR Little Endian; its elements are walked, not trusted by
    their group length.
    """
    pos, syntax = 132, None
    while pos + 8 <= len(data):
        group, element = struct.unpack("<HH", data[pos : pos + 4])
        if group != 0x0002:
            break
        vr = data[pos + 4 : pos + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV"):
            (length,) = struct.unpack("<I", data[pos + 8 : pos + 12])
            start = pos + 12
        else:
            (length,) = struct.unpack("<H", data[pos + 6 : pos + 8])
            start = pos + 8
        if element == 0x0010:
            syntax = data[start : start + length].rstrip(b"\x00 ").decode("ascii", "replace")
        pos = start + length
    return pos, syntax


class BoundedInflater:
    """Raw-deflate (wbits -15) decompression that never produces more than it is asked for."""

    def __init__(self, compressed: bytes) -> None:
        self._source, self._taken = compressed, 0
        self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.out = bytearray()

    @property
    def finished(self) -> bool:
        return self._inflater.eof or (self._taken >= len(self._source) and not self._inflater.unconsumed_tail)

    @property
    def complete(self) -> bool:
        """The deflate stream reached its final block (a stream cut short is finished, not complete)."""
        return self._inflater.eof

    def fill(self, target: int) -> None:
        """Inflate until ``out`` holds ``target`` bytes or the stream ends."""
        try:
            while len(self.out) < target and not self.finished:
                tail = self._inflater.unconsumed_tail
                if not tail:
                    tail = self._source[self._taken : self._taken + _CHUNK]
                    self._taken += len(tail)
                self.out += self._inflater.decompress(tail, target - len(self.out))
        except zlib.error:
            raise _corrupt("its compressed (deflated) data is damaged") from None


def inflate_dataset(
    data: bytes, start: int, *, read_header: Callable[[bytes], tuple[int, int] | None], max_pixel_bytes: int
) -> bytes:
    """Inflate the deflated dataset that begins at ``start``, within the limits its own header sets.

    ``read_header(inflated_prefix)`` returns ``None`` while the prefix does not yet reach the pixel
    data, else (offset of the Pixel Data element, decoded pixel bytes its header declares); it runs the
    header checks (size, frames, modality) and raises on a refusal, before any pixel is inflated.
    """
    inflater = BoundedInflater(data[start:])
    target, header = _CHUNK, None
    while header is None:
        inflater.fill(target)
        header = read_header(bytes(inflater.out))
        if header is None:
            if inflater.finished:
                return bytes(inflater.out)  # no pixel data at all; the caller says so
            if target >= MAX_HEADER_BYTES:
                raise bomb_error(f"header runs past {MAX_HEADER_BYTES >> 20} MB before its pixel data")
            target = min(target * 4, MAX_HEADER_BYTES)
    pixel_at, declared = header
    if declared > max_pixel_bytes:
        raise bomb_error(f"pixel data would take {declared / 1e6:.0f} MB, more than the limit allows")
    # element header (12 bytes), the pixel bytes, an odd-length pad byte and a small trailer allowance
    allowed = pixel_at + 12 + declared + 1 + _CHUNK
    inflater.fill(allowed + 1)
    if len(inflater.out) > allowed:
        raise bomb_error("compressed data inflates to more than its header declares")
    return bytes(inflater.out)


def pixel_data_offset(prefix: bytes) -> int | None:
    """Offset of the top-level Pixel Data element in an Explicit VR Little Endian dataset, walking
    element by element (sequences of undefined length are skipped item by item); ``None`` when the
    prefix ends first."""
    pos = 0
    while pos + 8 <= len(prefix):
        if prefix[pos : pos + 4] == _PIXEL_DATA_TAG:
            return pos
        vr = prefix[pos + 4 : pos + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV"):
            if pos + 12 > len(prefix):
                return None
            (length,) = struct.unpack("<I", prefix[pos + 8 : pos + 12])
            pos += 12
            if length == 0xFFFFFFFF:
                end = _undefined_length_end(prefix, pos)
                if end is None:
                    return None
                pos = end
                continue
        else:
            (length,) = struct.unpack("<H", prefix[pos + 6 : pos + 8])
            pos += 8
        pos += length
    return None


def _undefined_length_end(prefix: bytes, pos: int) -> int | None:
    """End of a sequence of undefined length: after its (FFFE,E0DD) delimiter, counting nesting."""
    depth = 1
    while depth:
        delimiter = prefix.find(b"\xfe\xff\xdd\xe0\x00\x00\x00\x00", pos)
        opening = prefix.find(b"\xff\xff\xff\xff", pos)
        if delimiter == -1:
            return None
        if opening != -1 and opening < delimiter:
            depth, pos = depth + 1, opening + 4
        else:
            depth, pos = depth - 1, delimiter + 8
    return pos


# --- encapsulated pixel data --------------------------------------------------------------------


def check_encapsulated(
    syntax: str, fragments: Iterable[bytes], *, rows: int, columns: int, samples: int, bits_allocated: int
) -> None:
    """Refuse encapsulated pixel data whose decoding could exceed what the header declares."""
    frame = b"".join(fragments)
    raw = decoded_bytes(rows, columns, samples, 1, bits_allocated)
    if len(frame) > 2 * raw + _CHUNK:
        raise bomb_error("compressed pixel data is larger than any encoder would write")
    if syntax == RLE_LOSSLESS:
        _check_rle(frame, rows * columns, samples * max(-(-bits_allocated // 8), 1))
    elif syntax in _JPEG_SYNTAXES or syntax in _JPEG_LS_SYNTAXES:
        _check_codestream_size(_jpeg_size(frame), rows, columns, samples)
    elif syntax in _J2K_SYNTAXES:
        _check_codestream_size(_j2k_size(frame), rows, columns, samples)


def _check_codestream_size(found: tuple[int, int, int] | None, rows: int, columns: int, samples: int) -> None:
    if found is None:
        raise _corrupt("its compressed image has no readable size")
    width, height, components = found
    if (width, height, components) != (columns, rows, samples):
        if width * height * components > rows * columns * samples:
            raise bomb_error(f"compressed image is {width} x {height} pixels, larger than its header says")
        raise _corrupt("its compressed image does not match the size in its header")


def _check_rle(frame: bytes, segment_length: int, segments: int) -> None:
    """PS3.5 G: a 64-byte header (segment count, 15 offsets), then PackBits segments of one byte plane."""
    if len(frame) < 64:
        raise _corrupt("its RLE data is cut short")
    count, *offsets = struct.unpack("<16I", frame[:64])
    if count != segments:
        raise _corrupt("its RLE data has the wrong number of segments")
    offsets = offsets[:count] + [len(frame)]
    for begin, end in zip(offsets, offsets[1:], strict=False):
        if not 64 <= begin <= end <= len(frame):
            raise _corrupt("its RLE segment table is damaged")
        if _rle_length_exceeds(frame, begin, end, segment_length):
            raise bomb_error("RLE data expands to more pixels than its header declares")


def _rle_length_exceeds(frame: bytes, pos: int, end: int, limit: int) -> bool:
    """Count decoded bytes of one PackBits segment, stopping as soon as they pass ``limit`` (+1 pad)."""
    total, limit = 0, limit + 1
    while pos < end:
        n = frame[pos]
        if n < 128:  # literal run of n + 1 bytes
            total += n + 1
            pos += n + 2
        elif n > 128:  # the next byte repeated 257 - n times
            total += 257 - n
            pos += 2
        else:
            pos += 1
        if total > limit:
            return True
    return False


def _jpeg_size(frame: bytes) -> tuple[int, int, int] | None:
    """(width, height, components) from the first SOF marker of a JPEG or JPEG-LS (SOF55) stream."""
    if frame[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 4 <= len(frame):
        if frame[pos] != 0xFF:
            return None
        marker = frame[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        (length,) = struct.unpack(">H", frame[pos + 2 : pos + 4])
        is_sof = 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)
        if (is_sof or marker == 0xF7) and pos + 10 <= len(frame):
            height, width = struct.unpack(">HH", frame[pos + 5 : pos + 9])
            return width, height, frame[pos + 9]
        if marker == 0xDA:  # start of scan before any frame header
            return None
        pos += 2 + length
    return None


def _j2k_size(frame: bytes) -> tuple[int, int, int] | None:
    """(width, height, components) from the SIZ marker of a JPEG 2000 codestream (or JP2 file)."""
    at = frame.find(b"\xff\x4f\xff\x51")
    if at == -1 or at + 42 > len(frame):
        return None
    xsiz, ysiz, xosiz, yosiz = struct.unpack(">IIII", frame[at + 8 : at + 24])
    (components,) = struct.unpack(">H", frame[at + 40 : at + 42])
    if xsiz <= xosiz or ysiz <= yosiz:
        return None
    return xsiz - xosiz, ysiz - yosiz, components
