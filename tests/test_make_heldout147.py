"""Held-out report-error set 147 (HIV / infectious-disease clinics and wards): shape, labels, provenance, CLI."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout147 as mh

REPO = Path(__file__).resolve().parents[1]
KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
BLANK = re.compile(r"\[|\]|\*\*\*|<<|>>|\{|\}|\bXX (?:cm|mm)\b|\b__ (?:cm|mm)\b")
IU_UID = re.compile(r"^IU (CXR\d+):")

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not mh.iu_archive().exists(), reason="shared IU report archive (../shared/data) is absent"),
]


@pytest.fixture(scope="module")
def rows():
    return mh.build(7)


@pytest.fixture(scope="module")
def rows_other_seed():
    return mh.build(8)


def _uids(rows):
    return [m.group(1) for r in rows if (m := IU_UID.match(r["detail"]))]


def test_counts_and_fields(rows):
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    assert len({r["id"] for r in rows}) == 400
    assert all(re.fullmatch(r"h147-7-\d+", r["id"]) for r in rows)
    counts = Counter(r["injected"] for r in rows)
    assert counts == {None: 200, **{k: 40 for k in KINDS}}
    assert all(isinstance(r["report"], str) and r["report"].strip() and r["detail"] for r in rows)


def test_half_of_every_group_is_iu(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if r["detail"].startswith("IU CXR")]
        assert len(iu) == len(group) // 2, kind
        assert all(r["detail"].startswith("composed") for r in group if r not in iu), kind


def test_iu_reports_distinct_and_not_in_dev(rows):
    uids = _uids(rows)
    assert len(uids) == 200
    assert len(set(uids)) == 200
    dev = mh.load_dev_uids(str(mh.dev_path()))
    if not dev:
        pytest.skip("dev set absent")
    assert not set(uids) & dev


def test_deterministic_and_seed_dependent(rows, rows_other_seed):
    again = mh.build(7)
    assert [(r["id"], r["injected"], r["detail"], r["report"]) for r in again] == [
        (r["id"], r["injected"], r["detail"], r["report"]) for r in rows
    ]
    assert [r["report"] for r in rows] != [r["report"] for r in rows_other_seed]
    assert set(_uids(rows)) != set(_uids(rows_other_seed))


def test_clean_reports_hold_no_blanks_and_both_sections(rows):
    for r in rows:
        if r["injected"] is None:
            assert not BLANK.search(r["report"]), r["id"]
            assert re.search(r"^FINDINGS\b|^Findings\b", r["report"], re.M), r["id"]
            assert re.search(r"^(?:IMPRESSION|Impression|CONCLUSION)\b", r["report"], re.M), r["id"]


def test_placeholder_cases_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            token = re.search(r"'([^']*)'$", r["detail"].split(" left as ")[-1].split(" replaced by ")[-1]).group(1)
            assert token in r["report"], r["id"]


def test_laterality_cases_hold_a_side(rows):
    for r in rows:
        if r["injected"] == "laterality_conflict":
            assert re.search(r"\b(?:left|right)\b", r["report"], re.I), r["id"]
            assert not BLANK.search(r["report"]), r["id"]


def test_shared_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path))
    assert mh.shared_dir() == tmp_path
    with pytest.raises(FileNotFoundError):
        mh.build(1)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(mh.shared_dir())}
    p = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout147", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h147-3-")
    assert p.stderr.count("=====") == 6
