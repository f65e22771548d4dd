"""Held-out report-check set 93, written blind.

Setting: Pakistani teaching and private hospitals (Karachi, Lahore, Islamabad, Peshawar), chest X-ray
reports dictated in English for OPD, emergency, medical wards, the TB programme, and pre-employment /
visa (GAMCA) medicals. Their headers (exam line, patient line, clinical history, comparison, technique,
findings, impression / opinion / conclusion, sign-off with FCPS / PGR lines), their spellings (oedema,
visualised, haemoptysis), abbreviations (Rt / Lt, CP angles, CTR, ATT, K/C/O, c/o) and phrasing
("both lung fields are clear", "no active chest disease", "? Koch's", "advise sputum for AFB").

Written without looking at any checker. 400 cases: 200 clean and 40 of each kind (missing_section,
laterality_conflict, negation_conflict, impression_omits_finding, placeholder). In every group half are
composed from this file's phrase bank and half are real IU (Open-i) reports, never one whose uid is in
the dev set, re-laid-out and lightly re-worded in the setting's style.

    python -m bench.make_heldout93 OUT.jsonl --seed S [--show N]
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_PER_KIND = 40
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def _archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def _dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


@functools.lru_cache(maxsize=2)
def dev_uids(path: str | None = None) -> frozenset:
    p = Path(path) if path else _dev_path()
    out = set()
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return frozenset(out)


@functools.lru_cache(maxsize=2)
def load_iu(path: str | None = None) -> tuple:
    """All IU reports with both FINDINGS and IMPRESSION, sorted by uid number."""
    p = Path(path) if path else _archive()
    rows = []
    with tarfile.open(p) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[(a.get("Label") or "").lower()] = " ".join((a.text or "").split())
            tags = tuple(sorted((e.text or "").strip() for e in root.iter("major") if e.text))
            rows.append(
                {
                    "uid": uid_el.get("id"),
                    "indication": sec.get("indication", ""),
                    "comparison": sec.get("comparison", ""),
                    "findings": sec.get("findings", ""),
                    "impression": sec.get("impression", ""),
                    "tags": tags,
                }
            )
    rows = [r for r in rows if r["findings"] and r["impression"]]
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


# --------------------------------------------------------------------------------------------
# setting furniture
# --------------------------------------------------------------------------------------------

CONTEXTS = ["opd"] * 7 + ["er"] * 3 + ["ward"] * 3 + ["tb"] * 3 + ["visa"] * 4

EXAM = {
    "opd": ["X-RAY CHEST PA VIEW", "X-Ray Chest P/A View", "CXR PA VIEW (ERECT)", "Radiograph Chest PA view"],
    "er": [
        "X-RAY CHEST AP VIEW (EMERGENCY)",
        "X-RAY CHEST PA VIEW - ER",
        "CXR AP SUPINE (PORTABLE) - EMERGENCY",
        "X-Ray Chest PA View (Emergency Dept.)",
    ],
    "ward": ["X-RAY CHEST AP VIEW (PORTABLE) - MEDICAL WARD", "X-RAY CHEST PA VIEW", "CXR AP VIEW (BEDSIDE)"],
    "tb": ["X-RAY CHEST PA VIEW (TB DOTS CLINIC)", "X-RAY CHEST PA VIEW", "CXR PA VIEW - CHEST OPD / TB PROGRAMME"],
    "visa": [
        "X-RAY CHEST PA VIEW (PRE-EMPLOYMENT MEDICAL)",
        "X-RAY CHEST PA VIEW (VISA / GAMCA MEDICAL)",
        "X-Ray Chest PA View - Medical Fitness",
        "CHEST RADIOGRAPH PA VIEW (IMMIGRATION MEDICAL)",
    ],
}

HISTORY = {
    "opd": [
        "Cough for 3 weeks.",
        "C/o productive cough and low grade fever x 2 weeks.",
        "Chest pain, left sided. K/C/O HTN.",
        "SOB on exertion. K/C/O DM and HTN.",
        "Known asthmatic, c/o wheeze.",
        "Dry cough and fever for 10 days.",
        "Routine check-up.",
        "Smoker, chronic cough.",
    ],
    "er": [
        "RTA, blunt chest trauma.",
        "Fever and SOB - ? pneumonia.",
        "Sudden onset chest pain and SOB.",
        "Fall from height, chest pain.",
        "Acute abdomen, ? perforation.",
        "High grade fever with rigors.",
    ],
    "ward": [
        "CKD on haemodialysis, SOB.",
        "CLD, ? pleural effusion.",
        "Admitted with fever and cough, on IV antibiotics.",
        "Post-op day 2, low grade fever.",
        "Known case of IHD, orthopnoea.",
        "Dengue fever, ? effusion.",
    ],
    "tb": [
        "? Koch's. Sputum for AFB sent.",
        "Household contact of sputum positive TB patient.",
        "Haemoptysis and weight loss for 2 months.",
        "On ATT for 2 months, follow-up film.",
        "Evening fever, night sweats and cough x 1 month.",
        "Completed ATT 6 months, end-of-treatment film.",
    ],
    "visa": [
        "Pre-employment medical.",
        "Medical fitness for overseas employment (GAMCA).",
        "Visa medical, asymptomatic.",
        "Routine medical for job, no complaints.",
        "Student visa medical examination.",
    ],
}

COMPARISON_NONE = ["None.", "No previous film available.", "Nil.", "No prior films for comparison.", "None available."]
COMPARISON_PRIOR = ["Previous film dated {d} reviewed.", "Compared with CXR of {d}.",
                    "Old film of {d} available for comparison."]

TECHNIQUE = {
    "opd": ["PA erect view.", "Single PA view, adequate inspiration.", "PA view. Adequately penetrated film."],
    "er": ["AP view.", "AP supine portable film; patient unable to stand.", "PA erect view."],
    "ward": ["AP portable view.", "AP sitting view, bedside.", "PA view."],
    "tb": ["PA erect view.", "PA view, good inspiratory effort."],
    "visa": ["PA erect view.", "PA view. Film is well centred and adequately exposed."],
}

FIND_HDR = ["FINDINGS:", "Findings:", "REPORT:", "Observations:", "FINDINGS"]
IMP_HDR = ["IMPRESSION:", "Impression:", "OPINION:", "CONCLUSION:", "Conclusion:", "Opinion:"]

MALE = ["Muhammad", "Ahmed", "Ali", "Imran", "Bilal", "Usman", "Zahid", "Tariq", "Asif", "Kashif", "Naveed",
        "Shahid", "Farhan", "Hamza", "Waqas", "Sajid", "Khalid", "Gul Khan"]
FEMALE = ["Ayesha", "Fatima", "Saima", "Nadia", "Rabia", "Sadia", "Hina", "Amna", "Zainab", "Shazia", "Naila",
          "Samina", "Nusrat", "Rukhsana"]
FIRST = MALE + FEMALE
LAST = ["Khan", "Ahmed", "Qureshi", "Butt", "Malik", "Sheikh", "Chaudhry", "Siddiqui", "Afridi", "Yousafzai",
        "Rehman", "Hussain", "Abbasi", "Mirza", "Javed", "Iqbal", "Raza", "Shah", "Memon", "Baloch", "Awan",
        "Gondal", "Bhatti", "Kazmi", "Haider"]
RADS = ["Dr. Ayesha Siddiqui", "Dr. Faisal Mahmood", "Dr. Saima Batool", "Dr. Usman Ghani", "Dr. Rabia Anwar",
        "Dr. Kamran Haider", "Dr. Nadia Shaheen", "Dr. Zubair Ahmed Khan", "Dr. Hina Javed", "Dr. Tahir Mehmood",
        "Dr. Sadia Rehman", "Dr. Bilal Afridi", "Dr. Asma Memon", "Dr. Shahzad Gondal", "Dr. Mehwish Kazmi"]
QUALS = ["MBBS, FCPS (Radiology)", "MBBS, FCPS (Diagnostic Radiology)", "MBBS, FCPS, FRCR",
         "MBBS, MCPS, DMRD", "MBBS, FCPS"]
TITLES = ["Consultant Radiologist", "Assistant Professor, Department of Radiology",
          "Associate Professor Radiology", "Consultant Radiologist / Head of Department"]
WARDS = ["Medicine", "Pulmonology", "Chest OPD", "Emergency", "Surgery", "Family Medicine", "Cardiology"]
CITY_HOSP = ["Department of Radiology", "Radiology Department", "DEPARTMENT OF RADIOLOGY & IMAGING",
             "Diagnostic Imaging Department"]


def _date(rng: random.Random, years=(2024, 2025)) -> str:
    return f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.choice(years)}"


def _patient_block(rng: random.Random, ctx: str, sex: str | None = None) -> list:
    if rng.random() < 0.3:
        return []
    if sex == "?":
        return [rng.choice(CITY_HOSP)] if rng.random() < 0.5 else []
    sex = sex or rng.choice(["M", "F"])
    first = rng.choice(MALE if sex == "M" else FEMALE)
    name = f"{'Mr.' if sex == 'M' else rng.choice(['Mrs.', 'Ms.'])} {first} {rng.choice(LAST)}"
    age = rng.randint(20, 45) if ctx == "visa" else rng.randint(16, 80)
    lines = [rng.choice(CITY_HOSP)] if rng.random() < 0.4 else []
    style = rng.randrange(3)
    if style == 0:
        lines.append(f"Name: {name}    Age/Sex: {age}Y/{sex}    MR No: {rng.randint(100000, 999999)}")
    elif style == 1:
        lines.append(f"Patient: {name}, {age} years, {'male' if sex == 'M' else 'female'}")
        lines.append(f"Ref. by: Dr. {rng.choice(FIRST)} {rng.choice(LAST)} ({rng.choice(WARDS)})")
    else:
        lines.append(f"{name} | {age}/{sex} | Reg# {rng.randint(10, 99)}-{rng.randint(1000, 9999)}")
    if rng.random() < 0.5:
        lines.append(f"Date: {_date(rng)}")
    return lines


def _signoff(rng: random.Random) -> list:
    r = rng.random()
    rad = rng.choice(RADS)
    if r < 0.35:
        out = [rad, rng.choice(QUALS), rng.choice(TITLES)]
    elif r < 0.6:
        pgr = f"Dr. {rng.choice(FIRST)} {rng.choice(LAST)}"
        out = [f"Reported by: {pgr} (PGR Radiology)", f"Verified by: {rad}, {rng.choice(QUALS)}"]
    elif r < 0.8:
        out = [f"Electronically signed by {rad}, {rng.choice(TITLES)}"]
    else:
        out = [f"{rad} ({rng.choice(QUALS)})"]
    if rng.random() < 0.3:
        out.append(rng.choice([
            "Note: This report is not valid for medico-legal purposes.",
            "Kindly correlate clinically.",
            "Note: Radiological findings should be correlated with clinical findings.",
        ]))
    return out


# --------------------------------------------------------------------------------------------
# phrase bank
# --------------------------------------------------------------------------------------------

REGIONS = ["lungs", "hila", "heart", "medi", "cp", "diaph", "ptx", "bones", "soft"]

NORMAL = {
    "lungs": ["Both lung fields are clear.", "Both lungs are clear. No focal consolidation or mass lesion is seen.",
              "Lung parenchyma appears clear bilaterally.", "No active parenchymal lesion is seen in either lung.",
              "Bilateral lung fields are clear."],
    "hila": ["Both hila are normal.", "Bilateral hila are normal in size and density.",
             "Hilar shadows are unremarkable.", "Pulmonary vascularity is normal."],
    "heart": ["Heart size is normal.", "Cardiac size is within normal limits (CTR less than 0.5).",
              "Cardiac silhouette is normal in size and configuration.", "Heart is normal in size and shape."],
    "medi": ["Trachea is central. Mediastinum is not widened.", "Trachea is central.",
             "Mediastinal contours are normal.", "Trachea and mediastinum are central."],
    "cp": ["Both costophrenic angles are clear.", "Both CP angles are clear.", "Bilateral CP angles are sharp.",
           "Costophrenic angles are clear bilaterally."],
    "diaph": ["Both domes of diaphragm are normal in position and outline.",
              "Both hemidiaphragms are normal in contour.", "Diaphragmatic domes are smooth and normally placed."],
    "ptx": ["No pneumothorax is seen.", "No pneumothorax."],
    "bones": ["Visualised bony thorax is unremarkable.", "Bony cage is intact.", "No bony abnormality is seen.",
              "Visualised ribs, clavicles and spine are normal."],
    "soft": ["Soft tissues of the chest wall are normal.", "Soft tissue shadows are unremarkable."],
}

# explicit negating lines, used where a case needs the findings to deny a region's abnormality
NEG_LINE = {
    "lungs": ["Both lung fields are clear.", "Bilateral lung fields are clear. No consolidation is seen."],
    "hila": ["Pulmonary vascularity is normal. No congestion is seen."],
    "heart": ["Heart size is normal.", "Cardiac size is within normal limits (CTR less than 0.5)."],
    "medi": ["Trachea is central. Mediastinum is not widened."],
    "cp": ["Both costophrenic angles are clear.", "Both CP angles are clear. No pleural effusion."],
    "diaph": ["Both domes of diaphragm are normal. No free gas under the diaphragm."],
    "ptx": ["No pneumothorax is seen.", "No pneumothorax."],
}

NORMAL_IMP = {
    "opd": ["Normal chest X-ray.", "No active chest disease.", "No significant abnormality detected.",
            "Normal study.", "Chest X-ray within normal limits."],
    "er": ["No acute cardiopulmonary abnormality.", "No active chest disease.", "Normal chest radiograph."],
    "ward": ["No active chest disease.", "No significant abnormality seen.", "Normal chest X-ray."],
    "tb": ["No radiological evidence of active pulmonary Koch's.", "Normal chest X-ray. No active lesion seen.",
           "No active chest disease."],
    "visa": ["Normal chest X-ray.", "Chest X-ray is normal. No radiological evidence of pulmonary tuberculosis.",
             "No active chest disease. Normal study.", "Normal chest radiograph."],
}
# normal impressions that do not spell out any one region; safe beside incidental findings
GENERIC_IMP = ["No active chest disease.", "No acute cardiopulmonary abnormality.", "No significant active disease.",
               "Normal chest X-ray.", "No active pulmonary lesion seen."]


def F(key, reg, f, i, *, side=False, sig=False, omit_ok=False, neg_i=(), w=1, ctx=None, sub=None):
    """sub: normal lines of other regions that must change (None drops the line) beside this finding."""
    return dict(key=key, reg=reg, f=f, i=i, side=side, sig=sig, omit_ok=omit_ok, neg_i=list(neg_i), w=w, ctx=ctx,
                sub=sub or {})


BANK = [
    F("consolidation", "lungs",
      ["Patchy air-space opacification with air bronchograms is seen in the {s} lower zone. Rest of the lung fields "
       "are clear.",
       "Ill-defined inhomogeneous opacity is noted in the {s} lower zone. Remaining lung fields are clear.",
       "Homogeneous consolidation with air bronchogram is seen in the {s} mid and lower zones."],
      ["{S} lower zone consolidation, likely infective. Suggest clinical correlation and follow-up film after "
       "treatment.",
       "{S} lower zone pneumonia.",
       "Consolidation in the {s} lower zone - ? pneumonia. Correlate clinically."],
      side=True, sig=True, neg_i=["Lung fields are clear.", "No consolidation is seen."], w=8,
      ctx={"opd", "er", "ward", "tb"}),
    F("effusion_mod", "cp",
      ["Homogeneous opacity with a concave upper border is seen in the {s} lower zone obliterating the {s} "
       "costophrenic angle, consistent with moderate {s} pleural effusion.",
       "Moderate {s} pleural effusion is seen, obliterating the {s} CP angle and extending up to the mid zone."],
      ["Moderate {s} pleural effusion. Advise ultrasound chest for quantification and marking.",
       "{S} sided moderate pleural effusion."],
      side=True, sig=True, neg_i=["No pleural effusion.", "Both CP angles are clear."], w=4,
      ctx={"opd", "er", "ward", "tb"}, sub={"lungs": "No focal consolidation is seen in either lung."}),
    F("effusion_small", "cp",
      ["Blunting of the {s} costophrenic angle is seen, suggestive of a small {s} pleural effusion.",
       "Mild blunting of the {s} CP angle - minimal {s} pleural effusion."],
      ["Small {s} pleural effusion.", "Minimal {s} pleural effusion."],
      side=True, omit_ok=True, neg_i=["No pleural effusion.", "Both CP angles are clear."], w=4),
    F("cardiomegaly", "heart",
      ["Cardiac silhouette is enlarged (CTR approx. 0.6).", "Heart is enlarged in size with CTR of 0.58."],
      ["Cardiomegaly.", "Cardiomegaly. Advise echocardiography."],
      neg_i=["Heart size is normal.", "Normal cardiac size."], w=6),
    F("cardio_border", "heart",
      ["Heart size is at the upper limit of normal (CTR about 0.52).",
       "Borderline cardiomegaly (CTR about 0.51)."],
      ["Borderline cardiac size.", "Borderline cardiomegaly."], omit_ok=True, w=2),
    F("pneumothorax", "ptx",
      ["A thin visceral pleural line is seen in the {s} apical region with absent lung markings lateral to it, "
       "in keeping with {s} pneumothorax. No mediastinal shift.",
       "{S} sided pneumothorax is seen with the collapsed lung edge at the level of the {s} 4th rib laterally."],
      ["{S} sided pneumothorax. Urgent clinical attention advised.", "{S} pneumothorax."],
      side=True, sig=True, neg_i=["No pneumothorax."], w=2, ctx={"er", "ward"},
      sub={"lungs": "No focal consolidation is seen."}),
    F("tb_active", "lungs",
      ["Patchy consolidation with a thick-walled cavity is seen in the {s} upper zone, along with fibro-nodular "
       "opacities.",
       "Ill-defined fluffy opacities are seen in the {s} upper and mid zones with a small cavity in the {s} upper "
       "zone."],
      ["Findings are suggestive of active pulmonary Koch's ({s} upper zone). Advise sputum for AFB / GeneXpert.",
       "{S} upper zone cavitating consolidation - likely pulmonary tuberculosis."],
      side=True, sig=True, neg_i=["No radiological evidence of active Koch's.", "Lung fields are clear."], w=4,
      ctx={"tb", "opd", "ward"}),
    F("old_tb", "lungs",
      ["Fibrotic strands with a few calcific foci are seen in the {s} upper zone with mild upward retraction of "
       "the {s} hilum.",
       "Fibro-calcific changes are seen in the {s} apical region."],
      ["Fibrotic changes in the {s} upper zone, likely old healed Koch's. Compare with previous films.",
       "{S} apical fibro-calcific changes - old healed TB."],
      side=True, neg_i=["Lung fields are clear."], w=3, ctx={"tb", "opd", "visa"}),
    F("granuloma", "lungs",
      ["A small calcified granuloma is seen in the {s} mid zone. Lung fields are otherwise clear."],
      ["Calcified granuloma in the {s} mid zone, of no clinical significance."], side=True, omit_ok=True, w=3),
    F("bronchitic", "lungs",
      ["Bronchovascular markings are prominent in both lung fields, more so in the lower zones.",
       "Increased bronchovascular markings are seen bilaterally with peribronchial thickening."],
      ["Bronchitic changes.", "Prominent bronchovascular markings - ? bronchitis / reactive airway disease. "
       "Correlate clinically."], w=6),
    F("copd", "diaph",
      ["Both lungs are hyperinflated with flattening of both domes of diaphragm and a narrow tubular heart."],
      ["Hyperinflated lungs - features of COPD / emphysema."], w=2, ctx={"opd", "ward", "er"}),
    F("oedema", "lungs",
      ["Upper lobe venous diversion is seen with bilateral perihilar haziness and Kerley B lines at both bases.",
       "Bilateral perihilar bat-wing opacities are seen, in keeping with pulmonary oedema."],
      ["Pulmonary venous congestion with interstitial oedema - correlate with cardiac / renal status.",
       "Pulmonary oedema."],
      sig=True, neg_i=["No pulmonary congestion or oedema."], w=3, ctx={"ward", "er"}, sub={"hila": None}),
    F("mass", "lungs",
      ["A well-defined rounded soft-tissue opacity measuring approximately 3.2 x 2.8 cm is seen in the {s} mid "
       "zone.",
       "A lobulated mass lesion about 4 cm in size is seen in the {s} hilar region / {s} mid zone."],
      ["{S} mid zone mass lesion. Advise CT chest with contrast for further evaluation.",
       "Mass lesion in the {s} mid zone - neoplastic process to be ruled out on CT."],
      side=True, sig=True, neg_i=["No mass lesion is seen."], w=1, ctx={"opd", "ward"}),
    F("nodule", "lungs",
      ["A {n} mm well-defined nodular opacity is seen in the {s} upper zone. Rest of the lungs are clear."],
      ["{S} upper zone nodule ({n} mm). CT chest advised."],
      side=True, sig=True, neg_i=["No nodule or mass is seen."], w=1, ctx={"opd", "visa"}),
    F("wide_med", "medi",
      ["The superior mediastinum appears widened (approx. 9.5 cm at the level of the aortic knuckle)."],
      ["Widened superior mediastinum. Urgent CT chest / CT angiography advised."],
      sig=True, neg_i=["Mediastinum is not widened."], w=1, ctx={"er"}),
    F("free_air", "diaph",
      ["A crescent of free gas is seen under the {s} dome of the diaphragm.",
       "Free air is seen under the {s} hemidiaphragm."],
      ["Free gas under the {s} dome of diaphragm - pneumoperitoneum. Urgent surgical consultation advised.",
       "Pneumoperitoneum (free air under the {s} hemidiaphragm)."],
      side=True, sig=True, neg_i=["No free gas under the diaphragm."], w=1, ctx={"er"}),
    F("rib_fx", "bones",
      ["A fracture of the {s} {n}th rib is seen laterally.", "Undisplaced fracture of the {s} {n}th rib is noted."],
      ["Fracture of the {s} {n}th rib.", "{S} {n}th rib fracture."], side=True, w=1, ctx={"er"}),
    F("degenerative", "bones",
      ["Degenerative changes with marginal osteophytes are seen in the dorsal spine."],
      ["Degenerative changes in the dorsal spine."], omit_ok=True, w=3),
    F("cervical_rib", "bones",
      ["{S} cervical rib is noted."], ["{S} cervical rib - incidental."], side=True, omit_ok=True, w=1),
    F("aorta", "medi",
      ["The aorta is unfolded with calcification of the aortic knuckle."],
      ["Unfolded atherosclerotic aorta."], omit_ok=True, w=2, ctx={"opd", "ward"}),
    F("hilar", "hila",
      ["The {s} hilum appears bulky and dense.", "{S} hilar prominence is noted."],
      ["Prominent {s} hilum - ? hilar lymphadenopathy. CT chest may be considered.", "Bulky {s} hilum."],
      side=True, neg_i=["Both hila are normal."], w=1, ctx={"opd", "tb"}),
    F("raised_dome", "diaph",
      ["The {s} dome of the diaphragm is raised.", "{S} hemidiaphragm is elevated."],
      ["Raised {s} hemidiaphragm. Correlate with ultrasound abdomen.", "Elevated {s} hemidiaphragm."],
      side=True, w=1),
]
BANK_BY_KEY = {b["key"]: b for b in BANK}


def _sides(style: str) -> dict:
    if style == "abbr":
        return {"right": "Rt", "left": "Lt"}
    return {"right": "right", "left": "left"}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _render(tmpl: str, side: str | None, style: str, n: int | None = None) -> str:
    s = _sides(style)[side] if side else ""
    out = tmpl.replace("{n}th", _ordinal(n) if n else "6th")
    out = out.replace("{n}", str(n) if n else "8")
    return out.replace("{S}", _cap(s)).replace("{s}", s)


def _pick_find(rng: random.Random, ctx: str, pred) -> dict:
    cands = [b for b in BANK if pred(b) and (b["ctx"] is None or ctx in b["ctx"])]
    if not cands:
        cands = [b for b in BANK if pred(b)]
    return rng.choices(cands, weights=[b["w"] for b in cands])[0]


class Inst:
    """One finding placed in a report: its side and size frozen."""

    def __init__(self, rng: random.Random, b: dict, style: str):
        self.b = b
        self.side = rng.choice(["right", "left"]) if b["side"] else None
        self.n = rng.randint(8, 18) if b["key"] == "nodule" else (rng.randint(4, 9) if b["key"] == "rib_fx" else None)
        self.fi = rng.randrange(len(b["f"]))
        self.ii = rng.randrange(len(b["i"]))
        self.style = style

    def f(self, side=None):
        return _render(self.b["f"][self.fi], side or self.side, self.style, self.n)

    def i(self, side=None, idx=None):
        t = self.b["i"][self.ii if idx is None else idx]
        return _render(t, side or self.side, self.style, self.n)


def _flip(side: str) -> str:
    return "left" if side == "right" else "right"


def _format_imp(lines: list, rng: random.Random) -> str:
    if len(lines) == 1:
        return lines[0]
    if rng.random() < 0.6:
        return "\n".join(f"{k}. {t}" for k, t in enumerate(lines, 1))
    return " ".join(lines)


def _assemble(rng, ctx, *, history, comparison, technique, find_lines, imp_text, find_hdr=None, imp_hdr=None,
              drop_imp_hdr=False, patient=None, signoff=None, exam=None, sex=None):
    parts = []
    head = list(patient if patient is not None else _patient_block(rng, ctx, sex))
    head.append(exam or rng.choice(EXAM[ctx]))
    parts.append("\n".join(head))
    hist_lab = rng.choice(["Clinical history:", "CLINICAL HISTORY:", "History:", "Clinical details:", "Indication:"])
    parts.append(f"{hist_lab} {history}".rstrip())
    if comparison is not None:
        parts.append(f"{rng.choice(['Comparison:', 'COMPARISON:', 'Previous:'])} {comparison}".rstrip())
    if technique:
        parts.append(f"{rng.choice(['Technique:', 'TECHNIQUE:', 'View:'])} {technique}")
    fh = find_hdr or rng.choice(FIND_HDR)
    if find_lines is None:
        pass
    elif find_lines == []:
        parts.append(fh)
    else:
        if rng.random() < 0.6:
            parts.append(fh + "\n" + "\n".join(find_lines))
        else:
            parts.append(fh + " " + " ".join(find_lines) if fh.endswith(":") else fh + "\n" + " ".join(find_lines))
    if not drop_imp_hdr:
        ih = imp_hdr or rng.choice(IMP_HDR)
        if imp_text:
            parts.append(ih + ("\n" if "\n" in imp_text or rng.random() < 0.4 else " ") + imp_text)
        else:
            parts.append(ih)
    parts.append("\n".join(signoff if signoff is not None else _signoff(rng)))
    return "\n\n".join(parts)


def _normal_lines(rng: random.Random, ctx: str) -> dict:
    lines = {}
    for reg in REGIONS:
        if reg == "ptx" and not (ctx in ("er", "ward") and rng.random() < 0.6):
            continue
        if reg == "soft" and rng.random() < 0.6:
            continue
        if reg == "hila" and rng.random() < 0.3:
            continue
        if reg == "diaph" and rng.random() < 0.2:
            continue
        lines[reg] = rng.choice(NORMAL[reg])
    return lines


def _place(lines: dict, reg: str, text: str) -> None:
    if reg in lines or reg not in REGIONS:
        lines[reg] = text
        return
    # insert keeping region order
    order = {r: k for k, r in enumerate(REGIONS)}
    items = list(lines.items()) + [(reg, text)]
    items.sort(key=lambda kv: order[kv[0]])
    lines.clear()
    lines.update(items)


def _compose_base(rng: random.Random, ctx: str, n_abn: int, main_pred=None, extra_pred=None):
    """Return (ctx, lines dict, list of Inst) for an own-bank report."""
    style = "abbr" if rng.random() < 0.3 else "full"
    lines = _normal_lines(rng, ctx)
    insts = []
    if n_abn >= 1:
        b = _pick_find(rng, ctx, main_pred or (lambda b: True))
        insts.append(Inst(rng, b, style))
    if n_abn >= 2:
        used = {i.b["reg"] for i in insts}
        b2 = _pick_find(rng, ctx, lambda b: b["reg"] not in used and (extra_pred or (lambda x: True))(b))
        insts.append(Inst(rng, b2, style))
    for inst in insts:
        for reg, txt in inst.b["sub"].items():
            if txt is None:
                lines.pop(reg, None)
            elif reg in lines:
                lines[reg] = txt
    for inst in insts:
        _place(lines, inst.b["reg"], inst.f())
    return style, lines, insts


def _history(rng, ctx, inst=None):
    h = rng.choice(HISTORY[ctx])
    return h


def _comparison(rng):
    r = rng.random()
    if r < 0.2:
        return None
    if r < 0.85:
        return rng.choice(COMPARISON_NONE)
    return rng.choice(COMPARISON_PRIOR).format(d=_date(rng, (2022, 2023)))


def _technique(rng, ctx):
    return rng.choice(TECHNIQUE[ctx]) if rng.random() < 0.5 else None


INCIDENTAL = {"granuloma", "degenerative", "cervical_rib", "aorta"}


def _clean_imp(rng, ctx, insts, allow_omit=True):
    must = [i for i in insts if not (i.b["key"] in INCIDENTAL and allow_omit and rng.random() < 0.5)]
    if not insts:
        return rng.choice(NORMAL_IMP[ctx])
    if not must:
        return rng.choice(["No active chest disease.", "No acute cardiopulmonary abnormality.",
                           "No active pulmonary lesion seen.", "No significant active disease."])
    return _format_imp([i.i() for i in must], rng)


def own_clean(rng: random.Random) -> tuple:
    ctx = rng.choice(CONTEXTS)
    n_abn = 0 if rng.random() < 0.6 else (1 if rng.random() < 0.8 else 2)
    if ctx == "visa" and n_abn:
        n_abn = 1
    style, lines, insts = _compose_base(rng, ctx, n_abn)
    imp = _clean_imp(rng, ctx, insts)
    text = _assemble(rng, ctx, history=_history(rng, ctx), comparison=_comparison(rng),
                     technique=_technique(rng, ctx), find_lines=list(lines.values()), imp_text=imp)
    return text, ""


def own_missing(rng: random.Random) -> tuple:
    ctx = rng.choice(CONTEXTS)
    n_abn = 0 if rng.random() < 0.45 else 1
    style, lines, insts = _compose_base(rng, ctx, n_abn)
    v = rng.random()
    hist, comp, tech = _history(rng, ctx), _comparison(rng), _technique(rng, ctx)
    if v < 0.45:
        text = _assemble(rng, ctx, history=hist, comparison=comp, technique=tech,
                         find_lines=list(lines.values()), imp_text="")
        det = "impression header left with nothing under it"
    elif v < 0.75:
        text = _assemble(rng, ctx, history=hist, comparison=comp, technique=tech,
                         find_lines=list(lines.values()), imp_text="", drop_imp_hdr=True)
        det = "no impression/conclusion section at all after the findings"
    else:
        imp = rng.choice(["As above.", "Please correlate clinically.", "Kindly correlate clinically and with previous "
                          "films.", "Findings as described.", "Advise follow-up film."])
        text = _assemble(rng, ctx, history=hist, comparison=comp, technique=tech, find_lines=[], imp_text=imp)
        det = f"findings section left empty; impression only says '{imp}'"
    return text, det


def own_laterality(rng: random.Random) -> tuple:
    ctx = rng.choice(CONTEXTS)
    main = (lambda b: b["side"] and not b["omit_ok"]) if rng.random() < 0.85 else (lambda b: b["side"])
    style, lines, insts = _compose_base(rng, ctx, 1 if rng.random() < 0.75 else 2, main_pred=main,
                                        extra_pred=lambda b: not b["side"])
    inst = insts[0]
    where = rng.random()
    imp_lines = [i.i() for i in insts]
    if where < 0.6:
        imp_lines[0] = inst.i(side=_flip(inst.side))
        det = f"impression puts the {inst.b['key']} on the {_flip(inst.side)}; findings say {inst.side}"
    else:
        _place(lines, inst.b["reg"], inst.f(side=_flip(inst.side)))
        det = f"findings put the {inst.b['key']} on the {_flip(inst.side)}; impression says {inst.side}"
    text = _assemble(rng, ctx, history=_history(rng, ctx), comparison=_comparison(rng),
                     technique=_technique(rng, ctx), find_lines=list(lines.values()),
                     imp_text=_format_imp(imp_lines, rng))
    return text, det


def own_negation(rng: random.Random) -> tuple:
    ctx = rng.choice(CONTEXTS)
    if rng.random() < 0.55:
        # impression asserts what the findings explicitly deny
        style = "abbr" if rng.random() < 0.3 else "full"
        lines = _normal_lines(rng, ctx)
        b = _pick_find(rng, ctx, lambda b: b["reg"] in NEG_LINE and bool(b["neg_i"]) and b["key"] != "hilar")
        inst = Inst(rng, b, style)
        _place(lines, b["reg"], rng.choice(NEG_LINE[b["reg"]]))
        imp = inst.i()
        if rng.random() < 0.3:
            imp = _format_imp([imp, "No other significant abnormality."], rng)
        det = f"findings deny it ('{lines[b['reg']]}') but impression reports {b['key']}"
    else:
        style, lines, insts = _compose_base(rng, ctx, 1, main_pred=lambda b: bool(b["neg_i"]))
        inst = insts[0]
        neg = rng.choice(inst.b["neg_i"])
        extra = rng.choice(["No other abnormality seen.", "Rest of the chest is unremarkable.",
                            "No active chest disease otherwise."])
        imp = _format_imp([neg, extra] if rng.random() < 0.6 else [neg], rng)
        det = f"findings report {inst.b['key']} but impression says '{neg}'"
    text = _assemble(rng, ctx, history=_history(rng, ctx), comparison=_comparison(rng),
                     technique=_technique(rng, ctx), find_lines=list(lines.values()), imp_text=imp)
    return text, det


def own_omits(rng: random.Random) -> tuple:
    ctx = rng.choice(CONTEXTS)
    two = rng.random() < 0.4
    style, lines, insts = _compose_base(rng, ctx, 2 if two else 1, main_pred=lambda b: b["sig"],
                                        extra_pred=lambda b: not b["sig"] and b["key"] != "cardiomegaly")
    inst = insts[0]
    if two:
        imp = insts[1].i()
        if rng.random() < 0.5:
            imp = _format_imp([imp, "No other significant abnormality."], rng)
        det = f"findings report {inst.b['key']}; impression mentions only {insts[1].b['key']}"
    else:
        imp = rng.choice(GENERIC_IMP[:3] + ["Normal chest X-ray.", "No significant abnormality detected."])
        det = f"findings report {inst.b['key']}; impression is a normal macro '{imp}'"
    text = _assemble(rng, ctx, history=_history(rng, ctx), comparison=_comparison(rng),
                     technique=_technique(rng, ctx), find_lines=list(lines.values()), imp_text=imp)
    return text, det


SIDE_BLANKS = ["[Rt/Lt]", "[right/left]", "(Rt/Lt)", "[side]", "<side>"]
WORD_BLANKS = ["[ ]", "[   ]", "[***]", "<< >>", "[....]", "*****"]


def own_placeholder(rng: random.Random) -> tuple:
    ctx = rng.choice(CONTEXTS)
    v = rng.randrange(6)
    n_abn = 1 if v in (0, 1) else (0 if rng.random() < 0.6 else 1)
    pred = (lambda b: b["side"] and not b["omit_ok"]) if v == 0 else (
        (lambda b: b["key"] in ("nodule", "cardiomegaly", "mass", "rib_fx")) if v == 1 else None)
    style, lines, insts = _compose_base(rng, ctx, n_abn, main_pred=pred)
    hist, comp, tech = _history(rng, ctx), _comparison(rng), _technique(rng, ctx)
    imp_lines = [i.i() for i in insts] if insts else [rng.choice(NORMAL_IMP[ctx])]
    signoff = None
    if v == 0:
        inst = insts[0]
        blank = rng.choice(SIDE_BLANKS)
        if rng.random() < 0.5:
            txt = inst.f()
            sw = _sides(style)[inst.side]
            txt = re.sub(rf"\b{sw}\b", blank, txt, count=1, flags=re.I)
            _place(lines, inst.b["reg"], txt)
            det = f"side of the {inst.b['key']} in the findings left as template field {blank}"
        else:
            sw = _sides(style)[inst.side]
            imp_lines[0] = re.sub(rf"\b{sw}\b", blank, imp_lines[0], count=1, flags=re.I)
            det = f"side in the impression left as template field {blank}"
    elif v == 1:
        inst = insts[0]
        blank = rng.choice(["[ ]", "xx", "[  ]"])
        txt = inst.f()
        if inst.b["key"] == "cardiomegaly":
            txt = re.sub(r"0\.\d+", blank, txt)
        elif inst.b["key"] == "rib_fx":
            txt = re.sub(r"\d+th", f"{blank}th", txt, count=1)
        elif inst.b["key"] == "mass":
            txt = re.sub(r"\d+(\.\d+)? x \d+(\.\d+)? cm|\d+ cm", f"{blank} x {blank} cm", txt, count=1)
        else:
            txt = re.sub(r"\d+ mm", f"{blank} mm", txt, count=1)
        _place(lines, inst.b["reg"], txt)
        det = f"measurement of the {inst.b['key']} left as template field {blank}"
    elif v == 2:
        blank = rng.choice(["[clinical details]", "[          ]", "..............", "<history>"])
        hist = blank
        det = f"clinical history field left unfilled: {blank}"
    elif v == 3:
        blank = rng.choice(["[date]", "--/--/----", "[dd/mm/yyyy]", "[   ]"])
        comp = f"Previous film dated {blank} reviewed."
        det = f"comparison date left unfilled: {blank}"
    elif v == 4:
        reg = rng.choice([r for r in ("heart", "cp", "lungs") if r in lines and not any(
            i.b["reg"] == r for i in insts)] or ["heart"])
        tpl = {"heart": ["Heart size is [normal/enlarged].", "Cardiac size: [ ]. CTR: [ ]."],
               "cp": ["Both CP angles are [clear/blunted].", "Costophrenic angles: [ ]."],
               "lungs": ["Both lung fields are [clear/ ].", "Lung fields: [***]."]}[reg]
        t = rng.choice(tpl)
        _place(lines, reg, t)
        det = f"findings template line not filled in: '{t}'"
    else:
        rad = rng.choice(RADS)
        blank = rng.choice(["[Name]", "..................", "[Consultant name]", "<radiologist>"])
        signoff = [f"Reported by: Dr. {blank}", f"Verified by: {rad}, {rng.choice(QUALS)}"] if rng.random() < 0.5 \
            else [f"Dr. {blank}", rng.choice(QUALS), rng.choice(TITLES)]
        det = f"radiologist name on the sign-off left as template field {blank}"
    text = _assemble(rng, ctx, history=hist, comparison=comp, technique=tech, find_lines=list(lines.values()),
                     imp_text=_format_imp(imp_lines, rng), signoff=signoff)
    return text, det


# --------------------------------------------------------------------------------------------
# real IU reports
# --------------------------------------------------------------------------------------------

BENIGN_TAGS = {"Calcified Granuloma", "Granulomatous Disease", "Calcinosis", "Thoracic Vertebrae", "Spine",
               "Osteophyte", "Spondylosis", "Scoliosis", "Aorta", "Aorta, Thoracic", "Atherosclerosis", "Kyphosis",
               "Arthritis", "Granuloma", "Cicatrix"}

REWORD = [
    (r"\bchest x-XXXX\b", "chest X-ray"),
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bvisualized\b", "visualised"),
    (r"\bVisualized\b", "Visualised"),
    (r"\bNo acute cardiopulmonary (abnormality|disease|process)\b", "No active cardiopulmonary disease"),
    (r"\bNo acute disease\b", "No active chest disease"),
    (r"\bNo active disease\b", "No active chest disease"),
    (r"\bcostophrenic\b", "CP"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal shadow"),
    (r"\bhemidiaphragm\b", "dome of diaphragm"),
    (r"\bhemorrhage\b", "haemorrhage"),
    (r"\bThe lungs are clear( bilaterally)?", "Both lung fields are clear"),
    (r"\bLungs are clear( bilaterally)?", "Both lung fields are clear"),
]
ALWAYS = {0, 1, 2, 3, 4, 5}


def _tidy(t: str) -> str:
    t = re.sub(r"\s+([.,])", r"\1", t)
    t = re.sub(r"\.{2,}", ".", t)
    t = re.sub(r"\s{2,}", " ", t)
    return t.strip()


def _reword(t: str, rng: random.Random, keep: set) -> str:
    for k, (pat, rep) in enumerate(REWORD):
        if k in ALWAYS or k in keep:
            t = re.sub(pat, rep, t)
    return _tidy(t)


def _sentences(t: str) -> list:
    parts = re.split(r"(?<=[.])\s+(?=[A-Z0-9])", t)
    return [p.strip() for p in parts if p.strip()]


def _split_numbered(t: str) -> list:
    parts = re.split(r"(?:^|\s)\d\.\s+", t)
    parts = [p.strip() for p in parts if p.strip()]
    return parts if len(parts) > 1 else [re.sub(r"^\d\.\s+", "", t)]


def _real_assemble(rng: random.Random, r: dict, findings: str | None, impression: str | None, *,
                   drop_imp_hdr=False, history=None, comparison=None, signoff=None) -> str:
    ctx = rng.choice(["opd", "opd", "er", "ward", "tb", "visa"])
    ind = history if history is not None else (_tidy(r["indication"]) or rng.choice(["Not provided.", "N/A.",
                                                                                      rng.choice(HISTORY[ctx])]))
    comp = comparison if comparison is not None else _tidy(r["comparison"])
    if comp and re.fullmatch(r"(?i)none\.?", comp):
        comp = rng.choice(COMPARISON_NONE)
    if not comp:
        comp = None
    if findings is None:
        flines = None
    elif findings == "":
        flines = []
    elif rng.random() < 0.5:
        flines = _sentences(findings)
    else:
        flines = [findings]
    imp = impression
    if imp:
        items = _split_numbered(imp)
        imp = "\n".join(f"{k}. {x}" for k, x in enumerate(items, 1)) if len(items) > 1 else items[0]
    exam = rng.choice(["X-RAY CHEST PA AND LATERAL VIEWS", "X-Ray Chest PA & Lateral View",
                       "CXR PA / LATERAL", "X-RAY CHEST (2 VIEWS)", "Radiograph chest PA and lateral"])
    low = r["indication"].lower()
    sex = "F" if re.search(r"\b(female|woman|girl)\b", low) else ("M" if re.search(r"\b(male|man|boy)\b", low)
                                                                 else "?")
    return _assemble(rng, ctx, history=ind, comparison=comp, technique=None, find_lines=flines,
                     imp_text=imp or "", drop_imp_hdr=drop_imp_hdr, signoff=signoff, exam=exam, sex=sex)


NEGWORDS = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free|small|smaller|trace|tiny|minimal|"
                      r"possib\w*|may|could|cannot|questionable|versus|vs|exclude\w*|no longer|improv\w*|"
                      r"decreas\w*|old|chronic|healed|prior|previous\w*|stable|unchanged|again|persist\w*|scar\w*|suggest\w*|likely|probabl\w*|"
                      r"question\w*|concern\w*|consider\w*)\b", re.I)
SIG_TERMS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat",
    "pneumonia": r"pneumonia",
    "oedema": r"oedema|edema",
    "pleural effusion": r"effusion",
    "mass": r"\bmass\b",
    "airspace disease": r"airspace (disease|opacit)",
}


def _sig_affirmed(findings: str) -> str | None:
    for sent in _sentences(findings):
        if NEGWORDS.search(sent) or "?" in sent:
            continue
        for name, pat in SIG_TERMS.items():
            if re.search(pat, sent, re.I):
                if name == "pleural effusion" and (re.search(r"blunt|mild|trace|small|tiny", sent, re.I)
                                                   or not re.search(r"moderate|large|massive", sent, re.I)):
                    continue
                return name
    return None


def _side_words(t: str) -> set:
    return {w.lower() for w in re.findall(r"\b(right|left)\b", t, re.I)}


LAT_TERMS = r"effusion|opacit|consolidat|pneumonia|atelecta|nodul|pneumothora|granuloma|infiltrat|airspace|" \
            r"scar|density|mass|hemidiaphragm|dome of diaphragm|fracture"


def _swap_sides(t: str) -> str:
    def rep(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", rep, t)


def _real_pools(seed: int) -> dict:
    dev = dev_uids()
    rows = [r for r in load_iu() if r["uid"] not in dev
            and not re.search(r"\[|\]|_{2,}|\*|<|>", r["findings"] + r["impression"] + r["indication"])
            and len(r["findings"]) > 40]
    pools = {k: [] for k in ["clean", "missing", "lat", "neg_b", "neg_a", "omit", "ph"]}
    for r in rows:
        f, i = r["findings"], r["impression"]
        tags = {t.split("/")[0] for t in r["tags"]}
        if tags == {"normal"} or (tags and tags <= BENIGN_TAGS):
            pools["clean"].append(r)
        pools["missing"].append(r)
        pools["ph"].append(r)
        fs, is_ = _side_words(f), _side_words(i)
        if len(fs | is_) == 1 and fs == is_ and "bilateral" not in (f + i).lower():
            side = next(iter(fs))
            fsent = [s for s in _sentences(f) if side in s.lower()]
            isent = [s for s in _sentences(i) if side in s.lower()]
            if any(re.search(LAT_TERMS, s, re.I) for s in fsent) and any(re.search(LAT_TERMS, s, re.I)
                                                                       for s in isent):
                if not any(re.search(r"\bno\b|\bwithout\b", s, re.I) for s in isent):
                    pools["lat"].append(r)
        if tags == {"normal"} and any(re.search(p, f) and not ("effusion" in p and "large" in f.lower())
                                      for p, _ in ASSERT_FOR):
            pools["neg_b"].append(r)
        if re.search(r"(?i)cardiomegaly|heart (size )?is (mildly |moderately )?enlarged|enlarged heart", f) \
                and not re.search(r"(?i)no cardiomegaly|not enlarged|upper limits|borderline", f) \
                and re.search(r"(?i)cardiomegaly|enlarged", i) and not re.search(r"(?i)\bno\b", i.split(".")[0]):
            pools["neg_a"].append(r)
        sig = _sig_affirmed(f)
        if sig and re.search(SIG_TERMS[sig], i, re.I) and not re.search(r"(?i)^no acute|normal chest", i):
            pools["omit"].append(dict(r, sig=sig))
    rng = random.Random(seed * 7919 + 93)
    for k in pools:
        rng.shuffle(pools[k])
    return pools


class _Real:
    def __init__(self, seed: int):
        self.pools = _real_pools(seed)
        self.used: set = set()

    def take(self, key: str, rng: random.Random) -> dict:
        pool = self.pools[key]
        while pool:
            r = pool.pop()
            if r["uid"] not in self.used:
                self.used.add(r["uid"])
                return r
        raise RuntimeError(f"real pool {key} exhausted")


def _rw(rng, r):
    keep = {k for k in range(len(REWORD)) if rng.random() < 0.5}
    return _reword(r["findings"], rng, keep), _reword(r["impression"], rng, keep)


def real_clean(rng, real) -> tuple:
    r = real.take("clean", rng)
    f, i = _rw(rng, r)
    return _real_assemble(rng, r, f, i), "", r["uid"]


def real_missing(rng, real) -> tuple:
    r = real.take("missing", rng)
    f, i = _rw(rng, r)
    v = rng.random()
    if v < 0.55:
        return _real_assemble(rng, r, f, ""), "impression emptied (header kept)", r["uid"]
    if v < 0.8:
        return _real_assemble(rng, r, f, None, drop_imp_hdr=True), "impression section removed", r["uid"]
    imp = rng.choice(["As above.", "Please correlate clinically.", "Kindly compare with previous films.",
                      "Findings as described."])
    return _real_assemble(rng, r, "", imp), f"findings emptied; impression replaced by '{imp}'", r["uid"]


def real_laterality(rng, real) -> tuple:
    r = real.take("lat", rng)
    f, i = _rw(rng, r)
    side = next(iter(_side_words(r["findings"])))
    if rng.random() < 0.6:
        i = _swap_sides(i)
        det = f"impression side flipped to {_flip(side)}; findings say {side}"
    else:
        f = _swap_sides(f)
        det = f"findings side flipped to {_flip(side)}; impression says {side}"
    return _real_assemble(rng, r, f, i), det, r["uid"]


ASSERT_FOR = [
    (r"(?i)\b(no|without)\b[^.]*effusion", ["Moderate {s} pleural effusion.", "{S} sided pleural effusion."]),
    (r"(?i)\b(no|without)\b[^.]*pneumothora", ["{S} pneumothorax.", "{S} apical pneumothorax."]),
    (r"(?i)lungs are clear|lung fields are clear|\b(no|without)\b[^.]*consolidation",
     ["{S} lower zone consolidation - ? pneumonia.", "Consolidation in the {s} lower lobe."]),
    (r"(?i)heart (size )?(is )?(normal|within normal)|normal heart size|heart is normal in size", ["Cardiomegaly."]),
]


def real_negation(rng, real) -> tuple:
    if rng.random() < 0.3 and real.pools["neg_a"]:
        r = real.take("neg_a", rng)
        f, i = _rw(rng, r)
        sents = _sentences(i)
        neg = rng.choice(["Heart size is normal.", "Normal cardiac size.", "No cardiomegaly."])
        new = [neg if re.search(r"(?i)cardiomegaly|enlarged", s) else s for s in sents]
        if new == sents:
            new = [neg] + sents
        return (_real_assemble(rng, r, f, " ".join(new)),
                f"impression says '{neg}' though findings describe an enlarged heart", r["uid"])
    r = real.take("neg_b", rng)
    f, i = _rw(rng, r)
    opts = [(p, a) for p, a in ASSERT_FOR if re.search(p, f) and not ("effusion" in p and "large" in f.lower())]
    pat, alts = rng.choice(opts)
    side = rng.choice(["right", "left"])
    claim = _render(rng.choice(alts), side, "full")
    imp = claim if rng.random() < 0.5 else claim + " " + rng.choice(["Otherwise normal.", "Rest is unremarkable."])
    return _real_assemble(rng, r, f, imp), f"impression replaced by '{claim}' which the findings deny", r["uid"]


def real_omits(rng, real) -> tuple:
    r = real.take("omit", rng)
    f, i = _rw(rng, r)
    imp = rng.choice(["No active chest disease.", "Normal chest X-ray.", "No active cardiopulmonary disease.",
                      "No significant abnormality seen.", "No acute cardiopulmonary abnormality."])
    return _real_assemble(rng, r, f, imp), f"impression replaced by '{imp}'; findings affirm {r['sig']}", r["uid"]


PH_WORDS = r"\b(normal|clear|unremarkable|stable|mild|small|enlarged|limits|intact|lobe|base|apex|upper|lower)\b"


def real_placeholder(rng, real) -> tuple:
    r = real.take("ph", rng)
    f, i = _rw(rng, r)
    v = rng.random()
    hist = None
    if v < 0.3 and _side_words(f):
        blank = rng.choice(SIDE_BLANKS)
        f = re.sub(r"\b(right|left|Right|Left)\b", blank, f, count=1)
        det = f"one side word in the findings replaced by {blank}"
    elif v < 0.75:
        blank = rng.choice(WORD_BLANKS)
        target = "findings" if rng.random() < 0.7 else "impression"
        t = f if target == "findings" else i
        ms = list(re.finditer(PH_WORDS, t, re.I))
        if not ms:
            target, t = "findings", f
            ms = list(re.finditer(PH_WORDS, t, re.I)) or list(re.finditer(r"\b[a-z]{5,}\b", t))
        m = rng.choice(ms)
        t = t[:m.start()] + blank + t[m.end():]
        if target == "findings":
            f = t
        else:
            i = t
        det = f"'{m.group(0)}' in the {target} replaced by {blank}"
    else:
        blank = rng.choice(["[clinical details]", "[          ]", "..............", "<indication>"])
        hist = blank
        det = f"clinical history left as template field {blank}"
    return _real_assemble(rng, r, f, i, history=hist), det, r["uid"]


OWN = {None: own_clean, "missing_section": own_missing, "laterality_conflict": own_laterality,
       "negation_conflict": own_negation, "impression_omits_finding": own_omits, "placeholder": own_placeholder}
REAL = {None: real_clean, "missing_section": real_missing, "laterality_conflict": real_laterality,
        "negation_conflict": real_negation, "impression_omits_finding": real_omits, "placeholder": real_placeholder}

BLANK_RE = re.compile(r"\[|\]|<|>|\.{3,}|\*{2,}|\bxx\b|--/")


def build(seed: int) -> list:
    rng = random.Random(seed)
    real = _Real(seed)
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j < n // 2:
                text, det = OWN[kind](rng)
                src = "bank"
            else:
                text, det, uid = REAL[kind](rng, real)
                src = f"IU {uid}"
            if kind is None and BLANK_RE.search(text):
                raise AssertionError(f"clean case contains a blank-like token: {text!r}")
            rows.append({"injected": kind, "detail": (f"{det} [{src}]" if det else f"[{src}]"), "report": text})
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h93-{seed}-{n}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
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
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
