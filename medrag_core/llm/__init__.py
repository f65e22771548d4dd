"""Verifiers: from a report, its X-ray, similar cases and offline issues to a verdict.

``make_verifier(settings)`` picks the implementation named by ``settings.llm_backend``:
``offline`` (no network), ``gemini`` (google-genai) or ``openai_compat`` (any OpenAI-compatible
chat completions server, e.g. MedGemma on vLLM). The client libraries are imported only when
their backend is chosen.
"""

from __future__ import annotations

from medrag_core.errors import ConfigError
from medrag_core.llm.base import (
    VerificationRequest,
    Verifier,
    VerifierOutcome,
    merge_issues,
    strictest,
    verdict_from_issues,
)
from medrag_core.llm.offline import OfflineVerifier, review_notes, suggest_report
from medrag_core.llm.prompt import OutgoingPreview, outgoing_text, preview_outgoing_report
from medrag_core.llm.schema import ANSWER_JSON_SCHEMA, AnswerInvalid, LLMIssue, LLMVerdict, VerifierAnswer, parse_answer
from medrag_core.llm.scrub import PhiSpan, find_phi, scrub_phi
from medrag_core.settings import Settings

__all__ = [
    "ANSWER_JSON_SCHEMA",
    "AnswerInvalid",
    "LLMIssue",
    "LLMVerdict",
    "OfflineVerifier",
    "OutgoingPreview",
    "PhiSpan",
    "VerificationRequest",
    "Verifier",
    "VerifierAnswer",
    "VerifierOutcome",
    "find_phi",
    "make_verifier",
    "outgoing_text",
    "merge_issues",
    "parse_answer",
    "preview_outgoing_report",
    "scrub_phi",
    "strictest",
    "review_notes",
    "suggest_report",
    "verdict_from_issues",
]


def make_verifier(settings: Settings, *, backoff_base_s: float = 1.0, backoff_max_s: float = 20.0) -> Verifier:
    """The verifier for ``settings.llm_backend``.

    Raises ``ConfigError`` when the chosen backend lacks its key or URL, and ``MissingDependency``
    when its client library is not installed. ``backoff_*`` tune the retry delays (tests use small ones).
    """
    common = dict(
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        scrub=settings.scrub_phi,
        send_images=settings.send_images_to_llm,
        backoff_base_s=backoff_base_s,
        backoff_max_s=backoff_max_s,
    )
    match settings.llm_backend:
        case "offline":
            return OfflineVerifier()
        case "gemini":
            if settings.gemini_api_key is None or not settings.gemini_api_key.get_secret_value().strip():
                raise ConfigError(
                    "The Gemini verifier needs an API key: set GEMINI_API_KEY (environment or "
                    ".streamlit/secrets.toml), or choose MEDRAG_LLM_BACKEND=offline.",
                    code="missing_gemini_key",
                )
            from medrag_core.llm.gemini import GeminiVerifier

            return GeminiVerifier(
                api_key=settings.gemini_api_key.get_secret_value(),
                base_url=settings.gemini_base_url,
                model=settings.gemini_model,
                **common,
            )
        case "openai_compat":
            if not settings.openai_base_url:
                raise ConfigError(
                    "The OpenAI-compatible verifier needs a server: set MEDRAG_OPENAI_BASE_URL "
                    "(e.g. http://localhost:8000/v1 for vLLM), or choose MEDRAG_LLM_BACKEND=offline.",
                    code="missing_openai_base_url",
                )
            from medrag_core.llm.openai_compat import OpenAICompatVerifier

            key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
            return OpenAICompatVerifier(
                base_url=settings.openai_base_url, api_key=key, model=settings.openai_model, **common
            )
        case other:  # pragma: no cover - Settings validates the Literal
            raise ConfigError(f"Unknown LLM backend {other!r}; choose offline, gemini or openai_compat.")
