"""Tests for the blind held-out generator no. 13 (integration-plumbing styles)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
NEEDED = [SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz", SHARED / "eval" / "report_errors_dev.jsonl"]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not all(p.exists() for p in NEEDED),
                       reason=f"shared data (IU archive, dev set) not found under {SHARED}; set MEDRAG_SHARED_DIR"),
]

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(tmp_path, seed, name):
    out = tmp_path / name
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(SHARED)}
    subprocess.run([sys.executable, "-m", "bench.make_heldout13", str(out), "--seed", str(seed)], cwd=REPO, env=env,
                   check=True)
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h13")
    a = _run(tmp, 1401, "a.jsonl")
    b = _run(tmp, 1401, "b.jsonl")
    c = _run(tmp, 1402, "c.jsonl")
    return a, b, c


def test_counts_and_fields(generated):
    rows = [json.loads(line) for line in generated[0].read_text().splitlines()]
    assert len(rows) == 400
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str) and r["detail"]
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200
    for k in KINDS:
        assert counts[k] == 40
    assert len({r["id"] for r in rows}) == 400
    # ids do not reveal the kind
    for r in rows:
        assert not any(k.split("_")[0] in r["id"] for k in KINDS)


def test_deterministic_per_seed(generated):
    a, b, c = generated
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_no_dev_uid_used():
    from bench import make_heldout13 as m

    rows = m.build(1403, SHARED)
    dev = {json.loads(line)["uid"] for line in (SHARED / "eval" / "report_errors_dev.jsonl").open() if line.strip()}
    sources = Counter(r["_source"] for r in rows)
    assert not (set(sources) & dev)
    assert sources["composed"] == 200
    used = [s for s in sources if s != "composed"]
    assert len(used) == 200 and all(sources[s] == 1 for s in used)
    for r in rows:
        if r["_source"] == "composed":
            assert "XXXX" not in r["report"]


def test_missing_shared_dir_exits_2(tmp_path):
    env = {**os.environ, "MEDRAG_SHARED_DIR": str(tmp_path / "nowhere")}
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout13", str(tmp_path / "x.jsonl"), "--seed", "1"],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 2
    assert "MEDRAG_SHARED_DIR" in p.stderr
