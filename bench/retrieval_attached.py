"""Measure an archive that ``bench.retrieval`` built and left running, at given ef_search / candidate counts.

    python -m bench.retrieval_attached PGDATA --sizes 1000000 --ef 400 1600 [--filtered-ef 800] [--queries 100]

At a million cases the builds and their tuning take most of an hour; when the measured choice is an
exact scan, ``bench.retrieval``'s ``--ef 0`` pass would spend another half hour on exact searches.
Stopping that run with SIGKILL after the builds leaves its embedded server running with the archive
and both indexes; this attaches to it (``host=PGDATA``), regenerates the same vectors and queries from
the same seed (``bench.common``, as ``bench.retrieval`` draws them), and runs the same passes: per
``--ef`` value (explicit, so a binary index re-ranks that many candidates for a top-10 and five times
as many for the hybrid's lists of 50) the image top-10 and the hybrid, side by side and one list after
another, with recall@10 against numpy; then the filtered searches at ``--filtered-ef``; then, for the
image column, where the exact top-10 rank by Hamming distance over all the sign bits (quantisation
alone, no graph), which says whether a recall ceiling comes from the bits or from the index.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.common import BENCH_MODEL, low_rank_basis, low_rank_unit_vectors
from bench.retrieval import (
    ExactStore,
    K,
    OneAtATime,
    exact_top,
    filtered_searches,
    make_queries,
    recalls,
    run_queries,
    stats,
)


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def hamming_ranks(vectors: np.ndarray, queries: np.ndarray, truth: list[list[str]]) -> np.ndarray:
    """For each query's exact top-10, how many archive vectors are strictly nearer by Hamming distance of
    the sign bits (``binary_quantize``: bit set where the value is positive)."""
    popcount = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)
    bits = np.packbits(vectors > 0, axis=1)
    ranks = []
    for q, top in zip(queries, truth, strict=False):
        dist = popcount[np.bitwise_xor(bits, np.packbits(q > 0))].sum(axis=1)
        ranks += [int((dist < dist[int(case_id.split("-")[1])]).sum()) for case_id in top]
    return np.array(ranks)


def main(argv: list[str] | None = None) -> int:
    import psycopg

    from medrag_core.settings import Settings
    from medrag_core.store import PostgresStore

    parser = argparse.ArgumentParser(prog="python -m bench.retrieval_attached", description=__doc__.splitlines()[0])
    parser.add_argument("pgdata", help="the running server's data directory (its Unix socket is there)")
    parser.add_argument("--sizes", type=int, default=1_000_000, help="the archive's size, as given to bench.retrieval")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ef", type=int, nargs="+", required=True)
    parser.add_argument("--filtered-ef", type=int)
    parser.add_argument("--hamming-queries", type=int, default=30)
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    n, nq = args.sizes, args.queries
    rng = np.random.default_rng(args.seed)  # the draws in bench.retrieval's order
    bases = {"image": low_rank_basis(rng), "text": low_rank_basis(rng)}
    vectors = {kind: low_rank_unit_vectors(n, bases[kind], rng) for kind in ("image", "text")}
    queries = make_queries(nq, bases, rng)
    ids = [f"bench-{i:07d}" for i in range(n)]
    conninfo = f"host={args.pgdata} user=postgres dbname=postgres"
    settings = Settings(embed_model=BENCH_MODEL)
    store = PostgresStore(conninfo, ef_search=None, timeout_s=900.0)
    choices = {k: (v.method, v.ef_search, v.candidates, v.exact, v.recall) for k, v in store.stats().ef_choice.items()}
    log("attached; recorded choices (method, ef_search, candidates, exact, recall):", choices)
    truth_img = [[ids[j] for j in exact_top(vectors["image"], q, K)] for q in queries.image]
    truth_hyb = run_queries(ExactStore(store, vectors, ids), settings, queries, nq, image=False, hybrid=True)
    out: dict[str, object] = {"n": n, "choices": choices}
    for ef in args.ef:
        store.ef_search = ef
        run_queries(store, settings, queries, 3, image=True, hybrid=True)  # warm-up
        got = run_queries(store, settings, queries, nq, image=True, hybrid=True)
        one = run_queries(OneAtATime(store), settings, queries, nq, image=False, hybrid=True)
        out[f"ef={ef}"] = {
            "image": stats(got["image_ms"]),
            "image_recall": round(float(np.mean(recalls(got["image_ids"], truth_img))), 4),
            "hybrid": stats(got["hybrid_ms"]),
            "hybrid_recall": round(float(np.mean(recalls(got["hybrid_ids"], truth_hyb["hybrid_ids"]))), 4),
            "hybrid_one_after_another": stats(one["hybrid_ms"]),
        }  # fmt: skip
        log(f"ef_search / candidates {ef}:", out[f"ef={ef}"])
    if args.filtered_ef:
        store.ef_search = args.filtered_ef
        with psycopg.connect(conninfo, autocommit=True) as conn:
            out["filtered"] = filtered_searches(store, conn, queries, vectors, ids, nq)
        log(f"filtered at {args.filtered_ef}:", out["filtered"])
    if args.hamming_queries:
        ranks = hamming_ranks(vectors["image"], queries.image[: args.hamming_queries], truth_img)
        out["hamming_only"] = {c: round(float((ranks < c).mean()), 4) for c in (100, 400, 1600, 3200, 6400, 12800)}
        log("quantisation alone: share of the exact top-10 within the top-c by Hamming distance:", out["hamming_only"])
    store.close()
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(out, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
