"""Tests for the blind held-out report-check set 67 generator."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout67 as gen

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")

pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(autouse=True)
def _shared_env(monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))


@pytest.fixture(scope="module")
def rows7():
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    return gen.build(7)


def test_counts_and_fields(rows7):
    assert len(rows7) == 400
    c = Counter(r["injected"] for r in rows7)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    assert set(c) == {None, *gen.KINDS}
    for r in rows7:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h67-7-")
        assert isinstance(r["report"], str)
        assert "FINDINGS" in r["report"] or "IMPRESSION" in r["report"] or "CONCLUSION" in r["report"]
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows7}) == 400


def test_deterministic_and_seed_dependent(rows7):
    assert gen.build(7) == rows7
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows7]


def test_half_real_no_dev_uid():
    rows = gen.build_with_sources(3)
    dev = gen.dev_uids()
    real = [r for r in rows if r["uid"]]
    assert len(real) == 200
    assert not {r["uid"] for r in real} & dev
    assert len({r["uid"] for r in real}) == 200
    for kind in [None, *gen.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        assert sum(1 for r in grp if r["uid"]) == len(grp) // 2


def test_clean_reports_have_no_template_blanks(rows7):
    for r in rows7:
        if r["injected"] is None:
            assert "[" not in r["report"] and "***" not in r["report"] and "{" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h67.jsonl"
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(SHARED)}
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout67", str(out), "--seed", "5", "--show", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "===" in res.stdout
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h67-5-")
