"""Tests for bench/make_heldout41.py (blind held-out set: segmental and lobar anatomy)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout41 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data/iu_reports/NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval/report_errors_dev.jsonl").exists(),
    reason="shared data (MEDRAG_SHARED_DIR or ../shared) with the IU archive and dev set is absent")


def _run(tmp_path, monkeypatch, seed, name):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / name
    assert gen.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_fields_and_determinism(tmp_path, monkeypatch):
    a = _run(tmp_path, monkeypatch, 4201, "a.jsonl")
    b = _run(tmp_path, monkeypatch, 4201, "b.jsonl")
    c = _run(tmp_path, monkeypatch, 4202, "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in gen.KINDS:
        assert counts[kind] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400
    iu = Counter(r["injected"] for r in rows if "[IU CXR" in r["detail"])
    assert iu[None] == 100 and all(iu[k] == 20 for k in gen.KINDS)


def test_no_dev_uid_used():
    cases, dev = gen.build(4203, SHARED)
    used = {c["_uid"] for c in cases if c["_uid"]}
    assert used and not used & dev


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
