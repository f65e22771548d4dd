"""What only PostgresStore does, on a real embedded Postgres (no mocked SQL): full-text pruning, ingest
progress, source deletes, restarts and recovery, typed database errors. The ``CaseStore`` contract both
backends share is tests/store/test_case_store.py."""

from __future__ import annotations

import hashlib
import os
import signal
import time

import psycopg
import pytest

from medrag_core.errors import ModelMismatch, StoreError, StoreUnavailable
from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import CaseRecord
from medrag_core.store.embedded import PIDFILE, EmbeddedPostgres, read_pidfile
from medrag_core.store.postgres import PostgresStore
from tests.fixtures.store_data import MODEL, make_records


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



def test_text_search_with_max_df_ranks_a_bounded_number_of_matches(store: PostgresStore, monkeypatch) -> None:
    """Hybrid retrieval's full text (``max_df``) ranks at most ``FTS_MAX_RANKED`` matching cases, so its time
    does not grow with the archive; Browse (no ``max_df``) ranks every match."""
    from medrag_core.store import postgres

    records = [CaseRecord(Case(case_id=f"r{i}", source="alpha", findings="Small pleural effusion." + " Effusion." * i))
               for i in range(8)]  # fmt: skip
    store.upsert(records, embed_model=MODEL)
    monkeypatch.setattr(postgres, "FTS_MAX_RANKED", 3)
    bounded = store.text_search("effusion", 10, max_df=1.0)
    assert len(bounded) == 3 and all(h.case.case_id.startswith("r") for h in bounded)
    assert [h.score for h in bounded] == sorted((h.score for h in bounded), reverse=True)
    everything = store.text_search("effusion", 10)
    assert len(everything) == 8
    assert everything[0].case.case_id == "r7"  # the most mentions ranks first when all are ranked
    monkeypatch.setattr(postgres, "FTS_MAX_RANKED", 100)
    assert [h.case.case_id for h in store.text_search("effusion", 10, max_df=1.0)][:2] == ["r7", "r6"]
