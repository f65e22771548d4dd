"""Helpers shared by the benchmarks: a throwaway embedded Postgres, realistic synthetic vectors and
reports, timers and percentiles, and the machine line every figure is printed with.

Realistic vectors: MedSigLIP embeddings of chest X-rays are not isotropic; they crowd into a
low-dimensional subspace. ``low_rank_unit_vectors`` draws ``z @ B + noise`` with ``z`` of rank 64 and a
decaying spectrum, then L2-normalises, which makes HNSW recall depend on ``ef_search`` the way real
data does (isotropic random vectors are the easy, misleading case).
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

DIM = 1152  # MedSigLIP-448 embedding size
BENCH_MODEL = "bench/synthetic-medsiglip-1152"

_FINDINGS = [
    "The lungs are clear", "There is no focal consolidation", "No pleural effusion or pneumothorax is seen",
    "The cardiomediastinal silhouette is within normal limits", "Heart size is normal",
    "The heart is mildly enlarged", "There is moderate cardiomegaly", "Mild pulmonary vascular congestion",
    "There is a small left pleural effusion", "There is a small right pleural effusion",
    "Bilateral pleural effusions are present", "Right lower lobe opacity may represent pneumonia",
    "Left lower lobe atelectasis is noted", "Patchy bibasilar opacities likely reflect atelectasis",
    "There is a right upper lobe consolidation", "Diffuse bilateral interstitial opacities are seen",
    "Multifocal ground glass opacities are present", "A small apical pneumothorax is seen on the right",
    "There is a large left pneumothorax", "The endotracheal tube terminates 4 cm above the carina",
    "A right internal jugular central line ends in the superior vena cava",
    "The nasogastric tube courses below the diaphragm", "Sternotomy wires are intact",
    "A left sided pacemaker is in place", "Degenerative changes of the thoracic spine are noted",
    "No acute osseous abnormality is identified", "There is an old healed fracture of the right sixth rib",
    "The aorta is tortuous and calcified", "There is a 2 cm nodule in the left upper lobe",
    "A calcified granuloma is seen in the right mid lung", "Blunting of the left costophrenic angle is seen",
    "Hyperinflated lungs consistent with emphysema", "There is pulmonary edema with Kerley B lines",
    "Low lung volumes with crowding of the bronchovascular markings",
]  # fmt: skip
_IMPRESSIONS = [
    "No acute cardiopulmonary process", "Findings consistent with pneumonia in the right lower lobe",
    "Cardiomegaly with mild pulmonary edema", "Small left pleural effusion with adjacent atelectasis",
    "Right pneumothorax", "Support devices in appropriate position", "Stable chest radiograph",
    "Multifocal pneumonia", "Emphysema without acute process", "Pulmonary nodule, recommend CT",
]  # fmt: skip
# The long tail: real archives also hold findings few reports mention. Each of these is in about
# RARE_SHARE / len(_RARE) of the reports (about 2.5%), the rest of the vocabulary in 8% or more.
_RARE = [
    "There is a small hiatal hernia", "Calcified pleural plaques are seen", "Mediastinal widening is present",
    "A pericardial effusion is suspected", "There is a right hilar mass", "Free air suggests pneumoperitoneum",
]  # fmt: skip
RARE_SHARE = 0.15
VIEWS = ["PA", "AP", "LATERAL"]


# ----------------------------------------------------------------------------- machine and timing


def machine() -> str:
    """One line: CPU model, cores, RAM, Python; for the header of every benchmark's output."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(ln for ln in meminfo if ln.startswith("MemTotal")).split()[1])
        ram = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{model}, {os.cpu_count()} cores{ram}, Python {platform.python_version()}"


def header(title: str, argv: Sequence[str]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"# {title}\n# command: python -m {' '.join(argv)}\n# machine: {machine()}\n# date: {now}"


def percentiles(samples_ms: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) of a list of milliseconds (linear interpolation)."""
    arr = np.asarray(samples_ms, dtype=np.float64)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000.0, out


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# ----------------------------------------------------------------------------- synthetic data


def low_rank_basis(rng: np.random.Generator, dim: int = DIM, rank: int = 64) -> np.ndarray:
    """(rank, dim) orthonormal rows: the subspace the synthetic embeddings live near."""
    q, _ = np.linalg.qr(rng.standard_normal((dim, rank)))
    return q.T.astype(np.float32)


def low_rank_unit_vectors(
    n: int, basis: np.ndarray, rng: np.random.Generator, *, noise: float = 0.5, chunk: int = 20_000
) -> np.ndarray:
    """(n, dim) float32 unit vectors: rank-``len(basis)`` signal with a decaying spectrum plus isotropic noise.

    ``noise`` is the norm of the noise relative to the norm of the signal (before normalising).
    """
    rank, dim = basis.shape
    spectrum = (1.0 / np.sqrt(1.0 + np.arange(rank) / 4.0)).astype(np.float32)
    spectrum /= np.linalg.norm(spectrum)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        signal = (rng.standard_normal((m, rank), dtype=np.float32) * spectrum) @ basis
        eps = rng.standard_normal((m, dim), dtype=np.float32) * (noise / np.sqrt(dim))
        block = signal + eps
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def synthetic_report(rng: np.random.Generator) -> tuple[str, str]:
    """(findings, impression) made of 2-4 stock finding sentences, in ``RARE_SHARE`` of the reports one
    rarer finding too, and one impression."""
    k = int(rng.integers(2, 5))
    picks = rng.choice(len(_FINDINGS), size=k, replace=False)
    sentences = [_FINDINGS[i] for i in picks]
    if rng.random() < RARE_SHARE:
        sentences.append(_RARE[int(rng.integers(len(_RARE)))])
    findings = ". ".join(sentences) + "."
    return findings, _IMPRESSIONS[int(rng.integers(len(_IMPRESSIONS)))] + "."


@functools.cache
def _sentence_labels(sentence: str, section: str) -> tuple[frozenset[str], bool]:
    """(names ``observation_labels`` gives one stock sentence less "No Finding", whether it gives "No Finding")."""
    from medrag_core.reports import observation_labels, parse_report

    labels = frozenset(observation_labels(parse_report(f"{section}: {sentence}.")))
    return labels - {"No Finding"}, "No Finding" in labels


def synthetic_labels(findings: str, impression: str) -> list[str]:
    """The case labels ETL would store for a synthetic report (``reports.observation_labels``), read
    sentence by sentence so that 100,000 reports cost about 50 parses: the stock sentences are
    independent, and a report is "No Finding" exactly when each of its sentences is."""
    names: set[str] = set()
    normal = True
    for section, text in (("FINDINGS", findings), ("IMPRESSION", impression)):
        for sentence in (s.strip() for s in text.split(".")):
            if sentence:
                found, sentence_normal = _sentence_labels(sentence, section)
                names |= found
                normal &= sentence_normal
    return sorted(names | ({"No Finding"} if normal else set()))


# ----------------------------------------------------------------------------- embedded Postgres


@contextmanager
def temp_postgres(keep: bool = False) -> Iterator[str]:
    """A fresh embedded Postgres (pgvector) in a temp dir, migrations applied; yields its conninfo.

    The server is stopped and the directory removed on exit (unless ``keep``).
    """
    from medrag_core.store import EmbeddedPostgres, PostgresStore

    root = Path(tempfile.mkdtemp(prefix="medrag_bench_"))
    os.chmod(root, 0o755)  # the server may run as a dedicated system user
    server = EmbeddedPostgres(root / "pgdata")
    conninfo = server.start()
    try:
        PostgresStore(conninfo).close()  # applies sql/ migrations
        yield conninfo
    finally:
        try:
            server.stop()
        finally:
            if not keep:
                shutil.rmtree(root, ignore_errors=True)


def bind_store(conninfo: str, dim: int = DIM, model: str = BENCH_MODEL) -> None:
    """Bind the empty store to ``model``/``dim`` through the store itself (types the columns vector(dim))."""
    from medrag_core.models import Case
    from medrag_core.store import CaseRecord, PostgresStore

    vec = np.zeros(dim, dtype=np.float32)
    vec[0] = 1.0
    with PostgresStore(conninfo) as store:
        case = Case(case_id="bench-bind", source="bench")
        store.upsert([CaseRecord(case=case, image_embedding=vec, text_embedding=vec)], embed_model=model)
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DELETE FROM cases WHERE case_id = 'bench-bind'")


def copy_cases(
    conninfo: str, image_vecs: np.ndarray, text_vecs: np.ndarray, rng: np.random.Generator,
    *, model: str = BENCH_MODEL, start_id: int = 0, batch: int = 5_000,
) -> None:  # fmt: skip
    """Bulk-load cases (ids ``bench-<i>``, synthetic reports, both embeddings) with binary COPY."""
    import psycopg
    from pgvector import HalfVector
    from pgvector.psycopg import register_vector

    cols = "case_id, source, findings, impression, view, labels, image_embedding, text_embedding, embed_model"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        register_vector(conn)
        # Binary COPY sends the column's own format: halfvec (the store's since sql/014) or vector.
        storage = conn.execute(
            "SELECT format_type(atttypid, NULL) FROM pg_attribute"
            " WHERE attrelid = 'cases'::regclass AND attname = 'image_embedding'"
        ).fetchone()[0]
        wrap = HalfVector if storage == "halfvec" else np.asarray
        types = ["text", "text", "text", "text", "text", "text[]", storage, storage, "text"]
        for lo in range(0, len(image_vecs), batch):
            hi = min(lo + batch, len(image_vecs))
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy(f"COPY cases ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(types)
                    for i in range(lo, hi):
                        findings, impression = synthetic_report(rng)
                        copy.write_row([f"bench-{start_id + i:07d}", "bench", findings, impression,
                                        VIEWS[i % 3], synthetic_labels(findings, impression),
                                        wrap(image_vecs[i]), wrap(text_vecs[i]), model])  # fmt: skip
        conn.execute("VACUUM ANALYZE cases")


# ----------------------------------------------------------------------------- MedSigLIP-shaped model

MEDSIGLIP_LAYERS = 27  # both towers of MedSigLIP-448


def build_medsiglip_shaped(out_dir: Path | str, layers: int = 2) -> Path:
    """A SigLIP checkpoint with MedSigLIP-448's width (hidden 1152, 16 heads, MLP 4304, patch 14, image
    448, 64 text tokens) but only ``layers`` layers per tower, random weights. Measures time, never quality.

    The tokenizer and image processor come from the test fixture's tiny checkpoint (vocab about 200:
    the embedding lookup is a negligible part of the cost).
    """
    import torch
    from transformers import SiglipConfig, SiglipModel, SiglipTokenizer

    from tests.fixtures.tiny_siglip import build_tiny_siglip

    out = build_tiny_siglip(out_dir)
    tokenizer = SiglipTokenizer(vocab_file=str(out / "spiece.model"), model_max_length=64)
    width = {"hidden_size": DIM, "intermediate_size": 4304, "num_attention_heads": 16, "num_hidden_layers": layers}
    config = SiglipConfig(
        text_config={**width, "vocab_size": tokenizer.vocab_size, "max_position_embeddings": 64,
                     "projection_size": DIM, "pad_token_id": tokenizer.pad_token_id,
                     "eos_token_id": tokenizer.eos_token_id, "bos_token_id": None},
        vision_config={**width, "image_size": 448, "patch_size": 14},
    )  # fmt: skip
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        SiglipModel(config).eval().save_pretrained(out)
    return out


def synthetic_xray_png(side: int = 2048, seed: int = 0) -> bytes:
    """An 8-bit grayscale PNG of ``side`` x ``side`` with smooth structure and noise (a typical CXR export size)."""
    import io

    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    body = np.exp(-(((x - 0.5) / 0.35) ** 2 + ((y - 0.55) / 0.45) ** 2))
    lungs = np.exp(-(((np.abs(x - 0.5) - 0.17) / 0.1) ** 2 + ((y - 0.45) / 0.22) ** 2))
    img = 0.2 + 0.6 * body - 0.35 * lungs + rng.normal(0, 0.03, (side, side)).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8), mode="L").save(buf, format="PNG")
    return buf.getvalue()


class LayerTimer:
    """Forward hooks that add up the wall time of each encoder layer of a SiglipModel's towers."""

    def __init__(self, model) -> None:
        self.ms = {"vision": 0.0, "text": 0.0}
        self.calls = {"vision": 0, "text": 0}
        self._start: dict[int, float] = {}
        self._handles = []
        for tower, mod in (("vision", model.vision_model), ("text", model.text_model)):
            for layer in mod.encoder.layers:
                self._handles.append(layer.register_forward_pre_hook(self._pre))
                self._handles.append(layer.register_forward_hook(self._post(tower)))

    def _pre(self, module, args) -> None:
        self._start[id(module)] = time.perf_counter()

    def _post(self, tower: str):
        def hook(module, args, output) -> None:
            self.ms[tower] += (time.perf_counter() - self._start.pop(id(module))) * 1000.0
            self.calls[tower] += 1

        return hook

    def reset(self) -> None:
        self.ms = {"vision": 0.0, "text": 0.0}
        self.calls = {"vision": 0, "text": 0}

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


# ----------------------------------------------------------------------------- server memory


class ServerMemory:
    """The embedded server's memory: PSS (proportional set size, MB) summed over the postmaster and its
    children, so shared buffers count once. ``during(label)`` samples it every ``interval`` s in a
    thread and keeps the peak in ``peaks[label]``; the OS page cache is not in it.
    """

    def __init__(self, conninfo: str, interval: float = 1.0) -> None:
        import psutil
        import psycopg

        with psycopg.connect(conninfo) as conn:  # the backend lives while the connection does
            backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
            self.postmaster = psutil.Process(backend).parent()
        self.interval = interval
        self.peaks: dict[str, float] = {}

    def now_mb(self) -> float:
        import psutil

        total = 0
        for proc in [self.postmaster, *self.postmaster.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except (psutil.Error, OSError):
                continue  # a backend that just exited
        return round(total / 2**20, 1)

    @contextmanager
    def during(self, label: str) -> Iterator[None]:
        import threading

        peak = [self.now_mb()]
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(self.interval):
                peak[0] = max(peak[0], self.now_mb())

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.peaks[label] = max(self.peaks.get(label, 0.0), peak[0], self.now_mb())
