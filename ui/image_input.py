"""Decoding an uploaded X-ray for the pages, and its preview with window/level."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from medrag_core.errors import MedragError


@dataclass(frozen=True)
class Upload:
    """An uploaded image: its bytes and hash, and either the decoded image or the refusal message."""

    name: str
    data: bytes
    sha256: str
    decoded: object | None  # imaging.DecodedImage
    error: str | None


def decode_upload(uploaded, settings, state_key: str) -> Upload | None:
    """Decode ``uploaded`` (a Streamlit UploadedFile, or None) once per content, memoised in session state."""
    if uploaded is None:
        return None
    from medrag_core.imaging import decode_image, sha256_hex

    data = uploaded.getvalue()
    sha = sha256_hex(data)
    cached = st.session_state.get(state_key)
    if isinstance(cached, Upload) and cached.sha256 == sha:
        return cached
    try:
        if len(data) > settings.max_upload_bytes:
            from medrag_core.errors import ImageDecodeError

            raise ImageDecodeError(
                f"The file is larger than {settings.max_upload_bytes // (1024 * 1024)} MB.", code="too_large"
            )
        upload = Upload(uploaded.name, data, sha, decode_image(data, max_pixels=settings.max_image_pixels), None)
    except MedragError as exc:
        upload = Upload(uploaded.name, data, sha, None, exc.user_message)
    st.session_state[state_key] = upload
    return upload


def needs_window(decoded) -> bool:
    """Window/level is offered for DICOM and for sources deeper than 8 bits."""
    return getattr(decoded, "format", "") == "dicom" or getattr(decoded, "source_bit_depth", 8) > 8


def render_preview(upload: Upload, key: str, *, width: int = 360) -> None:
    """The decoded image, with centre/width sliders for DICOM and 16-bit images (display only)."""
    from medrag_core.imaging import to_display_uint8

    decoded = upload.decoded
    window = None
    if needs_window(decoded):
        c1, c2 = st.columns(2)
        centre = c1.slider("Window centre", 0.0, 1.0, 0.5, 0.01, key=f"{key}_centre")
        width_ = c2.slider("Window width", 0.02, 1.0, 1.0, 0.01, key=f"{key}_width")
        window = (centre, width_)
    # Inline, from bytes kept in session state: a media-file URL can expire between reruns when many
    # sessions share the server (the preview then showed as a broken image next to a finished result).
    png = _preview_png(key, upload.sha256, window, lambda: to_display_uint8(decoded, window=window), width)
    # st.html (sanitised, never Markdown): our own base64 PNG only; no user text goes into this HTML.
    st.html(f'<img src="data:image/png;base64,{png}" width="{int(width)}" alt="X-ray preview" '
            'style="max-width:100%;height:auto">')
    bits = getattr(decoded, "source_bit_depth", "?")
    fmt = getattr(decoded, "format", "?")
    st.caption(f"{decoded.width}×{decoded.height} px · {fmt} · {bits}-bit source")


def _preview_png(slot: str, sha: str, window: tuple[float, float] | None, pixels, width: int) -> str:
    """Base64 PNG of the display pixels, kept in this session's state per preview slot (image, window)."""
    import base64

    from medrag_core.imaging import png_bytes

    key = (sha, window, width)
    held = st.session_state.get(f"_preview_png_{slot}")
    if isinstance(held, tuple) and held[0] == key:
        return held[1]
    encoded = base64.b64encode(png_bytes(pixels(), max_side=max(2 * int(width), 256))).decode("ascii")
    st.session_state[f"_preview_png_{slot}"] = (key, encoded)
    return encoded
