"""Binary-quantised vector indexes (sql/015) on the real embedded Postgres: ``reindex(method="binary")``
builds an HNSW index on the sign bits, the number of candidates re-ranked exactly is measured on the
archive's own vectors and used by ``knn``, the SQL match functions and ``etl``; filters still hold; no
candidate count reaching the target means an exact scan. Expected neighbours come from numpy."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector

from medrag_core.settings import Settings
from medrag_core.store import BINARY_LADDER, DEFAULT_BINARY_CANDIDATES, CaseFilter, PostgresStore, apply_migrations
from tests.fixtures.store_data import as_stored
from tests.store.test_ef_tuning import MODEL, N, fill, isotropic, recall_at_10
from tests.store.test_halfvec import sql_up_to


def index_names(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid ="
        " ic.relam WHERE i.indrelid = 'cases'::regclass AND am.amname = 'hnsw'")}  # fmt: skip


def exact_ids(vecs: np.ndarray, q: np.ndarray, k: int = 10, keep: np.ndarray | None = None) -> list[str]:
    stored = as_stored(vecs)
    scores = stored @ as_stored(q[None])[0]
    if keep is not None:
        scores = np.where(keep, scores, -np.inf)
    return [f"c{j:05d}" for j in np.argsort(-scores, kind="stable")[:k]]


def test_a_binary_index_is_measured_and_used_by_knn(store: PostgresStore, pg_conninfo: str) -> None:
    vecs = isotropic(np.random.default_rng(21), N)
    fill(store, vecs)
    state = store.reindex(method="binary", tune_queries=200)
    assert state["image"].startswith("hnsw binary m=16") and state["text"].startswith("hnsw binary")
    choice = store.stats().ef_choice["image"]
    assert choice.method == "binary" and not choice.exact and choice.ef_search is None
    assert choice.candidates in BINARY_LADDER and choice.recall is not None and choice.recall >= 0.98
    assert choice.ladder[0][0] == BINARY_LADDER[0] and choice.ladder[-1] == (choice.candidates, choice.recall)
    assert "binary index" in choice.describe() and f"{choice.candidates} candidates" in choice.describe()
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        assert index_names(conn) == {"cases_image_embedding_bits", "cases_text_embedding_bits"}
        # the Supabase store's stats read the same description
        assert conn.execute("SELECT medrag_stats()->'index_state'").fetchone()[0] == state
    picks = np.random.default_rng(5).choice(N, 100, replace=False)  # not the store's sample
    store.ef_search = None  # as from Settings without MEDRAG_EF_SEARCH: the measured choice
    assert recall_at_10(store, vecs, picks) >= 0.97
    store.ef_search = 10  # given explicitly: the candidates re-ranked; ten sign-bit neighbours miss many
    assert recall_at_10(store, vecs, picks) < 0.9


def test_the_store_plan_and_the_match_function_use_the_bit_index(store: PostgresStore, pg_conninfo: str) -> None:
    from medrag_core.store import knn_sql, set_knn_plan

    vecs = isotropic(np.random.default_rng(22), N)
    fill(store, vecs)
    store.reindex(method="binary", tune_queries=100)
    store.ef_search = None
    candidates = store.stats().ef_choice["image"].candidates
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        register_vector(conn)
        with conn.transaction():
            plan = set_knn_plan(conn, None, "image", 10)
            assert plan.candidates == candidates and plan.dim == vecs.shape[1] and not plan.exact
            assert set_knn_plan(conn, None, "image", 50).candidates == 5 * candidates  # the hybrid's lists
            assert set_knn_plan(conn, 30, "image", 10).candidates == 30  # MEDRAG_EF_SEARCH: the count itself
            params = {"q": vecs[0], "k": 10}
            text = "\n".join(r[0] for r in conn.execute("EXPLAIN " + knn_sql("image", None, params, plan), params))
            assert "cases_image_embedding_bits" in text
        for i in (3, 99, 1500):
            rows = conn.execute("SELECT case_id, similarity FROM image_match(%s, 10)", (vecs[i],)).fetchall()
            hits = store.knn("image", vecs[i], 10, embed_model=MODEL)
            assert [r[0] for r in rows] == [h.case.case_id for h in hits]
            assert rows[0][0] == f"c{i:05d}" and abs(rows[0][1] - 1.0) < 1e-2  # itself, inner product ~1
            assert len(set(r[0] for r in rows) & set(exact_ids(vecs, vecs[i]))) >= 8


def test_filters_hold_on_a_binary_index(store: PostgresStore, pg_conninfo: str) -> None:
    from medrag_core.models import Case
    from medrag_core.store import CaseRecord

    rng = np.random.default_rng(23)
    vecs = isotropic(rng, N)
    sources = np.array(["alpha" if i % 5 == 0 else "beta" for i in range(N)])
    store.upsert([CaseRecord(Case(case_id=f"c{i:05d}", source=str(sources[i])), image_embedding=v, text_embedding=v)
                  for i, v in enumerate(vecs)], embed_model=MODEL)  # fmt: skip
    store.reindex(method="binary", tune_queries=100)
    store.ef_search = None
    keep = sources == "alpha"
    overlap = []
    for q in isotropic(rng, 20):
        hits = store.knn("image", q, 10, embed_model=MODEL, where=CaseFilter(sources=("alpha",)))
        assert len(hits) == 10 and all(h.case.source == "alpha" for h in hits)
        overlap.append(len({h.case.case_id for h in hits} & set(exact_ids(vecs, q, keep=keep))) / 10)
    assert np.mean(overlap) >= 0.95
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        register_vector(conn)
        rows = conn.execute("SELECT case_id FROM image_match(%s, 10, filter_sources => %s)",
                            (vecs[5], ["alpha"])).fetchall()  # fmt: skip
        assert rows[0][0] == "c00005" and all(int(r[0][1:]) % 5 == 0 for r in rows)


def test_no_candidate_count_reaching_the_target_searches_exactly(store: PostgresStore, pg_conninfo: str) -> None:
    vecs = isotropic(np.random.default_rng(24), N)
    fill(store, vecs)
    store.reindex(method="binary", tune_queries=0)
    unmeasured = store.stats().ef_choice["image"]
    assert unmeasured.recall is None and unmeasured.candidates == DEFAULT_BINARY_CANDIDATES
    assert "not measured" in unmeasured.describe()
    choice = store.tune_ef_search(("image",), queries=100, ladder=(10,))["image"]  # too few to reach 0.98
    assert choice.exact and choice.method == "binary" and choice.recall < 0.98
    assert "exact scan" in choice.describe() and "etl reindex" in choice.describe()
    store.ef_search = None
    for i in (7, 700):
        got = [h.case.case_id for h in store.knn("image", vecs[i], 10, embed_model=MODEL)]
        assert got == exact_ids(vecs, vecs[i])
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        register_vector(conn)
        rows = conn.execute("SELECT case_id FROM image_match(%s, 10)", (vecs[7],)).fetchall()
        assert [r[0] for r in rows] == exact_ids(vecs, vecs[7])


def test_switching_methods_keeps_one_index_per_column(store: PostgresStore, pg_conninfo: str) -> None:
    fill(store, isotropic(np.random.default_rng(25), 500))
    store.reindex(tune_queries=0)
    store.reindex(method="binary", kinds=("image",), tune_queries=0)
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        assert index_names(conn) == {"cases_image_embedding_bits", "cases_text_embedding_hnsw"}
    state = store.stats().index_state
    assert state["image"].startswith("hnsw binary") and not state["text"].startswith("hnsw binary")
    store.reindex(method="hnsw", kinds=("image",), tune_queries=0)
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        assert index_names(conn) == {"cases_image_embedding_hnsw", "cases_text_embedding_hnsw"}
    assert "image" not in store.stats().ef_choice  # the binary choice went with its index
    store.drop_index()
    assert store.stats().index_state == {"image": "none (exact scan)", "text": "none (exact scan)"}
    with pytest.raises(ValueError, match="method must be one of hnsw, binary"):
        store.reindex(method="pq")


def test_etl_reindex_builds_a_binary_index(store: PostgresStore, pg_settings: Settings) -> None:
    from etl.__main__ import main

    fill(store, isotropic(np.random.default_rng(26), 800))
    out = io.StringIO()
    settings = Settings(data_dir=pg_settings.data_dir)
    from etl import commands

    assert commands.reindex(settings, m=16, ef_construction=64, out=out, tune_queries=50, method="binary") == 0
    text = out.getvalue()
    assert "index image: hnsw binary m=16" in text and "ef_search image: binary index" in text
    with pytest.raises(SystemExit) as refused:  # argparse refuses another method before anything runs
        main(["reindex", "--method", "nope"])
    assert refused.value.code == 2


def test_015_keeps_a_recorded_hnsw_choice(fresh_pg: object, tmp_path: Path) -> None:
    with psycopg.connect(fresh_pg.conninfo(), autocommit=True) as conn:  # type: ignore[attr-defined]
        apply_migrations(conn, sql_up_to(tmp_path / "sql014", 14))
        conn.execute("INSERT INTO index_tuning (kind, ef_search, exact, recall, target, queries, rows_indexed, ladder)"
                     " VALUES ('image', 200, false, 0.99, 0.98, 100, 5, '[[200, 0.99]]')")  # fmt: skip
        assert apply_migrations(conn)[0] == "015_binary_index.sql"
        rows = conn.execute("SELECT method, candidates, ef_search FROM index_tuning").fetchall()
        assert rows == [("hnsw", None, 200)]
        with pytest.raises(psycopg.errors.CheckViolation):  # a binary choice needs its candidates
            conn.execute("INSERT INTO index_tuning (kind, exact, recall, target, queries, rows_indexed, ladder, method)"
                         " VALUES ('text', false, 0.99, 0.98, 1, 1, '[]', 'binary')")  # fmt: skip


def test_the_supabase_store_searches_the_binary_index_alike(store: PostgresStore, rest_store: object) -> None:
    vecs = isotropic(np.random.default_rng(27), 1500)
    fill(store, vecs)
    store.reindex(method="binary", tune_queries=50)
    store.ef_search = None
    rest_store.ef_search = None  # type: ignore[attr-defined]
    assert rest_store.stats().index_state["image"].startswith("hnsw binary")  # type: ignore[attr-defined]
    for i in (4, 444):
        want = [h.case.case_id for h in store.knn("image", vecs[i], 10, embed_model=MODEL)]
        got = [h.case.case_id for h in rest_store.knn("image", vecs[i], 10, embed_model=MODEL)]  # type: ignore[attr-defined]
        assert got == want and got[0] == f"c{i:05d}"
