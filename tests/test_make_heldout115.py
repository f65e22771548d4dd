"""Tests for the blind held-out report-check set 115 generator."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "eval" / "report_errors_dev.jsonl").exists() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared eval/IU data not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    from bench.make_heldout115 import build
    return build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["id"].startswith("h115-3-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    from bench.make_heldout115 import build
    assert build(3) == rows
    other = build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used():
    from bench import make_heldout115 as m
    dev = m.dev_uids(SHARED)
    assert dev
    rows, uids = m.build_with_sources(5)
    assert len(uids) == len(rows)
    used = [u for u in uids if u]
    assert len(used) == 200
    assert len(set(used)) == 200
    assert not set(used) & dev
    for r in rows:
        if r["detail"].startswith("CXR"):
            assert r["detail"].split(":")[0] not in dev


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "bench.make_heldout115", str(out), "--seed", "7"],
                   cwd=REPO, check=True, env=env, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h115-7-")
