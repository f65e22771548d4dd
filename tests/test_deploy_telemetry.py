"""Telemetry is off wherever the app is started: Docker image env, run_app.sh, the Docker entrypoint."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _dockerfile_env() -> str:
    lines = (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines()
    env, inside = [], False
    for line in lines:
        if line.startswith("ENV "):
            inside = True
        if inside:
            env.append(line)
            inside = line.rstrip().endswith("\\")
    return " ".join(env)


def test_dockerfile_env_turns_telemetry_off() -> None:
    env = _dockerfile_env()
    assert "STREAMLIT_BROWSER_GATHER_USAGE_STATS=false" in env
    assert "HF_HUB_DISABLE_TELEMETRY=1" in env


def test_start_scripts_pass_gather_usage_stats_false() -> None:
    for script in ("scripts/run_app.sh", "scripts/docker_entrypoint.sh"):
        text = (REPO / script).read_text(encoding="utf-8")
        lines = text.replace("\\\n", " ").splitlines()
        runs = [line for line in lines if "streamlit run" in line and not line.lstrip().startswith("#")]
        assert runs, script
        assert all("--browser.gatherUsageStats false" in line for line in runs), script
