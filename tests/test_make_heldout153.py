"""Tests for the blind held-out report-error set 153 (offshore / seafarer / diver medicals)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout153 as mh

SHARED = mh.shared_dir()
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason="shared IU data (../shared) not available",
)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


def _uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mh.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h153-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *mh.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(_uid(r) is not None for r in group) == len(group) // 2


def test_iu_distinct_and_not_dev(rows):
    uids = [_uid(r) for r in rows if _uid(r)]
    assert len(uids) == 200 and len(set(uids)) == 200
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl") if line.strip()}
    assert not set(uids) & dev


def test_clean_has_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ("[ ]", "***", "<<", "[", "___"):
                assert blank not in r["report"], (r["id"], blank)


def test_deterministic_and_seed_dependent(rows):
    assert mh.build(7) == rows
    assert [r["report"] for r in mh.build(8)] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    subprocess.run([sys.executable, "-m", "bench.make_heldout153", str(out), "--seed", "3"], cwd=ROOT, check=True,
                   capture_output=True)
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h153-3-")
