"""What the checks comparing FINDINGS with IMPRESSION share, finding by finding.

How observations are grouped into comparable findings (``_GROUP``, ``_mentions``), how a conflict is
quoted and located in the text (``_quote``, ``_spans``), how sides and lung zones are matched (``_zones_match``,
``_sides_at``, a side carried from the sentence before: ``_with_carried_side``), and which mentions are too
vague or too old to count (``_explained_away``, ``_nodular_pattern``, ``_historical``). Used by
``laterality``, ``negation``, ``omission`` and ``agreement``; it holds no check itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from medrag_core.reports.mentions import Observation
from medrag_core.reports.parse import ParsedReport
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import CLAUSE_BOUND, FINDINGS, GROUP, SIDE_FAMILY, SIZE_WORD, ZONE

# Groups, and which checks compare which groups, come from the vocabulary (findings.toml).
_GROUP = GROUP
_LATERAL_FAMILY = SIDE_FAMILY  # findings.toml: side_family


class _Unless:
    """A pattern whose matches count only where the words just before them do not deny them: "a nodule, which I don't
    think is a nipple shadow", "not a nipple shadow", "rather than overlap" explain nothing away."""

    def __init__(self, pattern: re.Pattern[str], denied: re.Pattern[str]) -> None:
        self.pattern, self.denied = pattern, denied

    def search(self, text: str) -> re.Match[str] | None:
        return next((m for m in self.pattern.finditer(text)
                     if not self.denied.search(text, max(0, m.start() - 30), m.start())), None)


# Words that explain a "nodule" or an enlarged heart away (nipple shadow, overlap, technique).
_BENIGN_WORDS = re.compile(
    # "superimposition", "superimposed structures"; but "superimposed upon the second rib" only says where it lies
    r"nipple|artifact|overlap|overlay|overlying\s+(?:soft|telemetry|skin)|superimpos(?!\w*\s+(?:up)?on\b|\w*\s+over\b)"
    r"|confluence|composite|telemetry|"
    # "uncalcified" / "non-calcified" / "without calcification" says the opposite of a calcified (benign) nodule
    r"callus|healing|fracture|(?<!un)(?<!non)(?<!non-)(?<!non\s)(?<!without\s)(?<!no\s)(?<!not\s)calcif|granulom|portable|ap\s+(?:technique|projection|view)|accentuat|exaggerat|magnif|"
    r"low\s+lung\s+volumes|diminished\s+lung\s+volumes|technique",
    re.IGNORECASE,
)
_BENIGN = _Unless(_BENIGN_WORDS, re.compile(
    r"(?:\bnot|n[’']t(?:\s+think)?|\bunlikely|\brather\s+than|\binstead\s+of)\b[^.;,]{0,20}$", re.IGNORECASE))
# ... and a bare "shadowing" (UK: "right basal shadowing"), which also names breast and nipple shadows, or "streakiness"
_BARE_OPACITY = re.compile(r"^(?:opacit|opacification|densit|haz|shadow|streakiness)", re.IGNORECASE)


# a lobe's collapse as its term names it: "collapse", its signs (the luftsichel, the Golden S), a loss of volume, "lobar
# atelectasis"; the one reading the checks share (a streak of atelectasis at a base is not one)
_COLLAPSE_TERM = re.compile(r"\bcollaps|\bluftsichel|\bgolden|\bs\s+sign|\bvolume\s+loss|\bloss\s+of\s+volume|"
                            r"\blobar\s+atelecta", re.IGNORECASE)


def _names_collapse(o: Observation) -> bool:
    """Whether the atelectasis ``o`` is named as a lobe's (or a lung's) collapse, not a streak of it."""
    return o.name == "Atelectasis" and bool(_COLLAPSE_TERM.search(o.term))


def _hilar_mass(o: Observation) -> bool:
    """A mass placed at a hilum ("Left hilar mass"), which a bulky hilum in the other section may be."""
    return o.name == "Mass" and any(z == "hilum" for _, z in o.sites)


def _group(o: Observation) -> str | None:
    return _GROUP.get(o.name)


def _may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False only where ``text`` holds none of ``words`` (lower case) in any case: a cheap test before a pattern
    that cannot match without one of them (speed). A text that is not ASCII is always tried: under IGNORECASE a
    letter outside ASCII may match an ASCII one ("ſ" matches "s")."""
    if not text.isascii():
        return True
    lower = text.lower()
    return any(w in lower for w in words)


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


# a zone named right after a finding's term ("consolidation in the upper zones"), side or none
_IN_ZONE = re.compile(r"\s+(?:in|at|within|involving|of)\s+(?:the\s+|both\s+)?", re.IGNORECASE)


def _zones(o: Observation) -> set[str]:
    zones = {z for _, z in o.sites if z}
    if not zones and o.location:
        zones = {m.lastgroup for m in ZONE.finditer(o.location) if m.lastgroup}
    end = o.span[1] - o.sentence_span[0]
    if not zones and 0 <= end <= len(o.text) and (lead := _IN_ZONE.match(o.text, end)):
        zone = ZONE.search(o.text, lead.end(), lead.end() + 20)  # ("in the upper zones", "at both bases")
        zones = {zone.lastgroup} if zone and zone.lastgroup else set()
    return zones


def _zones_apart(a: Observation, b: Observation) -> bool:
    """Whether two mentions are placed in different lung zones ("No consolidation in the upper zones" and
    "consolidation in the left lower zone"), where both name one."""
    za, zb = _zones(a), _zones(b)
    return bool(za and zb) and not any(_zones_match(x, y) for x in za for y in zb)


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
    # (``_GROUP.get`` for ``_group``, here and below: these run for every group of every report)
    return [o for o in parsed.observations
            if o.section == section and _GROUP.get(o.name) == group and o.polarity in polarities]


def _lateral_mentions(carried: list[Observation], section: str, family: str, resolved: bool = False
                      ) -> list[Observation]:
    """Of ``carried`` (the report's mentions with their carried sides), those of ``family`` with a side: those present
    or possible, or (``resolved``) those that have gone ("resolution of the right effusion"), whose sides are compared
    with each other."""
    return [o for o in carried
            if o.section == section and o.sites
            and ((o.polarity == "absent" and o.resolved) if resolved else o.polarity in ("present", "uncertain"))
            and ((group := _GROUP.get(o.name)) == family or _LATERAL_FAMILY.get(group or "") == family)]


# a sentence that reads the one before it: "There is a density over the left 7th rib. This likely represents an old
# fracture." (its finding is the density's reading, on the density's side)
_ANAPHOR = re.compile(r"^\W*(?:\d+[.)]\s*)?(?:this|these|it|they|(?:the\s+)?appearances?|(?:this|these|the)\s+"
                      r"(?:findings?|appearances?|abnormalit(?:y|ies)|densit(?:y|ies)|opacit(?:y|ies)|lesions?))\b"
                      r"(?!\s+(?:is|are)\s+(?:no|not)\b)", re.IGNORECASE)
_ANY_SIDE = re.compile(r"\b(?:right|left|rt|lt|bilateral\w*|both|bibas\w*|biapical)\b", re.IGNORECASE)


# a side given relative to one named before ("A left chest drain is in place. There is a small ipsilateral
# pneumothorax."): the same side, or the other one
_RELATIVE_SIDE = re.compile(r"\b(?:(?P<same>ipsilateral|same[\s-]sided|(?:on\s+)?the\s+same\s+side)|"
                            r"(?P<other>contralateral|opposite[\s-]sided|(?:on\s+)?the\s+opposite\s+side))\b",
                            re.IGNORECASE)


def _relative_side(parsed: ParsedReport, o: Observation) -> Observation:
    """``o`` placed by "ipsilateral" / "contralateral": relative to the last side its section named before it."""
    relative = _RELATIVE_SIDE.search(o.text)
    if relative is None:
        return o
    before = [p for p in parsed.observations if p.section == o.section and p.span[0] < o.span[0]
              and p.polarity != "absent" and len({side for side, _ in p.sites}) == 1
              and p.sites[0][0] in ("left", "right")]
    if not before:
        return o
    side = max(before, key=lambda p: p.span[0]).sites[0][0]
    if relative.lastgroup == "other":
        side = "left" if side == "right" else "right"
    return replace(o, sites=((side, None),), laterality=side)


def _with_carried_side(parsed: ParsedReport, o: Observation) -> Observation:
    """``o`` with the side of the sentence just before it, where ``o`` has no side, its sentence names none and
    opens by pointing back at the one before ("This", "These findings", "Appearance suggests"), and what that
    sentence affirms or doubts lies on one side only; or with a side relative to one named before it
    ("ipsilateral")."""
    if o.sites or (o.name in FINDINGS and not FINDINGS[o.name].lateral) or o.polarity == "absent":
        return o
    if _RELATIVE_SIDE.search(o.text) and not _ANY_SIDE.search(o.text, 0, o.span[0] - o.sentence_span[0]):
        return _relative_side(parsed, o)
    if not _ANAPHOR.match(o.text) or _ANY_SIDE.search(o.text):
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


_MEASURE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:cm|mm)\b", re.IGNORECASE)


def _nodular_pattern(o: Observation, *, omission: bool = False) -> bool:
    """A "nodular" pattern is no nodule, unless measured as one ("a 1.2 cm nodular opacity"). For an omission
    (a normal impression leaving it out) a measurement anywhere in its clause counts ("nodular opacity
    measuring 12 mm"); against a plain negation it must be the mention's own, as that error is an error."""
    if not o.term.lower().startswith("nodular") or o.size_mm is not None:
        return False
    return not (omission and _MEASURE.search(_clause(o)))


# what a sentence may explain an opacity as: something outside the lung, or atelectasis or scar
# ("a soft tissue nodule" is a solid one, not the soft tissues overlying the lung)
_OTHER_CAUSE = re.compile(r"epicardial\s+fat|soft\s+tissue(?!\s+(?:nodule|mass|density|opacity|lesion))|overlap|overly|"
                          r"artifact|nipple", re.IGNORECASE)
_SCAR_CAUSE = re.compile(r"atelecta|scar|fibros", re.IGNORECASE)
# the words for the lung an effusion presses on ("adjacent atelectasis", "compressive atelectasis"): negation reads such
# atelectasis beside clear lungs as minor, omission as the effusion's own
_BESIDE_EFFUSION_WORDS = r"adjacent|compressive|passive|relaxation"


# a costophrenic angle called blunted: a sign that may be scar, not an effusion by itself
_BLUNTED = re.compile(r"blunt", re.IGNORECASE)
_THICKENED_PLEURA = re.compile(r"pleural\s+thickening|plaques?\b|fibrothorax", re.IGNORECASE)


def _explained_away(o: Observation, parsed: ParsedReport, *, omission: bool = False) -> bool:
    """A positive mention too vague to contradict a negation or to be missed by a normal impression: a
    bare "opacity", an opacity the same sentence explains as atelectasis, scar or overlying soft
    tissue, a "nodular" pattern, a nodule explained as a nipple, a blunted costophrenic angle (a sign
    that may be scar; it is not an effusion by itself).

    With ``omission`` (a normal impression that leaves it out), an opacity read as possible
    atelectasis still counts: "atelectasis versus infiltrate" belongs in the impression."""
    clause = _clause(o)
    # (a placed opacity called new is a finding to summarise, bare or not: "interval development of
    # bilateral opacities"), unless its sentence reads it as something else ("..., compatible with lymphangitic spread")
    # ("increased opacities" is as often more than normal as more than before: only "new" counts, or "increased" with
    # the study it is measured against: "Increased bibasilar reticular opacities compared with prior")
    # (nor one beside an effusion: "bilateral effusions with basal opacity, new" is the effusions' atelectasis)
    grown = o.change == "new" or (o.change == "increased" and bool(_AGAINST_BEFORE.search(clause)))
    # (and beside a normal impression, an opacity its sentence places in one lobe: "There is a right upper lobe
    # opacity." is the pneumonia or the lesion a normal impression leaves out)
    placed = _placed_opacity(o) or (omission and not _READ_AS.search(clause) and not _EFFUSION_WORD.search(clause) and (
        (bool(o.sites or o.location) and grown)
        or (o.side in ("left", "right") and bool(_IN_A_LOBE.search(clause)) and not _STREAK_WORD.search(clause)
            and not any(i.polarity != "absent" and i.side in (o.side, "bilateral")
                        for i in parsed.section_observations("IMPRESSION")))))
    if o.name == "Lung Opacity" and ((_BARE_OPACITY.match(o.term) and not placed)
                                     or _OTHER_CAUSE.search(clause) or (not omission and _SCAR_CAUSE.search(clause))):
        return True
    if _group(o) == "nodule or mass" and (_nodular_pattern(o) or _BENIGN.search(_own_clause(o))):
        return True
    if o.name == "Pleural Effusion" and (_BLUNTED.search(o.term) or (
            re.search(r"obliterat", o.term, re.IGNORECASE) and _THICKENED_PLEURA.search(clause))):
        return True  # (an angle obliterated by thickened pleura holds no fluid: "diffuse pleural thickening ...")
    # septal lines read as the tumour's spread ("septal lines, compatible with lymphangitic carcinomatosis"), or as part
    # of a reticular pattern ("coarse reticular interstitial shadowing with septal lines")
    if _group(o) == "pulmonary edema" and (re.search(r"lymphangitic", clause, re.IGNORECASE) or (
            _SEPTAL.match(o.term) and any(other.sentence_span == o.sentence_span and other.polarity == o.polarity
                                          and _group(other) == "interstitial lung disease"
                                          for other in parsed.observations))):
        return True
    return False


_SEPTAL = re.compile(r"(?:interlobular\s+)?septal|kerley", re.IGNORECASE)
_IN_A_LOBE = re.compile(r"\b(?:upper|middle|lower)\s+lobe\b|\blingula", re.IGNORECASE)
# the shapes of a minor opacity, a streak or a plate of atelectasis and no airspace finding (inside a word too:
# "curvilinear", "platelike", "banding"): the one list the checks read them by
_MINOR_SHAPES = r"streak|linear|band|plate|subsegmental|discoid"
# a streak, a band, a reticular pattern or a faint shadow: no lesion or airspace finding wherever it lies
_STREAK_WORD = re.compile(_MINOR_SHAPES + r"|reticul|interstitial|"
                          r"\b(?:subtle|faint|minimal|tiny|trace)\b|"
                          # (or one its clause names as something else, the word that reads it masked or not:
                          # "XXXX opacity in the left upper lobe, XXXX atelectasis or scarring")
                          r"atelecta|collapse|scar|fibros|bronchiect|granulom|calcif",
                          re.IGNORECASE)


# an opacity its sentence reads as something ("compatible with", "likely", "representing")
_READ_AS = re.compile(r"\b(?:compatible|consistent|in\s+keeping)\s+with|\b(?:likely|probably|representing|represents?|"
                      r"suggestive\s+of|suggesting|due\s+to|secondary\s+to|related\s+to|reflect(?:s|ing)?)\b",
                      re.IGNORECASE)


_EFFUSION_WORD = re.compile(r"effusion", re.IGNORECASE)
# an earlier study that today's film is measured against ("compared with prior", "since the last film", "from the
# previous exam", "relative to the most recent prior")
_AGAINST_PRIOR = (r"\b(?:compared\s+(?:with|to)|comparison\s+(?:with|to)|since|from|than|relative\s+to)\s+(?:on\s+)?"
                  r"(?:the\s+|a\s+)?(?:most\s+recent\s+)?(?:prior|previous|preceding|last|earlier|before|recent)\b")
# a change measured against it
_AGAINST_BEFORE = re.compile(_AGAINST_PRIOR + r"|\binterval\b", re.IGNORECASE)


def _new_or_growing(o: Observation) -> bool:
    """Called new or increasing by the report ("interval development of", "increasing"), not by its own name."""
    return o.change == "new" or (o.change == "increased" and not re.search(r"increas", o.term, re.IGNORECASE))


def _own_clause(o: Observation) -> str:
    """The part of the mention's sentence its own words stand in: between semicolons, brackets, a contrast ("while",
    "whereas", "but") or a new "there is" (vocabulary.CLAUSE_BOUND)."""
    i = o.span[0] - o.sentence_span[0]
    if not 0 <= i <= len(o.text):
        return o.text
    start = max((b.end() for b in CLAUSE_BOUND.finditer(o.text, 0, i)), default=0)
    after = CLAUSE_BOUND.search(o.text, i)
    return o.text[start: after.start() if after else len(o.text)]


# an opacity described as the airspace's: "airspace opacification", "alveolar shadowing", "non-homogeneous opacity" (as
# South Asian reports call a consolidation), "inhomogeneous shadowing"; an infiltrate, not an interstitial one
_AIRSPACE_WORD = re.compile(r"\b(?:air[\s-]?space|alveolar|consolidat\w*|(?<!interstitial\s)infiltrat\w*|"
                            r"ground[\s-]*glass|(?-i:GGOs?)\b|(?:non-?|in)homogeneous\s+(?:patchy\s+)?(?:opacit|shadow))",
                            re.IGNORECASE)


def _clause(o: Observation) -> str:
    """The part of the mention's sentence between semicolons ("... opacity in the right lower lobe; no
    pneumothorax; soft tissues unremarkable": the soft tissues are another item of the list, not the opacity's)."""
    i = o.span[0] - o.sentence_span[0]
    if not 0 <= i <= len(o.text):
        return o.text
    start = o.text.rfind(";", 0, i) + 1
    stop = o.text.find(";", i)
    return o.text[start: stop if stop >= 0 else len(o.text)]


# ("hazy densities in the right lower lung field": the Philippine lists' word for an airspace process)
_FOCAL = re.compile(r"\b(?:focal|patchy|confluent|consolidative|fluffy|ill[\s-]defined|dense|ground[\s-]glass|hazy|"
                    r"(?:non-?|in)?homogeneous)\s+"
                    r"(?:(?:right|left|upper|mid|middle|lower|lobe|zone|lung|basal|apical)\s+|\w+\s+)?"
                    r"(?:(?:right|left|upper|mid|middle|lower|lobe|zone|lung|basal|apical)\s+){0,2}$", re.IGNORECASE)


_SILHOUETTE_SIGN = re.compile(r"[^.;]{0,40}?\b(?:obscur\w*|silhouett\w*|effac\w*)\s+(?:of\s+)?(?:the\s+)?"
                              r"(?:(?:right|left)\s+)?(?:heart|cardiac)\s+border", re.IGNORECASE)


def _placed_opacity(o: Observation) -> bool:
    """An opacity described as a lesion and placed ("focal opacity in the right lower lobe") counts as a
    finding; a bare "opacity" (a pattern, a shadow) does not."""
    i = o.span[0] - o.sentence_span[0]
    before = o.text[max(0, i - 30): i] if 0 <= i <= len(o.text) else ""
    after = o.text[i + len(o.term): i + len(o.term) + 60] if 0 <= i <= len(o.text) else ""
    # (or it takes away a border, the silhouette sign of airspace disease: "opacity in the right middle lobe
    # obscuring the right heart border")
    return bool(o.sites or o.location) and bool(_FOCAL.search(before) or _SILHOUETTE_SIGN.match(after))


# (and an illness just over: "Minor residual opacities after recent COVID-19 infection")
_HISTORICAL = re.compile(r"\b(?:previous|prior|old|remote|healed|history\s+of|sequela\w*\s+of|"
                         r"(?:after|following)\s+(?:a\s+|the\s+)?recent)\b[^.;]{0,40}$", re.IGNORECASE)


# "compared to the prior study, there are increased opacities": a comparison, today's finding
# (and a position likened to the prior study's: "leads in similar position to prior study with stable cardiomegaly")
_COMPARED_WITH_PRIOR = re.compile(_AGAINST_PRIOR + r"|\b(?:similar|identical|unchanged|stable|position)\s+to\s+"
                                  r"(?:the\s+|a\s+)?(?:most\s+recent\s+)?(?:previous|prior)\b", re.IGNORECASE)


def _historical(o: Observation) -> bool:
    """A finding of the past ("previous tuberculosis pneumonia", "history of pneumothorax"), not one compared with
    a prior study."""
    i = o.text.lower().find(o.term.lower())
    return i >= 0 and bool(_HISTORICAL.search(_COMPARED_WITH_PRIOR.sub(" ", o.text[:i])))


def _one_group_alternative(o: Observation) -> bool:
    """A finding named only beside alternatives of its own group ("right effusion/hemothorax", "pneumonia or
    consolidation"): whichever it is, the group is affirmed. Alternatives across groups ("scar or pleural
    fluid", "atelectasis/infiltrate") stay a hedge."""
    return o.polarity == "uncertain" and not o.hypothetical and bool(o.alternatives) and all(
        _GROUP.get(name) == _group(o) for name in o.alternatives)


def _graded(severity: str | None, *grades: str) -> bool:
    """Whether a severity word is of one of the size grades the size check compares (vocabulary.SIZE_WORD:
    "tiny", "minimal" are trace; "mild", "slight", "minor" small), so every check grades a degree alike."""
    grade = SIZE_WORD.fullmatch(severity) if severity else None
    return grade is not None and grade.lastgroup in grades
