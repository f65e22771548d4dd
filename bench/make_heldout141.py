"""Held-out report-error set 141: English NHS community diagnostic centres and virtual wards, written blind.

usage: python -m bench.make_heldout141 OUT.jsonl --seed S [--show N]

Writes 400 chest X-ray reports as JSON lines {"id", "injected", "detail", "report"}: 200 clean and 40 of
each of the five error kinds of ../shared/eval/README.md. Half of every group is composed from a phrase bank
in the style of GP-referred / direct-access chest films reported in English community diagnostic centres and
hospital-at-home services (UK spelling, "Clinical details / Report / Conclusion" layouts, numbered
conclusions, comparisons with prior films, lung-cancer-pathway and follow-up-film recommendations, reporting
radiographer and consultant sign-offs); the other half are real IU reports (never a dev-set uid, each used
once) re-laid out and lightly re-worded in that style. `MEDRAG_SHARED_DIR` overrides the shared folder.
Standard library only.
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
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# Setting: headers, sign-offs, clinical details
# ----------------------------------------------------------------------------------------------------------

EXAMS = ["Examination: XR Chest PA", "XR CHEST", "Chest X-ray PA", "CXR PA", "Examination: Chest radiograph (PA)",
         "XR Chest (PA erect)", "Exam: CXR"]
CLIN_H = ["Clinical details:", "Clinical history:", "CLINICAL DETAILS:", "Clinical information:", "Reason for request:",
          "Clinical indication:", "History:"]
COMP_H = ["Comparison:", "Previous imaging:", "Comparison made with:", "Prior:"]
FIND_H = ["Findings:", "FINDINGS:", "Report:", "REPORT:", "Findings"]
IMP_H = ["Conclusion:", "CONCLUSION:", "Impression:", "IMPRESSION:", "Opinion:", "Summary:", "Conclusion"]

FIRST = ["Priya", "James", "Sarah", "Oluwaseun", "Catherine", "Mohammed", "Rachel", "David", "Aisha", "Thomas",
         "Helen", "Rajesh", "Emma", "Gareth", "Fiona", "Kwame", "Lucy", "Andrew", "Nadia", "Simon"]
LAST = ["Patel", "Hughes", "Okafor", "Clarke", "Raman", "Evans", "Khan", "Thompson", "Williams", "McAllister",
        "Shah", "Roberts", "Adeyemi", "Davies", "Brennan", "Iqbal", "Morgan", "Walsh", "Chowdhury", "Fletcher"]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2021, 2022, 2023, 2024])}"


def signoff(rng: random.Random) -> str:
    f, last = rng.choice(FIRST), rng.choice(LAST)
    t = f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    return rng.choice([
        f"Dr {f[0]} {last}, Consultant Radiologist",
        f"Reported by: Dr {f} {last} FRCR, Consultant Radiologist",
        f"Reported by: {f} {last}, Reporting Radiographer",
        f"{f} {last}\nConsultant Reporting Radiographer",
        f"Electronically signed by Dr {f} {last}, Consultant Radiologist, {_date(rng)} {t}",
        f"Dr {f} {last} MBBS FRCR\nConsultant Radiologist",
        f"Verified: {f[0]}. {last} (Advanced Practitioner Reporting Radiographer) {_date(rng)}",
        f"Dictated by Dr {f} {last}, Consultant Radiologist. Typed by {rng.choice(FIRST)} ({_date(rng)})",
    ])


CLINICAL = {
    "cough": ["Persistent cough 3/52, ex-smoker. ?LRTI", "Cough for 6 weeks, not settling with antibiotics.",
              "Chronic cough > 8/52. Non-smoker. Direct access CXR.",
              "Productive cough, fever, crackles at base. ?LRTI",
              "Cough and green sputum for 2/52, raised CRP. ?pneumonia", "Recurrent chest infections this winter."],
    "cancer": ["Persistent cough and weight loss. Ex-smoker 40 pack years. ?CA", "Haemoptysis x2. Smoker. 2WW",
               "Unexplained weight loss, hoarse voice. Suspected lung cancer pathway.",
               "Raised platelets, fatigue, ex-smoker. NICE NG12 criteria - CXR requested by GP.",
               "Persistent cough > 3 weeks in a 62 year old smoker. ?malignancy"],
    "breath": ["Increasing breathlessness on exertion. ?cause", "SOBOE, known COPD. ?exacerbation",
               "Shortness of breath, wheeze. Asthma/COPD?", "Breathless, reduced air entry at base on exam. ?effusion",
               "New exertional dyspnoea. Please assess."],
    "covid": ["Post-COVID follow-up, 12 weeks after discharge. Ongoing breathlessness.",
              "COVID pneumonitis in January, follow-up film as per discharge letter.",
              "Long COVID clinic referral - fatigue and breathlessness. Baseline CXR."],
    "hf": ["Virtual ward patient. HFrEF, weight up 2 kg and increasing ankle swelling. ?fluid overload",
           "Hospital at home. Known heart failure, increasing orthopnoea. ?pulmonary oedema",
           "HF virtual ward review. Diuretics increased 5/7 ago. ?improvement",
           "Breathless, raised NT-proBNP. ?heart failure"],
}


# ----------------------------------------------------------------------------------------------------------
# Phrase bank: normal sentences by domain and abnormal items with matching impression wording
# ----------------------------------------------------------------------------------------------------------

NORMAL_F = {
    "lungs": ["The lungs are clear.", "Lungs clear.", "Clear lung fields.", "No focal lung abnormality.",
              "The lungs are clear with no consolidation or mass.", "No consolidation, collapse or suspicious mass."],
    "lungs_other": ["The lungs are otherwise clear.", "Lungs otherwise clear.", "No other focal lung abnormality.",
                    "The remainder of the lungs is clear."],
    "heart": ["Heart size is normal.", "Normal heart size.", "The heart is not enlarged.",
              "Cardiothoracic ratio within normal limits.", "Cardiac size and contour are normal."],
    "medi": ["Mediastinal contours are unremarkable.", "Normal mediastinal and hilar outlines.",
             "Hila are normal in size and position.", "No hilar or mediastinal mass."],
    "pleura": ["No pleural effusion.", "Costophrenic angles are clear.", "CP angles are sharp.",
               "No pleural effusion or pneumothorax."],
    "ptx": ["No pneumothorax."],
    "bones": ["No acute bony abnormality.", "Bones and soft tissues unremarkable.", "Visualised skeleton intact.",
              "No destructive bone lesion seen."],
}

NORMAL_I = ["Normal chest radiograph.", "No acute abnormality.", "No active chest disease.",
            "Normal chest X-ray. No evidence of active disease.", "No significant abnormality detected.",
            "Normal appearances.", "No acute cardiopulmonary abnormality.", "Clear chest. No acute findings.",
            "Normal CXR."]
NORMAL_I_CA = ["No radiographic features to suggest malignancy.", "Normal chest radiograph. No suspicious lung lesion.",
               "No evidence of lung cancer on this film. If symptoms persist, consider CT."]

ZONES = ["lower", "mid", "upper"]

# Each item: domain (for the findings order and the structured layout), lat (has a side), sig (an omission of it
# from the impression is an error), f (findings wordings), i (impression wordings), neg (impression negation of
# it), assert (impression assertion used for a findings-negated domain), rec (recommendations tied to it).
ITEMS = {
    "consolidation": dict(domain="lungs", lat=True, sig=True, fam="consolidation", f=[
        "There is airspace opacification in the {side} {zone} zone in keeping with consolidation.",
        "Patchy consolidation in the {side} {zone} zone.",
        "{Side} {zone} zone consolidation with air bronchograms.",
        "Ill-defined airspace shadowing in the {side} {zone} zone, new since the previous film.",
    ], i=["{Side} {zone} zone consolidation, likely infective.",
          "Appearances in keeping with {side} {zone} zone pneumonia.", "{Side} {zone} zone infection.",
          "{Side} sided consolidation, in keeping with infection in this clinical context."],
        neg=["No consolidation.", "Lungs clear.", "No focal consolidation."],
        rec=["Suggest repeat CXR in 6 weeks after treatment to confirm resolution.",
             "Recommend follow-up film in 6-8 weeks to ensure resolution."]),
    "effusion": dict(domain="pleura", lat=True, sig=True, fam="effusion", f=[
        "Moderate {side} pleural effusion with a meniscus.",
        "Large {side} pleural effusion, no mediastinal shift.",
        "Moderate sized {side} pleural effusion, new since the previous examination.",
        "Blunting of the {side} costophrenic angle by a moderate effusion tracking up the lateral chest wall.",
    ], i=["Moderate {side} pleural effusion.", "{Side} pleural effusion, moderate in size.",
          "Large {side} pleural effusion - cause not evident; consider ultrasound and aspiration.",
          "{Side} sided pleural fluid."],
        neg=["No pleural effusion.", "No effusion."],
        rec=["Suggest pleural ultrasound and referral to the respiratory team."]),
    "small_effusion": dict(domain="pleura", lat=True, sig=False, fam="effusion", f=[
        "Small {side} pleural effusion.", "Blunting of the {side} costophrenic angle, likely a small effusion."],
        i=["Small {side} pleural effusion.", "Small {side} effusion."], neg=["No pleural effusion."], rec=[]),
    "pneumothorax": dict(domain="ptx", lat=True, sig=True, fam="pneumothorax", f=[
        "{Side} apical pneumothorax with a rim of {n} cm at the level of the hilum.",
        "There is a {side} sided pneumothorax, rim measuring {n} cm. No mediastinal shift.",
        "Visceral pleural edge seen at the {side} apex in keeping with a pneumothorax ({n} cm).",
    ], i=["{Side} pneumothorax ({n} cm at the hilum).", "{Side} sided pneumothorax.",
          "{Side} apical pneumothorax."], neg=["No pneumothorax."],
        rec=["Discussed with the referring GP by telephone; patient directed to ED.",
             "Urgent finding communicated to the GP practice by telephone."]),
    "mass": dict(domain="lungs", lat=True, sig=True, fam="mass", f=[
        "There is a {n} cm mass in the {side} {zone} zone.",
        "A rounded {n} cm opacity is projected over the {side} {zone} zone, suspicious for a mass.",
        "Spiculated {n} cm mass lesion in the {side} {zone} zone, new since the previous film.",
    ], i=["{Side} {zone} zone mass, suspicious for malignancy.", "{n} cm {side} lung mass - ?primary lung cancer.",
          "Suspicious {side} {zone} zone mass lesion."], neg=["No suspicious lung mass.", "No mass lesion."],
        rec=["Recommend urgent CT chest via the lung cancer pathway.", "Urgent CT thorax advised; 2WW referral.",
             "Flagged for the lung cancer pathway: CT chest with contrast recommended."]),
    "nodule": dict(domain="lungs", lat=True, sig=True, fam="nodule", f=[
        "{mm} mm nodule in the {side} {zone} zone.", "There is a {mm} mm soft tissue nodule projected over the {side} "
        "{zone} zone, not seen on the previous film."],
        i=["{mm} mm {side} {zone} zone nodule.", "Indeterminate {side} pulmonary nodule ({mm} mm)."],
        neg=["No pulmonary nodule.", "No suspicious lung lesion."],
        rec=["CT chest recommended for further characterisation.", "Suggest CT chest."]),
    "oedema": dict(domain="lungs", lat=False, sig=True, fam="oedema", f=[
        "Upper lobe venous diversion with bilateral perihilar haze and Kerley B lines, in keeping with pulmonary "
        "oedema.",
        "Bilateral interstitial shadowing with septal lines, in keeping with interstitial oedema.",
        "Pulmonary venous congestion with perihilar airspace shadowing, worse than on the previous film.",
    ], i=["Pulmonary oedema.", "Features of fluid overload / pulmonary oedema.",
          "Appearances in keeping with congestive cardiac failure.", "Interstitial pulmonary oedema."],
        neg=["No pulmonary oedema.", "No features of cardiac failure."],
        rec=["Correlate with weight and clinical status on the virtual ward."]),
    "bilat_effusions": dict(domain="pleura", lat=False, sig=True, fam="effusion", f=[
        "Moderate bilateral pleural effusions.", "Bilateral pleural effusions, moderate on both sides."],
        i=["Moderate bilateral pleural effusions.", "Bilateral effusions."], neg=["No pleural effusion."], rec=[]),
    "cardiomegaly": dict(domain="heart", lat=False, sig=False, fam="cardiomegaly", f=[
        "The heart is enlarged (CTR 0.6).", "Cardiomegaly.", "The cardiac silhouette is enlarged.",
        "Mild cardiomegaly, unchanged from the previous film."],
        i=["Cardiomegaly.", "Enlarged heart.", "Cardiomegaly, stable."], neg=["Heart size normal.", "No cardiomegaly."],
        rec=[]),
    "copd": dict(domain="lungs", lat=False, sig=False, fam="hyperinflation", f=[
        "The lungs are hyperexpanded with flattened hemidiaphragms, in keeping with COPD.",
        "Hyperinflated lungs consistent with emphysema."],
        i=["Hyperinflation consistent with COPD.", "Emphysematous change."], neg=["No hyperinflation."], rec=[]),
    "postcovid": dict(domain="lungs", lat=False, sig=False, fam="reticulation", f=[
        "Residual bilateral peripheral lower zone reticular opacities, improved compared with the previous film.",
        "Faint bilateral basal reticular change, much improved since the previous radiograph."],
        i=["Residual post-COVID change at both bases, improving.", "Improving bilateral basal reticular change."],
        neg=["No residual lung abnormality."],
        rec=["If breathlessness persists, consider referral to the post-COVID clinic for CT."]),
    "granuloma": dict(domain="lungs", lat=True, sig=False, fam="granuloma", f=[
        "Calcified granuloma in the {side} {zone} zone.", "Small calcified nodule in the {side} {zone} zone, "
        "benign in appearance."], i=["Calcified {side} {zone} zone granuloma, benign."], neg=[], rec=[]),
    "ribs": dict(domain="bones", lat=True, sig=False, fam="fracture", f=[
        "Old healed {side} rib fractures.", "Healed fractures of the {side} 6th and 7th ribs."],
        i=["Old {side} rib fractures."], neg=[], rec=[]),
}

# Items that only sit in the findings (incidental, never in the impression, not labelled).
INCIDENTAL_F = [("bones", "Degenerative changes in the thoracic spine."), ("medi", "Unfolded thoracic aorta."),
                ("other", "Dual chamber pacemaker in situ with leads in satisfactory position."),
                ("other", "Median sternotomy wires."), ("medi", "Aortic knuckle calcification.")]

# What an impression asserts against a findings domain that was reported normal (negation_conflict).
ASSERT_I = {
    "lungs": ["{Side} {zone} zone consolidation.", "{Side} {zone} zone pneumonia.", "Bilateral basal consolidation."],
    "heart": ["Cardiomegaly.", "Enlarged heart."],
    "pleura": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion.", "Bilateral small effusions."],
    "ptx": ["Small {side} apical pneumothorax."],
    "medi": ["{Side} hilar mass.", "Widened mediastinum."],
}

PROFILES = [  # (weight, clinical group, items)
    (30, "cough", []), (14, "cancer", []), (8, "breath", []), (6, "covid", []), (4, "hf", []),
    (10, "cough", ["consolidation"]), (3, "cough", ["consolidation", "small_effusion"]),
    (3, "cancer", ["mass"]), (3, "cancer", ["nodule"]), (2, "cancer", ["mass", "copd"]),
    (4, "breath", ["effusion"]), (2, "breath", ["pneumothorax"]), (5, "breath", ["copd"]),
    (3, "breath", ["copd", "consolidation"]), (6, "covid", ["postcovid"]),
    (5, "hf", ["cardiomegaly", "oedema"]), (3, "hf", ["cardiomegaly", "bilat_effusions"]),
    (3, "hf", ["cardiomegaly"]), (3, "hf", ["cardiomegaly", "oedema", "bilat_effusions"]),
    (3, "cancer", ["granuloma"]), (2, "cough", ["ribs"]),
]
DOMAIN_ORDER = ["lungs", "lungs_other", "pleura", "ptx", "heart", "medi", "bones", "other"]
DOMAIN_LABEL = {"lungs": "Lungs", "lungs_other": "Lungs", "pleura": "Pleura", "ptx": "Pleura", "heart": "Heart",
                "medi": "Mediastinum", "bones": "Bones", "other": "Lines/devices"}


def _fill(t: str, v: dict) -> str:
    return t.format(side=v.get("side", ""), Side=v.get("side", "").capitalize(), zone=v.get("zone", ""),
                    n=v.get("n", ""), mm=v.get("mm", ""))


def compose(rng: random.Random, need: str | None = None) -> dict:
    """A consistent composed case: clinical, comparison, findings [(domain, text, item)], impression [(text, item)]."""
    pool = PROFILES
    if need == "lat":
        pool = [p for p in PROFILES if any(ITEMS[i]["lat"] and ITEMS[i]["i"] for i in p[2])]
    elif need == "sig":
        pool = [p for p in PROFILES if any(ITEMS[i]["sig"] for i in p[2])]
    elif need == "abn":
        pool = [p for p in PROFILES if any(ITEMS[i]["neg"] for i in p[2])]
    elif need == "normal":
        pool = [p for p in PROFILES if not p[2]]
    _, clin, names = rng.choices(pool, weights=[p[0] for p in pool])[0]
    side = rng.choice(["right", "left"])
    prior = rng.random() < 0.45
    comp = f"CXR {_date(rng)}" if prior else rng.choice(["None available.", "None.", "No previous imaging available."])
    items = []
    for name in names:
        spec = ITEMS[name]
        v = {"side": side if spec["lat"] else "", "zone": rng.choice(ZONES if name != "pneumothorax" else ["upper"]),
             "n": str(rng.choice([2, 2.5, 3, 3.5, 4, 5])), "mm": str(rng.choice([7, 8, 9, 10, 12, 14, 15, 18]))}
        if name in ("effusion", "small_effusion"):
            v["zone"] = "lower"
        ftxt = rng.choice(spec["f"])
        if not prior:
            ftxt = ftxt.replace(", new since the previous film", "").replace(", new since the previous examination", "")
            ftxt = ftxt.replace(", not seen on the previous film", "").replace(", unchanged from the previous film", "")
            ftxt = ftxt.replace(", worse than on the previous film", "")
            if "previous" in ftxt or "improved" in ftxt:
                ftxt = spec["f"][0]
        if not prior and name == "postcovid":
            ftxt = "Residual bilateral peripheral lower zone reticular opacities."
        itxt = rng.choice(spec["i"])
        if not prior and name == "postcovid":
            itxt = "Residual post-COVID change at both bases."
        if not prior and itxt.endswith(", stable."):
            itxt = "Cardiomegaly."
        items.append({"name": name, "v": v, "f": _fill(ftxt, v), "i": _fill(itxt, v), "spec": spec,
                      "rec": _fill(rng.choice(spec["rec"]), v) if spec["rec"] and rng.random() < 0.7 else ""})
    used = {it["spec"]["domain"] for it in items}
    findings = []
    if prior and rng.random() < 0.4:
        findings.append(("intro", f"Comparison is made with the previous film of {comp[4:]}.", None))
    lung_items = [it for it in items if it["spec"]["domain"] == "lungs"]
    for it in items:
        findings.append((it["spec"]["domain"], it["f"], it))
    if lung_items:
        if not any(it["name"] in ("oedema", "copd", "postcovid") for it in lung_items) or rng.random() < 0.5:
            findings.append(("lungs_other", rng.choice(NORMAL_F["lungs_other"]), None))
    else:
        findings.append(("lungs", rng.choice(NORMAL_F["lungs"]), None))
    if "heart" not in used:
        findings.append(("heart", rng.choice(NORMAL_F["heart"]), None))
    if rng.random() < 0.6:
        findings.append(("medi", rng.choice(NORMAL_F["medi"]), None))
    if "pleura" not in used and "ptx" not in used:
        pl = rng.choice(NORMAL_F["pleura"])
        findings.append(("pleura", pl, None))
        if "pneumothorax" not in pl and rng.random() < 0.5:
            findings.append(("ptx", "No pneumothorax.", None))
    elif "ptx" not in used:
        findings.append(("ptx", "No pneumothorax.", None))
    elif "pleura" not in used:
        findings.append(("pleura", "No pleural effusion.", None))
    if rng.random() < 0.3:
        findings.append(rng.choice(INCIDENTAL_F) + (None,))
    if rng.random() < 0.55:
        findings.append(("bones", rng.choice(NORMAL_F["bones"]), None))
    order = {d: k for k, d in enumerate(["intro"] + DOMAIN_ORDER)}
    if rng.random() < 0.7:
        findings.sort(key=lambda t: order[t[0]])
    impression = []
    for it in items:
        if it["spec"]["i"]:
            impression.append((it["i"], it))
    recs = [it["rec"] for it in items if it["rec"]]
    if not impression:
        impression.append((rng.choice(NORMAL_I_CA if clin == "cancer" and rng.random() < 0.5 else NORMAL_I), None))
    elif rng.random() < 0.25 and not any(it["spec"]["sig"] for it in items):
        impression.append(("No acute abnormality.", None))
    return {"clin": rng.choice(CLINICAL[clin]), "comp": comp, "findings": findings, "impression": impression,
            "recs": recs, "sign": signoff(rng), "source": "composed"}


# ----------------------------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------------------------

def render(case: dict, rng: random.Random, missing: str | None = None) -> tuple[str, str]:
    """Free text with section headers; `missing` in {None, 'find_empty', 'imp_empty', 'imp_sign', 'imp_removed'}."""
    style = rng.choice(["block", "inline", "caps", "radiographer"])
    lines = []
    if rng.random() < 0.15:
        lines.append(rng.choice(["Patient: XXXX XXXX   DOB: XX/XX/XXXX", "NHS No: XXX XXX XXXX",
                                 "Name: XXXX  Hospital no: XXXX"]))
    lines.append(rng.choice(EXAMS) if style != "caps" else rng.choice(EXAMS).upper())
    clin_h = rng.choice(CLIN_H)
    fh, ih = rng.choice(FIND_H), rng.choice(IMP_H)
    if style == "caps":
        clin_h, fh, ih = clin_h.upper(), fh.upper(), ih.upper()
    if case.get("clin"):
        lines.append(f"{clin_h} {case['clin']}")
    comp = case.get("comp")
    if comp:
        lines.append(f"{rng.choice(COMP_H)} {comp}")
    body = [t for _, t, _ in case["findings"]]
    structured = case["source"] == "composed" and style == "radiographer" and rng.random() < 0.7
    if structured:
        groups: dict[str, list[str]] = {}
        for d, t, _ in case["findings"]:
            groups.setdefault(DOMAIN_LABEL.get(d, "Other"), []).append(t)
        ftext = "\n".join(f"{k}: {' '.join(v)}" for k, v in groups.items())
    elif style == "block" and len(body) > 3 and rng.random() < 0.3:
        ftext = "\n".join(body)
    else:
        ftext = " ".join(body)
    imp = [t for t, _ in case["impression"]]
    recs = case.get("recs") or []
    if len(imp) > 1 and rng.random() < 0.6:
        itext = "\n".join(f"{k}. {t}" for k, t in enumerate(imp, 1))
        if recs:
            itext += "\n" + " ".join(recs)
    else:
        itext = " ".join(imp + recs)
    sign = case["sign"]
    fh_txt = fh if fh.endswith(":") else fh + ":"
    layout = f"{style}/{fh_txt[:-1].title()}+{ih.rstrip(':').title()}"
    inline = style == "inline"

    def sect(h: str, text: str) -> str:
        if inline and "\n" not in text:
            return f"{h if h.endswith(':') else h + ':'} {text}".rstrip()
        return f"{h}\n{text}" if text else h

    if missing == "find_empty":
        lines.append(fh if not inline else fh_txt)
    else:
        lines.append(sect(fh, ftext))
    if missing == "imp_empty":
        lines.append(ih if not inline else (ih if ih.endswith(":") else ih + ":"))
        lines.append(sign)
    elif missing == "imp_sign":
        lines.append(f"{ih}\n{sign}")
    elif missing == "imp_removed":
        lines.append(sign)
    else:
        lines.append(sect(ih, itext))
        lines.append(sign)
    sep = "\n" if style in ("inline", "radiographer") else "\n\n"
    return sep.join(lines), layout


# ----------------------------------------------------------------------------------------------------------
# Injections on composed cases
# ----------------------------------------------------------------------------------------------------------

def _swap_side(text: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        o = {"right": "left", "left": "right"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(right|left|Right|Left)\b", rep, text)


def inject_composed(kind: str, rng: random.Random) -> tuple[dict, str, str | None]:
    if kind == "missing_section":
        case = compose(rng)
        mode = rng.choice(["find_empty", "imp_empty", "imp_sign", "imp_removed"])
        if mode == "find_empty":
            case["impression"] = [(rng.choice(NORMAL_I), None)] if rng.random() < 0.5 else case["impression"][:1]
            case["recs"] = []
        what = {"find_empty": "FINDINGS header left with nothing under it", "imp_empty": "conclusion header left empty",
                "imp_sign": "conclusion header with only the sign-off under it",
                "imp_removed": "conclusion section removed"}[mode]
        return case, what, mode
    if kind == "laterality_conflict":
        case = compose(rng, "lat")
        cands = [it for _, _, it in case["findings"] if it and it["spec"]["lat"] and it["spec"]["i"]]
        it = rng.choice(cands)
        if rng.random() < 0.5:
            case["findings"] = [(d, _swap_side(t) if x is it else t, x) for d, t, x in case["findings"]]
            where = "findings"
        else:
            case["impression"] = [(_swap_side(t) if x is it else t, x) for t, x in case["impression"]]
            where = "conclusion"
        case["recs"] = [r for r in case["recs"] if not re.search(r"\b(right|left)\b", r, re.I)]
        return case, f"{it['name']}: side flipped to the {_swap_side(it['v']['side'])} in the {where}", None
    if kind == "negation_conflict":
        if rng.random() < 0.5:
            case = compose(rng, "abn")
            cands = [it for t, it in case["impression"] if it and it["spec"]["neg"]]
            it = rng.choice(cands)
            neg = rng.choice(it["spec"]["neg"])
            case["impression"] = [(neg if x is it else t, x) for t, x in case["impression"]]
            case["recs"] = [r for r in case["recs"] if r != it["rec"]]
            return case, f"conclusion negates the findings' {it['name']}: '{neg}'", None
        case = compose(rng, "normal" if rng.random() < 0.6 else None)
        doms = [d for d, t, x in case["findings"] if x is None and d in ASSERT_I]
        d = rng.choice(doms)
        side = rng.choice(["right", "left"])
        a = _fill(rng.choice(ASSERT_I[d]), {"side": side, "zone": rng.choice(ZONES)})
        normal_imp = all(x is None for _, x in case["impression"])
        if normal_imp:
            case["impression"] = [(a, None)]
        else:
            case["impression"] = case["impression"] + [(a, None)]
        ftxt = next(t for dd, t, x in case["findings"] if dd == d and x is None)
        return case, f"conclusion asserts '{a}' against findings '{ftxt}'", None
    if kind == "impression_omits_finding":
        case = compose(rng, "sig")
        cands = [it for _, _, it in case["findings"] if it and it["spec"]["sig"]]
        it = rng.choice(cands)
        others = [(t, x) for t, x in case["impression"] if x is not it and x is not None
                  and x["spec"]["fam"] != it["spec"]["fam"]]
        case["recs"] = [r for r in case["recs"] if r != it["rec"]]
        if rng.random() < 0.5 or not others:
            if rng.random() < 0.5 or not others:
                case["impression"] = [(rng.choice(NORMAL_I), None)]
                case["recs"] = []
                return case, f"findings' {it['name']} left out; conclusion replaced by a normal statement", None
        case["impression"] = others
        return case, f"findings' {it['name']} left out; conclusion lists only the other findings", None
    if kind == "placeholder":
        case = compose(rng)
        return case, *placeholder_composed(case, rng)
    raise ValueError(kind)


PH_WORD = ["[***]", "***", "[ ]", "[insert]"]


def placeholder_composed(case: dict, rng: random.Random) -> tuple[str, None]:
    opts = []
    for k, (d, t, x) in enumerate(case["findings"]):
        if re.search(r"\b\d+(\.\d)? (cm|mm)\b", t):
            opts.append(("f", k, "size"))
        if re.search(r"\b(right|left)\b", t, re.I):
            opts.append(("f", k, "side"))
        if d == "heart" and x is None and "normal" in t:
            opts.append(("f", k, "choice"))
        if d in ("lungs", "lungs_other", "pleura", "ptx", "bones", "medi", "heart") and x is None:
            opts.append(("f", k, "word"))
    for k, (t, _x) in enumerate(case["impression"]):
        if re.search(r"\b(right|left)\b", t, re.I):
            opts.append(("i", k, "side"))
    if case["comp"].startswith("CXR "):
        opts.append(("c", 0, "date"))
    if case["recs"]:
        opts.append(("r", 0, "rec"))
    where, k, how = rng.choice(opts)
    if where == "c":
        ph = rng.choice(["[date]", "[insert date of previous]", "<<date>>"])
        case["comp"] = "CXR " + ph
        return f"comparison date left as template field {ph}", None
    if where == "r":
        ph = rng.choice(["[ ]", "XX", "<<interval>>"])
        case["recs"] = ["Suggest repeat CXR in " + ph + " weeks to confirm resolution."] + case["recs"][1:]
        return f"recommendation interval left as {ph}", None
    if where == "f":
        d, t, x = case["findings"][k]
    else:
        t, x = case["impression"][k]
    if how == "size":
        ph = rng.choice(["XX", "<<size>>", "[ ]", "[***]"])
        new = re.sub(r"\b\d+(\.\d)? (cm|mm)\b", lambda m: f"{ph} {m.group(2)}", t, count=1)
    elif how == "side":
        ph = rng.choice(["[side]", "<<side>>", "[right/left]", "[***]"])
        new = re.sub(r"\b(right|left)\b", ph, t, count=1, flags=re.I)
        if new[0] == "[" or new[0] == "<":
            pass
    elif how == "choice":
        ph = rng.choice(["[normal/enlarged]", "[normal/increased]"])
        new = t.replace("normal", ph, 1)
    else:
        words = [m for m in re.finditer(r"\b(clear|sharp|unremarkable|intact|normal|consolidation|effusion|"
                                        r"acute|mass|lesion|contours|pneumothorax|enlarged|abnormality)\b", t)]
        if not words:
            words = list(re.finditer(r"\b[a-z]{5,}\b", t))
        m = rng.choice(words)
        ph = rng.choice(PH_WORD)
        new = t[:m.start()] + ph + t[m.end():]
    if where == "f":
        case["findings"][k] = (d, new, x)
    else:
        case["impression"][k] = (new, x)
    return f"'{t}' -> '{new}'", None


# ----------------------------------------------------------------------------------------------------------
# IU reports: loading, analysis, re-layout
# ----------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def load_iu(root: str) -> tuple:
    out = []
    with tarfile.open(Path(root) / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.name.endswith(".xml"):
                continue
            x = ET.fromstring(tf.extractfile(m).read())
            uid = x.find("uId").get("id")
            sec = {a.get("Label"): (a.text or "").strip() for a in x.iter("AbstractText")}
            out.append((uid, sec.get("INDICATION", ""), sec.get("COMPARISON", ""), sec.get("FINDINGS", ""),
                        sec.get("IMPRESSION", "")))
    out.sort(key=lambda r: int(r[0][3:]))
    return tuple(out)


def dev_uids(root: str) -> set[str]:
    p = Path(root) / "eval" / "report_errors_dev.jsonl"
    return {json.loads(line)["uid"] for line in open(p)} if p.exists() else set()


FAM = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia",
    "opacity": r"opacit|densit",
    "atelectasis": r"atelecta|collapse",
    "edema": r"edema|oedema|congesti|kerley",
    "cardiomegaly": r"cardiomegaly|enlarged (heart|cardiac)|(heart|cardiac)( size| silhouette)?( is)?"
                    r"( mildly| moderately| slightly| markedly)? (enlarged|large|prominent)|cardiac enlargement",
    "mass": r"\bmass",
    "nodule": r"nodul",
    "hyper": r"hyperinflat|hyperexpan|emphysema|copd|overinflat",
    "mediastinum": r"widen|mediastinal (widening|mass)",
    "fracture": r"fractur",
}
GROUP = {"consolidation": "lung", "opacity": "lung", "atelectasis": "lung"}
NEG_CUE = r"\b(no|not|without|negative|free of|resolved|resolution|clear of|nor)\b"
AFF_CUE = r"\b(but|there is|there are|mild|mildly|small|moderate|large|increased|new|stable|persistent|minimal|" \
          r"again|slight|tiny|trace|with)\b"
AMB = r"cannot|can not|not excluded|no definite|questionable|indeterminate|\?"
POST_NEG = r"^\W*(\w+\W+){0,3}?(is|are|has|have)?\W*(been\W+)?(not|no longer|resolved|absent|removed)\b"
LUNGS_CLEAR = r"lungs? (are |is )?(clear|normal|grossly clear)|clear lungs|lungs (are )?(well )?(expanded|" \
              r"aerated|inflated) and clear|lung fields are clear"
HEART_NORMAL = r"(heart|cardiac|cardiomediastinal)( size| silhouette| contours?)?( and [a-z ]+)? (is |are )?(normal|" \
               r"within normal|unremarkable|stable)|normal (heart|cardiac)|heart size normal"
NORMAL_IMP = r"no acute|normal chest|no active|negative (chest|exam|study)|no evidence of (acute|active)|" \
             r"normal (exam|study|radiograph)|no radiographic evidence|no significant|unremarkable"


def imp_items(text: str) -> list[str]:
    """Impression items: the numbered points when there are several, else the sentences."""
    items = [x.strip() for x in re.split(r"(?:^|\s)\d\.\s+", text.strip()) if x.strip()]
    return items if len(items) > 1 else sentences(" ".join(items))


def sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p for p in parts if p]


def analyse(text: str) -> dict:
    """Per family: aff/neg/amb statuses, sides of affirmed mentions, small-effusion flag."""
    res: dict = {"fams": {}, "sides": set(), "small": False}
    low = text.lower()
    for s in re.split(r"(?<=[.;])\s+|\s\d\.\s", low):
        res["sides"] |= set(re.findall(r"\b(right|left)\b", s))
        for clause in re.split(r";| but | however", s):
            if re.search(AMB, clause):
                amb_clause = True
            else:
                amb_clause = False
            for fam, pat in FAM.items():
                for m in re.finditer(pat, clause):
                    before, after = clause[:m.start()], clause[m.end():]
                    negs = list(re.finditer(NEG_CUE, before))
                    if amb_clause:
                        st = "amb"
                    elif negs:
                        between = before[negs[-1].end():]
                        st = "amb" if re.search(AFF_CUE, between) else "neg"
                    elif re.search(POST_NEG, after):
                        st = "neg"
                    else:
                        st = "aff"
                        if fam == "effusion" and re.search(r"small|trace|tiny|minimal|blunt", clause):
                            res["small"] = True
                    res["fams"].setdefault(fam, set()).add(st)
            if re.search(LUNGS_CLEAR, clause):
                for fam in ("consolidation", "opacity", "edema", "mass"):
                    res["fams"].setdefault(fam, set()).add("neg")
            if re.search(HEART_NORMAL, clause):
                res["fams"].setdefault("cardiomegaly", set()).add("neg")
    return res


def _aff(a: dict) -> set[str]:
    return {f for f, st in a["fams"].items() if "aff" in st}


def _neg(a: dict) -> set[str]:
    return {f for f, st in a["fams"].items() if "neg" in st}


def _grp(fams: set[str]) -> set[str]:
    return {GROUP.get(f, f) for f in fams}


SOFT = r"minimal|mild|subtle|streak|small|trace|slight|faint|possibl|may |might|minor|tiny|early|probabl|likely|" \
       r"question|suspect|could|resolv|improv|decreas|chronic|stable|unchanged|old|scar"
HEDGE = r"possibl|may |might|question|suspect|could|probabl|likely|minimal|trace|subtle|blunting|resolv|xxxx"
SIG_FAMS = {"consolidation", "pneumothorax", "edema", "mass", "effusion", "mediastinum"}


def iu_profile(rec: tuple) -> dict | None:
    uid, ind, comp, fnd, imp = rec
    if len(fnd) < 40 or len(imp) < 10 or re.search(r"\[|\]|\*\*\*|<<|>>|___", fnd + imp):
        return None
    fa, ia = analyse(fnd), analyse(imp)
    if any("amb" in st for a in (fa, ia) for st in a["fams"].values()):
        return None
    faff, iaff, fneg, ineg = _aff(fa), _aff(ia), _neg(fa), _neg(ia)
    ok = True
    if not _grp(iaff) <= _grp(faff):
        ok = False
    if (ineg & faff) - {"nodule", "fracture", "hyper", "opacity", "atelectasis"} or (fneg & iaff):
        ok = False
    if ineg & faff & {"opacity", "atelectasis"} and re.search(LUNGS_CLEAR, imp.lower()):
        ok = False
    sig_f = faff & SIG_FAMS
    if fa["small"] and "effusion" in sig_f and "effusion" not in iaff:
        sig_f = sig_f - {"effusion"}
    if not _grp(sig_f) <= _grp(iaff):
        ok = False
    normal_imp = not iaff and bool(re.search(NORMAL_IMP, imp.lower()))
    if normal_imp and faff - {"fracture"}:
        ok = False
    if normal_imp and re.search(r"calcified (lymph )?nod|granulom", fnd.lower()) is None and "nodule" in faff:
        ok = False
    if not ia["sides"] <= fa["sides"]:
        ok = False
    if "nodule" in faff and "nodule" not in iaff and not re.search(r"calcifi|granulom", fnd.lower()):
        ok = False
    if re.search(r"\b(new|increas|worse|enlarg)", fnd.lower()) and normal_imp:
        ok = False
    if "fracture" in faff and "fracture" not in iaff:
        for sent in sentences(fnd.lower()):
            if "fractur" in sent and "fracture" in _aff(analyse(sent)) and not re.search(r"old|heal|remote|chronic|"
                                                                                       r"prior|stable|previous", sent):
                ok = False
    return {"uid": uid, "ok": ok, "faff": faff, "iaff": iaff, "fneg": fneg, "ineg": ineg, "fa": fa, "ia": ia,
            "normal_imp": normal_imp, "sig_f": sig_f}


UK = [(r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"esophag", "oesophag"), (r"Esophag", "Oesophag"),
      (r"hemorrhag", "haemorrhag"), (r"\btumor", "tumour"), (r"centimeter", "centimetre"),
      (r"millimeter", "millimetre"), (r"ischemi", "ischaemi"), (r"\banemi", "anaemi"), (r"\bstatus post\b", "post"),
      (r"\bStatus post\b", "Post"), (r"\bs/p\b", "post"), (r"\bhilar\b", "hilar"), (r"\bleft-sided\b", "left sided"),
      (r"\bright-sided\b", "right sided"), (r"x-XXXX", "X-ray")]
REWORD = [(r"\bNo acute cardiopulmonary (abnormality|disease|process|findings?)\.?", "No acute abnormality."),
          (r"\bNegative chest X-ray\.?", "Normal chest X-ray."),
          (r"\bNo active disease\.?", "No active chest disease."),
          (r"\bHeart size normal\b", "Heart size is normal"),
          (r"\bLungs are clear\b", "The lungs are clear"),
          (r"\bbasilar\b", "basal"), (r"\bBibasilar\b", "Bibasal"), (r"\bbibasilar\b", "bibasal"),
          (r"\bmidlung\b", "mid zone"), (r"\bcostophrenic (sulcus|recess)\b", "costophrenic angle"),
          (r"\bchest radiographs?\b", "chest films")]


def ukify(text: str, rng_words: list[tuple[str, str]]) -> str:
    for a, b in UK + rng_words:
        text = re.sub(a, b, text)
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)
    return re.sub(r"\s+\.", ".", text).strip()


def iu_case(rec: tuple, rng: random.Random) -> tuple[dict, list[str]]:
    uid, ind, comp, fnd, imp = rec
    rw = [p for p in REWORD if rng.random() < 0.7]
    changes = ["re-laid out with NHS headers and sign-off", "UK spelling"]
    if rw:
        changes.append("light re-wording (" + ", ".join(sorted({re.sub(r"\\b|\\.\?|[()?|]", "", b).strip()[:20]
                                                                for _, b in rw})[:3]) + ")")
    ftxt = ukify(fnd, rw)
    itxt = ukify(imp, rw)
    items = imp_items(itxt)
    ind = ukify(ind, [])
    comp = ukify(comp, []) if comp else ""
    if comp.lower().startswith("none") or not comp:
        comp = rng.choice(["None available.", "None.", ""])
    case = {"clin": ind, "comp": comp, "findings": [("prose", s, None) for s in sentences(ftxt)],
            "impression": [(s, None) for s in items], "recs": [], "sign": signoff(rng), "source": "iu"}
    return case, changes


def _fam_in(text: str, fams: set[str]) -> bool:
    low = text.lower()
    return any(re.search(FAM[f], low) for f in fams)


def inject_iu(kind: str | None, rec: tuple, prof: dict, rng: random.Random) -> tuple[dict, str, str | None] | None:
    case, changes = iu_case(rec, rng)
    head = f"IU {prof['uid']}: " + "; ".join(changes)
    if kind is None:
        return case, head + "; no error injected", None
    if kind == "missing_section":
        mode = rng.choice(["find_empty", "imp_empty", "imp_sign", "imp_removed"])
        if mode == "find_empty" and not prof["normal_imp"]:
            mode = "imp_empty"
        return case, head + f"; {mode.replace('_', ' ')} (section emptied)", mode
    if kind == "laterality_conflict":
        where = rng.choice(["f", "i"])
        if where == "f":
            ks = [k for k, (_, t, _) in enumerate(case["findings"])
                  if re.search(r"\b(right|left)\b", t, re.I) and _fam_in(t, prof["faff"])]
            if not ks:
                return None
            k = rng.choice(ks)
            d, t, x = case["findings"][k]
            case["findings"][k] = (d, _swap_side(t), x)
        else:
            ks = [k for k, (t, _) in enumerate(case["impression"])
                  if re.search(r"\b(right|left)\b", t, re.I) and _fam_in(t, prof["iaff"])]
            if not ks:
                return None
            k = rng.choice(ks)
            t, x = case["impression"][k]
            case["impression"][k] = (_swap_side(t), x)
        return case, head + f"; side flipped in '{t}' ({'findings' if where == 'f' else 'impression'})", None
    if kind == "negation_conflict":
        # A: impression asserts what the findings negate; B: impression negates what the findings affirm.
        side = rng.choice(sorted(prof["fa"]["sides"] or {"right", "left"}))
        if prof["mode"] == "A":
            fam = prof["target"]
            a = {"effusion": [f"{side.capitalize()} pleural effusion.", "Small bilateral pleural effusions."],
                 "pneumothorax": [f"Small {side} apical pneumothorax."],
                 "consolidation": [f"{side.capitalize()} lower zone consolidation.",
                                   f"{side.capitalize()} basal pneumonia."],
                 "cardiomegaly": ["Cardiomegaly.", "Enlarged heart."],
                 "edema": ["Pulmonary oedema.", "Mild interstitial oedema."]}[fam]
            a = rng.choice(a)
            if prof["normal_imp"]:
                case["impression"] = [(a, None)]
            else:
                case["impression"] = case["impression"] + [(a, None)]
            return case, head + f"; impression asserts '{a}' although the findings negate {fam}", None
        fam, k = prof["target"], prof["k"]
        neg = {"effusion": "No pleural effusion.", "pneumothorax": "No pneumothorax.",
               "consolidation": "No focal consolidation.", "cardiomegaly": "Heart size is normal.",
               "edema": "No pulmonary oedema.", "mass": "No lung mass."}[fam]
        old = case["impression"][k][0]
        case["impression"][k] = (neg, None)
        return case, head + f"; impression item '{old}' replaced by '{neg}' against the findings' {fam}", None
    if kind == "impression_omits_finding":
        fam = prof["target"]
        if prof["mode"] == "normal":
            case["impression"] = [(rng.choice(NORMAL_I), None)]
            return case, head + f"; impression replaced by a normal statement, leaving out the findings' {fam}", None
        pats = prof["drop"]
        case["impression"] = [(t, x) for k, (t, x) in enumerate(case["impression"]) if k not in pats]
        return case, head + f"; impression items on {fam} removed, the other findings kept", None
    if kind == "placeholder":
        what = placeholder_iu(case, rng)
        return None if what is None else (case, head + "; " + what, None)
    raise ValueError(kind)


def placeholder_iu(case: dict, rng: random.Random) -> str | None:
    opts = []
    for k, (_, t, _) in enumerate(case["findings"]):
        if re.search(r"\b\d+(\.\d)? ?(cm|mm)\b", t):
            opts.append(("f", k, "size"))
        if re.search(r"\b(right|left)\b", t):
            opts.append(("f", k, "side"))
        if re.search(r"\b(normal|clear|unremarkable|intact|stable)\b", t):
            opts.append(("f", k, "word"))
    for k, (t, _) in enumerate(case["impression"]):
        if re.search(r"\b(right|left)\b", t):
            opts.append(("i", k, "side"))
        if re.search(r"\b(acute|normal|stable|active|mild)\b", t):
            opts.append(("i", k, "word"))
    if not opts:
        return None
    where, k, how = rng.choice(opts)
    t = case["findings"][k][1] if where == "f" else case["impression"][k][0]
    if how == "size":
        ph = rng.choice(["XX", "<<size>>", "[ ]"])
        new = re.sub(r"\b\d+(\.\d)?( ?)(cm|mm)\b", lambda m: f"{ph}{m.group(2)}{m.group(3)}", t, count=1)
    elif how == "side":
        ph = rng.choice(["[side]", "<<side>>", "[right/left]", "[***]"])
        new = re.sub(r"\b(right|left)\b", ph, t, count=1)
    else:
        pat = (r"\b(normal|clear|unremarkable|intact|stable)\b" if where == "f"
               else r"\b(acute|normal|stable|active|mild)\b")
        ph = rng.choice(PH_WORD + ["[normal/abnormal]"])
        new = re.sub(pat, ph, t, count=1)
    if where == "f":
        d, _, x = case["findings"][k]
        case["findings"][k] = (d, new, x)
    else:
        case["impression"][k] = (new, case["impression"][k][1])
    return f"'{t}' -> '{new}'"


# ----------------------------------------------------------------------------------------------------------
# Pools of IU reports per kind
# ----------------------------------------------------------------------------------------------------------

def iu_pools(root: str) -> dict[str, list[tuple[tuple, dict]]]:
    dev = dev_uids(root)
    pools: dict[str, list] = {k: [] for k in [None, *KINDS]}
    for rec in load_iu(root):
        if rec[0] in dev:
            continue
        p = iu_profile(rec)
        if p is None or not p["ok"]:
            continue
        fnd, imp = rec[3], rec[4]
        pools[None].append((rec, p))
        pools["missing_section"].append((rec, p))
        pools["placeholder"].append((rec, p))
        fs, is_ = p["fa"]["sides"], p["ia"]["sides"]
        lat_f = p["faff"] - {"fracture"}
        if len(fs) == 1 and fs == is_ and lat_f and not re.search(r"bilat|both|bibas", (fnd + imp).lower()) \
                and _grp(lat_f) & _grp(p["iaff"]):
            pools["laterality_conflict"].append((rec, p))
        # negation A: findings explicitly negate a family the impression does not mention at all
        for fam in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema"):
            if fam in p["fneg"] and fam not in p["faff"] and not _fam_in(imp, {fam}):
                if fam == "consolidation" and _grp(p["faff"]) & {"lung"}:
                    continue
                pools["negation_conflict"].append((rec, dict(p, mode="A", target=fam)))
                break
        # negation B: an impression item mentioning exactly one affirmed family also affirmed in the findings
        items = imp_items(imp)
        for k, it in enumerate(items):
            fams = _aff(analyse(it)) & {"effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema", "mass"}
            allf = _aff(analyse(it))
            if len(fams) == 1 and allf == fams and fams <= p["faff"]:
                fam = next(iter(fams))
                if not any(fam in _aff(analyse(x)) and not re.search(HEDGE, x) for x in sentences(fnd.lower())):
                    continue
                if sum(_fam_in(x, {fam}) for x in items) == 1:
                    pools["negation_conflict"].append((rec, dict(p, mode="B", target=fam, k=k)))
                    break
        # omission: a significant affirmed family in the findings, named in the impression
        sig = sorted(p["sig_f"] - ({"effusion"} if p["fa"]["small"] else set()))
        sig = [f for f in sig if any(f in _aff(analyse(x)) and not re.search(SOFT, x) for x in sentences(fnd.lower()))]
        if sig:
            fam = sig[0]
            related = {fam} | ({"opacity"} if fam == "consolidation" else set())
            drop = {k for k, it in enumerate(items) if _fam_in(it, related) or _fam_in(it, set(sig))}
            rest = [it for k, it in enumerate(items) if k not in drop]
            if rest and not any(re.search(NORMAL_IMP + r"|recommend|follow", r.lower()) for r in rest) \
                    and any(_aff(analyse(r)) for r in rest) \
                    and not (fam == "consolidation" and any("atelecta" in r.lower() and analyse(r)["sides"] &
                             analyse(" ".join(items[k] for k in drop))["sides"] for r in rest)):
                pools["impression_omits_finding"].append((rec, dict(p, mode="other", target=fam, drop=drop)))
            else:
                pools["impression_omits_finding"].append((rec, dict(p, mode="normal", target=fam)))
    return pools


# ----------------------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------------------

def _pick_iu(pools: dict, kind: str | None, n: int, used: set[str], rng: random.Random) -> list[tuple[tuple, dict]]:
    cand = [c for c in pools[kind] if c[0][0] not in used]
    if kind == "negation_conflict":
        a = [c for c in cand if c[1]["mode"] == "A"]
        b = [c for c in cand if c[1]["mode"] == "B"]
        picks = rng.sample(b, min(len(b), n // 2))
        picks += rng.sample([c for c in a if c[0][0] not in {p[0][0] for p in picks}], n - len(picks))
    elif kind == "impression_omits_finding":
        o = [c for c in cand if c[1]["mode"] == "other"]
        m = [c for c in cand if c[1]["mode"] == "normal"]
        picks = rng.sample(o, min(len(o), n // 2))
        rest = [c for c in m + o if c[0][0] not in {p[0][0] for p in picks}]
        picks += [(r, dict(p, mode="normal")) for r, p in rng.sample(rest, n - len(picks))]
    elif kind is None:
        # keep a realistic mix: about 60 % normal, 40 % abnormal-but-consistent reports
        nrm = [c for c in cand if c[1]["normal_imp"]]
        abn = [c for c in cand if not c[1]["normal_imp"]]
        k = min(len(abn), n * 2 // 5)
        picks = rng.sample(abn, k) + rng.sample(nrm, n - k)
    else:
        picks = rng.sample(cand, n)
    used.update(p[0][0] for p in picks)
    return picks


def build(seed: int) -> list[dict]:
    root = str(shared_dir())
    rng = random.Random(f"h141-{seed}")
    pools = iu_pools(root)
    for k in pools:
        pools[k].sort(key=lambda c: int(c[0][0][3:]))
    used: set[str] = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    # the scarcer kinds pick their IU reports first
    for kind, n in sorted(plan, key=lambda p: len(pools[p[0]])):
        half = n // 2
        got = 0
        for rec, prof in _pick_iu(pools, kind, half + 10, used, rng):
            if got == half:
                used.discard(rec[0])
                continue
            r = inject_iu(kind, rec, prof, rng)
            if r is None:
                used.discard(rec[0])
                continue
            case, detail, missing = r
            text, layout = render(case, rng, missing)
            rows.append({"injected": kind, "detail": f"{detail} [{layout}]", "report": text, "uid": rec[0]})
            got += 1
        if got < half:
            raise RuntimeError(f"not enough IU reports for {kind}")
        for _ in range(n - half):
            if kind is None:
                case, detail, missing = compose(rng), "composed: no error injected", None
            else:
                case, detail, missing = inject_composed(kind, rng)
                detail = "composed: " + detail
            text, layout = render(case, rng, missing)
            rows.append({"injected": kind, "detail": f"{detail} [{layout}]", "report": text, "uid": None})
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h141-{seed}-{k}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


def main(argv: list[str] | None = None) -> None:
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
        for kind in [None, *KINDS]:
            for src in ("composed", "IU "):
                ex = [r for r in rows if r["injected"] == kind and r["detail"].startswith(src)][:a.show]
                for r in ex:
                    print(f"===== {r['id']} {kind} | {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
