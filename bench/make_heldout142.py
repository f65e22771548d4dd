"""Held-out report-error set 142: lung transplant and ILD units (UK and US), written blind.

usage: python -m bench.make_heldout142 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of
the five error kinds of ``shared/eval/README.md``. Half of every group is composed from the phrase
bank below (post-transplant surveillance, early post-operative ITU films, single lung transplants with
a native fibrotic lung, ILD follow-up), half are real IU reports (never a dev-set uid, each at most once
per set) re-laid out in the unit's templates and lightly re-worded. ``MEDRAG_SHARED_DIR`` overrides the
shared folder (default: ``../shared`` beside the repository root). Standard library only.
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
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------
# IU archive: loading and a conservative reading of each report (concepts, sides, negation)
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _load_iu(path: str) -> dict:
    out = {}
    with tarfile.open(path) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            sec = {}
            for a in root.iter("AbstractText"):
                sec[(a.get("Label") or "").lower()] = " ".join((a.text or "").split())
            out[uid] = sec
    return out


@lru_cache(maxsize=2)
def _dev_uids(path: str) -> frozenset:
    uids = set()
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                uids.add(json.loads(line)["uid"])
    return frozenset(uids)


# concept -> pattern; the group is what the two sections must agree on
CONCEPTS = {
    "pneumothorax": r"pneumothora",
    "effusion": r"effusion|pleural fluid|costophrenic (angle )?blunting|blunting of the (left |right )?costophrenic",
    "consolidation": r"consolidat|pneumonia|infiltrat|air ?space (disease|opacit)",
    "opacity": r"opacit|densit",
    "atelectasis": r"atelecta|collapse",
    "oedema": r"o?edema|vascular congestion|pulmonary congestion|congestive|chf\b|vascular engorgement|engorged",
    "cardiomegaly": r"cardiomegaly|enlarged (heart|cardiac)|(heart|cardiac silhouette|cardiac contour|heart size)"
                    r" (is |are |appears )?(mildly |moderately |markedly |borderline |slightly )?(enlarged|large)"
                    r"|cardiac enlargement",
    "nodule": r"nodul|\bmass\b|masses",
    "mediastinum": r"mediastinal widening|widen(ed|ing) (of the )?(superior )?mediastin",
    "free_air": r"free air|pneumoperitoneum|free intraperitoneal",
    "adenopathy": r"adenopathy|lymphadenopathy|hilar (enlargement|fullness)",
    "scarring": r"scar|fibros|fibrotic|reticul|interstitial",
    "fracture": r"fracture",
    "hernia": r"hernia",
    "device": r"catheter|\btube\b|pacemaker|\bport\b|\bpicc\b|stent|\bleads?\b|\bline\b",
    "elevation": r"elevat",
    "hyperinflation": r"hyperinfla|hyperexpan|emphysema|copd|flatten",
    "minor": r"granuloma|calcif|degenerat|spondylo|osteophyt|tortuous|atheroscl|scoliosis|kyphosis|sternotomy|"
             r"clips?\b|ectatic|unfolded|osteopeni|eventration",
}
GROUP = {"consolidation": "airspace", "opacity": "airspace", "atelectasis": "airspace"}
MINOR_GROUPS = {"minor", "hyperinflation", "elevation", "hernia", "fracture", "scarring", "device"}
SIGNIF_GROUPS = {"pneumothorax", "effusion", "airspace", "oedema", "cardiomegaly", "nodule", "mediastinum",
                 "free_air", "adenopathy"}
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear|clears|resolved|resolution|removed|absence|absent|"
                     r"neither|nor|normal|unremarkable|exclude|excluded|nonspecific)\b")
POST_NEG = re.compile(r"\b(is not|are not|not (seen|appreciated|identified|visualized|present)|no longer|"
                      r"resolved|resolving|removed|less (perceptible|conspicuous|prominent)|has cleared|excluded)\b")
HEDGE = re.compile(r"\b(may|might|could|possibl\w*|probabl\w*|question\w*|suggest\w*|versus|vs|cannot|"
                   r"concern|likely|consider|differential|suspicious|early|subtle|minimal|trace|tiny|small|mild)\b")
CLAUSE_SPLIT = re.compile(r";|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhereas\b|\bexcept\b|\bexception\b|"
                          r"\bwhich\b|\bwith\b(?! no\b)")
SENT_SPLIT = re.compile(r"(?<=[A-Za-z\)%\]]\.)\s+(?=[A-Z0-9])")
NORMAL_IMP = re.compile(r"no (acute|active)|no evidence of (acute|active)|no radiographic evidence|"
                        r"negative( for| chest)|normal chest|clear lungs|lungs are clear|^normal\b|^negative\b|"
                        r"unremarkable")
LUNGS_CLEAR = re.compile(r"lungs (are |appear )?(clear|well-expanded and clear)|clear lungs")
HEART_NORMAL = re.compile(r"(heart|cardiac|cardiomediastinal)[^.]{0,40}(normal|within normal limits|unremarkable)|"
                          r"normal (heart|cardiac)")


def sentences(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    parts = SENT_SPLIT.split(text)
    return [p.strip() for p in parts if p.strip()]


def sides_of(text: str) -> set:
    t = text.lower()
    s = set()
    if re.search(r"\bleft\b", t):
        s.add("left")
    if re.search(r"\bright\b", t):
        s.add("right")
    if re.search(r"\b(bilateral\w*|bibasilar|bibasal|both|biapical)\b", t):
        s |= {"left", "right"}
    return s


def analyse(text: str) -> list[dict]:
    """Concept mentions of a section: group, affirmed or negated, hedged, sides, sentence index."""
    out = []
    for si, sent in enumerate(sentences(text)):
        low = sent.lower()
        for clause in CLAUSE_SPLIT.split(low):
            for concept, pat in CONCEPTS.items():
                for m in re.finditer(pat, clause):
                    before = clause[: m.start()]
                    neg = bool(NEG_CUE.search(before)) or bool(POST_NEG.search(clause[m.end():]))
                    if concept == "cardiomegaly" and re.search(r"\bnot\b", clause):
                        neg = True
                    out.append({"group": GROUP.get(concept, concept), "concept": concept, "affirmed": not neg,
                                "hedged": bool(HEDGE.search(clause)), "sides": sides_of(clause), "sent": si,
                                "clause": clause, "sentence": low})
    return out


def _affirmed(ms: list[dict]) -> dict:
    g = {}
    for m in ms:
        if m["affirmed"]:
            g.setdefault(m["group"], set()).update(m["sides"])
    return g


def _negated(ms: list[dict]) -> set:
    return {m["group"] for m in ms if not m["affirmed"]}


def classify_iu(rep: dict) -> dict | None:
    """None when unusable; else a dict with 'normal' or 'abnormal' consistency facts."""
    f, imp = rep.get("findings", ""), rep.get("impression", "")
    if len(f) < 40 or len(imp) < 8:
        return None
    if re.search(r"\[|\]|\*\*|<<|__|\?", f + " " + imp):
        return None
    if re.search(r"\b(kub|bowel|abdomen|abdominal)\b", (f + " " + imp).lower()):
        return None
    fl, il = f.lower(), imp.lower()
    if re.search(r"\b(compared|comparison|previous|prior|interval|again|unchanged|stable|new|increas|decreas|"
                 r"improv|worse|resolv|persist)\b", il):
        # keep the impression free of temporal claims the findings might not support
        if not NORMAL_IMP.search(il):
            return None
    fm, im = analyse(f), analyse(imp)
    fa, ia = _affirmed(fm), _affirmed(im)
    fn, inn = _negated(fm), _negated(im)
    fa_sig = {g: s for g, s in fa.items() if g not in MINOR_GROUPS}
    ia_sig = {g: s for g, s in ia.items() if g not in MINOR_GROUPS}
    info = {"fm": fm, "im": im, "fa": fa, "ia": ia}
    lungs_clear = bool(LUNGS_CLEAR.search(fl))
    heart_normal = bool(HEART_NORMAL.search(fl))
    if not fa_sig and not ia_sig:
        # normal: every impression sentence normal or negative; findings nothing significant
        if re.search(r"\b(enlarg|increas|new|worse|prominen|haz[ey]|haziness|blunt|mass|fluid)", fl):
            return None
        if not NORMAL_IMP.search(il) and not all(not m["affirmed"] for m in im):
            return None
        if any(m["affirmed"] and m["group"] in ("scarring", "device", "fracture") for m in fm):
            return None
        info["type"] = "normal"
        info["lungs_clear"] = lungs_clear
        info["heart_normal"] = heart_normal
        return info
    # abnormal but consistent
    if NORMAL_IMP.search(il) and re.search(r"no (acute|active)|normal chest|negative", il):
        return None
    if set(fa_sig) != set(ia_sig):
        return None
    if set(fa) - set(ia) - {"minor", "hyperinflation", "elevation", "device", "scarring"}:
        return None
    for g in fa_sig:
        if fa_sig[g] and ia_sig[g] and fa_sig[g] != ia_sig[g]:
            return None
        if g in inn or g in fn:
            return None
    if lungs_clear and (set(ia_sig) & {"airspace", "nodule", "oedema"}):
        return None
    if heart_normal and "cardiomegaly" in ia_sig:
        return None
    if re.search(r"\bleft\b.*\bright\b|\bright\b.*\bleft\b", il) and len(ia_sig) > 1:
        return None
    info["type"] = "abnormal"
    return info


def lat_target(info: dict, rep: dict) -> tuple | None:
    """A group placed on exactly one side in both sections, with a sentence we can flip."""
    for g, fs in info["fa"].items():
        if g not in SIGNIF_GROUPS | {"scarring", "elevation"}:
            continue
        is_ = info["ia"].get(g)
        if not is_ or len(fs) != 1 or fs != is_:
            continue
        side = next(iter(fs))
        opp = "right" if side == "left" else "left"
        if opp in sides_of(rep["findings"]) or opp in sides_of(rep["impression"]):
            continue
        return g, side
    return None


OMIT_OK = {"pneumothorax", "airspace", "oedema", "effusion", "nodule", "mediastinum", "free_air"}


def omit_target(info: dict) -> str | None:
    if re.search(r"chronic|without (significant )?change|appears stable", " ".join(m["clause"] for m in info["fm"])):
        return None
    if any(re.search(r"chronic|scar|old |prior|previous|unchanged|stable|resolv|improv|decreas", m["clause"])
           for m in info["fm"] if m["affirmed"] and m["group"] in OMIT_OK):
        return None
    for m in info["fm"]:
        if not m["affirmed"] or m["hedged"] or m["group"] not in OMIT_OK:
            continue
        c = m["clause"]
        if re.search(r"atelecta|fibrosis|scar", m["sentence"]):
            continue
        if re.search(r"streaky|linear|bandlike|band-like|subsegmental|vague|subtle|faint|patchy|minimal|"
                     r"question|lateral (view|examination)|only|atelecta|fibrosis|appears? to| or ", c):
            continue
        if m["group"] == "effusion" and not re.search(r"\b(moderate|large|sizable|sizeable|layering)\b", c):
            continue
        if m["group"] == "airspace" and m["concept"] not in ("consolidation",) and "airspace" not in c:
            continue
        if m["group"] == "nodule" and "mass" not in c:
            mm = re.search(r"(\d+(?:\.\d+)?)\s*(mm|cm)", c)
            if not mm or float(mm.group(1)) * (10 if mm.group(2) == "cm" else 1) < 6:
                continue
        return m["group"]
    return None


NEG_PHRASE = {
    "pneumothorax": "No pneumothorax.",
    "effusion": "No pleural effusion.",
    "airspace": "No focal consolidation.",
    "oedema": "No pulmonary oedema.",
    "cardiomegaly": "Heart size is normal.",
    "nodule": "No pulmonary nodule or mass.",
}


def neg2_target(info: dict) -> tuple | None:
    """An affirmed, unhedged finding and a negating sentence for it (explicit, or by meaning)."""
    for m in info["fm"]:
        if not m["affirmed"] or m["hedged"]:
            continue
        if m["group"] == "airspace" or m["group"] == "nodule":
            return m["group"], "The lungs are clear."
        if m["group"] in NEG_PHRASE:
            return m["group"], NEG_PHRASE[m["group"]]
    return None


@lru_cache(maxsize=2)
def iu_pools(archive: str, dev: str) -> dict:
    reps = _load_iu(archive)
    bad = _dev_uids(dev)
    pools = {"normal": [], "abnormal": [], "lat": [], "omit": [], "neg2": []}
    infos = {}
    for uid in sorted(reps, key=lambda u: int(u[3:])):
        if uid in bad:
            continue
        rep = reps[uid]
        info = classify_iu(rep)
        if info is None:
            continue
        infos[uid] = info
        if info["type"] == "normal":
            pools["normal"].append(uid)
            continue
        pools["abnormal"].append(uid)
        if lat_target(info, rep):
            pools["lat"].append(uid)
        if omit_target(info):
            pools["omit"].append(uid)
        if neg2_target(info):
            pools["neg2"].append(uid)
    return {"reps": reps, "infos": infos, "pools": pools}


# ----------------------------------------------------------------------------------------------
# The unit's wording: headers, sign-offs, spellings
# ----------------------------------------------------------------------------------------------

UK_NAMES = ["A. Okafor", "R. Patel", "S. McAllister", "H. Lindqvist", "J. Brennan", "C. Fairweather", "N. Rahman",
            "E. Caldwell", "T. Oyelaran", "M. Doherty", "L. Whitcombe", "P. Sandhu"]
US_NAMES = ["Karen L. Whitfield", "David Nguyen", "Rebecca Stroud", "Michael P. Alvarez", "Priya Raman",
            "Jonathan Kessler", "Amanda Ortiz", "Steven Choi", "Laura Benedetti", "Gregory Haas"]

UK_TO_US = [
    ("intercostal drains", "chest tubes"),
    ("Surgical emphysema", "Subcutaneous emphysema"), ("intercostal drain", "chest tube"),
    ("chest drains", "chest tubes"),
    ("chest drain", "chest tube"), ("surgical emphysema", "subcutaneous emphysema"), ("oedema", "edema"),
    ("Oedema", "Edema"), ("haemothorax", "hemothorax"), ("haematoma", "hematoma"), ("Haemothorax", "Hemothorax"),
    ("in keeping with", "consistent with"), ("In keeping with", "Consistent with"), ("ITU", "ICU"),
    ("opacification", "opacity"), ("centimetres", "cm"), ("oesophag", "esophag"), ("anaesthe", "anesthe"),
    ("programme", "program"), ("favour", "favor"), ("Favour", "Favor"),
]
US_TO_UK = [
    ("edema", "oedema"), ("Edema", "Oedema"), ("hemothorax", "haemothorax"), ("hematoma", "haematoma"),
    ("esophag", "oesophag"), ("Esophag", "Oesophag"), ("chest x-XXXX", "chest radiograph"),
    ("Chest x-XXXX", "Chest radiograph"), ("x-XXXX", "radiograph"), ("favor", "favour"), ("color", "colour"),
    ("anesthe", "anaesthe"),
]


def to_us(text: str) -> str:
    for a, b in UK_TO_US:
        text = text.replace(a, b)
    return text


def to_uk(text: str) -> str:
    for a, b in US_TO_UK:
        text = text.replace(a, b)
    return text


def _date(rng: random.Random, us: bool) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2022, 2023, 2024])
    return f"{m}/{d}/{y}" if us else f"{d:02d}/{m:02d}/{y}"


def _time(rng: random.Random, us: bool) -> str:
    h, mi = rng.randint(7, 19), rng.randint(0, 59)
    if us:
        return f"{(h - 1) % 12 + 1}:{mi:02d} {'AM' if h < 12 else 'PM'}"
    return f"{h:02d}:{mi:02d}"


def sign_off(rng: random.Random, style: str) -> str:
    if style == "us":
        n = rng.choice(US_NAMES)
        return rng.choice([
            f"Electronically signed by: {n}, MD on {_date(rng, True)} {_time(rng, True)}",
            f"Dictated by: {n}, MD\nSigned: {_date(rng, True)} {_time(rng, True)}",
            f"I have personally reviewed the images and agree with the findings above.\n{n}, MD, "
            f"Cardiothoracic Imaging",
            f"Attending radiologist: {n}, MD",
        ])
    n, n2 = rng.choice(UK_NAMES), rng.choice(UK_NAMES)
    return rng.choice([
        f"Dr {n}, Consultant Cardiothoracic Radiologist",
        f"Reported by Dr {n}, ST4 Radiology Registrar\nVerified by Dr {n2}, Consultant Radiologist",
        f"Dr {n} FRCR\nConsultant Radiologist, Transplant Imaging\nReported: {_date(rng, False)} "
        f"{_time(rng, False)}",
        f"Reported by: Dr {n}, Consultant Thoracic Radiologist ({_date(rng, False)})",
        f"{n}, Consultant Radiologist",
    ])


# layouts: exam line, clinical header, comparison header, findings header, impression header, style
LAYOUTS = [
    {"name": "uk-transplant", "exam": "XR CHEST (PA)", "clin": "Clinical details:", "comp": "Comparison:",
     "find": "Findings:", "imp": "Conclusion:", "style": "uk"},
    {"name": "uk-itu", "exam": "XR CHEST (AP, mobile, ITU)", "clin": "Clinical information:", "comp": "Compared with:",
     "find": "Report:", "imp": "Opinion:", "style": "uk"},
    {"name": "uk-ild-clinic", "exam": "Chest X-ray PA", "clin": "Indication:", "comp": "Previous:",
     "find": "Findings:", "imp": "Impression:", "style": "uk"},
    {"name": "uk-caps", "exam": "CHEST RADIOGRAPH", "clin": "CLINICAL DETAILS:", "comp": "COMPARISON:",
     "find": "FINDINGS:", "imp": "SUMMARY:", "style": "uk"},
    {"name": "us-transplant", "exam": "EXAMINATION: XR CHEST PA AND LATERAL", "clin": "CLINICAL HISTORY:",
     "comp": "COMPARISON:", "find": "FINDINGS:", "imp": "IMPRESSION:", "style": "us", "technique": True},
    {"name": "us-portable", "exam": "EXAM: CHEST 1 VIEW PORTABLE", "clin": "INDICATION:", "comp": "COMPARISON:",
     "find": "FINDINGS:", "imp": "IMPRESSION:", "style": "us"},
    {"name": "us-ild", "exam": "CHEST RADIOGRAPH, 2 VIEWS", "clin": "HISTORY:", "comp": "COMPARISON:",
     "find": "Findings:", "imp": "Impression:", "style": "us", "technique": True},
]
LAYOUT_BY_NAME = {lay["name"]: lay for lay in LAYOUTS}
STRUCT_CATS = [("lines", "Lines/tubes"), ("lungs", "Lungs"), ("pleura", "Pleura"),
               ("heart", "Heart and mediastinum"), ("bones", "Bones/soft tissues")]


def render(case: dict, layout: dict, rng: random.Random, missing: str | None = None,
           missing_mode: str = "empty") -> str:
    """case: exam?, clinical, comparison, findings [(cat, sentence)], impression [sentences], numbered, sign,
    structured (bool), recommendation?"""
    us = layout["style"] == "us"
    lines = [case.get("exam") or layout["exam"]]
    if case.get("clinical"):
        lines.append(f"{layout['clin']} {case['clinical']}")
    if layout.get("technique"):
        lines.append("TECHNIQUE: " + rng.choice(["PA and lateral views of the chest.", "Frontal and lateral views."])
                     if layout["clin"].isupper() else "Technique: PA and lateral views.")
    if case.get("comparison"):
        lines.append(f"{layout['comp']} {case['comparison']}")
    lines.append("")
    # findings
    fsents = case["findings"]
    if missing == "findings":
        if missing_mode == "signature":
            lines += [layout["find"], case["sign"], ""]
        else:
            lines += [layout["find"], ""]
    else:
        if case.get("structured") and us:
            lines.append(layout["find"])
            for cat, label in STRUCT_CATS:
                ss = [s for c, s in fsents if c == cat]
                if ss:
                    lines.append(f"{label}: {' '.join(ss)}")
                elif cat == "lines":
                    lines.append(f"{label}: None.")
            lines.append("")
        elif case.get("findings_lines"):
            lines.append(layout["find"])
            lines += [s for _, s in fsents]
            lines.append("")
        else:
            lines.append(layout["find"])
            lines.append(" ".join(s for _, s in fsents))
            lines.append("")
    # impression
    if missing == "impression":
        if missing_mode == "removed":
            pass
        elif missing_mode == "signature":
            lines += [layout["imp"], case["sign"]]
            return "\n".join(lines).strip() + "\n"
        else:
            lines += [layout["imp"], ""]
    else:
        imp = case["impression"]
        lines.append(layout["imp"])
        if case.get("numbered") and len(imp) > 1:
            lines += [f"{k}. {s}" for k, s in enumerate(imp, 1)]
        else:
            lines.append(" ".join(imp))
        if case.get("recommendation"):
            lines.append("")
            lines.append(("RECOMMENDATION: " if layout["imp"].isupper() else "Recommendation: ")
                         + case["recommendation"])
        lines.append("")
    lines.append(case["sign"])
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------------------------
# Phrase bank (composed half)
# ----------------------------------------------------------------------------------------------

def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def item(cat, f, i=None, side=None, concept=None, sig=False, neg_i=None, keep_i=False):
    """f, i: templates with {side}/{Side}/{other}; i a list of alternative impression wordings."""
    return {"cat": cat, "f": f, "i": i or [], "side": side, "concept": concept, "sig": sig, "neg_i": neg_i,
            "keep_i": keep_i}


def fill(t: str, side: str | None) -> str:
    if side is None:
        return t
    return t.format(side=side, Side=_cap(side), other=other(side), Other=_cap(other(side)))


def pathology_items(rng: random.Random, ctx: str) -> list[dict]:
    """Candidate pathology items for a context; caller picks a few."""
    s = rng.choice(["left", "right"])
    zone = rng.choice(["lower zone", "mid zone", "lower and mid zones"])
    mm = rng.choice([7, 8, 9, 11, 12, 14])
    ptx_cm = rng.choice(["1 cm", "1.5 cm", "2 cm", "8 mm", "2.5 cm"])
    c = {}
    c["ptx"] = item("pleura", rng.choice([
        "Small {side} apical pneumothorax, measuring " + ptx_cm + " from the apex.",
        "There is a {side} apical pneumothorax with a rim of " + ptx_cm + ".",
        "A small {side} apicolateral pneumothorax is present (" + ptx_cm + ").",
    ]), [
        "Small {side} apical pneumothorax.",
        "{Side} apical pneumothorax, " + ptx_cm + ".",
        "Small {side} pneumothorax; the transplant team have been informed.",
    ], side=s, concept="pneumothorax", sig=True, neg_i="No pneumothorax.")
    c["ptx_post_drain"] = item("pleura",
        "Following removal of the {side} basal drain there is a new small {side} apical pneumothorax (" + ptx_cm + ").",
        ["New small {side} apical pneumothorax following drain removal.",
         "Small {side} pneumothorax after drain removal; suggest repeat film in 4-6 hours."],
        side=s, concept="pneumothorax", sig=True, neg_i="No pneumothorax.")
    c["consol"] = item("lungs", rng.choice([
        "New airspace opacification in the {side} " + zone + ".",
        "There is new consolidation in the {side} " + zone + ", not present on the previous film.",
        "Patchy consolidation has developed in the {side} " + zone + ".",
    ]), [
        "New {side} " + zone + " consolidation, in keeping with infection in this clinical context.",
        "{Side} " + zone + " consolidation. Infection is favoured; correlate with bronchoscopy and BAL.",
        "New {side}-sided airspace opacity, likely infective.",
    ], side=s, concept="consolidation", sig=True, neg_i="No focal consolidation.")
    c["oedema"] = item("lungs", rng.choice([
        "Bilateral perihilar haze with septal lines and peribronchial cuffing, new since the previous film.",
        "There is new bilateral interstitial and perihilar airspace shadowing with Kerley B lines.",
        "Upper lobe venous diversion with bilateral perihilar opacification and septal thickening.",
    ]), [
        "Features of pulmonary oedema. In the early post-transplant period reperfusion oedema or acute rejection "
        "are differentials.",
        "Bilateral perihilar oedema pattern; ?fluid overload ?acute rejection.",
        "Pulmonary oedema.",
    ], concept="oedema", sig=True, neg_i="No pulmonary oedema.")
    c["eff_large"] = item("pleura", rng.choice([
        "Moderate {side} pleural effusion, increased since the previous film.",
        "Large {side} pleural collection with a meniscus reaching the mid zone.",
        "Moderate-sized {side} pleural effusion.",
    ]), [
        "Moderate {side} pleural effusion.",
        "{Side} pleural collection, larger than before; ?haemothorax in the post-operative setting.",
        "Sizeable {side} effusion; consider ultrasound-guided drainage.",
    ], side=s, concept="effusion", sig=True, neg_i="No pleural effusion.")
    c["nodule"] = item("lungs", rng.choice([
        "A " + str(mm) + " mm nodule is projected over the {side} " + zone + ", not present previously.",
        "New " + str(mm) + " mm rounded opacity in the {side} " + zone + ".",
    ]), [
        "New " + str(mm) + " mm {side} " + zone + " nodule. CT chest recommended; PTLD and infection are "
        "differentials.",
        "{Side} pulmonary nodule (" + str(mm) + " mm), new. Suggest CT.",
    ], side=s, concept="nodule", sig=True, neg_i="No pulmonary nodule.")
    c["mediast"] = item("heart",
        "The superior mediastinum is widened compared with the immediately post-operative film.",
        ["Interval widening of the mediastinum; ?mediastinal haematoma. Discussed with the on-call cardiothoracic "
         "team.", "Widened mediastinum since the previous film."],
        concept="mediastinum", sig=True, neg_i="Mediastinal contour is normal.")
    c["fib_prog"] = item("lungs", rng.choice([
        "Increased reticular shadowing in both lower zones compared with the previous film, with further loss of "
        "lung volume.",
        "Progression of the bibasal subpleural reticulation since the previous study.",
    ]), ["Progression of basal fibrotic change.", "Interval progression of fibrotic interstitial lung disease."],
        concept="fibrosis_prog", sig=True, neg_i=None)
    # minor
    c["eff_small"] = item("pleura", rng.choice([
        "Small {side} pleural effusion.", "Blunting of the {side} costophrenic angle in keeping with a small "
        "effusion.", "Small residual {side} basal pleural collection."]),
        ["Small {side} pleural effusion.", "Small {side} effusion, unchanged."], side=s, concept="effusion",
        neg_i="No pleural effusion.")
    c["atel"] = item("lungs", "Linear atelectasis at the {side} base.", ["Minor {side} basal atelectasis."], side=s,
                     concept="atelectasis")
    c["pl_thick"] = item("pleura", "Stable {side} apical pleural thickening.", ["Stable {side} apical pleural "
                         "thickening."], side=s, concept="pleural_thickening")
    c["surg_emph"] = item("bones", "Surgical emphysema in the {side} lateral chest wall, reducing.",
                          ["Reducing {side} chest wall surgical emphysema."], side=s, concept="surgical_emphysema")
    c["hemidiaph"] = item("heart", "Elevated {side} hemidiaphragm, unchanged (known phrenic nerve palsy).",
                          ["Stable elevation of the {side} hemidiaphragm."], side=s, concept="hemidiaphragm")
    c["gran"] = item("lungs", "A 4 mm calcified granuloma over the {side} upper zone is unchanged.",
                     ["Stable calcified granuloma."], side=s, concept="granuloma")
    c["cardio_mild"] = item("heart", "Mild cardiomegaly, stable.", ["Stable mild cardiomegaly."],
                            concept="cardiomegaly", neg_i="Heart size is normal.")
    c["anast"] = item("lungs", "Mild narrowing at the {side} main bronchial anastomosis is again noted, unchanged.",
                      ["Stable mild narrowing of the {side} bronchial anastomosis."], side=s, concept="anastomosis")
    keys = {"surv": ["ptx", "consol", "oedema", "eff_large", "nodule", "eff_small", "atel", "pl_thick", "hemidiaph",
                     "gran", "cardio_mild", "anast"],
            "postop": ["ptx", "ptx_post_drain", "consol", "oedema", "eff_large", "mediast", "eff_small", "atel",
                       "surg_emph"],
            "slt": ["ptx", "consol", "eff_large", "nodule", "eff_small", "atel", "pl_thick", "gran", "cardio_mild",
                    "anast"],
            "ild": ["consol", "fib_prog", "nodule", "eff_large", "ptx", "eff_small", "cardio_mild", "gran"]}[ctx]
    return [dict(c[k], key=k) for k in keys]


def context(rng: random.Random, ctx: str, us: bool) -> dict:
    """Background items, clinical details, comparison, normal impressions, negatives available."""
    side = rng.choice(["left", "right"])
    year = rng.randint(2009, 2023)
    bg, neg = [], {}
    neg["pneumothorax"] = rng.choice(["No pneumothorax.", "No pneumothorax is seen."])
    neg["effusion"] = rng.choice(["No pleural effusion.", "Costophrenic angles are clear.",
                                  "No pleural effusion is seen."])
    neg["heart"] = rng.choice(["Heart size is normal.", "Cardiomediastinal contours are within normal limits.",
                               "Normal cardiomediastinal silhouette.", "The heart is not enlarged."])
    neg["consolidation"] = rng.choice(["No focal consolidation.", "No new airspace opacity."])
    neg["oedema"] = "No pulmonary oedema."
    if ctx == "surv":
        kind = rng.choice(["BSLTx", "bilateral sequential lung transplant", "BOLT", "double lung transplant"])
        why = rng.choice(["CF", "COPD", "IPF", "alpha-1 antitrypsin deficiency", "bronchiectasis", "PAH"])
        clinical = rng.choice([
            f"{kind} {year} for {why}. Routine surveillance.",
            f"{kind} ({year}, {why}). Clinic review, FEV1 down 10%. ?infection ?rejection.",
            f"Post {kind} for {why}. Annual assessment.",
            f"{kind} {year}. Increasing breathlessness and cough. ?infection.",
        ])
        bg.append(item("bones", rng.choice(["Clamshell wires are intact.", "Median sternotomy wires are intact.",
                                            "Clamshell closure wires unchanged in position."]),
                       ["Post bilateral lung transplant."], concept="wires"))
        neg["lungs"] = rng.choice(["Both transplanted lungs are clear.", "The lungs are clear.", "Lungs clear."])
        normal_imp = ["Stable post-transplant appearances. No acute abnormality.", "No acute abnormality.",
                      "Satisfactory post-transplant appearances, no active disease.",
                      "No acute cardiopulmonary process.", "No new abnormality."]
    elif ctx == "slt":
        native = rng.choice(["fibrotic change with volume loss", "emphysematous change with hyperinflation"])
        nat_word = "fibrosis" if native.startswith("fib") else "emphysema"
        clinical = rng.choice([
            f"{_cap(side)} single lung transplant {year} for {'IPF' if nat_word == 'fibrosis' else 'COPD'}. "
            f"Surveillance.",
            f"{_cap(side)} SLTx. Cough, low-grade pyrexia. ?infection.",
            f"SLTx ({side}) {year}. Follow-up.",
        ])
        bg.append(item("lungs", "{Side} single lung transplant. The native {other} lung shows established "
                       + native + ".",
                       ["{Side} single lung transplant with native {other} lung " + nat_word + ", unchanged.",
                        "Stable appearances of {side} SLTx and native {other} lung " + nat_word + "."],
                       side=side, concept="slt", keep_i=True))
        bg.append(item("bones", rng.choice([f"{_cap(side)} thoracotomy changes.",
                                            f"Post-surgical changes of the {side} ribs from thoracotomy."]),
                       concept="thoracotomy", side=None))
        neg["lungs"] = f"The transplanted {side} lung is clear."
        normal_imp = None
    elif ctx == "postop":
        day = rng.choice(["Day 1", "Day 2", "Day 3", "Day 4"])
        clinical = rng.choice([
            f"{day} post bilateral sequential lung transplant. Drains in situ.",
            f"{day} post BSLTx via clamshell. Check lines and drains.",
            f"{day} post double lung transplant. Desaturation.",
        ])
        bg.append(item("lines", rng.choice([
            "Endotracheal tube tip 4 cm above the carina.", "ETT tip is satisfactorily positioned above the carina.",
            "The patient has been extubated since the previous film."]), concept="ett"))
        bg.append(item("lines", rng.choice([
            "Right internal jugular central venous catheter tip in the SVC.",
            "Right IJ line with tip at the cavoatrial junction.",
            "Left internal jugular line, tip in the SVC."]), concept="cvc"))
        bg.append(item("lines", rng.choice([
            "Nasogastric tube tip below the diaphragm.", "NG tube passes below the diaphragm, tip out of view."]),
            concept="ngt"))
        bg.append(item("lines", rng.choice([
            "Bilateral apical and basal intercostal drains in situ.",
            "Four intercostal drains in situ, two on each side.",
            "Bilateral chest drains remain in position."]), ["Lines, tubes and drains satisfactorily positioned.",
                                                              "Tubes and drains in satisfactory position."],
            concept="drains", keep_i=True))
        bg.append(item("bones", "Clamshell wires in situ.", concept="wires"))
        neg["lungs"] = "Both lungs are clear."
        normal_imp = ["Satisfactory early post-operative appearances.",
                      "Satisfactory post-operative appearances. No pneumothorax.",
                      "Expected post-operative appearances, no acute complication."]
    else:  # ild
        dx = rng.choice(["IPF", "fibrotic NSIP", "fibrotic HP", "SSc-ILD", "RA-ILD", "UIP pattern ILD"])
        drug = rng.choice(["nintedanib", "pirfenidone", "mycophenolate", "no antifibrotic"])
        clinical = rng.choice([
            f"{dx}, on {drug}. Routine follow-up.", f"Known {dx}. Transplant assessment.",
            f"{dx}. Worsening breathlessness. ?progression ?infection.", f"ILD clinic follow-up ({dx})."])
        bg.append(item("lungs", rng.choice([
            "Bilateral basal predominant subpleural reticular shadowing with reduced lung volumes, unchanged.",
            "Established bibasal reticulation with volume loss, stable compared with the previous film.",
            "Peripheral and basal reticular opacities in keeping with known fibrotic lung disease, unchanged."]),
            ["Stable appearances of fibrotic lung disease.", "Established basal fibrosis, no change.",
             "Known fibrotic ILD, radiographically stable."], concept="fibrosis", keep_i=True))
        neg["lungs"] = None
        normal_imp = None
    comp_opts = (["None.", f"{_date(rng, True)}.", f"Chest radiograph {_date(rng, True)}.", "Prior study XXXX."]
                 if us else
                 ["None available.", f"{_date(rng, False)}.", f"Previous film of {_date(rng, False)}.",
                  "Previous film of XXXX."] + (["Post-operative film from yesterday."] if ctx == "postop" else []))
    comparison = rng.choice(comp_opts)
    return {"bg": bg, "neg": neg, "clinical": clinical, "comparison": comparison, "normal_imp": normal_imp}


def compose(rng: random.Random, need: str | None = None) -> dict:
    """A consistent composed case. need: 'sig' (one significant item), 'sided' (a sided item in both sections),
    'negfind' (an affirmed item with a negating impression phrase), 'normal' (normal impression)."""
    for _ in range(200):
        layout = rng.choice(LAYOUTS)
        us = layout["style"] == "us"
        ctx = rng.choice(["surv", "surv", "postop", "slt", "ild"])
        if layout["name"] == "uk-itu" or layout["name"] == "us-portable":
            ctx = "postop" if rng.random() < 0.7 else ctx
        if need == "normal" and ctx in ("slt", "ild"):
            continue
        bg = context(rng, ctx, us)
        cands = pathology_items(rng, ctx)
        sig = [c for c in cands if c["sig"]]
        minor = [c for c in cands if not c["sig"]]
        chosen = []
        if need == "sig" or (need is None and rng.random() < 0.5) or need == "negfind" and rng.random() < 0.5:
            chosen.append(rng.choice(sig))
        if need != "normal":
            chosen += rng.sample(minor, k=rng.choice([0, 1, 1, 2]))
        else:
            quiet_minor = [m for m in minor if m["concept"] in ("pleural_thickening", "hemidiaphragm",
                                                                 "granuloma", "cardiomegaly")]
            chosen += rng.sample(quiet_minor, k=min(len(quiet_minor), rng.choice([0, 0, 1])))
        concepts = [c["concept"] for c in chosen]
        if len(set(concepts)) != len(concepts):
            continue
        sides = {c["concept"]: c["side"] for c in chosen}
        if need == "sided" and not any(c["side"] and c["i"] for c in chosen + bg["bg"]):
            continue
        if need == "negfind" and not any(c["neg_i"] for c in chosen):
            continue
        if need == "sig" and sum(c["sig"] for c in chosen) != 1:
            continue
        # single lung transplant: pathology sits in the transplanted lung (except fibrosis); skip clashes
        if ctx == "slt" and any(c["side"] and c["concept"] in ("pneumothorax", "effusion") for c in chosen):
            pass
        bg_items = list(bg["bg"])
        if "fibrosis_prog" in concepts:  # progression replaces the 'unchanged fibrosis' line
            bg_items = [b for b in bg_items if b["concept"] != "fibrosis"]
        if any(c["key"] == "ptx_post_drain" for c in chosen):
            bg_items = [dict(b, f="Remaining intercostal drains in situ.") if b["concept"] == "drains" else b
                        for b in bg_items]
        items = bg_items + chosen
        if any(re.search(r"\bnew\b|previous|since|increased|progress|larger", c["f"] + " ".join(c["i"]))
               for c in chosen) and re.search(r"None|yesterday", bg["comparison"]):
            bg["comparison"] = (f"{_date(rng, True)}." if us else f"Previous film of {_date(rng, False)}.")
        # findings negatives that do not clash with the items
        present = {c["concept"] for c in items}
        negs = []
        if "pneumothorax" not in present:
            negs.append(("pleura", "pneumothorax", bg["neg"]["pneumothorax"]))
        if "effusion" not in present:
            negs.append(("pleura", "effusion", bg["neg"]["effusion"]))
        if not present & {"cardiomegaly", "mediastinum"}:
            negs.append(("heart", "heart", bg["neg"]["heart"]))
        lungs_busy = present & {"consolidation", "oedema", "nodule", "atelectasis", "fibrosis", "fibrosis_prog",
                                "granuloma", "anastomosis"}
        if bg["neg"].get("lungs") and not lungs_busy:
            negs.append(("lungs", "lungs", bg["neg"]["lungs"]))
        elif "consolidation" not in present and "oedema" not in present and rng.random() < 0.6:
            negs.append(("lungs", "consolidation", bg["neg"]["consolidation"]))
        rng.shuffle(negs)
        # findings order: lines, lungs, pleura, heart, bones
        order = {"lines": 0, "lungs": 1, "pleura": 2, "heart": 3, "bones": 4}
        fitems = [("item", c) for c in items] + [("neg", n) for n in negs]
        fitems.sort(key=lambda x: order[x[1]["cat"] if x[0] == "item" else x[1][0]])
        # impression
        imp_items = [c for c in items if c["sig"] or (c["i"] and (c["keep_i"] or rng.random() < 0.6))]
        if need == "sided":
            if not any(c["side"] and c["i"] for c in imp_items):
                extra = [c for c in items if c["side"] and c["i"]]
                imp_items.append(rng.choice(extra))
        if need == "negfind" and not any(c["neg_i"] for c in imp_items):
            imp_items += [c for c in items if c["neg_i"]][:1]
        imp_items.sort(key=lambda c: (not c["sig"], items.index(c)))
        # minor items allowed beside a normal impression (chronic, stable); nothing else may be unlisted
        quiet = {"wires", "ett", "cvc", "ngt", "drains", "thoracotomy", "pleural_thickening", "hemidiaphragm",
                 "granuloma", "cardiomegaly", "anastomosis"}
        can_normal = bg["normal_imp"] and all(c["concept"] in quiet for c in items)
        case = {"layout": layout["name"], "ctx": ctx, "items": items, "fitems": fitems, "sides": sides,
                "clinical": bg["clinical"], "comparison": bg["comparison"], "neg": bg["neg"], "us": us,
                "normal_imp": bg["normal_imp"]}
        if need == "normal" and not can_normal:
            continue
        if need == "normal" or (need is None and can_normal and rng.random() < 0.5):
            case["imp_choice"] = [("normal", rng.choice(bg["normal_imp"]))]
            if need != "normal" and rng.random() < 0.3:
                case["imp_choice"] += [("item", c, rng.randrange(len(c["i"]))) for c in imp_items if c["i"]][:1]
        else:
            if not imp_items:
                continue
            case["imp_choice"] = [("item", c, rng.randrange(len(c["i"]))) for c in imp_items if c["i"]]
            if not case["imp_choice"]:
                continue
            if not any(c["sig"] for c in items) and rng.random() < 0.5 and ctx in ("surv", "postop"):
                case["imp_choice"].append(("text", "No acute abnormality otherwise."))
        case["numbered"] = rng.random() < 0.6
        case["structured"] = us and layout["name"] == "us-transplant" and rng.random() < 0.7
        case["findings_lines"] = (not us) and rng.random() < 0.35
        case["sign"] = sign_off(rng, layout["style"])
        if any(c["concept"] == "nodule" for c in items if c["sig"]) and rng.random() < 0.5:
            case["recommendation"] = "CT chest with contrast. Discussed with the transplant coordinator."
        return case
    raise RuntimeError(f"could not compose a case for {need}")


def materialise(case: dict, flip: tuple | None = None, imp_override: list | None = None,
                extra_imp: str | None = None) -> dict:
    """Turn the structured case into section text. flip = ('f'|'i', concept) flips that item's side in one
    section."""
    us = case["us"]
    fs = []
    for kind, x in case["fitems"]:
        if kind == "item":
            side = x["side"]
            if flip and flip[0] == "f" and flip[1] == x["concept"]:
                side = other(side)
            fs.append((x["cat"], fill(x["f"], side)))
        else:
            fs.append((x[0], x[2]))
    imp = []
    for ch in (imp_override if imp_override is not None else case["imp_choice"]):
        if ch[0] == "normal" or ch[0] == "text":
            imp.append(ch[1])
        else:
            c, k = ch[1], ch[2]
            side = c["side"]
            if flip and flip[0] == "i" and flip[1] == c["concept"]:
                side = other(side)
            imp.append(fill(c["i"][k], side))
    if extra_imp:
        imp.insert(0, extra_imp)
    conv = to_us if us else (lambda t: t)
    out = dict(case)
    out["findings"] = [(c, conv(s)) for c, s in fs]
    out["impression"] = [conv(s) for s in imp]
    out["clinical"] = conv(case["clinical"])
    return out


# ----------------------------------------------------------------------------------------------
# Placeholders of these units' templates
# ----------------------------------------------------------------------------------------------

PH_WORD = ["[***]", "***", "[ ]", "<<finding>>", "[FINDING]", "[normal/abnormal]", "{***}", "[...]"]
PH_SIDE = ["[left/right]", "[LEFT/RIGHT]", "[***]", "<<side>>", "[ ]"]
PH_SIZE = ["XX", "<<size>>", "[***]", "[ ]", "___", "xx"]


def put_placeholder(text: str, rng: random.Random) -> tuple[str, str] | None:
    """Replace one word of a section's text by an unfilled template field; returns (text, what)."""
    options = []
    for m in re.finditer(r"\b(\d+(?:\.\d+)?)(\s?)(mm|cm)\b", text):
        options.append(("size", m))
    for m in re.finditer(r"\b(left|right|Left|Right)\b", text):
        options.append(("side", m))
    for m in re.finditer(r"\b(normal|clear|small|stable|mild|moderate|satisfactory|intact|unchanged|"
                         r"acute|apical|basal|lower|upper)\b", text):
        options.append(("word", m))
    if not options:
        return None
    # sizes and sides first when present: they are the fields these templates leave open
    pref = [o for o in options if o[0] in ("size", "side")]
    kind, m = rng.choice(pref if pref and rng.random() < 0.6 else options)
    if kind == "size":
        tok = rng.choice(PH_SIZE)
        new = tok + m.group(2) + m.group(3)
        what = f"size '{m.group(0)}' -> '{new}'"
        return text[: m.start()] + new + text[m.end():], what
    tok = rng.choice(PH_SIDE if kind == "side" else PH_WORD)
    what = f"'{m.group(0)}' -> '{tok}'"
    return text[: m.start()] + tok + text[m.end():], what


# ----------------------------------------------------------------------------------------------
# Composed cases per kind
# ----------------------------------------------------------------------------------------------

def _render_composed(case: dict, rng: random.Random, **kw) -> str:
    return render(case, LAYOUT_BY_NAME[case["layout"]], rng, **kw)


def composed_clean(rng: random.Random) -> tuple[str, str]:
    need = rng.choice([None, None, None, "normal", "sig"])
    case = compose(rng, need)
    mat = materialise(case)
    return _render_composed(mat, rng), f"composed ({case['layout']}, {case['ctx']}), consistent"


def composed_missing(rng: random.Random) -> tuple[str, str]:
    case = compose(rng, None)
    mat = materialise(case)
    which = rng.choice(["impression", "impression", "findings"])
    mode = rng.choice(["empty", "signature", "removed"] if which == "impression" else ["empty", "signature"])
    text = _render_composed(mat, rng, missing=which, missing_mode=mode)
    return text, f"composed ({case['layout']}, {case['ctx']}): {which.upper()} {mode}"


def composed_laterality(rng: random.Random) -> tuple[str, str]:
    case = compose(rng, "sided")
    imp_concepts = {ch[1]["concept"] for ch in case["imp_choice"] if ch[0] == "item" and ch[1]["side"]}
    cands = [c for c in case["items"] if c["side"] and c["concept"] in imp_concepts]
    c = rng.choice(cands)
    where = rng.choice(["f", "i"])
    mat = materialise(case, flip=(where, c["concept"]))
    sec = "FINDINGS" if where == "f" else "IMPRESSION"
    return (_render_composed(mat, rng),
            f"composed ({case['layout']}, {case['ctx']}): {c['concept']} {c['side']}->{other(c['side'])} in {sec}; "
            f"other section keeps {c['side']}")


def composed_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["assert", "assert", "negate"])
    if mode == "negate":
        case = compose(rng, "negfind")
        targets = [ch for ch in case["imp_choice"] if ch[0] == "item" and ch[1]["neg_i"]]
        if not targets:
            targets = []
        tgt = [c for c in case["items"] if c["neg_i"]][0]
        new = []
        done = False
        for ch in case["imp_choice"]:
            if ch[0] == "item" and ch[1] is tgt:
                new.append(("text", tgt["neg_i"]))
                done = True
            elif ch[0] != "normal":
                new.append(ch)
        if not done:
            new.insert(0, ("text", tgt["neg_i"]))
        mat = materialise(case, imp_override=new)
        return (_render_composed(mat, rng),
                f"composed ({case['layout']}, {case['ctx']}): FINDINGS affirm {tgt['concept']}, IMPRESSION "
                f"states '{tgt['neg_i']}'")
    # impression asserts what the findings negate (explicitly or by meaning)
    for _ in range(100):
        case = compose(rng, rng.choice([None, "normal"]))
        negs = [n for k, n in case["fitems"] if k == "neg"]
        if not negs:
            continue
        cat, concept, sent = rng.choice(negs)
        s = rng.choice(["left", "right"])
        if case["ctx"] == "slt":
            s = case["items"][0]["side"]
        assertion = {
            "pneumothorax": f"Small {s} apical pneumothorax.",
            "effusion": rng.choice([f"{_cap(s)} pleural effusion.", f"Moderate {s} pleural effusion."]),
            "heart": rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette."]),
            "lungs": rng.choice([f"{_cap(s)} lower zone consolidation, likely infective.",
                                 "Bilateral perihilar airspace opacification; ?rejection ?infection."]),
            "consolidation": f"{_cap(s)} basal consolidation in keeping with infection.",
        }[concept]
        new = [("text", assertion)] + [ch for ch in case["imp_choice"] if ch[0] != "normal" and ch[0] != "text"]
        mat = materialise(case, imp_override=new)
        if case["us"]:
            assertion = to_us(assertion)
        return (_render_composed(mat, rng),
                f"composed ({case['layout']}, {case['ctx']}): FINDINGS '{sent}', IMPRESSION asserts '{assertion}'")
    raise RuntimeError("negation")


def composed_omission(rng: random.Random) -> tuple[str, str]:
    for _ in range(200):
        case = compose(rng, "sig")
        tgt = [c for c in case["items"] if c["sig"]][0]
        rest = [ch for ch in case["imp_choice"] if ch[0] == "item" and ch[1] is not tgt]
        mode = rng.choice(["normal", "others"])
        if mode == "others":
            if not rest:
                continue
            new = rest
        else:
            if case["ctx"] == "ild":
                new = [("text", rng.choice(["No acute abnormality.", "No acute change."]))]
            elif case["ctx"] == "postop":
                new = [("text", rng.choice(["Satisfactory post-operative appearances.",
                                            "Expected early post-operative appearances."]))]
            else:
                new = [("text", rng.choice(["No acute abnormality.", "Stable post-transplant appearances.",
                                            "No acute cardiopulmonary process."]))]
        mat = materialise(case, imp_override=new)
        mat.pop("recommendation", None)
        return (_render_composed(mat, rng),
                f"composed ({case['layout']}, {case['ctx']}): FINDINGS affirm {tgt['concept']} "
                f"('{fill(tgt['f'], tgt['side'])[:60]}'), IMPRESSION "
                f"{'replaced by a normal statement' if mode == 'normal' else 'lists only other findings'}")
    raise RuntimeError("omission")


def composed_placeholder(rng: random.Random) -> tuple[str, str]:
    case = compose(rng, None)
    mat = materialise(case)
    where = rng.choice(["findings", "findings", "impression"])
    if where == "findings":
        idx = [k for k, (_, s) in enumerate(mat["findings"]) if put_placeholder(s, random.Random(0))]
        k = rng.choice(idx)
        cat, s = mat["findings"][k]
        s2, what = put_placeholder(s, rng)
        mat["findings"] = mat["findings"][:k] + [(cat, s2)] + mat["findings"][k + 1:]
    else:
        idx = [k for k, s in enumerate(mat["impression"]) if put_placeholder(s, random.Random(0))]
        if not idx:
            mat["impression"] = mat["impression"] + [rng.choice(["[***]", "Recommendation: [ ]",
                                                                 "<<additional findings>>"])]
            what = f"unfilled line '{mat['impression'][-1]}' appended"
        else:
            k = rng.choice(idx)
            s2, what = put_placeholder(mat["impression"][k], rng)
            mat["impression"] = mat["impression"][:k] + [s2] + mat["impression"][k + 1:]
    return _render_composed(mat, rng), f"composed ({case['layout']}, {case['ctx']}): {where.upper()} {what}"


# ----------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------

def reword(text: str, uk: bool) -> tuple[str, list[str]]:
    changes = []
    subs = [
        (r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bThe lungs are clear\b", "Lungs are clear"),
        (r"\bNo acute cardiopulmonary abnormalities\b", "No acute cardiopulmonary abnormality"),
        (r"\bThe cardiomediastinal silhouette is within normal limits\b",
         "Cardiomediastinal silhouette within normal limits"),
        (r"\bThe heart is normal in size\b", "Heart size is normal"),
    ]
    for pat, rep in subs:
        new = re.sub(pat, rep, text)
        if new != text:
            changes.append(f"'{pat.strip(chr(92) + 'b')}'->'{rep}'")
            text = new
    if uk:
        new = to_uk(text)
        if new != text:
            changes.append("UK spelling")
            text = new
    text = re.sub(r"\s*\.\s*\.", ".", text)
    text = re.sub(r"\.\.+", ".", text)
    return text, changes


def iu_case(rep: dict, rng: random.Random) -> tuple[dict, dict, list[str]]:
    """A case dict for render() from an IU report, re-laid out in one of the unit's prose layouts."""
    layout = rng.choice([lay for lay in LAYOUTS if lay["name"] != "us-transplant"])
    uk = layout["style"] == "uk"
    f, c1 = reword(rep["findings"], uk)
    i, c2 = reword(rep["impression"], uk)
    imp = sentences(i)
    numbered = bool(re.match(r"\s*1\.", i))
    if numbered:
        imp = [s for s in re.split(r"\s*\b\d\.\s+", i) if s.strip()]
        imp = [s.strip() for s in imp]
    clinical = (rep.get("indication") or "").strip() or None
    comparison = (rep.get("comparison") or "").strip() or None
    if clinical:
        clinical = to_uk(clinical) if uk else clinical
    case = {"clinical": clinical, "comparison": comparison, "findings": [("x", s) for s in sentences(f)],
            "impression": imp, "numbered": numbered, "findings_lines": uk and rng.random() < 0.3,
            "sign": sign_off(rng, layout["style"]), "structured": False}
    return case, layout, c1 + c2


def _desc(uid: str, layout: dict, changes: list[str]) -> str:
    ch = ", ".join(dict.fromkeys(changes)) if changes else "no wording change"
    return f"IU {uid}: re-laid out ({layout['name']}); {ch}"


def iu_clean(uid: str, rep: dict, info: dict, rng: random.Random) -> tuple[str, str]:
    case, layout, ch = iu_case(rep, rng)
    return render(case, layout, rng), _desc(uid, layout, ch) + "; clean"


def iu_missing(uid: str, rep: dict, info: dict, rng: random.Random) -> tuple[str, str]:
    case, layout, ch = iu_case(rep, rng)
    which = rng.choice(["impression", "impression", "findings"])
    mode = rng.choice(["empty", "signature", "removed"] if which == "impression" else ["empty", "signature"])
    return render(case, layout, rng, missing=which, missing_mode=mode), \
        _desc(uid, layout, ch) + f"; {which.upper()} {mode}"


def _flip_sentence(s: str) -> str:
    return re.sub(r"\b(left|right|Left|Right)\b",
                  lambda m: {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}[m.group(1)], s)


def iu_laterality(uid: str, rep: dict, info: dict, rng: random.Random) -> tuple[str, str]:
    case, layout, ch = iu_case(rep, rng)
    g, side = lat_target(info, rep)
    pat = CONCEPTS[g] if g in CONCEPTS else "|".join(CONCEPTS[k] for k, v in GROUP.items() if v == g)
    if g == "airspace":
        pat = "|".join(CONCEPTS[k] for k in ("consolidation", "opacity", "atelectasis"))
    opts = []
    for sec in ("findings", "impression"):
        for k, s in enumerate(case[sec]):
            t = s[1] if sec == "findings" else s
            if re.search(rf"\b{side}\b", t, re.I) and re.search(pat, t.lower()):
                opts.append((sec, k))
    if not opts:  # the side word and the finding share no sentence: flip a sentence that names the side
        for sec in ("findings", "impression"):
            for k, s in enumerate(case[sec]):
                t = s[1] if sec == "findings" else s
                if re.search(rf"\b{side}\b", t, re.I):
                    opts.append((sec, k))
    sec, k = rng.choice(opts)
    if sec == "findings":
        old = case["findings"][k][1]
        case["findings"][k] = ("x", _flip_sentence(old))
    else:
        old = case["impression"][k]
        case["impression"][k] = _flip_sentence(old)
    return render(case, layout, rng), \
        _desc(uid, layout, ch) + f"; {g} {side}->{other(side)} in one {sec.upper()} sentence ('{old[:70]}')"


def iu_negation(uid: str, rep: dict, info: dict, rng: random.Random) -> tuple[str, str]:
    case, layout, ch = iu_case(rep, rng)
    uk = layout["style"] == "uk"
    if info["type"] == "abnormal":
        g, phrase = neg2_target(info)
        phrase = phrase if uk else to_us(phrase)
        pat = "|".join(CONCEPTS[k] for k, v in CONCEPTS.items() if GROUP.get(k, k) == g)
        if g in ("airspace", "nodule"):
            pat = "|".join(CONCEPTS[k] for k in ("consolidation", "opacity", "atelectasis", "nodule", "oedema"))
        keep = [s for s in case["impression"] if not re.search(pat, s.lower())]
        keep = [s for s in keep if not analyse(s) or all(m["group"] in MINOR_GROUPS for m in analyse(s))]
        case["impression"] = [phrase] + keep
        return render(case, layout, rng), _desc(uid, layout, ch) + \
            f"; FINDINGS affirm {g}, IMPRESSION now states '{phrase}'"
    fl = " ".join(s for _, s in case["findings"]).lower()
    opts = []
    s = rng.choice(["left", "right"])
    if re.search(r"\bno\b[^.]*pneumothora", fl):
        opts.append(("no pneumothorax", f"Small {s} apical pneumothorax."))
    if re.search(r"\bno\b(?! large| significant| sizable| sizeable| definite| large)[^.]*effusion", fl):
        opts.append(("no pleural effusion", f"{_cap(s)} pleural effusion."))
    if re.search(r"\bno\b[^.]*(consolidation|airspace|air space|infiltrate)", fl):
        opts.append(("no consolidation", f"{_cap(s)} lower lobe consolidation, likely infection."))
    if info.get("lungs_clear"):
        opts.append(("lungs clear", f"Patchy {s} basal airspace opacification, ?infection."))
    if info.get("heart_normal"):
        opts.append(("heart size normal", "Cardiomegaly."))
    what, assertion = rng.choice(opts)
    if uk:
        assertion = assertion.replace("lower lobe", "lower zone")
    case["impression"] = [assertion]
    return render(case, layout, rng), _desc(uid, layout, ch) + \
        f"; FINDINGS '{what}', IMPRESSION replaced by '{assertion}'"


def iu_omission(uid: str, rep: dict, info: dict, rng: random.Random, mode: str) -> tuple[str, str]:
    case, layout, ch = iu_case(rep, rng)
    g = omit_target(info)
    keep = [s for s in case["impression"]
            if not any(m["affirmed"] and m["group"] in SIGNIF_GROUPS for m in analyse(s))
            and not re.search(r"recommend|follow|ct\b|correlat", s.lower())]
    if mode == "others" and keep:
        case["impression"] = keep
        how = "IMPRESSION keeps only " + "; ".join(f"'{k[:40]}'" for k in keep)
    else:
        stmt = rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                           "No acute cardiopulmonary process."])
        case["impression"] = [stmt]
        how = f"IMPRESSION replaced by '{stmt}'"
    case["numbered"] = case["numbered"] and len(case["impression"]) > 1
    return render(case, layout, rng), _desc(uid, layout, ch) + f"; FINDINGS affirm {g}, {how}"


def iu_placeholder(uid: str, rep: dict, info: dict, rng: random.Random) -> tuple[str, str]:
    case, layout, ch = iu_case(rep, rng)
    secs = ["findings", "impression"]
    rng.shuffle(secs)
    for sec in secs:
        if sec == "findings":
            idx = [k for k, (_, s) in enumerate(case["findings"]) if put_placeholder(s, random.Random(0))]
            if idx:
                k = rng.choice(idx)
                s2, what = put_placeholder(case["findings"][k][1], rng)
                case["findings"][k] = ("x", s2)
                break
        else:
            idx = [k for k, s in enumerate(case["impression"]) if put_placeholder(s, random.Random(0))]
            if idx:
                k = rng.choice(idx)
                s2, what = put_placeholder(case["impression"][k], rng)
                case["impression"][k] = s2
                break
    return render(case, layout, rng), _desc(uid, layout, ch) + f"; {sec.upper()} {what}"


def _neg_ok(info: dict, rep: dict) -> bool:
    fl = rep["findings"].lower()
    return bool(re.search(r"\bno\b[^.]*(pneumothora|consolidation|airspace|air space)", fl)
                or re.search(r"\bno\b(?! large| significant| sizable| sizeable| definite)[^.]*effusion", fl)
                or info.get("lungs_clear") or info.get("heart_normal"))


# ----------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    data = iu_pools(str(iu_archive()), str(dev_path()))
    reps, infos, pools = data["reps"], data["infos"], data["pools"]
    rng = random.Random(f"h142-{seed}")
    used: set = set()
    half = N_PER_KIND // 2

    def take(pool: list, n: int, ok=lambda u: True) -> list:
        cand = [u for u in pool if u not in used and ok(u)]
        rng.shuffle(cand)
        if len(cand) < n:
            raise RuntimeError(f"IU pool too small: {len(cand)} < {n}")
        got = cand[:n]
        used.update(got)
        return got

    lat_u = take(pools["lat"], half)
    omit_u = take(pools["omit"], half)
    neg_u = take(pools["neg2"], half // 2) + take(pools["normal"], half - half // 2,
                                                    lambda u: _neg_ok(infos[u], reps[u]))
    n_abn_clean = N_CLEAN // 2 // 4
    clean_u = take(pools["abnormal"], n_abn_clean) + take(pools["normal"], N_CLEAN // 2 - n_abn_clean)
    miss_u = take(pools["abnormal"], 5) + take(pools["normal"], half - 5)
    def ph_ok(u: str) -> bool:
        return bool(put_placeholder(reps[u]["findings"], random.Random(0))
                    or put_placeholder(reps[u]["impression"], random.Random(0)))

    ph_u = take(pools["abnormal"], 5, ph_ok) + take(pools["normal"], half - 5, ph_ok)

    rows = []  # (injected, detail, report)
    for u in clean_u:
        r, d = iu_clean(u, reps[u], infos[u], rng)
        rows.append((None, d, r))
    for _ in range(N_CLEAN // 2):
        r, d = composed_clean(rng)
        rows.append((None, d, r))
    makers = {
        "missing_section": (miss_u, iu_missing, composed_missing),
        "laterality_conflict": (lat_u, iu_laterality, composed_laterality),
        "negation_conflict": (neg_u, iu_negation, composed_negation),
        "placeholder": (ph_u, iu_placeholder, composed_placeholder),
    }
    for kind in KINDS:
        if kind == "impression_omits_finding":
            for k, u in enumerate(omit_u):
                r, d = iu_omission(u, reps[u], infos[u], rng, "normal" if k % 2 else "others")
                rows.append((kind, d, r))
            for _ in range(half):
                r, d = composed_omission(rng)
                rows.append((kind, d, r))
            continue
        uids, iu_fn, comp_fn = makers[kind]
        for u in uids:
            r, d = iu_fn(u, reps[u], infos[u], rng)
            rows.append((kind, d, r))
        for _ in range(half):
            r, d = comp_fn(rng)
            rows.append((kind, d, r))
    rng.shuffle(rows)
    return [{"id": f"h142-{seed}-{k}", "injected": inj, "detail": d, "report": r}
            for k, (inj, d, r) in enumerate(rows)]


def main(argv: list[str] | None = None) -> int:
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
            ex = [r for r in rows if r["injected"] == kind]
            ex = [r for r in ex if r["detail"].startswith("IU")][: a.show] + \
                 [r for r in ex if not r["detail"].startswith("IU")][: a.show]
            for r in ex:
                print(f"===== {r['id']} [{kind or 'clean'}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
