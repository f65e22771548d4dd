"""sql/014: an archive stored in float32 (``vector``) moves to half precision (``halfvec``) without
re-embedding, its HNSW indexes rebuilt with the same settings, and its top-10 stays the float32 top-10.

Real embedded Postgres: the archive is written as the store wrote it before 014 (migrations up to 013,
columns ``vector(dim)``, HNSW ``vector_ip_ops``), then ``apply_migrations`` runs 014 on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector

from medrag_core.store import PostgresStore, SupabaseStore
from medrag_core.store.embedded import EmbeddedPostgres
from medrag_core.store.migrations import SQL_DIR, apply_migrations
from tests.fixtures.fake_supabase import FakeSupabase
from tests.fixtures.store_data import as_stored

MODEL = "tiny-test-model"
DIM = 256
N = 2000


def sql_up_to(folder: Path, last: int) -> Path:
    """A copy of ``sql/`` with the migrations numbered up to ``last``: the schema before a later file."""
    folder.mkdir()
    for path in sorted(SQL_DIR.glob("*.sql")):
        if int(path.name[:3]) <= last:
            shutil.copy(path, folder / path.name)
    return folder


def unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def float32_archive(conn: psycopg.Connection, img: np.ndarray, txt: np.ndarray) -> None:
    """The archive as the store wrote it before 014: vector(DIM) columns, HNSW vector_ip_ops indexes
    (m=8, ef_construction=40 for image; m=12, ef_construction=48 for text), one ef_search choice recorded."""
    conn.execute("INSERT INTO store_meta (embed_model, dimension) VALUES (%s, %s)", (MODEL, DIM))
    conn.execute(f"ALTER TABLE cases ALTER COLUMN image_embedding TYPE vector({DIM}),"
                 f" ALTER COLUMN text_embedding TYPE vector({DIM})")  # fmt: skip
    with conn.cursor() as cur, cur.copy(
        "COPY cases (case_id, source, view, image_embedding, text_embedding, embed_model) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["text", "text", "text", "vector", "vector", "text"])
        for i in range(len(img)):
            copy.write_row([f"c{i:05d}", "alpha" if i % 2 else "beta", "PA", img[i],
                            None if i % 10 == 9 else txt[i], MODEL])  # fmt: skip
    conn.execute("CREATE INDEX cases_image_embedding_hnsw ON cases USING hnsw (image_embedding vector_ip_ops)"
                 " WITH (m = 8, ef_construction = 40)")  # fmt: skip
    conn.execute("CREATE INDEX cases_text_embedding_hnsw ON cases USING hnsw (text_embedding vector_ip_ops)"
                 " WITH (m = 12, ef_construction = 48)")  # fmt: skip
    conn.execute("INSERT INTO index_tuning (kind, ef_search, exact, recall, target, queries, rows_indexed, ladder)"
                 " VALUES ('image', 200, false, 0.99, 0.98, 100, %s, '[[200, 0.99]]')", (N,))  # fmt: skip


def exact_top10(conn: psycopg.Connection, kind: str, q: np.ndarray, where: str = "") -> list[str]:
    """The server's exact top-10 (an ORDER BY no index serves), whatever the column's type."""
    col = f"{kind}_embedding"
    sql = f"SELECT case_id FROM cases WHERE {col} IS NOT NULL {where} ORDER BY ({col} <#> %s) + 0 LIMIT 10"
    return [r[0] for r in conn.execute(sql, (q,))]


def index_opclasses(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute(
        "SELECT ic.relname, opc.opcname, array_to_string(ic.reloptions, ' ') FROM pg_index i"
        " JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_opclass opc ON opc.oid = i.indclass[0]"
        " JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = 'cases'::regclass AND am.amname = 'hnsw'"
    ).fetchall()
    return {name: f"{opc} {opts}" for name, opc, opts in rows}


def column_types(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'cases'::regclass"
        " AND attname IN ('image_embedding', 'text_embedding') ORDER BY attname")]  # fmt: skip


def test_a_float32_archive_moves_to_halfvec_with_the_same_top10(fresh_pg: EmbeddedPostgres, tmp_path: Path) -> None:
    rng = np.random.default_rng(14)
    img, txt, queries = unit_rows(rng, N), unit_rows(rng, N), unit_rows(rng, 40)
    conninfo = fresh_pg.conninfo()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert "014_halfvec.sql" not in apply_migrations(conn, sql_up_to(tmp_path / "sql013", 13))
        register_vector(conn)
        float32_archive(conn, img, txt)
        assert column_types(conn) == [f"vector({DIM})"] * 2
        before = {kind: [exact_top10(conn, kind, q) for q in queries] for kind in ("image", "text")}
        before_filtered = [exact_top10(conn, "image", q, "AND source = 'alpha'") for q in queries]

        assert apply_migrations(conn, sql_up_to(tmp_path / "sql014", 14)) == ["014_halfvec.sql"]

        assert column_types(conn) == [f"halfvec({DIM})"] * 2
        assert index_opclasses(conn) == {
            "cases_image_embedding_hnsw": "halfvec_ip_ops m=8 ef_construction=40",
            "cases_text_embedding_hnsw": "halfvec_ip_ops m=12 ef_construction=48",
        }
        # Not re-embedded: each stored value is the float32 one rounded to half; missing ones stay missing.
        got = conn.execute("SELECT image_embedding, text_embedding FROM cases WHERE case_id IN ('c00007', 'c00009')"
                           " ORDER BY case_id").fetchall()  # fmt: skip
        assert np.array_equal(got[0][0].to_numpy().astype(np.float32), as_stored(img[7]))
        assert np.array_equal(got[0][1].to_numpy().astype(np.float32), as_stored(txt[7]))
        assert got[1][1] is None and conn.execute("SELECT count(*) FROM cases").fetchone()[0] == N
        assert conn.execute("SELECT ef_search FROM index_tuning WHERE kind = 'image'").fetchone()[0] == 200
        after = {kind: [exact_top10(conn, kind, q) for q in queries] for kind in ("image", "text")}

    # The same top-10, in the same order, as in float32: exact search, indexed search and the RPC function.
    for kind in ("image", "text"):
        same_order = np.mean([a == b for a, b in zip(after[kind], before[kind], strict=True)])
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(after[kind], before[kind], strict=True)])
        assert overlap == 1.0 and same_order >= 0.95, (kind, overlap, same_order)
    with PostgresStore(conninfo, ef_search=1000) as store:
        found = [[h.case.case_id for h in store.knn("image", q, 10, embed_model=MODEL)] for q in queries]
        assert np.mean([len(set(f) & set(b)) / 10 for f, b in zip(found, before["image"], strict=True)]) >= 0.99
    # The Supabase path: the same SQL behind PostgREST (the fake, on this database), its RPC image_match.
    fake = FakeSupabase(conninfo)
    rest = SupabaseStore(fake.url, fake.service_key, ef_search=1000)
    try:
        found = [[h.case.case_id for h in rest.knn("text", q, 10, embed_model=MODEL)] for q in queries[:10]]
    finally:
        rest.close()
        fake.close()
    assert np.mean([len(set(f) & set(b)) / 10 for f, b in zip(found, before["text"], strict=False)]) >= 0.99
    with psycopg.connect(conninfo, autocommit=True) as conn:
        register_vector(conn)
        for q, want in zip(queries[:10], before_filtered[:10], strict=True):
            rows = conn.execute("SELECT case_id FROM image_match(%s, 10, ARRAY['alpha'], NULL, NULL, 1000)", (q,))
            assert [r[0] for r in rows] == want


def test_the_store_binds_halfvec_and_searches_it(store: PostgresStore) -> None:
    rng = np.random.default_rng(3)
    from medrag_core.models import Case
    from medrag_core.store import CaseRecord

    vecs = unit_rows(rng, 50)
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        assert column_types(conn) == ["halfvec", "halfvec"]  # a new archive: 014 ran on the empty schema
    store.upsert([CaseRecord(Case(case_id=f"c{i:05d}", source="alpha"), image_embedding=v, text_embedding=v)
                  for i, v in enumerate(vecs)], embed_model=MODEL)  # fmt: skip
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        assert column_types(conn) == [f"halfvec({DIM})"] * 2
    assert [h.case.case_id for h in store.knn("image", vecs[4], 1, embed_model=MODEL)] == ["c00004"]
    store.clear_embeddings()
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        assert column_types(conn) == ["halfvec", "halfvec"]  # unbound: any dimension may come next


@pytest.mark.parametrize("rows,expected_mb", [(0, 64), (100_000, 373), (1_000_000, 3739)])
def test_build_memory_is_sized_from_the_rows_and_capped_by_ram(rows: int, expected_mb: int) -> None:
    from medrag_core.store.pg_sql import build_memory_mb

    # per row: 2 x 1152 bytes of halfvec + 32 x 16 bytes of links + 200 bytes of header, x 1.3
    assert build_memory_mb(rows, 1152, 16, None) == expected_mb
    assert build_memory_mb(10_000_000, 1152, 16, None) == 4096  # server RAM unknown: 4 GB at most
    assert build_memory_mb(10_000_000, 1152, 16, 24 * 2**30) == 6144  # a quarter of 24 GiB
    # float32: 4 bytes a dimension (4608 + 512 + 200 bytes a row); at 1M its graph outgrows a quarter of 24 GiB
    assert build_memory_mb(300_000, 1152, 16, 24 * 2**30, bytes_per_dim=4) == int(3e5 * 5320 * 1.3 / 2**20)
    assert build_memory_mb(1_000_000, 1152, 16, 24 * 2**30, bytes_per_dim=4) == 6144
