"""Background work that outlives a Streamlit rerun: image embeddings started on upload.

Held in ``st.cache_resource`` (see ``resources.py``), so one pool serves every session of the
process and a job survives the page being left. Nothing here imports Streamlit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class BackgroundJobs:
    """Runs at most ``workers`` jobs at once; one future per key, so a key is never computed twice.

    ``submit(key, fn)`` returns the existing future for ``key`` when there is one (running or done,
    and not failed); finished futures are kept for the last ``keep`` keys.
    """

    def __init__(self, workers: int = 1, keep: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="medrag-bg")
        self._futures: OrderedDict[Any, Future] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, key: Any, fn: Callable[[], Any]) -> Future:
        with self._lock:
            future = self._futures.get(key)
            if future is not None and not (future.done() and future.exception() is not None):
                self._futures.move_to_end(key)
                return future
            future = self._pool.submit(fn)
            self._futures[key] = future
            while len(self._futures) > self._keep:
                oldest_key, oldest = next(iter(self._futures.items()))
                if not oldest.done():
                    break
                del self._futures[oldest_key]
            return future

    def get(self, key: Any) -> Future | None:
        with self._lock:
            return self._futures.get(key)
