"""The ``CaseStore`` protocol: what retrieval, ETL and pages need from a case archive.

Implementations: ``postgres.PostgresStore`` (psycopg + pgvector; embedded server or any DSN) and
``supabase.SupabaseStore`` (REST/RPC). ``open_store(settings)`` picks one from ``settings.store_backend``.

Scores are inner products of L2-normalised vectors (cosine similarity), higher is closer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from ..errors import DimensionMismatch, ModelMismatch, StoreError
from ..models import Case

if TYPE_CHECKING:
    from ..settings import Settings


@dataclass
class CaseRecord:
    """A case as written by ETL: the ``Case`` plus its image bytes and embeddings.

    ``image_bytes`` is the original upload (PNG/JPEG/DICOM pixel data re-encoded as PNG by ETL, never
    DICOM headers); ``thumbnail`` a small PNG for galleries. Embeddings are float32 unit vectors of
    the store's dimension, or None (text-only cases have no image embedding).
    """

    case: Case
    image_bytes: bytes | None = None
    image_mime: str | None = None
    thumbnail: bytes | None = None
    image_embedding: np.ndarray | None = None
    text_embedding: np.ndarray | None = None


@dataclass(frozen=True)
class CaseFilter:
    """Restricts a search: any of these sources / views, and all of these labels (observations)."""

    sources: tuple[str, ...] = ()
    views: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoredCase:
    case: Case
    score: float


@dataclass
class StoreStats:
    total_cases: int = 0
    with_image: int = 0
    with_image_embedding: int = 0
    with_text_embedding: int = 0
    per_source: dict[str, int] = field(default_factory=dict)
    embed_model: str | None = None
    dimension: int | None = None
    index_state: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class CaseStore(Protocol):
    """Seven methods; conveniences live outside the implementations."""

    def upsert(self, records: Sequence[CaseRecord], *, embed_model: str) -> int:
        """Insert or replace cases by ``case_id``; returns how many rows were written."""
        ...

    def get(self, case_ids: Sequence[str]) -> list[Case]:
        """Cases in the order asked; unknown ids are skipped."""
        ...

    def get_image(self, image_sha256: str) -> bytes | None: ...

    def knn(
        self, kind: str, query: np.ndarray, k: int, *, embed_model: str, where: CaseFilter | None = None
    ) -> list[ScoredCase]:
        """Top-k by ``kind`` = "image" or "text" embedding, best first.

        Raises ``ModelMismatch`` / ``DimensionMismatch`` when the query's model or size is not the store's.
        """
        ...

    def text_search(
        self, query: str, k: int, *, where: CaseFilter | None = None, max_df: float | None = None
    ) -> list[ScoredCase]:
        """Postgres full-text search over findings + impression (works without embeddings).

        ``max_df``: a hint for hybrid retrieval that the store may drop the query's ``or`` alternatives
        found in more than this share of the archive (they do not discriminate, and ranking them costs
        time linear in the archive). None (the default) searches the query as given. ``PostgresStore``
        honours it; ``SupabaseStore`` accepts and ignores it.
        """
        ...

    def stats(self) -> StoreStats:
        """Totals, per-source counts, model and index state (several scans: for admin views)."""
        ...

    def count(self, where: CaseFilter | None = None) -> int:
        """How many cases (matching ``where``): one cheap count, for status lines on every page run."""
        ...


def as_vector(value: Any, what: str) -> np.ndarray:
    """A finite, non-empty 1-d float32 array, or a typed error naming ``what``."""
    arr = np.asarray(value, dtype=np.float32)
    if arr.ndim != 1 or arr.size == 0:
        raise DimensionMismatch(f"{what} must be a 1-d vector; found shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise StoreError(f"{what} contains NaN or infinite values; it was not stored or searched.")
    return arr


def check_embedding_meta(meta: tuple[str, int], model: str, dim: int, action: str) -> None:
    """Raise ``ModelMismatch`` / ``DimensionMismatch`` (naming expected and found) unless
    (model, dim) is what the store holds (``meta``): vectors of two models are never mixed."""
    if model != meta[0]:
        raise ModelMismatch(
            f"This store holds embeddings of model '{meta[0]}'; the {action} uses '{model}'. "
            "Use the same model (MEDRAG_EMBED_MODEL), or re-embed the archive with the new one."
        )
    if dim != meta[1]:
        raise DimensionMismatch(
            f"This store holds {meta[1]}-d embeddings of '{meta[0]}'; the {action} has {dim}-d vectors."
        )


def open_store(settings: Settings) -> CaseStore:
    """The store that ``settings.store_backend`` names (imports the backend lazily)."""
    if settings.store_backend == "supabase":
        from .supabase import SupabaseStore

        return SupabaseStore.from_settings(settings)
    from .postgres import PostgresStore

    return PostgresStore.from_settings(settings)
