"""ef_search chosen on the archive's own vectors (sql/012), on the real embedded Postgres: isotropic random
vectors on a weak HNSW graph need a higher ef_search (or an exact scan) than low-rank ones, the choice is
recorded and used by ``knn`` and the SQL match functions, and MEDRAG_EF_SEARCH overrides it. Expected
neighbours come from numpy, never from the store."""

from __future__ import annotations

import io

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import CaseRecord, PostgresStore
from tests.fixtures.store_data import as_stored

MODEL = "tiny-test-model"
DIM = 256
N = 3000


def isotropic(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def low_rank(rng: np.random.Generator, n: int, rank: int = 4) -> np.ndarray:
    v = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, DIM)) + 0.01 * rng.standard_normal((n, DIM))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def fill(store: PostgresStore, vecs: np.ndarray) -> None:
    records = [CaseRecord(Case(case_id=f"c{i:05d}", source="s", findings=f"case {i}"), image_embedding=v,
                          text_embedding=v) for i, v in enumerate(vecs)]  # fmt: skip
    store.upsert(records, embed_model=MODEL)


def recall_at_10(store: PostgresStore, vecs: np.ndarray, picks: np.ndarray) -> float:
    """Mean recall@10 of ``store.knn`` with archive vectors as queries, own case left out, against numpy."""
    got = []
    stored = as_stored(vecs)  # the store keeps half precision (sql/014): the exact answer on those values
    for i in picks:
        want = [j for j in np.argsort(-(stored @ stored[i]), kind="stable")[:11] if j != i][:10]
        hits = [h.case.case_id for h in store.knn("image", vecs[i], 11, embed_model=MODEL)]
        found = [h for h in hits if h != f"c{i:05d}"][:10]
        got.append(len(set(found) & {f"c{j:05d}" for j in want}) / 10)
    return float(np.mean(got))


def test_isotropic_vectors_raise_the_choice_and_recall_meets_the_target(store: PostgresStore) -> None:
    vecs = isotropic(np.random.default_rng(1), N)
    fill(store, vecs)
    store.reindex(tune_queries=200)  # the default graph (m=16, ef_construction=64)
    choice = store.stats().ef_choice["image"]
    assert choice.queries == 200 and choice.rows_indexed == N and choice.ladder[0][0] == 40
    assert not choice.exact and choice.ef_search is not None and choice.ef_search > 40
    assert choice.recall >= 0.98 and choice.ladder[-1] == (choice.ef_search, choice.recall)
    picks = np.random.default_rng(7).choice(N, 100, replace=False)  # not the store's sample
    store.ef_search = 40
    low = recall_at_10(store, vecs, picks)
    store.ef_search = None  # as from Settings without MEDRAG_EF_SEARCH: the measured choice
    measured = recall_at_10(store, vecs, picks)
    assert low < 0.96 and measured >= 0.97, (low, measured)


def test_no_ef_search_reaching_the_target_searches_exactly(store: PostgresStore, pg_conninfo: str) -> None:
    vecs = isotropic(np.random.default_rng(2), N)
    fill(store, vecs)
    store.reindex(m=4, ef_construction=8, tune_queries=0)
    choices = store.tune_ef_search(queries=100, ladder=(10, 20))  # a cap no weak graph reaches
    assert set(choices) == {"image", "text"}
    choice = store.stats().ef_choice["image"]
    assert choice.exact and choice.ef_search is None and choice.recall < 0.98
    assert "exact scan" in choice.describe() and "larger m" in choice.describe()
    store.ef_search = None
    picks = np.random.default_rng(8).choice(N, 30, replace=False)
    assert recall_at_10(store, vecs, picks) == 1.0
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:  # the SQL match function too
        register_vector(conn)
        for i in picks[:10]:
            rows = conn.execute("SELECT case_id FROM image_match(%s, 11)", (vecs[i],)).fetchall()
            want = [f"c{j:05d}" for j in np.argsort(-(vecs @ vecs[i]), kind="stable")[:11]]
            assert [r[0] for r in rows][1:] == want[1:]  # [0] is the case itself (ties aside)
        # given an ef_search, the function uses the index with it: the weak graph misses neighbours
        found = [
            len({r[0] for r in conn.execute("SELECT case_id FROM image_match(%s, 10, ef_search => 10)",
                                             (vecs[i],))} & {f"c{j:05d}" for j in np.argsort(-(vecs @ vecs[i]))[:10]})
            for i in picks
        ]  # fmt: skip
        assert np.mean(found) / 10 < 0.9


def test_low_rank_vectors_need_only_the_lowest_ef_search(store: PostgresStore) -> None:
    vecs = low_rank(np.random.default_rng(3), N)
    fill(store, vecs)
    store.reindex(tune_queries=200)
    choice = store.stats().ef_choice["text"]
    assert choice.ef_search == 40 and not choice.exact and choice.recall >= 0.98 and len(choice.ladder) == 1
    store.drop_index()
    assert store.stats().ef_choice == {}


def test_medrag_ef_search_overrides_the_measured_choice(pg_settings: Settings) -> None:
    assert Settings().explicit_ef_search is None and Settings(ef_search=300).explicit_ef_search == 300
    assert Settings.load(env={"MEDRAG_EF_SEARCH": "77"}, secrets_path=None).explicit_ef_search == 77
    measured = pg_settings.model_copy(update={"ef_search": 300})
    with PostgresStore.from_settings(Settings(data_dir=pg_settings.data_dir)) as s:
        assert s.ef_search is None
    with PostgresStore.from_settings(measured) as s:
        assert s.ef_search == 300


def test_etl_stats_shows_the_measured_recall_and_choice(store: PostgresStore, pg_settings: Settings) -> None:
    from etl import commands

    fill(store, low_rank(np.random.default_rng(4), 500))
    store.reindex(tune_queries=50)
    out = io.StringIO()
    commands.stats(Settings(data_dir=pg_settings.data_dir), out=out)
    text = out.getvalue()
    assert "ef_search image: ef_search 40: recall@10 " in text and "on 50 of the archive's own vectors" in text
    assert "overrides" not in text
    out = io.StringIO()
    commands.stats(pg_settings, out=out)  # ef_search=100 given explicitly
    assert "MEDRAG_EF_SEARCH=100 overrides the measured choice" in out.getvalue()
