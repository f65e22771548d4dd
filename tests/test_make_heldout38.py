"""Tests for bench/make_heldout38.py (blind held-out report-check set, change/resolution wording)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout38 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
HAVE = (SHARED / "data/iu_reports/NLMCXR_reports.tgz").is_file()
pytestmark = pytest.mark.skipif(not HAVE, reason=f"IU archive not found under {SHARED} (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def out3901(tmp_path_factory):
    p = tmp_path_factory.mktemp("h38") / "a.jsonl"
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    assert gen.main([str(p), "--seed", "3901"]) == 0
    return p


def rows(p):
    return [json.loads(line) for line in p.read_text().splitlines()]


def test_counts_and_fields(out3901):
    r = rows(out3901)
    assert len(r) == 400
    c = Counter(x["injected"] for x in r)
    assert c[None] == 200 and all(c[k] == 40 for k in gen.KINDS)
    for x in r:
        assert set(x) == {"id", "injected", "detail", "report"}
        assert x["report"].strip()
    assert len({x["id"] for x in r}) == 400


def test_determinism(out3901, tmp_path):
    b, c = tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    gen.main([str(b), "--seed", "3901"])
    gen.main([str(c), "--seed", "3902"])
    assert b.read_bytes() == out3901.read_bytes()
    assert c.read_bytes() != out3901.read_bytes()


def test_no_dev_uid():
    recs = gen.generate(3903, SHARED)
    _, dev = gen.load_iu(SHARED)
    used = {r["_uid"] for r in recs if "_uid" in r}
    assert used and not (used & dev)
    real = Counter(r["injected"] for r in recs if "_uid" in r)
    assert real[None] == 100 and all(real[k] == 20 for k in gen.KINDS)


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
