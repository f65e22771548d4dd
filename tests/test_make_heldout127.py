"""Tests for the blind held-out report-check set 127 (Guyana / Belize setting)."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and (
    SHARED / "eval" / "report_errors_dev.jsonl").exists()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HAVE_DATA, reason="needs IU reports and the dev set under MEDRAG_SHARED_DIR or ../shared"),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout127

    return make_heldout127


@pytest.fixture(scope="module")
def rows(mod):
    return mod.build(7)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    assert set(c) == {None, *KINDS}
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert r["id"].startswith("h127-7-")
        if r["injected"]:
            assert r["detail"]
    assert len({r["id"] for r in rows}) == 400
    assert len({r["report"] for r in rows}) > 390


def test_half_composed_half_iu(rows):
    for kind in KINDS:
        iu = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ")]
        assert len(iu) == 20


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod, rows):
    dev = set()
    with open(SHARED / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    assert dev
    pool = {r["uid"] for r in mod.iu_reports()}
    assert not pool & dev
    used = set()
    for r in rows:
        used.update(re.findall(r"\bIU (CXR\d+)", r["detail"]))
    assert used and not used & dev


def test_placeholders_only_in_placeholder_cases(rows):
    tok = re.compile(r"\[ *\]|\[\*\*\*\]|\*\*\*|\[\.\.\.\]|<>|\{ \}|<<>>|\[insert\]|\[\?\]")
    for r in rows:
        has = bool(tok.search(r["report"]))
        assert has == (r["injected"] == "placeholder"), r["id"]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    res = subprocess.run([sys.executable, "-m", "bench.make_heldout127", str(out), "--seed", "3", "--show", "1"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    first = json.loads(lines[0])
    assert first["id"].startswith("h127-3-")
