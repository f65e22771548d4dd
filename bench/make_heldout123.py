"""Held-out report-check set 123, written blind.

Setting: Iraq and the Kurdistan Region -- English-reporting teaching and private hospitals in
Baghdad, Basra, Erbil and Sulaymaniyah, with radiologists trained in the Iraqi / Arab / Kurdistan
boards (FIBMS, CABMS, KBMS) and in the UK (FRCR).  Chest films are reported in British spelling
("oedema", "visualised", "CP angles", "zones"), with an exam line, clinical history ("K/C of DM",
"RTA", "pre-employment"), comparison, findings and an impression / conclusion / opinion, and a
sign-off with the radiologist's qualifications.  Most films are normal or near-normal.

400 cases: 200 clean and 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase bank
below, half are real IU (Open-i) reports not in the dev set, re-laid-out and lightly re-worded.

    python -m bench.make_heldout123 OUT.jsonl --seed S [--show N]
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

# ruff: noqa: E501  (phrase-bank lines are kept whole for reading)

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


# --------------------------------------------------------------------------- setting bank

INSTITUTIONS = [
    "Department of Radiology, Baghdad Teaching Hospital, Medical City",
    "Radiology Department, Al-Kindy Teaching Hospital, Baghdad",
    "Department of Diagnostic Radiology, Basrah Teaching Hospital",
    "Radiology Unit, Al-Sadr Teaching Hospital, Basra",
    "Rizgary Teaching Hospital, Erbil - X-ray Department",
    "PAR Hospital, Erbil - Imaging Department",
    "Shar Hospital, Sulaymaniyah - Radiology",
    "Faruk Medical City, Sulaimani - Department of Imaging",
    "Sulaimani Teaching Hospital - Radiology Department",
]
NAMES = [
    "Dr. Ali Hussein Al-Obaidi", "Dr. Zainab Kadhim", "Dr. Shwan Ahmed Mohammed",
    "Dr. Rebwar Omar", "Dr. Hawre Jalal", "Dr. Noor Al-Saadi", "Dr. Mustafa Jabbar",
    "Dr. Sarah Abdulrahman", "Dr. Karwan Salih", "Dr. Dilan Aziz", "Dr. Haider Al-Maliki",
    "Dr. Ban Abdul-Kareem", "Dr. Sherko Hama Rashid", "Dr. Ahmed Sabah",
]
QUALS = [
    "MBChB, FIBMS (Radiology)", "MBChB, DMRD, FIBMS", "MBChB, FRCR", "MBChB, KBMS (Radiology)",
    "MBChB, CABMS (Rad.)", "MBChB, FICMS-Rad", "MBChB, MSc, FRCR", "M.B.Ch.B., F.I.B.M.S. (Rad.)",
]
TITLES = ["Consultant Radiologist", "Specialist Radiologist", "Radiologist", "Consultant Radiologist"]

EXAM_LINES = [
    "CHEST X-RAY (PA VIEW)", "X-Ray Chest PA", "Examination: Chest radiograph, PA erect",
    "CXR PA", "Chest X-ray PA view", "CHEST RADIOGRAPH - PA", "Exam: Plain X-ray chest (PA)",
    "X-RAY CHEST PA ERECT", "Study: Chest X-ray, PA projection",
]
EXAM_LINES_AP = ["Chest X-ray AP (portable)", "CXR AP supine (ward film)", "X-RAY CHEST AP SITTING"]
EXAM_LINES_2V = [
    "CHEST X-RAY PA AND LATERAL", "Chest radiograph, PA & lateral views",
    "X-Ray Chest PA + Lat", "Examination: CXR PA and lateral",
]

HISTORIES_NORMAL = [
    "Pre-employment medical.", "Pre-operative assessment.", "Routine check-up.",
    "Cough for 2 weeks.", "Chest pain, ?cause.", "K/C of DM and HTN, SOB on exertion.",
    "Known case of asthma, cough.", "Post COVID-19 follow-up.", "Fever and cough for 3 days.",
    "Pre-travel medical examination.", "RTA, chest trauma.", "Dyspnoea.",
    "Smoker, chronic cough.", "c/o atypical chest pain.", "Pre-op, lap. cholecystectomy.",
    "Visa medical.", "Fever, ?chest infection.", "Fall from height, chest pain.",
    "Palpitations, K/C of HTN.", "Preoperative, thyroidectomy.",
]
HIST_BY_FINDING = {
    "consolidation": ["Fever and productive cough for 5 days.", "Fever, ?pneumonia.", "Cough and pyrexia."],
    "effusion": ["SOB and pleuritic chest pain.", "Dyspnoea, ?effusion.", "K/C of CKD on dialysis, SOB."],
    "pneumothorax": ["Sudden chest pain and SOB.", "RTA, chest trauma.", "Tall thin young male, acute SOB."],
    "oedema": ["K/C of IHD, increasing SOB.", "Orthopnoea, K/C of heart failure.", "CKD, fluid overload."],
    "mass": ["Smoker, weight loss and haemoptysis.", "Haemoptysis.", "Chronic cough, weight loss."],
    "nodule": ["Smoker, chronic cough.", "Incidental finding on previous film.", "Cough, ex-smoker."],
    "mediastinum": ["RTA, high-speed, chest trauma.", "Severe chest pain radiating to the back."],
    "freeair": ["Acute abdomen, ?perforation.", "Epigastric pain, ?perforated DU.", "Severe abdominal pain."],
}
COMPARISONS = [
    "None.", "No previous films available.", "Nil.", "None available.",
    "Previous film dated {d}.", "CXR dated {d}.", "Compared with the film of {d}.",
]
TECHNIQUES = ["PA erect view.", "Single PA view, adequate inspiration.", "PA projection, good exposure.",
              "PA view; satisfactory inspiration and rotation."]

H_FIND = ["FINDINGS:", "Findings:", "REPORT:", "Report:"]
H_IMP = ["IMPRESSION:", "Impression:", "CONCLUSION:", "Conclusion:", "OPINION:", "Opinion:", "Comment:"]
H_HIST = ["Clinical history:", "CLINICAL DETAILS:", "Clinical information:", "History:", "Indication:",
          "Clinical data:"]
H_COMP = ["Comparison:", "COMPARISON:", "Previous:", "Prior imaging:"]
H_TECH = ["Technique:", "View:", "TECHNIQUE:"]

# Normal sentences and the finding tags they would contradict.
NORMAL = {
    "lung": [("Both lung fields are clear.", {"lung"}), ("The lungs are clear.", {"lung"}),
             ("No focal lung lesion is seen.", {"lung"}),
             ("Both lungs are well expanded and clear.", {"lung", "ptx"}),
             ("No consolidation or collapse.", {"lung"})],
    "pleura": [("Both CP angles are clear.", {"effusion"}), ("Both costophrenic angles are sharp.", {"effusion"}),
               ("No pleural effusion or pneumothorax.", {"effusion", "ptx"}), ("No pneumothorax.", {"ptx"})],
    "heart": [("Heart size is within normal limits.", {"heart"}), ("Cardiac size and configuration are normal.", {"heart"}),
              ("Normal cardiothoracic ratio.", {"heart"}), ("The heart is not enlarged (CTR < 0.5).", {"heart"})],
    "mediast": [("Trachea is central and the mediastinum is not widened.", {"mediast"}),
                ("Mediastinal contour is normal.", {"mediast", "aorta"}),
                ("Both hila are normal in size and density.", {"hila"})],
    "diaph": [("Both hemidiaphragms are smooth and well defined.", {"diaph"}),
              ("Both domes of the diaphragm are normal in outline and position.", {"diaph"})],
    "bone": [("Visualised bony thorax is intact.", {"bone"}), ("Bony cage and soft tissues are unremarkable.", {"bone"}),
             ("No acute bony injury.", {"acutebone"}), ("Visualised bones and soft tissues are normal.", {"bone"})],
}
NORMAL_IMP = ["Normal chest X-ray.", "No active chest disease.", "No significant abnormality detected.",
              "No acute cardiopulmonary abnormality.", "Normal study.",
              "No radiological evidence of active lung disease.", "Normal chest radiograph.",
              "Normal chest X-ray for age."]
# generic normal statements pasted over an impression (they name no particular finding)
NORMAL_PASTE = ["No acute cardiopulmonary abnormality.", "No active chest disease.", "Normal chest X-ray.",
                "No significant abnormality seen.", "Unremarkable chest radiograph.",
                "No acute chest pathology.", "Normal study.", "No radiological abnormality detected."]
# impression for a minor finding left out (allowed: not significant)
MINOR_OK_IMP = ["No active chest disease.", "No acute cardiopulmonary abnormality.",
                "No acute chest pathology.", "No radiological evidence of active lung disease."]

# Findings bank.  {side} right/left, {Side} Right/Left, {sd} Rt/Lt.
FINDINGS = [
    # significant
    dict(key="consolidation", sig=True, sided=True, tags={"lung", "diaph"}, focal=True,
         f=["Patchy airspace opacity in the {side} lower zone with air bronchograms, in keeping with consolidation.",
            "Homogeneous opacity in the {side} lower zone obscuring the {side} hemidiaphragm, consistent with consolidation.",
            "Ill-defined consolidation in the {side} mid zone.",
            "{sd} lower zone consolidation with air bronchogram."],
         i=["{Side} lower zone consolidation, likely infective. Follow-up film after treatment is advised.",
            "{Side} sided pneumonia.", "{Side} lower zone consolidation - chest infection.",
            "Consolidation in the {side} lung, in keeping with pneumonia; clinical correlation."]),
    dict(key="effusion", sig=True, sided=True, tags={"effusion", "diaph", "lung"}, focal=False,
         f=["Moderate {side} pleural effusion with meniscus sign, obscuring the {side} hemidiaphragm.",
            "Large {side} pleural effusion occupying the lower half of the {side} hemithorax.",
            "Opacification of the {side} lower zone with obliteration of the {side} CP angle, representing a moderate pleural effusion."],
         i=["Moderate {side} pleural effusion.", "Large {side} pleural effusion; suggest US-guided tap if clinically indicated.",
            "{Side} pleural effusion (moderate)."]),
    dict(key="pneumothorax", sig=True, sided=True, tags={"ptx", "lung"}, focal=False,
         f=["{Side} pneumothorax with a visible lung edge and absent lung markings peripherally; no mediastinal shift.",
            "There is a {side} sided pneumothorax, about 2.5 cm rim at the level of the hilum.",
            "Visceral pleural line seen in the {side} apex with no lung markings beyond it, consistent with pneumothorax."],
         i=["{Side} pneumothorax. Clinicians informed.", "{Side} sided pneumothorax, no tension features.",
            "{Side} apical pneumothorax."]),
    dict(key="oedema", sig=True, sided=False, tags={"lung", "hila", "heart", "effusion"}, focal=False,
         f=["Cardiomegaly with upper lobe diversion, bilateral perihilar haziness and Kerley B lines.",
            "Enlarged heart, bat-wing perihilar shadowing and septal lines, consistent with pulmonary oedema.",
            "Cardiomegaly, prominent upper lobe veins and interstitial oedema with small bilateral effusions."],
         i=["Features of pulmonary oedema / left ventricular failure.", "Cardiomegaly with pulmonary oedema.",
            "Congestive heart failure with interstitial oedema."]),
    dict(key="mass", sig=True, sided=True, tags={"lung", "hila"}, focal=True,
         f=["A well-defined rounded opacity about 4 cm in the {side} upper zone.",
            "Lobulated mass in the {side} hilar region measuring about 5 x 4 cm.",
            "A 3 cm soft tissue mass in the {side} mid zone with spiculated margin."],
         i=["{Side} upper zone mass; CT chest with contrast is recommended.", "{Side} hilar mass, ?bronchogenic carcinoma; CT advised.",
            "{Side} lung mass - suggest CT chest and chest clinic referral."]),
    dict(key="nodule", sig=True, sided=True, tags={"lung"}, focal=True,
         f=["A {n} mm non-calcified nodule in the {side} mid zone.",
            "Solitary pulmonary nodule measuring about {n} mm in the {side} upper zone.",
            "{sd} lower zone nodular opacity of {n} mm."],
         i=["{n} mm {side} lung nodule; CT chest recommended.", "Solitary {side} pulmonary nodule ({n} mm), CT advised.",
            "{Side} {n} mm nodule - further evaluation with CT is suggested."]),
    dict(key="mediastinum", sig=True, sided=False, tags={"mediast"}, focal=False,
         f=["The superior mediastinum is widened, measuring about 9.5 cm, with loss of the aortic knuckle outline.",
            "Widened mediastinum with an indistinct aortic knuckle."],
         i=["Widened mediastinum; urgent CT aortogram is advised to exclude aortic injury.",
            "Mediastinal widening - CT chest with contrast is recommended."]),
    dict(key="freeair", sig=True, sided=False, tags={"freeair", "diaph"}, focal=False,
         f=["Free gas is seen under the right hemidiaphragm.", "Crescent of free air under both domes of the diaphragm.",
            "Air under the right dome of the diaphragm."],
         i=["Pneumoperitoneum - ?perforated viscus; surgical team informed.", "Free intraperitoneal air, consistent with perforation.",
            "Free air under the diaphragm."]),
    # minor / chronic / incidental
    dict(key="cardiomegaly", sig=False, sided=False, tags={"heart"}, focal=False,
         f=["The heart is mildly enlarged (CTR about 0.55).", "Mild cardiomegaly.", "Borderline cardiomegaly, CTR 0.52."],
         i=["Mild cardiomegaly.", "Mildly enlarged heart; no active lung disease.", "Borderline cardiac enlargement."]),
    dict(key="bronchitic", sig=False, sided=False, tags={"lung"}, focal=False,
         f=["Prominent bronchovascular markings in both lower zones.", "Increased bronchovascular markings bilaterally.",
            "Bilateral peribronchial thickening."],
         i=["Bronchitic changes.", "Prominent bronchovascular markings, ?bronchitis / reactive airways.",
            "Features suggestive of bronchitis."]),
    dict(key="smalleff", sig=False, sided=True, tags={"effusion"}, focal=False,
         f=["Minimal blunting of the {side} CP angle, small effusion or pleural thickening.",
            "Trace {side} pleural effusion.", "Small {side} pleural effusion blunting the {side} costophrenic angle."],
         i=["Small {side} pleural effusion.", "Blunted {side} CP angle.", "Minimal {side} pleural effusion."]),
    dict(key="granuloma", sig=False, sided=True, tags={"lung"}, focal=True,
         f=["Small calcified granuloma in the {side} mid zone.", "Tiny calcified nodule in the {side} upper zone, likely granuloma."],
         i=["Calcified granuloma, {side} mid zone.", "Old granulomatous disease."]),
    dict(key="fibrosis", sig=False, sided=True, tags={"lung"}, focal=True,
         f=["Fibrotic strands and small calcific foci in the {side} upper zone, likely old healed TB.",
            "Linear scarring in the {side} upper zone with mild volume loss, old changes."],
         i=["Old fibrotic changes in the {side} upper zone, likely post-TB; no active disease.",
            "{Side} apical scarring, old."]),
    dict(key="spine", sig=False, sided=False, tags=set(), focal=False,
         f=["Degenerative changes of the dorsal spine.", "Mild thoracic spondylosis.", "Osteophytes in the thoracic spine."],
         i=["Dorsal spondylosis."]),
    dict(key="oldfracture", sig=False, sided=True, tags={"bone"}, focal=False,
         f=["Old healed fracture of the {side} 6th rib.", "Healed fractures of the {side} posterior 7th and 8th ribs."],
         i=["Old healed {side} rib fracture."]),
    dict(key="aorta", sig=False, sided=False, tags={"aorta"}, focal=False,
         f=["Unfolded thoracic aorta with calcified aortic knuckle.", "Atherosclerotic calcification of the aortic arch."],
         i=["Unfolded, calcified aorta.", "Aortic atherosclerosis."]),
    dict(key="hyperinflation", sig=False, sided=False, tags={"lung", "diaph"}, focal=False,
         f=["Hyperinflated lungs with flattened hemidiaphragms.", "Hyperexpanded lung fields with flat domes of the diaphragm."],
         i=["Hyperinflation, in keeping with COPD / asthma.", "Features of COPD."]),
]
FBY = {f["key"]: f for f in FINDINGS}
SIG_KEYS = [f["key"] for f in FINDINGS if f["sig"]]
MINOR_KEYS = [f["key"] for f in FINDINGS if not f["sig"]]
SIG_WEIGHTS = {"consolidation": 9, "effusion": 6, "pneumothorax": 4, "oedema": 5, "mass": 3, "nodule": 3,
               "mediastinum": 1, "freeair": 2}
MINOR_WEIGHTS = {"cardiomegaly": 6, "bronchitic": 6, "smalleff": 3, "granuloma": 3, "fibrosis": 3, "spine": 4,
                 "oldfracture": 1, "aorta": 3, "hyperinflation": 3}

SIDE_PH = ["[Rt/Lt]", "(right/left)", "<side>", "[side]", "[R / L]"]
SIZE_PH = ["xx", "[size]", "**", "[ ]"]
WORD_PH = ["[***]", "[ ]", "<...>", "***", "[insert]"]
DATE_PH = ["dd/mm/yyyy", "[date]", "--/--/----"]


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def fill(t: str, side: str, n: int) -> str:
    return (t.replace("{side}", side).replace("{Side}", side.capitalize())
            .replace("{sd}", "Rt" if side == "right" else "Lt").replace("{n}", str(n)))


def rdate(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2022, 2023, 2024, 2025])}"


def signoff(rng: random.Random) -> str:
    name, q, t = rng.choice(NAMES), rng.choice(QUALS), rng.choice(TITLES)
    return rng.choice([
        f"{name}\n{q}\n{t}",
        f"Reported by: {name}, {q}",
        f"{name} ({q}) - {t}",
        f"Radiologist: {name}\n{q}",
        f"Signed: {name}, {t}",
    ])


def render(p: dict, rng: random.Random) -> str:
    """Lay a report out.  p: exam, history, comparison, technique, findings (list|str|None),
    impression (list|str|None), keep_find_header, keep_imp_header, signoff, institution."""
    out = []
    if p.get("institution"):
        out.append(p["institution"])
    out.append(p["exam"])
    inline = rng.random() < 0.6
    sep = " " if inline else "\n"

    def sec(h, body):
        out.append(f"{h}{sep}{body}".rstrip())

    if p.get("history"):
        sec(rng.choice(H_HIST), p["history"])
    if p.get("comparison"):
        sec(rng.choice(H_COMP), p["comparison"])
    if p.get("technique"):
        sec(rng.choice(H_TECH), p["technique"])
    f = p.get("findings")
    fh = p.get("find_header") or rng.choice(H_FIND)
    if f:
        if isinstance(f, list):
            mode = rng.random()
            if mode < 0.55:
                body = " ".join(f)
            elif mode < 0.8:
                body = "\n".join(f)
                out.append(fh + "\n" + body)
                body = None
            else:
                body = "\n".join("- " + s for s in f)
                out.append(fh + "\n" + body)
                body = None
            if body is not None:
                sec(fh, body)
        else:
            sec(fh, f)
    elif p.get("keep_find_header"):
        out.append(fh)
    imp = p.get("impression")
    ih = p.get("imp_header") or rng.choice(H_IMP)
    if imp:
        if isinstance(imp, list) and len(imp) > 1:
            out.append(ih + "\n" + "\n".join(f"{k}. {s}" for k, s in enumerate(imp, 1)))
        else:
            sec(ih, imp[0] if isinstance(imp, list) else imp)
    elif p.get("keep_imp_header"):
        out.append(ih)
    if p.get("signoff"):
        out.append(p["signoff"])
    return "\n\n".join(out)


# --------------------------------------------------------------------------- synthetic cases

def _wpick(rng, weights):
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def synth_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    """Return (report, detail)."""
    side = rng.choice(["right", "left"])
    n = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
    ap = False
    # what is on the film
    if kind is None:
        r = rng.random()
        if r < 0.6:
            keys = []
        elif r < 0.82:
            keys = [_wpick(rng, MINOR_WEIGHTS)]
        else:
            keys = [_wpick(rng, SIG_WEIGHTS)]
    elif kind in ("impression_omits_finding",):
        keys = [_wpick(rng, SIG_WEIGHTS)]
    elif kind == "laterality_conflict":
        keys = [rng.choice(["consolidation", "effusion", "pneumothorax", "mass", "nodule", "smalleff",
                            "consolidation", "effusion", "fibrosis", "granuloma"])]
    elif kind == "negation_conflict":
        keys = []
    else:  # missing_section / placeholder
        r = rng.random()
        keys = [] if r < 0.55 else ([_wpick(rng, MINOR_WEIGHTS)] if r < 0.8 else [_wpick(rng, SIG_WEIGHTS)])
    if keys and rng.random() < 0.3:
        extra = _wpick(rng, MINOR_WEIGHTS)
        if extra not in keys and not (FBY[extra]["tags"] & FBY[keys[0]]["tags"]) and extra != "smalleff":
            keys.append(extra)
    if "oedema" in keys and "cardiomegaly" in keys:
        keys.remove("cardiomegaly")
    if "freeair" in keys or "pneumothorax" in keys or "mediastinum" in keys:
        ap = rng.random() < 0.3
    tags: set = set()
    for k in keys:
        tags |= FBY[k]["tags"]
    fsent, isent = [], []
    for k in keys:
        fl, il = FBY[k]["f"], FBY[k]["i"]
        j = rng.randrange(len(fl))
        fsent.append(fill(fl[j], side, n))
        isent.append(fill(il[j] if k == "effusion" else rng.choice(il), side, n))
    # normal sentences not contradicting anything on the film
    norm = []
    for region in ["lung", "pleura", "heart", "mediast", "diaph", "bone"]:
        opts = [(s, t) for s, t in NORMAL[region] if not (t & tags)]
        if region == "lung" and not opts:
            if any(FBY[k]["focal"] for k in keys):
                norm.append(rng.choice(["The rest of the lung fields are clear.", "Remaining lungs are clear.",
                                        "The other lung is clear."]))
            continue
        if opts and (region in ("lung", "pleura", "heart") or rng.random() < 0.6):
            norm.append(rng.choice(opts)[0])
    if "freeair" not in keys and rng.random() < 0.05 and "diaph" not in tags:
        norm.append("No free gas under the diaphragm.")
    # order: abnormal first mostly (UK habit), or interleaved
    if rng.random() < 0.7 or not norm or norm[0].startswith(("The rest", "Remaining", "The other")):
        findings = fsent + norm
    else:
        findings = norm[:1] + fsent + norm[1:]
    sig = [k for k in keys if FBY[k]["sig"]]
    if sig:
        impression = [isent[keys.index(k)] for k in sig]
        for k in keys:
            if not FBY[k]["sig"] and rng.random() < 0.5:
                impression.append(isent[keys.index(k)])
    elif keys:
        impression = [isent[0]] if rng.random() < 0.6 else [rng.choice(MINOR_OK_IMP)]
        if impression[0] in MINOR_OK_IMP or rng.random() < 0.4:
            pass
        else:
            impression.append(rng.choice(["No active lung disease.", "Otherwise no acute abnormality."]))
    else:
        impression = [rng.choice(NORMAL_IMP)]
    hist = rng.choice(HIST_BY_FINDING[sig[0]]) if sig and rng.random() < 0.7 else rng.choice(HISTORIES_NORMAL)
    comp = rng.choice(COMPARISONS).replace("{d}", rdate(rng)) if rng.random() < 0.7 else None
    p = dict(
        institution=rng.choice(INSTITUTIONS) if rng.random() < 0.35 else None,
        exam=rng.choice(EXAM_LINES_AP if ap else EXAM_LINES),
        history=hist, comparison=comp,
        technique=rng.choice(TECHNIQUES) if rng.random() < 0.25 and not ap else None,
        findings=findings, impression=impression,
        signoff=signoff(rng) if rng.random() < 0.85 else None,
    )
    detail = ""
    if kind == "missing_section":
        if rng.random() < 0.7:
            p["impression"] = None
            p["keep_imp_header"] = rng.random() < 0.6
            detail = "impression/conclusion left " + ("empty (header only)" if p["keep_imp_header"] else "out entirely")
        else:
            p["findings"] = None
            p["keep_find_header"] = True
            p["impression"] = [rng.choice(["As above.", "Please see above.", "Please correlate clinically.",
                                           "Compared with the previous film, see report.",
                                           "Kindly correlate with clinical findings.", "For follow-up."])]
            detail = "findings section left empty; impression does not describe the film"
    elif kind == "laterality_conflict":
        k = keys[0]
        isided = [t for t in FBY[k]["i"] if "{side}" in t.lower()]
        first = isent[0] if re.search(side, isent[0], re.I) else fill(rng.choice(isided), side, n)
        impression = [first] + \
            [x for x in impression if x != isent[0] and x not in MINOR_OK_IMP]
        p["impression"] = impression
        where = rng.random()
        fi = findings.index(fsent[0])
        if where < 0.55:
            impression[0] = _flip(impression[0])
            detail = f"{k}: findings say {side}, impression says {other(side)}"
        elif where < 0.85:
            findings[fi] = fill(rng.choice(FBY[k]["f"]), other(side), n)
            detail = f"{k}: findings sentence flipped to {other(side)}, impression says {side}"
        else:
            # second findings sentence refers back with the opposite side
            add = {"effusion": "The {side} effusion", "smalleff": "The {side} effusion",
                   "consolidation": "The {side} sided consolidation", "pneumothorax": "The {side} pneumothorax",
                   "mass": "The {side} lung mass", "nodule": "The {side} nodule",
                   "fibrosis": "These {side} upper zone changes", "granuloma": "The {side} granuloma"}[k]
            tail = {"effusion": " is not loculated.", "smalleff": " has not changed in size.",
                    "consolidation": " shows no cavitation.", "pneumothorax": " shows no tension features.",
                    "mass": " has no visible cavitation.", "nodule": " is not calcified.",
                    "fibrosis": " are old.", "granuloma": " is densely calcified."}[k]
            findings.insert(fi + 1, fill(add, other(side), n) + tail)
            detail = f"{k}: findings first say {side}, next sentence says {other(side)}; impression {side}"
        p["findings"] = findings
    elif kind == "negation_conflict":
        ctype = rng.choice(["effusion", "ptx", "lung", "heart", "heart2", "lung2"])
        if ctype == "effusion":
            s = next((x for x in findings if x in [a for a, t in NORMAL["pleura"] if "effusion" in t]), None)
            if s is None:
                findings.insert(1, "Both CP angles are clear.")
            impression = [rng.choice([f"Small {side} pleural effusion.", f"{side.capitalize()} pleural effusion.",
                                      f"Blunted {side} CP angle due to effusion."])]
            detail = f"findings: no effusion / CP angles clear; impression: {side} pleural effusion"
        elif ctype == "ptx":
            if not any("pneumothorax" in x for x in findings):
                findings.insert(1, "No pneumothorax.")
            impression = [f"Small {side} apical pneumothorax."]
            detail = f"findings: no pneumothorax; impression: {side} pneumothorax"
        elif ctype in ("lung", "lung2"):
            if not any(x.startswith(("Both lung fields", "The lungs are clear", "Both lungs are well")) for x in findings):
                findings = [rng.choice(["Both lung fields are clear.", "The lungs are clear."])] + \
                    [x for x in findings if x not in ("No focal lung lesion is seen.", "No consolidation or collapse.")]
            impression = [rng.choice([f"{side.capitalize()} lower zone consolidation, likely infective.",
                                      f"{side.capitalize()} basal pneumonia.",
                                      "Bilateral patchy airspace opacities, ?atypical pneumonia."])]
            detail = "findings: lungs clear; impression: consolidation/pneumonia"
        else:
            hs = [a for a, t in NORMAL["heart"]]
            if not any(x in hs for x in findings):
                findings.insert(min(2, len(findings)), rng.choice(hs))
            if ctype == "heart":
                impression = [rng.choice(["Cardiomegaly.", "Cardiomegaly; suggest echocardiography.",
                                          "Enlarged heart. No active lung disease."])]
                detail = "findings: heart size normal; impression: cardiomegaly"
            else:
                # findings affirm, impression negates
                hi = next(i for i, x in enumerate(findings) if x in hs)
                findings[hi] = rng.choice(["The heart is enlarged, CTR about 0.6.", "Moderate cardiomegaly."])
                impression = [rng.choice(["Normal heart size. No active lung disease.",
                                          "Heart and lungs are normal.", "No cardiomegaly. Clear lungs."])]
                detail = "findings: cardiomegaly; impression: normal heart size"
        p["findings"], p["impression"] = findings, impression
    elif kind == "impression_omits_finding":
        k = keys[0]
        if rng.random() < 0.6 or len(impression) == 1 and len(keys) == 1:
            p["impression"] = [rng.choice(NORMAL_PASTE)]
            detail = f"{k} in findings; impression replaced by a normal statement"
        else:
            rest = [x for x in impression[1:]] or [fill(rng.choice(FBY[keys[1]]["i"]), side, n)]
            p["impression"] = rest
            detail = f"{k} in findings; impression only mentions the minor finding"
    elif kind == "placeholder":
        detail = _synth_placeholder(rng, p, keys, side, n)
    return render(p, rng), detail


def _synth_placeholder(rng, p, keys, side, n) -> str:
    choices = ["sign", "date", "word", "word", "word"]
    if any(FBY[k]["sided"] for k in keys):
        choices += ["side", "side", "side"]
    if "nodule" in keys:
        choices += ["size", "size"]
    what = rng.choice(choices)
    if what == "sign":
        name = rng.choice(["[Name]", "<Radiologist>", "[***]", "(name)"])
        p["signoff"] = rng.choice([f"Reported by: Dr. {name}", f"Dr. {name}\n{rng.choice(QUALS)}\nConsultant Radiologist"])
        return f"radiologist name field left as {name}"
    if what == "date":
        ph = rng.choice(DATE_PH)
        p["comparison"] = rng.choice(["Previous film dated {d}.", "Compared with CXR of {d}."]).replace("{d}", ph)
        return f"comparison date left as {ph}"
    if what == "side":
        ph = rng.choice(SIDE_PH)
        tgt = "findings" if rng.random() < 0.6 else "impression"
        lst = p[tgt]
        for i, s in enumerate(lst):
            if re.search(rf"\b{side}\b", s, re.I) or ("Rt" if side == "right" else "Lt") in s:
                s2 = re.sub(rf"\b{side}\b", ph, s, count=1, flags=re.I)
                if s2 == s:
                    s2 = re.sub(r"\b(Rt|Lt)\b", ph, s, count=1)
                lst[i] = s2
                return f"side in {tgt} left as {ph}"
        tgt = "findings" if tgt == "impression" else "impression"
        lst = p[tgt]
        for i, s in enumerate(lst):
            s2 = re.sub(rf"\b({side}|Rt|Lt)\b", ph, s, count=1, flags=re.I)
            if s2 != s:
                lst[i] = s2
                return f"side in {tgt} left as {ph}"
    if what == "size":
        ph = rng.choice(SIZE_PH)
        lst = p["findings"]
        for i, s in enumerate(lst):
            if f"{n} mm" in s:
                lst[i] = s.replace(f"{n} mm", f"{ph} mm")
                return f"nodule size in findings left as {ph}"
    # word in a normal sentence or history
    ph = rng.choice(WORD_PH)
    if rng.random() < 0.3:
        p["history"] = ph
        return f"clinical history field left as {ph}"
    cands = [(i, s) for i, s in enumerate(p["findings"]) if any(w in s for w in ("clear", "normal", "intact", "central"))]
    i, s = rng.choice(cands) if cands else (0, p["findings"][0])
    for w in ("clear", "normal", "intact", "central", "sharp", "well defined", "unremarkable"):
        if w in s:
            p["findings"][i] = s.replace(w, ph, 1)
            return f"'{w}' in findings left as {ph}"
    p["findings"][i] = ph + " " + s
    return f"findings sentence begins with unfilled field {ph}"


# --------------------------------------------------------------------------- real IU reports

_IU: list | None = None

NEG = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear(ed)?|free of|removed|absence|exclude)\b", re.I)
HEDGE = re.compile(r"\b(may|might|could|possibl\w*|question\w*|suspect\w*|subtle|minimal|small|trace|tiny|mild(ly)?|"
                   r"stable|unchanged|chronic|old|healed|calcified|scar\w*|atelecta\w*|versus|vs|borderline|"
                   r"likely|probabl\w*|suggest\w*|cannot|concerning|improv\w*|decreas\w*|residual|appear\w*|or)\b", re.I)
GROUPS = {
    "airspace": r"consolidat\w*|pneumonia|airspace disease|air space disease|infiltrat\w*",
    "ptx": r"pneumothora\w*",
    "edema": r"edema|oedema|vascular congestion|heart failure|\bchf\b",
    "mass": r"\bmass\w*|\bnodul\w*",
    "effusion": r"effusion\w*",
    "heart": r"cardiomegaly|enlarged heart|heart (size )?is enlarged|cardiac enlargement|enlarged cardiac",
}
SPLIT = re.compile(r"(?<=[.!?])\s+")


def _sents(t: str) -> list[str]:
    return [s for s in SPLIT.split(t or "") if s.strip()]


def _aff_neg(t: str):
    aff, neg, strong = set(), set(), set()
    for s in _sents(t):
        for g, rx in GROUPS.items():
            if re.search(rx, s, re.I):
                if NEG.search(s):
                    neg.add(g)
                else:
                    aff.add(g)
                    if g == "mass" and not re.search(r"\bmass\b", s, re.I):
                        continue
                    if not HEDGE.search(s) and (g != "effusion" or re.search(r"\b(moderate|large)\b", s, re.I)):
                        strong.add(g)
    return aff, neg, strong


def load_iu() -> list[dict]:
    global _IU
    if _IU is not None:
        return _IU
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = dev_uids()
    rows = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', x)
            if not u or u.group(1) in dev:
                continue
            sec = {}
            for lab, txt in re.findall(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', x, re.S):
                sec[lab] = re.sub(r"\s+", " ", txt).strip()
            majors = re.findall(r"<major>(.*?)</major>", x)
            rows.append(dict(uid=u.group(1), ind=sec.get("INDICATION", ""), comp=sec.get("COMPARISON", ""),
                             f=sec.get("FINDINGS", ""), i=sec.get("IMPRESSION", ""),
                             normal=any(mm.strip().lower() == "normal" for mm in majors)))
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU = rows
    return rows


def dev_uids() -> set:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p) as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line).get("uid"))
    return out


def _consistent(r: dict) -> bool:
    fa, fn, _ = _aff_neg(r["f"])
    ia, inn, _ = _aff_neg(r["i"])
    if (fa & inn) or (ia & fn):
        return False
    for g in fa:
        if g in ("heart",):
            continue
        if g == "effusion" and not re.search(r"\b(moderate|large)\b", r["f"], re.I):
            continue
        if g not in ia:
            return False
    text = r["f"] + " " + r["i"] + " " + r["ind"] + " " + r["comp"]
    if re.search(r"\[|\]|___|\*\*|<|>|\?\?|\.\.\.", text):
        return False
    return True


def _pools(rows: list[dict]) -> dict:
    both = [r for r in rows if r["f"] and r["i"] and len(r["f"]) > 40]
    cons = [r for r in both if _consistent(r)]
    pools = {}
    pools["clean_normal"] = [r for r in cons if r["normal"]]
    pools["clean_abn"] = [r for r in cons if not r["normal"]]
    pools["imp_only"] = [r for r in rows if not r["f"] and len(r["i"]) > 70
                         and re.search(r"lung", r["i"], re.I) and re.search(r"heart|cardi", r["i"], re.I)
                         and not re.search(r"\[|___|\*\*", r["i"]) and _consistent(dict(r, f=""))]
    # laterality
    lat = []
    anat = r"(lobe|lung|base|basilar|basal|effusion|pleural|apex|apical|hemithorax|upper|lower|midlung|mid lung|" \
           r"perihilar|hilar|hilum|costophrenic|hemidiaphragm|chest)"
    for r in cons:
        t = (r["f"] + " " + r["i"]).lower()
        has_r, has_l = bool(re.search(r"\bright\b", t)), bool(re.search(r"\bleft\b", t))
        if has_r == has_l or re.search(r"bilateral|\bboth\b|middle lobe|lingula|heart border|ventric|atri|"
                                       r"catheter|picc|tube|line|port|pacemaker", t):
            continue
        side = "right" if has_r else "left"
        okf = [s for s in _sents(r["f"]) if re.search(rf"\b{side}\b\W+(\w+\W+){{0,4}}{anat}", s, re.I)]
        oki = [s for s in _sents(r["i"]) if re.search(rf"\b{side}\b\W+(\w+\W+){{0,4}}{anat}", s, re.I)]
        if okf and oki and not any(NEG.search(s) or HEDGE.search(s) for s in okf + oki):
            lat.append(dict(r, side=side, okf=okf, oki=oki))
    pools["lat"] = lat
    # negation (impression asserts what normal findings negate)
    negp = []
    for r in cons:
        if not r["normal"]:
            continue
        f = r["f"]
        opts = []
        if re.search(r"\bno (\w+ )?(pleural )?effusion|without (pleural )?effusion|no pneumothorax or (pleural )?effusion|"
                     r"no (pleural )?effusion", f, re.I):
            opts.append("effusion")
        if re.search(r"no pneumothorax|pneumothorax or|without pneumothorax", f, re.I):
            opts.append("ptx")
        if re.search(r"lungs are clear|lungs clear|clear lungs|no focal (airspace|consolidation)|no (focal )?consolidation|"
                     r"no airspace", f, re.I):
            opts.append("lung")
        if re.search(r"heart size (is )?(normal|within normal)|normal heart size|heart is (normal|not enlarged)|"
                     r"cardiac silhouette (is )?(normal|within normal)|cardiomediastinal silhouette (is )?(normal|within normal)|"
                     r"normal cardiomediastinal", f, re.I):
            opts.append("heart")
        if opts:
            negp.append(dict(r, opts=opts))
    pools["neg"] = negp
    negb = []
    for r in cons:
        fa, fn, fs = _aff_neg(r["f"])
        if "heart" in fa and not (fa - {"heart"}) and re.search(GROUPS["heart"], r["i"], re.I):
            negb.append(r)
    pools["negb"] = negb
    # omits
    om = []
    for r in cons:
        fa, fn, fs = _aff_neg(r["f"])
        ia, _, _ = _aff_neg(r["i"])
        g = sorted((fs - {"heart"}) & ia)
        if g:
            om.append(dict(r, grp=g[0]))
    pools["omit"] = om
    pools["miss_f"] = [r for r in pools["clean_normal"]
                       if len(r["i"]) < 60 and re.match(r"(no acute|no active|negative|stable|unchanged|no change|"
                                                        r"no interval|no evidence of acute)", r["i"], re.I)
                       and not re.search(r"lung|heart|effusion|pneumothorax|clear", r["i"], re.I)]
    return pools


REWORD = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"hemorrhag", "haemorrhag"), (r"esophag", "oesophag"),
    (r"\btumor", "tumour"), (r"isualized", "isualised"), (r"\bcenter", "centre"), (r"\banemia", "anaemia"),
    (r"opacified", "opacified"), (r"\bhilar\b", "hilar"), (r"ardiomediastinal silhouette", "ardiomediastinal shadow"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"), (r"\bcostophrenic angles\b", "CP angles"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary disease\b", "No active chest disease"),
    (r"\bradiographs\b", "films"), (r"\bradiograph\b", "film"), (r"\bx-ray\b", "X-ray"),
    (r"\bThere is no\b", "No"), (r"\bis identified\b", "is seen"), (r"\bare identified\b", "are seen"),
    (r"\bpulmonary vasculature\b", "pulmonary vascularity"), (r"\bosseous structures\b", "bony structures"),
    (r"\bgray", "grey"), (r"\bfavor", "favour"),
]


def restyle(t: str, rng: random.Random) -> str:
    if not t:
        return t
    t = re.sub(r"\.\s*\.", ".", t)
    t = re.sub(r"\s+", " ", t).strip()
    for rx, rep in REWORD:
        if rep in ("oedema", "Oedema", "haemorrhag", "oesophag", "tumour", "isualised", "centre", "anaemia", "grey",
                   "favour") or rng.random() < 0.7:
            t = re.sub(rx, rep, t)
    if rng.random() < 0.2:
        t = re.sub(r"\bright\b", "Rt", t)
        t = re.sub(r"\bleft\b", "Lt", t)
    return t


def _tidy(t: str) -> str:
    return re.sub(r"\.(\s*\.)+", ".", t or "").strip()


def real_parts(r: dict, rng: random.Random, f: str | None = None, i: str | None = None) -> dict:
    f = r["f"] if f is None else f
    i = r["i"] if i is None else i
    style_split = rng.random() < 0.3
    fb = _sents(f)
    return dict(
        institution=rng.choice(INSTITUTIONS) if rng.random() < 0.35 else None,
        exam=rng.choice(EXAM_LINES_2V + EXAM_LINES[:3]),
        history=_tidy(r["ind"]) or rng.choice(HISTORIES_NORMAL),
        comparison=_tidy(r["comp"]) or (rng.choice(["None.", "Nil.", "No previous films."]) if rng.random() < 0.5 else None),
        findings=(fb if style_split else f) if f else None,
        impression=i or None,
        signoff=signoff(rng) if rng.random() < 0.85 else None,
    )


def _flip(s: str) -> str:
    m = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT",
         "Rt": "Lt", "Lt": "Rt"}
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT|Rt|Lt)\b", lambda mm: m[mm.group(1)], s)


def real_case(rng: random.Random, kind: str | None, pools: dict, used: set) -> tuple[str, str, str]:
    def take(name, pred=None):
        cands = [r for r in pools[name] if r["uid"] not in used and (pred is None or pred(r))]
        r = rng.choice(cands)
        used.add(r["uid"])
        return r

    if kind is None:
        x = rng.random()
        if x < 0.6:
            r = take("clean_normal")
        elif x < 0.92:
            r = take("clean_abn")
        else:
            r = take("imp_only")
            p = real_parts(r, rng, f="", i=restyle(r["i"], rng))
            return render(p, rng), "", r["uid"]
        p = real_parts(r, rng, f=restyle(r["f"], rng), i=restyle(r["i"], rng))
        return render(p, rng), "", r["uid"]
    if kind == "missing_section":
        if rng.random() < 0.75:
            r = take("clean_normal" if rng.random() < 0.6 else "clean_abn")
            p = real_parts(r, rng, f=restyle(r["f"], rng), i="")
            p["keep_imp_header"] = rng.random() < 0.6
            return render(p, rng), "impression emptied" + (" (header kept)" if p["keep_imp_header"] else " (header dropped)"), r["uid"]
        r = take("miss_f")
        p = real_parts(r, rng, f="", i=restyle(r["i"], rng))
        p["keep_find_header"] = True
        return render(p, rng), "findings emptied (header kept); impression is a bare conclusion", r["uid"]
    if kind == "laterality_conflict":
        r = take("lat")
        f, i = r["f"], r["i"]
        if rng.random() < 0.5:
            s = rng.choice(r["oki"])
            i = i.replace(s, _flip(s), 1)
            det = f"impression sentence flipped {r['side']}->{other(r['side'])}: {_flip(s)}"
        else:
            s = rng.choice(r["okf"])
            f = f.replace(s, _flip(s), 1)
            det = f"findings sentence flipped {r['side']}->{other(r['side'])}: {_flip(s)}"
        p = real_parts(r, rng, f=restyle(f, rng), i=restyle(i, rng))
        return render(p, rng), det, r["uid"]
    if kind == "negation_conflict":
        if rng.random() < 0.25 and [r for r in pools["negb"] if r["uid"] not in used]:
            r = take("negb")
            i = rng.choice(["Normal heart size. No active lung disease.", "Heart size normal; lungs clear.",
                            "No cardiomegaly. No acute cardiopulmonary abnormality."])
            p = real_parts(r, rng, f=restyle(r["f"], rng), i=i)
            return render(p, rng), "findings: enlarged heart; impression: normal heart size", r["uid"]
        r = take("neg")
        o = rng.choice(r["opts"])
        side = rng.choice(["right", "left"])
        i = {
            "effusion": rng.choice([f"Small {side} pleural effusion.", f"{side.capitalize()} pleural effusion, otherwise no active disease."]),
            "ptx": rng.choice([f"Small {side} apical pneumothorax.", f"{side.capitalize()} pneumothorax."]),
            "lung": rng.choice([f"{side.capitalize()} lower zone consolidation, likely infective.",
                                f"{side.capitalize()} basal pneumonia.", f"Patchy {side} lower zone airspace opacity, ?infection."]),
            "heart": rng.choice(["Cardiomegaly.", "Cardiomegaly, no active lung disease.", "Enlarged heart; echo advised."]),
        }[o]
        p = real_parts(r, rng, f=restyle(r["f"], rng), i=i)
        return render(p, rng), f"findings negate {o}; impression replaced to affirm it: {i}", r["uid"]
    if kind == "impression_omits_finding":
        r = take("omit")
        i = rng.choice(NORMAL_PASTE)
        p = real_parts(r, rng, f=restyle(r["f"], rng), i=i)
        return render(p, rng), f"{r['grp']} affirmed in findings; impression replaced by '{i}'", r["uid"]
    # placeholder
    r = take("clean_normal" if rng.random() < 0.6 else "clean_abn")
    f, i = restyle(r["f"], rng), restyle(r["i"], rng)
    tgt = "f" if rng.random() < 0.65 else "i"
    txt = f if tgt == "f" else i
    m = re.search(r"\b(right|left|Rt|Lt)\b", txt)
    if m and rng.random() < 0.6:
        ph = rng.choice(SIDE_PH)
        det = f"side word '{m.group(1)}' replaced by {ph}"
    else:
        m = re.search(r"\b\d+(\.\d+)?(?=\s*(cm|mm)\b)", txt)
        if m and rng.random() < 0.5:
            ph = rng.choice(SIZE_PH)
            det = f"number '{m.group(0)}' replaced by {ph}"
        else:
            ws = [mm for mm in re.finditer(r"\b(clear|normal|heart|lungs|effusion|pneumothorax|mediastinum|"
                                           r"unremarkable|intact|silhouette|contours?|stable|acute)\b", txt)]
            if not ws:
                ws = [mm for mm in re.finditer(r"\b[a-z]{5,}\b", txt)]
            if not ws:
                tgt = "f" if tgt == "i" else "i"
                txt = f if tgt == "f" else i
                ws = [mm for mm in re.finditer(r"\b[A-Za-z]{4,}\b", txt)]
            m = rng.choice(ws)
            ph = rng.choice(WORD_PH)
            det = f"word '{m.group(0)}' replaced by {ph}"
    txt = txt[:m.start()] + ph + txt[m.end():]
    if tgt == "f":
        f = txt
    else:
        i = txt
    p = real_parts(r, rng, f=f, i=i)
    return render(p, rng), det + (" in findings" if tgt == "f" else " in impression"), r["uid"]


# --------------------------------------------------------------------------- build

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h123-{seed}")
    pools = _pools(load_iu())
    used: set = set()
    # scarce real pools first (laterality, omission), then the rest
    order = ["laterality_conflict", "impression_omits_finding", "negation_conflict", "missing_section",
             "placeholder", None]
    groups = [(k, N_CLEAN if k is None else N_KIND) for k in order]
    items = []
    for kind, n in groups:
        half = n // 2
        for _ in range(half):
            rep, det = synth_case(rng, kind)
            items.append(dict(injected=kind, detail=det, report=rep))
        for _ in range(n - half):
            rep, det, _uid = real_case(rng, kind, pools, used)
            items.append(dict(injected=kind, detail=det, report=rep, _uid=_uid))
    rng.shuffle(items)
    out = []
    for k, it in enumerate(items):
        out.append({"id": f"h123-{seed}-{k}", "injected": it["injected"], "detail": it["detail"] or "",
                    "report": it["report"]})
    build.last_uids = sorted(u for u in (it.get("_uid") for it in items) if u)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"==== {r['id']} {kind} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
