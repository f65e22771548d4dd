"""Tests for bench.make_heldout12 (the v12 blind held-out report-error set)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(tmp_path, seed, name):
    out = tmp_path / name
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout12", str(out), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h12")
    return tmp, _run(tmp, 1301, "a.jsonl")


def test_counts_and_fields(built):
    _, out = built
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(built):
    tmp, out = built
    again = _run(tmp, 1301, "b.jsonl")
    assert out.read_bytes() == again.read_bytes()
    other = _run(tmp, 1302, "c.jsonl")
    assert out.read_bytes() != other.read_bytes()


def test_no_dev_uid_used():
    from bench import make_heldout12 as m

    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl") if line.strip()}
    rows = m.build(1303, SHARED)
    used = {r["_uid"] for r in rows if r["_src"] == "iu"}
    assert used and not used & dev
    assert sum(r["_src"] == "iu" for r in rows) == 200


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout12", str(tmp_path / "x.jsonl")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and "MEDRAG_SHARED_DIR" in p.stderr
