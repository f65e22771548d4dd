"""An ingest as a background job (the Dataset Admin page runs it in a thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from medrag_core.embedding import Embedder
from medrag_core.settings import Settings
from medrag_core.store import CaseStore

from .pipeline import run_ingest
from .report import IngestProgress, IngestReport
from .sources import parse_source

IngestJob = Callable[[Callable[[IngestProgress], None], threading.Event], IngestReport]


def ingest_job(
    spec: str, settings: Settings, *, store: CaseStore, embedder: Embedder | None, limit: int | None = None,
    batch_size: int, reembed: bool = False,
) -> IngestJob:  # fmt: skip
    """Check ``spec`` now (a bad source raises its ``MedragError`` here, not in the thread) and return
    the job: ``job(on_progress, cancel)`` runs ``run_ingest`` and returns its report."""
    source = parse_source(spec.strip(), hf_token=settings.hf_token.get_secret_value() if settings.hf_token else None)

    def job(on_progress: Callable[[IngestProgress], None], cancel: threading.Event) -> IngestReport:
        return run_ingest(
            source, settings, store=store, embedder=embedder, limit=limit, batch_size=batch_size, reembed=reembed,
            on_progress=on_progress, cancel=cancel,
        )  # fmt: skip

    return job
