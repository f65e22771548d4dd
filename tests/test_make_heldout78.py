"""Tests for bench/make_heldout78.py (held-out report-check set 78)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout78 as m

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
HAVE = (SHARED / "eval" / "report_errors_dev.jsonl").is_file() and (
    SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
).is_file()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HAVE, reason=f"shared eval/IU data not found under {SHARED} (set MEDRAG_SHARED_DIR)"),
]


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
        assert r["id"].startswith("h78-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_half_bank(rows):
    for kind in [None, *m.KINDS]:
        grp = [r for r in rows if r["injected"] == kind]
        iu = sum(r["detail"].startswith("IU ") for r in grp)
        assert iu == len(grp) // 2


def test_deterministic_and_seed_dependent(rows):
    again = m.build(7)
    assert again == rows
    other = m.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(rows):
    dev = m.dev_uids()
    used = set()
    for r in rows:
        if r["detail"].startswith("IU "):
            used.add(r["detail"].split()[1].rstrip(":"))
    assert used and not (used & dev)
    assert all(r["uid"] not in dev for r in m.load_iu())


def test_clean_reports_have_no_placeholder_tokens(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[", "***", "<>", "{ }"):
                assert tok not in r["report"]


def test_cli_writes_file(tmp_path, capsys):
    out = tmp_path / "h78.jsonl"
    assert m.main([str(out), "--seed", "3", "--show", "1"]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines == m.build(3)
    assert "===" in capsys.readouterr().out
