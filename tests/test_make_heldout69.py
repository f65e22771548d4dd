"""Tests for bench/make_heldout69.py (held-out report-check set 69, VA setting)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(not (ARCHIVE.exists() and DEV.exists()),
                                reason=f"shared IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout69
    return make_heldout69


@pytest.fixture(scope="module")
def rows7(gen):
    return gen.build(7)


def test_counts_and_fields(rows7):
    assert len(rows7) == 400
    c = Counter(r["injected"] for r in rows7)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows7:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h69-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows7}) == 400


def test_half_composed_half_real(rows7):
    for kind in [None, *KINDS]:
        grp = [r for r in rows7 if r["injected"] == kind]
        real = [r for r in grp if "real CXR" in r["detail"]]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(gen, rows7):
    again = gen.build(7)
    assert again == rows7
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows7]


def test_no_dev_uid(gen, rows7):
    dev = gen.dev_uids()
    assert dev
    import re
    used = {m for r in rows7 for m in re.findall(r"\bCXR\d+\b", r["detail"])}
    assert used
    assert not (used & dev)
    assert len(used) == 200  # each real report used once


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h69.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout69", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h69-3-")
    assert "=====" in res.stdout
