"""Tests for bench/make_heldout162.py (held-out report-error set 162, written blind)."""
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout162 as mh

if not (mh.iu_archive().is_file() and mh.dev_path().is_file()):
    pytest.skip(f"shared data absent (looked in {mh.shared_dir()}); set MEDRAG_SHARED_DIR",
                allow_module_level=True)

KINDS = mh.KINDS
BLANK = re.compile(r"\[ \]|\*\*\*|<<|\[\*+\]|\[(?:size|side|date|text)[^\]]*\]")


@pytest.fixture(scope="module")
def rows():
    return mh.build(0)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(0)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(1)


def iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(re.fullmatch(r"h162-0-\d+", r["id"]) for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        n_iu = sum(iu_uid(r) is not None for r in grp)
        assert n_iu == len(grp) // 2, (kind, n_iu)


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert {iu_uid(r) for r in rows} != {iu_uid(r) for r in rows_other}


def test_iu_reports_not_dev_and_distinct(rows):
    dev = mh.dev_uids()
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK.search(r["report"]), r["report"]


def test_placeholder_reports_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|<<|\*\*|\bXX\b", r["report"]), r["report"]


def test_clean_reports_have_an_impression(rows):
    for r in rows:
        if r["injected"] is None:
            assert re.search(r"(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|Comment|SUMMARY):\s*\S",
                             r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h162.jsonl"
    root = Path(mh.__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout162", str(out), "--seed", "3", "--show", "1"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h162-3-")
    assert "=====" in proc.stderr
