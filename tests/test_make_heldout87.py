"""Tests for the blind held-out report-check set 87 (bench/make_heldout87.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
NEEDED = [SHARED / "eval" / "report_errors_dev.jsonl", SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"]

pytestmark = pytest.mark.skipif(not all(p.exists() for p in NEEDED),
                                reason=f"shared eval/IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout87
    return make_heldout87


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    assert sum(r["injected"] is None for r in rows) == 200
    for k in KINDS:
        assert sum(r["injected"] == k for r in rows) == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h87-3-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        if r["injected"] is not None:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if r["detail"].startswith("real IU report")]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(3)
    assert again == rows
    other = mod.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod, rows):
    dev = mod.dev_uids()
    assert dev
    used = set()
    for r in rows:
        if r["detail"].startswith("real IU report "):
            uid = r["detail"].split()[3].rstrip(":,")
            assert uid not in dev
            assert uid not in used
            used.add(uid)
    assert len(used) == 200


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h87.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout87", str(out), "--seed", "5"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h87-5-")
