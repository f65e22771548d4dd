"""Tests for bench/make_heldout114.py (held-out report-check set 114)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (TGZ.exists() and DEV.exists()),
    reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ("missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder")


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout114

    return make_heldout114


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


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
        assert r["id"].startswith("h114-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(rows):
    for k in (None, *KINDS):
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if "real IU CXR" in r["detail"]]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    assert mod.build(7) == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = set()
    with open(DEV, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    used = []
    for r in rows:
        m = re.search(r"real IU (CXR\d+)", r["detail"])
        if m:
            used.append(m.group(1))
    assert len(used) == 200
    assert len(set(used)) == len(used)
    assert not set(used) & dev


def test_clean_reports_have_no_template_fields(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\*\*\*|\[ ?\]|<<|\[insert|left/right", r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout114", str(out), "--seed", "3"],
        cwd=REPO, env=env, check=True, capture_output=True, text=True,
    )
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h114-3-")
