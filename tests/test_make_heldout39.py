"""Tests for bench/make_heldout39.py (the blind held-out report-check set no. 39)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file() and (
    SHARED / "eval" / "report_errors_dev.jsonl"
).is_file()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared IU data / dev set not found under {SHARED}")


@pytest.fixture(scope="module")
def gen():
    from bench import make_heldout39 as m

    return m


@pytest.fixture(scope="module")
def cases(gen):
    return gen.build(4001, SHARED)


def test_counts_and_fields(cases, gen):
    assert len(cases) == 400
    c = Counter(x["injected"] for x in cases)
    assert c[None] == 200
    for k in gen.KINDS:
        assert c[k] == 40
    for x in cases:
        assert set(x) == {"id", "injected", "detail", "report"}
        assert x["report"].strip()
    assert len({x["id"] for x in cases}) == 400


def test_deterministic_per_seed(cases, gen, tmp_path):
    again = gen.build(4001, SHARED)
    assert json.dumps(cases) == json.dumps(again)
    other = gen.build(4002, SHARED)
    assert json.dumps(cases) != json.dumps(other)


def test_cli_writes_jsonl(tmp_path, monkeypatch):
    from bench import make_heldout39 as m

    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    m.main([str(a), "--seed", "4003"])
    m.main([str(b), "--seed", "4003"])
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_text().splitlines()) == 400


def test_no_dev_uid_used(cases, gen):
    dev = gen.dev_uids(SHARED)
    used = [x["detail"].split(";")[0].removeprefix("[IU ") for x in cases if x["detail"].startswith("[IU ")]
    assert len(used) == 200
    assert not set(used) & dev
    assert len(set(used)) == len(used)


def test_missing_shared_dir_exits_2(monkeypatch, tmp_path, capsys, gen):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nope"))
    with pytest.raises(SystemExit) as e:
        gen.shared_dir()
    assert e.value.code == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
