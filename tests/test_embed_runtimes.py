"""MEDRAG_EMBED_RUNTIME=onnx|openvino (medrag_core.embedding.runtimes) on the tiny SigLIP checkpoint, offline:
export once, parity with torch, cache reuse without reading the torch weights, damaged caches, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import transformers

from medrag_core.embedding import MedSigLIPEmbedder, load_embedder
from medrag_core.embedding import runtimes as runtimes_module
from medrag_core.embedding.runtimes import export_key
from medrag_core.errors import ConfigError, EmbedderError
from medrag_core.settings import Settings

pytest.importorskip("onnxruntime")
pytest.importorskip("openvino")
pytest.importorskip("onnxscript")

RUNTIMES = ("onnx", "openvino")
TEXTS = [
    "The lungs are clear.",
    "Small left pleural effusion with adjacent atelectasis. Heart size is normal.",
    # longer than 64 tokens: chunked by sentence and mean-pooled, in both runtimes alike
    "FINDINGS: " + " ".join(f"There is a {k} cm nodule in the left upper lobe." for k in range(1, 12)),
]


def _images(n: int, seed: int = 7) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.random((180 + 31 * i, 150 + 23 * i), dtype=np.float32) for i in range(n)]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.astype(np.float64), b.astype(np.float64)
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _export_dir(embedder: MedSigLIPEmbedder) -> Path:
    return embedder._towers.directory


@pytest.fixture(scope="module")
def exports(tmp_path_factory, tiny_siglip_dir):
    """One export per runtime into a module-wide cache root (the export is the slow part)."""
    root = tmp_path_factory.mktemp("exported_models")
    built = {rt: MedSigLIPEmbedder(tiny_siglip_dir, runtime=rt, export_dir=root, batch_size=3) for rt in RUNTIMES}
    return root, built


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_export_matches_torch_on_images_and_texts(exports, tiny_embedder, runtime):
    _, built = exports
    embedder = built[runtime]
    assert embedder._towers is not None and embedder._towers.exported and embedder._model is None
    images = _images(6)
    got, want = embedder.embed_images(images), tiny_embedder.embed_images(images)
    assert got.shape == want.shape == (6, tiny_embedder.dim) and got.dtype == np.float32
    assert _cosines(got, want).min() >= 0.9999
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    got_t, want_t = embedder.embed_texts(TEXTS), tiny_embedder.embed_texts(TEXTS)
    assert _cosines(got_t, want_t).min() >= 0.9999


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_runtime_keeps_the_recorded_model_identity(exports, tiny_embedder, runtime):
    _, built = exports
    embedder = built[runtime]
    assert embedder.name == tiny_embedder.name
    assert (embedder.dim, embedder.image_size, embedder.resize_mode) == (
        tiny_embedder.dim, tiny_embedder.image_size, tiny_embedder.resize_mode)  # fmt: skip
    manifest = json.loads((_export_dir(embedder) / "manifest.json").read_text())
    assert manifest["runtime"] == runtime and manifest["parity"]["image_cosine"] >= 0.9999
    assert manifest["parity"]["text_cosine"] >= 0.9999


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_second_load_reuses_the_export_without_torch_weights(exports, tiny_siglip_dir, tiny_embedder, runtime,
                                                             monkeypatch):  # fmt: skip
    root, built = exports
    directory = _export_dir(built[runtime])
    before = {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}

    def no_weights(*args, **kwargs):
        raise AssertionError("the torch weights were loaded although an export was cached")

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", no_weights)
    monkeypatch.setattr(runtimes_module, "_export_onnx", no_weights)
    again = MedSigLIPEmbedder(tiny_siglip_dir, runtime=runtime, export_dir=root)
    assert not again._towers.exported and _export_dir(again) == directory
    assert {p.name: p.stat().st_mtime_ns for p in directory.iterdir()} == before
    images = _images(2, seed=3)
    assert _cosines(again.embed_images(images), tiny_embedder.embed_images(images)).min() >= 0.9999


DAMAGES = [("onnx", "truncated_model"), ("openvino", "truncated_model"), ("onnx", "manifest_of_another_key"),
           ("openvino", "missing_manifest")]


@pytest.mark.parametrize(("runtime", "damage"), DAMAGES)
def test_a_damaged_export_is_exported_again(exports, tmp_path, tiny_siglip_dir, tiny_embedder, runtime, damage):
    _, built = exports
    source = _export_dir(built[runtime])
    root = tmp_path / "exported_models"
    copy = root / source.name
    shutil.copytree(source, copy)
    model_file = copy / ("vision.onnx" if runtime == "onnx" else "vision.xml")
    if damage == "truncated_model":
        model_file.write_bytes(model_file.read_bytes()[:200])
    elif damage == "manifest_of_another_key":
        manifest = json.loads((copy / "manifest.json").read_text())
        (copy / "manifest.json").write_text(json.dumps({**manifest, "key": "0" * 20}))
    else:
        (copy / "manifest.json").unlink()
    again = MedSigLIPEmbedder(tiny_siglip_dir, runtime=runtime, export_dir=root)
    assert again._towers.exported and _export_dir(again) == copy
    assert json.loads((copy / "manifest.json").read_text())["key"] == source.name.rsplit("-", 1)[1]
    images = _images(3, seed=11)
    assert _cosines(again.embed_images(images), tiny_embedder.embed_images(images)).min() >= 0.9999
    assert [p.name for p in root.iterdir()] == [copy.name]  # no temporary folder left behind


def test_a_failed_export_is_a_clear_error_without_fallback(tmp_path, tiny_siglip_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("exporter blew up on aten::something")

    monkeypatch.setattr(runtimes_module, "_export_onnx", broken)
    with pytest.raises(EmbedderError) as caught:
        MedSigLIPEmbedder(tiny_siglip_dir, runtime="onnx", export_dir=tmp_path)
    assert caught.value.code == "export_failed"
    assert "RuntimeError" in caught.value.user_message and "MEDRAG_EMBED_RUNTIME=torch" in caught.value.user_message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_misses_parity_is_refused(tmp_path, tiny_siglip_dir, monkeypatch):
    monkeypatch.setattr(runtimes_module, "PARITY_MIN_COSINE", 1.5)  # no export can reach it
    with pytest.raises(EmbedderError, match="differ from torch") as caught:
        MedSigLIPEmbedder(tiny_siglip_dir, runtime="onnx", export_dir=tmp_path)
    assert caught.value.code == "export_failed"
    assert list(tmp_path.iterdir()) == []


def test_unknown_runtime_is_a_config_error():
    with pytest.raises(ConfigError, match="MEDRAG_EMBED_RUNTIME") as caught:
        Settings.load(env={"MEDRAG_EMBED_RUNTIME": "tensorrt"}, secrets_path=None)
    assert "tensorrt" not in caught.value.user_message  # names the variable, never echoes the value
    assert Settings.load(env={"MEDRAG_EMBED_RUNTIME": "openvino"}, secrets_path=None).embed_runtime == "openvino"
    assert Settings.load(env={}, secrets_path=None).embed_runtime == "torch"


def test_unknown_runtime_in_the_constructor_is_an_embedder_error(tiny_siglip_dir, tmp_path):
    with pytest.raises(EmbedderError, match="torch, onnx, openvino") as caught:
        MedSigLIPEmbedder(tiny_siglip_dir, runtime="tensorrt", export_dir=tmp_path)
    assert caught.value.code == "unknown_runtime"


@pytest.mark.parametrize(("kwargs", "code"), [({"device": "cuda"}, "device"), ({"dtype": "bfloat16"}, "dtype")])
def test_exported_runtimes_refuse_a_gpu_or_lower_precision(tiny_siglip_dir, tmp_path, kwargs, code):
    with pytest.raises(EmbedderError, match="float32|CPU") as caught:
        MedSigLIPEmbedder(tiny_siglip_dir, runtime="onnx", export_dir=tmp_path, **kwargs)
    assert caught.value.code == code
    assert list(tmp_path.iterdir()) == []


def test_load_embedder_exports_under_the_data_dir(exports, tmp_path, tiny_siglip_dir):
    _, built = exports
    source = _export_dir(built["onnx"])
    root = tmp_path / "data" / "exported_models"
    root.mkdir(parents=True)
    shutil.copytree(source, root / source.name)  # a cache entry already there: load_embedder must find it
    settings = Settings(embed_model=str(tiny_siglip_dir), embed_runtime="onnx", data_dir=tmp_path / "data",
                        device="cpu")  # fmt: skip
    embedder = load_embedder(settings)
    assert embedder.runtime == "onnx" and not embedder._towers.exported
    assert _export_dir(embedder) == root / source.name


def test_the_key_follows_weights_runtime_and_config(tmp_path, tiny_siglip_dir):
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_siglip_dir, model_dir)
    config = (model_dir / "config.json").read_text()
    key = export_key("onnx", model_dir, config)
    assert export_key("onnx", model_dir, config) == key
    assert export_key("openvino", model_dir, config) != key
    assert export_key("onnx", model_dir, config.replace("64", "65")) != key
    weights = model_dir / "model.safetensors"
    weights.write_bytes(weights.read_bytes())  # same bytes, a new file: exported again rather than trusted
    assert export_key("onnx", model_dir, config) != key
