"""Loading a model with torch and transformers: the lazy imports, the device and dtype choice, and
whether the Hugging Face hub or its local cache can serve a model id.

``_load_error`` turns a ``from_pretrained`` failure into an ``EmbedderError`` whose message says how
to get the weights. torch, transformers and huggingface_hub are imported inside the functions, so
importing this module stays cheap.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

from medrag_core.errors import EmbedderError, MissingDependency


def _import_torch_transformers() -> tuple[Any, Any]:
    try:
        import torch
    except ImportError:
        raise MissingDependency("torch", "The MedSigLIP embedder") from None
    try:
        import transformers
    except ImportError:
        raise MissingDependency("transformers", "The MedSigLIP embedder") from None
    try:
        import sentencepiece  # noqa: F401  (SiglipTokenizer needs it)
    except ImportError:
        raise MissingDependency("sentencepiece", "The MedSigLIP tokenizer") from None
    return torch, transformers


def resolve_device(torch: Any, device: str) -> str:
    """``auto`` -> cuda, then mps, then cpu. An explicit device that is absent is an ``EmbedderError``."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (device == "cuda" and not cuda) or (device == "mps" and not mps):
        raise EmbedderError(
            f"MEDRAG_DEVICE is '{device}' but no {device} device is available here. Use 'auto' or 'cpu'.",
            code="device",
        )
    if device not in ("cpu", "cuda", "mps"):
        raise EmbedderError(f"Unknown device '{device}'. Valid: auto, cpu, cuda, mps.", code="device")
    return device


def resolve_dtype(torch: Any, dtype: str, device: str) -> Any:
    """``auto``: float32 on CPU; bfloat16 on a GPU that supports it, else float16."""
    named = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if dtype != "auto":
        if dtype not in named:
            raise EmbedderError(f"Unknown dtype '{dtype}'. Valid: auto, {', '.join(named)}.", code="dtype")
        return named[dtype]
    if device == "cpu":
        return torch.float32
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    try:  # mps: bfloat16 needs a recent macOS
        torch.zeros(1, dtype=torch.bfloat16, device=device)
        return torch.bfloat16
    except (RuntimeError, TypeError):
        return torch.float16


def _looks_like_path(source: str) -> bool:
    return source.startswith(("/", "./", "../", "~", "\\")) or source.count("/") > 1 or Path(source).exists()


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether the Hugging Face endpoint answers a TCP connection within ``timeout_s`` (False when
    ``HF_HUB_OFFLINE`` is set)."""
    from urllib.parse import urlsplit

    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    url = urlsplit(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout_s).close()
    except OSError:
        return False
    return True


def in_hub_cache(model_id: str) -> bool:
    """Whether the model's config.json is in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except ValueError:  # not a valid repo id
        return False


def _load_error(source: str, exc: BaseException) -> EmbedderError:
    """Turn a from_pretrained failure into a message that says how to get the weights."""
    how = (
        "To get MedSigLIP weights: accept the licence at https://huggingface.co/google/medsiglip-448 "
        "(logged in), then set HF_TOKEN to a token of that account; or download the model where "
        "there is internet access (hf download google/medsiglip-448 --local-dir DIR), copy DIR here "
        "and set MEDRAG_EMBED_MODEL=DIR."
    )
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__
    names = {type(x).__name__ for x in chain}
    text = " ".join(str(x) for x in chain).lower().replace(source.lower(), "")  # the id could hold "401"
    path = Path(source).expanduser()
    if path.is_dir():
        return EmbedderError(
            f"The directory {path} does not hold a loadable model and tokenizer "
            f"({type(exc).__name__}: expected config.json, model weights and tokenizer files). {how}",
            code="model_invalid",
        )
    if _looks_like_path(source):
        return EmbedderError(f"The model directory {path} does not exist. {how}", code="model_not_found")
    if "GatedRepoError" in names or "gated" in text or re.search(r"\b40[13]\b", text):
        return EmbedderError(
            f"The model '{source}' is gated on Hugging Face and this token cannot read it (or no HF_TOKEN "
            f"is set). {how}",
            code="model_gated",
        )
    if "RepositoryNotFoundError" in names or "is not a valid model identifier" in text:
        return EmbedderError(f"No model '{source}' on Hugging Face (or it is private). {how}", code="model_not_found")
    return EmbedderError(
        f"The model '{source}' could not be downloaded (offline, HF_HUB_OFFLINE set, or the hub is "
        f"unreachable) and is not in the local cache. {how}",
        code="model_offline",
    )
