"""Tests for the blind held-out report-check set 99 generator."""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout99 as gen

_SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
pytestmark = pytest.mark.skipif(
    not (_SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (_SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason="shared IU reports / dev set not available (set MEDRAG_SHARED_DIR)",
)


# template-field marks; ">3/52" (more than three weeks) is ordinary UK shorthand
_MARKS = re.compile(r"[\[\]*_{}#]|<(?!\d)|>(?!\d)|\bxx\b", re.I)


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for kind in gen.KINDS:
        assert c[kind] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["id"].startswith("h99-7-")
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_and_seed_dependent(rows):
    assert gen.build(7) == rows
    other = gen.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_used(rows):
    dev = gen.dev_uids(str(gen.dev_path()))
    used = {r["detail"].split(":")[0][3:] for r in rows if r["detail"].startswith("IU ")}
    assert len(used) == 200
    assert not used & dev


def test_clean_has_no_placeholder_marks(rows):
    for r in rows:
        if r["injected"] is None:
            assert not _MARKS.search(r["report"]), r["report"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    assert gen.main([str(out), "--seed", "3"]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h99-3-")
