"""A small migration runner for the numbered SQL files in ``sql/`` (``NNN_name.sql``).

Each pending file runs in its own transaction together with its row in ``schema_migrations``
(name, sha256 of the file, time applied), under an advisory lock so two processes connecting at
once (the app and an ETL worker) never apply the same file twice. Applying is idempotent: files
already recorded are skipped. The same files paste unchanged into the Supabase SQL editor.

    apply_migrations(conn) -> list[str]      names applied now (empty when up to date)
    applied_migrations(conn) -> list[str]    names recorded in the database, in order
    pending_migrations(conn) -> list[Migration]
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from medrag_core.errors import StoreError

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x6D656472  # "medr": pg_advisory_xact_lock key for migrations

_TABLE_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    """One SQL file: ``name`` is the file name (``001_schema.sql``), ``checksum`` its sha256."""

    name: str
    path: Path
    sql: str

    @property
    def version(self) -> int:
        return int(self.name[:3])

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(sql_dir: Path | str = SQL_DIR) -> list[Migration]:
    """The migration files in ``sql_dir`` ordered by number. Raises ``StoreError`` on a duplicate number."""
    found: list[Migration] = []
    for path in sorted(Path(sql_dir).glob("*.sql")):
        if not _NAME.match(path.name):
            log.warning("Ignoring %s: migration files are named NNN_lowercase_name.sql", path.name)
            continue
        found.append(Migration(path.name, path, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise StoreError(f"Two migration files in {sql_dir} share a number: {[m.name for m in found]}")
    return found


def _ensure_table(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_TABLE_DDL)


def applied_migrations(conn: psycopg.Connection) -> list[str]:
    """Names recorded in ``schema_migrations`` (empty when the table does not exist yet)."""
    with conn.transaction():
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
        if not exists:
            return []
        return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def pending_migrations(conn: psycopg.Connection, sql_dir: Path | str = SQL_DIR) -> list[Migration]:
    """Files in ``sql_dir`` not yet recorded in the database, in order."""
    done = set(applied_migrations(conn))
    return [m for m in discover(sql_dir) if m.name not in done]


def apply_migrations(conn: psycopg.Connection, sql_dir: Path | str = SQL_DIR) -> list[str]:
    """Apply every pending migration, each in one transaction with its ``schema_migrations`` row.

    ``conn`` must be in autocommit mode (the runner opens its own transactions). Returns the names
    applied now. A file that fails rolls back alone and raises ``StoreError`` naming it; the ones
    before it stay applied. A recorded file whose content changed since is logged, not re-run.
    """
    if not conn.autocommit:
        raise StoreError("apply_migrations needs a connection in autocommit mode.")
    _ensure_table(conn)
    applied: list[str] = []
    for mig in discover(sql_dir):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            row = conn.execute("SELECT checksum FROM schema_migrations WHERE name = %s", (mig.name,)).fetchone()
            if row is not None:
                if row[0] != mig.checksum:
                    log.warning("Migration %s changed after it was applied; not re-running it", mig.name)
                continue
            try:
                with conn.transaction():  # savepoint: report the failing file by name
                    conn.execute(mig.sql)
            except psycopg.Error as exc:
                raise StoreError(
                    f"Migration {mig.name} failed and was rolled back: {exc.diag.message_primary or type(exc).__name__}"
                ) from exc
            conn.execute("INSERT INTO schema_migrations (name, checksum) VALUES (%s, %s)", (mig.name, mig.checksum))
        log.info("Applied migration %s", mig.name)
        applied.append(mig.name)
    return applied
