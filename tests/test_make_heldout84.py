"""Tests for the blind held-out report-check set 84 generator."""
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
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or (REPO.parent / "shared"))
DATA_OK = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and \
    (SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not DATA_OK, reason=f"shared IU data / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    from bench.make_heldout84 import build
    return build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h84-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_synthetic(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        real = [r for r in group if r["detail"].startswith("[IU ")]
        assert len(real) * 2 == len(group)


def test_deterministic_and_seed_dependent(rows):
    from bench.make_heldout84 import build
    assert build(7) == rows
    other = build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    used = [m.group(1) for r in rows for m in [re.match(r"\[IU (CXR\d+)\]", r["detail"])] if m]
    assert len(used) == 200
    assert len(set(used)) == 200
    assert not set(used) & dev


def test_clean_reports_have_no_template_fields(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            assert not re.search(r"\[|\]|\*\*\*|<<|\{", r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h84.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout84", str(out), "--seed", "3"],
                   cwd=REPO, env=env, check=True, capture_output=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h84-3-")
