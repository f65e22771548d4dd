"""PostgresStore on a real embedded Postgres (no mocked SQL): writes, exact and HNSW top-k against
numpy, full-text search, filters, model binding, match functions, threads, restarts and recovery."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time

import numpy as np
import psycopg
import pytest

from medrag_core.errors import DimensionMismatch, ModelMismatch, StoreError, StoreUnavailable
from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import CaseFilter, CaseRecord, CaseStore
from medrag_core.store.embedded import PIDFILE, EmbeddedPostgres, read_pidfile
from medrag_core.store.postgres import PostgresStore

MODEL = "tiny-test-model"
DIM = 64
SOURCES = ("alpha", "beta", "gamma")
VIEWS = ("PA", "AP", "LATERAL")
LABELS = ("effusion", "cardiomegaly", "pneumothorax", "normal")


def unit(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def make_records(n: int, seed: int = 0, *, images: bool = False) -> tuple[list[CaseRecord], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    img, txt = unit(rng, n), unit(rng, n)
    records = []
    for i in range(n):
        labels = [LABELS[j] for j in range(len(LABELS)) if (i >> j) & 1]
        case = Case(
            case_id=f"c{i:04d}",
            source=SOURCES[i % 3],
            study_id=f"s{i // 2}",
            findings=f"Finding number {i}.",
            impression="No acute disease.",
            view=VIEWS[i % 3],
            labels=labels,
        )
        image = f"png-bytes-{i % 7}".encode() if images else None
        records.append(
            CaseRecord(
                case,
                image_bytes=image,
                image_mime="image/png" if images else None,
                thumbnail=b"thumb" if images else None,
                image_embedding=img[i],
                text_embedding=txt[i],
            )  # fmt: skip
        )
    return records, img, txt


def exact_top(emb: np.ndarray, q: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[str]:
    scores = emb @ q
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return [f"c{i:04d}" for i in order if np.isfinite(scores[i])]


def test_postgres_store_is_a_case_store(store: PostgresStore) -> None:
    assert isinstance(store, CaseStore)


def test_upsert_get_and_images(store: PostgresStore) -> None:
    records, img, _ = make_records(20, images=True)
    assert store.upsert(records, embed_model=MODEL) == 20
    got = store.get(["c0003", "nope", "c0001"])
    assert [c.case_id for c in got] == ["c0003", "c0001"]
    assert got[0].source == "alpha" and got[0].view == "PA" and got[0].labels == ["effusion", "cardiomegaly"]
    assert got[0].has_image_embedding and got[0].has_text_embedding and got[0].embed_model == MODEL
    sha = hashlib.sha256(b"png-bytes-3").hexdigest()
    assert got[0].image_sha256 == sha and store.get_image(sha) == b"png-bytes-3"
    assert store.get_image("0" * 64) is None
    assert store.get_thumbnail("c0003") == b"thumb"
    emb = store.get_embedding("c0003", "image")
    assert emb.dtype == np.float32 and np.array_equal(emb, img[3])
    stats = store.stats()
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
        assert typed == "vector(64)"

    # Replace by case_id: text-only now, same count.
    replaced = Case(case_id="c0003", source="alpha", findings="Replaced report.")
    assert store.upsert([CaseRecord(replaced)], embed_model=MODEL) == 1
    again = store.get(["c0003"])[0]
    assert again.findings == "Replaced report." and not again.has_image_embedding and again.embed_model is None
    assert store.count() == 20 and store.existing_ids(["c0003", "zzz"]) == {"c0003"}


def test_upsert_rejects_unknown_image_reference(store: PostgresStore) -> None:
    case = Case(case_id="x", source="alpha", image_sha256="a" * 64)
    with pytest.raises(StoreError, match="x reference"):
        store.upsert([CaseRecord(case)], embed_model=MODEL)
    assert store.count() == 0


@pytest.mark.parametrize("kind", ["image", "text"])
def test_knn_equals_numpy_exact_ranking(store: PostgresStore, kind: str) -> None:
    records, img, txt = make_records(300, seed=1)
    store.upsert(records, embed_model=MODEL)
    emb = img if kind == "image" else txt
    for q in unit(np.random.default_rng(2), 5):
        hits = store.knn(kind, q, 10, embed_model=MODEL)
        assert [h.case.case_id for h in hits] == exact_top(emb, q, 10)
        want = np.sort(emb @ q)[::-1][:10]
        np.testing.assert_allclose([h.score for h in hits], want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["image", "text"])
def test_knn_with_hnsw_index_equals_numpy(store: PostgresStore, kind: str) -> None:
    records, img, txt = make_records(400, seed=3)
    store.upsert(records, embed_model=MODEL)
    state = store.reindex(m=16, ef_construction=200)
    assert state[kind].startswith("hnsw") and "m=16" in state[kind]
    store.ef_search = 400
    emb = img if kind == "image" else txt
    # Regression (bench: 600 ms exact scans at 30k): with the settings knn() applies, the planner takes the
    # HNSW index even where the small heap makes a scan look cheaper; and so do the SQL match functions.
    with psycopg.connect(store._conninfo) as conn:
        from pgvector.psycopg import register_vector

        from medrag_core.store.pg_sql import knn_sql, set_knn_plan

        register_vector(conn)
        set_knn_plan(conn, store.ef_search)
        params = {"q": emb[0], "k": 10}
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + knn_sql(kind, None, params), params))
        assert f"cases_{kind}_embedding_hnsw" in plan
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        settings = conn.execute(
            "SELECT array_to_string(proconfig, ' ') FROM pg_proc WHERE proname = %s", (f"{kind}_match",)
        ).fetchone()[0]
        assert "enable_seqscan=off" in settings and "hnsw.ef_search=300" in settings
    for q in unit(np.random.default_rng(4), 5):
        hits = store.knn(kind, q, 10, embed_model=MODEL)
        assert [h.case.case_id for h in hits] == exact_top(emb, q, 10)


@pytest.mark.parametrize("indexed", [False, True])
def test_knn_filters(store: PostgresStore, indexed: bool) -> None:
    records, img, _ = make_records(300, seed=5)
    store.upsert(records, embed_model=MODEL)
    if indexed:
        store.reindex()
        store.ef_search = 400
        store._run(lambda conn: conn.execute("SET enable_seqscan = off"))
    sources = np.array([r.case.source for r in records])
    views = np.array([r.case.view for r in records])
    has_effusion = np.array(["effusion" in r.case.labels and "normal" in r.case.labels for r in records])
    q = unit(np.random.default_rng(6), 1)[0]
    where = CaseFilter(sources=("alpha", "beta"), views=("PA", "AP"))
    hits = store.knn("image", q, 15, embed_model=MODEL, where=where)
    assert [h.case.case_id for h in hits] == exact_top(
        img, q, 15, np.isin(sources, ["alpha", "beta"]) & np.isin(views, ["PA", "AP"])
    )
    assert len(hits) == 15
    hits = store.knn("image", q, 8, embed_model=MODEL, where=CaseFilter(labels=("effusion", "normal")))
    assert [h.case.case_id for h in hits] == exact_top(img, q, 8, has_effusion)
    assert store.count(CaseFilter(sources=("gamma",))) == 100
    assert store.knn("image", q, 5, embed_model=MODEL, where=CaseFilter(sources=("nowhere",))) == []


def test_text_search(store: PostgresStore) -> None:
    reports = {
        "a": ("Small left pleural effusion.", "Left pleural effusion."),
        "b": ("Heart size is enlarged.", "Cardiomegaly."),
        "c": ("Right apical pneumothorax with pleural effusions.", "Pneumothorax."),
        "d": ("Lungs are clear.", "No acute cardiopulmonary process."),
    }
    store.upsert(
        [CaseRecord(Case(case_id=k, source="alpha" if k != "c" else "beta", findings=f, impression=i))
         for k, (f, i) in reports.items()],
        embed_model=MODEL,
    )  # fmt: skip
    hits = store.text_search("pleural effusion", 10)
    assert [h.case.case_id for h in hits] == ["a", "c"]  # stemming: effusions matches; "a" has it twice
    assert hits[0].score > hits[1].score > 0
    assert [h.case.case_id for h in store.text_search("effusion -pneumothorax", 10)] == ["a"]
    assert [
        h.case.case_id for h in store.text_search('"pleural effusion"', 10, where=CaseFilter(sources=("beta",)))
    ] == ["c"]
    assert store.text_search("cardiomegaly", 10)[0].case.case_id == "b"
    assert store.text_search("   ", 10) == [] and store.text_search("zebra", 10) == []
    assert store.stats().embed_model is None  # text-only cases bind no model


def test_text_search_max_df_drops_common_terms_keeps_rare_ones(store: PostgresStore) -> None:
    """Hybrid retrieval's pruning (``max_df``) on real ANALYZE statistics: terms in most reports leave the
    query, a rare discriminative term still finds its case, and an all-common query searches nothing."""
    from medrag_core.store import pg_sql

    n = 1_500
    records = []
    for i in range(n):
        findings = "The lungs are clear. Heart size is normal. No pleural effusion."
        if i % 15 == 0:  # 100 cases: 6.7% of the archive, but few enough rows (FTS_MIN_ROWS) to keep
            findings += " Sternotomy wires are intact."
        if i == 777:
            findings += " Free air under the diaphragm: pneumoperitoneum."
        records.append(CaseRecord(Case(case_id=f"t{i:04d}", source="alpha", findings=findings)))
    store.upsert(records, embed_model=MODEL)
    query = 'lungs or heart or "pleural effusion" or pneumoperitoneum or -clear or sternotomy'
    assert pg_sql.query_alternatives(query) == [
        "lungs", "heart", '"pleural effusion"', "pneumoperitoneum", "-clear", "sternotomy"
    ]  # fmt: skip
    assert pg_sql.query_alternatives('a OR "b or c" or or -d e') == ["a", '"b or c"', "-d e"]

    store.analyze()
    assert store.prune_query(query, 0.05) == "pneumoperitoneum or sternotomy"
    hits = store.text_search(query, 200, max_df=0.05)
    assert {h.case.case_id for h in hits} == {"t0777"} | {f"t{i:04d}" for i in range(0, n, 15)}
    rare = 'lungs or heart or "pleural effusion" or pneumoperitoneum'
    assert [h.case.case_id for h in store.text_search(rare, 10, max_df=0.05)] == ["t0777"]
    # Only common terms: nothing is ranked (the hybrid's other lists carry the search) ...
    assert store.prune_query("lungs or heart or clear", 0.05) == ""
    assert store.text_search("lungs or heart or clear", 10, max_df=0.05) == []
    # ... while the default (Browse) searches the query as given.
    assert len(store.text_search("lungs or heart or clear", 10)) == 10
    # Unpruned, every one of the 1,500 cases matches and is ranked.
    assert len(store.text_search(rare, 2000)) == n


def test_case_metadata_round_trips(store: PostgresStore) -> None:
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
    assert store.upsert(records, embed_model=MODEL) == 4
    got = {c.case_id: c.metadata for c in store.get(["c0000", "c0001", "c0002"])}
    assert got == {"c0000": meta, "c0001": {"license": "CC BY 4.0"}, "c0002": {}}
    assert store.knn("image", img[0], 1, embed_model=MODEL)[0].case.metadata == meta
    assert {h.case.case_id: h.case.metadata for h in store.text_search("finding", 10)}["c0000"] == meta
    records[0].case.metadata = {"license": "CC0"}  # a re-upsert replaces the whole object
    store.upsert(records[:1], embed_model=MODEL)
    assert store.get(["c0000"])[0].metadata == {"license": "CC0"}
    rows = store._run(lambda c: c.execute(
        "SELECT case_id, jsonb_typeof(metadata), metadata->>'license' FROM cases ORDER BY case_id").fetchall())
    assert rows == [("c0000", "object", "CC0"), ("c0001", "object", "CC BY 4.0"), ("c0002", "object", None),
                    ("c0003", "object", None)]  # fmt: skip


def test_model_and_dimension_mismatch_refused(store: PostgresStore) -> None:
    records, img, _ = make_records(10)
    store.upsert(records, embed_model=MODEL)
    other = make_records(2, seed=9)[0]
    with pytest.raises(ModelMismatch, match=f"'{MODEL}'.*'other-model'"):
        store.upsert(other, embed_model="other-model")
    with pytest.raises(ModelMismatch, match="other-model"):
        store.knn("image", img[0], 3, embed_model="other-model")
    small = [CaseRecord(Case(case_id="z", source="alpha"), image_embedding=np.ones(32, np.float32) / np.sqrt(32))]
    with pytest.raises(DimensionMismatch, match="64-d.*32-d"):
        store.upsert(small, embed_model=MODEL)
    with pytest.raises(DimensionMismatch, match="64-d.*32-d"):
        store.knn("text", np.ones(32, np.float32), 3, embed_model=MODEL)
    mixed = [CaseRecord(Case(case_id="m", source="alpha"), image_embedding=np.ones(64), text_embedding=np.ones(32))]
    with pytest.raises(DimensionMismatch, match="mixes"):
        store.upsert(mixed, embed_model=MODEL)
    assert store.count() == 10 and store.get(["z"]) == []
    # Once every embedding is gone, the store accepts another model.
    assert store.delete_source("alpha") + store.delete_source("beta") + store.delete_source("gamma") == 10
    assert store.stats().embed_model is None and store.stats().index_state["image"].startswith("none")
    assert store.upsert(small, embed_model="other-model") == 1
    assert store.stats().dimension == 32


def test_knn_on_empty_store_and_bad_input(store: PostgresStore) -> None:
    assert store.knn("image", np.ones(DIM), 5, embed_model=MODEL) == []
    with pytest.raises(ValueError, match="kind"):
        store.knn("audio", np.ones(DIM), 5, embed_model=MODEL)
    bad = [CaseRecord(Case(case_id="n", source="alpha"), image_embedding=np.full(DIM, np.nan))]
    with pytest.raises(StoreError, match="NaN"):
        store.upsert(bad, embed_model=MODEL)


def test_match_functions_equal_knn(store: PostgresStore) -> None:
    records = make_records(200, seed=7)[0]
    store.upsert(records, embed_model=MODEL)
    q = unit(np.random.default_rng(8), 1)[0]
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        from pgvector.psycopg import register_vector

        register_vector(conn)
        for kind in ("image", "text"):
            knn = [(h.case.case_id, h.score) for h in store.knn(kind, q, 10, embed_model=MODEL)]
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
            want = store.knn(kind, q, 5, embed_model=MODEL, where=CaseFilter(sources=("beta",)))
            assert [r[0] for r in filtered] == [h.case.case_id for h in want]


def test_thread_safety_smoke(store: PostgresStore) -> None:
    records, img, _ = make_records(120, seed=11)
    store.upsert(records[:60], embed_model=MODEL)
    errors: list[BaseException] = []

    def reader(i: int) -> None:
        try:
            for j in range(15):
                hits = store.knn("image", img[(i * 7 + j) % 60], 5, embed_model=MODEL)
                assert hits and hits[0].case.case_id == f"c{(i * 7 + j) % 60:04d}"
                store.text_search("finding", 3)
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised in the main thread
            errors.append(exc)

    def writer(i: int) -> None:
        try:
            for j in range(60 + i * 10, 70 + i * 10):
                store.upsert([records[j]], embed_model=MODEL)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)]
    threads += [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert store.count() == 120


def test_progress_is_written_with_the_batch(store: PostgresStore) -> None:
    records = make_records(30, seed=12)[0]
    alpha = [r for r in records if r.case.source == "alpha"]
    assert store.get_progress("parquet:x", "0/2") is None
    store.upsert(alpha[:5], embed_model=MODEL, progress=("parquet:x", "0/2", 5))
    store.upsert(alpha[5:], embed_model=MODEL, progress=("parquet:x", "0/2", 10, 2))
    assert store.get_progress("parquet:x", "0/2") == 10
    with pytest.raises(ModelMismatch):  # a refused batch moves nothing, progress included
        store.upsert(records[:3], embed_model="other-model", progress=("parquet:x", "0/2", 13))
    assert store.get_progress("parquet:x", "0/2") == 10
    store.set_progress("parquet:x", "0/2", 10, done=True)
    (row,) = store.list_progress()
    assert (row.source, row.position, row.rows_written, row.errors, row.done) == ("alpha", 10, 10, 2, True)
    store.set_progress("other", "1/2", 3)
    assert store.reset_progress("other") == 1
    assert store.delete_source("alpha") == 10 and store.list_progress() == []


def test_delete_source_removes_unused_images(store: PostgresStore) -> None:
    records = make_records(9, images=True)[0]  # images shared across sources (i % 7)
    store.upsert(records, embed_model=MODEL)
    assert store.delete_source("alpha") == 3 and store.delete_source("nothing") == 0
    with psycopg.connect(store._conninfo) as conn:
        left = {r[0] for r in conn.execute("SELECT sha256 FROM images")}
    used = {c.image_sha256 for c in store.get([r.case.case_id for r in records])}
    sha = {i: hashlib.sha256(f"png-bytes-{i}".encode()).hexdigest() for i in range(7)}
    # alpha had images 0, 3, 6; image 0 is also used by c0007 (beta) and stays.
    assert left == used == {sha[0], sha[1], sha[2], sha[4], sha[5]}


def test_bad_database_url_is_store_unavailable_without_password() -> None:
    cases = {
        "postgresql://medrag:s3cr3t-pw@127.0.0.1:1/cases": "Connection refused",  # nothing listens
        "host=127.0.0.1 port=1 password=s3cr3t-pw x": "not valid",  # a malformed conninfo
    }
    for url, why in cases.items():
        settings = Settings(database_url=url)
        with pytest.raises(StoreUnavailable) as info:
            PostgresStore.from_settings(settings)
        assert "s3cr3t-pw" not in info.value.user_message and "s3cr3t-pw" not in str(info.value)
        assert info.value.code == "store_unavailable"
        assert why in info.value.user_message and "127.0.0.1" in info.value.user_message


def test_restart_keeps_data(fresh_pg: EmbeddedPostgres) -> None:
    store = PostgresStore(fresh_pg.conninfo())
    records, img, _ = make_records(12, seed=13)
    store.upsert(records, embed_model=MODEL)
    fresh_pg.stop()
    assert not fresh_pg.is_running() and not (fresh_pg.data_dir / PIDFILE).exists()
    with pytest.raises(StoreUnavailable):
        store.count()
    t0 = time.monotonic()
    fresh_pg.start()
    print(f"restart took {time.monotonic() - t0:.2f} s")
    assert store.count() == 12  # the same store object reconnects
    assert store.knn("image", img[4], 1, embed_model=MODEL)[0].case.case_id == "c0004"
    store.close()


def test_stale_postmaster_pid_recovery(fresh_pg: EmbeddedPostgres) -> None:
    store = PostgresStore(fresh_pg.conninfo())
    store.upsert(make_records(5, seed=14)[0], embed_model=MODEL)
    store.close()
    for _ in range(2):
        pid = fresh_pg.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while fresh_pg.is_running() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert read_pidfile(fresh_pg.data_dir)[0] == pid  # the stale file is left behind
        conninfo = fresh_pg.start()
        assert fresh_pg.pid not in (None, pid)
        with PostgresStore(conninfo) as again:
            assert again.count() == 5


def test_stale_pidfile_with_garbage_is_cleared(tmp_path) -> None:
    from medrag_core.store.embedded import clear_stale_pidfile

    (tmp_path / PIDFILE).write_text("")
    assert clear_stale_pidfile(tmp_path) and not (tmp_path / PIDFILE).exists()
    (tmp_path / PIDFILE).write_text(f"{os.getpid()}\n{tmp_path}\n{int(time.time())}\n5432\n{tmp_path}\n\n\nready\n")
    assert clear_stale_pidfile(tmp_path)  # a live pid that is not a postgres process
    assert not clear_stale_pidfile(tmp_path)


def test_a_view_on_the_vector_columns_is_named_when_it_blocks_binding(store: PostgresStore) -> None:
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        conn.execute("CREATE VIEW bad_view AS SELECT case_id, image_embedding FROM cases")
        try:
            with pytest.raises(StoreError, match="bad_view"):
                store.upsert(make_records(1)[0], embed_model=MODEL)  # binding ALTERs the columns to vector(64)
            assert store.stats().embed_model is None and store.count() == 0
        finally:
            conn.execute("DROP VIEW bad_view")


def test_other_database_errors_are_typed_without_the_server_message(store: PostgresStore) -> None:
    """Regression (review L2): only connection errors were translated; schema drift escaped raw."""
    with pytest.raises(StoreError) as info:
        store._run(lambda conn: conn.execute("SELECT patient_secret_column FROM cases").fetchall())
    assert info.value.code == "db_error"
    assert "42703" in info.value.user_message  # undefined_column, by SQLSTATE
    assert "patient_secret_column" not in info.value.user_message
    assert store.stats().total_cases == 0  # the connection is usable afterwards
