"""Tests for bench/make_heldout129.py (held-out report-check set 129)."""

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(
    not (DEV.exists() and TGZ.exists()),
    reason="shared eval/IU data not available (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    from bench.make_heldout129 import build
    return build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["id"].startswith("h129-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_half_composed(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        iu = [r for r in grp if r["detail"].startswith("IU CXR")]
        assert len(iu) == len(grp) // 2


def test_deterministic_and_seed_dependent(rows):
    from bench.make_heldout129 import build
    assert build(7) == rows
    other = build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    used = set()
    for r in rows:
        if r["detail"].startswith("IU "):
            used.add(r["detail"].split()[1].rstrip(":"))
    assert used
    assert not used & dev
    assert len(used) == 200  # each IU report used once


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for ph in ("[ ]", "***", "<<", "[side]", "[insert]", "[size]"):
                assert ph not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env["MEDRAG_SHARED_DIR"] = str(SHARED)
    subprocess.run([sys.executable, "-m", "bench.make_heldout129", str(out),
                    "--seed", "3"], cwd=REPO, env=env, check=True,
                   capture_output=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h129-3-")
