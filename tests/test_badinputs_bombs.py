"""Decompression bombs the tests make themselves (``tests/fixtures/bombs.py``): every one is refused with
a typed error before its pixels are inflated or decoded, and a subprocess decoding all of them keeps its
peak memory small. The same bombs through the API and the Verify page: tests/test_api_bombs.py.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEG2000Lossless, RLELossless

from medrag_core.errors import ImageDecodeError
from medrag_core.imaging import decode_image
from tests.fixtures.bombs import BOMBS, j2k_frame, write_bombs
from tests.fixtures.images import make_deflated_dicom_bomb, make_dicom, make_encapsulated_dicom, phantom
from tests.fixtures.peak_memory import refusal_growth_mb


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_bombs(tmp_path_factory.mktemp("bombs"))


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_refused_before_decoding(
    name: str, bomb_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bomb_files[name].read_bytes()
    assert len(data) < 40_000_000  # small files, all of them
    monkeypatch.setattr(
        pydicom.dataset.Dataset, "pixel_array", property(lambda self: pytest.fail("pixels were decoded"))
    )
    with pytest.raises(ImageDecodeError) as info:
        decode_image(data)
    assert info.value.code == BOMBS[name][1], info.value.user_message
    assert "Traceback" not in info.value.user_message


def test_valid_counterparts_still_decode() -> None:
    """The same makers at honest sizes give files that decode: the refusals are about size only."""
    reference = decode_image(make_dicom(phantom(512, 512), WindowCenter=2048, WindowWidth=4096)).pixels
    j2k = make_encapsulated_dicom(512, 512, [j2k_frame()], JPEG2000Lossless, WindowCenter=2048, WindowWidth=4096)
    rle = make_dicom(phantom(512, 512), transfer_syntax=RLELossless, WindowCenter=2048, WindowWidth=4096)
    for data in (j2k, rle):
        np.testing.assert_array_equal(decode_image(data).pixels, reference)
    flat = decode_image(make_deflated_dicom_bomb(600, 500))  # zeros, exactly Rows x Columns x 2 bytes
    assert (flat.width, flat.height) == (500, 600) and flat.modality_range == (0.0, 0.0)


def test_deflated_dicom_decodes_like_its_uncompressed_version() -> None:
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    plain = make_dicom(phantom(480, 384), WindowCenter=2048, WindowWidth=4096)
    ds = pydicom.dcmread(io.BytesIO(plain))
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    assert len(buf.getvalue()) < len(plain) // 4
    np.testing.assert_array_equal(decode_image(buf.getvalue()).pixels, decode_image(plain).pixels)


def test_damaged_deflate_stream_is_corrupt() -> None:
    data = bytearray(make_deflated_dicom_bomb(600, 500))
    data[400:420] = b"\xff" * 20
    with pytest.raises(ImageDecodeError) as info:
        decode_image(bytes(data))
    assert info.value.code in ("corrupt", "truncated")


def test_dicom_with_empty_pixel_data_says_there_is_no_image() -> None:
    with pytest.raises(ImageDecodeError) as info:
        decode_image(make_dicom(phantom(256, 256), PixelData=b""))
    assert info.value.code == "no_pixel_data"
    assert "no image" in info.value.user_message


def test_peak_memory_of_a_process_decoding_every_bomb_stays_small(bomb_files: dict[str, Path]) -> None:
    """Each bomb is decoded in its own forked child of one warmed-up process; the growth of the
    child's peak RSS is what refusing it cost. Inflating or decoding any of them costs 400 MB to
    several GB (the deflated one took 1 GiB before this check existed)."""
    folder = next(iter(bomb_files.values())).parent
    growth = refusal_growth_mb(
        folder, imports="from medrag_core.errors import ImageDecodeError\nfrom medrag_core.imaging import "
        "decode_image\nfrom tests.fixtures.images import make_dicom, make_png, phantom",
        warm_up="decode_image(make_dicom(phantom(512, 512)))\ndecode_image(make_png(phantom(512, 512)))",
        call="decode_image", error="ImageDecodeError")
    assert set(growth) == set(BOMBS)
    assert all(isinstance(value, float | int) for value in growth.values()), growth
    assert max(growth.values()) < 64, growth


def test_dicom_identifiers_of_a_deflated_file_inflate_the_header_only() -> None:
    from medrag_core.imaging import dicom_identifiers
    from tests.fixtures.images import FAKE_PHI

    values = dicom_identifiers(make_deflated_dicom_bomb(2_000, 2_000, pixel_bytes=1 << 30))
    assert FAKE_PHI["PatientName"] in values and FAKE_PHI["PatientID"] in values


@pytest.mark.parametrize("name", ["dicom-deflated-1GiB-pixels", "dicom-rle-64x", "tiff-deflate-30000"])
def test_verify_cli_refuses_bombs_with_a_message(name: str, bomb_files: dict[str, Path], tmp_path: Path) -> None:
    """Through ``python -m medrag_core verify``, under a 1 GiB address-space limit: exit 2, the
    message on stderr, no traceback (before the fix the deflated one took more than 1 GiB)."""
    import os
    import resource

    report = tmp_path / "r.txt"
    report.write_text("IMPRESSION: No acute disease.", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDRAG_")}
    env.update(PYTHONPATH=str(Path(__file__).resolve().parents[1]), MEDRAG_DATA_DIR=str(tmp_path / "data"),
               MEDRAG_LLM_BACKEND="offline")

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "medrag_core", "verify", "--image", str(bomb_files[name]), "--report-file", str(report)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, preexec_fn=cap,
    )
    assert done.returncode == 2, done.stderr[-1500:]
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert "decompression bomb" in done.stderr or "megapixel limit" in done.stderr


def test_jpeg_baseline_in_dicom_checked_against_the_header() -> None:
    """JPEG Baseline (Pillow's encoder) in DICOM: a true one decodes; the same stream whose SOF says
    20000 x 20000 behind a 512 x 512 header is refused before the decoder sees it."""
    import struct

    from pydicom.uid import JPEGBaseline8Bit

    from tests.fixtures.images import make_jpeg

    frame = make_jpeg(phantom(512, 512), quality=95)
    tags = {"BitsAllocated": 8, "BitsStored": 8, "HighBit": 7, "WindowCenter": 128, "WindowWidth": 256}
    good = make_encapsulated_dicom(512, 512, [frame], JPEGBaseline8Bit, **tags)
    assert decode_image(good).width == 512
    sof = frame.index(b"\xff\xc0")
    bomb = frame[: sof + 5] + struct.pack(">HH", 20_000, 20_000) + frame[sof + 9 :]
    with pytest.raises(ImageDecodeError) as info:
        decode_image(make_encapsulated_dicom(512, 512, [bomb], JPEGBaseline8Bit, **tags))
    assert info.value.code == "too_large" and "20000 x 20000" in info.value.user_message
