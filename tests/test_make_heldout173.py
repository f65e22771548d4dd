"""Tests for the held-out report-error set 173 (bench/make_heldout173.py)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout173 as m

SHARED = m.shared_dir()
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason=f"shared data (IU archive, dev set) not found under {SHARED}",
)


@pytest.fixture(scope="module")
def rows():
    return m.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in m.KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h173-3-")
        assert r["report"].strip() and r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for kind in [None] + m.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        iu = [r for r in grp if r["detail"].startswith("IU CXR")]
        assert len(iu) * 2 == len(grp), kind


def test_iu_reports_distinct_and_not_dev(rows):
    dev = m.dev_uids()
    uids = [r["detail"].split(":")[0].split()[1] for r in rows if r["detail"].startswith("IU CXR")]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ("[ ]", "***", "<<", ">>", "XX cm", "XX mm", "[***]"):
                assert blank not in r["report"], (r["id"], blank)


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert any(b in r["report"] for b in ("[", "<<", "***", "XX ", "__")), r["id"]


def test_deterministic_and_seed_dependent(rows):
    assert m.build(3) == rows
    other = m.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout173", str(out), "--seed", "5"],
                   check=True, cwd=Path(m.__file__).resolve().parents[1], env=env, capture_output=True)
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h173-5-")
