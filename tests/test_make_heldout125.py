"""Tests for the blind held-out report-check set 125 generator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(
    not (DEV.exists() and TGZ.exists()),
    reason=f"shared eval/IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout125
    return make_heldout125


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
        assert r["id"].startswith("h125-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used(rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    import re
    used = set()
    for r in rows:
        used.update(re.findall(r"\bCXR\d+\b", r["detail"]))
    assert used, "real IU reports should be named in detail"
    assert not used & dev


def test_clean_have_no_template_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[***]", "[ ]", "<<", "{ }", "[**]", "[..]", "< >"):
                assert tok not in r["report"], r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout125", str(out), "--seed", "3"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h125-3-")
