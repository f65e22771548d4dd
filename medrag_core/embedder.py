"""Embedders: the ``Embedder`` protocol and the MedSigLIP implementation (transformers).

(Implementation to be written: see issue 2.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Maps gray images and texts into one space of ``dim``-d L2-normalised float32 vectors."""

    name: str  # the model id or directory, recorded beside every stored vector
    dim: int

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) float32 unit vectors for 2-D float32 gray images with values in [0, 1]."""
        ...

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors; long texts are chunked, never truncated away."""
        ...
