"""medrag_core.imaging.decode: every accepted format decodes to the right gray picture; every refusal is typed."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import tracemalloc
import warnings

import numpy as np
import pytest
from PIL import Image, ImageFile

from medrag_core.errors import ImageDecodeError, UnsupportedImage
from medrag_core.imaging import (
    MAX_ASPECT,
    MIN_SIDE,
    DecodedImage,
    check_geometry,
    decode_image,
    png_bytes,
    sha256_hex,
    to_display_uint8,
)
from medrag_core.imaging import decode as imaging
from tests.fixtures.images import (
    FAKE_PHI,
    assert_min_is_black,
    bright_marker_quadrant,
    make_animated,
    make_bmp_bomb,
    make_dicom,
    make_gif_bomb,
    make_jpeg,
    make_png,
    make_png_bomb,
    make_tiff_bomb,
    make_webp_bomb,
    phantom,
    to_uint8,
)


def refused(data: bytes, code: str, **kwargs) -> ImageDecodeError:
    with pytest.raises(ImageDecodeError) as info:
        decode_image(data, **kwargs)
    assert info.value.code == code, info.value.user_message
    assert info.value.user_message and "Traceback" not in info.value.user_message
    return info.value


def check_decoded(img: DecodedImage, width: int, height: int) -> None:
    assert isinstance(img, DecodedImage)
    assert img.pixels.ndim == 2 and img.pixels.dtype == np.float32
    assert (img.width, img.height) == (width, height) == (img.pixels.shape[1], img.pixels.shape[0])
    assert 0.0 <= float(img.pixels.min()) and float(img.pixels.max()) <= 1.0
    assert not img.pixels.flags.writeable


# --- raster formats ----------------------------------------------------------------------------


def test_gray8_png_is_scaled_by_255(gray8_png):
    img = decode_image(gray8_png)
    check_decoded(img, 384, 480)
    assert img.format == "png" and img.source_bit_depth == 8 and img.modality_range is None
    np.testing.assert_allclose(img.pixels, to_uint8(phantom(480, 384)) / 255.0, atol=1e-6)
    assert_min_is_black(img.pixels)


def test_gray16_png_keeps_its_contrast(gray16_png):
    img = decode_image(gray16_png)
    check_decoded(img, 384, 480)
    assert img.source_bit_depth == 16
    assert len(np.unique(img.pixels)) > 100, "16-bit values were clipped or squeezed flat"
    assert img.pixels.min() == 0.0 and img.pixels.max() == 1.0  # stretched over the data range
    source = (1000 + phantom(480, 384) * 3000).astype(np.uint16).astype(float)
    np.testing.assert_allclose(img.pixels, (source - source.min()) / np.ptp(source), atol=1e-6)
    assert_min_is_black(img.pixels)


def test_rgb_and_opaque_rgba_reduce_to_the_same_gray(rgb_png, rgba_png, gray8_png):
    rgb = decode_image(rgb_png)
    check_decoded(rgb, 320, 400)
    np.testing.assert_allclose(rgb.pixels, to_uint8(phantom(400, 320)) / 255.0, atol=1 / 255)
    rgba = decode_image(rgba_png)  # alpha is 255 everywhere: read as gray it would be flat
    check_decoded(rgba, 400, 400)
    np.testing.assert_allclose(rgba.pixels, to_uint8(phantom(400, 400)) / 255.0, atol=1 / 255)
    assert_min_is_black(rgba.pixels)


def test_colour_is_converted_by_luma():
    a = np.zeros((100, 100, 3), dtype=np.uint8)
    a[..., 1] = 200  # pure green
    img = decode_image(make_png(a))
    assert abs(float(img.pixels.mean()) - 0.587 * 200 / 255) < 0.01


def test_palette_is_applied(palette_png):
    img = decode_image(palette_png)
    check_decoded(img, 320, 400)
    np.testing.assert_allclose(img.pixels, to_uint8(phantom(400, 320)) / 255.0, atol=1 / 255)
    assert_min_is_black(img.pixels)


def test_one_bit_png():
    a = phantom(128, 128) > 0.6
    img = decode_image(make_png(a))
    assert set(np.unique(img.pixels)) == {0.0, 1.0}
    assert img.source_bit_depth == 1


def test_cmyk_jpeg_uses_its_colour_model():
    img = decode_image(make_jpeg(phantom(448, 352), cmyk=True))
    check_decoded(img, 352, 448)
    assert_min_is_black(img.pixels)


def test_progressive_jpeg():
    img = decode_image(make_jpeg(phantom(448, 448), progressive=True))
    check_decoded(img, 448, 448)
    assert img.format == "jpeg" and img.source_bit_depth == 8
    assert_min_is_black(img.pixels)


def test_exif_rotated_fixture_shows_upright(exif_rotated_jpeg):
    img = decode_image(exif_rotated_jpeg)
    check_decoded(img, 360, 480)
    assert img.exif_orientation == 6
    assert bright_marker_quadrant(img.pixels) == "top-left"
    assert_min_is_black(img.pixels)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied(orientation):
    shown = phantom(300, 260, marker="top-left")
    img = decode_image(make_jpeg(shown, exif_orientation=orientation))
    check_decoded(img, 260, 300)
    assert img.exif_orientation == orientation
    assert bright_marker_quadrant(img.pixels) == "top-left"


def test_content_decides_not_the_file_name(gray8_png, dicom_mono2):
    assert decode_image(gray8_png, filename="scan.dcm").format == "png"
    assert decode_image(dicom_mono2, filename="scan.png").format == "dicom"
    assert decode_image(make_jpeg(phantom(256, 256)), filename="x.png").format == "jpeg"


# --- DICOM -------------------------------------------------------------------------------------


def test_dicom_mono2_window(dicom_mono2):
    img = decode_image(dicom_mono2)
    check_decoded(img, 384, 480)
    assert (img.format, img.modality, img.photometric, img.source_bit_depth) == ("dicom", "CR", "MONOCHROME2", 12)
    assert img.window == (2048.0, 4096.0)
    stored = np.rint(phantom(480, 384) * 4095)
    expected = np.clip((stored - 2047.5) / 4095 + 0.5, 0, 1)  # PS3.3 C.11.2.1.2 linear window
    np.testing.assert_allclose(img.pixels, expected, atol=1e-5)
    assert img.modality_range == (float(stored.min()), float(stored.max()))
    assert_min_is_black(img.pixels)


def test_dicom_narrow_window_clips():
    stored = np.linspace(0, 4095, 256 * 256).reshape(256, 256)
    img = decode_image(make_dicom(stored.astype(np.uint16), WindowCenter=1000, WindowWidth=200))
    assert img.pixels[stored < 890].max() == 0.0 and img.pixels[stored > 1110].min() == 1.0
    assert 0 < img.pixels[(stored > 950) & (stored < 1050)].mean() < 1


def test_dicom_mono1_is_inverted(dicom_mono1):
    img = decode_image(dicom_mono1)
    check_decoded(img, 352, 448)
    assert img.photometric == "MONOCHROME1"
    assert_min_is_black(img.pixels)
    mono2 = decode_image(make_dicom(phantom(448, 352), WindowCenter=2048, WindowWidth=4096))
    np.testing.assert_allclose(img.pixels, mono2.pixels, atol=1.5 / 4095)  # one stored level


def test_dicom_modality_lut_is_applied():
    stored = np.rint(phantom(400, 320) * 3000 + 200).astype(np.uint16)
    img = decode_image(make_dicom(stored, RescaleSlope=2, RescaleIntercept=-1024))
    assert img.modality_range == (2.0 * stored.min() - 1024, 2.0 * stored.max() - 1024)
    assert img.window is None and img.pixels.min() == 0.0 and img.pixels.max() == 1.0
    assert_min_is_black(img.pixels)


def test_dicom_window_is_in_modality_units():
    stored = np.rint(phantom(256, 256) * 4095).astype(np.uint16)
    plain = decode_image(make_dicom(stored, WindowCenter=2048, WindowWidth=4096))
    rescaled = decode_image(
        make_dicom(stored, RescaleSlope=2, RescaleIntercept=-1024, WindowCenter=2 * 2048 - 1024, WindowWidth=8192)
    )
    np.testing.assert_allclose(plain.pixels, rescaled.pixels, atol=1e-3)


def test_dicom_full_16_bit_is_not_clipped():
    stored = (phantom(256, 256) * 60000).astype(np.uint16)
    img = decode_image(make_dicom(stored))
    assert img.source_bit_depth == 16 and len(np.unique(img.pixels)) > 3
    assert_min_is_black(img.pixels)


def test_dicom_rle_and_preambleless_match_plain():
    a = phantom(256, 300)
    plain = decode_image(make_dicom(a)).pixels
    np.testing.assert_array_equal(decode_image(make_dicom(a, transfer_syntax="1.2.840.10008.1.2.5")).pixels, plain)
    np.testing.assert_array_equal(decode_image(make_dicom(a, preamble=False)).pixels, plain)


@pytest.mark.parametrize("modality", ["CR", "DX", None])
def test_radiograph_modalities_accepted(modality):
    assert decode_image(make_dicom(phantom(256, 256), Modality=modality)).modality == modality


def test_no_header_identifiers_anywhere(dicom_mono2, dicom_ct, caplog):
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        img = decode_image(dicom_mono2)
        err = refused(dicom_ct, "not_a_radiograph")
    text = " ".join(
        [caplog.text, repr(img), str(dataclasses.asdict(img) | {"pixels": None}), err.user_message, str(err)]
        + [str(w.message) for w in caught]
    ).lower()
    for value in FAKE_PHI.values():
        assert value.lower() not in text
        assert value.split("^")[0].lower() not in text
    assert {f.name for f in dataclasses.fields(DecodedImage)} <= {
        "pixels",
        "format",
        "source_bit_depth",
        "modality_range",
        "modality",
        "photometric",
        "window",
        "exif_orientation",
    }


# --- refusals ----------------------------------------------------------------------------------


def test_empty():
    refused(b"", "empty")


@pytest.mark.parametrize(
    "data",
    [
        b"FINDINGS: a text file\n",
        b"<!DOCTYPE html><html><body><img src='x.png'></body></html>",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        bytes(range(256)) * 4,
    ],
    ids=["text", "html", "pdf", "binary"],
)
def test_not_an_image(data):
    with pytest.raises(UnsupportedImage) as info:
        decode_image(data, filename="xray.png")
    assert info.value.code == "not_an_image"
    assert "PNG, JPEG or DICOM" in info.value.user_message and ".png" in info.value.user_message


def test_text_fixture_is_not_an_image(text_as_png):
    refused(text_as_png, "not_an_image")


def test_other_raster_formats_are_refused_by_name():
    buf = io.BytesIO()
    Image.fromarray(to_uint8(phantom(128, 128))).save(buf, format="ICO")
    err = refused(buf.getvalue(), "not_an_image")
    assert "ICO" in err.user_message


_STILL_FORMATS = [
    ("BMP", {}, "bmp", 0),
    ("TIFF", {}, "tiff", 0),
    ("TIFF", {"compression": "tiff_deflate"}, "tiff", 0),
    ("TIFF", {"compression": "tiff_lzw"}, "tiff", 0),
    ("TIFF", {"compression": "packbits"}, "tiff", 0),
    ("TIFF", {"compression": "jpeg", "quality": 95}, "tiff", 2),
    ("WEBP", {"lossless": True}, "webp", 0),
    ("WEBP", {"quality": 95}, "webp", 2),
    ("GIF", {}, "gif", 0),
]


@pytest.mark.parametrize(
    ("fmt", "save", "name", "tolerance"),
    _STILL_FORMATS,
    ids=["bmp", "tiff", "tiff-deflate", "tiff-lzw", "tiff-packbits", "tiff-jpeg", "webp-lossless", "webp", "gif"],
)
def test_still_formats_decode_to_the_same_gray(fmt, save, name, tolerance):
    gray = to_uint8(phantom(480, 384, marker="top-right"))
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format=fmt, **save)
    img = decode_image(buf.getvalue())
    check_decoded(img, 384, 480)
    assert img.format == name and img.source_bit_depth == 8
    error = np.abs(img.pixels * 255.0 - gray.astype(np.float32))
    if tolerance == 0:  # lossless: exactly the grey levels written
        assert error.max() <= 1e-3
    else:  # lossy: close on average, in grey levels
        assert error.mean() <= tolerance
    assert bright_marker_quadrant(img.pixels) == "top-right"


def test_rgb_tiff_and_16bit_tiff():
    gray = to_uint8(phantom(400, 320))
    buf = io.BytesIO()
    Image.fromarray(np.dstack([gray, gray, gray])).save(buf, format="TIFF", compression="tiff_lzw")
    np.testing.assert_allclose(decode_image(buf.getvalue()).pixels, gray / 255.0, atol=1e-6)
    source = (1000 + phantom(400, 320) * 3000).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(source).save(buf, format="TIFF", compression="tiff_deflate")
    img = decode_image(buf.getvalue())
    assert img.source_bit_depth == 16 and len(np.unique(img.pixels)) > 100
    expected = (source - source.min()) / float(np.ptp(source))
    np.testing.assert_allclose(img.pixels, expected, atol=1e-6)


def test_multi_page_tiff_is_refused_not_reduced_to_its_first_page():
    pages = [Image.fromarray(to_uint8(phantom(256, 256))) for _ in range(2)]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:])
    err = refused(buf.getvalue(), "animated")
    assert "2 frames" in err.user_message


@pytest.mark.parametrize(
    ("fmt", "save"),
    [("BMP", {}), ("TIFF", {}), ("TIFF", {"compression": "tiff_deflate"}), ("WEBP", {"lossless": True}), ("GIF", {})],
    ids=["bmp", "tiff", "tiff-deflate", "webp", "gif"],
)
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_other_formats(fmt, save, keep):
    noisy = phantom(480, 384) + np.random.default_rng(2).normal(0, 0.05, (480, 384))
    buf = io.BytesIO()
    Image.fromarray(to_uint8(noisy)).save(buf, format=fmt, **save)
    data = buf.getvalue()
    refused(data[: int(len(data) * keep)], "truncated")


def test_truncated_png(truncated_png):
    refused(truncated_png, "truncated")


def test_truncated_jpeg():
    data = make_jpeg(phantom(512, 512) + np.random.default_rng(1).normal(0, 0.05, (512, 512)))
    refused(data[: int(len(data) * 0.6)], "truncated")


def test_truncation_is_detected_even_if_pillow_is_lenient(truncated_png, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    refused(truncated_png, "truncated")


def test_png_with_damaged_pixel_data_is_corrupt():
    data = bytearray(make_png(phantom(256, 256)))
    start = data.index(b"IDAT") + 4
    data[start + 10 : start + 60] = b"\xff" * 50
    refused(bytes(data), "corrupt")


@pytest.mark.parametrize("fmt", ["GIF", "PNG"], ids=["gif", "apng"])
def test_animated(fmt):
    err = refused(make_animated(phantom(128, 128), frames=3, format=fmt), "animated")
    assert "3 frames" in err.user_message


def test_animated_webp():
    err = refused(make_animated(phantom(128, 128), frames=2, format="WEBP"), "animated")
    assert "2 frames" in err.user_message


@pytest.mark.parametrize(
    ("width", "height", "code"),
    [
        (1, 1, "too_small"),
        (20, 1, "too_small"),
        (MIN_SIDE - 1, MIN_SIDE - 1, "too_small"),
        (MIN_SIDE - 1, 200, "too_small"),
        (10000, 50, "aspect_ratio"),
        (40, 2000, "aspect_ratio"),
        (MIN_SIDE * 4 + 1, MIN_SIDE, "aspect_ratio"),
    ],
)
def test_size_rules(width, height, code):
    refused(make_png(np.zeros((height, width), dtype=np.uint8)), code)


@pytest.mark.parametrize(("width", "height"), [(MIN_SIDE, MIN_SIDE), (int(MIN_SIDE * MAX_ASPECT), MIN_SIDE)])
def test_size_rules_boundaries_accepted(width, height):
    check_geometry(width, height, 50_000_000)
    assert decode_image(make_png(np.zeros((height, width), dtype=np.uint8))).width == width


def test_max_pixels_is_checked_from_the_header(gray8_png, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    err = refused(gray8_png, "too_large", max_pixels=100_000)
    assert "384 x 480" in err.user_message


@pytest.mark.parametrize("side", [8_000, 10_000])  # above max_pixels; above Pillow's own warning limit
def test_medium_bombs_refused_from_header(side, monkeypatch):
    data = make_png_bomb(side, side)
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    refused(data, "too_large")


_OTHER_BOMBS = {
    # 8000 x 8000 = 64 Mpx: above max_pixels (50 M) and below Pillow's own warning (89 M), so only
    # the workbench's own check can refuse them
    "tiff-strip": lambda: make_tiff_bomb(8_000, 8_000),
    "tiff-tiles": lambda: make_tiff_bomb(8_000, 8_000, tile=1024),
    "bmp-rle8": lambda: make_bmp_bomb(8_000, 8_000),
    "gif-screen": lambda: make_gif_bomb(8_000, 8_000),
    "webp": lambda: make_webp_bomb(8_000, 8_000),
}


@pytest.mark.parametrize("kind", list(_OTHER_BOMBS))
def test_other_format_bombs_refused_from_header(kind, monkeypatch):
    data = _OTHER_BOMBS[kind]()
    assert len(data) < 8_000_000
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    err = refused(data, "too_large")
    assert "8000 x 8000" in err.user_message


def test_tiff_tiles_larger_than_the_image_are_refused(monkeypatch):
    data = make_tiff_bomb(600, 500, tile=8192)  # 64 Mpx per tile for a 0.3 Mpx image
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    err = refused(data, "too_large")
    assert "decompression bomb" in err.user_message


@pytest.mark.parametrize("maker", [make_tiff_bomb, make_bmp_bomb, make_gif_bomb], ids=["tiff", "bmp", "gif"])
def test_bomb_makers_make_valid_files(maker):
    """The bomb files are real images: the same makers at a small size decode."""
    img = decode_image(maker(600, 500))
    assert (img.width, img.height) == (600, 500)


def test_bomb_refused_without_decoding(png_bomb, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    tracemalloc.start()
    try:
        refused(png_bomb, "too_large")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_pillow_globals_untouched(png_bomb, gray8_png):
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    refused(png_bomb, "too_large")
    decode_image(gray8_png)
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters)) == before


def test_dicom_not_a_radiograph(dicom_ct):
    err = refused(dicom_ct, "not_a_radiograph")
    assert "CT" in err.user_message and "CR or DX" in err.user_message
    refused(make_dicom(phantom(256, 256), Modality="MR"), "not_a_radiograph")
    refused(make_dicom(phantom(256, 256), Modality="SR", pixel_data=False), "not_a_radiograph")


def test_dicom_colour_is_not_a_radiograph():
    rgb = np.zeros((64 * 3, 64), dtype=np.uint16)  # pixel bytes are never decoded
    refused(make_dicom(rgb, SamplesPerPixel=3, PhotometricInterpretation="RGB"), "not_a_radiograph")


def test_dicom_multi_frame(dicom_multiframe):
    err = refused(dicom_multiframe, "multi_frame")
    assert "3 frames" in err.user_message
    assert decode_image(make_dicom(phantom(256, 256), NumberOfFrames=1)).height == 256


def test_dicom_no_pixel_data():
    refused(make_dicom(phantom(2500, 2048)[:2, :2], Rows=2500, Columns=2048, pixel_data=False), "no_pixel_data")


def test_dicom_garbage_after_magic_is_corrupt():
    rng = np.random.default_rng(3)
    refused(b"\x00" * 128 + b"DICM" + rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(), "corrupt")


def test_dicom_short_pixel_data_is_truncated():
    data = make_dicom(phantom(256, 256))
    refused(data[: len(data) - 5000], "truncated")


def test_dicom_size_rules_from_header():
    tiny = np.zeros((2, 2), dtype=np.uint16)
    refused(make_dicom(tiny, Rows=20000, Columns=20000), "too_large")
    refused(make_dicom(np.zeros((16, 16), dtype=np.uint16)), "too_small")
    refused(make_dicom(np.zeros((50, 1000), dtype=np.uint16)), "aspect_ratio")


def _rewrite_dicom(data: bytes, **changes) -> bytes:
    """Re-save a DICOM with file meta / data elements changed (pydicom warnings here are expected)."""
    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(io.BytesIO(data))
        for key, value in changes.items():
            setattr(ds.file_meta if key.startswith(("TransferSyntax", "MediaStorage")) else ds, key, value)
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def test_dicom_unsupported_compression_names_the_package():
    from pydicom.encaps import encapsulate

    data = _rewrite_dicom(
        make_dicom(phantom(256, 256)),
        TransferSyntaxUID="1.2.840.10008.1.2.4.100",  # MPEG-2: no decoder exists for a still image
        PixelData=encapsulate([b"\x00" * 64]),
    )
    err = refused(data, "unsupported_compression")
    assert "pip install" in err.user_message


@pytest.mark.parametrize("field", ["PatientID", "AccessionNumber"])
def test_header_values_stay_out_of_the_log_even_in_pydicom_debug_mode(field, caplog):
    """pydicom's debug mode logs every element it reads, values included: the control shows that a
    plain dcmread puts the header value in the log; decode_image must not."""
    import io

    import pydicom

    secret = "zz-fake-id-998877"
    data = _rewrite_dicom(make_dicom(phantom(256, 256)), **{field: secret})
    caplog.set_level(logging.DEBUG, logger="pydicom")
    pydicom.config.debug(True)
    try:
        caplog.clear()
        getattr(pydicom.dcmread(io.BytesIO(data)), field)
        assert secret in caplog.text, "control: plain pydicom in debug mode logs the value"
        caplog.clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            decoded = decode_image(data)
    finally:
        pydicom.config.debug(False)
    assert decoded.width == 256
    assert secret not in caplog.text
    assert all(secret not in str(w.message) for w in caught)


def test_pydicom_log_and_warnings_are_muted_while_parsing(caplog):
    from medrag_core.imaging.dicom import _quiet_pydicom

    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _quiet_pydicom():
            logging.getLogger("pydicom").warning("Invalid value for VR PN: 'ZZTESTFAKE'")
            warnings.warn("Invalid value for VR PN: 'ZZTESTFAKE'", stacklevel=1)
        logging.getLogger("pydicom").warning("after")  # muting ends with the block
    assert "ZZTESTFAKE" not in caplog.text and "after" in caplog.text
    assert not caught


# --- helpers -----------------------------------------------------------------------------------


def test_to_display_uint8():
    a = np.array([[0.0, 0.25, 0.5], [0.75, 1.0, 1.0]], dtype=np.float32)
    out = to_display_uint8(a)
    assert out.dtype == np.uint8 and out.tolist() == [[0, 64, 128], [191, 255, 255]]
    assert to_display_uint8(a, window=(0.5, 0.5)).tolist() == [[0, 0, 128], [255, 255, 255]]
    img = decode_image(make_png(phantom(128, 128)))
    np.testing.assert_array_equal(to_display_uint8(img), to_uint8(phantom(128, 128)))
    u8 = to_uint8(phantom(64, 64))
    np.testing.assert_array_equal(to_display_uint8(u8), u8)
    with pytest.raises(ValueError):
        to_display_uint8(np.zeros((4, 4, 3)))


def test_png_bytes_round_trip_and_thumbnail():
    a = phantom(480, 384)
    full = Image.open(io.BytesIO(png_bytes(a)))
    assert (full.format, full.mode, full.size) == ("PNG", "L", (384, 480))
    np.testing.assert_array_equal(np.asarray(full), to_uint8(a))
    thumb = Image.open(io.BytesIO(png_bytes(a, max_side=120)))
    assert thumb.size == (96, 120)
    assert Image.open(io.BytesIO(png_bytes(a, max_side=1000))).size == (384, 480)
    assert decode_image(png_bytes(a)).width == 384


def test_sha256_hex():
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256_hex(b"abc") != sha256_hex(b"abd") and len(sha256_hex(b"")) == 64


def test_modules_have_no_print_and_stay_small():
    import inspect

    from medrag_core.imaging import dicom, dicom_limits, raster_checks

    for module in (imaging, dicom, dicom_limits, raster_checks):
        source = inspect.getsource(module)
        assert "print(" not in source
        assert source.count("\n") < 400
