"""Tests for the blind held-out report-check set 63 (nursing-home mobile X-ray list)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout63 as m

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
pytestmark = pytest.mark.skipif(not (SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists(),
                                reason="shared IU data ($MEDRAG_SHARED_DIR or ../shared) not available")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    os.environ.setdefault("MEDRAG_SHARED_DIR", str(SHARED))
    d = tmp_path_factory.mktemp("h63")
    out = {}
    for name, seed in [("a", 6401), ("b", 6401), ("c", 6402)]:
        p = d / f"{name}.jsonl"
        assert m.main([str(p), "--seed", str(seed)]) == 0
        out[name] = p
    return out


def _cases(p):
    return [json.loads(line) for line in p.read_text().splitlines()]


def test_counts_and_fields(files):
    cases = _cases(files["a"])
    assert len(cases) == 400
    counts = Counter(c["injected"] for c in cases)
    assert counts[None] == 200
    for k in m.KINDS:
        assert counts[k] == 40
    for c in cases:
        assert set(c) == {"id", "injected", "detail", "report"}
        assert c["report"].strip()
        assert not any(k in c["id"] for k in m.KINDS)
    assert len({c["id"] for c in cases}) == 400


def test_deterministic_per_seed(files):
    assert files["a"].read_bytes() == files["b"].read_bytes()
    assert files["a"].read_bytes() != files["c"].read_bytes()


def test_no_dev_uid_used(files):
    dev = m.dev_uids(SHARED)
    for c in _cases(files["a"]) + _cases(files["c"]):
        if c["detail"].startswith("IU "):
            assert c["detail"].split()[1].split("/")[0] not in dev


def test_every_case_verified(files):
    for c in _cases(files["a"]):
        assert m.verify(c), c["detail"]


def test_missing_shared_exits_2(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert m.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
