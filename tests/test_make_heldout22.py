"""Tests for the blind held-out generator bench/make_heldout22.py."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout22 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").exists(),
    reason="shared IU data / dev set absent (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("h22")
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    paths = {}
    for name, seed in (("a", 2301), ("b", 2301), ("c", 2302)):
        paths[name] = d / f"{name}.jsonl"
        assert gen.main([str(paths[name]), "--seed", str(seed)]) == 0
    return paths


def test_counts_and_fields(built):
    rows = [json.loads(line) for line in open(built["a"])]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200 and all(c[k] == 40 for k in gen.KINDS)
    assert len({r["id"] for r in rows}) == 400


def test_determinism(built):
    assert built["a"].read_bytes() == built["b"].read_bytes()
    assert built["a"].read_bytes() != built["c"].read_bytes()


def test_no_dev_uid(built):
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    for r in map(json.loads, open(built["a"])):
        if r["detail"].startswith("IU "):
            assert r["detail"].split()[1].rstrip(":") not in dev


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nope"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
