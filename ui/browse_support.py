"""The Browse page's glue to retrieval: search by id, text or image; a case's neighbours."""

from __future__ import annotations

from medrag_core.errors import EmbedderError, MedragError, ModelMismatch
from medrag_core.models import Case, Match
from medrag_core.store import CaseFilter


def _embed_text(embedder, text: str):  # noqa: ANN001, ANN202
    if embedder is None:
        return None
    try:
        return embedder.embed_texts([text])[0]
    except EmbedderError:
        return None


def search_text(store, embedder, settings, query: str, where: CaseFilter | None) -> list[Match]:  # noqa: ANN001
    """Full-text search fused with the text embedding (when the model is available)."""
    from medrag_core.retrieval import retrieve

    embed_model = embedder.name if embedder is not None else settings.embed_model
    try:
        return retrieve(
            store, image_embedding=None, text_embedding=_embed_text(embedder, query), query_text=query,
            settings=settings, embed_model=embed_model, where=where, k=max(settings.top_k, 12),
        )
    except ModelMismatch:
        return retrieve(
            store, image_embedding=None, text_embedding=None, query_text=query,
            settings=settings, embed_model=embed_model, where=where, k=max(settings.top_k, 12),
        )


def search_image(store, embedder, settings, image_bytes: bytes, cache, where: CaseFilter | None) -> list[Match]:  # noqa: ANN001
    """Nearest cases by image embedding (needs the model). Raises ``MedragError`` for a bad image."""
    from medrag_core.retrieval import retrieve
    from medrag_core.workflow import precompute_image_embedding

    if embedder is None:
        raise EmbedderError("Searching by image needs the embedding model, which is not available.")
    _sha, vector = precompute_image_embedding(image_bytes, settings, embedder, cache)
    return retrieve(
        store, image_embedding=vector, text_embedding=None, query_text=None,
        settings=settings, embed_model=embedder.name, where=where, k=max(settings.top_k, 12),
    )


def neighbours(store, embedder, settings, case: Case, cache, where: CaseFilter | None = None) -> list[Match]:  # noqa: ANN001
    """The case's nearest archive cases by its image (when it has one and the model is available)
    and its report text, fused; the case itself is left out."""
    from medrag_core.retrieval import retrieve
    from medrag_core.workflow import precompute_image_embedding

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
