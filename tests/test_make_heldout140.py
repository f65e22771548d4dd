"""Tests for the held-out report-error set 140 (bariatric / upper-GI surgery)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout140 as mh

SHARED = mh.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
        SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

IU_RE = re.compile(r"^IU (CXR\d+)\b")


@pytest.fixture(scope="module")
def rows():
    return mh.build(3)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(3)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(4)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for row in rows:
        assert set(row) == {"id", "injected", "detail", "report"}
        assert row["id"].startswith("h140-3-")
        assert row["report"].strip() and row["detail"].strip()
    assert len({r["id"] for r in rows}) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in mh.KINDS:
        assert counts[kind] == 40
    assert set(counts) == {None, *mh.KINDS}


def test_half_iu_per_group(rows):
    for kind in [None, *mh.KINDS]:
        sel = [r for r in rows if r["injected"] == kind]
        iu = [r for r in sel if IU_RE.match(r["detail"])]
        assert len(iu) == len(sel) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl") if line.strip()}
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[ *\]|\*\*\*|<<|>>|\[\*+\]", r["report"]), r["id"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<\w+>>|___|\bXX\b", r["report"]), r["id"]


def test_sections_present_in_clean(rows):
    heads = re.compile(r"^(Conclusion|Opinion|COMMENT|IMPRESSION|Impression|Summary):", re.M)
    for r in rows:
        if r["injected"] is None:
            assert heads.search(r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(mh.__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout140", str(out), "--seed", "3", "--show", "1"],
                         cwd=root, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h140-3-")
