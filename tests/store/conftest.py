"""Store fixtures: ``any_store`` runs a test against both backends on the same real Postgres."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from medrag_core.store import CaseStore, PostgresStore, SupabaseStore
from tests.fixtures.fake_supabase import FakeSupabase


@pytest.fixture
def rest_store(store: PostgresStore, fake_supabase: FakeSupabase) -> Iterator[SupabaseStore]:
    """The REST store (service-role key) over the fake PostgREST, on the tables ``store`` just emptied."""
    fake_supabase.requests.clear()
    fake_supabase.rpc_calls.clear()
    s = SupabaseStore(fake_supabase.url, fake_supabase.service_key, ef_search=store.ef_search)
    yield s
    s.close()


@pytest.fixture(params=["postgres", "supabase"])
def any_store(request: pytest.FixtureRequest, store: PostgresStore) -> CaseStore:
    """Each backend in turn, on one database (``store``, the PostgresStore, can set up and inspect it)."""
    if request.param == "postgres":
        return store
    return request.getfixturevalue("rest_store")
