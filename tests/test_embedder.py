"""medrag_core.embedding.medsiglip on the tiny SigLIP checkpoint (tests/fixtures/tiny_siglip.py), offline."""

from __future__ import annotations

import huggingface_hub.constants
import numpy as np
import pytest
import torch

from medrag_core.embedding.chunking import pack_chunks, split_sentences
from medrag_core.embedding.loading import _load_error, resolve_device, resolve_dtype
from medrag_core.embedding.medsiglip import EMBEDDER_SPECS, Embedder, MedSigLIPEmbedder, get_spec, load_embedder
from medrag_core.errors import EmbedderError
from medrag_core.imaging import tf_bilinear_resize
from medrag_core.settings import Settings

LONG_REPORT = (
    "FINDINGS: The cardiomediastinal silhouette is within normal limits. The aorta is tortuous and calcified. "
    "Hilar contours are normal. There is no focal consolidation. The costophrenic angles are sharp. "
    "Degenerative changes of the thoracic spine are noted. Sternotomy wires are intact. "
    "The endotracheal tube terminates 4 cm above the carina. The nasogastric tube courses below the diaphragm. "
    "IMPRESSION: Support devices in appropriate position. Heart size is normal. "
)
TAIL_NEGATIVE = LONG_REPORT + "No pneumothorax is seen."
TAIL_POSITIVE = LONG_REPORT + "There is a large left pneumothorax with mediastinal shift."


def _images(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.random((200 + 17 * i, 160 + 9 * i), dtype=np.float32) for i in range(n)]


def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def _truncated_embedding(embedder: MedSigLIPEmbedder, text: str) -> np.ndarray:
    """What a plain processor call would give: the first 64 tokens only."""
    ids = embedder._tokenizer(text, padding="max_length", truncation=True, max_length=64, return_tensors="pt")
    with torch.inference_mode():
        out = embedder._model.get_text_features(input_ids=ids["input_ids"])
    vec = getattr(out, "pooler_output", out)
    return torch.nn.functional.normalize(vec.float(), dim=-1).numpy()[0]


# ---------------------------------------------------------------- shapes, norms, determinism


def test_tiny_embedder_satisfies_the_protocol(tiny_embedder):
    assert isinstance(tiny_embedder, Embedder)
    assert tiny_embedder.dim == 64 and tiny_embedder.image_size == 448 and tiny_embedder.text_tokens == 64


def test_image_embeddings_are_unit_float32(tiny_embedder):
    vecs = tiny_embedder.embed_images(_images(5))
    assert vecs.shape == (5, 64) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(vecs[0], vecs[1])


def test_text_embeddings_are_unit_float32(tiny_embedder):
    vecs = tiny_embedder.embed_texts(["The lungs are clear.", "Small left pleural effusion.", ""])
    assert vecs.shape == (3, 64) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_empty_inputs_give_empty_arrays(tiny_embedder):
    assert tiny_embedder.embed_images([]).shape == (0, 64)
    assert tiny_embedder.embed_texts([]).shape == (0, 64)


def test_embeddings_are_deterministic(tiny_embedder, tiny_siglip_dir):
    images, texts = _images(3), ["Heart size is normal.", LONG_REPORT]
    again = MedSigLIPEmbedder(tiny_siglip_dir, device="cpu", dtype="float32")
    assert np.array_equal(tiny_embedder.embed_images(images), tiny_embedder.embed_images(images))
    assert np.array_equal(tiny_embedder.embed_texts(texts), tiny_embedder.embed_texts(texts))
    np.testing.assert_allclose(again.embed_images(images), tiny_embedder.embed_images(images), atol=1e-6)
    np.testing.assert_allclose(again.embed_texts(texts), tiny_embedder.embed_texts(texts), atol=1e-6)


def test_batching_equals_one_by_one(tiny_embedder):
    images = _images(6)  # batch_size 4: one full batch and one partial
    texts = [f"There is a {k} cm nodule in the left upper lobe." for k in range(40)] + [TAIL_POSITIVE]
    batched_i = tiny_embedder.embed_images(images)
    single_i = np.vstack([tiny_embedder.embed_images([img]) for img in images])
    batched_t = tiny_embedder.embed_texts(texts)
    single_t = np.vstack([tiny_embedder.embed_texts([t]) for t in texts])
    np.testing.assert_allclose(batched_i, single_i, atol=1e-5)
    np.testing.assert_allclose(batched_t, single_t, atol=1e-5)


def test_wrong_inputs_are_refused(tiny_embedder):
    with pytest.raises(ValueError, match="2-D"):
        tiny_embedder.embed_images([np.zeros((32, 32, 3), np.float32)])
    with pytest.raises(TypeError):
        tiny_embedder.embed_texts("a single string")


# ---------------------------------------------------------------- preprocessing through the processor


def test_tf_bilinear_pixels_are_the_model_card_pipeline(tiny_embedder):
    u8 = np.random.default_rng(1).integers(0, 256, (301, 257), dtype=np.uint8)
    gray01 = u8.astype(np.float32) / np.float32(255)
    # Model card: tf.image.resize(..., 'bilinear', antialias=False).numpy().astype(np.uint8), then the
    # processor rescales by 1/255 and normalises with mean 0.5, std 0.5; no second resize.
    card = tf_bilinear_resize(u8, (448, 448)).astype(np.uint8).astype(np.float32) / 255.0
    expected = (card - 0.5) / 0.5

    pixels = tiny_embedder.pixel_values([gray01]).numpy()

    assert pixels.shape == (1, 3, 448, 448)
    for c in range(3):
        np.testing.assert_allclose(pixels[0, c], expected, atol=1e-6)


def test_pad_square_mode_lets_the_processor_resize(tiny_siglip_dir):
    embedder = MedSigLIPEmbedder(tiny_siglip_dir, device="cpu", dtype="float32", resize_mode="pad_square")
    image = _images(1)[0]
    pixels = embedder.pixel_values([image, image[:100]]).numpy()
    assert pixels.shape == (2, 3, 448, 448)
    vecs = embedder.embed_images([image])
    assert vecs.shape == (1, 64)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


# ---------------------------------------------------------------- long text


def test_short_text_matches_a_plain_max_length_processor_call(tiny_embedder):
    text = "Small left pleural effusion with adjacent atelectasis."
    np.testing.assert_allclose(
        tiny_embedder.embed_texts([text])[0], _truncated_embedding(tiny_embedder, text), atol=1e-6
    )


def test_long_text_is_chunked_not_truncated(tiny_embedder):
    tokens = tiny_embedder._tokenizer(TAIL_POSITIVE, add_special_tokens=False)["input_ids"]
    chunks = tiny_embedder.text_chunks(TAIL_POSITIVE)
    assert len(tokens) > 64 and len(chunks) >= 2
    assert all(len(c) <= 63 for c in chunks)
    sentence_ids = tiny_embedder._tokenizer(split_sentences(TAIL_POSITIVE), add_special_tokens=False)["input_ids"]
    assert [t for c in chunks for t in c] == [t for s in sentence_ids for t in s]  # nothing dropped

    full = tiny_embedder.embed_texts([TAIL_POSITIVE])[0]
    truncated = _truncated_embedding(tiny_embedder, TAIL_POSITIVE)
    assert float(full @ truncated) < 0.9999


def test_a_fact_only_in_the_tail_changes_the_embedding(tiny_embedder):
    # Same first 64 tokens, so a truncating embedder could not tell these apart ...
    assert np.array_equal(
        _truncated_embedding(tiny_embedder, TAIL_NEGATIVE), _truncated_embedding(tiny_embedder, TAIL_POSITIVE)
    )
    # ... this one can.
    neg, pos = tiny_embedder.embed_texts([TAIL_NEGATIVE, TAIL_POSITIVE])
    assert float(neg @ pos) < 0.9999


def test_pack_chunks_greedy_and_splits_overlong_sentences():
    assert pack_chunks([[1, 2], [3, 4], [5]], budget=4) == [[1, 2, 3, 4], [5]]
    assert pack_chunks([[1], list(range(10, 19)), [2]], budget=4) == [[1], [10, 11, 12, 13], [14, 15, 16, 17], [18, 2]]
    assert pack_chunks([], budget=4) == [[]]


def test_split_sentences_keeps_decimals_and_splits_lines():
    assert split_sentences("Nodule 3.5 cm. No effusion!\nIMPRESSION: clear;  stable") == [
        "Nodule 3.5 cm.",
        "No effusion!",
        "IMPRESSION: clear;",
        "stable",
    ]


# ---------------------------------------------------------------- loading, offline, errors


def test_from_pretrained_offline_via_settings(tiny_siglip_dir, monkeypatch):
    _offline(monkeypatch)
    settings = Settings(embed_model=str(tiny_siglip_dir), device="cpu", dtype="auto", embed_batch_size=2)

    embedder = load_embedder(settings)

    assert isinstance(embedder, MedSigLIPEmbedder)
    assert embedder.name == str(tiny_siglip_dir) and embedder.dim == 64
    assert embedder.device == "cpu" and embedder.dtype == torch.float32 and embedder.batch_size == 2
    assert embedder.embed_texts(["Heart size is normal."]).shape == (1, 64)


def test_missing_directory_is_a_clear_error(tmp_path, monkeypatch):
    _offline(monkeypatch)
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbedderError) as info:
        MedSigLIPEmbedder(missing, device="cpu", hf_token="hf_SECRETSECRET")
    err = info.value
    assert err.code == "model_not_found"
    assert str(missing) in err.user_message and "MEDRAG_EMBED_MODEL" in err.user_message
    assert "HF_TOKEN" in err.user_message and "hf_SECRETSECRET" not in err.user_message


def test_directory_without_a_model_is_a_clear_error(tmp_path, monkeypatch):
    _offline(monkeypatch)
    with pytest.raises(EmbedderError) as info:
        MedSigLIPEmbedder(tmp_path, device="cpu")
    assert info.value.code == "model_invalid" and "config.json" in info.value.user_message


def test_unreachable_hub_id_offline_is_a_clear_error(monkeypatch):
    _offline(monkeypatch)
    with pytest.raises(EmbedderError) as info:
        MedSigLIPEmbedder("medrag-tests/no-such-model", device="cpu", hf_token="hf_SECRETSECRET")
    err = info.value
    assert err.code == "model_offline"
    assert "medrag-tests/no-such-model" in err.user_message
    assert "HF_TOKEN" in err.user_message and "MEDRAG_EMBED_MODEL" in err.user_message
    assert "hf_SECRETSECRET" not in err.user_message


def test_unreachable_hub_fails_fast_without_retrying(monkeypatch):
    """Not HF_HUB_OFFLINE, but the hub does not answer: refuse at once instead of huggingface_hub's
    minute of retries (a new user without internet would stare at a spinner)."""
    import transformers

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    calls = []
    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", lambda *a, **k: calls.append(a))
    with pytest.raises(EmbedderError) as info:
        MedSigLIPEmbedder("medrag-tests/not-cached-model", device="cpu")
    assert info.value.code == "model_offline"
    assert calls == [], "the hub was not tried with retries"


def test_gated_repo_message_says_to_accept_the_licence():
    cause = OSError("You are trying to access a gated repo. Make sure to have access to it.")
    err = _load_error("google/medsiglip-448", cause)
    assert err.code == "model_gated"
    assert "licence" in err.user_message and "HF_TOKEN" in err.user_message


def test_spec_registry():
    spec = get_spec("medsiglip-448")
    assert (spec.model_id, spec.dim, spec.image_size, spec.text_tokens) == ("google/medsiglip-448", 1152, 448, 64)
    assert spec.resize_mode == "tf_bilinear"
    assert get_spec("google/medsiglip-448") is spec
    with pytest.raises(EmbedderError) as info:
        get_spec("medsiglip-999")
    assert info.value.code == "unknown_spec"
    for name in EMBEDDER_SPECS:
        assert name in info.value.user_message


def test_device_and_dtype_resolution():
    assert resolve_dtype(torch, "auto", "cpu") == torch.float32
    assert resolve_dtype(torch, "float16", "cpu") == torch.float16
    assert resolve_device(torch, "cpu") == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(EmbedderError, match="cuda"):
            resolve_device(torch, "cuda")
    expected = "cuda" if torch.cuda.is_available() else None
    if expected:
        assert resolve_device(torch, "auto") == "cuda"
        assert resolve_dtype(torch, "auto", "cuda") in (torch.bfloat16, torch.float16)


# ---------------------------------------------------------------- failures of the forward pass


@pytest.mark.parametrize("method", ["get_image_features", "get_text_features"])
@pytest.mark.parametrize(
    "error",
    [RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB; report: DOE^JOHN"), RuntimeError("shape mismatch")],
)
def test_forward_pass_failure_is_an_embedder_error(tiny_embedder, monkeypatch, caplog, method, error):
    from medrag_core.errors import EmbedderError

    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(tiny_embedder._model, method, boom)
    with pytest.raises(EmbedderError) as caught:
        if method == "get_image_features":
            tiny_embedder.embed_images(_images(2))
        else:
            tiny_embedder.embed_texts(["Small left pleural effusion."])
    assert caught.value.code == "embedding_failed"
    assert "RuntimeError" in caught.value.user_message
    assert "DOE^JOHN" not in caught.value.user_message and "DOE^JOHN" not in caplog.text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_out_of_memory_says_what_to_do(tiny_embedder, monkeypatch):
    from medrag_core.errors import EmbedderError

    class OutOfMemoryError(RuntimeError):
        pass

    def boom(*args, **kwargs):
        raise OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(tiny_embedder._model, "get_image_features", boom)
    with pytest.raises(EmbedderError, match="MEDRAG_EMBED_BATCH_SIZE"):
        tiny_embedder.embed_images(_images(1))
