"""Held-out report-error set 170 (MCS / ECMO units): shape, balance, provenance, determinism and the CLI."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout170 as mk

pytestmark = pytest.mark.shared

ROOT = Path(__file__).resolve().parents[1]
SHARED = mk.shared_dir()
if not (mk.iu_archive(SHARED).exists() and mk.dev_set(SHARED).exists()):
    pytest.skip(f"shared data absent under {SHARED} (IU archive and dev set needed)", allow_module_level=True)

SEED = 3


@pytest.fixture(scope="module")
def rows():
    return mk.build(SEED)


def iu_uid(row):
    m = re.match(r"IU (CXR\d+):", row["detail"])
    return m.group(1) if m else None


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["detail"] and r["report"].strip()
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith(f"h170-{SEED}-") for r in rows)
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for kind in mk.KINDS:
        assert c[kind] == 40, kind
    assert set(c) == {None, *mk.KINDS}


def test_half_iu_per_group(rows):
    for kind in [None, *mk.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        n_iu = sum(1 for r in group if iu_uid(r))
        assert n_iu == len(group) // 2, kind
        assert all(r["detail"].startswith("composed") for r in group if not iu_uid(r))


def test_iu_reports_distinct_and_not_in_dev(rows):
    dev = set(mk.load_dev_uids(str(mk.dev_set(SHARED))))
    uids = [iu_uid(r) for r in rows if iu_uid(r)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|\bXX (cm|mm)\b|\[(size|side|insert)\]", re.I)
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), (r["id"], r["report"])


def test_placeholder_cases_hold_a_blank(rows):
    blank = re.compile(r"\[[^\]]*\]|\*\*\*|<<\w+>>|\b(XX|xx) (cm|mm)\b")
    for r in rows:
        if r["injected"] == "placeholder":
            assert blank.search(r["report"]), r["id"]


def test_reports_have_section_headers(rows):
    for r in rows:
        low = r["report"].lower()
        assert re.search(r"^(findings|report):", low, re.M) or r["injected"] == "missing_section", r["id"]
        has_imp = re.search(r"^(impression|conclusion|opinion|comment):", low, re.M)
        assert has_imp or r["injected"] == "missing_section", r["id"]


def test_deterministic_and_seed_dependent(rows):
    assert mk.build(SEED) == rows
    other = mk.build(SEED + 1)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED), PYTHONHASHSEED="7")
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout170", str(out), "--seed", "11", "--show", "1"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h170-11-")
    for kind in mk.KINDS:
        assert f"injected={kind}" in res.stderr
