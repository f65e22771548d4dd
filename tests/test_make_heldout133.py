"""Held-out report-error set 133 (care-of-the-elderly / stroke / orthogeriatric wards): shape and hygiene."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout133 as gen

SHARED = gen.shared_dir()
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason=f"shared data (IU archive and dev set) not found under {SHARED}",
)
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    return gen.build(11)


@pytest.fixture(scope="module")
def rows_other_seed():
    return gen.build(12)


def iu_uid(row):
    d = row["detail"]
    return d.split(":", 1)[0][3:] if d.startswith("IU CXR") else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert r["report"].strip() and r["detail"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    assert all(c[k] == 40 for k in KINDS)
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h133-11-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        n_iu = sum(iu_uid(r) is not None for r in group)
        assert n_iu * 2 == len(group), (kind, n_iu, len(group))


def test_iu_reports_distinct_and_not_dev(rows):
    _, dev = gen.load_iu()
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    assert gen.build(11) == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]
    assert {r["report"] for r in rows} != {r["report"] for r in rows_other_seed}


def test_clean_reports_hold_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ("[ ]", "***", "<<", "[***]", "XX cm", "XX mm"):
                assert blank not in r["report"], (r["id"], blank)


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert any(b in r["report"] for b in ("[", "***", "<<", "XX", "__")), r["id"]


def test_clean_reports_have_both_sections_or_a_descriptive_conclusion(rows):
    for r in rows:
        if r["injected"] is None:
            text = r["report"].lower()
            assert any(h in text for h in ("conclusion", "impression", "opinion", "comment", "summary")), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout133", str(out), "--seed", "3", "--show", "1"],
                       cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h133-3-")
    assert "=====" in p.stderr
