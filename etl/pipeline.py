"""The ingest pipeline: source -> shard filter -> skip done -> decode (pool) -> embed -> write.

``run_ingest`` streams a source in batches of ``batch_size`` records. While the model embeds and the
store writes batch k, a worker pool decodes and resizes batch k+1, so at most two batches are in
memory whatever the source's size. Each batch is written in one transaction together with the
shard's progress row (``ingest_progress``: how many source records are handled), so a run killed
at any moment resumes after the last committed batch, with no duplicate and no half-written case.

Skipping is cheap: records before the recorded position are passed over without decoding, and the
remaining ids of a batch are looked up once; cases already stored are skipped unless ``reembed``.

Without a model (``embedder=None``: weights not downloaded yet) the same run stores cases, report
text, images, thumbnails and the full-text index with both embeddings empty; ``etl embed``
(``etl.embed.run_embed``) fills them in later. Per-case failures (bad image, embedding failure) are counted and logged
with the case id and an error code only, never report text or DICOM header values.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Literal

import numpy as np

from medrag_core.embedding import Embedder
from medrag_core.errors import ConfigError
from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import CaseRecord, CaseStore

from . import progress_store
from .prepare import Prepared, PrepareOptions, prepare
from .report import IngestProgress, IngestReport
from .sources import BadItem, Source, SourceItem, SourceRecord, parse_source, shard_of

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 256  # cases per transaction (and per decode batch)
PoolKind = Literal["thread", "process"]
#: Both engines refuse ``--reembed`` without a model before any write: it would erase vectors.
REEMBED_NEEDS_MODEL = ("Re-embedding needs the embedding model, which is not available. Download it first "
                       "(see the README), then run: .venv/bin/python -m etl embed --reembed")


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> ``(i, n)`` with 0 <= i < n; raises ``ValueError`` with a readable message."""
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise ValueError(f"shard must look like i/n (e.g. 0/4), got {text!r}") from None
    if not sep or n < 1 or not 0 <= i < n:
        raise ValueError(f"shard must be i/n with 0 <= i < n, got {text!r}")
    return i, n


@dataclass
class _Batch:
    """Records of one transaction: the items to embed (with their decode futures), and where the
    source position stands after the batch."""

    futures: list[Future]
    end_position: int
    errors: int = 0


def run_ingest(
    source_spec: str | Source,
    settings: Settings,
    *,
    store: CaseStore,
    embedder: Embedder | None,
    limit: int | None = None,
    shard: tuple[int, int] = (0, 1),
    batch_size: int = DEFAULT_BATCH_SIZE,
    reembed: bool = False,
    on_progress: Callable[[IngestProgress], None] | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    pool: PoolKind = "thread",
) -> IngestReport:
    """Ingest ``source_spec`` (a spec string, see ``etl.sources``, or a parsed source) into ``store``.

    ``limit``: only the first ``limit`` records of the source (each shard takes its part of them).
    ``shard=(i, n)``: only records whose ``shard_of(case_id, n) == i``; several processes with
    different ``i`` may write into one database at once. ``reembed``: recompute and overwrite cases
    already stored. ``embedder=None``: no model available; cases are stored without embeddings
    (``IngestReport.embed_model`` is None) and ``reembed`` is refused (it would erase vectors).
    ``on_progress`` is called after every committed batch; setting ``cancel`` stops
    the run after the batch in flight is written (resumable like any other stop).
    Raises ``SourceError`` for a bad or unreachable source and ``StoreError`` when writing fails.
    """
    if embedder is None and reembed:
        raise ConfigError(REEMBED_NEEDS_MODEL)
    if isinstance(source_spec, str):
        source = parse_source(source_spec, hf_token=_token(settings), settings=settings)
    else:
        source = source_spec
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard must be (i, n) with 0 <= i < n, got {shard}")
    batch_size = max(1, int(batch_size))
    shard_key = f"{index}/{count}"
    report = IngestReport(source=source.name, shard=(index, count),
                          embed_model=embedder.name if embedder is not None else None,
                          without_embeddings=embedder is None)
    started = time.monotonic()
    hint = _total_hint(source, limit, count)
    options = PrepareOptions(
        resize_mode=embedder.resize_mode if embedder is not None else settings.resize_mode,
        image_size=embedder.image_size if embedder is not None else 0,
        max_pixels=settings.max_image_pixels,
        model_input=embedder is not None,
    )
    model = embedder.name if embedder is not None else settings.embed_model
    start = progress_store.resume_position(store, source, shard_key, reembed=reembed)
    if start:
        log.info("resuming %s shard %s after record %d", source.key, shard_key, start)
    workers = workers or min(4, os.cpu_count() or 1)
    executor: Executor = (ProcessPoolExecutor if pool == "process" else ThreadPoolExecutor)(max_workers=workers)
    pending: _Batch | None = None
    try:
        for position, chunk in source_chunks(source, limit, batch_size, index, count, report, start):
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            batch = _submit(chunk, position, executor, options, store, model, reembed, report)
            if pending is not None:  # embed + write batch k while the pool decodes batch k+1
                _finish(pending, report, store=store, embedder=embedder, settings=settings,
                        source_key=source.key, shard_key=shard_key, started=started)
                _notify(on_progress, report, hint)
            pending = batch
        else:
            report.finished = True
        if pending is not None:
            _finish(pending, report, store=store, embedder=embedder, settings=settings, source_key=source.key,
                    shard_key=shard_key, started=started, done=report.finished and limit is None)
            _notify(on_progress, report, hint)
    finally:
        for future in pending.futures if pending is not None else ():
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
    if report.written:  # every caller (CLI, Dataset Admin) gets statistics that include the new cases
        progress_store.refresh_statistics(store)
    report.elapsed_s = time.monotonic() - started
    log.info("%s", report.summary())
    return report


def _token(settings: Settings) -> str | None:
    return settings.hf_token.get_secret_value() if settings.hf_token is not None else None


def _total_hint(source: Source, limit: int | None, count: int) -> int | None:
    size = source.size_hint()
    if limit is not None:
        size = limit if size is None else min(size, limit)
    return None if size is None else -(-size // count)


def source_chunks(
    source: Source, limit: int | None, batch_size: int, index: int, count: int, report: IngestReport, start: int,
) -> Iterator[tuple[int, list[SourceRecord]]]:
    """Batches of this shard's records not yet handled, each with the source position after it
    (``seen`` and ``skipped`` counted into ``report``). Shared by both engines.

    A final empty batch carries the position to the end of the source (so that progress reaches
    it even when the last records belong to other shards or were already done).
    """
    records: Iterator[SourceRecord] = source.items()
    if limit is not None:
        records = islice(records, limit)
    chunk: list[SourceRecord] = []
    position = 0
    for position, record in enumerate(records, start=1):
        ref = record.case_id if isinstance(record, SourceItem) else record.ref
        if shard_of(ref, count) != index:
            continue
        report.seen += 1
        if position <= start:
            report.skipped += 1
            continue
        chunk.append(record)
        if len(chunk) >= batch_size:
            yield position, chunk
            chunk = []
    if chunk or position > start:
        yield max(position, start), chunk


def _submit(
    chunk: Sequence[SourceRecord], position: int, executor: Executor, options: PrepareOptions,
    store: CaseStore, model: str, reembed: bool, report: IngestReport,
) -> _Batch:
    items, errors = screen_records(chunk, store, model, reembed, report)
    return _Batch(futures=[executor.submit(prepare, item, options) for item in items], end_position=position,
                  errors=errors)


def screen_records(
    chunk: Sequence[SourceRecord], store: CaseStore, model: str, reembed: bool, report: IngestReport,
) -> tuple[list[SourceItem], int]:
    """The items of ``chunk`` to decode and embed, and how many records were errors.

    Unreadable records are counted as errors, records with neither image nor text as empty, and
    (unless ``reembed``) ids already stored by this model as skipped, all into ``report``.
    Shared by both engines (``etl.engines.ray`` calls it in its read task).
    """
    errors = 0
    items: list[SourceItem] = []
    for record in chunk:
        if isinstance(record, BadItem):
            _count_error(report, record.ref, "source_" + record.reason.replace(" ", "_"))
            errors += 1
        elif not record.has_image and not record.has_text:
            report.empty += 1
        else:
            items.append(record)
    if not reembed and items:
        done = progress_store.done_ids(store, [i.case_id for i in items])
        report.skipped += sum(1 for i in items if i.case_id in done)
        items = [i for i in items if i.case_id not in done]
    return items, errors


def _finish(
    batch: _Batch, report: IngestReport, *, store: CaseStore, embedder: Embedder | None, settings: Settings,
    source_key: str, shard_key: str, started: float, done: bool = False,
) -> None:
    prepared, errors = keep_prepared([future.result() for future in batch.futures], report)
    records, failed = embed_records(prepared, embedder, settings.embed_batch_size, report)
    batch.errors += errors + failed
    written = progress_store.write(
        store, records, embed_model=embedder.name if embedder is not None else settings.embed_model,
        source_key=source_key, shard=shard_key,
        source=report.source, position=batch.end_position, errors=batch.errors, done=done,
    )
    report.written += written
    report.elapsed_s = time.monotonic() - started


def keep_prepared(results: Sequence[Prepared], report: IngestReport) -> tuple[list[Prepared], int]:
    """The prepared cases of one batch worth embedding, and how many failed to decode.

    Failures are counted into ``report`` by code; a case id repeated within the batch keeps its last
    record and is counted as a duplicate. Shared by both engines.
    """
    prepared: list[Prepared] = []
    errors = 0
    for result in results:
        if result.error:
            _count_error(report, result.item.case_id, result.error)
            errors += 1
        else:
            prepared.append(result)
    unique = list({p.item.case_id: p for p in prepared}.values())  # a repeated id: the last one wins
    if len(unique) < len(prepared):  # counted and logged, never silently collapsed
        report.duplicates += len(prepared) - len(unique)
        log.warning("%d record(s) repeat a case id within one batch; the last of each was kept",
                    len(prepared) - len(unique))
    return unique, errors


def embed_records(
    prepared: Sequence[Prepared], embedder: Embedder | None, embed_batch_size: int, report: IngestReport,
) -> tuple[list[CaseRecord], int]:
    """Embed a batch's images and texts (sub-batches of ``embed_batch_size``) into store records;
    a case whose embedding failed is counted into ``report`` (``embed_failed``) and left out.
    Returns the records and how many failed. Shared by both engines. ``embedder=None`` (no model yet):
    records without embeddings, for ``etl embed`` to fill later."""
    if embedder is None:
        return [_record(p, None, None, None) for p in prepared], 0
    image_vecs = _embed_images(prepared, embedder, embed_batch_size)
    text_vecs = _embed_texts(prepared, embedder, embed_batch_size)
    records: list[CaseRecord] = []
    failed = 0
    for p in prepared:
        ivec = image_vecs.get(id(p)) if p.model_input is not None else None
        tvec = text_vecs.get(p.text) if p.text else None
        if (p.model_input is not None and ivec is None) or (p.text and tvec is None):
            _count_error(report, p.item.case_id, "embed_failed")
            failed += 1
            continue
        records.append(_record(p, ivec, tvec, embedder.name))
    return records, failed


def _record(
    p: Prepared, image_vec: np.ndarray | None, text_vec: np.ndarray | None, model: str | None
) -> CaseRecord:
    item = p.item
    case = Case(
        case_id=item.case_id, source=item.source, study_id=item.study_id, findings=item.findings,
        impression=item.impression, indication=item.indication, comparison=item.comparison, view=item.view,
        labels=p.labels, image_sha256=p.sha256, has_image_embedding=image_vec is not None,
        has_text_embedding=text_vec is not None, embed_model=model, metadata=dict(item.metadata),
    )
    return CaseRecord(case=case, image_bytes=p.stored, image_mime=p.mime, thumbnail=p.thumbnail,
                      image_embedding=image_vec, text_embedding=text_vec)


def _embed_images(prepared: Sequence[Prepared], embedder: Embedder, size: int) -> dict[int, np.ndarray]:
    """id(Prepared) -> unit vector; a failing sub-batch is retried one image at a time."""
    todo = [p for p in prepared if p.model_input is not None]
    out: dict[int, np.ndarray] = {}
    for start in range(0, len(todo), size):
        group = todo[start : start + size]
        for p, vec in zip(group, _embed_group([p.model_input for p in group], embedder.embed_images), strict=True):
            if vec is not None:
                out[id(p)] = vec
    return out


def _embed_texts(prepared: Sequence[Prepared], embedder: Embedder, size: int) -> dict[str, np.ndarray]:
    """text -> unit vector, each distinct text once (a study's images share one report)."""
    texts = list(dict.fromkeys(p.text for p in prepared if p.text))
    out: dict[str, np.ndarray] = {}
    for start in range(0, len(texts), size):
        group = texts[start : start + size]
        for text, vec in zip(group, _embed_group(group, embedder.embed_texts), strict=True):
            if vec is not None:
                out[text] = vec
    return out


def _embed_group(inputs: list, fn: Callable[[Sequence], np.ndarray]) -> list[np.ndarray | None]:
    try:
        return list(np.asarray(fn(inputs), dtype=np.float32))
    except Exception as exc:
        if len(inputs) == 1:
            log.warning("embedding failed (%s)", type(exc).__name__)
            return [None]
        return [v for x in inputs for v in _embed_group([x], fn)]


def _count_error(report: IngestReport, ref: str, code: str) -> None:
    report.errors += 1
    report.error_codes[code] += 1
    log.warning("case %s skipped: %s", ref, code)


def _notify(on_progress: Callable[[IngestProgress], None] | None, report: IngestReport, hint: int | None) -> None:
    if on_progress is not None:
        on_progress(report.progress(hint))
