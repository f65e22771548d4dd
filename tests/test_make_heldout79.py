"""Tests for bench/make_heldout79.py (held-out report-check set 79, US military treatment facilities)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
NEEDED = [SHARED / "eval" / "report_errors_dev.jsonl", SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not all(p.exists() for p in NEEDED),
                       reason=f"shared data absent under {SHARED} (set MEDRAG_SHARED_DIR)"),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout79

    return make_heldout79


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(11)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h79-11-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert (r["detail"] == "") == (r["injected"] is None)
    assert len({r["id"] for r in rows}) == 400


def test_half_bank_half_real(gen):
    src = gen.build_with_sources(11)
    for k in [None, *KINDS]:
        grp = [r for r in src if r["injected"] == k]
        bank = sum(r["source"] == "bank" for r in grp)
        assert bank == len(grp) // 2
    uids = [r["source"] for r in src if r["source"] != "bank"]
    assert len(uids) == len(set(uids))


def test_no_dev_uid(gen):
    dev = set()
    with open(NEEDED[0], encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    for seed in (11, 12):
        used = {r["source"] for r in gen.build_with_sources(seed) if r["source"] != "bank"}
        assert used and not used & dev


def test_deterministic_and_seed_dependent(gen, rows):
    assert gen.build(11) == rows
    other = gen.build(12)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_clean_reports_have_no_template_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[***]", "***", "[ ]", "<***>", "{***}"):
                assert tok not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h79.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout79", str(out), "--seed", "5", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert all(x["id"].startswith("h79-5-") for x in lines)
    assert "=====" in res.stdout
