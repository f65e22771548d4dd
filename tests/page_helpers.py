"""Shared set-up for the page tests (AppTest) and the browser test: a small archive and app env.

The app reads its settings from env (``Settings.load``) once per process through
``st.cache_resource``; ``app_env`` points those env vars at the test's embedded Postgres and tiny
SigLIP checkpoint and clears the cache, so each test starts from a fresh app.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.images import make_png, phantom

REPO = Path(__file__).resolve().parents[1]

ARCHIVE_REPORTS = [
    ("The lungs are clear. No pleural effusion or pneumothorax.", "No acute cardiopulmonary process."),
    ("There is a small left pleural effusion. Heart size is normal.", "Small left pleural effusion."),
    ("Right lower lobe opacity may represent pneumonia. No pneumothorax.", "Right lower lobe pneumonia."),
    ("The heart is mildly enlarged. Mild pulmonary vascular congestion is present.", "Cardiomegaly."),
    ("There is a small left pleural effusion. Left lower lobe atelectasis is noted.", "Left effusion."),
    ("The lungs are clear. The cardiomediastinal silhouette is within normal limits.", "Normal chest."),
]

GOOD_REPORT = (
    "FINDINGS: There is a small left pleural effusion. Heart size is normal. No pneumothorax.\n"
    "IMPRESSION: Small left pleural effusion."
)
#: Laterality conflict (left vs right) and a <script> tag that must stay literal text.
BAD_REPORT = (
    "FINDINGS: There is a small left pleural effusion. No pneumothorax. <script>alert(1)</script>\n"
    "IMPRESSION: Small right pleural effusion."
)


def query_png(seed: int = 0) -> bytes:
    a = phantom(448, 400)
    a = a + np.random.default_rng(seed).normal(0, 0.01, a.shape)
    return make_png(np.clip(a, 0, 1))


def write_archive_parquet(path: Path, n: int = len(ARCHIVE_REPORTS)) -> Path:
    """A parquet in the HF ``mimic-cxr-dataset`` schema with ``n`` phantom images and reports."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for i in range(n):
        findings, impression = ARCHIVE_REPORTS[i % len(ARCHIVE_REPORTS)]
        a = phantom(320 + 16 * i, 300, marker=("top-left", "top-right", "bottom-left", "bottom-right")[i % 4])
        rows.append(
            {
                "image": {"bytes": make_png(a), "path": f"img{i}.png"},
                "findings": findings,
                "impression": impression,
                "case_id": f"case{i:02d}",
                "view": "PA",
                "license": "CC BY 4.0 (test fixture)",
            }
        )
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def ingest_archive(tmp_path: Path, settings, store, embedder, n: int = len(ARCHIVE_REPORTS)) -> None:
    from etl.pipeline import run_ingest

    report = run_ingest(
        str(write_archive_parquet(tmp_path / "archive.parquet", n)), settings, store=store, embedder=embedder,
        batch_size=4, workers=1,
    )
    assert report.written == n, report.summary()


def app_env_vars(pg_settings, tiny_siglip_dir: Path) -> dict[str, str]:
    return {
        "MEDRAG_DATA_DIR": str(pg_settings.data_dir),
        "MEDRAG_EMBED_MODEL": str(tiny_siglip_dir),
        "MEDRAG_LLM_BACKEND": "offline",
        "MEDRAG_DEVICE": "cpu",
        "MEDRAG_TOP_K": "4",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


@pytest.fixture
def app_env(monkeypatch, pg_settings, tiny_siglip_dir, store, tmp_path):
    """Env for the app on the test database and tiny model; empty archive; fresh resource and data caches."""
    import streamlit as st

    for name in ("MEDRAG_DATABASE_URL", "MEDRAG_ADMIN_PASSWORD", "GEMINI_API_KEY", "MEDRAG_STORE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in app_env_vars(pg_settings, tiny_siglip_dir).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml from the repo or the user
    st.cache_resource.clear()
    st.cache_data.clear()
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()


def app_test(page: str, timeout: float = 60):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(REPO / page), default_timeout=timeout)


def unescape_markdown(text: str) -> str:
    """What the reader sees of escaped Markdown (``escape_markdown``): backslash escapes removed."""
    import re

    return re.sub(r"\\(.)", r"\1", text).replace("\u00a0", " ")


def errors_of(at) -> list[str]:
    """The error bodies as the reader sees them (Markdown escapes removed)."""
    return [unescape_markdown(e.value) for e in at.error]


def all_text(at) -> str:
    """Every markdown, caption, text, info/warning/success/error body on the page, joined, as the reader
    sees it (Markdown escapes removed; ``raw_text`` keeps them)."""
    return unescape_markdown(raw_text(at))


def raw_text(at) -> str:
    """Like ``all_text`` but the element values as sent to the browser (Markdown source)."""
    parts = []
    for kind in ("markdown", "caption", "text", "info", "warning", "success", "error", "code", "subheader", "title"):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind)]
    return "\n".join(parts)


def png_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
