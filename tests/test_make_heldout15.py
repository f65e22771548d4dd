"""Tests of the blind held-out generator no. 15 (bench/make_heldout15.py)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or (REPO.parent / "shared"))
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not ARCHIVE.exists(), reason=f"shared IU archive not found at {ARCHIVE} (set MEDRAG_SHARED_DIR)"
    ),
]


def _run(tmp_path: Path, seed: int, name: str) -> Path:
    out = tmp_path / name
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(SHARED)}
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout15", str(out), "--seed", str(seed)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("h15"), 1601, "a.jsonl")


def test_counts_and_fields(first):
    lines = [json.loads(x) for x in first.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    counts = Counter(x["injected"] for x in lines)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    for x in lines:
        assert set(x) == {"id", "injected", "detail", "report"}
        assert x["report"].strip() and x["detail"]
        assert x["injected"] is None or x["injected"] in KINDS
        assert not any(k in x["id"] for k in KINDS)
    assert len({x["id"] for x in lines}) == 400


def test_deterministic_per_seed(first, tmp_path):
    again = _run(tmp_path, 1601, "b.jsonl")
    other = _run(tmp_path, 1602, "c.jsonl")
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


@pytest.mark.skipif(not DEV.exists(), reason="dev set not found under the shared folder")
def test_no_dev_uid_used():
    from bench.make_heldout15 import make_set

    dev = {json.loads(x)["uid"] for x in DEV.read_text().splitlines() if x.strip()}
    lines = make_set(1603, SHARED)
    uids = [x["_uid"] for x in lines if x["_uid"]]
    assert len(uids) == 200  # half of every group is a real IU report
    assert len(set(uids)) == len(uids)
    assert not set(uids) & dev


def test_half_composed_half_real_per_group():
    from bench.make_heldout15 import make_set

    lines = make_set(1602, SHARED)
    for kind in [None, *KINDS]:
        group = [x for x in lines if x["injected"] == kind]
        real = sum(1 for x in group if x["_uid"])
        assert real * 2 == len(group)
        composed = [x for x in group if not x["_uid"]]
        assert not any("XXXX" in x["report"] for x in composed)


def test_missing_shared_dir_exits_2(tmp_path):
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(tmp_path / "nowhere")}
    r = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout15", str(tmp_path / "x.jsonl"), "--seed", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "MEDRAG_SHARED_DIR" in r.stderr
