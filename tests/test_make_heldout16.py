"""Tests for the blind held-out report-check set no. 16 (bench/make_heldout16.py)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout16 as mh

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
pytestmark = pytest.mark.skipif(not ARCHIVE.exists(), reason=f"shared IU data not found under {SHARED} "
                                "(set MEDRAG_SHARED_DIR)")


def _make(tmp_path, seed, name):
    out = tmp_path / name
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    assert mh.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_fields_and_determinism(tmp_path):
    a = _make(tmp_path, 1701, "a.jsonl")
    b = _make(tmp_path, 1701, "b.jsonl")
    c = _make(tmp_path, 1702, "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(x) for x in a.read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in mh.KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_no_dev_uid_and_half_real(tmp_path):
    dev = SHARED / "eval" / "report_errors_dev.jsonl"
    dev_uids = {json.loads(x)["uid"] for x in dev.read_text().splitlines() if x.strip()} if dev.exists() else set()
    rows = mh.build(1703, SHARED)
    srcs = [r["src"] for r in rows]
    assert not (set(srcs) & dev_uids)
    for kind in [None] + mh.KINDS:
        group = [r for r in rows if r["kind"] == kind]
        real = [r for r in group if r["src"] != "composed"]
        assert len(real) * 2 == len(group)
        for r in group:
            mh.verify(r["kind"], r["parts"], r["report"], r["check"])
        if kind is not None:
            assert all("XXXX" not in r["report"] for r in group if r["src"] == "composed")


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert mh.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
