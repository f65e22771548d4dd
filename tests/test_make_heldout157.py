"""Tests for the held-out report-error set 157 (rheumatology / CTD clinic chest films)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout157 as gen

if not gen.archive_path().exists() or not gen.dev_path().exists():
    pytest.skip(f"shared data not found under {gen.shared_dir()}", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
# any square-bracket field, ***, <<field>>, {field}, XX mm / XX cm
BLANKS = re.compile(r"\[[^\]]*\]|\*\*\*|<<|>>|\{\w+\}|\bXX (mm|cm)\b")


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_other_seed():
    return gen.build(8)


def iu_num(row):
    m = re.match(r"IU CXR(\d+): ", row["detail"])
    return int(m.group(1)) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h157-7-")
        assert r["report"].strip() and r["detail"].strip()
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for k in [None] + KINDS:
        grp = [r for r in rows if r["injected"] == k]
        n_iu = sum(iu_num(r) is not None for r in grp)
        assert n_iu == len(grp) // 2, (k, n_iu)
        for r in grp:
            if iu_num(r) is None:
                assert r["detail"].startswith("composed")


def test_iu_reports_distinct_and_not_dev(rows):
    nums = [iu_num(r) for r in rows if iu_num(r) is not None]
    assert len(nums) == 200
    assert len(set(nums)) == 200
    dev = set(gen.dev_uids())
    assert not any(f"CXR{n}" in dev for n in nums)


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = gen.build(7)
    assert again == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] != "placeholder":
            assert not BLANKS.search(r["report"]), r["report"]
        else:
            assert BLANKS.search(r["report"]) or "___" in r["report"], r["report"]


def test_clean_reports_have_both_sections_or_descriptive_impression(rows):
    for r in rows:
        if r["injected"] is None:
            assert re.search(
                r"^(IMPRESSION|Impression|Conclusion|CONCLUSION|Opinion|Comment|Summary):", r["report"], re.M
            )


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout157", str(out), "--seed", "3", "--show", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h157-3-")
    assert "injected=" in res.stderr
