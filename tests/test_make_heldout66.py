"""Tests for the blind held-out generator bench/make_heldout66.py."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout66 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data/iu_reports/NLMCXR_reports.tgz").exists(), reason="shared IU data absent (set MEDRAG_SHARED_DIR)"
)


def _run(tmp_path, seed, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / f"s{seed}.jsonl"
    gen.main([str(out), "--seed", str(seed)])
    return out


def test_counts_fields_determinism(tmp_path, monkeypatch):
    a = _run(tmp_path, 6701, monkeypatch)
    rows = [json.loads(x) for x in a.read_text().splitlines()]
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200 and all(c[k] == 40 for k in gen.KINDS)
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    assert len({r["id"] for r in rows}) == 400
    b = tmp_path / "again.jsonl"
    gen.main([str(b), "--seed", "6701"])
    assert a.read_bytes() == b.read_bytes()
    assert _run(tmp_path, 6702, monkeypatch).read_bytes() != a.read_bytes()


def test_no_dev_uid():
    dev = gen.dev_uids(SHARED)
    rows = gen.build(6703, SHARED)
    used = {r["_uid"] for r in rows} - {"composed"}
    assert len(used) == 200 and not used & dev


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.main([str(tmp_path / "x.jsonl")])
    assert e.value.code == 2
