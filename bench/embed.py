"""ETL embedding throughput: ``etl.pipeline.run_ingest`` against the bare model forward on the same batches.

usage: python -m bench.embed [--n 64] [--side 2048] [--batch 8] [--ingest-batch 16] [--layers 2] [--repeats 2]

``--n`` distinct synthetic ``--side`` square PNGs with short reports, through

- **bare**: the model's ``get_image_features`` + ``get_text_features`` on tensors prepared beforehand
  (decode, resize and tokenizing excluded), in batches of ``--batch``, the same batches as the pipeline;
- **pipeline**: ``run_ingest`` into a fresh embedded Postgres (decode + resize in its worker pool,
  thumbnails, both embeddings, COPY, progress rows), ``embed_batch_size=--batch``,
  ``--ingest-batch`` cases per transaction, ``reembed`` so every repeat does all the work.

Runs alternate (bare, pipeline, bare, ...) so both see the same machine load; medians are reported.
The model is MedSigLIP-shaped (full width, ``--layers`` layers, random weights: time only). With 27
layers the model's share grows and the pipeline's overhead share shrinks, so the ratio here is a
lower bound. On CPU only; GPU runs when a GPU is present (``--device cuda``).
Prints a ``ratio`` line (pipeline images/s as % of bare, target >= 85%).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import BENCH_MODEL, build_medsiglip_shaped, header, synthetic_report, synthetic_xray_png

TARGET = 0.85


def log(msg: str) -> None:
    print(msg, flush=True)


@dataclass(frozen=True)
class MemorySource:
    """An in-memory ``etl.sources.Source`` over ready ``SourceItem``s."""

    cases: tuple

    @property
    def name(self) -> str:
        return "bench"

    @property
    def key(self) -> str:
        return "bench:memory"

    def size_hint(self) -> int | None:
        return len(self.cases)

    def items(self) -> Iterator:
        yield from self.cases


def bare_forward(model, pixel_batches: list, token_batches: list) -> float:
    """Seconds for both towers' forward over the prepared batches."""
    import torch

    start = time.perf_counter()
    with torch.inference_mode():
        for pixels in pixel_batches:
            model.get_image_features(pixel_values=pixels)
        for ids in token_batches:
            model.get_text_features(input_ids=ids)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.embed", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="cases (images)")
    parser.add_argument("--side", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=8, help="embedding batch (settings.embed_batch_size)")
    parser.add_argument("--ingest-batch", type=int, default=16, help="cases per pipeline transaction")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoModel

    from bench.common import temp_postgres
    from etl import SourceItem, run_ingest
    from medrag_core.embedding import MedSigLIPEmbedder
    from medrag_core.imaging import decode_image
    from medrag_core.settings import Settings
    from medrag_core.store import PostgresStore

    log(header("bench.embed", ["bench.embed", *argv]))
    log(f"# model: MedSigLIP-shaped, {args.layers} layers, random weights, fp32, device {args.device},"
        f" torch threads {torch.get_num_threads()}; {args.n} images {args.side}x{args.side} PNG")  # fmt: skip
    rng = np.random.default_rng(5)
    cases = []
    for i in range(args.n):
        findings, impression = synthetic_report(rng)
        cases.append(SourceItem(case_id=f"bench-{i:05d}", source="bench", findings=findings, impression=impression,
                                image=synthetic_xray_png(args.side, seed=i)))  # fmt: skip
    source = MemorySource(tuple(cases))
    settings = Settings(embed_model=BENCH_MODEL, embed_batch_size=args.batch, device=args.device)

    with tempfile.TemporaryDirectory(prefix="medrag_bench_model_") as tmp, temp_postgres() as conninfo:
        model_dir = build_medsiglip_shaped(Path(tmp) / "model", layers=args.layers)
        embedder = MedSigLIPEmbedder(model_dir, device=args.device, dtype="float32", name=BENCH_MODEL,
                                     batch_size=args.batch)  # fmt: skip
        model = AutoModel.from_pretrained(model_dir, dtype=torch.float32).to(args.device).eval()
        # The same batches, prepared outside the timing: pixels as the embedder makes them, texts tokenized.
        pixels = [decode_image(c.image).pixels for c in cases]
        pixel_batches = [embedder.pixel_values(pixels[i : i + args.batch]).to(args.device)
                         for i in range(0, args.n, args.batch)]  # fmt: skip
        texts = list(dict.fromkeys(f"{c.findings}\n{c.impression}" for c in cases))
        tok = embedder._tokenizer
        token_batches = [tok(texts[i : i + args.batch], padding="max_length", truncation=True, max_length=64,
                             return_tensors="pt")["input_ids"].to(args.device)
                         for i in range(0, len(texts), args.batch)]  # fmt: skip
        store = PostgresStore(conninfo)
        bare_forward(model, pixel_batches[:1], token_batches[:1])  # warm-up
        run_ingest(MemorySource(tuple(cases[: args.batch])), settings, store=store, embedder=embedder,
                   batch_size=args.ingest_batch, reembed=True)  # fmt: skip
        bare, pipe, written = [], [], 0
        for _ in range(args.repeats):
            bare.append(bare_forward(model, pixel_batches, token_batches))
            start = time.perf_counter()
            report = run_ingest(source, settings, store=store, embedder=embedder, batch_size=args.ingest_batch,
                                reembed=True)  # fmt: skip
            pipe.append(time.perf_counter() - start)
            written = report.written
        store.close()

    bare_s, pipe_s = statistics.median(bare), statistics.median(pipe)
    bare_ips, pipe_ips = args.n / bare_s, args.n / pipe_s
    log(f"bare model forward (image + text towers): {bare_ips:.2f} images/s ({bare_s:.1f} s per {args.n})")
    log(f"pipeline run_ingest: {pipe_ips:.2f} images/s ({pipe_s:.1f} s per {args.n}, {written} written)")
    log(f"runs (s): bare {[round(x, 1) for x in bare]}, pipeline {[round(x, 1) for x in pipe]}")
    share = pipe_ips / bare_ips
    log(
        f"ratio pipeline/bare images/s = {100 * share:.1f}% (pipeline adds {100 * (1 - share):.1f}% of its time);"
        f" target >= {100 * TARGET:.0f}%: {'met' if share >= TARGET else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
