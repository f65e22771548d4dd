"""Tests for bench/make_heldout131.py (held-out report-error set 131, haem-onc / BMT setting)."""
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout131 as gen

SHARED = gen.shared_dir()
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
        or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
        reason=f"shared data (IU archive, dev set) not found under {SHARED}",
    ),
]
REPO = Path(__file__).resolve().parents[1]
BLANK = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[[^\]]*\]|\bXX (cm|mm)\b")


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def _uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in gen.KINDS:
        assert counts[kind] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h131-7-") for r in rows)
    assert all(isinstance(r["report"], str) and r["report"].strip() for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *gen.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(_uid(r) is not None for r in group) == len(group) // 2, kind
        assert all(r["detail"].startswith("IU CXR") or r["detail"].startswith("composed") for r in group)


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [_uid(r) for r in rows if _uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl") if line.strip()}
    assert not set(uids) & dev


def test_clean_reports_have_no_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK.search(r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert BLANK.search(r["report"]), r["report"]


def test_headers_present(rows):
    for r in rows:
        if r["injected"] != "missing_section":
            assert re.search(r"(?im)^(findings|report):", r["report"]), r["report"]
            assert re.search(r"(?im)^(impression|conclusion|opinion|comment):", r["report"]), r["report"]


def test_deterministic_and_seed_dependent(rows):
    assert gen.build(7) == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]
    assert {_uid(r) for r in other} != {_uid(r) for r in rows}


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout131", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h131-3-")
    assert "injected=" in res.stderr
