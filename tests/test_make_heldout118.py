"""Tests for the blind held-out report-check set 118 generator."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout118 as gen

SHARED = gen.shared_dir()
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED}")


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for kind in gen.KINDS:
        assert c[kind] == 40
    assert set(c) == {None, *gen.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and isinstance(r["detail"], str)
        assert r["id"].startswith("h118-7-")
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    assert gen.build(7) == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = gen.dev_uids(str(SHARED))
    used = {m for r in rows for m in re.findall(r"\bCXR\d+\b", r["detail"])}
    assert len(used) >= 150  # half of every group is a real IU report
    assert not used & dev


def test_half_composed_half_iu(rows):
    for kind in [None, *gen.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        iu = sum(1 for r in grp if re.search(r"\bIU CXR\d+", r["detail"]))
        assert iu == len(grp) // 2


def test_clean_reports_have_both_sections(rows):
    for r in rows:
        if r["injected"] is None:
            m = re.search(r"(?:IMPRESSION|CONCLUSION):\s*(\S[^\n]*)", r["report"])
            assert m and not m.group(1).startswith(("Electronically", "Dictated", "Interpreting", "This report")), r
            assert re.search(r"FINDINGS:\s*\S", r["report"]), r


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout118", str(out), "--seed", "3"], check=True,
                   cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h118-3-")
