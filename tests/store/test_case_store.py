"""The ``CaseStore`` contract, run against both backends (``any_store``: PostgresStore, and SupabaseStore
over a fake PostgREST on the same real Postgres): writes, exact and HNSW top-k against numpy, full-text
search, filters, model binding, match functions, threads. ``store`` is the PostgresStore on that
database, for the setup and inspection a REST client cannot do (indexes, deletes, SQL)."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import psycopg
import pytest

from medrag_core.errors import DimensionMismatch, ModelMismatch, StoreError
from medrag_core.models import Case
from medrag_core.store import CaseFilter, CaseRecord, CaseStore, PostgresStore
from tests.fixtures.store_data import DIM, MODEL, as_stored, exact_top, make_records, unit


def test_is_a_case_store(any_store: CaseStore) -> None:
    assert isinstance(any_store, CaseStore)


def test_upsert_get_and_images(any_store: CaseStore, store: PostgresStore) -> None:
    records, img, _ = make_records(20, images=True)
    assert any_store.upsert(records, embed_model=MODEL) == 20
    got = any_store.get(["c0003", "nope", "c0001"])
    assert [c.case_id for c in got] == ["c0003", "c0001"]
    assert got[0].source == "alpha" and got[0].view == "PA" and got[0].labels == ["effusion", "cardiomegaly"]
    assert got[0].has_image_embedding and got[0].has_text_embedding and got[0].embed_model == MODEL
    sha = hashlib.sha256(b"png-bytes-3").hexdigest()
    assert got[0].image_sha256 == sha and any_store.get_image(sha) == b"png-bytes-3"
    assert any_store.get_image("0" * 64) is None
    assert any_store.get_thumbnail("c0003") == b"thumb"
    emb = any_store.get_embedding("c0003", "image")
    assert emb.dtype == np.float32 and np.array_equal(emb, as_stored(img[3]))  # half precision (sql/014)
    stats = any_store.stats()
    assert (stats.total_cases, stats.with_image, stats.with_image_embedding, stats.with_text_embedding) == (
        20,
        20,
        20,
        20,
    )
    assert stats.per_source == {"alpha": 7, "beta": 7, "gamma": 6}
    assert (stats.embed_model, stats.dimension) == (MODEL, DIM)
    with psycopg.connect(store._conninfo) as conn:  # seven distinct images, stored once each
        assert conn.execute("SELECT count(*) FROM images").fetchone()[0] == 7
        typed = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'cases'::regclass AND attname = 'image_embedding'"
        ).fetchone()[0]
        assert typed == "halfvec(64)"  # half precision since sql/014

    # Replace by case_id: text-only now, same count.
    replaced = Case(case_id="c0003", source="alpha", findings="Replaced report.")
    assert any_store.upsert([CaseRecord(replaced)], embed_model=MODEL) == 1
    again = any_store.get(["c0003"])[0]
    assert again.findings == "Replaced report." and not again.has_image_embedding and again.embed_model is None
    assert any_store.count() == 20 and any_store.existing_ids(["c0003", "zzz"]) == {"c0003"}


def test_upsert_rejects_unknown_image_reference(any_store: CaseStore) -> None:
    case = Case(case_id="x", source="alpha", image_sha256="a" * 64)
    with pytest.raises(StoreError, match="x reference"):
        any_store.upsert([CaseRecord(case)], embed_model=MODEL)
    assert any_store.count() == 0


@pytest.mark.parametrize("kind", ["image", "text"])
def test_knn_equals_numpy_exact_ranking(any_store: CaseStore, kind: str) -> None:
    records, img, txt = make_records(300, seed=1)
    any_store.upsert(records, embed_model=MODEL)
    # The store keeps half precision and rounds the query alike: the exact answer on the rounded vectors.
    emb = as_stored(img if kind == "image" else txt)
    for q in unit(np.random.default_rng(2), 5):
        hits = any_store.knn(kind, q, 10, embed_model=MODEL)
        assert [h.case.case_id for h in hits] == exact_top(emb, as_stored(q), 10)
        want = np.sort(emb @ as_stored(q))[::-1][:10]
        np.testing.assert_allclose([h.score for h in hits], want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["image", "text"])
def test_knn_with_hnsw_index_equals_numpy(any_store: CaseStore, store: PostgresStore, kind: str) -> None:
    records, img, txt = make_records(400, seed=3)
    any_store.upsert(records, embed_model=MODEL)
    state = store.reindex(m=16, ef_construction=200)
    assert state[kind].startswith("hnsw") and "m=16" in state[kind]
    any_store.ef_search = 400
    emb = as_stored(img if kind == "image" else txt)
    # Regression (bench: 600 ms exact scans at 30k): with the settings knn() applies, the planner takes the
    # HNSW index even where the small heap makes a scan look cheaper; and so do the SQL match functions.
    with psycopg.connect(store._conninfo) as conn:
        from pgvector.psycopg import register_vector

        from medrag_core.store import knn_sql, set_knn_plan

        register_vector(conn)
        set_knn_plan(conn, any_store.ef_search)
        params = {"q": emb[0], "k": 10}
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + knn_sql(kind, None, params), params))
        assert f"cases_{kind}_embedding_hnsw" in plan
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        # image_match / text_match share one body (sql/014), which carries the plan settings.
        body = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", (f"{kind}_match",)).fetchone()[0]
        assert f"medrag_vector_match('{kind}'" in body
        settings = conn.execute(
            "SELECT array_to_string(proconfig, ' ') FROM pg_proc WHERE proname = 'medrag_vector_match'"
        ).fetchone()[0]
        assert "enable_seqscan=off" in settings and "hnsw.ef_search=300" in settings
    for q in unit(np.random.default_rng(4), 5):
        hits = any_store.knn(kind, q, 10, embed_model=MODEL)
        assert [h.case.case_id for h in hits] == exact_top(emb, as_stored(q), 10)


@pytest.mark.parametrize("indexed", [False, True])
def test_knn_filters(any_store: CaseStore, store: PostgresStore, indexed: bool) -> None:
    records, img, _ = make_records(300, seed=5)
    any_store.upsert(records, embed_model=MODEL)
    if indexed:
        store.reindex()
        any_store.ef_search = 400
        store._run(lambda conn: conn.execute("SET enable_seqscan = off"))
    sources = np.array([r.case.source for r in records])
    views = np.array([r.case.view for r in records])
    has_effusion = np.array(["effusion" in r.case.labels and "normal" in r.case.labels for r in records])
    q = unit(np.random.default_rng(6), 1)[0]
    where = CaseFilter(sources=("alpha", "beta"), views=("PA", "AP"))
    hits = any_store.knn("image", q, 15, embed_model=MODEL, where=where)
    assert [h.case.case_id for h in hits] == exact_top(
        img, q, 15, np.isin(sources, ["alpha", "beta"]) & np.isin(views, ["PA", "AP"])
    )
    assert len(hits) == 15
    hits = any_store.knn("image", q, 8, embed_model=MODEL, where=CaseFilter(labels=("effusion", "normal")))
    assert [h.case.case_id for h in hits] == exact_top(img, q, 8, has_effusion)
    assert any_store.count(CaseFilter(sources=("gamma",))) == 100
    assert any_store.knn("image", q, 5, embed_model=MODEL, where=CaseFilter(sources=("nowhere",))) == []


def test_text_search(any_store: CaseStore) -> None:
    reports = {
        "a": ("Small left pleural effusion.", "Left pleural effusion."),
        "b": ("Heart size is enlarged.", "Cardiomegaly."),
        "c": ("Right apical pneumothorax with pleural effusions.", "Pneumothorax."),
        "d": ("Lungs are clear.", "No acute cardiopulmonary process."),
    }
    any_store.upsert(
        [CaseRecord(Case(case_id=k, source="alpha" if k != "c" else "beta", findings=f, impression=i))
         for k, (f, i) in reports.items()],
        embed_model=MODEL,
    )  # fmt: skip
    hits = any_store.text_search("pleural effusion", 10)
    assert [h.case.case_id for h in hits] == ["a", "c"]  # stemming: effusions matches; "a" has it twice
    assert hits[0].score > hits[1].score > 0
    assert [h.case.case_id for h in any_store.text_search("effusion -pneumothorax", 10)] == ["a"]
    assert [
        h.case.case_id for h in any_store.text_search('"pleural effusion"', 10, where=CaseFilter(sources=("beta",)))
    ] == ["c"]
    assert any_store.text_search("cardiomegaly", 10)[0].case.case_id == "b"
    assert any_store.text_search("   ", 10) == [] and any_store.text_search("zebra", 10) == []
    assert any_store.stats().embed_model is None  # text-only cases bind no model


def test_case_metadata_round_trips(any_store: CaseStore, store: PostgresStore) -> None:
    """Source provenance (jsonb) is written by upsert and read back by get, knn and text_search."""
    meta = {
        "license": "CC BY-NC-SA 4.0",
        "source_url": 'https://example.org/case?id=1&q="x"',
        "label": "Calcinosis/aorta; Aorta/tortuous",
        "note": "é ✓ 'quoted' \\ back\nslash {not: json}",
        "long": "x" * 2000,
    }
    records, img, _ = make_records(4)
    records[0].case.metadata = meta
    records[1].case.metadata = {"license": "CC BY 4.0"}
    assert any_store.upsert(records, embed_model=MODEL) == 4
    got = {c.case_id: c.metadata for c in any_store.get(["c0000", "c0001", "c0002"])}
    assert got == {"c0000": meta, "c0001": {"license": "CC BY 4.0"}, "c0002": {}}
    assert any_store.knn("image", img[0], 1, embed_model=MODEL)[0].case.metadata == meta
    assert {h.case.case_id: h.case.metadata for h in any_store.text_search("finding", 10)}["c0000"] == meta
    records[0].case.metadata = {"license": "CC0"}  # a re-upsert replaces the whole object
    any_store.upsert(records[:1], embed_model=MODEL)
    assert any_store.get(["c0000"])[0].metadata == {"license": "CC0"}
    rows = store._run(lambda c: c.execute(
        "SELECT case_id, jsonb_typeof(metadata), metadata->>'license' FROM cases ORDER BY case_id").fetchall())
    assert rows == [("c0000", "object", "CC0"), ("c0001", "object", "CC BY 4.0"), ("c0002", "object", None),
                    ("c0003", "object", None)]  # fmt: skip


def test_model_and_dimension_mismatch_refused(any_store: CaseStore, store: PostgresStore) -> None:
    records, img, _ = make_records(10)
    any_store.upsert(records, embed_model=MODEL)
    other = make_records(2, seed=9)[0]
    with pytest.raises(ModelMismatch, match=f"'{MODEL}'.*'other-model'"):
        any_store.upsert(other, embed_model="other-model")
    with pytest.raises(ModelMismatch, match="other-model"):
        any_store.knn("image", img[0], 3, embed_model="other-model")
    small = [CaseRecord(Case(case_id="z", source="alpha"), image_embedding=np.ones(32, np.float32) / np.sqrt(32))]
    with pytest.raises(DimensionMismatch, match="64-d.*32-d"):
        any_store.upsert(small, embed_model=MODEL)
    with pytest.raises(DimensionMismatch, match="64-d.*32-d"):
        any_store.knn("text", np.ones(32, np.float32), 3, embed_model=MODEL)
    mixed = [CaseRecord(Case(case_id="m", source="alpha"), image_embedding=np.ones(64), text_embedding=np.ones(32))]
    with pytest.raises(DimensionMismatch, match="mixes"):
        any_store.upsert(mixed, embed_model=MODEL)
    assert any_store.count() == 10 and any_store.get(["z"]) == []
    # Once every embedding is gone, the store accepts another model.
    assert store.delete_source("alpha") + store.delete_source("beta") + store.delete_source("gamma") == 10
    assert any_store.stats().embed_model is None and any_store.stats().index_state["image"].startswith("none")
    assert any_store.upsert(small, embed_model="other-model") == 1
    assert any_store.stats().dimension == 32


def test_knn_on_empty_store_and_bad_input(any_store: CaseStore) -> None:
    assert any_store.knn("image", np.ones(DIM), 5, embed_model=MODEL) == []
    with pytest.raises(ValueError, match="kind"):
        any_store.knn("audio", np.ones(DIM), 5, embed_model=MODEL)
    bad = [CaseRecord(Case(case_id="n", source="alpha"), image_embedding=np.full(DIM, np.nan))]
    with pytest.raises(StoreError, match="NaN"):
        any_store.upsert(bad, embed_model=MODEL)


def test_match_functions_equal_knn(any_store: CaseStore, store: PostgresStore) -> None:
    records = make_records(200, seed=7)[0]
    any_store.upsert(records, embed_model=MODEL)
    q = unit(np.random.default_rng(8), 1)[0]
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        from pgvector.psycopg import register_vector

        register_vector(conn)
        for kind in ("image", "text"):
            knn = [(h.case.case_id, h.score) for h in any_store.knn(kind, q, 10, embed_model=MODEL)]
            fn = conn.execute(f"SELECT case_id, similarity FROM {kind}_match(%s, 10)", (q,)).fetchall()
            assert [r[0] for r in fn] == [r[0] for r in knn]
            np.testing.assert_allclose([r[1] for r in fn], [r[1] for r in knn], rtol=1e-6)
            seed = conn.execute(f"SELECT id, findings, impression, similarity FROM match_{kind}s(%s, -1.0, 10)",
                                (q,)).fetchall()  # fmt: skip
            assert [r[0] for r in seed] == [r[0] for r in knn] and seed[0][1].startswith("Finding")
            cut = knn[4][1]
            above = conn.execute(f"SELECT id FROM match_{kind}s(%s, %s, 10)", (q, cut)).fetchall()
            assert [r[0] for r in above] == [r[0] for r in knn[:4]]
            filtered = conn.execute(
                f"SELECT case_id FROM {kind}_match(%s, 5, ARRAY['beta'], NULL, NULL)", (q,)
            ).fetchall()
            want = any_store.knn(kind, q, 5, embed_model=MODEL, where=CaseFilter(sources=("beta",)))
            assert [r[0] for r in filtered] == [h.case.case_id for h in want]


def test_thread_safety_smoke(any_store: CaseStore) -> None:
    records, img, _ = make_records(120, seed=11)
    any_store.upsert(records[:60], embed_model=MODEL)
    errors: list[BaseException] = []

    def reader(i: int) -> None:
        try:
            for j in range(15):
                hits = any_store.knn("image", img[(i * 7 + j) % 60], 5, embed_model=MODEL)
                assert hits and hits[0].case.case_id == f"c{(i * 7 + j) % 60:04d}"
                any_store.text_search("finding", 3)
        except BaseException as exc:
            errors.append(exc)

    def writer(i: int) -> None:
        try:
            for j in range(60 + i * 10, 70 + i * 10):
                any_store.upsert([records[j]], embed_model=MODEL)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)]
    threads += [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert any_store.count() == 120
