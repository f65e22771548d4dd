"""Admin page (coming soon)."""

import streamlit as st

st.title("Admin")
st.info("Coming soon.")
