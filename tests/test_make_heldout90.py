"""Tests for bench/make_heldout90.py (held-out report-check set 90)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
NEEDED = [SHARED / "eval" / "report_errors_dev.jsonl", SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"]

pytestmark = pytest.mark.skipif(not all(p.exists() for p in NEEDED),
                                reason=f"shared IU reports / dev set not available at {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout90
    return make_heldout90


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(5)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h90-5-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert (r["detail"] == "") == (r["injected"] is None)
    assert len({r["id"] for r in rows}) == 400


def test_half_bank_half_iu(mod):
    full = mod.build_with_sources(5)
    for kind in [None, *KINDS]:
        src = [r["source"] for r in full if r["injected"] == kind]
        n_iu = sum(s.startswith("iu:") for s in src)
        assert n_iu == len(src) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(5)
    assert again == rows
    other = mod.build(6)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod):
    dev = mod.dev_uids()
    assert dev
    for seed in (5, 11):
        for r in mod.build_with_sources(seed):
            if r["source"].startswith("iu:"):
                assert r["source"][3:] not in dev


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h90.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout90", str(out), "--seed", "3"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert all(set(x) == {"id", "injected", "detail", "report"} for x in lines)
    assert lines[0]["id"].startswith("h90-3-")
