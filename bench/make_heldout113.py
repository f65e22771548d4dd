"""Held-out report-check set 113, written blind.

Setting: international and private hospitals in Vietnam, Cambodia and Thailand that report in English
(Hanoi, Ho Chi Minh City, Phnom Penh, Bangkok), dictated by local and expatriate radiologists. The mix is
the ordinary day-to-day list: expatriate and local outpatients, health-check packages, emergency,
wards, visa and work-permit medicals. Reports use the setting's layouts (exam line, clinical history,
comparison, technique, findings/report, impression/conclusion/opinion, sign-off lines), Commonwealth
spellings (oedema, haemothorax, visualised), dd/mm/yyyy dates, "CP angles", "CTR", "Rt/Lt", "no active
lung lesion", "no radiological evidence of active pulmonary TB".

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of each group is composed from the phrase bank below; the
other half are real IU (Open-i) reports, never one whose uid is in the dev set, re-laid-out in the
setting's style with light, meaning-preserving re-wording. The source of each case is named in `detail`.

    python -m bench.make_heldout113 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
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

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


# --------------------------------------------------------------------------------------------
# Setting furniture
# --------------------------------------------------------------------------------------------

RADIOLOGISTS = [
    ("Dr. Nguyen Van Hung", "Radiologist"),
    ("Dr. Tran Thi Mai Anh", "Diagnostic Radiologist"),
    ("Dr. Le Minh Tuan, MD", "Radiologist"),
    ("Dr. Pham Quoc Bao", "Consultant Radiologist"),
    ("Dr. Vo Thi Thu Ha", "Radiologist"),
    ("Dr. Somchai Prasertsuk", "Diagnostic Radiologist"),
    ("Dr. Kanokwan Srisawat", "Radiologist"),
    ("Dr. Pornthip Chaiyaporn", "Consultant Radiologist"),
    ("Dr. Sok Vannak", "Radiologist"),
    ("Dr. Chea Sophal", "Radiologist"),
    ("Dr. Michael Grant, FRCR", "Consultant Radiologist"),
    ("Dr. Sarah Whitfield, FRANZCR", "Consultant Radiologist"),
    ("Dr. Julien Moreau", "Radiologue / Radiologist"),
    ("Dr. Andrew Tan, FRCR", "Senior Consultant Radiologist"),
    ("Dr. Hiroshi Sato", "Radiologist"),
]

EXAM_LINES = {
    "pa": [
        "EXAMINATION: CHEST X-RAY PA VIEW",
        "Exam: CXR PA erect",
        "EXAM: X-RAY CHEST (PA)",
        "Procedure: Chest radiograph, PA view",
        "CHEST X-RAY PA",
        "Examination: Chest X-ray PA",
    ],
    "pal": [
        "EXAMINATION: CHEST X-RAY PA AND LATERAL",
        "Exam: CXR PA + lateral",
        "PROCEDURE: X-ray chest PA/lateral",
    ],
    "ap": [
        "EXAMINATION: CHEST X-RAY AP (PORTABLE)",
        "Exam: CXR AP supine, bedside",
        "Procedure: Portable chest radiograph, AP view",
    ],
}

TECHNIQUE = {
    "pa": ["PA erect view.", "Single PA erect projection.", "Frontal PA view, adequate inspiration."],
    "pal": ["PA and lateral views.", "PA erect and left lateral views."],
    "ap": ["AP supine portable view.", "Single AP semi-erect bedside view."],
}

HISTORY = {
    "check": [
        "Annual health check.",
        "Health check package (executive).",
        "Pre-employment medical check-up.",
        "Work permit medical examination.",
        "Work permit renewal medical.",
        "Visa medical examination.",
        "Immigration medical, asymptomatic.",
        "Routine check-up, no symptoms.",
        "General health check, expatriate staff.",
        "Health screening, ex-smoker.",
    ],
    "opd": [
        "Cough for 2 weeks.",
        "Productive cough and low grade fever for 5 days.",
        "Chronic cough, smoker 20 pack-years.",
        "Shortness of breath on exertion.",
        "Chest tightness, intermittent.",
        "Follow-up of pneumonia after antibiotics.",
        "Dry cough and sore throat.",
        "Hypertension, routine review.",
        "Known asthma, worsening wheeze.",
        "Weight loss and night sweats.",
    ],
    "ed": [
        "Fever, cough and dyspnoea.",
        "Motorbike accident, chest wall pain.",
        "Fall from motorbike, pain over the ribs.",
        "Acute chest pain.",
        "Sudden onset shortness of breath.",
        "High fever 3 days, cough.",
        "Fall at home, chest pain.",
        "Epigastric pain, vomiting.",
    ],
    "ward": [
        "Inpatient, fever, r/o pneumonia.",
        "Post-operative day 2, low saturation.",
        "Dengue fever day 5, abdominal pain.",
        "Heart failure admission, review.",
        "Inpatient with COPD exacerbation.",
        "Pre-operative assessment.",
    ],
}

COMPARISON_NONE = ["None.", "Nil.", "No previous films available.", "No prior imaging for comparison.", "N/A."]


def a_date(rng: random.Random, year: int | None = None) -> str:
    y = year or rng.choice([2023, 2024, 2025])
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{y}"


def comparison_with(rng: random.Random) -> str:
    d = a_date(rng, rng.choice([2023, 2024]))
    return rng.choice([
        f"Previous study dated {d}.",
        f"CXR of {d}.",
        f"Prior chest X-ray {d} (health check).",
        f"Compared with the film of {d}.",
    ])


# --------------------------------------------------------------------------------------------
# Phrase bank: normal statements, tagged with what they negate
# --------------------------------------------------------------------------------------------

NORMALS = {
    "lung": [
        "Both lungs are clear.",
        "The lungs are clear with no focal consolidation.",
        "No active lung lesion is seen.",
        "Lung fields are clear bilaterally.",
        "No focal airspace opacity or mass lesion in either lung.",
        "Both lung fields are clear. No nodule or consolidation.",
    ],
    "pleura": [
        "Both costophrenic angles are sharp.",
        "No pleural effusion.",
        "CP angles are clear.",
        "Costophrenic angles are clear bilaterally.",
    ],
    "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
    "pleura+ptx": ["No pleural effusion or pneumothorax.", "No pleural effusion. No pneumothorax."],
    "heart": [
        "Heart size is within normal limits.",
        "Cardiac size is normal (CTR {ctr}).",
        "The heart is not enlarged, CTR {ctr}.",
        "Normal heart size.",
    ],
    "media": [
        "Mediastinum is not widened.",
        "Trachea is central. Mediastinal contours are normal.",
        "Mediastinum is central and of normal width.",
    ],
    "heart+media": [
        "Cardiomediastinal silhouette is within normal limits.",
        "Heart and mediastinum are normal in size and contour.",
    ],
    "hila": ["Both hila are normal.", "Hilar shadows are unremarkable.", "Both hila are normal in size and density."],
    "diaph": [
        "Both hemidiaphragms are well defined.",
        "Diaphragmatic domes are normal in position and contour.",
        "Both domes of the diaphragm are smooth.",
    ],
    "bone": [
        "Bony thorax is intact.",
        "No bony abnormality.",
        "Visualised bones are unremarkable.",
        "Visualised osseous structures are intact.",
    ],
    "soft": ["Soft tissues are unremarkable.", "Chest wall soft tissues are normal."],
}

NORMAL_IMPRESSIONS = [
    "Normal chest X-ray.",
    "No active cardiopulmonary disease.",
    "No acute cardiopulmonary abnormality.",
    "No significant abnormality detected.",
    "Normal study.",
    "Chest X-ray within normal limits.",
    "No radiological abnormality detected.",
    "Normal chest radiograph.",
]
TB_NORMAL = [
    "No radiological evidence of active pulmonary tuberculosis.",
    "Normal chest X-ray. No evidence of active pulmonary TB.",
    "No radiological evidence of active TB. Normal study.",
]

# sided findings: key -> (significant, findings variants, impression variants, conflict tags)
ZONES = ["upper", "mid", "lower"]
RIBS = ["4th", "5th", "6th", "7th", "8th", "9th"]
FIND = {
    "cons": (True, [
        "Patchy consolidation in the {side} {zone} zone with air bronchograms.",
        "Airspace opacity in the {side} {zone} zone, suggestive of consolidation.",
        "Ill-defined consolidation is seen in the {ab} {zone} zone.",
        "Inhomogeneous opacity in the {side} {zone} zone in keeping with consolidation.",
    ], [
        "{Side} {zone} zone consolidation, likely pneumonia.",
        "Features of {side} {zone} zone pneumonia. Follow-up film after treatment is advised.",
        "{Ab} {zone} zone pneumonic consolidation.",
        "Consolidation {side} {zone} zone, consistent with infection in this clinical setting.",
    ], ("lung",)),
    "eff_mod": (True, [
        "Moderate {side} pleural effusion.",
        "Homogeneous opacity obliterating the {side} costophrenic angle with a meniscus, in keeping with a "
        "moderate pleural effusion.",
        "Moderate-sized {side} pleural effusion with adjacent basal atelectasis.",
    ], [
        "Moderate {side} pleural effusion.",
        "{Side} pleural effusion, moderate in size.",
        "Moderate {ab} pleural effusion. Suggest ultrasound-guided tap if clinically indicated.",
    ], ("pleura", "lung")),
    "eff_inc": (True, [
        "Interval increase in the {side} pleural effusion compared with the previous study.",
        "The {side} pleural effusion has increased since the prior film and now reaches the mid zone.",
    ], [
        "Increasing {side} pleural effusion.",
        "{Side} pleural effusion, larger than before.",
    ], ("pleura", "lung")),
    "ptx": (True, [
        "{Side} apical pneumothorax with a rim of about {cm} cm. No mediastinal shift.",
        "A {side} pneumothorax is present, lung edge visible at the {side} apex.",
        "Visceral pleural line at the {ab} apex with absent lung markings peripherally, in keeping with pneumothorax.",
    ], [
        "{Side} pneumothorax.",
        "{Side} apical pneumothorax. Result conveyed to the ED doctor.",
        "{Ab} pneumothorax, small to moderate.",
    ], ("ptx", "pleura+ptx")),
    "nodule": (True, [
        "A well-defined {mm} mm nodule in the {side} {zone} zone.",
        "Rounded nodular opacity, approximately {mm} mm, projected over the {side} {zone} zone.",
        "There is a {mm} mm soft tissue nodule in the {ab} {zone} zone.",
    ], [
        "{mm} mm nodule in the {side} {zone} zone. CT chest is recommended.",
        "{Side} {zone} zone pulmonary nodule ({mm} mm); suggest CT for further characterisation.",
        "Solitary {ab} {zone} zone nodule, {mm} mm. Recommend CT chest.",
    ], ("lung",)),
    "mass": (True, [
        "A {cmm} cm ill-defined mass in the {side} upper zone.",
        "Lobulated {side} hilar mass measuring about {cmm} cm.",
    ], [
        "{Side} upper zone mass, suspicious for malignancy. CT chest with contrast recommended.",
        "{Side} hilar mass, {cmm} cm. Further evaluation with CT advised.",
    ], ("lung", "hila")),
    "granuloma": (False, [
        "A few small calcified granulomas in the {side} {zone} zone.",
        "Calcified granuloma in the {side} {zone} zone.",
        "Small calcified nodule in the {ab} {zone} zone, likely a granuloma.",
    ], [
        "Calcified granuloma in the {side} {zone} zone, benign.",
        "Old calcified granuloma, {side} lung.",
    ], ("lung",)),
    "oldtb": (False, [
        "Fibrotic strands and small calcified nodules in the {side} apex, in keeping with old healed TB.",
        "Fibrocalcific changes in the {side} upper zone with mild volume loss.",
        "Linear fibrotic opacities at the {ab} apex, unchanged appearance of old TB.",
    ], [
        "Old fibrocalcific changes in the {side} upper zone, likely healed TB. No radiological evidence of "
        "active TB.",
        "Healed TB scarring {side} apex. No active lung lesion elsewhere.",
        "Fibrotic changes {ab} upper zone, likely sequelae of old TB. Sputum AFB if clinically indicated.",
    ], ("lung",)),
    "rib_old": (False, [
        "Old healed fracture of the {side} {rib} rib.",
        "Callus formation at the {side} {rib} rib laterally, old healed fracture.",
    ], [
        "Old healed {side} {rib} rib fracture.",
        "Healed fracture, {side} {rib} rib.",
    ], ("bone",)),
    "rib_acute": (True, [
        "Non-displaced fracture of the {side} {rib} rib laterally.",
        "Acute fracture of the {side} {rib} rib in the axillary line.",
    ], [
        "Acute fracture of the {side} {rib} rib. No pneumothorax.",
        "{Side} {rib} rib fracture; no pneumothorax or haemothorax.",
    ], ("bone",)),
    "elev": (False, [
        "Mild elevation of the {side} hemidiaphragm.",
        "The {side} hemidiaphragm is slightly elevated.",
    ], [
        "Mildly elevated {side} hemidiaphragm.",
        "Slight elevation of the {side} hemidiaphragm, likely of no significance.",
    ], ("diaph",)),
    "atel": (False, [
        "Linear atelectasis in the {side} lower zone.",
        "Plate-like atelectasis at the {side} base.",
    ], [
        "Minor {side} basal atelectasis.",
        "Linear atelectasis {side} lower zone.",
    ], ()),
    "eff_small": (False, [
        "Blunting of the {side} costophrenic angle, likely a small effusion.",
        "Small {side} pleural effusion.",
    ], [
        "Small {side} pleural effusion.",
        "Minimal {side} pleural effusion.",
    ], ("pleura",)),
}
SIDED = set(FIND)
PAIRED = {"mass"}  # findings and impression variants go together (upper zone / hilar)

# unsided findings: key -> (significant, findings variants, impression variants, conflict tags)
UFIND = {
    "cm_mild": (False, [
        "Mild cardiomegaly (CTR approx {ctrb}).",
        "The heart is mildly enlarged, CTR {ctrb}.",
        "Borderline cardiomegaly, CTR {ctrb}.",
    ], [
        "Mild cardiomegaly.",
        "Borderline enlarged heart size.",
    ], ("heart", "heart+media")),
    "cm": (False, [
        "Cardiomegaly with CTR of {ctrl}.",
        "The cardiac silhouette is enlarged (CTR {ctrl}).",
    ], [
        "Cardiomegaly.",
        "Enlarged cardiac silhouette.",
    ], ("heart", "heart+media")),
    "oedema": (True, [
        "Cardiomegaly with upper lobe blood diversion, perihilar haziness and Kerley B lines, consistent with "
        "pulmonary oedema.",
        "Bilateral perihilar airspace opacities and interstitial thickening, in keeping with pulmonary oedema.",
        "Pulmonary venous congestion with interstitial oedema and fluid in the fissures.",
    ], [
        "Pulmonary oedema.",
        "Features of congestive cardiac failure with interstitial oedema.",
        "Pulmonary venous congestion and interstitial oedema.",
    ], ("lung", "heart", "heart+media", "hila")),
    "widened": (True, [
        "The superior mediastinum is widened, measuring about {cmw} cm.",
        "Widening of the upper mediastinum is noted.",
    ], [
        "Widened superior mediastinum. CT chest recommended to exclude aortic injury.",
        "Mediastinal widening; urgent CT advised.",
    ], ("media", "heart+media")),
    "freeair": (True, [
        "Free gas is seen under the right hemidiaphragm.",
        "Free intraperitoneal air under both hemidiaphragms.",
    ], [
        "Pneumoperitoneum. Urgent surgical review advised.",
        "Free air under the diaphragm, in keeping with a perforated viscus.",
    ], ("diaph",)),
    "aorta": (False, [
        "Unfolded thoracic aorta with calcification of the aortic knuckle.",
        "Aortic knuckle calcification.",
    ], [
        "Aortic atherosclerosis.",
        "Unfolded, calcified aorta.",
    ], ("media", "heart+media")),
    "spine": (False, [
        "Degenerative changes of the thoracic spine.",
        "Mild spondylotic changes in the thoracic spine.",
        "Marginal osteophytes of the thoracic vertebrae.",
    ], [
        "Thoracic spondylosis.",
        "Degenerative thoracic spine.",
    ], ("bone",)),
    "copd": (False, [
        "Hyperinflated lungs with flattened hemidiaphragms.",
        "Both lungs are hyperexpanded with increased retrosternal airspace.",
    ], [
        "Hyperinflation, in keeping with COPD.",
        "Features of chronic obstructive airway disease.",
    ], ("lung", "diaph")),
    "bronch": (False, [
        "Increased bronchovascular markings in both lower zones.",
        "Prominent bronchovascular markings bilaterally, likely bronchitic.",
    ], [
        "Bronchitic changes.",
        "Mild bronchitic changes, no consolidation.",
    ], ("lung",)),
}

OMIT_SIG = ["cons", "eff_mod", "ptx", "nodule", "mass", "oedema", "widened", "freeair", "eff_inc"]
MINOR_SIDED = ["granuloma", "oldtb", "rib_old", "elev", "atel", "eff_small"]
MINOR_UNSIDED = ["cm_mild", "aorta", "spine", "copd", "bronch"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def fill(tpl: str, v: dict) -> str:
    out = tpl.format(**v)
    return _cap(out)


def finding_vars(rng: random.Random, side: str | None = None, zone: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    ab_style = rng.random()
    ab = {"right": "Rt", "left": "Lt"}[side] if ab_style < 0.5 else side
    return {
        "side": side, "Side": side.capitalize(), "ab": ab, "Ab": _cap(ab),
        "zone": zone or rng.choice(ZONES), "rib": rng.choice(RIBS), "cm": rng.choice(["1", "1.5", "2", "2.5"]),
        "mm": rng.randint(7, 19), "cmm": rng.choice(["3", "3.5", "4", "4.5", "5"]),
        "cmw": rng.choice(["9", "9.5", "10"]),
        "ctr": rng.choice(["0.42", "0.44", "0.45", "0.46", "0.48"]),
        "ctrb": rng.choice(["0.52", "0.53", "0.54"]), "ctrl": rng.choice(["0.58", "0.60", "0.62"]),
    }


def make_finding(rng: random.Random, key: str, v: dict | None = None) -> dict:
    v = v or finding_vars(rng)
    if key == "oldtb":
        v["zone"] = "upper"
    if key in FIND:
        sig, fv, iv, tags = FIND[key]
    else:
        sig, fv, iv, tags = UFIND[key]
    fi = rng.randrange(len(fv))
    ftxt = fill(fv[fi], v)
    itxt = fill(iv[fi] if key in PAIRED else rng.choice(iv), v)
    return {"key": key, "sig": sig, "f": ftxt, "i": itxt, "tags": set(tags), "v": v, "_ftpl": fv[fi],
            "sided": key in SIDED}


# --------------------------------------------------------------------------------------------
# Case model and rendering
# --------------------------------------------------------------------------------------------

def pick_context(rng: random.Random) -> str:
    return rng.choices(["check", "opd", "ed", "ward"], weights=[40, 30, 18, 12])[0]


def new_case(rng: random.Random, ctx: str | None = None) -> dict:
    ctx = ctx or pick_context(rng)
    view = "ap" if ctx == "ward" and rng.random() < 0.6 else ("pal" if rng.random() < 0.15 else "pa")
    if ctx == "ed" and rng.random() < 0.2:
        view = "ap"
    comp = rng.choice(COMPARISON_NONE) if rng.random() < 0.65 else comparison_with(rng)
    return {
        "ctx": ctx, "view": view,
        "exam": rng.choice(EXAM_LINES[view]),
        "history": rng.choice(HISTORY[ctx]),
        "comparison": comp,
        "technique": rng.choice(TECHNIQUE[view]) if rng.random() < 0.55 else None,
        "findings": [], "impression": [],
        "style": rng.randrange(5),
        "fstyle": rng.choices(["para", "lines", "dash"], weights=[5, 3, 2])[0],
        "istyle": rng.choices(["plain", "num", "dash"], weights=[5, 4, 1])[0],
        "sign": rng.choice(RADIOLOGISTS),
        "signstyle": rng.randrange(4),
        "date": a_date(rng, 2025),
        "time": f"{rng.randint(7, 20):02d}:{rng.randint(0, 59):02d}",
        "drop_imp_header": False,
        "imp_only": False,
    }


HEADERS = [
    # exam, history, comparison, technique, findings, impression
    ("EXAMINATION", "CLINICAL HISTORY", "COMPARISON", "TECHNIQUE", "FINDINGS", "IMPRESSION"),
    ("Exam", "Clinical information", "Comparison", "Technique", "Findings", "Conclusion"),
    ("EXAM", "INDICATION", "COMPARISON", "TECHNIQUE", "REPORT", "OPINION"),
    ("Examination", "History", "Comparison", "Technique", "Findings", "Impression"),
    ("EXAMINATION", "CLINICAL DATA", "PRIOR STUDY", "TECHNIQUE", "FINDINGS", "CONCLUSION"),
]


def render(c: dict) -> str:
    h = HEADERS[c["style"]]
    upper = h[4].isupper()
    parts = []
    exam = c["exam"]
    if ":" in exam:
        exam = exam.split(":", 1)[1].strip()
    parts.append(f"{h[0]}: {exam}")
    if c.get("history") is not None:
        parts.append(f"{h[1]}: {c['history']}")
    if c.get("comparison") is not None:
        parts.append(f"{h[2]}: {c['comparison']}")
    if c.get("technique"):
        parts.append(f"{h[3]}: {c['technique']}")
    f = c["findings"]
    if not c.get("imp_only"):
        if f is None:
            pass
        elif not f:
            parts.append(f"{h[4]}:")
        elif c["fstyle"] == "para":
            parts.append(f"{h[4]}:\n" + " ".join(f))
        elif c["fstyle"] == "lines":
            parts.append(f"{h[4]}:\n" + "\n".join(f))
        else:
            parts.append(f"{h[4]}:\n" + "\n".join("- " + s for s in f))
    imp = c["impression"]
    if imp is None:
        pass
    elif not imp:
        parts.append(f"{h[5]}:")
    elif c["istyle"] == "num" and len(imp) > 1:
        parts.append(f"{h[5]}:\n" + "\n".join(f"{i + 1}. {s}" for i, s in enumerate(imp)))
    elif c["istyle"] == "dash" and len(imp) > 1:
        parts.append(f"{h[5]}:\n" + "\n".join("- " + s for s in imp))
    else:
        parts.append(f"{h[5]}:\n" + " ".join(imp))
    name, title = c["sign"]
    if c.get("signoff_override") is not None:
        parts.append(c["signoff_override"])
    else:
        s = c["signstyle"]
        if s == 0:
            parts.append(f"Reported by: {name}, {title}")
        elif s == 1:
            parts.append(f"{name}\n{title}")
        elif s == 2:
            parts.append(f"Electronically signed by {name} on {c['date']} {c['time']}")
        else:
            parts.append(f"Radiologist: {name}\nDate: {c['date']}")
    text = "\n\n".join(parts)
    if not upper:
        pass
    return text


def normal_block(rng: random.Random, exclude: set, ctx: str) -> list[str]:
    """Normal sentences in dictation order, skipping any whose tag is excluded."""
    out = []
    order = []
    if rng.random() < 0.5:
        order.append("heart+media")
    else:
        order += ["heart", "media"] if rng.random() < 0.7 else ["heart"]
    if rng.random() < 0.5:
        order.append("hila")
    order.append("lung")
    order.append("pleura+ptx" if rng.random() < 0.5 else "pleura")
    if ctx == "ed" and "pleura+ptx" not in order:
        order.append("ptx")
    if rng.random() < 0.45:
        order.append("diaph")
    if rng.random() < 0.6 or ctx == "ed":
        order.append("bone")
    if rng.random() < 0.12:
        order.append("soft")
    if rng.random() < 0.4:
        # lung first is just as common
        order.remove("lung")
        order.insert(0, "lung")
    ctr = rng.choice(["0.42", "0.44", "0.45", "0.46", "0.48"])
    for tag in order:
        parts = set(tag.split("+")) | {tag}
        if parts & exclude:
            continue
        out.append(rng.choice(NORMALS[tag]).format(ctr=ctr))
    return out


def normal_impression(rng: random.Random, ctx: str) -> str:
    if ctx == "check" and rng.random() < 0.45:
        return rng.choice(TB_NORMAL)
    return rng.choice(NORMAL_IMPRESSIONS)


def place_findings(rng: random.Random, normals: list[str], finds: list[str]) -> list[str]:
    out = list(normals)
    for s in finds:
        out.insert(rng.randint(0, len(out)), s)
    return out


def compose(rng: random.Random, finds: list[dict], ctx: str | None = None, omit_minor_ok: bool = True) -> dict:
    c = new_case(rng, ctx)
    excl = set()
    for f in finds:
        excl |= f["tags"]
    if any(f["key"] == "eff_inc" for f in finds):
        c["comparison"] = f"Previous study dated {a_date(rng, 2025)}."
    normals = normal_block(rng, excl, c["ctx"])
    c["findings"] = place_findings(rng, normals, [f["f"] for f in finds])
    imp = []
    for f in sorted(finds, key=lambda x: not x["sig"]):
        if not f["sig"] and omit_minor_ok and rng.random() < 0.3:
            continue  # chronic / incidental finding left to the body of the report
        imp.append(f["i"])
    if not imp and finds:
        imp = [rng.choice(["No acute cardiopulmonary abnormality.", "No active cardiopulmonary disease.",
                           "No active lung lesion.", "No acute abnormality."])]
    elif not imp:
        imp = [normal_impression(rng, c["ctx"])]
    elif not any(f["sig"] for f in finds) and rng.random() < 0.4:
        imp.append(rng.choice(["No active lung lesion.", "No acute cardiopulmonary abnormality.",
                               "Otherwise normal study."]))
    c["impression"] = imp
    return c


def random_finds(rng: random.Random, n_sig: int, n_minor: int, ctx: str) -> list[dict]:
    finds: list[dict] = []
    used_sides: dict = {}
    sig_pool = ["cons", "cons", "cons", "eff_mod", "ptx", "nodule", "oedema", "cm", "rib_acute", "mass"]
    if ctx == "ed":
        sig_pool += ["ptx", "rib_acute", "widened", "freeair"]
    keys = rng.sample(sig_pool, n_sig) if n_sig else []
    keys = list(dict.fromkeys(keys))
    minors = rng.sample(MINOR_SIDED + MINOR_UNSIDED + ["spine", "cm_mild", "granuloma", "oldtb"], n_minor + 2)
    for k in minors:
        if len(keys) >= n_sig + n_minor:
            break
        if k not in keys:
            keys.append(k)
    # avoid clashing pairs
    if "oedema" in keys:
        keys = [k for k in keys if k not in ("cm", "cm_mild", "bronch")]
    if "cm" in keys and "cm_mild" in keys:
        keys.remove("cm_mild")
    if "eff_mod" in keys and "eff_small" in keys:
        keys.remove("eff_small")
    if "copd" in keys and "elev" in keys:
        keys.remove("elev")
    for k in keys:
        v = finding_vars(rng)
        if k in SIDED:
            used_sides[k] = v["side"]
        finds.append(make_finding(rng, k, v))
    return finds


# --------------------------------------------------------------------------------------------
# Bank cases per kind
# --------------------------------------------------------------------------------------------

def bank_clean(rng: random.Random) -> tuple[dict, str]:
    ctx = pick_context(rng)
    r = rng.random()
    if r < 0.62:
        c = compose(rng, [], ctx)
        what = "normal"
        if rng.random() < 0.12:
            # short impression-only health-check format that itself describes the film
            c["imp_only"] = True
            c["impression"] = [rng.choice([
                "Heart size normal. Both lungs clear. No pleural effusion. No radiological evidence of active "
                "pulmonary TB.",
                "Normal heart size and mediastinum. Clear lungs and CP angles. Bony thorax intact. Normal chest "
                "X-ray.",
                "Lungs clear, no active lung lesion. Heart not enlarged. Costophrenic angles sharp.",
            ])]
            what = "normal, impression-only format"
    elif r < 0.85:
        finds = random_finds(rng, 0, rng.choice([1, 1, 2]), ctx)
        c = compose(rng, finds, ctx)
        what = "minor findings: " + ", ".join(f["key"] for f in finds)
    else:
        if ctx == "check":
            ctx = rng.choice(["opd", "ed", "ward"])
        finds = random_finds(rng, 1, rng.choice([0, 0, 1]), ctx)
        c = compose(rng, finds, ctx)
        what = "reported findings: " + ", ".join(f["key"] for f in finds)
    return c, f"source: phrase bank; clean ({what})"


def bank_omit(rng: random.Random) -> tuple[dict, str]:
    key = rng.choice(OMIT_SIG)
    ctx = {"ptx": "ed", "widened": "ed", "freeair": "ed", "oedema": "ward", "eff_inc": "ward"}.get(
        key, rng.choice(["opd", "ed", "ward", "check"]))
    f = make_finding(rng, key)
    finds = [f]
    if rng.random() < 0.45:
        extra = rng.choice(["spine", "cm_mild", "granuloma", "aorta"])
        if not (key == "oedema" and extra == "cm_mild"):
            finds.append(make_finding(rng, extra))
    c = compose(rng, finds, ctx, omit_minor_ok=False)
    minors = [x for x in finds if not x["sig"]]
    if minors and rng.random() < 0.5:
        c["impression"] = [minors[0]["i"], rng.choice(["No other abnormality.", "Otherwise unremarkable."])]
        how = "impression reports only the incidental finding"
    else:
        c["impression"] = [rng.choice(NORMAL_IMPRESSIONS)]
        how = "normal impression macro pasted"
    return c, f"source: phrase bank; findings: {f['f']!r}; {how}, {key} not mentioned"


def bank_lat(rng: random.Random) -> tuple[dict, str]:
    key = rng.choice(["cons", "cons", "cons", "eff_mod", "ptx", "nodule", "nodule", "eff_small", "rib_acute",
                      "mass", "granuloma", "oldtb"])
    v = finding_vars(rng)
    f = make_finding(rng, key, v)
    ctx = "ed" if key in ("ptx", "rib_acute") else rng.choice(["opd", "ed", "ward", "check"])
    finds = [f]
    if rng.random() < 0.35:
        finds.append(make_finding(rng, rng.choice(["spine", "aorta", "cm_mild"])))
    c = compose(rng, finds, ctx, omit_minor_ok=False)
    opp = "left" if v["side"] == "right" else "right"
    v2 = dict(v)
    v2.update(side=opp, Side=opp.capitalize(),
              ab={"right": "Rt", "left": "Lt"}[opp] if v["ab"] in ("Rt", "Lt") else opp)
    v2["Ab"] = _cap(v2["ab"])
    sig, fv, iv, _ = FIND[key]
    where = rng.random()
    if where < 0.6:
        idx = c["impression"].index(f["i"])
        new = fill(iv[fv.index(f["_ftpl"])] if key in PAIRED else rng.choice(iv), v2)
        c["impression"][idx] = new
        d = f"findings {v['side']} ({f['f']!r}), impression flipped to {opp} ({new!r})"
    else:
        idx = c["findings"].index(f["f"])
        new = fill(f["_ftpl"] if key in PAIRED else rng.choice(fv), v2)
        c["findings"][idx] = new
        d = f"impression {v['side']} ({f['i']!r}), findings flipped to {opp} ({new!r})"
    return c, "source: phrase bank; " + d


def bank_neg(rng: random.Random) -> tuple[dict, str]:
    t = rng.randrange(8)
    ctx = pick_context(rng)
    if t == 0:  # consolidation in findings, impression says lungs clear
        f = make_finding(rng, "cons")
        c = compose(rng, [f], ctx if ctx != "check" else "opd", omit_minor_ok=False)
        c["impression"] = [rng.choice(["Lungs are clear.", "Clear lungs. No consolidation.",
                                       "No consolidation or active lung lesion.",
                                       "Both lungs clear; no pneumonia."])]
        return c, f"source: phrase bank; findings {f['f']!r} but impression says the lungs are clear"
    if t == 1:  # findings negate effusion, impression affirms one
        c = compose(rng, [], ctx)
        c["findings"] = [s for s in c["findings"] if "effusion" not in s and "ngle" not in s]
        c["findings"].insert(rng.randint(1, len(c["findings"])), rng.choice(
            ["No pleural effusion.", "No pleural effusion or pneumothorax."]))
        v = finding_vars(rng)
        c["impression"] = [fill(rng.choice(["Small {side} pleural effusion.", "Moderate {side} pleural effusion.",
                                            "{Ab} pleural effusion."]), v)]
        if rng.random() < 0.5:
            c["impression"].append("Otherwise no acute abnormality.")
        return c, "source: phrase bank; findings state no pleural effusion, impression reports one"
    if t == 2:  # findings normal heart, impression cardiomegaly
        c = compose(rng, [], ctx)
        c["findings"] = [s for s in c["findings"] if not re.search(r"[Hh]eart|[Cc]ardi", s)]
        c["findings"].insert(0, rng.choice(["Heart size is normal, CTR 0.45.", "The heart is not enlarged.",
                                            "Cardiac size is within normal limits."]))
        c["impression"] = [rng.choice(["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged heart."])]
        if rng.random() < 0.5:
            c["impression"].append("No focal lung lesion.")
        return c, "source: phrase bank; findings say heart size normal, impression reports cardiomegaly"
    if t == 3:  # findings cardiomegaly, impression normal heart size
        f = make_finding(rng, rng.choice(["cm", "cm_mild"]))
        c = compose(rng, [f], ctx, omit_minor_ok=False)
        c["impression"] = [rng.choice(["Normal heart size. Clear lungs.", "Heart size within normal limits. "
                                       "No active lung disease.", "Normal cardiac size; no acute abnormality."])]
        return c, f"source: phrase bank; findings {f['f']!r}, impression says heart size normal"
    if t == 4:  # findings no pneumothorax, impression pneumothorax
        c = compose(rng, [], "ed")
        c["findings"] = [s for s in c["findings"] if "pneumothorax" not in s]
        c["findings"].append(rng.choice(["No pneumothorax.", "No pneumothorax is seen."]))
        v = finding_vars(rng)
        c["impression"] = [fill(rng.choice(["Small {side} apical pneumothorax.", "{Side} pneumothorax.",
                                            "Small {ab} pneumothorax, suggest follow-up film."]), v)]
        return c, "source: phrase bank; findings state no pneumothorax, impression reports one"
    if t == 5:  # findings effusion, impression no effusion
        f = make_finding(rng, rng.choice(["eff_mod", "eff_small"]))
        c = compose(rng, [f], ctx if ctx != "check" else "ward", omit_minor_ok=False)
        c["impression"] = [rng.choice(["No pleural effusion.", "Clear costophrenic angles, no effusion.",
                                       "No pleural effusion. No active lung lesion."])]
        return c, f"source: phrase bank; findings {f['f']!r}, impression says no effusion"
    if t == 6:  # findings no nodule, impression nodule
        c = compose(rng, [], ctx)
        c["findings"] = [s for s in c["findings"] if "lung" not in s.lower() and "nodule" not in s]
        c["findings"].insert(0, rng.choice(["No pulmonary nodule or mass.", "Both lungs are clear, no nodule or "
                                            "mass lesion."]))
        v = finding_vars(rng)
        c["impression"] = [fill("{mm} mm nodule in the {side} {zone} zone. CT chest recommended.", v)]
        return c, "source: phrase bank; findings negate a nodule, impression reports one"
    # t == 7: bones intact vs rib fracture
    c = compose(rng, [], "ed")
    c["history"] = rng.choice(["Motorbike accident, chest wall pain.", "Fall from motorbike, pain over the ribs.",
                               "Fall at home, chest pain.", "Assault, left chest wall tenderness."])
    c["findings"] = [s for s in c["findings"] if not re.search(r"[Bb]on|osseous|rib", s)]
    c["findings"].append(rng.choice(["No rib fracture.", "Bony thorax is intact, no rib fracture seen."]))
    v = finding_vars(rng)
    c["impression"] = [fill("Fracture of the {side} {rib} rib. No pneumothorax.", v)]
    return c, "source: phrase bank; findings say no rib fracture, impression reports one"


PH_TOKENS = ["[***]", "[...]", "[ ]", "<...>", "......", "[xx]", "<<>>", "**"]


def bank_placeholder(rng: random.Random) -> tuple[dict, str]:
    t = rng.randrange(7)
    if t == 0:  # nodule size not filled
        f = make_finding(rng, "nodule")
        c = compose(rng, [f], "opd", omit_minor_ok=False)
        tok = rng.choice(["xx", "[xx]", "...", "[ ]"])
        i = c["findings"].index(f["f"])
        c["findings"][i] = f["f"].replace(str(f["v"]["mm"]), tok, 1)
        return c, f"source: phrase bank; nodule size left as {tok!r} in findings"
    if t == 1:  # CTR field blank
        c = compose(rng, [], rng.choice(["check", "opd"]))
        tok = rng.choice(["......", "[ ]", "...", "[***]"])
        c["findings"] = [s for s in c["findings"] if not re.search(r"[Hh]eart|[Cc]ardi", s)]
        c["findings"].insert(0, f"Heart size normal, CTR = {tok}")
        return c, f"source: phrase bank; CTR field left as {tok!r}"
    if t == 2:  # comparison date not filled
        c = compose(rng, random_finds(rng, 0, 1, "opd"), "opd")
        tok = rng.choice(["[date]", "dd/mm/yyyy", "<date>", "[***]"])
        c["comparison"] = f"Previous study dated {tok}."
        return c, f"source: phrase bank; comparison date left as {tok!r}"
    if t == 3:  # side not filled
        key = rng.choice(["cons", "eff_small", "granuloma", "rib_old"])
        f = make_finding(rng, key)
        c = compose(rng, [f], "opd", omit_minor_ok=False)
        tok = rng.choice(["[right/left]", "[Rt/Lt]", "[side]", "[***]"])
        i = c["findings"].index(f["f"])
        new = re.sub(r"\b(right|left|Rt|Lt)\b", tok, f["f"], count=1, flags=re.I)
        c["findings"][i] = new
        return c, f"source: phrase bank; side left as {tok!r} in findings ({new!r})"
    if t == 4:  # clinical history template field
        c = compose(rng, [], rng.choice(["check", "opd", "ed"]))
        tok = rng.choice(["<<clinical history>>", "[Clinical details]", "[***]", "......"])
        c["history"] = tok
        return c, f"source: phrase bank; clinical history field left as {tok!r}"
    if t == 5:  # extra numbered impression line never filled
        finds = random_finds(rng, 0, 1, "opd")
        c = compose(rng, finds, "opd", omit_minor_ok=False)
        tok = rng.choice(["[***]", "[...]", "<...>", "[ ]"])
        c["impression"] = c["impression"] + [tok]
        c["istyle"] = "num"
        return c, f"source: phrase bank; an impression line left as {tok!r}"
    # t == 6: sign-off name not filled
    c = compose(rng, [], rng.choice(["check", "opd", "ed", "ward"]))
    tok = rng.choice(["[Radiologist name]", "Dr. [***]", "<Reporting doctor>", "Dr. ......"])
    c["signoff_override"] = f"Reported by: {tok}"
    return c, f"source: phrase bank; sign-off left as {tok!r}"


def bank_missing(rng: random.Random) -> tuple[dict, str]:
    t = rng.randrange(5)
    if rng.random() < 0.5:
        finds = random_finds(rng, rng.choice([0, 0, 1]), rng.choice([0, 1]), pick_context(rng))
    else:
        finds = []
    c = compose(rng, finds, None)
    if t in (0, 1):
        c["impression"] = []
        return c, "source: phrase bank; impression header left empty"
    if t == 2:
        c["impression"] = None
        return c, "source: phrase bank; impression section absent, findings go straight to sign-off"
    if t == 3:
        c["findings"] = []
        c["impression"] = [rng.choice(["As above.", "See findings.", "Please correlate clinically.",
                                       "Comparison with previous films is recommended.",
                                       "Clinical correlation advised."])]
        return c, f"source: phrase bank; findings left empty, impression {c['impression'][0]!r} does not describe"
    c["findings"] = None
    c["impression"] = [rng.choice(["As described above.", "Please see report.", "Kindly correlate clinically.",
                                   "Follow-up as clinically indicated."])]
    return c, f"source: phrase bank; findings section absent, impression {c['impression'][0]!r} does not describe"


# --------------------------------------------------------------------------------------------
# Real IU reports
# --------------------------------------------------------------------------------------------

_IU_CACHE: dict = {}


def load_iu() -> dict:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = {}
    with tarfile.open(path) as t:
        for m in t:
            if not m.name.endswith(".xml"):
                continue
            s = t.extractfile(m).read().decode("utf-8")
            uid = re.search(r'<uId id="([^"]+)"', s).group(1)
            sec = {k: (v or "").strip() for k, v in
                   re.findall(r'<AbstractText Label="(\w+)"(?:/>|>(.*?)</AbstractText>)', s, re.S)}
            out[uid] = {
                "ind": sec.get("INDICATION", ""), "comp": sec.get("COMPARISON", ""),
                "find": sec.get("FINDINGS", ""), "imp": sec.get("IMPRESSION", ""),
                "major": re.findall(r"<major>(.*?)</major>", s),
            }
    _IU_CACHE[key] = out
    return out


def dev_uids() -> set:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p) as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.add(json.loads(line).get("uid"))
    return out


SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemothorax\b", "haemothorax"),
    (r"\bhematoma\b", "haematoma"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\btumor\b", "tumour"), (r"\bcenter\b", "centre"), (r"\bcentered\b", "centred"),
    (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"), (r"\bcalcified\b", "calcified"),
    (r"\banemia\b", "anaemia"), (r"\bdyspnea\b", "dyspnoea"), (r"\bDyspnea\b", "Dyspnoea"),
    (r"\bleukocytosis\b", "leucocytosis"), (r"\bfavor\b", "favour"),
    (r"\bcharacterized\b", "characterised"), (r"\borganized\b", "organised"),
]
REWORD = [
    (r"\bThe lungs are clear\b(?! bilaterally)", "Both lungs are clear"),
    (r"\bLungs are clear\b(?! bilaterally)", "Both lungs are clear"),
    (r"\bcostophrenic angles\b", "CP angles"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality detected"),
    (r"\bNo acute disease\b", "No active disease"),
    (r"\bHeart size is normal\b", "Heart size is within normal limits"),
    (r"\bThe heart is normal in size\b", "Heart size is within normal limits"),
    (r"\bradiograph\b", "X-ray"),
]


def tidy(s: str, rng: random.Random | None = None) -> str:
    s = re.sub(r"\s+", " ", s or "").strip()
    s = re.sub(r"\s+\.", ".", s)
    s = re.sub(r"\.(\s*\.)+", ".", s)
    s = re.sub(r"(?<=[a-z])\.(?=[A-Z][a-z])", ". ", s)
    for a, b in SPELL:
        s = re.sub(a, b, s)
    if rng is not None:
        for a, b in REWORD:
            if rng.random() < 0.5:
                s = re.sub(a, b, s)
    return s


def sentences(s: str) -> list[str]:
    s = s.strip()
    if not s:
        return []
    parts = re.split(r"(?<=[a-z0-9\)%])\.\s+(?=[A-Z0-9])", s)
    out = []
    for p in parts:
        p = p.strip()
        if p and not p.endswith("."):
            p += "."
        if p:
            out.append(p)
    return out


def split_numbered(s: str) -> list[str]:
    items = [x.strip() for x in re.split(r"(?:^|\s)\d\.\s+", s) if x.strip()]
    return items


BAD_TEXT = re.compile(r"\[|\]|_{2,}|\*\*|<|>|\{|\}|\.\.\.|\b(IMPRESSION|FINDINGS|COMPARISON|INDICATION)\s*:|"
                      r"\bExam:")
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|cleared|clear|removed|"
                     r"previous|prior|old|chronic|stable|unchanged|healed|scar|scarring|calcifi\w*|"
                     r"granulom\w*|possible|possibly|may|might|could|cannot|questionable|versus|vs|"
                     r"less likely|likely atelectasis|atelectasis|minimal|trace|small|tiny|borderline|mild|"
                     r"exclude|excluded|ruled|rule out|suspected|concern|difficult|evaluation|if|or|"
                     r"improv\w*|decreas\w*|resolving|clearing|breast|nipple|known)\b",
                     re.I)
SIG_CONCEPTS = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|airspace disease|air space disease|infiltrate", re.I),
    "oedema": re.compile(r"oedema|edema|vascular congestion|pulmonary congestion", re.I),
    "effusion": re.compile(r"(moderate|large)[\w\s-]{0,20}effusion", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
    "free air": re.compile(r"free air|pneumoperitoneum|free intraperitoneal", re.I),
    "widened mediastinum": re.compile(r"mediastin\w* (is )?widen|widened mediastin|widening of the mediastin",
                                      re.I),
}
CONCEPT_IMP = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|airspace|air space|infiltrat|opacit|infect", re.I),
    "oedema": re.compile(r"oedema|edema|congesti|failure", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "mass": re.compile(r"mass|neoplas|malignan|tumou?r", re.I),
    "free air": re.compile(r"free air|pneumoperitoneum", re.I),
    "widened mediastinum": re.compile(r"mediastin", re.I),
}
ANY_SIG_IMP = re.compile(r"pneumothora|consolidat|pneumonia|airspace|infiltrat|oedema|edema|effusion|mass|"
                         r"nodule|opacit|congesti|atelecta|fractur|cardiomegal|enlarg|widen", re.I)


def imp_affirms(name: str, imp: str) -> bool:
    return any(CONCEPT_IMP[name].search(s) and not re.search(r"\b(no|without|negative|resolved|not)\b", s, re.I)
               for s in sentences(imp))


def affirmed_sig(find_text: str) -> list[tuple[str, str]]:
    out = []
    for s in sentences(find_text):
        if NEG_CUE.search(s):
            continue
        for name, rx in SIG_CONCEPTS.items():
            if rx.search(s):
                out.append((name, s))
    return out


LAT_GROUPS = {
    "effusion": re.compile(r"effusion", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "airspace": re.compile(r"consolidat|pneumonia|airspace|air space|infiltrat|opacit", re.I),
    "atelectasis": re.compile(r"atelecta", re.I),
    "nodule": re.compile(r"nodul|granulom", re.I),
    "fracture": re.compile(r"fractur", re.I),
    "hemidiaphragm": re.compile(r"hemidiaphragm", re.I),
}
SIDE_RX = re.compile(r"\b(right|left)\b", re.I)
BILAT = re.compile(r"\b(bilateral|bilaterally|both|bibasilar|bibasal)\b", re.I)


def side_of(s: str) -> str | None:
    sides = {m.lower() for m in SIDE_RX.findall(s)}
    if len(sides) != 1 or BILAT.search(s):
        return None
    return sides.pop()


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        return o.capitalize() if w[0].isupper() else o
    return SIDE_RX.sub(rep, s)


def lat_candidate(fs: list[str], isents: list[str]):
    """(group, side, findings indices, impression indices) if every mention agrees on one side."""
    for g, rx in LAT_GROUPS.items():
        fi = [i for i, s in enumerate(fs) if rx.search(s)]
        ii = [i for i, s in enumerate(isents) if rx.search(s)]
        if not fi or not ii:
            continue
        sides = [side_of(fs[i]) for i in fi] + [side_of(isents[i]) for i in ii]
        if any(x is None for x in sides) or len(set(sides)) != 1:
            continue
        if any(re.search(r"\bno\b|\bwithout\b|\bresolved\b", fs[i] + " " + isents[j], re.I)
               for i in fi for j in ii):
            continue
        return g, sides[0], fi, ii
    return None


def iu_case(rng: random.Random, r: dict, ctx: str | None = None) -> dict:
    ctx = ctx or rng.choice(["check", "opd", "opd", "ed", "ward"])
    c = new_case(rng, ctx)
    ind = tidy(r["ind"])
    if ind and ind not in ("XXXX", "XXXX."):
        c["history"] = _cap(ind) if ind.endswith(".") else _cap(ind) + "."
    comp = tidy(r["comp"])
    if comp:
        c["comparison"] = _cap(comp) if comp.endswith(".") else _cap(comp) + "."
    elif re.search(r"\b(interval|prior|previous|previously|compared|again|stable|unchanged|new|increas\w*|"
                   r"decreas\w*|resolution|resolved|improv\w*|remains?)\b", r["find"] + " " + r["imp"], re.I):
        c["comparison"] = f"Previous study dated {a_date(rng, 2024)}."
    else:
        c["comparison"] = rng.choice(COMPARISON_NONE)
    if c["comparison"] in COMPARISON_NONE and re.search(
            r"\b(interval|compared|again|unchanged|resolution|resolved|improv\w*|remains?|stable|new|"
            r"increas\w*|decreas\w*|previously)\b", r["find"] + " " + r["imp"], re.I):
        c["comparison"] = f"Previous study dated {a_date(rng, 2024)}."
    c["findings"] = sentences(tidy(r["find"], rng))
    imp = tidy(r["imp"], rng)
    c["impression"] = [_cap(x) if x.endswith(".") else _cap(x) + "." for x in split_numbered(imp)]
    if len(c["impression"]) > 1:
        c["istyle"] = rng.choice(["num", "num", "dash"])
    return c


def usable(r: dict) -> bool:
    txt = " ".join([r["ind"], r["comp"], r["find"], r["imp"]])
    return bool(r["find"].strip() and r["imp"].strip() and not BAD_TEXT.search(txt))


CROSS_TERMS = ["nodul", "effusion", "pneumothora", "consolidat", "infiltrat", "opacit", "oedema", "edema",
               "cardiomegal", "fractur", "mass", "atelecta", "granulom"]


def cross_negated(r: dict) -> bool:
    """True when one section negates a term the other affirms (kept out of the clean pool)."""
    fs, isents = sentences(r["find"]), sentences(r["imp"])
    for t in CROSS_TERMS:
        for a_side, b_side in ((fs, isents), (isents, fs)):
            neg = any(re.search(r"\b(no|without|negative for|free of|not)\b[^.]*" + t, s, re.I) for s in a_side)
            aff = any(t in s.lower() and not re.search(r"\b(no|without|negative|free of|not|resolved|clear)\b", s,
                                                        re.I) for s in b_side)
            if neg and aff:
                return True
    return False


def clean_ok(r: dict) -> bool:
    if cross_negated(r):
        return False
    if r["major"] == ["normal"]:
        return True
    imp = r["imp"]
    for name, _s in affirmed_sig(r["find"]):
        if not CONCEPT_IMP[name].search(imp):
            return False
    if re.search(r"\b(new|increas\w+|worsen\w*)\b", r["find"], re.I) and not re.search(
            r"\b(new|increas\w+|worsen\w*|progress\w*)\b", imp, re.I):
        return False
    if re.search(r"\bnormal\b|no acute|no active", imp, re.I) and affirmed_sig(r["find"]):
        # a normal-sounding impression next to a significant finding: leave it out of the clean pool
        return False
    if re.search(r"\bnodule\b", r["find"], re.I) and not re.search(r"nodul|granulom", imp, re.I):
        return False
    return True


NEG_PATTERNS = [
    (re.compile(r"\bno (?:\w+ ){0,3}pleural effusions?\b|\bno (?:\w+ ){0,2}effusions?\b|"
                r"without (?:\w+ ){0,3}effusions?", re.I),
     ["Small {side} pleural effusion.", "{Side} pleural effusion.", "Moderate {side} pleural effusion."],
     "effusion"),
    (re.compile(r"\bno (?:\w+ ){0,3}pneumothora|\bor pneumothorax\b", re.I),
     ["Small {side} apical pneumothorax.", "{Side} pneumothorax."], "pneumothorax"),
    (re.compile(r"\b(heart|cardiac) (size )?(is )?(within )?normal|\bnormal (heart|cardiac) size|"
                r"heart (size )?is not enlarged|cardiomediastinal silhouette is (within )?normal", re.I),
     ["Cardiomegaly.", "Enlarged heart.", "Cardiomegaly, CTR 0.58."], "cardiomegaly"),
    (re.compile(r"\bno (?:\w+ ){0,3}(consolidation|airspace|infiltrate)|lungs are clear|lungs clear", re.I),
     ["{Side} lower zone consolidation, likely pneumonia.", "{Side} basal pneumonia.",
      "Patchy consolidation {side} lower zone."], "consolidation"),
]
AFF_NEGATE = {
    "effusion": (re.compile(r"effusion", re.I), ["No pleural effusion.", "No pleural effusion. No active lung "
                                                                       "lesion."]),
    "cardiomegaly": (re.compile(r"cardiomegaly|heart (size )?is enlarged|enlarged (heart|cardiac)", re.I),
                     ["Normal heart size. No acute cardiopulmonary abnormality.",
                      "Heart size within normal limits."]),
    "consolidation": (re.compile(r"consolidat|airspace disease|pneumonia|infiltrate", re.I),
                      ["Lungs are clear.", "No consolidation. No active lung lesion.", "Clear lungs."]),
    "pneumothorax": (re.compile(r"pneumothora", re.I), ["No pneumothorax."]),
}


def iu_neg_options(r: dict) -> list:
    opts = []
    fs = sentences(tidy(r["find"]))
    imp = r["imp"]
    normal_imp = bool(re.search(r"no acute|no active|normal|negative|unremarkable", imp, re.I)) and not \
        ANY_SIG_IMP.search(imp)
    if normal_imp:
        for rx, tpls, name in NEG_PATTERNS:
            if any(rx.search(s) for s in fs):
                opts.append(("affirm", name, tpls))
    for name, (rx, tpls) in AFF_NEGATE.items():
        hits = [s for s in fs if rx.search(s) and not NEG_CUE.search(s.replace("mild", "").replace("small", ""))]
        hits = [s for s in hits if not re.search(r"\b(no|without|negative|resolved|clear)\b", s, re.I)]
        if hits and re.search(rx.pattern, imp, re.I):
            opts.append(("negate", name, tpls))
    return opts


def iu_place_options(c: dict) -> list:
    opts = []
    for sec in ("findings", "impression"):
        for i, s in enumerate(c[sec]):
            for m in re.finditer(r"\b(right|left|mild|small|moderate|normal|clear|\d+(?:\.\d+)?)\b", s, re.I):
                opts.append((sec, i, m.start(), m.end(), m.group(0)))
    return opts


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h113-{seed}")
    iu = load_iu()
    dev = dev_uids()
    uids = sorted((u for u in iu if u not in dev and usable(iu[u])), key=lambda u: int(re.sub(r"\D", "", u)))
    used: set = set()
    rows: list[dict] = []

    def take(pool: list[str]) -> list[str]:
        return [u for u in pool if u not in used]

    # ---------- bank half
    for _ in range(N_CLEAN // 2):
        c, d = bank_clean(rng)
        rows.append({"injected": None, "detail": d, "report": render(c)})
    makers = {"missing_section": bank_missing, "laterality_conflict": bank_lat, "negation_conflict": bank_neg,
              "impression_omits_finding": bank_omit, "placeholder": bank_placeholder}
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            c, d = makers[kind](rng)
            rows.append({"injected": kind, "detail": d, "report": render(c)})

    # ---------- real IU half
    # laterality
    lat_pool = []
    for u in uids:
        r = iu[u]
        fs = sentences(tidy(r["find"]))
        isents = [x for part in split_numbered(tidy(r["imp"])) for x in sentences(part)]
        if lat_candidate(fs, isents):
            lat_pool.append(u)
    n = 0
    for u in rng.sample(lat_pool, len(lat_pool)):
        if n >= N_KIND // 2:
            break
        c = iu_case(rng, iu[u])
        isents = c["impression"]
        cand = lat_candidate(c["findings"], isents)
        if not cand:
            continue
        g, side, fi, ii = cand
        if rng.random() < 0.5:
            j = rng.choice(ii)
            old = isents[j]
            isents[j] = flip_side(old)
            d = f"impression sentence flipped {side}->other: {old!r} -> {isents[j]!r}"
        else:
            j = rng.choice(fi)
            old = c["findings"][j]
            c["findings"][j] = flip_side(old)
            d = f"findings sentence flipped {side}->other: {old!r} -> {c['findings'][j]!r}"
        used.add(u)
        n += 1
        rows.append({"injected": "laterality_conflict", "detail": f"source: IU {u}; {d}", "report": render(c)})
    assert n == N_KIND // 2, ("laterality pool too small", n)

    # omission
    om_pool = []
    for u in take(uids):
        r = iu[u]
        hits = affirmed_sig(r["find"])
        hits = [(nm, s) for nm, s in hits if imp_affirms(nm, r["imp"])]
        if hits:
            om_pool.append(u)
    n = 0
    for u in rng.sample(om_pool, len(om_pool)):
        if n >= N_KIND // 2:
            break
        r = iu[u]
        c = iu_case(rng, r)
        hits = [(nm, s) for nm, s in affirmed_sig(r["find"]) if imp_affirms(nm, r["imp"])]
        nm, s = hits[0]
        c["impression"] = [normal_impression(rng, c["ctx"] if c["ctx"] != "check" else "opd")]
        used.add(u)
        n += 1
        rows.append({"injected": "impression_omits_finding",
                     "detail": f"source: IU {u}; impression replaced by {c['impression'][0]!r}; findings affirm "
                               f"{nm}: {s!r}", "report": render(c)})
    assert n == N_KIND // 2, ("omission pool too small", n)

    # negation
    neg_pool = [u for u in take(uids) if iu_neg_options(iu[u])]
    n = 0
    counts: dict = {}
    for u in rng.sample(neg_pool, len(neg_pool)):
        if n >= N_KIND // 2:
            break
        r = iu[u]
        opts = iu_neg_options(r)
        opts.sort(key=lambda o: counts.get(o[1], 0))
        negs = [o for o in opts if o[0] == "negate"]
        mode, name, tpls = negs[0] if negs and rng.random() < 0.6 else opts[0]
        if counts.get(name, 0) >= 7:
            continue
        counts[name] = counts.get(name, 0) + 1
        c = iu_case(rng, r)
        v = finding_vars(rng)
        new = fill(rng.choice(tpls), v)
        if mode == "affirm":
            c["impression"] = [new] + ([rng.choice(["Otherwise no acute abnormality.",
                                                     "No other active lung lesion."])] if rng.random() < 0.5 else [])
            d = f"impression now affirms {name} ({new!r}) which the findings negate"
        else:
            rx = AFF_NEGATE[name][0]
            kept, done = [], False
            for item in c["impression"]:
                parts = sentences(item)
                hit = [p for p in parts if rx.search(p)]
                if hit:
                    parts = [p for p in parts if not rx.search(p)]
                    if not done:
                        parts.insert(0, new)
                        done = True
                if parts:
                    kept.append(" ".join(parts))
            c["impression"] = kept if done else [new]
            d = f"impression now negates {name} ({new!r}) which the findings affirm; other impression text kept"
        used.add(u)
        n += 1
        rows.append({"injected": "negation_conflict", "detail": f"source: IU {u}; {d}", "report": render(c)})
    assert n == N_KIND // 2, ("negation pool too small", n)

    # clean
    normal_pool = [u for u in take(uids) if iu[u]["major"] == ["normal"]]
    abn_pool = [u for u in take(uids) if iu[u]["major"] != ["normal"] and clean_ok(iu[u])]
    n_norm = 68
    picks = rng.sample(normal_pool, n_norm) + rng.sample(abn_pool, N_CLEAN // 2 - n_norm)
    for u in picks:
        c = iu_case(rng, iu[u])
        used.add(u)
        rows.append({"injected": None, "detail": f"source: IU {u}; clean, re-laid-out", "report": render(c)})

    # missing section and placeholder from the rest (mixed normal / abnormal)
    rest = [u for u in take(uids) if iu[u]["major"] == ["normal"] or clean_ok(iu[u])]
    picks = rng.sample(rest, N_KIND)
    for u in picks[: N_KIND // 2]:
        c = iu_case(rng, iu[u])
        t = rng.randrange(3)
        if t == 0:
            c["impression"] = []
            d = "impression header left empty"
        elif t == 1:
            c["impression"] = None
            d = "impression section removed"
        else:
            c["impression"] = None
            c["signoff_override"] = rng.choice(["Dictated, not yet verified.", "Report pending verification."])
            d = "impression section removed; unsigned dictation"
        used.add(u)
        rows.append({"injected": "missing_section", "detail": f"source: IU {u}; {d}", "report": render(c)})
    for u in picks[N_KIND // 2:]:
        c = iu_case(rng, iu[u])
        opts = iu_place_options(c)
        if not opts or rng.random() < 0.25:
            tok = rng.choice(["[***]", "<<clinical history>>", "[date]", "......"])
            if "date" in tok:
                c["comparison"] = f"Previous study dated {tok}."
                d = f"comparison date left as {tok!r}"
            else:
                c["history"] = tok
                d = f"clinical history left as {tok!r}"
        else:
            sec, i, a, b, word = rng.choice(opts)
            if word.lower() in ("right", "left"):
                tok = rng.choice(["[Rt/Lt]", "[right/left]", "[***]"])
            elif word[0].isdigit():
                tok = rng.choice(["xx", "[xx]", "......", "[ ]"])
            else:
                tok = rng.choice(PH_TOKENS)
            s = c[sec][i]
            c[sec][i] = s[:a] + tok + s[b:]
            d = f"{sec}: {word!r} replaced by {tok!r}"
        used.add(u)
        rows.append({"injected": "placeholder", "detail": f"source: IU {u}; {d}", "report": render(c)})

    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h113-{seed}-{k + 1}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
