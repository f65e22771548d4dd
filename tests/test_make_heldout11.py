"""Tests for bench/make_heldout11.py (blind held-out set: US hospital / archive report styles)."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or (REPO.parent / "shared"))
HAVE_DATA = (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() and \
    (SHARED / "eval" / "report_errors_dev.jsonl").exists()
pytestmark = pytest.mark.skipif(not HAVE_DATA, reason=f"shared data not found under {SHARED} (set MEDRAG_SHARED_DIR)")

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


def _run(tmp_path, seed, tag=""):
    out = tmp_path / f"h11_{seed}{tag}.jsonl"
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(SHARED))
    subprocess.run([sys.executable, "-m", "bench.make_heldout11", str(out), "--seed", str(seed)],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("h11")
    return {s: _run(tmp, s) for s in (1201, 1202)}, tmp


def test_counts_and_fields(built):
    files, _ = built
    rows = [json.loads(line) for line in files[1201].read_text().splitlines()]
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in KINDS:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
        assert r["report"].strip() and r["detail"]
        assert r["injected"] is None or r["injected"] in KINDS
    assert len({r["id"] for r in rows}) == 400
    # the id does not reveal the kind
    assert not any(k in r["id"] for r in rows for k in KINDS)


def test_deterministic_per_seed(built):
    files, tmp = built
    again = _run(tmp, 1201, "_again")
    assert again != files[1201]
    assert files[1201].read_bytes() == again.read_bytes()
    assert files[1201].read_bytes() != files[1202].read_bytes()


def test_no_dev_uid_used(built):
    sys.path.insert(0, str(REPO))
    from bench import make_heldout11 as m

    dev = {json.loads(line)["uid"] for line in (SHARED / "eval" / "report_errors_dev.jsonl").open() if line.strip()}
    _, used = m.generate(1201, SHARED)
    assert used and not (used & dev)
    iu, dev2 = m.load_iu(SHARED)
    assert dev2 == dev and not ({r["uid"] for r in iu} & dev)


def test_missing_env_exits_2(tmp_path):
    env = dict(os.environ, MEDRAG_SHARED_DIR=str(tmp_path / "nowhere"))
    p = subprocess.run([sys.executable, "-m", "bench.make_heldout11", str(tmp_path / "x.jsonl")],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert p.returncode == 2 and "MEDRAG_SHARED_DIR" in p.stderr
