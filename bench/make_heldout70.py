"""Held-out report-check set 70, written blind.

Setting: Irish public hospitals (HSE) -- emergency departments, medical and surgical wards, outpatient
clinics and GP referrals.  Chest radiographs reported the way Irish consultant radiologists and SpRs
dictate them on the national imaging system: an examination line ("XR CHEST PA", "CHEST X-RAY AP
PORTABLE"), "Clinical details:"/"Clinical history:", "Comparison:"/"Previous:", sometimes a technique
line, "Findings:" or "Report:", then "Conclusion:"/"Opinion:"/"Impression:"/"Comment:" and a sign-off
("Dr ..., Consultant Radiologist", "Reported by ... SpR / Verified by ..."). British/Irish spelling
(oedema, haemoptysis, oesophageal, visualised), DD/MM/YYYY dates, ED/ward/GP shorthand ("?LRTI", "SOB",
"6/52", "NGT", "post-op day 2"), follow-up advice in the BTS style ("repeat CXR in 6 weeks").

The set has 400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of every group is composed from the phrase bank below,
half are real IU reports (never a dev-set uid) re-laid-out in this style with light re-wording
(British spelling, Irish headers), with the error injected into the real text.

Run:  python -m bench.make_heldout70 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
from html import unescape
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: list[dict] | None = None


def load_iu() -> list[dict]:
    """All IU reports (uid, indication, comparison, findings, impression), read once per process."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    pat = re.compile(r'<AbstractText Label="(\w+)"(?:\s*/>|>(.*?)</AbstractText>)', re.S)
    out = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            s = fh.read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', s)
            if not u:
                continue
            d = {"uid": u.group(1)}
            for lab, txt in pat.findall(s):
                d[lab.lower()] = re.sub(r"\s+", " ", unescape(txt or "")).strip()
            out.append(d)
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _IU_CACHE = out
    return out


# ----------------------------------------------------------------------------------------------
# Layout: the setting's headers and sign-offs
# ----------------------------------------------------------------------------------------------

HOSPITALS = [
    "St. James's Hospital, Dublin", "Beaumont Hospital", "Cork University Hospital", "University Hospital Galway",
    "Mater Misericordiae University Hospital", "Tallaght University Hospital", "University Hospital Limerick",
    "Our Lady of Lourdes Hospital, Drogheda", "Sligo University Hospital", "University Hospital Waterford",
    "Mayo University Hospital", "Connolly Hospital Blanchardstown", "St. Vincent's University Hospital",
    "Letterkenny University Hospital", "Naas General Hospital", "Midland Regional Hospital Tullamore",
    "University Hospital Kerry", "Cavan General Hospital", "Mercy University Hospital, Cork",
]
FIRST = ["Aoife", "Ciarán", "Siobhán", "Niamh", "Eoin", "Orla", "Pádraig", "Gráinne", "Declan", "Róisín", "Cian",
         "Sinéad", "Fergal", "Deirdre", "Conor", "Úna", "Brendan", "Clodagh", "Ronan", "Máire", "Priya", "Tomasz",
         "Ahmed", "Emer"]
LAST = ["Murphy", "O'Brien", "Byrne", "Kelly", "Walsh", "O'Sullivan", "McCarthy", "Doyle", "Ní Bhriain", "Kennedy",
        "Lynch", "Fitzgerald", "O'Connor", "Brennan", "Moran", "Gallagher", "Ó Súilleabháin", "Nolan", "Keane",
        "Sharma", "Kowalski", "Hegarty", "Costello", "Mac Gearailt"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2019, 2020, 2021, 2022, 2023, 2024])}"


def signoff(rng: random.Random) -> str:
    n = _name(rng)
    r = rng.random()
    if r < 0.3:
        return f"Dr {n}, Consultant Radiologist"
    if r < 0.5:
        return f"Reported by: Dr {n} MB FFR RCSI\nConsultant Radiologist, {rng.choice(HOSPITALS)}"
    if r < 0.7:
        return f"Reported by: Dr {_name(rng)}, SpR Radiology\nVerified by: Dr {n}, Consultant Radiologist"
    if r < 0.85:
        return f"Electronically signed: Dr {n}, Consultant Radiologist, {_date(rng)}"
    return f"Dictated by Dr {n}\nConsultant Radiologist"


EXAMS = {
    "ED": ["XR CHEST PA", "XR Chest PA", "CHEST X-RAY PA ERECT", "XR CHEST AP", "X-RAY CHEST (AP ERECT)", "XR THORAX"],
    "ward": ["XR CHEST AP PORTABLE", "CHEST X-RAY AP (MOBILE)", "XR Chest AP Semi-erect", "XR CHEST PA",
             "CXR Portable AP"],
    "OPD": ["XR CHEST PA", "XR Chest PA", "CHEST X-RAY PA", "XR THORAX PA"],
    "GP": ["XR CHEST PA", "XR Chest PA", "CHEST RADIOGRAPH PA", "XR CHEST PA (GP referral)"],
    "IU": ["XR CHEST PA AND LATERAL", "XR Chest PA & Lateral", "CHEST X-RAY PA/LAT", "XR CHEST 2 VIEWS",
           "CHEST RADIOGRAPH PA AND LATERAL"],
}


def layout(rng: random.Random, exam: str, history: str, comparison: str | None, technique: str | None,
           findings: str | None, impression: str | None, find_hdr: str | None = None,
           imp_hdr: str | None = None, ward: str | None = None) -> str:
    """Lay out a report in one of the setting's house styles.

    findings/impression None: the section (and its header) is absent; "" : header present, body empty.
    """
    style = rng.randrange(5)
    hist_hdr = rng.choice(["Clinical details:", "Clinical history:", "Clinical information:", "History:",
                           "Clinical Details:", "Indication:"])
    comp_hdr = rng.choice(["Comparison:", "Previous:", "Comparison:", "Prior imaging:"])
    fh = find_hdr or rng.choice(["Findings:", "Findings:", "FINDINGS:", "Report:"])
    ih = imp_hdr or rng.choice(["Conclusion:", "Opinion:", "Impression:", "CONCLUSION:", "Comment:", "IMPRESSION:",
                                "Conclusion:"])
    parts: list[str] = []
    if style == 0:
        parts.append(exam.upper())
    elif style == 1:
        parts.append(f"Examination: {exam}")
    elif style == 2:
        parts.append(f"Exam: {exam}")
    elif style == 3:
        parts.append(f"{exam}\n{'-' * min(len(exam), 24)}")
    else:
        parts.append(f"Procedure: {exam}")
    head = []
    if ward:
        head.append(ward)
    head.append(f"{hist_hdr} {history}")
    if comparison is not None:
        head.append(f"{comp_hdr} {comparison}")
    if technique:
        head.append(f"Technique: {technique}")
    parts.append("\n".join(head))
    inline = rng.random() < 0.55
    for hdr, body in ((fh, findings), (ih, impression)):
        if body is None:
            continue
        if body == "":
            parts.append(hdr)
        elif inline and "\n" not in body:
            parts.append(f"{hdr} {body}")
        else:
            parts.append(f"{hdr}\n{body}")
    parts.append(signoff(rng))
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------------------------
# Phrase bank
# ----------------------------------------------------------------------------------------------

HISTORY = {
    "ED": ["SOB ?LRTI", "Cough, pyrexia, raised CRP. ?Consolidation", "Chest pain. ?cause",
           "Fall, left chest wall pain",
           "Pleuritic chest pain ?pneumothorax", "SOB on exertion, bilateral leg oedema", "Collapse query cause",
           "Fever and rigors, ?source", "Haemoptysis x 2 days", "Productive cough, crackles R base",
           "Acute SOB, known COPD", "Trauma, fall from ladder. ?rib #", "Tachycardic, hypoxic. ?pneumonia",
           "Stab-like chest pain, young male, ?PTX", "Elderly female, confusion, ?infective source",
           "Chest pain, trop negative", "Asthma exacerbation, not settling"],
    "ward": ["NGT placement, confirm position", "Post-op day 2, desaturating", "Post-op laparotomy, ?free air",
             "PICC line insertion, confirm tip position", "Increasing O2 requirement", "Pyrexial on ward, ?HAP",
             "Reduced air entry L base", "Known CCF, fluid overloaded?", "Post chest drain removal",
             "Post pacemaker insertion", "Day 1 post oesophagectomy", "Aspiration risk, spiking temps",
             "Pre-op assessment, elective hip replacement", "Known effusion, ?progression"],
    "OPD": ["Follow up of pneumonia, 6/52 post treatment", "Chronic cough", "Respiratory clinic review, COPD",
            "Pre-op, elective surgery", "Sarcoidosis follow up", "Weight loss, ex-smoker",
            "Known lung nodule follow-up", "Rheumatoid arthritis, on methotrexate, baseline",
            "Breast clinic staging", "Dyspnoea, ?ILD"],
    "GP": ["Persistent cough 6/52, smoker", "Cough 3/52 not responding to antibiotics", "Haemoptysis, 40 pack years",
           "Weight loss and night sweats", "Recurrent chest infections", "SOB on exertion",
           "Smoker, hoarse voice", "Routine, pre-employment", "Chest pain, ECG normal", "Wheeze, ?asthma ?COPD",
           "Positive Mantoux", "Repeat CXR after LRTI"],
}
SETTING_W = [("ED", 0.38), ("ward", 0.22), ("OPD", 0.16), ("GP", 0.24)]
WARDS = {
    "ED": ["Location: ED Majors", "Location: Emergency Department", "Location: ED Resus", "Location: AMAU",
           "Source: Emergency Department"],
    "ward": ["Ward: St. Brigid's Ward", "Ward: Medical 2", "Ward: Surgical 1", "Ward: CCU", "Ward: St. Patrick's Ward",
             "Ward: HDU", "Location: Respiratory Ward"],
    "OPD": ["Location: OPD Respiratory Clinic", "Location: Outpatients", "Source: Pre-assessment Clinic"],
    "GP": ["Referrer: GP", "Referring clinician: Dr Nolan (GP)", "Source: GP referral",
           "Referral: General Practitioner"],
}

NORMAL = {
    "heart": ["Heart size is normal.", "The heart is not enlarged.", "Cardiac size is within normal limits.",
              "CTR is within normal limits.", "Normal cardiac size and contour.", "Heart size normal."],
    "medi": ["Mediastinal contours are normal.", "The mediastinum is central and not widened.",
             "Hila are normal in size and position.", "Normal mediastinal and hilar contours.",
             "Trachea is central."],
    "lungs": ["Lungs are clear.", "The lungs are clear.", "No focal consolidation.", "Both lungs are clear.",
              "No focal consolidation or mass lesion.", "Lung fields are clear."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are clear.", "Costophrenic angles are sharp.",
               "No pleural fluid seen.", "No effusion."],
    "ptx": ["No pneumothorax.", "No pneumothorax seen.", "No pneumothorax identified."],
    "bones": ["No acute bony abnormality.", "Bony structures are intact.", "Visualised bones are unremarkable.",
              "Bones and soft tissues are unremarkable."],
}
LUNGS_OTHERWISE = ["Lungs are otherwise clear.", "The remainder of the lungs are clear.", "Otherwise clear lungs.",
                   "No other focal lung abnormality."]
NORMAL_IMP_STRICT = ["Normal chest X-ray.", "Normal chest radiograph.", "NAD.", "Normal study.",
                     "No significant abnormality detected."]
NORMAL_IMP_SOFT = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active disease.",
                   "No acute disease seen.", "No acute intrathoracic abnormality.",
                   "No active cardiopulmonary disease."]

ZONES = {"lower": ["lower zone", "base", "lower lobe"], "mid": ["mid zone", "mid zone"], "upper": ["upper zone",
                                                                                                  "upper lobe"]}


def _side_words(side: str) -> tuple[str, str]:
    return side, side.capitalize()


def make_item(rng: random.Random, name: str, side: str | None = None) -> dict:
    """One finding: its findings sentence(s), its impression sentence, the normal parts it displaces."""
    s = side or rng.choice(["right", "left"])
    S = s.capitalize()
    it: dict = {"name": name, "side": None, "sig": False, "minor": False, "device": False, "over": set()}
    if name == "consolidation":
        zk = rng.choice(["lower", "lower", "mid", "upper"])
        z = rng.choice(ZONES[zk])
        it["f"] = rng.choice([
            f"There is consolidation in the {s} {z}.",
            f"Patchy airspace opacification in the {s} {z}, in keeping with consolidation.",
            f"New area of consolidation at the {s} {z} with air bronchograms.",
            f"Increased airspace shadowing in the {s} {z} consistent with consolidation.",
        ])
        it["i"] = rng.choice([
            f"{S} {z} consolidation, in keeping with infection in the appropriate clinical setting. Suggest repeat "
            f"CXR in 6 weeks following treatment to confirm resolution.",
            f"{S} {z} pneumonia.",
            f"Consolidation in the {s} {z} consistent with LRTI.",
            f"{S}-sided {z} consolidation. Follow-up film advised post treatment.",
        ])
        it.update(side=s, sig=True, over={"lungs"}, alt_f=f"{S} {z} consolidation.",
                  neg_i=rng.choice(["Lungs are clear.", "No focal consolidation.", "No consolidation."]))
    elif name == "effusion":
        size = rng.choice(["moderate", "moderate", "large", "moderate-sized"])
        it["f"] = rng.choice([
            f"There is a {size} {s} pleural effusion.",
            f"{S} pleural effusion, {size} in size, with associated basal atelectasis.",
            f"A {size} {s} pleural effusion is present, new since the previous study.",
            f"{S}-sided pleural effusion occupying the lower third of the {s} hemithorax.",
        ])
        it["i"] = rng.choice([f"{S.capitalize()} pleural effusion ({size}).", f"{size.capitalize()} {s} pleural "
                              "effusion.", f"{S} pleural effusion. Consider ultrasound-guided aspiration if "
                              "clinically indicated."])
        it.update(side=s, sig=True, over={"pleura"}, neg_i=rng.choice(["No pleural effusion.", "No effusion."]))
    elif name == "small_effusion":
        it["f"] = rng.choice([f"Blunting of the {s} costophrenic angle, likely a small effusion.",
                              f"Small {s} pleural effusion.", f"Trace of {s} pleural fluid."])
        it["i"] = rng.choice([f"Small {s} pleural effusion.", f"Small {s} effusion."])
        it.update(side=s, minor=True, over={"pleura"})
    elif name == "ptx":
        cm = rng.choice(["1.5 cm", "2 cm", "2.5 cm", "3 cm", "1 cm"])
        it["f"] = rng.choice([
            f"There is a {s} apical pneumothorax measuring {cm} at the level of the hilum.",
            f"{S}-sided pneumothorax with a visible pleural edge, rim of {cm}.",
            f"A {s} pneumothorax is seen, {cm} from the chest wall at the hilum.",
        ])
        it["i"] = rng.choice([f"{S} pneumothorax ({cm}). Findings discussed with the ED team.", f"{S} pneumothorax.",
                              f"{S}-sided pneumothorax, {cm} at the hilum. Communicated to the referring team."])
        it.update(side=s, sig=True, over={"ptx"}, neg_i=rng.choice(["No pneumothorax.", "No pneumothorax seen."]))
    elif name == "oedema":
        it["f"] = rng.choice([
            "The heart is enlarged. There is upper lobe blood diversion with bilateral perihilar haziness and "
            "Kerley B lines, in keeping with pulmonary oedema. Small bilateral effusions.",
            "Cardiomegaly with interstitial oedema and septal lines. Bilateral small pleural effusions.",
            "Enlarged cardiac silhouette. Bilateral perihilar airspace shadowing and upper lobe venous diversion, "
            "consistent with pulmonary oedema.",
        ])
        it["i"] = rng.choice(["Features in keeping with congestive cardiac failure.", "Pulmonary oedema.",
                              "Appearances consistent with fluid overload / CCF."])
        it.update(sig=True, over={"lungs", "pleura", "heart"}, neg_i="No evidence of pulmonary oedema.")
    elif name == "nodule":
        mm = rng.choice([7, 8, 9, 10, 12, 14, 15, 18, 22])
        z = rng.choice(["mid zone", "upper zone", "lower zone"])
        it["f"] = rng.choice([f"There is {'an' if mm in (8, 18) else 'a'} {mm} mm nodule in the {s} {z}.",
                              (f"{'An' if mm in (8, 18) else 'A'} {mm} mm rounded opacity is noted in the {s} {z}, "
                               "not seen previously."),
                              f"{S} {z} nodule measuring {mm} mm."])
        it["i"] = rng.choice([f"{mm} mm {s} {z} nodule. CT thorax is recommended for further evaluation.",
                              f"{S} {z} pulmonary nodule ({mm} mm). Recommend CT thorax.",
                              f"Indeterminate {mm} mm nodule in the {s} {z}; CT thorax advised."])
        it.update(side=s, sig=True, over={"lungs"}, size=str(mm))
    elif name == "mass":
        cm = rng.choice(["3 cm", "4 cm", "4.5 cm", "5 cm"])
        where = rng.choice([f"{s} hilum", f"{s} upper zone", f"{s} mid zone"])
        it["f"] = rng.choice([f"There is a {cm} mass at the {where}.", f"Lobulated {cm} mass lesion in the {where}."])
        it["i"] = rng.choice([f"{cm} mass at the {where}, suspicious for malignancy. Urgent CT thorax recommended. "
                              "Referred to the lung cancer rapid access clinic pathway.",
                              f"{where.capitalize().replace(' hilum', ' hilar')} mass, highly suspicious "
                              "for a primary lung neoplasm. Recommend "
                              "CT thorax with contrast."])
        it.update(side=s, sig=True, over={"lungs"})
    elif name == "free_air":
        it["f"] = rng.choice(["There is free gas under both hemidiaphragms.",
                              "Free subdiaphragmatic gas is seen beneath the diaphragm.",
                              "Crescent of free intraperitoneal air under the diaphragm."])
        it["i"] = rng.choice(["Pneumoperitoneum. Discussed with the surgical team at time of reporting.",
                              "Free intraperitoneal gas; in the post-operative setting this may be expected, "
                              "but clinical correlation is required.", "Free subdiaphragmatic gas."])
        it.update(sig=True, neg_i="No free subdiaphragmatic gas.")
    elif name == "cardiomegaly":
        it["f"] = rng.choice(["Mild cardiomegaly.", "The heart is mildly enlarged.", "Borderline cardiomegaly, "
                              "unchanged.", "CTR 0.56, mild cardiomegaly, stable.", "The heart size is at the upper "
                              "limit of normal."])
        it["i"] = rng.choice(["Mild cardiomegaly.", "Stable mild cardiomegaly.", "Borderline heart size."])
        it.update(minor=True, over={"heart"}, neg_i=rng.choice(["Normal heart size.", "Heart size is normal."]))
    elif name == "copd":
        it["f"] = rng.choice(["Lungs are hyperinflated with flattening of the hemidiaphragms.",
                              "Hyperexpanded lungs, in keeping with COPD.", "Changes of emphysema, with bullae at "
                              "the apices."])
        it["i"] = rng.choice(["Hyperinflation in keeping with COPD.", "Emphysematous changes.", "Changes of COPD."])
        it.update(minor=True, over={"lungs"})
    elif name == "granuloma":
        it["f"] = rng.choice([f"Small calcified granuloma in the {s} mid zone.",
                              f"Calcified granuloma projected over the {s} upper zone, a benign finding.",
                              f"A few calcified nodes at the {s} hilum, old granulomatous disease."])
        it["i"] = "Old granulomatous disease."
        it.update(side=s, minor=True)
    elif name == "rib_fx":
        n = rng.choice(["5th and 6th", "6th and 7th", "4th to 6th", "7th and 8th"])
        it["f"] = rng.choice([f"Old healed fractures of the {s} {n} ribs.", f"Healed {s} {n} rib fractures noted."])
        it["i"] = f"Old {s} rib fractures."
        it.update(side=s, minor=True)
    elif name == "acute_rib_fx":
        n = rng.choice(["5th", "6th", "7th", "8th", "9th"])
        it["f"] = rng.choice([f"There is an undisplaced fracture of the {s} {n} rib laterally.",
                              f"Acute fracture of the {s} {n} rib in the lateral aspect."])
        it["i"] = rng.choice([f"Fracture of the {s} {n} rib. No pneumothorax.", f"{S} {n} rib fracture."])
        it.update(side=s, minor=True)
    elif name == "spine":
        it["f"] = rng.choice(["Degenerative changes in the thoracic spine.", "Mild thoracic spondylosis.",
                              "Multilevel degenerative change of the thoracic spine."])
        it["i"] = "Degenerative thoracic spine."
        it.update(minor=True)
    elif name == "atelectasis":
        it["f"] = rng.choice([f"Linear atelectasis at the {s} base.", f"Subsegmental atelectasis in the {s} lower "
                              "zone.", f"Plate atelectasis at the {s} lung base."])
        it["i"] = rng.choice([f"Minor {s} basal atelectasis.", f"{S} basal subsegmental atelectasis."])
        it.update(side=s, minor=True, over={"lungs"})
    elif name == "ngt":
        it["f"] = rng.choice(["NG tube in situ, tip projecting below the left hemidiaphragm in the region of the "
                              "stomach.", "Nasogastric tube is seen with its tip in the stomach, below the left "
                              "hemidiaphragm.", "NGT passes below the diaphragm, tip in the gastric fundus."])
        it["i"] = rng.choice(["NG tube tip in the stomach. Satisfactory position for use.",
                              "NGT in satisfactory position.", "Nasogastric tube appropriately sited in the stomach."])
        it.update(device=True)
    elif name == "picc":
        it["f"] = rng.choice([f"{S} arm PICC line with tip projected over the cavoatrial junction.",
                              f"{S}-sided PICC, tip in the lower SVC."])
        it["i"] = rng.choice(["PICC tip in satisfactory position.", f"{S} PICC line, tip at the cavoatrial junction."])
        it.update(side=s, device=True)
    elif name == "pacemaker":
        it["f"] = rng.choice(["Left-sided dual chamber pacemaker in situ with leads in satisfactory position.",
                              "Left pectoral pacing device, leads projected over the right atrium and ventricle."])
        it["i"] = "Pacemaker in satisfactory position."
        it.update(device=True)
    elif name == "sternotomy":
        it["f"] = rng.choice(["Median sternotomy wires and CABG clips noted.", "Sternotomy wires intact."])
        it["i"] = "Post CABG changes."
        it.update(minor=True)
    elif name == "hiatus":
        it["f"] = rng.choice(["Small hiatus hernia behind the heart.", "Retrocardiac hiatus hernia noted."])
        it["i"] = "Hiatus hernia."
        it.update(minor=True)
    else:
        raise ValueError(name)
    return it


SIG_BY_SETTING = {
    "ED": ["consolidation", "consolidation", "consolidation", "effusion", "ptx", "ptx", "oedema", "nodule", "mass"],
    "ward": ["consolidation", "consolidation", "effusion", "effusion", "oedema", "oedema", "free_air"],
    "OPD": ["consolidation", "effusion", "nodule", "nodule", "mass"],
    "GP": ["consolidation", "consolidation", "nodule", "mass", "effusion"],
}
MINOR = ["cardiomegaly", "cardiomegaly", "copd", "copd", "granuloma", "rib_fx", "spine", "spine", "atelectasis",
         "small_effusion", "sternotomy", "hiatus"]


def scenario(rng: random.Random, need: str) -> dict:
    """need: 'normal', 'minor', 'sig', 'sided_sig', 'sided' or 'any'."""
    setting = rng.choices([s for s, _ in SETTING_W], [w for _, w in SETTING_W])[0]
    hist = rng.choice(HISTORY[setting])
    items: list[dict] = []
    if setting == "ward" and "NGT" in hist:
        items.append(make_item(rng, "ngt"))
    elif setting == "ward" and "PICC" in hist:
        items.append(make_item(rng, "picc"))
    elif setting == "ward" and "pacemaker" in hist:
        items.append(make_item(rng, "pacemaker"))
    if "rib #" in hist and rng.random() < 0.5 and need in ("sided", "any", "minor"):
        items.append(make_item(rng, "acute_rib_fx"))
    if need == "any":
        need = rng.choices(["normal", "minor", "sig"], [0.6, 0.25, 0.15])[0]
    if need in ("sig", "sided_sig"):
        pool = SIG_BY_SETTING[setting]
        if need == "sided_sig":
            pool = [p for p in pool if p not in ("oedema", "free_air")]
        if "free air" in hist:
            pool = ["free_air"] if need == "sig" else pool
        items.append(make_item(rng, rng.choice(pool)))
    elif need == "sided":
        items.append(make_item(rng, rng.choice(["consolidation", "effusion", "ptx", "nodule", "small_effusion",
                                                "atelectasis", "mass", "consolidation"])))
    if need == "minor" or (need != "normal" and rng.random() < 0.35) or (need == "normal" and rng.random() < 0.25):
        pool = list(MINOR) if need != "normal" else ["spine", "granuloma", "rib_fx", "sternotomy", "hiatus", "spine"]
        have = {i["name"] for i in items}
        taken = set().union(*[i["over"] for i in items]) if items else set()
        for _ in range(rng.choice([1, 1, 2])):
            nm = rng.choice(pool)
            cand = make_item(rng, nm)
            if nm in have or cand["over"] & taken or (nm == "small_effusion" and "pleura" in taken):
                continue
            items.append(cand)
            have.add(nm)
            taken |= cand["over"]
    return {"setting": setting, "history": hist, "items": items}


def findings_sentences(rng: random.Random, items: list[dict], keep_negatives: set[str] | None = None) -> list[str]:
    over = set().union(*[i["over"] for i in items]) if items else set()
    keep = keep_negatives or set()
    out: list[str] = []
    devices = [i for i in items if i["device"]]
    for d in devices:
        out.append(d["f"])
    order = ["heart", "medi", "lungs", "pleura", "ptx", "bones"]
    macro = not items and not keep and rng.random() < 0.2
    if macro:
        out.append(rng.choice([
            "Heart and mediastinum are normal. Lungs and pleural spaces are clear.",
            "Normal heart size. Clear lungs. No pleural effusion or pneumothorax.",
            "The heart size and mediastinal contours are within normal limits. The lungs are clear. "
            "No pleural effusion or pneumothorax.",
        ]))
    else:
        for part in order:
            abn = [i for i in items if not i["device"] and part in i["over"]]
            for a in abn:
                if a["f"] not in out:
                    out.append(a["f"])
            if part in over:
                if part == "lungs" and rng.random() < 0.6 and not any(i["name"] == "oedema" for i in items):
                    out.append(rng.choice(LUNGS_OTHERWISE))
                continue
            if part in ("medi", "bones") and part not in keep and rng.random() < 0.35:
                continue
            if part == "ptx" and part not in keep and rng.random() < 0.2:
                continue
            out.append(rng.choice(NORMAL[part]))
    for i in items:
        if not i["device"] and not i["over"]:
            out.append(i["f"])
    return out


def impression_sentences(rng: random.Random, items: list[dict], history: str, drop_sig: bool = False) -> list[str]:
    out: list[str] = []
    sig = [i for i in items if i["sig"]]
    if not drop_sig:
        out += [i["i"] for i in sig]
    for i in items:
        if i["device"] and (rng.random() < 0.85 or drop_sig):
            out.insert(0, i["i"])
        elif i["minor"] and (rng.random() < 0.45 or i["name"] == "acute_rib_fx"):
            out.append(i["i"])
    if not (sig and not drop_sig):
        abnormal = [i for i in items if not i["device"]]
        if abnormal or out or drop_sig:
            tail = rng.choice(NORMAL_IMP_SOFT)
            if out and rng.random() < 0.5:
                tail = tail.replace("No ", "Otherwise no ", 1)
            out.append(tail)
        else:
            out.append(rng.choice(NORMAL_IMP_STRICT + NORMAL_IMP_SOFT))
        if "?free air" in history and not any(i["name"] == "free_air" for i in items):
            out.append("No free subdiaphragmatic gas.")
        if "?pneumothorax" in history or "?PTX" in history:
            if not any(i["name"] == "ptx" for i in items):
                out.append("No pneumothorax.")
    return out


def _join_imp(rng: random.Random, sents: list[str]) -> str:
    if len(sents) > 1 and rng.random() < 0.35:
        return "\n".join(f"{k}. {s}" for k, s in enumerate(sents, 1))
    return " ".join(sents)


def _join_find(rng: random.Random, sents: list[str]) -> str:
    if len(sents) > 3 and rng.random() < 0.2:
        return "\n".join(sents)
    return " ".join(sents)


def _exam_and_more(rng: random.Random, setting: str) -> tuple[str, str | None, str | None, str | None]:
    exam = rng.choice(EXAMS[setting])
    r = rng.random()
    if r < 0.45:
        comp = None
    elif r < 0.7:
        comp = rng.choice(["None.", "No previous imaging available.", "None available.", "Nil."])
    else:
        comp = rng.choice([f"{_date(rng)}.", f"Previous CXR {_date(rng)}.", f"Compared with {_date(rng)}."])
    tech = None
    if rng.random() < 0.2:
        tech = ("Single AP portable view." if "AP" in exam.upper()
                else rng.choice(["Single PA view.", "PA erect view."]))
        if rng.random() < 0.3:
            tech += rng.choice([" Rotated film.", " Suboptimal inspiration.", " Adequate inspiration."])
    ward = rng.choice(WARDS[setting]) if rng.random() < 0.25 else None
    return exam, comp, tech, ward


def _sided_sentence_flip(text: str, side: str) -> str:
    other = "left" if side == "right" else "right"

    def sub(m: re.Match) -> str:
        w = m.group(0)
        rep = other if w.islower() else (other.upper() if w.isupper() else other.capitalize())
        return rep

    return re.sub(side, sub, text, flags=re.I)


def bank_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    if kind is None:
        sc = scenario(rng, "any")
        exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
        fs = findings_sentences(rng, sc["items"])
        isents = impression_sentences(rng, sc["items"], sc["history"])
        if not sc["items"] and rng.random() < 0.12:
            # impression-only report that itself describes the film: complete
            body = rng.choice(["Heart size normal. Lungs clear. No pleural effusion or pneumothorax. Normal study.",
                               "The heart is not enlarged and the lungs are clear. No effusion or pneumothorax. "
                               "No acute abnormality.", "Clear lungs, normal heart size, no pleural fluid. NAD."])
            return layout(rng, exam, sc["history"], comp, tech, None, body, ward=ward), "bank, impression-only normal"
        return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), _join_imp(rng, isents), ward=ward),
                "bank, no error")
    if kind == "missing_section":
        sc = scenario(rng, rng.choice(["sig", "minor", "normal", "sig"]))
        exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
        fs = findings_sentences(rng, sc["items"])
        isents = impression_sentences(rng, sc["items"], sc["history"])
        r = rng.random()
        if r < 0.55:
            return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), "", ward=ward),
                    "conclusion header left with nothing under it")
        if r < 0.78:
            return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), None, ward=ward),
                    "no conclusion/impression section at all after the findings")
        if comp is None or comp.startswith(("None", "No ", "Nil")):
            comp = f"Previous CXR {_date(rng)}."
        imp = rng.choice(["As above.", "See above.", "No significant interval change.", "Unchanged from previous.",
                          "Appearances are stable since the previous film.", "As described."])
        return (layout(rng, exam, sc["history"], comp, tech, "", imp, ward=ward),
                f"findings left empty; conclusion '{imp}' does not describe the film")
    if kind == "laterality_conflict":
        sc = scenario(rng, rng.choice(["sided_sig", "sided_sig", "sided"]))
        tgt = next(i for i in sc["items"] if i["side"] and not i["device"] and i["name"] not in ("granuloma",
                                                                                                   "rib_fx"))
        exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
        fs = findings_sentences(rng, sc["items"])
        isents = impression_sentences(rng, sc["items"], sc["history"])
        if tgt["i"] not in isents:
            isents.insert(0, tgt["i"])
        side = tgt["side"]
        other = "left" if side == "right" else "right"
        if rng.random() < 0.5:
            isents = [_sided_sentence_flip(s, side) if s == tgt["i"] else s for s in isents]
            where = "conclusion"
        else:
            fs = [_sided_sentence_flip(s, side) if s == tgt["f"] else s for s in fs]
            where = "findings"
        return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), _join_imp(rng, isents), ward=ward),
                f"{tgt['name']} put on the {other} in the {where}, {side} in the other section")
    if kind == "negation_conflict":
        mode = rng.choice(["imp_affirms", "imp_affirms", "imp_negates", "imp_negates", "heart"])
        if mode == "imp_affirms":
            sc = scenario(rng, "normal")
            sc["items"] = [i for i in sc["items"] if not i["over"]]
            part, ins = rng.choice([
                ("lungs", make_item(rng, "consolidation")), ("pleura", make_item(rng, "effusion")),
                ("pleura", make_item(rng, "small_effusion")), ("ptx", make_item(rng, "ptx")),
                ("lungs", make_item(rng, "consolidation")),
            ])
            exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
            fs = findings_sentences(rng, sc["items"], keep_negatives={part, "lungs"} if part == "ptx" else {part})
            neg = [s for s in fs if s in NORMAL[part]]
            if not neg:
                fs.append(rng.choice(NORMAL[part]))
                neg = [fs[-1]]
            isents = [ins["i"]] + ([rng.choice(NORMAL_IMP_SOFT).replace("No ", "Otherwise no ", 1)]
                                   if rng.random() < 0.5 else [])
            return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), _join_imp(rng, isents),
                           ward=ward), f"conclusion asserts {ins['name']} while findings say '{neg[0]}'")
        if mode == "imp_negates":
            sc = scenario(rng, "sig")
            tgt = next((i for i in sc["items"] if i.get("neg_i")), None)
            if tgt is None:
                tgt = make_item(rng, "consolidation")
                sc["items"] = [i for i in sc["items"] if not i["sig"] and not (i["over"] & tgt["over"])] + [tgt]
            exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
            fs = findings_sentences(rng, sc["items"])
            others = [i for i in sc["items"] if i is not tgt and i["sig"]]
            isents = [i["i"] for i in others] + [tgt["neg_i"]]
            if rng.random() < 0.6:
                isents.append(rng.choice(NORMAL_IMP_SOFT) if not others else "Otherwise no acute abnormality.")
            return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), _join_imp(rng, isents),
                           ward=ward), f"findings affirm {tgt['name']}; conclusion says '{tgt['neg_i']}'")
        # heart: cardiomegaly in findings, 'normal heart size' in the conclusion (or the reverse)
        sc = scenario(rng, "normal")
        sc["items"] = [i for i in sc["items"] if not i["over"]]
        exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
        if rng.random() < 0.5:
            card = make_item(rng, "cardiomegaly")
            card["f"] = rng.choice(["The heart is enlarged.", "Cardiomegaly, CTR 0.62.", "Moderate cardiomegaly."])
            fs = findings_sentences(rng, sc["items"] + [card])
            isents = [rng.choice(["Normal heart size. Clear lungs.", "Heart size is normal. No acute abnormality.",
                                  "Normal chest X-ray."])]
            det = f"findings '{card['f']}'; conclusion calls the heart/film normal"
        else:
            fs = findings_sentences(rng, sc["items"], keep_negatives={"heart"})
            isents = [rng.choice(["Cardiomegaly.", "Cardiomegaly. No focal consolidation.",
                                  "Enlarged heart; correlate with echocardiography."])]
            det = "findings give a normal heart size; conclusion reports cardiomegaly"
        return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), _join_imp(rng, isents), ward=ward),
                det)
    if kind == "impression_omits_finding":
        sc = scenario(rng, "sig")
        tgt = next(i for i in sc["items"] if i["sig"])
        exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
        fs = findings_sentences(rng, sc["items"])
        isents = impression_sentences(rng, sc["items"], sc["history"], drop_sig=True)
        return (layout(rng, exam, sc["history"], comp, tech, _join_find(rng, fs), _join_imp(rng, isents), ward=ward),
                f"findings describe {tgt['name']}; conclusion is '{' '.join(isents)}' and leaves it out")
    if kind == "placeholder":
        return _bank_placeholder(rng)
    raise ValueError(kind)


PH_WORD = ["[***]", "***", "[ ]", "[...]", "<***>", "[*]"]


def _bank_placeholder(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["side", "size", "comparison", "history", "word", "side", "size", "word"])
    need = {"side": "sided", "size": "sig", "word": "any"}.get(mode, "any")
    sc = scenario(rng, need)
    if mode == "size":
        sc["items"] = [i for i in sc["items"] if not i["sig"]]
        tgt = make_item(rng, "nodule")
        sc["items"] = [i for i in sc["items"] if not (i["over"] & tgt["over"])] + [tgt]
    exam, comp, tech, ward = _exam_and_more(rng, sc["setting"])
    fs = findings_sentences(rng, sc["items"])
    isents = impression_sentences(rng, sc["items"], sc["history"])
    hist = sc["history"]
    if mode == "side":
        tgt = next(i for i in sc["items"] if i["side"] and not i["device"])
        ph = rng.choice(["[left/right]", "[side]", "[***]", "[ ]", "[R/L]"])
        k = fs.index(tgt["f"])
        fs[k] = re.sub(tgt["side"], ph, fs[k], count=1, flags=re.I)
        det = f"side of {tgt['name']} in findings left as '{ph}'"
    elif mode == "size":
        ph = rng.choice(["[ ] mm", "*** mm", "[size] mm", "[xx] mm"])
        k = fs.index(tgt["f"])
        fs[k] = fs[k].replace(f"{tgt['size']} mm", ph, 1)
        if rng.random() < 0.5:
            j = isents.index(tgt["i"])
            isents[j] = isents[j].replace(f"{tgt['size']} mm", ph, 1)
        det = f"nodule size left as '{ph}'"
    elif mode == "comparison":
        comp = rng.choice(["[date]", "Previous CXR [DATE].", "Compared with [***].", "<date of previous>"])
        det = f"comparison field left as '{comp}'"
    elif mode == "history":
        hist = rng.choice(["[Clinical details]", "[***]", "<enter clinical history>", "[ ]"])
        det = f"clinical details field left as '{hist}'"
    else:
        target = rng.choice(["f", "i"])
        sents = fs if target == "f" else isents
        k = rng.randrange(len(sents))
        words = sents[k].split(" ")
        cand = [j for j, w in enumerate(words) if len(w.strip(".,;")) > 3]
        j = rng.choice(cand) if cand else 0
        ph = rng.choice(PH_WORD)
        trail = words[j][len(words[j].rstrip(".,;")):]
        old = words[j]
        words[j] = ph + trail
        sents[k] = " ".join(words)
        det = f"'{old.strip('.,;')}' in the {'findings' if target == 'f' else 'conclusion'} replaced by '{ph}'"
    return (layout(rng, exam, hist, comp, tech, _join_find(rng, fs), _join_imp(rng, isents), ward=ward), det)


# ----------------------------------------------------------------------------------------------
# Real IU reports, re-laid-out
# ----------------------------------------------------------------------------------------------

SPELL = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrha", "haemorrha"), (r"\besophag", "oesophag"),
         (r"\bEsophag", "Oesophag"), (r"\btumor", "tumour"), (r"\bcentimeter", "centimetre"), (r"\bischemi",
                                                                                            "ischaemi"),
         (r"\banemi", "anaemi"), (r"\bleukemi", "leukaemi"), (r"orthopedic", "orthopaedic"), (r"\bx-ray", "X-ray"),
         (r"\bX-ray", "X-ray"), (r"\bvisualized", "visualised"), (r"\bVisualized", "Visualised"),
         (r"\bcolor", "colour"), (r"\bhemoptysis", "haemoptysis"), (r"\bHemoptysis", "Haemoptysis"),
         (r"\bfavor", "favour"), (r"\bdiarrhea", "diarrhoea"), (r"\bpediatric", "paediatric"),
         (r"\bcauterized", "cauterised"), (r"\borganized", "organised"), (r"\bcharacterized", "characterised"),
         (r"\bfiber", "fibre"), (r"\bgray", "grey"), (r"\bhematoma", "haematoma"), (r"\bHematoma", "Haematoma")]
REWORD = [(r"[Nn]o acute cardiopulmonary (abnormality|process|disease)\.?", ["No acute cardiopulmonary abnormality.",
                                                                            "No acute cardiopulmonary abnormality "
                                                                            "seen.", "No acute cardiopulmonary "
                                                                            "disease."]),
          (r"\bNegative chest\.?", ["Normal chest X-ray.", "No abnormality detected."]),
          (r"\bThe lungs are clear\.", ["The lungs are clear.", "Lungs are clear."]),
          (r"\bcostophrenic\b", ["costophrenic"]),
          (r"\bNo pneumothorax or pleural effusion\.", ["No pneumothorax or pleural effusion.",
                                                        "No pleural effusion or pneumothorax."])]


def iu_clean_text(rng: random.Random, s: str) -> str:
    s = s.replace("..", ".").strip()
    for a, b in SPELL:
        s = re.sub(a, b, s)
    for pat, reps in REWORD:
        s = re.sub(pat, lambda m, reps=reps: rng.choice(reps), s)
    return s


NEG = re.compile(r"\b(no|not|without|negative|resolved|resolution|free|absent|clear|nor|exclude|excluded)\b", re.I)
HEDGE = re.compile(r"\b(possible|possibly|may|might|could|questionable|cannot|question|suggest|likely|versus|"
                   r"vs|or|concern|perhaps|probabl|suspect|suspic|stable|unchanged|chronic|old|prior|previous|previously|"
                   r"decreas|improv|healed|again|redemonstrat|persistent|small|trace|tiny|minimal|mild|minor|"
                   r"blunting|subsegmental|atelectasis|scar|scarring)\w*", re.I)
SIG_TERMS = {"pneumothorax": ["pneumothorax"], "consolidation": ["consolidation", "airspace disease",
                                                                  "airspace opacity", "pneumonia", "infiltrate"],
             "oedema": ["edema", "oedema", "congestive", "chf"], "effusion": ["effusion"], "mass": ["mass"]}
ANY_SIG = re.compile(r"pneumothora|consolidat|airspace|pneumonia|infiltrat|edema|oedema|effusion|\bmass|nodul|"
                     r"widen|free air|pneumoperitone|congesti|chf\b|cardiomegaly|enlarged|opacit|atelecta", re.I)
SIDED_TERMS = re.compile(r"effusion|consolidat|pneumonia|infiltrat|airspace|opacit|nodul|mass|atelecta|"
                         r"pneumothora|granuloma|fracture|density|densities|scar", re.I)


def _sents(t: str) -> list[str]:
    return [x.strip() for x in re.split(r"(?<=\.)\s+", t) if x.strip()]


def _is_normal_imp(imp: str) -> bool:
    i = imp.lower().strip(" .")
    return bool(re.fullmatch(r"(1\. )?(no (acute|active) (cardiopulmonary|cardiopulmonary abnormality|"
                             r"disease|process|abnormality|findings|intrathoracic)[a-z ,]*|normal chest( x-xxxx| x-ray|"
                             r" radiograph|s)?|negative( chest| study| exam)?|no acute (cardiopulmonary )?"
                             r"(abnormality|disease|process)[a-z ,]*|normal (study|exam|examination)|"
                             r"no evidence of (acute|active) (cardiopulmonary )?(disease|process|abnormality))", i))


def _affirmed(sent: str, term: str) -> bool:
    s = sent.lower()
    return term in s and not NEG.search(s)


def classify_iu(r: dict) -> dict:
    f, i = r.get("findings", ""), r.get("impression", "")
    info = {"normal": False, "sig": None, "consistent": False, "sided": None}
    if not f or not i or len(f) > 900 or len(i) > 500 or re.search(r"\[|\]|\*\*|___|<|>", f + i):
        return info
    fs, is_ = _sents(f), _sents(i)
    aff_any = [s for s in fs if ANY_SIG.search(s) and not NEG.search(s)]
    if _is_normal_imp(i) and not aff_any:
        info["normal"] = True
        info["consistent"] = True
    # significant, plainly affirmed, not hedged, in findings and echoed in the impression
    for key, terms in SIG_TERMS.items():
        for s in fs:
            if any(_affirmed(s, t) for t in terms) and not HEDGE.search(s):
                if key == "effusion" and ("XXXX" in s or re.search(r"(small|trace|tiny|minimal)[^.]*effusion", i,
                                                                    re.I)):
                    continue
                if any(any(t in x.lower() for t in terms) and not NEG.search(x.lower()) for x in is_):
                    info["sig"] = (key, s)
                    break
        if info["sig"]:
            break
    if not info["normal"]:
        # consistent abnormal: every affirmed worrying term in findings appears in the impression
        ok = True
        for terms in SIG_TERMS.values():
            if any(any(_affirmed(s, t) for t in terms) for s in fs):
                if not any(t in i.lower() for t in terms):
                    ok = False
        if re.search(r"nodul", f, re.I) and not re.search(r"nodul|granuloma", i, re.I):
            ok = False
        fl = set(re.findall(r"\b(left|right)\b", f.lower()))
        il = set(re.findall(r"\b(left|right)\b", i.lower()))
        if fl and il and fl.isdisjoint(il):
            ok = False
        info["consistent"] = ok
    # laterality: one side only in the whole report, a sided finding sentence in both sections
    sides = set(re.findall(r"\b(left|right)\b", (f + " " + i).lower()))
    if len(sides) == 1 and "bilateral" not in (f + i).lower():
        side = sides.pop()
        fsd = [s for s in fs if side in s.lower() and SIDED_TERMS.search(s) and not NEG.search(s)]
        isd = [s for s in is_ if side in s.lower() and SIDED_TERMS.search(s) and not NEG.search(s)]
        if fsd and isd:
            info["sided"] = side
    return info


NEG_ITEMS = [
    ("effusion", re.compile(r"\b(no|without) (\w+ )?(pleural )?effusions?\b|pleural effusion[^.]*not seen", re.I),
     ["Small {s} pleural effusion.", "{S} pleural effusion.", "Small bilateral pleural effusions.",
      "Moderate {s} pleural effusion."]),
    ("pneumothorax", re.compile(r"\bno (evidence of )?pneumothora|pneumothorax[^.]*(not|no)\b|without pneumothora|"
                                r"or pneumothorax", re.I),
     ["Small {s} apical pneumothorax.", "{S} pneumothorax."]),
    ("consolidation", re.compile(r"lungs are clear|no (focal )?(airspace|consolidation|focal consolidation)|"
                                 r"clear lungs|lungs clear", re.I),
     ["{S} lower lobe consolidation.", "{S} basal pneumonia.", "Consolidation in the {s} lower zone in keeping with "
      "infection."]),
    ("heart", re.compile(r"heart size (is )?normal|normal heart size|heart (is )?normal in size|cardiac (size|"
                         r"silhouette)[^.]*(normal|within normal)|heart size[^.]*within normal|"
                         r"cardiomediastinal silhouette[^.]*(normal|unremarkable|within)", re.I),
     ["Cardiomegaly.", "Enlarged heart.", "Moderate cardiomegaly."]),
]
OMIT_IMPS = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active disease.",
             "No acute intrathoracic abnormality.", "No acute disease seen.", "No acute cardiopulmonary disease.",
             "No active cardiopulmonary disease."]


def iu_case(rng: random.Random, r: dict, kind: str | None, info: dict) -> tuple[str, str]:
    f = iu_clean_text(rng, r.get("findings", ""))
    i = iu_clean_text(rng, r.get("impression", ""))
    ind = r.get("indication") or rng.choice(["Not supplied.", "SOB.", "Cough."])
    comp = r.get("comparison") or None
    if comp and comp.strip(" .").lower() in ("none", "none available"):
        comp = rng.choice(["None.", "No previous imaging available.", "None available."])
    exam = rng.choice(EXAMS["IU"])
    tech = rng.choice([None, None, None, "PA and lateral views."])
    ward = rng.choice(WARDS["GP"] + WARDS["ED"] + WARDS["OPD"]) if rng.random() < 0.2 else None
    uid = r["uid"]
    ind = iu_clean_text(rng, ind)
    if kind is None:
        return layout(rng, exam, ind, comp, tech, f, i, ward=ward), f"IU {uid} re-laid-out, no error"
    if kind == "missing_section":
        if rng.random() < 0.7:
            return (layout(rng, exam, ind, comp, tech, f, "", ward=ward),
                    f"IU {uid}: impression emptied (header kept)")
        return layout(rng, exam, ind, comp, tech, f, None, ward=ward), f"IU {uid}: impression section removed"
    if kind == "laterality_conflict":
        side = info["sided"]
        other = "left" if side == "right" else "right"
        if rng.random() < 0.5:
            i2 = _sided_sentence_flip(i, side)
            return (layout(rng, exam, ind, comp, tech, f, i2, ward=ward),
                    f"IU {uid}: '{side}' flipped to '{other}' in the impression; findings keep '{side}'")
        f2 = _sided_sentence_flip(f, side)
        return (layout(rng, exam, ind, comp, tech, f2, i, ward=ward),
                f"IU {uid}: '{side}' flipped to '{other}' in the findings; impression keeps '{side}'")
    if kind == "negation_conflict":
        fl = f.lower()
        opts = [(n, rx, reps) for n, rx, reps in NEG_ITEMS if rx.search(fl)]
        n, rx, reps = rng.choice(opts)
        s = rng.choice(["right", "left"])
        new = rng.choice(reps).format(s=s, S=s.capitalize())
        if rng.random() < 0.5:
            i2 = new
        else:
            i2 = new + " " + rng.choice(["Otherwise no acute cardiopulmonary abnormality.", "Otherwise normal.",
                                         "No other acute abnormality."])
        return (layout(rng, exam, ind, comp, tech, f, i2, ward=ward),
                f"IU {uid}: impression replaced by '{i2}' although findings negate {n} "
                f"('{rx.search(f).group(0)}')")
    if kind == "impression_omits_finding":
        key, sent = info["sig"]
        i2 = rng.choice(OMIT_IMPS)
        return (layout(rng, exam, ind, comp, tech, f, i2, ward=ward),
                f"IU {uid}: impression replaced by normal macro '{i2}'; findings affirm {key}: '{sent}'")
    if kind == "placeholder":
        mode = rng.choice(["findings", "findings", "impression", "comparison"])
        if mode == "comparison":
            comp = rng.choice(["[date]", "Previous CXR [DATE].", "[***]"])
            return layout(rng, exam, ind, comp, tech, f, i, ward=ward), f"IU {uid}: comparison left as '{comp}'"
        text = f if mode == "findings" else i
        words = text.split(" ")
        cand = [j for j, w in enumerate(words) if len(w.strip(".,;:")) > 3 and "XXXX" not in w]
        if not cand:
            mode, text = "findings", f
            words = text.split(" ")
            cand = [j for j, w in enumerate(words) if len(w.strip(".,;:")) > 3 and "XXXX" not in w]
        j = rng.choice(cand)
        ph = rng.choice(PH_WORD + ["[ ]", "***"])
        old = words[j]
        words[j] = ph + old[len(old.rstrip(".,;:")):]
        text = " ".join(words)
        if mode == "findings":
            f = text
        else:
            i = text
        return (layout(rng, exam, ind, comp, tech, f, i, ward=ward),
                f"IU {uid}: '{old.strip('.,;:')}' in the {mode} replaced by '{ph}'")
    raise ValueError(kind)


def _iu_pools() -> dict[str, list[tuple[dict, dict]]]:
    dev = dev_uids()
    pools: dict[str, list[tuple[dict, dict]]] = {"normal": [], "abn_clean": [], "any": [], "sided": [], "neg": [],
                                                 "sig": []}
    for r in load_iu():
        if r["uid"] in dev:
            continue
        info = classify_iu(r)
        f, i = r.get("findings", ""), r.get("impression", "")
        if not f or not i or len(f) > 900 or re.search(r"\[|\]|\*\*|___|<|>", f + i):
            continue
        pools["any"].append((r, info))
        if info["normal"]:
            pools["normal"].append((r, info))
            if any(rx.search(f.lower()) for _, rx, _ in NEG_ITEMS):
                pools["neg"].append((r, info))
        elif info["consistent"]:
            pools["abn_clean"].append((r, info))
        if info["sided"]:
            pools["sided"].append((r, info))
        if info["sig"]:
            pools["sig"].append((r, info))
    return pools


def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    pools = _iu_pools()
    used: set[str] = set()

    def take(pool: str) -> tuple[dict, dict]:
        cand = [x for x in pools[pool] if x[0]["uid"] not in used]
        x = rng.choice(cand)
        used.add(x[0]["uid"])
        return x

    rows: list[tuple[str | None, str, str]] = []
    half_c = N_CLEAN // 2
    for _ in range(half_c):
        rows.append((None, *bank_case(rng, None)[::-1]))
    for k in range(half_c):
        r, info = take("normal" if k < int(half_c * 0.62) else "abn_clean")
        rep, det = iu_case(rng, r, None, info)
        rows.append((None, det, rep))
    half_k = N_PER_KIND // 2
    iu_pool = {"missing_section": "any", "laterality_conflict": "sided", "negation_conflict": "neg",
               "impression_omits_finding": "sig", "placeholder": "any"}
    for kind in KINDS:
        for _ in range(half_k):
            rep, det = bank_case(rng, kind)
            rows.append((kind, det, rep))
        for _ in range(half_k):
            r, info = take(iu_pool[kind])
            rep, det = iu_case(rng, r, kind, info)
            rows.append((kind, det, rep))
    rng.shuffle(rows)
    return [{"id": f"h70-{seed}-{n}", "injected": k, "detail": d, "report": rep} for n, (k, d, rep) in
            enumerate(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=70)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            shown = [r for r in rows if r["injected"] == kind][: a.show]
            for r in shown:
                print(f"=== {r['id']} injected={kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
