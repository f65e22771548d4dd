"""Held-out report-check set 72, written blind (without reading the checker).

Setting: South African public and private hospitals (Johannesburg, Cape Town, Durban): casualty/ED,
medical wards, outpatients, pre-employment and TB clinics. Reports are laid out as South African
radiologists dictate them: an exam line ("CHEST X-RAY: PA ERECT"), "Clinical history/Clinical
information", "Comparison", sometimes "Technique", "Findings"/"Report", then "Impression",
"Conclusion", "Opinion" or "Comment", and a sign-off ("Dr S. Govender, Radiologist"). British/SA
spelling (oedema, haemothorax, centimetre), local abbreviations (PTB, RVD, CPA, CTR, MVA, ARVs,
GeneXpert) and mostly normal or near-normal films.

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of each group is composed from the phrase bank below,
half are real IU reports (never a dev-set uid) re-laid-out and lightly re-worded in this style.

    python -m bench.make_heldout72 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import html
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


# ---------------------------------------------------------------- data


def dev_uids(base: Path) -> set[str]:
    out = set()
    with open(base / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_ABS = re.compile(r'<AbstractText Label="([A-Z]+)"\s*(?:/>|>(.*?)</AbstractText>)', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


def load_iu(base: Path) -> list[dict]:
    rows = []
    path = base / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID.search(txt)
            if not um:
                continue
            rec = {"uid": um.group(1)}
            for lab, body in _ABS.findall(txt):
                rec[lab.lower()] = html.unescape(" ".join((body or "").split()))
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return rows


# ---------------------------------------------------------------- style

SURNAMES = ["Naidoo", "Govender", "Pillay", "Mokoena", "Dlamini", "van der Merwe", "Botha", "Khumalo",
            "Ebrahim", "Moodley", "Nkosi", "Ndlovu", "Pretorius", "Jacobs", "Maharaj", "Mthembu",
            "Smit", "Adams", "Singh", "Venter", "Cassim", "Mahlangu", "Petersen", "Zulu"]
INITIALS = "ABCDFGHJKLMNPRSTVZ"

EXAM_LINES = [
    "CHEST X-RAY: PA ERECT", "CHEST X-RAY (PA)", "CXR PA", "CHEST PA AND LATERAL",
    "EXAMINATION: Chest radiograph, PA view", "X-RAY CHEST PA", "CHEST X-RAY - AP SUPINE (RESUS)",
    "CHEST AP (MOBILE, WARD)", "EXAM: CXR PA and lateral", "CHEST RADIOGRAPH: PA ERECT",
]
HIST_HEAD = ["CLINICAL HISTORY:", "Clinical history:", "CLINICAL INFORMATION:", "Clinical details:",
             "History:", "CLINICAL INDICATION:"]
COMP_HEAD = ["COMPARISON:", "Comparison:", "PREVIOUS:", "Prior imaging:"]
FIND_HEAD = ["FINDINGS:", "Findings:", "REPORT:", "Report:"]
IMP_HEAD = ["IMPRESSION:", "Impression:", "CONCLUSION:", "Conclusion:", "OPINION:", "Opinion:",
            "COMMENT:"]
TECH_PA = [
    "TECHNIQUE: Single frontal view. Adequate inspiration and penetration.",
    "Technique: PA erect. Good inspiratory effort, no rotation.",
    "Technical factors: adequate. Patient slightly rotated.",
    "Technique: adequate inspiration (10 posterior ribs), well penetrated.",
]
TECH_AP = [
    "TECHNIQUE: AP supine film, limited by rotation.",
    "Technique: AP portable. Suboptimal inspiration.",
]
HISTORIES = [
    "Cough for 3 weeks, night sweats and loss of weight. ?PTB", "Pre-employment medical.",
    "Pre-employment screening, mining.", "RVD positive, CD4 210. Cough.", "Fever and productive cough.",
    "SOB on exertion, bilateral pedal oedema.", "Chest pain. Rule out pathology.",
    "MVA, driver. Chest pain.", "Assault, blunt trauma to the chest.", "Known hypertensive, SOB.",
    "TB contact, asymptomatic.", "GeneXpert negative, persistent cough.", "Routine pre-op, elective hernia repair.",
    "Known asthmatic, wheeze.", "Completed TB treatment 2019. Follow-up.", "Diabetic, fever, cough.",
    "On ARVs, weight loss.", "Smoker, haemoptysis x1.", "Pleuritic chest pain.", "Medical board, TB screening.",
]
COMPARISONS = ["None.", "None available.", "No previous films.", "Previous film dated {d}.",
               "CXR of {d}.", "Nil."]
SIGNOFFS = [
    "Dr {n}\nRadiologist", "Reported by: Dr {n}", "Dr {n} (MBChB, FC Rad Diag (SA))",
    "Dictated by Dr {n}, Registrar\nVerified by Dr {m}, Consultant Radiologist", "Regards\nDr {n}",
    "Electronically signed: Dr {n}",
]

NORMAL_IMP = [
    "Normal chest X-ray.", "No active disease.", "No active lung pathology.", "Normal study.",
    "No acute cardiopulmonary pathology.", "Normal chest radiograph.", "No significant abnormality detected.",
    "NAD.", "Normal CXR.", "No abnormality demonstrated.",
]
NORMAL_LUNG = [
    "The lungs are clear.", "Both lung fields are clear.", "Lung fields are clear bilaterally.",
    "No focal lung lesion or consolidation.", "The lungs are well expanded and clear.",
]
NORMAL_PLEURA = [
    "Costophrenic angles are clear.", "No pleural effusion.", "Both CP angles are sharp.",
    "No pleural effusion or pneumothorax.",
]
NORMAL_HEART = [
    "Heart size is normal.", "The heart is not enlarged.", "Cardiac size normal, CTR < 0.5.",
    "Cardiothoracic ratio within normal limits.", "Normal cardiac silhouette.",
]
NORMAL_MED = [
    "Trachea is central.", "Mediastinum is not widened.", "Hila are normal.", "No hilar lymphadenopathy.",
    "Mediastinal contours normal.",
]
NORMAL_BONE = [
    "Bony thorax intact.", "No bony abnormality.", "Visualised bones are intact.",
    "Soft tissues and bones unremarkable.", "No rib fractures seen.",
]
NORMAL_DIAPH = ["Hemidiaphragms are well defined.", "Diaphragms are normal in position and outline."]


def side_words(side: str) -> tuple[str, str]:
    return side, side.capitalize()


# Each bank finding: compartment it replaces, findings text, impression text, significant?
# Texts take {s} (side lower), {S} (side capitalised), {n} (size).


BANK = {
    # ---- significant
    "consolidation": dict(comp="lung", sig=True, sided=True, fam="consolidation", f=[
        "There is airspace consolidation in the {s} lower zone with air bronchograms.",
        "Dense consolidation of the {s} lower lobe, silhouetting the {s} hemidiaphragm.",
        "Patchy airspace opacification in the {s} mid and lower zones.",
    ], i=[
        "{S} lower zone consolidation, in keeping with pneumonia.",
        "{S} lower lobe pneumonia.",
        "Features in keeping with {s} mid and lower zone pneumonia. Follow-up film after treatment advised.",
    ]),
    "ptb": dict(comp="lung", sig=True, sided=True, fam="consolidation", f=[
        "Patchy consolidation with a thin-walled cavity in the {s} upper zone.",
        "Nodular and confluent airspace opacities in the {s} upper zone, with a small cavity.",
    ], i=[
        "{S} upper zone cavitating consolidation, in keeping with active PTB. Sputum GeneXpert suggested.",
        "Features in keeping with active pulmonary TB, {s} upper zone.",
    ]),
    "effusion_mod": dict(comp="pleura", sig=True, sided=True, fam="effusion", f=[
        "Moderate {s} pleural effusion with a meniscus.",
        "There is a moderate-sized {s} pleural effusion obscuring the {s} hemidiaphragm.",
        "Large {s} pleural effusion occupying the lower half of the {s} hemithorax.",
    ], i=[
        "Moderate {s} pleural effusion.", "Moderate {s} pleural effusion. ?TB. Suggest diagnostic tap.",
        "Large {s} pleural effusion.",
    ]),
    "pneumothorax": dict(comp="pleura", sig=True, sided=True, fam="pneumothorax", f=[
        "{S} apical pneumothorax with a rim of approximately 2 cm. No mediastinal shift.",
        "There is a {s}-sided pneumothorax; the lung edge is visible in the {s} mid zone.",
    ], i=[
        "{S} apical pneumothorax. Clinicians informed.", "{S}-sided pneumothorax, no features of tension.",
    ]),
    "oedema": dict(comp="lung", sig=True, sided=False, fam="oedema", f=[
        "Upper lobe venous diversion with bilateral perihilar haziness and Kerley B lines.",
        "Bilateral perihilar airspace shadowing in a bat-wing distribution with septal lines.",
    ], i=[
        "pulmonary venous congestion and interstitial oedema.", "features of cardiac failure with pulmonary oedema.",
    ]),
    "nodule": dict(comp="lung", sig=True, sided=True, fam="nodule", f=[
        "A {n} mm well-defined nodule is noted in the {s} mid zone.",
        "There is a {n} mm soft tissue nodule projected over the {s} upper zone.",
    ], i=[
        "{n} mm {s} mid zone nodule. CT chest recommended.",
        "Solitary {s} upper zone nodule ({n} mm). Suggest CT for further evaluation.",
    ]),
    "mediastinum": dict(comp="med", sig=True, sided=False, fam="mediastinum", f=[
        "The superior mediastinum is widened, measuring 9 cm at the level of the aortic knuckle.",
        "Widened mediastinum with loss of the aortic knuckle outline.",
    ], i=[
        "Widened mediastinum. CT angiography advised to exclude aortic injury.",
        "Mediastinal widening; urgent CT aorta recommended.",
    ]),
    # ---- minor / chronic / incidental
    "cardiomegaly_mild": dict(comp="heart", sig=False, sided=False, fam="cardiomegaly", f=[
        "The heart is mildly enlarged, CTR 0.55.", "Mild cardiomegaly.",
        "Borderline cardiomegaly, stable compared with the previous film.",
    ], i=["Mild cardiomegaly.", "Mild cardiomegaly. Lungs clear.",
          "Borderline cardiomegaly, unchanged. No active disease."]),
    "effusion_small": dict(comp="pleura", sig=False, sided=True, fam="effusion", f=[
        "Small {s} pleural effusion blunting the {s} costophrenic angle.",
        "Blunting of the {s} CP angle, in keeping with a small effusion.",
    ], i=["Small {s} pleural effusion.", "Small {s} effusion."]),
    "granuloma": dict(comp="lung", sig=False, sided=True, fam="granuloma", f=[
        "Calcified granuloma in the {s} mid zone.", "A few calcified granulomata in the {s} upper zone.",
    ], i=["Calcified granuloma, {s} mid zone. No active disease.",
          "Old granulomatous disease, {s} upper zone. No active lung pathology."]),
    "old_ptb": dict(comp="lung", sig=False, sided=True, fam="fibrosis", f=[
        "Fibrotic strands and volume loss in the {s} upper zone with elevation of the {s} hilum.",
        "Fibrocalcific changes in the {s} apex with apical pleural thickening.",
    ], i=["Old PTB changes, {s} upper zone.",
          "Post-tuberculous fibrosis at the {s} apex. No features of active disease."]),
    "old_rib": dict(comp="bone", sig=False, sided=True, fam="fracture", f=[
        "Old healed fracture of the {s} 7th rib.", "Healed {s} posterior rib fractures.",
    ], i=["Old {s} 7th rib fracture. No active lung pathology.", "Healed {s} rib fractures."]),
    "copd": dict(comp="diaph", sig=False, sided=False, fam="hyperinflation", f=[
        "The lungs are hyperinflated with flattened hemidiaphragms.",
        "Hyperexpanded lungs, in keeping with COPD.",
    ], i=["Hyperinflation in keeping with COPD. No consolidation.", "Chronic obstructive airways disease."]),
}

HIST_FOR = {
    "consolidation": ["Fever and productive cough.", "Diabetic, fever, cough.", "Cough, pyrexia, crackles.",
                      "Cough and pleuritic chest pain for 5 days."],
    "ptb": ["Cough for 3 weeks, night sweats and loss of weight. ?PTB", "RVD positive, CD4 88. Cough, LOW.",
            "TB contact, cough.", "GeneXpert pending. Haemoptysis."],
    "effusion_mod": ["SOB, stony dull percussion.", "RVD positive, SOB. ?TB effusion",
                     "Pleuritic chest pain, SOB."],
    "pneumothorax": ["Sudden onset chest pain and SOB.", "Stab wound to the chest.", "MVA, chest pain.",
                     "Tall young male, acute SOB."],
    "oedema": ["SOB on exertion, bilateral pedal oedema.", "Known hypertensive, orthopnoea.", "CCF. SOB."],
    "nodule": ["Smoker, haemoptysis x1.", "Chronic cough, smoker.", "Weight loss."],
    "mediastinum": ["MVA, high-speed, chest pain.", "Pedestrian vehicle accident.", "Fall from height, chest pain."],
}

SIG_KEYS = ["consolidation", "ptb", "effusion_mod", "pneumothorax", "oedema", "nodule", "mediastinum"]
MINOR_KEYS = ["cardiomegaly_mild", "effusion_small", "granuloma", "old_ptb", "old_rib", "copd"]

COMPS = {"lung": NORMAL_LUNG, "pleura": NORMAL_PLEURA, "heart": NORMAL_HEART, "med": NORMAL_MED,
         "bone": NORMAL_BONE, "diaph": NORMAL_DIAPH}
COMP_ORDER = ["lung", "pleura", "heart", "med", "diaph", "bone"]

PLACEHOLDERS = ["[***]", "***", "[ ]", "< >", "[*]", "{ }", "[...]", "<<>>", "[insert]", "[ ]",
                "(***)", "[   ]"]


def rdate(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2021, 2022, 2023, 2024])}"


def rname(rng: random.Random) -> str:
    return f"{rng.choice(INITIALS)}. {rng.choice(SURNAMES)}"


def sign(rng: random.Random) -> str:
    return rng.choice(SIGNOFFS).format(n=rname(rng), m=rname(rng))


def fill(t: str, side: str, n: int) -> str:
    s, S = side_words(side)
    out = t.format(s=s, S=S, n=n)
    out = re.sub(r"\b([Aa]) (8|11|18) mm", r"\1n \2 mm", out)
    return out[0].upper() + out[1:]


def layout(rng, exam, hist, comp, findings, impression, *, fhead=None, ihead=None, tech=True,
           drop_imp_header=False, signoff=None, hist_head=None) -> str:
    parts = [exam]
    if hist is not None:
        parts.append(f"{hist_head or rng.choice(HIST_HEAD)} {hist}".rstrip())
    if comp is not None:
        parts.append(f"{rng.choice(COMP_HEAD)} {comp}".rstrip())
    if tech:
        if re.search(r"\bAP\b", exam):
            parts.append(rng.choice(TECH_AP))
        elif "LATERAL" in exam.upper():
            parts.append("Technique: PA and lateral views. Adequate inspiration.")
        else:
            parts.append(rng.choice(TECH_PA))
    if findings is not None:
        parts.append(f"{fhead or rng.choice(FIND_HEAD)}\n{findings}".rstrip())
    if impression is not None and not drop_imp_header:
        parts.append(f"{ihead or rng.choice(IMP_HEAD)}\n{impression}".rstrip())
    parts.append(signoff if signoff is not None else sign(rng))
    return "\n\n".join(parts)


# ---------------------------------------------------------------- bank cases


def bank_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    """Return (report, detail)."""
    exam = rng.choice(EXAM_LINES)
    hist = rng.choice(HISTORIES)
    comp = rng.choice(COMPARISONS).format(d=rdate(rng))
    tech = rng.random() < 0.4
    side = rng.choice(["right", "left"])
    size = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])

    # choose findings
    if kind is None:
        r = rng.random()
        keys = [] if r < 0.6 else ([rng.choice(MINOR_KEYS)] if r < 0.85 else [rng.choice(SIG_KEYS)])
    elif kind == "impression_omits_finding":
        keys = [rng.choice(SIG_KEYS)]
    elif kind == "laterality_conflict":
        keys = [rng.choice(["consolidation", "ptb", "effusion_mod", "pneumothorax", "nodule",
                            "effusion_small", "old_ptb", "granuloma"])]
    elif kind == "negation_conflict":
        keys = [] if rng.random() < 0.5 else [rng.choice(["consolidation", "effusion_mod", "cardiomegaly_mild",
                                                          "pneumothorax", "oedema", "effusion_small"])]
    else:
        keys = [] if rng.random() < 0.5 else [rng.choice(SIG_KEYS + MINOR_KEYS)]

    for k in keys:
        if k in HIST_FOR and rng.random() < 0.8:
            hist = rng.choice(HIST_FOR[k])
    fsent: dict[str, str] = {}
    pair: dict[str, int] = {}
    isent: list[str] = []
    for k in keys:
        b = BANK[k]
        fopts = b["f"]
        if kind == "negation_conflict":
            fopts = [x for x in fopts if "Borderline" not in x]
        j = b["f"].index(rng.choice(fopts))
        fsent[b["comp"]] = fill(b["f"][j], side, size)
        isent.append(fill(b["i"][j], side, size))
        pair[k] = j
    flist = []
    for c in COMP_ORDER:
        if c in fsent:
            flist.append(fsent[c])
        elif c in ("lung", "pleura", "heart") or rng.random() < 0.5:
            flist.append(rng.choice(COMPS[c]))
    if "oedema" in keys:
        flist = [x for x in flist if x not in NORMAL_HEART]
        flist.insert(0, "The heart is enlarged.")
        isent = ["Cardiomegaly with " + isent[0][0].lower() + isent[0][1:]]
    if not isent:
        imp = rng.choice(NORMAL_IMP)
    else:
        imp = " ".join(isent)
    detail = ""
    fhead = rng.choice(FIND_HEAD)
    ihead = rng.choice(IMP_HEAD)
    findings = " ".join(flist) if rng.random() < 0.7 else "\n".join(flist)
    hist_head = None
    signoff = None
    drop_imp = False

    if kind == "missing_section":
        v = rng.randrange(4)
        if v == 0:
            imp = ""
            detail = "impression header left with nothing under it"
        elif v == 1:
            drop_imp = True
            detail = "impression/conclusion section absent; findings only"
        elif v == 2:
            findings = ""
            imp = rng.choice(["As above.", "See above.", "Comparison made with the previous film.",
                              "Clinical correlation advised.", "Please correlate clinically."])
            detail = "findings section left empty; impression does not describe the film"
        else:
            imp = rng.choice(["", "-", "."])
            detail = "conclusion left blank before sign-off"
    elif kind == "laterality_conflict":
        other = "left" if side == "right" else "right"
        b = BANK[keys[0]]
        imp = fill(b["i"][pair[keys[0]]], other, size)
        detail = f"findings place the {keys[0]} on the {side}; impression says {other}"
        # ensure impression mentions the other side
        if other not in imp.lower():
            imp = f"{other.capitalize()} {keys[0].replace('_', ' ')}."
    elif kind == "negation_conflict":
        if not keys:
            choice = rng.randrange(4)
            if choice == 0:
                flist = [x for x in flist if x not in NORMAL_PLEURA]
                flist.insert(1, "No pleural effusion.")
                imp = f"Small {side} pleural effusion."
                detail = "findings say no pleural effusion; impression reports an effusion"
            elif choice == 1:
                flist = [x for x in flist if x not in NORMAL_LUNG]
                flist.insert(0, rng.choice(["The lungs are clear.", "Both lung fields are clear."]))
                imp = f"{side.capitalize()} lower lobe pneumonia."
                detail = "findings say the lungs are clear; impression reports pneumonia"
            elif choice == 2:
                flist = [x for x in flist if x not in NORMAL_HEART]
                flist.insert(1, "Heart size is normal.")
                imp = "Cardiomegaly. No active lung pathology."
                detail = "findings say heart size normal; impression says cardiomegaly"
            else:
                flist = [x for x in flist if x not in NORMAL_PLEURA]
                flist.insert(1, "No pneumothorax.")
                imp = f"Small {side} apical pneumothorax."
                detail = "findings say no pneumothorax; impression reports one"
            findings = " ".join(flist)
        else:
            k = keys[0]
            neg = {
                "consolidation": "No consolidation.", "effusion_mod": "No pleural effusion.",
                "effusion_small": "No pleural effusion.", "cardiomegaly_mild": "Heart size is normal.",
                "pneumothorax": "No pneumothorax.", "oedema": "No pulmonary oedema.",
            }[k]
            imp = neg + " " + rng.choice(["Otherwise normal.", "No other abnormality.", ""])
            imp = imp.strip()
            detail = f"findings affirm {k}; impression negates it"
    elif kind == "impression_omits_finding":
        imp = rng.choice(NORMAL_IMP)
        detail = f"findings report {keys[0]}; impression replaced by a normal statement"
    elif kind == "placeholder":
        v = rng.randrange(5)
        ph = rng.choice(PLACEHOLDERS)
        if v == 0:
            hist = ph
            detail = f"clinical history left as {ph}"
        elif v == 1:
            comp = f"Previous film dated {ph}."
            detail = f"comparison date left as {ph}"
        elif v == 2:
            signoff = f"Dr {ph}\nRadiologist"
            detail = f"signing radiologist left as {ph}"
        elif v == 3:
            flist = [x for x in flist if x not in NORMAL_HEART]
            flist.insert(min(2, len(flist)), f"Cardiothoracic ratio {ph}.")
            findings = " ".join(flist)
            detail = f"CTR value left as {ph}"
        else:
            t = findings
            m = re.search(r"\b(right|left|\d+ mm|moderate|clear|normal|central)\b", t, re.I)
            if m:
                findings = t[:m.start()] + ph + t[m.end():]
                detail = f"'{m.group(0)}' in findings replaced by {ph}"
            else:
                hist = ph
                detail = f"clinical history left as {ph}"
    report = layout(rng, exam, hist, comp, findings, imp, fhead=fhead, ihead=ihead, tech=tech,
                    drop_imp_header=drop_imp, signoff=signoff, hist_head=hist_head)
    return report, detail


# ---------------------------------------------------------------- real IU cases

RESPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhage\b", "haemorrhage"),
    (r"\bcentimeter", "centimetre"), (r"\bx-ray\b", "X-ray"), (r"\bhilar\b", "hilar"),
    (r"\bNo acute cardiopulmonary (abnormality|disease|process)\b", "No acute cardiopulmonary pathology"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal outline"),
    (r"\bcostophrenic\b", "costophrenic"), (r"\bcalcified granulomas\b", "calcified granulomata"),
    (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"), (r"\bhemithorax\b", "hemithorax"),
    (r"\bopacification\b", "opacification"), (r"\banesthesia\b", "anaesthesia"),
]

NEG = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free|removed|previously|prior|"
                 r"interval|stable|unchanged|chronic|may|could|possibl\w*|versus|vs|or|atelectasis|scar\w*|"
                 r"improv\w*|decreas\w*|residual|old|healed|exclude|cannot|question|suspect\w*)\b", re.I)
SIG = re.compile(r"\b(pneumothorax|consolidation|airspace disease|airspace opacit\w*|pneumonia|edema|"
                 r"(moderate|large)\w*( sized?)? (right|left|bilateral)?\s*(pleural )?effusions?|"
                 r"widened mediastinum|mass)\b", re.I)


def respell(t: str) -> str:
    for a, b in RESPELL:
        t = re.sub(a, b, t)
    return t


def sentences(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]


def sig_sentences(f: str) -> list[str]:
    return [s for s in sentences(f) if SIG.search(s) and not NEG.search(s)]


def fam_of(s: str) -> str:
    s = s.lower()
    for k, pat in [("pneumothorax", "pneumothorax"), ("effusion", "effusion"), ("edema", "edema"),
                   ("mass", "mass"), ("mediastin", "mediastin")]:
        if pat in s:
            return k
    return "consolidation"


FAM_PAT = {"pneumothorax": r"pneumothora", "effusion": r"effusion", "edema": r"edema|oedema|failure|chf",
           "mass": r"mass|neoplas|malignan", "mediastin": r"mediastin",
           "consolidation": r"consolidat|pneumonia|airspace|infiltrat|opacit"}


def usable(r: dict) -> bool:
    f, i = r.get("findings", ""), r.get("impression", "")
    if not f or not i or len(f) < 40 or len(f) > 900:
        return False
    if re.search(r"\[|\]|\*\*|___|<|>|\{", f + i + r.get("indication", "")):
        return False
    return True


CONFLICT_FAMS = [r"nodul", r"effusion", r"pneumothora", r"consolidat|airspace|pneumonia|infiltrat",
                 r"cardiomegaly|heart is enlarged|enlarged heart|heart size is enlarged", r"edema", r"mass"]


def consistent(r: dict) -> bool:
    """No finding affirmed in one section and negated in the other (real reports carry such slips)."""
    f, i = r["findings"], r["impression"]
    for fam in CONFLICT_FAMS:
        for a, b in ((f, i), (i, f)):
            pos = [s for s in sentences(a) if re.search(fam, s, re.I) and not NEG.search(s)]
            neg = [s for s in sentences(b)
                   if re.search(fam, s, re.I) and re.search(r"\b(no|without|negative)\b", s, re.I)]
            if pos and neg:
                return False
    if re.search(r"heart size (is )?(within )?normal|normal heart size", f + " " + i, re.I) and \
            re.search(r"cardiomegaly|heart is enlarged", f + " " + i, re.I):
        return False
    return True


def real_ok_clean(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not consistent(r):
        return False
    for s in sig_sentences(f):
        if not re.search(FAM_PAT[fam_of(s)], i, re.I):
            return False
    return True


def real_layout(rng, r: dict, findings: str | None, impression: str | None, *, drop_imp=False,
                hist=None, comp=None, signoff=None) -> str:
    exam = rng.choice(EXAM_LINES[:6] + ["CHEST PA AND LATERAL", "CXR PA AND LATERAL"])
    h = hist if hist is not None else (r.get("indication") or "Not supplied.")
    c = comp if comp is not None else (r.get("comparison") or "None.")
    return layout(rng, exam, respell(h), respell(c),
                  respell(findings) if findings is not None else None,
                  respell(impression) if impression is not None else None,
                  tech=rng.random() < 0.25, drop_imp_header=drop_imp, signoff=signoff)


def flip_side(t: str) -> str:
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b",
                  lambda m: {"right": "left", "left": "right", "Right": "Left", "Left": "Right",
                             "RIGHT": "LEFT", "LEFT": "RIGHT"}[m.group(0)], t)


def real_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str] | None:
    f, i = r["findings"], r["impression"]
    if not consistent(r):
        return None
    if kind is None:
        if not real_ok_clean(r):
            return None
        return real_layout(rng, r, f, i), ""
    if kind == "missing_section":
        v = rng.randrange(3)
        if v == 0:
            return real_layout(rng, r, f, "", ), "impression emptied (header kept)"
        if v == 1:
            return real_layout(rng, r, f, None, drop_imp=True), "impression section removed"
        return real_layout(rng, r, f, rng.choice(["-", "."])), "impression left as a bare mark"
    if kind == "impression_omits_finding":
        ss = sig_sentences(f)
        if not ss or not real_ok_clean(r):
            return None
        return (real_layout(rng, r, f, rng.choice(NORMAL_IMP)),
                f"findings affirm '{ss[0]}'; impression replaced by a normal statement")
    if kind == "laterality_conflict":
        low_f, low_i = f.lower(), i.lower()
        for side, other in (("right", "left"), ("left", "right")):
            if (re.search(rf"\b{side}\b", low_f) and re.search(rf"\b{side}\b", low_i)
                    and not re.search(rf"\b{other}\b", low_f + " " + low_i + " " + r.get("indication", "").lower())):
                isent = [s for s in sentences(i) if re.search(rf"\b{side}\b", s, re.I)]
                fsent = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I)]
                if not isent or not fsent:
                    return None
                if any(NEG.search(s) and re.search(r"\b(no|without|negative|clear)\b", s, re.I)
                       for s in isent + fsent):
                    return None
                s0 = isent[0]
                if not re.search(r"pneumo|consolid|effusion|opacit|airspace|infiltrat|atelect|nodul|mass|"
                                 r"granulom|fractur|densit|scar|thicken|elevat", s0, re.I):
                    return None
                new_i = i.replace(s0, flip_side(s0), 1)
                return (real_layout(rng, r, f, new_i),
                        f"impression sentence '{s0}' flipped to '{flip_side(s0)}'")
        return None
    if kind == "negation_conflict":
        if not re.search(r"^(no acute|normal|negative|no active|no evidence)", i.strip(), re.I):
            return None
        if sig_sentences(f):
            return None
        fl = f.lower()
        side = rng.choice(["right", "left"])
        opts = []
        if re.search(r"\bno\b[^.]*\beffusion", fl):
            opts.append((f"{side.capitalize()} pleural effusion.", "findings negate effusion; impression asserts one"))
        if re.search(r"\bno\b[^.]*\bpneumothora", fl):
            opts.append((f"Small {side} pneumothorax.", "findings negate pneumothorax; impression asserts one"))
        if re.search(r"lungs are clear|lungs clear|clear lungs", fl):
            opts.append((f"{side.capitalize()} lower lobe consolidation, in keeping with pneumonia.",
                         "findings say lungs clear; impression asserts consolidation"))
        if re.search(r"heart (size )?(is )?(within )?normal|normal heart size|heart size normal", fl):
            opts.append(("Cardiomegaly. Lungs clear.", "findings say heart size normal; impression says cardiomegaly"))
        if not opts:
            return None
        imp, det = rng.choice(opts)
        return real_layout(rng, r, f, imp), det
    if kind == "placeholder":
        ph = rng.choice(PLACEHOLDERS)
        v = rng.randrange(3)
        if v == 0:
            m = re.search(r"\b(right|left|mild|moderate|small|normal|clear|\d+(\.\d+)? ?cm)\b", f, re.I)
            if m:
                nf = f[:m.start()] + ph + f[m.end():]
                return real_layout(rng, r, nf, i), f"'{m.group(0)}' in findings replaced by {ph}"
            v = 1
        if v == 1:
            return real_layout(rng, r, f, i, hist=ph), f"clinical history left as {ph}"
        return real_layout(rng, r, f, i, signoff=f"Reported by: Dr {ph}"), f"reporting doctor left as {ph}"
    return None


# ---------------------------------------------------------------- build


def build(seed: int) -> list[dict]:
    base = shared_dir()
    rng = random.Random(f"h72-{seed}")
    dev = dev_uids(base)
    pool = [r for r in load_iu(base) if r["uid"] not in dev and usable(r)]
    rng.shuffle(pool)
    used: set[str] = set()
    cases: list[tuple[str | None, str, str]] = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        nb = n // 2
        for _ in range(nb):
            rep, det = bank_case(rng, kind)
            cases.append((kind, det, rep))
        got = 0
        for r in pool:
            if got >= n - nb:
                break
            if r["uid"] in used:
                continue
            out = real_case(rng, r, kind)
            if out is None:
                continue
            used.add(r["uid"])
            rep, det = out
            det = f"IU {r['uid']}: {det}" if det else f"IU {r['uid']}"
            cases.append((kind, det, rep))
            got += 1
        while got < n - nb:  # fallback, should not happen
            rep, det = bank_case(rng, kind)
            cases.append((kind, det, rep))
            got += 1
    rng.shuffle(cases)
    return [{"id": f"h72-{seed}-{n}", "injected": k, "detail": d, "report": rep}
            for n, (k, d, rep) in enumerate(cases)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {row['id']} {kind} | {row['detail']}\n{row['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
