"""Process-wide resources held with ``st.cache_resource``: settings, store, embedder, verifier,
the embedding cache, the background pool and the ingest runner.

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
    from medrag_core.store import CaseStore


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return Settings.load()


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
