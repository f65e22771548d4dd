"""Tests for the held-out report-error set 161 (acute surgical / emergency general surgery chest films)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout161 as gen

if not gen.iu_archive_path().exists() or not gen.dev_set_path().exists():
    pytest.skip(f"shared data absent ({gen.shared_dir()}): IU archive or dev set missing", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_other_seed():
    return gen.build(8)


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
    assert all(r["id"].startswith("h161-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        n_iu = sum(1 for r in grp if iu_uid(r))
        assert n_iu == len(grp) // 2, kind
        assert all(r["detail"].startswith("IU CXR") for r in grp if iu_uid(r))


def test_no_dev_uid_and_distinct_iu(rows):
    dev = {json.loads(line)["uid"] for line in gen.dev_set_path().open() if line.strip()}
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = gen.build(7)
    assert again == rows
    assert [r["report"] for r in rows_other_seed] != [r["report"] for r in rows]


def test_clean_reports_hold_no_blank(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<|\[\*+\]|\bXX (?:mm|cm)\b")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), r["report"]


def test_placeholders_present(rows):
    token = re.compile(r"\[[^\]]*\]|\*\*\*|<<\w+>>|\b(?:XX|xx|__) (?:mm|cm)\b")
    for r in rows:
        if r["injected"] == "placeholder":
            assert token.search(r["report"]), r["report"]


def test_missing_section_has_header_or_not(rows):
    for r in rows:
        if r["injected"] == "missing_section":
            assert any(w in r["detail"] for w in ("emptied", "sign-off", "removed"))


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout161", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h161-3-")
    assert "injected=" in res.stderr
