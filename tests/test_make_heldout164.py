"""Tests for bench/make_heldout164.py (held-out report-error set, maternity/obstetric setting)."""
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout164 as mh

SHARED = mh.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
        not (SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

SEED = 7


@pytest.fixture(scope="module")
def rows():
    return mh.build(SEED)


def iu_uid(row):
    m = re.match(r"IU (CXR\d+)\b", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in mh.KINDS
        assert r["report"].strip() and r["detail"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mh.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith(f"h164-{SEED}-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + mh.KINDS:
        group = [r for r in rows if r["injected"] == kind]
        n_iu = sum(1 for r in group if iu_uid(r))
        assert n_iu == len(group) // 2, (kind, n_iu)
        assert all(r["detail"].startswith("composed") for r in group if not iu_uid(r))


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line)["uid"])
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows):
    assert mh.build(SEED) == rows
    other = mh.build(SEED + 1)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[\s*\]|\*\*\*|<<|>>|\[\w+\]|\bXX (?:mm|cm)\b", r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*|<<|___ (?:mm|cm)|\bXX\b", r["report"]), r["report"]


def test_sections_present_outside_missing_section(rows):
    for r in rows:
        if r["injected"] != "missing_section":
            lines = r["report"].splitlines()
            heads = [ln for ln in lines if re.match(r"(FINDINGS|Findings|REPORT|Report)\b", ln)]
            assert heads, r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout164", str(out), "--seed", "3", "--show", "1"],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(got) == 400
    assert got[0]["id"].startswith("h164-3-")
    assert "=====" in res.stderr
