"""The Verify page's glue to ``medrag_core.workflow.verify``: report input, background embedding, status."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.health import MODEL_HELP
from medrag_core.render import escape_markdown

from .image_input import Upload

log = logging.getLogger("medrag.app")

LOAD_DATA_HELP = (
    "The case archive is empty, so there are no similar cases to compare with yet (the offline report "
    "checks work anyway). Load cases on the **Dataset Admin** page, or from a shell: "
    "`.venv/bin/python -m etl ingest ../shared/data/cxr_sample/cases.parquet` (a Hugging Face dataset id, a "
    "parquet file in its schema, an Open-i folder or a DICOM folder also work)."
)


def archive_notice(store, *, model_help: bool = True) -> None:
    """First-run help: how to load data when the archive is empty (and how to get the model weights,
    unless the page already says so)."""
    try:
        total = store.count()
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        return
    if total == 0:
        st.info(LOAD_DATA_HELP)
        if model_help:
            st.caption("Similar-case search also needs the MedSigLIP weights. " + MODEL_HELP)


BOTH_REPORTS_HELP = (
    "Two different reports were given: the text in the box and the uploaded .txt file. Keep one: clear the "
    "text box to verify the file, or remove the file (✕ beside its name) to verify the text."
)


def read_report_input(text: str, report_file, settings) -> str:
    """The report from the uploaded .txt or the text area, validated.

    When both are given and their reports differ, neither is silently dropped: ``ReportError``
    (code ``two_reports``) asks which to keep. Raises ``ReportError`` (empty, too long, NUL bytes)
    via ``reports.read_report`` too.
    """
    from medrag_core.errors import ReportError
    from medrag_core.reports import read_report

    typed = text or ""
    if report_file is None:
        return read_report(typed, max_chars=settings.max_report_chars)
    from_file = read_report(report_file.getvalue(), max_chars=settings.max_report_chars)
    if typed.strip() and " ".join(typed.split()) != " ".join(from_file.split()):
        raise ReportError(BOTH_REPORTS_HELP, code="two_reports")
    return from_file


def embedding_job_key(upload: Upload, settings, embedder) -> tuple[str, str, str]:
    return (upload.sha256, embedder.name, settings.resize_mode)


def start_image_embedding(upload: Upload, settings, embedder, cache, jobs) -> Future | None:
    """Submit the upload's image embedding to the background pool (once per content and model)."""
    if embedder is None:
        return None
    from medrag_core.workflow import precompute_image_embedding

    data = upload.data
    return jobs.submit(
        embedding_job_key(upload, settings, embedder),
        lambda: precompute_image_embedding(data, settings, embedder, cache),
    )


def embedding_status_text(status) -> str:
    """One line for the upload's background embedding: ready, running, or its place in the queue."""
    if status is None or status.done:
        return "Image embedding: ready."
    wait = "" if status.expected_wait_s is None else f", about {max(1, round(status.expected_wait_s))} s"
    if status.running:
        return f"Image embedding: computing in the background{wait}…"
    return (f"Image embedding: queued behind {status.ahead} other upload(s) (one model worker is shared "
            f"by everyone on this server){wait}…")


def render_embedding_status(upload: Upload, settings, embedder) -> None:
    """The status line, updating itself every second while the job is queued or running."""
    from .resources import get_background_jobs

    key = embedding_job_key(upload, settings, embedder)
    jobs = get_background_jobs()
    status = jobs.status(key)
    if status is None or status.done:
        st.caption(embedding_status_text(status))
        return

    @st.fragment(run_every=1.0)
    def _live() -> None:
        st.caption(embedding_status_text(jobs.status(key)))

    _live()


_STAGE_LABELS = {
    "decode": "reading the image and the report",
    "preprocess": "parsing the report",
    "checks": "offline report checks",
    "open_store": "opening the case archive",
    "load_model": "loading the embedding model",
    "image_embedding": "image embedding",
    "text_embedding": "text embedding",
    "retrieval": "similar-case search",
    "consensus": "what similar cases report",
    "match_images": "similar cases' images",
    "verifier": "verifier",
}
_STATE_ICONS = {
    "done": ":material/check:",
    "cached": ":material/cached:",
    "given": ":material/cached:",
    "skipped": ":material/skip_next:",
    "failed": ":material/close:",
}


def run_verification(
    upload: Upload | None,
    report: str,
    settings,
    *,
    store,
    embedder,
    verifier,
    embedding_job: Future | None,
    cache,
):
    """Run the workflow inside ``st.status``, one line per stage; re-raises ``MedragError``.

    ``upload`` None: the report is checked on its own. Logs one line per verification to the server
    log (verdict, counts, timings; never report text or image data)."""
    from medrag_core.history import HistoryContext
    from medrag_core.workflow import verify

    from .feedback_view import current_user

    with st.status("Verifying the report…", expanded=True) as status:
        embedding = None
        if embedding_job is not None:
            if not embedding_job.done():
                status.update(label="Waiting for the image embedding (started on upload)…")
            try:
                _sha, embedding = embedding_job.result()
            except MedragError as exc:
                status.write(f"Image embedding failed: {escape_markdown(exc.user_message)}")

        def on_stage(stage: str, state: str) -> None:
            label = _STAGE_LABELS.get(stage, stage.replace("_", " "))
            if state == "running":
                status.update(label=f"Verifying the report: {label}…")
            else:
                status.write(f"{_STATE_ICONS.get(state, '•')} {escape_markdown(label)}: {escape_markdown(state)}")

        try:
            started = time.monotonic()
            result = verify(
                upload.data if upload is not None else None, report, settings, store=store, embedder=embedder,
                verifier=verifier,
                image_embedding=embedding, cache=cache, on_stage=on_stage,
                history=HistoryContext(who=current_user(), entry_point="app"),
            )
        except MedragError as exc:
            status.update(label="Verification failed", state="error", expanded=False)
            log.info("verification refused: %s", exc.code)
            raise
        log.info("verification: verdict=%s issues=%d matches=%d image=%s verifier=%s %.0f ms",
                 result.verdict, len(result.issues), len(result.matches), upload is not None, result.verifier,
                 (time.monotonic() - started) * 1000)
        status.update(label=f"Done: {result.verdict.replace('_', ' ')}", state="complete", expanded=False)
    return result
