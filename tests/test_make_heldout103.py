"""Held-out report-check set 103 (East African teaching hospitals): shape, balance, determinism, no dev uids."""

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
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
IU = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(
    not (DEV.is_file() and IU.is_file()), reason=f"shared data absent ({DEV} / {IU}); set MEDRAG_SHARED_DIR"
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout103

    return make_heldout103


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and len(r["report"]) > 40
        assert isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h103-7-") for r in rows)


def test_half_bank_half_real(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if "[source: IU " in r["detail"]]
        assert len(real) == len(grp) // 2


def test_no_dev_uid_and_no_repeat(rows):
    dev = {json.loads(line).get("uid") for line in DEV.read_text().splitlines() if line.strip()}
    used = [m.group(1) for r in rows for m in [re.search(r"\[source: IU (CXR\d+)\]", r["detail"])] if m]
    assert len(used) == 200
    assert not set(used) & dev
    assert len(set(used)) == len(used)


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout103", str(out), "--seed", "3"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h103-3-")
