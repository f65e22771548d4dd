"""Held-out report-check set 84, written blind (without reading the checker).

Setting: Canadian academic tertiary hospitals reporting in English (Toronto, Vancouver, Calgary,
Halifax, Montreal/McGill): emergency department, inpatient wards, ICU portables and respirology
clinics, dictated by staff radiologists and fellows with Canadian spellings (centre, favour,
calibre, tumour, grey) and layouts (exam line, clinical history / reason for exam, comparison,
technique, findings, impression / conclusion / opinion, dictated-by and electronically-signed lines).

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of each group is composed from a phrase bank; half are
real IU (Open-i) reports, never one whose uid is in the dev set, re-laid-out in the setting's style.

    python -m bench.make_heldout84 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
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


# ---------------------------------------------------------------- real IU reports
_IU_CACHE: dict[str, list[dict]] = {}


def load_dev_uids() -> set[str]:
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    out = set()
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.add(json.loads(line).get("uid", ""))
    return out


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = load_dev_uids()
    rows = []
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find(".//uId")
            uid = uid_el.get("id") if uid_el is not None else ""
            if not uid or uid in dev:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[(a.get("Label") or "").lower()] = (a.text or "").strip()
            major = [(e.text or "").strip().lower() for e in root.iter("major")]
            rows.append({"uid": uid, "findings": sec.get("findings", ""),
                         "impression": sec.get("impression", ""),
                         "indication": sec.get("indication", ""),
                         "comparison": sec.get("comparison", ""),
                         "normal": major == ["normal"]})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


SPELL = [(r"\bcenter", "centre"), (r"\bCenter", "Centre"), (r"\bfavor", "favour"),
         (r"\bFavor", "Favour"), (r"\btumor", "tumour"), (r"\bcaliber\b", "calibre"),
         (r"\bgray\b", "grey"), (r"\bcolor", "colour"), (r"\bcentered\b", "centred"),
         (r"\bmillimeter", "millimetre"), (r"\bcentimeter", "centimetre")]
REWORD = [(r"[Nn]o acute cardiopulmonary abnormality", "No acute cardiopulmonary process"),
          (r"[Nn]o acute cardiopulmonary disease", "No acute cardiopulmonary findings"),
          (r"[Cc]ardiomediastinal silhouette", "Cardiomediastinal contour"),
          (r"[Nn]o active disease", "No active cardiopulmonary disease"),
          (r"\bx-XXXX\b", "x-ray")]


def canadianize(text: str, rng: random.Random, reword: bool = True) -> str:
    t = re.sub(r"\.\.+", ".", text)
    t = re.sub(r"\s+", " ", t).strip()
    for a, b in SPELL:
        t = re.sub(a, b, t)
    if reword:
        for a, b in REWORD:
            if rng.random() < 0.6:
                t = re.sub(a, b, t)
    return t


NEG_CUE = re.compile(r"\b(no|not|without|negative|resolved|resolution|clear|free|absent|"
                     r"may|might|possible|possibly|cannot|can't|versus|vs|question|questionable|"
                     r"suspected|suggest|suggests|concern|consider|could|likely|prior|previous|"
                     r"previously|stable|unchanged|chronic|old|improved|improving|decreased|"
                     r"small|trace|tiny|minimal|mild|borderline|exclude|excluded|rule|if|or)\b",
                     re.I)
SIG = {
    "pneumothorax": re.compile(r"\bpneumothora(x|ces)\b", re.I),
    "consolidation": re.compile(r"\b(consolidation|pneumonia|airspace (disease|opacit\w+))\b", re.I),
    "edema": re.compile(r"\b(pulmonary (o)?edema|interstitial (o)?edema|vascular congestion|"
                        r"congestive heart failure)\b", re.I),
    "effusion": re.compile(r"\b(moderate|large)\b[^.]*\beffusions?\b", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
}
IMP_WORDS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|airspace|infiltrat|opacit|infection",
    "edema": r"edema|congest|failure|chf|fluid",
    "effusion": r"effusion",
    "mass": r"mass|lesion|neoplas|malignan|tumou?r|ct",
}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def affirmed_sig(findings: str) -> list[tuple[str, str]]:
    """Significant findings affirmed plainly (no hedge, no negation) in a findings text."""
    out = []
    for s in sentences(findings):
        for k, rx in SIG.items():
            if rx.search(s) and not NEG_CUE.search(s):
                out.append((k, s))
    return out


def sides(text: str) -> set[str]:
    return {m.lower() for m in re.findall(r"\b(right|left)\b", text, re.I)}


HEART_NORMAL = r"heart size (is )?(within )?normal|normal heart size|heart is normal"
NORMAL_IMP = re.compile(r"^(\d\.\s*)?(no (acute|active)|normal|negative|unremarkable|clear)", re.I)


def real_clean_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if len(f) < 40 or len(i) < 8 or len(f) > 900:
        return False
    if re.search(r"\[|\]|\*\*|_", f + i):
        return False
    for k, _ in affirmed_sig(f):
        if not re.search(IMP_WORDS[k], i, re.I):
            return False
    if not sides(i) <= sides(f):
        return False
    for term in (r"effusion", r"pneumothora", r"consolidat|pneumonia|infiltrat|airspace",
                 r"cardiomegaly|heart (size )?(is )?(mildly |moderately )?enlarged|enlarged heart"):
        for s in sentences(i):
            if re.search(term, s, re.I) and not re.search(r"\b(no|without|negative|resolved|clear)\b", s, re.I):
                if re.search(r"\b(no|without|negative for)\b[^.]*(" + term + ")", f, re.I) or \
                        (term.startswith("cardio") and re.search(HEART_NORMAL, f, re.I)) or \
                        (term.startswith("consol") and re.search(r"lungs are clear", f, re.I)):
                    return False
    return True


# ---------------------------------------------------------------- layout
SITES = [
    ("Toronto General Hospital, UHN", "Joint Department of Medical Imaging"),
    ("Sunnybrook Health Sciences Centre", "Department of Medical Imaging"),
    ("St. Michael's Hospital, Unity Health Toronto", "Medical Imaging"),
    ("Vancouver General Hospital", "Department of Radiology"),
    ("St. Paul's Hospital, Providence Health Care", "Medical Imaging"),
    ("Foothills Medical Centre", "Diagnostic Imaging, Alberta Health Services"),
    ("QEII Health Sciences Centre, Halifax", "Diagnostic Imaging, Nova Scotia Health"),
    ("Montreal General Hospital, MUHC", "Department of Diagnostic Radiology"),
    ("Royal Victoria Hospital, MUHC Glen site", "Diagnostic Radiology"),
]
STAFF = ["Dr. M. Tremblay", "Dr. A. Chen", "Dr. P. Gagnon", "Dr. S. Patel", "Dr. K. MacDonald",
         "Dr. J. Roy", "Dr. L. Singh", "Dr. R. Wong", "Dr. H. Fraser", "Dr. D. Bouchard",
         "Dr. E. Campbell", "Dr. N. Kaur", "Dr. T. Leblanc", "Dr. C. Murray"]
FELLOWS = ["Dr. F. Okafor (Fellow)", "Dr. Y. Nakamura, Thoracic Imaging Fellow",
           "Dr. G. Rossi, Clinical Fellow", "Dr. B. Haddad (Fellow)", "Dr. I. Kowalski, R5"]

SETTINGS = {
    "ed": {"exam": ["XR CHEST PA AND LATERAL", "CHEST 2 VIEWS", "XR Chest PA/Lat",
                    "CHEST PA + LAT (ED)", "X-RAY CHEST 2V"],
           "hist": ["Shortness of breath.", "Cough and fever x 3 days. ? pneumonia.",
                    "Chest pain, rule out pneumothorax.", "Fall, left-sided chest wall pain.",
                    "SOB, ? CHF.", "Pleuritic chest pain.", "Fever NYD.", "MVC, chest pain.",
                    "Hemoptysis.", "Syncope. Query aspiration.", "Dyspnea on exertion."]},
    "ward": {"exam": ["XR CHEST PA AND LATERAL", "CHEST PA/LATERAL", "XR CHEST 1 VIEW",
                      "CHEST AP ERECT (WARD)"],
             "hist": ["Post-op day 2, desaturation.", "Admitted with pneumonia, follow-up.",
                      "Fever, ? aspiration.", "CHF, on diuretics.", "Pre-op assessment.",
                      "Increasing oxygen requirement.", "Post chest tube removal.",
                      "Confusion, fever."]},
    "icu": {"exam": ["XR CHEST PORTABLE AP", "CHEST 1 VIEW PORTABLE (ICU)",
                     "PORTABLE CHEST AP SUPINE", "XR CHEST AP PORTABLE - ICU"],
            "hist": ["Intubated. Line placement.", "ETT position.", "Post CVC insertion.",
                     "Hypoxia, ventilated.", "Septic shock.", "NG tube placement.",
                     "Post-op cardiac surgery."]},
    "clinic": {"exam": ["XR CHEST PA AND LATERAL", "CHEST 2 VIEWS (RESPIROLOGY)",
                        "XR CHEST PA/LAT - OUTPATIENT"],
               "hist": ["COPD, follow-up.", "Chronic cough.", "Sarcoidosis, follow-up.",
                        "Nodule follow-up.", "Asthma, worsening symptoms.",
                        "Former smoker, dyspnea.", "ILD clinic."]},
}
HIST_HDR = ["CLINICAL HISTORY:", "HISTORY:", "REASON FOR EXAM:", "CLINICAL INFORMATION:",
            "Clinical history:", "INDICATION:"]
IMP_HDR = ["IMPRESSION:", "IMPRESSION:", "IMPRESSION:", "CONCLUSION:", "OPINION:",
           "Impression:", "INTERPRETATION:"]
FIND_HDR = ["FINDINGS:", "FINDINGS:", "FINDINGS:", "Findings:", "REPORT:"]


def technique(setting: str, rng: random.Random) -> str:
    if setting == "icu":
        return rng.choice(["Single portable AP view.", "Portable AP supine radiograph.",
                           "Single frontal view, portable, semi-erect."])
    return rng.choice(["PA and lateral views.", "Frontal and lateral views of the chest.",
                       "2 views.", "PA and lateral radiographs of the chest."])


def comparison(setting: str, rng: random.Random) -> str:
    x = rng.random()
    if x < 0.3:
        return "None."
    if x < 0.4:
        return "None available."
    mo, d = rng.randint(1, 12), rng.randint(1, 28)
    y = rng.choice([2023, 2024, 2025, 2026])
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    date = rng.choice([f"{y}-{mo:02d}-{d:02d}", f"{d} {months[mo - 1]} {y}"])
    if setting == "icu":
        return rng.choice([f"Portable radiograph {date}.", f"{date}, earlier today.", "Yesterday."])
    return rng.choice([f"{date}.", f"Chest radiograph {date}.", f"PA/lateral {date}."])


def signoff(rng: random.Random) -> str:
    staff = rng.choice(STAFF)
    t = f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}"
    x = rng.random()
    if x < 0.35:
        return (f"Dictated by: {rng.choice(FELLOWS)}\n"
                f"Reviewed and electronically signed by: {staff}, MD, FRCPC")
    if x < 0.6:
        day = f"{rng.choice(['2026-02-', '2026-03-'])}{rng.randint(10, 28)}"
        return f"Electronically signed by {staff}, FRCPC on {day} {t}"
    if x < 0.8:
        return f"{staff}\nStaff Radiologist\nD: {t}  T: {t}"
    return f"Signed: {staff}, MD FRCPC"


def layout(parts: dict, rng: random.Random, setting: str) -> str:
    """parts: hist, comp, findings (None=omit section), impression (None=omit), flags."""
    site, dept = rng.choice(SITES)
    lines = []
    if rng.random() < 0.35:
        lines.append(f"{site} - {dept}")
    exam = rng.choice(SETTINGS[setting]["exam"])
    lines.append(f"EXAM: {exam}" if rng.random() < 0.6 else f"EXAMINATION: {exam}")
    lines.append("")
    lines.append(f"{rng.choice(HIST_HDR)} {parts['hist']}")
    lines.append("")
    lines.append(f"COMPARISON: {parts['comp']}")
    if rng.random() < 0.45:
        lines.append("")
        one = re.search(r"1 VIEW|PORTABLE|AP ERECT", exam, re.I)
        lines.append(f"TECHNIQUE: {technique('icu' if one else setting, rng)}")
    fh = parts.get("find_hdr") or rng.choice(FIND_HDR)
    if parts["findings"] is not None:
        lines.append("")
        sep = "\n" if rng.random() < 0.3 else " "
        lines.append(f"{fh}{sep}{parts['findings']}".rstrip())
    if parts["impression"] is not None:
        lines.append("")
        ih = parts.get("imp_hdr") or rng.choice(IMP_HDR)
        lines.append(f"{ih}{'' if not parts['impression'] else chr(10) if rng.random() < 0.4 else ' '}"
                     f"{parts['impression']}".rstrip())
    if parts.get("comm"):
        lines.append("")
        lines.append(parts["comm"])
    lines.append("")
    lines.append(parts.get("sign") or signoff(rng))
    return "\n".join(lines)


def number_impression(items: list[str], rng: random.Random) -> str:
    if len(items) == 1 or rng.random() < 0.35:
        return " ".join(items)
    return "\n".join(f"{n}. {s}" for n, s in enumerate(items, 1))


# ---------------------------------------------------------------- phrase bank
def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


NORMAL_LUNG = ["The lungs are clear.", "Lungs are clear bilaterally.",
               "No focal airspace consolidation.", "The lungs are well expanded and clear.",
               "No consolidation, pleural effusion or pneumothorax.",
               "Clear lungs. No pleural effusion or pneumothorax."]
NORMAL_PLEURA = ["No pleural effusion or pneumothorax.", "No pneumothorax or effusion.",
                 "Costophrenic angles are sharp.", "No pleural abnormality."]
NORMAL_HEART = ["Heart size is normal.", "Cardiomediastinal contours are within normal limits.",
                "Normal cardiomediastinal silhouette.", "The heart is not enlarged.",
                "Heart and mediastinum are normal in size and contour."]
NORMAL_BONE = ["No acute osseous abnormality.", "Visualized bones are unremarkable.",
               "Osseous structures are intact.", "No acute bony injury.", ""]
NORMAL_IMPS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary findings.",
               "Normal chest radiograph.", "No active disease in the chest.",
               "Normal study.", "No acute disease.", "No radiographic evidence of acute disease."]
INCIDENTAL = [
    ("A calcified granuloma is noted in the {side} upper zone.", "Calcified granuloma, {side} upper zone, benign."),
    ("Mild degenerative changes of the thoracic spine.", "Degenerative thoracic spine."),
    ("Healed {side} posterior rib fractures.", "Old healed {side} rib fractures."),
    ("The thoracic aorta is mildly unfolded.", "Unfolded thoracic aorta."),
    ("Heart size is at the upper limit of normal, unchanged.", "Borderline heart size, stable."),
    ("Mild cardiomegaly, stable compared with prior.", "Stable mild cardiomegaly."),
    ("Blunting of the {side} costophrenic angle, likely a trace effusion or pleural thickening.",
     "Trace {side} pleural effusion or thickening."),
    ("The lungs are hyperinflated with flattening of the hemidiaphragms, in keeping with COPD.",
     "Hyperinflation in keeping with known COPD. No acute process."),
    ("Linear atelectasis / scarring at the {side} base.", "Minor {side} basal scarring."),
    ("Median sternotomy wires are intact.", "Post-sternotomy. No acute findings."),
    ("Surgical clips in the right upper quadrant.", "Cholecystectomy clips incidentally noted."),
    ("Left chest wall dual-chamber pacemaker with leads in expected position.",
     "Pacemaker in situ. No acute process."),
]
LOBES = ["upper lobe", "lower lobe", "lower lobe", "lower lobe"]


def sig_finding(kind: str, side: str, rng: random.Random) -> dict:
    S = cap(side)
    if kind == "consolidation":
        lobe = rng.choice(LOBES)
        f = rng.choice([f"There is airspace consolidation in the {side} {lobe} with air bronchograms.",
                        f"New patchy consolidation in the {side} {lobe}.",
                        f"Focal airspace opacity in the {side} {lobe}, in keeping with consolidation."])
        i = rng.choice([f"{S} {lobe} pneumonia.",
                        f"{S} {lobe} consolidation, in keeping with pneumonia in the appropriate clinical setting.",
                        f"{S} {lobe} airspace disease, favour pneumonia. Follow-up radiograph in 6-8 weeks "
                        "recommended to document resolution."])
        return {"f": f, "i": i, "word": "consolidation", "lat": True}
    if kind == "effusion":
        sz = rng.choice(["moderate", "moderate", "large"])
        f = rng.choice([f"There is a {sz} {side} pleural effusion with adjacent compressive atelectasis.",
                        f"{cap(sz)} {side} pleural effusion, increased from prior.",
                        f"{cap(sz)}-sized {side} pleural effusion layering to the mid zone."])
        i = rng.choice([f"{cap(sz)} {side} pleural effusion.",
                        f"{cap(sz)} {side} pleural effusion with basal atelectasis; "
                        "underlying consolidation not excluded."])
        return {"f": f, "i": i, "word": "pleural effusion", "lat": True}
    if kind == "pneumothorax":
        cm = rng.choice(["1.5", "2", "2.5", "3", "4"])
        v = rng.randrange(3)
        f = [f"There is a {side} apical pneumothorax measuring {cm} cm from apex to cupola. No mediastinal shift.",
             f"{S} pneumothorax with a visible pleural line {cm} cm from the chest wall at the apex.",
             f"Small-to-moderate {side} pneumothorax, new since the prior study."][v]
        i = [f"{S} pneumothorax, {cm} cm at the apex. No tension.",
             f"{S} apical pneumothorax as described.", f"New {side} pneumothorax."][v]
        return {"f": f, "i": i, "word": "pneumothorax", "lat": True,
                "comm": f"Critical result communicated to {rng.choice(STAFF)} by telephone at "
                        f"{rng.randint(8, 21)}:{rng.randint(10, 59)}."}
    if kind == "nodule":
        mm = rng.choice([8, 9, 11, 12, 14, 18])
        zone = rng.choice(["upper zone", "mid zone", "lower zone"])
        f = rng.choice([f"A {mm} mm nodule projects over the {side} {zone}.",
                        f"New {mm} mm rounded nodular opacity in the {side} {zone}."])
        i = rng.choice([f"{mm} mm {side} {zone} nodule. CT chest recommended for further characterization.",
                        f"{S} {zone} pulmonary nodule ({mm} mm); recommend CT chest."])
        return {"f": f, "i": i, "word": "nodule", "lat": True}
    if kind == "mass":
        v = rng.randrange(2)
        f = [f"There is a 4 cm lobulated mass in the {side} hilar region.",
             f"A 3.5 cm mass projects over the {side} upper lobe."][v]
        i = [f"{S} hilar mass, suspicious for neoplasm. CT chest with contrast recommended.",
             f"{S} upper lobe mass. Further assessment with CT is advised."][v]
        return {"f": f, "i": i, "word": "mass", "lat": True}
    if kind == "edema":
        f = rng.choice(["Cardiomegaly with pulmonary vascular redistribution, interstitial edema and small "
                        "bilateral effusions.",
                        "Increased interstitial markings with Kerley B lines and peribronchial cuffing, in keeping "
                        "with interstitial edema.",
                        "Perihilar airspace opacities and vascular congestion, consistent with pulmonary edema."])
        i = rng.choice(["Congestive heart failure with interstitial pulmonary edema.",
                        "Pulmonary edema.", "Findings in keeping with CHF."])
        return {"f": f, "i": i, "word": "edema", "lat": False}
    if kind == "freeair":
        f = "Free subdiaphragmatic air is seen under the right hemidiaphragm."
        i = "Pneumoperitoneum. Findings communicated to the ED physician."
        return {"f": f, "i": i, "word": "free air", "lat": False}
    raise ValueError(kind)


ICU_LINES = ["ETT tip is {n} cm above the carina.", "NG tube courses below the diaphragm, tip in the stomach.",
             "Right IJ central venous catheter with tip at the cavoatrial junction.",
             "Left subclavian line tip in the SVC.", "Sternotomy wires and mediastinal drains in place."]


def normal_findings(rng: random.Random) -> list[str]:
    f = [rng.choice(NORMAL_HEART), rng.choice(NORMAL_LUNG)]
    if "effusion" not in f[1] and "pleural" not in f[1]:
        f.append(rng.choice(NORMAL_PLEURA))
    b = rng.choice(NORMAL_BONE)
    if b:
        f.append(b)
    return f


def synth_base(rng: random.Random, want_sig: bool | None = None, want_lat: bool = False) -> dict:
    """Compose a consistent synthetic report; returns parts plus metadata."""
    setting = rng.choices(["ed", "ward", "icu", "clinic"], [40, 25, 20, 15])[0]
    hist = rng.choice(SETTINGS[setting]["hist"])
    fnd: list[str] = []
    imp: list[str] = []
    meta: dict = {"setting": setting, "sig": None}
    if setting == "icu":
        fnd += [s.format(n=rng.choice([3, 4, 5])) for s in rng.sample(ICU_LINES, rng.randint(1, 3))]
        imp.append(rng.choice(["Lines and tubes in satisfactory position.",
                               "Support devices appropriately positioned."]))
    r = rng.random()
    if want_sig is None:
        want_sig = r < 0.2
    if want_sig:
        kinds = ["consolidation", "effusion", "pneumothorax", "nodule", "mass"]
        if not want_lat:
            kinds += ["edema", "edema", "freeair"] if setting != "icu" else ["edema"]
        k = rng.choice(kinds)
        side = rng.choice(["right", "left"])
        sf = sig_finding(k, side, rng)
        meta.update(sig=sf, side=side, kind=k)
        heart = rng.choice(NORMAL_HEART) if k != "edema" else ""
        others = [heart] if heart else []
        if k == "pneumothorax":
            others.append("No pleural effusion.")
        elif k == "effusion":
            others.append(f"No pneumothorax. The {'left' if side == 'right' else 'right'} lung is clear.")
        elif k in ("consolidation", "nodule", "mass"):
            others.append(rng.choice(["No pleural effusion or pneumothorax.", "No pneumothorax."]))
        else:
            others.append("No pneumothorax.")
        fnd += [sf["f"]] + others
        imp.insert(0, sf["i"])
        if sf.get("comm"):
            meta["comm"] = sf["comm"]
    else:
        fnd += normal_findings(rng)
        if r < 0.5:
            inc = rng.choice(INCIDENTAL)
            side = rng.choice(["right", "left"])
            fnd.insert(rng.randint(1, len(fnd)), inc[0].format(side=side))
            if "cardiomegaly" in inc[0] or "upper limit" in inc[0]:
                fnd = [s for s in fnd if s not in NORMAL_HEART]
            if "effusion" in inc[0]:
                fnd = [s.replace("No pleural effusion or pneumothorax.", "No pneumothorax.")
                       .replace("No consolidation, pleural effusion or pneumothorax.",
                                "No consolidation or pneumothorax.")
                       .replace("Clear lungs. No pleural effusion or pneumothorax.", "Clear lungs. No pneumothorax.")
                       .replace("No pneumothorax or effusion.", "No pneumothorax.")
                       for s in fnd if s not in ("Costophrenic angles are sharp.", "No pleural abnormality.")]
            if rng.random() < 0.45:
                imp.insert(0, inc[1].format(side=side))
            else:
                imp.append(rng.choice(NORMAL_IMPS))
        else:
            imp.append(rng.choice(NORMAL_IMPS))
    meta["fnd"] = [s for s in fnd if s]
    meta["imp"] = imp
    meta["hist"] = hist
    meta["comp"] = comparison(setting, rng)
    return meta


def synth_render(meta: dict, rng: random.Random, findings=..., impression=..., **kw) -> str:
    f = " ".join(meta["fnd"]) if findings is ... else findings
    i = number_impression(meta["imp"], rng) if impression is ... else impression
    parts = {"hist": meta["hist"], "comp": meta["comp"], "findings": f, "impression": i,
             "comm": meta.get("comm")}
    parts.update(kw)
    return layout(parts, rng, meta["setting"])


def flip(s: str) -> str:
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b",
                  lambda m: {"right": "left", "left": "right", "Right": "Left", "Left": "Right",
                             "RIGHT": "LEFT", "LEFT": "RIGHT"}[m.group(0)], s)


# ---------------------------------------------------------------- synthetic cases
def synth_clean(rng):
    m = synth_base(rng)
    return synth_render(m, rng), ""


def synth_missing(rng):
    m = synth_base(rng, want_sig=rng.random() < 0.5)
    mode = rng.random()
    if mode < 0.4:
        return synth_render(m, rng, impression=""), "impression header left empty"
    if mode < 0.7:
        return synth_render(m, rng, impression=None), "impression section absent (findings only)"
    imp = rng.choice(["As above.", "See above.", "No change.", "Please see findings."])
    if mode < 0.85:
        return synth_render(m, rng, findings="", impression=imp), f"findings left empty; impression '{imp}'"
    return synth_render(m, rng, findings=None, impression=imp), f"findings section absent; impression '{imp}'"


def synth_laterality(rng):
    m = synth_base(rng, want_sig=True, want_lat=True)
    sf = m["sig"]
    if rng.random() < 0.6:
        imp = [flip(sf["i"])] + m["imp"][1:]
        return synth_render(m, rng, impression=number_impression(imp, rng)), \
            f"{sf['word']} {m['side']} in findings, flipped in impression"
    fnd = [flip(s) if s == sf["f"] else s for s in m["fnd"]]
    fnd = [s.replace(f"The {'left' if m['side'] == 'right' else 'right'} lung is clear.", "") for s in fnd]
    return synth_render(m, rng, findings=" ".join(x for x in fnd if x)), \
        f"{sf['word']} side flipped in findings; impression keeps {m['side']}"


def synth_negation(rng):
    mode = rng.randrange(6)
    side = rng.choice(["right", "left"])
    if mode in (0, 1, 2):
        m = synth_base(rng, want_sig=False)
        m["imp"] = ["Lines and tubes in satisfactory position."] if m["setting"] == "icu" else []
        fnd = [s for s in normal_findings(rng)]
        if mode == 0:
            fnd = [rng.choice(NORMAL_HEART), "The lungs are clear.", "No pleural effusion or pneumothorax."]
            add = rng.choice([f"{cap(side)} lower lobe pneumonia.", f"Patchy {side} basal consolidation."])
            d = "findings say lungs clear; impression asserts consolidation"
        elif mode == 1:
            fnd = ["Heart size is normal.", rng.choice(NORMAL_LUNG)]
            add = rng.choice(["Cardiomegaly. No acute process.",
                              "Moderate cardiomegaly with mild vascular congestion."])
            d = "findings say heart size normal; impression asserts cardiomegaly"
        else:
            fnd = [rng.choice(NORMAL_HEART), "Lungs are clear.", "No pneumothorax or pleural effusion."]
            add = rng.choice([f"Small {side} pleural effusion.", f"Small {side} apical pneumothorax.",
                              "Small bilateral pleural effusions."])
            d = "findings negate effusion/pneumothorax; impression asserts one"
        m["fnd"] = [x for x in m["fnd"] if re.search(r"carina|NG tube|catheter|line tip|drains", x)] + fnd
        return synth_render(m, rng, impression=number_impression([add] + m["imp"], rng)), d
    m = synth_base(rng, want_sig=True, want_lat=True)
    sf = m["sig"]
    neg = {"consolidation": "No focal consolidation.", "pleural effusion": "No pleural effusion.",
           "pneumothorax": "No pneumothorax.", "nodule": "No pulmonary nodule or mass.",
           "mass": "No mass lesion identified."}[sf["word"]]
    imp = [neg + " " + rng.choice(["No acute cardiopulmonary process.", "Otherwise unremarkable."])] + m["imp"][1:]
    m.pop("comm", None)
    return synth_render(m, rng, impression=number_impression(imp, rng)), \
        f"findings affirm {sf['word']}; impression '{neg}'"


OMIT_MACROS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary findings.",
               "Normal chest radiograph.", "No active disease.", "No acute abnormality.",
               "No significant change. No acute findings.", "Unremarkable chest."]


def synth_omits(rng):
    m = synth_base(rng, want_sig=True)
    sf = m["sig"]
    m.pop("comm", None)
    imp = [rng.choice(OMIT_MACROS)] + m["imp"][1:]
    return synth_render(m, rng, impression=number_impression(imp, rng)), \
        f"findings affirm {sf['word']} ({m['kind']}); impression replaced by normal macro"


PH_FIELDS = ["[***]", "***", "[ ]", "[<>]", "<<>>", "{ }", "[...]", "[?]"]


def place_placeholder(text: str, rng: random.Random, real: bool = False) -> tuple[str, str]:
    opts = []
    m = re.search(r"COMPARISON: ([^\n]+)", text)
    if m:
        opts.append("comparison")
    if re.search(r"\b(\d+(\.\d+)?) (mm|cm)\b", text):
        opts.append("size")
    if re.search(r"\b(right|left)\b", text):
        opts.append("side")
    opts += ["sign", "word", "word"]
    which = rng.choice(opts)
    field = rng.choice(PH_FIELDS)
    if which == "comparison":
        named = rng.choice(["[date]", "[Comparison date]", "***", "[***]", "<date>"])
        return text.replace(m.group(0), f"COMPARISON: {named}", 1), f"comparison field left as {named}"
    if which == "size":
        mm = re.search(r"\b(\d+(\.\d+)?) (mm|cm)\b", text)
        named = rng.choice(["[***]", "[size]", "***", "<size>", "[ ]"])
        return text[:mm.start()] + f"{named} {mm.group(3)}" + text[mm.end():], f"measurement left as {named}"
    if which == "side":
        ms = list(re.finditer(r"\b(right|left)\b", text))
        mm = rng.choice(ms)
        named = rng.choice(["[side]", "[right/left]", "***", "[***]", "[ ]"])
        return text[:mm.start()] + named + text[mm.end():], f"side '{mm.group(0)}' left as {named}"
    if which == "sign":
        lines = text.split("\n")
        named = rng.choice(["Dr. [***]", "Dr. ***", "[Radiologist]", "<<Radiologist name>>"])
        for j in range(len(lines) - 1, -1, -1):
            mm = re.search(r"Dr\. [A-Z]\. [A-Za-z]+", lines[j])
            if mm:
                lines[j] = lines[j][:mm.start()] + named + lines[j][mm.end():]
                return "\n".join(lines), f"signing radiologist left as {named}"
    # generic: replace one word in findings/impression
    cand = list(re.finditer(r"\b(normal|clear|small|moderate|mild|stable|unchanged|lower|upper|pleural|heart|"
                            r"lungs|effusion|pneumothorax|acute)\b", text))
    body = text.find("OMPARISON")
    cand = [c for c in cand if c.start() > body] or cand
    if not cand:
        return text.rstrip() + f"\n{field}", f"stray field {field}"
    mm = rng.choice(cand)
    return text[:mm.start()] + field + text[mm.end():], f"word '{mm.group(0)}' replaced by {field}"


def synth_placeholder(rng):
    m = synth_base(rng)
    return place_placeholder(synth_render(m, rng), rng)


# ---------------------------------------------------------------- real cases
def real_parts(r: dict, rng: random.Random) -> dict:
    ind = canadianize(r["indication"], rng) or rng.choice(["Not provided.", "Cough."])
    comp = canadianize(r["comparison"], rng) or "None."
    setting = rng.choices(["ed", "ward", "clinic"], [50, 30, 20])[0]
    return {"hist": ind, "comp": comp, "setting": setting,
            "f": canadianize(r["findings"], rng), "i": canadianize(r["impression"], rng)}


def real_render(p: dict, rng: random.Random, findings=..., impression=...) -> str:
    parts = {"hist": p["hist"], "comp": p["comp"],
             "findings": p["f"] if findings is ... else findings,
             "impression": p["i"] if impression is ... else impression}
    return layout(parts, rng, p["setting"])


_POOLS: dict = {}


def pick_real(pool, used, rng, pred):
    key = (id(pool), pred.__name__)
    if key not in _POOLS:
        _POOLS[key] = [r for r in pool if pred(r)]
    cands = [r for r in _POOLS[key] if r["uid"] not in used]
    r = rng.choice(cands)
    used.add(r["uid"])
    return r


def _clean_normal(r):
    return real_clean_ok(r) and r["normal"]


def _clean_abn(r):
    return real_clean_ok(r) and not r["normal"]


LAT_KEY = re.compile(r"\b(opacit\w*|consolidation|pneumonia|effusion|atelectasis|airspace|"
                     r"infiltrate|nodule|mass|pneumothorax|granuloma|scarring|fracture)\b", re.I)


def lat_sentence(text: str) -> list[str]:
    return [s for s in sentences(text) if re.search(r"\b(right|left)\b", s, re.I) and LAT_KEY.search(s)
            and len(sides(s)) == 1 and not re.search(r"middle lobe|lingul|\bRML\b", s, re.I)]


def real_lat_ok(r):
    f, i = r["findings"], r["impression"]
    if not f or not i:
        return False
    if len(sides(f + " " + i)) != 1:
        return False
    ls_f, ls_i = lat_sentence(f), lat_sentence(i)
    if not ls_f or not ls_i:
        return False
    kf = {m.lower() for s in ls_f for m in LAT_KEY.findall(s)}
    ki = {m.lower() for s in ls_i for m in LAT_KEY.findall(s)}
    air = {"opacity", "opacities", "consolidation", "pneumonia", "airspace", "infiltrate"}
    return bool(kf & ki) or bool(air & kf and air & ki)


NEG_PATTERNS = [
    (re.compile(r"\bno (evidence of )?(a )?pneumothorax\b", re.I), "pneumothorax",
     ["Small {side} apical pneumothorax.", "Tiny {side} pneumothorax."]),
    (re.compile(r"\bno (evidence of )?(a )?(pleural )?effusions?\b|"
                r"\bno (pneumothorax|focal consolidation) or (pleural )?effusion", re.I),
     "effusion", ["Small {side} pleural effusion.", "Small bilateral pleural effusions."]),
    (re.compile(r"\b(lungs are clear|no focal (airspace disease|consolidation)|no (focal )?airspace)", re.I),
     "consolidation", ["{Side} lower lobe pneumonia.", "Patchy {side} basilar consolidation, likely pneumonia."]),
    (re.compile(r"\b(heart size (is )?(within )?normal|normal heart size|heart is normal in size|"
                r"cardiac silhouette is (within )?normal|heart size and .{0,30}normal)", re.I),
     "cardiomegaly", ["Cardiomegaly.", "Moderate cardiomegaly."]),
]


def _neg_ok(r):
    return real_clean_ok(r) and r["normal"] and any(rx.search(r["findings"]) for rx, _, _ in NEG_PATTERNS)


def _omit_ok(r):
    return bool(affirmed_sig(r["findings"])) and len(r["findings"]) < 900 and bool(r["impression"]) \
        and not re.search(r"\[|\]|\*\*|_", r["findings"])


def real_case(kind: str | None, pool, used, rng):
    if kind is None:
        r = pick_real(pool, used, rng, _clean_normal if rng.random() < 0.7 else _clean_abn)
        p = real_parts(r, rng)
        return r, real_render(p, rng), ""
    if kind == "missing_section":
        r = pick_real(pool, used, rng, _clean_normal if rng.random() < 0.6 else _clean_abn)
        p = real_parts(r, rng)
        if NORMAL_IMP.match(r["impression"]) and len(r["impression"]) < 60 and rng.random() < 0.5:
            d = "findings emptied; impression is a normal statement"
            return r, real_render(p, rng, findings=rng.choice(["", None])), d
        return r, real_render(p, rng, impression=rng.choice(["", None])), "impression emptied/removed"
    if kind == "laterality_conflict":
        r = pick_real(pool, used, rng, real_lat_ok)
        p = real_parts(r, rng)
        if rng.random() < 0.6:
            s = rng.choice(lat_sentence(p["i"]))
            p["i"] = p["i"].replace(s, flip(s), 1)
            return r, real_render(p, rng), f"side flipped in impression sentence: {flip(s)}"
        s = rng.choice(lat_sentence(p["f"]))
        p["f"] = p["f"].replace(s, flip(s), 1)
        return r, real_render(p, rng), f"side flipped in findings sentence: {flip(s)}"
    if kind == "negation_conflict":
        r = pick_real(pool, used, rng, _neg_ok)
        p = real_parts(r, rng)
        pats = [x for x in NEG_PATTERNS if x[0].search(p["f"])]
        if len(pats) > 1 and rng.random() < 0.6:
            pats = [x for x in pats if x[1] != "consolidation"]
        rx, word, adds = rng.choice(pats)
        side = rng.choice(["right", "left"])
        add = rng.choice(adds).format(side=side, Side=cap(side))
        if rng.random() < 0.5:
            p["i"] = add
        else:
            p["i"] = f"1. {add}\n2. No other acute abnormality."
        return r, real_render(p, rng), f"findings negate {word}; impression asserts '{add}'"
    if kind == "impression_omits_finding":
        r = pick_real(pool, used, rng, _omit_ok)
        p = real_parts(r, rng)
        k, s = affirmed_sig(r["findings"])[0]
        macro = rng.choice(OMIT_MACROS)
        d = f"findings affirm {k} ('{s}'); impression replaced by '{macro}'"
        return r, real_render(p, rng, impression=macro), d
    if kind == "placeholder":
        r = pick_real(pool, used, rng, _clean_normal if rng.random() < 0.7 else _clean_abn)
        p = real_parts(r, rng)
        txt, d = place_placeholder(real_render(p, rng), rng, real=True)
        return r, txt, d
    raise ValueError(kind)


SYNTH = {None: synth_clean, "missing_section": synth_missing, "laterality_conflict": synth_laterality,
         "negation_conflict": synth_negation, "impression_omits_finding": synth_omits,
         "placeholder": synth_placeholder}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h84-{seed}")
    pool = load_iu()
    used: set[str] = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j % 2 == 0:
                text, detail = SYNTH[kind](rng)
                src = "synthetic"
            else:
                r, text, detail = real_case(kind, pool, used, rng)
                src = f"IU {r['uid']}"
            cases.append({"injected": kind, "detail": (f"[{src}] " + detail).strip(), "report": text,
                          "_uid": None if src == "synthetic" else src[3:]})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        out.append({"id": f"h84-{seed}-{n}", "injected": c["injected"], "detail": c["detail"],
                    "report": c["report"]})
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
            for r in [x for x in rows if x["injected"] == kind][:a.show]:
                print(f"===== {r['id']} {kind} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
