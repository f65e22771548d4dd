"""``python -m medrag_core verify`` in a subprocess, against the test database and the tiny SigLIP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medrag_core.models import VerificationResult
from tests.fixtures.images import make_png
from tests.fixtures.workflow_data import QUERY_REPORT, archive_image, build_archive

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(store, tiny_embedder, tiny_siglip_dir, pg_conninfo, tmp_path):
    """Run the CLI with env pointing at the test DB and the tiny model; the archive holds 5 cases
    (a neighbour disagreement needs at least 4 neighbours)."""
    build_archive(store, tiny_embedder, n=5)
    image = tmp_path / "xray.png"
    image.write_bytes(make_png(archive_image(0)))
    report = tmp_path / "report.txt"
    report.write_text(QUERY_REPORT, encoding="utf-8")
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDRAG_") and k != "GEMINI_API_KEY"}
    env.update(
        PYTHONPATH=str(REPO),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        MEDRAG_DATABASE_URL=pg_conninfo,
        MEDRAG_EMBED_MODEL=str(tiny_siglip_dir),
        MEDRAG_DEVICE="cpu",
        MEDRAG_LLM_BACKEND="offline",
        MEDRAG_DATA_DIR=str(data_dir),
        MEDRAG_TOP_K="4",
    )

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "medrag_core", "verify", *args],
            cwd=tmp_path, env={**env, **extra_env}, capture_output=True, text=True, timeout=300,
        )

    run.image, run.report, run.data_dir, run.tmp = image, report, data_dir, tmp_path  # type: ignore[attr-defined]
    return run


def test_cli_prints_verdict_issues_matches_and_timings(cli):
    proc = cli("--image", str(cli.image), "--report-file", str(cli.report))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Verdict: needs_review")
    assert "Verifier: offline" in out and "Offline verifier" in out
    assert "[warning] neighbour_disagreement (consensus)" in out
    assert "Top matches (4):" in out and " 1. case-0 " in out
    assert "Stage timings (ms):" in out
    for stage in ("decode", "image_embedding", "text_embedding", "retrieval", "consensus", "verifier", "total"):
        assert f"  {stage} " in out
    # The image embedding went to the on-disk cache under MEDRAG_DATA_DIR.
    assert [p.name for p in (cli.data_dir / "cache").glob("image-*.npy")]


def test_cli_json_is_a_verification_result(cli):
    proc = cli("--image", str(cli.image), "--report-file", str(cli.report), "--json")
    assert proc.returncode == 0, proc.stderr
    result = VerificationResult.model_validate(json.loads(proc.stdout))
    assert result.report == QUERY_REPORT
    assert len(result.matches) == 4 and result.matches[0].case.case_id == "case-0"
    assert "image_embedding" in result.timings_ms


def test_cli_refused_input_exits_2_with_a_message_and_no_traceback(cli):
    empty = cli.tmp / "empty.png"
    empty.write_bytes(b"")
    proc = cli("--image", str(empty), "--report-file", str(cli.report))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "empty" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not (cli.data_dir / "cache").exists()

    missing = cli("--image", str(cli.image), "--report-file", str(cli.tmp / "nope.txt"))
    assert missing.returncode == 2 and "Cannot read the report file" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_cli_checks_a_report_without_an_image_and_without_a_model(cli):
    """Day one: no X-ray at hand, no weights downloaded: checks and full-text similar cases, said plainly."""
    report = cli.tmp / "effusion.txt"
    report.write_text("FINDINGS: Small left pleural effusion.\nIMPRESSION: Left pleural effusion.", encoding="utf-8")
    proc = cli("--report", str(report), MEDRAG_EMBED_MODEL="/nonexistent/model-dir")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Verdict: ")
    assert "Notice: No image: the report was checked on its own" in out
    assert "text search only" in out
    assert "Top matches (4):" in out and "fts 0." in out  # similar cases from full-text search
    assert "image_embedding" not in [line.split()[0] for line in out.split("Stage timings (ms):")[1].splitlines()
                                     if line.strip()]  # fmt: skip
    assert "Traceback" not in proc.stderr and "RuntimeDirWarning" not in proc.stderr
