"""Gemini verifier: google-genai ``generate_content`` with structured JSON output.

The client posts to ``<base_url>/<api_version>/models/<model>:generateContent``; ``base_url``
comes from ``settings.gemini_base_url`` (tests point it at a local fake). The library's own
retries stay off (``retry_options=None`` means one attempt): ``remote.RemoteVerifier`` owns
retries, repair and fallback. The API key travels only in the client's request header.
"""

from __future__ import annotations

from collections.abc import Sequence

from medrag_core.errors import MissingDependency, VerifierError
from medrag_core.llm.prompt import ImagePart, TextPart, Turn
from medrag_core.llm.remote import LLMTimeout, RemoteVerifier, TransientLLMError, retry_after_seconds, status_error
from medrag_core.llm.schema import ANSWER_JSON_SCHEMA


class GeminiVerifier(RemoteVerifier):
    """Verifier backed by a Gemini model (``settings.gemini_model``)."""

    name = "gemini"

    def __init__(self, *, api_key: str, base_url: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            from google import genai
            from google.genai import types
        except ImportError as exc:
            raise MissingDependency("google-genai", "The Gemini verifier") from exc
        self._types = types
        self._errors = genai.errors
        self._client = genai.Client(
            api_key=api_key,
            vertexai=False,  # whatever GOOGLE_GENAI_USE_VERTEXAI says: an AI Studio key
            http_options=types.HttpOptions(
                base_url=base_url,
                # v1beta carries responseJsonSchema (structured output) on the Gemini API.
                api_version="v1beta",
                timeout=max(1, int(self.timeout_s * 1000)),  # milliseconds
                retry_options=None,
            ),
        )

    def _contents(self, turns: Sequence[Turn]) -> list:
        types = self._types
        contents = []
        for turn in turns:
            parts = [
                types.Part.from_text(text=p.text)
                if isinstance(p, TextPart)
                else types.Part.from_bytes(data=p.png, mime_type=p.mime_type)
                for p in turn.parts
                if isinstance(p, TextPart | ImagePart)
            ]
            contents.append(types.Content(role=turn.role, parts=parts))
        return contents

    def _complete(self, system: str, turns: Sequence[Turn]) -> str | None:
        config = self._types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_json_schema=ANSWER_JSON_SCHEMA,
            temperature=0.0,
        )
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=self._contents(turns), config=config
            )
        except self._errors.APIError as exc:
            headers = getattr(getattr(exc, "response", None), "headers", None)
            raise status_error(int(exc.code or 0), retry_after_seconds(headers)) from None
        except Exception as exc:  # transport errors of httpx / httpx2, whichever the library uses
            mapped = _transport_error(exc, self.timeout_s)
            if mapped is None:
                raise
            raise mapped from None
        return response.text


def _transport_error(exc: Exception, timeout_s: float) -> VerifierError | None:
    """Map httpx/httpx2 timeouts and network errors; None for anything else (it propagates, and
    ``RemoteVerifier`` turns it into a ``PermanentLLMError`` naming only its type)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    modules = {cls.__module__.split(".")[0] for cls in type(exc).__mro__}
    if not modules & {"httpx", "httpx2", "aiohttp", "requests"}:
        return None
    if "TimeoutException" in names:
        return LLMTimeout(f"The model did not answer within {timeout_s:g} s.")
    return TransientLLMError("The service could not be reached.")
