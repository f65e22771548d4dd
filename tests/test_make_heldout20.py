"""Tests for bench/make_heldout20.py (blind held-out report-error set #20)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT / ".." / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason="shared IU data / dev set not available (set MEDRAG_SHARED_DIR)",
)


def _make(tmp_path, seed, monkeypatch):
    from bench import make_heldout20

    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / f"h20_{seed}.jsonl"
    make_heldout20.main([str(out), "--seed", str(seed)])
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    d = tmp_path_factory.mktemp("h20")
    paths = {s: _make(d, s, mp) for s in (2101, 2102)}
    mp.undo()
    return paths, None


def test_counts_and_fields(made):
    rows = [json.loads(line) for line in made[0][2101].read_text().splitlines()]
    assert len(rows) == 400
    assert Counter(r["injected"] for r in rows) == {
        None: 200, "missing_section": 40, "laterality_conflict": 40,
        "negation_conflict": 40, "impression_omits_finding": 40, "placeholder": 40}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(made, tmp_path, monkeypatch):
    again = _make(tmp_path, 2101, monkeypatch)
    assert again.read_bytes() == made[0][2101].read_bytes()
    assert made[0][2102].read_bytes() != made[0][2101].read_bytes()


def test_no_dev_uid_used(made):
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    for line in made[0][2101].read_text().splitlines():
        detail = json.loads(line)["detail"]
        for uid in dev:
            assert f"iu:{uid})" not in detail


def test_ids_do_not_reveal_kind(made):
    for line in made[0][2101].read_text().splitlines():
        r = json.loads(line)
        assert r["injected"] is None or r["injected"] not in r["id"]
