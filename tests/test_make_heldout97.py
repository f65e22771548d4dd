"""Tests for the blind held-out report-check set 97 (bench/make_heldout97.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
IU = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(
    not (DEV.exists() and IU.exists()),
    reason=f"shared eval data absent under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout97

    return make_heldout97


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h97-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert re.search(r"FINDINGS|IMPRESSION|CONCLUSION|OPINION", r["report"])
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for kind in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        real = [r for r in grp if re.search(r"\bIU CXR\d+", r["detail"])]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    assert mod.build(7) == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_and_no_reuse(rows):
    dev = {json.loads(line)["uid"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()}
    uids = [m.group(1) for r in rows for m in [re.search(r"\bIU (CXR\d+)", r["detail"])] if m]
    assert len(uids) == 200
    assert not set(uids) & dev
    assert len(set(uids)) == len(uids)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout97", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h97-3-")
