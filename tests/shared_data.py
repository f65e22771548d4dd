"""Where ../shared lives, and a skip marker for tests that need it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
BADINPUTS = SHARED / "badinputs"
DATA = SHARED / "data"
EVAL = SHARED / "eval"


def require_shared(path: Path) -> Path:
    """Skip the calling test with a reason when ``path`` (under ../shared) is absent."""
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data folder is not present in this checkout)")
    return path
