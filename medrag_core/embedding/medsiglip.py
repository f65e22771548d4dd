"""Embedders: the ``Embedder`` protocol and the MedSigLIP implementation (transformers).

``load_embedder(settings)`` builds a ``MedSigLIPEmbedder`` from ``Settings.embed_model`` (a spec
name from ``EMBEDDER_SPECS``, a Hugging Face hub id, or a local directory). torch and transformers
are imported only when a model is loaded, so importing this module stays cheap. Keep one instance
per process: loading MedSigLIP-448 reads 3.5 GB.

Device/dtype choice and hub checks live in ``embedding.loading``, sentence chunking in
``embedding.chunking``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from medrag_core.embedding.chunking import pack_chunks, split_sentences
from medrag_core.embedding.loading import (
    _hub_reachable,
    _import_torch_transformers,
    _load_error,
    _looks_like_path,
    in_hub_cache,
    resolve_device,
    resolve_dtype,
)
from medrag_core.embedding.runtimes import ExportedTowers, check_runtime, open_exported
from medrag_core.errors import EmbedderError
from medrag_core.imaging import RESIZE_MODES, ResizeMode, prepare_for_model

if TYPE_CHECKING:
    from pydantic import SecretStr

    from medrag_core.settings import Settings

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Maps gray images and texts into one space of ``dim``-d L2-normalised float32 vectors."""

    name: str  # the model id or directory, recorded beside every stored vector
    dim: int
    resize_mode: ResizeMode  # how images are brought to the model's size (part of the cache key)
    image_size: int  # the model's input side, pixels

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) float32 unit vectors for 2-D float32 gray images with values in [0, 1]."""
        ...

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors; long texts are chunked, never truncated away."""
        ...


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class EmbedderSpec:
    """A named embedding model and the facts the workbench relies on."""

    name: str
    model_id: str  # hub id (or directory) to load
    dim: int  # embedding size
    image_size: int  # model input side, pixels
    text_tokens: int  # text length the model was trained with (padded to exactly this)
    resize_mode: ResizeMode  # recommended preprocessing
    licence_url: str = ""


EMBEDDER_SPECS: dict[str, EmbedderSpec] = {
    spec.name: spec
    for spec in (
        EmbedderSpec(
            "medsiglip-448",
            "google/medsiglip-448",
            dim=1152,
            image_size=448,
            text_tokens=64,
            resize_mode="tf_bilinear",
            licence_url="https://huggingface.co/google/medsiglip-448",
        ),
    )
}


def get_spec(name: str) -> EmbedderSpec:
    """The spec called ``name`` (or whose ``model_id`` is ``name``); ``EmbedderError`` lists the valid names."""
    spec = find_spec(name)
    if spec is None:
        valid = ", ".join(sorted(EMBEDDER_SPECS))
        raise EmbedderError(f"Unknown embedding model spec '{name}'. Valid names: {valid}.", code="unknown_spec")
    return spec


def find_spec(name_or_id: str) -> EmbedderSpec | None:
    if name_or_id in EMBEDDER_SPECS:
        return EMBEDDER_SPECS[name_or_id]
    return next((s for s in EMBEDDER_SPECS.values() if s.model_id == name_or_id), None)


# --------------------------------------------------------------------------- MedSigLIP


def _features(output: Any) -> Any:
    """transformers 5 returns BaseModelOutputWithPooling (use .pooler_output); 4 returned the tensor."""
    pooled = getattr(output, "pooler_output", None)
    return output if pooled is None else pooled


class MedSigLIPEmbedder:
    """MedSigLIP (or any SigLIP-style dual encoder) through transformers, on cuda, mps or cpu.

    Images: each 2-D float image in [0, 1] is prepared by ``preprocess.prepare_for_model`` with
    ``resize_mode`` (``tf_bilinear``: the model card's TF resize to the model's image size, the
    processor then only rescales and normalises; ``pad_square``: padded to a square, the processor
    resizes), then embedded with ``get_image_features``.

    Texts: the tokenizer's ids plus EOS, padded to exactly ``text_tokens`` (64) with the pad id and
    no attention mask, as SigLIP was trained (its text pooling takes the last position). A text
    longer than 64 tokens is not truncated: it is split into sentences, the sentences are packed
    greedily into chunks of at most 63 tokens + EOS (a single over-long sentence is cut by tokens),
    every chunk is embedded, and the text's vector is the mean of its chunks' unit vectors,
    re-normalised to unit length.

    Outputs: (n, dim) float32, L2-normalised, computed in batches of ``batch_size`` under
    ``torch.inference_mode``. Raises ``EmbedderError`` when the weights cannot be loaded.

    ``runtime``: ``torch`` (default), or ``onnx`` / ``openvino``: both towers run in that runtime on
    the CPU in float32, from an export cached under ``export_dir`` (made on first use, checked against
    torch; ``embedding.runtimes``). Preprocessing and tokenizing are the same in every runtime, and
    so is ``name``: the vectors are the same up to float rounding.
    """

    def __init__(
        self,
        model_id_or_path: str | Path,
        *,
        device: str = "auto",
        dtype: str = "auto",
        resize_mode: ResizeMode = "tf_bilinear",
        batch_size: int = 8,
        hf_token: str | SecretStr | None = None,
        name: str | None = None,
        runtime: str = "torch",
        export_dir: Path | str = Path(".medrag") / "exported_models",
    ) -> None:
        if resize_mode not in RESIZE_MODES:
            raise EmbedderError(f"Unknown resize mode '{resize_mode}'. Valid: {', '.join(RESIZE_MODES)}.")
        if batch_size < 1:
            raise EmbedderError(f"batch_size must be at least 1, got {batch_size}.")
        check_runtime(runtime)
        torch, transformers = _import_torch_transformers()
        self._torch = torch
        self.runtime = runtime
        source = str(model_id_or_path)
        token = hf_token.get_secret_value() if hasattr(hf_token, "get_secret_value") else hf_token
        if runtime == "torch":
            self.device = resolve_device(torch, device)
            self.dtype = resolve_dtype(torch, dtype, self.device)
        else:
            _check_cpu_float32(runtime, device, dtype)
            self.device, self.dtype = "cpu", torch.float32
        self.resize_mode: ResizeMode = resize_mode
        self.batch_size = batch_size
        local_only = False
        if Path(source).expanduser().is_dir():
            source = str(Path(source).expanduser())
        elif not _looks_like_path(source) and not _hub_reachable():
            # huggingface_hub retries an unreachable hub with backoff for most of a minute: decide now.
            if not in_hub_cache(source):
                raise _load_error(source, OSError("the Hugging Face hub is unreachable"))
            local_only = True
        kwargs = {"token": token, "local_files_only": local_only}

        def load_model() -> Any:
            try:
                model = transformers.AutoModel.from_pretrained(source, dtype=self.dtype, **kwargs)
            except (OSError, ValueError) as exc:
                raise _load_error(str(model_id_or_path), exc) from exc
            if not (hasattr(model, "get_image_features") and hasattr(model, "get_text_features")):
                raise EmbedderError(
                    f"'{model_id_or_path}' is a {type(model).__name__}, not an image-text dual encoder "
                    "like SigLIP (no get_image_features/get_text_features).",
                    code="model_invalid",
                )
            return model.to(self.device).eval()

        self._model: Any = None
        self._towers: ExportedTowers | None = None
        if runtime == "torch":
            self._model = load_model()
        try:
            config = self._model.config if self._model is not None else transformers.AutoConfig.from_pretrained(
                source, **kwargs)  # fmt: skip
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
            self._image_processor = transformers.AutoImageProcessor.from_pretrained(source, **kwargs)
        except (OSError, ValueError) as exc:
            raise _load_error(str(model_id_or_path), exc) from exc
        if not (hasattr(config, "vision_config") and hasattr(config, "text_config")):
            raise EmbedderError(
                f"'{model_id_or_path}' is a {type(config).__name__}, not an image-text dual encoder like SigLIP "
                "(no vision_config/text_config).",
                code="model_invalid",
            )
        self.image_size = int(config.vision_config.image_size)
        # SigLIP pads every text to its full context (64 for MedSigLIP) and pools the last position.
        self.text_tokens = int(config.text_config.max_position_embeddings)
        self.dim = int(getattr(config.text_config, "projection_size", None) or config.text_config.hidden_size)
        self.name = name or str(model_id_or_path)
        self._n_special = len(self._tokenizer.build_inputs_with_special_tokens([]))
        if runtime != "torch":
            self._towers = open_exported(
                runtime,
                model_dir=_model_dir(source, kwargs),
                config_json=config.to_json_string(use_diff=False),
                cache_root=Path(export_dir),
                name=self.name,
                load_model=load_model,
                image_size=self.image_size,
                text_tokens=self.text_tokens,
                vocab_size=int(config.text_config.vocab_size),
            )
        log.info("loaded %s on %s (%s, %s), dim %d", self.name, self.device, self.dtype, runtime, self.dim)

    def __repr__(self) -> str:
        return (f"MedSigLIPEmbedder(name={self.name!r}, dim={self.dim}, device={self.device!r}, dtype={self.dtype},"
                f" runtime={self.runtime!r})")  # fmt: skip

    # ---- images

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) float32 unit vectors for 2-D float gray images with values in [0, 1]."""
        for i, img in enumerate(images):
            if np.ndim(img) != 2:
                raise ValueError(f"image {i}: expected a 2-D gray array, got shape {np.shape(img)}")
        try:
            return self._embed_images(images)
        except Exception as exc:
            raise _embedding_failed("images", exc) from None

    def _embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for start in range(0, len(images), self.batch_size):
            batch = images[start : start + self.batch_size]
            pixels = self.pixel_values(batch)
            if self._towers is not None:
                out[start : start + len(batch)] = _unit_rows(self._towers.image_features(pixels.numpy()))
                continue
            with self._torch.inference_mode():
                feats = self._model.get_image_features(pixel_values=pixels.to(self.device, self.dtype))
                out[start : start + len(batch)] = self._unit(_features(feats))
        return out

    def pixel_values(self, images: Sequence[np.ndarray]) -> Any:
        """The model's (n, 3, S, S) float32 input tensor (on CPU) for 2-D gray images in [0, 1]."""
        prepared = [prepare_for_model(np.asarray(img), self.resize_mode, self.image_size) for img in images]
        return self._image_processor(
            images=prepared,
            do_resize=self.resize_mode == "pad_square",
            input_data_format="channels_last",
            return_tensors="pt",
        )["pixel_values"]

    # ---- texts

    def text_chunks(self, text: str) -> list[list[int]]:
        """Token id chunks (without special tokens) that ``embed_texts`` embeds for ``text``."""
        budget = self.text_tokens - self._n_special
        ids = self._tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        if len(ids) <= budget:
            return [list(ids)]
        sentences = split_sentences(text)
        sentence_ids = self._tokenizer(sentences, add_special_tokens=False, verbose=False)["input_ids"]
        return pack_chunks(sentence_ids, budget)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors; long texts chunked by sentence and mean-pooled (see class doc)."""
        if isinstance(texts, str):
            raise TypeError("embed_texts takes a sequence of strings, not one string")
        try:
            return self._embed_texts(texts)
        except Exception as exc:
            raise _embedding_failed("texts", exc) from None

    def _embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        chunks: list[list[int]] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            for chunk in self.text_chunks(text):
                chunks.append(chunk)
                owner.append(i)
        chunk_vecs = np.empty((len(chunks), self.dim), dtype=np.float32)
        text_batch = max(self.batch_size, 32)  # text is cheap next to images
        pad = self._tokenizer.pad_token_id
        for start in range(0, len(chunks), text_batch):
            rows = []
            for chunk in chunks[start : start + text_batch]:
                row = self._tokenizer.build_inputs_with_special_tokens(chunk)
                rows.append(row + [pad] * (self.text_tokens - len(row)))
            if self._towers is not None:
                ids = np.asarray(rows, dtype=np.int64)
                chunk_vecs[start : start + len(rows)] = _unit_rows(self._towers.text_features(ids))
                continue
            input_ids = self._torch.tensor(rows, dtype=self._torch.long, device=self.device)
            with self._torch.inference_mode():
                feats = self._model.get_text_features(input_ids=input_ids)
                chunk_vecs[start : start + len(rows)] = self._unit(_features(feats))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        np.add.at(out, np.asarray(owner, dtype=np.int64), chunk_vecs)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, np.float32(1e-12))).astype(np.float32)

    def _unit(self, feats: Any) -> np.ndarray:
        feats = feats.float()
        return self._torch.nn.functional.normalize(feats, dim=-1).cpu().numpy().astype(np.float32)


def _unit_rows(feats: np.ndarray) -> np.ndarray:
    """Rows divided by their L2 norm (at least 1e-12), as ``torch.nn.functional.normalize`` does."""
    norms = np.linalg.norm(feats, axis=1, keepdims=True)
    return (feats / np.maximum(norms, np.float32(1e-12))).astype(np.float32)


def _check_cpu_float32(runtime: str, device: str, dtype: str) -> None:
    """The exported runtimes run on the CPU in float32: refuse a setting asking for anything else."""
    if device not in ("auto", "cpu"):
        raise EmbedderError(
            f"MEDRAG_EMBED_RUNTIME={runtime} runs on the CPU, but MEDRAG_DEVICE is '{device}'. "
            "Set MEDRAG_DEVICE=cpu (or auto), or MEDRAG_EMBED_RUNTIME=torch for a GPU.",
            code="device",
        )
    if dtype not in ("auto", "float32"):
        raise EmbedderError(
            f"MEDRAG_EMBED_RUNTIME={runtime} runs in float32 (the same vectors as torch), but MEDRAG_DTYPE is "
            f"'{dtype}'. Set MEDRAG_DTYPE=auto or float32, or MEDRAG_EMBED_RUNTIME=torch.",
            code="dtype",
        )


def _model_dir(source: str, kwargs: dict[str, Any]) -> Path:
    """The directory holding the model's files: ``source`` itself, or its snapshot in the hub cache."""
    if Path(source).is_dir():
        return Path(source)
    from transformers.utils import cached_file

    try:
        config_path = cached_file(source, "config.json", **kwargs)
    except (OSError, ValueError) as exc:
        raise _load_error(source, exc) from exc
    if config_path is None:
        raise _load_error(source, OSError("config.json not found"))
    return Path(config_path).parent


def _embedding_failed(what: str, exc: Exception) -> EmbedderError:
    """An ``EmbedderError`` for a failed forward pass, naming only the exception's type (its text can
    be long, or quote inputs); the type goes to the log too."""
    kind = type(exc).__name__
    log.warning("embedding %s failed: %s", what, kind)
    hint = " The device ran out of memory: lower MEDRAG_EMBED_BATCH_SIZE or use the CPU." if (
        "OutOfMemory" in kind or "out of memory" in str(exc).lower()
    ) else ""
    return EmbedderError(f"Embedding the {what} failed ({kind}).{hint}", code="embedding_failed")


def embedder_name(settings: Settings) -> str:
    """The name ``load_embedder(settings)`` records beside its vectors, known without loading the model."""
    spec = find_spec(settings.embed_model)
    return settings.embed_model_name or (spec.model_id if spec else settings.embed_model)


def model_image_size(settings: Settings) -> int:
    """The model's input side in pixels, from its spec or its config alone (the weights are not loaded):
    what a pipeline that decodes and resizes apart from the model (``etl``'s Ray engine) resizes to."""
    spec = find_spec(settings.embed_model)
    if spec is not None:
        return spec.image_size
    _, transformers = _import_torch_transformers()
    source = settings.embed_model
    token = settings.hf_token.get_secret_value() if settings.hf_token is not None else None
    try:
        config = transformers.AutoConfig.from_pretrained(str(Path(source).expanduser()) if _looks_like_path(source)
                                                         else source, token=token)
    except (OSError, ValueError) as exc:
        raise _load_error(source, exc) from exc
    return int(getattr(config, "vision_config", config).image_size)


def exported_models_dir(settings: Settings) -> Path:
    """Where ``MEDRAG_EMBED_RUNTIME=onnx|openvino`` keeps its exports: ``data_dir / "exported_models"``."""
    return Path(settings.data_dir) / "exported_models"


def load_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings`` ask for. ``embed_model``: a spec name, a hub id or a local directory.

    A spec name loads the spec's ``model_id`` and is recorded under that id, so vectors made from
    ``medsiglip-448`` and ``google/medsiglip-448`` are the same model to the store.
    """
    spec = find_spec(settings.embed_model)
    source = spec.model_id if spec else settings.embed_model
    embedder = MedSigLIPEmbedder(
        source,
        device=settings.device,
        dtype=settings.dtype,
        resize_mode=settings.resize_mode,
        batch_size=settings.embed_batch_size,
        hf_token=settings.hf_token,
        name=settings.embed_model_name,
        runtime=settings.embed_runtime,
        export_dir=exported_models_dir(settings),
    )
    if spec is not None and embedder.dim != spec.dim:
        raise EmbedderError(
            f"'{source}' produces {embedder.dim}-d vectors; the spec '{spec.name}' expects {spec.dim}.",
            code="model_invalid",
        )
    return embedder
