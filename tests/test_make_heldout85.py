"""Tests for bench/make_heldout85.py (held-out set 85, correctional-health setting)."""

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(
    not (DEV.exists() and TGZ.exists()),
    reason=f"shared eval data not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout85

    return make_heldout85


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = collections.Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40, k
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
        assert r["id"].startswith("h85-7-")
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(mod):
    src = mod.build_with_sources(7)
    for kind in [None, *KINDS]:
        group = [r for r in src if r["injected"] == kind]
        real = [r for r in group if r["source"] != "composed"]
        assert len(real) == len(group) // 2, kind


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod):
    dev = set()
    with open(DEV, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                dev.add(json.loads(line).get("uid"))
    for seed in (7, 8):
        uids = [r["source"] for r in mod.build_with_sources(seed) if r["source"] != "composed"]
        assert uids and not (set(uids) & dev)
        assert len(uids) == len(set(uids))


def test_clean_have_no_placeholder_tokens(rows):
    for r in rows:
        if r["injected"] is None:
            assert "[***]" not in r["report"] and "***" not in r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h85.jsonl"
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    subprocess.run(
        [sys.executable, "-m", "bench.make_heldout85", str(out), "--seed", "3"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h85-3-")
