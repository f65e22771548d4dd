"""One ingest at a time, in a background thread that keeps running when the admin leaves the page.

Held in ``st.cache_resource`` (see ``resources.py``); the Dataset Admin page starts, watches and
cancels it. Nothing here imports Streamlit or knows the ETL's internals: ``start`` takes a function
``job(on_progress, cancel) -> report`` and records the latest progress value it reports.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from medrag_core.errors import MedragError

log = logging.getLogger(__name__)


@dataclass
class IngestState:
    """A snapshot for the page. ``progress`` is whatever the ETL last reported (or None)."""

    running: bool = False
    label: str = ""
    started_at: float | None = None
    finished_at: float | None = None
    progress: Any = None
    report: Any = None
    error: str | None = None
    cancelled: bool = False
    history: list[str] = field(default_factory=list)

    @property
    def elapsed_s(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at


class IngestRunner:
    """Starts one job at a time; ``cancel()`` asks it to stop after the current batch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = IngestState()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> IngestState:
        with self._lock:
            s = self._state
            return IngestState(
                s.running, s.label, s.started_at, s.finished_at, s.progress, s.report, s.error, s.cancelled,
                list(s.history),
            )

    @property
    def running(self) -> bool:
        with self._lock:
            return self._state.running

    def start(self, label: str, job: Callable[[Callable[[Any], None], threading.Event], Any]) -> bool:
        """Start ``job`` unless one is running; returns False when one already is."""
        with self._lock:
            if self._state.running:
                return False
            self._cancel = threading.Event()
            history = self._state.history
            self._state = IngestState(running=True, label=label, started_at=time.monotonic(), history=history)
            cancel = self._cancel
        self._thread = threading.Thread(target=self._run, args=(job, cancel), name="medrag-ingest", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests); True when it has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running

    def _on_progress(self, progress: Any) -> None:
        with self._lock:
            self._state.progress = progress

    def _run(self, job: Callable[..., Any], cancel: threading.Event) -> None:
        report, error = None, None
        try:
            report = job(self._on_progress, cancel)
        except MedragError as exc:
            error = exc.user_message
        except Exception as exc:
            # The type only: the text of an unexpected error can quote a record (report text, a path).
            log.error("ingest failed: %s", type(exc).__name__)
            error = f"The ingest stopped with an unexpected error ({type(exc).__name__}); see the server log."
        with self._lock:
            state = self._state
            state.running = False
            state.finished_at = time.monotonic()
            state.report = report
            state.error = error
            state.cancelled = cancel.is_set()
            outcome = "failed" if error else ("cancelled" if state.cancelled else "finished")
            state.history = (state.history + [f"{state.label}: {outcome} after {state.elapsed_s:.0f} s"])[-10:]
