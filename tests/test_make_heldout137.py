"""Held-out report-error set 137 (Myanmar, written blind): shape, balance, determinism, no dev reports."""

import importlib
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

gen = importlib.import_module("bench.make_heldout137")

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not gen.data_available(), reason="shared data (IU archive, dev set) not found; "
                                                         "set MEDRAG_SHARED_DIR"),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
IU_RE = re.compile(r"^IU CXR(\d+)\b")


@pytest.fixture(scope="module")
def rows():
    return gen.build(0)


@pytest.fixture(scope="module")
def rows_again():
    return gen.build(0)


@pytest.fixture(scope="module")
def rows_other():
    return gen.build(1)


@pytest.fixture(scope="module")
def dev_uids():
    path = gen.shared_dir() / "eval" / "report_errors_dev.jsonl"
    return {json.loads(line)["uid"] for line in path.open() if line.strip()}


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["detail"], str) and r["detail"]
        assert isinstance(r["report"], str) and r["report"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h137-0-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) * 2 == len(group), kind


def test_iu_reports_distinct_and_not_dev(rows, dev_uids):
    uids = [f"CXR{IU_RE.match(r['detail']).group(1)}" for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev_uids


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]
    uids0 = {IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])}
    uids1 = {IU_RE.match(r["detail"]).group(1) for r in rows_other if IU_RE.match(r["detail"])}
    assert uids0 != uids1


def test_clean_reports_hold_no_blank(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[[A-Za-z /]+\]|\.{4,}|\bXX\b")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), r["id"]


def test_placeholder_cases_hold_a_blank(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<|\[[A-Za-z /]+\]|\.{4,}|\bXX\b|_{3}\s*(cm|mm|\.)")
    for r in rows:
        if r["injected"] == "placeholder":
            assert blank.search(r["report"]), r["id"]


def test_reports_have_sections(rows):
    hdr_f = re.compile(r"^(FINDINGS|Findings|REPORT|Observations|RADIOLOGICAL FINDINGS|X-RAY FINDINGS)\s*:?",
                       re.M)
    hdr_i = re.compile(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|Radiological impression)\s*:?", re.M)
    for r in rows:
        if r["injected"] != "missing_section":
            assert hdr_i.search(r["report"]), r["id"]
            if "no FINDINGS section" not in r["detail"]:
                assert hdr_f.search(r["report"]), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h137.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(gen.shared_dir()))
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout137", str(out), "--seed", "3", "--show", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h137-3-")
    assert "injected=placeholder" in proc.stderr
