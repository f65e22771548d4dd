"""Tests for the blind held-out report-check generator bench/make_heldout14.py."""

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data not found under {SHARED} (MEDRAG_SHARED_DIR)")
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def run(out, seed):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout14", str(out), "--seed", str(seed)], cwd=REPO,
                   env=env, check=True, capture_output=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def built():
    from bench import make_heldout14 as m

    return m.build(1501, SHARED)


@pytest.mark.shared
@needs_data
def test_counts_and_fields(tmp_path):
    data = run(tmp_path / "a.jsonl", 1501)
    rows = [json.loads(line) for line in data.decode().splitlines()]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    counts = collections.Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    assert all(counts[k] == 40 for k in KINDS)
    assert len({r["id"] for r in rows}) == 400
    assert all(r["report"].strip() for r in rows)
    assert all(isinstance(r["detail"], str) and (r["detail"] or r["injected"] is None) for r in rows)


@pytest.mark.shared
@needs_data
def test_deterministic_per_seed(tmp_path):
    a = run(tmp_path / "a.jsonl", 1502)
    b = run(tmp_path / "b.jsonl", 1502)
    c = run(tmp_path / "c.jsonl", 1503)
    assert a == b
    assert a != c


@pytest.mark.shared
@needs_data
def test_no_dev_uid_and_halves(built):
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    iu = [c for c in built if c["origin"] == "iu"]
    assert iu and not {c["uid"] for c in iu} & dev
    assert len({c["uid"] for c in iu}) == len(iu)
    per = collections.Counter((c["injected"], c["origin"]) for c in built)
    assert per[(None, "iu")] == per[(None, "composed")] == 100
    for k in KINDS:
        assert per[(k, "iu")] == per[(k, "composed")] == 20
    assert not any("XXXX" in c["report"] for c in built if c["origin"] == "composed")


@pytest.mark.shared
@needs_data
def test_placeholders_only_in_placeholder_cases(built):
    from bench.make_heldout14 import PH_RE

    for c in built:
        assert bool(PH_RE.search(c["report"])) == (c["injected"] == "placeholder"), c["report"]


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout14", str(tmp_path / "o.jsonl")], cwd=REPO, env=env,
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert "MEDRAG_SHARED_DIR" in p.stderr
