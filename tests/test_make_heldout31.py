"""Tests for the blind held-out generator bench/make_heldout31.py."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout31 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED}")


@pytest.fixture(scope="module")
def built():
    return gen.build(3201, SHARED)


def test_counts_and_fields(built):
    rows, _ = built
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(built):
    rows, used = built
    for kind in [None] + gen.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        assert sum("[IU " in r["detail"] for r in grp) == len(grp) // 2
    assert len(used) == len(set(used)) == 200


def test_no_dev_uid(built):
    _, used = built
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    assert not dev & set(used)


def test_composed_never_use_iu_mask(built):
    rows, _ = built
    for r in rows:
        if "[IU " not in r["detail"]:
            assert "XXXX" not in r["report"]


def test_deterministic_per_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert gen.main([str(a), "--seed", "3202"]) == 0
    assert gen.main([str(b), "--seed", "3202"]) == 0
    assert gen.main([str(c), "--seed", "3203"]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert len(a.read_text().splitlines()) == 400


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
