"""``run_embed``: compute the embeddings that stored cases lack (``python -m etl embed``).

An archive ingested without a model (``run_ingest(..., embedder=None)``) holds cases, images and
report text with empty embeddings. Once the model is there, ``run_embed`` walks the cases still
missing a vector in case-id order, ``batch_size`` cases at a time: it decodes their stored images,
embeds images and texts in sub-batches of ``settings.embed_batch_size``, and writes the vectors of a
batch in one transaction. Nothing else records progress: what is written is no longer missing, so a
run killed at any moment (even ``kill -9``) resumes with the next rerun, and no committed case is
embedded twice.

Vectors of two models never mix: when the store holds another model's vectors, ``run_embed``
refuses unless ``reembed``, which first drops every stored vector (and unbinds the model) and then
fills them all with the current model. A rerun after a killed re-embed just continues (the store is
then bound to the current model). Per-case failures (an image that no longer decodes) are counted
and logged with the case id only; the case stays missing and is retried by the next run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from medrag_core.embedding import Embedder
from medrag_core.errors import ConfigError, ImageDecodeError, ModelMismatch
from medrag_core.imaging import decode_image
from medrag_core.models import Case
from medrag_core.settings import Settings
from medrag_core.store import CaseStore, EmbeddingFill, TermPruning

from .pipeline import _embed_group
from .prepare import PrepareOptions, model_input, report_text

log = logging.getLogger(__name__)

DEFAULT_EMBED_BATCH = 64  # cases per transaction


@dataclass(frozen=True)
class EmbedProgress:
    """After each committed batch: cases handled in this run out of ``total`` missing at the start."""

    done: int
    total: int
    images: int
    texts: int
    errors: int
    elapsed_s: float


@dataclass
class EmbedReport:
    """The outcome of ``run_embed``. ``cleared``: vectors of another model dropped (``reembed``);
    ``images`` / ``texts``: vectors computed; ``remaining``: cases still missing one at the end."""

    embed_model: str
    total: int = 0
    done: int = 0
    images: int = 0
    texts: int = 0
    errors: int = 0
    cleared: int = 0
    remaining: int = 0
    cancelled: bool = False
    elapsed_s: float = 0.0

    def progress(self) -> EmbedProgress:
        return EmbedProgress(self.done, self.total, self.images, self.texts, self.errors, self.elapsed_s)

    def summary(self) -> str:
        state = "cancelled" if self.cancelled else "finished"
        return (
            f"embed {self.embed_model}: {state}. {self.done} of {self.total} cases, {self.images} image and "
            f"{self.texts} text embeddings computed, errors {self.errors}, still missing {self.remaining}"
            + (f", {self.cleared} cases of another model cleared first" if self.cleared else "")
            + f"; {self.elapsed_s:.1f} s"
        )


def run_embed(
    settings: Settings,
    *,
    store: CaseStore,
    embedder: Embedder,
    batch_size: int = DEFAULT_EMBED_BATCH,
    reembed: bool = False,
    on_progress: Callable[[EmbedProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> EmbedReport:
    """Fill the missing embeddings of ``store`` with ``embedder`` (see the module docstring).

    ``reembed``: replace vectors of another model (the store's current model is kept as is).
    ``on_progress`` is called after every committed batch; setting ``cancel`` stops after it.
    Raises ``ModelMismatch`` when the store holds another model's vectors and not ``reembed``,
    ``ConfigError`` for a store that cannot update embeddings in place, ``StoreError`` when writing fails.
    """
    if not isinstance(store, EmbeddingFill):
        raise ConfigError("This store cannot fill in embeddings from here; use a Postgres store (embedded or DSN).")
    started = time.monotonic()
    report = EmbedReport(embed_model=embedder.name)
    held = store.stats().embed_model
    if held is not None and held != embedder.name:
        if not reembed:
            raise ModelMismatch(
                f"This archive holds embeddings of model '{held}'; the current model is '{embedder.name}'. "
                "Vectors of two models are never mixed: run `.venv/bin/python -m etl embed --reembed` to replace them."
            )
        report.cleared = store.clear_embeddings()
        log.info("cleared the vectors of %d cases (model %s)", report.cleared, held)
    options = PrepareOptions(
        resize_mode=embedder.resize_mode,
        image_size=embedder.image_size,
        max_pixels=settings.max_image_pixels,
    )
    report.total = store.count_missing_embeddings()
    after: str | None = None
    while True:
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        ids = store.ids_missing_embeddings(after=after, limit=max(1, int(batch_size)))
        if not ids:
            break
        after = ids[-1]
        cases = store.get(ids)
        updates = _embed_batch(cases, store, embedder, options, settings.embed_batch_size, report)
        store.write_embeddings(updates, embed_model=embedder.name)
        report.done += len(cases)
        report.elapsed_s = time.monotonic() - started
        if on_progress is not None:
            on_progress(report.progress())
    report.remaining = store.count_missing_embeddings()
    if report.done and isinstance(store, TermPruning):
        store.analyze()
    report.elapsed_s = time.monotonic() - started
    log.info("%s", report.summary())
    return report


def _embed_batch(
    cases: Sequence[Case], store: CaseStore, embedder: Embedder, options: PrepareOptions, size: int,
    report: EmbedReport,
) -> list[tuple[str, np.ndarray | None, np.ndarray | None]]:
    """(case id, image vector, text vector) for the cases of one batch; each distinct image and text once."""
    images: dict[str, np.ndarray] = {}  # sha256 -> model input
    for case in cases:
        sha = case.image_sha256
        if sha and not case.has_image_embedding and sha not in images:
            pixels = _decode(store, sha, case.case_id, options, report)
            if pixels is not None:
                images[sha] = pixels
    texts = list(dict.fromkeys(
        t for c in cases if not c.has_text_embedding and (t := report_text(c))
    ))  # fmt: skip
    image_vecs = dict(zip(images, _embed(list(images.values()), embedder.embed_images, size), strict=True))
    text_vecs = dict(zip(texts, _embed(texts, embedder.embed_texts, size), strict=True))
    failed = [k for k, v in (*image_vecs.items(), *text_vecs.items()) if v is None]
    report.errors += len(failed)  # logged by _embed_group; those cases stay missing for the next run
    report.images += sum(v is not None for v in image_vecs.values())
    report.texts += sum(v is not None for v in text_vecs.values())
    updates = []
    for case in cases:
        ivec = image_vecs.get(case.image_sha256 or "") if not case.has_image_embedding else None
        tvec = text_vecs.get(report_text(case)) if not case.has_text_embedding else None
        updates.append((case.case_id, ivec, tvec))
    return updates


def _decode(
    store: CaseStore, sha: str, case_id: str, options: PrepareOptions, report: EmbedReport
) -> np.ndarray | None:
    data = store.get_image(sha)
    if data is None:
        return _error(report, case_id, "image_missing")
    try:
        pixels = decode_image(data, max_pixels=options.max_pixels).pixels
    except ImageDecodeError as exc:
        return _error(report, case_id, f"image_{exc.code}")
    return model_input(pixels, options)


def _error(report: EmbedReport, case_id: str, code: str) -> None:
    report.errors += 1
    log.warning("case %s not embedded: %s", case_id, code)
    return None


def _embed(inputs: list, fn: Callable[[Sequence], np.ndarray], size: int) -> list[np.ndarray | None]:
    """One vector (or None where the model failed on that input) per input, ``size`` at a time."""
    out: list[np.ndarray | None] = []
    for start in range(0, len(inputs), size):
        out.extend(_embed_group(inputs[start : start + size], fn))
    return out
