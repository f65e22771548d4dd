"""Tests for the blind held-out report-check set 120 generator."""

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
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout120

    return make_heldout120


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


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
        assert r["id"].startswith("h120-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_bank_half_real(rows):
    for kind in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        real = [r for r in grp if "[IU CXR" in r["detail"]]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod, rows):
    dev = mod.dev_uids()
    assert dev
    used = set()
    for r in rows:
        if "[IU " in r["detail"]:
            uid = r["detail"].rsplit("[IU ", 1)[1].rstrip("]")
            used.add(uid)
            assert uid not in dev
    assert len(used) == 200


def test_clean_have_no_placeholder_tokens(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[", "***", "<", "..."):
                assert tok not in r["report"], (r["id"], tok)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h120.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout120", str(out), "--seed", "3"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h120-3-")
