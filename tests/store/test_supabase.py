"""What only SupabaseStore does, through supabase-py against a fake Supabase (PostgREST + Storage) on the
REAL embedded Postgres: the wire format, request batching, Storage buckets, errors. The ``CaseStore``
contract both backends share runs in tests/store/test_case_store.py (``any_store``).
"""

from __future__ import annotations

import hashlib
import re
import sys

import numpy as np
import pytest

from medrag_core.errors import ConfigError, MissingDependency, StoreUnavailable
from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import CaseRecord, CaseStore, open_store
from medrag_core.store.postgres import PostgresStore
from medrag_core.store.supabase import SupabaseStore, parse_bytea, parse_vector, to_bytea
from medrag_core.store.supabase_client import api_error
from tests.fixtures.fake_supabase import FakeSupabase, make_key
from tests.fixtures.store_data import DIM, MODEL, as_stored, make_records, unit


def test_wire_format_rpc_upsert_and_parsing(rest_store: SupabaseStore, fake_supabase: FakeSupabase) -> None:
    rest_store.batch_size = 7
    records, img, _ = make_records(20, images=True)
    assert rest_store.upsert(records, embed_model=MODEL) == 20
    posts = [p for m, p, _ in fake_supabase.requests if m == "POST" and p.startswith("/rest/v1/cases")]
    assert len(posts) == 3 and all("on_conflict=case_id" in p and "columns=" in p for p in posts)
    image_posts = [p for m, p, _ in fake_supabase.requests if m == "POST" and p.startswith("/rest/v1/images")]
    assert len(image_posts) == 1 and "on_conflict=sha256" in image_posts[0]
    assert ("POST", "/rest/v1/rpc/medrag_bind_model", "service_role") in fake_supabase.requests
    fake_supabase.requests.clear()
    hits = rest_store.knn("image", img[5], 3, embed_model=MODEL)
    assert hits[0].case.case_id == "c0005" and abs(hits[0].score - 1.0) < 1e-3  # half precision
    paths = [p for _, p, _ in fake_supabase.requests]
    assert "/rest/v1/rpc/image_match" in paths and any(p.startswith("/rest/v1/cases?select=") for p in paths)
    assert not any(re.search(r"[=,]image_embedding(,|&|$)", p) for p in paths)  # reads never pull vectors
    # Re-upserting the same images sends no image bytes again.
    fake_supabase.requests.clear()
    rest_store.upsert(records[:3], embed_model=MODEL)
    assert not [p for m, p, _ in fake_supabase.requests if m == "POST" and p.startswith("/rest/v1/images")]


def test_parsers() -> None:
    assert np.array_equal(parse_vector("[0.5,-1,2e-05]"), np.array([0.5, -1, 2e-05], np.float32))
    assert parse_vector(None) is None and parse_bytea(None) is None
    assert parse_bytea(to_bytea(b"\x00\xffpng")) == b"\x00\xffpng" and to_bytea(b"\x01") == "\\x01"


def test_request_size_batching(rest_store: SupabaseStore, fake_supabase: FakeSupabase) -> None:
    rest_store.max_request_bytes = 4096  # each 64+64-d row is about 3 KB of JSON: one row per request
    rest_store.upsert(make_records(5)[0], embed_model=MODEL)
    posts = [p for m, p, _ in fake_supabase.requests if m == "POST" and p.startswith("/rest/v1/cases")]
    assert len(posts) == 5 and rest_store.count() == 5


def test_images_in_a_storage_bucket(store: PostgresStore, fake_supabase: FakeSupabase) -> None:
    fake_supabase.create_bucket("case-images")
    s = SupabaseStore(fake_supabase.url, fake_supabase.service_key, image_bucket="case-images")
    records = make_records(4, images=True)[0]
    assert s.upsert(records, embed_model=MODEL) == 4
    sha = hashlib.sha256(b"png-bytes-2").hexdigest()
    assert fake_supabase.buckets["case-images"]["objects"][sha][0] == b"png-bytes-2"
    assert s.get_image(sha) == b"png-bytes-2" and s.get_image("0" * 64) is None
    assert s.get(["c0002"])[0].image_sha256 == sha
    anon = SupabaseStore(fake_supabase.url, fake_supabase.anon_key, image_bucket="case-images")
    assert anon.get_image(sha) is None  # private bucket: hidden from the anon key, as on Supabase


def test_stats_and_extras_over_rest(rest_store: SupabaseStore, store: PostgresStore) -> None:
    records, _, txt = make_records(9, images=True)
    rest_store.upsert(records, embed_model=MODEL)
    stats = rest_store.stats()
    assert (stats.total_cases, stats.with_image, stats.with_image_embedding, stats.dimension) == (9, 9, 9, DIM)
    assert stats.per_source == {"alpha": 3, "beta": 3, "gamma": 3} and stats.embed_model == MODEL
    assert stats.index_state == {"image": "none (exact scan)", "text": "none (exact scan)"}
    store.reindex()
    assert rest_store.stats().index_state["text"].startswith("hnsw")
    assert np.array_equal(rest_store.get_embedding("c0004", "text"), as_stored(txt[4]))
    assert rest_store.get_embedding("zz", "text") is None
    assert rest_store.get_thumbnail("c0001") == b"thumb" and rest_store.existing_ids(["c0001", "q"]) == {"c0001"}


def test_open_store_picks_supabase(fake_supabase: FakeSupabase, store: PostgresStore) -> None:
    settings = Settings(store_backend="supabase", supabase_url=fake_supabase.url, supabase_key=fake_supabase.anon_key)
    s = open_store(settings)
    assert isinstance(s, SupabaseStore) and isinstance(s, CaseStore)
    assert s.stats().total_cases == 0
    assert s.image_bucket is None
    bucketed = Settings.load(env={"MEDRAG_STORE_BACKEND": "supabase", "SUPABASE_URL": fake_supabase.url,
                                  "SUPABASE_KEY": fake_supabase.anon_key, "MEDRAG_SUPABASE_IMAGE_BUCKET": "xrays"},
                             secrets_path=None)
    assert open_store(bucketed).image_bucket == "xrays"
    with pytest.raises(ConfigError, match="SUPABASE_URL and SUPABASE_KEY"):
        open_store(Settings(store_backend="supabase"))


def test_unreachable_or_refused_is_store_unavailable_without_key(fake_supabase: FakeSupabase) -> None:
    secret = make_key("service_role") + "-s3cr3t"
    with pytest.raises(StoreUnavailable) as info:
        SupabaseStore("http://127.0.0.1:1", secret, timeout_s=3).stats()
    assert "s3cr3t" not in str(info.value) and "127.0.0.1:1" in info.value.user_message
    with pytest.raises(StoreUnavailable, match="refused SUPABASE_KEY") as info:
        SupabaseStore(fake_supabase.url, "not-a-key-s3cr3t").get(["a"])
    assert "s3cr3t" not in str(info.value)


def test_missing_supabase_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "supabase", None)
    with pytest.raises(MissingDependency, match="pip install supabase"):
        SupabaseStore("http://127.0.0.1:1", "key")


def test_text_only_case_replaces_embedded_one(rest_store: SupabaseStore) -> None:
    rest_store.upsert(make_records(2)[0], embed_model=MODEL)
    rest_store.upsert([CaseRecord(Case(case_id="c0001", source="beta", findings="Now text only."))], embed_model=MODEL)
    (case,) = rest_store.get(["c0001"])
    assert case.findings == "Now text only." and not case.has_image_embedding and case.embed_model is None
    hits = rest_store.knn("image", unit(np.random.default_rng(1), 1)[0], 5, embed_model=MODEL)
    assert [h.case.case_id for h in hits] == ["c0000"]


def test_metadata_over_rest_and_a_missing_column_names_the_migrations(
    rest_store: SupabaseStore, fake_supabase: FakeSupabase
) -> None:
    records, img, _ = make_records(2)
    records[0].case.metadata = {"license": "CC BY-NC-ND 4.0", "source_url": "https://example.org/x.png"}
    rest_store.upsert(records, embed_model=MODEL)
    fake_supabase.requests.clear()
    anon = SupabaseStore(fake_supabase.url, fake_supabase.anon_key)  # the app's key reads provenance too
    assert [c.metadata for c in anon.get(["c0000", "c0001"])] == [records[0].case.metadata, {}]
    assert anon.knn("image", img[0], 1, embed_model=MODEL)[0].case.metadata["license"] == "CC BY-NC-ND 4.0"
    assert any(p.startswith("/rest/v1/cases?select=") and "metadata" in p for _, p, _ in fake_supabase.requests)
    anon.close()
    for code in ("42703", "PGRST204"):  # a project that has not run sql/005 yet
        err = api_error("read cases", code, "column cases.metadata does not exist")
        assert err.code == "schema_missing" and "sql/" in err.user_message


def test_unexpected_postgrest_errors_name_the_code_not_the_message() -> None:
    """The server's message can quote row data (a report sentence in a check-constraint failure)."""
    err = api_error("store cases", "23514", 'new row violates check constraint: "Left pleural effusion"')
    assert err.code == "db_error" and "23514" in err.user_message
    assert "pleural" not in err.user_message


def test_hybrid_lists_go_out_at_once_over_rest(rest_store: SupabaseStore, store: PostgresStore,
                                               fake_supabase: FakeSupabase) -> None:
    """Over REST each list is a round trip: the hybrid sends them at once (the fake server is threaded), and
    gets the answer it gets one after another."""
    import threading

    from medrag_core.retrieval import retrieve
    from medrag_core.store import ParallelReads
    from tests.fixtures.crafted_archive import E0, E1, crafted_records
    from tests.fixtures.crafted_archive import MODEL as CRAFTED_MODEL

    store.upsert(crafted_records(), embed_model=CRAFTED_MODEL)
    assert isinstance(rest_store, ParallelReads)
    gate = threading.Barrier(3, timeout=30)  # one after another, the first list would wait here for ever

    class Gated:
        max_parallel_reads = 3

        def __init__(self, gated: bool) -> None:
            self.gated = gated

        def __getattr__(self, name: str):
            return getattr(rest_store, name)

        def knn(self, *args, **kw):
            if self.gated:
                gate.wait()
            return rest_store.knn(*args, **kw)

        def text_search(self, *args, **kw):
            if self.gated:
                gate.wait()
            return rest_store.text_search(*args, **kw)

    def hybrid(s: object) -> list[tuple]:
        got = retrieve(s, image_embedding=E0, text_embedding=E1, query_text="pneumothorax",  # type: ignore[arg-type]
                       settings=Settings(top_k=10), embed_model=CRAFTED_MODEL)  # fmt: skip
        return [(m.case.case_id, m.image_rank, m.text_rank, m.fused_rank) for m in got]

    class OneByOne(Gated):
        max_parallel_reads = 1

    side_by_side = hybrid(Gated(True))
    assert side_by_side and side_by_side == hybrid(OneByOne(False)) == hybrid(rest_store)
