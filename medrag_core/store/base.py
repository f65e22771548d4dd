"""What a case archive offers, as small capability protocols, and the record checks both stores share.

``CaseStore`` is what every store does (read, vector search, text search, write, close); the others
are capabilities a store declares when it has them, and callers test for with ``isinstance``:

- ``CaseReader`` / ``VectorSearch`` / ``TextSearch`` / ``CaseWriter``: the parts of ``CaseStore``
  (a function that only reads asks for a ``CaseReader``);
- ``TermPruning``: full-text search that can drop too-common query terms (``text_search(max_df=)``);
- ``IndexAdmin``: builds and drops the HNSW indexes, refreshes planner statistics;
- ``SourceAdmin``: deletes a source or everything;
- ``ProgressLog``: records ETL progress in the same transaction as a batch (resumable ingests);
- ``SqlFunctions``: calls the jsonb SQL functions by name (the verification history, ``sql/010``);
- ``ServerOwner``: started a database server of its own (the embedded Postgres) and can let it go;
- ``EmbeddingFill``: finds cases without embeddings and writes vectors onto stored cases (``etl embed``);
- ``ParallelReads``: serves ``max_parallel_reads`` calls at once (the hybrid search's lists run side by side).

``PostgresStore`` declares all of them; ``SupabaseStore`` (REST) ``CaseStore``, ``SqlFunctions`` and
``ParallelReads``. The factory ``open_store`` is in the package face (``medrag_core.store``), so this
module imports no backend.

Scores are inner products of L2-normalised vectors (cosine similarity), higher is closer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import numpy as np

from medrag_core.errors import DimensionMismatch, ModelMismatch, StoreError
from medrag_core.models import Case
from medrag_core.settings import Settings

# HNSW ef_search when a store is built without Settings (tests, bench): MEDRAG_EF_SEARCH's default, so
# the value lives in one place. ``open_store`` passes ``settings.ef_search``.
DEFAULT_EF_SEARCH: int = Settings.model_fields["ef_search"].default


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
    """``with_text``: cases with report text (None when the store cannot tell). The ``missing_*``
    properties count cases that still need an embedding (``etl embed`` computes them)."""

    total_cases: int = 0
    with_image: int = 0
    with_image_embedding: int = 0
    with_text_embedding: int = 0
    per_source: dict[str, int] = field(default_factory=dict)
    per_label: dict[str, int] = field(default_factory=dict)  # cases per label (findings read, MeSH headings)
    embed_model: str | None = None
    dimension: int | None = None
    index_state: dict[str, str] = field(default_factory=dict)
    with_text: int | None = None
    # per kind: the ef_search measured on the archive's own vectors after the last index build (sql/012)
    ef_choice: dict[str, EfChoice] = field(default_factory=dict)

    @property
    def missing_image_embedding(self) -> int:
        return max(0, self.with_image - self.with_image_embedding)

    @property
    def missing_text_embedding(self) -> int | None:
        return None if self.with_text is None else max(0, self.with_text - self.with_text_embedding)


# The ef_search values tried, lowest first, when choosing one on the archive's own vectors; 1000 is
# pgvector's maximum. Recall@10 target of that choice (the workbench's rule since bench/retrieval.py).
EF_LADDER: tuple[int, ...] = (40, 64, 100, 200, 300, 500, 1000)
EF_RECALL_TARGET: float = 0.98
#: The vector index kinds ``reindex`` builds: ``hnsw`` on the halfvec column, or ``binary``, HNSW on the
#: vector's sign bits (Hamming) with the candidates re-ranked exactly (sql/015).
INDEX_METHODS: tuple[str, ...] = ("hnsw", "binary")
# The candidate counts tried for a binary index (re-ranked exactly, so more candidates only cost time);
# above 1000 pgvector's iterative scan goes on past ef_search. Used unmeasured: 400 (recall 0.996 at 30k).
BINARY_LADDER: tuple[int, ...] = (100, 200, 400, 800, 1600, 3200)
DEFAULT_BINARY_CANDIDATES: int = 400
#: A filtered kNN whose filter keeps at most this many embedded rows is answered exactly (the rows through
#: the label/source indexes, ordered by exact inner product: recall 1.0), not through the vector index,
#: whose iterative scan misses neighbours behind rare filters. Counted per query by a bounded probe
#: (``LIMIT`` this + 1). Measured at 100k cases on 2 cores (docs/benchmarks.md, "Filtered search answered
#: exactly"): the exact scan costs 10-14 us a matching row (811 rows 11.3 ms, 2,451 rows 24.7 ms, 33k-39k
#: rows 11-12 us a row) and the unfiltered HNSW top-10 (ef_search 300) 22.8 ms p50 in the same phase, so
#: about 2,000 rows cost what the unfiltered search does. Larger archives search more slowly unfiltered:
#: this bound is conservative there.
EXACT_FILTER_MAX_ROWS: int = 2_000


@dataclass(frozen=True)
class EfChoice:
    """How one vector index is searched, measured on the archive's own vectors: for an HNSW index the
    lowest ef_search of ``ladder`` whose mean recall@10 against an exact scan, over ``queries`` of the
    archive's own vectors as queries, reached ``target``; for a binary index (``method`` "binary") the
    lowest count of ``candidates`` re-ranked exactly that did. ``exact`` when none did up to the cap
    (searches then scan exactly). ``ladder`` holds (ef_search or candidates, recall) as tried; ``recall``
    None: built without a measurement."""

    kind: str
    ef_search: int | None
    exact: bool
    recall: float | None
    target: float
    queries: int
    rows_indexed: int
    ladder: tuple[tuple[int, float], ...]
    measured_at: datetime | None = None
    method: str = "hnsw"
    candidates: int | None = None

    def describe(self) -> str:
        """One line for ``etl stats``, the Dataset Admin page and logs."""
        tried = ", ".join(f"{ef}: {r:.3f}" for ef, r in self.ladder)
        where = f"on {self.queries} of the archive's own vectors ({self.rows_indexed} indexed)"
        if self.method == "binary":
            if self.recall is None:
                return (f"binary index, {self.candidates} candidates re-ranked exactly: recall not measured "
                        "(run etl reindex --method binary to measure it)")  # fmt: skip
            if self.exact:
                cap = self.ladder[-1][0] if self.ladder else "?"
                return (f"exact scan: the binary index with {cap} candidates re-ranked reached recall@10 "
                        f"{self.recall:.3f} (< {self.target}) {where}; rebuild it as HNSW (etl reindex) or with a "
                        f"larger m (etl reindex --method binary --m 32). Tried {tried}")  # fmt: skip
            return (f"binary index, {self.candidates} candidates re-ranked exactly: recall@10 {self.recall:.3f}"
                    f" (target {self.target}) {where}. Tried {tried}")  # fmt: skip
        if self.exact:
            cap = self.ladder[-1][0] if self.ladder else "?"
            return (f"exact scan: the HNSW index reached recall@10 {self.recall:.3f} at ef_search {cap} "
                    f"(< {self.target}) {where}; rebuild it with a larger m (etl reindex --m 32) or as a "
                    f"binary index (etl reindex --method binary). Tried {tried}")  # fmt: skip
        return f"ef_search {self.ef_search}: recall@10 {self.recall:.3f} (target {self.target}) {where}. Tried {tried}"


@dataclass(frozen=True)
class IngestProgress:
    """One row of ``ingest_progress``: how far a run over ``source_key`` / ``shard`` got."""

    source_key: str
    shard: str
    source: str | None
    position: int
    rows_written: int
    errors: int
    done: bool
    updated_at: datetime


@runtime_checkable
class CaseReader(Protocol):
    """Reading cases, their images and counts."""

    def get(self, case_ids: Sequence[str]) -> list[Case]:
        """Cases in the order asked; unknown ids are skipped."""
        ...

    def get_image(self, image_sha256: str) -> bytes | None:
        """The stored image bytes with this sha256, or None."""
        ...

    def get_thumbnail(self, case_id: str) -> bytes | None:
        """The case's small PNG for galleries, or None."""
        ...

    def get_embedding(self, case_id: str, kind: str) -> np.ndarray | None:
        """A stored case's float32 ``kind`` ("image" or "text") embedding, or None."""
        ...

    def existing_ids(self, case_ids: Sequence[str]) -> set[str]:
        """The subset of ``case_ids`` already stored."""
        ...

    def count(self, where: CaseFilter | None = None) -> int:
        """How many cases (matching ``where``): one cheap count, for status lines on every page run."""
        ...

    def stats(self) -> StoreStats:
        """Totals, per-source counts, model and index state (several scans: for admin views)."""
        ...


@runtime_checkable
class VectorSearch(Protocol):
    """Nearest neighbours by embedding."""

    def knn(
        self, kind: str, query: np.ndarray, k: int, *, embed_model: str, where: CaseFilter | None = None
    ) -> list[ScoredCase]:
        """Top-k by ``kind`` = "image" or "text" embedding, best first.

        Raises ``ModelMismatch`` / ``DimensionMismatch`` when the query's model or size is not the store's.
        """
        ...


@runtime_checkable
class TextSearch(Protocol):
    """Full-text search over findings + impression, and search by labels (both work without embeddings)."""

    def label_search(self, labels: Sequence[str], k: int, *, where: CaseFilter | None = None) -> list[ScoredCase]:
        """Up to ``k`` cases that carry every one of ``labels`` (and match ``where``), score 1.0, in no
        particular order: served by the labels index, stopping at ``k`` rows, whatever the archive size."""
        ...

    def text_search(
        self, query: str, k: int, *, where: CaseFilter | None = None, max_df: float | None = None
    ) -> list[ScoredCase]:
        """Best first, English stemming, web-search syntax ("quoted phrase", or, -not).

        ``max_df``: a hint for hybrid retrieval that the store may drop the query's ``or`` alternatives
        found in more than this share of the archive (they do not discriminate, and ranking them costs
        time linear in the archive), and may rank only a bounded number of the matches, so that the
        time stays flat as the archive grows. None (the default) searches the query as given. A store that
        declares ``TermPruning`` honours it; the others search the query as given.
        """
        ...


@runtime_checkable
class CaseWriter(Protocol):
    """Writing cases."""

    def upsert(self, records: Sequence[CaseRecord], *, embed_model: str) -> int:
        """Insert or replace cases by ``case_id``; returns how many rows were written."""
        ...


@runtime_checkable
class CaseStore(CaseReader, VectorSearch, TextSearch, CaseWriter, Protocol):
    """What every store does: read, search by vector and by text, write, and close its connections."""

    def close(self) -> None:
        """Release connections (an embedded server keeps running for other users)."""
        ...


@runtime_checkable
class SqlFunctions(Protocol):
    """A store that calls the jsonb-returning SQL functions (``history_*``) with named arguments."""

    def call_function(self, name: str, params: dict[str, Any]) -> Any:
        """The function's value, parsed from JSON."""
        ...


@runtime_checkable
class EmbeddingFill(Protocol):
    """A store that fills in missing embeddings in place (cases ingested without the model)."""

    def count_missing_embeddings(self) -> int:
        """Cases that lack an image embedding (having an image) or a text embedding (having text)."""
        ...

    def ids_missing_embeddings(self, *, after: str | None, limit: int) -> list[str]:
        """Up to ``limit`` ids of such cases, in case id order, after ``after`` (keyset paging)."""
        ...

    def write_embeddings(
        self, updates: Sequence[tuple[str, np.ndarray | None, np.ndarray | None]], *, embed_model: str
    ) -> int:
        """Set ``(case_id, image vector or None, text vector or None)`` on stored cases; returns rows updated."""
        ...

    def clear_embeddings(self) -> int:
        """Drop every stored vector and unbind the model; returns the cases cleared."""
        ...


@runtime_checkable
class ServerOwner(Protocol):
    """A store that started a database server for this process (the embedded Postgres)."""

    def release_server(self) -> None:
        """This process is done with the server: it stops when no other process uses it."""
        ...


@runtime_checkable
class ParallelReads(Protocol):
    """A store that serves several calls at once (a connection each): the hybrid search runs its
    candidate lists side by side on it."""

    max_parallel_reads: int


@runtime_checkable
class TermPruning(Protocol):
    """A store whose ``text_search(max_df=)`` drops too-common terms, judged from planner statistics."""

    def prune_query(self, query: str, max_df: float) -> str:
        """The query ``text_search(..., max_df=max_df)`` runs: ``query`` less its too-common alternatives."""
        ...

    def analyze(self) -> None:
        """Refresh the statistics the pruning reads (ETL calls it after an ingest)."""
        ...


@runtime_checkable
class IndexAdmin(Protocol):
    """A store that builds its vector indexes on request."""

    def reindex(
        self, m: int = 16, ef_construction: int = 64, kinds: Sequence[str] = ("image", "text"), *,
        tune_queries: int = 300, method: str = "hnsw",
    ) -> dict[str, str]:
        """(Re)build the vector indexes (``method``: one of ``INDEX_METHODS``) and choose how each is
        searched on ``tune_queries`` of the archive's own vectors (``EfChoice``, in ``stats().ef_choice``);
        returns the index state per kind."""
        ...

    def drop_index(self) -> None:
        """Drop the vector indexes (searches fall back to exact scans)."""
        ...


@runtime_checkable
class SourceAdmin(Protocol):
    """A store that deletes whole sources."""

    def delete_source(self, name: str) -> int:
        """Delete every case of source ``name`` and what only it used; returns the cases deleted."""
        ...

    def truncate_all(self) -> None:
        """Delete every case, image and progress row and unbind the model."""
        ...


@runtime_checkable
class ProgressLog(Protocol):
    """A store that records ETL progress, in the same transaction as the batch it belongs to."""

    def upsert(
        self, records: Sequence[CaseRecord], *, embed_model: str, progress: tuple[Any, ...] | None = None
    ) -> int:
        """``upsert`` that also records ``progress=(source_key, shard, position[, errors])``."""
        ...

    def set_progress(
        self, source_key: str, shard: str, position: int, *, done: bool = False, errors: int = 0, rows: int = 0,
        source: str | None = None,
    ) -> None:  # fmt: skip
        """Record that ``position`` items of ``source_key``/``shard`` are processed (``errors`` and ``rows``
        add to the counts)."""
        ...

    def get_progress(self, source_key: str, shard: str = "0/1") -> int | None:
        """Items already processed for ``source_key``/``shard``, or None when never started."""
        ...

    def list_progress(self) -> list[IngestProgress]:
        """Every recorded run, by source key and shard."""
        ...

    def reset_progress(self, source_key: str | None = None) -> int:
        """Forget progress for ``source_key`` (all when None); returns rows removed."""
        ...


def as_vector(value: Any, what: str) -> np.ndarray:
    """A finite, non-empty 1-d float32 array, or a typed error naming ``what``."""
    arr = np.asarray(value, dtype=np.float32)
    if arr.ndim != 1 or arr.size == 0:
        raise DimensionMismatch(f"{what} must be a 1-d vector; found shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise StoreError(f"{what} contains NaN or infinite values; it was not stored or searched.")
    return arr


@dataclass(frozen=True)
class CheckedRecord:
    """A record that passed ``check_records``: validated float32 vectors (or None) and the sha256 of
    its image (from its bytes, else the ``image_sha256`` it references, else None)."""

    record: CaseRecord
    image_embedding: np.ndarray | None
    text_embedding: np.ndarray | None
    image_sha256: str | None

    @property
    def case(self) -> Case:
        return self.record.case

    @property
    def has_embedding(self) -> bool:
        return self.image_embedding is not None or self.text_embedding is not None


@dataclass
class CheckedBatch:
    """What a store writes for one ``upsert``: the records (last one wins per case id), the image bytes
    to store once per sha256, the images referenced without bytes, and the one embedding size."""

    records: list[CheckedRecord] = field(default_factory=list)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # sha256 -> (mime, bytes)
    need_images: dict[str, str] = field(default_factory=dict)  # sha256 -> a case id that references it
    dim: int | None = None  # None when no record has an embedding

    def images_to_look_up(self) -> set[str]:
        """Referenced images whose bytes are not in this batch: they must already be stored."""
        return set(self.need_images) - set(self.images)

    def require_stored(self, found: set[str]) -> None:
        """Raise ``StoreError`` naming the cases whose referenced image is neither here nor in ``found``."""
        missing = self.images_to_look_up() - found
        if missing:
            ids = sorted(self.need_images[s] for s in missing)[:5]
            raise StoreError(f"Cases {', '.join(ids)} reference images that are not stored; pass their bytes.")


def check_records(records: Sequence[CaseRecord], embed_model: str) -> CheckedBatch:
    """Validate records before any write (the same rules for every store): the last record per case id
    wins; vectors are finite 1-d float32 of one size; a case's own ``embed_model``, when set, is
    ``embed_model``; image bytes are hashed and must match a given ``image_sha256``."""
    batch, dims = CheckedBatch(), set()
    for cid, rec in {r.case.case_id: r for r in records}.items():
        image_vec, text_vec = (
            None if e is None else as_vector(e, f"Case {cid}'s {kind} embedding")
            for kind, e in (("image", rec.image_embedding), ("text", rec.text_embedding))
        )
        dims.update(v.size for v in (image_vec, text_vec) if v is not None)
        has_vec = image_vec is not None or text_vec is not None
        if has_vec and rec.case.embed_model not in (None, embed_model):
            raise ModelMismatch(
                f"Case {cid} says its embeddings come from '{rec.case.embed_model}', not '{embed_model}'."
            )
        sha = rec.case.image_sha256
        if rec.image_bytes is not None:
            digest = hashlib.sha256(rec.image_bytes).hexdigest()
            if sha not in (None, digest):
                raise StoreError(f"Case {cid}: image_sha256 does not match the sha256 of its image bytes.")
            sha = digest
            batch.images[sha] = (rec.image_mime or "application/octet-stream", rec.image_bytes)
        elif sha is not None:
            batch.need_images[sha] = cid
        batch.records.append(CheckedRecord(rec, image_vec, text_vec, sha))
    if len(dims) > 1:
        raise DimensionMismatch(f"One batch mixes embedding sizes {sorted(dims)}; all must be the same.")
    batch.dim = dims.pop() if dims else None
    return batch


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
