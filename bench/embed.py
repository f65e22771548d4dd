"""ETL embedding throughput: ``etl.pipeline.run_ingest`` against the bare model forward on the same batches.

usage: python -m bench.embed [--n 64] [--side 2048] [--batch 8] [--ingest-batch 16] [--layers 2] [--repeats 2]
       python -m bench.embed --bound [--repeats 3]     # CPU bound of the vision tower (issue 20, part 2)
       python -m bench.embed --runtimes [--layers 27] [--n 4] [--batch 1] [--repeats 2] [--no-int8]
                                                       # images/s per MEDRAG_EMBED_RUNTIME, parity, int8/bf16

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


# MedSigLIP-448's vision tower (google/medsiglip-448 config.json): 27 layers, hidden 1152, MLP 4304,
# 16 heads, patch 14 on 448x448 -> 32 x 32 = 1024 tokens, then a multi-head attention pooling head.
TOWER = {"layers": 27, "hidden": 1152, "mlp": 4304, "tokens": 1024, "patch": 14, "channels": 3}


def tower_flops(layers: int = TOWER["layers"]) -> dict[str, float]:
    """Multiply-adds x 2 per image, by part (softmax, norms, GELU and adds are under 1% and left out)."""
    d, m, t, p = TOWER["hidden"], TOWER["mlp"], TOWER["tokens"], TOWER["patch"]
    per_layer = {
        "qkv + out projections": 4 * 2 * t * d * d,
        "attention scores + weighted sum": 2 * 2 * t * t * d,
        "MLP": 2 * 2 * t * d * m,
    }
    parts = {"patch embedding": 2 * t * (p * p * TOWER["channels"]) * d}
    parts |= {k: v * layers for k, v in per_layer.items()}
    # pooling head: one probe token attends over the 1024 tokens (k, v projections dominate), then its MLP
    parts["pooling head"] = 2 * 2 * t * d * d + 2 * 2 * d * d + 2 * 2 * d * m
    return parts


def cpu_bound(argv: list[str], *, repeats: int) -> int:
    """GEMM peak and torch's vision tower, interleaved so both see the same machine load."""
    import os

    import torch
    from transformers import SiglipVisionConfig, SiglipVisionModel

    log(header("bench.embed --bound", ["bench.embed", *argv]))
    log(f"# torch {torch.__version__}, threads {torch.get_num_threads()}, float32; random weights (time only);"
        f" load average {os.getloadavg()[0]:.1f} at start")  # fmt: skip
    parts = tower_flops()
    total = sum(parts.values())
    for name, f in parts.items():
        log(f"flops {name}: {f / 1e9:.1f} GFLOP")
    log(f"flops total per 448x448 image: {total / 1e9:.1f} GFLOP")
    d, m, t = TOWER["hidden"], TOWER["mlp"], TOWER["tokens"]
    a, b = torch.randn(t, d), torch.randn(d, m)
    towers = {}
    for layers in (1, 3):
        cfg = SiglipVisionConfig(hidden_size=d, intermediate_size=m, num_attention_heads=16,
                                 num_hidden_layers=layers, image_size=448, patch_size=14)  # fmt: skip
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            towers[layers] = SiglipVisionModel(cfg).eval()
    pixels = torch.randn(1, 3, 448, 448)
    gemm, tower = [], {1: [], 3: []}
    with torch.inference_mode():
        torch.matmul(a, b)
        towers[1](pixel_values=pixels)
        for _ in range(max(repeats, 2)):
            start = time.perf_counter()
            for _ in range(3):
                torch.matmul(a, b)
            gemm.append(3 * 2 * t * d * m / (time.perf_counter() - start))
            for layers, model in towers.items():
                start = time.perf_counter()
                model(pixel_values=pixels)
                tower[layers].append(time.perf_counter() - start)
    peak = max(gemm)
    t1, t3 = statistics.median(tower[1]), statistics.median(tower[3])
    per_layer = (t3 - t1) / 2
    t27 = t1 + 26 * per_layer
    log(f"gemm {t}x{d} @ {d}x{m} float32: best {peak / 1e9:.1f} GFLOP/s, median {statistics.median(gemm) / 1e9:.1f}")
    log(f"torch tower: 1 layer {t1:.2f} s, 3 layers {t3:.2f} s -> {per_layer:.2f} s per layer;"
        f" 27 layers {t27:.1f} s per image ({1 / t27:.3f} images/s)")  # fmt: skip
    bound = total / peak
    log(f"bound at the GEMM peak: {bound:.1f} s per image; torch reaches {bound / t27:.0%} of it;"
        f" the most any runtime could gain in float32 here: {t27 / bound:.2f}x")  # fmt: skip
    return 0


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.astype(np.float64), b.astype(np.float64)
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def topk_overlap(reference: np.ndarray, other: np.ndarray, k: int) -> float:
    """Mean share of each image's top-k neighbours (by cosine, among the others) that both embeddings agree on."""
    def neighbours(vecs: np.ndarray) -> np.ndarray:
        unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        sims = unit @ unit.T
        np.fill_diagonal(sims, -np.inf)
        return np.argsort(-sims, axis=1)[:, :k]

    ref, got = neighbours(reference), neighbours(other)
    return float(np.mean([len(set(r) & set(g)) / k for r, g in zip(ref, got, strict=True)]))


def runtimes_bench(argv: list[str], args: argparse.Namespace) -> int:
    """Images/s of the vision tower per runtime on the same pixel batches, interleaved, with cosine parity
    against torch float32; lower-precision variants (OpenVINO bfloat16, ONNX Runtime dynamic int8) beside."""
    import os

    import torch

    from medrag_core.embedding import MedSigLIPEmbedder
    from medrag_core.imaging import decode_image

    def uptime() -> str:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())

    log(header("bench.embed --runtimes", ["bench.embed", *argv]))
    import onnxruntime
    import openvino

    log(f"# torch {torch.__version__} ({torch.get_num_threads()} threads), onnxruntime {onnxruntime.__version__},"
        f" openvino {openvino.__version__}; MedSigLIP-shaped vision tower, {args.layers} layers, random weights;"
        f" {args.n} images, batch {args.batch}; load average {uptime()} at start")  # fmt: skip
    n_parity = max(args.n, args.parity_n)
    pngs = [synthetic_xray_png(args.side, seed=i) for i in range(n_parity)]
    with tempfile.TemporaryDirectory(prefix="medrag_bench_rt_") as tmp:
        model_dir = build_medsiglip_shaped(Path(tmp) / "model", layers=args.layers)
        export_dir = Path(tmp) / "exported_models"
        embedders, load_s = {}, {}
        for runtime in ("torch", "onnx", "openvino"):
            start = time.perf_counter()
            embedders[runtime] = MedSigLIPEmbedder(model_dir, runtime=runtime, export_dir=export_dir, device="cpu",
                                                   dtype="float32", batch_size=args.batch)  # fmt: skip
            load_s[runtime] = time.perf_counter() - start
            log(f"{runtime}: first load {load_s[runtime]:.1f} s (load average {uptime()})")
        for runtime in ("onnx", "openvino"):  # a second start finds the export
            start = time.perf_counter()
            again = MedSigLIPEmbedder(model_dir, runtime=runtime, export_dir=export_dir, batch_size=args.batch)
            log(f"{runtime}: second load {time.perf_counter() - start:.1f} s (exported: {again._towers.exported})")
            del again
        torch_embedder = embedders["torch"]
        images = [decode_image(png).pixels for png in pngs]
        batches = [torch_embedder.pixel_values(images[i : i + args.batch]) for i in range(0, n_parity, args.batch)]
        arrays = [b.numpy() for b in batches]
        timed = range((args.n + args.batch - 1) // args.batch)  # the first --n images; all n_parity for parity

        def torch_forward(x: torch.Tensor) -> np.ndarray:
            out = torch_embedder._model.get_image_features(pixel_values=x)
            return getattr(out, "pooler_output", out).numpy()

        variants = {
            "torch float32": lambda i: torch_forward(batches[i]),
            "onnx float32": lambda i: embedders["onnx"]._towers.image_features(arrays[i]),
            "openvino float32": lambda i: embedders["openvino"]._towers.image_features(arrays[i]),
        }
        core = openvino.Core()
        ov_dir = embedders["openvino"]._towers.directory
        threads = torch.get_num_threads()
        bf16 = core.compile_model(core.read_model(str(ov_dir / "vision.xml")), "CPU",
                                  {"INFERENCE_PRECISION_HINT": "bf16", "PERFORMANCE_HINT": "LATENCY",
                                   "INFERENCE_NUM_THREADS": threads}).create_infer_request()  # fmt: skip
        variants["openvino bfloat16"] = lambda i: np.array(bf16.infer([arrays[i]])[0])
        if args.int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            onnx_dir = embedders["onnx"]._towers.directory
            start = time.perf_counter()
            quantize_dynamic(onnx_dir / "vision.onnx", Path(tmp) / "vision-int8.onnx", weight_type=QuantType.QInt8,
                             use_external_data_format=True)  # fmt: skip
            log(f"onnx int8: dynamic quantization {time.perf_counter() - start:.1f} s")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            int8 = onnxruntime.InferenceSession(str(Path(tmp) / "vision-int8.onnx"), options,
                                                providers=["CPUExecutionProvider"])  # fmt: skip
            variants["onnx int8 (dynamic)"] = lambda i: int8.run(None, {"pixel_values": arrays[i]})[0]

        d, m, t = TOWER["hidden"], TOWER["mlp"], TOWER["tokens"]
        a, b = torch.randn(t, d), torch.randn(d, m)
        outputs: dict[str, np.ndarray] = {}
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        gemm: list[float] = []
        with torch.inference_mode():
            for name, run in variants.items():  # warm-up, and the vectors compared below
                outputs[name] = np.concatenate([run(i) for i in range(len(batches))])
            for _ in range(args.repeats):  # interleaved: every variant sees the same load
                start = time.perf_counter()
                for _ in range(3):
                    torch.matmul(a, b)
                gemm.append(3 * 2 * t * d * m / (time.perf_counter() - start))
                for name, run in variants.items():
                    start = time.perf_counter()
                    for i in timed:
                        run(i)
                    seconds[name].append(time.perf_counter() - start)
    per_layer_flops = (sum(tower_flops(args.layers).values())) / 1e9
    peak = max(gemm)
    log(f"gemm {t}x{d} @ {d}x{m} float32 in the same run: best {peak / 1e9:.1f} GFLOP/s,"
        f" median {statistics.median(gemm) / 1e9:.1f}; vision tower {per_layer_flops:.1f} GFLOP per image")  # fmt: skip
    reference = outputs["torch float32"]
    base = args.n / statistics.median(seconds["torch float32"])
    k = max(1, min(3, n_parity - 2))
    log(f"{'variant':<22} {'images/s':>9} {'x torch':>8} {'GFLOP/s':>8} {'cos min':>10} {'cos mean':>10}"
        f" top-{k} overlap   runs (s)")  # fmt: skip
    for name, runs in seconds.items():
        ips = args.n / statistics.median(runs)
        cos = _cosines(outputs[name], reference)
        log(f"{name:<22} {ips:>9.3f} {ips / base:>7.2f}x {ips * per_layer_flops:>8.1f} {cos.min():>10.6f}"
            f" {cos.mean():>10.6f} {topk_overlap(reference, outputs[name], k):>14.2f}   {[round(x, 1) for x in runs]}")
    log(f"# images/s over the first {args.n} images; cosine and top-{k} overlap (each image's {k} nearest among"
        f" the other {n_parity - 1}) over {n_parity}")
    log(f"# load average {uptime()} at the end; parity target: cosine >= 0.9999 in float32; random weights: the"
        " cosine and overlap of int8/bfloat16 say little about real MedSigLIP vectors")
    return 0


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
    parser.add_argument("--bound", action="store_true",
                        help="only the CPU bound: the vision tower's FLOPs per 448x448 image against a GEMM peak "
                             "measured in the same run, and torch's time per image (27 layers, from 1 and 3)")
    parser.add_argument("--runtimes", action="store_true",
                        help="images/s of the vision tower per MEDRAG_EMBED_RUNTIME (torch, onnx, openvino) and "
                             "lower-precision variants, interleaved, with cosine parity and top-k overlap vs torch")
    parser.add_argument("--parity-n", type=int, default=0, help="--runtimes: images for cosine and top-k overlap")
    parser.add_argument("--no-int8", dest="int8", action="store_false", help="--runtimes without the int8 variant")
    args = parser.parse_args(argv)
    if args.bound:
        return cpu_bound(argv, repeats=args.repeats)
    if args.runtimes:
        return runtimes_bench(argv, args)

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
