"""Tests for the blind held-out report-check set 112 (bench/make_heldout112.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (TGZ.exists() and DEV.exists()),
    reason=f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout112

    return make_heldout112


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
        assert r["id"].startswith("h112-7-")
        assert isinstance(r["report"], str) and len(r["report"]) > 40
        assert isinstance(r["detail"], str)
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[", "]", "<<", "***", "...."):
                assert tok not in r["report"], (r["id"], tok)


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used(mod):
    dev = mod.dev_uids()
    assert dev
    rows = mod._build(7)
    used = [r["source"][3:] for r in rows if r["source"].startswith("iu:")]
    assert len(used) == 200
    assert len(set(used)) == len(used)
    assert not set(used) & dev
    with open(DEV) as fh:
        dev_uids = {json.loads(line)["uid"] for line in fh if line.strip()}
    assert dev_uids == dev


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h112.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout112", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h112-3-")
    assert "injected=" in p.stdout
