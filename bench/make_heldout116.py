"""Held-out report-check set 116, written blind.

Setting: occupational health and pre-employment chest X-ray clinics in Canada, Australia and
the UK -- miners, construction and healthcare workers, visa / immigration-style TB screening
and fitness-for-work films, with ILO-style dust remarks alongside ordinary clinical reporting.
Reports are laid out the way those clinics dictate them (exam line, clinical details / history,
comparison, technique, findings or report, conclusion / opinion / impression / comment and a
sign-off), with British spelling in UK and Australian reports and mostly North American spelling
in Canadian ones.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of every group is composed
from the phrase bank below, half are real IU (Open-i) reports, never one whose uid is in the
development set, re-laid-out and lightly re-worded in the setting's style.

    python -m bench.make_heldout116 OUT.jsonl --seed S [--show N]
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
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_jsonl() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


def dev_uids() -> set[str]:
    out = set()
    with open(dev_jsonl(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: list[dict] | None = None


def load_iu() -> list[dict]:
    """One pass over the archive; returns reports sorted by uid (deterministic)."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    rows = []
    with tarfile.open(reports_tgz(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            try:
                root = ET.fromstring(fh.read())
            except ET.ParseError:
                continue
            u = root.find("uId")
            uid = u.get("id") if u is not None else None
            if not uid:
                continue
            sec = {}
            for at in root.iter("AbstractText"):
                sec[(at.get("Label") or "").upper()] = (at.text or "").strip()
            major = [(e.text or "").strip() for e in root.iter("major")]
            rows.append({
                "uid": uid,
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "major": major,
            })
    rows.sort(key=lambda r: r["uid"])
    _IU_CACHE = rows
    return rows


# ----------------------------------------------------------------------------------------
# Setting: regions, headers, histories, sign-offs
# ----------------------------------------------------------------------------------------

REGIONS = ["UK", "AU", "CA"]

EXAM = {
    "UK": ["XR CHEST PA", "Chest X-ray PA", "CHEST RADIOGRAPH (PA)", "XR Chest", "Chest PA"],
    "AU": ["XR CHEST", "CHEST X-RAY", "Chest X-ray (PA erect)", "XR Chest PA",
           "CHEST X-RAY - CMWHS SURVEILLANCE"],
    "CA": ["CHEST PA AND LATERAL", "X-RAY CHEST PA/LAT", "Chest 2 views", "XR CHEST 2V",
           "CHEST PA"],
}
HIST_LABEL = {
    "UK": ["Clinical details:", "Clinical information:", "Clinical indication:", "Indication:"],
    "AU": ["Clinical Notes:", "Clinical History:", "History:", "Clinical details:"],
    "CA": ["History:", "Clinical indication:", "Reason for exam:", "Indication:"],
}
FIND_LABEL = {
    "UK": ["Findings:", "Report:", "FINDINGS:"],
    "AU": ["Findings:", "Report:", "FINDINGS:"],
    "CA": ["Findings:", "FINDINGS:"],
}
IMP_LABEL = {
    "UK": ["Conclusion:", "Opinion:", "Impression:", "CONCLUSION:"],
    "AU": ["Conclusion:", "Comment:", "Impression:", "CONCLUSION:"],
    "CA": ["Impression:", "IMPRESSION:", "Opinion:", "Conclusion:"],
}
TECH = {
    "UK": ["Technique: Single PA erect projection.", "PA erect view.", ""],
    "AU": ["Technique: PA erect.", "Technique: PA and lateral erect projections.",
           "Views: PA (ILO-standard digital).", ""],
    "CA": ["Technique: PA and lateral views.", "2 views.", ""],
}
HISTORIES = {
    "UK": [
        "Pre-employment screening, healthcare worker. Asymptomatic.",
        "Pre-placement health assessment, student nurse. No symptoms.",
        "UK pre-entry TB screening (visa). Asymptomatic.",
        "Occupational health referral. Stonemason, silica exposure. Annual surveillance.",
        "Construction worker, 20 years asbestos exposure. Surveillance film.",
        "Fitness for work assessment. Ex-smoker.",
        "Occupational health: new starter, theatre porter. IGRA positive.",
        "Tunnelling worker, periodic health surveillance.",
        "Pre-employment medical (offshore). No respiratory symptoms.",
        "Healthcare worker, positive IGRA on screening. No cough, no weight loss.",
    ],
    "AU": [
        "Coal mine worker, periodic health assessment (CMWHS). ILO classification requested.",
        "Pre-employment medical, underground miner.",
        "Visa medical (501). Asymptomatic.",
        "Engineered stone benchtop fabricator. Silica exposure surveillance.",
        "Quarry worker. Respirable crystalline silica health monitoring.",
        "Pre-employment, FIFO mining. Nil symptoms.",
        "Health monitoring, asbestos removalist. Nil respiratory symptoms.",
        "Nurse, Mantoux positive on staff screening.",
        "Fitness for work. Smoker 20 pack years.",
    ],
    "CA": [
        "Immigration medical examination (IME).",
        "Pre-employment exam, hard rock miner.",
        "Health care worker, positive TST. Rule out active TB.",
        "WSIB assessment, former asbestos worker.",
        "Periodic surveillance, silica exposure (sandblaster).",
        "Pre-employment medical, oil sands operator.",
        "Occupational screening, welder. Occasional cough.",
        "Fitness to work. Shortness of breath on exertion.",
    ],
}
COMPARISONS = {
    "UK": ["None.", "None available.", "Previous film 2019.", "No previous imaging for comparison.",
           "Previous chest X-ray 14/03/2022."],
    "AU": ["Nil.", "Nil prior.", "Previous CMWHS film 2021.", "Comparison: 12/06/2020.",
           "No prior imaging available."],
    "CA": ["None.", "No prior studies.", "Prior PA and lateral 2021-05-11.",
           "Previous IME film from 2018."],
}
RADS = {
    "UK": ["Dr R. Okafor", "Dr E. Whitcombe", "Dr S. Lindqvist", "Dr H. Bhattacharya",
           "Dr M. Doherty"],
    "AU": ["Dr T. Nguyen", "Dr K. Fairweather", "Dr P. Kowalski", "Dr J. McAllister",
           "Dr L. Papadopoulos"],
    "CA": ["Dr. A. Tremblay", "Dr. G. Singh", "Dr. N. Bouchard", "Dr. C. Mackenzie",
           "Dr. F. Haddad"],
}
SIGN_FMT = {
    "UK": ["{rad}, Consultant Radiologist", "Reported by {rad}, Consultant Radiologist (GMC {num})",
           "{rad}\nConsultant Radiologist\nVerified electronically"],
    "AU": ["{rad}, Radiologist", "Reported by: {rad} FRANZCR", "{rad}\nElectronically signed"],
    "CA": ["Dictated by: {rad}, MD FRCPC", "{rad}, Radiologist\nSigned electronically",
           "Reading radiologist: {rad}"],
}

UK_SPELL = [
    ("edema", "oedema"), ("Edema", "Oedema"), ("esophag", "oesophag"), ("Esophag", "Oesophag"),
    ("hemorrhag", "haemorrhag"), ("anemi", "anaemi"), ("centimeter", "centimetre"),
    ("color", "colour"), ("hematoma", "haematoma"), ("ischemi", "ischaemi"),
    ("tumor", "tumour"), ("leukemi", "leukaemi"), ("orthopedic", "orthopaedic"),
]

# ----------------------------------------------------------------------------------------
# Phrase bank: normal sentences, tagged with the families they negate
# ----------------------------------------------------------------------------------------

NORMAL_HEART = [
    ("The heart is not enlarged.", {"heart"}),
    ("Heart size is normal.", {"heart"}),
    ("Cardiac size and contour are within normal limits.", {"heart"}),
    ("The cardiothoracic ratio is normal.", {"heart"}),
    ("Normal heart size.", {"heart"}),
]
NORMAL_MED = [
    ("The mediastinal contours are normal.", {"mediastinum"}),
    ("Mediastinum is central and not widened.", {"mediastinum"}),
    ("The hila are normal in size and position.", {"hilar"}),
    ("Normal hilar and mediastinal outlines.", {"hilar", "mediastinum"}),
    ("Trachea central.", set()),
]
NORMAL_LUNG = [
    ("The lungs are clear.", {"consolidation", "nodule", "oedema", "pneumoconiosis"}),
    ("Both lungs are clear.", {"consolidation", "nodule", "oedema", "pneumoconiosis"}),
    ("No focal consolidation or mass lesion.", {"consolidation", "nodule"}),
    ("Lung fields are clear with no focal lesion.", {"consolidation", "nodule", "pneumoconiosis"}),
    ("No active lung lesion is seen.", {"consolidation", "nodule"}),
    ("The lungs are well expanded and clear.", {"consolidation", "nodule", "oedema"}),
]
NORMAL_PLEURA = [
    ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
    ("The costophrenic angles are sharp.", {"effusion"}),
    ("Costophrenic angles clear. No pneumothorax.", {"effusion", "pneumothorax"}),
    ("No pleural effusion.", {"effusion"}),
    ("Pleural spaces are clear.", {"effusion", "pneumothorax"}),
]
NORMAL_PLAQUE = [
    ("No pleural plaques or diffuse pleural thickening.", {"plaque"}),
    ("No pleural plaques are identified.", {"plaque"}),
    ("No calcified pleural plaques.", {"plaque"}),
]
NORMAL_ILO = [
    ("ILO classification: 0/0. No small opacities.", {"pneumoconiosis"}),
    ("No small rounded or irregular opacities to suggest pneumoconiosis (ILO 0/0).",
     {"pneumoconiosis"}),
    ("ILO profusion 0/0.", {"pneumoconiosis"}),
]
NORMAL_BONE = [
    ("No bony abnormality.", set()),
    ("Bony thorax is intact.", set()),
    ("Visualised bones and soft tissues are unremarkable.", set()),
    ("The visualized osseous structures are unremarkable.", set()),
    ("No acute osseous abnormality.", set()),
]
NORMAL_MISC = [
    ("Diaphragms are clear.", set()),
    ("Hemidiaphragms are normal in contour.", set()),
    ("Pulmonary vascularity is normal.", {"oedema"}),
    ("No free air under the diaphragm.", set()),
]

NORMAL_IMP = {
    "UK": ["Normal chest radiograph.", "Normal chest X-ray.", "No acute cardiopulmonary abnormality.",
           "No active lung disease.", "Normal appearances."],
    "AU": ["Normal chest X-ray.", "No acute cardiopulmonary abnormality.", "NAD.",
           "No active lung disease.", "Normal study."],
    "CA": ["Normal chest.", "No acute cardiopulmonary disease.", "Normal chest radiographs.",
           "No active disease.", "No acute findings."],
}
TB_IMP = [
    "No radiographic evidence of active or previous tuberculosis.",
    "No features of active or old TB.",
    "No radiological features of pulmonary tuberculosis.",
]
ILO_IMP = [
    "No radiographic evidence of pneumoconiosis.",
    "ILO 0/0. No pneumoconiosis.",
    "No features of pneumoconiosis or asbestos-related pleural disease.",
]
# normal macros that say nothing about specific lung/heart/pleura state (used when findings
# are abnormal but minor, and for the omission injection)
ACUTE_IMP = [
    "No acute cardiopulmonary abnormality.", "No active disease.", "No acute findings.",
    "No acute cardiopulmonary process.", "Nil acute.",
]

# ----------------------------------------------------------------------------------------
# Abnormal findings: (family, significant, sided, findings template, impression template,
#                     normal families that must not appear)
# ----------------------------------------------------------------------------------------

ABN = [
    # significant
    dict(fam="consolidation", sig=True, sided=True,
         find=["There is consolidation in the {side} lower zone with air bronchograms.",
               "Patchy airspace opacity is present in the {side} mid and lower zones.",
               "Dense consolidation in the {side} upper lobe."],
         imp=["{Side} lower zone consolidation, in keeping with pneumonia. Recommend follow-up film "
              "in 6 weeks to confirm resolution.",
              "{Side}-sided pneumonia.",
              "Consolidation {side} lung, likely infective. Sputum AFB advised given screening context."],
         bad={"consolidation"}),
    dict(fam="pneumothorax", sig=True, sided=True,
         find=["There is a {side} apical pneumothorax measuring 2 cm at the apex.",
               "A small-to-moderate {side} pneumothorax is present with no mediastinal shift.",
               "{Side} pneumothorax with the lung edge visible in the upper zone."],
         imp=["{Side} apical pneumothorax. Findings telephoned to the occupational physician.",
              "{Side} pneumothorax; clinical review today.",
              "{Side} pneumothorax."],
         bad={"pneumothorax"}),
    dict(fam="nodule", sig=True, sided=True,
         find=["There is a {size} mm well-defined nodule in the {side} mid zone.",
               "A {size} mm rounded opacity projects over the {side} upper zone.",
               "{Side} lower zone nodule measuring {size} mm."],
         imp=["{size} mm {side} pulmonary nodule. CT chest recommended.",
              "{Side} lung nodule ({size} mm); further assessment with CT advised.",
              "Indeterminate {side} pulmonary nodule, CT recommended."],
         bad={"nodule"}),
    dict(fam="mass", sig=True, sided=True,
         find=["There is a 4 cm mass at the {side} hilum.",
               "A lobulated {side} upper zone mass measuring approximately 5 cm.",
               "Large {side} perihilar mass."],
         imp=["{Side} hilar mass, suspicious for malignancy. Urgent CT chest recommended.",
              "{Side} upper zone mass. Urgent CT and respiratory referral.",
              "{Side} perihilar mass; suspect neoplasm."],
         bad={"nodule", "hilar"}),
    dict(fam="effusion", sig=True, sided=True,
         find=["Moderate {side} pleural effusion.",
               "There is a large {side} pleural effusion with adjacent atelectasis.",
               "Moderate-sized {side} effusion obscuring the hemidiaphragm."],
         imp=["Moderate {side} pleural effusion.",
              "Large {side} pleural effusion; ultrasound and clinical correlation advised.",
              "{Side} pleural effusion, moderate in size."],
         bad={"effusion"}),
    dict(fam="oedema", sig=True, sided=False,
         find=["There is upper lobe venous diversion with septal lines and perihilar haze.",
               "Bilateral perihilar airspace shadowing and Kerley B lines in keeping with pulmonary "
               "oedema.",
               "Interstitial oedema with upper lobe blood diversion."],
         imp=["Pulmonary oedema.", "Features of cardiac failure with interstitial oedema.",
              "Pulmonary venous congestion and interstitial oedema."],
         bad={"oedema", "consolidation"}),
    dict(fam="mediastinum", sig=True, sided=False,
         find=["The superior mediastinum is widened.",
               "The mediastinum is widened, measuring 9 cm at the level of the aortic knuckle."],
         imp=["Widened mediastinum; CT recommended.",
              "Mediastinal widening, further assessment with CT advised."],
         bad={"mediastinum"}),
    dict(fam="new_nodule", sig=True, sided=True,
         find=["The {side} mid zone nodule has increased in size from 6 mm to {size} mm since the "
               "previous film.",
               "New {size} mm nodule in the {side} lower zone, not present on the previous film."],
         imp=["Enlarging {side} pulmonary nodule. CT chest recommended.",
              "New {side} lower zone nodule; CT advised."],
         bad={"nodule"}),
    # not significant
    dict(fam="granuloma", sig=False, sided=True,
         find=["Calcified granuloma in the {side} upper zone.",
               "A few calcified nodes at the {side} hilum.",
               "Small calcified granuloma projected over the {side} mid zone."],
         imp=["Healed granulomatous disease {side} lung.", "Calcified {side} hilar nodes, old granulomatous disease."],
         bad=set()),
    dict(fam="plaque", sig=False, sided=True,
         find=["Calcified pleural plaques along the {side} hemidiaphragm.",
               "Bilateral calcified pleural plaques, more extensive on the {side}.",
               "Calcified pleural plaque over the {side} lateral chest wall."],
         imp=["Calcified pleural plaques, consistent with previous asbestos exposure.",
              "Asbestos-related pleural plaques, {side} predominant. No pulmonary fibrosis."],
         bad={"plaque"}),
    dict(fam="pneumoconiosis", sig=False, sided=False,
         find=["Small rounded opacities in both upper zones, ILO profusion 1/1, p/q.",
               "Multiple small nodular opacities in the upper and mid zones (ILO 1/0 q/q).",
               "Small rounded opacities, upper zone predominant, ILO 2/1 q/r."],
         imp=["Appearances consistent with simple pneumoconiosis (ILO 1/1).",
              "Small rounded opacities consistent with silicosis/coal workers' pneumoconiosis.",
              "Simple pneumoconiosis. Correlate with exposure history and lung function."],
         bad={"pneumoconiosis", "nodule"}),
    dict(fam="apical", sig=False, sided=True,
         find=["Minor {side} apical pleural thickening.", "{Side} apical pleural cap."],
         imp=["Minor {side} apical pleural thickening, of no clinical significance."],
         bad=set()),
    dict(fam="small_effusion", sig=False, sided=True,
         find=["Blunting of the {side} costophrenic angle, likely a small effusion or pleural "
               "thickening.",
               "Trace {side} pleural effusion."],
         imp=["Blunted {side} costophrenic angle.", "Trace {side} pleural effusion."],
         bad={"effusion"}),
    dict(fam="heart", sig=False, sided=False,
         find=["The heart is mildly enlarged (CTR 0.55).", "Mild cardiomegaly.",
               "Borderline cardiomegaly, unchanged."],
         imp=["Mild cardiomegaly.", "Mild cardiomegaly.", "Borderline heart size, stable."],
         bad={"heart"}),
    dict(fam="spine", sig=False, sided=False,
         find=["Mild degenerative change in the thoracic spine.",
               "Degenerative changes of the thoracic spine."],
         imp=["Thoracic spondylosis."], bad=set()),
    dict(fam="rib", sig=False, sided=True,
         find=["Old healed fractures of the {side} 6th and 7th ribs.",
               "Healed {side} clavicle fracture."],
         imp=["Old healed {side} rib fractures.", "Old healed {side} clavicle fracture."], bad=set()),
    dict(fam="copd", sig=False, sided=False,
         find=["The lungs are hyperinflated with flattened hemidiaphragms.",
               "Hyperexpanded lungs in keeping with emphysema."],
         imp=["Hyperinflation in keeping with COPD.", "Emphysematous change."], bad=set()),
]
ABN_BY_FAM = {a["fam"]: a for a in ABN}

# assertions used by the negation injection, keyed by the family the findings negate
NEG_ASSERT = {
    "effusion": ["Small {side} pleural effusion.", "Bilateral small pleural effusions.",
                 "{Side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "consolidation": ["{Side} lower zone consolidation, likely infective.",
                      "{Side} basal pneumonia.", "Patchy {side} mid zone airspace opacity."],
    "heart": ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."],
    "nodule": ["{size} mm {side} upper zone nodule; CT recommended."],
    "pneumoconiosis": ["Small rounded opacities consistent with simple pneumoconiosis (ILO 1/0)."],
    "plaque": ["Calcified pleural plaques consistent with prior asbestos exposure."],
    "oedema": ["Mild interstitial pulmonary oedema.", "Pulmonary venous congestion."],
    "mediastinum": ["Widened mediastinum."],
    "hilar": ["Bilateral hilar lymphadenopathy."],
}
# negations used by the negation injection for an affirmed finding family
NEG_DENY = {
    "heart": ["Heart size is normal. No acute cardiopulmonary abnormality.",
              "Normal cardiac size. Lungs clear."],
    "small_effusion": ["No pleural effusion. No active disease.", "Costophrenic angles clear."],
    "effusion": ["No pleural effusion.", "No effusion or pneumothorax."],
    "plaque": ["No pleural plaques. No asbestos-related pleural disease."],
    "pneumoconiosis": ["ILO 0/0. No radiographic evidence of pneumoconiosis."],
    "consolidation": ["Lungs clear. No consolidation.", "No focal consolidation."],
    "nodule": ["No pulmonary nodule.", "No focal lung lesion."],
    "pneumothorax": ["No pneumothorax."],
    "copd": ["Lungs normally expanded. No emphysema."],
}

PLACEHOLDERS = ["[***]", "[ ]", "***", "<<>>", "[insert]", "[...]", "{ }", "<field>", "[TBC]",
                "[select]", "[ *** ]", "<< >>"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _fill(t: str, side: str, size: int) -> str:
    return t.format(side=side, Side=_cap(side), size=size)


def _spell(text: str, region: str) -> str:
    if region == "CA":
        for a, b in UK_SPELL:
            text = text.replace(b, a)
        return text.replace("isualised", "isualized")
    for a, b in UK_SPELL:
        text = text.replace(a, b)
    return text


def _frame(rng: random.Random, region: str | None = None) -> dict:
    region = region or rng.choice(REGIONS)
    rad = rng.choice(RADS[region])
    sign = rng.choice(SIGN_FMT[region]).format(rad=rad, num=rng.randint(4000000, 7999999))
    if rng.random() < 0.5:
        sign += "\nReported: {:02d}/{:02d}/20{}".format(rng.randint(1, 28), rng.randint(1, 12),
                                                         rng.choice(["23", "24", "25"]))
    return {
        "region": region,
        "exam": rng.choice(EXAM[region]),
        "hist_label": rng.choice(HIST_LABEL[region]),
        "hist": rng.choice(HISTORIES[region]),
        "comp": rng.choice(COMPARISONS[region]),
        "tech": rng.choice(TECH[region]),
        "find_label": rng.choice(FIND_LABEL[region]),
        "imp_label": rng.choice(IMP_LABEL[region]),
        "sign": sign,
        "findings": [],
        "impression": [],
        "drop_imp": False,
        "drop_find": False,
        "blank_imp": False,
        "blank_find": False,
    }


def render(r: dict) -> str:
    reg = r["region"]
    parts = [r["exam"]]
    if r.get("hist"):
        parts.append(f"{r['hist_label']} {r['hist']}")
    comp = r.get("comp", "")
    if comp:
        parts.append(comp if comp.lower().startswith("comparison") else f"Comparison: {comp}")
    if r.get("tech"):
        parts.append(r["tech"])
    body = []
    if not r["drop_find"]:
        ftext = "" if r["blank_find"] else " ".join(r["findings"])
        if r.get("find_newlines") and not r["blank_find"]:
            ftext = "\n" + "\n".join(r["findings"])
        body.append(f"{r['find_label']} {ftext}".rstrip())
    if not r["drop_imp"]:
        imps = r["impression"]
        if r["blank_imp"]:
            itext = ""
        elif len(imps) > 1 and r.get("numbered"):
            itext = "\n" + "\n".join(f"{i + 1}. {s}" for i, s in enumerate(imps))
        else:
            itext = " ".join(imps)
        body.append(f"{r['imp_label']} {itext}".rstrip())
    text = "\n".join(parts) + "\n\n" + "\n\n".join(body) + "\n\n" + r["sign"]
    return _spell(text, reg)


def _normal_findings(rng: random.Random, ctx: str, avoid: set[str]) -> list[tuple[str, set]]:
    out = []
    for pool, p in [(NORMAL_HEART, 0.95), (NORMAL_MED, 0.8), (NORMAL_LUNG, 1.0),
                    (NORMAL_PLEURA, 0.95), (NORMAL_BONE, 0.6), (NORMAL_MISC, 0.3)]:
        if rng.random() < p:
            cands = [c for c in pool if not (c[1] & avoid)]
            if cands:
                out.append(rng.choice(cands))
    if ctx in ("dust", "asbestos"):
        for pool in (NORMAL_PLAQUE, NORMAL_ILO):
            if rng.random() < 0.8:
                cands = [c for c in pool if not (c[1] & avoid)]
                if cands:
                    out.append(rng.choice(cands))
    return out


def _ctx(hist: str) -> str:
    h = hist.lower()
    if "asbestos" in h:
        return "asbestos"
    if any(w in h for w in ("coal", "silica", "miner", "quarry", "stone", "sandblast", "tunnel",
                            "cmwhs")):
        return "dust"
    if any(w in h for w in ("visa", "ime", "immigration", "pre-entry", "501", "igra", "tst",
                            "mantoux", "tb")):
        return "tb"
    return "general"


def _normal_imp(rng: random.Random, r: dict, ctx: str) -> list[str]:
    imp = [rng.choice(NORMAL_IMP[r["region"]])]
    if ctx == "tb" and rng.random() < 0.7:
        imp = [rng.choice(TB_IMP)] if rng.random() < 0.5 else imp + [rng.choice(TB_IMP)]
    if ctx in ("dust", "asbestos") and rng.random() < 0.7:
        imp.append(rng.choice(ILO_IMP))
    return imp


def compose(rng: random.Random, kind: str | None) -> dict:
    """Compose one report from the phrase bank, optionally with one injected error."""
    r = _frame(rng)
    ctx = _ctx(r["hist"])
    side = rng.choice(["right", "left"])
    size = rng.choice([7, 8, 9, 10, 12, 14, 15, 18, 22])
    detail = ""
    abn = None
    # choose an abnormal finding (or none)
    if kind is None:
        roll = rng.random()
        if roll < 0.62:
            abn = None
        elif roll < 0.85:
            abn = rng.choice([a for a in ABN if not a["sig"]])
        else:
            abn = rng.choice([a for a in ABN if a["sig"]])
    elif kind == "laterality_conflict":
        abn = rng.choice([a for a in ABN if a["sided"]])
    elif kind == "impression_omits_finding":
        abn = rng.choice([a for a in ABN if a["sig"]])
    elif kind == "negation_conflict":
        abn = rng.choice([ABN_BY_FAM[f] for f in NEG_DENY]) if rng.random() < 0.4 else None
    else:
        roll = rng.random()
        abn = None if roll < 0.6 else rng.choice(ABN)
    if abn and abn["fam"] in ("pneumoconiosis",) and ctx not in ("dust",):
        r["hist"] = rng.choice([h for h in HISTORIES[r["region"]] if _ctx(h) == "dust"]
                               or [r["hist"]])
        ctx = _ctx(r["hist"])
    if abn and abn["fam"] == "plaque" and ctx != "asbestos":
        r["hist"] = rng.choice([h for h in HISTORIES[r["region"]] if _ctx(h) == "asbestos"]
                               or [r["hist"]])
        ctx = _ctx(r["hist"])
    if abn and abn["fam"] in ("new_nodule",):
        r["comp"] = rng.choice(["Previous film 2022.", "Prior study 2021-09-30.",
                                "Previous surveillance film (2020)."])
    avoid = set(abn["bad"]) if abn else set()
    normals = _normal_findings(rng, ctx, avoid)
    neg_fams = set().union(*[n[1] for n in normals]) if normals else set()
    sents = [n[0] for n in normals]
    fidx = 0
    if abn:
        if abn["fam"] == "new_nodule":
            size = max(size, 9)
        fidx = rng.randrange(len(abn["find"]))
        fsent = _fill(abn["find"][fidx], side, size)
        pos = rng.randint(0, len(sents))
        if abn["fam"] in ("spine", "rib"):
            pos = len(sents)
        sents.insert(pos, fsent)
    r["findings"] = sents
    r["find_newlines"] = rng.random() < 0.2
    r["numbered"] = rng.random() < 0.5
    imp_abn = _fill(abn["imp"][fidx % len(abn["imp"])], side, size) if abn else ""

    if abn is None:
        r["impression"] = _normal_imp(rng, r, ctx)
    elif abn["sig"] or abn["fam"] in ("pneumoconiosis", "plaque") or rng.random() < 0.5:
        r["impression"] = [imp_abn]
        if ctx in ("tb",) and abn["fam"] in ("spine", "rib", "heart", "copd") and rng.random() < 0.5:
            r["impression"].append(rng.choice(TB_IMP))
    else:
        r["impression"] = [rng.choice(ACUTE_IMP)]

    if kind is None:
        pass
    elif kind == "missing_section":
        mode = rng.random()
        if mode < 0.4:
            r["drop_imp"] = True
            detail = "conclusion section omitted; findings dictated but no impression/conclusion"
        elif mode < 0.75:
            r["blank_imp"] = True
            detail = f"'{r['imp_label']}' header left empty"
        else:
            r["blank_find"] = True
            r["impression"] = [rng.choice([
                "Discussed with the occupational physician.",
                "Please see occupational health correspondence.",
                "Report to be read with previous films.",
                "Film reviewed at the screening clinic.",
            ])]
            detail = "findings section left empty; conclusion does not describe the film"
    elif kind == "laterality_conflict":
        other = "left" if side == "right" else "right"
        tmpl = abn["imp"][fidx % len(abn["imp"])]
        if "{side}" not in tmpl.lower():
            tmpl = next((t for t in abn["imp"] if "{side}" in t.lower()),
                        "Calcified pleural plaques, {side} predominant.")
        if rng.random() < 0.35:
            i = r["findings"].index(fsent)
            r["findings"][i] = _fill(abn["find"][fidx], other, size)
            r["impression"] = [_fill(tmpl, side, size)]
            detail = f"findings place the {abn['fam']} on the {other}, conclusion on the {side}"
        else:
            r["impression"] = [_fill(tmpl, other, size)]
            detail = f"findings place the {abn['fam']} on the {side}, conclusion on the {other}"
        if rng.random() < 0.3:
            r["impression"].append("Otherwise normal.")
    elif kind == "negation_conflict":
        if abn is not None:
            deny = rng.choice(NEG_DENY[abn["fam"]])
            r["impression"] = [deny]
            detail = f"findings describe {abn['fam']}; conclusion denies it: '{deny}'"
        else:
            fams = [f for f in NEG_ASSERT if f in neg_fams]
            fam = rng.choice(fams)
            claim = _fill(rng.choice(NEG_ASSERT[fam]), side, size)
            r["impression"] = [claim] if rng.random() < 0.6 else [claim, "Otherwise normal."]
            detail = f"findings negate {fam}; conclusion asserts '{claim}'"
    elif kind == "impression_omits_finding":
        macro = [rng.choice(ACUTE_IMP)]
        if ctx == "tb" and abn["fam"] not in ("consolidation", "nodule", "mass", "new_nodule"):
            macro.append(rng.choice(TB_IMP))
        r["impression"] = macro
        detail = f"findings report {abn['fam']} ('{fsent}'); conclusion replaced by normal macro"
    elif kind == "placeholder":
        detail = _inject_placeholder(rng, r)
    return {"report": render(r), "detail": detail}


def _inject_placeholder(rng: random.Random, r: dict) -> str:
    ph = rng.choice(PLACEHOLDERS)
    mode = rng.random()
    if mode < 0.15:
        r["comp"] = f"Comparison: {ph}"
        return f"comparison field left as template blank {ph}"
    if mode < 0.25:
        r["sign"] = rng.choice(["Reported by: ", "Dictated by: ", "Radiologist: "]) + ph
        return f"radiologist name in sign-off left as {ph}"
    if mode < 0.35:
        r["hist"] = ph
        return f"clinical details field left as {ph}"
    sec = "findings" if mode < 0.75 else "impression"
    sents = r[sec]
    i = rng.randrange(len(sents))
    words = sents[i].split(" ")
    cand = [k for k, w in enumerate(words)
            if re.fullmatch(r"[A-Za-z]{4,}[.,]?", w) and not w.startswith("XXXX")]
    if not cand:
        sents[i] = sents[i] + f" {ph}"
        return f"{ph} appended to {sec} sentence"
    k = rng.choice(cand)
    old = words[k]
    tail = old[-1] if old[-1] in ".," else ""
    if old.rstrip(".,").lower() in ("right", "left"):
        ph = rng.choice(["[side]", "[right/left]", "[***]"])
    words[k] = ph + tail
    sents[i] = " ".join(words)
    return f"'{old.rstrip('.,')}' in {sec} replaced by {ph}"


# ----------------------------------------------------------------------------------------
# Real IU reports
# ----------------------------------------------------------------------------------------

SIG_FAMS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|airspace (?:disease|opacit|consolidat)|infiltrate",
    "oedema": r"\bedema|congestion|congestive",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
    "mediastinum": r"widen\w* (?:of the )?mediastin|mediastin\w* (?:is )?widen",
    "free_air": r"free air|pneumoperitoneum",
    "nodule": r"nodul",
}
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|removed|exclude|excluded"
    r"|versus|vs|possible|possibly|may|might|could|question\w*|suspicious|suggest\w*|cannot"
    r"|likely|probabl\w*|concern\w*|differential|improv\w*|decreas\w*|stable|unchanged|chronic|old"
    r"|previous\w*|prior|history|small|trace|tiny|minimal|minimally|mild|mildly|atelecta\w*|scar\w*"
    r"|or|vs\.|if|healed|calcified|granulom\w*|subtle|borderline|slight\w*|less|lower|reduc\w*)\b",
    re.I)


def _sentences(text: str) -> list[str]:
    text = re.sub(r"\.\.+", ".", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def affirmed_sig(findings: str) -> list[tuple[str, str]]:
    """Sentences that plainly affirm a significant finding (no hedge, no negation)."""
    out = []
    for s in _sentences(findings):
        for fam, pat in SIG_FAMS.items():
            if re.search(pat, s, re.I) and not NEG_CUE.search(s):
                out.append((fam, s))
    return out


def any_sig_mention(text: str) -> set[str]:
    return {fam for fam, pat in SIG_FAMS.items() if re.search(pat, text, re.I)}


def has_affirmed_sig_loose(findings: str) -> bool:
    """Any significant term in a sentence not clearly negated (loose; for excluding)."""
    neg = re.compile(r"\b(no|not|without|negative|free of|resolved|clear)\b", re.I)
    for s in _sentences(findings):
        for pat in SIG_FAMS.values():
            if re.search(pat, s, re.I) and not neg.search(s):
                return True
    return False


BAD_CHARS = re.compile(r"[\[\]<>*{}_]|\?\?")


def _usable(rep: dict) -> bool:
    f, i = rep["findings"], rep["impression"]
    if not f or not i or len(f) < 40:
        return False
    if BAD_CHARS.search(f + i + rep["indication"] + rep["comparison"]):
        return False
    return True


def _is_normal(rep: dict) -> bool:
    return any(m.lower() == "normal" for m in rep["major"])


def _clean_ok(rep: dict) -> bool:
    """Conservative filter for real reports used as clean or as a base for other injections."""
    if not _usable(rep):
        return False
    fam_f = {fam for fam, _ in affirmed_sig(rep["findings"])}
    if fam_f - any_sig_mention(rep["impression"]):
        return False
    if has_affirmed_sig_loose(rep["findings"]) and not _is_normal(rep):
        # loosely affirmed acute terms: keep only if the impression also names them
        loose = any_sig_mention(rep["findings"]) - any_sig_mention(rep["impression"])
        neg = re.compile(r"\b(no|not|without|negative|free of|resolved|clear)\b", re.I)
        for s in _sentences(rep["findings"]):
            for fam in loose:
                if re.search(SIG_FAMS[fam], s, re.I) and not neg.search(s):
                    return False
    # impressions that are only 'normal' while findings are abnormal in ways we cannot judge
    return True


REWORD = [
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality"),
    (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary disease"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal contour"),
    (r"\bThe lungs are clear bilaterally\b", "Both lungs are clear"),
    (r"\bvisualized\b", "visualised"),
    (r"\bVisualized\b", "Visualised"),
    (r"\bosseous structures\b", "bones"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
    (r"\bradiograph\b", "film"),
    (r"\bradiographs\b", "films"),
    (r"\bchest x-ray\b", "chest X-ray"),
    (r"\bbasilar\b", "basal"),
]


def _reword(text: str, region: str) -> str:
    text = re.sub(r"\.\.+", ".", text).strip()
    text = re.sub(r"\s+\.", ".", text)
    text = re.sub(r"\.\.+", ".", text)
    for pat, rep in REWORD:
        if region == "CA" and rep in ("visualised", "Visualised", "film", "films", "basal"):
            continue
        text = re.sub(pat, rep, text)
    if text and not text.endswith((".", "!", "?")):
        text += "."
    return text


def real_frame(rng: random.Random, rep: dict) -> dict:
    r = _frame(rng)
    reg = r["region"]
    ind = _cap(_reword(rep["indication"], reg)) if rep["indication"] else ""
    occ = rng.choice(HISTORIES[reg])
    if ind and rng.random() < 0.5:
        r["hist"] = ind
    elif ind:
        r["hist"] = occ.split(".")[0] + ". " + ind
    else:
        r["hist"] = occ
    comp = rep["comparison"].strip()
    r["comp"] = _reword(comp, reg) if comp else rng.choice(COMPARISONS[reg])
    r["findings"] = _sentences(_reword(rep["findings"], reg))
    imp = _reword(rep["impression"], reg)
    nums = re.split(r"(?:^|\s)\d\.\s+", imp)
    nums = [n.strip() for n in nums if n.strip()]
    if len(nums) > 1:
        r["impression"] = nums
        r["numbered"] = True
    else:
        r["impression"] = [imp]
        r["numbered"] = False
    r["find_newlines"] = rng.random() < 0.15
    if rng.random() < 0.4:
        r["exam"] = rng.choice(["CHEST PA AND LATERAL", "XR Chest PA and lateral",
                                "Chest X-ray, PA and lateral"])
    return r


SIDED_TOKENS = re.compile(
    r"lobe|base|basal|basilar|effusion|pneumothora|nodul|opacit|granulom|hil|ap(?:ex|ical)|"
    r"hemidiaphragm|costophrenic|airspace|infiltrat|atelecta|consolidat|pneumonia|scar|pleural|"
    r"mass|lung", re.I)
SIDE_EXCL = re.compile(r"middle lobe|lingul|ventric|atri|arch|catheter|picc|port|jugular|"
                       r"subclavian|shoulder|humer|mastectomy|breast|axill|chest wall|aortic",
                       re.I)


def _side_of(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b(right|left)\b", text, re.I)}


def _flip(s: str) -> str:
    def sw(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", sw, s)


def lat_candidate(r: dict) -> tuple[str, int, str] | None:
    """(section, sentence index, side) of a sentence to flip, or None."""
    allt = " ".join(r["findings"] + r["impression"])
    sides = _side_of(allt)
    if len(sides) != 1 or SIDE_EXCL.search(allt) or re.search(r"bilateral|both", allt, re.I):
        return None
    side = sides.pop()
    fi = [k for k, s in enumerate(r["findings"]) if _side_of(s) and SIDED_TOKENS.search(s)]
    ii = [k for k, s in enumerate(r["impression"]) if _side_of(s) and SIDED_TOKENS.search(s)]
    if not fi or not ii:
        return None
    return ("both", 0, side)


def build_real(rng: random.Random, pool: list[dict], kind: str | None, rep: dict) -> dict | None:
    r = real_frame(rng, rep)
    detail = ""
    if kind is None:
        pass
    elif kind == "missing_section":
        m = rng.random()
        if m < 0.5:
            r["drop_imp"] = True
            detail = "impression/conclusion section removed"
        else:
            r["blank_imp"] = True
            detail = f"'{r['imp_label']}' header left empty"
    elif kind == "laterality_conflict":
        if not lat_candidate(r):
            return None
        other = "left" if _side_of(" ".join(r["findings"])) == {"right"} else "right"
        if rng.random() < 0.6:
            ii = [k for k, s in enumerate(r["impression"]) if _side_of(s) and SIDED_TOKENS.search(s)]
            k = rng.choice(ii)
            old = r["impression"][k]
            r["impression"][k] = _flip(old)
            detail = f"impression side flipped to {other}: '{r['impression'][k]}'"
        else:
            fi = [k for k, s in enumerate(r["findings"]) if _side_of(s) and SIDED_TOKENS.search(s)]
            if len(fi) > 1:
                return None
            k = fi[0]
            r["findings"][k] = _flip(r["findings"][k])
            detail = f"findings side flipped to {other}: '{r['findings'][k]}'"
    elif kind == "negation_conflict":
        if has_affirmed_sig_loose(rep["findings"]):
            return None
        fs = [x.lower() for x in r["findings"]]
        ftxt = " ".join(fs)

        def negated(term: str) -> bool:
            hit = [x for x in fs if re.search(term, x)]
            return bool(hit) and all(re.search(r"\b(no|without|not)\b", x) for x in hit) and \
                not any(re.search(r"large|significant|sizable|sizeable|definite", x) for x in hit)

        opts = []
        if negated(r"effusion"):
            opts.append("effusion")
        if negated(r"pneumothora"):
            opts.append("pneumothorax")
        if re.search(r"lungs are clear|lungs clear|no (?:focal )?(?:airspace|consolidation)", ftxt) \
                and not re.search(r"opacit|infiltrat|atelecta|airspace disease(?! )", ftxt):
            opts.append("consolidation")
        if re.search(r"heart size (?:is )?(?:within )?normal|heart (?:is )?(?:normal|not enlarged)|"
                     r"cardiac silhouette (?:is )?(?:within )?normal|normal heart size|"
                     r"heart size and|cardiomediastinal (?:silhouette|contour) (?:is )?(?:within )?normal",
                     ftxt) and not re.search(r"cardiomegaly|enlarged", ftxt):
            opts.append("heart")
        if negated(r"\bedema|\boedema"):
            opts.append("oedema")
        if re.search(r"cardiomegaly|heart (?:size )?is (?:mildly |moderately )?enlarged|enlarged heart",
                     ftxt) and not re.search(r"\bno\b[^.]*cardiomegaly|not enlarged", ftxt):
            opts = ["deny_heart"]
        if not opts:
            return None
        fam = rng.choice(opts)
        side = rng.choice(["right", "left"])
        if fam == "deny_heart":
            claim = rng.choice(["Normal heart size. No acute cardiopulmonary abnormality.",
                                "Heart size is normal. Lungs clear."])
            detail = f"findings describe an enlarged heart; impression replaced by '{claim}'"
        else:
            claim = _fill(rng.choice(NEG_ASSERT[fam]), side, 9)
            detail = f"findings negate {fam}; impression replaced by '{claim}'"
        r["impression"] = [claim]
    elif kind == "impression_omits_finding":
        sig = [(f, s) for f, s in affirmed_sig(rep["findings"]) if f != "nodule"]
        if not sig:
            return None
        fam, sent = sig[0]
        if fam not in any_sig_mention(rep["impression"]):
            return None
        if re.search(r"again|known|breast|soft tissue|streaky|stable|unchanged", sent, re.I):
            return None
        if any(re.search(SIG_FAMS[fam], x, re.I) and re.search(r"\bno\b", x, re.I)
               for x in _sentences(rep["findings"])):
            return None
        if fam == "effusion" and (re.search(r"small|trace|tiny|minimal", rep["findings"], re.I)
                                  or not re.search(r"moderate|large|increas|new", sent, re.I)):
            return None
        macro = rng.choice(ACUTE_IMP)
        r["impression"] = [macro]
        detail = f"findings affirm {fam} ('{sent}'); impression replaced by '{macro}'"
    elif kind == "placeholder":
        detail = _inject_placeholder(rng, r)
    return {"report": render(r), "detail": detail}


# ----------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h116-{seed}")
    excl = dev_uids()
    reps = [r for r in load_iu() if r["uid"] not in excl and _usable(r)]
    clean_pool = [r for r in reps if _clean_ok(r)]
    normals = [r for r in clean_pool if _is_normal(r)]
    abnormals = [r for r in clean_pool if not _is_normal(r)]
    rng.shuffle(normals)
    rng.shuffle(abnormals)
    omit_pool = [r for r in reps if not _is_normal(r) and affirmed_sig(r["findings"])]
    rng.shuffle(omit_pool)
    used: set[str] = set()
    cases: list[dict] = []

    def take(pool, kind, n):
        got = 0
        for rep in pool:
            if got >= n:
                break
            if rep["uid"] in used:
                continue
            out = build_real(rng, pool, kind, rep)
            if out is None:
                continue
            used.add(rep["uid"])
            cases.append({"injected": kind, "detail": out["detail"], "report": out["report"],
                          "uid": rep["uid"]})
            got += 1
        if got < n:
            raise RuntimeError(f"not enough real reports for {kind}: {got}/{n}")

    half_clean, half_kind = N_CLEAN // 2, N_PER_KIND // 2
    # real clean: mostly normal reports, some with ordinary findings
    n_norm = int(half_clean * 0.62)
    take(normals, None, n_norm)
    take(abnormals, None, half_clean - n_norm)
    mixed = normals + abnormals
    rng.shuffle(mixed)
    take(mixed, "missing_section", half_kind)
    take(mixed, "placeholder", half_kind)
    neg_pool = normals + [a for a in abnormals
                          if any("cardiomegaly" in m.lower() for m in a["major"])]
    rng.shuffle(neg_pool)
    take(neg_pool, "negation_conflict", half_kind)
    lat_pool = [r for r in clean_pool if not _is_normal(r)]
    rng.shuffle(lat_pool)
    take(lat_pool, "laterality_conflict", half_kind)
    take(omit_pool, "impression_omits_finding", half_kind)

    for kind, n in [(None, half_clean)] + [(k, half_kind) for k in KINDS]:
        for _ in range(n):
            out = compose(rng, kind)
            cases.append({"injected": kind, "detail": out["detail"], "report": out["report"],
                          "uid": None})
    rng.shuffle(cases)
    rows = []
    for n, c in enumerate(cases):
        row = {"id": f"h116-{seed}-{n}", "injected": c["injected"], "detail": c["detail"],
               "report": c["report"]}
        rows.append(row)
        c["id"] = row["id"]
    build.last_uids = {c["id"]: c["uid"] for c in cases}  # type: ignore[attr-defined]
    return rows


def used_uids(seed: int) -> set[str]:
    build(seed)
    return {u for u in build.last_uids.values() if u}  # type: ignore[attr-defined]


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
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
