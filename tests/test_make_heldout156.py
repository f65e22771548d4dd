"""Tests for bench/make_heldout156.py (held-out report-error set 156, written blind)."""
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

mk = importlib.import_module("bench.make_heldout156")
SHARED = mk.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
        not (SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

KINDS = mk.KINDS
BLANK = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|\bXX (cm|mm)\b|\[[a-z /]+\]|\[[A-Z][a-z ]+\]|\[SIZE\]|\[SIDE\]")


@pytest.fixture(scope="module")
def rows():
    return mk.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return mk.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return mk.build(8)


def iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] in [None] + KINDS
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
        assert r["id"].startswith("h156-7-")
    assert len({r["id"] for r in rows}) == 400
    assert sum(r["injected"] is None for r in rows) == 200
    for k in KINDS:
        assert sum(r["injected"] == k for r in rows) == 40


def test_half_iu_per_group(rows):
    for k in [None] + KINDS:
        grp = [r for r in rows if r["injected"] == k]
        n_iu = sum(iu_uid(r) is not None for r in grp)
        assert n_iu == len(grp) // 2, (k, n_iu)
        for r in grp:
            if iu_uid(r) is None:
                assert r["detail"].startswith("composed"), r["detail"]


def test_iu_reports_distinct_and_not_dev(rows):
    dev = mk.dev_uids(SHARED)
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert {iu_uid(r) for r in rows} != {iu_uid(r) for r in rows_other}


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK.search(r["report"]), (r["id"], BLANK.search(r["report"]).group(0))
            assert "___" not in r["report"].replace("NHS no: ___ ___ ____", "").replace("Accession: ___", "")


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert BLANK.search(r["report"]) or re.search(r"(?<!Accession: )___", r["report"]), r["id"]


def test_sections_present_unless_missing(rows):
    fh = re.compile(r"^(FINDINGS|Findings|REPORT|Report):", re.M)
    ih = re.compile(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|Opinion|Summary):", re.M)
    for r in rows:
        if r["injected"] != "missing_section" and "impression header only" not in r["detail"]:
            assert fh.search(r["report"]) and ih.search(r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout156", str(out), "--seed", "3", "--show", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h156-3-")
    assert "=====" in res.stderr
