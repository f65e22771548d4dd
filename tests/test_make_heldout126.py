"""Tests for the blind held-out report-check set 126 generator."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(
    not (DEV.is_file() and TGZ.is_file()),
    reason=f"shared IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ("missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder")


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout126
    return make_heldout126


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert r["id"].startswith("h126-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for k in (None, *KINDS):
        grp = [r for r in rows if r["injected"] == k]
        real = sum(r["detail"].startswith("[IU ") for r in grp)
        assert real == len(grp) // 2


def test_deterministic_and_seed_dependent(gen, rows):
    assert gen.build(7) == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    used = set()
    for r in rows:
        if r["detail"].startswith("[IU "):
            used.add(r["detail"][4:].split("]")[0])
    assert used and not (used & dev)


def test_clean_reports_have_no_template_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert "[" not in r["report"] and "***" not in r["report"]
            assert "<" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h126.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout126", str(out), "--seed", "3"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h126-3-")
