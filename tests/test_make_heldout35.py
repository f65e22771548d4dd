"""Tests for the blind held-out generator no. 35 (hurried punctuation, spacing and case)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout35 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
                                reason="shared IU data not available (set MEDRAG_SHARED_DIR)")


def _run(tmp_path, seed, name):
    out = tmp_path / name
    gen.main([str(out), "--seed", str(seed)])
    return out.read_bytes()


def test_counts_fields_and_determinism(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    a = _run(tmp_path, 3601, "a.jsonl")
    b = _run(tmp_path, 3601, "b.jsonl")
    c = _run(tmp_path, 3602, "c.jsonl")
    assert a == b and a != c
    rows = [json.loads(x) for x in a.decode().splitlines()]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    assert len({r["id"] for r in rows}) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    assert all(counts[k] == 40 for k in gen.KINDS)
    assert all(r["report"].strip() for r in rows)


def test_no_dev_uid_and_half_iu():
    dev = gen.dev_uids(SHARED)
    rows = gen.build(3603, SHARED)
    assert not {r["_uid"] for r in rows} & dev
    for kind in [None, *gen.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        assert sum(r["_src"] == "iu" for r in grp) == len(grp) // 2


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
