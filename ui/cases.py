"""A case as a card (image, view, findings, impression, scores), shared by Verify and Browse."""

from __future__ import annotations

import streamlit as st

from medrag_core.errors import MedragError
from medrag_core.models import Case, Match


def case_image(case: Case, store) -> bytes | None:
    """The case's stored image bytes, or None (text-only case, no store, or store failure)."""
    if store is None or not case.image_sha256:
        return None
    try:
        return store.get_image(case.image_sha256)
    except MedragError:
        return None


def render_case_row(case: Case, store, *, match: Match | None = None, number: int | None = None) -> None:
    """One compact result line in the current container: thumbnail, id, scores, the impression's start."""
    thumb_col, text_col = st.columns([1, 5], vertical_alignment="center")
    with thumb_col:
        thumb = _thumbnail(case, store)
        if thumb is not None:
            st.image(thumb, width=72)
        else:
            st.caption("(no image)")
    with text_col:
        rank = f"#{number if number is not None else match.fused_rank} · " if match is not None or number else ""
        scores = (f" · image {_fmt(match.image_score)} · text {_fmt(match.text_score)}"
                  f" · fused {match.fused_score:.4f}") if match is not None else ""
        st.markdown(f"{rank}**{_md(case.case_id)}**")
        st.caption(_md(f"{case.source}{' · ' + case.view if case.view else ''}") + scores)
        summary = " ".join((case.impression or case.findings or "—").split())
        st.text(summary if len(summary) <= 140 else summary[:139] + "…")


def _thumbnail(case: Case, store) -> bytes | None:
    if case.image_sha256:
        try:
            thumb = store.get_thumbnail(case.case_id)
        except MedragError:
            thumb = None
        if thumb:
            return thumb
    return case_image(case, store)


def render_case_card(
    case: Case,
    store,
    *,
    match: Match | None = None,
    relied_on: bool = False,
    image_width: int | None = None,
) -> None:
    """Image, ids, scores and report sections of one case, in the current container."""
    with st.container(border=True):
        title = f"**{'★ ' if relied_on else ''}{_md(case.case_id)}**"
        if match is not None:
            title = f"#{match.fused_rank} · " + title
        st.markdown(title)
        image = case_image(case, store)
        if image is not None:
            st.image(image, width=image_width or "stretch")
        else:
            st.caption("(no image)")
        meta = [f"source: {case.source}"]
        if case.view:
            meta.append(f"view: {case.view}")
        st.caption(_md(" · ".join(meta)))
        if match is not None:
            st.caption(
                f"image {_fmt(match.image_score)} · text {_fmt(match.text_score)} · fused {match.fused_score:.4f}"
            )
        if relied_on:
            st.caption("The verifier relied on this case.")
        st.markdown("**Findings**")
        st.text(case.findings or "—")
        st.markdown("**Impression**")
        st.text(case.impression or "—")
        if case.metadata:
            with st.expander("Provenance and licence"):
                st.text("\n".join(f"{key}: {value}" for key, value in sorted(case.metadata.items())))


def _md(text: str) -> str:
    from medrag_core.render import escape_markdown

    return escape_markdown(text)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
