"""Tests for bench/make_heldout148.py (held-out report-error set 148, burns units / burns ICU)."""
import collections
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

mh = importlib.import_module("bench.make_heldout148")

if not (mh.iu_archive().exists() and mh.dev_file().exists()):
    pytest.skip(f"shared data absent under {mh.shared_dir()} (IU archive and dev set needed)",
                allow_module_level=True)

SEED = 7


@pytest.fixture(scope="module")
def rows():
    return mh.build(SEED)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(SEED)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(SEED + 1)


def _uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] in [None] + mh.KINDS
        assert r["detail"] and r["report"].strip()
    counts = collections.Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in mh.KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith(f"h148-{SEED}-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + mh.KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if _uid(r)]
        composed = [r for r in group if r["detail"].startswith("composed")]
        assert len(iu) == len(group) // 2
        assert len(composed) == len(group) // 2


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [_uid(r) for r in rows if _uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & mh.dev_uids()


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            for bad in ("[ ]", "***", "<<", ">>", "[***]", "XX cm", "XX mm", "{{"):
                assert bad not in r["report"], (r["id"], bad)
            assert not re.search(r"\[[^\]]*\]", r["report"]), r["id"]


def test_both_sections_present_where_expected(rows):
    for r in rows:
        if r["injected"] in (None, "laterality_conflict", "negation_conflict", "impression_omits_finding"):
            text = r["report"]
            assert re.search(r"(?m)^(FINDINGS|Findings|REPORT|Report):", text), r["id"]
            assert re.search(r"(?m)^(IMPRESSION|Impression|CONCLUSION|Conclusion|Opinion|Summary):", text), r["id"]


def test_placeholders_present(rows):
    pat = re.compile(r"\[[^\]]*\]|\*\*\*|<<|XX|___")
    for r in rows:
        if r["injected"] == "placeholder":
            assert pat.search(r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h148.jsonl"
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout148", str(out), "--seed", "3", "--show", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h148-3-")
    assert "=====" in proc.stderr
