"""Held-out report-error set 139: chest X-ray reports in the style of the Maldives, written blind.

Setting: Indira Gandhi Memorial Hospital (IGMH) in Malé, Hulhumalé Hospital, regional and atoll hospitals and
private clinics; reported in English by radiologists trained in India, Sri Lanka, Bangladesh and the UK. The day-to-day
mix: emergency and ward films, expatriate-worker (work permit) screening, and resort referrals (diving, water sports,
trauma, near-drowning, acute abdomen).

usage: python -m bench.make_heldout139 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the five kinds
(missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder). Half of every group
is composed from the phrase bank below; the other half are real IU reports (never a dev-set uid, each used at most
once) re-laid out and lightly re-worded in the setting's style. Standard library only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------------------------
# Setting: headers, patients, sign-offs
# ----------------------------------------------------------------------------------------------------------------

HOSPITALS = [
    "INDIRA GANDHI MEMORIAL HOSPITAL, MALÉ\nDEPARTMENT OF RADIOLOGY",
    "IGMH - DEPARTMENT OF RADIOLOGY & IMAGING",
    "HULHUMALÉ HOSPITAL\nDIAGNOSTIC IMAGING DEPARTMENT",
    "ADK HOSPITAL, MALÉ - DEPARTMENT OF RADIOLOGY",
    "TREE TOP HOSPITAL - RADIOLOGY",
    "HITHADHOO REGIONAL HOSPITAL, ADDU CITY\nX-RAY DEPARTMENT",
    "KULHUDHUFFUSHI REGIONAL HOSPITAL (HDh. ATOLL)\nRADIOLOGY UNIT",
    "GAN REGIONAL HOSPITAL, L. ATOLL - X-RAY UNIT",
    "KUDAHUVADHOO REGIONAL HOSPITAL (Dh. ATOLL)",
    "UGOOFAARU REGIONAL HOSPITAL (R. ATOLL) - RADIOLOGY",
    "EYDHAFUSHI HOSPITAL, B. ATOLL - X-RAY",
    "NAIFARU ATOLL HOSPITAL (Lh. ATOLL)",
]

REFERRERS = [
    "Emergency Department", "ER", "Medical Ward", "Surgical Ward", "OPD (Dr. XXXX)", "ICU", "Paediatric OPD",
    "Expatriate medical screening", "Work permit medical", "Resort clinic referral", "Atoll health centre referral",
]

EXAMS_PA = ["X-RAY CHEST PA VIEW", "CHEST X-RAY (PA)", "RADIOGRAPH CHEST - PA ERECT", "X-Ray Chest PA view",
            "CXR PA", "CHEST RADIOGRAPH PA"]
EXAMS_AP = ["X-RAY CHEST AP (PORTABLE)", "CXR AP SUPINE", "CHEST X-RAY AP VIEW (BEDSIDE)"]

F_HEADERS = ["FINDINGS:"] * 6 + ["Findings:"] * 2 + ["OBSERVATIONS:", "OBSERVATION:", "REPORT:", "Report:"]
I_HEADERS = ["IMPRESSION:"] * 6 + ["Impression:"] * 2 + ["OPINION:", "Opinion:", "CONCLUSION:", "Conclusion:"]

RADIOLOGISTS = [
    ("S. Raghunathan", "MD (Radiodiagnosis), DNB", "Consultant Radiologist"),
    ("Priya Menon", "MBBS, DMRD, DNB (Radio-diagnosis)", "Consultant Radiologist"),
    ("A. K. Sharma", "MD (Radiology)", "Senior Consultant Radiologist"),
    ("Nirmala Perera", "MBBS (Colombo), MD (Radiology)", "Consultant Radiologist"),
    ("Chaminda Jayawardena", "MBBS, MD (Radiology) (Col)", "Radiologist"),
    ("Farhana Rahman", "MBBS, FCPS (Radiology)", "Radiologist"),
    ("M. Hossain", "MBBS, MD (Radiology and Imaging), BSMMU", "Consultant Radiologist"),
    ("Helen Carter", "MBChB, FRCR", "Consultant Radiologist"),
    ("Aishath Shifaza", "MBBS, MD (Radiodiagnosis)", "Radiologist"),
    ("Ibrahim Naseem", "MBBS, FRCR", "Consultant Radiologist"),
    ("R. Venkatesh", "MBBS, DMRD", "Radiologist"),
    ("Tanvir Ahmed", "MBBS, DMRD, FCPS", "Radiologist"),
]

CLOSINGS = ["Kindly correlate clinically.", "Please correlate clinically.", "Clinical correlation is suggested.",
            "Suggest clinical correlation.", "Correlate clinically and with lab parameters."]

DATES = ["03/01/2024", "17/02/2024", "22/03/2024", "09/04/2024", "28/05/2024", "11/06/2024", "02/07/2024",
         "19/08/2024", "30/09/2024", "14/10/2024", "06/11/2024", "21/12/2023"]


def signoff(r: random.Random) -> str:
    name, quals, role = r.choice(RADIOLOGISTS)
    form = r.randrange(5)
    if form == 0:
        return f"Dr. {name}\n{quals}\n{role}"
    if form == 1:
        return f"Reported by: Dr {name}, {quals}"
    if form == 2:
        return f"Dr. {name} ({quals})\n{role}\nElectronically signed {r.choice(DATES)}"
    if form == 3:
        return f"-- Dr {name}, {role}"
    return f"Dictated and verified by Dr. {name}, {quals}"


def pick_style(r: random.Random, ap: bool = False, exam: str | None = None, screening: bool = False) -> dict:
    refs = [x for x in REFERRERS if ("screening" in x or "permit" in x) == screening]
    return {
        "hospital": r.choice(HOSPITALS),
        "patient": r.randrange(4),
        "age": r.randint(19, 78),
        "sex": r.choice("MMMF"),
        "ref": r.choice(refs),
        "date": r.choice(DATES),
        "exam": exam or (r.choice(EXAMS_AP) if ap else r.choice(EXAMS_PA)),
        "f_header": r.choice(F_HEADERS),
        "i_header": r.choice(I_HEADERS),
        "f_layout": r.choice(["prose", "prose", "bullets", "dash", "lines"]),
        "i_layout": r.choice(["prose", "prose", "numbered", "lines"]),
        "inline": r.random() < 0.3,
        "closing": r.choice(CLOSINGS) if r.random() < 0.55 else "",
        "sign": signoff(r),
        "clin_label": r.choice(["Clinical details:", "CLINICAL HISTORY:", "Clinical information:", "History:",
                                "C/O:", "Indication:"]),
        "cmp_label": r.choice(["Comparison:", "COMPARISON:", "Previous film:", "Compared with:"]),
    }


def style_name(st: dict) -> str:
    return (f"{st['f_header'].rstrip(':')}/{st['i_header'].rstrip(':')} headers, {st['f_layout']} findings, "
            f"{st['i_layout']} impression{', inline' if st['inline'] else ''}")


def _block(header: str, lines: list[str], layout: str, inline: bool) -> str:
    if not lines:
        return header
    if layout == "bullets":
        body = "\n".join(f"• {s}" for s in lines)
    elif layout == "dash":
        body = "\n".join(f"- {s}" for s in lines)
    elif layout == "numbered":
        body = "\n".join(f"{k}. {s}" for k, s in enumerate(lines, 1)) if len(lines) > 1 else lines[0]
    elif layout == "lines":
        body = "\n".join(lines)
    else:
        body = " ".join(lines)
    if inline and layout == "prose":
        return f"{header} {body}"
    return f"{header}\n{body}"


def render(st: dict, clinical: str, comparison: str, findings: list[str], impression: list[str],
           missing: str | None = None) -> str:
    """missing: None, 'findings_empty', 'impression_empty', 'impression_sign_only', 'impression_removed'."""
    parts = [st["hospital"]]
    age_sex = f"{st['age']} Y / {st['sex']}"
    if st["patient"] == 0:
        parts.append(f"Name: XXXX    Age/Sex: {age_sex}    Hosp. No: XXXX\nRef. by: {st['ref']}    Date: {st['date']}")
    elif st["patient"] == 1:
        parts.append(f"Patient: XXXX ({age_sex})    NIC/Passport: XXXX\nReferred from: {st['ref']}")
    elif st["patient"] == 2:
        parts.append(f"Age: {st['age']} yrs   Sex: {st['sex']}   Date of exam: {st['date']}")
    else:
        parts.append(f"Ref: {st['ref']}   {age_sex}")
    parts.append(st["exam"])
    head = []
    if clinical:
        head.append(f"{st['clin_label']} {clinical}")
    if comparison:
        head.append(f"{st['cmp_label']} {comparison}")
    if head:
        parts.append("\n".join(head))
    if missing == "findings_empty":
        parts.append(st["f_header"])
    else:
        parts.append(_block(st["f_header"], findings, st["f_layout"], st["inline"]))
    if missing == "impression_empty":
        parts.append(st["i_header"])
    elif missing == "impression_sign_only":
        parts.append(f"{st['i_header']}\n{st['sign']}")
        return "\n\n".join(parts)
    elif missing != "impression_removed":
        parts.append(_block(st["i_header"], impression, st["i_layout"], st["inline"]))
    if st["closing"] and missing is None:
        parts.append(st["closing"])
    parts.append(st["sign"])
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------------------------------------------
# Phrase bank (composed reports)
# ----------------------------------------------------------------------------------------------------------------

# Normal statements by topic: (text, what it negates by meaning or None)
NORMAL = {
    "trachea": [("Trachea is central.", None), ("Trachea is in the midline.", None)],
    "lungs": [("Both lung fields are clear.", "lungs"), ("Bilateral lung fields are clear.", "lungs"),
              ("No focal lung parenchymal lesion is seen.", "lungs"), ("The lungs are clear.", "lungs"),
              ("Both lungs are well expanded and clear.", "lungs")],
    "lungs_rest": [("The remaining lung fields are clear.", None), ("Rest of the lung fields appear normal.", None)],
    "hila": [("Both hila are normal.", None), ("Hilar shadows are normal in size and density.", None)],
    "cp": [("Both costophrenic angles are clear.", "cp"), ("Both CP angles are sharp.", "cp"),
           ("No pleural effusion.", "cp"), ("Bilateral CP angles are free.", "cp")],
    "heart": [("Cardiac size is within normal limits.", "heart"), ("Heart size is normal (CTR < 0.5).", "heart"),
              ("Cardiothoracic ratio is normal.", "heart"), ("The heart is not enlarged.", "heart"),
              ("Cardiac shadow is normal in size and configuration.", "heart")],
    "mediastinum": [("Mediastinum is normal in width.", "mediastinum"),
                    ("Mediastinal contours are normal.", "mediastinum")],
    "diaphragm": [("Both domes of diaphragm are normal in position and contour.", None),
                  ("Both hemidiaphragms are well defined.", None),
                  ("No free gas under the diaphragm.", "diaphragm")],
    "bones": [("Visualised bony thorax is normal.", "bones"), ("Bony cage appears intact.", "bones"),
              ("No rib fracture is seen.", "bones")],
    "soft": [("Soft tissues of the chest wall are unremarkable.", None), ("Chest wall soft tissues are normal.", None)],
    "ptx": [("No pneumothorax.", "ptx"), ("No evidence of pneumothorax.", "ptx")],
}
TOPIC_ORDER = ["trachea", "lungs", "hila", "cp", "heart", "mediastinum", "diaphragm", "bones", "soft", "ptx"]

# What an impression asserts to contradict a normal topic (negation_conflict, kind a)
ASSERT = {
    "lungs": ["{Side} lower zone consolidation - likely infective.", "Patchy consolidation in the {side} mid zone.",
              "Features of {side} lower lobe pneumonia."],
    "cp": ["Moderate {side} pleural effusion.", "{Side}-sided pleural effusion.", "{Side} pleural effusion."],
    "heart": ["Cardiomegaly.", "Cardiomegaly (CTR about 0.6).", "Enlarged cardiac shadow - cardiomegaly."],
    "mediastinum": ["Widened superior mediastinum.", "Mediastinal widening - CT chest advised."],
    "diaphragm": ["Free gas under both domes of diaphragm - pneumoperitoneum.",
                  "Pneumoperitoneum - ? perforation. Surgical opinion advised."],
    "bones": ["Fracture of the {side} 6th rib.", "Undisplaced fractures of the {side} 7th and 8th ribs."],
    "ptx": ["{Side} pneumothorax.", "Small {side} apical pneumothorax."],
}

NORMAL_IMPRESSIONS = [
    "No significant abnormality detected.", "Normal chest radiograph.", "Normal study.", "NAD.",
    "No active lung parenchymal lesion.", "No acute cardiopulmonary abnormality.", "Chest X-ray within normal limits.",
    "No abnormality detected in the chest.", "Essentially normal chest X-ray.",
]
SCREEN_IMPRESSIONS = [
    "No radiological evidence of active pulmonary tuberculosis.", "Normal chest X-ray. Fit as per radiology.",
    "No active lung lesion. No radiological features of tuberculosis.",
]

CLIN_NORMAL = ["Cough x 1 week.", "Fever and cough.", "Chest pain, ? cause.", "Pre-operative evaluation.",
               "Pre-employment medical.", "Routine check-up.", "Shortness of breath on exertion.",
               "Known asthmatic, wheeze.", "Dengue fever, day 3.", "Fall at resort, chest wall pain.",
               "Dive instructor - annual medical.", "Hypertension, follow-up."]
CLIN_SCREEN = ["Work permit medical screening (expatriate worker).", "Expatriate screening - Bangladeshi national.",
               "Work visa medical - new arrival.", "Pre-employment screening, resort staff."]

MINORS = [
    # key, findings sentence, impression sentence, topics it excludes
    ("spondylosis", "Degenerative changes with marginal osteophytes are seen in the dorsal spine.",
     "Dorsal spondylosis.", {"bones"}),
    ("aorta", "The aorta is unfolded with calcification of the aortic knuckle.", "Unfolded, atherosclerotic aorta.",
     set()),
    ("sternotomy", "Median sternotomy wires are seen (post-CABG).", "Post-CABG status.", {"bones"}),
    ("cervical_ribs", "Bilateral cervical ribs are noted.", "Incidental bilateral cervical ribs.", {"bones"}),
    ("borderline_heart", "Borderline cardiomegaly (CTR about 0.52).", "Borderline cardiomegaly.", {"heart"}),
    ("scoliosis", "Mild scoliosis of the dorsal spine.", "Mild dorsal scoliosis.", {"bones"}),
]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def fill(t: str, side: str) -> str:
    return t.replace("{side}", side).replace("{Side}", side.capitalize())


def scenario(r: random.Random, name: str) -> dict:
    """A main finding: findings sentences (with tags), impression sentences, excluded topics, significance."""
    side = r.choice(["right", "left"])
    s = {"name": name, "side": None, "excl": set(), "sig": False, "neg_b": None, "clin": None, "ap": False,
         "exam": None, "comparison": "", "f": [], "i": []}
    if name == "pneumonia":
        zone = r.choice(["lower zone", "mid zone", "mid and lower zones", "upper zone"])
        f = r.choice(["Non-homogeneous opacity with air bronchograms is seen in the {side} " + zone + ".",
                      "Patchy airspace consolidation is noted in the {side} " + zone + ".",
                      "Ill-defined inhomogeneous opacity is seen in the {side} " + zone
                      + ", suggestive of consolidation."])
        i = r.choice(["{Side} " + zone + " consolidation - likely infective.",
                      "Features suggestive of {side} " + zone + " pneumonia.",
                      "Pneumonic consolidation in the {side} " + zone + "."])
        s.update(side=side, excl={"lungs"}, sig=True, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 neg_b=r.choice(["Both lung fields are clear.", "No consolidation.", "No active lung lesion."]),
                 clin=r.choice(["Fever and productive cough x 5 days.", "Fever, cough - ? LRTI.",
                                "High-grade fever, breathlessness.", "Cough with chills, resort staff."]))
        if r.random() < 0.4:
            s["i"].append(("Follow-up film after a course of antibiotics is suggested.", None))
    elif name == "pneumonia_interval":
        d = r.choice(DATES)
        f = (f"Compared with the previous film of {d}, the consolidation in the {{side}} lower zone has "
             "increased in extent.")
        i = r.choice(["Increasing {side} lower zone consolidation.",
                      "Progression of {side} lower zone pneumonia compared with the previous study."])
        s.update(side=side, excl={"lungs"}, sig=True, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 neg_b="Both lung fields are clear.", comparison=f"Previous X-ray dated {d}.",
                 clin="Admitted with pneumonia, persistent fever on day 4 of antibiotics.")
    elif name == "pneumonia_resolving":
        d = r.choice(DATES)
        f = (f"Compared with the film of {d}, there is interval clearing of the previously seen {{side}} lower zone "
             "consolidation, with minimal residual haziness.")
        i = "Resolving {side} lower zone consolidation."
        s.update(side=side, excl={"lungs"}, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 comparison=f"Previous X-ray dated {d}.", clin="Follow-up of pneumonia.")
    elif name == "effusion":
        size = r.choice(["moderate", "moderate", "large"])
        f = ("Homogeneous opacity with a concave upper border is seen in the {side} lower zone, obliterating the "
             "{side} "
             "costophrenic angle and dome of diaphragm - suggestive of " + size + " pleural effusion.")
        i = r.choice([size.capitalize() + " {side} pleural effusion.", "{Side}-sided " + size + " pleural effusion.",
                      size.capitalize() + " {side} pleural effusion. USG-guided tap may be considered."])
        s.update(side=side, excl={"cp", "diaphragm"}, sig=True, f=[(fill(f, side), "side")],
                 i=[(fill(i, side), "side")],
                 neg_b=r.choice(["No pleural effusion.", "Both costophrenic angles are clear."]),
                 clin=r.choice(["Breathlessness x 2 weeks.", "Known CKD, SOB.", "Fever and pleuritic chest pain."]))
    elif name == "small_effusion":
        side = "right" if r.random() < 0.7 else "left"
        f = "Blunting of the {side} costophrenic angle - minimal {side} pleural effusion."
        i = r.choice(["Minimal {side} pleural effusion.",
                      "Minimal {side} pleural effusion - in the setting of dengue fever, likely due to plasma "
                      "leakage."])
        s.update(side=side, excl={"cp"}, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 neg_b="Both CP angles are clear.", clin="Dengue fever (NS1 positive), day 5. Breathlessness.")
    elif name == "pneumothorax":
        f = r.choice(["A visceral pleural line is seen in the {side} hemithorax with absent lung markings peripheral "
                      "to it, consistent with pneumothorax.",
                      "Hyperlucent {side} hemithorax with a visible pleural edge and no lung markings beyond it - "
                      "pneumothorax."])
        i = r.choice(["{Side} pneumothorax. Findings conveyed to the ER doctor on duty.",
                      "{Side}-sided pneumothorax - urgent clinical attention advised.",
                      "{Side} pneumothorax (rim of about 3 cm at the level of the hilum)."])
        s.update(side=side, excl={"ptx", "lungs"}, sig=True,
                 f=[(fill(f, side), "side"), ("No mediastinal shift.", None)], i=[(fill(i, side), "side")],
                 neg_b="No pneumothorax.",
                 clin=r.choice(["Sudden onset shortness of breath after a scuba dive (resort referral).",
                                "Sudden chest pain, tall thin young male.", "Fall from height at construction site."]))
    elif name == "ribfx":
        a, b = r.choice([("5th", "6th"), ("6th", "7th"), ("7th", "8th"), ("8th", "9th")])
        f = f"Undisplaced fractures of the {{side}} {a} and {b} ribs are seen laterally."
        i = r.choice([f"Fractures of the {{side}} {a} and {b} ribs. No pneumothorax.",
                      f"{{Side}} {a} and {b} rib fractures without pneumothorax."])
        s.update(side=side, excl={"bones", "ptx"},
                 f=[(fill(f, side), "side"), ("No pneumothorax or haemothorax.", None)],
                 i=[(fill(i, side), "side")], neg_b="No rib fracture seen.",
                 clin=fill(r.choice(["RTA - motorcycle skid in Malé, {side} chest pain.",
                                     "Fall from a ladder at resort, {side} chest wall tenderness."]), side))
    elif name == "old_tb":
        f = "Fibrotic strands with a few calcific foci are seen in the {side} upper zone with mild volume loss."
        i = r.choice(["Fibrocalcific changes in the {side} upper zone - likely old healed tuberculosis.",
                      "{Side} upper zone fibrocalcific lesion - sequelae of old Koch's. Suggest sputum AFB if "
                      "clinically indicated."])
        s.update(side=side, excl={"lungs"}, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 clin=r.choice(CLIN_SCREEN))
    elif name == "active_tb":
        f = ("Inhomogeneous consolidation with a thick-walled cavity of about 2.5 cm is seen in the {side} upper zone, "
             "with a few satellite nodular opacities.")
        i = r.choice(["Cavitating consolidation in the {side} upper zone - suspicious for active pulmonary "
                      "tuberculosis. Sputum AFB / GeneXpert recommended.",
                      "{Side} upper zone cavitary lesion - likely active Koch's."])
        s.update(side=side, excl={"lungs"}, sig=True, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 neg_b="Both lung fields are clear.",
                 clin=r.choice(CLIN_SCREEN + ["Chronic cough x 2 months, weight loss, evening rise of temperature."]))
    elif name == "oedema":
        s.update(excl={"lungs", "heart", "cp"}, sig=True,
                 f=[("Cardiomegaly with CTR of about 0.6.", None),
                    ("Upper lobe venous diversion with bilateral perihilar haziness and Kerley B lines - features of "
                     "pulmonary oedema.", "sig"),
                    ("Minimal blunting of both CP angles.", None)],
                 i=[(r.choice(["Cardiomegaly with pulmonary oedema - suggestive of congestive cardiac failure.",
                               "Features of pulmonary venous congestion with interstitial oedema and cardiomegaly."]),
                     None)],
                 neg_b=r.choice(["No pulmonary oedema.", "Lung fields are clear."]),
                 clin=r.choice(["Orthopnoea and bilateral pedal oedema.", "Known CKD on haemodialysis, SOB.",
                                "Known IHD, breathlessness."]))
        s["minor_i"] = "Cardiomegaly."
    elif name == "near_drowning":
        s.update(excl={"lungs"}, sig=True,
                 f=[("Bilateral ill-defined perihilar and lower zone airspace opacities are seen.", "sig")],
                 i=[("Bilateral airspace opacities - consistent with aspiration / non-cardiogenic pulmonary oedema "
                     "following near-drowning.", None)],
                 neg_b="Both lung fields are clear.",
                 clin="Near-drowning while snorkelling at resort; transferred by speedboat.")
    elif name == "cardiomegaly":
        s.update(excl={"heart"},
                 f=[(r.choice(["Cardiomegaly with CTR of 0.58.", "Moderate cardiomegaly (CTR about 0.6)."]), None)],
                 i=[(r.choice(["Cardiomegaly.", "Cardiomegaly. Lung fields are clear."]), None)],
                 neg_b="Heart size is normal.",
                 clin=r.choice(["Hypertension on treatment.", "Pre-op evaluation for hernia repair, known HTN."]))
    elif name == "copd":
        s.update(excl={"lungs", "diaphragm", "heart"},
                 f=[("Both lung fields are hyperinflated with flattening of both domes of diaphragm.", None),
                    ("Tubular heart shadow.", None)],
                 i=[(r.choice(["Features suggestive of COPD.", "Hyperinflated lungs - ? emphysema / COPD."]), None)],
                 clin=r.choice(["Chronic smoker, SOB on exertion.", "Known COPD, acute exacerbation."]))
    elif name == "bronchitic":
        s.update(excl={"lungs"},
                 f=[("Prominent bronchovascular markings are seen in both lower zones.", None)],
                 i=[("Prominent bronchovascular markings - ? bronchitis.", None)],
                 clin=r.choice(["Cough x 2 weeks.", "Known asthmatic, cough."]))
    elif name == "mass":
        zone = r.choice(["mid zone", "upper zone", "lower zone"])
        a = r.choice(["2.4", "3.1", "3.8", "4.5"])
        b = r.choice(["2.0", "2.6", "3.3"])
        f = (f"A well-defined rounded soft tissue opacity measuring approximately {a} x {b} cm is seen in the "
             f"{{side}} {zone}.")
        i = r.choice([f"{{Side}} {zone} mass lesion ({a} x {b} cm). Contrast-enhanced CT chest is recommended.",
                      f"Rounded opacity in the {{side}} {zone} - ? neoplastic. Suggest CECT thorax."])
        s.update(side=side, excl={"lungs"}, sig=True, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 neg_b="No focal lung lesion.", size=(a, b),
                 clin=r.choice(["Haemoptysis, chronic smoker.", "Weight loss and cough x 2 months."]))
    elif name == "freegas":
        if r.random() < 0.5:
            f = "Free gas is seen under the {side} dome of diaphragm."
            i = "Free gas under the {side} hemidiaphragm - pneumoperitoneum. Urgent surgical opinion advised."
            s.update(side=side, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")])
        else:
            s.update(f=[("Free gas is seen under both domes of diaphragm.", "sig")],
                     i=[("Pneumoperitoneum - ? hollow viscus perforation. Urgent surgical opinion advised.", None)])
        s.update(excl={"diaphragm"}, sig=True, neg_b="No free gas under the diaphragm.",
                 exam="X-RAY CHEST PA ERECT (to include both domes of diaphragm)",
                 clin=r.choice(["Acute abdominal pain with guarding - resort referral by seaplane.",
                                "Epigastric pain, ? perforated peptic ulcer."]))
    elif name == "widened_med":
        s.update(excl={"mediastinum"}, sig=True, ap=True,
                 f=[("The superior mediastinum appears widened (about 9 cm) on this supine AP film.", "sig"),
                    ("The aortic knuckle outline is indistinct.", None)],
                 i=[("Widened superior mediastinum - in the setting of high-velocity trauma, CT aortogram is advised "
                     "to exclude aortic injury.", None)],
                 neg_b="Mediastinum is normal in width.",
                 clin="RTA - high-speed motorcycle collision on the Hulhumalé link road.")
    elif name == "lines":
        n = r.choice(["3", "4", "5"])
        s.update(side=side, ap=True,
                 f=[(f"ET tube tip lies about {n} cm above the carina.", None),
                    (fill("{Side} internal jugular venous catheter with its tip projecting over the SVC.", side),
                     "side"),
                    ("Nasogastric tube is seen coursing below the diaphragm.", None)],
                 i=[(fill("ET tube, {side} IJV catheter and NG tube in satisfactory position.", side), "side")],
                 clin="Post-intubation film, ICU.")
    elif name == "granuloma":
        f = "A small calcified granuloma is seen in the {side} mid zone."
        i = r.choice(["Calcified granuloma in the {side} mid zone - old healed lesion.",
                      "{Side} mid zone calcified granuloma, no active lesion."])
        s.update(side=side, excl={"lungs"}, f=[(fill(f, side), "side")], i=[(fill(i, side), "side")],
                 clin=r.choice(CLIN_SCREEN + CLIN_NORMAL[:3]))
    else:
        raise ValueError(name)
    return s


CLEAN_SCENARIOS = (["normal"] * 9 + ["screen"] * 4 + ["pneumonia"] * 3 + ["effusion", "small_effusion",
                   "pneumothorax", "ribfx", "old_tb", "active_tb", "oedema", "near_drowning", "cardiomegaly", "copd",
                   "bronchitic", "mass", "freegas", "widened_med", "lines", "granuloma", "pneumonia_interval",
                   "pneumonia_resolving"])
SIDED = ["pneumonia", "pneumonia", "effusion", "small_effusion", "pneumothorax", "ribfx", "old_tb", "active_tb",
         "mass", "lines", "granuloma", "pneumonia_interval", "pneumonia_resolving"]
SIGNIFICANT = ["pneumonia", "pneumonia", "effusion", "pneumothorax", "active_tb", "oedema", "near_drowning", "mass",
               "freegas", "widened_med", "pneumonia_interval"]
NEG_B = ["pneumonia", "effusion", "small_effusion", "pneumothorax", "ribfx", "active_tb", "oedema", "cardiomegaly",
         "mass", "freegas", "widened_med"]


def compose(r: random.Random, name: str, minor: bool | None = None, force_topics: tuple = ()) -> dict:
    """Build a clean composed case: findings [(text, tag)], impression [(text, tag)], header info."""
    if name in ("normal", "screen"):
        s = {"name": name, "side": None, "excl": set(), "sig": False, "neg_b": None, "ap": False, "exam": None,
             "comparison": "", "f": [], "i": [],
             "clin": r.choice(CLIN_SCREEN if name == "screen" else CLIN_NORMAL)}
    else:
        s = scenario(r, name)
    if minor is None:
        minor = r.random() < 0.3
    mi = None
    if minor:
        options = [m for m in MINORS if not (m[3] & s["excl"]) and m[0] != "borderline_heart" or
                   (m[0] == "borderline_heart" and "heart" not in s["excl"])]
        mi = r.choice(options)
    excl = set(s["excl"]) | (mi[3] if mi else set())
    topics = ["lungs", "cp", "heart"] + [t for t in ["trachea", "hila", "mediastinum", "diaphragm", "bones", "soft",
                                                     "ptx"] if r.random() < 0.45]
    topics += [t for t in force_topics if t not in topics]
    normal_f = []
    for t in TOPIC_ORDER:
        if t not in topics:
            continue
        if t in excl:
            if t == "lungs" and s["f"]:
                normal_f.append((r.choice(NORMAL["lungs_rest"])[0], None))
            continue
        text, neg = r.choice(NORMAL[t])
        if t in force_topics and neg is None:
            text, neg = next(x for x in NORMAL[t] if x[1])
        normal_f.append((text, f"topic:{neg}" if neg else None))
    f = list(s["f"])
    if mi:
        f.append((mi[1], "minor"))
    f = f + normal_f if r.random() < 0.75 else normal_f + f
    if s["i"]:
        imp = list(s["i"])
        if mi and r.random() < 0.7:
            imp.append((mi[2], "minor"))
    else:
        pool = SCREEN_IMPRESSIONS if name == "screen" else NORMAL_IMPRESSIONS
        imp = [(r.choice(pool), "normal")]
        if mi and r.random() < 0.5:
            imp.append((mi[2], "minor"))
    s.update(f=f, i=imp, minor=mi)
    return s


# ----------------------------------------------------------------------------------------------------------------
# Injections (shared by composed and IU cases, on sentence lists)
# ----------------------------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(right|left|rt|lt)\b", re.I)
FLIP = {"right": "left", "left": "right", "rt": "lt", "lt": "rt"}


def flip_sides(sentence: str) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(0)
        o = FLIP[w.lower()]
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return SIDE_RE.sub(sub, sentence)


PLACEHOLDERS_WORD = ["[***]", "***", "[ ]", "___", "<< >>", "[...]", "<<finding>>", "[Type here]"]
PLACEHOLDERS_SIDE = ["[RIGHT/LEFT]", "[Rt/Lt]", "<<side>>", "[side]", "___"]
PLACEHOLDERS_NUM = ["XX", "xx", "<<size>>", "[***]", "__", "[ ]"]
STOP = {"there", "with", "seen", "both", "that", "this", "from", "into", "which", "about", "noted",
        "xxxx", "have", "been", "were", "than", "these", "those", "some", "also", "most", "more"}


def place_placeholder(r: random.Random, sentence: str) -> tuple[str, str] | None:
    """Replace one word (a number, a side, or a content word) with an unfilled template field."""
    nums = list(re.finditer(r"\b\d+(\.\d+)?(?= ?(cm|mm)\b)", sentence))
    sides = list(re.finditer(r"\b(right|left)\b", sentence, re.I))
    words = [m for m in re.finditer(r"\b[A-Za-z][a-z]{3,}\b", sentence) if m.group(0).lower() not in STOP]
    choices = []
    if nums:
        choices.append(("num", nums))
    if sides:
        choices.append(("side", sides))
    if words:
        choices.append(("word", words))
    if not choices:
        return None
    what, ms = r.choice(choices)
    m = r.choice(ms)
    tok = r.choice({"num": PLACEHOLDERS_NUM, "side": PLACEHOLDERS_SIDE, "word": PLACEHOLDERS_WORD}[what])
    return sentence[:m.start()] + tok + sentence[m.end():], f"'{m.group(0)}' replaced by '{tok}'"


# ----------------------------------------------------------------------------------------------------------------
# Composed cases
# ----------------------------------------------------------------------------------------------------------------


def composed_case(r: random.Random, kind: str | None, k: int) -> dict:
    texts = lambda pairs: [t for t, _ in pairs]  # noqa: E731
    missing = None
    if kind is None:
        s = compose(r, r.choice(CLEAN_SCENARIOS))
        what = "no error injected"
    elif kind == "missing_section":
        s = compose(r, r.choice(CLEAN_SCENARIOS))
        missing = ["findings_empty", "impression_empty", "impression_sign_only", "impression_removed"][k % 4]
        what = {"findings_empty": "FINDINGS header kept with nothing under it",
                "impression_empty": "IMPRESSION header kept with nothing under it",
                "impression_sign_only": "IMPRESSION header with only the signature under it",
                "impression_removed": "IMPRESSION section removed"}[missing]
    elif kind == "laterality_conflict":
        s = compose(r, r.choice(SIDED))
        in_f = k % 2 == 0
        sec = s["f"] if in_f else s["i"]
        idx = next(j for j, (_, tag) in enumerate(sec) if tag == "side")
        old = sec[idx][0]
        sec[idx] = (flip_sides(old), "flipped")
        what = (f"{'FINDINGS' if in_f else 'IMPRESSION'} sentence side flipped ({s['side']} -> "
                f"{FLIP[s['side']]}): '{sec[idx][0]}'; the other section keeps {s['side']}")
    elif kind == "negation_conflict":
        if k % 2 == 0:
            # IMPRESSION asserts what FINDINGS negate
            topic = r.choice(["lungs", "cp", "heart", "ptx", "mediastinum", "diaphragm", "bones"])
            name = "normal" if topic == "lungs" else r.choice(["normal", "screen", "granuloma", "cardiomegaly",
                                                                "spondylosis_only"])
            if name == "spondylosis_only":
                name = "normal"
            if name == "cardiomegaly" and topic == "heart":
                name = "normal"
            if name == "granuloma" and topic == "lungs":
                name = "normal"
            s = compose(r, name, minor=False, force_topics=(topic,))
            neg_sent = next(t for t, tag in s["f"] if tag == f"topic:{topic}")
            a = fill(r.choice(ASSERT[topic]), r.choice(["right", "left"]))
            if s["i"] and s["i"][0][1] != "normal":
                s["i"].append((a, "assert"))
            else:
                s["i"] = [(a, "assert")]
            what = f"IMPRESSION asserts '{a}' while FINDINGS state '{neg_sent}'"
        else:
            s = compose(r, r.choice(NEG_B), minor=False)
            neg = s["neg_b"]
            aff = next(t for t, tag in s["f"] if tag in ("side", "sig")) if any(
                tag in ("side", "sig") for _, tag in s["f"]) else s["f"][0][0]
            s["i"] = [(neg, "negates")] + ([(r.choice(["No other significant abnormality.",
                                                      "Rest of the study is unremarkable."]), None)]
                                           if r.random() < 0.5 else [])
            what = f"IMPRESSION negates the finding ('{neg}') that FINDINGS affirm: '{aff}'"
    elif kind == "impression_omits_finding":
        name = r.choice(SIGNIFICANT)
        if k % 2 == 0:
            s = compose(r, name, minor=False)
            s["i"] = [(r.choice(NORMAL_IMPRESSIONS), "normal")]
            what = f"{name} in FINDINGS; IMPRESSION replaced by a normal statement"
        else:
            s = compose(r, name, minor=True)
            others = [s["minor"][2]] if s["minor"] else []
            if s.get("minor_i"):
                others = [s["minor_i"]] + others
            s["i"] = [(o, "minor") for o in others]
            what = f"{name} in FINDINGS; IMPRESSION lists only other findings ({'; '.join(others)})"
    elif kind == "placeholder":
        s = compose(r, r.choice(CLEAN_SCENARIOS))
        first = "IMPRESSION" if (k % 3 == 2) else "FINDINGS"
        what = ""
        for sec_name in (first, "FINDINGS"):
            sec = s["i"] if sec_name == "IMPRESSION" else s["f"]
            order = list(range(len(sec)))
            r.shuffle(order)
            # prefer the main (abnormal) sentence when there is one
            order.sort(key=lambda j, sec=sec: sec[j][1] not in ("side", "sig"))
            for j in order:
                res = place_placeholder(r, sec[j][0])
                if res:
                    sec[j] = (res[0], "placeholder")
                    what = f"{sec_name}: {res[1]}"
                    break
            if what:
                break
    else:
        raise ValueError(kind)
    st = pick_style(r, ap=s["ap"], exam=s["exam"], screening=s["clin"] in CLIN_SCREEN)
    report = render(st, s["clin"], s["comparison"], texts(s["f"]), texts(s["i"]), missing)
    return {"injected": kind, "detail": f"composed ({s['name']}; {style_name(st)}): {what}", "report": report}


# ----------------------------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------------------------

FAM = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space (disease|opacit|process|consolidat)|infiltrat|pneumonia",
    "edema": r"edema|oedema|congesti",
    "cardiomegaly": r"cardiomegaly|(heart|cardiac silhouette|heart size) (is |are )?(mildly |moderately |markedly |"
                    r"severely )?(enlarged|increased)|enlarge(d|ment of the) (heart|cardiac)",
    "mass": r"\bmass|nodul",
    "opacity": r"opacit|densit",
    "atelectasis": r"atelecta|collapse",
    "fracture": r"fractur",
    "freeair": r"free air|pneumoperitoneum|free gas",
    "widened": r"mediastin\w* (is |appears )?widen|widened (superior )?mediastin|mediastinal widening",
}
FAM_RE = {k: re.compile(v, re.I) for k, v in FAM.items()}
LUNG_GROUP = {"consolidation", "opacity", "atelectasis"}
NEG_START = re.compile(r"^(no|there (is|are) no|without|negative|not|none|(the )?lungs? (are|is) (clear|grossly clear)|"
                       r"(both )?lung fields are clear|clear lungs|lungs are well expanded and clear)\b", re.I)
NEG_ANY = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free of|removed|rather than|versus|vs|"
                     r"or|cannot|may|possibl[ey]|questionable|\?|exclude|rule out|resolving|improv\w*)\b", re.I)
MINOR_RE = {
    "degenerative": (re.compile(r"degenerat|spondyl|osteophyt", re.I), "Degenerative changes in the dorsal spine."),
    "granuloma": (re.compile(r"granuloma", re.I), "Old calcified granuloma."),
    "aorta": (re.compile(r"tortuous|ectatic|atherosclero|aortic calcification|calcified aort", re.I),
              "Unfolded, atherosclerotic aorta."),
    "copd": (re.compile(r"(?<!subcutaneous )emphysema|hyperinfla|copd|hyperexpan", re.I),
             "Hyperinflated lungs - COPD."),
    "sternotomy": (re.compile(r"sternotomy", re.I), "Post-sternotomy status."),
    "hernia": (re.compile(r"hiatal hernia", re.I), "Hiatus hernia."),
    "scoliosis": (re.compile(r"scoliosis", re.I), "Scoliosis of the thoracic spine."),
}
NORMAL_I_RE = re.compile(r"\b(no acute|normal|negative|no active|no evidence|no radiographic evidence|unremarkable|"
                         r"no significant|no cardiopulmonary|no acute cardiopulmonary)\b", re.I)
EXTRA_RE = re.compile(r"emphysema|hyperinfl|hyperexpan|copd|hernia|fibros|scar|interstitial|enlarg|prominen|tortuous|"
                      r"calcif|degenerat|deformit|surgical|sternotomy|clip|catheter|tube|pacer|pacemaker|device|"
                      r"elevat|blunt|thicken|kyphosis|scoliosis|granuloma|hilar|lymph|osteophyt|spondyl|chronic|"
                      r"postoperative|post-operative|status post|hyperlucen|bulla|cyst|lesion|cavit|old|healed|"
                      r"ectatic|atheroscl|stent|wire|port|line|infiltrat|mass|nodul|opaci|densit|atelect|effusion|"
                      r"pneumothora|edema|oedema|consolid|airspace|fractur|widen|cardiomegaly|vascular congestion",
                      re.I)
DEVICE_RE = re.compile(r"\b(catheter|picc|tube|pacemaker|pacer|sternotomy|wires|clips|port|stent)s?\b", re.I)
SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def split_sents(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}\.\s+(?=[A-Z])", "", text)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return [s.strip() for s in SENT_SPLIT.split(text) if s.strip()]


REWORD = [
    (re.compile(r"\bx-XXXX\b"), "X-ray", "x-XXXX -> X-ray"),
    (re.compile(r"\bedema\b"), "oedema", "edema -> oedema"),
    (re.compile(r"\bEdema\b"), "Oedema", "edema -> oedema"),
    (re.compile(r"\bhemorrhag"), "haemorrhag", "haemorrhage spelling"),
    (re.compile(r"\besophag"), "oesophag", "oesophagus spelling"),
    (re.compile(r"\bcenter\b"), "centre", "centre spelling"),
    (re.compile(r"\b(visualiz|localiz|normaliz)"), None, "-ise spelling"),
    (re.compile(r"^(The )?[Ll]ungs are clear\.$"), "Both lung fields are clear.", "'lungs are clear' -> lung fields"),
    (re.compile(r"^(The )?[Ll]ungs are clear bilaterally\.$"), "Both lung fields are clear.",
     "'lungs are clear' -> lung fields"),
    (re.compile(r"^(The )?[Hh]eart (size )?is normal( in size)?\.$"), "Cardiac size is within normal limits.",
     "heart size wording"),
    (re.compile(r"^Heart size normal\.$"), "Cardiac size is within normal limits.", "heart size wording"),
    (re.compile(r"^No pleural effusions?\.$"), "Both costophrenic angles are clear.", "'no effusion' -> CP angles"),
    (re.compile(r"\bcostophrenic angles\b"), "CP angles", "costophrenic -> CP"),
    (re.compile(r"^(The )?[Oo]sseous structures are (intact|unremarkable|normal)\.$"),
     "Visualised bony thorax is normal.", "osseous -> bony thorax"),
    (re.compile(r"^No acute cardiopulmonary (abnormalit(y|ies)|findings|process|disease)( identified)?\.?$"),
     "No acute cardiopulmonary abnormality detected.", "impression wording"),
    (re.compile(r"^No active disease\.?$"), "No active disease seen.", "impression wording"),
    (re.compile(r"^(Both lungs|The lungs|Lungs) (are|appear) clear and expanded\.$"),
     "Both lung fields are clear and well expanded.", "lung fields wording"),
    (re.compile(r"^(The lungs|Lungs) (appear|are) clear\b"), "Both lung fields \\2 clear", "lung fields wording"),
    (re.compile(r"^Heart and mediastinum normal\.$"), "Heart and mediastinum are normal.", "heart wording"),
    (re.compile(r"\bcardiomediastinal silhouette\b"), "cardiomediastinal shadow", "silhouette -> shadow"),
    (re.compile(r"\b[Oo]sseous structures\b"), "bony structures", "osseous -> bony"),
    (re.compile(r"\bpneumothoraces\b"), "pneumothorax", "pneumothoraces -> pneumothorax"),
    (re.compile(r"\s+\.(\s*\.)*$"), ".", "stray full stop"),
    (re.compile(r"([a-z])$"), "\\1.", "full stop added"),
    (re.compile(r"^Normal chest\.$"), "Normal chest radiograph.", "impression wording"),
]


def reword(sents: list[str], r: random.Random) -> tuple[list[str], set[str]]:
    out, done = [], set()
    for s in sents:
        for rx, rep, label in REWORD:
            if rep is None:
                new = rx.sub(lambda m: m.group(0)[:-1] + "s", s)
            elif label.startswith("costophrenic") and r.random() < 0.5:
                continue
            else:
                new = rx.sub(rep, s)
            if new != s:
                done.add(label)
                s = new
        out.append(s)
    return out, done


def analyse(sents: list[str]) -> dict:
    """Per section: affirmed families, negated families, ambiguous flag, sides, minor keys."""
    aff, neg, sides, minors = set(), set(), set(), set()
    ambiguous = False
    sided_idx = []
    for j, s in enumerate(sents):
        fams = {k for k, rx in FAM_RE.items() if rx.search(s)}
        if re.search(r"lungs? (are|is) (clear|grossly clear)|lung fields are clear|clear lungs", s, re.I):
            fams_neg = {"consolidation", "opacity", "edema"}
        else:
            fams_neg = set()
        if re.search(r"(heart|cardiac)[^.]*(normal|within normal limits|not enlarged|unremarkable)", s, re.I) and \
                not re.search(r"enlarg(ed|ement)(?! )|cardiomegaly", s.replace("not enlarged", ""), re.I):
            fams_neg.add("cardiomegaly")
        if NEG_START.search(s):
            if re.search(r"\b(but|however|except|although|though|with|;)\b", s, re.I) and fams:
                ambiguous = True
            neg |= fams | fams_neg
        else:
            neg |= fams_neg
            if fams:
                if NEG_ANY.search(s):
                    ambiguous = True
                aff |= fams
        sd = {m.group(0).lower() for m in re.finditer(r"\b(right|left)\b", s, re.I)}
        if sd:
            sides |= sd
            sided_idx.append(j)
        for key, (rx, _) in MINOR_RE.items():
            if rx.search(s) and not fams and not NEG_START.search(s):
                minors.add(key)
    return {"aff": aff, "neg": neg, "amb": ambiguous, "sides": sides, "sided_idx": sided_idx, "minors": minors}


def fams_of(s: str) -> set[str]:
    return {k for k, rx in FAM_RE.items() if rx.search(s)}


def fam_close(fams: set[str]) -> set[str]:
    out = set(fams)
    if fams & LUNG_GROUP:
        out |= LUNG_GROUP
    return out


@lru_cache(maxsize=2)
def load_iu(path: str) -> tuple:
    rows = []
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(io.BytesIO(tar.extractfile(m).read())).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            rows.append((uid, d.get("INDICATION", ""), d.get("COMPARISON", ""), d.get("FINDINGS", ""),
                         d.get("IMPRESSION", "")))
    rows.sort(key=lambda x: int(re.sub(r"\D", "", x[0]) or 0))
    return tuple(rows)


def dev_uids() -> set[str]:
    out = set()
    with open(dev_set()) as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.add(json.loads(line)["uid"])
    return out


@lru_cache(maxsize=2)
def iu_pools(path: str, dev: frozenset) -> dict:
    """Classify IU reports into pools (order fixed; sampling per seed happens later)."""
    pools = {"normal": [], "abn": [], "lat": [], "omit": [], "neg_b": []}
    for uid, ind, cmp_, fin, imp in load_iu(path):
        if uid in dev or not fin or not imp:
            continue
        allt = " ".join([ind, cmp_, fin, imp])
        if re.search(r"[\[\]_*<>{}]|\bXX\b|\bxx\b", allt) or len(fin) > 650 or len(imp) > 300 or len(fin) < 40:
            continue
        if re.search(r"\b(see|as) (above|findings)\b|\bcomparison\b.*\bunchanged\b", imp, re.I):
            continue
        fs, is_ = split_sents(fin), split_sents(imp)
        if not fs or not is_:
            continue
        a_f, a_i = analyse(fs), analyse(is_)
        rec = {"uid": uid, "ind": ind, "cmp": cmp_, "f": fs, "i": is_, "af": a_f, "ai": a_i}
        if a_f["amb"]:
            continue
        targets = []
        for j, s in enumerate(fs):
            if NEG_START.search(s):
                continue
            fams = {k for k in ("effusion", "pneumothorax", "consolidation", "edema", "freeair", "widened")
                    if FAM_RE[k].search(s)} | ({"mass"} if re.search(r"\bmass\b", s, re.I) else set())
            if fams and not re.search(r"small|trace|tiny|minimal|mild|subtle|blunting|stable|unchanged|chronic|old|"
                                      r"scar|healed|no longer|resolv|improv|decreas|possibl|may|could|question|"
                                      r"atelecta|minor|patchy|streaky|linear|vague|bibasilar|clear|probabl|suspect|"
                                      r"limited|evaluat|exclude|assess|pericardial|breast|known|XXXX|typical|"
                                      r"suspic", s, re.I):
                if fams & fam_close(a_i["aff"]):
                    targets.append((j, sorted(fams)))
        if targets:
            rec["targets"] = targets
            tj = {j for j, _ in targets}
            others, devices = [], []
            for s in is_:
                if DEVICE_RE.search(s) and not any(rx.search(s) for rx in FAM_RE.values()) and "XXXX" not in s:
                    devices.append(s)
            for j, s in enumerate(fs):
                if j in tj or NEG_START.search(s):
                    continue
                fams = {k for k, rx in FAM_RE.items() if rx.search(s)}
                if fams == {"cardiomegaly"} and "Cardiomegaly." not in others:
                    others.append("Cardiomegaly.")
                elif not fams:
                    for rx, phrase in MINOR_RE.values():
                        if rx.search(s) and phrase not in others:
                            others.append(phrase)
                    if not devices and DEVICE_RE.search(s) and "XXXX" not in s and len(s) < 140:
                        others.append(s)
            others += devices
            rec["others"] = others
            pools["omit"].append(rec)
        if a_i["amb"]:
            continue
        # strictly normal: nothing affirmed, no extra findings, impression a normal statement
        if (not a_f["aff"] and not a_i["aff"] and not any(EXTRA_RE.search(s) and not NEG_START.search(s) for s in fs)
                and all(NORMAL_I_RE.search(s) and not EXTRA_RE.search(s) for s in is_)
                and not a_f["sides"] and not a_i["sides"]):
            pools["normal"].append(rec)
            continue
        # abnormal but consistent
        if not a_f["aff"]:
            continue
        if a_i["neg"] & a_f["aff"] or a_i["aff"] & a_f["neg"]:
            continue
        sig_f = a_f["aff"] & {"effusion", "pneumothorax", "consolidation", "edema", "mass", "freeair", "widened"}
        if not sig_f <= fam_close(a_i["aff"]):
            continue
        if a_i["aff"] - fam_close(a_f["aff"]):
            continue
        if any(not fams_of(x) <= fam_close(a_i["aff"]) for x in fs if not NEG_START.search(x)
               and not re.search(r"mild|stable|borderline|upper limit|minimal|subsegmental|linear|discoid|scar", x,
                                 re.I)):
            continue
        if len(a_f["sides"]) > 1 or len(a_i["sides"]) > 1 or not a_i["sides"] <= a_f["sides"]:
            continue
        pools["abn"].append(rec)
        if a_f["sides"] and a_i["sides"] and len(a_i["sided_idx"]) == 1:
            sf = [fs[j] for j in a_f["sided_idx"]]
            si = is_[a_i["sided_idx"][0]]
            if any(FAM_RE[x].search(si) for x in a_f["aff"]) and all(
                    any(FAM_RE[x].search(t) for x in a_f["aff"]) for t in sf):
                pools["lat"].append(rec)
        if a_f["aff"] & {"effusion", "consolidation", "cardiomegaly", "pneumothorax", "edema"} and not a_f["sides"]:
            pools["neg_b"].append(rec)
    return pools


SIG_FAMS = {"effusion", "pneumothorax", "consolidation", "edema", "mass", "freeair", "widened", "cardiomegaly"}
IU_NORMAL_IMPRESSIONS = ["No significant abnormality detected.", "Normal chest radiograph.",
                         "No active lung parenchymal lesion.", "No acute cardiopulmonary abnormality detected.",
                         "Chest X-ray within normal limits."]
NEG_B_IU = {
    "effusion": ["No pleural effusion.", "Both costophrenic angles are clear."],
    "consolidation": ["No consolidation.", "Both lung fields are clear."],
    "cardiomegaly": ["Heart size is normal.", "Cardiac size is within normal limits."],
    "pneumothorax": ["No pneumothorax."],
    "edema": ["No pulmonary oedema."],
}
ASSERT_IU = [
    ("effusion", re.compile(r"effusion|CP angles are clear|costophrenic angles are (clear|sharp)", re.I),
     ["Moderate {side} pleural effusion.", "{Side}-sided pleural effusion."]),
    ("pneumothorax", re.compile(r"pneumothora", re.I), ["{Side} pneumothorax.", "Small {side} apical pneumothorax."]),
    ("consolidation", re.compile(r"consolidat|airspace|lung fields are clear|lungs are clear", re.I),
     ["{Side} lower zone consolidation - ? pneumonia.", "Patchy consolidation in the {side} mid zone."]),
    ("cardiomegaly", re.compile(r"(heart|cardiac)[^.]*(normal|within normal limits)", re.I),
     ["Cardiomegaly.", "Cardiomegaly with CTR about 0.6."]),
    ("edema", re.compile(r"oedema|edema", re.I), ["Pulmonary oedema.", "Features of interstitial pulmonary oedema."]),
]


def iu_clinical(ind: str) -> str:
    ind = re.sub(r"\s+", " ", ind).strip()
    ind = re.sub(r"\.(\s*\.)+", ".", ind)
    return ind if ind.endswith(".") or not ind else ind + "."


def iu_comparison(c: str, r: random.Random) -> str:
    c = re.sub(r"\s+", " ", c).strip()
    if not c or re.fullmatch(r"(none|none\.|no prior|none available\.?)", c, re.I):
        return r.choice(["", "No previous films available for comparison.", "None."])
    return c if c.endswith(".") else c + "."


def iu_case(r: random.Random, rec: dict, kind: str | None, k: int) -> dict:
    fs, ch1 = reword(rec["f"], r)
    is_, ch2 = reword(rec["i"], r)
    changes = sorted(ch1 | ch2)
    missing = None
    what = "no error injected"
    if kind == "missing_section":
        missing = ["findings_empty", "impression_empty", "impression_sign_only", "impression_removed"][k % 4]
        what = {"findings_empty": "FINDINGS header kept with nothing under it",
                "impression_empty": "IMPRESSION header kept with nothing under it",
                "impression_sign_only": "IMPRESSION header with only the signature under it",
                "impression_removed": "IMPRESSION section removed"}[missing]
    elif kind == "laterality_conflict":
        in_f = k % 2 == 0
        a = analyse(fs if in_f else is_)
        sec = fs if in_f else is_
        j = a["sided_idx"][0] if not in_f else r.choice(a["sided_idx"])
        old = sec[j]
        sec[j] = flip_sides(old)
        what = f"{'FINDINGS' if in_f else 'IMPRESSION'} sentence side flipped: '{old}' -> '{sec[j]}'"
    elif kind == "negation_conflict":
        if rec.get("neg_b_fam"):
            fam = rec["neg_b_fam"]
            aff = next(s for s in fs if FAM_RE[fam].search(s) and not NEG_START.search(s))
            neg = r.choice(NEG_B_IU[fam])
            kept = [s for s in is_ if not FAM_RE[fam].search(s)]
            is_ = [neg] + kept
            what = f"IMPRESSION now reads '{' '.join(is_)}', negating FINDINGS '{aff}'"
        else:
            opts = []
            for fam, rx, temps in ASSERT_IU:
                for s in fs:
                    if assertable(fam, rx, s):
                        opts.append((fam, s, temps))
            fam, s, temps = r.choice(opts)
            a = fill(r.choice(temps), r.choice(["right", "left"]))
            is_ = [a]
            what = f"IMPRESSION replaced by '{a}' while FINDINGS state '{s}'"
    elif kind == "impression_omits_finding":
        j, fams = rec["targets"][0]
        if k % 2 == 0 or not rec["others"]:
            is_ = [r.choice(IU_NORMAL_IMPRESSIONS)]
            what = f"FINDINGS affirm '{fs[j]}'; IMPRESSION replaced by a normal statement '{is_[0]}'"
        else:
            is_ = list(rec["others"])
            what = f"FINDINGS affirm '{fs[j]}'; IMPRESSION replaced by other findings only ({' '.join(is_)})"
    elif kind == "placeholder":
        in_i = k % 3 == 2
        sec = is_ if in_i else fs
        order = list(range(len(sec)))
        r.shuffle(order)
        for j in order:
            res = place_placeholder(r, sec[j])
            if res:
                sec[j] = res[0]
                what = f"{'IMPRESSION' if in_i else 'FINDINGS'}: {res[1]}"
                break
        else:
            raise RuntimeError("no placeholder spot")
    st = pick_style(r, screening=bool(re.search(r"screen|ppd|tb test|tuberculosis|immigra|employ", rec["ind"], re.I)))
    report = render(st, iu_clinical(rec["ind"]), iu_comparison(rec["cmp"], r), fs, is_, missing)
    detail = (f"IU {rec['uid']}: re-laid out ({style_name(st)}); reworded: {', '.join(changes) or 'none'}; "
              f"{what}")
    return {"injected": kind, "detail": detail, "report": report}


def iu_assignments(r: random.Random) -> dict:
    """Choose the IU reports for each group: 100 clean and 20 per kind, all distinct, never a dev uid."""
    pools = iu_pools(str(iu_archive()), frozenset(dev_uids()))
    sh = {k: list(v) for k, v in pools.items()}
    for v in sh.values():
        r.shuffle(v)
    used: set[str] = set()

    def take(cands: list[dict], n: int) -> list[dict]:
        got = []
        for x in cands:
            if len(got) == n:
                break
            if x["uid"] not in used:
                got.append(x)
                used.add(x["uid"])
        return got

    out = {}
    out["laterality_conflict"] = take(sh["lat"], 20)
    # omission: even k -> IMPRESSION replaced by a normal statement, odd k -> other findings only
    wo = take([x for x in sh["omit"] if x["others"]], 10)
    nm = take(sh["omit"], 20 - len(wo))
    out["impression_omits_finding"] = [x for pair in zip(nm, wo, strict=False) for x in pair] + nm[len(wo):]
    negb = []
    for x in sh["neg_b"]:
        if len(negb) == 7:
            break
        if x["uid"] in used:
            continue
        for fam in sorted(x["af"]["aff"] & set(NEG_B_IU)):
            hits = [s for s in x["i"] if FAM_RE[fam].search(s)]
            others = SIG_FAMS - {fam}
            f_hits = [s for s in x["f"] if FAM_RE[fam].search(s) and not NEG_START.search(s)]
            if any(re.search(r"mild|borderline|upper|small|trace|minimal|tiny", s, re.I) for s in f_hits):
                continue
            if hits and not any(FAM_RE[o].search(s) for s in hits for o in others):
                negb.append(dict(x, neg_b_fam=fam))
                used.add(x["uid"])
                break
    out["negation_conflict"] = negb + take([x for x in sh["normal"] if _can_assert(x)], 20 - len(negb))
    clean = take(sh["abn"], 30)
    clean += take(sh["normal"], 100 - len(clean))
    r.shuffle(clean)
    out[None] = clean
    rest = sh["normal"] + sh["abn"]
    r.shuffle(rest)
    out["missing_section"] = take(rest, 20)
    out["placeholder"] = take(rest, 20)
    return out


def assertable(fam: str, rx: re.Pattern, s: str) -> bool:
    """A findings sentence that plainly negates the family (explicitly or by meaning)."""
    if not rx.search(s) or re.search(r"large|significant|definite|gross|upper|borderline|top|XXXX|but|however", s,
                                     re.I):
        return False
    return bool(NEG_START.search(s) or fam == "cardiomegaly" or re.search(r"are clear", s))


def _can_assert(rec: dict) -> bool:
    for fam, rx, _ in ASSERT_IU:
        for s in rec["f"]:
            if assertable(fam, rx, s):
                return True
    return False


# ----------------------------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    r = random.Random(f"heldout139-{seed}")
    iu = iu_assignments(r)
    rows = []
    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in groups:
        recs = iu[kind]
        if len(recs) != n // 2:
            raise RuntimeError(f"only {len(recs)} IU reports for {kind}")
        for k in range(n // 2):
            rows.append(composed_case(r, kind, k))
        for k, rec in enumerate(recs):
            rows.append(iu_case(r, rec, kind, k))
    r.shuffle(rows)
    return [{"id": f"h139-{seed}-{k}", "injected": row["injected"], "detail": row["detail"], "report": row["report"]}
            for k, row in enumerate(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            n_comp = (a.show + 1) // 2
            for src, n in (("composed", n_comp), ("IU", a.show - n_comp)):
                sel = [x for x in rows if x["injected"] == kind and x["detail"].startswith(src)][:n]
                for x in sel:
                    print(f"===== {x['id']} [{kind}] {x['detail']}\n{x['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
