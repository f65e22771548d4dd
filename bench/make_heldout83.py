"""Held-out report-check set 83, written blind (without reading the checker).

Setting: US hospital pre-admission testing (PAT) and pre-operative assessment clinics -- chest films taken
as part of elective surgery work-ups (orthopaedic joint replacement and spine, general surgery such as
cholecystectomy and hernia repair, cardiac surgery such as CABG / valve replacement, bariatric surgery).
Patients are mostly older, and most films are normal or show chronic findings (cardiomegaly, tortuous or
calcified aorta, granulomas, degenerative spine, hyperinflation, old fractures, sternotomy wires, clips),
with the occasional unexpected nodule, effusion or infiltrate that must reach the surgeon.

Reports are dictated in US style (PowerScribe-like templates): an exam line, CLINICAL HISTORY / INDICATION /
REASON FOR EXAM, COMPARISON, TECHNIQUE, FINDINGS (prose or organ-system headed), IMPRESSION (sometimes
CONCLUSION), and an electronic sign-off line.  Unfilled template fields in this style are ``***``, ``[***]``,
``[ ]``, ``[mm]``, ``[right/left]``, ``<<...>>`` and the like.  ``XXXX`` and ``___`` are de-identification
masks, never placeholders.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder).  Half of each group is composed from the phrase bank below, half are
real IU reports (never a dev-set uid) re-laid-out with a PAT header / sign-off and lightly re-worded.

Usage: python -m bench.make_heldout83 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# Data loading
# ----------------------------------------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None


def dev_uids() -> set[str]:
    out: set[str] = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def load_iu() -> list[dict]:
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    rows = []
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(path, "r:gz") as tf:
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
            uel = root.find("uId")
            if uel is None:
                continue
            rec = {"uid": uel.get("id", "")}
            for at in root.iter("AbstractText"):
                lab = (at.get("Label") or "").lower()
                rec[lab] = " ".join((at.text or "").split())
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = rows
    return rows


# ----------------------------------------------------------------------------------------------------------
# Setting phrase bank
# ----------------------------------------------------------------------------------------------------------

EXAM_LINES = [
    "EXAM: XR CHEST PA AND LATERAL",
    "EXAMINATION: CHEST, 2 VIEWS",
    "EXAM: XR CHEST 2 VIEWS (PA/LAT)",
    "PROCEDURE: CHEST RADIOGRAPH, PA AND LATERAL",
    "EXAM: CHEST 2 VW FRONTAL AND LATERAL",
    "XR CHEST PA/LATERAL - PREOPERATIVE",
    "EXAM: DX CHEST 2 VIEWS",
]
EXAM_LINES_1V = [
    "EXAM: XR CHEST 1 VIEW",
    "EXAM: CHEST, SINGLE VIEW (PA)",
]
HIST_HDR = ["CLINICAL HISTORY", "HISTORY", "INDICATION", "REASON FOR EXAM", "CLINICAL INDICATION"]
SURGERIES = [
    "right total knee arthroplasty", "left total knee arthroplasty", "right total hip arthroplasty",
    "left total hip arthroplasty", "L4-L5 lumbar fusion", "ACDF C5-C6", "right shoulder arthroplasty",
    "laparoscopic cholecystectomy", "ventral hernia repair", "inguinal hernia repair", "sigmoid colectomy",
    "laparoscopic sleeve gastrectomy", "Roux-en-Y gastric bypass", "CABG", "aortic valve replacement",
    "mitral valve repair", "thyroidectomy", "TURP", "hysterectomy", "partial colectomy",
]
HISTORIES = [
    "Preoperative evaluation. Scheduled for {surg}.",
    "Pre-op {surg}.",
    "Preop clearance, {surg}.",
    "Pre-admission testing prior to {surg}.",
    "{age} year old {sex}, {pmh}, pre-op {surg}.",
    "{age}-year-old {sex}, preoperative chest x-ray prior to {surg}. History of {pmh}.",
    "Pre-surgical evaluation. Hx {pmh}. Planned {surg}.",
    "PAT for {surg}.",
    "Preop {surg}. Hx {pmh}.",
]
PMH = [
    "hypertension", "HTN, HLD", "COPD", "type 2 diabetes", "DM2, HTN", "former smoker", "CAD", "obesity",
    "morbid obesity, OSA", "atrial fibrillation", "CKD stage 3", "asthma", "GERD", "hyperlipidemia",
    "40 pack-year smoking history", "CHF", "prior MI", "osteoarthritis",
]
COMPARISONS_NONE = ["None.", "None available.", "No prior studies available.", "None."]
COMPARISONS_PRIOR = [
    "Chest radiograph {d}.", "CXR dated {d}.", "Prior chest x-ray {d}.", "PA and lateral chest {d}.",
    "{d}.", "Outside chest radiograph {d}.",
]
TECHNIQUES = [
    "PA and lateral views of the chest.",
    "Frontal and lateral views of the chest were obtained.",
    "PA and lateral radiographs of the chest.",
    "2 views of the chest.",
    "Upright PA and lateral views of the chest were obtained.",
]
RADIOLOGISTS = [
    "Michael R. Chen, MD", "Sarah L. Whitfield, MD", "David Okafor, MD", "Jennifer M. Alvarez, MD",
    "Robert K. Patel, MD", "Karen E. Lindqvist, DO", "Thomas J. Brennan, MD", "Priya Raman, MD",
    "Steven A. Kowalski, MD", "Laura B. Nguyen, MD",
]
SIGNOFFS = [
    "Electronically signed by: {rad} on {d} {t}",
    "Dictated by: {rad}\nElectronically signed: {d} {t}",
    "Signed by {rad} {d} {t}",
    "Workstation: RADREAD0{w}\nElectronically signed by {rad}, {d} at {t}.",
    "I have personally reviewed the images and agree with the above report.\nSigned: {rad} {d} {t}",
    "{rad}\nFinal report signed {d} {t}",
]

NORMAL_PARTS = {
    "lines": ["No support devices.", "Lines/tubes: None."],
    "lungs": [
        "The lungs are clear.", "Lungs are clear bilaterally.", "The lungs are well expanded and clear.",
        "No focal consolidation.", "Clear lungs without focal airspace disease.",
        "No focal airspace opacity.", "Lungs are clear without infiltrate.",
    ],
    "pleura": [
        "No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
        "There is no pleural effusion or pneumothorax.", "No pneumothorax. No pleural effusion.",
        "Costophrenic angles are sharp. No pneumothorax.",
    ],
    "heart": [
        "The heart is normal in size.", "Heart size is normal.",
        "Cardiomediastinal silhouette is within normal limits.",
        "Normal cardiomediastinal contours.", "The cardiac and mediastinal silhouettes are normal.",
        "Heart and mediastinum are within normal limits.",
    ],
    "bones": [
        "No acute osseous abnormality.", "Osseous structures are intact.", "No acute bony abnormality.",
        "Visualized bones are unremarkable.", "The visualized osseous structures are unremarkable for age.",
    ],
}
NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary process.", "No acute cardiopulmonary disease.",
    "No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active disease in the chest.",
    "No acute intrathoracic process.", "Normal 2 view chest.",
    "No acute cardiopulmonary process. No radiographic contraindication to the planned procedure.",
    "Negative chest.", "No acute findings.",
]
# Normal macro pasted over an impression (for omissions): statements that do not name the omitted finding.
NORMAL_MACROS = [
    "No acute cardiopulmonary process.", "No acute cardiopulmonary disease.", "Normal chest radiograph.",
    "No acute cardiopulmonary abnormality.", "No active cardiopulmonary disease.",
    "No acute intrathoracic abnormality.", "Negative chest x-ray.", "Normal 2 view chest.",
    "No acute radiographic abnormality of the chest.",
]

LOBES = {
    "right": ["right upper lobe", "right middle lobe", "right lower lobe", "right lung base", "right apex"],
    "left": ["left upper lobe", "lingula", "left lower lobe", "left lung base", "left apex"],
}


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def lobe(rng: random.Random, side: str) -> str:
    return rng.choice(LOBES[side])


# A finding: dict with region (which normal part it replaces), f (findings text), i (impression text or ""),
# sig (significant for the surgeon), side (or None), key (nouns for conflicts), neg_f (findings sentence that
# negates it), neg_i (impression sentence that negates it).

def f_granuloma(rng, side):
    lb = lobe(rng, side)
    return {
        "region": "extra", "sig": False, "side": side, "key": "granuloma",
        "f": rng.choice([f"Calcified granuloma in the {lb}.", f"Small calcified granuloma projects over the {lb}.",
                         f"Punctate calcified granuloma, {lb}."]),
        "i": rng.choice([f"Calcified granuloma in the {lb}, sequela of prior granulomatous disease.",
                         f"{lb.capitalize()} calcified granuloma, benign."]),
    }


def f_cardiomegaly_mild(rng, side):
    return {
        "region": "heart", "sig": False, "side": None, "key": "cardiomegaly",
        "f": rng.choice(["The heart is mildly enlarged.", "Mild cardiomegaly.",
                         "Cardiac silhouette is mildly enlarged, unchanged from prior.",
                         "Borderline enlarged cardiac silhouette."]),
        "i": rng.choice(["Mild cardiomegaly.", "Stable mild cardiomegaly.", "Mild cardiomegaly without edema."]),
        "neg_f": rng.choice(["The heart is normal in size.", "Heart size is normal."]),
        "neg_i": "Normal heart size.",
    }


def f_aorta(rng, side):
    return {
        "region": "extra", "sig": False, "side": None, "key": "aorta",
        "f": rng.choice(["Atherosclerotic calcification of the aortic arch.", "The thoracic aorta is tortuous.",
                         "Tortuous and calcified thoracic aorta.", "Aortic knob calcification."]),
        "i": rng.choice(["Aortic atherosclerosis.", "Tortuous, atherosclerotic thoracic aorta."]),
    }


def f_djd(rng, side):
    return {
        "region": "bones", "sig": False, "side": None, "key": "degenerative",
        "f": rng.choice(["Degenerative changes of the thoracic spine.", "Multilevel degenerative disc disease "
                         "of the thoracic spine.", "Mild degenerative changes of the thoracic spine and "
                         "bilateral glenohumeral joints.", "Thoracic spondylosis."]),
        "i": rng.choice(["Degenerative changes of the thoracic spine.", "Thoracic spondylosis."]),
    }


def f_oldrib(rng, side):
    return {
        "region": "bones", "sig": False, "side": side, "key": "rib fracture",
        "f": rng.choice([f"Healed {side} lateral rib fractures.", f"Old healed fracture of the {side} posterior "
                         f"{rng.choice(['6th', '7th', '8th'])} rib."]),
        "i": f"Old healed {side} rib fracture(s).",
    }


def f_sternotomy(rng, side):
    return {
        "region": "lines", "sig": False, "side": None, "key": "sternotomy",
        "f": rng.choice(["Median sternotomy wires are intact.", "Postsurgical changes of prior CABG with "
                         "intact sternotomy wires and mediastinal clips."]),
        "i": "Postoperative changes of prior CABG.",
    }


def f_hyperinfl(rng, side):
    return {
        "region": "lungs", "sig": False, "side": None, "key": "hyperinflation",
        "f": rng.choice(["The lungs are hyperinflated with flattening of the hemidiaphragms. No focal "
                         "consolidation.", "Hyperexpanded lungs, consistent with COPD. No focal airspace disease.",
                         "Emphysematous changes in the upper lobes. No focal consolidation."]),
        "i": rng.choice(["Hyperinflation consistent with COPD. No acute process.",
                         "Emphysema. No acute cardiopulmonary process."]),
    }


def f_atelectasis(rng, side):
    lb = rng.choice([f"{side} base", f"{side} lung base", f"{side} lower lobe"])
    return {
        "region": "extra", "sig": False, "side": side, "key": "atelectasis",
        "f": rng.choice([f"Minimal linear atelectasis at the {lb}.", f"Linear scarring or atelectasis in the {lb}.",
                         f"Mild bandlike atelectasis at the {lb}."]),
        "i": rng.choice([f"Minimal {side} basilar atelectasis.", f"Linear atelectasis/scarring, {lb}."]),
    }


def f_clips(rng, side):
    return {
        "region": "extra", "sig": False, "side": None, "key": "clips",
        "f": rng.choice(["Surgical clips in the right upper quadrant.", "Partially imaged gastric band device.",
                         "Cholecystectomy clips project over the right upper quadrant."]),
        "i": "",
    }


def f_small_eff(rng, side):
    return {
        "region": "pleura", "sig": False, "side": side, "key": "effusion",
        "f": rng.choice([f"Trace {side} pleural effusion. No pneumothorax.",
                         f"Small {side} pleural effusion with blunting of the {side} costophrenic angle. "
                         "No pneumothorax."]),
        "i": rng.choice([f"Small {side} pleural effusion.", f"Trace {side} pleural effusion."]),
        "neg_f": "No pleural effusion or pneumothorax.",
        "neg_i": "No pleural effusion.",
    }


def f_nodule(rng, side):
    lb = lobe(rng, side)
    mm = rng.choice([7, 8, 9, 10, 11, 12, 14])
    return {
        "region": "extra", "sig": True, "side": side, "key": "nodule",
        "f": rng.choice([f"There is a {mm} mm noncalcified nodule in the {lb}.",
                         f"New {mm} mm nodular opacity projects over the {lb}.",
                         f"{mm} mm rounded nodule in the {lb}, not seen previously."]),
        "i": rng.choice([f"{mm} mm {lb} pulmonary nodule. Recommend CT chest for further evaluation.",
                         f"{lb.capitalize()} {mm} mm nodule. Nonemergent CT of the chest is recommended. "
                         "Findings communicated to the ordering surgeon's office.",
                         f"New {mm} mm nodule in the {lb}; CT chest recommended prior to elective surgery."]),
        "neg_i": rng.choice(["No suspicious pulmonary nodule.", "No pulmonary nodules or masses."]),
    }


def f_mod_eff(rng, side):
    size = rng.choice(["Moderate", "Moderate", "Large"])
    return {
        "region": "pleura", "sig": True, "side": side, "key": "effusion",
        "f": rng.choice([f"{size} {side} pleural effusion. No pneumothorax.",
                         f"{size} {side} pleural effusion with adjacent compressive atelectasis. "
                         "No pneumothorax.",
                         f"{size} {side} pleural effusion layering posteriorly on the lateral view."]),
        "i": rng.choice([f"{size} {side} pleural effusion, new since prior.", f"{side.capitalize()} pleural "
                         f"effusion, {size.lower()} in size. Findings called to the preadmission testing nurse.",
                         f"{size} {side} pleural effusion."]),
        "neg_f": "No pleural effusion or pneumothorax.",
        "neg_i": rng.choice(["No pleural effusion.", "No effusion."]),
    }


def f_pneumonia(rng, side):
    lb = rng.choice([x for x in LOBES[side] if "apex" not in x])
    return {
        "region": "lungs", "sig": True, "side": side, "key": "consolidation",
        "f": rng.choice([f"Patchy airspace consolidation in the {lb}.",
                         f"Focal airspace opacity in the {lb}, new since prior.",
                         f"Infiltrate in the {lb}. The remaining lung is clear."]),
        "i": rng.choice([f"{lb.capitalize()} airspace disease, likely pneumonia. Clinical correlation and "
                         "follow-up to resolution recommended.", f"{lb.capitalize()} pneumonia.",
                         f"Focal {lb} infiltrate concerning for pneumonia. Results discussed with the surgeon's "
                         "office."]),
        "neg_f": rng.choice(["The lungs are clear.", "No focal consolidation.", "Lungs are clear bilaterally."]),
        "neg_i": rng.choice(["Clear lungs.", "No pneumonia.", "No focal consolidation."]),
    }


def f_edema(rng, side):
    return {
        "region": "lungs", "sig": True, "side": None, "key": "edema",
        "f": rng.choice(["Pulmonary vascular congestion with mild interstitial edema.",
                         "Cephalization of the pulmonary vasculature and Kerley B lines, consistent with "
                         "interstitial edema.", "Increased interstitial markings with vascular congestion."]),
        "i": rng.choice(["Pulmonary vascular congestion and mild interstitial edema.",
                         "Findings consistent with mild CHF/interstitial edema."]),
        "neg_f": "No pulmonary edema. The lungs are clear.",
        "neg_i": rng.choice(["No pulmonary edema.", "No evidence of congestive failure."]),
    }


def f_ptx(rng, side):
    return {
        "region": "pleura", "sig": True, "side": side, "key": "pneumothorax",
        "f": rng.choice([f"Small {side} apical pneumothorax. No pleural effusion.",
                         f"There is a thin {side} apical pneumothorax measuring approximately 1 cm. No effusion."]),
        "i": rng.choice([f"Small {side} apical pneumothorax. Results called to Dr. XXXX at time of dictation.",
                         f"{side.capitalize()} apical pneumothorax."]),
        "neg_f": "No pneumothorax or pleural effusion.",
        "neg_i": "No pneumothorax.",
    }


def f_mass(rng, side):
    return {
        "region": "heart", "sig": True, "side": side, "key": "mass",
        "f": rng.choice([f"Lobulated {side} hilar mass measuring approximately 3.5 cm. Heart size normal.",
                         f"There is a 3 cm mass in the {lobe(rng, side)}. Heart size is normal."]),
        "i": rng.choice([f"{side.capitalize()} hilar mass, concerning for neoplasm. CT chest with contrast "
                         "recommended.", f"{side.capitalize()} lung mass. Recommend CT chest."]),
        "neg_i": "No mass.",
    }


MINOR = [f_granuloma, f_cardiomegaly_mild, f_aorta, f_djd, f_oldrib, f_sternotomy, f_hyperinfl, f_atelectasis,
         f_clips, f_small_eff]
MINOR_W = [14, 12, 14, 16, 4, 5, 8, 6, 5, 3]
SIG = [f_nodule, f_mod_eff, f_pneumonia, f_edema, f_ptx, f_mass]
SIG_W = [8, 5, 5, 3, 1, 1]
SIDE_SIG = [f_nodule, f_mod_eff, f_pneumonia, f_ptx, f_mass]


def rdate(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2019, 2020, 2021, 2022, 2023, 2024])}"


def rtime(rng: random.Random) -> str:
    return f"{rng.randint(6, 18):02d}:{rng.randint(0, 59):02d}"


def history(rng: random.Random) -> str:
    return rng.choice(HISTORIES).format(surg=rng.choice(SURGERIES), age=rng.randint(55, 88),
                                        sex=rng.choice(["male", "female", "M", "F"]), pmh=rng.choice(PMH))


def signoff(rng: random.Random) -> str:
    return rng.choice(SIGNOFFS).format(rad=rng.choice(RADIOLOGISTS), d=f"{rng.randint(1, 12):02d}/"
                                       f"{rng.randint(1, 28):02d}/2025", t=rtime(rng), w=rng.randint(1, 9))


def header(rng: random.Random, hist: str | None = None) -> tuple[list[str], bool]:
    prior = rng.random() < 0.45
    lines = [rng.choice(EXAM_LINES if rng.random() < 0.93 else EXAM_LINES_1V), ""]
    lines.append(f"{rng.choice(HIST_HDR)}: {hist or history(rng)}")
    comp = rng.choice(COMPARISONS_PRIOR).format(d=rdate(rng)) if prior else rng.choice(COMPARISONS_NONE)
    lines.append(f"COMPARISON: {comp}")
    if rng.random() < 0.6:
        lines.append(f"TECHNIQUE: {rng.choice(TECHNIQUES)}")
    lines.append("")
    return lines, prior


def compose_findings(rng: random.Random, findings: list[dict], structured: bool) -> str:
    parts = {k: rng.choice(v) for k, v in NORMAL_PARTS.items()}
    extras = []
    for f in findings:
        if f["region"] in parts and f["region"] != "extra":
            if f["region"] == "lungs" and f["key"] == "consolidation":
                parts["lungs"] = f["f"]
            elif f["region"] == "heart" and f["key"] == "mass":
                parts["heart"] = f["f"]
            elif f["region"] == "bones":
                parts["bones"] = f["f"]
            elif f["region"] == "lines":
                parts["lines"] = f["f"]
            else:
                parts[f["region"]] = f["f"]
        else:
            extras.append(f["f"])
    # a granuloma / nodule sits with the lungs; clips with bones / upper abdomen
    if structured:
        out = []
        if parts["lines"] != NORMAL_PARTS["lines"][0] or rng.random() < 0.5:
            lt = parts["lines"].replace("Lines/tubes: ", "")
            out.append(f"Lines/tubes: {lt}")
        lung = parts["lungs"]
        for f, e in zip([g for g in findings if g["region"] == "extra"], extras, strict=True):
            if f["key"] == "aorta":
                parts["heart"] += " " + e
            elif f["key"] == "clips":
                parts["bones"] += " " + e
            else:
                lung += " " + e
        out.append(f"Lungs: {lung}")
        out.append(f"Pleura: {parts['pleura']}")
        out.append(f"Heart and mediastinum: {parts['heart']}")
        out.append(f"Bones/soft tissues: {parts['bones']}")
        return "\n".join(out)
    seq = [parts["heart"], parts["lungs"]] + extras + [parts["pleura"], parts["bones"]]
    if parts["lines"] != "Lines/tubes: None." and parts["lines"] != "No support devices.":
        seq.insert(0, parts["lines"])
    elif rng.random() < 0.15:
        seq.insert(0, "No support devices.")
    if rng.random() < 0.4:
        seq[0], seq[1] = seq[1], seq[0]
    return " ".join(seq)


def compose_impression(rng: random.Random, findings: list[dict], omit_minor: bool = True) -> list[str]:
    items = []
    for f in findings:
        if not f["i"]:
            continue
        if not f["sig"] and omit_minor and rng.random() < 0.35 and f["key"] not in ("effusion",):
            continue
        items.append(f["i"])
    sig = any(f["sig"] for f in findings)
    if not items:
        return [rng.choice(NORMAL_IMPRESSIONS)]
    if not sig and rng.random() < 0.6:
        items.insert(0, "No acute cardiopulmonary process.")
    items.sort(key=lambda s: 0 if any(f["sig"] and f["i"] == s for f in findings) else 1)
    return items


def render(hdr: list[str], findings_txt: str | None, impression: list[str] | None, rng: random.Random,
           imp_hdr: str | None = None, find_hdr: str | None = None, sign: bool = True) -> str:
    lines = list(hdr)
    if findings_txt is not None:
        fh = find_hdr or "FINDINGS"
        if "\n" in findings_txt or rng.random() < 0.5:
            lines += [f"{fh}:", findings_txt]
        else:
            lines.append(f"{fh}: {findings_txt}")
        lines.append("")
    if impression is not None:
        ih = imp_hdr or rng.choice(["IMPRESSION", "IMPRESSION", "IMPRESSION", "CONCLUSION", "Impression"])
        if len(impression) > 1:
            lines += [f"{ih}:"] + [f"{n + 1}. {s}" for n, s in enumerate(impression)]
        elif impression and impression[0]:
            lines.append(f"{ih}: {impression[0]}")
        else:
            lines.append(f"{ih}:")
        lines.append("")
    if sign:
        lines.append(signoff(rng))
    return "\n".join(lines).strip()


def pick_findings(rng: random.Random, n_sig: int = 0, sig_fn=None, side_needed: bool = False) -> list[dict]:
    out: list[dict] = []
    used_regions: set[str] = set()
    if n_sig:
        fn = sig_fn or rng.choices(SIDE_SIG if side_needed else SIG, [SIG_W[SIG.index(f)] for f in
                                                                      (SIDE_SIG if side_needed else SIG)])[0]
        f = fn(rng, rng.choice(["right", "left"]))
        out.append(f)
        used_regions.add(f["region"])
    n_minor = rng.choices([0, 1, 2, 3], [3, 4, 3, 1])[0]
    keys = {f["key"] for f in out}
    for _ in range(n_minor):
        fn = rng.choices(MINOR, MINOR_W)[0]
        f = fn(rng, rng.choice(["right", "left"]))
        if f["key"] in keys or (f["region"] != "extra" and f["region"] in used_regions):
            continue
        if f["key"] == "effusion" and any(g["key"] in ("pneumothorax",) for g in out):
            continue
        keys.add(f["key"])
        used_regions.add(f["region"])
        out.append(f)
    return out


# ----------------------------------------------------------------------------------------------------------
# Composed cases
# ----------------------------------------------------------------------------------------------------------

def comp_clean(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.55:
        fs: list[dict] = []
        detail = "normal pre-op chest"
    elif r < 0.85:
        fs = pick_findings(rng)
        detail = "chronic/incidental findings: " + ", ".join(f["key"] for f in fs) if fs else "normal pre-op chest"
    else:
        fs = pick_findings(rng, n_sig=1)
        detail = "significant finding reported in impression: " + fs[0]["key"]
    hdr, _ = header(rng)
    ftxt = compose_findings(rng, fs, rng.random() < 0.3)
    imp = compose_impression(rng, fs)
    return render(hdr, ftxt, imp, rng), "clean: " + detail


def comp_missing(rng: random.Random) -> tuple[str, str]:
    fs = pick_findings(rng, n_sig=1 if rng.random() < 0.3 else 0)
    hdr, _ = header(rng)
    ftxt = compose_findings(rng, fs, rng.random() < 0.3)
    mode = rng.randrange(5)
    if mode == 0:
        return render(hdr, ftxt, [""], rng), "IMPRESSION header left with no text"
    if mode == 1:
        return render(hdr, ftxt, None, rng), "IMPRESSION section absent; report goes from findings to sign-off"
    if mode == 2:
        imp = rng.choice(["See findings above.", "As above.", "Please see above.", "Comparison as above."])
        return render(hdr, "", [imp], rng), f"FINDINGS header empty; impression only says '{imp}'"
    if mode == 3:
        imp = rng.choice(["Preoperative chest radiograph.", "Pre-admission testing chest x-ray.",
                          "Chest 2 views obtained for preoperative evaluation."])
        return render(hdr, None, [imp], rng), f"FINDINGS absent; impression '{imp}' does not describe the image"
    return render(hdr, ftxt, [""], rng, imp_hdr="CONCLUSION"), "CONCLUSION header left empty"


def comp_laterality(rng: random.Random) -> tuple[str, str]:
    lat_fns = [f_nodule, f_mod_eff, f_pneumonia, f_granuloma, f_atelectasis, f_small_eff, f_ptx, f_oldrib]
    fn = rng.choices(lat_fns, [6, 4, 5, 3, 2, 2, 1, 1])[0]
    side = rng.choice(["right", "left"])
    main = fn(rng, side)
    extra = [f for f in pick_findings(rng) if f["side"] is None and f["region"] != main["region"]]
    fs = [main] + extra
    hdr, _ = header(rng)
    ftxt = compose_findings(rng, fs, rng.random() < 0.25)
    imp = compose_impression(rng, extra)
    if imp == [] or (len(imp) == 1 and imp[0] in NORMAL_IMPRESSIONS):
        imp = []
    mi = main["i"]
    flipped = swap_sides(mi)
    mode = rng.random()
    if mode < 0.75:
        imp = [flipped] + [s for s in imp if s not in NORMAL_IMPRESSIONS]
        return render(hdr, ftxt, imp, rng), f"{main['key']} on the {side} in findings, {other(side)} in impression"
    # flip in findings instead (impression keeps the original side)
    ftxt2 = ftxt.replace(main["f"], swap_sides(main["f"]))
    imp = [mi] + [s for s in imp if s not in NORMAL_IMPRESSIONS]
    return render(hdr, ftxt2, imp, rng), f"{main['key']} on the {other(side)} in findings, {side} in impression"


def swap_sides(s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        t = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT",
             "LEFT": "RIGHT"}[w]
        return t

    s2 = re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", rep, s)
    s2 = s2.replace("left middle lobe", "lingula").replace("Left middle lobe", "Lingula")
    s2 = re.sub(r"\blingula\b", "right middle lobe", s2) if "lingula" in s and "right middle lobe" not in s else s2
    return s2


def comp_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.randrange(6)
    hdr, _ = header(rng)
    extra = pick_findings(rng)
    extra = [f for f in extra if f["key"] not in ("cardiomegaly", "effusion", "hyperinflation")]
    if mode in (0, 1, 2):
        # findings negate, impression asserts
        fn = [f_small_eff, f_pneumonia, f_cardiomegaly_mild][mode]
        side = rng.choice(["right", "left"])
        f = fn(rng, side)
        ftxt = compose_findings(rng, extra, False)
        region_sent = {"pleura": None, "lungs": None, "heart": None}
        # ensure the normal sentence in findings explicitly negates it
        neg = f.get("neg_f")
        for k in region_sent:
            if k == f["region"]:
                for cand in NORMAL_PARTS[k]:
                    if cand in ftxt:
                        ftxt = ftxt.replace(cand, neg)
                        break
        if neg not in ftxt:
            ftxt = ftxt + " " + neg
        imp = [f["i"]] + [g["i"] for g in extra if g["i"] and rng.random() < 0.5]
        return render(hdr, ftxt, imp, rng), f"findings: '{neg}'; impression asserts '{f['i']}'"
    # findings affirm, impression negates
    fn = [f_mod_eff, f_nodule, f_edema][mode - 3]
    side = rng.choice(["right", "left"])
    f = fn(rng, side)
    fs = [f] + [g for g in extra if g["region"] != f["region"]]
    ftxt = compose_findings(rng, fs, rng.random() < 0.3)
    neg = f["neg_i"]
    imp = rng.choice([[f"No acute cardiopulmonary process. {neg}"], [neg], [neg, "Degenerative changes of the "
                                                                           "thoracic spine."]])
    if len(imp) == 2 and any(g["key"] == "degenerative" for g in fs) is False:
        imp = imp[:1]
    return render(hdr, ftxt, imp, rng), f"findings affirm {f['key']} ({f['f']}); impression says '{neg}'"


def comp_omits(rng: random.Random) -> tuple[str, str]:
    fn = rng.choices([f_nodule, f_mod_eff, f_pneumonia, f_edema, f_ptx, f_mass], [8, 5, 5, 3, 2, 1])[0]
    f = fn(rng, rng.choice(["right", "left"]))
    extra = [g for g in pick_findings(rng) if g["region"] != f["region"] and g["key"] != "effusion"]
    fs = [f] + extra
    hdr, _ = header(rng)
    ftxt = compose_findings(rng, fs, rng.random() < 0.3)
    mode = rng.random()
    if mode < 0.6:
        imp = [rng.choice(NORMAL_MACROS)]
    else:
        minors = [g["i"] for g in extra if g["i"]]
        imp = minors if minors else [rng.choice(NORMAL_MACROS)]
        if minors and rng.random() < 0.5:
            imp = ["No acute cardiopulmonary process."] + minors
    return render(hdr, ftxt, imp, rng), f"findings: '{f['f']}'; impression ({' / '.join(imp)}) omits it"


PH_TOKENS = ["***", "[***]", "[ ]", "[  ]", "<<>>", "[mm]", "{***}", "[*]"]


def comp_placeholder(rng: random.Random) -> tuple[str, str]:
    mode = rng.randrange(7)
    tok = rng.choice(PH_TOKENS)
    if mode == 0:
        f = f_nodule(rng, rng.choice(["right", "left"]))
        fs = [f] + pick_findings(rng)[:1]
        m = re.search(r"\b\d+ mm\b", f["f"])
        hdr, _ = header(rng)
        ftxt = compose_findings(rng, fs, False)
        if m:
            ftxt = ftxt.replace(m.group(0), f"{rng.choice(['[***]', '***', '[ ]'])} mm", 1)
        return render(hdr, ftxt, compose_impression(rng, fs), rng), "nodule size left as an unfilled field"
    fs = pick_findings(rng) if rng.random() < 0.6 else []
    hdr, _ = header(rng)
    ftxt = compose_findings(rng, fs, rng.random() < 0.3)
    imp = compose_impression(rng, fs)
    if mode == 1:
        hdr = [h if not h.startswith("COMPARISON") else f"COMPARISON: {tok}" for h in hdr]
        return render(hdr, ftxt, imp, rng), f"comparison field left as '{tok}'"
    if mode == 2:
        hdr = [re.sub(r"(prior to|for|Pre-op|Preop|PAT\.|Planned|pre-op) .*", rf"\1 {tok}", h, count=1)
               if re.match(r"[A-Z ]+: ", h) and h.split(":")[0] in HIST_HDR else h for h in hdr]
        if not any(tok in h for h in hdr):
            hdr = [f"{h.split(':')[0]}: Preoperative evaluation for {tok}." if h.split(":")[0] in HIST_HDR else h
                   for h in hdr]
        return render(hdr, ftxt, imp, rng), f"planned procedure in history left as '{tok}'"
    if mode == 3:
        hdr = [h if not h.startswith("TECHNIQUE") else f"TECHNIQUE: {tok} views of the chest." for h in hdr]
        if not any(tok in h for h in hdr):
            hdr.insert(-1, f"TECHNIQUE: {tok} views of the chest.")
        return render(hdr, ftxt, imp, rng), f"technique view count left as '{tok}'"
    if mode == 4:
        body = render(hdr, ftxt, imp, rng, sign=False)
        s = rng.choice([f"Electronically signed by: {tok} on {rdate(rng)} {rtime(rng)}",
                        f"Dictated by: Dr. {tok}\nSigned: {rdate(rng)}"])
        return body + "\n" + s, f"radiologist name in sign-off left as '{tok}'"
    if mode == 5:
        fld = rng.choice(["[normal/enlarged]", "[***]", "***"])
        for cand in NORMAL_PARTS["heart"]:
            if cand in ftxt:
                ftxt = ftxt.replace(cand, f"Heart size is {fld}.")
                break
        else:
            ftxt += f" Heart size is {fld}."
        return render(hdr, ftxt, imp, rng), f"heart size template field left as '{fld}'"
    imp2 = list(imp)
    extra = rng.choice([f"Findings discussed with {tok} at {tok}.", f"Recommend {tok}.",
                        f"Follow-up: {tok}"])
    imp2.append(extra)
    return render(hdr, ftxt, imp2, rng), f"unfilled template line in impression: '{extra}'"


# ----------------------------------------------------------------------------------------------------------
# Real IU reports
# ----------------------------------------------------------------------------------------------------------

NEG_RE = re.compile(r"\b(no|not|without|negative|clear|normal|unremarkable|resolved|removed|free of)\b", re.I)
SIGKW = re.compile(r"(effusion|pneumothorax|consolidat|pneumonia|edema|infiltrat|airspace|nodul|mass|opacit|"
                   r"congestion|widen|cardiomegaly|enlarge|atelecta|granuloma|scar|emphysema|fracture)", re.I)
ACUTE = re.compile(r"(effusion|pneumothorax|consolidat|pneumonia|edema|infiltrat|airspace disease|mass\b)", re.I)
HEDGE = re.compile(r"\b(small|trace|tiny|minimal|mild|mildly|slight|slightly|subtle|vague|streaky|subpleural|"
                   r"fissures?|possible|possibly|may|cannot|questionable|chronic|old|"
                   r"scar|resolved|resolving|stable|unchanged|improved|improving|no|without|vs|versus|or)\b", re.I)
SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def sents(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", t.strip()) if s]


def positive(s: str) -> bool:
    return not NEG_RE.search(s)


def iu_ok(r: dict) -> bool:
    f, i = r.get("findings", ""), r.get("impression", "")
    if not f or not i or len(f) > 700 or len(i) > 300 or len(f) < 40:
        return False
    bad = re.compile(r"(\[|\]|\*\*|___|<|>|\{|\})")
    return not (bad.search(f) or bad.search(i) or bad.search(r.get("indication", "")))


def iu_clean(r: dict) -> bool:
    """Conservative check that an IU report is one a radiologist would sign."""
    if not iu_ok(r):
        return False
    f, i = r["findings"], r["impression"]
    fpos = [s for s in sents(f) if positive(s) and SIGKW.search(s)]
    ipos = [s for s in sents(i) if positive(s) and SIGKW.search(s)]
    for s in fpos:
        for m in SIGKW.finditer(s):
            if ACUTE.search(m.group(0)) and m.group(0).lower()[:6] not in i.lower():
                return False
    for s in ipos:
        for m in SIGKW.finditer(s):
            if m.group(0).lower()[:6] not in f.lower():
                return False
    fs = {m.lower() for m in SIDE_RE.findall(" ".join(fpos))}
    isd = {m.lower() for m in SIDE_RE.findall(" ".join(ipos))}
    if isd and not isd <= fs:
        return False
    if re.search(r"\b(normal|clear)\b", i, re.I) and fpos and any(ACUTE.search(s) for s in fpos):
        return False
    if re.search(r"heart size (is )?(normal|within normal)", f, re.I) and re.search(r"cardiomegaly|enlarged", i, re.I):
        return False
    if re.search(r"cardiomegaly|heart (size )?(is )?(mildly |moderately )?enlarged", f, re.I) and re.search(
            r"heart size (is )?normal|normal heart", i, re.I):
        return False
    return True


REWORD = [
    (r"\bx-XXXX\b", "x-ray"), (r"No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
    (r"\bcardiomediastinal silhouette is\b", "cardiomediastinal contours are"),
    (r"\bCardiomediastinal silhouette is\b", "Cardiomediastinal contours are"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bbony structures\b", "osseous structures"), (r"\.\.", "."),
    (r"\bThere is no evidence of pneumothorax\b", "No pneumothorax"),
    (r"\bThere is no pneumothorax\b", "No pneumothorax"),
    (r"\bpleural effusions\b", "pleural effusion"),
]


def reword(t: str, rng: random.Random) -> str:
    for pat, rep in REWORD:
        if rng.random() < 0.8:
            t = re.sub(pat, rep, t)
    return re.sub(r"\s+", " ", t).strip()


def iu_header(rng: random.Random, r: dict) -> list[str]:
    ind = reword(r.get("indication", ""), rng)
    pre = rng.choice(["Pre-op {s}.", "Preoperative evaluation, {s}.", "PAT prior to {s}.", "Preop clearance."]
                     ).format(s=rng.choice(SURGERIES))
    hist = f"{pre} {ind}".strip() if ind else pre
    comp = r.get("comparison", "") or "None."
    comp = reword(comp, rng)
    lines = [rng.choice(EXAM_LINES), "", f"{rng.choice(HIST_HDR)}: {hist}", f"COMPARISON: {comp}"]
    if rng.random() < 0.5:
        lines.append(f"TECHNIQUE: {rng.choice(TECHNIQUES)}")
    lines.append("")
    return lines


def iu_imp_list(i: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?:^|\s)\d\.\s+", i) if p.strip()]
    return parts if parts else [i]


def real_clean(rng: random.Random, r: dict) -> tuple[str, str]:
    f = reword(r["findings"], rng)
    i = reword(r["impression"], rng)
    return render(iu_header(rng, r), f, iu_imp_list(i), rng), "clean real report (re-laid-out)"


def real_missing(rng: random.Random, r: dict) -> tuple[str, str]:
    f = reword(r["findings"], rng)
    mode = rng.randrange(3)
    hdr = iu_header(rng, r)
    if mode == 0:
        return render(hdr, f, [""], rng), "IMPRESSION emptied (header kept)"
    if mode == 1:
        return render(hdr, f, None, rng), "IMPRESSION section removed"
    return render(hdr, f, [""], rng, imp_hdr="CONCLUSION"), "CONCLUSION emptied (header kept)"


def real_laterality_candidates(r: dict) -> tuple[str, str, str] | None:
    """Impression sentence with one side word about a finding that the findings place on the same side."""
    if not iu_clean(r):
        return None
    f, i = r["findings"], r["impression"]
    fsides = {m.lower() for m in SIDE_RE.findall(f)}
    if len(fsides) != 1:
        return None
    side = fsides.pop()
    if re.search(r"bilateral|middle lobe|lingula|midlung|mid lung", f + " " + i, re.I):
        return None
    for s in sents(i):
        ss = {m.lower() for m in SIDE_RE.findall(s)}
        kw = SIGKW.search(s)
        if ss == {side} and kw and positive(s) and not re.search(r"atri|heart|ventric", s, re.I):
            stem = kw.group(0).lower()[:6]
            istems = {x.lower()[:6] for x in SIGKW.findall(s)}
            for fsent in sents(f):
                fstems = {x.lower()[:6] for x in SIGKW.findall(fsent)}
                if side in fsent.lower() and positive(fsent) and istems & fstems:
                    return s, fsent, stem
    return None


def real_laterality(rng: random.Random, r: dict, cand: tuple[str, str, str]) -> tuple[str, str]:
    isent, fsent, stem = cand
    f, i = r["findings"], r["impression"]
    if rng.random() < 0.6:
        i = i.replace(isent, swap_sides(isent), 1)
        detail = f"impression side flipped: '{isent}' -> '{swap_sides(isent)}'; findings: '{fsent}'"
    else:
        f = f.replace(fsent, swap_sides(fsent), 1)
        detail = f"findings side flipped: '{fsent}' -> '{swap_sides(fsent)}'; impression: '{isent}'"
    f, i = reword(f, rng), reword(i, rng)
    return render(iu_header(rng, r), f, iu_imp_list(i), rng), detail


NEG_APPEND = [
    (re.compile(r"no (pleural )?effusion|no (pneumothorax or )?(pleural )?effusion|no pleural "
                r"effusions?|without (pleural )?effusion", re.I),
     ["Small {s} pleural effusion.", "Small {s} pleural effusion, new.", "Moderate {s} pleural effusion."]),
    (re.compile(r"no (evidence of )?pneumothorax|no pneumothorax|without pneumothorax", re.I),
     ["Small {s} apical pneumothorax.", "Tiny {s} apical pneumothorax."]),
    (re.compile(r"(heart size is normal|normal heart size|heart is normal in size|heart size (is )?within normal|"
                r"normal cardiac size|heart size normal)", re.I),
     ["Mild cardiomegaly.", "Cardiomegaly.", "Stable cardiomegaly."]),
    (re.compile(r"(lungs are clear|clear lungs|no focal (airspace )?consolidation|no (focal )?airspace disease)",
                re.I),
     ["{S} lower lobe pneumonia.", "Patchy {s} basilar airspace disease, likely pneumonia.",
      "{S} lower lobe infiltrate."]),
]


def real_negation_option(rng: random.Random, r: dict) -> tuple[str, str] | None:
    opts = []
    for pat, asserts in NEG_APPEND:
        m = pat.search(r["findings"])
        if m:
            opts.append((m.group(0), asserts))
    if not opts:
        return None
    neg, asserts = rng.choice(opts)
    s = rng.choice(["right", "left"])
    a = rng.choice(asserts).format(s=s, S=s.capitalize())
    return neg, a


def real_negation(rng: random.Random, r: dict, opt: tuple[str, str]) -> tuple[str, str]:
    neg, a = opt
    f = reword(r["findings"], rng)
    imp = iu_imp_list(reword(r["impression"], rng))
    normalish = re.compile(r"^(no acute|normal|negative)", re.I)
    if len(imp) == 1 and normalish.search(imp[0]) and rng.random() < 0.5:
        imp = [a]
    else:
        imp = imp + [a]
    return render(iu_header(rng, r), f, imp, rng), f"findings: '{neg}'; impression asserts '{a}'"


def real_omit_candidate(r: dict) -> str | None:
    if not iu_ok(r):
        return None
    f, i = r["findings"], r["impression"]
    for s in sents(f):
        m = ACUTE.search(s)
        if m and positive(s) and not HEDGE.search(s) and not re.search(r"atelecta|/|\?|XXXX", s):
            if re.search(r"improv|clear|smaller|decreas|resolv", s, re.I):
                continue
            stem = m.group(0).lower()[:6]
            isents = [x for x in sents(i) if stem in x.lower()]
            if not isents or not any(positive(x) for x in isents):
                continue
            if any(re.search(r"\b(small|trace|tiny|minimal|mild)\b", x, re.I) for x in isents):
                continue
            if len(s) > 20:
                return s
    return None


def real_omit(rng: random.Random, r: dict, sent: str) -> tuple[str, str]:
    f = reword(r["findings"], rng)
    imp = [rng.choice(NORMAL_MACROS)]
    return (render(iu_header(rng, r), f, imp, rng),
            f"impression replaced by normal macro '{imp[0]}'; findings affirm: '{sent}'")


def real_placeholder(rng: random.Random, r: dict) -> tuple[str, str]:
    tok = rng.choice(PH_TOKENS)
    f = reword(r["findings"], rng)
    i = reword(r["impression"], rng)
    hdr = iu_header(rng, r)
    mode = rng.randrange(4)
    if mode == 0:
        hdr = [h if not h.startswith("COMPARISON") else f"COMPARISON: {tok}" for h in hdr]
        return render(hdr, f, iu_imp_list(i), rng), f"comparison replaced by '{tok}'"
    if mode == 1:
        words = [m for m in re.finditer(r"\b(heart|lungs|pneumothorax|effusion|osseous|mediastinal|"
                                        r"consolidation|size|pleural)\b", f)]
        if words:
            m = rng.choice(words)
            f = f[: m.start()] + tok + f[m.end():]
            return render(hdr, f, iu_imp_list(i), rng), f"findings word '{m.group(0)}' replaced by '{tok}'"
        mode = 2
    if mode == 2:
        hdr = [re.sub(r"^([A-Z ]+): (Pre-op|Preoperative evaluation,|PAT prior to) [^.]*\.", rf"\1: \2 {tok}.", h)
               for h in hdr]
        if not any(tok in h for h in hdr):
            hdr = [f"{h.split(':')[0]}: Pre-op {tok}." if h.split(":")[0] in HIST_HDR else h for h in hdr]
        return render(hdr, f, iu_imp_list(i), rng), f"planned surgery in history left as '{tok}'"
    body = render(hdr, f, iu_imp_list(i), rng, sign=False)
    return body + f"\n\nElectronically signed by: {tok} on {rdate(rng)} {rtime(rng)}", \
        f"sign-off radiologist name left as '{tok}'"


# ----------------------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------------------

COMPOSERS = {
    None: comp_clean, "missing_section": comp_missing, "laterality_conflict": comp_laterality,
    "negation_conflict": comp_negation, "impression_omits_finding": comp_omits, "placeholder": comp_placeholder,
}


LAST_UIDS: set[str] = set()  # IU uids used by the latest build() call


def build(seed: int) -> list[dict]:
    rng = random.Random(seed * 7919 + 83)
    dev = dev_uids()
    iu = [r for r in load_iu() if r["uid"] not in dev]
    used: set[str] = set()
    cases: list[tuple[str | None, str, str]] = []

    def take(pool: list[dict], n: int) -> list[dict]:
        pool = [r for r in pool if r["uid"] not in used]
        rng.shuffle(pool)
        got = pool[:n]
        if len(got) < n:
            raise RuntimeError("not enough IU reports for a group")
        for r in got:
            used.add(r["uid"])
        return got

    clean_pool = [r for r in iu if iu_clean(r)]
    # composed cases first
    for _ in range(N_CLEAN // 2):
        cases.append((None, *comp_clean(rng)))
    half = N_KIND // 2
    for kind in KINDS:
        for _ in range(half):
            cases.append((kind, *COMPOSERS[kind](rng)))
    # real cases; the scarce pools (omission, laterality) are drawn first
    omit_pool = [r for r in iu if real_omit_candidate(r)]
    for r in take(omit_pool, half):
        sent = real_omit_candidate(r)
        assert sent is not None
        cases.append(("impression_omits_finding", *real_omit(rng, r, sent)))
    lat_pool = [r for r in iu if r["uid"] not in used and real_laterality_candidates(r)]
    for r in take(lat_pool, half):
        cand = real_laterality_candidates(r)
        assert cand is not None
        cases.append(("laterality_conflict", *real_laterality(rng, r, cand)))
    for r in take(clean_pool, N_CLEAN // 2):
        cases.append((None, *real_clean(rng, r)))
    for r in take(clean_pool, half):
        cases.append(("missing_section", *real_missing(rng, r)))
    neg_pool = [r for r in clean_pool if real_negation_option(random.Random(0), r)]
    for r in take(neg_pool, half):
        opt = real_negation_option(rng, r)
        assert opt is not None
        cases.append(("negation_conflict", *real_negation(rng, r, opt)))
    for r in take(clean_pool, half):
        cases.append(("placeholder", *real_placeholder(rng, r)))

    rng.shuffle(cases)
    LAST_UIDS.clear()
    LAST_UIDS.update(used)
    return [{"id": f"h83-{seed}-{n}", "injected": k, "detail": d, "report": t}
            for n, (k, t, d) in enumerate(cases)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            shown = [r for r in rows if r["injected"] == kind][: a.show]
            for r in shown:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}")


if __name__ == "__main__":
    main()
