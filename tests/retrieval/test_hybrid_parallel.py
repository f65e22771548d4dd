"""The hybrid's candidate lists run side by side on a store that serves parallel calls, with the same
answer as one after another, and errors still reach the caller."""

from __future__ import annotations

import threading

import pytest

from medrag_core.errors import StoreUnavailable
from medrag_core.reports import parse_report
from medrag_core.retrieval import FTS_MAX_DF, findings_query, retrieve
from medrag_core.settings import Settings
from medrag_core.store import ParallelReads, PostgresStore
from tests.fixtures.crafted_archive import E0, E1, MODEL


class _Store:
    """The crafted store, declaring ``parallel`` calls at once; ``gate`` (when set) is waited on by every
    vector and full-text search, so a search that runs alone never gets past it."""

    def __init__(self, inner: PostgresStore, parallel: int, gate: threading.Barrier | None = None) -> None:
        self.inner, self.max_parallel_reads, self.gate = inner, parallel, gate
        self.threads: set[str] = set()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def _enter(self) -> None:
        self.threads.add(threading.current_thread().name)
        if self.gate is not None:
            self.gate.wait()

    def knn(self, *args, **kw):
        self._enter()
        return self.inner.knn(*args, **kw)

    def text_search(self, *args, **kw):
        self._enter()
        return self.inner.text_search(*args, **kw)


def _hybrid(store, query) -> list[tuple]:
    matches = retrieve(store, image_embedding=E0, text_embedding=E1, query_text=query,
                       settings=Settings(top_k=10), embed_model=MODEL, fts_max_df=FTS_MAX_DF)  # fmt: skip
    return [(m.case.case_id, m.image_rank, m.text_rank, m.fts_score, m.fused_rank) for m in matches]


def test_the_three_lists_run_at_once(crafted):
    # Each list waits at a barrier of three: run one after another, the first would wait for ever (BrokenBarrier).
    gated = _Store(crafted, parallel=3, gate=threading.Barrier(3, timeout=30))
    assert isinstance(gated, ParallelReads)
    assert _hybrid(gated, "pneumothorax")
    assert len(gated.threads) == 3


@pytest.mark.parametrize("report", [
    "FINDINGS: Large right pneumothorax. No pleural effusion.\nIMPRESSION: Right pneumothorax.",
    "FINDINGS: The lungs are clear.\nIMPRESSION: No acute cardiopulmonary process.",
])
def test_side_by_side_gives_the_answer_of_one_after_another(crafted, report):
    query = findings_query(parse_report(report))
    one_by_one = _Store(crafted, parallel=1)
    side_by_side = _Store(crafted, parallel=3)
    assert _hybrid(side_by_side, query) == _hybrid(one_by_one, query)
    assert _hybrid(side_by_side, "pneumothorax") == _hybrid(one_by_one, "pneumothorax")
    assert len(one_by_one.threads) == 1 and len(side_by_side.threads) > 1


def test_a_failing_list_fails_the_search(crafted):
    class Down(_Store):
        def text_search(self, *args, **kw):
            raise StoreUnavailable("the database is down")

    with pytest.raises(StoreUnavailable, match="down"):
        _hybrid(Down(crafted, parallel=3), "pneumothorax")
