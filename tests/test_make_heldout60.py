"""Tests for bench/make_heldout60.py (the blind ICU/HDU portable held-out set)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout60 as mh

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
HAVE = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not HAVE, reason="shared IU archive / dev set not found (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    out = tmp_path_factory.mktemp("h60") / "a.jsonl"
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    assert mh.main([str(out), "--seed", "6101"]) == 0
    return out.read_bytes(), [json.loads(x) for x in out.read_text().splitlines()]


def test_counts_and_fields(rows):
    _, data = rows
    assert len(data) == 400
    c = Counter(r["injected"] for r in data)
    assert c[None] == 200 and all(c[k] == 40 for k in mh.KINDS)
    for r in data:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in data}) == 400


def test_determinism(rows, tmp_path):
    raw, _ = rows
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    mh.main([str(a), "--seed", "6101"])
    mh.main([str(b), "--seed", "6102"])
    assert a.read_bytes() == raw
    assert b.read_bytes() != raw


def test_no_dev_uid(rows):
    _, data = rows
    dev = {json.loads(x)["uid"] for x in open(SHARED / "eval" / "report_errors_dev.jsonl") if x.strip()}
    pool = {r["uid"] for r in mh.load_iu(SHARED)}
    assert not pool & dev
    used = [r["detail"].rsplit("[iu ", 1)[1].split(",")[0] for r in data if "[iu " in r["detail"]]
    assert len(used) == 200 and len(set(used)) == 200
    assert not set(used) & dev
    for r in data:
        assert "CXR" not in r["id"]


def test_half_composed_and_no_xxxx_in_composed(rows):
    _, data = rows
    for kind in [None] + mh.KINDS:
        grp = [r for r in data if r["injected"] == kind]
        comp = [r for r in grp if "[composed," in r["detail"]]
        assert len(comp) * 2 == len(grp)
        assert not any("XXXX" in r["report"] for r in comp)


def test_missing_env_exits_2(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert mh.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
