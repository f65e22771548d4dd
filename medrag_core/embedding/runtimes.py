"""Running the two towers outside torch: ONNX Runtime or OpenVINO, from an export cached on disk.

``MEDRAG_EMBED_RUNTIME=onnx|openvino`` makes ``MedSigLIPEmbedder`` export its vision and text towers
once (``torch.onnx.export``; OpenVINO converts that ONNX to its own IR) into
``settings.data_dir / "exported_models" / <slug>-<key>``, check them against torch, and load them
on every later start without reading the torch weights again. Preprocessing and tokenizing stay in
the embedder, so both runtimes see the very tensors torch would.

The key (``export_key``) is a hash of what makes the export what it is: the model directory's
config and weight files (name, size, modification time, and the blob a hub snapshot links to), the
model's config, the runtime, the versions of torch, transformers, onnx and the runtime, and this
module's ``EXPORT_FORMAT``. A change of any of them exports again under a new key.

Parity: an export is used only if, on a fixed probe (random pixels and token ids from a seeded
generator), both towers' outputs have cosine >= ``PARITY_MIN_COSINE`` (0.9999) with torch's in
float32. OpenVINO is pinned to float32 inference (its CPU plugin would pick bfloat16 on a CPU with
AVX512_BF16). That is why the runtime is not part of the recorded model identity: a float32 export
that passed the check computes the same vectors up to float rounding, so vectors from torch and from
an export may share an archive and the embedding cache. A lower-precision variant (int8, bfloat16)
would not, and is offered only in ``bench/embed.py``.

A damaged cache entry (a missing or unreadable file, a manifest with another key) is deleted and
exported again; an export that fails, or fails the parity check, is an ``EmbedderError`` with code
``export_failed``: there is no silent fall-back to torch (the user asked for this runtime).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medrag_core.errors import EmbedderError, MissingDependency

log = logging.getLogger(__name__)

RUNTIMES = ("torch", "onnx", "openvino")
EXPORTED_RUNTIMES = ("onnx", "openvino")
EXPORT_FORMAT = 1  # bump when the export's layout or wrappers change
PARITY_MIN_COSINE = 0.9999
MANIFEST = "manifest.json"
_RUNTIME_PACKAGE = {"onnx": "onnxruntime", "openvino": "openvino"}
_FILES = {"onnx": ("vision.onnx", "text.onnx"), "openvino": ("vision.xml", "text.xml")}


def check_runtime(runtime: str) -> None:
    """``EmbedderError`` (code ``unknown_runtime``) unless ``runtime`` is one of ``RUNTIMES``."""
    if runtime not in RUNTIMES:
        raise EmbedderError(
            f"Unknown embedding runtime '{runtime}'. Valid: {', '.join(RUNTIMES)} (MEDRAG_EMBED_RUNTIME).",
            code="unknown_runtime",
        )


def _import_runtime(runtime: str) -> Any:
    package = _RUNTIME_PACKAGE[runtime]
    try:
        if runtime == "onnx":
            import onnxruntime

            return onnxruntime
        import openvino

        return openvino
    except ImportError:
        raise MissingDependency(package, f"MEDRAG_EMBED_RUNTIME={runtime}") from None


def runtime_versions(runtime: str) -> dict[str, str]:
    """The versions an export depends on: torch, transformers, the exporter's onnx and the runtime."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("torch", "transformers", "onnx", "onnxscript", _RUNTIME_PACKAGE[runtime]):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "absent"
    return versions


def model_fingerprint(model_dir: Path) -> list[list[Any]]:
    """Name, size, modification time and link target of the directory's config and weight files.

    A hub snapshot links each file to a blob named by its content hash, so the target names the
    weights; a local directory's weights are named by size and modification time."""
    rows: list[list[Any]] = []
    for path in sorted(model_dir.iterdir()):
        if path.suffix not in (".json", ".safetensors", ".bin", ".model") or not path.is_file():
            continue
        stat = path.stat()
        target = path.resolve().name if path.is_symlink() else ""
        rows.append([path.name, stat.st_size, stat.st_mtime_ns, target])
    return rows


def export_key(runtime: str, model_dir: Path, config_json: str) -> str:
    """The cache key of an export: 20 hex digits of a hash over everything the export depends on."""
    payload = {
        "format": EXPORT_FORMAT,
        "runtime": runtime,
        "model_dir": str(model_dir.resolve()),
        "files": model_fingerprint(model_dir),
        "config": config_json,
        "versions": runtime_versions(runtime),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:20]


def _slug(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.strip("/").split("/")[-1])
    return cleaned[:40] or "model"


# --------------------------------------------------------------------------- the towers as modules


def _features(output: Any) -> Any:
    pooled = getattr(output, "pooler_output", None)
    return output if pooled is None else pooled


def _tower_modules(model: Any) -> tuple[Any, Any]:
    """torch modules mapping pixel values, resp. token ids, to the unnormalised features."""
    import torch

    class VisionTower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
            return _features(self.model.get_image_features(pixel_values=pixel_values))

    class TextTower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            return _features(self.model.get_text_features(input_ids=input_ids))

    return VisionTower().eval(), TextTower().eval()


def _probe(image_size: int, text_tokens: int, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed parity probe: one image of normalised pixels in [-1, 1] and two rows of token ids."""
    rng = np.random.default_rng(20)
    pixels = rng.uniform(-1.0, 1.0, (1, 3, image_size, image_size)).astype(np.float32)
    ids = rng.integers(0, vocab_size, (2, text_tokens), dtype=np.int64)
    return pixels, ids


def _export_onnx(model: Any, out: Path, image_size: int, text_tokens: int) -> None:
    """``vision.onnx`` and ``text.onnx`` (weights in ``*.onnx.data`` beside them), batch size dynamic."""
    import torch

    vision, text = _tower_modules(model)
    batch = torch.export.Dim("batch")
    examples = {  # batch 2, so the exporter does not specialise the batch dimension to 1
        "vision": (vision, "pixel_values", torch.zeros(2, 3, image_size, image_size)),
        "text": (text, "input_ids", torch.zeros(2, text_tokens, dtype=torch.long)),
    }
    chatty = logging.getLogger("onnx_ir")  # logs every deduplicated initializer at INFO
    level = chatty.level
    chatty.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")  # the exporter's tracer chatter, not ours to fix
            for name, (module, input_name, example) in examples.items():
                torch.onnx.export(
                    module, (example,), str(out / f"{name}.onnx"), input_names=[input_name],
                    output_names=["features"], dynamic_shapes=({0: batch},), dynamo=True, external_data=True,
                    verbose=False,
                )  # fmt: skip
    finally:
        chatty.setLevel(level)


def _convert_openvino(onnx_dir: Path, out: Path) -> None:
    import openvino as ov

    for name in ("vision", "text"):
        ov_model = ov.convert_model(str(onnx_dir / f"{name}.onnx"))
        ov.save_model(ov_model, str(out / f"{name}.xml"), compress_to_fp16=False)  # float32 weights, as exported


# --------------------------------------------------------------------------- loaded towers


@dataclass
class ExportedTowers:
    """Both towers loaded in ``runtime`` from ``directory``. ``exported``: this load ran the export."""

    runtime: str
    directory: Path
    manifest: dict[str, Any]
    exported: bool
    _image: Callable[[np.ndarray], np.ndarray]
    _text: Callable[[np.ndarray], np.ndarray]

    def image_features(self, pixel_values: np.ndarray) -> np.ndarray:
        """(n, dim) float32 unnormalised image features for (n, 3, S, S) float32 pixel values."""
        return np.asarray(self._image(np.ascontiguousarray(pixel_values, dtype=np.float32)), dtype=np.float32)

    def text_features(self, input_ids: np.ndarray) -> np.ndarray:
        """(n, dim) float32 unnormalised text features for (n, tokens) int64 token ids."""
        return np.asarray(self._text(np.ascontiguousarray(input_ids, dtype=np.int64)), dtype=np.float32)


def _threads() -> int:
    import torch

    return max(1, torch.get_num_threads())  # the same thread count torch would use here


def _load_runner(runtime: str, path: Path) -> Callable[[np.ndarray], np.ndarray]:
    """A function running the model file at ``path``; raises the runtime's own error on a bad file."""
    if runtime == "onnx":
        ort = _import_runtime("onnx")
        options = ort.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.log_severity_level = 3  # errors only
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        input_name = session.get_inputs()[0].name
        return lambda x: session.run(None, {input_name: x})[0]
    ov = _import_runtime("openvino")
    core = ov.Core()
    # float32, not the bfloat16 the CPU plugin picks on AVX512_BF16 CPUs: same vectors as torch.
    compiled = core.compile_model(
        core.read_model(str(path)), "CPU",
        {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": _threads()},
    )  # fmt: skip
    request = compiled.create_infer_request()
    return lambda x: np.array(request.infer([x])[0], copy=True)


def _load_dir(runtime: str, directory: Path, key: str, exported: bool) -> ExportedTowers:
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("key") != key or manifest.get("runtime") != runtime:
        raise ValueError("the manifest belongs to another export")
    vision_file, text_file = _FILES[runtime]
    image = _load_runner(runtime, directory / vision_file)
    text = _load_runner(runtime, directory / text_file)
    return ExportedTowers(runtime, directory, manifest, exported, image, text)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return (a64 * b64).sum(1) / np.maximum(np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1), 1e-30)


def _export(
    runtime: str, model: Any, tmp: Path, *, key: str, name: str, image_size: int, text_tokens: int,
    vocab_size: int,
) -> dict[str, Any]:  # fmt: skip
    """Export into ``tmp``, check parity against torch, write the manifest; returns the manifest."""
    import torch

    started = time.perf_counter()
    if runtime == "onnx":
        _export_onnx(model, tmp, image_size, text_tokens)
    else:
        with tempfile.TemporaryDirectory(prefix="onnx-", dir=tmp.parent) as onnx_dir:
            _export_onnx(model, Path(onnx_dir), image_size, text_tokens)
            _convert_openvino(Path(onnx_dir), tmp)
    pixels, ids = _probe(image_size, text_tokens, vocab_size)
    vision, text = _tower_modules(model)
    with torch.inference_mode():
        want_image = vision(torch.from_numpy(pixels)).float().numpy()
        want_text = text(torch.from_numpy(ids)).float().numpy()
    vision_file, text_file = _FILES[runtime]
    got_image = _load_runner(runtime, tmp / vision_file)(pixels)
    got_text = _load_runner(runtime, tmp / text_file)(ids)
    parity = {"image_cosine": float(_cosines(got_image, want_image).min()),
              "text_cosine": float(_cosines(got_text, want_text).min())}  # fmt: skip
    if min(parity.values()) < PARITY_MIN_COSINE:
        raise _ParityError(parity)
    manifest = {
        "format": EXPORT_FORMAT, "key": key, "runtime": runtime, "model": name, "image_size": image_size,
        "text_tokens": text_tokens, "versions": runtime_versions(runtime), "parity": parity,
        "parity_min_cosine": PARITY_MIN_COSINE, "export_seconds": round(time.perf_counter() - started, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }  # fmt: skip
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


class _ParityError(Exception):
    def __init__(self, parity: dict[str, float]) -> None:
        super().__init__(f"cosine with torch {parity}")
        self.parity = parity


def open_exported(
    runtime: str,
    *,
    model_dir: Path,
    config_json: str,
    cache_root: Path,
    name: str,
    load_model: Callable[[], Any],
    image_size: int,
    text_tokens: int,
    vocab_size: int,
) -> ExportedTowers:
    """Both towers in ``runtime``: loaded from ``cache_root`` when a good export is there, else exported
    from ``load_model()`` (the float32 torch model, loaded only then), checked and saved first.

    Raises ``EmbedderError`` (``export_failed``) when the export fails or misses parity, and
    ``MissingDependency`` when the runtime's package is not installed."""
    check_runtime(runtime)
    if runtime not in EXPORTED_RUNTIMES:
        raise EmbedderError(f"The runtime '{runtime}' needs no export.", code="unknown_runtime")
    _import_runtime(runtime)
    key = export_key(runtime, model_dir, config_json)
    directory = cache_root / f"{_slug(name)}-{runtime}-{key}"
    if directory.is_dir():
        try:
            towers = _load_dir(runtime, directory, key, exported=False)
            log.info("loaded the %s export of %s from %s", runtime, name, directory)
            return towers
        except Exception as exc:  # any unreadable file: export again rather than run a damaged model
            log.warning("the %s export in %s is damaged (%s): exporting again", runtime, directory, type(exc).__name__)
            _remove(directory)
    return _export_and_load(runtime, model_dir, config_json, cache_root, name, load_model, image_size, text_tokens,
                            vocab_size)  # fmt: skip


def _remove(directory: Path) -> None:
    try:
        shutil.rmtree(directory)
    except OSError as exc:
        raise EmbedderError(
            f"The exported model in {directory} is damaged and could not be removed ({type(exc).__name__}). "
            "Delete that folder, or set MEDRAG_EMBED_RUNTIME=torch.",
            code="export_failed",
        ) from None


def _export_and_load(
    runtime: str, model_dir: Path, config_json: str, cache_root: Path, name: str, load_model: Callable[[], Any],
    image_size: int, text_tokens: int, vocab_size: int,
) -> ExportedTowers:  # fmt: skip
    what = f"Exporting '{name}' for MEDRAG_EMBED_RUNTIME={runtime}"
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{_slug(name)}-{runtime}-", dir=cache_root))
    except OSError as exc:
        raise EmbedderError(
            f"{what} failed: cannot write to {cache_root} ({type(exc).__name__}). Check MEDRAG_DATA_DIR.",
            code="export_failed",
        ) from None
    try:
        model = load_model()
        # Again after loading: a first load from the hub may have downloaded weight files the first key did not see.
        key = export_key(runtime, model_dir, config_json)
        directory = cache_root / f"{_slug(name)}-{runtime}-{key}"
        log.info("%s into %s (once; it takes minutes for a large model)", what, directory)
        _export(runtime, model, tmp, key=key, name=name, image_size=image_size, text_tokens=text_tokens,
                vocab_size=vocab_size)  # fmt: skip
        del model
        try:
            os.rename(tmp, directory)
        except OSError:  # another process finished the same export first: use its copy
            if not directory.is_dir():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
        return _load_dir(runtime, directory, key, exported=True)
    except _ParityError as exc:
        raise EmbedderError(
            f"{what} gave vectors that differ from torch's (image cosine {exc.parity['image_cosine']:.6f}, text "
            f"{exc.parity['text_cosine']:.6f}; at least {PARITY_MIN_COSINE} is required). The export is not used: "
            "set MEDRAG_EMBED_RUNTIME=torch.",
            code="export_failed",
        ) from None
    except MissingDependency:
        raise
    except EmbedderError:
        raise
    except Exception as exc:
        log.warning("%s failed: %s: %s", what, type(exc).__name__, str(exc)[:300])
        raise EmbedderError(
            f"{what} failed ({type(exc).__name__}). Set MEDRAG_EMBED_RUNTIME=torch, or check that onnx, "
            "onnxscript and the runtime are installed as pinned in requirements.txt.",
            code="export_failed",
        ) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
