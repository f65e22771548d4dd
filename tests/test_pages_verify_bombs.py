"""Decompression bombs (``tests/fixtures/bombs.py``, made here) on the Verify page, through AppTest.

With an external LLM chosen (a local server speaking the OpenAI wire format), each bomb uploaded as the
X-ray gives one error that names the problem, no exception, no preview and no background embedding;
pressing Verify says the image cannot be used. Afterwards no row was added to any table (no case, no
history entry), no embedding was cached and the LLM server received nothing. The same bombs through
the REST API: tests/test_api_bombs.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.bombs import BOMBS, row_counts, write_bombs
from tests.fixtures.images import make_dicom
from tests.page_helpers import (
    GOOD_REPORT,
    app_env,  # noqa: F401 - fixture
    app_test,
    errors_of,
)
from tests.shared_data import BADINPUTS, require_shared

UPLOAD_LIMIT = 24 << 20
#: What the error under the upload names, by the refusal's code (one of the words suffices).
MESSAGE_WORDS = {"too_large": ("decompression bomb", "megapixel limit", "larger than"), "multi_frame": ("frames",)}


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("page-bombs")
    paths = write_bombs(folder)
    paths["dicom-over-upload-limit"] = folder / "dicom-over-upload-limit"  # 32 MB of honest pixels
    paths["dicom-over-upload-limit"].write_bytes(make_dicom(np.zeros((4096, 4096))))
    return paths


def _code(name: str) -> str:
    return BOMBS[name][1] if name in BOMBS else "too_large"


@pytest.fixture
def external_llm(app_env, monkeypatch: pytest.MonkeyPatch, fake_openai):  # noqa: F811
    """The app on the test database with an external LLM chosen (the fake server) and a lower upload limit."""
    monkeypatch.setenv("MEDRAG_LLM_BACKEND", "openai_compat")
    monkeypatch.setenv("MEDRAG_OPENAI_BASE_URL", fake_openai.url)
    monkeypatch.setenv("MEDRAG_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("MEDRAG_MAX_UPLOAD_BYTES", str(UPLOAD_LIMIT))
    return fake_openai


def _cached_vectors(pg_settings) -> list[Path]:
    return sorted(Path(pg_settings.data_dir).rglob("*.npy"))


@pytest.mark.timeout(900)
def test_every_bomb_on_the_verify_page_is_a_message_and_nothing_is_stored_or_sent(
    external_llm, bomb_files: dict[str, Path], pg_conninfo: str, pg_settings
) -> None:
    from ui.resources import get_background_jobs

    at = app_test("pages/verify.py", timeout=120).run()
    assert not at.exception, at.exception
    at.text_area(key="report_text").set_value(GOOD_REPORT).run()
    rows_before, cached_before = row_counts(pg_conninfo), _cached_vectors(pg_settings)
    for name, path in bomb_files.items():
        at.file_uploader(key="image").set_value((f"{name}.dcm", path.read_bytes(), "application/dicom")).run()
        assert not at.exception, (name, at.exception)
        errors = errors_of(at)
        assert len(errors) == 1, (name, errors)
        assert any(word in errors[0] for word in MESSAGE_WORDS[_code(name)]), (name, errors)
        assert "Traceback" not in errors[0], name
        assert "_preview_png_verify_preview" not in at.session_state, name  # no preview was drawn
        at.button(key="verify").click().run()
        assert not at.exception, (name, at.exception)
        assert any("cannot be used" in e for e in errors_of(at)), (name, errors_of(at))
        assert "verify_result" not in at.session_state, name
    assert get_background_jobs()._futures == {}, "an embedding was started for a refused upload"
    assert row_counts(pg_conninfo) == rows_before  # no case, no history entry
    assert _cached_vectors(pg_settings) == cached_before
    assert external_llm.requests == [], "the LLM was sent something about a refused upload"


@pytest.mark.shared
def test_the_corpus_png_bomb_on_the_verify_page(external_llm, pg_conninfo: str) -> None:
    """The bad-input corpus's PNG bomb (../shared/badinputs, manifest reason too_large)."""
    require_shared(BADINPUTS / "bomb_30000x30000.png")
    at = app_test("pages/verify.py", timeout=120).run()
    rows_before = row_counts(pg_conninfo)
    data = (BADINPUTS / "bomb_30000x30000.png").read_bytes()
    at.file_uploader(key="image").set_value(("bomb_30000x30000.png", data, "image/png")).run()
    at.text_area(key="report_text").set_value(GOOD_REPORT).run()
    at.button(key="verify").click().run()
    assert not at.exception
    errors = errors_of(at)
    assert any("decompression bomb" in e or "megapixel limit" in e for e in errors), errors
    assert any("cannot be used" in e for e in errors) and "verify_result" not in at.session_state
    assert row_counts(pg_conninfo) == rows_before and external_llm.requests == []
