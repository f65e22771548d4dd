"""Tests for bench/make_heldout91.py (held-out report-check set 91, written blind)."""

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
NEEDED = [SHARED / "eval" / "report_errors_dev.jsonl", SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not all(p.exists() for p in NEEDED),
        reason=f"shared data absent under {SHARED} (set MEDRAG_SHARED_DIR)",
    ),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout91

    return make_heldout91


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert re.fullmatch(r"h91-7-\d+", r["id"])
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(rows):
    for kind in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        iu = sum(r["detail"].startswith("[IU ") for r in grp)
        assert iu == len(grp) // 2, (kind, iu)


def test_deterministic_and_seed_dependent(gen, rows):
    again = gen.build(7)
    assert [json.dumps(r, sort_keys=True) for r in again] == [json.dumps(r, sort_keys=True) for r in rows]
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]
    assert all(r["id"].startswith("h91-8-") for r in other)


def test_no_dev_uid(gen, rows):
    dev = set()
    for line in NEEDED[0].read_text(encoding="utf-8").splitlines():
        if line.strip():
            uid = json.loads(line).get("uid")
            if uid:
                dev.add(uid)
    assert dev
    used = {m.group(1) for r in rows for m in [re.match(r"\[IU (CXR\d+)\]", r["detail"])] if m}
    assert len(used) == 200
    assert not used & dev


def test_clean_have_no_placeholder_tokens(rows):
    for r in rows:
        if r["injected"] in (None, "laterality_conflict", "negation_conflict", "impression_omits_finding"):
            assert not re.search(r"\*\*|\[|<<|\{", r["report"]), r["report"]
        if r["injected"] == "placeholder":
            assert re.search(r"\*\*\*|\[|<<|\{", r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h91.jsonl"
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout91", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h91-3-")
    assert "=====" in res.stdout
