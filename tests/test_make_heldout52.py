"""Tests for bench/make_heldout52.py (the blind held-out report-check set 52)."""

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HAVE_DATA, reason=f"IU reports not found under {SHARED} (set MEDRAG_SHARED_DIR)"),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout52

    return make_heldout52


@pytest.fixture(scope="module")
def cases(gen):
    return gen.build(5301, SHARED)


def _write(gen, tmp_path, seed, name):
    out = tmp_path / name
    gen.main([str(out), "--seed", str(seed)])
    return out


def test_counts_and_fields(gen, tmp_path):
    out = _write(gen, tmp_path, 5301, "a.jsonl")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 400
    assert Counter(r["injected"] for r in rows) == {None: 200, **{k: 40 for k in KINDS}}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert not any(k in r["id"] for k in KINDS)
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(cases):
    for kind in [None, *KINDS]:
        src = Counter(c["_src"] == "composed" for c in cases if c["injected"] == kind)
        assert src[True] == src[False]


def test_deterministic_per_seed(gen, tmp_path):
    a = _write(gen, tmp_path, 5301, "a.jsonl").read_bytes()
    b = _write(gen, tmp_path, 5301, "b.jsonl").read_bytes()
    c = _write(gen, tmp_path, 5302, "c.jsonl").read_bytes()
    assert a == b
    assert a != c


def test_no_dev_uid(cases):
    dev_path = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev_path.is_file():
        pytest.skip("dev set absent")
    dev = {json.loads(line)["uid"] for line in dev_path.open()}
    used = {c["_src"][3:] for c in cases if c["_src"].startswith("iu:")}
    assert used and not used & dev


def test_injected_errors_present(gen, cases):
    for c in cases:
        f, i, hasf, hasi = gen.split_sections(c["report"])
        if c["injected"] is None:
            assert hasf and hasi and f.strip() and i.strip()
            assert not re.search(r"\[|\*\*\*|<|\b(?<!X)XX\b|_{3} ?(cm|mm)", c["report"])
        elif c["injected"] == "missing_section":
            assert not (hasf and hasi and f.strip() and i.strip())
        elif c["injected"] == "placeholder":
            assert re.search(r"\[|\*\*\*|<|\bXX (mm|cm)|_{3} (cm|mm)", f)


def test_composed_never_uses_xxxx(cases):
    assert not any("XXXX" in c["report"] for c in cases if c["_src"] == "composed")


def test_missing_env_exits_2(gen, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
