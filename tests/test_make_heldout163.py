"""Tests for the held-out report-error set 163 (renal / dialysis units, written blind)."""

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

from bench import make_heldout163 as mh  # noqa: E402

SHARED = mh.shared_dir()
if not (mh.iu_archive(SHARED).is_file() and mh.dev_set_path(SHARED).is_file()):
    pytest.skip(f"shared data not found under {SHARED} (IU archive and dev set needed)",
                allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding",
         "placeholder"]
BLANK_RX = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|\bXX (mm|cm)\b|__ (mm|cm)")


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return mh.build(8)


def _iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 400
    assert all(re.fullmatch(r"h163-7-\d+", i) for i in ids)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if _iu_uid(r)]
        assert len(iu) == len(group) // 2, kind
        composed = [r for r in group if not _iu_uid(r)]
        assert all(r["detail"].startswith("composed") for r in composed)


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [_iu_uid(r) for r in rows if _iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = set(mh.load_dev_uids(SHARED))
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    assert {_iu_uid(r) for r in rows} != {_iu_uid(r) for r in rows_other}


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK_RX.search(r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[|<<|\*\*\*|___|__ |XX (mm|cm)", r["report"]), r["report"]


def test_sections_present_outside_missing_section(rows):
    imp_rx = re.compile(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|Opinion|Comment|Summary):",
                        re.M)
    for r in rows:
        if r["injected"] != "missing_section":
            assert imp_rx.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout163", str(out), "--seed", "3",
                           "--show", "1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h163-3-")
    assert "injected=" in proc.stderr
