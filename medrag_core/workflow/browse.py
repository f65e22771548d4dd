"""The Browse searches that need the upload embedding, shared by the Browse page and the API: by
image, a case's neighbours.

The searches are ``medrag_core.retrieval``'s (``search_image``, ``neighbours``, with the one
model-mismatch fallback); this module binds them to the upload embedding
(``precompute_image_embedding``, through the content-hash cache). The text search needs no binding:
callers use ``medrag_core.retrieval.search_text`` (full-text search only without the model). Store
errors propagate (the caller says the archive is not available).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from medrag_core import retrieval
from medrag_core.errors import EmbedderError
from medrag_core.models import Case, Match
from medrag_core.workflow.verify import precompute_image_embedding

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder, EmbeddingCache
    from medrag_core.settings import Settings
    from medrag_core.store import CaseFilter, CaseStore


def search_image(
    store: CaseStore, embedder: Embedder | None, settings: Settings, image_bytes: bytes,
    cache: EmbeddingCache | None, where: CaseFilter | None = None,
) -> list[Match]:  # fmt: skip
    """Nearest cases by image embedding (needs the model). Raises ``MedragError`` for a bad image."""
    if embedder is None:
        raise EmbedderError("Searching by image needs the embedding model, which is not available.")
    _sha, vector = precompute_image_embedding(image_bytes, settings, embedder, cache)
    return retrieval.search_image(store, embedder.name, settings, vector, where)


def neighbours(
    store: CaseStore, embedder: Embedder | None, settings: Settings, case: Case, cache: EmbeddingCache | None,
    where: CaseFilter | None = None,
) -> list[Match]:  # fmt: skip
    """The case's nearest archive cases by its image (when it has one and the model is available)
    and its report text, fused; the case itself is left out."""
    if embedder is None:
        return retrieval.neighbours(store, None, settings, case, None, where)
    model = embedder

    def image_vector_of(data: bytes) -> np.ndarray:
        return precompute_image_embedding(data, settings, model, cache)[1]

    return retrieval.neighbours(store, model, settings, case, image_vector_of, where)
