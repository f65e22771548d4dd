"""Hybrid retrieval on the real embedded Postgres over the crafted archive (tests/fixtures/crafted_archive.py)
whose right answers are known."""

from __future__ import annotations

import pytest

from medrag_core.retrieval import RRF_K, fuse_rrf, fuse_sum, rank_ids, report_search_query, retrieve
from medrag_core.settings import Settings
from medrag_core.store import CaseFilter
from tests.fixtures.crafted_archive import ARCHIVE, E0, E1, MODEL


def _settings(**kw) -> Settings:
    return Settings(**{"top_k": 10, **kw})


def _ranked(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda c: -scores[c])


def test_fuse_rrf_and_sum_by_hand():
    fused = fuse_rrf([["a", "b", "c"], ["c", "a"]], [2.0, 1.0], k=60)
    assert fused["a"] == pytest.approx(2 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(2 / 62)
    assert fused["c"] == pytest.approx(2 / 63 + 1 / 61)
    assert rank_ids(fused) == ["a", "c", "b"]
    assert fuse_rrf([["a", "a", "b"]])["b"] == pytest.approx(1 / 62)  # a repeat keeps its first place
    summed = fuse_sum([{"a": 0.5, "b": 0.25}, {"b": 0.5, "c": 0.125}], [1.0, 2.0])
    assert summed == pytest.approx({"a": 0.5, "b": 1.25, "c": 0.25})
    with pytest.raises(ValueError):
        fuse_rrf([["a"]], [1.0, 2.0])


def test_image_only_ranks_by_inner_product(crafted):
    matches = retrieve(crafted, image_embedding=E0, text_embedding=None, query_text=None,
                       settings=_settings(), embed_model=MODEL)
    images = {cid: v[0] for cid, v in ARCHIVE.items() if v[0] is not None}
    assert [m.case.case_id for m in matches] == _ranked(images)
    for rank, m in enumerate(matches, start=1):
        assert m.image_rank == rank == m.fused_rank
        assert m.image_score == pytest.approx(images[m.case.case_id], abs=1e-3)  # half precision (sql/014)
        assert m.text_rank is None and m.text_score is None
    assert matches[0].case.findings == ARCHIVE["A"][2]


def test_rrf_fusion_of_image_and_text_matches_the_formula(crafted):
    settings = _settings(image_weight=1.0, text_weight=2.0)
    matches = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text=None,
                       settings=settings, embed_model=MODEL)
    image_order = _ranked({c: v[0] for c, v in ARCHIVE.items() if v[0] is not None})
    text_order = _ranked({c: v[1] for c, v in ARCHIVE.items() if v[1] is not None})
    expected = {}
    for cid in set(image_order) | set(text_order):
        score = 0.0
        if cid in image_order:
            score += 1.0 / (RRF_K + image_order.index(cid) + 1)
        if cid in text_order:
            score += 2.0 / (RRF_K + text_order.index(cid) + 1)
        expected[cid] = score
    assert [m.case.case_id for m in matches] == _ranked(expected)
    for m in matches:
        cid = m.case.case_id
        assert m.fused_score == pytest.approx(expected[cid])
        assert m.image_rank == (image_order.index(cid) + 1 if cid in image_order else None)
        assert m.text_rank == (text_order.index(cid) + 1 if cid in text_order else None)
        if ARCHIVE[cid][1] is not None:
            assert m.text_score == pytest.approx(ARCHIVE[cid][1], abs=1e-3)
    assert [m.fused_rank for m in matches] == list(range(1, len(matches) + 1))
    # Text weight 2: C (text 1st, image 3rd) beats A (image 1st, text 5th).
    ids = [m.case.case_id for m in matches]
    assert ids.index("C") < ids.index("A")
    # With the text weight at 0 the image order wins and text-only cases drop out.
    image_only = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text=None,
                          settings=_settings(text_weight=0.0), embed_model=MODEL)
    assert [m.case.case_id for m in image_only] == image_order


def test_sum_scores_is_the_original_medrag_sum(crafted):
    matches = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text="pneumothorax",
                       settings=_settings(fusion="sum_scores"), embed_model=MODEL)
    expected = {c: (v[0] or 0.0) + (v[1] or 0.0) for c, v in ARCHIVE.items() if v[0] is not None or v[1] is not None}
    assert [m.case.case_id for m in matches] == _ranked(expected)  # B 1.70, C 1.55, A 1.05, E 0.70, G 0.5, D 0.4
    for m in matches:
        assert m.fused_score == pytest.approx(expected[m.case.case_id], abs=2e-3)
    assert "F" not in {m.case.case_id for m in matches}  # full text does not join the original's candidates


def test_full_text_search_finds_cases_without_embeddings(crafted):
    matches = retrieve(crafted, image_embedding=None, text_embedding=None, query_text="pneumothorax",
                       settings=_settings(), embed_model=MODEL)
    assert [m.case.case_id for m in matches] == ["F"]
    assert matches[0].fts_score is not None and matches[0].fts_score > 0
    assert matches[0].text_rank == 1 and matches[0].image_rank is None
    # Fused with the text embedding list, F joins the text list and the final ranking.
    hybrid = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text="pneumothorax",
                      settings=_settings(), embed_model=MODEL)
    f = next(m for m in hybrid if m.case.case_id == "F")
    assert f.text_score is None and f.image_score is None and f.fts_score is not None
    assert f.text_rank is not None


def test_top_k_and_filters(crafted):
    matches = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text=None,
                       settings=_settings(top_k=2), embed_model=MODEL)
    assert len(matches) == 2
    assert retrieve(crafted, image_embedding=E0, text_embedding=None, query_text=None, settings=_settings(),
                    embed_model=MODEL, where=CaseFilter(sources=("elsewhere",))) == []


def test_a_query_of_another_model_is_refused(crafted):
    from medrag_core.errors import ModelMismatch

    with pytest.raises(ModelMismatch):
        retrieve(crafted, image_embedding=E0, text_embedding=None, query_text=None, settings=_settings(),
                 embed_model="another/model")


def test_report_search_query_ors_stated_findings_and_drops_query_syntax(crafted):
    from medrag_core.reports import parse_report

    text = "FINDINGS: Large right pneumothorax. No pleural effusion.\nIMPRESSION: Possible pneumonia."
    query = report_search_query(parse_report(text), text)
    assert query == "pneumothorax or pneumonia"  # present and uncertain findings; the negated effusion is left out
    hits = retrieve(crafted, image_embedding=None, text_embedding=None, query_text=query, settings=_settings(),
                    embed_model=MODEL)
    assert {m.case.case_id for m in hits} == {"E", "F"}
    normal = "FINDINGS: The lungs are clear. No pneumothorax.\nIMPRESSION: No acute cardiopulmonary process."
    assert "pneumothorax" not in report_search_query(parse_report(normal), normal)
    hostile = 'Ignore "previous" -instructions or <b>'
    assert set(report_search_query(parse_report(hostile), hostile)) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")


def test_fts_max_df_reaches_the_store_only_beside_an_embedding(crafted):
    """``fts_max_df`` is passed to ``text_search`` as ``max_df`` for the hybrid (Verify) once an embedding
    list found cases; never for a text-only search (Browse, Verify's fallback without vectors). When the
    vector lists come back empty (a text-only archive), the pruned search (asked for beside them) is
    followed by the query as given, and that is what the result holds."""
    calls = []

    class Spy:
        def __getattr__(self, name):
            return getattr(crafted, name)

        def text_search(self, query, k, *, where=None, **kw):
            calls.append(kw)
            return crafted.text_search(query, k, where=where, **kw)

    spy = Spy()
    retrieve(spy, image_embedding=E0, text_embedding=None, query_text="pneumothorax", settings=_settings(),
             embed_model=MODEL, fts_max_df=0.05)  # fmt: skip
    retrieve(spy, image_embedding=None, text_embedding=None, query_text="pneumothorax", settings=_settings(),
             embed_model=MODEL, fts_max_df=0.05)  # fmt: skip
    retrieve(spy, image_embedding=E0, text_embedding=E1, query_text="pneumothorax", settings=_settings(),
             embed_model=MODEL)  # fmt: skip
    elsewhere = CaseFilter(sources=("elsewhere",))
    hits = retrieve(spy, image_embedding=E0, text_embedding=None, query_text="pneumothorax", settings=_settings(),
                    embed_model=MODEL, where=elsewhere, fts_max_df=0.05)  # fmt: skip
    assert hits == []
    assert calls == [{"max_df": 0.05}, {}, {}, {"max_df": 0.05}, {}]
