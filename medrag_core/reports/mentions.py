"""Observation mentions in report sentences, with ConText-style negation and uncertainty.

One sentence in, a list of ``Observation`` out. Each mention is found by a lexicon of clinical
synonyms (infiltrate / airspace disease / consolidation; "heart size is normal" / cardiomegaly;
"the lungs are clear"), then given a polarity by ConText rules: trigger terms (``no``,
``without``, ``is not seen``, ``may represent``, ...) whose scope runs forward or backward to a
termination term (``but``, ``which``, ``;``, ...), with pseudo-triggers (``no change``, ``cannot be
excluded``) that look like negations but are not. Laterality, location, severity and temporal
qualifiers ("stable", "new") come from the words around the mention. Two readings no single rule states: a hedge
inside a term of several words hedges it ("the heart may be mildly enlarged"), and a backward trigger after a
second finding and a comma, with no "and" / "or" to make a list, is the second finding's alone ("Effusion present,
pneumothorax absent").

Why not medspaCy's ConText: medspacy 1.3.1 pins spaCy 3.7, whose compiled thinc does not import
beside numpy 2, which the rest of the workbench needs; and a spaCy pipeline costs far more per
report than these precompiled regular expressions (the checks must run on every report, offline).
The rules follow ConText's design (Harkema et al. 2009; NegEx trigger lists) so they stay readable
and can be swapped for medspaCy's when its dependencies allow.

The findings and their wordings live in ``findings.toml`` and the ConText trigger, pseudo-trigger and
termination rules in ``context_rules.toml`` (both data, loaded by ``vocabulary.py``, each entry with
example sentences the tests run); the side / zone / severity / temporal words are in ``vocabulary.py``.
This module holds the engine that applies them to a sentence.

A mention (``Observation``) carries: ``name`` (canonical finding), ``polarity`` ("present" | "absent" |
"uncertain"), ``section``, ``term`` and ``text`` (verbatim), ``span`` / ``sentence_span`` ([start, end)
in the report text), ``side`` (= ``laterality``), ``zone``, ``sites``, ``severity``, ``size_mm``,
``change`` ("new" | "increased" | "decreased" | "stable" | "resolved"), ``size`` (a grade: "trace" |
"small" | "moderate" | "large" or a range "small to moderate"), ``side_sizes`` (per side, when each side
is given its own: "moderate right and small left effusions") and flags (``qualified``, ``implied``,
``hypothetical``, ``probable``, ``resolved``). Size and change are read from the mention's own words:
before its term back to the previous mention's clause, and after it up to the next mention's clause
("Cardiomegaly and increased opacities": the increase is the opacities'); "stable" only where said
("stable", "unchanged", "no increase"), a change in both directions is none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter

from medrag_core.reports.vocabulary import (
    ABBR_ZONE,
    BONE_FINDINGS,
    CHAIN,
    CHAIN_NEXT,
    CHRONIC,
    CLAUSE_BOUND,
    CLEAR_IMPLIES,
    FINDINGS,
    HYPO_BWD,
    HYPO_FWD,
    LANDMARK_SITE,
    LOCATION,
    NEG_BWD,
    NEG_FWD,
    NEW,
    NON_LUNG_SITE,
    OTHERWISE,
    PARTS_NORMAL,
    PLACED_AT,
    PROBABLE,
    PSEUDO,
    QUALIFIER,
    RESOLVED,
    SEEN_ANEW,
    SEVERITY,
    SIDE,
    SIDED_PLACE,
    SIZE_GRADES,
    SIZE_PHRASE,
    SIZE_WORD,
    TARGET_INFO,
    TARGET_RE,
    TERMINATE,
    TERMINATE_NOT_HEDGES,
    UNC_BWD,
    UNC_FWD,
    UNC_PSEUDO_NEG,
    VASC_NORMAL,
    VASC_RULES_OUT,
    ZONE,
    ZONE_LINK,
)
from medrag_core.reports.vocabulary import DEVICE_NAMES as VOCAB_DEVICE_NAMES
from medrag_core.reports.vocabulary import NON_LATERAL as VOCAB_NON_LATERAL

Polarity = str  # "present" | "absent" | "uncertain"

#: Names that count as medical devices (``findings.toml``: significance "device"); ``observation_labels``
#: adds "Support Devices" for them.
DEVICE_NAMES = VOCAB_DEVICE_NAMES

# lungs called of normal volume in a wording that calls them clear too
_NORMAL_VOLUME = re.compile(r"\bnormally\s+(?:expanded|inflated|aerated)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Observation:
    """One mention of a finding in one sentence.

    ``name`` is canonical (the CheXpert observation names, plus "Nodule", "Mass", "Granuloma",
    device names and a few others); ``term`` is the report's own words for it and ``text`` the whole
    sentence, both verbatim so a UI can highlight them. ``sites`` pairs each side with a coarse lung
    zone ("upper", "mid", "lower", "hilum" or None) when several are stated. ``qualified`` marks a
    negation limited by a qualifier ("no *large* effusion", "no *new* infiltrate") that does not rule
    the finding out; ``implied`` marks a negation read from a normal statement ("the lungs are clear").
    """

    name: str
    polarity: Polarity
    section: str
    text: str
    term: str
    laterality: str | None = None
    location: str | None = None
    severity: str | None = None
    temporal: str | None = None  # "new" | "chronic" | None
    sites: tuple[tuple[str, str | None], ...] = ()
    qualified: bool = False
    implied: bool = False
    hypothetical: bool = False  # "evaluation for pneumothorax is limited", "could obscure a nodule"
    probable: bool = False  # uncertain but leaning to present: "probable effusion", "likely pneumonia"
    resolved: bool = False  # absent because it has gone: "resolution of", "has resolved", "no longer seen"
    start: int = 0  # offset of the sentence within its section text
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    span: tuple[int, int] = (0, 0)  # [start, end) of ``term`` in the report text (``ParsedReport.text``)
    sentence_span: tuple[int, int] = (0, 0)  # [start, end) of ``text`` in the report text
    size_mm: float | None = None  # a size stated for it ("9 mm nodule", "2 x 3 cm mass"): the largest, in mm
    change: str | None = None  # "new" | "increased" | "decreased" | "stable" | "resolved" | None
    size: str | None = None  # "trace" | "small" | "moderate" | "large", or a range "small to moderate"
    side_sizes: tuple[tuple[str, str], ...] = ()  # (side, size) when each side is given its own size
    # the findings it is named beside as alternatives, where that alone made it uncertain ("effusion/hemothorax",
    # "scar or pleural fluid"); the checks decide whether alternatives that are one finding group affirm it
    alternatives: tuple[str, ...] = ()

    @property
    def side(self) -> str | None:
        """"left" | "right" | "bilateral" | None (the same as ``laterality``)."""
        return self.laterality

    @property
    def zone(self) -> str | None:
        """The lung zone ("upper", "mid", "lower", "hilum") when the sites name exactly one."""
        zones = {z for _, z in self.sites if z}
        return next(iter(zones)) if len(zones) == 1 else None


_POLARITY_ORDER = ("present", "uncertain", "absent")


def strongest_polarity(polarities: Iterable[str]) -> str:
    """One finding's state over a report's mentions: "present" if any mention is present, else
    "uncertain" if any is, else "absent". The one reducer the compare view and consensus share."""
    seen = set(polarities)
    for polarity in _POLARITY_ORDER:
        if polarity in seen:
            return polarity
    raise ValueError(f"no known polarity among {sorted(seen)!r}")


# Findings that have no side (``lateral = false``): whatever left/right words share their sentence are not theirs.
NON_LATERAL = VOCAB_NON_LATERAL


# a side naming a bone, then the finding attached to that bone ("left 5th rib with adjacent pleural thickening")
_UNDER_THE_BONE = re.compile(r"[^.;]{0,40}?\bwith\s+(?:\w+\s+)?(?:underlying|adjacent|associated|subjacent)"
                             r"\s+(?:\w+\s+)?$", re.IGNORECASE)


# a side past a comma that opens another phrase ("No definite effusion seen, left bronchovascular crowding") is that
# phrase's; one that places the finding ("Pneumothorax, right apical", "effusion, left greater than right") is its
_SIDE_OPENS_PHRASE = re.compile(
    r"(?:right|left)[ \t]+(?!(?:side|sided|lung|lungs|base|bases|basal|basilar|apex|apical|hemithorax|upper|lower|mid|"
    r"middle|zone|zones|lobe|costophrenic|pleural|chest|perihilar|hilum|hilar|greater|more|than|and|or|worse|"
    r"larger|smaller|only)\b)[a-z]{3,}", re.IGNORECASE)


def _sides_with_zones(text: str, base: int = 0) -> list[tuple[int, str, str | None]]:
    """(offset, side, zone) for each laterality word; the zone is read from the few words after it."""
    found: list[tuple[int, str, str | None]] = []
    for m in SIDE.finditer(text):
        side = ("left" if m.group("l") or m.group("lz") or m.group("l1")
                else "right" if m.group("r") or m.group("rz") or m.group("r1")
                else "bilateral")
        word = m.group(0).lower()
        zones: list[str | None] = [None]
        if m.group("lz") or m.group("rz"):
            zones = [ABBR_ZONE[word[1]]]
        elif word.startswith("bibasal") or word.startswith("bibasil"):
            zones = ["lower"]
        elif word.startswith("biapical"):
            zones = ["upper"]
        else:
            window = text[m.end(): m.end() + 28]
            z = ZONE.search(window)
            if z is not None:
                zones = [z.lastgroup]
                # a range: "mid to lower", "upper and middle"
                while True:
                    link = ZONE_LINK.match(window, z.end())
                    nz = ZONE.match(window, link.end()) if link else None
                    if nz is None or nz.lastgroup in zones:
                        break
                    zones.append(nz.lastgroup)
                    z = nz
        found.extend((base + m.start(), side, zone) for zone in zones)
    return found


def _laterality(sites: tuple[tuple[str, str | None], ...]) -> str | None:
    sides = {s for s, _ in sites}
    if not sides:
        return None
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    return next(iter(sides))


# a clause in commas that describes the finding before it: ", which was present on ___," / ", seen on the prior study,"
_ASIDE = re.compile(r",\s*(?:which|that)\s+(?:was|were|is|are|had\s+been|has\s+been)\s+[^,;.]{1,60},"
                    r"(?=\s*(?:has|have|is|are|was|were|now|since|appears?)\b)", re.IGNORECASE)
# a dash and then a subject of the hedge's own: "Mediastinal widening - aortic injury cannot be excluded" hedges the
# injury, not the widening ("Small left effusion - likely." hedges the effusion)
_DASH_THEN_SUBJECT = re.compile(r"\s[-\u2013\u2014]\s+(?:\w+\W+)*?[A-Za-z]{3,}\b(?=[^-\u2013\u2014]*$)")


def _spans(regex: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in regex.finditer(text)]


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


# (a decimal comma too, as continental reports write it: "1,5 cm")
_SIZE = re.compile(r"\b(\d+(?:[.,]\d+)?)(?:\s*(?:x|×|by)\s*(\d+(?:[.,]\d+)?))*\s*(mm|cm|millimet\w*|centimet\w*)\b",
                   re.IGNORECASE)
# a size in inches, as old US reports give it ("3/4 INCH nodule", "1.5 inch mass")
_INCHES = re.compile(r"\b(?:(\d+)\s*/\s*(\d+)|(\d+(?:\.\d+)?))[\s-]*inch(?:es)?\b", re.IGNORECASE)
# (and the arrows typed for them: "↑ effusion", "R effusion ↓ since 3/4")
_INCREASED = re.compile(r"\b(?:increas\w*|worsen\w*|enlarging|progress\w*|larger|extending|enlarged\s+since|grown)\b"
                        r"|\u2191", re.IGNORECASE)
_DECREASED = re.compile(
    r"\b(?:decreas\w*|improv\w*|smaller|less\s+(?:prominent|conspicuous|apparent|perceptible|visible|evident)"
    r"|resolving|diminish\w*"
    r"|(?:nearly|almost|partially|partly|mostly|largely|substantially|near[\s-]complete(?:ly)?)\s+(?:resol|clear)\w*"
    r"|(?:(?:nearly|almost)\s+(?:complete|total)|partial|incomplete|subtotal)\s+(?:resol|clear)\w*)\b|\u2193",
    re.IGNORECASE)
# a finding said to have developed, with its describing words between ("interval development of several ill-defined
# focal opacities")
_DEVELOPED = re.compile(r"\b(?:interval\s+)?(?:development|appearance)\s+of\s+(?:(?:a|an|several|multiple|some|few|"
                        r"two|three|new)\s+)?(?:[\w-]+\s+){0,5}$", re.IGNORECASE)
_NEW_ONLY = re.compile(rf"\b(?:new|newly|developing|interval\s+development|{SEEN_ANEW})\b", re.IGNORECASE)
# said to be unchanged: "stable", "unchanged", "no interval change", "no increase in size"
_STABLE = re.compile(
    r"\b(?:stable|unchanged|similar\s+(?:in\s+(?:size|appearance)|to\s+(?:the\s+)?(?:prior|previous))"
    r"|not\s+(?:significantly\s+)?changed|(?:no|without)\s+(?:significant\s+|appreciable\s+)?(?:interval\s+)?"
    r"(?:change|increase|decrease|progression|worsening|enlargement)\w*(?:\s+in\s+size)?)\b",
    re.IGNORECASE)
# what ends a mention's own words after its term when another mention follows: "Cardiomegaly and increased
# opacities" ("increased" is the opacities'), "right effusion, small left effusion"
_CLAUSE_END = re.compile(r"[,;:(]|\b(?:and|with|while|whereas|but|or|as\s+well\s+as|along\s+with)\b", re.IGNORECASE)
# a size word that qualifies a change, not the finding: "slightly larger", "mildly increased"
_SIZE_OF_CHANGE = re.compile(r"[\s-]*(?:larger|smaller|increas\w*|decreas\w*|improv\w*|worse\w*|better|more|less"
                             r"|progress\w*|enlarging|diminish\w*|reduc\w*)\b", re.IGNORECASE)
_SIDE_AFTER_SIZE = re.compile(r"[\s-]*(?P<side>right|left|rt|lt)\b(?![\s-]*(?:hemidiaphragm|heart|ventric|atri))",
                              re.IGNORECASE)
_SIDE_AFTER_SIZE_ON = re.compile(r"\s+(?:on|in|at)\s+the\s+(?P<side>right|left)\b", re.IGNORECASE)
_PAST_STATE = re.compile(r"\b(?:previously|formerly|was|were|had\s+been|on\s+the\s+(?:prior|previous|last)|at\s+the"
                         r"\s+time\s+of)\b", re.IGNORECASE)
# the finding named as one already known: "the" and up to three words before its term ("The right apical ...")
_DEFINITE = re.compile(r"(?:^|(?<=[\s,;:]))the\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_SIZE_AFTER_TERM = re.compile(r"\s*,?\s*(?:(?:which|that|is|are|appears?|remains?|now|still|again|seen|being)\s+){0,3}",
                              re.IGNORECASE)


def _size_mm(text: str) -> float | None:
    """The largest size in ``text`` in millimetres ("2 x 3 cm" -> 30.0), or None."""
    best = None
    for m in _SIZE.finditer(text):
        nums = [float(n.replace(",", ".")) for n in re.findall(r"\d+(?:[.,]\d+)?", m.group(0))]
        value = max(nums) * (10.0 if m.group(3).lower().startswith("c") else 1.0)
        best = value if best is None else max(best, value)
    for m in _INCHES.finditer(text):
        inches = int(m.group(1)) / int(m.group(2)) if m.group(2) and int(m.group(2)) else float(m.group(3) or 0)
        best = inches * 25.4 if best is None else max(best, inches * 25.4)
    return best


# a place that opens the sentence, before the finding it holds: "In the right lower lobe there is ...", "Within the
# left base there are ..."
_FRONTED_PLACE = re.compile(r"\W*(?:in|within|at|throughout|involving|over)\s+(?:the\s+)?$", re.IGNORECASE)
_THERE_BE = re.compile(r"there\s+(?:is|are|was|were)", re.IGNORECASE)
# a mention's place said right after it: "in the left lung", "at the right base", ", within the left upper lobe"
_PLACE_LEAD = re.compile(r"\s*,?\s*(?:(?:is|are|seen|noted|projecting|located)\s+)?(?:in|at|within|over|involving)"
                         r"\s+(?:the\s+)?", re.IGNORECASE)


# how a report names a finding's cause after it ("effusions in keeping with fluid overload", "widened, due to ...")
_CAUSE_LEAD = (r"in\s+keeping\s+with|consistent\s+with|compatible\s+with|due\s+to|secondary\s+to|related\s+to|from|"
               r"reflecting")
# a finding's cause named as already known, after it: "..., in keeping with the known lymphadenopathy"
_KNOWN_CAUSE = re.compile(rf",?\s*(?:{_CAUSE_LEAD}|representing)\s+(?:the\s+|(?:his|her|their)\s+)?known\b",
                          re.IGNORECASE)

# a finding's adjective and the words joined to it, up to the noun they describe ("nodular and tubular ")
_ADJECTIVE_BEFORE = re.compile(r"(?:nodular|reticulonodular|reticular|interstitial|alveolar)"
                               r"(?:\s+(?:and|or)\s+[\w-]+)?\s+", re.IGNORECASE)
# what the previous mention is read as, named after it: "... in the left upper zone, in keeping with mucus plugging"
_EXPLAINED_AS = re.compile(r"[^.;]{0,60}?\b(?:in\s+keeping\s+with|consistent\s+with|compatible\s+with|suggestive\s+of|"
                           r"representing|likely|probably)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,2}", re.IGNORECASE)

# a clinical state of fluid named for a finding of its own (an effusion's cause), and how a cause is named after it
_CLINICAL_CAUSE = re.compile(r"(?:fluid|volume)\s+overload|chf|ccf|lvf|congestive\s+(?:heart|cardiac)\s+failure",
                             re.IGNORECASE)
_AS_CAUSE = re.compile(r"[\s,]*(?:(?:which\s+)?(?:is|are)\s+)?(?:(?:most\s+)?(?:likely|probably)\s+)?"
                       rf"(?:{_CAUSE_LEAD}|suggestive\s+of)\s+(?:(?:the|known|likely|probable|underlying|a)\s+){{0,2}}",
                       re.IGNORECASE)

# what lies between a negated finding and the finding named as its place: "No cavitation within the right consolidation"
_PLACE_OF_NEGATED = re.compile(
    r"\s+(?:(?:is|are)\s+(?:seen|noted|identified|present|demonstrated)\s+)?"
    r"(?:within|inside|in|around|surrounding)\s+the\s+(?:(?!(?:or|and|nor)\b)[\w-]+\s+){0,3}", re.IGNORECASE)

# a negation that says the finding has gone, beside vocabulary.RESOLVED's words: "disappearance of", "has disappeared",
# "is gone", "now absent"
_GONE = re.compile(r"disappear|\bgone\b|\bnow\b", re.IGNORECASE)


# what joins findings into one list, so that a trigger after the last is every member's
_LIST_LINK = re.compile(r"\b(?:and|or|nor)\b|/|&", re.IGNORECASE)


# a finding attached to the one before it: "effusion with adjacent compressive atelectasis"
_PLACE_THEN_COMMA = re.compile(r"\s*(?:(?:in|at|within|involving)\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?[\w-]+\s*)?,",
                               re.IGNORECASE)
_WITH_ATTACHED = re.compile(r"\s+with\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
# two findings as the subjects of one plural predicate: "The right pneumothorax and the pneumomediastinum are less
# apparent" (the change after the second is said of both)
_AND_NEXT = re.compile(r"\s+and\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_PLURAL_PREDICATE = re.compile(r"\s*(?:are|have|were|both)\b", re.IGNORECASE)


def _change(window: str, polarity: str, resolved: bool) -> str | None:
    """The temporal change the mention's own words state: "resolved" for one negated as gone; for one present or
    possible "increased" / "decreased" / "new" / "stable" ("no increase", "unchanged"), or None when nothing is
    said or both directions are (two findings' words in one clause)."""
    if resolved:
        return "resolved"
    if polarity == "absent":
        return None
    stable = _STABLE.search(window) is not None
    rest = _STABLE.sub(" ", window)
    up, down = _INCREASED.search(rest) or _NEW_ONLY.search(rest), _DECREASED.search(rest)
    if (up and down) or (stable and (up or down)):  # "stable to slightly decreased": no one direction
        return None
    if up:
        return "increased" if _INCREASED.search(rest) else "new"
    if down:
        return "decreased"
    return "stable" if stable else None


def _grade(word: str) -> str:
    m = SIZE_WORD.fullmatch(word)
    return m.lastgroup if m is not None and m.lastgroup else "small"


def _size_text(m: re.Match[str]) -> str:
    """"small", or a range "small to moderate", from one ``SIZE_PHRASE`` match."""
    a = _grade(m.group("a"))
    b = _grade(m.group("b")) if m.group("b") else a
    low, high = sorted((a, b), key=SIZE_GRADES.index)
    return low if low == high else f"{low} to {high}"


def _sizes(pre: str, term: str, post: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """(size, per-side sizes) from a mention's own words: per side where two sides are each given one ("moderate
    right and small left effusions", "effusions, moderate on the right and small on the left"); else the size
    closest before the term, in it ("heart is mildly enlarged") or right after it ("the effusion is small")."""
    text = pre + term + post
    phrases = list(SIZE_PHRASE.finditer(text))
    if not phrases or _PAST_STATE.search(text):  # "large on the prior study": not today's size
        return None, ()
    per_side: dict[str, str] = {}
    for m in phrases:
        side = _SIDE_AFTER_SIZE.match(text, m.end()) or _SIDE_AFTER_SIZE_ON.match(text, m.end())
        if side is not None and not _SIZE_OF_CHANGE.match(text, m.end()):
            key = "left" if side.group("side").lower().startswith("l") else "right"
            if per_side.get(key, _size_text(m)) != _size_text(m):
                return None, ()  # one side given two sizes: not one finding's
            per_side[key] = _size_text(m)
    if len(per_side) == 2:
        return None, tuple(sorted(per_side.items()))
    if sum(not _SIZE_OF_CHANGE.match(text, m.end()) for m in phrases) > 1:
        return None, ()  # "moderate effusion, now small", "small, previously large": two times, not one size
    candidates = [m for m in SIZE_PHRASE.finditer(pre) if not _SIZE_OF_CHANGE.match(pre, m.end())]
    if candidates:
        return _size_text(candidates[-1]), ()
    inside = SIZE_PHRASE.search(term)
    if inside is not None:
        return _size_text(inside), ()
    lead = _SIZE_AFTER_TERM.match(post)
    after = SIZE_PHRASE.match(post, lead.end()) if lead else None
    if after is not None and not _SIZE_OF_CHANGE.match(post, after.end()):
        return _size_text(after), ()
    # the size it has now, after how it changed: "The left effusion has increased since the previous film and is now
    # moderate"
    for now in _NOW_IS.finditer(post):
        after = SIZE_PHRASE.match(post, now.end())
        if after is not None and not _SIZE_OF_CHANGE.match(post, after.end()):
            return _size_text(after), ()
    return None, ()


_NOW_IS = re.compile(r"\b(?:is|are)\s+now\s+", re.IGNORECASE)


# real archives repeat sentences word for word ("The lungs are clear.", "No pneumothorax."): a sentence this short is
# read once, at offset 0, and its mentions are moved to where each copy stands
_CACHED_SENTENCE_MAX = 600


def extract_observations(sentence: str, section: str, start: int = 0, *, base: int | None = None) -> list[Observation]:
    """All observation mentions in one sentence (``sentence`` verbatim; ``start`` its offset in its
    section; ``base`` its offset in the report text, for ``span``/``sentence_span``, default ``start``)."""
    base = start if base is None else base
    if len(sentence) > _CACHED_SENTENCE_MAX:
        return _read_mentions(sentence, section, start, base)
    found = _mentions_at_zero(sentence, section)
    if not start and not base:
        return list(found)
    return [_moved(obs, start, base) for obs in found]


@lru_cache(maxsize=8192)
def _mentions_at_zero(sentence: str, section: str) -> tuple[Observation, ...]:
    return tuple(_read_mentions(sentence, section, 0, 0))


_FIELD_NAMES = tuple(f.name for f in fields(Observation))
_FIELD_VALUES = attrgetter(*_FIELD_NAMES)
_AT_START, _AT_SPAN, _AT_SENTENCE_SPAN = (_FIELD_NAMES.index(n) for n in ("start", "span", "sentence_span"))


def _moved(obs: Observation, start: int, base: int) -> Observation:
    """``obs``, read at offset 0, for its sentence at ``start`` in its section and ``base`` in the report text (built
    positionally: ``dataclasses.replace`` costs as much again)."""
    values = list(_FIELD_VALUES(obs))
    values[_AT_START] = start
    values[_AT_SPAN] = (base + obs.span[0], base + obs.span[1])
    values[_AT_SENTENCE_SPAN] = (base + obs.sentence_span[0], base + obs.sentence_span[1])
    return Observation(*values)


def _read_mentions(sentence: str, section: str, start: int, base: int) -> list[Observation]:
    targets: list[tuple[int, int, str, str | None]] = []
    for m in TARGET_RE.finditer(sentence):
        name, pol = TARGET_INFO[m.lastgroup or ""]
        targets.append((m.start(), m.end(), name, pol))
    vasc = VASC_NORMAL.search(sentence)
    if vasc is not None and not OTHERWISE.search(sentence) and not any(n in VASC_RULES_OUT for _, _, n, _ in targets):
        targets.append((vasc.start(), vasc.end(), "Vascular Normal", "absent"))
        targets.sort(key=lambda t: t[0])
    for parts_normal, parts in PARTS_NORMAL:
        whole = parts_normal.search(sentence)
        if whole is not None and not OTHERWISE.search(sentence):
            named = {n for _, _, n, _ in targets}
            targets += [(whole.start(), whole.end(), part, "absent") for part in parts if part not in named]
            targets.sort(key=lambda t: t[0])
    if not targets:
        return []

    target_spans = [(s, e) for s, e, _, _ in targets]
    terms = _spans(TERMINATE, sentence)
    # (speed: the trigger spans below are found only when a mention first asks for them, once per sentence; a
    # sentence whose mentions are all fixed negations, "The lungs are clear.", needs none of them)
    found: dict[str, tuple[list[tuple[int, int]], ...]] = {}

    def once(key: str, find: Callable[[], tuple[list[tuple[int, int]], ...]]) -> tuple[list[tuple[int, int]], ...]:
        if key not in found:
            found[key] = find()
        return found[key]

    def pseudo() -> list[tuple[int, int]]:
        return once("pseudo", lambda: (_spans(PSEUDO, sentence) + unc_pseudo(),))[0]

    def unc_pseudo() -> list[tuple[int, int]]:
        return once("unc_pseudo", lambda: (_spans(UNC_PSEUDO_NEG, sentence),))[0]

    def live(regex: re.Pattern[str]) -> list[tuple[int, int]]:
        return [sp for sp in _spans(regex, sentence)
                if not _overlaps(sp, pseudo()) and not _overlaps(sp, target_spans)]

    def negations() -> tuple[list[tuple[int, int]], ...]:
        """(forward, backward) negation triggers."""
        return once("negations", lambda: (live(NEG_FWD), live(NEG_BWD)))

    def find_hedges() -> tuple[list[tuple[int, int]], ...]:
        unc_all = [sp for sp in _spans(UNC_FWD, sentence) if not _overlaps(sp, pseudo())]
        unc_f, unc_b = [sp for sp in unc_all if not _overlaps(sp, target_spans)], live(UNC_BWD)
        # a hedge inside a term that spans several words: "the heart may be mildly enlarged", "heart is probably
        # enlarged"
        unc_in = [sp for sp in unc_all if _overlaps(sp, target_spans)]
        unc_b += unc_pseudo()
        unc_f = sorted(unc_f + unc_pseudo())  # "cannot exclude pneumonia" as well as "pneumonia cannot be excluded"
        # "may be secondary to edema": a hedge carries over "secondary to", "consistent with"; a negation does not
        hedge_terms = _spans(TERMINATE_NOT_HEDGES, sentence)
        return unc_f, unc_b, unc_in, hedge_terms

    def hedges() -> tuple[list[tuple[int, int]], ...]:
        """(forward, backward, inside a term, termination terms) for uncertainty triggers."""
        return once("hedges", find_hedges)

    def hypotheticals() -> tuple[list[tuple[int, int]], ...]:
        """(forward, backward) hypothetical triggers ("cannot be excluded" reads backwards as uncertainty)."""
        return once("hypotheticals", lambda: (live(HYPO_FWD), live(HYPO_BWD)))

    def blocked(a: int, b: int, ends: list[tuple[int, int]] = terms) -> bool:
        """True when a termination term lies between offsets a and b."""
        return any(a <= s and e <= b for s, e in ends)

    def forward(triggers: list[tuple[int, int]], ts: int,
                ends: list[tuple[int, int]] = terms) -> tuple[int, int] | None:
        best = None
        for s, e in triggers:
            if e <= ts and not blocked(e, ts, ends):
                best = (s, e)
        return best

    def apart(te: int, s: int) -> bool:
        """True when the words between a mention and a backward trigger name another finding after a comma, with
        no "and" / "or" to make them one list: "Effusion present, pneumothorax absent", "Cardiomegaly, pneumonia
        unlikely" (the trigger is the second finding's); "Effusion, consolidation and pneumothorax are absent" is
        one list."""
        between = [t0 for t0, t1 in target_spans if te <= t0 and t1 <= s]
        return bool(between) and "," in sentence[te:between[0]] and _LIST_LINK.search(sentence, te, s) is None

    # a clause set in commas between a finding and what is said of it ("The consolidation, which was present on ___,
    # has resolved"): its "which" ends no scope that reaches past its closing comma
    aside_ends = [(m.start(), m.end()) for m in _ASIDE.finditer(sentence)]

    def backward(triggers: list[tuple[int, int]], te: int) -> tuple[int, int] | None:
        for s, e in triggers:
            ends = [t for t in terms if not any(a <= t[0] and t[1] <= b <= s for a, b in aside_ends)]
            if s >= te and not blocked(te, s, ends):
                return None if apart(te, s) or _DASH_THEN_SUBJECT.search(sentence, te, s) else (s, e)
        return None

    place_terms = [(s, e) for s, e in terms if not _THERE_BE.fullmatch(sentence, s, e)]
    every_side = _sides_with_zones(sentence)
    # the lingula is the left lung's and the middle lobe the right's: "consolidation in the lingula" is left-sided
    # where no side is stated (a stated side wins: "right middle lobe and lingular opacities" is read as it says);
    # such a side is marked, ``extra["side_from"] == "place"``, so the checks may weigh it below a stated one
    from_place = not every_side
    if from_place:
        every_side = [(m.start(), m.lastgroup, "mid") for m in SIDED_PLACE.finditer(sentence)]
    # "right 5th rib", "left shoulder": a side that names bone or heart anatomy is not a lung finding's
    # unless the finding is placed there ("nodule overlying the right 5th rib", "near the left clavicle")
    bony = {off for off, _, _ in every_side
            if NON_LUNG_SITE.match(sentence, off) and not PLACED_AT.search(sentence[max(0, off - 30):off])}
    lung_sides = [x for x in every_side if x[0] not in bony]
    # a landmark's side ("behind the right hemidiaphragm") is the finding's only when no other side is given; one
    # inside a finding's own words ("elevated left hemidiaphragm") is that finding's
    landmark = {off for off, _, _ in lung_sides if LANDMARK_SITE.match(sentence, off)
                and not any(s <= off < e for s, e in target_spans)}
    if landmark and len(landmark) < len(lung_sides):
        lung_sides = [x for x in lung_sides if x[0] not in landmark]
    all_sides = lung_sides
    distinct = {(side, zone) for _, side, zone in all_sides}
    every_distinct = {(side, zone) for _, side, zone in every_side}
    out: list[Observation] = []
    prev_end = 0
    prev_sites: tuple[tuple[str, str | None], ...] = ()
    prev_pol: str | None = None
    prev_te = -1
    # the current run of alternatives: its mentions' indices in ``out``, and whether each was affirmed before
    # being read as one of them (a hedged member, "possible scar or effusion", leaves the run hedged)
    chain: list[int] = []
    chain_plain = True
    prev_span = (-1, -1)
    prev_neg: tuple[int, int] | None = None
    prev_change: str | None = None
    for i, (ts, te, name, fixed) in enumerate(targets):
        term = sentence[ts:te]
        neg_trigger: tuple[int, int] | None = None
        all_sides = every_side if name in BONE_FINDINGS else lung_sides
        next_start = targets[i + 1][0] if i + 1 < len(targets) else len(sentence)
        # polarity: fixed by the lexicon ("heart size is normal"), else ConText
        implied = name == "Lung Clear"
        qualified = False
        otherwise = False
        resolved = False
        probable = False
        if fixed is not None:
            polarity = fixed
            if re.search(r"\b(?:not|no)\b", term, re.IGNORECASE) and fixed == "present":
                polarity = "absent"
            if fixed == "uncertain" and (forward(negations()[0], ts) is not None
                                         or backward(negations()[1], te) is not None):
                polarity = "absent"  # a sign of a possible finding, ruled out: "No deep sulcus sign."
            if fixed == "absent" and OTHERWISE.search(sentence):
                if name != "Lung Clear":
                    continue  # "heart otherwise normal" says nothing about the exception
                otherwise = True  # "lungs are otherwise clear": clear but for what the section names
        else:
            polarity = "present"
            if re.search(r"\bnot\b|\bno\b", term, re.IGNORECASE):
                polarity = "absent"
            neg_f, neg_b = negations()
            nf = forward(neg_f, ts)
            nb = backward(neg_b, te)
            neg_trigger = nf
            # "No cavitation within the right consolidation": the finding named as the place of a negated one (with
            # "the", after the same trigger) is where that one is not, and is itself there
            place_of_negated = (nf is not None and nf == prev_neg and prev_pol == "absent" and polarity == "present"
                                and _PLACE_OF_NEGATED.fullmatch(sentence, prev_te, ts) is not None)
            if place_of_negated:
                neg_trigger = None
            elif nf is not None or nb is not None or polarity == "absent":
                polarity = "absent"
                resolved = any(t is not None and (RESOLVED.search(sentence, t[0], t[1]) is not None
                                                  or _GONE.search(sentence, t[0], t[1]) is not None) for t in (nf, nb))
                # "The right pneumothorax is not appreciated": a known finding, named as such, is no longer seen
                resolved = resolved or (nf is None and nb is not None
                                        and _DEFINITE.search(sentence, prev_end, ts) is not None)
                # the qualifier must modify this noun: "no large effusion or pneumothorax" rules out
                # any pneumothorax, only a large effusion
                if nf is not None and QUALIFIER.search(sentence[max(nf[1], prev_end):ts]):
                    qualified = True
            else:
                unc_f, unc_b, unc_in, hedge_terms = hedges()
                uf, ub = forward(unc_f, ts, hedge_terms), backward(unc_b, te)
                if uf is None and ub is None:
                    uf = next(((s, e) for s, e in unc_in if ts < s and e <= te), None)
                if uf is not None or ub is not None:
                    polarity = "uncertain"
                    probable = all(t is None or PROBABLE.fullmatch(sentence, t[0], t[1]) for t in (uf, ub))
        if (polarity == "present" and i > 0 and _CLINICAL_CAUSE.fullmatch(term) and targets[i - 1][2] != name
                and _AS_CAUSE.fullmatch(sentence, prev_te, ts)):
            # "Bilateral pleural effusions in keeping with fluid overload": the clinical state named as another
            # finding's cause says no more than that the oedema may be there
            polarity = "uncertain"
        hypothetical = polarity != "absent" and (forward(hypotheticals()[0], ts) is not None
                                                 or backward(hypotheticals()[1], te) is not None)
        if hypothetical:
            polarity = "uncertain"
        # "atelectasis or infiltrate": both members of an alternative are uncertain
        chained = polarity == "present" and prev_te >= 0 and CHAIN.match(sentence[prev_te:ts]) is not None \
            and prev_pol != "absent"
        if chained:
            polarity = "uncertain"
            if not chain:  # the run starts at the previous mention
                chain = [j for j in range(len(out)) if out[j].span == prev_span]
                chain_plain = bool(chain) and all(out[j].polarity == "present" for j in chain)
            for j in range(len(out)):  # every part of the previous one ("hemopneumothorax or effusion")
                if out[j].span == prev_span and out[j].polarity == "present":
                    out[j] = _replace(out[j], polarity="uncertain")
        else:
            _mark_alternatives(out, chain, chain_plain)
            chain = []

        # laterality: own modifiers before the mention (after the previous mention), else after it,
        # else the one site the whole sentence names, else the previous mention's
        # a place put first is the finding's across "there is": "In the right lower lobe there is consolidation"
        pre = [(s, z) for off, s, z in all_sides if prev_end <= off < ts
               and not blocked(off, ts, place_terms if _FRONTED_PLACE.match(sentence, prev_end, off) else terms)]
        post = [(s, z) for off, s, z in all_sides if te <= off < next_start and not blocked(te, off)
                and not ("," in sentence[te:off] and _SIDE_OPENS_PHRASE.match(sentence, off))]
        # a side inside the finding's own words ("elevated left hemidiaphragm") is its own
        inner = [(s, z) for off, s, z in all_sides if ts <= off < te]
        own = inner or pre or post
        if pre and post and i > 0 and not inner:
            # "a 17 mm opacity in the left lung and a 10 mm opacity in the right lung": a place named just after the
            # previous mention is that one's where this mention is given its own place after it
            first_pre = min(off for off, _, _ in all_sides if prev_end <= off < ts)
            first_post = min(off for off, _, _ in all_sides if te <= off < next_start)
            if _PLACE_LEAD.fullmatch(sentence, prev_end, first_pre) and _PLACE_LEAD.fullmatch(sentence, te, first_post):
                own = post
        if not own and i + 1 < len(targets) and CHAIN_NEXT.match(sentence[te:next_start]):
            # "scarring or atelectasis in the right base": the side after the pair is both members'
            n_te = targets[i + 1][1]
            n_stop = targets[i + 2][0] if i + 2 < len(targets) else len(sentence)
            own = [(s, z) for off, s, z in all_sides if n_te <= off < n_stop and not blocked(n_te, off)]
        # (a bone's finding, the one side of the sentence's bones: "Sclerosis of the left humeral head, in keeping with
        # avascular necrosis")
        one_side = every_distinct if name in BONE_FINDINGS else distinct
        if own:
            sites = tuple(dict.fromkeys(own))
        elif len({s for s, _ in one_side}) == 1 and (polarity != "absent" or resolved):
            sites = tuple(sorted(one_side, key=lambda x: x[1] or ""))
        elif prev_sites and polarity != "absent" and not blocked(prev_end, ts):
            sites = prev_sites
        else:
            sites = ()
        if sites and not own:
            # a side carried from elsewhere in the sentence, a zone in the mention's own words: "LEFT: 9 mm mid zone
            # nodule; lower lobe collapse" puts the collapse in the left lower zone
            own_zone = ZONE.search(sentence, max(prev_end, ts - 20), te)
            if own_zone is not None:
                sites = tuple(dict.fromkeys((side, own_zone.lastgroup) for side, _ in sites))
        if not sites and name not in BONE_FINDINGS:
            # "irregularity of the right 7th rib with underlying pleural thickening": what lies under that bone
            # is on its side
            sites = tuple(dict.fromkeys((s, z) for off, s, z in every_side
                                        if off in bony and _UNDER_THE_BONE.match(sentence, off, ts)))
        if name in NON_LATERAL:
            sites = ()
        window = sentence[max(prev_end, ts - 40): te + 40]
        loc = LOCATION.search(sentence[max(prev_end, ts - 40): next_start])
        sev = SEVERITY.search(sentence[max(prev_end, ts - 30): ts])
        # (chronic by the words of its own clause: "Calcified pleural plaques; volume loss ... lobe collapse" is no
        # chronic collapse, nor "an old rib fracture, which is unchanged, while there is a 17 mm nodule" a chronic one)
        clause_start = max((b.end() for b in CLAUSE_BOUND.finditer(sentence, 0, ts)), default=0)
        bound_after = CLAUSE_BOUND.search(sentence, te)
        clause_stop = bound_after.start() if bound_after else len(sentence)
        # (nor is a finding chronic by its known cause: "The superior mediastinum is widened, in keeping with the known
        # mediastinal lymphadenopathy" is widened now)
        known_cause = _KNOWN_CAUSE.search(sentence, te, clause_stop)
        temporal = "new" if NEW.search(window) else "chronic" if CHRONIC.search(
            sentence, clause_start, known_cause.start() if known_cause else clause_stop) else None
        own_text = sentence[max(prev_end, ts - 40): next_start]
        # this mention's own words for its size and change: up to 40 characters before it (after the previous
        # mention), and after it up to the next mention, less the clause that leads into that one
        pre, post = sentence[max(prev_end, ts - 40): ts], sentence[te: next_start]
        if i + 1 < len(targets):
            cut = _CLAUSE_END.search(post)
            post = post[: cut.start()] if cut else ""
        if i > 0:  # "Right effusion has decreased and left effusion increased": "decreased" is the right one's
            pre = pre[max((m.end() for m in _CLAUSE_END.finditer(pre)), default=0):]
        size, side_sizes = _sizes(pre, term, post)
        change = _change(pre + term + post, polarity, resolved)
        if change is None and i + 1 < len(targets) and _WITH_ATTACHED.match(sentence, te, next_start):
            # "Small right effusion with adjacent atelectasis, new since the prior study": the change after the
            # attached finding, past a comma, is said of the whole, the head first
            after = targets[i + 1][1]
            tail = sentence[after: targets[i + 2][0] if i + 2 < len(targets) else len(sentence)]
            # (a place of the whole before that comma too: "Patchy consolidation with air bronchograms in the left
            # lower lobe, new since the last film")
            if _PLACE_THEN_COMMA.match(tail):
                change = _change(tail, polarity, resolved)
        if change is None and i + 1 < len(targets) and _AND_NEXT.match(sentence, te, next_start):
            after = targets[i + 1][1]
            tail = sentence[after: targets[i + 2][0] if i + 2 < len(targets) else len(sentence)]
            if _PLURAL_PREDICATE.match(tail):
                change = _change(tail, polarity, resolved)
        if change is None and polarity != "absent" and _DEVELOPED.search(sentence, prev_end, ts):
            # "There has been interval development of several ill-defined focal opacities": the words that say it is
            # new may stand further before it than its own window reaches
            change = "new"
        if change is None and prev_change in ("new", "increased") and _ADJECTIVE_BEFORE.fullmatch(
                sentence, prev_span[0] - base, ts):
            # "New nodular and tubular opacities": the adjective read as a finding of its own and the noun it describes
            # are one thing, new alike
            change = prev_change
        if change is None and prev_change in ("new", "increased") and _EXPLAINED_AS.fullmatch(sentence, prev_te, ts):
            # "New branching opacities in the left upper zone, in keeping with mucus plugging": what the new finding is
            # read as is new too
            change = prev_change
        if change == "new" and temporal == "chronic":
            temporal = "new"  # "nodule ..., not seen on the previous film": the prior study is named to say it is new
        obs = Observation(
            name=name,
            polarity=polarity,
            section=section,
            text=sentence,
            term=term,
            laterality=_laterality(sites),
            location=loc.group(0).lower() if loc else None,
            severity=sev.group(0).lower() if sev else None,
            temporal=temporal,
            sites=sites,
            qualified=qualified,
            implied=implied,
            hypothetical=hypothetical,
            probable=probable and polarity == "uncertain",
            resolved=resolved,
            start=start,
            span=(base + ts, base + te),
            sentence_span=(base, base + len(sentence)),
            size_mm=_size_mm(own_text),
            change=change,
            size=size,
            side_sizes=side_sizes,
            extra={"side_from": "place"} if from_place and sites else {},
        )
        if name == "Vascular Normal":
            out.extend(_replace(obs, name=n, implied=True) for n in VASC_RULES_OUT)
        elif name in FINDINGS and FINDINGS[name].implies:  # "hydropneumothorax": a pneumothorax and an effusion
            out.extend(_replace(obs, name=part) for part in FINDINGS[name].implies)
        elif name == "Enlarged Cardiomediastinum" and polarity == "absent" and "cardi" in term.lower():
            # a normal cardiomediastinal silhouette includes a normal heart size
            out.append(obs)
            out.append(_replace(obs, name="Cardiomegaly"))
        elif name == "Hilar Enlargement" and polarity == "absent" and "mediastin" in term.lower():
            # "Normal hilar and mediastinal outlines.": the mediastinum's, too
            out.append(obs)
            out.append(_replace(obs, name="Enlarged Cardiomediastinum"))
        elif implied:
            if polarity == "absent":
                extra = {"otherwise": "1"} if otherwise else {}
                out.extend(_replace(obs, name=n, extra=extra) for n in CLEAR_IMPLIES)
                if _NORMAL_VOLUME.search(term):
                    # "Lungs are normally expanded and clear": of normal volume too, so not hyperinflated (the
                    # Emphysema wording of normal volume, which this longer one covers)
                    out.append(_replace(obs, name="Emphysema", implied=False))
        else:
            out.append(obs)
        if chained:
            chain += [j for j in range(len(out)) if out[j].span == (base + ts, base + te)]
        prev_end, prev_sites, prev_pol, prev_te, prev_neg, prev_change = te, sites, polarity, te, neg_trigger, change
        prev_span = (base + ts, base + te)
    _mark_alternatives(out, chain, chain_plain)
    return _respectively(sentence, base, out)


# two findings given their sides in order after them: "an effusion and a pneumothorax, the former on the right and the
# latter on the left", "effusion and collapse on the right and left respectively"
_SIDE_WORD = r"(?:the\s+)?(left|right)(?:\s+side|-sided)?"
_FORMER_LATTER = re.compile(
    rf"\bthe\s+former\s+(?:\w+\s+){{0,2}}?(?:on|in|at)\s+{_SIDE_WORD}\b[^.;]*?"
    rf"\bthe\s+latter\s+(?:\w+\s+){{0,2}}?(?:on|in|at)\s+{_SIDE_WORD}\b"
    rf"|\b(?:on|in|at)\s+{_SIDE_WORD}\s+and\s+{_SIDE_WORD}[,\s]+respectively\b", re.IGNORECASE)


def _respectively(sentence: str, base: int, out: list[Observation]) -> list[Observation]:
    """Give the last two findings named before a "the former ... the latter ..." or "... respectively" their sides
    in order (each keeps its own zone)."""
    m = _FORMER_LATTER.search(sentence) if "former" in sentence or "respectively" in sentence else None
    if m is None:
        return out
    first, second = (g.lower() for g in m.groups() if g)
    spans = list(dict.fromkeys(o.span for o in out if o.span[1] <= base + m.start() and o.polarity != "absent"))
    if len(spans) < 2:
        return out
    sides = {spans[-2]: first, spans[-1]: second}
    return [placed_on(o, sides[o.span]) if o.span in sides else o for o in out]


def placed_on(obs: Observation, side: str) -> Observation:
    """``obs`` on ``side``, keeping the zones its own words named."""
    sites = tuple(dict.fromkeys((side, z) for _, z in obs.sites)) or ((side, None),)
    return _replace(obs, laterality=side, sites=sites)


def _mark_alternatives(out: list[Observation], chain: list[int], plain: bool) -> None:
    """Give each member of a run of plain alternatives (``chain``: indices in ``out``) the others' names."""
    if len(chain) < 2 or not plain:
        return
    for j in chain:
        others = tuple(dict.fromkeys(out[k].name for k in chain if out[k].span != out[j].span))
        out[j] = _replace(out[j], alternatives=others)


def _replace(obs: Observation, **changes: object) -> Observation:
    from dataclasses import replace

    return replace(obs, **changes)  # type: ignore[arg-type]
