"""The checks that one finding is stated alike: within a section, and in size and change across the two.

``section_contradictions`` (a finding affirmed and plainly ruled out within one section), ``size_mismatches`` /
``change_mismatches`` (one finding at one side and zone given another size or temporal change in the other
section; statements are paired by finding group, side and zone, and only an unambiguous pair, one value per
section at that site, is compared). Each returns a list of ``Issue``; ``checks.run_checks`` calls them in the
order of ``checks.KINDS``. ``negation`` reads a plain negation as ``section_contradictions`` does
(``_plain_negation``), and ``omission`` grades an effusion's size as ``size_mismatches`` does (``_size_bounds``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from medrag_core.models import Issue
from medrag_core.reports.checks.pairing import (
    _BARE_OPACITY,
    _BOTH,
    _explained_away,
    _group,
    _historical,
    _one_group_alternative,
    _quote,
    _spans,
    _zones_apart,
    _zones_match,
)
from medrag_core.reports.mentions import Observation
from medrag_core.reports.parse import ParsedReport
from medrag_core.reports.vocabulary import OTHERWISE, groups_checked_by

__all__ = ["change_mismatches", "section_contradictions", "size_mismatches"]

# From the vocabulary ("contradiction" in a finding's checks). Nodules and masses are left out: impressions
# discuss nodules seen elsewhere ("small nodules on the CT").
_CONTRADICTION_GROUPS = groups_checked_by("contradiction")


def _plain_negation(o: Observation) -> bool:
    """A plain negation of the finding itself: not "no XXXX infiltrates" (qualified), "lungs are clear" or
    "normal cardiomediastinal silhouette" (implied), "otherwise negative for", "does not appear to be a
    hydropneumothorax" (a combined finding), "no Hampton hump" (a sign of one cause, not the finding)."""
    return not o.qualified and not o.implied and not o.resolved and not OTHERWISE.search(o.text) \
        and not re.search(r"mediastin|hydro|ha?emo|hampton|\bsign\b", o.term, re.IGNORECASE)


def section_contradictions(parsed: ParsedReport) -> list[Issue]:
    """A finding affirmed and plainly ruled out within one section ("Small right apical pneumothorax.
    ... No pneumothorax."). Same canonical finding, compatible sides, in different sentences; hedged,
    qualified ("no large"), resolved, historical or explained-away mentions do not count."""
    issues = []
    for section in ("FINDINGS", "IMPRESSION"):
        # (speed: the section's mentions filed by group once, in report order, not gone through again for each group)
        by_group: dict[str | None, list[Observation]] = {}
        for o in parsed.section_observations(section):
            by_group.setdefault(_group(o), []).append(o)
        for group in sorted(_CONTRADICTION_GROUPS & by_group.keys()):
            obs = by_group[group]
            negs = [o for o in obs if o.polarity == "absent" and _plain_negation(o)]
            if not negs:
                continue
            pos = [o for o in obs if (o.polarity == "present" or _one_group_alternative(o))
                   and not o.hypothetical
                   and not _explained_away(o, parsed) and not _historical(o) and o.change != "decreased"
                   and not _BARE_OPACITY.match(o.term)]
            hit = next(((n, p) for p in pos for n in negs if n.name == p.name and n.start != p.start
                        and (n.laterality is None or n.laterality in (p.laterality, "bilateral"))
                        and not _zones_apart(n, p)), None)
            if hit is None:
                continue
            n, p = hit
            first, second = sorted(hit, key=lambda o: o.start)
            issues.append(Issue(
                kind="section_contradiction", severity="warning", section=section.lower(), finding=group,
                message=f"The {section} section both reports {group} ('{p.term}') and rules it out ('{n.term}').",
                evidence=_quote(first, second),
                suggestion="Keep the statement that matches the image and remove the other.",
                spans=_spans(first, second),
            ))
    return issues


# --- one finding's size and temporal change, paired across the sections by side and zone -------------------

_SIZE_GROUPS = groups_checked_by("size")
_CHANGE_GROUPS = groups_checked_by("change")
# "trace" and "small" are used too loosely to contradict each other ("minimal" vs "small" effusion): one rank
_SIZE_RANK = {"trace": 0, "small": 0, "moderate": 1, "large": 2, "minimal": 0, "mild": 0, "severe": 2}
# the size grades as said of a process rather than a collection
_DEGREE_WORDS = {"trace": "minimal", "small": "mild", "large": "severe"}
_DIRECTION = {"new": "new or increasing", "increased": "new or increasing", "decreased": "decreasing",
              "stable": "unchanged"}
_MM_RATIO = 1.5  # sizes in millimetres that differ by this factor (and by 3 mm) are two different statements


_NOT_THE_FINDING = re.compile(r"blunt", re.IGNORECASE)
_ARTIFACT = re.compile(r"nipple|artifact|overly|overlap|superimpos|soft\s+tissue|epicardial\s+fat", re.IGNORECASE)


@dataclass(frozen=True)
class _Stated:
    """What one mention says of a finding at one site: ``value`` to compare, ``label`` as said."""

    side: str | None
    zone: str | None
    value: Hashable
    label: str
    mention: Observation


def _size_bounds(size: str) -> tuple[int, int]:
    ranks = [_SIZE_RANK[part] for part in size.split(" to ")]
    return min(ranks), max(ranks)


def _stated(parsed: ParsedReport, section: str, groups: frozenset[str],
            read: Callable[[Observation, str | None], tuple[Hashable, str] | None]) -> dict[str, list[_Stated]]:
    """Per group and site, what the section's affirmed, plainly stated mentions say (``read``: value, label)."""
    out: dict[str, list[_Stated]] = {}
    for o in parsed.section_observations(section):
        group = _group(o)
        if group not in groups or o.polarity != "present" or o.hypothetical \
                or (read(o, None) is None and not o.side_sizes):
            continue
        # a vague opacity is still one statement to pair (its size or change is said of it); a sign (blunting)
        # or a shadow explained as artifact is not the finding
        if _historical(o) or _NOT_THE_FINDING.search(o.term) \
                or (group in ("airspace disease", "nodule or mass") and _ARTIFACT.search(o.text)):
            continue
        for side, zone in o.sites or ((None, None),):
            for one in (("left", "right") if side == "bilateral" else (side,)):
                said = read(o, one)
                if said is not None:
                    out.setdefault(group, []).append(_Stated(one, zone, said[0], said[1], o))
    return out


def _same_site(a: _Stated, b: _Stated) -> bool:
    return (a.side is None or b.side is None or a.side == b.side) and _zones_match(a.zone, b.zone)


def _unambiguous_pair(fnd: list[_Stated], imp: list[_Stated],
                      differ: Callable[[Hashable, Hashable], bool]) -> tuple[_Stated, _Stated] | None:
    """A FINDINGS statement and an IMPRESSION statement at one site that differ, where everything each section
    says at that site is one value (two sizes for one side may be two findings: no pairing then)."""
    for a in fnd:
        for b in imp:
            if not _same_site(a, b):
                continue
            in_fnd = {x.value for x in fnd if _same_site(x, b)}
            in_imp = {x.value for x in imp if _same_site(a, x)}
            if len(in_fnd) == 1 and len(in_imp) == 1 and differ(a.value, b.value):
                return a, b
    return None


def _read_size(o: Observation, side: str | None) -> tuple[Hashable, str] | None:
    if _group(o) == "nodule or mass" and o.size_mm:  # a measured nodule is compared in millimetres
        return o.size_mm, _mm_label(o.size_mm)
    size = dict(o.side_sizes).get(side or "") if o.side_sizes else o.size
    if not size:
        return None
    if _group(o) not in ("pleural effusion", "pneumothorax", "nodule or mass"):  # "mild cardiomegaly", not "small"
        size = " to ".join(_DEGREE_WORDS.get(part, part) for part in size.split(" to "))
    return _size_bounds(size), size


def _mm_label(mm: float) -> str:
    return f"{mm / 10:g} cm" if mm >= 10 else f"{mm:g} mm"


def _sizes_differ(a: Hashable, b: Hashable) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return max(a, b) >= _MM_RATIO * min(a, b) and abs(a - b) >= 3
    if isinstance(a, float) or isinstance(b, float):
        return False  # "9 mm" against "small": not comparable
    (alo, ahi), (blo, bhi) = a, b  # type: ignore[misc]
    return ahi < blo or bhi < alo


def _read_change(o: Observation, side: str | None) -> tuple[Hashable, str] | None:
    direction = _DIRECTION.get(o.change or "")
    return (direction, direction) if direction else None


def _where(a: _Stated, b: _Stated) -> str:
    """The side both statements share, as words: "bilateral " where both sections give both sides."""
    if a.mention.laterality == "bilateral" and b.mention.laterality == "bilateral" and not a.mention.side_sizes:
        return "bilateral "
    side = a.side or b.side
    return f"{side} " if side else ""


def size_mismatches(parsed: ParsedReport) -> list[Issue]:
    """One finding at one site given sizes in FINDINGS and IMPRESSION that cannot both be true ("large right
    effusion" vs "small right effusion"; "9 mm" vs "2 cm" nodule). Warning; only where each section gives
    that site one size (trace and small count as one)."""
    issues = []
    in_fnd = _stated(parsed, "FINDINGS", _SIZE_GROUPS, _read_size)
    in_imp = _stated(parsed, "IMPRESSION", _SIZE_GROUPS, _read_size) if in_fnd else {}
    for group in sorted(set(in_fnd) & set(in_imp)):
        fnd, imp = in_fnd[group], in_imp[group]
        pair = _unambiguous_pair(fnd, imp, _sizes_differ)
        if pair is None:
            continue
        a, b = pair
        side = a.side or b.side
        swapped = [x for x in fnd if x.side and side and x.side != side and x.value == b.value]
        hint = f" (FINDINGS call the {swapped[0].side} one {b.label}: are the sides swapped?)" if swapped else ""
        issues.append(Issue(
            kind="size_mismatch", severity="warning", section=_BOTH, finding=group, spans=_spans(a.mention, b.mention),
            message=f"FINDINGS describe the {_where(a, b)}{group} as {a.label}, the IMPRESSION as "
                    f"{b.label}.{hint}",
            evidence=_quote(a.mention, b.mention),
            suggestion="Check the image and give the finding one size in both sections.",
        ))
    return issues


def change_mismatches(parsed: ParsedReport) -> list[Issue]:
    """One finding at one site said to change one way in FINDINGS and another in IMPRESSION ("increasing" vs
    "decreasing", "new" vs "unchanged"). Warning; only where each section states one direction there."""
    issues = []
    in_fnd = _stated(parsed, "FINDINGS", _CHANGE_GROUPS, _read_change)
    in_imp = _stated(parsed, "IMPRESSION", _CHANGE_GROUPS, _read_change) if in_fnd else {}
    for group in sorted(set(in_fnd) & set(in_imp)):
        fnd, imp = in_fnd[group], in_imp[group]
        pair = _unambiguous_pair(fnd, imp, lambda x, y: x != y)
        if pair is None:
            continue
        a, b = pair
        issues.append(Issue(
            kind="change_mismatch", severity="warning", section=_BOTH, finding=group,
            spans=_spans(a.mention, b.mention),
            message=f"FINDINGS describe the {_where(a, b)}{group} as {a.label}, the IMPRESSION as "
                    f"{b.label}.",
            evidence=_quote(a.mention, b.mention),
            suggestion="Compare with the prior study and state one change in both sections.",
        ))
    return issues
