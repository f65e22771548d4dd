"""Tests for bench/make_heldout169.py (held-out report-error set, COVID-19 / respiratory virus wards)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout169 as mk

pytestmark = pytest.mark.shared

if not mk.iu_archive_path().exists() or not mk.dev_path().exists():
    pytest.skip(
        f"shared data absent ({mk.iu_archive_path()} / {mk.dev_path()}); set MEDRAG_SHARED_DIR",
        allow_module_level=True,
    )

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    return mk.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return mk.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return mk.build(8)


def _uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert isinstance(r["report"], str) and r["report"].strip()
        assert r["detail"]
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h169-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if _uid(r)]
        assert len(iu) * 2 == len(group), kind


def test_iu_reports_unique_and_not_in_dev(rows):
    dev = set(mk.dev_uids())
    uids = [_uid(r) for r in rows if _uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert {_uid(r) for r in rows} != {_uid(r) for r in rows_other}


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ("[ ]", "***", "<<", "[", "{{", " XX "):
                assert blank not in r["report"], (r["id"], blank)


def test_reports_have_section_headers(rows):
    for r in rows:
        text = r["report"]
        has_imp = re.search(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|Opinion)\b", text, re.M)
        if r["injected"] != "missing_section":
            assert has_imp, r["id"]


def test_placeholders_present(rows):
    pat = re.compile(r"\[[^\]]*\]|\*\*\*|<<\w+>>|\bXX\b")
    for r in rows:
        if r["injected"] == "placeholder":
            assert pat.search(r["report"]), r["id"]


def test_laterality_detail_names_flip(rows):
    for r in rows:
        if r["injected"] == "laterality_conflict":
            assert "flipped" in r["detail"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout169", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h169-3-")
    assert "=====" in proc.stderr
