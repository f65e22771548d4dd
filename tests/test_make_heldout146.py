"""Tests for the held-out report-error set 146 (pleural services, UK and US)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout146 as mh

REPO = Path(__file__).resolve().parents[1]
SHARED = mh.shared_dir()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (mh.iu_archive(SHARED).exists() and mh.dev_set(SHARED).exists()),
        reason=f"shared data (IU archive and dev set) not found under {SHARED}",
    ),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
BLANK = re.compile(r"\[ *\]|\*\*\*|<<|>>|\[\*+\]")


@pytest.fixture(scope="module")
def rows():
    return mh.build(3)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(3)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(4)


def _iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert isinstance(r["detail"], str) and r["detail"]
        assert isinstance(r["report"], str) and r["report"].strip()
        assert re.fullmatch(r"h146-3-\d+", r["id"])
    assert len({r["id"] for r in rows}) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        n_iu = sum(1 for r in group if _iu_uid(r))
        assert n_iu == len(group) // 2, kind
        for r in group:
            if not _iu_uid(r):
                assert r["detail"].startswith("composed:")


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert {_iu_uid(r) for r in rows} != {_iu_uid(r) for r in rows_other}


def test_iu_reports_distinct_and_not_in_dev(rows):
    dev = mh.dev_uids(SHARED)
    uids = [_iu_uid(r) for r in rows if _iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK.search(r["report"]), r["report"]
            assert "___" not in r["report"]


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert BLANK.search(r["report"]) or re.search(r"_{2,}|\bXX\b|\[\w[\w/ ]*\]", r["report"]), r["report"]


def test_clean_reports_have_both_sections(rows):
    for r in rows:
        if r["injected"] is None:
            text = r["report"]
            assert re.search(r"^(FINDINGS|Findings|Report):", text, re.M)
            assert re.search(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|Opinion|Comment|Summary):", text, re.M)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h146.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout146", str(out), "--seed", "5", "--show", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h146-5-")
    assert "injected=" in res.stderr
