"""Tests for the blind held-out report-check set 116 generator."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import make_heldout116 as mh

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not (mh.reports_tgz().is_file() and mh.dev_jsonl().is_file()),
    reason="shared IU reports / dev set not available (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mh.KINDS:
        assert c[k] == 40
    assert set(c) == {None, *mh.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h116-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    again = mh.build(7)
    assert again == rows
    other = mh.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uids():
    used = mh.used_uids(7)
    assert len(used) == 200
    assert not used & mh.dev_uids()


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(mh.shared_dir()))
    subprocess.run([sys.executable, "-m", "bench.make_heldout116", str(out), "--seed", "3"],
                   cwd=REPO, env=env, check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines == mh.build(3)
