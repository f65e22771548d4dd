"""Tests for bench/make_heldout58.py (held-out set generator, NHS GP direct-access chest X-rays)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout58 as gen

SHARED = gen.shared_dir()
pytestmark = pytest.mark.skipif(
    SHARED is None, reason="shared IU data not found (set MEDRAG_SHARED_DIR or provide ../shared)")


def _run(tmp_path: Path, seed: int) -> bytes:
    out = tmp_path / f"h58_{seed}.jsonl"
    assert gen.main([str(out), "--seed", str(seed)]) == 0
    return out.read_bytes()


def test_counts_fields_and_determinism(tmp_path):
    a = _run(tmp_path, 5901)
    rows = [json.loads(line) for line in a.decode().splitlines()]
    assert len(rows) == 400
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for kind in gen.KINDS:
        assert counts[kind] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip()
        assert r["injected"] is None or r["injected"] not in r["id"]
    assert len({r["id"] for r in rows}) == 400
    assert _run(tmp_path, 5901) == a
    assert _run(tmp_path, 5902) != a
    # byte-identical across processes too (no dependence on string-hash order)
    out = tmp_path / "sub.jsonl"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MEDRAG_SHARED_DIR": str(SHARED)}
    subprocess.run([sys.executable, "-m", "bench.make_heldout58", str(out), "--seed", "5901"], check=True, env=env,
                   cwd=Path(gen.__file__).resolve().parent.parent)
    assert out.read_bytes() == a


def test_no_dev_uid_used():
    dev = gen.dev_uids(SHARED)
    assert dev, "dev uids could not be read"
    assert not {r["uid"] for r in gen.load_iu(SHARED)} & dev


def test_injections_verified():
    for r in gen.build(5903, SHARED):
        assert gen.verify(r["injected"], r["report"], r["detail"]), r


def test_exit_2_without_shared(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert gen.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
    assert os.environ["MEDRAG_SHARED_DIR"].endswith("nowhere")
