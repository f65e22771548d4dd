"""The Dataset Admin page through AppTest: sign-in refusals, a small background ingest, index, health."""

from __future__ import annotations

import pytest

from tests.page_helpers import (
    all_text,
    app_env,  # noqa: F401 - fixture
    app_test,
    errors_of,
    write_archive_parquet,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_env(app_env, monkeypatch):  # noqa: ANN001, ANN201, F811
    monkeypatch.setenv("MEDRAG_ADMIN_PASSWORD", PASSWORD)
    return app_env


def _unlock(at, password: str = PASSWORD):  # noqa: ANN001, ANN202
    at.text_input(key="admin_password").set_value(password)
    at.button(key="admin_unlock").click().run()
    return at


def test_without_password_or_oidc_explains_and_does_nothing(app_env):  # noqa: F811
    at = app_test("pages/admin.py").run()
    assert not at.exception
    text = all_text(at)
    assert "MEDRAG_ADMIN_PASSWORD" in text and "[auth]" in text
    assert not at.tabs and not at.text_input  # no login form, no admin UI


def test_wrong_password_is_refused(admin_env):
    at = _unlock(app_test("pages/admin.py").run(), "wrong")
    assert not at.exception
    assert "Wrong password." in errors_of(at)
    assert not at.tabs
    assert "admin_authenticated" not in at.session_state or not at.session_state["admin_authenticated"]


def test_small_ingest_runs_in_background_and_shows_stats(admin_env, tmp_path):
    from ui.resources import get_ingest_runner

    parquet = write_archive_parquet(tmp_path / "small.parquet", n=3)
    at = _unlock(app_test("pages/admin.py", timeout=120).run())
    assert not at.exception
    assert at.tabs, "admin UI not shown after the right password"
    at.text_input(key="ingest_spec").set_value(str(parquet))
    at.number_input(key="ingest_batch").set_value(2)
    at.button(key="ingest_start").click().run()
    assert not at.exception
    runner = get_ingest_runner()
    assert runner.wait(120)
    state = runner.snapshot()
    assert state.error is None and state.report is not None and state.report.written == 3
    at.run()
    assert not at.exception
    text = all_text(at)
    assert "written 3" in text  # the finished ingest's summary
    assert admin_env.stats().total_cases == 3
    metrics = {m.label: m.value for m in at.metric}
    assert metrics.get("cases") == "3"
    # Starting again resumes: nothing is written twice.
    at.button(key="ingest_start").click().run()
    assert runner.wait(120)
    assert runner.snapshot().report.written == 0
    assert admin_env.stats().total_cases == 3


def test_bad_source_is_an_error_on_the_page(admin_env, tmp_path):
    at = _unlock(app_test("pages/admin.py").run())
    at.text_input(key="ingest_spec").set_value(str(tmp_path / "missing.parquet"))
    at.button(key="ingest_start").click().run()
    assert not at.exception
    assert any("not found" in e.lower() for e in errors_of(at)), errors_of(at)


def test_reindex_and_health(admin_env, tmp_path, pg_settings, tiny_embedder):
    from tests.page_helpers import ingest_archive

    ingest_archive(tmp_path, pg_settings, admin_env, tiny_embedder, n=2)
    at = _unlock(app_test("pages/admin.py").run())
    at.button(key="reindex").click().run()
    assert not at.exception
    assert "Index built." in [s.value for s in at.success]
    text = all_text(at)
    assert "Database" in text and "Embedding model" in text and "Verifier" in text


def test_password_check_is_constant_time_api():
    from pydantic import SecretStr

    from medrag_core.admin_auth import check_password, password_configured

    assert check_password("s3cret", SecretStr("s3cret"))
    assert not check_password("s3cre", SecretStr("s3cret"))
    assert not check_password("", SecretStr(""))
    assert not check_password("anything", None)
    assert not password_configured(SecretStr("   "))
