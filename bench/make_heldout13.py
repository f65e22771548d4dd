"""Held-out report-check set no. 13: chest X-ray reports as they arrive through integration plumbing.

Written blind: the author of this generator never read the checker (medrag_core/), its tests, its docs, the
other held-out generators or the texts/labels of the dev set (only its `uid` field, to exclude those reports).

usage: python -m bench.make_heldout13 OUT.jsonl --seed S [--show N]

Writes 400 JSONL lines (shuffled, deterministic per seed): 200 unmodified reports and 40 for each of
missing_section, laterality_conflict, negation_conflict, impression_omits_finding and placeholder, each injected
report carrying exactly one error. Half of every group is composed from the phrase bank below, half are real
Indiana University (Open-i) reports, lightly re-worded and re-laid-out (`XXXX` is that collection's
de-identification mask, kept as is; composed reports never use it; `___` appears only where an identifier
would stand, as a MIMIC-style mask).

Styles (the report text as integration plumbing and document conversion deliver it):
- hl7_lines / hl7_br / hl7_rep: HL7 v2 ORU^R01 messages, one OBX per line, or one OBX with `\\.br\\` or
  `\\X0D\\\\X0A\\` breaks, or `~` repetitions per section; HL7 escapes `\\F\\ \\S\\ \\T\\ \\E\\ \\R\\` in the text;
- pdf: text extracted from a PDF: flattened two-column letterhead, hard wraps with words hyphenated across line
  ends, "Page 1 of 2" footer and repeated page header in the middle of a section, ff/fi/fl ligatures;
- ocr: faxed/scanned report run through OCR: rn/m, l/1, O/0, cl/d confusions in ordinary words, stray marks,
  broken line joins, fax banner;
- email / chat: report forwarded by e-mail ("> " quoting, forwarded headers, signature, disclaimer) or pasted
  into a secure-messaging thread;
- fhir_json / fhir_flat / kv / xml: DiagnosticReport JSON (conclusion + presentedForm), flattened dotted
  key paths with `&#10;` entities, key=value exports, XML with `&lt; &gt; &amp;` escapes;
- any of them may carry a clinical header block: ordering provider, accession, CPT code, ICD-10 codes with
  their descriptions in the indication (e.g. "J93.9 Pneumothorax, unspecified" -- an indication, not a finding).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
REPO = Path(__file__).resolve().parent.parent

# ----------------------------------------------------------------------------------------------------------------
# vocabulary shared by injection and verification

FAMILY = {
    "effusion": r"effusion|pleural fluid|fluid in the (?:pleural|costophrenic)|hydrothorax",
    "pneumothorax": r"pneumothora|\bptx\b|pleural air|collapsed lung",
    "consolidation": r"consolidat|air ?space|infiltrat|pneumoni|opacit|pneumonitis|infect",
    "edema": r"o?edema|congesti|\bchf\b|heart failure|fluid overload|cephaliz|kerley|"
             r"interstitial (?:marking|prominence)",
    "cardiomegaly": r"cardiomegal|enlarged (?:heart|cardiac)|heart (?:size )?is enlarged|cardiac enlargement",
    "nodule": r"nodul|\bmass\b|neoplas|tumou?r|malignan|lesion",
    "collapse": r"collapse|atelecta|volume loss",
    "mediastinum": r"mediastin",
    "freeair": r"free (?:intraperitoneal )?air|pneumoperitoneum|subdiaphragmatic (?:air|lucency)|free gas",
    "fracture": r"fracture",
}
FAM_RE = {k: re.compile(v, re.I) for k, v in FAMILY.items()}
BILAT = re.compile(r"bilateral|bibasilar|biapical|\bboth\b|\bbilat\b", re.I)
SIDE_RE = re.compile(r"\b(left|right|Left|Right|LEFT|RIGHT)\b")
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|removed|absence|absent|exclude[ds]?|"
    r"rather than|versus|vs|unlikely)\b",
    re.I,
)
HEDGE = re.compile(r"\b(suspicio\w*|appears? to|seem\w*|\bor\b|"
                   r"possibl\w*|may|might|could|question\w*|suspect\w*|cannot|likely|probabl\w*|suggest\w*|"
                   r"versus|vs|concern\w*|\?|differential)\b", re.I)
CHRONIC = re.compile(r"\b(stable|chronic|unchanged|old|scar\w*|healed|calcifi\w*|granulom\w*|prior|previous|"
                     r"again|persist\w*|redemonstrat\w*|remote)\b", re.I)
NORMAL_IMP = re.compile(
    r"^(?:\d\.\s*)?(?:no (?:acute|active|evidence of acute)\b[^.]*|normal (?:chest|study|exam)[^.]*|"
    r"negative (?:chest|study|exam)[^.]*|no radiographic evidence of acute[^.]*|"
    r"(?:the )?heart and lungs (?:are|have) (?:normal|within normal limits)[^.]*|stable[^.]*no acute[^.]*)\.?\s*$",
    re.I,
)
PLACEHOLDER_RE = re.compile(
    r"\[\*+\]|\[ *\]|\[(?:LEFT|RIGHT)/(?:LEFT|RIGHT)\]|\[side\]|<insert[^>]*>|&lt;insert|\bXX (?:mm|cm)\b|"
    r"___ ?(?:mm|cm)\b|\[(?:mild|small)/[^\]]+\]|\*\*\*|\{\w+\}|\[size\]|\[finding\]|\[lobe\]|\?\?\?",
    re.I,
)
KEY_TOKEN = re.compile(
    r"(?:" + "|".join(FAMILY.values()) + r"|left|right|bilateral|no\b|not\b|without|negative|clear|normal|"
    r"unremarkable|enlarg|mild|moderate|large|small|trace|tiny|new\b|increas|stable|lobe|lung|heart|cardi|"
    r"pleura|hilar|apical|bas[ae]l|\d|_|\[|\]|<|>|xxxx|impression|findings|conclusion)",
    re.I,
)


def flip_side(word):
    out = {"left": "right", "right": "left"}[word.lower()]
    if word.isupper():
        return out.upper()
    if word[0].isupper():
        return out.capitalize()
    return out


def sentences(text):
    text = re.sub(r"\s+", " ", (text or "").strip())
    text = re.sub(r"\.(\s*\.)+", ".", text)
    if not text:
        return []
    if re.match(r"^1\.\s", text):
        parts = [p.strip() for p in re.split(r"(?:^|\s)\d{1,2}\.\s+", text) if p.strip()]
        return [p if p.endswith(".") else p + "." for p in parts]
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip() and p.strip() != "."]


def affirmed(sent, fam):
    """The sentence plainly affirms a finding of this family (no negation, no hedge, no mask before it)."""
    m = FAM_RE[fam].search(sent)
    return bool(m) and not NEG_CUE.search(sent) and not HEDGE.search(sent) and "XXXX" not in sent[: m.start()]


def negates(sent, fam):
    m = FAM_RE[fam].search(sent)
    if not m:
        return False
    cue = NEG_CUE.search(sent[: m.start()])
    return bool(cue) and not HEDGE.search(sent)


def fams_of(text):
    return {f for f in FAMILY if FAM_RE[f].search(text)}


def mentions(text, fam):
    return bool(FAM_RE[fam].search(text))


# ----------------------------------------------------------------------------------------------------------------
# the case model


@dataclass
class Case:
    source: str  # "composed" or the IU uid
    findings: list | None  # sentences; [] = header left empty; None = section absent
    impression: list | None
    indication: str = ""
    comparison: str = ""
    technique: str = ""
    exam: str = "XR CHEST 2 VIEWS"
    cpt: str = "71046"
    icd: list = field(default_factory=list)
    numbered: bool = False
    kind: str | None = None
    detail: str = ""
    protect: list = field(default_factory=list)  # words that must stay legible in the output
    meta: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------------------------
# phrase bank (composed reports)

ICD = [
    ("R05.9", "Cough, unspecified"), ("R06.02", "Shortness of breath"), ("R07.9", "Chest pain, unspecified"),
    ("J18.9", "Pneumonia, unspecified organism"), ("J90", "Pleural effusion, not elsewhere classified"),
    ("J93.9", "Pneumothorax, unspecified"), ("I50.9", "Heart failure, unspecified"),
    ("R91.1", "Solitary pulmonary nodule"), ("Z01.818", "Encounter for other preprocedural examination"),
    ("S22.31XA", "Fracture of one rib, right side, initial encounter for closed fracture"),
    ("S22.32XA", "Fracture of one rib, left side, initial encounter for closed fracture"),
    ("R50.9", "Fever, unspecified"), ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
    ("I10", "Essential (primary) hypertension"), ("J81.0", "Acute pulmonary edema"), ("R09.02", "Hypoxemia"),
    ("C34.11", "Malignant neoplasm of upper lobe, right bronchus or lung"),
    ("Z87.01", "Personal history of pneumonia (recurrent)"),
    ("R07.81", "Pleurodynia"), ("Z09", "Encounter for follow-up examination after completed treatment"),
]
HISTORY = [
    "cough and fever", "shortness of breath", "chest pain", "follow-up pneumonia", "pre-operative clearance",
    "fall, left chest wall pain", "fall, right rib pain", "hypoxia", "evaluate for pneumothorax after line placement",
    "CHF exacerbation", "abnormal breath sounds", "hemoptysis", "weight loss, smoker", "sepsis, source unknown",
]
EXAMS = [("XR CHEST 2 VIEWS", "71046", "PA and lateral views of the chest."),
         ("XR CHEST PA & LATERAL", "71046", "Frontal & lateral radiographs of the chest."),
         ("XR CHEST 1 VIEW (PORTABLE)", "71045", "Single portable AP view of the chest."),
         ("CR CHEST 2V", "71046", "PA and lateral chest radiographs were obtained."),
         ("XR CHEST 3 VIEWS", "71047", "PA, lateral and apical lordotic views.")]
LOBES = {"right": ["right upper lobe", "right middle lobe", "right lower lobe"],
         "left": ["left upper lobe", "lingula", "left lower lobe"]}
ZONES = ["lower zone", "base", "mid zone", "upper zone"]

NORMALS = {
    "heart": ["The heart is normal in size.", "Heart size is normal.", "Cardiac silhouette is within normal limits.",
              "Normal cardiomediastinal silhouette.", "The cardiothoracic ratio is normal."],
    "mediast": ["Mediastinal and hilar contours are unremarkable.", "The mediastinum is not widened.",
                "Hila are normal in size and position."],
    "lungs": ["The lungs are clear.", "Lungs are clear bilaterally.", "No focal consolidation.",
              "No focal airspace disease.", "The lungs are well expanded and clear."],
    "effusion": ["No pleural effusion.", "No pleural effusions.", "Costophrenic angles are sharp.",
                 "No pleural fluid."],
    "ptx": ["No pneumothorax.", "There is no pneumothorax.", "No pneumothorax is seen."],
    "edema": ["Pulmonary vascularity is normal.", "No pulmonary edema.", "No vascular congestion."],
    "bones": ["No acute osseous abnormality.", "Bony thorax is intact.", "Visualized osseous structures are intact."],
    "freeair": ["No free air under the diaphragm.", "No subdiaphragmatic free air."],
}
NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
               "No acute intrathoracic abnormality.", "No radiographic evidence of acute cardiopulmonary disease.",
               "No acute cardiopulmonary findings.", "Negative chest radiograph."]


@dataclass
class Fnd:
    fam: str
    side: str | None
    sig: bool
    ftext: str
    itext: str
    drops: tuple  # NORMALS keys this finding is incompatible with
    neg_imp: str = ""  # how a normal macro would rule it out in the impression
    words: tuple = ()  # key words that must stay legible


def _cap(s):
    return s[0].upper() + s[1:]


def bank_finding(rng, fam, sig=None):
    fd = _bank_finding(rng, fam, sig)
    fd.itext = re.sub(r"\b([Ll])ingula (?=[a-z])", r"\1ingular ", fd.itext)
    fd.ftext = re.sub(r"\b([Ll])ingula (?=[a-z])", r"\1ingular ", fd.ftext)
    return fd


def _bank_finding(rng, fam, sig=None):
    side = rng.choice(["left", "right"])
    if fam == "pneumothorax":
        size = rng.choice(["small", "moderate", "large", "small", "tiny"])
        apical = " apical" if size in ("small", "tiny") and rng.random() < 0.5 else ""
        new = rng.random() < 0.3
        f = rng.choice([f"There is a {'new ' if new else ''}{size} {side}{apical} pneumothorax.",
                        f"{'New ' if new else ''}{size if new else _cap(size)} {side}{apical} pneumothorax.",
                        f"{_cap(size)} {side}{apical} pneumothorax with a visible visceral pleural line."])
        i = f"{'New ' if new else ''}{size if new else _cap(size)} {side}{apical} pneumothorax."
        return Fnd(fam, side, True, f, i, ("ptx",), "No pneumothorax.", ("pneumothorax", side))
    if fam == "effusion":
        if sig is None:
            sig = rng.random() < 0.6
        size = rng.choice(["moderate", "large", "moderate to large"]) if sig else rng.choice(["small", "trace"])
        f = rng.choice([f"{_cap(size)} {side} pleural effusion.", f"There is a {size} {side} pleural effusion.",
                        f"{_cap(size)} {side} pleural effusion with adjacent basilar atelectasis."])
        i = f"{_cap(size)} {side} pleural effusion."
        return Fnd(fam, side, sig, f, i, ("effusion",), "No pleural effusion.", ("effusion", side))
    if fam == "consolidation":
        lobe = rng.choice(LOBES[side])
        f = rng.choice([f"Airspace consolidation in the {lobe}.", f"There is patchy consolidation in the {lobe}.",
                        f"Focal airspace opacity in the {lobe} with air bronchograms.",
                        f"New {side} {rng.choice(ZONES)} consolidation."])
        i = rng.choice([f"{_cap(lobe)} pneumonia.", f"{_cap(lobe)} consolidation, consistent with pneumonia.",
                        f"{_cap(lobe)} airspace disease, likely pneumonia."])
        if "zone" in f or "base" in f:
            i = rng.choice([f"{_cap(side)} {f.split(side)[1].split(' consolidation')[0].strip()} pneumonia.",
                            f"{_cap(side)}-sided consolidation, likely infective."])
        return Fnd(fam, side, True, f, i, ("lungs",), "No focal consolidation.", ("consolidation", "opacity", side))
    if fam == "edema":
        f = rng.choice(["Upper lobe venous diversion with interstitial edema and Kerley B lines.",
                        "Diffuse interstitial edema with perihilar haziness.",
                        "Pulmonary vascular congestion with mild interstitial edema.",
                        "Increased interstitial markings and peribronchial cuffing consistent with edema."])
        i = rng.choice(["Mild pulmonary edema.", "Interstitial pulmonary edema.", "Pulmonary vascular congestion "
                        "and interstitial edema, in keeping with fluid overload."])
        return Fnd(fam, None, True, f, i, ("edema", "lungs"), "No pulmonary edema.", ("edema",))
    if fam == "nodule":
        lobe = rng.choice(LOBES[side])
        if sig is None:
            sig = rng.random() < 0.6
        mm = rng.choice([8, 9, 11, 12, 14, 18]) if sig else rng.choice([3, 4, 5])
        size = f"{mm} mm" if mm < 10 or rng.random() < 0.5 else f"{mm / 10:.1f} cm"
        f = rng.choice([f"{size} nodule in the {lobe}.", f"There is a {size} noncalcified nodule in the {lobe}.",
                        f"A {size} rounded nodular opacity projects over the {lobe}."])
        i = f"{size} {lobe} nodule; CT chest recommended." if sig else f"{size} {lobe} nodule."
        return Fnd(fam, side, sig, f, i, ("lungs",), "", ("nodule", "nodular", side, *size.split()))
    if fam == "mass":
        lobe = rng.choice(LOBES[side])
        cm = rng.choice(["3.2", "4.5", "2.8", "5.1"])
        f = rng.choice([f"{cm} cm mass in the {lobe}.", f"Lobulated {cm} cm mass in the {lobe}."])
        i = f"{cm} cm {lobe} mass, suspicious for malignancy. Recommend CT chest with contrast."
        return Fnd("nodule", side, True, f, i, ("lungs",), "", ("mass", side, cm))
    if fam == "collapse":
        lobe = rng.choice(["right upper lobe", "left lower lobe", "left upper lobe", "right middle lobe",
                           "right lower lobe"])
        side = lobe.split()[0]
        f = rng.choice([f"Complete collapse of the {lobe}.", f"{_cap(lobe)} collapse with volume loss.",
                        f"The {lobe} is collapsed, with shift of the fissure."])
        i = f"{_cap(lobe)} collapse."
        return Fnd(fam, side, True, f, i, ("lungs",), "", ("collapse", "collapsed", side))
    if fam == "mediastinum":
        f = rng.choice(["The mediastinum is widened, measuring 9.5 cm at the level of the aortic knob.",
                        "Widened superior mediastinum."])
        i = "Widened mediastinum. Recommend CT angiography of the chest."
        return Fnd(fam, None, True, f, i, ("mediast", "heart"), "", ("mediastinum", "widened"))
    if fam == "freeair":
        f = rng.choice(["Free air beneath the right hemidiaphragm.", "Lucency under both hemidiaphragms consistent "
                        "with free intraperitoneal air.", "Crescent of free air under the right hemidiaphragm."])
        i = "Free intraperitoneal air. Findings called to the referring team."
        return Fnd(fam, None, True, f, i, ("freeair",), "", ("free", "air"))
    if fam == "cardiomegaly":
        grade = rng.choice(["Mild", "Borderline", "Stable mild"])
        f = rng.choice([f"{grade} cardiomegaly.", f"{grade} enlargement of the cardiac silhouette."])
        i = f"{grade} cardiomegaly."
        return Fnd(fam, None, False, f, i, ("heart",), "", ("cardiomegaly",))
    if fam == "atelectasis":
        f = rng.choice([f"Linear atelectasis at the {side} base.", f"Mild {side} basilar subsegmental atelectasis."])
        i = f"{_cap(side)} basilar atelectasis."
        return Fnd("collapse", side, False, f, i, (), "", ("atelectasis", side))
    if fam == "granuloma":
        f = rng.choice([f"Calcified granuloma in the {side} upper lobe.", f"Small calcified granuloma at the {side} "
                        "lung base."])
        i = f"Calcified {side} granuloma, benign."
        return Fnd("granuloma", side, False, f, i, (), "", ("granuloma", side))
    if fam == "spine":
        f = rng.choice(["Degenerative changes of the thoracic spine.", "Mild multilevel thoracic spondylosis."])
        return Fnd("spine", None, False, f, "Degenerative changes of the thoracic spine.", (), "", ())
    if fam == "line":
        f = rng.choice([f"{_cap(side)} internal jugular central venous catheter with tip at the cavoatrial junction.",
                        f"{_cap(side)} chest wall port with catheter tip in the lower SVC."])
        i = f"{_cap(side)}-sided central line in satisfactory position."
        return Fnd("line", side, False, f, i, (), "", (side,))
    if fam == "emphysema":
        f = "Hyperinflated lungs with flattened hemidiaphragms, consistent with emphysema."
        return Fnd("emphysema", None, False, f, "Emphysema.", (), "", ())
    raise ValueError(fam)


SIG_FAMS = ["pneumothorax", "effusion", "consolidation", "edema", "nodule", "mass", "collapse", "mediastinum",
            "freeair"]
MINOR_FAMS = ["cardiomegaly", "atelectasis", "granuloma", "spine", "line", "emphysema"]
NORMAL_ORDER = ["heart", "mediast", "lungs", "effusion", "ptx", "edema", "bones"]


def compose(rng, n_sig, n_minor, force=None, force_sig=None):
    """Return (findings list of (sentence, Fnd|None), impression list, fnds)."""
    fams = []
    if force:
        fams.append(force)
    pool = [f for f in SIG_FAMS if f not in fams]
    rng.shuffle(pool)
    while len([f for f in fams if f in SIG_FAMS]) < n_sig:
        fams.append(pool.pop())
    mpool = MINOR_FAMS[:]
    rng.shuffle(mpool)
    fams += mpool[:n_minor]
    fnds, used_sides = [], {}
    for fam in fams:
        for _ in range(10):
            fd = bank_finding(rng, fam, force_sig if fam == force else (True if fam in SIG_FAMS else None))
            if fd.fam not in used_sides:
                break
        used_sides[fd.fam] = fd.side
        fnds.append(fd)
    # nodule vs mass: keep only one of the "nodule" family
    seen, uniq = set(), []
    for fd in fnds:
        if fd.fam in seen:
            continue
        seen.add(fd.fam)
        uniq.append(fd)
    fnds = uniq
    drops = {d for fd in fnds for d in fd.drops}
    lines = []
    for key in NORMAL_ORDER:
        if key in drops:
            continue
        if key in ("edema",) and rng.random() < 0.5:
            continue
        if key == "bones" and rng.random() < 0.3:
            continue
        opts = NORMALS[key]
        if key == "lungs" and any(fd.fam in ("pneumothorax", "collapse", "effusion") for fd in fnds):
            opts = [o for o in opts if "expanded" not in o]
        lines.append((rng.choice(opts), None))
    if "freeair" not in drops and rng.random() < 0.15:
        lines.append((rng.choice(NORMALS["freeair"]), None))
    # abnormal sentences go roughly where a radiologist would put them
    for fd in fnds:
        bones = next((i for i, (t, _) in enumerate(lines) if t in NORMALS["bones"] or t in NORMALS["freeair"]),
                     len(lines))
        pos = {"cardiomegaly": 0, "mediastinum": 1, "line": 0}.get(fd.fam, bones)
        if fd.fam == "spine" or fd.fam == "freeair":
            pos = len(lines)
        pos = max(0, min(pos, len(lines)))
        lines.insert(pos, (fd.ftext, fd))
    # effusion on one side: sometimes say the other side is clear (a laterality trap for naive rules)
    for fd in fnds:
        if fd.fam == "effusion" and rng.random() < 0.4:
            lines.append((f"No {flip_side(fd.side)} effusion.", None))
    imp = []
    for fd in fnds:
        if fd.sig or rng.random() < 0.5:
            imp.append(fd.itext)
    if not any(fd.sig for fd in fnds):
        if imp and rng.random() < 0.5:
            imp.append(rng.choice(["Otherwise no acute cardiopulmonary process.", "No acute cardiopulmonary "
                                   "abnormality otherwise."]))
        else:
            imp.insert(0, rng.choice(NORMAL_IMPS[:-1] if fnds else NORMAL_IMPS))
    return lines, imp, fnds


def composed_header(rng, case):
    exam, cpt, tech = rng.choice(EXAMS)
    case.exam, case.cpt, case.technique = exam, cpt, tech
    if rng.random() < 0.6:
        case.icd = rng.sample(ICD, rng.choice([1, 1, 2]))
        case.indication = "; ".join(f"{c} {d}" for c, d in case.icd)
        if rng.random() < 0.4:
            case.indication = _cap(rng.choice(HISTORY)) + ". Dx: " + case.indication
    else:
        age = rng.choice(["___-year-old", f"{rng.randint(24, 91)}-year-old", "___ y/o"])
        case.indication = f"{age} {rng.choice(['man', 'woman', 'M', 'F', 'patient'])}. {_cap(rng.choice(HISTORY))}."
    case.comparison = rng.choice(["None.", "None available.", f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/"
                                  f"{rng.choice([2019, 2021, 2022, 2023])}.", "Chest radiograph from ___.",
                                  "Prior study of ___ (outside hospital).", "CT chest ___."])


def make_composed(rng, kind):
    case = Case("composed", [], [])
    composed_header(rng, case)
    if kind is None:
        n_sig = rng.choice([0, 0, 0, 1, 1, 2])
        lines, imp, fnds = compose(rng, n_sig, rng.choice([0, 1, 1, 2]))
        case.findings = [s for s, _ in lines]
        case.impression = imp
        case.numbered = len(imp) > 1 and rng.random() < 0.6
        return case
    if kind == "missing_section":
        n_sig = rng.choice([0, 1, 1])
        lines, imp, fnds = compose(rng, n_sig, rng.choice([0, 1]))
        case.findings = [s for s, _ in lines]
        case.impression = imp
        mode = rng.choice(["imp_empty", "imp_absent", "imp_absent", "find_empty", "find_absent_bare"])
        if mode == "find_absent_bare" and fnds:
            mode = "imp_empty"
        if mode == "imp_empty":
            case.impression, case.detail = [], "IMPRESSION header left with nothing under it"
        elif mode == "imp_absent":
            case.impression, case.detail = None, "IMPRESSION section absent"
        elif mode == "find_empty":
            case.findings, case.detail = [], "FINDINGS header left with nothing under it"
        else:
            case.findings = None
            case.impression = [rng.choice(["No acute disease.", "No acute cardiopulmonary process.",
                                           "Negative."])]
            case.detail = "FINDINGS section absent; impression is a bare normal statement"
        case.meta["mode"] = mode
        return case
    if kind == "laterality_conflict":
        fam = rng.choice(["pneumothorax", "effusion", "consolidation", "nodule", "mass", "collapse", "effusion"])
        for _ in range(20):
            lines, imp, fnds = compose(rng, rng.choice([1, 1, 2]), rng.choice([0, 1]), force=fam, force_sig=True)
            target = fnds[0]
            if not re.search(r"middle lobe|lingula", target.ftext + target.itext):
                break
        case.findings = [s for s, _ in lines if not re.match(r"No (left|right) effusion", s)]
        case.impression = imp
        where = rng.choice(["impression", "findings"])
        sec = case.impression if where == "impression" else case.findings
        src = target.itext if where == "impression" else target.ftext
        idx = next(i for i, s in enumerate(sec) if src.split(".")[0] in s)
        old = sec[idx]
        new = SIDE_RE.sub(lambda m: flip_side(m.group(1)), old)
        sec[idx] = new
        newside = flip_side(target.side)
        case.detail = (f"{where}: side of the {target.fam} flipped to {newside} ('{new.strip()}'); the other section "
                       f"says {target.side}")
        case.meta = {"fam": target.fam, "where": where, "sent": new, "side": newside}
        case.protect += [newside, target.side, *target.words]
        return case
    if kind == "negation_conflict":
        mode = rng.choice(["imp_negates", "imp_negates", "imp_asserts", "imp_asserts_meaning"])
        if mode == "imp_negates":
            fam = rng.choice(["pneumothorax", "effusion", "consolidation", "edema"])
            lines, imp, fnds = compose(rng, rng.choice([1, 1, 2]), rng.choice([0, 1]), force=fam,
                                       force_sig=rng.random() < 0.5)
            target = fnds[0]
            case.findings = [s for s, _ in lines]
            imp = [s for s in imp if s != target.itext]
            neg = target.neg_imp
            if rng.random() < 0.5:
                neg = rng.choice({"pneumothorax": ["No pneumothorax or pleural effusion.", "No pneumothorax."],
                                  "effusion": ["No pleural effusion or pneumothorax.", "No pleural effusions."],
                                  "consolidation": ["No focal consolidation.", "Clear lungs. No pneumonia."],
                                  "edema": ["No pulmonary edema.", "No evidence of congestive failure."]}[fam])
            imp.insert(rng.randint(0, len(imp)), neg)
            case.impression = imp
            case.detail = f"findings affirm the {fam} ('{target.ftext}'); impression rules it out ('{neg}')"
            case.meta = {"fam": fam, "aff": target.ftext, "aff_sec": "findings", "neg": neg}
            case.protect += [*target.words, *neg.rstrip(".").split()]
        else:
            fam = rng.choice(["effusion", "pneumothorax", "consolidation", "edema", "cardiomegaly"])
            lines, imp, fnds = compose(rng, 0, rng.choice([0, 1]))
            lines = [(s, f) for s, f in lines if not (f and f.fam in (fam, "collapse", "emphysema"))]
            fd = bank_finding(rng, fam if fam != "cardiomegaly" else "cardiomegaly", True)
            if fam == "cardiomegaly":
                fd.itext = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac silhouette."])
            neg_by_meaning = {"effusion": "Costophrenic angles are sharp.", "pneumothorax": "No pneumothorax.",
                              "consolidation": "The lungs are clear.", "edema": "Pulmonary vascularity is normal.",
                              "cardiomegaly": "Heart size is normal."}[fam]
            neg_explicit = {"effusion": "No pleural effusion.", "pneumothorax": "There is no pneumothorax.",
                            "consolidation": "No focal consolidation.", "edema": "No pulmonary edema.",
                            "cardiomegaly": "The heart is not enlarged."}[fam]
            neg = neg_by_meaning if mode == "imp_asserts_meaning" else neg_explicit
            keymap = {"effusion": "effusion", "pneumothorax": "ptx", "consolidation": "lungs", "edema": "edema",
                      "cardiomegaly": "heart"}
            key = keymap[fam]
            fl = [s for s, _ in lines if s not in NORMALS[key]]
            pos = {"heart": 0, "lungs": 1}.get(key, len(fl))
            fl.insert(min(pos, len(fl)), neg)
            if fam in ("effusion", "consolidation"):
                fl = [s for s in fl if not re.search(r"^No (left|right) effusion", s)]
            case.findings = fl
            case.impression = [fd.itext] + [s for s in imp if not NORMAL_IMP.match(s)]
            case.detail = f"findings rule out the {fam} ('{neg}'); impression affirms it ('{fd.itext}')"
            case.meta = {"fam": fam, "aff": fd.itext, "aff_sec": "impression", "neg": neg}
            case.protect += [*fd.words, *neg.rstrip(".").split()]
        case.numbered = len(case.impression) > 1 and rng.random() < 0.5
        return case
    if kind == "impression_omits_finding":
        fam = rng.choice(["pneumothorax", "effusion", "consolidation", "edema", "nodule", "mass", "collapse",
                          "mediastinum", "freeair", "pneumothorax", "consolidation"])
        style = case.meta.get("omit_style") or rng.choice(["normal", "others"])
        lines, imp, fnds = compose(rng, 1 if style == "normal" else 2, rng.choice([0, 1, 1]), force=fam,
                                   force_sig=True)
        target = fnds[0]
        if fam == "consolidation" and "New" not in target.ftext and rng.random() < 0.3:
            pass
        case.findings = [s for s, _ in lines]
        ffam = target.fam
        others = [fd.itext for fd in fnds[1:] if (fd.sig or rng.random() < 0.5) and not mentions(fd.itext, ffam)]
        if style == "normal" or not others:
            imp = [rng.choice(NORMAL_IMPS[:5])]
            others_minor = [fd.itext for fd in fnds[1:] if not fd.sig and not mentions(fd.itext, ffam)]
            if others_minor and rng.random() < 0.5:
                imp = others_minor[:1] + ["Otherwise no acute cardiopulmonary abnormality."]
            style = "normal"
        else:
            imp = others
        case.impression = imp
        case.detail = f"findings affirm '{target.ftext}'; impression ({style}) leaves it out"
        case.meta = {"fam": ffam, "aff": target.ftext, "style": style, "words": target.words}
        case.protect += list(target.words)
        case.numbered = len(imp) > 1 and rng.random() < 0.5
        return case
    if kind == "placeholder":
        n_sig = rng.choice([1, 1, 2])
        lines, imp, fnds = compose(rng, n_sig, rng.choice([0, 1]))
        case.findings = [s for s, _ in lines]
        case.impression = imp
        return place_holder(rng, case)
    raise ValueError(kind)


SIZE_RE = re.compile(r"\b(\d+(?:\.\d+)?) ?(mm|cm)\b")
GRADE_RE = re.compile(r"\b(small|moderate|large|mild|tiny|trace|moderate to large)\b", re.I)
HEART_RE = re.compile(r"\b(?:heart size|heart|cardiac silhouette) (?:is |appears )?(normal|enlarged)\b", re.I)
LOBE_RE = re.compile(r"\b(right|left) (upper|middle|lower) lobe\b", re.I)


def place_holder(rng, case):
    """Replace one measurement, side, grade or finding word by a template blank (composed or IU)."""
    opts = []
    for sec in ("findings", "impression"):
        for i, s in enumerate(getattr(case, sec)):
            if HEART_RE.search(s) and not SIZE_RE.search(s):
                opts.append(("heart", sec, i))
            if NEG_CUE.search(s) or HEDGE.search(s) or "XXXX" in s:
                continue
            if SIZE_RE.search(s):
                opts.append(("size", sec, i))
            if SIDE_RE.search(s) and not re.search(r"\bleft\b.*\bright\b|\bright\b.*\bleft\b", s, re.I):
                opts.append(("side", sec, i))
            if GRADE_RE.search(s):
                opts.append(("grade", sec, i))
            if LOBE_RE.search(s):
                opts.append(("lobe", sec, i))
    if not opts:
        return None
    cats = sorted({o[0] for o in opts})
    if len(cats) > 1 and "heart" in cats and rng.random() < 0.7:
        cats.remove("heart")
    cat = rng.choice(cats)
    what, sec, i = rng.choice([o for o in opts if o[0] == cat])
    lst = getattr(case, sec)
    old = lst[i]
    if what == "size":
        m = SIZE_RE.search(old)
        tok = rng.choice([f"___ {m.group(2)}", f"XX {m.group(2)}", f"[***] {m.group(2)}", f"*** {m.group(2)}"])
        new = old[: m.start()] + tok + old[m.end():]
    elif what == "side":
        m = SIDE_RE.search(old)
        tok = rng.choice(["[LEFT/RIGHT]", "[side]", "[***]", "<insert side>", "[ ]"])
        if tok == "[LEFT/RIGHT]" and m.group(1)[0].islower() and rng.random() < 0.5:
            tok = "[left/right]"
        new = old[: m.start()] + tok + old[m.end():]
    elif what == "grade":
        m = GRADE_RE.search(old)
        tok = rng.choice(["[mild/moderate/severe]", "[small/moderate/large]", "[***]", "<insert>", "***"])
        new = old[: m.start()] + tok + old[m.end():]
    elif what == "lobe":
        m = LOBE_RE.search(old)
        tok = rng.choice(["[lobe]", "[***]", "<insert lobe>"])
        new = old[: m.start()] + m.group(1) + " " + tok + old[m.end():]
    else:
        m = HEART_RE.search(old)
        tok = rng.choice(["[normal/enlarged]", "[***]", "<insert>"])
        new = old[: m.start(1)] + tok + old[m.end(1):]
    lst[i] = new
    case.detail = f"{sec}: {what} left as a template blank {tok!r} ('{new.strip()}')"
    case.meta = {"token": tok.split()[0] if tok.startswith(("___", "XX", "[***]", "***")) else tok, "sec": sec,
                 "sent": new}
    case.protect += [tok]
    return case


# ----------------------------------------------------------------------------------------------------------------
# IU (Open-i) reports


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(d) if d else REPO.parent / "shared"


def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not (m.isfile() and m.name.endswith(".xml")):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if uid in dev or not d.get("FINDINGS") or not d.get("IMPRESSION"):
                continue
            out.append((uid, d))
    out.sort(key=lambda x: int(x[0][3:]))
    return out, dev


REWORD = [
    (r"\bx-XXXX\b", "radiograph"), (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bwithin normal limits\b", "normal"), (r"^There is no ", "No "), (r"^There are no ", "No "),
    (r"\bThe cardiomediastinal silhouette\b", "Cardiomediastinal silhouette"),
    (r"\bare within normal limits\b", "are normal"), (r"\bNo evidence of pneumothorax\b", "No pneumothorax"),
    (r"\bpleural effusions\b", "pleural effusion"), (r"\bbony\b", "osseous"), (r"\bappear\b", "are"),
    (r"\bdisease\b(?=\.$)", "process"),
]


def reword(rng, sents):
    out = []
    for s in sents:
        for pat, rep in REWORD:
            if rng.random() < 0.5:
                s = re.sub(pat, rep, s)
        out.append(s[0].upper() + s[1:] if s else s)
    return out


def iu_case(rng, uid, d):
    c = Case(uid, reword(rng, sentences(d["FINDINGS"])), reword(rng, sentences(d["IMPRESSION"])))
    c.indication = d.get("INDICATION", "") or "Not given."
    c.comparison = d.get("COMPARISON", "") or "None."
    exam, cpt, tech = rng.choice(EXAMS[:2] + EXAMS[3:4])
    c.exam, c.cpt = exam, cpt
    c.technique = tech if rng.random() < 0.5 else ""
    c.numbered = len(c.impression) > 1 and rng.random() < 0.5
    if rng.random() < 0.35:
        c.icd = rng.sample(ICD[:8], 1)
    return c


def imp_is_normal(imp):
    return bool(imp) and all(NORMAL_IMP.match(s) for s in imp)


def no_placeholder(c):
    return not any(PLACEHOLDER_RE.search(s) for s in (c.findings or []) + (c.impression or []))


OMIT_FAMS = ["pneumothorax", "consolidation", "edema", "effusion", "nodule", "freeair"]


def sig_affirmed(sent, fam):
    if not affirmed(sent, fam) or CHRONIC.search(sent):
        return False
    if fam == "effusion":
        return bool(re.search(r"\b(moderate|large|massive)\b", sent, re.I)) and not re.search(
            r"\b(small|trace|tiny|minimal)\b", sent, re.I)
    if fam == "consolidation":
        return bool(re.search(r"consolidat|air ?space (?:disease|opacit)|infiltrat|pneumonia", sent, re.I))
    if fam == "nodule":
        m = SIZE_RE.search(sent)
        if re.search(r"\bmass\b", sent, re.I):
            return True
        if not m:
            return False
        mm = float(m.group(1)) * (10 if m.group(2) == "cm" else 1)
        return mm >= 6 and "nodul" in sent.lower()
    if fam == "edema":
        return bool(re.search(r"\bedema\b", sent, re.I))
    return True


def iu_consistent(c):
    """The real report itself shows none of the five errors (as far as these rules can tell)."""
    F, IMP = c.findings, c.impression
    imp = " ".join(IMP)
    for fam in OMIT_FAMS:
        if any(sig_affirmed(s, fam) for s in F) and not mentions(imp, fam):
            return False
    for pat, say in ((r"mediastin\w* (?:is |are )?widen|widen\w* (?:of )?(?:the )?(?:upper |superior )?mediastin",
                      r"mediastin"),
                     (r"\b(?:lobe|lobar)\b[^.]*\bcollapse|collapse[^.]*\blobe\b", r"collapse|atelecta")):
        if any(re.search(pat, s, re.I) and not NEG_CUE.search(s) for s in F) and not re.search(say, imp, re.I):
            return False
    if any(re.search(r"\b(new|increas\w*|enlarging|worsen\w*)\b", s, re.I) and fams_of(s)
           and not NEG_CUE.search(s) and not any(mentions(imp, f) for f in fams_of(s)) for s in F):
        return False
    for fam in ("effusion", "pneumothorax", "consolidation", "edema"):
        if any(affirmed(s, fam) for s in F) and any(negates(s, fam) for s in IMP):
            return False
        if any(affirmed(s, fam) for s in IMP) and any(negates(s, fam) and not SIDE_RE.search(s) for s in F):
            return False
    for s in F:
        for fam in fams_of(s):
            fs = {w.lower() for w in SIDE_RE.findall(s)}
            if len(fs) != 1 or not affirmed(s, fam):
                continue
            for t in IMP:
                ts = {w.lower() for w in SIDE_RE.findall(t)}
                if len(ts) == 1 and ts != fs and affirmed(t, fam) and not any(
                        fam in fams_of(u) and ts <= {w.lower() for w in SIDE_RE.findall(u)} for u in F):
                    return False
    return no_placeholder(c)


def iu_inject(rng, c, kind, want=None):
    """Try to inject `kind` into IU case c; return the case or None when it does not fit."""
    F, IMP = c.findings, c.impression
    if not iu_consistent(c):
        return None
    if kind is None:
        return c if no_placeholder(c) and len(" ".join(F)) > 40 else None
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_absent", "find_empty", "imp_absent", "find_absent_bare"])
        if mode == "find_absent_bare":
            if not imp_is_normal(IMP) or len(IMP) > 1:
                mode = "imp_empty"
            else:
                c.findings = None
                c.impression = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality.",
                                            "Negative chest."])]
                c.detail = "FINDINGS section absent; impression a bare normal statement"
        if mode == "imp_empty":
            c.impression, c.detail = [], "IMPRESSION header left with nothing under it"
        elif mode == "imp_absent":
            c.impression, c.detail = None, "IMPRESSION section absent"
        elif mode == "find_empty":
            c.findings, c.detail = [], "FINDINGS header left with nothing under it"
        c.meta["mode"] = mode
        return c
    if kind == "laterality_conflict":
        fams = ["effusion", "pneumothorax", "consolidation", "nodule", "collapse", "fracture"]
        pairs = []
        for fi, fs in enumerate(F):
            fsides = {w.lower() for w in SIDE_RE.findall(fs)}
            if len(fsides) != 1 or BILAT.search(fs) or re.search(r"middle lobe|lingul", fs, re.I):
                continue
            for ii, is_ in enumerate(IMP):
                isides = {w.lower() for w in SIDE_RE.findall(is_)}
                if isides != fsides or BILAT.search(is_) or re.search(r"middle lobe|lingul", is_, re.I):
                    continue
                for fam in fams:
                    if affirmed(fs, fam) and affirmed(is_, fam):
                        pairs.append((fi, ii, fam, fsides.pop() if False else next(iter(fsides))))
        if not pairs:
            return None
        fi, ii, fam, side = rng.choice(pairs)
        where = rng.choice(["impression", "findings"])
        sec, idx = (IMP, ii) if where == "impression" else (F, fi)
        other = F if where == "impression" else IMP
        newside = flip_side(side)
        fams_here = fams_of(F[fi]) | fams_of(IMP[ii])
        if "collapse" in fams_here or "consolidation" in fams_here:
            fams_here |= {"collapse", "consolidation"}
        if any(fams_of(s) & fams_here and re.search(rf"\b{newside}\b", s, re.I) for s in other):
            return None
        if any(fams_of(s) & fams_here and re.search(rf"\b{side}\b", s, re.I) for j, s in enumerate(sec) if j != idx):
            return None
        sec[idx] = SIDE_RE.sub(lambda m: flip_side(m.group(1)), sec[idx])
        c.detail = (f"{where}: side flipped to {newside} in '{sec[idx]}'; the other section places the {fam} "
                    f"on the {side}")
        c.meta = {"fam": fam, "where": where, "sent": sec[idx], "side": newside}
        c.protect += [side, newside]
        return c
    if kind == "negation_conflict":
        mode = want or rng.choice(["imp_negates", "imp_asserts"])
        if mode == "imp_negates":
            opts = []
            for fam, neg in (("effusion", ["No pleural effusion.", "No pleural effusions or pneumothorax."]),
                             ("pneumothorax", ["No pneumothorax.", "No pneumothorax or pleural effusion."]),
                             ("consolidation", ["No focal consolidation.", "Lungs are clear."]),
                             ("edema", ["No pulmonary edema."]),
                             ("cardiomegaly", ["Heart size is normal.", "No cardiomegaly."])):
                aff = [s for s in F if affirmed(s, fam) and not CHRONIC.search(s)]
                if fam == "consolidation":
                    aff = [s for s in aff if re.search(r"consolidat|air ?space|infiltrat|pneumonia", s, re.I)]
                if aff and any(mentions(s, fam) for s in IMP):
                    opts.append((fam, aff[0], neg))
            if not opts:
                return None
            fam, aff, negs = rng.choice(opts)
            if fam == "consolidation":
                word = re.search(r"consolidation|air ?space (?:disease|opacit\w+)|infiltrates?|pneumonia", aff, re.I)
                w = word.group(0).lower() if word else "airspace disease"
                w = {"airspace opacity": "airspace opacities", "air space opacity": "air space opacities",
                     "infiltrate": "infiltrates"}.get(w, w)
                negs = [f"No {w}.", "Lungs are clear."]
            neg = rng.choice(negs)
            other_fams = [f for f in FAMILY if f != fam and f.split()[0] in neg.lower()]
            if any(affirmed(s, f) for s in F for f in other_fams):
                neg = negs[0]
            keep = [s for s in IMP if not mentions(s, fam)]
            keep = [s for s in keep if not NORMAL_IMP.match(s)]
            keep.insert(rng.randint(0, len(keep)), neg)
            c.impression = keep
            c.detail = f"findings affirm the {fam} ('{aff}'); impression now rules it out ('{neg}')"
            c.meta = {"fam": fam, "aff": aff, "aff_sec": "findings", "neg": neg}
            c.protect += neg.rstrip(".").split()
            return c
        # impression asserts what findings rule out: only on normal studies
        if not imp_is_normal(IMP) or any(sig_affirmed(s, f) for s in F for f in OMIT_FAMS):
            return None
        opts = []
        for fam, assert_ in (("effusion", ["Moderate right pleural effusion.", "Small left pleural effusion.",
                                           "Bilateral pleural effusions."]),
                             ("pneumothorax", ["Small right apical pneumothorax.", "Left pneumothorax."]),
                             ("consolidation", ["Right lower lobe pneumonia.", "Left basilar consolidation, "
                                                "likely pneumonia.", "Patchy airspace disease in the lingula."]),
                             ("edema", ["Mild interstitial pulmonary edema."]),
                             ("cardiomegaly", ["Cardiomegaly.", "Moderate cardiomegaly."])):
            if fam == "consolidation":
                neg = [s for s in F if negates(s, fam) or re.search(r"\blungs? (?:are|is) (?:otherwise )?clear\b",
                                                                   s, re.I)]
            elif fam == "cardiomegaly":
                neg = [s for s in F if re.search(r"\b(heart|cardiac)\b[^.]*\b(normal|not enlarged|unremarkable)",
                                                 s, re.I) and not re.search(r"enlarg(?!ed\b)|cardiomegaly", s, re.I)]
            else:
                neg = [s for s in F if negates(s, fam)]
            if fam == "edema":
                neg = [s for s in neg if "edema" in s.lower()]
            neg = [s for s in neg if not SIDE_RE.search(s) and not re.search(r"upper limit|borderline|top", s, re.I)]
            if neg and not any(affirmed(s, fam) for s in F):
                opts.append((fam, neg[0], assert_))
        if not opts:
            return None
        fam, neg, asserts = rng.choice(opts)
        a = rng.choice(asserts)
        c.impression = [a] if rng.random() < 0.6 else [a, rng.choice(["Otherwise no acute findings.",
                                                                       "No other acute abnormality."])]
        c.detail = f"findings rule out the {fam} ('{neg}'); impression affirms it ('{a}')"
        c.meta = {"fam": fam, "aff": a, "aff_sec": "impression", "neg": neg}
        c.protect += a.rstrip(".").split()
        return c
    if kind == "impression_omits_finding":
        style = want
        opts = []
        for fam in OMIT_FAMS:
            aff = [s for s in F if sig_affirmed(s, fam)]
            if aff and any(mentions(s, fam) for s in IMP):
                opts.append((fam, aff[0]))
        if not opts:
            return None
        fam, aff = rng.choice(opts)
        if fam == "effusion" and any(negates(s, "effusion") for s in F):
            return None
        if style == "others":
            rest = [s for s in IMP if not mentions(s, fam) and not NORMAL_IMP.match(s) and not NEG_CUE.search(s)
                    and not re.search(r"\b(normal|unremarkable|clear)\b", s, re.I)]
            if fam == "consolidation":
                rest = [s for s in rest if not mentions(s, "collapse")]
            if not rest:
                return None
            c.impression = rest
        else:
            c.impression = [rng.choice(NORMAL_IMPS[:5])]
        if mentions(" ".join(c.impression), fam):
            return None
        c.detail = f"findings affirm '{aff}'; impression ({style}) leaves it out"
        c.meta = {"fam": fam, "aff": aff, "style": style}
        c.protect += [w for w in re.findall(r"[A-Za-z]+", aff) if FAM_RE[fam].search(w)]
        return c
    if kind == "placeholder":
        return place_holder(rng, c)
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------------
# verification of each case on its structure


def verify(c):
    F, IMP = c.findings, c.impression
    k = c.kind
    if k is None:
        assert F and IMP, "clean needs both sections"
        assert no_placeholder(c), "clean with a placeholder"
        return
    if k == "missing_section":
        assert not F or not IMP
        if F is None:
            assert IMP and imp_is_normal(IMP) and not any(mentions(" ".join(IMP), f) for f in FAMILY), IMP
        assert F is None or F or IMP  # something is left
        return
    assert F and IMP, f"{k}: both sections must be present"
    m = c.meta
    if k == "laterality_conflict":
        sec_new, sec_other = (IMP, F) if m["where"] == "impression" else (F, IMP)
        assert m["sent"] in sec_new
        assert re.search(rf"\b{m['side']}\b", m["sent"], re.I) and mentions(m["sent"], m["fam"])
        old = flip_side(m["side"])
        assert any(re.search(rf"\b{old}\b", s, re.I) and mentions(s, m["fam"]) for s in sec_other), c.detail
        return
    if k == "negation_conflict":
        aff_sec, neg_sec = (F, IMP) if m["aff_sec"] == "findings" else (IMP, F)
        assert m["aff"] in aff_sec and m["neg"] in neg_sec
        assert mentions(m["aff"], m["fam"]) or (m["fam"] == "cardiomegaly")
        return
    if k == "impression_omits_finding":
        assert m["aff"] in F
        assert not mentions(" ".join(IMP), m["fam"]), (m["fam"], IMP)
        if m["fam"] == "nodule":
            assert not re.search(r"nodul|mass|lesion|neoplas|malignan", " ".join(IMP), re.I)
        return
    if k == "placeholder":
        assert any(m["token"] in s for s in F + IMP)
        return
    raise AssertionError(k)


# ----------------------------------------------------------------------------------------------------------------
# rendering: the plumbing styles

FIRST = ["Anita", "Rahul", "Grace", "Tomasz", "Mei", "Oluwaseun", "Daniel", "Priya", "Samuel", "Ingrid", "Carlos"]
LAST = ["Patel", "Okafor", "Lindqvist", "Nguyen", "Moreau", "Kowalski", "Haddad", "Brennan", "Tanaka", "Ferreira"]
SITES = [("Riverside Regional Imaging", "Department of Radiology", "1200 Harbor Blvd, Suite 4"),
         ("St. Columba Medical Center", "Diagnostic Imaging Services", "88 Abbey Road"),
         ("Lakeshore Teleradiology Partners", "Radiology Reading Group", "PO Box 4410"),
         ("Mercy West Hospital", "Imaging Department", "3300 Westview Dr")]


def person(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def labels(rng):
    return rng.choice([
        {"F": "FINDINGS:", "I": "IMPRESSION:", "H": "CLINICAL HISTORY:", "C": "COMPARISON:", "T": "TECHNIQUE:",
         "E": "EXAM:"},
        {"F": "Findings:", "I": "Impression:", "H": "Indication:", "C": "Comparison:", "T": "Technique:",
         "E": "Exam:"},
        {"F": "FINDINGS", "I": "IMPRESSION", "H": "REASON FOR EXAM", "C": "COMPARISON", "T": "TECHNIQUE",
         "E": "PROCEDURE"},
        {"F": "Findings", "I": "Conclusion", "H": "Clinical information", "C": "Comparison", "T": "Technique",
         "E": "Examination"},
    ])


def section_lines(rng, c, lab, inline):
    """Canonical report body as lines (before any plumbing mangling)."""
    out = [f"{lab['E']} {c.exam}" if lab["E"].endswith(":") else f"{lab['E']}: {c.exam}"]
    hist = c.indication
    if c.icd and c.source != "composed":
        hist = f"{hist} [Dx: {c.icd[0][0]} {c.icd[0][1]}]"
    out.append(f"{lab['H']} {hist}" if lab["H"].endswith(":") else f"{lab['H']}: {hist}")
    if c.technique:
        out.append(f"{lab['T']} {c.technique}" if lab["T"].endswith(":") else f"{lab['T']}: {c.technique}")
    out.append(f"{lab['C']} {c.comparison}" if lab["C"].endswith(":") else f"{lab['C']}: {c.comparison}")
    out.append("")
    if c.findings is not None:
        text = " ".join(c.findings)
        if inline and text:
            out.append(f"{lab['F']} {text}" if lab["F"].endswith(":") else f"{lab['F']}: {text}")
        else:
            out.append(lab["F"])
            if rng.random() < 0.3 and len(c.findings) > 3:
                out += c.findings
            elif text:
                out.append(text)
        out.append("")
    if c.impression is not None:
        out.append(lab["I"])
        if c.numbered:
            out += [f"{i}. {s}" for i, s in enumerate(c.impression, 1)]
        elif c.impression:
            out.append(" ".join(c.impression))
        out.append("")
    return out


CPT_DESC = {"71045": "Radiologic examination, chest; single view",
            "71046": "Radiologic examination, chest; 2 views", "71047": "Radiologic examination, chest; 3 views"}


def header_block(rng, c):
    acc = f"{rng.choice(['RAD', 'A', 'CR', ''])}{rng.randint(10**7, 10**8 - 1)}"
    dr = rng.choice(["Dr. ___", f"Dr. {person(rng)}", f"{person(rng)}, MD", "___, MD"])
    lines = [f"Ordering Provider: {dr}", f"Accession #: {acc}",
             f"CPT: {c.cpt} {CPT_DESC.get(c.cpt, 'Radiologic examination, chest')}"]
    if c.icd:
        lines.append("ICD-10: " + "; ".join(f"{a} {b}" for a, b in c.icd))
    if rng.random() < 0.5:
        lines.insert(0, f"Patient: ___   MRN: {rng.randint(10**6, 10**7 - 1)}   DOB: ___")
    rng.shuffle(lines)
    return lines


def signature(rng):
    who = rng.choice([f"{person(rng)}, MD", "___, M.D.", f"Dr. {person(rng)}"])
    return rng.choice([f"Electronically signed by: {who} on ___", f"Dictated by: {who}  Transcribed: ___",
                       f"Signed: {who}", f"Reading radiologist: {who}"])


def hl7_escape(s, keep_tilde=False):
    s = s.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\").replace("&", "\\T\\")
    if not keep_tilde:
        s = s.replace("~", "\\R\\")
    return s


def render_hl7(rng, c, variant):
    lab = labels(rng)
    body = section_lines(rng, c, lab, inline=False)
    if rng.random() < 0.5:
        body = header_block(rng, c) + [""] + body
    body.append(signature(rng))
    ts = f"2023{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}"
    ctl = rng.randint(10**5, 10**6)
    segs = [f"MSH|^~\\&|{rng.choice(['RIS', 'POWERSCRIBE', 'RADNET', 'SYNGO'])}|{rng.choice(['MWH', 'RRI', 'SCMC'])}|"
            f"{rng.choice(['EPIC', 'CERNER', 'MEDITECH'])}|HOSP|{ts}||ORU^R01|{ctl}|P|"
            f"{rng.choice(['2.3', '2.4', '2.5.1'])}",
            f"PID|1||{rng.randint(10**6, 10**7)}^^^HOSP^MR||___^___||___|{rng.choice(['M', 'F'])}",
            f"OBR|1|{rng.randint(10**6, 10**7)}|{rng.randint(10**7, 10**8)}|{c.cpt}^{c.exam}^CPT4|||{ts}|||||||||"
            f"{rng.randint(1000, 9999)}^___^___||||||{ts}||CR|F"]
    oid = f"{c.cpt}&GDT^{c.exam}^CPT4" if rng.random() < 0.5 else "&GDT^Report^L"
    if variant == "hl7_lines":
        for n, line in enumerate(body, 1):
            segs.append(f"OBX|{n}|TX|{oid}|1|{hl7_escape(line)}||||||F")
    elif variant == "hl7_br":
        br = rng.choice(["\\.br\\", "\\X0D\\\\X0A\\", "\\X0A\\"])
        segs.append(f"OBX|1|FT|{oid}|1|{br.join(hl7_escape(x) for x in body)}||||||F")
    else:
        # one OBX per section, lines as ~ repetitions
        chunks, cur = [], []
        for line in body:
            if line == "" and cur:
                chunks.append(cur)
                cur = []
            elif line:
                cur.append(line)
        if cur:
            chunks.append(cur)
        for n, ch in enumerate(chunks, 1):
            segs.append(f"OBX|{n}|TX|{oid}|{n}|{'~'.join(hl7_escape(x) for x in ch)}||||||F")
    if rng.random() < 0.3:
        segs.append("NTE|1||Report transmitted via interface engine; see PACS for images.")
    return "\n".join(segs)


def protected_words(c):
    out = set()
    for p in c.protect:
        for w in re.findall(r"[A-Za-z0-9_\[\]/<>*.]+", str(p)):
            out.add(w.lower().strip("."))
    return out


LIGA = [("ffi", "\ufb03"), ("fi", "\ufb01"), ("fl", "\ufb02"), ("ff", "\ufb00")]


def wrap(rng, text, width, hyphen, protect):
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            bare = w.strip(".,;:()").lower()
            room = width - len(cur) - 2
            if hyphen and len(w) >= 9 and room >= 4 and bare not in protect and rng.random() < 0.7 and w.isalpha():
                cut = max(3, min(room, len(w) - 3))
                lines.append(f"{cur} {w[:cut]}-")
                cur = w[cut:]
                continue
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


def render_pdf(rng, c):
    lab = labels(rng)
    protect = protected_words(c)
    site = rng.choice(SITES)
    acc = rng.randint(10**7, 10**8)
    right = ["Patient: ___", f"MRN: {rng.randint(10**6, 10**7)}", "DOB: ___", f"Accession: {acc}"]
    left = list(site) + [f"Tel (555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"]
    letter = [f"{a}{' ' * rng.choice([1, 2, 6])}{b}" for a, b in zip(left, right, strict=False)]
    width = rng.choice([62, 70, 78, 86])
    body = []
    for line in section_lines(rng, c, lab, inline=rng.random() < 0.4):
        body += wrap(rng, line, width, True, protect) if line else [""]
    sig = signature(rng)
    # page break inside a section
    f0 = next((i for i, ln in enumerate(body) if re.match(r"(?i)(findings|impression|conclusion)", ln)), 4)
    spots = [i for i, ln in enumerate(body) if ln and f0 < i < len(body) - 1 and not LABEL_LINE.match(ln)]
    if spots:
        k = rng.choice(spots)
        foot = [f"{rng.choice(['Printed', 'Generated'])}: ___ {rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}"
                f"{' ' * 8}Page 1 of 2", rng.choice(["CONFIDENTIAL - contains protected health information",
                                                       f"{site[0]} | Final Report", ""]),
                "", f"Patient: ___  Accession: {acc}  (continued)"]
        if rng.random() < 0.5:
            foot = [foot[0].replace("Page 1 of 2", ""), "Page 1 of 2"] + foot[1:]
        body = body[:k] + foot + body[k:]
        sig = sig + "\nPage 2 of 2"
    if rng.random() < 0.5:
        body = header_block(rng, c) + [""] + body
    text = "\n".join(letter + [""] + body + [sig])
    if rng.random() < 0.75:
        def lig(m):
            w = m.group(0)
            if w.lower() in protect:
                return w
            for a, b in LIGA:
                if a in w and rng.random() < 0.8:
                    w = w.replace(a, b)
            return w
        text = re.sub(r"[A-Za-z]+", lig, text)
    return text


LABEL_LINE = re.compile(r"^\s*(?:[A-Z][A-Za-z #-]{2,30}:|FINDINGS|IMPRESSION|Findings|Impression|Conclusion|"
                        r"Electronically|Signed|Dictated|Reading)")
OCR_SUBS = [("rn", "m"), ("m", "rn"), ("l", "1"), ("I", "l"), ("O", "0"), ("cl", "d"), ("d", "cl"), ("e", "c"),
            ("h", "b"), ("i", "l"), ("t", "f"), ("s", "5")]


def ocr_word(rng, w):
    for a, b in rng.sample(OCR_SUBS, len(OCR_SUBS)):
        if a in w:
            i = w.find(a)
            return w[:i] + b + w[i + len(a):]
    return w


def render_ocr(rng, c):
    lab = labels(rng)
    protect = protected_words(c)
    lines = section_lines(rng, c, lab, inline=rng.random() < 0.5)
    if rng.random() < 0.6:
        lines = header_block(rng, c) + [""] + lines
    lines.append(signature(rng))
    fax = (f"{rng.choice(['FROM', 'From'])}: {rng.choice(SITES)[0].upper()}  FAX (555) {rng.randint(200, 999)}-"
           f"{rng.randint(1000, 9999)}   ___ {rng.randint(1, 12)}:{rng.randint(10, 59)}  P. 00{rng.randint(1, 3)}")
    width = rng.choice([55, 64, 72])
    out = [fax, ""]
    body0 = len(out) + next((i for i, ln in enumerate(lines) if re.match(r"(?i)findings", ln)), 0)
    rate = rng.choice([0.04, 0.07, 0.1])
    for line in lines:
        if not line:
            out.append("")
            continue

        def corrupt(m):
            w = m.group(0)
            if len(w) < 4 or KEY_TOKEN.search(w) or w.lower() in protect or w.isupper():
                return w
            if rng.random() < rate:
                return ocr_word(rng, w)
            return w
        line = re.sub(r"[A-Za-z]+", corrupt, line)
        if rng.random() < 0.15:
            pos = [m.start() for m in re.finditer(" ", line)]
            if pos:
                p = rng.choice(pos)
                line = line[:p] + rng.choice([" ' ", " . ", "  ", " ~ ", " , "]) + line[p + 1:]
        for seg in wrap(rng, line, width, False, protect):
            out.append(seg + (rng.choice(["", "", "", " .", " '"]) if rng.random() < 0.1 else ""))
    # broken joins: a wrapped line glued to the next without a space, or split in the middle
    for _ in range(rng.randint(1, 3)):
        cands = [i for i in range(body0, len(out) - 1) if out[i] and out[i + 1] and not out[i + 1].endswith(":")
                 and not LABEL_LINE.match(out[i + 1]) and not LABEL_LINE.match(out[i])]
        if not cands:
            break
        i = rng.choice(cands)
        if KEY_TOKEN.search(out[i].split(" ")[-1]) or KEY_TOKEN.search(out[i + 1].split(" ")[0]):
            out[i] = out[i] + " " + out.pop(i + 1)
        else:
            out[i] = out[i] + out.pop(i + 1)
    return "\n".join(out)


def render_email(rng, c, chat):
    lab = labels(rng)
    lines = section_lines(rng, c, lab, inline=rng.random() < 0.5)
    lines.append(signature(rng))
    if chat:
        who = rng.choice(["Radiology Reading Room", f"Dr. {person(rng)} (Radiology)", "RadResults Bot"])
        t = rng.randint(7 * 60, 22 * 60)
        ts = [t, t + rng.randint(1, 9), t + rng.randint(10, 25)]
        hm = [f"[{x // 60:02d}:{x % 60:02d}]" for x in ts]
        asker = person(rng)
        out = [f"{hm[0]} {asker}: can someone paste the CXR read for bed {rng.randint(1, 40)}?", f"{hm[1]} {who}:"]
        out += [f"  {ln}" if ln else "" for ln in lines]
        out.append(f"{hm[2]} {asker}: {rng.choice(['thx', 'thanks', 'ok got it', 'ty'])}")
        return "\n".join(out)
    sender = person(rng)
    q = rng.choice(["> ", ">", "> > "])
    fwd = rng.choice([
        ["---------- Forwarded message ---------", "From: Radiology Results <rad.results@hospital.example>",
         "Date: ___", f"Subject: Final report - {c.exam}", "To: ___"],
        ["-----Original Message-----", "From: PACS Notification Service", "Sent: ___",
         f"To: {sender}", f"Subject: RE: {c.exam} ___"],
        ["On ___, Radiology Results <noreply@ris.example> wrote:"],
    ])
    top = rng.choice(["Hi all, forwarding the final read below for the chart.", "FYI - result below.",
                      "Please see the report below. Thanks,", "Sending as requested."])
    out = [f"From: {sender} <{sender.split()[0].lower()}@clinic.example>", "Subject: FW: CXR result", "", top,
           "", f"{sender}", rng.choice(["Care Coordination", "Pulmonary Clinic RN", "Medical Records"]), ""]
    out += fwd + [""]
    quoted = rng.random() < 0.7
    out += [(q + ln if quoted else ln) if ln else (q.rstrip() if quoted else "") for ln in lines]
    out += ["", "--", rng.choice(["CONFIDENTIALITY NOTICE: This e-mail may contain privileged information. If "
                                  "you are not the intended recipient, delete it.", "Sent from my iPhone"])]
    return "\n".join(out)


def render_fhir(rng, c, variant):
    lab = labels(rng)
    pre = [f"{lab['E'].rstrip(':')}: {c.exam}", f"{lab['H'].rstrip(':')}: {c.indication}",
           f"{lab['C'].rstrip(':')}: {c.comparison}"]
    if c.findings is not None:
        pre += ["", lab["F"] if lab["F"].endswith(":") else lab["F"] + ":", " ".join(c.findings)]
    imp = None
    if c.impression is not None:
        imp = " ".join(f"{i}. {s}" for i, s in enumerate(c.impression, 1)) if c.numbered else " ".join(c.impression)
    icd = [{"code": a, "display": b} for a, b in c.icd]
    if variant == "fhir_json":
        res = {"resourceType": "DiagnosticReport", "id": f"{rng.randint(10**5, 10**6)}", "status": "final",
               "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": c.cpt}], "text": c.exam},
               "subject": {"reference": "Patient/___"}}
        if icd:
            res["extension"] = [{"url": "reasonCode", "valueCodeableConcept": {"coding": icd}}]
        res["presentedForm"] = [{"contentType": "text/plain", "title": "Report text", "data(decoded)":
                                 "\n".join(pre)}]
        if imp is not None:
            res["conclusion"] = imp
        elif rng.random() < 0.5:
            res["conclusion"] = ""
        return json.dumps(res, indent=rng.choice([None, 2]), ensure_ascii=False)
    if variant == "fhir_flat":
        ent = html.escape("&#10;".join(pre).replace("&#10;", "\n"), quote=False).replace("\n", "&#10;")
        out = ["DiagnosticReport.status: final", f"DiagnosticReport.code.text: {c.exam}",
               f"DiagnosticReport.code.coding[0].code: {c.cpt}"]
        for i, (a, b) in enumerate(c.icd):
            out.append(f"ServiceRequest.reasonCode[{i}]: {a} | {b}")
        out.append(f"DiagnosticReport.presentedForm[0].data: {ent}")
        if imp is not None:
            out.append(f"DiagnosticReport.conclusion: {html.escape(imp, quote=False)}")
        elif rng.random() < 0.5:
            out.append("DiagnosticReport.conclusion: ")
        out.append("DiagnosticReport.resultsInterpreter: ___, MD")
        return "\n".join(out)
    if variant == "kv":
        sep = rng.choice(["; ", " | ", "\n"])
        kv = ["REPORT_STATUS=F", f"EXAM={c.exam}", f"CPT={c.cpt}", f"INDICATION={c.indication}"]
        if c.icd:
            kv.append("DX=" + ",".join(f"{a} {b}" for a, b in c.icd))
        kv.append(f"COMPARISON={c.comparison}")
        if c.findings is not None:
            kv.append(f"FINDINGS={' '.join(c.findings)}")
        if imp is not None:
            kv.append(f"IMPRESSION={imp}")
        elif rng.random() < 0.5:
            kv.append("IMPRESSION=")
        kv.append("SIGNED_BY=___")
        return sep.join(kv)
    # xml
    esc = lambda s: html.escape(s, quote=False)  # noqa: E731
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<RadiologyReport>",
           f"  <Exam code=\"{c.cpt}\">{esc(c.exam)}</Exam>", f"  <Indication>{esc(c.indication)}</Indication>"]
    for a, b in c.icd:
        out.append(f"  <Diagnosis code=\"{a}\">{esc(b)}</Diagnosis>")
    out.append(f"  <Comparison>{esc(c.comparison)}</Comparison>")
    if rng.random() < 0.5:
        txt = []
        if c.findings is not None:
            txt += ["FINDINGS:", " ".join(c.findings), ""]
        if imp is not None:
            txt += ["IMPRESSION:", imp]
        out.append("  <ReportText>" + "&#10;".join(esc(t) for t in txt) + "</ReportText>")
    else:
        if c.findings is not None:
            out.append(f"  <Findings>{esc(' '.join(c.findings))}</Findings>")
        if imp is not None:
            out.append(f"  <Impression>{esc(imp)}</Impression>" if imp else "  <Impression/>")
    out.append("</RadiologyReport>")
    return "\n".join(out)


STYLES = ["hl7_lines", "hl7_br", "hl7_rep", "pdf", "ocr", "email", "chat", "fhir_json", "fhir_flat", "kv", "xml"]


def render(rng, c, style):
    if style.startswith("hl7"):
        return render_hl7(rng, c, style)
    if style == "pdf":
        return render_pdf(rng, c)
    if style == "ocr":
        return render_ocr(rng, c)
    if style in ("email", "chat"):
        return render_email(rng, c, style == "chat")
    return render_fhir(rng, c, style)


def unplumb(text):
    """Undo escapes so that checks can look for words in the rendered text."""
    t = text.replace("\\.br\\", "\n").replace("\\X0D\\\\X0A\\", "\n").replace("\\X0A\\", "\n")
    t = t.replace("\\F\\", "|").replace("\\S\\", "^").replace("\\T\\", "&").replace("\\R\\", "~").replace("\\E\\", "\\")
    t = t.replace("&#10;", "\n")
    return html.unescape(html.unescape(t))


def trim_protect(c):
    text = " ".join((c.findings or []) + (c.impression or [])).lower()
    c.protect = sorted({str(p) for p in c.protect if str(p).lower() in text})


def check_rendered(c, text):
    plain = unplumb(text).lower()
    for p in c.protect:
        p = p.lower()
        assert p in plain or p in plain.replace("\n", " "), (c.kind, p, plain[:400])
    if c.kind is None:
        assert not PLACEHOLDER_RE.search(plain.replace("___", "")), plain
    if c.kind == "missing_section" and c.meta.get("mode") == "imp_absent":
        assert not re.search(r"impression|conclusion", plain, re.I), plain
    if c.kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
        snippet = c.meta.get("sent") or c.meta.get("neg") or c.meta.get("aff")
        words = [w for w in re.findall(r"[A-Za-z]{4,}", snippet) if w.lower() in protected_words(c)]
        for w in words:
            assert w.lower() in plain, (w, plain[:300])


# ----------------------------------------------------------------------------------------------------------------
# building the set


def build(seed, shared):
    rng = random.Random(seed)
    iu, _ = load_iu(shared)
    order = list(range(len(iu)))
    rng.shuffle(order)
    used = set()
    groups = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    cases = []
    for kind, n in groups:
        half = n // 2
        # composed half
        made = 0
        omit_styles = ["normal", "others"] * (half // 2 + 1)
        while made < half:
            r = random.Random(rng.random())
            c = make_composed(r, kind) if kind != "impression_omits_finding" else None
            if kind == "impression_omits_finding":
                c = Case("composed", [], [])
                composed_header(r, c)
                c.meta["omit_style"] = omit_styles[made]
                c2 = make_composed(r, kind)
                c2.exam, c2.cpt, c2.technique, c2.icd = c.exam, c.cpt, c.technique, c.icd
                c2.indication, c2.comparison = c.indication, c.comparison
                c = c2
            if c is None:
                continue
            c.kind = kind
            trim_protect(c)
            try:
                verify(c)
            except AssertionError:
                continue
            cases.append(c)
            made += 1
        # IU half
        made, tries = 0, 0
        wants = {"impression_omits_finding": ["normal", "others"], "negation_conflict": ["imp_negates", "imp_asserts"]}
        for idx in order:
            if made >= n - half:
                break
            if idx in used:
                continue
            uid, d = iu[idx]
            r = random.Random(f"{seed}-{uid}-{kind}")
            c = iu_case(r, uid, d)
            want = wants[kind][made % 2] if kind in wants else None
            if kind == "impression_omits_finding" and made >= (n - half) - 2 and want == "others":
                want = "others"
            c = iu_inject(r, c, kind, want)
            tries += 1
            if c is None:
                continue
            c.kind = kind
            trim_protect(c)
            try:
                verify(c)
            except AssertionError:
                continue
            used.add(idx)
            cases.append(c)
            made += 1
        if made < n - half:
            raise SystemExit(f"not enough IU reports for {kind}: {made}")
    # styles: balanced per group and source
    out = []
    by_group = {}
    for c in cases:
        by_group.setdefault((c.kind, c.source == "composed"), []).append(c)
    for key in sorted(by_group, key=str):
        grp = by_group[key]
        styles = (STYLES * (len(grp) // len(STYLES) + 1))[: len(grp)]
        rng.shuffle(styles)
        for c, st in zip(grp, styles, strict=True):
            for attempt in range(20):
                r = random.Random(f"{seed}-{attempt}-{st}-{c.source}-{c.detail}-{len(out)}")
                text = render(r, c, st)
                try:
                    check_rendered(c, text)
                    break
                except AssertionError:
                    continue
            else:
                raise SystemExit(f"could not render {c.kind} {c.source} in {st}")
            out.append((c, st, text))
    rng.shuffle(out)
    rows = []
    for n, (c, st, text) in enumerate(out):
        hid = hashlib.sha256(f"h13|{seed}|{n}|{text}".encode()).hexdigest()[:16]
        rows.append({"id": hid, "injected": c.kind, "detail": c.detail or "unmodified", "report": text,
                     "_style": st, "_source": c.source})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (
            shared / "eval" / "report_errors_dev.jsonl").exists():
        print(f"shared data not found under {shared}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"=== {kind} [{r['_style']} / {r['_source']}] {r['detail']}\n{r['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
