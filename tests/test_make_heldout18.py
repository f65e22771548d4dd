"""Tests for bench/make_heldout18.py (blind held-out report-checker set no. 18)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DATA = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not DATA.is_file(), reason=f"shared IU data not found under {SHARED} "
                                "(set MEDRAG_SHARED_DIR)")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(out, seed):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout18", str(out), "--seed", str(seed)], cwd=REPO,
                   env=env, check=True, capture_output=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("h18") / "a.jsonl", 1901)


def test_counts_and_fields(first):
    rows = [json.loads(line) for line in first.decode().splitlines()]
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
        assert r["injected"] is None or r["injected"] not in r["id"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(first, tmp_path):
    assert _run(tmp_path / "b.jsonl", 1901) == first
    assert _run(tmp_path / "c.jsonl", 1902) != first


def test_no_dev_uid():
    from bench.make_heldout18 import build, dev_uids
    dev = dev_uids(SHARED)
    rows = build(1903, SHARED)
    used = {r["_uid"] for r in rows if r["_uid"]}
    assert len(used) == 200
    assert not used & dev


def test_missing_shared_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nope"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout18", str(tmp_path / "x.jsonl")], cwd=REPO,
                       env=env, capture_output=True, text=True)
    assert p.returncode == 2
    assert "MEDRAG_SHARED_DIR" in p.stderr
