"""One function per ``python -m etl`` subcommand: open what it needs, call the library, print.

Each returns the process exit status and lets ``MedragError`` propagate to ``__main__``.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC
from typing import TextIO

from medrag_core.errors import ConfigError, StoreUnavailable
from medrag_core.settings import Settings, mask_dsn
from medrag_core.store import CaseStore, IndexAdmin, ProgressLog, SourceAdmin, StoreStats

from . import ETL_HINT, progress_store
from .report import IngestProgress

log = logging.getLogger(__name__)


def ingest(settings: Settings, source: str, *, limit: int | None, shard: tuple[int, int], batch_size: int,
           reembed: bool, workers: int | None, pool: str, out: TextIO, engine: str = "local",
           address: str | None = None, writers: int = 2) -> int:
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    from medrag_core.services import Services

    from .pipeline import run_ingest
    from .sources import parse_source

    token = settings.hf_token.get_secret_value() if settings.hf_token is not None else None
    parsed = parse_source(source, hf_token=token, settings=settings)  # a bad spec fails before the model loads
    services = Services(settings)
    store = services.store()
    if engine == "local":
        embedder, problem = services.try_embedder()
    else:  # ray: its actors load the model; the driver only finds out whether they can
        from .engines import ray_model_problem

        embedder, problem = None, ray_model_problem(settings)
    without_embeddings = problem is not None
    if without_embeddings:  # day one: archive now, embed when the weights are there
        log.info("embedding model unavailable: %s", problem)
        print(f"note: embedding model {settings.embed_model} not available: storing cases without embeddings "
              f"(full-text search works); run `{ETL_HINT} embed` once the model is there.", file=out)
    bar = tqdm(desc=f"ingest {parsed.name} {shard[0]}/{shard[1]}", unit="case", dynamic_ncols=True)

    def on_progress(p: IngestProgress) -> None:
        if p.total_hint is not None and bar.total != p.total_hint:
            bar.total = p.total_hint
        bar.update(p.seen - bar.n)
        bar.set_postfix(written=p.written, skipped=p.skipped, errors=p.errors, refresh=False)

    cancel = threading.Event()
    try:
        with logging_redirect_tqdm():
            if engine == "ray":
                from .engines import run_ingest_ray

                report = run_ingest_ray(parsed, settings, store=store, limit=limit, shard=shard,
                                        batch_size=batch_size, reembed=reembed, on_progress=on_progress,
                                        cancel=cancel, address=address, writers=writers,
                                        without_embeddings=without_embeddings)
            else:
                report = run_ingest(parsed, settings, store=store, embedder=embedder, limit=limit, shard=shard,
                                    batch_size=batch_size, reembed=reembed, on_progress=on_progress, cancel=cancel,
                                    workers=workers, pool=pool)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        bar.close()
        print("interrupted: committed batches are kept; run the same command again to resume.", file=out)
        return 130
    finally:
        bar.close()
        _close(store)
    print(report.summary(), file=out)
    return 0


def embed(settings: Settings, *, batch_size: int, reembed: bool, out: TextIO) -> int:
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    from medrag_core.services import Services

    from .embed import EmbedProgress, run_embed

    services = Services(settings)
    store = services.store()
    try:
        embedder = services.embedder()  # no model: its EmbedderError says how to get one (exit 2)
        bar = tqdm(desc=f"embed {embedder.name}", unit="case", dynamic_ncols=True)

        def on_progress(p: EmbedProgress) -> None:
            if bar.total != p.total:
                bar.total = p.total
            bar.update(p.done - bar.n)
            bar.set_postfix(images=p.images, texts=p.texts, errors=p.errors, refresh=False)

        try:
            with logging_redirect_tqdm():
                report = run_embed(settings, store=store, embedder=embedder, batch_size=batch_size,
                                   reembed=reembed, on_progress=on_progress)
        except KeyboardInterrupt:
            print("interrupted: committed batches are kept; run the same command again to resume.", file=out)
            return 130
        finally:
            bar.close()
    finally:
        _close(store)
    print(report.summary(), file=out)
    return 0


def stats(settings: Settings, *, out: TextIO) -> int:
    from medrag_core.services import build_store

    store = build_store(settings)
    try:
        s = store.stats()
        print(f"cases: {s.total_cases}", file=out)
        print(f"  with image: {s.with_image} (image embedding: {s.with_image_embedding})", file=out)
        print(f"  with text embedding: {s.with_text_embedding}", file=out)
        missing_text = s.missing_text_embedding
        print(f"  without image embedding: {s.missing_image_embedding}"
              f" | without text embedding: {'-' if missing_text is None else missing_text}", file=out)
        if s.missing_image_embedding or missing_text:
            print(f"  (compute them with `{ETL_HINT} embed` once the model is there)", file=out)
        print(f"embedding model: {s.embed_model or '-'} (dimension {s.dimension or '-'})", file=out)
        for kind, state in sorted(s.index_state.items()):
            print(f"index {kind}: {state}", file=out)
        _print_ef_search(settings, s, out)
        for name, n in sorted(s.per_source.items()):
            print(f"source {name}: {n}", file=out)
        for p in store.list_progress() if isinstance(store, ProgressLog) else []:
            state = "done" if p.done else "partial"
            print(f"progress {p.source_key} shard {p.shard}: {p.position} records, {p.rows_written} written, "
                  f"{p.errors} errors, {state}", file=out)
    finally:
        _close(store)
    return 0


def _print_ef_search(settings: Settings, stats: StoreStats, out: TextIO) -> None:
    """Per index, the ef_search measured on the archive's own vectors, and whether MEDRAG_EF_SEARCH overrides it."""
    for kind, choice in sorted(stats.ef_choice.items()):
        when = f" (measured {choice.measured_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)" if choice.measured_at else ""
        print(f"ef_search {kind}: {choice.describe()}{when}", file=out)
    if settings.explicit_ef_search is not None:
        print(f"ef_search: MEDRAG_EF_SEARCH={settings.explicit_ef_search} overrides the measured choice"
              " (of a binary index: the candidates re-ranked)", file=out)  # fmt: skip
    elif not stats.ef_choice and any(v.startswith("hnsw") for v in stats.index_state.values()):
        print("ef_search: not measured on this archive (300); run etl reindex to measure it", file=out)


def reindex(settings: Settings, *, m: int, ef_construction: int, out: TextIO, tune_queries: int = 300,
            method: str = "hnsw") -> int:  # fmt: skip
    from medrag_core.services import build_store

    store = build_store(settings)
    try:
        if not isinstance(store, IndexAdmin):
            raise ConfigError("This store cannot build indexes from here; run the SQL in sql/ on the database.")
        state = store.reindex(m=m, ef_construction=ef_construction, tune_queries=tune_queries, method=method)
        for kind, value in sorted(state.items()):
            print(f"index {kind}: {value}", file=out)
        _print_ef_search(settings, store.stats(), out)
    finally:
        _close(store)
    return 0


def delete(settings: Settings, source: str, *, out: TextIO) -> int:
    from medrag_core.services import build_store

    store = build_store(settings)
    try:
        if not isinstance(store, SourceAdmin):
            raise ConfigError("This store cannot delete a source from here.")
        n = store.delete_source(source)
        # A source's cases may have come from a spec that also held other sources (a parquet with a
        # source_dataset column): forget every recorded position, so the next ingest of any spec
        # rereads it and restores what is missing (ids still stored are skipped cheaply).
        progress_store.reset(store)
        print(f"deleted {n} cases of source {source}", file=out)
    finally:
        _close(store)
    return 0


def migrate(settings: Settings, database_url: str | None, *, out: TextIO) -> int:
    import psycopg

    from medrag_core.store import apply_migrations

    if database_url is None and settings.database_url is not None:
        database_url = settings.database_url.get_secret_value()
    if database_url is None:
        from medrag_core.store import embedded_server

        database_url = embedded_server(settings.embedded_db_dir).start()
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            applied = apply_migrations(conn)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(
            f"Could not connect to {mask_dsn(database_url)} ({type(exc).__name__}). Check the URL and that the "
            "server is running."
        ) from None
    print(f"applied: {', '.join(applied)}" if applied else "up to date", file=out)
    return 0


def _close(store: CaseStore) -> None:
    try:
        store.close()
    except Exception:
        logging.getLogger(__name__).debug("closing the store failed", exc_info=True)
