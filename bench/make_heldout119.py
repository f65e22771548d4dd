"""Held-out report-check set 119, written blind.

Setting: Sudan and South Sudan, English-reporting teaching and referral hospitals (Khartoum, Omdurman,
Bahri, Soba, Al-Shaab chest hospital, Juba, Wau), radiologists trained in Sudanese (SMSB), Egyptian and
British (FRCR) programmes. Reports are dictated or typed into Word-style templates: a hospital/department
line, an exam line ("CXR PA view", "X-ray chest PA erect"), clinical data in the local shorthand (c/o,
h/o, SOB, RTA, DM/HTN, PTB, pre-employment or travel medicals), sometimes comparison/technique, findings as
short lines ("Both lung fields are clear.", "Both CP angles are free.", "CTR 0.46."), zones rather than
lobes, Rt/Lt abbreviations, British spellings (oedema, haemoptysis, visualised, centre), an
IMPRESSION / CONCLUSION / OPINION / COMMENT line, and a sign-off with the reporting doctor's name and grade.
Most films are normal or near-normal (bronchitic markings, mild cardiomegaly, old healed TB, spondylosis).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from the phrase bank below, half
are real IU (Open-i) reports, never one whose uid is in the dev set, re-laid-out in the setting's template
and lightly re-worded (British spelling, CP angles, dorsal spine ...). Errors are ordinary slips: a side
flipped in one sentence, a normal macro pasted over the impression, a template field or option left
unfilled, a section left empty.

    python -m bench.make_heldout119 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# Setting furniture
# ----------------------------------------------------------------------------------------------------------

HOSPITALS = [
    "Khartoum Teaching Hospital - Department of Radiology",
    "Soba University Hospital, Khartoum - Radiology Department",
    "Ibn Sina Hospital, Khartoum - X-Ray Department",
    "Omdurman Teaching Hospital - Department of Radiology",
    "Bahri Teaching Hospital - Radiology Unit",
    "Al-Shaab Teaching Hospital (Chest Hospital), Khartoum - Radiology",
    "Ibrahim Malik Teaching Hospital - Diagnostic Imaging",
    "Juba Teaching Hospital - Department of Radiology",
    "Wau Teaching Hospital - X-Ray Department",
    "Ahmed Gasim Hospital, Bahri - Radiology Department",
]

EXAM_LINES = [
    "Examination: Chest X-ray PA view",
    "EXAM: CXR PA",
    "X-RAY CHEST (PA ERECT)",
    "Examination: Plain chest radiograph, PA view",
    "Exam: Chest X-ray (PA)",
    "CHEST X-RAY - PA VIEW",
    "Examination: CXR PA erect",
    "Study: Chest radiograph PA",
]
EXAM_LINES_AP = [
    "Examination: Chest X-ray AP (portable)",
    "EXAM: CXR AP supine",
    "X-RAY CHEST (AP, bedside)",
]
EXAM_LINES_REAL = [
    "Examination: Chest X-ray PA and lateral views",
    "EXAM: CXR PA & Lat",
    "X-RAY CHEST (PA AND LATERAL)",
    "Examination: Plain chest radiograph, two views",
    "Study: Chest radiographs",
]

HISTORY_HEADERS = ["Clinical data:", "Clinical history:", "CLINICAL INFORMATION:", "Indication:", "History:",
                   "Clinical notes:"]
COMPARISON_HEADERS = ["Comparison:", "COMPARISON:", "Previous films:", "Comparison:"]
FINDINGS_HEADERS = ["FINDINGS:", "Findings:", "REPORT:", "Report:", "FINDINGS", "Findings"]
IMPRESSION_HEADERS = ["IMPRESSION:", "Impression:", "CONCLUSION:", "Conclusion:", "OPINION:", "Opinion:",
                      "COMMENT:", "Comment:"]

HISTORY_GENERIC = [
    "Cough for 3 weeks.", "C/O cough and fever for 1 week.", "Pre-employment medical.", "Medical fitness (travel).",
    "Visa medical examination.", "Known hypertensive, SOB on exertion.", "DM and HTN, chest pain.",
    "Productive cough and fever, ? chest infection.", "Routine check-up.",
    "Pre-op assessment (inguinal hernia repair).",
    "Pre-op, thyroidectomy.", "Known asthmatic, wheeze.", "Chest pain, r/o chest infection.",
    "Contact of a PTB patient.", "Follow-up of PTB on treatment.", "Haemoptysis and weight loss.",
    "Fever, ? pneumonia.", "Dry cough, 2 weeks.", "SOB and orthopnoea.", "RTA, chest trauma.",
    "Fall from height, chest pain.", "Sickle cell disease, chest pain and fever.", "Ref. from Medical OPD: cough.",
    "HIV positive, cough.", "Pre-op, cholecystectomy.", "Back pain and cough.", "CKD on dialysis, SOB.",
]
COMPARISONS = ["None.", "No previous films.", "None available.", "Nil.", "Previous CXR XXXX.",
               "Previous film dated XXXX."]

DOCTORS = [
    ("Dr. Amna Elsheikh Osman", "Consultant Radiologist"),
    ("Dr. Mohamed Abdelrahman Babiker", "Consultant Radiologist, MD (SMSB)"),
    ("Dr. Hiba Abdalla Elamin", "Radiology Registrar"),
    ("Dr. Tarig Elfadil", "Senior Registrar, Radiology"),
    ("Dr. Nafisa Mahgoub", "Consultant Radiologist, FRCR"),
    ("Dr. Omer Hassan Ali", "Specialist Radiologist"),
    ("Dr. Sara Kamal Eldin", "Radiology Resident"),
    ("Dr. Deng Akol Garang", "Consultant Radiologist"),
    ("Dr. Achol Majok Lual", "Medical Officer, Radiology"),
    ("Dr. James Lado Wani", "Radiologist"),
    ("Dr. Mary Awut Deng", "Senior Registrar"),
    ("Dr. Ahmed Fathy Mansour", "Consultant Radiologist, MD (Cairo)"),
    ("Dr. Samia Ibrahim Nour", "Specialist Radiologist, MSc"),
    ("Dr. Taban Lemi Ladu", "Radiology Registrar"),
]

NORMAL_BANK = {
    "lungs": ["Both lung fields are clear.", "Clear lung fields bilaterally.", "Both lungs are clear, no focal lesion.",
              "No focal lung lesion seen.", "Lung fields are clear with normal bronchovascular markings.",
              "The lungs are well expanded and clear.", "Both lung fields show normal translucency."],
    "pleura": ["Both CP angles are free.", "Both costophrenic angles are sharp.", "CP angles are clear.",
               "No pleural effusion.", "Costophrenic angles are clear bilaterally.", "Both CP angles are sharp."],
    "heart": ["Heart size is normal (CTR {ctr}).", "Cardiac size within normal limits.", "Normal cardiac shadow.",
              "Cardiac silhouette is normal in size and shape.", "CTR is {ctr}, within normal.",
              "Heart is not enlarged."],
    "media": ["Mediastinum is central and not widened.", "Both hila are normal.", "Normal hilar shadows.",
              "Trachea is central.", "Trachea central, mediastinum normal."],
    "diaph": ["Both hemidiaphragms are well outlined.", "Domes of diaphragm are normal in position and outline.",
              "Both domes of the diaphragm are smooth.", "Normal diaphragmatic outlines."],
    "bones": ["Bony thorax is intact.", "Visualised bony cage is unremarkable.", "No bony abnormality seen.",
              "Ribs and visualised dorsal spine are normal."],
    "soft": ["Soft tissues are unremarkable.", "Chest wall soft tissues are normal."],
}
ELEMENT_ORDER = ["lungs", "pleura", "heart", "media", "diaph", "bones", "soft"]

NORMAL_IMPRESSIONS = ["Normal chest X-ray.", "Normal study.", "No abnormality detected.", "NAD.",
                      "No active chest disease.", "Normal chest radiograph.", "Normal CXR.",
                      "No significant abnormality seen.", "Unremarkable chest X-ray.", "Normal chest X-ray study."]
# pasted macros used for the impression_omits_finding slip (generic: they do not name an organ)
PASTED_NORMAL = ["Normal chest X-ray.", "Normal study.", "No abnormality detected.", "NAD.", "No active chest disease.",
                 "No significant abnormality detected.", "Unremarkable study.", "No acute cardiopulmonary disease.",
                 "No radiological abnormality seen.", "Normal CXR."]

NON_DESCRIPTIVE_IMPRESSIONS = ["Kindly correlate clinically.", "Please correlate with clinical findings.",
                               "Follow-up as clinically indicated.", "Comparison with previous films is advised.",
                               "To be reviewed with the clinical team.", "Kindly correlate with the lab results."]


def side_word(side: str, style: str, cap: bool = False) -> str:
    if style == "abbr":
        w = "Rt" if side == "right" else "Lt"
    else:
        w = side
    return w[0].upper() + w[1:] if cap else w


def other(side: str) -> str:
    return "left" if side == "right" else "right"


# ----------------------------------------------------------------------------------------------------------
# Synthetic findings model
# ----------------------------------------------------------------------------------------------------------
# Each scenario: element it replaces, findings sentence(s) (with {S}/{s} for side), impression sentence(s),
# significant (must be in impression), lateral, weight in the clean mix, can_omit (may be left out of a clean
# impression).

SCEN = {
    "normal": dict(w=58, sig=False, lat=False),
    "bronchitic": dict(
        w=8, sig=False, lat=False, el="lungs",
        f=["Prominent bronchovascular markings in both lower zones.",
           "Increased bronchovascular markings bilaterally, more in the lower zones.",
           "Accentuated bronchovascular markings in both para-cardiac regions."],
        i=["Prominent bronchovascular markings, likely bronchitic changes.", "Bronchitic changes.",
           "Bronchitic chest; no focal consolidation."]),
    "mild_cmg": dict(
        w=6, sig=False, lat=False, el="heart", omit=True,
        f=["Mild cardiomegaly (CTR {ctrm}).", "Cardiac shadow is mildly enlarged, CTR {ctrm}.",
           "Borderline cardiac size, CTR {ctrm}."],
        i=["Mild cardiomegaly.", "Mildly enlarged cardiac shadow.", "Borderline cardiomegaly."]),
    "old_tb": dict(
        w=6, sig=False, lat=True, el="lungs", omit=True,
        f=["Fibrotic strands with few calcific foci in the {s} upper zone, with mild volume loss.",
           "{S} apical fibrosis with calcified nodules and mild volume loss.",
           "Linear fibrotic opacities in the {s} upper zone."],
        i=["Old healed TB changes in the {s} upper zone.", "{S} upper zone fibrosis, likely post-TB sequelae.",
           "Post-tuberculous fibrotic changes, {s} upper zone; no active lesion."]),
    "small_eff": dict(
        w=3, sig=False, lat=True, el="pleura", omit=True,
        f=["Blunting of the {s} CP angle.", "Mild blunting of the {s} costophrenic angle, ? minimal effusion.",
           "{S} CP angle is blunted (minimal effusion vs pleural thickening)."],
        i=["Blunted {s} CP angle, minimal effusion vs pleural thickening.", "Minimal {s} pleural effusion.",
           "Small {s} pleural reaction."]),
    "granuloma": dict(
        w=3, sig=False, lat=True, el=None, omit=True,
        f=["A small calcified granuloma in the {s} mid zone.",
           "Tiny calcific focus in the {s} lower zone, likely a granuloma.",
           "Calcified granuloma projected over the {s} upper zone."],
        i=["Calcified granuloma, {s} lung.", "{S} calcified granuloma (old infection)."]),
    "spondylosis": dict(
        w=4, sig=False, lat=False, el="bones", omit=True,
        f=["Degenerative changes (marginal osteophytes) of the dorsal spine.", "Dorsal spondylosis.",
           "Osteophytes along the mid dorsal vertebrae."],
        i=["Dorsal spondylosis.", "Degenerative changes of the dorsal spine."]),
    "rib_fx": dict(
        w=2, sig=False, lat=True, el="bones", omit=True,
        f=["Old healed fracture of the {s} 7th rib.", "Healed fractures of the {s} 5th and 6th ribs with callus.",
           "Old healed fracture of the {s} 9th rib."],
        i=["Old healed {s} rib fracture.", "Healed {s} rib fractures."]),
    "copd": dict(
        w=3, sig=False, lat=False, el="lungs",
        f=["Hyperinflated lung fields (10 posterior ribs) with flattened domes of diaphragm.",
           "Hyperlucent, hyperexpanded lungs with a narrow vertical heart."],
        i=["Features of hyperinflation, in keeping with COPD.", "Hyperinflated lungs - ? COPD / chronic asthma."]),
    "aorta": dict(
        w=3, sig=False, lat=False, el="media", omit=True,
        f=["Unfolded aorta with calcification of the aortic knuckle.", "Unfolded thoracic aorta."],
        i=["Unfolded calcified aorta.", "Unfolded aorta."]),
    "elev_dia": dict(
        w=1, sig=False, lat=True, el="diaph",
        f=["Elevated {s} hemidiaphragm.", "The {s} dome of diaphragm is raised."],
        i=["Elevated {s} hemidiaphragm, ? eventration.", "Raised {s} dome of diaphragm."]),
    "consol": dict(
        w=8, sig=True, lat=True, el="lungs", term="consolidation",
        f=["Patchy air-space opacity in the {s} lower zone with air bronchograms.",
           "Homogeneous opacity in the {s} mid and lower zones with air bronchogram, "
           "silhouetting the {s} heart border.",
           "Ill-defined consolidation in the {s} lower zone.",
           "Patchy consolidation in the {s} upper zone."],
        i=["{S} lower zone consolidation, likely pneumonia.", "Features of {s} lower zone pneumonia.",
           "{S} sided consolidation, ? infective; follow-up film after treatment advised."]),
    "mod_eff": dict(
        w=4, sig=True, lat=True, el="pleura", term="moderate pleural effusion",
        f=["Homogeneous opacity in the {s} lower zone obliterating the {s} CP angle with a concave upper border, "
           "in keeping with a moderate pleural effusion.",
           "Moderate {s} pleural effusion with meniscus sign.",
           "Large {s} pleural effusion occupying the lower half of the {s} hemithorax, no mediastinal shift."],
        i=["Moderate {s} pleural effusion.", "{S} pleural effusion (moderate to large); diagnostic tap advised.",
           "{S} sided pleural effusion."]),
    "ptx": dict(
        w=1.5, sig=True, lat=True, el="pleura", term="pneumothorax",
        f=["{S} pneumothorax with a visible visceral pleural line and absent peripheral lung markings.",
           "Small {s} apical pneumothorax.", "{S} sided pneumothorax, about 2 cm rim, no mediastinal shift."],
        i=["{S} pneumothorax.", "{S} sided pneumothorax; kindly inform the treating team."]),
    "mass": dict(
        w=1.5, sig=True, lat=True, el=None, term="mass",
        f=["A well-defined rounded opacity measuring about 3 cm in the {s} mid zone.",
           "A lobulated mass lesion (4 x 3 cm) in the {s} mid zone.", "A 12 mm nodule in the {s} upper zone."],
        i=["{S} lung mass lesion; CT chest with contrast recommended.", "{S} sided pulmonary mass/nodule, for CT."]),
    "active_tb": dict(
        w=2, sig=True, lat=True, el="lungs", term="cavitating consolidation",
        f=["Patchy opacities with a thick-walled cavity in the {s} upper zone.",
           "Consolidation with cavitation in the {s} upper zone."],
        i=["{S} upper zone cavitating lesion, likely active PTB; sputum for AFB / GeneXpert advised.",
           "Active pulmonary TB, {s} upper zone."]),
    "cmg_congest": dict(
        w=3, sig=True, lat=False, el="heart", term="pulmonary venous congestion",
        f=["Cardiomegaly (CTR {ctrb}) with upper lobe venous diversion and perihilar haziness (pulmonary congestion).",
           "Enlarged cardiac shadow, CTR {ctrb}, with features of pulmonary venous congestion and Kerley B lines."],
        i=["Cardiomegaly with pulmonary venous congestion, ? heart failure. Echo advised.",
           "Cardiomegaly and pulmonary congestion."]),
    "oedema": dict(
        w=1, sig=True, lat=False, el="lungs", term="pulmonary oedema",
        f=["Bilateral perihilar (bat-wing) opacities with Kerley B lines, in keeping with pulmonary oedema.",
           "Bilateral hazy alveolar opacities, perihilar in distribution - pulmonary oedema."],
        i=["Pulmonary oedema.", "Features of pulmonary oedema; correlate with renal function."]),
    "wide_med": dict(
        w=0.6, sig=True, lat=False, el="media", term="widened mediastinum", ap=True,
        f=["The superior mediastinum is widened (about 9 cm).",
           "Widened upper mediastinum with loss of the aortic knuckle outline."],
        i=["Widened mediastinum; CT angiography advised to exclude aortic injury.", "Widened superior mediastinum."]),
}
SCEN_HISTORY = {
    "consol": ["Fever and productive cough.", "? Pneumonia.", "Cough and chest pain, 5 days."],
    "mod_eff": ["SOB and pleuritic chest pain.", "Decreased breath sounds, ? effusion."],
    "ptx": ["Sudden SOB.", "Stab wound chest.", "RTA, chest pain."],
    "active_tb": ["Chronic cough, night sweats and weight loss.", "Haemoptysis, ? PTB."],
    "old_tb": ["Treated PTB 2015, now routine check.", "Old PTB, follow-up."],
    "cmg_congest": ["Known hypertensive, orthopnoea.", "SOB, bilateral LL oedema."],
    "oedema": ["CKD, SOB.", "Acute SOB, known cardiac."],
    "wide_med": ["RTA, chest trauma.", "RTA, polytrauma."],
    "mass": ["Weight loss and haemoptysis.", "Heavy smoker, chronic cough."],
    "copd": ["Chronic smoker, SOB.", "Known asthmatic."],
}
QUALIFY = {"granuloma", "mass", "mod_eff", "ptx", "small_eff", "cmg_congest", "wide_med"}
QUALIFIED_LUNGS = ["No focal consolidation.", "Rest of the lung fields are clear.", "No consolidation or collapse.",
                   "Otherwise clear lung fields."]
CLEAN_POOL = [k for k in SCEN]
LAT_POOL = [k for k, v in SCEN.items() if v["lat"]]
SIG_POOL = [k for k, v in SCEN.items() if v["sig"]]
NONSIG_SECONDARY = ["bronchitic", "spondylosis", "granuloma", "aorta", "old_tb", "rib_fx"]


def wpick(rng: random.Random, keys: list[str], boost: dict[str, float] | None = None) -> str:
    ws = [SCEN[k]["w"] * (boost or {}).get(k, 1.0) for k in keys]
    return rng.choices(keys, weights=ws, k=1)[0]


class Synth:
    """One composed report: findings/impression sentences plus furniture, rendered by render()."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.style = "abbr" if rng.random() < 0.3 else "full"
        self.hospital = rng.choice(HOSPITALS)
        self.exam = rng.choice(EXAM_LINES)
        self.history = rng.choice(HISTORY_GENERIC)
        self.comparison = rng.choice(COMPARISONS) if rng.random() < 0.35 else None
        self.technique = rng.choice(["Erect PA view, adequate inspiration and penetration.",
                                     "PA erect, good inspiratory effort.", "Adequate exposure, no rotation."]) \
            if rng.random() < 0.25 else None
        self.fh = rng.choice(FINDINGS_HEADERS)
        self.ih = rng.choice(IMPRESSION_HEADERS)
        self.doc = rng.choice(DOCTORS)
        self.signoff = rng.random() < 0.88
        self.agesex = rng.random() < 0.45
        self.age = rng.randint(16, 82)
        self.sex = rng.choice(["M", "F"])
        if re.search(r"employment|Visa|fitness", self.history):
            self.age = rng.randint(19, 45)
        self.lines = rng.random() < 0.5      # one finding per line
        self.bullets = self.lines and rng.random() < 0.4
        self.ctr = f"0.{rng.randint(40, 49)}"
        # element -> sentence
        els = ["lungs", "pleura", "heart"] + rng.sample(["media", "diaph", "bones", "soft"], rng.randint(1, 4))
        self.find: dict[str, str] = {e: rng.choice(NORMAL_BANK[e]).format(ctr=self.ctr) for e in els}
        self.extra: list[str] = []          # extra findings sentences (no element)
        self.impr: list[str] = []
        self.scen: list[tuple[str, str | None]] = []
        self.findings_empty = False
        self.findings_absent = False
        self.impression_empty = False
        self.impression_absent = False
        self.signoff_text: str | None = None
        self.history_text: str | None = None
        self.comparison_text: str | None = None

    def fmt(self, text: str, side: str | None) -> str:
        ctrm = f"0.{self.rng.randint(51, 55)}"
        ctrb = f"0.{self.rng.randint(58, 66)}"
        if side is None:
            return text.format(ctrm=ctrm, ctrb=ctrb, s="", S="")
        return text.format(s=side_word(side, self.style), S=side_word(side, self.style, cap=True), ctrm=ctrm, ctrb=ctrb)

    def add(self, key: str, side: str | None = None, impr: bool = True, fidx: int | None = None) -> tuple[str, str]:
        """Add scenario key; returns (findings sentence template, impression template)."""
        sc = SCEN[key]
        if sc["lat"] and side is None:
            side = self.rng.choice(["right", "left"])
        ft = sc["f"][fidx] if fidx is not None else self.rng.choice(sc["f"])
        it = self.rng.choice(sc["i"])
        fs = self.fmt(ft, side)
        self.qualify_lungs(key)
        if key == "copd":
            self.find.pop("diaph", None)
        if sc.get("el"):
            self.find[sc["el"]] = fs
        else:
            self.extra.append(fs)
        if sc.get("ap"):
            self.exam = self.rng.choice(EXAM_LINES_AP)
        if key in SCEN_HISTORY and self.rng.random() < 0.6:
            self.history = self.rng.choice(SCEN_HISTORY[key])
        if impr:
            self.impr.append(self.fmt(it, side))
        self.scen.append((key, side))
        return ft, it

    def qualify_lungs(self, key: str) -> None:
        """A finding outside the 'lungs' line must not sit next to an absolute 'lungs are clear'."""
        if key in QUALIFY and self.find.get("lungs") in NORMAL_BANK["lungs"]:
            self.find["lungs"] = self.rng.choice(QUALIFIED_LUNGS)

    def findings_list(self) -> list[str]:
        out = [self.find[e] for e in ELEMENT_ORDER if e in self.find]
        # extras go after lungs
        pos = 1 if out else 0
        return out[:pos] + self.extra + out[pos:]

    def render(self) -> str:
        rng = self.rng
        parts: list[str] = [self.hospital]
        head = self.exam
        if self.agesex:
            head += f"\nAge/Sex: {self.age} Y / {self.sex}"
        parts.append(head)
        hist = self.history_text if self.history_text is not None else self.history
        if hist:
            parts.append(f"{self.hh} {hist}")
        comp = self.comparison_text if self.comparison_text is not None else self.comparison
        if comp:
            parts.append(f"{self.ch} {comp}")
        if self.technique:
            parts.append(f"Technique: {self.technique}")
        if not self.findings_absent:
            if self.findings_empty:
                parts.append(self.fh)
            else:
                fl = self.findings_list()
                if self.lines:
                    body = "\n".join(("- " + s) if self.bullets else s for s in fl)
                else:
                    body = " ".join(fl)
                sep = "\n" if (self.lines or not self.fh.endswith(":")) else " "
                parts.append(self.fh + sep + body)
        if not self.impression_absent:
            if self.impression_empty:
                parts.append(self.ih)
            else:
                if len(self.impr) > 1 and rng.random() < 0.5:
                    body = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(self.impr))
                    parts.append(self.ih + "\n" + body)
                else:
                    sep = " " if self.ih.endswith(":") else "\n"
                    parts.append(self.ih + sep + " ".join(self.impr))
        if self.signoff_text is not None:
            parts.append(self.signoff_text)
        elif self.signoff:
            name, grade = self.doc
            parts.append(rng.choice([f"{name}\n{grade}", f"Reported by: {name} ({grade})",
                                     f"Signed: {name}, {grade}", f"{name} - {grade}"]))
        return "\n\n".join(parts)

    @property
    def hh(self) -> str:
        if not hasattr(self, "_hh"):
            self._hh = self.rng.choice(HISTORY_HEADERS)
        return self._hh

    @property
    def ch(self) -> str:
        if not hasattr(self, "_ch"):
            self._ch = self.rng.choice(COMPARISON_HEADERS)
        return self._ch


def normal_impression(s: Synth) -> None:
    s.impr = [s.rng.choice(NORMAL_IMPRESSIONS)]


def synth_clean(rng: random.Random) -> Synth:
    s = Synth(rng)
    key = wpick(rng, CLEAN_POOL)
    if key == "normal":
        normal_impression(s)
        if rng.random() < 0.08:
            # impression-only report that itself describes the film (complete)
            s.findings_absent = True
            s.impr = [rng.choice(["Both lung fields are clear, heart size is normal and both CP angles are free. "
                                  "Normal chest X-ray.",
                                  "Clear lungs, normal cardiac size, free CP angles and intact bony thorax - NAD.",
                                  "Normal lung fields, heart, hila and diaphragm. No abnormality detected."])]
        return s
    omit = SCEN[key].get("omit") and rng.random() < 0.35
    s.add(key, impr=not omit)
    if rng.random() < 0.15:
        sec = rng.choice([k for k in NONSIG_SECONDARY if k != key and SCEN[k].get("el") != SCEN[key].get("el")])
        s.add(sec, impr=rng.random() < 0.5)
    if not s.impr:
        s.impr = [rng.choice(["No active lung lesion.", "No active chest disease.", "No acute lung pathology.",
                              "No focal consolidation or effusion."])]
        if key == "small_eff":
            s.impr = [rng.choice(["No active lung lesion.", "No focal consolidation."])]
    elif SCEN[key]["sig"] is False and rng.random() < 0.4:
        s.impr.append(rng.choice(["Otherwise normal chest.", "No other abnormality.", "No active lung lesion."]))
    return s


def synth_missing(rng: random.Random) -> tuple[Synth, str]:
    s = synth_clean(rng)
    if s.findings_absent:
        s.findings_absent = False
        normal_impression(s)
    r = rng.random()
    if r < 0.4:
        s.impression_empty = True
        return s, f"impression section ({s.ih}) left empty; findings described"
    if r < 0.7:
        s.impression_absent = True
        return s, "impression/conclusion section absent; report goes from findings to sign-off"
    s.impr = [rng.choice(NON_DESCRIPTIVE_IMPRESSIONS)]
    if r < 0.88:
        s.findings_empty = True
        return s, f"findings section ({s.fh}) left empty; impression only says '{s.impr[0]}'"
    s.findings_absent = True
    return s, f"findings section absent; impression only says '{s.impr[0]}'"


def synth_laterality(rng: random.Random) -> tuple[Synth, str]:
    s = Synth(rng)
    key = wpick(rng, LAT_POOL, boost={"consol": 1.5, "mod_eff": 1.5})
    side = rng.choice(["right", "left"])
    sc = SCEN[key]
    ft = rng.choice(sc["f"])
    it = rng.choice(sc["i"])
    where = rng.random()
    if where < 0.6:
        fs, is_ = s.fmt(ft, side), s.fmt(it, other(side))
        det = f"{key}: findings {side}, impression says {other(side)}"
    else:
        fs, is_ = s.fmt(ft, other(side)), s.fmt(it, side)
        det = f"{key}: impression {side}, findings sentence flipped to {other(side)}"
    s.qualify_lungs(key)
    if sc.get("el"):
        s.find[sc["el"]] = fs
    else:
        s.extra.append(fs)
    s.impr = [is_]
    if key in SCEN_HISTORY and rng.random() < 0.6:
        s.history = rng.choice(SCEN_HISTORY[key])
    if rng.random() < 0.2:
        sec = rng.choice([k for k in ["spondylosis", "aorta", "bronchitic"] if SCEN[k]["el"] != sc.get("el")])
        s.add(sec, impr=False)
    return s, det


def synth_negation(rng: random.Random) -> tuple[Synth, str]:
    s = Synth(rng)
    side = rng.choice(["right", "left"])
    v = rng.choice(["eff", "cmg", "consol", "ptx", "neg_consol", "neg_cmg", "neg_eff", "tb"])
    sw, SW = side_word(side, s.style), side_word(side, s.style, True)
    if v == "eff":
        s.find["pleura"] = rng.choice(["Both CP angles are free.", "No pleural effusion.",
                                       "Both costophrenic angles are sharp."])
        s.impr = [rng.choice([f"{SW} pleural effusion.", f"Small {sw} pleural effusion.",
                              f"Moderate {sw} sided pleural effusion."])]
        det = f"findings: '{s.find['pleura']}'; impression asserts {side} pleural effusion"
    elif v == "cmg":
        s.find["heart"] = rng.choice([f"Heart size is normal (CTR {s.ctr}).", "Cardiac size within normal limits.",
                                      "Heart is not enlarged.", f"CTR is {s.ctr}, within normal."])
        s.impr = [rng.choice(["Cardiomegaly.", "Cardiomegaly; no active lung lesion.",
                              "Enlarged cardiac shadow, ? cardiomyopathy."])]
        det = f"findings: '{s.find['heart']}'; impression asserts cardiomegaly"
    elif v == "consol":
        s.find["lungs"] = rng.choice(["Both lung fields are clear.", "Clear lung fields bilaterally.",
                                      "No focal lung lesion seen. No consolidation."])
        s.impr = [rng.choice([f"{SW} lower zone pneumonia.", f"{SW} lower zone consolidation, likely infective.",
                              f"Patchy {sw} basal consolidation."])]
        det = f"findings: '{s.find['lungs']}'; impression asserts {side} consolidation"
    elif v == "ptx":
        s.extra.append("No pneumothorax." if "effusion" in s.find["pleura"] else
                       rng.choice(["No pneumothorax.", "No pneumothorax or pleural effusion."]))
        s.impr = [rng.choice([f"Small {sw} apical pneumothorax.", f"{SW} pneumothorax."])]
        det = "findings say no pneumothorax; impression asserts pneumothorax"
    elif v == "tb":
        s.find["lungs"] = rng.choice(["Both lung fields are clear.", "Both lungs are clear, no focal lesion."])
        s.impr = [rng.choice([f"Old healed TB changes in the {sw} upper zone.", f"{SW} upper zone fibrosis, post-TB."])]
        det = "findings: lungs clear; impression asserts upper zone fibrosis"
    elif v == "neg_consol":
        s.add("consol", side=side, impr=False)
        s.impr = [rng.choice(["Clear lung fields. Normal cardiac size.", "No consolidation. No pleural effusion.",
                              "Both lungs are clear."])]
        det = "findings affirm consolidation; impression says lungs clear / no consolidation"
    elif v == "neg_cmg":
        s.add(rng.choice(["mild_cmg", "cmg_congest"]) if rng.random() < 0.3 else "mild_cmg", impr=False)
        s.impr = [rng.choice(["Normal heart size. No active lung lesion.", "Normal cardiac size.",
                              "Heart is not enlarged; lungs clear."])]
        if SCEN[s.scen[-1][0]]["sig"]:
            s.impr = ["Normal heart size. Pulmonary venous congestion."]
        det = "findings affirm cardiomegaly; impression says heart size normal"
    else:
        s.add("mod_eff", side=side, impr=False)
        s.impr = [rng.choice(["Both CP angles are free. No active chest disease.", "No pleural effusion.",
                              "No effusion or pneumothorax. Normal study."])]
        det = "findings affirm pleural effusion; impression says no effusion / CP angles free"
    return s, det


def synth_omits(rng: random.Random) -> tuple[Synth, str]:
    s = Synth(rng)
    key = wpick(rng, SIG_POOL, boost={"consol": 1.5, "mod_eff": 1.5, "ptx": 2.0, "mass": 1.5, "wide_med": 2.0,
                                      "oedema": 1.5})
    s.add(key, impr=False)
    term = SCEN[key]["term"]
    r = rng.random()
    if r < 0.6:
        s.impr = [rng.choice(PASTED_NORMAL)]
        det = f"findings affirm {term}; normal macro pasted as impression"
    elif r < 0.85:
        sec = rng.choice([k for k in ["spondylosis", "aorta", "granuloma", "rib_fx"]
                          if SCEN[k]["el"] != SCEN[key].get("el")])
        s.add(sec, impr=True)
        s.impr.append(rng.choice(["Otherwise normal.", "No other significant abnormality.", "Otherwise NAD."]))
        det = f"findings affirm {term}; impression mentions only {sec}"
    else:
        if key == "cmg_congest":
            s.impr = ["Cardiomegaly."]
            det = "findings affirm cardiomegaly with pulmonary congestion; impression says only cardiomegaly"
        else:
            sec = "mild_cmg" if SCEN[key].get("el") != "heart" else "bronchitic"
            s.add(sec, impr=True)
            det = f"findings affirm {term}; impression mentions only {sec}"
    return s, det


PH_FIELD = ["[ ]", "[***]", "<< >>", "***", "[....]", "{ }", "[  ]"]


def synth_placeholder(rng: random.Random) -> tuple[Synth, str]:
    s = synth_clean(rng)
    lat = [(k, sd) for k, sd in s.scen if sd]
    v = rng.choice(["cardiac_opt", "ctr", "signoff", "history", "comparison", "side", "impr_word", "age"])
    if v == "side" and not lat:
        v = "cardiac_opt"
    if v == "cardiac_opt" and "heart" not in s.find or (v == "cardiac_opt" and s.scen and any(
            SCEN[k].get("el") == "heart" for k, _ in s.scen)):
        v = "ctr" if not any(SCEN[k].get("el") == "heart" for k, _ in s.scen) else "signoff"
    if v == "ctr" and any(SCEN[k].get("el") == "heart" for k, _ in s.scen):
        v = "history"
    if s.findings_absent and v in ("cardiac_opt", "ctr", "side", "impr_word"):
        v = "signoff"
    if v == "cardiac_opt":
        s.find["heart"] = rng.choice(["Heart size is (normal / enlarged).", "Cardiac size: [normal/enlarged].",
                                      "Heart size is [normal / mildly enlarged / enlarged]."])
        det = "template option for heart size left unchosen"
    elif v == "ctr":
        ph = rng.choice(["....", "[ ]", "***", "<<CTR>>"])
        s.find["heart"] = rng.choice([f"Heart size is normal (CTR {ph}).", f"CTR is {ph}, within normal."])
        det = f"CTR value left as '{ph}'"
    elif v == "signoff":
        s.signoff_text = rng.choice(["Reported by: Dr. ....................",
                                     "Radiologist: [Name]\nSignature: ..........",
                                     "Dr. <<radiologist>>\nConsultant Radiologist", "Reported by: [ ]"])
        det = "sign-off name field not filled"
    elif v == "history":
        s.history_text = rng.choice(["[clinical details]", "[ ]", "....................", "<<indication>>"])
        det = f"clinical history field left as '{s.history_text}'"
    elif v == "comparison":
        s.comparison_text = rng.choice(["Previous film dated [date].", "CXR of [ ]", "Previous film dated ../../....",
                                        "<<date of previous study>>"])
        det = f"comparison field left as '{s.comparison_text}'"
    elif v == "age":
        s.agesex = False
        s.exam += rng.choice(["\nAge/Sex: [age] / [sex]", "\nAge/Sex: {AGE} / {SEX}", "\nAge: .... Y  Sex: ...."])
        det = "age/sex template fields not filled"
    elif v == "side":
        key, sd = lat[0]
        ph = rng.choice(["[Rt/Lt]", "[side]", "<<side>>", "(right/left)"])
        sw = side_word(sd, s.style)
        # replace the side in the findings sentence for that scenario
        el = SCEN[key].get("el")
        target = s.find[el] if el else s.extra[0]
        new = re.sub(rf"\b{sw}\b", ph, target, count=1, flags=re.I)
        if el:
            s.find[el] = new
        else:
            s.extra[0] = new
        det = f"side of {key} left as '{ph}' in findings"
    else:
        ph = rng.choice(PH_FIELD)
        imp = s.impr[0]
        words = imp.rstrip(".").split(" ")
        idx = rng.randrange(len(words))
        words[idx] = ph
        s.impr[0] = " ".join(words) + "."
        det = f"word '{imp.rstrip('.').split(' ')[idx]}' in the impression replaced by '{ph}'"
    return s, det


# ----------------------------------------------------------------------------------------------------------
# Real IU reports
# ----------------------------------------------------------------------------------------------------------

def load_iu(sd: Path) -> list[dict]:
    path = sd / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            f = tf.extractfile(m)
            if f is None:
                continue
            x = f.read().decode("utf-8", "replace")
            uid = re.search(r'<uId id="([^"]+)"', x)
            if not uid:
                continue
            sec = {}
            for lab, txt in re.findall(r'<AbstractText Label="([A-Z]+)"(?:/>|>(.*?)</AbstractText>)', x, re.S):
                sec[lab.lower()] = clean_text(txt or "")
            majors = [html.unescape(t).strip() for t in re.findall(r"<major>(.*?)</major>", x)]
            out.append(dict(uid=uid.group(1), majors=majors, findings=sec.get("findings", ""),
                            impression=sec.get("impression", ""), indication=sec.get("indication", ""),
                            comparison=sec.get("comparison", "")))
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


def clean_text(t: str) -> str:
    t = html.unescape(t)
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\s+\.", ".", t)
    t = re.sub(r"\.(\s*\.)+", ".", t)
    return t


def dev_uids(sd: Path) -> set[str]:
    out = set()
    with open(sd / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.add(json.loads(line)["uid"])
    return out


SIG_RE = re.compile(r"pneumothora|consolidat|pneumonia|edema|oedema|effusion|infiltrat|air ?space disease|"
                    r"\bmass\b|congest|widen", re.I)
NEG_RE = re.compile(r"\bno\b|\bnot\b|without|negative|resolv|clear|\bfree\b|removed|\bnor\b|exclude|absent|"
                    r"normal|previous|prior", re.I)
HEDGE_RE = re.compile(r"small|trace|tiny|minimal|possib|\bmay\b|might|could|cannot|question|likely|suggest|"
                      r"versus|\bvs\b|concern|chronic|stable|unchanged|\bold\b|healed|improv|decreas|mild|minor|"
                      r"subtle|borderline|atelecta|scar|\?|\bor\b|slight|secondary|due to|tortuous|accentuat|"
                      r"technique|portable|low lung volume|prominen|calcif|granulom|postoperative|post-operative|"
                      r"surgical|history|known|residual|persistent|\bif\b|probab", re.I)
BENIGN_MAJOR = ("calcified granuloma", "granulomatous disease", "spine", "thoracic vertebrae", "osteophyte",
                "cicatrix", "aorta", "calcinosis", "spondylosis", "scoliosis", "granuloma", "kyphosis",
                "hyperostosis", "nipple shadow", "diaphragm")


def sentences(t: str) -> list[str]:
    return [p for p in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t) if p.strip()]


def affirmed_sig(findings: str) -> list[str]:
    """Sentences of findings that affirm a significant finding without negation or hedging."""
    hits = []
    for s in sentences(findings):
        if not SIG_RE.search(s) or NEG_RE.search(s) or HEDGE_RE.search(s):
            continue
        if re.search(r"effusion", s, re.I) and not re.search(r"moderate|large", s, re.I):
            continue
        hits.append(s)
    return hits


def any_sig_mention(findings: str) -> bool:
    for s in sentences(findings):
        if SIG_RE.search(s) and not re.search(r"\bno\b|\bnot\b|without|negative|\bnor\b", s, re.I):
            return True
    return False


BRIT = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"hemorrhag", "haemorrhag"), (r"esophag", "oesophag"),
        (r"\btumor", "tumour"), (r"\bcenter", "centre"), (r"hiatal hernia", "hiatus hernia"), (r"ischemi", "ischaemi"),
        (r"anemi", "anaemi"), (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"),
        (r"\bcalcified granulomas?\b", lambda m: m.group(0))]
OPTIONAL_SWAPS = [
    (r"\bcostophrenic angles\b", "CP angles"), (r"\bcostophrenic angle\b", "CP angle"),
    (r"\bthoracic spine\b", "dorsal spine"), (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Both lung fields are clear"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bNo acute cardiopulmonary (abnormality|disease)\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary process\b", "No active chest disease"),
    (r"\bpulmonary vascularity\b", "pulmonary vasculature"),
]


def reword(t: str, swaps: list[tuple[str, str]]) -> str:
    for a, b in BRIT:
        t = re.sub(a, b, t)
    for a, b in swaps:
        t = re.sub(a, b, t)
    return t


class Real:
    def __init__(self, rng: random.Random, rec: dict) -> None:
        self.rng = rng
        self.rec = rec
        self.swaps = [sw for sw in OPTIONAL_SWAPS if rng.random() < 0.55]
        self.findings = reword(rec["findings"], self.swaps)
        self.impression = reword(rec["impression"], self.swaps)
        ind = rec["indication"]
        ind = re.sub(r"^(XXXX-year-old|XXXX year old) (male|female|man|woman)[,.]?\s*", "", ind)
        self.history: str | None = reword(ind, []) if ind else None
        comp = rec["comparison"]
        self.comparison: str | None = comp if comp else (rng.choice(["None.", "Nil."]) if rng.random() < 0.3 else None)
        self.hospital = rng.choice(HOSPITALS)
        self.exam = rng.choice(EXAM_LINES_REAL)
        self.hh = rng.choice(HISTORY_HEADERS)
        self.ch = rng.choice(COMPARISON_HEADERS)
        self.fh = rng.choice(FINDINGS_HEADERS)
        self.ih = rng.choice(IMPRESSION_HEADERS)
        self.doc = rng.choice(DOCTORS)
        self.signoff: str | None = None
        if rng.random() < 0.8:
            name, grade = self.doc
            self.signoff = rng.choice([f"{name}\n{grade}", f"Reported by: {name} ({grade})",
                                       f"Signed: {name}, {grade}"])
        self.lines = rng.random() < 0.4 and not re.search(r"\d\.", self.findings)
        self.findings_empty = self.findings_absent = self.impression_empty = self.impression_absent = False

    def render(self) -> str:
        parts = [self.hospital, self.exam]
        if self.history:
            parts.append(f"{self.hh} {self.history}")
        if self.comparison:
            parts.append(f"{self.ch} {self.comparison}")
        if not self.findings_absent:
            if self.findings_empty:
                parts.append(self.fh)
            else:
                body = "\n".join(sentences(self.findings)) if self.lines else self.findings
                sep = "\n" if (self.lines or not self.fh.endswith(":")) else " "
                parts.append(self.fh + sep + body)
        if not self.impression_absent:
            if self.impression_empty:
                parts.append(self.ih)
            else:
                sep = " " if self.ih.endswith(":") else "\n"
                parts.append(self.ih + sep + self.impression)
        if self.signoff:
            parts.append(self.signoff)
        return "\n\n".join(parts)


def flip_sentence(s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        n = "left" if w.lower() == "right" else "right"
        return n.capitalize() if w[0].isupper() else n

    return re.sub(r"\b(right|left)\b", rep, s, flags=re.I)


LAT_GROUPS = {
    "opacity": r"opacit|consolidat|air ?space|infiltrat|pneumonia|atelecta",
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "nodule": r"nodul|\bmass\b|granuloma",
    "fracture": r"fracture",
    "hemidiaphragm": r"hemidiaphragm",
}


def one_side(s: str) -> str | None:
    if re.search(r"bilateral|\bboth\b|bibasilar|bibasal", s, re.I):
        return None
    sides = {w.lower() for w in re.findall(r"\b(right|left)\b", s, re.I)}
    return sides.pop() if len(sides) == 1 else None


def lat_candidate(rec: dict) -> tuple[str, int, int, str] | None:
    fs, is_ = sentences(rec["findings"]), sentences(rec["impression"])
    for g, rx in LAT_GROUPS.items():
        fi = [(i, one_side(s)) for i, s in enumerate(fs) if re.search(rx, s, re.I)]
        ii = [(i, one_side(s)) for i, s in enumerate(is_) if re.search(rx, s, re.I)]
        fi_sides = {sd for _, sd in fi}
        ii_sides = {sd for _, sd in ii}
        if len(fi) == 1 and len(ii) == 1 and fi_sides == ii_sides and None not in fi_sides:
            if re.search(r"\bno\b|without|\bnot\b", fs[fi[0][0]] + is_[ii[0][0]], re.I):
                continue
            return g, fi[0][0], ii[0][0], fi[0][1] or ""
    return None


HEART_NORMAL_RE = re.compile(r"(heart|cardiac)[^.]*(normal|within normal|not enlarged)|normal (heart|cardiac) size|"
                             r"cardiomediastinal (silhouette|shadow)[^.]*(normal|unremarkable|within normal)", re.I)


CMG_RE = r"cardiomegaly|heart (size )?is enlarged|enlarged heart|heart size is (mildly |moderately )?enlarged"


def real_pools(recs: list[dict], dev: set[str]) -> dict[str, list[dict]]:
    normal, chronic, omits, lat, cmg = [], [], [], [], []
    for r in recs:
        if r["uid"] in dev or not r["impression"] or len(r["findings"]) < 25:
            continue
        if "XXXX" in r["impression"] and len(r["impression"]) < 25:
            continue
        majl = [m.lower() for m in r["majors"]]
        if majl == ["normal"]:
            if not any_sig_mention(r["findings"]) and not any_sig_mention(r["impression"]):
                normal.append(r)
            continue
        if all(m.startswith(BENIGN_MAJOR) for m in majl) and not any_sig_mention(r["findings"]) \
                and not re.search(r"\bnew\b|enlarg|cardiomegaly", r["findings"], re.I):
            chronic.append(r)
            continue
        hits = [h for h in affirmed_sig(r["findings"])
                if any(re.search(SIG_RE.search(h).group(0)[:6], s, re.I) and not re.search(r"\bno\b|without", s, re.I)
                       for s in sentences(r["impression"]))]
        if hits:
            omits.append(dict(r, hit=hits[0]))
        lc = lat_candidate(r)
        if lc:
            lat.append(dict(r, lat=lc))
        if any(m.startswith("cardiomegaly") for m in majl) and not hits and not any_sig_mention(r["findings"]):
            if re.search(CMG_RE, r["findings"], re.I) and not re.search(
                    r"\bno\b[^.]*cardiomegaly|borderline", r["findings"], re.I):
                cmg.append(r)
    return dict(normal=normal, chronic=chronic, omits=omits, lat=lat, cmg=cmg)


class Picker:
    def __init__(self, rng: random.Random, pools: dict[str, list[dict]]) -> None:
        self.rng = rng
        self.pools = pools
        self.used: set[str] = set()

    def pick(self, name: str, pred=None) -> dict:
        cand = [r for r in self.pools[name] if r["uid"] not in self.used and (pred is None or pred(r))]
        r = self.rng.choice(cand)
        self.used.add(r["uid"])
        return r


def real_clean(rng: random.Random, pk: Picker) -> tuple[Real, str]:
    rec = pk.pick("normal" if rng.random() < 0.65 else "chronic")
    return Real(rng, rec), ""


def real_missing(rng: random.Random, pk: Picker, i: int) -> tuple[Real, str]:
    rec = pk.pick("normal" if rng.random() < 0.6 else "chronic")
    rr = Real(rng, rec)
    if rng.random() < 0.5:
        rr.impression_empty = True
        return rr, f"impression section ({rr.ih}) left empty"
    rr.impression_absent = True
    return rr, "impression section removed; findings end the report"


def real_laterality(rng: random.Random, pk: Picker) -> tuple[Real, str]:
    rec = pk.pick("lat")
    g, fi, ii, side = rec["lat"]
    rr = Real(rng, rec)
    fs, is_ = sentences(rr.findings), sentences(rr.impression)
    if rng.random() < 0.6 and ii < len(is_):
        old = is_[ii]
        is_[ii] = flip_sentence(old)
        rr.impression = " ".join(is_)
        return rr, f"{g}: impression sentence flipped {side}->{other(side)}: '{is_[ii]}'"
    old = fs[fi]
    fs[fi] = flip_sentence(old)
    rr.findings = " ".join(fs)
    rr.lines = False
    return rr, f"{g}: findings sentence flipped {side}->{other(side)}: '{fs[fi]}'"


def real_negation(rng: random.Random, pk: Picker, i: int) -> tuple[Real, str]:
    side = rng.choice(["right", "left"])
    if i % 4 == 3 and pk.pools["cmg"]:
        rec = pk.pick("cmg")
        rr = Real(rng, rec)
        rr.impression = rng.choice(["Normal heart size. No active lung disease.", "Heart size is normal. Lungs clear.",
                                    "Normal cardiac size; no acute abnormality."])
        return rr, "findings affirm cardiomegaly; impression says heart size normal"
    opts = []
    neg_rx = r"\bno\b[^.]*(pneumothora|effusion)|(lungs?|lung fields) (are )?clear|" + HEART_NORMAL_RE.pattern
    rec = pk.pick("normal", lambda r: bool(re.search(neg_rx, r["findings"], re.I)))
    f = rec["findings"]
    if re.search(r"\bno\b[^.]*pneumothora", f, re.I):
        opts.append(("ptx", rng.choice([f"{side.capitalize()} apical pneumothorax.", f"Small {side} pneumothorax."])))
    if any(re.search(r"\bno\b[^.]*effusion", x, re.I) and not re.search(r"large|significant|sizable|definite", x, re.I)
           for x in sentences(f)):
        opts.append(("effusion", rng.choice([f"{side.capitalize()} pleural effusion.",
                                             f"Blunted {side} CP angle due to pleural effusion."])))
    if HEART_NORMAL_RE.search(f):
        opts.append(("cardiomegaly", rng.choice(["Cardiomegaly.", "Cardiomegaly. No active lung lesion.",
                                                 "Enlarged cardiac shadow."])))
    if re.search(r"(lungs?|lung fields) (are )?clear", f, re.I):
        opts.append(("consolidation", rng.choice([f"{side.capitalize()} lower zone consolidation, likely pneumonia.",
                                                  f"{side.capitalize()} basal pneumonia."])))
    what, imp = rng.choice(opts)
    rr = Real(rng, rec)
    rr.impression = imp
    return rr, f"findings negate {what}; impression replaced by '{imp}'"


def real_omits(rng: random.Random, pk: Picker) -> tuple[Real, str]:
    rec = pk.pick("omits")
    rr = Real(rng, rec)
    rr.impression = rng.choice(PASTED_NORMAL)
    return rr, f"findings affirm '{rec['hit']}'; impression replaced by normal macro '{rr.impression}'"


def real_placeholder(rng: random.Random, pk: Picker) -> tuple[Real, str]:
    rec = pk.pick("normal" if rng.random() < 0.7 else "chronic")
    rr = Real(rng, rec)
    opts = ["signoff", "history", "comparison", "impr_word"]
    if re.search(r"\bnormal\b", rr.findings):
        opts += ["normal", "normal"]
    if one_side_any(rr.findings):
        opts.append("side")
    v = rng.choice(opts)
    if v == "signoff":
        rr.signoff = rng.choice(["Reported by: Dr. ....................", "Radiologist: [Name]",
                                 "Dr. <<radiologist>>\nConsultant Radiologist", "Signed: [ ]"])
        return rr, "sign-off name field not filled"
    if v == "history":
        rr.history = rng.choice(["[clinical details]", "[ ]", "<<indication>>", "...................."])
        return rr, f"clinical history field left as '{rr.history}'"
    if v == "comparison":
        rr.comparison = rng.choice(["Previous film dated [date].", "[ ]", "<<date of previous study>>",
                                    "Previous film dated ../../...."])
        return rr, f"comparison field left as '{rr.comparison}'"
    if v == "normal":
        fs = sentences(rr.findings)
        idx = [i for i, s in enumerate(fs) if re.search(r"\bnormal\b", s)]
        i = rng.choice(idx)
        heart = re.search(r"heart|cardiac", fs[i], re.I)
        ph = rng.choice(["[normal/enlarged]", "(normal / enlarged)"]) if heart else rng.choice(["[ ]", "***", "<< >>"])
        fs[i] = re.sub(r"\b(within )?normal( limits)?", ph, fs[i], count=1)
        rr.findings = " ".join(fs)
        rr.lines = False
        return rr, f"'normal' in a findings sentence replaced by '{ph}'"
    if v == "side":
        ph = rng.choice(["[Rt/Lt]", "[side]", "<<side>>"])
        rr.findings = re.sub(r"\b(right|left)\b", ph, rr.findings, count=1, flags=re.I)
        return rr, f"side word in findings replaced by '{ph}'"
    ph = rng.choice(PH_FIELD)
    words = rr.impression.rstrip(".").split(" ")
    cand = [i for i, w in enumerate(words) if len(w) > 3 and w.lower() not in ("xxxx",)] or [0]
    i = rng.choice(cand)
    old = words[i]
    words[i] = ph
    rr.impression = " ".join(words) + "."
    return rr, f"word '{old}' in the impression replaced by '{ph}'"


def one_side_any(t: str) -> bool:
    return bool(re.search(r"\b(right|left)\b", t, re.I))


# ----------------------------------------------------------------------------------------------------------

_CACHE: dict[str, tuple[list[dict], set[str]]] = {}


def _data() -> tuple[list[dict], set[str]]:
    sd = shared_dir()
    key = str(sd)
    if key not in _CACHE:
        _CACHE[key] = (load_iu(sd), dev_uids(sd))
    return _CACHE[key]


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h119-{seed}")
    recs, dev = _data()
    pk = Picker(random.Random(f"h119-real-{seed}"), real_pools(recs, dev))
    rows: list[dict] = []
    half_c, half_k = N_CLEAN // 2, N_PER_KIND // 2
    for _ in range(half_c):
        rows.append(dict(injected=None, detail="", report=synth_clean(rng).render()))
    for _ in range(half_c):
        rr, _d = real_clean(rng, pk)
        rows.append(dict(injected=None, detail="", report=rr.render()))
    synth_fns = dict(missing_section=synth_missing, laterality_conflict=synth_laterality,
                     negation_conflict=synth_negation, impression_omits_finding=synth_omits,
                     placeholder=synth_placeholder)
    for kind in KINDS:
        for _ in range(half_k):
            s, det = synth_fns[kind](rng)
            rows.append(dict(injected=kind, detail="composed: " + det, report=s.render()))
        for i in range(half_k):
            if kind == "missing_section":
                rr, det = real_missing(rng, pk, i)
            elif kind == "laterality_conflict":
                rr, det = real_laterality(rng, pk)
            elif kind == "negation_conflict":
                rr, det = real_negation(rng, pk, i)
            elif kind == "impression_omits_finding":
                rr, det = real_omits(rng, pk)
            else:
                rr, det = real_placeholder(rng, pk)
            rows.append(dict(injected=kind, detail=f"IU {rr.rec['uid']}: " + det, report=rr.render()))
    rng.shuffle(rows)
    return [dict(id=f"h119-{seed}-{n}", injected=r["injected"], detail=r["detail"], report=r["report"])
            for n, r in enumerate(rows)]


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
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"=== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
