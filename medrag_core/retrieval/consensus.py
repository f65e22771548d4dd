"""Neighbour consensus: what the most similar archive cases report that this report does not, and the reverse.

Inputs: the parsed report and the retrieved matches. The neighbours are the ``k`` best matches by image
similarity (``image_rank``; ``path="text"``: by the fused text rank, weighed by the text similarity),
less those whose similarity is below ``similarity_floor``; each neighbour's findings + impression are parsed with
``reports.parse_report`` (memoised per case id and text) and reduced, per observation name, to
present / absent / uncertain (laterality is ignored here: left/right conflicts are the checks' job; a
qualified negation such as "no *large* effusion" counts as uncertain).
Each neighbour weighs its image similarity (inner product, clipped at 0; all equal when every score
is 0 or missing). Shares below are weighted shares of the neighbours.

Two kinds of disagreement, each an ``Issue(kind="neighbour_disagreement", origin="consensus")`` whose
``case_ids`` are the neighbours behind it, whose ``finding`` is the observation name and whose
``strength`` is the weighted share:

- **omission**: an observation that neighbours report present which this report does not mention or
  negates. ``warning`` only for a clear majority: a share >= ``min_share`` (default 0.8) with
  >= ``min_neighbours`` (default 4) of them; ``info`` when the share is >= ``info_share`` with >= 2.
- **unsupported**: an observation this report asserts as present which a clear majority of neighbours
  state is absent (``warning``, same thresholds), or which none of at least ``min_neighbours``
  neighbours reports present (``info``; strength 1 - share present).

Calibrated on the IU reports' MeSH headings on the text path (``bench.relevance``, figures in
docs/benchmarks.md): the thresholds of a majority (0.6 of 3) warned about 2% of normal reports. The
image path uses the same rules; its similarity floor waits for real MedSigLIP weights to be measured.

An observation the report states as uncertain is never flagged. Never stronger than ``warning``: a
consensus is a prompt to look again, not proof. ``evidence`` is the report's sentence when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from medrag_core.models import Issue, Match
from medrag_core.reports import Observation, ParsedReport, parse_report, strongest_polarity

__all__ = ["NeighbourFindings", "neighbour_consensus", "neighbour_findings"]

KIND = "neighbour_disagreement"
ConsensusPath = Literal["image", "text"]


@dataclass(frozen=True)
class NeighbourFindings:
    """One neighbour's observation names by polarity (names as ``reports`` spells them)."""

    case_id: str
    weight: float
    present: frozenset[str] = field(default_factory=frozenset)
    absent: frozenset[str] = field(default_factory=frozenset)
    uncertain: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=4096)
def _polarities(case_id: str, text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(present, absent, uncertain) names of one case's report; memoised by (case id, text).

    A name stated present anywhere counts as present; else uncertain; else absent. Keyed by the text as
    well as the id, so a re-ingested case whose report changed is parsed again.
    """
    del case_id  # part of the memo key only
    by_name: dict[str, set[str]] = {}
    for obs in parse_report(text).observations:
        by_name.setdefault(obs.name, set()).add(_polarity(obs))
    state = {name: strongest_polarity(pols) for name, pols in by_name.items()}
    present = frozenset(n for n, s in state.items() if s == "present")
    uncertain = frozenset(n for n, s in state.items() if s == "uncertain")
    absent = frozenset(n for n, s in state.items() if s == "absent")
    return present, absent, uncertain


def neighbour_findings(
    matches: Sequence[Match], k: int, *, path: ConsensusPath = "image", similarity_floor: float | None = None
) -> list[NeighbourFindings]:
    """The ``k`` best neighbours on ``path`` with their observations and weights.

    ``path="image"``: by ``image_rank``, weighed by ``image_score``; ``"text"``: by ``text_rank``,
    weighed by ``text_score`` (the text embedding's similarity). Neighbours whose similarity is below
    ``similarity_floor`` (None: no floor) are left out; a missing similarity counts as 0 against a floor.
    """
    rank_of = (lambda m: m.image_rank) if path == "image" else (lambda m: m.text_rank)
    score_of = (lambda m: m.image_score) if path == "image" else (lambda m: m.text_score)
    ranked = sorted((m for m in matches if rank_of(m) is not None), key=lambda m: rank_of(m) or 0)[:k]
    if similarity_floor is not None:
        ranked = [m for m in ranked if float(score_of(m) or 0.0) >= similarity_floor]
    weights = [max(float(score_of(m) or 0.0), 0.0) for m in ranked]
    if not any(weights):
        weights = [1.0] * len(ranked)
    out = []
    for match, weight in zip(ranked, weights, strict=True):
        present, absent, uncertain = _polarities(match.case.case_id, match.case.report_text)
        out.append(NeighbourFindings(match.case.case_id, weight, present, absent, uncertain))
    return out


def neighbour_consensus(
    parsed: ParsedReport,
    matches: Sequence[Match],
    *,
    k: int = 5,
    min_share: float = 0.8,
    min_neighbours: int = 4,
    info_share: float = 0.4,
    path: ConsensusPath = "image",
    similarity_floor: float | None = None,
) -> list[Issue]:
    """Disagreements between the report (``reports.ParsedReport``) and its neighbours on ``path``.

    See the module docstring for the rules. Returns issues ordered by severity, then strength
    (strongest first), then observation name. Fewer than 2 neighbours (after ``similarity_floor``)
    give no issues.
    """
    neighbours = neighbour_findings(matches, k, path=path, similarity_floor=similarity_floor)
    if len(neighbours) < 2:
        return []
    total = sum(n.weight for n in neighbours)
    report_state, sentence = _report_state(parsed.observations)

    issues: list[tuple[int, float, str, Issue]] = []
    names = set().union(*(n.present | n.absent for n in neighbours)) | set(report_state)
    for name in sorted(names):
        state = report_state.get(name)
        if state == "uncertain":
            continue
        have = [n for n in neighbours if name in n.present]
        share_present = sum(n.weight for n in have) / total
        if state in (None, "absent"):
            severity = _grade(share_present, len(have), min_share, min_neighbours, info_share)
            if severity:
                how = "does not mention it" if state is None else "states it is absent"
                message = (
                    f"{len(have)} of the {len(neighbours)} most similar cases ({share_present:.0%} by similarity) "
                    f"report {_label(name)}; this report {how}."
                )
                issues.append(_issue(severity, message, name, have, share_present, sentence.get(name, "")))
        elif state == "present":
            deny = [n for n in neighbours if name in n.absent]
            share_absent = sum(n.weight for n in deny) / total
            if share_absent >= min_share and len(deny) >= min_neighbours:
                message = (
                    f"{len(deny)} of the {len(neighbours)} most similar cases ({share_absent:.0%} by similarity) "
                    f"state there is no {_label(name)}; this report states it is present."
                )
                issues.append(_issue("warning", message, name, deny, share_absent, sentence.get(name, "")))
            elif not have and len(neighbours) >= min_neighbours:
                message = (
                    f"None of the {len(neighbours)} most similar cases reports {_label(name)}; "
                    "this report states it is present."
                )
                others = [n for n in neighbours if name not in n.present]
                issues.append(_issue("info", message, name, others, 1.0 - share_present, sentence.get(name, "")))
    issues.sort(key=lambda t: (t[0], -t[1], t[2]))
    return [issue for *_, issue in issues]


def _grade(share: float, count: int, min_share: float, min_neighbours: int, info_share: float) -> str | None:
    if share >= min_share and count >= min_neighbours:
        return "warning"
    if share >= info_share and count >= 2:
        return "info"
    return None


def _issue(severity: str, message: str, name: str, behind: Iterable[NeighbourFindings], strength: float,
           evidence: str) -> tuple[int, float, str, Issue]:
    issue = Issue(
        kind=KIND,
        severity=severity,  # type: ignore[arg-type]
        message=message,
        evidence=evidence,
        suggestion=f"Look again for {_label(name)} on the image and compare with the similar cases.",
        origin="consensus",
        finding=name,
        case_ids=[n.case_id for n in behind],
        strength=round(min(max(strength, 0.0), 1.0), 4),
    )
    return (0 if severity == "warning" else 1, strength, name, issue)


def _report_state(observations: Iterable[Observation]) -> tuple[dict[str, str], dict[str, str]]:
    """Per name: "present" if stated present anywhere, else "uncertain", else "absent"; and its sentence."""
    polarities: dict[str, set[str]] = {}
    sentence: dict[str, dict[str, str]] = {}
    for obs in observations:
        polarity = _polarity(obs)
        polarities.setdefault(obs.name, set()).add(polarity)
        sentence.setdefault(obs.name, {}).setdefault(polarity, (obs.text or "").strip())
    state: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for name, pols in polarities.items():
        state[name] = strongest_polarity(pols)
        chosen[name] = sentence[name].get(state[name], "")
    return state, chosen


def _polarity(obs: Observation) -> str:
    """The observation's polarity; a qualified negation ("no *large* effusion") does not rule out: uncertain."""
    if obs.polarity == "absent" and getattr(obs, "qualified", False):
        return "uncertain"
    return obs.polarity


def _label(name: str) -> str:
    return name.replace("_", " ").lower()
