"""Tests for the blind held-out report-check set 70 (Irish HSE chest X-ray reports)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
IU = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not (DEV.exists() and IU.exists()),
                                reason=f"shared eval data not found under {SHARED} (set MEDRAG_SHARED_DIR)")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout70

    return make_heldout70


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h70-7-")
        assert isinstance(r["report"], str) and len(r["report"]) > 40
        assert isinstance(r["detail"], str) and r["detail"]
    assert len({r["id"] for r in rows}) == 400
    assert len({r["report"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        iu = [r for r in grp if r["detail"].startswith("IU CXR")]
        assert len(iu) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    used = [r["detail"].split()[1].rstrip(":,") for r in rows if r["detail"].startswith("IU CXR")]
    assert len(used) == 200
    assert len(set(used)) == 200
    assert not set(used) & dev


def test_clean_reports_have_no_placeholder(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[***]", "***", "[ ]", "[date]", "[DATE]", "[side]", "<date"):
                assert tok not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h70.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout70", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h70-3-")
    assert "injected=" in res.stdout
