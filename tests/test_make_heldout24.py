"""Tests for the blind held-out generator bench/make_heldout24.py (short and long reports)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
pytestmark = pytest.mark.skipif(not ARCHIVE.exists(), reason=f"IU archive not found under {SHARED}")
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(tmp_path, seed):
    out = tmp_path / f"h24_{seed}.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout24", str(out), "--seed", str(seed)],
                   cwd=ROOT, env=env, check=True)
    return out


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("h24"), 2501)


def test_counts_and_fields(first):
    cases = [json.loads(line) for line in first.read_text().splitlines()]
    assert len(cases) == 400
    assert Counter(c["injected"] for c in cases) == Counter({None: 200, **{k: 40 for k in KINDS}})
    for c in cases:
        assert set(c) == {"id", "injected", "detail", "report"}
        assert c["report"].strip() and c["detail"]
        assert not any(k in c["id"] for k in KINDS)
    assert len({c["id"] for c in cases}) == 400


def test_deterministic_per_seed(first, tmp_path):
    assert _run(tmp_path, 2501).read_bytes() == first.read_bytes()
    assert _run(tmp_path, 2502).read_bytes() != first.read_bytes()


def test_no_dev_uid(first):
    dev = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev.exists():
        pytest.skip("dev set absent")
    uids = {json.loads(line)["uid"] for line in dev.open()}
    used = set()
    for line in first.read_text().splitlines():
        detail = json.loads(line)["detail"]
        if "(IU " in detail:
            used.add(detail.split("(IU ")[1].split(",")[0])
    assert used and not used & uids


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    r = subprocess.run([sys.executable, "-m", "bench.make_heldout24", str(tmp_path / "o.jsonl")],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "MEDRAG_SHARED_DIR" in r.stderr
