"""Tests for the blind held-out report-check set 113 (bench/make_heldout113.py)."""

import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
NEEDED = [SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz", SHARED / "eval" / "report_errors_dev.jsonl"]

pytestmark = pytest.mark.skipif(not all(p.exists() for p in NEEDED),
                                reason=f"shared IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout113
    return make_heldout113


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
        assert r["id"].startswith("h113-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_bank_half_real(rows):
    for kind in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        real = [r for r in grp if re.search(r"source: IU CXR\d+", r["detail"])]
        assert len(real) * 2 == len(grp)


def test_no_dev_uid_and_no_reuse(rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    used = [m.group(1) for r in rows for m in [re.search(r"source: IU (CXR\d+)", r["detail"])] if m]
    assert len(used) == 200
    assert not set(used) & dev
    assert len(set(used)) == len(used)


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_clean_reports_have_no_template_blanks(rows):
    blank = re.compile(r"\[|\]|<<|>>|\.{3,}|\*\*|\bxx\b|dd/mm/yyyy")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h113.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout113", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h113-3-")
    assert "=====" in res.stdout
