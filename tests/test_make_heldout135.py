"""Tests for the held-out report-error set 135 (student health / campus clinic chest X-rays)."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout135 as m

pytestmark = pytest.mark.shared

if not (m.iu_archive().is_file() and m.dev_set().is_file()):
    pytest.skip(f"shared data absent ({m.shared_dir()}): IU archive or dev set missing", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    return m.build(3)


@pytest.fixture(scope="module")
def rows_other_seed():
    return m.build(4)


def _iu_uid(row):
    mt = re.match(r"IU (CXR\d+):", row["detail"])
    return mt.group(1) if mt else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
        assert r["id"].startswith("h135-3-")
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if _iu_uid(r)]
        assert len(iu) == len(group) // 2, kind


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = m.build(3)
    assert [(r["report"], r["injected"]) for r in again] == [(r["report"], r["injected"]) for r in rows]
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]
    assert {_iu_uid(r) for r in rows} != {_iu_uid(r) for r in rows_other_seed}


def test_no_dev_uid_and_distinct_iu(rows, rows_other_seed):
    dev = m.dev_uids()
    for rs in (rows, rows_other_seed):
        uids = [_iu_uid(r) for r in rs if _iu_uid(r)]
        assert len(uids) == 200
        assert len(set(uids)) == 200
        assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows, rows_other_seed):
    for r in rows + rows_other_seed:
        if r["injected"] is None:
            assert "[ ]" not in r["report"] and "***" not in r["report"] and "<<" not in r["report"], r["id"]
            assert not re.search(r"\[[^\]]*\]|\{\*+\}|\bXX (cm|mm)\b|___ (cm|mm)", r["report"]), r["id"]


def test_both_sections_present_outside_missing_section(rows):
    for r in rows:
        if r["injected"] == "missing_section":
            continue
        text = r["report"]
        assert re.search(r"^(FINDINGS|Findings):", text, re.M), r["id"]
        assert re.search(r"^(IMPRESSION|CONCLUSION|OPINION|INTERPRETATION|Impression|Conclusion|Opinion|"
                         r"Interpretation):\s*\S", text, re.M), r["id"]


def test_placeholder_cases_hold_a_field(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<|___ (cm|mm)|\bXX (cm|mm)", r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(m.shared_dir()))
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout135", str(out), "--seed", "5", "--show", "1"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h135-5-")
    assert "injected=" in proc.stderr
