"""The full-text list of hybrid retrieval, built from what a report affirms.

A report's content words ORed together search for what it negates too ("No pleural effusion" finds
effusions), match every archive report that merely mentions a finding to rule it out, and cost time
linear in the archive (which the old 5% pruning bought back by dropping common findings). So the
search works from findings instead:

- ``findings_query(parsed)``: the finding labels the report affirms (``reports.observation_labels``:
  canonical names, whatever synonym or spelling the report used; the same function ETL stores as
  case labels, so query and archive speak one vocabulary), and what it only suspects ("borderline
  cardiomegaly": searched like an affirmed finding). A report that affirms nothing but devices
  is ``"No Finding"``, the label normal archive reports carry. ``text``: a web-search query of the
  affirmed mentions (the report's own words and the canonical names) and of the words the vocabulary
  has no name for, from sentences that do not only rule out; never a negated mention.
- ``findings_search(store, query, k)``: two lists fused by RRF. The label list: cases sharing the
  most (and the rarest) findings before cases sharing fewer. Each subset of the
  query's ``MAX_LABELS`` rarest findings is one ``store.label_search`` (a GIN index lookup that stops
  at ``k`` rows: no term is ever too common to search, and the cost does not grow with the archive),
  taken in order of its weight, the sum of its labels' inverse document frequencies
  ``log(1 + N / df)``; a common finding still counts (about 1 at 40% of the archive against about 5
  for a finding in 1%). A case that only rules a finding out never matches. The word list: ``text``
  ranked among the cases that carry the rarest label; its pruning (``max_df``) is scaled by that
  label's share of the archive, and the store ranks a bounded number of matches. For a normal
  report the word list alone orders the normal cases (they all share the one label, so the label
  list's order says nothing) and the label list only fills up to ``k``.

Within one subset the store's order is arbitrary; the word list and the hybrid's fusion with the
text embedding order them. An archive whose cases carry no labels (written without ETL) is searched
by the words alone. ``bench.relevance`` measures the result against the IU reports' MeSH headings.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from medrag_core.reports import DEVICE_NAMES, NO_FINDING_LABEL, ParsedReport, observation_labels, split_sentences

if TYPE_CHECKING:
    from medrag_core.store import CaseFilter, CaseStore, ScoredCase

__all__ = ["NORMAL_LABEL", "FindingsQuery", "findings_query", "findings_search"]

NORMAL_LABEL = NO_FINDING_LABEL  # the vocabulary's label of a normal report ("No Finding")
# Words that say nothing a case could be found by: function words, the report's frame, and the anatomy
# and verdicts of normal statements ("heart size is normal", "no acute cardiopulmonary process").
_GENERIC = frozenset(
    "the and with without there are is was were has have had for from this that these those into onto over under "
    "not seen noted its than then also may might can could which who whom when where while again since "
    "compared prior study view views frontal lateral portable findings impression report no none "
    "normal clear unremarkable within limits stable unchanged acute chronic evidence identified visualized "
    "heart size lungs lung pulmonary cardiac cardiomediastinal mediastinal mediastinum silhouette silhouettes "
    "contour contours vascularity vasculature pleural space spaces osseous bony structures chest cardiopulmonary "
    "process disease abnormality abnormalities focal appear appears appearance xxxx both bilateral grossly "
    "intact negative well expanded there otherwise".split()
)
MAX_LABELS = 3  # the rarest affirmed findings searched: at most 7 label subsets, one indexed query each
DF_TTL_S = 300.0  # how long label counts are reused (they change only with ingests)

_WORD = re.compile(r"[a-z][a-z0-9]+")
_SKIP_LABELS = frozenset({"Support Devices"})  # devices say little about what the image shows


@dataclass(frozen=True)
class FindingsQuery:
    """``labels``: affirmed canonical finding names (``("No Finding",)`` for a normal report), best
    searched first is decided by ``findings_search``; ``text``: the phrases to rank by (web-search
    syntax, letters, digits, quotes and ``or`` only)."""

    labels: tuple[str, ...]
    text: str
    # the whole report's content words (``hybrid.report_search_query``): for an archive written without
    # labels, where a normal report's own words ("lungs are clear") are what its normal neighbours share
    unlabelled_text: str = ""

    @property
    def normal(self) -> bool:
        return self.labels == (NORMAL_LABEL,)

    def __bool__(self) -> bool:
        return bool(self.labels)


def findings_query(parsed: ParsedReport, *, max_phrases: int = 24) -> FindingsQuery:
    """What ``parsed`` (a ``reports.ParsedReport``) affirms, as labels and a ranking query.

    ``text``: the affirmed mentions (the report's own words and the canonical name, as phrases), then
    the content words of the sentences that do not only rule findings out (what the vocabulary has no
    name for: "low lung volumes", "tortuous aorta", "osteophytes"), less the words of negated mentions
    and the generic words of normal statements.
    """
    labels = tuple(label for label in observation_labels(parsed) if label not in _SKIP_LABELS)
    # What the report only suspects ("borderline cardiomegaly", "probable hiatal hernia") is still what it is
    # about: searched like an affirmed finding, never as a normal study.
    suspected = sorted({obs.name for obs in parsed.observations
                        if obs.polarity == "uncertain" and obs.section != "INDICATION" and obs.name not in _SKIP_LABELS
                        and obs.name not in DEVICE_NAMES})  # fmt: skip
    labels = tuple(sorted({*labels, *suspected} - ({NORMAL_LABEL} if suspected else set())))
    if not labels:  # devices alone: search like a normal study
        labels = (NORMAL_LABEL,)
    phrases: list[str] = []
    negated_words: set[str] = set()
    ruling_out: set[str] = set()
    affirming: set[str] = set()
    for obs in parsed.observations:
        if obs.section == "INDICATION":
            continue
        if obs.polarity in ("present", "uncertain") and obs.name in labels:
            phrases.extend((_phrase(obs.term), _phrase(obs.name)))
        if obs.polarity == "absent":
            negated_words.update(_WORD.findall(f"{obs.term} {obs.name}".lower()))
            ruling_out.add(obs.text)
        else:
            affirming.add(obs.text)
    for section in ("FINDINGS", "IMPRESSION"):
        for _, sentence in split_sentences(parsed.sections.get(section, "") or ""):
            if sentence in ruling_out and sentence not in affirming:
                continue
            phrases.extend(
                w for w in _WORD.findall(sentence.lower())
                if len(w) > 2 and w not in _GENERIC and w not in negated_words
            )
    unique = [p for p in dict.fromkeys(phrases) if p][:max_phrases]
    from medrag_core.retrieval.hybrid import report_search_query

    return FindingsQuery(labels=labels, text=" or ".join(unique),
                         unlabelled_text=report_search_query(parsed, parsed.text, max_terms=max_phrases))


def findings_search(
    store: CaseStore, query: FindingsQuery, k: int, *, where: CaseFilter | None = None,
    max_df: float | None = None,
) -> list[ScoredCase]:
    """Up to ``k`` cases that affirm the query's findings, best first (see the module docstring).

    Two lists fused by reciprocal rank fusion: the label list (every affirmed finding, by the weight
    of the findings shared) and the word list (``store.text_search`` of ``query.text`` among the cases
    that carry the query's rarest label, ranked by cover density). ``max_df``: the word list leaves
    out words found in more than this share of the archive (``text_search``'s pruning; the hybrid
    passes it to keep the query fast), never a finding: the label list keeps them all.
    ``ScoredCase.score`` is the fused score. Store errors propagate.
    """
    from medrag_core.retrieval.hybrid import RRF_K

    if not query or k <= 0:
        return []
    weights = {label: _idf(store, label) for label in query.labels}
    rarest = sorted(query.labels, key=lambda label: (-weights[label], label))[:MAX_LABELS]
    by_label = _label_list(store, rarest, weights, k, where)
    by_words: list[ScoredCase] = []
    if query.text:
        within = _with_label(where, rarest[0])
        if max_df is None:
            by_words = store.text_search(query.text, k, where=within)
        else:
            # The word list ranks only the cases carrying the rarest label, so a word costs its share of those
            # cases, not of the archive: ``max_df`` is scaled by the label's share (a rare label prunes nothing;
            # the store still bounds how many cases it ranks).
            word_max_df = min(1.0, max_df / _share(store, rarest[0]))
            by_words = store.text_search(query.text, k, where=within, max_df=word_max_df)
    if not by_label and not by_words and (query.text or query.unlabelled_text):
        # No case carries the labels (an archive written without them): the words alone, unrestricted;
        # then, for a normal report, its whole wording (what normal reports share).
        by_words = store.text_search(query.text, k, where=where) if query.text else []
        if not by_words and query.unlabelled_text:
            by_words = store.text_search(query.unlabelled_text, k, where=where)
    if query.normal and by_words:
        # All normal cases share the one label, so the label list is in the store's arbitrary order: the words
        # (what the vocabulary has no name for: "low lung volumes", "degenerative changes") order them instead,
        # and the label list only fills up to ``k``.
        by_label = [hit for hit in by_label if hit.case.case_id not in {h.case.case_id for h in by_words}]
        return [replace(hit, score=1.0 / (RRF_K + rank))
                for rank, hit in enumerate([*by_words, *by_label][:k], start=1)]  # fmt: skip
    fused: dict[str, float] = {}
    cases: dict[str, ScoredCase] = {}
    for hits in (by_words, by_label):
        for rank, hit in enumerate(hits, start=1):
            fused[hit.case.case_id] = fused.get(hit.case.case_id, 0.0) + 1.0 / (RRF_K + rank)
            cases.setdefault(hit.case.case_id, hit)
    order = sorted(fused, key=lambda cid: -fused[cid])[:k]  # stable: ties keep the word list's order
    return [replace(cases[cid], score=fused[cid]) for cid in order]


def _label_list(
    store: CaseStore, rarest: list[str], weights: dict[str, float], k: int, where: CaseFilter | None
) -> list[ScoredCase]:
    """Cases sharing the most (then the rarest) of ``rarest``, by the summed idf of what they share."""
    subsets = [combo for size in range(len(rarest), 0, -1) for combo in itertools.combinations(rarest, size)]
    subsets.sort(key=lambda combo: -sum(weights[label] for label in combo))  # stable: larger first on ties
    found: dict[str, ScoredCase] = {}
    for combo in subsets:
        # Every case with a superset of ``combo`` was taken by an earlier query that returned all it had
        # (else ``k`` was reached): so what this one adds shares exactly ``combo``.
        hits = store.label_search(list(combo), k + len(found), where=where)
        weight = sum(weights[label] for label in combo)
        for hit in hits:
            if hit.case.case_id not in found and len(found) < k:
                found[hit.case.case_id] = replace(hit, score=weight)
        if len(found) >= k:
            break
    return list(found.values())


def _with_label(where: CaseFilter | None, label: str) -> CaseFilter:
    from medrag_core.store import CaseFilter

    if where is None:
        return CaseFilter(labels=(label,))
    return replace(where, labels=tuple(dict.fromkeys((*where.labels, label))))


def _phrase(words: str) -> str:
    found = _WORD.findall((words or "").lower())
    if not found:
        return ""
    return f'"{" ".join(found)}"' if len(found) > 1 else found[0]


_DF_LOCK = threading.Lock()
# (store id, label) -> (store, time, count); label "" holds the archive size. The store itself is kept so
# that its id cannot be reused by another store while the entry lives.
_DF_CACHE: dict[tuple[int, str], tuple[object, float, int]] = {}


def _idf(store: CaseStore, label: str) -> float:
    """``log(1 + N / df)`` of a label in the archive (counts cached ``DF_TTL_S`` per store)."""
    return math.log(1.0 + 1.0 / _share(store, label))


def _share(store: CaseStore, label: str) -> float:
    """``df / N``: the share of the archive carrying ``label`` (at least one case's share)."""
    from medrag_core.store import CaseFilter

    df = _count(store, label, lambda: store.count(CaseFilter(labels=(label,))))
    total = max(_count(store, "", lambda: store.count()), 1)
    return max(df, 1) / max(total, df, 1)


def _count(store: CaseStore, label: str, count: Callable[[], int]) -> int:
    key, now = (id(store), label), time.monotonic()
    with _DF_LOCK:
        cached = _DF_CACHE.get(key)
    if cached is not None and cached[0] is store and now - cached[1] <= DF_TTL_S:
        return cached[2]
    value = count()
    with _DF_LOCK:
        if len(_DF_CACHE) > 4096:
            _DF_CACHE.clear()
        _DF_CACHE[key] = (store, now, value)
    return value


def clear_label_counts() -> None:
    """Forget the cached label counts (after an ingest in the same process, or between tests)."""
    with _DF_LOCK:
        _DF_CACHE.clear()

