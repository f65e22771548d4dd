"""Tests for bench/make_heldout155.py (held-out report-error set 155, written blind)."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout155 as gen

SHARED = gen.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
        not (SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED}", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
IU_RX = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return gen.build(1)


@pytest.fixture(scope="module")
def rows_other():
    return gen.build(2)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h155-1-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RX.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [IU_RX.match(r["detail"]).group(1) for r in rows if IU_RX.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & set(gen.dev_uids())


def test_deterministic_and_seed_dependent(rows, rows_other):
    assert gen.build(1) == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_clean_reports_hold_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[\s*\]|\*\*\*|<<|>>|\[\*|\bXX cm\b", r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[|\*\*|<<|___|\bXX\b", r["report"]), r["report"]


def test_reports_have_sections(rows):
    for r in rows:
        if r["injected"] is None:
            assert re.search(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|Summary|Opinion|OPINION|Comment):",
                             r["report"], re.M), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    root = Path(gen.__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout155", str(out), "--seed", "3",
                        "--show", "1"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h155-3-")
    assert "=====" in p.stderr
