"""Tests for the held-out report-error set 154 (hepatology / liver-unit chest films)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", ROOT.parent / "shared"))
IU_TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(not (IU_TGZ.exists() and DEV.exists()),
                                reason=f"shared data not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout154
    return make_heldout154


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


@pytest.fixture(scope="module")
def rows_other(mod):
    return mod.build(8)


def _iu_uid(row):
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
    assert all(re.fullmatch(r"h154-7-\d+", r["id"]) for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if _iu_uid(r)]
        assert len(iu) * 2 == len(group), kind


def test_iu_reports_distinct_and_not_dev(rows):
    dev = {json.loads(line)["uid"] for line in open(DEV) if line.strip()}
    uids = [_iu_uid(r) for r in rows if _iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(mod, rows, rows_other):
    again = mod.build(7)
    assert again == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert {_iu_uid(r) for r in rows} != {_iu_uid(r) for r in rows_other}


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[\s*\]|\*\*\*|<<|>>|\[\*|\bXX (?:cm|mm)\b", r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<\w+>>|\bXX\b|\b__\b|\{SIDE\}", r["report"]), r["report"]


def test_sections_present_where_expected(rows):
    hdr = re.compile(r"^(FINDINGS:?|Findings:|Report:)", re.M)
    imp = re.compile(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|Opinion|Summary|Comment):", re.M)
    for r in rows:
        if r["injected"] in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
            assert hdr.search(r["report"]) and imp.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout154", str(out), "--seed", "3", "--show", "1"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h154-3-")
    assert "injected=" in res.stderr
