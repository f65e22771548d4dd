"""Tests for bench/make_heldout110.py (held-out report-check set 110)."""

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
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl").exists()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout110
    return make_heldout110


@pytest.fixture(scope="module")
def rows7(mod):
    return mod.build_with_sources(7)


def test_counts_and_fields(rows7, mod):
    rows = mod.build(7)
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert r["injected"] is None or r["injected"] in KINDS
        assert isinstance(r["detail"], str)
        if r["injected"]:
            assert r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 400
    assert all(i.startswith("h110-7-") for i in ids)


def test_half_real_half_bank(rows7):
    for kind in [None] + KINDS:
        sel = [r for r in rows7 if r["injected"] == kind]
        real = [r for r in sel if r["source"].startswith("iu:")]
        assert len(real) == len(sel) // 2


def test_no_dev_uid_and_no_reuse(rows7, mod):
    dev = mod.dev_uids()
    uids = [r["source"][3:] for r in rows7 if r["source"].startswith("iu:")]
    assert uids
    assert not set(uids) & dev
    assert len(uids) == len(set(uids))


def test_deterministic_and_seed_dependent(mod):
    a = mod.build(11)
    b = mod.build(11)
    c = mod.build(12)
    assert a == b
    assert [r["report"] for r in a] != [r["report"] for r in c]


def test_shuffled(rows7):
    first = [r["injected"] for r in rows7[:60]]
    assert len(set(first)) > 2


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h110.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout110", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h110-3-")
    assert "=====" in res.stdout
