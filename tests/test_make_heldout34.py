import json
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or ROOT.parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data/iu_reports/NLMCXR_reports.tgz").exists(),
                                reason="shared IU data absent (set MEDRAG_SHARED_DIR)")


def _gen(tmp_path, seed, monkeypatch):
    from bench import make_heldout34 as m

    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / f"s{seed}.jsonl"
    m.main([str(out), "--seed", str(seed)])
    return out.read_bytes()


def test_counts_fields_determinism(tmp_path, monkeypatch):
    a = _gen(tmp_path, 3501, monkeypatch)
    rows = [json.loads(x) for x in a.decode().splitlines()]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    c = Counter(r["injected"] for r in rows)
    assert c[None] == 200 and all(c[k] == 40 for k in ["missing_section", "laterality_conflict",
                                                        "negation_conflict", "impression_omits_finding",
                                                        "placeholder"])
    assert len({r["id"] for r in rows}) == 400
    assert _gen(tmp_path, 3501, monkeypatch) == a
    assert _gen(tmp_path, 3502, monkeypatch) != a


def test_no_dev_uid(monkeypatch):
    from bench import make_heldout34 as m

    dev = m.dev_uids(SHARED)
    rows = m.build(3503, SHARED)
    used = {r["_uid"] for r in rows if r["_uid"]}
    assert used and not used & dev
    assert sum(r["_origin"] == "iu" for r in rows) == 200
