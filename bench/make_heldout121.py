"""Held-out report-check set 121, written blind (without reading the checker).

Setting: Mauritius and Seychelles, public hospitals (Dr A. G. Jeetoo, SSRN, Victoria Candos, Flacq, Jawaharlal
Nehru, Seychelles Hospital on Mahe, Praslin) and private clinics (Wellkin, C-Care, Apollo Bramwell, Clinique
Darne, Euromedical), reporting in English.  Radiologists there trained in India, the UK, France and South Africa,
so the day-to-day mix of chest film reports shows four dictation habits: the Indian macro ("Both lung fields are
clear. Both CP angles are free. Cardiac size within normal limits. IMPRESSION: No significant abnormality
detected."), the British one ("The heart is not enlarged. The lungs are clear. CONCLUSION: Normal chest
radiograph."), the South African one ("OPINION: No acute cardiopulmonary pathology.") and French-trained English
("Free costodiaphragmatic recesses. Cardiothoracic index 0.46. CONCLUSION: ...").  Histories are the ordinary
ones of those lists: pre-employment and work-permit medicals, pre-operative checks, cough and fever, dengue or
chikungunya season fever, diabetics and hypertensives, TB contacts, falls.

400 cases: 200 clean and 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of every group is composed from the phrase bank below, half are
real IU reports (none whose uid is in the dev set) re-laid-out with the setting's headers and sign-offs and
lightly re-worded (British spelling, local normal phrases).  Blanks in this setting are dotted leaders, [ ],
<< >>, *** and unchosen template options such as [right/left]; XXXX and ___ are de-identification masks.

    python -m bench.make_heldout121 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40

_REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else _REPO.parent / "shared"


# --------------------------------------------------------------------------------------------------------------
# setting: places, people, histories, headers
# --------------------------------------------------------------------------------------------------------------

HOSPITALS = [
    "Dr A. G. Jeetoo Hospital, Port Louis", "SSRN Hospital, Pamplemousses", "Victoria Hospital, Candos",
    "Flacq Hospital", "Jawaharlal Nehru Hospital, Rose Belle", "Souillac Hospital",
    "Seychelles Hospital, Victoria, Mahe", "Baie Ste Anne Hospital, Praslin", "Wellkin Hospital, Moka",
    "C-Care Darne, Curepipe", "Apollo Bramwell Hospital", "Euromedical Clinic, Victoria",
]

# (name, qualification line, style)
RADIOLOGISTS = [
    ("Dr R. Ramgoolam", "MBBS, MD (Radiodiagnosis)", "IN"),
    ("Dr S. Jugnauth", "MBBS, DMRD, DNB", "IN"),
    ("Dr K. Seetaram", "MD Radiology (Mumbai)", "IN"),
    ("Dr A. Lutchmun", "MBBS, MD (Radiodiagnosis)", "IN"),
    ("Dr P. Hoareau", "MBChB, FRCR", "UK"),
    ("Dr C. Appadoo", "MBBS, FRCR", "UK"),
    ("Dr J. Payet", "BM, FRCR", "UK"),
    ("Dr N. Naidoo", "MBChB, FCRad(D) SA", "SA"),
    ("Dr T. Pillay", "MBChB, MMed (Rad D)", "SA"),
    ("Dr M.-C. Lebon", "MD, DES Radiologie (Paris)", "FR"),
    ("Dr F. Labonte", "MD, DES Imagerie Medicale", "FR"),
    ("Dr E. Dufour", "DES Radiologie (Reunion)", "FR"),
]

HISTORIES = [
    "Pre-employment medical.", "Work permit medical.", "Pre-op assessment, elective hernia repair.",
    "Pre-operative, lap chole.", "Pre-op for TKR.", "Cough x 2 weeks.", "Cough and fever for 5 days.",
    "Fever, ?chest infection.", "Dengue fever, SOB.", "Chikungunya, persistent fever.", "SOB on exertion.",
    "Known HTN and DM, routine check.", "T2DM, productive cough.", "Chest pain, r/o pathology.",
    "Fall at home, chest wall pain.", "RTA, chest contusion.", "TB contact, screening.", "Smoker, chronic cough.",
    "Known asthmatic, wheeze.", "Haemoptysis x 1 episode.", "Follow-up of pneumonia.",
    "Dyspnoea, bilateral pedal oedema.",
    "CKD on dialysis, SOB.", "Post-COVID follow-up.", "Visa medical.", "Seafarer medical.",
    "Fever and rigors.", "Epigastric pain, ?perforation.", "Weight loss, night sweats.", "Hypertensive, headache.",
]

EXAM_LINES = {
    "IN": ["X-RAY CHEST PA VIEW", "X-RAY CHEST PA VIEW (ERECT)", "RADIOGRAPH CHEST - PA VIEW", "CHEST X-RAY (PA)"],
    "UK": ["CXR PA", "Chest radiograph, PA", "XR CHEST", "CHEST X-RAY PA ERECT"],
    "SA": ["CHEST X-RAY: PA AND LATERAL", "CXR (PA & LAT)", "CHEST RADIOGRAPH PA"],
    "FR": ["CHEST X-RAY, FRONTAL VIEW", "CHEST RADIOGRAPH (FRONTAL AND LATERAL)", "THORAX: PA VIEW"],
}

HEADERS = {
    "IN": {"hist": ["CLINICAL HISTORY", "Clinical details", "HISTORY", "C/O"], "comp": ["COMPARISON", "Previous"],
           "tech": ["TECHNIQUE"], "find": ["FINDINGS", "OBSERVATIONS", "REPORT"],
           "imp": ["IMPRESSION", "IMPRESSION", "Impression", "OPINION"]},
    "UK": {"hist": ["Clinical information", "CLINICAL DETAILS", "Indication"], "comp": ["Comparison", "COMPARISON"],
           "tech": ["Technique"], "find": ["Findings", "FINDINGS", "Report"],
           "imp": ["Conclusion", "CONCLUSION", "Impression", "Summary"]},
    "SA": {"hist": ["CLINICAL INFORMATION", "Clinical history", "INDICATION"], "comp": ["COMPARISON", "Prior"],
           "tech": ["TECHNIQUE"], "find": ["FINDINGS", "Findings"], "imp": ["OPINION", "IMPRESSION", "Opinion"]},
    "FR": {"hist": ["Indication", "CLINICAL INDICATION", "Clinical context"],
           "comp": ["Comparison", "Previous imaging"],
           "tech": ["Technique"], "find": ["Findings", "RESULTS", "FINDINGS"],
           "imp": ["CONCLUSION", "Conclusion"]},
}

TECHNIQUES = {
    "IN": ["PA erect view.", "Single PA view obtained.", "PA view, adequate inspiration."],
    "UK": ["Single PA projection.", "Erect PA.", "AP portable, semi-erect."],
    "SA": ["PA and lateral projections.", "Frontal and lateral views."],
    "FR": ["Frontal view, standing, full inspiration.", "Frontal and lateral views, standing."],
}

COMPARISONS = ["None.", "None available.", "Nil.", "No previous films.", "Previous film of 12/03/2024.",
               "CXR dated 05.11.2023.", "Prior study 2 years ago.", "Not available."]

NORMAL_IMPRESSIONS = {
    "IN": ["No significant abnormality detected.", "Normal chest X-ray.", "No active lung lesion seen.",
           "NAD.", "Study within normal limits."],
    "UK": ["Normal chest radiograph.", "No acute cardiopulmonary abnormality.", "Normal appearances.",
           "No active disease."],
    "SA": ["No acute cardiopulmonary pathology.", "Normal chest radiograph.", "No active chest disease."],
    "FR": ["Normal chest X-ray.", "No significant pleuropulmonary abnormality.", "Normal examination."],
}

# normal components: trachea/mediastinum, heart, lungs, pleura, diaphragm, bones
NORMAL = {
    "IN": {"med": ["Trachea is central.", "Trachea is central. Mediastinum is normal."],
           "heart": ["Cardiac size is within normal limits.", "Heart size is normal.", "CTR is normal."],
           "lungs": ["Both lung fields are clear.", "Bilateral lung fields are clear. Both hila are normal.",
                     "No active parenchymal lesion seen in both lung fields."],
           "pleura": ["Both costophrenic angles are clear.", "Both CP angles are free."],
           "diaph": ["Both domes of diaphragm are normal.", "Both hemidiaphragms are normal in position and outline."],
           "bones": ["Bony thorax appears normal.", "Visualised bony cage is normal.", ""]},
    "UK": {"med": ["The mediastinum is central and not widened.", "Normal mediastinal contours.", ""],
           "heart": ["The heart is not enlarged.", "Heart size is normal.", "Normal cardiac size."],
           "lungs": ["The lungs are clear.", "Clear lungs.", "No focal lung lesion."],
           "pleura": ["No pleural effusion or pneumothorax.", "No effusion. No pneumothorax."],
           "diaph": ["", "Normal diaphragmatic contours."],
           "bones": ["No bony abnormality.", "Bones and soft tissues are unremarkable.", ""]},
    "SA": {"med": ["The mediastinum is not widened.", "Trachea is midline."],
           "heart": ["The cardiac silhouette is within normal limits.", "Heart size is normal."],
           "lungs": ["Lung fields are clear with no consolidation.", "No airspace disease.",
                     "Lungs are clear."],
           "pleura": ["Costophrenic angles are sharp.", "No pleural effusion. No pneumothorax."],
           "diaph": ["Hemidiaphragms are well defined.", ""],
           "bones": ["Bony structures are intact.", "Visualised skeleton is intact.", ""]},
    "FR": {"med": ["Normal hila and mediastinum.", "Mediastinum of normal width."],
           "heart": ["Heart of normal size.", "Cardiothoracic index 0.46.", "Normal cardiac silhouette."],
           "lungs": ["No parenchymal opacity.", "No focal parenchymal condensation."],
           "pleura": ["Free costodiaphragmatic recesses.", "No pleural effusion. No pneumothorax."],
           "diaph": ["", "Normal diaphragmatic domes."],
           "bones": ["No visible bone lesion.", ""]},
}

ZONES = {"lower": ("lower zone", "lower lobe", "base"), "mid": ("mid zone", "middle zone", "mid zone"),
         "upper": ("upper zone", "upper lobe", "apex")}


def _opp(side: str) -> str:
    return {"right": "left", "left": "right"}[side]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# --------------------------------------------------------------------------------------------------------------
# composed findings: each returns a dict with the findings sentence(s), the impression sentence, the component
# it replaces, whether it is significant, its side, a phrase that negates it (for negation conflicts) and a
# sentence that would assert it (for conflicts where the findings are normal).
# --------------------------------------------------------------------------------------------------------------


def _f_consolidation(rng: random.Random, st: str) -> dict:
    side = rng.choice(["right", "left"])
    z = rng.choice(["lower", "lower", "mid", "upper"])
    zone = ZONES[z][0] if st in ("IN", "SA") else ZONES[z][1]
    if side == "left" and z == "mid":
        zone = "mid zone"
    fnd = rng.choice([
        f"Patchy consolidation is seen in the {side} {zone}.",
        f"Ill-defined airspace opacity in the {side} {zone}, with air bronchograms.",
        f"Homogeneous opacity in the {side} {zone} consistent with consolidation.",
        f"Inhomogeneous patchy opacities noted in {side} {zone}.",
    ])
    imp = rng.choice([
        f"{_cap(side)} {zone} consolidation, likely infective. Suggest clinical correlation.",
        f"{_cap(side)} {zone} pneumonia.",
        f"Features in keeping with {side} {zone} consolidation/pneumonia. Follow-up film after treatment advised.",
        f"{_cap(side)} sided {zone} infective changes.",
    ])
    return {"key": "consolidation", "comp": "lungs", "find": fnd, "imp": imp, "sig": True, "side": side,
            "zone": zone,
            "neg_imp": rng.choice(["Lung fields are clear.", "No consolidation.", "Clear lungs.",
                                   "No active parenchymal lesion."]),
            "assert_imp": f"{_cap(side)} {zone} consolidation."}


def _f_effusion(rng: random.Random, st: str, size: str) -> dict:
    side = rng.choice(["right", "left"])
    if size == "small":
        fnd = rng.choice([f"Blunting of the {side} costophrenic angle, likely small effusion.",
                          f"Small {side} pleural effusion.",
                          f"Minimal {side} pleural effusion blunting the CP angle."])
        imp = rng.choice([f"Small {side} pleural effusion.", f"Minimal {side} effusion."])
        sig = False
    else:
        sz = rng.choice(["moderate", "moderate", "large"])
        fnd = rng.choice([f"{_cap(sz)} {side} pleural effusion with meniscus sign.",
                          f"Homogeneous opacity in the {side} lower zone obliterating the {side} CP angle with a "
                          f"meniscus, consistent with {sz} pleural effusion.",
                          f"{_cap(sz)} {side} pleural effusion with underlying basal atelectasis.",
                          f"{_cap(sz)}-sized {side} pleural effusion."])
        imp = rng.choice([f"{_cap(sz)} {side} pleural effusion.",
                          f"{_cap(sz)} {side} pleural effusion - suggest USG thorax.",
                          f"{_cap(side)} pleural effusion ({sz})."])
        sig = True
    return {"key": "effusion", "comp": "pleura", "find": fnd, "imp": imp, "sig": sig, "side": side,
            "neg_imp": rng.choice(["No pleural effusion.", "Costophrenic angles are clear.",
                                   "No effusion or pneumothorax."]),
            "assert_imp": f"{_cap(side)} pleural effusion."}


def _f_pneumothorax(rng: random.Random, st: str) -> dict:
    side = rng.choice(["right", "left"])
    fnd = rng.choice([f"{_cap(side)} apical pneumothorax with a visible pleural line, rim about 2 cm.",
                      f"A {side} sided pneumothorax is present; no mediastinal shift.",
                      f"Small {side} apical pneumothorax noted."])
    imp = rng.choice([f"{_cap(side)} pneumothorax.", f"{_cap(side)} apical pneumothorax - clinician informed.",
                      f"{_cap(side)} sided pneumothorax, no tension features."])
    return {"key": "pneumothorax", "comp": "pleura", "find": fnd, "imp": imp, "sig": True, "side": side,
            "neg_imp": "No pneumothorax.", "assert_imp": f"{_cap(side)} apical pneumothorax."}


def _f_cardiomegaly(rng: random.Random, st: str, mild: bool) -> dict:
    if mild:
        fnd = rng.choice(["Cardiac size is mildly enlarged (CTR 0.55).", "Mild cardiomegaly.",
                          "Borderline cardiomegaly, CTR about 0.52.", "Cardiothoracic index 0.54."])
        imp = rng.choice(["Mild cardiomegaly.", "Borderline cardiomegaly.", "Mild cardiomegaly, no failure."])
    else:
        fnd = rng.choice(["Cardiomegaly (CTR 0.62).", "The heart is enlarged.", "Cardiac silhouette is enlarged."])
        imp = rng.choice(["Cardiomegaly.", "Cardiomegaly - suggest echo correlation."])
    return {"key": "cardiomegaly", "comp": "heart", "find": fnd, "imp": imp, "sig": False, "side": None,
            "neg_imp": rng.choice(["Heart size is normal.", "Normal cardiac size.", "No cardiomegaly."]),
            "assert_imp": "Cardiomegaly."}


def _f_oedema(rng: random.Random, st: str) -> dict:
    fnd = rng.choice(["Cardiomegaly with upper lobe blood diversion and bilateral perihilar haziness. Kerley B lines "
                      "at both bases.",
                      "Enlarged heart. Prominent pulmonary vasculature with interstitial oedema.",
                      "Cardiomegaly with pulmonary venous congestion and bilateral small effusions."])
    imp = rng.choice(["Cardiomegaly with pulmonary oedema - CCF.", "Features of congestive cardiac failure.",
                      "Pulmonary venous hypertension / interstitial oedema with cardiomegaly."])
    return {"key": "oedema", "comp": "heart+lungs+pleura", "find": fnd, "imp": imp, "sig": True, "side": None,
            "neg_imp": rng.choice(["No pulmonary oedema.", "Lungs are clear.", "Heart size is normal."]),
            "assert_imp": "Pulmonary oedema."}


def _f_nodule(rng: random.Random, st: str, big: bool) -> dict:
    side = rng.choice(["right", "left"])
    z = rng.choice(["upper", "mid", "lower"])
    zone = ZONES[z][0]
    if big:
        mm = rng.choice([9, 12, 14, 18, 22])
        fnd = f"A {mm} mm rounded nodular opacity is seen in the {side} {zone}."
        imp = rng.choice([f"{_cap(side)} {zone} nodule ({mm} mm) - CT thorax recommended.",
                          f"Solitary pulmonary nodule in the {side} {zone}; suggest CT correlation."])
        sig = True
    else:
        fnd = rng.choice([f"Small calcified granuloma in the {side} {zone}.",
                          f"Tiny calcified focus in the {side} {zone}, likely a granuloma."])
        imp = rng.choice([f"Calcified granuloma, {side} {zone}.", "Old granulomatous disease."])
        sig = False
    return {"key": "nodule" if big else "granuloma", "comp": "lungs", "find": fnd, "imp": imp, "sig": sig,
            "side": side, "zone": zone, "neg_imp": "No focal lung lesion.",
            "assert_imp": f"{_cap(side)} {zone} nodule."}


def _f_old_tb(rng: random.Random, st: str) -> dict:
    side = rng.choice(["right", "left"])
    fnd = rng.choice([f"Fibrocalcific opacities in the {side} upper zone with mild volume loss.",
                      f"Fibrotic strands and calcific foci in the {side} upper zone."])
    imp = rng.choice([f"{_cap(side)} upper zone fibrocalcific changes - likely sequelae of old healed Koch's.",
                      f"Old healed TB, {side} upper zone. No active disease.",
                      f"Post-tuberculous fibrosis {side} apex."])
    return {"key": "old_tb", "comp": "lungs", "find": fnd, "imp": imp, "sig": False, "side": side,
            "zone": "upper zone", "neg_imp": "Lung fields are clear.", "assert_imp": f"{_cap(side)} apical fibrosis."}


def _f_mass(rng: random.Random, st: str) -> dict:
    side = rng.choice(["right", "left"])
    where = rng.choice(["hilar", "mid zone", "upper zone"])
    place = "hilum" if where == "hilar" else where
    fnd = rng.choice([f"Lobulated {side} {where} mass measuring approximately 5 cm.",
                      f"A 4 cm mass lesion in the {side} {place} with irregular margins."])
    imp = rng.choice([f"{_cap(side)} {where} mass - suspicious for neoplasm; CECT thorax recommended.",
                      f"{_cap(side)} {where} mass. Further evaluation with CT advised."])
    return {"key": "mass", "comp": "lungs", "find": fnd, "imp": imp, "sig": True, "side": side,
            "neg_imp": "No focal lung lesion.", "assert_imp": f"{_cap(side)} {where} mass."}


def _f_free_air(rng: random.Random, st: str) -> dict:
    side = rng.choice(["right", "left"])
    fnd = f"Free gas under the {side} hemidiaphragm." if side == "right" else "Free gas under both hemidiaphragms."
    side = side if side == "right" else None
    imp = rng.choice(["Pneumoperitoneum - surgical team informed.", "Free intraperitoneal air, ?perforation."])
    return {"key": "free_air", "comp": "diaph", "find": fnd, "imp": imp, "sig": True, "side": side,
            "neg_imp": "No free gas under the diaphragm.", "assert_imp": "Free air under the diaphragm."}


MINOR = [
    ("Increased bronchovascular markings in both lower zones.", "Bronchitic changes.", "lungs"),
    ("Prominent bronchovascular markings bilaterally.", "? Bronchitis. Correlate clinically.", "lungs"),
    ("Unfolded aorta with calcified aortic knuckle.", "Atherosclerotic aorta.", "med"),
    ("Degenerative changes in the thoracic spine.", "Spondylotic thoracic spine.", "bones"),
    ("Hyperinflated lungs with flattened hemidiaphragms.", "Hyperinflation, in keeping with COPD.", "lungs"),
    ("Sternotomy wires in situ.", "Post CABG status.", "bones"),
    ("Old healed fracture of the right 6th rib.", "Old healed right rib fracture.", "bones"),
    ("Old healed fracture of the left 7th rib.", "Old healed left rib fracture.", "bones"),
    ("Mild elevation of the right hemidiaphragm.", "Elevated right hemidiaphragm.", "diaph"),
    ("Cervical rib on the right.", "Right cervical rib, incidental.", "bones"),
    ("Linear atelectasis at the left base.", "Left basal plate atelectasis.", "lungs"),
]
# minor findings whose impression may be left silent (incidental / chronic)


def _pick_finding(rng: random.Random, st: str, significant: bool) -> dict:
    if significant:
        r = rng.random()
        if r < 0.38:
            return _f_consolidation(rng, st)
        if r < 0.58:
            return _f_effusion(rng, st, "moderate")
        if r < 0.68:
            return _f_pneumothorax(rng, st)
        if r < 0.82:
            return _f_oedema(rng, st)
        if r < 0.92:
            return _f_nodule(rng, st, True)
        if r < 0.97:
            return _f_mass(rng, st)
        return _f_free_air(rng, st)
    r = rng.random()
    if r < 0.3:
        return _f_cardiomegaly(rng, st, True)
    if r < 0.4:
        return _f_effusion(rng, st, "small")
    if r < 0.55:
        return _f_nodule(rng, st, False)
    if r < 0.68:
        return _f_old_tb(rng, st)
    fnd, imp, comp = rng.choice(MINOR)
    side = "right" if "right" in fnd else "left" if "left" in fnd else None
    return {"key": "minor", "comp": comp, "find": fnd, "imp": imp, "sig": False, "side": side,
            "neg_imp": "", "assert_imp": ""}


# --------------------------------------------------------------------------------------------------------------
# composed report model
# --------------------------------------------------------------------------------------------------------------


def _new_report(rng: random.Random) -> dict:
    name, qual, st = rng.choice(RADIOLOGISTS)
    return {"style": st, "hospital": rng.choice(HOSPITALS), "exam": rng.choice(EXAM_LINES[st]),
            "hist": rng.choice(HISTORIES), "comp": rng.choice(COMPARISONS) if rng.random() < 0.55 else None,
            "tech": rng.choice(TECHNIQUES[st]) if rng.random() < 0.4 else None,
            "find": [], "imp": [], "sign": (name, qual),
            "h": {k: rng.choice(v) for k, v in HEADERS[st].items()},
            "layout": rng.choice(["lines", "lines", "lines", "inline"]),
            "numbered": rng.random() < 0.3, "omit_imp_header": False, "imp_present": True,
            "find_present": True}


def _normal_findings(rng: random.Random, st: str, skip: set[str]) -> list[tuple[str, str]]:
    out = []
    for comp in ["med", "heart", "lungs", "pleura", "diaph", "bones"]:
        if comp in skip:
            continue
        s = rng.choice(NORMAL[st][comp])
        if s:
            out.append((comp, s))
    return out


def _compose_findings(rng: random.Random, rep: dict, fins: list[dict]) -> None:
    st = rep["style"]
    skip = set()
    for f in fins:
        skip.update(f["comp"].split("+"))
    base = _normal_findings(rng, st, skip)
    order = ["med", "heart", "lungs", "pleura", "diaph", "bones"]
    items = [(order.index(c), s) for c, s in base]
    for f in fins:
        items.append((order.index(f["comp"].split("+")[-1]), f["find"]))
        if f["comp"] == "lungs" and f.get("side") and rng.random() < 0.6:
            # the rest of the lung fields are stated clear, as these radiologists do
            items.append((order.index("lungs") + 0.5, rng.choice(
                ["Rest of the lung fields are clear.", f"The {_opp(f['side'])} lung is clear.",
                 "Remainder of the lungs is clear."])))
        if f["comp"] == "pleura" and f["key"] == "effusion" and rng.random() < 0.5:
            items.append((order.index("pleura") + 0.5, f"The {_opp(f['side'])} CP angle is clear."))
    items.sort(key=lambda t: t[0])
    rep["find"] = [s for _, s in items]


def _render(rep: dict) -> str:
    h = rep["h"]
    lines = []
    if rep["hospital"] and rep["layout"] == "lines":
        lines.append(rep["hospital"].upper() if rep["style"] == "IN" else rep["hospital"])
        lines.append("Department of Radiology")
    lines.append(("EXAMINATION: " if rep["style"] in ("UK", "SA") else "") + rep["exam"])
    if rep["hist"] is not None:
        lines.append(f"{h['hist']}: {rep['hist']}")
    if rep["comp"] is not None:
        lines.append(f"{h['comp']}: {rep['comp']}")
    if rep["tech"] is not None:
        lines.append(f"{h['tech']}: {rep['tech']}")
    parts = ["\n".join(lines)]
    if rep["find_present"]:
        body = " ".join(s for s in rep["find"] if s)
        if rep["layout"] == "lines" and rep["style"] == "IN" and body:
            body = "\n" + "\n".join(s for s in rep["find"] if s)
        parts.append(f"{h['find']}:{(' ' + body) if body and not body.startswith(chr(10)) else body}")
    if rep["imp_present"]:
        imps = [s for s in rep["imp"] if s]
        if rep["numbered"] and len(imps) > 1:
            body = "\n".join(f"{i}. {s}" for i, s in enumerate(imps, 1))
            parts.append(f"{h['imp']}:\n{body}")
        else:
            body = " ".join(imps)
            parts.append(f"{h['imp']}:{(' ' + body) if body else ''}")
    name, qual = rep["sign"]
    if rep.get("sign_text"):
        parts.append(rep["sign_text"])
    else:
        parts.append(rng_free_sign(rep["style"], name, qual))
    return "\n\n".join(parts)


def rng_free_sign(st: str, name: str, qual: str) -> str:
    if st == "IN":
        return f"{name}\n{qual}\nConsultant Radiologist"
    if st == "UK":
        return f"Reported by {name}, {qual}, Consultant Radiologist"
    if st == "SA":
        return f"{name} ({qual})\nRadiologist"
    return f"{name}, {qual}\nRadiologist"


# --------------------------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------------------------


def _composed_clean(rng: random.Random) -> tuple[str, str]:
    rep = _new_report(rng)
    st = rep["style"]
    r = rng.random()
    if r < 0.55:
        fins = []
    elif r < 0.82:
        fins = [_pick_finding(rng, st, False)]
    else:
        fins = [_pick_finding(rng, st, True)]
        if rng.random() < 0.3:
            extra = _pick_finding(rng, st, False)
            if extra["comp"] not in fins[0]["comp"]:
                fins.append(extra)
    _compose_findings(rng, rep, fins)
    if not fins:
        if rng.random() < 0.12:
            # impression-only report whose impression describes the film: complete
            rep["find_present"] = False
            rep["imp"] = [rng.choice(["Clear lung fields, normal heart size, no effusion or pneumothorax. Normal "
                                      "chest radiograph.",
                                      "Heart and lungs are normal. No pleural effusion. No bony abnormality.",
                                      "Normal heart size. Lungs clear. Costophrenic angles sharp. No active disease."])]
        else:
            rep["imp"] = [rng.choice(NORMAL_IMPRESSIONS[st])]
        return _render(rep), "normal"
    imps = []
    for f in fins:
        # minor/incidental findings may be left out of the impression by some radiologists
        if not f["sig"] and f["key"] in ("minor", "granuloma", "cardiomegaly") and rng.random() < 0.3:
            continue
        imps.append(f["imp"])
    if not imps:
        imps = [rng.choice(NORMAL_IMPRESSIONS[st][:2] if st != "IN" else ["No active lung lesion seen.",
                                                                          "No acute cardiopulmonary abnormality."])]
    rep["imp"] = imps
    return _render(rep), "+".join(f["key"] for f in fins)


def _composed_error(rng: random.Random, kind: str) -> tuple[str, str]:
    rep = _new_report(rng)
    st = rep["style"]
    if kind == "missing_section":
        normal = rng.random() < 0.5
        fins = [] if normal else [_pick_finding(rng, st, rng.random() < 0.5)]
        _compose_findings(rng, rep, fins)
        rep["imp"] = [f["imp"] for f in fins] or [rng.choice(NORMAL_IMPRESSIONS[st])]
        v = rng.random()
        if v < 0.35:
            rep["imp_present"] = False
            return _render(rep), "impression/conclusion section left out; findings dictated, no conclusion"
        if v < 0.7:
            rep["imp"] = []
            return _render(rep), f"{rep['h']['imp']} header left empty"
        rep["find"] = []
        rep["imp"] = [rng.choice(["As above.", "See findings above.", "As described.", "Please see report."])]
        return _render(rep), f"{rep['h']['find']} section left empty; impression only refers to it ('as above')"
    if kind == "laterality_conflict":
        f = rng.choice([_f_consolidation, lambda r, s: _f_effusion(r, s, rng.choice(["small", "moderate"])),
                        _f_pneumothorax, lambda r, s: _f_nodule(r, s, True), _f_mass, _f_old_tb,
                        lambda r, s: _f_nodule(r, s, False)])
        f = f(rng, st)
        while not re.search(rf"\b{f['side']}\b", f["imp"], re.I):
            f = _f_nodule(rng, st, False)
        _compose_findings(rng, rep, [f])
        side = f["side"]
        # no 'other side clear' companion sentence: the conflict is a side flip, not a negation
        rep["find"] = [s for s in rep["find"] if s == f["find"] or not re.search(rf"\b{_opp(side)}\b", s)]
        if rng.random() < 0.5:
            # impression dictated with the wrong side
            imp = re.sub(rf"\b{side}\b", _opp(side), f["imp"])
            imp = re.sub(rf"\b{_cap(side)}\b", _cap(_opp(side)), imp)
            rep["imp"] = [imp]
            return _render(rep), f"impression puts the {f['key']} on the {_opp(side)}; findings say {side}"
        # findings sentence dictated with the wrong side (the companion 'other side clear' sentence is dropped)
        fnd = re.sub(rf"\b{side}\b", _opp(side), f["find"])
        fnd = re.sub(rf"\b{_cap(side)}\b", _cap(_opp(side)), fnd)
        rep["find"] = [fnd if s == f["find"] else s for s in rep["find"]]
        rep["imp"] = [f["imp"]]
        return _render(rep), f"findings put the {f['key']} on the {_opp(side)}; impression says {side}"
    if kind == "negation_conflict":
        v = rng.random()
        if v < 0.5:
            # findings normal, impression asserts something the findings negate
            _compose_findings(rng, rep, [])
            f = rng.choice([_f_consolidation, lambda r, s: _f_effusion(r, s, "small"), _f_pneumothorax,
                            lambda r, s: _f_cardiomegaly(r, s, rng.random() < 0.5)])(rng, st)
            rep["imp"] = [f["imp"]]
            if f["key"] == "pneumothorax" and not any("pneumothorax" in x for x in rep["find"]):
                k = next(j for j, x in enumerate(rep["find"]) if x in NORMAL[st]["pleura"])
                rep["find"][k] += " No pneumothorax."
            return _render(rep), f"findings dictated normal (incl. the {f['comp']}), impression reports {f['key']}"
        f = rng.choice([_f_consolidation, lambda r, s: _f_effusion(r, s, rng.choice(["small", "moderate"])),
                        lambda r, s: _f_cardiomegaly(r, s, False), _f_pneumothorax, _f_oedema])(rng, st)
        _compose_findings(rng, rep, [f])
        neg = f["neg_imp"]
        rep["imp"] = [neg, rng.choice(NORMAL_IMPRESSIONS[st])] if rng.random() < 0.5 else [neg]
        if f["key"] == "cardiomegaly" and rng.random() < 0.5:
            rep["imp"] = ["Lungs are clear. Heart size is normal."]
        return _render(rep), f"findings affirm {f['key']}; impression states '{neg}'"
    if kind == "impression_omits_finding":
        f = _pick_finding(rng, st, True)
        fins = [f]
        minor = None
        if rng.random() < 0.35:
            minor = _pick_finding(rng, st, False)
            if minor["comp"] not in f["comp"] and minor["key"] != "effusion":
                fins.append(minor)
            else:
                minor = None
        _compose_findings(rng, rep, fins)
        if minor is not None:
            rep["imp"] = [minor["imp"]]
            return _render(rep), f"impression gives only the minor finding; the {f['key']} in the findings is left out"
        norm = rng.choice(["No acute cardiopulmonary abnormality.", "No significant abnormality detected.",
                           "Normal study.", "No active disease.", "Normal chest X-ray.", "NAD."])
        rep["imp"] = [norm]
        return _render(rep), f"normal impression macro '{norm}' over findings with {f['key']}"
    # placeholder
    r = rng.random()
    fins = [] if r < 0.45 else [_pick_finding(rng, st, r > 0.8)]
    _compose_findings(rng, rep, fins)
    rep["imp"] = [f["imp"] for f in fins] or [rng.choice(NORMAL_IMPRESSIONS[st])]
    opts = ["hist", "comp", "heart", "sign", "imp_opt"]
    if fins and fins[0].get("side"):
        opts += ["side", "side"]
    if fins and fins[0]["key"] == "nodule":
        opts += ["size", "size"]
    v = rng.choice(opts)
    if v == "hist":
        blank = rng.choice(["<< >>", "[ ]", "...............", "***", "[clinical history]"])
        rep["hist"] = blank
        return _render(rep), f"clinical history field left as '{blank}'"
    if v == "comp":
        blank = rng.choice(["Previous film dated ../../....", "[date]", "CXR of <<date>>", "Prior dated ***"])
        rep["comp"] = blank
        return _render(rep), f"comparison date not filled: '{blank}'"
    if v == "heart":
        blank = rng.choice(["Heart size is [normal/enlarged].", "CTR: [ ].", "Cardiothoracic ratio ***.",
                            "Cardiac size is ......."])
        rep["find"] = [blank if s in sum(NORMAL[st].values(), []) and s in NORMAL[st]["heart"] else s
                       for s in rep["find"]]
        if blank not in rep["find"]:
            rep["find"].insert(0, blank)
        return _render(rep), f"heart field left unfilled: '{blank}'"
    if v == "sign":
        blank = rng.choice(["Reported by: Dr ....................", "Dr <<name>>\nConsultant Radiologist",
                            "Verified by: [ ]"])
        rep["sign_text"] = blank
        return _render(rep), f"sign-off field left as '{blank}'"
    if v == "imp_opt":
        blank = rng.choice(["[No significant abnormality detected / see findings].", "*** .",
                            "Normal chest X-ray. [Add recommendation]"])
        rep["imp"] = rep["imp"] + ["[Add recommendation]" if blank.startswith("Normal") else blank]
        return _render(rep), "unfilled template text left in the impression"
    if v == "side":
        side = fins[0]["side"]
        blank = rng.choice(["[right/left]", "<side>", "***", "......"])
        fnd = fins[0]["find"]
        new = re.sub(rf"\b{side}\b", blank, fnd, count=1)
        new = re.sub(rf"\b{_cap(side)}\b", blank, new, count=1)
        rep["find"] = [new if s == fnd else s for s in rep["find"]]
        return _render(rep), f"side in the findings left as '{blank}'"
    blank = rng.choice(["[ ]", "xx", "..", "***"])
    fnd = fins[0]["find"]
    new = re.sub(r"\b\d+ mm\b", f"{blank} mm", fnd, count=1)
    rep["find"] = [new if s == fnd else s for s in rep["find"]]
    return _render(rep), f"nodule size left as '{blank} mm'"


# --------------------------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------------------------

_IU_CACHE: dict[str, list[dict]] = {}
_TAG = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    out = []
    with tarfile.open(shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            uid = re.search(r'<uId id="([^"]+)"', txt)
            if not uid:
                continue
            sec = {k.lower(): " ".join(_unescape(v).split()) for k, v in _TAG.findall(txt)}
            majors = [x.strip().lower() for x in re.findall(r"<major>(.*?)</major>", txt)]
            out.append({"uid": uid.group(1), "findings": sec.get("findings", ""),
                        "impression": sec.get("impression", ""), "indication": sec.get("indication", ""),
                        "comparison": sec.get("comparison", ""), "normal": majors == ["normal"]})
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _IU_CACHE[key] = out
    return out


def dev_uids() -> set[str]:
    uids = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                uids.add(json.loads(line).get("uid"))
    return uids


SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
NEG = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|normal|removed|exclude|"
                 r"excluded|absent|nor|rather than|versus|vs)\b", re.I)
HEDGE = re.compile(r"\b(may|possibl\w*|cannot|could|question\w*|suspicious|concern|likely|probabl\w*|favou?r\w*|"
                   r"suggest\w*|versus|or|small|trace|tiny|minimal|mild|stable|unchanged|chronic|old|improv\w*|"
                   r"decreas\w*|resolv\w*|healed|calcified|granuloma\w*|scar\w*|atelecta\w*|minor|similar|again|persist\w*|"
                   r"redemonstrat\w*|known|prior|previous|residual|underlying|compatible)\b", re.I)
CLASSES = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace|air space|pneumonia|infiltrat",
    "oedema": r"edema|oedema|congesti|vascular engorg",
    "effusion": r"effusion",
    "mass": r"\bmass\b|masses",
    "cardiomegaly": r"cardiomegaly|heart (?:size )?(?:is )?(?:mildly |moderately |markedly )?enlarged|"
                    r"enlarged (?:heart|cardiac)",
}
LEFT = re.compile(r"\bleft\b", re.I)
RIGHT = re.compile(r"\bright\b", re.I)


def _sents(text: str) -> list[str]:
    return [s for s in SENT.split(text) if s.strip()]


def _classes(text: str) -> set[str]:
    return {c for c, p in CLASSES.items() if re.search(p, text, re.I)}


def _polar(text: str) -> tuple[set[str], set[str], set[str]]:
    """(affirmed firmly, affirmed at all, negated) classes over the sentences of a section."""
    firm, aff, neg = set(), set(), set()
    for s in _sents(text):
        cs = _classes(s)
        if not cs:
            continue
        if NEG.search(s):
            neg |= cs
        else:
            aff |= cs
            if not HEDGE.search(s):
                firm |= cs
    return firm, aff, neg


BRIT = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"esophag", "oesophag"), (r"Esophag", "Oesophag"),
        (r"\bhemidiaphragm", "hemidiaphragm"), (r"\bhemithorax", "hemithorax"), (r"\banemi", "anaemi"),
        (r"\bhilum\b", "hilum"), (r"\bcolor", "colour"), (r"\bleukocyt", "leucocyt"),
        (r"\bcenter", "centre"), (r"\bvisualized", "visualised"), (r"\bVisualized", "Visualised")]
REWORD = [
    (r"^No acute cardiopulmonary (abnormality|disease|process)\.?$",
     ["No acute cardiopulmonary abnormality detected.", "No active cardiopulmonary disease.",
      "No acute cardiopulmonary pathology."]),
    (r"^Normal chest\.?$", ["Normal chest radiograph.", "Normal chest X-ray."]),
    (r"^No active disease\.?$", ["No active chest disease.", "No active disease seen."]),
]


def _brit(s: str, rng: random.Random) -> str:
    for a, b in BRIT:
        s = re.sub(a, b, s)
    s = re.sub(r"\s+\.", ".", s)
    s = re.sub(r"\.(\s*\.)+", ".", s)
    for pat, alts in REWORD:
        if re.match(pat, s.strip(), re.I):
            return rng.choice(alts)
    if rng.random() < 0.3:
        s = s.replace("costophrenic angles", "CP angles").replace("No pleural effusion", "No pleural effusion seen")
    return s


def _iu_rep(rng: random.Random, d: dict) -> dict:
    rep = _new_report(rng)
    rep["hist"] = _brit(d["indication"], rng) if d["indication"] else rng.choice(HISTORIES)
    comp = d["comparison"].strip()
    rep["comp"] = _brit(comp, rng) if comp and rng.random() < 0.8 else None
    rep["tech"] = rng.choice(TECHNIQUES["SA"]) if rng.random() < 0.3 else None
    rep["exam"] = rng.choice(EXAM_LINES["SA"] + ["CHEST X-RAY PA AND LATERAL", "X-RAY CHEST PA & LATERAL VIEWS"])
    rep["find"] = [_brit(s, rng) for s in _sents(d["findings"])]
    imp = re.sub(r"^\s*1\.\s+", "", d["impression"])
    numbered = re.split(r"\s*\b\d\.\s+", imp)
    if len([x for x in numbered if x.strip()]) > 1:
        rep["imp"] = [_brit(x.strip(), rng) for x in numbered if x.strip()]
        rep["numbered"] = True
    else:
        rep["imp"] = [_brit(s, rng) for s in _sents(imp)]
        rep["numbered"] = False
    rep["layout"] = rng.choice(["lines", "inline"])
    return rep


def _iu_ok_base(d: dict) -> bool:
    f, i = d["findings"], d["impression"]
    if len(f.split()) < 8 or len(i.split()) < 2:
        return False
    if re.search(r"\b(above|see findings|as described)\b", i, re.I):
        return False
    if re.search(r"\[|\]|\*\*|<<|\.\.\.|___", f + i):
        return False
    return True


def _iu_clean_ok(d: dict) -> bool:
    if not _iu_ok_base(d):
        return False
    f, i = d["findings"], d["impression"]
    if d["normal"]:
        return True
    _, faff, fneg = _polar(f)
    _, iaff, ineg = _polar(i)
    if faff - _classes(i) - {"cardiomegaly"}:
        return False
    if iaff & (fneg - faff) or faff & (ineg - iaff):
        return False
    if re.search(r"\b(new|increas\w*|widen\w*|free air|pneumoperitoneum|nodule)\b", f, re.I) and not re.search(
            r"\b(new|increas\w*|widen\w*|free air|pneumoperitoneum|nodule|mass)\b", i, re.I):
        return False
    fl, fr = bool(LEFT.search(f)), bool(RIGHT.search(f))
    il, ir = bool(LEFT.search(i)), bool(RIGHT.search(i))
    if (il and not fl and fr) or (ir and not fr and fl):
        return False
    return True


def _iu_sig_sentence(d: dict) -> str | None:
    """A findings sentence firmly affirming a significant finding, or None."""
    for s in _sents(d["findings"]):
        cs = _classes(s) - {"cardiomegaly"}
        if not cs or NEG.search(s) or HEDGE.search(s) or "XXXX" in s:
            continue
        if cs == {"effusion"} and not re.search(r"\b(moderate|large|massive|sizable|substantial)\b", s, re.I):
            continue
        return s
    return None


def _flip(s: str, side: str) -> str:
    o = _opp(side)
    s = re.sub(rf"\b{side}\b", o, s)
    return re.sub(rf"\b{_cap(side)}\b", _cap(o), s)


def _iu_error(rng: random.Random, kind: str, d: dict) -> tuple[str, str] | None:
    f, i = d["findings"], d["impression"]
    if kind == "missing_section":
        if not _iu_ok_base(d):
            return None
        rep = _iu_rep(rng, d)
        v = rng.random()
        if v < 0.4:
            rep["imp_present"] = False
            return _render(rep), "impression section dropped"
        if v < 0.75 or len(i.split()) > 8 or not d["normal"]:
            rep["imp"] = []
            return _render(rep), "impression header left empty"
        rep["find"] = []
        return _render(rep), "findings section left empty; impression only a one-line verdict"
    if kind == "laterality_conflict":
        if not _iu_ok_base(d):
            return None
        fl, fr, il, ir = (bool(LEFT.search(f)), bool(RIGHT.search(f)), bool(LEFT.search(i)), bool(RIGHT.search(i)))
        if fl == fr or il == ir or fl != il or re.search(r"middle lobe|lingula", f + i, re.I):
            return None
        side = "left" if fl else "right"
        isents = [s for s in _sents(i) if re.search(rf"\b{side}\b", s, re.I) and _classes(s)]
        fsents = [s for s in _sents(f) if re.search(rf"\b{side}\b", s, re.I) and _classes(s)]
        if not isents or not fsents:
            return None
        if any(NEG.search(s) for s in isents + fsents):
            return None
        rep = _iu_rep(rng, d)
        if rng.random() < 0.6:
            rep["imp"] = [_flip(s, side) for s in rep["imp"]]
            return _render(rep), f"impression sentence flipped to {_opp(side)}; findings say {side}"
        # flip every findings sentence naming that side, so the findings consistently say the other side
        rep["find"] = [_flip(s, side) for s in rep["find"]]
        return _render(rep), f"findings flipped to {_opp(side)} throughout; impression says {side}"
    if kind == "negation_conflict":
        if not _iu_clean_ok(d):
            return None
        rep = _iu_rep(rng, d)
        _, faff, fneg = _polar(f)
        cand = [c for c in ("effusion", "pneumothorax", "consolidation") if c in fneg - faff]
        if re.search(r"\b(large|significant|sizable|sizeable|moderate)\b[^.]{0,20}effusion", f, re.I):
            cand = [c for c in cand if c != "effusion"]
        heart_ok = bool(re.search(r"heart size (is )?(within )?normal|normal heart size|heart is normal in size|"
                                  r"cardiac silhouette (is )?(within )?normal|normal cardiac", f, re.I)) and \
            not re.search(r"cardiomegaly|enlarg", f + i, re.I)
        if cand and (not heart_ok or rng.random() < 0.65):
            c = rng.choice(cand)
            side = rng.choice(["right", "left"])
            new = {"effusion": f"Small {side} pleural effusion.", "pneumothorax": f"Small {side} apical pneumothorax.",
                   "consolidation": f"Patchy {side} lower zone consolidation."}[c]
            if rng.random() < 0.5:
                rep["imp"] = [new]
            else:
                rep["imp"] = [new] + [s for s in rep["imp"] if not re.search(r"normal|no acute|no active", s, re.I)]
            return _render(rep), f"findings negate {c}; impression reports '{new}'"
        if heart_ok and rng.random() < 0.5:
            rep["imp"] = [rng.choice(["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."])] + [
                s for s in rep["imp"] if not re.search(r"normal", s, re.I)]
            return _render(rep), "findings say heart size normal; impression reports cardiomegaly"
        return None
    if kind == "impression_omits_finding":
        if not _iu_ok_base(d) or d["normal"]:
            return None
        s = _iu_sig_sentence(d)
        if s is None:
            return None
        c = sorted(_classes(s) - {"cardiomegaly"})[0]
        rep = _iu_rep(rng, d)
        keep = [x for x in rep["imp"] if not re.search(CLASSES[c], x, re.I) and not _classes(x) and
                not re.search(r"opacit|disease|process|abnormal|pneumon|atelecta|nodul|lung|pleura", x, re.I)]
        if keep and rng.random() < 0.5:
            rep["imp"] = keep
            return _render(rep), f"impression sentence(s) on the {c} deleted; findings: '{s}'"
        norm = rng.choice(["No acute cardiopulmonary abnormality.", "No significant abnormality detected.",
                           "No active cardiopulmonary disease.", "Normal study.", "No acute disease."])
        rep["imp"] = [norm]
        rep["numbered"] = False
        return _render(rep), f"impression replaced by '{norm}'; findings: '{s}'"
    # placeholder
    if not _iu_clean_ok(d):
        return None
    rep = _iu_rep(rng, d)
    v = rng.random()
    sided = [k for k, s in enumerate(rep["find"]) if re.search(r"\b(right|left)\b", s, re.I)]
    if sided and v < 0.35:
        k = rng.choice(sided)
        blank = rng.choice(["[right/left]", "<side>", "***", "[ ]"])
        rep["find"][k] = re.sub(r"\b(right|left|Right|Left)\b", blank, rep["find"][k], count=1)
        return _render(rep), f"a side in the findings replaced by '{blank}'"
    nums = [k for k, s in enumerate(rep["find"]) if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", s)]
    if nums and v < 0.55:
        k = nums[0]
        blank = rng.choice(["[ ]", "xx", ".."])
        rep["find"][k] = re.sub(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", blank, rep["find"][k], count=1)
        return _render(rep), f"a measurement replaced by '{blank}'"
    w = rng.random()
    if w < 0.3:
        blank = rng.choice(["<<indication>>", "[ ]", "..............", "***"])
        rep["hist"] = blank
        return _render(rep), f"history field left as '{blank}'"
    if w < 0.55:
        k = rng.randrange(len(rep["find"]))
        blank = rng.choice(["[normal/abnormal]", "[***]", "<< >>"])
        rep["find"].insert(k + 1, rng.choice([f"Mediastinum {blank}.", f"Bony thorax: {blank}.",
                                              f"Soft tissues: {blank}."]))
        return _render(rep), f"template line left unfilled: '{blank}'"
    if w < 0.75:
        blank = rng.choice(["Reported by: Dr .................", "Dr [NAME]\nRadiologist", "Verified by: << >>"])
        rep["sign_text"] = blank
        return _render(rep), "sign-off field left unfilled"
    k = rng.randrange(len(rep["imp"]))
    blank = rng.choice(["***", "[ ]", "......."])
    words = rep["imp"][k].split()
    cands = [j for j, wd in enumerate(words) if re.fullmatch(r"[A-Za-z]{5,}[.,]?", wd) and "XXXX" not in wd]
    if not cands:
        rep["imp"].append(f"Recommend: {blank}")
        return _render(rep), f"recommendation field left as '{blank}'"
    j = rng.choice(cands)
    tail = words[j][-1] if words[j][-1] in ".," else ""
    old = words[j]
    words[j] = blank + tail
    rep["imp"][k] = " ".join(words)
    return _render(rep), f"impression word '{old}' replaced by '{blank}'"


# --------------------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    """The 400 cases for a seed, shuffled."""
    return _build(seed)[0]


def _build(seed: int) -> tuple[list[dict], set[str]]:
    rng = random.Random(seed * 7919 + 121)
    excl = dev_uids()
    iu = [d for d in load_iu() if d["uid"] not in excl]
    pool = iu[:]
    rng.shuffle(pool)
    used: set[str] = set()
    rows: list[dict] = []

    def take(pred, fn, n: int) -> None:
        got = 0
        for d in pool:
            if got >= n:
                break
            if d["uid"] in used or not pred(d):
                continue
            res = fn(d)
            if res is None:
                continue
            used.add(d["uid"])
            rows.append(res)
            got += 1
        if got < n:
            raise RuntimeError(f"not enough IU reports ({got}/{n})")

    # clean IU: most normal, the rest abnormal but consistent
    half = N_CLEAN // 2
    n_norm = int(half * 0.62)
    take(lambda d: d["normal"] and _iu_clean_ok(d),
         lambda d: (_render(_iu_rep(rng, d)), None, "IU report re-laid-out", d["uid"]), n_norm)
    take(lambda d: not d["normal"] and _iu_clean_ok(d),
         lambda d: (_render(_iu_rep(rng, d)), None, "IU report re-laid-out", d["uid"]), half - n_norm)
    for _ in range(N_CLEAN - half):
        text, what = _composed_clean(rng)
        rows.append((text, None, f"composed, clean ({what})", None))
    for kind in KINDS:
        h = N_PER_KIND // 2
        def fn(d, kind=kind):
            res = _iu_error(rng, kind, d)
            return None if res is None else (res[0], kind, "IU: " + res[1], d["uid"])

        take(lambda d: True, fn, h)
        for _ in range(N_PER_KIND - h):
            text, detail = _composed_error(rng, kind)
            rows.append((text, kind, "composed: " + detail, None))
    rng.shuffle(rows)
    out = [{"id": f"h121-{seed}-{n}", "injected": k, "detail": det, "report": text}
           for n, (text, k, det, _uid) in enumerate(rows)]
    return out, used


def used_uids(seed: int) -> set[str]:
    """uids of the IU reports a seed uses (none may be a dev uid)."""
    return _build(seed)[1]


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
        for k in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == k][: a.show]:
                print(f"===== {r['id']} [{k or 'clean'}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
