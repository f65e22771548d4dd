"""CLI input limits: ``check-reports`` answers every bad line with an ``{id, error}`` row and goes on;
``verify`` refuses an oversized file before reading it (also an endless one such as /dev/zero)."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from medrag_core.cli import MAX_JSON_DEPTH, MAX_LINE_CHARS, check_reports, json_depth

ROOT = Path(__file__).resolve().parents[1]
GOOD = json.dumps({"id": "ok", "report": "FINDINGS: The lungs are clear.\nIMPRESSION: No acute disease."})


def run_check_reports(tmp_path: Path, lines: list[str]) -> tuple[int, list[dict]]:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    status = check_reports(str(src), out)
    return status, [json.loads(row) for row in out.getvalue().splitlines()]


@pytest.mark.parametrize(
    "line",
    [
        "[" * 100_000 + "]" * 100_000,  # json.loads raised RecursionError here and the run stopped
        '{"id": "x", "report": ' + "[" * 5_000 + "]" * 5_000 + "}",
        '{"id": ' + "[" * 40 + "]" * 40 + ', "report": "IMPRESSION: Normal."}',
    ],
    ids=["deep-array", "deep-value", "moderately-deep-id"],
)
def test_deeply_nested_line_gets_an_error_row_and_the_rest_are_checked(tmp_path: Path, line: str) -> None:
    status, rows = run_check_reports(tmp_path, [GOOD, line, GOOD])
    assert status == 1
    assert [r["id"] for r in rows] == ["ok", "line 2", "ok"]
    assert "nested" in rows[1]["error"]
    assert "issues" in rows[0] and "issues" in rows[2]


def test_unusable_id_is_an_error_not_a_crash(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": {"a": 1}, "report": "IMPRESSION: Normal."}),
        json.dumps({"id": "y" * 500, "report": "x"}),
    ]
    status, rows = run_check_reports(tmp_path, [*lines, GOOD])
    assert status == 1
    assert rows[0] == {"id": "line 1", "error": "'id' must be a string or a number"}
    assert rows[1]["id"] == "line 2" and "200" in rows[1]["error"]
    assert rows[2]["id"] == "ok"


def test_overlong_line_is_skipped_unread(tmp_path: Path) -> None:
    huge = json.dumps({"id": "big", "report": "x" * (MAX_LINE_CHARS * 3)})
    status, rows = run_check_reports(tmp_path, [huge, GOOD])
    assert status == 1
    assert rows[0]["id"] == "line 1" and f"{MAX_LINE_CHARS:,}" in rows[0]["error"]
    assert rows[1]["id"] == "ok" and "issues" in rows[1]


def test_json_depth_counts_outside_strings_only() -> None:
    assert json_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth('"\\"[[["') == 0
    assert json_depth("[" * (MAX_JSON_DEPTH + 1)) == MAX_JSON_DEPTH + 1


def test_cli_subprocess_no_traceback_on_deep_nesting(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("[" * 200_000 + "\n" + GOOD + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "medrag_core", "check-reports", str(src)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
    rows = [json.loads(r) for r in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["line 1", "ok"] and proc.returncode == 1


# --- verify: sizes before reading -------------------------------------------------------------------


def _verify(tmp_path: Path, image: str, report: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDRAG_") and k != "GEMINI_API_KEY"}
    env.update(PYTHONPATH=str(ROOT), MEDRAG_DATA_DIR=str(tmp_path / "data"), MEDRAG_LLM_BACKEND="offline",
               MEDRAG_MAX_UPLOAD_BYTES=str(8 * 2**20))
    # a child that read 2 GB (or /dev/zero) into memory would die on this limit or print MemoryError
    limit = 1 << 30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "medrag_core", "verify", "--image", image, "--report-file", report],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, preexec_fn=cap,
    )


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text("IMPRESSION: No acute disease.", encoding="utf-8")
    return path


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_verify_refuses_an_endless_image_without_reading_it_all(tmp_path: Path, report_file: Path) -> None:
    proc = _verify(tmp_path, "/dev/zero", str(report_file))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert "larger than the 8 MB upload limit" in proc.stderr


def test_verify_refuses_a_2gb_image_from_its_size(tmp_path: Path, report_file: Path) -> None:
    big = tmp_path / "big.dcm"
    with open(big, "wb") as fh:
        fh.truncate(2 * 2**30)  # sparse: takes no disk space
    proc = _verify(tmp_path, str(big), str(report_file))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "upload limit (MEDRAG_MAX_UPLOAD_BYTES). It was not read" in proc.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_verify_refuses_an_endless_report(tmp_path: Path) -> None:
    image = tmp_path / "x.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    proc = _verify(tmp_path, str(image), "/dev/zero")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "20,000 characters" in proc.stderr
