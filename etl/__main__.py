"""CLI: ``python -m etl ingest | embed | stats | reindex | delete | migrate | prune-history | export-history``.

Thin: parses arguments, builds ``Settings`` once, calls one function per subcommand. A
``MedragError`` becomes its ``user_message`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TextIO

from medrag_core.errors import MedragError
from medrag_core.settings import Settings
from medrag_core.store import INDEX_METHODS

from .embed import DEFAULT_EMBED_BATCH
from .pipeline import DEFAULT_BATCH_SIZE, parse_shard


def _shard(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m etl", description="Ingest chest X-ray data sets into the case store."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step (INFO)")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="Stream a source into the store (resumable, idempotent).")
    ingest.add_argument(
        "source", help="parquet file/folder, Open-i folder or .tgz, dicom:FOLDER[,csv=F], or hf:OWNER/NAME"
    )
    ingest.add_argument("--limit", type=_positive, help="only the first N records of the source")
    ingest.add_argument("--shard", type=_shard, default=(0, 1), help="i/n: this worker's part (default 0/1)")
    ingest.add_argument("--batch-size", type=_positive, default=DEFAULT_BATCH_SIZE, help="cases per transaction")
    ingest.add_argument("--reembed", action="store_true", help="recompute and overwrite cases already stored")
    ingest.add_argument("--workers", type=_positive, help="decode workers (default min(4, CPUs))")
    ingest.add_argument("--pool", choices=("thread", "process"), default="thread", help="decode pool kind")
    ingest.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local: this process (default); ray: a Ray Data pipeline (docs/scaling.md)")
    ingest.add_argument("--address", help="ray engine: join this cluster (auto, ray://HOST:10001) instead of "
                        "starting a local Ray")
    ingest.add_argument("--writers", type=_positive, default=2,
                        help="ray engine: writer actors, one database connection each (default 2)")

    embed = sub.add_parser("embed", help="Compute the embeddings stored cases lack (after an ingest without the "
                                         "model); resumable.")
    embed.add_argument("--batch-size", type=_positive, default=DEFAULT_EMBED_BATCH, help="cases per transaction")
    embed.add_argument("--reembed", action="store_true",
                       help="after a model change: drop the other model's vectors and embed everything again")

    sub.add_parser("stats", help="Cases in total, with image / text, per source; model, dimension, index, progress.")

    reindex = sub.add_parser("reindex", help="Build or rebuild the vector indexes, then choose how each is searched "
                             "(ef_search, or the candidates of a binary index) on the archive's own vectors "
                             "(recall@10 >= 0.98 against an exact scan).")
    reindex.add_argument("--m", type=_positive, default=16, help="HNSW m (default 16)")
    reindex.add_argument("--ef-construction", type=_positive, default=64, help="HNSW ef_construction (default 64)")
    reindex.add_argument("--tune-queries", type=int, default=300,
                         help="stored vectors used as queries to choose ef_search (default 300; 0: skip)")
    reindex.add_argument("--method", choices=INDEX_METHODS, default="hnsw",
                         help="hnsw: HNSW on the halfvec column (default); binary: HNSW on the vectors' sign bits, "
                         "candidates re-ranked exactly (builds in minutes at a million cases; docs/scaling.md)")

    delete = sub.add_parser("delete", help="Delete every case of one source.")
    delete.add_argument("--source", required=True, help="the source name, as listed by stats")

    prune = sub.add_parser("prune-history", help="Remove verifications older than the retention period.")
    prune.add_argument("--days", type=int, help="retention in days (default: MEDRAG_HISTORY_DAYS)")
    export = sub.add_parser("export-history", help="Write the verification history as CSV or JSONL.")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--output", "-o", default="-", help="file to write ('-' = stdout, the default)")
    export.add_argument("--since", help="only verifications from this date on (YYYY-MM-DD)")

    migrate = sub.add_parser("migrate", help="Apply the SQL migrations in sql/ (embedded store, or --database-url).")
    migrate.add_argument("--database-url", help="a Postgres URL (default: MEDRAG_DATABASE_URL, else embedded)")
    return parser


def main(argv: list[str] | None = None, *, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command == "ingest" and args.engine == "local" and args.address:
        print("error: --address is for --engine ray", file=sys.stderr)
        return 2
    try:
        from . import commands

        settings = Settings.load()
        if args.command == "ingest":
            return commands.ingest(settings, args.source, limit=args.limit, shard=args.shard,
                                   batch_size=args.batch_size, reembed=args.reembed, workers=args.workers,
                                   pool=args.pool, engine=args.engine, address=args.address,
                                   writers=args.writers, out=out)
        if args.command == "embed":
            return commands.embed(settings, batch_size=args.batch_size, reembed=args.reembed, out=out)
        if args.command == "stats":
            return commands.stats(settings, out=out)
        if args.command == "reindex":
            return commands.reindex(settings, m=args.m, ef_construction=args.ef_construction,
                                    tune_queries=args.tune_queries, method=args.method, out=out)
        if args.command == "delete":
            return commands.delete(settings, args.source, out=out)
        if args.command in ("prune-history", "export-history"):
            from . import history

            if args.command == "prune-history":
                return history.prune_history(settings, args.days, out=out)
            return history.export_history_command(settings, args.format, args.output, args.since, out=out)
        return commands.migrate(settings, args.database_url, out=out)
    except MedragError as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return 2
    except ValueError as exc:  # argument ranges checked by the store (e.g. reindex m / ef_construction)
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
