"""Tests for the blind held-out report-check set 92 generator."""

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
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).is_file()

pytestmark = pytest.mark.skipif(
    not HAVE_DATA, reason=f"IU reports or dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)"
)

KINDS = {
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
}


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout92

    return make_heldout92


@pytest.fixture(scope="module")
def rows7(mod):
    return mod.build_with_sources(7)


def test_counts_and_fields(rows7):
    rows, _ = rows7
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == KINDS | {None}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert r["id"].startswith("h92-7-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(rows7):
    rows, uids = rows7
    for kind in [None, *KINDS]:
        src = [u for r, u in zip(rows, uids, strict=True) if r["injected"] == kind]
        assert sum(1 for u in src if u) == len(src) // 2


def test_no_dev_uid(rows7, mod):
    _, uids = rows7
    used = [u for u in uids if u]
    assert len(used) == len(set(used)) == 200
    assert not set(used) & mod.dev_uids()
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    assert not set(used) & dev


def test_deterministic_and_seed_dependent(mod, rows7):
    again = mod.build(7)
    assert again == rows7[0]
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in again]
    assert other[0]["id"].startswith("h92-8-")


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout92", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h92-3-")
    assert "=====" in res.stdout
