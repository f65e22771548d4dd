"""Tests for bench/make_heldout47.py (blind held-out report-error set, UK/IE/AU/NZ everyday reports)."""
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import make_heldout47 as m

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR") or REPO.parent / "shared")
pytestmark = pytest.mark.skipif(
    not (SHARED / "data/iu_reports/NLMCXR_reports.tgz").is_file()
    or not (SHARED / "eval/report_errors_dev.jsonl").is_file(),
    reason="shared IU archive / dev set not found (set MEDRAG_SHARED_DIR)",
)


def _run(tmp_path, seed, monkeypatch):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(SHARED))
    out = tmp_path / f"h47_{seed}.jsonl"
    assert m.main([str(out), "--seed", str(seed)]) == 0
    return out


def test_counts_fields_and_dev_exclusion(tmp_path, monkeypatch):
    out = _run(tmp_path, 4801, monkeypatch)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 400
    assert all(set(r) == {"id", "injected", "detail", "report"} for r in rows)
    counts = Counter(r["injected"] for r in rows)
    assert counts[None] == 200 and all(counts[k] == 40 for k in m.KINDS)
    assert len({r["id"] for r in rows}) == 400
    assert all(r["report"].strip() for r in rows)
    dev = {json.loads(x)["uid"] for x in (SHARED / "eval/report_errors_dev.jsonl").read_text().splitlines() if x}
    used = {d.split("(IU ")[1].split(")")[0] for d in (r["detail"] for r in rows) if "(IU " in d}
    assert len(used) == 200 and not used & dev
    for kind in [None, *m.KINDS]:
        iu = sum(1 for r in rows if r["injected"] == kind and "(IU " in r["detail"])
        assert iu == counts[kind] // 2


def test_determinism_per_seed(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _run(tmp_path / "a", 4802, monkeypatch)
    b = _run(tmp_path / "b", 4802, monkeypatch)
    c = _run(tmp_path, 4803, monkeypatch)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_placeholders_only_in_placeholder_cases(tmp_path, monkeypatch):
    out = _run(tmp_path, 4801, monkeypatch)
    for r in map(json.loads, out.read_text().splitlines()):
        n = len(m.PLACEHOLDERS_RE.findall(r["report"]))
        assert n == (1 if r["injected"] == "placeholder" else 0), r


def test_missing_shared_dir_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDRAG_SHARED_DIR", str(tmp_path / "nowhere"))
    assert m.main([str(tmp_path / "x.jsonl"), "--seed", "1"]) == 2
    assert "MEDRAG_SHARED_DIR" in capsys.readouterr().err
