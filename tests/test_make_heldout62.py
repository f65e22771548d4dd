"""Tests for the blind held-out generator bench/make_heldout62.py."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data/iu_reports/NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval/report_errors_dev.jsonl").exists(),
    reason="shared IU data / dev set not available (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    from bench import make_heldout62 as m

    d = tmp_path_factory.mktemp("h62")
    paths = {}
    for name, seed in [("a", 6301), ("b", 6301), ("c", 6302)]:
        paths[name] = d / f"{name}.jsonl"
        m.main([str(paths[name]), "--seed", str(seed)])
    return paths


def rows(p):
    return [json.loads(line) for line in p.read_text().splitlines()]


def test_counts_and_fields(generated):
    data = rows(generated["a"])
    assert len(data) == 400
    assert Counter(r["injected"] for r in data) == {
        None: 200,
        "missing_section": 40,
        "laterality_conflict": 40,
        "negation_conflict": 40,
        "impression_omits_finding": 40,
        "placeholder": 40,
    }
    for r in data:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    assert len({r["id"] for r in data}) == 400
    assert not any(k in r["id"] for r in data for k in ("missing", "later", "negat", "omit", "placeh"))


def test_deterministic_per_seed(generated):
    assert generated["a"].read_bytes() == generated["b"].read_bytes()
    assert generated["a"].read_bytes() != generated["c"].read_bytes()


def test_no_dev_uid_used(generated):
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval/report_errors_dev.jsonl")}
    for p in (generated["a"], generated["c"]):
        used = [r["detail"].rsplit("(IU ", 1)[1].rstrip(")") for r in rows(p) if "(IU " in r["detail"]]
        assert len(used) == 200
        assert not set(used) & dev


def test_half_composed_and_no_placeholder_in_clean(generated):
    data = rows(generated["a"])
    for kind in {r["injected"] for r in data}:
        group = [r for r in data if r["injected"] == kind]
        assert sum("(IU " in r["detail"] for r in group) == len(group) // 2
    for r in data:
        if r["injected"] != "placeholder":
            assert "***" not in r["report"] and "[right/left]" not in r["report"]
        if "(IU " not in r["detail"]:
            assert "XXXX" not in r["report"]
