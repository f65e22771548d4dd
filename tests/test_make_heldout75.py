"""Tests for bench/make_heldout75.py (held-out report-check set 75, Scottish NHS setting)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout75 as m

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not (m.iu_archive().is_file() and m.dev_path().is_file()),
    reason="shared data (IU reports / dev set) not found under MEDRAG_SHARED_DIR or ../shared",
)


@pytest.fixture(scope="module")
def rows():
    return m.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in m.KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h75-3-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_real(rows):
    for k in (None,) + m.KINDS:
        grp = [r for r in rows if r["injected"] == k]
        iu = [r for r in grp if r["detail"].startswith("IU CXR")]
        assert len(iu) == len(grp) // 2


def test_deterministic_and_seed_dependent(rows):
    again = m.build(3)
    assert again == rows
    other = m.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = m.dev_uids()
    assert dev
    used = [re.match(r"IU (CXR\d+)", r["detail"]).group(1) for r in rows if r["detail"].startswith("IU ")]
    assert len(used) == 200
    assert len(set(used)) == len(used)
    assert not set(used) & dev


def test_placeholders_only_where_injected(rows):
    ph = re.compile(r"\[|\*\*\*|<<|\bxx\b")
    for r in rows:
        assert bool(ph.search(r["report"])) == (r["injected"] == "placeholder"), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h75.jsonl"
    subprocess.run([sys.executable, "-m", "bench.make_heldout75", str(out), "--seed", "5"],
                   cwd=REPO, check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines == m.build(5)
