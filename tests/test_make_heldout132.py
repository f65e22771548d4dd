"""Tests for the blind held-out report-error set 132 (maternity / obstetric medicine)."""
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import make_heldout132 as mh  # noqa: E402

SHARED = mh.shared_dir()
if not (mh.archive_path(SHARED).exists() and mh.dev_path(SHARED).exists()):
    pytest.skip(f"shared data absent under {SHARED} (IU archive or dev set)", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(8)


@pytest.fixture(scope="module")
def dev_uids():
    with open(mh.dev_path(SHARED), encoding="utf-8") as fh:
        return {json.loads(line)["uid"] for line in fh if line.strip()}


def test_counts_and_fields(rows):
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in KINDS:
        assert counts[kind] == 40
    assert set(counts) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h132-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) * 2 == len(group), kind


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_iu_reports_distinct_and_not_dev(rows, dev_uids):
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev_uids


def test_clean_reports_hold_no_blanks(rows):
    blank = re.compile(r"\[ *\]|\*\*\*|<<|\[\*+\]|\bXX (?:mm|cm)\b")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), r["report"]


def test_sections_present_except_missing(rows):
    for r in rows:
        if r["injected"] in (None, "laterality_conflict", "negation_conflict", "impression_omits_finding"):
            heads = re.findall(r"^([A-Za-z ]+):", r["report"], re.M)
            assert len(heads) >= 2, r["report"]


def test_laterality_flip_changes_side(rows):
    for r in rows:
        if r["injected"] == "laterality_conflict":
            assert re.search(r"\b(left|right)\b", r["report"], re.I)
            assert "flipped" in r["detail"]


def test_placeholders_present(rows):
    blank = re.compile(r"\[[^\]]*\]|\*\*|<<\w+>>|\bXX\b|___")
    for r in rows:
        if r["injected"] == "placeholder":
            assert blank.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout132", str(out), "--seed", "7", "--show", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h132-7-")
    assert "=====" in proc.stderr
