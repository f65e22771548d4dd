"""The Dataset Admin page's sections: ingest (background, with progress), stats, index, health."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import ETL_HINT
from medrag_core.errors import MedragError
from medrag_core.health import describe_store, describe_verifier, model_availability
from medrag_core.render import escape_markdown
from medrag_core.settings import Settings
from medrag_core.store import INDEX_METHODS, IndexAdmin, ProgressLog

from .resources import get_ingest_runner, try_embedder

_SAMPLE = Path("../shared/data/cxr_sample/cases.parquet")
_ICONS = {
    "ok": ":green[:material/check_circle:]",
    "warning": ":orange[:material/warning:]",
    "error": ":red[:material/error:]",
}

SOURCE_HELP = (
    "A source is one of: a Hugging Face dataset id (`itsanmolgupta/mimic-cxr-dataset`), a parquet file or "
    "folder in that schema, an Open-i folder or `.tgz` of report XML (`openi:PATH,images=FOLDER`), or "
    "`dicom:FOLDER,csv=reports.csv`. Cases are upserted by id: an ingest that was cancelled or stopped "
    "resumes where it left off when started again with the same source."
)


NO_MODEL_INGEST_NOTE = (
    "The embedding model is not available: cases are stored without embeddings (report checks and "
    "full-text similar cases work); compute the embeddings later with **Compute missing embeddings**."
)
LOW_PRIORITY_NOTE = (
    "Runs in this app at a lower CPU priority so verifications stay responsive. For large archives use "
    f"the command line ({ETL_HINT} ingest SOURCE --shard i/n, several at once) or the Ray engine: see "
    "docs/etl.md."
)


def _eta(progress) -> str:
    total = getattr(progress, "total_hint", None)
    seen = getattr(progress, "seen", 0)
    elapsed = getattr(progress, "elapsed_s", 0.0)
    if not total or not seen or elapsed <= 0 or seen >= total:
        return "unknown" if not total else "0 s"
    return f"{(total - seen) * elapsed / seen:.0f} s"


def render_progress() -> None:
    """The running (or last) ingest or embedding run: progress bar, rate, ETA, errors; cancel while running."""
    state = get_ingest_runner().snapshot()
    if state.started_at is None:
        return
    progress = state.progress
    st.markdown(f"**{escape_markdown(state.label)}**")
    if progress is not None and hasattr(progress, "done"):  # etl.embed.EmbedProgress
        total, done = progress.total, progress.done
        st.progress(min(done / total, 1.0) if total else 1.0, text=f"{done} of {total} cases embedded")
        c = st.columns(3)
        c[0].metric("image embeddings", progress.images)
        c[1].metric("text embeddings", progress.texts)
        c[2].metric("errors", progress.errors)
    elif progress is not None:
        total = getattr(progress, "total_hint", None)
        seen = getattr(progress, "seen", 0)
        fraction = min(seen / total, 1.0) if total else 0.0
        text = f"{seen}{f' of {total}' if total else ''} records read"
        st.progress(fraction if total else (1.0 if not state.running else 0.0), text=text)
        c = st.columns(5)
        c[0].metric("written", getattr(progress, "written", 0))
        c[1].metric("skipped (already in)", getattr(progress, "skipped", 0))
        c[2].metric("errors", getattr(progress, "errors", 0))
        c[3].metric("rate", f"{getattr(progress, 'rate', 0.0):.1f}/s")
        c[4].metric("ETA", _eta(progress) if state.running else "—")
        empty, duplicates = getattr(progress, "empty", 0), getattr(progress, "duplicates", 0)
        if empty or duplicates:
            st.caption(f"{empty} record(s) with neither image nor text were not stored; "
                       f"{duplicates} repeated a case id (the last was kept).")
    elif state.running:
        st.progress(0.0, text="Starting (opening the source, loading the model)…")
    if state.running:
        st.caption(LOW_PRIORITY_NOTE)
        if st.button("Cancel", key="ingest_cancel"):
            get_ingest_runner().cancel()
            st.toast("Cancelling after the current batch…")
    elif state.error:
        st.error(escape_markdown(state.error))
    elif state.report is not None:
        summary = state.report.summary() if hasattr(state.report, "summary") else str(state.report)
        (st.warning if state.cancelled else st.success)(escape_markdown(summary))
        codes = getattr(state.report, "error_codes", None)
        if codes:
            st.caption("Errors by kind: " + escape_markdown(", ".join(f"{k} {n}" for k, n in codes.most_common())))


@st.fragment(run_every=1.0)
def _live_progress() -> None:
    render_progress()
    if not get_ingest_runner().running:  # finished: rerun the whole page so statistics and tables include it
        st.rerun(scope="app")


def render_ingest(settings, store, store_error: str | None) -> None:
    st.subheader("Sources in the archive")
    stats = _stats_or_error(store, store_error)
    if stats is None:
        return
    if stats.per_source:
        st.dataframe(
            pd.DataFrame({"source": list(stats.per_source), "cases": list(stats.per_source.values())}),
            hide_index=True, key="sources_table",
        )
    else:
        st.caption("No cases yet.")
    rows = []
    if isinstance(store, ProgressLog):
        try:
            rows = store.list_progress()
        except MedragError as exc:
            st.error(escape_markdown(exc.user_message))
    if rows:
        st.caption("Ingest runs recorded in the database (a source that is not done resumes where it stopped):")
        st.dataframe(
            pd.DataFrame(
                [
                    {"source": p.source or p.source_key, "shard": p.shard, "records handled": p.position,
                     "written": p.rows_written, "errors": p.errors, "done": p.done, "updated": p.updated_at}
                    for p in rows
                ]
            ),
            hide_index=True, key="progress_table",
        )

    render_embed(settings, store, stats)

    st.subheader("Ingest")
    st.markdown(SOURCE_HELP)
    runner = get_ingest_runner()
    with st.form("ingest_form"):
        spec = st.text_input("Source", value=str(_SAMPLE) if _SAMPLE.exists() else "", key="ingest_spec")
        c1, c2, c3 = st.columns(3)
        limit = c1.number_input("Limit (0 = all)", min_value=0, value=0, step=10, key="ingest_limit")
        batch = c2.number_input("Batch size", min_value=1, max_value=512, value=16, key="ingest_batch")
        reembed = c3.checkbox("Re-embed existing cases", key="ingest_reembed")
        start = st.form_submit_button("Start / resume ingest", disabled=runner.running, key="ingest_start")
    if start:
        _start_ingest(settings, store, spec, int(limit) or None, int(batch), reembed)
    if runner.running:
        _live_progress()
    else:
        render_progress()
    history = runner.snapshot().history
    if history:
        with st.expander("Earlier ingests in this app process"):
            for line in reversed(history):
                st.text(line)


def _start_ingest(settings, store, spec: str, limit: int | None, batch: int, reembed: bool) -> None:
    from etl import ingest_job

    if not spec.strip():
        st.error("Give a source: a parquet path, an Open-i folder or .tgz, dicom:FOLDER or a Hugging Face id.")
        return
    embedder, embedder_error = try_embedder()
    if embedder_error:
        if reembed:
            st.error("Re-embedding needs the embedding model, which is not available (see Health).")
            return
        st.info(NO_MODEL_INGEST_NOTE)
    try:  # the source is checked now: its errors belong on the page, not in the thread
        inner = ingest_job(spec, settings, store=store, embedder=embedder, limit=limit, batch_size=batch,
                           reembed=reembed)  # fmt: skip
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        return

    def job(on_progress, cancel):
        lower_priority()
        return inner(on_progress, cancel)

    if not get_ingest_runner().start(f"Ingest: {spec.strip()}", job):
        st.warning("An ingest or embedding run is already running.")


def lower_priority(increment: int = 10) -> None:
    """Lower the calling thread's CPU priority (Linux ``nice`` is per thread), so a page-started ingest
    gives way to clinical verifications; where that is not possible, leave it."""
    try:
        os.nice(increment)
    except (AttributeError, OSError):  # no nice() (Windows) or not permitted
        pass


def render_embed(settings, store, stats) -> None:
    """Compute the embeddings stored cases lack (after an ingest without the model)."""
    missing_text = stats.missing_text_embedding or 0
    if not (stats.missing_image_embedding or missing_text):
        return
    st.subheader("Missing embeddings")
    st.markdown(
        f"{stats.missing_image_embedding} case(s) lack an image embedding and {missing_text} a text embedding "
        "(ingested without the model). Similar cases come from full-text search for them until embedded. "
        f"Same from a shell: `{ETL_HINT} embed`."
    )
    runner = get_ingest_runner()
    if st.button("Compute missing embeddings", key="embed_start", disabled=runner.running):
        _start_embed(settings, store)


def _start_embed(settings, store) -> None:
    from etl import run_embed

    embedder, embedder_error = try_embedder()
    if embedder_error:
        st.error("The embedding model is not available (see Health for how to get it).")
        return

    def job(on_progress, cancel):
        lower_priority()
        return run_embed(settings, store=store, embedder=embedder, on_progress=on_progress, cancel=cancel)

    if not get_ingest_runner().start("Computing missing embeddings", job):
        st.warning("An ingest or embedding run is already running.")


def _stats_or_error(store, store_error: str | None):
    """The store's stats, or None after showing why they are not available."""
    if store_error:
        st.error(escape_markdown(store_error))
        return None
    try:
        return store.stats()
    except MedragError as exc:
        st.error(escape_markdown(exc.user_message))
        return None


def render_stats(store, store_error: str | None) -> None:
    stats = _stats_or_error(store, store_error)
    if stats is None:
        return
    c = st.columns(6)
    c[0].metric("cases", stats.total_cases)
    c[1].metric("with image", stats.with_image)
    c[2].metric("image embeddings", stats.with_image_embedding)
    c[3].metric("text embeddings", stats.with_text_embedding)
    c[4].metric("lacking image embedding", stats.missing_image_embedding)
    missing_text = stats.missing_text_embedding
    c[5].metric("lacking text embedding", "—" if missing_text is None else missing_text)
    model = escape_markdown(stats.embed_model or "none yet")
    st.caption(f"Embedding model: {model} · dimension: {stats.dimension or '—'}")
    if stats.per_source:
        st.bar_chart(pd.Series(stats.per_source, name="cases"))


def render_index(settings: Settings, store, store_error: str | None) -> None:
    stats = _stats_or_error(store, store_error)
    if stats is None:
        return
    st.markdown(
        "Similar-case search is exact until a vector index is built; build it after a large ingest "
        "(tens of seconds for 20,000 cases on two cores)."
    )
    if stats.index_state:
        st.dataframe(
            pd.DataFrame({"index": list(stats.index_state), "state": list(stats.index_state.values())}),
            hide_index=True, key="index_table",
        )
    for kind, choice in sorted(stats.ef_choice.items()):
        line = escape_markdown(f"{kind}: {choice.describe()}")
        if choice.exact:
            st.warning(line)
        else:
            st.caption(line)
    if settings.explicit_ef_search is not None and stats.ef_choice:
        st.caption(f"MEDRAG_EF_SEARCH={settings.explicit_ef_search} overrides the measured ef_search.")
    if not isinstance(store, IndexAdmin):
        st.caption("This store manages its own indexes.")
        return
    method = st.radio(
        "Index", INDEX_METHODS, key="index_method", horizontal=True,
        format_func=lambda m: {"hnsw": "HNSW (default)", "binary": "binary + exact re-rank"}[m],
        help="Binary: an HNSW index on the vectors' sign bits whose candidates are re-ranked exactly. It builds "
        "2.5x faster in a third of the memory, but at a million synthetic cases it searched more slowly than HNSW "
        "and reached recall 0.95, not 0.98; the measurement after the build says what it reaches on this archive "
        "(docs/benchmarks.md).",
    )  # fmt: skip
    if st.button("Build / rebuild the vector index", key="reindex"):
        with st.spinner("Building the index, then measuring its recall on the archive's own vectors…"):
            try:
                store.reindex(method=method)
            except MedragError as exc:
                st.error(escape_markdown(exc.user_message))
            else:
                st.success("Index built.")
                for kind, choice in sorted(store.stats().ef_choice.items()):
                    line = escape_markdown(f"Measured {kind}: {choice.describe()}")
                    st.warning(line) if choice.exact else st.info(line)


def render_health(settings, store_error: str | None) -> None:
    rows = [
        ("Database", "error" if store_error else "ok", describe_store(settings), store_error or ""),
    ]
    model = model_availability(settings)
    rows.append(("Embedding model", model.state, model.summary, model.detail))
    verifier = describe_verifier(settings)
    rows.append(("Verifier", verifier.state, verifier.summary, verifier.detail))
    for name, state, summary, detail in rows:
        st.markdown(f"{_ICONS[state]} **{name}**: {escape_markdown(summary)}")
        if detail:
            st.caption(escape_markdown(detail))
