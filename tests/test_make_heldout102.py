"""Tests for bench/make_heldout102.py (held-out report-check set 102)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or (REPO / ".." / "shared"))
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and \
    (SHARED / "eval" / "report_errors_dev.jsonl").is_file()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"IU reports / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    sys.path.insert(0, str(REPO))
    from bench import make_heldout102
    return make_heldout102


@pytest.fixture(scope="module")
def rows7(mod):
    return mod.build(7)


def test_counts_and_fields(rows7):
    assert len(rows7) == 400
    c = Counter(r["injected"] for r in rows7)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows7:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h102-7-")
        assert isinstance(r["report"], str) and len(r["report"]) > 50
        assert (r["detail"] == "") == (r["injected"] is None)
    assert len({r["id"] for r in rows7}) == 400


def test_deterministic_and_seed_dependent(mod, rows7):
    again = mod.build(7)
    assert [r["report"] for r in again] == [r["report"] for r in rows7]
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows7]


def test_no_dev_uid(mod, rows7):
    dev = mod.dev_uids()
    assert dev
    used = [m.group(1) for r in rows7 for m in [re.search(r"\(IU (CXR\d+)\)", r["detail"])] if m]
    assert len(used) == 100  # half of the 100 error cases are real IU reports
    assert not set(used) & dev
    assert len(set(used)) == len(used)
    mod.build(7)
    assert len(mod.LAST_UIDS) == 200 and not set(mod.LAST_UIDS) & dev


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env["MEDRAG_SHARED_DIR"] = str(SHARED)
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout102", str(out), "--seed", "3"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h102-3-")
