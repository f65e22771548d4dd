"""Tests for bench/make_heldout29.py (blind held-out set: check films after procedures, special views)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

pytestmark = pytest.mark.skipif(not TGZ.is_file(), reason=f"IU reports not found under {SHARED} (MEDRAG_SHARED_DIR)")


def _gen(tmp_path, seed):
    out = tmp_path / f"h29_{seed}.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout29", str(out), "--seed", str(seed)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h29")
    return _gen(tmp, 3001), _gen(tmp, 3001), _gen(tmp, 3002)


def test_counts_and_fields(generated):
    rows = [json.loads(line) for line in generated[0].read_text().splitlines()]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    assert all(r["report"].strip() and r["detail"] for r in rows)
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding",
              "placeholder"]:
        assert c[k] == 40
    assert len({r["id"] for r in rows}) == 400
    assert not any(k in r["id"] for r in rows for k in ("missing", "laterality", "negation", "omits", "placeholder"))


def test_deterministic_per_seed(generated):
    a, b, c = generated
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_no_dev_uid_used(generated):
    dev = SHARED / "eval" / "report_errors_dev.jsonl"
    if not dev.is_file():
        pytest.skip("dev set absent")
    uids = {json.loads(line)["uid"] for line in dev.read_text().splitlines() if line.strip()}
    rows = [json.loads(line) for line in generated[0].read_text().splitlines()]
    used = {r["detail"].split()[-1] for r in rows if r["detail"].startswith("unmodified IU report")}
    assert used and not used & uids
    sys.path.insert(0, str(ROOT))
    from bench import make_heldout29 as m

    _, all_used = m.build(3001)
    assert all_used and not all_used & uids


def test_exit_2_without_shared(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    r = subprocess.run([sys.executable, "-m", "bench.make_heldout29", str(tmp_path / "o.jsonl"), "--seed", "1"],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "MEDRAG_SHARED_DIR" in r.stderr
