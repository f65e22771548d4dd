"""Row-level security and grants (sql/003, sql/004) on the REAL embedded Postgres, in Supabase's roles.

Directly (``SET ROLE anon`` / ``service_role`` on a psycopg connection) and through the fake Supabase
(keys whose role claim picks the role), so what the anon key may do is checked at both layers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector

from medrag_core.errors import StoreError
from medrag_core.store.postgres import PostgresStore
from medrag_core.store.supabase import SupabaseStore
from tests.fixtures.fake_supabase import FakeSupabase
from tests.fixtures.store_data import MODEL, make_records


@pytest.fixture
def seeded(store: PostgresStore) -> tuple[PostgresStore, np.ndarray]:
    records, img, _ = make_records(12, images=True)
    store.upsert(records, embed_model=MODEL)
    return store, img


@pytest.fixture
def as_role(store: PostgresStore) -> Iterator:
    conns: list[psycopg.Connection] = []

    def connect(role: str) -> psycopg.Connection:
        conn = psycopg.connect(store._conninfo, autocommit=True)
        register_vector(conn)
        conn.execute(f"SET ROLE {role}")
        conns.append(conn)
        return conn

    yield connect
    for conn in conns:
        conn.close()


WRITES = [
    "INSERT INTO cases (case_id, source) VALUES ('evil', 'x')",
    "UPDATE cases SET findings = 'tampered'",
    "DELETE FROM cases",
    "INSERT INTO images (sha256, bytes) VALUES (repeat('a', 64), '\\x00')",
    "DELETE FROM store_meta",
    "TRUNCATE cases",
    "SELECT * FROM medrag_bind_model('other-model', 8)",
    "SELECT * FROM ingest_progress",
]


@pytest.mark.parametrize("role", ["anon", "authenticated"])
@pytest.mark.parametrize("statement", WRITES)
def test_app_roles_cannot_write(seeded, as_role, role: str, statement: str) -> None:
    conn = as_role(role)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    store, _ = seeded
    assert store.count() == 12 and store.stats().embed_model == MODEL


def test_anon_reads_and_matches(seeded, as_role) -> None:
    store, img = seeded
    conn = as_role("anon")
    assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 12
    rows = conn.execute("SELECT case_id, similarity FROM image_match(%s, 3)", (img[4],)).fetchall()
    assert rows[0][0] == "c0004" and abs(rows[0][1] - 1.0) < 1e-3  # half precision (sql/014)
    assert [r[0] for r in rows] == [h.case.case_id for h in store.knn("image", img[4], 3, embed_model=MODEL)]
    assert conn.execute("SELECT id FROM match_texts(%s, -1, 2)", (img[0],)).fetchall()
    assert conn.execute("SELECT count(*) FROM report_search('finding', 50)").fetchone()[0] == 12
    assert conn.execute("SELECT medrag_stats()->>'total_cases'").fetchone()[0] == "12"
    assert conn.execute("SELECT has_image_embedding(c) FROM cases c LIMIT 1").fetchone()[0] is True


def test_service_role_writes(seeded, as_role) -> None:
    store, _ = seeded
    conn = as_role("service_role")
    conn.execute("INSERT INTO cases (case_id, source) VALUES ('svc', 'alpha')")
    conn.execute("UPDATE cases SET findings = 'edited' WHERE case_id = 'c0001'")
    assert conn.execute("SELECT * FROM medrag_bind_model(%s, 64)", (MODEL,)).fetchone() == (MODEL, 64)
    assert store.count() == 13 and store.get(["c0001"])[0].findings == "edited"


def test_bind_model_refuses_a_second_model(seeded, as_role) -> None:
    conn = as_role("service_role")
    assert conn.execute("SELECT * FROM medrag_bind_model('other-model', 8)").fetchone() == (MODEL, 64)
    typed = conn.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'cases'::regclass AND attname = 'text_embedding'"
    ).fetchone()[0]
    assert typed == "halfvec(64)"  # unchanged


def test_rest_anon_key_reads_but_cannot_write(seeded, fake_supabase: FakeSupabase) -> None:
    _, img = seeded
    anon = SupabaseStore(fake_supabase.url, fake_supabase.anon_key)
    hits = anon.knn("image", img[7], 2, embed_model=MODEL)
    assert hits[0].case.case_id == "c0007"
    assert anon.text_search("finding", 3) and anon.stats().total_cases == 12
    records = make_records(2, seed=99)[0]
    with pytest.raises(StoreError) as info:
        anon.upsert(records, embed_model=MODEL)
    assert info.value.code == "permission_denied" and "service-role key" in info.value.user_message
    assert fake_supabase.anon_key not in str(info.value)
    text_only = make_records(1, seed=5)[0]
    text_only[0].image_embedding = text_only[0].text_embedding = None
    with pytest.raises(StoreError, match="service-role") as info:  # no model to bind: refused at the table
        anon.upsert(text_only, embed_model=MODEL)
    service = SupabaseStore(fake_supabase.url, fake_supabase.service_key)
    assert service.upsert(records, embed_model=MODEL) == 2
    assert anon.get(["c0000"])[0].findings == "Finding number 0."
