"""Tests for the blind held-out report-error set 143 (bench/make_heldout143.py)."""

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import make_heldout143 as mk  # noqa: E402

if not (mk.iu_archive().is_file() and mk.dev_set().is_file()):
    pytest.skip(f"shared data not found under {mk.shared_dir()} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def rows():
    return mk.build(11)


def _iu(row):
    return row["detail"].startswith("IU CXR")


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert r["detail"] and r["report"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(re.fullmatch(r"h143-11-\d+", r["id"]) for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        assert sum(map(_iu, group)) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [re.match(r"IU (CXR\d+)", r["detail"]).group(1) for r in rows if _iu(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & mk.dev_uids()


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[ \]|\*\*\*|<<|\[\*+\]|\{\{", r["report"]), r["id"]


def test_placeholder_reports_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<|___|\bXX\b", r["report"]), r["id"]


def test_reports_have_sections(rows):
    for r in rows:
        if r["injected"] != "missing_section":
            heads = re.findall(r"^([A-Z][A-Za-z ]+):", r["report"], flags=re.M)
            assert len(heads) >= 2, r["id"]


def test_deterministic_and_seed_dependent(rows):
    assert mk.build(11) == rows
    other = mk.build(12)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path, capsys):
    out = tmp_path / "h.jsonl"
    assert mk.main([str(out), "--seed", "11", "--show", "1"]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines == mk.build(11)
    err = capsys.readouterr().err
    for k in KINDS:
        assert f"[{k}]" in err
