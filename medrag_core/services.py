"""One way to build the moving parts from ``Settings``: store, embedder, verifier and embedding cache.

Pages (through ``ui.resources``), the API, both CLIs and ETL all ask a ``Services`` for what they
need. Each part is built on first use, once per ``Services`` (thread-safe), and a part that could
not be built raises its ``MedragError`` again on the next call, so a fixed problem (a database that
came back, a model that was downloaded) is picked up without a restart. The ``try_*`` forms return
``(part, None)`` or ``(None, user_message)`` for callers that degrade instead of failing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from medrag_core.errors import MedragError
from medrag_core.settings import Settings

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder, EmbeddingCache
    from medrag_core.llm import Verifier
    from medrag_core.store import CaseStore

T = TypeVar("T")


def build_store(settings: Settings) -> CaseStore:
    from medrag_core.store import open_store

    return open_store(settings)


def build_embedder(settings: Settings) -> Embedder:
    from medrag_core.embedding import load_embedder

    return load_embedder(settings)


def build_verifier(settings: Settings) -> Verifier:
    from medrag_core.llm import make_verifier

    return make_verifier(settings)


def build_cache(settings: Settings) -> EmbeddingCache:
    from medrag_core.embedding import EmbeddingCache

    return EmbeddingCache.from_settings(settings)


class Services:
    """The parts for one ``Settings``; parts passed in (tests, a caller that already has one) are used as given."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: CaseStore | None = None,
        embedder: Embedder | None = None,
        verifier: Verifier | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.settings = settings
        given = {"store": store, "embedder": embedder, "verifier": verifier, "cache": cache}
        self._parts: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        self._given = set(self._parts)  # parts the caller owns: close() leaves them alone
        self._locks = {name: threading.Lock() for name in given}

    def _get(self, name: str, build: Callable[[Settings], T]) -> T:
        part = self._parts.get(name)
        if part is not None:
            return part
        with self._locks[name]:  # one build per part; other parts are not held up by a slow model load
            if name not in self._parts:
                self._parts[name] = build(self.settings)
            return self._parts[name]

    def store(self) -> CaseStore:
        return self._get("store", build_store)

    def embedder(self) -> Embedder:
        return self._get("embedder", build_embedder)

    def verifier(self) -> Verifier:
        return self._get("verifier", build_verifier)

    def cache(self) -> EmbeddingCache:
        return self._get("cache", build_cache)

    def built(self, name: str) -> Any | None:
        """The part if it was already built, else ``None`` (never builds: for health and shutdown)."""
        return self._parts.get(name)

    def try_store(self) -> tuple[CaseStore | None, str | None]:
        return _attempt(self.store)

    def try_embedder(self) -> tuple[Embedder | None, str | None]:
        return _attempt(self.embedder)

    def close(self) -> None:
        """Close the store if this ``Services`` opened it, and release its embedded Postgres (stopped
        when no other process uses it). Parts passed in belong to the caller and stay open."""
        if "store" in self._given:
            return
        store: CaseStore | None = self._parts.pop("store", None)
        if store is None:
            return
        store.close()
        from medrag_core.store import ServerOwner

        if isinstance(store, ServerOwner):
            store.release_server()


def _attempt(build: Callable[[], T]) -> tuple[T | None, str | None]:
    try:
        return build(), None
    except MedragError as exc:
        return None, exc.user_message
