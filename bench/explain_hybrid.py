"""``EXPLAIN ANALYZE`` of each stage of the hybrid retrieval, with the shipped store's own settings.

usage: python -m bench.explain_hybrid [--n 30000]

On a fresh embedded Postgres of ``--n`` synthetic cases (``bench.common``), indexed by
``PostgresStore.reindex``: the image and text kNN (k=50) inside the store's kNN transaction
(``set_knn_plan``, ``settings.ef_search``), then ``text_search``'s SQL for the first Verify query that
keeps a term, unpruned and pruned (``FTS_MAX_DF``). Vector literals are left out of the printed plans.
"""

from __future__ import annotations

import argparse
import re
import sys

import numpy as np


def main(argv: list[str] | None = None) -> int:
    import psycopg
    from pgvector.psycopg import register_vector

    from bench.common import bind_store, copy_cases, header, low_rank_basis, low_rank_unit_vectors, temp_postgres
    from bench.retrieval import make_queries
    from medrag_core.retrieval import FTS_MAX_DF
    from medrag_core.settings import Settings
    from medrag_core.store import CASE_COLS, PostgresStore, knn_sql, set_knn_plan

    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.explain_hybrid", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(header("bench.explain_hybrid", ["bench.explain_hybrid", *argv]), flush=True)
    ef = Settings().ef_search
    rng = np.random.default_rng(args.seed)
    bases = {"image": low_rank_basis(rng), "text": low_rank_basis(rng)}
    vectors = {kind: low_rank_unit_vectors(args.n, bases[kind], rng) for kind in bases}
    queries = make_queries(20, bases, rng)
    with temp_postgres() as conninfo:
        bind_store(conninfo)
        copy_cases(conninfo, vectors["image"], vectors["text"], rng)
        store = PostgresStore(conninfo, ef_search=ef)
        store.reindex()
        with psycopg.connect(conninfo) as conn:
            register_vector(conn)

            def explain(title: str, sql: str, params: dict) -> None:
                conn.execute(sql, params).fetchall()  # warm
                plan = "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params))
                print(f"--- {title}\n" + re.sub(r"'\[[-0-9.e,]+\]'", "'[...]'", plan), flush=True)

            for kind in ("image", "text"):
                with conn.transaction():
                    set_knn_plan(conn, ef)
                    params = {"q": getattr(queries, kind)[0], "k": 50}
                    explain(f"knn {kind}, k=50, ef_search={ef}", knn_sql(kind, None, params), params)
            query = next((q for q in queries.fts if store.prune_query(q, FTS_MAX_DF)), queries.fts[0])
            sql = (
                f"SELECT {CASE_COLS}, ts_rank_cd(c.fts, q) AS rank FROM cases AS c,"
                " websearch_to_tsquery('english', %(text)s) AS q WHERE c.fts @@ q"
                " ORDER BY rank DESC, c.case_id LIMIT 50"
            )
            for label, text in (("unpruned", query), ("pruned", store.prune_query(query, FTS_MAX_DF))):
                if text:
                    explain(f"text_search {label}: {text!r}", sql, {"text": text})
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
