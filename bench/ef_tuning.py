"""ef_search chosen on the archive's own vectors: what ``PostgresStore.reindex`` measures and records
(``sql/012``), on two synthetic archives of the same size: isotropic random unit vectors (hard for HNSW)
and the realistic low-rank vectors of ``bench.common`` (what ``bench.retrieval`` uses).

usage: python -m bench.ef_tuning [--n 10000] [--dim 1152] [--queries 300]

Per shape: the HNSW build time, the tuning time (one exact pass in numpy + the ladder), the recall per
ef_search tried and the choice. Only the image column is built (the text column's is the same work).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bench.common import header, low_rank_basis, low_rank_unit_vectors, temp_postgres


def run(n: int, dim: int, queries: int) -> None:
    from medrag_core.models import Case
    from medrag_core.store import CaseRecord, PostgresStore

    rng = np.random.default_rng(0)
    iso = rng.standard_normal((n, dim), dtype=np.float32)
    shapes = {
        "isotropic": iso / np.linalg.norm(iso, axis=1, keepdims=True),
        "low-rank": low_rank_unit_vectors(n, low_rank_basis(rng, dim), rng),
    }
    for name, vecs in shapes.items():
        with temp_postgres() as conninfo, PostgresStore(conninfo, ef_search=None) as store:
            for start in range(0, n, 2000):
                store.upsert([CaseRecord(Case(case_id=f"c{i}", source="bench", findings="x"), image_embedding=vecs[i])
                              for i in range(start, min(n, start + 2000))], embed_model="bench")  # fmt: skip
            t0 = time.perf_counter()
            store.reindex(kinds=("image",), tune_queries=0)
            t1 = time.perf_counter()
            choice = store.tune_ef_search(("image",), queries=queries)["image"]
            t2 = time.perf_counter()
            print(f"{name} n={n} dim={dim}: build {t1 - t0:.1f} s, tuning {t2 - t1:.1f} s; {choice.describe()}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ef_tuning", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--dim", type=int, default=1152)
    p.add_argument("--queries", type=int, default=300)
    args = p.parse_args(argv)
    print(header("ef_search chosen on the archive's own vectors", ["bench.ef_tuning", *(argv or sys.argv[1:])]))
    run(args.n, args.dim, args.queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
