"""The store's contract: which capabilities each backend declares, the package face, and ``ef_search``
from Settings reaching both backends (PostgresStore per query, Supabase through the match functions)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import psycopg
import pytest

from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import (
    CaseReader,
    CaseRecord,
    CaseStore,
    CaseWriter,
    EmbeddingFill,
    IndexAdmin,
    PostgresStore,
    ProgressLog,
    ServerOwner,
    SourceAdmin,
    SqlFunctions,
    SupabaseStore,
    TermPruning,
    TextSearch,
    VectorSearch,
    open_store,
)
from tests.fixtures.fake_supabase import FakeSupabase

CAPABILITIES = (CaseReader, VectorSearch, TextSearch, CaseWriter, CaseStore, SqlFunctions, TermPruning, IndexAdmin,
                SourceAdmin, ProgressLog, ServerOwner, EmbeddingFill)  # fmt: skip


def test_postgres_declares_every_capability_and_supabase_the_case_store_only() -> None:
    assert [issubclass(PostgresStore, c) for c in CAPABILITIES] == [True] * 12
    assert {c.__name__ for c in CAPABILITIES if issubclass(SupabaseStore, c)} == {
        "CaseReader", "VectorSearch", "TextSearch", "CaseWriter", "CaseStore", "SqlFunctions"}  # fmt: skip
    # Declared, not only matching by shape: the protocols are in the classes' bases.
    assert CaseStore in PostgresStore.__mro__ and IndexAdmin in PostgresStore.__mro__
    assert CaseStore in SupabaseStore.__mro__ and ProgressLog not in SupabaseStore.__mro__


def test_store_face_loads_no_backend_until_asked() -> None:
    code = (
        "import sys, medrag_core.store as s\n"
        "assert 'psycopg' not in sys.modules and 'medrag_core.store.postgres' not in sys.modules\n"
        "assert 'medrag_core.store.supabase' not in sys.modules\n"
        "assert s.PostgresStore.__module__ == 'medrag_core.store.postgres'\n"
        "assert 'medrag_core.store.supabase' not in sys.modules\n"
        "try:\n    s.NoSuchName\nexcept AttributeError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "has no attribute 'NoSuchName'" in out


def test_ef_search_defaults_to_the_setting_and_follows_it(pg_conninfo: str, pg_settings: Settings) -> None:
    with PostgresStore(pg_conninfo) as plain:
        assert plain.ef_search == 300  # MEDRAG_EF_SEARCH's documented default
    with open_store(pg_settings.model_copy(update={"ef_search": 123})) as store:
        assert isinstance(store, PostgresStore) and store.ef_search == 123


def test_supabase_search_passes_ef_search_to_the_match_function(
    store: PostgresStore, fake_supabase: FakeSupabase
) -> None:
    settings = Settings(store_backend="supabase", supabase_url=fake_supabase.url,
                        supabase_key=fake_supabase.service_key, ef_search=57)  # fmt: skip
    rest = open_store(settings)
    assert isinstance(rest, SupabaseStore) and rest.ef_search == 57
    vecs = np.eye(3, 4, dtype=np.float32)
    rest.upsert([CaseRecord(Case(case_id=f"c{i}", source="t", findings="Clear lungs."), image_embedding=v)
                 for i, v in enumerate(vecs)], embed_model="m")  # fmt: skip
    fake_supabase.rpc_calls.clear()
    hits = rest.knn("image", vecs[1], 2, embed_model="m")
    assert [h.case.case_id for h in hits][0] == "c1"
    assert [(fn, args["ef_search"]) for fn, args in fake_supabase.rpc_calls] == [("image_match", 57)]
    rest.knn("image", vecs[1], 80, embed_model="m")  # k above ef_search: at least k candidates
    assert fake_supabase.rpc_calls[-1][1]["ef_search"] == 80
    rest.close()


@pytest.mark.parametrize("ef_search", [None, 0, 40, 5000])
def test_match_functions_take_ef_search_and_clamp_it(store: PostgresStore, pg_conninfo: str, ef_search: int) -> None:
    vecs = np.eye(3, 4, dtype=np.float32)
    store.upsert([CaseRecord(Case(case_id=f"c{i}", source="t"), text_embedding=v) for i, v in enumerate(vecs)],
                 embed_model="m")  # fmt: skip
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        conn.execute("SET hnsw.ef_search = 77")
        call = "SELECT case_id FROM {}(%s::vector, 1, ef_search => %s)"
        assert conn.execute(call.format("text_match"), ("[0,0,1,0]", ef_search)).fetchall() == [("c2",)]
        assert conn.execute(call.format("image_match"), ("[0,0,1,0]", ef_search)).fetchall() == []
        # The call's value (clamped to pgvector's 1..1000) does not leak into the session.
        assert conn.execute("SHOW hnsw.ef_search").fetchone()[0] == "77"
