"""The stages behind ``workflow.verify``: timing and announcing them (``_Stages``), the embeddings,
the similar-case retrieval, the archive images for a verifier, and assembling the
``VerificationResult``.

Each stage helper turns the degradations the ``workflow`` docstring lists (``EmbedderError``,
``StoreError``, ``ModelMismatch`` / ``DimensionMismatch``) into notices; anything else propagates.
The ``workflow`` face exports the ``NOTICE_*`` texts callers compare notices with.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from medrag_core.embedding import EmbeddingCache, model_key
from medrag_core.errors import EmbedderError, MedragError, StoreError
from medrag_core.imaging import DecodedImage, decode_image, png_bytes, sha256_hex
from medrag_core.llm import VerifierOutcome, merge_issues, strictest, verdict_from_issues
from medrag_core.models import SEVERITY_ORDER, CheckStatus, Issue, Match, Verdict, VerificationResult
from medrag_core.retrieval import FTS_MAX_DF, FindingsQuery, retrieve_or_text_only

if TYPE_CHECKING:
    from medrag_core.embedding import Embedder
    from medrag_core.llm import Verifier
    from medrag_core.settings import Settings
    from medrag_core.store import CaseFilter, CaseStore

# The logger these stages have always logged to (they lived in workflow.py before the split).
log = logging.getLogger("medrag_core.workflow.verify")

StageCallback = Callable[[str, str], None]

#: Longest side of the PNGs handed to a verifier (query image and archive images).
VERIFIER_IMAGE_MAX_SIDE = 1024

NOTICE_OFFLINE = (
    "Offline verifier: no LLM is configured, so the verdict comes from the offline checks and similar cases."
)
NOTICE_EMPTY = "The archive is empty — ingest data from the Dataset Admin page to compare with similar cases."
NOTICE_NO_MATCHES = "No similar cases were found in the archive."
NOTICE_NO_IMAGE = (
    "No image: the report was checked on its own (report checks, and similar cases found by their text)."
)


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


def _image_model_key(embedder: Embedder) -> str:
    return model_key(embedder.name, embedder.resize_mode)


def _embed_image(pixels: np.ndarray, embedder: Embedder) -> np.ndarray:
    vectors = np.asarray(embedder.embed_images([pixels]), dtype=np.float32)
    return vectors.reshape(len(vectors), -1)[0]


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


def _embeddings(
    stages: _Stages,
    notices: list[str],
    store: CaseStore | None,
    embedder: Embedder | None,
    decoded: DecodedImage | None,
    sha: str | None,
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
    if decoded is None or sha is None:  # a report checked without an image
        stages.skip("image_embedding")
    else:
        img_vec = _image_vector(stages, notices, embedder, decoded, sha, image_embedding, cache, settings)
    txt_vec: np.ndarray | None = None
    with stages.run("text_embedding") as st:
        text_sha = sha256_hex(query_text.encode("utf-8"))
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


def _image_vector(
    stages: _Stages,
    notices: list[str],
    embedder: Embedder,
    decoded: DecodedImage,
    sha: str,
    image_embedding: np.ndarray | None,
    cache: EmbeddingCache | None,
    settings: Settings,
) -> np.ndarray | None:
    """The query image's vector: given, cached, or computed (and cached); None with a notice on failure."""
    img_vec: np.ndarray | None = None
    with stages.run("image_embedding") as st:
        key = _image_model_key(embedder)
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
    return img_vec


def _retrieve(
    stages: _Stages,
    notices: list[str],
    store: CaseStore | None,
    embedder: Embedder | None,
    img_vec: np.ndarray | None,
    txt_vec: np.ndarray | None,
    fts_query: FindingsQuery | str,
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
            matches, mismatch = retrieve_or_text_only(
                store, image_embedding=img_vec, text_embedding=txt_vec, query_text=fts_query,
                settings=settings, embed_model=embed_model, where=where, fts_max_df=FTS_MAX_DF,
            )
            if mismatch is not None:
                notices.append(f"{mismatch.user_message} Similar cases were found by text search only.")
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
    check_status: CheckStatus = "checked",
) -> VerificationResult:
    issues = _sort_issues(merge_issues(offline_issues, list(outcome.issues)))
    verdict: Verdict = strictest(outcome.verdict, verdict_from_issues(issues))
    answered_by = outcome.answered_by or verifier.name
    # the offline checks could not run (not a report, no sections): never "consistent"; an error still
    # stands, and an LLM's own "needs review" too
    unchecked = check_status != "checked" and verdict != "inconsistent"
    if unchecked and (answered_by == "offline" or verdict == "consistent"):
        verdict = "not_checked"
    all_notices = list(outcome.notices)
    if answered_by == "offline" and verifier.name == "offline":
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
        review_notes=list(outcome.review_notes),
        check_status=check_status,
        matches=matches,
        relied_on_case_ids=list(outcome.relied_on_case_ids),
        timings_ms=dict(stages.timings),
        embed_model=embedder.name if embedder is not None else None,
        verifier=answered_by,
        notices=_dedup(all_notices),
        llm_failures=int(outcome.failures),
    )
