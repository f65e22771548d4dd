"""Blind held-out set #5 of labelled chest X-ray reports for the report checker.

Written without looking at the checker: real IU X-ray reports (Open-i XML), re-laid out in
varied reporting styles (US academic / MIMIC-like, UK NHS, Australian, Canadian, Indian,
speech-recognition run-on, all caps, numbered, semicolon lists, organ-system templates), half
unmodified and 40 each with one injected error of the five kinds in shared/eval/README.md.

    python -m bench.make_heldout5 OUT.jsonl --seed 601 [--show 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
PER_KIND = 40
CLEAN = 200

# ---------------------------------------------------------------- loading real reports


@dataclass(frozen=True)
class Report:
    uid: str
    indication: str
    comparison: str
    findings: str
    impression: str


def _clean_text(text: str | None) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return re.sub(r"\.\.+", ".", text)


def load_iu(tgz: Path) -> list[Report]:
    reports: list[Report] = []
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            root = ET.fromstring(handle.read())
            uid_node = root.find(".//uId")
            if uid_node is None:
                continue
            parts = {str(node.get("Label", "")).upper(): _clean_text(node.text) for node in root.iter("AbstractText")}
            reports.append(
                Report(
                    uid=str(uid_node.get("id")),
                    indication=parts.get("INDICATION", ""),
                    comparison=parts.get("COMPARISON", ""),
                    findings=parts.get("FINDINGS", ""),
                    impression=parts.get("IMPRESSION", ""),
                )
            )
    return sorted(reports, key=lambda r: int(re.sub(r"\D", "", r.uid) or 0))


def dev_uids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with path.open() as handle:
        return {json.loads(line)["uid"] for line in handle if line.strip()}


# ---------------------------------------------------------------- sentence-level semantics

SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[<{*_])")


def sentences(text: str) -> list[str]:
    text = re.sub(r"(?<!\d)(\d{1,2})\.\s+(?=[A-Za-z])", "", text)  # drop "1. " numbering
    return [s.strip() for s in SENT_SPLIT.split(text) if s.strip()]


CONCEPTS: dict[str, str] = {
    "effusion": r"effusions?",
    "pneumothorax": r"pneumothora(?:x|ces)",
    "consolidation": (r"consolidat\w*|air ?space (?:disease|opacit\w+|consolidation)|infiltrat\w*|pneumonia"),
    "edema": r"o?edema\b|oedema",
    "cardiomegaly": r"cardiomegaly|(?:heart|cardiac silhouette|cardiac) (?:size )?(?:is )?"
    r"(?:mildly |moderately |markedly )?enlarged|enlarged (?:heart|cardiac)",
    "nodule": r"nodul\w*|\bmass(?:es)?\b",
    "atelectasis": r"atelecta\w*",
}
# laterality matching uses broader "same thing in other words" groups
LAT_GROUPS: dict[str, str] = {
    "effusion": r"effusions?|costophrenic (?:angle )?blunting|blunting of the \w+ costophrenic",
    "pneumothorax": r"pneumothora(?:x|ces)",
    "airspace": r"consolidat\w*|air ?space|infiltrat\w*|pneumonia|opacit\w+|atelecta\w*",
    "nodule": r"nodul\w*|\bmass(?:es)?\b|granuloma\w*",
    "fracture": r"fractur\w*",
}
NEG_CUE = re.compile(
    r"\b(?:no|not|without|negative|free of|resolved|resolution|cleared|removed|absent|"
    r"interval clearing|clearing|resolving|clear|normal|unremarkable|nor)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(?:possible|possibly|may|might|questionable|question of|cannot be excluded|could|"
    r"suggest\w*|versus|vs|equivocal|suspect\w*|probabl\w*|likely|concern\w*|vague|subtle|"
    r"borderline|minimal\w*|trace|question\w*|suspicious|similar|bronchiect\w*|tiny|"
    r"small amount|chronic|stable|unchanged|old|healed|scar\w*|"
    r"calcified|granulom\w*|prior|previous|again|persistent|residual|history)\b",
    re.I,
)
LUNGS_CLEAR = re.compile(
    r"\b(?:lungs? (?:are|is|appear|remain)s? (?:grossly )?clear|clear lungs|lungs are "
    r"(?:well )?expanded and clear)\b",
    re.I,
)
HEART_NORMAL = re.compile(
    r"\b(?:heart (?:size )?is (?:normal|within normal limits)|normal heart size|heart size "
    r"(?:is )?(?:normal|within normal limits)|normal(?:-| )sized heart|cardiac silhouette is "
    r"(?:normal|within normal limits)|heart is normal in size|normal cardiac size|cardiac size "
    r"is normal)\b",
    re.I,
)
NORMAL_IMPRESSION = re.compile(
    r"\b(?:no acute|no active|normal (?:chest|study|exam)|negative (?:chest|exam|study)|"
    r"no (?:evidence of )?(?:acute )?(?:cardio)?pulmonary (?:disease|abnormalit|process)|"
    r"no radiographic evidence of acute|unremarkable|within normal limits|clear lungs|"
    r"no significant (?:abnormal|change)|no (?:interval )?change|stable)\b",
    re.I,
)
SIDE = re.compile(r"\b(left|right)\b", re.I)
BILATERAL = re.compile(r"\b(?:bilateral\w*|both|bibasilar|bibasal)\b", re.I)


def mentions(sentence: str, pattern: str) -> bool:
    return re.search(pattern, sentence, re.I) is not None


def affirms(sentence: str, pattern: str) -> bool:
    """A plain statement that the finding is present (no negation cue in the sentence)."""
    return mentions(sentence, pattern) and not NEG_CUE.search(sentence)


DROPPED_NEGATION = re.compile(
    r"\b(?:effusions?|pneumothora\w+|consolidations?|edema|infiltrates?)\b[^.]*\bor\b[^.]*"
    r"\b(?:effusions?|pneumothora\w+|consolidations?|edema|infiltrates?)\b",
    re.I,
)


def firmly_affirms(sentence: str, pattern: str) -> bool:
    # "Pleural effusion or pneumothorax." is a dictation that lost its "No", not a finding
    return affirms(sentence, pattern) and not HEDGE.search(sentence) and not DROPPED_NEGATION.search(sentence)


def negates(sentence: str, concept: str) -> bool:
    """The sentence plainly says the finding is absent (explicitly or by meaning)."""
    if concept == "consolidation" and LUNGS_CLEAR.search(sentence):
        return not SIDE.search(sentence) and "otherwise" not in sentence.lower()
    if concept == "cardiomegaly" and HEART_NORMAL.search(sentence):
        return True
    pattern = CONCEPTS[concept]
    match = re.search(
        r"\b(?:no|without|negative for|free of)\b(?P<gap>[^.;]*?)\b(?:" + pattern + ")",
        sentence,
        re.I,
    )
    if not match:
        return False
    gap = match.group("gap").lower()
    if re.search(r"\b(?:but|however|although|though|there is|there are|with|except)\b", gap):
        return False
    return not SIDE.search(sentence) and not re.search(r"\b(?:new|increas\w*|change)\b", gap)


def is_consistent(report: Report) -> bool:
    """Reject real reports that already look self-contradictory or odd to this generator."""
    text = f"{report.findings} {report.impression}"
    if not report.findings or not report.impression or len(report.findings) < 25:
        return False
    if re.search(r"\[|\]|___|\*\*|<|>|\{|\}", text):
        return False
    if re.search(r"lumbar|cervical spine|abdomen|pelvis|knee|hip\b", report.impression, re.I):
        return False
    fsents, isents = sentences(report.findings), sentences(report.impression)
    if any(DROPPED_NEGATION.search(s) and not NEG_CUE.search(s) for s in fsents + isents):
        return False
    normal_imp = all(NORMAL_IMPRESSION.search(s) for s in isents)
    for concept, pattern in CONCEPTS.items():
        f_aff = any(affirms(s, pattern) for s in fsents)
        i_aff = any(affirms(s, pattern) for s in isents)
        f_neg = any(negates(s, concept) for s in fsents)
        i_neg = any(negates(s, concept) for s in isents)
        if (i_aff and f_neg and not f_aff) or (f_aff and i_neg and not i_aff):
            return False
        if normal_imp and concept not in ("cardiomegaly", "atelectasis", "nodule"):
            if any(firmly_affirms(s, pattern) for s in fsents):
                return False
    for pattern in LAT_GROUPS.values():
        f_sides = {m.lower() for s in fsents if mentions(s, pattern) for m in SIDE.findall(s)}
        i_sides = {m.lower() for s in isents if mentions(s, pattern) for m in SIDE.findall(s)}
        if f_sides and i_sides and not f_sides & i_sides:
            return False
    return True


# ---------------------------------------------------------------- injections

InjectResult = tuple[Report, str, dict[str, object]]


def _swap_side(sentence: str) -> str:
    def flip(match: re.Match[str]) -> str:
        word = match.group(0)
        new = "right" if word.lower() == "left" else "left"
        if word.isupper():
            return new.upper()
        if word[0].isupper():
            return new.capitalize()
        return new

    return SIDE.sub(flip, sentence)


def inject_missing(report: Report, rng: random.Random) -> InjectResult | None:
    which = rng.choice(["findings", "impression", "impression"])
    how = rng.choice(["drop", "empty_header"])
    new = replace(report, **{which: ""})
    return new, f"{which} removed", {"missing": which, "how": how}


UNRELATED_SIDE = (
    r"catheter|tube|line\b|pacemaker|picc|port\b|clip|lead|wire|device|shoulder|clavic|humer|"
    r"hemidiaphragm|mastectomy|breast|axill|arm\b|neck|atri|ventric|heart border|aortic arch"
)


def inject_laterality(report: Report, rng: random.Random) -> InjectResult | None:
    fsents, isents = sentences(report.findings), sentences(report.impression)
    options: list[tuple[str, int, str]] = []
    for name, pattern in LAT_GROUPS.items():
        for section, own, other in (("findings", fsents, isents), ("impression", isents, fsents)):
            for idx, sent in enumerate(own):
                sides = {m.lower() for m in SIDE.findall(sent)}
                if len(sides) != 1 or len(SIDE.findall(sent)) != 1 or BILATERAL.search(sent):
                    continue
                if not affirms(sent, pattern) or re.search(
                    r"lingula|heart border|hilum|hilar|"
                    r"hemidiaphragm|catheter|port|picc|"
                    r"tube|line\b|clip|middle lobe",
                    sent,
                    re.I,
                ):
                    continue
                side = sides.pop()
                same = [s for s in other if affirms(s, pattern) and side in s.lower() and not BILATERAL.search(s)]
                opposite = [
                    s for s in other if mentions(s, pattern) and ({m.lower() for m in SIDE.findall(s)} - {side})
                ]
                # after the flip, this section must no longer place the finding on that side
                # ...nor anywhere else, unless about devices or other structures, so that no
                # other finding on that side could be what the other section refers to
                rest_same_side = [
                    s
                    for j, s in enumerate(own)
                    if j != idx
                    and side in {m.lower() for m in SIDE.findall(s)}
                    and (mentions(s, pattern) or not re.search(UNRELATED_SIDE, s, re.I))
                ]
                if same and not opposite and not rest_same_side:
                    options.append((section, idx, name))
    if not options:
        return None
    section, idx, name = rng.choice(options)
    sents = list(fsents if section == "findings" else isents)
    before = sents[idx]
    sents[idx] = _swap_side(before)
    new = replace(report, **{section: " ".join(sents)})
    detail = f"{section}: '{before}' -> '{sents[idx]}' ({name} placed on the original side in the other section)"
    return new, detail, {"section": section}


AFFIRM_WORDING: dict[str, list[str]] = {
    "effusion": [
        "Moderate {side} pleural effusion.",
        "Large {side}-sided pleural effusion with overlying basal opacity.",
        "Moderate-sized {side} pleural effusion has developed.",
        "{Side} pleural effusion, moderate in volume.",
    ],
    "pneumothorax": [
        "Moderate {side} pneumothorax.",
        "Large {side}-sided pneumothorax; clinical team to be informed.",
        "{Side} apical pneumothorax measuring about 3 cm.",
    ],
    "consolidation": [
        "Dense {side} lower lobe consolidation in keeping with pneumonia.",
        "{Side} basal airspace consolidation, likely infective.",
        "Lobar pneumonia in the {side} lower lobe.",
        "{Side} upper lobe consolidation consistent with pneumonia.",
    ],
    "cardiomegaly": [
        "Marked cardiomegaly.",
        "The heart is significantly enlarged.",
        "Moderate enlargement of the cardiac silhouette.",
    ],
    "edema": [
        "Frank pulmonary oedema with bilateral perihilar haziness.",
        "Moderate interstitial pulmonary edema.",
        "Findings consistent with acute pulmonary edema.",
    ],
}
NEGATE_WORDING: dict[str, list[str]] = {
    "effusion": ["No pleural effusion.", "No effusion is seen.", "Pleural spaces are clear."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is identified."],
    "consolidation": [
        "No focal consolidation or airspace opacity.",
        "No airspace disease or consolidation.",
    ],
    "cardiomegaly": ["Heart size is normal.", "Normal cardiac size.", "No cardiomegaly."],
    "edema": ["No pulmonary edema.", "No evidence of pulmonary oedema."],
}


WEAK_AFFIRM = re.compile(r"XXXX|streaky|linear|band|subsegmental|atelecta|interstitial|discoid", re.I)
QUALIFIED_NEGATION = re.compile(r"\b(?:large|significant|sizable|definite|definitive|gross|focal)\b", re.I)


def inject_negation(report: Report, rng: random.Random, mode: str = "any") -> InjectResult | None:
    """mode: "insert" (impression asserts what findings deny), "remove" (the reverse) or "any"."""
    fsents, isents = sentences(report.findings), sentences(report.impression)
    all_sents = fsents + isents
    insert_opts: list[str] = []
    remove_opts: list[str] = []
    for concept in AFFIRM_WORDING:
        pattern = CONCEPTS[concept]
        if any(mentions(s, pattern) and not negates(s, concept) for s in all_sents):
            affirmed_f = [s for s in fsents if firmly_affirms(s, pattern) and not WEAK_AFFIRM.search(s)]
            affirmed_i = [s for s in isents if affirms(s, pattern)]
            if affirmed_f and affirmed_i:
                remove_opts.append(concept)
            continue
        if concept == "edema" and not any(negates(s, concept) for s in fsents):
            continue
        if any(negates(s, concept) for s in fsents):
            insert_opts.append(concept)
    if mode == "any":
        direction = "remove" if remove_opts and rng.random() < 0.5 else "insert"
    else:
        direction = mode
    if (direction == "insert" and not insert_opts) or (direction == "remove" and not remove_opts):
        return None
    if direction == "insert":
        concept = rng.choice(insert_opts)
        side = rng.choice(["left", "right"])
        negator = next(s for s in fsents if negates(s, concept))
        wordings = AFFIRM_WORDING[concept]
        if QUALIFIED_NEGATION.search(negator):
            # "no large effusion" does not exclude a moderate one: assert a large one
            wordings = [w for w in wordings if w.startswith(("Large", "Dense", "Lobar", "Marked", "Frank"))]
        claim = rng.choice(wordings).format(side=side, Side=side.capitalize())
        kept = [
            s
            for s in isents
            if not NORMAL_IMPRESSION.search(s)
            and not re.search(CONCEPTS[concept], s, re.I)
            and not (concept == "consolidation" and LUNGS_CLEAR.search(s))
            and not (concept == "cardiomegaly" and HEART_NORMAL.search(s))
        ]
        new_imp = " ".join([claim, *kept])
        detail = f"findings negate {concept} ('{negator}'); impression now asserts '{claim}'"
    else:
        concept = rng.choice(remove_opts)
        pattern = CONCEPTS[concept]
        denial = rng.choice(NEGATE_WORDING[concept])
        kept = [s for s in isents if not mentions(s, pattern)]
        pos = next(i for i, s in enumerate(isents) if mentions(s, pattern))
        kept.insert(min(pos, len(kept)), denial)
        new_imp = " ".join(kept)
        aff = next(s for s in fsents if firmly_affirms(s, pattern) and not WEAK_AFFIRM.search(s))
        detail = f"findings affirm {concept} ('{aff}'); impression now denies it: '{denial}'"
    return replace(report, impression=new_imp), detail, {"concept": concept}


ACUTE: dict[str, str] = {
    "pneumothorax": CONCEPTS["pneumothorax"],
    "effusion": r"(?<!no )(?:pleural )?effusions?",
    "consolidation": CONCEPTS["consolidation"],
    "edema": r"(?:pulmonary|interstitial|alveolar) o?edema|oedema|edema",
    "mass/nodule": r"\bmass\b|(?:new|enlarging|suspicious|spiculated) (?:\w+ )?nodul\w*",
}
NORMAL_STATEMENTS = [
    "No acute cardiopulmonary process identified.",
    "Normal chest radiograph.",
    "Unremarkable radiograph of the chest.",
    "No radiographic abnormality of acute significance.",
    "No significant abnormality demonstrated.",
    "Normal appearances of the chest.",
    "No acute cardiorespiratory abnormality.",
    "Chest within normal limits for age.",
    "No active intrathoracic disease seen.",
    "Essentially normal study.",
]


def inject_omission(report: Report, rng: random.Random) -> InjectResult | None:
    fsents = sentences(report.findings)
    hits: list[tuple[str, str]] = []
    for name, pattern in ACUTE.items():
        for sent in fsents:
            if not firmly_affirms(sent, pattern):
                continue
            if re.search(
                r"blunting|loculated|soft tissue|mass effect|streaky|linear|band|"
                r"discoid|plate|subsegmental|atelecta|persist|clearing|resolv|improv|decreas|"
                r"question|\?|minimal|XXXX",
                sent,
                re.I,
            ):
                continue
            concept = {"mass/nodule": "nodule"}.get(name, name)
            if any(negates(s, concept) for s in fsents):
                continue
            hits.append((name, sent))
    if not hits:
        return None
    name, sent = rng.choice(hits)
    statement = rng.choice(NORMAL_STATEMENTS)
    detail = f"findings affirm {name} ('{sent}'); impression replaced by '{statement}'"
    return replace(report, impression=statement), detail, {"finding": name}


PLACEHOLDERS = {
    "side": ["[left/right]", "___", "[***]", "<side>", "[RIGHT/LEFT]", "***", "[ ]"],
    "grade": ["___", "[mild/moderate/severe]", "[***]", "[small/moderate/large]", "{{severity}}", "[ ]"],
    "number": ["___", "[ ]", "[***]", "[x]", "__"],
    "word": ["[***]", "***", "[ ]", "<<>>", "[insert]", "{{finding}}", "[...]", "[ *** ]"],
}
GRADE = re.compile(r"\b(mild|mildly|moderate|moderately|small|large|minimal|severe|marked)\b", re.I)
NUMBER = re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm|centimeters?|millimeters?)\b)")
WORDS = re.compile(
    r"\b(normal|clear|acute|enlarged|effusion|pneumothorax|consolidation|opacity|"
    r"atelectasis|lungs|heart|mediastinum|osseous|cardiomediastinal|silhouette|"
    r"disease|process|abnormality|intact|granuloma|spine|degenerative)\b",
    re.I,
)


def inject_placeholder(report: Report, rng: random.Random) -> InjectResult | None:
    options: list[tuple[str, int, str, re.Match[str]]] = []
    for section in ("findings", "impression"):
        for idx, sent in enumerate(sentences(getattr(report, section))):
            for slot, regex in (("side", SIDE), ("grade", GRADE), ("number", NUMBER), ("word", WORDS)):
                for match in regex.finditer(sent):
                    options.append((section, idx, slot, match))
    if not options:
        return None
    preferred = [o for o in options if o[2] != "word"]
    pool = preferred if preferred and rng.random() < 0.6 else options
    section, idx, slot, match = rng.choice(pool)
    token = rng.choice(PLACEHOLDERS[slot])
    sents = sentences(getattr(report, section))
    before = sents[idx]
    sents[idx] = before[: match.start()] + token + before[match.end() :]
    new = replace(report, **{section: " ".join(sents)})
    detail = f"{section}: {slot} '{match.group(0)}' -> {token} in '{sents[idx]}'"
    return new, detail, {"section": section}


INJECTORS: dict[str, Callable[[Report, random.Random], InjectResult | None]] = {
    "missing_section": inject_missing,
    "laterality_conflict": inject_laterality,
    "negation_conflict": inject_negation,
    "impression_omits_finding": inject_omission,
    "placeholder": inject_placeholder,
}

# ---------------------------------------------------------------- layouts

UK_SPELLING = [
    ("edema", "oedema"),
    ("Edema", "Oedema"),
    ("esophag", "oesophag"),
    ("Esophag", "Oesophag"),
    ("hemorrh", "haemorrh"),
    ("tumor", "tumour"),
    ("centimeter", "centimetre"),
    ("anemia", "anaemia"),
    ("ischemi", "ischaemi"),
]
ANAPHORA = re.compile(
    r"^(?:this|these|it|otherwise|again|also|additionally|however|in addition|"
    r"they|which)\b",
    re.I,
)
ORGAN_BINS: list[tuple[str, str]] = [
    ("LINES/TUBES", r"catheter|tube|pacemaker|picc|port\b|lead|wire|clip|stent|device"),
    ("PLEURA", r"pleura|effusion|pneumothorax|costophrenic"),
    ("HEART/MEDIASTINUM", r"heart|cardi|mediastin|hilar|hila|aort|vascular|silhouette"),
    (
        "LUNGS",
        r"lung|pulmonary|air ?space|consolidat|opacit|infiltrat|atelecta|nodul|pneumonia|"
        r"edema|interstitial|granuloma",
    ),
    (
        "BONES/SOFT TISSUES",
        r"bone|osseous|spine|rib|fractur|skeletal|degenerat|clavicle|"
        r"shoulder|spondyl|soft tissue",
    ),
]


def uk(text: str) -> str:
    for us, gb in UK_SPELLING:
        text = text.replace(us, gb)
    return text


def lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def numbered(text: str, style: str = "{n}. ") -> str:
    sents = sentences(text)
    if len(sents) < 2:
        return text
    return "\n".join(style.format(n=i + 1) + s for i, s in enumerate(sents))


def bulleted(text: str, bullet: str = "- ") -> str:
    return "\n".join(bullet + s for s in sentences(text))


def semicolons(text: str) -> str:
    sents = [s.rstrip(".") for s in sentences(text)]
    if len(sents) < 2:
        return text
    return "; ".join([sents[0], *[lower_first(s) for s in sents[1:]]]) + "."


def templated(text: str) -> str | None:
    sents = sentences(text)
    if len(sents) < 3 or any(ANAPHORA.search(s) for s in sents):
        return None
    bins: dict[str, list[str]] = {}
    for sent in sents:
        hits = [(m.start(), name) for name, pat in ORGAN_BINS for m in [re.search(pat, sent, re.I)] if m]
        name = min(hits)[1] if hits else "OTHER"
        bins.setdefault(name, []).append(sent)
    order = [n for n, _ in ORGAN_BINS] + ["OTHER"]
    return "\n".join(f"{name}: {' '.join(bins[name])}" for name in order if name in bins)


def mimic_mask(text: str) -> str:
    """MIMIC-style de-identification: only ages and dates become ___ (never clinical words)."""
    text = re.sub(r"\bXXXX(?=[- ]year)", "___", text)
    if re.fullmatch(r"[\sXx,./-]*(?:dated|from|on)?[\sXx,./-]*", text) and "XXXX" in text:
        return re.sub(r"XXXX", "___", text)
    return re.sub(r"(?<=dated )XXXX(?:, XXXX)?", "___", text)


@dataclass
class Layout:
    name: str
    free_text: bool


def body_findings(text: str, style: str) -> str:
    if style == "numbered":
        return numbered(text)
    if style == "semicolon":
        return semicolons(text)
    if style == "bullets":
        return bulleted(text, "* ")
    if style == "templated":
        return templated(text) or text
    return text


def body_impression(text: str, style: str) -> str:
    if style == "numbered":
        return numbered(text)
    if style == "paren":
        return numbered(text, "({n}) ")
    if style == "bullets":
        return bulleted(text)
    return text


def render(report: Report, rng: random.Random, missing: str = "", how: str = "") -> dict[str, str]:
    """Lay a report out in one of many realistic styles; ``missing`` names an emptied section."""
    f_style = rng.choice(["plain", "plain", "numbered", "semicolon", "bullets", "templated"])
    i_style = rng.choice(["plain", "plain", "numbered", "paren", "bullets"])
    findings = body_findings(report.findings, f_style) if report.findings else ""
    impression = body_impression(report.impression, i_style) if report.impression else ""
    indication, comparison = report.indication, report.comparison
    if rng.random() < 0.45:
        out = {"indication": indication, "comparison": comparison, "findings": findings, "impression": impression}
        if rng.random() < 0.2:
            out = {k: v.upper() for k, v in out.items()}
        return out
    style = rng.choice(["us", "mimic", "uk", "au", "ca", "india", "caps", "dictated", "inline", "underlined"])
    f_head, i_head, ind_head, cmp_head = "FINDINGS:", "IMPRESSION:", "INDICATION:", "COMPARISON:"
    pre: list[str] = []
    post: list[str] = []
    sep = "\n\n"
    inline = False
    if style == "mimic":
        indication, comparison = mimic_mask(indication), mimic_mask(comparison)
        pre = ["EXAMINATION: CHEST RADIOGRAPH"]
        f_head, i_head, ind_head, cmp_head = "FINDINGS:", "IMPRESSION:", "INDICATION:", "COMPARISON:"
    elif style == "uk":
        findings, impression = uk(findings), uk(impression)
        indication, comparison = uk(indication), uk(comparison)
        pre = ["XR CHEST"]
        f_head = rng.choice(["Findings:", "Report:"])
        i_head = rng.choice(["Conclusion:", "Opinion:", "Summary:"])
        ind_head, cmp_head = "Clinical details:", "Comparison:"
    elif style == "au":
        findings, impression = uk(findings), uk(impression)
        pre = ["CHEST X-RAY"]
        f_head, i_head, ind_head, cmp_head = "REPORT:", "CONCLUSION:", "CLINICAL HISTORY:", "PRIORS:"
    elif style == "ca":
        f_head, i_head = "Findings:", rng.choice(["Interpretation:", "Impression:"])
        ind_head, cmp_head = "Reason for exam:", "Comparison:"
        post = ["Dictated and electronically signed by the reporting radiologist."]
    elif style == "india":
        f_head, i_head, ind_head, cmp_head = "OBSERVATIONS:", "IMPRESSION:", "CLINICAL PROFILE:", "PREVIOUS FILMS:"
        pre = ["X-RAY CHEST"]
        if not findings.startswith(("* ", "1.")) and "\n" not in findings:
            findings = bulleted(findings, "- ") if findings else ""
        post = ["Kindly correlate clinically."]
    elif style == "dictated":
        sep, inline = " ", True
        findings = " ".join(lower_first(s) for s in sentences(report.findings))
        impression = " ".join(lower_first(s) for s in sentences(report.impression))
        f_head, i_head = rng.choice(
            [("Findings:", "Impression:"), ("FINDINGS", "IMPRESSION"), ("findings:", "impression:")]
        )
        ind_head, cmp_head = "History:", "Comparison:"
        post = [
            "This report was generated with speech recognition software; "
            "unintentional transcription errors may be present."
        ]
    elif style == "inline":
        sep, inline = "\n", True
        f_head, i_head = "FINDINGS -", "IMPRESSION -"
        ind_head, cmp_head = "HISTORY -", "COMPARISON -"
    elif style == "underlined":
        f_head, i_head = "Findings\n--------", "Impression\n----------"
        ind_head, cmp_head = "Indication\n----------", "Comparison\n----------"
    blocks: list[str] = list(pre)
    joiner = " " if inline else "\n"
    if indication:
        blocks.append(f"{ind_head}{joiner}{indication}")
    if comparison:
        blocks.append(f"{cmp_head}{joiner}{comparison}")
    for head, body, name in ((f_head, findings, "findings"), (i_head, impression, "impression")):
        if body:
            listed = "\n" in body or body.startswith(("- ", "* "))
            blocks.append(f"{head}{chr(10) if listed else joiner}{body}")
        elif missing == name and how == "empty_header":
            blocks.append(head)
    blocks.extend(post)
    text = sep.join(blocks)
    if style == "caps":
        text = text.upper()
    return {"report": text}


# ---------------------------------------------------------------- building the set


def build(reports: list[Report], seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    pool = [r for r in reports if is_consistent(r)]
    rng.shuffle(pool)
    cases: list[dict[str, object]] = []
    used: set[str] = set()
    plan = [
        ("laterality_conflict", PER_KIND, "any"),
        ("negation_conflict", 16, "remove"),
        ("impression_omits_finding", PER_KIND, "any"),
        ("negation_conflict", PER_KIND - 16, "insert"),
        ("placeholder", PER_KIND, "any"),
        ("missing_section", PER_KIND, "any"),
    ]
    for kind, quota, mode in plan:
        made = 0
        for report in pool:
            if made == quota:
                break
            if report.uid in used:
                continue
            if kind == "negation_conflict":
                result = inject_negation(report, rng, mode)
            else:
                result = INJECTORS[kind](report, rng)
            if result is None:
                continue
            new, detail, meta = result
            text = render(new, rng, str(meta.get("missing", "")), str(meta.get("how", "")))
            if kind == "missing_section":
                if "report" not in text:
                    detail += " (field left empty)"
                elif meta["how"] == "empty_header":
                    detail += " (header kept, body empty)"
                else:
                    detail += " (header and body dropped)"
            cases.append({"uid": report.uid, "injected": kind, "detail": detail, **text})
            used.add(report.uid)
            made += 1
        if made < quota:
            raise SystemExit(f"only {made} usable reports for {kind}")
    clean = [r for r in pool if r.uid not in used][:CLEAN]
    for report in clean:
        cases.append({"uid": report.uid, "injected": None, "detail": "", **render(report, rng)})
    rng.shuffle(cases)
    return [{"id": f"h5-{seed}-{i:03d}", **case} for i, case in enumerate(cases)]


def show(cases: list[dict[str, object]], n: int, seed: int) -> None:
    counts = Counter(str(c["injected"]) for c in cases)
    print(dict(counts))
    rng = random.Random(seed * 7 + 1)
    for kind in [None, *KINDS]:
        group = [c for c in cases if c["injected"] == kind]
        for case in rng.sample(group, min(n, len(group))):
            print("=" * 30, case["id"], case["uid"], kind, "|", case["detail"])
            for key in ("indication", "comparison", "findings", "impression", "report"):
                if key in case:
                    print(f"<{key}> {case[key]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=601)
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    parser.add_argument("--show", type=int, default=0, help="print N random cases per kind")
    args = parser.parse_args(argv)
    tgz = args.shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    if not tgz.exists():
        print(f"IU reports not found at {tgz}", file=sys.stderr)
        return 2
    excluded = dev_uids(args.shared / "eval" / "report_errors_dev.jsonl")
    reports = [r for r in load_iu(tgz) if r.uid not in excluded]
    cases = build(reports, args.seed)
    with args.out.open("w") as handle:
        for case in cases:
            handle.write(json.dumps(case) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}")
    if args.show:
        show(cases, args.show, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
