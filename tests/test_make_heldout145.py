import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout145 as mh

SHARED = mh.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
        not (SHARED / "eval" / "report_errors_dev.jsonl").exists():
    pytest.skip(f"shared data not found under {SHARED}", allow_module_level=True)

KINDS = mh.KINDS
IU_RE = re.compile(r"^IU (CXR\d+):")


@pytest.fixture(scope="module")
def rows():
    return mh.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["injected"] is None or r["injected"] in KINDS
        assert r["report"].strip() and r["detail"].strip()
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert all(r["id"].startswith("h145-3-") for r in rows)


def test_half_iu_per_group(rows):
    for kind in [None] + KINDS:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if IU_RE.match(r["detail"])]
        assert len(iu) == len(group) // 2, kind


def test_iu_reports_distinct_and_not_dev(rows):
    dev = mh.dev_uids(str(SHARED))
    uids = [IU_RE.match(r["detail"]).group(1) for r in rows if IU_RE.match(r["detail"])]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("[ ]", "***", "<<", ">>", "[*", "XX cm", "T__", "[side]"):
                assert tok not in r["report"], (tok, r["id"])


def test_placeholder_cases_hold_a_field(rows):
    fields = re.compile(r"\[[^\]]*\]|\*\*\*|<<\w+>>|___|\bXX cm|__ cm|T__")
    for r in rows:
        if r["injected"] == "placeholder":
            assert fields.search(r["report"]), r["id"]


def test_deterministic_and_seed_dependent(rows):
    again = mh.build(3)
    assert again == rows
    other = mh.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout145", str(out), "--seed", "5", "--show", "1"],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h145-5-")
    assert "injected=placeholder" in res.stderr
