"""Filtered kNN (sql/016, ``set_knn_plan``) on the real embedded Postgres: a filter keeping at most
``EXACT_FILTER_MAX_ROWS`` rows is answered exactly, a broader one through the HNSW index, alike in
``PostgresStore`` and in the SQL match function the Supabase store calls. Since sql/017 the rows are
counted only where the per-filter counts of the last refresh, less the rows removed since, do not
already prove the filter broad; stale counts then lead to a count, never to the index.

The archive is built so that the index path demonstrably misses: the queries sit in a crowd of
unlabelled cases, the rare label's cases lie on the far side, and the iterative index scan is held to
a few tuples (``hnsw.max_scan_tuples``; ef_search 10), so it gives up before it reaches them, as at a
million cases it gives up before it has found all the true neighbours. Expected neighbours come from numpy.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector
from psycopg.conninfo import make_conninfo

from medrag_core.models import Case
from medrag_core.store import EXACT_FILTER_MAX_ROWS, CaseFilter, CaseRecord, PostgresStore, knn_sql, set_knn_plan
from tests.fixtures.store_data import as_stored

MODEL = "tiny-test-model"
DIM = 32
NEAR = 1500  # unlabelled cases around the queries
# label "Rare", on the far side: within the exact scan's limit, yet enough of the table that the planner
# alone would walk the HNSW index for it (as it did before sql/016)
RARE = EXACT_FILTER_MAX_ROWS
# label "Broad" (the rare cases too): more than an exact scan is allowed, and enough that the planner
# prefers the HNSW index to sorting them all
BROAD = 5 * EXACT_FILTER_MAX_ROWS
SCAN_TUPLES = 100  # hnsw.max_scan_tuples: the iterative scan stops after about this many
RARE_ONLY = CaseFilter(labels=("Rare",))
BROAD_ONLY = CaseFilter(labels=("Broad",))
MATCH_ARGS = "p_kind text, p_query halfvec, p_match_count integer, p_sources text[], p_views text[], " \
             "p_labels text[], p_ef_search integer"  # fmt: skip


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def archive(rng: np.random.Generator) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """(vectors, labels per case, queries): near cases around +c, the labelled ones around -c."""
    c = _unit(rng.standard_normal((1, DIM)))[0]
    near = _unit(c + 0.3 * rng.standard_normal((NEAR, DIM)))
    far = _unit(-c + 0.6 * rng.standard_normal((BROAD, DIM)))
    vecs = np.concatenate([near, far])
    labels = [[] for _ in range(NEAR)] + [["Broad", "Rare"] if i < RARE else ["Broad"] for i in range(BROAD)]
    queries = _unit(c + 0.3 * rng.standard_normal((5, DIM)))
    return vecs, labels, queries


def fill(store: PostgresStore, vecs: np.ndarray, labels: list[list[str]]) -> None:
    store.upsert([CaseRecord(Case(case_id=f"c{i:05d}", source="s", view="PA", labels=lab), image_embedding=v)
                  for i, (v, lab) in enumerate(zip(vecs, labels, strict=True))], embed_model=MODEL)  # fmt: skip
    store.reindex(kinds=("image",), tune_queries=0)


def exact_ids(vecs: np.ndarray, labels: list[list[str]], q: np.ndarray, label: str, k: int = 10) -> list[str]:
    """numpy's top-k among the cases holding ``label``, on the values as stored (halfvec)."""
    scores = as_stored(vecs) @ as_stored(q[None])[0]
    scores = np.where([label in lab for lab in labels], scores, -np.inf)
    return [f"c{j:05d}" for j in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture
def held_store(store: PostgresStore, pg_conninfo: str) -> Iterator[PostgresStore]:
    """A second PostgresStore on the same database whose sessions stop the iterative index scan early."""
    conninfo = make_conninfo(pg_conninfo, options=f"-c hnsw.max_scan_tuples={SCAN_TUPLES}")
    with PostgresStore(conninfo, ef_search=10, migrate=False) as held:
        yield held


def test_a_rare_filter_returns_the_exact_top_k_where_the_index_misses(store: PostgresStore,
                                                                      held_store: PostgresStore) -> None:  # fmt: skip
    vecs, labels, queries = archive(np.random.default_rng(31))
    fill(store, vecs, labels)
    for q in queries:
        want = exact_ids(vecs, labels, q, "Rare")
        hits = held_store.knn("image", q, 10, embed_model=MODEL, where=RARE_ONLY)
        assert [h.case.case_id for h in hits] == want
        assert all("Rare" in h.case.labels for h in hits)
        # the same filter with a source and a view (all cases share them): still a rare filter
        both = CaseFilter(sources=("s",), views=("PA",), labels=("Rare",))
        assert [h.case.case_id for h in held_store.knn("image", q, 10, embed_model=MODEL, where=both)] == want


def test_a_broad_filter_goes_through_the_index(store: PostgresStore, held_store: PostgresStore,
                                               pg_conninfo: str) -> None:  # fmt: skip
    vecs, labels, queries = archive(np.random.default_rng(32))
    fill(store, vecs, labels)
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        register_vector(conn)
        with conn.transaction():
            plan = set_knn_plan(conn, None, "image", 10, BROAD_ONLY)
            # the counts of the refresh (reindex) prove it broad: not counted again (sql/017)
            assert not plan.exact and plan.floor_rows == BROAD and plan.filtered_rows is None
            params = {"q": queries[0], "k": 10}
            text = "\n".join(r[0] for r in conn.execute("EXPLAIN " + knn_sql("image", BROAD_ONLY, params, plan),
                                                        params))  # fmt: skip
            assert "cases_image_embedding_hnsw" in text
        with conn.transaction():
            rare = set_knn_plan(conn, None, "image", 10, RARE_ONLY)
            assert rare.exact and rare.filtered_rows == RARE
            params = {"q": queries[0], "k": 10}
            text = "\n".join(r[0] for r in conn.execute("EXPLAIN " + knn_sql("image", RARE_ONLY, params, rare),
                                                        params))  # fmt: skip
            assert "cases_image_embedding_hnsw" not in text and "cases_labels_idx" in text
        with conn.transaction():
            assert set_knn_plan(conn, None, "image", 10).filtered_rows is None  # no filter, no probe
    # Through the held index scan the broad filter misses true neighbours (the crowd of unlabelled cases
    # around the queries uses up its tuples): the index, not an exact scan, answered it.
    got = [[h.case.case_id for h in held_store.knn("image", q, 10, embed_model=MODEL, where=BROAD_ONLY)]
           for q in queries]  # fmt: skip
    assert got != [exact_ids(vecs, labels, q, "Broad") for q in queries]


BROAD_ONLY_IDS = range(NEAR + RARE, NEAR + BROAD)  # the "Broad" cases without "Rare"


def cases_read(conn: psycopg.Connection) -> int:
    """Scans of ``cases`` so far in this transaction (sequential and index)."""
    row = conn.execute("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"
                       " WHERE relname = 'cases'").fetchone()  # fmt: skip
    return 0 if row is None else int(row[0])


def test_the_count_runs_only_where_the_floor_allows_an_exact_scan(store: PostgresStore, pg_conninfo: str) -> None:
    vecs, labels, _ = archive(np.random.default_rng(34))
    fill(store, vecs, labels)  # reindex refreshes the counts
    later = _unit(np.random.default_rng(35).standard_normal((3 * EXACT_FILTER_MAX_ROWS // 2, DIM)))
    store.upsert([CaseRecord(Case(case_id=f"n{i:05d}", source="s", view="PA", labels=["Later"]), image_embedding=v)
                  for i, v in enumerate(later)], embed_model=MODEL)  # fmt: skip
    cases = [  # filter, its floor, counted rows (None: not counted), exact
        (BROAD_ONLY, BROAD, None, False),
        (CaseFilter(sources=("s",), views=("PA",), labels=("Broad",)), BROAD, None, False),  # all - all + Broad
        (RARE_ONLY, RARE, RARE, True),
        (CaseFilter(views=("PA",), labels=("Rare",)), RARE, RARE, True),
        (CaseFilter(labels=("Broad", "Rare")), BROAD + RARE - NEAR - BROAD, RARE, True),  # Bonferroni: 500
        # inserted after the refresh: no floor, so counted (and broad; inserts never lower a floor)
        (CaseFilter(labels=("Later",)), 0, EXACT_FILTER_MAX_ROWS + 1, False),
        (CaseFilter(sources=("elsewhere",)), 0, 0, True),
    ]
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        register_vector(conn)
        for where, floor, counted, exact in cases:
            with conn.transaction():
                before = cases_read(conn)
                plan = set_knn_plan(conn, None, "image", 10, where)
                read = cases_read(conn) - before
            assert (plan.floor_rows, plan.filtered_rows, plan.exact) == (floor, counted, exact), where
            assert (read > 0) == (counted is not None), where  # skipped: the table was not read at all
        # the SQL function computes the floor the plan reads
        assert conn.execute("SELECT medrag_filter_floor('image', NULL, NULL, ARRAY['Broad'])").fetchone()[0] == BROAD
    store.truncate_all()
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM filter_stats").fetchone()[0] == 0  # no floor until the next refresh


@pytest.mark.parametrize("removal", ["relabelled by an upsert", "deleted", "embedding dropped"])
def test_stale_counts_make_the_plan_count_not_skip(store: PostgresStore, held_store: PostgresStore,
                                                    pg_conninfo: str, removal: str) -> None:  # fmt: skip
    """Counted when "Broad" had 10,000 rows; 8,000 leave it without a refresh, so it now keeps 2,000
    (those also labelled "Rare", on the far side): the stale counts still prove 10,000, the removals
    tallied since bring the floor to 2,000, so the rows are counted and the answer is exact."""
    vecs, labels, queries = archive(np.random.default_rng(36))
    fill(store, vecs, labels)
    gone = list(BROAD_ONLY_IDS)
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        if removal == "relabelled by an upsert":  # as a re-ingest with new labels (INSERT ... ON CONFLICT)
            store.upsert([CaseRecord(Case(case_id=f"c{i:05d}", source="s", view="PA", labels=[]),
                                     image_embedding=vecs[i]) for i in gone], embed_model=MODEL)  # fmt: skip
        elif removal == "deleted":
            conn.execute("DELETE FROM cases WHERE case_id = ANY(%s)", ([f"c{i:05d}" for i in gone],))
        else:
            conn.execute("UPDATE cases SET image_embedding = NULL WHERE case_id = ANY(%s)",
                         ([f"c{i:05d}" for i in gone],))  # fmt: skip
        stale = conn.execute("SELECT rows FROM filter_stats WHERE kind = 'image' AND field = 'label'"
                             " AND value = 'Broad'").fetchone()[0]  # fmt: skip
        assert stale == BROAD  # the counts were not refreshed
        register_vector(conn)
        with conn.transaction():
            plan = set_knn_plan(conn, None, "image", 10, BROAD_ONLY)
        assert (plan.floor_rows, plan.filtered_rows, plan.exact) == (RARE, RARE, True)
    now = [[] if i in set(gone) else lab for i, lab in enumerate(labels)]
    for q in queries[:3]:
        want = exact_ids(vecs, now, q, "Broad")
        assert [h.case.case_id for h in held_store.knn("image", q, 10, embed_model=MODEL, where=BROAD_ONLY)] == want
    # a refresh counts again: the floor is then the count itself, and is still counted (at most the threshold)
    store.analyze()
    with psycopg.connect(pg_conninfo, autocommit=True) as conn, conn.transaction():
        plan = set_knn_plan(conn, None, "image", 10, BROAD_ONLY)
        assert (plan.floor_rows, plan.filtered_rows, plan.exact) == (RARE, RARE, True)


FILTER_FUNCTIONS = ("medrag_filter_floor", "medrag_filter_count")


def function_calls(conn: psycopg.Connection) -> dict[str, int]:
    """Calls of the sql/017 functions this session has not yet reported (so compare two readings)."""
    rows = conn.execute("SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE funcname = ANY(%s)",
                        (list(FILTER_FUNCTIONS),)).fetchall()  # fmt: skip
    return {name: int(calls) for name, calls in rows}


@pytest.fixture
def held_match_function(pg_conninfo: str) -> Iterator[None]:
    """medrag_vector_match with the iterative index scan stopped early (a setting of the function)."""
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        conn.execute(f"ALTER FUNCTION medrag_vector_match({MATCH_ARGS}) SET hnsw.max_scan_tuples = {SCAN_TUPLES}")
    try:
        yield
    finally:
        with psycopg.connect(pg_conninfo, autocommit=True) as conn:
            conn.execute(f"ALTER FUNCTION medrag_vector_match({MATCH_ARGS}) RESET hnsw.max_scan_tuples")


def test_the_match_function_follows_the_same_rule(store: PostgresStore, rest_store: object, pg_conninfo: str,
                                                  held_match_function: None) -> None:  # fmt: skip
    vecs, labels, queries = archive(np.random.default_rng(33))
    fill(store, vecs, labels)
    rest_store.ef_search = 10  # type: ignore[attr-defined]
    for q in queries[:3]:
        want = exact_ids(vecs, labels, q, "Rare")
        hits = rest_store.knn("image", q, 10, embed_model=MODEL, where=RARE_ONLY)  # type: ignore[attr-defined]
        assert [h.case.case_id for h in hits] == want
    broad = [[h.case.case_id for h in rest_store.knn("image", q, 10, embed_model=MODEL,  # type: ignore[attr-defined]
                                                     where=BROAD_ONLY)] for q in queries]  # fmt: skip
    assert broad != [exact_ids(vecs, labels, q, "Broad") for q in queries]  # the held index scan, as the store's
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        register_vector(conn)
        rows = conn.execute("SELECT case_id FROM image_match(%s, 10, filter_labels => %s, ef_search => 10)",
                            (queries[1], ["Rare"])).fetchall()  # fmt: skip
        assert [r[0] for r in rows] == exact_ids(vecs, labels, queries[1], "Rare")
        # the function's threshold is the store's
        body = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'medrag_vector_match'").fetchone()[0]
        assert f"max_rows constant integer := {EXACT_FILTER_MAX_ROWS};" in body
        # the count runs for the rare filter only (the refresh's counts prove the broad one broad)
        for label, calls in (("Broad", 0), ("Rare", 1)):
            with conn.transaction():
                conn.execute("SET LOCAL track_functions = 'all'")
                before = function_calls(conn)
                conn.execute("SELECT case_id FROM image_match(%s, 10, filter_labels => %s)", (queries[0], [label]))
                after = function_calls(conn)
            assert {f: after.get(f, 0) - before.get(f, 0) for f in FILTER_FUNCTIONS} == {
                "medrag_filter_floor": 1, "medrag_filter_count": calls}, label  # fmt: skip


@pytest.mark.parametrize("removal", ["relabelled", "deleted"])
def test_the_match_function_counts_where_the_counts_are_stale(store: PostgresStore, rest_store: object,
                                                              pg_conninfo: str, held_match_function: None,
                                                              removal: str) -> None:  # fmt: skip
    """As ``test_stale_counts_make_the_plan_count_not_skip``, through the Supabase store's REST call:
    the removals (here by SQL, as any writer) are tallied by the triggers whoever writes."""
    vecs, labels, queries = archive(np.random.default_rng(37))
    fill(store, vecs, labels)
    ids = [f"c{i:05d}" for i in BROAD_ONLY_IDS]
    with psycopg.connect(pg_conninfo, autocommit=True) as conn:
        if removal == "relabelled":
            conn.execute("UPDATE cases SET labels = '{}' WHERE case_id = ANY(%s)", (ids,))
        else:
            conn.execute("DELETE FROM cases WHERE case_id = ANY(%s)", (ids,))
    rest_store.ef_search = 10  # type: ignore[attr-defined]
    now = [[] if f"c{i:05d}" in set(ids) else lab for i, lab in enumerate(labels)]
    for q in queries[:3]:
        hits = rest_store.knn("image", q, 10, embed_model=MODEL, where=BROAD_ONLY)  # type: ignore[attr-defined]
        assert [h.case.case_id for h in hits] == exact_ids(vecs, now, q, "Broad")
