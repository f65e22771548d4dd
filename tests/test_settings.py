"""Settings: precedence (env > secrets.toml > defaults), validation, and secret masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from medrag_core.errors import ConfigError
from medrag_core.settings import ENV_NAMES, Settings, mask_dsn


def write_secrets(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_env_or_secrets() -> None:
    settings = Settings.load(env={}, secrets_path=None)
    assert settings.embed_model == "google/medsiglip-448"
    assert settings.llm_backend == "offline"
    assert settings.store_backend == "postgres"
    assert settings.database_url is None
    assert settings.top_k == 5


def test_env_beats_secrets_beats_defaults(tmp_path: Path) -> None:
    secrets = write_secrets(
        tmp_path,
        'MEDRAG_TOP_K = 9\nMEDRAG_EMBED_MODEL = "/models/from-secrets"\nHF_TOKEN = "hf_secret_file"\n',
    )
    settings = Settings.load(env={"MEDRAG_TOP_K": "3"}, secrets_path=secrets)
    assert settings.top_k == 3  # env wins
    assert settings.embed_model == "/models/from-secrets"  # secrets beat the default
    assert settings.hf_token is not None and settings.hf_token.get_secret_value() == "hf_secret_file"


def test_medrag_table_in_secrets(tmp_path: Path) -> None:
    secrets = write_secrets(tmp_path, '[medrag]\ndevice = "cpu"\nef_search = 200\n')
    settings = Settings.load(env={}, secrets_path=secrets)
    assert settings.device == "cpu"
    assert settings.ef_search == 200


def test_explicit_overrides_beat_env() -> None:
    settings = Settings.load(env={"MEDRAG_TOP_K": "3"}, secrets_path=None, top_k=11)
    assert settings.top_k == 11


def test_every_field_has_one_env_name() -> None:
    assert ENV_NAMES["hf_token"] == "HF_TOKEN"
    assert ENV_NAMES["gemini_api_key"] == "GEMINI_API_KEY"
    assert ENV_NAMES["supabase_url"] == "SUPABASE_URL"
    assert ENV_NAMES["data_dir"] == "MEDRAG_DATA_DIR"
    assert ENV_NAMES["database_url"] == "MEDRAG_DATABASE_URL"
    assert len(set(ENV_NAMES.values())) == len(ENV_NAMES)


def test_repr_and_str_mask_secrets() -> None:
    env = {
        "GEMINI_API_KEY": "AIzaSyFAKEKEY123",
        "HF_TOKEN": "hf_FAKETOKEN456",
        "SUPABASE_KEY": "eyJFAKESUPABASE",
        "MEDRAG_DATABASE_URL": "postgresql://medrag:pa55word@db.example.org:5432/medrag",
        "MEDRAG_ADMIN_PASSWORD": "adminpw789",
    }
    settings = Settings.load(env=env, secrets_path=None)
    for text in (repr(settings), str(settings), f"{settings}"):
        for secret in ("AIzaSyFAKEKEY123", "hf_FAKETOKEN456", "eyJFAKESUPABASE", "pa55word", "adminpw789"):
            assert secret not in text
    assert "db.example.org" in repr(settings)  # the host stays visible for debugging


def test_invalid_value_names_the_variable_not_the_value() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load(env={"MEDRAG_LLM_BACKEND": "chatgpt-secret-value"}, secrets_path=None)
    assert "MEDRAG_LLM_BACKEND" in info.value.user_message
    assert "chatgpt-secret-value" not in info.value.user_message


def test_broken_secrets_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Settings.load(env={}, secrets_path=write_secrets(tmp_path, "this is = = not toml"))


def test_cors_origins_from_comma_list() -> None:
    settings = Settings.load(env={"MEDRAG_CORS_ORIGINS": "https://a.org, https://b.org"}, secrets_path=None)
    assert settings.cors_origins == ["https://a.org", "https://b.org"]


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://u:secret@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("host=h user=u password=secret dbname=db", "host=h user=u password=*** dbname=db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
)
def test_mask_dsn(dsn: str, expected: str) -> None:
    assert mask_dsn(dsn) == expected


@pytest.mark.parametrize(
    ("dsn", "secret"),
    [
        ("postgresql://u:p@ss@word@h:5432/db", "ss@word"),  # '@' in the password: userinfo ends at the last '@'
        ("postgresql://u:a:b@c@h/db", "b@c"),
        ("host=h user=u password='a b c' dbname=db", "a b c"),  # quoted value with spaces
        ("host=h password='it\\'s secret' dbname=db", "secret"),  # escaped quote inside
        ("host=h password = spaced dbname=d", "spaced"),
        ("postgresql://u:pw1@h/db?password=qsecret&sslmode=require", "qsecret"),
    ],
)
def test_mask_dsn_hides_hard_passwords(dsn: str, secret: str) -> None:
    masked = mask_dsn(dsn)
    assert secret not in masked
    assert "***" in masked


def test_mask_dsn_keeps_the_rest_readable() -> None:
    assert mask_dsn("postgresql://u:p@ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_dsn("host=h user=u password='a b' dbname=db") == "host=h user=u password=*** dbname=db"


def test_blank_secrets_count_as_unset(tmp_path: Path) -> None:
    secrets = write_secrets(
        tmp_path, 'MEDRAG_API_KEY = ""\nMEDRAG_ADMIN_PASSWORD = "  "\nHF_TOKEN = ""\n[medrag]\ndatabase_url = ""\n'
    )
    settings = Settings.load(env={}, secrets_path=secrets)
    assert settings.api_key is None
    assert settings.admin_password is None
    assert settings.hf_token is None
    assert settings.database_url is None


def test_admin_emails_from_comma_list(tmp_path: Path) -> None:
    settings = Settings.load(env={"MEDRAG_ADMIN_EMAILS": " a@x.org, B@Y.org ,,"}, secrets_path=None)
    assert settings.admin_emails == ["a@x.org", "B@Y.org"]
    secrets = write_secrets(tmp_path, 'MEDRAG_ADMIN_EMAILS = "c@z.org"\n')
    assert Settings.load(env={}, secrets_path=secrets).admin_emails == ["c@z.org"]
    assert Settings.load(env={}, secrets_path=None).admin_emails == []
