"""Tests for bench/make_heldout45.py (speech-recognition dictation held-out set)."""
import json
import os
from pathlib import Path

import pytest

from bench import make_heldout45 as mh

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
pytestmark = pytest.mark.skipif(not ARCHIVE.exists(),
                                reason=f"shared IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def rows():
    return mh.build(4601, SHARED)


def _write(tmp_path, seed, name):
    out = tmp_path / name
    assert mh.main([str(out), "--seed", str(seed)]) == 0
    return out.read_bytes()


def test_counts(rows):
    assert len(rows) == 400
    counts = {k: sum(r["injected"] == k for r in rows) for k in [None] + mh.KINDS}
    assert counts[None] == 200
    assert all(counts[k] == 40 for k in mh.KINDS)


def test_fields_and_half_iu(rows):
    for r in rows:
        assert {"id", "injected", "detail", "report"} <= set(r)
        assert r["report"].strip()
        assert r["injected"] is None or r["injected"] in mh.KINDS
    assert len({r["id"] for r in rows}) == 400
    for kind in [None] + mh.KINDS:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(r["_uid"] is not None for r in group) == len(group) // 2


def test_no_dev_uid(rows):
    dev = mh.load_dev_uids(SHARED)
    used = {r["_uid"] for r in rows if r["_uid"]}
    assert used and not (used & dev)


def test_determinism(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    a = _write(tmp_path, 4601, "a.jsonl")
    b = _write(tmp_path, 4601, "b.jsonl")
    c = _write(tmp_path, 4602, "c.jsonl")
    assert a == b
    assert a != c
    lines = [json.loads(x) for x in a.decode().splitlines()]
    assert len(lines) == 400 and all(set(x) == {"id", "injected", "detail", "report"} for x in lines)


def test_missing_shared_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert mh.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
