"""The one retry / repair / fallback loop shared by every remote (LLM) verifier.

An adapter subclasses ``RemoteVerifier`` and implements only ``_complete(system, turns)``: send
the conversation, return the answer text, and translate its library's exceptions into
``TransientLLMError`` (429, 5xx, connection failures: retried), ``LLMTimeout`` (the call took
longer than ``timeout_s``: not retried, a slow model stays slow) or ``PermanentLLMError`` (any
other refusal, e.g. 400/401/403/404: not retried). Any other exception an adapter lets through
(a response the client library cannot parse, ...) becomes a ``PermanentLLMError`` that names only
the exception's type: its text may quote the raw response.

``verify`` then:

1. runs the offline verifier (its outcome is the floor of the result and the fallback);
2. builds the prompt (``prompt.build_prompt``: data delimited, text scrubbed when asked);
3. calls ``_complete``, retrying transient errors up to ``max_retries`` times with exponential
   backoff (``backoff_base_s * 2**n``, capped at ``backoff_max_s``; a ``Retry-After`` the server
   gave is honoured within that cap). ``timeout_s`` is the budget of the whole ``verify``: every
   call, backoff and repair together. A call still running when the budget is spent is abandoned
   (it finishes in its daemon thread, its answer unused): a server that trickles bytes cannot hold
   a verify past the budget. A wait (backoff or ``Retry-After``) that would end past the budget is
   not waited: the verifier gives up at once;
4. validates the answer (``schema.parse_answer``); on an invalid answer it sends the model its
   error once and asks again (one repair attempt);
5. merges a valid answer with the offline issues (``base`` module: issues are unioned, the verdict
   never milder than the offline one) or, when no valid answer came, returns the offline outcome.

Each unusable answer or failed call adds one to ``failures`` and a plain notice to ``notices``;
notices and logs name the status or problem, never the key, the report or the answer text.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence

from medrag_core.errors import VerifierError
from medrag_core.llm.base import VerificationRequest, VerifierOutcome, merge_issues, strictest, verdict_from_issues
from medrag_core.llm.offline import OfflineVerifier
from medrag_core.llm.prompt import Prompt, TextPart, Turn, build_prompt, repair_turn
from medrag_core.llm.schema import AnswerInvalid, LLMVerdict, parse_answer
from medrag_core.models import Issue

log = logging.getLogger(__name__)


class TransientLLMError(VerifierError):
    """Worth retrying: rate limit, server error, connection failure. ``retry_after_s`` if the server said."""

    code = "llm_transient"

    def __init__(self, user_message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(user_message)
        self.retry_after_s = retry_after_s


class LLMTimeout(VerifierError):
    """The model did not answer within the timeout."""

    code = "llm_timeout"


class PermanentLLMError(VerifierError):
    """The service refused the request in a way a retry will not fix (bad key, bad model, bad request)."""

    code = "llm_refused"


class RemoteVerifier(ABC):
    """Base of the LLM verifiers; see the module docstring for the loop."""

    name: str = "remote"

    def __init__(
        self,
        *,
        model: str,
        timeout_s: float,
        max_retries: int,
        scrub: bool,
        send_images: bool,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 20.0,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.scrub = scrub
        self.sends_images = send_images
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._offline = OfflineVerifier()

    @abstractmethod
    def _complete(self, system: str, turns: Sequence[Turn]) -> str | None:
        """Send the conversation; return the answer text. Raise the three errors above on failure."""

    def verify(self, request: VerificationRequest) -> VerifierOutcome:
        offline = self._offline.verify(request)
        prompt = build_prompt(request, scrub=self.scrub, send_images=self.sends_images)
        notices: list[str] = []
        if prompt.scrubbed:
            notices.append(
                "Names, dates and record numbers were removed from the text sent to the model; "
                "its suggested report may show tags such as [NAME] or [DATE] in their place."
            )
        turns: list[Turn] = [prompt.first_turn]
        failures = 0
        deadline = time.monotonic() + self.timeout_s
        for attempt in range(2):  # the first answer, then one repair
            try:
                text = self._call_with_retries(prompt.system, turns, deadline)
            except VerifierError as exc:
                failures += 1
                log.warning("%s verifier call failed: %s", self.name, exc.code)
                notices.append(f"{self._label()} could not be used: {exc.user_message} Showing the offline verdict.")
                return self._fallback(offline, notices, failures)
            try:
                answer = parse_answer(text)
            except AnswerInvalid as exc:
                failures += 1
                log.warning("%s verifier answer invalid (attempt %d)", self.name, attempt + 1)
                if attempt == 0:
                    notices.append(f"{self._label()} gave an invalid answer: {exc.user_message} It was asked again.")
                    turns += [Turn("model", (TextPart(text or ""),)), repair_turn(exc.user_message)]
                    continue
                notices.append(
                    f"{self._label()} gave an invalid answer again: {exc.user_message} Showing the offline verdict."
                )
                return self._fallback(offline, notices, failures)
            return self._merge(offline, answer, prompt, notices, failures)
        raise AssertionError("unreachable")  # pragma: no cover

    def _label(self) -> str:
        return f"The {self.name} verifier ({self.model})"

    def _out_of_time(self) -> LLMTimeout:
        return LLMTimeout(f"The model did not answer within {self.timeout_s:g} s (the MEDRAG_LLM_TIMEOUT_S limit).")

    def _complete_by(self, system: str, turns: Sequence[Turn], deadline: float) -> str | None:
        """``_complete`` in a daemon thread, waited for until ``deadline`` at most."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._out_of_time()
        box: dict[str, object] = {}

        def call() -> None:
            try:
                box["text"] = self._complete(system, turns)
            except BaseException as exc:
                box["error"] = exc

        worker = threading.Thread(target=call, name=f"{self.name}-verifier-call", daemon=True)
        worker.start()
        worker.join(left)
        if worker.is_alive():
            raise self._out_of_time()
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box.get("text")  # type: ignore[return-value]

    def _call_with_retries(self, system: str, turns: Sequence[Turn], deadline: float) -> str | None:
        for retry in range(self.max_retries + 1):
            try:
                return self._complete_by(system, turns, deadline)
            except TransientLLMError as exc:
                if retry == self.max_retries:
                    raise TransientLLMError(
                        f"{exc.user_message.rstrip('.')}, still after {self.max_retries} retries."
                    ) from None
                left = deadline - time.monotonic()
                if exc.retry_after_s is not None and exc.retry_after_s >= left:
                    raise TransientLLMError(
                        f"{exc.user_message.rstrip('.')}; it asked to wait {exc.retry_after_s:g} s, more than the "
                        f"time left of the {self.timeout_s:g} s limit (MEDRAG_LLM_TIMEOUT_S)."
                    ) from None
                delay = min(self.backoff_max_s, self.backoff_base_s * 2**retry)
                if exc.retry_after_s is not None:
                    delay = min(self.backoff_max_s, max(delay, exc.retry_after_s))
                delay *= 1 + random.uniform(0, 0.1)
                if delay >= left:
                    raise TransientLLMError(
                        f"{exc.user_message.rstrip('.')}; no time left for a retry within the "
                        f"{self.timeout_s:g} s limit (MEDRAG_LLM_TIMEOUT_S)."
                    ) from None
                log.info("%s verifier: %s; retry %d in %.2fs", self.name, exc.code, retry + 1, delay)
                time.sleep(delay)
            except VerifierError:
                raise
            except Exception as exc:
                # e.g. a 200 whose body is not the API's JSON (captive portal, proxy page): the
                # library's message may quote the raw body, so only the exception's type goes on.
                raise PermanentLLMError(
                    f"The service gave an answer the client could not read ({type(exc).__name__})."
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _fallback(self, offline: VerifierOutcome, notices: list[str], failures: int) -> VerifierOutcome:
        return VerifierOutcome(
            verdict=offline.verdict,
            issues=offline.issues,
            suggested_report=offline.suggested_report,
            relied_on_case_ids=[],
            notices=notices,
            failures=failures,
            answered_by=self._offline.name,
        )

    def _merge(
        self,
        offline: VerifierOutcome,
        answer: LLMVerdict,
        prompt: Prompt,
        notices: list[str],
        failures: int,
    ) -> VerifierOutcome:
        issues: list[Issue] = merge_issues(offline.issues, [i.to_issue() for i in answer.issues])
        verdict = strictest(answer.verdict, offline.verdict, verdict_from_issues(issues))
        named = list(dict.fromkeys(answer.relied_on_case_ids))
        real = [prompt.real_case_id(alias) for alias in named]
        relied = list(dict.fromkeys(cid for cid in real if cid is not None))
        if None in real:
            notices.append("The model named reference cases that were not given to it; they were ignored.")
        if answer.verdict != verdict:
            notices.append(
                f"The model's verdict ({answer.verdict}) was raised to {verdict} by the offline checks' issues."
            )
        suggested = answer.suggested_report if answer.suggested_report.strip() else offline.suggested_report
        return VerifierOutcome(
            verdict=verdict,
            issues=issues,
            suggested_report=suggested,
            relied_on_case_ids=relied,
            notices=notices,
            failures=failures,
            answered_by=self.name,
        )


def retry_after_seconds(headers: object) -> float | None:
    """The ``Retry-After`` header in seconds (numeric form only), or None."""
    try:
        value = headers.get("retry-after")  # type: ignore[attr-defined]
        return max(0.0, float(value)) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def status_error(status: int, retry_after_s: float | None = None) -> VerifierError:
    """The loop's error for an HTTP status the service answered with."""
    if status == 429:
        return TransientLLMError("The service is rate limiting requests (HTTP 429).", retry_after_s=retry_after_s)
    if status >= 500 or status == 408:
        return TransientLLMError(f"The service failed (HTTP {status}).", retry_after_s=retry_after_s)
    if status in (401, 403):
        return PermanentLLMError(f"The service refused the API key (HTTP {status}); check the key in the settings.")
    if status == 404:
        return PermanentLLMError("The service does not know this model or endpoint (HTTP 404); check the settings.")
    return PermanentLLMError(f"The service refused the request (HTTP {status}).")
