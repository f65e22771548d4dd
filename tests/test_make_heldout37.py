"""Tests for bench.make_heldout37 (blind held-out report-check set no. 37)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", REPO.parent / "shared"))
HAVE = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()
pytestmark = pytest.mark.skipif(not HAVE, reason=f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)")


def _gen(tmp_path, seed, name):
    out = tmp_path / name
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout37", str(out), "--seed", str(seed)], cwd=REPO, env=env, check=True
    )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h37")
    return _gen(tmp, 3801, "a.jsonl"), _gen(tmp, 3801, "b.jsonl"), _gen(tmp, 3802, "c.jsonl")


def test_counts_and_fields(built):
    rows = [json.loads(x) for x in built[0].read_text().splitlines()]
    assert len(rows) == 400
    assert Counter(r["injected"] for r in rows) == Counter(
        {
            None: 200,
            "missing_section": 40,
            "laterality_conflict": 40,
            "negation_conflict": 40,
            "impression_omits_finding": 40,
            "placeholder": 40,
        }
    )
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(built):
    a, b, c = (p.read_bytes() for p in built)
    assert a == b
    assert a != c


def test_no_dev_uid_used():
    sys.path.insert(0, str(REPO))
    from bench.make_heldout37 import build

    dev = {json.loads(x)["uid"] for x in (SHARED / "eval" / "report_errors_dev.jsonl").read_text().splitlines()}
    _, used = build(3801, SHARED)
    assert used and not (used & dev)


def test_missing_shared_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout37", str(tmp_path / "x.jsonl")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and "MEDRAG_SHARED_DIR" in p.stderr
