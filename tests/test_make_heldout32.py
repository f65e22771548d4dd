"""Tests for the blind held-out set generator no. 32 (long, complex sentences)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout32 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
HAVE = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and \
    (SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not HAVE, reason=f"shared data (MEDRAG_SHARED_DIR) not found at {SHARED}")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    d = tmp_path_factory.mktemp("h32")
    out = {}
    for name, seed in (("a", 3301), ("b", 3301), ("c", 3302)):
        p = d / f"{name}.jsonl"
        assert gen.main([str(p), "--seed", str(seed)]) == 0
        out[name] = p.read_bytes()
    return out


def _lines(b):
    return [json.loads(x) for x in b.decode().splitlines()]


def test_counts_and_fields(runs):
    rows = _lines(runs["a"])
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(runs):
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_no_dev_uid_used(runs):
    dev = {json.loads(x)["uid"] for x in open(SHARED / "eval" / "report_errors_dev.jsonl") if x.strip()}
    for r in _lines(runs["a"]) + _lines(runs["c"]):
        if "(IU " in r["detail"]:
            uid = r["detail"].rsplit("(IU ", 1)[1].rstrip(")")
            assert uid not in dev


def test_half_composed_half_iu(runs):
    rows = _lines(runs["a"])
    for k in [None] + gen.KINDS:
        grp = [r for r in rows if r["injected"] == k]
        assert sum("(IU " in r["detail"] for r in grp) == len(grp) // 2
        composed = [r for r in grp if "(IU " not in r["detail"]]
        assert not any("XXXX" in r["report"] for r in composed)


def test_missing_shared_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
