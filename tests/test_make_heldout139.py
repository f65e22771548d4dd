"""Held-out report-error set 139 (Maldives setting): shape, balance, determinism and cleanliness."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout139 as gen

pytestmark = pytest.mark.shared

if not (gen.iu_archive().is_file() and gen.dev_set().is_file()):
    pytest.skip("shared data (IU archive and dev set) not found; set MEDRAG_SHARED_DIR", allow_module_level=True)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
BLANKS = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\.\.\.\]|\[(RIGHT|Rt|side|Type)|\bXX\b|\bxx\b|__")
IU_UID = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_again():
    return gen.build(7)


@pytest.fixture(scope="module")
def rows_other():
    return gen.build(8)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for row in rows:
        assert set(row) == {"id", "injected", "detail", "report"}
        assert isinstance(row["report"], str) and row["report"].strip()
        assert isinstance(row["detail"], str) and row["detail"]
    counts = Counter(row["injected"] for row in rows)
    assert counts[None] == 200
    for kind in KINDS:
        assert counts[kind] == 40
    assert len({row["id"] for row in rows}) == 400
    assert all(row["id"].startswith("h139-7-") for row in rows)


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [row for row in rows if row["injected"] == kind]
        iu = [row for row in group if IU_UID.match(row["detail"])]
        assert len(iu) == len(group) // 2, kind
        assert all(row["detail"].startswith("composed") for row in group if row not in iu)


def test_iu_reports_distinct_and_not_in_dev(rows):
    uids = [IU_UID.match(row["detail"]).group(1) for row in rows if IU_UID.match(row["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & gen.dev_uids()


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_clean_reports_hold_no_blanks(rows):
    for row in rows:
        if row["injected"] is None:
            assert not BLANKS.search(row["report"]), row["report"]


def test_placeholders_hold_a_blank(rows):
    for row in rows:
        if row["injected"] == "placeholder":
            assert BLANKS.search(row["report"]), row["report"]


def test_cli_writes_file(tmp_path: Path):
    out = tmp_path / "set.jsonl"
    proc = subprocess.run([sys.executable, "-m", "bench.make_heldout139", str(out), "--seed", "3", "--show", "1"],
                          cwd=Path(gen.__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h139-3-")
    assert "=====" in proc.stderr
