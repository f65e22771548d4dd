"""Case stores: capability protocols, the shared record types, and ``open_store``, the factory.

``open_store(settings)`` returns the backend ``settings.store_backend`` names. The backends and their
tools (``PostgresStore``, ``SupabaseStore``, ``EmbeddedPostgres``, ``apply_migrations``, ...) are also
importable from here; they load on first use, so importing this package pulls in neither psycopg nor
supabase-py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from medrag_core.store.base import (
    BINARY_LADDER,
    DEFAULT_BINARY_CANDIDATES,
    EF_LADDER,
    EF_RECALL_TARGET,
    EXACT_FILTER_MAX_ROWS,
    INDEX_METHODS,
    CaseFilter,
    CaseReader,
    CaseRecord,
    CaseStore,
    CaseWriter,
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
    TextSearch,
    VectorSearch,
)

if TYPE_CHECKING:
    from medrag_core.settings import Settings
    from medrag_core.store.embedded import EmbeddedPostgres, embedded_server
    from medrag_core.store.migrations import apply_migrations
    from medrag_core.store.pg_sql import CASE_COLS, KnnPlan, index_name, knn_sql, query_alternatives, set_knn_plan
    from medrag_core.store.postgres import PostgresStore
    from medrag_core.store.supabase import SupabaseStore, parse_bytea, parse_vector, to_bytea

# name -> the module that defines it, imported on first access (PEP 562)
_LAZY = {
    "PostgresStore": "postgres",
    "SupabaseStore": "supabase",
    "parse_bytea": "supabase",
    "parse_vector": "supabase",
    "to_bytea": "supabase",
    "EmbeddedPostgres": "embedded",
    "embedded_server": "embedded",
    "apply_migrations": "migrations",
    "CASE_COLS": "pg_sql",
    "KnnPlan": "pg_sql",
    "index_name": "pg_sql",
    "knn_sql": "pg_sql",
    "set_knn_plan": "pg_sql",
    "query_alternatives": "pg_sql",
}


def open_store(settings: Settings) -> CaseStore:
    """The store that ``settings.store_backend`` names, configured from ``settings`` (``ef_search``, ...)."""
    if settings.store_backend == "supabase":
        from medrag_core.store.supabase import SupabaseStore

        return SupabaseStore.from_settings(settings)
    from medrag_core.store.postgres import PostgresStore

    return PostgresStore.from_settings(settings)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BINARY_LADDER",
    "DEFAULT_BINARY_CANDIDATES",
    "EXACT_FILTER_MAX_ROWS",
    "EF_LADDER",
    "EF_RECALL_TARGET",
    "INDEX_METHODS",
    "EfChoice",
    "CaseFilter",
    "CaseReader",
    "CaseRecord",
    "CaseStore",
    "CaseWriter",
    "EmbeddingFill",
    "IndexAdmin",
    "IngestProgress",
    "ParallelReads",
    "ProgressLog",
    "ScoredCase",
    "ServerOwner",
    "SourceAdmin",
    "SqlFunctions",
    "StoreStats",
    "TermPruning",
    "TextSearch",
    "VectorSearch",
    "open_store",
    "PostgresStore",
    "SupabaseStore",
    "parse_bytea",
    "parse_vector",
    "to_bytea",
    "EmbeddedPostgres",
    "embedded_server",
    "apply_migrations",
    "CASE_COLS",
    "KnnPlan",
    "index_name",
    "knn_sql",
    "set_knn_plan",
    "query_alternatives",
]
