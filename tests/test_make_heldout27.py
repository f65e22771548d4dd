"""Tests for bench/make_heldout27.py (blind held-out report-error set, rare chest-film vocabulary)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT / ".." / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file()
    or not (SHARED / "eval" / "report_errors_dev.jsonl").is_file(),
    reason="shared data (MEDRAG_SHARED_DIR or ../shared) with IU reports and the dev set is absent",
)


@pytest.fixture(scope="module")
def gen():
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    from bench import make_heldout27
    return make_heldout27


def _write(gen, tmp_path, seed, name):
    out = tmp_path / name
    gen.main([str(out), "--seed", str(seed)])
    return out


def test_counts_fields_and_determinism(gen, tmp_path):
    a = _write(gen, tmp_path, 11, "a.jsonl")
    b = _write(gen, tmp_path, 11, "b.jsonl")
    c = _write(gen, tmp_path, 12, "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in gen.KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400


def test_no_dev_uid_and_half_real(gen):
    cases = gen.build(13, SHARED)
    dev = {json.loads(line).get("uid") for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    uids = [c["uid"] for c in cases if c["uid"]]
    assert not set(uids) & dev
    assert len(uids) == len(set(uids)) == 200
    per_kind = Counter(c["injected"] for c in cases if c["uid"])
    assert per_kind[None] == 100 and all(per_kind[k] == 20 for k in gen.KINDS)


def test_missing_shared_dir_exits_2(gen, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.shared_dir()
    assert e.value.code == 2
