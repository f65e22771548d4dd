"""Ingest engines end to end: ``etl.run_ingest`` (local) vs ``etl.engines.run_ingest_ray`` (Ray Data).

usage: python -m bench.ingest --engine local ray [--n 24] [--side 1024] [--layers 2] [--batch-size 8]
       [--embed-batch 4] [--source PATH.parquet] [--limit N]

Both engines ingest the same parquet (``--n`` synthetic ``--side`` square PNGs with short reports, or
``--source``) with the same MedSigLIP-shaped model (full width, ``--layers`` layers, random weights:
time only) into the same fresh embedded Postgres, emptied before each run. Then each stage alone, in
this process on the same data, as per-unit throughput for sizing a cluster (docs/scaling.md):

- **read**: the source's records, sharded and screened as the read task does (records/s, one CPU);
- **decode**: ``etl.prepare`` (decode, thumbnail, TF-bilinear resize) one image at a time (images/s, one CPU);
- **embed**: ``embed_records`` (image + text towers, ``--embed-batch``) with all CPUs' torch threads;
- **write**: ``PostgresStore.upsert`` of the records in blocks of ``--batch-size`` (rows/s, one connection).

The Ray engine's start (``ray.init`` of a local Ray with every CPU) is timed apart and reported both
in and out of its images/s. CPU only: GPU images/s are not measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import build_medsiglip_shaped, header, synthetic_report, synthetic_xray_png


def log(msg: str) -> None:
    print(msg, flush=True)


def write_synthetic_parquet(path: Path, n: int, side: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    rows = []
    for i in range(n):
        findings, impression = synthetic_report(rng)
        rows.append({"image": {"bytes": synthetic_xray_png(side, seed=i), "path": f"{i}.png"}, "findings": findings,
                     "impression": impression, "case_id": f"bench{i:05d}", "view": "PA"})  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def stage_figures(spec: str, settings, store, limit: int | None, batch_size: int) -> dict:
    """Each stage alone, one after another on the same records (seconds and units per second)."""
    from itertools import islice

    from etl import IngestReport, PrepareOptions, embed_records, keep_prepared, parse_source, prepare, screen_records
    from medrag_core.embedding import model_image_size
    from medrag_core.services import build_embedder

    source = parse_source(spec)
    report = IngestReport(source=source.name, shard=(0, 1))
    t0, c0 = time.perf_counter(), time.process_time()
    records = list(islice(source.items(), limit) if limit else source.items())
    items, _ = screen_records(records, store, "bench", False, report)
    read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0

    options = PrepareOptions(resize_mode=settings.resize_mode, image_size=model_image_size(settings),
                             max_pixels=settings.max_image_pixels)  # fmt: skip
    t0, c0 = time.perf_counter(), time.process_time()
    prepared, _ = keep_prepared([prepare(item, options) for item in items], report)
    decode_s, decode_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0 = time.perf_counter()
    embedder = build_embedder(settings)
    load_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    rows = []
    for lo in range(0, len(prepared), batch_size):
        rows += embed_records(prepared[lo : lo + batch_size], embedder, settings.embed_batch_size, report)[0]
    embed_s, embed_cpu = time.perf_counter() - t0, time.process_time() - c0

    store.truncate_all()
    t0 = time.perf_counter()
    for lo in range(0, len(rows), batch_size):
        store.upsert(rows[lo : lo + batch_size], embed_model=embedder.name)
    write_s = time.perf_counter() - t0
    store.truncate_all()
    n = len(prepared)
    return {
        "images": n, "read_s": read_s, "read_per_s": len(records) / read_s, "decode_s": decode_s,
        "decode_per_s": n / decode_s, "model_load_s": load_s, "embed_s": embed_s, "embed_per_s": n / embed_s,
        "write_s": write_s, "write_per_s": len(rows) / write_s, "embed_threads": _torch_threads(),
        "image_bytes_mean": float(np.mean([len(r.image_bytes or b"") for r in rows])) if rows else 0.0,
        # CPU seconds per image (all threads of this process): what a stage costs whatever the load
        "read_cpu_per_image": read_cpu / len(records), "decode_cpu_per_image": decode_cpu / n,
        "embed_cpu_per_image": embed_cpu / n,
    }  # fmt: skip


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.ingest --engine", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", nargs="+", choices=("local", "ray"), default=["local", "ray"])
    parser.add_argument("--n", type=int, default=24, help="synthetic images (without --source)")
    parser.add_argument("--side", type=int, default=1024, help="synthetic image side, pixels")
    parser.add_argument("--source", help="a parquet in the HF schema instead of synthetic images")
    parser.add_argument("--limit", type=int, help="only the first N records of --source")
    parser.add_argument("--layers", type=int, default=2, help="layers per tower of the MedSigLIP-shaped model")
    parser.add_argument("--batch-size", type=int, default=8, help="cases per block / transaction")
    parser.add_argument("--embed-batch", type=int, default=4, help="settings.embed_batch_size")
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args(argv)

    from pydantic import SecretStr

    from bench.common import temp_postgres
    from etl import run_ingest
    from etl.engines import run_ingest_ray
    from medrag_core.services import build_embedder
    from medrag_core.settings import Settings
    from medrag_core.store import PostgresStore

    log(header("bench.ingest --engine: local vs Ray Data ingest", ["bench.ingest", *argv]))
    log(f"# CPUs {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start; model MedSigLIP-shaped, "
        f"{args.layers} layers, random weights, fp32, CPU. GPU images/s: not measured (no GPU used).")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="medrag_bench_engines_") as tmp, temp_postgres() as conninfo:
        model_dir = build_medsiglip_shaped(Path(tmp) / "model", layers=args.layers)
        spec = args.source or str(write_synthetic_parquet(Path(tmp) / "bench.parquet", args.n, args.side))
        settings = Settings(database_url=SecretStr(conninfo), embed_model=str(model_dir), device="cpu",
                            dtype="float32", embed_batch_size=args.embed_batch,
                            data_dir=Path(tmp) / "data")  # fmt: skip
        store = PostgresStore(conninfo)
        results: dict[str, dict] = {}
        stages = stage_figures(spec, settings, store, args.limit, args.batch_size)
        log(json.dumps({"stages": stages}))
        for engine in args.engine:
            store.truncate_all()
            if engine == "local":
                embedder = build_embedder(settings)
                t0 = time.perf_counter()
                report = run_ingest(spec, settings, store=store, embedder=embedder, limit=args.limit,
                                    batch_size=args.batch_size)  # fmt: skip
                wall = time.perf_counter() - t0
                start_s = 0.0
            else:
                import ray

                t0 = time.perf_counter()
                ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level="WARNING",
                         runtime_env={"py_modules": [str(Path(__file__).resolve().parents[1] / p)
                                                     for p in ("etl", "medrag_core")]})  # fmt: skip
                start_s = time.perf_counter() - t0
                try:
                    t0 = time.perf_counter()
                    report = run_ingest_ray(spec, settings, store=store, limit=args.limit,
                                            batch_size=args.batch_size, writers=args.writers)  # fmt: skip
                    wall = time.perf_counter() - t0
                finally:
                    ray.shutdown()
            assert report.errors == 0 and report.written == stages["images"], report.summary()
            results[engine] = {"engine": engine, "written": report.written, "wall_s": wall, "start_s": start_s,
                               "images_per_s": report.written / wall,
                               "images_per_s_with_start": report.written / (wall + start_s)}  # fmt: skip
            log(json.dumps(results[engine]))
        store.close()
    log(f"\n# load average {os.getloadavg()[0]:.1f} at the end")
    log("\n| stage (alone, this process) | units/s | seconds | CPU s per image |")
    log("|---|---:|---:|---:|")
    log(f"| read + screen (records, 1 CPU) | {stages['read_per_s']:,.1f} | {stages['read_s']:.2f} |"
        f" {stages['read_cpu_per_image']:.3f} |")  # fmt: skip
    log(f"| decode + preprocess (images, 1 CPU) | {stages['decode_per_s']:,.2f} | {stages['decode_s']:.2f} |"
        f" {stages['decode_cpu_per_image']:.3f} |")  # fmt: skip
    log(f"| embed image + text ({stages['embed_threads']} torch threads) | {stages['embed_per_s']:,.2f} |"
        f" {stages['embed_s']:.2f} | {stages['embed_cpu_per_image']:.3f} |")  # fmt: skip
    log(f"| write (rows, 1 connection, {stages['image_bytes_mean'] / 1024:,.0f} KiB image each) |"
        f" {stages['write_per_s']:,.1f} | {stages['write_s']:.2f} | |")  # fmt: skip
    log(f"| model load (once per actor) | | {stages['model_load_s']:.2f} | |")
    log("\n| engine | images | images/s | images/s incl. Ray start | Ray start s |")
    log("|---|---:|---:|---:|---:|")
    for r in results.values():
        log(f"| {r['engine']} | {r['written']} | {r['images_per_s']:.2f} | {r['images_per_s_with_start']:.2f} |"
            f" {r['start_s']:.1f} |")  # fmt: skip
    if {"local", "ray"} <= results.keys():
        log(f"ray / local images/s = {results['ray']['images_per_s'] / results['local']['images_per_s']:.2f}"
            f" ({results['ray']['images_per_s_with_start'] / results['local']['images_per_s']:.2f} with the start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
