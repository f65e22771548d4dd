"""Tests for the held-out report-error set 160 (inclusion health and homeless services)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout160 as mk

SHARED = mk.shared_dir()
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason=f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return mk.build(3)


@pytest.fixture(scope="module")
def rows_other():
    return mk.build(4)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h160-3-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mk.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for kind in [None] + mk.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        iu = [r for r in grp if IU_RE.match(r["detail"])]
        assert len(iu) == len(grp) // 2, kind


def test_iu_distinct_and_not_dev(rows):
    dev = mk.load_dev_uids(SHARED)
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other):
    again = mk.build(3)
    assert again == rows
    assert [r["report"] for r in rows_other] != [r["report"] for r in rows]


def test_clean_reports_hold_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            t = r["report"]
            for blank in ("[ ]", "***", "<<", ">>", "[", "]", "{", "XX mm", "XX cm"):
                assert blank not in t, (r["id"], blank)


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<\w+>>|\bXX\b", r["report"]), r["id"]


def test_laterality_cases_hold_both_sides(rows):
    for r in rows:
        if r["injected"] == "laterality_conflict":
            t = r["report"].lower()
            assert re.search(r"\bright\b", t) and re.search(r"\bleft\b", t), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout160", str(out), "--seed", "3", "--show", "1"],
        cwd=Path(mk.__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h160-3-")
    assert "injected=" in p.stderr
