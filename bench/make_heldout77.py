"""Held-out report-check set 77, written blind.

Setting: public and private hospitals in the Caribbean (Jamaica, Trinidad and
Tobago, Barbados, the Bahamas) -- accident and emergency, wards, outpatient
clinics and private referrals.  Reports follow the way radiologists there
dictate: an exam line ("CXR PA ERECT"), CLINICAL HISTORY / CLINICAL DETAILS
with the usual shorthand (x 2/52, SOB, ?, RTA, DM/HTN), COMPARISON, an
optional TECHNIQUE line, FINDINGS / REPORT, IMPRESSION / OPINION / CONCLUSION
and a sign-off line (MBBS, DM (Rad), FRCR), in British spelling (oedema,
haziness, visualised, costophrenic angles, zones).

400 cases: 200 clean and 40 of each injected kind (missing_section,
laterality_conflict, negation_conflict, impression_omits_finding,
placeholder).  Half of each group is composed from the phrase bank below,
half are real Indiana University reports (never a dev-set uid), re-laid-out
and lightly re-worded in the setting's style.  Most clean reports are normal
or near-normal; ordinary findings appear in ordinary proportions.

    python -m bench.make_heldout77 OUT.jsonl --seed S [--show N]
"""

# ruff: noqa: E501  (phrase banks are long sentences)
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
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------
# setting: headers, histories, sign-offs
# --------------------------------------------------------------------------

HOSPITALS = [
    "KINGSTON PUBLIC HOSPITAL - DEPARTMENT OF RADIOLOGY",
    "UNIVERSITY HOSPITAL OF THE WEST INDIES - RADIOLOGY",
    "CORNWALL REGIONAL HOSPITAL, MONTEGO BAY - X-RAY DEPARTMENT",
    "ERIC WILLIAMS MEDICAL SCIENCES COMPLEX - RADIOLOGY",
    "PORT OF SPAIN GENERAL HOSPITAL - RADIOLOGY DEPARTMENT",
    "SAN FERNANDO GENERAL HOSPITAL - DIAGNOSTIC IMAGING",
    "QUEEN ELIZABETH HOSPITAL, BARBADOS - DEPARTMENT OF IMAGING",
    "PRINCESS MARGARET HOSPITAL, NASSAU - RADIOLOGY",
    "Andrews Memorial Hospital - Imaging Services",
    "Doctors Hospital, Nassau - Diagnostic Imaging",
    "Southern Medical Clinic - Radiology",
    "Bayview Hospital - Imaging",
]

VIEWS = {
    "PA": (["EXAMINATION: CXR PA ERECT", "EXAM: Chest X-ray PA view", "EXAMINATION: CHEST X-RAY (PA)",
            "X-RAY CHEST PA", "Exam: CXR PA"],
           ["TECHNIQUE: Single PA erect view of the chest.",
            "Technique: PA erect projection. Adequate inspiration.", "", "", ""]),
    "PALAT": (["EXAMINATION: CXR PA AND LATERAL", "CHEST X-RAY - PA AND LATERAL VIEWS",
               "Examination: Chest radiograph, PA and lateral"],
              ["TECHNIQUE: PA and lateral views. Satisfactory exposure.", "TECHNIQUE: PA and lateral views.", "", ""]),
    "AP": (["EXAM: CXR AP (mobile)", "EXAMINATION: Chest X-ray AP sitting"],
           ["Technique: AP sitting view (patient unable to stand).", "TECHNIQUE: Portable AP view.", "", ""]),
}
HIST_HEADERS = ["CLINICAL HISTORY:", "CLINICAL DETAILS:", "CLINICAL INFORMATION:",
                "HISTORY:", "Clinical history:", "Clinical notes:", "INDICATION:"]
COMP_HEADERS = ["COMPARISON:", "Comparison:", "PREVIOUS:", "Prior study:"]
FIND_HEADERS = ["FINDINGS:", "Findings:", "REPORT:", "FINDINGS", "Observations:"]
IMP_HEADERS = ["IMPRESSION:", "Impression:", "CONCLUSION:", "OPINION:", "Opinion:",
               "COMMENT:", "Conclusion:"]

HISTORIES_NORMAL = [
    "Cough x 2/52. ? chest infection.",
    "Pre-op assessment for TAH.",
    "Pre-employment medical.",
    "Immigration medical.",
    "Pre-op, elective lap chole.",
    "HTN, DM. Routine.",
    "Chest pain, ? cause.",
    "SOB on exertion.",
    "Fever and cough x 1/52.",
    "Known asthmatic, wheezing.",
    "PPD positive, asymptomatic.",
    "Sickle cell disease, chest pain. ? ACS.",
    "Chronic cough. Smoker.",
    "Fall at home, left sided chest pain.",
    "RTA - driver, chest pain.",
    "Pleuritic chest pain.",
    "Follow-up, treated pneumonia.",
    "HIV positive, cough.",
    "Pre-chemotherapy baseline. Ca breast.",
    "Annual medical (private).",
    "Haemoptysis x 1 episode.",
    "Low grade fever, night sweats.",
    "Hypertensive, ? cardiomegaly.",
    "Pre-op, hernia repair.",
    "Dyspnoea. ? LVF.",
]

COMPARISONS = ["None.", "None available.", "No previous films.", "Nil.",
               "Previous CXR 2/12 ago.", "Prior film of last year.",
               "Previous study from outside facility, not available.",
               "CXR dated 14/03.", "Film of 02/11 (A&E)."]

SIGNOFFS = [
    "Dr. K. Mohammed, MBBS, DM (Rad)\nConsultant Radiologist",
    "Reported by: Dr. S. Ramdass MBBS DM (Radiology)",
    "Dr. A. Campbell-Brown\nConsultant Radiologist",
    "Electronically signed: Dr. R. Maharaj, FRCR",
    "Dr. P. Greaves, MBBS, DM\nRadiologist",
    "Reported by Dr. N. Knowles, Radiology Resident / verified Dr. T. Ferguson, Consultant",
    "Dr. D. Seecharan, MBBS, DM (Rad.)",
    "Thank you for the referral.\nDr. J. Williams-Small, Consultant Radiologist",
    "Dr. M. Chin, FRCR\nConsultant Radiologist",
    "Dr. L. Boodoo\nRadiologist",
]

# --------------------------------------------------------------------------
# composed reports: phrase bank
# --------------------------------------------------------------------------

HEART_N = [
    "The heart size is within normal limits.",
    "Heart is not enlarged.",
    "Cardiac size is normal (CTR less than 0.5).",
    "Normal cardiac size and configuration.",
    "The cardiothoracic ratio is within normal limits.",
    "Heart size is normal.",
]
MEDIAST_N = [
    "The trachea is central.",
    "The mediastinum is not widened.",
    "Trachea central. Mediastinal contours unremarkable.",
    "The aortic knuckle is normal.",
    "",
]
LUNGS_N = [
    "The lungs are clear.",
    "Both lung fields are clear.",
    "Lung fields are clear with no active parenchymal lesion.",
    "The lungs are well expanded and clear.",
    "No focal consolidation is seen. The lung fields are clear.",
    "Both lungs are clear. No focal lesion.",
]
HILA_N = [
    "Both hila are normal.",
    "Hilar shadows are unremarkable.",
    "The hila are of normal size and density.",
    "",
    "",
]
PLEURA_N = [
    "Both costophrenic angles are clear.",
    "No pleural effusion or pneumothorax.",
    "Costophrenic angles are sharp. No pleural effusion.",
    "There is no pleural effusion. No pneumothorax.",
    "The costophrenic angles are clear and there is no pneumothorax.",
]
DIAPH_N = [
    "Both hemidiaphragms are smooth and normally sited.",
    "Domes of the diaphragm are normal.",
    "",
    "",
]
BONES_N = [
    "The bony thorax is intact.",
    "No acute bony abnormality.",
    "Visualised bones and soft tissues are unremarkable.",
    "Bony thorax and soft tissues are normal.",
    "",
]
IMP_NORMAL = [
    "Normal chest X-ray.",
    "Normal study.",
    "No active chest disease.",
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "No radiographic evidence of active lung disease.",
    "Essentially normal chest.",
    "No significant abnormality detected.",
    "NAD.",
    "Normal CXR.",
]
# macros pasted over an impression (omission errors): none names a finding
IMP_MACRO = [
    "Normal chest X-ray.",
    "No acute cardiopulmonary abnormality.",
    "No active chest disease.",
    "Normal study.",
    "No significant abnormality seen.",
    "Essentially normal chest radiograph.",
    "No radiological evidence of acute disease.",
    "NAD.",
]

ZONES = ["lower zone", "mid zone", "upper zone", "base", "lower lobe", "mid and lower zones"]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def flip_side(text: str) -> str:
    def rep(m):
        w = m.group(0)
        o = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return cap(o)
        return o
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", rep, text)


class Case:
    """One report in parts."""

    def __init__(self):
        self.exam = ""
        self.hospital = ""
        self.history = ""
        self.hist_h = "CLINICAL HISTORY:"
        self.comparison = "None."
        self.comp_h = "COMPARISON:"
        self.technique = ""
        self.find_h = "FINDINGS:"
        self.find: list[str] = []
        self.imp_h = "IMPRESSION:"
        self.imp: list[str] = []
        self.signoff = ""
        self.numbered = False
        self.find_lines = False
        self.drop_find = False  # header absent
        self.drop_imp = False
        self.imp_only = False

    def render(self) -> str:
        out = []
        if self.hospital:
            out.append(self.hospital)
        if self.exam:
            out.append(self.exam)
        out.append(f"{self.hist_h} {self.history}".rstrip())
        out.append(f"{self.comp_h} {self.comparison}".rstrip())
        if self.technique:
            out.append(self.technique)
        body = []
        if not self.drop_find and not self.imp_only:
            sents = [s for s in self.find if s]
            if self.find_lines:
                body.append(self.find_h + ("\n" + "\n".join(sents) if sents else ""))
            else:
                body.append(self.find_h + ("\n" + " ".join(sents) if sents else ""))
        if not self.drop_imp:
            sents = [s for s in self.imp if s]
            if self.numbered and len(sents) > 1:
                txt = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(sents))
            else:
                txt = " ".join(sents)
            body.append(self.imp_h + ("\n" + txt if txt else ""))
        text = "\n".join(out) + "\n\n" + "\n\n".join(body)
        if self.signoff:
            text += "\n\n" + self.signoff
        return text


def dress(rng: random.Random, c: Case) -> None:
    c.hospital = rng.choice(HOSPITALS) if rng.random() < 0.45 else ""
    view = wchoice(rng, [("PA", 6), ("PALAT", 3), ("AP", 1)])
    c.exam = rng.choice(VIEWS[view][0])
    c.hist_h = rng.choice(HIST_HEADERS)
    c.comp_h = rng.choice(COMP_HEADERS)
    c.technique = rng.choice(VIEWS[view][1])
    c.find_h = rng.choice(FIND_HEADERS)
    c.imp_h = rng.choice(IMP_HEADERS)
    c.signoff = rng.choice(SIGNOFFS)
    c.numbered = rng.random() < 0.4
    c.find_lines = rng.random() < 0.3


def normal_systems(rng: random.Random) -> dict:
    return {
        "heart": rng.choice(HEART_N),
        "mediast": rng.choice(MEDIAST_N),
        "lungs": rng.choice(LUNGS_N),
        "hila": rng.choice(HILA_N),
        "pleura": rng.choice(PLEURA_N),
        "diaph": rng.choice(DIAPH_N),
        "bones": rng.choice(BONES_N),
        "extra": "",
    }


ORDER = ["heart", "mediast", "hila", "lungs", "pleura", "diaph", "extra", "bones"]


def scenario(rng: random.Random, name: str) -> dict:
    """Return a dict: sys (findings by system), imp (list), side, fkey (system
    holding the sided finding), iidx (impression index with the side), sig,
    group, hist."""
    side = rng.choice(["right", "left"])
    S = cap(side)
    sys_ = normal_systems(rng)
    d = {"side": None, "fkey": None, "iidx": None, "sig": False, "group": None,
         "hist": rng.choice(HISTORIES_NORMAL), "name": name}
    imp: list[str] = []
    if name == "normal":
        imp = [rng.choice(IMP_NORMAL)]
    elif name == "consolidation":
        zone = rng.choice(ZONES)
        sys_["lungs"] = rng.choice([
            f"There is patchy airspace opacification in the {side} {zone} with air bronchograms, in keeping with consolidation. The rest of the lung fields are clear.",
            f"Ill-defined airspace shadowing is seen in the {side} {zone}, consistent with consolidation. The other lung is clear.",
            f"Consolidation is noted in the {side} {zone}. Remaining lung fields clear.",
            f"Inhomogeneous opacity in the {side} {zone} representing consolidation.",
        ])
        sys_["pleura"] = rng.choice(["No pleural effusion.", "Costophrenic angles clear.", "No effusion or pneumothorax."])
        imp = [rng.choice([
            f"{S} {zone} consolidation, likely infective.",
            f"{S} {zone} pneumonia.",
            f"Features in keeping with {side} {zone} consolidation / pneumonia.",
            f"{S} sided consolidation in the {zone}, in keeping with pneumonia in the appropriate clinical setting.",
        ])]
        if rng.random() < 0.5:
            imp.append("Suggest repeat film after treatment (6-8 weeks) to document resolution.")
        d.update(side=side, fkey="lungs", iidx=0, sig=True, group="consolidation",
                 hist=rng.choice(["Fever, productive cough x 1/52.", "Cough, fever. ? pneumonia.",
                                  "SOB, fever, crackles at base.", "Elderly, confusion, fever. ? CAP."]))
    elif name == "effusion_small":
        sys_["pleura"] = rng.choice([
            f"There is blunting of the {side} costophrenic angle, in keeping with a small pleural effusion. No pneumothorax.",
            f"Small {side} pleural effusion. No pneumothorax.",
            f"Minimal {side} pleural effusion with blunting of the costophrenic angle.",
        ])
        imp = [rng.choice([f"Small {side} pleural effusion.", f"Small {side} effusion. Otherwise no acute abnormality."])]
        d.update(side=side, fkey="pleura", iidx=0, group="effusion")
    elif name == "effusion_big":
        size = rng.choice(["moderate", "large", "moderate-sized"])
        sys_["pleura"] = rng.choice([
            f"There is a {size} {side} pleural effusion with a meniscus, obscuring the {side} hemidiaphragm.",
            f"{cap(size)} {side} pleural effusion occupying the lower third of the {side} hemithorax.",
            f"A {size} {side} pleural effusion is present. No pneumothorax.",
        ])
        sys_["diaph"] = ""
        sys_["lungs"] = rng.choice(["The aerated lung is clear.", "No focal consolidation in the aerated lung fields."])
        imp = [rng.choice([f"{cap(size)} {side} pleural effusion.",
                           f"{cap(size)} {side} pleural effusion. Suggest correlation and aspiration if clinically indicated."])]
        d.update(side=side, fkey="pleura", iidx=0, sig=True, group="effusion",
                 hist=rng.choice(["SOB, reduced air entry on the " + side + ".", "Dyspnoea x 2/52.",
                                  "Ca breast, SOB.", "Weight loss, dyspnoea."]))
    elif name == "pneumothorax":
        sys_["pleura"] = rng.choice([
            f"There is a {side} pneumothorax with the visceral pleural line seen approximately 2 cm from the chest wall at the apex. No mediastinal shift.",
            f"A small {side} apical pneumothorax is present. No pleural effusion.",
            f"{S} sided pneumothorax with partial collapse of the {side} lung. Trachea remains central.",
        ])
        sys_["lungs"] = rng.choice(["No focal consolidation.", "No focal lung lesion.", ""])
        imp = [rng.choice([f"{S} pneumothorax.", f"{S} sided pneumothorax. Findings communicated to the A&E team.",
                           f"Small {side} apical pneumothorax."])]
        d.update(side=side, fkey="pleura", iidx=0, sig=True, group="pneumothorax",
                 hist=rng.choice([f"Stab wound {side} chest.", f"Sudden onset {side} chest pain, SOB.",
                                  "RTA, chest pain, ? pneumothorax.", "Tall thin male, pleuritic chest pain."]))
    elif name == "cardiomegaly_mild":
        sys_["heart"] = rng.choice([
            "The heart is mildly enlarged (CTR 0.55).",
            "Mild cardiomegaly.",
            "Cardiac size is at the upper limit of normal to mildly enlarged.",
        ])
        imp = rng.choice([["Mild cardiomegaly. No active lung disease."],
                          ["No acute cardiopulmonary abnormality."],
                          ["Mild cardiomegaly.", "Lungs clear."]])
        d.update(group="cardiomegaly", hist=rng.choice(["HTN.", "Hypertensive, on treatment.", "DM, HTN. Routine."]))
    elif name == "ccf":
        sys_["heart"] = "The heart is enlarged."
        sys_["lungs"] = rng.choice([
            "There is upper lobe blood diversion with bilateral perihilar haziness and Kerley B lines, in keeping with pulmonary oedema.",
            "Pulmonary venous congestion with interstitial oedema and septal lines.",
            "Bilateral perihilar airspace shadowing in a bat wing distribution, consistent with pulmonary oedema.",
        ])
        sys_["pleura"] = rng.choice(["Small bilateral pleural effusions.", "Blunting of both costophrenic angles."])
        imp = [rng.choice(["Cardiomegaly with pulmonary oedema - features of congestive cardiac failure.",
                           "Congestive cardiac failure.",
                           "Features of left ventricular failure with pulmonary oedema and small bilateral effusions."])]
        d.update(sig=True, group="oedema", hist=rng.choice(["SOB, orthopnoea. ? CCF.", "Dyspnoea, bilateral pedal oedema.",
                                                             "Known CCF, worsening SOB."]))
    elif name == "nodule":
        mm = rng.choice([8, 10, 12, 15, 18])
        zone = rng.choice(["upper zone", "mid zone", "lower zone"])
        sys_["lungs"] = f"A well-defined {mm} mm nodule is seen in the {side} {zone}. The lungs are otherwise clear."
        imp = [f"{mm} mm nodule in the {side} {zone}.", rng.choice(["CT chest is recommended for further evaluation.",
                                                                    "Suggest CT chest."])]
        d.update(side=side, fkey="lungs", iidx=0, sig=True, group="nodule",
                 hist=rng.choice(["Smoker, chronic cough.", "Haemoptysis.", "Weight loss."]))
    elif name == "mass":
        sys_["hila"] = rng.choice([f"There is a lobulated mass at the {side} hilum.",
                                   f"A {rng.choice([4, 5, 6])} cm mass is projected over the {side} hilar region."])
        sys_["lungs"] = "The lung fields are otherwise clear."
        imp = [rng.choice([f"{S} hilar mass, suspicious for neoplasm.", f"{S} hilar mass."]),
               "CT chest recommended."]
        d.update(side=side, fkey="hila", iidx=0, sig=True, group="mass",
                 hist=rng.choice(["Smoker, weight loss, haemoptysis.", "Chronic cough, loss of weight."]))
    elif name == "pneumoperitoneum":
        sys_["extra"] = rng.choice(["Free gas is seen under the right hemidiaphragm.",
                                    "There is free intraperitoneal air beneath both hemidiaphragms."])
        imp = [rng.choice(["Pneumoperitoneum - ? perforated viscus. Surgical team informed.",
                           "Free air under the diaphragm, in keeping with a perforated viscus."])]
        d.update(sig=True, group="free air", hist=rng.choice(["Acute abdomen. Erect CXR for free air.",
                                                               "Severe epigastric pain, ? perforated PUD."]))
    elif name == "mediastinum":
        sys_["mediast"] = "The superior mediastinum appears widened (measuring 9.5 cm)."
        imp = ["Widened superior mediastinum. CT chest / aortogram recommended to exclude aortic injury."]
        d.update(sig=True, group="widened mediastinum", hist="RTA - high speed, chest pain.")
    elif name == "granuloma":
        sys_["lungs"] = f"A small calcified granuloma is noted in the {side} {rng.choice(['upper', 'mid'])} zone. The lungs are otherwise clear."
        if rng.random() < 0.5:
            imp = [rng.choice(IMP_NORMAL)]
        else:
            imp = [f"Calcified granuloma {side} lung, of no clinical significance.", "No active disease."]
            d.update(side=side, fkey="lungs", iidx=0, group="granuloma")
    elif name == "old_tb":
        sys_["lungs"] = f"Fibrocalcific changes are seen in the {side} upper zone with mild volume loss. No cavitation. Remaining lung fields clear."
        sys_["hila"] = f"The {side} hilum is slightly elevated."
        imp = [f"Old healed TB changes in the {side} upper zone.", "No radiological evidence of active disease."]
        d.update(side=side, fkey="lungs", iidx=0, group="fibrosis",
                 hist=rng.choice(["Treated PTB 2018. Follow-up.", "Past history of TB. Pre-employment."]))
    elif name == "hyperinflation":
        sys_["lungs"] = rng.choice(["The lungs are hyperinflated with flattened hemidiaphragms. No focal consolidation.",
                                    "Hyperexpanded lung fields. No focal consolidation."])
        sys_["diaph"] = ""
        imp = [rng.choice(["Hyperinflated lungs, in keeping with known asthma. No consolidation.",
                           "Hyperinflation consistent with COPD. No acute abnormality."])]
        d.update(hist=rng.choice(["Known asthmatic, acute exacerbation.", "COPD, increased SOB.",
                                  "Wheeze, ? chest infection."]))
    elif name == "atelectasis":
        sys_["diaph"] = f"Plate atelectasis at the {side} base."
        imp = [rng.choice([f"Minor {side} basal atelectasis. No consolidation.",
                           f"Linear atelectasis {side} base. Otherwise normal."])]
        d.update(side=side, fkey="diaph", iidx=0, group="atelectasis")
    elif name == "incidental":
        opts = [
            ("mediast", "Unfolding of the thoracic aorta with calcification of the aortic knuckle."),
            ("bones", "Degenerative changes are noted in the thoracic spine."),
            ("bones", f"Old healed fracture of the {side} {rng.choice(['5th', '6th', '7th', '8th'])} rib."),
            ("extra", "Surgical clips are noted in the right upper quadrant."),
            ("extra", "Sternotomy wires are in situ."),
            ("bones", "Spondylotic changes of the thoracic spine."),
        ]
        k, v = rng.choice(opts)
        sys_[k] = v
        imp = rng.choice([[rng.choice(IMP_NORMAL)], ["No active cardiopulmonary disease."],
                          ["No acute cardiopulmonary abnormality.", "Degenerative spine." if "spine" in v else "Incidental findings as above."]])
    elif name == "lines":
        sys_["extra"] = rng.choice([
            "Endotracheal tube tip is 4 cm above the carina. Nasogastric tube is seen coursing below the diaphragm.",
            "Right internal jugular central venous catheter with tip in the SVC. No pneumothorax.",
        ])
        sys_["pleura"] = "No pleural effusion."
        imp = [rng.choice(["Lines and tubes in satisfactory position. No pneumothorax.",
                           "Satisfactory position of tubes. No acute abnormality."])]
        d.update(hist=rng.choice(["ICU, post intubation.", "Post CVC insertion, check position."]))
    elif name == "sickle":
        sys_["heart"] = "The heart is at the upper limit of normal in size."
        sys_["bones"] = "H-shaped vertebral bodies, in keeping with known sickle cell disease."
        imp = ["No acute chest syndrome features. Bony changes of sickle cell disease."]
        d.update(hist="SCD, chest pain and fever. ? ACS.")
    else:
        raise ValueError(name)
    d["sys"] = sys_
    d["imp"] = imp
    return d


CLEAN_WEIGHTS = [
    ("normal", 52), ("incidental", 8), ("granuloma", 4), ("cardiomegaly_mild", 5),
    ("hyperinflation", 3), ("atelectasis", 3), ("old_tb", 2), ("effusion_small", 2),
    ("lines", 1), ("sickle", 1), ("consolidation", 8), ("effusion_big", 2),
    ("pneumothorax", 2), ("ccf", 3), ("nodule", 1), ("mass", 1), ("pneumoperitoneum", 1),
    ("mediastinum", 1),
]
SIG = ["consolidation", "effusion_big", "pneumothorax", "ccf", "nodule", "mass",
       "pneumoperitoneum", "mediastinum"]
SIDED = ["consolidation", "effusion_small", "effusion_big", "pneumothorax", "nodule", "mass",
         "atelectasis", "old_tb"]


def wchoice(rng: random.Random, pairs):
    tot = sum(w for _, w in pairs)
    x = rng.uniform(0, tot)
    for k, w in pairs:
        x -= w
        if x <= 0:
            return k
    return pairs[-1][0]


def case_from(rng: random.Random, d: dict) -> Case:
    c = Case()
    dress(rng, c)
    c.history = d["hist"]
    c.comparison = rng.choice(COMPARISONS)
    c.find = [d["sys"][k] for k in ORDER]
    c.imp = list(d["imp"])
    return c


PH_STYLES = ["[***]", "[ ]", "***", "[...]", "<< >>", "{ }", "[  ]", "[insert]"]


def composed(rng: random.Random, kind: str | None) -> tuple[str, str]:
    if kind is None:
        name = wchoice(rng, CLEAN_WEIGHTS)
        d = scenario(rng, name)
        c = case_from(rng, d)
        if name == "normal" and rng.random() < 0.08:
            # impression-only report whose impression describes the film
            c.imp_only = True
            c.imp = [rng.choice([
                "Heart size normal. Lungs clear. No pleural effusion or pneumothorax. Normal chest.",
                "Normal chest: heart not enlarged, lung fields clear, costophrenic angles sharp, bones intact.",
            ])]
        return c.render(), f"composed {name}"
    if kind == "impression_omits_finding":
        name = rng.choice(SIG + ["consolidation", "effusion_big", "pneumothorax", "ccf"])
        d = scenario(rng, name)
        c = case_from(rng, d)
        c.imp = [rng.choice(IMP_MACRO)]
        if rng.random() < 0.3:
            c.imp.append(rng.choice(["Bony thorax intact.", "Compared with previous, no other change.",
                                     "Clinical correlation advised."]))
        return c.render(), f"composed {name}: impression replaced by normal macro '{c.imp[0]}', {d['group']} in findings not mentioned"
    if kind == "laterality_conflict":
        name = rng.choice(["consolidation", "consolidation", "effusion_small", "effusion_big", "pneumothorax",
                           "nodule", "mass", "atelectasis", "old_tb"])
        d = scenario(rng, name)
        c = case_from(rng, d)
        if rng.random() < 0.5:
            i = d["iidx"]
            c.imp[i] = flip_side(c.imp[i])
            where = "impression"
        else:
            k = ORDER.index(d["fkey"])
            c.find[k] = flip_side(c.find[k])
            where = "findings"
        return c.render(), f"composed {name}: side of {d['group']} flipped in {where} ({d['side']} -> opposite)"
    if kind == "negation_conflict":
        mode = rng.choice(["imp_affirms", "imp_affirms", "heart", "imp_negates", "imp_negates"])
        if mode == "imp_affirms":
            d = scenario(rng, "normal")
            c = case_from(rng, d)
            side = rng.choice(["right", "left"])
            opt = rng.choice(["lungs", "pleura_eff", "pleura_ptx"])
            if opt == "lungs":
                c.find[ORDER.index("lungs")] = rng.choice(["The lungs are clear.", "Both lung fields are clear.",
                                                            "No focal consolidation. Lungs clear."])
                new = rng.choice([f"{cap(side)} lower zone consolidation.", f"{cap(side)} basal pneumonia."])
            elif opt == "pleura_eff":
                c.find[ORDER.index("pleura")] = rng.choice(["No pleural effusion.", "There is no pleural effusion or pneumothorax.",
                                                             "Costophrenic angles are sharp with no pleural effusion."])
                new = rng.choice([f"Small {side} pleural effusion.", f"{cap(side)} pleural effusion."])
            else:
                c.find[ORDER.index("pleura")] = rng.choice(["No pneumothorax. No effusion.", "There is no pneumothorax.",
                                                             "No pleural effusion or pneumothorax."])
                new = rng.choice([f"Small {side} apical pneumothorax.", f"{cap(side)} pneumothorax."])
            c.imp = [new] + ([rng.choice(["No other abnormality.", "Otherwise normal."])] if rng.random() < 0.5 else [])
            return c.render(), f"composed: findings negate it, impression affirms '{new}'"
        if mode == "heart":
            if rng.random() < 0.5:
                d = scenario(rng, "normal")
                c = case_from(rng, d)
                c.find[0] = rng.choice(["The heart is enlarged (CTR 0.62).", "Cardiomegaly is present.",
                                        "The cardiac silhouette is enlarged."])
                c.imp = [rng.choice(["Normal heart size. Lungs clear.", "Heart size is normal. No active disease."])]
                return c.render(), "composed: findings cardiomegaly, impression says heart size normal"
            d = scenario(rng, "cardiomegaly_mild")
            c = case_from(rng, d)
            c.find[0] = rng.choice(HEART_N)
            c.imp = [rng.choice(["Cardiomegaly. No active lung disease.", "Enlarged heart. Lungs clear."])]
            return c.render(), "composed: findings heart size normal, impression cardiomegaly"
        name = rng.choice(["consolidation", "effusion_big", "pneumothorax", "effusion_small"])
        d = scenario(rng, name)
        c = case_from(rng, d)
        neg = {"consolidation": ["No consolidation. Lungs are clear.", "Lungs clear. No focal consolidation."],
               "effusion": ["No pleural effusion.", "No pleural effusion. No acute abnormality."],
               "pneumothorax": ["No pneumothorax.", "No pneumothorax seen. Normal chest."]}[d["group"]]
        c.imp = [rng.choice(neg)]
        return c.render(), f"composed {name}: findings affirm {d['group']}, impression negates it '{c.imp[0]}'"
    if kind == "missing_section":
        name = wchoice(rng, CLEAN_WEIGHTS)
        d = scenario(rng, name)
        c = case_from(rng, d)
        r = rng.random()
        if r < 0.4:
            c.imp = []
            return c.render(), f"composed {name}: impression header left empty"
        if r < 0.7:
            c.drop_imp = True
            return c.render(), f"composed {name}: impression section absent"
        c.find = []
        c.imp = [rng.choice(["As above.", "See above.", "No significant interval change from previous.",
                             "Compared to the previous film, no change.", "Discussed with referring doctor."])]
        return c.render(), f"composed {name}: findings left empty, impression '{c.imp[0]}' does not describe the film"
    if kind == "placeholder":
        name = wchoice(rng, CLEAN_WEIGHTS)
        d = scenario(rng, name)
        c = case_from(rng, d)
        ph = rng.choice(PH_STYLES)
        r = rng.random()
        if r < 0.2:
            c.comparison = rng.choice([f"Previous CXR dated {ph}.", f"{ph}", f"CXR of {ph} (A&E)."])
            where = "comparison"
        elif r < 0.35:
            c.history = f"{ph}"
            where = "clinical history"
        elif r < 0.5:
            c.signoff = rng.choice([f"Dr. {ph}\nConsultant Radiologist", f"Reported by: {ph}"])
            where = "sign-off name"
        elif r < 0.75 and d["side"]:
            k = ORDER.index(d["fkey"])
            c.find[k] = re.sub(r"\b" + d["side"] + r"\b", ph, c.find[k], count=1)
            where = "side in findings"
        else:
            c.imp = [c.imp[0].rstrip(".") + ". " + rng.choice([f"Follow-up in {ph} weeks.", f"Suggest {ph}.",
                                                              f"Compared to {ph}, no change."])] + c.imp[1:]
            where = "impression"
        return c.render(), f"composed {name}: template field '{ph}' left unfilled in {where}"
    raise ValueError(kind)


# --------------------------------------------------------------------------
# real IU reports
# --------------------------------------------------------------------------

GROUPS = {
    "pneumothorax": r"pneumothora(?:x|ces)",
    "consolidation": r"consolidat\w*|airspace (?:disease|opacit\w*|process)|pneumonia|infiltrates?",
    "oedema": r"o?edema|vascular congestion",
    "effusion": r"effusions?",
    "mass": r"\bmass(?:es)?\b",
    "nodule": r"\bnodules?\b",
    "cardiomegaly": r"cardiomegaly|(?:heart|cardiac silhouette|heart size)(?: \w+){0,2} (?:is |are )?(?:mildly |moderately |markedly )?enlarged",
}
SIG_GROUPS = ["pneumothorax", "consolidation", "oedema", "effusion", "mass", "nodule"]
NEG = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear of|absence|removed|exclude)\b", re.I)
SOFT = re.compile(r"\b(stable|unchanged|chronic|old|healed|prior|previous(?:ly)?|decreas\w*|improv\w*|"
                  r"resolv\w*|small|trace|tiny|minimal|possible|may|could|versus|vs|atelectasis|scar\w*|"
                  r"questionable|cannot|likely|probable|suggest\w*|borderline)\b", re.I)
WORSE = re.compile(r"\b(right|left)\b(?: \w+)? (?:worse|greater|more|larger) than (?:the )?(?:right|left)", re.I)
QUAL = re.compile(r"\b(large|significant|sizable|sizeable|definite|definitive|appreciable|substantial|gross|obvious|large-volume|visible|new|dense|confluent|lobar)\b", re.I)
SIDE = re.compile(r"\b(right|left)\b", re.I)


def sentences(t: str) -> list[str]:
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\.\.+", ".", t)
    t = re.sub(r"\s+\.", ".", t)
    t = re.sub(r"\.\.+", ".", t)
    return [s.strip() for s in re.split(r"(?<=[.])\s+(?=[A-Z0-9])", t) if s.strip()]


_GRX = {g: re.compile(p, re.I) for g, p in GROUPS.items()}
_CLAUSE = re.compile(r";|\bbut\b|\bhowever\b|\bwhich\b", re.I)
_MEMO: dict = {}


def mentions(sent: str, group: str) -> str | None:
    """'aff', 'neg' or None for one sentence."""
    key = (sent, group)
    if key not in _MEMO:
        _MEMO[key] = _mentions(sent, group)
    return _MEMO[key]


def _mentions(sent: str, group: str) -> str | None:
    res = None
    if not _GRX[group].search(sent):
        return None
    for clause in _CLAUSE.split(sent):
        for m in _GRX[group].finditer(clause):
            pre = clause[:m.start()]
            if NEG.search(pre):
                res = res or "neg"
            else:
                return "aff"
    return res


def status(sents: list[str], group: str) -> set:
    return {x for x in (mentions(s, group) for s in sents) if x}


def lungs_clear(sents):
    return any(re.search(r"lungs? (?:are |is )?(?:\w+ )?clear|clear lungs", s, re.I) for s in sents)


def heart_normal(sents):
    return any(re.search(r"heart (?:size )?(?:is )?(?:\w+ )?normal|heart size (?:is )?(?:within )?normal|"
                         r"normal heart size|cardiac silhouette (?:is )?(?:within )?normal", s, re.I) for s in sents)


def load_dev_uids() -> set:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p) as f:
        for line in f:
            line = line.strip()
            if line:
                out.add(json.loads(line).get("uid"))
    return out


_CACHE: dict = {}


def load_iu() -> list[dict]:
    if "iu" in _CACHE:
        return _CACHE["iu"]
    dev = load_dev_uids()
    rows = []
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    lab = re.compile(r'<AbstractText Label="(\w+)"[^>]*>(.*?)</AbstractText>', re.S)
    with tarfile.open(tgz) as t:
        for m in t:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = t.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', x)
            if not u or u.group(1) in dev:
                continue
            sec = {k.upper(): v.strip() for k, v in lab.findall(x)}
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if len(f) < 30 or len(i) < 5:
                continue
            if re.search(r"[\[\]{}<>*_]|&", f + i):
                continue
            rows.append({"uid": u.group(1), "find": sentences(f), "imp": sentences(i),
                         "ind": sec.get("INDICATION", ""), "comp": sec.get("COMPARISON", "")})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    for r in rows:
        annotate(r)
    _CACHE["iu"] = rows
    return rows


def annotate(r: dict) -> None:
    F, Imp = r["find"], r["imp"]
    st = {g: (status(F, g), status(Imp, g)) for g in GROUPS}
    r["st"] = st
    ok = True
    aff_f = [g for g in SIG_GROUPS if "aff" in st[g][0]]
    for g in GROUPS:
        fs, is_ = st[g]
        if ("aff" in fs and "neg" in is_ and "aff" not in is_) or ("aff" in is_ and "neg" in fs and "aff" not in fs):
            ok = False
    for g in aff_f:
        if "aff" not in st[g][1]:
            ok = False
    if "aff" in st["consolidation"][1] and lungs_clear(F):
        ok = False
    if "aff" in st["cardiomegaly"][0] and heart_normal(Imp):
        ok = False
    if "aff" in st["cardiomegaly"][1] and heart_normal(F):
        ok = False
    # laterality agreement for sided sentences
    for g in SIG_GROUPS:
        sf = {m.lower() for s in F if mentions(s, g) == "aff" for m in SIDE.findall(s)}
        si = {m.lower() for s in Imp if mentions(s, g) == "aff" for m in SIDE.findall(s)}
        if sf and si and sf != si:
            ok = False
    wf = {m.group(1).lower() for x in F for m in WORSE.finditer(x)}
    wi = {m.group(1).lower() for x in Imp for m in WORSE.finditer(x)}
    if wf and wi and wf != wi:
        ok = False
    r["clean_ok"] = ok
    r["pairs"] = sided_pairs(r)
    r["normal"] = ok and not aff_f and not any("aff" in st[g][1] for g in SIG_GROUPS)


SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhag", "haemorrhag"),
    (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"), (r"\btumor", "tumour"),
    (r"\bfavor", "favour"), (r"\bcentimeter", "centimetre"), (r"\bischemi", "ischaemi"),
    (r"\banemi", "anaemi"), (r"\borthopedic", "orthopaedic"), (r"\bvisualized", "visualised"),
    (r"\bVisualized", "Visualised"), (r"\bhemithorax", "hemithorax"), (r"\bx-ray\b", "X-ray"),
    (r"\bchest x-XXXX", "chest X-ray"), (r"\bcalcified granulomas\b", "calcified granulomata"),
]
REWORD = [
    (r"^No acute cardiopulmonary (?:abnormality|process|disease)\.?$", ["No active cardiopulmonary disease.",
                                                                       "No acute cardiopulmonary abnormality seen.",
                                                                       "No acute cardiopulmonary abnormality."]),
    (r"^Normal chest\.?$", ["Normal chest X-ray.", "Normal chest."]),
    (r"^No active disease\.?$", ["No active chest disease.", "No active disease."]),
]


def restyle(rng: random.Random, s: str) -> str:
    for a, b in SPELL:
        s = re.sub(a, b, s)
    for a, opts in REWORD:
        if re.match(a, s, re.I):
            s = rng.choice(opts)
    s = re.sub(r"\bcardiomediastinal silhouette\b", rng.choice(["cardiomediastinal silhouette", "cardiomediastinal outline"]), s)
    return s


def strip_num(s: str) -> str:
    return re.sub(r"^\d+\.\s*", "", s)


def real_case(rng: random.Random, r: dict) -> Case:
    c = Case()
    dress(rng, c)
    ind = re.sub(r"\s+", " ", r["ind"]).strip() or rng.choice(HISTORIES_NORMAL)
    c.history = ind
    comp = re.sub(r"\s+", " ", r["comp"]).strip()
    c.comparison = comp if comp else rng.choice(["None.", "Nil."])
    c.find = [restyle(rng, s) for s in r["find"]]
    c.imp = [restyle(rng, strip_num(s)) for s in r["imp"]]
    c.imp = [s for s in c.imp if s]
    view = "PALAT" if re.search(r"lateral (?:view|radiograph|film|projection)|frontal and lateral|PA and lateral",
                                " ".join(r["find"] + r["imp"] + [r["comp"]]), re.I) else rng.choice(["PA", "PALAT"])
    c.exam = rng.choice(VIEWS[view][0])
    c.technique = rng.choice(VIEWS[view][1])
    return c


def real_pick(rng, pool, used):
    cand = [r for r in pool if r["uid"] not in used]
    r = rng.choice(cand)
    used.add(r["uid"])
    return r


def sided_pairs(r: dict):
    """(group, fi, ii, side) where findings sentence fi and impression sentence ii
    both affirm group on the same single side."""
    out = []
    for g in SIG_GROUPS:
        for fi, s in enumerate(r["find"]):
            sd = {m.lower() for m in SIDE.findall(s)}
            if mentions(s, g) != "aff" or len(sd) != 1:
                continue
            for ii, t in enumerate(r["imp"]):
                td = {m.lower() for m in SIDE.findall(t)}
                if mentions(t, g) == "aff" and td == sd:
                    out.append((g, fi, ii, next(iter(sd))))
    return out


def real(rng: random.Random, kind: str | None, iu: list[dict], used: set) -> tuple[str, str, str]:
    if kind is None:
        pool = [r for r in iu if r["normal"]] if rng.random() < 0.8 else [r for r in iu if r["clean_ok"] and not r["normal"]]
        r = real_pick(rng, pool, used)
        return real_case(rng, r).render(), f"real IU report restyled ({'normal' if r['normal'] else 'abnormal, agreeing'})", r["uid"]
    if kind == "missing_section":
        r = real_pick(rng, [x for x in iu if x["clean_ok"]], used)
        c = real_case(rng, r)
        x = rng.random()
        if x < 0.45:
            c.imp = []
            det = "impression emptied"
        elif x < 0.75:
            c.drop_imp = True
            det = "impression section removed"
        else:
            c.find = []
            c.imp = [rng.choice(["As above.", "See above.", "No significant change since the previous study.",
                                 "Please see findings."])]
            det = f"findings emptied, impression replaced by '{c.imp[0]}'"
        return c.render(), "real: " + det, r["uid"]
    if kind == "laterality_conflict":
        pool = [x for x in iu if x["clean_ok"] and x["pairs"]]
        r = real_pick(rng, pool, used)
        g, fi, ii, side = rng.choice(r["pairs"])
        c = real_case(rng, r)
        if rng.random() < 0.5:
            c.find[fi] = flip_side(c.find[fi])
            where = "findings"
        else:
            ii2 = [i for i, s in enumerate(r["imp"]) if strip_num(s)]
            c.imp[ii2.index(ii) if ii in ii2 else 0] = flip_side(c.imp[ii2.index(ii) if ii in ii2 else 0])
            where = "impression"
        return c.render(), f"real: {g} side ({side}) flipped in {where}", r["uid"]
    if kind == "impression_omits_finding":
        def strong(x):
            for g in ["pneumothorax", "consolidation", "oedema", "effusion", "mass"]:
                if "aff" not in x["st"][g][1]:
                    continue
                for s in x["find"]:
                    if mentions(s, g) == "aff" and not SOFT.search(s):
                        if g == "effusion" and not re.search(r"\b(moderate|large|sizable|sizeable)\b", s, re.I):
                            continue
                        if g == "oedema" and re.search(r"\bmild\b", s, re.I):
                            continue
                        return g, s
            return None
        pool = [x for x in iu if x["clean_ok"] and strong(x)]
        r = real_pick(rng, pool, used)
        g, s = strong(r)
        c = real_case(rng, r)
        c.imp = [rng.choice(IMP_MACRO)]
        return c.render(), f"real: impression replaced by '{c.imp[0]}'; findings affirm {g}: '{s[:80]}'", r["uid"]
    if kind == "negation_conflict":
        mode = rng.random()
        if mode < 0.55:
            # findings explicitly negate X; impression now affirms X
            def negs(x):
                out = []
                for g in ["pneumothorax", "effusion", "consolidation"]:
                    if x["st"][g][0] != {"neg"} or x["st"][g][1] - {"neg"}:
                        continue
                    if any(mentions(s, g) and QUAL.search(s) for s in x["find"]):
                        continue
                    out.append(g)
                return out
            pool = [x for x in iu if x["normal"] and negs(x)]
            r = real_pick(rng, pool, used)
            g = rng.choice(negs(r))
            side = rng.choice(["right", "left"])
            new = {"pneumothorax": [f"Small {side} apical pneumothorax.", f"{cap(side)} pneumothorax."],
                   "effusion": [f"Small {side} pleural effusion.", f"{cap(side)} pleural effusion.",
                                "Small bilateral pleural effusions."],
                   "consolidation": [f"{cap(side)} lower lobe consolidation.", f"{cap(side)} basilar pneumonia.",
                                     f"Focal airspace disease in the {side} lower lobe."]}[g]
            c = real_case(rng, r)
            n = rng.choice(new)
            if rng.random() < 0.5:
                c.imp = [n]
            else:
                c.imp = [n] + [s for s in c.imp if not re.search(r"normal|no acute|no active", s, re.I)]
            return c.render(), f"real: findings negate {g}, impression now '{n}'", r["uid"]
        # findings affirm X (mentioned in impression); impression now negates it
        def affs(x):
            return [g for g in ["pneumothorax", "effusion", "consolidation", "cardiomegaly"]
                    if "aff" in x["st"][g][0] and "aff" in x["st"][g][1]]
        pool = [x for x in iu if x["clean_ok"] and affs(x)]
        r = real_pick(rng, pool, used)
        g = rng.choice(affs(r))
        c = real_case(rng, r)
        neg = {"pneumothorax": ["No pneumothorax.", "No pneumothorax identified."],
               "effusion": ["No pleural effusion.", "No pleural effusions."],
               "consolidation": ["Lungs are clear.", "No focal consolidation."],
               "cardiomegaly": ["Normal heart size.", "Heart size is within normal limits."]}[g]
        n = rng.choice(neg)
        keep = [s for s in c.imp if mentions(s, g) != "aff" and not (g == "consolidation" and re.search(r"pneumonia|infiltrat|airspace|opacit", s, re.I))]
        # drop impression sentences that still carry the finding's side/name
        c.imp = [n] + [s for s in keep if not re.search(GROUPS[g], s, re.I)]
        return c.render(), f"real: findings affirm {g}, impression now negates it ('{n}')", r["uid"]
    if kind == "placeholder":
        r = real_pick(rng, [x for x in iu if x["clean_ok"]], used)
        c = real_case(rng, r)
        ph = rng.choice(PH_STYLES)
        x = rng.random()
        if x < 0.2:
            c.comparison = rng.choice([f"Chest radiograph dated {ph}.", f"{ph}"])
            where = "comparison"
        elif x < 0.3:
            c.signoff = rng.choice([f"Dr. {ph}, Consultant Radiologist", f"Electronically signed: {ph}"])
            where = "sign-off"
        else:
            sec = c.find if (x < 0.75 or len(c.imp) == 0) else c.imp
            cands = []
            for i, s in enumerate(sec):
                for m in re.finditer(r"\b(right|left|mild|normal|small|\d+(?:\.\d+)?|clear|stable|lower|upper|"
                                     r"degenerative|granuloma|calcified|bilateral)\b", s, re.I):
                    cands.append((i, m))
            if cands:
                i, m = rng.choice(cands)
                sec[i] = sec[i][:m.start()] + ph + sec[i][m.end():]
                where = f"'{m.group(0)}' replaced in {'findings' if sec is c.find else 'impression'}"
            else:
                c.history = ph
                where = "clinical history"
        return c.render(), f"real: template field '{ph}' left unfilled ({where})", r["uid"]
    raise ValueError(kind)


def build_with_sources(seed: int) -> list[dict]:
    rng = random.Random(f"h77-{seed}")
    iu = load_iu()
    used: set = set()
    plan = [None] * N_CLEAN
    for k in KINDS:
        plan += [k] * N_PER_KIND
    rows = []
    # per group: first half composed, second half real
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_PER_KIND
        for j in range(n):
            if j < n // 2:
                text, det = composed(rng, kind)
                src = "composed"
            else:
                text, det, src = real(rng, kind, iu, used)
            rows.append({"injected": kind, "detail": det, "report": text, "_source": src})
    rng.shuffle(rows)
    for n, r in enumerate(rows):
        r["id"] = f"h77-{seed}-{n}"
    return [{"id": r["id"], "injected": r["injected"], "detail": r["detail"], "report": r["report"],
             "_source": r["_source"]} for r in rows]


def build(seed: int) -> list[dict]:
    return [{k: r[k] for k in ("id", "injected", "detail", "report")} for r in build_with_sources(seed)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
