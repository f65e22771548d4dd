"""Held-out report-error set 135: US and Canadian university student health / campus clinic chest X-rays.

usage: python -m bench.make_heldout135 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the five
kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder).
Half of every group is composed from a phrase bank written in the setting's style (young adults: community
acquired pneumonia, asthma, spontaneous pneumothorax, TB screening of international students, sports injuries,
vaping), half are real IU reports (never a dev-set uid, each used at most once) re-laid out in the setting's
templates and lightly re-worded. Written blind, without reading the checker. Standard library only.

MEDRAG_SHARED_DIR overrides the shared folder (default: ../shared beside the repo root).
"""
from __future__ import annotations

import argparse
import functools
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------------------
# shared text helpers
# ----------------------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|nor|absent|removed|clear|normal|unremarkable|"
    r"exclude|excluded|rule out|ruled out|no evidence)\b",
    re.I,
)

GROUPS = {
    "pneumothorax": r"pneumothora",
    "effusion": r"effusion",
    "airspace": r"consolidat|air ?space|pneumonia|infiltrat|opacit",
    "edema": r"edema|oedema|vascular congestion|pulmonary congestion|interstitial prominence",
    "cardiomegaly": r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged|enlarged (heart|cardiac)|"
    r"cardiac enlargement|heart size is (mildly |moderately )?(increased|enlarged)",
    "mass": r"\bmass\b|nodule|nodular",
    "atelectasis": r"atelecta",
    "fracture": r"fracture",
    "granuloma": r"granulom",
}
GROUP_RE = {k: re.compile(v, re.I) for k, v in GROUPS.items()}
SIGNIFICANT = {"pneumothorax", "effusion", "airspace", "edema", "mass", "cardiomegaly"}
LUNGS_CLEAR = re.compile(r"lungs (are |appear )?(clear|well expanded and clear)|clear lungs|lungs are grossly clear",
                         re.I)
HEART_NORMAL = re.compile(
    r"heart (size )?(is )?(normal|within normal)|normal heart size|heart is normal in size|"
    r"cardiomediastinal silhouette (is )?(normal|within normal|unremarkable)|normal cardiomediastinal|"
    r"heart size (is )?(normal|within normal)|cardiac silhouette (is )?(normal|within normal)|"
    r"cardiac and mediastinal (contours|silhouettes) are (normal|within normal)",
    re.I,
)
NORMAL_IMPRESSION = re.compile(
    r"no acute|normal chest|normal (study|exam|radiograph)|negative (chest|for acute|exam|study)|no active|"
    r"no radiographic evidence of (acute|active)|no evidence of acute|unremarkable|^normal\.?$|no acute disease",
    re.I,
)
OLD_OR_DEVICE = re.compile(
    r"sternotomy|cabg|pacemaker|pacer|aicd|defibrillator|arthroplasty|aort|atheroscl|degenerative|osteopeni|"
    r"emphysema|copd|kyphos|vertebroplasty|kyphoplasty|dialysis|catheter|picc|tube|prosthe|valve|clips|"
    r"postoperative|post-operative|status post|s/p|hyperexpan|hyperinflat|spondyl|osteophyt|chronic|"
    r"metasta|cancer|carcinoma|malignan|lymphoma|tortuous|ectatic|stent|hernia|surgical|resection|"
    r"lobectomy|mastectomy|wire|hardware|port\b|line\b|device|granulomatous|calcified|fixation|"
    r"previous|prior|compar|unchanged|stable|interval|again|generator|leads|icd|shunt|embolization|interposition|"
    r"kub|abdom|bowel|\[|\*\*\*|<<|___",
    re.I,
)


def sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z0-9(])", text)
    return [p.strip() for p in parts if p.strip() and p.strip() not in {".", ".."}]


def clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r";|, but |\bhowever\b|, which|\. ", sentence) if c.strip()]


def polarity(text: str) -> tuple[set[str], set[str]]:
    """(affirmed groups, negated groups) in a section, by clause-level negation cues."""
    pos: set[str] = set()
    neg: set[str] = set()
    for sent in sentences(text):
        for cl in clauses(sent):
            for g, rx in GROUP_RE.items():
                m = rx.search(cl)
                if not m:
                    continue
                if NEG_CUE.search(cl[: m.start()]) or re.search(r"\b(resolved|excluded|not seen|absent)\b", cl, re.I):
                    neg.add(g)
                else:
                    pos.add(g)
    if LUNGS_CLEAR.search(text or ""):
        neg.add("airspace")
    if HEART_NORMAL.search(text or ""):
        neg.add("cardiomegaly")
    return pos, neg


def flip_side(sentence: str) -> str:
    def sw(m: re.Match) -> str:
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new

    return SIDE_RE.sub(sw, sentence)


def sides(text: str) -> set[str]:
    return {m.group(0).lower() for m in SIDE_RE.finditer(text or "")}


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ----------------------------------------------------------------------------------------------------------
# the setting: names, headers, sign-offs, indications
# ----------------------------------------------------------------------------------------------------------

FIRST = ["Sarah", "Michael", "Priya", "David", "Jennifer", "Kevin", "Aisha", "Daniel", "Emily", "Wei", "Marc",
         "Catherine", "Rajesh", "Laura", "Jean-Francois", "Megan", "Omar", "Hannah", "Steven", "Nadia"]
LAST = ["Chen", "MacDonald", "Patel", "Nguyen", "Tremblay", "O'Brien", "Kowalski", "Singh", "Gagnon", "Rosen",
        "Fraser", "Okafor", "Lindqvist", "Morrison", "Bouchard", "Haddad", "Kim", "Sullivan", "Desai", "Campbell"]
CAMPUS = ["Student Health Services", "Campus Health Centre", "Student Wellness Centre", "University Health Service",
          "Student Health Center", "Campus Clinic", "Health and Counselling Centre", "Student Health & Wellness"]
US_EXAM = ["XR CHEST PA AND LATERAL", "XR CHEST 2 VIEWS", "CHEST X-RAY PA/LAT", "RADIOGRAPH CHEST 2 VIEWS",
           "XR CHEST 2V (PA/LAT)", "CHEST 2 VIEWS FRONTAL AND LATERAL"]
CA_EXAM = ["XR Chest PA + Lateral", "CHEST PA & LATERAL", "Chest X-ray 2 views", "XR CHEST 2V", "CHEST - PA/LAT"]
TECHNIQUE = ["PA and lateral views of the chest.", "Frontal and lateral views of the chest were obtained.",
             "2 views of the chest.", "PA and lateral chest radiographs."]

IND = {
    "cough": [
        "{age} y/o {sex} with cough and fever x {n} days. Evaluate for pneumonia.",
        "{age}{sx} productive cough, fever, crackles {side_l} base on exam. r/o CAP.",
        "Cough x 2 weeks, subjective fevers. University student. ?pneumonia",
        "{age}-year-old {sexw} student with fever, cough and pleuritic chest pain.",
        "Persistent cough after URI, {n} days. Rule out pneumonia.",
        "Fever, cough, SOB. Sick contacts in residence.",
    ],
    "tb": [
        "Positive QuantiFERON. International student, pre-enrolment screening.",
        "{age} y/o {sex}, positive PPD ({n2} mm). Asymptomatic. TB screening.",
        "Positive IGRA on entry screening. Rule out active TB.",
        "International student, positive TST, no symptoms. Clearance for clinical placement.",
        "Latent TB screening prior to starting INH/rifampin. Positive T-SPOT.",
        "Health sciences student, positive two-step TST. Rule out active tuberculosis.",
    ],
    "ptx": [
        "{age} y/o tall thin {sexw} with sudden onset {side_l} chest pain and shortness of breath. ?pneumothorax",
        "Acute {side_l} pleuritic chest pain at rest. Rule out spontaneous pneumothorax.",
        "Sudden SOB and {side_l}-sided chest pain while studying. R/O PTX.",
        "{age}{sx} tall, thin, smoker. Sharp chest pain. Pneumothorax?",
    ],
    "ptx_fu": [
        "Follow-up {side_l} pneumothorax, managed conservatively.",
        "Known {side_l} spontaneous pneumothorax. Follow-up film.",
    ],
    "asthma": [
        "Asthma exacerbation, not improving with salbutamol. Rule out pneumonia.",
        "{age} y/o {sex} with known asthma, wheeze and chest tightness.",
        "Wheezing, SOB. Hx asthma. ?infection",
        "Asthmatic, increased inhaler use, chest tightness. Evaluate.",
    ],
    "sport": [
        "Hit in chest during rugby. {side_c} rib pain. Rule out fracture/pneumothorax.",
        "Hockey injury, {side_l} chest wall pain with deep inspiration.",
        "Fell off bike, {side_l} lateral chest pain. ?rib fracture",
        "{age}{sx} varsity football player, tackled, {side_l} rib tenderness.",
        "Snowboarding fall onto {side_l} side. Pleuritic pain.",
    ],
    "vape": [
        "Daily vaping, 2 weeks of cough, dyspnea and fatigue. ?EVALI",
        "{age} y/o {sex}, heavy e-cigarette/THC cartridge use, SOB and fever.",
        "Vaping. Progressive shortness of breath, GI upset. Evaluate lungs.",
    ],
    "cp": [
        "Chest pain, anxiety. Rule out acute process.",
        "Atypical chest pain. Normal ECG.",
        "{age}{sx} pleuritic chest pain x 2 days.",
        "Palpitations and chest discomfort. Screening CXR.",
    ],
    "fu": [
        "Follow-up {side_l} lower lobe pneumonia after antibiotics.",
        "Follow up CAP. Completed course of amoxicillin.",
    ],
    "nodule": [
        "Incidental finding on outside film. Follow-up.",
        "Cough. Evaluate.",
        "Pre-participation physical, abnormal breath sounds. Screening CXR.",
    ],
    "sarcoid": [
        "Fatigue, erythema nodosum, ankle swelling. ?sarcoid",
        "Persistent dry cough and night sweats. Evaluate.",
        "Night sweats, weight loss, pruritus. Evaluate for adenopathy.",
    ],
}


def fill_indication(rng: random.Random, key: str, side: str = "") -> str:
    t = rng.choice(IND[key])
    sex = rng.choice(["M", "F"])
    return t.format(
        age=rng.randint(18, 29), sex=sex, sx=sex, sexw={"M": "male", "F": "female"}[sex], n=rng.randint(2, 10),
        n2=rng.choice([10, 12, 15, 18]), side_l=side or rng.choice(["left", "right"]),
        side_c=cap(side or rng.choice(["left", "right"])),
    )


def name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def us_date(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2022, 2023, 2024])}"


def ca_date(rng: random.Random) -> str:
    return f"{rng.choice([2022, 2023, 2024])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def hm(rng: random.Random) -> str:
    return f"{rng.randint(7, 18):02d}:{rng.choice(['02', '14', '27', '38', '41', '55'])}"


def signoff(rng: random.Random, style: str, date: str = "") -> str:
    f, last = name(rng)
    f2, l2 = name(rng)
    if date:
        us_d = ca_d = date
    else:
        us_d, ca_d = us_date(rng), ca_date(rng)
    if style == "us":
        return rng.choice([
            f"Electronically signed by: {f} {last}, MD on {us_d} {hm(rng)}",
            f"Dictated by: {f2} {l2}, MD (Resident)\nAttending attestation: I have personally reviewed the images "
            f"and agree with the findings in this report.\nElectronically signed by: {f} {last}, MD {us_d}",
            f"Signed: {f[0]}. {last}, MD\nDate: {us_d} {hm(rng)}",
            f"Reading radiologist: {f} {last}, M.D.\nFinal report electronically signed {us_d} {hm(rng)}.",
            f"Report approved by {f} {last}, DO on {us_d}.",
        ])
    return rng.choice([
        f"Dictated by: Dr. {last}, {f}\nSigned by: Dr. {f} {last}, FRCPC\nDate signed: {ca_d} {hm(rng)}",
        f"Dr. {f} {last}, MD FRCPC\nDiagnostic Radiologist\nElectronically signed {ca_d}",
        f"Reported by: Dr. {f[0]}. {last}\nTranscribed by: {f2[0]}{l2[0]}  {ca_d}\nReport status: FINAL",
        f"Electronically verified by Dr. {f} {last} on {ca_d} at {hm(rng)}",
    ])


# ----------------------------------------------------------------------------------------------------------
# composed reports: a case is findings as (system, sentence) plus impression items
# ----------------------------------------------------------------------------------------------------------

NORMAL = {
    "lungs": [
        ("The lungs are clear.", {"airspace"}),
        ("Lungs are clear bilaterally.", {"airspace"}),
        ("The lungs are well expanded and clear.", {"airspace"}),
        ("No focal consolidation.", {"airspace"}),
        ("Clear lungs without focal airspace opacity.", {"airspace"}),
        ("Lungs are well inflated. No focal airspace disease.", {"airspace"}),
    ],
    "pleura": [
        ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
        ("No effusion or pneumothorax.", {"effusion", "pneumothorax"}),
        ("Costophrenic angles are sharp. No pneumothorax.", {"effusion", "pneumothorax"}),
        ("No pneumothorax or pleural effusion.", {"effusion", "pneumothorax"}),
    ],
    "heart": [
        ("The cardiomediastinal silhouette is within normal limits.", {"cardiomegaly"}),
        ("Heart size is normal. Mediastinal contours are normal.", {"cardiomegaly"}),
        ("Normal cardiomediastinal silhouette.", {"cardiomegaly"}),
        ("Heart and mediastinum are unremarkable. Hila are normal.", {"cardiomegaly"}),
        ("Normal heart size and mediastinal contours.", {"cardiomegaly"}),
    ],
    "bones": [
        ("No acute osseous abnormality.", set()),
        ("Visualized osseous structures are intact.", set()),
        ("Bones and soft tissues are unremarkable.", set()),
        ("No acute bony abnormality.", set()),
    ],
}
NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
              "Normal chest x-ray.", "No radiographic evidence of acute cardiopulmonary disease.", "Negative chest.",
              "No acute cardiopulmonary findings."]
NORMAL_IMP_CTX = {
    "tb": ["No radiographic evidence of active pulmonary tuberculosis.",
           "Normal chest. No findings of active or prior TB.",
           "No radiographic findings to suggest active tuberculosis. Cleared from a radiology standpoint."],
    "cough": ["No radiographic evidence of pneumonia.", "No focal pneumonia.", "Clear lungs. No pneumonia."],
    "ptx": ["No pneumothorax. Normal chest.", "No pneumothorax or acute cardiopulmonary process."],
    "sport": ["No displaced rib fracture or pneumothorax. Note that nondisplaced rib fractures can be "
              "radiographically occult.", "No acute osseous or cardiopulmonary abnormality."],
}
SYS_LABEL = {"lines": "Support devices", "lungs": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum",
             "bones": "Bones/soft tissues"}
LOBES = {"right": ["right upper lobe", "right lower lobe"], "left": ["left upper lobe", "left lower lobe"]}
ORD = {4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th", 9: "9th"}


class Case:
    def __init__(self, ctx: str, side: str = "") -> None:
        self.ctx = ctx
        self.side = side
        self.f: dict[str, list[str]] = {"lungs": [], "pleura": [], "heart": [], "bones": []}
        self.neg: dict[str, set[str]] = {}  # system -> groups that its sentence negates
        self.imp: list[str] = []
        self.sig: list[tuple[str, int, int]] = []  # (system, idx of significant finding sentence, impression idx)
        self.lat: list[tuple[str, int, int]] = []  # (system, idx, impression idx) both stating the same side
        self.minor_imp: list[int] = []  # impression items that describe minor findings
        self.comparison = "None."
        self.indication = ""

    def normal(self, rng: random.Random, system: str) -> None:
        s, g = rng.choice(NORMAL[system])
        self.f[system].append(s)
        self.neg[system] = self.neg.get(system, set()) | g


def _fill_normal(case: Case, rng: random.Random) -> None:
    for sysname in ("lungs", "pleura", "heart", "bones"):
        if not case.f[sysname]:
            case.normal(rng, sysname)


def scen_normal(rng: random.Random) -> Case:
    ctx = rng.choice(["cough", "tb", "tb", "ptx", "sport", "cp", "asthma"])
    c = Case(ctx)
    c.indication = fill_indication(rng, ctx)
    _fill_normal(c, rng)
    if ctx == "asthma" and rng.random() < 0.5:
        c.f["lungs"] = ["Lungs are mildly hyperinflated with mild peribronchial thickening. No focal consolidation."]
        c.neg["lungs"] = {"airspace"}
        c.imp = [rng.choice(["Mild hyperinflation and peribronchial thickening, compatible with asthma/reactive "
                             "airways disease. No pneumonia.", "Findings of reactive airways disease. No focal "
                             "consolidation."])]
        return c
    if rng.random() < 0.15:
        c.f["bones"] = [rng.choice(["Mild pectus excavatum deformity.", "Mild levoconvex curvature of the thoracic "
                                    "spine.", "No acute osseous abnormality. Bifid anterior right 4th rib, a "
                                    "normal variant."])]
    pool = NORMAL_IMP + NORMAL_IMP_CTX.get(ctx, [])
    c.imp = [rng.choice(pool)]
    return c


def scen_pneumonia(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    lobe = rng.choice(LOBES[side])
    c = Case("cough", side)
    c.indication = fill_indication(rng, "cough", side)
    c.f["lungs"].append(rng.choice([
        f"Focal airspace consolidation in the {lobe} with air bronchograms.",
        f"Patchy airspace opacity in the {lobe}, new.",
        f"There is consolidation in the {lobe}.",
        f"Dense opacity projecting over the {side} {'upper' if 'upper' in lobe else 'lower'} zone, "
        f"localizing to the {lobe} on the lateral view.",
    ]))
    c.f["lungs"].append("The remainder of the lungs are clear.")
    if rng.random() < 0.3:
        c.f["pleura"].append(f"Small {side} pleural effusion. No pneumothorax.")
        eff = True
    else:
        c.normal(rng, "pleura")
        eff = False
    c.sig.append(("lungs", 0, 0))
    c.lat.append(("lungs", 0, 0))
    c.imp.append(rng.choice([f"{cap(lobe)} pneumonia.", f"{cap(lobe)} consolidation consistent with pneumonia.",
                             f"Findings compatible with {lobe} community-acquired pneumonia.",
                             f"{cap(side)} {'upper' if 'upper' in lobe else 'lower'} lobe pneumonia."]))
    if eff:
        c.imp.append(f"Small {side} parapneumonic effusion.")
        c.lat.append(("pleura", 0, 1))
        c.minor_imp.append(1)
    if rng.random() < 0.5:
        c.imp.append(rng.choice(["Recommend follow-up PA and lateral radiograph in 6-8 weeks after treatment to "
                                 "document resolution.", "Follow-up chest x-ray after treatment is suggested."]))
    _fill_normal(c, rng)
    return c


def scen_rml(rng: random.Random) -> Case:
    c = Case("cough")
    c.indication = fill_indication(rng, "cough")
    if rng.random() < 0.5:
        c.f["lungs"].append("Opacity obscuring the right heart border, consistent with right middle lobe "
                            "consolidation.")
        c.imp.append("Right middle lobe pneumonia.")
    else:
        c.f["lungs"].append("Airspace opacity silhouetting the left heart border, in the lingula on the lateral "
                            "view.")
        c.imp.append("Lingular pneumonia.")
    c.sig.append(("lungs", 0, 0))
    _fill_normal(c, rng)
    return c


def scen_ptx(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    c = Case("ptx", side)
    cm = rng.choice(["1.5", "2", "2.5", "3", "3.5", "4"])
    c.indication = fill_indication(rng, "ptx", side)
    c.f["pleura"].append(rng.choice([
        f"There is a {side} apical pneumothorax measuring {cm} cm from apex to cupola.",
        f"Visceral pleural line is seen in the {side} apex, with a pneumothorax measuring approximately {cm} cm.",
        f"{cap(side)} pneumothorax, {cm} cm at the apex.",
    ]))
    c.f["pleura"].append("No mediastinal shift.")
    c.f["lungs"].append("Lungs are otherwise clear.")
    c.sig.append(("pleura", 0, 0))
    c.lat.append(("pleura", 0, 0))
    c.imp.append(rng.choice([f"{cap(side)} apical pneumothorax, approximately {cm} cm. No radiographic signs of "
                             f"tension.", f"Moderate {side} spontaneous pneumothorax ({cm} cm apical).",
                             f"{cap(side)} pneumothorax as described."]))
    f, last = name(rng)
    c.imp.append(rng.choice([f"Findings were discussed with {f} {last}, NP at {rng.choice(CAMPUS)} by telephone at "
                             f"{hm(rng)}.", f"Critical result called to Dr. {last} at {hm(rng)}.",
                             "Findings communicated to the referring clinician."]))
    _fill_normal(c, rng)
    return c


def scen_ptx_fu(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    c = Case("ptx_fu", side)
    c.indication = fill_indication(rng, "ptx_fu", side)
    c.comparison = rng.choice([f"Chest radiograph {us_date(rng)}.", "Prior study from 2 days earlier.",
                               f"XR chest {ca_date(rng)}."])
    if rng.random() < 0.5:
        c.f["pleura"].append(f"Interval decrease in size of the small {side} apical pneumothorax, now 1 cm "
                             f"(previously 2.5 cm).")
        c.imp.append(f"Decreasing small {side} apical pneumothorax.")
        c.minor_imp.append(0)
    else:
        c.f["pleura"].append(f"Interval increase in the {side} pneumothorax, now measuring 3.5 cm at the apex "
                             f"(previously 1.5 cm).")
        c.imp.append(f"Enlarging {side} pneumothorax.")
        c.sig.append(("pleura", 0, 0))
    c.lat.append(("pleura", 0, 0))
    c.f["pleura"].append("No pleural effusion.")
    _fill_normal(c, rng)
    return c


def scen_tb(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    c = Case("tb", side)
    c.indication = fill_indication(rng, "tb")
    kind = rng.random()
    if kind < 0.5:
        c.f["lungs"].append(f"Small calcified granuloma in the {side} {rng.choice(['upper', 'mid', 'lower'])} "
                            f"lung zone. Lungs otherwise clear.")
        c.f["heart"].append("Normal heart size. No hilar or mediastinal lymphadenopathy.")
        c.neg["heart"] = {"cardiomegaly"}
        c.imp.append(f"Calcified granuloma on the {side}, sequela of prior granulomatous infection. No radiographic "
                     f"evidence of active tuberculosis.")
        c.lat.append(("lungs", 0, 0))
        c.minor_imp.append(0)
    else:
        c.f["lungs"].append(rng.choice([
            f"Patchy consolidation with nodular opacities in the {side} upper lobe, with a small central lucency "
            f"suggesting cavitation.",
            f"Fibronodular opacities and consolidation in the apical segment of the {side} upper lobe.",
        ]))
        c.f["heart"].append(f"Mild {side} hilar fullness. Heart size normal.")
        c.neg["heart"] = {"cardiomegaly"}
        c.imp.append(f"{cap(side)} upper lobe consolidation and nodularity, suspicious for active pulmonary "
                     f"tuberculosis given the positive screening test.")
        c.imp.append("Recommend sputum for AFB smear and culture x 3 and airborne precautions pending results.")
        c.sig.append(("lungs", 0, 0))
        c.lat.append(("lungs", 0, 0))
    _fill_normal(c, rng)
    return c


def scen_rib(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    k = rng.choice(list(ORD))
    c = Case("sport", side)
    c.indication = fill_indication(rng, "sport", side)
    c.f["bones"].append(rng.choice([
        f"Acute nondisplaced fracture of the lateral {side} {ORD[k]} rib.",
        f"Minimally displaced fracture of the {side} {ORD[k]} rib posterolaterally.",
        f"Cortical break in the {side} {ORD[k]} rib, consistent with acute fracture.",
    ]))
    c.f["pleura"].append("No pneumothorax or pleural effusion.")
    c.neg["pleura"] = {"effusion", "pneumothorax"}
    c.lat.append(("bones", 0, 0))
    c.imp.append(rng.choice([f"Acute {side} {ORD[k]} rib fracture. No pneumothorax.",
                             f"Nondisplaced {side} {ORD[k]} rib fracture without pneumothorax.",
                             f"{cap(side)} {ORD[k]} rib fracture."]))
    c.minor_imp.append(0)
    _fill_normal(c, rng)
    return c


def scen_evali(rng: random.Random) -> Case:
    c = Case("vape")
    c.indication = fill_indication(rng, "vape")
    c.f["lungs"].append("Bilateral patchy ground-glass and airspace opacities, lower lobe predominant, with relative "
                        "subpleural sparing.")
    c.sig.append(("lungs", 0, 0))
    c.imp.append(rng.choice([
        "Bilateral airspace opacities. In the setting of vaping, e-cigarette or vaping product use associated lung "
        "injury (EVALI) is a consideration; atypical or viral infection is also possible.",
        "Bilateral lower lobe predominant airspace disease, differential includes vaping-associated lung injury "
        "and multifocal pneumonia. CT chest may be helpful.",
    ]))
    _fill_normal(c, rng)
    return c


def scen_viral(rng: random.Random) -> Case:
    c = Case(rng.choice(["cough", "asthma"]))
    c.indication = fill_indication(rng, c.ctx)
    c.f["lungs"].append("Mild bilateral perihilar peribronchial thickening. No focal consolidation.")
    c.neg["lungs"] = {"airspace"}
    c.imp.append(rng.choice(["Peribronchial thickening, suggesting viral bronchitis or reactive airways disease. "
                             "No focal pneumonia.", "Bronchitic changes. No consolidation."]))
    c.minor_imp.append(0)
    _fill_normal(c, rng)
    return c


def scen_pneumomed(rng: random.Random) -> Case:
    c = Case("asthma")
    c.indication = fill_indication(rng, "asthma")
    c.f["heart"].append("Streaky lucencies outline the mediastinum and extend into the soft tissues of the lower "
                        "neck, consistent with pneumomediastinum. Heart size is normal.")
    c.neg["heart"] = {"cardiomegaly"}
    c.f["pleura"].append("No pneumothorax or pleural effusion.")
    c.neg["pleura"] = {"pneumothorax", "effusion"}
    c.imp.append("Pneumomediastinum with cervical soft tissue emphysema, likely related to asthma exacerbation. "
                 "No pneumothorax.")
    _fill_normal(c, rng)
    return c


def scen_nodule(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    mm = rng.choice([7, 8, 9, 11, 12, 14])
    zone = rng.choice(["mid lung zone", "lower lung zone", "upper lobe"])
    c = Case("nodule", side)
    c.indication = fill_indication(rng, "nodule")
    art = "An" if mm in (8, 11, 18) else "A"
    c.f["lungs"].append(f"{art} {mm} mm noncalcified nodule projects over the {side} {zone}. Lungs otherwise clear.")
    c.sig.append(("lungs", 0, 0))
    c.lat.append(("lungs", 0, 0))
    c.imp.append(f"{mm} mm {side} {zone} nodule. Recommend nonurgent CT chest for further characterization.")
    _fill_normal(c, rng)
    return c


def scen_effusion(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    c = Case("cough", side)
    c.indication = fill_indication(rng, "cough", side)
    c.f["pleura"].append(f"Moderate {side} pleural effusion with adjacent compressive atelectasis.")
    c.f["pleura"].append("No pneumothorax.")
    c.sig.append(("pleura", 0, 0))
    c.lat.append(("pleura", 0, 0))
    c.imp.append(rng.choice([f"Moderate {side} pleural effusion. Underlying consolidation cannot be excluded.",
                             f"Moderate {side} pleural effusion; consider ultrasound to assess for loculation."]))
    _fill_normal(c, rng)
    return c


def scen_sarcoid(rng: random.Random) -> Case:
    c = Case("sarcoid")
    c.indication = fill_indication(rng, "sarcoid")
    if rng.random() < 0.5:
        c.f["heart"].append("Bilateral hilar lymphadenopathy. Heart size normal. Mediastinum otherwise normal.")
        c.neg["heart"] = {"cardiomegaly"}
        c.imp.append("Bilateral hilar lymphadenopathy. In this age group sarcoidosis is the leading consideration; "
                     "lymphoma is less likely. Consider CT chest.")
        c.minor_imp.append(0)
    else:
        c.f["heart"].append("Widening of the superior mediastinum with a lobulated contour, and a soft tissue mass "
                            "filling the retrosternal clear space on the lateral view.")
        c.imp.append("Anterior mediastinal mass. Lymphoma is the main concern in this age group. Recommend CT "
                     "chest with contrast.")
        c.sig.append(("heart", 0, 0))
    _fill_normal(c, rng)
    return c


def scen_resolved(rng: random.Random) -> Case:
    side = rng.choice(["right", "left"])
    lobe = rng.choice(LOBES[side])
    c = Case("fu", side)
    c.indication = fill_indication(rng, "fu", side)
    c.comparison = rng.choice([f"PA and lateral chest {us_date(rng)}.", f"XR chest {ca_date(rng)}.",
                               "Chest radiograph 6 weeks ago."])
    c.f["lungs"].append(f"Interval resolution of the previously seen {lobe} consolidation. The lungs are now clear.")
    c.neg["lungs"] = {"airspace"}
    c.lat.append(("lungs", 0, 0))
    c.imp.append(f"Resolved {lobe} pneumonia.")
    c.minor_imp.append(0)
    _fill_normal(c, rng)
    return c


SCENARIOS = [
    (scen_normal, 10), (scen_pneumonia, 6), (scen_rml, 1), (scen_ptx, 4), (scen_ptx_fu, 1), (scen_tb, 4),
    (scen_rib, 3), (scen_evali, 1), (scen_viral, 2), (scen_pneumomed, 1), (scen_nodule, 1), (scen_effusion, 1),
    (scen_sarcoid, 1), (scen_resolved, 1),
]


def pick_scenario(rng: random.Random, need: str = "") -> Case:
    for _ in range(1000):
        fn = rng.choices([s for s, _ in SCENARIOS], [w for _, w in SCENARIOS])[0]
        c = fn(rng)
        if need == "sig" and not c.sig:
            continue
        if need == "lat" and not c.lat:
            continue
        if need == "normal" and fn is not scen_normal:
            continue
        if need == "abn" and fn is scen_normal:
            continue
        return c
    raise RuntimeError("no scenario")


# ----------------------------------------------------------------------------------------------------------
# layout: render a case into free text with the setting's headers and habits
# ----------------------------------------------------------------------------------------------------------


class Layout:
    def __init__(self, rng: random.Random, allow_structured: bool = True) -> None:
        self.style = rng.choice(["us", "us", "ca"])
        self.upper = rng.random() < 0.7
        self.f_head = "FINDINGS" if self.upper else "Findings"
        imp = rng.choices(["IMPRESSION", "CONCLUSION", "OPINION", "INTERPRETATION"], [78, 12, 5, 5])[0]
        self.i_head = imp if self.upper else imp.capitalize()
        self.inline = rng.random() < 0.35  # text on the same line as the header
        self.structured = allow_structured and self.style == "us" and rng.random() < 0.3
        self.one_per_line = not self.structured and rng.random() < 0.3
        self.numbered = rng.random() < 0.6
        self.technique = rng.random() < 0.45
        self.hist = rng.choice(["CLINICAL HISTORY", "INDICATION", "HISTORY", "REASON FOR EXAM", "CLINICAL INFORMATION"])
        self.exam = rng.choice(US_EXAM if self.style == "us" else CA_EXAM)
        self.referrer = rng.random() < 0.4
        self.campus = rng.choice(CAMPUS)
        self.date = us_date(rng) if self.style == "us" else ca_date(rng)
        self.sign = signoff(rng, self.style, self.date)
        self.rng = rng
        self.desc = (f"{self.style} template, {'structured' if self.structured else 'prose'} findings, "
                     f"'{self.f_head}'/'{self.i_head}' headers")

    def head(self, h: str) -> str:
        return h.upper() if self.upper else h.capitalize()

    def render(self, indication: str, comparison: str, findings: list[str] | None, impression: list[str] | None,
               structured: list[tuple[str, str]] | None = None, f_mode: str = "normal",
               i_mode: str = "normal") -> str:
        """f_mode / i_mode: normal, empty (header kept), signonly (header then sign-off), removed."""
        out = []
        if self.style == "us":
            out.append(f"EXAM: {self.exam}" if self.upper else f"Exam: {self.exam}")
            out.append(f"DATE: {self.date}" if self.upper else f"Date of service: {self.date}")
        else:
            out.append(self.exam)
            out.append(f"Exam date: {self.date}")
        if self.referrer:
            out.append(f"Referring location: {self.campus}")
        out.append("")
        hist = self.head(self.hist)
        out.append(f"{hist}: {indication}")
        if self.technique:
            out.append(f"{self.head('Technique')}: {self.rng.choice(TECHNIQUE)}")
        out.append(f"{self.head('Comparison')}: {comparison}")
        out.append("")
        sign_used = False
        # findings
        if f_mode == "removed":
            pass
        elif f_mode in {"empty", "signonly"}:
            out.append(f"{self.f_head}:")
            out.append("")
        else:
            if structured:
                out.append(f"{self.f_head}:")
                out.extend(f"{k}: {v}" for k, v in structured)
            elif self.one_per_line:
                out.append(f"{self.f_head}:")
                out.extend(findings or [])
            elif self.inline:
                out.append(f"{self.f_head}: {' '.join(findings or [])}")
            else:
                out.append(f"{self.f_head}:")
                out.append(" ".join(findings or []))
            out.append("")
        # impression
        if i_mode == "removed":
            pass
        elif i_mode == "empty":
            out.append(f"{self.i_head}:")
            out.append("")
        elif i_mode == "signonly":
            out.append(f"{self.i_head}:")
            out.append(self.sign)
            sign_used = True
        else:
            items = impression or []
            if len(items) > 1 and self.numbered:
                out.append(f"{self.i_head}:")
                out.extend(f"{i}. {t}" for i, t in enumerate(items, 1))
            elif self.inline:
                out.append(f"{self.i_head}: {' '.join(items)}")
            else:
                out.append(f"{self.i_head}:")
                out.append(" ".join(items))
            out.append("")
        if not sign_used:
            out.append(self.sign)
        return "\n".join(out).strip() + "\n"


def render_case(c: Case, lay: Layout, f_mode: str = "normal", i_mode: str = "normal") -> str:
    if lay.structured:
        struct = []
        for sysname in ("lungs", "pleura", "heart", "bones"):
            if c.f[sysname]:
                struct.append((SYS_LABEL[sysname], " ".join(c.f[sysname])))
        return lay.render(c.indication, c.comparison, None, c.imp, struct, f_mode, i_mode)
    order = ["lungs", "pleura", "heart", "bones"] if lay.rng.random() < 0.5 else ["heart", "lungs", "pleura", "bones"]
    if c.ctx in {"ptx", "ptx_fu"}:
        order = ["pleura", "lungs", "heart", "bones"]
    if c.ctx == "sport" and any("rib" in s for s in c.f["bones"]):
        order = ["bones", "pleura", "lungs", "heart"]
    sents = [s for sysname in order for s in c.f[sysname]]
    return lay.render(c.indication, c.comparison, sents, c.imp, None, f_mode, i_mode)


# ----------------------------------------------------------------------------------------------------------
# composed cases per kind
# ----------------------------------------------------------------------------------------------------------

PLACEHOLDERS_SIZE = ["[***]", "___", "XX", "<<size>>", "[size]", "***"]
PLACEHOLDERS_SIDE = ["[right/left]", "<<side>>", "[***]", "[LATERALITY]", "[ ]", "***"]
PLACEHOLDERS_WORD = ["[***]", "[ ]", "***", "<<finding>>", "{***}"]
PLACEHOLDERS_NORMAL = ["[***]", "[ ]", "***", "[normal/abnormal]", "{***}", "<<normal>>"]


def word_placeholder(rng: random.Random, word: str) -> str:
    normal_word = word.lower() in {"normal", "clear", "unremarkable", "intact", "sharp", "acute"}
    return rng.choice(PLACEHOLDERS_NORMAL if normal_word else PLACEHOLDERS_WORD)


def composed_clean(rng: random.Random) -> tuple[str, str]:
    c = pick_scenario(rng)
    lay = Layout(rng)
    return render_case(c, lay), f"composed {c.ctx}; {lay.desc}"


def composed_missing(rng: random.Random) -> tuple[str, str]:
    c = pick_scenario(rng)
    lay = Layout(rng)
    r = rng.random()
    if r < 0.6:
        mode = rng.choice(["empty", "signonly", "removed"])
        return render_case(c, lay, i_mode=mode), f"composed {c.ctx}; IMPRESSION {mode}; {lay.desc}"
    # findings emptied beside an impression that does not describe the findings
    c.imp = [rng.choice(NORMAL_IMP)] if not c.sig and not c.lat else c.imp[:1]
    if c.sig or c.lat:
        c = pick_scenario(rng, "normal")
        c.imp = [rng.choice(NORMAL_IMP)]
    mode = rng.choice(["empty", "removed"])
    return render_case(c, lay, f_mode=mode), f"composed {c.ctx}; FINDINGS {mode}; {lay.desc}"


def composed_laterality(rng: random.Random) -> tuple[str, str]:
    c = pick_scenario(rng, "lat")
    lay = Layout(rng)
    sysname, fi, ii = rng.choice(c.lat)
    if rng.random() < 0.5:
        old = c.f[sysname][fi]
        c.f[sysname][fi] = flip_side(old)
        where = f"FINDINGS sentence flipped: '{old}' -> '{c.f[sysname][fi]}'"
    else:
        old = c.imp[ii]
        c.imp[ii] = flip_side(old)
        where = f"IMPRESSION item flipped: '{old}' -> '{c.imp[ii]}'"
    return render_case(c, lay), f"composed {c.ctx}; {where}"


ASSERT = {
    "effusion": ["{Side} pleural effusion.", "Small {side} pleural effusion.", "Moderate {side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "airspace": ["{Side} lower lobe pneumonia.", "Patchy {side} basilar consolidation, likely pneumonia.",
                 "{Side} upper lobe airspace disease concerning for pneumonia."],
    "cardiomegaly": ["Mild cardiomegaly.", "Cardiomegaly.", "Enlarged cardiac silhouette."],
}


def assertion(rng: random.Random, group: str) -> str:
    side = rng.choice(["right", "left"])
    return rng.choice(ASSERT[group]).format(side=side, Side=cap(side))


def composed_negation(rng: random.Random) -> tuple[str, str]:
    lay = Layout(rng)
    if rng.random() < 0.55:
        c = pick_scenario(rng, "normal")
        negated = sorted(set().union(*c.neg.values()) & set(ASSERT))
        g = rng.choice(negated)
        a = assertion(rng, g)
        c.imp = [a] if rng.random() < 0.6 else [a, "Clinical correlation recommended."]
        src = [s for sysname, gs in c.neg.items() if g in gs for s in c.f[sysname]]
        return render_case(c, lay), f"composed {c.ctx}; IMPRESSION asserts '{a}' but FINDINGS say '{src[0]}'"
    # impression negates a finding the findings affirm
    fn = rng.choice([scen_pneumonia, scen_ptx, scen_effusion, scen_tb_active])
    c = fn(rng)
    neg = {
        "cough": ["No focal consolidation or pleural effusion.", "Lungs are clear. No pneumonia."],
        "ptx": ["No pneumothorax.", "No pneumothorax. No acute cardiopulmonary process."],
        "tb": ["No radiographic evidence of active tuberculosis. Lungs are clear."],
    }
    if fn is scen_effusion:
        new = rng.choice(["No pleural effusion.", "No pleural effusion or pneumothorax."])
    else:
        new = rng.choice(neg[c.ctx])
    old = " ".join(c.imp)
    c.imp = [new]
    return render_case(c, lay), f"composed {c.ctx}; IMPRESSION '{old}' replaced by '{new}', negating the finding"


def scen_tb_active(rng: random.Random) -> Case:
    for _ in range(100):
        c = scen_tb(rng)
        if c.sig:
            return c
    raise RuntimeError


def composed_omits(rng: random.Random, other: bool) -> tuple[str, str]:
    lay = Layout(rng)
    for _ in range(1000):
        c = pick_scenario(rng, "sig")
        sysname, fi, ii = c.sig[0]
        sig_sentence = c.f[sysname][fi]
        if other:
            # add a minor second finding that the impression lists instead
            if not any(c.f["bones"]) or c.f["bones"][0].startswith(("No acute", "Visualized", "Bones")):
                side = rng.choice(["right", "left"])
                extra = rng.choice([
                    (f"Small calcified granuloma in the {side} lower lung zone.", "lungs",
                     f"Calcified granuloma {side} lower lung zone, sequela of prior granulomatous disease."),
                    ("Mild pectus excavatum deformity.", "bones", "Mild pectus excavatum."),
                    ("Mild dextroconvex curvature of the thoracic spine.", "bones", "Mild thoracic scoliosis."),
                    (f"Old healed fracture of the {side} clavicle.", "bones", f"Old healed {side} clavicle fracture."),
                ])
                if extra[1] == "bones":
                    c.f["bones"] = [extra[0]]
                else:
                    c.f["lungs"].append(extra[0])
                c.imp = [extra[2]]
                if rng.random() < 0.4:
                    c.imp.append("Otherwise no acute cardiopulmonary process.")
            else:
                c.imp = [c.imp[k] for k in c.minor_imp] or [c.imp[0]]
            return render_case(c, lay), (f"composed {c.ctx}; '{sig_sentence}' left out of IMPRESSION, which lists "
                                         f"only: '{' '.join(c.imp)}'")
        c.imp = [rng.choice(NORMAL_IMP + NORMAL_IMP_CTX.get(c.ctx, NORMAL_IMP))]
        if "pneumo" in c.imp[0].lower() and "pneumo" in sig_sentence.lower():
            continue
        return render_case(c, lay), (f"composed {c.ctx}; '{sig_sentence}' in FINDINGS, IMPRESSION replaced by normal "
                                     f"statement '{c.imp[0]}'")
    raise RuntimeError


def composed_placeholder(rng: random.Random) -> tuple[str, str]:
    for _ in range(1000):
        c = pick_scenario(rng)
        lay = Layout(rng)
        target = rng.random()
        # a measurement field
        if target < 0.35:
            for sents in c.f.values():
                for i, s in enumerate(sents):
                    m = re.search(r"\b\d+(\.\d+)? (cm|mm)\b", s)
                    if m:
                        ph = rng.choice(PLACEHOLDERS_SIZE)
                        sents[i] = s[: m.start()] + ph + " " + m.group(2) + s[m.end():]
                        return render_case(c, lay), f"composed {c.ctx}; size '{m.group(0)}' left as '{ph}' in findings"
            continue
        if target < 0.6:
            for sents in c.f.values():
                for i, s in enumerate(sents):
                    m = SIDE_RE.search(s)
                    if m:
                        ph = rng.choice(PLACEHOLDERS_SIDE)
                        sents[i] = s[: m.start()] + ph + s[m.end():]
                        return render_case(c, lay), f"composed {c.ctx}; side '{m.group(0)}' left as '{ph}' in findings"
            continue
        if target < 0.8:
            # an unfilled system line or word in the normal template
            sysname = rng.choice(["pleura", "heart", "bones"])
            s = c.f[sysname][0]
            words = [m for m in re.finditer(r"\b(normal|clear|unremarkable|intact|sharp|effusion|pneumothorax)\b", s)]
            if not words:
                continue
            m = rng.choice(words)
            ph = word_placeholder(rng, m.group(0))
            c.f[sysname][0] = s[: m.start()] + ph + s[m.end():]
            return render_case(c, lay), f"composed {c.ctx}; word '{m.group(0)}' left as template field '{ph}'"
        # impression item with a field (follow-up / call-back only where something was found)
        if not c.sig:
            continue
        if rng.random() < 0.5:
            ph = rng.choice(["[***]", "<<interval>>", "[ ]", "***", "[follow-up interval]"])
            c.imp.append(f"Recommend follow-up chest radiograph in {ph}.")
            what = "follow-up interval"
        else:
            ph = rng.choice(["[***]", "<<name>>", "[ ]", "***", "[referring clinician]"])
            c.imp.append(f"Findings discussed with {ph} at {hm(rng)}.")
            what = "call-back recipient"
        return render_case(c, lay), f"composed {c.ctx}; impression line with unfilled {what} '{ph}'"
    raise RuntimeError


# ----------------------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def load_iu(path: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {a.get("Label"): re.sub(r"\s+", " ", (a.text or "")).strip() for a in root.iter("AbstractText")}
            rows.append({"uid": uid_el.get("id"), "indication": d.get("INDICATION", ""),
                         "comparison": d.get("COMPARISON", ""), "findings": d.get("FINDINGS", ""),
                         "impression": d.get("IMPRESSION", "")})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


def dev_uids() -> set[str]:
    out = set()
    with open(dev_set()) as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def _impr_normal(imp: str) -> bool:
    pos, _ = polarity(imp)
    return bool(NORMAL_IMPRESSION.search(imp)) and not (pos & SIGNIFICANT)


def consistent(r: dict) -> bool:
    """A conservative self-check used to keep IU clean reports clean."""
    f, i = r["findings"], r["impression"]
    pf, nf = polarity(f)
    pi, ni = polarity(i)
    if (pf & ni) or (nf & pi):
        return False
    si, sf = sides(i), sides(f)
    if not si <= sf:
        return False
    if re.search(r"\bbilateral", i, re.I) and not re.search(r"\bbilateral|both", f, re.I) and si:
        return False
    if _impr_normal(i):
        return not (pf & (SIGNIFICANT | {"atelectasis"}))
    # abnormal impression: every significant finding affirmed in findings is also in the impression
    return (pf & SIGNIFICANT) <= pi and bool(pi)


def young_like(r: dict) -> bool:
    text = " ".join([r["indication"], r["findings"], r["impression"], r["comparison"]])
    if OLD_OR_DEVICE.search(text):
        return False
    m = re.search(r"\b(\d{2})[- ]year", r["indication"])
    return not (m and int(m.group(1)) > 40)


def base_ok(r: dict) -> bool:
    if not r["findings"] or not r["impression"]:
        return False
    text = r["findings"] + " " + r["impression"]
    if re.search(r"\[|\]|\*\*\*|<<|>>|___|\{|\}", text):
        return False
    return 40 <= len(r["findings"]) <= 700 and len(r["impression"]) <= 350


REWORD = [
    (r"\bThere is no\b", "No"),
    (r"\bThere are no\b", "No"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bwithin normal limits\b", "normal"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bbony structures\b", "osseous structures"),
    (r"\bchest x-XXXX\b", "chest radiograph"),
]


def reword(text: str, rng: random.Random, changes: list[str]) -> str:
    for pat, rep in REWORD:
        if rng.random() < 0.6 and re.search(pat, text):
            text = re.sub(pat, rep, text)
            changes.append(f"'{pat.strip(chr(92) + 'b')}'->'{rep}'")
    return text


def iu_impression_items(imp: str) -> list[str]:
    items = []
    for s in sentences(imp):
        s = re.sub(r"^\d+\.\s*", "", s).strip()
        if s and s not in {".", ".."}:
            items.append(s)
    return items


def iu_render(r: dict, rng: random.Random, findings: str | None = None, impression: str | None = None,
              f_mode: str = "normal", i_mode: str = "normal", changes: list[str] | None = None,
              do_reword: bool = True) -> tuple[str, str]:
    changes = changes if changes is not None else []
    lay = Layout(rng, allow_structured=False)
    f = r["findings"] if findings is None else findings
    i = r["impression"] if impression is None else impression
    if do_reword:
        f = reword(f, rng, changes)
        i = reword(i, rng, changes)
    fs = sentences(f)
    items = iu_impression_items(i)
    ind = r["indication"] or "Not provided."
    if lay.referrer:
        ind = ind.rstrip(".") + "." if ind else ind
    comp = r["comparison"] or "None."
    text = lay.render(ind, comp, fs, items, None, f_mode, i_mode)
    return text, f"re-laid out ({lay.desc}); reworded: {', '.join(changes) or 'none'}"


def iu_pools(rows: tuple[dict, ...], dev: set[str]) -> dict[str, list[dict]]:
    pools: dict[str, list[dict]] = {"clean": [], "omit": [], "lat": [], "negaff": []}
    for r in rows:
        if r["uid"] in dev or not base_ok(r) or re.search(r"\bKUB\b|abdomen|bowel", r["findings"] + r["impression"]):
            continue
        ok_young = young_like(r)
        cons = consistent(r)
        if cons and ok_young:
            pools["clean"].append(r)
        sig = iu_sig_groups(r) if cons else []
        if sig:
            r2 = dict(r, sig=sig)
            pools["omit"].append(r2)
            pools["negaff"].append(r2)
        lat = iu_lat_candidate(r)
        if lat:
            pools["lat"].append(dict(r, lat=lat))
    return pools


HEDGE = re.compile(
    r"\b(stable|unchanged|chronic|small|tiny|trace|minimal|minimally|mild|mildly|possible|possibly|probable|probably|"
    r"may|could|versus|vs|question|questionable|cannot|atelecta\w*|scar\w*|old|prior|previous|previously|again|"
    r"persistent|resolv\w*|improv\w*|decreas\w*|clearing|no|not|without|likely|suspect\w*|suggest\w*|subtle|"
    r"borderline|or|nonconsolidating|residual|healed|vague|streaky)\b",
    re.I,
)
SIG_RX = {"pneumothorax": re.compile(r"pneumothora", re.I),
          "effusion": re.compile(r"(moderate|large)[^.]*effusion", re.I),
          "airspace": re.compile(r"consolidat|airspace|air space|pneumonia|infiltrat", re.I),
          "edema": re.compile(r"edema|vascular congestion", re.I)}
IMP_HEDGE = re.compile(r"\b(may|versus|vs|atelecta\w*|resolving|possibl\w*|probabl\w*|question\w*|could|or|"
                       r"cannot|scar\w*|chronic|stable|unchanged|residual|improv\w*|clearing)\b", re.I)
MINOR_FINDING = re.compile(r"granulom|atelecta|degenerat|tortuous|calcif|scar|fracture|spondyl|deformity|"
                           r"low lung volumes|hyperinflat|hyperexpan|emphysema|scoliosis|nodul|elevat", re.I)


def iu_sig_groups(r: dict) -> list[str]:
    """Significant findings the FINDINGS affirm plainly (no hedge) and the original IMPRESSION also states."""
    pi, _ = polarity(r["impression"])
    out = set()
    for s in sentences(r["findings"]):
        for g, rx in SIG_RX.items():
            if rx.search(s) and not HEDGE.search(s) and g in pi:
                imp_s = [t for t in iu_impression_items(r["impression"]) if GROUP_RE[g].search(t)]
                if imp_s and not any(IMP_HEDGE.search(t) for t in imp_s):
                    out.add(g)
    return sorted(out)


def iu_other_items(r: dict) -> list[str]:
    """What an impression that leaves the significant finding out could list instead."""
    sig = r["sig"]
    syn = {"pneumothorax": r"pneumothora|hemothorax", "effusion": r"effusion|fluid|blunt",
           "airspace": r"opacit|consolidat|airspace|air space|pneumonia|infiltrat|density",
           "edema": r"edema|congestion|interstitial|vascular"}
    rx_syn = re.compile("|".join(syn[g] for g in sig), re.I)
    skip = re.compile(r"(recommend|follow|please|correlat|clinical|based on|these|this|it|consider)\b", re.I)
    items = [s for s in iu_impression_items(r["impression"]) if not _mentions(s, sig) and not rx_syn.search(s)
             and not skip.match(s) and not NEG_CUE.search(s[:12])]
    if items:
        return items
    items = [s for s in sentences(r["findings"]) if MINOR_FINDING.search(s) and not rx_syn.search(s)
             and not NEG_CUE.search(s) and not _mentions(s, sig) and not skip.match(s)]
    return items[:2]


def iu_lat_candidate(r: dict) -> list[tuple[str, int]]:
    """Sentences that may be flipped: (section, sentence index)."""
    f, i = r["findings"], r["impression"]
    if not consistent(r):
        return []
    if re.search(r"bilateral|both|tube|catheter|picc|port|pacemaker|line\b|clip|bilaterally", f + " " + i, re.I):
        return []
    fs, iss = sentences(f), iu_impression_items(i)
    out = []
    for sec, own, other in (("findings", fs, iss), ("impression", iss, fs)):
        own_side = [k for k, s in enumerate(own) if SIDE_RE.search(s)]
        if len(own_side) != 1:
            continue
        k = own_side[0]
        s = own[k]
        s_sides = sides(s)
        if len(s_sides) != 1:
            continue
        side = next(iter(s_sides))
        opp = "left" if side == "right" else "right"
        other_text = " ".join(other)
        if side not in sides(other_text) or opp in sides(other_text):
            continue
        groups = {g for g, rx in GROUP_RE.items() if rx.search(s)}
        ogroups = set()
        for o in other:
            if side in sides(o):
                ogroups |= {g for g, rx in GROUP_RE.items() if rx.search(o)}
        if not groups or not (groups & ogroups or {"airspace", "atelectasis"} & groups and {"airspace",
                                                                                            "atelectasis"} & ogroups):
            continue
        if re.search(r"middle lobe|lingula", s, re.I):
            continue
        out.append((sec, k))
    return out


def negation_target(r: dict) -> list[str]:
    f = r["findings"]
    out = []
    for sent in sentences(f):
        hedged = re.search(r"\b(large|significant|definite|sizable|moderate|appreciable|XXXX)\b", sent, re.I)
        if re.search(r"\bno\b[^.]*effusion|without[^.]*effusion", sent, re.I) and not hedged:
            out.append("effusion")
        if re.search(r"\bno\b[^.]*pneumothora|without[^.]*pneumothora", sent, re.I) and not hedged:
            out.append("pneumothorax")
        if re.search(r"\bno\b[^.]*(consolidation|airspace|infiltrate|pneumonia)", sent, re.I) or LUNGS_CLEAR.search(
                sent):
            out.append("airspace")
    if HEART_NORMAL.search(f):
        out.append("cardiomegaly")
    pf, _ = polarity(f)
    return sorted(set(out) - pf)


# ----------------------------------------------------------------------------------------------------------
# assembling the set
# ----------------------------------------------------------------------------------------------------------


def _iu_cases(rng: random.Random, pools: dict[str, list[dict]], used: set[str]) -> dict[str, list[tuple[str, str]]]:
    def take(pool: str, pred=None) -> dict:
        for r in pools[pool]:
            if r["uid"] not in used and (pred is None or pred(r)):
                used.add(r["uid"])
                return r
        raise RuntimeError(f"IU pool {pool} exhausted")

    out: dict[str, list[tuple[str, str]]] = {k: [] for k in ["clean", *KINDS]}
    # the constrained kinds first
    # impression_omits_finding: half normal statement, half listing the other impression items
    for n in range(N_PER_KIND // 2):
        want_other = n % 2 == 1

        r = take("omit", (lambda r: bool(iu_other_items(r))) if want_other else None)
        fsig = [s for s in sentences(r["findings"]) if _mentions(s, r["sig"])]
        if want_other:
            new_imp = " ".join(iu_other_items(r))
            how = f"IMPRESSION reduced to the other items '{new_imp}'"
        else:
            new_imp = rng.choice(NORMAL_IMP)
            how = f"IMPRESSION '{r['impression']}' replaced by '{new_imp}'"
        text, lay = iu_render(r, rng, impression=new_imp, do_reword=False)
        out["impression_omits_finding"].append((text, f"IU {r['uid']}: FINDINGS affirm '{fsig[0]}'; {how}; {lay}"))
    # laterality
    for _ in range(N_PER_KIND // 2):
        r = take("lat")
        sec, k = rng.choice(r["lat"])
        if sec == "findings":
            fs = sentences(r["findings"])
            old, fs[k] = fs[k], flip_side(fs[k])
            text, lay = iu_render(r, rng, findings=" ".join(fs), do_reword=False)
            new = fs[k]
        else:
            items = iu_impression_items(r["impression"])
            old, items[k] = items[k], flip_side(items[k])
            text, lay = iu_render(r, rng, impression=" ".join(items), do_reword=False)
            new = items[k]
        out["laterality_conflict"].append((text, f"IU {r['uid']}: {sec.upper()} sentence flipped '{old}' -> "
                                                 f"'{new}'; {lay}"))
    # negation: mostly impression asserting a finding that the findings negate
    for n in range(N_PER_KIND // 2):
        if n % 4 == 3:
            r = take("negaff")
            g = r["sig"][0]
            new_imp = {"pneumothorax": "No pneumothorax.", "effusion": "No pleural effusion.",
                       "airspace": "No focal consolidation or pneumonia.", "edema": "No pulmonary edema."}[g]
            fsig = [s for s in sentences(r["findings"]) if _mentions(s, [g])]
            text, lay = iu_render(r, rng, impression=new_imp, do_reword=False)
            out["negation_conflict"].append((text, f"IU {r['uid']}: FINDINGS affirm '{fsig[0]}'; IMPRESSION "
                                                   f"replaced by '{new_imp}'; {lay}"))
            continue
        r = take("clean", lambda r: bool(negation_target(r)) and _impr_normal(r["impression"]))
        g = rng.choice(negation_target(r))
        a = assertion(rng, g)
        text, lay = iu_render(r, rng, impression=a, do_reword=False)
        out["negation_conflict"].append((text, f"IU {r['uid']}: IMPRESSION '{r['impression']}' replaced by '{a}', "
                                               f"which FINDINGS negate ({g}); {lay}"))
    # missing section
    for n in range(N_PER_KIND // 2):
        if n % 5 in (3, 4):
            r = take("clean", lambda r: _impr_normal(r["impression"]) and len(r["impression"]) <= 70
                     and len(iu_impression_items(r["impression"])) == 1)
            mode = rng.choice(["empty", "removed"])
            text, lay = iu_render(r, rng, f_mode=mode)
            out["missing_section"].append((text, f"IU {r['uid']}: FINDINGS {mode}; {lay}"))
        else:
            r = take("clean")
            mode = rng.choice(["empty", "signonly", "removed"])
            text, lay = iu_render(r, rng, i_mode=mode)
            out["missing_section"].append((text, f"IU {r['uid']}: IMPRESSION {mode}; {lay}"))
    # placeholder
    for _ in range(N_PER_KIND // 2):
        r = take("clean", lambda r: bool(re.search(r"\b(normal|clear|unremarkable|intact)\b", r["findings"])))
        f = r["findings"]
        cands = []
        for m in re.finditer(r"\b\d+(\.\d+)? ?(cm|mm)\b", f):
            cands.append((m, rng.choice(PLACEHOLDERS_SIZE) + " " + m.group(2), "size"))
        for m in SIDE_RE.finditer(f):
            cands.append((m, rng.choice(PLACEHOLDERS_SIDE), "side"))
        for m in re.finditer(r"\b(normal|clear|unremarkable|intact|effusion|pneumothorax|consolidation)\b", f):
            cands.append((m, word_placeholder(rng, m.group(0)), "word"))
        imp = r["impression"]
        icands = list(re.finditer(r"\b(acute|cardiopulmonary|normal|disease|process|abnormality)\b", imp))
        if icands and rng.random() < 0.3:
            m = rng.choice(icands)
            ph = word_placeholder(rng, m.group(0))
            newi = imp[: m.start()] + ph + imp[m.end():]
            text, lay = iu_render(r, rng, impression=newi, do_reword=False)
            out["placeholder"].append((text, f"IU {r['uid']}: IMPRESSION word '{m.group(0)}' replaced by template "
                                             f"field '{ph}'; {lay}"))
            continue
        m, ph, what = rng.choice(cands)
        newf = f[: m.start()] + ph + f[m.end():]
        text, lay = iu_render(r, rng, findings=newf, do_reword=False)
        out["placeholder"].append((text, f"IU {r['uid']}: FINDINGS {what} '{m.group(0)}' replaced by template "
                                         f"field '{ph}'; {lay}"))
    # clean: about a quarter with an abnormal (but consistent) impression
    for n in range(N_CLEAN // 2):
        r = take("clean", (lambda r: not _impr_normal(r["impression"])) if n % 4 == 0 else None)
        text, lay = iu_render(r, rng)
        out["clean"].append((text, f"IU {r['uid']}: unmodified content; {lay}"))
    return out


def _mentions(sentence: str, groups: list[str]) -> bool:
    return any(GROUP_RE[g].search(sentence) for g in groups)


def build(seed: int) -> list[dict]:
    rng = random.Random(135_000_017 + seed * 7919)
    rows_iu = load_iu(str(iu_archive()))
    pools = iu_pools(rows_iu, dev_uids())
    for k in pools:
        rng.shuffle(pools[k])
    used: set[str] = set()
    iu = _iu_cases(rng, pools, used)
    comp: dict[str, list[tuple[str, str]]] = {"clean": [], **{k: [] for k in KINDS}}
    for _ in range(N_CLEAN // 2):
        comp["clean"].append(composed_clean(rng))
    for n in range(N_PER_KIND // 2):
        comp["missing_section"].append(composed_missing(rng))
        comp["laterality_conflict"].append(composed_laterality(rng))
        comp["negation_conflict"].append(composed_negation(rng))
        comp["impression_omits_finding"].append(composed_omits(rng, other=n % 2 == 1))
        comp["placeholder"].append(composed_placeholder(rng))
    cases = []
    for kind in ["clean", *KINDS]:
        for text, detail in comp[kind] + iu[kind]:
            cases.append({"injected": None if kind == "clean" else kind, "detail": detail, "report": text})
    rng.shuffle(cases)
    return [{"id": f"h135-{seed}-{k}", **c} for k, c in enumerate(cases)]


def main(argv: list[str] | None = None) -> int:
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
        for kind in [None, *KINDS]:
            ex = [r for r in rows if r["injected"] == kind]
            comp = [r for r in ex if not r["detail"].startswith("IU ")][: (a.show + 1) // 2]
            iu = [r for r in ex if r["detail"].startswith("IU ")][: a.show - len(comp)]
            for r in comp + iu:
                print(f"===== {r['id']} injected={kind}\n--- {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
