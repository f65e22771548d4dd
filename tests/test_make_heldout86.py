"""Tests for bench/make_heldout86.py (held-out report-check set 86)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout86 as gen

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not (gen._archive().is_file() and gen._dev_file().is_file()),
    reason="shared IU reports / dev set not found (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    assert set(c) == {None, *gen.KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h86-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    again = gen.build(7)
    assert again == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = gen.dev_uids()
    assert dev
    used = set()
    for r in rows:
        for tok in r["detail"].split():
            if tok.startswith("CXR"):
                used.add(tok.rstrip(":,."))
    assert used, "IU-derived cases should name their uid in detail"
    assert not used & dev
    gen.build(7)
    assert len(gen.LAST_UIDS) == 200
    assert not gen.LAST_UIDS & dev


def test_half_iu_half_composed(rows):
    for kind in gen.KINDS:
        iu = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ")]
        assert len(iu) == 20


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h86.jsonl"
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout86", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h86-3-")
    assert "=====" in res.stdout
