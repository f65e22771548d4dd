"""Tests for bench/make_heldout111.py (held-out report-check set 111)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).is_file()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU reports / dev set not found under {SHARED}"),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout111

    return make_heldout111


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
        assert isinstance(r["report"], str) and r["report"].strip()
        assert r["id"].startswith("h111-7-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_half_real_half_bank_and_no_dev_uid(mod):
    full = mod.build_with_sources(7)
    dev = mod.dev_uids()
    assert dev
    real = [r for r in full if r["source"].startswith("iu:")]
    for kind in [None, *KINDS]:
        n = sum(1 for r in full if r["injected"] == kind and r["source"].startswith("iu:"))
        assert n == (100 if kind is None else 20)
    uids = [r["source"][3:] for r in real]
    assert not set(uids) & dev
    assert len(set(uids)) == len(uids)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h111.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout111", str(out), "--seed", "3"], cwd=REPO,
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert all(set(x) == {"id", "injected", "detail", "report"} for x in lines)
    assert lines[0]["id"].startswith("h111-3-")
