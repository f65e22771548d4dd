"""Held-out report-check set 128, written blind.

Setting: renal units in UK and US hospitals -- haemodialysis and peritoneal dialysis outpatients,
nephrology wards and renal transplant clinics.  Fluid status checks, tunnelled dialysis catheter and
line positions, pre-transplant work-ups and post-transplant follow-up, with the ordinary run of
normal and near-normal chest films.  UK reports use British spelling, "Clinical details" /
"Conclusion" / "Opinion" headers and consultant sign-offs; US reports use "EXAM / HISTORY /
TECHNIQUE / FINDINGS / IMPRESSION" and electronic signature lines.

400 cases: 200 clean and 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder).  Half of every group is composed from
the phrase bank below, half are real IU reports (Open-i, none whose uid is in the dev set)
re-laid-out and lightly re-worded in the setting's style.

    python -m bench.make_heldout128 OUT.jsonl --seed S [--show N]
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


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# spelling / locale helpers
# --------------------------------------------------------------------------------------------

_UK_SPELL = [
    (r"\bedema", "oedema"),
    (r"\bEdema", "Oedema"),
    (r"\bhemodialysis", "haemodialysis"),
    (r"\bHemodialysis", "Haemodialysis"),
    (r"\btunneled", "tunnelled"),
    (r"\bTunneled", "Tunnelled"),
    (r"\bhemorrhage", "haemorrhage"),
    (r"\banemia", "anaemia"),
    (r"\besophag", "oesophag"),
    (r"\bcenter", "centre"),
    (r"\bhilum\b", "hilum"),
    (r"\bgray\b", "grey"),
    (r"\bleukemia", "leukaemia"),
    (r"\bhematoma", "haematoma"),
    (r"\bcalcified granulomas?\b", "calcified granuloma"),
    (r"\bfavor", "favour"),
    (r"\bFavor", "Favour"),
]


def uk_spell(text: str) -> str:
    for pat, rep in _UK_SPELL:
        text = re.sub(pat, rep, text)
    return text


def flip_side(text: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        out = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            return out.upper()
        if w[0].isupper():
            return out.capitalize()
        return out

    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b", rep, text)


# --------------------------------------------------------------------------------------------
# layout
# --------------------------------------------------------------------------------------------

UK_NAMES = ["Dr S. Patel", "Dr R. Okafor", "Dr H. Lewis", "Dr A. McBride", "Dr K. Chaudhry",
            "Dr E. Fraser", "Dr M. O'Neill", "Dr J. Whitworth", "Dr L. Nwosu", "Dr C. Rees"]
US_NAMES = ["Daniel Kim, MD", "Maria Alvarez, MD", "Robert Chen, MD", "Sarah Goldberg, MD",
            "James O'Brien, DO", "Priya Raman, MD", "Thomas Walsh, MD", "Angela Brooks, MD"]


def uk_date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2021, 2022, 2023, 2024])}"


def us_date(rng: random.Random) -> str:
    return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice([2021, 2022, 2023, 2024])}"


def signoff(rng: random.Random, uk: bool, blank: bool = False) -> str:
    if uk:
        name = "***" if blank else rng.choice(UK_NAMES)
        role = rng.choice(["Consultant Radiologist", "Consultant Radiologist", "Radiology Registrar (ST4)",
                           "Reporting Radiographer"])
        style = rng.randint(0, 2)
        if style == 0:
            return f"Reported by: {name}, {role}"
        if style == 1:
            return f"{name}\n{role}"
        return f"Dictated by {name} ({role}). Verified {uk_date(rng)}."
    name = "[signature]" if blank else rng.choice(US_NAMES)
    h, m = rng.randint(7, 19), rng.randint(0, 59)
    style = rng.randint(0, 2)
    if style == 0:
        return f"Electronically signed by: {name} on {us_date(rng)} {h}:{m:02d}"
    if style == 1:
        return f"Interpreted by {name}\nSigned {us_date(rng)}"
    return f"Dictated by: {name}\nTranscribed: {us_date(rng)}"


def layout(rng: random.Random, uk: bool, portable: bool = False) -> dict:
    """Pick header words for one report."""
    if uk:
        exam = rng.choice(["XR Chest", "XR CHEST PA", "CXR PA", "Chest X-ray", "XR Chest AP (mobile)"
                           if portable else "XR Chest PA erect", "Chest radiograph"])
        if portable and "mobile" not in exam:
            exam = rng.choice(["XR Chest AP (mobile)", "CXR AP mobile", "Chest X-ray (portable AP)"])
        return {
            "exam_label": rng.choice(["Examination", "Exam", ""]),
            "exam": exam,
            "hist_label": rng.choice(["Clinical details", "Clinical details", "Clinical information",
                                      "Clinical indication", "History"]),
            "comp_label": rng.choice(["Comparison", "Comparison", "Previous", "Compared with"]),
            "tech_label": "Technique",
            "tech": rng.choice([None, None, None, "PA erect.", "AP sitting, mobile." if portable else
                                "PA projection."]),
            "find_label": rng.choice(["Findings", "Findings", "Findings", "Report"]),
            "imp_label": rng.choice(["Conclusion", "Conclusion", "Opinion", "Impression", "Summary"]),
            "upper": False,
        }
    exam = rng.choice(["XR CHEST 2 VIEWS", "CHEST PA AND LATERAL", "XR CHEST PA/LAT", "CHEST, 2 VIEWS",
                       "RADIOGRAPH CHEST 1 VIEW"])
    if portable:
        exam = rng.choice(["XR CHEST PORTABLE", "PORTABLE CHEST 1 VIEW", "CHEST AP PORTABLE"])
    tech = "Single portable AP view of the chest." if portable or "1 VIEW" in exam else \
        rng.choice(["PA and lateral views of the chest.", "Frontal and lateral views of the chest were obtained.",
                    "2 views."])
    return {
        "exam_label": rng.choice(["EXAM", "EXAMINATION", "PROCEDURE"]),
        "exam": exam,
        "hist_label": rng.choice(["HISTORY", "CLINICAL HISTORY", "INDICATION", "REASON FOR EXAM"]),
        "comp_label": "COMPARISON",
        "tech_label": "TECHNIQUE",
        "tech": rng.choice([tech, tech, None]),
        "find_label": "FINDINGS",
        "imp_label": rng.choice(["IMPRESSION", "IMPRESSION", "IMPRESSION", "CONCLUSION"]),
        "upper": True,
    }


def render(lay: dict, uk: bool, history: str, comparison: str, findings, impression, sign: str,
           rng: random.Random, sep_newline: bool | None = None) -> str:
    """findings/impression: text, "" (header left empty) or None (section absent)."""
    conv = uk_spell if uk else (lambda s: s)
    nl = rng.random() < (0.25 if uk else 0.55) if sep_newline is None else sep_newline
    parts = []
    if lay["exam_label"]:
        parts.append(f"{lay['exam_label']}: {lay['exam']}")
    else:
        parts.append(lay["exam"])
    parts.append(f"{lay['hist_label']}: {conv(history)}")
    if comparison is not None:
        parts.append(f"{lay['comp_label']}: {comparison}")
    if lay["tech"]:
        parts.append(f"{lay['tech_label']}: {lay['tech']}")

    def sect(label: str, text) -> None:
        if text is None:
            return
        text = conv(text)
        if text == "":
            parts.append(f"{label}:")
        elif nl:
            parts.append(f"{label}:\n{text}")
        else:
            parts.append(f"{label}: {text}")

    sect(lay["find_label"], findings)
    sect(lay["imp_label"], impression)
    if sign:
        parts.append(sign)
    return "\n\n".join(parts)


def numbered(items: list[str], rng: random.Random, uk: bool) -> str:
    if len(items) > 1 and rng.random() < (0.35 if uk else 0.6):
        return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))
    return " ".join(items)


# --------------------------------------------------------------------------------------------
# clinical histories
# --------------------------------------------------------------------------------------------

HIST_UK = [
    "ESRF on HD. Increasingly breathless, 3 kg above dry weight. ?fluid overload.",
    "PD patient. SOB on exertion. ?overloaded.",
    "CKD 5, pre-transplant assessment.",
    "Work-up for renal transplant listing.",
    "Renal transplant 2019. Cough and low-grade pyrexia. ?infection.",
    "Post renal transplant, routine annual review.",
    "Haemodialysis patient. Pre-op for AV fistula formation.",
    "AKI on CKD 4. Oliguric. ?pulmonary oedema.",
    "HD patient with productive cough, CRP 85.",
    "Live donor recipient work-up.",
    "Diabetic nephropathy on HD. Chest pain, troponin negative.",
    "PD peritonitis, pyrexial. ?chest source.",
    "Transplant recipient on tacrolimus. Dry cough 2 weeks.",
    "IgA nephropathy, CKD 4. Breathlessness.",
    "Nephrotic syndrome, peripheral oedema. ?effusions.",
]
HIST_UK_LINE = [
    "R IJ tunnelled dialysis line inserted today. Check position.",
    "Tesio line exchange. Position?",
    "New tunnelled HD catheter. ?position ?pneumothorax.",
    "HD via tunnelled line. Poor flows on dialysis. Line position?",
    "Permcath inserted in IR. Confirm tip position please.",
]
HIST_US = [
    "ESRD on hemodialysis, shortness of breath.",
    "Peritoneal dialysis patient with dyspnea. Evaluate for volume overload.",
    "Pre-kidney transplant evaluation.",
    "Kidney transplant evaluation.",
    "Status post kidney transplant, fever and cough.",
    "History of renal transplant, routine follow-up.",
    "CKD stage 4, cough.",
    "ESRD, missed dialysis, hypoxia.",
    "Pre-op clearance for AV fistula creation.",
    "Renal transplant recipient, immunosuppressed, fever.",
    "Acute kidney injury, weight gain, evaluate for pulmonary edema.",
    "Dialysis patient with chest pain.",
    "Lupus nephritis, pleuritic chest pain.",
]
HIST_US_LINE = [
    "Tunneled dialysis catheter placement. Evaluate position.",
    "Status post tunneled HD catheter exchange.",
    "Catheter malfunction during dialysis, assess line position.",
    "Post tunneled hemodialysis catheter placement, rule out pneumothorax.",
]


def history(rng: random.Random, uk: bool, line: bool) -> str:
    if line and rng.random() < 0.75:
        return rng.choice(HIST_UK_LINE if uk else HIST_US_LINE)
    return rng.choice(HIST_UK if uk else HIST_US)


def comparison(rng: random.Random, uk: bool) -> str:
    r = rng.random()
    if uk:
        if r < 0.3:
            return "None."
        if r < 0.5:
            return "None available."
        return rng.choice(["", "CXR ", "Previous film "]) + uk_date(rng) + "."
    if r < 0.35:
        return "None."
    return rng.choice(["", "Radiograph dated ", "Chest radiograph from "]) + us_date(rng) + "."


# --------------------------------------------------------------------------------------------
# composed phrase bank
# --------------------------------------------------------------------------------------------

SLOTS = ["heart", "lungs", "pleura", "ptx", "bones"]


def normal_sentence(slot: str, rng: random.Random, uk: bool) -> str:
    bank = {
        "heart": (["Heart size is normal.", "The heart is not enlarged.", "Cardiothoracic ratio is normal.",
                   "Heart and mediastinal contours are normal.", "Normal cardiomediastinal contours."]
                  if uk else
                  ["The heart size is normal.", "Cardiomediastinal silhouette is within normal limits.",
                   "Normal heart size and mediastinal contours.", "The cardiac silhouette is normal in size."]),
        "lungs": (["The lungs are clear.", "Lungs clear.", "No focal lung abnormality.",
                   "No consolidation or collapse.", "Clear lung fields."]
                  if uk else
                  ["The lungs are clear.", "No focal consolidation.", "Lungs are clear without focal airspace disease.",
                   "No focal airspace opacity."]),
        "pleura": (["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."]
                   if uk else ["No pleural effusion.", "No pleural effusions.", "Costophrenic angles are sharp."]),
        "ptx": ["No pneumothorax.", "No pneumothorax is seen."],
        "bones": (["Bones unremarkable.", "No bony abnormality.", "", ""]
                  if uk else ["No acute osseous abnormality.", "Osseous structures are intact.", ""]),
    }
    return rng.choice(bank[slot])


def merged_normals(slots: list[str], rng: random.Random, uk: bool) -> list[str]:
    """Normal sentences for the free slots, sometimes merged (pleura+ptx)."""
    out = []
    s = list(slots)
    if "pleura" in s and "ptx" in s and rng.random() < 0.5:
        out_p = rng.choice(["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
                            "No pneumothorax or pleural effusion."])
        s.remove("ptx")
        for slot in s:
            out.append(out_p if slot == "pleura" else normal_sentence(slot, rng, uk))
    else:
        out = [normal_sentence(slot, rng, uk) for slot in s]
    return [x for x in out if x]


def SIDE(side: str, cap: bool = False) -> str:
    return side.capitalize() if cap else side


def make_item(name: str, rng: random.Random, uk: bool, side: str | None = None) -> dict:
    """One abnormal finding: findings text and impression text as functions of side."""
    side = side or ("right" if rng.random() < 0.55 else "left")
    it = {"name": name, "side": None, "slot": None, "sig": False, "must": False, "opt_imp": False}
    if name == "line":
        side = side if rng.random() < 0.85 else "left"
        side = "right" if rng.random() < 0.85 else "left"
        tip = rng.choice(["the right atrium", "the cavoatrial junction", "the upper right atrium",
                          "the distal SVC" if uk else "the distal superior vena cava"])
        kind = rng.choice(["tunnelled dialysis line", "tunnelled dialysis catheter",
                           "tunnelled haemodialysis line"] if uk else
                          ["tunneled dialysis catheter", "tunneled hemodialysis catheter"])
        vein = rng.choice(["IJ", "internal jugular"]) if uk else "internal jugular"
        fi = rng.choice([
            lambda s: f"{SIDE(s, True)} {vein} {kind} with its tip projected over {tip}.",
            lambda s: f"{SIDE(s, True)}-sided {kind}, tip at {tip}.",
            lambda s: f"There is a {s} {vein} {kind}, tip overlying {tip}.",
        ])
        ii = rng.choice([
            lambda s: f"{SIDE(s, True)} {vein} {kind}, tip at {tip}.",
            lambda s: f"{SIDE(s, True)}-sided {kind} in satisfactory position, tip at {tip}.",
            lambda s: f"{SIDE(s, True)} {kind} tip projects over {tip}.",
        ])
        it.update(side=side, f=fi, i=ii, must=True)
    elif name == "mild_cardiomegaly":
        pair = rng.choice([("Mild cardiomegaly.", "Mild cardiomegaly."),
                           ("The heart is mildly enlarged.", "Mildly enlarged heart."),
                           ("Heart size is at the upper limit of normal.", "Heart size at upper limit of normal.")
                           if uk else ("Borderline cardiomegaly.", "Borderline cardiomegaly.")])
        it.update(slot="heart", f=lambda s: pair[0], i=lambda s: pair[1], opt_imp=True)
    elif name == "cardiomegaly":
        txt = rng.choice(["Cardiomegaly.", "The heart is enlarged.", "The cardiac silhouette is enlarged."])
        imp = rng.choice(["Cardiomegaly.", "Cardiomegaly, unchanged." if uk else "Stable cardiomegaly.",
                          "Enlarged cardiac silhouette."])
        it.update(slot="heart", f=lambda s: txt, i=lambda s: imp, must=True)
    elif name == "oedema":
        txt = rng.choice([
            "Upper lobe venous diversion with bilateral perihilar haziness and Kerley B lines, in keeping "
            "with pulmonary edema.",
            "There is pulmonary venous congestion with interstitial edema.",
            "Bilateral perihilar airspace shadowing and septal lines consistent with pulmonary edema.",
            "Increased interstitial markings with vascular redistribution, compatible with interstitial edema.",
        ])
        imp = rng.choice(["Pulmonary edema, in keeping with fluid overload.",
                          "Interstitial pulmonary edema.",
                          "Features of fluid overload with pulmonary edema.",
                          "Pulmonary vascular congestion and interstitial edema, consistent with volume overload."])
        it.update(slot="lungs", f=lambda s: txt, i=lambda s: imp, sig=True, must=True,
                  key="pulmonary edema")
    elif name == "small_effusion":
        if rng.random() < 0.5:
            it.update(slot="pleura", f=lambda s: rng.choice(["Small bilateral pleural effusions.",
                                                              "Small bilateral effusions."]),
                      i=lambda s: "Small bilateral pleural effusions.", opt_imp=True)
        else:
            it.update(slot="pleura", side=side,
                      f=lambda s: rng.choice([f"Blunting of the {s} costophrenic angle, in keeping with a small "
                                              "effusion.", f"Small {s} pleural effusion."]),
                      i=lambda s: f"Small {s} pleural effusion.", opt_imp=True)
    elif name == "effusion":
        size = rng.choice(["moderate", "moderate-sized", "large"])
        it.update(slot="pleura", side=side, sig=True, must=True,
                  f=lambda s: rng.choice([f"There is a {size} {s} pleural effusion with adjacent basal "
                                          "atelectasis.", f"{size.capitalize()} {s} pleural effusion."]),
                  i=lambda s: f"{size.capitalize()} {s} pleural effusion.", key="effusion")
    elif name == "consolidation":
        zone = rng.choice(["lower zone", "mid zone", "base"] if uk else ["lower lobe", "base", "upper lobe"])
        it.update(slot="lungs", side=side, sig=True, must=True,
                  f=lambda s: rng.choice([f"Patchy consolidation in the {s} {zone}.",
                                          f"There is airspace consolidation at the {s} {zone}.",
                                          f"Focal airspace opacity in the {s} {zone}, concerning for pneumonia."]),
                  i=lambda s: rng.choice([f"{s.capitalize()} {zone} consolidation, likely infective.",
                                          f"{s.capitalize()} {zone} pneumonia.",
                                          f"Consolidation in the {s} {zone}; in an immunosuppressed transplant "
                                          "patient infection is likely."]),
                  key="consolidation")
    elif name == "atelectasis":
        it.update(side=side, opt_imp=True,
                  f=lambda s: rng.choice([f"Minor linear atelectasis at the {s} base.",
                                          f"Subsegmental atelectasis in the {s} lower zone.",
                                          f"Plate atelectasis at the {s} base."]),
                  i=lambda s: f"Minor {s} basal atelectasis.", lungs_otherwise=True)
    elif name == "nodule":
        mm = rng.choice([7, 8, 9, 10, 12, 14])
        zone = rng.choice(["mid zone", "upper zone", "lower zone"])
        it.update(side=side, sig=True, must=True, lungs_otherwise=True,
                  f=lambda s: rng.choice([f"There is a {mm} mm nodule in the {s} {zone}.",
                                          f"{mm} mm rounded opacity projected over the {s} {zone}."]),
                  i=lambda s: rng.choice([f"{mm} mm {s} {zone} nodule. CT chest recommended.",
                                          f"{mm} mm nodule in the {s} {zone}; further assessment with CT "
                                          "is advised."]), key="nodule")
    elif name == "pneumothorax":
        it.update(slot="ptx", side=side, sig=True, must=True,
                  f=lambda s: rng.choice([f"Small {s} apical pneumothorax, 1.5 cm rim.",
                                          f"There is a shallow {s} apical pneumothorax."]),
                  i=lambda s: rng.choice([f"Small {s} apical pneumothorax.",
                                          f"Small {s} pneumothorax. Clinical team informed."]),
                  key="pneumothorax")
    elif name == "sternotomy":
        it.update(f=lambda s: rng.choice(["Median sternotomy wires.", "Sternotomy wires and CABG clips noted.",
                                          "Intact median sternotomy wires."]),
                  i=lambda s: "Previous sternotomy.", opt_imp=True, chronic=True)
    elif name == "aorta":
        it.update(f=lambda s: rng.choice(["Calcification of the aortic knuckle.", "Unfolded, calcified aorta.",
                                          "Atherosclerotic calcification of the aortic arch."]),
                  i=lambda s: "Aortic calcification.", opt_imp=True, chronic=True)
    elif name == "clips":
        it.update(side=side, opt_imp=True, chronic=True,
                  f=lambda s: rng.choice([f"Vascular clips project over the {s} axilla, from previous fistula "
                                          "surgery.", f"Surgical clips in the {s} upper arm and axilla."]),
                  i=lambda s: f"Surgical clips in the {s} axilla.")
    elif name == "granuloma":
        it.update(side=side, opt_imp=True, chronic=True, lungs_otherwise=True,
                  f=lambda s: f"Small calcified granuloma in the {s} upper zone.",
                  i=lambda s: f"Calcified granuloma, {s} upper zone.")
    elif name == "ribs":
        it.update(slot="bones", side=side, opt_imp=True, chronic=True,
                  f=lambda s: rng.choice([f"Old healed fractures of the {s} 6th and 7th ribs.",
                                          f"Healed {s} lateral rib fractures."]),
                  i=lambda s: f"Old {s} rib fractures.")
    elif name == "spine":
        it.update(slot="bones", opt_imp=True, chronic=True,
                  f=lambda s: rng.choice(["Degenerative changes in the thoracic spine.",
                                          "Mild thoracic spondylosis.",
                                          "Diffuse increase in bone density, in keeping with renal osteodystrophy."]),
                  i=lambda s: "Degenerative thoracic spine.")
    else:
        raise ValueError(name)
    if it["side"] is None and "side" in it and name in ("effusion",):
        it["side"] = side
    return it


MINOR = ["mild_cardiomegaly", "cardiomegaly", "small_effusion", "atelectasis", "sternotomy", "aorta",
         "clips", "granuloma", "ribs", "spine"]
MINOR_W = [10, 5, 6, 5, 4, 6, 4, 3, 2, 5]
SIG = ["oedema", "effusion", "consolidation", "nodule", "pneumothorax"]
SIG_W = [8, 4, 6, 2, 2]


def compose_case(rng: random.Random, uk: bool, kind: str | None) -> tuple[str, str]:
    line = rng.random() < 0.35
    items = []
    if line:
        items.append(make_item("line", rng, uk))
    r = rng.random()
    want_sig = kind in ("impression_omits_finding",) or (kind is None and r < 0.18) or \
        (kind in ("laterality_conflict",) and r < 0.5) or (kind not in (None, "impression_omits_finding")
                                                           and r < 0.2)
    used_slots = set()
    if want_sig:
        name = rng.choices(SIG, SIG_W)[0]
        if kind == "laterality_conflict" and name == "oedema":
            name = "consolidation"
        it = make_item(name, rng, uk)
        items.append(it)
        used_slots.add(it["slot"])
    n_minor = rng.choices([0, 1, 2], [55, 33, 12])[0]
    if kind == "laterality_conflict" and not any(i["side"] for i in items if i["name"] != "line") and not line:
        n_minor = max(n_minor, 1)
    for _ in range(n_minor):
        name = rng.choices(MINOR, MINOR_W)[0]
        it = make_item(name, rng, uk)
        if it["slot"] in used_slots and it["slot"] is not None:
            continue
        if any(i["name"] == name for i in items):
            continue
        if kind == "laterality_conflict" and not it.get("side") and not any(
                i["side"] for i in items):
            it = make_item(rng.choice(["atelectasis", "clips", "granuloma", "small_effusion", "ribs"]), rng, uk)
            if it["slot"] in used_slots and it["slot"] is not None:
                continue
        items.append(it)
        used_slots.add(it["slot"])
    if kind == "laterality_conflict" and not any(i["side"] for i in items):
        it = make_item(rng.choice(["atelectasis", "clips", "granuloma"]), rng, uk)
        items.append(it)
    for it in items:
        it["fx"] = it["f"](it["side"])
        it["ix"] = it["i"](it["side"])
    free = [s for s in SLOTS if s not in used_slots]
    detail = ""

    # ------------------------------------------------------------------ impression
    in_imp = [it for it in items if it["must"] or (it["opt_imp"] and rng.random() < 0.4)]
    if kind == "laterality_conflict":
        sided = [it for it in items if it["side"]]
        target = rng.choice(sided)
        if target not in in_imp:
            in_imp.append(target)
    has_sig = any(it["sig"] for it in items)
    normal_imp_uk = ["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                     "No active disease.", "No acute chest pathology."]
    normal_imp_us = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                     "No acute cardiopulmonary disease.", "No acute intrathoracic abnormality."]
    macro = rng.choice(normal_imp_uk if uk else normal_imp_us)
    imp_parts = [it["ix"] for it in in_imp]
    if not has_sig:
        only_line = line and all(it["name"] == "line" for it in items)
        if not items and rng.random() < 0.35:
            macro = rng.choice(["Normal chest radiograph.", "Normal chest X-ray." if uk else "Normal chest."])
        elif line and rng.random() < 0.5 and "ptx" in free:
            macro = "No pneumothorax."
        elif only_line and rng.random() < 0.3:
            macro = "No other abnormality."
        elif rng.random() < 0.25 and "lungs" in free and "pleura" in free:
            macro = rng.choice(["No evidence of fluid overload.", "No radiographic signs of fluid overload."])
        if imp_parts and macro.startswith("No acute") and rng.random() < 0.5:
            macro = rng.choice(["Otherwise no acute abnormality.", "No acute cardiopulmonary abnormality otherwise."])
        imp_parts.append(macro)
    impression = numbered(imp_parts, rng, uk)

    # ------------------------------------------------------------------ findings
    def findings_text(item_list, normals_free):
        seq = []
        for it in item_list:
            if it["name"] == "line":
                seq.append(it["fx"])
        body = []
        for slot in SLOTS:
            occ = [it for it in item_list if it["slot"] == slot]
            if occ:
                body += [it["fx"] for it in occ]
            elif slot in normals_free:
                body.append(("__N__", slot))
        free_sentences = merged_normals([b[1] for b in body if isinstance(b, tuple)], rng, uk)
        out = []
        for b in body:
            if isinstance(b, tuple):
                if b[1] == "ptx" and not any(isinstance(x, tuple) and x[1] == "ptx" for x in body[:0]):
                    pass
                continue
            out.append(b)
        # interleave: keep normal sentences in slot order approximately
        merged = []
        ni = iter(free_sentences)
        for b in body:
            if isinstance(b, tuple):
                nxt = next(ni, None)
                if nxt:
                    merged.append(nxt)
            else:
                merged.append(b)
        merged += list(ni)
        extra = [it["fx"] for it in item_list if it["slot"] is None and it["name"] != "line"]
        lo = any(it.get("lungs_otherwise") for it in item_list)
        lung_normals = {"The lungs are clear.", "Lungs clear.", "No focal lung abnormality.",
                        "No consolidation or collapse.", "Clear lung fields.", "No focal consolidation.",
                        "Lungs are clear without focal airspace disease.", "No focal airspace opacity."}
        if lo:
            ow = rng.choice(["The lungs are otherwise clear.", "Lungs otherwise clear."])
            merged = [ow if m in lung_normals else m for m in merged]
        # extra items just after the heart sentence, before the lungs sentence when lungs are "otherwise clear"
        pos = min(len(merged), 1 if lo else 2)
        merged = merged[:pos] + extra + merged[pos:]
        return " ".join(seq + merged)

    findings = findings_text(items, free)

    # ------------------------------------------------------------------ injections
    sign_blank = False
    comp = comparison(rng, uk)
    hist = history(rng, uk, line)
    findings_out, impression_out = findings, impression
    if kind == "missing_section":
        v = rng.random()
        if v < 0.45:
            impression_out = ""
            detail = "conclusion header left empty" if uk else "impression header left empty"
        elif v < 0.75:
            impression_out = None
            detail = "no conclusion/impression section at all after the findings"
        else:
            findings_out = rng.choice(["", None])
            impression_out = rng.choice(["No acute change.", "Stable appearances.",
                                         "No significant change since the previous film." if uk else
                                         "No interval change.", "As above."] +
                                        (["Line as above."] if line else []))
            if comp.startswith("None"):
                comp = uk_date(rng) + "." if uk else us_date(rng) + "."
            detail = "findings section " + ("left empty" if findings_out == "" else "missing") + \
                f"; impression only says '{impression_out}'"
    elif kind == "laterality_conflict":
        sided = [it for it in in_imp if it["side"]]
        target = rng.choice(sided)
        other = "left" if target["side"] == "right" else "right"
        if rng.random() < 0.6:
            new = target["i"](other)
            impression_out = impression.replace(target["ix"], new)
            detail = f"{target['name']}: findings say {target['side']}, impression says {other}"
        else:
            new = target["f"](other)
            findings_out = findings.replace(target["fx"], new)
            detail = f"{target['name']}: findings say {other}, impression says {target['side']}"
        assert impression_out != impression or findings_out != findings
    elif kind == "negation_conflict":
        v = rng.random()
        normal_slots = [s for s in free if s != "bones"]
        aff_items = [it for it in items if it["slot"] in ("heart", "pleura", "lungs", "ptx")
                     and it["name"] != "mild_cardiomegaly"]
        if v < 0.6 and normal_slots:
            slot = rng.choice(normal_slots)
            side = rng.choice(["right", "left"])
            assert_txt = {
                "heart": rng.choice(["Cardiomegaly.", "Enlarged heart.", "Mild cardiomegaly."]),
                "lungs": rng.choice([f"{side.capitalize()} basal consolidation.",
                                     "Pulmonary edema consistent with fluid overload.",
                                     f"Patchy {side} lower zone consolidation."]),
                "pleura": rng.choice([f"Small {side} pleural effusion.", "Small bilateral pleural effusions.",
                                      f"Moderate {side} pleural effusion."]),
                "ptx": f"Small {side} apical pneumothorax.",
            }[slot]
            parts = [p for p in imp_parts if p not in ("No pneumothorax.",) and "fluid overload" not in p
                     and not p.startswith("Normal chest")]
            parts = [p for p in parts if not p.startswith("No acute") and not p.startswith("Otherwise")]
            parts.append(assert_txt)
            if rng.random() < 0.5:
                parts.append("Otherwise no acute abnormality.")
            impression_out = numbered(parts, rng, uk)
            detail = f"findings give normal {slot} but impression asserts: {assert_txt}"
        elif aff_items:
            it = rng.choice(aff_items)
            neg = {
                "heart": rng.choice(["Heart size normal.", "Normal heart size."]),
                "lungs": rng.choice(["Lungs clear.", "Clear lungs."]),
                "pleura": rng.choice(["No pleural effusion.", "No effusion."]),
                "ptx": "No pneumothorax.",
            }[it["slot"]]
            parts = [p for p in imp_parts if p != it["ix"]]
            parts.insert(len(parts) - 1 if parts else 0, neg)
            impression_out = numbered(parts, rng, uk)
            detail = f"findings affirm {it['name']} but impression says '{neg}'"
        else:
            # findings negate effusion; impression says effusions
            impression_out = numbered([p for p in imp_parts if "No " not in p and "Otherwise" not in p] +
                                      ["Small bilateral pleural effusions."], rng, uk)
            findings_out = findings if "effusion" in findings.lower() else findings + " No pleural effusion."
            detail = "findings negate effusion, impression asserts bilateral effusions"
    elif kind == "impression_omits_finding":
        sig = [it for it in items if it["sig"]][0]
        keep = [it["ix"] for it in items if it["name"] == "line" and rng.random() < 0.7]
        mac = rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                          "Normal chest radiograph." if not line else "Otherwise no acute abnormality.",
                          "No active disease." if uk else "No acute cardiopulmonary process.",
                          "Satisfactory line position. No other acute abnormality." if line else
                          "Stable chest. No acute abnormality."])
        impression_out = numbered(keep + [mac], rng, uk)
        detail = f"findings describe {sig['name']} ({sig['fx']}); impression replaced by normal statement"
    elif kind == "placeholder":
        v = rng.random()
        if v < 0.12:
            sign_blank = True
            detail = "sign-off name left as template blank"
        elif v < 0.22:
            comp = rng.choice(["[date]", "***", "[ ]"]) if uk else rng.choice(["[DATE]", "***", "[ ]"])
            detail = f"comparison left as '{comp}'"
        else:
            target_is_imp = rng.random() < 0.4
            txt = impression if target_is_imp else findings
            sided = re.findall(r"\b(right|left)\b", txt)
            nums = re.findall(r"\b\d+(?:\.\d+)?\b", txt)
            if sided and rng.random() < 0.5:
                ph = rng.choice(["[left/right]", "[***]", "***", "<side>"] if uk else
                                ["[RIGHT/LEFT]", "***", "[ ]", "{side}"])
                new = re.sub(r"\b(right|left)\b", ph, txt, count=1)
                detail = f"side word replaced by '{ph}'"
            elif nums and rng.random() < 0.6:
                ph = rng.choice(["***", "[x]", "[ ]", "XX" if False else "[size]"])
                new = re.sub(r"\b\d+(?:\.\d+)?\b", ph, txt, count=1)
                detail = f"number replaced by '{ph}'"
            else:
                words = [m for m in re.finditer(r"\b[a-z]{5,}\b", txt)]
                m = rng.choice(words)
                ph = rng.choice(["[***]", "***", "[ ]", "[...]", "<<>>", "[normal/abnormal]"] if uk else
                                ["***", "[ ]", "[***]", "<>", "[ENTER FINDING]"])
                new = txt[:m.start()] + ph + txt[m.end():]
                detail = f"word '{m.group(0)}' replaced by '{ph}'"
            if target_is_imp:
                impression_out = new
                detail += " in impression"
            else:
                findings_out = new
                detail += " in findings"
    lay = layout(rng, uk, portable=line and rng.random() < 0.4)
    if kind is None and not line and not items and rng.random() < 0.12:
        # impression-only report whose conclusion itself describes the film
        findings_out = None
        impression_out = rng.choice([
            "Heart size normal. Lungs clear. No pleural effusion or pneumothorax. Normal chest radiograph.",
            "Normal heart size. Clear lungs with no effusion, consolidation or pneumothorax. No evidence of "
            "fluid overload.",
        ])
        detail = ""
    sign = signoff(rng, uk, blank=sign_blank)
    text = render(lay, uk, hist, comp, findings_out, impression_out, sign, rng)
    return text, detail


# --------------------------------------------------------------------------------------------
# real IU reports
# --------------------------------------------------------------------------------------------

_AT = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')
_MAJOR = re.compile(r"<major>(.*?)</major>", re.S)

_CACHE: dict = {}


def load_dev_uids() -> set[str]:
    uids = set()
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                u = json.loads(line).get("uid")
                if u:
                    uids.add(u)
    return uids


def load_iu() -> list[dict]:
    if "iu" in _CACHE:
        return _CACHE["iu"]
    out = []
    with tarfile.open(reports_tgz(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            u = _UID.search(raw)
            if not u:
                continue
            sec = {k: clean_txt(html.unescape(v)) for k, v in _AT.findall(raw)}
            majors = [html.unescape(x).strip() for x in _MAJOR.findall(raw)]
            out.append({"uid": u.group(1), "findings": sec.get("FINDINGS", ""),
                        "impression": sec.get("IMPRESSION", ""), "indication": sec.get("INDICATION", ""),
                        "comparison": sec.get("COMPARISON", ""), "normal": majors == ["normal"]})
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _CACHE["iu"] = out
    return out


def clean_txt(t: str) -> str:
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\.{2,}", ".", t)
    t = re.sub(r"\s+\.", ".", t)
    t = re.sub(r"\.(\s*\.)+", ".", t)
    t = re.sub(r"\b(?!XXXX\b)([A-Za-z]+) \1\b", r"\1", t)
    return t


def sentences(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+|\s+(?=\d\.\s)", t) if s.strip()]


NEG = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|absence|"
                 r"cannot|can't|exclude|excluded|rule out|versus|vs|may|might|possible|possibly|"
                 r"questionable|suggest|differential|could|likely|probable|probably|if|or)\b", re.I)
SIG_TERMS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidation",
    "pneumonia": r"pneumonia",
    "edema": r"edema",
    "airspace disease": r"airspace (disease|opacit)",
    "infiltrate": r"infiltrate",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
}
ANY_SIG = re.compile(r"pneumothora|consolidat|pneumonia|edema|airspace|infiltrat|effusion|\bmass\b|nodul|"
                     r"congesti|opacit|atelectasis|cardiomegaly|enlarged", re.I)
NORMAL_IMP = re.compile(r"^(\d\.\s*)?(no acute|normal chest|negative|no active|no evidence of acute|"
                        r"no radiographic evidence of acute|normal examination|clear lungs|no acute "
                        r"cardiopulmonary)", re.I)


def affirmed(text: str, term_re: str) -> str | None:
    for s in sentences(text):
        if re.search(term_re, s, re.I):
            if NEG.search(s):
                continue
            if term_re == r"effusion" and re.search(r"small|trace|tiny|minimal|little|blunting", s, re.I):
                continue
            return s
    return None


def real_clean_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if len(f) < 40 or len(i) < 8:
        return False
    if re.search(r"\[|\]|_{2,}|\*\*", f + i):
        return False
    if r["normal"]:
        return True
    if re.search(r"preoperative|worse than|XXXX XXXX XXXX", f + i, re.I):
        return False
    si = set(w.lower() for w in re.findall(r"\b(right|left)\b", i, re.I))
    sf = set(w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I))
    if not si <= sf:
        return False
    if NORMAL_IMP.search(i) and affirmed(f, r"opacit|infiltrat|airspace|consolidat|edema|effusion|pneumothora"
                                            r"|nodul|mass|enlarged|cardiomegaly"):
        return False
    # abnormal: every significant finding affirmed in findings must also appear in impression
    for _term, pat in SIG_TERMS.items():
        if affirmed(f, pat) and not re.search(pat, i, re.I):
            return False
    return True


IU_SWAPS = [
    (r"\bcardiomediastinal silhouette\b", ["cardiomediastinal contour", "cardiomediastinal silhouette"]),
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary abnormality",
                                                   "No acute cardiopulmonary abnormality seen"]),
    (r"\bare within normal limits\b", ["are within normal limits", "are normal"]),
    (r"\bis within normal limits\b", ["is within normal limits", "is normal"]),
    (r"\bchest x-XXXX\b", ["chest X-ray"]),
]


def reword(t: str, rng: random.Random, uk: bool) -> str:
    for pat, reps in IU_SWAPS:
        t = re.sub(pat, lambda m, reps=reps: rng.choice(reps), t)
    if uk:
        t = re.sub(r"\bopacity\b", lambda m: rng.choice(["opacity", "opacity", "shadowing"]), t)
    return t


def real_history(rng: random.Random, uk: bool, orig: str) -> str:
    h = rng.choice(HIST_UK if uk else HIST_US)
    if orig and rng.random() < 0.3 and len(orig) < 120:
        return f"{h} {orig[0].upper()}{orig[1:]}"
    return h


def real_case(r: dict, rng: random.Random, uk: bool, kind: str | None) -> tuple[str, str]:
    f = reword(r["findings"], rng, uk)
    i = reword(r["impression"], rng, uk)
    detail = ""
    comp = r["comparison"] or "None."
    if kind == "missing_section":
        if rng.random() < 0.7 or ANY_SIG.search(i) or len(i) > 60:
            i = rng.choice(["", None])
            detail = "impression " + ("left empty" if i == "" else "section removed")
        else:
            f = rng.choice(["", None])
            detail = "findings " + ("left empty" if f == "" else "section removed") + \
                f"; impression is only '{i}'"
    elif kind == "laterality_conflict":
        if rng.random() < 0.6:
            i = flip_side(i)
            detail = "left/right flipped in the impression"
        else:
            f = flip_side(f)
            detail = "left/right flipped in the findings"
    elif kind == "negation_conflict":
        mode = r["_neg_mode"]
        if mode == "cardio":
            neg = rng.choice(["Normal heart size.", "Heart size is normal."])
            i = f"{i} {neg}" if rng.random() < 0.5 else f"{neg} {i}"
            detail = f"findings describe an enlarged heart; impression adds '{neg}'"
        else:
            side = rng.choice(["right", "left"])
            asserted = {
                "effusion": rng.choice([f"Small {side} pleural effusion.", "Small bilateral pleural effusions."]),
                "pneumothorax": f"Small {side} apical pneumothorax.",
                "lungs": rng.choice([f"{side.capitalize()} lower lobe consolidation.",
                                     f"Patchy {side} basal airspace disease, likely pneumonia.",
                                     "Mild interstitial pulmonary edema."]),
                "heart": rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette."]),
            }[mode]
            i = asserted + rng.choice([" Otherwise no acute abnormality.", "", " No other acute finding."])
            detail = f"findings negate it ({mode}) but impression asserts: {asserted}"
    elif kind == "impression_omits_finding":
        i = rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                        "No active disease." if uk else "No acute cardiopulmonary disease.",
                        "Normal chest radiograph."])
        detail = f"impression replaced by normal statement; findings affirm: {r['_omit']}"
    elif kind == "placeholder":
        tgt_imp = rng.random() < 0.35
        txt = i if tgt_imp else f
        sided = list(re.finditer(r"\b(right|left)\b", txt))
        if sided and rng.random() < 0.5:
            m = rng.choice(sided)
            ph = rng.choice(["[left/right]", "***", "[ ]"] if uk else ["[RIGHT/LEFT]", "***", "{side}"])
        else:
            words = list(re.finditer(r"\b(?!XXXX)[a-z]{5,}\b", txt))
            m = rng.choice(words)
            ph = rng.choice(["[***]", "***", "[ ]", "<<>>", "[...]"] if uk else
                            ["***", "[ ]", "[***]", "<>", "[ENTER]"])
        new = txt[:m.start()] + ph + txt[m.end():]
        detail = f"'{m.group(0)}' replaced by '{ph}' in " + ("impression" if tgt_imp else "findings")
        if tgt_imp:
            i = new
        else:
            f = new
    lay = layout(rng, uk, portable="portable" in (r["findings"] + r["comparison"]).lower())
    hist = real_history(rng, uk, r["indication"] if "XXXX" not in r["indication"] else "")
    if i and re.match(r"^1\.", i) and rng.random() < 0.8:
        i = re.sub(r"\s+(?=\d\.\s)", "\n", i)
    text = render(lay, uk, hist, comp, f, i, signoff(rng, uk), rng)
    return text, f"real IU report {r['uid']} re-laid-out; " + (detail or "unchanged")


def real_pools(iu: list[dict], dev: set[str]) -> dict:
    pools = {k: [] for k in [None] + KINDS}
    for r in iu:
        if r["uid"] in dev:
            continue
        f, i = r["findings"], r["impression"]
        if len(f) < 40 or len(i) < 8 or re.search(r"\[|\]|_{2,}|\*\*", f + i):
            continue
        if re.search(r"\bKUB\b|abdom|bullet|shrapnel|gunshot|endotracheal|\bET tube|nasogastric|"
                     r"\bNG tube|trauma|motor vehicle", f + i + r["indication"], re.I):
            continue
        if re.search(r"FINDINGS:|IMPRESSION:|Comparison:|History:|Exam:", f + i):
            continue
        if real_clean_ok(r):
            pools[None].append(r)
            pools["missing_section"].append(r)
            if len(re.findall(r"\b[a-z]{5,}\b", f)) > 3 and len(re.findall(r"\b[a-z]{5,}\b", i)) > 1:
                pools["placeholder"].append(r)
        # laterality: impression uses one side only, findings same side only, share a noun
        si = set(w.lower() for w in re.findall(r"\b(right|left)\b", i, re.I))
        sf = set(w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I))
        if len(si) == 1 and si == sf and real_clean_ok(r):
            nouns = r"effusion|opaci|consolidat|atelecta|nodul|pneumothora|granuloma|infiltrat|airspace|" \
                    r"lobe|base|basilar|hemidiaphragm|fracture|scar"
            fn = set(m.lower()[:6] for m in re.findall(nouns, f, re.I))
            inn = set(m.lower()[:6] for m in re.findall(nouns, i, re.I))
            if fn & inn and "atrium" not in (f + i).lower():
                pools["laterality_conflict"].append(r)
        # negation
        if r["normal"] and NORMAL_IMP.search(i):
            fl = f.lower()
            modes = []
            if re.search(r"no (pleural )?effusion|no pneumothorax or (pleural )?effusion|"
                         r"no pleural effusions|or pleural effusion", fl):
                modes.append("effusion")
            if re.search(r"no pneumothora|or pneumothora", fl):
                modes.append("pneumothorax")
            if re.search(r"lungs are clear|clear lungs|lungs clear|no focal (airspace|consolidation)|"
                         r"no focal air", fl):
                modes.append("lungs")
            if re.search(r"(heart|cardiac) (size )?(is |are )?(within normal|normal)|"
                         r"heart size (is )?normal|normal (heart|cardiac) size|heart and (lungs|mediastinum)"
                         r" .{0,30}normal", fl):
                modes.append("heart")
            if modes:
                pools["negation_conflict"].append(dict(r, _neg_modes=modes))
        elif not r["normal"] and re.search(r"cardiomegaly|heart (size )?is (mildly |moderately |markedly )?"
                                           r"enlarged|enlarged (heart|cardiac)", f, re.I) \
                and not NEG.search(affirmed(f, r"cardiomegaly|enlarged") or "no") \
                and not re.search(r"heart|cardi", i, re.I) and real_clean_ok(r):
            pools["negation_conflict"].append(dict(r, _neg_modes=["cardio"]))
        # omission: findings affirm a significant term that the impression also names
        for _term, pat in SIG_TERMS.items():
            s = affirmed(f, pat)
            if s and re.search(r"improv|resol|residual|decreas|previous|prior|chronic|stable|unchanged|"
                               r"old|healed|persist|scar|calcif|known", s, re.I):
                continue
            if s and re.search(pat, i, re.I) and not NORMAL_IMP.search(i):
                pools["impression_omits_finding"].append(dict(r, _omit=s))
                break
    return pools


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h128-{seed}")
    dev = load_dev_uids()
    iu = load_iu()
    pools = real_pools(iu, dev)
    rows = []
    used: set[str] = set()
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        half = n // 2
        # composed
        for _ in range(n - half):
            uk = rng.random() < 0.5
            text, detail = compose_case(rng, uk, kind)
            rows.append({"injected": kind, "detail": ("composed; " + detail) if detail else "composed",
                         "report": text})
        # real
        pool = [r for r in pools[kind] if r["uid"] not in used]
        if kind is None:
            normals = [r for r in pool if r["normal"]]
            abn = [r for r in pool if not r["normal"]]
            n_norm = int(half * 0.6)
            chosen = rng.sample(normals, n_norm) + rng.sample(abn, half - n_norm)
        else:
            chosen = rng.sample(pool, half)
        for r in chosen:
            used.add(r["uid"])
            uk = rng.random() < 0.5
            if kind == "negation_conflict":
                r = dict(r, _neg_mode=rng.choice(r["_neg_modes"]))
            text, detail = real_case(r, rng, uk, kind)
            rows.append({"injected": kind, "detail": detail, "report": text, "_uid": r["uid"]})
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h128-{seed}-{n}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
    return out


def used_uids(rows: list[dict]) -> set[str]:
    return set(re.findall(r"real IU report (CXR\d+)", " ".join(r["detail"] for r in rows)))


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
                print(f"=== {r['id']}  [{kind}]  {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
