"""The Dataset Admin page through AppTest: sign-in refusals, a small background ingest, index, health."""

from __future__ import annotations

import os

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
def admin_env(app_env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MEDRAG_ADMIN_PASSWORD", PASSWORD)
    return app_env


def _unlock(at, password: str = PASSWORD):
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
    measured = [i.value for i in at.info]  # the ef_search chosen on the archive's own 2 vectors
    assert any(m.replace("\\", "").startswith("Measured image: ef_search 40: recall@10 1.000") for m in measured)
    text = all_text(at)
    assert "Database" in text and "Embedding model" in text and "Verifier" in text
    at.radio(key="index_method").set_value("binary").run()
    at.button(key="reindex").click().run()
    assert not at.exception and "Index built." in [s.value for s in at.success]
    measured = [i.value.replace("\\", "") for i in at.info]
    want = "Measured image: binary index, 100 candidates re-ranked exactly"
    assert any(m.startswith(want) for m in measured), measured


def test_password_check_is_constant_time_api():
    from pydantic import SecretStr

    from medrag_core.auth import check_password, password_configured

    assert check_password("s3cret", SecretStr("s3cret"))
    assert not check_password("s3cre", SecretStr("s3cret"))
    assert not check_password("", SecretStr(""))
    assert not check_password("anything", None)
    assert not password_configured(SecretStr("   "))


# ---- OIDC: only allow-listed e-mail addresses are admin (H2)

_AUTH = {"client_id": "cid", "client_secret": "cs", "redirect_uri": "http://localhost:8501/oauth2callback",
         "cookie_secret": "x" * 32, "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


def _oidc_page(email: str | None, logged_in: bool = True):
    at = app_test("pages/admin.py")
    at.secrets["auth"] = dict(_AUTH)
    at.user = {"is_logged_in": logged_in, **({"email": email} if email else {})}
    return at.run()


def test_oidc_decision_requires_an_allowlisted_email():
    from medrag_core.auth import OIDC_NO_ALLOWLIST_HELP, OIDC_NOT_ALLOWED_HELP, oidc_admin_decision

    assert oidc_admin_decision("boss@x.org", ["boss@x.org"]) == (True, "")
    assert oidc_admin_decision(" Boss@X.org ", ["boss@x.ORG"])[0]
    assert oidc_admin_decision("intern@x.org", ["boss@x.org"]) == (False, OIDC_NOT_ALLOWED_HELP)
    assert oidc_admin_decision(None, ["boss@x.org"]) == (False, OIDC_NOT_ALLOWED_HELP)
    assert oidc_admin_decision("", ["boss@x.org", ""]) == (False, OIDC_NOT_ALLOWED_HELP)
    assert oidc_admin_decision("boss@x.org", []) == (False, OIDC_NO_ALLOWLIST_HELP)
    assert oidc_admin_decision("boss@x.org", None) == (False, OIDC_NO_ALLOWLIST_HELP)
    assert oidc_admin_decision("boss@x.org", ["  "]) == (False, OIDC_NO_ALLOWLIST_HELP)


def test_oidc_without_allowlist_refuses_any_logged_in_user(app_env):  # noqa: F811
    at = _oidc_page("anyone@gmail.com")
    assert not at.exception
    assert not at.tabs
    assert any("MEDRAG_ADMIN_EMAILS" in e for e in errors_of(at))


def test_oidc_user_not_on_allowlist_is_refused(app_env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MEDRAG_ADMIN_EMAILS", "boss@x.org")
    at = _oidc_page("anyone@gmail.com")
    assert not at.exception
    assert not at.tabs
    assert any("not allowed" in e for e in errors_of(at))


def test_oidc_user_on_allowlist_is_admin(app_env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MEDRAG_ADMIN_EMAILS", "someone@else.org, Boss@X.org")
    at = _oidc_page("boss@x.ORG")
    assert not at.exception
    assert at.tabs


# ---- Password: brute-force protection (M6)


class _Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_throttle_grows_then_locks_out_and_resets_on_success():
    from medrag_core.auth import LoginThrottle

    clock = _Clock()
    throttle = LoginThrottle(now=clock)
    assert throttle.wait_s() == 0
    delays = [throttle.record_failure() for _ in range(4)]
    assert delays[0] == delays[1] == 0  # a typo or two costs nothing
    assert 0 < delays[2] < delays[3]  # then the wait grows
    assert throttle.wait_s() == delays[3] and not throttle.locked_out
    clock.t += delays[3]
    assert throttle.wait_s() == 0
    assert throttle.record_failure() == throttle.lockout_s  # the 5th failure locks out
    assert throttle.locked_out
    clock.t += throttle.lockout_s - 1
    assert throttle.wait_s() == 1
    clock.t += 1
    assert throttle.wait_s() == 0 and not throttle.locked_out
    throttle.record_success()
    assert throttle.failures == 0 and throttle.wait_s() == 0


def test_failed_logins_are_logged_without_the_value(caplog):
    import logging

    from medrag_core.auth import LoginThrottle

    with caplog.at_level(logging.WARNING, logger="medrag_core.auth"):
        LoginThrottle(now=_Clock()).record_failure()
    assert "failure 1" in caplog.text
    assert "hunter2" not in caplog.text


def test_repeated_wrong_passwords_block_even_the_right_one(admin_env, monkeypatch):
    import medrag_core.auth as admin_auth

    clock = _Clock()
    monkeypatch.setattr(admin_auth, "_monotonic", clock)  # this module's clock only, not time.monotonic
    at = app_test("pages/admin.py").run()
    for _ in range(admin_auth.LoginThrottle.lockout_after):
        _unlock(at, "wrong")
        clock.t += admin_auth.LoginThrottle.max_delay_s  # wait out each growing delay
    clock.t -= admin_auth.LoginThrottle.max_delay_s
    assert any("locked" in e for e in errors_of(at))
    _unlock(at, PASSWORD)  # right password, but still locked out: not even checked
    assert not at.tabs
    assert any("locked" in e or "Wait" in e for e in errors_of(at))
    clock.t += admin_auth.LoginThrottle.lockout_s + 1
    _unlock(at, PASSWORD)
    assert at.tabs


def test_day_one_ingest_without_the_model_then_embed_from_the_page(admin_env, tmp_path, monkeypatch):
    """No weights: the page ingests anyway (one note, not an error), the statistics refresh by themselves
    and count the cases lacking embeddings; with the model back, the button fills them."""
    from ui.resources import get_ingest_runner

    parquet = write_archive_parquet(tmp_path / "small.parquet", n=3)
    model_dir = os.environ["MEDRAG_EMBED_MODEL"]
    monkeypatch.setenv("MEDRAG_EMBED_MODEL", str(tmp_path / "no-weights-here"))
    import streamlit as st

    st.cache_resource.clear()
    at = _unlock(app_test("pages/admin.py", timeout=120).run())
    at.text_input(key="ingest_spec").set_value(str(parquet))
    at.button(key="ingest_start").click().run()
    assert not at.exception and not errors_of(at), errors_of(at)
    assert any("not available: cases are stored without embeddings" in i.value for i in at.info)
    runner = get_ingest_runner()
    assert runner.wait(120)
    state = runner.snapshot()
    assert state.error is None and state.report.written == 3 and state.report.embed_model is None
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["cases"] == "3" and metrics["lacking image embedding"] == "3"
    assert metrics["lacking text embedding"] == "3"
    assert "3 case(s) lack an image embedding" in all_text(at)
    assert ".venv/bin/python -m etl embed" in all_text(at)

    monkeypatch.setenv("MEDRAG_EMBED_MODEL", model_dir)
    st.cache_resource.clear()
    at = _unlock(app_test("pages/admin.py", timeout=120).run())
    at.button(key="embed_start").click().run()
    assert not at.exception and not errors_of(at), errors_of(at)
    runner = get_ingest_runner()
    assert runner.wait(120)
    report = runner.snapshot().report
    assert runner.snapshot().error is None and (report.done, report.remaining) == (3, 0)
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["lacking image embedding"] == "0" and metrics["image embeddings"] == "3"
    assert "embed_start" not in [b.key for b in at.button]  # nothing left to embed: no button
