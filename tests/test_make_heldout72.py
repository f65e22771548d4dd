"""Tests for the blind held-out report-check set 72 generator."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import make_heldout72 as m

REPO = Path(__file__).resolve().parents[1]
SHARED = m.shared_dir()
HAVE_DATA = (SHARED / "eval" / "report_errors_dev.jsonl").is_file() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
).is_file()

pytestmark = pytest.mark.skipif(
    not HAVE_DATA, reason=f"shared eval/IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)"
)


@pytest.fixture(scope="module")
def rows():
    return m.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in m.KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["id"].startswith("h72-7-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for k in [None] + m.KINDS:
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if r["detail"].startswith("IU ")]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(rows):
    assert m.build(7) == rows
    other = m.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = m.dev_uids(SHARED)
    used = {r["detail"].split(":")[0].split()[1] for r in rows if r["detail"].startswith("IU ")}
    assert used
    assert not used & dev
    assert len(used) == len([r for r in rows if r["detail"].startswith("IU ")])


def test_clean_reports_have_no_placeholder(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            for ph in ("[***]", "[ ]", "< >", "<<>>", "{ }", "[insert]", "(***)"):
                assert ph not in r["report"], r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h72.jsonl"
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout72", str(out), "--seed", "3"],
                          cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert "400" in proc.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h72-3-")
