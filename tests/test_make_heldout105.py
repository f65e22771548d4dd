"""Tests for the blind held-out report-check set 105 generator."""

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
HAVE_DATA = (SHARED / "eval" / "report_errors_dev.jsonl").exists() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared eval/IU data not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout105
    return make_heldout105


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
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert r["id"].startswith("h105-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_bank_half_real(rows):
    for k in [None, *KINDS]:
        sel = [r for r in rows if r["injected"] == k]
        bank = sum(r["detail"].startswith("[bank]") for r in sel)
        assert bank == len(sel) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod, rows):
    dev = mod.dev_uids()
    used = []
    for r in rows:
        m = re.search(r"\bIU (CXR\d+)\b", r["detail"])
        if m:
            used.append(m.group(1))
    assert len(used) == 200
    assert len(set(used)) == len(used)
    assert not set(used) & dev


def test_clean_reports_have_no_template_fields(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[|\]|\*\*\*|<<|\{", r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h105.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout105", str(out), "--seed", "3"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h105-3-")
