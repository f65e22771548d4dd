"""Tests for the blind held-out report-check set 81 (US Level I trauma centre setting)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import make_heldout81 as m

REPO = Path(__file__).resolve().parent.parent
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (m.archive_path().is_file() and m.dev_path().is_file()),
        reason="shared IU reports / dev set not found (set MEDRAG_SHARED_DIR)",
    ),
]


@pytest.fixture(scope="module")
def rows7():
    return m.build(7)


def test_counts_and_fields(rows7):
    assert len(rows7) == 400
    assert sum(1 for r in rows7 if r["injected"] is None) == 200
    for k in KINDS:
        assert sum(1 for r in rows7 if r["injected"] == k) == 40
    for r in rows7:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h81-7-")
        up = r["report"].upper()
        assert "FINDINGS:" in up or "IMPRESSION:" in up or "CONCLUSION:" in up
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows7}) == 400


def test_deterministic_and_seed_dependent(rows7):
    assert m.build(7) == rows7
    other = m.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows7]


def test_no_dev_uid_and_no_blank_in_clean(rows7):
    dev = m.dev_uids()
    rows, sources = m.build_with_sources(7)
    assert rows == rows7
    iu = [s[3:] for s in sources.values() if s.startswith("iu:")]
    assert len(iu) == 200 and len(set(iu)) == 200
    assert not set(iu) & dev
    for k in [None, *KINDS]:
        n_iu = sum(1 for r in rows7 if r["injected"] == k and sources[r["id"]].startswith("iu:"))
        assert n_iu == (100 if k is None else 20)
    for r in rows7:
        if r["injected"] is None:
            assert "***" not in r["report"] and "[ ]" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h81.jsonl"
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "bench.make_heldout81", str(out), "--seed", "3"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h81-3-")
