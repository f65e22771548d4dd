"""Tests for the blind held-out report-check set 107 generator."""

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
NEEDED = [
    SHARED / "eval" / "report_errors_dev.jsonl",
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz",
]

pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in NEEDED),
    reason=f"shared eval/IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout107
    return make_heldout107


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert "FINDINGS" in r["report"]
        if r["injected"]:
            assert r["detail"]
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 400
    assert all(i.startswith("h107-7-") for i in ids)


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used(mod):
    dev = mod.dev_uids(SHARED)
    assert dev
    rows = mod.build_with_sources(7)
    srcs = [r["source"] for r in rows]
    assert not set(srcs) & dev
    real = [s for s in srcs if s != "bank"]
    assert len(real) == 200 and len(set(real)) == 200
    assert srcs.count("bank") == 200


def test_no_placeholder_tokens_in_clean(rows):
    for r in rows:
        if r["injected"] is None:
            assert "***" not in r["report"]
            assert "[" not in r["report"] and "{" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    subprocess.run([sys.executable, "-m", "bench.make_heldout107", str(out), "--seed",
                    "3"], cwd=REPO, check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h107-3-")
