"""Held-out report-error set 171 (head and neck / thyroid units): shape, labels and determinism."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import make_heldout171 as gen  # noqa: E402

SHARED = gen.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists():
    pytest.skip(f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)", allow_module_level=True)

pytestmark = pytest.mark.shared

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return gen.build(0)


@pytest.fixture(scope="module")
def rows_again():
    return gen.build(0)


@pytest.fixture(scope="module")
def rows_other():
    return gen.build(1)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h171-0-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert r["detail"]
    assert len({r["id"] for r in rows}) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    dev = {json.loads(line)["uid"] for line in (SHARED / "eval" / "report_errors_dev.jsonl").open()}
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            assert not re.search(r"\[\s*\]|\*\*\*|<<|\[\*+\]|\{\{", r["report"]), r["id"]


def test_placeholders_are_present(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert re.search(r"\[[^\]]*\]|\*\*\*|<<\w*>>|___|\bXX\b", r["report"]), r["id"]


def test_reports_have_sections(rows):
    for r in rows:
        if r["injected"] != "missing_section":
            low = r["report"].lower()
            assert re.search(r"^(findings|report):", low, re.M), r["id"]
            assert re.search(r"^(impression|conclusion|opinion|summary):", low, re.M), r["id"]


def test_deterministic_and_seed_dependent(rows, rows_again, rows_other):
    assert rows == rows_again
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout171", str(out), "--seed", "3", "--show", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h171-3-")
    assert "injected=" in res.stderr
