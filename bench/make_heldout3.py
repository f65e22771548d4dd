"""Build a blind (v3) report-error set from real IU reports that the dev set does not use.

usage: python -m bench.make_heldout3 OUT.jsonl [--seed N] [--exclude SET.jsonl ...]   (seed 301 by default)

Same format and kinds as ``../shared/eval/report_errors_dev.jsonl`` (id, uid, injected, detail, and either
``findings``/``impression``/``indication``/``comparison`` or one free-text ``report``): 200 unmodified
reports and 40 per kind. Written from how radiologists write chest radiograph reports, without reference to
the checker's rules, so that its targets are judged on wording and layouts its rules never saw. Drawn at
random per case (the same for clean and injected cases, so the layout never gives the answer away):

- layout: structured fields, US blocks (EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE / FINDINGS /
  IMPRESSION), UK/Australian (Clinical details / Findings or Report / Conclusion, Comment, Opinion), MIMIC's
  leading-space layout; headers with a colon, a dash, a tab, alone on their line or underlined; bodies as a
  paragraph, one sentence a line, or bullets (``- ``, ``* ``, ``• ``); signature footers, CRLF line
  endings, extra blank lines; Open-i's ``XXXX`` rewritten as MIMIC's ``___`` de-identification mask.
- injected wording: normal impressions, significant findings, assertions and negations ("negative for",
  "free of", "has resolved", "there is no longer", "not identified", "no convincing"), side phrasings
  ("on the left", "at the right base", "R"/"L"), placeholder shapes ("***", "[insert]", "@@",
  "<measurement>", "TBD", "_ mm", "[right/left]").

Only the generator's own checks run here; the set is meant to be scored once, at the end.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
ARCHIVE = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV = SHARED / "eval" / "report_errors_dev.jsonl"
PER_KIND = 40
CLEAN = 200
DEFAULT_SEED = 301
KINDS = ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder", "missing_section")

Record = dict[str, str]
Injection = tuple[Record, str]


def load_reports(path: Path = ARCHIVE) -> list[dict]:
    """One dict per Open-i report (uid, findings, impression, indication, comparison, n_images), sorted by uid."""
    from etl import read_openi_reports

    out = [{"uid": r.uid, **r.sections, "n_images": len(r.image_ids)} for r in read_openi_reports(path)]
    out.sort(key=lambda r: r["uid"])
    return out


def used_uids(paths: list[Path]) -> set[str]:
    """The uids of the cases in other report-error sets (the dev set, earlier held-out sets)."""
    uids: set[str] = set()
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            uids.update(json.loads(line)["uid"] for line in fh if line.strip())
    return uids


# --- sentences and findings, as a reader of real reports sees them ----------------------------------

_SENT = re.compile(r"(?<=[.!?])\s+(?=\S)")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text.strip()) if s.strip()]


FAMILY = {
    "effusion": r"\beffusions?\b|\bpleural\s+fluid\b",
    "pneumothorax": r"\bpneumothora(?:x|ces)\b",
    "airspace": r"\bconsolidat\w*|\bair\s*space\s+(?:disease|opacit\w+|process|consolidation)|\binfiltrat\w*|"
                r"\bpneumonia\b",
    "edema": r"\bedema\b|\bvascular\s+congestion\b|\bpulmonary\s+congestion\b|\bheart\s+failure\b|\bCHF\b",
    "nodule": r"\bnodul\w*|\bmass(?:es)?\b",
    "mediastinum": r"\bmediastin\w*\s+(?:is\s+|appears\s+)?widen\w*|\bwiden\w*\s+(?:of\s+the\s+)?(?:superior\s+)?"
                   r"mediastin\w*",
    "heart": r"\bcardiomegaly\b|\b(?:heart|cardiac\s+silhouette|cardiac\s+size|heart\s+size)\s+(?:is\s+)?"
             r"(?:mildly\s+|moderately\s+|markedly\s+|again\s+)?enlarged\b|\benlarged\s+(?:heart|cardiac)\b|"
             r"\benlargement\s+of\s+the\s+cardiac",
}
# words that make a mention anything but a plain present-tense assertion
_NEGATION = re.compile(r"\b(?:no|not|without|negative|clear|cleared|free|resolved|resolution|resolving|absent|"
                       r"absence|removed|normal|unremarkable|exclu\w*|rule\s+out|r/o|evaluat\w*|assess\w*|limited|"
                       r"follow\w*|monitor\w*)\b", re.I)
_HEDGE_WORDS = (r"may|might|possibl\w*|probabl\w*|cannot|could|suggest\w*|question\w*|equivocal|concern\w*|"
                r"suspect\w*|likely|differential|borderline|top|upper\s+limits?|apparent\w*|accentuat\w*|"
                r"exaggerat\w*|magnif\w*|low\s+lung\s+volumes?|prominen\w*")
_HEDGE = re.compile(rf"\?|\b(?:{_HEDGE_WORDS}|versus|vs|or)\b", re.I)
# "or" lists what is absent in a negation ("no effusion or pneumothorax"); it hedges only an assertion
_HEDGE_IN_NEGATION = re.compile(rf"\?|\b(?:{_HEDGE_WORDS})\b", re.I)
_NOT_ACUTE = re.compile(r"\b(?:stable|unchanged|chronic\w*|old|healed|prior|previous\w*|again|improv\w*|decreas\w*|"
                        r"clearing|cleared|artifact\w*|"
                        r"residual|scar\w*|calcifi\w*|granulom\w*|postoperative|post-?surgical|history)\b", re.I)
_SMALL = re.compile(r"\b(?:trace|tiny|minimal|small|smaller|minor|mild|slight|subtle|blunting)\b", re.I)
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm)\b", re.I)


def mentions(sentence: str, family: str) -> bool:
    return bool(re.search(FAMILY[family], sentence, re.I))


def affirms(sentence: str, family: str) -> bool:
    """The sentence plainly states the finding is present (no negation, hedging or 'stable/old' wording)."""
    return mentions(sentence, family) and not _NEGATION.search(sentence) and not _HEDGE.search(sentence) \
        and "XXXX" not in sentence


def significant(sentence: str, family: str) -> bool:
    """A finding a radiologist would not leave out of the impression: any pneumothorax, consolidation or
    oedema; an effusion larger than small; a mass or a nodule of 6 mm or more; a widened mediastinum."""
    if not affirms(sentence, family) or _NOT_ACUTE.search(sentence) or family == "heart":
        return False
    if family == "effusion":
        return not _SMALL.search(sentence)
    if family == "airspace":
        return not re.search(r"\b(?:trace|tiny|minimal|subtle|slight|faint|questionable)\b", sentence, re.I)
    if family == "nodule":
        if re.search(r"\bmass\b", sentence, re.I):
            return True
        return any(float(n) * (10 if unit.lower() == "cm" else 1) >= 6 for n, unit in _SIZE.findall(sentence))
    return True


# plain negations of a finding in the findings (qualified ones, "no large effusion", leave room for one)
_NEGATES = {
    "effusion": r"\b(?:no|without|negative\s+for)\b[^.;]{0,50}\beffusions?\b|costophrenic\s+(?:angles|sulci)\s+are\s+"
                r"(?:sharp|clear)|\bno\s+pleural\s+fluid",
    "pneumothorax": r"\b(?:no|without|negative\s+for)\b[^.;]{0,50}\bpneumothora",
    "airspace": r"^(?:the\s+)?lungs\s+are\s+clear(?:\s+bilaterally)?\.?$|\b(?:no|without|negative\s+for)\b[^.;]{0,30}"
                r"\b(?:consolidation|air\s*space\s+(?:disease|opacit)|infiltrates?|pneumonia)\b",
    "edema": r"\b(?:no|without|negative\s+for)\b[^.;]{0,40}\b(?:edema|vascular\s+congestion)\b",
    "heart": r"^(?:the\s+)?(?:heart\s+size\s+is\s+normal|heart\s+is\s+normal\s+in\s+size|normal\s+heart\s+size|"
             r"heart\s+size\s+(?:is\s+)?within\s+normal\s+limits|cardiac\s+silhouette\s+is\s+(?:normal|within\s+"
             r"normal\s+limits))\.?$",
}
_QUALIFIED = re.compile(r"\b(?:large|significant|sizable|sizeable|substantial|moderate|gross|frank|other|additional|"
                        r"residual|new|acute|definite|convincing|obvious|recurrent|otherwise|loculated)\w*", re.I)


# what else speaks of the same thing: a sentence an injection replaces must not leave these behind
RELATED = {
    "effusion": FAMILY["effusion"] + r"|costophrenic|blunting|\bfluid\b",
    "pneumothorax": FAMILY["pneumothorax"] + r"|pleural\s+line",
    "airspace": FAMILY["airspace"] + r"|opacit|densit|atelecta|infect|lungs?\s+(?:are\s+|is\s+)?(?:\w+\s+)?clear",
    "edema": FAMILY["edema"] + r"|vascula|congest|interstitial|fluid\s+overload",
    "heart": FAMILY["heart"] + r"|\bheart\b|cardiac|cardio",
}


def related(sentence: str, family: str) -> bool:
    return bool(re.search(RELATED[family], sentence, re.I))


def negates(findings: str, family: str) -> bool:
    """FINDINGS rule the finding out plainly somewhere and mention it nowhere else."""
    hit = miss = False
    for s in sentences(findings):
        if re.search(_NEGATES[family], s, re.I) and not _QUALIFIED.search(s) and not _HEDGE_IN_NEGATION.search(s):
            hit = True
        elif mentions(s, family) or re.search(RELATED[family], s, re.I):
            miss = True
    return hit and not miss


# --- injected wording: none of it taken from the dev set, v1 or v2 ----------------------------------

NORMALS = [
    "No acute cardiopulmonary findings.", "No acute intrathoracic process.", "Normal radiograph of the chest.",
    "No evidence of active cardiopulmonary disease.", "No radiographic evidence of acute disease.",
    "Normal frontal and lateral views of the chest.", "No acute abnormality demonstrated.",
    "Essentially normal chest radiograph.", "Normal chest X-ray.", "No acute radiographic abnormality of the chest.",
    "No significant radiographic abnormality.", "NAD.", "No active intrathoracic disease.",
    "The chest is radiographically normal.", "No acute cardiopulmonary abnormality identified.",
]
STABLE_NORMALS = ["Stable chest.", "Stable appearance of the chest with no acute change.",
                  "No interval change. No acute process."]
# (family, sentence, says "new") - significant findings a radiologist puts in the impression
INSERTS = [
    ("effusion", "A moderate-to-large right pleural effusion is present with compressive atelectasis.", False),
    ("effusion", "There is a large left pleural effusion.", False),
    ("effusion", "Meniscus of fluid at the right base, consistent with a moderate effusion.", False),
    ("effusion", "New moderate left pleural effusion.", True),
    ("pneumothorax", "Visceral pleural line at the left apex with no lung markings beyond it, in keeping with a "
                     "pneumothorax.", False),
    ("pneumothorax", "There is a right pneumothorax measuring 2 cm at the apex.", False),
    ("pneumothorax", "New small left apical pneumothorax.", True),
    ("airspace", "Dense consolidation in the right lower lobe with air bronchograms.", False),
    ("airspace", "Lobar consolidation of the left upper lobe.", False),
    ("airspace", "New retrocardiac consolidation in the left lower lobe.", True),
    ("edema", "Bilateral perihilar airspace opacities with Kerley B lines, consistent with pulmonary edema.", False),
    ("edema", "Upper lobe vascular redistribution and interstitial edema.", False),
    ("edema", "New interstitial pulmonary edema.", True),
    ("nodule", "A new 1.5 cm nodule projects over the right upper lung zone.", True),
    ("nodule", "There is a 3 cm spiculated mass in the left upper lobe.", False),
    ("mediastinum", "The superior mediastinum is widened, measuring 9 cm.", False),
    ("mediastinum", "New widening of the mediastinum.", True),
]
# words that already speak of the place an insert would describe (it would then contradict them)
_INSERT_BLOCKERS = {
    "effusion": r"effusion|pleural|costophrenic|fluid",
    "pneumothorax": r"pneumothora|pleural\s+line",
    "airspace": r"consolidat|air\s*space|infiltrat|pneumonia|lungs?\s+(?:are\s+)?clear|opacit|atelecta",
    "edema": r"edema|vascula|congest|interstitial|kerley|heart\s+failure",
    "nodule": r"nodul|mass|granulom|neoplas|opacit",
    "mediastinum": r"mediastin",
}
ASSERTIONS = {  # an impression sentence that states the finding, for FINDINGS that rule it out
    "effusion": ["Right pleural effusion of moderate size.", "Large left pleural effusion with adjacent compressive "
                 "atelectasis.", "Bilateral pleural effusions, right larger than left.",
                 "Moderate pleural fluid on the left, tracking into the major fissure."],
    "pneumothorax": ["Moderate left pneumothorax.", "Large right pneumothorax with partial collapse of the right "
                     "lung.", "Small apical pneumothorax on the right, 1 cm in depth."],
    "airspace": ["Right middle lobe consolidation in keeping with pneumonia.", "Airspace consolidation in the "
                 "lingula.", "Dense consolidation at the right base with air bronchograms.",
                 "Multilobar pneumonia involving the right upper and right lower lobes."],
    "edema": ["Interstitial pulmonary edema with septal lines.", "Alveolar pulmonary oedema.",
              "Congestive heart failure with interstitial edema."],
    "heart": ["Cardiomegaly, with a cardiothoracic ratio of about 0.6.", "The cardiac silhouette is moderately "
              "enlarged.", "Marked enlargement of the heart."],
}
DENIALS = {  # a sentence that rules the finding out, for a section whose other side affirms it
    "effusion": ["Negative for pleural effusion.", "Pleural spaces are free of fluid.", "The pleural effusion has "
                 "resolved.", "There is no longer a pleural effusion.", "Pleural effusion not identified."],
    "pneumothorax": ["Negative for pneumothorax.", "The pneumothorax has resolved.", "There is no longer any "
                     "pneumothorax.", "Pneumothorax not identified.", "Absence of pneumothorax is confirmed."],
    "airspace": ["The lungs are free of consolidation.", "Both lungs are clear.", "Negative for airspace disease or "
                 "consolidation.", "The consolidation has resolved.", "No convincing airspace opacity."],
    "edema": ["Without evidence of pulmonary edema.", "Negative for pulmonary edema.", "The pulmonary edema has "
              "resolved.", "There is no longer any pulmonary edema.", "No convincing interstitial edema."],
    "heart": ["Heart size is unremarkable.", "Normal cardiothoracic ratio.", "Cardiac silhouette unremarkable.",
              "Negative for cardiomegaly."],
}
_NORMAL_SENTENCE = re.compile(r"\b(?:no\s+(?:acute|active|evidence\s+of\s+(?:acute|active))|normal\s+chest|"
                              r"negative\s+(?:chest|study|exam))", re.I)


def _join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def inject_omission(rec: Record, rng: random.Random, mode: str = "real") -> Injection | None:
    """IMPRESSION replaced by a normal statement while FINDINGS state a significant finding: ``mode`` "real",
    one the report's own impression named too (so its radiologist thought it worth saying); "insert", one
    added to FINDINGS in place of a sentence that ruled out only that finding, if there was one."""
    fs = sentences(rec["findings"])
    new = dict(rec)
    if mode == "real":
        real = [(s, fam) for s in fs for fam in FAMILY if significant(s, fam)
                and any(mentions(i, fam) and not _NEGATION.search(i) for i in sentences(rec["impression"]))]
        if not real:
            return None
        s, fam = rng.choice(real)
        normal = rng.choice(NORMALS)
        new["impression"] = normal
        return new, f"findings state {fam} ({s!r}); impression -> {normal!r}"
    if re.search(r"\b(?:FINDINGS|IMPRESSION)\b", rec["impression"]) or not fs:
        return None
    options = []
    for ins in INSERTS:
        blocker = _INSERT_BLOCKERS[ins[0]]
        if any(re.search(blocker, x, re.I) for x in sentences(rec["impression"])):
            continue
        blocked = [k for k, x in enumerate(fs) if re.search(blocker, x, re.I)]
        # a sentence that rules out this finding alone ("There is no pneumothorax.") makes way for it
        if all(re.match(r"^(?:there\s+is\s+)?no\b", fs[k], re.I) and not re.search(r",|\b(?:or|and|nor)\b", fs[k])
               for k in blocked):
            options.append((ins, blocked))
    if not options:
        return None
    (fam, add, is_new), blocked = rng.choice(options)
    compared = not re.match(r"^\s*(?:none|n/a|no\s+prior)", rec.get("comparison", "") or "none", re.I)
    normal = rng.choice(STABLE_NORMALS if is_new and compared and rng.random() < 0.5 else NORMALS)
    at = blocked[0] if blocked else rng.randrange(len(fs) + 1)
    fs = [x for k, x in enumerate(fs) if k not in blocked]
    fs.insert(min(at, len(fs)), add)
    new["findings"] = _join(fs)
    new["impression"] = normal
    gone = f" in place of {[sentences(rec['findings'])[k] for k in blocked]!r}" if blocked else ""
    return new, f"findings += {add!r} ({fam}){gone}; impression -> {normal!r}"


def _plainly_stated(sentence: str, family: str) -> bool:
    return affirms(sentence, family) and not _NOT_ACUTE.search(sentence) and not re.search(
        r"\b(?:trace|tiny|minimal|subtle|slight|faint|questionable|borderline)\b", sentence, re.I)


def inject_negation(rec: Record, rng: random.Random, only: str = "") -> Injection | None:
    """One section states a finding that the other rules out, in wording the dev set does not use: IMPRESSION
    asserts what FINDINGS rule out, IMPRESSION denies what FINDINGS state, or FINDINGS deny what IMPRESSION
    states (``only``: that one of the three)."""
    fs, ims = sentences(rec["findings"]), sentences(rec["impression"])
    modes: list[tuple[str, str]] = []
    for fam in ASSERTIONS:
        if negates(rec["findings"], fam) and not any(affirms(s, fam) for s in ims):
            modes.append(("assert_in_impression", fam))
        # a denial goes where both sections stated the finding (the report agreed with itself before)
        stated = [_plainly_stated(s, fam) for s in fs], [_plainly_stated(s, fam) for s in ims]
        if any(stated[0]) and any(stated[1]) and not any(related(s, fam) and not affirms(s, fam) for s in ims):
            modes.append(("deny_in_impression", fam))
        if any(stated[0]) and any(stated[1]) and not any(related(s, fam) and not affirms(s, fam) for s in fs):
            modes.append(("deny_in_findings", fam))
    modes = [(m, f) for m, f in modes if (not only or m == only) and (f != "edema" or m == "assert_in_impression"
             or re.search(r"\bedema\b|\bCHF\b|heart\s+failure", rec["findings"] + " " + rec["impression"], re.I))]
    if only and modes and all(f == "heart" for _, f in modes) and rng.random() < 0.5:
        return None  # enlarged hearts are the commonest stated finding: keep them from filling the kind
    if not modes:
        return None
    mode = rng.choice(sorted({m for m, _ in modes}))
    fam = rng.choice([f for m, f in modes if m == mode])
    new = dict(rec)
    if mode == "assert_in_impression":
        add = rng.choice(ASSERTIONS[fam])
        # the old impression stays, less what spoke of this finding or called the study normal
        kept = [s for s in ims if not related(s, fam) and not _NORMAL_SENTENCE.search(s)]
        new["impression"] = _join([add, *kept])
        return new, f"findings rule out {fam}; impression asserts {add!r}"
    denial = rng.choice(DENIALS[fam])
    if mode == "deny_in_impression":
        kept = [s for s in ims if not related(s, fam)]
        at = next((k for k, s in enumerate(ims) if related(s, fam)), 0)
        kept.insert(min(at, len(kept)), denial)
        new["impression"] = _join(kept)
        shown = next(s for s in fs if _plainly_stated(s, fam))
        return new, f"findings affirm {fam} ({shown!r}); impression says {denial!r}"
    first = next(k for k, s in enumerate(fs) if related(s, fam))
    kept = [s for s in fs if not related(s, fam)]
    kept.insert(min(first, len(kept)), denial)
    new["findings"] = _join(kept)
    shown = next(s for s in ims if _plainly_stated(s, fam))
    return new, f"impression affirms {fam} ({shown!r}); findings say {denial!r}"


# finding kinds a side flip must share between the two sentences
_LAT_FAMILIES = {
    "effusion": r"\beffusions?\b|\bpleural\s+fluid\b|\bcostophrenic\b",
    "pneumothorax": r"\bpneumothora\w+",
    "airspace": r"\bopacit\w+|\batelecta\w+|\bpneumonia\b|\binfiltrat\w*|\bconsolidat\w*|\bair\s*space\b|"
                r"\bscarring\b|\bdensity\b|\bcollapse\b",
    "nodule": r"\bnodul\w+|\bmass\b|\bgranulom\w+|\blesion\b",
    "fracture": r"\bfractur\w+",
}
_SIDE = re.compile(r"\b(left|right)\b", re.I)
_ZONES = {
    "lower": r"lower\s+(?:lobe|lung|zone)|\bbase|basilar|basal|costophrenic|retrocardiac|hemidiaphragm",
    "upper": r"upper\s+(?:lobe|lung|zone)|\bapex|apical|apices",
    "mid": r"\bmid|middle|perihilar|hilar|hilum",
}


def _zones(sentence: str) -> set[str]:
    return {zone for zone, pattern in _ZONES.items() if re.search(pattern, sentence, re.I)}
_BOTH = re.compile(r"\b(?:bilateral\w*|both|bibasil\w*|bibasal|biapical|bilobar|greater|more|than)\b", re.I)


def _swap_side(word: str) -> str:
    other = "left" if word.lower() == "right" else "right"
    return other.upper() if word.isupper() else other.capitalize() if word[0].isupper() else other


def flip_sentence(sentence: str, rng: random.Random) -> str:
    """Every left/right in the sentence swapped; the first sometimes in another real phrasing: "L"/"R" before
    a noun, "... on the left" after a short finding, "at the left base" for a lower lobe."""
    style = rng.random()
    flipped = _SIDE.sub(lambda m: _swap_side(m.group(1)), sentence)
    m = re.match(r"^(?P<pre>(?:(?:small|moderate|large|tiny|mild|minimal|trace)\s+)?)(?P<side>left|right)\s+"
                 r"(?P<noun>(?:pleural\s+)?effusion|pneumothorax|(?:basilar|basal|apical)\s+\w+)(?P<rest>[.,].*)?$",
                 flipped, re.I)
    if m and style < 0.45:  # "Small right pleural effusion." -> "Small pleural effusion on the left."
        pre = m.group("pre")
        noun = m.group("noun") if pre else m.group("noun").capitalize()
        return f"{pre}{noun} on the {m.group('side').lower()}{m.group('rest') or '.'}"
    lobe = re.search(r"\b(left|right)\s+lower\s+lobe\b", flipped, re.I)
    if lobe and style < 0.7:
        side = lobe.group(1).lower()
        before = flipped[:lobe.start()].rstrip()
        if re.search(r"\b(?:in|within)\s+the$", before, re.I):  # "opacity in the left lower lobe"
            head = re.sub(r"\s*\b(?:in|within)\s+the$", "", before, flags=re.I)
            return f"{head} at the {side} base{flipped[lobe.end():]}"
    one = re.search(r"\b(left|right)\s+(?=(?:pleural|effusion|lower|upper|middle|lung|base|basilar|basal|apex|"
                    r"apical|hemithorax|pneumothorax|hilum|hilar)\b)", flipped, re.I)
    if one and style >= 0.7:  # UK/Australian shorthand: "R basal consolidation", "L pleural effusion"
        return flipped[:one.start()] + one.group(1)[0].upper() + " " + flipped[one.end():]
    return flipped


def inject_laterality(rec: Record, rng: random.Random) -> Injection | None:
    """A left/right swapped in one sentence about a finding the other section places on the original side."""
    if re.search(r"\b(?:FINDINGS|IMPRESSION)\b", rec["impression"]):
        return None
    fs, ims = sentences(rec["findings"]), sentences(rec["impression"])
    pairs = []
    for i, f in enumerate(fs):
        for j, s in enumerate(ims):
            fsides = {w.lower() for w in _SIDE.findall(f)}
            if len(fsides) != 1 or fsides != {w.lower() for w in _SIDE.findall(s)} or _BOTH.search(f + " " + s):
                continue
            fams = [p for p in _LAT_FAMILIES.values() if re.search(p, f, re.I) and re.search(p, s, re.I)]
            # a swapped middle lobe or lingula names no real place: too easy, and not how such errors read
            if not fams or fs.count(f) > 1 or ims.count(s) > 1 or re.search(r"middle\s+lobe|lingul", f + s, re.I) \
                    or re.search(r"artifact|superimpos|nipple", f + s, re.I):  # not a finding: nothing to conflict
                continue
            if _zones(f) and _zones(s) and not _zones(f) & _zones(s):
                continue  # "right base" beside "right upper lobe": two findings, not one placed twice
            side = fsides.pop()
            if any(k != i and re.search(rf"\b{side}\b", x, re.I) and any(re.search(p, x, re.I) for p in fams)
                   for k, x in enumerate(fs)) or any(
                    k != j and re.search(rf"\b{side}\b", x, re.I) and any(re.search(p, x, re.I) for p in fams)
                    for k, x in enumerate(ims)):
                continue  # another sentence places it there too, and would still agree after the swap
            opposite = "right" if side == "left" else "left"
            if any(re.search(rf"\b{opposite}\b", x, re.I) and any(re.search(p, x, re.I) for p in fams)
                   for x in fs + ims):
                continue  # the other side holds the same kind of finding: a swap would not conflict
            pairs.append((i, j))
    if not pairs:
        return None
    i, j = rng.choice(pairs)
    new = dict(rec)
    if rng.random() < 0.5:
        old, fs[i] = fs[i], flip_sentence(fs[i], rng)
        new["findings"], where, now = _join(fs), "findings", fs[i]
    else:
        old, ims[j] = ims[j], flip_sentence(ims[j], rng)
        new["impression"], where, now = _join(ims), "impression", ims[j]
    return new, f"{where}: {old!r} -> {now!r}"


_BOTH_SIDES = [  # (a both-sided phrase, its one-sided form with {side})
    (re.compile(r"\bbilateral\s+(pleural\s+)?effusions\b", re.I), r"{side} \1effusion"),
    (re.compile(r"\bbibasilar\b", re.I), "{side} basilar"),
    (re.compile(r"\bbilateral\s+(lower\s+lobe|basilar|basal)\b", re.I), r"{side} \1"),
]


def inject_one_sided(rec: Record, rng: random.Random) -> Injection | None:
    """A finding FINDINGS place on both sides made one-sided in IMPRESSION ("bibasilar" -> "left basilar"):
    the impression now places it on one side only."""
    fs, ims = sentences(rec["findings"]), sentences(rec["impression"])
    options = []
    for j, s in enumerate(ims):
        if _SIDE.search(s) or ims.count(s) > 1:
            continue
        for pattern, one_sided in _BOTH_SIDES:
            if not pattern.search(s):
                continue
            fams = [p for p in _LAT_FAMILIES.values() if re.search(p, s, re.I)]
            if any(pattern.search(f) and any(re.search(p, f, re.I) for p in fams) for f in fs):
                options.append((j, pattern, one_sided))
    if not options:
        return None
    j, pattern, one_sided = rng.choice(options)
    side = rng.choice(["right", "left"])
    old = ims[j]
    ims[j] = pattern.sub(lambda m: m.expand(one_sided.format(side=side)), old, count=1)
    if ims[j][0].islower():
        ims[j] = ims[j][0].upper() + ims[j][1:]
    new = dict(rec)
    new["impression"] = _join(ims)
    return new, f"impression: {old!r} -> {ims[j]!r} (findings: both sides)"


_UNIT_SLOTS = ["_", "***", "@@", "TBD"]
_SIDE_SLOTS = ["[right/left]", "[left/right]", "<side>", "***"]
_GRADE_SLOTS = ["***", "[insert]", "[mild/moderate/severe]", "<size>", "@@", "TBD"]
_WORD_SLOTS = ["***", "***", "[insert]", "@@"]
_FUNCTION_WORDS = {"with", "without", "within", "there", "that", "this", "these", "from", "have", "been", "which",
                   "were", "also", "than", "into", "over", "upon", "both", "when", "where"}
_GRADES = {"small", "moderate", "large", "mild", "minimal", "marked", "severe", "trace", "tiny", "mildly",
           "moderately", "markedly"}


def inject_placeholder(rec: Record, rng: random.Random, shape: str = "") -> Injection | None:
    """One word left as an unfilled dictation/template field, in the shape its word would have had
    (``shape``: only a measurement's number, "measure", or only a side, "side")."""
    keys = ["findings", "impression"] if rng.random() < 0.6 else ["impression", "findings"]
    for key in keys:
        words = rec[key].split(" ")
        typed: list[tuple[int, str, list[str]]] = []
        plain: list[int] = []
        for k, w in enumerate(words):
            bare = w.strip(".,;:()").lower()
            nxt = words[k + 1].strip(".,;:").lower() if k + 1 < len(words) else ""
            if "XXXX" in w or not bare:
                continue
            if re.fullmatch(r"\d+(?:\.\d+)?", bare) and nxt in ("mm", "cm"):
                typed.append((k, "measure", _UNIT_SLOTS + ["<measurement>"]))
            elif bare in ("left", "right"):
                typed.append((k, "side", _SIDE_SLOTS))
            elif bare in _GRADES:
                typed.append((k, "grade", _GRADE_SLOTS))
            elif bare.isalpha() and len(bare) >= 4 and bare not in _FUNCTION_WORDS:
                plain.append(k)
        if shape:
            typed = [t for t in typed if t[1] == shape]
            if not typed:
                continue
        if typed and (shape or rng.random() < 0.7):
            k, _, slots = rng.choice(typed)
        elif plain:
            k, slots = rng.choice(plain), _WORD_SLOTS
        else:
            continue
        token = rng.choice(slots)
        old = words[k]
        lead = re.match(r"^[(]*", old).group(0)
        trail = re.search(r"[.,;:)]*$", old).group(0)
        if token == "<measurement>" and k + 1 < len(words):  # the field stands for number and unit together
            trail = re.search(r"[.,;:)]*$", words[k + 1]).group(0)
            del words[k + 1]
        words[k] = lead + token + trail
        new = dict(rec)
        new[key] = " ".join(words)
        return new, f"{key}: word {k} {old!r} -> {token!r}"
    return None


# --- layouts -------------------------------------------------------------------------------------

_NAMES = {
    "us": {"indication": ["CLINICAL HISTORY", "HISTORY", "REASON FOR EXAM", "INDICATION", "Clinical indication"],
           "comparison": ["COMPARISON", "Comparison"], "technique": ["TECHNIQUE", "Technique"],
           "findings": ["FINDINGS", "FINDINGS", "Findings", "RESULT"],
           "impression": ["IMPRESSION", "IMPRESSION", "Impression", "IMPRESSIONS", "SUMMARY", "Summary"]},
    "uk": {"indication": ["Clinical details", "Clinical information", "CLINICAL NOTES", "History"],
           "comparison": ["Comparison", "Previous imaging"], "technique": ["Technique"],
           "findings": ["Findings", "FINDINGS", "Report", "Observations"],
           "impression": ["Conclusion", "CONCLUSION", "Comment", "COMMENT", "Opinion"]},
}
_EXAMS = ["EXAM: XR CHEST PA AND LATERAL", "EXAMINATION: Chest radiograph, 2 views", "CHEST X-RAY PA/LATERAL",
          "XR CHEST 2V"]
_EXAMS_ONE = ["EXAM: XR CHEST 1 VIEW", "EXAMINATION: Chest radiograph, single frontal view", "CHEST X-RAY AP"]
_TECHNIQUES = ["PA and lateral views of the chest.", "Frontal and lateral radiographs of the chest were obtained.",
               "Two views of the chest."]
_TECHNIQUES_ONE = ["Single frontal view of the chest.", "Single AP portable view of the chest."]
_SIGNATURES = ["Electronically signed by: ___, MD on ___ at ___", "Dictated by: XXXX XXXX, M.D.",
               "I have personally reviewed the images and agree with the above report.",
               "Reported by Dr ___, Consultant Radiologist", "Signed: ___ MD   Date: ___"]
# header styles: (format for a header, whether the body starts on its own line)
_STYLES: dict[str, tuple[Callable[[str], str], bool]] = {
    "colon": (lambda n: f"{n}: ", False),
    "dash": (lambda n: f"{n.upper()} - ", False),
    "tab": (lambda n: f"{n.upper()}\t", False),
    "own_line_colon": (lambda n: f"{n}:\n", True),
    "own_line": (lambda n: f"{n.upper()}\n", True),
    "underlined": (lambda n: f"{n.upper()}\n{'-' * len(n)}\n", True),
}
_NUMBERED = re.compile(r"(?:^|\s)\d[.)]\s")


def body_text(text: str, shape: str, bullet: str) -> str:
    """A section's text as a paragraph (verbatim), one sentence a line, or bullets."""
    if shape == "paragraph" or _NUMBERED.search(text) or len(sentences(text)) < 2:
        return text
    lines: list[str] = []
    for s in sentences(text):
        if lines and not re.search(r"\w", s):  # Open-i's stray ". ." ends the sentence before it
            lines[-1] += " " + s
        else:
            lines.append(s)
    prefix = bullet if shape == "bullets" else ""
    return "\n".join(prefix + s for s in lines)


def _mask(text: str) -> str:
    """Open-i's de-identification mask written as MIMIC's."""
    return text.replace("XXXX", "___")


def render(rec: dict, rng: random.Random, *, missing: str | None = None, mode: str = "") -> tuple[dict, str]:
    """The case's text fields in a layout drawn at random, and a short name of that layout.

    ``missing``/``mode``: the section emptied for a missing_section case ("drop": header and all; "empty":
    the header with nothing, or only whitespace or a signature, under it)."""
    fields = {k: rec.get(k) or "" for k in ("indication", "comparison", "findings", "impression")}
    if missing:
        fields[missing] = ""
    masked = rng.random() < 0.25
    layout = rng.choices(["structured", "us", "uk", "mimic"], weights=[25, 40, 20, 15])[0]
    if layout == "mimic":
        masked = True
    if masked:
        fields = {k: _mask(v) for k, v in fields.items()}
    one_view = rec.get("n_images", 2) == 1
    if layout == "structured":
        case = {k: v for k, v in fields.items() if not (k == missing and mode == "drop")}
        if missing and mode == "empty":
            case[missing] = rng.choice(["", " ", "\n"])
        if rng.random() < 0.3:
            case["technique"] = rng.choice(_TECHNIQUES_ONE if one_view else _TECHNIQUES)
        shape = rng.choice(["paragraph", "paragraph", "lines"])
        for key in ("findings", "impression"):
            if case.get(key, "").strip():
                case[key] = body_text(case[key], shape, "")
        return case, f"structured{'/masked' if masked else ''}/{shape}"

    if layout == "mimic":
        return _render_mimic(fields, rng, missing, mode, one_view), "mimic"
    names = {k: rng.choice(v) for k, v in _NAMES[layout].items()}
    style = rng.choice(list(_STYLES))
    header, own_line = _STYLES[style]
    shape = rng.choice(["paragraph", "lines", "bullets"] if own_line else ["paragraph"])
    bullet = rng.choice(["- ", "* ", "• "])
    gap = "\n\n\n" if rng.random() < 0.2 else "\n\n"
    parts: list[str] = []
    if layout == "us" and rng.random() < 0.5:
        parts.append(rng.choice(_EXAMS_ONE if one_view else _EXAMS))
    for key in ("indication", "comparison", "technique", "findings", "impression"):
        if key == "technique":
            if layout == "us" and rng.random() < 0.5:
                parts.append(header(names[key]) + rng.choice(_TECHNIQUES_ONE if one_view else _TECHNIQUES))
            continue
        body = fields[key]
        if key == missing:
            if mode == "drop":
                continue
            parts.append(header(names[key]).rstrip(" \t") + rng.choice(["", " ", "\n"]))
            continue
        if not body.strip():
            continue
        if key in ("findings", "impression"):
            body = body_text(body, shape, bullet)
        parts.append(header(names[key]) + body)
    signed = rng.random() < 0.2
    if signed:
        signature = rng.choice(_SIGNATURES)
        parts.append(_mask(signature) if masked else signature)
    text = gap.join(parts)
    crlf = rng.random() < 0.2
    if crlf:
        text = text.replace("\n", "\r\n")
    tags = [layout, style, shape, *(["masked"] if masked else []), *(["signed"] if signed else []),
            *(["crlf"] if crlf else [])]
    return {"report": text}, "/".join(tags)


def _render_mimic(fields: dict, rng: random.Random, missing: str | None, mode: str, one_view: bool) -> dict:
    """MIMIC-CXR's own layout: a centred FINAL REPORT, lines led by a space, blank lines holding one space."""
    exam = "CHEST (PORTABLE AP)" if one_view else "CHEST (PA AND LAT)"
    technique = "Single frontal view of the chest" if one_view else "Chest PA and lateral"
    indication = fields["indication"] or "___"
    if rng.random() < 0.5:
        indication += rng.choice(["  // ?acute process", "  // eval for acute cardiopulmonary process",
                                  "  // ?pna"])
    lines = [" " * 33 + "FINAL REPORT", f" EXAMINATION:  {exam}", " ", f" INDICATION:  {indication}", " ",
             f" TECHNIQUE:  {technique}", " ", f" COMPARISON:  {fields['comparison'] or '___'}", " "]
    for key in ("findings", "impression"):
        if key == missing and mode == "drop":
            continue
        lines += [f" {key.upper()}: ", " "]
        if key != missing:
            lines += [f" {s}" for s in fields[key].split("\n")] + [" "]
    return {"report": "\n".join(lines).rstrip() + "\n"}


# --- the set --------------------------------------------------------------------------------------

def build(seed: int = DEFAULT_SEED, reports: list[dict] | None = None, exclude: set[str] | None = None) -> list[dict]:
    """The cases for ``seed``: 200 clean and 40 per kind, shuffled; the same list for the same seed."""
    rng = random.Random(seed)
    exclude = used_uids([DEV]) if exclude is None and DEV.exists() else (exclude or set())
    pool = [r for r in (reports if reports is not None else load_reports())
            if r["uid"] not in exclude and r.get("findings", "").strip() and r.get("impression", "").strip()
            and not r["impression"].startswith("XXXX")]
    rng.shuffle(pool)
    used: set[str] = set()
    cases: list[dict] = []

    def emit(rec: dict, kind: str | None, detail: str, missing: str | None = None, mode: str = "") -> None:
        used.add(rec["uid"])
        body, layout = render(rec, rng, missing=missing, mode=mode)
        cases.append({"id": f"{kind or 'clean'}-{rec['uid']}", "injected": kind, "detail": detail,
                      "uid": rec["uid"], "layout": layout, **body})

    passes: list[tuple[str, Callable[[Record, random.Random], Injection | None], int]] = [
        ("laterality_conflict", inject_one_sided, PER_KIND // 8),
        ("laterality_conflict", inject_laterality, PER_KIND),
        # reports that state a finding are rarer than ones that rule it out: the denials are drawn first
        ("negation_conflict", lambda r, g: inject_negation(r, g, "deny_in_impression"), PER_KIND // 3),
        ("negation_conflict", lambda r, g: inject_negation(r, g, "deny_in_findings"), 2 * PER_KIND // 3),
        ("negation_conflict", inject_negation, PER_KIND),
        # findings the reports really hold come first: they are rarer than room for an added one
        ("impression_omits_finding", lambda r, g: inject_omission(r, g, "real"), PER_KIND // 2),
        ("impression_omits_finding", lambda r, g: inject_omission(r, g, "insert"), PER_KIND),
        # measurements and sides are where templates leave fields; reports with them are the rarer ones
        ("placeholder", lambda r, g: inject_placeholder(r, g, "measure"), PER_KIND // 4),
        ("placeholder", lambda r, g: inject_placeholder(r, g, "side"), PER_KIND // 2),
        ("placeholder", inject_placeholder, PER_KIND),
    ]
    done: dict[str, int] = {}
    for kind, inject, upto in passes:
        n = done.get(kind, 0)
        for rec in pool:
            if n >= upto:
                break
            if rec["uid"] in used:
                continue
            got = inject(rec, rng)
            if got is None:
                continue
            new, detail = got
            emit({**new, "n_images": rec["n_images"]}, kind, detail)
            n += 1
        done[kind] = n
    n = 0
    for rec in pool:
        if n >= PER_KIND:
            break
        if rec["uid"] in used:
            continue
        missing = "impression" if rng.random() < 0.5 else "findings"
        mode = rng.choice(["drop", "empty"])
        emit(rec, "missing_section", f"{missing} {'removed' if mode == 'drop' else 'left empty under its header'}",
             missing, mode)
        n += 1
    n = 0
    for rec in pool:
        if n >= CLEAN:
            break
        if rec["uid"] in used:
            continue
        emit(rec, None, "")
        n += 1
    rng.shuffle(cases)
    return cases


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.make_heldout3", description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="where to write the JSONL set")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--exclude", type=Path, action="append", default=[],
                    help="another report-error set whose reports are not to be used (the dev set always is)")
    args = ap.parse_args(argv)
    if not ARCHIVE.exists():
        print(f"not found: {ARCHIVE} (the shared data folder is needed)", file=sys.stderr)
        return 2
    missing = [p for p in args.exclude if not p.exists()]
    if missing:
        print(f"not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    cases = build(args.seed, exclude=used_uids([p for p in [DEV, *args.exclude] if p.exists()]))
    with args.out.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case) + "\n")
    counts: dict[str, int] = {}
    for case in cases:
        counts[case["injected"] or "clean"] = counts.get(case["injected"] or "clean", 0) + 1
    print(f"wrote {len(cases)} cases to {args.out}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
