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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import run_checks
from .consensus import neighbour_consensus
from .embed_cache import EmbeddingCache, model_key, sha256_of
from .errors import (
    DimensionMismatch,
    EmbedderError,
    ImageDecodeError,
    MedragError,
    ModelMismatch,
    StoreError,
    VerifierError,
)
from .imaging import DecodedImage, decode_image, png_bytes
from .llm.base import VerificationRequest, VerifierOutcome, merge_issues, strictest, verdict_from_issues
from .models import SEVERITY_ORDER, Issue, Match, VerificationResult
from .reports import parse_report, read_report
from .retrieval import FTS_MAX_DF, report_search_query, retrieve

if TYPE_CHECKING:
    from .embedder import Embedder
    from .llm.base import Verifier
    from .settings import Settings
    from .store.base import CaseFilter, CaseStore

log = logging.getLogger(__name__)

StageCallback = Callable[[str, str], None]

#: Longest side of the PNGs handed to a verifier (query image and archive images).
VERIFIER_IMAGE_MAX_SIDE = 1024

NOTICE_OFFLINE = (
    "Offline verifier: no LLM is configured, so the verdict comes from the offline checks and similar cases."
)
NOTICE_EMPTY = "The archive is empty — ingest data from the Dataset Admin page to compare with similar cases."
NOTICE_NO_MATCHES = "No similar cases were found in the archive."

__all__ = ["VERIFIER_IMAGE_MAX_SIDE", "precompute_image_embedding", "verify"]


class _Stages:
    """Times stages and reports them to ``on_stage``."""

    def __init__(self, on_stage: StageCallback | None) -> None:
        self.on_stage = on_stage
        self.timings: dict[str, float] = {}

    def _emit(self, name: str, status: str) -> None:
        if self.on_stage is not None:
            self.on_stage(name, status)

    @contextmanager
    def run(self, name: str) -> Iterator[dict[str, str]]:
        """Time the block; the block may set ``state["status"]`` (e.g. "cached") to report instead of done."""
        state = {"status": "done"}
        self._emit(name, "running")
        start = time.perf_counter()
        try:
            yield state
        except BaseException:
            self.timings[name] = _ms(start)
            self._emit(name, "failed")
            raise
        self.timings[name] = _ms(start)
        self._emit(name, state["status"])

    def skip(self, name: str) -> None:
        self._emit(name, "skipped")


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


def _check_size(image: bytes, settings: Settings) -> None:
    if len(image) > settings.max_upload_bytes:
        raise ImageDecodeError(
            f"The image file is {len(image) / 2**20:.1f} MB, more than the "
            f"{settings.max_upload_bytes / 2**20:.0f} MB upload limit. Upload a smaller export of the radiograph.",
            code="too_large",
        )


def _image_model_key(embedder: Embedder, settings: Settings) -> str:
    return model_key(embedder.name, str(getattr(embedder, "resize_mode", settings.resize_mode)))


def _embed_image(pixels: np.ndarray, embedder: Embedder) -> np.ndarray:
    vectors = np.asarray(embedder.embed_images([pixels]), dtype=np.float32)
    return vectors.reshape(len(vectors), -1)[0]


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
    sha = sha256_of(image_bytes)
    key = _image_model_key(embedder, settings)
    if cache is not None:
        hit = cache.get(sha, key, "image")
        if hit is not None:
            return sha, hit
    vector = _embed_image(decoded.pixels, embedder)
    if cache is not None:
        vector = cache.put(sha, key, vector, "image")
    return sha, vector


def _query_text(parsed: Any, text: str) -> str:
    """What the text embedding and full-text search look for: findings + impression, else the whole text."""
    sections = getattr(parsed, "sections", None) or {}
    parts = [sections.get(name, "") for name in ("FINDINGS", "IMPRESSION")]
    joined = "\n".join(p.strip() for p in parts if p and p.strip())
    return joined or text


def _sort_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda issue: SEVERITY_ORDER.get(issue.severity, 3))


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def verify(
    image: bytes,
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
) -> VerificationResult:
    """Check ``report`` against ``image`` and the most similar archive cases.

    ``image``: the uploaded bytes (PNG, JPEG or DICOM). ``report``: text, or the uploaded bytes (UTF-8,
    else Latin-1). ``store`` / ``embedder`` / ``verifier`` default to the ones ``settings`` names
    (built here, after validation). ``image_embedding``: a vector already computed for these bytes
    with this embedder. ``where`` restricts the similar-case search. See the module docstring for the
    stages, the validation contract and how failures degrade into notices.
    """
    stages = _Stages(on_stage)
    started = time.perf_counter()
    notices: list[str] = []

    # 1. Validate everything before touching the store, the model or the cache.
    with stages.run("decode"):
        image = bytes(image)
        if isinstance(report, bytearray | memoryview):
            report = bytes(report)
        _check_size(image, settings)
        text = read_report(report, max_chars=settings.max_report_chars)
        decoded: DecodedImage = decode_image(image, max_pixels=settings.max_image_pixels)

    with stages.run("preprocess"):
        parsed = parse_report(text)
        query_text = _query_text(parsed, text)
        fts_query = report_search_query(parsed, query_text)
        sha = sha256_of(image)

    with stages.run("checks"):
        offline_issues = list(run_checks(parsed))

    # 2. The archive and the model, degrading to notices.
    if store is None:
        with stages.run("open_store") as st:
            try:
                from .store.base import open_store

                store = open_store(settings)
            except StoreError as exc:
                log.warning("case store unavailable (%s)", exc.code)
                notices.append(f"Similar cases are not available: {exc.user_message}")
                st["status"] = "skipped"

    text_search_only = False
    if store is not None and embedder is None:
        with stages.run("load_model") as st:
            try:
                from .embedder import load_embedder

                embedder = load_embedder(settings)
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
    if verifier is None:
        from .llm import make_verifier

        verifier = make_verifier(settings)
    wants_images = settings.send_images_to_llm and getattr(verifier, "name", "offline") != "offline"
    match_images = _match_images(stages, store, matches) if wants_images and store is not None else {}
    # Only a verifier that looks at images gets (and pays for) the PNG re-encoding: pixels, no metadata.
    image_png = png_bytes(decoded.pixels, max_side=VERIFIER_IMAGE_MAX_SIDE) if wants_images else None
    request = VerificationRequest(
        report=text,
        image_png=image_png,
        matches=matches,
        match_images=match_images,
        offline_issues=offline_issues,
    )
    with stages.run("verifier"):
        try:
            outcome = verifier.verify(request)
        except VerifierError as exc:
            log.warning("verifier %s failed (%s); using the offline verdict", getattr(verifier, "name", "?"), exc.code)
            from .llm.offline import OfflineVerifier

            outcome = OfflineVerifier().verify(request)
            outcome.failures += 1
            outcome.notices.append(f"The verifier failed ({exc.user_message}); this is the offline verdict.")

    return _result(outcome, offline_issues, text, matches, stages, started, embedder, verifier, notices)


def _embeddings(
    stages: _Stages,
    notices: list[str],
    store: CaseStore | None,
    embedder: Embedder | None,
    decoded: DecodedImage,
    sha: str,
    query_text: str,
    image_embedding: np.ndarray | None,
    cache: EmbeddingCache | None,
    settings: Settings,
    *,
    skip: bool,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(image vector, text vector); either None when skipped or failed (with a notice)."""
    if store is None or embedder is None or skip:
        stages.skip("image_embedding")
        stages.skip("text_embedding")
        return None, None
    img_vec: np.ndarray | None = None
    with stages.run("image_embedding") as st:
        key = _image_model_key(embedder, settings)
        if image_embedding is not None:
            img_vec = np.asarray(image_embedding, dtype=np.float32).reshape(-1)
            st["status"] = "given"
        elif cache is not None and (hit := cache.get(sha, key, "image")) is not None:
            img_vec = hit
            st["status"] = "cached"
        else:
            try:
                img_vec = _embed_image(decoded.pixels, embedder)
                if cache is not None:
                    img_vec = cache.put(sha, key, img_vec, "image")
            except EmbedderError as exc:
                log.warning("image embedding failed (%s)", exc.code)
                notices.append(f"The image could not be embedded ({exc.user_message}); "
                               "similar cases were found by text only.")
                st["status"] = "skipped"
    txt_vec: np.ndarray | None = None
    with stages.run("text_embedding") as st:
        text_sha = sha256_of(query_text.encode("utf-8"))
        if cache is not None and (hit := cache.get(text_sha, embedder.name, "text")) is not None:
            txt_vec = hit
            st["status"] = "cached"
        else:
            try:
                txt_vec = np.asarray(embedder.embed_texts([query_text]), dtype=np.float32).reshape(1, -1)[0]
                if cache is not None:
                    txt_vec = cache.put(text_sha, embedder.name, txt_vec, "text")
            except EmbedderError as exc:
                log.warning("text embedding failed (%s)", exc.code)
                st["status"] = "skipped"
    return img_vec, txt_vec


def _retrieve(
    stages: _Stages,
    notices: list[str],
    store: CaseStore | None,
    embedder: Embedder | None,
    img_vec: np.ndarray | None,
    txt_vec: np.ndarray | None,
    fts_query: str,
    settings: Settings,
    where: CaseFilter | None,
) -> list[Match]:
    if store is None:
        stages.skip("retrieval")
        return []
    embed_model = embedder.name if embedder is not None else settings.embed_model
    matches: list[Match] = []
    with stages.run("retrieval"):
        try:
            try:
                matches = retrieve(
                    store, image_embedding=img_vec, text_embedding=txt_vec, query_text=fts_query,
                    settings=settings, embed_model=embed_model, where=where, fts_max_df=FTS_MAX_DF,
                )
            except (ModelMismatch, DimensionMismatch) as exc:
                log.warning("archive vectors do not match the model (%s); text search only", exc.code)
                notices.append(f"{exc.user_message} Similar cases were found by text search only.")
                matches = retrieve(
                    store, image_embedding=None, text_embedding=None, query_text=fts_query,
                    settings=settings, embed_model=embed_model, where=where,
                )
            if not matches:
                stats = store.stats()
                notices.append(NOTICE_EMPTY if stats.total_cases == 0 else NOTICE_NO_MATCHES)
        except StoreError as exc:
            log.warning("similar-case search failed (%s)", exc.code)
            notices.append(f"Similar cases are not available: {exc.user_message}")
            matches = []
    return matches


def _match_images(stages: _Stages, store: CaseStore, matches: list[Match]) -> dict[str, bytes]:
    """PNG re-encodings of the matches' archive images (decoded first: pixels only). Failures are skipped."""
    out: dict[str, bytes] = {}
    with stages.run("match_images"):
        for match in matches:
            sha = match.case.image_sha256
            if not sha:
                continue
            try:
                data = store.get_image(sha)
                if data:
                    pixels = decode_image(data).pixels
                    out[match.case.case_id] = png_bytes(pixels, max_side=VERIFIER_IMAGE_MAX_SIDE)
            except MedragError as exc:
                log.warning("archive image of case %s skipped (%s)", match.case.case_id, exc.code)
    return out


def _result(
    outcome: VerifierOutcome,
    offline_issues: list[Issue],
    text: str,
    matches: list[Match],
    stages: _Stages,
    started: float,
    embedder: Embedder | None,
    verifier: Verifier,
    notices: list[str],
) -> VerificationResult:
    issues = _sort_issues(merge_issues(offline_issues, list(outcome.issues)))
    verdict = strictest(outcome.verdict, verdict_from_issues(issues))
    answered_by = outcome.answered_by or getattr(verifier, "name", "offline")
    all_notices = list(outcome.notices)
    if answered_by == "offline" and getattr(verifier, "name", "offline") == "offline":
        all_notices.insert(0, NOTICE_OFFLINE)
    all_notices += notices
    stages.timings["total"] = _ms(started)
    log.info(
        "verify: verdict=%s issues=%d matches=%d verifier=%s total_ms=%.0f",
        verdict, len(issues), len(matches), answered_by, stages.timings["total"],
    )
    return VerificationResult(
        verdict=verdict,
        issues=issues,
        report=text,
        suggested_report=outcome.suggested_report,
        matches=matches,
        relied_on_case_ids=list(outcome.relied_on_case_ids),
        timings_ms=dict(stages.timings),
        embed_model=embedder.name if embedder is not None else None,
        verifier=answered_by,
        notices=_dedup(all_notices),
        llm_failures=int(outcome.failures),
    )
