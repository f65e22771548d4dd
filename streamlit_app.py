"""MedRAG workbench: the router. Pages live in pages/; logic lives in medrag_core."""

from __future__ import annotations

import streamlit as st

from ui.sidebar import render_sidebar

st.set_page_config(page_title="MedRAG workbench", page_icon="🩻", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/verify.py", title="Verify", icon=":material/fact_check:", default=True),
        st.Page("pages/browse.py", title="Browse Similar Cases", icon=":material/image_search:"),
        st.Page("pages/admin.py", title="Dataset Admin", icon=":material/database:"),
    ]
)
render_sidebar()
navigation.run()
