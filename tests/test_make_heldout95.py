"""Tests for the blind held-out report-check set 95 (bench/make_heldout95.py)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout95 as gen

REPO = Path(__file__).resolve().parent.parent
SHARED = gen.shared_dir()
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).is_file()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU reports / dev set not found under {SHARED}"),
]


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for kind in gen.KINDS:
        assert c[kind] == 40
    assert set(c) == {None, *gen.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h95-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(rows):
    for kind in [None, *gen.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        iu = [r for r in grp if "src=CXR" in r["detail"]]
        assert len(iu) == len(grp) // 2


def test_no_dev_uid_and_no_reuse(rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    used = [m.group(1) for r in rows for m in [re.search(r"src=(CXR\d+)", r["detail"])] if m]
    assert len(used) == 200
    assert not set(used) & dev
    assert len(set(used)) == len(used)


def test_clean_reports_have_no_placeholder_marks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[|\]|<<|\*\*\*|\{", r["report"]), r["report"]


def test_deterministic_and_seed_dependent(rows):
    again = gen.build(7)
    assert again == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]
    assert other[0]["id"].startswith("h95-8-")


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h95.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout95", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert all(x["id"].startswith("h95-3-") for x in lines)
    assert "=====" in res.stdout
