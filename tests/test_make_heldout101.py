"""Tests for bench/make_heldout101.py (held-out report-check set 101)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout101 as m

REPO = Path(__file__).resolve().parent.parent
SHARED = m.shared_dir()
NEED = [
    SHARED / "eval" / "report_errors_dev.jsonl",
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz",
]
pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in NEED),
    reason=f"shared eval data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def rows():
    return m.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in m.KINDS:
        assert c[k] == 40
    assert set(c) == {None, *m.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h101-7-")
        assert isinstance(r["report"], str) and len(r["report"]) > 40
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    again = m.build(7)
    assert again == rows
    other = m.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = m.dev_uids(SHARED)
    assert dev
    used = set()
    for r in rows:
        if "[iu:" in r["detail"]:
            used.add(r["detail"].rsplit("[iu:", 1)[1].rstrip("]"))
    assert used and not (used & dev)
    # the clean IU cases are drawn from the same filtered pool, which excludes dev uids
    rows_iu = [x for x in m.load_iu(SHARED) if x["uid"] not in dev]
    pools = m.build_pools(rows_iu)
    for pool in pools.values():
        assert not ({x["uid"] for x in pool} & dev)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env["MEDRAG_SHARED_DIR"] = str(SHARED)
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout101", str(out), "--seed", "3"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines == m.build(3)
