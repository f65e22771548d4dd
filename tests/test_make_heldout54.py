"""Tests for the blind held-out generator bench/make_heldout54.py."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
                                reason="shared IU data not found (set MEDRAG_SHARED_DIR)")


def _run(tmp_path, seed, monkeypatch):
    from bench import make_heldout54 as m

    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / f"h54_{seed}.jsonl"
    m.main([str(out), "--seed", str(seed)])
    return out.read_bytes()


def test_counts_fields_and_determinism(tmp_path, monkeypatch):
    a = _run(tmp_path, 5501, monkeypatch)
    b = _run(tmp_path, 5501, monkeypatch)
    c = _run(tmp_path, 5502, monkeypatch)
    assert a == b
    assert a != c
    rows = [json.loads(line) for line in a.decode().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding",
              "placeholder"]:
        assert counts[k] == 40
        assert k not in next(r["id"] for r in rows if r["injected"] == k)


def test_no_dev_uid_used(tmp_path, monkeypatch):
    from bench import make_heldout54 as m

    dev_path = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev_path.exists():
        pytest.skip("dev set absent")
    dev = {json.loads(line)["uid"] for line in dev_path.open() if line.strip()}
    cases = m.build_cases(5503, SHARED)
    used = {c["uid"] for c in cases if c.get("uid")}
    assert len(used) == 200
    assert not used & dev
    assert sum(c["source"] == "composed" for c in cases) == 200


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    from bench import make_heldout54 as m

    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        m.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
