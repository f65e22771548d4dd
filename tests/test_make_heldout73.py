"""Tests for the blind held-out report-check set 73 generator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()

pytestmark = pytest.mark.skipif(
    not HAVE_DATA, reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)"
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout73
    return make_heldout73


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert {"id", "injected", "detail", "report"} <= set(r)
        assert r["id"].startswith("h73-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"] is None:
            assert r["detail"] == ""
        else:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_clean_have_no_template_fields(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            assert "***" not in r["report"] and "[ ]" not in r["report"], r["id"]


def test_deterministic_and_seed_dependent(gen, rows):
    again = gen.build(7)
    assert again == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(gen):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                u = json.loads(line).get("uid")
                if u:
                    dev.add(u)
    assert dev
    for seed in (7, 11):
        _, used = gen.build_with_sources(seed)
        assert len(used) == 200  # half of every group is a real report, each used once
        assert not (used & dev)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h73.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout73", str(out), "--seed", "3"],
                   cwd=REPO, env=env, check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h73-3-")
