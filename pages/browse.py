"""Browse Similar Cases: find archive cases by id, text or image; open one; compare two."""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.render import escape_markdown
from medrag_core.reports import FILTER_LABELS
from medrag_core.store import CaseFilter
from ui.browse_support import neighbours, search_image, search_text
from ui.cases import render_case_card
from ui.compare_view import render_compare
from ui.image_input import decode_upload
from ui.resources import get_embed_cache, settings_or_stop, try_embedder, try_store

st.title("Browse similar cases")

settings = settings_or_stop()
store, store_error = try_store()
if store_error:
    st.error(f"The case archive is not available: {escape_markdown(store_error)}")
    st.stop()
try:
    stats = store.stats()
except MedragError as exc:
    st.error(escape_markdown(exc.user_message))
    st.stop()
if stats.total_cases == 0:
    st.info("The archive is empty. Load cases on the Dataset Admin page or with "
            "`.venv/bin/python -m etl ingest SOURCE` (in the project folder).")
embedder, embedder_error = try_embedder()
if embedder_error:
    st.caption(
        f"Embedding model not available ({escape_markdown(embedder_error)}): text search uses full-text search only."
    )

with st.expander("Filters", expanded=False):
    f1, f2, f3 = st.columns(3)
    labels = f1.multiselect("Observations (all of)", list(FILTER_LABELS), key="filter_labels")
    sources = f2.multiselect("Sources", sorted(stats.per_source), key="filter_sources")
    views = f3.multiselect("Views", ["PA", "AP", "LATERAL", "LL"], key="filter_views", accept_new_options=True)
where = CaseFilter(sources=tuple(sources), views=tuple(views), labels=tuple(labels)) if (
    labels or sources or views
) else None

by_id, by_text, by_image = st.tabs(["By case id", "By text", "By image"])
with by_id:
    case_id = st.text_input("Case id", key="browse_case_id")
    if st.button("Open", key="browse_open_id") and case_id.strip():
        try:
            found = store.get([case_id.strip()])
        except MedragError as exc:
            st.error(escape_markdown(exc.user_message))
        else:
            if found:
                st.session_state["browse_open"] = found[0].case_id
            else:
                st.error(f"No case with id {escape_markdown(repr(case_id.strip()))} in the archive.")
with by_text:
    query = st.text_input("Words or a report sentence", key="browse_query", placeholder="left pleural effusion")
    if st.button("Search", key="browse_search_text") and query.strip():
        try:
            st.session_state["browse_results"] = search_text(store, embedder, settings, query.strip(), where)
        except MedragError as exc:
            st.error(escape_markdown(exc.user_message))
with by_image:
    uploaded = st.file_uploader("An X-ray (PNG, JPEG or DICOM)", key="browse_image")
    upload = decode_upload(uploaded, settings, "browse_upload")
    if upload is not None and upload.error:
        st.error(escape_markdown(upload.error))
    if st.button("Search", key="browse_search_image", disabled=upload is None or bool(upload.error)):
        try:
            st.session_state["browse_results"] = search_image(
                store, embedder, settings, upload.data, get_embed_cache(), where
            )
        except MedragError as exc:
            st.error(escape_markdown(exc.user_message))

results = st.session_state.get("browse_results")
if results is not None:
    st.subheader(f"Results ({len(results)})")
    if not results:
        st.caption("No case matches.")
    columns = st.columns(4)
    for n, match in enumerate(results):
        with columns[n % 4]:
            render_case_card(match.case, store, match=match)
            b1, b2, b3 = st.columns(3)
            if b1.button("Open", key=f"open_{n}"):
                st.session_state["browse_open"] = match.case.case_id
            if b2.button("A", key=f"cmp_a_{n}", help="Compare: put this case on the left"):
                st.session_state["compare_a"] = match.case.case_id
            if b3.button("B", key=f"cmp_b_{n}", help="Compare: put this case on the right"):
                st.session_state["compare_b"] = match.case.case_id

open_id = st.session_state.get("browse_open")
if open_id:
    try:
        found = store.get([open_id])
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        found = []
    if found:
        case = found[0]
        st.divider()
        st.subheader("Case")
        left, right = st.columns([1, 3])
        with left:
            render_case_card(case, store)
            if st.button("Compare as A", key="open_cmp_a"):
                st.session_state["compare_a"] = case.case_id
        with right:
            st.markdown("**Nearest neighbours**")
            try:
                near = neighbours(store, embedder, settings, case, get_embed_cache(), where)
            except MedragError as exc:
                st.error(escape_markdown(exc.user_message))
                near = []
            if not near:
                st.caption("No neighbours found.")
            cols = st.columns(4)
            for n, match in enumerate(near):
                with cols[n % 4]:
                    render_case_card(match.case, store, match=match)
                    if st.button("Compare with this", key=f"near_cmp_{n}"):
                        st.session_state["compare_a"] = case.case_id
                        st.session_state["compare_b"] = match.case.case_id

st.divider()
st.subheader("Compare two cases")
c1, c2 = st.columns(2)
a_id = c1.text_input("Case A", key="compare_a")
b_id = c2.text_input("Case B", key="compare_b")
if a_id.strip() and b_id.strip():
    try:
        cases = {c.case_id: c for c in store.get([a_id.strip(), b_id.strip()])}
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        st.stop()
    missing = [i for i in (a_id.strip(), b_id.strip()) if i not in cases]
    if missing:
        st.error("Not in the archive: " + escape_markdown(", ".join(repr(i) for i in missing)))
    else:
        render_compare(cases[a_id.strip()], cases[b_id.strip()], store)
