"""Tests for the blind held-out report-check set 80 (bench/make_heldout80.py)."""
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
IU = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (IU.exists() and DEV.exists()),
    reason=f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = {"missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"}


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout80
    return make_heldout80


@pytest.fixture(scope="module")
def built(mod):
    return mod.build_with_sources(7)


def test_counts_and_fields(built):
    rows, _ = built
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == KINDS | {None}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h80-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(mod, built):
    rows, _ = built
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(built):
    _, uids = built
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    assert len(uids) == 200
    assert len(set(uids)) == len(uids)
    assert not set(uids) & dev


def test_clean_reports_have_no_placeholder_tokens(built):
    rows, _ = built
    for r in rows:
        if r["injected"] is None:
            for tok in ("[", "]", "***", "< >", "{ }", "(  )"):
                assert tok not in r["report"], (r["id"], tok)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h80.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout80", str(out), "--seed", "3"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h80-3-")
