"""Verify page (coming soon)."""

import streamlit as st

st.title("Verify")
st.info("Coming soon.")
