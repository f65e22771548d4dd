"""``python -m medrag_core check-reports``: JSONL in, one JSON line per input line out, never a crash.

Also scores the dev set with the shared scorer and holds the issue's thresholds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared_data import EVAL, require_shared

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medrag_core", "check-reports", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_cli_free_text_structured_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a",
                    "report": "FINDINGS: Right lower lobe infiltrate.\nIMPRESSION: Left lower lobe pneumonia."}),
        json.dumps({"id": "b", "findings": "The lungs are clear.", "impression": "Normal chest.",
                    "indication": "Cough", "comparison": "None"}),
        "{not json",
        json.dumps({"id": "d", "text": "no report fields"}),
        json.dumps({"id": "e", "report": "   "}),
        json.dumps({"id": "f", "findings": 3, "impression": "x"}),
        json.dumps(["a list"]),
        "",
        json.dumps({"id": 7, "findings": "", "impression": "No acute disease."}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli(str(src))
    assert proc.returncode == 1, proc.stderr  # some lines had errors; none crashed
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["id"] for row in out] == ["a", "b", "line 3", "d", "e", "f", "line 7", 7]
    assert {i["kind"] for i in out[0]["issues"]} >= {"laterality_conflict"}
    assert set(out[0]["issues"][0]) == {"kind", "severity", "message", "evidence", "suggestion"}
    assert out[1]["issues"] == []
    for row in out[2:7]:
        assert "error" in row and "issues" not in row and row["error"]
    assert "empty" in out[4]["error"]
    assert [i["kind"] for i in out[7]["issues"]] == ["missing_section"]


def test_cli_reads_stdin_and_exits_zero_when_all_lines_check() -> None:
    proc = run_cli("-", stdin=json.dumps({"id": "x", "report": "No acute cardiopulmonary process."}) + "\n")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["id"] == "x" and [i["severity"] for i in row["issues"]] == ["info"]


@pytest.mark.shared
def test_dev_set_scores_meet_the_thresholds(tmp_path: Path) -> None:
    cases = require_shared(EVAL / "report_errors_dev.jsonl")
    scorer = require_shared(EVAL / "score_report_checks.py")
    preds = tmp_path / "predictions.jsonl"
    proc = run_cli(str(cases))
    assert proc.returncode == 0, proc.stderr
    preds.write_text(proc.stdout, encoding="utf-8")
    score = subprocess.run([sys.executable, str(scorer), str(cases), str(preds)], capture_output=True, text=True,
                           check=True).stdout
    recalls = {m[0]: float(m[1]) for m in re.findall(r"^(\w+)\s+recall ([\d.]+)", score, re.MULTILINE)}
    assert len(recalls) == 5, score
    # calibrated on real reports (issue 13): mild, borderline or stable cardiomegaly and small effusions left
    # out of "no acute disease" are info, and the dev set injects some of those; every other kind stays >= 0.95
    assert all(r >= 0.95 for k, r in recalls.items() if k != "impression_omits_finding"), score
    assert recalls["impression_omits_finding"] >= 0.70, score
    fpr = float(re.search(r"false-alarm-rate ([\d.]+)", score).group(1))  # type: ignore[union-attr]
    assert fpr <= 0.05, score
    # the figures docs/report_checks.md gives: moving normal statements and labels into the vocabulary file and
    # pairing findings by side, size and change left them exactly as they were (2026-12-01); mild cardiomegaly and
    # small effusions left out of "Normal chest." are info too since 2026-12-03, as the rule says (0.75 before)
    assert recalls == {"missing_section": 0.97, "laterality_conflict": 1.0, "negation_conflict": 1.0,
                       "impression_omits_finding": 0.72, "placeholder": 1.0}, score
    assert fpr == 0.0, score
    # ... and none of those omissions goes unsaid: each injected one gets the issue, at info at least
    injected = {c["id"] for c in map(json.loads, cases.open()) if c["injected"] == "impression_omits_finding"}
    said = {p["id"] for p in map(json.loads, preds.open())
            if any(i["kind"] == "impression_omits_finding" for i in p["issues"])}
    assert injected <= said, sorted(injected - said)
