"""Tests for the blind held-out report-check set 94 generator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout94 as gen

REPO = Path(__file__).resolve().parent.parent
SHARED = gen.shared_dir()
HAVE_DATA = (SHARED / "eval" / "report_errors_dev.jsonl").is_file() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
).is_file()

pytestmark = pytest.mark.skipif(
    not HAVE_DATA, reason=f"shared eval data not found under {SHARED} (set MEDRAG_SHARED_DIR)"
)


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    assert set(c) == {None, *gen.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h94-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
        else:
            assert r["detail"] == ""
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for kind in (None, *gen.KINDS):
        sel = [r for r in rows if r["injected"] == kind]
        if kind is None:
            continue
        real = sum(r["detail"].startswith("[IU ") for r in sel)
        assert real == len(sel) // 2


def test_deterministic_and_seed_dependent(rows):
    again = gen.build(7)
    assert again == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]
    assert other[0]["id"].startswith("h94-8-")


def test_no_dev_uid(rows):
    dev = gen.dev_uids(SHARED)
    assert dev
    # every real report used is named in its build; check both the labelled and the clean ones
    used = gen.used_uids(7)
    assert len(used) == 200
    assert not (used & dev)
    for r in rows:
        if r["detail"].startswith("[IU "):
            uid = r["detail"][4:].split("]", 1)[0]
            assert uid not in dev


def test_no_placeholder_in_clean(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            assert "***" not in r["report"]
            assert "[ ]" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h94.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    proc = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout94", str(out), "--seed", "3"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines == gen.build(3)
