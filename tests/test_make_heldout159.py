"""Tests for the blind held-out report-error set 159 (vascular and aortic surgery units)."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import make_heldout159 as mh  # noqa: E402

SHARED = mh.shared_dir()
if not ((SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
        and (SHARED / "eval" / "report_errors_dev.jsonl").exists()):
    pytest.skip(f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

KINDS = mh.KINDS
IU_RE = re.compile(r"^IU CXR(\d+)\b")


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(8)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h159-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_iu_reports_distinct_and_not_dev(rows):
    dev = mh.dev_uids()
    uids = [f"CXR{IU_RE.match(r['detail']).group(1)}" for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & set(dev)


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            t = r["report"]
            for blank in ("[ ]", "***", "<<", ">>", "{{", "[side]", "[insert]", "XX cm", "XX mm"):
                assert blank not in t, (r["id"], blank)


def test_placeholder_cases_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<|\{\{|___|__|\bXX\b", r["report"]), r["id"]


def test_missing_section_cases_lack_a_section_body(rows):
    for r in rows:
        if r["injected"] == "missing_section":
            assert "empt" in r["detail"] or "removed" in r["detail"] or "nothing" in r["detail"] \
                or "only the sign-off" in r["detail"], r["detail"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout159", str(out), "--seed", "3", "--show", "1"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h159-3-")
    assert "=====" in p.stderr
