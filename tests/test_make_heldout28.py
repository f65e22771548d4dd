"""Tests for bench/make_heldout28.py (blind held-out set: numbers, sizes and measures)."""

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
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]

pytestmark = pytest.mark.skipif(not ARCHIVE.exists(), reason=f"shared IU data not found under {SHARED}")


def _run(out: Path, seed: int) -> list[dict]:
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout28", str(out), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    out = tmp_path_factory.mktemp("h28") / "a.jsonl"
    return out, _run(out, 2901)


def test_counts_and_fields(cases):
    _, cs = cases
    assert len(cs) == 400
    counts = Counter(c["injected"] for c in cs)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    for c in cs:
        assert set(c) == {"id", "injected", "detail", "report"}
        assert c["report"].strip() and c["detail"]
        assert c["injected"] is None or c["injected"] in KINDS
    assert len({c["id"] for c in cs}) == 400


def test_half_composed_half_iu(cases):
    _, cs = cases
    for k in [None] + KINDS:
        grp = [c for c in cs if c["injected"] == k]
        iu = [c for c in grp if c["detail"].startswith("IU CXR")]
        assert len(iu) == len(grp) // 2
        assert not any("XXXX" in c["report"] for c in grp if not c["detail"].startswith("IU CXR"))


def test_determinism(cases, tmp_path):
    out, _ = cases
    again = tmp_path / "b.jsonl"
    _run(again, 2901)
    assert again.read_bytes() == out.read_bytes()
    other = tmp_path / "c.jsonl"
    _run(other, 2902)
    assert other.read_bytes() != out.read_bytes()


def test_no_dev_uid(cases):
    _, cs = cases
    dev_path = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev_path.exists():
        pytest.skip("dev set absent")
    dev = {json.loads(line)["uid"] for line in dev_path.open() if line.strip()}
    used = {c["detail"].split(":")[0].split()[1] for c in cs if c["detail"].startswith("IU CXR")}
    assert used and not used & dev


def test_missing_shared_dir_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    r = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout28", str(tmp_path / "x.jsonl"), "--seed", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "MEDRAG_SHARED_DIR" in r.stderr
