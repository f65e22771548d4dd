import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout174 as m

SHARED = m.shared_dir()
if not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
    SHARED / "eval" / "report_errors_dev.jsonl"
).exists():
    pytest.skip(f"shared data absent under {SHARED}", allow_module_level=True)

KINDS = m.KINDS


@pytest.fixture(scope="module")
def rows():
    return m.build(3)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["id"].startswith("h174-3-")
        assert r["report"].strip() and r["detail"]
    assert len({r["id"] for r in rows}) == 400


def test_half_iu_per_group(rows):
    for kind in [None, *KINDS]:
        group = [r for r in rows if r["injected"] == kind]
        iu = [r for r in group if r["detail"].startswith("IU CXR")]
        assert len(iu) == len(group) // 2


def test_no_dev_uid_and_distinct(rows):
    dev = {json.loads(line)["uid"] for line in open(SHARED / "eval" / "report_errors_dev.jsonl")}
    uids = [r["detail"].split(":")[0].split()[1] for r in rows if r["detail"].startswith("IU CXR")]
    assert len(uids) == 200
    assert len(set(uids)) == 200
    assert not set(uids) & dev


def test_clean_has_no_blank(rows):
    for r in rows:
        if r["injected"] is None:
            for blank in ("[ ]", "***", "<<", "[FINDING]", "[insert]"):
                assert blank not in r["report"], (r["id"], blank)


def test_deterministic_and_seed_dependent(rows):
    again = m.build(3)
    assert again == rows
    other = m.build(4)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_cli_writes_file(tmp_path):
    out = tmp_path / "o.jsonl"
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout174", str(out), "--seed", "5"], cwd=root, env=env,
                   check=True, capture_output=True)
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert json.loads(lines[0])["id"].startswith("h174-5-")
