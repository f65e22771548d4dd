"""Tests for bench/make_heldout68.py (held-out report-check set 68)."""

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

KINDS = ("missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder")


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout68
    return make_heldout68


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert r["id"].startswith("h68-7-")
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(gen, rows):
    again = gen.build(7)
    assert again == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = {json.loads(line)["uid"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()}
    used = set()
    for r in rows:
        for tok in r["detail"].replace(":", " ").split():
            if tok.startswith("CXR"):
                used.add(tok)
    assert used, "expected some IU reports"
    assert not used & dev
    assert sum("IU CXR" in r["detail"] for r in rows) == 200


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout68", str(out), "--seed", "3"],
                   cwd=REPO, env=env, check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h68-3-")
