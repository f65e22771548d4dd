"""Retrieval at scale: exact scan vs HNSW on the embedded Postgres, and the original MedRAG's SQL.

usage: python -m bench.retrieval [--sizes 30000 100000] [--queries 200] [--exact-queries 50]
                                 [--ef 40 64 100 200] [--out results.json]

Per archive size, on a fresh embedded Postgres with synthetic 1152-d unit vectors (rank 64 + noise,
see ``bench.common``) and synthetic reports (34 stock sentences, plus a rarer finding in 15% of
them), bulk-loaded with binary COPY, everything through the shipped ``PostgresStore`` with no
settings forced from outside (its kNN plan settings, ``settings.ef_search``, ``reindex``):

1. the word query Verify used before (``report_search_query``): how many of its terms survive
   ``text_search(max_df=FTS_MAX_DF)``, how many queries keep none, and the rows matched before/after
   (Verify now searches by findings, ``retrieval.findings_query``, and prunes only their word list);
2. exact (no index): the original MedRAG's ``match_images`` query (cosine similarity ordered by its
   alias, which no index can serve), ``PostgresStore.knn`` top-10, and the full hybrid
   ``retrieval.retrieve`` as Verify runs it (image kNN + text kNN + the findings list, 50 candidates
   each, top-10 fused; the synthetic cases carry the labels ETL would give them);
3. HNSW indexes built by ``PostgresStore.reindex`` (m=16, ef_construction=64) with the build time,
   and whether the store's own kNN plan uses them (``EXPLAIN``);
4. per ``ef_search``: p50/p95 of the top-10 image query and of the hybrid retrieval, recall@10 of
   each against the exact answer (numpy kNN, same full-text list);
5. the hybrid with the old word query unpruned (as before the pruning), the findings search alone,
   and ``text_search`` of the word query alone, unpruned and pruned.

The workbench's rule for ef_search: the lowest value whose mean image recall@10 is at least 0.98.
Prints ``ratio`` and ``choice`` lines (the headline) and, with ``--out``, all figures as JSON.
Absolute milliseconds depend on the machine's load; ratios measured in one run are the figures to quote.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.common import (
    BENCH_MODEL,
    DIM,
    ServerMemory,
    bind_store,
    copy_cases,
    header,
    low_rank_basis,
    low_rank_unit_vectors,
    percentiles,
    synthetic_report,
    temp_postgres,
    timed,
)
from medrag_core.retrieval import FTS_MAX_DF, findings_search

RECALL_TARGET = 0.98
K = 10
CANDIDATES = 50  # retrieval.DEFAULT_CANDIDATES: each list of the hybrid search
ORIGINAL_MATCH_IMAGES = (
    "SELECT case_id, findings, impression, 1 - (image_embedding <=> %(q)s) AS similarity FROM cases"
    " WHERE 1 - (image_embedding <=> %(q)s) > %(t)s ORDER BY similarity DESC LIMIT %(k)s"
)
ORIGINAL_MATCH_TEXTS = ORIGINAL_MATCH_IMAGES.replace("image_embedding", "text_embedding")


def log(msg: str) -> None:
    print(msg, flush=True)


@dataclass
class Queries:
    image: np.ndarray
    text: np.ndarray
    fts: list[Any]  # retrieval.FindingsQuery, as Verify builds it
    words: list[str] = field(default_factory=list)  # report_search_query: the word query used before


@dataclass
class ExactStore:
    """Exact kNN in numpy over the loaded vectors; full-text search and cases from the real store.

    Gives ``retrieve`` the exact answer to compare HNSW against, without timing anything.
    """

    store: Any
    vectors: dict[str, np.ndarray]
    ids: list[str]
    prune: bool = True  # False: full-text search of the whole query, whatever max_df retrieve passes
    _cases: dict[str, Any] = field(default_factory=dict)

    def knn(self, kind: str, query: np.ndarray, k: int, *, embed_model: str, where: Any = None) -> list:
        from medrag_core.store import ScoredCase

        top = exact_top(self.vectors[kind], query, k)
        scores = self.vectors[kind][top] @ query
        ids = [self.ids[i] for i in top]
        missing = [i for i in ids if i not in self._cases]
        for case in self.store.get(missing):
            self._cases[case.case_id] = case
        return [ScoredCase(self._cases[i], float(s)) for i, s in zip(ids, scores, strict=True)]

    def text_search(self, query: str, k: int, *, where: Any = None, max_df: float | None = None) -> list:
        return self.store.text_search(query, k, where=where, max_df=max_df if self.prune else None)

    def count(self, where: Any = None) -> int:
        return self.store.count(where)

    def label_search(self, labels: Any, k: int, *, where: Any = None) -> list:
        return self.store.label_search(labels, k, where=where)


class OneAtATime:
    """The store with the hybrid's lists asked for one after another (as before the connection pool):
    the same-run baseline of the side-by-side hybrid."""

    max_parallel_reads = 1

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def exact_top(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def recall(found: list[str], truth: list[str]) -> float:
    return len(set(found) & set(truth)) / max(1, len(truth))


def recalls(found: list[list[str]], truth: list[list[str]]) -> list[float]:
    """recall@k of each query (``found`` may cover only the first queries of ``truth``)."""
    return [recall(f, t) for f, t in zip(found, truth[: len(found)], strict=True)]


def make_queries(n: int, bases: dict[str, np.ndarray], rng: np.random.Generator) -> Queries:
    from medrag_core.reports import parse_report
    from medrag_core.retrieval import findings_query, report_search_query

    fts, words = [], []
    for _ in range(n):
        findings, impression = synthetic_report(rng)
        parsed = parse_report(f"FINDINGS: {findings}\nIMPRESSION: {impression}")
        fts.append(findings_query(parsed))
        words.append(report_search_query(parsed, f"{findings}\n{impression}"))
    return Queries(
        image=low_rank_unit_vectors(n, bases["image"], rng), text=low_rank_unit_vectors(n, bases["text"], rng),
        fts=fts, words=words,
    )  # fmt: skip


def build_indexes(store: Any, m: int, ef_construction: int, memory: ServerMemory | None = None, *,
                  tune_queries: int = 300, method: str = "hnsw") -> dict[str, Any]:  # fmt: skip
    """Build the vector indexes (``method``) with the shipped ``PostgresStore.reindex`` (its memory sizing,
    its ANALYZE), one kind at a time, then its tuning on the archive's own vectors (ef_search, or the
    candidates of a binary index), timed apart; seconds each. With ``memory``, the server's peak memory
    of each phase is kept in it."""
    from contextlib import nullcontext

    def watch(label: str) -> Any:
        return memory.during(label) if memory is not None else nullcontext()

    out: dict[str, Any] = {"tune_s": {}, "tuned": {}}
    for kind in ("image", "text"):
        start = time.perf_counter()
        with watch("build"):
            store.reindex(m=m, ef_construction=ef_construction, kinds=(kind,), tune_queries=0, method=method)
        out[kind] = round(time.perf_counter() - start, 1)
        peak = f" (server PSS peak {memory.peaks['build']} MB)" if memory is not None else ""
        log(f"  built {kind} index in {out[kind]:.1f} s{peak}")
        if tune_queries <= 0:
            continue
        start = time.perf_counter()
        with watch("tune"):
            choice = store.tune_ef_search((kind,), queries=tune_queries)[kind]
        out["tune_s"][kind] = round(time.perf_counter() - start, 1)
        out["tuned"][kind] = {"ef_search": choice.ef_search, "candidates": choice.candidates, "exact": choice.exact,
                              "recall": choice.recall, "ladder": choice.ladder}  # fmt: skip
        log(f"  tuned {kind} in {out['tune_s'][kind]} s: {choice.describe()}")
    return out


def time_original(conn: Any, queries: Queries, n: int) -> dict[str, list[float]]:
    """The original MedRAG: match_images top-10 alone, and its hybrid (match_images + match_texts, top-50 each)."""
    single, hybrid = [], []
    for i in range(n):
        params = {"q": queries.image[i], "t": -1, "k": K}
        single.append(timed(lambda p=params: conn.execute(ORIGINAL_MATCH_IMAGES, p).fetchall())[0])
        ms, _ = timed(lambda i=i: (
            conn.execute(ORIGINAL_MATCH_IMAGES, {"q": queries.image[i], "t": -1, "k": CANDIDATES}).fetchall(),
            conn.execute(ORIGINAL_MATCH_TEXTS, {"q": queries.text[i], "t": -1, "k": CANDIDATES}).fetchall(),
        ))  # fmt: skip
        hybrid.append(ms)
    return {"match_images": single, "match_images+match_texts": hybrid}


def run_queries(store: Any, settings: Any, queries: Queries, n: int, *, image: bool, hybrid: bool,
                words: bool = False, max_df: float | None = FTS_MAX_DF) -> dict[str, Any]:  # fmt: skip
    """Top-10 image kNN and/or hybrid per query, the hybrid as Verify runs it (``fts_max_df=FTS_MAX_DF``,
    ``workflow.stages``); ``words``: the hybrid with the old word query instead of the findings query
    (``max_df=None``: unpruned)."""
    from medrag_core.retrieval import retrieve

    out: dict[str, Any] = {"image_ms": [], "hybrid_ms": [], "image_ids": [], "hybrid_ids": []}
    for i in range(n):
        if image:
            ms, hits = timed(lambda i=i: store.knn("image", queries.image[i], K, embed_model=BENCH_MODEL))
            out["image_ms"].append(ms)
            out["image_ids"].append([h.case.case_id for h in hits])
        if hybrid:
            ms, matches = timed(lambda i=i: retrieve(
                store, image_embedding=queries.image[i], text_embedding=queries.text[i],
                query_text=queries.words[i] if words else queries.fts[i],
                settings=settings, embed_model=BENCH_MODEL, k=K, fts_max_df=max_df,
            ))  # fmt: skip
            out["hybrid_ms"].append(ms)
            out["hybrid_ids"].append([mt.case.case_id for mt in matches])
    return out


def stats(samples: list[float]) -> dict[str, float]:
    p50, p95 = percentiles(samples)
    return {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "n": len(samples)}


def fts_matches(conn: Any, query: str) -> int:
    """How many cases a full-text query matches: the rows ``text_search`` ranks."""
    if not query:
        return 0
    sql = "SELECT count(*) FROM cases AS c, websearch_to_tsquery('english', %s) AS q WHERE c.fts @@ q"
    return int(conn.execute(sql, (query,)).fetchone()[0])


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    import psycopg
    from pgvector.psycopg import register_vector

    from medrag_core.settings import Settings
    from medrag_core.store import PostgresStore, index_name, knn_sql, query_alternatives, set_knn_plan

    rng = np.random.default_rng(args.seed)
    bases = {"image": low_rank_basis(rng), "text": low_rank_basis(rng)}
    res: dict[str, Any] = {"n": n, "queries": args.queries, "exact_queries": args.exact_queries}
    start = time.perf_counter()
    vectors = {kind: low_rank_unit_vectors(n, bases[kind], rng) for kind in ("image", "text")}
    res["generate_s"] = round(time.perf_counter() - start, 1)
    queries = make_queries(args.queries, bases, rng)
    ids = [f"bench-{i:07d}" for i in range(n)]
    n_exact = min(args.exact_queries, args.queries)
    with temp_postgres() as conninfo:
        bind_store(conninfo)
        if args.storage == "vector":  # float32 columns, as before sql/014: the store serves either
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f"ALTER TABLE cases ALTER COLUMN image_embedding TYPE vector({DIM}),"
                             f" ALTER COLUMN text_embedding TYPE vector({DIM})")  # fmt: skip
        res["storage"] = args.storage
        memory = ServerMemory(conninfo)
        start = time.perf_counter()
        with memory.during("copy"):
            copy_cases(conninfo, vectors["image"], vectors["text"], rng)
        res["copy_s"] = round(time.perf_counter() - start, 1)
        log(f"n={n}: generated vectors in {res['generate_s']} s, COPY + VACUUM ANALYZE in {res['copy_s']} s")

        settings = Settings(embed_model=BENCH_MODEL)
        # The shipped store as Verify uses it: nothing forced from outside (its own kNN plan settings,
        # settings.ef_search, full-text pruning at FTS_MAX_DF).
        store = PostgresStore(conninfo, ef_search=settings.ef_search, timeout_s=900.0)  # exact scans at 1M
        exact = ExactStore(store, vectors, ids)
        truth_img = [[ids[j] for j in exact_top(vectors["image"], q, K)] for q in queries.image]
        truth_hyb = run_queries(exact, settings, queries, args.queries, image=False, hybrid=True)["hybrid_ids"]

        with psycopg.connect(conninfo, autocommit=True) as conn:
            register_vector(conn)
            pruned = [store.prune_query(q, FTS_MAX_DF) for q in queries.words]
            sample = range(min(20, args.queries))
            res["fts_pruning"] = {
                "max_df": FTS_MAX_DF,
                "queries_skipped": round(sum(not p for p in pruned) / len(pruned), 3),
                "terms_before": round(float(np.mean([len(query_alternatives(q)) for q in queries.words])), 2),
                "terms_after": round(float(np.mean([len(query_alternatives(p)) for p in pruned])), 2),
                "rows_matched_before": round(float(np.mean([fts_matches(conn, queries.words[i]) for i in sample]))),
                "rows_matched_after": round(float(np.mean([fts_matches(conn, pruned[i]) for i in sample]))),
                "examples": [[q, p] for q, p in zip(queries.words, pruned, strict=True) if p][:3],
            }
            log(f"  full-text pruning {res['fts_pruning']}")

            run_queries(store, settings, queries, min(3, n_exact), image=True, hybrid=True)  # warm-up
            time_original(conn, queries, min(3, n_exact))
            orig = time_original(conn, queries, n_exact)
            ex = run_queries(store, settings, queries, n_exact, image=True, hybrid=True)
            res["original"] = {name: stats(v) for name, v in orig.items()}
            res["exact"] = {
                "image": stats(ex["image_ms"]),
                "hybrid": stats(ex["hybrid_ms"]),
                "image_recall_vs_numpy": float(np.mean(recalls(ex["image_ids"], truth_img))),
                "hybrid_recall_vs_numpy": float(np.mean(recalls(ex["hybrid_ids"], truth_hyb))),
            }
            log(f"  original match_images (exact) {res['original']['match_images']}")
            log(f"  exact knn {res['exact']['image']}  exact hybrid {res['exact']['hybrid']}")

            res["build_s"] = build_indexes(store, args.m, args.ef_construction, memory,
                                           tune_queries=args.tune_queries, method=args.method)  # fmt: skip
            res["method"] = args.method
            res["index_mb"] = {kind: round(conn.execute(
                "SELECT pg_relation_size(%s::regclass)", (index_name(kind, args.method),)).fetchone()[0] / 2**20)
                for kind in ("image", "text")}  # fmt: skip
            res["table_mb"] = round(conn.execute("SELECT pg_total_relation_size('cases')").fetchone()[0] / 2**20)
            res["column_types"] = {kind: conn.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = 'cases'::regclass AND attname = %s", (f"{kind}_embedding",)).fetchone()[0]
                for kind in ("image", "text")}  # fmt: skip
            plan = "\n".join(r[0] for r in conn.execute(
                "EXPLAIN " + ORIGINAL_MATCH_IMAGES, {"q": queries.image[0], "t": -1, "k": K}))  # fmt: skip
            res["original_uses_index"] = "hnsw" in plan
            with conn.transaction():  # the plan the store's own kNN transaction gets
                for kind in ("image", "text"):
                    plan = set_knn_plan(conn, store.ef_search, kind, CANDIDATES)
                    params: dict[str, Any] = {"q": getattr(queries, kind)[0], "k": CANDIDATES}
                    explain_sql = "EXPLAIN " + knn_sql(kind, None, params, plan)
                    knn_plan = "\n".join(r[0] for r in conn.execute(explain_sql, params))
                    res[f"store_{kind}_knn_uses_index"] = index_name(kind, args.method) in knn_plan
            orig_after = time_original(conn, queries, n_exact)
            res["original_after_index"] = {name: stats(v) for name, v in orig_after.items()}
            func = [timed(lambda q=q: conn.execute("SELECT * FROM match_images(%s, -1, %s)", (q, K)).fetchall())[0]
                    for q in queries.image[:n_exact]]  # fmt: skip
            res["repo_match_images_fn"] = stats(func)

        res["hnsw"] = {}
        memory.peaks["queries"] = memory.now_mb()
        # --ef 0: the choice measured on the archive (as the app searches without MEDRAG_EF_SEARCH)
        for ef in args.ef:
            store.ef_search = ef or None
            run_queries(store, settings, queries, min(3, args.queries), image=True, hybrid=True)  # warm-up
            with memory.during("queries"):
                got = run_queries(store, settings, queries, args.queries, image=True, hybrid=True)
            res["hnsw"][ef] = {
                "image": stats(got["image_ms"]),
                "hybrid": stats(got["hybrid_ms"]),
                "image_recall": round(float(np.mean(recalls(got["image_ids"], truth_img))), 4),
                "image_recall_min": round(float(min(recalls(got["image_ids"], truth_img))), 2),
                "hybrid_recall": round(float(np.mean(recalls(got["hybrid_ids"], truth_hyb))), 4),
            }
            one_by_one = run_queries(OneAtATime(store), settings, queries, args.queries, image=False, hybrid=True)
            res["hnsw"][ef]["hybrid_one_after_another"] = stats(one_by_one["hybrid_ms"])
            log(f"  ef_search={ef}: {res['hnsw'][ef]}")
        store.ef_search = settings.ef_search if args.method == "hnsw" else None  # binary: the measured candidates
        if args.filtered:
            store.ef_search = args.filtered_ef or store.ef_search
            with psycopg.connect(conninfo, autocommit=True) as conn:
                res["filtered"] = filtered_searches(store, conn, queries, vectors, ids, args.queries)
            store.ef_search = settings.ef_search if args.method == "hnsw" else None
        if args.bq_candidates:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                register_vector(conn)
                res["binary_rerank"] = binary_rerank(conn, queries, truth_img, args.bq_candidates, args.queries,
                                                     memory)  # fmt: skip
        full = run_queries(store, settings, queries, args.queries, image=False, hybrid=True, words=True,
                           max_df=None)
        res["hybrid_unpruned"] = {"ef": settings.ef_search, "hybrid": stats(full["hybrid_ms"])}
        log(f"  hybrid, old word query unpruned (as before the pruning): {res['hybrid_unpruned']}")
        res["findings_only"] = stats(  # as in Verify's hybrid: the word list pruned and bounded
            [timed(lambda q=q: findings_search(store, q, CANDIDATES, max_df=FTS_MAX_DF))[0] for q in queries.fts]
        )
        res["findings_only_unpruned"] = stats(  # a text-only archive (no embedding list beside it)
            [timed(lambda q=q: findings_search(store, q, CANDIDATES))[0] for q in queries.fts]
        )
        for name, max_df in (("fts_only", None), ("fts_only_pruned", FTS_MAX_DF)):
            fts_ms = [timed(lambda q=q, m=max_df: store.text_search(q, CANDIDATES, max_df=m))[0]
                      for q in queries.words]  # fmt: skip
            res[name] = stats(fts_ms)
        store.close()
        res["server_pss_peak_mb"] = dict(memory.peaks)
    return res


def filtered_searches(store: Any, conn: Any, queries: Queries, vectors: dict[str, np.ndarray], ids: list[str],
                      n: int, n_exact: int = 20) -> dict[str, Any]:  # fmt: skip
    """Image top-10 with a filter (a view; the commonest and a rare label; both), through the store's kNN
    (``set_knn_plan``: an exact scan of the filtered rows when the filter keeps at most
    ``EXACT_FILTER_MAX_ROWS``, else HNSW with iterative index scans): p50/p95 and recall@10 against numpy
    on the rows the filter keeps (the labels read back from the database), and which plan it got.

    Beside it, to set and check that threshold: the unfiltered search in the same phase; per filter the
    exact scan of its rows forced (``n_exact`` queries: ms, and ms per matching row), the plan's round
    trip with its filter (the floor of sql/017, and the bounded count where the floor does not rule the
    exact scan out) alternating with the bounded count alone (``medrag_filter_count``, what sql/016 ran
    for every filter); and for filters the index serves, the index at ef_search raised in proportion to
    the filter's selectivity (ef / share, at most 1000)."""
    from pgvector.psycopg import register_vector

    from medrag_core.store import EXACT_FILTER_MAX_ROWS, CaseFilter, KnnPlan, knn_sql, set_knn_plan

    register_vector(conn)
    counts = conn.execute(
        "SELECT l, count(*) FROM cases, unnest(labels) AS l WHERE l <> 'No Finding' GROUP BY l ORDER BY 2 DESC"
    ).fetchall()
    common = counts[0][0]
    rare = min((c for c in counts if c[1] >= 0.01 * len(ids)), key=lambda c: c[1])[0]
    index = {case_id: i for i, case_id in enumerate(ids)}

    def rows_with(label: str) -> np.ndarray:
        mask = np.zeros(len(ids), dtype=bool)
        for (case_id,) in conn.execute("SELECT case_id FROM cases WHERE labels @> ARRAY[%s]", (label,)):
            mask[index[case_id]] = True
        return mask

    from bench.common import VIEWS

    view_pa = np.array([VIEWS[i % 3] == "PA" for i in range(len(ids))])
    filters = {
        "view=PA": (CaseFilter(views=("PA",)), view_pa),
        f"label={common}": (CaseFilter(labels=(common,)), rows_with(common)),
        f"label={rare}": (CaseFilter(labels=(rare,)), rows_with(rare)),
        f"view=PA+label={rare}": (CaseFilter(views=("PA",), labels=(rare,)), view_pa & rows_with(rare)),
    }
    ef0 = store.ef_search

    def knn_ids(where: CaseFilter | None) -> tuple[list[float], list[list[str]]]:
        ms, got = [], []
        for q in queries.image[:n]:
            t, hits = timed(lambda q=q, w=where: store.knn("image", q, K, embed_model=BENCH_MODEL, where=w))
            ms.append(t)
            got.append([h.case.case_id for h in hits])
        return ms, got

    def forced_exact_ms(where: CaseFilter, q: np.ndarray) -> float:
        with conn.transaction():
            set_knn_plan(conn, ef0, "image", K)  # the plan's settings, no probe
            params: dict[str, Any] = {"q": q, "k": K}
            sql = knn_sql("image", where, params, KnnPlan(exact=True))
            return timed(lambda: conn.execute(sql, params).fetchall())[0]

    def probe(where: CaseFilter) -> tuple[float, KnnPlan]:
        with conn.transaction():
            return timed(lambda: set_knn_plan(conn, ef0, "image", K, where))  # type: ignore[return-value]

    def count_alone_ms(where: CaseFilter) -> float:
        args = [list(x) or None for x in (where.sources, where.views, where.labels)]
        sql = "SELECT medrag_filter_count('image', %s::text[], %s::text[], %s::text[], %s)"
        return timed(lambda: conn.execute(sql, [*args, EXACT_FILTER_MAX_ROWS + 1]).fetchone())[0]

    truth_all = [[ids[j] for j in exact_top(vectors["image"], q, K)] for q in queries.image[:n]]
    ms, got = knn_ids(None)
    out: dict[str, Any] = {"threshold_rows": EXACT_FILTER_MAX_ROWS, "ef_search": ef0,
                           "none": {**stats(ms), "recall": round(float(np.mean(recalls(got, truth_all))), 4)}}
    plain_probe = [timed(lambda: set_knn_plan(conn, ef0, "image", K))[0] for _ in range(n_exact)]
    out["plan_without_probe"] = stats(plain_probe)
    log(f"  unfiltered (same phase): {out['none']}; plan round trip without a probe {out['plan_without_probe']}")
    for name, (where, mask) in filters.items():
        keep = np.flatnonzero(mask)
        truth = [[ids[keep[j]] for j in exact_top(vectors["image"][keep], q, K)] for q in queries.image[:n]]
        probes, counts = [], []
        for _ in range(n_exact):  # alternating, so that both see the same load
            probes.append(probe(where))
            counts.append(count_alone_ms(where))
        plan = probes[-1][1]
        ms, got = knn_ids(where)
        row: dict[str, Any] = {**stats(ms), "share": round(float(mask.mean()), 4), "rows": int(mask.sum()),
                               "recall": round(float(np.mean(recalls(got, truth))), 4), "exact_plan": plan.exact,
                               "probe": stats([p[0] for p in probes]), "probe_rows": plan.filtered_rows,
                               "floor_rows": plan.floor_rows, "count_alone": stats(counts)}  # fmt: skip
        exact_ms = [forced_exact_ms(where, q) for q in queries.image[:n_exact]]
        row["forced_exact"] = stats(exact_ms)
        row["forced_exact_us_per_row"] = round(1000 * row["forced_exact"]["p50_ms"] / max(row["rows"], 1), 2)
        if not plan.exact and ef0:
            scaled = min(1000, int(np.ceil(ef0 / max(float(mask.mean()), 1e-9))))
            store.ef_search = scaled
            try:
                ms, got = knn_ids(where)
            finally:
                store.ef_search = ef0
            row["scaled_ef"] = {"ef_search": scaled, **stats(ms),
                                "recall": round(float(np.mean(recalls(got, truth))), 4)}  # fmt: skip
        out[name] = row
        log(f"  filtered {name}: {row}")
    return out


def binary_rerank(conn: Any, queries: Queries, truth: list[list[str]], candidates: list[int], n: int,
                  memory: ServerMemory) -> dict[str, Any]:  # fmt: skip
    """Binary quantisation of the image column: an HNSW index on ``binary_quantize(...)::bit(DIM)``
    (Hamming distance), the ``c`` nearest by it, re-ranked exactly by inner product. Build time, index size,
    p50/p95 and recall@10 per candidate count; the index is dropped afterwards."""
    out: dict[str, Any] = {}
    bits = f"binary_quantize(image_embedding)::bit({DIM})"
    start = time.perf_counter()
    with memory.during("build_bq"):
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute("SET maintenance_work_mem = '1GB'")  # 144 bytes a row: the graph fits at 1M
        conn.execute(f"CREATE INDEX cases_image_bq_hnsw ON cases USING hnsw (({bits}) bit_hamming_ops)")
    out["build_s"] = round(time.perf_counter() - start, 1)
    out["index_mb"] = round(conn.execute("SELECT pg_relation_size('cases_image_bq_hnsw')").fetchone()[0] / 2**20)
    log(f"  binary-quantised image index built in {out['build_s']} s, {out['index_mb']} MB")
    sql = (f"SELECT case_id FROM (SELECT case_id, image_embedding FROM cases ORDER BY {bits}"
           f" <~> binary_quantize(%(q)s::halfvec)::bit({DIM}) LIMIT %(c)s) AS cand"
           " ORDER BY image_embedding <#> %(q)s LIMIT %(k)s")  # fmt: skip
    for c in candidates:
        with conn.transaction():
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(min(1000, max(c, 40))),))
            conn.execute("SET LOCAL enable_seqscan = off")
            for q in queries.image[:3]:
                conn.execute(sql, {"q": q, "c": c, "k": K}).fetchall()  # warm-up
            ms, got = [], []
            for q in queries.image[:n]:
                t, rows = timed(lambda q=q, c=c: conn.execute(sql, {"q": q, "c": c, "k": K}).fetchall())
                ms.append(t)
                got.append([r[0] for r in rows])
        out[c] = {"image": stats(ms), "image_recall": round(float(np.mean(recalls(got, truth))), 4)}
        log(f"  binary index + exact re-rank of {c}: {out[c]}")
    conn.execute("DROP INDEX cases_image_bq_hnsw")
    return out


def choose_ef(res: dict[str, Any]) -> int | None:
    ok = [ef for ef, r in sorted(res["hnsw"].items()) if r["image_recall"] >= RECALL_TARGET]
    return ok[0] if ok else None


def summarize(res: dict[str, Any], default_ef: int) -> list[str]:
    n = res["n"]
    orig = res["original"]["match_images"]["p50_ms"]
    orig_h = res["original"]["match_images+match_texts"]["p50_ms"]
    ex_i, ex_h = res["exact"]["image"]["p50_ms"], res["exact"]["hybrid"]["p50_ms"]
    lines = [
        f"n={n} build_s image={res['build_s']['image']:.1f} text={res['build_s']['text']:.1f}"
        f" (tuning apart: {res['build_s']['tune_s']}) index_mb={res['index_mb']} table_mb={res['table_mb']}"
        f" columns={res['column_types']} copy_s={res['copy_s']}",
        f"n={n} server PSS peak MB {res['server_pss_peak_mb']}; ef_search tuned on the archive:"
        f" { {k: (v['ef_search'], v.get('candidates'), v['recall']) for k, v in res['build_s']['tuned'].items()} }"
        f" (ef_search, candidates of a binary index, recall); method {res.get('method', 'hnsw')}",
        f"n={n} original match_images p50={orig:.1f} ms (uses index after build: {res['original_uses_index']},"
        f" p50 then {res['original_after_index']['match_images']['p50_ms']:.1f} ms);"
        f" original match_images+match_texts p50={orig_h:.1f} ms",
        f"n={n} storage={res.get('storage', 'vector')}: exact scans in the store vs the float32 numpy answer,"
        f" top-10 overlap image {res['exact']['image_recall_vs_numpy']:.3f}"
        f" hybrid {res['exact']['hybrid_recall_vs_numpy']:.3f} ({res['exact']['image']['n']} queries)",
        f"n={n} exact knn top-10 p50={ex_i:.1f} ms; exact hybrid p50={ex_h:.1f} ms;"
        f" findings search alone p50={res['findings_only']['p50_ms']:.1f} ms (unpruned, as on a text-only archive:"
        f" {res['findings_only_unpruned']['p50_ms']:.1f} ms); repo match_images() fn p50="
        f"{res['repo_match_images_fn']['p50_ms']:.1f} ms",
        f"{'ef':>5} {'img p50':>8} {'img p95':>8} {'img R@10':>8} {'hyb p50':>8} {'hyb p95':>8} {'hyb R@10':>8}",
    ]
    for ef, r in sorted(res["hnsw"].items()):
        lines.append(
            f"{ef:>5} {r['image']['p50_ms']:>8.1f} {r['image']['p95_ms']:>8.1f} {r['image_recall']:>8.3f}"
            f" {r['hybrid']['p50_ms']:>8.1f} {r['hybrid']['p95_ms']:>8.1f} {r['hybrid_recall']:>8.3f}"
        )
    fp, un = res["fts_pruning"], res["hybrid_unpruned"]
    lines.append(
        f"n={n} old word query, pruned (max_df={fp['max_df']}): terms per query {fp['terms_before']}"
        f" -> {fp['terms_after']},"
        f" queries with no full-text search {fp['queries_skipped']:.0%}, rows matched {fp['rows_matched_before']}"
        f" -> {fp['rows_matched_after']}; text_search p50 {res['fts_only']['p50_ms']:.1f} ->"
        f" {res['fts_only_pruned']['p50_ms']:.1f} ms; hybrid with the unpruned word query (ef={un['ef']})"
        f" p50={un['hybrid']['p50_ms']:.1f} ms"
    )
    lines.append(
        f"n={n} store kNN plan uses HNSW: image={res['store_image_knn_uses_index']}"
        f" text={res['store_text_knn_uses_index']}"
    )
    for ef, r in sorted(res["hnsw"].items()):
        lines.append(
            f"ratio n={n} ef={ef} image top-10: original/hnsw = {orig / r['image']['p50_ms']:.1f}x,"
            f" exact/hnsw = {ex_i / r['image']['p50_ms']:.1f}x"
        )
        lines.append(
            f"ratio n={n} ef={ef} hybrid: original match_images/hnsw hybrid = {orig / r['hybrid']['p50_ms']:.1f}x,"
            f" original hybrid/hnsw hybrid = {orig_h / r['hybrid']['p50_ms']:.1f}x,"
            f" exact hybrid/hnsw hybrid = {ex_h / r['hybrid']['p50_ms']:.1f}x"
            f"; hybrid one list after another / side by side = "
            f"{r['hybrid_one_after_another']['p50_ms'] / r['hybrid']['p50_ms']:.2f}x"
        )
    for name, r in res.get("filtered", {}).items():
        if not isinstance(r, dict) or "share" not in r:
            continue
        lines.append(f"n={n} filtered image top-10 {name} ({r['share']:.1%} of the rows, {r['rows']}):"
                     f" {'exact' if r['exact_plan'] else 'index'} p50={r['p50_ms']:.1f} p95={r['p95_ms']:.1f} ms,"
                     f" recall@10 {r['recall']:.3f}; forced exact p50={r['forced_exact']['p50_ms']:.1f} ms"
                     f" ({r['forced_exact_us_per_row']:.1f} us a row); probe p50={r['probe']['p50_ms']:.2f} ms"
                     + (f" (floor {r['floor_rows']}, counted {r['probe_rows']}; the count alone"
                        f" p50={r['count_alone']['p50_ms']:.2f} ms)" if "count_alone" in r else "")
                     + (f"; index at ef {r['scaled_ef']['ef_search']}: p50={r['scaled_ef']['p50_ms']:.1f} ms,"
                        f" recall@10 {r['scaled_ef']['recall']:.3f}" if "scaled_ef" in r else ""))  # fmt: skip
    bq = res.get("binary_rerank")
    if bq:
        lines.append(f"n={n} binary-quantised image index: build {bq['build_s']} s, {bq['index_mb']} MB")
        for c, r in bq.items():
            if isinstance(r, dict):
                lines.append(f"n={n} binary + exact re-rank of {c}: image p50={r['image']['p50_ms']:.1f}"
                             f" p95={r['image']['p95_ms']:.1f} ms, recall@10 {r['image_recall']:.3f}")  # fmt: skip
    chosen = choose_ef(res)
    lines.append(
        f"choice n={n}: ef_search={chosen} (lowest with image recall@10 >= {RECALL_TARGET});"
        f" settings default {default_ef}: image recall@10 = "
        f"{res['hnsw'][default_ef]['image_recall'] if default_ef in res['hnsw'] else 'not measured'}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--exact-queries", type=int, default=50, help="queries timed on the exact scans")
    parser.add_argument("--ef", type=int, nargs="+", default=[40, 64, 100, 200])
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=64)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tune-queries", type=int, default=300,
                        help="ef_search tuning after each build on this many archive vectors (0: skip)")
    parser.add_argument("--filtered", action="store_true",
                        help="also time filtered image searches (view, labels) at settings.ef_search")
    parser.add_argument("--filtered-ef", type=int,
                        help="ef_search of the filtered searches (default: settings.ef_search, 300)")
    parser.add_argument("--bq-candidates", type=int, nargs="*", default=[],
                        help="also build a binary-quantised image index and re-rank this many candidates exactly")
    parser.add_argument("--method", choices=["hnsw", "binary"], default="hnsw",
                        help="the index reindex builds: hnsw, or binary (sign bits + exact re-rank, sql/015); "
                        "with binary, --ef values are candidate counts")
    parser.add_argument("--storage", choices=["halfvec", "vector"], default="halfvec",
                        help="embedding columns: halfvec (the store's, sql/014) or vector (float32, as before)")
    parser.add_argument("--out", help="write all figures as JSON here (one object per size, rewritten per size)")
    args = parser.parse_args(argv)
    if args.queries <= K:
        parser.error(f"--queries must be more than {K}")

    from medrag_core.settings import Settings

    default_ef = Settings().ef_search
    log(header("bench.retrieval", ["bench.retrieval", *argv]))
    log(f"# vectors: {DIM}-d unit, rank 64 + noise; top-{K}; hybrid = {CANDIDATES} candidates per list, RRF")
    results = []
    for n in args.sizes:
        res = bench_size(n, args)
        results.append(res)
        for line in summarize(res, default_ef):
            log(line)
        if args.out:
            with open(args.out, "w") as fh:
                json.dump(results, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
