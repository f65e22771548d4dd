"""Tests for bench/make_heldout117.py (held-out report-check set 117)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
NEEDED = [
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz",
    SHARED / "eval" / "report_errors_dev.jsonl",
]
pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in NEEDED),
    reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout117

    return make_heldout117


@pytest.fixture(scope="module")
def rows7(mod):
    return mod.build(7, with_uid=True)


def test_counts_and_fields(rows7):
    assert len(rows7) == 400
    c = Counter(r["injected"] for r in rows7)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows7:
        assert {"id", "injected", "detail", "report"} <= set(r)
        assert r["id"].startswith("h117-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows7}) == 400


def test_half_real_half_composed(rows7):
    for kind in [None, *KINDS]:
        grp = [r for r in rows7 if r["injected"] == kind]
        real = [r for r in grp if r["uid"]]
        assert len(real) == len(grp) // 2


def test_no_dev_uid(mod, rows7):
    dev = mod.dev_uids()
    used = [r["uid"] for r in rows7 if r["uid"]]
    assert used and not set(used) & dev
    assert len(used) == len(set(used))


def test_plain_build_has_four_fields(mod):
    rows = mod.build(3)
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)


def test_deterministic_and_seed_dependent(mod, rows7):
    again = mod.build(7, with_uid=True)
    assert again == rows7
    other = mod.build(8, with_uid=True)
    assert [r["report"] for r in other] != [r["report"] for r in rows7]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h117.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout117", str(out), "--seed", "5", "--show", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in lines)
    assert "====" in res.stdout
