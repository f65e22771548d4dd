import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (TGZ.exists() and DEV.exists()),
    reason=f"shared IU reports / dev set not found under {SHARED} (set MEDRAG_SHARED_DIR)",
)

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]


@pytest.fixture(scope="module")
def mod():
    from bench import make_heldout128

    return make_heldout128


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
        assert r["id"].startswith("h128-7-")
        assert isinstance(r["report"], str) and r["report"].strip()
        assert isinstance(r["detail"], str)
    assert len({r["id"] for r in rows}) == 400


def test_half_real_half_composed(rows):
    for k in [None, *KINDS]:
        grp = [r for r in rows if r["injected"] == k]
        real = [r for r in grp if r["detail"].startswith("real IU report")]
        assert len(real) == len(grp) // 2


def test_deterministic_and_seed_dependent(mod, rows):
    again = mod.build(7)
    assert again == rows
    other = mod.build(8)
    assert [r["report"] for r in other] != [r["report"] for r in rows]


def test_no_dev_uid(mod, rows):
    dev = mod.load_dev_uids()
    assert dev
    used = mod.used_uids(rows)
    assert len(used) == 200
    assert not (used & dev)


def test_clean_reports_have_no_template_blanks(rows):
    for r in rows:
        if r["injected"] is None:
            for tok in ("***", "[ ]", "[***]", "<<>>", "[...]", "[left/right]", "[RIGHT/LEFT]", "[signature]"):
                assert tok not in r["report"], (r["id"], tok)


def test_cli_writes_file(tmp_path):
    out = tmp_path / "h.jsonl"
    env = dict(os.environ)
    env["MEDRAG_SHARED_DIR"] = str(SHARED)
    res = subprocess.run(
        [sys.executable, "-m", "bench.make_heldout128", str(out), "--seed", "3", "--show", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )
    assert "===" in res.stdout
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) == 400
    assert lines[0]["id"].startswith("h128-3-")
