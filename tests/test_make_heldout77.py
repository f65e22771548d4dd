"""Tests for bench/make_heldout77.py (held-out report-check set 77)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    sys.path.insert(0, str(ROOT))
    from bench import make_heldout77

    return make_heldout77


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
        assert r["id"].startswith("h77-3-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_real(mod):
    src = mod.build_with_sources(3)
    for k in [None] + KINDS:
        grp = [r for r in src if r["injected"] == k]
        real = [r for r in grp if r["_source"] != "composed"]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(3)
    assert again == rows
    other = mod.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod):
    dev = mod.load_dev_uids()
    for seed in (3, 4):
        used = [r["_source"] for r in mod.build_with_sources(seed) if r["_source"] != "composed"]
        assert used
        assert not set(used) & dev
        assert len(used) == len(set(used))


def test_clean_have_no_placeholders(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            assert "[" not in r["report"] and "***" not in r["report"] and "<<" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h77.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout77", str(out), "--seed", "5"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h77-5-")
