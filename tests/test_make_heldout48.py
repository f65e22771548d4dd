"""Tests for bench/make_heldout48.py (occupational / dust-disease held-out report-error set)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout48 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and (
    SHARED / "eval" / "report_errors_dev.jsonl").is_file()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason="shared IU archive / dev set not found "
                                "(set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    d = tmp_path_factory.mktemp("h48")
    out = {}
    for name, seed in (("a", 4901), ("b", 4901), ("c", 4902)):
        p = d / f"{name}.jsonl"
        assert gen.main([str(p), "--seed", str(seed)]) == 0
        out[name] = p
    return out


def test_counts_and_fields(run):
    rows = [json.loads(ln) for ln in run["a"].read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    # half composed, half IU in every group
    for k in [None] + gen.KINDS:
        iu = sum(r["detail"].startswith("[IU") for r in rows if r["injected"] == k)
        assert iu == c[k] // 2


def test_deterministic_per_seed(run):
    assert run["a"].read_bytes() == run["b"].read_bytes()
    assert run["a"].read_bytes() != run["c"].read_bytes()


def test_no_dev_uid(run):
    dev = {json.loads(ln)["uid"] for ln in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    for p in (run["a"], run["c"]):
        for r in map(json.loads, p.read_text().splitlines()):
            if r["detail"].startswith("[IU "):
                assert r["detail"][4:].split("]")[0] not in dev


def test_ids_do_not_reveal_kind(run):
    for r in map(json.loads, run["a"].read_text().splitlines()):
        assert all(k not in r["id"] for k in gen.KINDS)


def test_missing_dir_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nope"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
