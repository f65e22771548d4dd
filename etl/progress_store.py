"""What the pipeline asks of a store beyond ``CaseStore``, by the capabilities the store declares.

A store that declares ``ProgressLog`` (``PostgresStore``) records ingest progress
(``ingest_progress``) in the same transaction as a batch (``upsert(..., progress=(key, shard,
position, errors))``). A store without it (the REST store) still ingests idempotently: every run
rereads the source and skips the ids ``existing_ids`` finds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from medrag_core.store import CaseRecord, CaseStore, ProgressLog, TermPruning

if TYPE_CHECKING:
    from .sources import Source


def position(store: CaseStore, source_key: str, shard: str) -> int:
    """Source records already handled by earlier runs of this source and shard (0 when none)."""
    if not isinstance(store, ProgressLog):
        return 0
    return int(store.get_progress(source_key, shard) or 0)


def resume_position(store: CaseStore, source: Source, shard: str, *, reembed: bool = False) -> int:
    """Where a run of ``source`` starts skipping nothing: its recorded position, or 0 when re-embedding or
    when the source says its order may change between runs (``resumes_by_position = False``, e.g. a PACS
    that gains studies); such a source resumes by case id alone (``done_ids``)."""
    if reembed or not getattr(source, "resumes_by_position", True):
        return 0
    return position(store, source.key, shard)


def done_ids(store: CaseStore, case_ids: Sequence[str]) -> set[str]:
    """The subset of ``case_ids`` already stored (a store holds one model only, so by this model)."""
    return set(store.existing_ids(case_ids)) if case_ids else set()


def write(
    store: CaseStore, records: Sequence[CaseRecord], *, embed_model: str, source_key: str, shard: str,
    source: str, position: int, errors: int, done: bool,
) -> int:
    """Upsert ``records`` and, where the store keeps a ``ProgressLog``, the ``position`` in one transaction."""
    if not isinstance(store, ProgressLog):
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
    if isinstance(store, ProgressLog):
        store.set_progress(source_key, shard, position, rows=rows, errors=errors, source=source, done=done)


def reset(store: CaseStore, source_key: str | None = None) -> int:
    """Forget recorded progress (all sources when None); the next run rereads and skips by id."""
    return int(store.reset_progress(source_key)) if isinstance(store, ProgressLog) else 0


def refresh_statistics(store: CaseStore) -> None:
    """Fresh planner statistics after cases were written, where the store prunes full-text terms by
    them (hybrid retrieval); other stores leave it to their own maintenance."""
    if isinstance(store, TermPruning):
        store.analyze()
