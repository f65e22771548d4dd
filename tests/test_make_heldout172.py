"""Tests for the held-out report-error set 172 (PH/PE services)."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout172 as mh

SHARED = mh.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
    pytest.skip(f"shared data absent at {SHARED}", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    return mh.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for k in [None] + KINDS:
        group = [r for r in rows if r["injected"] == k]
        iu = [r for r in group if re.match(r"IU CXR\d+", r["detail"])]
        assert len(iu) == len(group) // 2


def test_iu_uids_distinct_and_not_dev(rows):
    uids = [re.match(r"IU (CXR\d+)", r["detail"]).group(1) for r in rows if r["detail"].startswith("IU ")]
    assert len(uids) == 200 and len(set(uids)) == 200
    dev = {json.loads(ln)["uid"] for ln in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    assert not set(uids) & dev


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ["[ ]", "***", "<<", "[***]", "[SIDE]"]:
                assert blank not in r["report"], (r["id"], blank)


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<|___|\bXX\b", r["report"]), r["id"]


def test_deterministic_and_seed_dependent(rows):
    again = mh.build(3)
    assert again == rows
    other = mh.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout172", str(out), "--seed", "3"],
                   cwd=root, env=env, check=True, capture_output=True)
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h172-3-")
