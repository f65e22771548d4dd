"""Tests for bench/make_heldout56.py (blind held-out report-check set, Nordic/Dutch/German English reports)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not ARCHIVE.exists(), reason=f"shared IU archive not found under {SHARED} (MEDRAG_SHARED_DIR)"),
]


def _run(tmp_path, seed):
    out = tmp_path / f"set_{seed}.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout56", str(out), "--seed", str(seed)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("h56"), 5701)


def test_counts_and_fields(first):
    rows = [json.loads(line) for line in first.read_text().splitlines()]
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding",
                 "placeholder"]:
        assert counts[kind] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400
    assert all(r["injected"] not in r["id"] for r in rows if r["injected"])


def test_deterministic_per_seed(first, tmp_path):
    again = _run(tmp_path, 5701)
    assert again.read_bytes() == first.read_bytes()
    other = _run(tmp_path, 5702)
    assert other.read_bytes() != first.read_bytes()


def test_no_dev_uid_used(first):
    if not DEV.exists():
        pytest.skip("dev set absent")
    dev = {json.loads(line)["uid"] for line in DEV.open()}
    used = set()
    for line in first.read_text().splitlines():
        detail = json.loads(line)["detail"]
        if detail.startswith("IU "):
            used.add(detail.split()[1].rstrip(":"))
    assert len(used) == 200
    assert not used & dev


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout56", str(tmp_path / "o.jsonl"), "--seed", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True)
    assert res.returncode == 2
    assert "MEDRAG_SHARED_DIR" in res.stderr
