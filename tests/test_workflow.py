"""``workflow.verify`` end to end on the real embedded Postgres with the tiny SigLIP, and the embedding cache.

Helpers here (``CountingEmbedder``, ``RecordingVerifier``, ``build_archive``, ``QUERY_REPORT``) are also
used by test_badinputs_workflow.py and test_verify_cli.py.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from medrag_core import verify as exported_verify
from medrag_core.embedding import EmbeddingCache, model_key
from medrag_core.errors import EmbedderError, ImageDecodeError, ReportError
from medrag_core.imaging import sha256_hex
from medrag_core.llm import OfflineVerifier
from medrag_core.llm.base import PNG_SIGNATURE
from medrag_core.reports import check_report
from medrag_core.settings import Settings
from medrag_core.workflow import NOTICE_EMPTY, NOTICE_OFFLINE, precompute_image_embedding, verify
from tests.fixtures.images import FAKE_PHI, make_dicom, make_png, phantom
from tests.fixtures.workflow_data import (
    QUERY_REPORT,
    CountingEmbedder,
    RecordingVerifier,
    archive_image,
    build_archive,
)

STAGES = ("decode", "preprocess", "checks", "image_embedding", "text_embedding", "retrieval", "consensus", "verifier")


@pytest.fixture
def settings(pg_settings: Settings, tmp_path) -> Settings:
    return pg_settings.model_copy(update={"top_k": 5, "llm_backend": "offline"})


@pytest.fixture
def query_png() -> bytes:
    return make_png(archive_image(0))


# --- end to end ---------------------------------------------------------------------------------


def test_verify_end_to_end_with_the_offline_verifier(store, tiny_embedder, settings, query_png, caplog):
    ids = build_archive(store, tiny_embedder)
    events: list[tuple[str, str]] = []
    caplog.set_level(logging.DEBUG)
    result = verify(query_png, QUERY_REPORT, settings, store=store, embedder=tiny_embedder,
                    verifier=OfflineVerifier(), on_stage=lambda name, status: events.append((name, status)))

    assert exported_verify is verify
    assert result.report == QUERY_REPORT
    assert result.verifier == "offline" and result.embed_model == tiny_embedder.name
    assert NOTICE_OFFLINE in result.notices
    assert len(result.matches) == 5
    assert [m.fused_rank for m in result.matches] == [1, 2, 3, 4, 5]
    assert {m.case.case_id for m in result.matches} <= set(ids)
    assert all(m.image_score is not None and m.text_score is not None for m in result.matches)
    assert result.matches[0].case.case_id == "case-0"  # the query is case-0's image
    # Every neighbour reports an effusion this report does not mention.
    [issue] = [i for i in result.issues if i.kind == "neighbour_disagreement" and "pleural effusion" in i.message]
    assert issue.severity == "warning" and issue.origin == "consensus"
    assert set(issue.case_ids) <= set(ids) and len(issue.case_ids) == 5
    assert issue.strength == pytest.approx(1.0)
    assert result.verdict == "needs_review"
    # the neighbours' disagreement is a review note, apart from the report text
    assert result.suggested_report == result.report and result.check_status == "checked"
    assert any("pleural effusion" in note for note in result.review_notes)
    severities = [i.severity for i in result.issues]
    assert severities == sorted(severities, key={"error": 0, "warning": 1, "info": 2}.__getitem__)
    for stage in STAGES + ("total",):
        assert 0 < result.timings_ms[stage] <= result.timings_ms["total"], stage
    names = [name for name, status in events if status == "running"]
    assert names == [s for s in ("decode", "preprocess", "checks", "image_embedding", "text_embedding", "retrieval",
                                 "consensus", "verifier")]
    assert ("image_embedding", "done") in events
    assert QUERY_REPORT not in caplog.text and "Heart size is normal" not in caplog.text


def test_verifier_gets_png_pixels_only_and_no_dicom_header(store, tiny_embedder, settings):
    build_archive(store, tiny_embedder, n=3)
    dicom = make_dicom(phantom(400, 360), WindowCenter=2048, WindowWidth=4096)
    recorder = RecordingVerifier()
    result = verify(dicom, QUERY_REPORT, settings, store=store, embedder=tiny_embedder, verifier=recorder)
    [request] = recorder.requests
    assert request.image_png.startswith(PNG_SIGNATURE)
    assert set(request.match_images) == {m.case.case_id for m in result.matches}
    assert all(png.startswith(PNG_SIGNATURE) for png in request.match_images.values())
    assert "match_images" in result.timings_ms
    blob = (request.image_png + b"".join(request.match_images.values())).lower() + request.report.lower().encode()
    dumped = result.model_dump_json().lower()
    for value in FAKE_PHI.values():
        assert value.lower().encode() not in blob
        assert value.lower() not in dumped
    assert result.verifier == "recording" and NOTICE_OFFLINE not in result.notices


def test_offline_verifier_gets_no_images(store, tiny_embedder, settings, query_png):
    build_archive(store, tiny_embedder, n=3)
    recorder = RecordingVerifier(name="offline", sends_images=False)
    verify(query_png, QUERY_REPORT, settings, store=store, embedder=tiny_embedder, verifier=recorder)
    [request] = recorder.requests
    assert request.image_png is None and request.match_images == {}


# --- the image embedding is computed once ---------------------------------------------------------


def test_cached_embedding_is_not_computed_again(store, tiny_embedder, settings, query_png, tmp_path):
    build_archive(store, tiny_embedder, n=3)
    counting = CountingEmbedder(tiny_embedder)
    cache = EmbeddingCache(tmp_path / "cache")
    sha, vec = precompute_image_embedding(query_png, settings, counting, cache)
    assert sha == sha256_hex(query_png) and counting.image_calls == 1
    assert vec.shape == (tiny_embedder.dim,) and not vec.flags.writeable

    events: list[tuple[str, str]] = []
    result = verify(query_png, QUERY_REPORT, settings, store=store, embedder=counting, verifier=OfflineVerifier(),
                    cache=cache, on_stage=lambda n, s: events.append((n, s)))
    assert counting.image_calls == 1 and ("image_embedding", "cached") in events
    assert result.matches[0].case.case_id == "case-0"

    # A new process: empty memory, the .npy file on disk answers.
    fresh = EmbeddingCache(tmp_path / "cache")
    verify(query_png, QUERY_REPORT, settings, store=store, embedder=counting, verifier=OfflineVerifier(), cache=fresh)
    assert counting.image_calls == 1
    # precompute again: a hit, no model call.
    assert np.array_equal(precompute_image_embedding(query_png, settings, counting, fresh)[1], vec)
    assert counting.image_calls == 1


def test_given_embedding_skips_the_model(store, tiny_embedder, settings, query_png):
    build_archive(store, tiny_embedder, n=3)
    counting = CountingEmbedder(tiny_embedder)
    vec = tiny_embedder.embed_images([archive_image(0).astype(np.float32)])[0]
    events: list[tuple[str, str]] = []
    result = verify(query_png, QUERY_REPORT, settings, store=store, embedder=counting, verifier=OfflineVerifier(),
                    image_embedding=vec, on_stage=lambda n, s: events.append((n, s)))
    assert counting.image_calls == 0 and ("image_embedding", "given") in events
    assert result.matches[0].case.case_id == "case-0"


def test_precompute_refuses_a_bad_image_and_caches_nothing(tiny_embedder, settings, tmp_path):
    counting = CountingEmbedder(tiny_embedder)
    cache = EmbeddingCache(tmp_path / "cache")
    with pytest.raises(ImageDecodeError):
        precompute_image_embedding(b"not an image at all", settings, counting, cache)
    assert counting.calls == 0 and not (tmp_path / "cache").exists()


# --- degradations become notices --------------------------------------------------------------------


def test_empty_archive_still_checks_and_says_so(store, tiny_embedder, settings, query_png):
    report = "FINDINGS: There is a small left pleural effusion.\nIMPRESSION: Right pleural effusion."
    result = verify(query_png, report, settings, store=store, embedder=tiny_embedder, verifier=OfflineVerifier())
    assert result.matches == [] and NOTICE_EMPTY in result.notices
    assert any(i.origin == "checks" for i in result.issues)
    assert result.verdict == "inconsistent"  # left in the findings, right in the impression: an error


@pytest.mark.parametrize(("report", "status"), [
    ("A 67-year-old woman was admitted with fever and dyspnea. She was treated with 5 mg prednisolone. "
     "RT-PCR was positive.", "not_a_report"),
    ("The heart is normal in size. The lungs are clear. There is no pleural effusion. No pneumothorax. "
     "The osseous structures are intact and there is no acute bony abnormality seen on this radiograph, which is "
     "otherwise an entirely unremarkable frontal and lateral examination of the chest in this patient.",
     "sections_not_found"),
])
def test_unchecked_report_is_not_checked_never_consistent(report, status, tmp_path, tiny_embedder, query_png):
    settings = Settings(data_dir=tmp_path, database_url="postgresql://nobody:secret@127.0.0.1:1/none", top_k=5)
    result = verify(query_png, report, settings, embedder=CountingEmbedder(tiny_embedder), verifier=OfflineVerifier())
    assert (result.check_status, result.verdict) == (status, "not_checked")


def test_unreachable_store_is_a_notice_not_a_crash(tiny_embedder, tmp_path, query_png):
    settings = Settings(data_dir=tmp_path, database_url="postgresql://nobody:secret@127.0.0.1:1/none", top_k=5)
    counting = CountingEmbedder(tiny_embedder)
    result = verify(query_png, QUERY_REPORT, settings, embedder=counting, verifier=OfflineVerifier())
    assert result.matches == []
    assert any("not available" in n for n in result.notices)
    assert all("secret" not in n for n in result.notices)
    # No neighbours, so the verdict is the offline checks' own.
    assert check_report(QUERY_REPORT) == [] and result.verdict == "consistent"


def test_vectors_of_another_model_fall_back_to_text_search(store, tiny_embedder, settings, query_png):
    build_archive(store, tiny_embedder, n=3)
    other = CountingEmbedder(tiny_embedder, name="another/model")
    report = "FINDINGS: Small left pleural effusion.\nIMPRESSION: Left pleural effusion."
    result = verify(query_png, report, settings, store=store, embedder=other, verifier=OfflineVerifier())
    assert any("text search only" in n for n in result.notices)
    assert result.matches and all(m.image_score is None and m.fts_score is not None for m in result.matches)


def test_embedder_that_fails_degrades_to_text_search(store, tiny_embedder, settings, query_png):
    build_archive(store, tiny_embedder, n=3)

    class Broken(CountingEmbedder):
        def embed_images(self, images):
            raise EmbedderError("The model crashed.")

    result = verify(query_png, "FINDINGS: Left pleural effusion.\nIMPRESSION: Effusion.", settings, store=store,
                    embedder=Broken(tiny_embedder), verifier=OfflineVerifier())
    assert any("could not be embedded" in n for n in result.notices)
    assert result.matches and all(m.image_score is None for m in result.matches)


def test_a_failing_verifier_gives_the_offline_verdict(store, tiny_embedder, settings, query_png):
    result = verify(query_png, QUERY_REPORT, settings, store=store, embedder=tiny_embedder,
                    verifier=RecordingVerifier(fail=True))
    assert result.verifier == "offline" and result.llm_failures == 1
    assert any("verifier failed" in n for n in result.notices)


# --- validation first -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "report", "error", "code"),
    [
        (b"", QUERY_REPORT, ImageDecodeError, "empty"),
        (b"<html>not an image</html>", QUERY_REPORT, ImageDecodeError, "not_an_image"),
        (None, "   \n\t ", ReportError, "empty"),
        (None, b"FINDINGS: ok\x00", ReportError, "nul_byte"),
        (None, "x" * 20_001, ReportError, "too_long"),
    ],
)
def test_bad_inputs_touch_nothing(image, report, error, code, tiny_embedder, settings, query_png, tmp_path):
    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"store.{name} used for a refused input")

    counting = CountingEmbedder(tiny_embedder)
    recorder = RecordingVerifier()
    cache = EmbeddingCache(tmp_path / "cache")
    events: list[tuple[str, str]] = []
    with pytest.raises(error) as excinfo:
        verify(query_png if image is None else image, report, settings, store=Untouchable(), embedder=counting,
               verifier=recorder, cache=cache, on_stage=lambda n, s: events.append((n, s)))
    assert excinfo.value.code == code
    assert counting.calls == 0 and recorder.requests == [] and not (tmp_path / "cache").exists()
    assert events == [("decode", "running"), ("decode", "failed")]


def test_upload_size_limit_is_checked_before_decoding(tiny_embedder, settings, query_png):
    small = settings.model_copy(update={"max_upload_bytes": 1024})
    with pytest.raises(ImageDecodeError) as excinfo:
        verify(query_png, QUERY_REPORT, small, store=object(), embedder=CountingEmbedder(tiny_embedder),
               verifier=RecordingVerifier())
    assert excinfo.value.code == "too_large"
    # the size, the limit and the setting that raises it, worded as every other door words it
    assert len(query_png) < 2**20
    size = f"{round(len(query_png) / 1024, 1):g} KB"
    assert f"is {size}, more than the 1 KB upload limit (MEDRAG_MAX_UPLOAD_BYTES)." in str(excinfo.value)


# --- the cache itself -----------------------------------------------------------------------------------


def test_embedding_cache_lru_disk_and_keys(tmp_path):
    cache = EmbeddingCache(tmp_path / "c", max_items=2)
    v = np.arange(4, dtype=np.float32)
    stored = cache.put("a" * 64, "m", v)
    assert not stored.flags.writeable and np.array_equal(stored, v)
    cache.put("b" * 64, "m", v + 1)
    cache.put("c" * 64, "m", v + 2)
    assert len(cache._items) == 2  # LRU bound on memory only
    assert np.array_equal(cache.get("a" * 64, "m"), v)  # from disk
    assert cache.get("a" * 64, "other-model") is None
    assert cache.get("a" * 64, "m", "text") is None
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert len(names) == 3 and all(n.startswith("image-") and n.endswith(".npy") for n in names)
    assert model_key("org/model", "tf_bilinear") != model_key("org/model", "pad_square")
    # A damaged file is ignored, then overwritten.
    path = cache.path_for("d" * 64, "m")
    path.write_bytes(b"garbage")
    assert cache.get("d" * 64, "m") is None
    cache.put("d" * 64, "m", v)
    assert np.array_equal(EmbeddingCache(tmp_path / "c").get("d" * 64, "m"), v)


def test_memory_only_cache_writes_no_files(tmp_path):
    cache = EmbeddingCache(None)
    cache.put("a" * 64, "m", np.ones(3))
    assert cache.get("a" * 64, "m") is not None and cache.path_for("a" * 64, "m") is None
    assert ("a" * 64, "m") in cache
