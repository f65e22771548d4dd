"""The migration runner and the sql/ files on a real embedded Postgres: order, idempotence, failure
rollback, concurrent runners, and the Supabase roles / row-level security from 003."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from medrag_core.errors import StoreError
from medrag_core.store.migrations import (
    SQL_DIR,
    applied_migrations,
    apply_migrations,
    discover,
    pending_migrations,
)


@pytest.fixture
def empty_db(pg_conninfo: str) -> Iterator[str]:
    """A new empty database on the session's server; dropped afterwards."""
    name = f"mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield psycopg.conninfo.make_conninfo(pg_conninfo, dbname=name)
    with psycopg.connect(pg_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_sql_files_are_numbered_in_order() -> None:
    names = [m.name for m in discover()]
    assert names[:3] == ["001_schema.sql", "002_match_functions.sql", "003_supabase_rls.sql"]
    assert [m.version for m in discover()] == sorted({m.version for m in discover()})


def test_apply_is_idempotent_and_lists_pending(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        assert applied_migrations(conn) == []
        assert [m.name for m in pending_migrations(conn)] == [m.name for m in discover()]
        first = apply_migrations(conn)
        assert first == [m.name for m in discover()]
        assert apply_migrations(conn) == []  # second run: nothing to do
        assert applied_migrations(conn) == first and pending_migrations(conn) == []
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"cases", "images", "store_meta", "ingest_progress", "schema_migrations"} <= tables
        # The files themselves re-run cleanly too (as when pasted twice into the Supabase SQL editor).
        for mig in discover():
            conn.execute(mig.sql)


def test_failed_migration_rolls_back_alone(empty_db: str, tmp_path: Path) -> None:
    for name in ("001_schema.sql", "002_match_functions.sql"):
        (tmp_path / name).write_text((SQL_DIR / name).read_text())
    (tmp_path / "003_broken.sql").write_text("CREATE TABLE half_done (x int);\nSELECT * FROM no_such_table;\n")
    with psycopg.connect(empty_db, autocommit=True) as conn:
        with pytest.raises(StoreError, match="003_broken.sql"):
            apply_migrations(conn, tmp_path)
        assert applied_migrations(conn) == ["001_schema.sql", "002_match_functions.sql"]
        assert conn.execute("SELECT to_regclass('half_done')").fetchone()[0] is None
        (tmp_path / "003_broken.sql").write_text("CREATE TABLE half_done (x int);\n")
        assert apply_migrations(conn, tmp_path) == ["003_broken.sql"]


def test_duplicate_numbers_are_refused(tmp_path: Path) -> None:
    (tmp_path / "001_a.sql").write_text("SELECT 1;")
    (tmp_path / "001_b.sql").write_text("SELECT 1;")
    with pytest.raises(StoreError, match="share a number"):
        discover(tmp_path)


def test_concurrent_runners_apply_each_file_once(empty_db: str) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(empty_db, autocommit=True) as conn:
                results.append(apply_migrations(conn))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(name for r in results for name in r) == sorted(m.name for m in discover())


def test_rls_anon_reads_and_matches_but_cannot_write(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_migrations(conn)
        conn.execute(
            "INSERT INTO cases (case_id, source, findings, text_embedding, embed_model)"
            " VALUES ('r1', 'alpha', 'Clear lungs.', '[1,0,0]', 'm'), ('r2', 'alpha', 'Effusion.', '[0,1,0]', 'm')"
        )
        for role in ("anon", "authenticated"):
            with conn.transaction():
                conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
                assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 2
                rows = conn.execute("SELECT id, similarity FROM match_texts('[0,1,0]', 0.5, 5)").fetchall()
                assert rows == [("r2", pytest.approx(1.0))]
                assert conn.execute("SELECT case_id FROM text_match('[1,0,0]', 1)").fetchall() == [("r1",)]
            for stmt in (
                "INSERT INTO cases (case_id, source) VALUES ('evil', 'x')",
                "UPDATE cases SET findings = 'changed'",
                "DELETE FROM cases",
                "SELECT * FROM ingest_progress",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                    conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
                    conn.execute(stmt)
        with conn.transaction():
            conn.execute("SET LOCAL ROLE service_role")
            conn.execute("INSERT INTO cases (case_id, source) VALUES ('svc', 'alpha')")
            conn.execute("INSERT INTO ingest_progress (source_key, position) VALUES ('k', 1)")
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
        # Functions run as the invoker with a fixed search_path.
        conf = conn.execute(
            "SELECT proname, prosecdef, array_to_string(proconfig, ';') FROM pg_proc"
            " WHERE proname IN ('image_match', 'text_match', 'match_images', 'match_texts') ORDER BY proname"
        ).fetchall()
        assert len(conf) == 4
        assert all(not secdef and "search_path=public, extensions, pg_temp" in cfg for _, secdef, cfg in conf)
