"""Process-wide resources held with ``st.cache_resource``: settings, store, embedder, verifier,
the embedding cache, the background pool and the ingest runner.

Pages call these; each returns the object or raises ``MedragError`` for the page to show
(``st.cache_resource`` does not cache a raised error, so a fixed problem clears on the next rerun).
Tests point the app elsewhere by setting ``MEDRAG_*`` env vars and calling ``st.cache_resource.clear()``.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.render import escape_markdown
from medrag_core.settings import Settings

from .background import BackgroundJobs
from .ingest_runner import IngestRunner


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return Settings.load()


@st.cache_resource(show_spinner="Starting the case database…")
def get_store():  # noqa: ANN201 - CaseStore
    from medrag_core.store import open_store

    return open_store(get_settings())


@st.cache_resource(show_spinner="Loading the embedding model…")
def get_embedder():  # noqa: ANN201 - Embedder
    from medrag_core.embedding import load_embedder

    return load_embedder(get_settings())


@st.cache_resource(show_spinner=False)
def get_verifier():  # noqa: ANN201 - Verifier
    from medrag_core.llm import make_verifier

    return make_verifier(get_settings())


@st.cache_resource(show_spinner=False)
def get_embed_cache():  # noqa: ANN201 - EmbeddingCache
    from medrag_core.embedding import EmbeddingCache

    return EmbeddingCache.from_settings(get_settings())


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


def try_store():  # noqa: ANN201 - (CaseStore | None, str | None)
    """``(store, None)`` or ``(None, user_message)`` when the database cannot be reached."""
    try:
        return get_store(), None
    except MedragError as exc:
        return None, exc.user_message


def try_embedder():  # noqa: ANN201 - (Embedder | None, str | None)
    """``(embedder, None)`` or ``(None, user_message)`` when the model cannot be loaded."""
    try:
        return get_embedder(), None
    except MedragError as exc:
        return None, exc.user_message
