"""Background work that outlives a Streamlit rerun: image embeddings started on upload.

Held in ``st.cache_resource`` (see ``resources.py``), so one pool serves every session of the
process and a job survives the page being left. Nothing here imports Streamlit.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobStatus:
    """Where a job stands. ``ahead``: jobs that started before it and have not finished (the running
    one included); ``expected_wait_s``: about how long until it is done, from the recent job durations
    (None before any job finished)."""

    done: bool
    running: bool
    ahead: int
    expected_wait_s: float | None


class BackgroundJobs:
    """Runs at most ``workers`` jobs at once; one future per key, so a key is never computed twice.

    ``submit(key, fn)`` returns the existing future for ``key`` when there is one (running or done,
    and not failed); finished futures are kept for the last ``keep`` keys. Jobs run in submission
    order; ``status(key)`` says how many are ahead and about how long the wait is.
    """

    def __init__(self, workers: int = 1, keep: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="medrag-bg")
        self._futures: OrderedDict[Any, Future] = OrderedDict()
        self._order: dict[Any, int] = {}
        self._started: dict[Any, float] = {}
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._keep = keep
        self._workers = workers
        self._mean_s: float | None = None  # running mean of recent job durations

    def submit(self, key: Any, fn: Callable[[], Any]) -> Future:
        with self._lock:
            future = self._futures.get(key)
            if future is not None and not (future.done() and future.exception() is not None):
                self._futures.move_to_end(key)
                return future
            future = self._pool.submit(self._timed, key, fn)
            self._futures[key] = future
            self._order[key] = next(self._seq)
            while len(self._futures) > self._keep:
                oldest_key, oldest = next(iter(self._futures.items()))
                if not oldest.done():
                    break
                del self._futures[oldest_key]
                self._order.pop(oldest_key, None)
            return future

    def _timed(self, key: Any, fn: Callable[[], Any]) -> Any:
        start = time.monotonic()
        with self._lock:
            self._started[key] = start
        try:
            return fn()
        finally:
            took = time.monotonic() - start
            with self._lock:
                self._started.pop(key, None)
                self._mean_s = took if self._mean_s is None else 0.7 * self._mean_s + 0.3 * took

    def get(self, key: Any) -> Future | None:
        with self._lock:
            return self._futures.get(key)

    def status(self, key: Any) -> JobStatus | None:
        """The job's place in the queue, or None for an unknown key."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                return None
            if future.done():
                return JobStatus(True, False, 0, 0.0)
            mine = self._order.get(key, 0)
            ahead = [k for k, f in self._futures.items() if not f.done() and self._order.get(k, 0) < mine]
            running = key in self._started
            wait = None
            if self._mean_s is not None:
                # the jobs ahead and this one, spread over the workers, less what the running ones have done
                now = time.monotonic()
                done_part = sum(now - self._started[k] for k in ahead + [key] if k in self._started)
                wait = max(0.0, ((len(ahead) + 1) * self._mean_s - done_part) / self._workers)
            return JobStatus(False, running, len(ahead), wait)
