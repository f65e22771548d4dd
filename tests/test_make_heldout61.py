"""Tests for bench/make_heldout61.py (blind held-out report-check set, South Asian everyday chest list)."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", ROOT.parent / "shared"))
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(not ARCHIVE.is_file(), reason=f"shared IU data not found under {SHARED}")


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout61 as m

    return m


@pytest.fixture(scope="module")
def cases(gen):
    return gen.build(6201, SHARED)


def test_counts(cases):
    c = Counter(x["injected"] for x in cases)
    assert len(cases) == 400 and c[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]:
        assert c[k] == 40


def test_fields_and_ids(tmp_path, gen, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / "a.jsonl"
    assert gen.main([str(out), "--seed", "6201"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400


def test_deterministic_per_seed(tmp_path, gen, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    a, b, c = (tmp_path / n for n in ("a", "b", "c"))
    gen.main([str(a), "--seed", "6202"])
    gen.main([str(b), "--seed", "6202"])
    gen.main([str(c), "--seed", "6203"])
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_no_dev_uid(cases):
    if not DEV.is_file():
        pytest.skip("dev set absent")
    dev = {json.loads(x)["uid"] for x in DEV.open() if x.strip()}
    used = {c["_src"] for c in cases if c["_src"] != "composed"}
    assert used and not used & dev


def test_half_composed(cases):
    for kind in [
        None,
        "missing_section",
        "laterality_conflict",
        "negation_conflict",
        "impression_omits_finding",
        "placeholder",
    ]:
        grp = [c for c in cases if c["injected"] == kind]
        comp = [c for c in grp if c["_src"] == "composed"]
        assert len(comp) * 2 == len(grp)
        assert not any("XXXX" in c["report"] for c in comp)


def test_exit_2_without_shared(tmp_path, gen, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "none"))
    with pytest.raises(SystemExit) as e:
        gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2 and "MEDRAG_SHARED_DIR" in capsys.readouterr().err
