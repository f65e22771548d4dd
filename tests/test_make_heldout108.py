"""Tests for the blind held-out report-check set 108 generator."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "eval" / "report_errors_dev.jsonl").is_file() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared eval/IU data not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    from bench.make_heldout108 import build
    return build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["id"].startswith("h108-7-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(rows):
    for k in [None] + KINDS:
        sel = [r for r in rows if r["injected"] == k]
        iu = [r for r in sel if r["detail"].startswith("IU ")]
        assert len(iu) == len(sel) // 2


def test_deterministic_and_seed_dependent(rows):
    from bench.make_heldout108 import build
    assert build(7) == rows
    other = build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    used = [r["detail"].split()[1] for r in rows if r["detail"].startswith("IU ")]
    assert used and not (set(used) & dev)
    assert len(set(used)) == len(used)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout108", str(out), "--seed", "3"],
                   cwd=REPO, env=env, check=True, capture_output=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h108-3-")
