"""Blind held-out set 6 for the report checker: real IU reports, re-laid out, some with one injected error.

    python -m bench.make_heldout6 OUT.jsonl --seed S [--show N]

Writes 400 cases in the dev set's format (``../shared/eval/report_errors_dev.jsonl``): 200 unmodified
reports (``injected`` null) and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder, as defined in ``../shared/eval/README.md``. The reports come
from ``../shared/data/iu_reports/NLMCXR_reports.tgz`` (dev-set uids excluded) and are re-laid out in
styles from several reporting cultures (US academic and community, teleradiology, UK, Australia/NZ,
Canada, India, Singapore, South Africa, ICU portable films, speech-recognition dictation), clean and
injected alike, so the layout does not tell the kind. Written without looking at the checker.

``--show N`` prints the counts per kind and N random cases of each kind (it never runs the checker).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[1] / ".." / "shared"))
if not SHARED.exists():
    SHARED = Path("/work/shared")
REPORTS_TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV_SET = SHARED / "eval" / "report_errors_dev.jsonl"

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
PER_KIND = 40
N_CLEAN = 200


# ---------------------------------------------------------------- source reports


@dataclass(frozen=True)
class Report:
    uid: str
    indication: str
    comparison: str
    findings: list[str]
    impression: list[str]
    normal: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def split_sentences(text: str) -> list[str]:
    """Sentences of an IU section, with list numbers ("1.", "2)") dropped and doubled dots folded."""
    text = re.sub(r"\.(?:\s*\.)+", ".", " ".join(text.split()))
    text = re.sub(r"(^|\S)\s*\(?\b\d{1,2}[.)](?:\s+(?=[A-Z]|\d+(?:\.\d+)?\s?(?:mm|cm)\b)|(?=[A-Z][a-z]))",
                  list_number_to_break, text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(]|\d+(?:\.\d+)?\s?(?:mm|cm)\b)", text)
    out = []
    for part in parts:
        part = re.sub(r"^\(?\d{1,2}[.)](?:\s+|(?=[A-Za-z]))", "", part.strip())
        if re.fullmatch(r"[\W\d]*", part):
            continue
        if not part.endswith((".", "!", "?")):
            part += "."
        out.append(part[0].upper() + part[1:])
    return out


def list_number_to_break(m: re.Match[str]) -> str:
    """A list number becomes a sentence break ("Cardiomegaly 2. Opacity" -> "Cardiomegaly. Opacity")."""
    before = m.group(1)
    if not before:
        return ""
    if re.match(r"[.;:]", before):
        return before + " "
    return before + ". "


def load_reports() -> list[Report]:
    out = []
    with tarfile.open(REPORTS_TGZ) as tar:
        for member in tar:
            if not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            root = ET.fromstring(handle.read())
            uid_el = root.find(".//uId")
            if uid_el is None:
                continue
            sections = {el.get("Label", ""): (el.text or "").strip() for el in root.iter("AbstractText")}
            majors = [(el.text or "").lower() for el in root.iter("major")]
            out.append(Report(
                uid=uid_el.get("id", ""),
                indication=sections.get("INDICATION", ""),
                comparison=sections.get("COMPARISON", ""),
                findings=split_sentences(sections.get("FINDINGS", "")),
                impression=split_sentences(sections.get("IMPRESSION", "")),
                normal=majors == ["normal"],
            ))
    out.sort(key=lambda r: int(re.sub(r"\D", "", r.uid) or 0))
    return out


def dev_uids() -> set[str]:
    if not DEV_SET.exists():
        return set()
    return {json.loads(line)["uid"] for line in DEV_SET.open() if line.strip()}


# ---------------------------------------------------------------- finding vocabulary

CATEGORY_TERMS: dict[str, str] = {
    "effusion": r"effusions?|pleural fluid",
    "pneumothorax": r"pneumothora(?:x|ces)",
    "consolidation": r"consolidat\w*|air ?space (?:disease|opacit\w+|process|consolidation)|infiltrat\w*|pneumonia",
    "edema": r"o?edema|vascular congestion|congestive heart failure|\bchf\b",
    "cardiomegaly": r"cardiomegaly|(?:heart|cardiac silhouette|cardiac shadow|heart size) (?:is |appears )?"
                    r"(?:again |now )?(?:mildly |moderately |markedly |slightly |significantly )?enlarged"
                    r"|enlarged (?:heart|cardiac)",
    "mass": r"mass(?:es)?\b|nodules?\b|nodular opacit\w+",
    "atelectasis": r"atelecta\w*",
    "opacity": r"opacit(?:y|ies)|densit(?:y|ies)",
    "fracture": r"fractures?",
}
# Categories that count as the same finding when a side is compared across sections.
LATERAL_GROUPS: dict[str, str] = {
    "effusion": CATEGORY_TERMS["effusion"],
    "pneumothorax": CATEGORY_TERMS["pneumothorax"],
    "lung opacity": "|".join([CATEGORY_TERMS["consolidation"], CATEGORY_TERMS["atelectasis"],
                              CATEGORY_TERMS["opacity"]]),
    "nodule/mass": CATEGORY_TERMS["mass"] + r"|granulomas?",
    "fracture": CATEGORY_TERMS["fracture"],
    "device": r"catheter|\bport\b|picc|central line|jugular|subclavian|chest tube|pacemaker|pacer",
    "hemidiaphragm": r"hemidiaphragm",
}
NEGATION_CUE = re.compile(r"\b(?:no|not|without|negative for|free of|absence of|resolution of|resolved|"
                          r"clear of|nor|neither|removed|rather than|instead of)\b", re.I)
BREAK_CUE = re.compile(r"\b(?:but|however|although|though|except|whereas|with)\b|;", re.I)
POST_NEGATION = re.compile(r"^\W*(?:is|are|has|have)?\s*(?:not\b|no longer|resolved|absent|cleared|"
                           r"been removed|removed)", re.I)
HEDGE = re.compile(r"\b(?:possibl[ey]|may|might|could|question\w*|cannot be excluded|can't be excluded|cannot exclude|"
                   r"can't exclude|not exclude\w*|early|developing|borderline|"
                   r"not excluded|versus|vs|differential|rule out|r/o|suspect\w*|equivocal|likely|"
                   r"suggest\w*|concern\w*|consider\w*|probabl[ey]|presumed|ddx|or)\b|\?", re.I)
OLD = re.compile(r"\b(?:stable|unchanged|chronic|old|healed|healing|remote|prior|previous|history of|"
                 r"calcified|granulomas?|scar\w*|no longer|resolv\w*|decreas\w*|improv\w*|postop\w*|"
                 r"post-?operative|surgical|nipple|known|again|persistent|residual|clearing|cleared|clears|"
                 r"without (?:significant |interval )?change)\b", re.I)
TRIVIAL = re.compile(r"\b(?:trace|tiny|minimal\w*|minute|trivial|small|slight\w*|subtle|mild\w*|minor|borderline|"
                     r"upper limits?|top normal|at most)\b", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
BILATERAL = re.compile(r"\b(?:bilateral\w*|both|bibasilar|bibasal|biapical|lingula\w*|ventric\w*|atri\w*|"
                       r"heart border|mainstem|bronchus)\b", re.I)
GLOBAL_NORMAL = re.compile(r"\b(?:no acute|normal|unremarkable|no active|negative|no (?:significant|evidence)|"
                           r"clear|no radiographic|without acute|nad)\b", re.I)
LUNGS_CLEAR = re.compile(r"\blungs? (?:fields? )?(?:are |is |appear |remain )?(?:\w+ )?clear\b|"
                         r"\bclear lungs?\b", re.I)
HEART_NORMAL = re.compile(r"(?:heart|cardiac) (?:size|silhouette|shadow)? ?(?:is |are |appears |remains )?"
                          r"(?:within )?(?:normal|upper limits? of normal|within normal limits)|"
                          r"normal (?:heart|cardiac) (?:size|silhouette)|heart is normal in size|"
                          r"heart (?:is )?not enlarged|heart size is normal", re.I)


def term_spans(sentence: str, category: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"\b(?:{CATEGORY_TERMS[category]})", sentence, re.I))


def is_negated(sentence: str, match: re.Match[str]) -> bool:
    before = sentence[: match.start()]
    cues = list(NEGATION_CUE.finditer(before))
    if cues and not BREAK_CUE.search(before[cues[-1].end():]):
        return True
    return bool(POST_NEGATION.match(sentence[match.end():]))


def mentions(sentences: Iterable[str], category: str) -> bool:
    return any(term_spans(s, category) for s in sentences)


def affirmed(sentence: str, category: str) -> bool:
    """Plainly affirmed: a mention that is neither negated nor hedged."""
    if category == "consolidation" and re.search(r"\bclear\b", sentence, re.I) and \
            not re.search(r"except|otherwise|but", sentence, re.I) and not term_spans(sentence, category):
        return False
    spans = term_spans(sentence, category)
    return bool(spans) and any(not is_negated(sentence, m) for m in spans) and not HEDGE.search(sentence)


def loosely_affirmed(sentence: str, category: str) -> bool:
    """Any mention that is not negated (hedged ones included)."""
    return any(not is_negated(sentence, m) for m in term_spans(sentence, category))


def negates(sentence: str, category: str) -> bool:
    """The sentence plainly says the finding is absent, with no size, side or scope limit."""
    if re.search(r"\b(?:large|significant|sizable|sizeable|new|increas\w*|residual|definite|"
                 r"acute|displaced|gross|overt|frank|focal|lobar|moderate)\b",
                 sentence, re.I) and category not in ("consolidation",):
        return False
    if SIDE.search(sentence) or re.search(r"except|otherwise|but|however|previously|interval|longer", sentence, re.I):
        return False
    if category == "consolidation":
        if re.search(r"\b(?:large|lobar|new)\b", sentence, re.I):
            return False
        if LUNGS_CLEAR.search(sentence) and not re.search(r"\bwith\b", sentence, re.I):
            return True
    if category == "edema" and not re.search(r"o?edema", sentence, re.I):
        return False  # "no vascular congestion" does not deny oedema
    if category == "cardiomegaly":
        return bool(HEART_NORMAL.search(sentence)) and not re.search(
            r"upper|borderline|top|enlarg|prominent|stable|unchanged", sentence, re.I)
    spans = term_spans(sentence, category)
    return bool(spans) and all(is_negated(sentence, m) for m in spans)


def findings_negate(findings: list[str], category: str) -> bool:
    supporting = [s for s in findings if negates(s, category)]
    if not supporting:
        return False
    related = {"consolidation": ["consolidation", "opacity", "atelectasis", "mass", "edema"],
               "effusion": ["effusion"], "pneumothorax": ["pneumothorax"],
               "cardiomegaly": ["cardiomegaly"], "edema": ["edema", "consolidation"]}[category]
    for s in findings:
        if any(loosely_affirmed(s, c) for c in related):
            return False
        if category == "effusion" and re.search(r"blunt|meniscus|fluid", s, re.I) and not negates(s, category):
            return False
        if category == "cardiomegaly" and re.search(r"enlarg|prominent|cardiomegaly|upper limits", s, re.I) \
                and not negates(s, category):
            return False
        if category == "consolidation" and re.search(r"otherwise|except|scar|streak|interstitial|"
                                                     r"marking|hyperinfl|emphysem|fibros", s, re.I):
            return False
    return True


def strongly_affirmed(sentences: list[str], category: str, allow_small: bool) -> str | None:
    for s in sentences:
        if affirmed(s, category) and not OLD.search(s) and (allow_small or not TRIVIAL.search(s)):
            return s
    return None


# ---------------------------------------------------------------- self-contradiction filter


def lateral_sides(sentences: list[str], group: str) -> set[str]:
    sides: set[str] = set()
    for s in sentences:
        if re.search(rf"\b(?:{LATERAL_GROUPS[group]})", s, re.I) and not BILATERAL.search(s):
            sides |= {m.lower() for m in SIDE.findall(s)}
    return sides


def attached_sides(sentences: list[str], group: str) -> set[str]:
    """Sides written right next to a term of the group ("left basilar effusion", "effusion on the right")."""
    term = LATERAL_GROUPS[group]
    near = r"(?:[\w-]+\s+){0,4}?"
    sides: set[str] = set()
    for s in sentences:
        if BILATERAL.search(s):
            continue
        for m in re.finditer(rf"\b(left|right)(?:-sided)?\s+{near}(?:{term})|(?:{term})\w*\s+(?:is\s+)?"
                             rf"(?:seen\s+|noted\s+|present\s+)?(?:on|in|at|of)\s+the\s+(?:\w+\s+)?(left|right)\b",
                             s, re.I):
            between = m.group(0)
            others = [g for g, p in LATERAL_GROUPS.items() if g != group and re.search(rf"\b(?:{p})", between, re.I)]
            if not others:
                sides.add((m.group(1) or m.group(2)).lower())
    return sides


UNFILLED = re.compile(r"\[|\]|_{2,}|\*{2,}|<|>|\{|\}|@@|\?\?")


def looks_consistent(r: Report) -> bool:
    """A conservative test that the real report does not already contradict itself."""
    if len(r.findings) < 2 or not r.impression:
        return False
    if re.search(r"\b(?:hip|knee|femur|pelvis|ankle|wrist|abdomen shows|lumbar spine series|kub)\b",
                 " ".join(r.findings), re.I):
        return False
    text = " ".join(r.findings + r.impression)
    if re.search(r"\b(?:IMPRESSION|FINDINGS|EXAM|HISTORY|COMPARISON)\s*:", text):
        return False  # another report pasted into this one
    if any(re.fullmatch(r"(?:chest|(?:right |left )?(?:shoulder|clavicle|ribs?|humerus|scapula)|abdomen|kub|pelvis)\.",
                        t, re.I) for t in r.impression):
        return False  # a report of several body regions
    if UNFILLED.search(text) or re.search(r"see (?:above|below|findings|impression)|as above", text, re.I):
        return False
    for group in LATERAL_GROUPS:
        f_sides, i_sides = lateral_sides(r.findings, group), lateral_sides(r.impression, group)
        if f_sides and i_sides and not f_sides & i_sides:
            return False
    for category in ["effusion", "pneumothorax", "consolidation", "edema", "cardiomegaly"]:
        if any(affirmed(s, category) for s in r.impression) and findings_negate(r.findings, category):
            return False
        if strongly_affirmed(r.findings, category, allow_small=True) and any(
                negates(s, category) for s in r.impression):
            return False
    for category in ["effusion", "pneumothorax", "consolidation", "edema", "mass"]:
        if strongly_affirmed(r.findings, category, allow_small=False) and not mentions(r.impression, category) \
                and not any(mentions(r.impression, c) for c in ("opacity", "atelectasis", "consolidation")):
            return False
    return True


def has_abnormality(r: Report) -> bool:
    return any(loosely_affirmed(s, c) for s in r.findings for c in CATEGORY_TERMS)


# ---------------------------------------------------------------- wording pools

NORMAL_IMPRESSIONS = [
    "No acute intrathoracic process identified.", "Normal chest radiograph.",
    "No radiographic evidence of acute cardiopulmonary disease.", "Chest within normal limits.",
    "No abnormality detected.", "Unremarkable examination of the chest.",
    "No active disease in the chest.", "Satisfactory appearances; no acute abnormality.",
    "Heart and lungs within normal limits.", "Negative chest x-ray.",
    "No significant radiographic abnormality.", "Clear chest; nothing acute seen.",
    "No cardiopulmonary abnormality demonstrated.", "Normal appearances of the heart and lungs.",
    "No acute findings.", "NAD.", "Essentially normal study.", "No acute chest pathology.",
    "Stable normal chest.", "No evidence of active pulmonary disease.",
]
ASSERTIONS: dict[str, list[str]] = {
    "effusion": ["Moderate {side} pleural effusion.", "{Side}-sided pleural effusion, moderate in volume.",
                 "Layering {side} pleural effusion with adjacent basal collapse.",
                 "Large {side} pleural effusion.", "There is a {side} pleural effusion of moderate size."],
    "pneumothorax": ["{Side} apical pneumothorax.", "Moderate {side} pneumothorax.",
                     "{Side}-sided pneumothorax with a visible pleural edge at the apex.",
                     "Small-to-moderate {side} pneumothorax; urgent clinical review advised."],
    "consolidation": ["Dense consolidation in the {side} lower lobe, consistent with pneumonia.",
                      "{Side} lower zone airspace consolidation in keeping with infection.",
                      "Lobar pneumonia, {side} upper lobe.", "Focal {side} basal consolidation.",
                      "{Side} middle and lower zone consolidation, likely pneumonic."],
    "cardiomegaly": ["Cardiomegaly.", "The heart is moderately enlarged.",
                     "Marked enlargement of the cardiac silhouette.",
                     "Cardiomegaly, new since prior."],
    "edema": ["Pulmonary oedema.", "Interstitial pulmonary edema with Kerley B lines.",
              "Features of congestive cardiac failure with alveolar oedema.",
              "Moderate pulmonary edema."],
}
NEGATIONS: dict[str, list[str]] = {
    "effusion": ["No pleural effusion.", "Pleural spaces are clear; no effusion.", "No effusion is seen.",
                 "Negative for pleural effusion."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is identified.", "Negative for pneumothorax.",
                     "Pneumothorax is not seen."],
    "consolidation": ["No consolidation.", "No airspace consolidation or pneumonia.",
                      "No pneumonic consolidation is seen.", "Negative for pneumonia."],
    "cardiomegaly": ["Heart size is normal.", "Normal cardiac size.", "The heart is not enlarged.",
                     "No cardiomegaly."],
    "edema": ["No pulmonary oedema.", "No pulmonary edema or vascular congestion.", "No evidence of failure or oedema.",
              "Negative for pulmonary edema."],
}
# Simple negative sentences that may be reworded (meaning kept, the term kept) in any case.
REWORDS: list[tuple[str, list[str]]] = [
    (r"(?:there is )?no (?:evidence of )?pneumothorax\.",
     ["Pneumothorax: none.", "Negative for pneumothorax.", "No pneumothorax is seen.", "Pneumothorax is absent."]),
    (r"(?:there is )?no (?:evidence of )?(?:pleural )?effusions?\.",
     ["No pleural fluid or effusion.", "Without pleural effusion.", "Pleural effusion: none seen.",
      "Effusion is not identified."]),
    (r"(?:there is )?no (?:evidence of )?(?:focal )?(?:consolidation|airspace disease)\.",
     ["Focal consolidation is not seen.", "Negative for focal airspace consolidation.",
      "No consolidation is demonstrated."]),
    (r"(?:there is )?no pleural effusion or pneumothorax\.",
     ["Pleural effusion and pneumothorax are both absent.", "No pneumothorax; no pleural effusion.",
      "Neither pleural effusion nor pneumothorax."]),
]
UK_SPELLING = [("edema", "oedema"), ("hemidiaphragm", "hemidiaphragm"), ("hemorrhage", "haemorrhage"),
               ("esophag", "oesophag"), ("tumor", "tumour"), ("hematoma", "haematoma"), ("anemia", "anaemia"),
               ("centimeter", "centimetre"), ("millimeter", "millimetre"), ("ischemi", "ischaemi"),
               ("hemithorax", "hemithorax"), ("orthopedic", "orthopaedic"), ("leukemia", "leukaemia"),
               ("fiber", "fibre"), ("color", "colour"), ("anesthe", "anaesthe")]

PLACEHOLDERS = {
    "side": ["[left/right]", "[RIGHT/LEFT]", "___", "[***]", "<side>", "[ ]", "***", "{SIDE}"],
    "grade": ["[small/moderate/large]", "[mild/moderate/severe]", "___", "***", "[ ]", "<grade>", "[***]",
              "{SEVERITY}"],
    "number": ["___", "[ ]", "***", "[#]", "__", "<n>"],
    "lobe": ["[upper/middle/lower]", "___", "[***]", "<lobe>", "{LOBE}"],
    "state": ["[normal/enlarged]", "[normal/abnormal]", "{normal}", "<<normal>>", "[***]"],
}


def case_like(word: str, template: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def uk_spell(text: str) -> str:
    for us, uk in UK_SPELLING:
        if us == uk:
            continue
        # fold words already in UK spelling first, so "oedema" does not become "ooedema"
        text = re.sub(uk, lambda m, us=us: case_like(us, m.group(0)), text, flags=re.I)
        text = re.sub(us, lambda m, uk=uk: case_like(uk, m.group(0)), text, flags=re.I)
    return text


def reword(sentences: list[str], rng: random.Random) -> list[str]:
    out = []
    for s in sentences:
        for pattern, choices in REWORDS:
            if re.fullmatch(pattern, s, re.I) and rng.random() < 0.5:
                s = rng.choice(choices)
                break
        out.append(s)
    return out


# ---------------------------------------------------------------- injections


@dataclass
class Draft:
    report: Report
    findings: list[str]
    impression: list[str]
    kind: str | None = None
    detail: str = ""
    drop: str = ""  # "findings" / "impression" / "" (missing_section)
    fixed_impression: bool = False  # impression was written by the generator: keep its wording


def inject_missing(r: Report, rng: random.Random) -> Draft | None:
    if len(r.findings) < 2:
        return None
    which = rng.choice(["findings", "impression"])
    how = rng.choice(["removed", "emptied"])
    return Draft(r, list(r.findings), list(r.impression), "missing_section", f"{which} {how}",
                 drop=f"{which}:{how}")


def flip(word: str) -> str:
    return case_like("right" if word.lower() == "left" else "left", word)


def inject_laterality(r: Report, rng: random.Random) -> Draft | None:
    options = []
    for section in ("findings", "impression"):
        mine, other = (r.findings, r.impression) if section == "findings" else (r.impression, r.findings)
        for i, s in enumerate(mine):
            sides = SIDE.findall(s)
            if len(sides) != 1 or BILATERAL.search(s) or re.search(r"\bleft (?:in|behind|over)\b|middle lobe", s, re.I):
                continue
            side = sides[0].lower()
            for group, pattern in LATERAL_GROUPS.items():
                if not re.search(rf"\b(?:{pattern})", s, re.I):
                    continue
                if lateral_sides(other, group) != {side} or attached_sides(other, group) != {side} \
                        or attached_sides([s], group) != {side}:
                    continue
                same = [t for j, t in enumerate(mine) if j != i and re.search(rf"\b(?:{pattern})", t, re.I)
                        and SIDE.search(t)]
                if same:
                    continue
                options.append((section, i, group))
    if not options:
        return None
    section, i, group = rng.choice(options)
    findings, impression = list(r.findings), list(r.impression)
    target = findings if section == "findings" else impression
    old = target[i]
    target[i] = SIDE.sub(lambda m: flip(m.group(1)), old)
    detail = f"{section}: '{old}' -> '{target[i]}' ({group}; the other section puts it on the original side)"
    return Draft(r, findings, impression, "laterality_conflict", detail)


def keep_other(impression: list[str], category: str) -> list[str]:
    related = ["consolidation", "opacity", "atelectasis"] if category == "consolidation" else [category]
    return [s for s in impression if not GLOBAL_NORMAL.search(s) and not any(mentions([s], c) for c in related)
            and not any(negates(s, c) for c in CATEGORY_TERMS if c in NEGATIONS)]


def masked_near(sentence: str, category: str) -> bool:
    """The collection's mask sits right before the finding, where it may hide a hedge or a negation."""
    return bool(re.search(rf"XXXX\s+(?:\S+\s+){{0,2}}?(?:{CATEGORY_TERMS[category]})", sentence, re.I))


def deny_support(findings: list[str], category: str) -> str | None:
    """A findings sentence that affirms the finding so plainly that an impression denying it contradicts it."""
    for s in findings:
        if not affirmed(s, category) or OLD.search(s) or masked_near(s, category):
            continue
        if re.search(r"\b(?:trace|tiny|minimal|borderline|upper limits?|top normal)\b", s, re.I):
            continue
        if category in ("cardiomegaly", "edema") and TRIVIAL.search(s) and not re.search(r"mildly enlarged", s):
            continue
        if category == "consolidation" and (
                not re.search(r"consolidat|infiltrat|pneumonia|air ?space disease", s, re.I)
                or re.search(r"atelecta|scar|discoid|subsegmental|streaky|linear|interstiti", s, re.I)):
            continue
        if category == "edema" and not re.search(r"o?edema", s, re.I):
            continue  # vascular congestion alone is not oedema
        return s
    return None


def inject_negation(r: Report, rng: random.Random, directions: tuple[str, ...] = ("assert", "deny",
                                                                                  "deny_in_findings")) -> Draft | None:
    options: list[tuple[str, str]] = []
    for category in ASSERTIONS:
        if findings_negate(r.findings, category) and not mentions(r.impression, category):
            options.append(("assert", category))
        if deny_support(r.findings, category):
            options.append(("deny", category))
        imp = [s for s in r.impression if affirmed(s, category) and not OLD.search(s) and not masked_near(s, category)
               and not (category == "consolidation" and (
                   not re.search(r"consolidat|infiltrat|pneumonia|air ?space disease", s, re.I)
                   or re.search(r"atelecta|scar|discoid|subsegmental|streaky|linear|interstiti", s, re.I)))]
        carriers = [s for s in r.findings if mentions([s], category)]
        if not all(loosely_affirmed(s, category) for s in carriers):
            carriers = []
        first = next((k for k, s in enumerate(r.findings) if mentions([s], category)), -1)
        follows = r.findings[first + 1] if 0 <= first < len(r.findings) - 1 else ""
        if imp and carriers and not ANAPHORA.search(follows) and all(
                not any(mentions([s], c) for c in CATEGORY_TERMS if c != category) for s in carriers):
            options.append(("deny_in_findings", category))
    options = [o for o in options if o[0] in directions]
    if not options:
        return None
    # most reports allow "assert"; the other directions are rarer, so they are preferred when possible
    weights = {"assert": 1.0, "deny": 4.0, "deny_in_findings": 4.0}
    how, category = rng.choices(options, weights=[weights[o[0]] for o in options])[0]
    findings, impression = list(r.findings), list(r.impression)
    side = rng.choice(["left", "right"])
    if how == "assert":
        claim = rng.choice(ASSERTIONS[category]).format(side=side, Side=side.capitalize())
        kept = keep_other(impression, category)
        impression = [claim, *kept] if rng.random() < 0.7 else [*kept, claim]
        support = next(s for s in findings if negates(s, category))
        detail = f"impression now asserts {category} ('{claim}'); findings negate it ('{support}')"
    elif how == "deny":
        support = deny_support(findings, category) or ""
        denial = rng.choice(NEGATIONS[category])
        kept = [s for s in impression if not mentions([s], category)
                and not (category == "consolidation" and (mentions([s], "opacity") or mentions([s], "atelectasis")))]
        impression = [denial, *kept] if rng.random() < 0.6 else [*kept, denial]
        detail = f"impression now negates {category} ('{denial}'); findings affirm it ('{support}')"
    else:
        denial = rng.choice(NEGATIONS[category])
        first = next(i for i, s in enumerate(findings) if mentions([s], category))
        removed = [s for s in findings if mentions([s], category)]
        findings = [s for i, s in enumerate(findings) if i == first or not mentions([s], category)]
        findings[first] = denial
        claim = next(s for s in impression if affirmed(s, category))
        detail = f"findings {removed} -> '{denial}'; impression still affirms {category} ('{claim}')"
    return Draft(r, findings, impression, "negation_conflict", detail, fixed_impression=how != "deny_in_findings")


OMIT_CATEGORIES = ["pneumothorax", "effusion", "consolidation", "edema", "mass"]


def inject_omission(r: Report, rng: random.Random) -> Draft | None:
    found = []
    for category in OMIT_CATEGORIES:
        s = strongly_affirmed(r.findings, category, allow_small=category == "pneumothorax")
        if s is None:
            continue
        if category == "mass" and not re.search(r"\bmass|\bnew\b|\d+(?:\.\d+)? ?(?:cm|mm)|spiculat|suspicious",
                                                s, re.I):
            continue
        if re.search(r"streaky|linear|plate|discoid|subsegmental|scar|interstiti", s, re.I):
            continue
        if category == "edema" and not re.search(r"o?edema", s, re.I):
            continue
        if masked_near(s, category):
            continue
        if category == "consolidation" and (re.search(r"atelectasis/|/atelectasis|/infiltrate|infiltrate/", s, re.I)
                                            or re.search(r"scar|fibros|chronic", " ".join(r.impression), re.I)):
            continue
        small_ok = category == "pneumothorax"
        in_impression = [t for t in r.impression if affirmed(t, category) and not OLD.search(t)
                         and (small_ok or not TRIVIAL.search(t))]
        if in_impression:
            found.append((category, s))
    if not found:
        return None
    category, support = rng.choice(found)
    normal = rng.choice(NORMAL_IMPRESSIONS)
    detail = f"findings affirm {category} ('{support}'); impression {r.impression} -> '{normal}'"
    return Draft(r, list(r.findings), [normal], "impression_omits_finding", detail, fixed_impression=True)


SLOT_PATTERNS = [
    ("number", r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm|centimet|millimet)\b)"),
    ("side", r"\b(?:left|right)\b"),
    ("grade", r"\b(?:small|mild|mildly|moderate|moderately|large|minimal|severe|marked|tiny|slight|slightly)\b"),
    ("lobe", r"\b(?:upper|lower|middle)(?= (?:lobe|zone|lung))"),
    ("state", r"(?<=\bis )normal(?= in size\b)|(?<=\bsize is )normal\b|(?<=\bsize )normal\b"),
]


def inject_placeholder(r: Report, rng: random.Random) -> Draft | None:
    slots = []
    for section, sentences in (("findings", r.findings), ("impression", r.impression)):
        for i, s in enumerate(sentences):
            for slot, pattern in SLOT_PATTERNS:
                slots.extend((section, i, slot, m) for m in re.finditer(pattern, s, re.I))
    # "no large effusion" is the commonest grade word in negative reports: keep it from crowding out the rest
    slots = [slot for slot in slots if slot[3].group(0).lower() != "large" or rng.random() < 0.3]
    if not slots:
        return None
    in_impression = [slot for slot in slots if slot[0] == "impression"]
    if in_impression and rng.random() < 0.4:
        slots = in_impression
    # measurement and side slots are the most typical unfilled fields: favour them when there are any
    typical = [slot for slot in slots if slot[2] in ("number", "side")]
    if typical and rng.random() < 0.5:
        slots = typical
    section, i, slot, m = rng.choice(slots)
    token = rng.choice(PLACEHOLDERS[slot])
    findings, impression = list(r.findings), list(r.impression)
    target = findings if section == "findings" else impression
    old = target[i]
    target[i] = old[: m.start()] + token + old[m.end():]
    detail = f"{section}: {slot} word '{m.group(0)}' -> '{token}' in '{target[i]}'"
    return Draft(r, findings, impression, "placeholder", detail)




# ---------------------------------------------------------------- layouts

ORGAN_ORDER = ["lungs", "pleura", "heart", "devices", "bones", "other"]
ORGAN_WORDS = {
    "devices": r"tube|catheter|\bline\b|picc|\bport\b|pacemaker|pacer|lead|wire|clip|sternotomy|stent|"
               r"defibrillator|drain|valve|cabg",
    "pleura": r"pleura|effusion|pneumothora|costophrenic|fluid",
    "heart": r"heart|cardi|mediastin|aort|hil[ae]|hilar|vascular|trachea|silhouette",
    "bones": r"osseous|bone|spine|spondyl|rib|fractur|degenerat|clavic|shoulder|vertebr|soft tissue|"
             r"scoliosis|kyphosis|skelet|bony|humer|arthrit|osteo",
    "lungs": r"lung|pulmonar|opacit|consolid|airspace|air space|infiltrat|atelecta|pneumon|nodul|mass|"
             r"granulom|emphysem|hyperinfl|interstiti|scar|edema|oedema|diaphragm|zone|lobe",
}
ORGAN_LABELS = {
    "lungs": ["Lungs", "LUNGS", "Lung fields", "Lungs and airways", "Parenchyma"],
    "pleura": ["Pleura", "PLEURA", "Pleural spaces", "Pleura/costophrenic angles"],
    "heart": ["Heart and mediastinum", "CARDIOMEDIASTINAL", "Cardiac/mediastinum", "Heart/great vessels",
              "Mediastinum and hila"],
    "devices": ["Lines/tubes", "SUPPORT DEVICES", "Devices", "Tubes and lines"],
    "bones": ["Bones/soft tissues", "OSSEOUS STRUCTURES", "Skeleton and soft tissues", "Bones"],
    "other": ["Other", "OTHER", "Additional"],
}
ANAPHORA = re.compile(r"^(?:otherwise|this|these|it|they|again|also|however|which|there is also|in addition|"
                      r"additionally|the above|as before)\b|otherwise|\bsame\b|aforementioned", re.I)


def organ_of(sentence: str) -> str:
    best, pos = "other", len(sentence) + 1
    for organ, pattern in ORGAN_WORDS.items():
        m = re.search(pattern, sentence, re.I)
        if m and m.start() < pos:
            best, pos = organ, m.start()
    return best


def organ_paragraphs(findings: list[str], rng: random.Random, sep: str) -> str | None:
    if any(ANAPHORA.search(s) for s in findings) or len(findings) < 3:
        return None
    groups: dict[str, list[str]] = {}
    for s in findings:
        groups.setdefault(organ_of(s), []).append(s)
    style = rng.choice(["colon", "dash", "caps"])
    lines = []
    for organ in ORGAN_ORDER:
        if organ in groups:
            label = rng.choice(ORGAN_LABELS[organ])
            text = " ".join(groups[organ])
            lines.append(f"{label}: {text}" if style != "dash" else f"{label} - {text}")
    return sep.join(lines)


def as_list(items: list[str], rng: random.Random, sep: str = "\n") -> str:
    if len(items) < 2:
        return " ".join(items)
    style = rng.choice(["num", "num_paren", "alpha", "alpha_paren", "roman", "dash", "bullet"])
    romans = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]
    marks = {
        "num": [f"{k + 1}." for k in range(len(items))],
        "num_paren": [f"{k + 1})" for k in range(len(items))],
        "alpha": [f"{chr(97 + k)})" for k in range(len(items))],
        "alpha_paren": [f"({chr(97 + k)})" for k in range(len(items))],
        "roman": [f"({romans[k % 10]})" for k in range(len(items))],
        "dash": ["-"] * len(items),
        "bullet": ["\u2022"] * len(items),
    }[style]
    return sep.join(f"{mark} {item}" for mark, item in zip(marks, items, strict=True))


@dataclass
class Style:
    name: str
    title: list[str]
    indication: list[str]
    comparison: list[str]
    findings: list[str]
    impression: list[str]
    uk: bool = False
    impression_first: bool = False
    header_sep: list[str] = field(default_factory=lambda: [":\n", ": ", ":  "])
    footer: list[str] = field(default_factory=list)
    technique: list[str] = field(default_factory=list)
    organ_split: float = 0.0
    list_impression: float = 0.5
    bullet_findings: float = 0.0
    abbreviate_sides: float = 0.0


STYLES = [
    Style("us_academic", ["EXAMINATION: CHEST, PA AND LATERAL", "EXAM: XR CHEST 2 VIEWS", "CHEST RADIOGRAPH, 2 VIEWS"],
          ["CLINICAL HISTORY", "INDICATION", "HISTORY"], ["COMPARISON", "COMPARISONS"], ["FINDINGS"], ["IMPRESSION"],
          technique=["TECHNIQUE: Frontal and lateral views of the chest.", "TECHNIQUE: PA and lateral radiographs."],
          footer=["I have personally reviewed the images and agree with the report above. "
                  "Electronically signed: XXXX, MD.",
                  "Attending radiologist: XXXX, MD"], organ_split=0.2),
    Style("impression_first", ["CHEST X-RAY", "XR CHEST PA/LAT", ""], ["History", "Reason for exam"], ["Comparison"],
          ["FINDINGS", "Findings", "DETAILED FINDINGS"], ["IMPRESSION", "Impression", "IMPRESSION (summary)"],
          impression_first=True, header_sep=[":\n", ":\n", ": "], organ_split=0.3, list_impression=0.7),
    Style("uk_nhs", ["XR Chest PA", "Chest X-ray (PA)", "CXR"], ["Clinical details", "Clinical indication"],
          ["Comparison", "Previous"], ["Findings", "Report"], ["Conclusion", "Opinion", "Summary"], uk=True,
          footer=["Reported by Dr XXXX, Consultant Radiologist. GMC XXXX.", "Verified by: Dr XXXX (StR) / Dr XXXX"],
          list_impression=0.3),
    Style("aus_nz", ["CHEST X-RAY", "XR CHEST", "PLAIN FILM CHEST"], ["Clinical notes", "Clinical history"],
          ["Comparison", "Compared with"], ["Report", "Findings"], ["Comment", "Conclusion"], uk=True,
          footer=["Thank you for referring this patient. Dr XXXX, FRANZCR.", "Dr XXXX, Radiologist"],
          list_impression=0.3),
    Style("canada", ["EXAMINATION: Chest PA/Lat", "XR Thorax 2 views"], ["CLINICAL INFORMATION", "Clinical info"],
          ["COMPARISON", "Previous exam"], ["FINDINGS", "Observations"], ["OPINION", "INTERPRETATION"],
          footer=["Dictated by XXXX, MD, FRCPC. Transcribed XXXX."], organ_split=0.2),
    Style("india", ["RADIOLOGY REPORT\nX-RAY CHEST PA VIEW", "DIGITAL X-RAY CHEST (PA)", "SKIAGRAM CHEST PA VIEW"],
          ["Clinical history", "Clinical details"], ["Previous", "Comparison"], ["OBSERVATIONS", "FINDINGS"],
          ["IMPRESSION", "OPINION"], uk=True, header_sep=[":\n"], bullet_findings=0.6,
          footer=["Advice: Kindly correlate clinically.", "Dr XXXX, MD (Radiodiagnosis)"], abbreviate_sides=0.4),
    Style("singapore", ["CHEST (PA ERECT)", "CHEST X-RAY PA"], ["Clinical Information", "Indication"],
          ["Prior", "Comparison"], ["Findings", "Report"], ["Conclusion", "Impression"], uk=True,
          header_sep=["\n"], list_impression=0.4),
    Style("south_africa", ["CHEST RADIOGRAPH: PA AND LATERAL", "CHEST X-RAY (ERECT PA)"], ["HISTORY", "CLINICAL"],
          ["COMPARISON", "PREVIOUS STUDY"], ["FINDINGS", "REPORT"], ["SUMMARY", "CONCLUSION"], uk=True,
          organ_split=0.5, footer=["Dr XXXX, Specialist Radiologist (MBChB, FC Rad Diag SA)"]),
    Style("teleradiology", ["PROCEDURE: XR CHEST 2V", "STUDY: Chest radiographs, PA and lateral"],
          ["REASON FOR EXAM", "CLINICAL INDICATION"], ["COMPARISON"], ["FINDINGS"], ["IMPRESSION"],
          technique=["TECHNIQUE: 2 views of the chest were obtained."],
          footer=["Preliminary report issued by XXXX Teleradiology. Final report to follow if changed.",
                  "This report was electronically signed by XXXX, MD."], organ_split=0.6, list_impression=0.8),
    Style("icu_portable",
          ["PORTABLE AP CHEST, XXXX HOURS", "CHEST, SINGLE AP PORTABLE VIEW", "BEDSIDE CHEST (AP SUPINE)"],
          ["INDICATION", "CLINICAL QUESTION"], ["COMPARISON"], ["FINDINGS"], ["IMPRESSION"],
          technique=["Single portable AP view of the chest.", "Semi-erect AP portable radiograph."],
          organ_split=0.4),
    Style("speech_recognition", ["CHEST TWO VIEWS", "XR CHEST"], ["History", "Indication"], ["Comparison"],
          ["Findings", "FINDINGS"], ["Impression", "IMPRESSION"], header_sep=[": ", " - ", ":  "],
          footer=["This report was generated with speech recognition software; minor transcription errors may occur.",
                  "Dictated but not read."], list_impression=0.3),
    Style("community", ["CHEST 2 VIEWS", "2 VIEW CHEST", "PA/LATERAL CHEST"], ["INDICATION", "Reason"], ["COMPARISON"],
          ["FINDINGS", "DISCUSSION"], ["IMPRESSION", "CONCLUSION"], organ_split=0.1),
]
ADDENDA = [
    "ADDENDUM: The referring clinician was informed of these results at XXXX.",
    "Addendum: Images re-reviewed at the request of the clinical team; the conclusion above is unchanged.",
    "ADDENDUM: Prior outside study was not available at the time of reporting.",
    "Addendum (XXXX): Report communicated by telephone to Dr XXXX.",
]


def abbreviate_sides(text: str) -> str:
    return re.sub(r"\b(left|right)\b", lambda m: case_like("Lt" if m.group(1).lower() == "left" else "Rt",
                                                               m.group(1)).replace("LT", "Lt").replace("RT", "Rt"),
                  text, flags=re.I)


def render_findings(sentences: list[str], style: Style, rng: random.Random, sep: str) -> str:
    if rng.random() < style.organ_split:
        split = organ_paragraphs(sentences, rng, sep)
        if split:
            return split
    if rng.random() < style.bullet_findings:
        return "\n".join(f"- {s}" for s in sentences)
    return " ".join(sentences)


def render_impression(sentences: list[str], style: Style, rng: random.Random) -> str:
    standalone = all(len(s.split()) >= 3 and not ANAPHORA.search(s)
                     and not re.match(r"(?:the appearance|findings|appearance|increased|decreased)\b", s, re.I)
                     for s in sentences[1:])
    if standalone and rng.random() < style.list_impression:
        return as_list(sentences, rng)
    return " ".join(sentences)


def section(label: str, body: str, sep: str) -> str:
    return f"{label}{sep}{body}" if body else label + sep.rstrip(" ").rstrip()


def render(draft: Draft, rng: random.Random) -> dict[str, str]:
    r = draft.report
    findings = reword(draft.findings, rng)
    impression = draft.impression if draft.fixed_impression else reword(draft.impression, rng)
    if r.normal and draft.kind in (None, "missing_section", "placeholder") and len(impression) == 1 \
            and GLOBAL_NORMAL.search(impression[0]) and not UNFILLED.search(impression[0]) \
            and not has_abnormality(r) and rng.random() < 0.4:
        impression = [rng.choice(NORMAL_IMPRESSIONS)]
    drop_section, drop_how = (draft.drop.split(":") + [""])[:2] if draft.drop else ("", "")
    if rng.random() < 0.5:
        # field layout: the keys of the dev set, with varied formatting inside the sections
        style = rng.choice(STYLES)
        f_text = render_findings(findings, style, rng, "\n")
        i_text = render_impression(impression, style, rng)
        if style.uk:
            f_text, i_text = uk_spell(f_text), uk_spell(i_text)
        if drop_section == "findings":
            f_text = "" if drop_how == "emptied" or rng.random() < 0.5 else " "
        if drop_section == "impression":
            i_text = "" if drop_how == "emptied" or rng.random() < 0.5 else " "
        out = {"indication": r.indication, "comparison": r.comparison, "findings": f_text.strip(),
               "impression": i_text.strip()}
        return {**out, "layout": f"fields/{style.name}"}
    style = rng.choice(STYLES)
    sep = rng.choice(style.header_sep)
    f_text = render_findings(findings, style, rng, "\n")
    i_text = render_impression(impression, style, rng)
    if style.abbreviate_sides and rng.random() < style.abbreviate_sides:
        f_text, i_text = abbreviate_sides(f_text), abbreviate_sides(i_text)
    if "\n" in f_text and not sep.endswith("\n"):
        sep_f = ":\n"
    else:
        sep_f = sep
    sep_i = ":\n" if "\n" in i_text and not sep.endswith("\n") else sep
    caps = rng.random() < 0.5
    f_label = rng.choice(style.findings)
    i_label = rng.choice(style.impression)
    parts_head = []
    title = rng.choice(style.title)
    if title:
        parts_head.append(title)
    if r.indication:
        parts_head.append(section(rng.choice(style.indication), r.indication, sep if sep != "\n" else ": "))
    if style.technique and rng.random() < 0.6:
        parts_head.append(rng.choice(style.technique))
    if r.comparison:
        parts_head.append(section(rng.choice(style.comparison), r.comparison, sep if sep != "\n" else ": "))
    f_block = section(f_label.upper() if caps and f_label.islower() else f_label, f_text, sep_f)
    i_block = section(i_label, i_text, sep_i)
    blocks_body = [i_block, f_block] if style.impression_first else [f_block, i_block]
    if drop_section:
        victim = f_block if drop_section == "findings" else i_block
        if drop_how == "removed":
            blocks_body.remove(victim)
        else:
            label = f_label if drop_section == "findings" else i_label
            empty = section(label, "", sep)
            blocks_body[blocks_body.index(victim)] = empty
    if style.impression_first:
        blocks = [*([parts_head[0]] if title else []), *blocks_body[:1], *(parts_head[1:] if title else parts_head),
                  *blocks_body[1:]]
    else:
        blocks = [*parts_head, *blocks_body]
    if style.footer and rng.random() < 0.6:
        blocks.append(rng.choice(style.footer))
    if rng.random() < 0.12:
        blocks.append(rng.choice(ADDENDA))
    text = "\n\n".join(blocks)
    if style.uk:
        text = uk_spell(text)
    return {"report": text, "layout": f"report/{style.name}"}


# ---------------------------------------------------------------- the set


def make_cases(seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    excluded = dev_uids()
    pool = [r for r in load_reports() if r.uid not in excluded and r.findings and r.impression
            and looks_consistent(r)]
    rng.shuffle(pool)
    used: set[str] = set()
    drafts: list[Draft] = []
    # (kind, how many, injector): the rarer kinds and directions choose first, so the reports they
    # need are not used up by the others
    plan: list[tuple[str, int, Callable[[Report, random.Random], Draft | None]]] = [
        ("negation_conflict", 18, lambda r, g: inject_negation(r, g, ("deny", "deny_in_findings"))),
        ("impression_omits_finding", PER_KIND, inject_omission),
        ("laterality_conflict", PER_KIND, inject_laterality),
        ("negation_conflict", PER_KIND - 18, lambda r, g: inject_negation(r, g, ("assert",))),
        ("placeholder", PER_KIND, inject_placeholder),
        ("missing_section", PER_KIND, inject_missing),
    ]
    per_category: Counter[str] = Counter()
    for kind, wanted, injector in plan:
        taken = 0
        for r in pool:
            if taken == wanted:
                break
            if r.uid in used:
                continue
            draft = injector(r, rng)
            if draft is None:
                continue
            if kind == "negation_conflict":
                category = re.search(r"(?:asserts|negates|affirms) (\w+)", draft.detail)
                key = category.group(1) if category else ""
                if per_category[key] >= 12:
                    continue
                per_category[key] += 1
            used.add(r.uid)
            drafts.append(draft)
            taken += 1
        if taken < wanted:
            raise SystemExit(f"only {taken} reports qualify for {kind}")
    rest = [r for r in pool if r.uid not in used]
    abnormal = [r for r in rest if has_abnormality(r)][: N_CLEAN // 2]
    normal = [r for r in rest if not has_abnormality(r)][: N_CLEAN - len(abnormal)]
    drafts.extend(Draft(r, list(r.findings), list(r.impression)) for r in abnormal + normal)
    rng.shuffle(drafts)
    cases = []
    for k, draft in enumerate(drafts):
        rendered = render(draft, rng)
        case: dict[str, object] = {"id": f"h6-{seed}-{k:03d}", "uid": draft.report.uid, "injected": draft.kind,
                                   "detail": draft.detail}
        case.update({key: value for key, value in rendered.items() if key != "layout"})
        case["layout"] = rendered["layout"]
        cases.append(case)
    return cases


def show(cases: list[dict[str, object]], n: int, seed: int) -> None:
    print(Counter(str(c["injected"]) for c in cases))
    print(Counter(str(c["layout"]).split("/")[0] for c in cases))
    rng = random.Random(seed + 1)
    for kind in [None, *KINDS]:
        group = [c for c in cases if c["injected"] == kind]
        for c in rng.sample(group, min(n, len(group))):
            print("=" * 100)
            print(f"{c['id']} {c['uid']} {kind} {c['layout']}\nDETAIL: {c['detail']}")
            if "report" in c:
                print(c["report"])
            else:
                for key in ("indication", "comparison", "findings", "impression"):
                    print(f"<{key}> {c[key]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=701)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args(argv)
    cases = make_cases(args.seed)
    with args.out.open("w") as fh:
        for case in cases:
            fh.write(json.dumps({k: v for k, v in case.items() if k != "layout"}) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}", file=sys.stderr)
    if args.show:
        show(cases, args.show, args.seed)


if __name__ == "__main__":
    main()
