"""Browse page (coming soon)."""

import streamlit as st

st.title("Browse")
st.info("Coming soon.")
