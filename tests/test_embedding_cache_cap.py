"""The embedding cache folder has a size cap: least recently used files go first (issue 15)."""

from __future__ import annotations

import os

import numpy as np

from medrag_core.embedding import EmbeddingCache


def test_disk_layer_is_pruned_to_its_cap_keeping_the_recently_used(tmp_path, monkeypatch) -> None:
    import medrag_core.embedding.cache as cache_module

    cache = EmbeddingCache(tmp_path / "cache", max_items=2, max_files=10)
    for n in range(10):
        cache.put(f"{n:064x}", "m", np.full(4, n + 1, dtype=np.float32))
    files = sorted((tmp_path / "cache").glob("*.npy"))
    assert len(files) == 10
    for age, path in enumerate(sorted(files, key=lambda p: p.name)):  # oldest first: sha 0, 1, 2, ...
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    cache.clear_memory()
    assert cache.get(f"{0:064x}", "m") is not None  # the oldest file, used again: now the newest
    monkeypatch.setattr(cache_module, "PRUNE_EVERY", 1)
    cache.put(f"{99:064x}", "m", np.ones(4, dtype=np.float32))  # 11 files > 10: prune down to 9
    left = {p.name.split("-")[1] for p in (tmp_path / "cache").glob("*.npy")}
    assert len(left) == 9
    assert f"{0:064x}" in left and f"{99:064x}" in left
    assert f"{1:064x}" not in left and f"{2:064x}" not in left  # the least recently used went
    cache.clear_memory()
    assert cache.get(f"{1:064x}", "m") is None and cache.get(f"{99:064x}", "m") is not None


def test_prune_without_a_disk_layer_is_a_no_op() -> None:
    assert EmbeddingCache(None).prune(0 + 1) == 0
