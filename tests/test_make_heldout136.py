"""Held-out report-error set 136 (Hawaii / Guam / CNMI): shape, balance, determinism, provenance."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout136 as m

SHARED = m.shared_dir()
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (m.iu_archive(SHARED).exists() and m.dev_set(SHARED).exists()),
        reason=f"shared data (IU archive and dev set) not found under {SHARED}",
    ),
]
IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return m.build(7)


@pytest.fixture(scope="module")
def rows_other_seed():
    return m.build(8)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in m.KINDS:
        assert counts[kind] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h136-7-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *m.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) * 2 == len(group), kind


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = m.build(7)
    assert again == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]


def test_iu_provenance(rows):
    with open(m.dev_set(SHARED)) as fh:
        dev = {json.loads(line)["uid"] for line in fh if line.strip()}
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[ *\]|\*\*\*|<<|\[\*+\]|\bXX cm|\{[A-Z/]+\}", r["report"]), r["id"]


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<|___|\bXX\b|\{[A-Z/]+\}", r["report"]), r["id"]


def test_sections_present_unless_missing(rows):
    for r in rows:
        has_imp = re.search(r"^impression:", r["report"], re.I | re.M)
        if r["injected"] != "missing_section":
            assert has_imp, r["id"]


def test_cli_writes_file(tmp_path: Path):
    out = tmp_path / "set.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout136", str(out), "--seed", "3", "--show", "1"],
        cwd=m.REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h136-3-")
    assert "=====" in proc.stderr
