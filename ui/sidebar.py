"""The sidebar every page shares: store, model and verifier status, in plain words."""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.health import describe_store, describe_verifier, model_availability
from medrag_core.render import escape_markdown

from .resources import get_settings, get_store

_ICONS = {
    "ok": ":green[:material/check_circle:]",
    "warning": ":orange[:material/warning:]",
    "error": ":red[:material/error:]",
}


def render_sidebar() -> None:
    try:
        settings = get_settings()
    except MedragError as exc:
        st.sidebar.error(escape_markdown(exc.user_message))
        return
    with st.sidebar:
        st.markdown("**Status**")
        try:
            total = get_store().count()  # every page run: a count, not the several scans of stats()
            st.caption(f"{_ICONS['ok']} Store: {escape_markdown(describe_store(settings))} · {total} cases")
        except MedragError as exc:
            st.caption(f"{_ICONS['error']} Store: {escape_markdown(describe_store(settings))}")
            st.caption(escape_markdown(exc.user_message))
        model = model_availability(settings)
        st.caption(f"{_ICONS[model.state]} Model: {escape_markdown(model.summary)}")
        verifier = describe_verifier(settings)
        st.caption(f"{_ICONS[verifier.state]} Verifier: {escape_markdown(verifier.summary)}")
        st.caption(escape_markdown(verifier.detail))
