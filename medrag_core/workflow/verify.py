"""``verify(image, report, settings)``: the one pipeline behind the Verify page, the CLI and the API.

Stages, each timed in ``VerificationResult.timings_ms`` (milliseconds) and announced through
``on_stage(name, status)`` with status ``running`` then ``done`` / ``failed`` / ``skipped`` /
``cached`` / ``given``:

``decode`` (read the report, decode the image: validation), ``preprocess`` (parse the report, PNG
re-encoding for the verifier), ``checks`` (offline report checks), ``open_store`` / ``load_model`` (only
when this call builds them), ``image_embedding``, ``text_embedding``, ``retrieval``, ``consensus``,
``match_images`` (only for a verifier that looks at images), ``verifier``, and ``total``.

Contracts:

- **Inputs are validated first.** The report is read (``reports.read_report``) and the image decoded
  (``imaging.decode_image``) before anything else; a refused input raises its ``InputError``
  (``ReportError`` / ``ImageDecodeError``, ``code`` says why) having opened no store, computed no
  embedding, written no cache file and called no verifier.
- **The image embedding is computed at most once**: skipped when ``image_embedding`` is given or
  ``cache`` (an ``EmbeddingCache``) holds it for these bytes and this model; computed ones are put in
  the cache. ``precompute_image_embedding`` is the upload-time half of this.
- **Only pixels reach a verifier**: the query image is passed as a PNG re-encoding of the decoded
  pixels (never the uploaded bytes, never DICOM), archive images likewise after a decode.
- **The user always gets a result when the inputs are valid.** Degradations become ``notices``, not
  exceptions: store unreachable (``StoreUnavailable`` / any ``StoreError``) -> no similar cases;
  embedding model unavailable (``EmbedderError``) or archive vectors of another model
  (``ModelMismatch`` / ``DimensionMismatch``) -> similar cases by full-text search only; empty archive
  -> a notice pointing at the Dataset Admin page; a verifier that raises ``VerifierError`` -> the
  offline verdict. Bugs (anything not a ``MedragError``) propagate.
- Issues: offline checks + neighbour consensus + the verifier's, deduplicated (``llm.base.merge_issues``)
  and sorted by severity (error, warning, info), stable otherwise. The verdict is the strictest of the
  verifier's and the one the final issues imply.
- Nothing here logs report text or image metadata; logs carry counts, names of stages and timings.

The stage helpers (timing, embeddings, retrieval, archive images, the result) live in
``workflow_stages``; this module keeps the two entry points and the input validation.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from medrag_core.embedding import EmbeddingCache
from medrag_core.errors import (
    EmbedderError,
    ImageDecodeError,
    MedragError,
    StoreError,
    VerifierError,
    over_upload_limit,
)
from medrag_core.history import HistoryContext, record_verification
from medrag_core.imaging import DecodedImage, decode_image, dicom_identifiers, png_bytes, sha256_hex
from medrag_core.llm import VerificationRequest
from medrag_core.models import VerificationResult
from medrag_core.reports import parse_report, read_report, run_checks
from medrag_core.retrieval import findings_query, neighbour_consensus
from medrag_core.workflow.stages import (
    NOTICE_NO_IMAGE,
    NOTICE_OFFLINE,
    VERIFIER_IMAGE_MAX_SIDE,
    StageCallback,
    _embed_image,
    _embeddings,
    _image_model_key,
    _match_images,
    _query_text,
    _result,
    _retrieve,
    _Stages,
)

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder
    from medrag_core.llm import Verifier
    from medrag_core.services import Services
    from medrag_core.settings import Settings
    from medrag_core.store import CaseFilter, CaseStore

log = logging.getLogger(__name__)

__all__ = ["NOTICE_REPORT_ONLY", "check_report_text", "precompute_image_embedding", "verify"]

NOTICE_REPORT_ONLY = "Report-only check: the offline report checks ran; no image, similar cases or LLM were used."


def _check_size(image: bytes, settings: Settings) -> None:
    if len(image) > settings.max_upload_bytes:
        raise ImageDecodeError(
            over_upload_limit(settings.max_upload_bytes, size_bytes=len(image))
            + " Upload a smaller export of the radiograph.",
            code="too_large",
        )


def precompute_image_embedding(
    image_bytes: bytes, settings: Settings, embedder: Embedder, cache: EmbeddingCache | None
) -> tuple[str, np.ndarray]:
    """Validate and embed an uploaded image now (upload time), so ``verify`` later finds it cached.

    Returns (sha256 of the bytes, the float32 unit vector). Raises ``ImageDecodeError`` for a refused
    image (nothing computed or cached) and ``EmbedderError`` when the model fails. A vector already in
    ``cache`` is returned without running the model.
    """
    image_bytes = bytes(image_bytes)
    _check_size(image_bytes, settings)
    decoded = decode_image(image_bytes, max_pixels=settings.max_image_pixels)
    sha = sha256_hex(image_bytes)
    key = _image_model_key(embedder)
    if cache is not None:
        hit = cache.get(sha, key, "image")
        if hit is not None:
            return sha, hit
    vector = _embed_image(decoded.pixels, embedder)
    if cache is not None:
        vector = cache.put(sha, key, vector, "image")
    return sha, vector


def check_report_text(report: str | bytes, settings: Settings, *,
                      on_stage: StageCallback | None = None) -> VerificationResult:
    """The offline checks alone, for a report without an image: no store, model or LLM, so it always
    answers. Raises ``ReportError`` for a refused report, like ``verify``."""
    from medrag_core.llm import OfflineVerifier

    stages = _Stages(on_stage)
    started = time.perf_counter()
    with stages.run("decode"):
        text = read_report(bytes(report) if isinstance(report, bytearray | memoryview) else report,
                           max_chars=settings.max_report_chars)
    with stages.run("preprocess"):
        parsed = parse_report(text)
    with stages.run("checks"):
        issues = list(run_checks(parsed))
    verifier = OfflineVerifier()
    with stages.run("verifier"):
        outcome = verifier.verify(VerificationRequest(report=text, offline_issues=issues))
    result = _result(outcome, issues, text, [], stages, started, None, verifier, [], parsed.status)
    result.notices = [NOTICE_REPORT_ONLY] + [n for n in result.notices if n != NOTICE_OFFLINE]
    return result


def verify(
    image: bytes | None,
    report: str | bytes,
    settings: Settings,
    *,
    store: CaseStore | None = None,
    embedder: Embedder | None = None,
    verifier: Verifier | None = None,
    image_embedding: np.ndarray | None = None,
    cache: EmbeddingCache | None = None,
    on_stage: StageCallback | None = None,
    where: CaseFilter | None = None,
    history: HistoryContext | None = None,
    services: Services | None = None,
) -> VerificationResult:
    """Check ``report`` against ``image`` and the most similar archive cases.

    ``image``: the uploaded bytes (PNG, JPEG or DICOM), or None to check the report on its own (the
    offline checks, similar cases by text embedding and full-text search; ``NOTICE_NO_IMAGE`` says so).
    ``report``: text, or the uploaded bytes (UTF-8,
    else Latin-1). ``store`` / ``embedder`` / ``verifier`` default to the ones ``settings`` names
    (built here, after validation). ``image_embedding``: a vector already computed for these bytes
    with this embedder. ``where`` restricts the similar-case search. ``services``: where the missing
    parts (store, embedder, verifier, cache) come from, after validation (a long-running caller such
    as the API keeps them built); without it they are built here. See the module docstring for the
    stages, the validation contract and how failures degrade into notices.
    """
    stages = _Stages(on_stage)
    started = time.perf_counter()
    notices: list[str] = []

    # 1. Validate everything before touching the store, the model or the cache.
    decoded: DecodedImage | None = None
    with stages.run("decode"):
        if isinstance(report, bytearray | memoryview):
            report = bytes(report)
        if image is not None:
            image = bytes(image)
            _check_size(image, settings)
        text = read_report(report, max_chars=settings.max_report_chars)
        if image is not None:
            decoded = decode_image(image, max_pixels=settings.max_image_pixels)
        else:
            notices.append(NOTICE_NO_IMAGE)

    with stages.run("preprocess"):
        parsed = parse_report(text)
        query_text = _query_text(parsed, text)
        fts_query = findings_query(parsed)  # affirmed findings, never negated ones (retrieval.findings)
        sha = sha256_hex(image) if image is not None else None

    with stages.run("checks"):
        offline_issues = list(run_checks(parsed))

    # 2. The archive and the model, degrading to notices.
    if store is None:
        with stages.run("open_store") as st:
            try:
                from medrag_core.services import build_store

                store = services.store() if services is not None else build_store(settings)
            except StoreError as exc:
                log.warning("case store unavailable (%s)", exc.code)
                notices.append(f"Similar cases are not available: {exc.user_message}")
                st["status"] = "skipped"

    if cache is None and services is not None:
        cache = services.cache()
    text_search_only = False
    if store is not None and embedder is None:
        with stages.run("load_model") as st:
            try:
                from medrag_core.services import build_embedder

                embedder = services.embedder() if services is not None else build_embedder(settings)
            except EmbedderError as exc:
                log.warning("embedding model unavailable (%s)", exc.code)
                notices.append(f"The embedding model is not available ({exc.user_message}); "
                               "similar cases were found by text search only.")
                text_search_only = True
                st["status"] = "skipped"

    img_vec, txt_vec = _embeddings(
        stages, notices, store, embedder, decoded, sha, query_text, image_embedding, cache, settings,
        skip=text_search_only,
    )

    matches = _retrieve(stages, notices, store, embedder, img_vec, txt_vec, fts_query, settings, where)

    with stages.run("consensus"):
        consensus_issues = neighbour_consensus(parsed, matches, k=settings.top_k)
    offline_issues = offline_issues + consensus_issues

    # 3. The verifier sees pixels only.
    fallback: str | None = None
    if verifier is None:
        from medrag_core.llm import OfflineVerifier
        from medrag_core.services import build_verifier

        try:
            verifier = services.verifier() if services is not None else build_verifier(settings)
        except MedragError as exc:  # a bad LLM setting must not cost the user the offline result
            log.warning("verifier %s could not be built (%s); using the offline verifier", settings.llm_backend,
                        exc.code)
            fallback = f"The {settings.llm_backend} verifier could not be set up: {exc.user_message}"
            notices.append(f"{fallback} This is the offline verdict.")
            verifier = OfflineVerifier()
    wants_images = settings.send_images_to_llm and decoded is not None and verifier.sends_images
    match_images = _match_images(stages, store, matches) if wants_images and store is not None else {}
    # Only a verifier that looks at images gets (and pays for) the PNG re-encoding: pixels, no metadata.
    image_png = png_bytes(decoded.pixels, max_side=VERIFIER_IMAGE_MAX_SIDE) if wants_images and decoded else None
    request = VerificationRequest(
        report=text,
        image_png=image_png,
        matches=matches,
        match_images=match_images,
        offline_issues=offline_issues,
        # the header's names and IDs, for the scrubber to remove from outgoing text (never sent)
        known_phi=dicom_identifiers(image) if decoded is not None and decoded.format == "dicom"
        and _sends_text_out(verifier) else (),
    )
    with stages.run("verifier"):
        try:
            outcome = verifier.verify(request)
        except VerifierError as exc:
            log.warning("verifier %s failed (%s); using the offline verdict", verifier.name, exc.code)
            from medrag_core.llm import OfflineVerifier

            outcome = OfflineVerifier().verify(request)
            outcome.failures += 1
            outcome.notices.append(f"The verifier failed ({exc.user_message}); this is the offline verdict.")
            fallback = f"The {verifier.name} verifier failed: {exc.user_message}"
    if fallback is None and outcome.failures and outcome.answered_by == "offline":
        # A remote verifier that gave up (timeouts, refusals, invalid answers) says why in its last notice.
        fallback = outcome.notices[-1] if outcome.notices else "The LLM verifier did not give a usable answer."

    result = _result(outcome, offline_issues, text, matches, stages, started, embedder, verifier, notices,
                     parsed.status)
    result.verifier_fallback = fallback
    if history is not None and settings.history:
        _record(result, history, store, sha, settings)
    return result


def _sends_text_out(verifier: Verifier) -> bool:
    """The verifier sends text off this machine (every one but the offline one)."""
    return verifier.name != "offline"


def _record(result: VerificationResult, history: HistoryContext, store: CaseStore | None, image_sha256: str,
            settings: Settings) -> None:
    try:
        archive_size = store.count() if store is not None else None
    except MedragError:
        archive_size = None
    context = history if settings.history_text else replace(history, keep_text=False)
    record_verification(store, result, context, image_sha256=image_sha256, archive_size=archive_size)
