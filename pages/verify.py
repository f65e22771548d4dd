"""Verify: upload an X-ray (optional) and its report, run ``workflow.verify``, render the result.

The image embedding starts in the background as soon as the image is uploaded (cached by content
hash), so pressing Verify after typing the report does not wait for it again; its status line
updates itself (queue position, expected wait). Without an image the report is checked on its own.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.health import describe_verifier
from medrag_core.render import escape_markdown
from medrag_core.workflow import NOTICE_OFFLINE
from ui.image_input import decode_upload, render_preview
from ui.pacs_panel import pacs_image
from ui.privacy_view import render_outgoing_preview
from ui.resources import get_background_jobs, get_embed_cache, get_verifier, settings_or_stop, try_embedder, try_store
from ui.result_view import render_result
from ui.verify_support import (
    archive_notice,
    read_report_input,
    render_embedding_status,
    run_verification,
    start_image_embedding,
)

st.title("Verify a chest X-ray report")

settings = settings_or_stop()

store, store_error = try_store()
embedder, embedder_error = try_embedder()

if store_error:
    st.error(f"The case archive is not available: {escape_markdown(store_error)}")
    st.caption("The report checks below still run; similar cases need the database.")
else:
    archive_notice(store, model_help=embedder_error is None)
if embedder_error:  # the message says how to get the weights
    st.warning(f"The embedding model is not available: {escape_markdown(embedder_error)}")

verifier_health = describe_verifier(settings)
shown_above = (embedder_error,) if embedder_error else ()  # not repeated with the result
if settings.llm_backend == "offline":
    st.info(
        "Offline verifier: the verdict comes from the offline checks and similar cases, and nothing leaves "
        "this machine. Set MEDRAG_LLM_BACKEND=gemini or openai_compat (with its key or server) to add an LLM check."
    )
    shown_above += (NOTICE_OFFLINE,)
else:
    st.caption(f"Verifier: {escape_markdown(verifier_health.summary)}. {escape_markdown(verifier_health.detail)}")

left, right = st.columns([2, 3])
with left:
    st.subheader("X-ray")
    uploaded = st.file_uploader(
        "PNG, JPEG or DICOM (optional)", key="image",
        help="The file type is recognised from its content, not its name.",
    )
    upload = pacs_image(settings, decode_upload(uploaded, settings, "image_upload"))  # or a study from the PACS
    embedding_job = None
    if upload is None:
        st.caption("Optional: without an image, the report is checked on its own (report checks, and similar "
                   "cases found by their text).")
    elif upload.error:
        st.error(escape_markdown(upload.error))
    else:
        render_preview(upload, key="verify_preview")
        embedding_job = start_image_embedding(upload, settings, embedder, get_embed_cache(), get_background_jobs())
        if embedding_job is not None:
            render_embedding_status(upload, settings, embedder)

with right:
    st.subheader("Report")
    st.text_area("Paste the report", key="report_text", height=260, placeholder="FINDINGS: …\nIMPRESSION: …")
    report_file = st.file_uploader("…or upload it as a .txt file", type=["txt"], key="report_file")
    render_outgoing_preview(st.session_state.get("report_text", ""), upload, settings)
    if st.button("Verify", type="primary", key="verify"):
        st.session_state.pop("verify_result", None)
        if upload is not None and upload.error:  # the reason is shown once, under the upload
            st.error("The image above cannot be used: replace it, or remove it (✕) to check the report alone.")
        else:
            try:
                report = read_report_input(st.session_state.get("report_text", ""), report_file, settings)
                verifier = get_verifier()
                st.session_state["verify_result"] = run_verification(
                    upload, report, settings, store=store, embedder=embedder, verifier=verifier,
                    embedding_job=embedding_job, cache=get_embed_cache(),
                )
            except MedragError as exc:
                st.error(escape_markdown(exc.user_message))

result = st.session_state.get("verify_result")
if result is not None:
    st.divider()
    render_result(result, store, shown_elsewhere=shown_above)
