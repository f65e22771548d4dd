"""Tests for bench/make_heldout40.py (blind held-out set: first/second-person radiology letters)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout40 as mh

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
                                reason="shared IU data absent (set MEDRAG_SHARED_DIR)")


def _run(tmp_path, seed, name="out.jsonl"):
    out = tmp_path / name
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    mh.main([str(out), "--seed", str(seed)])
    return out


def test_counts_fields_and_determinism(tmp_path):
    a = _run(tmp_path, 4101, "a.jsonl")
    b = _run(tmp_path, 4101, "b.jsonl")
    c = _run(tmp_path, 4102, "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(x) for x in a.read_text().splitlines()]
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200 and all(counts[k] == 40 for k in mh.KINDS)
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400
    composed = [r for r in rows if "composed" in r["detail"]]
    assert len(composed) == 200 and not any("XXXX" in r["report"] for r in composed)


def test_no_dev_uid_used(tmp_path):
    rows = [json.loads(x) for x in _run(tmp_path, 4103).read_text().splitlines()]
    dev_path = SHARED / "eval" / "report_errors_dev.jsonl"
    dev = {json.loads(x)["uid"] for x in dev_path.read_text().splitlines() if x.strip()} if dev_path.exists() else set()
    used = {r["detail"].split("IU ")[1].rstrip("]") for r in rows if "IU CXR" in r["detail"]}
    assert len(used) == 200
    assert not used & dev


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        mh.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
