"""Tests for bench/make_heldout121.py (held-out report-check set 121)."""

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
IU = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (IU.is_file() and DEV.is_file()),
    reason=f"shared data absent ({IU} / {DEV}); set MEDRAG_SHARED_DIR",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout121

    return make_heldout121


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(5)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h121-5-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        iu = sum(r["detail"].startswith("IU") for r in grp)
        assert iu == len(grp) // 2


def test_shuffled(rows):
    first = [r["injected"] for r in rows[:40]]
    assert len(set(first)) > 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(5)
    assert again == rows
    other = mod.build(6)
    assert [r["report"] for r in other] != [r["report"] for r in rows]
    assert other[0]["id"].startswith("h121-6-")


def test_no_dev_uid(mod):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            dev.add(d["uid"])
    used = mod.used_uids(5)
    assert len(used) == 200
    assert not used & dev
    assert not mod.used_uids(7) & dev


def test_no_unintended_blanks_in_clean(rows):
    marks = ["[ ]", "<<", ">>", "***", "....", "[right/left]", "[date]"]
    for r in rows:
        if r["injected"] != "placeholder":
            assert not any(m in r["report"] for m in marks), r


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h121.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout121", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h121-3-")
    assert "placeholder" in res.stdout
