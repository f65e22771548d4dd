"""Moving from the original MedRAG: a ``radiology_report`` table (base64 images or Storage paths,
1152-d vectors, the original ``match_images``/``match_texts``) built in a second database on the
embedded server, copied into the workbench's schema through a Postgres URL and through Supabase's
REST API; the same cases and the same search results come out."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from collections.abc import Iterator

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector
from PIL import Image

from etl.legacy import (
    LEGACY_EMBED_MODEL,
    SupabaseLegacySource,
    main,
    migrate_legacy,
    run_legacy_import,
)
from medrag_core.settings import Settings
from medrag_core.store.postgres import PostgresStore
from medrag_core.store.supabase import SupabaseStore
from tests.fixtures.fake_supabase import FakeSupabase
from tests.fixtures.store_data import as_stored

N, DIM = 24, 1152

ORIGINAL_SQL = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE radiology_report (
    id int8 PRIMARY KEY, findings text, impression text, image_base64 text, image_path text,
    image_embedding vector(1152), text_embedding vector(1152));
CREATE FUNCTION match_images(query_embedding vector(1152), match_count int)
RETURNS TABLE (id int8, similarity float) LANGUAGE sql STABLE AS $$
    SELECT r.id, r.image_embedding <#> query_embedding AS similarity FROM radiology_report r
    ORDER BY r.image_embedding <#> query_embedding LIMIT LEAST(match_count, 200) $$;
CREATE FUNCTION match_texts(query_embedding vector(1152), match_count int)
RETURNS TABLE (id int8, similarity float) LANGUAGE sql STABLE AS $$
    SELECT r.id, r.text_embedding <#> query_embedding AS similarity FROM radiology_report r
    ORDER BY r.text_embedding <#> query_embedding LIMIT LEAST(match_count, 200) $$;
GRANT SELECT ON radiology_report TO service_role;
"""


def png(i: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (8 + i % 5, 8), color=(i * 37) % 256).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def legacy_db(pg_conninfo: str) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """A database holding the original table: even ids carry base64 images, odd ids an image_path."""
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_conninfo, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    conninfo = psycopg.conninfo.make_conninfo(pg_conninfo, dbname=name)
    rng = np.random.default_rng(42)
    img = (rng.standard_normal((N, DIM)) * rng.uniform(0.5, 2.0, (N, 1))).astype(np.float32)  # not unit vectors
    txt = rng.standard_normal((N, DIM)).astype(np.float32)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(ORIGINAL_SQL)
        register_vector(conn)
        for i in range(N):
            b64 = base64.b64encode(png(i)).decode() if i % 2 == 0 else None
            if i == 2:
                b64 = "data:image/png;base64," + b64  # some clients stored data URIs
            conn.execute(
                "INSERT INTO radiology_report VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (i + 1, f"Legacy finding {i}.", None if i == 3 else f"Impression {i}.", b64,
                 None if i % 2 == 0 else f"reports/{i + 1}.png", img[i], txt[i]),
            )  # fmt: skip
    yield conninfo, img, txt
    with psycopg.connect(pg_conninfo, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def original_search(conninfo: str, fn: str, q: np.ndarray, k: int) -> list[tuple[str, float]]:
    with psycopg.connect(conninfo) as conn:
        register_vector(conn)
        return [(str(i), s) for i, s in conn.execute(f"SELECT id, similarity FROM {fn}(%s, %s)", (q, k))]


def assert_same_search(conninfo: str, store, img: np.ndarray, txt: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    for kind, emb, fn in (("image", img, "match_images"), ("text", txt, "match_texts")):
        for q in [emb[3], *rng.standard_normal((3, DIM)).astype(np.float32)]:
            want = original_search(conninfo, fn, q, 8)
            got = store.knn(kind, q, 8, embed_model=LEGACY_EMBED_MODEL)
            # the store keeps half precision (sql/014); these legacy vectors are not unit (norms near 34),
            # so a score of 1,000 terms carries an absolute rounding error of about 0.01
            assert [h.case.case_id for h in got] == [w[0] for w in want]
            np.testing.assert_allclose([h.score for h in got], [-w[1] for w in want], rtol=1e-3, atol=0.05)


def test_copy_over_database_url_gives_same_cases_and_search(legacy_db, store: PostgresStore) -> None:
    conninfo, img, txt = legacy_db
    totals: list[int] = []
    assert migrate_legacy(conninfo, store, batch_size=10, on_batch=totals.append) == N
    assert totals == [10, 20, 24]
    cases = store.get([str(i + 1) for i in range(N)])
    assert [c.case_id for c in cases] == [str(i + 1) for i in range(N)]
    assert cases[0].findings == "Legacy finding 0." and cases[3].impression == ""
    assert all(c.source == "medrag-legacy" and c.embed_model == LEGACY_EMBED_MODEL for c in cases)
    assert all(c.has_image_embedding and c.has_text_embedding for c in cases)
    for i in (0, 2, 4):  # base64 (and a data URI) decoded to the original bytes
        assert cases[i].image_sha256 == hashlib.sha256(png(i)).hexdigest()
        assert store.get_image(cases[i].image_sha256) == png(i)
    assert cases[1].image_sha256 is None  # image_path without a Storage source: copied without the image
    assert np.array_equal(store.get_embedding("5", "image"), as_stored(img[4]))  # not renormalised; half precision
    stats = store.stats()
    assert (stats.total_cases, stats.embed_model, stats.dimension) == (N, LEGACY_EMBED_MODEL, DIM)
    assert_same_search(conninfo, store, img, txt)
    assert migrate_legacy(conninfo, store) == N and store.count() == N  # idempotent


def test_copy_over_supabase_rest_with_storage_images(legacy_db, store: PostgresStore, fake_supabase) -> None:
    conninfo, img, txt = legacy_db
    legacy_project = FakeSupabase(conninfo)  # the team's existing project
    try:
        for i in range(1, N, 2):
            legacy_project.put_object("radiology-images", f"reports/{i + 1}.png", png(i), "image/png")
        source = SupabaseLegacySource(legacy_project.url, legacy_project.service_key)
        target = SupabaseStore(fake_supabase.url, fake_supabase.service_key, batch_size=5)
        assert migrate_legacy(source, target, batch_size=7) == N
        assert any(p.startswith("/rest/v1/radiology_report?select=") and "id=gt." in p
                   for _, p, _ in legacy_project.requests)  # fmt: skip
        cases = target.get([str(i + 1) for i in range(N)])
        for i in (0, 1, 3):  # base64 and Storage objects alike
            assert target.get_image(cases[i].image_sha256) == png(i)
        assert_same_search(conninfo, target, img, txt)
        # The new match_images over REST (threshold signature) agrees with the original function.
        q = img[10]
        rest = (
            target._client.rpc(
                "match_images", {"query_embedding": q.astype(float).tolist(), "match_threshold": -1e9, "match_count": 5}
            )
            .execute()
            .data
        )
        assert [r["id"] for r in rest] == [w[0] for w in original_search(conninfo, "match_images", q, 5)]
    finally:
        legacy_project.close()


def test_run_legacy_import_and_cli(legacy_db, store: PostgresStore, pg_settings: Settings, monkeypatch, tmp_path,
                                   capsys) -> None:  # fmt: skip
    conninfo, img, txt = legacy_db
    assert run_legacy_import(pg_settings, source_database_url=conninfo, batch_size=50) == N
    store.truncate_all()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEDRAG_DATA_DIR", str(pg_settings.data_dir))
    for name in ("MEDRAG_DATABASE_URL", "MEDRAG_STORE_BACKEND", "SUPABASE_URL", "SUPABASE_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--from-database-url", conninfo, "--source-name", "old-medrag"]) == 0
    assert f"Copied {N} cases" in capsys.readouterr().out
    assert store.stats().per_source == {"old-medrag": N}
    assert main(["--from-database-url", "postgresql://u:pw-s3cr3t@127.0.0.1:1/x"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "s3cr3t" not in err
    assert main(["--from-supabase"]) == 1 and "SUPABASE_URL" in capsys.readouterr().err
