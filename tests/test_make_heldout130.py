"""Held-out report-error set 130 (Gulf hospitals, written blind): shape, balance, determinism, IU use."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout130 as gen

SHARED = gen.shared_dir()
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file()
        or not (SHARED / "eval" / "report_errors_dev.jsonl").is_file(),
        reason=f"shared data (IU reports, dev set) not found under {SHARED}",
    ),
]
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
BLANKS = re.compile(r"\[\s*\]|\*\*\*|<<|\[_+\]|\bXX (?:mm|cm)\b|\[\*")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return gen.build(8)


def _is_iu(row):
    return row["detail"].startswith("IU CXR")


def test_400_rows_with_the_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(re.fullmatch(r"h130-7-\d+", r["id"]) for r in rows)


def test_half_of_every_group_is_iu(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(map(_is_iu, group)) == len(group) // 2, kind


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    iu = {r["detail"].split(":")[0] for r in rows if _is_iu(r)}
    iu_other = {r["detail"].split(":")[0] for r in rows_other if _is_iu(r)}
    assert iu != iu_other


def test_iu_reports_distinct_and_not_in_dev(rows):
    dev = gen.dev_uids(str(SHARED))
    uids = [re.match(r"IU (CXR\d+):", r["detail"]).group(1) for r in rows if _is_iu(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANKS.search(r["report"]), r["report"]


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            text = r["report"].replace("XXXX", "")
            assert BLANKS.search(text) or re.search(r"\[[A-Za-z /-]+\]|<\w+>|\bXX\b|_{3,}|\*\*|\{", text), r["report"]


def test_reports_have_section_headers(rows):
    heads = re.compile(r"^(?:FINDINGS|Findings|OBSERVATIONS|Observations|REPORT|IMPRESSION|Impression|CONCLUSION|"
                       r"Opinion|OPINION)\s*:", re.M)  # fmt: skip
    for r in rows:
        assert heads.search(r["report"]), r["report"]


def test_laterality_flips_change_a_side(rows):
    for r in rows:
        if r["injected"] == "laterality_conflict":
            assert re.search(r"\b(?:left|right|lt|rt)\b", r["report"], re.I)
            assert "side flipped" in r["detail"]


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "h.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout130", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h130-3-")
    assert "=====" in proc.stderr
