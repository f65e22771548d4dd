"""Case stores: the protocol and a factory; backends are imported lazily by ``open_store``."""

from medrag_core.store.base import CaseFilter, CaseRecord, CaseStore, ScoredCase, StoreStats, open_store

__all__ = ["CaseFilter", "CaseRecord", "CaseStore", "ScoredCase", "StoreStats", "open_store"]
