"""scripts/run_tests.sh and scripts/run_app.sh on a copy of the repo whose .venv holds stub tools that
log their calls: the tests' install records the hash run_app.sh checks, so the app does not reinstall."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STUB = '#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "{log}"\n'


def _fake_checkout(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    for name in ("run_tests.sh", "run_app.sh"):
        shutil.copy(REPO / "scripts" / name, root / "scripts" / name)
    for name in ("requirements.txt", "requirements-dev.txt"):
        shutil.copy(REPO / name, root / name)
    log = tmp_path / "calls.log"
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("python", "pip", "ruff", "streamlit"):
        path = bin_dir / tool
        path.write_text(STUB.format(log=log))
        path.chmod(0o755)
    return root, log


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_run_app_after_run_tests_does_not_reinstall(tmp_path: Path) -> None:
    root, log = _fake_checkout(tmp_path)
    subprocess.run(["bash", "scripts/run_tests.sh", "-q"], cwd=root, check=True, capture_output=True, timeout=60)
    calls = _calls(log)
    assert "pip install -q -r requirements-dev.txt" in calls and calls[-1] == "python -m pytest -q"
    log.unlink()
    subprocess.run(["bash", "scripts/run_app.sh"], cwd=root, check=True, capture_output=True, timeout=60)
    calls = _calls(log)
    assert not [c for c in calls if c.startswith("pip")], calls  # nothing reinstalled
    assert calls and calls[-1].startswith("streamlit run streamlit_app.py")
    log.unlink()
    subprocess.run(["bash", "scripts/run_tests.sh"], cwd=root, check=True, capture_output=True, timeout=60)
    assert not [c for c in _calls(log) if c.startswith("pip")]  # and the tests do not reinstall either


def test_a_changed_requirements_file_installs_again(tmp_path: Path) -> None:
    root, log = _fake_checkout(tmp_path)
    subprocess.run(["bash", "scripts/run_tests.sh"], cwd=root, check=True, capture_output=True, timeout=60)
    with (root / "requirements.txt").open("a") as fh:
        fh.write("# changed\n")
    log.unlink()
    subprocess.run(["bash", "scripts/run_app.sh"], cwd=root, check=True, capture_output=True, timeout=60)
    assert "pip install -q -r requirements.txt" in _calls(log)
