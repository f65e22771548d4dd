"""OpenAI-compatible verifier: chat completions with ``image_url`` parts and a JSON-schema format.

For MedGemma (or any model) behind vLLM, TGI or another server that speaks the OpenAI chat
completions API at ``settings.openai_base_url``. Images go as ``data:image/png;base64,...`` URLs;
``response_format`` is ``{"type": "json_schema", "json_schema": {..., "strict": true}}``. The
library's retries are off (``max_retries=0``): ``remote.RemoteVerifier`` owns retries, repair and
fallback.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from medrag_core.errors import MissingDependency
from medrag_core.llm.prompt import ImagePart, TextPart, Turn
from medrag_core.llm.remote import LLMTimeout, RemoteVerifier, TransientLLMError, retry_after_seconds, status_error
from medrag_core.llm.schema import ANSWER_JSON_SCHEMA

NO_KEY = "no-key"  # local servers such as vLLM accept any key; the client insists on one


class OpenAICompatVerifier(RemoteVerifier):
    """Verifier backed by ``settings.openai_model`` on an OpenAI-compatible server."""

    name = "openai_compat"

    def __init__(self, *, base_url: str, api_key: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        try:
            import openai
        except ImportError as exc:
            raise MissingDependency("openai", "The OpenAI-compatible verifier") from exc
        self._openai = openai
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or NO_KEY, timeout=self.timeout_s, max_retries=0
        )

    @staticmethod
    def _messages(system: str, turns: Sequence[Turn]) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
        for turn in turns:
            if turn.role == "model":
                text = "".join(p.text for p in turn.parts if isinstance(p, TextPart))
                messages.append({"role": "assistant", "content": text})
                continue
            content: list[dict[str, Any]] = []
            for part in turn.parts:
                if isinstance(part, TextPart):
                    content.append({"type": "text", "text": part.text})
                elif isinstance(part, ImagePart):
                    url = f"data:{part.mime_type};base64,{base64.b64encode(part.png).decode('ascii')}"
                    content.append({"type": "image_url", "image_url": {"url": url}})
            messages.append({"role": "user", "content": content})
        return messages

    def _complete(self, system: str, turns: Sequence[Turn]) -> str | None:
        openai = self._openai
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=self._messages(system, turns),
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "report_verification", "schema": ANSWER_JSON_SCHEMA, "strict": True},
                },
                temperature=0.0,
            )
        except openai.APITimeoutError:
            raise LLMTimeout(f"The model did not answer within {self.timeout_s:g} s.") from None
        except openai.APIConnectionError:
            raise TransientLLMError("The service could not be reached.") from None
        except openai.APIStatusError as exc:
            raise status_error(exc.status_code, retry_after_seconds(exc.response.headers)) from None
        if not response.choices:
            return None
        return response.choices[0].message.content
