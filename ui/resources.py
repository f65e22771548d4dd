"""Process-wide resources held with ``st.cache_resource``: settings, store, embedder, verifier,
the embedding cache, the background pool and the ingest runner; and the archive's statistics for the
Browse page, held briefly with ``st.cache_data``.

Pages call these; each returns the object or raises ``MedragError`` for the page to show
(``st.cache_resource`` does not cache a raised error, so a fixed problem clears on the next rerun).
Tests point the app elsewhere by setting ``MEDRAG_*`` env vars and calling ``st.cache_resource.clear()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.render import escape_markdown
from medrag_core.services import Services
from medrag_core.settings import Settings

from .background import BackgroundJobs
from .ingest_runner import IngestRunner

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder, EmbeddingCache
    from medrag_core.llm import Verifier
    from medrag_core.store import CaseStore, StoreStats


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    install_server_logging()
    return Settings.load()


APP_LOGGER = "medrag.app"


def install_server_logging() -> None:
    """Once per process: INFO lines of ``medrag.app`` (one per verification, never patient data) on the
    server's stderr, and a warning for every media request that finds no file (an expired image URL)."""
    import logging

    logger = logging.getLogger(APP_LOGGER)
    if getattr(install_server_logging, "_done", False):
        return
    install_server_logging._done = True  # type: ignore[attr-defined]
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    _log_media_misses(logger)


def _log_media_misses(logger, storage=None) -> None:
    """Wrap the media storage's lookup so a request for a file it no longer holds leaves a log line.
    Streamlit internals: when they move, the app runs on without this line."""
    try:
        from streamlit.runtime.media_file_storage import MediaFileStorageError

        if storage is None:
            from streamlit.runtime import Runtime

            storage = Runtime.instance().media_file_mgr._storage
    except Exception:
        return
    lookup = getattr(storage, "get_file", None)
    if lookup is None or getattr(lookup, "_medrag_logged", False):
        return

    def get_file(filename: str):
        try:
            return lookup(filename)
        except MediaFileStorageError:
            logger.warning("media request failed: no file %s (expired image URL)", filename[:80])
            raise

    get_file._medrag_logged = True  # type: ignore[attr-defined]
    storage.get_file = get_file


@st.cache_resource(show_spinner=False)
def get_services() -> Services:
    """The process's one ``Services``: every session shares its store, model, verifier and cache."""
    return Services(get_settings())


def get_store() -> CaseStore:
    with st.spinner("Starting the case database…"):
        return get_services().store()


def get_embedder() -> Embedder:
    with st.spinner("Loading the embedding model…"):
        return get_services().embedder()


def get_verifier() -> Verifier:
    return get_services().verifier()


def get_embed_cache() -> EmbeddingCache:
    return get_services().cache()


@st.cache_resource(show_spinner=False)
def get_background_jobs() -> BackgroundJobs:
    """One worker: on a 2-core CPU two image embeddings at once only slow each other down."""
    return BackgroundJobs(workers=1)


@st.cache_resource(show_spinner=False)
def get_ingest_runner() -> IngestRunner:
    return IngestRunner()


STATS_TTL_S = 30


@st.cache_data(ttl=STATS_TTL_S, max_entries=8, show_spinner=False)
def _cached_stats(_store: CaseStore, store_id: int, ingest_finished_at: float | None) -> StoreStats:
    return _store.stats()


def archive_stats(store: CaseStore) -> StoreStats:
    """``store.stats()`` (several scans, one over every label) at most once per ``STATS_TTL_S`` seconds
    for all sessions, for pages that only need the archive's shape (Browse's filter choices, "empty").
    An ingest or embedding run of the Dataset Admin page makes the next call fresh; one from the CLI
    shows within the ttl. Raises ``MedragError`` like ``stats()`` (an error is not cached)."""
    return _cached_stats(store, id(store), get_ingest_runner().snapshot().finished_at)


def settings_or_stop() -> Settings:
    """The settings, or an error message and the end of this page run (a bad env var or secrets.toml)."""
    from medrag_core.errors import MedragError

    try:
        return get_settings()
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


def try_store() -> tuple[CaseStore | None, str | None]:
    """``(store, None)`` or ``(None, user_message)`` when the database cannot be reached."""
    try:
        return get_store(), None
    except MedragError as exc:
        return None, exc.user_message


def try_embedder() -> tuple[Embedder | None, str | None]:
    """``(embedder, None)`` or ``(None, user_message)`` when the model cannot be loaded."""
    try:
        return get_embedder(), None
    except MedragError as exc:
        return None, exc.user_message
