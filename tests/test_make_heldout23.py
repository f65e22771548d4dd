"""Tests for the blind held-out generator 23 (second-voice reports)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout23 as gen

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
                                reason="shared IU data absent (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    out = tmp_path_factory.mktemp("h23") / "a.jsonl"
    gen.main([str(out), "--seed", "2401"])
    return out


def test_counts_and_fields(rows):
    lines = [json.loads(x) for x in rows.read_text().splitlines()]
    assert len(lines) == 400
    c = Counter(x["injected"] for x in lines)
    assert c[None] == 200 and all(c[k] == 40 for k in gen.KINDS)
    for x in lines:
        assert set(x) == {"id", "injected", "detail", "report"}
        assert x["report"].strip()
    assert len({x["id"] for x in lines}) == 400


def test_deterministic_per_seed(rows, tmp_path):
    again, other = tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    gen.main([str(again), "--seed", "2401"])
    gen.main([str(other), "--seed", "2402"])
    assert again.read_bytes() == rows.read_bytes()
    assert other.read_bytes() != rows.read_bytes()


def test_no_dev_uid(rows):
    dev_path = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev_path.exists():
        pytest.skip("dev set absent")
    dev = {json.loads(x)["uid"] for x in dev_path.open()}
    used = set()
    for x in map(json.loads, rows.read_text().splitlines()):
        if x["detail"].startswith("[IU "):
            used.add(x["detail"][4:].split("/")[0])
    assert used and not used & dev


def test_missing_shared_dir_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as e:
        gen.shared_dir()
    assert e.value.code == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
