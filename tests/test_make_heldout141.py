"""Held-out report-error set 141 (NHS community diagnostic centres / virtual wards): shape, balance, determinism."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout141 as gen

SHARED = gen.shared_dir()
IU_TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (IU_TGZ.exists() and DEV.exists()),
                       reason=f"shared IU reports / dev set not found under {SHARED}"),
]


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    assert all(c[k] == 40 for k in gen.KINDS)
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h141-7-") for r in rows)
    assert all(r["report"].strip() and r["detail"] for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *gen.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if r["detail"].startswith("IU CXR")]
        assert len(iu) * 2 == len(group), kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [re.match(r"IU (CXR\d+):", r["detail"]).group(1) for r in rows if r["detail"].startswith("IU CXR")]
    assert len(uids) == 200 and len(set(uids)) == 200
    dev = {json.loads(line)["uid"] for line in open(DEV)}
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[ *\]|\*\*\*|<<|>>|\[[a-z* /]+\]|\bXX (cm|mm)\b", r["report"]), r["id"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<\w*>>|\bXX\b", r["report"]), r["id"]


def test_deterministic_and_seed_dependent(rows):
    assert gen.build(7) == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout141", str(out), "--seed", "3", "--show", "1"],
                       cwd=root, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400 and lines[0]["id"].startswith("h141-3-")
    assert "=====" in p.stderr
