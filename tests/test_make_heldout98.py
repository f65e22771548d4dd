"""Tests for the blind held-out report-check set 98 generator."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout98 as m

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason="shared IU reports / dev set not available (set MEDRAG_SHARED_DIR)",
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
        assert r["report"].strip()
        assert r["id"].startswith("h98-3-")
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    assert m.build(3) == rows
    assert [r["report"] for r in m.build(4)] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = m.dev_uids()
    used = {u for r in rows for u in re.findall(r"\[IU (CXR\d+)\]", r["detail"])}
    assert len(used) == 200
    assert not used & dev


def test_cli_writes(tmp_path):
    out = tmp_path / "o.jsonl"
    subprocess.run([sys.executable, "-m", "bench.make_heldout98", str(out), "--seed", "5"], cwd=REPO, check=True,
                   capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines == m.build(5)
