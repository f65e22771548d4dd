"""Tests for the held-out report-error set 165 (haematology / BMT units), written blind."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout165 as m

SHARED = m.shared_dir()
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason=f"shared IU data not found under {SHARED}",
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    return m.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return m.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return m.build(8)


def iu_uid(row):
    mt = re.match(r"IU (CXR\d+):", row["detail"])
    return mt.group(1) if mt else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in m.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(re.fullmatch(r"h165-7-\d+", r["id"]) for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + m.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        n_iu = sum(1 for r in grp if iu_uid(r))
        assert n_iu == len(grp) // 2, (kind, n_iu)


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_no_dev_uid_and_distinct_iu(rows):
    _, dev = m.iu_pool(SHARED)
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & set(dev)


def test_clean_reports_hold_no_placeholder(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[\s*\]|\*\*\*|<<|>>|\[\*|XX (mm|cm)", r["report"]), r["report"]


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<|_{2,}|XX (mm|cm)", r["report"]), r["report"]


def test_clean_reports_have_impression_header(rows):
    hdr = re.compile(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|OPINION|Opinion|Comment|Summary|"
                     r"Report and impression):", re.M)
    for r in rows:
        if r["injected"] is None:
            assert hdr.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout165", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h165-3-")
    assert "injected=" in res.stderr
