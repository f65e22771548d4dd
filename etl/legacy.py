"""Copy an original MedRAG archive (Supabase table ``radiology_report``) into the workbench's schema.

The original table: ``id`` int8, ``findings``, ``impression``, the image as ``image_base64`` (text)
or ``image_path`` (an object in the Storage bucket ``radiology-images``), and 1152-d
``image_embedding`` / ``text_embedding`` vectors from ``google/medsiglip-448``. Embeddings are reused
as they are (no re-embedding, no renormalising), so inner-product search ranks the copied cases
exactly as the original ``match_images`` / ``match_texts`` did; they are recorded under
``LEGACY_EMBED_MODEL``. Case ids are the original ids as text (``id_prefix`` optional), so
re-running the copy replaces rather than duplicates.

Read it through a Postgres URL (``PostgresLegacySource``: fastest, e.g. Supabase's direct connection
string) or the REST API (``SupabaseLegacySource``: ``SUPABASE_URL`` + the service-role key).

    migrate_legacy(source, target_store) -> int              cases written
    run_legacy_import(settings, source_database_url=None)    the CLI's entry: target = open_store(settings)
    python -m etl.legacy --from-database-url postgresql://...   (or --from-supabase)
"""

from __future__ import annotations

import argparse
import base64
import binascii
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from medrag_core.errors import ConfigError, MedragError, SourceError, StoreUnavailable
from medrag_core.models import Case
from medrag_core.store import CaseRecord, CaseStore, SupabaseStore, parse_vector

if TYPE_CHECKING:
    from medrag_core.settings import Settings

log = logging.getLogger(__name__)

LEGACY_TABLE = "radiology_report"
LEGACY_BUCKET = "radiology-images"
LEGACY_EMBED_MODEL = "google/medsiglip-448"
LEGACY_SOURCE = "medrag-legacy"
COLUMNS = ("id", "findings", "impression", "image_base64", "image_path", "image_embedding", "text_embedding")


@dataclass(frozen=True)
class LegacyRow:
    """One ``radiology_report`` row; embeddings as PostgREST/pgvector text ``"[...]"`` or lists."""

    id: int
    findings: str | None = None
    impression: str | None = None
    image_base64: str | None = None
    image_path: str | None = None
    image_embedding: Any = None
    text_embedding: Any = None


class LegacySource(Protocol):
    def rows(self, batch_size: int) -> Iterator[list[LegacyRow]]:
        """Batches of rows in ascending ``id``."""
        ...

    def image(self, path: str) -> bytes | None:
        """The bytes of an ``image_path`` object, or None when it cannot be fetched."""
        ...


def _row(data: dict[str, Any]) -> LegacyRow:
    return LegacyRow(**{k: data.get(k) for k in COLUMNS})


class PostgresLegacySource:
    """``radiology_report`` read over a Postgres URL; ``image_path`` objects via ``fetch_image`` if given."""

    def __init__(self, conninfo: str, *, table: str = LEGACY_TABLE,
                 fetch_image: Callable[[str], bytes | None] | None = None) -> None:  # fmt: skip
        self.conninfo, self.table, self.fetch_image = conninfo, table, fetch_image

    def rows(self, batch_size: int) -> Iterator[list[LegacyRow]]:
        import psycopg
        from psycopg import sql

        from medrag_core.settings import mask_dsn

        try:
            conn = psycopg.connect(self.conninfo, connect_timeout=10)
        except psycopg.Error as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            try:
                pw = psycopg.conninfo.conninfo_to_dict(self.conninfo).get("password")
            except psycopg.Error:
                pw = None
            reason = reason.replace(str(pw), "***") if pw else reason
            raise StoreUnavailable(f"Could not reach the legacy database {mask_dsn(self.conninfo)}: {reason}") from None
        with conn:
            name = sql.Identifier(*self.table.split("."))
            present = {r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
                (self.table,))}  # fmt: skip
            if "id" not in present:
                raise SourceError(f"No table {self.table} with an id column in the legacy database.")
            cols = sql.SQL(", ").join(
                sql.SQL("{}::text").format(sql.Identifier(c)) if c.endswith("_embedding") else sql.Identifier(c)
                if c in present else sql.SQL("NULL") for c in COLUMNS)  # fmt: skip
            last: int | None = None
            while True:
                where = sql.SQL("") if last is None else sql.SQL(" WHERE id > {}").format(sql.Literal(last))
                query = sql.SQL("SELECT {} FROM {}{} ORDER BY id LIMIT {}").format(
                    cols, name, where, sql.Literal(batch_size)
                )
                batch = [LegacyRow(*r) for r in conn.execute(query).fetchall()]
                if not batch:
                    return
                yield batch
                last = batch[-1].id

    def image(self, path: str) -> bytes | None:
        return self.fetch_image(path) if self.fetch_image else None


class SupabaseLegacySource:
    """``radiology_report`` read over Supabase's REST API; ``image_path`` objects from the Storage bucket."""

    def __init__(self, url: str, key: str, *, table: str = LEGACY_TABLE, bucket: str = LEGACY_BUCKET) -> None:
        self._store = SupabaseStore(url, key)  # its client, transport and error translation
        self.table, self.bucket = table, bucket

    def rows(self, batch_size: int) -> Iterator[list[LegacyRow]]:
        last: int | None = None
        while True:

            def page(client: Any, last: int | None = last) -> list[dict[str, Any]]:
                query = client.table(self.table).select("*").order("id").limit(batch_size)
                return (query if last is None else query.gt("id", last)).execute().data

            batch = [_row(r) for r in self._store.request(f"read {self.table}", page)]
            if not batch:
                return
            yield batch
            last = batch[-1].id

    def image(self, path: str) -> bytes | None:
        from storage3.exceptions import StorageApiError

        def download(client: Any) -> bytes | None:
            try:
                return client.storage.from_(self.bucket).download(path)
            except StorageApiError as exc:
                log.warning("Legacy image %s not downloaded from %s: %s", path, self.bucket, exc.code)
                return None

        return self._store.request("download a legacy image", download)


def sniff_mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[128:132] == b"DICM":
        return "application/dicom"
    return "application/octet-stream"


def decode_base64_image(text: str) -> bytes:
    """``image_base64`` -> bytes; accepts a ``data:image/...;base64,`` prefix and line breaks."""
    if text.lstrip().startswith("data:"):
        text = text.split(",", 1)[1] if "," in text else ""
    return base64.b64decode("".join(text.split()), validate=True)


def to_record(row: LegacyRow, source: LegacySource, *, source_name: str = LEGACY_SOURCE,
              id_prefix: str = "", embed_model: str = LEGACY_EMBED_MODEL) -> CaseRecord:  # fmt: skip
    """One legacy row as a ``CaseRecord`` (image decoded or fetched; embeddings as stored)."""
    image: bytes | None = None
    if row.image_base64:
        try:
            image = decode_base64_image(row.image_base64)
        except (binascii.Error, ValueError):
            log.warning("Legacy case %s: image_base64 is not valid base64; copied without its image", row.id)
    elif row.image_path:
        image = source.image(row.image_path)
    img_vec, txt_vec = parse_vector(row.image_embedding), parse_vector(row.text_embedding)
    has_vec = img_vec is not None or txt_vec is not None
    case = Case(
        case_id=f"{id_prefix}{row.id}", source=source_name, findings=(row.findings or "").strip(),
        impression=(row.impression or "").strip(), embed_model=embed_model if has_vec else None,
    )  # fmt: skip
    return CaseRecord(case, image_bytes=image or None, image_mime=sniff_mime(image) if image else None,
                      image_embedding=img_vec, text_embedding=txt_vec)  # fmt: skip


def migrate_legacy(
    source: LegacySource | str,
    target_store: CaseStore,
    *,
    batch_size: int = 100,
    source_name: str = LEGACY_SOURCE,
    id_prefix: str = "",
    embed_model: str = LEGACY_EMBED_MODEL,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Copy every ``radiology_report`` row into ``target_store``; returns the cases written.

    ``source`` is a ``LegacySource`` or a Postgres URL. Idempotent (upsert by case id). ``on_batch``
    is called with the running total after each batch. Raises ``ModelMismatch`` when the target
    already holds embeddings of another model than ``embed_model``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    src: LegacySource = PostgresLegacySource(source) if isinstance(source, str) else source
    total = 0
    for rows in src.rows(batch_size):
        records = [to_record(r, src, source_name=source_name, id_prefix=id_prefix, embed_model=embed_model)
                   for r in rows]  # fmt: skip
        total += target_store.upsert(records, embed_model=embed_model)
        if on_batch is not None:
            on_batch(total)
    return total


def run_legacy_import(
    settings: Settings,
    *,
    source_database_url: str | None = None,
    table: str = LEGACY_TABLE,
    bucket: str = LEGACY_BUCKET,
    batch_size: int = 100,
    source_name: str = LEGACY_SOURCE,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Copy the original MedRAG table into the store that ``settings`` opens (``open_store``).

    The source is ``source_database_url`` when given (``image_path`` objects are then fetched from
    Supabase Storage when ``SUPABASE_URL``/``SUPABASE_KEY`` are set), else the Supabase project of
    ``SUPABASE_URL``/``SUPABASE_KEY`` over REST (use the service-role key: the app key may not read
    ``radiology_report`` and cannot write).
    """
    from medrag_core.services import build_store

    key = settings.supabase_key.get_secret_value() if settings.supabase_key else None
    source: LegacySource
    if source_database_url:
        fetch = None
        if settings.supabase_url and key:
            fetch = SupabaseLegacySource(settings.supabase_url, key, table=table, bucket=bucket).image
        source = PostgresLegacySource(source_database_url, table=table, fetch_image=fetch)
    elif settings.supabase_url and key:
        source = SupabaseLegacySource(settings.supabase_url, key, table=table, bucket=bucket)
    else:
        raise ConfigError(
            "Say where the original MedRAG table is: --from-database-url postgresql://..., or SUPABASE_URL and "
            "SUPABASE_KEY (service-role key) for its Supabase project."
        )
    store = build_store(settings)
    try:
        return migrate_legacy(source, store, batch_size=batch_size, source_name=source_name, on_batch=on_batch)
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl.legacy",
        description="Copy an original MedRAG radiology_report table into the workbench's store "
        "(the one MEDRAG_STORE_BACKEND / MEDRAG_DATABASE_URL / SUPABASE_* select).",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--from-database-url", metavar="URL", help="Postgres URL of the database holding the table.")
    where.add_argument("--from-supabase", action="store_true", help="Read it over REST with SUPABASE_URL/SUPABASE_KEY.")
    parser.add_argument("--table", default=LEGACY_TABLE, help=f"Table name (default {LEGACY_TABLE}).")
    parser.add_argument(
        "--bucket", default=LEGACY_BUCKET, help=f"Storage bucket of image_path (default {LEGACY_BUCKET})."
    )
    parser.add_argument(
        "--source-name", default=LEGACY_SOURCE, help=f"Source recorded on the cases (default {LEGACY_SOURCE})."
    )
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)

    from medrag_core.settings import Settings

    try:
        settings = Settings.load()
        n = run_legacy_import(
            settings, source_database_url=args.from_database_url, table=args.table, bucket=args.bucket,
            batch_size=args.batch_size, source_name=args.source_name,
            on_batch=lambda total: print(f"  {total} cases copied", file=sys.stderr),
        )  # fmt: skip
    except MedragError as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return 1
    print(f"Copied {n} cases from {args.table} (embeddings: {LEGACY_EMBED_MODEL}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
