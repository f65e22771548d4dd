"""``impression_omits``: a significant finding in FINDINGS that the IMPRESSION leaves out.

Beside an impression that calls the study normal or free of acute disease (severities calibrated on real IU
reports), or, on the listing-impression path (``_listing_impression_omits``), beside one that lists other
findings (only what must be summarised). Returns a list of ``Issue``; ``checks.run_checks`` calls it in the order
of ``checks.KINDS``.
"""

from __future__ import annotations

import re

from medrag_core.models import Issue
from medrag_core.reports.checks.agreement import _SIZE_RANK, _size_bounds
from medrag_core.reports.checks.pairing import (
    _AIRSPACE_WORD,
    _BENIGN,
    _BESIDE_EFFUSION_WORDS,
    _MINOR_SHAPES,
    _clause,
    _explained_away,
    _graded,
    _group,
    _historical,
    _names_collapse,
    _new_or_growing,
    _nodular_pattern,
    _own_clause,
    _spans,
    _zones_match,
)
from medrag_core.reports.checks.structure import impression_only_advice, impression_states_nothing, placeholder_spans
from medrag_core.reports.mentions import _EXPLAINED_AS, Observation
from medrag_core.reports.parse import ParsedReport
from medrag_core.reports.sentences import split_sentences
from medrag_core.reports.vocabulary import (
    BONE_FINDINGS,
    FINDINGS,
    NO_ACUTE_DISEASE,
    SIZE_WORD,
    STUDY_NORMAL,
    groups_checked_by,
)

__all__ = ["impression_omits"]

# Findings an impression of "normal" / "no acute disease" must not leave out.
_SIGNIFICANT_GROUPS = groups_checked_by("omission")
# What explains an enlarged heart away is the technique, not a calcified aorta in the same sentence
# ("Cardiomegaly and tortuous calcified aorta are unchanged").
_TECHNIQUE = re.compile(
    r"portable|ap\s+(?:technique|projection|view)|accentuat|exaggerat|magnif|low\s+lung\s+volumes|"
    r"diminished\s+lung\s+volumes|technique|overlap|superimpos|epicardial\s+fat|fat\s+pad",
    re.IGNORECASE,
)
_ENLARGED = re.compile(r"cardiomegaly|enlarg", re.IGNORECASE)


# Normal statements are vocabulary data ([[normal]] in findings.toml): "Normal chest." calls the whole study
# normal; "No acute disease." leaves room for chronic and minor findings.
_NORMAL_STRONG = STUDY_NORMAL
_NORMAL_WEAK = NO_ACUTE_DISEASE


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
# a cardiothoracic ratio just over one half is a borderline heart ("Borderline cardiac size, CTR 0.52")
_BORDERLINE_RATIO = re.compile(r"(?<![\d.])0?\.5[0-5]\d?\b|\b5[0-5](?:\.\d+)?\s*%")
_TRACE_WORD = re.compile(r"\b(?:tiny|trace|minimal|minimally|subtle|slight|slightly|few)\b", re.IGNORECASE)


def _reaches_moderate(o: Observation) -> bool:
    """Whether a size or grade stated for ``o`` reaches moderate at its upper end ("small to moderate", "moderate",
    "large"; "marked", "massive": large): an effusion larger than small."""
    grade = SIZE_WORD.fullmatch(o.severity) if o.severity else None
    return any(_size_bounds(size)[1] >= _SIZE_RANK["moderate"]
               for size in (o.size, *(size for _, size in o.side_sizes), grade and str(grade.lastgroup)) if size)


def _omission_severity(o: Observation, group: str, strong: bool) -> str:
    """How much an omitted finding matters (calibrated on real IU reports; see docs/report_checks.md):
    a warning for pneumothorax, free air, a widened mediastinum, oedema, consolidation, a mass or a
    nodule of 6 mm or more, an effusion larger than small, and anything new or increasing; info for
    mild, borderline or stable cardiomegaly, a small effusion and a nodule under 6 mm."""
    if o.change in ("new", "increased"):
        return "warning"
    # the degree may sit before the term ("mild cardiomegaly") or inside it ("heart is mildly enlarged")
    minor = _graded(o.severity, "trace", "small") or bool(_MINOR_IN_TERM.search(o.term))
    if group == "cardiomegaly" and _BORDERLINE_RATIO.search(o.term):
        minor = True
    # (the issue's rule, whatever the impression says: "Negative chest." beside mild cardiomegaly or a trace
    # effusion is how real reports are written)
    if group == "cardiomegaly" and (minor or o.polarity == "uncertain" or o.temporal == "chronic"):
        return "info"
    if group == "pleural effusion" and minor and not _reaches_moderate(o):
        return "info"  # (a "small to moderate" one is graded small first, and larger than small)
    if strong:
        return "warning"  # "Normal chest." beside anything else is wrong; "no acute disease" beside it is usual
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


# an opacity its own sentence reads as an effusion ("in keeping with a layering moderate effusion")
_READ_AS_EFFUSION = re.compile(r"\b(?:(?:in\s+keeping|consistent|compatible)\s+with|representing|due\s+to)\s+"
                               r"(?:[\w-]+\s+){0,3}?(?:(?:pleural\s+)?effusions?|ha?emothora(?:x|ces)|empyemas?)\b",
                               re.IGNORECASE)


# a finding reported from another kind of study ("nodule seen on the prior CT", "effusion on echocardiography")
_OTHER_STUDY = re.compile(r"\b(?:on|by|at|from|with)\s+"
                          r"(?:(?:the|a|an|prior|previous|recent|outside|abdominal|chest)\s+)*"
                          r"(?:(?-i:CTA?|MRI?|PET)|computed\s+tomography|ultrasound|sonograph\w*|echo\w*)\b",
                          re.IGNORECASE)


# a lobe or lung collapsed is significant where plate-like or basal atelectasis is minor
_IMPROVING = re.compile(r"\b(?:less\s+(?:distinct|prominent|marked|conspicuous|apparent|extensive)|improv\w*|decreas\w*"
                        r"|resolv\w*|re-?expan\w*|re-?aerat\w*)", re.IGNORECASE)
_VOLUME_LOSS = re.compile(r".*(?:volume\s+loss|loss\s+of\s+volume)", re.IGNORECASE)
# the signs that show a lobe collapsed: a displaced fissure, hilum or hemidiaphragm, a triangular opacity, a shift
_COLLAPSE_SIGN = re.compile(r"\b(?:elevat\w*|depress\w*|displac\w*|shift\w*|triangular|wedge|sail|veil|collaps\w*|"
                            r"crowd\w*|pulled|retract\w*)\b", re.IGNORECASE)
# "wide even allowing for the AP projection": the technique named and set aside
_DESPITE_TECHNIQUE = re.compile(r"\b(?:even\s+)?(?:allowing|accounting)\s+for|\bdespite\b|"
                                r"\bnot\s+(?:explained|accounted\s+for)\s+by\b", re.IGNORECASE)


def _by_technique(o: Observation) -> bool:
    """Whether the sentence puts the finding down to the technique ("accentuated by the AP projection")."""
    return bool(_TECHNIQUE.search(o.text)) and not _DESPITE_TECHNIQUE.search(o.text)


# an effusion's extent past a small one's: a third or half of the hemithorax, up to the mid zone, the hilum or a
# posterior rib above the 9th ("occupying approximately a third of the hemithorax", "extending to the level of the
# hilum", "to the 7th posterior rib")
_EFFUSION_EXTENT = re.compile(
    r"\b(?:(?:a|one)\s+third|half|two[\s-]thirds|most)\s+of\s+the\s+(?:\w+\s+)?hemithorax\b|"
    r"\b(?:to|reaching|extending\s+to|up\s+to|as\s+high\s+as)\s+(?:the\s+)?(?:level\s+of\s+the\s+)?"
    r"(?:mid[\s-]?zone|mid[\s-]?thorax|hil(?:um|a|ar\s+level)|(?:[2-8]|second|third|fourth|fifth|sixth|seventh|eighth)"
    r"(?:st|nd|rd|th)?\s+(?:posterior\s+)?rib)\b", re.IGNORECASE)
_LUNG_COLLAPSE = re.compile(r"\bcollapse\s+of\s+the\s+(?:(?:right|left)\s+)?lung\b|\blung\s+collapse\b|"
                            r"\bcollapsed\s+(?:(?:right|left)\s+)?lung\b", re.IGNORECASE)
# what widens a mediastinum, named as the mediastinum's ("anterior mediastinal mass", "mediastinal lymphadenopathy")
_MEDIASTINAL_LESION = re.compile(r"\bmediastin\w*\s+(?:soft[\s-]tissue\s+)?(?:mass(?:es)?|lymphadenopathy|adenopathy|"
                                 r"lymph\s+nodes|nodal\s+mass|tumou?r|lesion)\b", re.IGNORECASE)
_MINOR_ATELECTASIS = re.compile(_MINOR_SHAPES + r"|\b(?:minor|minimal|mild|slight|trace|tiny)\b", re.IGNORECASE)


# collapse beside an effusion or a mass ("effusion with adjacent lower lobe collapse") belongs to that finding
_ATTACHED = re.compile(r"\b(?:adjacent|subjacent|underlying|overlying|associated|compressive|passive|relaxation)\b"
                       r"(?:\s+[\w-]+){0,3}\s*$", re.IGNORECASE)


def _lobar_collapse(o: Observation) -> bool:
    # "lobe collapse"; "left lower lobe atelectasis" stays minor (in real reports it is mostly a streak at a base)
    i = o.span[0] - o.sentence_span[0]
    if not _names_collapse(o) or not 0 <= i <= len(o.text):
        return False
    if re.search(r"pneumothora\w*\b[^.;]{0,30}?\bwith\s+(?:[\w-]+\s+){0,3}$", o.text[:i], re.IGNORECASE) and re.search(
            r"\blung\b", o.term, re.IGNORECASE) and not re.search(r"\blobe", o.term, re.IGNORECASE):
        return False  # "pneumothorax with partial collapse of the underlying lung": the pneumothorax's own (a lobe's
        # collapse beside it, "with lower lobe collapse on the same side", is a finding of its own)
    if _VOLUME_LOSS.match(o.term) and not _COLLAPSE_SIGN.search(o.text):
        return False  # "right lower lobe volume loss" alone may be a scarred lobe's; with a collapse's signs it is one
    return not _ATTACHED.search(o.text[max(0, i - 40): i])


# an impression that speaks for the whole study's course ("No interval change.", "Stable appearance.") without
# listing what stays: a finding left out of it may be the unchanged one
# (not the appearances of one named thing: "Stable appearances of fibrotic lung disease." is that disease's course)
_OF_A_NAMED_THING = r"(?!\s+(?:of|in)\s+(?!(?:the\s+)?(?:chest|lungs?|thorax)\b))"
_WHOLE_STUDY_CHANGE = re.compile(r"^\W*(?:\d+[.)]\s*)?(?:no\s+(?:significant\s+|radiographic\s+|definite\s+)?"
                                 r"(?:interval\s+)?change|(?:otherwise\s+)?(?:stable|unchanged)\s+(?:appearances?\b"
                                 + _OF_A_NAMED_THING + r"|"
                                 r"exam\w*|study|radiograph|film|chest|findings)|(?:appearances?|findings)\s+(?:are\s+|is\s+)?"
                                 r"(?:stable|unchanged))\b|^\W*(?:similar|unchanged|stable)\s+appearances?\b"
                                 + _OF_A_NAMED_THING, re.IGNORECASE)
_MINOR_WORD = re.compile(r"\b(?:few|mild|mildly|minimal|minimally|slight|slightly|trace|subtle|minor|small)\b",
                         re.IGNORECASE)


_AS_BEFORE = re.compile(r"\b(?:as\s+before|as\s+previously|unchanged|stable|again\s+(?:seen|noted)"
                        r"|no\s+(?:interval\s+)?change)\b", re.IGNORECASE)
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


# a fracture the words just before it call new ("New fractures of the left 7th to 9th ribs"), not one called healed.
# An acute one is not new by the spec's list (two blind writers labelled it both ways; the IU archive never has it)
_NEW_BEFORE = re.compile(r"\b(?:new|newly\s+seen)\b(?:[\s,]+(?:and\s+)?[\w-]+){0,3}[\s,]+$", re.IGNORECASE)
_OLD_WORD = re.compile(r"\b(?:old|healed|healing|remote|chronic|ununited|united|previous|prior)\b", re.IGNORECASE)


def _new_fracture(o: Observation) -> bool:
    i = o.span[0] - o.sentence_span[0]
    return (o.name == "Fracture" and o.polarity == "present" and 0 <= i <= len(o.text) and "fractur" in o.term.lower()
            and bool(_NEW_BEFORE.search(o.text[max(0, i - 60): i])) and not _OLD_WORD.search(_clause(o)))


_SUMMARISED_WHEN_STABLE = {"pneumothorax", "free air", "nodule or mass", "pleural effusion", "airspace disease",
                           "pulmonary edema"}


# diagnoses an impression gives for what the findings describe: an empyema for a pleural collection (tuberculosis, for
# a consolidation or a cavity, is a finding of the vocabulary: "TB screening" or "TB category B" name none)
_DIAGNOSES = ((re.compile(r"\bempyemas?\b", re.IGNORECASE), {"pleural effusion"}),)
_TUBERCULOSIS_NAMES = {"airspace disease", "nodule or mass"}
# (old tuberculosis stands for no active lung finding: "fibrocalcific changes - healed PTB", "Post-TB fibrosis"; not
# "post-primary tuberculosis", the active, adult form; "no interval change" is its course, not a denial)
_DENIED = re.compile(r"\b(?:no(?!\s+(?:(?:significant|interval|appreciable)\s+)?change)|not|without|negative|"
                     r"excluded?|history\s+of|previous|prior|old|healed|inactive|"
                     r"burnt[\s-]*out|sequelae|post[\s-]*(?:tb|ptb|tubercul\w*))\b", re.IGNORECASE)


def _named_by_diagnosis(parsed: ParsedReport) -> set[str]:
    """The finding groups an impression names by a diagnosis that stands for them ("Reactivation TB" for the
    consolidation and cavity the findings describe, "Right empyema" for the collection), where it affirms it."""
    named: set[str] = set()
    for _, sentence in split_sentences(parsed.sections.get("IMPRESSION", "")):
        if not _DENIED.search(sentence):
            named.update(g for diagnosis, groups in _DIAGNOSES if diagnosis.search(sentence) for g in groups)
        if not _RULED_OUT.search(sentence):
            named.update(g for name, groups in _NAMED_UNLESS_RULED_OUT if name.search(sentence) for g in groups)
    if any(o.name == "Tuberculosis" and o.polarity != "absent" and not _DENIED.search(o.text)
           for o in parsed.section_observations("IMPRESSION")):
        named |= _TUBERCULOSIS_NAMES
    return named


_RULED_OUT = re.compile(r"\b(?:no|not|without|negative)\b", re.IGNORECASE)
_MEDIASTINAL_CAUSE = re.compile(r"\blymphomas?\b|\b(?:retrosternal|substernal|intrathoracic)\s+(?:thyroid\s+)?"
                                r"goit(?:re|er)s?\b|\b(?:mediastinal|paratracheal)\s+(?:[\w-]+\s+)?"
                                r"(?:nodal\s+(?:disease|mass)|(?:lymph)?adenopathy|lymph\s+nodes?)\b", re.IGNORECASE)


_CAVITY = re.compile(r"cavit", re.IGNORECASE)


# a history of cancer, or of its treatment: a nodule there may be a deposit, stable or not
_KNOWN_MALIGNANCY = re.compile(
    r"\b(?:cancer|(?:adeno)?carcinoma|malignan\w*|metasta\w*|oncolog\w*|lymphoma|melanoma|sarcoma|myeloma|"
    r"leuka?emia|(?-i:N?SCLC)|chemo\w*|radiotherapy|immunotherapy)\b", re.IGNORECASE)


# the lung an effusion presses on ("with collapse of the adjacent lung", "compressive atelectasis")
_BESIDE_EFFUSION = re.compile(rf"\b(?:{_BESIDE_EFFUSION_WORDS}|underlying)\b", re.IGNORECASE)


# an opacity of the interstitium, and the impression's name for its disease
_INTERSTITIAL_WORD = re.compile(r"\b(?:reticul\w*|interstiti\w*|fibrotic|honeycomb\w*)", re.IGNORECASE)
# (and the tumour's spread along the interstitium: "Appearances in keeping with lymphangitis carcinomatosa")
_INTERSTITIAL_DISEASE = re.compile(r"\binterstiti\w*|\blymphangit(?:is|ic)\b|\bfibros[ie]s\b|\bfibrotic\b|"
                                   r"\b(?-i:ILD|UIP|IPF|NSIP)\b", re.IGNORECASE)
# what an impression names findings by where its sentence rules nothing out ("no", "not", "without"): interstitial
# lung disease by its course or its kind ("Progression of basal fibrotic change since the previous film", "basal
# interstitial change"); a mediastinal mass by its cause ("Mediastinal widening due to known lymphoma, smaller", "Bulky
# right-sided mediastinal nodal disease", "Known retrosternal goitre displacing the trachea to the left")
_NAMED_UNLESS_RULED_OUT = ((_INTERSTITIAL_DISEASE, ("interstitial lung disease",)),
                           (_MEDIASTINAL_CAUSE, ("widened mediastinum", "nodule or mass")))


def _followed_lesion(o: Observation, parsed: ParsedReport) -> bool:
    """A mass; or, in a patient with cancer, a nodule measured at 6 mm or more: one to name in the impression even
    when stable ("Known 12 mm nodule, unchanged" beside "No acute disease"). Elsewhere a stable nodule is read as
    benign, as real reports leave an 11 mm nodule unchanged for seven years out of "No acute abnormality"."""
    if o.name == "Mass":
        return True
    history = " ".join((parsed.sections.get("INDICATION", ""), parsed.preamble))
    return (o.name == "Nodule" and o.size_mm is not None and o.size_mm >= 6
            and bool(_KNOWN_MALIGNANCY.search(history)))


# the known disease's background, by the word before the finding or the reading after it ("Background bilateral patchy
# airspace opacification", "... in keeping with known COVID-19"); not a background the finding stands on ("Right lower
# lobe consolidation on a background of COPD" is today's)
_BACKGROUND_BEFORE = re.compile(r"\bbackground\s+(?:[\w-]+\s+){0,4}$", re.IGNORECASE)
_KNOWN_AFTER = re.compile(r"[^.;]{0,40}?\b(?:in\s+keeping|consistent|compatible)\s+with\s+(?:the\s+)?known\b",
                          re.IGNORECASE)


def _must_be_summarised(o: Observation, group: str) -> bool:
    """A finding no impression may leave out, whatever else it lists: what the issue calls significant
    (pneumothorax, free air, a widened mediastinum, oedema, consolidation or pneumonia, a mass or a nodule of 6 mm
    or more, an effusion larger than small, a collapsed lobe) and anything of those groups new or increasing.
    Stricter than beside a normal impression: an impression that lists findings is a summary, and real ones
    leave out a small effusion, a mild heart or an unplaced opacity (measured on the IU archive)."""
    # (not where "increased" is the finding's own word, "cardiothoracic ratio is increased", or it is "as before")
    growing = _new_or_growing(o)
    if growing and not _AS_BEFORE.search(_clause(o)) and (FINDINGS[o.name].significance in ("critical", "significant")
                                                          or group in ("fracture", "interstitial lung disease")
                                                          or _lobar_collapse(o)):
        return True  # a new fracture too; not atelectasis beside an effusion that grows
    if o.change == "resolved" or (group not in _SUMMARISED_WHEN_STABLE and (
            o.change in ("stable", "decreased") or o.temporal == "chronic" or _IMPROVING.search(_clause(o)))):
        return False
    if group in ("pneumothorax", "free air", "pneumomediastinum"):
        return True  # (air where it should not be, as critical as the pneumothorax)
    if group == "widened mediastinum":
        return not (_by_technique(o) or _MINOR_WORD.search(_clause(o)))
    if group == "pulmonary edema":
        # the issue lists oedema and congestion as significant: mild oedema too, not a trace or a minimal one
        return not _graded(o.severity, "trace") and not _TRACE_WORD.search(_clause(o))
    if group == "airspace disease":
        # consolidation or pneumonia, or an opacity called airspace or alveolar and placed ("airspace opacification
        # in the left lower zone"); not a bare, streaky or minimal one, nor the known disease's background ("Background
        # bilateral patchy airspace opacification in keeping with known COVID-19")
        at = o.span[0] - o.sentence_span[0]
        if _BACKGROUND_BEFORE.search(o.text, 0, max(at, 0)) or _KNOWN_AFTER.match(o.text, at + len(o.term)):
            return False
        airspace = o.name in ("Consolidation", "Pneumonia") or (
            o.name == "Lung Opacity" and bool(o.sites or o.location) and bool(_AIRSPACE_WORD.search(_clause(o))))
        return airspace and not _graded(o.severity, "trace") and not re.search(
            _MINOR_SHAPES + r"|\ba\s+little\b|\bsubtle\b|\bfaint\b", _clause(o), re.IGNORECASE)
    if group == "nodule or mass":
        # (a cavity too, whatever its size: tuberculosis, an abscess or a tumour)
        return o.name == "Mass" or (o.size_mm is not None and o.size_mm >= 6) or bool(_CAVITY.search(o.term))
    if group == "pleural effusion":
        # larger than small by the size grades the size check compares; a loculated one (a possible empyema) whatever
        # its size, and one whose extent is given instead of a grade
        return _reaches_moderate(o) or bool(re.search(r"\bloculat", _clause(o), re.IGNORECASE)
                                            or _EFFUSION_EXTENT.search(_clause(o)))
    return _lobar_collapse(o)


# an opacity the findings themselves read as oedema ("perihilar airspace shadowing, in keeping with pulmonary oedema";
# "... shadowing, R > L, with septal lines: pulmonary oedema"; "... in keeping with pulmonary congestion")
_READ_AS_EDEMA = re.compile(r"(?:\b(?:(?:in\s+keeping|consistent|compatible)\s+with|due\s+to|representing|"
                            r"suggestive\s+of)|:)\s+"
                            r"(?:[\w-]+\s+){0,2}(?:o?edema|congestion|overload|(?:cardiac|heart)\s+failure)\b",
                            re.IGNORECASE)
# (not the upper lobe's vessels of a raised venous pressure: "Prominent upper lobe vessels with perihilar opacities")
_FOCAL_OR_LOBAR = re.compile(r"\b(?:focal|lobe|lobar|segment\w*|lingula\w*)\b"
                             r"(?!\s+(?:vessels?|veins?|venous|vascular\w*|blood|diversion))", re.IGNORECASE)


def _named_at_side(parsed: ParsedReport, o: Observation, group: str, *, affirmed: bool = False,
                   same_side: bool = False, same_zone: bool = False, near_zone: bool = False,
                   unless: re.Pattern[str] | None = None) -> bool:
    """Whether the IMPRESSION names ``group`` (``affirmed``: not ruled out) where ``o`` is: at its side, or either
    side-less or bilateral (``same_side``: at its one side only; ``same_zone``: and in no other lung zone;
    ``near_zone``: not at the other end of the lung, upper against lower), in a clause ``unless`` does not match."""
    if same_side and o.side not in ("left", "right"):
        return False

    def at_side(i: Observation) -> bool:
        if same_side:
            return i.side == o.side
        return o.side in (None, "bilateral") or i.side in (None, "bilateral") or i.side == o.side

    def in_zone(i: Observation) -> bool:
        if near_zone:  # (a lower lobe reaches the mid zone on a frontal film: only the far ends are apart)
            ends_o = {z for _, z in o.sites if z in ("upper", "lower")}
            ends_i = {z for _, z in i.sites if z in ("upper", "lower")}
            return not (ends_o and ends_i and not ends_o & ends_i)
        return not same_zone or any(_zones_match(z, zi) for z in ({zone for _, zone in o.sites} or {None})
                                    for zi in ({zone for _, zone in i.sites} or {None}))

    return any(_group(i) == group and not (affirmed and i.polarity == "absent") and at_side(i) and in_zone(i)
               and not (unless and unless.search(_clause(i))) for i in parsed.section_observations("IMPRESSION"))


def _atelectasis_apart(parsed: ParsedReport, o: Observation) -> bool:
    """Whether the FINDINGS name the atelectasis in a sentence of its own, and the airspace finding ``o``'s sentence
    does not call it atelectasis: the impression's atelectasis is then that one's ("Bibasal subsegmental atelectasis.
    Airspace opacification at the left base with air bronchograms." and "Bibasal atelectasis.")."""
    return o.side in ("left", "right") and not _ATELECTASIS_WORD.search(o.text) and any(
        x.name == "Atelectasis" and x.polarity == "present" and x.text != o.text
        for x in parsed.section_observations("FINDINGS"))


_ATELECTASIS_WORD = re.compile(r"atelecta|collapse", re.IGNORECASE)


def _joined_before(o: Observation, parsed: ParsedReport, joint: re.Pattern[str]) -> list[Observation]:
    """The other FINDINGS mentions earlier in ``o``'s sentence whose words up to ``o`` are ``joint`` (whole)."""
    at = o.sentence_span[0]
    return [x for x in parsed.section_observations("FINDINGS")
            if x is not o and x.text == o.text and at <= x.span[1] <= o.span[0]
            and joint.fullmatch(o.text, x.span[1] - at, o.span[0] - at)]


def _small_with_the_edema(o: Observation, parsed: ParsedReport) -> bool:
    """Whether the effusion ``o`` is small and attached, in its sentence, to the oedema or congestion before it
    ("Pulmonary venous congestion with small bilateral effusions")."""
    return o.severity in ("tiny", "trace", "minimal", "small") and any(
        _group(x) == "pulmonary edema" and x.polarity == "present" for x in _joined_before(o, parsed, _WITH_SMALL))


_WITH_SMALL = re.compile(r"[^.;]{0,30}?\b(?:with|and)\s+(?:[\w-]+\s+){0,3}", re.IGNORECASE)


def _read_as_cause_of_named(o: Observation, parsed: ParsedReport, affirmed: set[str]) -> bool:
    """Whether ``o`` is what an earlier finding of its sentence is read as ("..., likely mucus plugging"), a finding the
    impression affirms (``affirmed``: its groups), and new or growing only as that finding is (its change is the
    finding's: mentions._EXPLAINED_AS)."""
    return o.change in ("new", "increased") and any(
        x.polarity != "absent" and x.change == o.change and _group(x) in affirmed and _group(x) != _group(o)
        for x in _joined_before(o, parsed, _EXPLAINED_AS))


# a nodular density or opacity may be summarised as the airspace finding at its place; a nodule called new or growing
# may not
_DENSITY_WORD = re.compile(r"nodular|densit|opacit|shadow", re.IGNORECASE)


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
    named = {_group(o) for o in parsed.observations if o.section == "IMPRESSION"} | _named_by_diagnosis(parsed)
    named_names = {o.name for o in parsed.observations if o.section == "IMPRESSION"}
    affirmed = {_group(o) for o in parsed.observations if o.section == "IMPRESSION" and o.polarity != "absent"}
    issues = []
    seen: set[str] = set()
    deferred: dict[str, int] = {}  # a group left out as info so far, at its issue's index
    for o in parsed.section_observations("FINDINGS"):
        group = _group(o)
        if group is None or group in seen or group in named or o.hypothetical or not (
                o.polarity == "present" or (o.polarity == "uncertain" and (
                    o.probable or (FINDINGS[o.name].significance == "critical" and not o.alternatives)))):
            # affirmed, or probable ("probably represents consolidation"); not merely possible, but for a critical
            # finding hedged on its own ("deep sulcus sign on the left": a possible pneumothorax a summary must name;
            # not one of a list of alternatives, "effusions or pneumothorax")
            continue
        if group == "pneumothorax" and named_names & {"Hydropneumothorax", "Hemopneumothorax"}:
            continue
        if group == "pleural effusion" and "pulmonary edema" in affirmed and _small_with_the_edema(o, parsed):
            continue  # "Pulmonary venous congestion with small bilateral effusions, new" and the impression's
            # "Pulmonary venous congestion, new; fluid overload likely": small effusions are the overload's
        if _read_as_cause_of_named(o, parsed, affirmed):
            continue  # "New collapse of the left lower lobe, likely mucus plugging." and the impression's "Left lower
            # lobe collapse.": what the finding it names is read as, not a finding of its own
        if o.name == "Atelectasis" and "pneumothorax" in named and _LUNG_COLLAPSE.search(o.term):
            continue  # "Large right pneumothorax with partial collapse of the right lung": the pneumothorax's
        if o.name == "Atelectasis" and "pleural effusion" in named and _BESIDE_EFFUSION.search(_clause(o)):
            continue  # "Moderate right effusion with partial collapse of the adjacent lung": the effusion's
        # (a consolidation is not summarised as a minor streak of atelectasis: "Minor right basal atelectasis."; nor
        # an opacity called the airspace's, "patchy airspace opacification in the right lower zone")
        airspace = o.name == "Consolidation" or (o.name == "Lung Opacity" and _AIRSPACE_WORD.search(_clause(o)))
        minor = _MINOR_ATELECTASIS if airspace else None
        if group == "airspace disease" and ((_named_at_side(parsed, o, "atelectasis", same_zone=True, unless=minor)
                                             and not (airspace and _atelectasis_apart(parsed, o))) or (
                _named_at_side(parsed, o, "pulmonary edema", affirmed=True)
                and (not _FOCAL_OR_LOBAR.search(_clause(o)) or _READ_AS_EDEMA.search(_clause(o)))
                # (a consolidation on one side is not the oedema's, unless its own sentence reads it so)
                and not (o.name in ("Consolidation", "Pneumonia") and o.side in ("left", "right")
                         and not _READ_AS_EDEMA.search(_clause(o))))):
            # the impression names the opacity otherwise ("consolidation ... likely atelectasis"), at its side; a
            # focal or lobar consolidation is not the oedema's
            continue
        if group == "airspace disease" and _INTERSTITIAL_WORD.search(_clause(o)) and _INTERSTITIAL_DISEASE.search(
                parsed.sections.get("IMPRESSION", "")):
            continue  # "increased reticular opacities" and the impression's "progression of interstitial lung disease"
        if group == "pleural effusion" and (named_names & {"Hydropneumothorax", "Hemopneumothorax"} or (
                "pneumothorax" in named and re.search(r"pneumothora", o.term, re.IGNORECASE))):
            continue  # one combined finding: the impression that names its air has named it
        if group == "widened mediastinum" and "cardiomegaly" in affirmed and re.search(r"cardi", o.term, re.I):
            continue  # "the cardiomediastinal silhouette is enlarged" and the impression names the heart
        if group == "widened mediastinum" and any(
                x.polarity != "absent" and _MEDIASTINAL_LESION.search(_clause(x))
                for x in parsed.section_observations("IMPRESSION")):
            continue  # "Widening of the superior mediastinum ..." and the impression's "Anterior mediastinal mass"
        if group == "paratracheal opacity" and affirmed & {"widened mediastinum", "hilar enlargement"}:
            continue  # "right paratracheal fullness" and the impression's "mediastinal widening, likely adenopathy"
        if group == "pulmonary edema" and "airspace disease" in affirmed and not _EDEMA_WORD.search(o.term):
            continue  # "vascular congestion ... airspace opacities" and the impression names the airspace disease
        if group == "nodule or mass" and o.name != "Mass" and (
                _DENSITY_WORD.search(o.term) or o.change not in ("new", "increased")) and _named_at_side(
                parsed, o, "airspace disease", affirmed=True, near_zone=True,
                same_side=not re.search(r"\bnodular\b", o.term, re.IGNORECASE)):
            # "a 2.5 cm nodular density" summarised as "right midlung airspace density"; a nodule only by an
            # airspace finding on its own side (not by "bilateral interstitial opacities")
            continue
        if group == "airspace disease" and o.name == "Lung Opacity" and "pleural effusion" in named \
                and _READ_AS_EFFUSION.search(_clause(o)):
            continue  # "Hazy increased density over the left hemithorax, in keeping with a layering effusion": the
            # effusion's, which the impression names
        if o.text.rstrip().endswith("?") or re.match(r"\W*(?:question|query|\?)", o.text, re.IGNORECASE):
            continue  # "Question edema or atypical infection?" asks, it does not affirm
        if not _must_be_summarised(o, group) or _historical(o) or _OTHER_STUDY.search(_clause(o)):
            continue
        if _explained_away(o, parsed, omission=True) or (group == "nodule or mass" and (
                (o.temporal == "chronic" and not _followed_lesion(o, parsed)) or _nodular_pattern(o, omission=True)
                or _BENIGN.search(_own_clause(o)))):
            continue
        if course and (o.change == "stable" or o.temporal == "chronic"):
            continue  # "No interval change." beside a finding the findings call unchanged: it speaks for it
        # "No interval change." may stand for an unchanged finding, but not for a critical one the findings do not
        # call unchanged (a pneumothorax is always restated)
        # (nor for one the findings call new or growing: "No change." cannot speak for it)
        defers = refers or (course and FINDINGS[o.name].significance != "critical"
                            and o.change not in ("new", "increased") and o.temporal != "new")
        if group in deferred and defers:
            continue
        issue = _omission(
            o, group, "info" if defers else "warning",
            "does not mention it" + (" (it refers to the findings or their course for the rest)." if defers else "."),
            parsed, impression, sentences[-1])
        if group in deferred:
            # a later mention of the group the impression cannot speak for ("..., new since the previous study"):
            # it, not the earlier one, is the group's omission
            issues[deferred.pop(group)] = issue
            seen.add(group)
            continue
        if defers:
            deferred[group] = len(issues)
        else:
            seen.add(group)
        issues.append(issue)
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
    imp_groups = {_group(o) for o in parsed.observations if o.section == "IMPRESSION" and o.polarity != "absent"} | (
        _named_by_diagnosis(parsed))
    if not (strong or _NORMAL_WEAK.search(statement)):
        # an impression that only rules things out: what it rules out is a negation conflict, not an omission
        imp_groups |= {_group(o) for o in parsed.observations if o.section == "IMPRESSION"}
    wanted = {"present", "uncertain"} if pure else {"present"}
    issues = []
    seen: set[str] = set()
    for o in parsed.section_observations("FINDINGS"):
        group = _group(o)
        # a fracture called new ("New fractures of the left 7th to 9th ribs") is significant too
        # (and interstitial lung disease called new or progressing: "Increased reticular shadowing in both lower zones")
        significant = group in _SIGNIFICANT_GROUPS or _lobar_collapse(o) or _new_fracture(o) or (
            group == "interstitial lung disease" and _new_or_growing(o))
        if o.polarity not in wanted or not significant or group in imp_groups or group in seen:
            continue
        if group == "airspace disease" and re.search(r"atelecta|scar", o.text, re.IGNORECASE) and any(
                x.section == "IMPRESSION" and x.polarity != "absent" and _group(x) in ("atelectasis", "scarring")
                for x in parsed.observations):
            continue  # "opacities compatible with atelectasis" and the impression names the atelectasis
        if group == "widened mediastinum" and _by_technique(o):
            continue  # "widened mediastinum ... accentuated by AP portable technique"
        if _explained_away(o, parsed, omission=True) and group != "nodule or mass":
            continue  # nodules have their own rules below
        if o.name == "Cardiomegaly" and o.polarity == "uncertain" and not _ENLARGED.search(o.term):
            continue  # "heart size at the upper limits of normal" is stated as normal
        if o.hypothetical or (group == "nodule or mass" and _BENIGN.search(_own_clause(o))) \
                or (group == "cardiomegaly" and _by_technique(o)):
            continue
        if group == "nodule or mass" and ((o.temporal == "chronic" and not _followed_lesion(o, parsed))
                                          or _nodular_pattern(o, omission=True)):
            # a stable nodule is benign, but a mass, or a measured nodule of 6 mm or more in a patient with cancer, is
            # followed and stays one to name (_followed_lesion); "nodular" describes a pattern, not a nodule
            continue
        if not pure and o.temporal == "chronic" and group not in ("pneumothorax", "free air"):
            # "no acute disease. Stable cardiomegaly." lists the chronic finding beside it; a pneumothorax, smaller
            # than before or not, is always restated
            continue
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
