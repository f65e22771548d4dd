"""Tests for the blind held-out report-error set 158 (mental health trusts / psychiatric hospitals)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout158 as mk

SHARED = mk.shared_dir()
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file()
        or not (SHARED / "eval" / "report_errors_dev.jsonl").is_file(),
        reason=f"shared data (IU archive and dev set) not found under {SHARED}",
    ),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return mk.build(7)


@pytest.fixture(scope="module")
def rows_other_seed():
    return mk.build(8)


def _dev_uids():
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        return {json.loads(line)["uid"] for line in fh if line.strip()}


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert isinstance(r["detail"], str) and r["detail"]
        assert isinstance(r["report"], str) and r["report"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h158-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) * 2 == len(group), kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & _dev_uids()


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = mk.build(7)
    assert again == rows
    assert [r["report"] for r in rows_other_seed] != [r["report"] for r in rows]


def test_clean_reports_hold_no_blanks(rows):
    blank = re.compile(r"\[\s*\]|\[\*+\]|\*\*\*|<<|>>|\{\{|\[[A-Za-z /]+\]")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), (r["id"], r["report"])


def test_placeholders_are_present(rows):
    blank = re.compile(r"\[[^\]]*\]|\*\*\*|<<|___|\bXX\b|\b__\b")
    for r in rows:
        if r["injected"] == "placeholder":
            assert blank.search(r["report"]), (r["id"], r["report"])


def test_sections_present_in_clean(rows):
    imp = re.compile(r"^(IMPRESSION|Impression|Conclusion|CONCLUSION|Opinion|Comment):", re.M)
    for r in rows:
        if r["injected"] is None:
            assert imp.search(r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    repo = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout158", str(out), "--seed", "3", "--show", "1"],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h158-3-")
    assert "=====" in proc.stderr
