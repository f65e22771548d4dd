"""bench.relevance's judges: relevance from MeSH headings, P@10, nDCG@10 and the paired bootstrap, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.relevance import bootstrap_diff, jaccard, ndcg_at_k, precision_at_k, relevant

NORMAL = frozenset({"MeSH: Normal"})
CARDIO = frozenset({"MeSH: Cardiomegaly"})
CARDIO_EFF = frozenset({"MeSH: Cardiomegaly", "MeSH: Pleural Effusion"})
EFF = frozenset({"MeSH: Pleural Effusion"})


def test_relevance_shares_a_heading_or_both_normal() -> None:
    assert relevant(CARDIO, CARDIO_EFF) and relevant(CARDIO_EFF, EFF)
    assert not relevant(CARDIO, EFF) and not relevant(CARDIO, NORMAL) and not relevant(NORMAL, CARDIO)
    assert relevant(NORMAL, NORMAL)
    assert jaccard(CARDIO, CARDIO_EFF) == 0.5 and jaccard(NORMAL, CARDIO) == 0.0


def test_precision_counts_missing_results_as_not_relevant() -> None:
    labels = {"a": CARDIO_EFF, "b": EFF, "c": NORMAL}
    assert precision_at_k(CARDIO, ["a", "b", "c"], labels) == pytest.approx(0.1)
    assert precision_at_k(EFF, ["a", "b"], labels) == pytest.approx(0.2)
    assert precision_at_k(EFF, [], labels) == 0.0


def test_ndcg_grades_by_jaccard_against_the_ideal_order() -> None:
    labels = {"a": CARDIO_EFF, "b": CARDIO}
    ideal = np.array([1.0, 0.5])
    # the ideal order scores 1; swapped: (0.5 + 1/log2(3)) / (1 + 0.5/log2(3))
    assert ndcg_at_k(CARDIO, ["b", "a"], labels, ideal) == pytest.approx(1.0)
    swapped = (0.5 + 1.0 / math.log2(3)) / (1.0 + 0.5 / math.log2(3))
    assert ndcg_at_k(CARDIO, ["a", "b"], labels, ideal) == pytest.approx(swapped)
    assert ndcg_at_k(CARDIO, ["a"], labels, np.array([0.0])) == 0.0


def test_paired_bootstrap_of_a_constant_difference_is_that_constant() -> None:
    rng = np.random.default_rng(0)
    a = np.array([0.5, 0.7, 0.9, 0.1])
    assert bootstrap_diff(a, a - 0.2, 200, rng) == pytest.approx((0.2, 0.2, 0.2))
    mean, lo, hi = bootstrap_diff(np.array([1.0, 0.0] * 50), np.zeros(100), 500, rng)
    assert mean == pytest.approx(0.5) and lo < 0.5 < hi and hi - lo < 0.3
