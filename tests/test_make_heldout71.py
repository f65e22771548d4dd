"""Held-out report-check set 71 (US academic inpatient portable chest films): shape and determinism."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "eval" / "report_errors_dev.jsonl").exists() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()

pytestmark = [pytest.mark.shared,
              pytest.mark.skipif(not HAVE_DATA, reason=f"shared data not found under {SHARED}")]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    from bench.make_heldout71 import build
    return build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h71-7-")
        assert isinstance(r["report"], str) and len(r["report"]) > 50
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if r["detail"].startswith("IU ")]
        assert len(real) == len(grp) // 2


def test_no_dev_uid(rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    used = [m.group(1) for r in rows for m in [re.match(r"IU (CXR\d+)", r["detail"])] if m]
    assert len(used) == 200
    assert len(set(used)) == 200
    assert not set(used) & dev


def test_clean_reports_have_no_template_blanks(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            assert "***" not in r["report"] and "[ ]" not in r["report"]


def test_deterministic_and_seed_dependent(rows):
    from bench.make_heldout71 import build
    again = build(7)
    assert again == rows
    other = build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h71.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout71", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h71-3-")
    assert "===" in res.stdout
