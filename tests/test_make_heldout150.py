"""Held-out report-error set 150 (cardiology / heart failure, US and UK): shape, balance, determinism."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout150 as gen

SHARED = gen.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
        SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

pytestmark = pytest.mark.shared
REPO = Path(__file__).resolve().parent.parent
IU_UID = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return gen.build(8)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h150-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *gen.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_UID.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_iu_reports_distinct_and_not_dev(rows):
    dev = gen.dev_uids(SHARED)
    uids = [IU_UID.match(r["detail"]).group(1) for r in rows if IU_UID.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blanks(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|\bXX (mm|cm)\b|\[(side|size|LEFT/RIGHT)\]")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), r["report"]


def test_placeholder_reports_hold_a_blank(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<\w+>>|\[\*+\]|\bXX\b|\[XX\]|\[(side|size|LEFT/RIGHT)\]|\b0\.XX\b|___")
    for r in rows:
        if r["injected"] == "placeholder":
            assert blank.search(r["report"]), r["report"]


def test_both_settings_and_headers(rows):
    text = "\n".join(r["report"] for r in rows)
    for word in ["IMPRESSION:", "Conclusion:", "FINDINGS:", "Report:", "oedema", "edema", "pacemaker", "LVAD",
                 "sternotomy", "CRT-D"]:
        assert word in text, word


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h150.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout150", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h150-3-")
    assert "=====" in res.stderr
