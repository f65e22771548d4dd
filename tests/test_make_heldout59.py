"""Tests for bench/make_heldout59.py (blind held-out set: children's hospital chest list)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
ARCHIVE = SHARED / "data/iu_reports/NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not ARCHIVE.exists(), reason=f"shared IU data not found under {SHARED}")


def _run(out: Path, seed: int) -> list[dict]:
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout59", str(out), "--seed", str(seed)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("h59") / "a.jsonl", 6001)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding",
                 "placeholder"]:
        assert counts[kind] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(tmp_path):
    a = _run(tmp_path / "a.jsonl", 6002)
    b = _run(tmp_path / "b.jsonl", 6002)
    c = _run(tmp_path / "c.jsonl", 6003)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert a == b and a != c


def test_no_dev_uid_used():
    dev = SHARED / "eval/report_errors_dev.jsonl"
    if not dev.exists():
        pytest.skip("dev set absent")
    sys.path.insert(0, str(REPO))
    from bench.make_heldout59 import build

    dev_uids = {json.loads(line)["uid"] for line in dev.open()}
    used = {r["_src"][3:] for r in build(6001) if r["_src"].startswith("IU ")}
    assert used and not used & dev_uids


def test_missing_shared_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout59", str(tmp_path / "x.jsonl"), "--seed", "1"],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and "MEDRAG_SHARED_DIR" in p.stderr
