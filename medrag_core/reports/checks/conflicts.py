"""The checks that compare FINDINGS with IMPRESSION, finding by finding.

``laterality_conflicts`` (one finding on opposite sides), ``negation_conflicts`` (affirmed in one
section, ruled out in the other), ``impression_omits`` (an impression that leaves out a
significant finding), ``section_contradictions`` (within one section), and ``size_mismatches`` /
``change_mismatches`` (one finding at one side and zone given another size or temporal change in the
other section; statements are paired by finding group, side and zone, and only an unambiguous pair, one
value per section at that site, is compared). They share how observations are grouped into comparable
findings (``_GROUP``), which mentions are too vague or too old to count, and how sides and lung zones are matched. Each
returns a list of ``Issue``; ``checks.run_checks`` calls them in the order of ``checks.KINDS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace

from medrag_core.models import Issue
from medrag_core.reports.checks.structure import impression_only_advice, impression_states_nothing, placeholder_spans
from medrag_core.reports.mentions import Observation
from medrag_core.reports.parse import ParsedReport, split_sentences
from medrag_core.reports.vocabulary import (
    ANATOMY,
    BONE_FINDINGS,
    FINDINGS,
    GROUP,
    NO_ACUTE_DISEASE,
    OTHERWISE,
    PARENCHYMAL_GROUPS,
    SIDE_FAMILY,
    SIZE_WORD,
    STUDY_NORMAL,
    ZONE,
    findings_checked_by,
    groups_checked_by,
)

__all__ = [
    "change_mismatches",
    "impression_omits",
    "laterality_conflicts",
    "negation_conflicts",
    "section_contradictions",
    "size_mismatches",
]

# Groups, and which checks compare which groups, come from the vocabulary (findings.toml).
_GROUP = GROUP
_LATERAL_FAMILY = SIDE_FAMILY  # findings.toml: side_family
# Devices share one group ("support devices") but a pacemaker and a chest tube are different things:
# their sides are compared per device (findings.toml: significance "device" with the laterality check).
_LATERAL_DEVICES = frozenset(n for n in findings_checked_by("laterality") if FINDINGS[n].significance == "device")
_DEVICE_GROUPS = frozenset(FINDINGS[n].group for n in _LATERAL_DEVICES)
_LATERAL_GROUPS = (groups_checked_by("laterality") - _DEVICE_GROUPS) | set(_LATERAL_FAMILY.values())
# For sides, one parenchymal finding goes by many names across the two sections: an "opacity" in the
# FINDINGS is often the IMPRESSION's "atelectasis", "scarring" or "pneumonia". Each is compared on its
# own, and then all of them together as "lung opacity" (only when no single one already conflicts).
_NEGATION_GROUPS = groups_checked_by("negation")
# Findings an impression of "normal" / "no acute disease" must not leave out.
_SIGNIFICANT_GROUPS = groups_checked_by("omission")
# Words that explain a "nodule" or an enlarged heart away (nipple shadow, overlap, technique).
_BENIGN = re.compile(
    # "superimposition", "superimposed structures"; but "superimposed upon the second rib" only says where it lies
    r"nipple|artifact|overlap|overlay|overlying\s+(?:soft|telemetry|skin)|superimpos(?!\w*\s+(?:up)?on\b|\w*\s+over\b)"
    r"|confluence|composite|telemetry|"
    # "uncalcified" / "non-calcified" / "without calcification" says the opposite of a calcified (benign) nodule
    r"callus|healing|fracture|(?<!un)(?<!non)(?<!non-)(?<!non\s)(?<!without\s)(?<!no\s)(?<!not\s)calcif|granulom|portable|ap\s+(?:technique|projection|view)|accentuat|exaggerat|magnif|"
    r"low\s+lung\s+volumes|diminished\s+lung\s+volumes|technique",
    re.IGNORECASE,
)
# What explains an enlarged heart away is the technique, not a calcified aorta in the same sentence
# ("Cardiomegaly and tortuous calcified aorta are unchanged").
_TECHNIQUE = re.compile(
    r"portable|ap\s+(?:technique|projection|view)|accentuat|exaggerat|magnif|low\s+lung\s+volumes|"
    r"diminished\s+lung\s+volumes|technique|overlap|superimpos|epicardial\s+fat|fat\s+pad",
    re.IGNORECASE,
)
_ENLARGED = re.compile(r"cardiomegaly|enlarg", re.IGNORECASE)
# ... and a bare "shadowing" (UK: "right basal shadowing"), which also names breast and nipple shadows
_BARE_OPACITY = re.compile(r"^(?:opacit|opacification|densit|haz|shadow)", re.IGNORECASE)

# Normal statements are vocabulary data ([[normal]] in findings.toml): "Normal chest." calls the whole study
# normal; "No acute disease." leaves room for chronic and minor findings.
_NORMAL_STRONG = STUDY_NORMAL
_NORMAL_WEAK = NO_ACUTE_DISEASE


# --- helpers ----------------------------------------------------------------------------------------


def _group(o: Observation) -> str | None:
    return _GROUP.get(o.name)


def _quote(*obs: Observation) -> str:
    return " ... ".join(dict.fromkeys(o.text.strip() for o in obs))


_BOTH = "findings+impression"  # Issue.section of a conflict between the two sections


def _spans(*obs: Observation) -> list[tuple[int, int]]:
    """The quoted sentences' [start, end) in the report text, without their surrounding whitespace."""
    out = []
    for o in obs:
        start, end = o.sentence_span
        lead = len(o.text) - len(o.text.lstrip())
        span = (start + lead, start + lead + len(o.text.strip()))
        if span not in out:
            out.append(span)
    return out


def _zones_match(a: str | None, b: str | None) -> bool:
    # "hilum"/"perihilar" is central, on another axis than upper/mid/lower: it matches any zone
    return a is None or b is None or a == b or "hilum" in (a, b)


def _sides_at(obs: Iterable[Observation], zone: str | None) -> set[str]:
    """The sides ``obs`` place a finding on in ``zone``. Where a zone is given, a zone-less bilateral
    mention ("diffuse bilateral interstitial opacities") does not cover it: that is another finding than
    the one placed in a zone ("opacities overlying the left lung base")."""
    sides: set[str] = set()
    for o in obs:
        for side, z in o.sites:
            if side == "bilateral" and z is None and zone is not None:
                continue
            if _zones_match(z, zone):
                sides |= {"left", "right"} if side == "bilateral" else {side}
    return sides


def _mentions(parsed: ParsedReport, section: str, group: str, polarities: set[str]) -> list[Observation]:
    return [o for o in parsed.observations if o.section == section and _group(o) == group and o.polarity in polarities]


def _lateral_mentions(carried: list[Observation], section: str, family: str, resolved: bool = False
                      ) -> list[Observation]:
    """Of ``carried`` (the report's mentions with their carried sides), those of ``family`` with a side: those present
    or possible, or (``resolved``) those that have gone ("resolution of the right effusion"), whose sides are compared
    with each other."""
    return [o for o in carried
            if o.section == section and o.sites
            and ((o.polarity == "absent" and o.resolved) if resolved else o.polarity in ("present", "uncertain"))
            and (_group(o) == family or _LATERAL_FAMILY.get(_group(o) or "") == family)]


# a sentence that reads the one before it: "There is a density over the left 7th rib. This likely represents an old
# fracture." (its finding is the density's reading, on the density's side)
_ANAPHOR = re.compile(r"^\W*(?:\d+[.)]\s*)?(?:this|these|it|they|(?:the\s+)?appearances?|(?:this|these|the)\s+"
                      r"(?:findings?|appearances?|abnormalit(?:y|ies)|densit(?:y|ies)|opacit(?:y|ies)|lesions?))\b"
                      r"(?!\s+(?:is|are)\s+(?:no|not)\b)", re.IGNORECASE)
_ANY_SIDE = re.compile(r"\b(?:right|left|rt|lt|bilateral\w*|both|bibas\w*|biapical)\b", re.IGNORECASE)


def _with_carried_side(parsed: ParsedReport, o: Observation) -> Observation:
    """``o`` with the side of the sentence just before it, where ``o`` has no side, its sentence names none and
    opens by pointing back at the one before ("This", "These findings", "Appearance suggests"), and what that
    sentence affirms or doubts lies on one side only."""
    if o.sites or (o.name in FINDINGS and not FINDINGS[o.name].lateral) or o.polarity == "absent" \
            or not _ANAPHOR.match(o.text) \
            or _ANY_SIDE.search(o.text):
        return o
    base = parsed.offsets.get(o.section, 0)
    starts = [base + off + len(sent) - len(sent.lstrip())
              for off, sent in split_sentences(parsed.sections.get(o.section, ""))]
    here = o.sentence_span[0] + len(o.text) - len(o.text.lstrip())
    if here not in starts or starts.index(here) == 0:
        return o
    before = starts[starts.index(here) - 1]
    sites = [site for p in parsed.observations if p.section == o.section and p.polarity != "absent"
             and p.sentence_span[0] + len(p.text) - len(p.text.lstrip()) == before for site in p.sites]
    if not sites or len({side for side, _ in sites}) != 1 or sites[0][0] not in ("left", "right"):
        return o
    return replace(o, sites=tuple(dict.fromkeys(sites)), laterality=sites[0][0])



# a correction of a side written into the report ("should read 'left', not 'right'", "corrected to right rather than
# left")
_SIDE_CORRECTION = re.compile(
    r"\b(?:should\s+(?:read|be|say)|(?:is|was|has\s+been)\s+corrected\s+to|corrected\s+to|read\s+as)\s+[\"'\u201c\u2018]?"
    r"(?P<right>left|right)[\"'\u201d\u2019]?\s*,?\s*(?:not|instead\s+of|rather\s+than)\s+[\"'\u201c\u2018]?(?P<wrong>left|right)\b",
    re.IGNORECASE)


def laterality_conflicts(parsed: ParsedReport) -> list[Issue]:
    issues: list[Issue] = []
    fired: set[str] = set()
    families = set(_LATERAL_FAMILY.values())
    # a finding gone in one section and going in the other: only where the report says something has gone
    regressing = any(o.resolved for o in parsed.observations) and any(
        o.change in ("decreased", "resolved") for o in parsed.observations)
    corrections = {(m.group("right").lower(), m.group("wrong").lower()) for m in _SIDE_CORRECTION.finditer(parsed.text)}
    # each mention with the side a sentence pointing back takes from the one before, worked out once per report
    carried = [_with_carried_side(parsed, o) for o in parsed.observations]
    for group in sorted(_LATERAL_GROUPS, key=lambda g: (g in families, g)):
        if group in families and fired & {g for g, f in _LATERAL_FAMILY.items() if f == group}:
            continue
        found = None
        for resolved in (False, True):
            fnd = _lateral_mentions(carried, "FINDINGS", group, resolved)
            imp = _lateral_mentions(carried, "IMPRESSION", group, resolved)
            found = _side_pair(fnd, imp, parsed)
            if found:
                break
        if not found and regressing:
            found = _regressing_pair(parsed, carried, group)
        if not found:
            found = _changing_pair(parsed, carried, group)
        if not found:
            found = _same_size_pair(parsed, carried, group)
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
    return issues + _device_side_conflicts(parsed)


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
    return {"left", "right"} if "bilateral" in sides else sides


# one canonical device covers several kinds ("Right IJ line" and "Left PICC" are two central lines): only
# mentions of one kind are compared
_DEVICE_KIND = re.compile(r"picc|jugular|\bij\b|subclavian|dialysis|port|swan|pigtail", re.IGNORECASE)
_DEVICE_KIND_BEFORE = re.compile(r"\b(?:picc|jugular|ij|subclavian|dialysis|(?:media?|chest\s+)port|swan|pigtail)\b",
                                 re.IGNORECASE)


def _device_kind(o: Observation) -> str:
    # the kind in the device's own words or just before them ("right IJ central venous catheter")
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


def _side_pair(fnd: list[Observation], imp: list[Observation],
               parsed: ParsedReport) -> tuple[Observation, str, Observation, str] | None:
    """A FINDINGS mention and an IMPRESSION mention on opposite sides (same zone where both give one),
    where neither section also places the finding on the other's side there. A mention named as one of
    alternatives ("left base atelectasis/infiltrate") is also placed where the other section states any of
    its alternatives ("left basal airspace opacity")."""
    for a in fnd:
        for sa, za in a.sites:
            for b in imp:
                for sb, zb in b.sites:
                    if {sa, sb} != {"left", "right"} or not _zones_match(za, zb):
                        continue
                    # a side read from the lingula alone stands only against a section that names no lingula
                    # ("right middle lobe and lingular opacities" is no conflict with "lingular scarring")
                    if (_side_from_place(a) and any(_LINGULA.search(o.text) for o in imp)) or (
                            _side_from_place(b) and any(_LINGULA.search(o.text) for o in fnd)):
                        continue
                    # one-sided on both sides: the other section never places it on this side here; a side read
                    # from the lingula alone does not show that ("Right middle lobe airspace disease. Lingular
                    # opacities." against "left middle lobe pneumonia")
                    # a fracture of another bone does not place this one there ("right rib deformities" beside
                    # "mid right clavicle fracture")
                    in_fnd = [o for o in _separate_from(fnd, b, imp) + _named(parsed, "FINDINGS", b.alternatives)
                              if not _side_from_place(o) and _same_bone(o, b) and _same_lesion(o, b)]
                    in_imp = [o for o in _separate_from(imp, a, fnd) + _named(parsed, "IMPRESSION", a.alternatives)
                              if not _side_from_place(o) and _same_bone(o, a) and _same_lesion(o, a)]
                    if sb in _sides_at(in_fnd, zb) or sa in _sides_at(in_imp, za):
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
    """False for a benign or long-standing nodule ("4 mm nodule, likely a granuloma") beside a mass: it does not
    place the mass on its side."""
    return not (other.name == "Mass" and o.name == "Nodule"
                and (o.temporal == "chronic" or bool(_BENIGN.search(_clause(o)))))


_LINGULA = re.compile(r"\blingul(?:a|ar)\b", re.IGNORECASE)


def _side_from_place(o: Observation) -> bool:
    """Whether ``o``'s side was read from its place (the lingula) with no side word in its sentence."""
    return o.extra.get("side_from") == "lingula"


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


_MEASURE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:cm|mm)\b", re.IGNORECASE)


def _nodular_pattern(o: Observation, *, omission: bool = False) -> bool:
    """A "nodular" pattern is no nodule, unless measured as one ("a 1.2 cm nodular opacity"). For an omission
    (a normal impression leaving it out) a measurement anywhere in its clause counts ("nodular opacity
    measuring 12 mm"); against a plain negation it must be the mention's own, as that error is an error."""
    if not o.term.lower().startswith("nodular") or o.size_mm is not None:
        return False
    return not (omission and _MEASURE.search(_clause(o)))


# what a sentence may explain an opacity as: something outside the lung, or atelectasis or scar
_OTHER_CAUSE = re.compile(r"epicardial\s+fat|soft\s+tissue|overlap|overly|artifact|nipple", re.IGNORECASE)
_SCAR_CAUSE = re.compile(r"atelecta|scar|fibros", re.IGNORECASE)


def _explained_away(o: Observation, parsed: ParsedReport, *, omission: bool = False) -> bool:
    """A positive mention too vague to contradict a negation or to be missed by a normal impression: a
    bare "opacity", an opacity the same sentence explains as atelectasis, scar or overlying soft
    tissue, a "nodular" pattern, a nodule explained as a nipple, a blunted costophrenic angle (a sign
    that may be scar; it is not an effusion by itself).

    With ``omission`` (a normal impression that leaves it out), an opacity read as possible
    atelectasis still counts: "atelectasis versus infiltrate" belongs in the impression."""
    clause = _clause(o)
    if o.name == "Lung Opacity" and ((_BARE_OPACITY.match(o.term) and not _placed_opacity(o))
                                     or _OTHER_CAUSE.search(clause) or (not omission and _SCAR_CAUSE.search(clause))):
        return True
    if _group(o) == "nodule or mass" and (_nodular_pattern(o) or _BENIGN.search(clause)):
        return True
    if o.name == "Pleural Effusion" and re.search(r"blunt", o.term, re.IGNORECASE):
        return True
    return False


def _placed_bare_opacity(o: Observation) -> bool:
    """An opacity with a side or a zone that nothing in its clause explains away or calls faint ("streaky bibasilar
    opacities"; not "opacity ... likely atelectasis", "soft tissue overlap", "faint opacity at the right base")."""
    clause = _clause(o)
    return o.name == "Lung Opacity" and bool(o.sites or o.location) and not (
        _OTHER_CAUSE.search(clause) or _SCAR_CAUSE.search(clause) or _NOT_A_LUNG_OPACITY.search(clause))


# beyond ``_OTHER_CAUSE`` and ``_SCAR_CAUSE``: any fat, a hernia or a vessel, and an opacity called faint
_NOT_A_LUNG_OPACITY = re.compile(r"\bfat\b|hernia|vessel|vascula|faint|subtle|minimal|tiny|trace|slight", re.IGNORECASE)


def _clause(o: Observation) -> str:
    """The part of the mention's sentence between semicolons ("... opacity in the right lower lobe; no
    pneumothorax; soft tissues unremarkable": the soft tissues are another item of the list, not the opacity's)."""
    i = o.span[0] - o.sentence_span[0]
    if not 0 <= i <= len(o.text):
        return o.text
    start = o.text.rfind(";", 0, i) + 1
    stop = o.text.find(";", i)
    return o.text[start: stop if stop >= 0 else len(o.text)]


_FOCAL = re.compile(r"\b(?:focal|patchy|confluent|consolidative|fluffy|ill[\s-]defined|dense|ground[\s-]glass)\s+"
                    r"(?:(?:right|left|upper|mid|middle|lower|lobe|zone|lung|basal|apical)\s+|\w+\s+)?"
                    r"(?:(?:right|left|upper|mid|middle|lower|lobe|zone|lung|basal|apical)\s+){0,2}$", re.IGNORECASE)


def _placed_opacity(o: Observation) -> bool:
    """An opacity described as a lesion and placed ("focal opacity in the right lower lobe") counts as a
    finding; a bare "opacity" (a pattern, a shadow) does not."""
    i = o.span[0] - o.sentence_span[0]
    before = o.text[max(0, i - 30): i] if 0 <= i <= len(o.text) else ""
    return bool(o.sites or o.location) and bool(_FOCAL.search(before))


_HISTORICAL = re.compile(r"\b(?:previous|prior|old|remote|healed|history\s+of|sequela\w*\s+of)\b[^.;]{0,40}$",
                         re.IGNORECASE)


# "compared to the prior study, there are increased opacities": a comparison, today's finding
_COMPARED_WITH_PRIOR = re.compile(r"\b(?:compared\s+(?:to|with)|comparison\s+(?:to|with)|since|from|than|relative\s+to)"
                                  r"\s+(?:the\s+|a\s+)?(?:most\s+recent\s+)?(?:previous|prior)\b", re.IGNORECASE)


def _historical(o: Observation) -> bool:
    """A finding of the past ("previous tuberculosis pneumonia", "history of pneumothorax"), not one compared with
    a prior study."""
    i = o.text.lower().find(o.term.lower())
    return i >= 0 and bool(_HISTORICAL.search(_COMPARED_WITH_PRIOR.sub(" ", o.text[:i])))


def _lat_compatible(absent: Observation, present: Observation) -> bool:
    if absent.laterality == "bilateral":  # "both lungs are clear"
        return True
    if absent.laterality is None or present.laterality in (None, "bilateral"):
        return absent.laterality is None or present.laterality == "bilateral"
    return absent.laterality in (present.laterality, "bilateral")


def _same_side(a: Observation, b: Observation) -> bool:
    """Whether two affirmed mentions may lie on one side (either side-less or bilateral, or the same side)."""
    return None in (a.laterality, b.laterality) or "bilateral" in (a.laterality, b.laterality) \
        or a.laterality == b.laterality


_PARENCHYMAL = PARENCHYMAL_GROUPS  # findings.toml: parenchymal


def _zones(o: Observation) -> set[str]:
    zones = {z for _, z in o.sites if z}
    if not zones and o.location:
        zones = {m.lastgroup for m in ZONE.finditer(o.location) if m.lastgroup}
    return zones


def _exception_covers(parsed: ParsedReport, section: str, p: Observation) -> bool:
    """True when ``section`` names a lung finding on p's side and in p's zone (where both are known):
    "Right basilar atelectasis. Lungs otherwise clear." does not contradict "right lower lobe pneumonia"."""
    pz = _zones(p)
    for o in parsed.observations:
        if o.section != section or o.polarity == "absent" or _group(o) not in _PARENCHYMAL:
            continue
        if o.laterality and p.laterality and "bilateral" not in (o.laterality, p.laterality) \
                and o.laterality != p.laterality:
            continue
        oz = _zones(o)
        if oz and pz and not any(_zones_match(a, b) for a in oz for b in pz):
            continue
        return True
    return False


_DESCRIPTOR = re.compile(
    r"\b(?:streaky|patchy|hazy|linear|reticular|reticulonodular|interstitial|ground[\s-]?glass|nodular|fluffy|"
    r"confluent|ill[\s-]defined|faint|subtle|rounded|round|irregular|band[\s-]?like|plate[\s-]?like|wedge[\s-]?shaped"
    r"|mild|minimal|scattered|diffuse|focal|small|tiny|dense)\b", re.IGNORECASE)


def _descriptors(o: Observation) -> set[str]:
    i = o.text.lower().find(o.term.lower())
    before = o.text[max(0, i - 40): i] if i >= 0 else ""
    return {m.group(0).lower() for m in _DESCRIPTOR.finditer(before)}


def _same_description(bare: Observation, p: Observation) -> bool:
    """A bare opacity on p's side, described with the same words ("streaky", "patchy") as p."""
    sides_ok = bare.laterality is None or p.laterality is None or "bilateral" in (bare.laterality, p.laterality) \
        or bare.laterality == p.laterality
    return sides_ok and bool(_descriptors(bare) & _descriptors(p) - {"mild", "minimal", "small", "tiny", "focal"})


def _one_group_alternative(o: Observation) -> bool:
    """A finding named only beside alternatives of its own group ("right effusion/hemothorax", "pneumonia or
    consolidation"): whichever it is, the group is affirmed. Alternatives across groups ("scar or pleural
    fluid", "atelectasis/infiltrate") stay a hedge."""
    return o.polarity == "uncertain" and not o.hypothetical and bool(o.alternatives) and all(
        _GROUP.get(name) == _group(o) for name in o.alternatives)


_LARGE_BEFORE = re.compile(r"\b(?:large|massive|huge|sizable|sizeable)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _rules_out_large(n: Observation, parsed: ParsedReport) -> bool:
    """A negation limited to a large finding ("no large effusion"): it rules out only a large one."""
    return n.qualified and bool(_LARGE_BEFORE.search(parsed.text[n.sentence_span[0]: n.span[0]]))


def _rules_out_acute(n: Observation, parsed: ParsedReport) -> bool:
    """A negation limited to an acute finding ("no acute fracture", "no acute bony injury"): it rules out only
    one the other section calls acute or new, never an old or an undated one."""
    return n.qualified and bool(re.search(r"\bacute\b", parsed.text[n.sentence_span[0]: n.span[0]], re.IGNORECASE))


# (a fracture described by its displacement is today's: an old one is called old, healed or united)
_CALLED_ACUTE = re.compile(r"\b(?:acute|fresh|new|recent|displaced|non-?displaced|undisplaced|comminuted)\b",
                           re.IGNORECASE)
_AGE_UNKNOWN = re.compile(r"\b(?:indeterminate|uncertain|unknown|undetermined)\s+age|\bage\s+(?:indeterminate|"
                          r"uncertain|unknown|undetermined)|\bof\s+(?:indeterminate|uncertain|unknown)\s+(?:age|"
                          r"chronicity)", re.IGNORECASE)
# "no lung mass", "no focal pulmonary mass": a negation of any lesion in the lung, as "no focal lung lesion" is
_LUNG_MASS_RULED_OUT = re.compile(r"\b(?:lung|pulmonary|focal|intrapulmonary)\s+(?:mass|masses)\b", re.IGNORECASE)


def _called_acute(p: Observation) -> bool:
    i = p.span[0] - p.sentence_span[0]
    return 0 <= i <= len(p.text) and bool(_CALLED_ACUTE.search(p.text[max(0, i - 60): i].split(";")[-1]))


# what the lungs being clear leaves no room for: a mass, or a nodule of a centimetre or more, in the lung itself
# (not one in the mediastinum, at the hilum or in the chest wall)
_NOT_IN_THE_LUNG = re.compile(r"mediastin|hil(?:um|ar|a)\b|paratrache|chest\s+wall|breast|axill|soft\s+tissue|"
                              r"thyroid|goit|neck|abdom|liver|kidney|adrenal|bone|rib", re.IGNORECASE)


def _lung_lesion(p: Observation) -> bool:
    if p.name == "Mass" or (p.name == "Nodule" and p.size_mm is not None and p.size_mm >= 10):
        return any(z not in (None, "hilum") for _, z in p.sites) and not _NOT_IN_THE_LUNG.search(_clause(p))
    return False


def _large(p: Observation) -> bool:
    return p.size == "large" or any(size == "large" for _, size in p.side_sizes)


def _contradicts_itself(n: Observation, s: Observation, parsed: ParsedReport) -> bool:
    """Whether a plain negation ``n`` and a live mention ``s`` of the very same finding, in one section and at
    one site, say opposite things ("No cardiomegaly." ... "Cardiomegaly and small effusions"), as
    ``section_contradictions`` reads it, or the section hedges the very finding it rules out ("No pneumonia." ...
    "may represent an early pneumonia"). Not a negation narrowed by a word ("no focal consolidation" beside
    "patchy consolidation"), a side ("no right effusion" beside a left one), a place ("no masses in the lungs"
    beside a mediastinal mass: nodules and masses are not compared) or "the lungs are clear"."""
    if _group(n) not in _CONTRADICTION_GROUPS or not _plain_negation(n):
        return False
    if s.name != n.name or s.start == n.start or s.hypothetical or s.change == "decreased" or _historical(s):
        return False
    if s.polarity == "uncertain" and not (_one_group_alternative(s) or not s.alternatives):
        return False  # "atelectasis versus pneumonia" weighs two findings; "may be early pneumonia" hedges this one
    if _explained_away(s, parsed) or _BARE_OPACITY.match(s.term):
        return False
    return n.laterality is None or n.laterality in (s.laterality, "bilateral")


# atelectasis "the lungs are clear" does not deny: a streak, a plate, a dependent or a mild one (IU reports say both)
_MINOR_ATELECTASIS = re.compile(r"\b(?:plate|platelike|plate-like|linear|discoid|subsegmental|streak\w*|band\w*|"
                                r"dependent|basilar|bibasilar|basal|bibasal|bases?|mild|mildly|minimal|minor|slight|trace|tiny|small|"
                                r"scar\w*)\b",
                                re.IGNORECASE)


def negation_conflicts(parsed: ParsedReport) -> list[Issue]:
    issues = []
    for group in sorted(_NEGATION_GROUPS):
        for neg_sec, pos_sec in (("FINDINGS", "IMPRESSION"), ("IMPRESSION", "FINDINGS")):
            negs = [o for o in _mentions(parsed, neg_sec, group, {"absent"})
                    if not o.qualified or _rules_out_large(o, parsed) or _rules_out_acute(o, parsed)]
            if group == "nodule or mass":
                # "the lungs are clear" against a lung mass or a measured nodule of 1 cm or more (_lung_lesion)
                negs += [o for o in parsed.observations if o.section == neg_sec and o.implied
                         and o.name == "Lung Opacity" and o.polarity == "absent"]
            if not negs:
                continue
            # affirmed, or probable ("likely pneumonia", "probable effusion"); a merely possible finding
            # ("cannot exclude a small effusion") beside a negation is hedging, not a contradiction
            # an IMPRESSION that calls the lungs clear answers for every opacity the findings place, a streaky one too
            clear_conclusion = neg_sec == "IMPRESSION" and any(n.implied for n in negs)
            pos = [o for o in _mentions(parsed, pos_sec, group, {"present", "uncertain"})
                   if (o.polarity == "present" or (o.probable and not o.hypothetical) or _one_group_alternative(o))
                   and (not _explained_away(o, parsed) or (clear_conclusion and _placed_bare_opacity(o)))
                   and not _historical(o)]
            same_live = [o for o in _mentions(parsed, neg_sec, group, {"present", "uncertain"})
                         if not _explained_away(o, parsed) and not o.hypothetical]
            # a bare "opacity" in the negating section described as the positive is ("No focal airspace
            # disease. Bilateral streaky opacities." vs "streaky airspace opacities") is the same finding
            # in plainer words: a mixed picture, not a contradiction
            bare = [o for o in _mentions(parsed, neg_sec, group, {"present", "uncertain"})
                    if o.name == "Lung Opacity" and _BARE_OPACITY.match(o.term)]
            same_back = _mentions(parsed, pos_sec, group, {"absent"})
            hit = None
            for p in pos:
                for n in negs:
                    # "the lungs are clear" or "no focal lung lesion" against a lung mass or a nodule of 1 cm or more
                    if not _lat_compatible(n, p) or (group == "nodule or mass" and n.name != p.name
                                                     and not ((n.implied or n.name == "Lung Lesion" or (
                                                         n.name == "Mass" and _LUNG_MASS_RULED_OUT.search(n.text)))
                                                              and _lung_lesion(p))):
                        continue
                    if _rules_out_acute(n, parsed) and not (_called_acute(p) or (
                            p.section == "IMPRESSION" and p.temporal != "chronic" and not same_live
                            and not _AGE_UNKNOWN.search(_clause(p)))):
                        # "no acute fracture" against an old or undated one is no contradiction; a fracture the
                        # IMPRESSION names, undated, is the study's own
                        continue
                    if n.qualified and not _rules_out_acute(n, parsed) and not (_large(p) and p.polarity == "present"):
                        continue  # "no large effusion" against a large one only, never a small or moderate one
                    if p.polarity != "present" and p.alternatives and n.implied:
                        continue  # alternatives weigh only against a plain "no X", not "the lungs are clear"
                    if n.implied and p.name == "Atelectasis" and (
                            _graded(p.severity, "trace", "small") or _MINOR_ATELECTASIS.search(_clause(p))):
                        continue  # "Clear lungs." beside mild plate-like atelectasis: real reports say both
                    if n.extra.get("otherwise") and _exception_covers(parsed, neg_sec, p):
                        continue
                    # the negating section also affirms it, or the affirming one also negates it:
                    # a mixed picture (e.g. "no right effusion ... small left effusion"), not a contradiction
                    # ... at the positive's side: "No airspace opacity. Right mid atelectasis." says nothing of
                    # the left, so a left lower lobe airspace disease in the other section still contradicts it
                    # ... unless that section contradicts itself: "No cardiomegaly." beside "Cardiomegaly." (or "No
                    # pneumonia." beside "may represent pneumonia") is no mixed picture, and its plain negation still
                    # contradicts the other section's affirmed finding
                    if any((_lat_compatible(n, s) or s.laterality is None)
                           and (n.laterality is not None or n.implied or group == "nodule or mass"
                                or _same_side(s, p))
                           and not _contradicts_itself(n, s, parsed)
                           for s in same_live):
                        continue
                    if any(_same_description(b, p) for b in bare):
                        continue
                    if any(b.name == p.name and b.laterality in (None, p.laterality) and not b.qualified
                           and not b.implied for b in same_back):
                        continue
                    if n.resolved and p.change == "decreased":
                        continue  # "improvement in the airspace disease" vs "near complete clearing of it"
                    hit = (n, p)
                    break
                if hit:
                    break
            if hit:
                n, p = hit
                issues.append(Issue(
                    kind="negation_conflict", severity="error", section=_BOTH, finding=group,
                    spans=_spans(n, p) if neg_sec == "FINDINGS" else _spans(p, n),
                    message=f"The {pos_sec} reports {group} ('{p.term}') but the {neg_sec} rules it out "
                            f"('{n.term}').",
                    evidence=_quote(n, p) if neg_sec == "FINDINGS" else _quote(p, n),
                    suggestion="Make FINDINGS and IMPRESSION agree on whether this finding is present.",
                ))
                break
    return issues


def _normal_impression(parsed: ParsedReport) -> tuple[bool, str] | None:
    """(pure, sentence) when the impression calls the study normal or free of acute disease.

    ``pure`` is True when every impression sentence is such a statement, i.e. the impression says
    nothing else; then even chronic or possible findings are expected to be carried over.
    """
    sentences = [(off, s) for off, s in split_sentences(parsed.sections.get("IMPRESSION", "")) if s.strip()]
    normal = [s for _, s in sentences if _NORMAL_STRONG.search(s) or _NORMAL_WEAK.search(s)]
    # a sentence that only rules things out ("Clear lungs.", "No pneumothorax.") keeps the impression normal
    by_start: dict[int, list[Observation]] = {}
    for o in parsed.section_observations("IMPRESSION"):
        by_start.setdefault(o.start, []).append(o)
    if not normal:
        # an impression that only rules things out ("Clear lungs. No pneumothorax.") says the study shows nothing
        # else: what FINDINGS affirm (not chronic) is left out of it, as of "no acute disease"
        if sentences and all(by_start.get(off) and all(o.polarity == "absent" for o in by_start[off])
                             for off, _ in sentences) and any(
                o.name not in BONE_FINDINGS for obs in by_start.values() for o in obs):
            return False, sentences[0][1]  # (the bones alone called normal say nothing of the chest)
        return None
    pure = all(
        s in normal or (by_start.get(off) and all(o.polarity == "absent" for o in by_start[off]))
        for off, s in sentences
    )
    return pure, normal[0]


_MINOR_IN_TERM = re.compile(r"\b(?:mild|mildly|slight|slightly|minimal|minimally|borderline)\b", re.IGNORECASE)
_TRACE_WORD = re.compile(r"\b(?:tiny|trace|minimal|minimally|subtle|slight|slightly|few)\b", re.IGNORECASE)


def _graded(severity: str | None, *grades: str) -> bool:
    """Whether a severity word is of one of the size grades the size check compares (vocabulary.SIZE_WORD:
    "tiny", "minimal" are trace; "mild", "slight", "minor" small), so every check grades a degree alike."""
    grade = SIZE_WORD.fullmatch(severity) if severity else None
    return grade is not None and grade.lastgroup in grades


def _omission_severity(o: Observation, group: str, strong: bool) -> str:
    """How much an omitted finding matters (calibrated on real IU reports; see docs/report_checks.md):
    a warning for pneumothorax, free air, a widened mediastinum, oedema, consolidation, a mass or a
    nodule of 6 mm or more, an effusion larger than small, and anything new or increasing; info for
    mild, borderline or stable cardiomegaly, a small effusion and a nodule under 6 mm."""
    if o.change in ("new", "increased") or strong:
        return "warning"  # "Normal chest." beside any of these is wrong; "no acute disease" beside them is usual
    # the degree may sit before the term ("mild cardiomegaly") or inside it ("heart is mildly enlarged")
    minor = _graded(o.severity, "trace", "small") or bool(_MINOR_IN_TERM.search(o.term))
    if group == "cardiomegaly" and (minor or o.polarity == "uncertain" or o.temporal == "chronic"):
        return "info"
    if group == "pleural effusion" and minor:
        return "info"
    if _lobar_collapse(o) and (o.change in ("decreased", "resolved", "stable") or o.temporal == "chronic"
                               or _IMPROVING.search(_clause(o))):
        return "info"  # a known collapse that is clearing or unchanged, beside "no acute disease"
    if group == "airspace disease" and _graded(o.severity, "trace"):
        return "info"
    if group == "nodule or mass" and o.name == "Nodule" and o.size_mm is not None and o.size_mm < 6:
        return "info"
    return "warning"


_DEFERS_TO_FINDINGS = re.compile(r"\b(?:see|as)\s+(?:described\s+|detailed\s+|noted\s+)?(?:above|below|findings)\b"
                                 r"|\bas\s+described\b", re.IGNORECASE)


# a finding reported from another kind of study ("nodule seen on the prior CT", "effusion on echocardiography")
_OTHER_STUDY = re.compile(r"\b(?:on|by|at|from|with)\s+"
                          r"(?:(?:the|a|an|prior|previous|recent|outside|abdominal|chest)\s+)*"
                          r"(?:(?-i:CTA?|MRI?|PET)|computed\s+tomography|ultrasound|sonograph\w*|echo\w*)\b",
                          re.IGNORECASE)


# a lobe or lung collapsed is significant where plate-like or basal atelectasis is minor
_IMPROVING = re.compile(r"\b(?:less\s+(?:distinct|prominent|marked|conspicuous|apparent|extensive)|improv\w*|decreas\w*"
                        r"|resolv\w*|re-?expan\w*|re-?aerat\w*)", re.IGNORECASE)
_LOBAR_COLLAPSE = re.compile(r"\bcollapse", re.IGNORECASE)


# collapse beside an effusion or a mass ("effusion with adjacent lower lobe collapse") belongs to that finding
_ATTACHED = re.compile(r"\b(?:adjacent|subjacent|underlying|overlying|associated|compressive|passive|relaxation)\b"
                       r"(?:\s+[\w-]+){0,3}\s*$", re.IGNORECASE)


def _lobar_collapse(o: Observation) -> bool:
    i = o.span[0] - o.sentence_span[0]
    if o.name != "Atelectasis" or not 0 <= i <= len(o.text):
        return False
    # "lobe collapse"; "left lower lobe atelectasis" stays minor (in real reports it is mostly a streak at a base)
    if not _LOBAR_COLLAPSE.search(o.term):
        return False
    return not _ATTACHED.search(o.text[max(0, i - 40): i])


# an impression that speaks for the whole study's course ("No interval change.", "Stable appearance.") without
# listing what stays: a finding left out of it may be the unchanged one
_WHOLE_STUDY_CHANGE = re.compile(r"^\W*(?:\d+[.)]\s*)?(?:no\s+(?:significant\s+|radiographic\s+|definite\s+)?"
                                 r"(?:interval\s+)?change|(?:otherwise\s+)?(?:stable|unchanged)\s+(?:appearances?|"
                                 r"exam\w*|study|radiograph|film|chest|findings)|(?:appearances?|findings)\s+(?:are\s+|is\s+)?"
                                 r"(?:stable|unchanged))\b|^\W*(?:similar|unchanged|stable)\s+appearances?\b",
                                 re.IGNORECASE)
_MINOR_WORD = re.compile(r"\b(?:few|mild|mildly|minimal|minimally|slight|slightly|trace|subtle|minor|small)\b",
                         re.IGNORECASE)


_AS_BEFORE = re.compile(r"\b(?:as\s+before|as\s+previously|unchanged|stable|again\s+(?:seen|noted)"
                        r"|no\s+(?:interval\s+)?change)\b", re.IGNORECASE)
_AIRSPACE_WORD = re.compile(r"\b(?:air[\s-]?space|alveolar|consolidat\w*)", re.IGNORECASE)
_EDEMA_WORD = re.compile(r"o?edema|failure", re.IGNORECASE)
# "Lines and tubes as described": the deferral is the devices', not the findings'
_DEVICES_AS_DESCRIBED = re.compile(r"\b(?:lines?|tubes?|catheters?|devices?|drains?|wires?|hardware)\b[^.]*"
                                   r"\bas\s+(?:described|detailed|noted|above)", re.IGNORECASE)


_OTHER_FINDINGS = re.compile(r"\b(?:findings|abnormalit(?:y|ies)|changes)\b", re.IGNORECASE)


def _defers_all(parsed: ParsedReport, start: int, sentence: str) -> bool:
    """Whether an impression sentence (at ``start`` in the text) refers to the findings for the rest ("See above.",
    "Other findings as described."): not where the reference is what a finding or a device named before it carries
    ("Right rib fractures as described.", "Lines and tubes as described"), which speaks for that one alone."""
    deferral = _DEFERS_TO_FINDINGS.search(sentence)
    if deferral is None or _DEVICES_AS_DESCRIBED.search(sentence):
        return False
    named_before = any(start <= o.span[0] < start + deferral.start() for o in parsed.section_observations("IMPRESSION"))
    return not named_before or bool(_OTHER_FINDINGS.search(sentence, 0, deferral.start()))


_SUMMARISED_WHEN_STABLE = {"pneumothorax", "free air", "nodule or mass", "pleural effusion", "airspace disease",
                           "pulmonary edema"}


def _must_be_summarised(o: Observation, group: str) -> bool:
    """A finding no impression may leave out, whatever else it lists: what the issue calls significant
    (pneumothorax, free air, a widened mediastinum, oedema, consolidation or pneumonia, a mass or a nodule of 6 mm
    or more, an effusion larger than small, a collapsed lobe) and anything of those groups new or increasing.
    Stricter than beside a normal impression: an impression that lists findings is a summary, and real ones
    leave out a small effusion, a mild heart or an unplaced opacity (measured on the IU archive)."""
    # (not where "increased" is the finding's own word, "cardiothoracic ratio is increased", or it is "as before")
    growing = o.change == "new" or (o.change == "increased" and not re.search(r"increas", o.term, re.IGNORECASE))
    if growing and not _AS_BEFORE.search(_clause(o)) and (FINDINGS[o.name].significance in ("critical", "significant")
                                                          or group == "fracture" or _lobar_collapse(o)):
        return True  # a new fracture too; not atelectasis beside an effusion that grows
    if o.change == "resolved" or (group not in _SUMMARISED_WHEN_STABLE and (
            o.change in ("stable", "decreased") or o.temporal == "chronic" or _IMPROVING.search(_clause(o)))):
        return False
    if group in ("pneumothorax", "free air"):
        return True
    if group == "widened mediastinum":
        return not (_TECHNIQUE.search(o.text) or _MINOR_WORD.search(_clause(o)))
    if group == "pulmonary edema":
        # the issue lists oedema and congestion as significant: mild oedema too, not a trace or a minimal one
        return not _graded(o.severity, "trace") and not _TRACE_WORD.search(_clause(o))
    if group == "airspace disease":
        # consolidation or pneumonia, or an opacity called airspace or alveolar and placed ("airspace opacification
        # in the left lower zone"); not a bare, streaky or minimal one
        airspace = o.name in ("Consolidation", "Pneumonia") or (
            o.name == "Lung Opacity" and bool(o.sites or o.location) and bool(_AIRSPACE_WORD.search(_clause(o))))
        return airspace and not _graded(o.severity, "trace") and not re.search(
            r"streak|linear|band|plate|subsegmental|discoid", _clause(o), re.IGNORECASE)
    if group == "nodule or mass":
        return o.name == "Mass" or (o.size_mm is not None and o.size_mm >= 6)
    if group == "pleural effusion":
        # larger than small by the size grades the size check compares ("marked", "massive": large)
        sizes = [size for size in [o.size, *(size for _, size in o.side_sizes)] if size]
        if o.severity and (grade := SIZE_WORD.fullmatch(o.severity)):
            sizes.append(str(grade.lastgroup))
        return any(_size_bounds(size)[1] >= _SIZE_RANK["moderate"] for size in sizes)
    return _lobar_collapse(o)


_FOCAL_OR_LOBAR = re.compile(r"\b(?:focal|lobe|lobar|segment\w*|lingula\w*)\b", re.IGNORECASE)


def _named_at_side(parsed: ParsedReport, o: Observation, group: str, *, affirmed: bool = False) -> bool:
    """Whether the IMPRESSION names ``group`` (``affirmed``: not ruled out) where ``o`` is: at its side, or either
    side-less or bilateral."""
    return any(_group(i) == group and not (affirmed and i.polarity == "absent") and (
        o.side in (None, "bilateral") or i.side in (None, "bilateral") or i.side == o.side)
        for i in parsed.section_observations("IMPRESSION"))


def _listing_impression_omits(parsed: ParsedReport) -> list[Issue]:
    """An impression that lists findings but leaves out one that must be summarised (``_must_be_summarised``)."""
    impression = parsed.sections.get("IMPRESSION", "")
    sentences = [s for _, s in split_sentences(impression) if s.strip()]
    if not sentences or (impression_states_nothing(parsed) and not impression_only_advice(parsed)):
        return []  # an empty impression ("N/A", "1.") is the missing-section check's
    # an impression of advice alone ("CT is recommended.") is still to write, and it summarises nothing: what must be
    # summarised is left out of it too
    start = parsed.offsets.get("IMPRESSION", 0)
    if any(start <= a < start + len(impression) for a, _ in placeholder_spans(parsed)):
        return []  # a blank in the impression may be the very finding ("Large left <finding>."): the placeholder's
    refers = any(_defers_all(parsed, start + off, s) for off, s in split_sentences(impression))
    course = any(_WHOLE_STUDY_CHANGE.search(s) for s in sentences)
    named = {_group(o) for o in parsed.observations if o.section == "IMPRESSION"}
    named_names = {o.name for o in parsed.observations if o.section == "IMPRESSION"}
    affirmed = {_group(o) for o in parsed.observations if o.section == "IMPRESSION" and o.polarity != "absent"}
    issues = []
    seen: set[str] = set()
    for o in parsed.section_observations("FINDINGS"):
        group = _group(o)
        if group is None or group in seen or group in named or o.hypothetical or not (
                o.polarity == "present" or (o.polarity == "uncertain" and o.probable)):
            continue  # affirmed, or probable ("probably represents consolidation"); not merely possible
        if group == "pneumothorax" and named_names & {"Hydropneumothorax", "Hemopneumothorax"}:
            continue
        if group == "airspace disease" and (_named_at_side(parsed, o, "atelectasis") or (
                _named_at_side(parsed, o, "pulmonary edema") and not _FOCAL_OR_LOBAR.search(_clause(o)))):
            # the impression names the opacity otherwise ("consolidation ... likely atelectasis"), at its side; a
            # focal or lobar consolidation is not the oedema's
            continue
        if group == "pleural effusion" and (named_names & {"Hydropneumothorax", "Hemopneumothorax"} or (
                "pneumothorax" in named and re.search(r"pneumothora", o.term, re.IGNORECASE))):
            continue  # one combined finding: the impression that names its air has named it
        if group == "widened mediastinum" and "cardiomegaly" in affirmed and re.search(r"cardi", o.term, re.I):
            continue  # "the cardiomediastinal silhouette is enlarged" and the impression names the heart
        if group == "pulmonary edema" and "airspace disease" in affirmed and not _EDEMA_WORD.search(o.term):
            continue  # "vascular congestion ... airspace opacities" and the impression names the airspace disease
        if group == "nodule or mass" and o.name != "Mass" and _named_at_side(parsed, o, "airspace disease",
                                                                             affirmed=True):
            continue  # "a 2.5 cm nodular density" summarised as "right midlung airspace density"
        if o.text.rstrip().endswith("?") or re.match(r"\W*(?:question|query|\?)", o.text, re.IGNORECASE):
            continue  # "Question edema or atypical infection?" asks, it does not affirm
        if not _must_be_summarised(o, group) or _historical(o) or _OTHER_STUDY.search(_clause(o)):
            continue
        if _explained_away(o, parsed, omission=True) or (group == "nodule or mass" and (
                (o.temporal == "chronic" and o.name != "Mass") or _nodular_pattern(o, omission=True)
                or _BENIGN.search(_clause(o)))):
            continue
        if course and (o.change == "stable" or o.temporal == "chronic"):
            continue  # "No interval change." beside a finding the findings call unchanged: it speaks for it
        seen.add(group)
        # "No interval change." may stand for an unchanged finding, but not for a critical one the findings do not
        # call unchanged (a pneumothorax is always restated)
        defers = refers or (course and FINDINGS[o.name].significance != "critical")
        issues.append(_omission(
            o, group, "info" if defers else "warning",
            "does not mention it" + (" (it refers to the findings or their course for the rest)." if defers else "."),
            parsed, impression, sentences[-1]))
    return issues


def _omission(o: Observation, group: str, severity: str, says: str, parsed: ParsedReport, impression_part: str,
              quoted: str, hedge: str = "") -> Issue:
    """The ``impression_omits_finding`` issue: spans of the finding, then of the impression part it is left out of
    (the offline suggestion adds the finding's sentence after that part)."""
    return Issue(
        kind="impression_omits_finding", severity=severity, section="impression", finding=group,
        message=f"FINDINGS report {hedge}{group} ('{o.term}') but the IMPRESSION {says}",
        evidence=f"{o.text.strip()} ... {quoted.strip()}",
        suggestion=f"Mention the {group} in the IMPRESSION, or correct the FINDINGS.",
        spans=_spans(o) + _statement_span(parsed, impression_part),
    )


def impression_omits(parsed: ParsedReport) -> list[Issue]:
    """A significant finding in FINDINGS that the IMPRESSION leaves out: beside a normal impression
    (calibrated severities), or beside one that lists other findings (only what must be summarised)."""
    normal = _normal_impression(parsed)
    if normal is None:
        return _listing_impression_omits(parsed)
    pure, statement = normal
    strong = bool(_NORMAL_STRONG.search(statement))
    # "No acute findings, see above.": the impression points to the findings for the rest; an omission is info
    defers = bool(_DEFERS_TO_FINDINGS.search(statement))
    imp_groups = {_group(o) for o in parsed.observations if o.section == "IMPRESSION" and o.polarity != "absent"}
    if not (strong or _NORMAL_WEAK.search(statement)):
        # an impression that only rules things out: what it rules out is a negation conflict, not an omission
        imp_groups |= {_group(o) for o in parsed.observations if o.section == "IMPRESSION"}
    wanted = {"present", "uncertain"} if pure else {"present"}
    issues = []
    seen: set[str] = set()
    for o in parsed.section_observations("FINDINGS"):
        group = _group(o)
        significant = group in _SIGNIFICANT_GROUPS or _lobar_collapse(o)
        if o.polarity not in wanted or not significant or group in imp_groups or group in seen:
            continue
        if group == "airspace disease" and re.search(r"atelecta|scar", o.text, re.IGNORECASE) and any(
                x.section == "IMPRESSION" and x.polarity != "absent" and _group(x) in ("atelectasis", "scarring")
                for x in parsed.observations):
            continue  # "opacities compatible with atelectasis" and the impression names the atelectasis
        if group == "widened mediastinum" and _TECHNIQUE.search(o.text):
            continue  # "widened mediastinum ... accentuated by AP portable technique"
        if _explained_away(o, parsed, omission=True) and group != "nodule or mass":
            continue  # nodules have their own rules below
        if o.name == "Cardiomegaly" and o.polarity == "uncertain" and not _ENLARGED.search(o.term):
            continue  # "heart size at the upper limits of normal" is stated as normal
        if o.hypothetical or (group == "nodule or mass" and _BENIGN.search(o.text)) \
                or (group == "cardiomegaly" and _TECHNIQUE.search(o.text)):
            continue
        if group == "nodule or mass" and ((o.temporal == "chronic" and o.name != "Mass")
                                          or _nodular_pattern(o, omission=True)):
            continue  # a stable nodule is benign (a mass stays one); "nodular" describes a pattern, not a nodule
        if not pure and o.temporal == "chronic":
            continue  # "no acute disease. Stable cardiomegaly." lists the chronic finding beside it
        if _OTHER_STUDY.search(_clause(o)):
            continue  # "a pericardial effusion on an abdominal CT": another study's finding, not this film's
        seen.add(group)
        issues.append(_omission(
            o, group, "info" if defers else _omission_severity(o, group, strong),
            "calls the study normal " + ("and refers to the findings for the rest." if defers
                                         else "and does not mention it."),
            parsed, statement, statement, hedge="possible " if o.polarity == "uncertain" else ""))
    return issues


def _statement_span(parsed: ParsedReport, statement: str) -> list[tuple[int, int]]:
    body = parsed.sections.get("IMPRESSION", "")
    base = parsed.offsets.get("IMPRESSION", 0)
    at = body.find(statement.strip())
    return [(base + at, base + at + len(statement.strip()))] if at >= 0 else []


# From the vocabulary ("contradiction" in a finding's checks). Nodules and masses are left out: impressions
# discuss nodules seen elsewhere ("small nodules on the CT").
_CONTRADICTION_GROUPS = groups_checked_by("contradiction")


def _plain_negation(o: Observation) -> bool:
    """A plain negation of the finding itself: not "no XXXX infiltrates" (qualified), "lungs are clear" or
    "normal cardiomediastinal silhouette" (implied), "otherwise negative for", "does not appear to be a
    hydropneumothorax" (a combined finding)."""
    return not o.qualified and not o.implied and not o.resolved and not OTHERWISE.search(o.text) \
        and not re.search(r"mediastin|hydro|ha?emo", o.term, re.IGNORECASE)


def section_contradictions(parsed: ParsedReport) -> list[Issue]:
    """A finding affirmed and plainly ruled out within one section ("Small right apical pneumothorax.
    ... No pneumothorax."). Same canonical finding, compatible sides, in different sentences; hedged,
    qualified ("no large"), resolved, historical or explained-away mentions do not count."""
    issues = []
    for section in ("FINDINGS", "IMPRESSION"):
        obs = parsed.section_observations(section)
        for group in sorted(_CONTRADICTION_GROUPS):
            negs = [o for o in obs if _group(o) == group and o.polarity == "absent" and _plain_negation(o)]
            if not negs:
                continue
            pos = [o for o in obs if _group(o) == group and (o.polarity == "present" or _one_group_alternative(o))
                   and not o.hypothetical
                   and not _explained_away(o, parsed) and not _historical(o) and o.change != "decreased"
                   and not _BARE_OPACITY.match(o.term)]
            hit = next(((n, p) for p in pos for n in negs if n.name == p.name and n.start != p.start
                        and (n.laterality is None or n.laterality in (p.laterality, "bilateral"))), None)
            if hit is None:
                continue
            n, p = hit
            first, second = sorted(hit, key=lambda o: o.start)
            issues.append(Issue(
                kind="section_contradiction", severity="warning", section=section.lower(), finding=group,
                message=f"The {section} both report {group} ('{p.term}') and rule it out ('{n.term}').",
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
