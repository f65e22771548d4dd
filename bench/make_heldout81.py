"""Held-out report-check set 81, written blind (without reading the checker).

Setting: a US Level I trauma centre. Trauma-bay portable chest films (motor-vehicle collisions, falls,
assaults, gunshot and stab wounds), surgical / trauma ICU follow-up films (tubes and lines, chest tubes,
residual pneumothorax, hemothorax, contusion, aspiration, edema) and step-down ward films (rib fracture
follow-up, chest tube removal), alongside the ordinary normal films of minor trauma. US spelling and US
dictation habits: EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE / FINDINGS / IMPRESSION headers,
numbered impressions, abbreviations (PTX, ETT, OGT, IJ, CVC, s/p, MVC, GSW), PowerScribe/Epic blanks
(``***``, ``[***]``, ``[ ]``) as the unfilled-field style, and an electronic sign-off line.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). In each group half the reports are composed from the phrase
bank below and half are real IU reports (never a uid of the dev set) re-laid-out in the setting's
format and lightly re-worded. ``XXXX`` in IU text is the de-identification mask, not a placeholder.

    python -m bench.make_heldout81 OUT.jsonl --seed S [--show N]
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


def dev_uids() -> set[str]:
    out = set()
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_ABS = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


def _unescape(s):
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


@functools.lru_cache(maxsize=2)
def _load_iu(path: str) -> tuple:
    rows = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID.search(txt)
            if not um:
                continue
            sec = {k.lower(): " ".join(_unescape(v).split()) for k, v in _ABS.findall(txt)}
            rows.append((um.group(1), sec.get("indication", ""), sec.get("comparison", ""),
                         sec.get("findings", ""), sec.get("impression", "")))
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------
# text helpers

_NEG = re.compile(r"\b(no|not|without|negative|free of|clear|resolved|resolution|removed|removal|nor|absent|"
                  r"neither|exclude|excluded|rule out|r/o|evaluate|evaluation|assess)\b", re.I)
FAMILIES = {
    "ptx": r"pneumothora|\bptx\b",
    "effusion": r"effusion|hemothora|pleural fluid",
    "airspace": r"consolidat|pneumonia|infiltrat|airspace|air space|contusion",
    "edema": r"edema|congestion|\bchf\b",
    "mass": r"\bmass\b|nodule|nodular opacit",
    "heart": r"cardiomegaly|heart (size )?is (mildly |moderately )?enlarged|enlarged heart|enlargement of the "
             r"cardiac|cardiac enlargement",
    "mediastinum": r"widen",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal",
}
MINOR = re.compile(r"\b(small|trace|tiny|minimal|mild|mildly|borderline|slight|slightly|stable|chronic|"
                   r"unchanged|old|calcified|blunting)\b", re.I)


def sentences(text):
    text = re.sub(r"\.\.+", ".", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def clause_affirms(sent, fam_re):
    """True when a clause of the sentence mentions the family without a negation cue before it."""
    for cl in re.split(r";|,? but |, however|\. ", sent, flags=re.I):
        m = re.search(fam_re, cl, re.I)
        if m and not _NEG.search(cl[: m.start()]):
            return True
    return False


def affirmed_families(text, minor_ok=False):
    out = {}
    for s in sentences(text):
        for fam, rx in FAMILIES.items():
            if re.search(rx, s, re.I) and clause_affirms(s, rx):
                minor = bool(MINOR.search(s))
                if minor and minor_ok:
                    continue
                out.setdefault(fam, []).append(s)
    return out


def negated_families(text):
    out = set()
    for s in sentences(text):
        for fam, rx in FAMILIES.items():
            m = re.search(rx, s, re.I)
            if m and not clause_affirms(s, rx):
                out.add(fam)
    if re.search(r"lungs (are |appear )?(clear|well expanded and clear)", text, re.I):
        out.add("airspace")
    if re.search(r"heart size (is )?(normal|within normal)|normal heart size|cardiomediastinal silhouette (is )?"
                 r"(normal|within normal)", text, re.I):
        out.add("heart")
    return out


def side_words(text):
    return set(w.lower() for w in re.findall(r"\b(left|right)\b", text, re.I))


def flip_side(text):
    def rep(m):
        w = m.group(0)
        o = {"left": "right", "right": "left"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(left|right)\b", rep, text, flags=re.I)


def tidy(text):
    text = re.sub(r"\.\.+", ".", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


# ---------------------------------------------------------------------------------------------
# the setting's furniture

RADS = ["J. Alvarez, MD", "K. Nguyen, MD", "R. Patel, MD", "M. O'Connor, MD", "S. Washington, MD", "D. Kim, MD",
        "L. Brennan, DO", "T. Okafor, MD", "A. Goldberg, MD", "C. Ramirez, MD", "H. Lindqvist, MD", "P. Shah, MD"]
RESIDENTS = ["B. Howard, MD (PGY-3)", "E. Chen, MD (PGY-4)", "N. Rossi, MD (PGY-2)", "F. Mensah, MD (PGY-3)"]


def signoff(rng):
    mo, d = rng.randint(1, 12), rng.randint(1, 28)
    hh, mm = rng.randint(0, 23), rng.randint(0, 59)
    when = f"{mo:02d}/{d:02d}/2026 {hh:02d}:{mm:02d}"
    rad = rng.choice(RADS)
    r = rng.random()
    if r < 0.45:
        return f"Electronically signed by: {rad} on {when}"
    if r < 0.7:
        return (f"I have personally reviewed the images and agree with the resident's findings.\n"
                f"Resident: {rng.choice(RESIDENTS)}\nAttending: {rad}\nSigned: {when}")
    if r < 0.85:
        return f"Dictated by: {rad}\nSigned (electronic signature): {when}"
    return f"Final report. {rad}, {when}"


def callback(rng):
    who = rng.choice(["Dr. Reyes (trauma surgery)", "the trauma chief resident", "Dr. Feldman, SICU",
                      "the ED attending", "the trauma bay team", "PA Jones, trauma service"])
    hh, mm = rng.randint(0, 23), rng.randint(0, 59)
    return f"Findings discussed with {who} by telephone at {hh:02d}{mm:02d} hours with read-back."


CTX = {
    "bay": {
        "exam": ["XR CHEST 1 VIEW PORTABLE", "XR CHEST PORTABLE AP (TRAUMA BAY)", "CR CHEST 1V PORTABLE",
                 "XR CHEST SINGLE VIEW - TRAUMA"],
        "hx": ["Level 1 trauma activation. MVC, restrained driver, chest wall pain.",
               "Level 2 trauma. Fall from ladder approx 10 ft, chest wall pain.",
               "Assault, blunt trauma to the chest.", "Pedestrian struck by vehicle.",
               "Motorcycle collision, unhelmeted rider.", "MVC rollover, ejected. Hypotensive in field.",
               "Fall down 12 stairs. Chest wall tenderness.", "Trauma. Evaluate for pneumothorax.",
               "Ground-level fall on anticoagulation, rib pain.", "GSW to chest.", "Stab wound to chest.",
               "MVC vs pole, airbag deployment, seatbelt sign.", "Bicycle vs car. SOB.",
               "Level 1 trauma, fall from roof."],
        "tech": ["Single AP supine portable view of the chest.", "Single portable AP view obtained in the trauma bay.",
                 "AP supine portable radiograph, obtained on the backboard.", "Portable AP chest, 1 image."],
    },
    "icu": {
        "exam": ["XR CHEST PORTABLE AP", "XR CHEST 1 VIEW", "CR CHEST PORTABLE"],
        "hx": ["SICU. Intubated trauma patient, daily film.", "Line placement, evaluate position.",
               "Post intubation, ETT position.", "s/p chest tube placement, evaluate for residual PTX.",
               "TICU, hypoxia. s/p MVC with multiple rib fractures.", "s/p ex-lap for splenic laceration. Fever.",
               "Ventilated. Worsening oxygenation.", "Tube placement.", "Chest tube on water seal, r/o PTX.",
               "s/p GSW, s/p thoracotomy. Follow-up."],
        "tech": ["Single portable AP view.", "Portable semi-upright AP chest.", "AP portable, patient supine.",
                 "1 view portable chest at bedside."],
    },
    "ward": {
        "exam": ["XR CHEST 2 VIEWS PA AND LATERAL", "XR CHEST PA AND LATERAL", "XR CHEST 1 VIEW"],
        "hx": ["Rib fractures, follow-up.", "Chest tube removed, evaluate for pneumothorax.",
               "Shortness of breath, s/p fall 3 days ago.", "Post-op day 3, fever.", "Hypoxia on step-down unit.",
               "Known rib fractures, increased pain.", "Pre-discharge film, s/p hemothorax drainage."],
        "tech": ["PA and lateral views of the chest.", "Frontal and lateral views.", "Upright PA and lateral chest."],
    },
    "minor": {
        "exam": ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "XR RIBS W/ PA CHEST, UNILATERAL"],
        "hx": ["Minor MVC, chest soreness.", "Fall at home, chest pain.", "Sports injury, chest wall pain.",
               "Assault, punched in chest.", "MVC, low speed, seatbelt pain.", "Fell off bike. Pain with breathing."],
        "tech": ["PA and lateral views of the chest.", "2 views of the chest.", "PA and lateral chest."],
    },
}

COMPARISONS = ["None.", "None available.", "None.", "Trauma bay radiograph from earlier today.",
               "Portable chest from yesterday.", "Prior study from 2 days ago.", "CT chest same day.",
               "Chest radiograph of this morning at 0412.", "None on file.", "Outside hospital films not available."]

NORMAL_IMPS = [
    "No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
    "No radiographic evidence of acute traumatic injury to the chest.", "Negative portable chest.",
    "No acute findings.", "No acute intrathoracic abnormality.", "Normal chest radiograph.",
    "No acute cardiopulmonary disease.", "No acute traumatic abnormality of the chest.",
]


def ordinal(n):
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


# each item: f (findings text), i (impression text), fam, side, sig (must reach the impression),
# neg_i (impression text that negates it), neg_f (findings text that negates the family).
def item_ribfx(rng, side):
    a = rng.randint(3, 7)
    b = a + rng.randint(1, 3)
    part = rng.choice(["lateral", "posterior", "anterolateral", "posterolateral"])
    f = rng.choice([f"Acute minimally displaced fractures of the {side} {part} {ordinal(a)} through {ordinal(b)} ribs.",
                    f"Nondisplaced fractures of the {side} {part} {ordinal(a)}-{ordinal(b)} ribs.",
                    f"Acute fractures of {side} ribs {a} through {b}, {part}ly."])
    i = rng.choice([f"Acute {side} {ordinal(a)}-{ordinal(b)} rib fractures.", f"{side.capitalize()} rib fractures "
                    f"{a}-{b}.", f"Multiple acute {side}-sided rib fractures."])
    return dict(f=f, i=i, fam="ribfx", side=side, sig=False, neg_i="No acute displaced rib fracture.")


def item_ptx(rng, side):
    size = rng.choice(["Small", "Small", "Tiny", "Moderate", "Large"])
    loc = rng.choice(["apical", "apicolateral", "apical and lateral", "basilar"])
    cm = {"Tiny": rng.choice(["0.5", "0.8"]), "Small": rng.choice(["1", "1.5", "2"]),
          "Moderate": rng.choice(["2.5", "3", "3.5"]), "Large": rng.choice(["4", "5", "6"])}[size]
    f = rng.choice([f"{size} {side} {loc} pneumothorax, measuring approximately {cm} cm.",
                    f"There is a {size.lower()} {side} {loc} pneumothorax.",
                    f"{size} {side} PTX with visible pleural line {cm} cm from the "
                    f"{'apex' if 'apic' in loc else 'chest wall'}."])
    if size == "Large":
        f += rng.choice([" No mediastinal shift.", " Slight mediastinal shift to the " +
                         ("left" if side == "right" else "right") + "."])
    i = rng.choice([f"{size} {side} pneumothorax.", f"{size} {side} {loc} PTX.", f"{size} {side}-sided pneumothorax."])
    return dict(f=f, i=i, fam="ptx", side=side, sig=True, neg_i=rng.choice(["No pneumothorax.", "No PTX."]))


def item_resid_ptx(rng, side):
    f = rng.choice([f"{side.capitalize()} chest tube in place. Small residual {side} apical pneumothorax, "
                    f"{rng.choice(['decreased', 'slightly decreased', 'unchanged'])} from prior.",
                    f"Persistent small {side} apical PTX with the {side} chest tube in unchanged position."])
    i = rng.choice([f"Small residual {side} apical pneumothorax with {side} chest tube in place.",
                    f"{side.capitalize()} chest tube in place; small residual {side} PTX."])
    return dict(f=f, i=i, fam="ptx", side=side, sig=True, neg_i="No residual pneumothorax.")


def item_hemo(rng, side):
    size = rng.choice(["Moderate", "Moderate", "Large", "Moderate to large"])
    f = rng.choice([f"{size} {side} pleural effusion, likely hemothorax in the setting of trauma.",
                    f"Layering opacity over the {side} hemithorax on this supine film, consistent with a "
                    f"{size.lower()} {side} hemothorax.",
                    f"{size} {side} pleural effusion with adjacent atelectasis."])
    i = rng.choice([f"{size} {side} hemothorax.", f"{size} {side} pleural effusion, likely hemothorax.",
                    f"{size} {side} effusion/hemothorax."])
    return dict(f=f, i=i, fam="effusion", side=side, sig=True,
                neg_i=rng.choice(["No pleural effusion.", "No hemothorax.", "No effusion."]))


def item_small_eff(rng, side):
    f = rng.choice([f"Small {side} pleural effusion.", f"Trace {side} pleural effusion.",
                    f"Blunting of the {side} costophrenic angle, small effusion."])
    i = rng.choice([f"Small {side} pleural effusion.", f"Trace {side} effusion."])
    return dict(f=f, i=i, fam="effusion", side=side, sig=False, neg_i="No pleural effusion.")


def item_contusion(rng, side):
    lobe = rng.choice(["lower lobe", "upper lobe", "mid lung", "lung base", "perihilar region"])
    f = rng.choice([f"Patchy airspace opacity in the {side} {lobe}, consistent with pulmonary contusion.",
                    f"Ill-defined {side} {lobe} opacity, compatible with contusion in this setting.",
                    f"Airspace consolidation in the {side} {lobe}, likely contusion and/or aspiration."])
    i = rng.choice([f"{side.capitalize()} {lobe} pulmonary contusion.", f"{side.capitalize()} {lobe} "
                    f"opacity, likely contusion.", f"{side.capitalize()} {lobe} airspace disease, likely contusion."])
    return dict(f=f, i=i, fam="airspace", side=side, sig=True,
                neg_i=rng.choice(["Lungs are clear.", "No focal consolidation.", "Clear lungs."]))


def item_pna(rng, side):
    lobe = rng.choice(["lower lobe", "lung base", "upper lobe"])
    if rng.random() < 0.5:
        f = f"New {side} {lobe} consolidation, concerning for aspiration or pneumonia."
        i = f"New {side} {lobe} consolidation, aspiration versus pneumonia."
    else:
        f = f"Increasing {side} {lobe} airspace opacity since yesterday."
        i = f"Increasing {side} {lobe} opacity, concerning for pneumonia."
    return dict(f=f, i=i, fam="airspace", side=side, sig=True, neg_i="No focal consolidation.")


def item_edema(rng, side=None):
    f = rng.choice(["Increased bilateral perihilar interstitial opacities and pulmonary vascular congestion, "
                    "consistent with pulmonary edema.", "Diffuse interstitial edema, new from prior.",
                    "Pulmonary vascular congestion with mild interstitial edema."])
    i = rng.choice(["Pulmonary edema.", "Interstitial pulmonary edema, likely volume overload.",
                    "New pulmonary vascular congestion and interstitial edema."])
    return dict(f=f, i=i, fam="edema", side=None, sig=True, neg_i="No pulmonary edema.")


def item_mediastinum(rng, side=None):
    cm = rng.choice(["8.5", "9", "9.5", "10"])
    f = rng.choice([f"The mediastinum appears widened, measuring {cm} cm at the level of the aortic knob.",
                    "Widened superior mediastinum with indistinct aortic knob contour."])
    i = rng.choice(["Widened mediastinum. Recommend CTA chest to evaluate for aortic injury.",
                    "Mediastinal widening; CT angiography of the chest recommended."])
    return dict(f=f, i=i, fam="mediastinum", side=None, sig=True, neg_i="Mediastinum is not widened.")


def item_freeair(rng, side=None):
    f = "Free air under the right hemidiaphragm."
    i = "Pneumoperitoneum."
    return dict(f=f, i=i, fam="freeair", side=None, sig=True, neg_i="No free air.")


def item_subq(rng, side):
    f = rng.choice([f"Subcutaneous emphysema along the {side} lateral chest wall.",
                    f"Soft tissue gas in the {side} chest wall and lower neck."])
    i = f"{side.capitalize()} chest wall subcutaneous emphysema."
    return dict(f=f, i=i, fam="subq", side=side, sig=False, neg_i="No subcutaneous emphysema.")


def item_clavicle(rng, side):
    f = rng.choice([f"Acute fracture of the mid {side} clavicle with mild displacement.",
                    f"Nondisplaced fracture of the distal {side} clavicle."])
    i = f"Acute {side} clavicle fracture."
    return dict(f=f, i=i, fam="clavicle", side=side, sig=False, neg_i="No clavicle fracture.")


def item_bullet(rng, side):
    f = rng.choice([f"Ballistic fragment projects over the {side} lower hemithorax.",
                    f"Metallic bullet fragment overlies the {side} upper chest."])
    i = f"Retained ballistic fragment over the {side} hemithorax."
    return dict(f=f, i=i, fam="bullet", side=side, sig=False, neg_i="No retained foreign body.")


def item_atel(rng, side):
    if side is None:
        f = rng.choice(["Bibasilar atelectasis.", "Low lung volumes with bibasilar subsegmental atelectasis."])
        i = "Bibasilar atelectasis."
    else:
        f = rng.choice([f"Linear {side} basilar atelectasis.", f"Subsegmental atelectasis at the {side} base."])
        i = f"{side.capitalize()} basilar atelectasis."
    return dict(f=f, i=i, fam="atel", side=side, sig=False, neg_i="No atelectasis.")


def item_ett(rng, side=None):
    cm = rng.choice(["3", "3.5", "4", "4.5", "5", "5.5"])
    f = rng.choice([f"Endotracheal tube tip {cm} cm above the carina.", f"ETT terminates {cm} cm above the carina."])
    i = "ETT in satisfactory position."
    return dict(f=f, i=i, fam="ett", side=None, sig=False, neg_i="")


def item_ogt(rng, side=None):
    f = rng.choice(["Enteric tube courses below the diaphragm with tip in the stomach.",
                    "OGT tip and side port in the stomach.", "Orogastric tube in the gastric body."])
    i = "Enteric tube in the stomach."
    return dict(f=f, i=i, fam="ogt", side=None, sig=False, neg_i="")


def item_cvc(rng, side):
    v = rng.choice(["IJ", "IJ", "subclavian"])
    f = rng.choice([f"{side.capitalize()} {v} central venous catheter with tip at the cavoatrial junction.",
                    f"{side.capitalize()} {v} CVC terminates in the SVC."])
    i = f"{side.capitalize()} {v} CVC in good position. No pneumothorax."
    return dict(f=f, i=i, fam="cvc", side=side, sig=False, neg_i="", noptx=True)


def item_ctube(rng, side):
    f = rng.choice([f"{side.capitalize()} chest tube in place with tip projecting over the {side} apex.",
                    f"{side.capitalize()}-sided pigtail chest tube in place, unchanged."])
    i = f"{side.capitalize()} chest tube in place."
    return dict(f=f, i=i, fam="ctube", side=side, sig=False, neg_i="")


INCIDENTAL = [
    ("Mild cardiomegaly.", "heart"), ("Heart size is borderline enlarged, likely accentuated by AP technique.",
                                             "heart"),
    ("Calcified granuloma in the left upper lobe.", "gran"), ("Calcified granuloma in the right lung base.", "gran"),
    ("Degenerative changes of the thoracic spine.", "spine"), ("Old healed right rib fractures.", "oldfx"),
    ("Old healed left clavicle fracture.", "oldfx"), ("Aortic atherosclerotic calcification.", "aorta"),
    ("Trace left pleural effusion.", "effusion"), ("Minimal right basilar scarring.", "scar"),
]


def neg_sentences(rng, taken, ctx):
    """Normal statements for the families that carry no finding."""
    out = []
    lungs = []
    if "airspace" not in taken and "edema" not in taken and "atel" not in taken:
        if "ptx" in taken or "effusion" in taken:
            lungs.append(rng.choice(["No focal consolidation.", "No focal airspace opacity."]))
        else:
            lungs.append(rng.choice(["The lungs are clear.", "Lungs are clear bilaterally.",
                                     "No focal consolidation.", "The lungs are well expanded and clear."]))
    if "ptx" not in taken and "effusion" not in taken:
        lungs.append(rng.choice(["No pneumothorax or pleural effusion.", "No pleural effusion or pneumothorax.",
                                 "No PTX or effusion."]))
    else:
        if "ptx" not in taken:
            lungs.append(rng.choice(["No pneumothorax.", "No PTX."]))
        if "effusion" not in taken:
            lungs.append("No pleural effusion.")
    out.extend(lungs)
    card = []
    if "heart" not in taken:
        card.append(rng.choice(["Heart size is normal.", "Normal heart size.",
                                "Cardiac silhouette is normal in size."]))
    if "mediastinum" not in taken:
        card.append(rng.choice(["The mediastinum is not widened.", "Mediastinal contours are normal.",
                                "No mediastinal widening."]))
    if "heart" not in taken and "mediastinum" not in taken and rng.random() < 0.5:
        card = [rng.choice(["The cardiomediastinal silhouette is within normal limits.",
                            "Cardiomediastinal silhouette is normal for AP technique." if ctx in ("bay", "icu")
                            else "The cardiomediastinal silhouette is normal.",
                            "Normal cardiomediastinal contours."])]
    out.extend(card)
    if "ribfx" not in taken and "clavicle" not in taken and "oldfx" not in taken:
        out.append(rng.choice(["No acute displaced rib fracture.", "No acute osseous abnormality.",
                               "Osseous structures are intact.", "No displaced fracture identified.",
                               "Visualized bones are intact."]))
    if ctx == "bay" and "freeair" not in taken and rng.random() < 0.3:
        out.append("No free air under the diaphragm.")
    return out


SIDE_ITEMS = {"ribfx": item_ribfx, "ptx": item_ptx, "resid": item_resid_ptx, "hemo": item_hemo,
              "smalleff": item_small_eff, "contusion": item_contusion, "pna": item_pna, "subq": item_subq,
              "clavicle": item_clavicle, "bullet": item_bullet, "atel": item_atel, "cvc": item_cvc,
              "ctube": item_ctube}
NOSIDE_ITEMS = {"edema": item_edema, "mediastinum": item_mediastinum, "freeair": item_freeair, "ett": item_ett,
                "ogt": item_ogt}


def compose_case(rng, want=None):
    """A structured own-bank case. want: 'normal' | 'abnormal' | 'sig' | 'sided' | 'sided_sig' | None."""
    while True:
        case = _compose(rng, want)
        items = case["items"]
        w = case["want"]
        if w == "abnormal" and not items:
            continue
        if w in ("sig", "sided_sig") and not any(it["sig"] for it in items):
            continue
        if w in ("sided", "sided_sig") and not any(it["side"] and it["fam"] != "atel" for it in items):
            continue
        return case


def _compose(rng, want):
    if want is None:
        want = "normal" if rng.random() < 0.62 else "abnormal"
    if want == "normal":
        ctx = rng.choice(["bay", "bay", "minor", "minor", "ward", "icu"])
    else:
        ctx = rng.choice(["bay", "bay", "icu", "icu", "ward"])
    items = []
    side = rng.choice(["left", "right"])
    other = "right" if side == "left" else "left"
    if want != "normal":
        if ctx == "icu":
            if rng.random() < 0.6:
                items.append(item_ett(rng))
                if rng.random() < 0.7:
                    items.append(item_ogt(rng))
            if rng.random() < 0.5:
                items.append(item_cvc(rng, rng.choice(["left", "right"])))
            pool = ["resid", "hemo", "pna", "edema", "atel", "contusion", "ctube", "smalleff"]
        elif ctx == "ward":
            pool = ["ribfx", "resid", "smalleff", "atel", "hemo", "pna", "ptx"]
        else:
            pool = ["ribfx", "ptx", "hemo", "contusion", "subq", "clavicle", "bullet", "mediastinum", "ptx", "ribfx"]
        if want in ("sig", "sided_sig"):
            sigpool = [p for p in pool if p in ("ptx", "resid", "hemo", "contusion", "pna", "edema", "mediastinum")]
            if want == "sided_sig":
                sigpool = [p for p in sigpool if p not in ("edema", "mediastinum")]
            first = rng.choice(sigpool)
        elif want == "sided":
            first = rng.choice([p for p in pool if p in SIDE_ITEMS and p != "atel"])
        else:
            first = rng.choice(pool)
        chosen = [first]
        for p in rng.sample(pool, k=len(pool)):
            if len(chosen) >= rng.choice([1, 2, 2, 3]):
                break
            if p not in chosen:
                chosen.append(p)
        if "resid" in chosen and "ctube" in chosen:
            chosen.remove("ctube")
        fams = set()
        for n, p in enumerate(chosen):
            sd = side if n == 0 or rng.random() < 0.7 else other
            it = SIDE_ITEMS[p](rng, sd) if p in SIDE_ITEMS else NOSIDE_ITEMS[p](rng)
            if it["fam"] in fams or any(it["fam"] == "ptx" and x.get("noptx") for x in items):
                continue
            if it["fam"] == "ptx" and any(x["fam"] in ("cvc",) for x in items):
                continue
            fams.add(it["fam"])
            items.append(it)
    # de-duplicate chest-tube text when residual PTX already mentions it
    taken = {it["fam"] for it in items}
    incid = []
    if rng.random() < (0.25 if want == "normal" else 0.15):
        s, fam = rng.choice(INCIDENTAL)
        if fam not in taken:
            incid.append((s, fam))
            taken.add(fam)
    return dict(ctx=ctx, items=items, incid=incid, negs=neg_sentences(rng, taken, ctx), want=want)


def render_case(rng, case, imp_override=None, findings_override=None, imp_header=True, fmt=None):
    ctx = CTX[case["ctx"]]
    fmt = fmt or {}
    lines = []
    if "exam" not in fmt:
        fmt["exam"] = rng.choice(ctx["exam"])
        fmt["hx"] = rng.choice(ctx["hx"])
        fmt["cmp"] = rng.choice(COMPARISONS if case["ctx"] != "bay" else ["None.", "None.", "None available."])
        fmt["tech"] = rng.choice(ctx["tech"]) if rng.random() < 0.7 else None
        fmt["hdr"] = rng.choice(["upper", "upper", "upper", "title"])
        fmt["imphdr"] = rng.choice(["IMPRESSION", "IMPRESSION", "IMPRESSION", "IMPRESSION", "CONCLUSION"])
        fmt["sign"] = signoff(rng)
        fmt["layout"] = rng.random()
    H = (lambda s: s.upper()) if fmt["hdr"] == "upper" else (lambda s: s.title())
    lines.append(f"EXAM: {fmt['exam']}")
    lines.append(f"{H('clinical history')}: {fmt['hx']}" if rng.random() < 0.7 else f"{H('indication')}: {fmt['hx']}")
    lines.append(f"{H('comparison')}: {fmt['cmp']}")
    if fmt["tech"]:
        lines.append(f"{H('technique')}: {fmt['tech']}")
    if findings_override is not None:
        ftxt = findings_override
    else:
        fs = [it["f"] for it in case["items"]] + case["negs"] + [s for s, _ in case["incid"]]
        # lines and tubes first, then findings, then normal statements (as dictated)
        if fmt["layout"] < 0.35 and len(fs) > 3:
            tubes = [it["f"] for it in case["items"] if it["fam"] in ("ett", "ogt", "cvc", "ctube")]
            rest = [s for s in fs if s not in tubes]
            ftxt = ("Lines/tubes: " + " ".join(tubes) + "\n" if tubes else "") + " ".join(rest)
        else:
            ftxt = " ".join(fs)
    lines.append("")
    lines.append(f"{H('findings')}:" + (f"\n{ftxt}" if ftxt else ""))
    if imp_override is not None:
        imp = imp_override
    else:
        imp = case_impression(rng, case)
    if imp_header:
        lines.append("")
        lines.append(f"{fmt['imphdr'] if fmt['hdr'] == 'upper' else fmt['imphdr'].title()}:" +
                     (f"\n{imp}" if imp else ""))
    if case.get("call") and imp:
        lines.append(case["call"])
    lines.append("")
    lines.append(fmt["sign"])
    return "\n".join(lines), fmt


def number(parts):
    if len(parts) == 1:
        return parts[0]
    return "\n".join(f"{n}. {p}" for n, p in enumerate(parts, 1))


def case_impression(rng, case, drop=None, extra_first=None):
    parts = []
    tubes = [it for it in case["items"] if it["fam"] in ("ett", "ogt", "cvc")]
    others = [it for it in case["items"] if it not in tubes and it is not drop]
    for it in others:
        if it["fam"] == "atel" and rng.random() < 0.4:
            continue
        parts.append(it["i"])
    if tubes:
        if any(t.get("noptx") for t in tubes) and any(it["fam"] == "ptx" for it in case["items"]):
            pass
        if len(tubes) > 1 and rng.random() < 0.6:
            parts.append("Support devices in satisfactory position.")
        else:
            parts.extend(t["i"] for t in tubes)
    if not parts:
        return rng.choice(NORMAL_IMPS)
    if extra_first:
        parts.insert(0, extra_first)
    if not any(it["sig"] for it in case["items"] if it is not drop) and rng.random() < 0.4:
        parts.append(rng.choice(["Otherwise no acute cardiopulmonary abnormality.", "No other acute findings."]))
    return number(parts)


# ---------------------------------------------------------------------------------------------
# own-bank cases per kind

PH = ["***", "[***]", "[ ]", "***", "[***]", "{***}", "<***>", "[  ]"]


def own_clean(rng):
    case = compose_case(rng)
    if any(it["sig"] for it in case["items"]) and rng.random() < 0.5:
        case["call"] = callback(rng)
    if case["want"] == "normal" and rng.random() < 0.08:
        # impression-only dictation of a negative film: complete, the impression describes the image
        txt, fmt = render_case(rng, case, findings_override="", imp_override=None)
        body = " ".join(case["negs"])
        txt = txt.replace(f"{'FINDINGS' if fmt['hdr'] == 'upper' else 'Findings'}:\n\n", "")
        hdr = fmt["imphdr"] if fmt["hdr"] == "upper" else fmt["imphdr"].title()
        txt = re.sub(re.escape(hdr) + r":\n.*?\n\n", f"{hdr}:\n{body} No acute traumatic abnormality.\n\n", txt,
                     count=1, flags=re.S)
        return txt, "impression-only negative film (complete)"
    txt, _ = render_case(rng, case)
    return txt, ""


def own_missing(rng):
    case = compose_case(rng, rng.choice(["normal", "abnormal", "abnormal"]))
    r = rng.random()
    if r < 0.35:
        txt, _ = render_case(rng, case, imp_override="")
        return txt, "IMPRESSION header left with nothing under it"
    if r < 0.6:
        txt, _ = render_case(rng, case, imp_header=False)
        return txt, "IMPRESSION section absent; report goes from findings to sign-off"
    if r < 0.8:
        imp = rng.choice(["See above.", "As above.", "Please see findings.", "Refer to findings above.",
                          "As described."])
        txt, _ = render_case(rng, case, findings_override="", imp_override=imp)
        return txt, f"FINDINGS left empty; impression only says '{imp}'"
    imp = rng.choice(["Preliminary report called to the trauma bay.", "Results communicated to the ordering team.",
                      "Discussed with the trauma team."])
    txt, _ = render_case(rng, case, findings_override="", imp_override=imp)
    return txt, f"FINDINGS empty; impression is only a communication note ('{imp}')"


def own_laterality(rng):
    case = compose_case(rng, "sided")
    sided = [it for it in case["items"] if it["side"] and it["fam"] != "atel"]
    it = sided[0] if rng.random() < 0.7 else rng.choice(sided)
    fams_other = [x for x in case["items"] if x is not it and x["fam"] == it["fam"]]
    assert not fams_other
    where = rng.choice(["impression", "impression", "findings"])
    orig = dict(it)
    if where == "impression":
        it["i"] = flip_side(it["i"])
        # keep the impression on the item even when it is minor
        txt, _ = render_case(rng, case)
        if it["i"] not in txt:
            txt, _ = render_case(rng, case, imp_override=number([it["i"]] + [x["i"] for x in case["items"]
                                                                             if x is not it]))
        return txt, f"impression puts it on the {'left' if orig['side'] == 'right' else 'right'}: '{it['i']}' " \
                    f"vs findings '{orig['f']}'"
    imp = case_impression(rng, case)
    if orig["i"] not in imp:
        imp = number([orig["i"]] + [x["i"] for x in case["items"] if x is not it])
    it["f"] = flip_side(it["f"])
    txt, _ = render_case(rng, case, imp_override=imp)
    return txt, f"findings side flipped: '{it['f']}' vs impression '{orig['i']}'"


def own_negation(rng):
    r = rng.random()
    if r < 0.5:
        # findings negate (normal macro), impression affirms
        case = compose_case(rng, "normal")
        side = rng.choice(["left", "right"])
        joined = " ".join(case["negs"])
        opts = []
        if re.search(r"No (pneumothorax|PTX)", joined):
            opts.append(("ptx", item_ptx(rng, side)["i"]))
        if re.search(r"No (pleural effusion|pneumothorax or pleural|PTX or effusion)", joined):
            opts.append(("effusion", item_hemo(rng, side)["i"]))
        if re.search(r"lungs are|clear|consolidation", joined, re.I):
            opts.append(("airspace", item_contusion(rng, side)["i"]))
        if re.search(r"Heart size|heart size|Cardiac silhouette is normal|cardiomediastinal", joined, re.I):
            opts.append(("heart", rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette.",
                                              "Moderate cardiomegaly."])))
        if re.search(r"not widened|No mediastinal widening|Mediastinal contours are normal|cardiomediastinal", joined):
            opts.append(("mediastinum", "Widened mediastinum; recommend CTA chest."))
        fam, aff = rng.choice(opts)
        imp = aff if rng.random() < 0.6 else number([aff, "No other acute abnormality."])
        txt, _ = render_case(rng, case, imp_override=imp)
        return txt, f"findings negate {fam}; impression asserts '{aff}'"
    # findings affirm a finding, impression negates it
    case = compose_case(rng, "sig")
    it = next(x for x in case["items"] if x["sig"])
    others = [x["i"] for x in case["items"] if x is not it and x["fam"] not in ("ett", "ogt")]
    neg = it["neg_i"]
    parts = others + [neg] if others and rng.random() < 0.6 else [neg] + others
    if rng.random() < 0.4:
        parts.append("No acute traumatic abnormality otherwise.")
    txt, _ = render_case(rng, case, imp_override=number(parts))
    return txt, f"findings affirm '{it['f']}'; impression says '{neg}'"


def own_omits(rng):
    case = compose_case(rng, "sig")
    sig = [x for x in case["items"] if x["sig"]]
    it = sig[0]
    keep = [x for x in case["items"] if x is not it]
    keep_sig = [x["i"] for x in keep if x["sig"]]
    minor = [x for x in keep if not x["sig"]]
    if not keep:
        imp = rng.choice(NORMAL_IMPS)
        detail = f"findings '{it['f']}'; impression reduced to a normal/no-acute statement"
    elif not keep_sig and rng.random() < 0.4:
        imp = number([x["i"] for x in minor] + ["Otherwise no acute cardiopulmonary abnormality."])
        detail = f"findings '{it['f']}'; impression lists only the minor items and calls the rest normal"
    else:
        parts = keep_sig + [x["i"] for x in minor if x["fam"] not in ("ett", "ogt")]
        if any(x["fam"] in ("ett", "ogt") for x in minor):
            parts.append("Support devices in satisfactory position.")
        imp = number(parts)
        detail = f"findings '{it['f']}'; impression lists the other findings and leaves it out"
    txt, _ = render_case(rng, case, imp_override=imp)
    return txt, detail


def own_placeholder(rng):
    case = compose_case(rng)
    txt, fmt = render_case(rng, case)
    ph = rng.choice(PH)
    r = rng.random()
    if r < 0.2:
        new = txt.replace(fmt["cmp"], ph, 1)
        return new, f"COMPARISON field left as '{ph}'"
    if r < 0.35:
        new = txt.replace(fmt["hx"], ph, 1)
        return new, f"clinical history field left as '{ph}'"
    # a word in findings or impression
    cands = []
    for m in re.finditer(r"\b(\d+(\.\d+)?) cm\b|\b(left|right)\b|\b(\d+(st|nd|rd|th))\b|\b(small|moderate|"
                         r"large|normal|clear|acute|stomach|carina)\b", txt, re.I):
        pre = txt[: m.start()]
        if "FINDINGS" in pre.upper() and "SIGNED" not in pre.upper() and "Dictated by" not in pre:
            cands.append(m)
    if not cands:
        new = txt.replace(fmt["cmp"], ph, 1)
        return new, f"COMPARISON field left as '{ph}'"
    m = rng.choice(cands)
    word = m.group(0)
    rep = ph + " cm" if word.endswith(" cm") else ph
    new = txt[: m.start()] + rep + txt[m.end():]
    return new, f"'{word}' left as template field '{rep}'"


# ---------------------------------------------------------------------------------------------
# real IU reports, re-laid-out


REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary process", "No acute cardiopulmonary "
                                                   "abnormality", "No acute cardiopulmonary disease"]),
    (r"\bNo acute cardiopulmonary (disease|process)\b", ["No acute cardiopulmonary abnormality",
                                                         "No acute cardiopulmonary process"]),
    (r"\bcardio mediastinal\b", ["cardiomediastinal"]),
    (r"\bpneumothorax\b", ["pneumothorax", "pneumothorax", "PTX"]),
    (r"\bThe lungs are clear\b", ["The lungs are clear", "Lungs are clear"]),
    (r"\bwithin normal limits\b", ["within normal limits", "normal"]),
    (r"\bThere is no\b", ["There is no", "No"]),
]


def reword(rng, text):
    for rx, opts in REWORD:
        if rng.random() < 0.5:
            text = re.sub(rx, lambda m, o=opts: rng.choice(o), text)
    text = re.sub(r"There is No\b", "There is no", text)
    text = re.sub(r"There are No\b", "There are no", text)
    return tidy(text)


def split_imp(imp):
    imp = tidy(imp)
    items = re.split(r"\s*(?:^|(?<=[.\s]))\d\.\s+", imp)
    items = [x.strip() for x in items if x.strip()]
    return items if len(items) > 1 else [imp]


def real_render(rng, row, findings=None, impression=None, imp_header=True, fmt_out=None):
    uid, ind, cmp, fnd, imp = row
    fnd = reword(rng, fnd) if findings is None else findings
    imp = number(split_imp(reword(rng, imp))) if impression is None else impression
    twoview = bool(re.search(r"lateral|PA and|two views|2 views", fnd + " " + cmp, re.I))
    exam = rng.choice(["XR CHEST 2 VIEWS PA AND LATERAL", "XR CHEST PA AND LATERAL"] if twoview or rng.random() < 0.6
                      else ["XR CHEST 1 VIEW", "XR CHEST PORTABLE AP"])
    hdr = rng.choice(["upper", "upper", "title"])
    H = (lambda s: s.upper()) if hdr == "upper" else (lambda s: s.title())
    imphdr = H(rng.choice(["impression", "impression", "impression", "conclusion"]))
    lines = [f"EXAM: {exam}"]
    if ind:
        lines.append(f"{H('clinical history')}: {tidy(ind)}")
    lines.append(f"{H('comparison')}: {tidy(cmp) if cmp else 'None.'}")
    if rng.random() < 0.4:
        lines.append(f"{H('technique')}: " + ("PA and lateral views of the chest." if "2 VIEWS" in exam or "PA" in exam
                                              else "Single frontal view of the chest."))
    lines += ["", f"{H('findings')}:" + (f"\n{fnd}" if fnd else "")]
    if imp_header:
        lines += ["", f"{imphdr}:" + (f"\n{imp}" if imp else "")]
    lines += ["", signoff(rng)]
    if fmt_out is not None:
        fmt_out.update(cmp=tidy(cmp) if cmp else "None.", ind=tidy(ind), fnd=fnd, imp=imp)
    return "\n".join(lines)


def classify_real(rows, excl):
    pools = {"clean": [], "normal": [], "lat": [], "omit": [], "any": []}
    for row in rows:
        uid, ind, cmp, fnd, imp = row
        if uid in excl or not fnd or not imp:
            continue
        if re.search(r"\[|\]|\*\*|___|\{|<", fnd + imp + ind + cmp):
            continue
        if len(fnd) < 40 or len(fnd) > 700 or len(imp) > 400:
            continue
        pools["any"].append(row)
        aff_f = affirmed_families(fnd, minor_ok=True)
        aff_f_all = affirmed_families(fnd)
        aff_i = affirmed_families(imp)
        neg_f = negated_families(fnd)
        neg_i = negated_families(imp)
        conflict = any(f in neg_f for f in aff_i) or any(f in neg_i for f in aff_f_all)
        sides_f, sides_i = side_words(fnd), side_words(imp)
        omitted = [f for f in aff_f if f not in aff_i and f not in ("heart",)]
        omitted += [f for f in ("ptx", "airspace", "edema", "mediastinum", "freeair") if f in aff_f_all and f not in
                    aff_i and f not in omitted]
        if re.search(r"\b(new|increas|enlarging|worsen)", fnd, re.I) and not re.search(r"\b(no new|new from|"
                                                                                      r"no increas)", fnd, re.I):
            omitted.append("new")
        if "heart" in aff_f and "heart" not in aff_i:
            omitted.append("heart")
        if not conflict and not omitted:
            if not (sides_i and sides_f and sides_i != sides_f and len(sides_i) == 1 and len(sides_f) == 1):
                pools["clean"].append(row)
        if not aff_f_all and not aff_i and not re.search(r"atelecta|opacit|granulom|nodul|scar|fracture|"
                                                         r"deformit|effusion|cardiomegaly", fnd + imp, re.I):
            if re.search(r"no acute|normal|negative|no active|clear", imp, re.I):
                pools["normal"].append(row)
        # laterality candidate: impression sentence with one side word and a finding word, findings agree
        if not conflict:
            for s in sentences(imp):
                sw = side_words(s)
                if len(sw) != 1:
                    continue
                side = next(iter(sw))
                for rx in list(FAMILIES.values()) + [r"atelecta", r"granulom", r"opacit", r"fracture", r"scar"]:
                    if re.search(rx, s, re.I) and clause_affirms(s, rx):
                        fs = [x for x in sentences(fnd) if re.search(rx, x, re.I)]
                        if fs and all(side_words(x) == {side} for x in fs) and side_words(imp) == {side}:
                            pools["lat"].append((row, s, rx))
                        break
                else:
                    continue
                break
        # omission candidate: a significant finding affirmed in findings and named in the impression
        if not conflict and not omitted:
            for fam in ("ptx", "effusion", "airspace", "edema"):
                if fam in aff_f and fam in aff_i:
                    pools["omit"].append((row, fam, aff_f[fam][0]))
                    break
    return pools


def real_clean(rng, row):
    return real_render(rng, row), ""


def real_missing(rng, row):
    r = rng.random()
    if r < 0.5:
        return real_render(rng, row, impression=""), "IMPRESSION header present, nothing dictated under it"
    if r < 0.8:
        return real_render(rng, row, imp_header=False), "IMPRESSION section absent"
    imp = rng.choice(["See above.", "As above.", "Please see findings."])
    return real_render(rng, row, findings="", impression=imp), f"FINDINGS emptied; impression only '{imp}'"


def real_laterality(rng, cand):
    row, sent, rx = cand
    uid, ind, cmp, fnd, imp = row
    new_s = flip_side(sent)
    imp_t = tidy(imp)
    s_t = tidy(sent)
    if s_t in imp_t:
        imp2 = imp_t.replace(s_t, flip_side(s_t), 1)
    else:
        imp2 = flip_side(imp_t)
    txt = real_render(rng, row, impression=number(split_imp(imp2)))
    return txt, f"impression side flipped: '{new_s}' while findings keep the original side"


def real_negation(rng, row):
    fnd = row[3]
    side = rng.choice(["left", "right"])
    opts = []
    if re.search(r"pneumothora", fnd, re.I):
        opts.append(rng.choice([f"Small {side} apical pneumothorax.", f"Small {side} PTX."]))
    if re.search(r"effusion", fnd, re.I):
        opts.append(rng.choice([f"Moderate {side} pleural effusion.", f"Small {side} pleural effusion."]))
    if re.search(r"lungs (are |appear )?(clear|well)|no (focal )?(consolidation|airspace)", fnd, re.I):
        opts.append(rng.choice([f"{side.capitalize()} lower lobe consolidation.",
                                f"{side.capitalize()} basilar airspace disease, possibly contusion."]))
    if re.search(r"heart size (is )?(normal|within)|normal heart size|heart is normal", fnd, re.I):
        opts.append("Cardiomegaly.")
    if not opts:
        return None
    aff = rng.choice(opts)
    imp = aff if rng.random() < 0.5 else number([aff, "Otherwise no acute cardiopulmonary abnormality."])
    return real_render(rng, row, impression=imp), f"findings negate it; impression asserts '{aff}'"


def real_omits(rng, cand):
    row, fam, sent = cand
    imp = rng.choice(["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                      "No acute radiographic abnormality.", "No acute findings.", "Stable chest. No acute process."])
    return real_render(rng, row, impression=imp), f"findings affirm '{sent}'; impression replaced by '{imp}'"


def real_placeholder(rng, row):
    ph = rng.choice(PH)
    fmt = {}
    txt = real_render(rng, row, fmt_out=fmt)
    r = rng.random()
    if r < 0.25 and fmt["cmp"] and fmt["cmp"] != "None.":
        return txt.replace(f": {fmt['cmp']}", f": {ph}", 1), f"COMPARISON field left as '{ph}'"
    body_start = txt.upper().find("FINDINGS:")
    body_end = txt.rfind("\n\n")
    seg = txt[body_start:body_end]
    cands = [m for m in re.finditer(r"\b(left|right|upper|lower|normal|clear|mild|small|stable|lungs|heart|"
                                    r"pneumothorax|effusion|\d+)\b", seg, re.I) if "XXXX" not in
             seg[max(0, m.start() - 1): m.end() + 1] and m.start() > 10]
    if not cands:
        return txt.replace(f": {fmt['cmp']}", f": {ph}", 1), f"COMPARISON field left as '{ph}'"
    m = rng.choice(cands)
    a = body_start + m.start()
    b = body_start + m.end()
    return txt[:a] + ph + txt[b:], f"'{m.group(0)}' replaced by template field '{ph}'"


# ---------------------------------------------------------------------------------------------


def build(seed: int) -> list:
    """The 400 cases for a seed (deterministic)."""
    return build_with_sources(seed)[0]


def build_with_sources(seed: int) -> tuple:
    """(cases, sources): sources maps each case id to 'bank' or 'iu:<uid>' of the IU report it came from."""
    rng = random.Random(f"h81-{seed}")
    rows = _load_iu(str(archive_path()))
    pools = classify_real(rows, dev_uids())
    used = set()

    def take(pool, n, key=lambda x: x[0]):
        cands = [c for c in pool if key(c) not in used]
        rng.shuffle(cands)
        out = []
        for c in cands:
            if len(out) >= n:
                break
            k = key(c)
            if k in used:
                continue
            used.add(k)
            out.append(c)
        return out

    ident = lambda r: r[0]  # noqa: E731
    cases = []

    def add(kind, text, detail, src):
        cases.append({"injected": kind, "detail": detail, "report": text, "_src": src})

    # clean: 100 own, 100 real
    for _ in range(N_CLEAN // 2):
        t, d = own_clean(rng)
        add(None, t, d, "bank")
    for row in take(pools["clean"], N_CLEAN // 2, ident):
        t, d = real_clean(rng, row)
        add(None, t, d, "iu:" + row[0])
    half = N_KIND // 2
    own = {"missing_section": own_missing, "laterality_conflict": own_laterality, "negation_conflict": own_negation,
           "impression_omits_finding": own_omits, "placeholder": own_placeholder}
    for kind in KINDS:
        for _ in range(half):
            t, d = own[kind](rng)
            add(kind, t, d, "bank")
    for row in take(pools["clean"], half, ident):
        t, d = real_missing(rng, row)
        add("missing_section", t, d, "iu:" + row[0])
    for row in take(pools["clean"], half, ident):
        t, d = real_placeholder(rng, row)
        add("placeholder", t, d, "iu:" + row[0])
    for c in take(pools["lat"], half, lambda c: c[0][0]):
        t, d = real_laterality(rng, c)
        add("laterality_conflict", t, d, "iu:" + c[0][0])
    for c in take(pools["omit"], half, lambda c: c[0][0]):
        t, d = real_omits(rng, c)
        add("impression_omits_finding", t, d, "iu:" + c[0][0])
    n = 0
    for row in take(pools["normal"], half * 6, ident):
        if n >= half:
            break
        res = real_negation(rng, row)
        if res:
            add("negation_conflict", res[0], res[1], "iu:" + row[0])
            n += 1
    rng.shuffle(cases)
    out = []
    sources = {}
    for n, c in enumerate(cases):
        out.append({"id": f"h81-{seed}-{n}", "injected": c["injected"], "detail": c["detail"],
                    "report": c["report"]})
        sources[out[-1]["id"]] = c["_src"]
    counts = {k: sum(1 for c in out if c["injected"] == k) for k in [None, *KINDS]}
    want = {None: N_CLEAN, **{k: N_KIND for k in KINDS}}
    if counts != want:
        raise RuntimeError(f"unexpected counts {counts}")
    return out, sources


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
