"""Tests for the blind held-out generator 33 (symbols, arrows, compact notation)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout33 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED}")


@pytest.fixture(scope="module")
def rows():
    return gen.generate(3401, SHARED)


def _write(tmp_path, seed, name):
    out = tmp_path / name
    env_before = os.environ.get("MEDRAG_SHARED_DIR")
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    try:
        gen.main([str(out), "--seed", str(seed)])
    finally:
        if env_before is None:
            os.environ.pop("MEDRAG_SHARED_DIR", None)
        else:
            os.environ["MEDRAG_SHARED_DIR"] = env_before
    return out.read_bytes()


def test_counts(rows):
    c = Counter(r["injected"] for r in rows)
    assert len(rows) == 400
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40


def test_half_iu_half_composed(rows):
    for kind in [None] + gen.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        n_iu = sum(r["_uid"] is not None for r in grp)
        assert n_iu == len(grp) // 2
        assert not any("XXXX" in r["report"] for r in grp if r["_uid"] is None)


def test_fields_and_ids(tmp_path):
    lines = [json.loads(x) for x in _write(tmp_path, 3401, "a.jsonl").decode().splitlines()]
    assert len(lines) == 400
    for d in lines:
        assert set(d) == {"id", "injected", "detail", "report"}
        assert d["report"].strip() and d["detail"]
        assert d["injected"] is None or d["injected"] in gen.KINDS
        assert not any(k in d["id"] for k in ("missing", "lateral", "negation", "omit", "placeholder", "clean"))
    assert len({d["id"] for d in lines}) == 400


def test_determinism(tmp_path):
    a = _write(tmp_path, 3402, "a.jsonl")
    b = _write(tmp_path, 3402, "b.jsonl")
    c = _write(tmp_path, 3403, "c.jsonl")
    assert a == b
    assert a != c


def test_no_dev_uid(rows):
    dev = {json.loads(x)["uid"] for x in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    used = {r["_uid"] for r in rows if r["_uid"]}
    assert used and not used & dev


def test_placeholders_only_where_injected(rows):
    for r in rows:
        has = bool(gen.PLACEHOLDER_RE.search(r["report"]))
        assert has == (r["injected"] == "placeholder"), r["report"]


def test_missing_env_exits_2(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
