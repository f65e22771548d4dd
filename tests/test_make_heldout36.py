"""Tests for bench/make_heldout36.py (blind held-out set: impressions written as clinical diagnoses)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout36 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason="shared IU archive / dev set not found (set MEDRAG_SHARED_DIR)",
)


def _run(tmp_path, seed, name="out.jsonl"):
    out = tmp_path / name
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    assert gen.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_and_fields(tmp_path):
    rows = [json.loads(x) for x in _run(tmp_path, 3701).read_text().splitlines()]
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    assert all(c[k] == 40 for k in gen.KINDS)
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["injected"] is None or r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(tmp_path):
    a = _run(tmp_path, 3702, "a.jsonl").read_bytes()
    b = _run(tmp_path, 3702, "b.jsonl").read_bytes()
    c = _run(tmp_path, 3703, "c.jsonl").read_bytes()
    assert a == b
    assert a != c


def test_no_dev_uid_used():
    rows = gen.build(SHARED, 3701)
    _, dev = gen.load_iu(SHARED)
    srcs = [r["_src"] for r in rows]
    assert not (set(srcs) & dev)
    assert sum(s == "composed" for s in srcs) == 200


def test_ids_do_not_reveal_kind(tmp_path):
    rows = [json.loads(x) for x in _run(tmp_path, 3701).read_text().splitlines()]
    for r in rows:
        assert not any(k in r["id"] for k in ["missing", "later", "negat", "omit", "place", "clean"])


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
