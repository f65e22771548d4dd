"""Held-out report-check set 73, written blind.

Setting: chest radiographs of a US comprehensive cancer centre -- oncology outpatients on
follow-up, inpatients on the oncology wards and pre-procedure films.  The day-to-day mix: ports
and PICCs, known nodules and metastases, post-treatment (radiation, lobectomy) changes, effusions,
the occasional post-biopsy pneumothorax or pneumonia, and a majority of normal or near-normal films.
Reports are laid out the way such a department dictates them (EXAM / CLINICAL HISTORY / COMPARISON /
TECHNIQUE / FINDINGS, sometimes with organ sub-headings / IMPRESSION or CONCLUSION, sign-off lines),
in US spelling.  Epic-style ``***`` and PowerScribe-style ``[ ]`` fields are this setting's blanks.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder).  Half of every group is composed from a phrase bank below;
half are real IU (Open-i) reports, never one whose uid is in the development set, re-laid-out and
lightly re-worded in the setting's style.

    python -m bench.make_heldout73 OUT.jsonl --seed S [--show N]
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------------------------
# layout of the setting
# --------------------------------------------------------------------------------------------

EXAM_2V = [
    "EXAM: XR CHEST 2 VIEWS (PA AND LATERAL)",
    "EXAMINATION: CHEST RADIOGRAPH, PA AND LATERAL",
    "PROCEDURE: XR Chest PA and Lateral",
    "EXAM: Chest, 2 views",
    "EXAM: CR CHEST PA/LAT",
]
EXAM_1V = [
    "EXAM: XR CHEST 1 VIEW (PORTABLE)",
    "EXAMINATION: CHEST RADIOGRAPH, SINGLE VIEW, PORTABLE",
    "PROCEDURE: XR Chest AP Portable",
    "EXAM: Chest, 1 view",
]
TECH_2V = [
    "PA and lateral views of the chest.",
    "Frontal and lateral views of the chest were obtained.",
    "Two views of the chest.",
]
TECH_1V = [
    "Single portable AP upright view of the chest.",
    "Portable AP semi-upright view of the chest at bedside.",
    "Single frontal view of the chest.",
]
HIST_HEAD = ["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "REASON FOR EXAM:", "CLINICAL INDICATION:"]
IMP_HEAD = ["IMPRESSION:"] * 8 + ["CONCLUSION:"] * 2 + ["OPINION:"]
SIGNOFF = [
    "Electronically signed by: XXXX, MD on XXXX",
    "Dictated by: XXXX, MD\nElectronically signed by: XXXX, MD on XXXX at XXXX",
    "I have personally reviewed the images and agree with the findings above.\n"
    "Electronically signed by XXXX, MD, XXXX",
    "Signed: XXXX, MD\nDate/Time signed: XXXX",
    "Reading radiologist: XXXX, MD\nSigned XXXX",
    "",
]

CANCERS = [
    "metastatic breast cancer",
    "breast cancer",
    "non-small cell lung cancer",
    "small cell lung cancer",
    "lung adenocarcinoma",
    "colon cancer",
    "rectal cancer",
    "pancreatic cancer",
    "melanoma",
    "renal cell carcinoma",
    "diffuse large B-cell lymphoma",
    "Hodgkin lymphoma",
    "AML",
    "multiple myeloma",
    "head and neck cancer",
    "esophageal cancer",
    "prostate cancer",
    "ovarian cancer",
    "sarcoma",
]
HIST_TEMPL = [
    "{age}-year-old {sex} with {ca}. Follow-up.",
    "{age} y/o {sex}, {ca} on chemotherapy. Restaging.",
    "{ca}, routine surveillance.",
    "{ca}. Cough.",
    "{ca}, shortness of breath.",
    "{age}-year-old {sex} with {ca}, fever and neutropenia.",
    "Pre-procedure. {ca}, port placement planned.",
    "Pre-operative evaluation. History of {ca}.",
    "{ca}. Evaluate port catheter position.",
    "Inpatient, {ca}. Dyspnea.",
    "{ca}, status post chemoradiation. Interval evaluation.",
    "{age} yo {sex}, hx {ca}, chest pain.",
    "{ca}. Pre-procedure, CT-guided biopsy scheduled.",
    "Status post CT-guided lung biopsy. Evaluate for pneumothorax.",
    "History of {ca}, on immunotherapy. Cough and low-grade fever.",
]
COMP = [
    "None.",
    "None available.",
    "{d}.",
    "Chest radiograph {d}.",
    "PA and lateral chest {d}.",
    "CT chest {d}.",
    "Chest radiograph {d} and CT chest {d2}.",
    "Portable chest {d}.",
]


def sex_ok(cancers: list[str], sex: str) -> list[str]:
    bad = ("breast", "ovarian") if sex == "male" else ("prostate",) if sex == "female" else ()
    return [c for c in cancers if not any(b in c for b in bad)]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2023, 2024, 2025])}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# --------------------------------------------------------------------------------------------
# phrase bank: findings items
# --------------------------------------------------------------------------------------------
# Each item: region, key, side, sig (significant for the impression), f (findings sentence),
# i (impression sentence, "" when a radiologist would usually leave it out), neg (an impression
# sentence negating it), lat (True when the impression sentence names the side).


def _item(region, key, f, i, sig=False, side=None, neg="", lat=False, **kw):
    d = dict(region=region, key=key, f=f, i=i, sig=sig, side=side, neg=neg, lat=lat)
    d.update(kw)
    return d


def make_item(key: str, rng: random.Random) -> dict:
    side = rng.choice(["right", "left"])
    S = _cap(side)
    if key == "port":
        side = "right" if rng.random() < 0.8 else "left"
        S = _cap(side)
        tip = rng.choice(["cavoatrial junction", "distal SVC", "lower superior vena cava",
                          "expected location of the distal SVC"])
        f = rng.choice([
            f"{S} chest wall port with catheter tip projecting over the {tip}.",
            f"{S}-sided Port-A-Cath in place, tip at the {tip}.",
            f"{S} chest port catheter terminates in the {tip}.",
        ])
        i = rng.choice([
            f"{S} chest port with tip at the {tip}.",
            f"{S} chest wall port in satisfactory position.",
            "",
        ])
        return _item("device", key, f, i, side=side, lat=bool(i), tip=tip)
    if key == "picc":
        tip = rng.choice(["distal SVC", "cavoatrial junction", "mid SVC"])
        f = f"{S} upper extremity PICC with tip in the {tip}."
        i = rng.choice([f"{S} PICC tip in the {tip}.", ""])
        return _item("device", key, f, i, side=side, lat=bool(i), tip=tip)
    if key == "nodule_stable":
        n = rng.choice([6, 7, 8, 9, 10, 12, 14, 15, 18])
        lobe = rng.choice(["upper lobe", "lower lobe"])
        f = rng.choice([
            f"Known {n} mm nodule in the {side} {lobe} is unchanged.",
            f"Redemonstrated {n} mm {side} {lobe} pulmonary nodule, not significantly changed.",
            f"Stable {n} mm nodular opacity in the {side} {lobe}.",
        ])
        i = rng.choice([
            f"Stable {n} mm {side} {lobe} nodule.",
            f"Unchanged {side} {lobe} pulmonary nodule.",
        ])
        return _item("lung", key, f, i, sig=True, side=side, lat=True, size=n,
                     neg="The lungs are clear.")
    if key == "nodule_new":
        n = rng.choice([7, 8, 9, 11, 13, 16])
        zone = rng.choice(["upper", "mid", "lower"])
        f = rng.choice([
            f"New {n} mm nodular opacity in the {side} {zone} lung zone.",
            f"There is a new {n} mm nodule projecting over the {side} {zone} lung.",
        ])
        i = rng.choice([
            f"New {n} mm {side} {zone} lung nodule, suspicious for metastasis. Recommend CT chest.",
            f"New {side} {zone} lung nodule. CT chest is recommended for further evaluation.",
        ])
        return _item("lung", key, f, i, sig=True, side=side, lat=True, size=n,
                     neg="No pulmonary nodule.")
    if key == "mets":
        chg = rng.choice([
            ("not significantly changed", "Stable"),
            ("increased in size and number", "Progression of"),
            ("slightly decreased in size", "Slight interval decrease in"),
        ])
        f = f"Multiple bilateral pulmonary nodules compatible with known metastatic disease, {chg[0]}."
        i = f"{chg[1]} bilateral pulmonary metastases."
        return _item("lung", key, f, i, sig=True, neg="The lungs are clear.")
    if key == "mass":
        n = rng.choice(["3.2", "4.0", "4.5", "5.1", "2.8"])
        chg = rng.choice(["unchanged", "increased in size", "slightly smaller"])
        f = f"{S} hilar mass measuring approximately {n} cm, {chg} compared to prior."
        i = f"{S} hilar mass, {chg}."
        return _item("lung", key, f, i, sig=True, side=side, lat=True, neg="")
    if key == "radiation":
        f = rng.choice([
            f"Paramediastinal opacity and volume loss in the {side} upper lobe consistent with "
            "post-radiation fibrosis, unchanged.",
            f"Stable {side} perihilar radiation fibrosis with traction.",
        ])
        i = f"Stable post-radiation changes in the {side} lung."
        return _item("lung", key, f, i, side=side, lat=True)
    if key == "lobectomy":
        lobe = rng.choice(["upper", "lower"])
        f = f"Postsurgical changes of {side} {lobe} lobectomy with suture line and mild volume loss."
        i = rng.choice([f"Status post {side} {lobe} lobectomy.",
                        f"Postsurgical changes of {side} {lobe} lobectomy without evidence of recurrence."])
        return _item("lung", key, f, i, side=side, lat=True)
    if key == "consolidation":
        lobe = rng.choice(["lower lobe", "upper lobe", "base", "middle lobe" if side == "right" else "lingula"])
        f = rng.choice([
            f"Patchy airspace opacity in the {side} {lobe}.",
            f"New consolidation in the {side} {lobe}.",
            f"Focal airspace disease in the {side} {lobe}.",
        ])
        i = rng.choice([
            f"{S} {lobe} airspace opacity, concerning for pneumonia in the appropriate clinical setting.",
            f"{S} {lobe} consolidation, likely pneumonia.",
            f"Pneumonia in the {side} {lobe}.",
        ])
        return _item("lung", key, f, i, sig=True, side=side, lat=True,
                     neg="No focal consolidation.")
    if key == "atelectasis":
        f = rng.choice([f"Linear atelectasis at the {side} lung base.",
                        f"Mild {side} basilar subsegmental atelectasis."])
        i = rng.choice([f"Mild {side} basilar atelectasis.", ""])
        return _item("lung", key, f, i, side=side, lat=bool(i), neg="No atelectasis.")
    if key == "edema":
        f = rng.choice([
            "Increased interstitial markings and pulmonary vascular congestion consistent with mild "
            "pulmonary edema.",
            "Cephalization of pulmonary vasculature with mild interstitial edema.",
        ])
        i = rng.choice(["Mild pulmonary edema.", "Mild interstitial pulmonary edema, new from prior."])
        return _item("lung", key, f, i, sig=True, neg="No pulmonary edema.")
    if key == "granuloma":
        f = f"Calcified granuloma in the {side} {rng.choice(['upper', 'mid', 'lower'])} lung."
        return _item("lung", key, f, "", side=side)
    if key == "eff_small":
        chg = rng.choice(["", ", unchanged", ", slightly increased", ", decreased from prior"])
        f = rng.choice([f"Small {side} pleural effusion{chg}.",
                        f"Blunting of the {side} costophrenic angle consistent with a small effusion{chg}."])
        i = f"Small {side} pleural effusion{chg}."
        return _item("pleura", key, f, i, side=side, lat=True, neg="No pleural effusion.")
    if key == "eff_mod":
        size = rng.choice(["Moderate", "Large", "Moderate to large"])
        chg = rng.choice(["", ", increased from prior", ", new since the prior exam"])
        f = f"{size} {side} pleural effusion with adjacent compressive atelectasis{chg}."
        i = rng.choice([f"{size} {side} pleural effusion{chg}.",
                        f"{size} {side} pleural effusion, likely malignant in this clinical context."])
        return _item("pleura", key, f, i, sig=True, side=side, lat=True, neg="No pleural effusion.")
    if key == "ptx":
        f = rng.choice([f"Small {side} apical pneumothorax.",
                        f"There is a small {side} pneumothorax measuring about 1 cm at the apex."])
        i = f"Small {side} apical pneumothorax."
        if rng.random() < 0.5:
            i += " Findings were communicated to XXXX by telephone at XXXX."
        return _item("pleura", key, f, i, sig=True, side=side, lat=True, neg="No pneumothorax.")
    if key == "pleural_thick":
        f = f"Mild {side} apical pleural thickening."
        return _item("pleura", key, f, "", side=side)
    if key == "cardiomegaly":
        f = rng.choice(["The heart is mildly enlarged, unchanged.", "Mild cardiomegaly, stable."])
        i = rng.choice(["Stable mild cardiomegaly.", ""])
        return _item("heart", key, f, i, neg="Normal heart size.")
    if key == "mediastinum":
        f = rng.choice([
            "Widening of the mediastinum, increased from prior, compatible with progressive "
            "mediastinal lymphadenopathy.",
            "Lobulated mediastinal contour with increased right paratracheal fullness compared to prior.",
        ])
        i = "Increased mediastinal widening, likely progressive adenopathy. CT is recommended."
        return _item("heart", key, f, i, sig=True)
    if key == "bone_mets":
        f = rng.choice([
            "Sclerotic lesions in the thoracic spine and ribs consistent with known osseous metastases, "
            "unchanged.",
            "Known lytic lesions of the ribs and thoracic spine are not significantly changed.",
        ])
        i = "Stable osseous metastatic disease."
        return _item("bone", key, f, i)
    if key == "degen":
        f = rng.choice(["Degenerative changes of the thoracic spine.", "Mild thoracic spondylosis."])
        return _item("bone", key, f, "")
    if key == "old_rib":
        f = f"Healed {side} rib fractures."
        return _item("bone", key, f, "", side=side)
    raise KeyError(key)


INCIDENTAL = ["port", "port", "port", "picc", "granuloma", "degen", "old_rib", "pleural_thick"]
MINOR = ["radiation", "lobectomy", "atelectasis", "eff_small", "cardiomegaly", "bone_mets"]
SIG = ["nodule_stable", "nodule_stable", "nodule_new", "mets", "mets", "mass", "consolidation",
       "consolidation", "edema", "eff_mod", "eff_mod", "ptx", "mediastinum"]

NO_ACUTE = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary disease.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "No acute intrathoracic abnormality.",
]


def pick_items(rng: random.Random, profile: str) -> list[dict]:
    """profile: normal | near | minor | sig."""
    keys: list[str] = []
    if profile == "normal":
        if rng.random() < 0.45:
            keys.append("port")
    elif profile == "near":
        keys += rng.sample(INCIDENTAL, rng.choice([1, 2]))
    elif profile == "minor":
        keys += rng.sample(MINOR, 1)
        if rng.random() < 0.6:
            keys.append(rng.choice(INCIDENTAL))
    else:
        keys.append(rng.choice(SIG))
        if rng.random() < 0.5:
            keys.append(rng.choice(INCIDENTAL + MINOR))
    seen, items = set(), []
    for k in keys:
        if k in seen:
            continue
        # keep combinations plausible: one pleural item, one device, no edema+cardio issues
        if k in ("eff_small", "eff_mod") and ({"eff_small", "eff_mod"} & seen):
            continue
        if k in ("port", "picc") and ({"port", "picc"} & seen):
            continue
        if k in ("granuloma",) and ("mets" in seen):
            continue
        seen.add(k)
        items.append(make_item(k, rng))
    order = {"device": 0, "lung": 1, "pleura": 2, "heart": 3, "bone": 4}
    items.sort(key=lambda d: order[d["region"]])
    return items


def normal_sentences(items: list[dict], rng: random.Random) -> dict:
    keys = {d["key"] for d in items}
    regions = {d["region"] for d in items}
    out = {}
    if "lung" not in regions and ({"ptx", "eff_mod"} & keys):
        out["lung"] = rng.choice(["No focal consolidation.", "No focal airspace disease."])
    elif "lung" not in regions:
        out["lung"] = rng.choice(["The lungs are clear.", "Lungs are clear bilaterally.",
                                  "The lungs are clear without focal consolidation.",
                                  "No focal airspace disease."])
    elif not ({"consolidation", "edema"} & keys):
        out["lung"] = rng.choice(["No focal consolidation.", "No new focal airspace disease."])
    if not ({"eff_small", "eff_mod", "ptx"} & keys):
        out["pleura"] = rng.choice(["No pleural effusion or pneumothorax.",
                                    "No pneumothorax or pleural effusion.",
                                    "No effusion or pneumothorax."])
    elif "ptx" not in keys:
        out["pleura"] = "No pneumothorax."
    elif not ({"eff_small", "eff_mod"} & keys):
        out["pleura"] = "No pleural effusion."
    if "cardiomegaly" in keys:
        out["heart"] = "Mediastinal contours are unremarkable." if "mediastinum" not in keys else ""
    elif "mediastinum" in keys:
        out["heart"] = "Heart size is normal."
    else:
        out["heart"] = rng.choice(["Heart size is normal.", "The cardiomediastinal silhouette is within "
                                   "normal limits.", "Normal heart size and mediastinal contours.",
                                   "Cardiomediastinal silhouette is unremarkable."])
    if "bone_mets" in keys:
        out["bone"] = "No acute fracture."
    else:
        out["bone"] = rng.choice(["No acute osseous abnormality.", "Visualized osseous structures are "
                                  "intact.", "No acute bony abnormality.", ""])
    return {k: v for k, v in out.items() if v}


def impression_lines(items: list[dict], rng: random.Random) -> list[str]:
    lines = [d["i"] for d in items if d["i"]]
    sig = any(d["sig"] for d in items)
    if not lines:
        if not items and rng.random() < 0.3:
            return [rng.choice(["Normal chest radiograph.", "No active disease in the chest."])]
        return [rng.choice(NO_ACUTE)]
    if not sig and rng.random() < 0.6:
        lines.append(rng.choice(["No acute cardiopulmonary process.", "Otherwise no acute abnormality.",
                                 "No new acute cardiopulmonary abnormality."]))
    return lines


def fmt_impression(lines: list[str], rng: random.Random) -> str:
    if len(lines) == 1:
        return lines[0]
    if rng.random() < 0.7:
        return "\n".join(f"{k + 1}. {x}" for k, x in enumerate(lines))
    return " ".join(lines)


def render(parts: dict, rng_style: random.Random) -> str:
    """parts: exam, hist_head, hist, comp, tech, findings (str or None = absent), imp_head,
    impression (str or None = absent), sign."""
    out = [parts["exam"], "", f"{parts['hist_head']} {parts['hist']}".rstrip(), "",
           f"COMPARISON: {parts['comp']}"]
    if parts.get("tech"):
        out += ["", f"TECHNIQUE: {parts['tech']}"]
    if parts["findings"] is not None:
        f = parts["findings"]
        out += ["", "FINDINGS:" + ("\n" + f if "\n" in f or parts.get("f_block") else (" " + f if f else ""))]
    if parts["impression"] is not None:
        imp = parts["impression"]
        sep = "\n" if "\n" in imp or parts.get("i_block") else " "
        out += ["", parts["imp_head"] + (sep + imp if imp else "")]
    if parts.get("sign"):
        out += ["", parts["sign"]]
    return "\n".join(out).strip() + "\n"


def findings_text(items: list[dict], normals: dict, structured: bool) -> str:
    by = {r: [] for r in ("device", "lung", "pleura", "heart", "bone")}
    for d in items:
        by[d["region"]].append(d["f"])
    for r, s in normals.items():
        by[r].append(s)
    if structured:
        heads = [("device", "Lines/tubes"), ("lung", "Lungs"), ("pleura", "Pleura"),
                 ("heart", "Heart and mediastinum"), ("bone", "Bones")]
        rows = []
        for r, h in heads:
            if by[r]:
                rows.append(f"{h}: " + " ".join(by[r]))
            elif r == "device":
                rows.append(f"{h}: None.")
        return "\n".join(rows)
    flat = []
    for r in ("device", "lung", "pleura", "heart", "bone"):
        flat += by[r]
    return " ".join(flat)


# --------------------------------------------------------------------------------------------
# synthetic cases
# --------------------------------------------------------------------------------------------

PH_TOKENS = ["***", "[***]", "[ ]", "***", "[***]"]


def flip(s: str) -> str:
    m = {"left": "right", "right": "left", "Left": "Right", "Right": "Left",
         "LEFT": "RIGHT", "RIGHT": "LEFT"}
    return re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", lambda x: m[x.group(1)], s)


def synth_case(kind: str | None, rng: random.Random) -> tuple[str, str]:
    """Return (report, detail)."""
    for _ in range(200):
        res = _synth_try(kind, rng)
        if res is not None:
            return res
    raise RuntimeError(f"could not build synthetic case for {kind}")


def _base_parts(rng: random.Random, items: list[dict]) -> dict:
    portable = rng.random() < 0.3
    age = rng.randint(28, 88)
    keys = {d["key"] for d in items}
    cancers = CANCERS
    if {"mets", "bone_mets", "nodule_stable", "nodule_new", "mass"} & keys:
        cancers = [c for c in CANCERS if "lymphoma" not in c and c not in ("AML", "multiple myeloma")]
    if {"radiation", "lobectomy"} & keys:
        cancers = ["non-small cell lung cancer", "lung adenocarcinoma", "small cell lung cancer",
                   "esophageal cancer", "breast cancer"]
    templ = HIST_TEMPL
    if "ptx" not in keys:
        templ = [t for t in templ if "Status post CT-guided" not in t]
    if not ({"port", "picc"} & keys):
        templ = [t for t in templ if "port catheter" not in t]
    sex = rng.choice(["male", "female"])
    cancers = sex_ok(cancers, sex)
    hist = rng.choice(templ).format(age=age, sex=sex, ca=rng.choice(cancers))
    hist = _cap(hist)
    comp = rng.choice(COMP).format(d=_date(rng), d2=_date(rng))
    if ({"nodule_stable", "mets", "radiation", "lobectomy", "bone_mets"} & keys) and comp.startswith("None"):
        comp = f"Chest radiograph {_date(rng)}."
    return dict(
        exam=rng.choice(EXAM_1V if portable else EXAM_2V),
        hist_head=rng.choice(HIST_HEAD),
        hist=hist,
        comp=comp,
        tech=rng.choice(TECH_1V if portable else TECH_2V) if rng.random() < 0.6 else "",
        imp_head=rng.choice(IMP_HEAD),
        sign=rng.choice(SIGNOFF),
    )


def _synth_try(kind, rng):
    structured = rng.random() < 0.4
    if kind is None:
        profile = rng.choices(["normal", "near", "minor", "sig"], [40, 20, 20, 20])[0]
    elif kind == "missing_section":
        profile = rng.choices(["normal", "near", "minor", "sig"], [35, 20, 20, 25])[0]
    elif kind == "laterality_conflict":
        profile = rng.choice(["near", "minor", "sig", "sig"])
    elif kind == "negation_conflict":
        profile = rng.choice(["normal", "near", "minor", "sig"])
    elif kind == "impression_omits_finding":
        profile = "sig"
    else:
        profile = rng.choices(["normal", "near", "minor", "sig"], [35, 20, 20, 25])[0]
    items = pick_items(rng, profile)
    normals = normal_sentences(items, rng)
    parts = _base_parts(rng, items)
    imp = impression_lines(items, rng)
    detail = ""
    f_block = structured

    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_absent", "imp_empty", "find_empty", "find_absent"])
        if mode.startswith("find"):
            # impression must not itself describe the image
            if items and any(d["i"] for d in items):
                return None
            imp = [rng.choice(NO_ACUTE)]
            parts["findings"] = "" if mode == "find_empty" else None
            detail = ("FINDINGS section left empty" if mode == "find_empty"
                      else "FINDINGS section omitted") + "; impression is only a generic statement"
        else:
            parts["findings"] = findings_text(items, normals, structured)
            imp = None
            detail = "IMPRESSION header left with no text" if mode == "imp_empty" else "IMPRESSION section omitted"
        if imp is None:
            parts["impression"] = "" if mode == "imp_empty" else None
        else:
            parts["impression"] = fmt_impression(imp, rng)
        parts["f_block"] = f_block
        return render(parts, rng), detail

    if kind == "laterality_conflict":
        sided = [d for d in items if d["lat"] and d["i"] and d["side"]]
        if not sided:
            return None
        d = rng.choice(sided)
        where = rng.choice(["imp", "imp", "find"])
        if where == "imp":
            new = flip(d["i"])
            imp = [new if x == d["i"] else x for x in imp]
            detail = f"impression puts the {d['key']} on the {flip(d['side'])} (findings: {d['side']})"
        else:
            d["f"] = flip(d["f"])
            detail = f"findings put the {d['key']} on the {flip(d['side'])} (impression: {d['side']})"
        # no other mention of the other side for the same finding
        parts["findings"] = findings_text(items, normals, structured)
        parts["impression"] = fmt_impression(imp, rng)
        parts["f_block"] = f_block
        return render(parts, rng), detail

    if kind == "negation_conflict":
        mode = rng.random()
        cands = [d for d in items if d["neg"] and d["i"]]
        if cands and mode < 0.5:
            d = rng.choice(cands)
            imp = [d["neg"] if x == d["i"] else x for x in imp]
            detail = f"impression says '{d['neg']}' although findings describe the {d['key']}"
        else:
            # impression asserts something the findings negate
            opts = []
            if "pleura" in normals and "effusion" in normals["pleura"]:
                s = rng.choice(["right", "left"])
                opts.append((f"Small {s} pleural effusion.", "a pleural effusion"))
            if "pleura" in normals and "pneumothorax" in normals["pleura"]:
                s = rng.choice(["right", "left"])
                opts.append((f"Small {s} apical pneumothorax.", "a pneumothorax"))
            if "heart" in normals and ("normal" in normals["heart"].lower()
                                       or "unremarkable" in normals["heart"].lower()):
                opts.append((rng.choice(["Mild cardiomegaly.", "Cardiomegaly.", "Enlarged cardiac silhouette."]),
                             "cardiomegaly (findings: heart size normal)"))
            if normals.get("lung", "").startswith(("The lungs are clear", "Lungs are clear")):
                s = rng.choice(["right", "left"])
                opts.append((f"{_cap(s)} lower lobe airspace opacity, possibly pneumonia.",
                             "a consolidation (findings: lungs clear)"))
            if not opts:
                return None
            txt, what = rng.choice(opts)
            if imp and imp[0] in NO_ACUTE + ["Normal chest radiograph.", "No active disease in the chest."]:
                imp = [txt]
            else:
                imp = [x for x in imp if not x.startswith(("No acute", "Otherwise", "No new acute"))] + [txt]
            detail = f"impression asserts {what} which the findings negate"
        parts["findings"] = findings_text(items, normals, structured)
        parts["impression"] = fmt_impression(imp, rng)
        parts["f_block"] = f_block
        return render(parts, rng), detail

    if kind == "impression_omits_finding":
        sig = [d for d in items if d["sig"]]
        d = sig[0]
        others = [x["i"] for x in items if x is not d and x["i"] and not x["sig"]]
        if others and rng.random() < 0.5:
            imp = others + [rng.choice(NO_ACUTE)]
            detail = f"impression lists the other findings but leaves out the {d['key']}"
        else:
            if others:
                return None
            imp = [rng.choice(NO_ACUTE + ["No acute cardiopulmonary process. Stable exam."])]
            detail = f"normal impression pasted; findings describe the {d['key']}"
        if any(x["sig"] for x in items if x is not d):
            return None
        parts["findings"] = findings_text(items, normals, structured)
        parts["impression"] = fmt_impression(imp, rng)
        parts["f_block"] = f_block
        return render(parts, rng), detail

    if kind == "placeholder":
        tok = rng.choice(PH_TOKENS)
        where = rng.choice(["size", "side", "tip", "comp", "hist", "imp_item", "sign", "size", "side"])
        if where == "size":
            c = [d for d in items if "size" in d]
            if not c:
                return None
            d = c[0]
            d["f"] = d["f"].replace(f"{d['size']} mm", f"{tok} mm", 1)
            d["i"] = d["i"].replace(f"{d['size']} mm ", "", 1)
            imp = [d["i"] if x.startswith(("Stable", "New", "Unchanged")) and d["key"].startswith("nodule")
                   and d["side"] in x else x for x in imp]
            detail = f"nodule size in findings left as template field {tok}"
        elif where == "side":
            c = [d for d in items if d["side"] and d["side"] in d["f"] and not d["lat"]]
            c = c or [d for d in items if d["side"] and d["side"] in d["f"]]
            if not c:
                return None
            d = rng.choice(c)
            if d["lat"]:
                return None
            d["f"] = re.sub(rf"\b{d['side']}\b", tok, d["f"], count=1, flags=re.I)
            detail = f"side of the {d['key']} in findings left as field {tok}"
        elif where == "tip":
            c = [d for d in items if "tip" in d]
            if not c:
                return None
            d = c[0]
            d["f"] = d["f"].replace(d["tip"], tok, 1)
            if d["i"]:
                d["i"] = d["i"].replace(f" with tip at the {d['tip']}", " in place").replace(
                    f" tip in the {d['tip']}", " in place")
                imp = [d["i"] if x.startswith(("Right", "Left")) and ("port" in x or "PICC" in x) else x
                       for x in imp]
            detail = f"catheter tip position left as field {tok}"
        elif where == "comp":
            parts["comp"] = rng.choice([f"{tok}.", f"Chest radiograph {tok}.", f"CT chest dated {tok}."])
            if tok == "[ ]":
                parts["comp"] = "Chest radiograph [ ]."
            detail = f"comparison date left as field {tok}"
        elif where == "hist":
            parts["hist"] = rng.choice([f"{tok}", f"{parts['hist']} {tok}",
                                        f"{rng.choice(CANCERS)}. {tok}"])
            detail = f"clinical history field left unfilled ({tok})"
        elif where == "imp_item":
            if len(imp) < 2:
                imp = imp + [tok]
            else:
                imp = imp[:-1] + [tok]
                if any(d["sig"] and d["i"] == imp[-1] for d in items):
                    return None
            detail = f"last impression item left as field {tok}"
            # don't lose a significant finding from the impression
            kept = set(imp)
            if any(d["sig"] and d["i"] and d["i"] not in kept for d in items):
                return None
        else:
            parts["sign"] = rng.choice([f"Electronically signed by: {tok}", f"Dictated by: {tok}, MD"])
            detail = f"sign-off field left unfilled ({tok})"
        parts["findings"] = findings_text(items, normals, structured)
        parts["impression"] = fmt_impression(imp, rng)
        parts["f_block"] = f_block
        return render(parts, rng), detail

    # clean
    parts["findings"] = findings_text(items, normals, structured)
    parts["impression"] = fmt_impression(imp, rng)
    parts["f_block"] = f_block
    return render(parts, rng), ""


# --------------------------------------------------------------------------------------------
# real IU reports
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def load_iu(path: str) -> tuple:
    rows = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            sec = {}
            for a in root.iter("AbstractText"):
                sec[a.get("Label", "").upper()] = (a.text or "").strip()
            major = [(e.text or "").strip().lower() for e in root.iter("major")]
            rows.append((uid, sec.get("INDICATION", ""), sec.get("COMPARISON", ""),
                         sec.get("FINDINGS", ""), sec.get("IMPRESSION", ""), tuple(major)))
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(rows)


def dev_uids(shared: Path) -> set:
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            line = line.strip()
            if line:
                u = json.loads(line).get("uid")
                if u:
                    out.add(u)
    return out


def sents(t: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", t.strip()) if s.strip()]


NEG_RE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear|removed|"
                    r"cannot|can't|exclude|excluded|absent|less likely|unlikely|or)\b", re.I)
SIG_RE = re.compile(r"(pneumothora|consolidat|pneumonia|infiltrat|airspace disease|airspace opacit|"
                    r"\bedema|congestion|effusion|\bmass\b|widen|free air|"
                    r"\bnew\b|increas)", re.I)
CHRONIC_RE = re.compile(r"(scar|chronic|granulom|calcif|old|healed|degenerat|stable|unchanged|"
                        r"small|trace|tiny|minimal|mild|borderline|possibl|may|could|versus|\?)", re.I)
NORMAL_IMP_RE = re.compile(r"^(\d\.\s*)?(no acute|normal|negative|no active|no evidence of acute|"
                           r"no radiographic evidence|clear lungs|stable|unremarkable|no significant)", re.I)
FIND_KEYS = ["effusion", "pneumothorax", "opacit", "atelecta", "consolidat", "infiltrat", "nodul",
             "granulom", "airspace", "pneumonia", "scar", "mass", "fracture", "hemidiaphragm",
             "calcif", "catheter", "port"]


def affirm_sig(findings: str) -> list[str]:
    return [s for s in sents(findings) if SIG_RE.search(s) and not NEG_RE.search(s)
            and not CHRONIC_RE.search(s)]


def _side_set(s):
    return {w.lower() for w in re.findall(r"\b(left|right)\b", s, re.I)}


def consistent(f: str, i: str) -> bool:
    """Crude screen of a real report for conflicts we do not want in clean cases."""
    fl, il = f.lower(), i.lower()
    for k in FIND_KEYS:
        fs = set().union(*[_side_set(s) for s in sents(f) if k in s.lower()] or [set()])
        is_ = set().union(*[_side_set(s) for s in sents(i) if k in s.lower()] or [set()])
        if fs and is_ and not (fs & is_):
            return False
        if fs and is_ and fs != is_:
            return False
    # impression affirms something findings negate (very crude)
    for k in ["effusion", "pneumothorax", "cardiomegaly", "edema", "consolidation", "pneumonia"]:
        imp_aff = any(k in s.lower() and not NEG_RE.search(s) for s in sents(i))
        find_neg = any(k in s.lower() and NEG_RE.search(s) for s in sents(f))
        find_aff = any(k in s.lower() and not NEG_RE.search(s) for s in sents(f))
        if imp_aff and find_neg and not find_aff:
            return False
    if ("cardiomegaly" in il or "enlarged" in il) and ("normal" in fl and "heart" in fl):
        if re.search(r"heart (size )?(is )?(within )?normal|normal heart|heart size (is )?normal", fl):
            return False
    if "[" in f + i or "***" in f + i:
        return False
    return True


REWORD = [
    (r"\bThere is no evidence of\b", "No evidence of"),
    (r"\bThere is no\b", "No"),
    (r"\bThere are no\b", "No"),
    (r"\bthere is no\b", "no"),
    (r"\bcardio mediastinal\b", "cardiomediastinal"),
    (r"\bare within normal limits\b", "are normal"),
    (r"\bis within normal limits\b", "is normal"),
    (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bx-XXXX\b", "radiograph"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bpleural effusions\b", "pleural effusion"),
    (r"\.\.+", "."),
    (r"\.\s+\.", "."),
    (r"\s+", " "),
]


def reword(t: str) -> str:
    for a, b in REWORD:
        t = re.sub(a, b, t)
    t = t.strip()
    if t and not t.endswith((".", "?", ":")):
        t += "."
    return t


def fmt_real_imp(i: str, rng) -> str:
    # keep IU numbering but lay each item on its own line, as this department does
    items = [x.strip() for x in re.split(r"\s*(?:^|\s)\d\.\s+", " " + i) if x.strip()]
    if len(items) > 1 and re.search(r"(^|\s)1\.\s", i):
        return "\n".join(f"{k + 1}. {x}" for k, x in enumerate(items))
    return i


def real_parts(row, rng) -> dict:
    uid, ind, comp, f, i, _ = row
    hist = reword(ind) if ind else rng.choice(["Follow-up.", "History of malignancy.", "Pre-procedure."])
    hist = _cap(hist)
    if rng.random() < 0.35 and ind and not re.search(
            r"cancer|carcinoma|oma\b|leukemia|myeloma|malignan|tumor|metasta|chemo", ind, re.I):
        low = hist.lower()
        sex = "female" if re.search(r"\b(female|woman|she)\b", low) else (
            "male" if re.search(r"\b(male|man|he)\b", low) else "")
        hist = f"{hist} History of {rng.choice(sex_ok(CANCERS, sex))}."
    c = reword(comp) if comp else "None."
    return dict(
        exam=rng.choice(EXAM_2V),
        hist_head=rng.choice(HIST_HEAD),
        hist=hist,
        comp=c,
        tech=rng.choice(TECH_2V) if rng.random() < 0.5 else "",
        imp_head=rng.choice(IMP_HEAD),
        sign=rng.choice(SIGNOFF),
    )


STRICT_RE = re.compile(r"(pneumothora|consolidat|pneumonia|infiltrat|airspace disease|airspace opacit|"
                       r"edema|(?:moderate|large)[a-z ]* effusion|\bmass\b|widen)", re.I)
STEMS = ["consolidat", "pneumothora", "pneumonia", "infiltrat", "edema", "mass", "widen"]


def strict_hits(aff: list[str], imp: str) -> list[tuple]:
    """(sentence, stem, mentioned affirmatively in the impression) for significant findings."""
    out = []
    for sent in aff:
        m = STRICT_RE.search(sent)
        if not m or re.search(r"improv|decreas|resolv|clearing|residual|smaller", sent, re.I):
            continue
        k = m.group(1).lower()
        stem = next((a for a in STEMS if k.startswith(a)), "effusion" if "effusion" in k else "airspace")
        alts = {"airspace": ("airspace", "consolidat", "pneumonia", "infiltrat", "opacit"),
                "consolidat": ("consolidat", "airspace", "pneumonia", "infiltrat"),
                "pneumonia": ("pneumonia", "airspace", "consolidat", "infiltrat"),
                "infiltrat": ("infiltrat", "airspace", "pneumonia", "consolidat")}.get(stem, (stem,))
        in_imp = any(any(a in x.lower() for a in alts)
                     and not re.search(r"\bno\b|without|resolv|improv|clear", x, re.I) for x in sents(imp))
        out.append((sent, stem, in_imp))
    return out


def classify_real(rows, exclude: set) -> dict:
    pools = {k: [] for k in ["clean_normal", "clean_abn", "generic_imp", "lat", "omit"]}
    for row in rows:
        uid, ind, comp, f, i, major = row
        if uid in exclude or not f or not i:
            continue
        f2, i2 = reword(f), reword(i)
        if len(sents(f2)) < 2 or len(f2) > 900:
            continue
        if not consistent(f2, i2):
            continue
        aff = affirm_sig(f2)
        normal_imp = bool(NORMAL_IMP_RE.match(i2)) and len(sents(i2)) <= 2 and not SIG_RE.search(
            re.sub(r"\bno\b[^.]*", "", i2, flags=re.I))
        if "normal" in major and not aff and normal_imp:
            pools["clean_normal"].append(row)
            if len(i2) < 70:
                pools["generic_imp"].append(row)
            continue
        if normal_imp and aff:
            continue  # the original itself would omit a finding
        if not normal_imp:
            hits = strict_hits(aff, i2)
            if not all(h[2] for h in hits):
                continue  # the original impression leaves a significant finding out
            pools["clean_abn"].append(row)
            # laterality candidate
            for s_f in sents(f2):
                sd = _side_set(s_f)
                if len(sd) != 1 or NEG_RE.search(s_f) or "atri" in s_f.lower():
                    continue
                for k in FIND_KEYS:
                    if k not in s_f.lower():
                        continue
                    for s_i in sents(i2):
                        if (k in s_i.lower() and _side_set(s_i) == sd and not NEG_RE.search(s_i)
                                and "atri" not in s_i.lower()):
                            pools["lat"].append((row, k, s_f, s_i))
                            break
                    else:
                        continue
                    break
                else:
                    continue
                break
            # omission candidate: affirmed significant finding, mentioned in impression
            for sent, _stem, in_imp in hits:
                if in_imp:
                    pools["omit"].append((row, sent))
                    break
    return pools


def real_case(kind, rng, pools, used) -> tuple[str, str, str]:
    def take(pool):
        for _ in range(1000):
            c = rng.choice(pool)
            row = c[0] if isinstance(c, tuple) and isinstance(c[0], tuple) else c
            if row[0] not in used:
                used.add(row[0])
                return c, row
        raise RuntimeError("pool exhausted")

    if kind is None:
        pool = pools["clean_normal"] if rng.random() < 0.68 else pools["clean_abn"]
        _, row = take(pool)
        parts = real_parts(row, rng)
        parts["findings"] = reword(row[3])
        parts["impression"] = fmt_real_imp(reword(row[4]), rng)
        return render(parts, rng), "", row[0]

    if kind == "missing_section":
        if rng.random() < 0.35:
            _, row = take(pools["generic_imp"])
            parts = real_parts(row, rng)
            parts["findings"] = "" if rng.random() < 0.6 else None
            parts["impression"] = reword(row[4])
            det = "FINDINGS " + ("left empty" if parts["findings"] == "" else "section omitted") + \
                "; impression is a generic statement"
        else:
            _, row = take(pools["clean_normal"] if rng.random() < 0.6 else pools["clean_abn"])
            parts = real_parts(row, rng)
            parts["findings"] = reword(row[3])
            parts["impression"] = "" if rng.random() < 0.6 else None
            det = "IMPRESSION " + ("header left with no text" if parts["impression"] == "" else "section omitted")
        return render(parts, rng), det, row[0]

    if kind == "laterality_conflict":
        c, row = take(pools["lat"])
        _, k, s_f, s_i = c
        parts = real_parts(row, rng)
        f2, i2 = reword(row[3]), reword(row[4])
        if rng.random() < 0.6:
            i2 = i2.replace(s_i, flip(s_i), 1)
            det = f"side flipped in impression sentence about '{k}': '{flip(s_i)}' (findings: '{s_f}')"
        else:
            f2 = f2.replace(s_f, flip(s_f), 1)
            det = f"side flipped in findings sentence about '{k}': '{flip(s_f)}' (impression: '{s_i}')"
        parts["findings"] = f2
        parts["impression"] = fmt_real_imp(i2, rng)
        return render(parts, rng), det, row[0]

    if kind == "negation_conflict":
        for _ in range(200):
            _, row = take(pools["clean_normal"])
            f2, i2 = reword(row[3]), reword(row[4])
            fl = f2.lower()
            opts = []
            side = rng.choice(["right", "left"])
            if re.search(r"no (pleural )?effusion|no [a-z ,]*(pleural effusion|effusion)", fl):
                opts.append((f"Small {side} pleural effusion.", "pleural effusion"))
            if re.search(r"no [a-z ,]*pneumothorax", fl):
                opts.append((f"Small {side} apical pneumothorax.", "pneumothorax"))
            if re.search(r"heart size (is )?normal|normal heart size|heart (is )?(normal|not enlarged)|"
                         r"heart size is within normal|cardiomediastinal silhouette is normal|"
                         r"cardiac silhouette (is )?normal|heart and mediastinum are normal|"
                         r"heart size and [a-z ]+ (are )?normal", fl):
                opts.append((rng.choice(["Cardiomegaly.", "Mild cardiomegaly.",
                                         "Enlarged cardiac silhouette."]), "cardiomegaly"))
            if re.search(r"no [a-z ,]*(focal )?(consolidation|airspace)", fl) or re.search(
                    r"lungs are clear", fl):
                opts.append((f"{_cap(side)} lower lobe airspace opacity concerning for pneumonia.",
                             "consolidation"))
            if re.search(r"no [a-z ,]*edema", fl):
                opts.append(("Mild pulmonary edema.", "pulmonary edema"))
            if not opts:
                used.discard(row[0])
                continue
            txt, what = rng.choice(opts)
            parts = real_parts(row, rng)
            parts["findings"] = f2
            parts["impression"] = txt if rng.random() < 0.6 else f"1. {txt}\n2. Otherwise unremarkable."
            det = f"impression replaced by '{txt}' while findings negate {what}"
            return render(parts, rng), det, row[0]
        raise RuntimeError("negation candidates exhausted")

    if kind == "impression_omits_finding":
        c, row = take(pools["omit"])
        _, s = c
        parts = real_parts(row, rng)
        parts["findings"] = reword(row[3])
        parts["impression"] = rng.choice(NO_ACUTE + ["Normal chest radiograph.", "Negative chest."])
        if parts["impression"] in ("Normal chest radiograph.", "Negative chest."):
            parts["impression"] = rng.choice(NO_ACUTE)
        det = f"impression replaced by a normal statement; findings affirm: '{s}'"
        return render(parts, rng), det, row[0]

    # placeholder
    tok = rng.choice(PH_TOKENS)
    for _ in range(200):
        _, row = take(pools["clean_normal"] if rng.random() < 0.6 else pools["clean_abn"])
        f2, i2 = reword(row[3]), reword(row[4])
        parts = real_parts(row, rng)
        where = rng.choice(["find", "find", "imp", "comp", "sign"])
        det = ""
        if where == "find":
            cands = [m for m in re.finditer(
                r"\b(lungs|heart|mediastinal|cardiomediastinal|pulmonary|osseous|bony|silhouette|"
                r"vascularity|pleural|right|left|mild|mildly|size|contours|thoracic)\b", f2)]
            if not cands:
                used.discard(row[0])
                continue
            m = rng.choice(cands)
            f2 = f2[:m.start()] + tok + f2[m.end():]
            det = f"'{m.group(1)}' in findings replaced by template field {tok}"
        elif where == "imp":
            if len(i2) > 120:
                used.discard(row[0])
                continue
            i2 = i2.rstrip(".") + f". {tok}" if rng.random() < 0.5 else f"1. {i2}\n2. {tok}"
            det = f"unfilled impression field {tok} after the impression"
        elif where == "comp":
            parts["comp"] = f"{tok}." if rng.random() < 0.5 else f"Chest radiograph {tok}."
            det = f"comparison left as field {tok}"
        else:
            parts["sign"] = rng.choice([f"Electronically signed by: {tok}", f"Dictated by: {tok}, MD"])
            det = f"sign-off field left unfilled ({tok})"
        parts["findings"] = f2
        parts["impression"] = fmt_real_imp(i2, rng) if where != "imp" else i2
        return render(parts, rng), det, row[0]
    raise RuntimeError("placeholder candidates exhausted")


# --------------------------------------------------------------------------------------------


def build_with_sources(seed: int) -> tuple[list[dict], set]:
    shared = shared_dir()
    rows = load_iu(str(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"))
    excl = dev_uids(shared)
    pools = classify_real(rows, excl)
    rng = random.Random(f"h73-{seed}")
    cases = []
    used: set = set()
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_PER_KIND
        for j in range(n):
            if j < n // 2:
                rep, det = synth_case(kind, rng)
                cases.append((kind, det, rep))
            else:
                rep, det, _uid = real_case(kind, rng, pools, used)
                cases.append((kind, det, rep))
    rng.shuffle(cases)
    out = []
    for n, (kind, det, rep) in enumerate(cases):
        out.append({"id": f"h73-{seed}-{n}", "injected": kind, "detail": det, "report": rep})
    return out, used


def build(seed: int) -> list[dict]:
    return build_with_sources(seed)[0]


def main(argv=None) -> int:
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
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['detail']}")
                print(r["report"])
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
