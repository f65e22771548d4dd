"""Embedders (the protocol and MedSigLIP), model loading, text chunks and the content-hash cache."""

from medrag_core.embedding.cache import EmbeddingCache, model_key
from medrag_core.embedding.chunking import pack_chunks
from medrag_core.embedding.loading import in_hub_cache, resolve_device, resolve_dtype
from medrag_core.embedding.medsiglip import (
    EMBEDDER_SPECS,
    Embedder,
    MedSigLIPEmbedder,
    embedder_name,
    exported_models_dir,
    get_spec,
    load_embedder,
    model_image_size,
)
from medrag_core.embedding.runtimes import PARITY_MIN_COSINE, RUNTIMES, ExportedTowers, open_exported

__all__ = [
    "EMBEDDER_SPECS",
    "Embedder",
    "EmbeddingCache",
    "MedSigLIPEmbedder",
    "ExportedTowers",
    "PARITY_MIN_COSINE",
    "RUNTIMES",
    "embedder_name",
    "exported_models_dir",
    "get_spec",
    "in_hub_cache",
    "load_embedder",
    "model_image_size",
    "model_key",
    "open_exported",
    "pack_chunks",
    "resolve_device",
    "resolve_dtype",
]
