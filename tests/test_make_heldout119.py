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
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists()

pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    from bench.make_heldout119 import build

    return build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert r["id"].startswith("h119-7-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(rows):
    for k in [None, *KINDS]:
        sel = [r for r in rows if r["injected"] == k]
        n_real = sum(1 for r in sel if r["detail"].startswith("IU ")) if k else None
        if k:
            assert n_real == len(sel) // 2


def test_deterministic_and_seed_dependent(rows):
    from bench.make_heldout119 import build

    again = build(7)
    assert again == rows
    other = build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    used = [m.group(1) for r in rows for m in [re.match(r"IU (CXR\d+):", r["detail"])] if m]
    assert len(used) == 100
    assert len(set(used)) == len(used)
    assert not dev & set(used)


def test_clean_rows_have_no_template_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[|<<|\{|\.\.\.|\*\*\*", r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout119", str(out), "--seed", "3"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h119-3-")
