"""Held-out-style report checks: build a set from IU reports the dev set does not use, with other
wording (bench/make_heldout.py), run the checker and score it as ../shared/eval does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import make_heldout

ROOT = Path(__file__).resolve().parents[1]
SCORER = make_heldout.SHARED / "eval" / "score_report_checks.py"

pytestmark = pytest.mark.skipif(not (make_heldout.ARCHIVE.exists() and SCORER.exists()),
                                reason="needs ../shared (IU reports and the scorer)")


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_heldout_style_set_meets_thresholds(tmp_path: Path, seed: int) -> None:
    cases = tmp_path / "heldout.jsonl"
    preds = tmp_path / "pred.jsonl"
    assert make_heldout.main([str(cases), "--seed", str(seed)]) == 0
    rows = [json.loads(line) for line in cases.open()]
    assert len(rows) == 400 and sum(r["injected"] is None for r in rows) == 200
    with preds.open("w") as out:
        subprocess.run([sys.executable, "-m", "medrag_core", "check-reports", str(cases)], cwd=ROOT,
                       stdout=out, check=True)
    lines = subprocess.run([sys.executable, str(SCORER), str(cases), str(preds)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    recalls = {line.split()[0]: float(line.split("recall")[1].split()[0])
               for line in lines if " recall " in line and not line.startswith("recall")}
    assert len(recalls) == 5, lines  # one line per scored kind, or the scorer's format changed
    # calibrated on real reports (issue 13): an absent FINDINGS beside an impression that describes the image
    # is info (as in Open-i's impression-only reports), and v1 removes FINDINGS from such reports too
    assert all(r >= 0.95 for k, r in recalls.items() if k != "missing_section"), recalls
    assert recalls["missing_section"] >= 0.80, recalls
    fpr = float(lines[-1].split("false-alarm-rate")[1])
    assert fpr <= 0.05, lines[-1]
    said = {p["id"] for p in map(json.loads, preds.open()) if any(i["kind"] == "missing_section" for i in p["issues"])}
    assert {r["id"] for r in rows if r["injected"] == "missing_section"} <= said  # at info at least
