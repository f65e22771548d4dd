"""Held-out report-error set 168 (adult CF / bronchiectasis centres): shape, balance, determinism, CLI."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout168 as gen

pytestmark = pytest.mark.shared

if not gen.iu_archive_path().exists() or not gen.dev_set_path().exists():
    pytest.skip(f"shared data absent ({gen.shared_dir()}): IU archive or dev set missing", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    return gen.build(0)


@pytest.fixture(scope="module")
def rows_other_seed():
    return gen.build(1)


def is_iu(row):
    return row["detail"].startswith("IU CXR")


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for row in rows:
        assert set(row) == {"id", "injected", "detail", "report"}
        assert row["injected"] is None or row["injected"] in gen.KINDS
        assert isinstance(row["report"], str) and row["report"].strip()
        assert isinstance(row["detail"], str) and row["detail"]
    counts = Counter(row["injected"] for row in rows)
    assert counts[None] == 200
    for kind in gen.KINDS:
        assert counts[kind] == 40
    assert len({row["id"] for row in rows}) == 400
    assert all(re.fullmatch(r"h168-0-\d+", row["id"]) for row in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + gen.KINDS:
        group = [row for row in rows if row["injected"] == kind]
        assert sum(is_iu(row) for row in group) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    uids = [re.match(r"IU (CXR\d+)", row["detail"]).group(1) for row in rows if is_iu(row)]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = set()
    with open(gen.dev_set_path()) as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = gen.build(0)
    assert again == rows
    assert [r["report"] for r in rows_other_seed] != [r["report"] for r in rows]
    assert all(r["id"].startswith("h168-1-") for r in rows_other_seed)


def test_clean_reports_hold_no_blank(rows):
    for row in rows:
        if row["injected"] is None:
            for blank in ("[ ]", "[***]", "***", "<<", ">>", "[", "]"):
                assert blank not in row["report"], (row["id"], blank)


def test_placeholders_hold_a_blank(rows):
    for row in rows:
        if row["injected"] == "placeholder":
            assert re.search(r"\[|\*\*\*|<<|___|\bXX\b", row["report"]), row["id"]


def test_sections_present_except_missing(rows):
    heads = r"(?m)^(Findings|FINDINGS|Report|REPORT|Conclusion|CONCLUSION|Comment|OPINION|Impression|IMPRESSION):"
    for row in rows:
        if row["injected"] != "missing_section":
            assert len(re.findall(heads, row["report"])) >= 1, row["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h168.jsonl"
    env = dict(os.environ)
    env["MEDRAG_SHARED_DIR"] = str(gen.shared_dir())
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout168", str(out), "--seed", "3", "--show", "1"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h168-3-")
    assert "=====" in proc.stderr
