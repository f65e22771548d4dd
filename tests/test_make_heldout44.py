"""Tests for bench/make_heldout44.py (held-out set 44, written blind)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not ARCHIVE.exists(),
                                reason=f"IU archive not found under {SHARED} (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout44
    return make_heldout44


@pytest.fixture(scope="module")
def rows(mod):
    return mod.generate(4501, SHARED)


def test_counts_and_fields(rows):
    out, _ = rows
    assert len(out) == 400
    c = Counter(r["injected"] for r in out)
    assert c[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]:
        assert c[k] == 40
    for r in out:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    assert len({r["id"] for r in out}) == 400


def test_deterministic_per_seed(mod, tmp_path):
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    mod.main([str(a), "--seed", "4502"])
    mod.main([str(b), "--seed", "4502"])
    mod.main([str(c), "--seed", "4503"])
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert len(a.read_text().splitlines()) == 400


def test_no_dev_uid(mod, rows):
    _, uids = rows
    dev = mod.dev_uids(SHARED)
    assert uids and not set(uids) & dev
    out, _ = rows
    for r in out:
        json.dumps(r)


def test_half_composed_half_iu(rows):
    out, _ = rows
    for kind in [None, "missing_section", "placeholder"]:
        grp = [r for r in out if r["injected"] == kind]
        assert sum("; IU CXR" in r["detail"] for r in grp) == len(grp) // 2


def test_missing_shared_dir_exits_2(mod, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nope"))
    with pytest.raises(SystemExit) as e:
        mod.main([str(tmp_path / "o.jsonl")])
    assert e.value.code == 2
