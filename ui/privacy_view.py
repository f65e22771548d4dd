"""The Verify page's preview of what goes to an external LLM, shown before anything is sent.

The text shown comes from ``medrag_core.llm.preview_outgoing_report``, which uses the same function
the prompt builder sends through, so the preview is the report exactly as it will leave.
"""

from __future__ import annotations

import streamlit as st

from medrag_core.imaging import dicom_identifiers
from medrag_core.llm import preview_outgoing_report
from medrag_core.render import escape_markdown
from medrag_core.settings import Settings

from .image_input import Upload

_PROVIDER = {"gemini": "Google Gemini", "openai_compat": "the OpenAI-compatible server"}


def render_outgoing_preview(report_text: str, upload: Upload | None, settings: Settings) -> None:
    """An expander with the report text exactly as an external LLM will receive it (nothing when the
    offline verifier is chosen: then nothing leaves the machine)."""
    if settings.llm_backend == "offline" or not report_text.strip():
        return
    known = ()
    if upload is not None and upload.error is None and getattr(upload.decoded, "format", None) == "dicom":
        known = dicom_identifiers(upload.data)  # used here only; never shown
    preview = preview_outgoing_report(report_text, scrub=settings.scrub_phi, known_values=known)
    provider = _PROVIDER.get(settings.llm_backend, settings.llm_backend)
    with st.expander(f"What will be sent to {provider}", expanded=False):
        if preview.scrubbed:
            removed = ", ".join(f"{n} {kind.lower()}" for kind, n in sorted(preview.removed.items())) or "nothing"
            st.caption(f"Identifiers removed: {escape_markdown(removed)}. The report is sent exactly as below.")
        else:
            st.warning("PHI scrubbing is off (MEDRAG_SCRUB_PHI=false): the report is sent as written.")
        st.code(preview.text, language=None)
        images = "the X-ray as PNG pixels (no metadata)" if settings.send_images_to_llm else "no images"
        st.caption(
            f"Also sent: {images} and the findings and impressions of the similar cases, scrubbed the same "
            "way, under opaque aliases. Never sent: DICOM header fields, case ids, file names. "
            "See docs/privacy.md for what the scrubber removes and what it misses."
        )
