import os
from collections import Counter
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parents[1] / ".." / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
    reason="shared IU data not available (set MEDRAG_SHARED_DIR)",
)


@pytest.fixture(scope="module")
def rows():
    os.environ["MEDRAG_SHARED_DIR"] = str(SHARED)
    from bench.make_heldout64 import build

    return build(6501)


def test_counts_and_fields(rows):
    assert len(rows) == 400
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200
    for k in ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]:
        assert c[k] == 40
    for r in rows:
        assert set(r) == {"id", "injected", "detail", "report"}
    assert len({r["id"] for r in rows}) == 400


def test_deterministic(rows):
    from bench.make_heldout64 import build

    assert build(6501) == rows
    assert build(6502) != rows


def test_no_dev_uid(rows):
    from bench.make_heldout64 import dev_uids

    dev = dev_uids(SHARED)
    import bench.make_heldout64 as m

    iu = m.load_iu(SHARED, dev)
    assert not dev & {u for u, _ in iu}
