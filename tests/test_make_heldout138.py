"""The held-out report-error set 138 (Brunei / Sabah / Sarawak), written blind: shape, balance, IU use."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout138 as M

ROOT = Path(__file__).resolve().parents[1]
SHARED = M.shared_dir()
if not (M.iu_archive(SHARED).is_file() and M.dev_set(SHARED).is_file()):
    pytest.skip(f"shared data absent under {SHARED} (IU archive and dev set needed)", allow_module_level=True)

pytestmark = pytest.mark.shared
IU_DETAIL = re.compile(r"^IU (CXR\d+): ")
BLANKS = ["[ ]", "[", "]", "***", "<<", ">>", "__", "XX cm", "XX mm", "{", "}"]


@pytest.fixture(scope="module")
def sets():
    return {"a": M.build(0), "a2": M.build(0), "b": M.build(1)}


@pytest.fixture(scope="module")
def rows(sets):
    return sets["a"]


def test_four_fields_and_ids(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    assert [r["id"] for r in rows] == [f"h138-0-{k}" for k in range(400)]


def test_counts(rows):
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for kind in M.KINDS:
        assert c[kind] == 40, kind
    assert set(c) == {None, *M.KINDS}


def test_half_iu_per_group(rows):
    for kind in [None, *M.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_DETAIL.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind
        assert all(r["detail"].startswith("composed") for r in group if r not in iu)


def test_deterministic_and_seed_dependent(sets):
    assert sets["a"] == sets["a2"]
    a = [r["report"] for r in sets["a"]]
    b = [r["report"] for r in sets["b"]]
    assert a != b
    assert len(set(a) & set(b)) < 40


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [IU_DETAIL.match(r["detail"]).group(1) for r in rows if IU_DETAIL.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = M._dev_uids(str(M.dev_set(SHARED)))
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(sets):
    for rows in (sets["a"], sets["b"]):
        for r in rows:
            if r["injected"] is None:
                for tok in BLANKS:
                    assert tok not in r["report"], (r["id"], tok)


def test_placeholders_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert any(tok in r["report"] for tok in BLANKS + ["XX"]), r["id"]


def test_sections_present_unless_missing(rows):
    for r in rows:
        if r["injected"] == "missing_section":
            continue
        text = r["report"].lower()
        assert re.search(r"impression|conclusion|comment|opinion", text), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "set.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout138", str(out), "--seed", "3", "--show", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h138-3-")
    assert proc.stderr.count("=====") == 6
