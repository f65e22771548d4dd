"""Tests for bench/make_heldout124.py (held-out report-check set 124, Cyprus/Malta setting)."""

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (TGZ.exists() and DEV.exists()),
    reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout124

    return make_heldout124


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
        assert r["id"].startswith("h124-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if r["detail"].startswith("IU ")]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(gen, rows):
    again = gen.build(7)
    assert json.dumps(again, sort_keys=True) == json.dumps(rows, sort_keys=True)
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(gen, rows):
    dev = gen.dev_uids()
    assert dev
    for r in rows:
        if r["detail"].startswith("IU "):
            uid = r["detail"].split()[1].rstrip(":")
            assert uid.startswith("CXR")
            assert uid not in dev


def test_clean_rows_have_no_placeholder(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[", "{", "<<", "***", "<insert", "<name"):
                assert tok not in r["report"], r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h124.jsonl"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout124", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h124-3-")
    assert "=====" in res.stdout
