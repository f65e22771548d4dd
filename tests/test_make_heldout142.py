"""Held-out report-error set 142 (lung transplant / ILD units): shape, labels, determinism, IU use."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout142 as mk

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (mk.iu_archive().exists() and mk.dev_path().exists()),
                       reason="shared IU archive / dev set not present (set MEDRAG_SHARED_DIR)"),
]


@pytest.fixture(scope="module")
def rows():
    return mk.build(7)


@pytest.fixture(scope="module")
def rows_other_seed():
    return mk.build(8)


def _iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] in (None, *mk.KINDS)
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
        assert r["id"].startswith("h142-7-")
    assert len({r["id"] for r in rows}) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in mk.KINDS:
        assert c[k] == 40


def test_half_iu_per_group(rows):
    for kind in (None, *mk.KINDS):
        grp = [r for r in rows if r["injected"] == kind]
        iu = [r for r in grp if _iu_uid(r)]
        assert len(iu) == len(grp) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [_iu_uid(r) for r in rows if _iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = {json.loads(line)["uid"] for line in open(mk.dev_path()) if line.strip()}
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = mk.build(7)
    assert [(r["injected"], r["report"]) for r in again] == [(r["injected"], r["report"]) for r in rows]
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]
    assert {_iu_uid(r) for r in rows} != {_iu_uid(r) for r in rows_other_seed}


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ("[ ]", "***", "<<", "[...]", "{", "[left/right]", "[LEFT/RIGHT]"):
                assert blank not in r["report"], (r["id"], blank)


def test_placeholders_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[|<<|\*\*\*|\{|\bXX\b|\bxx\b|___", r["report"]), r["id"]


def test_reports_have_headers(rows):
    for r in rows:
        if r["injected"] != "missing_section":
            up = r["report"].upper()
            assert re.search(r"^(FINDINGS|REPORT):", up, re.M), r["id"]
            assert re.search(r"^(IMPRESSION|CONCLUSION|OPINION|SUMMARY):", up, re.M), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout142", str(out), "--seed", "3", "--show", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h142-3-")
    assert "=====" in res.stderr
