"""Embeddings cached by content hash, so an image is never embedded twice.

One MedSigLIP image embedding costs about 10 s on a 2-core CPU. The Verify page starts it as soon as the
image is uploaded (``workflow.precompute_image_embedding``); pressing Verify then finds it here.

Keys: (sha256 of the uploaded bytes, model key, kind). The model key is the embedder's name plus
anything else that changes the vector (``model_key`` adds the resize mode), so a vector is never
reused across models or preprocessing. Two levels:

- an in-memory LRU of ``max_items`` vectors (thread-safe: Streamlit runs sessions in threads);
- optionally a folder of ``.npy`` files (``settings.data_dir / "cache"``), named only by hashes, so
  nothing in a file name or content identifies a patient. Writes are atomic (temp file + rename);
  an unreadable or wrong-shaped file is ignored and overwritten. The folder is capped at
  ``max_files`` files (about 4.7 KB each for 1152-d vectors): every ``PRUNE_EVERY`` writes, the least
  recently used files (by modification time, refreshed on a hit) are deleted down to 90 % of the cap.

Vectors are returned as read-only float32 arrays (callers must not mutate a shared cached vector).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from medrag_core.settings import Settings

log = logging.getLogger(__name__)

EmbeddingKind = Literal["image", "text"]
DEFAULT_MAX_FILES = 20_000  # about 94 MB of 1152-d vectors
PRUNE_EVERY = 100  # writes between two looks at the folder's size


def model_key(embed_model: str, resize_mode: str | None = None) -> str:
    """The part of the key that names how a vector was made: the model, and for images the resize mode."""
    return embed_model if resize_mode is None else f"{embed_model}|{resize_mode}"


class EmbeddingCache:
    """In-memory LRU of embeddings with an optional on-disk ``.npy`` layer.

    ``directory=None`` keeps everything in memory. ``max_items`` bounds the memory layer only.
    """

    def __init__(
        self, directory: Path | str | None = None, *, max_items: int = 128, max_files: int = DEFAULT_MAX_FILES
    ) -> None:
        if max_items < 1 or max_files < 1:
            raise ValueError("max_items and max_files must be at least 1")
        self.max_files = max_files
        self._writes = 0
        self.directory = Path(directory) if directory is not None else None
        self.max_items = max_items
        self._items: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_settings(cls, settings: Settings, *, max_items: int = 128) -> EmbeddingCache:
        """A cache whose disk layer lives in ``settings.data_dir / "cache"`` (created on first write)."""
        return cls(Path(settings.data_dir) / "cache", max_items=max_items)

    def path_for(self, sha256: str, model: str, kind: EmbeddingKind = "image") -> Path | None:
        """The ``.npy`` file for a key, or None without a disk layer. Names hold hashes only."""
        if self.directory is None:
            return None
        model_hash = hashlib.sha256(model.encode("utf-8")).hexdigest()[:16]
        return self.directory / f"{kind}-{sha256}-{model_hash}.npy"

    def get(self, sha256: str, model: str, kind: EmbeddingKind = "image") -> np.ndarray | None:
        """The cached vector (read-only float32), or None."""
        key = (sha256, model, kind)
        with self._lock:
            vec = self._items.get(key)
            if vec is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return vec
        path = self.path_for(sha256, model, kind)
        if path is not None and path.is_file():
            try:
                loaded = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as exc:
                log.warning("ignoring unreadable embedding cache file %s (%s)", path.name, type(exc).__name__)
                loaded = None
            if loaded is not None and loaded.ndim == 1 and loaded.size > 0:
                try:
                    os.utime(path)  # recently used: pruned last
                except OSError:
                    pass
                vec = self._remember(key, loaded)
                with self._lock:
                    self.hits += 1
                return vec
        with self._lock:
            self.misses += 1
        return None

    def put(self, sha256: str, model: str, embedding: np.ndarray, kind: EmbeddingKind = "image") -> np.ndarray:
        """Store a 1-D vector; returns the cached read-only float32 copy."""
        arr = np.asarray(embedding, dtype=np.float32).reshape(-1)
        if arr.size == 0:
            raise ValueError("cannot cache an empty embedding")
        vec = self._remember((sha256, model, kind), arr)
        path = self.path_for(sha256, model, kind)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                with open(tmp, "wb") as fh:
                    np.save(fh, vec, allow_pickle=False)
                os.replace(tmp, path)
            except OSError as exc:  # a read-only or full disk must not fail a verification
                log.warning("could not write embedding cache file %s (%s)", path.name, type(exc).__name__)
            with self._lock:
                self._writes += 1
                due = self._writes % PRUNE_EVERY == 1 or PRUNE_EVERY == 1
            if due:
                self.prune()
        return vec

    def prune(self, max_files: int | None = None) -> int:
        """Delete the least recently used ``.npy`` files beyond ``max_files`` (default ``self.max_files``)
        down to 90 % of it; returns how many were deleted (0 without a disk layer)."""
        cap = self.max_files if max_files is None else max_files
        if self.directory is None or not self.directory.is_dir():
            return 0
        files = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if entry.name.endswith(".npy") and entry.is_file():
                    try:
                        files.append((entry.stat().st_mtime, entry.path))
                    except OSError:
                        continue
        if len(files) <= cap:
            return 0
        files.sort()
        removed = 0
        for _mtime, path in files[: len(files) - int(cap * 0.9)]:
            try:
                os.remove(path)
                removed += 1
            except OSError:
                continue
        log.info("embedding cache pruned: %d files removed, %d kept", removed, len(files) - removed)
        return removed

    def __contains__(self, key: tuple[str, str]) -> bool:
        sha256, model = key
        with self._lock:
            if (sha256, model, "image") in self._items:
                return True
        path = self.path_for(sha256, model, "image")
        return path is not None and path.is_file()

    def clear_memory(self) -> None:
        with self._lock:
            self._items.clear()

    def _remember(self, key: tuple[str, str, str], arr: np.ndarray) -> np.ndarray:
        vec = np.array(arr, dtype=np.float32, copy=True)
        vec.setflags(write=False)
        with self._lock:
            self._items[key] = vec
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return vec
