"""Tests for bench/make_heldout53.py (the blind ED chest-list held-out set)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).is_file()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"IU archive / dev set not found under {SHARED}")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    from bench import make_heldout53 as m

    out = {}
    d = tmp_path_factory.mktemp("h53")
    for name, seed in (("a", 5401), ("b", 5401), ("c", 5402)):
        p = d / f"{name}.jsonl"
        m.main([str(p), "--seed", str(seed)])
        out[name] = p
    return m, out


def rows(p):
    return [json.loads(line) for line in p.read_text().splitlines()]


def test_counts_and_fields(gen):
    _, out = gen
    rs = rows(out["a"])
    assert len(rs) == 400
    c = Counter(r["injected"] for r in rs)
    assert c[None] == 200 and all(c[k] == 40 for k in KINDS)
    for r in rs:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
        for k in KINDS:
            assert k not in r["id"]
    assert len({r["id"] for r in rs}) == 400
    # half composed, half IU in every group
    for k in [None, *KINDS]:
        n_iu = sum("(IU " in r["detail"] for r in rs if r["injected"] == k)
        assert n_iu == c[k] // 2


def test_deterministic_per_seed(gen):
    _, out = gen
    assert out["a"].read_bytes() == out["b"].read_bytes()
    assert out["a"].read_bytes() != out["c"].read_bytes()


def test_no_dev_uid(gen):
    m, _ = gen
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    _, used = m.build(5401)
    assert used and not (used & dev)


def test_composed_never_use_xxxx(gen):
    _, out = gen
    for r in rows(out["a"]):
        if "(IU " not in r["detail"]:
            assert "XXXX" not in r["report"]


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch):
    from bench import make_heldout53 as m

    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nope"))
    with pytest.raises(SystemExit) as e:
        m.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
