import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists():
    pytest.skip("shared IU data / dev set not available", allow_module_level=True)

from bench import make_heldout152 as mh  # noqa: E402

KINDS = mh.KINDS


@pytest.fixture(scope="module")
def rows():
    return mh.build(3)


@pytest.fixture(scope="module")
def rows_again():
    return mh.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h152-3-")
        assert r["report"].strip()
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for k in [None] + KINDS:
        grp = [r for r in rows if r["injected"] == k]
        iu = [r for r in grp if r["detail"].startswith("IU CXR")]
        assert len(iu) == len(grp) // 2


def test_deterministic_and_seed_dependent(rows, rows_again):
    assert rows == rows_again
    other = mh.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid_and_distinct(rows):
    dev = mh.dev_uids()
    uids = [re.match(r"IU (CXR\d+)", r["detail"]).group(1) for r in rows if r["detail"].startswith("IU CXR")]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_reports_hold_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            t = r["report"]
            for blank in ["[ ]", "[  ]", "***", "<<", ">>", "{{", "[...]", "XX cm", "[SIZE]", "___"]:
                assert blank not in t, (r["id"], blank)


def test_placeholder_rows_hold_a_blank(rows):
    for r in rows:
        if r["injected"] == "placeholder":
            assert any(p.strip() in r["report"] for p in mh.PLACEHOLDERS), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    subprocess.run([sys.executable, "-m", "bench.make_heldout152", str(out), "--seed", "5"], cwd=ROOT, check=True,
                   capture_output=True)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h152-5-")
