"""One ``Settings`` object, built once at the edge (page, CLI, API) and passed down.

Precedence: environment variables beat ``.streamlit/secrets.toml``, which beats the defaults.
Every field has one env name (``ENV_NAMES``); secrets.toml uses the same names as top-level keys
(``HF_TOKEN = "..."``) or the field name under a ``[medrag]`` table.

Secrets are ``SecretStr`` and the DSN password is masked, so ``repr()``/``str()`` never show them.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError

from medrag_core.errors import ConfigError

StoreBackend = Literal["postgres", "supabase"]
LLMBackend = Literal["offline", "gemini", "openai_compat"]
ResizeMode = Literal["tf_bilinear", "pad_square"]
FusionMethod = Literal["rrf", "sum_scores"]
Device = Literal["auto", "cpu", "cuda", "mps"]
DType = Literal["auto", "float32", "bfloat16", "float16"]
EmbedRuntime = Literal["torch", "onnx", "openvino"]
DicomwebAuth = Literal["none", "basic", "bearer"]


class Settings(BaseModel):
    """Every knob of the workbench. Field descriptions double as documentation."""

    model_config = {"frozen": True}

    # Secrets (seed names).
    hf_token: SecretStr | None = Field(None, description="Hugging Face token for gated models and datasets.")
    supabase_url: str | None = Field(None, description="Supabase project URL.")
    supabase_key: SecretStr | None = Field(None, description="Supabase anon (app) or service-role (ETL) key.")
    gemini_api_key: SecretStr | None = Field(None, description="Google AI Studio key for the Gemini verifier.")

    # Embedding model.
    embed_model: str = Field("google/medsiglip-448", description="Hub id or local directory of the model.")
    embed_model_name: str | None = Field(
        None, description="Name recorded with every vector; set it (e.g. google/medsiglip-448) when "
        "MEDRAG_EMBED_MODEL is a local copy of a hub model, so its vectors match the archive's.",
    )
    device: Device = Field("auto", description="auto picks cuda, then mps, then cpu.")
    dtype: DType = Field("auto", description="auto: float32 on CPU, bfloat16 on GPU.")
    resize_mode: ResizeMode = Field("tf_bilinear", description="Model card's TF bilinear resize or pad-to-square.")
    embed_batch_size: int = Field(8, ge=1, le=512)
    embed_runtime: EmbedRuntime = Field(
        "torch", description="torch, or onnx (ONNX Runtime) / openvino on the CPU in float32: both towers exported "
        "once into data_dir/exported_models, checked against torch (cosine >= 0.9999), the same vectors and name.",
    )

    # Store.
    store_backend: StoreBackend = Field("postgres", description="postgres (embedded or URL) or supabase (REST).")
    data_dir: Path = Field(Path(".medrag"), description="Where the embedded Postgres and caches live.")
    database_url: SecretStr | None = Field(None, description="Any Postgres with pgvector instead of embedded.")
    supabase_image_bucket: str | None = Field(
        None, description="Keep images in this Supabase Storage bucket instead of the images table."
    )
    db_timeout_s: float = Field(
        10.0, gt=0, le=3600, description="Connect and query time limit of the database: a server that does not "
        "answer within it counts as unavailable (the verify result then comes without similar cases).",
    )
    ef_search: int = Field(
        300, ge=1, le=1000, description="HNSW ef_search. When set, it overrides the value `etl reindex` measures "
        "on the archive's own vectors (the lowest reaching recall@10 0.98; sql/012); 300 before any measurement.",
    )

    # Retrieval.
    top_k: int = Field(5, ge=1, le=50)
    fusion: FusionMethod = Field("rrf", description="rrf (reciprocal rank) or sum_scores (original MedRAG).")
    image_weight: float = Field(1.0, ge=0)
    text_weight: float = Field(1.0, ge=0)

    # Verifier.
    llm_backend: LLMBackend = Field("offline", description="offline sends nothing anywhere.")
    gemini_model: str = Field("gemini-2.5-flash")
    gemini_base_url: str | None = Field(None, description="Override the Gemini endpoint (tests, proxies).")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. vLLM with MedGemma.")
    openai_api_key: SecretStr | None = None
    openai_model: str = Field("google/medgemma-4b-it")
    llm_timeout_s: float = Field(
        60.0, gt=0,
        description="The whole time one verify may spend on the LLM: every call, retry and Retry-After wait.",
    )
    llm_max_retries: int = Field(3, ge=0, le=10)
    scrub_phi: bool = Field(True, description="Remove names, dates, MRNs, accession numbers before sending.")
    send_images_to_llm: bool = True

    # Limits.
    max_report_chars: int = Field(20_000, ge=100)
    max_image_pixels: int = Field(50_000_000, ge=10_000)
    max_upload_bytes: int = Field(64 * 1024 * 1024, ge=1024)

    # History (the audit trail of verifications, kept in the workbench's own database).
    history: bool = Field(True, description="Record every verification (app, API, CLI) in the history.")
    history_text: bool = Field(True, description="Keep the report text (and issue evidence) in the history.")
    history_days: int | None = Field(
        None, ge=0, description="Retention: `etl prune-history` removes verifications older than this (unset: keep)."
    )

    # PACS (DICOMweb).
    dicomweb_url: str | None = Field(
        None, description="DICOMweb root of the PACS, e.g. http://pacs:8042/dicom-web (Orthanc)."
    )
    dicomweb_auth: DicomwebAuth = Field("none", description="none, basic (username + password) or bearer (token).")
    dicomweb_username: str | None = Field(None, description="User name for basic auth on the PACS.")
    dicomweb_password: SecretStr | None = Field(None, description="Password for basic auth on the PACS.")
    dicomweb_token: SecretStr | None = Field(None, description="Bearer token for the PACS (OAuth access token).")
    dicomweb_connect_timeout_s: float = Field(5.0, gt=0, description="Seconds to wait for the PACS to accept.")
    dicomweb_timeout_s: float = Field(60.0, gt=0, description="Seconds to wait for each PACS answer.")

    # Access.
    admin_password: SecretStr | None = Field(None, description="Password for the Dataset Admin page.")
    api_key: SecretStr | None = Field(None, description="If set, the REST API requires it (X-API-Key).")
    cors_origins: list[str] = Field(default_factory=list)
    admin_emails: list[str] = Field(
        default_factory=list,
        description="With OIDC sign-in, the e-mail addresses (comma-separated) allowed on the Dataset Admin page.",
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:  # pydantic's repr hook
        for name, value in super().__repr_args__():
            if name == "database_url" and value is not None:
                yield name, mask_dsn(value.get_secret_value())
            elif name == "dicomweb_url" and value is not None:
                yield name, mask_dsn(value)  # a URL may carry user:password@
            else:
                yield name, value

    @property
    def explicit_ef_search(self) -> int | None:
        """``ef_search`` when it was set (env, secrets.toml, argument), else None: the store then uses the
        ef_search measured on the archive's own vectors (``index_tuning``), 300 before any measurement."""
        return self.ef_search if "ef_search" in self.model_fields_set else None

    @property
    def embedded_db_dir(self) -> Path:
        return self.data_dir / "pgdata"

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        secrets_path: Path | str | None = Path(".streamlit/secrets.toml"),
        **overrides: Any,
    ) -> Settings:
        """Build settings from env (default ``os.environ``), secrets.toml and explicit overrides.

        Overrides (keyword arguments by field name) beat everything; then env; then secrets.toml.
        Raises ``ConfigError`` naming the offending variable (never its value) when one is invalid.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field, raw in _read_secrets(secrets_path).items():
            if isinstance(raw, str) and not raw.strip():
                continue  # a blank value in secrets.toml means "not set", as a blank env var does
            values[field] = raw
        for field, env_name in ENV_NAMES.items():
            if env_name in env and env[env_name] != "":
                values[field] = env[env_name]
        values.update(overrides)
        for list_field in ("cors_origins", "admin_emails"):
            if isinstance(values.get(list_field), str):
                values[list_field] = [o.strip() for o in values[list_field].split(",") if o.strip()]
        try:
            return cls(**values)
        except ValidationError as exc:
            names = sorted({ENV_NAMES.get(str(err["loc"][0]), str(err["loc"][0])) for err in exc.errors()})
            raise ConfigError(f"Invalid setting(s): {', '.join(names)}. Check their values.") from None


def _env_name(field: str) -> str:
    return field.upper() if field in _SEED_NAMES else f"MEDRAG_{field.upper()}"


_SEED_NAMES = {"hf_token", "supabase_url", "supabase_key", "gemini_api_key"}
ENV_NAMES: dict[str, str] = {field: _env_name(field) for field in Settings.model_fields}


def _read_secrets(path: Path | str | None) -> dict[str, Any]:
    if path is None or not Path(path).is_file():
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: fix or remove it ({type(exc).__name__}).") from None
    by_env = {env_name: field for field, env_name in ENV_NAMES.items()}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in by_env:
            values[by_env[key]] = value
    for key, value in (data.get("medrag") or {}).items():
        if key in Settings.model_fields:
            values[key] = value
    return values


_DSN_PASSWORD = re.compile(r"(://[^/?#]*:)([^/?#]*)(@)")  # fallback: up to the last '@' of the authority
_KV_PASSWORD = re.compile(r"""(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)""", re.IGNORECASE)
_URL_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def mask_dsn(dsn: str) -> str:
    """``postgresql://user:secret@host/db`` -> ``postgresql://user:***@host/db``; also masks ``password=``.

    URLs are parsed (the userinfo ends at the *last* ``@`` of the authority, so a password holding
    ``@`` is masked whole); ``key=value`` strings are parsed with psycopg's conninfo parser (quoted
    values with spaces); a regex is the fallback for anything the parsers refuse.
    """
    if "://" in dsn:
        return _mask_url(dsn)
    try:
        return _mask_conninfo(dsn)
    except Exception:
        return _KV_PASSWORD.sub(r"\1***", dsn)


def _mask_url(dsn: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(dsn)
        netloc = parts.netloc
    except ValueError:
        masked = _DSN_PASSWORD.sub(r"\1***\3", dsn)
        return _URL_PASSWORD_PARAM.sub(r"\1***", masked)
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = _URL_PASSWORD_PARAM.sub(r"\1***", "?" + parts.query)[1:] if parts.query else parts.query
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _mask_conninfo(dsn: str) -> str:
    """Mask the password of a ``key=value`` conninfo, keeping the other keys as written when possible."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(dsn)
    password = params.get("password")
    if password is None:
        return dsn
    masked = _KV_PASSWORD.sub(r"\1***", dsn)
    if password and password in masked:  # the regex missed part of it: rebuild from the parsed keys
        params["password"] = "***"
        return make_conninfo("", **params)
    return masked
