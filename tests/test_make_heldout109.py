"""Tests for bench/make_heldout109.py (blind held-out report-check set 109)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout109 as m

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not (m.archive_path().is_file() and m.dev_path().is_file()),
    reason="shared IU archive / dev set not available (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def built():
    return m.build_with_sources(7)


def test_counts_and_fields(built):
    rows, _ = built
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in m.KINDS:
        assert c[k] == 40
    assert set(c) == {None, *m.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h109-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"] is not None:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_bank(built):
    rows, srcs = built
    for k in [None, *m.KINDS]:
        n_real = sum(1 for r, s in zip(rows, srcs, strict=True) if r["injected"] == k and s)
        n_all = sum(1 for r in rows if r["injected"] == k)
        assert n_real == n_all // 2


def test_no_dev_uid(built):
    _, srcs = built
    used = [s for s in srcs if s]
    assert len(used) == len(set(used)) == 200
    assert not set(used) & m.dev_uids()


def test_deterministic_and_seed_varies(built):
    rows, _ = built
    assert m.build(7) == rows
    other = m.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "bench.make_heldout109", str(out), "--seed", "3"],
                   cwd=REPO, env=env, check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines == m.build(3)
