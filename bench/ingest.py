"""Ingest write path: this pipeline's store writes vs the original MedRAG notebook's method.

Both write the same pre-computed 1152-d image and text embeddings (realistic low-rank unit vectors
made once per size and saved to disk) and the same synthetic reports into the same embedded database:

- ``pipeline``: what ``etl.run_ingest`` does per batch: ``PostgresStore.upsert`` of 256 ``CaseRecord``s
  (binary COPY into a staging table, then ``INSERT ... ON CONFLICT``) together with the ingest
  progress row, one transaction per batch; vectors are read from disk batch by batch.
- ``notebook``: the original notebook: every record first collected in memory (vectors rendered as
  text literals ``'[0.1, ...]'``), then psycopg2's ``execute_batch`` of INSERTs (pages of 100
  statements joined into one query; emulated with psycopg 3's client-side ``mogrify``: psycopg2 is
  not installed), one commit at the end.

Each (method, size) runs in its own subprocess on a freshly emptied database, so its peak RSS
(``ru_maxrss``) is its own. Prints one JSON line per run and the ratios.

    python -m bench.ingest [--sizes 2000 20000] [--repeat 1]

With ``--engine local ray`` it compares the two ingest engines end to end instead (``bench.ingest_engines``):
the same synthetic parquet (or ``--source``), the same MedSigLIP-shaped model, into the same fresh
database; images/s of each engine and of each stage alone.

    python -m bench.ingest --engine local ray [--n 24] [--side 1024] [--layers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import BENCH_MODEL, DIM, bind_store, header, low_rank_basis, low_rank_unit_vectors, synthetic_report

BATCH = 256  # etl.pipeline.DEFAULT_BATCH_SIZE
PAGE = 100  # psycopg2.extras.execute_batch's default page_size


def _rss_mib() -> float:
    """This process's peak RSS in MiB: VmHWM (reset by exec, unlike ru_maxrss, which a child inherits
    from the parent it was forked from)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _reports(n: int):
    rng = np.random.default_rng(7)
    for i in range(n):
        findings, impression = synthetic_report(rng)
        yield findings, impression, ("PA", "AP", "LATERAL")[i % 3]


def run_pipeline(conninfo: str, n: int, image_file: Path, text_file: Path) -> dict:
    from medrag_core.models import Case
    from medrag_core.store import CaseRecord, PostgresStore

    store = PostgresStore(conninfo)
    base_rss = _rss_mib()
    write_s = 0.0
    start = time.perf_counter()
    reports = _reports(n)
    with image_file.open("rb") as fi, text_file.open("rb") as ft:
        for lo in range(0, n, BATCH):
            m = min(BATCH, n - lo)
            ivecs = np.fromfile(fi, dtype=np.float32, count=m * DIM).reshape(m, DIM)
            tvecs = np.fromfile(ft, dtype=np.float32, count=m * DIM).reshape(m, DIM)
            records = []
            for j in range(m):
                findings, impression, view = next(reports)
                case = Case(case_id=f"bench-{lo + j}", source="bench", findings=findings, impression=impression,
                            view=view, embed_model=BENCH_MODEL)  # fmt: skip
                records.append(CaseRecord(case=case, image_embedding=ivecs[j], text_embedding=tvecs[j]))
            t0 = time.perf_counter()
            store.upsert(records, embed_model=BENCH_MODEL, progress=("bench", "0/1", lo + m, 0))
            write_s += time.perf_counter() - t0
    total_s = time.perf_counter() - start
    store.close()
    return {"total_s": total_s, "write_s": write_s, "base_rss_mib": base_rss}


def run_notebook(conninfo: str, n: int, image_file: Path, text_file: Path) -> dict:
    import psycopg

    base_rss = _rss_mib()
    start = time.perf_counter()
    ivecs = np.fromfile(image_file, dtype=np.float32).reshape(n, DIM)
    tvecs = np.fromfile(text_file, dtype=np.float32).reshape(n, DIM)
    records = [
        (f"bench-{i}", "bench", findings, impression, view, str(ivecs[i].tolist()), str(tvecs[i].tolist()),
         BENCH_MODEL)
        for i, (findings, impression, view) in enumerate(_reports(n))
    ]  # fmt: skip
    query = (
        "INSERT INTO cases (case_id, source, findings, impression, view, image_embedding, text_embedding,"
        " embed_model) VALUES (%s, %s, %s, %s, %s, %s::vector, %s::vector, %s)"
    )
    t0 = time.perf_counter()
    with psycopg.connect(conninfo) as conn, psycopg.ClientCursor(conn) as cur:
        for lo in range(0, len(records), PAGE):  # psycopg2.extras.execute_batch, page by page
            cur.execute(";".join(cur.mogrify(query, args) for args in records[lo : lo + PAGE]))
        conn.commit()
    write_s = time.perf_counter() - t0
    return {"total_s": time.perf_counter() - start, "write_s": write_s, "base_rss_mib": base_rss}


def child(args: argparse.Namespace) -> int:
    fn = run_pipeline if args.method == "pipeline" else run_notebook
    out = fn(args.conninfo, args.n, Path(args.image_file), Path(args.text_file))
    out.update(method=args.method, n=args.n, peak_rss_mib=_rss_mib(), rows_per_s=args.n / out["total_s"])
    print(json.dumps(out))
    return 0


def _count(conninfo: str) -> int:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM cases").fetchone()[0]


def _reset(conninfo: str) -> None:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("TRUNCATE cases, images, ingest_progress")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per (method, size); the best is kept")
    parser.add_argument("--engine", nargs="+", choices=("local", "ray"),
                        help="compare the ingest engines end to end instead (see bench/ingest_engines.py)")
    parser.add_argument("--child", choices=("pipeline", "notebook"), dest="method", help=argparse.SUPPRESS)
    parser.add_argument("--conninfo", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--image-file", help=argparse.SUPPRESS)
    parser.add_argument("--text-file", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.engine:
        from bench.ingest_engines import main as engines_main

        n = ["--n", str(args.n)] if args.n else []  # --n is also this parser's own (hidden) option
        return engines_main(["--engine", *args.engine, *n, *rest])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.method:
        return child(args)

    from bench.common import temp_postgres

    print(header("ingest write path: pipeline (COPY batches + progress) vs notebook (execute_batch)",
                 ["bench.ingest", *(argv if argv is not None else sys.argv[1:])]))  # fmt: skip
    results: dict[tuple[str, int], dict] = {}
    with temp_postgres() as conninfo, tempfile.TemporaryDirectory(prefix="medrag_bench_vecs_") as tmp:
        bind_store(conninfo)
        for n in args.sizes:
            rng = np.random.default_rng(n)
            basis = low_rank_basis(rng)
            image_file, text_file = Path(tmp) / f"img{n}.f32", Path(tmp) / f"txt{n}.f32"
            low_rank_unit_vectors(n, basis, rng).tofile(image_file)
            low_rank_unit_vectors(n, basis, rng).tofile(text_file)
            for method in ("notebook", "pipeline"):
                for _ in range(args.repeat):
                    _reset(conninfo)
                    cmd = [sys.executable, "-m", "bench.ingest", "--child", method, "--conninfo", conninfo,
                           "--n", str(n), "--image-file", str(image_file), "--text-file", str(text_file)]  # fmt: skip
                    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                    res = json.loads(done.stdout.strip().splitlines()[-1])
                    res["rows_in_db"] = _count(conninfo)
                    assert res["rows_in_db"] == n, res
                    print(json.dumps(res), flush=True)
                    best = results.get((method, n))
                    if best is None or res["rows_per_s"] > best["rows_per_s"]:
                        results[(method, n)] = res
    print("\n| cases | method | rows/s (end to end) | rows/s (DB writes only) | peak RSS MiB | RSS after imports MiB |")
    print("|---:|---|---:|---:|---:|---:|")
    for (method, n), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(
            f"| {n:,} | {method} | {r['rows_per_s']:,.0f} | {n / r['write_s']:,.0f} | {r['peak_rss_mib']:,.0f} |"
            f" {r['base_rss_mib']:,.0f} |"
        )
    for n in args.sizes:
        p, nb = results[("pipeline", n)], results[("notebook", n)]
        print(
            f"{n:,} cases: pipeline / notebook rows/s = {p['rows_per_s'] / nb['rows_per_s']:.1f}x end to end, "
            f"{nb['write_s'] / p['write_s']:.1f}x DB writes only"
        )
    if len(args.sizes) > 1:
        lo, hi = min(args.sizes), max(args.sizes)
        for method in ("pipeline", "notebook"):
            ratio = results[(method, hi)]["peak_rss_mib"] / results[(method, lo)]["peak_rss_mib"]
            print(f"{method}: peak RSS at {hi:,} / at {lo:,} = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
