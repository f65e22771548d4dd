"""Make ``tf_resize_reference.npz``: TensorFlow's bilinear resize of a few deterministic images.

Run once, in a separate environment that has TensorFlow (the workbench never needs it)::

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu numpy
    /tmp/tfvenv/bin/python tests/data/make_tf_reference.py

The inputs are not stored: ``make_inputs()`` rebuilds them from integer hashing (no random
generator whose stream could change between numpy versions), and the file keeps a SHA-256 of
each input so a drifted generator is reported as such. For each case the file holds
``<name>__out`` (TF's float32 output, bytes transposed so zlib packs the exponent bytes),
``<name>__size`` and ``<name>__sha256``. ``tests/test_preprocess.py`` reads it.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("tf_resize_reference.npz")

# name -> (input height, width, dtype, output height, width)
CASES: dict[str, tuple[int, int, str, int, int]] = {
    "u8_37x53_up448": (37, 53, "uint8", 448, 448),
    "f32_600x500_down300x224": (600, 500, "float32", 300, 224),
    "f32_100x100_up160x224": (100, 100, "float32", 160, 224),
    "u8_1000x900_down448": (1000, 900, "uint8", 448, 448),
    "u8_23x9_to_5x31": (23, 9, "uint8", 5, 31),
}


def _hash(h: int, w: int, salt: int) -> np.ndarray:
    """Deterministic pseudo-noise in [0, 2**16): a uint64 integer hash of (row, col, salt)."""
    i = np.arange(h, dtype=np.uint64)[:, None]
    j = np.arange(w, dtype=np.uint64)[None, :]
    x = i * np.uint64(0x9E3779B97F4A7C15) + j * np.uint64(0xBF58476D1CE4E5B9) + np.uint64(salt)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(29)
    return (x >> np.uint64(48)).astype(np.int64)


def make_inputs() -> dict[str, np.ndarray]:
    """Gradient plus noise plus a bright disc (a sharp edge), per case; exact integer/float32 maths."""
    inputs = {}
    for salt, (name, (h, w, dtype, _, _)) in enumerate(CASES.items(), start=1):
        i = np.arange(h, dtype=np.int64)[:, None]
        j = np.arange(w, dtype=np.int64)[None, :]
        grad = (i * 180) // max(h - 1, 1) + (j * 60) // max(w - 1, 1)  # 0..240
        disc = ((2 * i - h) ** 2 + (2 * j - w) ** 2) * 16 < min(h, w) ** 2
        noise = _hash(h, w, salt)
        if dtype == "uint8":
            img = np.clip(grad + disc * 40 + noise % 31 - 15, 0, 255).astype(np.uint8)
        else:
            img = (
                grad.astype(np.float32) / np.float32(255)
                + disc.astype(np.float32) * np.float32(0.125)
                + noise.astype(np.float32) / np.float32(65536 * 8)
            ).astype(np.float32)
        inputs[name] = img
    return inputs


def sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes() + str((a.dtype.str, a.shape)).encode()).hexdigest()


def pack(out: np.ndarray) -> np.ndarray:
    """float32 (h, w) -> uint8 (4, h*w): byte planes, which compress far better than raw floats."""
    return np.ascontiguousarray(out.astype("<f4").view(np.uint8).reshape(-1, 4).T)


def unpack(planes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    return np.ascontiguousarray(planes.T).view("<f4").reshape(shape).astype(np.float32)


def main() -> int:
    import tensorflow as tf  # only here: the workbench and its tests never import TensorFlow

    arrays: dict[str, np.ndarray] = {}
    for name, img in make_inputs().items():
        oh, ow = CASES[name][3:]
        out = tf.image.resize(img[..., None], [oh, ow], method="bilinear", antialias=False).numpy()[..., 0]
        assert out.dtype == np.float32 and out.shape == (oh, ow)
        arrays[f"{name}__out"] = pack(out)
        arrays[f"{name}__size"] = np.array([oh, ow])
        arrays[f"{name}__sha256"] = np.array(sha256(img))
    arrays["tf_version"] = np.array(tf.__version__)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) with TensorFlow {tf.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
