"""Held-out report-check set 107, written blind.

Setting: a big-city US safety-net county hospital emergency department and its
observation unit (uninsured and Medicaid adults presenting with chest pain,
shortness of breath, cough, fever, assault and falls, substance use,
homelessness). Chest radiographs are read first by radiology residents
(preliminary reads) and finalised by attendings, so the reports carry exam
lines, clinical history, comparison, technique, findings, impression (now and
then "conclusion"), and resident/attending sign-off lines in US spelling.

400 cases: 200 clean (``injected`` null) and 40 each of ``missing_section``,
``laterality_conflict``, ``negation_conflict``, ``impression_omits_finding``
and ``placeholder``. Half of every group is composed from a phrase bank of
that setting; half are real Indiana University (Open-i) reports, never one
whose uid is in the development set, re-laid-out and lightly re-worded in the
setting's style. ``XXXX`` is the collection's de-identification mask and is
kept as is; it is never a placeholder.

Usage: ``python -m bench.make_heldout107 OUT.jsonl --seed S [--show N]``.
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_KIND = 40

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def dev_uids(shared: Path) -> set[str]:
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_iu(shared: Path) -> list[dict]:
    """Read the Open-i XML archive once; return dicts sorted by uid."""
    path = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            u = root.find("uId")
            if u is None:
                continue
            d = {"uid": u.get("id")}
            for a in root.iter("AbstractText"):
                d[(a.get("Label") or "").lower()] = " ".join((a.text or "").split())
            out.append(d)
    out.sort(key=lambda d: d["uid"])
    return out


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right|Left|Right|LEFT|RIGHT)\b")


def flip_sides(text: str) -> str:
    sw = {"left": "right", "right": "left", "Left": "Right", "Right": "Left",
          "LEFT": "RIGHT", "RIGHT": "LEFT"}
    return SIDE_RE.sub(lambda m: sw[m.group(1)], text)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


NEG_RE = re.compile(
    r"\b(no|not|without|negative|clear|resolved|resolution|free of|absence|"
    r"removed|previously|prior|cannot|exclude|excluded|rule out|r/o)\b", re.I)

GROUPS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|infiltrat|air ?space (disease|opacit)",
    "edema": r"edema|congestion|\bchf\b|vascular congestion",
    "effusion": r"effusion",
    "cardiomegaly": r"cardiomegaly|heart (size )?is enlarged|enlarged (heart|cardiac)|"
                    r"cardiac silhouette is enlarged|heart is enlarged",
    "mass": r"\bnodul|\bmass(es)?\b",
    "widened": r"widen",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal",
    "fracture": r"fracture",
}
SIG_GROUPS = ("pneumothorax", "consolidation", "edema", "widened", "freeair")


def group_hits(sent: str) -> set[str]:
    low = sent.lower()
    return {g for g, pat in GROUPS.items() if re.search(pat, low)}


def affirmed_groups(text: str) -> set[str]:
    out = set()
    for s in sentences(text):
        if not NEG_RE.search(s):
            out |= group_hits(s)
    return out


def negated_groups(text: str) -> set[str]:
    out = set()
    for s in sentences(text):
        if re.search(r"\b(no|without|negative for)\b", s, re.I):
            out |= group_hits(s)
    return out


# ---------------------------------------------------------------------------
# setting bank: headers, histories, sign-offs
# ---------------------------------------------------------------------------

EXAM_2V = [
    "XR CHEST 2 VIEWS (PA AND LATERAL)",
    "XR CHEST PA AND LATERAL",
    "CHEST 2 VIEWS",
    "CR CHEST PA/LAT",
    "XR CHEST 2V",
]
EXAM_1V = [
    "XR CHEST 1 VIEW PORTABLE",
    "XR CHEST PORTABLE AP",
    "CHEST 1 VIEW (PORTABLE)",
    "CR CHEST AP PORTABLE",
]
TECH_2V = [
    "PA and lateral views of the chest.",
    "Frontal and lateral radiographs of the chest were obtained.",
    "Two views of the chest, PA and lateral.",
    "Upright PA and lateral chest radiographs.",
]
TECH_1V = [
    "Single portable AP view of the chest.",
    "Portable semi-upright AP radiograph of the chest.",
    "Single frontal view of the chest obtained at bedside in the ED.",
    "AP portable upright view of the chest.",
]
EXAM_HDR = ["EXAM:", "EXAMINATION:", "PROCEDURE:", "STUDY:"]
HIST_HDR = ["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "REASON FOR EXAM:",
            "CLINICAL INDICATION:"]
COMP_NONE = ["None.", "None available.", "No prior studies available.", "None."]
COMP_PRIOR = [
    "Chest radiograph XXXX.",
    "XXXX (prior ED visit).",
    "Prior chest x-ray dated XXXX.",
    "PA and lateral chest XXXX.",
    "Portable chest XXXX.",
]
AGE = ["XXXX-year-old", "XXXX yo", "XXXX y/o"]
SEX = ["M", "F", "male", "female", "man", "woman"]

HIST_GENERAL = [
    "chest pain", "CP, r/o acute process", "SOB", "shortness of breath",
    "cough x 3 days", "cough, fever", "fever, cough, r/o PNA", "productive cough x 1 week",
    "dyspnea on exertion", "pleuritic chest pain", "CP, ETOH intoxication",
    "chest pain after cocaine use", "homeless, cough x 3 weeks, r/o TB",
    "positive PPD, shelter clearance", "cough, night sweats, weight loss",
    "hemoptysis", "tachycardia, r/o pneumonia", "SOB, hx asthma", "COPD exacerbation",
    "fall from standing, ETOH", "found down, altered mental status", "syncope",
    "palpitations", "hypoxia", "fever, HIV", "chest tightness",
    "weakness, r/o infection", "sickle cell disease, chest pain",
]
HIST_TRAUMA = [
    "assault, {side} chest wall pain", "fall, {side} rib pain",
    "punched in the chest, {side} sided pain", "fall down stairs, {side} chest pain",
    "{side} rib tenderness after assault", "MVC, {side} chest wall pain",
]
HIST_CHF = [
    "SOB, missed dialysis", "SOB, leg swelling", "hx CHF, dyspnea",
    "ESRD, shortness of breath", "orthopnea, LE edema",
]
HIST_INTUB = [
    "intubated for overdose, ETT placement", "post intubation, altered mental status",
    "ETT check, intubated for airway protection",
]

SIGNOFF = [
    "I have personally reviewed the images and agree with the resident's "
    "preliminary interpretation.\nAttending Radiologist: XXXX, MD",
    "Preliminary report by resident physician XXXX, MD.\n"
    "Final report electronically signed by XXXX, MD (Attending) on XXXX.",
    "Resident: XXXX, MD\nAttending: XXXX, MD\n"
    "I have reviewed the images and agree with the findings as stated.",
    "Dictated by: XXXX, MD (Radiology Resident)\nSigned by: XXXX, MD",
    "Attending addendum: I have reviewed the study and concur with the above.\n"
    "Electronically signed: XXXX, MD",
    "This study was interpreted by a radiology resident and reviewed by the "
    "attending radiologist, who agrees with the report.",
    "Reviewed and finalized by attending radiologist XXXX, MD.",
]

NORMAL_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary disease.",
    "No acute intrathoracic abnormality.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "No acute cardiopulmonary findings.",
]
NORMAL_IMP_CLEAN = NORMAL_IMP + ["Normal chest radiograph.", "Negative chest.",
                                 "No acute cardiopulmonary process. Normal chest."]

# ---------------------------------------------------------------------------
# own phrase bank: normal components and findings
# ---------------------------------------------------------------------------

NORM = {
    "lungs": [
        "The lungs are clear.",
        "Lungs are clear bilaterally without focal consolidation.",
        "No focal airspace opacity.",
        "The lungs are well expanded and clear.",
        "Clear lungs. No focal consolidation.",
    ],
    "pleura": [
        "No pleural effusion or pneumothorax.",
        "No pneumothorax or pleural effusion.",
        "There is no pleural effusion or pneumothorax.",
        "No effusion or pneumothorax.",
    ],
    "heart": [
        "Heart size is normal.",
        "Cardiomediastinal silhouette is within normal limits.",
        "Normal cardiomediastinal silhouette.",
        "The heart is normal in size. Mediastinal contours are unremarkable.",
        "The cardiac and mediastinal contours are normal.",
    ],
    "bones": [
        "No acute osseous abnormality.",
        "Visualized osseous structures are intact.",
        "No acute bony abnormality.",
        "No acute fracture identified.",
        "Bony thorax is intact.",
    ],
}
NORM_VASC = ["Pulmonary vascularity is normal.", "No pulmonary edema.",
             "No pulmonary vascular congestion."]
COMP_ORDER = ["lines", "lungs", "pleura", "heart", "bones"]
STRUCT_LABEL = {"lines": "Lines/tubes:", "lungs": "Lungs:", "pleura": "Pleura:",
                "heart": "Heart and mediastinum:", "bones": "Bones/soft tissues:"}


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def make_item(rng: random.Random, name: str, side: str, prior: bool) -> dict:
    """A finding of the bank: component texts, impression line, flags.

    Text fields are templates with {side}/{Side} so a flip can re-render them."""
    lobe = rng.choice(["lower lobe", "lower lobe", "upper lobe", "base"])
    it = {"name": name, "side": side, "sig": False, "imp_needed": False,
          "lateral": True, "hist": None, "portable": False, "comp": {}, "imp": None}
    if name == "pneumonia":
        where = f"{{side}} {lobe}"
        new = " new since the prior study," if prior and rng.random() < 0.5 else ""
        it["comp"]["lungs"] = rng.choice([
            f"Patchy airspace opacity in the {where},{new} concerning for pneumonia. "
            "The lungs are otherwise clear.",
            f"There is focal consolidation in the {where}.{' This is new.' if new else ''} "
            "Remaining lungs are clear.",
            f"Ill-defined airspace disease at the {{side}} lung base{',' + new if new else ''} "
            "most consistent with pneumonia.",
        ])
        it["imp"] = rng.choice([
            f"{{Side}} {lobe} pneumonia.",
            f"Airspace consolidation in the {where}, compatible with pneumonia in the "
            "appropriate clinical setting. Recommend follow-up radiographs after "
            "treatment to document resolution.",
            "Findings concerning for {side} basilar pneumonia.",
            f"{{Side}} {lobe} consolidation, likely pneumonia.",
        ])
        it["sig"] = it["imp_needed"] = True
        it["neg_imp"] = rng.choice(["No focal consolidation.", "No pneumonia.",
                                    "Lungs are clear."])
    elif name == "ptx":
        size = rng.choice(["small", "small", "tiny", "moderate"])
        it["comp"]["pleura"] = rng.choice([
            f"There is a {size} {{side}} apical pneumothorax. No pleural effusion.",
            f"{cap(size)} {{side}} pneumothorax measuring approximately "
            f"{rng.choice(['1', '1.5', '2', '2.5'])} cm at the apex, without mediastinal "
            "shift. No effusion.",
            f"Thin visceral pleural line at the {{side}} apex consistent with a {size} "
            "pneumothorax. No pleural effusion.",
        ])
        it["imp"] = rng.choice([
            f"{cap(size)} {{side}} pneumothorax. Findings were called to the ED physician "
            "by the resident at XXXX.",
            f"{cap(size)} {{side}} apical pneumothorax without tension.",
            f"{{Side}} pneumothorax, {size}. Preliminary findings discussed with Dr. XXXX "
            "in the ED.",
        ])
        it["sig"] = it["imp_needed"] = True
        it["hist"] = rng.choice(HIST_TRAUMA)
        it["neg_imp"] = "No pneumothorax."
    elif name == "ribfx":
        r1 = rng.choice([4, 5, 6, 7, 8])
        it["comp"]["bones"] = rng.choice([
            f"Acute minimally displaced fractures of the {{side}} {r1}th and {r1 + 1}th "
            "lateral ribs.",
            f"Nondisplaced fracture of the {{side}} {r1}th posterior rib.",
            f"Acute fracture of the {{side}} {r1}th anterolateral rib.",
        ])
        it["imp"] = rng.choice([
            "Acute {side} rib fracture(s) as described. No pneumothorax.",
            f"{{Side}} {r1}th rib fracture. No pneumothorax or pleural effusion.",
        ])
        it["imp_needed"] = True
        it["hist"] = rng.choice(HIST_TRAUMA)
        it["neg_imp"] = "No acute fracture."
    elif name == "oldribfx":
        it["comp"]["bones"] = rng.choice([
            "Healed {side} rib fractures.",
            "Old healed fractures of the {side} lateral ribs. No acute fracture.",
            "Remote healed {side} clavicle fracture.",
        ])
        it["imp"] = "Old healed {side} rib fractures." if rng.random() < 0.3 else None
    elif name == "smalleff":
        it["comp"]["pleura"] = rng.choice([
            "Small {side} pleural effusion. No pneumothorax.",
            "Blunting of the {side} costophrenic angle, likely a small effusion. "
            "No pneumothorax.",
            "Trace {side} pleural effusion. No pneumothorax.",
        ])
        it["imp"] = "Small {side} pleural effusion." if rng.random() < 0.6 else None
        it["neg_imp"] = "No pleural effusion."
    elif name == "bigeff":
        inc = prior and rng.random() < 0.5
        it["comp"]["pleura"] = rng.choice([
            "Moderate {side} pleural effusion with adjacent compressive atelectasis. "
            "No pneumothorax.",
            "Large {side} pleural effusion layering to the mid hemithorax. No pneumothorax.",
        ]).replace(". No", ", increased from prior. No" if inc else ". No", 1)
        it["imp"] = rng.choice([
            "Moderate to large {side} pleural effusion.",
            "{Side} pleural effusion, moderate in size" + (", increased." if inc else "."),
        ])
        it["sig"] = it["imp_needed"] = True
        it["neg_imp"] = "No pleural effusion."
    elif name == "edema":
        it["lateral"] = False
        it["comp"]["heart"] = rng.choice(["The heart is enlarged.", "Cardiomegaly.",
                                          "Moderate cardiomegaly."])
        it["comp"]["lungs"] = rng.choice([
            "Pulmonary vascular congestion with interstitial edema. No focal consolidation.",
            "Cephalization of pulmonary vasculature and bilateral interstitial opacities "
            "with Kerley B lines, consistent with interstitial edema.",
            "Diffuse interstitial prominence and perihilar haziness, consistent with "
            "pulmonary edema.",
        ])
        it["comp"]["pleura"] = rng.choice([
            "Small bilateral pleural effusions. No pneumothorax.",
            "No pleural effusion or pneumothorax.",
        ])
        it["imp"] = rng.choice([
            "Cardiomegaly with pulmonary edema, compatible with volume overload/CHF.",
            "Findings consistent with CHF: cardiomegaly and interstitial pulmonary edema.",
            "Pulmonary edema and cardiomegaly.",
        ])
        it["sig"] = it["imp_needed"] = True
        it["hist"] = rng.choice(HIST_CHF)
        it["neg_imp"] = "No pulmonary edema."
    elif name == "cardiomegaly":
        it["lateral"] = False
        it["comp"]["heart"] = rng.choice([
            "Mild cardiomegaly." + (" Unchanged." if prior else ""),
            "The heart is mildly enlarged." + (" Stable from prior." if prior else ""),
            "Borderline enlarged cardiac silhouette.",
        ])
        it["imp"] = rng.choice(["Mild cardiomegaly.", "Mild cardiomegaly without edema."]) \
            if rng.random() < 0.5 else None
        it["neg_imp"] = "Heart size is normal."
    elif name == "atelectasis":
        it["comp"]["lungs"] = rng.choice([
            "Linear opacity at the {side} lung base, likely subsegmental atelectasis. "
            "Lungs otherwise clear.",
            "Mild {side} basilar atelectasis. No focal consolidation.",
            "Streaky {side} basilar opacity most consistent with atelectasis or scarring. "
            "No consolidation.",
        ])
        it["imp"] = "Mild {side} basilar atelectasis." if rng.random() < 0.5 else None
    elif name == "granuloma":
        it["comp"]["lungs"] = rng.choice([
            "Calcified granuloma in the {side} upper lobe. Lungs otherwise clear.",
            "Small calcified nodule in the {side} mid lung, consistent with a granuloma. "
            "No focal consolidation.",
        ])
        it["imp"] = None
    elif name == "nodule":
        mm = rng.choice([7, 8, 9, 10, 12, 14])
        it["comp"]["lungs"] = rng.choice([
            f"There is a {mm} mm nodular opacity projecting over the {{side}} mid lung. "
            "Lungs otherwise clear.",
            f"Rounded {mm} mm nodule in the {{side}} upper lobe. No consolidation.",
        ])
        it["imp"] = rng.choice([
            f"{mm} mm {{side}} pulmonary nodule. Recommend nonemergent CT chest for "
            "further evaluation.",
            f"{{Side}} lung nodule measuring {mm} mm; CT chest recommended on an outpatient "
            "basis.",
        ])
        it["sig"] = it["imp_needed"] = True
    elif name == "copd":
        it["lateral"] = False
        it["comp"]["lungs"] = rng.choice([
            "Lungs are hyperinflated with flattened hemidiaphragms, consistent with COPD. "
            "No focal consolidation.",
            "Hyperexpanded lungs with emphysematous changes. No focal airspace opacity.",
        ])
        it["imp"] = rng.choice(["COPD without acute cardiopulmonary process.",
                                "Hyperinflation. No acute cardiopulmonary process."]) \
            if rng.random() < 0.5 else None
    elif name == "tbscar":
        it["comp"]["lungs"] = rng.choice([
            "Fibronodular scarring and volume loss in the {side} upper lobe"
            + (", unchanged from prior." if prior else ".") + " No new consolidation.",
            "Calcified {side} apical pleural-parenchymal scarring. No cavitation or "
            "new airspace opacity.",
        ])
        it["imp"] = "Chronic {side} upper lobe scarring, likely sequela of prior " \
            "granulomatous infection. No evidence of active TB."
        it["hist"] = rng.choice(["homeless, cough x 3 weeks, r/o TB",
                                 "positive PPD, shelter clearance", "r/o active TB"])
    elif name == "ett":
        it["lateral"] = False
        it["portable"] = True
        cm = rng.choice(["3", "4", "4.5", "5"])
        it["comp"]["lines"] = rng.choice([
            f"Endotracheal tube tip approximately {cm} cm above the carina. Enteric tube "
            "courses below the diaphragm with tip out of view.",
            f"ETT terminates {cm} cm above the carina. OG tube tip in the stomach.",
        ])
        it["imp"] = rng.choice(["Endotracheal tube in satisfactory position.",
                                f"ETT tip {cm} cm above the carina."])
        it["imp_needed"] = True
        it["hist"] = rng.choice(HIST_INTUB)
    elif name == "cvc":
        it["portable"] = True
        it["comp"]["lines"] = rng.choice([
            "{Side} internal jugular central venous catheter with tip at the cavoatrial "
            "junction.",
            "{Side} IJ central line terminates in the low SVC.",
        ])
        it["imp"] = rng.choice(["{Side} IJ central venous catheter in satisfactory "
                                "position. No pneumothorax.",
                                "{Side} internal jugular line tip in the SVC. No "
                                "pneumothorax."])
        it["imp_needed"] = True
        it["hist"] = "central line placement"
    elif name == "widened":
        it["lateral"] = False
        it["portable"] = True
        it["comp"]["heart"] = rng.choice([
            "The superior mediastinum appears widened, measuring approximately 9 cm on "
            "this AP view. Heart size is normal.",
            "Widened mediastinal contour. Heart size within normal limits.",
        ])
        it["imp"] = "Widened mediastinum, which may be technical on this AP portable " \
            "view; recommend CT chest if there is clinical concern for aortic injury."
        it["sig"] = it["imp_needed"] = True
        it["hist"] = rng.choice(["MVC, chest pain", "fall from height, chest pain",
                                 "chest pain radiating to the back"])
        it["neg_imp"] = "Normal mediastinum."
    elif name == "freeair":
        it["lateral"] = False
        it["comp"]["bones"] = "Lucency beneath the right hemidiaphragm, consistent with " \
            "free intraperitoneal air. No acute osseous abnormality."
        it["imp"] = "Pneumoperitoneum. Findings communicated to the ED physician at XXXX."
        it["sig"] = it["imp_needed"] = True
        it["hist"] = rng.choice(["abdominal pain, r/o free air", "epigastric pain, vomiting"])
        it["neg_imp"] = "No free air under the diaphragm."
    elif name == "degen":
        it["lateral"] = False
        it["comp"]["bones"] = rng.choice([
            "Degenerative changes of the thoracic spine.",
            "Mild multilevel degenerative changes in the thoracic spine. No acute fracture.",
        ])
        it["imp"] = None
    elif name == "bullet":
        it["comp"]["bones"] = "Retained metallic ballistic fragment projecting over the " \
            "{side} chest wall soft tissues, likely chronic. No acute fracture."
        it["imp"] = None
    return it


def render_item(text: str, side: str) -> str:
    return text.replace("{side}", side).replace("{Side}", cap(side))


# composition weights for own reports: (items, weight)
OWN_CLEAN_MIX = [
    ([], 50), (["cardiomegaly"], 8), (["atelectasis"], 6), (["granuloma"], 5),
    (["copd"], 4), (["degen"], 4), (["oldribfx"], 3), (["tbscar"], 3),
    (["pneumonia"], 9), (["smalleff"], 3), (["edema"], 3), (["ribfx"], 3),
    (["ptx"], 2), (["ptx", "ribfx"], 1), (["ett"], 2), (["cvc"], 1), (["nodule"], 2),
    (["bigeff"], 1), (["bullet"], 1), (["pneumonia", "copd"], 2),
    (["cardiomegaly", "degen"], 2), (["widened"], 1),
]
SIG_MIX = [
    (["pneumonia"], 12), (["ptx"], 5), (["edema"], 6), (["bigeff"], 4), (["nodule"], 3),
    (["widened"], 1), (["freeair"], 1), (["pneumonia", "copd"], 2),
    (["ptx", "ribfx"], 2), (["pneumonia", "granuloma"], 2), (["edema", "degen"], 1),
]
LAT_MIX = [
    (["pneumonia"], 10), (["ptx"], 5), (["ribfx"], 4), (["bigeff"], 3), (["nodule"], 2),
    (["smalleff"], 2), (["atelectasis"], 2), (["cvc"], 2), (["tbscar"], 2),
    (["ptx", "ribfx"], 1),
]


def wchoice(rng: random.Random, mix):
    total = sum(w for _, w in mix)
    x = rng.uniform(0, total)
    for v, w in mix:
        x -= w
        if x <= 0:
            return list(v)
    return list(mix[-1][0])


class Case:
    """A report being composed: header fields, findings components, impression."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.portable = False
        self.hist = ""
        self.comp_text = ""
        self.findings_free = None  # free text findings (real reports)
        self.comps: dict[str, str] = {}
        self.imp_lines: list[str] = []
        self.layout = rng.choice(["a", "a", "b", "b", "c"])
        self.imp_hdr = rng.choice(["IMPRESSION:"] * 8 + ["CONCLUSION:", "IMPRESSION:"])
        self.number_imp = rng.random() < 0.5
        self.sign = rng.choice(SIGNOFF)
        self.drop = None  # "findings" | "impression" (header kept empty) | "imp_absent"
        self.exam = ""
        self.tech = ""
        self.exam_hdr = rng.choice(EXAM_HDR)
        self.hist_hdr = rng.choice(HIST_HDR)
        self.fill = {}

    def findings_text(self) -> str:
        if self.findings_free is not None:
            return self.findings_free
        parts = []
        for c in COMP_ORDER:
            if c in self.comps:
                if self.layout == "c":
                    parts.append(f"{STRUCT_LABEL[c]} {self.comps[c]}")
                else:
                    parts.append(self.comps[c])
        return ("\n" if self.layout == "c" else " ").join(parts)

    def impression_text(self) -> str:
        lines = self.imp_lines
        if self.number_imp and len(lines) > 1:
            return "\n".join(f"{i}. {s}" for i, s in enumerate(lines, 1))
        if self.number_imp:
            return "1. " + " ".join(lines)
        return " ".join(lines)

    def render(self) -> str:
        f = self.findings_text()
        imp = self.impression_text()
        out = []
        if self.layout == "b":
            out.append(self.exam)
        else:
            out.append(f"{self.exam_hdr} {self.exam}")
        out.append(f"{self.hist_hdr} {self.hist}")
        out.append(f"COMPARISON: {self.comp_text}")
        if self.layout != "b":
            out.append(f"TECHNIQUE: {self.tech}")
        sep = "\n" if self.layout == "c" else " "
        if self.drop == "findings":
            out.append("FINDINGS:")
        else:
            out.append(f"FINDINGS:{sep}{f}")
        if self.drop == "impression":
            out.append(self.imp_hdr)
        elif self.drop != "imp_absent":
            out.append(f"{self.imp_hdr}{sep if self.layout != 'b' else ' '}{imp}")
        out.append(self.sign)
        return "\n\n".join(out)


def set_header(case: Case, rng: random.Random, portable: bool, prior: bool,
               hist: str | None, side: str | None):
    case.portable = portable
    if portable:
        case.exam, case.tech = rng.choice(EXAM_1V), rng.choice(TECH_1V)
    else:
        case.exam, case.tech = rng.choice(EXAM_2V), rng.choice(TECH_2V)
    h = hist or rng.choice(HIST_GENERAL)
    h = h.replace("{side}", side or rng.choice(["left", "right"]))
    if rng.random() < 0.5:
        h = f"{rng.choice(AGE)} {rng.choice(SEX)}, {h}"
    elif rng.random() < 0.5:
        h = cap(h)
    case.hist = h if h.endswith(".") or rng.random() < 0.5 else h + "."
    case.comp_text = rng.choice(COMP_PRIOR) if prior else rng.choice(COMP_NONE)


def compose_own(rng: random.Random, names: list[str], prior: bool):
    side = rng.choice(["left", "right"])
    items = [make_item(rng, n, side if i == 0 else rng.choice(["left", "right"]), prior)
             for i, n in enumerate(names)]
    # ptx + ribfx go together on one side
    if names == ["ptx", "ribfx"]:
        items[1]["side"] = side
        items[1]["comp"]["bones"] = items[1]["comp"]["bones"]
        items[1]["imp"] = "Associated {side} rib fracture(s)."
    case = Case(rng)
    hist = next((it["hist"] for it in items if it["hist"]), None)
    portable = any(it["portable"] for it in items) or rng.random() < 0.2
    set_header(case, rng, portable, prior, hist, side)
    comps = {}
    for c in ("lungs", "pleura", "heart", "bones"):
        comps[c] = rng.choice(NORM[c])
    if rng.random() < 0.3:
        comps["heart"] += " " + rng.choice(NORM_VASC)
    if "lines" in case.__dict__:
        pass
    for it in items:
        for c, t in it["comp"].items():
            if c == "lines" and "lines" in comps:
                comps[c] += " " + t
            else:
                comps[c] = t
    if case.layout == "c" and "lines" not in comps and portable and rng.random() < 0.5:
        comps["lines"] = "None."
    # render with sides
    case.comps = {}
    for c, t in comps.items():
        owner = next((it for it in items if c in it["comp"] and it["comp"][c] == t), None)
        case.comps[c] = render_item(t, owner["side"] if owner else side)
    case.items = items
    imp = [render_item(it["imp"], it["side"]) for it in items if it["imp"]]
    sig_any = any(it["sig"] for it in items)
    if not imp:
        imp = [rng.choice(NORMAL_IMP if items else NORMAL_IMP_CLEAN)]
    elif not sig_any and rng.random() < 0.6:
        imp.append(rng.choice(["No acute cardiopulmonary process.",
                               "Otherwise no acute cardiopulmonary abnormality.",
                               "No acute cardiopulmonary disease."]))
    case.imp_lines = imp
    return case, items, side


def own_case(rng: random.Random, kind: str | None):
    prior = rng.random() < 0.4
    detail = ""
    if kind is None:
        case, items, side = compose_own(rng, wchoice(rng, OWN_CLEAN_MIX), prior)
    elif kind == "impression_omits_finding":
        names = wchoice(rng, SIG_MIX)
        case, items, side = compose_own(rng, names, prior)
        sig = next(it for it in items if it["sig"])
        others = [render_item(it["imp"], it["side"]) for it in items
                  if it["imp"] and not it["sig"]]
        if others and rng.random() < 0.7:
            case.imp_lines = others
            detail = f"impression lists only the minor findings and leaves out {sig['name']}"
        else:
            case.imp_lines = [rng.choice(NORMAL_IMP)]
            detail = f"normal impression macro pasted over the impression; findings " \
                f"describe {sig['name']}"
        if sig["name"] == "ptx" and "ribfx" in names:
            # the rib line says "No pneumothorax" in some variants: keep it free of that
            case.imp_lines = [s for s in case.imp_lines if "pneumothorax" not in s.lower()] \
                or [rng.choice(NORMAL_IMP)]
    elif kind == "laterality_conflict":
        names = wchoice(rng, LAT_MIX)
        case, items, side = compose_own(rng, names, prior)
        it = items[0]
        if not it["imp"]:
            it["imp"] = {"smalleff": "Small {side} pleural effusion.",
                         "atelectasis": "Mild {side} basilar atelectasis.",
                         "tbscar": "Chronic {side} upper lobe scarring."}[it["name"]]
        imp_line = render_item(it["imp"], it["side"])
        if imp_line not in case.imp_lines:
            case.imp_lines.insert(0, imp_line)
            case.imp_lines = [s for s in case.imp_lines if s not in NORMAL_IMP_CLEAN]
        other = "left" if it["side"] == "right" else "right"
        if rng.random() < 0.5:
            idx = case.imp_lines.index(imp_line)
            case.imp_lines[idx] = render_item(it["imp"], other)
            detail = f"impression puts the {it['name']} on the {other}; findings say " \
                f"{it['side']}"
        else:
            c = next(iter(it["comp"]))
            case.comps[c] = render_item(it["comp"][c], other)
            detail = f"findings put the {it['name']} on the {other}; impression says " \
                f"{it['side']}"
    elif kind == "negation_conflict":
        mode = rng.choice(["imp_asserts", "imp_asserts", "imp_negates", "f_normal_heart",
                           "imp_normal_heart"])
        if mode == "imp_asserts":
            case, items, side = compose_own(rng, wchoice(rng, [([], 6), (["degen"], 1),
                                                               (["granuloma"], 1)]), prior)
            s = rng.choice(["left", "right"])
            what = rng.choice(["effusion", "ptx", "pneumonia", "ribfx"])
            line = {
                "effusion": f"Small {s} pleural effusion.",
                "ptx": f"Small {s} apical pneumothorax.",
                "pneumonia": f"{cap(s)} lower lobe pneumonia.",
                "ribfx": f"Acute {s} {rng.choice([5, 6, 7])}th rib fracture.",
            }[what]
            if what == "ribfx":
                case.comps["bones"] = rng.choice(["No acute fracture identified.",
                                                  "No acute osseous abnormality.",
                                                  "No rib fracture identified."])
            if what == "pneumonia":
                case.comps["lungs"] = rng.choice(["The lungs are clear.",
                                                  "Lungs are clear bilaterally without "
                                                  "focal consolidation."])
            case.imp_lines = [line] + ([rng.choice(["Otherwise no acute cardiopulmonary "
                                                    "process."])] if rng.random() < 0.5
                                       else [])
            detail = f"impression asserts {what} ({s}) that the findings negate"
        elif mode == "imp_negates":
            names = wchoice(rng, [(["pneumonia"], 4), (["ptx"], 3), (["edema"], 2),
                                  (["bigeff"], 2), (["smalleff"], 1), (["ribfx"], 1)])
            case, items, side = compose_own(rng, names, prior)
            it = items[0]
            case.imp_lines = [it["neg_imp"]] + [rng.choice(NORMAL_IMP)] \
                if rng.random() < 0.6 else [rng.choice(NORMAL_IMP).rstrip(".") + ". "
                                            + it["neg_imp"]]
            detail = f"impression negates the {it['name']} described in the findings"
        elif mode == "f_normal_heart":
            case, items, side = compose_own(rng, [], prior)
            case.comps["heart"] = rng.choice(["Heart size is normal.",
                                              "The heart is normal in size.",
                                              "Normal heart size."])
            case.imp_lines = [rng.choice(["Cardiomegaly.", "Mild cardiomegaly.",
                                          "Enlarged cardiac silhouette."]),
                              "No acute cardiopulmonary process."]
            detail = "impression reports cardiomegaly; findings state normal heart size"
        else:
            case, items, side = compose_own(rng, ["cardiomegaly"], prior)
            case.comps["heart"] = rng.choice(["Moderate cardiomegaly.",
                                              "The cardiac silhouette is enlarged.",
                                              "Mild cardiomegaly."])
            case.imp_lines = [rng.choice(["Normal heart size. No acute cardiopulmonary "
                                          "process.", "Heart size within normal limits. "
                                          "Lungs clear."])]
            detail = "impression states normal heart size; findings describe cardiomegaly"
    elif kind == "missing_section":
        case, items, side = compose_own(rng, wchoice(rng, OWN_CLEAN_MIX), prior)
        r = rng.random()
        if r < 0.4:
            case.drop = "impression"
            detail = "impression header left empty"
        elif r < 0.7:
            case.drop = "imp_absent"
            detail = "impression section missing; report goes from findings to sign-off"
        else:
            case.drop = "findings"
            case.imp_lines = [rng.choice(["As above.", "No significant interval change.",
                                          "See findings.", "No acute cardiopulmonary "
                                          "process.", "Unchanged from prior."])]
            if case.imp_lines[0] in ("No significant interval change.",
                                     "Unchanged from prior."):
                case.comp_text = rng.choice(COMP_PRIOR)
            detail = "findings section left empty; impression does not describe the image"
    elif kind == "placeholder":
        case, items, side = compose_own(rng, wchoice(rng, OWN_CLEAN_MIX), prior)
        detail = own_placeholder(rng, case, items)
    return case.render(), detail


PH_TOKENS = ["***", "[***]", "[ ]", "[  ]", "<***>", "{ }", "[...]"]


def own_placeholder(rng: random.Random, case: Case, items) -> str:
    opts = ["hist", "comp", "number", "side", "word", "imp"]
    where = rng.choice(opts)
    tok = rng.choice(PH_TOKENS)
    if where == "hist":
        case.hist = rng.choice([tok, "[Reason for exam]", f"{case.hist.rstrip('.')} {tok}"])
        return f"clinical history left as template field: {case.hist}"
    if where == "comp":
        case.comp_text = rng.choice(["[date of prior]", f"Chest radiograph {tok}.",
                                     "[None/prior date]", tok])
        return f"comparison field not filled: {case.comp_text}"
    if where == "imp":
        if case.number_imp and len(case.imp_lines) >= 1:
            case.imp_lines.append(tok)
            return f"empty numbered impression item left: {tok}"
        case.imp_lines.append(rng.choice(["Recommend [follow-up].", f"{tok}"]))
        return "unfilled template field appended to impression"
    # modify findings text
    comp_keys = [k for k in case.comps if k != "lines"]
    if where == "number":
        for k in comp_keys:
            m = re.search(r"\b\d+(\.\d+)?(?= (cm|mm))", case.comps[k])
            if m:
                case.comps[k] = case.comps[k][:m.start()] + "***" + case.comps[k][m.end():]
                return f"measurement in {k} replaced by ***"
        where = "side"
    if where == "side":
        for k in comp_keys + ["lines"]:
            if k in case.comps and SIDE_RE.search(case.comps[k]):
                f = rng.choice(["[left/right]", "[***]", "***", "[side]"])
                case.comps[k] = SIDE_RE.sub(f, case.comps[k], count=1)
                return f"side in {k} left as field {f}"
        where = "word"
    k = rng.choice(comp_keys)
    toks = case.comps[k].split(" ")
    cand = [i for i, w in enumerate(toks) if re.fullmatch(r"[a-z]{4,}", w)]
    i = rng.choice(cand) if cand else 0
    old = toks[i]
    toks[i] = tok
    case.comps[k] = " ".join(toks)
    return f"word '{old}' in {k} replaced by {tok}"


# ---------------------------------------------------------------------------
# real IU reports
# ---------------------------------------------------------------------------

NORMAL_IMP_RE = re.compile(
    r"^(1\. )?(no (acute|active|evidence of (acute|active)|radiographic evidence)|"
    r"negative|normal chest|stable chest|no significant|unremarkable)", re.I)
NORMAL_MACRO_RE = re.compile(
    r"^(1\. )?no acute (cardiopulmonary|pulmonary|radiographic cardiopulmonary) "
    r"(abnormality|abnormalities|disease|findings?|process)\.?$", re.I)

HIST_ABBR = [
    (r"\bshortness of breath\b", "SOB"), (r"\bchest pain\b", "CP"),
    (r"\bpneumonia\b", "PNA"), (r"\brule out\b", "r/o"), (r"\bhistory of\b", "hx of"),
]
WORDING = [
    (r"\bCardio mediastinal\b", "Cardiomediastinal"), (r"\bcardio mediastinal\b",
                                                      "cardiomediastinal"),
    (r"\bair space\b", "airspace"), (r"\bx-XXXX\b", "x-ray"),
    (r"\bThere is no evidence of pneumothorax\b", "No pneumothorax"),
    (r"\bThere are no pleural effusions\b", "No pleural effusions"),
    (r"\bThere is no pleural effusion\b", "No pleural effusion"),
    (r"\bThere is no pneumothorax\b", "No pneumothorax"),
    (r"\bnormal limits\b", "normal limits"),
]


def tidy(text: str) -> str:
    text = re.sub(r"\s*\.\s*\.(\s*\.)*", ".", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


def reword(text: str, rng: random.Random) -> str:
    text = tidy(text)
    for pat, rep in WORDING:
        if rng.random() < 0.7:
            text = re.sub(pat, rep, text)
    return text


def real_ok(d: dict) -> bool:
    f, imp = d.get("findings", ""), d.get("impression", "")
    if not f or not imp or len(f) > 800 or len(imp) > 400 or len(f) < 40:
        return False
    if re.search(r"[\[\]*_<>{}]", f + imp + d.get("indication", "") +
                 d.get("comparison", "")):
        return False
    return True


def real_consistent(d: dict) -> bool:
    """Conservative screen for a real report a reviewer would sign."""
    f, imp = tidy(d["findings"]), tidy(d["impression"])
    fa, ia = affirmed_groups(f), affirmed_groups(imp)
    fn, inn = negated_groups(f), negated_groups(imp)
    if (ia & fn) - fa or (fa & inn) - ia:
        return False
    for g in fa:
        if g in SIG_GROUPS and g not in ia:
            return False
        if g == "effusion" and re.search(r"(moderate|large)[^.]*effusion", f, re.I) \
                and "effusion" not in ia:
            return False
        if g == "mass" and g not in ia:
            return False
        if g == "cardiomegaly" and g not in ia and re.search(
                r"(moderate|marked|severe)[^.]*(cardiomegaly|enlarge)", f, re.I):
            return False
    for s in sentences(f):
        if "fracture" in group_hits(s) and not NEG_RE.search(s) and not re.search(
                r"old|healed|healing|remote|chronic|unchanged|stable|callus|prior",
                s, re.I) and "fracture" not in ia:
            return False
    # side conflicts between sections for the same group
    for s in sentences(imp):
        gs = group_hits(s)
        sides = {w.lower() for w in SIDE_RE.findall(s)}
        if len(sides) != 1 or not gs:
            continue
        for t in sentences(f):
            tsides = {w.lower() for w in SIDE_RE.findall(t)}
            if gs & group_hits(t) and len(tsides) == 1 and tsides != sides:
                return False
    # new/increasing findings without prior comparison are fine but must be in impression
    if re.search(r"\b(new|increas)", f, re.I) and NORMAL_IMP_RE.search(imp) and \
            not re.search(r"no new|not new", f, re.I):
        return False
    return True


def real_is_normal(d: dict) -> bool:
    imp = tidy(d["impression"])
    return bool(NORMAL_IMP_RE.search(imp)) and not (affirmed_groups(imp) - {"fracture"})


def real_case(rng: random.Random, d: dict) -> Case:
    case = Case(rng)
    ind = tidy(d.get("indication", "")) or rng.choice(HIST_GENERAL)
    ind = re.sub(r"^(indication|history)\s*:\s*", "", ind, flags=re.I).rstrip(".;")
    if sum(c.isupper() for c in ind.replace("XXXX", "")) > 0.6 * max(
            1, sum(c.isalpha() for c in ind.replace("XXXX", ""))):
        ind = "XXXX".join(cap(p.lower()) if i == 0 else p.lower()
                          for i, p in enumerate(ind.split("XXXX")))
    for pat, rep in HIST_ABBR:
        if rng.random() < 0.6:
            ind = re.sub(pat, rep, ind, flags=re.I)
    portable = bool(re.search(r"\b(AP|portable|single (frontal|view))\b",
                              d.get("findings", ""), re.I))
    set_header(case, rng, portable, False, None, None)
    case.hist = ind + "."
    comp = tidy(d.get("comparison", ""))
    if not comp or re.fullmatch(r"none\.?", comp, re.I):
        case.comp_text = rng.choice(COMP_NONE)
    else:
        case.comp_text = comp if comp.endswith(".") else comp + "."
    if case.layout == "c":
        case.layout = rng.choice(["a", "b"])
    f = reword(d["findings"], rng)
    case.findings_free = f
    imp = reword(d["impression"], rng)
    if NORMAL_MACRO_RE.search(imp) and rng.random() < 0.6:
        imp = rng.choice(NORMAL_IMP)
    lines = [re.sub(r"^\d+\.\s*", "", s) for s in re.split(r"\s*(?=\b\d\.\s)", imp)
             if s.strip()]
    case.imp_lines = [s.strip() for s in lines if s.strip()]
    return case


LAT_WORDS = r"effusion|pneumothora|opacit|consolidat|atelecta|nodul|granuloma|pneumonia|" \
    r"infiltrat|airspace|air space|fracture|catheter|picc|port|scar|mass|hemidiaphragm|" \
    r"lobe|base|basilar|apex|apical|density|lung"


def real_lateral_pair(d: dict):
    """Find an impression sentence and a findings sentence naming one side for the
    same finding. Returns (imp_sentence, findings_sentence) or None."""
    f, imp = tidy(d["findings"]), tidy(d["impression"])
    for s in sentences(imp):
        ss = {w.lower() for w in SIDE_RE.findall(s)}
        if len(ss) != 1 or re.search(r"bilateral|heart|ventric|atri|both|\bnot\b|\bno\b",
                                     s, re.I):
            continue
        kw = set(re.findall(LAT_WORDS, s.lower()))
        if not kw:
            continue
        for t in sentences(f):
            ts = {w.lower() for w in SIDE_RE.findall(t)}
            if ts == ss and kw & set(re.findall(LAT_WORDS, t.lower())) and \
                    not re.search(r"bilateral|heart|ventric|atri|both|\bnot\b|\bno\b",
                                  t, re.I):
                return s, t
    return None


def real_sig_sentence(d: dict):
    f = tidy(d["findings"])
    imp = tidy(d["impression"])
    for s in sentences(f):
        if NEG_RE.search(s) or re.search(
                r"\b(may|might|could|can|possibl\w*|question\w*|versus|vs|suspect\w*|known|again|"
                r"stable|unchanged|chronic|old|persist\w*|redemonstrat\w*|likely|or|"
                r"subpleural)\b|/",
                s, re.I):
            continue
        gs = group_hits(s)
        sig = gs & set(SIG_GROUPS)
        if "effusion" in gs and re.search(r"moderate|large", s, re.I):
            sig.add("effusion")
        if re.search(r"\bmass\b", s, re.I):
            sig.add("mass")
        if "consolidation" in sig and re.search(
                r"minimal|minimally|mild|streaky|subtle|vague|could|linear|small|faint",
                s, re.I):
            sig.discard("consolidation")
        if sig and sig <= affirmed_groups(imp):
            return s, sorted(sig)[0]
    return None


def neg_opts(rng: random.Random, f: str) -> list:
    opts = []
    fa = affirmed_groups(f)
    if any(re.search(r"\bno\b[^.]*effusion", x, re.I) and not re.search(
            r"large|significant|sizable|definite|moderate", x, re.I)
           for x in sentences(f)) and "effusion" not in fa:
        opts.append(("effusion", f"Small {rng.choice(['left', 'right'])} pleural effusion."))
    if any(re.search(r"\bno\b[^.]*pneumothora", x, re.I) and not re.search(
            r"large|significant|definite|tension", x, re.I)
           for x in sentences(f)) and "pneumothorax" not in fa:
        opts.append(("pneumothorax", f"Small {rng.choice(['left', 'right'])} apical "
                                     "pneumothorax."))
    if re.search(r"lungs are clear|no (focal )?(consolidation|airspace)", f, re.I) and \
            "consolidation" not in fa:
        opts.append(("consolidation", f"{rng.choice(['Right', 'Left'])} lower lobe "
                                      "pneumonia."))
    if re.search(r"heart size is normal|normal heart size|heart is normal in size|"
                 r"heart size (is )?within normal", f, re.I) and "cardiomegaly" not in fa:
        opts.append(("cardiomegaly", rng.choice(["Cardiomegaly.", "Mild cardiomegaly."])))
    return opts


def build_real(rng: random.Random, d: dict, kind: str | None):
    detail = ""
    if kind == "laterality_conflict":
        s, t = real_lateral_pair(d)
        d = dict(d)
        if rng.random() < 0.5:
            d["impression"] = tidy(d["impression"]).replace(s, flip_sides(s), 1)
            detail = f"impression side flipped: '{flip_sides(s)}' vs findings '{t}'"
        else:
            d["findings"] = tidy(d["findings"]).replace(t, flip_sides(t), 1)
            detail = f"findings side flipped: '{flip_sides(t)}' vs impression '{s}'"
    case = real_case(rng, d)
    if kind == "missing_section":
        if NORMAL_MACRO_RE.search(tidy(d["impression"])) and rng.random() < 0.35:
            case.drop = "findings"
            detail = "findings section emptied; impression is a bare normal statement"
        else:
            case.drop = rng.choice(["impression", "imp_absent"])
            detail = "impression emptied" if case.drop == "impression" else \
                "impression section removed"
    elif kind == "negation_conflict":
        opts = neg_opts(rng, case.findings_free)
        what, line = rng.choice(opts)
        if rng.random() < 0.5:
            case.imp_lines = [line, "Otherwise no acute cardiopulmonary process."]
        else:
            case.imp_lines = [line] + [x for x in case.imp_lines
                                       if not NORMAL_IMP_RE.search(x)]
        detail = f"impression asserts {what} ('{line}') that the findings negate"
    elif kind == "impression_omits_finding":
        s, g = real_sig_sentence(d)
        case.imp_lines = [rng.choice(NORMAL_IMP)]
        detail = f"impression replaced by a normal macro; findings affirm {g}: '{s}'"
    elif kind == "placeholder":
        tok = rng.choice(PH_TOKENS + ["[left/right]"])
        where = rng.choice(["findings", "findings", "impression", "comp"])
        if where == "comp":
            case.comp_text = rng.choice(["[date of prior]", tok, f"{tok}."])
            detail = f"comparison left as template field {case.comp_text}"
        else:
            text = case.findings_free if where == "findings" else " ".join(case.imp_lines)
            toks = text.split(" ")
            cand = [i for i, w in enumerate(toks) if re.fullmatch(r"[a-z]{4,}", w)
                    and w not in ("with", "there", "that")]
            if not cand:
                cand = [len(toks) - 1]
            i = rng.choice(cand)
            old = toks[i]
            toks[i] = "[left/right]" if tok == "[left/right]" and re.fullmatch(
                r"left|right", old) else (tok if tok != "[left/right]" else "***")
            if where == "findings":
                case.findings_free = " ".join(toks)
            else:
                case.imp_lines = [" ".join(toks)]
                case.number_imp = False
            detail = f"'{old}' in {where} replaced by {toks[i]}"
    return case.render(), detail


def pick_real(rng: random.Random, pool: list[dict], n: int, pred, used: set[str]):
    cand = [d for d in pool if d["uid"] not in used and pred(d)]
    rng.shuffle(cand)
    if len(cand) < n:
        raise RuntimeError(f"only {len(cand)} real reports fit, need {n}")
    out = cand[:n]
    used.update(d["uid"] for d in out)
    return out


def build(seed: int) -> list[dict]:
    """The 400 cases for a seed: id, injected, detail, report."""
    return [{k: v for k, v in r.items() if k != "source"} for r in build_with_sources(seed)]


def build_with_sources(seed: int) -> list[dict]:
    """As build(), plus "source": the IU uid a case came from, or "bank"."""
    rng = random.Random(seed)
    shared = shared_dir()
    dev = dev_uids(shared)
    pool = [d for d in load_iu(shared) if d["uid"] not in dev and real_ok(d)]
    good = [d for d in pool if real_consistent(d)]
    used: set[str] = set()
    rows = []

    def add(kind, report, detail, src):
        rows.append({"injected": kind, "detail": detail, "report": report, "_src": src})

    half = N_CLEAN // 2
    # clean: real reports, mostly normal with some positive ones in ordinary proportion
    n_norm = int(half * 0.75)
    for d in pick_real(rng, good, n_norm, real_is_normal, used):
        add(None, build_real(rng, d, None)[0], "", d["uid"])
    for d in pick_real(rng, good, half - n_norm, lambda d: not real_is_normal(d), used):
        add(None, build_real(rng, d, None)[0], "", d["uid"])
    for _ in range(N_CLEAN - half):
        rep, det = own_case(rng, None)
        add(None, rep, det, "bank")
    kh = N_KIND // 2
    preds = {
        "missing_section": lambda d: True,
        "placeholder": lambda d: True,
        "laterality_conflict": lambda d: real_lateral_pair(d) is not None,
        "impression_omits_finding": lambda d: real_sig_sentence(d) is not None,
        "negation_conflict": lambda d: real_is_normal(d) and bool(
            neg_opts(random.Random(0), tidy(d["findings"]))),
    }
    for kind in KINDS:
        for d in pick_real(rng, good, kh, preds[kind], used):
            rep, det = build_real(rng, d, kind)
            add(kind, rep, det, d["uid"])
        for _ in range(N_KIND - kh):
            rep, det = own_case(rng, kind)
            add(kind, rep, det, "bank")
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h107-{seed}-{n}", "injected": r["injected"],
                    "detail": r["detail"], "report": r["report"], "source": r["_src"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
