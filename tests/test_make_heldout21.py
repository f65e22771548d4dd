"""Tests for the blind held-out generator bench/make_heldout21.py."""

import collections
import json
import os
from pathlib import Path

import pytest

from bench import make_heldout21 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
pytestmark = pytest.mark.skipif(
    not ARCHIVE.is_file(), reason=f"shared IU data absent ({ARCHIVE}); set MEDRAG_SHARED_DIR"
)


@pytest.fixture(scope="module")
def rows():
    return gen.build(2201, SHARED)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200 and all(c[k] == 40 for k in gen.KINDS)
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400


def test_determinism(tmp_path, rows):
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    assert gen.main([str(a), "--seed", "2201"]) == 0
    assert gen.main([str(b), "--seed", "2201"]) == 0
    assert gen.main([str(c), "--seed", "2202"]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert [json.loads(x) for x in a.read_text().splitlines()] == rows


def test_no_dev_uid(rows):
    dev = gen.dev_uids(SHARED)
    used = {w for r in rows for w in r["detail"].replace(":", " ").split() if w.startswith("CXR")}
    assert used and not used & dev


def test_every_case_verified(rows):
    for r in rows:
        assert gen.verify(r["injected"], r["report"], r["detail"]), r["detail"]


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "o.jsonl"), "--seed", "1"]) == 2
