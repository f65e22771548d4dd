"""The full-text list built from a report's affirmed findings, on the real embedded Postgres.

The archive's labels are written by hand here (as ETL stores them: the affirmed CheXpert-style names,
"No Finding" for a normal report), so the expected lists follow from the rules, not from the code.
"""

from __future__ import annotations

import numpy as np
import pytest

from medrag_core.models import Case
from medrag_core.reports import parse_report
from medrag_core.retrieval import FindingsQuery, findings_query, findings_search, retrieve
from medrag_core.settings import Settings
from medrag_core.store import CaseFilter, CaseRecord
from tests.fixtures.fake_supabase import fake_supabase_fixture  # noqa: F401 - fixture

MODEL = "test/findings-8"

# case_id: (findings, impression, labels, source)
ARCHIVE: dict[str, tuple[str, str, list[str], str]] = {
    "eff-small": ("Small left pleural effusion.", "Left effusion.", ["Pleural Effusion"], "a"),
    "eff-cardio": ("The heart is enlarged. Moderate right pleural effusion.", "Cardiomegaly and effusion.",
                   ["Cardiomegaly", "Pleural Effusion"], "a"),  # fmt: skip
    "no-eff": ("No pleural effusion. The lungs are clear.", "No acute disease.", ["No Finding"], "a"),
    "normal-b": ("Heart size is normal. The lungs are clear.", "Normal chest.", ["No Finding"], "b"),
    **{
        f"cardio-{i}": ("The heart is enlarged. No pleural effusion.", "Cardiomegaly.", ["Cardiomegaly"], "a")
        for i in range(5)
    },
}


@pytest.fixture
def archive(store):
    from medrag_core.retrieval.findings import clear_label_counts

    clear_label_counts()
    records = [
        CaseRecord(case=Case(case_id=cid, source=src, findings=f, impression=i, labels=labels))
        for cid, (f, i, labels, src) in ARCHIVE.items()
    ]
    store.upsert(records, embed_model=MODEL)
    yield store
    clear_label_counts()


def _query(text: str) -> FindingsQuery:
    return findings_query(parse_report(text))


def test_query_holds_affirmed_findings_only_never_negated_ones() -> None:
    q = _query("FINDINGS: Small left pleural effusion. No pneumothorax. Heart size is normal.\nIMPRESSION: Effusion.")
    assert q.labels == ("Pleural Effusion",)
    assert '"pleural effusion"' in q.text and "pneumothorax" not in q.text and "heart" not in q.text
    assert not q.normal


def test_normal_report_queries_the_normal_label() -> None:
    q = _query("FINDINGS: The lungs are clear. No pleural effusion or pneumothorax.\nIMPRESSION: No acute disease.")
    assert q.labels == ("No Finding",) and q.normal
    assert q.text == ""  # nothing but generic words of normal statements and negated findings
    # What the vocabulary has no name for still searches, from sentences that do not only rule out.
    low = _query("FINDINGS: Low lung volumes with bronchovascular crowding. No pleural effusion.\nIMPRESSION: Normal.")
    assert low.labels == ("No Finding",) and low.text == "low or volumes or bronchovascular or crowding"


def test_query_text_carries_no_query_syntax() -> None:
    q = _query('FINDINGS: Large "right" pneumothorax -or- (effusion) & ! | <-> :*\nIMPRESSION: Pneumothorax.')
    assert "Pneumothorax" in q.labels
    assert set(q.text) <= set('abcdefghijklmnopqrstuvwxyz0123456789 "')


def test_search_finds_cases_that_affirm_and_ranks_shared_and_rarer_findings_first(archive) -> None:
    q = _query("FINDINGS: The heart is enlarged. Small left pleural effusion.\nIMPRESSION: Cardiomegaly, effusion.")
    assert set(q.labels) == {"Cardiomegaly", "Pleural Effusion"}
    ids = [hit.case.case_id for hit in findings_search(archive, q, 20)]
    # The rarer finding (2 of 9 cases) first: the case with both findings leads the label list, the one
    # with the report's own words ("small left") the word list; then the common finding, which still
    # counts: every cardiomegaly case is found.
    assert sorted(ids[:2]) == ["eff-cardio", "eff-small"]
    assert set(ids[2:]) == {f"cardio-{i}" for i in range(5)}
    # "No pleural effusion" mentions the words, but negates the finding: never a match.
    assert "no-eff" not in ids and "normal-b" not in ids


def test_normal_query_finds_normal_cases_and_filters_apply(archive) -> None:
    q = _query("FINDINGS: The lungs are clear.\nIMPRESSION: Normal chest.")
    assert {hit.case.case_id for hit in findings_search(archive, q, 10)} == {"no-eff", "normal-b"}
    only_b = findings_search(archive, q, 10, where=CaseFilter(sources=("b",)))
    assert [hit.case.case_id for hit in only_b] == ["normal-b"]
    assert findings_search(archive, q, 0) == []
    assert findings_search(archive, FindingsQuery(labels=(), text=""), 10) == []


def test_retrieve_takes_a_findings_query_as_its_full_text_list(archive) -> None:
    q = _query("FINDINGS: Moderate right pleural effusion.\nIMPRESSION: Effusion.")
    matches = retrieve(archive, image_embedding=None, text_embedding=None, query_text=q,
                       settings=Settings(top_k=10), embed_model=MODEL)  # fmt: skip
    assert sorted(m.case.case_id for m in matches) == ["eff-cardio", "eff-small"]
    assert all(m.fts_score is not None and m.text_rank is not None for m in matches)
    assert [m.fused_rank for m in matches] == [1, 2]


def test_findings_list_fuses_with_the_text_embedding(archive) -> None:
    vec = np.zeros(8, dtype=np.float32)
    vec[0] = 1.0
    archive.upsert([CaseRecord(case=Case(case_id="vec-only", source="a", findings="Calcified granuloma.",
                                         labels=["Granuloma"]), text_embedding=vec)], embed_model=MODEL)  # fmt: skip
    q = _query("FINDINGS: Small left pleural effusion.\nIMPRESSION: Effusion.")
    matches = retrieve(archive, image_embedding=None, text_embedding=vec, query_text=q,
                       settings=Settings(top_k=10), embed_model=MODEL)  # fmt: skip
    ids = [m.case.case_id for m in matches]
    assert set(ids) == {"vec-only", "eff-small", "eff-cardio"}
    assert next(m for m in matches if m.case.case_id == "vec-only").fts_score is None


def _label_search_ids(store: object, labels: list[str], k: int, where: CaseFilter | None = None) -> set[str]:
    return {hit.case.case_id for hit in store.label_search(labels, k, where=where)}  # type: ignore[attr-defined]


def _check_label_search(store: object) -> None:
    assert _label_search_ids(store, ["Pleural Effusion"], 10) == {"eff-small", "eff-cardio"}
    assert _label_search_ids(store, ["Pleural Effusion", "Cardiomegaly"], 10) == {"eff-cardio"}
    assert len(_label_search_ids(store, ["Cardiomegaly"], 3)) == 3  # stops at k
    assert _label_search_ids(store, ["No Finding"], 10, CaseFilter(sources=("b",))) == {"normal-b"}
    assert _label_search_ids(store, ["Pneumothorax"], 10) == set()
    assert _label_search_ids(store, [], 10) == set() and _label_search_ids(store, ["Cardiomegaly"], 0) == set()


def test_label_search_postgres(archive) -> None:
    _check_label_search(archive)


def test_label_search_supabase_over_rest(archive, fake_supabase) -> None:
    from medrag_core.store.supabase import SupabaseStore

    rest = SupabaseStore(fake_supabase.url, fake_supabase.service_key)
    try:
        _check_label_search(rest)
        assert [h.score for h in rest.label_search(["Cardiomegaly"], 2)] == [1.0, 1.0]
    finally:
        rest.close()


def test_stats_count_cases_per_label_on_both_stores(archive, fake_supabase) -> None:
    from medrag_core.store.supabase import SupabaseStore

    mesh = Case(case_id="mesh", source="iu", findings="Enlarged heart.", labels=["Cardiomegaly", "MeSH: Cardiomegaly"])
    archive.upsert([CaseRecord(case=mesh)], embed_model=MODEL)
    expected = {"Cardiomegaly": 7, "MeSH: Cardiomegaly": 1, "No Finding": 2, "Pleural Effusion": 2}
    assert archive.stats().per_label == expected
    rest = SupabaseStore(fake_supabase.url, fake_supabase.service_key)
    try:
        assert rest.stats().per_label == expected
    finally:
        rest.close()


def test_an_archive_without_labels_is_still_searched_by_the_words(store) -> None:
    store.upsert([CaseRecord(case=Case(case_id="unlabelled", source="a", findings="Small left pleural effusion."))],
                 embed_model=MODEL)  # fmt: skip
    q = _query("FINDINGS: Small left pleural effusion.\nIMPRESSION: Effusion.")
    assert [hit.case.case_id for hit in findings_search(store, q, 10)] == ["unlabelled"]


def test_suspected_finding_is_searched_as_a_finding_not_as_a_normal_study() -> None:
    """Issue 21: "Borderline cardiomegaly" (uncertain) was searched among normal cases."""
    q = _query("FINDINGS: The heart is top normal in size. The lungs are clear.\n"
               "IMPRESSION: Borderline cardiomegaly without acute disease.")  # fmt: skip
    assert q.labels == ("Cardiomegaly",) and not q.normal
    assert '"borderline cardiomegaly"' in q.text
    both = _query("FINDINGS: Small left pleural effusion. Probable hiatal hernia.\nIMPRESSION: Effusion.")
    assert both.labels == ("Hiatal Hernia", "Pleural Effusion")


def test_suspected_finding_finds_the_cases_that_affirm_it(archive) -> None:
    q = _query("FINDINGS: Lungs are clear.\nIMPRESSION: Borderline cardiomegaly.")
    ids = {hit.case.case_id for hit in findings_search(archive, q, 20)}
    assert ids == {"eff-cardio"} | {f"cardio-{i}" for i in range(5)}


def test_normal_query_orders_normal_cases_by_the_words_the_vocabulary_has_no_name_for(archive) -> None:
    archive.upsert([CaseRecord(case=Case(case_id=cid, source="a", findings=f, impression="No acute disease.",
                                         labels=["No Finding"]))
                    for cid, f in (("low-volumes", "Low lung volumes. The lungs are clear."),
                                   ("spine", "Degenerative changes of the spine. The lungs are clear."))],
                   embed_model=MODEL)  # fmt: skip
    q = _query("FINDINGS: Low lung volumes. No pleural effusion.\nIMPRESSION: No acute disease.")
    assert q.normal and q.text == "low or volumes"
    ids = [hit.case.case_id for hit in findings_search(archive, q, 10)]
    # The one normal case sharing the words leads; the other normal cases follow (the label list fills up).
    assert ids[0] == "low-volumes"
    assert set(ids) == {"low-volumes", "spine", "no-eff", "normal-b"}
    assert [hit.case.case_id for hit in findings_search(archive, q, 1)] == ["low-volumes"]


def test_word_list_pruning_is_scaled_by_the_share_of_the_label_it_searches_within(archive) -> None:
    """The word list ranks only the cases of the rarest label: ``max_df`` is divided by that label's share
    of the archive (a word in 10% of the archive is 33% of a label carried by 30%), capped at 1."""
    seen: list[float | None] = []

    class Spy:
        def __getattr__(self, name: str) -> object:
            return getattr(archive, name)

        def text_search(self, query: str, k: int, *, where: CaseFilter | None = None,
                        max_df: float | None = None) -> list:  # fmt: skip
            seen.append(max_df)
            return archive.text_search(query, k, where=where, max_df=max_df)

    normal = _query("FINDINGS: Low lung volumes.\nIMPRESSION: No acute disease.")
    findings_search(Spy(), normal, 10, max_df=0.05)  # "No Finding": 2 of 9 cases
    effusion = _query("FINDINGS: Small left pleural effusion.\nIMPRESSION: Effusion.")
    findings_search(Spy(), effusion, 10, max_df=0.5)  # "Pleural Effusion": 2 of 9, 0.5 / (2/9) > 1
    findings_search(Spy(), effusion, 10)  # no pruning asked: none passed
    assert seen[0] == pytest.approx(0.05 * 9 / 2) and seen[1:] == [1.0, None]
