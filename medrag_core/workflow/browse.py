"""The Browse searches, shared by the Browse page and the API: by text, by image, a case's neighbours.

Each degrades like ``verify``: without the embedding model (``embedder=None``) text searches use
full-text search only; archive vectors of another model (``ModelMismatch``) likewise. Store errors
propagate (the caller says the archive is not available).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from medrag_core.errors import EmbedderError, MedragError, ModelMismatch
from medrag_core.models import Case, Match
from medrag_core.retrieval import retrieve
from medrag_core.workflow.verify import precompute_image_embedding

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder, EmbeddingCache
    from medrag_core.settings import Settings
    from medrag_core.store import CaseFilter, CaseStore


def _embed_text(embedder: Embedder | None, text: str) -> np.ndarray | None:
    if embedder is None:
        return None
    try:
        return embedder.embed_texts([text])[0]
    except EmbedderError:
        return None


def search_text(
    store: CaseStore, embedder: Embedder | None, settings: Settings, query: str, where: CaseFilter | None = None,
    *, k: int | None = None,
) -> list[Match]:
    """Full-text search fused with the text embedding (when the model is available); ``k`` results
    (default ``max(top_k, 12)``)."""
    k = max(settings.top_k, 12) if k is None else k
    embed_model = embedder.name if embedder is not None else settings.embed_model
    try:
        return retrieve(
            store, image_embedding=None, text_embedding=_embed_text(embedder, query), query_text=query,
            settings=settings, embed_model=embed_model, where=where, k=k,
        )
    except ModelMismatch:
        return retrieve(
            store, image_embedding=None, text_embedding=None, query_text=query,
            settings=settings, embed_model=embed_model, where=where, k=k,
        )


def search_image(
    store: CaseStore, embedder: Embedder | None, settings: Settings, image_bytes: bytes,
    cache: EmbeddingCache | None, where: CaseFilter | None = None,
) -> list[Match]:
    """Nearest cases by image embedding (needs the model). Raises ``MedragError`` for a bad image."""
    if embedder is None:
        raise EmbedderError("Searching by image needs the embedding model, which is not available.")
    _sha, vector = precompute_image_embedding(image_bytes, settings, embedder, cache)
    return retrieve(
        store, image_embedding=vector, text_embedding=None, query_text=None,
        settings=settings, embed_model=embedder.name, where=where, k=max(settings.top_k, 12),
    )


def neighbours(
    store: CaseStore, embedder: Embedder | None, settings: Settings, case: Case, cache: EmbeddingCache | None,
    where: CaseFilter | None = None,
) -> list[Match]:
    """The case's nearest archive cases by its image (when it has one and the model is available)
    and its report text, fused; the case itself is left out."""
    image_vec = None
    if embedder is not None and case.image_sha256:
        try:
            data = store.get_image(case.image_sha256)
            if data:
                _sha, image_vec = precompute_image_embedding(data, settings, embedder, cache)
        except MedragError:
            image_vec = None
    text = case.report_text
    embed_model = embedder.name if embedder is not None else settings.embed_model
    k = settings.top_k + 1
    try:
        matches = retrieve(
            store, image_embedding=image_vec, text_embedding=_embed_text(embedder, text) if text else None,
            query_text=text or None, settings=settings, embed_model=embed_model, where=where, k=k,
        )
    except ModelMismatch:
        matches = retrieve(
            store, image_embedding=None, text_embedding=None, query_text=text or None,
            settings=settings, embed_model=embed_model, where=where, k=k,
        )
    return [m for m in matches if m.case.case_id != case.case_id][: settings.top_k]
