"""Dataset Admin (behind sign-in): sources, ingest with progress, stats, vector index, health."""

from __future__ import annotations

import streamlit as st

from ui.admin_auth_view import require_admin
from ui.admin_views import render_health, render_index, render_ingest, render_stats
from ui.quality_view import render_quality
from ui.resources import settings_or_stop, try_store

st.title("Dataset Admin")

settings = settings_or_stop()

if not require_admin(settings):
    st.stop()

store, store_error = try_store()
ingest_tab, stats_tab, quality_tab, index_tab, health_tab = st.tabs(
    ["Sources & ingest", "Statistics", "Quality", "Vector index", "Health"]
)
with ingest_tab:
    render_ingest(settings, store, store_error)
with stats_tab:
    render_stats(store, store_error)
with quality_tab:
    render_quality(settings, store, store_error)
with index_tab:
    render_index(settings, store, store_error)
with health_tab:
    render_health(settings, store_error)
