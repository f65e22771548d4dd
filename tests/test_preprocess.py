"""medrag_core.imaging.preprocess: bit-for-bit parity with TensorFlow's bilinear resize, and pad-to-square.

The reference outputs in tests/data/tf_resize_reference.npz were made once with tensorflow-cpu by
tests/data/make_tf_reference.py; these tests never import TensorFlow.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from medrag_core.imaging import pad_to_square, prepare_for_model, tf_bilinear_resize, to_uint8

DATA = Path(__file__).parent / "data"


def _load_maker():
    spec = importlib.util.spec_from_file_location("make_tf_reference", DATA / "make_tf_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKER = _load_maker()
REFERENCE = np.load(DATA / "tf_resize_reference.npz")
INPUTS = MAKER.make_inputs()


def test_reference_file_is_small_and_complete():
    assert (DATA / "tf_resize_reference.npz").stat().st_size < 1_500_000
    assert set(INPUTS) == set(MAKER.CASES)
    for name in MAKER.CASES:
        assert f"{name}__out" in REFERENCE.files


@pytest.mark.parametrize("name", list(MAKER.CASES))
def test_tf_bilinear_matches_tensorflow_bit_for_bit(name):
    img = INPUTS[name]
    assert MAKER.sha256(img) == str(REFERENCE[f"{name}__sha256"]), "input generator drifted: rerun the maker"
    size = tuple(int(v) for v in REFERENCE[f"{name}__size"])
    expected = MAKER.unpack(REFERENCE[f"{name}__out"], size)

    got = tf_bilinear_resize(img, size)

    assert got.dtype == np.float32 and got.shape == size
    assert np.array_equal(got, expected), f"{int((got != expected).sum())} pixels differ from TF"
    assert np.array_equal(
        np.rint(np.clip(got, 0, 255)).astype(np.uint8), np.rint(np.clip(expected, 0, 255)).astype(np.uint8)
    )
    assert np.array_equal(got.astype(np.uint8), expected.astype(np.uint8))  # the card's truncating cast


@pytest.mark.parametrize("name", ["u8_37x53_up448", "f32_600x500_down300x224"])
def test_channels_are_resized_independently(name):
    img = INPUTS[name]
    size = tuple(int(v) for v in REFERENCE[f"{name}__size"])
    expected = MAKER.unpack(REFERENCE[f"{name}__out"], size)
    rgb = np.stack([img, img, img], axis=-1)

    got = tf_bilinear_resize(rgb, size)

    assert got.shape == (*size, 3)
    for c in range(3):
        assert np.array_equal(got[..., c], expected)


def test_uint8_input_is_cast_to_float32_like_tf():
    img = INPUTS["u8_1000x900_down448"]
    assert np.array_equal(tf_bilinear_resize(img), tf_bilinear_resize(img.astype(np.float32)))


def test_same_size_resize_is_identity():
    img = np.arange(448 * 448, dtype=np.float32).reshape(448, 448) / 7
    assert np.array_equal(tf_bilinear_resize(img, (448, 448)), img)


def test_tf_docstring_example():
    # The example in tf.image.resize's documentation: 5x5 identity to 3x5.
    out = tf_bilinear_resize(np.eye(5, dtype=np.float32), (3, 5))
    expected = np.array(
        [[0.6666667, 0.3333333, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0.3333335, 0.6666665]], dtype=np.float32
    )
    np.testing.assert_allclose(out, expected, atol=1e-7)


def test_resize_rejects_bad_shapes():
    with pytest.raises(ValueError):
        tf_bilinear_resize(np.zeros((2, 3, 4, 5), np.float32))
    with pytest.raises(ValueError):
        tf_bilinear_resize(np.zeros((4, 4), np.float32), (0, 4))


@pytest.mark.parametrize(
    ("shape", "pads"),
    [((3, 8), ((2, 3), (0, 0))), ((8, 3), ((0, 0), (2, 3))), ((4, 6), ((1, 1), (0, 0))), ((5, 5), ((0, 0), (0, 0)))],
)
def test_pad_to_square_centres_with_odd_pixel_after(shape, pads):
    img = np.full(shape, 7, dtype=np.uint8)

    out = pad_to_square(img)

    side = max(shape)
    assert out.shape == (side, side) and out.dtype == np.uint8
    (top, bottom), (left, right) = pads
    assert np.array_equal(out[top : side - bottom, left : side - right], img)
    assert out.sum() == img.sum()  # everything else is the fill (0)


def test_pad_to_square_keeps_channels_and_fill():
    img = np.ones((2, 4, 3), dtype=np.float32)
    out = pad_to_square(img, fill=0.5)
    assert out.shape == (4, 4, 3)
    assert np.all(out[0] == 0.5) and np.all(out[3] == 0.5) and np.all(out[1:3] == 1)


def test_to_uint8_round_trips_8bit_sources():
    u8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert np.array_equal(to_uint8(u8.astype(np.float32) / np.float32(255)), u8)
    assert np.array_equal(to_uint8(np.array([-0.5, 1.5], np.float32)), np.array([0, 255], np.uint8))


def test_prepare_tf_bilinear_is_the_card_pipeline():
    u8 = INPUTS["u8_1000x900_down448"]
    gray01 = u8.astype(np.float32) / np.float32(255)
    expected = MAKER.unpack(REFERENCE["u8_1000x900_down448__out"], (448, 448)).astype(np.uint8)

    out = prepare_for_model(gray01, "tf_bilinear", 448)

    assert out.shape == (448, 448, 3) and out.dtype == np.uint8
    for c in range(3):
        assert np.array_equal(out[..., c], expected)


def test_prepare_pad_square_pads_without_resizing():
    gray01 = np.linspace(0, 1, 30 * 50, dtype=np.float32).reshape(30, 50)

    out = prepare_for_model(gray01, "pad_square")

    assert out.shape == (50, 50, 3) and out.dtype == np.uint8
    assert np.array_equal(out[10:40, :, 0], to_uint8(gray01))
    assert not out[:10].any() and not out[40:].any()


def test_prepare_rejects_unknown_mode_and_colour_input():
    with pytest.raises(ValueError, match="tf_bilinear"):
        prepare_for_model(np.zeros((4, 4), np.float32), "bicubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2-D"):
        prepare_for_model(np.zeros((4, 4, 3), np.float32))
