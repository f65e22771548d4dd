"""Tests for bench/make_heldout83.py (held-out report-check set 83)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DATA_OK = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()

pytestmark = pytest.mark.skipif(not DATA_OK, reason=f"shared IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout83

    return make_heldout83


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
        assert r["id"].startswith("h83-5-")
        assert isinstance(r["report"], str) and len(r["report"]) > 40
        assert isinstance(r["detail"], str) and r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(5)
    assert again == rows
    other = mod.build(6)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used(mod):
    mod.build(5)
    used = set(mod.LAST_UIDS)
    assert len(used) == 200
    dev = mod.dev_uids()
    assert dev
    assert not used & dev


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h83.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout83", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h83-3-")
