"""Tests for bench/make_heldout57.py (held-out report-error set, African teaching-hospital chest lists)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU/dev data not found under {SHARED}")
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(tmp_path, seed, name):
    out = tmp_path / name
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(SHARED)}
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout57", str(out), "--seed", str(seed)], cwd=REPO, env=env, check=True
    )
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    d = tmp_path_factory.mktemp("h57")
    return _run(d, 5801, "a.jsonl"), _run(d, 5801, "b.jsonl"), _run(d, 5802, "c.jsonl")


def test_counts_and_fields(generated):
    cases = [json.loads(line) for line in generated[0].read_text().splitlines()]
    assert len(cases) == 400
    assert Counter(c["injected"] for c in cases) == {None: 200, **{k: 40 for k in KINDS}}
    for c in cases:
        assert set(c) == {"id", "injected", "detail", "report"}
        assert c["report"].strip() and isinstance(c["detail"], str)
        assert not any(k in c["id"] for k in KINDS)
    assert len({c["id"] for c in cases}) == 400


def test_half_composed_half_iu(generated):
    cases = [json.loads(line) for line in generated[0].read_text().splitlines()]
    for kind in [None, *KINDS]:
        group = [c for c in cases if c["injected"] == kind]
        assert sum("[IU CXR" in c["detail"] for c in group) == len(group) // 2
        for c in group:
            if "[IU CXR" not in c["detail"]:
                assert "XXXX" not in c["report"]


def test_deterministic_per_seed(generated):
    a, b, c = generated
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_no_dev_uid(generated):
    dev = {json.loads(line)["uid"] for line in (SHARED / "eval" / "report_errors_dev.jsonl").read_text().splitlines()}
    for path in generated:
        for line in path.read_text().splitlines():
            detail = json.loads(line)["detail"]
            if "[IU " in detail:
                uid = detail.rsplit("[IU ", 1)[1].rstrip("]")
                assert uid not in dev


def test_missing_shared_dir_exits_2(tmp_path):
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(tmp_path / "nowhere")}
    r = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout57", str(tmp_path / "x.jsonl")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "MEDRAG_SHARED_DIR" in r.stderr
