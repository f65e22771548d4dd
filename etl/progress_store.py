"""What the pipeline asks of a store beyond ``CaseStore``, with fallbacks for stores without it.

``PostgresStore`` records ingest progress (``ingest_progress``) in the same transaction as a batch
(``upsert(..., progress=(key, shard, position, errors))``) and answers ``existing_ids`` with one
query. A store without these (e.g. a REST store) still ingests idempotently: every run rereads the
source and skips ids that ``get`` finds with this model's embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence

from medrag_core.store import CaseRecord, CaseStore


def supports_progress(store: CaseStore) -> bool:
    return hasattr(store, "get_progress") and hasattr(store, "set_progress")


def position(store: CaseStore, source_key: str, shard: str) -> int:
    """Source records already handled by earlier runs of this source and shard (0 when none)."""
    if not supports_progress(store):
        return 0
    return int(store.get_progress(source_key, shard) or 0)


def done_ids(store: CaseStore, case_ids: Sequence[str], embed_model: str) -> set[str]:
    """The subset of ``case_ids`` already stored (by ``embed_model``: a store holds one model only)."""
    if not case_ids:
        return set()
    if hasattr(store, "existing_ids"):
        return set(store.existing_ids(case_ids))
    return {c.case_id for c in store.get(case_ids) if c.embed_model in (None, embed_model)}


def write(
    store: CaseStore, records: Sequence[CaseRecord], *, embed_model: str, source_key: str, shard: str,
    source: str, position: int, errors: int, done: bool,
) -> int:
    """Upsert ``records`` and, where supported, the progress ``position`` in one transaction."""
    if not supports_progress(store):
        return store.upsert(records, embed_model=embed_model) if records else 0
    written = store.upsert(records, embed_model=embed_model, progress=(source_key, shard, position, errors))
    if done:
        store.set_progress(source_key, shard, position, done=True, source=source)
    return written


def advance(store: CaseStore, *, source_key: str, shard: str, source: str, position: int, rows: int, errors: int,
            done: bool = False) -> None:
    """Record progress apart from the rows, where supported: the Ray engine's writers commit the rows,
    and its driver moves ``position`` only over blocks whose rows are all committed (``rows`` and
    ``errors`` add to the counts)."""
    if supports_progress(store):
        store.set_progress(source_key, shard, position, rows=rows, errors=errors, source=source, done=done)


def reset(store: CaseStore, source_key: str | None = None) -> int:
    """Forget recorded progress (all sources when None); the next run rereads and skips by id."""
    return int(store.reset_progress(source_key)) if hasattr(store, "reset_progress") else 0


def refresh_statistics(store: CaseStore) -> None:
    """Fresh planner statistics after cases were written, where the store can (hybrid retrieval's
    full-text pruning reads them); other stores leave it to their own maintenance."""
    if hasattr(store, "analyze"):
        store.analyze()
