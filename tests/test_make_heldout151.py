"""Tests for the held-out report-error set 151 (US Southwest setting)."""
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout151 as mk

SHARED = mk.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
        not (SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED}", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
IU_RX = re.compile(r"^IU CXR(\d+)")


@pytest.fixture(scope="module")
def rows():
    return mk.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h151-3-")
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mk.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for kind in [None] + mk.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        assert sum(bool(IU_RX.match(r["detail"])) for r in grp) == len(grp) // 2


def test_no_dev_uid_and_distinct(rows):
    dev = mk.load_dev_uids(SHARED)
    nums = [IU_RX.match(r["detail"]).group(1) for r in rows if IU_RX.match(r["detail"])]
    assert len(nums) == 200 and len(set(nums)) == 200
    assert not {f"CXR{n}" for n in nums} & dev


def test_deterministic_and_seed_dependent(rows):
    again = mk.build(3)
    assert [r["report"] for r in again] == [r["report"] for r in rows]
    other = mk.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[\s*\]|\*\*\*|<<|\[\*|XX cm|\[[a-z ]+\]", r["report"]), r["report"]
            assert re.search(r"(?im)^findings:", r["report"]) and re.search(r"(?im)^impression", r["report"])


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[|\*\*\*|<<|___|\bXX\b", r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    subprocess.run([sys.executable, "-m", "bench.make_heldout151", str(out), "--seed", "5"], cwd=REPO,
                   check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400 and lines[0]["id"].startswith("h151-5-")
