"""Tests for the blind held-out set generator bench/make_heldout55.py (US outpatient chest list)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not ARCHIVE.is_file(), reason=f"IU archive not found under {SHARED} (set MEDRAG_SHARED_DIR)"),
]


def run(tmp_path, seed, name):
    out = tmp_path / name
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout55", str(out), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    out = run(tmp_path_factory.mktemp("h55"), 5601, "a.jsonl")
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200 and all(c[k] == 40 for k in KINDS)
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
    assert len({r["id"] for r in rows}) == 400
    assert not any(k in r["id"] for r in rows for k in KINDS)


def test_half_composed_half_iu(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(r["detail"].startswith("IU ") for r in group) == len(group) // 2
        assert not any("XXXX" in r["report"] for r in group if not r["detail"].startswith("IU "))


def test_no_dev_uid(rows):
    dev_path = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev_path.is_file():
        pytest.skip("dev set absent")
    dev = {json.loads(line)["uid"] for line in dev_path.open() if line.strip()}
    used = {u for r in rows for u in re.findall(r"IU (CXR\d+)", r["detail"])}
    assert len(used) == 200 and not used & dev


def test_deterministic_per_seed(tmp_path):
    a = run(tmp_path, 5602, "a.jsonl").read_bytes()
    b = run(tmp_path, 5602, "b.jsonl").read_bytes()
    c = run(tmp_path, 5603, "c.jsonl").read_bytes()
    assert a == b and a != c


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout55", str(tmp_path / "x.jsonl"), "--seed", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and "MEDRAG_SHARED_DIR" in p.stderr
