"""Tests for bench/make_heldout43.py (the blind everyday-hospital held-out set generator)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(not ARCHIVE.exists(), reason=f"shared IU data not found under {SHARED}")


def _run(tmp_path, seed):
    out = tmp_path / f"h43_{seed}.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout43", str(out), "--seed", str(seed)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h43")
    return _run(tmp, 4401), _run(tmp, 4401), _run(tmp, 4402)


def test_counts_and_fields(built):
    rows = [json.loads(line) for line in built[0].read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(built):
    a, b, c = built
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_no_dev_uid_used(built):
    if not DEV.exists():
        pytest.skip("dev set not present")
    dev = {json.loads(line)["uid"] for line in DEV.read_text().splitlines() if line.strip()}
    for r in map(json.loads, built[0].read_text().splitlines()):
        for uid in dev:
            assert f"[IU {uid}]" not in r["detail"] and not r["detail"].endswith(f"{uid}, re-laid-out")


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout43", str(tmp_path / "o.jsonl"), "--seed", "1"],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and "MEDRAG_SHARED_DIR" in p.stderr
