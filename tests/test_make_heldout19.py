"""Tests for bench/make_heldout19.py (blind held-out report-error set, typed-in-a-hurry styles)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout19 as mh

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
                                reason="shared IU data not found (set MEDRAG_SHARED_DIR)")


def _run(tmp_path, seed, name):
    out = tmp_path / name
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    assert mh.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_fields_and_determinism(tmp_path):
    a = _run(tmp_path, 7, "a.jsonl")
    b = _run(tmp_path, 7, "b.jsonl")
    c = _run(tmp_path, 8, "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(line) for line in a.open()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in mh.KINDS:
        assert counts[k] == 40


def test_no_dev_uid_used():
    rows = mh.build(11, SHARED)
    _, dev = mh.load_iu(SHARED)
    used = {r["_uid"] for r in rows if r["_uid"]}
    assert used and not used & dev
    assert sum(1 for r in rows if r["_uid"]) == 200


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert mh.main([str(tmp_path / "x.jsonl")]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
