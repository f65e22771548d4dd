"""The retrieval tests' fixtures: the crafted archive (tests/fixtures/crafted_archive.py) in the real
embedded Postgres."""

from __future__ import annotations

import pytest

from medrag_core.store import PostgresStore
from tests.fixtures.crafted_archive import MODEL, crafted_records


@pytest.fixture
def crafted(store: PostgresStore) -> PostgresStore:
    store.upsert(crafted_records(), embed_model=MODEL)
    return store
