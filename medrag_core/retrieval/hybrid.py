"""Hybrid retrieval: image kNN, text kNN fused with full-text search, then image + text fusion.

Three candidate lists, each of ``candidates`` (default 50) best cases, any of which may be absent:

1. **image**: ``store.knn("image", image_embedding)``, inner product of unit vectors;
2. **text embedding**: ``store.knn("text", text_embedding)`` (MedSigLIP text tower);
3. **full text**: for a ``FindingsQuery`` (what Verify passes: ``findings.findings_query``), the
   cases that affirm the report's findings (``findings.findings_search``: one indexed search per
   finding, weighted by how rare it is, nothing dropped for being common); for a plain string,
   ``store.text_search(query_text)`` (Postgres FTS; Browse's words). Both also find cases that have
   no text embedding. For a string, with ``fts_max_df`` (Verify passes ``FTS_MAX_DF``) and a non-empty embedding
   list beside it, terms found in more than that share of the archive are left out of the query
   (``text_search``'s ``max_df``), and the list is empty when no discriminative term is left: words such as "lungs",
   "heart" or "effusion" are in most reports, tell cases apart little, and would make the search rank
   most of the archive (linear in its size).

On a store that serves parallel calls (``store.ParallelReads``: Postgres, a connection each) the three
lists are asked for at once, so the hybrid costs about its slowest list rather than the sum.

Lists 2 and 3 are merged into one **text list** by unweighted reciprocal rank fusion. The image list and
the text list are then fused by ``settings.fusion``:

- ``"rrf"`` (default): ``image_weight / (60 + image_rank) + text_weight / (60 + text_rank)``, a term
  only for the lists a case is in; cases whose fused score is 0 (only in a list of weight 0) are dropped.
- ``"sum_scores"`` (the original MedRAG, for comparison): ``image_weight * image_score +
  text_weight * text_score`` over the union of the image and text-embedding lists, a missing score
  counting 0. Full-text search does not change this score (its ``fts_score`` is still reported); when
  neither embedding is given, the text list's order is used instead.

Every ``Match`` carries ``image_score`` / ``text_score`` (inner products), ``fts_score`` (the store's
text rank), ``image_rank`` (1-based, in the image list), ``text_rank`` (1-based, in the list the method
used: the fused text list for ``rrf``, the text-embedding list for ``sum_scores``), ``fused_score`` and
``fused_rank`` (1-based). Ties are broken by the best single rank, then ``case_id``, so the order is
deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from medrag_core.models import Case, Match
from medrag_core.retrieval.findings import FindingsQuery, findings_search
from medrag_core.store import ParallelReads

if TYPE_CHECKING:
    from medrag_core.reports import ParsedReport
    from medrag_core.settings import Settings
    from medrag_core.store import CaseFilter, CaseStore, ScoredCase

RRF_K = 60
DEFAULT_CANDIDATES = 50
FTS_MAX_DF = 0.05  # Verify's hybrid search leaves out query terms found in more than 5% of the archive
# The hybrid's second and third lists, for every caller in the process (the first runs on the caller's thread).
_EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="medrag-retrieve")

__all__ = [
    "DEFAULT_CANDIDATES",
    "FTS_MAX_DF",
    "RRF_K",
    "fuse_rrf",
    "fuse_sum",
    "rank_ids",
    "report_search_query",
    "retrieve",
]

_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOP = frozenset(
    "the and with without there are is was were has have had for from this that these those into onto over under "
    "not seen noted there its than then also may might can could which who whom when where while again since "
    "compared prior study view views frontal lateral portable findings impression report".split()
)


def fuse_rrf(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, *, k: int = RRF_K
) -> dict[str, float]:
    """Weighted reciprocal rank fusion: ``sum_l weights[l] / (k + rank_l(id))`` with 1-based ranks.

    ``rankings``: lists of ids, best first (repeats are dropped before ranking: an id counts at its first place).
    ``weights``: one per list (default all 1). Returns id -> fused score for every id in any list.
    """
    weights = _weights(weights, len(rankings))
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def fuse_sum(scores: Sequence[Mapping[str, float]], weights: Sequence[float] | None = None) -> dict[str, float]:
    """Weighted sum of raw scores: ``sum_l weights[l] * scores[l].get(id, 0)`` over the union of ids.

    This is the original MedRAG fusion (sum of the inner products of two top-50 lists).
    """
    weights = _weights(weights, len(scores))
    fused: dict[str, float] = {}
    for score_map, weight in zip(scores, weights, strict=True):
        for item, score in score_map.items():
            fused[item] = fused.get(item, 0.0) + weight * float(score)
    return fused


def rank_ids(fused: Mapping[str, float], tiebreak: Mapping[str, int] | None = None) -> list[str]:
    """Ids by fused score, best first; ties by ``tiebreak`` (smaller first, missing last), then id."""
    tiebreak = tiebreak or {}
    return sorted(fused, key=lambda item: (-fused[item], tiebreak.get(item, 1 << 30), item))


@dataclass
class _Candidate:
    case: Case
    image_score: float | None = None
    image_rank: int | None = None
    text_score: float | None = None
    text_embed_rank: int | None = None
    fts_score: float | None = None
    text_rank: int | None = None


def retrieve(
    store: CaseStore,
    *,
    image_embedding: np.ndarray | None,
    text_embedding: np.ndarray | None,
    query_text: str | FindingsQuery | None,
    settings: Settings,
    embed_model: str,
    where: CaseFilter | None = None,
    k: int | None = None,
    candidates: int = DEFAULT_CANDIDATES,
    fts_max_df: float | None = None,
) -> list[Match]:
    """The ``k`` (default ``settings.top_k``) best cases for an image and/or a text, fused.

    Any of ``image_embedding``, ``text_embedding`` and ``query_text`` may be None (or empty text) to
    skip that list; ``query_text`` a ``FindingsQuery`` searches by the findings it holds (``fts_max_df``
    then prunes only its word list, never a finding). ``embed_model`` names the model of the embeddings
    (the store refuses vectors of another model with ``ModelMismatch``). Store errors propagate. Cases are
    taken from the candidate
    lists the store returned (no further queries). ``fts_max_df``: when an embedding list found cases too, the
    full-text query drops terms found in more than this share of the archive (see the module docstring);
    None (the default), or no embedding hits (a text-only archive), searches ``query_text`` as given.
    """
    k = settings.top_k if k is None else k
    if k < 1:
        return []
    n = max(candidates, k)
    pool: dict[str, _Candidate] = {}

    def add(hits: Sequence[ScoredCase]) -> list[_Candidate]:
        out = []
        for hit in hits:
            cand = pool.get(hit.case.case_id)
            if cand is None:
                cand = pool[hit.case.case_id] = _Candidate(case=hit.case)
            out.append(cand)
        return out

    embedded = image_embedding is not None or text_embedding is not None

    def full_text(pruned: bool) -> list[ScoredCase]:
        if isinstance(query_text, FindingsQuery):
            return findings_search(store, query_text, n, where=where, max_df=fts_max_df if pruned else None)
        if query_text is not None and query_text.strip():
            if fts_max_df is not None and pruned:
                return store.text_search(query_text, n, where=where, max_df=fts_max_df)
            return store.text_search(query_text, n, where=where)
        return []

    # The three lists are independent queries: on a store with a connection each, they run side by side
    # (the hybrid then costs about its slowest list, not their sum). The full text is pruned when an
    # embedding list is asked for, and run again unpruned below if the embedding lists come back empty.
    calls: dict[str, Callable[[], list[ScoredCase]]] = {}
    if image_embedding is not None:
        calls["image"] = lambda: store.knn("image", _vector(image_embedding), n, embed_model=embed_model, where=where)
    if text_embedding is not None:
        calls["text"] = lambda: store.knn("text", _vector(text_embedding), n, embed_model=embed_model, where=where)
    if (query_text.strip() if isinstance(query_text, str) else query_text):
        calls["fts"] = lambda: full_text(embedded)
    lists = _run_side_by_side(store, calls)

    image_ids: list[str] = []
    hits = lists.get("image", [])
    for rank, (hit, cand) in enumerate(zip(hits, add(hits), strict=True), start=1):
        if cand.image_rank is None:
            cand.image_score, cand.image_rank = float(hit.score), rank
            image_ids.append(hit.case.case_id)

    text_embed_ids: list[str] = []
    hits = lists.get("text", [])
    for rank, (hit, cand) in enumerate(zip(hits, add(hits), strict=True), start=1):
        if cand.text_embed_rank is None:
            cand.text_score, cand.text_embed_rank = float(hit.score), rank
            text_embed_ids.append(hit.case.case_id)

    fts_ids: list[str] = []
    hits = lists.get("fts", [])
    if fts_max_df is not None and embedded and not (image_ids or text_embed_ids) and "fts" in calls:
        hits = full_text(False)  # nothing embedded in the archive (text only): the full text is all there is
    if hits:
        if settings.fusion == "sum_scores" and (image_ids or text_embed_ids):
            # Annotate only: full-text hits do not join the original MedRAG's candidate set.
            hits = [hit for hit in hits if hit.case.case_id in pool]
        for hit, cand in zip(hits, add(hits), strict=True):
            if cand.fts_score is None:
                cand.fts_score = float(hit.score)
                fts_ids.append(hit.case.case_id)

    text_fused = fuse_rrf([text_embed_ids, fts_ids])
    text_ids = rank_ids(text_fused, _best_rank(pool, "text_embed_rank"))

    if settings.fusion == "sum_scores" and (image_ids or text_embed_ids):
        for rank, case_id in enumerate(text_embed_ids, start=1):
            pool[case_id].text_rank = rank
        fused = fuse_sum(
            [
                {cid: pool[cid].image_score for cid in image_ids},  # type: ignore[misc]
                {cid: pool[cid].text_score for cid in text_embed_ids},  # type: ignore[misc]
            ],
            [settings.image_weight, settings.text_weight],
        )
    else:
        for rank, case_id in enumerate(text_ids, start=1):
            pool[case_id].text_rank = rank
        if image_ids and text_ids:
            fused = fuse_rrf([image_ids, text_ids], [settings.image_weight, settings.text_weight])
            fused = {cid: score for cid, score in fused.items() if score > 0}
        elif image_ids:
            fused = fuse_rrf([image_ids])
        else:
            fused = fuse_rrf([text_ids])

    tiebreak = {
        cid: min(r for r in (c.image_rank, c.text_rank) if r is not None)
        for cid, c in pool.items()
        if c.image_rank is not None or c.text_rank is not None
    }
    matches = []
    for fused_rank, case_id in enumerate(rank_ids(fused, tiebreak)[:k], start=1):
        cand = pool[case_id]
        matches.append(
            Match(
                case=cand.case,
                image_score=cand.image_score,
                text_score=cand.text_score,
                fts_score=cand.fts_score,
                image_rank=cand.image_rank,
                text_rank=cand.text_rank,
                fused_score=float(fused[case_id]),
                fused_rank=fused_rank,
            )
        )
    return matches


def report_search_query(parsed: ParsedReport, text: str, *, max_terms: int = 24) -> str:
    """A full-text query (Postgres ``websearch_to_tsquery`` syntax) that finds cases like a whole report.

    A report as a query would AND all its words and match nothing, so this ORs a few phrases: the
    report's own words for the observations it states as present or uncertain (``parsed`` is a
    ``reports.ParsedReport``), quoted as phrases; for a report with none (a normal study), its
    content words, less the words of the findings it negates. At most ``max_terms`` phrases; only
    letters and digits survive (plus the ``or`` and quotes added here), so report text cannot inject
    query syntax. Returns "" when nothing is left.
    """
    phrases: list[str] = []
    negated: set[str] = set()
    for obs in getattr(parsed, "observations", ()):
        words = _WORD.findall((getattr(obs, "term", "") or obs.name).lower())
        if obs.polarity in ("present", "uncertain"):
            if words:
                phrases.append(f'"{" ".join(words)}"' if len(words) > 1 else words[0])
        else:
            negated.update(words)
    if not phrases:
        phrases = [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP and w not in negated]
    unique = list(dict.fromkeys(phrases))[:max_terms]
    return " or ".join(unique)


def _run_side_by_side(
    store: CaseStore, calls: Mapping[str, Callable[[], list[ScoredCase]]]
) -> dict[str, list[ScoredCase]]:
    """Each call's result by name: at once where the store serves parallel calls, else one after another.
    The first call runs on this thread; an error is raised after every call has ended (the first by
    ``calls``' order)."""
    names = list(calls)
    if len(names) < 2 or not isinstance(store, ParallelReads) or store.max_parallel_reads < 2:
        return {name: calls[name]() for name in names}
    futures = {name: _EXECUTOR.submit(calls[name]) for name in names[1:]}
    results: dict[str, list[ScoredCase]] = {}
    errors: dict[str, BaseException] = {}
    try:
        results[names[0]] = calls[names[0]]()
    except Exception as exc:  # re-raised below, after the others have ended
        errors[names[0]] = exc
    for name, future in futures.items():
        try:
            results[name] = future.result()
        except Exception as exc:  # re-raised below
            errors[name] = exc
    for name in names:
        if name in errors:
            raise errors[name]
    return results


def _vector(embedding: np.ndarray) -> np.ndarray:
    vec = np.asarray(embedding, dtype=np.float32)
    return vec.reshape(-1) if vec.ndim == 2 and vec.shape[0] == 1 else vec


def _best_rank(pool: Mapping[str, _Candidate], attr: str) -> dict[str, int]:
    return {cid: getattr(c, attr) for cid, c in pool.items() if getattr(c, attr) is not None}


def _weights(weights: Sequence[float] | None, n: int) -> list[float]:
    if weights is None:
        return [1.0] * n
    if len(weights) != n:
        raise ValueError(f"expected {n} weights, got {len(weights)}")
    return [float(w) for w in weights]
