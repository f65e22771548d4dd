"""Held-out report-check set 108, written blind.

Setting: university and private hospitals in Jordan and Lebanon (Amman, Irbid, Beirut). Chest X-ray
reports written in English by radiologists trained locally, in the US or in Europe, for the
emergency department, wards, outpatient clinics, pre-employment medicals and refugee-health (TB)
screening. Layouts follow that mix: an exam line, clinical history / clinical data / indication,
comparison, sometimes technique, findings (paragraph, one line per structure, or dashed list;
"Report:" in some UK-style reports), then impression / conclusion / opinion and a sign-off line.
US and British spellings both occur (edema/oedema, visualized/visualised), with the usual local
abbreviations (CXR, CP angles, CTR, RLL, Rt/Lt, c/o, h/o, r/o, K/C of).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from the phrase bank
below; the other half are real IU reports (never a uid of the dev set) re-laid-out in the setting's
style with light, meaning-preserving re-wording.

    python -m bench.make_heldout108 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def dev_uids(shared: Path) -> set[str]:
    uids = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    uids.add(uid)
    return uids


_IU_CACHE: dict[str, list[dict]] = {}


def load_iu(shared: Path) -> list[dict]:
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    out = []
    lab_re = re.compile(r'<AbstractText Label="([A-Z]+)"(?:/>|>(.*?)</AbstractText>)', re.S)
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', txt)
            if not u:
                continue
            d = {"uid": u.group(1)}
            for lab, val in lab_re.findall(txt):
                d[lab.lower()] = " ".join(html.unescape(val or "").split())
            out.append(d)
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _IU_CACHE[key] = out
    return out


# ----------------------------------------------------------------------------------------------
# text analysis used only to pick suitable IU reports (conservative on purpose)

NEG = re.compile(r"\b(no|not|without|negative|free of|clear|resolved|resolution|absent|absence|"
                 r"removed|exclude|excluded|nor|normal|unremarkable)\b", re.I)
HEDGE = re.compile(r"\b(possibl\w*|may|might|could|cannot|can't|question\w*|borderline|minimal|"
                   r"mild\w*|small|trace|tiny|subtle|chronic|stable|unchanged|old|healed|resolv\w*|"
                   r"improv\w*|decreas\w*|scar\w*|versus|vs|suggest\w*|atelecta\w*|clearing|cleared|again|persist\w*|"
                   r"smaller|residual|probabl\w*|redemonstrat\w*)\b|\?", re.I)
GROUPS = {
    "PTX": r"pneumothora",
    "CONS": r"consolidat|pneumonia|infiltrat|airspace|air space|opacit|opacification",
    "EDEMA": r"edema|oedema|vascular congestion|pulmonary congestion",
    "EFF": r"effusion",
    "NOD": r"nodul|mass\b|masses|lesion",
    "MED": r"mediastin\w* (is |appears )?widen|widen\w* (of the )?mediastin",
    "AIR": r"free air|pneumoperitoneum|free intraperitoneal",
    "CARD": r"cardiomegaly|heart (size )?(is )?(mildly |moderately |markedly )?enlarged|"
            r"enlarged (heart|cardiac)|enlargement of the cardiac",
}
GROUP_RE = {g: re.compile(p, re.I) for g, p in GROUPS.items()}
SIG_OMIT = {
    "PTX": re.compile(r"pneumothora", re.I),
    "CONS": re.compile(r"consolidat|pneumonia|infiltrat|airspace disease|air space disease", re.I),
    "EDEMA": re.compile(r"\b(pulmonary )?(edema|oedema)\b", re.I),
    "EFF": re.compile(r"\b(moderate|large|moderate-sized|large-sized)\b[^.]*effusion", re.I),
    "NOD": re.compile(r"\bmass\b", re.I),
    "AIR": re.compile(r"free air|pneumoperitoneum", re.I),
}
SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def sents(text: str) -> list[str]:
    text = (text or "").strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def groups_in(s: str) -> set[str]:
    return {g for g, r in GROUP_RE.items() if r.search(s)}


def affirmed(s: str) -> bool:
    return not NEG.search(s)


def clean_ok(rep: dict) -> bool:
    """A real report we would sign as it stands (conservative filter)."""
    f, i = rep.get("findings", ""), rep.get("impression", "")
    if len(f) < 40 or len(i) < 4:
        return False
    if re.search(r"\[|\]|___|\*\*|<|>|\{", f + i):
        return False
    imp_groups = groups_in(i)
    for s in sents(f):
        g = groups_in(s)
        if g and affirmed(s) and not (g & imp_groups):
            return False
        if re.search(r"\b(new|increas\w*|worsen\w*|enlarg\w*)\b", s, re.I) and affirmed(s):
            if not re.search(r"\b(new|increas\w*|worsen\w*|enlarg\w*|cardiomegaly)\b", i, re.I):
                return False
    fgroups_aff = set()
    fgroups_any = set()
    for s in sents(f):
        fgroups_any |= groups_in(s)
        if affirmed(s):
            fgroups_aff |= groups_in(s)
    for s in sents(i):
        if affirmed(s):
            for g in groups_in(s):
                if g in fgroups_any and g not in fgroups_aff:
                    return False
    fs = {m.lower() for m in SIDE_RE.findall(f)}
    isd = {m.lower() for m in SIDE_RE.findall(i)}
    if not isd <= fs:
        return False
    return True


def is_normal_iu(rep: dict) -> bool:
    f = rep.get("findings", "")
    for s in sents(f):
        if groups_in(s) and affirmed(s):
            return False
    if re.search(r"\b(left|right|enlarg\w*|cardiomegaly|granulom\w*|nodul\w*|opacit\w*)\b", f, re.I):
        return False
    return bool(re.search(r"\b(no|normal|clear|unremarkable)\b", rep.get("impression", ""), re.I))


# ----------------------------------------------------------------------------------------------
# setting style

FIRST = ["Rami", "Lina", "Khaled", "Rania", "Omar", "Maya", "Ziad", "Nour", "Hani", "Dima", "Samer",
         "Hiba", "Walid", "Reem", "Fadi", "Sawsan", "Ayman", "Carla", "Tarek", "Mira", "Bassam",
         "Joelle", "Yazan", "Suha", "Elie", "Nisreen", "Mahmoud", "Lama", "Georges", "Amal"]
LAST = ["Haddad", "Khoury", "Nasser", "Abu Zaid", "Saleh", "Azar", "Obeidat", "Hamdan", "Karam",
        "Said", "Sleiman", "Al-Masri", "Tannous", "Bataineh", "Rizk", "Zoubi", "Fakhoury", "Aoun",
        "Qasem", "Mansour", "Jaber", "Hourani", "Nassar", "Daher", "Shdeifat", "Maalouf"]
SITES = ["Department of Diagnostic Radiology", "Radiology Department", "Department of Medical Imaging",
         "Diagnostic Imaging Unit", ""]


def signoff(rng: random.Random) -> str:
    name = f"Dr. {rng.choice(FIRST)} {rng.choice(LAST)}"
    opts = [
        f"{name}, MD\nConsultant Radiologist",
        f"Reported by: {name}\nConsultant Radiologist",
        f"{name}, FRCR\nConsultant Radiologist",
        f"Electronically signed by {name}, MD (Attending Radiologist)",
        f"Dictated by: {name} / Specialist Radiologist",
        f"Radiologist: {name}, MD, DABR",
        f"{name}\nSenior Specialist, Diagnostic Radiology",
        f"Thank you for the referral.\n{name}, Consultant Radiologist",
        f"Reported by {name} (Resident); verified by Dr. {rng.choice(FIRST)} {rng.choice(LAST)}, Consultant",
    ]
    return rng.choice(opts)


def rdate(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2021, 2022, 2023, 2024])}"


def age_sex(rng: random.Random) -> str:
    a = rng.randint(19, 84)
    s = rng.choice(["male", "female"])
    return rng.choice([f"{a}-year-old {s}", f"{a} y/o {s}", f"{s.capitalize()}, {a} years",
                       f"{a}Y {s[0].upper()}", f"A {a}-year-old {s}"])


CONTEXTS = {
    "er": ["Shortness of breath.", "SOB and fever.", "Chest pain, r/o pneumonia.",
           "Fever and productive cough for 3 days.", "Trauma, fall from height, chest pain.",
           "RTA, left chest wall pain.", "Dyspnea, K/C of HTN and DM.", "Acute chest pain.",
           "Epigastric pain, r/o free air.", "Cough and wheezing.", "Palpitations and dyspnea.",
           "Fever, c/o cough.", "Hemoptysis.", "Stab wound, chest.", "Sudden onset dyspnea."],
    "ward": ["Post-op day 2, follow up.", "Fever on day 4 of admission.", "Desaturation.",
             "Known case of CHF, follow up.", "Follow up of pneumonia.", "s/p central line insertion.",
             "Pre-op for lap cholecystectomy.", "Pre-operative assessment.", "Known case of CKD on HD."],
    "opd": ["Chronic cough.", "Ex-smoker, cough for 2 weeks.", "Routine check-up.", "Asthmatic, follow up.",
            "Weight loss and night sweats.", "Follow up.", "Chest tightness.", "h/o COPD.",
            "Persistent cough for one month."],
    "screen": ["Pre-employment medical.", "Pre-employment screening.", "Residency permit medical.",
               "Refugee health screening (TB).", "Pre-departure TB screening.", "Positive PPD.",
               "Positive IGRA, asymptomatic.", "Visa medical examination.", "Annual medical check."],
}

EXAMS = {
    "pa": ["CHEST X-RAY PA VIEW", "X-RAY CHEST PA", "CXR PA", "Chest radiograph, PA view",
           "CHEST X-RAY (PA)", "X-Ray Chest PA View"],
    "pal": ["CHEST X-RAY PA AND LATERAL", "X-RAY CHEST PA & LATERAL VIEWS", "CXR PA/LAT",
            "Chest radiograph, PA and lateral views", "XR CHEST 2 VIEWS"],
    "ap": ["CHEST X-RAY AP PORTABLE", "CXR (AP, SUPINE)", "Portable AP chest", "X-RAY CHEST AP (BEDSIDE)"],
}


def make_style(rng: random.Random, setting: str | None = None) -> dict:
    setting = setting or rng.choices(["er", "ward", "opd", "screen"], [30, 20, 22, 28])[0]
    trained = rng.choice(["us", "uk", "local", "local", "fr"])
    uk = trained in ("uk", "fr") or (trained == "local" and rng.random() < 0.4)
    view = "ap" if setting in ("ward", "er") and rng.random() < 0.35 else rng.choice(["pa", "pa", "pal"])
    if trained == "us":
        hx, imp_h, find_h = rng.choice(["INDICATION", "CLINICAL INDICATION", "HISTORY"]), \
            rng.choice(["IMPRESSION", "IMPRESSION"]), "FINDINGS"
    elif trained == "uk":
        hx, imp_h, find_h = rng.choice(["Clinical details", "Clinical history"]), \
            rng.choice(["Opinion", "Conclusion", "Impression"]), rng.choice(["Findings", "Report", "Findings"])
    elif trained == "fr":
        hx, imp_h, find_h = rng.choice(["Indication", "Clinical information"]), "Conclusion", \
            rng.choice(["Findings", "Findings", "Description"])
    else:
        hx, imp_h, find_h = rng.choice(["Clinical data", "Clinical history", "Clinical Information",
                                        "Indication"]), \
            rng.choice(["Impression", "Conclusion", "IMPRESSION", "CONCLUSION"]), \
            rng.choice(["Findings", "FINDINGS", "Findings"])
    return {
        "setting": setting, "trained": trained, "uk": uk, "view": view,
        "hx_h": hx, "imp_h": imp_h, "find_h": find_h,
        "fmt": rng.choice(["para", "para", "lines", "dash"]),
        "imp_fmt": rng.choice(["plain", "plain", "num", "dash"]),
        "tech": rng.random() < (0.45 if trained == "us" else 0.15),
        "site": rng.choice(SITES) if rng.random() < 0.3 else "",
        "date": rng.random() < 0.35,
    }


def sp(uk: bool, us_word: str, uk_word: str) -> str:
    return uk_word if uk else us_word


# ----------------------------------------------------------------------------------------------
# phrase bank

def normal_sents(rng: random.Random, uk: bool) -> dict[str, str]:
    vis = sp(uk, "visualized", "visualised")
    return {
        "lung": rng.choice(["Both lungs are clear.", "The lung fields are clear bilaterally.",
                            "No focal consolidation or mass lesion is seen.", "Clear lung fields.",
                            "No active lung parenchymal lesion is seen.",
                            "Both lung fields are clear with normal bronchovascular markings.",
                            "The lungs are clear."]),
        "pleura": rng.choice(["No pleural effusion or pneumothorax.", "Both costophrenic angles are clear.",
                              "Costophrenic angles are sharp; no pleural effusion.",
                              "No pneumothorax or pleural effusion is seen.",
                              "Both CP angles are free."]),
        "heart": rng.choice(["The heart size is within normal limits.", "Normal cardiac size.",
                             "Cardiothoracic ratio is within normal.", "Heart is not enlarged.",
                             "Normal heart size and configuration.", "Heart size is normal (CTR < 0.5)."]),
        "med": rng.choice(["Mediastinum is central and not widened.", "Normal mediastinal contours.",
                           "Trachea is central. Both hila are normal.", "Normal hilar and mediastinal shadows.",
                           "The mediastinum and hila are unremarkable."]),
        "diaph": rng.choice(["Both hemidiaphragms are smooth and well defined.",
                             "Normal domes of the diaphragm.", "Both domes of the diaphragm are well outlined.",
                             "Diaphragmatic contours are normal."]),
        "bone": rng.choice([f"The {vis} bony structures are unremarkable.", "No bony abnormality is seen.",
                            "Bony thorax is intact.", f"No acute bony injury is {vis}.",
                            "Visible osseous structures are intact."]),
    }


REGION_REST = {
    "lung": ["No other focal lung lesion.", "The rest of the lung fields are clear.",
             "Rest of both lungs is unremarkable."],
    "pleura_eff": ["No pneumothorax.", "No pneumothorax is seen."],
    "pleura_ptx": ["No pleural effusion.", "No associated effusion."],
    "heart": [""],
    "med": ["Trachea is central."],
}

NORMAL_IMP = {
    "er": ["No acute cardiopulmonary abnormality.", "No acute chest pathology.", "No active chest disease.",
           "No acute cardiopulmonary process.", "Unremarkable chest X-ray."],
    "ward": ["No acute cardiopulmonary abnormality.", "No active chest disease.",
             "No significant abnormality detected.", "Unremarkable study."],
    "opd": ["Normal chest X-ray.", "No active chest disease.", "Normal study.",
            "No significant abnormality detected.", "Unremarkable chest radiograph."],
    "screen": ["Normal chest X-ray.", "No radiological evidence of active pulmonary tuberculosis.",
               "No active chest disease. Normal study.", "Normal chest radiograph; no evidence of active TB.",
               "No active chest disease."],
}


def side_words(side: str, rng: random.Random) -> dict:
    S = side.capitalize()
    return {"side": side, "Side": S, "abbr": {"left": "Lt", "right": "Rt"}[side]}


def F(g, region, sig, find, imp, side=None, minor_imp_optional=False):
    return {"g": g, "region": region, "sig": sig, "find": find, "imp": imp, "side": side,
            "optional": minor_imp_optional}


def fnd_consolidation(rng, uk, side):
    zone = rng.choice(["lower", "lower", "mid"] + (["middle lobe"] if side == "right" else ["lingula"]))
    lobe = {"lower": f"{side} lower lobe", "mid": f"{side} mid zone",
            "middle lobe": "right middle lobe", "lingula": "lingular"}[zone]
    lobe_ab = {"right lower lobe": "RLL", "left lower lobe": "LLL"}.get(lobe, lobe)
    if zone in ("middle lobe", "lingula"):
        where = "right middle lobe" if zone == "middle lobe" else "lingula of the left upper lobe"
    else:
        where = f"{side} {zone} zone"
    op = sp(uk, "opacity", "opacification")
    find = rng.choice([
        f"Patchy airspace {op} is seen in the {where}, with air bronchograms, consistent with consolidation.",
        f"There is an area of consolidation in the {where}.",
        f"Ill-defined alveolar {op} in the {where} suggestive of pneumonic consolidation.",
        f"Heterogeneous airspace {op} involving the {where}, likely infective.",
    ])
    imp = rng.choice([
        f"{lobe_ab[0].upper() + lobe_ab[1:]} consolidation, likely pneumonia. Follow-up after treatment is advised.",
        f"Findings are consistent with {lobe} pneumonia; clinical correlation is recommended.",
        f"{lobe[0].upper() + lobe[1:]} pneumonic consolidation.",
        f"{lobe_ab[0].upper() + lobe_ab[1:]} pneumonia.",
    ])
    if zone == "lingula":
        imp = rng.choice(["Lingular pneumonia.", "Left lingular consolidation, likely infective."])
    if zone == "middle lobe":
        imp = rng.choice(["Right middle lobe pneumonia.", "RML consolidation, likely infective."])
    return F("CONS", "lung", True, find, imp, side)


def fnd_effusion(rng, uk, side, size=None):
    size = size or rng.choice(["moderate", "moderate", "large"])
    find = rng.choice([
        f"There is a {size} {side} pleural effusion obliterating the {side} costophrenic angle.",
        f"{size.capitalize()} {side}-sided pleural effusion with a meniscus sign.",
        f"{side.capitalize()} pleural effusion, {size} in size, tracking along the lateral chest wall.",
    ])
    imp = rng.choice([f"{size.capitalize()} {side} pleural effusion.",
                      f"{size.capitalize()} {side}-sided pleural effusion; correlate clinically.",
                      f"{size.capitalize()} {side} pleural effusion, ultrasound can be done for quantification."])
    return F("EFF", "pleura_eff", True, find, imp, side)


def fnd_small_eff(rng, uk, side):
    find = rng.choice([f"Blunting of the {side} costophrenic angle, likely small effusion.",
                       f"Small {side} pleural effusion."])
    imp = f"Small {side} pleural effusion."
    return F("EFF", "pleura_eff", False, find, imp, side, True)


def fnd_ptx(rng, uk, side):
    cm = rng.choice(["1.5", "2", "2.5", "3"])
    find = rng.choice([
        f"A {side} apical pneumothorax is seen with a visible pleural line, measuring about {cm} cm "
        f"from the apex; no mediastinal shift.",
        f"There is a {side}-sided pneumothorax with the lung edge about {cm} cm from the chest wall.",
        f"{side.capitalize()} pneumothorax, {cm} cm rim at the level of the hilum; no tension.",
    ])
    imp = rng.choice([f"{side.capitalize()} pneumothorax.", f"{side.capitalize()} apical pneumothorax, no tension.",
                      f"{side.capitalize()}-sided pneumothorax; urgent clinical attention advised."])
    return F("PTX", "pleura_ptx", True, find, imp, side)


def fnd_edema(rng, uk, side=None):
    oed = sp(uk, "edema", "oedema")
    find = rng.choice([
        f"Upper lobe venous diversion with bilateral perihilar haziness and Kerley B lines, in keeping with "
        f"interstitial pulmonary {oed}.",
        f"Bilateral perihilar alveolar {sp(uk, 'opacities', 'shadowing')} in a bat-wing distribution, "
        f"consistent with pulmonary {oed}.",
        "Pulmonary vascular congestion with upper lobe diversion and prominent interstitial markings.",
    ])
    imp = rng.choice([f"Pulmonary {oed}.", "Features of pulmonary venous congestion.",
                      f"Findings are suggestive of pulmonary {oed}; correlate with cardiac status."])
    return F("EDEMA", "lung", True, find, imp)


def fnd_cardiomegaly_mild(rng, uk, side=None):
    find = rng.choice(["The heart is mildly enlarged (CTR about 0.55).", "Mild cardiomegaly.",
                       "Borderline cardiac size.", "Heart size is at the upper limit of normal."])
    imp = rng.choice(["Mild cardiomegaly.", "Borderline cardiomegaly.",
                      "Mild cardiomegaly; otherwise no acute findings."])
    if "upper limit" in find or "Borderline" in find:
        imp = "Borderline heart size."
    return F("CARD", "heart", False, find, imp, None, True)


def fnd_cardiomegaly(rng, uk, side=None):
    find = rng.choice(["The heart is enlarged, CTR about 0.62.", "Cardiomegaly is present.",
                       "Moderate cardiomegaly with globular configuration."])
    imp = rng.choice(["Cardiomegaly.", "Moderate cardiomegaly; echocardiography is suggested."])
    return F("CARD", "heart", False, find, imp)


def fnd_nodule(rng, uk, side):
    mm = rng.choice([7, 8, 9, 10, 12, 14, 16, 18])
    zone = rng.choice(["upper", "mid", "lower"])
    find = rng.choice([f"A well-defined rounded nodule measuring about {mm} mm is seen in the {side} {zone} zone.",
                       f"There is a {mm} mm soft tissue nodule projecting over the {side} {zone} zone.",
                       f"{side.capitalize()} {zone} zone nodular opacity, approximately {mm} mm."])
    imp = rng.choice([f"{side.capitalize()} {zone} zone {mm} mm pulmonary nodule; CT chest is recommended.",
                      f"{mm} mm nodule in the {side} {zone} zone. Further evaluation with CT is advised."])
    return F("NOD", "lung", True, find, imp, side)


def fnd_mass(rng, uk, side):
    cm = rng.choice(["3", "3.5", "4", "5", "6"])
    find = rng.choice([f"There is a {cm} cm lobulated mass in the {side} upper zone.",
                       f"A {cm} cm {side} perihilar mass is noted.",
                       f"Large rounded mass lesion in the {side} mid zone measuring about {cm} cm."])
    imp = rng.choice([f"{side.capitalize()} lung mass, suspicious for neoplasm. CT chest with contrast is recommended.",
                      f"{cm} cm {side} lung mass; further assessment by CT is advised."])
    return F("NOD", "lung", True, find, imp, side)


def fnd_fibrosis(rng, uk, side):
    find = rng.choice([f"Fibrotic strands and pleural thickening at the {side} apex with volume loss.",
                       f"Linear fibrotic opacities with small calcified foci in the {side} upper zone."])
    imp = rng.choice([f"{side.capitalize()} apical fibrotic changes, likely sequelae of old/healed TB. "
                      "No radiological evidence of active disease.",
                      f"Old fibrotic changes in the {side} upper zone; correlation with sputum studies if "
                      "clinically indicated."])
    return F("FIB", "lung", False, find, imp, side)


def fnd_minor(rng, uk, side):
    vis = sp(uk, "visualized", "visualised")
    opts = [
        F("DEG", "bone", False, "Degenerative changes of the dorsal spine with marginal osteophytes.",
          "Degenerative changes of the dorsal spine.", None, True),
        F("GRAN", "extra", False, f"A small calcified granuloma in the {side} mid zone.",
          f"Calcified granuloma in the {side} lung, of no clinical significance.", side, True),
        F("RIB", "bone", False, f"Old healed fracture of the {side} {rng.choice(['5th', '6th', '7th', '8th'])} rib.",
          f"Old healed {side} rib fracture.", side, True),
        F("AORTA", "med", False, "Unfolded thoracic aorta with calcification of the aortic knuckle.",
          "Unfolded, atherosclerotic aorta.", None, True),
        F("HYPER", "lung", False, "Hyperinflated lungs with flattened hemidiaphragms; no focal consolidation.",
          "Hyperinflated lungs, in keeping with COPD. No active lesion.", None, False),
        F("BRONCH", "extra", False, "Mildly prominent bronchovascular markings bilaterally.",
          "Prominent bronchovascular markings, can be seen with bronchitis / smoking.", None, True),
        F("STERN", "extra", False, "Median sternotomy wires are noted.", "Post-sternotomy status.", None, True),
        F("ATEL", "extra", False, f"Linear plate atelectasis at the {side} base.",
          f"{side.capitalize()} basal linear atelectasis.", side, True),
        F("HH", "extra", False, "A retrocardiac air-fluid level is noted, likely a hiatus hernia.",
          "Probable hiatus hernia.", None, False),
        F("SCOL", "bone", False, f"Mild scoliosis of the dorsal spine; {vis} bones otherwise unremarkable.",
          "Mild dorsal scoliosis.", None, True),
    ]
    return rng.choice(opts)


def fnd_med_widen(rng, uk, side=None):
    find = rng.choice(["The superior mediastinum appears widened, measuring about 9 cm at the level of the "
                       "aortic knob.",
                       "Widened mediastinum with loss of definition of the aortic knob."])
    imp = rng.choice(["Widened mediastinum; CT angiography is recommended to exclude aortic injury.",
                      "Mediastinal widening, further evaluation by contrast CT is advised."])
    return F("MED", "med", True, find, imp)


def fnd_free_air(rng, uk, side=None):
    find = rng.choice(["Free air is seen under the right hemidiaphragm.",
                       "Crescent of free gas under both domes of the diaphragm."])
    imp = rng.choice(["Pneumoperitoneum; urgent surgical review.",
                      "Free intraperitoneal air, likely perforated viscus."])
    return F("AIR", "diaph", True, find, imp)


SIG_FUNCS = [(fnd_consolidation, 30), (fnd_effusion, 16), (fnd_ptx, 10), (fnd_edema, 12), (fnd_nodule, 10),
             (fnd_mass, 5), (fnd_med_widen, 4), (fnd_free_air, 4)]
SIDED_SIG = [fnd_consolidation, fnd_effusion, fnd_ptx, fnd_nodule, fnd_mass]


def pick_sig(rng, uk, sided=False):
    pool = [(f, w) for f, w in SIG_FUNCS if (not sided or f in SIDED_SIG)]
    fn = rng.choices([f for f, _ in pool], [w for _, w in pool])[0]
    return fn(rng, uk, rng.choice(["left", "right"])), fn


# ----------------------------------------------------------------------------------------------
# composed reports

def base_parts(rng: random.Random, style: dict) -> dict:
    st = style["setting"]
    hist = rng.choice(CONTEXTS[st])
    if rng.random() < 0.5 and st != "screen":
        hist = f"{age_sex(rng)}. {hist}"
    comp = rng.choice(["None.", "None available.", "No previous films.", "Nil.", "Not available.",
                       f"Previous study dated {rdate(rng)}.", f"CXR of {rdate(rng)}.", "None."])
    if st == "screen":
        comp = rng.choice(["None.", "None available.", "No prior imaging."])
    return {"exam": rng.choice(EXAMS[style["view"]]), "history": hist, "comparison": comp,
            "technique": {"pa": "Single PA view of the chest.", "pal": "PA and lateral views of the chest.",
                          "ap": "Single AP portable view; evaluation is limited by projection."}[style["view"]],
            "findings": [], "impression": [], "signoff": signoff(rng), "date": rdate(rng)}


def assemble_findings(rng: random.Random, style: dict, items: list[dict]) -> list[str]:
    uk = style["uk"]
    norm = normal_sents(rng, uk)
    regions = ["lung", "pleura", "heart", "med", "diaph", "bone"]
    if rng.random() < 0.35:
        regions.remove("diaph")
    if rng.random() < 0.25:
        regions.remove("med")
    used = {it["region"] for it in items}
    out = []
    for r in regions:
        here = [it for it in items if it["region"] == r or (r == "pleura" and it["region"].startswith("pleura"))]
        if here:
            for it in here:
                out.append(it["find"])
            if r == "lung":
                out.append(rng.choice(REGION_REST["lung"]))
            elif r == "pleura":
                kinds = {it["region"] for it in here}
                if kinds == {"pleura_eff"}:
                    out.append(rng.choice(REGION_REST["pleura_eff"]))
                elif kinds == {"pleura_ptx"}:
                    out.append(rng.choice(REGION_REST["pleura_ptx"]))
            elif r == "med" and rng.random() < 0.5:
                out.append(REGION_REST["med"][0])
        else:
            if r == "lung" and "extra" in used:
                out.append(rng.choice(["No focal consolidation.", "No consolidation or mass."]))
            else:
                out.append(norm[r])
    for it in items:
        if it["region"] == "extra":
            out.insert(rng.randint(1, len(out)), it["find"])
        if it["region"] == "diaph" and "diaph" not in regions:
            out.append(it["find"])
    return out


def compose(rng: random.Random, items: list[dict], style: dict, drop_optional=0.4) -> dict:
    p = base_parts(rng, style)
    p["findings"] = assemble_findings(rng, style, items)
    imp = []
    for it in sorted(items, key=lambda x: not x["sig"]):
        if it["optional"] and rng.random() < drop_optional:
            continue
        imp.append(it["imp"])
    if not imp:
        imp = [rng.choice(NORMAL_IMP[style["setting"]])]
    elif not any(it["sig"] for it in items) and rng.random() < 0.5:
        imp.append(rng.choice(["No active chest disease.", "No acute cardiopulmonary abnormality.",
                               "Otherwise unremarkable."]))
    p["impression"] = imp
    p["items"] = items
    return p


def clean_items(rng: random.Random, style: dict) -> list[dict]:
    uk = style["uk"]
    r = rng.random()
    side = rng.choice(["left", "right"])
    if style["setting"] == "screen":
        if r < 0.7:
            return []
        if r < 0.85:
            return [fnd_fibrosis(rng, uk, side)]
        return [fnd_minor(rng, uk, side)]
    if r < 0.52:
        return []
    if r < 0.72:
        return [fnd_minor(rng, uk, side)]
    if r < 0.8:
        return [fnd_cardiomegaly_mild(rng, uk)] + ([fnd_minor(rng, uk, side)] if rng.random() < 0.3 else [])
    if r < 0.84:
        return [fnd_small_eff(rng, uk, side)]
    it, _ = pick_sig(rng, uk)
    extra = [fnd_minor(rng, uk, it["side"] or side)] if rng.random() < 0.25 else []
    if extra and extra[0]["region"] == it["region"]:
        extra = []
    return [it] + extra


# ----------------------------------------------------------------------------------------------
# rendering

def render(p: dict, style: dict) -> str:
    lines = []
    if style["site"]:
        lines.append(style["site"])
    exam = p["exam"]
    if style["date"]:
        exam = f"{exam}    Date: {p['date']}"
    lines.append(f"{'EXAMINATION: ' if style['trained'] == 'us' and rng_flag(p, 0) else ''}{exam}")
    lines.append("")
    if p.get("history") is not None:
        lines.append(f"{style['hx_h']}: {p['history']}")
    if p.get("comparison") is not None and (style["trained"] in ("us", "fr") or p.get("show_comp")):
        lines.append(f"{'COMPARISON' if style['hx_h'].isupper() else 'Comparison'}: {p['comparison']}")
    if style["tech"] and p.get("technique"):
        lines.append(f"{'TECHNIQUE' if style['hx_h'].isupper() else 'Technique'}: {p['technique']}")
    lines.append("")
    fh = style["find_h"]
    if p.get("findings_state") != "absent":
        fs = p.get("findings") or []
        if not fs:
            lines.append(f"{fh}:")
        elif style["fmt"] == "para":
            lines.append(f"{fh}:")
            lines.append(" ".join(fs))
        elif style["fmt"] == "lines":
            lines.append(f"{fh}:")
            lines.extend(fs)
        else:
            lines.append(f"{fh}:")
            lines.extend(f"- {s}" for s in fs)
        lines.append("")
    ih = style["imp_h"]
    if p.get("impression_state") != "absent":
        im = p.get("impression") or []
        if not im:
            lines.append(f"{ih}:")
        elif style["imp_fmt"] == "num" and len(im) > 1:
            lines.append(f"{ih}:")
            lines.extend(f"{k}. {s}" for k, s in enumerate(im, 1))
        elif style["imp_fmt"] == "dash":
            lines.append(f"{ih}:")
            lines.extend(f"- {s}" for s in im)
        else:
            lines.append(f"{ih}: {' '.join(im)}")
        lines.append("")
    lines.append(p["signoff"])
    txt = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", txt).strip()


def rng_flag(p: dict, k: int) -> bool:
    return bool(p.get("flags", [True, True])[k])


# ----------------------------------------------------------------------------------------------
# IU re-layout with light re-wording

REWORD = [
    (r"\bchest x-XXXX\b", ["chest X-ray"]),
    (r"\bx-XXXX\b", ["X-ray"]),
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary abnormality",
                                                   "No acute cardiopulmonary abnormality is seen",
                                                   "No active cardiopulmonary disease"]),
    (r"\bNo acute cardiopulmonary (disease|process)\b", ["No acute cardiopulmonary disease",
                                                         "No active chest disease"]),
    (r"\bThe lungs are clear\b", ["The lungs are clear", "Both lungs are clear", "Both lung fields are clear"]),
    (r"\b[Cc]ardiomediastinal silhouette\b", ["cardiomediastinal silhouette", "cardiomediastinal shadow"]),
    (r"\bosseous structures\b", ["osseous structures", "bony structures"]),
    (r"\bcostophrenic\b", ["costophrenic"]),
]
UKMAP = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bvisualized\b", "visualised"),
         (r"\bVisualized\b", "Visualised"), (r"\bhemithorax\b", "haemithorax"), (r"\bcentered\b", "centred"),
         (r"\bhemidiaphragms?\b", None)]


def reword(text: str, rng: random.Random, uk: bool) -> str:
    if not text:
        return text
    for pat, opts in REWORD:
        def rep(m, opts=opts):
            o = rng.choice(opts)
            g = m.group(0)
            if g[0].isupper() and o[0].islower():
                o = o[0].upper() + o[1:]
            elif g[0].islower() and o[0].isupper() and not o.startswith("X-ray"):
                o = o[0].lower() + o[1:]
            return o
        text = re.sub(pat, rep, text)
    if uk:
        for pat, rp in UKMAP:
            if rp:
                text = re.sub(pat, rp, text)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return text


def iu_parts(rng: random.Random, rep: dict, style: dict) -> dict:
    p = base_parts(rng, style)
    p["exam"] = rng.choice(EXAMS["pal"])
    p["technique"] = "PA and lateral views of the chest."
    uk = style["uk"]
    ind = reword(rep.get("indication", ""), rng, uk)
    p["history"] = ind or rng.choice(CONTEXTS[style["setting"]])
    comp = rep.get("comparison", "")
    p["comparison"] = reword(comp, rng, uk) or "None."
    p["show_comp"] = True
    p["findings"] = sents(reword(rep.get("findings", ""), rng, uk))
    imp = rep.get("impression", "")
    imp_s = re.split(r"\s*(?:^|\s)\d\.\s+", " " + imp)
    imp_s = [s.strip() for s in imp_s if s.strip()]
    if not imp_s and imp.strip():
        imp_s = [imp.strip()]
    p["impression"] = [reword(s, rng, uk) for s in imp_s]
    p["uid"] = rep["uid"]
    return p


# ----------------------------------------------------------------------------------------------
# injections

PH_TOKENS = ["[***]", "[ ]", "[  ]", "[...]", "***", "<< >>", "{ }", "[xx]", "[side]", "[size]", "[date]"]


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        o = {"left": "right", "right": "left", "lt": "rt", "rt": "lt"}[w.lower()]
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return re.sub(r"\b(left|right|Lt|Rt)\b", rep, s, flags=re.I)


def flip_abbrev(s: str) -> str:
    return s.replace("RLL", "@@L").replace("LLL", "RLL").replace("@@L", "LLL")


def normal_imp_macro(rng, style, generic=False):
    st = "er" if generic else style["setting"]
    return [rng.choice(NORMAL_IMP[st] + ["No acute cardiopulmonary abnormality.",
                                                       "No significant abnormality detected."])]


ASSERT_BANK = {
    "EFF": lambda rng, s: rng.choice([f"Small {s} pleural effusion.", f"Moderate {s} pleural effusion.",
                                      f"{s.capitalize()} pleural effusion."]),
    "PTX": lambda rng, s: rng.choice([f"Small {s} apical pneumothorax.", f"{s.capitalize()} pneumothorax."]),
    "CONS": lambda rng, s: rng.choice([f"{s.capitalize()} lower lobe pneumonia.",
                                       f"{s.capitalize()} lower zone consolidation, likely infective.",
                                       f"Patchy {s} basal consolidation."]),
    "CARD": lambda rng, s: rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette.",
                                       "Cardiomegaly with pulmonary congestion."]),
}
NEG_CUE = {
    "EFF": re.compile(r"\b(no|without)\b[^.]*effusion|costophrenic angles? (are |is )?(clear|sharp|free)|"
                      r"CP angles are free", re.I),
    "PTX": re.compile(r"\b(no|without)\b[^.]*pneumothora", re.I),
    "CONS": re.compile(r"\b(no|without)\b[^.]*(consolidat|airspace|infiltrat)|lungs? (fields )?(are )?clear|"
                       r"clear lung|lung fields are clear", re.I),
    "CARD": re.compile(r"heart (size )?(is )?(within normal|normal|not enlarged)|normal (heart|cardiac) size|"
                       r"cardiac (size|silhouette) (is )?(within )?normal|cardiothoracic ratio is within|"
                       r"heart size and|cardiomediastinal (silhouette|shadow) (is )?(within normal|normal)|"
                       r"heart size (is )?normal", re.I),
}
NEGATE_BANK = {
    "EFF": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
    "PTX": ["No pneumothorax.", "No pneumothorax or effusion."],
    "CONS": ["Clear lungs.", "No consolidation.", "Both lungs are clear."],
    "EDEMA": ["No pulmonary oedema.", "No signs of pulmonary congestion or oedema."],
    "CARD": ["Normal heart size.", "Heart size is normal."],
    "NOD": ["Clear lungs; no focal lesion.", "No pulmonary nodule or mass."],
}


def inj_missing(rng, p, composed):
    mode = rng.random()
    if composed and mode < 0.3:
        p["findings"] = []
        if rng.random() < 0.5:
            p["findings_state"] = "absent"
        p["impression"] = [rng.choice(["As above.", "See above.", "Please see findings.",
                                       "No interval change compared with the previous study.",
                                       "Findings discussed with the treating physician."])]
        if "interval" in p["impression"][0]:
            p["comparison"] = f"Previous study dated {rdate(rng)}."
            p["show_comp"] = True
        return "FINDINGS left empty; impression does not describe the image"
    p["impression"] = []
    if rng.random() < 0.45:
        p["impression_state"] = "absent"
        return "IMPRESSION section absent (report ends after findings)"
    return "IMPRESSION header left with nothing under it"


def inj_placeholder(rng, p, composed, style):
    tok = rng.choice(PH_TOKENS)
    # candidate word positions: side word, size adjective, number, or the history field
    cands = []
    for sec in ("findings", "impression"):
        for k, s in enumerate(p[sec]):
            for m in re.finditer(r"\b(left|right|small|moderate|large|mild|\d+(?:\.\d+)?)\b", s):
                if "XXXX" in s[max(0, m.start() - 6):m.end() + 6]:
                    continue
                cands.append((sec, k, m.start(), m.end(), m.group(0)))
    r = rng.random()
    if cands and r < 0.7:
        sec, k, a, b, w = rng.choice(cands)
        if tok in ("[side]", "[size]", "[date]"):
            tok = "[side]" if w.lower() in ("left", "right") else ("[size]" if not w[0].isdigit() else "[xx]")
        p[sec][k] = p[sec][k][:a] + tok + p[sec][k][b:]
        return f"'{w}' in {sec} replaced by the template field {tok}"
    if r < 0.85 or not p.get("comparison"):
        old = p["history"]
        tok = tok if tok not in ("[side]", "[size]", "[date]", "[xx]") else "[ ]"
        p["history"] = tok
        return f"clinical history field left unfilled ({tok}), was '{old[:40]}'"
    tok = rng.choice(["[date]", "[ ]", "[***]", "__/__/____"]) if False else rng.choice(["[date]", "[ ]", "[***]"])
    p["comparison"] = rng.choice([f"Previous study dated {tok}.", f"CXR of {tok}.", f"{tok}"])
    p["show_comp"] = True
    return f"comparison date field left unfilled ({tok})"


# ----------------------------------------------------------------------------------------------
# composed cases per kind

def composed_case(rng: random.Random, kind: str | None) -> tuple[str, dict, dict]:
    style = make_style(rng)
    uk = style["uk"]
    side = rng.choice(["left", "right"])
    if kind is None:
        p = compose(rng, clean_items(rng, style), style)
        return "", p, style
    if kind == "missing_section":
        items = clean_items(rng, style)
        p = compose(rng, items, style)
        return inj_missing(rng, p, True), p, style
    if kind == "placeholder":
        items = clean_items(rng, style)
        if rng.random() < 0.5 and not items:
            it, _ = pick_sig(rng, uk, sided=True)
            items = [it]
        p = compose(rng, items, style, drop_optional=0.0)
        return inj_placeholder(rng, p, True, style), p, style
    if kind == "laterality_conflict":
        if rng.random() < 0.8:
            it, _ = pick_sig(rng, uk, sided=True)
        else:
            it = fnd_fibrosis(rng, uk, side)
        items = [it]
        if rng.random() < 0.3:
            mi = fnd_minor(rng, uk, it["side"])
            if mi["region"] != it["region"] and mi["side"] is None:
                items.append(mi)
        p = compose(rng, items, style, drop_optional=0.0)
        imp_k = p["impression"].index(it["imp"])
        if rng.random() < 0.6:
            p["impression"][imp_k] = flip_abbrev(flip_side(it["imp"]))
            where = "impression"
        else:
            fk = p["findings"].index(it["find"])
            p["findings"][fk] = flip_side(it["find"])
            where = "findings"
        other = "left" if it["side"] == "right" else "right"
        return (f"{it['g']} side flipped in the {where}: one section says {it['side']}, the other "
                f"{other}"), p, style
    if kind == "negation_conflict":
        r = rng.random()
        if r < 0.5:
            # normal-ish findings, impression asserts something the findings negate
            items = [] if rng.random() < 0.7 else [fnd_minor(rng, uk, side)]
            items = [x for x in items if x["region"] in ("bone", "med", "extra") and x["g"] not in ("ATEL",)]
            p = compose(rng, items, style)
            groups = [g for g in ASSERT_BANK if any(NEG_CUE[g].search(s) for s in p["findings"])]
            g = rng.choice(groups)
            assertion = ASSERT_BANK[g](rng, side)
            neg_s = next(s for s in p["findings"] if NEG_CUE[g].search(s))
            if rng.random() < 0.5:
                p["impression"] = [assertion] + [x for x in p["impression"] if "No active" not in x
                                                 and "Normal" not in x and "No acute" not in x
                                                 and "No significant" not in x and "Unremarkable" not in x]
            else:
                p["impression"] = [assertion, rng.choice(["Otherwise no acute findings.",
                                                          "No other significant abnormality."])]
            return f"impression asserts '{assertion}' while findings say '{neg_s}'", p, style
        # findings affirm, impression negates it
        if r < 0.65:
            it = fnd_cardiomegaly(rng, uk)
        else:
            it, _ = pick_sig(rng, uk)
            while it["g"] not in NEGATE_BANK:
                it, _ = pick_sig(rng, uk)
        p = compose(rng, [it], style, drop_optional=0.0)
        neg = rng.choice(NEGATE_BANK[it["g"]])
        if it["g"] == "EDEMA" and not uk:
            neg = neg.replace("oedema", "edema")
        p["impression"] = [neg] + ([rng.choice(NORMAL_IMP[style["setting"]])] if rng.random() < 0.6 else [])
        return f"findings affirm '{it['find'][:60]}' but impression says '{neg}'", p, style
    if kind == "impression_omits_finding":
        it, _ = pick_sig(rng, uk)
        items = [it]
        r = rng.random()
        if r < 0.25:
            it2, _ = pick_sig(rng, uk)
            if it2["region"] != it["region"] and it2["g"] != it["g"]:
                items.append(it2)
        elif r < 0.5:
            mi = fnd_minor(rng, uk, side)
            if mi["region"] != it["region"]:
                items.append(mi)
        new = rng.random() < 0.2 and it["g"] in ("CONS", "EFF", "NOD")
        p = compose(rng, items, style, drop_optional=0.0)
        if new:
            k = p["findings"].index(it["find"])
            p["findings"][k] = it["find"].rstrip(".") + ", new since the previous study."
            p["comparison"] = f"Previous study dated {rdate(rng)}."
            p["show_comp"] = True
        others = [x for x in items if x is not it]
        if len(items) > 1 and others[0]["sig"]:
            p["impression"] = [others[0]["imp"]]
            how = "impression mentions only the other significant finding"
        elif len(items) > 1:
            p["impression"] = [others[0]["imp"], rng.choice(["Otherwise unremarkable.",
                                                              "No other significant abnormality."])]
            how = "impression mentions only the incidental finding"
        else:
            p["impression"] = (["No significant interval change."] if new and rng.random() < 0.5
                               else normal_imp_macro(rng, style))
            how = "normal impression macro"
        return f"findings affirm {it['g']} ('{it['find'][:60]}'); {how}", p, style
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------
# IU cases per kind

def iu_pools(reps: list[dict]) -> dict[str, list[dict]]:
    pools = {"clean": [], "normal": [], "omit": [], "lat": [], "negaff": [], "any": []}
    seen = set()
    for r in reps:
        f, i = r.get("findings", ""), r.get("impression", "")
        key = (f.lower(), i.lower())
        if key in seen or not f or not i:
            continue
        seen.add(key)
        if re.search(r"\[|\]|___|\*\*|<|>|\{", f + i):
            continue
        ok = clean_ok(r)
        if ok:
            pools["clean"].append(r)
            pools["any"].append(r)
            if is_normal_iu(r):
                pools["normal"].append(r)
        # omission candidates: an affirmed significant finding that the impression also names
        fs = sents(f)
        for k, s in enumerate(fs):
            nxt = fs[k + 1] if k + 1 < len(fs) else ""
            if not affirmed(s) or HEDGE.search(s) or re.search(r"unchanged|stable|smaller|improv|clearing", nxt, re.I):
                continue
            hit = [g for g, rx in SIG_OMIT.items() if rx.search(s)]
            imp_aff = " ".join(t for t in sents(i) if affirmed(t))
            if hit and any(GROUP_RE[g].search(imp_aff) for g in hit) and ok:
                pools["omit"].append(dict(r, _sent=s, _g=hit[0]))
                if hit[0] in ("CONS", "EFF", "PTX", "EDEMA"):
                    pools["negaff"].append(dict(r, _sent=s, _g=hit[0]))
                break
        # laterality candidates
        if ok:
            for s in fs:
                sd = {m.lower() for m in SIDE_RE.findall(s)}
                g = groups_in(s) | ({"ATEL"} if re.search(r"atelecta", s, re.I) else set()) | \
                    ({"GRAN"} if re.search(r"granulom", s, re.I) else set())
                if len(sd) != 1 or not g or re.search(r"bilateral|both", s, re.I) or not affirmed(s):
                    continue
                for t in sents(i):
                    tsd = {m.lower() for m in SIDE_RE.findall(t)}
                    tg = groups_in(t) | ({"ATEL"} if re.search(r"atelecta", t, re.I) else set()) | \
                        ({"GRAN"} if re.search(r"granulom", t, re.I) else set())
                    if tsd == sd and (tg & g) and not re.search(r"bilateral|both", t, re.I):
                        pools["lat"].append(dict(r, _fs=s, _is=t))
                        break
                else:
                    continue
                break
    return pools


def _key(t: str) -> str:
    return re.sub(r"[^a-z]", "", t.lower().replace("oedema", "edema").replace("visualised", "visualized"))[:24]


def _find_idx(lst: list[str], target: str):
    tk = _key(target)
    for k, s in enumerate(lst):
        if tk and (_key(s) == tk or _key(s).startswith(tk[:16])) and SIDE_RE.search(s):
            return k
    return None


def iu_case(rng: random.Random, kind: str | None, rep: dict) -> tuple[str, dict, dict]:
    style = make_style(rng, rng.choice(["er", "ward", "opd", "opd", "screen"]))
    p = iu_parts(rng, rep, style)
    uk = style["uk"]
    if kind is None:
        return "", p, style
    if kind == "missing_section":
        return inj_missing(rng, p, False), p, style
    if kind == "placeholder":
        return inj_placeholder(rng, p, False, style), p, style
    if kind == "laterality_conflict":
        fi = _find_idx(p["findings"], rep["_fs"])
        ii = _find_idx(p["impression"], rep["_is"])
        if ii is not None and (fi is None or rng.random() < 0.5):
            p["impression"][ii] = flip_side(p["impression"][ii])
            return f"side flipped in impression: '{rep['_is'][:70]}' (findings keep the original side)", p, style
        if fi is not None:
            p["findings"][fi] = flip_side(p["findings"][fi])
            return f"side flipped in findings: '{rep['_fs'][:70]}' (impression keeps the original side)", p, style
        raise RuntimeError("no side to flip")
    if kind == "impression_omits_finding":
        p["impression"] = normal_imp_macro(rng, style, generic=True)
        return f"findings affirm {rep['_g']} ('{rep['_sent'][:70]}'); impression replaced by normal macro", \
            p, style
    if kind == "negation_conflict":
        if "_g" in rep:
            neg = rng.choice(NEGATE_BANK[rep["_g"]])
            if not uk:
                neg = neg.replace("oedema", "edema")
            p["impression"] = [neg] + ([rng.choice(["No acute cardiopulmonary abnormality.",
                                                    "Otherwise no acute disease."])] if rng.random() < 0.5 else [])
            return f"findings affirm '{rep['_sent'][:70]}' but impression says '{neg}'", p, style
        groups = [g for g in ASSERT_BANK if any(NEG_CUE[g].search(s) for s in p["findings"])]
        g = rng.choice(groups)
        side = rng.choice(["left", "right"])
        assertion = ASSERT_BANK[g](rng, side)
        neg_s = next(s for s in p["findings"] if NEG_CUE[g].search(s))
        if rng.random() < 0.5:
            p["impression"] = [assertion]
        else:
            p["impression"] = [assertion] + [rng.choice(["Otherwise no acute cardiopulmonary abnormality.",
                                                         "No other acute findings."])]
        return f"impression asserts '{assertion}' while findings say '{neg_s[:70]}'", p, style
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h108-{seed}")
    shared = shared_dir()
    excl = dev_uids(shared)
    reps = [r for r in load_iu(shared) if r["uid"] not in excl]
    pools = iu_pools(reps)
    for k in pools:
        rng.shuffle(pools[k])
    used: set[str] = set()

    def take(pool: str, pred=None) -> dict:
        for r in pools[pool]:
            if r["uid"] in used:
                continue
            if pred and not pred(r):
                continue
            used.add(r["uid"])
            return r
        raise RuntimeError(f"IU pool {pool} exhausted")

    def neg_normal_ok(r):
        fs = sents(r["findings"])
        return any(NEG_CUE[g].search(s) for g in ASSERT_BANK for s in fs)

    plan: list[tuple[str | None, str]] = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        plan += [(kind, "composed")] * (n // 2) + [(kind, "iu")] * (n - n // 2)
    rows = []
    for kind, src in plan:
        if src == "composed":
            detail, p, style = composed_case(rng, kind)
        else:
            if kind is None:
                rep = take("normal") if rng.random() < 0.6 else take("clean")
            elif kind == "missing_section" or kind == "placeholder":
                rep = take("any")
            elif kind == "laterality_conflict":
                rep = take("lat")
            elif kind == "impression_omits_finding":
                rep = take("omit")
            else:
                if rng.random() < 0.35 and any(r["uid"] not in used for r in pools["negaff"]):
                    rep = take("negaff")
                else:
                    rep = take("normal", neg_normal_ok)
            detail, p, style = iu_case(rng, kind, rep)
            detail = f"IU {rep['uid']} re-laid-out; " + (detail or "unmodified content")
        if src == "composed":
            detail = "composed; " + (detail or "clean")
        p.setdefault("flags", [rng.random() < 0.5, True])
        rows.append({"injected": kind, "detail": detail, "report": render(p, style)})
    rng.shuffle(rows)
    return [{"id": f"h108-{seed}-{n}", **r} for n, r in enumerate(rows)]


def main(argv=None) -> int:
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
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
