"""Tests for bench/make_heldout93.py (held-out report-check set 93)."""

import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (ARCHIVE.exists() and DEV.exists()),
    reason=f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout93

    return make_heldout93


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(93)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    counts = collections.Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert set(counts) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and len(r["report"]) > 80
        assert isinstance(r["detail"], str)
        if r["injected"]:
            assert r["detail"]
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"h93-93-\d+", i) for i in ids)


def test_half_real_half_bank(rows):
    for kind in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        real = [r for r in grp if "[IU CXR" in r["detail"]]
        assert len(real) == len(grp) // 2


def test_shuffled(rows):
    first = [r["injected"] for r in rows[:40]]
    assert len(set(first)) > 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(93)
    assert again == rows
    other = mod.build(94)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    used = []
    for r in rows:
        m = re.search(r"\[IU (CXR\d+)\]", r["detail"])
        if m:
            used.append(m.group(1))
    assert len(used) == 200
    assert not set(used) & dev
    assert len(set(used)) == len(used)


def test_clean_reports_have_both_sections_and_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            t = r["report"]
            assert re.search(r"(?im)^(findings|report|observations)\b", t)
            assert re.search(r"(?im)^(impression|opinion|conclusion)\b", t)
            assert not re.search(r"\[|\]|<|>|\.{3,}|\*{2,}", t)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout93", str(out), "--seed", "5", "--show", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h93-5-")
    assert "===" in res.stdout
