"""Tests for bench/make_heldout88.py (held-out report-check set 88)."""

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
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not (DEV.is_file() and TGZ.is_file()),
                                reason=f"shared eval data not found under {SHARED} (set MEDRAG_SHARED_DIR)")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout88
    return make_heldout88


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(3)


def test_counts_fields_ids(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h88-3-")
        assert isinstance(r["report"], str) and len(r["report"]) > 40
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(3)
    assert again == rows
    other = mod.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_half_real_and_no_dev_uid(mod, rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    real = [r for r in rows if r["detail"].startswith("IU CXR")]
    assert len(real) == 200
    used = [r["detail"].split(":")[0].split()[1] for r in real]
    assert len(set(used)) == 200
    assert not dev & set(used)


def test_clean_reports_have_both_sections(rows):
    for r in rows:
        if r["injected"] is None:
            t = r["report"].upper()
            assert "IMPRESSION" in t or "CONCLUSION" in t
            assert "***" not in r["report"] and "[ ]" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout88", str(out), "--seed", "5", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h88-5-")
    assert "=====" in res.stdout
