import json
import os
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data/iu_reports/NLMCXR_reports.tgz").exists(),
    reason="shared IU data absent (set MEDRAG_SHARED_DIR)")


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    from bench import make_heldout65 as m
    d = tmp_path_factory.mktemp("h65")
    m.main([str(d / "a.jsonl"), "--seed", "6601"])
    m.main([str(d / "b.jsonl"), "--seed", "6601"])
    m.main([str(d / "c.jsonl"), "--seed", "6602"])
    return d


def _rows(p):
    return [json.loads(x) for x in p.read_text().splitlines()]


def test_counts_and_fields(gen):
    rows = _rows(gen / "a.jsonl")
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict",
              "impression_omits_finding", "placeholder"]:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
    assert len({r["id"] for r in rows}) == 400


def test_determinism(gen):
    assert (gen / "a.jsonl").read_bytes() == (gen / "b.jsonl").read_bytes()
    assert (gen / "a.jsonl").read_bytes() != (gen / "c.jsonl").read_bytes()


def test_no_dev_uid():
    from bench import make_heldout65 as m
    dev = m.dev_uids(SHARED)
    assert not {r["uid"] for r in m.load_iu(SHARED, dev)} & dev
