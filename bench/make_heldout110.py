"""Held-out report-check set 110, written blind.

Setting: US non-teaching community hospitals read by a private radiology group.
Hospitalist-ordered inpatient films (daily portables, pneumonia and heart-failure
follow-up, post-operative general surgery and orthopaedic patients), ED films and
outpatient referrals from local primary care.  Reports are dictated in the usual
US private-practice way: EXAM / CLINICAL HISTORY (or INDICATION) / COMPARISON /
TECHNIQUE / FINDINGS / IMPRESSION (sometimes CONCLUSION), US spelling, an
"Electronically signed by ..." line, PowerScribe-style template fields ("[***]",
"***", "[ ]", pick-lists such as "[left/right]") as the local form of an
unfilled blank.

400 cases: 200 clean and 40 of each injected kind (missing_section,
laterality_conflict, negation_conflict, impression_omits_finding, placeholder).
Half of each group is composed from a phrase bank written for this setting, half
are real IU reports (never a dev-set uid) re-laid-out in the setting's style.

Usage: python -m bench.make_heldout110 OUT.jsonl --seed S [--show N]
"""

# ruff: noqa: E501  (phrase-bank and pattern lines are long by nature)
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
N_KIND = 40

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def dev_uids(shared: Path | None = None) -> set[str]:
    shared = shared or shared_dir()
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_ABS = re.compile(r'<AbstractText Label="([A-Z]+)"\s*>(.*?)</AbstractText>', re.S)
_ABS_EMPTY = re.compile(r'<AbstractText Label="([A-Z]+)"\s*/>')
_UID = re.compile(r'<uId id="([^"]+)"')


def _unescape(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def load_iu(shared: Path | None = None) -> list[dict]:
    """One pass over the IU archive; returns records sorted by uid number."""
    shared = shared or shared_dir()
    recs = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = _UID.search(txt)
            if not mu:
                continue
            rec = {"uid": mu.group(1)}
            for lab, body in _ABS.findall(txt):
                rec[lab.lower()] = " ".join(_unescape(body).split())
            for lab in _ABS_EMPTY.findall(txt):
                rec.setdefault(lab.lower(), "")
            recs.append(rec)
    recs.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return recs


# ---------------------------------------------------------------- text analysis

FAM = {
    "ptx": r"pneumothora",
    "effusion": r"effusion",
    "consol": r"consolidat|pneumonia|infiltrat|air\s?space (?:disease|opacit)",
    "edema": r"edema|vascular congestion|pulmonary congestion|\bchf\b",
    "cardio": r"cardiomegaly|heart (?:size )?(?:is )?(?:mildly |moderately |markedly )?enlarged|enlarged (?:heart|cardiac)",
    "mass": r"\bnodul|\bmass\b|masses",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal",
    "widen": r"widen",
    "atelect": r"atelecta",
    "opacity": r"opacit|density|densities",
    "granuloma": r"granulom",
    "fracture": r"fractur",
    "scar": r"scar",
}
SIGNIFICANT = ["ptx", "effusion", "consol", "edema", "mass", "freeair", "widen"]
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|removed|absence|absent|cleared|clear)\b", re.I)
HEDGE = re.compile(r"\b(possib|may\b|might|cannot|can't|could|question|suspect|suggest|versus|vs\b|likely|probab|concern|exclude|differential|consider|chronic|stable|unchanged|old\b|healed|prior|previous|resolv|improv|decreas|minimal|trace|tiny|small|subtle|calcifi|borderline|upper limit|scar|granulom|atelecta|nipple|clearing|resolution|removal)", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p for p in parts if p.strip()]


def fam_status(text: str) -> dict[str, set[str]]:
    """family -> {'aff', 'neg'}; aff = mentioned without a negation before it."""
    out: dict[str, set[str]] = {}
    for s in sentences(text):
        for fam, pat in FAM.items():
            for m in re.finditer(pat, s, re.I):
                before = s[: m.start()]
                cut = max(before.lower().rfind(" but "), before.lower().rfind(" however"),
                          before.lower().rfind(" with "))
                seg = before[cut:] if cut >= 0 else before
                tag = "neg" if NEG_CUE.search(seg) else "aff"
                out.setdefault(fam, set()).add(tag)
    return out


def clear_lungs(text: str) -> bool:
    return bool(re.search(r"lungs? (?:are |is |remain |appear )?(?:clear|well expanded and clear)|clear lungs", text, re.I))


def normal_heart(text: str) -> bool:
    return bool(re.search(r"heart size (?:is |appears |remains )?(?:within )?normal|normal (?:heart|cardiac) size|heart (?:is )?normal in size|cardiomediastinal silhouette (?:is |are )?(?:within )?normal|cardiac silhouette (?:is )?(?:within )?normal", text, re.I))


def sides_for(text: str, fam: str) -> set[str]:
    out = set()
    for s in sentences(text):
        if re.search(FAM[fam], s, re.I):
            for m in SIDE.finditer(s):
                out.add(m.group(1).lower())
    return out


def is_clean_real(rec: dict) -> bool:
    f = rec.get("findings", "")
    i = rec.get("impression", "")
    if len(f) < 25 or len(i) < 8:
        return False
    if re.search(r"\[|\]|___|\*\*|see (?:above|findings)|as above", f + " " + i, re.I):
        return False
    if re.search(r"\b(?:dictated|addendum|called|notified|discussed with|lumbar|lumbosacral|abdomen|pelvis)\b", f + " " + i, re.I):
        return False
    fs, is_ = fam_status(f), fam_status(i)
    for fam in SIGNIFICANT:
        if "aff" in fs.get(fam, set()) and fam not in is_:
            return False
    for fam in FAM:
        a, b = fs.get(fam, set()), is_.get(fam, set())
        if ("aff" in a and b == {"neg"}) or ("aff" in b and a == {"neg"}):
            return False
        sa, sb = sides_for(f, fam), sides_for(i, fam)
        if sa and sb and not (sa & sb):
            return False
    for s in sentences(f):
        if re.search(FAM["opacity"], s, re.I) and not NEG_CUE.search(s) and not HEDGE.search(s):
            if not re.search(FAM["opacity"] + "|" + FAM["consol"] + "|" + FAM["atelect"], i, re.I):
                return False
    if clear_lungs(f) and any("aff" in is_.get(k, set()) for k in ("consol", "edema", "mass", "opacity")):
        return False
    if clear_lungs(i) and any("aff" in fs.get(k, set()) for k in ("consol", "edema", "mass")):
        return False
    if normal_heart(f) and "aff" in is_.get("cardio", set()):
        return False
    if normal_heart(i) and "aff" in fs.get("cardio", set()):
        return False
    if re.search(r"^normal|normal (?:chest|exam|study|radiograph)", i, re.I) and any(
            "aff" in fs.get(k, set()) for k in ("cardio", "consol", "edema", "effusion", "ptx", "mass", "atelect", "opacity")):
        return False
    return True


# ---------------------------------------------------------------- style bits

RADS = ["Michael R. Patel, MD", "Susan K. Whitaker, MD", "David Nguyen, MD", "Karen L. Brooks, DO",
        "Robert J. Ferraro, MD", "Anita Deshmukh, MD", "Thomas E. Gallagher, MD", "Jennifer Ostrowski, MD",
        "Mark A. Lindqvist, DO", "Lisa M. Carrington, MD", "James P. O'Rourke, MD", "Priya Raman, MD"]

NORMAL_IMP = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary disease.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary findings.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "No acute process in the chest.",
    "No acute intrathoracic abnormality.",
]
NORMAL_IMP_STRICT = [  # only when the findings are entirely normal
    "Normal chest radiograph.",
    "Negative chest.",
    "Normal 2-view chest.",
    "Normal chest x-ray.",
]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2023, 2024, 2025])}"


def _time(rng: random.Random) -> str:
    h = rng.randint(1, 12)
    return f"{h}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}"


def signoff(rng: random.Random) -> str:
    rad = rng.choice(RADS)
    d = _date(rng)
    return rng.choice([
        f"Electronically signed by: {rad} on {d} {_time(rng)}",
        f"Dictated by: {rad}\nElectronically signed: {d} {_time(rng)}",
        f"Signed by {rad} {d} {_time(rng)}",
        f"Interpreted by: {rad}\nSigned: {d} {_time(rng)}",
        f"Electronically Signed By: {rad}\nSigned Date/Time: {d} {_time(rng)}",
        f"This report was electronically signed by {rad} on {d} at {_time(rng)}.",
    ])


def render(parts: dict, rng: random.Random) -> str:
    """parts: exam, history, comparison, technique, findings, impression, imp_header,
    findings_header; a value of None drops the section, '' leaves its header empty."""
    hist_h = parts.get("hist_header") or "CLINICAL HISTORY"
    out = []
    if parts.get("exam"):
        out.append(parts["exam"])
    if parts.get("history") is not None:
        out.append(f"{hist_h}: {parts['history']}".rstrip())
    if parts.get("comparison") is not None:
        out.append(f"COMPARISON: {parts['comparison']}".rstrip())
    if parts.get("technique"):
        out.append(f"TECHNIQUE: {parts['technique']}")
    fh = parts.get("findings_header") or "FINDINGS"
    ih = parts.get("imp_header") or "IMPRESSION"
    newline_body = parts.get("newline_body", False)
    for head, body in ((fh, parts.get("findings")), (ih, parts.get("impression"))):
        if body is None:
            continue
        if body == "":
            out.append(f"{head}:")
        elif newline_body or "\n" in body:
            out.append(f"{head}:\n{body}")
        else:
            out.append(f"{head}: {body}")
    if parts.get("signoff"):
        out.append(parts["signoff"])
    return "\n\n".join(out)


def number_impression(lines: list[str], rng: random.Random) -> str:
    if len(lines) == 1 and rng.random() < 0.6:
        return lines[0]
    if rng.random() < 0.8:
        return "\n".join(f"{k}. {ln}" for k, ln in enumerate(lines, 1))
    return " ".join(lines)


# ---------------------------------------------------------------- composed bank

SCEN = {
    "ed": dict(
        exams=["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "CHEST 2 VIEWS", "XR CHEST 1 VIEW",
               "EXAM: CHEST PA/LAT", "EXAM: XR CHEST PA AND LATERAL"],
        hist=["Chest pain.", "Shortness of breath.", "SOB x 2 days.", "Cough and fever.", "Chest pain, r/o acute process.",
              "Fall, left sided chest wall pain.", "Syncope.", "Weakness.", "Palpitations.", "MVC, chest pain.",
              "Fever, r/o pneumonia.", "Dyspnea on exertion.", "Hypoxia in ED.", "Altered mental status.",
              "Cough x1 week, smoker."],
        tech=["PA and lateral views of the chest.", "Frontal and lateral views of the chest.",
              "Two views of the chest.", "Single frontal view of the chest."],
        w_items=0.3),
    "opd": dict(
        exams=["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "CHEST PA AND LATERAL", "EXAM: XR CHEST 2V"],
        hist=["Chronic cough.", "Preoperative evaluation.", "Pre-op, knee replacement.", "Positive PPD.",
              "Positive QuantiFERON.", "Annual physical, smoker.", "Hypertension.", "Follow-up pneumonia.",
              "Cough, wheezing.", "Pre-op clearance, cholecystectomy.", "Dyspnea.", "Hemoptysis x1.",
              "COPD, follow-up.", "Abnormal breath sounds.", "Immigration exam."],
        tech=["PA and lateral views of the chest.", "PA and lateral chest.", "2 views."],
        w_items=0.25),
    "port": dict(
        exams=["XR CHEST 1 VIEW PORTABLE", "XR CHEST PORTABLE", "PORTABLE CHEST", "EXAM: XR CHEST AP PORTABLE",
               "CHEST 1 VIEW (PORTABLE)"],
        hist=["Daily chest x-ray.", "Hypoxia.", "Respiratory failure, intubated.", "Line placement.",
              "PICC placement.", "Increased oxygen requirement.", "Sepsis.", "Follow-up effusion.",
              "Fever, inpatient.", "Tachypnea.", "Central line placement, check position.", "NG tube placement."],
        tech=["Single portable AP view of the chest.", "Portable AP upright view.", "AP portable semi-upright view.",
              "Single AP view obtained at bedside."],
        w_items=0.7),
    "pna": dict(
        exams=["XR CHEST 2 VIEWS", "XR CHEST 1 VIEW PORTABLE", "XR CHEST PA AND LATERAL"],
        hist=["Pneumonia, follow-up.", "Community acquired pneumonia.", "Follow up pneumonia on antibiotics.",
              "Pneumonia, worsening cough.", "RLL pneumonia follow-up.", "Persistent fever on antibiotics."],
        tech=["PA and lateral views of the chest.", "Single portable AP view of the chest."],
        w_items=0.75),
    "chf": dict(
        exams=["XR CHEST 1 VIEW PORTABLE", "XR CHEST 2 VIEWS", "XR CHEST PORTABLE"],
        hist=["CHF exacerbation.", "CHF, follow-up.", "Shortness of breath, history of CHF.",
              "Acute on chronic systolic heart failure.", "Volume overload.", "CHF, s/p diuresis."],
        tech=["Single portable AP view of the chest.", "PA and lateral views of the chest.", "Portable AP upright view."],
        w_items=0.8),
    "postop_gs": dict(
        exams=["XR CHEST 1 VIEW PORTABLE", "XR CHEST PORTABLE", "XR CHEST 2 VIEWS"],
        hist=["POD 1 exploratory laparotomy, hypoxia.", "Post-op day 2 colectomy, fever.",
              "S/p laparoscopic cholecystectomy, low O2 sats.", "Postoperative fever.",
              "S/p small bowel resection, tachycardia.", "Post-op ventral hernia repair, SOB.",
              "POD 3 sigmoid colectomy, fever."],
        tech=["Single portable AP view of the chest.", "Portable AP semi-upright view."],
        w_items=0.6),
    "postop_ortho": dict(
        exams=["XR CHEST 1 VIEW PORTABLE", "XR CHEST 2 VIEWS", "XR CHEST PORTABLE"],
        hist=["S/p right total hip arthroplasty, hypoxia.", "Post-op left TKA, fever.",
              "Hip fracture, preoperative.", "S/p ORIF left hip, desaturation.", "POD 1 total knee, low sats.",
              "Pre-op, hip fracture.", "S/p fall with hip fracture, pre-op."],
        tech=["Single portable AP view of the chest.", "PA and lateral views of the chest.",
              "Single AP view of the chest."],
        w_items=0.45),
}
SCEN_W = {"ed": 30, "opd": 25, "port": 18, "pna": 8, "chf": 8, "postop_gs": 6, "postop_ortho": 5}

NORM = {
    "lungs": ["The lungs are clear.", "Lungs are clear bilaterally.", "The lungs are well expanded and clear.",
              "Lungs are clear without focal consolidation.", "Clear lungs."],
    "consol": ["No focal consolidation.", "No focal airspace disease.", "There is no focal airspace consolidation.",
               "No focal infiltrate."],
    "effusion": ["No pleural effusion.", "No pleural effusions.", "There is no pleural effusion."],
    "ptx": ["No pneumothorax.", "There is no pneumothorax."],
    "pleura": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
               "There is no pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion."],
    "edema": ["No pulmonary edema.", "No pulmonary vascular congestion.", "Pulmonary vascularity is normal."],
    "heart": ["The heart size is normal.", "Heart size is within normal limits.",
              "The cardiomediastinal silhouette is within normal limits.", "Normal heart size.",
              "Cardiomediastinal silhouette is normal.", "Heart and mediastinum are within normal limits."],
    "bones": ["No acute osseous abnormality.", "Osseous structures are intact.", "No acute bony abnormality.",
              "Bones are unremarkable for age.", "Visualized osseous structures are unremarkable."],
}

LOBE = {"upper": "upper lobe", "lower": "lower lobe", "base": "base", "basilar": "basilar"}


def _side(rng: random.Random) -> str:
    return rng.choice(["right", "left"])


def make_item(key: str, rng: random.Random) -> dict:
    """An abnormal finding: f (findings sentence), imp (impression phrase), side, sig, covers."""
    s = _side(rng)
    S = s.capitalize()
    it = {"key": key, "side": None, "sig": False}
    if key == "atelect":
        if rng.random() < 0.4:
            it.update(f=rng.choice(["Mild bibasilar atelectasis.", "Bibasilar subsegmental atelectasis.",
                                    "Low lung volumes with bibasilar atelectasis."]),
                      imp=rng.choice(["Bibasilar atelectasis.", "Low lung volumes with bibasilar atelectasis."]),
                      covers={"lungs"})
        else:
            it.update(side=s, f=rng.choice([f"Mild {s} basilar atelectasis.", f"Linear atelectasis at the {s} lung base.",
                                            f"Subsegmental atelectasis in the {s} lower lung."]),
                      imp=rng.choice([f"{S} basilar atelectasis.", f"Mild {s} basilar atelectasis."]),
                      covers={"lungs"})
        it["fam"] = "atelect"
    elif key == "small_eff":
        if rng.random() < 0.3:
            it.update(f="Small bilateral pleural effusions.", imp="Small bilateral pleural effusions.")
        else:
            it.update(side=s, f=rng.choice([f"Small {s} pleural effusion.", f"There is a small {s} pleural effusion.",
                                            f"Blunting of the {s} costophrenic angle consistent with a small effusion."]),
                      imp=rng.choice([f"Small {s} pleural effusion.", f"Small {s} effusion."]))
        it.update(covers={"effusion", "pleura"}, fam="effusion")
    elif key == "mod_eff":
        sz = rng.choice(["moderate", "moderate to large", "large"])
        it.update(side=s, sig=True, covers={"effusion", "pleura", "lungs"}, fam="effusion",
                  f=rng.choice([f"There is a {sz} {s} pleural effusion with adjacent atelectasis.",
                                f"{sz.capitalize()} {s} pleural effusion, new since prior.",
                                f"{sz.capitalize()} {s} pleural effusion obscuring the {s} hemidiaphragm."]),
                  imp=rng.choice([f"{sz.capitalize()} {s} pleural effusion.",
                                  f"{sz.capitalize()} {s} pleural effusion with adjacent atelectasis."]))
    elif key == "consol":
        lobe = rng.choice(["lower lobe", "upper lobe", "lower lobe", "base"])
        if lobe == "base":
            loc = f"{s} lung base"
        else:
            loc = f"{s} {lobe}"
        it.update(side=s, sig=True, covers={"lungs", "consol"}, fam="consol",
                  f=rng.choice([f"There is airspace consolidation in the {loc}.",
                                f"Patchy airspace opacity in the {loc}, new from prior.",
                                f"Focal consolidation in the {loc} with air bronchograms.",
                                f"New {loc} airspace disease."]),
                  imp=rng.choice([f"{loc[0].upper() + loc[1:]} pneumonia.",
                                  f"{loc[0].upper() + loc[1:]} consolidation, compatible with pneumonia in the appropriate clinical setting.",
                                  f"{loc[0].upper() + loc[1:]} airspace disease, likely pneumonia."]))
    elif key == "consol_fu":
        lobe = rng.choice(["lower lobe", "upper lobe"])
        word = rng.choice(["Improving", "Persistent", "Slightly improved", "Worsening"])
        it.update(side=s, sig=True, covers={"lungs", "consol"}, fam="consol",
                  f=f"{word} {s} {lobe} consolidation compared to prior.",
                  imp=rng.choice([f"{word} {s} {lobe} pneumonia.", f"{word} {s} {lobe} consolidation."]))
    elif key == "edema":
        it.update(sig=True, covers={"lungs", "edema", "consol"}, fam="edema",
                  f=rng.choice(["There is pulmonary vascular congestion with mild interstitial edema.",
                                "Cephalization of pulmonary vasculature and interstitial edema.",
                                "Increased interstitial markings consistent with pulmonary edema, increased from prior.",
                                "Diffuse bilateral interstitial and perihilar airspace opacities consistent with edema."]),
                  imp=rng.choice(["Pulmonary edema.", "Congestive heart failure with interstitial edema.",
                                  "Mild pulmonary edema, increased.", "Findings consistent with CHF."]))
    elif key == "cardio":
        it.update(covers={"heart"}, fam="cardio",
                  f=rng.choice(["Mild cardiomegaly.", "The heart is mildly enlarged, stable.",
                                "Stable mild enlargement of the cardiac silhouette.", "Borderline cardiomegaly."]),
                  imp=rng.choice(["Mild cardiomegaly.", "Stable mild cardiomegaly."]))
    elif key == "ptx":
        sz = rng.choice(["small", "small apical", "moderate", "tiny apical"])
        it.update(side=s, sig=True, covers={"ptx", "pleura"}, fam="ptx",
                  f=rng.choice([f"There is a {sz} {s} pneumothorax.", f"{sz.capitalize()} {s} pneumothorax is present.",
                                f"New {sz} {s} pneumothorax."]),
                  imp=rng.choice([f"{sz.capitalize()} {s} pneumothorax.", f"{S} pneumothorax, {sz.split()[0]}."]))
    elif key == "nodule":
        mm = rng.randint(7, 19)
        lobe = rng.choice(["upper lobe", "lower lobe", "mid lung"])
        it.update(side=s, sig=True, covers={"lungs"}, fam="mass", mm=mm,
                  f=rng.choice([f"There is a {mm} mm nodule in the {s} {lobe}.",
                                f"{mm} mm rounded nodular opacity projects over the {s} {lobe}."]),
                  imp=rng.choice([f"{mm} mm {s} {lobe} nodule. Recommend CT chest for further evaluation.",
                                  f"{S} {lobe} nodule measuring {mm} mm; CT chest recommended."]))
    elif key == "granuloma":
        it.update(side=s, covers=set(), fam="granuloma",
                  f=rng.choice([f"Calcified granuloma in the {s} upper lobe.", f"Small calcified granuloma at the {s} lung base."]),
                  imp=f"Calcified {s} granuloma.")
    elif key == "dj":
        f, imp = rng.choice([("Degenerative changes of the thoracic spine.", "Degenerative changes of the thoracic spine."),
                             ("Mild degenerative change of the thoracic spine.", "Mild thoracic spondylosis."),
                             ("Degenerative changes of both shoulders.", "Degenerative changes of the shoulders.")])
        it.update(covers={"bones"}, fam="djd", f=f, imp=imp)
    elif key == "old_rib":
        it.update(side=s, covers={"bones"}, fam="fracture",
                  f=f"Old healed {s} rib fractures.", imp=f"Old {s} rib fractures.")
    elif key == "copd":
        it.update(covers=set(), fam="copd",
                  f=rng.choice(["The lungs are hyperinflated consistent with COPD.", "Hyperinflation and flattening of the diaphragms.",
                                "Emphysematous changes."]),
                  imp=rng.choice(["COPD.", "Hyperinflation compatible with COPD.", "Emphysema."]))
    elif key == "freeair":
        it.update(sig=True, covers=set(), fam="freeair",
                  f=rng.choice(["Small amount of free air beneath the right hemidiaphragm.",
                                "Free intraperitoneal air under both hemidiaphragms.",
                                "Lucency under the right hemidiaphragm consistent with free air."]),
                  imp=rng.choice(["Free intraperitoneal air, likely postoperative given recent laparotomy; correlate clinically.",
                                  "Pneumoperitoneum, expected after recent surgery. Correlate with surgical history."]))
    elif key == "lines":
        opts = [("Right IJ central venous catheter tip in the SVC.", "Right IJ central line tip in the SVC."),
                ("Left arm PICC with tip at the cavoatrial junction.", "Left PICC tip at the cavoatrial junction."),
                ("Right arm PICC tip in the distal SVC.", "Right PICC tip in the distal SVC."),
                ("Endotracheal tube tip 4 cm above the carina. Enteric tube courses below the diaphragm.",
                 "ET tube and enteric tube in satisfactory position."),
                ("Nasogastric tube tip in the stomach.", "NG tube tip in the stomach."),
                ("Left chest dual-lead pacemaker with leads in expected position.", "Pacemaker leads in expected position."),
                ("Median sternotomy wires are intact.", "Post-sternotomy changes.")]
        f, imp = rng.choice(opts)
        it.update(covers=set(), fam="lines", f=f, imp=imp)
    return it


ITEM_BY_SCEN = {
    "ed": ["atelect", "cardio", "consol", "dj", "granuloma", "old_rib", "copd", "small_eff", "ptx", "nodule"],
    "opd": ["granuloma", "dj", "copd", "cardio", "nodule", "consol", "atelect"],
    "port": ["lines", "lines", "atelect", "small_eff", "mod_eff", "edema", "cardio", "consol", "ptx"],
    "pna": ["consol_fu", "consol_fu", "consol", "small_eff", "atelect"],
    "chf": ["edema", "cardio", "cardio", "small_eff", "mod_eff", "lines"],
    "postop_gs": ["atelect", "atelect", "small_eff", "freeair", "lines", "consol"],
    "postop_ortho": ["atelect", "cardio", "dj", "small_eff", "consol", "granuloma"],
}
SIG_KEYS = {"mod_eff", "consol", "consol_fu", "edema", "ptx", "nodule", "freeair"}


def normal_sentences(covered: set[str], rng: random.Random) -> list[str]:
    out = []
    if not covered & {"lungs", "consol"}:
        out.append(rng.choice(NORM["lungs"] + NORM["consol"]))
    if not covered & {"pleura", "effusion", "ptx"}:
        out.append(rng.choice(NORM["pleura"]))
    else:
        if "effusion" not in covered:
            out.append(rng.choice(NORM["effusion"]))
        if "ptx" not in covered:
            out.append(rng.choice(NORM["ptx"]))
    if "edema" not in covered and rng.random() < 0.3:
        out.append(rng.choice(NORM["edema"]))
    if "heart" not in covered:
        out.insert(0 if rng.random() < 0.5 else len(out), rng.choice(NORM["heart"]))
    if "bones" not in covered and rng.random() < 0.6:
        out.append(rng.choice(NORM["bones"]))
    return out


def compose_base(rng: random.Random, need_sig=False, need_side=False, want_items=None) -> dict:
    scen = rng.choices(list(SCEN_W), weights=list(SCEN_W.values()))[0]
    if want_items:
        ok = [k for k in SCEN_W if all(w in ITEM_BY_SCEN[k] for w in want_items)]
        if ok and scen not in ok:
            scen = rng.choice(ok)
    if need_sig and scen in ("opd",) and rng.random() < 0.5:
        scen = rng.choice(["port", "pna", "chf", "ed"])
    sc = SCEN[scen]
    items = []
    if want_items is not None:
        keys = want_items
    elif rng.random() < sc["w_items"]:
        keys = rng.sample(ITEM_BY_SCEN[scen], k=rng.choice([1, 1, 1, 2]))
    else:
        keys = []
    seen = set()
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        items.append(make_item(k, rng))
    if need_sig and not any(it["sig"] for it in items):
        cand = [k for k in ITEM_BY_SCEN[scen] if k in SIG_KEYS] or ["consol", "mod_eff", "edema", "ptx"]
        it = make_item(rng.choice(cand), rng)
        items = [x for x in items if x["fam"] != it["fam"]] + [it]
    if need_side and not any(it["side"] for it in items):
        cand = ["consol", "small_eff", "mod_eff", "ptx", "nodule", "atelect", "consol_fu", "granuloma", "old_rib"]
        cand = [k for k in cand if k in ITEM_BY_SCEN[scen]] or cand
        while True:
            it = make_item(rng.choice(cand), rng)
            if it["side"]:
                items = [x for x in items if x["fam"] != it["fam"]] + [it]
                break
    # de-duplicate families (one item per family keeps the report coherent)
    fams, uniq = set(), []
    for it in items:
        if it["fam"] not in fams:
            fams.add(it["fam"])
            uniq.append(it)
    items = uniq
    hist = rng.choice(sc["hist"])
    lines_for = [(r"PICC", ["Left arm PICC with tip at the cavoatrial junction.", "Right arm PICC tip in the distal SVC."],
                  "PICC tip at the cavoatrial junction / distal SVC."),
                 (r"[Cc]entral line|Line placement", ["Right IJ central venous catheter tip in the SVC."],
                  "Right IJ central line tip in the SVC. No pneumothorax."),
                 (r"NG tube", ["Nasogastric tube tip in the stomach."], "NG tube tip in the stomach."),
                 (r"intubated", ["Endotracheal tube tip 4 cm above the carina. Enteric tube courses below the diaphragm."],
                  "ET tube and enteric tube in satisfactory position.")]
    for pat, fs, imp in lines_for:
        if re.search(pat, hist):
            f = rng.choice(fs)
            if "PICC" in f:
                imp = "PICC tip at the cavoatrial junction." if "cavoatrial" in f else "PICC tip in the distal SVC."
            if "No pneumothorax" in imp and any(x["fam"] == "ptx" for x in items):
                imp = "Right IJ central line tip in the SVC."
            items = [x for x in items if x["fam"] != "lines"]
            items.insert(0, {"key": "lines", "side": None, "sig": False, "fam": "lines", "covers": set(), "f": f, "imp": imp})
            break
    exam = rng.choice(sc["exams"])
    if not exam.startswith("EXAM") and rng.random() < 0.5:
        exam = f"EXAM: {exam}"
    port = "PORTABLE" in exam or "1 VIEW" in exam
    tech = rng.choice([t for t in sc["tech"] if ("ortable" in t or "Single" in t) == port] or sc["tech"])
    comp = rng.choice(["None.", "None available.", f"{_date(rng)}.", f"Chest x-ray {_date(rng)}.",
                       f"Prior chest radiograph dated {_date(rng)}.", "None.",
                       f"CT chest {_date(rng)} and radiograph {_date(rng)}."])
    if scen in ("port", "pna", "chf") and rng.random() < 0.6:
        comp = rng.choice(["Yesterday.", f"{_date(rng)} portable chest.", "Prior study from yesterday.",
                           f"Most recent prior {_date(rng)}."])
    return dict(scen=scen, items=items, exam=exam, history=hist, comparison=comp,
                technique=tech if rng.random() < 0.75 else None, style=rng.randrange(4))


def base_findings(b: dict, rng: random.Random) -> list[str]:
    covered = set()
    for it in b["items"]:
        covered |= it["covers"]
    ab = [it["f"] for it in b["items"]]
    lines = [it for it in b["items"] if it["fam"] == "lines"]
    ab = [it["f"] for it in lines] + [it["f"] for it in b["items"] if it["fam"] != "lines"]
    norm = normal_sentences(covered, rng)
    if b["items"] and "lungs" in covered and rng.random() < 0.3:
        norm = [n for n in norm if "lung" not in n.lower()]
    return ab + norm


def base_impression(b: dict, rng: random.Random) -> list[str]:
    items = b["items"]
    sig = [it for it in items if it["sig"]]
    minor = [it for it in items if not it["sig"]]
    out = [it["imp"] for it in items if it["fam"] == "lines"]
    out += [it["imp"] for it in sig]
    keep_minor = [it["imp"] for it in minor if it["fam"] != "lines" and rng.random() < 0.5]
    if not sig:
        if not items:
            strict = [x for x in NORMAL_IMP_STRICT if not ("2-view" in x and ("1 VIEW" in b["exam"] or "PORTABLE" in b["exam"]))]
            out.append(rng.choice(NORMAL_IMP + strict))
        else:
            out.append(rng.choice(NORMAL_IMP))
    out += keep_minor
    return out


def render_composed(b: dict, findings: list[str] | str | None, impression: list[str] | str | None,
                    rng: random.Random, **over) -> str:
    style = b["style"]
    if isinstance(findings, list):
        findings = " ".join(findings) if style != 2 else "\n".join(findings)
    if isinstance(impression, list):
        impression = number_impression(impression, rng)
    parts = dict(exam=b["exam"], history=b["history"], comparison=b["comparison"], technique=b["technique"],
                 findings=findings, impression=impression, signoff=signoff(rng),
                 hist_header=["CLINICAL HISTORY", "HISTORY", "INDICATION", "CLINICAL INDICATION"][style],
                 imp_header="CONCLUSION" if rng.random() < 0.12 else "IMPRESSION",
                 newline_body=style in (1, 2))
    parts.update(over)
    return render(parts, rng)


# --- composed: clean + each kind

def comp_clean(rng):
    b = compose_base(rng)
    return "", render_composed(b, base_findings(b, rng), base_impression(b, rng), rng)


def comp_missing(rng):
    b = compose_base(rng)
    f = base_findings(b, rng)
    base_impression(b, rng)  # keeps the random stream aligned with the clean composer
    mode = rng.choice(["imp_blank", "imp_blank", "imp_absent", "imp_absent", "find_blank", "find_absent"])
    if mode == "imp_blank":
        return "IMPRESSION left empty after findings were dictated", render_composed(b, f, "", rng)
    if mode == "imp_absent":
        return "IMPRESSION section missing; report ends after findings", render_composed(b, f, None, rng)
    ref = rng.choice(["No significant interval change.", "Stable.", "See above.", "Unchanged from prior.",
                      "As above.", "No change since prior exam.", "Findings as above."])
    if mode == "find_blank":
        return "FINDINGS left empty; impression only refers to them", render_composed(b, "", ref, rng)
    return "FINDINGS section missing; impression only refers to prior/above", render_composed(b, None, ref, rng)


def _flip(s: str) -> str:
    return re.sub(r"\b(left|right|Left|Right)\b",
                  lambda m: {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}[m.group(1)], s)


def comp_laterality(rng):
    b = compose_base(rng, need_side=True)
    sided = [it for it in b["items"] if it["side"]]
    it = rng.choice(sided)
    where = rng.choice(["imp", "imp", "imp", "find"])
    f = base_findings(b, rng)
    # make sure the sided item is in the impression
    imp = base_impression(b, rng)
    if it["imp"] not in imp:
        if any(x in NORMAL_IMP + NORMAL_IMP_STRICT for x in imp):
            imp = [x for x in imp if x not in NORMAL_IMP_STRICT]
        imp.append(it["imp"])
    if where == "imp":
        imp = [_flip(x) if x == it["imp"] else x for x in imp]
        det = f"side of {it['fam']} flipped to {_flip(it['side'])} in IMPRESSION (findings: {it['side']})"
    else:
        f = [_flip(x) if x == it["f"] else x for x in f]
        det = f"side of {it['fam']} flipped to {_flip(it['side'])} in FINDINGS (impression: {it['side']})"
    return det, render_composed(b, f, imp, rng)


def comp_negation(rng):
    mode = rng.choice(["imp_ptx", "imp_eff", "imp_pna", "imp_cardio", "imp_neg_eff", "imp_neg_cardio",
                       "imp_neg_edema", "imp_neg_ptx", "imp_neg_consol"])
    s = _side(rng)
    if mode.startswith("imp_neg"):
        key = {"imp_neg_eff": rng.choice(["small_eff", "mod_eff"]), "imp_neg_cardio": "cardio",
               "imp_neg_edema": "edema", "imp_neg_ptx": "ptx", "imp_neg_consol": "consol"}[mode]
        b = compose_base(rng, want_items=[key])
        it = [x for x in b["items"] if x["fam"] != "lines"][0]
        f = base_findings(b, rng)
        neg = {"effusion": ["No pleural effusion.", "No effusion.", "No pleural effusion or pneumothorax."],
               "cardio": ["Normal heart size.", "Heart size is normal.", "Normal cardiomediastinal silhouette."],
               "edema": ["No pulmonary edema.", "No evidence of CHF.", "No edema."],
               "ptx": ["No pneumothorax.", "No pneumothorax identified."],
               "consol": ["Clear lungs.", "No pneumonia.", "No focal consolidation."]}[it["fam"]]
        imp = [rng.choice(NORMAL_IMP), rng.choice(neg)] if rng.random() < 0.5 else [rng.choice(neg)]
        if rng.random() < 0.5 and len(imp) == 1:
            imp.append(rng.choice(NORMAL_IMP))
        return f"IMPRESSION negates the {it['fam']} that FINDINGS describes", render_composed(b, f, imp, rng)
    b = compose_base(rng, want_items=[])
    if mode == "imp_ptx":
        f = [rng.choice(NORM["heart"]), rng.choice(NORM["lungs"]), rng.choice(NORM["pleura"])]
        imp = [rng.choice([f"Small {s} apical pneumothorax.", f"Tiny {s} pneumothorax."])]
        det = "IMPRESSION reports a pneumothorax; FINDINGS says none"
    elif mode == "imp_eff":
        f = [rng.choice(NORM["lungs"]), rng.choice(NORM["pleura"] + NORM["effusion"]), rng.choice(NORM["heart"])]
        imp = [rng.choice([f"Small {s} pleural effusion.", f"Moderate {s} pleural effusion.", "Small bilateral effusions."])]
        det = "IMPRESSION reports an effusion; FINDINGS says none"
    elif mode == "imp_pna":
        lobe = rng.choice(["lower lobe", "upper lobe"])
        f = [rng.choice(NORM["heart"]), rng.choice(NORM["lungs"]), rng.choice(NORM["pleura"])]
        imp = [rng.choice([f"{s.capitalize()} {lobe} pneumonia.", f"{s.capitalize()} {lobe} infiltrate."])]
        det = "IMPRESSION reports pneumonia; FINDINGS says the lungs are clear"
    else:
        f = [rng.choice(["The heart size is normal.", "Heart size is within normal limits.", "Normal heart size."]),
             rng.choice(NORM["lungs"]), rng.choice(NORM["pleura"])]
        imp = [rng.choice(["Cardiomegaly.", "Mild cardiomegaly.", "Moderate cardiomegaly."]),
               "No acute pulmonary process."]
        det = "IMPRESSION reports cardiomegaly; FINDINGS says heart size normal"
    if rng.random() < 0.4:
        f.append(rng.choice(NORM["bones"]))
    for x in b["items"]:
        if x["fam"] == "lines":
            f.insert(0, x["f"])
            imp.insert(0, x["imp"].replace(" No pneumothorax.", ""))
    return det, render_composed(b, f, imp, rng)


def comp_omits(rng):
    b = compose_base(rng, need_sig=True)
    sig = [it for it in b["items"] if it["sig"]]
    f = base_findings(b, rng)
    mode = rng.random()
    if mode < 0.55:
        imp = [rng.choice(NORMAL_IMP)]
        if rng.random() < 0.3:
            imp = [rng.choice(["Stable chest.", "No acute change.", "No significant change from prior."])]
        det = "IMPRESSION replaced by a normal statement; " + ", ".join(it["fam"] for it in sig) + " not mentioned"
    else:
        others = [it["imp"] for it in b["items"] if not it["sig"]]
        imp = others + ([rng.choice(NORMAL_IMP)] if rng.random() < 0.5 or not others else [])
        det = "IMPRESSION lists minor items only; " + ", ".join(it["fam"] for it in sig) + " omitted"
    return det, render_composed(b, f, imp, rng)


PH_TOKENS = ["[***]", "***", "[ ]", "[  ]", "[***]", "***"]


def comp_placeholder(rng):
    b = compose_base(rng)
    f = base_findings(b, rng)
    imp = base_impression(b, rng)
    mode = rng.choice(["comparison", "history", "nodule", "side", "struct", "word", "lines"])
    if mode == "lines" and b["scen"] not in ("port", "chf", "postop_gs"):
        b = compose_base(rng)
        b = dict(b, scen="port", exam=rng.choice(SCEN["port"]["exams"]), history=rng.choice(SCEN["port"]["hist"]),
                 technique=rng.choice(SCEN["port"]["tech"]))
        f = base_findings(b, rng)
        imp = base_impression(b, rng)
    if mode == "lines":
        imp = [rng.choice(NORMAL_IMP) if x in NORMAL_IMP_STRICT else x for x in imp]
    over = {}
    if mode == "comparison":
        over["comparison"] = rng.choice(["[***]", "***", "[ ]", "[DATE]", "[comparison]"])
        det = "COMPARISON field left unfilled"
    elif mode == "history":
        over["history"] = rng.choice(["[***]", "***", "[ ]", "[reason for exam]"])
        det = "history field left unfilled"
    elif mode == "nodule":
        side = _side(rng)
        tok = rng.choice(["[***]", "***", "[ ]"])
        f.insert(0, f"There is a {tok} mm nodule in the {side} upper lobe.")
        imp = [x for x in imp if x not in NORMAL_IMP + NORMAL_IMP_STRICT] + [
            f"{side.capitalize()} upper lobe nodule. Recommend CT chest for further characterization."]
        det = "nodule size field left unfilled"
    elif mode == "side":
        it = make_item(rng.choice(["small_eff", "atelect", "granuloma"]), rng)
        while not it["side"]:
            it = make_item(rng.choice(["small_eff", "atelect", "granuloma"]), rng)
        b2 = dict(b)
        b2["items"] = [it]
        f = base_findings(b2, rng)
        tok = rng.choice(["[left/right]", "[right/left]", "[***]"])
        f = [x.replace(it["side"], tok, 1) if x == it["f"] else x for x in f]
        imp = [rng.choice(NORMAL_IMP)]
        det = "side pick-list left unfilled in FINDINGS"
    elif mode == "struct":
        tok = rng.choice(PH_TOKENS)
        heads = [("Lines/tubes", "None."), ("Lungs", "Clear."), ("Pleura", "No effusion or pneumothorax."),
                 ("Heart/mediastinum", "Normal size and contour."), ("Bones/soft tissues", "No acute abnormality.")]
        k = rng.randrange(len(heads))
        f = [f"{h}: {tok if j == k else v}" for j, (h, v) in enumerate(heads)]
        b = dict(b, items=[], style=2)
        imp = [rng.choice(NORMAL_IMP)]
        det = f"structured template field '{heads[k][0]}' left unfilled"
    elif mode == "lines":
        tok = rng.choice(["[***]", "***", "[ ]"])
        hit = [k for k, x in enumerate(f) if re.search(r"tip (?:in|at) the [\w ]+\.|tip \d cm above", x)]
        if hit:
            k = hit[0]
            f[k] = re.sub(r"(tip (?:in|at) the )[\w ]+\.|(tip )\d( cm above)",
                          lambda m: (m.group(1) + tok + ".") if m.group(1) else (m.group(2) + tok + m.group(3)), f[k], count=1)
            imp = [x for x in imp if "tip" not in x and "tube" not in x] or [rng.choice(NORMAL_IMP)]
            return "line/tube position field left unfilled", render_composed(b, f, imp, rng, **over)
        f.insert(0, rng.choice([f"Right IJ central venous catheter with tip in the {tok}.",
                                f"PICC tip projects over the {tok}.",
                                f"Endotracheal tube tip {tok} cm above the carina."]))
        det = "line/tube position field left unfilled"
    else:
        tok = rng.choice(PH_TOKENS)
        cands = [i for i, x in enumerate(f) if len(x.split()) >= 4]
        i = rng.choice(cands) if cands else 0
        words = f[i].split()
        j = rng.randrange(1, len(words))
        words[j] = tok + ("." if words[j].endswith(".") else "")
        f[i] = " ".join(words)
        det = "a word in FINDINGS replaced by an unfilled dictation field"
    return det, render_composed(b, f, imp, rng, **over)


COMPOSERS = {None: comp_clean, "missing_section": comp_missing, "laterality_conflict": comp_laterality,
             "negation_conflict": comp_negation, "impression_omits_finding": comp_omits,
             "placeholder": comp_placeholder}


# ---------------------------------------------------------------- real reports

def _tidy(s: str) -> str:
    s = re.sub(r"\.\s*\.", ".", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = s.replace("cardio mediastinal", "cardiomediastinal").replace("Cardio mediastinal", "Cardiomediastinal")
    return s


REWORD = [
    (r"No acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
    (r"No active disease", "No acute cardiopulmonary disease"),
    (r"\bNo evidence of pneumothorax\b", "No pneumothorax"),
    (r"\bThere is no evidence of pneumothorax\b", "No pneumothorax"),
    (r"\bwithin normal limits\b", "within normal limits"),
    (r"\bPA and lateral\b", "PA and lateral"),
]


def real_parts(rec: dict, rng: random.Random) -> dict:
    f = _tidy(rec.get("findings", ""))
    i = _tidy(rec.get("impression", ""))
    if rng.random() < 0.5:
        for a, bb in REWORD:
            f = re.sub(a, bb, f)
            i = re.sub(a, bb, i)
    dd = []
    for x in sentences(i):
        if not dd or x.lower() != dd[-1].lower():
            dd.append(x)
    i = " ".join(dd)
    comp = _tidy(rec.get("comparison", "")) or "None."
    hist = _tidy(rec.get("indication", "")) or rng.choice(["Cough.", "Chest pain.", "Shortness of breath.", "Pre-op."])
    views = "PA and lateral views of the chest." if rng.random() < 0.8 else "Frontal and lateral views of the chest."
    exam = rng.choice(["XR CHEST 2 VIEWS", "EXAM: XR CHEST PA AND LATERAL", "CHEST PA AND LATERAL",
                       "EXAM: CHEST 2 VIEWS", "XR CHEST PA/LAT"])
    style = rng.randrange(4)
    if re.match(r"^\s*1\.", i) or re.search(r"\s2\.\s", i):
        i = re.sub(r"\s+(?=\d\.\s)", "\n", i)
    return dict(exam=exam, history=hist, comparison=comp, technique=views if rng.random() < 0.7 else None,
                findings=f, impression=i, signoff=signoff(rng),
                hist_header=["CLINICAL HISTORY", "HISTORY", "INDICATION", "REASON FOR EXAM"][style],
                imp_header="CONCLUSION" if rng.random() < 0.1 else "IMPRESSION",
                newline_body=style in (1, 2))


def real_omit_cands(rec: dict) -> list[tuple[str, str]]:
    """(family, sentence) for a clearly affirmed significant finding also in the impression."""
    out = []
    i = rec.get("impression", "")
    for s in sentences(rec.get("findings", "")):
        for fam in ("ptx", "consol", "edema", "effusion", "mass", "freeair", "widen"):
            m = re.search(FAM[fam], s, re.I)
            if not m or NEG_CUE.search(s) or HEDGE.search(s):
                continue
            if "neg" in fam_status(rec.get("findings", "")).get(fam, set()):
                continue
            if fam == "effusion" and not re.search(r"moderate|large", s, re.I):
                continue
            if fam == "mass" and re.search(r"artifact|stable|unchanged|prior|previous|may be|nipple|granulom|calcif",
                                           rec.get("findings", ""), re.I):
                continue
            if fam == "mass" and not re.search(r"\bmass\b|\b(?:[6-9]|[1-9]\d)\s?(?:mm)\b|\d(?:\.\d)?\s?cm", s, re.I):
                continue
            if re.search(FAM[fam], i, re.I):
                out.append((fam, s))
    return out


def real_lat_cands(rec: dict) -> list[tuple[str, str]]:
    f, i = rec.get("findings", ""), rec.get("impression", "")
    out = []
    for fam in ("consol", "effusion", "ptx", "atelect", "opacity", "mass", "granuloma", "fracture", "scar"):
        sf, si = sides_for(f, fam), sides_for(i, fam)
        if len(sf) == 1 and sf == si:
            out.append((fam, next(iter(sf))))
    return out


def _flip_sentence(text: str, fam: str, rng: random.Random) -> tuple[str, str] | None:
    ss = sentences(text)
    idx = [k for k, s in enumerate(ss) if re.search(FAM[fam], s, re.I) and SIDE.search(s)]
    if not idx:
        return None
    k = rng.choice(idx)
    old = ss[k]
    ss[k] = _flip(old)
    return " ".join(ss), old


def real_neg_kinds(f: str) -> list[str]:
    out = []
    if re.search(r"\bno (?:evidence of )?(?:a )?pneumothora|without pneumothora|or pneumothora", f, re.I):
        out.append("ptx")
    if re.search(r"\bno (?:\w+ )?(?:pleural )?effusion|or (?:pleural )?effusion|without (?:pleural )?effusion", f, re.I) \
            and not re.search(r"(?:large|significant|sizable|definite|sizeable|moderate)\s+(?:\w+\s+)?effusion", f, re.I):
        out.append("eff")
    if clear_lungs(f) or re.search(r"no (?:focal )?(?:airspace )?(?:consolidation|infiltrate|airspace disease)", f, re.I):
        out.append("pna")
    if normal_heart(f):
        out.append("cardio")
    return out


def real_case(kind, rec, rng):
    p = real_parts(rec, rng)
    if kind is None:
        return "", render(p, rng)
    if kind == "missing_section":
        if rng.random() < 0.55:
            p["impression"] = ""
            det = "IMPRESSION emptied"
        else:
            p["impression"] = None
            det = "IMPRESSION section removed"
        return det, render(p, rng)
    if kind == "impression_omits_finding":
        fam, sent = rng.choice(real_omit_cands(rec))
        p["impression"] = rng.choice(NORMAL_IMP)
        return f"IMPRESSION replaced by normal statement; findings affirm {fam}: '{sent}'", render(p, rng)
    if kind == "laterality_conflict":
        fam, side = rng.choice(real_lat_cands(rec))
        where = "impression" if rng.random() < 0.65 else "findings"
        r = _flip_sentence(p[where], fam, rng)
        if r is None:
            where = "findings" if where == "impression" else "impression"
            r = _flip_sentence(p[where], fam, rng)
        p[where] = r[0]
        return f"{fam} side flipped from {side} in {where.upper()}: '{r[1]}'", render(p, rng)
    if kind == "negation_conflict":
        s = _side(rng)
        opts = []
        for what in real_neg_kinds(p["findings"]):
            if what == "ptx":
                opts.append((f"Small {s} apical pneumothorax.", "pneumothorax asserted; findings negate it"))
            elif what == "eff":
                opts.append((rng.choice([f"Small {s} pleural effusion.", "Small bilateral pleural effusions."]),
                             "effusion asserted; findings negate it"))
            elif what == "pna":
                opts.append((rng.choice([f"{s.capitalize()} lower lobe pneumonia.", f"{s.capitalize()} lower lobe consolidation.",
                                         f"{s.capitalize()} upper lobe pneumonia."]),
                             "pneumonia asserted; findings say lungs clear / no consolidation"))
            else:
                opts.append((rng.choice(["Mild cardiomegaly.", "Cardiomegaly."]),
                             "cardiomegaly asserted; findings say heart size normal"))
        imp, why = rng.choice(opts)
        if rng.random() < 0.4:
            imp = imp + " Otherwise no acute process."
        p["impression"] = imp
        return f"IMPRESSION rewritten: {why}", render(p, rng)
    if kind == "placeholder":
        tok = rng.choice(PH_TOKENS + ["[left/right]"])
        where = rng.choice(["findings", "findings", "impression", "comparison"])
        txt = p[where] or ""
        if tok == "[left/right]":
            if SIDE.search(p["findings"]):
                where = "findings"
                p[where] = SIDE.sub(tok, p["findings"], count=1)
                return f"side in FINDINGS replaced by pick-list {tok}", render(p, rng)
            tok = "[***]"
        if where == "comparison":
            p["comparison"] = rng.choice(["[***]", "***", "[ ]", "[DATE]"])
            return "COMPARISON replaced by unfilled field", render(p, rng)
        words = txt.split()
        cands = [k for k, w in enumerate(words) if re.fullmatch(r"[A-Za-z-]{4,}[.,]?", w) and "XXXX" not in w]
        if len(cands) < 2:
            where = "findings"
            words = p["findings"].split()
            cands = [k for k, w in enumerate(words) if re.fullmatch(r"[A-Za-z-]{4,}[.,]?", w)]
        k = rng.choice(cands)
        old = words[k]
        words[k] = tok + (old[-1] if old[-1] in ".," else "")
        p[where] = " ".join(words)
        return f"'{old.rstrip('.,')}' in {where.upper()} replaced by {tok}", render(p, rng)
    raise ValueError(kind)


def real_ok(kind, rec) -> bool:
    if kind is None or kind == "missing_section" or kind == "placeholder":
        return is_clean_real(rec)
    if kind == "impression_omits_finding":
        f, i = rec.get("findings", ""), rec.get("impression", "")
        if len(f) < 25 or len(i) < 5 or re.search(r"\[|___", f):
            return False
        return bool(real_omit_cands(rec))
    if kind == "laterality_conflict":
        return is_clean_real(rec) and bool(real_lat_cands(rec))
    if kind == "negation_conflict":
        if not is_clean_real(rec):
            return False
        fs = fam_status(rec.get("findings", ""))
        if any("aff" in fs.get(k, set()) for k in ("consol", "effusion", "ptx", "cardio", "edema", "mass")):
            return False
        return bool(real_neg_kinds(real_parts(rec, random.Random(0))["findings"]))
    return False


# ---------------------------------------------------------------- build

def build(seed: int) -> list[dict]:
    """The 400 rows for a seed: id, injected, detail, report."""
    return [{k: r[k] for k in ("id", "injected", "detail", "report")} for r in build_with_sources(seed)]


def build_with_sources(seed: int) -> list[dict]:
    """As build(), plus 'source': 'iu:<uid>' or 'bank'."""
    shared = shared_dir()
    dev = dev_uids(shared)
    recs = [r for r in load_iu(shared) if r["uid"] not in dev]
    rng = random.Random(f"h110-{seed}")
    used: set[str] = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    # real reports: rarer kinds first so the common pools do not eat them
    order = ["impression_omits_finding", "laterality_conflict", "negation_conflict", None,
             "missing_section", "placeholder"]
    counts = dict(plan)
    real_rows = {}
    shuffled = recs[:]
    rng.shuffle(shuffled)
    for kind in order:
        n = counts[kind] // 2
        got = []
        for rec in shuffled:
            if len(got) == n:
                break
            if rec["uid"] in used or not real_ok(kind, rec):
                continue
            used.add(rec["uid"])
            det, text = real_case(kind, rec, rng)
            got.append(dict(injected=kind, detail=det, report=text, source=f"iu:{rec['uid']}"))
        if len(got) < n:
            raise RuntimeError(f"not enough real reports for {kind}: {len(got)}/{n}")
        real_rows[kind] = got
    for kind, n in plan:
        rows.extend(real_rows[kind])
        seen = set()
        k = 0
        while k < n - n // 2:
            det, text = COMPOSERS[kind](rng)
            if text in seen:
                continue
            seen.add(text)
            rows.append(dict(injected=kind, detail=det, report=text, source="bank"))
            k += 1
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h110-{seed}-{n}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"], "source": r["source"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build_with_sources(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            row = {k: r[k] for k in ("id", "injected", "detail", "report")}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['source']} :: {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
