"""Held-out report-error set 169: COVID-19 / respiratory virus wards (UK and US), written blind.

usage: python -m bench.make_heldout169 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of
the five error kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding,
placeholder). Half of every group is composed from a phrase bank in the style of COVID-19 ward chest
films (BSTI CVCX categories, RSNA-style wording, ARDS, superimposed bacterial pneumonia,
pneumomediastinum on CPAP, recovery films); the other half are real IU reports (never a dev-set uid,
each used at most once) re-laid out and lightly re-worded in the same style.

``MEDRAG_SHARED_DIR`` overrides the shared folder (default ``../shared`` beside the repository root).
Standard library only; deterministic per seed, independent of PYTHONHASHSEED.
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40


# --------------------------------------------------------------------------------------------------
# shared data
# --------------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


def dev_uids() -> list[str]:
    out = []
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line)["uid"])
    return sorted(set(out))


_IU_CACHE: list[dict] | None = None


def load_iu() -> list[dict]:
    """All IU reports with FINDINGS and IMPRESSION, sorted by number."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    rows = []
    with tarfile.open(iu_archive_path(), "r:gz") as tf:
        for member in tf.getmembers():
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            fh = tf.extractfile(member)
            if fh is None:
                continue
            root = ET.fromstring(fh.read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            secs = {}
            for el in root.iter("AbstractText"):
                secs[el.get("Label", "")] = " ".join((el.text or "").split())
            rows.append(
                {
                    "uid": uid_el.get("id"),
                    "indication": secs.get("INDICATION", ""),
                    "comparison": secs.get("COMPARISON", ""),
                    "findings": secs.get("FINDINGS", ""),
                    "impression": secs.get("IMPRESSION", ""),
                }
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = rows
    return rows


# --------------------------------------------------------------------------------------------------
# sentence analysis (used to choose and check IU reports, and to place injections)
# --------------------------------------------------------------------------------------------------

FAMILIES = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|airspace opacit|air space opacit|infiltrat|"
    r"pneumonia|pneumonitis|ground.glass",
    "oedema": r"edema|oedema|congesti",
    "cardiomegaly": r"cardiomegaly|heart size is enlarged|enlarged heart|heart is enlarged|cardiac enlargement|"
    r"enlargement of the cardiac|cardiac silhouette is enlarged|enlarged cardiac|heart is mildly enlarged|"
    r"heart size is mildly enlarged|heart is moderately enlarged",
    "nodule": r"nodul|\bmass(es)?\b",
    "mediastinum": r"widen",
    "free_air": r"free air|pneumoperitoneum|free intraperitoneal|subdiaphragmatic (gas|air)",
    "opacity": r"opacit|atelecta|scar",
}
FAM_RE = {k: re.compile(v, re.I) for k, v in FAMILIES.items()}
SIGNIFICANT = ["effusion", "pneumothorax", "consolidation", "oedema", "nodule", "mediastinum", "free_air"]
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|clear|cleared|resolved|resolution|free of|absence|absent|nor|removed|"
    r"exclude|excluded|normal|unremarkable|within normal)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|probabl\w*|possib\w*|question\w*|cannot|could|suspect\w*|suggest\w*|likely|versus|vs|or|"
    r"concern\w*|equivocal|differential|consider)\b",
    re.I,
)
MINOR = re.compile(
    r"\b(small|tiny|trace|minimal|minimally|mild|mildly|slight|slightly|subtle|faint|streaky|borderline|stable|unchanged|chronic|old|healed|calcified|"
    r"granuloma|scar|scarring|redemonstrated|again|persistent|subsegmental|linear|blunting)\b",
    re.I,
)
SIDE = re.compile(r"\b(left|right)\b", re.I)
NORMAL_IMP = re.compile(
    r"(no acute|normal chest|no active|negative chest|unremarkable|within normal limits|no radiographic evidence|"
    r"no evidence of acute|lungs are clear|clear lungs|no significant|normal radiograph|normal exam|normal study|"
    r"no acute cardiopulmonary|no interval change|no change|no cardiopulmonary)",
    re.I,
)
HEART_NORMAL = re.compile(
    r"(heart size (is )?(within )?normal|normal heart|heart is normal|heart (size )?and mediastinum (are )?normal|"
    r"cardiac silhouette is normal|normal cardiac|cardiomediastinal silhouette (is )?(within normal|normal)|"
    r"heart size normal|heart is not enlarged|normal-sized heart|heart size is within normal)",
    re.I,
)
LUNGS_CLEAR = re.compile(
    r"(lungs are clear|clear lungs|lungs clear|lungs are grossly clear|both lungs are clear)", re.I
)


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    text = re.sub(r"(^|\s)\d{1,2}[.)],?(\s+|(?=[A-Z]))", r"\1", text)  # drop list numbers
    text = re.sub(r"\s*\.\s*\.+", ".", text)  # '. .' artefacts
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])", text)
    out = []
    for p in parts:
        p = p.strip()
        if not p or p in {".", ","}:
            continue
        if p[-1] not in ".!?":
            p += "."
        out.append(p)
    return out


def has_family(sent: str, fam: str) -> bool:
    return FAM_RE[fam].search(sent) is not None


def negated(sent: str, fam: str) -> bool:
    m = FAM_RE[fam].search(sent)
    if not m:
        return False
    return NEG_CUE.search(sent[: m.start()]) is not None


def affirmed(sent: str, fam: str) -> bool:
    return has_family(sent, fam) and NEG_CUE.search(sent) is None


def significant_affirmed(sent: str, fam: str) -> bool:
    """Clearly affirmed, not minor or hedged: the kind an impression must not leave out."""
    return affirmed(sent, fam) and not MINOR.search(sent) and not HEDGE.search(sent)


def sides(sent: str) -> list[str]:
    return sorted({m.group(1).lower() for m in SIDE.finditer(sent)})


def is_normal_statement(sent: str) -> bool:
    if NORMAL_IMP.search(sent):
        return not any(affirmed(sent, f) for f in FAMILIES)
    return False


def impression_is_normal(imp: list[str]) -> bool:
    return bool(imp) and all(
        is_normal_statement(s) or (NEG_CUE.search(s) and not any(affirmed(s, f) for f in FAMILIES)) for s in imp
    )


def mentions(sents: list[str], fam: str) -> bool:
    return any(has_family(s, fam) for s in sents)


def consistency_problems(fnd: list[str], imp: list[str]) -> list[str]:
    """Conservative screen for contradictions an IU report already holds (used to keep clean cases clean)."""
    probs = []
    for fam in FAMILIES:
        if fam == "opacity":
            continue
        if any(affirmed(s, fam) for s in imp) and any(negated(s, fam) for s in fnd):
            probs.append(f"impression affirms {fam} negated in findings")
        if any(negated(s, fam) for s in imp) and any(affirmed(s, fam) for s in fnd):
            probs.append(f"impression negates {fam} affirmed in findings")
        if any(has_family(s, fam) for s in imp) and any(negated(s, fam) for s in fnd) and fam != "nodule":
            if not any(affirmed(s, fam) for s in fnd) and any(not negated(s, fam) for s in imp if has_family(s, fam)):
                probs.append(f"{fam}: impression mentions, findings only negate")
    if any(HEART_NORMAL.search(s) for s in fnd) and any(has_family(s, "cardiomegaly") for s in imp):
        probs.append("heart normal in findings, cardiomegaly in impression")
    if any(HEART_NORMAL.search(s) for s in imp) and any(has_family(s, "cardiomegaly") for s in fnd):
        probs.append("heart normal in impression, enlarged in findings")
    if any(LUNGS_CLEAR.search(s) for s in imp) and any(
        affirmed(s, f) for s in fnd for f in ("consolidation", "opacity", "nodule", "oedema")
    ):
        probs.append("lungs clear in impression, opacity in findings")
    if any(LUNGS_CLEAR.search(s) for s in fnd) and any(
        affirmed(s, f) for s in imp for f in ("consolidation", "opacity", "oedema")
    ):
        probs.append("lungs clear in findings, opacity in impression")
    imp_norm = impression_is_normal(imp)
    for s in fnd:
        for fam in SIGNIFICANT:
            if significant_affirmed(s, fam) and not mentions(imp, fam):
                if fam == "consolidation" and (mentions(imp, "opacity") or re.search(r"infect", " ".join(imp), re.I)):
                    continue
                probs.append(f"findings affirm {fam}, impression leaves it out")
        if imp_norm and affirmed(s, "cardiomegaly") and not re.search(r"mild|borderline|stable|upper limits", s, re.I):
            probs.append("cardiomegaly beside a normal impression")
        if imp_norm and any(affirmed(s, f) for f in ("consolidation", "oedema", "pneumothorax", "nodule")):
            probs.append("normal impression beside a finding")
    imp_sides = []
    for s in imp:
        imp_sides.extend(sides(s))
    fnd_text = " ".join(fnd)
    for sd in imp_sides:
        if sd not in sides(fnd_text) and not re.search(r"bilateral|both", fnd_text, re.I):
            probs.append(f"impression side {sd} not in findings")
    # same family placed on opposite sides only
    for fam in FAMILIES:
        fs = sorted({sd for s in fnd if has_family(s, fam) for sd in sides(s)})
        is_ = sorted({sd for s in imp if has_family(s, fam) for sd in sides(s)})
        if fs and is_ and not set(fs) & set(is_):
            probs.append(f"{fam} on different sides")
    return probs


# --------------------------------------------------------------------------------------------------
# wording of the setting
# --------------------------------------------------------------------------------------------------

UK_SPELL = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bedematous\b", "oedematous"),
    (r"\bhemithorax\b", "hemithorax"),
    (r"\besophag", "oesophag"),
    (r"\bEsophag", "Oesophag"),
    (r"\bhemorrhage", "haemorrhage"),
    (r"\banemia\b", "anaemia"),
    (r"\bcolor\b", "colour"),
    (r"\bcentimeter", "centimetre"),
    (r"\bcentered\b", "centred"),
    (r"\bcalcification(s?)\b", r"calcification\1"),
    (r"\bgranulomas\b", "granulomata"),
    (r"\bleukocyt", "leucocyt"),
    (r"\bdyspnea\b", "dyspnoea"),
    (r"\bDyspnea\b", "Dyspnoea"),
    (r"\bpediatric", "paediatric"),
    (r"\bfeces\b", "faeces"),
]
MASK_REWORD = [
    (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bChest x-XXXX\b", "Chest radiograph"),
    (r"\bx-XXXX\b", "radiograph"),
    (r"\bchest x-ray\b", "chest radiograph"),
    (r"\bair space\b", "airspace"),
]
US_REWORD = [
    (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bChest x-XXXX\b", "Chest radiograph"),
    (r"\bx-XXXX\b", "radiograph"),
]


def reword(text: str, uk: bool) -> tuple[str, list[str]]:
    changes = []
    for pat, rep in (MASK_REWORD + UK_SPELL) if uk else US_REWORD:
        new = re.sub(pat, rep, text)
        if new != text:
            changes.append(pat.strip("\\b()").replace("\\b", "") + "->" + rep.replace("\\1", ""))
            text = new
    return text, changes


UK_SIGNOFF = [
    "Dr Priya Raman, Consultant Radiologist",
    "Dr Tom Whitfield, Consultant Thoracic Radiologist",
    "Reported by Dr Aisha Bello (ST4 Radiology)\nVerified by Dr Hugh Carmichael, Consultant Radiologist",
    "Dr S. O'Neill, Radiology Registrar",
    "Dr Fiona McLeod FRCR, Consultant Radiologist",
    "Reported by: Dr Rajesh Nair, Consultant Radiologist",
    "Dr E. Kowalski, Specialty Registrar, Radiology\nDiscussed with Dr Matthews (Consultant) prior to issue",
    "Dr Helen Ashby, Consultant Radiologist, Respiratory Imaging",
    "Reporting radiographer: Claire Dunn\nCountersigned: Dr Adebayo, Consultant Radiologist",
]
US_SIGNOFF = [
    "Electronically signed by: Michael Chen, MD",
    "Electronically signed by Sarah Goldberg, MD on 04/14/2020 at 06:52",
    "Dictated by: Luis Ortega, MD\nSigned by: Luis Ortega, MD",
    "Attending radiologist: Jennifer Park, MD",
    "I have personally reviewed the images and agree with the report above.\nDavid Kim, MD",
    "Resident: Anil Shah, MD\nAttending: Karen Wolfe, MD",
    "Read by: Robert Haines, DO, Thoracic Imaging",
    "Signed: Elena Petrova, MD (Radiology)",
]
UK_EXAM = [
    "CXR AP (portable, ward)",
    "Chest X-ray, AP erect",
    "XR Chest",
    "Chest radiograph PA",
    "CXR - mobile AP, semi-erect",
    "Examination: Chest (mobile)",
    "Portable CXR, Respiratory HDU",
]
US_EXAM = [
    "EXAM: XR CHEST 1 VIEW PORTABLE",
    "EXAM: Chest radiograph, single AP portable view",
    "EXAMINATION: CHEST, PA AND LATERAL",
    "EXAM: Portable chest",
    "STUDY: CXR AP portable (COVID unit)",
    "EXAM: XR CHEST 2 VIEWS",
]
UK_CLINICAL = [
    "COVID-19 positive, increasing oxygen requirement.",
    "?COVID pneumonitis. Fever and cough for 5 days.",
    "SARS-CoV-2 PCR positive day 9, desaturating on ward.",
    "Shortness of breath, raised CRP. ?Superimposed infection.",
    "On CPAP for COVID-19 pneumonitis. Sudden deterioration.",
    "Follow-up film 12 weeks post COVID-19 pneumonia.",
    "Influenza A positive. Worsening hypoxia.",
    "Pyrexial, productive cough. ?Bacterial pneumonia.",
    "Post intubation - ETT and NGT position.",
    "New CVC inserted - position?",
    "RSV positive, wheeze and breathlessness.",
    "Admitted via ED with cough and fever, lateral flow positive.",
]
US_CLINICAL = [
    "COVID-19 positive with hypoxia.",
    "Fever, cough, rule out pneumonia. SARS-CoV-2 pending.",
    "Intubated COVID-19 patient, daily film.",
    "Worsening respiratory status on BiPAP.",
    "Line placement.",
    "OG tube placement.",
    "Shortness of breath. History of COVID-19 infection last month.",
    "Influenza positive, increasing oxygen requirement.",
    "Chest pain and dyspnea in COVID-19 patient, evaluate for pneumothorax.",
    "Persistent fever despite antibiotics.",
]
UK_COMPARE = [
    "Comparison: previous CXR 2 days ago.",
    "Compared with the film of yesterday.",
    "Previous: CXR on admission.",
    "Comparison: none available.",
    "Comparison is made with the radiograph of 03/04/2020.",
    "No previous imaging for comparison.",
]
US_COMPARE = [
    "COMPARISON: Chest radiograph from yesterday.",
    "COMPARISON: None.",
    "COMPARISON: 04/02/2020.",
    "COMPARISON: Prior study dated 3 days earlier.",
    "COMPARISON: CT chest from last week.",
]
MASK_HEADERS = [
    "Patient: ___    DOB: ___    MRN: ___",
    "Name: ___   NHS No: ___   Ward: ___",
    "Acc #: ___    Date of exam: ___",
    "Hospital no: ___    Date: ___",
]

SCEN_CLINICAL = {
    "ards": [
        "Intubated and ventilated, COVID-19 ARDS. Daily film.",
        "Post intubation - ETT and NGT position.",
        "Ventilated on ICU, worsening P/F ratio.",
    ],
    "tube": ["NG tube position?", "Fine-bore NGT inserted, confirm position before feeding."],
    "pneumomediastinum": [
        "On CPAP for COVID-19 pneumonitis. Sudden deterioration.",
        "CPAP, new neck swelling and crepitus.",
    ],
    "pneumothorax": ["On CPAP, sudden desaturation and pleuritic chest pain.", "?Pneumothorax. COVID-19 positive."],
    "recovery": [
        "Follow-up film 12 weeks post COVID-19 pneumonia.",
        "Post-COVID breathlessness, 3 months after discharge.",
    ],
    "oedema": ["Positive fluid balance, increasing oxygen requirement.", "?Fluid overload. Bilateral crackles."],
    "bacterial": [
        "Day 10 COVID-19, new fever and rising CRP. ?Superimposed infection.",
        "Shortness of breath, raised CRP. ?Superimposed infection.",
    ],
    "lobar": ["Pyrexial, productive cough. ?Bacterial pneumonia.", "Fever, focal crackles at the base."],
}
IU_FALLBACK_CLINICAL = [
    "Cough.",
    "Shortness of breath.",
    "?Chest infection.",
    "Fever.",
    "Query COVID-19.",
    "Routine pre-admission film.",
]

UK_FHEAD = ["Findings:", "FINDINGS:", "Report:", "Findings", "REPORT:"]
UK_IHEAD = ["Conclusion:", "CONCLUSION:", "Opinion:", "Impression:", "Conclusion", "OPINION:"]
US_FHEAD = ["FINDINGS:", "Findings:", "FINDINGS"]
US_IHEAD = ["IMPRESSION:", "Impression:", "IMPRESSION"]


# --------------------------------------------------------------------------------------------------
# composed reports: phrase bank
# --------------------------------------------------------------------------------------------------


def _sd(side: str) -> str:
    return side.capitalize()


def _zone(rng: random.Random, uk: bool, side: str, lower_only: bool = False) -> str:
    if uk:
        zones = ["lower zone", "mid zone", "lower zone", "mid and lower zones"] if not lower_only else ["lower zone"]
        z = rng.choice(zones)
        return f"{side} {z}"
    lobes = ["lower lobe", "lower lobe", "upper lobe"] + (["middle lobe"] if side == "right" else [])
    if lower_only:
        lobes = ["lower lobe"]
    return f"{side} {rng.choice(lobes)}"


class Case:
    """A composed or IU-based report as editable parts."""

    def __init__(self) -> None:
        self.uk = True
        self.exam = ""
        self.clinical = ""
        self.comparison = ""
        self.mask_header = ""
        # findings: list of [topic, sentence]; impression: list of [tag, sentence]
        self.findings: list[list[str]] = []
        self.impression: list[list[str]] = []
        self.signoff = ""
        self.source = "composed"
        self.uid = ""
        # injection hooks
        self.lat_pairs: list[tuple[int, int, str]] = []  # (findings idx, impression idx, side)
        self.neg_topics: list[str] = []  # topics the findings explicitly negate
        self.main_neg: str = ""  # impression sentence negating the main finding
        self.significant = False
        self.normal_imp = False
        self.scenario = ""
        self.layout = ""
        self.notes: list[str] = []


def _background(rng: random.Random, uk: bool, exclude: list[str]) -> list[list[str]]:
    """Negative background statements, one per topic not excluded."""
    out = []
    heart = [
        "Heart size is normal.",
        "The cardiomediastinal contours are within normal limits.",
        "Heart size and mediastinal contours are normal.",
        "Normal cardiac size.",
    ]
    pleura_uk = [
        "No pleural effusion.",
        "No pleural effusion or pneumothorax.",
        "Costophrenic angles are clear. No pneumothorax.",
        "No effusion or pneumothorax is seen.",
    ]
    pleura_us = [
        "No pleural effusion or pneumothorax.",
        "There is no pleural effusion. No pneumothorax.",
        "No pneumothorax or pleural effusion is identified.",
    ]
    if "heart" not in exclude:
        out.append(["heart", rng.choice(heart)])
    if "effusion" not in exclude and "pneumothorax" not in exclude:
        out.append(["pleura", rng.choice(pleura_uk if uk else pleura_us)])
    elif "effusion" not in exclude:
        out.append(["pleura", "No pleural effusion."])
    elif "pneumothorax" not in exclude:
        out.append(["pleura", "No pneumothorax."])
    if rng.random() < 0.35:
        out.append(
            [
                "bones",
                rng.choice(
                    [
                        "No acute bony abnormality.",
                        "Bones are intact.",
                        "Visualised bones unremarkable." if uk else "Osseous structures are intact.",
                    ]
                ),
            ]
        )
    return out


def _neg_topics_from(findings: list[list[str]]) -> list[str]:
    topics = []
    text = " ".join(s for _, s in findings)
    for s in [s for _, s in findings]:
        if re.search(r"\bno\b.*effusion", s, re.I):
            topics.append("effusion")
        if re.search(r"\bno\b.*pneumothorax", s, re.I):
            topics.append("pneumothorax")
        if HEART_NORMAL.search(s) or re.search(r"normal cardiac size", s, re.I):
            topics.append("heart")
        if LUNGS_CLEAR.search(s) or re.search(r"no (focal )?consolidation", s, re.I):
            topics.append("consolidation")
    if re.search(r"bilateral|both|diffuse|opacif|ground-glass|consolidation", text, re.I) and "consolidation" in topics:
        if not re.search(r"lungs are clear|lungs clear|clear lungs", text, re.I):
            topics.remove("consolidation")
    out = []
    for t in topics:
        if t not in out:
            out.append(t)
    return out


NORMAL_IMP_UK = [
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "No active lung disease.",
    "Normal appearances. No radiographic evidence of COVID-19 pneumonitis.",
    "Clear chest.",
    "Unremarkable chest radiograph.",
]
NORMAL_IMP_US = [
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary process.",
    "Normal chest radiograph.",
    "No radiographic evidence of acute disease.",
    "Negative chest.",
]
OMIT_NORMAL = [
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary process.",
    "No acute abnormality.",
    "No significant abnormality demonstrated.",
    "Stable appearances, no acute process.",
]


def compose(rng: random.Random, need: str = "") -> Case:
    """Compose one consistent report. need: 'lat' (a side stated in both sections), 'sig' (a significant
    finding in both sections), 'extra' (sig plus other impression items), 'neg' (a negated topic) or ''."""
    uk = rng.random() < 0.55
    c = Case()
    c.uk = uk
    scen_all = [
        "normal",
        "classic",
        "progress",
        "bacterial",
        "lobar",
        "indeterminate",
        "pneumothorax",
        "pneumomediastinum",
        "effusion",
        "ards",
        "oedema",
        "recovery",
        "tube",
        "nodule",
    ]
    if need == "lat":
        scen_all = ["bacterial", "lobar", "indeterminate", "pneumothorax", "effusion", "ards", "nodule"]
    elif need in ("sig", "extra"):
        scen_all = [
            "classic",
            "progress",
            "bacterial",
            "lobar",
            "pneumothorax",
            "pneumomediastinum",
            "effusion",
            "ards",
            "oedema",
            "nodule",
        ]
    elif need == "negmain":
        scen_all = ["bacterial", "lobar", "pneumothorax", "effusion", "oedema", "classic", "nodule"]
    scen = rng.choice(scen_all)
    c.scenario = scen
    side = rng.choice(["left", "right"])
    F: list[list[str]] = []
    imp: list[list[str]] = []
    cat_uk = ""
    cat_rsna = ""
    exclude: list[str] = []
    lat_f = lat_i = -1
    c.significant = scen not in ("normal", "recovery", "tube", "indeterminate")

    if scen == "normal":
        F.append(
            [
                "lungs",
                rng.choice(
                    [
                        "The lungs are clear.",
                        "Lungs are clear with no focal consolidation.",
                        "No consolidation or ground-glass opacification.",
                        "Clear lungs.",
                    ]
                ),
            ]
        )
        imp.append(["main", rng.choice(NORMAL_IMP_UK if uk else NORMAL_IMP_US)])
        cat_uk = "CVCX0: Normal."
        cat_rsna = "Negative for pneumonia."
        c.normal_imp = True
    elif scen == "classic":
        dist = (
            rng.choice(
                [
                    "peripheral and lower zone predominant",
                    "bilateral peripheral and basal",
                    "patchy bilateral peripheral",
                ]
            )
            if uk
            else rng.choice(["multifocal peripheral, lower lung predominant", "bilateral peripheral"])
        )
        F.append(
            [
                "lungs",
                f"There are {dist} ground-glass opacities"
                + (" with some consolidation." if rng.random() < 0.5 else "."),
            ]
        )
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        "Appearances in keeping with COVID-19 pneumonitis.",
                        "Bilateral peripheral opacities, classic for COVID-19.",
                        "Findings consistent with COVID-19 pneumonia in the appropriate clinical context.",
                    ]
                ),
            ]
        )
        c.main_neg = rng.choice(["Lungs are clear.", "No evidence of COVID-19 pneumonitis."])
        cat_uk = "CVCX1: Classic/Probable COVID-19."
        cat_rsna = "Typical appearance for COVID-19 pneumonia."
        exclude = ["consolidation"]
    elif scen == "progress":
        F.append(
            [
                "lungs",
                rng.choice(
                    [
                        "Increasing bilateral airspace opacification compared with "
                        "yesterday, now extending into both mid zones.",
                        "Progression of the bilateral peripheral ground-glass opacities, "
                        "now with denser consolidation at both bases.",
                        "Interval worsening of bilateral patchy airspace opacities since the previous film.",
                    ]
                ),
            ]
        )
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        "Progression of bilateral COVID-19 pneumonitis.",
                        "Worsening bilateral airspace opacification in keeping with progressive COVID-19 pneumonia.",
                    ]
                ),
            ]
        )
        c.main_neg = "Improving appearances, no new consolidation."
        cat_uk = "CVCX1: Classic/Probable COVID-19."
        cat_rsna = "Typical appearance for COVID-19 pneumonia."
        exclude = ["consolidation"]
    elif scen == "bacterial":
        z = _zone(rng, uk, side, lower_only=True)
        F.append(["lungs", f"New dense consolidation in the {z} with air bronchograms."])
        lat_f = len(F) - 1
        F.append(["lungs", "Background bilateral peripheral ground-glass change, unchanged."])
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        f"New {z} consolidation, likely superimposed bacterial infection.",
                        f"Superimposed bacterial pneumonia in the {z} is favoured.",
                        f"New {side} basal consolidation on a background of COVID-19 "
                        f"pneumonitis, ?secondary bacterial infection.",
                    ]
                ),
            ]
        )
        lat_i = len(imp) - 1
        imp.append(["extra", "Background COVID-19 changes are stable."])
        c.main_neg = rng.choice(["No new consolidation.", "No focal consolidation."])
        cat_uk = "CVCX2: Indeterminate for COVID-19."
        cat_rsna = "Indeterminate appearance for COVID-19 pneumonia."
        exclude = ["consolidation"]
    elif scen == "lobar":
        lobe = f"{side} lower lobe" if not uk else rng.choice([f"{side} lower lobe", f"{side} lower zone"])
        F.append(
            [
                "lungs",
                rng.choice(
                    [
                        f"Dense consolidation in the {lobe}.",
                        f"Focal airspace consolidation in the {lobe} with air bronchograms.",
                        f"There is lobar consolidation of the {lobe}.",
                    ]
                ),
            ]
        )
        lat_f = len(F) - 1
        F.append(["lungs", "The remainder of the lungs are clear."])
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        f"{_sd(lobe)} pneumonia.",
                        f"{_sd(lobe)} consolidation in keeping with infection.",
                        f"Lobar pneumonia, {lobe}.",
                    ]
                ),
            ]
        )
        lat_i = len(imp) - 1
        c.main_neg = "No focal consolidation."
        cat_uk = "CVCX3: Non-COVID-19."
        cat_rsna = "Atypical appearance for COVID-19 pneumonia."
        exclude = ["consolidation"]
    elif scen == "indeterminate":
        z = _zone(rng, uk, side)
        F.append(["lungs", f"Subtle patchy opacification in the {z}."])
        lat_f = len(F) - 1
        F.append(["lungs", "The contralateral lung is clear."])
        imp.append(["main", f"Subtle {z} opacification, non-specific. Indeterminate for COVID-19."])
        lat_i = len(imp) - 1
        imp.append(["rec", "Suggest clinical correlation and follow-up film if there is clinical concern."])
        cat_uk = "CVCX2: Indeterminate."
        cat_rsna = "Indeterminate appearance for COVID-19 pneumonia."
        exclude = ["consolidation"]
    elif scen == "pneumothorax":
        size = rng.choice(["1.5", "2", "2.5", "3"])
        F.append(
            [
                "pleura",
                rng.choice(
                    [
                        f"{_sd(side)} apical pneumothorax with a {size} cm rim at the level of the hilum.",
                        f"New {side}-sided pneumothorax measuring {size} cm at the apex.",
                        f"There is a {side} pneumothorax, {size} cm interpleural distance at the hilum.",
                    ]
                ),
            ]
        )
        lat_f = len(F) - 1
        F.append(["mediastinum", "No mediastinal shift."])
        F.append(["lungs", "Background bilateral patchy airspace opacification in keeping with known COVID-19."])
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        f"{_sd(side)} pneumothorax.",
                        f"New {side} pneumothorax ({size} cm).",
                        f"{_sd(side)}-sided pneumothorax, no tension features.",
                    ]
                ),
            ]
        )
        lat_i = len(imp) - 1
        imp.append(
            [
                "rec",
                rng.choice(
                    [
                        "Discussed with the ward SpR at the time of reporting.",
                        "Findings communicated to the covering team by telephone.",
                    ]
                ),
            ]
        )
        c.main_neg = "No pneumothorax."
        exclude = ["pneumothorax", "consolidation"]
    elif scen == "pneumomediastinum":
        F.append(
            [
                "mediastinum",
                rng.choice(
                    [
                        "New lucency outlining the mediastinum and extending into the "
                        "soft tissues of the neck, in keeping with "
                        "pneumomediastinum and surgical emphysema.",
                        "New pneumomediastinum with extensive surgical emphysema over the chest wall and neck.",
                    ]
                ),
            ]
        )
        F.append(["lungs", "Bilateral airspace opacification in keeping with known COVID-19 pneumonitis."])
        F.append(["pleura", "No pneumothorax."])
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        "New pneumomediastinum and surgical emphysema, likely barotrauma on CPAP.",
                        "Pneumomediastinum with surgical emphysema in a patient on CPAP. No pneumothorax.",
                    ]
                ),
            ]
        )
        imp.append(["extra", "Known bilateral COVID-19 pneumonitis."])
        c.main_neg = "No pneumomediastinum."
        exclude = ["consolidation", "pneumothorax"]
    elif scen == "effusion":
        size = rng.choice(["Moderate", "Large", "Moderate to large"])
        F.append(["pleura", f"{size} {side} pleural effusion with adjacent basal atelectasis."])
        lat_f = len(F) - 1
        F.append(
            [
                "lungs",
                "Patchy peripheral opacities in both mid zones, unchanged."
                if rng.random() < 0.5
                else "The lungs are otherwise clear.",
            ]
        )
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        f"{size} {side} pleural effusion.",
                        f"{size} {side}-sided effusion, ?parapneumonic. Consider ultrasound.",
                    ]
                ),
            ]
        )
        lat_i = len(imp) - 1
        c.main_neg = "No pleural effusion."
        exclude = ["effusion", "consolidation"]
    elif scen == "ards":
        cvc_side = side
        F.append(
            ["lines", rng.choice(["ETT tip 4 cm above the carina.", "Endotracheal tube tip 5 cm above the carina."])]
        )
        F.append(["lines", "NG tube passes below the diaphragm, tip in the stomach."])
        F.append(["lines", f"{_sd(cvc_side)} internal jugular CVC with tip in the SVC."])
        lat_f = len(F) - 1
        F.append(
            [
                "lungs",
                rng.choice(
                    [
                        "Diffuse bilateral airspace opacification, increased since yesterday.",
                        "Worsening dense bilateral airspace opacification with air bronchograms, sparing the apices.",
                    ]
                ),
            ]
        )
        imp.append(
            [
                "main",
                rng.choice(
                    [
                        "Worsening diffuse bilateral airspace opacification, in keeping with ARDS.",
                        "Progressive bilateral opacification consistent with ARDS on a background of COVID-19.",
                    ]
                ),
            ]
        )
        imp.append(["extra", f"ETT, NGT and {cvc_side} IJ line satisfactorily positioned."])
        lat_i = len(imp) - 1
        c.main_neg = "Lungs are clear."
        exclude = ["consolidation"]
    elif scen == "oedema":
        F.append(
            [
                "lungs",
                rng.choice(
                    [
                        "Upper lobe venous diversion with perihilar haze and septal "
                        "lines, in keeping with pulmonary oedema.",
                        "Increased interstitial markings, Kerley B lines and bilateral perihilar airspace shadowing.",
                    ]
                )
                if uk
                else "Pulmonary vascular congestion with interstitial edema and perihilar haziness.",
            ]
        )
        F.append(["pleura", "Small bilateral pleural effusions."])
        F.append(["heart", "The heart is enlarged."])
        imp.append(["main", "Pulmonary oedema, ?fluid overload." if uk else "Pulmonary edema."])
        imp.append(["extra", "Cardiomegaly with small bilateral effusions."])
        c.main_neg = "No pulmonary oedema." if uk else "No pulmonary edema."
        exclude = ["effusion", "heart", "consolidation"]
    elif scen == "recovery":
        F.append(
            [
                "lungs",
                rng.choice(
                    [
                        "Residual linear and reticular opacities at both lung "
                        "bases, much improved since the admission film.",
                        "Marked improvement in the bilateral peripheral opacities "
                        "with minor residual basal linear atelectasis.",
                    ]
                ),
            ]
        )
        F.append(["lungs", "No new consolidation."])
        imp.append(["main", "Improving appearances with residual post-COVID-19 change at both bases."])
        imp.append(
            [
                "rec",
                rng.choice(
                    ["Follow-up CXR in 12 weeks as per BTS guidance.", "Consider CT if symptoms persist at 12 weeks."]
                ),
            ]
        )
        exclude = ["consolidation"]
    elif scen == "tube":
        F.append(
            [
                "lines",
                rng.choice(
                    [
                        "NG tube tip projected below the left hemidiaphragm, within the stomach.",
                        "Nasogastric tube with tip in the gastric fundus.",
                    ]
                ),
            ]
        )
        F.append(["lungs", "Lungs are clear."])
        imp.append(
            ["main", "NG tube in satisfactory position - OK to use." if uk else "Enteric tube in good position."]
        )
    elif scen == "nodule":
        size = rng.choice([8, 10, 12, 15])
        z = _zone(rng, uk, side)
        F.append(["lungs", f"Incidental {size} mm rounded nodule projected over the {z}."])
        lat_f = len(F) - 1
        F.append(["lungs", "Minor residual peripheral opacities after recent COVID-19 infection."])
        imp.append(["main", f"{size} mm {side} pulmonary nodule. CT chest recommended."])
        lat_i = len(imp) - 1
        imp.append(["extra", "Minor residual post-COVID-19 change."])
        c.main_neg = "No pulmonary nodule."
        exclude = ["consolidation"]

    # extras that also sit in the impression
    if need == "extra" and not any(t == "extra" for t, _ in imp):
        F.insert(0, ["lines", f"{_sd(side)} PICC line with tip in the SVC."])
        lat_f = lat_f + 1 if lat_f >= 0 else lat_f
        imp.append(["extra", f"{_sd(side)} PICC line in satisfactory position."])
    if rng.random() < 0.2 and scen not in ("ards", "tube"):
        F.append(
            [
                "bones",
                "Old healed rib fractures noted."
                if rng.random() < 0.5
                else "Degenerative changes in the thoracic spine.",
            ]
        )
    F.extend(_background(rng, uk, exclude))
    c.neg_topics = _neg_topics_from(F)
    if scen == "normal" and "consolidation" not in c.neg_topics:
        c.neg_topics.append("consolidation")
    if lat_f >= 0 and lat_i >= 0:
        c.lat_pairs.append((lat_f, lat_i, side))
    c.findings = F
    c.impression = imp
    # classification line: BSTI (UK) or RSNA (US)
    if rng.random() < 0.55 and (cat_uk or cat_rsna):
        if uk and cat_uk:
            c.impression.append(["cat", ("BSTI category: " if rng.random() < 0.5 else "") + cat_uk])
        elif not uk and cat_rsna:
            c.impression.append(["cat", "RSNA category: " + cat_rsna])
    return c


def dress(c: Case, rng: random.Random) -> None:
    """Exam, clinical details, comparison, sign-off, and the layout."""
    uk = c.uk
    c.exam = rng.choice(UK_EXAM if uk else US_EXAM)
    if not c.clinical:
        fit = SCEN_CLINICAL.get(c.scenario)
        if fit and rng.random() < 0.6:
            c.clinical = rng.choice(fit)
        else:
            c.clinical = rng.choice(UK_CLINICAL[:8] if uk else US_CLINICAL[:4] + US_CLINICAL[6:8])
    if not c.comparison and c.source == "composed" and rng.random() < 0.6:
        c.comparison = rng.choice(UK_COMPARE if uk else US_COMPARE)
    c.signoff = rng.choice(UK_SIGNOFF if uk else US_SIGNOFF)
    if rng.random() < 0.15:
        c.mask_header = rng.choice(MASK_HEADERS)
    layouts = ["uk_plain", "uk_plain", "inline", "bullets"] if uk else ["us_caps", "us_caps", "inline", "bullets"]
    if c.source == "composed":
        layouts.append("structured")
    c.layout = rng.choice(layouts)


STRUCT_LABEL = {
    "lines": "Lines/tubes",
    "lungs": "Lungs",
    "pleura": "Pleura",
    "heart": "Heart and mediastinum",
    "mediastinum": "Heart and mediastinum",
    "bones": "Bones/soft tissues",
}


def render(c: Case, rng: random.Random, missing: str = "") -> str:
    """missing: '' | 'findings_empty' | 'impression_empty' | 'impression_removed' | 'impression_signature'."""
    uk = c.uk
    lay = c.layout
    fhead = rng.choice(UK_FHEAD if uk else US_FHEAD)
    ihead = rng.choice(UK_IHEAD if uk else US_IHEAD)
    if lay == "inline" or not fhead.endswith(":"):
        fhead = fhead.rstrip(":") + ":"
        ihead = ihead.rstrip(":") + ":"
    lines: list[str] = []
    if c.mask_header:
        lines.append(c.mask_header)
    lines.append(c.exam)
    if uk:
        lines.append(("Clinical details: " if rng.random() < 0.6 else "Clinical history: ") + c.clinical)
    else:
        lines.append("INDICATION: " + c.clinical)
        if lay == "us_caps" and rng.random() < 0.5:
            two = "2 VIEWS" in c.exam or "LATERAL" in c.exam
            lines.append("TECHNIQUE: PA and lateral views." if two else "TECHNIQUE: Single frontal view of the chest.")
    if c.comparison:
        lines.append(c.comparison)
    lines.append("")
    fsents = [s for _, s in c.findings]
    isents = [s for _, s in c.impression]
    # findings body
    if lay == "structured":
        groups: list[tuple[str, list[str]]] = []
        for topic, s in c.findings:
            lab = STRUCT_LABEL.get(topic, "Other")
            for g in groups:
                if g[0] == lab:
                    g[1].append(s)
                    break
            else:
                groups.append((lab, [s]))
        fbody = "\n".join(f"{lab}: {' '.join(ss)}" for lab, ss in groups)
    elif lay == "bullets":
        fbody = "\n".join("- " + s for s in fsents)
    else:
        fbody = " ".join(fsents)
    # impression body
    if len(isents) > 1 and (lay in ("us_caps", "structured") or (lay == "uk_plain" and rng.random() < 0.5)):
        ibody = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(isents))
    elif lay == "bullets" and len(isents) > 1:
        ibody = "\n".join("- " + s for s in isents)
    else:
        ibody = " ".join(isents)
    if missing == "findings_empty":
        fbody = ""
    if missing == "findings_absent":
        pass  # short-form report: no FINDINGS section, the impression describes the film
    elif lay == "inline":
        lines.append(f"{fhead} {fbody}".rstrip())
        lines.append("")
    else:
        lines.append(fhead)
        if fbody:
            lines.append(fbody)
        lines.append("")
    if missing == "impression_removed":
        lines.append(c.signoff)
        return "\n".join(lines).strip() + "\n"
    if missing == "impression_signature":
        lines.append(ihead)
        lines.append(c.signoff)
        return "\n".join(lines).strip() + "\n"
    if missing == "impression_empty":
        ibody = ""
    if lay == "inline":
        lines.append(f"{ihead} {ibody}".rstrip())
    else:
        lines.append(ihead)
        if ibody:
            lines.append(ibody)
    lines.append("")
    lines.append(c.signoff)
    return "\n".join(lines).strip() + "\n"


# --------------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------------


def iu_case(r: dict, rng: random.Random) -> Case:
    c = Case()
    c.source = "iu"
    c.uid = r["uid"]
    c.uk = rng.random() < 0.55
    fnd = split_sentences(r["findings"])
    imp = split_sentences(r["impression"])
    changes: list[str] = []
    f2, i2 = [], []
    for s in fnd:
        t, ch = reword(s, c.uk)
        f2.append(t)
        changes += ch
    for s in imp:
        t, ch = reword(s, c.uk)
        i2.append(t)
        changes += ch
    c.findings = [["other", s] for s in f2]
    c.impression = [["main", s] for s in i2]
    ind = re.sub(r"^(INDICATION|Indication)\s*:\s*", "", r["indication"].strip())
    ind = re.sub(r"\.{2,}", ".", ind)
    if not ind or ind.strip(".,") in ("XXXX", ""):
        c.clinical = rng.choice(IU_FALLBACK_CLINICAL)
    else:
        ind, _ = reword(ind, c.uk)
        if ind[-1] not in ".?":
            ind += "."
        c.clinical = ind
    comp = r["comparison"].strip()
    if comp:
        comp, _ = reword(re.sub(r"\.{2,}", ".", comp), c.uk)
        c.comparison = ("Comparison: " if c.uk else "COMPARISON: ") + comp
    dress(c, rng)
    cat_note = False
    if impression_is_normal([s for _, s in c.impression]) and rng.random() < 0.35:
        c.impression.append(
            ["cat", "BSTI category: CVCX0 (normal)." if c.uk else "RSNA category: Negative for pneumonia."]
        )
        cat_note = True
    uniq = []
    for ch in changes:
        if ch not in uniq:
            uniq.append(ch)
    c.notes = (
        [f"re-laid out as {'UK' if c.uk else 'US'} {c.layout} report"]
        + (["re-worded " + ", ".join(uniq)] if uniq else [])
        + (["added a normal COVID category line to the impression"] if cat_note else [])
    )
    return c


NON_CHEST = re.compile(r"\b(ankle|elbow|forearm|knee|wrist|pelvis|humerus|femur|shoulder views|abdomen views)\b", re.I)
STABLE_WORDS = re.compile(
    r"\b(stable|unchanged|no change|chronic|again|redemonstrat\w*|persistent|known|continued)\b", re.I
)


def iu_eligible(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if NON_CHEST.search(f + " " + i):
        return False
    if not f or not i or len(f) > 700 or len(i) > 400:
        return False
    if re.search(r"\[|\]|\*\*\*|<<|___|\bXX\b", f + " " + i):
        return False
    fs, is_ = split_sentences(f), split_sentences(i)
    if len(fs) < 2 or not is_:
        return False
    # too heavily masked to read
    if (f + i).count("XXXX") > 3:
        return False
    return True


_CLEAN_MEMO: dict[str, bool] = {}


def iu_clean_ok(r: dict) -> bool:
    if r["uid"] not in _CLEAN_MEMO:
        fs, is_ = split_sentences(r["findings"]), split_sentences(r["impression"])
        _CLEAN_MEMO[r["uid"]] = not consistency_problems(fs, is_)
    return _CLEAN_MEMO[r["uid"]]


# --------------------------------------------------------------------------------------------------
# injections
# --------------------------------------------------------------------------------------------------


def flip_side(sent: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(1)
        new = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new

    return SIDE.sub(rep, sent)


def inject_laterality(c: Case, rng: random.Random) -> str | None:
    pairs = list(c.lat_pairs)
    if not pairs:
        return None
    fi, ii, side = rng.choice(pairs)
    fs, isn = c.findings[fi][1], c.impression[ii][1]
    if sides(fs) != [side] or sides(isn) != [side]:
        return None
    where = rng.choice(["findings", "impression"])
    if where == "findings":
        c.findings[fi][1] = flip_side(fs)
        return f"flipped {side} in findings sentence: '{fs}' -> '{c.findings[fi][1]}'"
    c.impression[ii][1] = flip_side(isn)
    return f"flipped {side} in impression sentence: '{isn}' -> '{c.impression[ii][1]}'"


ASSERT = {
    "effusion": ["{Side} pleural effusion.", "Moderate {side} pleural effusion.", "Bilateral pleural effusions."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "heart": ["Cardiomegaly.", "The heart is enlarged."],
    "consolidation": [
        "{Side} lower zone consolidation.",
        "Patchy {side} basal consolidation, ?infection.",
        "{Side} lower lobe pneumonia.",
    ],
}


def inject_negation_assert(c: Case, rng: random.Random) -> str | None:
    """IMPRESSION asserts a finding the FINDINGS negate."""
    topics = list(c.neg_topics)
    if not topics:
        return None
    topic = rng.choice(topics)
    side = rng.choice(["left", "right"])
    if c.lat_pairs:  # keep sides consistent with the main finding so only one error is present
        side = c.lat_pairs[0][2]
    phr = rng.choice(ASSERT[topic]).format(side=side, Side=_sd(side))
    if topic == "consolidation" and c.uk:
        phr = phr.replace("lower lobe", "lower zone")
    normal = c.normal_imp or impression_is_normal([s for t, s in c.impression if t != "cat"])
    if normal:
        c.impression = [["main", phr]]
        how = "normal impression replaced by"
    else:
        pos = rng.choice([0, len([1 for t, _ in c.impression if t != "cat"])])
        c.impression.insert(pos, ["inj", phr])
        how = "impression given"
    ev = {
        "effusion": "no effusion",
        "pneumothorax": "no pneumothorax",
        "heart": "normal heart size",
        "consolidation": "clear lungs / no consolidation",
    }[topic]
    return f"{how} '{phr}' while findings state {ev}"


def inject_negation_deny(c: Case, rng: random.Random) -> str | None:
    """IMPRESSION negates the main finding the FINDINGS affirm."""
    if not c.main_neg:
        return None
    idx = [i for i, (t, _) in enumerate(c.impression) if t == "main"]
    if not idx:
        return None
    i = idx[0]
    old = c.impression[i][1]
    c.impression[i] = ["inj", c.main_neg]
    c.impression = [x for x in c.impression if x[0] != "cat"]
    return f"impression sentence '{old}' replaced by '{c.main_neg}' though the findings affirm it"


def inject_omission(c: Case, rng: random.Random, mode: str) -> str | None:
    if mode == "normal":
        old = " ".join(s for _, s in c.impression)
        phr = rng.choice(OMIT_NORMAL)
        c.impression = [["inj", phr]]
        return f"impression '{old}' replaced by normal statement '{phr}'"
    others = [x for x in c.impression if x[0] == "extra"]
    if not others:
        return None
    dropped = [s for t, s in c.impression if t != "extra"]
    c.impression = others
    return "impression lists only other findings; dropped: " + " | ".join(dropped)


PH_TOKENS = ["[***]", "[ ]", "***", "<<size>>", "[size]", "XX", "[SIDE]", "<<side>>", "[left/right]", "[ *** ]"]


def inject_placeholder(c: Case, rng: random.Random) -> str | None:
    options = []
    for sec, items in (("findings", c.findings), ("impression", c.impression)):
        for i, (_, s) in enumerate(items):
            if re.search(r"\b\d+(\.\d+)? (cm|mm)\b", s):
                options.append((sec, i, "num"))
            if re.search(r"\b(small|moderate|large|mild|minimal|Moderate|Large|Small|Mild)\b", s):
                options.append((sec, i, "size"))
            if SIDE.search(s) and len(sides(s)) == 1:
                options.append((sec, i, "side"))
            if re.search(r"\bnormal\b(?! limits)", s) and sec == "findings":
                options.append((sec, i, "normal"))
    if c.source == "composed" and any(t == "cat" for t, _ in c.impression):
        options.append(("impression", -1, "cat"))
    if not options or rng.random() < 0.25:
        options = [("header", -1, "comparison"), ("header", -1, "clinical")]
    sec, i, what = rng.choice(options)
    if what == "comparison":
        tok = rng.choice(["[date of previous film]", "<<comparison>>", "[***]", "[insert date]"])
        old = c.comparison or "(none)"
        c.comparison = ("Comparison: " if c.uk else "COMPARISON: ") + tok
        return f"comparison line '{old}' left as template field '{tok}'"
    if what == "clinical":
        tok = rng.choice(["[clinical details]", "<<indication>>", "[ ]", "***"])
        old = c.clinical
        c.clinical = tok
        return f"clinical details '{old}' left as template field '{tok}'"
    if what == "cat":
        j = [k for k, (t, _) in enumerate(c.impression) if t == "cat"][0]
        tok = rng.choice(["[CVCX category]", "[ ]", "<<category>>"])
        old = c.impression[j][1]
        c.impression[j][1] = ("BSTI category: " if c.uk else "RSNA category: ") + tok
        return f"category line '{old}' left unfilled as '{tok}'"
    items = c.findings if sec == "findings" else c.impression
    s = items[i][1]
    if what == "num":
        tok = rng.choice(["XX", "[***]", "<<size>>", "[ ]"])
        new = re.sub(r"\b\d+(\.\d+)?(?= (cm|mm)\b)", tok, s, count=1)
    elif what == "size":
        tok = rng.choice(["[size]", "<<size>>", "[***]", "[small/moderate/large]"])
        new = re.sub(r"\b(small|moderate|large|mild|minimal|Moderate|Large|Small|Mild)\b", tok, s, count=1)
    elif what == "side":
        tok = rng.choice(["[SIDE]", "<<side>>", "[left/right]", "[***]"])
        new = SIDE.sub(tok, s, count=1)
    else:
        tok = rng.choice(["[normal/enlarged]", "[***]", "[ ]"])
        new = re.sub(r"\bnormal\b(?! limits)", tok, s, count=1)
    items[i][1] = new
    return f"in {sec}: '{s}' -> '{new}'"


# --------------------------------------------------------------------------------------------------
# IU candidate pools
# --------------------------------------------------------------------------------------------------


def iu_lat_pairs(fs: list[str], is_: list[str]) -> list[tuple[int, int, str]]:
    """(findings idx, impression idx, side) where both sentences state one side about an abnormality and the
    section not flipped never names the other side."""
    out = []
    abn = ["effusion", "pneumothorax", "consolidation", "opacity", "nodule", "oedema"]
    f_all, i_all = " ".join(fs), " ".join(is_)
    for ii, s in enumerate(is_):
        si = sides(s)
        if len(si) != 1 or not any(affirmed(s, f) or (has_family(s, f) and not negated(s, f)) for f in abn):
            continue
        if re.search(r"bilateral|both", s, re.I):
            continue
        for fi, t in enumerate(fs):
            if sides(t) != si or re.search(r"bilateral|both|middle lobe|lingul", t + " " + s, re.I):
                continue
            if not any(has_family(t, f) and not negated(t, f) for f in abn):
                continue
            other = "left" if si[0] == "right" else "right"
            if other in sides(f_all) or other in sides(i_all):
                continue
            out.append((fi, ii, si[0]))
    return out


def iu_sig(fs: list[str], is_: list[str]) -> list[str]:
    """Significant families affirmed in the findings and mentioned in the impression."""
    fams = []
    for fam in SIGNIFICANT:
        if any(significant_affirmed(s, fam) for s in fs) and any(has_family(s, fam) for s in is_):
            fams.append(fam)
    return fams


def iu_neg_topics(fs: list[str]) -> list[str]:
    topics = []
    for s in fs:
        if negated(s, "effusion") and "effusion" not in topics:
            topics.append("effusion")
        if negated(s, "pneumothorax") and "pneumothorax" not in topics:
            topics.append("pneumothorax")
        if HEART_NORMAL.search(s) and "heart" not in topics:
            topics.append("heart")
        if (LUNGS_CLEAR.search(s) or negated(s, "consolidation")) and "consolidation" not in topics:
            topics.append("consolidation")
    if any(affirmed(s, f) for s in fs for f in ("consolidation", "opacity")) and "consolidation" in topics:
        topics.remove("consolidation")
    if any(has_family(s, "cardiomegaly") for s in fs) and "heart" in topics:
        topics.remove("heart")
    return topics


NEG_OF = {
    "effusion": "No pleural effusion.",
    "pneumothorax": "No pneumothorax.",
    "consolidation": "The lungs are clear.",
    "oedema": "No pulmonary oedema.",
    "nodule": "No pulmonary nodule or mass.",
    "mediastinum": "Normal mediastinal contours.",
    "free_air": "No free subdiaphragmatic gas.",
}


# --------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------


_SP_MEMO: dict[str, tuple[list[str], list[str]]] = {}


def _row(seed: int, k: int, kind: str | None, detail: str, report: str) -> dict:
    return {"id": f"h169-{seed}-{k}", "injected": kind, "detail": detail, "report": report}


def _iu_detail(c: Case, what: str) -> str:
    return f"IU {c.uid}: " + "; ".join(c.notes + [what])


def _composed_detail(c: Case, what: str) -> str:
    return f"composed ({c.scenario}, {'UK' if c.uk else 'US'} {c.layout}): {what}"


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h169:{seed}")
    dev = dev_uids()
    dev_set = {u: True for u in dev}
    pool = [r for r in load_iu() if r["uid"] not in dev_set and iu_eligible(r)]
    rng.shuffle(pool)
    used: dict[str, bool] = {}

    def take(pred) -> dict:
        for r in pool:
            if r["uid"] in used:
                continue
            if pred(r):
                used[r["uid"]] = True
                return r
        raise RuntimeError("IU pool exhausted")

    def sp(r: dict) -> tuple[list[str], list[str]]:
        if r["uid"] not in _SP_MEMO:
            _SP_MEMO[r["uid"]] = (split_sentences(r["findings"]), split_sentences(r["impression"]))
        return _SP_MEMO[r["uid"]]

    items: list[tuple[str | None, str, str]] = []  # (kind, detail, report)

    # ---------------- clean ----------------
    for j in range(N_CLEAN // 2):
        c = compose(rng)
        dress(c, rng)
        if j % 12 == 5:
            # impression-only short report: the impression itself describes the findings (not an error)
            negs = [s for t, s in c.findings if re.match(r"(No |Normal |Heart size)", s)]
            c.impression = [x for x in c.impression if x[0] != "cat"] + [["bg", s] for s in negs[:2]]
            if c.layout == "structured":
                c.layout = "uk_plain" if c.uk else "us_caps"
            items.append(
                (
                    None,
                    _composed_detail(c, "clean, impression-only report (no FINDINGS section)"),
                    render(c, rng, "findings_absent"),
                )
            )
            continue
        items.append((None, _composed_detail(c, "clean"), render(c, rng)))
    for j in range(N_CLEAN // 2):
        want_abnormal = j % 3 == 0

        def ok(r: dict, want_abnormal: bool = want_abnormal) -> bool:
            if not iu_clean_ok(r):
                return False
            return impression_is_normal(sp(r)[1]) != want_abnormal

        r = take(ok)
        c = iu_case(r, rng)
        items.append((None, _iu_detail(c, "clean, content unchanged"), render(c, rng)))

    # ---------------- missing_section ----------------
    modes = ["findings_empty", "impression_empty", "impression_removed", "impression_signature"]
    for j in range(N_PER_KIND // 2):
        c = compose(rng)
        dress(c, rng)
        mode = modes[j % 4]
        items.append(("missing_section", _composed_detail(c, f"{mode.replace('_', ' ')}"), render(c, rng, mode)))
    for j in range(N_PER_KIND // 2):
        r = take(iu_clean_ok)
        c = iu_case(r, rng)
        mode = modes[(j + 1) % 4]
        items.append(("missing_section", _iu_detail(c, f"{mode.replace('_', ' ')}"), render(c, rng, mode)))

    # ---------------- laterality_conflict ----------------
    for _j in range(N_PER_KIND // 2):
        while True:
            c = compose(rng, "lat")
            d = inject_laterality(c, rng)
            if d:
                break
        dress(c, rng)
        items.append(("laterality_conflict", _composed_detail(c, d), render(c, rng)))
    for _j in range(N_PER_KIND // 2):
        r = take(lambda r: iu_clean_ok(r) and bool(iu_lat_pairs(*sp(r))))
        c = iu_case(r, rng)
        fs, is_ = [s for _, s in c.findings], [s for _, s in c.impression if True]
        c.lat_pairs = iu_lat_pairs(fs, is_)
        d = inject_laterality(c, rng)
        if d is None:
            raise RuntimeError("laterality injection failed on " + c.uid)
        items.append(("laterality_conflict", _iu_detail(c, d), render(c, rng)))

    # ---------------- negation_conflict ----------------
    for j in range(N_PER_KIND // 2):
        while True:
            if j % 2 == 0:
                c = compose(rng, "")
                d = inject_negation_assert(c, rng)
            else:
                c = compose(rng, "negmain")
                d = inject_negation_deny(c, rng)
            if d:
                break
        dress(c, rng)
        items.append(("negation_conflict", _composed_detail(c, d), render(c, rng)))
    for j in range(N_PER_KIND // 2):
        if j % 2 == 0:
            r = take(lambda r: iu_clean_ok(r) and impression_is_normal(sp(r)[1]) and bool(iu_neg_topics(sp(r)[0])))
            c = iu_case(r, rng)
            c.neg_topics = iu_neg_topics([s for _, s in c.findings])
            c.normal_imp = True
            d = inject_negation_assert(c, rng)
        else:
            r = take(lambda r: iu_clean_ok(r) and bool(iu_sig(*sp(r))))
            c = iu_case(r, rng)
            fs = [s for _, s in c.findings]
            fam = iu_sig(fs, [s for _, s in c.impression])[0]
            k = [i for i, (_, s) in enumerate(c.impression) if has_family(s, fam)][0]
            old = c.impression[k][1]
            c.impression[k] = ["inj", NEG_OF[fam]]
            # drop any other impression sentence about the same finding
            c.impression = [x for i, x in enumerate(c.impression) if i == k or not has_family(x[1], fam)]
            d = f"impression sentence '{old}' replaced by '{NEG_OF[fam]}' though the findings affirm {fam}"
        if d is None:
            raise RuntimeError("negation injection failed on " + c.uid)
        items.append(("negation_conflict", _iu_detail(c, d), render(c, rng)))

    # ---------------- impression_omits_finding ----------------
    for j in range(N_PER_KIND // 2):
        mode = "normal" if j % 2 == 0 else "others"
        while True:
            c = compose(rng, "sig" if mode == "normal" else "extra")
            d = inject_omission(c, rng, mode)
            if d:
                break
        dress(c, rng)
        items.append(("impression_omits_finding", _composed_detail(c, d), render(c, rng)))
    for j in range(N_PER_KIND // 2):
        want_others = j % 2 == 1

        def omit_ok(r: dict, want_others: bool = want_others) -> bool:
            if not iu_clean_ok(r):
                return False
            fs, is_ = sp(r)
            fams = iu_sig(fs, is_)
            if not fams or STABLE_WORDS.search(r["impression"]):
                return False
            if any(STABLE_WORDS.search(s) for s in fs if any(has_family(s, f) for f in fams)):
                return False
            if not want_others:
                return True
            rest = [s for s in is_ if not any(has_family(s, f) for f in fams) and not is_normal_statement(s)]
            rest = [s for s in rest if not any(has_family(s, f) for f in ("consolidation", "opacity", "effusion"))]
            return bool(rest) and not any(NEG_CUE.search(s) for s in rest)

        r = take(omit_ok)
        c = iu_case(r, rng)
        fs, is_ = [s for _, s in c.findings], [s for t, s in c.impression]
        fams = iu_sig(fs, is_)
        if want_others:
            keep = [
                x
                for x in c.impression
                if not any(has_family(x[1], f) for f in fams)
                and not any(has_family(x[1], f) for f in ("consolidation", "opacity", "effusion"))
            ]
            dropped = [x[1] for x in c.impression if x not in keep]
            c.impression = keep
            d = f"impression keeps only other findings; dropped ({', '.join(fams)}): " + " | ".join(dropped)
        else:
            old = " ".join(is_)
            phr = rng.choice(OMIT_NORMAL)
            c.impression = [["inj", phr]]
            d = f"impression '{old}' replaced by normal statement '{phr}' ({', '.join(fams)} in findings)"
        items.append(("impression_omits_finding", _iu_detail(c, d), render(c, rng)))

    # ---------------- placeholder ----------------
    for _j in range(N_PER_KIND // 2):
        c = compose(rng)
        dress(c, rng)
        d = inject_placeholder(c, rng)
        items.append(("placeholder", _composed_detail(c, d or ""), render(c, rng)))
    for _j in range(N_PER_KIND // 2):
        r = take(iu_clean_ok)
        c = iu_case(r, rng)
        d = inject_placeholder(c, rng)
        items.append(("placeholder", _iu_detail(c, d or ""), render(c, rng)))

    order = list(range(len(items)))
    rng.shuffle(order)
    return [_row(seed, k, *items[i]) for k, i in enumerate(order)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            comp = [r for r in rows if r["injected"] == kind and not r["detail"].startswith("IU ")]
            iu = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ")]
            picks = []
            for n in range(a.show):
                src = comp if n % 2 == 0 else iu
                if n // 2 < len(src):
                    picks.append(src[n // 2])
            for r in picks:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
