"""Tests for bench/make_heldout42.py (blind held-out report-check set, radiographer/triage layers)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout42 as mh

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared"))
HAVE = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and \
    (SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not HAVE, reason=f"shared IU/dev data not found under {SHARED} "
                                                  "(set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def rows():
    return mh.build(SHARED, 4301)


def test_counts(rows):
    c = Counter(r["injected"] for r in rows)
    assert len(rows) == 400 and c[None] == 200
    assert all(c[k] == 40 for k in mh.KINDS)


def test_fields_and_ids(rows):
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
        assert not any(k in r["id"] for k in ("missing", "lateral", "negation", "omit", "placeholder"))
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(rows):
    for k in [None] + mh.KINDS:
        grp = [r for r in rows if r["injected"] == k]
        assert sum(r["detail"].startswith("[IU ") for r in grp) == len(grp) // 2
        assert not any("XXXX" in r["report"] for r in grp if r["detail"].startswith("[composed]"))


def test_no_dev_uid(rows):
    dev = {json.loads(line).get("uid") for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    used = {r["detail"].split("]")[0][4:] for r in rows if r["detail"].startswith("[IU ")}
    assert used and not used & dev


def test_deterministic_per_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert mh.main([str(a), "--seed", "4302"]) == 0
    assert mh.main([str(b), "--seed", "4302"]) == 0
    assert mh.main([str(c), "--seed", "4303"]) == 0
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    assert len(a.read_text().splitlines()) == 400


def test_missing_shared_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert mh.main([str(tmp_path / "o.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
