"""Blind held-out set 4 for the offline report checker, written without reading the checker.

usage: python -m bench.make_heldout4 OUT.jsonl [--seed S] [--reports NLMCXR_reports.tgz] [--dev DEV.jsonl]

Writes 400 cases built from real IU X-ray reports (not the dev set's uids): 200 unmodified and 40 of
each kind (missing_section, laterality_conflict, negation_conflict, impression_omits_finding,
placeholder), in the dev set's format. Every report, clean or not, is re-laid out in one of several
regional styles (US, MIMIC-like, UK, Australian, Canadian, Indian, markdown, underlined headers, or
separate fields) with regional spellings, abbreviations and normal-statement wordings. Standard library
only; the same seed gives the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
DEFAULT_REPORTS = Path("/work/shared/data/iu_reports/NLMCXR_reports.tgz")
DEFAULT_DEV = Path("/work/shared/eval/report_errors_dev.jsonl")

# ----------------------------------------------------------------------------- reading

_SPLIT = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bvs\.)\s+(?=[A-Z0-9(])")
_NUMBERING = re.compile(r"^\s*\d+[.)]\s*")


@dataclass
class Report:
    """One real report, its narrative sections held as sentence lists."""

    uid: str
    indication: str
    comparison: str
    findings: list[str]
    impression: list[str]
    notes: list[str] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Collapse whitespace and the collection's stray doubled full stops."""
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"(?:\s*\.){2,}", ".", text)
    return text.strip()


def split_sentences(text: str) -> list[str]:
    """Split a section into sentences and drop any list numbering."""
    out = []
    for part in _SPLIT.split(clean_text(text)):
        part = _NUMBERING.sub("", part).strip()
        if part and part != ".":
            if not part.endswith((".", "!", "?")):
                part += "."
            out.append(part[0].upper() + part[1:])
    return out


def read_reports(path: Path) -> Iterator[Report]:
    """Yield the IU reports in the tarball, in uid order."""
    rows = []
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            root = ET.parse(handle).getroot()
            uid_el = root.find("uId")
            uid = uid_el.get("id", "") if uid_el is not None else ""
            sections = {(el.get("Label") or "").lower(): el.text or "" for el in root.iter("AbstractText")}
            rows.append(
                Report(
                    uid=uid,
                    indication=clean_text(sections.get("indication", "")),
                    comparison=clean_text(sections.get("comparison", "")),
                    findings=split_sentences(sections.get("findings", "")),
                    impression=split_sentences(sections.get("impression", "")),
                )
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r.uid) or 0))
    yield from rows


def dev_uids(path: Path) -> set[str]:
    """The uids the dev set used (empty when the file is absent)."""
    if not path.exists():
        return set()
    return {json.loads(line)["uid"] for line in path.open() if line.strip()}


# ----------------------------------------------------------------------------- wording

UK_SPELLING = [
    (r"\bedema", "oedema"),
    (r"\bEdema", "Oedema"),
    (r"\btumor", "tumour"),
    (r"\besophag", "oesophag"),
    (r"\bhemorrhag", "haemorrhag"),
    (r"\bcenter", "centre"),
    (r"\bcentimeter", "centimetre"),
    (r"\banemi", "anaemi"),
    (r"\bischemi", "ischaemi"),
    (r"\bcolor", "colour"),
]
ABBREVIATIONS = [
    (r"\bright lower lobe\b", "RLL"),
    (r"\bRight lower lobe\b", "RLL"),
    (r"\bleft lower lobe\b", "LLL"),
    (r"\bLeft lower lobe\b", "LLL"),
    (r"\bright upper lobe\b", "RUL"),
    (r"\bRight upper lobe\b", "RUL"),
    (r"\bleft upper lobe\b", "LUL"),
    (r"\bLeft upper lobe\b", "LUL"),
    (r"\bright middle lobe\b", "RML"),
    (r"\bRight middle lobe\b", "RML"),
    (r"\bcostophrenic\b", "CP"),
    (r"\bCostophrenic\b", "CP"),
    (r"\bpneumothorax\b", "PTX"),
    (r"\bbilateral\b", "b/l"),
]
# Whole normal sentences and regional ways of saying the same thing.
NORMAL_VARIANTS: list[tuple[str, list[str]]] = [
    (
        r"(?:the )?lungs are clear\.",
        [
            "Both lung fields are clear.",
            "Lungs clear bilaterally.",
            "Clear lungs.",
            "The lung fields are clear.",
            "Lungs: clear.",
        ],
    ),
    (
        r"(?:the )?heart (?:size )?is normal(?: in size)?\.|normal heart size\."
        r"|heart size (?:is )?within normal limits\.",
        [
            "Cardiac size is within normal limits.",
            "Heart not enlarged.",
            "Cardiothoracic ratio is within normal limits.",
            "The cardiac silhouette is of normal size.",
            "CTR normal.",
        ],
    ),
    (
        r"no pneumothorax\.|there is no pneumothorax\.",
        ["No PTX.", "No pneumothorax is seen.", "Pneumothorax: none.", "No evidence of pneumothorax."],
    ),
    (
        r"no pleural effusion\.|there is no pleural effusion\.",
        [
            "Both CP angles are clear.",
            "Costophrenic angles are sharp.",
            "No pleural fluid.",
            "No effusion is seen.",
        ],
    ),
    (
        r"no (?:pleural effusion or pneumothorax|pneumothorax or pleural effusion)\.",
        [
            "No pleural effusion or PTX.",
            "Pleural spaces are clear.",
            "CP angles clear, no pneumothorax.",
            "No effusion; no pneumothorax.",
        ],
    ),
    (
        r"no focal (?:consolidation|airspace disease)\.",
        [
            "No focal consolidative change.",
            "No focal airspace opacity is seen.",
            "No consolidation identified.",
        ],
    ),
]
NORMAL_IMPRESSION = re.compile(
    r"^(?:no (?:acute|active|evidence of acute|radiographic evidence of acute) "
    r"(?:cardiopulmonary |pulmonary |intrathoracic |chest )?"
    r"(?:disease|abnormalit(?:y|ies)|process|findings?|pathology)"
    r"(?: (?:identified|seen|detected|in the chest))?"
    r"|normal chest(?: x-ray| radiograph)?|negative chest(?: x-ray)?)\.$",
    re.IGNORECASE,
)
NORMAL_OPENING = re.compile(
    r"^(?:no (?:radiographic |radiological )?(?:evidence of )?(?:acute|active)|normal|negative|unremarkable"
    r"|clear lungs|lungs are clear|nad\b|no significant|no abnormality|nothing acute|stable chest)",
    re.IGNORECASE,
)
NORMAL_ANYWHERE = re.compile(
    r"\bno (?:\w+ ){0,3}(?:acute|active)\b|\bwithin normal limits\b|\bnormal (?:study|chest|examination|exam)\b"
    r"|\bunremarkable (?:exam|study|chest|examination)\b|\bessentially normal\b",
    re.IGNORECASE,
)
CLEAN_IMPRESSION_VARIANTS = [
    "No acute cardiopulmonary process identified.",
    "NAD.",
    "No active disease seen in the chest.",
    "No radiological evidence of acute chest pathology.",
    "Normal chest radiograph.",
    "Chest X-ray within normal limits.",
    "No active lung lesion seen.",
    "Unremarkable chest radiograph.",
    "No significant abnormality detected.",
    "Essentially normal study.",
]
# New words for a normal impression that replaces one which should have named a finding.
OMIT_IMPRESSIONS = [
    "No acute intrathoracic abnormality.",
    "Normal chest X-ray.",
    "No active cardiopulmonary pathology identified.",
    "Chest radiograph within normal limits.",
    "No significant abnormality detected.",
    "Unremarkable chest radiograph; no acute findings.",
    "NAD.",
    "No radiographic evidence of acute disease.",
    "No abnormality demonstrated.",
    "Clear chest. No acute change.",
    "No active lung lesion seen. Normal study.",
    "Nothing acute. Routine follow-up as clinically indicated.",
    "Normal appearances of the chest.",
    "No acute cardiopulmonary findings; normal examination.",
]

# ----------------------------------------------------------------------------- findings

CONCEPTS: dict[str, str] = {
    "effusion": r"\beffusions?\b|\bpleural fluid\b|\bhydrothorax\b",
    "pneumothorax": r"\bpneumothora(?:x|ces)\b|\bPTX\b",
    "consolidation": (
        r"\bconsolidat\w*|\bair[- ]?space (?:disease|opacit(?:y|ies)|process|filling)"
        r"|\binfiltrat\w*|\bpneumonia\b"
    ),
    "edema": r"\bo?edema\b|\boedema\b",
    "cardiomegaly": (
        r"\bcardiomegaly\b|\benlarged (?:heart|cardiac silhouette)\b"
        r"|\b(?:heart|cardiac silhouette|cardiac size|heart size)\b[^.;]{0,25}\benlarged\b"
    ),
    "nodule": r"\bnodules?\b|\bmass(?:es)?\b",
}
# Ways a finding can be placed on one side, grouped by what a radiologist would call the same finding.
SIDE_GROUPS: dict[str, str] = {
    "opacity": (
        CONCEPTS["consolidation"] + r"|\bopacit(?:y|ies|ification)\b|\bdensit(?:y|ies)\b|\batelecta\w*|\bcollapse\b"
    ),
    "effusion": CONCEPTS["effusion"] + r"|\bblunting\b|\b(?:costophrenic|CP) angle",
    "pneumothorax": CONCEPTS["pneumothorax"] + r"|\bhydropneumothorax\b",
    "nodule": r"\bnodul\w*|\bmass(?:es)?\b|\bgranulom\w*|\blesion\b",
    "fracture": r"\bfractur\w*",
    "diaphragm": r"\bhemidiaphragm\b|\bdiaphragm\b",
}
NEGATION = re.compile(
    r"\b(?:no|not|without|negative for|free of|absence of|clear of|nor|resolution of|resolved"
    r"|removed|exclude|excluded|rather than|instead of|none|nil|absent)\b",
    re.IGNORECASE,
)
UNCERTAIN = re.compile(
    r"\b(?:possibl\w*|may|might|question\w*|cannot|can't|could|suspect\w*|suggest\w*|versus|vs"
    r"|likely|probabl\w*|concern\w*|differential|equivocal|borderline|subtle|minimal|trace|tiny"
    r"|resolv\w*|resolution|improv\w*|decreas\w*|prior|previous|history|old|chronic|healed"
    r"|calcifi\w*|granulom\w*|scar\w*|atelectasis|atelectatic|no longer|less|upper limits?|top"
    r"|typical|consider\w*|represent\w*|suspicious|similar"
    r"|clearing|cleared|vague|faint|rule out|r/o|follow-up|recommend\w*|XXXX)\b|\?",
    re.IGNORECASE,
)
WEAK_NEGATION = re.compile(
    r"\b(?:no|without|negative for)\s+(?:\w+\s+)?(?:large|significant|sizable|sizeable|gross|definite"
    r"|obvious|overt|appreciable|substantial|new|visible|convincing|other|additional|acute|frank"
    r"|residual|recurrent|increasing|worsening)\b",
    re.IGNORECASE,
)
NEGATED_BY_MEANING: dict[str, str] = {
    "effusion": r"\b(?:costophrenic|CP) angles?\b[^.;]{0,20}\b(?:clear|sharp|preserved)\b|\bpleural spaces are clear\b",
    "consolidation": r"^(?:the )?(?:both )?(?:lungs?|lung fields?) (?:are |is |appear |remain )?clear\b",
    "cardiomegaly": (
        r"\b(?:heart|cardiac)(?: size| silhouette| contour)?\b[^.;]{0,30}"
        r"\b(?:normal|within normal limits|unremarkable|not enlarged)\b|\bnormal (?:heart|cardiac)\b"
        r"|\bCTR\b[^.;]{0,10}\bnormal\b"
    ),
}
MEANING_BLOCK = re.compile(
    r"\b(?:otherwise|upper limits?|borderline|top|mild\w*|except|but|enlarg\w*|however)\b", re.IGNORECASE
)


def mentions(sentence: str, pattern: str) -> bool:
    """Whether the sentence names the concept at all."""
    return re.search(pattern, sentence, re.IGNORECASE) is not None


def affirms(sentence: str, pattern: str, strict: bool) -> bool:
    """The sentence states the finding with no negation anywhere (and, if strict, no hedge)."""
    if not mentions(sentence, pattern) or NEGATION.search(sentence):
        return False
    # "A or B" lists are negation lists with the "no" lost to a sentence split, or hedges.
    return not (strict and (UNCERTAIN.search(sentence) or re.search(r"\bor\b", sentence)))


def negates(sentence: str, concept: str) -> bool:
    """The sentence plainly negates the concept (explicitly, or by meaning for a few)."""
    match = re.search(CONCEPTS[concept], sentence, re.IGNORECASE)
    if match is not None:
        before = sentence[: match.start()]
        if re.search(r"\b(?:but|however|although|though|with|and there is)\b|;", before, re.IGNORECASE):
            before = re.split(r"\b(?:but|however|although|though|with|and there is)\b|;", before)[-1]
        cue = NEGATION.search(before)
        if cue is not None and not WEAK_NEGATION.search(sentence) and not UNCERTAIN.search(sentence):
            return concept != "cardiomegaly" or "cardiomegaly" in match.group(0).lower()
        after = sentence[match.end() :]
        if re.match(
            r"\s*(?::\s*(?:none|nil|absent|negative)"
            r"|(?:is|are)?\s*(?:not (?:seen|identified|present|visible)|absent))\b",
            after,
        ):
            return not UNCERTAIN.search(sentence)
        return False
    meaning = NEGATED_BY_MEANING.get(concept)
    if meaning and re.search(meaning, sentence, re.IGNORECASE):
        return not MEANING_BLOCK.search(sentence) and not UNCERTAIN.search(sentence)
    return False


LEFT = re.compile(r"\bleft\b|\bLLL\b|\bLUL\b|\blingula\w*\b", re.IGNORECASE)
RIGHT = re.compile(r"\bright\b|\bRLL\b|\bRUL\b|\bRML\b", re.IGNORECASE)
BOTH = re.compile(r"\bbilateral\w*|\bbibasil\w*|\bboth\b|\bb/l\b|\bbiapical\b|\bbilat\b", re.IGNORECASE)


def side_of(sentence: str) -> str | None:
    """'left' or 'right' when the sentence names exactly one side, else None."""
    left, right = bool(LEFT.search(sentence)), bool(RIGHT.search(sentence))
    if BOTH.search(sentence) or left == right:
        return None
    return "left" if left else "right"


ZONES = {
    "lower": r"\b(?:base|bases|basilar|basal|basally|lower|RLL|LLL|costophrenic|CP|retrocardiac|infrahilar)\b",
    "upper": r"\b(?:upper|apex|apices|apical|apically|RUL|LUL|suprahilar)\b",
    "mid": r"\b(?:mid|midlung|middle|perihilar|hilar|hilum)\b",
}


def zones(sentence: str) -> set[str]:
    """Which lung zones the sentence names."""
    return {name for name, pattern in ZONES.items() if re.search(pattern, sentence, re.IGNORECASE)}


def flip_sides(sentence: str) -> str:
    """Swap every side word in the sentence, keeping its case."""
    swaps = {"left": "right", "right": "left", "lll": "RLL", "rll": "LLL", "lul": "RUL", "rul": "LUL"}

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        new = swaps[word.lower()]
        if word.isupper() and len(word) == 3:
            return new.upper()
        if word.isupper():
            return new.upper()
        if word[0].isupper():
            return new.capitalize()
        return new

    return re.sub(r"\b(?:left|right|LLL|RLL|LUL|RUL)\b", swap, sentence, flags=re.IGNORECASE)


# ----------------------------------------------------------------------------- injections

Injection = Callable[[Report, random.Random], str | None]


def inject_missing(report: Report, rng: random.Random) -> str | None:
    """Empty FINDINGS or IMPRESSION."""
    if rng.random() < 0.5:
        report.findings = []
        return "findings removed"
    report.impression = []
    return "impression removed"


def inject_laterality(report: Report, rng: random.Random) -> str | None:
    """Flip the side of a finding in one sentence that the other section places on the original side."""
    options = []
    for group, pattern in SIDE_GROUPS.items():
        every = report.findings + report.impression
        sides = {side_of(s) for s in every if mentions(s, pattern)}
        if any(mentions(s, pattern) and BOTH.search(s) for s in every):
            continue
        if None in sides or len(sides) != 1:
            continue
        for name, here, there in (
            ("findings", report.findings, report.impression),
            ("impression", report.impression, report.findings),
        ):
            anchors = [s for s in there if affirms(s, pattern, strict=False) and side_of(s)]
            if not anchors:
                continue
            for index, sentence in enumerate(here):
                if affirms(sentence, pattern, strict=False) and side_of(sentence) and "RML" not in sentence:
                    if re.search(r"\bmiddle lobe|lingul", sentence, re.IGNORECASE):
                        continue
                    # The other section must speak of the same finding: same zone when both name one.
                    same = [a for a in anchors if not (zones(a) and zones(sentence)) or zones(a) & zones(sentence)]
                    if same:
                        options.append((group, name, index, same[0]))
    if not options:
        return None
    group, name, index, anchor = rng.choice(options)
    section = report.findings if name == "findings" else report.impression
    before = section[index]
    section[index] = flip_sides(before)
    return f"{name}: {before!r} -> {section[index]!r} ({group}; other section still says {anchor!r})"


ASSERTIONS: dict[str, list[str]] = {
    "effusion": [
        "Moderate {side} pleural effusion.",
        "Large {side}-sided pleural effusion with adjacent basal collapse.",
        "Moderate-sized {side} pleural effusion, new.",
        "Bilateral pleural effusions, moderate on the {side}.",
    ],
    "pneumothorax": [
        "Moderate {side} pneumothorax.",
        "{Side} apical pneumothorax measuring about 2 cm.",
        "Large {side}-sided pneumothorax; urgent clinical review advised.",
    ],
    "consolidation": [
        "{Side} lower lobe consolidation in keeping with pneumonia.",
        "Dense airspace consolidation in the {side} lower zone, consistent with infection.",
        "{Side} upper lobe pneumonia.",
        "Lobar consolidation of the {side} lower lobe.",
    ],
    "edema": [
        "Interstitial pulmonary {edema}.",
        "Moderate pulmonary {edema}.",
        "Features of congestive cardiac failure with alveolar {edema}.",
    ],
    "cardiomegaly": [
        "Cardiomegaly.",
        "The heart is enlarged.",
        "Moderately enlarged cardiac silhouette.",
        "Cardiomegaly, CTR approximately 0.6.",
    ],
}
DENIALS: dict[str, list[str]] = {
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear; no effusion.", "Pleural spaces are clear."],
    "pneumothorax": ["No pneumothorax.", "No PTX.", "No evidence of pneumothorax."],
    "consolidation": [
        "Lungs are clear; no consolidation.",
        "No focal consolidation or pneumonia.",
        "No airspace disease.",
    ],
    "edema": ["No pulmonary {edema}.", "No evidence of pulmonary {edema} or congestion."],
    "cardiomegaly": ["Heart size is normal.", "Normal cardiac size.", "No cardiomegaly."],
}


def inject_negation(report: Report, rng: random.Random) -> str | None:
    """Make IMPRESSION assert what FINDINGS negates, or deny what FINDINGS affirms."""
    every = report.findings + report.impression
    options = []
    for concept, pattern in CONCEPTS.items():
        if concept == "nodule":
            continue
        related = SIDE_GROUPS.get(concept, pattern) if concept != "consolidation" else SIDE_GROUPS["opacity"]
        if concept in ASSERTIONS and not any(
            affirms(s, related, strict=False) or (mentions(s, related) and not negates(s, concept)) for s in every
        ):
            denied = [s for s in report.findings if negates(s, concept)]
            if denied:
                options.append(("assert", concept, denied[0]))
        strong = [s for s in report.findings if affirms(s, pattern, strict=True)]
        if strong and not any(negates(s, concept) for s in report.findings):
            options.append(("deny", concept, strong[0]))
    if not options:
        return None
    wanted = rng.choice(sorted({option[0] for option in options}))
    how, concept, evidence = rng.choice([option for option in options if option[0] == wanted])
    side = rng.choice(["left", "right"])
    edema = "oedema" if any("oedema" in s for s in every) else "edema"
    if how == "assert":
        text = rng.choice(ASSERTIONS[concept]).format(side=side, Side=side.capitalize(), edema=edema)
    else:
        text = rng.choice(DENIALS[concept]).format(edema=edema)
    pattern = SIDE_GROUPS["opacity"] if concept == "consolidation" else CONCEPTS[concept]
    kept = [s for s in report.impression if not mentions(s, pattern) and not negates(s, concept)]
    normal = [s for s in kept if NORMAL_IMPRESSION.match(s) or NORMAL_OPENING.match(s) or NORMAL_ANYWHERE.search(s)]
    if how == "assert":
        # A normal-sounding impression sentence next to the new finding would muddle the test.
        kept = [s for s in kept if s not in normal]
    place = rng.random()
    if place < 0.45 or not kept:
        report.impression = [text] + kept
    elif place < 0.8:
        report.impression = [*kept, text]
    else:
        report.impression = [text]
    verb = "negate" if how == "assert" else "affirm"
    return f"findings {verb} {concept} ({evidence!r}); impression now says {text!r}"


def acute_findings(report: Report) -> list[tuple[str, str]]:
    """Clearly significant, unhedged acute findings stated in FINDINGS."""
    found = []
    for concept in ("effusion", "pneumothorax", "consolidation", "edema", "nodule"):
        for sentence in report.findings:
            if not affirms(sentence, CONCEPTS[concept], strict=True):
                continue
            if re.search(
                r"\b(?:stable|unchanged|small|mild|unremarkable|persistent|streaky|linear|subsegmental|plate\w*"
                r"|discoid|bibasil\w*|bands?)\b",
                sentence,
                re.IGNORECASE,
            ):
                continue
            if concept == "nodule" and re.search(r"\bnipple|\bsoft tissue|\bbreast", sentence, re.IGNORECASE):
                continue
            found.append((concept, sentence))
    return found


def inject_omission(report: Report, rng: random.Random) -> str | None:
    """Replace IMPRESSION by a normal statement while FINDINGS state an acute finding."""
    found = acute_findings(report)
    if not found:
        return None
    concept, sentence = rng.choice(found)
    text = rng.choice(OMIT_IMPRESSIONS)
    report.impression = split_sentences(text)
    return f"findings affirm {concept} ({sentence!r}); impression -> {text!r}"


PLACEHOLDER_SLOTS: list[tuple[str, list[str]]] = [
    (r"\b(?:left|right)\b", ["[left/right]", "[RIGHT/LEFT]", "___", "[side]", "<<laterality>>", "{side}"]),
    (
        r"\b(?:small|moderate|large|mild|marked|minimal|severe)\b",
        ["[small/moderate/large]", "[mild/moderate/severe]", "___", "<<size>>", "[grade]", "***"],
    ),
    (r"\b\d+(?:\.\d+)?(?=\s?(?:cm|mm)\b)", ["___", "[ ]", "[##]", "{measurement}", "**"]),
    (r"\b(?:upper|lower|middle)\b(?= lobe)", ["[upper/middle/lower]", "[lobe]", "___"]),
    (
        r"(?<=\bis )normal\b|(?<=\bare )normal\b|\bnormal(?= (?:heart|cardiac|size))",
        ["[normal/enlarged]", "[ ]", "***"],
    ),
    (
        r"\b(?:clear|intact|unremarkable|stable|unchanged)\b",
        ["[**]", "[ ]", "<...>", "[Select]", "{ }", "[enter text]"],
    ),
]


def inject_placeholder(report: Report, rng: random.Random) -> str | None:
    """Replace one slot word (side, size, measurement, lobe, normal/abnormal) by an unfilled field."""
    options = []
    for name, section in (("findings", report.findings), ("impression", report.impression)):
        for index, sentence in enumerate(section):
            for slot, fillers in PLACEHOLDER_SLOTS:
                for match in re.finditer(slot, sentence, re.IGNORECASE):
                    options.append((name, index, match.start(), match.end(), fillers))
    if not options:
        return None
    name, index, start, end, fillers = rng.choice(options)
    section = report.findings if name == "findings" else report.impression
    before = section[index]
    filler = rng.choice(fillers)
    section[index] = before[:start] + filler + before[end:]
    return f"{name}: {before[start:end]!r} -> {filler!r} in {section[index]!r}"


INJECTIONS: dict[str, Injection] = {
    "missing_section": inject_missing,
    "laterality_conflict": inject_laterality,
    "negation_conflict": inject_negation,
    "impression_omits_finding": inject_omission,
    "placeholder": inject_placeholder,
}

# ----------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Style:
    """A regional way of writing a chest film report."""

    name: str
    british: bool
    abbreviate: float
    paraphrase: float


STYLES = [
    Style("fields", british=False, abbreviate=0.0, paraphrase=0.3),
    Style("us", british=False, abbreviate=0.15, paraphrase=0.4),
    Style("mimic", british=False, abbreviate=0.0, paraphrase=0.2),
    Style("uk", british=True, abbreviate=0.1, paraphrase=0.6),
    Style("aus", british=True, abbreviate=0.2, paraphrase=0.5),
    Style("canada", british=False, abbreviate=0.1, paraphrase=0.4),
    Style("india", british=True, abbreviate=0.6, paraphrase=0.7),
    Style("markdown", british=False, abbreviate=0.1, paraphrase=0.3),
    Style("underlined", british=False, abbreviate=0.0, paraphrase=0.3),
]


def restyle_sentence(sentence: str, style: Style, rng: random.Random, abbreviate: bool) -> str:
    """Apply the style's spelling, abbreviations and normal wordings to one sentence."""
    if style.british:
        for old, new in UK_SPELLING:
            sentence = re.sub(old, new, sentence)
    if abbreviate:
        for old, new in ABBREVIATIONS:
            sentence = re.sub(old, new, sentence)
    if rng.random() < style.paraphrase:
        for pattern, variants in NORMAL_VARIANTS:
            if re.fullmatch(pattern, sentence, re.IGNORECASE):
                return rng.choice(variants)
    return sentence


def restyle(report: Report, style: Style, rng: random.Random) -> None:
    """Reword the report's sentences in the style (meaning unchanged)."""
    abbreviate = rng.random() < style.abbreviate
    report.findings = [restyle_sentence(s, style, rng, abbreviate) for s in report.findings]
    report.impression = [restyle_sentence(s, style, rng, abbreviate) for s in report.impression]
    if style.british:
        for old, new in UK_SPELLING:
            report.indication = re.sub(old, new, report.indication)
    normal = len(report.impression) == 1 and NORMAL_IMPRESSION.match(report.impression[0])
    if normal and rng.random() < style.paraphrase and not acute_findings(report):
        report.impression = [rng.choice(CLEAN_IMPRESSION_VARIANTS)]


def numbered(sentences: list[str], rng: random.Random) -> str:
    """An impression as prose or as a numbered list when it has several points."""
    if len(sentences) > 1 and rng.random() < 0.6:
        mark = rng.choice(["{n}. ", "{n}) ", "({n}) "])
        return "\n".join(mark.format(n=n) + s for n, s in enumerate(sentences, 1))
    return " ".join(sentences)


def body(sentences: list[str], rng: random.Random, style: Style) -> str:
    """Findings as prose, one line a sentence, or bullets."""
    choice = rng.random()
    if style.name == "india" and choice < 0.7:
        bullet = rng.choice(["- ", "* ", "• "])
        return "\n".join(bullet + s for s in sentences)
    if choice < 0.25:
        return "\n".join(sentences)
    if choice < 0.35 and style.name not in ("fields",):
        return "\n".join("- " + s for s in sentences)
    return " ".join(sentences)


def mimic_mask(text: str) -> str:
    """MIMIC writes its de-identification mask as three underscores."""
    return re.sub(r"XXXX", "___", text)


HEADERS: dict[str, dict[str, list[str]]] = {
    "us": {
        "exam": ["EXAM: CHEST, 2 VIEWS", "XR CHEST PA AND LATERAL", "PROCEDURE: Chest radiograph, PA and lateral"],
        "indication": ["CLINICAL HISTORY", "HISTORY", "INDICATION", "REASON FOR EXAM"],
        "comparison": ["COMPARISON", "PRIOR STUDIES"],
        "findings": ["FINDINGS"],
        "impression": ["IMPRESSION"],
    },
    "uk": {
        "exam": ["CXR PA", "Chest X-ray (PA)", "XR Chest"],
        "indication": ["Clinical details", "Clinical information", "Clinical indication"],
        "comparison": ["Comparison", "Previous imaging"],
        "findings": ["Findings", "Report", "Findings and comment"],
        "impression": ["Conclusion", "Opinion", "Summary"],
    },
    "aus": {
        "exam": ["CHEST X-RAY", "CHEST: PA AND LATERAL VIEWS"],
        "indication": ["CLINICAL NOTES", "CLINICAL HISTORY"],
        "comparison": ["COMPARISON", "PREVIOUS"],
        "findings": ["FINDINGS", "REPORT"],
        "impression": ["CONCLUSION", "COMMENT"],
    },
    "canada": {
        "exam": ["CHEST PA AND LATERAL", "RADIOGRAPHS OF THE CHEST"],
        "indication": ["HISTORY", "CLINICAL INFORMATION", "REASON FOR REQUEST"],
        "comparison": ["COMPARISON"],
        "findings": ["FINDINGS", "OBSERVATIONS"],
        "impression": ["INTERPRETATION", "OPINION", "IMPRESSION"],
    },
    "india": {
        "exam": ["X-RAY CHEST PA VIEW", "RADIOGRAPH OF CHEST (PA VIEW)", "SKIAGRAM CHEST PA VIEW"],
        "indication": ["Clinical history", "Clinical profile", "C/O"],
        "comparison": ["Previous films", "Comparison"],
        "findings": ["OBSERVATIONS", "FINDINGS", "REPORT"],
        "impression": ["IMPRESSION", "OPINION"],
    },
}


def header(text: str, how: str) -> str:
    """Render a section header in one of several typographic habits."""
    if how == "colon":
        return text + ":"
    if how == "spaced":
        return text + " :"
    if how == "dash":
        return text + " :-"
    if how == "title":
        return text.title() + ":"
    return text


def render(report: Report, style: Style, rng: random.Random) -> dict[str, str]:
    """Lay the report out as separate fields or as one free text in the style."""
    indication = report.indication
    comparison = report.comparison
    if style.name == "fields":
        return {
            "indication": indication,
            "comparison": comparison,
            "findings": body(report.findings, rng, style) if report.findings else "",
            "impression": numbered(report.impression, rng) if report.impression else "",
        }
    findings = body(report.findings, rng, style)
    impression = numbered(report.impression, rng)
    drop_header = rng.random() < 0.5  # how a missing section shows: no header, or a header with nothing under it
    if style.name == "mimic":
        if not any("XXXX" in s for s in report.findings + report.impression):
            indication, comparison = mimic_mask(indication), mimic_mask(comparison)
        parts = ["                                 FINAL REPORT", "EXAMINATION:  CHEST (PA AND LAT)", ""]
        parts += [f"INDICATION:  {indication or '___'}", ""]
        parts += [f"TECHNIQUE:  {rng.choice(['Chest PA and lateral', 'PA and lateral views of the chest'])}", ""]
        parts += [f"COMPARISON:  {comparison or 'None.'}", ""]
        for name, text in (("FINDINGS", findings), ("IMPRESSION", impression)):
            if text:
                parts += [f"{name}: ", "", text.replace("\n", "\n "), ""]
            elif not drop_header:
                parts += [f"{name}: ", ""]
        return {"report": "\n ".join(parts).rstrip()}
    if style.name in ("markdown", "underlined"):
        names = {
            "indication": rng.choice(["Indication", "Clinical history", "History"]),
            "comparison": "Comparison",
            "findings": rng.choice(["Findings", "FINDINGS"]),
            "impression": rng.choice(["Impression", "IMPRESSION", "Conclusion"]),
        }

        bold = rng.random() < 0.5
        rule = rng.choice(["-", "="])

        def md(name: str) -> str:
            if style.name == "markdown":
                return f"**{name}:**" if bold else f"## {name}"
            return f"{name}\n{rule * len(name)}"

        parts = [md(names["indication"]), indication or "Not provided.", ""]
        if comparison:
            parts += [md(names["comparison"]), comparison, ""]
        for key, text in (("findings", findings), ("impression", impression)):
            if text:
                parts += [md(names[key]), text, ""]
            elif not drop_header:
                parts += [md(names[key]), ""]
        return {"report": "\n".join(parts).rstrip()}
    heads = HEADERS[style.name]
    how = rng.choice(["colon", "colon", "spaced", "plain", "title"] + (["dash"] * 2 if style.name == "india" else []))
    inline = how != "plain" and rng.random() < 0.5
    parts = []
    if rng.random() < 0.7:
        parts += [rng.choice(heads["exam"]), ""]

    def section(key: str, text: str) -> None:
        name = header(rng.choice(heads[key]), how)
        if not text:
            if key in ("findings", "impression") and drop_header:
                return
            parts.extend([name, ""])
            return
        if inline and "\n" not in text:
            parts.extend([f"{name} {text}", ""])
        else:
            parts.extend([name, text, ""])

    if indication:
        section("indication", indication)
    if comparison or rng.random() < 0.5:
        section("comparison", comparison or rng.choice(["None.", "Nil.", "No prior available."]))
    section("findings", findings)
    section("impression", impression)
    if style.name in ("uk", "aus") and rng.random() < 0.5:
        parts.append(rng.choice(["Dr A. Reporter, Consultant Radiologist", "Reported by: Radiology Registrar"]))
    return {"report": "\n".join(parts).rstrip()}


# ----------------------------------------------------------------------------- assembly


def fit_for_clean(report: Report) -> bool:
    """A real report that is itself complete and consistent enough to stand as a clean case."""
    text = " ".join(report.findings + report.impression)
    if re.search(r"\[|\]|_{2,}|\*{2,}|<|>|\{|\}", text):
        return False
    impression_normal = all(NORMAL_IMPRESSION.match(s) for s in report.impression)
    if impression_normal and acute_findings(report):
        return False
    for concept, pattern in CONCEPTS.items():
        for here, there in ((report.findings, report.impression), (report.impression, report.findings)):
            if any(negates(s, concept) for s in here) and any(
                mentions(s, pattern) and not negates(s, concept) for s in there
            ):
                return False
    for pattern in SIDE_GROUPS.values():
        sides_f = {side_of(s) for s in report.findings if affirms(s, pattern, strict=False)} - {None}
        sides_i = {side_of(s) for s in report.impression if affirms(s, pattern, strict=False)} - {None}
        if sides_f and sides_i and not sides_f & sides_i:
            return False
    return True


def copy_report(report: Report) -> Report:
    """A working copy whose sentence lists can be edited."""
    return Report(report.uid, report.indication, report.comparison, list(report.findings), list(report.impression))


def pick_style(rng: random.Random) -> Style:
    """About a quarter as separate fields (like half the dev set), the rest as free text."""
    return STYLES[0] if rng.random() < 0.25 else rng.choice(STYLES[1:])


def show(cases: list[dict[str, object]], per_kind: int, seed: int) -> None:
    """Self-check (not the checker): counts per kind and a few cases of each kind to read by eye."""
    counts: dict[str, int] = {}
    for case in cases:
        counts[str(case["injected"])] = counts.get(str(case["injected"]), 0) + 1
    print(counts)
    rng = random.Random(seed)
    for kind in [None, *KINDS]:
        picked = [case for case in cases if case["injected"] == kind]
        for case in rng.sample(picked, min(per_kind, len(picked))):
            print("=" * 20, case["id"], "|", case["detail"])
            if "report" in case:
                print(case["report"])
            else:
                for key in ("indication", "comparison", "findings", "impression"):
                    print(f"<{key}> {case[key]}")


def build_cases(reports: list[Report], seed: int) -> list[dict[str, object]]:
    """The 400 cases for one seed."""
    rng = random.Random(seed)
    pool = [r for r in reports if r.findings and r.impression]
    rng.shuffle(pool)
    used: set[str] = set()
    cases: list[dict[str, object]] = []
    for kind in KINDS:
        made = 0
        for original in pool:
            if made == PER_KIND:
                break
            if original.uid in used or not fit_for_clean(original):
                continue
            style = pick_style(rng)
            report = copy_report(original)
            restyle(report, style, rng)
            detail = INJECTIONS[kind](report, rng)
            if detail is None:
                continue
            used.add(original.uid)
            made += 1
            cases.append(
                {
                    "id": f"{kind}-{report.uid}",
                    "uid": report.uid,
                    "injected": kind,
                    "detail": detail,
                    **render(report, style, rng),
                }
            )
        if made < PER_KIND:
            raise SystemExit(f"only {made} reports could carry {kind}")
    made = 0
    for original in pool:
        if made == CLEAN:
            break
        if original.uid in used or not fit_for_clean(original):
            continue
        style = pick_style(rng)
        report = copy_report(original)
        restyle(report, style, rng)
        used.add(original.uid)
        made += 1
        cases.append(
            {
                "id": f"clean-{report.uid}",
                "uid": report.uid,
                "injected": None,
                "detail": "",
                **render(report, style, rng),
            }
        )
    rng.shuffle(cases)
    return cases


def main(argv: list[str] | None = None) -> int:
    """Write the held-out file for one seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=501)
    parser.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--show", type=int, default=0, help="print this many cases of each kind to read")
    args = parser.parse_args(argv)
    if not args.reports.exists():
        print(f"no IU reports at {args.reports} (pass --reports)", file=sys.stderr)
        return 2
    skip = dev_uids(args.dev)
    reports = [r for r in read_reports(args.reports) if r.uid not in skip]
    cases = build_cases(reports, args.seed)
    with args.out.open("w") as out:
        for case in cases:
            out.write(json.dumps(case) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}")
    if args.show:
        show(cases, args.show, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
