"""Searches on top of ``retrieve``: the one model-mismatch fallback, and the Browse page's searches
(by text, by image, a case's neighbours).

When the archive holds another model's (or size's) embeddings, the store refuses the query vectors
(``ModelMismatch`` / ``DimensionMismatch``); ``retrieve_or_text_only`` then searches by full text
alone and says why, so a caller can tell the user. Verify and Browse both go through it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from medrag_core.errors import DimensionMismatch, EmbedderError, MedragError, ModelMismatch
from medrag_core.models import Case, Match
from medrag_core.retrieval.findings import FindingsQuery
from medrag_core.retrieval.hybrid import retrieve

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder
    from medrag_core.settings import Settings
    from medrag_core.store import CaseFilter, CaseStore

log = logging.getLogger(__name__)
BROWSE_MIN_RESULTS = 12  # Browse lists at least this many cases (more when settings.top_k is larger)
ImageVectorOf = Callable[[bytes], np.ndarray]  # image bytes -> its embedding (cached by the caller)


def retrieve_or_text_only(
    store: CaseStore,
    *,
    image_embedding: np.ndarray | None,
    text_embedding: np.ndarray | None,
    query_text: str | FindingsQuery | None,
    settings: Settings,
    embed_model: str,
    where: CaseFilter | None = None,
    k: int | None = None,
    fts_max_df: float | None = None,
) -> tuple[list[Match], MedragError | None]:
    """``retrieve``, and the mismatch that made it fall back to full text only (else None).

    Other store errors propagate. The fallback searches ``query_text`` as given (no ``fts_max_df``:
    with no embedding hits there is nothing to prune against).
    """
    try:
        matches = retrieve(
            store, image_embedding=image_embedding, text_embedding=text_embedding, query_text=query_text,
            settings=settings, embed_model=embed_model, where=where, k=k, fts_max_df=fts_max_df,
        )  # fmt: skip
        return matches, None
    except (ModelMismatch, DimensionMismatch) as exc:
        log.warning("archive vectors do not match the model (%s); text search only", exc.code)
        matches = retrieve(
            store, image_embedding=None, text_embedding=None, query_text=query_text,
            settings=settings, embed_model=embed_model, where=where, k=k,
        )  # fmt: skip
        return matches, exc


def _embed_text(embedder: Embedder | None, text: str) -> np.ndarray | None:
    """The text's embedding, or None when there is no model or it failed (full text still searches)."""
    if embedder is None or not text:
        return None
    try:
        return embedder.embed_texts([text])[0]
    except EmbedderError:
        return None


def _embed_model(embedder: Embedder | None, settings: Settings) -> str:
    return embedder.name if embedder is not None else settings.embed_model


def search_text(
    store: CaseStore, embedder: Embedder | None, settings: Settings, query: str, where: CaseFilter | None = None,
    *, k: int | None = None,
) -> list[Match]:  # fmt: skip
    """Full-text search fused with the text embedding (when the model is available); ``k`` results
    (default ``max(top_k, BROWSE_MIN_RESULTS)``)."""
    matches, _ = retrieve_or_text_only(
        store, image_embedding=None, text_embedding=_embed_text(embedder, query), query_text=query,
        settings=settings, embed_model=_embed_model(embedder, settings), where=where,
        k=max(settings.top_k, BROWSE_MIN_RESULTS) if k is None else k,
    )  # fmt: skip
    return matches


def search_image(
    store: CaseStore, embed_model: str, settings: Settings, image_embedding: np.ndarray,
    where: CaseFilter | None = None,
) -> list[Match]:  # fmt: skip
    """Nearest cases by an image's embedding (of model ``embed_model``); a mismatch raises, as there is
    no text to fall back to."""
    return retrieve(
        store, image_embedding=image_embedding, text_embedding=None, query_text=None,
        settings=settings, embed_model=embed_model, where=where, k=max(settings.top_k, BROWSE_MIN_RESULTS),
    )  # fmt: skip


def neighbours(
    store: CaseStore, embedder: Embedder | None, settings: Settings, case: Case,
    image_vector_of: ImageVectorOf | None = None, where: CaseFilter | None = None,
) -> list[Match]:  # fmt: skip
    """The case's ``settings.top_k`` nearest archive cases by its image (when it has one and
    ``image_vector_of`` can embed it) and its report text, fused; the case itself is left out."""
    image_vec = None
    if image_vector_of is not None and case.image_sha256:
        try:
            data = store.get_image(case.image_sha256)
            image_vec = image_vector_of(data) if data else None
        except MedragError:
            image_vec = None
    text = case.report_text
    matches, _ = retrieve_or_text_only(
        store, image_embedding=image_vec, text_embedding=_embed_text(embedder, text), query_text=text or None,
        settings=settings, embed_model=_embed_model(embedder, settings), where=where, k=settings.top_k + 1,
    )  # fmt: skip
    others = [m for m in matches if m.case.case_id != case.case_id][: settings.top_k]
    # numbered from #1 among the neighbours (the case itself, usually the best match, is not one)
    return [m.model_copy(update={"fused_rank": n}) for n, m in enumerate(others, 1)]
