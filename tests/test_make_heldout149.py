"""Tests for the blind held-out set 149 (spinal cord injury centres, UK and US)."""
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout149 as mh

SHARED = mh.shared_dir()
if not (mh.iu_archive(SHARED).is_file() and mh.dev_set(SHARED).is_file()):
    pytest.skip(f"shared data (IU archive, dev set) not found under {SHARED}", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
IU_RE = re.compile(r"^IU (CXR\d+):")
BLANKS = re.compile(r"\[ \]|\[\*\*\*\]|\*\*\*|<<|>>|\[[A-Za-z /]+\]|\bXX\b|\{\{")


@pytest.fixture(scope="module")
def rows():
    return mh.build(0)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(0)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(1)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in mh.KINDS
        assert r["detail"] and r["report"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mh.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h149-0-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + mh.KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & mh.dev_uids(SHARED)


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert all(r["id"].startswith("h149-1-") for r in rows_other)


def test_clean_reports_hold_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANKS.search(r["report"]), r["report"]


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert BLANKS.search(r["report"]) or "___" in r["report"], r["report"]


def test_sections_present_where_expected(rows):
    find = re.compile(r"^(FINDINGS|Findings|Report|REPORT):", re.M)
    imp = re.compile(r"^(IMPRESSION|Impression|Conclusion|CONCLUSION|Opinion|Comment|Summary):", re.M)
    for r in rows:
        if r["injected"] != "missing_section":
            assert find.search(r["report"]) and imp.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout149", str(out), "--seed", "3", "--show", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h149-3-")
    assert "[clean]" in res.stderr
