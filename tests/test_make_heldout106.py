"""Tests for the blind held-out report-check set 106 generator."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout106 as gen

REPO = Path(__file__).resolve().parent.parent
KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]

pytestmark = pytest.mark.skipif(
    not (gen.archive_path().exists() and gen.dev_path().exists()),
    reason="shared IU reports / dev set not available (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def rows():
    return gen.build(5)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["id"].startswith("h106-5-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    again = gen.build(5)
    assert again == rows
    other = gen.build(6)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = gen.dev_uids()
    assert dev
    used = {u for r in rows for u in re.findall(r"\bCXR\d+\b", r["detail"])}
    assert used
    assert not used & dev
    pools = gen.real_pools(gen.random.Random(5 * 7919 + 106))
    uids = {rec["uid"] for v in pools.values() for rec in v}
    assert not uids & dev


def test_clean_reports_have_no_placeholder(rows):
    for r in rows:
        if r["injected"] is None:
            assert "[" not in r["report"] and "***" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h106.jsonl"
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout106", str(out), "--seed", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h106-2-")
