"""Tests for the blind held-out report-error set generator no. 25."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout25 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(
    not HAVE_DATA, reason=f"shared IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def shared_env():
    old = os.environ.get("MEDRAG_SHARED_DIR")
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    yield SHARED
    if old is None:
        os.environ.pop("MEDRAG_SHARED_DIR", None)
    else:
        os.environ["MEDRAG_SHARED_DIR"] = old


def _make(tmp_path, seed, name):
    out = tmp_path / name
    assert gen.main([str(out), "--seed", str(seed)]) == 0
    return out


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, shared_env):
    tmp = tmp_path_factory.mktemp("h25")
    return _make(tmp, 2601, "a.jsonl"), _make(tmp, 2601, "b.jsonl"), _make(tmp, 2602, "c.jsonl")


def test_counts_and_fields(two_runs):
    rows = [json.loads(line) for line in two_runs[0].read_text().splitlines()]
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in gen.KINDS:
        assert counts[kind] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
        assert not any(k in r["id"] for k in gen.KINDS)
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(two_runs):
    a, b, c = (p.read_bytes() for p in two_runs)
    assert a == b
    assert a != c


def test_no_dev_uid_used(shared_env):
    iu, dev = gen.load_iu(shared_env)
    assert dev
    assert not {r["uid"] for r in iu} & dev
    cases = gen.build(2603, shared_env)
    assert not {c["_src"] for c in cases} & dev
    composed = [c for c in cases if c["_src"] == "composed"]
    assert len(composed) == 200
    assert not any("XXXX" in c["report"] for c in composed)


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
