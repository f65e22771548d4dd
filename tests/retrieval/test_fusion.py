"""Retrieval, the function behind the performance headline, tested directly: fusion order and weights,
filters on every list, full-text pruning at the retrieval level, and the one model-mismatch fallback.

Expected orders are written out by hand from the crafted archive (tests/fixtures/crafted_archive.py:
image similarity A .95 > B .80 > C .60 > D .40 > G .20; text similarity C .95 > B .90 > E .70 > G .30
> A .10; F has no embedding), never computed with the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from medrag_core.errors import DimensionMismatch, ModelMismatch
from medrag_core.models import Case
from medrag_core.retrieval import fuse_rrf, rank_ids, retrieve, retrieve_or_text_only, search_text
from medrag_core.retrieval import neighbours as case_neighbours
from medrag_core.settings import Settings
from medrag_core.store import CaseFilter, CaseRecord, PostgresStore
from tests.fixtures.crafted_archive import E0, E1, MODEL, unit_vector

IMAGE_ORDER = ["A", "B", "C", "D", "G"]
TEXT_ORDER = ["C", "B", "E", "G", "A"]


def settings(**kw: object) -> Settings:
    return Settings(**{"top_k": 10, **kw})


def ids(matches: list) -> list[str]:
    return [m.case.case_id for m in matches]


# -- fusion: order and weights ----------------------------------------------------------------------


def test_equal_weights_tie_breaks_by_the_better_single_rank_then_id() -> None:
    fused = fuse_rrf([["a", "b"], ["b", "a"]])
    assert fused["a"] == fused["b"]
    assert rank_ids(fused) == ["a", "b"]  # no tiebreak given: by id
    assert rank_ids(fused, {"b": 1, "a": 2}) == ["b", "a"]
    assert rank_ids({"x": 0.5, "y": 0.5, "z": 0.5}, {"z": 1}) == ["z", "x", "y"]  # missing tiebreaks go last


def test_a_heavier_list_decides_the_order() -> None:
    rankings = [["a", "b"], ["b", "a"]]
    assert rank_ids(fuse_rrf(rankings, [1.0, 1.5])) == ["b", "a"]
    assert rank_ids(fuse_rrf(rankings, [1.5, 1.0])) == ["a", "b"]
    assert fuse_rrf(rankings, [0.0, 1.0]) == pytest.approx({"a": 1 / 62, "b": 1 / 61})


def test_image_only_and_text_only_fusions(crafted: PostgresStore) -> None:
    by_image = retrieve(crafted, image_embedding=E0, text_embedding=None, query_text=None, settings=settings(),
                        embed_model=MODEL)  # fmt: skip
    assert ids(by_image) == IMAGE_ORDER
    by_text = retrieve(crafted, image_embedding=None, text_embedding=E1, query_text=None, settings=settings(),
                       embed_model=MODEL)  # fmt: skip
    assert ids(by_text) == TEXT_ORDER
    assert [m.fused_score for m in by_text] == pytest.approx([1 / 61, 1 / 62, 1 / 63, 1 / 64, 1 / 65])


def test_equal_weights_rrf_order(crafted: PostgresStore) -> None:
    # B: 1/62 + 1/62 = .03226; C: 1/63 + 1/61 = .03227; A: 1/61 + 1/65; G: 1/65 + 1/64; D: 1/64; E: 1/63.
    matches = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text=None, settings=settings(),
                       embed_model=MODEL)  # fmt: skip
    assert ids(matches) == ["C", "B", "A", "G", "E", "D"]
    assert matches[0].fused_score == pytest.approx(1 / 63 + 1 / 61)


def test_image_weight_zero_keeps_the_text_order_and_drops_image_only_cases(crafted: PostgresStore) -> None:
    matches = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text=None,
                       settings=settings(image_weight=0.0), embed_model=MODEL)  # fmt: skip
    assert ids(matches) == TEXT_ORDER  # D (image only) scores 0 and is left out
    assert matches[0].image_rank == 3  # C is third by image; the rank is still reported


def test_top_k_cuts_the_fused_list(crafted: PostgresStore) -> None:
    matches = retrieve(crafted, image_embedding=E0, text_embedding=E1, query_text=None, settings=settings(),
                       embed_model=MODEL, k=3)  # fmt: skip
    assert ids(matches) == ["C", "B", "A"] and [m.fused_rank for m in matches] == [1, 2, 3]
    assert retrieve(crafted, image_embedding=E0, text_embedding=None, query_text=None, settings=settings(),
                    embed_model=MODEL, k=0) == []  # fmt: skip


# -- filters reach every list ----------------------------------------------------------------------


@pytest.fixture
def labelled(store: PostgresStore) -> PostgresStore:
    """Four cases at known image / text similarity, with sources, views and labels to filter on."""
    rows = [  # case_id, source, view, labels, image sim, text sim, findings
        ("p1", "alpha", "PA", ["effusion"], 0.9, 0.9, "Small left pleural effusion."),
        ("p2", "beta", "AP", ["effusion", "cardiomegaly"], 0.8, 0.8, "Effusion and an enlarged heart."),
        ("p3", "alpha", "LATERAL", ["pneumothorax"], 0.7, 0.7, "Apical pneumothorax."),
        ("p4", "beta", "PA", [], None, None, "Pleural effusion, text only."),
    ]
    store.upsert([
        CaseRecord(Case(case_id=cid, source=src, view=view, labels=labels, findings=text),
                   image_embedding=None if img is None else unit_vector(0, img, 10 + i),
                   text_embedding=None if txt is None else unit_vector(1, txt, 30 + i))
        for i, (cid, src, view, labels, img, txt, text) in enumerate(rows)
    ], embed_model=MODEL)  # fmt: skip
    return store


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (None, {"p1", "p2", "p3", "p4"}),
        (CaseFilter(sources=("alpha",)), {"p1", "p3"}),
        (CaseFilter(views=("PA",)), {"p1", "p4"}),
        (CaseFilter(views=("AP", "LATERAL")), {"p2", "p3"}),
        (CaseFilter(labels=("effusion",)), {"p1", "p2"}),
        (CaseFilter(labels=("effusion", "cardiomegaly")), {"p2"}),  # all of the labels
        (CaseFilter(sources=("beta",), views=("PA",)), {"p4"}),
        (CaseFilter(sources=("gamma",)), set()),
    ],
)
def test_a_filter_applies_to_the_image_text_and_full_text_lists(
    labelled: PostgresStore, where: CaseFilter | None, expected: set[str]
) -> None:
    matches = retrieve(labelled, image_embedding=E0, text_embedding=E1, query_text="effusion or pneumothorax",
                       settings=settings(), embed_model=MODEL, where=where)  # fmt: skip
    assert set(ids(matches)) == expected


# -- full-text pruning at the retrieval level ------------------------------------------------------


@pytest.fixture
def common_words_archive(store: PostgresStore) -> PostgresStore:
    """1,200 cases that all say the same normal things, one with a rare finding and an image vector;
    ANALYZE'd, so the store can tell common terms (in more than 5% and 500 cases) from rare ones."""
    records = [
        CaseRecord(Case(case_id=f"n{i:04d}", source="alpha",
                        findings="The lungs are clear. Heart size is normal. No pleural effusion."))
        for i in range(1_200)
    ]  # fmt: skip
    records[5] = CaseRecord(
        Case(case_id="n0005", source="alpha", findings="The lungs are clear. Free air: pneumoperitoneum."),
        image_embedding=unit_vector(0, 0.9, 10),
    )
    store.upsert(records, embed_model=MODEL)
    store.analyze()
    return store


def test_pruning_applies_only_beside_an_embedding_hit(common_words_archive: PostgresStore) -> None:
    store = common_words_archive
    common = "lungs or heart or clear"
    # Beside the image list, an all-common query ranks nothing by full text: the image hit alone.
    hybrid = retrieve(store, image_embedding=E0, text_embedding=None, query_text=common, settings=settings(),
                      embed_model=MODEL, fts_max_df=0.05)  # fmt: skip
    assert ids(hybrid) == ["n0005"] and hybrid[0].fts_score is None
    # A rare term survives the pruning and is still found by full text.
    rare = retrieve(store, image_embedding=E0, text_embedding=None, query_text=common + " or pneumoperitoneum",
                    settings=settings(), embed_model=MODEL, fts_max_df=0.05)  # fmt: skip
    assert ids(rare) == ["n0005"] and rare[0].fts_score is not None and rare[0].text_rank == 1
    # Without an embedding (Browse, the mismatch fallback) the query is searched as given.
    text_only = retrieve(store, image_embedding=None, text_embedding=None, query_text=common, settings=settings(),
                         embed_model=MODEL, fts_max_df=0.05)  # fmt: skip
    assert len(text_only) == 10


def test_negations_and_stop_words_alone_are_pruned(common_words_archive: PostgresStore) -> None:
    store = common_words_archive
    assert store.prune_query("-clear or the or pneumoperitoneum", 0.05) == "pneumoperitoneum"
    assert store.prune_query('"free air" or lungs', 0.05) == '"free air"'  # a phrase is as rare as its rarest word
    assert store.prune_query("", 0.05) == ""


# -- the model-mismatch fallback (Verify and Browse) -----------------------------------------------


def test_matching_model_no_fallback(crafted: PostgresStore) -> None:
    matches, mismatch = retrieve_or_text_only(crafted, image_embedding=E0, text_embedding=E1, query_text=None,
                                              settings=settings(), embed_model=MODEL)  # fmt: skip
    assert mismatch is None and ids(matches) == ["C", "B", "A", "G", "E", "D"]


@pytest.mark.parametrize(
    ("image", "model", "error"),
    [(E0, "another/model", ModelMismatch), (np.ones(8, np.float32) / np.sqrt(8), MODEL, DimensionMismatch)],
)
def test_another_model_or_size_falls_back_to_full_text(
    crafted: PostgresStore, image: np.ndarray, model: str, error: type
) -> None:
    with pytest.raises(error):
        retrieve(crafted, image_embedding=image, text_embedding=None, query_text="pneumothorax", settings=settings(),
                 embed_model=model)  # fmt: skip
    matches, mismatch = retrieve_or_text_only(crafted, image_embedding=image, text_embedding=None,
                                              query_text="pneumothorax", settings=settings(), embed_model=model)
    assert isinstance(mismatch, error) and ids(matches) == ["F"]
    assert matches[0].image_rank is None and matches[0].fts_score is not None


class TextTowerStub:
    """An embedder that maps every text to e1 (the crafted text query), under a given model name."""

    dim, resize_mode, image_size = 64, "tf_bilinear", 448

    def __init__(self, name: str) -> None:
        self.name = name

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.stack([E1 for _ in texts])


def test_browse_text_search_falls_back_to_full_text_for_another_model(crafted: PostgresStore) -> None:
    assert ids(search_text(crafted, TextTowerStub("another/model"), settings(), "pneumothorax")) == ["F"]
    assert ids(search_text(crafted, TextTowerStub(MODEL), settings(), "pneumothorax", k=3)) == ["C", "F", "B"]
    assert ids(search_text(crafted, None, settings(), "effusion or congestion", k=2)) == ["B", "C"]


def test_neighbours_leave_the_case_itself_out(crafted: PostgresStore) -> None:
    (b,) = crafted.get(["B"])
    # By text embedding: C, B, E, G, A; B's own report is found by full text only for B.
    near = case_neighbours(crafted, TextTowerStub(MODEL), settings(top_k=3), b)
    assert ids(near) == ["C", "E", "G"]
