"""Held-out report-error set 167 (elderly care / frailty units): shape, balance and hygiene of the generator."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout167 as gen

SHARED = gen.shared_dir()
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (gen.iu_archive(SHARED).is_file() and gen.dev_set(SHARED).is_file()),
        reason="shared data (IU archive and dev set) not found; set MEDRAG_SHARED_DIR",
    ),
]

IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return gen.build(3)


@pytest.fixture(scope="module")
def rows_other_seed():
    return gen.build(4)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] in [None, *gen.KINDS]
        assert r["report"].strip() and r["detail"].strip()
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in gen.KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h167-3-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *gen.KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    dev = gen.load_dev_uids(str(gen.dev_set(SHARED)))
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    assert gen.build(3) == rows
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]


def test_clean_reports_hold_no_blank(rows):
    blank = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\w[^\]]*\]|\{\{|\bXX (mm|cm)\b")
    for r in rows:
        if r["injected"] is None:
            assert not blank.search(r["report"]), r["report"]


def test_injected_placeholders_are_present(rows):
    field = re.compile(r"\[\s*\]|\*\*\*|<<|\[[A-Za-z/ ]+\]|\bXX\b|___")
    for r in rows:
        if r["injected"] == "placeholder":
            assert field.search(r["report"]), r["report"]


def test_clean_reports_have_both_sections_or_a_descriptive_impression(rows):
    for r in rows:
        if r["injected"] is None:
            text = r["report"]
            assert re.search(r"^(IMPRESSION|Impression|CONCLUSION|Conclusion|Opinion|Summary|Comment):\n\S",
                             text, re.M), text


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "bench.make_heldout167", str(out), "--seed", "5"], cwd=root, env=env,
                   check=True, capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h167-5-")
