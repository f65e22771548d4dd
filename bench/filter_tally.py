"""What sql/017's filter floor costs on the write side: the refresh of ``filter_stats`` and the triggers.

usage: python -m bench.filter_tally [--rows 50000] [--repeats 5]

On a fresh embedded Postgres with ``--rows`` synthetic cases (1152-d halfvec embeddings, reports and
labels as ``bench.retrieval`` loads them), everything through the shipped store and SQL:

1. ``medrag_refresh_filter_stats()`` (``PostgresStore.analyze`` and ``reindex`` run it) beside
   ``ANALYZE cases`` (which ``analyze`` ran alone before);
2. an ingest: ``PostgresStore.upsert`` of 256 new cases (INSERT ... ON CONFLICT DO UPDATE, no
   conflict), and a re-ingest: the same of 256 existing cases unchanged (each row passing the update
   trigger's WHEN), with the sql/017 triggers enabled and disabled, alternating;
3. one UPDATE relabelling a tenth of the rows (each row tallied), enabled and disabled, alternating,
   and the tally it left.

Prints p50 per step and the enabled/disabled ratio. Milliseconds depend on the machine's load.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from bench.common import BENCH_MODEL, bind_store, copy_cases, header, low_rank_basis, low_rank_unit_vectors, median
from bench.common import timed as _timed

TRIGGERS = ("cases_filter_removals_delete", "cases_filter_removals_row", "cases_filter_removals_update",
            "cases_filter_removals_truncate")  # fmt: skip
BATCH = 256  # the ETL's upsert batch


def log(msg: str) -> None:
    print(msg, flush=True)


def set_triggers(conn: Any, enabled: bool) -> None:
    for name in TRIGGERS:
        conn.execute(f"ALTER TABLE cases {'ENABLE' if enabled else 'DISABLE'} TRIGGER {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    log(header("bench.filter_tally", ["bench.filter_tally", *(argv if argv is not None else sys.argv[1:])]))

    import psycopg

    from bench.common import temp_postgres
    from medrag_core.store import CaseRecord, PostgresStore

    rng = np.random.default_rng(args.seed)
    vecs = {kind: low_rank_unit_vectors(args.rows, low_rank_basis(rng), rng) for kind in ("image", "text")}
    with temp_postgres() as conninfo:
        bind_store(conninfo)
        copy_cases(conninfo, vecs["image"], vecs["text"], rng)
        store = PostgresStore(conninfo, timeout_s=900.0)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            refresh = [_timed(lambda: conn.execute("SELECT medrag_refresh_filter_stats()").fetchone())[0]
                       for _ in range(args.repeats)]  # fmt: skip
            analyze = [_timed(lambda: conn.execute("ANALYZE cases"))[0] for _ in range(args.repeats)]
            n_stats = conn.execute("SELECT count(*) FROM filter_stats").fetchone()[0]
            ratio = median(refresh) / median(analyze)
            log(f"rows={args.rows}: refresh p50 {median(refresh):.1f} ms ({n_stats} counts),"
                f" ANALYZE cases p50 {median(analyze):.1f} ms; ratio refresh/ANALYZE {ratio:.2f}")

            ids = [f"bench-{i:07d}" for i in range(BATCH)]
            cases = store.get(ids)
            records = [CaseRecord(case=c, image_embedding=vecs["image"][i], text_embedding=vecs["text"][i])
                       for i, c in enumerate(cases)]  # fmt: skip
            fresh: dict[bool, list[float]] = {True: [], False: []}
            upsert: dict[bool, list[float]] = {True: [], False: []}
            relabel: dict[bool, list[float]] = {True: [], False: []}
            tenth = f"bench-{args.rows // 10:07d}"
            for i in range(args.repeats):
                for enabled in ((True, False) if i % 2 == 0 else (False, True)):  # alternating, same load
                    set_triggers(conn, enabled)
                    new = [CaseRecord(case=r.case.model_copy(update={"case_id": f"new-{i}-{enabled}-{j}"}),
                                      image_embedding=r.image_embedding, text_embedding=r.text_embedding)
                           for j, r in enumerate(records)]  # fmt: skip
                    fresh[enabled].append(_timed(lambda n=new: store.upsert(n, embed_model=BENCH_MODEL))[0])
                    upsert[enabled].append(_timed(lambda: store.upsert(records, embed_model=BENCH_MODEL))[0])
                    before = conn.execute("SELECT removed FROM filter_removals").fetchone()[0]
                    tag = f"relabel-{i}-{enabled}"
                    relabel[enabled].append(_timed(lambda t=tag: conn.execute(
                        "UPDATE cases SET labels = labels || %s::text WHERE case_id < %s", (t, tenth)))[0])  # fmt: skip
                    tallied = conn.execute("SELECT removed FROM filter_removals").fetchone()[0] - before
                    if enabled and tallied != args.rows // 10:
                        raise SystemExit(f"tally {tallied}, expected {args.rows // 10}")
            set_triggers(conn, True)
        store.close()
    for name, got in (("ingest upsert of 256 new cases", fresh), ("re-ingest upsert of 256 unchanged cases", upsert),
                      (f"UPDATE relabelling {args.rows // 10} rows", relabel)):  # fmt: skip
        on, off = median(got[True]), median(got[False])
        log(f"{name}: triggers on p50 {on:.1f} ms, off {off:.1f} ms; ratio on/off {on / off:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
