"""Image preprocessing for MedSigLIP: the model card's TF bilinear resize, or pad-to-square.

Two ways to turn a decoded gray image (2-D float, values in [0, 1]) into the model's input:

- ``"tf_bilinear"`` (default, the model card's evaluation recipe): quantise to 8 bits, resize with
  ``tf.image.resize(img, [448, 448], 'bilinear', antialias=False)`` and cast to ``uint8`` as the card
  does (``.numpy().astype(np.uint8)``: truncation). The processor then only rescales and normalises;
  it must NOT resize again. ``tf_bilinear_resize`` is a numpy port of TensorFlow's kernel that
  matches it bit for bit on float32 (and uint8, which TF casts to float32) input, without TensorFlow.
- ``"pad_square"`` (Google's serving code): pad with black to a centred square and let the
  processor resize (PIL bicubic) to its own size.

Both return ``uint8`` arrays of shape (H, W, 3) (the gray channel repeated), channels last.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np

ResizeMode = Literal["tf_bilinear", "pad_square"]
RESIZE_MODES: tuple[str, ...] = ("tf_bilinear", "pad_square")


@lru_cache(maxsize=64)
def _axis_weights(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TF's ``compute_interpolation_weights`` with ``HalfPixelScaler``, in float32 like the C++.

    Returns (lower, upper, lerp): int64 source indices and float32 weights, each (out_size,).
    Cached per (in, out) shape; the arrays are read-only.
    """
    scale = np.float32(in_size) / np.float32(out_size)
    x = np.arange(out_size, dtype=np.float32)
    src = (x + np.float32(0.5)) * scale - np.float32(0.5)
    src_floor = np.floor(src)
    lower = np.maximum(src_floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
    lerp = (src - src_floor).astype(np.float32)
    for arr in (lower, upper, lerp):
        arr.setflags(write=False)
    return lower, upper, lerp


def tf_bilinear_resize(img: np.ndarray, size: tuple[int, int] = (448, 448)) -> np.ndarray:
    """Resize like ``tf.image.resize(img, size, 'bilinear', antialias=False)``, bit for bit.

    ``img``: (H, W) or (H, W, C), any real dtype; it is cast to float32 first, as TF does.
    ``size``: (height, width) of the output. Returns float32 of shape (height, width[, C]).
    Half-pixel centres; every intermediate is float32 in TF's order of operations:
    ``top = tl + (tr - tl) * xl``, ``bottom = bl + (br - bl) * xl``, ``top + (bottom - top) * yl``.
    """
    if img.ndim not in (2, 3):
        raise ValueError(f"expected a (H, W) or (H, W, C) image, got shape {img.shape}")
    out_h, out_w = int(size[0]), int(size[1])
    if out_h < 1 or out_w < 1:
        raise ValueError(f"output size must be positive, got {size}")
    src = np.asarray(img, dtype=np.float32)
    in_h, in_w = src.shape[:2]
    if in_h < 1 or in_w < 1:
        raise ValueError(f"cannot resize an empty image of shape {img.shape}")
    y_lo, y_hi, y_lerp = _axis_weights(in_h, out_h)
    x_lo, x_hi, x_lerp = _axis_weights(in_w, out_w)
    extra = (1,) * (src.ndim - 2)
    xl = x_lerp.reshape((1, out_w) + extra)
    yl = y_lerp.reshape((out_h, 1) + extra)
    rows_lo = src[y_lo]  # (out_h, in_w[, C])
    rows_hi = src[y_hi]
    top_left, top_right = rows_lo[:, x_lo], rows_lo[:, x_hi]
    bottom_left, bottom_right = rows_hi[:, x_lo], rows_hi[:, x_hi]
    top = top_left + (top_right - top_left) * xl
    bottom = bottom_left + (bottom_right - bottom_left) * xl
    return top + (bottom - top) * yl


def pad_to_square(img: np.ndarray, fill: float = 0) -> np.ndarray:
    """Pad (H, W) or (H, W, C) with ``fill`` to a centred square; the odd pixel goes bottom/right.

    Same split as Google's MedSigLIP serving code (``d // 2`` before, the rest after).
    A square input is returned unchanged (not copied).
    """
    h, w = img.shape[:2]
    if h == w:
        return img
    d = abs(h - w)
    before, after = d // 2, d - d // 2
    pad = [(0, 0)] * img.ndim
    pad[0 if h < w else 1] = (before, after)
    return np.pad(img, pad, mode="constant", constant_values=fill)


def to_uint8(gray01: np.ndarray) -> np.ndarray:
    """[0, 1] floats -> uint8 by rounding (values outside are clipped); an 8-bit source round-trips."""
    return np.rint(np.clip(np.asarray(gray01, dtype=np.float32), 0.0, 1.0) * np.float32(255)).astype(np.uint8)


def prepare_for_model(gray01: np.ndarray, mode: ResizeMode = "tf_bilinear", size: int = 448) -> np.ndarray:
    """What the SigLIP image processor should receive for one gray image.

    ``gray01``: 2-D float array, values in [0, 1]. Returns uint8 (H, W, 3), channels last:

    - ``"tf_bilinear"``: (size, size, 3), the card's ``tf.image.resize(...).numpy().astype(np.uint8)``
      of the 8-bit image; call the processor with ``do_resize=False`` (rescale + normalise only).
    - ``"pad_square"``: (S, S, 3), S = max(H, W), padded with black; the processor resizes.
    """
    if gray01.ndim != 2:
        raise ValueError(f"expected a 2-D gray image, got shape {gray01.shape}")
    u8 = to_uint8(gray01)
    if mode == "tf_bilinear":
        resized = tf_bilinear_resize(u8, (size, size))
        # The card casts with astype(np.uint8): truncation toward zero; values stay in [0, 255].
        out = resized.astype(np.uint8)
    elif mode == "pad_square":
        out = pad_to_square(u8)
    else:
        raise ValueError(f"unknown resize mode {mode!r}; valid: {', '.join(RESIZE_MODES)}")
    return np.repeat(out[:, :, None], 3, axis=2)
