"""Browse Similar Cases: find archive cases by id, text or image; open one; compare two."""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.render import escape_markdown
from medrag_core.reports import FILTER_LABELS
from medrag_core.retrieval import search_text
from medrag_core.store import CaseFilter
from medrag_core.workflow import neighbours, search_image
from ui.cases import render_case_card, render_case_row
from ui.compare_view import render_compare
from ui.image_input import decode_upload
from ui.resources import archive_stats, get_embed_cache, settings_or_stop, try_embedder, try_store

st.title("Browse similar cases")

settings = settings_or_stop()
store, store_error = try_store()
if store_error:
    st.error(f"The case archive is not available: {escape_markdown(store_error)}")
    st.stop()
try:
    stats = archive_stats(store)  # cached briefly: this page reruns on every click
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
    # the findings read from reports, then the archive's other labels (an Open-i source's "MeSH: ..." headings)
    label_options = list(FILTER_LABELS) + sorted(set(stats.per_label) - set(FILTER_LABELS))
    labels = f1.multiselect("Labels (all of)", label_options, key="filter_labels")
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
                st.session_state["browse_open_anchor"] = None
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


def open_case_panel(case_id: str) -> None:
    """The opened case in full, with its nearest neighbours (numbered from #1), where it was opened."""
    try:
        found = store.get([case_id])
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        return
    if not found:
        return
    case = found[0]
    with st.container(border=True):
        left, right = st.columns([2, 3])
        with left:
            render_case_card(case, store)
            b1, b2 = st.columns(2)
            b1.button("Compare as A", key="open_cmp_a", on_click=_pick, args=(
                {"compare_a": case.case_id, "compare_anchor": st.session_state.get("browse_open_anchor")},))
            b2.button("Close", key="open_close", on_click=_pick, args=({"browse_open": None},))
        with right:
            st.markdown("**Nearest neighbours**")
            try:
                near = neighbours(store, embedder, settings, case, get_embed_cache(), where)
            except MedragError as exc:
                st.error(escape_markdown(exc.user_message))
                near = []
            if not near:
                st.caption("No neighbours found.")
            for n, match in enumerate(near):
                with st.container(border=True):
                    render_case_row(match.case, store, match=match)
                    st.button("Compare with this", key=f"near_cmp_{n}", on_click=_pick, args=(
                        {"compare_a": case.case_id, "compare_b": match.case.case_id,
                         "compare_anchor": st.session_state.get("browse_open_anchor")},))


def compare_panel(a_id: str, b_id: str) -> None:
    try:
        cases = {c.case_id: c for c in store.get([a_id, b_id])}
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        return
    missing = [i for i in (a_id, b_id) if i not in cases]
    if missing:
        st.error("Not in the archive: " + escape_markdown(", ".join(repr(i) for i in missing)))
        return
    with st.container(border=True):
        st.markdown(f"**Comparison: {escape_markdown(a_id)} (A) and {escape_markdown(b_id)} (B)**")
        render_compare(cases[a_id], cases[b_id], store)


def _pick(values: dict) -> None:
    st.session_state.update(values)


def _typed_compare() -> None:
    st.session_state["compare_anchor"] = None  # ids typed below: the comparison appears below


# Where the opened case and the comparison appear: under the result row the user clicked (where they
# are looking), else right below the search tabs.
a_id = str(st.session_state.get("compare_a") or "").strip()
b_id = str(st.session_state.get("compare_b") or "").strip()
open_id = st.session_state.get("browse_open")
open_anchor = st.session_state.get("browse_open_anchor")
compare_anchor = st.session_state.get("compare_anchor") if a_id and b_id else None
results = st.session_state.get("browse_results")
anchors = set(range(len(results))) if results else set()
if open_id and open_anchor not in anchors:
    open_case_panel(open_id)

if results is not None:
    st.subheader(f"Results ({len(results)})")
    if not results:
        st.caption("No case matches.")
    for n, match in enumerate(results):
        with st.container(border=True):
            row, buttons = st.columns([6, 2], vertical_alignment="center")
            with row:
                render_case_row(match.case, store, match=match)
            b1, b2, b3 = buttons.columns(3)
            # Callbacks: the state changes before the next run starts, so that run draws each panel once,
            # under this row.
            cid = match.case.case_id
            b1.button("Open", key=f"open_{n}", on_click=_pick, args=({"browse_open": cid, "browse_open_anchor": n},))
            b2.button("A", key=f"cmp_a_{n}", help="Compare: put this case on the left",
                      on_click=_pick, args=({"compare_a": cid, "compare_anchor": n},))
            b3.button("B", key=f"cmp_b_{n}", help="Compare: put this case on the right",
                      on_click=_pick, args=({"compare_b": cid, "compare_anchor": n},))
        if open_id and open_anchor == n:
            open_case_panel(open_id)
        if a_id and b_id and compare_anchor == n:
            compare_panel(a_id, b_id)

st.divider()
st.subheader("Compare two cases")
shown_above = bool(a_id and b_id and compare_anchor in anchors)
c1, c2 = st.columns(2)
a_id = c1.text_input("Case A", key="compare_a", on_change=_typed_compare).strip()
b_id = c2.text_input("Case B", key="compare_b", on_change=_typed_compare).strip()
if a_id and b_id:
    if shown_above:
        st.caption("The comparison is shown above, under the result you picked.")
    else:
        compare_panel(a_id, b_id)
