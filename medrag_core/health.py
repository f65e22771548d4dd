"""Health of the three moving parts (store, embedding model, verifier), for sidebars, admin and API.

Never includes secrets: DSNs are masked, URLs lose their userinfo and query string, keys are
reported only as "set" / "not set".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from medrag_core.settings import Settings, mask_dsn

State = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    state: State
    summary: str
    detail: str = ""


def safe_url(url: str) -> str:
    """``url`` for display: without user:password@, query string or fragment (they can hold keys)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return re.sub(r"[?#].*$", "", re.sub(r"//[^/?#]*@", "//", url.strip()))


def describe_store(settings: Settings) -> str:
    """Where cases live, in words, without secrets."""
    if settings.store_backend == "supabase":
        return f"Supabase ({safe_url(settings.supabase_url) if settings.supabase_url else 'SUPABASE_URL not set'})"
    if settings.database_url is not None:
        return f"Postgres at {mask_dsn(settings.database_url.get_secret_value())}"
    return f"embedded Postgres in {settings.embedded_db_dir}"


def describe_verifier(settings: Settings) -> ComponentHealth:
    """Which verifier runs and whether anything leaves the machine."""
    if settings.llm_backend == "gemini":
        if settings.gemini_api_key is None:
            return ComponentHealth(
                "verifier", "error", f"Gemini ({settings.gemini_model}) chosen but GEMINI_API_KEY is not set",
                "Set GEMINI_API_KEY, or set MEDRAG_LLM_BACKEND=offline to keep everything on this machine.",
            )
        return ComponentHealth(
            "verifier", "ok", f"Gemini ({settings.gemini_model})",
            "The report, the X-ray pixels and the similar cases are sent to Google's Gemini API.",
        )
    if settings.llm_backend == "openai_compat":
        if not settings.openai_base_url:
            return ComponentHealth(
                "verifier", "error", "OpenAI-compatible server chosen but MEDRAG_OPENAI_BASE_URL is not set",
                "Set MEDRAG_OPENAI_BASE_URL to your MedGemma (vLLM/TGI) endpoint.",
            )
        return ComponentHealth(
            "verifier", "ok", f"{settings.openai_model} at {safe_url(settings.openai_base_url)}",
            "The report, the X-ray pixels and the similar cases are sent to that server.",
        )
    return ComponentHealth(
        "verifier", "ok", "offline checks (no LLM)",
        "Nothing leaves this machine. Set MEDRAG_LLM_BACKEND=gemini or openai_compat to add an LLM.",
    )


def model_availability(settings: Settings) -> ComponentHealth:
    """Whether the embedding model's weights are at hand, without loading them (cheap)."""
    model = settings.embed_model
    path = Path(model).expanduser()
    if path.is_dir():
        if (path / "config.json").is_file():
            return ComponentHealth("model", "ok", f"local model {path.name}")
        return ComponentHealth("model", "error", f"{path} has no config.json", MODEL_HELP)
    from medrag_core.embedding import in_hub_cache  # the hub's own lookup: honours HF_HOME / HF_HUB_CACHE

    if in_hub_cache(model):
        return ComponentHealth("model", "ok", f"{model} (cached)")
    return ComponentHealth("model", "warning", f"{model} not downloaded yet", MODEL_HELP)


MODEL_HELP = (
    "MedSigLIP weights are gated on Hugging Face: accept the licence at "
    "https://huggingface.co/google/medsiglip-448, then either set HF_TOKEN so the workbench can download "
    "them, or download them once (hf download google/medsiglip-448 --local-dir DIR) and set "
    "MEDRAG_EMBED_MODEL=DIR. Without the model, report checks and similar cases by full-text search still work."
)
