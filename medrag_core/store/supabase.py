"""``SupabaseStore``: the ``CaseStore`` over Supabase's REST API (supabase-py: PostgREST and Storage).

For deployments that only have ``SUPABASE_URL`` and ``SUPABASE_KEY``. The anon key reads and searches;
writes (``upsert``) need the service-role key (row-level security from ``sql/003``). Bulk ETL is
faster through ``MEDRAG_DATABASE_URL`` (``PostgresStore``, COPY); both read the same tables.

Wire format: vectors go out as JSON lists of floats and come back as PostgREST's string form
``"[0.1,0.2]"``; bytea goes out and comes back as hex ``"\\x89504e47..."``; ``metadata`` (jsonb,
``sql/005``) goes out and comes back as a JSON object. Search runs in the SQL functions
``image_match`` / ``text_match`` (``sql/002``), ``report_search`` and ``medrag_stats`` (``sql/004``);
``image_match`` / ``text_match`` get ``ef_search`` (``MEDRAG_EF_SEARCH``, ``sql/011``; when it is not set,
None: they use the value measured on the archive, ``sql/012``); case rows are
read with the computed fields ``has_image_embedding`` / ``has_text_embedding`` so
vectors never travel on a read.

Unlike ``PostgresStore.upsert``, one ``upsert`` call is several HTTP requests (bind the model, images,
then cases in batches), not one transaction: a failure part-way leaves earlier batches written.
Re-running the same upsert is safe (by ``case_id`` and image sha256).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np

from medrag_core.errors import ConfigError
from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store.base import (
    DEFAULT_EF_SEARCH,
    CaseFilter,
    CaseRecord,
    CaseStore,
    ParallelReads,
    ScoredCase,
    SqlFunctions,
    StoreStats,
    as_vector,
    check_embedding_meta,
    check_records,
)
from medrag_core.store.supabase_client import call, create_client, parse_bytea, parse_vector, to_bytea

__all__ = ["SupabaseStore", "create_client", "parse_bytea", "parse_vector", "to_bytea"]

T = TypeVar("T")
KINDS = ("image", "text")
CASE_FIELDS = (
    "case_id,source,study_id,findings,impression,indication,comparison,view,labels,image_sha256,"
    "has_image_embedding,has_text_embedding,embed_model,metadata"
)
_ID_CHUNK = 100  # ids per GET (URL length)


def _case(row: dict[str, Any]) -> Case:
    return Case(**{k: row[k] for k in CASE_FIELDS.split(",")}
                | {"labels": list(row.get("labels") or []), "metadata": dict(row.get("metadata") or {})})


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _filter_args(where: CaseFilter | None) -> dict[str, list[str] | None]:
    where = where or CaseFilter()
    return {
        "filter_sources": list(where.sources) or None,
        "filter_views": list(where.views) or None,
        "filter_labels": list(where.labels) or None,
    }


class SupabaseStore(CaseStore, SqlFunctions, ParallelReads):
    """The case archive in a Supabase project, over REST. Thread-safe (one shared HTTP client, whose
    connection pool lets the hybrid search's lists go out at once: each is a round trip over the network).

    It declares ``CaseStore``, ``SqlFunctions`` and ``ParallelReads`` only: no term pruning, index or source
    administration, or progress log over REST (``python -m etl`` over ``MEDRAG_DATABASE_URL`` does those on the
    same tables).

    ``image_bucket``: keep image bytes in that Storage bucket (object ``<sha256>``) instead of the
    ``images`` table; the table then holds an empty placeholder row per image (its foreign key).
    """

    def __init__(
        self,
        url: str,
        key: str,
        *,
        batch_size: int = 100,
        image_bucket: str | None = None,
        max_request_bytes: int = 8 * 1024 * 1024,
        timeout_s: float = 30.0,
        ef_search: int | None = DEFAULT_EF_SEARCH,
        client: Any = None,
    ) -> None:
        if batch_size < 1 or max_request_bytes < 1024:
            raise ValueError("batch_size must be >= 1 and max_request_bytes >= 1024")
        self.url = url.rstrip("/")
        self.batch_size = batch_size
        self.image_bucket = image_bucket
        self.max_request_bytes = max_request_bytes
        self.ef_search = ef_search
        self._client = client if client is not None else create_client(url, key, timeout_s=timeout_s)
        self._lock = threading.Lock()
        self.max_parallel_reads = 3
        _ = self._client.postgrest  # built now, not lazily from several threads

    @classmethod
    def from_settings(cls, settings: Settings) -> SupabaseStore:
        """From ``SUPABASE_URL`` and ``SUPABASE_KEY`` (anon key: read and search; service role: also write)."""
        if not settings.supabase_url or settings.supabase_key is None:
            raise ConfigError(
                "MEDRAG_STORE_BACKEND=supabase needs SUPABASE_URL and SUPABASE_KEY (the anon key for the app, "
                "the service-role key for ETL)."
            )
        return cls(settings.supabase_url, settings.supabase_key.get_secret_value(),
                   image_bucket=settings.supabase_image_bucket, ef_search=settings.explicit_ef_search)

    def close(self) -> None:
        """Close the HTTP connections."""
        session = getattr(self._client.postgrest, "session", None)
        if session is not None:
            session.close()

    def __enter__(self) -> SupabaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------------------

    @property
    def _storage(self) -> Any:
        with self._lock:
            return self._client.storage.from_(self.image_bucket)

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        return call(self.url, action, fn)

    def request(self, action: str, fn: Callable[[Any], T]) -> T:
        """``fn(client)`` with the supabase-py client, its failures as ``StoreError``s naming ``action``
        (for readers of other tables in the same project, such as the legacy import)."""
        return self._call(action, lambda: fn(self._client))

    def _rpc(self, fn: str, params: dict[str, Any], action: str) -> Any:
        return self._call(action, lambda: self._client.rpc(fn, params).execute().data)

    def _select(self, table: str, columns: str, action: str, **eq: Any) -> list[dict[str, Any]]:
        def run() -> list[dict[str, Any]]:
            query = self._client.table(table).select(columns)
            for col, value in eq.items():
                query = query.in_(col, list(value)) if isinstance(value, (list, tuple)) else query.eq(col, value)
            return query.execute().data

        return self._call(action, run)

    def _upsert(self, table: str, rows: list[dict[str, Any]], on_conflict: str, action: str, *, ignore: bool) -> None:
        self._call(action, lambda: self._client.table(table).upsert(
            rows, on_conflict=on_conflict, ignore_duplicates=ignore, returning="minimal").execute())  # fmt: skip

    # -- model binding ----------------------------------------------------------------------------

    def _meta(self) -> tuple[str, int] | None:
        rows = self._select("store_meta", "embed_model,dimension", "read the store's model")
        return (rows[0]["embed_model"], int(rows[0]["dimension"])) if rows else None

    # -- CaseStore: reading, searching, writing --------------------------------------------------------------

    def upsert(self, records: Sequence[CaseRecord], *, embed_model: str) -> int:
        """Insert or replace cases by ``case_id`` (last record wins within a call); returns rows written.

        Order: bind/check the model (``medrag_bind_model``), store missing images, upsert cases in
        batches of ``batch_size``. Needs the service-role key.
        """
        checked = check_records(records, embed_model)
        now = datetime.now(UTC).isoformat()
        rows = [{
            "case_id": r.case.case_id, "study_id": r.case.study_id, "source": r.case.source,
            "findings": r.case.findings, "impression": r.case.impression, "indication": r.case.indication,
            "comparison": r.case.comparison, "view": r.case.view, "labels": list(r.case.labels),
            "image_sha256": r.image_sha256, "thumbnail": to_bytea(r.record.thumbnail),
            "image_embedding": None if r.image_embedding is None else r.image_embedding.astype(float).tolist(),
            "text_embedding": None if r.text_embedding is None else r.text_embedding.astype(float).tolist(),
            "embed_model": embed_model if r.has_embedding else None, "metadata": dict(r.case.metadata),
            "updated_at": now,
        } for r in checked.records]  # fmt: skip
        if not rows:
            return 0

        look_up = checked.images_to_look_up()
        if look_up:
            checked.require_stored(self._existing_images(sorted(look_up)))
        if checked.dim is not None:
            dim = checked.dim
            bound = self._rpc("medrag_bind_model", {"p_model": embed_model, "p_dimension": dim}, "bind the model")
            row = bound[0] if isinstance(bound, list) else bound
            check_embedding_meta((row["bound_model"], int(row["bound_dimension"])), embed_model, dim, "upsert")
        if checked.images:
            self._store_images(checked.images)
        for batch in self._batches(rows):
            self._upsert("cases", batch, "case_id", "write cases", ignore=False)
        return len(rows)

    def _batches(self, rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        """Rows grouped by ``batch_size`` and by ``max_request_bytes`` of JSON."""
        batch: list[dict[str, Any]] = []
        size = 0
        for row in rows:
            n = len(json.dumps(row))
            if batch and (len(batch) >= self.batch_size or size + n > self.max_request_bytes):
                yield batch
                batch, size = [], 0
            batch.append(row)
            size += n
        if batch:
            yield batch

    def _existing_images(self, shas: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(shas), _ID_CHUNK):
            found.update(r["sha256"] for r in self._select("images", "sha256", "look up images", sha256=chunk))
        return found

    def _store_images(self, images: dict[str, tuple[str, bytes]]) -> None:
        new = {s: v for s, v in images.items() if s not in self._existing_images(list(images))}
        if self.image_bucket:
            for sha, (mime, data) in new.items():
                self._call("upload an image", lambda s=sha, m=mime, d=data: self._storage.upload(
                    s, d, {"content-type": m, "upsert": "true"}))  # fmt: skip
        rows = [{"sha256": s, "mime": m, "bytes": "\\x" if self.image_bucket else to_bytea(b)}
                for s, (m, b) in new.items()]  # fmt: skip
        for batch in self._batches(rows):
            self._upsert("images", batch, "sha256", "store images", ignore=True)

    def get(self, case_ids: Sequence[str]) -> list[Case]:
        """Cases in the order asked; unknown ids are skipped."""
        ids = list(dict.fromkeys(case_ids))
        found: dict[str, Case] = {}
        for chunk in _chunks(ids, _ID_CHUNK):
            for row in self._select("cases", CASE_FIELDS, "read cases", case_id=chunk):
                found[row["case_id"]] = _case(row)
        return [found[i] for i in ids if i in found]

    def get_image(self, image_sha256: str) -> bytes | None:
        if self.image_bucket:
            from storage3.exceptions import StorageApiError

            def download() -> bytes | None:
                try:
                    return self._storage.download(image_sha256)
                except StorageApiError as exc:
                    if exc.code == "not_found" or str(exc.status) == "404":
                        return None
                    raise

            return self._call("download an image", download)
        rows = self._select("images", "bytes", "read an image", sha256=image_sha256)
        return parse_bytea(rows[0]["bytes"]) if rows else None

    def knn(
        self, kind: str, query: np.ndarray, k: int, *, embed_model: str, where: CaseFilter | None = None
    ) -> list[ScoredCase]:
        """Top-k by ``kind`` ("image" or "text") embedding via ``<kind>_match``, best first."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
        q = as_vector(query, "The query embedding")
        if k <= 0:
            return []
        meta = self._meta()
        if meta is None:
            return []
        check_embedding_meta(meta, embed_model, q.size, "query")
        params = {"query": q.astype(float).tolist(), "match_count": k, **_filter_args(where),
                  "ef_search": None if self.ef_search is None else max(self.ef_search, k)}  # fmt: skip
        hits = self._rpc(f"{kind}_match", params, f"search by {kind} embedding")
        return self._scored(hits, "similarity")

    def _scored(self, hits: list[dict[str, Any]], score: str) -> list[ScoredCase]:
        cases = {c.case_id: c for c in self.get([h["case_id"] for h in hits])}
        return [ScoredCase(cases[h["case_id"]], float(h[score])) for h in hits if h["case_id"] in cases]

    def text_search(
        self, query: str, k: int, *, where: CaseFilter | None = None, max_df: float | None = None
    ) -> list[ScoredCase]:
        """Full-text search (``report_search``: English stemming, web-search syntax) ranked by ts_rank_cd.

        ``max_df`` is accepted for the ``CaseStore`` protocol and ignored: the query is searched as given
        (pruning common terms needs ``pg_stats``, which the REST API does not expose).
        """
        if not query.strip() or k <= 0:
            return []
        hits = self._rpc("report_search", {"query": query, "match_count": k, **_filter_args(where)}, "search reports")
        return self._scored(hits, "rank")

    def label_search(self, labels: Sequence[str], k: int, *, where: CaseFilter | None = None) -> list[ScoredCase]:
        """Up to ``k`` cases carrying all ``labels`` (PostgREST ``labels=cs.{...}``, served by the labels
        index), score 1.0."""
        if not labels or k <= 0:
            return []

        def run() -> list[dict[str, Any]]:
            query = self._client.table("cases").select(CASE_FIELDS).contains("labels", list(labels))
            if where is not None and where.sources:
                query = query.in_("source", list(where.sources))
            if where is not None and where.views:
                query = query.in_("view", list(where.views))
            if where is not None and where.labels:
                query = query.contains("labels", list(dict.fromkeys((*labels, *where.labels))))
            return query.limit(k).execute().data

        return [ScoredCase(_case(row), 1.0) for row in self._call("search by labels", run)]

    def stats(self) -> StoreStats:
        data = self._rpc("medrag_stats", {}, "read store statistics")
        if isinstance(data, list):  # some PostgREST versions wrap a scalar result
            data = data[0] if data else {}
        index_state = {kind: "none (exact scan)" for kind in KINDS}
        for col, state in (data.get("index_state") or {}).items():
            index_state[col.removesuffix("_embedding")] = state
        return StoreStats(
            total_cases=data["total_cases"], with_image=data["with_image"],
            with_image_embedding=data["with_image_embedding"], with_text_embedding=data["with_text_embedding"],
            per_source=dict(sorted((data.get("per_source") or {}).items())),
            per_label=dict(sorted((data.get("per_label") or {}).items())), embed_model=data.get("embed_model"),
            dimension=data.get("dimension"), index_state=index_state,
        )  # fmt: skip

    # -- the rest of CaseReader ------------------------------------------------------------------------------

    def call_function(self, name: str, params: dict[str, Any]) -> Any:
        """Call a SQL function that returns jsonb (``history_*``) through PostgREST's ``/rpc``; its value."""
        return self._rpc(name, params, name.replace("_", " "))

    def count(self, where: CaseFilter | None = None) -> int:
        def run() -> int:
            query = self._client.table("cases").select("case_id", count="exact", head=True)
            if where is not None and where.sources:
                query = query.in_("source", list(where.sources))
            if where is not None and where.views:
                query = query.in_("view", list(where.views))
            if where is not None and where.labels:
                query = query.contains("labels", list(where.labels))
            return int(query.execute().count or 0)

        return self._call("count cases", run)

    def existing_ids(self, case_ids: Sequence[str]) -> set[str]:
        """The subset of ``case_ids`` already stored."""
        found: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(case_ids)), _ID_CHUNK):
            found.update(r["case_id"] for r in self._select("cases", "case_id", "read cases", case_id=chunk))
        return found

    def get_embedding(self, case_id: str, kind: str) -> np.ndarray | None:
        """A stored case's float32 embedding, or None."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'image' or 'text', not {kind!r}")
        rows = self._select("cases", f"{kind}_embedding", "read an embedding", case_id=case_id)
        return parse_vector(rows[0][f"{kind}_embedding"]) if rows else None

    def get_thumbnail(self, case_id: str) -> bytes | None:
        rows = self._select("cases", "thumbnail", "read a thumbnail", case_id=case_id)
        return parse_bytea(rows[0]["thumbnail"]) if rows else None
