"""Process-wide resources held with ``st.cache_resource``: settings, store, embedder.

Pages call these; each returns the object or raises ``MedragError`` for the page to show.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.settings import Settings


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return Settings.load()


@st.cache_resource(show_spinner="Starting the case database…")
def get_store():  # noqa: ANN201 - CaseStore
    from medrag_core.store import open_store

    return open_store(get_settings())


@st.cache_resource(show_spinner="Loading the embedding model…")
def get_embedder():  # noqa: ANN201 - Embedder
    from medrag_core.embedder import load_embedder

    return load_embedder(get_settings())
