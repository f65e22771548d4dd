"""Tests for bench/make_heldout144.py (held-out report-error set 144, Oman setting)."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout144 as gen

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not gen.iu_archive().exists(), reason="shared IU report archive (../shared) is absent"),
]

KINDS = gen.KINDS
BLANKS = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|\[[A-Za-z /*]+\]")


@pytest.fixture(scope="module")
def rows():
    return gen.build(3)


@pytest.fixture(scope="module")
def rows_other_seed():
    return gen.build(4)


def iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


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
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h144-3-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        n_iu = sum(iu_uid(r) is not None for r in group)
        assert n_iu == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = gen.dev_uids()
    if gen.dev_path().exists():
        assert dev
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = gen.build(3)
    assert [r["report"] for r in again] == [r["report"] for r in rows]
    assert [r["detail"] for r in again] == [r["detail"] for r in rows]
    assert [r["report"] for r in rows_other_seed] != [r["report"] for r in rows]


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANKS.search(r["report"]), r["id"]


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert BLANKS.search(r["report"]) or re.search(r"\b(XX|__) ?(cm|mm)\b", r["report"]), r["id"]


def test_reports_have_both_headers_when_clean(rows):
    fh = re.compile(r"^(FINDINGS|Findings|OBSERVATIONS|Observations|REPORT)\b", re.M | re.I)
    ih = re.compile(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|COMMENT)\b", re.M | re.I)
    for r in rows:
        if r["injected"] is None:
            assert fh.search(r["report"]) and ih.search(r["report"]), r["id"]


def test_laterality_cases_change_a_side(rows):
    for r in rows:
        if r["injected"] == "laterality_conflict":
            assert re.search(r"flipped", r["detail"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(gen.__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout144", str(out), "--seed", "3", "--show", "1"],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert "[placeholder]" in res.stderr
