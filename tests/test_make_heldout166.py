"""Tests for bench/make_heldout166.py (held-out report-error set 166, radiotherapy chest films)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout166 as mh

SHARED = mh.shared_dir()
HAVE_SHARED = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HAVE_SHARED, reason=f"shared data (IU archive, dev set) not found under {SHARED}"),
]

BLANK = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|\bXX ?(?:mm|cm)\b|\[(?:side|size|left/right)\]", re.I)


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(8)


def is_iu(row):
    return row["detail"].startswith("IU CXR")


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in mh.KINDS
        assert r["report"].strip() and r["detail"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in mh.KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h166-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *mh.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(is_iu(r) for r in group) == len(group) // 2, kind


def test_deterministic_and_seed_dependent(rows, rows_other):
    assert mh.build(7) == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_iu_uids_unique_and_not_dev(rows):
    uids = [re.match(r"IU (CXR\d+)", r["detail"]).group(1) for r in rows if is_iu(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = {json.loads(line)["uid"] for line in (SHARED / "eval" / "report_errors_dev.jsonl").read_text().splitlines()
           if line.strip()}
    assert not [u for u in uids if u in dev]


def test_clean_reports_hold_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK.search(r["report"]), r["report"]


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert BLANK.search(r["report"]) or re.search(r"\[[A-Za-z][^\]]*\]|<<", r["report"]), r["report"]


def test_sections_present_in_clean(rows):
    for r in rows:
        if r["injected"] in (None, "laterality_conflict", "negation_conflict"):
            assert re.search(r"^(FINDINGS|Findings|Report)\b", r["report"], re.M), r["report"]
            assert re.search(r"^(IMPRESSION|Impression|Conclusion|CONCLUSION|Opinion|Summary|Comment)\b",
                             r["report"], re.M), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout166", str(out), "--seed", "3", "--show", "1"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h166-3-")
    assert "=====" in res.stderr
