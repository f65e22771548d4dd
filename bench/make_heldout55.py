"""Held-out report-check set 55: a US outpatient radiology group's everyday chest list.

Written blind: without reading the checker, its tests, its docs or any other generator. Only the scorer
(for the format), the IU Open-i archive and the `uid` field of the dev set (to exclude those reports) were read.

Styles: several readers of one outpatient group that reads for urgent-care centres and family practices,
each with their own template and habits:
  - "patel": EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE, paragraph FINDINGS, numbered IMPRESSION;
  - "okafor": terse mixed-case one-line sections ("Findings: ...", "Impression: ...");
  - "lindqvist": PowerScribe-like organ rows (Heart and mediastinum: / Lungs: / Pleura: / Bones:);
  - "reyes": INDICATION / TECHNIQUE / COMPARISON, dash-bulleted IMPRESSION;
  - "chen": single-view AP/PA urgent-care template, REASON FOR EXAM, short sentences.
Indications are the ordinary mix: cough, fever, chest pain, pneumonia follow-up, smokers, asthma, pre-op,
immigration. Findings come in ordinary proportions (mostly normal; pneumonia, small effusions, granulomas,
atelectasis, hyperinflation, nodules, the odd pneumothorax or edema). Half of every group is composed from
the phrase bank below, half is real IU reports (not in the dev set) re-laid-out in these readers' templates.
Errors are slips: a side flipped while dictating, a normal macro pasted as impression, a template field left.

usage: python -m bench.make_heldout55 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
PER_KIND = 40
N_CLEAN = 200
OPP = {"right": "left", "left": "right"}
PLACEHOLDER_RE = re.compile(r"\[\*\*\*\]|\*\*\*|\[[A-Za-z/ ]+/[A-Za-z/ ]+\]|<[a-z /]+>|\bXX (?:mm|cm)\b|___")
NEG_RE = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|removed|free of|nor)\b", re.I)
OLD_RE = re.compile(
    r"\b(stable|chronic|old|healed|unchanged|decreas\w*|improv\w*|resolv\w*|prior|previous\w*|"
    r"scar\w*|calcified|granulom\w*)\b",
    re.I,
)
# significant finding groups: (name, regex in findings, words that count as naming it in an impression)
SIG_GROUPS = [
    ("pneumothorax", r"pneumothora", r"pneumothora|ptx|collapse|air"),
    (
        "consolidation",
        r"consolidat|airspace|air space|infiltrat|pneumonia",
        r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|infect|atelecta",
    ),
    ("edema", r"edema|vascular congestion|\bchf\b", r"edema|congest|\bchf\b|failure|fluid|overload|vascular"),
    ("effusion", r"(moderate|large|moderate-sized|large-sized)[^.]*effusion", r"effusion|fluid|pleural"),
    ("mass", r"\bmass\b", r"mass|lesion|neoplasm|malignan|nodul|opacit"),
]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(f"shared data not found in {d}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return d


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def flip_sides(text: str, side: str) -> str:
    def rep(m):
        w = m.group(0)
        o = OPP[w.lower()]
        return o.upper() if w.isupper() else (cap(o) if w[0].isupper() else o)

    return re.sub(rf"\b{side}\b", rep, text, flags=re.I)


def has_word(text: str, w: str) -> bool:
    return re.search(rf"\b{w}\b", text, re.I) is not None


# ---------------------------------------------------------------- phrase bank: composed reports
INDICATIONS = {
    "cough": [
        "Cough x 2 weeks.",
        "Persistent cough.",
        "Cough and congestion for 10 days.",
        "Productive cough, r/o pneumonia.",
        "Cough, wheezing.",
    ],
    "fever": [
        "Fever and cough.",
        "Fever, shortness of breath.",
        "Fever x 3 days, evaluate for pneumonia.",
        "Febrile, URI symptoms.",
    ],
    "pain": [
        "Chest pain.",
        "Left-sided chest pain.",
        "Atypical chest pain.",
        "Chest wall pain after fall.",
        "Pleuritic chest pain.",
    ],
    "fu": [
        "Follow-up pneumonia.",
        "F/u RLL pneumonia treated with antibiotics.",
        "Follow-up of abnormal chest x-ray.",
        "Recheck after pneumonia, completed Augmentin.",
    ],
    "smoker": ["Smoker with cough.", "40 pack-year smoker, dyspnea.", "Former smoker, chronic cough."],
    "asthma": ["Asthma exacerbation.", "History of asthma, wheezing.", "Shortness of breath, hx asthma."],
    "preop": [
        "Pre-op evaluation.",
        "Preoperative clearance, knee replacement.",
        "Pre-op, cholecystectomy.",
        "Preoperative exam.",
    ],
    "immig": ["Immigration exam.", "Immigration physical.", "Positive QuantiFERON, immigration.", "Positive PPD."],
    "sob": ["Shortness of breath.", "Dyspnea on exertion.", "SOB, bilateral leg swelling."],
}
COMPARISONS = [
    "None.",
    "None available.",
    "No prior studies.",
    "Chest radiograph from 2 years ago.",
    "PA and lateral chest 11/04/2019.",
    "Prior exam from 06/2021.",
    "None.",
]
HEART_N = [
    "The heart size is normal.",
    "Heart size is within normal limits.",
    "The cardiomediastinal silhouette is normal in size and contour.",
    "Normal cardiac and mediastinal contours.",
    "The cardiac silhouette is not enlarged.",
    "Cardiomediastinal silhouette is within normal limits.",
]
MEDI_N = ["The mediastinal contours are unremarkable.", "Mediastinal contours are within normal limits."]
LUNG_N = [
    "The lungs are clear.",
    "Lungs are clear bilaterally.",
    "No focal airspace consolidation.",
    "The lungs are well expanded and clear.",
    "No focal consolidation, pulmonary edema or suspicious pulmonary nodule.",
    "The lungs are clear without focal consolidation.",
    "Lungs are well aerated and clear.",
]
LUNG_OTHERWISE = ["The lungs are otherwise clear.", "No focal consolidation.", "Lungs are otherwise clear."]
PLEURA_N = [
    "No pleural effusion or pneumothorax.",
    "No effusion or pneumothorax.",
    "There is no pleural effusion or pneumothorax.",
    "Costophrenic angles are sharp. No pneumothorax.",
    "No pneumothorax or pleural effusion.",
]
BONE_N = [
    "No acute osseous abnormality.",
    "Osseous structures are intact.",
    "Visualized bones are unremarkable.",
    "No acute bony abnormality.",
    "The visualized osseous structures are unremarkable.",
]
IMP_NORMAL = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary disease.",
    "Normal chest.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "Negative chest radiographs.",
    "No active disease in the chest.",
    "Normal chest radiographs.",
    "No acute cardiopulmonary abnormality.",
]
IMP_BARE = ["No acute disease.", "No acute cardiopulmonary process.", "No acute findings.", "Negative."]
IMP_OMIT = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary disease.",
    "No active disease in the chest.",
    "No acute cardiopulmonary abnormality.",
    "No acute findings.",
]
IMP_NOPNA = ["No evidence of pneumonia.", "No radiographic evidence of pneumonia."]


def f_pneumonia(rng, side):
    lobe = rng.choice(["lower lobe", "lower lobe", "upper lobe"] + (["middle lobe"] if side == "right" else []))
    f = rng.choice(
        [
            f"Patchy airspace opacity in the {side} {lobe}.",
            f"Focal consolidation in the {side} {lobe}.",
            f"There is an area of consolidation in the {side} {lobe} with air bronchograms.",
            f"Hazy airspace disease is present in the {side} {lobe}.",
            f"New patchy opacity in the {side} {lobe} concerning for pneumonia.",
        ]
    )
    i = rng.choice(
        [
            f"{cap(side)} {lobe} pneumonia.",
            f"{cap(side)} {lobe} airspace disease, compatible with pneumonia in the appropriate clinical setting.",
            f"Findings consistent with {side} {lobe} pneumonia. Recommend follow-up radiographs in 6-8 weeks "
            "to document resolution.",
            f"{cap(side)} {lobe} consolidation concerning for pneumonia.",
        ]
    )
    return dict(
        key="pneumonia",
        organ="lungs",
        side=side,
        sig=True,
        f=f,
        i=i,
        lung=True,
        neg=["The lungs are clear.", "No focal consolidation.", "No evidence of pneumonia."],
    )


def f_effusion(rng, side, size):
    f = rng.choice(
        [
            f"{cap(size)} {side} pleural effusion.",
            f"There is a {size} {side} pleural effusion.",
            f"Blunting of the {side} costophrenic angle, consistent with a small pleural effusion."
            if size == "small"
            else f"{cap(size)} {side} pleural effusion with a meniscus on the lateral view.",
        ]
    )
    i = rng.choice(
        [
            f"{cap(size)} {side} pleural effusion.",
            f"{cap(size)} {side} pleural effusion, new."
            if size == "moderate"
            else f"{cap(size)} {side} pleural effusion.",
        ]
    )
    return dict(
        key="effusion",
        organ="pleura",
        side=side,
        sig=size == "moderate",
        f=f,
        i=i,
        eff=True,
        neg=["No pleural effusion.", "No pleural effusion or pneumothorax."],
    )


def f_ptx(rng, side):
    n = rng.choice(["1", "1.5", "2"])
    f = rng.choice(
        [
            f"Small {side} apical pneumothorax measuring approximately {n} cm.",
            f"There is a small {side} apical pneumothorax, {n} cm from apex to chest wall.",
        ]
    )
    i = (
        f"Small {side} apical pneumothorax. Findings were discussed with the ordering provider by telephone at "
        "the time of interpretation."
    )
    return dict(
        key="pneumothorax",
        organ="pleura",
        side=side,
        sig=True,
        f=f,
        i=i,
        ptx=True,
        neg=["No pneumothorax.", "No pleural effusion or pneumothorax."],
    )


def f_nodule(rng, side, big):
    mm = rng.choice([7, 8, 9, 10, 12, 14]) if big else rng.choice([4, 5])
    zone = rng.choice(["upper", "mid", "lower"])
    f = rng.choice(
        [
            f"{mm} mm nodular opacity in the {side} {zone} lung zone.",
            f"There is a {mm} mm nodule projecting over the {side} {zone} lung.",
            f"Rounded {mm} mm opacity in the {side} {zone} lung zone.",
        ]
    )
    if big:
        i = rng.choice(
            [
                f"{mm} mm {side} {zone} lung nodule. Recommend CT chest for further evaluation.",
                f"{mm} mm nodular opacity in the {side} {zone} lung zone; CT chest is recommended.",
            ]
        )
    else:
        i = f"Possible {mm} mm {side} {zone} lung nodule versus nipple shadow; repeat PA view with nipple markers."
    return dict(
        key="nodule",
        organ="lungs",
        side=side,
        sig=big,
        f=f,
        i=i,
        lung=True,
        otherwise=True,
        neg=["No pulmonary nodule.", "The lungs are clear."],
    )


def f_granuloma(rng, side):
    zone = rng.choice(["upper", "mid", "lower"])
    f = rng.choice(
        [f"Calcified granuloma in the {side} {zone} lung zone.", f"Small calcified granuloma, {side} {zone} lung."]
    )
    return dict(
        key="granuloma",
        organ="lungs",
        side=side,
        sig=False,
        f=f,
        i=f"Calcified {side} {zone} lung granuloma, sequela of prior granulomatous disease.",
        lung=True,
        otherwise=True,
        optional=True,
    )


def f_atelectasis(rng, side):
    f = rng.choice(
        [
            f"Mild linear atelectasis at the {side} lung base.",
            f"Minimal subsegmental atelectasis, {side} base.",
            f"Linear opacity at the {side} base, likely atelectasis or scarring.",
        ]
    )
    return dict(
        key="atelectasis",
        organ="lungs",
        side=side,
        sig=False,
        f=f,
        i=f"Minor {side} basilar atelectasis.",
        lung=True,
        otherwise=True,
        optional=True,
    )


def f_cardiomegaly(rng):
    f = rng.choice(
        [
            "The heart is mildly enlarged.",
            "Mild cardiomegaly.",
            "Mildly enlarged cardiac silhouette, stable.",
            "Borderline cardiomegaly.",
        ]
    )
    return dict(
        key="cardiomegaly",
        organ="heart",
        side=None,
        sig=False,
        f=f,
        i="Mild cardiomegaly.",
        heart=True,
        optional=True,
        neg=["Heart size is normal.", "Normal heart size."],
    )


def f_edema(rng):
    f = rng.choice(
        [
            "Pulmonary vascular congestion with mild interstitial edema.",
            "Cephalization of the pulmonary vasculature and interstitial edema with Kerley B lines.",
            "Increased interstitial markings with vascular congestion, consistent with mild pulmonary edema.",
        ]
    )
    i = rng.choice(
        [
            "Mild pulmonary edema.",
            "Findings suggest mild congestive heart failure.",
            "Vascular congestion and mild interstitial edema.",
        ]
    )
    return dict(
        key="edema",
        organ="lungs",
        side=None,
        sig=True,
        f=f,
        i=i,
        lung=True,
        edema=True,
        neg=["No pulmonary edema.", "The lungs are clear."],
    )


def f_hyper(rng):
    f = rng.choice(
        [
            "The lungs are hyperinflated with flattening of the hemidiaphragms.",
            "The lungs are hyperexpanded.",
            "The lungs are hyperinflated.",
        ]
    )
    i = rng.choice(
        [
            "Hyperinflation, which can be seen with asthma or COPD.",
            "Hyperinflated lungs consistent with COPD.",
            "Hyperinflated lungs.",
        ]
    )
    return dict(key="hyper", organ="lungs", side=None, sig=False, f=f, i=i, optional=True)


def f_bronch(rng):
    f = rng.choice(
        [
            "Mild peribronchial thickening.",
            "Mild central peribronchial cuffing.",
            "Slightly prominent bronchovascular markings centrally.",
        ]
    )
    i = rng.choice(
        [
            "Mild peribronchial thickening, which can be seen with bronchitis or reactive airways disease.",
            "Peribronchial thickening suggesting bronchitis.",
        ]
    )
    return dict(key="bronch", organ="lungs", side=None, sig=False, f=f, i=i, optional=True)


def f_incidental(rng):
    f, i = rng.choice(
        [
            ("Degenerative changes of the thoracic spine.", "Degenerative changes of the thoracic spine."),
            ("Atherosclerotic calcification of the aortic arch.", "Aortic atherosclerosis."),
            ("The thoracic aorta is mildly tortuous.", "Tortuous aorta."),
            ("Mild multilevel degenerative disc disease in the thoracic spine.", "Thoracic spondylosis."),
        ]
    )
    return dict(
        key="incidental", organ="bones" if "spine" in f else "heart", side=None, sig=False, f=f, i=i, optional=True
    )


def pick_findings(rng, need: str | None):
    """need: None (anything, weighted to normal), 'sided' (a finding with a side in the impression), 'sig'."""
    s = rng.choice(["right", "left"])
    if need == "sided":
        return [
            rng.choice(
                [
                    lambda: f_pneumonia(rng, s),
                    lambda: f_pneumonia(rng, s),
                    lambda: f_effusion(rng, s, "small"),
                    lambda: f_nodule(rng, s, rng.random() < 0.6),
                    lambda: f_ptx(rng, s),
                    lambda: f_effusion(rng, s, "moderate"),
                ]
            )()
        ] + pick_minor(rng, 0.3)
    if need == "sig":
        return [
            rng.choice(
                [
                    lambda: f_pneumonia(rng, s),
                    lambda: f_pneumonia(rng, s),
                    lambda: f_nodule(rng, s, True),
                    lambda: f_ptx(rng, s),
                    lambda: f_effusion(rng, s, "moderate"),
                    lambda: f_edema(rng),
                ]
            )()
        ] + pick_minor(rng, 0.5)
    r = rng.random()
    if r < 0.45:
        return pick_minor(rng, 0.25)
    if r < 0.7:
        return pick_minor(rng, 1.0)
    return pick_findings(rng, "sided" if rng.random() < 0.7 else "sig")


def pick_minor(rng, p):
    if rng.random() >= p:
        return []
    s = rng.choice(["right", "left"])
    opts = [
        lambda: f_granuloma(rng, s),
        lambda: f_atelectasis(rng, s),
        lambda: f_cardiomegaly(rng),
        lambda: f_hyper(rng),
        lambda: f_bronch(rng),
        lambda: f_incidental(rng),
        lambda: f_incidental(rng),
    ]
    return [rng.choice(opts)()]


def compose(rng, need=None):
    cat = rng.choice(list(INDICATIONS))
    finds = pick_findings(rng, need)
    keys = [f["key"] for f in finds]
    if len(set(keys)) < len(keys):
        finds = finds[:1]
    lung = any(f.get("lung") for f in finds)
    organs = {"heart": [], "lungs": [], "pleura": [], "bones": []}
    heart = any(f.get("heart") for f in finds)
    organs["heart"].append(rng.choice(MEDI_N) if heart else rng.choice(HEART_N))
    for f in finds:
        (organs[f["organ"]].insert(0, f["f"]) if f["organ"] == "heart" else organs[f["organ"]].append(f["f"]))
    if not lung:
        if not any(f["key"] in ("hyper", "bronch") for f in finds):
            organs["lungs"].insert(0, rng.choice(LUNG_N))
    elif all(f.get("otherwise") or not f.get("lung") for f in finds):
        organs["lungs"].append(rng.choice(LUNG_OTHERWISE))
    elif any(f["key"] == "pneumonia" for f in finds):
        organs["lungs"].append(rng.choice(["No pulmonary edema.", "", "The remaining lungs are clear."]))
    eff, ptx = any(f.get("eff") for f in finds), any(f.get("ptx") for f in finds)
    organs["pleura"].append("No pneumothorax." if eff else "No pleural effusion." if ptx else rng.choice(PLEURA_N))
    if rng.random() < 0.8:
        organs["bones"].append(rng.choice(BONE_N))
    imp = []
    for f in finds:
        if not f.get("optional") or rng.random() < 0.6:
            imp.append(f["i"])
    if not any(f["sig"] for f in finds) or rng.random() < 0.25:
        if not any(f["key"] in ("pneumonia", "edema", "pneumothorax") or (f["key"] == "effusion") for f in finds):
            norm = rng.choice(IMP_NOPNA if cat in ("cough", "fever") and rng.random() < 0.5 else IMP_NORMAL)
            if imp and norm in ("Normal chest.", "Normal chest radiographs.", "Negative chest radiographs."):
                norm = "No acute cardiopulmonary process."
            imp.append(norm)
    if not imp:
        imp.append(rng.choice(IMP_NORMAL))
    organs = {k: [s for s in v if s] for k, v in organs.items()}
    return dict(
        cat=cat,
        indication=rng.choice(INDICATIONS[cat]),
        comparison=rng.choice(COMPARISONS),
        organs=organs,
        impression=imp,
        finds=finds,
    )


# ---------------------------------------------------------------- readers (layouts)
def fjoin(case):
    if "findings_text" in case:
        return case["findings_text"]
    return " ".join(s for k in ("heart", "lungs", "pleura", "bones") for s in case["organs"][k])


SIGNERS = ["Anil Patel, MD", "Chidi Okafor, MD", "Karin Lindqvist, MD", "Marisol Reyes, DO", "David Chen, MD"]


def render(case, reader, rng):
    """Render the case; case may have findings=None (absent), '' (empty header), impression likewise."""
    fnd = case.get("findings_override", fjoin(case))
    imp = case["impression"]
    hist, comp = case["indication"], case["comparison"]
    out = []
    sig = f"Electronically signed by: {SIGNERS[['patel', 'okafor', 'lindqvist', 'reyes', 'chen'].index(reader)]}"
    if reader == "patel":
        out += [
            "EXAM: XR CHEST 2 VIEWS",
            "",
            f"CLINICAL HISTORY: {hist}",
            "",
            f"COMPARISON: {comp}",
            "",
            "TECHNIQUE: PA and lateral views of the chest.",
            "",
        ]
        if fnd is not None:
            out += ["FINDINGS:", fnd, ""]
        if imp is not None:
            out += ["IMPRESSION:"] + ([f"{n}. {s}" for n, s in enumerate(imp, 1)] if len(imp) > 1 else imp) + [""]
        out += [sig]
    elif reader == "okafor":
        out += ["CHEST, PA AND LATERAL", "", f"History: {hist}", f"Comparison: {comp}", ""]
        if fnd is not None:
            out += [f"Findings: {fnd}".rstrip(), ""]
        if imp is not None:
            out += [f"Impression: {' '.join(imp)}".rstrip(), ""]
        out += [f"Dictated by: {SIGNERS[1]}"]
    elif reader == "lindqvist":
        out += ["EXAMINATION: Chest radiograph, 2 views", f"INDICATION: {hist}", f"COMPARISON: {comp}", ""]
        if fnd is not None:
            out += ["FINDINGS:"]
            if "findings_text" in case or fnd == "":
                out += [fnd] if fnd else []
            else:
                rows = [
                    ("Heart and mediastinum", "heart"),
                    ("Lungs", "lungs"),
                    ("Pleura", "pleura"),
                    ("Bones and soft tissues", "bones"),
                ]
                for label, k in rows:
                    v = " ".join(case["organs"][k]) or ("Unremarkable." if k == "bones" else "")
                    if v:
                        out.append(f"{label}: {v}")
            out += [""]
        if imp is not None:
            out += ["IMPRESSION:"] + imp + [""]
        out += [sig]
    elif reader == "reyes":
        out += [
            f"INDICATION: {hist}",
            "TECHNIQUE: Frontal and lateral radiographs of the chest.",
            f"COMPARISON: {comp}",
            "",
        ]
        if fnd is not None:
            out += ["FINDINGS:", fnd, ""]
        if imp is not None:
            out += ["IMPRESSION:"] + [f"- {s}" for s in imp] + [""]
        out += [sig]
    else:  # chen
        view = rng.choice(["AP upright", "PA"])
        out += [
            "XR CHEST 1 VIEW",
            f"REASON FOR EXAM: {hist}",
            f"Technique: Single {view} view of the chest.",
            f"Comparison: {comp}",
            "",
        ]
        if fnd is not None:
            out += ["FINDINGS:", fnd, ""]
        if imp is not None:
            out += ["IMPRESSION:", " ".join(imp), ""]
        out += [sig]
    return "\n".join(out).strip() + "\n"


READERS = ["patel", "okafor", "lindqvist", "reyes", "chen"]


# ---------------------------------------------------------------- IU reports
REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bHeart size normal\b", "Normal heart size"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bx-XXXX\b", "x-ray"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
    (r"\bwithin normal limits\b", "normal"),
    (r"\.\.", "."),
]


def load_iu(shared: Path):
    dev = set()
    p = shared / "eval" / "report_errors_dev.jsonl"
    if p.is_file():
        dev = {json.loads(line)["uid"] for line in p.open() if line.strip()}
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in t:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            r = ET.parse(t.extractfile(m)).getroot()
            u = r.find("uId").attrib["id"]
            sec = {a.attrib.get("Label", "").upper(): (a.text or "").strip() for a in r.iter("AbstractText")}
            if u in dev or not sec.get("FINDINGS") or not sec.get("IMPRESSION"):
                continue
            if len(sec["FINDINGS"]) > 600 or len(sec["IMPRESSION"]) > 300:
                continue
            if re.search(r"\[|\*\*|___|<", sec["FINDINGS"] + sec["IMPRESSION"]):
                continue
            out.append(
                dict(
                    uid=u,
                    findings=sec["FINDINGS"],
                    impression=sec["IMPRESSION"],
                    indication=sec.get("INDICATION") or "Cough.",
                    comparison=sec.get("COMPARISON") or "None.",
                )
            )
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    return out, dev


def sents(text):
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", text) if s.strip()]


def affirmed(text, pat):
    return [s for s in sents(text) if re.search(pat, s, re.I) and not NEG_RE.search(s)]


def iu_sig_groups(findings):
    out = []
    for name, fpat, ipat in SIG_GROUPS:
        if any(not OLD_RE.search(s) for s in affirmed(findings, fpat)):
            out.append((name, fpat, ipat))
    return out


def iu_clean_ok(d):
    f, i = d["findings"], d["impression"]
    for _name, fpat, ipat in SIG_GROUPS:
        if affirmed(f, fpat) and not re.search(ipat, i, re.I):
            return False
    if (
        affirmed(f, r"opacit|effusion|nodul|pneumothora|edema|infiltrat")
        and re.search(r"^(no acute|normal|negative)", i.strip(), re.I)
        and len(sents(i)) == 1
    ):
        return False
    for s in ("right", "left"):
        if has_word(i, s) and not has_word(f, s):
            return False
    return True


def iu_impression_items(text):
    items = [x.strip() for x in re.split(r"\s*\b\d\.\s+", text) if x.strip()]
    return items if len(items) > 1 else [text.strip()]


def iu_case(d, rng):
    f, i = d["findings"], d["impression"]
    if rng.random() < 0.7:
        for a, b in REWORD:
            f, i = re.sub(a, b, f), re.sub(a, b, i)
    return dict(
        findings_text=f,
        impression=iu_impression_items(i),
        indication=d["indication"],
        comparison=d["comparison"],
        uid=d["uid"],
    )


# ---------------------------------------------------------------- injections
def inject_missing(case, rng, composed):
    mode = rng.choice(
        ["drop_imp", "empty_imp", "empty_find", "drop_find"] if composed else ["drop_imp", "empty_imp", "empty_find"]
    )
    if mode == "drop_find" and not composed:
        mode = "empty_find"
    if mode == "drop_imp":
        case["impression"] = None
        return "IMPRESSION section left out"
    if mode == "empty_imp":
        case["impression"] = []
        return "IMPRESSION header with nothing under it"
    if mode == "empty_find":
        case["findings_override"] = ""
        return "FINDINGS header with nothing under it"
    case["findings_override"] = None
    case["impression"] = [rng.choice(IMP_BARE)]
    return "FINDINGS section left out; impression is a bare normal statement"


def inject_lat_composed(case, rng):
    f = next(x for x in case["finds"] if x.get("side"))
    side = f["side"]
    if rng.random() < 0.6:
        idx = case["impression"].index(f["i"])
        case["impression"][idx] = flip_sides(f["i"], side)
        return f"impression puts the {f['key']} on the {OPP[side]}; findings say {side}"
    k = f["organ"]
    j = case["organs"][k].index(f["f"])
    case["organs"][k][j] = flip_sides(f["f"], side)
    return f"findings put the {f['key']} on the {OPP[side]}; impression says {side}"


def inject_neg_composed(case, rng):
    finds = case["finds"]
    sig = [f for f in finds if f.get("neg") and f["key"] not in ("cardiomegaly",) and f["i"] in case["impression"]]
    if sig and rng.random() < 0.6:
        f = sig[0]
        neg = rng.choice(f["neg"])
        case["impression"] = [neg, "No acute cardiopulmonary process."] if rng.random() < 0.5 else [neg]
        return f"findings affirm {f['key']}; impression says '{neg}'"
    # findings normal statement vs impression affirming
    if not any(f.get("heart") for f in finds):
        case["impression"] = ["Mild cardiomegaly."] + [
            x for x in case["impression"] if not re.match(r"(Normal chest|Negative chest)", x)
        ]
        return "findings say heart size normal; impression says mild cardiomegaly"
    s = rng.choice(["right", "left"])
    case["impression"] = [f"Small {s} pleural effusion."] + case["impression"]
    case["organs"]["pleura"] = ["No pleural effusion or pneumothorax."]
    return f"findings say no pleural effusion; impression reports a small {s} pleural effusion"


def inject_omit_composed(case, rng):
    f = next(x for x in case["finds"] if x["sig"])
    ipat = dict((g[0], g[2]) for g in SIG_GROUPS)[
        {"pneumonia": "consolidation", "nodule": "mass"}.get(f["key"], f["key"])
    ]
    others = [x["i"] for x in case["finds"] if x is not f and not re.search(ipat, x["i"], re.I)]
    if rng.random() < 0.5 or not others:
        case["impression"] = [rng.choice(IMP_OMIT)]
        return f"impression is a normal macro; findings affirm {f['key']}"
    case["impression"] = others[:1] + (["No acute cardiopulmonary process."] if rng.random() < 0.5 else [])
    return f"impression lists other findings and leaves out the {f['key']}"


def inject_placeholder_composed(case, rng):
    finds = case["finds"]
    nod = [f for f in finds if f["key"] == "nodule"]
    sided = [f for f in finds if f.get("side")]
    opts = []
    if not any(f["organ"] == "heart" and f["key"] != "incidental" for f in finds):
        opts.append("heart")
    if not any(f["organ"] == "pleura" for f in finds):
        opts.append("pleura_row")
    if nod:
        opts += ["size", "size"]
    if sided:
        opts += ["side", "side"]
    if any(f["key"] == "pneumonia" and "6-8 weeks" in f["i"] for f in finds):
        opts += ["weeks"]
    if not opts:
        opts = ["weeks"] if any("6-8 weeks" in x for x in case["impression"]) else ["side"]
    mode = rng.choice(opts)
    if mode == "size":
        f = nod[0]
        tok = rng.choice(["___ mm", "XX mm", "[***] mm"])
        new = re.sub(r"\d+ mm", tok, f["f"], count=1)
        case["organs"]["lungs"] = [new if s == f["f"] else s for s in case["organs"]["lungs"]]
        return f"nodule size left blank in findings ({tok})"
    if mode == "side":
        f = sided[0]
        tok = rng.choice(["[right/left]", "[RIGHT/LEFT]", "___", "***"])
        new = re.sub(rf"\b{f['side']}\b", tok, f["f"], count=1)
        k = f["organ"]
        case["organs"][k] = [new if s == f["f"] else s for s in case["organs"][k]]
        return f"side left as template field {tok} in findings"
    if mode == "weeks":
        case["impression"] = [s.replace("6-8 weeks", "*** weeks") for s in case["impression"]]
        return "follow-up interval left as *** in impression"
    if mode == "heart":
        tok = rng.choice(["[normal/enlarged]", "***", "[***]"])
        case["organs"]["heart"] = [
            s if s not in HEART_N else f"Heart size is {tok}. " + rng.choice(MEDI_N) for s in case["organs"]["heart"]
        ]
        return f"heart size template field left unfilled ({tok})"
    tok = rng.choice(["[***]", "***", "[no/small/moderate]"])
    case["organs"]["pleura"] = [f"{tok} pleural effusion. No pneumothorax."]
    return f"pleural effusion grade left as unfilled template field {tok}"


def iu_inject(d, kind, rng):
    """Return (case, detail) or None if this IU report does not fit the kind."""
    f, i = d["findings"], d["impression"]
    if kind == "laterality_conflict":
        sides = [s for s in ("right", "left") if has_word(i, s)]
        if len(sides) != 1 or not has_word(f, sides[0]) or has_word(f, OPP[sides[0]]):
            return None
        side = sides[0]
        kw = r"effusion|opacit|nodul|granulom|atelecta|pneumon|consolidat|airspace|infiltrat|pneumothora|mass|scar"
        fk = {m.lower()[:6] for s in sents(f) if has_word(s, side) for m in re.findall(kw, s, re.I)}
        ik = {m.lower()[:6] for s in sents(i) if has_word(s, side) for m in re.findall(kw, s, re.I)}
        if not (fk & ik):
            return None
        case = iu_case(d, rng)
        if rng.random() < 0.6:
            case["impression"] = [flip_sides(x, side) for x in case["impression"]]
            return case, f"impression side flipped to {OPP[side]}; findings say {side}"
        case["findings_text"] = flip_sides(case["findings_text"], side)
        return case, f"findings side flipped to {OPP[side]}; impression says {side}"
    if kind == "impression_omits_finding":
        groups = iu_sig_groups(f)
        if not groups or not iu_clean_ok(d) or re.search(r"\bchronic|stable|unchanged\b", i, re.I):
            return None
        case = iu_case(d, rng)
        items = case["impression"]
        keep = [x for x in items if not any(re.search(g[2], x, re.I) for g in groups)]
        names = ", ".join(g[0] for g in groups)
        if keep and rng.random() < 0.7:
            case["impression"] = keep
            return case, f"impression item(s) naming {names} dropped; other items kept"
        case["impression"] = [rng.choice(IMP_OMIT)]
        return case, f"impression replaced by a normal macro; findings affirm {names}"
    if kind == "negation_conflict":
        if not re.match(r"(no acute|normal chest|negative|no active)", i.strip(), re.I) or len(sents(i)) > 2:
            return None
        if not iu_clean_ok(d):
            return None
        case = iu_case(d, rng)
        s = rng.choice(["right", "left"])
        heart_n = re.search(
            r"heart (size )?(is )?(normal|within normal)|normal heart size|heart size normal|"
            r"cardiomediastinal silhouette (is )?(normal|within normal)",
            f,
            re.I,
        )
        eff_n = re.search(r"\bno\b[^.]*pleural effusion|without[^.]*effusion", f, re.I)
        lung_n = re.search(r"lungs are clear|no focal (consolidation|airspace)|no (focal )?infiltrate", f, re.I)
        opts = (["heart"] if heart_n else []) + (["eff"] if eff_n else []) + (["lung"] if lung_n else [])
        if not opts:
            return None
        mode = rng.choice(opts)
        if mode == "heart":
            case["impression"] = [
                rng.choice(
                    [
                        "Mild cardiomegaly. No acute pulmonary disease.",
                        "Cardiomegaly without edema.",
                        "Mildly enlarged heart. No pneumonia.",
                    ]
                )
            ]
            return case, "findings call heart size normal; impression reports mild cardiomegaly"
        if mode == "eff":
            case["impression"] = [f"Small {s} pleural effusion."] + case["impression"]
            return case, f"findings negate pleural effusion; impression reports small {s} effusion"
        txt = rng.choice(
            [
                f"{cap(s)} lower lobe pneumonia.",
                f"Patchy {s} basilar airspace disease, likely pneumonia.",
                f"{cap(s)} lower lobe infiltrate.",
                f"Early {s} upper lobe pneumonia.",
            ]
        )
        case["impression"] = [txt]
        return case, f"findings say lungs clear/no consolidation; impression reports '{txt}'"
    # clean-ish reports for missing_section and placeholder
    if not iu_clean_ok(d):
        return None
    case = iu_case(d, rng)
    if kind == "missing_section":
        return case, inject_missing(case, rng, composed=False)
    # placeholder
    ft = case["findings_text"]
    sized = re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", ft)
    sided = re.search(r"\b(right|left)\b", ft)
    grade = re.search(r"\b(mild|moderate|small|minimal)\b", ft)
    heart = re.search(r"\b(heart size is|heart is) (normal|within normal limits|normal in size)", ft, re.I)
    if sized:
        tok = rng.choice(["___", "XX", "[***]"])
        case["findings_text"] = ft[: sized.start()] + tok + " " + sized.group(2) + ft[sized.end() :]
        return case, f"measurement replaced by {tok}"
    if sided:
        tok = rng.choice(["[right/left]", "___", "[LEFT/RIGHT]"])
        case["findings_text"] = ft[: sided.start()] + tok + ft[sided.end() :]
        return case, f"side replaced by {tok}"
    if grade:
        tok = rng.choice(["[***]", "[mild/moderate/severe]", "***"])
        case["findings_text"] = ft[: grade.start()] + tok + ft[grade.end() :]
        return case, f"grade word replaced by {tok}"
    if heart:
        tok = rng.choice(["[normal/enlarged]", "***"])
        case["findings_text"] = ft[: heart.start(2)] + tok + ft[heart.end(2) :]
        return case, f"heart size result left as {tok}"
    return None


# ---------------------------------------------------------------- checks
def split_sections(report):
    m_f = re.search(
        r"^(FINDINGS:|Findings:)(.*?)(?=^IMPRESSION:|^Impression:|^Electronically|^Dictated|\Z)", report, re.S | re.M
    )
    m_i = re.search(r"^(IMPRESSION:|Impression:)(.*?)(?=^Electronically|^Dictated|\Z)", report, re.S | re.M)
    return (m_f.group(2).strip() if m_f else None), (m_i.group(2).strip() if m_i else None)


def verify(kind, case, report, detail):
    fnd, imp = split_sections(report)
    has_ph = PLACEHOLDER_RE.search(report) is not None
    if kind != "placeholder":
        assert not has_ph, report
    if kind is None or kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"):
        assert fnd and imp, (kind, report)
    if kind == "missing_section":
        assert not fnd or not imp, report
        if fnd is None:
            assert re.sub(r"^(- |\d\. )", "", imp) in IMP_BARE, report
    elif kind == "placeholder":
        assert has_ph, report
    elif kind == "laterality_conflict":
        side = re.search(r"(right|left)", detail.split(";")[1]).group(1)
        other = OPP[side]
        flipped_in_imp = detail.startswith("impression")
        a, b = (imp, fnd) if flipped_in_imp else (fnd, imp)
        assert has_word(a, other) and has_word(b, side), report
    elif kind == "impression_omits_finding":
        if "finds" in case:
            f = next(x for x in case["finds"] if x["sig"])
            ipat = dict((g[0], g[2]) for g in SIG_GROUPS)[
                {"pneumonia": "consolidation", "nodule": "mass"}.get(f["key"], f["key"])
            ]
            assert f["f"] in fnd
        else:
            ipat = "|".join(g[2] for g in iu_sig_groups(case["_orig_f"]))
        assert not re.search(ipat, imp, re.I), report
    elif kind == "negation_conflict":
        assert re.search(r"no |normal|clear", fnd + " " + imp, re.I)


# ---------------------------------------------------------------- build
def build(seed: int, shared: Path):
    rng = random.Random(seed)
    iu, _dev = load_iu(shared)
    pool = iu[:]
    rng.shuffle(pool)
    used = set()
    rows = []
    groups = [(None, N_CLEAN // 2)] + [(k, PER_KIND // 2) for k in KINDS]
    need = {
        None: None,
        "missing_section": None,
        "laterality_conflict": "sided",
        "negation_conflict": None,
        "impression_omits_finding": "sig",
        "placeholder": None,
    }
    for kind, n in groups:
        # composed half
        made = 0
        while made < n:
            case = compose(rng, need[kind])
            if kind == "negation_conflict" and made % 2 == 0:
                case = compose(rng, "sided")
            if kind == "impression_omits_finding" and made % 2 == 1 and len(case["finds"]) < 2:
                case["finds"].append(f_incidental(rng))
                case["organs"][case["finds"][-1]["organ"]].append(case["finds"][-1]["f"])
                case["impression"] = [case["finds"][0]["i"], case["finds"][-1]["i"]]
            detail = ""
            if kind == "missing_section":
                detail = inject_missing(case, rng, composed=True)
            elif kind == "laterality_conflict":
                if not any(f.get("side") and f["i"] in case["impression"] for f in case["finds"]):
                    continue
                case["finds"] = [f for f in case["finds"] if f.get("side") and f["i"] in case["impression"]][:1] + [
                    f for f in case["finds"] if not f.get("side")
                ]
                detail = inject_lat_composed(case, rng)
            elif kind == "negation_conflict":
                detail = inject_neg_composed(case, rng)
            elif kind == "impression_omits_finding":
                detail = inject_omit_composed(case, rng)
            elif kind == "placeholder":
                detail = inject_placeholder_composed(case, rng)
            reader = rng.choice(READERS)
            report = render(case, reader, rng)
            verify(kind, case, report, detail)
            rows.append(dict(injected=kind, detail=detail or "unmodified", report=report, src="composed"))
            made += 1
        # IU half
        made = 0
        for d in pool:
            if made >= n:
                break
            if d["uid"] in used:
                continue
            if kind is None:
                if not iu_clean_ok(d):
                    continue
                res = (iu_case(d, rng), "unmodified")
            else:
                res = iu_inject(d, kind, rng)
                if res is None:
                    continue
            case, detail = res
            case["_orig_f"] = d["findings"]
            reader = rng.choice([r for r in READERS if r != "lindqvist"] + ["lindqvist"])
            report = render(case, reader, rng)
            try:
                verify(kind, case, report, detail)
            except AssertionError:
                continue
            used.add(d["uid"])
            rows.append(dict(injected=kind, detail=f"IU {d['uid']}: {detail}", report=report, src="iu", uid=d["uid"]))
            made += 1
        if made < n:
            raise SystemExit(f"not enough IU reports for {kind}")
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        h = hashlib.sha256(f"h55|{seed}|{n}|{r['report']}".encode()).hexdigest()[:16]
        out.append(
            dict(id=f"h55-{h}", injected=r["injected"], detail=r["detail"], report=r["report"], _uid=r.get("uid"))
        )
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5601)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed, shared_dir())
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
