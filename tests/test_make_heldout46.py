"""Tests for the blind held-out generator bench/make_heldout46.py."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout46 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
IU = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not IU.is_file(),
                                reason=f"IU reports not found under {SHARED} (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def iu():
    return gen.load_iu(SHARED)


def _write(tmp_path, seed, name):
    out = tmp_path / name
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    assert gen.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_fields_and_determinism(tmp_path):
    a = _write(tmp_path, 4701, "a.jsonl")
    b = _write(tmp_path, 4701, "b.jsonl")
    c = _write(tmp_path, 4702, "c.jsonl")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(x) for x in a.read_text().splitlines()]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    assert len({r["id"] for r in rows}) == 400
    cnt = Counter(r["injected"] for r in rows)
    assert cnt[None] == 200
    assert all(cnt[k] == 40 for k in gen.KINDS)
    for r in rows:
        assert r["report"].strip()
        assert r["injected"] is None or r["injected"] in gen.KINDS


def test_no_dev_uid_and_half_composed(iu):
    dev = gen.dev_uids(SHARED)
    assert not dev & {r["uid"] for r in iu}
    rows = gen.build(4703, iu)
    used = {r["_uid"] for r in rows if r["_uid"]}
    assert not used & dev
    for k in [None] + gen.KINDS:
        grp = [r for r in rows if r["injected"] == k]
        assert sum(r["_uid"] is None for r in grp) == len(grp) // 2
        assert all("XXXX" not in r["report"] for r in grp if r["_uid"] is None)


def test_every_case_verifies(iu):
    rows = gen.build(4701, iu)
    for r in rows:
        f, i = gen.sections(r["report"])
        if r["injected"] != "missing_section":
            assert f and i, r["report"]


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "o.jsonl"), "--seed", "1"]) == 2
