"""Held-out report-error set no. 15: reports drafted or formatted by newer tools, then edited by a radiologist.

Written blind: the author did not read the report checker, its tests, its docs or the other held-out
generators; only the scorer's format, the shared eval README, the IU (Open-i) archive and the `uid` field of
the dev set (to exclude those reports) were read.

usage: python -m bench.make_heldout15 OUT.jsonl --seed S [--show N]

Writes 400 shuffled JSONL cases (deterministic per seed): 200 clean reports and 40 for each of the five kinds
(missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder), each
injected case carrying exactly one error. Half of every group is composed from the phrase bank below, half are
real IU reports (dev uids excluded) re-laid-out and lightly re-worded.

Styles (layouts), used for composed and real reports alike:
- md_chat: markdown as chat assistants write it (`**Findings:**`, `-`/`*`/`•` bullets, `1)` lists, bold
  finding words, `---` rules, a closing "*drafted with AI assistance and reviewed by ...*" line);
- md_headers: `## Impression` / `### FINDINGS` headers, paragraphs or bullets, italic notes;
- md_table: a markdown table of regions (`| Lungs | Clear |`) for the findings, a list for the impression;
- structured: structured-reporting software output: checkbox rows (`[x] Normal [ ] Abnormal`, `☑`/`☐`),
  drop-down values (`Present / Absent`, `Yes/No`), a free-text comment row;
- macro: a normal macro edited in a hurry (macro sentences kept where consistent, dictated lines added);
- addendum: comparison-heavy reports with an ADDENDUM or "Correction:" that amends the impression;
- mobile: mobile / voice input: smart quotes, en/em dashes, non-breaking and zero-width spaces, Unicode
  bullets, full-width colons, sometimes all lower case.
MIMIC-style `___` masks appear only where an identifier (name, date, time, age) would stand; IU's `XXXX` is
kept in real reports and never used in composed ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tarfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from random import Random

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
STYLES = ["md_chat", "md_headers", "md_table", "structured", "macro", "addendum", "mobile"]

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("MEDRAG_SHARED_DIR") or (REPO.parent / "shared"))


# ----------------------------------------------------------------------------------------------------------
# text helpers

NEG_RE = re.compile(r"\b(no|not|without|negative|resolved|resolution|free of|clear|absent|removed|excluded?)\b", re.I)
SIDE_RE = re.compile(r"\b(right|left)(ward)?\b", re.I)


def flip_sides(text: str) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(1)
        new = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            new = new.upper()
        elif w[0].isupper():
            new = new.capitalize()
        return new + (m.group(2) or "")

    return SIDE_RE.sub(sub, text)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def norm(text: str) -> str:
    """Plain, case-folded text for the self-checks: markup, odd spaces and full-width forms removed."""
    t = unicodedata.normalize("NFKC", text).replace("\u200b", "").replace("\u00a0", " ")
    t = t.replace("**", "").replace("*", " ").replace("#", " ").replace("|", " ")
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", t).casefold()


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    if not text:
        return []
    text = re.sub(r"(?:^|\s)\d{1,2}[.)]\s+(?=[A-Za-z])", " \n", text)
    out = []
    for chunk in text.split("\n"):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", chunk.strip()):
            s = s.strip()
            if s and re.search(r"[A-Za-z]", s):
                out.append(s if s[-1] in ".!?" else s + ".")
    return out


# ----------------------------------------------------------------------------------------------------------
# the phrase bank: findings of composed cases

SIG_TERMS = {
    "effusion": ["effusion", "pleural fluid", "costophrenic", "blunting", "hydrothorax", "fluid"],
    "pneumothorax": ["pneumothora", "ptx", "pleural line", "pleural air", "apical air", "collapsed lung"],
    "consolidation": [
        "consolidat",
        "airspace",
        "air space",
        "air-space",
        "pneumonia",
        "opacit",
        "infiltrat",
        "infect",
        "air bronchogram",
    ],
    "edema": [
        "edema",
        "oedema",
        "congest",
        "vascular",
        "interstitial",
        "kerley",
        "heart failure",
        "chf",
        "fluid overload",
        "cephalization",
        "vasculature",
    ],
    "nodule": ["nodul", "nodular", "mass", "lesion", "opacity", "density", " ct "],
    "mass": ["mass", "lesion", "malignan", "neoplas", "tumou", "tumor", "opacity", "nodul"],
    "collapse": ["collapse", "atelecta", "volume loss", "opacit", "lobe"],
    "mediastinum": ["mediastin", "aort"],
    "free_air": ["free air", "pneumoperitoneum", "subdiaphragmatic", "diaphragm", "free gas", "perforat"],
}


def fix_articles(s: str) -> str:
    s = re.sub(r"\b([Aa]) (8|8\.5|11|18)\b", r"\1n \2", s)
    return s


def _pick(rng: Random, seq):
    return seq[rng.randrange(len(seq))]


def make_finding(rng: Random, kind: str, sig: bool | None = None) -> dict:
    """One abnormal finding of a composed case, with its findings sentence(s) and impression phrases."""
    side = _pick(rng, ["right", "left"])
    f: dict = {"kind": kind, "side": side, "sig": False, "sided": True}
    if kind == "effusion":
        size = _pick(rng, ["moderate", "large"]) if sig else _pick(rng, ["small", "trace", "small"])
        if sig is None:
            size = _pick(rng, ["small", "moderate", "large", "trace"])
        f.update(sig=size in ("moderate", "large"), size=size, organ="Pleura", grade=size)
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"There is a {g} {s} pleural effusion with blunting of the {s} costophrenic angle.",
                f"{cap(g)} {s} pleural effusion.",
                f"{cap(g)} {s} pleural effusion layering posteriorly on the lateral view.",
            ],
        )
        f["I"] = lambda s, g: _pick(rng, [f"{cap(g)} {s} pleural effusion.", f"{cap(g)} {s} effusion."])
        f["row"] = "Present"
    elif kind == "pneumothorax":
        n = rng.choice([1, 1.5, 2, 2.5, 3])
        f.update(sig=True, organ="Pleura", size=n, grade=f"{n} cm")
        sz = "small" if n <= 2 else "moderate"
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"There is a {sz} {s} apical pneumothorax, measuring {g} from the apex.",
                f"A {s} apical pneumothorax is present with the visceral pleural line {g} from the apex.",
                f"{cap(s)} pneumothorax, approximately {g} at the apex, with no mediastinal shift.",
            ],
        )
        f["I"] = lambda s, g: _pick(
            rng,
            [
                f"{cap(sz)} {s} apical pneumothorax.",
                f"{cap(s)} pneumothorax ({g}).",
                f"{cap(s)} apical pneumothorax; clinical team informed.",
            ],
        )
        f["row"] = "Present"
    elif kind == "consolidation":
        lobe = _pick(rng, ["lower lobe", "lower lobe", "upper lobe"])
        f.update(sig=True, organ="Lungs", lobe=lobe, grade=lobe)
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"Airspace consolidation in the {s} {g} with air bronchograms.",
                f"Patchy airspace opacity in the {s} {g}.",
                f"Dense consolidation of the {s} {g}; the remainder of the lungs is clear.",
            ],
        )
        f["I"] = lambda s, g: _pick(
            rng,
            [
                f"{cap(s)} {g} consolidation, likely pneumonia.",
                f"{cap(s)} {g} pneumonia in the appropriate clinical setting.",
                f"{cap(s)} {g} airspace disease, consistent with infection.",
            ],
        )
    elif kind == "edema":
        f.update(sig=True, organ="Lungs", sided=False, grade="mild")
        f["F"] = lambda s, g: _pick(
            rng,
            [
                "Pulmonary vascular congestion with interstitial edema and Kerley B lines.",
                "Upper lobe venous diversion and bilateral perihilar haziness, in keeping with interstitial edema.",
                "Increased interstitial markings with peribronchial cuffing, consistent with pulmonary edema.",
            ],
        )
        f["I"] = lambda s, g: _pick(
            rng,
            [
                "Mild interstitial pulmonary edema.",
                "Findings of mild congestive heart failure.",
                "Pulmonary edema, likely cardiogenic.",
            ],
        )
    elif kind == "nodule":
        mm = rng.randint(8, 16) if sig else rng.randint(3, 5)
        zone = _pick(rng, ["upper", "mid", "lower"])
        f.update(sig=mm >= 6, organ="Lungs", size=mm, grade=f"{mm} mm", zone=zone)
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"A {g} nodule projects over the {s} {zone} zone.",
                f"{g} rounded nodular opacity in the {s} {zone} lung.",
                f"There is a {g} well-defined nodule in the {s} {zone} zone.",
            ],
        )
        if mm >= 6:
            f["I"] = lambda s, g: _pick(
                rng,
                [
                    f"{g} {s} {zone} zone pulmonary nodule; non-urgent CT chest recommended.",
                    f"{cap(s)} {zone} zone nodule ({g}). Recommend CT for further characterisation.",
                ],
            )
        else:
            f["I"] = lambda s, g: _pick(
                rng,
                [
                    f"{g} {s} {zone} zone nodule, likely a granuloma.",
                    f"Tiny ({g}) {s} {zone} zone nodule, of doubtful significance.",
                ],
            )
    elif kind == "mass":
        cm = rng.choice([3, 3.5, 4, 4.5, 5, 6])
        loc = _pick(rng, ["upper lobe", "hilum"])
        f.update(sig=True, organ="Lungs", size=cm, grade=f"{cm} cm", loc=loc)
        if loc == "hilum":
            f["F"] = lambda s, g: _pick(
                rng,
                [
                    f"{g} spiculated mass projecting over the {s} hilum.",
                    f"There is a {g} lobulated mass at the {s} hilum.",
                ],
            )
            f["I"] = lambda s, g: _pick(
                rng,
                [
                    f"{g} {s} hilar mass; recommend contrast-enhanced CT.",
                    f"{cap(s)} hilar mass ({g}), suspicious for malignancy.",
                ],
            )
        else:
            f["F"] = lambda s, g: _pick(
                rng,
                [
                    f"There is a {g} lobulated mass in the {s} upper lobe.",
                    f"{g} spiculated mass in the {s} upper lobe.",
                ],
            )
            f["I"] = lambda s, g: _pick(
                rng,
                [
                    f"{cap(s)} upper lobe mass ({g}), suspicious for malignancy. CT chest recommended.",
                    f"{g} {s} upper lobe mass; recommend CT chest.",
                ],
            )
    elif kind == "collapse":
        lobe = "lower lobe"
        f.update(sig=True, organ="Lungs", lobe=lobe, grade=lobe)
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"Complete collapse of the {s} {g} with volume loss and ipsilateral mediastinal shift.",
                f"Triangular opacity with loss of the {s} hemidiaphragm contour and volume loss, "
                f"in keeping with {s} {g} collapse.",
            ],
        )
        f["I"] = lambda s, g: _pick(
            rng, [f"{cap(s)} {g} collapse.", f"Collapse of the {s} {g}; consider mucus plugging."]
        )
    elif kind == "mediastinum":
        cm = rng.choice([8.5, 9, 9.5, 10])
        f.update(sig=True, organ="Mediastinum", sided=False, size=cm, grade=f"{cm} cm")
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"The superior mediastinum is widened, measuring {g} at the level of the aortic knob.",
                f"Widened mediastinum ({g}) with indistinct aortic knob.",
            ],
        )
        f["I"] = lambda s, g: _pick(
            rng,
            [
                "Widened mediastinum; CT angiography recommended to exclude aortic injury.",
                f"Mediastinal widening ({g}). Recommend CT aorta.",
            ],
        )
    elif kind == "free_air":
        f.update(sig=True, organ="Upper abdomen", side="right", grade="")
        f["F"] = lambda s, g: _pick(
            rng,
            [
                "Free air is present beneath the right hemidiaphragm.",
                "Crescent of free gas under the right hemidiaphragm.",
            ],
        )
        f["I"] = lambda s, g: _pick(
            rng,
            [
                "Pneumoperitoneum. Referring team informed by phone.",
                "Free subdiaphragmatic air, concerning for perforated viscus.",
            ],
        )
        f["sided"] = False
    elif kind == "cardiomegaly":
        grade = _pick(rng, ["mild", "borderline", "stable mild"])
        f.update(organ="Heart", sided=False, grade=grade)
        f["F"] = lambda s, g: _pick(
            rng,
            [
                {
                    "mild": "The heart is mildly enlarged.",
                    "borderline": "The heart is borderline enlarged.",
                    "stable mild": "The heart is mildly enlarged, unchanged.",
                }[g],
                f"{cap(g)} cardiomegaly.",
                f"{cap(g)} enlargement of the cardiac silhouette.",
            ],
        )
        f["I"] = lambda s, g: _pick(rng, [f"{cap(g)} cardiomegaly.", f"{cap(g)} cardiomegaly."])
    elif kind == "atelectasis":
        f.update(organ="Lungs", grade="linear")
        f["F"] = lambda s, g: _pick(
            rng, [f"Linear atelectasis at the {s} base.", f"Minor plate-like atelectasis in the {s} lower zone."]
        )
        f["I"] = lambda s, g: f"Minor {s} basal atelectasis."
    elif kind == "granuloma":
        f.update(organ="Lungs", grade="calcified")
        f["F"] = lambda s, g: _pick(
            rng,
            [
                f"Calcified granuloma in the {s} upper lobe.",
                f"Small calcified granuloma projecting over the {s} mid zone.",
            ],
        )
        f["I"] = lambda s, g: f"Old granulomatous disease ({s}-sided calcified granuloma)."
    elif kind == "degenerative":
        f.update(organ="Bones", sided=False, grade="")
        f["F"] = lambda s, g: _pick(
            rng, ["Degenerative changes of the thoracic spine.", "Mild multilevel thoracic spondylosis."]
        )
        f["I"] = lambda s, g: "Degenerative changes of the spine."
    elif kind == "hyperinflation":
        f.update(organ="Lungs", sided=False, grade="")
        f["F"] = lambda s, g: _pick(
            rng,
            [
                "The lungs are hyperinflated with flattening of the hemidiaphragms.",
                "Hyperexpanded lungs, consistent with COPD.",
            ],
        )
        f["I"] = lambda s, g: "Hyperinflation consistent with COPD."
    else:  # pragma: no cover
        raise ValueError(kind)
    f["f_text"] = fix_articles(f["F"](f["side"], f["grade"]))
    f["i_text"] = fix_articles(f["I"](f["side"], f["grade"]))
    return f


SIG_KINDS = [
    "effusion",
    "pneumothorax",
    "consolidation",
    "edema",
    "nodule",
    "mass",
    "collapse",
    "mediastinum",
    "free_air",
]
MINOR_KINDS = ["cardiomegaly", "atelectasis", "granuloma", "degenerative", "hyperinflation", "effusion", "nodule"]

NEG_F = {
    "effusion": ["No pleural effusion.", "The costophrenic angles are sharp.", "No pleural fluid."],
    "pneumothorax": ["No pneumothorax.", "There is no pneumothorax."],
    "consolidation": [
        "The lungs are clear.",
        "No focal consolidation.",
        "Lungs are clear without focal airspace disease.",
    ],
    "edema": ["No pulmonary edema.", "Pulmonary vascularity is within normal limits."],
    "cardiomegaly": [
        "Heart size is normal.",
        "The cardiomediastinal silhouette is within normal limits.",
        "Normal cardiac size.",
    ],
    "mediastinum": ["Mediastinal contours are normal."],
    "bones": ["No acute osseous abnormality.", "Visualised bones are intact.", "No displaced rib fracture."],
}
NEG_I = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is seen."],
    "consolidation": ["No focal consolidation.", "Lungs clear."],
    "edema": ["No pulmonary edema.", "No evidence of failure."],
    "cardiomegaly": ["Normal heart size.", "Heart size normal."],
}
NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary process.",
    "No acute chest disease.",
    "No active disease in the chest.",
    "No radiographic evidence of acute cardiopulmonary disease.",
]
ALL_NORMAL_IMPRESSIONS = ["Normal chest radiograph.", "Normal chest X-ray.", "No acute abnormality; normal study."]
INDICATIONS = [
    "Cough and fever.",
    "Shortness of breath.",
    "Chest pain.",
    "Pre-operative assessment.",
    "Follow-up pneumonia.",
    "Fall, left-sided chest wall pain.",
    "Hypoxia.",
    "Productive cough for 2 weeks.",
    "___-year-old with dyspnoea.",
    "___ with fever and leukocytosis.",
    "Post central line placement.",
    "Known COPD, worsening breathlessness.",
    "Haemoptysis.",
    "Rule out pneumonia.",
]
COMPARISONS = [
    "None.",
    "Radiograph dated ___.",
    "Prior chest radiograph from ___.",
    "No prior imaging available.",
    "CT chest of ___ and radiograph of ___.",
    "Chest X-ray ___ (outside institution).",
]
# words that tie a negated-finding word to each kind, used for the self-checks
KIND_NEG_WORDS = {
    "effusion": ["effusion", "costophrenic", "pleural fluid"],
    "pneumothorax": ["pneumothorax"],
    "consolidation": ["lungs are clear", "lungs clear", "consolidation", "airspace"],
    "edema": ["edema", "vascularity", "failure"],
    "cardiomegaly": ["heart size", "cardiac size", "cardiomediastinal silhouette"],
}


def compose_case(
    rng: Random, n_sig: int, n_minor: int, force: list[str] | None = None, sig_of_forced: bool | None = True
) -> dict:
    """A consistent composed case: findings and impression sentence lists plus the structured finding list."""
    kinds: list[tuple[str, bool | None]] = [(k, sig_of_forced) for k in (force or [])]
    pool = [k for k in SIG_KINDS if k not in (force or [])]
    rng.shuffle(pool)
    kinds += [(k, True) for k in pool[:n_sig]]
    mpool = [k for k in MINOR_KINDS if k not in [x for x, _ in kinds]]
    rng.shuffle(mpool)
    kinds += [(k, False) for k in mpool[:n_minor]]
    finds = [make_finding(rng, k, s) for k, s in kinds]
    present = {f["kind"] for f in finds}
    # avoid left/right confusion between two sided findings of different kinds: keep them on one side
    lines = [f["f_text"] for f in finds]
    negs = []
    lung_busy = any(f["organ"] == "Lungs" and f["kind"] not in ("degenerative",) for f in finds)
    if "cardiomegaly" not in present and "mediastinum" not in present:
        negs.append(_pick(rng, NEG_F["cardiomegaly"]))
    elif "cardiomegaly" not in present:
        negs.append("Heart size is normal.")
    if not lung_busy:
        negs.append(_pick(rng, NEG_F["consolidation"]))
    elif "consolidation" not in present and "collapse" not in present and "mass" not in present:
        negs.append("No focal consolidation.")
    if "effusion" not in present and "pneumothorax" not in present:
        negs.append(
            _pick(
                rng,
                [
                    "No pleural effusion or pneumothorax.",
                    "No pneumothorax or pleural effusion.",
                    "No effusion or pneumothorax.",
                ],
            )
        )
    elif "effusion" not in present:
        negs.append(_pick(rng, NEG_F["effusion"]))
    elif "pneumothorax" not in present:
        negs.append(_pick(rng, NEG_F["pneumothorax"]))
    if "edema" not in present and rng.random() < 0.5:
        negs.append(_pick(rng, NEG_F["edema"]))
    if "degenerative" not in present and rng.random() < 0.5:
        negs.append(_pick(rng, NEG_F["bones"]))
    findings = lines + negs if rng.random() < 0.6 else negs[:1] + lines + negs[1:]
    imp = [f["i_text"] for f in finds if f["sig"]]
    for f in finds:
        if not f["sig"] and (rng.random() < 0.5 or f["kind"] == "effusion"):
            imp.append(f["i_text"])
    if not any(f["sig"] for f in finds):
        if not finds:
            imp = [_pick(rng, ALL_NORMAL_IMPRESSIONS + NORMAL_IMPRESSIONS)]
        elif rng.random() < 0.5 or not imp:
            imp.append(
                _pick(
                    rng,
                    [
                        "No acute cardiopulmonary process.",
                        "No acute cardiopulmonary abnormality.",
                        "Otherwise no acute abnormality.",
                    ],
                )
                if imp
                else _pick(rng, NORMAL_IMPRESSIONS)
            )
    return {
        "finds": finds,
        "findings": findings,
        "impression": imp,
        "indication": _pick(rng, INDICATIONS),
        "comparison": _pick(rng, COMPARISONS),
        "source": "composed",
    }


# ----------------------------------------------------------------------------------------------------------
# the real IU reports


def load_dev_uids(shared: Path) -> set[str]:
    p = shared / "eval" / "report_errors_dev.jsonl"
    if not p.exists():
        return set()
    return {json.loads(line)["uid"] for line in p.open() if line.strip()}


def load_iu(shared: Path) -> list[dict]:
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            secs = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            out.append(
                {
                    "uid": uid,
                    "findings": secs.get("FINDINGS", ""),
                    "impression": secs.get("IMPRESSION", ""),
                    "indication": secs.get("INDICATION", ""),
                    "comparison": secs.get("COMPARISON", ""),
                }
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


REWORD = [
    (r"^There (?:is|are) no ", "No "),
    (r"^The lungs are clear\b", "Lungs are clear"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bThe heart size is normal\b", "Heart size is normal"),
    (r"\bwithin normal limits\b", "within normal limits"),
    (r"\bThe cardiomediastinal silhouette is normal\b", "Normal cardiomediastinal silhouette"),
    (r"\bNo acute disease\b", "No acute chest disease"),
]


def reword(rng: Random, sents: list[str]) -> list[str]:
    out = []
    for s in sents:
        for pat, rep in REWORD:
            if rng.random() < 0.6:
                s = re.sub(pat, rep, s)
        out.append(cap(s))
    return out


SIG_REAL = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(
        r"consolidat|airspace (?:disease|opacit)|air space (?:disease|opacit)|pneumonia|infiltrate", re.I
    ),
    "edema": re.compile(r"\bedema\b|vascular congestion|interstitial edema|\bchf\b", re.I),
    "effusion": re.compile(r"(?:moderate|large)[\w\s-]{0,25}effusion", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
    "collapse": re.compile(r"\bcollapse", re.I),
}
REAL_NEGATORS = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear|free|removed|exclude|excluded|"
    r"rule out|evaluate|versus|vs|may|possible|possibly|cannot|question|prior|previous|"
    r"improv\w*|decreas\w*|old|chronic|healed|history|known|lobe is clear|xxxx|could|might|suggest\w*|"
    r"likely|probabl\w*|questionabl\w*|equivocal|either|clear\w*|resolv\w*|residual|healing|"
    r"partial\w*|minimal|mild|trace|tiny|subtle|streaky|atelecta\w*)\b",
    re.I,
)


CLEAN_NEGATORS = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear\w*|free of|removed|exclude|excluded|rule out|evaluate)\b",
    re.I,
)


def affirmed_sig(sents: list[str], strict: bool = True) -> list[tuple[str, str]]:
    """(kind, sentence) for sentences that affirm a significant finding: strict = plainly and certainly
    (for injecting an omission), otherwise any mention not negated (for keeping clean reports clean)."""
    out = []
    for s in sents:
        if (REAL_NEGATORS if strict else CLEAN_NEGATORS).search(s) or (strict and "?" in s):
            continue
        for k, rx in SIG_REAL.items():
            if rx.search(s):
                out.append((k, s))
    return out


def mentions(kind: str, text: str) -> bool:
    t = " " + norm(text) + " "
    return any(w in t for w in SIG_TERMS[kind])


def real_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not f or not i or len(split_sentences(f)) < 2:
        return False
    if re.search(r"\[|\]|___|<|>|\{", f + i):
        return False
    return len(f) < 900 and len(i) < 400


def real_clean_ok(r: dict) -> bool:
    fs = split_sentences(r["findings"])
    for k, _s in affirmed_sig(fs, strict=False):
        if not mentions(k, r["impression"]):
            return False
    # new or increasing findings must be named in the impression; keep clean real cases unambiguous
    if re.search(r"\b(new|increas\w*|worse\w*|enlarg\w+ since)\b", r["findings"], re.I) and re.search(
        r"\b(no acute|normal|negative)\b", r["impression"], re.I
    ):
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# layouts


def _bold_terms(rng: Random, s: str) -> str:
    words = (
        r"(pneumothorax|pleural effusion|effusion|consolidation|pneumonia|edema|cardiomegaly|nodule|mass|"
        r"collapse|atelectasis|granuloma|opacity|widened|free air|pneumoperitoneum)"
    )
    if rng.random() < 0.5:
        mark = _pick(rng, ["**", "**", "*"])
        return re.sub(r"\b" + words + r"\b", mark + r"\1" + mark, s, count=1, flags=re.I)
    return s


def _hdr(rng: Random, name: str, kind: str) -> str:
    if kind == "bold":
        return _pick(rng, [f"**{name.capitalize()}:**", f"**{name.upper()}:**", f"**{name.capitalize()}**"])
    return _pick(
        rng, [f"## {name.capitalize()}", f"### {name.upper()}", f"## {name.upper()}", f"# {name.capitalize()}"]
    )


def _items(rng: Random, sents: list[str], numbered: bool, bold: bool) -> list[str]:
    bullet = _pick(rng, ["-", "*", "•"])
    out = []
    for n, s in enumerate(sents, 1):
        s2 = _bold_terms(rng, s) if bold else s
        out.append(f"{n}) {s2}" if numbered else f"{bullet} {s2}")
    return out


REVIEWERS = ["Dr. ___", "Dr. ___, Consultant Radiologist", "the attending radiologist", "Dr. ___ (attending)"]


def lay_md_chat(rng: Random, c: dict, sec_f: list[str] | None, sec_i: list[str] | None) -> str:
    L = [
        "**Exam:** "
        + _pick(
            rng, ["Chest radiograph, PA and lateral", "XR Chest 2 views", "Chest X-ray (PA/Lat)", "Portable AP chest"]
        )
    ]
    if c.get("indication"):
        L.append(f"**Indication:** {c['indication']}")
    if c.get("comparison"):
        L.append(f"**Comparison:** {c['comparison']}")
    L.append("")
    for name, sec in (("findings", sec_f), ("impression", sec_i)):
        if sec is None:
            continue
        L.append(_hdr(rng, name, "bold"))
        if sec:
            L += _items(rng, sec, numbered=(name == "impression" and rng.random() < 0.6), bold=True)
        L.append("")
    L.append("---")
    L.append(
        _pick(
            rng,
            [
                f"*This report was drafted with AI assistance and reviewed by {_pick(rng, REVIEWERS)}.*",
                f"_Draft generated by the reporting assistant; reviewed and edited by {_pick(rng, REVIEWERS)}._",
                "*AI-assisted draft. Final report verified by the signing radiologist.*",
            ],
        )
    )
    return "\n".join(L)


def lay_md_headers(rng: Random, c: dict, sec_f: list[str] | None, sec_i: list[str] | None) -> str:
    L = [_pick(rng, ["# Chest Radiograph Report", "# CXR — PA/Lateral", "## XR CHEST 2V"]), ""]
    if c.get("indication"):
        L += [_pick(rng, ["### Clinical history", "### Indication", "**History**"]), c["indication"], ""]
    if c.get("comparison"):
        L += [_pick(rng, ["### Comparison", "**Comparison**"]), c["comparison"], ""]
    para = rng.random() < 0.5
    for name, sec in (("findings", sec_f), ("impression", sec_i)):
        if sec is None:
            continue
        L.append(_hdr(rng, name, "hash"))
        if sec:
            if para and name == "findings":
                L.append(" ".join(sec))
            else:
                L += _items(rng, sec, numbered=name == "impression" and rng.random() < 0.5, bold=rng.random() < 0.4)
        L.append("")
        if rng.random() < 0.4:
            L += ["---", ""]
    if rng.random() < 0.5:
        L.append(_pick(rng, ["*Electronically signed by Dr. ___ on ___.*", "_Reviewed and finalised by Dr. ___._"]))
    return "\n".join(L).rstrip()


REGION_RX = [
    ("Lines / tubes", r"\b(catheter|tube|(?<!pleural )line|pacemaker|lead|port|clip|sternotomy|wire)s?\b"),
    ("Heart", r"\b(heart|cardi\w*|pericard)"),
    ("Mediastinum", r"\b(mediastin\w*|hil\w*|aort\w*|trachea)"),
    ("Pleura", r"\b(pleura\w*|effusion|pneumothora\w*|costophrenic)"),
    (
        "Bones / soft tissues",
        r"\b(bone|bony|osseous|skelet\w*|spine|spondyl\w*|rib|clavicle|degenerative|soft tissue|thoracic)",
    ),
    ("Upper abdomen", r"\b(free air|free gas|subdiaphragm\w*|bowel|abdomen)"),
    ("Lungs", r"."),
]


def regions_of(sents: list[str]) -> list[tuple[str, list[str]]]:
    rows: dict[str, list[str]] = {}
    for s in sents:
        for name, rx in REGION_RX:
            if re.search(rx, s, re.I):
                rows.setdefault(name, []).append(s)
                break
    order = ["Lines / tubes", "Lungs", "Pleura", "Heart", "Mediastinum", "Bones / soft tissues", "Upper abdomen"]
    return [(k, rows[k]) for k in order if k in rows]


def lay_md_table(rng: Random, c: dict, sec_f: list[str] | None, sec_i: list[str] | None) -> str:
    L = [_pick(rng, ["### Chest X-ray", "## Radiograph of the chest", "**CXR (AP/PA)**"])]
    if c.get("indication"):
        L.append(f"*Indication:* {c['indication']}")
    if c.get("comparison"):
        L.append(f"*Comparison:* {c['comparison']}")
    L.append("")
    if sec_f is not None:
        L.append(_hdr(rng, "findings", _pick(rng, ["bold", "hash"])))
        if sec_f:
            head = _pick(rng, [("Region", "Finding"), ("Structure", "Observation"), ("Area", "Result")])
            L += [f"| {head[0]} | {head[1]} |", "|---|---|"]
            for name, ss in regions_of(sec_f):
                L.append(f"| {name} | {' '.join(ss)} |")
        L.append("")
    if sec_i is not None:
        L.append(_hdr(rng, "impression", _pick(rng, ["bold", "hash"])))
        if sec_i:
            L += _items(rng, sec_i, numbered=rng.random() < 0.6, bold=rng.random() < 0.3)
        L.append("")
    if rng.random() < 0.5:
        L += ["---", _pick(rng, ["*Drafted with AI assistance; reviewed by Dr. ___.*", "*Reviewed by Dr. ___.*"])]
    return "\n".join(L).rstrip()


def _box(rng: Random, style: str, ticked: bool) -> str:
    if style == "x":
        return "[x]" if ticked else "[ ]"
    return "☑" if ticked else "☐"


def lay_structured(
    rng: Random,
    c: dict,
    sec_f: list[str] | None,
    sec_i: list[str] | None,
    rows: list[tuple[str, list[str], int | None]] | None = None,
) -> str:
    """rows: (label, options, ticked index or None). A row with None ticked and no value is a blank."""
    st = _pick(rng, ["x", "u"])
    L = [
        _pick(
            rng, ["CHEST RADIOGRAPH — STRUCTURED REPORT", "Structured Report: XR Chest", "CXR STRUCTURED TEMPLATE v2"]
        )
    ]
    L.append(f"Technique: {_pick(rng, ['PA and lateral', 'AP portable, erect', 'PA only'])}")
    if c.get("indication"):
        L.append(f"Clinical indication: {c['indication']}")
    if c.get("comparison"):
        L.append(f"Comparison: {c['comparison']}")
    L.append(f"Image quality: {_box(rng, st, True)} Diagnostic {_box(rng, st, False)} Limited")
    L.append("")
    if sec_f is not None:
        L.append(_pick(rng, ["FINDINGS", "Findings", "FINDINGS:"]))
        for label, opts, t in rows or []:
            if len(opts) == 2 and opts[0] in ("Present", "Yes") and rng.random() < 0.5 and t is not None:
                L.append(f"{label}: {opts[t]}")  # drop-down value
            else:
                L.append(f"{label}: " + " ".join(f"{_box(rng, st, i == t)} {o}" for i, o in enumerate(opts)))
        if sec_f:
            L.append(f"{_pick(rng, ['Comment', 'Free-text comment', 'Additional findings'])}: {' '.join(sec_f)}")
        elif not rows:
            pass
        L.append("")
    if sec_i is not None:
        L.append(_pick(rng, ["IMPRESSION", "Impression", "IMPRESSION:"]))
        L += [f"{n}. {s}" if len(sec_i) > 1 else s for n, s in enumerate(sec_i, 1)]
        L.append("")
    L.append(f"Critical result communicated: {_pick(rng, ['Yes', 'No', 'N/A'])}")
    L.append(f"Reporting radiologist: Dr. ___   Verified: {_box(rng, st, True)}")
    return "\n".join(L)


def lay_macro(rng: Random, c: dict, sec_f: list[str] | None, sec_i: list[str] | None) -> str:
    L = [_pick(rng, ["EXAMINATION: CHEST (PA AND LAT)", "XR CHEST PA/LAT", "CHEST, 2 VIEWS"])]
    if c.get("indication"):
        L.append(f"{_pick(rng, ['INDICATION', 'HISTORY', 'CLINICAL INFORMATION'])}: {c['indication']}")
    if c.get("comparison"):
        L.append(f"COMPARISON: {c['comparison']}")
    L.append("")
    if sec_f is not None:
        joined = " ".join(sec_f)
        L.append(f"FINDINGS: {joined}" if rng.random() < 0.6 else ("FINDINGS:\n" + joined if joined else "FINDINGS:"))
        L.append("")
    if sec_i is not None:
        if len(sec_i) > 1 and rng.random() < 0.6:
            L.append("IMPRESSION:")
            L += [f"{n}. {s}" for n, s in enumerate(sec_i, 1)]
        else:
            L.append(f"IMPRESSION: {' '.join(sec_i)}".rstrip())
    if rng.random() < 0.4:
        L += [
            "",
            _pick(
                rng,
                [
                    "Dictated by: Dr. ___",
                    "Signed: ___ MD, ___ 14:32",
                    "I have personally reviewed the images and agree with the report as edited.",
                ],
            ),
        ]
    return "\n".join(L)


def lay_addendum(
    rng: Random, c: dict, sec_f: list[str] | None, sec_i: list[str] | None, addendum: str | None = None
) -> str:
    L = [_pick(rng, ["CHEST RADIOGRAPH", "XR CHEST 1 VIEW (PORTABLE)", "RADIOGRAPH CHEST PA AND LATERAL"])]
    if c.get("indication"):
        L.append(f"Indication: {c['indication']}")
    L.append(
        "Comparison: "
        + _pick(
            rng,
            [
                "Multiple prior radiographs, most recent ___.",
                "Radiographs of ___ and ___, and CT of ___.",
                c.get("comparison") or "None.",
            ],
        )
    )
    L.append("")
    if sec_f is not None:
        L.append(_pick(rng, ["Findings:", "FINDINGS:"]))
        L.append(" ".join(sec_f))
        L.append("")
    if sec_i is not None:
        L.append(_pick(rng, ["Impression:", "IMPRESSION:"]))
        L += [f"{n}. {s}" for n, s in enumerate(sec_i, 1)] if len(sec_i) > 1 else sec_i
        L.append("")
    L.append(
        addendum
        or _pick(
            rng,
            [
                "ADDENDUM: Findings discussed with Dr. ___ by telephone at ___ on ___.",
                "ADDENDUM (___): Comparison made with the outside radiograph of ___, now available; "
                "no change to the impression.",
                "Addendum: Report amended to correct the examination date only.",
                "ADDENDUM: The referring clinician was informed of these results via the secure messaging "
                "system at ___.",
            ],
        )
    )
    return "\n".join(L)


def mobile_chars(rng: Random, text: str, lower: bool) -> str:
    t = text.replace(": ", "\uff1a ", 1) if rng.random() < 0.5 else text
    t = re.sub(r"(?<=\w) - (?=\w)", " \u2014 ", t)
    t = t.replace(", with", ",\u00a0with").replace(" mm", "\u00a0mm").replace(" cm", "\u00a0cm")
    t = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", t).replace("'", "\u2019")
    t = re.sub(r"(\d)-(\d)", "\\1\u2013\\2", t)
    if rng.random() < 0.5:
        t = t.replace(". ", ".\u200b ", 2)
    return re.sub(r"\bxxxx\b", "XXXX", t.lower()) if lower else t


def lay_mobile(rng: Random, c: dict, sec_f: list[str] | None, sec_i: list[str] | None) -> str:
    lower = rng.random() < 0.5
    colon = _pick(rng, ["\uff1a", ":", ":"])
    bullet = _pick(rng, ["•", "◦", "‣", "·", "–"])
    L = []
    if c.get("indication"):
        L.append(f"Indication{colon} {c['indication']}")
    if c.get("comparison") and rng.random() < 0.6:
        L.append(f"Comparison{colon} {c['comparison']}")
    if L:
        L.append("")
    for name, sec in (("Findings", sec_f), ("Impression", sec_i)):
        if sec is None:
            continue
        head = _pick(rng, [name, name.upper()]) + colon
        if sec and rng.random() < 0.5:
            L.append(head + "\u00a0" + " ".join(sec))
        else:
            L.append(head)
            L += [f"{bullet}\u00a0{s}" for s in sec]
        L.append("")
    if rng.random() < 0.5:
        L.append(
            _pick(
                rng,
                [
                    "sent from mobile reporting — please excuse dictation errors",
                    "— dictated via voice, edited on tablet",
                ],
            )
        )
    text = "\n".join(L).rstrip()
    return mobile_chars(rng, text, lower)


# ----------------------------------------------------------------------------------------------------------
# building and injecting one case

ROW_DEFS = [
    ("Heart size", ["Normal", "Enlarged"], "cardiomegaly"),
    ("Pneumothorax", ["Present", "Absent"], "pneumothorax"),
    ("Pleural effusion", ["Present", "Absent"], "effusion"),
    ("Consolidation", ["Yes", "No"], "consolidation"),
    ("Pulmonary oedema", ["Yes", "No"], "edema"),
]


def struct_rows(
    present: set[str], override: dict[str, int | None] | None = None
) -> list[tuple[str, list[str], int | None]]:
    rows = []
    for label, opts, k in ROW_DEFS:
        on = k in present or (k == "consolidation" and ("collapse" in present))
        t = (1 if on else 0) if k == "cardiomegaly" else (0 if on else 1)
        if override and k in override:
            t = override[k]
        rows.append((label, opts, t))
    return rows


def render(rng: Random, style: str, c: dict, sec_f: list[str] | None, sec_i: list[str] | None, **kw) -> str:
    if style == "md_chat":
        return lay_md_chat(rng, c, sec_f, sec_i)
    if style == "md_headers":
        return lay_md_headers(rng, c, sec_f, sec_i)
    if style == "md_table":
        return lay_md_table(rng, c, sec_f, sec_i)
    if style == "structured":
        return lay_structured(rng, c, sec_f, sec_i, kw.get("rows"))
    if style == "macro":
        return lay_macro(rng, c, sec_f, sec_i)
    if style == "addendum":
        return lay_addendum(rng, c, sec_f, sec_i, kw.get("addendum"))
    return lay_mobile(rng, c, sec_f, sec_i)


class Reject(Exception):
    """The drawn case cannot carry the wanted error cleanly; draw another."""


def need(cond: object, why: str) -> None:
    if not cond:
        raise Reject(why)


PH_RX = re.compile(
    r"\[(?:\*+|left/right|right/left|side|size|mild/moderate/severe|small/moderate/large|normal/enlarged|"
    r"clear/\*+|select|\?|\s?)\]|"
    r"_{2,}\s*(?:mm|cm)\b|\bXX\s*(?:mm|cm)\b|<insert[^>]*>|\{\{\s*\w+\s*\}\}|--\s*Select\s*--|"
    r"[☐]\s*\w+\s*[☐]\s*\w+\s*$|\[ \]\s*\w+\s*\[ \]\s*\w+\s*$",
    re.I | re.M,
)


def has_placeholder(text: str) -> bool:
    t = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    lines = [ln for ln in t.splitlines() if not re.match(r"\s*(Image quality|Reporting radiologist)", ln, re.I)]
    return bool(PH_RX.search("\n".join(lines)))


def in_report(s: str, report: str) -> bool:
    return norm(s).rstrip(".") in norm(report)


ADDENDUM_FIX_SIDE = (
    "Correction ({when}): impression item {n} should read \u201c{new}\u201d, not \u201c{old}\u201d. Findings unchanged."
)


def composed_case(rng: Random, kind: str | None, style: str, j: int) -> dict:
    """One composed case of the wanted kind (None: clean). Raises Reject when the draw does not fit."""
    kw: dict = {}
    detail = ""
    if kind is None:
        n_sig = _pick(rng, [0, 0, 1, 1, 2])
        c = compose_case(rng, n_sig, _pick(rng, [0, 1, 1, 2]))
        sec_f, sec_i = list(c["findings"]), list(c["impression"])
        present = {f["kind"] for f in c["finds"]}
        if style == "structured":
            kw["rows"] = struct_rows(present)
        if style == "addendum" and j % 3 == 0:
            sided = [f for f in c["finds"] if f["sided"] and f["i_text"] in sec_i]
            if sided:
                f = sided[0]
                n = sec_i.index(f["i_text"])
                wrong = flip_sides(f["i_text"])
                sec_i[n] = wrong
                kw["addendum"] = ADDENDUM_FIX_SIDE.format(
                    when=_pick(rng, ["___", "same day"]), n=n + 1, new=f["side"], old=flip_sides(f["side"])
                )
                if len(sec_i) == 1:
                    kw["addendum"] = kw["addendum"].replace(f"impression item {n + 1}", "the impression")
                detail = "clean: the impression side slip is corrected by the addendum"
            elif c["finds"] and any(f["sig"] for f in c["finds"]):
                f = next(f for f in c["finds"] if f["sig"])
                sec_i = [x for x in sec_i if x != f["i_text"]] or [_pick(rng, NORMAL_IMPRESSIONS)]
                if f["i_text"] == c["impression"][0] and sec_i == c["impression"][1:]:
                    pass
                kw["addendum"] = (
                    f"ADDENDUM: The impression is amended to add: {f['i_text']} Discussed with Dr. ___ at ___."
                )
                # the amended impression must not still call the study normal beside the added finding
                sec_i = [x for x in sec_i if x not in NORMAL_IMPRESSIONS] or [
                    _pick(rng, ["See addendum.", "Preliminary impression superseded; see addendum."])
                ]
                detail = "clean: a finding left out of the impression is added by the addendum"
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail or "unmodified"}

    if kind == "missing_section":
        v = j % 4
        if v == 3:
            c = compose_case(rng, 0, 0)
            sec_f, sec_i = None, [_pick(rng, NORMAL_IMPRESSIONS)]
            detail = "FINDINGS section absent; the impression is a bare normal statement"
        else:
            c = compose_case(rng, _pick(rng, [0, 1]), _pick(rng, [0, 1]))
            sec_f, sec_i = list(c["findings"]), list(c["impression"])
            if v == 0:
                sec_i = None
                detail = "IMPRESSION section absent"
            elif v == 1:
                sec_i = []
                detail = "IMPRESSION header left with nothing under it"
            else:
                sec_f = []
                detail = "FINDINGS header left with nothing under it"
        if style == "structured" and sec_f:
            kw["rows"] = struct_rows({f["kind"] for f in c["finds"]})
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail}

    if kind == "laterality_conflict":
        k = _pick(rng, ["effusion", "pneumothorax", "consolidation", "consolidation", "nodule", "mass", "collapse"])
        c = compose_case(rng, 0, _pick(rng, [0, 1, 1]), force=[k])
        f = c["finds"][0]
        sec_f, sec_i = list(c["findings"]), list(c["impression"])
        need(f["i_text"] in sec_i and SIDE_RE.search(f["i_text"]) and SIDE_RE.search(f["f_text"]), "no side")
        old = f["side"]
        new = flip_sides(old)
        if rng.random() < 0.6:
            sec_i[sec_i.index(f["i_text"])] = flip_sides(f["i_text"])
            where, other, flipped, kept = "IMPRESSION", "FINDINGS", flip_sides(f["i_text"]), f["f_text"]
        else:
            sec_f[sec_f.index(f["f_text"])] = flip_sides(f["f_text"])
            where, other, flipped, kept = "FINDINGS", "IMPRESSION", flip_sides(f["f_text"]), f["i_text"]
        need(re.search(rf"\b{new}\b", flipped, re.I) and re.search(rf"\b{old}\b", kept, re.I), "flip failed")
        if style == "structured":
            kw["rows"] = struct_rows({x["kind"] for x in c["finds"]})
        detail = f"{f['kind']} side flipped to {new} in {where} ({other} keeps {old}): {flipped}"
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail, "must": [flipped, kept]}

    if kind == "negation_conflict":
        if j % 2 == 0:  # the impression rules out what the findings affirm (a finding whose omission is allowed)
            k = _pick(rng, ["effusion", "cardiomegaly"])
            c = compose_case(rng, 0, _pick(rng, [0, 1]), force=[k], sig_of_forced=False)
            f = c["finds"][0]
            need(not f["sig"], "sig")
            sec_f = list(c["findings"])
            sec_i = [x for x in c["impression"] if x != f["i_text"]]
            neg = _pick(rng, NEG_I[k])
            sec_i = ([neg] + sec_i) if rng.random() < 0.5 else (sec_i + [neg])
            sec_i = [x for x in sec_i if x != "Otherwise no acute abnormality."] or [neg]
            if style == "structured":
                kw["rows"] = struct_rows({x["kind"] for x in c["finds"]})
            detail = f"IMPRESSION rules out {k} ('{neg}') that FINDINGS affirm: {f['f_text']}"
            return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail, "must": [neg, f["f_text"]]}
        k = _pick(rng, ["effusion", "pneumothorax", "consolidation", "edema", "cardiomegaly", "consolidation"])
        c = compose_case(rng, 0, _pick(rng, [0, 1]), force=[k], sig_of_forced=(k != "cardiomegaly"))
        f = c["finds"][0]
        sec_i = list(c["impression"])
        if f["i_text"] not in sec_i:
            sec_i.insert(0, f["i_text"])
        sec_i = [x for x in sec_i if x not in NORMAL_IMPRESSIONS and x != "Otherwise no acute abnormality."]
        present = {x["kind"] for x in c["finds"]}
        if style == "structured":
            rows = struct_rows(present)
            idx = [n for n, r in enumerate(ROW_DEFS) if r[2] == k][0]
            neg_opt = 0 if k == "cardiomegaly" else 1
            rows[idx] = (rows[idx][0], rows[idx][1], neg_opt)
            kw["rows"] = rows
            sec_f = [x for x in c["findings"] if x != f["f_text"]]
            neg = f"{rows[idx][0]}: {rows[idx][1][neg_opt]}"
            detail = f"structured row '{neg}' (macro default left ticked) while IMPRESSION affirms: {f['i_text']}"
            return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail, "must": [f["i_text"]]}
        neg = _pick(rng, NEG_F[k])
        sec_f = [neg if x == f["f_text"] else x for x in c["findings"]]
        detail = f"FINDINGS keep the normal-macro sentence '{neg}' while IMPRESSION affirms: {f['i_text']}"
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail, "must": [neg, f["i_text"]]}

    if kind == "impression_omits_finding":
        k = _pick(rng, SIG_KINDS)
        if j % 2 == 0:
            c = compose_case(rng, 0, _pick(rng, [0, 1, 1, 2]), force=[k])
            f = c["finds"][0]
            sec_i = [_pick(rng, NORMAL_IMPRESSIONS)]
            how = "normal macro impression"
        else:
            other = _pick(
                rng,
                ["cardiomegaly", "granuloma", "degenerative", "hyperinflation", "atelectasis"]
                + [x for x in SIG_KINDS if x != k],
            )
            c = compose_case(rng, 0, _pick(rng, [0, 1]), force=[k, other])
            f = c["finds"][0]
            sec_i = [x for x in c["impression"] if x != f["i_text"] and x not in NORMAL_IMPRESSIONS]
            if c["finds"][1]["i_text"] not in sec_i:
                sec_i.insert(0, c["finds"][1]["i_text"])
            how = "impression lists other findings"
        sec_f = list(c["findings"])
        need(f["sig"] and f["f_text"] in sec_f, "not significant")
        need(not mentions(k, " ".join(sec_i)), "impression still names it")
        if style == "structured":
            kw["rows"] = struct_rows({x["kind"] for x in c["finds"]})
        detail = f"{k} affirmed in FINDINGS ('{f['f_text']}') left out of the IMPRESSION ({how})"
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail, "must": [f["f_text"]], "omitted": k}

    # placeholder
    v = j % 5
    if style == "structured" and v in (3, 4):
        c = compose_case(rng, _pick(rng, [0, 1]), _pick(rng, [0, 1]))
        present = {x["kind"] for x in c["finds"]}
        rows = struct_rows(present)
        idx = rng.randrange(len(rows))
        rows[idx] = (rows[idx][0], rows[idx][1], None)
        kw["rows"] = rows
        sec_f, sec_i = list(c["findings"]), list(c["impression"])
        detail = f"structured row '{rows[idx][0]}' left with no option ticked"
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail}
    if v == 0:
        k = _pick(rng, ["pneumothorax", "nodule", "mass", "mediastinum"])
        c = compose_case(rng, 0, _pick(rng, [0, 1]), force=[k])
        f = c["finds"][0]
        num = re.search(r"\d+(?:\.\d+)?(?= (?:mm|cm))", f["f_text"])
        need(num, "no number")
        tok = _pick(rng, ["___", "XX", "[***]", "__"])
        if tok == "[***]":
            new = f["f_text"][: num.start()] + tok + f["f_text"][num.end() :]
        else:
            new = f["f_text"][: num.start()] + tok + f["f_text"][num.end() :]
        sec_f = [new if x == f["f_text"] else x for x in c["findings"]]
        sec_i = list(c["impression"])
        detail = f"measurement left blank in FINDINGS: {new}"
        must = [new]
    elif v == 1 or v == 3:
        k = _pick(rng, ["effusion", "pneumothorax", "consolidation", "nodule", "mass", "atelectasis", "granuloma"])
        c = compose_case(rng, 0, _pick(rng, [0, 1]), force=[k], sig_of_forced=None if k == "effusion" else True)
        f = c["finds"][0]
        tok = _pick(rng, ["[LEFT/RIGHT]", "[side]", "{{side}}", "<insert side>", "[right/left]", "[***]"])
        in_imp = f["i_text"] in c["impression"] and rng.random() < 0.5
        src = f["i_text"] if in_imp else f["f_text"]
        m = SIDE_RE.search(src)
        need(m, "no side")
        new = SIDE_RE.sub(tok, src)
        if m.start() == 0 and tok[0].isalpha():
            new = cap(new)
        sec_f = [new if (x == src and not in_imp) else x for x in c["findings"]]
        sec_i = [new if (x == src and in_imp) else x for x in c["impression"]]
        detail = f"side left as a template field in {'IMPRESSION' if in_imp else 'FINDINGS'}: {new}"
        must = [new]
    elif v == 2 or v == 4:
        k = _pick(rng, ["effusion", "cardiomegaly", "normal"])
        if k == "normal":
            c = compose_case(rng, 0, 0)
            sec_f = list(c["findings"])
            tgt = [n for n, x in enumerate(sec_f) if re.search(r"\bnormal\b|\bclear\b|\bintact\b", x)]
            need(tgt, "no macro word")
            n = tgt[0]
            word = re.search(r"\b(normal|clear|intact)\b", sec_f[n]).group(1)
            tok = _pick(
                rng,
                {
                    "normal": ["[normal/enlarged]", "[***]", "<insert>", "[select]"],
                    "clear": ["[clear/***]", "[***]", "<insert>"],
                    "intact": ["[***]", "<insert>", "[select]"],
                }[word],
            )
            new = re.sub(r"\b(normal|clear|intact)\b", tok, sec_f[n], count=1)
            sec_f[n] = new
            sec_i = list(c["impression"])
            detail = f"macro field left unfilled in FINDINGS: {new}"
        else:
            c = compose_case(rng, 0, _pick(rng, [0, 1]), force=[k], sig_of_forced=None if k == "effusion" else False)
            f = c["finds"][0]
            g = f["grade"].split()[-1]
            sizes = "[small/moderate/large]" if k == "effusion" else "[mild/moderate/severe]"
            tok = _pick(rng, [sizes, "[***]", "<insert>", "[size]", "{{grade}}"])
            src = f["f_text"]
            need(re.search(rf"\b{g}\b", src, re.I), "no grade word")
            new = re.sub(rf"\b{g}\b", tok, src, count=1, flags=re.I)
            sec_f = [new if x == src else x for x in c["findings"]]
            sec_i = list(c["impression"])
            detail = f"grade left as a template field in FINDINGS: {new}"
        must = [new]
    if style == "structured":
        kw["rows"] = struct_rows({x["kind"] for x in c["finds"]})
    return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": kw, "detail": detail, "must": must}


BARE_NORMAL_RX = re.compile(
    r"^(no acute (cardiopulmonary|chest|disease|abnormalit|process|findings)[\w\s]*|"
    r"negative( chest)?( x-?ray| radiograph| exam)?|normal chest( x-?ray| radiograph)?|"
    r"no active disease)\.?$",
    re.I,
)
SIDE_KEYS = [
    "effusion",
    "pneumothorax",
    "opacit",
    "consolidat",
    "atelecta",
    "pneumonia",
    "infiltrat",
    "airspace",
    "granuloma",
    "nodul",
    "mass",
    "lobe",
    "base",
    "basilar",
    "lung",
    "hilar",
    "apical",
    "scar",
    "fibrosis",
    "calcifi",
    "hemidiaphragm",
    "fracture",
    "rib",
]
CARDIO_AFF = re.compile(
    r"cardiomegaly|heart (?:is |size is )?(?:mildly |moderately |markedly )?enlarged|"
    r"enlarged (?:heart|cardiac)|cardiac (?:silhouette|size) is (?:mildly |moderately )?enlarged",
    re.I,
)


def real_case(rng: Random, kind: str | None, style: str, j: int, r: dict) -> dict:
    fs = split_sentences(r["findings"])
    im = split_sentences(r["impression"])
    need(fs and im, "empty")
    c = {"indication": r["indication"], "comparison": r["comparison"], "source": "iu", "uid": r["uid"], "finds": []}
    if kind is None:
        need(real_clean_ok(r), "not clean enough")
        return {"sec_f": reword(rng, fs), "sec_i": reword(rng, im), "c": c, "kw": {}, "detail": "unmodified"}
    need(real_clean_ok(r), "base report not clean enough")
    if kind == "missing_section":
        v = j % 4
        sec_f, sec_i = reword(rng, fs), reword(rng, im)
        if v == 3:
            need(len(im) == 1 and BARE_NORMAL_RX.match(im[0].strip()), "impression describes findings")
            sec_f = None
            detail = "FINDINGS section absent; the impression is a bare normal statement"
        elif v == 0:
            sec_i = None
            detail = "IMPRESSION section absent"
        elif v == 1:
            sec_i = []
            detail = "IMPRESSION header left with nothing under it"
        else:
            sec_f = []
            detail = "FINDINGS header left with nothing under it"
        return {"sec_f": sec_f, "sec_i": sec_i, "c": c, "kw": {}, "detail": detail}

    if kind == "laterality_conflict":
        txt_f, txt_i = " ".join(fs), " ".join(im)
        need(not re.search(r"bilateral|both|xxxx", txt_i + txt_f, re.I), "bilateral")
        sides_i = {m.lower() for m in re.findall(r"\b(right|left)\b", txt_i, re.I)}
        sides_f = {m.lower() for m in re.findall(r"\b(right|left)\b", txt_f, re.I)}
        need(len(sides_i) == 1 and sides_f == sides_i, "sides not single")
        old = sides_i.pop()
        i_sents = [s for s in im if SIDE_RE.search(s)]
        f_sents = [s for s in fs if SIDE_RE.search(s)]
        need(len(i_sents) == 1, "several side sentences")
        need(not re.search(r"middle lobe|lingula|minor fissure", txt_f + txt_i, re.I), "no counterpart side")
        keys_i = {k for k in SIDE_KEYS if k in i_sents[0].lower()}
        shared = [s for s in f_sents if keys_i & {k for k in SIDE_KEYS if k in s.lower()}]
        need(shared, "no shared finding")
        if len(f_sents) == 1 and rng.random() < 0.4:
            src, where, kept = f_sents[0], "FINDINGS", i_sents[0]
        else:
            src, where, kept = i_sents[0], "IMPRESSION", shared[0]
        new = flip_sides(src)
        fs2 = [new if s == src and where == "FINDINGS" else s for s in fs]
        im2 = [new if s == src and where == "IMPRESSION" else s for s in im]
        detail = f"side flipped to {flip_sides(old)} in {where}: '{new}' (the other section keeps {old}: '{kept}')"
        return {"sec_f": fs2, "sec_i": im2, "c": c, "kw": {}, "detail": detail, "must": [new, kept]}

    if kind == "negation_conflict":
        txt_f = " ".join(fs)
        if j % 3 == 0:  # impression negates cardiomegaly that findings affirm and impression named
            fa = [
                s
                for s in fs
                if CARDIO_AFF.search(s) and not re.search(r"\b(no|not|normal|borderline|upper)\b", s, re.I)
            ]
            ia = [s for s in im if CARDIO_AFF.search(s) and not re.search(r"\b(no|not|normal)\b", s, re.I)]
            need(fa and ia and len(ia) == 1, "no cardiomegaly pair")
            need(len(ia[0].split()) <= 6, "impression sentence carries more")
            neg = _pick(rng, ["Heart size is normal.", "Normal heart size.", "No cardiomegaly."])
            im2 = [neg if s == ia[0] else s for s in im]
            detail = f"IMPRESSION sentence '{ia[0]}' replaced by '{neg}' while FINDINGS affirm: '{fa[0]}'"
            return {"sec_f": fs, "sec_i": im2, "c": c, "kw": {}, "detail": detail, "must": [neg, fa[0]]}
        # the findings rule something out; the impression (a normal one) gains that finding
        need(len(im) <= 2 and all(BARE_NORMAL_RX.match(s) or re.search(r"no acute", s, re.I) for s in im), "not normal")
        opts = []
        neg_rx = {
            "pneumothorax": r"\bno (?:\w+ )?pneumothora|without pneumothora",
            "effusion": r"\bno (?:\w+ ){0,2}(?:pleural )?effusion",
            "consolidation": r"lungs are clear|no focal (?:airspace )?(?:consolidation|opacit)|"
            r"no (?:focal )?airspace disease",
            "cardiomegaly": r"heart size (?:is )?normal|normal heart size|heart is normal in size|cardiomediastinal "
            r"silhouette (?:is )?(?:normal|within normal)|normal cardiac",
        }
        affs = {
            "pneumothorax": ["Small right apical pneumothorax.", "Small left apical pneumothorax."],
            "effusion": [
                "Small left pleural effusion.",
                "Small right pleural effusion.",
                "Small bilateral pleural effusions.",
            ],
            "consolidation": [
                "Right lower lobe pneumonia.",
                "Left basilar consolidation, likely pneumonia.",
                "Right middle lobe airspace disease.",
            ],
            "cardiomegaly": ["Cardiomegaly.", "Moderate cardiomegaly."],
        }
        for k0, rx in neg_rx.items():
            hits = [
                x
                for x in fs
                if re.search(rx, x, re.I)
                and not re.search(r"large|significant|sizable|substantial|moderate|definite|xxxx|but|except", x, re.I)
            ]
            if hits:
                opts.append((k0, _pick(rng, affs[k0]), hits[0]))
        need(opts, "no negation to contradict")
        k, aff, neg_sent = _pick(rng, opts)
        im2 = [aff] + [s for s in im if not re.search(r"^(normal|negative)", s, re.I)]
        im2 = [s for s in im2 if not (s != aff and re.search(r"^no acute", s, re.I))] + [
            _pick(rng, ["Otherwise no acute cardiopulmonary process.", "No other acute abnormality."])
        ]
        detail = f"IMPRESSION now affirms '{aff}' while FINDINGS rule it out: '{neg_sent}'"
        return {"sec_f": fs, "sec_i": im2, "c": c, "kw": {}, "detail": detail, "must": [aff, neg_sent]}

    if kind == "impression_omits_finding":
        aff = affirmed_sig(fs)
        need(aff, "no significant finding")
        k, sent = aff[0]
        need(not re.match(r"(the )?lungs? ", sent, re.I), "garbled or lung-level sentence")
        need(
            not any(SIG_REAL[k].search(x) and re.search(r"\b(no|without)\b", x, re.I) for x in fs),
            "findings also negate it",
        )
        need(k != "effusion" or not re.search(r"small|trace|tiny", sent, re.I), "small effusion")
        need(
            not re.search(r"\b(mild|minimal|trace|tiny|subtle|small)\b", sent, re.I) or k == "pneumothorax",
            "soft finding",
        )
        keep = [s for s in im if not mentions(k, s)]
        if j % 2 == 0 or not keep:
            im2 = [_pick(rng, NORMAL_IMPRESSIONS)]
            how = "impression replaced by a normal macro"
        else:
            need(
                not any(re.search(r"no acute|normal|recommend|follow|called|discuss|xxxx", s, re.I) for s in keep),
                "kept says normal or is no finding",
            )
            im2 = keep
            how = "its impression sentence removed; other findings kept"
        need(not mentions(k, " ".join(im2)), "still named")
        # other affirmed significant findings must stay named, so that only one omission is present
        for k2, _s2 in aff[1:]:
            need(k2 == k or mentions(k2, " ".join(im2)), "second omission")
        detail = f"{k} affirmed in FINDINGS ('{sent}') left out of the IMPRESSION ({how})"
        return {"sec_f": fs, "sec_i": im2, "c": c, "kw": {}, "detail": detail, "must": [sent], "omitted": k}

    # placeholder
    cands = []
    for sec, sents in (("FINDINGS", fs), ("IMPRESSION", im)):
        for s in sents:
            if "XXXX" in s:
                continue
            for m in re.finditer(r"\b\d+(?:\.\d+)?(?= ?(?:mm|cm)\b)", s):
                cands.append((sec, s, m, _pick(rng, ["___", "XX", "[***]"])))
            for m in SIDE_RE.finditer(s):
                cands.append((sec, s, m, _pick(rng, ["[LEFT/RIGHT]", "[side]", "<insert side>", "[***]"])))
            for m in re.finditer(r"\b(mild|moderate|small|large|minimal)\b", s, re.I):
                cands.append((sec, s, m, _pick(rng, ["[mild/moderate/severe]", "[***]", "<insert>", "[size]"])))
            for m in re.finditer(r"(?<=heart size is )normal", s, re.I):
                cands.append((sec, s, m, _pick(rng, ["[normal/enlarged]", "[***]", "<insert>"])))
            for m in re.finditer(r"(?<=lungs are )clear", s, re.I):
                cands.append((sec, s, m, _pick(rng, ["[clear/***]", "[***]", "<insert>"])))
    need(cands, "nothing to blank")
    sec, s, m, tok = _pick(rng, cands)
    new = s[: m.start()] + tok + s[m.end() :]
    fs2 = [new if (x == s and sec == "FINDINGS") else x for x in fs]
    im2 = [new if (x == s and sec == "IMPRESSION") else x for x in im]
    detail = f"'{m.group(0)}' left as a template field in {sec}: '{new}'"
    return {"sec_f": fs2, "sec_i": im2, "c": c, "kw": {}, "detail": detail, "must": [new]}


# ----------------------------------------------------------------------------------------------------------
# checks of each finished case


def check_case(case: dict, built: dict) -> None:
    rep, kind = case["report"], case["injected"]
    need(rep.strip(), "empty report")
    need("XXXX" not in rep or built["c"]["source"] == "iu", "XXXX in composed")
    for s in built.get("must", []):
        need(in_report(s, rep), f"missing from report: {s}")
    sf, si = built["sec_f"], built["sec_i"]
    if kind != "placeholder":
        need(not has_placeholder(rep), "unexpected placeholder")
    if kind != "missing_section":
        need(sf is not None and si and (sf or built["kw"].get("rows")), "section missing")
        need(re.search(r"impression", rep, re.I) and re.search(r"findings", rep, re.I), "header missing")
    if kind is None:
        finds = built["c"]["finds"]
        imp = " ".join(si) + " " + (built["kw"].get("addendum") or "")
        for f in finds:
            if f["sig"]:
                need(mentions(f["kind"], imp), "clean omits a significant finding")
        return
    if kind == "missing_section":
        if si is None:
            need(not re.search(r"impression|conclusion|opinion", norm(rep)), "impression header present")
        elif sf is None:
            need(not re.search(r"findings|comment", norm(rep)), "findings header present")
            need(len(si) == 1 and BARE_NORMAL_RX.match(si[0]) or si[0] in NORMAL_IMPRESSIONS, "not bare")
        else:
            need(si == [] or sf == [], "no empty section")
            need(not built["kw"].get("rows"), "rows fill findings")
    elif kind == "laterality_conflict":
        a, b = built["must"]
        sa = {w.lower() for w in re.findall(r"\b(right|left)\b", a, re.I)}
        sb = {w.lower() for w in re.findall(r"\b(right|left)\b", b, re.I)}
        need(len(sa) == 1 and len(sb) == 1 and sa != sb, "sides do not conflict")
    elif kind == "negation_conflict":
        negword = re.compile(r"\b(no|normal|clear|absent|without|within normal limits|sharp)\b", re.I)
        if len(built["must"]) == 2:
            a, b = built["must"]
            need(bool(negword.search(a)) != bool(negword.search(b)), "not one negated and one affirmed")
        else:
            need(
                re.search(r": ☑ (Absent|No|Normal)|: \[x\] (Absent|No|Normal)|: (Absent|No|Normal)$", rep, re.M),
                "structured row does not negate",
            )
    elif kind == "impression_omits_finding":
        need(not mentions(built["omitted"], " ".join(si)), "impression names the omitted finding")
        imp_block = rep.split("\n")
        need(imp_block, "x")
    elif kind == "placeholder":
        need(has_placeholder(rep), "placeholder not found")


# ----------------------------------------------------------------------------------------------------------
# the set


def make_set(seed: int, shared: Path) -> list[dict]:
    rng = Random(seed)
    dev = load_dev_uids(shared)
    pool = [r for r in load_iu(shared) if r["uid"] not in dev and real_ok(r)]
    rng.shuffle(pool)
    used: set[str] = set()
    rejected: dict[tuple, set[str]] = {}
    out = []
    for gi, kind in enumerate([None, *KINDS]):
        n = N_CLEAN if kind is None else N_KIND
        for j in range(n):
            style = STYLES[(j // 2 + gi * 3) % len(STYLES)]
            real = j % 2 == 1
            for _attempt in range(4000):
                try:
                    if real:
                        bad = rejected.setdefault((kind, (j // 2) % 60), set())
                        start = rng.randrange(len(pool))
                        r = next(x for x in pool[start:] + pool[:start] if x["uid"] not in used and x["uid"] not in bad)
                        built = real_case(rng, kind, style, j // 2, r)
                    else:
                        built = composed_case(rng, kind, style, j // 2)
                    report = render(rng, style, built["c"], built["sec_f"], built["sec_i"], **built["kw"])
                    case = {"injected": kind, "detail": built["detail"], "report": report}
                    check_case(case, built)
                except Reject:
                    if real:
                        bad.add(r["uid"])
                    continue
                except StopIteration:
                    raise RuntimeError(f"no IU report left for a {kind} case") from None
                if real:
                    used.add(r["uid"])
                    case["uid"] = r["uid"]
                case["style"] = style
                break
            else:
                raise RuntimeError(f"could not build a {kind} case in style {style}")
            out.append(case)
    rng.shuffle(out)
    lines = []
    for n, case in enumerate(out):
        h = hashlib.sha256(f"h15|{seed}|{n}|{case['report']}".encode()).hexdigest()[:16]
        lines.append(
            {
                "id": f"h15-{h}",
                "injected": case["injected"],
                "detail": case["detail"],
                "report": case["report"],
                "_uid": case.get("uid"),
                "_style": case["style"],
            }
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--show", type=int, default=0, help="print N cases per kind")
    a = ap.parse_args(argv)
    shared = shared_dir()
    need_files = [shared / "data" / "iu_reports" / "NLMCXR_reports.tgz", shared / "eval" / "report_errors_dev.jsonl"]
    if not all(p.exists() for p in need_files):
        print(
            f"shared data not found under {shared}: set MEDRAG_SHARED_DIR to the shared folder "
            "(with data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)",
            file=sys.stderr,
        )
        return 2
    lines = make_set(a.seed, shared)
    with open(a.out, "w", encoding="utf-8") as fh:
        for x in lines:
            fh.write(json.dumps({k: x[k] for k in ("id", "injected", "detail", "report")}, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            shown = [x for x in lines if x["injected"] == kind][: a.show]
            for x in shown:
                print(f"===== {kind or 'clean'} | {x['_style']} | {x['_uid'] or 'composed'} | {x['detail']}")
                print(x["report"])
                print()
    print(f"wrote {len(lines)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
