"""Tests for the blind held-out report-check set 82 (Hong Kong public hospital setting)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DATA_OK = (SHARED / "eval" / "report_errors_dev.jsonl").exists() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
).exists()

pytestmark = pytest.mark.skipif(
    not DATA_OK, reason=f"shared eval/IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)"
)

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout82

    return make_heldout82


@pytest.fixture(scope="module")
def rows(gen):
    return gen.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert set(counts) == {None, *KINDS}
    for r in rows:
        for f in ("id", "injected", "detail", "report"):
            assert f in r
        assert r["id"].startswith("h82-3-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(gen, rows):
    again = gen.build(3)
    assert [gen.public(r) for r in again] == [gen.public(r) for r in rows]
    other = gen.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used(gen, rows):
    dev = gen.dev_uids()
    used = {r["_uid"] for r in rows if r.get("_uid")}
    assert len(used) == 200
    assert not used & dev


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h82.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout82", str(out), "--seed", "5"],
        cwd=REPO, env=env, check=True, capture_output=True, text=True,
    )
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert all(set(x) == {"id", "injected", "detail", "report"} for x in lines)
    assert lines[0]["id"].startswith("h82-5-")
