"""Tests for bench/make_heldout30.py (held-out set: several findings on both sides at once)."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DATA = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(not (DATA.is_file() and DEV.is_file()),
                                reason=f"shared IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(tmp_path, seed, name):
    out = tmp_path / name
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout30", str(out), "--seed", str(seed)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h30")
    a = _run(tmp, 3101, "a.jsonl")
    b = _run(tmp, 3101, "b.jsonl")
    c = _run(tmp, 3102, "c.jsonl")
    return a, b, c


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_counts_and_fields(generated):
    rows = _rows(generated[0])
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert r["report"].strip() and r["detail"]
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    for r in rows:
        assert not any(k in r["id"] for k in KINDS + ["clean"])


def test_deterministic_per_seed(generated):
    a, b, c = generated
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_no_dev_uid(generated):
    dev = {json.loads(line)["uid"] for line in DEV.read_text().splitlines()}
    used = set()
    for r in _rows(generated[0]):
        used |= set(re.findall(r"\bIU (CXR\d+)", r["detail"]))
    assert len(used) == 200
    assert not used & dev


def test_clean_reports_have_both_sections_and_no_placeholder(generated):
    for r in _rows(generated[0]):
        if r["injected"] is None:
            text = r["report"]
            assert re.search(r"findings:\s*\S", text, re.I)
            assert re.search(r"impression:\s*\S", text, re.I)
            assert not re.search(r"\[|<\w+>|\*\*|\bXX\b|___ (mm|cm)", text)


def test_missing_shared_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout30", str(tmp_path / "x.jsonl")],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 2
    assert "MEDRAG_SHARED_DIR" in p.stderr
