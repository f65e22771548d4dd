"""SQL behind ``PostgresStore``: functions of an open connection, each run inside the caller's transaction.

Kept apart from ``postgres.py`` (connection, locking, the public methods) so each stays small.
Table and column names are those of ``sql/001_schema.sql``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from medrag_core.errors import StoreError
from medrag_core.models import Case
from medrag_core.store.base import (
    DEFAULT_EF_SEARCH,
    EXACT_FILTER_MAX_ROWS,
    CaseFilter,
    CaseRecord,
    CheckedBatch,
    EfChoice,
    check_embedding_meta,
    check_records,
)

KINDS = ("image", "text")
#: How the embedding columns store vectors (sql/014): half precision, half the bytes of ``vector``.
#: Embeddings go in and come out as float32. Queries are sent as ``vector`` and cast implicitly to the
#: column's type, so the same SQL serves (and its index serves) a ``halfvec`` or a ``vector`` column.
VECTOR_TYPE = "halfvec"
CASE_COLS = (
    "c.case_id, c.source, c.study_id, c.findings, c.impression, c.indication, c.comparison, c.view, c.labels,"
    " c.image_sha256, c.image_embedding IS NOT NULL, c.text_embedding IS NOT NULL, c.embed_model, c.metadata"
)
#: A case with report text to embed (ETL embeds findings + impression).
HAS_TEXT = "(btrim(coalesce(findings, '')) <> '' OR btrim(coalesce(impression, '')) <> '')"
#: A case still lacking an embedding it can have (``etl embed`` computes them).
MISSING_EMBEDDING = (
    f"((image_sha256 IS NOT NULL AND image_embedding IS NULL) OR (text_embedding IS NULL AND {HAS_TEXT}))"
)
_STAGE_COLS = (
    "case_id", "study_id", "source", "findings", "impression", "indication", "comparison", "view", "labels",
    "image_sha256", "thumbnail", "image_embedding", "text_embedding", "embed_model", "metadata",
)  # fmt: skip
_STAGE_TYPES = ["text"] * 8 + ["text[]", "text", "bytea", "vector", "vector", "text", "jsonb"]


@dataclass
class Batch(CheckedBatch):
    """Checked records (``base.CheckedBatch``) turned into COPY rows."""

    rows: list[list[Any]] = field(default_factory=list)

    @property
    def source(self) -> str | None:
        """The batch's source when all its rows share one."""
        sources = {r[2] for r in self.rows}
        return sources.pop() if len(sources) == 1 else None


def case_from_row(row: Sequence[Any]) -> Case:
    return Case(
        case_id=row[0], source=row[1], study_id=row[2], findings=row[3], impression=row[4], indication=row[5],
        comparison=row[6], view=row[7], labels=list(row[8] or []), image_sha256=row[9],
        has_image_embedding=row[10], has_text_embedding=row[11], embed_model=row[12], metadata=row[13] or {},
    )  # fmt: skip


def prepare_batch(records: Sequence[CaseRecord], embed_model: str) -> Batch:
    """Check records (``base.check_records``) and build their COPY rows."""
    checked = check_records(records, embed_model)
    batch = Batch(images=checked.images, need_images=checked.need_images, dim=checked.dim)
    for r in checked.records:
        case = r.case
        batch.rows.append([case.case_id, case.study_id, case.source, case.findings, case.impression,
                           case.indication, case.comparison, case.view, list(case.labels), r.image_sha256,
                           r.record.thumbnail, r.image_embedding, r.text_embedding,
                           embed_model if r.has_embedding else None, dict(case.metadata)])  # fmt: skip
    return batch


def write_batch(conn: psycopg.Connection, batch: Batch) -> None:
    """Images (once per sha256), then cases by COPY into a staging table and one INSERT ... ON CONFLICT."""
    if batch.images:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO images (sha256, mime, bytes) VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                [(sha, mime, data) for sha, (mime, data) in batch.images.items()],
            )
    look_up = batch.images_to_look_up()
    if look_up:
        found = {r[0] for r in conn.execute("SELECT sha256 FROM images WHERE sha256 = ANY(%s)", (list(look_up),))}
        batch.require_stored(found)
    if not batch.rows:
        return
    cols = ", ".join(_STAGE_COLS)
    # Versioned name: a pooled server session may still hold an older client's staging table
    # (without metadata), which CREATE ... IF NOT EXISTS would keep.
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _stage_cases_v2 (case_id text, study_id text, source text, findings text,"
        " impression text, indication text, comparison text, view text, labels text[], image_sha256 text,"
        " thumbnail bytea, image_embedding vector, text_embedding vector, embed_model text, metadata jsonb)"
        " ON COMMIT DELETE ROWS"
    )
    with conn.cursor() as cur, cur.copy(f"COPY _stage_cases_v2 ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_STAGE_TYPES)
        for row in batch.rows:
            copy.write_row(row)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _STAGE_COLS[1:])
    conn.execute(
        f"INSERT INTO cases ({cols}) SELECT {cols} FROM _stage_cases_v2"
        f" ON CONFLICT (case_id) DO UPDATE SET {updates}, updated_at = now()"
    )


# -- model binding ---------------------------------------------------------------------------


def read_meta(conn: psycopg.Connection, *, lock: bool = False) -> tuple[str, int] | None:
    """(embed_model, dimension) the store is bound to, or None before the first embedding."""
    row = conn.execute("SELECT embed_model, dimension FROM store_meta" + (" FOR UPDATE" if lock else "")).fetchone()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class KnnPlan:
    """How one kNN query runs (``set_knn_plan``): by the index order, an exact scan (``exact``), or for a
    binary index (sql/015) ``candidates`` nearest by the sign bits of ``dim`` dimensions, re-ranked exactly.
    ``filtered_rows``: for a filtered search, the embedded rows the filter keeps, counted up to
    ``EXACT_FILTER_MAX_ROWS`` + 1 (None without a filter, or when ``floor_rows`` made the count moot).
    ``floor_rows``: the fewest embedded rows the filter can keep by ``filter_stats`` (sql/017; 0 when
    unknown); above ``EXACT_FILTER_MAX_ROWS`` the count is skipped."""

    exact: bool = False
    candidates: int | None = None
    dim: int | None = None
    filtered_rows: int | None = None
    floor_rows: int | None = None


def index_name(kind: str, method: str = "hnsw") -> str:
    """The name ``reindex`` gives ``kind``'s index of ``method`` (sql/014 and sql/015 use the same)."""
    return f"cases_{kind}_embedding_{'bits' if method == 'binary' else 'hnsw'}"


def filter_probe_sql(kind: str, where: CaseFilter | None, params: dict[str, Any]) -> tuple[str, str] | None:
    """(floor, count) for a filtered search, None without a filter; adds their values to ``params``.

    floor: the fewest rows with a ``kind`` embedding that ``where`` can keep, from exact counts at the
    last refresh less the rows removed since (``medrag_filter_floor``, sql/017, the function the
    Supabase store's match function reads). count: those rows counted, stopping at
    ``EXACT_FILTER_MAX_ROWS`` + 1 (through the label GIN / source index for a rare filter, a short
    sequential read for a broad one), to be run only where the floor is at most ``EXACT_FILTER_MAX_ROWS``.
    """
    filters = filter_sql(where, params)
    if not filters or where is None:
        return None
    params["probe_limit"] = EXACT_FILTER_MAX_ROWS + 1
    # as filter_sql reads the filter: an empty tuple does not filter
    params.update(fl_sources=list(where.sources) or None, fl_views=list(where.views) or None,
                  fl_labels=list(where.labels) or None)  # fmt: skip
    floor = "medrag_filter_floor(%(kind)s, %(fl_sources)s::text[], %(fl_views)s::text[], %(fl_labels)s::text[])"
    count = (f"(SELECT count(*) FROM (SELECT 1 FROM cases AS c WHERE c.{kind}_embedding IS NOT NULL{filters}"
             " LIMIT %(probe_limit)s) AS m)")  # fmt: skip
    return floor, count


def set_knn_plan(
    conn: psycopg.Connection, ef_search: int | None, kind: str = "image", k: int = 1, where: CaseFilter | None = None
) -> KnnPlan:
    """Settings for one kNN transaction: HNSW ``ef_search``, filtered scans that still return k rows, and
    no sequential scan. Vectors live out of line, so the heap looks small and the planner prefers an exact
    scan + sort to the HNSW index (600 ms vs 3-13 ms at 30k). Without an index it still scans exactly.

    ``ef_search`` None: the value measured for ``kind``'s index (``index_tuning``, sql/012), or
    ``DEFAULT_EF_SEARCH`` before any measurement. ef_search is at least ``k``, at most 1000. Where the
    measurement found no setting reaching the recall target, the plan is exact: run ``knn_sql`` with it.
    For a binary index (sql/015) ``ef_search``, when given, is the number of candidates re-ranked for a
    top-10; a larger ``k`` re-ranks proportionally more (the count is measured for a top-10, and the
    hybrid asks each list for 50), at most 10,000.

    ``where``: a filter keeping at most ``EXACT_FILTER_MAX_ROWS`` embedded rows (counted by a bounded
    probe, planned before the settings above apply) makes the plan exact whatever the index: the
    iterative index scan misses true neighbours behind rare filters, an exact scan of so few rows does
    not and costs about what the unfiltered index search does (sql/016 does the same). The probe runs
    only where the filter's floor (``filter_probe_sql``, sql/017) is at most that many rows: above it
    the count could only say "more".
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
    params: dict[str, Any] = {"ef": ef_search, "default": DEFAULT_EF_SEARCH, "k": k, "kind": kind}
    floor, count = filter_probe_sql(kind, where, params) or ("NULL::bigint", "NULL::bigint")
    params["max_rows"] = EXACT_FILTER_MAX_ROWS
    row = conn.execute(
        "SELECT set_config('hnsw.ef_search', least(greatest(coalesce(%(ef)s::int,"
        " CASE WHEN t.method = 'binary' THEN t.candidates ELSE t.ef_search END, %(default)s),"
        " %(k)s, 1), 1000)::text, true), set_config('hnsw.iterative_scan', 'strict_order', true),"
        " set_config('enable_seqscan', 'off', true), coalesce(%(ef)s::int IS NULL AND t.exact, false),"
        " CASE WHEN t.method = 'binary' THEN least(greatest(coalesce(%(ef)s::int, t.candidates)"
        " * greatest(ceil(%(k)s / 10.0), 1), %(k)s, 1), 10000)::int END,"
        f" (SELECT dimension FROM store_meta), CASE WHEN f.floor > %(max_rows)s THEN NULL ELSE {count} END, f.floor"
        " FROM (SELECT 1) AS one LEFT JOIN index_tuning AS t ON t.kind = %(kind)s"
        f" CROSS JOIN (SELECT {floor} AS floor OFFSET 0) AS f",  # OFFSET 0: the floor computed once
        params,
    ).fetchone()  # one round trip; the count subquery is evaluated only when its CASE branch is taken
    exact, candidates, dim = bool(row[3]), row[4], row[5]
    filtered = None if row[6] is None else int(row[6])
    floor_rows = None if row[7] is None else int(row[7])
    if filtered is not None and filtered <= EXACT_FILTER_MAX_ROWS:
        exact = True
    if exact or candidates is None or dim is None:
        return KnnPlan(exact=exact, filtered_rows=filtered, floor_rows=floor_rows)
    return KnnPlan(candidates=int(candidates), dim=int(dim), filtered_rows=filtered, floor_rows=floor_rows)


def refresh_filter_stats(conn: psycopg.Connection) -> int:
    """Count the embedded rows per source, view and label again (``filter_stats``, sql/017), from which
    filtered searches bound their rows; returns the counts written."""
    return int(conn.execute("SELECT medrag_refresh_filter_stats()").fetchone()[0])


def read_ef_choices(conn: psycopg.Connection) -> dict[str, EfChoice]:
    """The recorded ef_search choice per kind (``index_tuning``)."""
    rows = conn.execute(
        "SELECT kind, ef_search, exact, recall, target, queries, rows_indexed, ladder, measured_at, method,"
        " candidates FROM index_tuning ORDER BY kind"
    ).fetchall()
    return {
        r[0]: EfChoice(kind=r[0], ef_search=r[1], exact=r[2], recall=r[3], target=r[4], queries=r[5],
                       rows_indexed=r[6], ladder=tuple((int(e), float(v)) for e, v in r[7]), measured_at=r[8],
                       method=r[9], candidates=r[10])
        for r in rows
    }  # fmt: skip


def write_ef_choice(conn: psycopg.Connection, choice: EfChoice) -> None:
    conn.execute(
        "INSERT INTO index_tuning (kind, ef_search, exact, recall, target, queries, rows_indexed, ladder, method,"
        " candidates) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (kind) DO UPDATE SET"
        " ef_search = EXCLUDED.ef_search, exact = EXCLUDED.exact, recall = EXCLUDED.recall,"
        " target = EXCLUDED.target, queries = EXCLUDED.queries, rows_indexed = EXCLUDED.rows_indexed,"
        " ladder = EXCLUDED.ladder, method = EXCLUDED.method, candidates = EXCLUDED.candidates, measured_at = now()",
        (choice.kind, choice.ef_search, choice.exact, choice.recall, choice.target, choice.queries,
         choice.rows_indexed, Jsonb([list(x) for x in choice.ladder]), choice.method, choice.candidates),
    )  # fmt: skip


def forget_ef_choices(conn: psycopg.Connection, kinds: Sequence[str] = KINDS) -> None:
    """Drop the recorded choices (their index was dropped or is being rebuilt)."""
    conn.execute("DELETE FROM index_tuning WHERE kind = ANY(%s)", (list(kinds),))


def bind_model(conn: psycopg.Connection, model: str, dim: int) -> None:
    """Check against, or bind the store to, (model, dim), and type both embedding columns halfvec(dim).

    Concurrent writers (ETL shards) serialise on the store_meta row; the first one binds.
    """
    meta = read_meta(conn, lock=True)
    if meta is None:
        conn.execute(
            "INSERT INTO store_meta (embed_model, dimension) VALUES (%s, %s) ON CONFLICT DO NOTHING", (model, dim)
        )
        meta = read_meta(conn, lock=True)
    check_embedding_meta(meta, model, dim, "upsert")
    typmods = conn.execute(
        "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'cases'::regclass"
        " AND attname IN ('image_embedding', 'text_embedding')"
    ).fetchall()
    if any(t != dim for (t,) in typmods):
        _alter_embedding_type(conn, f"{VECTOR_TYPE}({int(dim)})")


def _alter_embedding_type(conn: psycopg.Connection, type_name: str) -> None:
    try:
        with conn.transaction():
            conn.execute(
                f"ALTER TABLE cases ALTER COLUMN image_embedding TYPE {type_name},"
                f" ALTER COLUMN text_embedding TYPE {type_name}"
            )
    except psycopg.errors.FeatureNotSupported as exc:  # a view or rule uses an embedding column
        views = [r[0] for r in conn.execute(
            "SELECT DISTINCT v.oid::regclass::text FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
            " JOIN pg_class v ON v.oid = r.ev_class JOIN pg_attribute a ON a.attrelid = d.refobjid"
            " AND a.attnum = d.refobjsubid WHERE d.refobjid = 'cases'::regclass AND v.oid <> d.refobjid"
            " AND a.attname IN ('image_embedding', 'text_embedding')"
        )]  # fmt: skip
        raise StoreError(
            f"Cannot set the embedding columns to {type_name}: the view(s) {', '.join(views) or '?'} use them. "
            "Drop them (use functions, e.g. has_image_embedding(cases), which do not pin the column type)."
        ) from exc


def drop_vector_indexes(conn: psycopg.Connection, kinds: Sequence[str] = KINDS) -> None:
    """Drop ``kinds``' HNSW and binary indexes and their recorded choices."""
    for kind in kinds:
        for method in ("hnsw", "binary"):
            conn.execute(f"DROP INDEX IF EXISTS {index_name(kind, method)}")
    forget_ef_choices(conn, kinds)


def unbind_model(conn: psycopg.Connection) -> None:
    """Forget the model: drop the vector indexes, make the columns untyped ``halfvec`` again, clear store_meta."""
    drop_vector_indexes(conn)
    _alter_embedding_type(conn, VECTOR_TYPE)
    conn.execute("DELETE FROM store_meta")


# -- queries ---------------------------------------------------------------------------------


def filter_sql(where: CaseFilter | None, params: dict[str, Any]) -> str:
    """`` AND ...`` clauses on alias ``c`` for ``where``; adds their values to ``params``."""
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


def knn_sql(kind: str, where: CaseFilter | None, params: dict[str, Any], plan: KnnPlan | None = None) -> str:
    """Top-k by inner product (``params``: ``q`` the query, ``k``). By default ordered by the operator
    expression itself, so HNSW can serve it. ``plan.exact``: by an expression no index serves (``+ 0``),
    so the plan is an exact scan whatever the planner settings (a SQL text of its own, so a cached plan
    of the other kind is never reused). ``plan.candidates``: that many nearest by the sign bits, the
    expression of the binary index, then the top-k of those by inner product."""
    col = f"c.{kind}_embedding"
    filters = filter_sql(where, params)
    if plan is not None and plan.candidates is not None and plan.dim is not None:
        params["candidates"] = plan.candidates
        bits = f"binary_quantize({{}})::bit({int(plan.dim)})"
        near = (f"SELECT c.case_id, {col} <#> %(q)s AS d FROM cases AS c WHERE {col} IS NOT NULL{filters}"
                f" ORDER BY {bits.format(col)} <~> {bits.format('%(q)s::vector')} LIMIT %(candidates)s")  # fmt: skip
        return (
            f"SELECT {CASE_COLS}, -r.d FROM (SELECT * FROM ({near}) AS b ORDER BY b.d LIMIT %(k)s) AS r"
            " JOIN cases AS c ON c.case_id = r.case_id ORDER BY r.d"
        )
    order = f"({col} <#> %(q)s) + 0" if plan is not None and plan.exact else f"{col} <#> %(q)s"
    return (
        f"SELECT {CASE_COLS}, -({col} <#> %(q)s) FROM cases AS c WHERE {col} IS NOT NULL"
        f"{filters} ORDER BY {order} LIMIT %(k)s"
    )


# -- full-text query pruning -------------------------------------------------------------------

_WEBSEARCH_TOKEN = re.compile(r'"[^"]*"?|[^\s"]+')
_QUOTED_LEXEME = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class LexemeStats:
    """ANALYZE's lexeme statistics for ``cases.fts``: lexeme -> fraction of cases that contain it.

    Only the lexemes common enough for ANALYZE to track are listed (about the 1,000 most common with the
    default statistics target); any other lexeme is rarer than all of them. ``rows``: the planner's count.
    """

    freqs: dict[str, float]
    rows: float


def lexeme_stats(conn: psycopg.Connection) -> LexemeStats | None:
    """The planner's lexeme frequencies for ``cases.fts`` (``pg_stats.most_common_elems``), or None before
    the first ANALYZE of the column (autovacuum, ``PostgresStore.analyze`` or ``reindex`` runs it)."""
    row = conn.execute(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples"
        " FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
        " JOIN pg_stats AS s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'fts'"
        " WHERE c.oid = 'cases'::regclass"
    ).fetchone()
    if row is None:
        return None
    elems, freqs, rows = row
    # most_common_elem_freqs has the elements' frequencies, then extra summary entries: zip drops them.
    return LexemeStats(dict(zip(elems or (), freqs or (), strict=False)), max(float(rows or 0.0), 0.0))


def query_alternatives(query: str) -> list[str]:
    """The top-level ``or`` alternatives of a ``websearch_to_tsquery`` query (an ``or`` inside quotes
    is a word of the phrase). A query without ``or`` is one alternative."""
    alternatives, start = [], 0
    for token in _WEBSEARCH_TOKEN.finditer(query):
        if token.group().lower() == "or":
            alternatives.append(query[start : token.start()])
            start = token.end()
    alternatives.append(query[start:])
    return [a.strip() for a in alternatives if a.strip()]


def prune_query(conn: psycopg.Connection, query: str, stats: LexemeStats, max_df: float, min_rows: int) -> str:
    """``query`` less the ``or`` alternatives that are in more than ``max_df`` of the cases (and in more
    than ``min_rows`` cases); "" when none is left.

    An alternative's share is estimated from its positive lexemes (English stemming, as the search
    does): it matches only cases that hold all of them, so at most the share of the rarest one. One
    without any positive lexeme (stop words only, or only ``-negations``) is dropped: it finds nothing,
    or nearly everything without an index.
    """
    alternatives = query_alternatives(query)
    if not alternatives:
        return ""
    trees = conn.execute(
        "SELECT querytree(websearch_to_tsquery('english', a)) FROM unnest(%s::text[]) WITH ORDINALITY AS t(a, i)"
        " ORDER BY i",
        (alternatives,),
    ).fetchall()
    kept = []
    for alternative, (tree,) in zip(alternatives, trees, strict=True):
        lexemes = [m.replace("''", "'") for m in _QUOTED_LEXEME.findall(tree or "")]
        if not lexemes:
            continue
        share = min(stats.freqs.get(lexeme, 0.0) for lexeme in lexemes)
        if share <= max_df or share * stats.rows <= min_rows:
            kept.append(alternative)
    return " or ".join(kept)


def embedding_type(conn: psycopg.Connection, kind: str) -> str:
    """The storage of ``kind``'s embedding column: ``"halfvec"`` (since sql/014) or ``"vector"``."""
    return conn.execute(
        "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'cases'::regclass AND attname = %s",
        (f"{kind}_embedding",),
    ).fetchone()[0]


def build_memory_mb(rows: int, dim: int, m: int, ram_bytes: int | None, *, bytes_per_dim: float = 2) -> int:
    """``maintenance_work_mem`` (MB) to build one HNSW index over ``rows`` vectors in memory: per row the
    vector (``bytes_per_dim``: 2 for halfvec, 4 for vector, 1/8 for bits), the 2*m links of layer 0
    (16 bytes each) and pgvector's element header, x 1.3; at least 64 MB, at most a quarter of
    ``ram_bytes`` (the server's RAM, where known: the embedded server shares this machine) or 4 GB. A
    larger graph still builds, much more slowly (pgvector then inserts into the index on disk)."""
    graph = rows * (bytes_per_dim * max(dim, 1) + 32 * m + 200) * 1.3
    cap = 4096 if ram_bytes is None else max(256, ram_bytes // 4 // 2**20)
    return int(min(cap, max(64, graph / 2**20)))


def index_state(conn: psycopg.Connection) -> dict[str, str]:
    """Per kind: ``"hnsw m=16 ef_construction=64"``, ``"hnsw binary m=16 ..."`` (sql/015),
    ``"hnsw invalid (...)"`` or ``"none (exact scan)"``."""
    found = conn.execute("SELECT medrag_index_state()").fetchone()[0] or {}
    return {kind: found.get(kind, "none (exact scan)") for kind in KINDS}


def write_progress(conn: psycopg.Connection, key: str, shard: str, position: int, *, rows: int = 0,
                   errors: int = 0, source: str | None = None, done: bool = False) -> None:  # fmt: skip
    """Upsert an ``ingest_progress`` row: position and done are set, rows_written and errors added."""
    conn.execute(
        "INSERT INTO ingest_progress AS p (source_key, shard, source, position, rows_written, errors, done)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (source_key, shard) DO UPDATE SET"
        " position = EXCLUDED.position, rows_written = p.rows_written + EXCLUDED.rows_written,"
        " errors = p.errors + EXCLUDED.errors, done = EXCLUDED.done,"
        " source = coalesce(EXCLUDED.source, p.source), updated_at = now()",
        (key, str(shard), source, int(position), int(rows), int(errors), bool(done)),
    )


_FUNCTION_NAME = re.compile(r"history_[a-z_]+")


def function_call(name: str, arg_names: list[str]) -> sql.Composed:
    """``SELECT name(arg => %(arg)s, ...)`` for one of the jsonb-returning ``history_*`` functions (sql/010)."""
    if not _FUNCTION_NAME.fullmatch(name):
        raise ValueError(f"not a history function: {name!r}")
    args = sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(a), sql.Placeholder(a)) for a in arg_names)
    return sql.SQL("SELECT {}({})").format(sql.Identifier(name), args)
