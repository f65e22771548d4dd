"""Tests for the blind held-out generator no. 26 (bench/make_heldout26.py)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout26 as gen

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
DATA = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(not (DATA.exists() and DEV.exists()),
                                reason=f"shared data absent under {SHARED} (set MEDRAG_SHARED_DIR)")


def _run(tmp_path, seed):
    out = tmp_path / f"s{seed}.jsonl"
    gen.main([str(out), "--seed", str(seed)])
    return out.read_bytes()


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    return [json.loads(x) for x in _run(tmp_path_factory.mktemp("h26"), 2701).splitlines()]


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
        assert not any(k in r["id"] for k in gen.KINDS)
    assert len({r["id"] for r in rows}) == 400


def test_half_composed_half_iu(rows):
    for kind in [None] + gen.KINDS:
        grp = [r for r in rows if r["injected"] == kind]
        iu = [r for r in grp if "IU CXR" in r["detail"]]
        assert len(iu) == len(grp) // 2


def test_no_dev_uid(rows):
    dev = {json.loads(x)["uid"] for x in open(DEV) if x.strip()}
    used = {w.rstrip(":") for r in rows for w in r["detail"].split() if w.startswith("CXR")}
    assert used and not used & dev


def test_determinism(tmp_path):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    a, b, c = _run(tmp_path, 5), _run(tmp_path, 5), _run(tmp_path, 6)
    assert a == b
    assert a != c


def test_missing_shared_dir_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"])
    assert e.value.code == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
