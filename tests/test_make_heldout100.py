"""Tests for bench/make_heldout100.py (held-out report-check set 100)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (TGZ.is_file() and DEV.is_file()),
    reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ("missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder")


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout100
    return make_heldout100


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(3)


def test_counts_fields_ids(rows):
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in KINDS:
        assert counts[kind] == 40
    assert set(counts) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h100-3-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(gen, rows):
    assert gen.build(3) == rows
    other = gen.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uids(gen):
    dev = gen.load_dev_uids()
    assert dev
    used = gen.source_uids(3)
    assert len(used) == 200  # half of every group is a real report, each used once
    assert not used & dev


def test_clean_reports_have_no_placeholders(rows):
    import re
    ph = re.compile(r"\[|\]|<<|\*\*\*|DD/MM|\(specify\)")
    assert not [r["id"] for r in rows if r["injected"] is None and ph.search(r["report"])]
    assert all(ph.search(r["report"]) for r in rows if r["injected"] == "placeholder")


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h100.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    proc = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout100", str(out), "--seed", "5", "--show", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h100-5-")
    assert "=====" in proc.stdout
