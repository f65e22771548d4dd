"""Tests for the blind held-out report-check set 76 generator."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout76 as gen

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not (gen.archive_path().is_file() and gen.dev_path().is_file()),
    reason="shared IU reports / dev set not available (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    kinds = Counter(r["injected"] for r in rows)
    assert kinds[None] == 200
    for k in gen.KINDS:
        assert kinds[k] == 40
    assert set(kinds) == {None, *gen.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h76-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for kind in [None, *gen.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        real = [r for r in grp if r["detail"].startswith("real IU ")]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(rows):
    again = gen.build(7)
    assert again == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = gen.dev_uids()
    used = []
    for r in rows:
        if r["detail"].startswith("real IU "):
            used.append(r["detail"].split()[2].rstrip(":"))
    assert used and not (set(used) & dev)
    assert len(used) == len(set(used))


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h76.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout76", str(out), "--seed", "3"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h76-3-")
