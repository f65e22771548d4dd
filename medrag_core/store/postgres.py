"""``PostgresStore``: the ``CaseStore`` on PostgreSQL + pgvector (embedded server or any DSN).

One connection (autocommit; each method opens its own transaction) guarded by a lock, so one
instance can be shared by Streamlit's script threads. Migrations in ``sql/`` are applied at connect.

Embeddings go in and come out as float32 vectors. The first write of an embedding binds the store
to that model and dimension (``store_meta``) and types both embedding columns ``vector(dim)``;
from then on an insert or query of another model or size raises ``ModelMismatch`` /
``DimensionMismatch``. Scores are inner products ``-(embedding <#> query)``, higher is closer.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from ..errors import DimensionMismatch, ModelMismatch, StoreError, StoreUnavailable
from ..models import Case
from ..settings import mask_dsn
from .base import CaseFilter, CaseRecord, ScoredCase, StoreStats
from .embedded import EmbeddedPostgres, embedded_server
from .migrations import apply_migrations

if TYPE_CHECKING:
    from ..settings import Settings

T = TypeVar("T")
KINDS = ("image", "text")
_CASE_COLS = (
    "c.case_id, c.source, c.study_id, c.findings, c.impression, c.indication, c.comparison, c.view, c.labels,"
    " c.image_sha256, c.image_embedding IS NOT NULL, c.text_embedding IS NOT NULL, c.embed_model"
)
_STAGE_COLS = (
    "case_id", "study_id", "source", "findings", "impression", "indication", "comparison", "view", "labels",
    "image_sha256", "thumbnail", "image_embedding", "text_embedding", "embed_model",
)  # fmt: skip
_STAGE_TYPES = ["text"] * 8 + ["text[]", "text", "bytea", "vector", "vector", "text"]
Progress = tuple  # (source_key, shard, position) or (source_key, shard, position, errors_in_batch)


@dataclass(frozen=True)
class IngestProgress:
    """One row of ``ingest_progress``: how far a run over ``source_key`` / ``shard`` got."""

    source_key: str
    shard: str
    source: str | None
    position: int
    rows_written: int
    errors: int
    done: bool
    updated_at: datetime


def _case(row: Sequence[Any]) -> Case:
    return Case(
        case_id=row[0], source=row[1], study_id=row[2], findings=row[3], impression=row[4], indication=row[5],
        comparison=row[6], view=row[7], labels=list(row[8] or []), image_sha256=row[9],
        has_image_embedding=row[10], has_text_embedding=row[11], embed_model=row[12],
    )  # fmt: skip


def _vector(value: Any, what: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float32)
    if arr.ndim != 1 or arr.size == 0:
        raise DimensionMismatch(f"{what} must be a 1-d vector; found shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise StoreError(f"{what} contains NaN or infinite values; it was not stored or searched.")
    return arr


def _filter_sql(where: CaseFilter | None, params: dict[str, Any]) -> str:
    if where is None:
        return ""
    clauses = []
    if where.sources:
        clauses.append("c.source = ANY(%(f_sources)s)")
        params["f_sources"] = list(where.sources)
    if where.views:
        clauses.append("c.view = ANY(%(f_views)s)")
        params["f_views"] = list(where.views)
    if where.labels:
        clauses.append("c.labels @> %(f_labels)s::text[]")
        params["f_labels"] = list(where.labels)
    return "".join(f" AND {c}" for c in clauses)


def _knn_sql(kind: str, where: CaseFilter | None, params: dict[str, Any]) -> str:
    col = f"c.{kind}_embedding"
    return (
        f"SELECT {_CASE_COLS}, -({col} <#> %(q)s) FROM cases AS c WHERE {col} IS NOT NULL"
        f"{_filter_sql(where, params)} ORDER BY {col} <#> %(q)s LIMIT %(k)s"
    )


class PostgresStore:
    """The case archive in PostgreSQL. Thread-safe; use ``from_settings`` or a libpq conninfo/URL."""

    def __init__(
        self,
        conninfo: str,
        *,
        ef_search: int = 100,
        migrate: bool = True,
        server: EmbeddedPostgres | None = None,
    ) -> None:
        self._conninfo = conninfo
        self.ef_search = ef_search
        self.server = server
        self._lock = threading.RLock()
        self._conn: psycopg.Connection | None = None
        self._migrate = migrate
        with self._lock:
            self._connect()

    @classmethod
    def from_settings(cls, settings: Settings) -> PostgresStore:
        """``settings.database_url`` when set, else the embedded server in ``settings.embedded_db_dir``."""
        if settings.database_url is not None:
            return cls(settings.database_url.get_secret_value(), ef_search=settings.ef_search)
        server = embedded_server(settings.embedded_db_dir)
        return cls(server.start(), ef_search=settings.ef_search, server=server)

    # -- connection ---------------------------------------------------------------------------

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        reason = lines[0].removeprefix("connection failed:").strip() if lines else type(exc).__name__
        try:
            secret = psycopg.conninfo.conninfo_to_dict(self._conninfo).get("password")
        except psycopg.Error:
            secret, reason = None, "the connection string is not valid"
        if secret:
            reason = reason.replace(str(secret), "***")
        where = f"the embedded database in {self.server.data_dir}" if self.server else mask_dsn(self._conninfo)
        return StoreUnavailable(
            f"Could not reach {where}: {reason}. Check that the server is running and MEDRAG_DATABASE_URL is right."
        )

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10)
        except (psycopg.Error, ValueError) as exc:
            raise self._unavailable(exc) from None
        try:
            if self._migrate:
                apply_migrations(conn)
            register_vector(conn)
        except psycopg.OperationalError as exc:
            conn.close()
            raise self._unavailable(exc) from None
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _run(self, fn: Callable[[psycopg.Connection], T]) -> T:
        """``fn(conn)`` in one transaction; reconnects once when the connection was lost."""
        with self._lock:
            for attempt in (1, 2):
                conn = self._conn
                if conn is None or conn.closed or conn.broken:
                    conn = self._connect()
                try:
                    with conn.transaction():
                        return fn(conn)
                except psycopg.OperationalError as exc:
                    if attempt == 2 or not conn.broken:
                        raise self._unavailable(exc) from None
            raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close the connection (the embedded server keeps running for other users)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- model binding ------------------------------------------------------------------------

    @staticmethod
    def _meta(conn: psycopg.Connection, *, lock: bool = False) -> tuple[str, int] | None:
        row = conn.execute("SELECT embed_model, dimension FROM store_meta" + (" FOR UPDATE" if lock else "")).fetchone()
        return (row[0], row[1]) if row else None

    @staticmethod
    def _check(meta: tuple[str, int], model: str, dim: int, action: str) -> None:
        if model != meta[0]:
            raise ModelMismatch(
                f"This store holds embeddings of model '{meta[0]}'; the {action} uses '{model}'. "
                "Use the same model (MEDRAG_EMBED_MODEL), or re-embed the archive with the new one."
            )
        if dim != meta[1]:
            raise DimensionMismatch(
                f"This store holds {meta[1]}-d embeddings of '{meta[0]}'; the {action} has {dim}-d vectors."
            )

    def _bind(self, conn: psycopg.Connection, model: str, dim: int) -> None:
        """Check against, or bind the store to, (model, dim); types the columns vector(dim)."""
        meta = self._meta(conn, lock=True)
        if meta is None:
            conn.execute(
                "INSERT INTO store_meta (embed_model, dimension) VALUES (%s, %s) ON CONFLICT DO NOTHING", (model, dim)
            )
            meta = self._meta(conn, lock=True)
        self._check(meta, model, dim, "upsert")
        typmods = conn.execute(
            "SELECT attname, atttypmod FROM pg_attribute WHERE attrelid = 'cases'::regclass"
            " AND attname IN ('image_embedding', 'text_embedding')"
        ).fetchall()
        if any(t != dim for _, t in typmods):
            conn.execute(
                f"ALTER TABLE cases ALTER COLUMN image_embedding TYPE vector({int(dim)}),"
                f" ALTER COLUMN text_embedding TYPE vector({int(dim)})"
            )

    @staticmethod
    def _unbind(conn: psycopg.Connection) -> None:
        for kind in KINDS:
            conn.execute(f"DROP INDEX IF EXISTS cases_{kind}_embedding_hnsw")
        conn.execute(
            "ALTER TABLE cases ALTER COLUMN image_embedding TYPE vector, ALTER COLUMN text_embedding TYPE vector"
        )
        conn.execute("DELETE FROM store_meta")

    # -- CaseStore ----------------------------------------------------------------------------

    def upsert(self, records: Sequence[CaseRecord], *, embed_model: str, progress: Progress | None = None) -> int:
        """Insert or replace cases by ``case_id`` (the last record wins within a batch); returns rows written.

        Image bytes go to ``images`` once per sha256. ``progress=(source_key, shard, position[, errors])``
        records ETL progress in the same transaction, so a killed run never skips unwritten cases.
        """
        by_id = {r.case.case_id: r for r in records}
        dims, rows, images, need_images = set(), [], {}, {}
        for cid, rec in by_id.items():
            case = rec.case
            vecs = [None if e is None else _vector(e, f"Case {cid}'s {k} embedding")
                    for k, e in (("image", rec.image_embedding), ("text", rec.text_embedding))]  # fmt: skip
            has_vec = any(v is not None for v in vecs)
            dims.update(v.size for v in vecs if v is not None)
            if has_vec and case.embed_model not in (None, embed_model):
                raise ModelMismatch(
                    f"Case {cid} says its embeddings come from '{case.embed_model}', not '{embed_model}'."
                )
            sha = case.image_sha256
            if rec.image_bytes is not None:
                digest = hashlib.sha256(rec.image_bytes).hexdigest()
                if sha not in (None, digest):
                    raise StoreError(f"Case {cid}: image_sha256 does not match the sha256 of its image bytes.")
                sha = digest
                images[sha] = (rec.image_mime or "application/octet-stream", rec.image_bytes)
            elif sha is not None:
                need_images[sha] = cid
            rows.append([cid, case.study_id, case.source, case.findings, case.impression, case.indication,
                         case.comparison, case.view, list(case.labels), sha, rec.thumbnail, *vecs,
                         embed_model if has_vec else None])  # fmt: skip
        if len(dims) > 1:
            raise DimensionMismatch(f"One batch mixes embedding sizes {sorted(dims)}; all must be the same.")
        if not rows and progress is None:
            return 0

        dim = next(iter(dims), None)

        def write(conn: psycopg.Connection) -> int:
            if dim is not None:
                self._bind(conn, embed_model, dim)
            if images:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO images (sha256, mime, bytes) VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                        [(s, m, b) for s, (m, b) in images.items()],
                    )
            missing = set(need_images) - set(images)
            if missing:
                found = {
                    r[0] for r in conn.execute("SELECT sha256 FROM images WHERE sha256 = ANY(%s)", (list(missing),))
                }
                if missing - found:
                    ids = sorted(need_images[s] for s in missing - found)[:5]
                    raise StoreError(f"Cases {', '.join(ids)} reference images that are not stored; pass their bytes.")
            if rows:
                self._copy_cases(conn, rows)
            if progress is not None:
                key, shard, position, *rest = progress
                self._set_progress(conn, key, shard, position, rows=len(rows), errors=rest[0] if rest else 0,
                                   source=rows[0][2] if len({r[2] for r in rows}) == 1 else None)  # fmt: skip
            return len(rows)

        return self._run(write)

    @staticmethod
    def _copy_cases(conn: psycopg.Connection, rows: list[list[Any]]) -> None:
        cols = ", ".join(_STAGE_COLS)
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _stage_cases (case_id text, study_id text, source text, findings text,"
            " impression text, indication text, comparison text, view text, labels text[], image_sha256 text,"
            " thumbnail bytea, image_embedding vector, text_embedding vector, embed_model text) ON COMMIT DELETE ROWS"
        )
        with conn.cursor() as cur, cur.copy(f"COPY _stage_cases ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_STAGE_TYPES)
            for row in rows:
                copy.write_row(row)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _STAGE_COLS[1:])
        conn.execute(
            f"INSERT INTO cases ({cols}) SELECT {cols} FROM _stage_cases"
            f" ON CONFLICT (case_id) DO UPDATE SET {updates}, updated_at = now()"
        )

    def get(self, case_ids: Sequence[str]) -> list[Case]:
        """Cases in the order asked; unknown ids are skipped."""
        ids = list(case_ids)
        if not ids:
            return []
        rows = self._run(
            lambda c: c.execute(f"SELECT {_CASE_COLS} FROM cases c WHERE case_id = ANY(%s)", (ids,)).fetchall()
        )
        found = {r[0]: _case(r) for r in rows}
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def get_image(self, image_sha256: str) -> bytes | None:
        row = self._run(lambda c: c.execute("SELECT bytes FROM images WHERE sha256 = %s", (image_sha256,)).fetchone())
        return None if row is None else bytes(row[0])

    def knn(
        self, kind: str, query: np.ndarray, k: int, *, embed_model: str, where: CaseFilter | None = None
    ) -> list[ScoredCase]:
        """Top-k cases by ``kind`` ("image" or "text") embedding, best first (HNSW when indexed, else exact)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
        q = _vector(query, "The query embedding")
        if k <= 0:
            return []

        def search(conn: psycopg.Connection) -> list[ScoredCase]:
            meta = self._meta(conn)
            if meta is None:  # nothing embedded yet
                return []
            self._check(meta, embed_model, q.size, "query")
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(max(self.ef_search, k)),))
            conn.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)")
            params: dict[str, Any] = {"q": q, "k": k}
            rows = conn.execute(_knn_sql(kind, where, params), params).fetchall()
            return [ScoredCase(_case(r), float(r[-1])) for r in rows]

        return self._run(search)

    def text_search(self, query: str, k: int, *, where: CaseFilter | None = None) -> list[ScoredCase]:
        """Full-text search (English stemming; web-search syntax: "quoted phrase", or, -not) ranked by ts_rank_cd."""
        if not query.strip() or k <= 0:
            return []
        params: dict[str, Any] = {"text": query, "k": k}
        sql = (
            f"SELECT {_CASE_COLS}, ts_rank_cd(c.fts, q) AS rank FROM cases AS c,"
            " websearch_to_tsquery('english', %(text)s) AS q"
            f" WHERE c.fts @@ q{_filter_sql(where, params)} ORDER BY rank DESC, c.case_id LIMIT %(k)s"
        )
        rows = self._run(lambda c: c.execute(sql, params).fetchall())
        return [ScoredCase(_case(r), float(r[-1])) for r in rows]

    def stats(self) -> StoreStats:
        def collect(conn: psycopg.Connection) -> StoreStats:
            total, with_image, with_ie, with_te = conn.execute(
                "SELECT count(*), count(image_sha256), count(image_embedding), count(text_embedding) FROM cases"
            ).fetchone()
            per_source = dict(conn.execute("SELECT source, count(*) FROM cases GROUP BY source ORDER BY source"))
            meta = self._meta(conn)
            return StoreStats(
                total_cases=total, with_image=with_image, with_image_embedding=with_ie, with_text_embedding=with_te,
                per_source=per_source, embed_model=meta[0] if meta else None, dimension=meta[1] if meta else None,
                index_state=self._index_state(conn),
            )  # fmt: skip

        return self._run(collect)

    @staticmethod
    def _index_state(conn: psycopg.Connection) -> dict[str, str]:
        rows = conn.execute(
            "SELECT a.attname, i.indisvalid, coalesce(array_to_string(ic.reloptions, ' '), 'defaults')"
            " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid = 'cases'::regclass AND am.amname = 'hnsw'"
        ).fetchall()
        state = {kind: "none (exact scan)" for kind in KINDS}
        for col, valid, opts in rows:
            state[col.removesuffix("_embedding")] = f"hnsw {opts}" if valid else "hnsw invalid (rebuild with reindex)"
        return state

    # -- admin and ETL extras -----------------------------------------------------------------

    def count(self, where: CaseFilter | None = None) -> int:
        params: dict[str, Any] = {}
        sql = f"SELECT count(*) FROM cases AS c WHERE true{_filter_sql(where, params)}"
        return self._run(lambda c: c.execute(sql, params).fetchone()[0])

    def existing_ids(self, case_ids: Sequence[str]) -> set[str]:
        """The subset of ``case_ids`` already stored."""
        ids = list(case_ids)
        return self._run(
            lambda c: {r[0] for r in c.execute("SELECT case_id FROM cases WHERE case_id = ANY(%s)", (ids,))}
        )

    def get_embedding(self, case_id: str, kind: str) -> np.ndarray | None:
        """A stored case's float32 embedding, or None."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
        row = self._run(
            lambda c: c.execute(f"SELECT {kind}_embedding FROM cases WHERE case_id = %s", (case_id,)).fetchone()
        )
        return None if row is None or row[0] is None else row[0].to_numpy().astype(np.float32)

    def get_thumbnail(self, case_id: str) -> bytes | None:
        row = self._run(lambda c: c.execute("SELECT thumbnail FROM cases WHERE case_id = %s", (case_id,)).fetchone())
        return None if row is None or row[0] is None else bytes(row[0])

    def reindex(self, m: int = 16, ef_construction: int = 64, kinds: Sequence[str] = KINDS) -> dict[str, str]:
        """(Re)build the HNSW indexes (vector_ip_ops) on the embedding columns; returns ``index_state``.

        Reads keep working during the build; writes wait for it.
        """
        if not 2 <= m <= 100 or not 4 <= ef_construction <= 1000 or ef_construction < 2 * m:
            raise ValueError("need 2 <= m <= 100 and 2*m <= ef_construction <= 1000")

        def build(conn: psycopg.Connection) -> dict[str, str]:
            if self._meta(conn) is None:
                raise StoreError("There are no embeddings to index yet: ingest cases first.")
            conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for kind in kinds:
                if kind not in KINDS:
                    raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
                conn.execute(f"DROP INDEX IF EXISTS cases_{kind}_embedding_hnsw")
                conn.execute(
                    f"CREATE INDEX cases_{kind}_embedding_hnsw ON cases USING hnsw ({kind}_embedding vector_ip_ops)"
                    f" WITH (m = {int(m)}, ef_construction = {int(ef_construction)})"
                )
            conn.execute("ANALYZE cases")
            return self._index_state(conn)

        return self._run(build)

    def drop_index(self) -> None:
        """Drop the HNSW indexes (queries fall back to exact scans)."""
        self._run(lambda c: [c.execute(f"DROP INDEX IF EXISTS cases_{k}_embedding_hnsw") for k in KINDS])

    def delete_source(self, name: str) -> int:
        """Delete every case of source ``name``, its no-longer-used images and its ingest progress.

        When no embedding is left, the store is unbound from its model. Returns the cases deleted.
        """

        def delete(conn: psycopg.Connection) -> int:
            shas = [r[0] for r in conn.execute("DELETE FROM cases WHERE source = %s RETURNING image_sha256", (name,))]
            conn.execute(
                "DELETE FROM images i WHERE i.sha256 = ANY(%s)"
                " AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.image_sha256 = i.sha256)",
                ([s for s in shas if s],),
            )
            conn.execute("DELETE FROM ingest_progress WHERE source = %s", (name,))
            if not conn.execute(
                "SELECT EXISTS (SELECT 1 FROM cases WHERE image_embedding IS NOT NULL OR text_embedding IS NOT NULL)"
            ).fetchone()[0]:
                self._unbind(conn)
            return len(shas)

        return self._run(delete)

    def truncate_all(self) -> None:
        """Delete every case, image and progress row and unbind the model (tests; admin reset)."""

        def wipe(conn: psycopg.Connection) -> None:
            conn.execute("TRUNCATE cases, images, ingest_progress, store_meta")
            self._unbind(conn)

        self._run(wipe)

    # -- ingest progress ----------------------------------------------------------------------

    @staticmethod
    def _set_progress(conn: psycopg.Connection, key: str, shard: str, position: int, *, rows: int = 0,
                      errors: int = 0, source: str | None = None, done: bool = False) -> None:  # fmt: skip
        conn.execute(
            "INSERT INTO ingest_progress AS p (source_key, shard, source, position, rows_written, errors, done)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (source_key, shard) DO UPDATE SET"
            " position = EXCLUDED.position, rows_written = p.rows_written + EXCLUDED.rows_written,"
            " errors = p.errors + EXCLUDED.errors, done = EXCLUDED.done,"
            " source = coalesce(EXCLUDED.source, p.source), updated_at = now()",
            (key, str(shard), source, int(position), rows, errors, done),
        )

    def set_progress(self, source_key: str, shard: str, position: int, *, done: bool = False,
                     errors: int = 0, source: str | None = None) -> None:  # fmt: skip
        """Record that ``position`` items of ``source_key``/``shard`` are processed (``errors`` adds to the count)."""
        self._run(lambda c: self._set_progress(c, source_key, shard, position, errors=errors, source=source, done=done))

    def get_progress(self, source_key: str, shard: str = "0/1") -> int | None:
        """Items already processed for ``source_key``/``shard``, or None when never started."""
        row = self._run(lambda c: c.execute(
            "SELECT position FROM ingest_progress WHERE source_key = %s AND shard = %s", (source_key, str(shard))
        ).fetchone())  # fmt: skip
        return None if row is None else int(row[0])

    def list_progress(self) -> list[IngestProgress]:
        rows = self._run(lambda c: c.execute(
            "SELECT source_key, shard, source, position, rows_written, errors, done, updated_at"
            " FROM ingest_progress ORDER BY source_key, shard"
        ).fetchall())  # fmt: skip
        return [IngestProgress(*r) for r in rows]

    def reset_progress(self, source_key: str | None = None) -> int:
        """Forget progress for ``source_key`` (all when None) so the next run starts over; returns rows removed."""
        sql, args = ("DELETE FROM ingest_progress", ()) if source_key is None else (
            "DELETE FROM ingest_progress WHERE source_key = %s", (source_key,))  # fmt: skip
        return self._run(lambda c: c.execute(sql, args).rowcount)
