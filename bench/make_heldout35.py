"""Held-out report-check set no. 35: reports typed in a hurry or mangled by poor systems.

Written blind: without reading the checker, its rules, its tests or any other generator.

Styles (punctuation, spacing and case, never spelling): missing spaces after full stops ("clear.No
effusion"), missing full stops between sentences, all-lowercase or all-capitals reports, stray line breaks
in the middle of sentences, doubled punctuation ("..", ",."), headers without colons ("Findings the lungs"),
headers run into the text ("FINDINGS:the lungs"), commas used for full stops, bullets without spaces
("-No acute disease", "1.Stable"). Half of every group is composed from a phrase bank, half are real IU
(Open-i) reports, excluding the development uids, re-laid-out in these styles; IU's ``XXXX`` mask is kept.

usage: python -m bench.make_heldout35 OUT.jsonl --seed S [--show N]
"""

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
OPP = {"left": "right", "right": "left"}

# ---------------------------------------------------------------- phrase bank
# family -> list of negative findings sentences
NEGATIVES = {
    "heart": ["Heart size is normal.", "The cardiac silhouette is within normal limits.", "Normal heart size.",
              "The heart is not enlarged."],
    "mediastinum": ["Mediastinal contours are normal.", "The mediastinum is not widened.",
                    "Normal mediastinal and hilar contours."],
    "lungs": ["The lungs are clear.", "Lungs are clear bilaterally.", "Both lungs are clear."],
    "consolidation": ["No focal consolidation.", "No airspace disease.", "There is no focal airspace opacity."],
    "effusion": ["No pleural effusion.", "No pleural effusions are seen.", "Costophrenic angles are sharp."],
    "pneumothorax": ["No pneumothorax.", "There is no pneumothorax.", "No evidence of pneumothorax."],
    "edema": ["No pulmonary edema.", "Pulmonary vascularity is normal.", "No signs of vascular congestion."],
    "bones": ["Bony structures are intact.", "No acute osseous abnormality.", "Visualized bones are unremarkable."],
}
# families whose negative sentence becomes false when a positive of family X is present
CONFLICTS = {
    "effusion": {"effusion", "lungs"}, "pneumothorax": {"pneumothorax"}, "consolidation": {"consolidation", "lungs"},
    "edema": {"edema", "lungs"}, "nodule": {"lungs"}, "mass": {"lungs"}, "collapse": {"lungs", "consolidation"},
    "heart": {"heart"}, "mediastinum": {"mediastinum"}, "freeair": set(), "atelectasis": {"lungs"},
    "granuloma": set(), "spine": {"bones"},
}
NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "No acute disease.", "Normal chest radiograph.",
               "No active disease in the chest.", "No acute cardiopulmonary process.", "Normal chest."]

# positives: family, significant, findings text, impression text, sided, impression keywords (omission check)
POSITIVES = [
    ("effusion", True, "Moderate {side} pleural effusion with a meniscus reaching the mid zone.",
     "Moderate {side} pleural effusion.", True),
    ("effusion", True, "Large {side} pleural effusion with underlying compressive atelectasis.",
     "Large {side} effusion.", True),
    ("effusion", False, "Small {side} pleural effusion blunting the costophrenic angle.",
     "Small {side} pleural effusion.", True),
    ("pneumothorax", True, "There is a {side} apical pneumothorax measuring 2.5 cm.",
     "{Side} apical pneumothorax.", True),
    ("pneumothorax", True, "Thin {side} lateral pneumothorax without mediastinal shift.",
     "Small {side} pneumothorax.", True),
    ("consolidation", True, "Airspace consolidation in the {side} lower lobe with air bronchograms.",
     "{Side} lower lobe consolidation, likely pneumonia.", True),
    ("consolidation", True, "Patchy airspace opacity in the {side} mid zone.",
     "{Side} mid zone airspace disease, likely infection.", True),
    ("edema", True, "Upper lobe venous diversion with interstitial edema and Kerley B lines.",
     "Interstitial pulmonary edema.", False),
    ("edema", True, "Bilateral perihilar haziness and vascular congestion.",
     "Pulmonary vascular congestion with mild edema.", False),
    ("nodule", True, "A 14 mm nodule is seen in the {side} upper lobe.",
     "14 mm {side} upper lobe nodule, CT chest recommended.", True),
    ("nodule", False, "4 mm nodular density at the {side} base, likely a nipple shadow.",
     "Tiny {side} basal density, likely nipple shadow.", True),
    ("mass", True, "Lobulated 4.2 cm mass projecting over the {side} hilum.",
     "4.2 cm {side} hilar mass, CT recommended.", True),
    ("collapse", True, "Triangular opacity behind the heart with loss of the {side} hemidiaphragm, "
     "in keeping with {side} lower lobe collapse.", "{Side} lower lobe collapse.", True),
    ("mediastinum", True, "The superior mediastinum is widened, measuring 9.5 cm.",
     "Widened mediastinum, CT angiogram advised.", False),
    ("freeair", True, "Free air beneath the {side} hemidiaphragm.",
     "Free air under the {side} hemidiaphragm, query perforation.", True),
    ("heart", False, "The heart is mildly enlarged.", "Mild cardiomegaly.", False),
    ("heart", False, "Borderline heart size, stable.", "Stable borderline cardiomegaly.", False),
    ("atelectasis", False, "Linear atelectasis at the {side} base.", "Minor {side} basal atelectasis.", True),
    ("granuloma", False, "Calcified granuloma in the {side} upper lobe.", "Old granulomatous disease.", True),
    ("spine", False, "Degenerative changes of the thoracic spine.", "Thoracic spondylosis.", False),
]
# words whose presence in the impression means the finding family is named there (any wording)
FAMILY_WORDS = {
    "effusion": r"effusion|fluid|meniscus|pleural",
    "pneumothorax": r"pneumothora|ptx|pleural air",
    "consolidation": r"consolidat|airspace|air space|opacit|pneumonia|infect|infiltrat",
    "edema": r"edema|oedema|congesti|kerley|failure|overload",
    "nodule": r"nodul|density|lesion|opacit",
    "mass": r"mass|lesion|tumou?r|neoplas",
    "collapse": r"collaps|atelecta|volume loss",
    "mediastinum": r"mediastin|aort",
    "freeair": r"free air|subdiaphragmatic|pneumoperitoneum|perforat",
}
INDICATIONS = ["cough", "shortness of breath", "chest pain", "fever", "pre-op", "fall", "hypoxia",
               "follow up pneumonia", "smoker with weight loss", "___ with cough", "___-year-old with dyspnea"]
COMPARISONS = ["None.", "Prior study from ___.", "Chest radiograph ___.", "No prior.", "PA and lateral ___."]
MASK_TAILS = ["Discussed with Dr. ___ on ___ at ___.", "Findings called to ___ at ___.",
              "Dictated by Dr. ___."]


# ---------------------------------------------------------------- IU archive
def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.exit(f"IU reports not found under {d}; set MEDRAG_SHARED_DIR to the shared folder")
    return d


def dev_uids(d):
    p = d / "eval" / "report_errors_dev.jsonl"
    if not p.exists():
        return set()
    return {json.loads(line).get("uid") for line in p.open() if line.strip()}


def load_iu(d):
    out = []
    with tarfile.open(d / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted(tf.getmembers(), key=lambda x: x.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid = root.find("uId").get("id")
            secs = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            out.append({"uid": uid, **{k.lower(): v for k, v in secs.items()}})
    return out


SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
NEG_CUE = re.compile(r"\b(no|without|normal|clear|unremarkable|negative|within normal limits|intact|not)\b", re.I)
ABN_CUE = re.compile(r"\b(but|however|except|although|mild|small|minimal|stable|again|calcifi|granulom|left|right|"
                     r"bilateral|old|chronic|degenerat|prior|postop|surgical|sternotomy|clips|tortuous|"
                     r"hyperinfl|emphysem|copd|scar|nodul|opacit|atelecta|low lung|suboptimal|otherwise|"
                     r"enlarged|cardiomegaly|effusions? (?:is|are) present|there is (?:a|an) )",
                     re.I)
NORMAL_IMP = re.compile(r"^(no acute|normal|negative|no active|no evidence of acute|no radiographic evidence of "
                        r"acute|no acute cardiopulmonary)", re.I)


def sentences(text):
    text = re.sub(r"\s+([.,])", r"\1", text.strip())
    return [s.strip() for s in SENT.split(text) if s.strip()]


def usable(text):
    return bool(text) and not re.search(r"XXXX\s*(mm|cm)|\b(mm|cm)\b|[\[<*]|___|lungs focal|middle lobe|lingul", text)


def is_normal_iu(r):
    f, i = r.get("findings", ""), r.get("impression", "")
    if not (usable(f) and usable(i)) or len(f) < 60:
        return False
    fs = sentences(f)
    if len(fs) < 3 or not all(NEG_CUE.search(s) and not ABN_CUE.search(s) for s in fs):
        return False
    ims = sentences(i)
    return len(ims) <= 2 and all(NORMAL_IMP.search(s) and not ABN_CUE.search(s) for s in ims)


LAT_FIND = r"(effusion|pneumothora|opacit|consolidat|atelecta|infiltrat|pneumonia|airspace|nodul|granulom|mass)"


def iu_lateral(r):
    """An IU report whose findings and impression each name exactly one side, the same, by a finding."""
    f, i = r.get("findings", ""), r.get("impression", "")
    if not (usable(f) and usable(i)):
        return None
    sides = []
    for t in (f, i):
        low = t.lower()
        s = {w for w in ("left", "right") if re.search(rf"\b{w}\b", low)}
        if len(s) != 1 or re.search(r"bilateral|both|bibasilar", low):
            return None
        sides.append(s.pop())
    if sides[0] != sides[1]:
        return None
    side = sides[0]
    hits = [s for s in sentences(i) if re.search(rf"\b{side}\b", s, re.I) and re.search(LAT_FIND, s, re.I)]
    fhits = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I) and re.search(LAT_FIND, s, re.I)]
    neg = re.compile(r"\b(no|not|without|resolved|resolution|removed|fracture|chest wall|rib)\b", re.I)
    if len(hits) != 1 or not fhits or any(neg.search(x) for x in hits + fhits):
        return None
    return side


# ---------------------------------------------------------------- composition
def compose_normal(rng):
    fams = ["heart", "mediastinum", "lungs", "consolidation", "effusion", "pneumothorax", "edema", "bones"]
    keep = [f for f in fams if f in ("heart", "lungs") or rng.random() < 0.65]
    return [(f, rng.choice(NEGATIVES[f])) for f in keep]


def fill(text, side):
    return text.replace("{side}", side).replace("{Side}", side.capitalize())


def compose(rng, n_pos=None, sig=None, sided=None):
    """Structured composed report: findings sentences tagged with family, positives list, impression list."""
    if n_pos is None:
        n_pos = rng.choice([0, 0, 1, 1, 2])
    pool = [p for p in POSITIVES if (sig is None or p[1] == sig) and (sided is None or p[4] == sided)]
    pos, used = [], set()
    for k in range(n_pos):
        cands = [p for p in (pool if k == 0 else POSITIVES) if p[0] not in used]
        p = rng.choice(cands)
        used.add(p[0])
        side = rng.choice(["left", "right"])
        pos.append({"fam": p[0], "sig": p[1], "find": fill(p[2], side), "imp": fill(p[3], side),
                    "side": side if p[4] else None})
    bad = set().union(*[CONFLICTS[p["fam"]] for p in pos]) if pos else set()
    negs = [(f, s) for f, s in compose_normal(rng) if f not in bad]
    find = []
    for f, s in negs:
        find.append({"fam": f, "text": s, "neg": True})
    for p in pos:
        find.insert(rng.randrange(1, len(find) + 1), {"fam": p["fam"], "text": p["find"], "neg": False, "p": p})
    imp = [p["imp"] for p in pos if p["sig"]]
    minor = [p["imp"] for p in pos if not p["sig"]]
    if not imp:
        imp = ([rng.choice(NORMAL_IMPS[:2] + NORMAL_IMPS[3:5])] + minor) if minor and rng.random() < 0.5 \
            else [rng.choice(NORMAL_IMPS)]
    else:
        imp += [m for m in minor if rng.random() < 0.5]
    return {"findings": [x["text"] for x in find], "ftags": find, "impression": imp, "pos": pos,
            "indication": rng.choice(INDICATIONS), "comparison": rng.choice(COMPARISONS),
            "tail": rng.choice(MASK_TAILS) if pos and rng.random() < 0.3 else None, "src": "bank"}


def unnumber(sents):
    """IU numbered impressions ("1. Foo. 2. Bar.") lose their numbers; bullets and style renumber them."""
    out = []
    for s in sents:
        s = re.sub(r"^\d+\.\s*", "", s).strip()
        if s and not re.fullmatch(r"\d+\.?", s):
            out.append(s)
    return out


def from_iu(r):
    return {"findings": sentences(r["findings"]), "impression": unnumber(sentences(r["impression"])),
            "indication": r.get("indication") or "", "comparison": r.get("comparison") or "",
            "tail": None, "src": r["uid"], "pos": []}


# ---------------------------------------------------------------- messy rendering
def mess_body(text, rng, st):
    """Punctuation and spacing faults within one section body (text of sentences joined by '. ')."""
    faults = [f for f, on in (("." , st["nospace"]), (" ", st["nostop"]), (", ", st["commas"])) if on]
    if faults:
        text = re.sub(r"\.\s+(?=[A-Z])", lambda m: rng.choice(faults) if rng.random() < 0.7 else m.group(0), text)
    if st["double"]:
        text = re.sub(r"([.,])(?=\s)", lambda m: (m.group(1) + rng.choice([".", ","]) if rng.random() < 0.35
                                                  else m.group(1)), text)
    if st["breaks"]:
        words = text.split(" ")
        text = " ".join(w + ("\n" if rng.random() < 0.07 and i < len(words) - 1 else "") for i, w in enumerate(words))
        text = text.replace("\n ", "\n")
    return text


def header(name, rng, st):
    h = {"FINDINGS": ["FINDINGS", "Findings", "findings"], "IMPRESSION": ["IMPRESSION", "Impression", "impression"],
         "INDICATION": ["INDICATION", "Indication", "HISTORY", "Clinical history"],
         "COMPARISON": ["COMPARISON", "Comparison", "Prior"]}[name]
    return rng.choice(h)


def render(rep, rng, st):
    parts = []
    hs = st["hdr"]
    for name, key in (("INDICATION", "indication"), ("COMPARISON", "comparison"), ("FINDINGS", "findings"),
                      ("IMPRESSION", "impression")):
        val = rep.get(key)
        if val is None or (val == "" and key in ("indication", "comparison")):  # section absent
            continue
        if isinstance(val, list):
            if name == "IMPRESSION" and st["bullets"] and len(val) > 1:
                mark = st["bullet_mark"]
                body = "\n".join((f"{k + 1}." if mark == "num" else mark) + s for k, s in enumerate(val))
                bullet = True
            else:
                body = " ".join(val)
                bullet = False
        else:
            body, bullet = val, False
        if name == "IMPRESSION" and rep.get("tail") and body:
            body = body + ("\n" if bullet else " ") + rep["tail"]
        if body and not bullet:
            body = mess_body(body, rng, st)
        h = header(name, rng, st)
        if not body:
            parts.append(f"{h}:" if hs != "nocolon" else h)
        elif bullet:
            parts.append((f"{h}:" if hs != "nocolon" else h) + "\n" + body)
        elif hs == "nocolon":
            parts.append(f"{h} {body}")
        elif hs == "runin":
            parts.append(f"{h}:{body}")
        elif hs == "dash":
            parts.append(f"{h}-{body}")
        else:
            parts.append(f"{h}:{rng.choice([' ', '  ', chr(10)])}{body}")
    text = (st["sep"]).join(parts)
    if st["case"] == "lower":
        text = re.sub(r"[^X]+|X+", lambda m: m.group(0) if m.group(0).startswith("XXXX") else m.group(0).lower(), text)
    elif st["case"] == "upper":
        text = text.upper()
    return text


def pick_style(rng):
    st = {k: rng.random() < p for k, p in (("nospace", 0.5), ("nostop", 0.25), ("commas", 0.2), ("double", 0.3),
                                           ("breaks", 0.3), ("bullets", 0.4))}
    st["hdr"] = rng.choice(["colon", "nocolon", "runin", "dash", "colon", "nocolon"])
    st["case"] = rng.choice(["as", "as", "lower", "upper"])
    st["sep"] = rng.choice(["\n", "\n\n", " ", "\n"])
    st["bullet_mark"] = rng.choice(["-", "*", "num", "\u2022"])
    if not any(st[k] for k in ("nospace", "nostop", "commas", "double", "breaks")):
        st[rng.choice(["nospace", "nostop", "commas", "double", "breaks"])] = True
    return st


# ---------------------------------------------------------------- injections
def inject_missing(rep, rng, normal):
    mode = rng.choice(["imp_empty", "imp_absent", "find_empty"] + (["find_absent"] if normal else []))
    if mode == "imp_empty":
        rep["impression"], rep["tail"] = [], None
        return "IMPRESSION header left empty"
    if mode == "imp_absent":
        rep["impression"], rep["tail"] = None, None
        return "IMPRESSION section removed"
    if mode == "find_empty":
        rep["findings"] = []
        return "FINDINGS header left empty"
    rep["findings"] = None
    rep["impression"] = [rng.choice(["No acute disease.", "No acute cardiopulmonary abnormality.", "Negative."])]
    return "FINDINGS section removed; bare impression kept"


def flip(sentence, side):
    other = OPP[side]

    def rep(m):
        w = m.group(0)
        return other.capitalize() if w[0].isupper() else other
    return re.sub(rf"\b{side}\b", rep, sentence, flags=re.I)


def inject_laterality(rep, rng, side):
    """Flip the side of the one sided finding sentence in impression (or findings)."""
    sec = rng.choice(["impression", "findings"])
    idx = [k for k, s in enumerate(rep[sec]) if re.search(rf"\b{side}\b", s, re.I) and re.search(LAT_FIND, s, re.I)]
    if sec == "findings" and len(idx) != 1:
        sec = "impression"
        idx = [k for k, s in enumerate(rep[sec]) if re.search(rf"\b{side}\b", s, re.I)
               and re.search(LAT_FIND, s, re.I)]
    k = rng.choice(idx)
    old = rep[sec][k]
    if sec == "findings":  # every sided findings sentence about it must flip, so flip all of them
        rep[sec] = [flip(s, side) if re.search(rf"\b{side}\b", s, re.I) else s for s in rep[sec]]
    else:
        rep[sec][k] = flip(old, side)
    return f"{sec}: '{old}' side flipped {side}->{OPP[side]}"


NEG_ASSERT = {  # family of a negative findings sentence -> affirmed impression sentence
    "effusion": ["Small bilateral pleural effusions.", "Left pleural effusion.", "Right pleural effusion."],
    "pneumothorax": ["Small right apical pneumothorax.", "Left pneumothorax."],
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
    "edema": ["Mild pulmonary edema.", "Vascular congestion."],
    "consolidation": ["Right lower lobe pneumonia.", "Left basilar airspace disease."],
    "lungs": ["Left lower lobe consolidation.", "Right upper lobe infiltrate."],
}
NEG_FAM_RE = {
    "effusion": r"effusion|costophrenic", "pneumothorax": r"pneumothora", "heart": r"heart|cardiac",
    "edema": r"edema|vascula", "consolidation": r"consolidat|airspace|air space", "lungs": r"lungs? (?:are|is) clear",
}
NEG_DENY = {  # positive family -> impression sentence that rules it out
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is seen."],
    "consolidation": ["Lungs are clear.", "No airspace disease."],
    "edema": ["No pulmonary edema.", "No failure."],
    "heart": ["Normal heart size."],
    "collapse": ["Lungs are clear."],
    "mass": ["Clear lungs."],
    "nodule": ["Lungs are clear."],
}


def inject_negation_assert(rep, rng):
    """Findings negate X (normal report); impression asserts X."""
    cands = []
    for s in rep["findings"]:
        for fam, rx in NEG_FAM_RE.items():
            if re.search(rx, s, re.I) and NEG_CUE.search(s):
                cands.append((fam, s))
    if not cands:
        return None
    fam, s = rng.choice(cands)
    new = rng.choice(NEG_ASSERT[fam])
    rep["impression"] = [new] if rng.random() < 0.6 else [new, "Otherwise no acute disease."]
    return f"impression asserts '{new}' but findings say '{s}'"


def inject_negation_deny(rep, rng):
    """Findings affirm X; impression rules it out."""
    cands = [p for p in rep["pos"] if p["sig"] and p["fam"] in NEG_DENY]
    if not cands:
        return None
    p = rng.choice(cands)
    deny = rng.choice(NEG_DENY[p["fam"]])
    others = [q["imp"] for q in rep["pos"] if q is not p and q["sig"]]
    rep["impression"] = others + [deny] if others else [deny, rng.choice(["No acute disease.", "Normal study."])]
    if deny.startswith("Normal heart") and not others:
        rep["impression"] = [deny, "No acute disease."]
    return f"findings '{p['find']}' but impression '{deny}'"


OMIT_INSERT = [  # (family, findings text, negatives to drop) for IU normal reports
    ("pneumothorax", "Small {side} apical pneumothorax."), ("effusion", "Moderate {side} pleural effusion."),
    ("consolidation", "Focal airspace consolidation in the {side} lower lobe."),
    ("edema", "Diffuse interstitial edema with vascular congestion."),
    ("nodule", "1.8 cm nodule in the {side} mid lung."), ("collapse", "{Side} upper lobe collapse with volume loss."),
    ("mediastinum", "The mediastinum appears widened."),
]
DROP_RX = {
    "pneumothorax": r"pneumothora", "effusion": r"effusion|costophrenic|pleural",
    "consolidation": r"consolidat|airspace|air space|lungs?|infiltrat|opacit",
    "edema": r"edema|vascula|lungs?", "nodule": r"lungs?|nodul|mass", "collapse": r"lungs?|atelecta|consolidat",
    "mediastinum": r"mediastin",
}


def inject_omit_iu(rep, rng, with_other):
    imp = " ".join(rep["impression"])
    fam, text = rng.choice([o for o in OMIT_INSERT if with_other or not re.search(FAMILY_WORDS[o[0]], imp, re.I)])
    side = rng.choice(["left", "right"])
    text = fill(text, side)
    rep["findings"] = [s for s in rep["findings"] if not re.search(DROP_RX[fam], s, re.I)]
    rep["findings"].insert(rng.randrange(0, len(rep["findings"]) + 1), text)
    if with_other:
        rep["findings"].append("Degenerative changes of the thoracic spine.")
        rep["impression"] = ["Thoracic spondylosis.", "No other significant abnormality."]
    return fam, f"findings '{text}' not in impression"


def inject_omit_bank(rng, with_other):
    for _ in range(200):
        rep = compose(rng, n_pos=2 if with_other else 1, sig=True)
        p = rep["pos"][0]
        if not p["sig"] or p["fam"] not in FAMILY_WORDS:
            continue
        rest = [q for q in rep["pos"][1:] if not re.search(FAMILY_WORDS[p["fam"]], q["imp"], re.I)]
        if with_other:
            if not rest:
                continue
            rep["impression"] = [q["imp"] for q in rest]
        else:
            rep["impression"] = [rng.choice(NORMAL_IMPS)]
        rep["tail"] = None
        return rep, p["fam"], f"findings '{p['find']}' not in impression"
    raise RuntimeError("omission compose failed")


PH_SUBS = [
    (r"\b(\d+(?:\.\d+)?) (cm|mm)\b", lambda m, r: r.choice(["___ ", "XX ", "[***] "]) + m.group(2)),
    (r"\b(left|right)\b", lambda m, r: r.choice(["[LEFT/RIGHT]", "[side]", "***"])),
    (r"\b(small|moderate|large|mild)\b", lambda m, r: r.choice(["[mild/moderate/severe]", "[***]", "<insert>"])),
    (r"\bmildly\b", lambda m, r: "[***]"),
]


TEMPLATE_FIELDS = ((r"heart|cardiac", "Heart size is [normal/enlarged]."),
                   (r"lungs? (are|is) clear", "The lungs are [***]."),
                   (r"effusion", "Pleural spaces: [clear/effusion]."))


def template_field(findings, rng):
    """A normal sentence to swap for its unfilled template line, or (None, None, a line to add)."""
    for rx, line in TEMPLATE_FIELDS:
        hit = [k for k, s in enumerate(findings) if re.search(rx, s, re.I) and NEG_CUE.search(s)]
        if hit and rng.random() < 0.6:
            return hit[0], findings[hit[0]], line
    return None, None, "Lines and tubes: <insert>."


def inject_placeholder(rep, rng):
    sents = [(sec, k, s) for sec in ("findings", "impression") for k, s in enumerate(rep[sec] or [])]
    opts = []
    for sec, k, s in sents:
        for rx, fn in PH_SUBS:
            if re.search(rx, s, re.I):
                opts.append((sec, k, s, rx, fn))
    if opts and rng.random() < 0.8:
        sec, k, s, rx, fn = rng.choice(opts)
        new = re.sub(rx, lambda m: fn(m, rng), s, count=1, flags=re.I)
    else:  # template field left in a normal sentence
        sec = "findings"
        k, s, new = template_field(rep["findings"], rng)
        if k is None:
            rep["findings"].insert(rng.randrange(len(rep["findings"]) + 1), new)
            return f"template field left in findings: '{new}'"
    rep[sec][k] = new
    return f"{sec}: '{s}' -> '{new}'"


# ---------------------------------------------------------------- verification
PH_RX = re.compile(r"___ (cm|mm)|XX (cm|mm)|\[\*\*\*\]|\[LEFT/RIGHT\]|\[side\]|\*\*\*|<insert>|\[[a-z]+/[a-z]+\]|"
                   r"\[mild/moderate/severe\]", re.I)


def verify(kind, rep, info):
    f, i = rep.get("findings"), rep.get("impression")
    fj, ij = " ".join(f or []), " ".join(i or [])
    if kind is None:
        assert f and i and not PH_RX.search(fj + ij)
        for p in rep["pos"]:
            if p["sig"]:
                assert re.search(FAMILY_WORDS.get(p["fam"], p["fam"]), ij, re.I), (p, ij)
    elif kind == "missing_section":
        assert not f or not i
        if f is None:
            assert not re.search(r"effusion|pneumothora|consolidat|opacit|heart|lungs", ij, re.I)
    elif kind == "laterality_conflict":
        side = info
        assert re.search(rf"\b{side}\b", fj, re.I) and re.search(rf"\b{OPP[side]}\b", ij, re.I) or \
            re.search(rf"\b{OPP[side]}\b", fj, re.I) and re.search(rf"\b{side}\b", ij, re.I)
    elif kind == "impression_omits_finding":
        assert not re.search(FAMILY_WORDS[info], ij, re.I), (info, ij)
        assert f and i
    elif kind == "placeholder":
        assert PH_RX.search(fj + ij)
    elif kind == "negation_conflict":
        assert f and i and info
    if kind != "placeholder":
        assert not PH_RX.search(fj + ij)


# ---------------------------------------------------------------- build
def build(seed, d):
    rng = random.Random(seed)
    dev = dev_uids(d)
    iu = [r for r in load_iu(d) if r["uid"] not in dev]
    normal = [r for r in iu if is_normal_iu(r)]
    lateral = [(r, s) for r in iu if (s := iu_lateral(r))]
    rng.shuffle(normal)
    rng.shuffle(lateral)
    half = N_KIND // 2
    need = N_CLEAN // 2 + 4 * half
    if len(normal) < need or len(lateral) < half:
        sys.exit(f"not enough IU reports ({len(normal)} normal, {len(lateral)} lateral)")
    cases = []

    def add(kind, rep, detail):
        cases.append((kind, rep, detail))

    it = iter(normal)
    # clean
    for _ in range(N_CLEAN // 2):
        rep = compose(rng)
        verify(None, rep, None)
        add(None, rep, "")
    for _ in range(N_CLEAN // 2):
        rep = from_iu(next(it))
        verify(None, rep, None)
        add(None, rep, "")
    # missing_section
    for k in range(N_KIND):
        if k < half:
            rep = compose(rng)
            det = inject_missing(rep, rng, not rep["pos"])
        else:
            rep = from_iu(next(it))
            det = inject_missing(rep, rng, True)
        verify("missing_section", rep, None)
        add("missing_section", rep, det)
    # laterality
    for k in range(N_KIND):
        if k < half:
            rep = compose(rng, n_pos=1, sig=True, sided=True)
            side = rep["pos"][0]["side"]
            sec = rng.choice(["impression", "findings"])
            old = rep["pos"][0]["find" if sec == "findings" else "imp"]
            new = flip(old, side)
            rep[sec] = [new if s == old else s for s in rep[sec]]
            det = f"{sec}: '{old}' side flipped {side}->{OPP[side]}"
            rep["pos"] = []
        else:
            r, side = lateral[k - half]
            rep = from_iu(r)
            det = inject_laterality(rep, rng, side)
        verify("laterality_conflict", rep, side)
        add("laterality_conflict", rep, det)
    # negation
    for k in range(N_KIND):
        if k < half:
            if k % 2:
                rep = compose(rng, n_pos=rng.choice([1, 1, 2]), sig=True)
                det = inject_negation_deny(rep, rng)
                while det is None:
                    rep = compose(rng, n_pos=1, sig=True)
                    det = inject_negation_deny(rep, rng)
            else:
                rep = compose(rng, n_pos=0)
                det = inject_negation_assert(rep, rng)
            rep["tail"] = None
        else:
            rep = from_iu(next(it))
            det = inject_negation_assert(rep, rng)
            while det is None:
                rep = from_iu(next(it))
                det = inject_negation_assert(rep, rng)
        rep["pos"] = []
        verify("negation_conflict", rep, det)
        add("negation_conflict", rep, det)
    # omission
    for k in range(N_KIND):
        if k < half:
            rep, fam, det = inject_omit_bank(rng, k % 2 == 1)
        else:
            rep = from_iu(next(it))
            fam, det = inject_omit_iu(rep, rng, k % 2 == 1)
        rep["pos"] = []
        verify("impression_omits_finding", rep, fam)
        add("impression_omits_finding", rep, det)
    # placeholder
    for k in range(N_KIND):
        if k < half:
            rep = compose(rng, n_pos=rng.choice([1, 1, 2]))
        else:
            rep = from_iu(next(it))
        det = inject_placeholder(rep, rng)
        verify("placeholder", rep, None)
        add("placeholder", rep, det)

    out = []
    for kind, rep, det in cases:
        st = pick_style(rng)
        text = render(rep, rng, st).strip()
        src = "bank" if rep["src"] == "bank" else "iu"
        cid = hashlib.sha256(f"35|{seed}|{len(out)}|{text}".encode()).hexdigest()[:16]
        out.append({"id": cid, "injected": kind, "detail": det, "report": text, "_src": src, "_uid": rep["src"]})
    rng.shuffle(out)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    env = os.environ.get("MEDRAG_SHARED_DIR")
    d = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {d}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    rows = build(a.seed, d)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {kind} [{r['_src']}] {r['detail']}\n{r['report']}\n")


if __name__ == "__main__":
    main()
