"""Streamlit-side helpers shared by the pages: cached resources and error rendering. Thin by design."""
