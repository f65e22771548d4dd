"""Tests for bench/make_heldout17.py (blind held-out report-error set, theme: negation/certainty/implied sides)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout17 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and \
    (SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = [pytest.mark.shared,
              pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED} "
                                                       "(set MEDRAG_SHARED_DIR)")]


def _make(tmp_path, seed, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / f"h17_{seed}.jsonl"
    assert gen.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_fields_and_dev_exclusion(tmp_path, monkeypatch):
    out = _make(tmp_path, 1801, monkeypatch)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 400
    assert Counter(r["injected"] for r in rows) == Counter({None: 200, **{k: 40 for k in gen.KINDS}})
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and isinstance(r["detail"], str)
        assert not any(k in r["id"] for k in gen.KINDS)
    assert len({r["id"] for r in rows}) == 400
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    used = {r["detail"].split()[1].rstrip(":") for r in rows if r["detail"].startswith("IU ")}
    assert len(used) == 200
    assert not used & dev
    # half composed, half IU in every group
    for kind in [None, *gen.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        assert sum(r["detail"].startswith("IU ") for r in grp) == len(grp) // 2
        composed = [r for r in grp if not r["detail"].startswith("IU ")]
        assert not any("XXXX" in r["report"] for r in composed)


def test_deterministic_per_seed(tmp_path, monkeypatch):
    a = _make(tmp_path, 1802, monkeypatch).read_bytes()
    (tmp_path / "again").mkdir()
    b = _make(tmp_path / "again", 1802, monkeypatch).read_bytes()
    c = _make(tmp_path, 1803, monkeypatch).read_bytes()
    assert a == b
    assert a != c


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
