"""Held-out chest X-ray report-error set no. 25: sides carried by anatomy and by quantifiers.

Written blind: without reading the report checker, its tests, its docs or any other generator.
Only the scorer's format, the IU (Open-i) archive and the dev set's ``uid`` field were used.

usage: python -m bench.make_heldout25 OUT.jsonl --seed S [--show N]

400 cases: 200 clean, 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder); half of every group composed from the
phrase bank below, half real IU reports (dev uids excluded) re-laid-out and re-worded.

Styles (theme: the side is carried by anatomy, abbreviations and asymmetry quantifiers rather
than by the bare words left/right):
- ``segmental``: prose FINDINGS with lobes/segments (apicoposterior, posterior basal, lingular),
  fissures (horizontal = right), azygo-oesophageal recess, aortic knuckle, AP window, retrocardiac;
  numbered IMPRESSION.
- ``regional``: FINDINGS by region (Lungs / Pleura / Heart and mediastinum / Bones).
- ``side-split``: FINDINGS under "R) lung:" / "L) lung:" headings, the finding written "on this side".
- ``terse``: radiologist shorthand, Rt/Lt, (R)/(L), RLL/LUL, CP angles, R>L.
- ``dashed``: dash lists under both headings.
Bilateral findings carry asymmetry ("R>L", "worse on the left", "more on the right"); a laterality
conflict there flips the dominant side in one section only. Composed reports never use ``XXXX``;
a few carry MIMIC-style ``___`` identifier masks (history age, doctor), which are not errors.
"""
# ruff: noqa: E501  (phrase bank: long report sentences kept on one line each)
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
STYLES = ["segmental", "regional", "side-split", "terse", "dashed"]

# ---------------------------------------------------------------- side rendering
SIDE_FORMS = {
    "word": {"R": "right", "L": "left"},
    "abbr": {"R": "Rt", "L": "Lt"},
    "paren": {"R": "(R)", "L": "(L)"},
}
OPP = {"R": "L", "L": "R"}


def render(text, side, form, lobes):
    """Fill <side>, <Side>, <lower>, <upper>, <oside> tokens for one side."""
    sw = SIDE_FORMS[form][side]
    osw = SIDE_FORMS[form][OPP[side]]
    lw = {"R": "right", "L": "left"}[side]
    low = f"{side}LL" if lobes == "abbr" else f"{lw} lower lobe"
    upp = f"{side}UL" if lobes == "abbr" else f"{lw} upper lobe"
    out = text.replace("<lower>", low).replace("<upper>", upp)
    out = out.replace("<Side>", sw[0].upper() + sw[1:] if sw[0].isalpha() else sw)
    out = out.replace("<side>", sw).replace("<oside>", osw)
    return out


# ---------------------------------------------------------------- phrase bank
# Each significant finding: type, findings variants, impression variants, no-side variant for the
# side-split layout, omission keys (any of them in the impression means "named").
SIG = {
    "consolidation": {
        "f": {
            "R": [
                "Patchy airspace consolidation in the posterior basal segment of the <lower>, with air bronchograms.",
                "Airspace opacity in the medial segment of the middle lobe, sitting just below the horizontal fissure and silhouetting the right heart border.",
                "Consolidation in the apical segment of the <upper>, bounded inferiorly by the horizontal fissure.",
                "Consolidation at the <side> cardiophrenic angle, in the medial basal segment of the <lower>.",
                "Loss of the <side> hemidiaphragm silhouette, with airspace consolidation in the lower lobe on the same side.",
            ],
            "L": [
                "Patchy airspace consolidation in the posterior basal segment of the <lower>, with air bronchograms.",
                "Airspace opacity in the lingular segments, silhouetting the left heart border.",
                "Consolidation in the apicoposterior segment of the <upper>, projected over the aortic knuckle.",
                "Retrocardiac consolidation in the <lower>; the medial <side> hemidiaphragm is obscured.",
                "Loss of the <side> hemidiaphragm silhouette, with airspace consolidation in the lower lobe on the same side.",
            ],
        },
        "i": {
            "R": ["<Side> lower lobe pneumonia.", "Right middle lobe pneumonia.", "<Side> upper lobe consolidation, likely infective.", "<Side> basal consolidation, in keeping with infection.", "<Side> lower lobe consolidation."],
            "L": ["<Side> lower lobe pneumonia.", "Lingular pneumonia (left).", "<Side> upper lobe consolidation, likely infective.", "<Side> lower lobe (retrocardiac) pneumonia.", "<Side> lower lobe consolidation."],
        },
        "ns": "Consolidation in the lower lobe on this side, with air bronchograms.",
        "keys": ["consolidat", "pneumon", "airspace", "air space", "opacit", "infect", "infiltrat", "lobe", "lingul", "basal", "shadow"],
    },
    "effusion": {
        "f": {
            "R": [
                "Moderate <side> pleural effusion, with a meniscus reaching the mid zone and fluid tracking into the horizontal fissure.",
                "Large <side> pleural effusion occupying the lower half of the <side> hemithorax; no mediastinal shift.",
                "Moderate effusion in the <side> hemithorax, obscuring the <side> hemidiaphragm and costophrenic angle.",
                "Meniscus at the <side> costophrenic angle extending to the mid zone: a moderate effusion on that side.",
            ],
            "L": [
                "Moderate <side> pleural effusion, with a meniscus reaching the level of the <side> hilum.",
                "Large <side> pleural effusion occupying the lower half of the <side> hemithorax; no mediastinal shift.",
                "Moderate effusion in the <side> hemithorax, obscuring the <side> hemidiaphragm and costophrenic angle.",
                "Meniscus at the <side> costophrenic angle extending to the mid zone: a moderate effusion on that side.",
            ],
        },
        "i": {
            "R": ["<Side> pleural effusion.", "Sizeable <side> pleural effusion.", "<Side> effusion; ultrasound-guided drainage if symptomatic."],
            "L": ["<Side> pleural effusion.", "Sizeable <side> pleural effusion.", "<Side> effusion; ultrasound-guided drainage if symptomatic."],
        },
        "ns": "Moderate pleural effusion on this side, with a meniscus to the mid zone.",
        "keys": ["effusion", "fluid", "meniscus", "pleural", "hemithorax"],
    },
    "pneumothorax": {
        "f": {
            "R": [
                "<Side> apical pneumothorax, with a rim of 1.5 cm at the apex; no mediastinal shift.",
                "A visceral pleural line is seen at the <side> apex with no lung markings beyond it, in keeping with a small-moderate pneumothorax.",
                "Pneumothorax in the <side> hemithorax, depth 2 cm at the level of the hilum.",
            ],
            "L": [
                "<Side> apical pneumothorax, with a rim of 1.5 cm at the apex; no mediastinal shift.",
                "A visceral pleural line is seen at the <side> apex with no lung markings beyond it, in keeping with a small-moderate pneumothorax.",
                "Pneumothorax in the <side> hemithorax, depth 2 cm at the level of the hilum.",
            ],
        },
        "i": {
            "R": ["<Side> pneumothorax.", "<Side> apical pneumothorax; clinical team informed.", "Pneumothorax, <side>, without tension."],
            "L": ["<Side> pneumothorax.", "<Side> apical pneumothorax; clinical team informed.", "Pneumothorax, <side>, without tension."],
        },
        "ns": "Apical pneumothorax on this side, rim 1.5 cm.",
        "keys": ["pneumothora", "ptx", "pleural line", "air"],
    },
    "nodule": {
        "f": {
            "R": [
                "{n} mm rounded nodule in the apical segment of the <upper>, above the horizontal fissure.",
                "Well-defined {n} mm nodule projected over the <side> mid zone, lateral to the hilum.",
            ],
            "L": [
                "{n} mm rounded nodule in the apicoposterior segment of the <upper>.",
                "Well-defined {n} mm nodule projected over the <side> mid zone, lateral to the hilum.",
            ],
        },
        "i": {
            "R": ["{n} mm <side> lung nodule; CT chest advised.", "<Side> lung nodule ({n} mm). Recommend CT."],
            "L": ["{n} mm <side> lung nodule; CT chest advised.", "<Side> lung nodule ({n} mm). Recommend CT."],
        },
        "ns": "{n} mm nodule in the upper zone on this side.",
        "keys": ["nodul", "lesion", "opacit", "mass", "ct ", "ct."],
    },
    "mass": {
        "f": {
            "R": ["Lobulated 4 cm mass at the <side> hilum, with widening of the <side> paratracheal stripe."],
            "L": ["Lobulated 4 cm mass at the <side> hilum, filling the aortopulmonary window."],
        },
        "i": {
            "R": ["<Side> hilar mass, suspicious for malignancy; CT recommended.", "4 cm <side> hilar mass. Urgent CT."],
            "L": ["<Side> hilar mass, suspicious for malignancy; CT recommended.", "4 cm <side> hilar mass. Urgent CT."],
        },
        "ns": "Lobulated 4 cm hilar mass on this side.",
        "keys": ["mass", "lesion", "neoplas", "malignan", "hil", "ct "],
    },
    "collapse": {
        "f": {
            "R": [
                "Elevation of the horizontal fissure with volume loss and a wedge of opacity in the <side> upper zone, in keeping with <upper> collapse.",
                "Triangular opacity at the <side> cardiophrenic angle obscuring the medial <side> hemidiaphragm, with depression of the <side> hilum: <lower> collapse.",
            ],
            "L": [
                "Veil-like opacity over the <side> upper zone with elevation of the <side> hilum, in keeping with <upper> collapse.",
                "Triangular retrocardiac opacity (sail sign) with loss of the medial <side> hemidiaphragm outline and a depressed <side> hilum: <lower> collapse.",
            ],
        },
        "i": {
            "R": ["<Side> upper lobe collapse; bronchoscopy may be considered.", "<Side> lower lobe collapse."],
            "L": ["<Side> upper lobe collapse; bronchoscopy may be considered.", "<Side> lower lobe collapse."],
        },
        "ns": "Lobar collapse on this side with volume loss.",
        "keys": ["collapse", "atelecta", "volume loss", "lobe", "opacit"],
    },
}
# bilateral with asymmetry: findings text, impression text; "<dom>" = dominant side phrase
ASYM = {
    "oedema": {
        "f": ["Bilateral perihilar airspace shadowing, <dom_gt>, with upper lobe venous diversion and septal lines: pulmonary oedema.",
              "Interstitial and alveolar oedema at both bases, more on the <dom>, with small fluid in the fissures."],
        "i": ["Pulmonary oedema, asymmetric (<dom_gt>).", "Cardiogenic pulmonary oedema, worse on the <dom>."],
        "keys": ["oedema", "edema", "congest", "failure", "fluid", "venous", "perihilar", "airspace", "shadowing", "interstitial"],
        "type": "oedema",
    },
    "effusions": {
        "f": ["Bilateral pleural effusions, moderate, <dom_gt>.", "Pleural effusions at both bases, more on the <dom>, the larger reaching the mid zone."],
        "i": ["Bilateral moderate effusions, larger on the <dom>.", "Bilateral pleural effusions (<dom_gt>)."],
        "keys": ["effusion", "fluid", "pleural", "meniscus"],
        "type": "effusion",
    },
    "consolidation": {
        "f": ["Patchy consolidation in both lower lobes, worse on the <dom>.", "Bibasal airspace consolidation, predominantly <dom>-sided."],
        "i": ["Bibasal pneumonia, <dom_gt>.", "Bilateral lower lobe consolidation, worse on the <dom>."],
        "keys": ["consolidat", "pneumon", "airspace", "infect", "bibasal", "basal", "opacit", "lobe"],
        "type": "consolidation",
    },
}


def asym_render(text, dom, form):
    gt = {"word": {"R": "right greater than left", "L": "left greater than right"},
          "abbr": {"R": "R>L", "L": "L>R"},
          "paren": {"R": "R > L", "L": "L > R"}}[form][dom]
    return text.replace("<dom_gt>", gt).replace("<dom>", {"R": "right", "L": "left"}[dom])


# benign / non-significant extras: (findings, impression or None, region, type, uses side)
EXTRAS = [
    ("Azygos fissure, a normal variant, with a small azygos lobe at the right apex.", "Azygos lobe, a normal variant.", "lungs", "variant"),
    ("Calcified granuloma in the <upper>, unchanged.", "Old granulomatous disease.", "lungs", "granuloma"),
    ("Mild cardiomegaly, stable compared with the previous film.", "Stable mild cardiomegaly.", "heart", "cardiomegaly"),
    ("Unfolded thoracic aorta with calcification of the aortic knuckle.", "Aortic unfolding and atheroma.", "heart", "aorta"),
    ("Old healed fractures of the <side> 5th and 6th ribs.", "Healed <side> rib fractures.", "bones", "ribs"),
    ("Degenerative change in the mid thoracic spine.", "Thoracic spondylosis.", "bones", "spine"),
    ("Small <side> pleural effusion blunting the costophrenic angle.", "Small <side> effusion.", "pleura", "small_effusion"),
    ("The <side> hemidiaphragm is elevated, unchanged from the prior study.", "Long-standing elevation of the <side> hemidiaphragm.", "pleura", "hemidiaphragm"),
    ("Linear atelectasis at the <side> base laterally.", None, "lungs", "band_atelectasis"),
]

# normal sentences: text, region, tags it rules out
NORMALS = [
    ("Heart size is normal.", "heart", {"cardiomegaly"}),
    ("Cardiothoracic ratio within normal limits.", "heart", {"cardiomegaly"}),
    ("Mediastinal contours are normal; the aortic knuckle is unremarkable and the AP window is clear.", "heart", {"mass", "aorta"}),
    ("The right paratracheal stripe is not widened.", "heart", {"mass"}),
    ("The azygo-oesophageal recess has a normal contour.", "heart", {"mass", "collapse"}),
    ("Both hila are normal in size and position.", "heart", {"mass", "collapse"}),
    ("The lungs are clear.", "lungs", {"consolidation", "nodule", "mass", "oedema", "collapse", "granuloma", "band_atelectasis", "pneumothorax", "effusion"}),
    ("No focal consolidation.", "lungs", {"consolidation", "collapse"}),
    ("No pulmonary oedema.", "lungs", {"oedema"}),
    ("The horizontal fissure is in its normal position.", "lungs", {"collapse"}),
    ("Retrocardiac region is clear.", "lungs", {"consolidation", "collapse"}),
    ("Costophrenic angles are sharp.", "pleura", {"effusion", "small_effusion"}),
    ("Cardiophrenic angles are clear.", "pleura", {"effusion", "consolidation", "collapse", "small_effusion"}),
    ("No pleural effusion.", "pleura", {"effusion", "small_effusion"}),
    ("No pneumothorax.", "pleura", {"pneumothorax"}),
    ("Both hemidiaphragms are well defined.", "pleura", {"collapse", "effusion", "consolidation", "small_effusion", "hemidiaphragm"}),
    ("Bones and soft tissues are unremarkable.", "bones", {"ribs", "spine"}),
]
NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No active disease in the chest.",
    "No acute intrathoracic process.", "Clear chest.",
]
# explicit negations that rule out a type (used in the other section for negation_conflict)
NEGATE = {
    "consolidation": ["The lungs are clear.", "No focal consolidation."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are sharp, no effusion."],
    "small_effusion": ["No pleural effusion."],
    "pneumothorax": ["No pneumothorax."],
    "nodule": ["No focal lung lesion.", "The lungs are clear."],
    "mass": ["No hilar or mediastinal mass.", "Hila are normal."],
    "collapse": ["No collapse or consolidation.", "The lungs are clear and fully expanded."],
    "cardiomegaly": ["Heart size is normal."],
    "oedema": ["No pulmonary oedema.", "The lungs are clear."],
}
INDICATIONS = [
    "Cough and fever.", "Shortness of breath.", "Chest pain, ? cause.", "Pre-operative assessment.",
    "Productive cough, crackles at the base.", "Fall, chest wall pain.", "Follow-up.", "Low saturations on the ward.",
    "Haemoptysis.", "Smoker, weight loss.",
]
MASKED_HISTORY = ["___-year-old with cough.", "___ y/o man, dyspnoea.", "Referred by Dr. ___; fever."]

# ---------------------------------------------------------------- section model / layout
REGION_TITLES = {"lungs": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum", "bones": "Bones"}


def layout(style, rng, pre, fsents, isents, drop=None):
    """fsents: list of (text, region, side or None, nosidetext or None). isents: list of str.
    drop: None | 'no_impression' | 'empty_impression' | 'empty_findings' | 'no_findings'."""
    head = {"segmental": ("FINDINGS:", "IMPRESSION:"), "regional": ("Findings:", "Impression:"),
            "side-split": ("FINDINGS", "IMPRESSION"), "terse": ("Findings:", "Impression:"),
            "dashed": ("FINDINGS", "IMPRESSION")}[style]
    lines = list(pre)
    if lines:
        lines.append("")
    if drop == "empty_findings":
        lines += [head[0], ""]
    elif drop != "no_findings":
        if style == "segmental":
            lines += [head[0], " ".join(s[0] for s in fsents), ""]
        elif style == "terse":
            lines += [head[0] + " " + " ".join(s[0] for s in fsents), ""]
        elif style == "dashed":
            lines += [head[0]] + ["- " + s[0] for s in fsents] + [""]
        elif style == "regional":
            lines.append(head[0])
            for reg in ["lungs", "pleura", "heart", "bones"]:
                got = [s[0] for s in fsents if s[1] == reg]
                if got:
                    lines.append(f"{REGION_TITLES[reg]}: " + " ".join(got))
            lines.append("")
        else:  # side-split
            lines.append(head[0])
            chest = [s for s in fsents if s[1] in ("lungs", "pleura")]
            asym = any(s[2] == "B" for s in chest)
            both = [s[0] for s in chest if s[2] not in ("R", "L")]
            for sd, tag in (("R", "R) lung:"), ("L", "L) lung:")):
                got = [(s[3] or s[0]) for s in chest if s[2] == sd]
                if got or not asym:
                    lines.append(f"{tag} " + (" ".join(got) if got else "Clear."))
            if both:
                lines.append("Both sides: " + " ".join(both))
            rest = [s[0] for s in fsents if s[1] not in ("lungs", "pleura")]
            if rest:
                lines.append("Mediastinum and other: " + " ".join(rest))
            lines.append("")
    if drop == "no_impression":
        return "\n".join(lines).rstrip() + "\n"
    if drop == "empty_impression":
        lines.append(head[1])
        return "\n".join(lines).rstrip() + "\n"
    if style == "segmental" and len(isents) > 1:
        body = [f"{k}. {s}" for k, s in enumerate(isents, 1)]
    elif style == "dashed":
        body = ["- " + s for s in isents]
    else:
        body = [" ".join(isents)]
    if style in ("terse", "regional"):
        lines.append(head[1] + " " + " ".join(body))
    else:
        lines += [head[1]] + body
    return "\n".join(lines).rstrip() + "\n"


def preamble(rng, style, masked):
    hist = rng.choice(MASKED_HISTORY) if masked else rng.choice(INDICATIONS)
    view = rng.choice(["PA", "PA and lateral", "AP erect", "AP supine (portable)"])
    comp = rng.choice(["None.", "Previous film available for comparison.", "Prior study from the previous admission.", "No previous imaging."])
    if style == "terse":
        return [f"CXR {view}. Hx: {hist}"]
    if style == "dashed":
        return [f"Examination: Chest X-ray, {view}", f"Clinical information: {hist}", f"Comparison: {comp}"]
    return [f"EXAMINATION: Chest radiograph, {view}.", f"CLINICAL DETAILS: {hist}", f"COMPARISON: {comp}"]


# ---------------------------------------------------------------- composed cases
def pick_forms(rng, style):
    if style == "terse":
        return rng.choice(["abbr", "paren"]), "abbr"
    if style == "side-split":
        return rng.choice(["word", "abbr"]), rng.choice(["abbr", "full"])
    return rng.choice(["word", "word", "abbr", "paren"]), rng.choice(["full", "full", "abbr"])


def sig_finding(rng, form, lobes, kinds=None, side=None):
    """Return dict for one significant finding (unilateral or asymmetric bilateral)."""
    typ = rng.choice(kinds or ["consolidation", "effusion", "pneumothorax", "nodule", "mass", "collapse", "asym", "asym"])
    if typ == "asym":
        key = rng.choice(list(ASYM))
        a = ASYM[key]
        dom = side or rng.choice("RL")
        fv, iv = rng.randrange(len(a["f"])), rng.randrange(len(a["i"]))
        return {"type": a["type"], "side": dom, "asym": True, "keys": a["keys"], "region": "pleura" if key == "effusions" else "lungs",
                "f": lambda s, fv=fv, a=a: asym_render(a["f"][fv], s, form),
                "i": lambda s, iv=iv, a=a: asym_render(a["i"][iv], s, form), "ns": None}
    d = SIG[typ]
    sd = side or rng.choice("RL")
    fv = rng.randrange(len(d["f"][sd]))
    iv = fv if typ in ("consolidation", "collapse") else rng.randrange(len(d["i"][sd]))
    iv = min(iv, len(d["i"][sd]) - 1)
    n = rng.choice([7, 8, 9, 11, 12, 14, 18])
    return {"type": typ, "side": sd, "asym": False, "keys": d["keys"],
            "region": "pleura" if typ in ("effusion", "pneumothorax") else "lungs",
            "f": lambda s, fv=fv, d=d, n=n: render(d["f"][s][fv], s, form, lobes).replace("{n}", str(n)),
            "i": lambda s, iv=iv, d=d, n=n: render(d["i"][s][iv], s, form, lobes).replace("{n}", str(n)),
            "ns": render(d["ns"], sd, form, lobes).replace("{n}", str(n))}


def extra_finding(rng, form, lobes, avoid):
    opts = [e for e in EXTRAS if e[3] not in avoid]
    f, i, reg, typ = rng.choice(opts)
    sd = rng.choice("RL")
    return {"type": typ, "side": sd if "<side>" in f or "<upper>" in f else None, "region": reg,
            "f": render(f, sd, form, lobes), "i": render(i, sd, form, lobes) if i else None}


def normals_for(rng, tags_out, k):
    ok = [n for n in NORMALS if not (n[2] & tags_out)]
    rng.shuffle(ok)
    order = {"heart": 0, "lungs": 1, "pleura": 2, "bones": 3}
    got = ok[:k]
    got.sort(key=lambda n: order[n[1]])
    return got


def side_words_re():
    return re.compile(r"\b(right|left|Right|Left|Rt|Lt|RLL|LLL|RUL|LUL)\b|\((R|L)\)|\bR\)|\bL\)|[RL] ?> ?[RL]|lingul|horizontal fissure")


def compose(rng, kind, idx):
    style = STYLES[idx % len(STYLES)]
    form, lobes = pick_forms(rng, style)
    masked = rng.random() < 0.12
    pre = preamble(rng, style, masked)
    detail = ""
    # build base findings
    nsig = 1 if kind in ("laterality_conflict", "impression_omits_finding") else rng.choice([0, 1, 1, 2]) if kind is None else rng.choice([0, 1, 1])
    if kind == "negation_conflict":
        nsig = 1
    sigs = []
    for _ in range(nsig):
        kinds = None
        if sigs:
            kinds = [k for k in ["consolidation", "effusion", "pneumothorax", "nodule", "collapse"] if k != sigs[0]["type"] and not (sigs[0]["asym"] and k in ("effusion", "consolidation"))]
        sigs.append(sig_finding(rng, form, lobes, kinds))
    types = {s["type"] for s in sigs}
    # no competing same-type extras
    avoid = set(types) | {"small_effusion"} if "effusion" in types else set(types)
    if "collapse" in types or "consolidation" in types:
        avoid |= {"band_atelectasis", "hemidiaphragm"}
    extras = []
    if rng.random() < 0.6 or kind == "impression_omits_finding":
        extras.append(extra_finding(rng, form, lobes, avoid | {"cardiomegaly"} if "oedema" in types else avoid))
    tags_out = types | {e["type"] for e in extras}
    if kind == "negation_conflict" and rng.random() < 0.5:
        # direction B: findings negate, impression affirms; keep findings free of the affirmed type
        sigs = []
        tags_out = {e["type"] for e in extras}
    norm = normals_for(rng, tags_out, rng.randint(3, 6))
    fs = [(n[0], n[1], None, None) for n in norm]
    for e in extras:
        fs.append((e["f"], e["region"], e["side"], None))
    for s in sigs:
        fs.insert(rng.randint(0, len(fs)), (s["f"](s["side"]), s["region"], "B" if s["asym"] else s["side"], s["ns"]))
    ims = [s["i"](s["side"]) for s in sigs]
    ex_imp = [e["i"] for e in extras if e["i"] and (rng.random() < 0.7)]
    ims += ex_imp
    if not ims:
        ims = [rng.choice(NORMAL_IMPRESSIONS)]
    elif rng.random() < 0.3 and sigs:
        ims.append("No other acute abnormality.")
    check = None
    drop = None
    if kind == "missing_section":
        drop = rng.choice(["no_impression", "empty_impression", "empty_findings", "no_findings"])
        if drop == "no_findings":
            ims = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality.", "Nil acute."])]
        detail = {"no_impression": "IMPRESSION section left out", "empty_impression": "IMPRESSION header with nothing under it",
                  "empty_findings": "FINDINGS header left empty", "no_findings": "FINDINGS section absent; impression is a bare normal statement"}[drop]
        check = ("missing", drop)
    elif kind == "laterality_conflict":
        s = sigs[0]
        where = rng.choice(["impression", "impression", "findings"]) if style != "side-split" else "impression"
        if where == "impression":
            k = ims.index(s["i"](s["side"]))
            ims[k] = s["i"](OPP[s["side"]])
            detail = f"impression places the {s['type']} on the {'right' if OPP[s['side']] == 'R' else 'left'}" + (" (dominant side)" if s["asym"] else "") + f"; findings: {s['f'](s['side'])}"
            check = ("lat", ims[k], s["ns"] if style == "side-split" and s["ns"] else s["f"](s["side"]))
        else:
            k = [x[0] for x in fs].index(s["f"](s["side"]))
            fs[k] = (s["f"](OPP[s["side"]]), fs[k][1], fs[k][2], None)
            detail = f"findings place the {s['type']} on the {'right' if OPP[s['side']] == 'R' else 'left'}" + (" (dominant side)" if s["asym"] else "") + f"; impression: {s['i'](s['side'])}"
            check = ("lat", fs[k][0], s["i"](s["side"]))
    elif kind == "negation_conflict":
        if sigs:
            s = sigs[0]
            neg = rng.choice(NEGATE[s["type"]])
            k = ims.index(s["i"](s["side"]))
            ims[k] = neg
            detail = f"findings affirm {s['type']} ({s['f'](s['side'])}); impression says: {neg}"
            check = ("neg", neg, s["ns"] if style == "side-split" and s["ns"] else s["f"](s["side"]))
        else:
            explicit = {"The lungs are clear.": "consolidation", "No focal consolidation.": "consolidation", "No pulmonary oedema.": "oedema",
                        "No pleural effusion.": "effusion", "No pneumothorax.": "pneumothorax", "Heart size is normal.": "cardiomegaly",
                        "Cardiothoracic ratio within normal limits.": "cardiomegaly"}
            cand = [n for n in norm if n[0] in explicit]
            n = rng.choice(cand) if cand else None
            if n is None:
                fs.append(("No pleural effusion.", "pleura", None, None))
                n = ("No pleural effusion.", "pleura", {"effusion"})
            t = explicit[n[0]]
            sd = rng.choice("RL")
            aff = {"effusion": render("Small <side> pleural effusion.", sd, form, lobes),
                   "pneumothorax": render("Small <side> apical pneumothorax.", sd, form, lobes),
                   "consolidation": render("Early consolidation in the <lower>.", sd, form, lobes),
                   "cardiomegaly": "Cardiomegaly.", "oedema": "Mild interstitial oedema."}[t]
            ims = [aff] + [x for x in ims if x not in NORMAL_IMPRESSIONS]
            detail = f"findings say '{n[0]}' but impression affirms: {aff}"
            check = ("neg", aff, n[0])
    elif kind == "impression_omits_finding":
        s = sigs[0]
        k = ims.index(s["i"](s["side"]))
        del ims[k]
        ims = [x for x in ims if x != "No other acute abnormality."]
        if idx % 2 == 0 or not ims:
            ims = [rng.choice(NORMAL_IMPRESSIONS)]
            detail = f"normal impression; findings affirm {s['type']}: {s['f'](s['side'])}"
        else:
            detail = f"impression lists other findings only; findings affirm {s['type']}: {s['f'](s['side'])}"
        check = ("omit", s["keys"])
    elif kind == "placeholder":
        check = ("ph", None)
    report = layout(style, rng, pre, fs, ims, drop)
    if kind == "placeholder":
        report, detail, tok = put_placeholder(rng, report)
        check = ("ph", tok)
    verify(kind, report, check)
    return report, detail, style


PH_SUBS = [
    (re.compile(r"\b\d+(\.\d+)? (mm|cm)\b"), lambda m, r: r.choice(["___ " + m.group(2), "XX " + m.group(2), "[**] " + m.group(2)])),
    (re.compile(r"(\b(right|left|Rt|Lt)\b|\((R|L)\))(?= (pleural|apical|lower|upper|hemithorax|hemidiaphragm|lung|hilar|hilum|basal|pneumothorax|apex|base))"), lambda m, r: r.choice(["[LEFT/RIGHT]", "[R/L]", "[side]"])),
    (re.compile(r"\b(Moderate|moderate|Large|Small|small|Mild|mild)\b"), lambda m, r: r.choice(["[mild/moderate/severe]", "[size]", "***"])),
    (re.compile(r"(?<=\bno )(pneumothorax|focal consolidation|pleural effusion|effusion)\b", re.I), lambda m, r: r.choice(["[***]", "[finding]"])),
    (re.compile(r"(?<=[Hh]eart is )normal(?= in size)"), lambda m, r: r.choice(["[normal/enlarged]", "***"])),
    (re.compile(r"(?<=[Hh]eart size is )normal\b|(?<=[Cc]ardiothoracic ratio )within normal limits"), lambda m, r: r.choice(["[normal/enlarged]", "<insert>", "***"])),
]


def put_placeholder(rng, report):
    body_start = report.find("FINDINGS") if "FINDINGS" in report else report.find("Findings")
    opts = []
    for k, (rx, _fn) in enumerate(PH_SUBS):
        for m in rx.finditer(report, body_start):
            opts.append((k, m))
    if not opts:
        # fall back: a blank left in the impression
        tok = rng.choice(["Follow-up: <insert recommendation>.", "Recommendation: [***]."])
        new = report.rstrip("\n") + " " + tok + "\n"
        return new, f"template field '{tok}' left in impression", tok
    k, m = rng.choice(opts)
    tok = PH_SUBS[k][1](m, rng)
    new = report[:m.start()] + tok + report[m.end():]
    return new, f"'{m.group(0)}' replaced by unfilled field '{tok}'", tok


# ---------------------------------------------------------------- checks
def sections(report):
    """Return (findings text or None, impression text or None)."""
    rx = re.compile(r"^(FINDINGS|Findings|IMPRESSION|Impression)\b:?", re.M)
    parts = list(rx.finditer(report))
    out = {}
    for k, m in enumerate(parts):
        end = parts[k + 1].start() if k + 1 < len(parts) else len(report)
        out[m.group(1).upper()] = report[m.end():end].strip()
    return out.get("FINDINGS"), out.get("IMPRESSION")


class CheckError(Exception):
    pass


def verify(kind, report, check):
    f, i = sections(report)
    if kind != "missing_section":
        if not f or not i:
            raise CheckError("section missing in non-missing case")
    if kind is None or kind == "missing_section":
        if re.search(r"\[|<|\*\*\*|\bXX\b|_{3}(?! ?(y/o|with|-year|man|woman))|_{3} (mm|cm)", report.replace("Dr. ___", "")):
            raise CheckError("placeholder-like token in clean/missing case")
    if kind == "missing_section":
        drop = check[1]
        if drop in ("no_impression", "empty_impression") and i:
            raise CheckError("impression present")
        if drop in ("empty_findings", "no_findings") and f:
            raise CheckError("findings present")
    elif kind == "laterality_conflict":
        new, other = check[1], check[2]
        if new not in report or other not in report or new == other or flip_side_text(new) == new:
            raise CheckError("flip not present")
    elif kind == "negation_conflict":
        if check[1] not in (i or "") or check[2] not in (f or ""):
            raise CheckError("negation/affirmation text absent")
    elif kind == "impression_omits_finding":
        low = i.lower()
        if any(k in low for k in check[1]):
            raise CheckError(f"impression names the finding: {i}")
    elif kind == "placeholder":
        if check[1] not in report:
            raise CheckError("placeholder absent")


# ---------------------------------------------------------------- IU reports
ABN = re.compile(r"granulom|cardiomegaly|enlarg|opacit|effusion(?!s? )|atelecta|scar|degenerat|spondyl|hernia|calcif|"
                 r"nodul|mass|fractur|surgical|sternotomy|clip|catheter|tube|pacemaker|hyperinfl|emphysem|tortuous|"
                 r"eventration|elevat|blunt|interstitial|prominen|chronic|postoperative|deformit|scoliosis|kyphosis|xxxx opac|"
                 r"borderline|mild|stable|change|suspicious|possible|may|bibasilar|\bright\b|\bleft\b|bilateral", re.I)


def split_sents(t):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t.strip()) if s.strip()]


def is_normal_sentence(s):
    low = s.lower()
    if ABN.search(low) and not re.search(r"\bno (evidence of )?(focal )?(\w+ )?(effusion|pneumothora|consolidat|airspace)", low):
        return False
    if re.search(r"\bno\b|\bwithout\b|\bnegative\b|\bclear\b|\bnormal\b|\bunremarkable\b|\bwithin (the )?normal|\bintact\b|are expanded|is expanded", low):
        return True
    return False


def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if not f or not i or len(f) < 40 or re.search(r"[\[<>*]|_{2}", f + i):
                continue
            out.append({"uid": uid, "f": f, "i": i, "ind": d.get("INDICATION", ""), "comp": d.get("COMPARISON", "")})
    return out, dev


SIDE_TOK = re.compile(r"\b(right|left)\b", re.I)
LAT_KEYS = {
    "effusion": ["effusion", "fluid", "blunt"],
    "consolidation": ["airspace", "consolidat", "pneumon", "infiltrat", "opacit", "infect"],
    "atelectasis": ["atelecta", "scar", "opacit", "volume loss"],
    "granuloma": ["granulom", "calcif", "nodul"],
    "pneumothorax": ["pneumothora"],
    "fracture": ["fractur", "rib"],
    "hemidiaphragm": ["hemidiaphragm", "diaphragm", "eventration"],
}


def classify_iu(r):
    fs, is_ = split_sents(r["f"]), split_sents(r["i"])
    txt = (r["f"] + " " + r["i"])
    normal_f = all(is_normal_sentence(s) for s in fs)
    normal_i = bool(re.search(r"no acute|normal chest|negative|no active|no evidence of acute|without acute|clear", r["i"], re.I)) and not ABN.search(r["i"])
    if normal_f and normal_i and "xxxx" not in r["i"].lower()[:6]:
        return "normal"
    sides = {m.group(1).lower() for m in SIDE_TOK.finditer(txt)}
    if len(sides) == 1 and not re.search(r"bilat|both|bibasil|\bmiddle lobe|lingul", txt, re.I):
        sd = sides.pop()
        fl = [s for s in fs if re.search(rf"\b{sd}\b", s, re.I)]
        il = [s for s in is_ if re.search(rf"\b{sd}\b", s, re.I)]
        if len(il) == 1 and fl:
            for cat, keys in LAT_KEYS.items():
                if any(k in il[0].lower() for k in keys) and any(any(k in s.lower() for k in keys) for s in fl):
                    r["lat"] = (sd, cat, il[0], fl)
                    return "lateral"
    return "other"


REWORD = [
    (r"\bcardiomediastinal silhouette\b", ["cardiomediastinal contour", "heart and mediastinum"]),
    (r"\bcostophrenic angles?\b", ["CP angles", "costophrenic recesses"]),
    (r"\bpleural effusions?\b", ["pleural fluid", "effusion"]),
    (r"\bpulmonary vascularity\b", ["pulmonary vasculature"]),
    (r"\bacute cardiopulmonary (abnormality|disease|process)\b", ["acute cardiopulmonary abnormality", "acute chest abnormality"]),
    (r"\bosseous structures\b", ["bones", "visualised bones"]),
    (r"\bedema\b", ["oedema"]),
]
LOBE_ABBR = [(r"\bright lower lobe\b", "RLL"), (r"\bleft lower lobe\b", "LLL"), (r"\bright upper lobe\b", "RUL"),
             (r"\bleft upper lobe\b", "LUL"), (r"\bright middle lobe\b", "RML")]


def reword_iu(rng, text, form, choices):
    for k, (rx, opts) in enumerate(REWORD):
        new = opts[choices[k] % len(opts)]
        text = re.sub(rx, lambda m, new=new: new[0].upper() + new[1:] if m.group(0)[0].isupper() else new, text, flags=re.I)
    if form != "word":
        for rx, ab in LOBE_ABBR:
            text = re.sub(rx, ab, text, flags=re.I)
        text = re.sub(r"\b(right|left)\b(?= [a-z])", lambda m: SIDE_FORMS[form]["R" if m.group(1).lower() == "right" else "L"], text, flags=re.I)
    return text


def flip_side_text(s):
    def f(m):
        t = m.group(0)
        table = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT",
                 "Rt": "Lt", "Lt": "Rt", "(R)": "(L)", "(L)": "(R)", "RLL": "LLL", "LLL": "RLL", "RUL": "LUL", "LUL": "RUL"}
        return table.get(t, t)
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT|Rt|Lt|RLL|LLL|RUL|LUL)\b|\((R|L)\)", f, s)


def iu_case(rng, r, kind, idx, pool_extra):
    style = STYLES[(idx + 2) % len(STYLES)]
    form = rng.choice(["word", "abbr", "paren"]) if style != "terse" else rng.choice(["abbr", "paren"])
    choices = [rng.randrange(3) for _ in REWORD]
    fs = [reword_iu(rng, re.sub(r"\s+\.", ".", re.sub(r"\.(\s*\.)+", ".", s)), form, choices) for s in split_sents(r["f"])]
    is_ = [reword_iu(rng, re.sub(r"\s+\.", ".", re.sub(r"\.(\s*\.)+", ".", s)), form, choices) for s in split_sents(r["i"])]
    # strip IU numbering inside the impression
    is_ = [re.sub(r"^\d+\.\s*", "", s) for s in is_ if not re.fullmatch(r"\d+\.", s)]
    ind = r["ind"] or "Not given."
    if "xxxx" in ind.lower() and rng.random() < 0.5:
        ind = rng.choice(INDICATIONS)
    pre_style = "dashed" if style == "dashed" else ("terse" if style == "terse" else "segmental")
    if pre_style == "terse":
        pre = [f"CXR PA/lat. Hx: {ind}"]
    elif pre_style == "dashed":
        pre = ["Examination: Chest X-ray, PA and lateral", f"Clinical information: {ind}", f"Comparison: {r['comp'] or 'None.'}"]
    else:
        pre = ["EXAMINATION: Chest radiograph, PA and lateral.", f"CLINICAL DETAILS: {ind}", f"COMPARISON: {r['comp'] or 'None.'}"]
    detail, check, drop = "", None, None

    def region(s):
        low = s.lower()
        if re.search(r"effusion|fluid|pneumothora|costophrenic|cp angle|diaphragm|pleura", low):
            return "pleura"
        if re.search(r"heart|cardi|mediastin|aort|hil", low):
            return "heart"
        if re.search(r"bon|osseous|spine|rib|skelet|soft tissue|fractur", low):
            return "bones"
        return "lungs"

    def side_of(s):
        if re.search(r"\b(right|Rt|RLL|RUL|RML)\b|\(R\)", s):
            return "R"
        if re.search(r"\b(left|Lt|LLL|LUL)\b|\(L\)", s):
            return "L"
        return None

    if r["cls"] == "normal" and rng.random() < 0.4:
        # add a theme sentence that stays normal
        fs.append(rng.choice(["The aortic knuckle and AP window are unremarkable.", "Right paratracheal stripe is normal.",
                              "Azygo-oesophageal recess is normal.", "Retrocardiac region is clear."]))
    if kind == "missing_section":
        drop = rng.choice(["no_impression", "empty_impression", "empty_findings", "no_findings"])
        if drop == "no_findings" and r["cls"] != "normal":
            drop = "no_impression"
        if drop == "no_findings":
            is_ = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality."])]
        detail = {"no_impression": "IMPRESSION section left out", "empty_impression": "IMPRESSION header with nothing under it",
                  "empty_findings": "FINDINGS header left empty", "no_findings": "FINDINGS section absent; impression is a bare normal statement"}[drop]
        check = ("missing", drop)
    elif kind == "laterality_conflict":
        sd, cat, isent, fl = r["lat"]
        where = rng.choice(["impression", "findings"]) if len(fl) == 1 else "impression"
        if where == "impression":
            k = [j for j, s in enumerate(is_) if side_of(s)][0]
            old = is_[k]
            is_[k] = flip_side_text(old)
            new, other = is_[k], [s for s in fs if side_of(s)][0]
        else:
            k = [j for j, s in enumerate(fs) if side_of(s)][0]
            old = fs[k]
            fs[k] = flip_side_text(old)
            new, other = fs[k], [s for s in is_ if side_of(s)][0]
        detail = f"side flipped in {where}: '{old}' -> '{new}'"
        check = ("lat", new, other)
    elif kind == "negation_conflict":
        ftxt = " ".join(fs).lower()
        opts = []
        if re.search(r"\bno\b[^.]*(effusion|pleural fluid)", ftxt):
            opts.append(("effusion", rng.choice(["Small <side> pleural effusion.", "Blunted <side> costophrenic angle: small effusion.",
                                                 "<Side> pleural effusion, layering posteriorly on the lateral view."]), "(effusion|pleural fluid)"))
        if re.search(r"\bno\b[^.]*pneumothora", ftxt):
            opts.append(("pneumothorax", rng.choice(["Small <side> apical pneumothorax.", "Shallow <side> pneumothorax along the apex."]), "pneumothora"))
        if re.search(r"lungs are clear|\bno\b[^.]*(consolidation|airspace)", ftxt):
            opts.append(("consolidation", rng.choice(["Patchy consolidation in the <lower>, likely infective.", "<Side> basal pneumonia.",
                                                      "Airspace consolidation in the posterior basal segment, <lower>."]), "(lungs are clear|consolidation|airspace)"))
        if re.search(r"(heart|cardiac) size (is )?(normal|within normal)|normal (heart|cardiac) size", ftxt):
            opts.append(("cardiomegaly", "Moderate cardiomegaly.", "(heart|cardiac) size"))
        t, aff, negrx = rng.choice(opts)
        negsent = [x for x in fs if re.search(negrx, x, re.I)][0]
        aff = render(aff, rng.choice("RL"), form, "abbr" if form != "word" else "full")
        is_ = [aff]
        detail = f"findings rule out {t} ('{negsent}'); impression affirms: {aff}"
        check = ("neg", aff, negsent)
    elif kind == "impression_omits_finding":
        lobes = "abbr" if form != "word" else "full"
        s = sig_finding(rng, form, lobes, ["consolidation", "effusion", "pneumothorax", "nodule", "collapse", "asym"])
        kill = {"consolidation": r"lung|consolidat|airspace|opacit|infiltrat|clear", "effusion": r"effusion|fluid|costophrenic|CP angle|diaphragm|recess",
                "pneumothorax": r"pneumothora", "nodule": r"lung|nodul|mass|clear", "collapse": r"lung|consolidat|airspace|atelecta|diaphragm|clear|hil|expanded|aerated",
                "oedema": r"lung|oedema|edema|vascul|clear|consolidat|airspace|effusion|fluid"}[s["type"]]
        fs = [x for x in fs if not re.search(kill + r"|lung|pleura|acute|clear|infiltrat|consolidat|effusion|fluid", x, re.I)]
        fs.insert(rng.randint(0, len(fs)), s["f"](s["side"]))
        bad = {s["type"]} | ({"effusion", "small_effusion"} if s["type"] == "oedema" else set())
        safe = [n[0] for n in NORMALS if n[1] == "pleura" and not (n[2] & bad)]
        fs += rng.sample(safe, min(2, len(safe)))
        if idx % 2 == 0:
            is_ = [rng.choice(NORMAL_IMPRESSIONS)]
            detail = f"normal impression; findings affirm {s['type']}: {s['f'](s['side'])}"
        else:
            e = rng.choice(pool_extra)
            fs = [x for x in fs if not re.search(r"bon|osseous|skelet|spine|heart size|cardiac size|silhouette|contour|mediastin", x, re.I)]
            fs.append(e[0])
            is_ = [e[1], "No other acute abnormality."] if rng.random() < 0.4 else [e[1]]
            detail = f"impression lists other findings only; findings affirm {s['type']}: {s['f'](s['side'])}"
        check = ("omit", s["keys"])
    fs_t = [(s, region(s), side_of(s), None) for s in fs]
    report = layout(style, rng, pre, fs_t, is_, drop)
    if kind == "placeholder":
        report, detail, tok = put_placeholder(rng, report)
        check = ("ph", tok)
    verify(kind, report, check)
    return report, detail, style


IU_EXTRAS = [
    ("Degenerative change in the thoracic spine.", "Thoracic spondylosis."),
    ("Mild cardiomegaly, unchanged.", "Stable mild cardiomegaly."),
    ("Old healed fractures of the left 6th and 7th ribs laterally.", "Healed left rib fractures."),
    ("Unfolded aorta; the aortic knuckle is calcified.", "Aortic unfolding and atheroma."),
]


# ---------------------------------------------------------------- main
def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or not (p / "eval" / "report_errors_dev.jsonl").exists():
        return None
    return p


def build(seed, shared):
    rng = random.Random(seed)
    iu, _ = load_iu(shared)
    for r in iu:
        r["cls"] = classify_iu(r)
    normal = [r for r in iu if r["cls"] == "normal"]
    lateral = [r for r in iu if r["cls"] == "lateral"]
    rng.shuffle(normal)
    rng.shuffle(lateral)
    plan = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_KIND)]
    cases = []
    counters = {}
    ni, li = iter(normal), iter(lateral)
    lat_for_clean = 30
    for kind in plan:
        c = counters.get(kind, 0)
        counters[kind] = c + 1
        total = N_CLEAN if kind is None else N_KIND
        composed = c < total // 2
        for _attempt in range(60):
            sub = random.Random(rng.random())
            try:
                if composed:
                    rep, det, style = compose(sub, kind, c)
                    src = "composed"
                else:
                    if kind == "laterality_conflict" or (kind is None and c - total // 2 < lat_for_clean) or (kind == "placeholder" and c % 2 == 0):
                        r = next(li)
                    else:
                        r = next(ni)
                    rep, det, style = iu_case(sub, r, kind, c, IU_EXTRAS)
                    src = r["uid"]
                break
            except (CheckError, IndexError, ValueError):
                continue
        else:
            raise RuntimeError(f"could not build a {kind} case")
        cases.append({"injected": kind, "detail": det or "unmodified", "report": rep, "_src": src, "_style": style})
    rng.shuffle(cases)
    for k, c in enumerate(cases):
        c["id"] = "h25-" + hashlib.sha256(f"{seed}:{k}:{c['report']}".encode()).hexdigest()[:12]
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if shared is None:
        print("shared data not found: set MEDRAG_SHARED_DIR to the shared folder (with data/iu_reports and eval/)", file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({"id": c["id"], "injected": c["injected"], "detail": c["detail"], "report": c["report"]}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"=== {kind} [{c['_style']}; {c['_src']}] {c['detail']}\n{c['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
