"""``laterality_conflicts``: one finding placed on one side in FINDINGS and on the other in the IMPRESSION.

Findings are compared per group and then per family (the many names of one lung opacity), then by their course
(gone, going, changing, of one measured size); a section that places a finding on both sides against one that
narrows it to one side; and devices per device and kind, by the side word before their name. Returns a list of
``Issue``; ``checks.run_checks`` calls it in the order of ``checks.KINDS``.
"""

from __future__ import annotations

import re

from medrag_core.models import Issue
from medrag_core.reports.checks.pairing import (
    _BENIGN,
    _BOTH,
    _LATERAL_FAMILY,
    _SCAR_CAUSE,
    _clause,
    _explained_away,
    _group,
    _hilar_mass,
    _lateral_mentions,
    _may_hold,
    _names_collapse,
    _quote,
    _sides_at,
    _spans,
    _with_carried_side,
    _zones_apart,
    _zones_match,
)
from medrag_core.reports.mentions import Observation
from medrag_core.reports.parse import ParsedReport
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import (
    ANATOMY,
    BONE_FINDINGS,
    FINDINGS,
    LEANING,
    SIDED_PLACE,
    findings_checked_by,
    groups_checked_by,
)

__all__ = ["laterality_conflicts"]

# Devices share one group ("support devices") but a pacemaker and a chest tube are different things:
# their sides are compared per device (findings.toml: significance "device" with the laterality check).
_LATERAL_DEVICES = frozenset(n for n in findings_checked_by("laterality") if FINDINGS[n].significance == "device")
_DEVICE_GROUPS = frozenset(FINDINGS[n].group for n in _LATERAL_DEVICES)
# For sides, one parenchymal finding goes by many names across the two sections: an "opacity" in the
# FINDINGS is often the IMPRESSION's "atelectasis", "scarring" or "pneumonia". Each is compared on its
# own, and then all of them together as "lung opacity" (only when no single one already conflicts).
_LATERAL_GROUPS = (groups_checked_by("laterality") - _DEVICE_GROUPS) | set(_LATERAL_FAMILY.values())


# a correction of a side written into the report ("should read 'left', not 'right'", "corrected to right rather than
# left")
_SIDE_CORRECTION = re.compile(
    r"\b(?:should\s+(?:read|be|say)|(?:is|was|has\s+been)\s+corrected\s+to|corrected\s+to|read\s+as)\s+[\"'\u201c\u2018]?"
    r"(?P<right>left|right)[\"'\u201d\u2019]?\s*,?\s*(?:not|instead\s+of|rather\s+than)\s+[\"'\u201c\u2018]?(?P<wrong>left|right)\b",
    re.IGNORECASE)
# a word every _SIDE_CORRECTION match holds ("should read", "corrected to", "read as")
_SIDE_CORRECTION_WORDS = ("should", "corrected", "read")


def laterality_conflicts(parsed: ParsedReport) -> list[Issue]:
    issues: list[Issue] = []
    fired: set[str] = set()
    families = set(_LATERAL_FAMILY.values())
    # a finding gone in one section and going in the other: only where the report says something has gone
    regressing = any(o.resolved for o in parsed.observations) and any(
        o.change in ("decreased", "resolved") for o in parsed.observations)
    corrections = {(m.group("right").lower(), m.group("wrong").lower()) for m in _SIDE_CORRECTION.finditer(parsed.text)
                   } if _may_hold(parsed.text, _SIDE_CORRECTION_WORDS) else set()
    # each mention with the side a sentence pointing back takes from the one before, worked out once per report; only
    # a mention with a side is compared (``_lateral_mentions``), so the rest are dropped here, once
    carried = [c for o in parsed.observations if (c := _with_carried_side(parsed, o)).sites]
    # only the groups (and their families) the report names can conflict (speed: most groups are never named)
    named = {_group(o) for o in parsed.observations}
    named |= {_LATERAL_FAMILY[g] for g in named if g in _LATERAL_FAMILY}
    # (speed: each pair below takes one mention with a side from FINDINGS and one from the IMPRESSION, all from
    # ``carried``: where a section has none, no group can conflict)
    both_sided = {"FINDINGS", "IMPRESSION"} <= {o.section for o in carried}
    for group in sorted(_LATERAL_GROUPS, key=lambda g: (g in families, g)):
        if not both_sided or group not in named:
            continue
        if group in families and fired & {g for g, f in _LATERAL_FAMILY.items() if f == group}:
            continue
        found = None
        lone = group in _ONE_LESION and _one_affirmed_each(parsed, group)
        for resolved in (False, True):
            fnd = _lateral_mentions(carried, "FINDINGS", group, resolved)
            imp = _lateral_mentions(carried, "IMPRESSION", group, resolved)
            if group == "airspace disease" and not resolved and not _lateral_mentions(carried, "IMPRESSION",
                                                                                    "nodule or mass"):
                # a rounded opacity the impression calls a round pneumonia, and names no nodule: its side is the
                # pneumonia's ("rounded opacity in the right lower lobe" ... "Round pneumonia in the left lower lobe")
                fnd += [o for o in _lateral_mentions(carried, "FINDINGS", "nodule or mass")
                        if o.name != "Mass" and _ROUNDED_OPACITY.search(o.term)]
            if group == "tuberculosis" and not resolved:
                # a cavity the findings place is the tuberculosis the impression names ("nodular opacities with areas
                # of cavitation in the left upper zone" ... "Features suggestive of active PTB (right upper zone).")
                fnd += [o for o in _lateral_mentions(carried, "FINDINGS", "nodule or mass")
                        if o.name == "Lung Lesion" and _CAVITY.search(o.term)]
            if group == "granuloma" and not resolved:
                # a calcified nodule is the granuloma the other section names ("Small calcified nodule in the right
                # lower zone, benign" ... "Calcified left lower zone granuloma")
                fnd += [o for o in _lateral_mentions(carried, "FINDINGS", "nodule or mass")
                        if o.name == "Nodule" and _CALCIFIED_NODULE.search(_clause(o))]
                imp += [o for o in _lateral_mentions(carried, "IMPRESSION", "nodule or mass")
                        if o.name == "Nodule" and _CALCIFIED_NODULE.search(_clause(o))]
            if group == "hilar enlargement" and not resolved:
                # a bulky hilum in one section is the other's "hilar mass" ("Bulky right hilar opacity." ... "Left
                # hilar mass, suspicious for malignancy.")
                fnd += _hilar_masses(carried, "FINDINGS")
                imp += _hilar_masses(carried, "IMPRESSION")
            found = _side_pair(fnd, imp, parsed, near=group in _SPANNING_ZONES, lone=lone)
            if found:
                break
        if not found and regressing:
            found = _regressing_pair(parsed, carried, group)
        if not found:
            found = _changing_pair(parsed, carried, group)
        if not found:
            found = _same_size_pair(parsed, carried, group)
        if not found and group in _GRADED_GROUPS:
            found = _same_grade_pair(carried, group)
        if not found:
            # what else FINDINGS place on one side counts across the finding's family ("right basilar opacity")
            narrowed = _one_side_of_both(_lateral_mentions(carried, "FINDINGS", group),
                                         _lateral_mentions(carried, "IMPRESSION", group),
                                         _lateral_mentions(carried, "FINDINGS", _LATERAL_FAMILY.get(group, group)),
                                         parsed)
            if narrowed:
                a, b, sb = narrowed
                fired.add(group)
                issues.append(Issue(
                    kind="laterality_conflict", severity="warning", section=_BOTH, finding=group,
                    spans=_spans(a, b),
                    message=f"FINDINGS place the {group} on both sides, the IMPRESSION only on the {sb}.",
                    evidence=_quote(a, b),
                    suggestion="Check the image: say 'bilateral' in the IMPRESSION, or correct the FINDINGS.",
                ))
                continue
        if found:
            a, sa, b, sb = found
            fired.add(group)
            gone = "resolved " if a.resolved else ""
            # an addendum that puts the IMPRESSION's side right ("Correction: item 2 should read 'left', not
            # 'right'."): the report as amended agrees, and the reader is told where
            corrected = (sa, sb) in corrections
            issues.append(Issue(
                kind="laterality_conflict", severity="info" if corrected else "error", section=_BOTH, finding=group,
                spans=_spans(a, b),
                message=f"FINDINGS place the {gone}{group} on the {sa}, the IMPRESSION on the {sb}"
                        + (f"; a correction in the report says {sa}, not {sb}." if corrected else "."),
                evidence=_quote(a, b),
                suggestion="Amend the IMPRESSION's side as the correction says." if corrected
                else "Check the image and correct the side in one of the two sections.",
            ))
    return issues + _leaning_conflicts(parsed, fired) + _device_side_conflicts(parsed) + _back_reference_conflicts(
        parsed, fired) + _stray_side_conflicts(parsed, fired)


# "the right effusion", "The left-sided granuloma": a finding named again with the article, pointing back to one the
# report has named before
_DEFINITE_SIDE = re.compile(r"\b(?:the|these|this|those)\s+(?P<side>left|right)(?:[\s-]+sided)?\s+(?:[\w-]+\s+){0,2}$",
                            re.IGNORECASE)
# (a verb between the side and the finding: "the left is fully opacified"; or none: "the right effusion")
_VERB_BETWEEN = re.compile(r"(?:left|right)(?:[\s-]+sided)?\s+(?:is|are|was|were|has|have|appears?|remains?)\b",
                           re.IGNORECASE)
_SIDE_JUST_BEFORE = re.compile(r"(?:left|right)(?:[\s-]+sided)?\s+$", re.IGNORECASE)
# ... but not a place the article names ("the left costophrenic angle is blunted", "the right lung base")
_PLACE_TERM = re.compile(r"(?:costophrenic|cp\b|angle|hemi-?diaphragm|diaphragm|lung|lobe|hemithorax|heart|hil)",
                         re.IGNORECASE)
# ... or a place on one side said to be hidden by it ("The left hemidiaphragm is obscured by the consolidation.", "The
# right costophrenic angle is obliterated by this effusion."): the finding named before, given the place's side
_HIDDEN_BY_THE = re.compile(r"\b(?:obscured|obliterated|effaced|silhouetted|masked|hidden)\s+by\s+(?:the|this|that)\s+"
                            r"(?:[\w-]+\s+)?$", re.IGNORECASE)


def _back_reference_conflicts(parsed: ParsedReport, fired: set[str]) -> list[Issue]:
    """A finding placed on one side, then pointed back to within the same section as the other side's ("Moderate left
    pleural effusion. Ultrasound-guided aspiration of the right effusion could be considered."), where the report
    names it on that other side nowhere else: one finding given two sides, a slip of the dictation."""
    issues: list[Issue] = []
    for b in parsed.observations:
        group = _group(b)
        if (b.section not in ("FINDINGS", "IMPRESSION") or group in fired or group not in _LATERAL_GROUPS
                or b.polarity == "absent" or b.resolved or b.change not in (None, "new", "stable")
                or _PLACE_TERM.match(b.term)):
            continue
        pointer = _DEFINITE_SIDE.search(parsed.text, b.sentence_span[0], b.span[0])
        if pointer is not None and b.change == "stable" and _VERB_BETWEEN.search(pointer.group(0)):
            pointer = None  # unchanged, only as "the right (apical) effusion" ("the left is opacified" is a place)
        # (a follow-up of the finding points to it as much: "Follow-up of the right effusion recommended.")
        if pointer is not None and (not b.hypothetical or _SIDE_JUST_BEFORE.search(pointer.group(0))):
            side = pointer.group("side").lower()
        elif b.laterality in ("left", "right") and _HIDDEN_BY_THE.search(parsed.text, b.sentence_span[0], b.span[0]):
            side = b.laterality  # (what hides a place is there, not supposed: "obscured" hedges nothing here)
        else:
            continue
        others = [o for o in parsed.observations if _group(o) == group and o is not b and o.polarity == "present"]
        if any(o.laterality in (side, "bilateral", None) and not o.hypothetical and o.sentence_span != b.sentence_span
               for o in others):
            continue  # named on that side (or on both, or unsided) elsewhere: the article points to it
        before = next((o for o in others if o.section == b.section and o.span[0] < b.span[0]
                       and o.sentence_span != b.sentence_span and o.laterality in ("left", "right")), None)
        if before is None or _zones_apart(before, b):
            continue
        fired.add(group)
        issues.append(Issue(
            kind="laterality_conflict", severity="warning", section=b.section.lower(), finding=group,
            spans=_spans(before, b),
            message=f"The {b.section} section places the {group} on the {before.laterality}, "
                    f"then refers to it on the {side}.",
            evidence=_quote(before, b),
            suggestion="Check the image and correct the side of one of the two mentions.",
        ))
    return issues


# a side named for what the report found, with no finding named ("The left sided changes were discussed with the ED
# team.", "These right upper zone changes are old.", "Correlate with clinical examination of the left chest.")
_SIDE_OF_THE_FINDINGS = re.compile(
    r"\b(?P<side>left|right)(?:[\s-]+sided)?\s+(?:(?:upper|mid|middle|lower|apical|basal|zone|lobe)\s+){0,2}"
    r"(?:changes|findings|abnormalit(?:y|ies)|appearances)\b"
    r"|\b(?:examination|exam|auscultation)\s+of\s+the\s+(?P<examined>left|right)\s+(?:chest|hemithorax|lung|side)\b",
    re.IGNORECASE)


def _stray_side_conflicts(parsed: ParsedReport, fired: set[str]) -> list[Issue]:
    """The IMPRESSION refers to what the report found by the other side ("Right mid zone pneumonia. Correlate with
    clinical examination of the left chest."), where every finding the report places is on one side and the report
    names the other side nowhere else: the side of the follow-up sentence slipped."""
    impression, base = parsed.sections.get("IMPRESSION", ""), parsed.offsets.get("IMPRESSION")
    m = _SIDE_OF_THE_FINDINGS.search(impression)
    if m is None or base is None or parsed.text[base: base + len(impression)] != impression:
        return []
    side = (m.group("side") or m.group("examined")).lower()
    placed = [o for o in parsed.observations if o.section in ("FINDINGS", "IMPRESSION") and o.polarity == "present"
              and not o.resolved and o.laterality in ("left", "right", "bilateral")]
    if not placed or any(o.laterality == side or o.laterality == "bilateral" for o in placed):
        return []
    if len(re.findall(rf"\b{side}\b", parsed.text, re.IGNORECASE)) != 1:
        return []  # the side named elsewhere too (a device's, a place's): the reference may be to that
    group = _group(placed[0]) or placed[0].name
    if group in fired:
        return []
    fired.add(group)
    sentence = next((sent for off, sent in split_sentences(impression) if off <= m.start() < off + len(sent)), "")
    return [Issue(
        kind="laterality_conflict", severity="warning", section="impression", finding=group,
        spans=[placed[0].span, (base + m.start(), base + m.end())],
        message=f"The report places the {group} on the {placed[0].laterality}, but the IMPRESSION refers to the "
                f"{side} ('{m.group(0)}').",
        evidence=sentence.strip(),
        suggestion="Check which side is meant and correct the IMPRESSION's sentence.",
    )]


_CAVITY = re.compile(r"\bcavit", re.IGNORECASE)
_ROUNDED_OPACITY = re.compile(r"\bround(?:ed)?\s+(?:opacit|densit|shadow)", re.IGNORECASE)
# a nodule called calcified just before its name ("small calcified nodule", "densely calcified nodules"), not one
# called non-calcified
_CALCIFIED_NODULE = re.compile(r"(?<!non)(?<!non-)(?<!non\s)\bcalcified\s+(?:[\w-]+\s+)?nodul", re.IGNORECASE)


def _hilar_masses(carried: list[Observation], section: str) -> list[Observation]:
    return [o for o in _lateral_mentions(carried, section, "nodule or mass") if _hilar_mass(o)]


# a word every vocabulary.LEANING match holds: its comparison (">", "greater than", "more", "most", "worse", "larger",
# "bigger", "exceeding"), "predominant(ly)" / "dominant" / "predominance", "mainly" or "chiefly"
_LEANING_WORDS = (">", "more", "most", "worse", "greater", "larger", "bigger", "exceeding", "dominan", "mainly",
                  "chiefly")


# the side of the largest of several lesions, after their name in the sentence ("nodules throughout both lungs, the
# largest measuring 12 mm in the left mid zone"; "Multiple pulmonary metastases, increased in number; largest deposit
# right mid lung")
_LARGEST_SIDE = re.compile(r"[^.]{0,60}?\b(?:largest|biggest|dominant)\b[^.;]{0,40}?\b(?P<side>left|right)\b"
                           r"(?![\s-]+(?:than|and)\b)", re.IGNORECASE)


def _largest_side(o: Observation) -> re.Match[str] | None:
    return _LARGEST_SIDE.match(o.text, o.span[1] - o.sentence_span[0]) if _group(o) in _ONE_LESION else None


def _leaning(o: Observation) -> str | None:
    """The side a finding on both sides (or on no side named but that) is said to be worse on, from its clause
    ("bilateral effusions, left greater than right"; "pulmonary oedema, R > L"), or the side of the largest of several
    lesions; None where the clause gives none or both, or the finding is placed on the other side alone."""
    if o.polarity not in ("present", "uncertain"):
        return None
    if largest := _largest_side(o):
        side = largest.group("side").lower()
        return side if all(s in ("bilateral", side) for s, _ in o.sites) else None
    clause = _clause(o)
    if not _may_hold(clause, _LEANING_WORDS):
        return None  # (as no side at all: len(sides) != 1)
    sides = {m.lastgroup.rstrip("234") for m in LEANING.finditer(clause) if m.lastgroup}
    if len(sides) != 1:
        return None
    side = sides.pop()
    # on both sides, or on the side it leans to only as the phrase that says so ("more on the left")
    return side if all(s in ("bilateral", side) for s, _ in o.sites) else None


def _leaning_conflicts(parsed: ParsedReport, fired: set[str]) -> list[Issue]:
    """A finding on both sides said to be worse on one side in FINDINGS and on the other in the IMPRESSION
    ("effusions at both bases, more on the left" against "bilateral effusions, right greater than left")."""
    issues = []
    leaning = [(o, side) for o in parsed.observations if o.section in ("FINDINGS", "IMPRESSION")
               and (side := _leaning(o))]
    for a, sa in leaning:
        group = _group(a)
        if a.section != "FINDINGS" or group is None or group in fired:
            continue
        b = next((b for b, sb in leaning if b.section == "IMPRESSION" and _group(b) == group and sb != sa), None)
        if b is None:
            continue
        fired.add(group)
        sb = "right" if sa == "left" else "left"
        issues.append(Issue(
            kind="laterality_conflict", severity="error", section=_BOTH, finding=group, spans=_spans(a, b),
            message=f"FINDINGS say the {group} is {'largest' if _largest_side(a) else 'worse'} on the {sa}, the "
                    f"IMPRESSION on the {sb}.",
            evidence=_quote(a, b),
            suggestion="Check the image and correct the side that is worse in one of the two sections.",
        ))
    return issues


# A device's own side is the side word just before its name, in the same clause ("Left subclavian line",
# "tip of the right PICC", "left chest wall pacemaker"); a side after it is where its tip or leads lie
# ("... with tip in the right atrium"), which may be across the midline and is not the device's side.
_CLAUSE_BREAK = re.compile(r"[,;:.()]|\b(?:with|tip|tips|to|in|at|into|from|via)\b", re.IGNORECASE)
_SIDE_WORD = {"right": "right", "r": "right", "rt": "right", "left": "left", "l": "left", "lt": "left",
              "bilateral": "bilateral", "both": "bilateral"}


def _words_before(o: Observation) -> str:
    """The words just before a device's name in its clause (up to 40 characters)."""
    at = o.span[0] - o.sentence_span[0]
    before = o.text[:at] if 0 <= at <= len(o.text) and o.text[at:at + len(o.term)] == o.term else ""
    # the words since the last clause break, so "removal of the right chest tube and left PICC" gives the PICC "left"
    breaks = list(_CLAUSE_BREAK.finditer(before))
    words = before[breaks[-1].end():] if breaks else before
    return words[-40:]


def _device_sides(o: Observation) -> set[str]:
    """The sides named just before a device's name in its sentence (``bilateral`` for both); empty when
    its sentence gives it none there."""
    words = _words_before(o)
    sides = {_SIDE_WORD[m.group(1).lower()] for m in re.finditer(r"\b(right|left|bilateral|both|rt|lt|R|L)\b", words,
                                                                    re.IGNORECASE)
             if m.group(1).lower() not in ("r", "l") or m.group(1).isupper()}
    if not sides and (entered := _ENTERED_BY.match(o.text, o.span[1] - o.sentence_span[0])):
        sides = {entered.group(1).lower()}  # "Tunnelled dialysis catheter via the left internal jugular vein"
    if not sides and o.name in _LYING_WHERE_PLACED and o.laterality in ("left", "right", "bilateral"):
        sides = {o.laterality}  # clips or sutures "at the right apex" are where the place is
    if not sides and o.name in _TUBES_INTO_AN_AIRWAY:
        # a tube gone down a bronchus has that bronchus's side ("The NG tube passes into the right main bronchus",
        # "ETT tip in the right mainstem bronchus")
        at = o.span[1] - o.sentence_span[0]
        airway = _INTO_A_BRONCHUS.match(o.text, at) if 0 <= at <= len(o.text) else None
        sides = {airway.group(1).lower()} if airway else set()
    return {"left", "right"} if "bilateral" in sides else sides


# the vein a line was put in, named after it: the line's side ("catheter via the left internal jugular vein, tip at the
# right atrium": the tip's side is where it lies, not the line's)
_ENTERED_BY = re.compile(r"[ \t]*,?[ \t]*(?:(?:inserted|placed|sited)[ \t]+)?(?:via|through|from|in)[ \t]+"
                         r"(?:the[ \t]+)?(right|left)[ \t]+(?:internal[ \t]+jugular|external[ \t]+jugular|jugular|ij|"
                         r"subclavian|femoral|brachial|basilic|cephalic)\b", re.IGNORECASE)
_TUBES_INTO_AN_AIRWAY = {"Nasogastric Tube", "Endotracheal Tube"}
_INTO_A_BRONCHUS = re.compile(r"[^.;]{0,60}?\b(?:in|into|within|down|enters|entering|follows|following|over)\s+"
                              r"(?:the\s+)?(right|left)\s+(?:(?:main(?:[\s-]?stem)?|lower[\s-]lobe|upper[\s-]lobe|intermediate|"
                              r"segmental)\s+)?bronch", re.IGNORECASE)


# devices whose place is where they lie (clips, sutures, staples, a drain "over the left upper quadrant"), not where a
# tube's tip has gone ("PICC with its tip in the right atrium")
_LYING_WHERE_PLACED = {"Surgical Clips", "Abdominal Drain"}


# one canonical device covers several kinds ("Right IJ line" and "Left PICC" are two central lines): only
# mentions of one kind are compared
_DEVICE_KIND = re.compile(r"picc|jugular|\bij\b|subclavian|port|swan|pigtail", re.IGNORECASE)
_DEVICE_KIND_BEFORE = re.compile(r"\b(?:picc|jugular|ij|subclavian|dialysis|(?:media?|chest\s+)port|swan|pigtail)\b",
                                 re.IGNORECASE)


# a wide-bore line for dialysis, apheresis or exchange transfusion, by any of its names and wherever it was put in
# ("Left internal jugular dual-lumen apheresis catheter (Vascath)", "right IJ tunnelled line"): the only list of them
_WIDE_BORE_LINE = re.compile(r"\b(?:apheresis|exchange(?:\s+transfusion)?)\s+(?:catheter|line)|"
                             r"\b(?:ha?emo-?)?dialysis\b|\bhd\b|\btunnel|perm-?cath|tesio|vas-?cath",
                             re.IGNORECASE)


def _device_kind(o: Observation) -> str:
    # the kind in the device's own words or just before them ("right IJ central venous catheter")
    if _WIDE_BORE_LINE.search(o.term):
        return "dialysis"
    m = _DEVICE_KIND.search(o.term) or _DEVICE_KIND_BEFORE.search(_words_before(o))
    kind = m.group(0).lower() if m else ""
    return "jugular" if kind == "ij" else kind


def _kinds_compared(parsed: ParsedReport, name: str) -> list[tuple[str, str]]:
    """The kinds of ``name`` each section's mentions are compared under, as (FINDINGS kind, IMPRESSION kind):
    each kind with itself, and a section that names the device only without its kind ("Right central venous
    catheter") against the one kind the other section names ("Left subclavian line"), where that is all it names."""
    pairs = [(k, k) for k in sorted({_device_kind(o) for o in parsed.observations if o.name == name})]
    # the kinds each section gives a side ("Left chest wall port with catheter tip in the SVC": the port's)
    fnd, imp = ({_device_kind(o) for o in parsed.observations
                 if o.name == name and o.section == section and _device_sides(o)}
                for section in ("FINDINGS", "IMPRESSION"))
    if len(fnd) == 1 and len(imp) == 1 and fnd != imp and "" in fnd | imp:
        pairs.append((next(iter(fnd)), next(iter(imp))))
    return pairs


def _device_side_conflicts(parsed: ParsedReport) -> list[Issue]:
    """One device on one side in FINDINGS and only on the other in the IMPRESSION ("Right PICC" against
    "Left PICC line"). Devices on both sides, side-less mentions, and devices that are gone (removed in the
    interval) say nothing about the other section's side; different devices are never compared, nor two
    kinds of one (a jugular and a subclavian line); a line named without its kind is compared with the one
    kind the other section names."""
    issues: list[Issue] = []
    for name in sorted(_LATERAL_DEVICES):
        for fkind, ikind in _kinds_compared(parsed, name):
            # devices in place are compared with each other, and devices removed ("removal of the left chest
            # tube") with each other
            for gone in (False, True):
                sided = {section: [(o, sides) for o in parsed.observations
                                   if o.section == section and o.name == name
                                   and _device_kind(o) == (fkind if section == "FINDINGS" else ikind)
                                   and ((o.polarity == "absent" and o.resolved) if gone
                                        else o.polarity in ("present", "uncertain") and not o.hypothetical)
                                   and (sides := _device_sides(o))]
                         for section in ("FINDINGS", "IMPRESSION")}
                fnd_sides = {s for _, sides in sided["FINDINGS"] for s in sides}
                imp_sides = {s for _, sides in sided["IMPRESSION"] for s in sides}
                if len(fnd_sides) == 1 and len(imp_sides) == 1 and fnd_sides != imp_sides:
                    break
            else:
                continue
            (a, _), (b, _) = sided["FINDINGS"][0], sided["IMPRESSION"][0]
            (sa,), (sb,) = fnd_sides, imp_sides
            removed = "removed " if gone else ""
            issues.append(Issue(
                kind="laterality_conflict", severity="warning", section=_BOTH, finding=name,
                spans=_spans(a, b),
                message=f"FINDINGS place the {removed}{name.lower()} on the {sa}, the IMPRESSION on the {sb}.",
                evidence=_quote(a, b),
                suggestion="Check the image and correct the device's side in one of the two sections.",
            ))
    return issues


# airspace findings, named by lobe in one section and by zone in the other: a lower lobe reaches the mid zone
_SPANNING_ZONES = {"airspace disease", "atelectasis"}
# a lesion named once in each section is one lesion: on opposite sides, at any zones, its side slipped ("12 mm nodule
# in the left mid zone" against "Right upper zone nodule"); not a granuloma, which sentences name beside other
# findings and so take their sides ("Minor right basal atelectasis, and old granulomatous disease.")
_ONE_LESION = {"nodule or mass"}


def _side_pair(fnd: list[Observation], imp: list[Observation], parsed: ParsedReport, *,
               near: bool = False, lone: bool = False) -> tuple[Observation, str, Observation, str] | None:
    """A FINDINGS mention and an IMPRESSION mention on opposite sides (same zone where both give one),
    where neither section also places the finding on the other's side there. A mention named as one of
    alternatives ("left base atelectasis/infiltrate") is also placed where the other section states any of
    its alternatives ("left basal airspace opacity"). Failing that, with ``near``, a mid zone against a lobe or zone
    above or below it (a lower lobe reaches the mid zone on a frontal film: "right mid zone opacity" against "left
    lower lobe consolidation"), where neither section places the finding on the other's side anywhere."""
    for at_near_zones in (False, True) if near else (False,):
        found = _side_pair_at(fnd, imp, parsed, near=at_near_zones)
        if found:
            return found
    if lone:
        # (only a lesion affirmed in both: not one to exclude, nor one explained as a nipple or an overlap)
        fnd, imp = ([o for o in mentions if (o.polarity == "present" or o.probable) and not o.hypothetical
                     and not _explained_away(o, parsed)] for mentions in (fnd, imp))
    if (near or lone) and _one_place(fnd) and _one_place(imp):
        # one mention in each section, on opposite sides, at zones far apart ("consolidation of the right lower lobe"
        # against "left upper zone consolidation"): each section leaves the other's finding out, one finding whose
        # side (and zone) slipped
        return _side_pair_at(fnd, imp, parsed, near=True, far=True)
    return None


def _one_place(mentions: list[Observation]) -> bool:
    """One mention, or one sentence's mentions on one side: the opacity and its reading ("Ill-defined airspace disease
    at the left lung base most consistent with pneumonia") are one finding."""
    return len(mentions) == 1 or (len({o.sentence_span for o in mentions}) == 1
                                  and len({side for o in mentions for side, _ in o.sites}) == 1)


def _one_affirmed_each(parsed: ParsedReport, group: str) -> bool:
    """Whether each section affirms the group (or calls it likely) in one sentence, a side named or not (a second
    lesion, even one with no side given, leaves it open which one the other section's is; one sentence's lesion and its
    reading, "12 mm rounded opacity ..., likely a nodule", are one)."""
    return all(len({o.sentence_span for o in parsed.observations if o.section == section
                    and (o.polarity == "present" or o.probable) and _group(o) == group}) == 1
               for section in ("FINDINGS", "IMPRESSION"))


def _near_zones(a: str | None, b: str | None) -> bool:
    return {a, b} in ({"mid", "upper"}, {"mid", "lower"})


def _side_pair_at(fnd: list[Observation], imp: list[Observation], parsed: ParsedReport, *,
                  near: bool, far: bool = False) -> tuple[Observation, str, Observation, str] | None:
    for a in fnd:
        for sa, za in a.sites:
            for b in imp:
                for sb, zb in b.sites:
                    if {sa, sb} != {"left", "right"} or not (
                            far or (_near_zones(za, zb) if near else _zones_match(za, zb))):
                        continue
                    # a side read from the lingula (or the middle lobe) alone stands only against a section that
                    # names no lingula ("right middle lobe and lingular opacities" is no conflict with "lingular
                    # scarring")
                    if (_side_from_place(a) and _names_place(imp, a)) or (
                            _side_from_place(b) and _names_place(fnd, b)):
                        continue
                    # one-sided on both sides: the other section never places it on this side here; a side read
                    # from the lingula alone does not show that ("Right middle lobe airspace disease. Lingular
                    # opacities." against "left middle lobe pneumonia")
                    # a fracture of another bone does not place this one there ("right rib deformities" beside
                    # "mid right clavicle fracture")
                    in_fnd = [o for o in _separate_from(fnd, b, imp) + _named(parsed, "FINDINGS", b.alternatives)
                              if not _side_from_place(o) and _same_bone(o, b) and _same_lesion(o, b)
                              and not _named_apart(o, b, imp)]
                    in_imp = [o for o in _separate_from(imp, a, fnd) + _named(parsed, "IMPRESSION", a.alternatives)
                              if not _side_from_place(o) and _same_bone(o, a) and _same_lesion(o, a)
                              and not _named_apart(o, a, fnd)]
                    if near and (sb in _sides_at(fnd, None) or sa in _sides_at(imp, None)):
                        continue  # (at zones apart, any mention on the other's side may be the same finding)
                    if sb in _sides_at(in_fnd, None if near else zb) or sa in _sides_at(in_imp, None if near else za):
                        continue
                    return a, sa, b, sb
    return None


_COMBINED = re.compile(r"(?:hydro|ha?emo)-?pneumothora", re.IGNORECASE)
# the bones a fracture's sentence names (findings.toml's [anatomy] bones: a rib, the clavicle, the scapula, ...),
# one named group each
_BONE = re.compile("|".join(f"(?P<bone{i}>\\b(?:{word})\\b)" for i, word in enumerate(ANATOMY["bones"])),
                   re.IGNORECASE)


def _bones(o: Observation) -> set[str]:
    return {str(m.lastgroup) for m in _BONE.finditer(o.text)}


def _same_bone(o: Observation, other: Observation) -> bool:
    """False only for two bone findings whose sentences name different bones: a rib fracture and a clavicle
    fracture are two findings, each with its own side."""
    if o.name not in BONE_FINDINGS or other.name not in BONE_FINDINGS:
        return True
    mine, theirs = _bones(o), _bones(other)
    return not mine or not theirs or bool(mine & theirs)


def _same_lesion(o: Observation, other: Observation) -> bool:
    """False for a benign or long-standing nodule ("4 mm nodule, likely a granuloma") beside a mass, and for a streak
    of atelectasis ("left basal linear atelectasis") beside a lobe's collapse: it does not place the mass or the
    collapse on its side."""
    if other.name == "Atelectasis" and o.name == "Atelectasis":
        return not ((_names_collapse(other) and _streak(o)) or (_streak(other) and _names_collapse(o)))
    if _AIRSPACE_NAMES & {o.name, other.name} and "Lung Opacity" in (o.name, other.name):
        # an opacity its own sentence reads as atelectasis or scar ("streaky opacity at the left base, likely
        # subsegmental atelectasis") is not the consolidation or pneumonia on the other side
        opacity = o if o.name == "Lung Opacity" else other
        if _SCAR_CAUSE.search(_clause(opacity)):
            return False
    return not (other.name == "Mass" and o.name == "Nodule"
                and (o.temporal == "chronic" or bool(_BENIGN.search(_clause(o)))))


_AIRSPACE_NAMES = {"Consolidation", "Pneumonia"}


# a streak of atelectasis, or one at a base with no lobe named ("left basal atelectasis")
# (and atelectasis beside an effusion: "adjacent", "compressive", "passive")
_STREAK = re.compile(r"\b(?:linear|plate|platelike|plate-like|discoid|subsegmental|streak\w*|band\w*|basal|base|"
                     r"bibasal|bases|basilar|bibasilar|adjacent|compressive|passive)\b", re.IGNORECASE)


def _streak(o: Observation) -> bool:
    clause = _clause(o)
    return not _names_collapse(o) and bool(_STREAK.search(clause)) and not re.search(r"\blobe\b", clause, re.IGNORECASE)


def _named_apart(o: Observation, paired: Observation, section: list[Observation]) -> bool:
    """Whether ``o`` (a nodule, say) is another lesion than ``paired`` (a mass) because the section ``paired`` is in
    names ``o``'s kind apart too ("left mid zone mass; 12 mm left mid zone nodule"): the nodules pair, not the
    nodule with the mass."""
    kinds = ("Mass", "Nodule")
    return o.name != paired.name and o.name in kinds and paired.name in kinds and any(
        m.name == o.name for m in section)


def _side_from_place(o: Observation) -> bool:
    """Whether ``o``'s side was read from its place (the lingula, the middle lobe) with no side word in its
    sentence."""
    return o.extra.get("side_from") == "place"


def _names_place(obs: list[Observation], placed: Observation) -> bool:
    """Whether a mention in ``obs`` names the place ``placed`` took its side from (the one of its side)."""
    return any(m.lastgroup == placed.laterality for o in obs for m in SIDED_PLACE.finditer(o.text))


def _separate_from(other: list[Observation], b: Observation, own: list[Observation]) -> list[Observation]:
    """``other`` (the other section's mentions) less the parts of a combined finding ("hemopneumothorax": its
    blood) where ``b``'s own section names that combined finding at ``b``'s side as well as ``b`` itself: "Right
    hemopneumothorax. Moderate right pleural effusion." states an effusion apart from the hemopneumothorax's fluid,
    so a right hemopneumothorax in the other section does not place that effusion on the right."""
    if _COMBINED.search(b.term):
        return other
    sides = {s for s, _ in b.sites}
    if not any(_COMBINED.search(o.term) and sides & {s for s, _ in o.sites} for o in own):
        return other
    return [o for o in other if not _COMBINED.search(o.term)]


def _changing_pair(parsed: ParsedReport, carried: list[Observation],
                   group: str) -> tuple[Observation, str, Observation, str] | None:
    """One finding said to change the same way (new, increasing, improving) on one side in FINDINGS and only on the
    other side in the IMPRESSION ("improvement in the right basal consolidation" against "improvement in the left
    basal consolidation"), where unchanged or undated mentions on both sides would otherwise hide it: the changing
    one is the same finding, so one side is wrong. Only where each section gives that change one side; an unchanged one
    ("stable right base opacities" against "stable left base opacities") only where both give it the same zone."""
    changing = {section: [o for o in _lateral_mentions(carried, section, group)
                          if o.polarity == "present" and o.change in ("new", "increased", "decreased", "stable")]
                for section in ("FINDINGS", "IMPRESSION")}
    for a in changing["FINDINGS"]:
        for b in changing["IMPRESSION"]:
            if a.change != b.change:
                continue
            fnd_sides = {s for o in changing["FINDINGS"] if o.change == a.change for s, _ in o.sites}
            imp_sides = {s for o in changing["IMPRESSION"] if o.change == a.change for s, _ in o.sites}
            # an unchanged finding is the same one only where both sections give it one side in one zone
            if a.change == "stable" and (len({z for _, z in a.sites + b.sites}) != 1 or a.zone is None):
                continue
            if len(fnd_sides) == 1 and len(imp_sides) == 1 and fnd_sides | imp_sides == {"left", "right"}:
                found = _side_pair([a], [b], parsed)
                if found:
                    return found
    return None


def _same_size_pair(parsed: ParsedReport, carried: list[Observation],
                    group: str) -> tuple[Observation, str, Observation, str] | None:
    """One lesion given one measured size in both sections, on one side in FINDINGS and on the other in the
    IMPRESSION ("5.8 cm left upper lobe mass" against "right upper lobe mass, 5.8 cm"): a size names the lesion, so
    one side is wrong, whatever else either section places on that side ("a 14 mm left nodule" beside it). Only
    where neither section gives a lesion of that size on the other's side."""
    sized = {section: [o for o in _lateral_mentions(carried, section, group) if o.size_mm is not None
                       and len({s for s, _ in o.sites}) == 1 and o.laterality in ("left", "right")]
             for section in ("FINDINGS", "IMPRESSION")}

    def at(section: str, side: str, size: float) -> bool:
        return any(o.laterality == side and abs((o.size_mm or 0) - size) <= 0.5 for o in sized[section])

    for a in sized["FINDINGS"]:
        for b in sized["IMPRESSION"]:
            size = a.size_mm or 0
            if a.laterality == b.laterality or abs(size - (b.size_mm or 0)) > 0.5:
                continue
            if not at("FINDINGS", b.laterality or "", size) and not at("IMPRESSION", a.laterality or "", size):
                return a, a.laterality or "", b, b.laterality or ""
    return None


# findings graded small, moderate or large, one grade naming one of them when each side has its own
_GRADED_GROUPS = {"pleural effusion", "pneumothorax"}


def _same_grade_pair(carried: list[Observation], group: str) -> tuple[Observation, str, Observation, str] | None:
    """A finding of one grade on one side in FINDINGS and of that grade only on the other side in the IMPRESSION,
    where another of the finding stands on both sections' other side ("moderate left effusion ... small left
    effusion" against "moderate right effusion ... small left effusion"): the grade names which one, so its side is
    wrong. Only where both sections grade the same ones, and each gives that grade once."""
    graded = {section: [o for o in _lateral_mentions(carried, section, group)
                        if o.size and o.laterality in ("left", "right") and len({s for s, _ in o.sites}) == 1]
              for section in ("FINDINGS", "IMPRESSION")}
    if sorted(o.size or "" for o in graded["FINDINGS"]) != sorted(o.size or "" for o in graded["IMPRESSION"]):
        return None  # (each section grades the same ones; one that leaves a grade out is a size question)
    for a in graded["FINDINGS"]:
        for b in graded["IMPRESSION"]:
            if a.size != b.size or a.laterality == b.laterality:
                continue
            if sum(o.size == a.size for o in graded["FINDINGS"]) == 1 == sum(
                    o.size == a.size for o in graded["IMPRESSION"]):
                return a, a.laterality or "", b, b.laterality or ""
    return None


def _regressing_pair(parsed: ParsedReport, carried: list[Observation],
                     group: str) -> tuple[Observation, str, Observation, str] | None:
    """A known finding said to have gone in one section and to be going in the other, on opposite sides ("The
    right pneumothorax has resolved" against "Decreasing left pneumothorax"): the same finding's course, so one
    side is wrong. Only where neither section states the finding, present or gone, on the other's side."""
    regressing = {section: [o for o in _lateral_mentions(carried, section, group)
                            if o.polarity == "present" and o.change in ("decreased", "resolved")]
                  for section in ("FINDINGS", "IMPRESSION")}
    gone = {section: _lateral_mentions(carried, section, group, True) for section in ("FINDINGS", "IMPRESSION")}
    for fnd, imp in ((gone["FINDINGS"], regressing["IMPRESSION"]), (regressing["FINDINGS"], gone["IMPRESSION"])):
        if not fnd or not imp:
            continue
        every = {section: _lateral_mentions(carried, section, group) + gone[section]
                 for section in ("FINDINGS", "IMPRESSION")}
        found = _side_pair(fnd, imp, parsed)
        if found and found[3] not in _sides_at(every["FINDINGS"], None) \
                and found[1] not in _sides_at(every["IMPRESSION"], None):
            return found
    return None


def _named(parsed: ParsedReport, section: str, names: tuple[str, ...]) -> list[Observation]:
    """The present or possible mentions in ``section`` of the findings ``names`` (a mention's alternatives)."""
    if not names:
        return []
    return [o for o in parsed.observations if o.section == section and o.name in names
            and o.polarity in ("present", "uncertain")]


# "right greater than left", "more on the left", "left-predominant": one side the worse (a side word near the
# comparison; "predominantly interstitial" compares no sides)
_WORSE = r"(?:greater|more|larger|worse|predominan\w*|most\s+(?:marked|prominent)|than)"
_ONE_SIDE_WORSE = re.compile(rf"\b(?:right|left)\b[^.;]{{0,30}}\b{_WORSE}\b"
                             rf"|\b{_WORSE}\b[^.;]{{0,30}}\b(?:right|left)\b|\bone\s+side\b|\basymmetric\w*",
                             re.IGNORECASE)


_WORSE_SIDE = (
    re.compile(r"\b(right|left)(?:[\s-]+sided)?\s+(?:greater|more|larger|worse)\s+than\s+(?:the\s+)?(?:right|left)\b",
               re.IGNORECASE),
    re.compile(rf"\b{_WORSE}\s+(?:on\s+|at\s+|in\s+)?(?:the\s+)?(right|left)\b", re.IGNORECASE),
    re.compile(r"\b(right|left)[\s-]+(?:sided\s+)?predominan\w*", re.IGNORECASE),
)


def _worse_side(text: str) -> str | None:
    """The side a sentence calls the worse ("left greater than right", "more on the right", "right-predominant"),
    "either" where it compares sides without saying which, None where it compares none."""
    for regex in _WORSE_SIDE:
        m = regex.search(text)
        if m:
            return m.group(1).lower()
    return "either" if _ONE_SIDE_WORSE.search(text) else None


def _family(o: Observation) -> str | None:
    group = _group(o)
    return _LATERAL_FAMILY.get(group or "", group)


def _side_stated(b: Observation, parsed: ParsedReport) -> bool:
    """Whether a mention states its finding on its side: affirmed; probable ("probably left basal atelectasis");
    or hedged only between findings of its own family at that same side ("left basal atelectasis versus
    scarring": which opacity is in doubt, not where). A merely possible finding ("cannot exclude left lower lobe
    pneumonia") or one weighed against another kind ("right nodular densities versus scarring") states no side."""
    if b.polarity == "present":
        return True
    if b.polarity != "uncertain" or b.hypothetical:
        return False
    if b.probable:
        return True
    sides = {s for s, _ in b.sites}
    others = [o for o in parsed.observations if o.section == b.section and o.sentence_span == b.sentence_span
              and o.span != b.span and o.polarity != "absent"]
    if b.alternatives:  # "Stable cardiomegaly with bibasilar atelectasis/infiltrate": the run is what is hedged
        others = [o for o in others if o.name in b.alternatives]
    return bool(others) and all(_family(o) == _family(b) and {s for s, _ in o.sites} == sides for o in others)


def _one_side_of_both(fnd: list[Observation], imp: list[Observation], fnd_family: list[Observation],
                      parsed: ParsedReport) -> tuple[Observation, Observation, str] | None:
    """(FINDINGS mention, IMPRESSION mention, side) where FINDINGS state a finding on both sides ("bibasilar
    atelectasis", "bilateral effusions") and the IMPRESSION states the same finding at that zone on one side
    only, with no word in FINDINGS that one side is the worse ("right greater than left") and no one-sided
    mention there in FINDINGS of it or of its family (``fnd_family``: "right basilar opacity"). Same finding
    group only: "bibasilar atelectasis" beside "right lower lobe pneumonia" is two findings."""
    imp_sides = {side for o in imp for side, _ in o.sites}
    if not imp_sides or imp_sides - {"left", "right"} or imp_sides == {"left", "right"}:
        return None
    (side,) = imp_sides
    for b in imp:
        if not _side_stated(b, parsed):
            continue  # "Question of left lower lobe pneumonia" is no statement of the side
        if _group(b) == "tuberculosis":
            continue  # old tuberculosis on both sides is often where new disease on one side is found
        for _, zb in b.sites:
            for a in fnd:
                # "bilateral effusions, left greater than right" may be narrowed to the left, not to the right
                if not _side_stated(a, parsed) or _group(a) != _group(b) or _worse_side(a.text) in (side, "either"):
                    continue
                # the same zone exactly ("bibasilar" and "left basilar"; neither with a zone): a perihilar
                # opacity is not a narrowed "bilateral costophrenic" one; and nothing of the family on the
                # impression's side there in FINDINGS ("right basilar opacity" may be the impression's finding)
                if any(sa == "bilateral" and za == zb for sa, za in a.sites) and not any(
                        s == side and _zones_match(z, zb) for o in fnd + fnd_family for s, z in o.sites):
                    return a, b, side
    return None
