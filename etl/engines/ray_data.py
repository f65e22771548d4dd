"""The ingest pipeline on Ray Data: read -> decode (CPU tasks) -> embed (actor pool) -> write (writer actors).

Each stage reuses the local engine's own pieces (``etl.pipeline``), so both engines make the same
records from the same source:

- **read**: one streaming read task walks the source (``source_chunks``: shard filter, resume
  position) and screens each block of ``batch_size`` records (``screen_records``: unreadable records
  counted, empty ones counted, ids already stored skipped with one lookup per block). A block is
  one row: its number, the source position after it, its items, and its counts so far.
- **decode**: stateless CPU tasks run ``prepare`` on every item of a block (decode, thumbnail, the
  model's resize) and ``keep_prepared`` (decode errors counted, repeated ids collapsed). The model
  input travels as uint8 (a quarter of float32; the embed stage restores the identical floats).
- **embed**: an actor pool; each actor loads the model once (one GPU each when the cluster has GPUs,
  bf16 there; otherwise CPU actors with their torch threads pinned) and runs ``embed_records``
  (sub-batches of ``settings.embed_batch_size``, a failing case isolated and counted).
- **write**: a bounded pool of writer actors (one database connection each) upserts each block's
  records by case id in one transaction.

Without a model (``without_embeddings=True``; ``ray_model_problem`` tells, on the driver): as the
local engine does, cases, report text, images, thumbnails and the full-text index are stored with
both embeddings empty for ``etl embed`` to fill later; there is no embed stage (no actor loads a
model) and the decode tasks skip the model's resize.

Progress: blocks finish out of order, so the driver records the source position only over the
prefix of blocks whose rows are all committed (``progress_store.advance``), after the writer's
commit. The position never runs ahead of the rows: a killed driver resumes from it and skips ids
already stored, so nothing is lost or written twice. Ray restarts a killed actor and retries its
block (``max_restarts=-1``, ``max_task_retries=-1`` in Ray Data); the upsert by case id makes the
retried write idempotent, and the driver counts each block once. Memory stays flat through Ray
Data's streaming backpressure and a small in-flight limit per actor.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from medrag_core.errors import ConfigError, MedragError, MissingDependency
from medrag_core.settings import Settings
from medrag_core.store import CaseRecord, CaseStore

from .. import progress_store
from ..pipeline import REEMBED_NEEDS_MODEL, embed_records, keep_prepared, screen_records, source_chunks
from ..prepare import Prepared, PrepareOptions, prepare
from ..report import IngestProgress, IngestReport
from ..sources import Source, parse_source

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

DEFAULT_WRITERS = 2  # database connections held by writer actors (plus one for reads, one for the driver)
DECODE_BYTES_PER_IMAGE = 4 << 20  # a decoded block: stored image, thumbnail, 448x448 input, per image
IN_FLIGHT_PER_ACTOR = 2  # blocks queued at an actor: one running, one ready (flat memory)
_REPO_PACKAGES = ("etl", "medrag_core")  # shipped to a cluster's workers with the job (py_modules)


@dataclass(frozen=True)
class RayPlan:
    """How the stages are laid out on the cluster: embed actors with their resources, writers."""

    embed_actors: int
    embed_cpus: float  # logical CPUs Ray reserves per embed actor
    embed_gpus: float  # 1 per actor on a GPU cluster, else 0
    torch_threads: int  # torch threads per CPU embed actor (0: torch's default on GPU)
    writers: int

    @property
    def device(self) -> str:
        return "cuda" if self.embed_gpus else "cpu"


def plan_stages(resources: Mapping[str, float], *, writers: int = DEFAULT_WRITERS,
                embed_actors: int | None = None) -> RayPlan:  # fmt: skip
    """The stage layout for a cluster with ``resources`` (``ray.cluster_resources()``).

    GPUs: one embed actor per GPU (``num_gpus=1``, one CPU to feed it). CPUs only: one actor per 8
    CPUs, each reserving all but one of its share and pinning that many torch threads, so about one
    CPU in eight is left to decode tasks (decoding costs about 1% of a CPU embedding).
    """
    cpus = max(1, int(resources.get("CPU", 1)))
    gpus = int(resources.get("GPU", 0))
    if gpus:
        return RayPlan(embed_actors=embed_actors or gpus, embed_cpus=1, embed_gpus=1, torch_threads=0,
                       writers=writers)  # fmt: skip
    actors = embed_actors or max(1, cpus // 8)
    share = max(1, cpus // actors)
    return RayPlan(embed_actors=actors, embed_cpus=max(1, share - 1), embed_gpus=0, torch_threads=share,
                   writers=writers)  # fmt: skip


def ray_model_problem(settings: Settings) -> str | None:
    """Why the embed actors could not load the model (None when they can), decided on the driver.

    Weights on disk or in the hub cache: available, nothing is loaded here (each actor loads them).
    Otherwise the local engine's own attempt (``build_embedder``) decides: it downloads the model when
    it can (into the hub cache the actors of a local Ray read) or says why not, in the same words; the
    driver's copy is dropped at once.
    """
    from medrag_core.health import model_availability
    from medrag_core.services import build_embedder

    if model_availability(settings).state == "ok":
        return None
    try:
        build_embedder(settings)
    except MedragError as exc:
        return exc.user_message
    return None


def run_ingest_ray(
    source_spec: str | Source,
    settings: Settings,
    *,
    store: CaseStore,
    limit: int | None = None,
    shard: tuple[int, int] = (0, 1),
    batch_size: int = 256,
    reembed: bool = False,
    on_progress: Callable[[IngestProgress], None] | None = None,
    cancel: threading.Event | None = None,
    address: str | None = None,
    writers: int = DEFAULT_WRITERS,
    embed_actors: int | None = None,
    without_embeddings: bool = False,
) -> IngestReport:
    """``etl.run_ingest`` on Ray Data: same arguments (no decode pool: decoding is Ray's), same report.

    ``address``: None starts a local Ray on this machine (stopped at the end), ``"auto"`` or
    ``"ray://host:10001"`` joins a cluster; a Ray already initialised in this process is used as is.
    ``writers``: writer actors, each holding one database connection. ``store`` is the driver's own
    store (resume position, progress); the read task and the writers build theirs from ``settings``.
    ``without_embeddings``: no model available (``run_ingest``'s ``embedder=None``): cases are stored
    without embeddings, no actor loads a model, and ``reembed`` is refused (it would erase vectors).
    """
    if without_embeddings and reembed:
        raise ConfigError(REEMBED_NEEDS_MODEL)
    ray = _import_ray()
    source = parse_source(source_spec, hf_token=_token(settings)) if isinstance(source_spec, str) else source_spec
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard must be (i, n) with 0 <= i < n, got {shard}")
    if writers < 1:
        raise ValueError(f"writers must be at least 1, got {writers}")
    if address is not None and settings.store_backend == "postgres" and settings.database_url is None:
        raise ConfigError("A Ray cluster's workers cannot reach this machine's embedded database: set "
                          "MEDRAG_DATABASE_URL to a Postgres they can reach (or run without --address).")
    from medrag_core.embedding import embedder_name, model_image_size

    if without_embeddings:  # what the local engine records and prepares when it has no embedder
        model = settings.embed_model
        options = PrepareOptions(resize_mode=settings.resize_mode, image_size=0, max_pixels=settings.max_image_pixels,
                                 model_input=False)  # fmt: skip
    else:
        model = embedder_name(settings)
        options = PrepareOptions(resize_mode=settings.resize_mode, image_size=model_image_size(settings),
                                 max_pixels=settings.max_image_pixels)  # fmt: skip
    shard_key = f"{index}/{count}"
    start = progress_store.resume_position(store, source, shard_key, reembed=reembed)
    if start:
        log.info("resuming %s shard %s after record %d", source.key, shard_key, start)
    report = IngestReport(source=source.name, shard=(index, count), without_embeddings=without_embeddings)
    hint = _total_hint(source, limit, count)
    started = time.monotonic()
    started_ray = _start_ray(ray, address)
    try:
        plan = plan_stages(ray.cluster_resources(), writers=writers, embed_actors=embed_actors)
        log.info("ray plan: %s", plan)
        read = _ReadSpec(source=source, settings=settings, model=model, limit=limit, batch_size=max(1, batch_size),
                         shard=(index, count), start=start, reembed=reembed)  # fmt: skip
        rows = iter(_dataset(ray, read, options, settings, plan, model).iter_rows())
        marks = _Watermark()
        finished = True
        try:
            for row in rows:
                block_report: IngestReport = pickle.loads(row["report"])
                if not marks.add(int(row["block"]), int(row["end"]), int(row["written"]), block_report.errors):
                    continue  # a block a retried read produced again: counted once
                _merge(report, block_report, int(row["written"]))
                step = marks.advance()
                if step is not None:
                    progress_store.advance(store, source_key=source.key, shard=shard_key, source=report.source,
                                           position=step[0], rows=step[1], errors=step[2])  # fmt: skip
                report.elapsed_s = time.monotonic() - started
                if on_progress is not None:
                    on_progress(report.progress(hint))
                if cancel is not None and cancel.is_set():
                    report.cancelled, finished = True, False
                    break
        except Exception as exc:
            cause = _medrag_cause(exc)
            if cause is not None:
                raise cause from None
            raise
        finally:
            close = getattr(rows, "close", None)
            if close is not None:  # stops the execution: nothing keeps running after a cancel or an error
                close()
        if finished:
            report.finished = True
            if limit is None and marks.position is not None:
                progress_store.advance(store, source_key=source.key, shard=shard_key, source=report.source,
                                       position=marks.position, rows=0, errors=0, done=True)  # fmt: skip
    finally:
        if started_ray:
            ray.shutdown()
    if report.written:
        progress_store.refresh_statistics(store)
    report.elapsed_s = time.monotonic() - started
    log.info("%s", report.summary())
    return report


# -- the driver's bookkeeping ------------------------------------------------------------------


@dataclass
class _Watermark:
    """Blocks finished out of order -> the source position over the prefix of finished blocks."""

    next_block: int = 0
    position: int | None = None
    pending: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # block -> (end, rows, errors)

    def add(self, block: int, end: int, rows: int, errors: int) -> bool:
        """Record a finished block; False when it was already counted."""
        if block < self.next_block or block in self.pending:
            return False
        self.pending[block] = (end, rows, errors)
        return True

    def advance(self) -> tuple[int, int, int] | None:
        """(position, rows, errors) newly covered by the prefix, or None when it did not move."""
        rows = errors = 0
        moved = False
        while self.next_block in self.pending:
            end, r, e = self.pending.pop(self.next_block)
            self.position, rows, errors, moved = end, rows + r, errors + e, True
            self.next_block += 1
        return (self.position, rows, errors) if moved and self.position is not None else None


def _merge(total: IngestReport, block: IngestReport, written: int) -> None:
    total.seen += block.seen
    total.skipped += block.skipped
    total.empty += block.empty
    total.errors += block.errors
    total.duplicates += block.duplicates
    total.error_codes.update(block.error_codes)
    total.written += written


def _medrag_cause(exc: BaseException) -> MedragError | None:
    """The ``MedragError`` a worker raised, out of Ray's wrappers (a clear message, not a traceback)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, MedragError) and not type(e).__module__.startswith("ray"):
            return e
        todo += [e.__context__, e.__cause__, getattr(e, "cause", None)]
    return None


def _token(settings: Settings) -> str | None:
    return settings.hf_token.get_secret_value() if settings.hf_token is not None else None


def _total_hint(source: Source, limit: int | None, count: int) -> int | None:
    size = source.size_hint()
    if limit is not None:
        size = limit if size is None else min(size, limit)
    return None if size is None else -(-size // count)


# -- Ray ---------------------------------------------------------------------------------------


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise MissingDependency("ray[data]", "The Ray ingest engine (--engine ray)") from None
    return ray


def _start_ray(ray: Any, address: str | None) -> bool:
    """Start or join Ray unless this process already did; True when this call did (and so stops it)."""
    if ray.is_initialized():
        return False
    root = Path(__file__).resolve().parents[2]
    kwargs: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING,
                              "runtime_env": {"py_modules": [str(root / p) for p in _REPO_PACKAGES]}}  # fmt: skip
    try:
        if address is None:
            ray.init(num_cpus=os.cpu_count() or 1, **kwargs)
        else:
            ray.init(address=address, **kwargs)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        where = address or "this machine"
        raise ConfigError(f"Could not start or join Ray at {where} ({type(exc).__name__}: {exc}).") from None
    return True


@dataclass(frozen=True)
class _ReadSpec:
    source: Source
    settings: Settings
    model: str
    limit: int | None
    batch_size: int
    shard: tuple[int, int]
    start: int
    reembed: bool


def _dataset(ray: Any, read: _ReadSpec, options: PrepareOptions, settings: Settings, plan: RayPlan,
             model: str) -> Any:
    from ray.data import ActorPoolStrategy, DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False  # the CLI draws its own bar (images/s, ETA)
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    # Ray Data counts the read's inputs as its one streaming task, not the blocks that task yields
    # (which are dispatched to the pools as they arrive), so its "pool larger than inputs" warning misleads.
    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
    embed_settings = settings.model_copy(update={"device": plan.device})  # dtype auto: bf16 on GPU, f32 on CPU
    ds = ray.data.read_datasource(_source_blocks(read), override_num_blocks=1, num_cpus=0)
    # A decode task holds one block: its memory request is the block's size, and being unlike the embed
    # actors' requests it also keeps Ray Data from fusing decode into them (it fuses equal requests).
    ds = ds.map_batches(_decode_blocks, fn_args=(options,), batch_size=1, batch_format="pyarrow", num_cpus=1,
                        memory=read.batch_size * DECODE_BYTES_PER_IMAGE)
    if not options.model_input:  # no model: records without embeddings, no embed actors
        ds = ds.map_batches(_records_without_embeddings, batch_size=1, batch_format="pyarrow", num_cpus=1,
                            memory=read.batch_size * DECODE_BYTES_PER_IMAGE)
        return _write_stage(ds, settings, model, plan)
    ds = ds.map_batches(
        _EmbedStage, fn_constructor_args=(embed_settings, plan.torch_threads, options.resize_mode),
        batch_size=1, batch_format="pyarrow", num_cpus=plan.embed_cpus, num_gpus=plan.embed_gpus or None,
        compute=ActorPoolStrategy(size=plan.embed_actors, max_tasks_in_flight_per_actor=IN_FLIGHT_PER_ACTOR),
    )
    return _write_stage(ds, settings, model, plan)


def _write_stage(ds: Any, settings: Settings, model: str, plan: RayPlan) -> Any:
    from ray.data import ActorPoolStrategy

    return ds.map_batches(
        _WriteStage, fn_constructor_args=(settings, model), batch_size=1, batch_format="pyarrow", num_cpus=0,
        compute=ActorPoolStrategy(size=plan.writers, max_tasks_in_flight_per_actor=IN_FLIGHT_PER_ACTOR),
    )


def _source_blocks(read: _ReadSpec) -> Any:
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    class SourceBlocks(Datasource):
        """One read task streaming the whole source in blocks: sources are sequential (a tar, a hub
        stream, a CSV), and reading is cheap next to embedding (see docs/scaling.md)."""

        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                           data_context: object = None) -> list[ReadTask]:  # fmt: skip
            meta = BlockMetadata(num_rows=None, size_bytes=None, input_files=None, exec_stats=None)
            return [ReadTask(lambda: _read_blocks(read), meta)]

    return SourceBlocks()


def _read_blocks(read: _ReadSpec) -> Iterator[pa.Table]:
    """One row per block of ``batch_size`` source records (the last one empty when needed to carry
    the final position), with the counts of everything screened out of it."""
    from medrag_core.services import build_store

    index, count = read.shard
    store = build_store(read.settings)
    running = IngestReport(source=read.source.name, shard=read.shard)
    last = -1
    try:
        chunks = source_chunks(read.source, read.limit, read.batch_size, index, count, running, read.start)
        for block, (position, chunk) in enumerate(chunks):
            items, _ = screen_records(chunk, store, read.model, read.reembed, running)
            yield _table(block=block, end=position, payload=items, report=_take(running))
            last = block
        if running.seen:  # records all before the resume position: no block, but their counts
            yield _table(block=last + 1, end=read.start, payload=[], report=_take(running))
    finally:
        _close(store)


def _take(running: IngestReport) -> IngestReport:
    """The counts gathered since the last take (and zero them in ``running``)."""
    block = IngestReport(source=running.source, shard=running.shard, seen=running.seen,
                         skipped=running.skipped, empty=running.empty, errors=running.errors,
                         error_codes=running.error_codes.copy())
    running.seen = running.skipped = running.empty = running.errors = 0
    running.error_codes.clear()
    return block


def _table(*, block: int, end: int, payload: object, report: IngestReport, written: int = 0) -> pa.Table:
    import pyarrow as pa

    # Pickles between our own stages of one job (items, prepared cases, records): never user input.
    return pa.table({"block": pa.array([block], pa.int64()), "end": pa.array([end], pa.int64()),
                     "written": pa.array([written], pa.int64()),
                     "payload": pa.array([pickle.dumps(payload)], pa.large_binary()),
                     "report": pa.array([pickle.dumps(report)], pa.binary())})  # fmt: skip


def _rows(batch: pa.Table) -> Iterator[tuple[int, int, object, IngestReport]]:
    for row in batch.to_pylist():
        yield row["block"], row["end"], pickle.loads(row["payload"]), pickle.loads(row["report"])


def _concat(tables: list[pa.Table]) -> pa.Table:
    import pyarrow as pa

    return pa.concat_tables(tables)


def _decode_blocks(batch: pa.Table, options: PrepareOptions) -> pa.Table:
    out = []
    for block, end, items, report in _rows(batch):
        prepared, _ = keep_prepared([prepare(item, options) for item in items], report)
        for p in prepared:
            p.model_input = _pack(p.model_input, options.resize_mode)
        out.append(_table(block=block, end=end, payload=prepared, report=report))
    return _concat(out)


def _records_without_embeddings(batch: pa.Table) -> pa.Table:
    """Store records of a decoded block with both embeddings empty (``embed_records`` without an embedder)."""
    out = []
    for block, end, prepared, report in _rows(batch):
        items: list[Prepared] = prepared  # type: ignore[assignment]
        records, _ = embed_records(items, None, 1, report)
        out.append(_table(block=block, end=end, payload=records, report=report))
    return _concat(out)


def _pack(model_input: np.ndarray | None, resize_mode: str) -> np.ndarray | None:
    """TF-bilinear input is u8/255 in float32: send the u8 (a quarter of the bytes), restored exactly."""
    if model_input is None or resize_mode != "tf_bilinear":
        return model_input
    return np.rint(model_input * np.float32(255)).astype(np.uint8)


def _unpack(model_input: np.ndarray | None) -> np.ndarray | None:
    if model_input is None or model_input.dtype != np.uint8:
        return model_input
    return model_input.astype(np.float32) / np.float32(255)  # the very floats etl.prepare makes


class _EmbedStage:
    """An embed actor: loads the model once, then embeds block after block."""

    def __init__(self, settings: Settings, torch_threads: int, resize_mode: str) -> None:
        if torch_threads:
            import torch

            torch.set_num_threads(torch_threads)
        from medrag_core.services import build_embedder

        self.embedder = build_embedder(settings)
        self.batch_size = settings.embed_batch_size

    def __call__(self, batch: pa.Table) -> pa.Table:
        out = []
        for block, end, prepared, report in _rows(batch):
            items: list[Prepared] = prepared  # type: ignore[assignment]
            for p in items:
                p.model_input = _unpack(p.model_input)
            records, _ = embed_records(items, self.embedder, self.batch_size, report)
            out.append(_table(block=block, end=end, payload=records, report=report))
        return _concat(out)


class _WriteStage:
    """A writer actor: one store connection; each block's records upserted by case id in one transaction."""

    def __init__(self, settings: Settings, model: str) -> None:
        from medrag_core.services import build_store

        self.store = build_store(settings)
        self.model = model

    def __call__(self, batch: pa.Table) -> pa.Table:
        out = []
        for block, end, records, report in _rows(batch):
            rows: list[CaseRecord] = records  # type: ignore[assignment]
            written = self.store.upsert(rows, embed_model=self.model) if rows else 0
            out.append(_table(block=block, end=end, payload=None, report=report, written=written))
        return _concat(out)

    def __del__(self) -> None:
        _close(getattr(self, "store", None))


def _close(store: CaseStore | None) -> None:
    if store is not None:
        try:
            store.close()
        except Exception:
            log.debug("closing the store failed", exc_info=True)
