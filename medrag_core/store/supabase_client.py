"""supabase-py plumbing for the Supabase store and the legacy import: the client, the wire formats
PostgREST uses for vectors and bytea, and the translation of its failures into ``StoreError``s.

Messages name the project URL and what was being done, never the key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import numpy as np

from medrag_core.errors import ConfigError, DimensionMismatch, MissingDependency, StoreError, StoreUnavailable

T = TypeVar("T")


def parse_vector(value: Any) -> np.ndarray | None:
    """PostgREST's ``"[0.1,0.2]"`` (or a JSON list) -> float32 array; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = json.loads(value)
    return np.asarray(value, dtype=np.float32)


def parse_bytea(value: str | None) -> bytes | None:
    """PostgREST's hex bytea ``"\\x0102"`` -> ``b"\\x01\\x02"``."""
    if value is None:
        return None
    if not value.startswith("\\x"):
        raise StoreError("Supabase returned bytea in an unexpected format (expected hex, bytea_output = 'hex').")
    return bytes.fromhex(value[2:])


def to_bytea(data: bytes | None) -> str | None:
    return None if data is None else "\\x" + data.hex()


def create_client(url: str, key: str, *, timeout_s: float = 30.0) -> Any:
    """A supabase-py client (imported lazily) with timeouts and without the library's silent retries."""
    try:
        import supabase
        from supabase.lib.client_options import SyncClientOptions
    except ImportError:
        raise MissingDependency("supabase", "The Supabase store (MEDRAG_STORE_BACKEND=supabase)") from None
    if not urlsplit(url).scheme.startswith("http") or not urlsplit(url).netloc:
        raise ConfigError("SUPABASE_URL must look like https://<project>.supabase.co.")
    options = SyncClientOptions(
        postgrest_client_timeout=timeout_s, storage_client_timeout=int(max(timeout_s, 1)), postgrest_client_retry=False
    )
    try:
        return supabase.create_client(url, key, options=options)
    except supabase.SupabaseException as exc:
        raise ConfigError(f"SUPABASE_URL or SUPABASE_KEY was refused by supabase-py: {exc.message}") from None


def call(url: str, action: str, fn: Callable[[], T]) -> T:
    """Run one request; translate transport and API failures into ``StoreError`` family errors."""
    import httpx
    from postgrest.exceptions import APIError
    from storage3.exceptions import StorageApiError

    try:
        return fn()
    except httpx.HTTPError as exc:
        raise StoreUnavailable(
            f"Could not reach Supabase at {url} to {action} ({type(exc).__name__}). "
            "Check SUPABASE_URL and the network; the project may be paused."
        ) from None
    except APIError as exc:
        raise api_error(action, exc.code, exc.message) from None
    except StorageApiError as exc:
        raise api_error(action, str(exc.status), exc.message) from None


def api_error(action: str, code: str | None, message: str | None) -> StoreError:
    """A PostgREST/Storage error code and message as the workbench's error (never echoing the key)."""
    code, message = code or "", (message or "").strip()
    if message == "Invalid API key" or code in ("PGRST301", "PGRST302"):
        return StoreUnavailable(f"Supabase refused SUPABASE_KEY while trying to {action}: check the key.")
    if code in ("42501", "401", "403"):
        return StoreError(
            f"The Supabase key may not {action} (row-level security). Writes need the service-role key; "
            "the anon key only reads and searches.",
            code="permission_denied",
        )
    if code in ("PGRST202", "PGRST204", "PGRST205", "42883", "42P01", "42703"):  # 42703/PGRST204: a column
        return StoreError(
            f"The Supabase project lacks a table, column or function needed to {action}: run the SQL files in sql/ "
            "in order (SQL editor, or python -m etl migrate --database-url ...).",
            code="schema_missing",
        )
    if "different vector dimensions" in message or ("expected" in message and "dimensions" in message):
        return DimensionMismatch(f"Could not {action}: the vectors' dimension differs from the store's.")
    if code.startswith(("08", "53", "57")) or code in ("503", "520", "PGRST000", "PGRST001", "PGRST002"):
        return StoreUnavailable(f"Supabase's database is unavailable; could not {action} ({code}).")
    # The server's message can quote row data: name the code only.
    return StoreError(f"Supabase refused to {action} (error {code or 'without a code'}).", code="db_error")
