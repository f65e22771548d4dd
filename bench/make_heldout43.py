"""Held-out report-error set 43: the everyday chest-film list of a busy general hospital.

Written BLIND: without reading the checker (medrag_core/), its tests, docs or any other bench
generator. Only the scorer's format, the shared eval README, the IU archive and the dev set's
``uid`` field (to exclude those reports) were used.

Styles (several reporting radiologists with their own habits, no exotic transport):
  * ``us_terse``   - outpatient PA/lateral, one-line sections, "FINDINGS:" / "IMPRESSION:".
  * ``us_wordy``   - academic-ish dictation, full sentences, numbered impression.
  * ``uk_consult`` - UK consultant, "Findings:" / "Conclusion:" or "Comment:", UK spelling.
  * ``uk_portable``- inpatient portable AP, "REPORT:" / "Opinion:", UK spelling, one line each.
  * ``ed_prelim``  - ED single AP view, "Findings:" / "IMPRESSION:", call-back line with masked
                     names/times (MIMIC-style ``___`` identifier masks, not errors).

Half of every group is composed from the phrase bank below, half is real IU (Open-i) reports,
excluding the dev uids, re-laid-out in the same styles with light rewording (``XXXX`` masks are
kept or reworded). Each injected report carries exactly one error, injected as a real slip:
a side flipped while dictating, a normal macro pasted as the impression, a template field left
unfilled, a dictation cut off before the impression.

usage: python -m bench.make_heldout43 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
STYLES = ["us_terse", "us_wordy", "uk_consult", "uk_portable", "ed_prelim"]
UK = {"uk_consult", "uk_portable"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------- IU archive
def load_iu(shared: Path) -> list[dict]:
    dev = shared / "eval" / "report_errors_dev.jsonl"
    dev_uids = set()
    if dev.exists():
        with open(dev) as fh:
            dev_uids = {json.loads(line).get("uid") for line in fh if line.strip()}
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else m.name
            if uid in dev_uids:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 5:
                continue
            out.append({"uid": uid, "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", ""),
                        "findings": f, "impression": i})
    return out


def split_sents(text: str) -> list[str]:
    text = re.sub(r"\.\.+", ".", text.strip())
    text = re.sub(r"(^|\s)\d\.\s+", r"\1", text)  # strip "1. 2." numbering
    parts = re.split(r"(?<=[.;])\s+(?=[A-Z0-9])", text)
    return [p.strip() if p.strip().endswith((".", ";")) else p.strip() + "." for p in parts if p.strip()]


NEG = re.compile(r"\b(no|not|without|negative|clear|resolved|normal|free of|unremarkable)\b", re.I)
SIG_TERMS = re.compile(r"effusion|pneumothora|consolidat|airspace|air space|edema|oedema|infiltrat|opacit|mass|nodul|"
                       r"atelecta|cardiomegaly|enlarge|congest|collapse|pneumonia|fracture|hernia|density|widen", re.I)
NORMAL_IMP = re.compile(r"^(no acute|normal chest|negative|no active|no evidence of acute|no radiographic evidence of"
                        r" acute|normal (?:pa and lateral|two view|2 view|exam)|no significant)", re.I)


def iu_is_plain_normal(r: dict) -> bool:
    imp = r["impression"].strip()
    if not NORMAL_IMP.match(imp) or len(split_sents(imp)) > 1:
        return False
    for s in split_sents(r["findings"]):
        if SIG_TERMS.search(s) and not NEG.search(s):
            return False
    return True


IU_REWORD = [
    (r"The cardiomediastinal silhouette is within normal limits for size and contour\.",
     ["Normal cardiomediastinal contours.", "Heart and mediastinum are normal in size and contour."]),
    (r"There is no (?=pneumothorax|pleural effusion|focal)", ["No ", "No evidence of "]),
    (r"\bThe lungs are clear\b", ["Lungs are clear", "The lungs are clear"]),
    (r"\bNo acute cardiopulmonary abnormality\b",
     ["No acute cardiopulmonary process", "No acute cardiopulmonary disease"]),
    (r"\bNo acute cardiopulmonary disease\b", ["No acute cardiopulmonary abnormality"]),
    (r"\bx-XXXX\b", ["radiograph", "x-ray"]),
    (r"\bNo acute bony abnormality\b", ["No acute osseous abnormality", "Bones intact"]),
    (r"\bcardiac silhouette\b", ["heart size", "cardiac silhouette"]),
]


def iu_reword(text: str, rng: random.Random, style: str) -> str:
    for pat, reps in IU_REWORD:
        if rng.random() < 0.6:
            text = re.sub(pat, rng.choice(reps), text)
    if style in UK:
        text = re.sub(r"\bedema\b", "oedema", text)
        text = re.sub(r"\bEdema\b", "Oedema", text)
        text = re.sub(r"\bhemithorax\b", "haemithorax", text)
        text = text.replace("x-ray", "X-ray")
    return text


# ----------------------------------------------------------------------------- rendering
EXAMS = {
    "us_terse": ["EXAM: XR CHEST PA AND LATERAL", "EXAM: CHEST 2 VIEWS",
                 "EXAMINATION: Chest radiograph, PA and lateral"],
    "us_wordy": ["EXAMINATION: CHEST, TWO VIEWS", "CHEST PA AND LATERAL"],
    "uk_consult": ["XR Chest PA", "Chest X-ray (PA)", "CXR PA"],
    "uk_portable": ["XR Chest AP Mobile", "Mobile CXR (AP semi-erect)", "Portable AP chest, ward"],
    "ed_prelim": ["CHEST, SINGLE AP VIEW", "XR CHEST 1 VIEW PORTABLE", "CHEST 1V"],
}
HEADS = {  # (indication, comparison, findings, impression)
    "us_terse": [("INDICATION:", "COMPARISON:", "FINDINGS:", "IMPRESSION:")],
    "us_wordy": [("CLINICAL HISTORY:", "COMPARISON:", "FINDINGS:", "IMPRESSION:"),
                 ("HISTORY:", "COMPARISON:", "Findings:", "Impression:")],
    "uk_consult": [("Clinical details:", "Comparison:", "Findings:", "Conclusion:"),
                   ("Clinical details:", "Previous:", "Findings:", "Comment:"),
                   ("Clinical information:", "Comparison:", "REPORT:", "CONCLUSION:")],
    "uk_portable": [("Clinical details:", "Comparison:", "REPORT:", "Opinion:"),
                    ("Indication:", "Compared with:", "Report:", "Opinion:")],
    "ed_prelim": [("CLINICAL INDICATION:", "COMPARISON:", "Findings:", "IMPRESSION:"),
                  ("REASON FOR EXAM:", "COMPARISON:", "FINDINGS:", "IMPRESSION:")],
}


def render(style: str, rng: random.Random, ind: str, comp: str, fsents: list[str], imps: list[str],
           drop: str | None = None, tail: str = "", exam: str = "") -> str:
    """drop: None | 'imp_absent' | 'imp_empty' | 'find_empty'."""
    fsents = [re.sub(r"\bA (8|11|18)\b", r"An \1", x) for x in fsents]
    if re.search(r"\bprior\b|\bNew\b|increased since", " ".join(fsents)) and \
            (not comp or re.match(r"(None|No previous)", comp)):
        comp = rng.choice(["Prior chest radiograph from ___.", "Previous film ___."])
    hi, hc, hf, hm = rng.choice(HEADS[style])
    lines = [exam or rng.choice(EXAMS[style]), ""]
    if ind:
        lines.append(f"{hi} {ind}")
    if comp:
        lines.append(f"{hc} {comp}")
    lines.append("")
    ftext = "" if drop == "find_empty" else " ".join(fsents)
    if style == "us_wordy" and drop != "find_empty" and len(fsents) > 3 and rng.random() < 0.5:
        cut = len(fsents) // 2
        ftext = " ".join(fsents[:cut]) + "\n\n" + " ".join(fsents[cut:])
    if style in ("us_wordy", "ed_prelim"):
        lines += [hf, ftext, ""] if ftext else [hf, ""]
    else:
        lines += [f"{hf} {ftext}".rstrip(), ""]
    if drop != "imp_absent":
        if drop == "imp_empty":
            lines += [hm, ""]
        elif style == "us_wordy" and len(imps) > 1:
            lines += [hm] + [f"{k}. {s}" for k, s in enumerate(imps, 1)] + [""]
        elif style in ("us_wordy", "ed_prelim"):
            lines += [hm, " ".join(imps), ""]
        else:
            lines += [f"{hm} {' '.join(imps)}", ""]
    if tail and drop != "imp_absent":
        lines += [tail, ""]
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------- phrase bank
def sp(text: str, uk: bool) -> str:
    if uk:
        for a, b in (("edema", "oedema"), ("Edema", "Oedema"), ("hemidiaphragm", "hemidiaphragm"),
                     ("opacification", "opacification"), ("centimeter", "centimetre"), ("esophag", "oesophag")):
            text = text.replace(a, b)
    return text


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


OPP = {"right": "left", "left": "right"}

# each finding: key, lateral?, findings sentence templates, impression templates; {side} {Side} {size} {n}
BANK = {
    "effusion": {
        "f": ["{Size} {side} pleural effusion.", "There is a {size} {side} pleural effusion.",
              "{Size} {side} pleural effusion with adjacent basal atelectasis.",
              "{Size} {side} pleural effusion, increased since the prior study."],
        "i": ["{Size} {side} pleural effusion.", "{Side} pleural effusion.", "{Size} {side} effusion."],
    },
    "small_effusion": {
        "f": ["Blunting of the {side} costophrenic angle, likely a small effusion.",
              "Small {side} pleural effusion.", "Trace {side} pleural fluid."],
        "i": ["Small {side} pleural effusion."],
    },
    "consolidation": {
        "f": ["Airspace opacity in the {side} lower lobe, compatible with pneumonia.",
              "There is consolidation in the {side} lower zone.",
              "Patchy {side} basal consolidation.",
              "Focal airspace consolidation at the {side} base with air bronchograms.",
              "New airspace opacity in the {side} mid zone."],
        "i": ["{Side} lower lobe pneumonia.", "{Side} basal consolidation, likely infective.",
              "{Side} lower lobe consolidation in keeping with pneumonia in the appropriate clinical setting.",
              "Findings consistent with {side}-sided pneumonia."],
    },
    "atelectasis": {
        "f": ["Linear atelectasis at the {side} base.", "Minor {side} basal atelectasis.",
              "Plate-like atelectasis in the {side} lower zone."],
        "i": ["{Side} basal atelectasis.", "Minor {side} basilar atelectasis."],
    },
    "collapse": {
        "f": ["Opacity at the {side} base with loss of the {side} hemidiaphragm outline and volume loss, in keeping"
              " with {side} lower lobe collapse.",
              "Volume loss and dense opacification of the {side} lower lobe, consistent with lobar collapse."],
        "i": ["{Side} lower lobe collapse.", "Collapse of the {side} lower lobe; ?mucus plugging."],
    },
    "pneumothorax": {
        "f": ["There is a {side} apical pneumothorax measuring {n} cm.",
              "{Side} pneumothorax with the visceral pleural edge {n} cm from the chest wall at the apex.",
              "A {side}-sided pneumothorax is present, {n} cm rim at the level of the hilum.",
              "Small {side} apical pneumothorax."],
        "i": ["{Side} pneumothorax.", "{Side} apical pneumothorax.", "{Side}-sided pneumothorax as described."],
    },
    "nodule": {
        "f": ["{N} mm nodule projecting over the {side} mid zone.",
              "There is a {n} mm rounded nodular opacity in the {side} upper lobe.",
              "A {n} mm nodule is seen at the {side} lung base."],
        "i": ["{N} mm {side} lung nodule; CT chest recommended.",
              "Indeterminate {side} pulmonary nodule. Recommend CT for further characterization.",
              "{Side} pulmonary nodule. CT advised."],
    },
    "edema": {
        "f": ["Upper lobe venous diversion with interstitial edema and Kerley B lines.",
              "Bilateral perihilar haziness and septal lines consistent with pulmonary edema.",
              "Pulmonary vascular congestion with mild interstitial edema.",
              "Increased interstitial markings and vascular indistinctness compatible with edema."],
        "i": ["Pulmonary edema.", "Interstitial edema, likely cardiogenic.", "Mild pulmonary edema.",
              "Findings consistent with congestive heart failure."],
    },
    "cardiomegaly": {
        "f": ["The heart is enlarged.", "Moderate cardiomegaly.", "Cardiomegaly.",
              "The cardiac silhouette is enlarged."],
        "i": ["Cardiomegaly.", "Cardiomegaly without overt failure.", "Enlarged heart."],
    },
    "mild_cardiomegaly": {
        "f": ["Mild cardiomegaly, unchanged.", "Mild cardiomegaly.",
              "Stable mild enlargement of the cardiac silhouette."],
        "i": ["Stable mild cardiomegaly."],
    },
    "hyperinflation": {
        "f": ["The lungs are hyperinflated with flattening of the hemidiaphragms.",
              "Hyperexpanded lungs.", "Hyperinflation in keeping with COPD."],
        "i": ["Hyperinflation consistent with COPD.", "Hyperexpanded lungs, in keeping with emphysema."],
    },
    "ett": {
        "f": ["Endotracheal tube tip {n} cm above the carina.", "ET tube in situ, tip {n} cm above the carina."],
        "i": ["ET tube in satisfactory position.", "Endotracheal tube appropriately positioned."],
    },
    "cvc": {
        "f": ["Right internal jugular central venous catheter with tip in the SVC.",
              "Left PICC, tip at the cavoatrial junction.", "Right subclavian line, tip in the lower SVC."],
        "i": ["Central line in satisfactory position.", "PICC in satisfactory position.",
              "Central line in satisfactory position."],
    },
    "ngt": {
        "f": ["Nasogastric tube passes below the diaphragm with its tip in the stomach.",
              "NG tube tip in the stomach."],
        "i": ["NG tube in the stomach.", "Satisfactory NG tube position."],
    },
    "fracture": {
        "f": ["Healed fractures of the {side} {r1} and {r2} ribs.", "Old healed {side} rib fractures.",
              "Old {side} rib fractures."],
        "i": ["Old healed {side} rib fractures.", "Old {side} rib fractures."],
    },
    "clips": {
        "f": ["Surgical clips in the right upper quadrant.", "Median sternotomy wires.",
              "Cholecystectomy clips noted.", "Surgical clips at the {side} axilla."],
        "i": ["Post-surgical changes.", "Prior sternotomy.", "Cholecystectomy clips.", "Post-surgical changes."],
    },
    "granuloma": {
        "f": ["Calcified granuloma in the {side} upper zone.", "Small calcified granuloma at the {side} base."],
        "i": ["Calcified granuloma, benign."],
    },
}
LATERAL = {"effusion", "small_effusion", "consolidation", "atelectasis", "collapse", "pneumothorax", "nodule",
           "fracture", "granuloma"}
SIGNIFICANT = {"effusion", "consolidation", "collapse", "pneumothorax", "nodule", "edema"}
ACUTE = SIGNIFICANT | {"cardiomegaly"}

# normal sentences: (text, set of finding keys they rule out)
NORMALS_HEART = [("Heart size is normal.", {"cardiomegaly", "mild_cardiomegaly"}),
                 ("The cardiomediastinal silhouette is within normal limits.", {"cardiomegaly", "mild_cardiomegaly"}),
                 ("Normal heart size and mediastinal contours.", {"cardiomegaly", "mild_cardiomegaly"}),
                 ("Heart not enlarged.", {"cardiomegaly", "mild_cardiomegaly"}),
                 ("Heart size within normal limits.", {"cardiomegaly", "mild_cardiomegaly"}),
                 ("Mediastinal contours are normal.", set())]
NORMALS_LUNG = [("The lungs are clear.", {"consolidation", "collapse", "edema", "nodule", "atelectasis",
                                          "effusion", "small_effusion", "pneumothorax"}),
                ("Lungs clear.", {"consolidation", "collapse", "edema", "nodule", "atelectasis",
                                  "effusion", "small_effusion", "pneumothorax"}),
                ("No focal consolidation.", {"consolidation", "collapse"}),
                ("No focal airspace disease.", {"consolidation", "collapse"}),
                ("No consolidation or collapse.", {"consolidation", "collapse"}),
                ("No focal lung lesion.", {"consolidation", "collapse", "nodule"}),
                ("The lungs and pleural spaces are clear.", {"consolidation", "collapse", "edema", "nodule",
                                                             "atelectasis", "effusion", "small_effusion",
                                                             "pneumothorax"})]
NORMALS_PLEURA = [("No pleural effusion or pneumothorax.", {"effusion", "small_effusion", "pneumothorax"}),
                  ("No pneumothorax.", {"pneumothorax"}),
                  ("No pleural effusion.", {"effusion", "small_effusion"}),
                  ("Costophrenic angles are clear.", {"effusion", "small_effusion"}),
                  ("The pleural spaces are clear.", {"effusion", "small_effusion", "pneumothorax"})]
NORMALS_VASC = [("Pulmonary vascularity is normal.", {"edema"}), ("No pulmonary edema.", {"edema"}),
                ("Normal pulmonary vasculature.", {"edema"}),
                ("No features of cardiac failure.", {"edema"})]
NORMALS_BONE = [("No acute bony abnormality.", set()), ("Bones are unremarkable.", {"fracture"}),
                ("Visualised bones intact.", {"fracture"}), ("No acute osseous abnormality.", set())]

NORMAL_IMPS_US = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                  "No acute cardiopulmonary disease.", "No acute findings."]
NORMAL_IMPS_UK = ["No acute abnormality.", "No significant abnormality.", "No acute cardiopulmonary abnormality.",
                  "No active disease."]
PURE_NORMAL_IMPS = {"us": ["Normal chest.", "Normal chest radiograph.", "Negative chest."],
                    "uk": ["Normal chest X-ray.", "Normal appearances."]}

# impression macros that rule a finding out explicitly or by meaning (for negation_conflict)
NEG_MACROS = {
    "effusion": ["No pleural effusion.", "No effusion or pneumothorax.",
                 "Clear costophrenic angles. No acute abnormality."],
    "consolidation": ["Lungs are clear.", "No focal consolidation.", "Clear lungs. No acute cardiopulmonary process."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax or effusion."],
    "edema": ["No pulmonary edema.", "No evidence of cardiac failure."],
    "cardiomegaly": ["Normal heart size. No acute cardiopulmonary abnormality.", "Heart size is normal."],
    "collapse": ["Lungs are clear.", "No collapse or consolidation."],
}
AFFIRM_IMPS = {  # impression affirms something that the findings rule out
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion."],
    "consolidation": ["{Side} lower lobe pneumonia.", "{Side} basal consolidation."],
    "pneumothorax": ["Small {side} apical pneumothorax."],
    "edema": ["Mild pulmonary edema.", "Interstitial edema."],
    "cardiomegaly": ["Cardiomegaly.", "Mild cardiomegaly."],
}
# regexes naming a finding in any wording (used to verify omissions / affirmations)
TERM = {
    "effusion": r"effusion|pleural fluid|costophrenic|fluid",
    "small_effusion": r"effusion|pleural fluid|costophrenic|fluid",
    "consolidation": r"consolidat|pneumonia|airspace|air space|opacit|infect|infiltrat|lower lobe|mid zone|"
                     r"lung base|basal",
    "collapse": r"collapse|atelecta|lower lobe|volume loss|opacit|mucus",
    "pneumothorax": r"pneumothora|ptx|pleural air|pleural edge",
    "nodule": r"nodul|mass|lesion|opacit|\bct\b|granuloma",
    "edema": r"edema|oedema|failure|congest|chf|interstitial|kerley|fluid overload|venous",
}
INDICATIONS = ["Cough.", "Shortness of breath.", "Chest pain.", "Fever and productive cough.", "Pre-operative.",
               "SOB, ?infection.", "Follow-up pneumonia.", "Fall, chest wall pain.", "Dyspnoea.",
               "Hypoxia.", "?LRTI", "Haemoptysis.", "Persistent cough, smoker.",
               "___-year-old man with cough and fever.", "___ F with chest pain.", "CHF exacerbation?",
               "Routine post-op check.", "Weakness, ?aspiration."]
COMPARISONS = ["None.", "None available.", "___.", "Prior chest radiograph from ___.", "CT chest ___.",
               "Previous film ___.", "No previous imaging."]
CALLBACK = ["Findings discussed with Dr. ___ by telephone at ___.", "Discussed with the referring team at ___ on ___.",
            "Communicated to Dr. ___ (ED) at ___."]


def side_fmt(t: str, side: str, size: str, n) -> str:
    return t.format(side=side, Side=cap(side), size=size, Size=cap(size), n=n, N=n, r1="6th", r2="7th")


class Finding:
    def __init__(self, key: str, rng: random.Random, uk: bool, side: str | None = None, size: str | None = None):
        self.key = key
        self.side = side or rng.choice(["right", "left"])
        if key == "effusion":
            self.size = size or rng.choice(["moderate", "moderate", "large"])
        else:
            self.size = size or "small"
        if key == "pneumothorax":
            self.n = rng.choice(["1.5", "2", "2.5", "3", "1"])
        elif key == "nodule":
            self.n = str(rng.choice([7, 8, 9, 10, 12, 14, 15, 18, 22]))
        elif key == "ett":
            self.n = rng.choice(["3", "4", "4.5", "5", "6"])
        else:
            self.n = "1"
        k = rng.randrange(len(BANK[key]["f"]))
        self.ft = BANK[key]["f"][k]
        self.it = BANK[key]["i"][k] if key in ("clips", "cvc") else rng.choice(BANK[key]["i"])
        self.uk = uk

    def f(self, side=None) -> str:
        return sp(side_fmt(self.ft, side or self.side, self.size, self.n), self.uk)

    def i(self, side=None) -> str:
        return sp(side_fmt(self.it, side or self.side, self.size, self.n), self.uk)


def normals(rng: random.Random, present: set[str], uk: bool, force: tuple | None = None) -> list[str]:
    out = []
    for group, p in ((NORMALS_HEART, 0.9), (NORMALS_LUNG, 0.85), (NORMALS_PLEURA, 0.9), (NORMALS_VASC, 0.35),
                     (NORMALS_BONE, 0.5)):
        if rng.random() > p:
            continue
        ok = [t for t, neg in group if not (neg & present)]
        if ok:
            out.append(sp(rng.choice(ok), uk))
    if force and force[0] not in out:
        out.insert(1 if out else 0, sp(force[0], uk))
    return out


COMMON_ABN = ["consolidation"] * 6 + ["effusion"] * 4 + ["small_effusion"] * 3 + ["atelectasis"] * 5 + \
    ["cardiomegaly"] * 4 + ["mild_cardiomegaly"] * 3 + ["hyperinflation"] * 4 + ["ett", "cvc", "ngt"] * 2 + \
    ["nodule"] * 2 + ["pneumothorax"] * 2 + ["edema"] * 3 + ["fracture"] * 3 + ["clips"] * 3 + ["granuloma"] * 3 + \
    ["collapse"]
INCIDENTAL = ["hyperinflation", "fracture", "clips", "granuloma", "mild_cardiomegaly", "cvc", "ett", "ngt",
              "cardiomegaly", "atelectasis"]


def compose_parts(rng, style, keys, sides=None):
    uk = style in UK
    fs = [Finding(k, rng, uk, side=(sides or {}).get(k)) for k in keys]
    return fs, uk


def assemble_findings(rng, fs, uk, force=None, extra_present=()):
    present = {f.key for f in fs} | set(extra_present)
    norm = normals(rng, present, uk, force)
    abn = [f.f() for f in fs]
    # abnormal first (terse/wordy habit varies)
    if rng.random() < 0.6:
        return abn + norm
    return norm[:1] + abn + norm[1:]


def normal_imp(rng, style):
    return rng.choice(NORMAL_IMPS_UK if style in UK else NORMAL_IMPS_US)


def imp_for(rng, fs, style, drop_keys=()):
    items = []
    for f in fs:
        if f.key in drop_keys:
            continue
        if f.key in ACUTE or f.key == "hyperinflation" or (f.key in INCIDENTAL and rng.random() < 0.45) or \
                (f.key == "small_effusion" and rng.random() < 0.6):
            items.append(f.i())
    if not any(f.key in ACUTE for f in fs if f.key not in drop_keys):
        if items:
            items.append("No acute cardiopulmonary abnormality." if style not in UK else "No acute abnormality.")
        else:
            items.append(normal_imp(rng, style))
    return items


def pick_ind_comp(rng, style, keys):
    ind = rng.choice(INDICATIONS)
    if "ett" in keys:
        ind = "Post intubation."
    elif "cvc" in keys:
        ind = "Line placement."
    comp = rng.choice(COMPARISONS) if rng.random() < 0.8 else ""
    return ind, comp


def composed_clean(rng, style):
    r = rng.random()
    if r < 0.45:
        keys = []
    elif r < 0.85:
        keys = [rng.choice(COMMON_ABN)]
    else:
        keys = rng.sample(sorted(set(COMMON_ABN)), 2)
        if {"effusion", "small_effusion"} <= set(keys) or {"cardiomegaly", "mild_cardiomegaly"} <= set(keys):
            keys = keys[:1]
    fs, uk = compose_parts(rng, style, keys)
    fsents = assemble_findings(rng, fs, uk)
    if not keys and rng.random() < 0.3:
        imps = [rng.choice(PURE_NORMAL_IMPS["uk" if uk else "us"])]
    else:
        imps = imp_for(rng, fs, style)
    imps = [sp(s, uk) for s in imps]
    ind, comp = pick_ind_comp(rng, style, keys)
    tail = rng.choice(CALLBACK) if style == "ed_prelim" and set(keys) & SIGNIFICANT and rng.random() < 0.5 else ""
    return render(style, rng, ind, comp, fsents, imps, tail=tail), "unmodified composed report"


# ----------------------------------------------------------------------------- composed injections
def side_re(side):
    return re.compile(rf"\b{side}\b", re.I)


def composed_inject(kind, rng, style, j):
    uk = style in UK
    if kind == "missing_section":
        mode = ["imp_absent", "imp_absent", "imp_empty", "find_empty"][j % 4]
        keys = [] if mode == "find_empty" else [rng.choice(COMMON_ABN)] if rng.random() < 0.5 else []
        fs, uk = compose_parts(rng, style, keys)
        fsents = assemble_findings(rng, fs, uk)
        imps = [normal_imp(rng, style)] if mode == "find_empty" else imp_for(rng, fs, style)
        ind, comp = pick_ind_comp(rng, style, keys)
        rep = render(style, rng, ind, comp, fsents, [sp(s, uk) for s in imps], drop=mode)
        det = {"imp_absent": "IMPRESSION section absent (dictation ended after the findings)",
               "imp_empty": "impression header left with nothing under it",
               "find_empty": "findings header left empty; impression is a bare normal statement"}[mode]
        return rep, det, {"mode": mode}
    if kind == "laterality_conflict":
        key = rng.choice(["effusion", "consolidation", "consolidation", "pneumothorax", "nodule", "collapse",
                          "atelectasis", "effusion"])
        extra = [rng.choice(["cardiomegaly", "hyperinflation", "ett", "ngt", "clips"])] if rng.random() < 0.3 else []
        fs, uk = compose_parts(rng, style, [key] + extra)
        f0 = fs[0]
        fsents = assemble_findings(rng, fs, uk)
        imps = imp_for(rng, fs, style)
        if f0.i() not in imps:
            imps.insert(0, f0.i())
        wrong = OPP[f0.side]
        if j % 2 == 0:  # side flipped in the impression
            imps = [f0.i(wrong) if s == f0.i() else s for s in imps]
            det = f"{key}: {f0.side} in findings, impression says {wrong}"
            info = {"fside": f0.side, "iside": wrong}
        else:
            fsents = [f0.f(wrong) if s == f0.f() else s for s in fsents]
            det = f"{key}: findings say {wrong}, impression says {f0.side}"
            info = {"fside": wrong, "iside": f0.side}
        ind, comp = pick_ind_comp(rng, style, [key])
        return render(style, rng, ind, comp, fsents, imps), det, info
    if kind == "negation_conflict":
        key = rng.choice(["effusion", "consolidation", "pneumothorax", "edema", "cardiomegaly", "collapse"])
        if j % 2 == 0:  # findings affirm, impression macro rules it out
            fs, uk = compose_parts(rng, style, [key])
            fsents = assemble_findings(rng, fs, uk)
            imps = [sp(rng.choice(NEG_MACROS[key]), uk)]
            det = f"findings affirm {key}; impression (normal macro) says: {imps[0]}"
            info = {"dir": "imp_neg", "key": key}
        else:  # findings rule it out, impression affirms
            key = key if key in AFFIRM_IMPS else "effusion"
            force = {"effusion": ("No pleural effusion.", {"effusion"}),
                     "consolidation": (rng.choice(["The lungs are clear.", "No focal consolidation."]), {}),
                     "pneumothorax": ("No pneumothorax.", {}),
                     "edema": ("No pulmonary edema.", {}),
                     "cardiomegaly": ("Heart size is normal.", {})}[key]
            extra = [rng.choice(["hyperinflation", "clips", "granuloma"])] if rng.random() < 0.3 else []
            fs, uk = compose_parts(rng, style, extra)
            fsents = assemble_findings(rng, fs, uk, force=force, extra_present=[key])
            side = rng.choice(["right", "left"])
            imps = [sp(side_fmt(rng.choice(AFFIRM_IMPS[key]), side, "small", "1"), uk)]
            det = f"findings say '{sp(force[0], uk)}'; impression affirms: {imps[0]}"
            info = {"dir": "find_neg", "key": key, "neg": sp(force[0], uk)}
        ind, comp = pick_ind_comp(rng, style, [key])
        return render(style, rng, ind, comp, fsents, imps), det, info
    if kind == "impression_omits_finding":
        key = rng.choice(["effusion", "consolidation", "consolidation", "pneumothorax", "nodule", "edema", "collapse"])
        if j % 2 == 0:
            others = []
        else:
            others = [rng.choice(["cardiomegaly", "hyperinflation", "ett", "cvc", "fracture", "clips", "granuloma"])]
        fs, uk = compose_parts(rng, style, [key] + others)
        if key in ("consolidation", "collapse", "effusion", "pneumothorax", "nodule"):
            for f in fs[1:]:
                f.side = fs[0].side if f.key in ("fracture", "granuloma") and rng.random() < 0.3 else f.side
        fsents = assemble_findings(rng, fs, uk)
        if others:
            imps = [fs[1].i()]
            if rng.random() < 0.5:
                imps.append("Otherwise no acute abnormality." if uk else "Otherwise no acute cardiopulmonary process.")
        else:
            imps = [normal_imp(rng, style)]
        imps = [sp(s, uk) for s in imps]
        ind, comp = pick_ind_comp(rng, style, [key] + others)
        det = f"findings: '{fs[0].f()}' not mentioned in impression"
        return render(style, rng, ind, comp, fsents, imps), det, {"key": key}
    if kind == "placeholder":
        key = rng.choice(["effusion", "consolidation", "pneumothorax", "nodule", "ett", "atelectasis",
                          "small_effusion"])
        fs, uk = compose_parts(rng, style, [key])
        f0 = fs[0]
        fsents = assemble_findings(rng, fs, uk)
        imps = imp_for(rng, fs, style)
        fi = fsents.index(f0.f())
        s = fsents[fi]
        opts = []
        if re.search(r"\b\d+(\.\d+)? (mm|cm)\b", s):
            opts += [("num", rng.choice(["___", "XX", "[***]"]))]
        if re.search(r"\b(right|left)\b", s, re.I):
            opts += [("side", rng.choice(["[LEFT/RIGHT]", "[right/left]", "***"]))]
        if re.search(r"\b(small|moderate|large|Small|Moderate|Large|Minor|Trace)\b", s):
            opts += [("grade", rng.choice(["[small/moderate/large]", "[***]", "***"]))]
        if not opts:
            opts = [("side", "[LEFT/RIGHT]")]
        what, tok = rng.choice(opts)
        if what == "num":
            s2 = re.sub(r"\b\d+(\.\d+)?(?= (mm|cm)\b)", tok, s, count=1)
        elif what == "side":
            s2 = re.sub(r"\b(right|left)\b", tok, s, count=1, flags=re.I)
        else:
            s2 = re.sub(r"\b(small|moderate|large|Small|Moderate|Large|Minor|Trace)\b", tok, s, count=1)
        if s2.startswith("["):
            pass
        fsents[fi] = s2
        ind, comp = pick_ind_comp(rng, style, [key])
        return render(style, rng, ind, comp, fsents, imps), f"{what} left as template field {tok!r}: '{s2}'", \
            {"tok": tok}
    raise ValueError(kind)


# ----------------------------------------------------------------------------- IU injections
SIDE_W = re.compile(r"\b(right|left)\b", re.I)


def flip_word(m):
    w = m.group(0)
    o = OPP[w.lower()]
    return o.upper() if w.isupper() else cap(o) if w[0].isupper() else o


def iu_render(r, rng, style, fs=None, im=None, drop=None):
    fs = fs if fs is not None else split_sents(iu_reword(r["findings"], rng, style))
    im = im if im is not None else split_sents(iu_reword(r["impression"], rng, style))
    ind = r["indication"].strip() or ""
    comp = r["comparison"].strip()
    exam = ""
    if style in ("ed_prelim", "uk_portable") and re.search(r"\blateral (view|radiograph|film|projection)|\bPA and"
                                                          r" lateral", " ".join(fs), re.I):
        exam = "Chest X-ray, PA and lateral" if style in UK else "CHEST PA AND LATERAL"
    return render(style, rng, ind, comp, fs, im, drop=drop, exam=exam)


def iu_lat_ok(r):
    fs, im = r["findings"], r["impression"]
    if re.search(r"bilateral|bibasilar|both|(right|left)[- ](coronary|atri|ventric|heart|sided aortic|arch)", fs + im,
                 re.I):
        return False
    if re.search(r"middle lobe|lingula", fs + im, re.I):
        return False
    fsides = {m.lower() for m in SIDE_W.findall(fs)}
    isides = {m.lower() for m in SIDE_W.findall(im)}
    if not (len(fsides) == 1 and fsides == isides and len(SIDE_W.findall(im)) == 1):
        return False
    fsent = [x for x in split_sents(fs) if SIDE_W.search(x)]
    isent = [x for x in split_sents(im) if SIDE_W.search(x)]
    if len(fsent) != 1 or len(isent) != 1:
        return False
    vocab = (r"opacit|atelecta|effusion|granulom|nodul|consolidat|airspace|air space|pneumothora|hemidiaphragm|"
             r"infiltrat|scar|mass|fractur|pleural|thicken|calcif|pneumonia|mastectomy|catheter|picc|port|hilar|hilum|"
             r"apex|apical|base|basilar|lobe")
    return bool({m.lower()[:6] for m in re.findall(vocab, fsent[0], re.I)} &
                {m.lower()[:6] for m in re.findall(vocab, isent[0], re.I)})


NEG_PATTERNS = [
    ("effusion", re.compile(r"\bno (?:evidence of )?(?:large |definite |focal )?(?:pleural )?effusions?\b|"
                            r"\bno pleural effusion|without (?:pleural )?effusion|no (?:pneumothorax|focal \w+)"
                            r"(?:,| or| and) (?:pleural )?effusion", re.I)),
    ("pneumothorax", re.compile(r"\bno (?:evidence of )?pneumothorax|without pneumothorax|"
                                r"no [\w ,]{0,40}(?:or|and) pneumothorax", re.I)),
    ("cardiomegaly", re.compile(r"heart size (?:is )?(?:within )?normal|normal heart size|heart is normal in size|"
                                r"heart size and pulmonary vascularity (?:appear )?within normal", re.I)),
]
IU_AFFIRM = {
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax."],
    "cardiomegaly": ["Mild cardiomegaly.", "Cardiomegaly."],
}
IU_ADD = {  # finding added to an IU findings text for omission cases; key: sentence templates
    "effusion": ["Moderate {side} pleural effusion.", "There is a moderate-sized {side} pleural effusion."],
    "consolidation": ["Focal airspace consolidation in the {side} lower lobe.",
                      "Patchy airspace disease in the {side} lung base."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "There is a {side} apical pneumothorax."],
    "nodule": ["A 1.2 cm nodule projects over the {side} mid lung.", "9 mm nodular opacity in the {side} upper lobe."],
    "edema": ["Interstitial edema with vascular congestion."],
}
IU_DROP_FOR = {  # sentences in the IU findings that would contradict the added finding
    "effusion": r"effusion|costophrenic|pleural space", "pneumothorax": r"pneumothora|pleural space",
    "consolidation": r"consolidat|airspace|air space|lungs are clear|lungs clear|clear lungs|opacit|infiltrat|"
                     r"lungs are",
    "nodule": r"nodul|mass|lungs are clear|lungs clear|clear lungs",
    "edema": r"edema|vascular|vascularity|lungs are clear|lungs clear|clear lungs|failure",
}


def iu_inject(kind, r, rng, style, j):
    fs = split_sents(iu_reword(r["findings"], rng, style))
    im = split_sents(iu_reword(r["impression"], rng, style))
    uk = style in UK
    if kind == "missing_section":
        if j % 3 == 2 and iu_is_plain_normal(r):
            return iu_render(r, rng, style, fs, im, drop="find_empty"), "findings header left empty", \
                {"mode": "find_empty"}
        mode = "imp_absent" if j % 3 == 0 else "imp_empty"
        return iu_render(r, rng, style, fs, im, drop=mode), f"impression {mode.split('_')[1]}", {"mode": mode}
    if kind == "laterality_conflict":
        orig = SIDE_W.search(r["findings"]).group(0).lower()
        if j % 2 == 0:
            im = [SIDE_W.sub(flip_word, s) for s in im]
            info = {"fside": orig, "iside": OPP[orig]}
            det = f"impression side flipped to {OPP[orig]} (findings: {orig})"
        else:
            k = next(k for k, s in enumerate(fs) if SIDE_W.search(s))
            fs[k] = SIDE_W.sub(flip_word, fs[k])
            info = {"fside": OPP[orig], "iside": orig}
            det = f"findings sentence side flipped to {OPP[orig]}: '{fs[k]}' (impression: {orig})"
        return iu_render(r, rng, style, fs, im), det, info
    if kind == "negation_conflict":
        key = r["_negkey"]
        side = rng.choice(["right", "left"])
        new = sp(side_fmt(rng.choice(IU_AFFIRM[key]), side, "small", "1"), uk)
        im = [new] + ([] if rng.random() < 0.5 else ["Otherwise no acute cardiopulmonary abnormality."])
        return iu_render(r, rng, style, fs, im), f"findings rule out {key}; impression affirms '{new}'", \
            {"dir": "find_neg", "key": key}
    if kind == "impression_omits_finding":
        key = r["_addkey"]
        side = rng.choice(["right", "left"])
        add = sp(side_fmt(rng.choice(IU_ADD[key]), side, "moderate", "1"), uk)
        fs = [s for s in fs if not re.search(IU_DROP_FOR[key] + r"|\bclear\b|normal limits|unremarkable", s, re.I)]
        if not fs:
            fs = ["Heart size is normal."] if key != "edema" else ["Mediastinal contours are normal."]
        pos = next((k for k, x in enumerate(fs) if k and re.match(r"(No|There is no|There are no|Negative)\b", x)),
                   len(fs))
        fs.insert(pos, add)
        return iu_render(r, rng, style, fs, im), f"added to findings, not in impression: '{add}'", {"key": key}
    if kind == "placeholder":
        cands = []
        for sec, lst in (("f", fs), ("i", im)):
            for k, s in enumerate(lst):
                if re.search(r"\b\d+(\.\d+)? ?(mm|cm)\b", s):
                    cands.append((sec, k, "num"))
                if SIDE_W.search(s):
                    cands.append((sec, k, "side"))
                if re.search(r"\b(mild|small|moderate|large|minimal)\b", s, re.I) and not NEG.search(s):
                    cands.append((sec, k, "grade"))
        sec, k, what = cands[j % len(cands)] if cands else ("f", 0, "ins")
        lst = fs if sec == "f" else im
        s = lst[k]
        if what == "num":
            tok = rng.choice(["___", "XX", "[***]"])
            s2 = re.sub(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", tok, s, count=1)
        elif what == "side":
            tok = rng.choice(["[LEFT/RIGHT]", "[right/left]", "***"])
            s2 = SIDE_W.sub(tok, s, count=1)
        elif what == "grade":
            tok = rng.choice(["[mild/moderate/severe]", "[***]", "***"])
            s2 = re.sub(r"\b(mild|small|moderate|large|minimal)\b", tok, s, count=1, flags=re.I)
        else:
            tok = "[***]"
            s2 = "Heart size: [***]."
            lst.insert(0, s2)
        if what != "ins":
            lst[k] = s2
        return iu_render(r, rng, style, fs, im), f"{what} in {'findings' if sec == 'f' else 'impression'} left as " \
            f"template field {tok!r}: '{s2}'", {"tok": tok}
    raise ValueError(kind)


# ----------------------------------------------------------------------------- verification
def sections(rep: str):
    """Split our own layouts back into (findings, impression) text; None where absent."""
    heads_f = r"(?:FINDINGS|Findings|REPORT|Report):"
    heads_i = r"(?:IMPRESSION|Impression|CONCLUSION|Conclusion|Comment|Opinion):"
    mf = re.search(heads_f + r"(.*?)(?=" + heads_i + r"|\Z)", rep, re.S)
    mi = re.search(heads_i + r"(.*)\Z", rep, re.S)
    return (mf.group(1).strip() if mf else None), (mi.group(1).strip() if mi else None)


def verify(kind, rep, info) -> bool:
    f, i = sections(rep)
    if kind is None:
        return bool(f) and bool(i) and not re.search(r"\[\*\*\*\]|\[LEFT/RIGHT\]|\*\*\*|XX mm|___ ?(mm|cm)", rep)
    if kind == "missing_section":
        mode = info["mode"]
        if mode == "imp_absent":
            return i is None and bool(f)
        if mode == "imp_empty":
            return i == "" and bool(f)
        return f == "" and bool(i) and NORMAL_IMP.match(i) is not None and len(split_sents(i)) == 1
    if not f or not i:
        return False
    if kind == "laterality_conflict":
        return bool(side_re(info["fside"]).search(f)) and bool(side_re(info["iside"]).search(i)) and \
            not side_re(info["fside"]).search(i)
    if kind == "negation_conflict":
        key = info["key"]
        if info["dir"] == "imp_neg":
            return bool(re.search(r"\b(no|normal|clear)\b", i, re.I)) and bool(re.search(TERM.get(key, key), f, re.I))
        return bool(re.search(r"\b(no|normal|clear)\b", f, re.I)) and \
            bool(re.search(TERM.get(key, "cardiomegaly"), i, re.I))
    if kind == "impression_omits_finding":
        return bool(re.search(TERM[info["key"]], f, re.I)) and not re.search(TERM[info["key"]], i, re.I)
    if kind == "placeholder":
        return info["tok"] in rep
    return False


# ----------------------------------------------------------------------------- build
def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed)
    iu = load_iu(shared)
    rng.shuffle(iu)
    used: set[str] = set()

    def take(pred, n):
        out = []
        for r in iu:
            if len(out) == n:
                break
            if r["uid"] not in used and pred(r):
                used.add(r["uid"])
                out.append(r)
        if len(out) < n:
            raise RuntimeError(f"not enough IU reports for a group ({len(out)}/{n})")
        return out

    cases = []

    def add(kind, rep, det, src):
        cases.append({"injected": kind, "detail": det, "report": rep, "_src": src})

    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    for j in range(half_c):
        style = STYLES[j % len(STYLES)]
        rep, det = composed_clean(rng, style)
        assert verify(None, rep, {}), rep
        add(None, rep, det, "composed")
    for j, r in enumerate(take(iu_is_plain_normal, half_c)):
        style = STYLES[j % len(STYLES)]
        add(None, iu_render(r, rng, style), f"unmodified IU report {r['uid']}, re-laid-out", r["uid"])

    def negkey(r):
        for key, pat in NEG_PATTERNS:
            if pat.search(r["findings"]) and not re.search(TERM.get(key, "cardiomegal|enlarg"), r["impression"], re.I):
                r["_negkey"] = key
                return iu_is_plain_normal(r)
        return False

    def addkey(r, normal):
        if normal != iu_is_plain_normal(r):
            return False
        if not normal and (NORMAL_IMP.match(r["impression"]) or not r["impression"].strip()):
            return False
        keys = [k for k in ("consolidation", "effusion", "pneumothorax", "nodule", "edema")
                if not re.search(TERM[k], r["impression"], re.I)]
        if not keys:
            return False
        r["_addkey"] = keys[(len(r["uid"]) + int(re.sub(r"\D", "", r["uid"]) or 0)) % len(keys)]
        return True

    def placeholder_ok(r):
        txt = r["findings"] + " " + r["impression"]
        return bool(SIDE_W.search(txt) or re.search(r"\b(mild|small|moderate|large|minimal)\b|\d ?(mm|cm)\b", txt,
                                                    re.I))

    for kind in KINDS:
        for j in range(half_k):
            style = STYLES[(j + KINDS.index(kind)) % len(STYLES)]
            for _ in range(50):
                rep, det, info = composed_inject(kind, rng, style, j)
                if verify(kind, rep, info):
                    break
            else:
                raise RuntimeError(f"composed {kind} failed verification: {rep}")
            add(kind, rep, det, "composed")
        if kind == "missing_section":
            pool = take(lambda r: True, half_k)
        elif kind == "laterality_conflict":
            pool = take(iu_lat_ok, half_k)
        elif kind == "negation_conflict":
            pool = take(negkey, half_k)
        elif kind == "impression_omits_finding":
            pool = take(lambda r: addkey(r, True), half_k // 2) + take(lambda r: addkey(r, False), half_k - half_k // 2)
        else:
            pool = take(placeholder_ok, half_k)
        for j, r in enumerate(pool):
            style = STYLES[(j + 2 * KINDS.index(kind)) % len(STYLES)]
            if kind == "missing_section" and j % 3 == 2 and not iu_is_plain_normal(r):
                j = j + 1  # impression-side drop for reports whose impression describes findings
            rep, det, info = iu_inject(kind, r, rng, style, j)
            if not verify(kind, rep, info):
                raise RuntimeError(f"IU {kind} failed verification ({r['uid']}): {rep}")
            add(kind, rep, f"{det} [IU {r['uid']}]", r["uid"])

    rng.shuffle(cases)
    out = []
    for k, c in enumerate(cases):
        h = hashlib.sha256(f"h43|{seed}|{k}|{c['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h43-{h}", "injected": c["injected"], "detail": c["detail"], "report": c["report"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4301)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found under {shared}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"===== {kind} | {c['detail']}\n{c['report']}")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
