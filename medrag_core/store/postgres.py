"""``PostgresStore``: the case archive on PostgreSQL + pgvector (embedded server or any DSN).

It declares every capability in ``base``: ``CaseStore``, ``TermPruning``, ``IndexAdmin``,
``SourceAdmin``, ``ProgressLog``, ``EmbeddingFill``, ``SqlFunctions``, ``ServerOwner`` and ``ParallelReads``.

A small pool of connections (``POOL_SIZE``; autocommit, each call in its own transaction on one of
them), so one instance is shared by Streamlit's script threads and the hybrid search's lists run at
once. Migrations in ``sql/`` are applied by the first connection.

Embeddings go in and come out as float32 vectors. The first write of an embedding binds the store
to that model and dimension (``store_meta``) and types both embedding columns ``halfvec(dim)`` (half
precision since sql/014: half the memory; the top-10 against float32 in docs/benchmarks.md);
from then on an insert or query of another model or size raises ``ModelMismatch`` /
``DimensionMismatch``. Scores are inner products ``-(embedding <#> query)``, higher is closer.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.types.json import Jsonb

from medrag_core.errors import DimensionMismatch, StoreError, StoreUnavailable
from medrag_core.models import Case
from medrag_core.settings import Settings, mask_dsn
from medrag_core.store import pg_sql
from medrag_core.store.base import (
    BINARY_LADDER,
    DEFAULT_BINARY_CANDIDATES,
    DEFAULT_EF_SEARCH,
    EF_LADDER,
    EF_RECALL_TARGET,
    INDEX_METHODS,
    CaseFilter,
    CaseRecord,
    CaseStore,
    EfChoice,
    EmbeddingFill,
    IndexAdmin,
    IngestProgress,
    ParallelReads,
    ProgressLog,
    ScoredCase,
    ServerOwner,
    SourceAdmin,
    SqlFunctions,
    StoreStats,
    TermPruning,
    as_vector,
    check_embedding_meta,
)
from medrag_core.store.embedded import EmbeddedPostgres, embedded_server
from medrag_core.store.migrations import apply_migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
FTS_STATS_TTL_S = 300.0  # how long text_search reuses the lexeme statistics it read
FTS_MIN_ROWS = 500  # max_df never drops a term found in at most this many cases (cheap to rank anyway)
# With max_df, at most this many matching cases are ranked, by ts_rank (term frequency; cover density,
# ts_rank_cd, costs about 7x as much on a long query): the cost stays flat however many cases the remaining
# terms match. Which ones is the index's order, in effect a sample of the matches.
FTS_MAX_RANKED = 500
POOL_SIZE = 3  # connections per store: the hybrid's three candidate lists at once
TUNE_QUERIES = 300  # the archive's own vectors used as queries when choosing ef_search after a build
Progress = tuple  # (source_key, shard, position) or (source_key, shard, position, errors_in_batch)
__all__ = ["IngestProgress", "PostgresStore"]


class _Watchdog:
    """Aborts a query that outlives ``timeout_s``: a cancel request first, then the socket is closed.

    A cancel alone does not help when the server is frozen (its postmaster never reads the request),
    so after a short wait for it the connection is finished; the waiting query then fails at once.
    """

    def __init__(self, conn: psycopg.Connection, timeout_s: float | None) -> None:
        self.conn = conn
        self.fired = False
        self._timer = threading.Timer(timeout_s, self._abort) if timeout_s is not None else None

    def _abort(self) -> None:
        self.fired = True
        log.warning("database query exceeded its time limit; cancelling it")
        try:
            self.conn.cancel_safe(timeout=2.0)
        except psycopg.Error:
            pass
        self.conn.pgconn.finish()

    def __enter__(self) -> _Watchdog:
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()


class PostgresStore(
    CaseStore, SqlFunctions, TermPruning, IndexAdmin, SourceAdmin, ProgressLog, EmbeddingFill, ServerOwner,
    ParallelReads,
):
    """The case archive in PostgreSQL. Thread-safe; use ``from_settings`` or a libpq conninfo/URL."""

    def __init__(
        self,
        conninfo: str,
        *,
        ef_search: int | None = DEFAULT_EF_SEARCH,
        migrate: bool = True,
        server: EmbeddedPostgres | None = None,
        timeout_s: float = 10.0,
        pool_size: int = POOL_SIZE,
    ) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self._conninfo = conninfo
        self.ef_search = ef_search  # None: the value measured per index (index_tuning), see set_knn_plan
        self.timeout_s = timeout_s  # connect and query limit (maintenance and writes: unlimited)
        self.server = server
        # A few connections, so that the hybrid search's lists (and several app sessions) run at once.
        self.max_parallel_reads = pool_size
        self._slots = threading.BoundedSemaphore(pool_size)
        self._idle: list[psycopg.Connection] = []
        self._idle_lock = threading.Lock()
        self._generation = 0  # bumped by close(): a connection taken before it is closed on return
        self._migrate = migrate
        self._fts_stats: tuple[float, pg_sql.LexemeStats | None] | None = None  # (read at, stats)
        # All connections now: an unreachable server fails here, not at the first query, and the hybrid's lists
        # each find a connection open (none pays a connect, and a frozen server times each one out alike).
        try:
            for _ in range(pool_size):
                self._idle.append(self._connect())
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> PostgresStore:
        """``settings.database_url`` when set, else the embedded server in ``settings.embedded_db_dir``."""
        limit = settings.db_timeout_s
        if settings.database_url is not None:
            return cls(settings.database_url.get_secret_value(), ef_search=settings.explicit_ef_search,
                       timeout_s=limit)  # fmt: skip
        server = embedded_server(settings.embedded_db_dir)
        return cls(server.start(), ef_search=settings.explicit_ef_search, server=server, timeout_s=limit)

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
        authority = self._conninfo.split("://", 1)[1].split("/", 1)[0] if "://" in self._conninfo else ""
        if authority.count("@") > 1:  # libpq split the password at its first '@': the rest reads as a host
            reason = "the password in the connection URL contains '@': write it as %40"
        where = f"the embedded database in {self.server.data_dir}" if self.server else mask_dsn(self._conninfo)
        return StoreUnavailable(
            f"Could not reach {where}: {reason}. Check that the server is running and MEDRAG_DATABASE_URL is right."
        )

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=max(1, math.ceil(self.timeout_s)))
            if self.server is None:  # poolers in transaction mode (Supabase :6543) lose prepared statements
                conn.prepare_threshold = None
        except (psycopg.Error, ValueError) as exc:
            raise self._unavailable(exc) from None
        try:
            if self._migrate:
                apply_migrations(conn)
                self._migrate = False  # once per store: later connections find the schema current
            register_vector(conn)
        except psycopg.OperationalError as exc:
            conn.close()
            raise self._unavailable(exc) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _timed_out(self) -> StoreUnavailable:
        where = f"the embedded database in {self.server.data_dir}" if self.server else mask_dsn(self._conninfo)
        return StoreUnavailable(
            f"{where[0].upper()}{where[1:]} did not answer within {self.timeout_s:g} s (MEDRAG_DB_TIMEOUT_S). "
            "Check that the server is running and not overloaded."
        )

    def _run(self, fn: Callable[[psycopg.Connection], T], *, limited: bool = True) -> T:
        """``fn(conn)`` in one transaction on a pooled connection; reconnects once when it was lost.

        At most ``max_parallel_reads`` calls run at once (one connection each); more wait for one to
        be free. ``limited``: a call (the wait included) that takes longer than ``timeout_s`` is
        cancelled, its connection dropped, and ``StoreUnavailable`` raised. The limit is kept on the
        client side because a frozen server cannot enforce its own ``statement_timeout``.
        """
        if not self._slots.acquire(timeout=self.timeout_s if limited else None):
            raise self._timed_out()
        conn: psycopg.Connection | None = None
        try:
            with self._idle_lock:
                conn = self._idle.pop() if self._idle else None
                generation = self._generation
            for attempt in (1, 2):
                if conn is None or conn.closed or conn.broken:
                    if conn is not None:
                        conn.close()
                    conn = self._connect()
                watchdog = _Watchdog(conn, self.timeout_s if limited else None)
                try:
                    with watchdog, conn.transaction():
                        return fn(conn)
                except psycopg.OperationalError as exc:
                    if watchdog.fired:
                        conn = None  # finished by the watchdog
                        raise self._timed_out() from None
                    if attempt == 2 or not conn.broken:
                        raise self._unavailable(exc) from None
                except psycopg.Error as exc:
                    # Schema drift, a constraint, a bad value: a typed error with the SQLSTATE only
                    # (the server's message can quote row data).
                    state = getattr(exc, "sqlstate", None) or type(exc).__name__
                    log.warning("database error %s (%s)", state, type(exc).__name__)
                    raise StoreError(
                        f"The database could not complete the request (error {state}). If this follows an "
                        "upgrade, restart the app so that the migrations in sql/ are applied.",
                        code="db_error",
                    ) from None
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            if conn is not None:
                self._give_back(conn, generation)
            self._slots.release()

    def _give_back(self, conn: psycopg.Connection, generation: int) -> None:
        with self._idle_lock:
            if generation == self._generation and not conn.closed and not conn.broken:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close the connections (the embedded server keeps running for other users); a later call
        connects again. A call running now closes its connection when it ends."""
        with self._idle_lock:
            self._generation += 1
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def release_server(self) -> None:
        """Release this process's hold on the embedded server it started (it stops when no other
        process uses it); nothing for a server given by URL."""
        if self.server is not None:
            self.server.release()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- CaseStore: reading, searching, writing --------------------------------------------------------------

    def upsert(self, records: Sequence[CaseRecord], *, embed_model: str, progress: Progress | None = None) -> int:
        """Insert or replace cases by ``case_id`` (the last record wins within a batch); returns rows written.

        Image bytes go to ``images`` once per sha256. ``progress=(source_key, shard, position[, errors])``
        records ETL progress in the same transaction, so a killed run never skips unwritten cases.
        """
        batch = pg_sql.prepare_batch(records, embed_model)
        if not batch.rows and progress is None:
            return 0

        def write(conn: psycopg.Connection) -> int:
            if batch.dim is not None:
                pg_sql.bind_model(conn, embed_model, batch.dim)
            pg_sql.write_batch(conn, batch)
            if progress is not None:
                key, shard, position, *rest = progress
                errors = rest[0] if rest else 0
                pg_sql.write_progress(
                    conn, key, shard, position, rows=len(batch.rows), errors=errors, source=batch.source
                )
            return len(batch.rows)

        return self._run(write, limited=False)

    def get(self, case_ids: Sequence[str]) -> list[Case]:
        """Cases in the order asked; unknown ids are skipped."""
        ids = list(case_ids)
        if not ids:
            return []
        rows = self._run(
            lambda c: c.execute(f"SELECT {pg_sql.CASE_COLS} FROM cases c WHERE case_id = ANY(%s)", (ids,)).fetchall()
        )
        found = {r[0]: pg_sql.case_from_row(r) for r in rows}
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def get_image(self, image_sha256: str) -> bytes | None:
        row = self._run(lambda c: c.execute("SELECT bytes FROM images WHERE sha256 = %s", (image_sha256,)).fetchone())
        return None if row is None else bytes(row[0])

    def knn(
        self, kind: str, query: np.ndarray, k: int, *, embed_model: str, where: CaseFilter | None = None
    ) -> list[ScoredCase]:
        """Top-k cases by ``kind`` ("image" or "text") embedding, best first (HNSW when indexed, else exact)."""
        if kind not in pg_sql.KINDS:
            raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
        q = as_vector(query, "The query embedding")
        if k <= 0:
            return []

        def search(conn: psycopg.Connection) -> list[ScoredCase]:
            meta = pg_sql.read_meta(conn)
            if meta is None:  # nothing embedded yet
                return []
            check_embedding_meta(meta, embed_model, q.size, "query")
            plan = pg_sql.set_knn_plan(conn, self.ef_search, kind, k, where)
            params: dict[str, Any] = {"q": q, "k": k}
            rows = conn.execute(pg_sql.knn_sql(kind, where, params, plan), params).fetchall()
            return [ScoredCase(pg_sql.case_from_row(r), float(r[-1])) for r in rows]

        return self._run(search)

    def text_search(
        self, query: str, k: int, *, where: CaseFilter | None = None, max_df: float | None = None
    ) -> list[ScoredCase]:
        """Full-text search (English stemming; web-search syntax: "quoted phrase", or, -not) ranked by ts_rank_cd.

        ``max_df`` (hybrid retrieval; None, the default, searches the query as given): drop the query's
        ``or`` alternatives found in more than this share of the archive (and in more than
        ``FTS_MIN_ROWS`` cases), judged from ANALYZE's lexeme statistics (cached ``FTS_STATS_TTL_S``);
        return [] when nothing discriminative is left. Such terms do not tell cases apart but make the
        search rank most of the archive. Before the first ANALYZE nothing is dropped. With ``max_df``,
        at most ``FTS_MAX_RANKED`` matching cases (the first the index yields) are ranked, by ts_rank, so
        the time stays flat whatever the archive size.
        """
        if not query.strip() or k <= 0:
            return []

        def search(conn: psycopg.Connection) -> list[ScoredCase]:
            text = query if max_df is None else self._prune(conn, query, max_df)
            if not text:
                return []
            params: dict[str, Any] = {"text": text, "k": k}
            if max_df is None:
                sql = (
                    f"SELECT {pg_sql.CASE_COLS}, ts_rank_cd(c.fts, q) AS rank FROM cases AS c,"
                    " websearch_to_tsquery('english', %(text)s) AS q"
                    f" WHERE c.fts @@ q{pg_sql.filter_sql(where, params)} ORDER BY rank DESC, c.case_id LIMIT %(k)s"
                )
                return [ScoredCase(pg_sql.case_from_row(r), float(r[-1]))
                        for r in conn.execute(sql, params).fetchall()]  # fmt: skip
            params["ranked"] = FTS_MAX_RANKED
            matches = f"FROM cases AS c WHERE c.fts @@ q{pg_sql.filter_sql(where, params)}"
            sql = (
                f"SELECT {pg_sql.CASE_COLS}, ts_rank(c.fts, q) AS rank FROM websearch_to_tsquery('english', %(text)s)"
                f" AS q, LATERAL (SELECT c.* {matches} LIMIT %(ranked)s) AS c ORDER BY rank DESC, c.case_id LIMIT %(k)s"
            )
            # The inner LIMIT without ORDER BY tempts the planner into a sequential scan, which reads the whole
            # table when few cases match; the GIN index never does. (Local to ``_run``'s transaction.)
            conn.execute("SELECT set_config('enable_seqscan', 'off', true)")
            return [ScoredCase(pg_sql.case_from_row(r), float(r[-1])) for r in conn.execute(sql, params).fetchall()]

        return self._run(search)

    def label_search(self, labels: Sequence[str], k: int, *, where: CaseFilter | None = None) -> list[ScoredCase]:
        """Up to ``k`` cases carrying all ``labels`` (GIN index on ``labels``; no ORDER BY, so the scan stops
        at ``k`` rows), score 1.0. Empty ``labels`` or ``k <= 0`` give []."""
        if not labels or k <= 0:
            return []
        params: dict[str, Any] = {"labels": list(labels), "k": k}
        sql = (
            f"SELECT {pg_sql.CASE_COLS}, 1.0 FROM cases AS c WHERE c.labels @> %(labels)s::text[]"
            f"{pg_sql.filter_sql(where, params)} LIMIT %(k)s"
        )

        def search(conn: psycopg.Connection) -> list[ScoredCase]:
            # A LIMIT without ORDER BY tempts the planner into a sequential scan, which reads the whole table
            # when few cases carry the labels; the GIN index never does. (Local to ``_run``'s transaction.)
            conn.execute("SELECT set_config('enable_seqscan', 'off', true)")
            return [ScoredCase(pg_sql.case_from_row(r), 1.0) for r in conn.execute(sql, params).fetchall()]

        return self._run(search)

    def prune_query(self, query: str, max_df: float) -> str:
        """The query ``text_search(..., max_df=max_df)`` runs: ``query`` less its too-common alternatives."""
        return self._run(lambda c: self._prune(c, query, max_df))

    def _prune(self, conn: psycopg.Connection, query: str, max_df: float) -> str:
        now = time.monotonic()
        if self._fts_stats is None or now - self._fts_stats[0] > FTS_STATS_TTL_S:
            self._fts_stats = (now, pg_sql.lexeme_stats(conn))
        stats = self._fts_stats[1]
        if stats is None:  # never analyzed: no statistics to judge by
            return query
        return pg_sql.prune_query(conn, query, stats, max_df, FTS_MIN_ROWS)

    def analyze(self) -> None:
        """Refresh the planner's statistics of ``cases`` (lexeme frequencies for ``text_search(max_df=)``)
        and the per-filter counts of filtered kNN (sql/017); ETL runs it after an ingest, ``reindex`` after
        a build, autovacuum (the planner's part only) now and then."""

        def refresh(conn: psycopg.Connection) -> None:
            conn.execute("ANALYZE cases")
            pg_sql.refresh_filter_stats(conn)

        self._run(refresh, limited=False)
        self._fts_stats = None

    def stats(self) -> StoreStats:
        def collect(conn: psycopg.Connection) -> StoreStats:
            total, with_image, with_ie, with_te, with_text = conn.execute(
                "SELECT count(*), count(image_sha256), count(image_embedding), count(text_embedding),"
                f" count(*) FILTER (WHERE {pg_sql.HAS_TEXT}) FROM cases"
            ).fetchone()
            per_source = dict(conn.execute("SELECT source, count(*) FROM cases GROUP BY source ORDER BY source"))
            per_label = dict(conn.execute(
                "SELECT u.label, count(*) FROM cases AS c, unnest(c.labels) AS u(label) GROUP BY 1 ORDER BY 1"
            ))  # fmt: skip
            meta = pg_sql.read_meta(conn)
            return StoreStats(
                total_cases=total, with_image=with_image, with_image_embedding=with_ie, with_text_embedding=with_te,
                per_source=per_source, per_label=per_label, embed_model=meta[0] if meta else None,
                dimension=meta[1] if meta else None, index_state=pg_sql.index_state(conn), with_text=with_text,
                ef_choice=pg_sql.read_ef_choices(conn),
            )  # fmt: skip

        return self._run(collect)

    # -- admin and ETL extras -----------------------------------------------------------------

    def call_function(self, name: str, params: dict[str, Any]) -> Any:
        """Call a SQL function that returns jsonb (``history_*``) with named arguments; its value, parsed."""
        query = pg_sql.function_call(name, list(params))
        values = {k: Jsonb(v) if isinstance(v, (dict, list)) else v for k, v in params.items()}
        return self._run(lambda conn: conn.execute(query, values).fetchone()[0])

    def count(self, where: CaseFilter | None = None) -> int:
        params: dict[str, Any] = {}
        sql = f"SELECT count(*) FROM cases AS c WHERE true{pg_sql.filter_sql(where, params)}"
        return self._run(lambda c: c.execute(sql, params).fetchone()[0])

    def existing_ids(self, case_ids: Sequence[str]) -> set[str]:
        """The subset of ``case_ids`` already stored."""
        ids = list(case_ids)
        return self._run(
            lambda c: {r[0] for r in c.execute("SELECT case_id FROM cases WHERE case_id = ANY(%s)", (ids,))}
        )

    def get_embedding(self, case_id: str, kind: str) -> np.ndarray | None:
        """A stored case's float32 embedding, or None."""
        if kind not in pg_sql.KINDS:
            raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
        row = self._run(
            lambda c: c.execute(f"SELECT {kind}_embedding FROM cases WHERE case_id = %s", (case_id,)).fetchone()
        )
        return None if row is None or row[0] is None else row[0].to_numpy().astype(np.float32)

    def get_thumbnail(self, case_id: str) -> bytes | None:
        row = self._run(lambda c: c.execute("SELECT thumbnail FROM cases WHERE case_id = %s", (case_id,)).fetchone())
        return None if row is None or row[0] is None else bytes(row[0])

    # -- embedding later (etl embed) --------------------------------------------------------------

    def count_missing_embeddings(self) -> int:
        """Cases that lack an image embedding (having an image) or a text embedding (having text)."""
        sql = f"SELECT count(*) FROM cases WHERE {pg_sql.MISSING_EMBEDDING}"
        return self._run(lambda c: c.execute(sql).fetchone()[0])

    def ids_missing_embeddings(self, *, after: str | None, limit: int) -> list[str]:
        """Up to ``limit`` ids of such cases, in case id order, after ``after`` (keyset paging)."""
        sql = (f"SELECT case_id FROM cases WHERE {pg_sql.MISSING_EMBEDDING} AND case_id > %s"
               " ORDER BY case_id LIMIT %s")
        return self._run(lambda c: [r[0] for r in c.execute(sql, (after or "", int(limit)))])

    def write_embeddings(
        self, updates: Sequence[tuple[str, np.ndarray | None, np.ndarray | None]], *, embed_model: str
    ) -> int:
        """Set ``(case_id, image vector or None, text vector or None)`` on stored cases in one transaction
        (None keeps what is there); binds / checks the store's model like ``upsert``. Returns rows updated."""
        rows, dims = [], set()
        for case_id, image_vec, text_vec in updates:
            vecs = [None if v is None else as_vector(v, f"Case {case_id}'s {kind} embedding")
                    for kind, v in (("image", image_vec), ("text", text_vec))]
            dims.update(v.size for v in vecs if v is not None)
            if any(v is not None for v in vecs):
                rows.append((vecs[0], vecs[1], embed_model, case_id))
        if not rows:
            return 0
        if len(dims) > 1:
            raise DimensionMismatch(f"One batch mixes embedding sizes {sorted(dims)}; all must be the same.")

        def write(conn: psycopg.Connection) -> int:
            pg_sql.bind_model(conn, embed_model, dims.pop())
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE cases SET image_embedding = coalesce(%s, image_embedding),"
                    " text_embedding = coalesce(%s, text_embedding), embed_model = %s, updated_at = now()"
                    " WHERE case_id = %s",
                    rows,
                )
            return len(rows)

        return self._run(write)

    def clear_embeddings(self) -> int:
        """Drop every stored vector and unbind the model (before re-embedding with another model)."""

        def clear(conn: psycopg.Connection) -> int:
            n = conn.execute(
                "UPDATE cases SET image_embedding = NULL, text_embedding = NULL, embed_model = NULL"
                " WHERE image_embedding IS NOT NULL OR text_embedding IS NOT NULL"
            ).rowcount
            pg_sql.unbind_model(conn)
            return n

        return self._run(clear)

    def reindex(self, m: int = 16, ef_construction: int = 64, kinds: Sequence[str] = pg_sql.KINDS, *,
                tune_queries: int = TUNE_QUERIES, method: str = "hnsw") -> dict[str, str]:  # fmt: skip
        """(Re)build the vector indexes on the embedding columns; returns ``index_state``.

        ``method`` "hnsw": HNSW on the column (``halfvec_ip_ops``, or ``vector_ip_ops`` on a float32
        column). "binary" (sql/015): HNSW on the vector's sign bits (``bit_hamming_ops``), whose nearest
        candidates are re-ranked exactly; a column keeps one of the two, the other is dropped.
        Reads keep working during the build; writes wait for it. Then ``tune_ef_search`` chooses how each
        index is searched on ``tune_queries`` of the archive's own vectors (0: skip; searches then use
        ef_search 300, or 400 candidates for a binary index).
        """
        if not 2 <= m <= 100 or not 4 <= ef_construction <= 1000 or ef_construction < 2 * m:
            raise ValueError("need 2 <= m <= 100 and 2*m <= ef_construction <= 1000")
        if method not in INDEX_METHODS:
            raise ValueError(f"method must be one of {', '.join(INDEX_METHODS)}, not {method!r}")

        def build(conn: psycopg.Connection) -> dict[str, str]:
            if pg_sql.read_meta(conn) is None:
                raise StoreError("There are no embeddings to index yet: ingest cases first.")
            # HNSW builds fast only while the graph fits in maintenance_work_mem: size it from the column's
            # rows and the server's RAM (pg_sql.build_memory_mb), and let two workers help.
            counts = conn.execute(
                "SELECT count(image_embedding), count(text_embedding), (SELECT dimension FROM store_meta) FROM cases"
            ).fetchone()
            dim = int(counts[2] or 1152)
            conn.execute("SET LOCAL max_parallel_maintenance_workers = 2")
            for kind in kinds:
                if kind not in pg_sql.KINDS:
                    raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
                storage = pg_sql.embedding_type(conn, kind)
                rows = counts[pg_sql.KINDS.index(kind)]
                # A binary graph holds dim bits a row: an eighth of a byte a dimension.
                per_dim = 0.125 if method == "binary" else 2 if storage == "halfvec" else 4
                budget_mb = pg_sql.build_memory_mb(rows, dim, m, self._server_ram(), bytes_per_dim=per_dim)
                conn.execute(f"SET LOCAL maintenance_work_mem = '{budget_mb}MB'")
                pg_sql.drop_vector_indexes(conn, [kind])
                if method == "binary":
                    target = f"(binary_quantize({kind}_embedding)::bit({dim})) bit_hamming_ops"
                else:
                    target = f"{kind}_embedding {storage}_ip_ops"
                conn.execute(
                    f"CREATE INDEX {pg_sql.index_name(kind, method)} ON cases USING hnsw ({target})"
                    f" WITH (m = {int(m)}, ef_construction = {int(ef_construction)})"
                )
                if method == "binary":  # searched by its default candidates until measured
                    pg_sql.write_ef_choice(conn, _unmeasured_binary(kind, rows))
            conn.execute("ANALYZE cases")
            pg_sql.refresh_filter_stats(conn)
            return pg_sql.index_state(conn)

        state = self._run(build, limited=False)
        self._fts_stats = None
        if tune_queries > 0:
            self.tune_ef_search(kinds, queries=tune_queries)
        return state

    def _server_ram(self) -> int | None:
        """The server's RAM in bytes where it runs on this machine (the embedded server, or any server
        reached over a Unix socket), else None."""
        import psutil
        from psycopg.conninfo import conninfo_to_dict

        host = str(conninfo_to_dict(self._conninfo).get("host") or "/")
        if self.server is None and not host.startswith("/"):
            return None

        return int(psutil.virtual_memory().total)

    def tune_ef_search(
        self,
        kinds: Sequence[str] = pg_sql.KINDS,
        *,
        queries: int = TUNE_QUERIES,
        k: int = 10,
        target: float = EF_RECALL_TARGET,
        ladder: Sequence[int] | None = None,
        seed: float = 0.42,
    ) -> dict[str, EfChoice]:
        """Choose and record (``index_tuning``) how each vector index is searched, on the archive's own vectors.

        ``queries`` stored vectors (a seeded random sample) are the queries; each one's exact top-``k``
        (the query's own case left out) comes from one pass over the column in numpy, and the index's
        top-``k`` from the store's own kNN plan at each ``ladder`` value, lowest first, until the mean
        recall@k reaches ``target``: ef_search for an HNSW index (default ``EF_LADDER``), the candidates
        re-ranked for a binary one (``BINARY_LADDER``). Where none does, the choice is an exact scan
        (logged as a warning). Kinds without an index are skipped.
        """
        if not 0 < target <= 1 or (ladder is not None and not ladder) or queries < 1:
            raise ValueError("need 0 < target <= 1, a ladder and queries >= 1")
        return self._run(lambda conn: self._tune(conn, kinds, queries, k, target, ladder, seed), limited=False)

    def _tune(self, conn: psycopg.Connection, kinds: Sequence[str], n_queries: int, k: int, target: float,
              ladder: Sequence[int] | None, seed: float) -> dict[str, EfChoice]:  # fmt: skip
        state = pg_sql.index_state(conn)
        chosen: dict[str, EfChoice] = {}
        for kind in kinds:
            if kind not in pg_sql.KINDS:
                raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
            if not state[kind].startswith("hnsw") or "invalid" in state[kind]:
                pg_sql.forget_ef_choices(conn, [kind])
                continue
            method = "binary" if state[kind].startswith("hnsw binary") else "hnsw"
            cap = 10_000 if method == "binary" else 1000
            steps = sorted({min(max(int(e), 1), cap) for e in (ladder or (BINARY_LADDER if method == "binary"
                                                                             else EF_LADDER))})  # fmt: skip
            col = f"{kind}_embedding"
            conn.execute("SELECT setseed(%s)", (seed,))
            sample = conn.execute(
                f"SELECT case_id, {col} FROM cases WHERE {col} IS NOT NULL ORDER BY random() LIMIT %s", (n_queries,)
            ).fetchall()
            if not sample:
                continue
            ids = [r[0] for r in sample]
            q = np.stack([r[1].to_numpy() for r in sample]).astype(np.float32)
            exact, rows = _exact_top(conn, col, ids, q, k)
            if method == "binary":  # the plan reads the method from the row; the ladder sets the candidates
                pg_sql.write_ef_choice(conn, _unmeasured_binary(kind, rows))
            tried: list[tuple[int, float]] = []
            for step in steps:
                found = []
                for case_id, vec in zip(ids, q, strict=True):
                    plan = pg_sql.set_knn_plan(conn, step, kind, k)  # the step as for a top-k, one row more
                    params: dict[str, Any] = {"q": vec, "k": k + 1}
                    hits = conn.execute(pg_sql.knn_sql(kind, None, params, plan), params).fetchall()
                    found.append([h[0] for h in hits if h[0] != case_id][:k])
                pairs = zip(found, exact, strict=True)
                recall = float(np.mean([len(set(f) & set(e)) / max(len(e), 1) for f, e in pairs]))
                tried.append((step, round(recall, 4)))
                if recall >= target:
                    break
            best = tried[-1]
            ok = best[1] >= target
            chosen_step = best[0] if ok else None
            choice = EfChoice(kind=kind, ef_search=chosen_step if method == "hnsw" else None, exact=not ok,
                              recall=best[1], target=target, queries=len(ids), rows_indexed=rows,
                              ladder=tuple(tried), method=method,
                              candidates=chosen_step if method == "binary" else None)  # fmt: skip
            pg_sql.write_ef_choice(conn, choice)
            (log.info if ok else log.warning)("index %s: %s", kind, choice.describe())
            chosen[kind] = choice
        return chosen

    def drop_index(self) -> None:
        """Drop the vector indexes (queries fall back to exact scans) and their recorded choices."""

        def drop(conn: psycopg.Connection) -> None:
            pg_sql.drop_vector_indexes(conn)

        self._run(drop, limited=False)

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
                pg_sql.unbind_model(conn)
            return len(shas)

        return self._run(delete, limited=False)

    def truncate_all(self) -> None:
        """Delete every case, image and progress row and unbind the model (tests; admin reset)."""

        def wipe(conn: psycopg.Connection) -> None:
            conn.execute("TRUNCATE cases, images, ingest_progress, store_meta")
            pg_sql.unbind_model(conn)

        self._run(wipe, limited=False)
        self._fts_stats = None

    # -- ingest progress ----------------------------------------------------------------------

    def set_progress(self, source_key: str, shard: str, position: int, *, done: bool = False,
                     errors: int = 0, rows: int = 0, source: str | None = None) -> None:  # fmt: skip
        """Record that ``position`` items of ``source_key``/``shard`` are processed (``errors`` and ``rows``
        add to the counts)."""
        self._run(lambda c: pg_sql.write_progress(c, source_key, shard, position, rows=rows, errors=errors,
                                                  source=source, done=done))  # fmt: skip

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


def _unmeasured_binary(kind: str, rows: int) -> EfChoice:
    """The choice of a binary index before its measurement: its default candidates, recall unknown."""
    return EfChoice(kind=kind, ef_search=None, exact=False, recall=None, target=EF_RECALL_TARGET, queries=0,
                    rows_indexed=rows, ladder=(), method="binary", candidates=DEFAULT_BINARY_CANDIDATES)


def _exact_top(
    conn: psycopg.Connection, col: str, ids: list[str], queries: np.ndarray, k: int, chunk: int = 4096
) -> tuple[list[list[str]], int]:
    """Each query's exact top-``k`` case ids by inner product, its own case left out, from one pass over
    ``col`` (a server-side cursor, ``chunk`` rows at a time; one scan instead of one per query); and the
    number of rows scanned."""
    keep = k + 1  # the query's own case is among its top k+1
    best_scores = np.full((len(ids), 0), -np.inf, dtype=np.float32)
    best_ids = np.empty((len(ids), 0), dtype=object)
    rows = 0
    with conn.cursor(name="medrag_exact_top") as cur:
        cur.execute(f"SELECT case_id, {col} FROM cases WHERE {col} IS NOT NULL")
        while batch := cur.fetchmany(chunk):
            rows += len(batch)
            vecs = np.stack([r[1].to_numpy() for r in batch]).astype(np.float32)
            names = np.array([r[0] for r in batch], dtype=object)
            scores = np.concatenate([best_scores, queries @ vecs.T], axis=1)
            cand = np.concatenate([best_ids, np.broadcast_to(names, (len(ids), len(names)))], axis=1)
            top = np.argpartition(-scores, min(keep, scores.shape[1]) - 1, axis=1)[:, :keep]
            best_scores = np.take_along_axis(scores, top, axis=1)
            best_ids = np.take_along_axis(cand, top, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    ranked = np.take_along_axis(best_ids, order, axis=1)
    return [[c for c in row if c != own][:k] for row, own in zip(ranked.tolist(), ids, strict=True)], rows
