"""The router and sidebar (streamlit_app.py) through AppTest, and the health descriptions behind them."""

from __future__ import annotations

from pydantic import SecretStr

from medrag_core.health import describe_store, describe_verifier, model_availability
from medrag_core.settings import Settings
from tests.page_helpers import all_text, app_env, app_test, unescape_markdown  # noqa: F401 - fixture


def sidebar_text(at) -> str:
    """The sidebar's captions as the reader sees them (Markdown escapes removed)."""
    return "\n".join(unescape_markdown(str(c.value)) for c in at.sidebar.caption)


def test_shell_shows_verify_first_and_sidebar_status(app_env) -> None:  # noqa: F811
    at = app_test("streamlit_app.py").run()
    assert not at.exception
    assert any("Verify a chest X-ray report" in t.value for t in at.title)
    side = sidebar_text(at)
    assert "Store: embedded Postgres" in side
    assert "0 cases" in side
    assert "Model: local model" in side
    assert "Verifier: offline checks (no LLM)" in side
    assert "Nothing leaves this machine" in side


def test_shell_routes_to_the_other_pages(app_env) -> None:  # noqa: F811
    at = app_test("streamlit_app.py").run()
    at.switch_page("pages/browse.py").run()
    assert not at.exception
    assert any("Browse similar cases" in t.value for t in at.title)
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    assert any("Dataset Admin" in t.value for t in at.title)


def test_sidebar_with_a_stopped_database_says_so_without_a_traceback(app_env, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("MEDRAG_DATABASE_URL", "postgresql://medrag:pw-never-shown@127.0.0.1:9/x?connect_timeout=2")
    at = app_test("streamlit_app.py").run()
    assert not at.exception
    side = sidebar_text(at)
    assert "Store: Postgres at postgresql://medrag:***@127.0.0.1:9" in side
    assert "pw-never-shown" not in side + all_text(at)


def test_describe_verifier_says_what_leaves_the_machine() -> None:
    offline = describe_verifier(Settings())
    assert offline.state == "ok" and "Nothing leaves this machine" in offline.detail
    no_key = describe_verifier(Settings(llm_backend="gemini"))
    assert no_key.state == "error" and "GEMINI_API_KEY" in no_key.summary
    gemini = describe_verifier(Settings(llm_backend="gemini", gemini_api_key=SecretStr("k-secret")))
    assert gemini.state == "ok" and "sent to Google" in gemini.detail and "k-secret" not in str(gemini)
    no_url = describe_verifier(Settings(llm_backend="openai_compat"))
    assert no_url.state == "error" and "MEDRAG_OPENAI_BASE_URL" in no_url.summary


def test_describe_store_and_model(tmp_path) -> None:
    assert "embedded Postgres" in describe_store(Settings(data_dir=tmp_path))
    url = Settings(database_url=SecretStr("postgresql://u:secretpw@db/x"))
    assert describe_store(url) == "Postgres at postgresql://u:***@db/x"
    assert model_availability(Settings(embed_model=str(tmp_path))).state == "error"  # a dir with no config.json
    (tmp_path / "config.json").write_text("{}")
    assert model_availability(Settings(embed_model=str(tmp_path))).state == "ok"


def test_model_availability_finds_the_hub_cache_where_hf_home_points(tmp_path, monkeypatch) -> None:
    """Regression: the cache path was hard-coded to ~/.cache/huggingface, so with HF_HOME set (as in the
    Docker image) a downloaded model was reported as missing."""
    import huggingface_hub.constants

    snapshot = tmp_path / "hub" / "models--acme--xray-model" / "snapshots" / "0123abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "hub" / "models--acme--xray-model" / "refs").mkdir()
    (tmp_path / "hub" / "models--acme--xray-model" / "refs" / "main").write_text("0123abc")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert model_availability(Settings(embed_model="acme/xray-model")).state == "ok"
    assert model_availability(Settings(embed_model="acme/other-model")).state == "warning"


def test_verifier_url_shown_without_userinfo_or_query() -> None:
    settings = Settings(
        llm_backend="openai_compat",
        openai_base_url="https://bob:pa55w0rd@vllm.example:8443/v1?api_key=sk-q-secret&x=1#frag",
    )
    summary = describe_verifier(settings).summary
    assert "vllm.example:8443/v1" in summary
    for leak in ("bob", "pa55w0rd", "sk-q-secret", "api_key", "?", "frag"):
        assert leak not in summary
    supabase = Settings(store_backend="supabase", supabase_url="https://u:p@proj.supabase.co/?apikey=k")
    assert describe_store(supabase) == "Supabase (https://proj.supabase.co/)"


def test_sidebar_hides_verifier_url_credentials(app_env, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("MEDRAG_LLM_BACKEND", "openai_compat")
    monkeypatch.setenv("MEDRAG_OPENAI_BASE_URL", "http://bob:pa55w0rd@127.0.0.1:9/v1?token=sk-q-secret")
    at = app_test("streamlit_app.py").run()
    assert not at.exception
    text = sidebar_text(at) + all_text(at)
    assert "127.0.0.1:9/v1" in text
    assert "pa55w0rd" not in text and "sk-q-secret" not in text
