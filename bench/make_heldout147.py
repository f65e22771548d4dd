"""Held-out report-error set 147: US HIV / infectious-disease clinics and their wards, written blind.

usage: python -m bench.make_heldout147 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of the five
error kinds of ``shared/eval/README.md``. Half of every group is composed from a phrase bank written in the
style of HIV / ID clinic and ward chest radiograph reports (PCP, TB, MAC, bacterial pneumonia, Kaposi sarcoma,
IRIS, fungal infection, PICCs for long IV antibiotics, follow-up films); the other half are real IU reports
(never a dev-set uid, each used at most once) re-laid out and lightly re-worded in that style. ``detail`` of an
IU-based case starts ``IU CXR<number>:``.

``MEDRAG_SHARED_DIR`` overrides where the shared folder is (default ``../shared`` beside the repo root).
Standard library only.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40

# --------------------------------------------------------------------------------------------------------------
# shared data
# --------------------------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


def _clean_text(t):
    t = re.sub(r"\s+", " ", t or "").strip()
    t = re.sub(r"(\.\s*){2,}$", ".", t)
    t = re.sub(r"\s+\.", ".", t)
    t = re.sub(r"\.(?=[A-Z][a-z])", ". ", t)
    return t.strip()


@functools.lru_cache(maxsize=4)
def load_iu(archive: str) -> tuple[dict, ...]:
    """All IU reports as dicts uid/indication/comparison/findings/impression, sorted by number."""
    out = []
    with tarfile.open(archive, "r:gz") as tar:
        for m in tar:
            if not (m.isfile() and m.name.endswith(".xml")):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid_el = root.find(".//uId")
            if uid_el is None:
                continue
            secs = {a.get("Label", "").upper(): (a.text or "") for a in root.iter("AbstractText")}
            out.append(
                {
                    "uid": uid_el.get("id"),
                    "indication": _clean_text(secs.get("INDICATION")),
                    "comparison": _clean_text(secs.get("COMPARISON")),
                    "findings": _clean_text(secs.get("FINDINGS")),
                    "impression": _clean_text(secs.get("IMPRESSION")),
                }
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def load_dev_uids(path: str) -> frozenset:
    uids = set()
    p = Path(path)
    if p.exists():
        with p.open() as fh:
            for line in fh:
                line = line.strip()
                if line:
                    uids.add(json.loads(line).get("uid"))
    return frozenset(u for u in uids if u)


# --------------------------------------------------------------------------------------------------------------
# light text analysis of IU reports (to pick reports that suit each kind, and to keep clean ones clean)
# --------------------------------------------------------------------------------------------------------------

CONCEPTS = {
    "effusion": r"effusions?|pleural fluid",
    "pneumothorax": r"pneumothora(?:x|ces)",
    "consolidation": r"consolidat\w*|air ?space (?:disease|opacit\w+|process)|infiltrat\w*|pneumonia|pneumonitis",
    "opacity": r"opacit\w+|densit(?:y|ies)",
    "atelectasis": r"atelecta\w+",
    "edema": r"edema|(?:vascular|pulmonary|venous) congestion|congestive|chf",
    "nodule": r"nodul\w*|mass(?:es)?|lesions?|tumou?r",
    "cardiomegaly": r"cardiomegaly|(?:heart|cardiac silhouette|cardiac) (?:size )?(?:is |are )?(?:\w+ly )?enlarged"
    r"|enlarged (?:heart|cardiac)|enlargement of the (?:heart|cardiac)",
    "adenopathy": r"(?:lymph)?adenopathy|lymph nodes? enlarge\w*",
    "granuloma": r"granulom\w*|calcified (?:nodule|node|lymph)\w*",
    "scarring": r"scar\w*|fibros\w*|fibrotic",
    "hyperinflation": r"hyperinflat\w*|hyperexpan\w*|emphysema\w*|copd",
    "interstitial": r"interstitial (?:markings|opacit\w+|prominence|disease|pattern)|reticul\w+",
    "device": r"picc|catheter|port|pacemaker|tube|line",
}
LUNG_GROUP = {"consolidation", "opacity", "atelectasis"}
MINOR = {"granuloma", "hyperinflation", "scarring", "device"}
SIGNIFICANT = {"effusion", "pneumothorax", "consolidation", "edema"}
NEG_CUE = re.compile(
    r"\b(?:no|not|without|negative for|free of|resolution of|resolved|cleared|clear of|nor|absent|removed|"
    r"interval clearing|exclude|excluded)\b",
    re.I,
)
NOCHANGE = re.compile(
    r"\b(?:no|without) (?:significant |interval |appreciable |definite )?(?:change|changes|progression)\b"
    r"|\bnot (?:significantly )?changed\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(?:possible|possibly|may|might|could|cannot|can not|questionable|suspect\w*|versus|vs|likely|probabl\w+|"
    r"suggest\w*|concern\w*|consider|differential|equivocal|borderline|subtle|early|developing|either|or)\b",
    re.I,
)
RISKY = re.compile(
    r"\b(?:however|but|although|though|except|resolved|resolving|improv\w+|decreas\w+|increas\w+|new|newly|"
    r"again|previous\w*|persist\w*|worse\w*|progress\w*|interval|redemonstrat\w+|residual|removal|removed|"
    r"slightly|small amount|otherwise|less|more|perhaps|apparent|recurren\w+|either|chronic\w*)\b",
    re.I,
)
SMALL = re.compile(r"\b(?:small|trace|tiny|minimal|minute|mild|slight|blunting|blunted|subtle|possible)\b", re.I)
NORMAL_IMPRESSION = re.compile(
    r"\b(?:no acute|no active|no evidence|normal|negative|clear lungs|lungs are clear|unremarkable|no radiographic)",
    re.I,
)
LEFT = re.compile(r"\bleft\b", re.I)
RIGHT = re.compile(r"\bright\b", re.I)


def split_sentences(text):
    text = (text or "").strip()
    if not text:
        return []
    text = re.sub(r"(?:(?<=^)|(?<=\s))\d{1,2}[.)]\s+(?=[A-Za-z])", "\n", text)
    parts = []
    for chunk in text.split("\n"):
        parts += re.split(r"(?<=[.!?])\s+(?=[A-Z(])", chunk.strip())
    return [p.strip() for p in parts if p.strip() and re.search(r"[A-Za-z]", p)]


def split_clauses(sentence):
    return [
        c
        for c in re.split(
            r";|,\s*(?:but|however|although|though|while|whereas)\b|\b(?:but|however|although)\b", sentence
        )
        if c.strip()
    ]


def side_of(text):
    lt, rt = bool(LEFT.search(text)), bool(RIGHT.search(text))
    if re.search(r"\bbilateral\w*|\bboth\b", text, re.I) or (lt and rt):
        return "both"
    return "left" if lt else "right" if rt else None


def mentions(text):
    """(concept, affirmed, side, hedged, small) for each concept mention in the text, clause by clause."""
    out = []
    for sent in split_sentences(text):
        for clause in split_clauses(sent):
            c2 = NOCHANGE.sub(" ", clause)
            for concept, pat in CONCEPTS.items():
                for m in re.finditer(r"\b(?:" + pat + r")\b", c2, re.I):
                    before = c2[: m.start()]
                    negated = bool(NEG_CUE.search(before)) or bool(
                        re.search(
                            r"\b(?:resolved|cleared|removed|absent|"
                            r"not (?:well )?(?:seen|identified|visualized|appreciated|"
                            r"demonstrated|present)|less apparent)\b",
                            c2[m.end() :],
                            re.I,
                        )
                    )
                    out.append(
                        {
                            "concept": concept,
                            "affirmed": not negated,
                            "side": side_of(clause),
                            "hedged": bool(HEDGE.search(clause)),
                            "small": bool(SMALL.search(clause)),
                            "sentence": sent,
                        }
                    )
    return out


def affirmed(ms, concepts=None):
    return [m for m in ms if m["affirmed"] and (concepts is None or m["concept"] in concepts)]


def negated_concepts(ms):
    return {m["concept"] for m in ms if not m["affirmed"]}


def lungs_clear(text):
    return bool(
        re.search(
            r"\blungs? (?:are |is |appear |remain )?(?:\w+ )?clear\b|\bclear lungs\b|\bno focal (?:airspace|air space|"
            r"consolidat|opacit|infiltrat|lung)",
            text,
            re.I,
        )
    )


def heart_normal(text):
    return bool(
        re.search(
            r"\b(?:heart|cardiac|cardiomediastinal)(?: size| silhouette| contours?)?(?: and [\w ]+?)? "
            r"(?:is |are |appears? |remains? )?(?:\w+ )?(?:normal|within normal limits|not enlarged)\b"
            r"|\bnormal (?:heart|cardiac)\b",
            text,
            re.I,
        )
    )


def _usable_text(r):
    t = r["findings"] + " " + r["impression"] + " " + r["indication"] + " " + r["comparison"]
    return not re.search(r"[\[\]<>{}*_]|\bXX\b|&\w+;", t)


def analyse(r):
    """Tags of one IU report: which pools it can serve."""
    f, i = r["findings"], r["impression"]
    if not f or not i or not _usable_text(r) or len(f) > 900 or len(i) > 450:
        return None
    fm, im = mentions(f), mentions(i)
    risky = bool(RISKY.search(f) or RISKY.search(i))
    f_aff = affirmed(fm)
    i_aff = affirmed(im)
    i_normal = not i_aff and bool(NORMAL_IMPRESSION.search(i))
    tags = {"fm": fm, "im": im}
    f_aff_major = [m for m in f_aff if m["concept"] not in MINOR]
    # normal pool: a normal impression beside findings with nothing beyond minor chronic items
    tags["normal"] = i_normal and not f_aff_major and not risky and not any(m["hedged"] for m in fm if m["affirmed"])
    # consistent abnormal pool: the same concepts (and sides) affirmed in both sections, nothing negated
    # in one section that the other affirms
    if not i_normal and not risky and f_aff_major:
        fc = {(m["concept"] if m["concept"] not in LUNG_GROUP else "lung") for m in f_aff if m["concept"] != "device"}
        ic = {(m["concept"] if m["concept"] not in LUNG_GROUP else "lung") for m in i_aff if m["concept"] != "device"}
        fn = {(c if c not in LUNG_GROUP else "lung") for c in negated_concepts(fm)}
        inn = {(c if c not in LUNG_GROUP else "lung") for c in negated_concepts(im)}
        sides_ok = True
        for c in fc | ic:

            def sides(ms, c=c):
                return {
                    m["side"]
                    for m in ms
                    if m["affirmed"] and (m["concept"] if m["concept"] not in LUNG_GROUP else "lung") == c and m["side"]
                }

            sf, si = sides(f_aff), sides(i_aff)
            if si and sf and si != sf:
                sides_ok = False
        clear_conflict = ("lung" in ic and lungs_clear(f)) or ("cardiomegaly" in ic and heart_normal(f))
        clear_conflict = (
            clear_conflict or ("lung" in fc and lungs_clear(i)) or ("cardiomegaly" in fc and heart_normal(i))
        )
        tags["consistent"] = (
            fc == ic
            and not (fc & inn)
            and not (ic & fn)
            and sides_ok
            and not clear_conflict
            and len(split_sentences(i)) <= 4
        )
    else:
        tags["consistent"] = False
    # significant affirmed finding in the findings that the impression also states (omission / negation type 2)
    sig = [
        m
        for m in f_aff
        if m["concept"] in SIGNIFICANT
        and not m["hedged"]
        and not (m["concept"] == "effusion" and m["small"])
        and not re.search(
            r"\b(?:stable|unchanged|chronic|old|healed|prior|known|small|trace|tiny|mild|minimal|streaky|subsegmental|"
            r"linear|platelike|plate-like|atelecta\w*|favou?red|scar\w*|discoid|bandlike|minor)\b",
            m["sentence"],
            re.I,
        )
    ]
    i_concepts = {m["concept"] for m in i_aff}
    tags["sig"] = [
        m for m in sig if m["concept"] in i_concepts or (m["concept"] == "consolidation" and "opacity" in i_concepts)
    ]
    # laterality: one concept (lung opacities counted together) on one side in both sections
    lat = []
    for fmx in f_aff:
        if fmx["side"] not in ("left", "right") or fmx["concept"] in ("device", "hyperinflation"):
            continue
        g = "lung" if fmx["concept"] in LUNG_GROUP else fmx["concept"]
        for imx in i_aff:
            gi = "lung" if imx["concept"] in LUNG_GROUP else imx["concept"]
            if gi == g and imx["side"] == fmx["side"]:
                lat.append((fmx, imx))
    tags["lat"] = lat
    return tags


@functools.lru_cache(maxsize=4)
def iu_pools(archive: str, dev: str) -> dict:
    excluded = load_dev_uids(dev)
    pools = {"normal": [], "consistent": [], "sig": [], "lat": [], "negatable": []}
    for r in load_iu(archive):
        if r["uid"] in excluded:
            continue
        t = analyse(r)
        if t is None:
            continue
        item = (r, t)
        if t["normal"]:
            pools["normal"].append(item)
            fneg = negated_concepts(t["fm"])
            if (
                fneg & {"effusion", "pneumothorax", "consolidation"}
                or lungs_clear(r["findings"])
                or heart_normal(r["findings"])
            ):
                pools["negatable"].append(item)
        if t["consistent"]:
            pools["consistent"].append(item)
        if t["sig"] and not RISKY.search(r["findings"] + " " + r["impression"]):
            pools["sig"].append(item)
        if t["lat"] and (t["consistent"] or (t["sig"] and not RISKY.search(r["impression"]))):
            pools["lat"].append(item)
    return pools


# --------------------------------------------------------------------------------------------------------------
# the setting's layout: headers, sign-offs, rewording
# --------------------------------------------------------------------------------------------------------------

EXAM_PA = [
    "EXAM: XR CHEST PA AND LATERAL",
    "EXAMINATION: CHEST, 2 VIEWS (PA AND LATERAL)",
    "PROCEDURE: XR CHEST 2V",
    "Exam: CR Chest PA/Lat",
    "CHEST RADIOGRAPH, PA AND LATERAL VIEWS",
]
EXAM_AP = [
    "EXAM: XR CHEST 1 VIEW PORTABLE",
    "EXAMINATION: PORTABLE AP CHEST",
    "PROCEDURE: XR CHEST AP PORTABLE",
    "Exam: CR Chest Portable 1V",
    "CHEST RADIOGRAPH, SINGLE FRONTAL VIEW (PORTABLE)",
]
HIST_H = ["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "REASON FOR EXAM:", "CLINICAL INDICATION:"]
COMP_H = ["COMPARISON:", "Comparison:", "COMPARISON:", "PRIOR STUDY:"]
TECH_H = ["TECHNIQUE:", "Technique:", "VIEWS:"]
FIND_H = ["FINDINGS:", "FINDINGS:", "Findings:", "FINDINGS"]
IMP_H = ["IMPRESSION:", "IMPRESSION:", "Impression:", "IMPRESSION", "IMPRESSION/RECOMMENDATIONS:", "CONCLUSION:"]
TECH_PA = ["PA and lateral views of the chest.", "Frontal and lateral radiographs of the chest.", "2 views."]
TECH_AP = ["Single portable AP view of the chest.", "Portable semi-upright AP view.", "1 view, portable, at bedside."]
SIGNOFFS = [
    "Electronically signed by: XXXX, MD on XXXX at XXXX",
    "Dictated by: XXXX XXXX, MD\nSigned by: XXXX XXXX, MD",
    "I have personally reviewed the images and agree with the above report.\nAttending radiologist: ___, MD",
    "Final report electronically signed by XXXX, MD (Radiology) XXXX.",
    "Radiologist: XXXX, M.D.\nDate signed: XXXX",
    "Read by: ___, MD. Signed: ___",
    "This report was electronically signed by XXXX XXXX, MD.",
]
END_IMP = "END OF IMPRESSION"
CAT_LABEL = {
    "lines": ["Lines/tubes:", "Support devices:", "Lines and tubes:"],
    "lungs": ["Lungs:", "Lungs:", "Lungs and airways:"],
    "pleura": ["Pleura:", "Pleura:", "Pleural spaces:"],
    "heart": ["Heart and mediastinum:", "Cardiomediastinal:", "Heart/mediastinum:"],
    "hila": ["Hila:", "Hila:", "Mediastinum/hila:"],
    "bones": ["Bones/soft tissues:", "Osseous structures:", "Bones:"],
}
CAT_DEFAULT = {
    "lines": ["None.", "None."],
    "bones": ["No acute osseous abnormality.", "Unremarkable.", "Intact."],
}
CAT_ORDER = ["lines", "lungs", "pleura", "heart", "hila", "bones"]

REWORDS = [
    (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bx-XXXX\b", "radiograph"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary abnormalities\b", "No acute cardiopulmonary abnormality"),
    (r"\bNo active disease\b", "No active cardiopulmonary disease"),
    (r"\bNegative for acute\b", "No acute"),
    (r"\bair space\b", "airspace"),
    (r"\b[Cc]ardio mediastinal\b", "cardiomediastinal"),
    (r"\bpneumothoraces\b", "pneumothorax"),
    (r"\bThere is no\b", "No"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bfollow-?up\b", "follow-up"),
    (r"\bNo evidence of\b", "No radiographic evidence of"),
    (r"\bcostophrenic angles\b", "CP angles"),
]


def reword(text, rng, applied):
    for pat, rep in REWORDS:
        if re.search(pat, text) and rng.random() < 0.6:
            text = re.sub(pat, rep, text)
            if rep not in applied:
                applied.append(rep)
    return text


def _flip_word(m):
    w = m.group(0)
    table = {"left": "right", "right": "left", "RUL": "LUL", "LUL": "RUL", "RLL": "LLL", "LLL": "RLL"}
    new = table.get(w.lower(), table.get(w))
    if new is None:
        return w
    if w.isupper() and len(w) > 3:
        return new.upper()
    if w[0].isupper():
        return new[0].upper() + new[1:]
    return new


def flip_sides(text):
    return re.sub(r"\b(?:[Ll]eft|[Rr]ight|LEFT|RIGHT|RUL|LUL|RLL|LLL)\b", _flip_word, text)


def render(parts, style, rng, find_mode="normal", imp_mode="normal"):
    """Lay out one report. parts: exam, history, comparison, technique, findings (list of (cat, text)), structured,
    impression (list of str). find_mode / imp_mode: normal, empty, signature, absent."""
    inline = style["inline"]
    lines = [parts["exam"]]
    if parts.get("history") is not None:
        lines.append(f"{style['hist_h']} {parts['history']}")
    if style["technique"]:
        lines.append(f"{style['tech_h']} {parts['technique']}")
    lines.append(f"{style['comp_h']} {parts['comparison']}")
    lines.append("")
    signoff = style["signoff"]

    def header_block(h, body):
        if inline and "\n" not in body:
            return [f"{h} {body}"]
        return [h, body]

    # findings
    if find_mode == "normal":
        if parts.get("structured"):
            by = {}
            for cat, t in parts["findings"]:
                by.setdefault(cat, []).append(t)
            body_lines = []
            for cat in CAT_ORDER:
                if cat in by:
                    body_lines.append(f"{style['cat_label'][cat]} {' '.join(by[cat])}")
                elif cat in CAT_DEFAULT and cat in style["defaults"]:
                    body_lines.append(f"{style['cat_label'][cat]} {style['defaults'][cat]}")
            lines += [style["find_h"], *body_lines]
        elif style["one_per_line"]:
            lines += [style["find_h"], *[t for _, t in parts["findings"]]]
        else:
            lines += header_block(style["find_h"], " ".join(t for _, t in parts["findings"]))
    elif find_mode == "empty":
        lines += [style["find_h"], ""]
    elif find_mode == "signature":
        lines += [style["find_h"], "Dictated by: XXXX, MD"]
    lines.append("")
    # impression
    items = parts["impression"]
    if imp_mode == "normal":
        if style["numbered"] and (len(items) > 1 or style["number_single"]):
            body = "\n".join(f"{k}. {t}" for k, t in enumerate(items, 1))
        elif style["one_per_line"] and len(items) > 1:
            body = "\n".join(items)
        else:
            body = " ".join(items)
        lines += header_block(style["imp_h"], body)
        if style["end_imp"]:
            lines.append(END_IMP)
    elif imp_mode == "empty":
        lines += [style["imp_h"], ""]
    elif imp_mode == "signature":
        lines += [style["imp_h"]]
    lines.append("")
    lines.append(signoff)
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def pick_style(rng, structured_ok=False):
    return {
        "inline": rng.random() < 0.35,
        "hist_h": rng.choice(HIST_H),
        "comp_h": rng.choice(COMP_H),
        "tech_h": rng.choice(TECH_H),
        "technique": rng.random() < 0.45,
        "find_h": rng.choice(FIND_H),
        "imp_h": rng.choice(IMP_H),
        "numbered": rng.random() < 0.6,
        "number_single": rng.random() < 0.3,
        "one_per_line": rng.random() < 0.2,
        "end_imp": rng.random() < 0.12,
        "signoff": rng.choice(SIGNOFFS),
        "cat_label": {c: rng.choice(v) for c, v in CAT_LABEL.items()},
        "defaults": {c: rng.choice(v) for c, v in CAT_DEFAULT.items() if rng.random() < 0.7},
        "structured": structured_ok and rng.random() < 0.4,
    }


# --------------------------------------------------------------------------------------------------------------
# phrase bank: HIV / infectious-disease clinic and ward chest radiographs
# --------------------------------------------------------------------------------------------------------------


def F(cat, text, lat=None, neg=(), aff=(), sig=False):
    return {"cat": cat, "t": text, "lat": lat, "neg": set(neg), "aff": set(aff), "sig": sig}


def Imp(text, lat=None, keys=(), sig=False):
    return {"t": text, "lat": lat, "keys": set(keys), "sig": sig}


def cap(s):
    return s[0].upper() + s[1:]


def _side(rng):
    return rng.choice(["right", "left"])


def _age(rng):
    return rng.randint(22, 71)


def _sex(rng):
    return rng.choice(["man", "woman", "male", "female", "M", "F"])


def _pt(rng):
    sx = _sex(rng)
    a = _age(rng)
    return f"{a}{sx}" if sx in ("M", "F") else f"{a}-year-old {sx}"


def _cd4(rng, low=True):
    return rng.choice([8, 14, 22, 37, 41, 56, 78, 96, 110, 150, 180]) if low else rng.choice([310, 420, 515, 640, 780])


def _prior(rng):
    return rng.choice(
        [
            "Chest radiograph XXXX.",
            "XXXX (PA and lateral).",
            "Portable chest XXXX.",
            "Prior chest radiographs, most recent XXXX.",
            "CT chest XXXX and chest radiograph XXXX.",
        ]
    )


def _none_comp(rng):
    return rng.choice(["None.", "None available.", "No prior studies available for comparison.", "None."])


HEART_OK = [
    "The cardiomediastinal silhouette is within normal limits.",
    "Heart size is normal.",
    "Normal heart size and mediastinal contours.",
    "The heart is not enlarged.",
    "Cardiac silhouette is normal in size.",
]
LUNGS_OK = [
    "The lungs are clear.",
    "Lungs are clear bilaterally without focal consolidation.",
    "No focal airspace consolidation.",
    "The lungs are well expanded and clear.",
]
PLEURA_OK = [
    ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
    ("No pneumothorax or pleural effusion.", {"effusion", "pneumothorax"}),
    ("No effusion or pneumothorax.", {"effusion", "pneumothorax"}),
]
HILA_OK = [
    "No hilar or mediastinal lymphadenopathy.",
    "Hilar contours are normal without adenopathy.",
    "No mediastinal or hilar adenopathy is evident.",
]
BONES_OK = ["No acute osseous abnormality.", "Osseous structures are intact.", "Visualized bones are unremarkable."]
NORMAL_IMPS = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary disease.",
    "Normal chest radiograph.",
    "No acute intrathoracic process.",
]
TB_NEG_IMPS = [
    "No radiographic evidence of active pulmonary tuberculosis.",
    "No findings to suggest active TB.",
    "No radiographic findings of active or prior tuberculosis.",
]


def _heart_ok(rng):
    return F("heart", rng.choice(HEART_OK), neg={"cardiomegaly"})


def _lungs_ok(rng):
    return F("lungs", rng.choice(LUNGS_OK), neg={"consolidation"})


def _pleura_ok(rng):
    t, n = rng.choice(PLEURA_OK)
    return F("pleura", t, neg=n)


def _hila_ok(rng):
    return F("hila", rng.choice(HILA_OK), neg={"adenopathy"})


def _bones_ok(rng):
    return F("bones", rng.choice(BONES_OK))


def sc_normal(rng):
    hist = rng.choice(
        [
            f"{_pt(rng)} with newly diagnosed HIV. Baseline chest radiograph prior to starting ART.",
            f"{_pt(rng)}, HIV on ART (CD4 {_cd4(rng, False)}), positive QuantiFERON. Rule out active TB.",
            "Positive PPD (15 mm induration). HIV+, asymptomatic. Evaluate for active TB.",
            "HIV, annual TB screening. No cough, fever or weight loss.",
            f"{_pt(rng)}, HIV with undetectable viral load, cough x 1 week. Rule out pneumonia.",
            "Latent TB infection, pre-treatment evaluation before starting isoniazid/rifapentine.",
            "IGRA positive on PrEP intake screening.",
            "Fever, HIV. r/o PNA.",
        ]
    )
    f = [_heart_ok(rng), _lungs_ok(rng), _pleura_ok(rng)]
    if rng.random() < 0.6:
        f.append(_hila_ok(rng))
    f.append(_bones_ok(rng))
    imp = []
    if "TB" in hist or "PPD" in hist or "IGRA" in hist or "QuantiFERON" in hist or "isoniazid" in hist:
        imp.append(Imp(rng.choice(TB_NEG_IMPS), keys={"normal"}))
        if rng.random() < 0.4:
            imp.insert(0, Imp(rng.choice(NORMAL_IMPS[:3]), keys={"normal"}))
    else:
        imp.append(Imp(rng.choice(NORMAL_IMPS), keys={"normal"}))
    comp = _prior(rng) if rng.random() < 0.4 else _none_comp(rng)
    return {"name": "normal/TB screen", "exam": "pa", "history": hist, "comparison": comp, "F": f, "I": imp}


def sc_granuloma(rng):
    s = _side(rng)
    hist = rng.choice(
        [
            "Positive QuantiFERON, HIV on ART. Evaluate for active tuberculosis.",
            f"{_pt(rng)} from an endemic area, HIV, latent TB screening.",
            "HIV clinic intake; history of treated TB in childhood per patient.",
        ]
    )
    f = [
        _heart_ok(rng),
        F("lungs", f"Small calcified granuloma in the {s} upper lobe.", lat="granuloma"),
        F("hila", f"Calcified {s} hilar lymph nodes.", lat="granuloma"),
        F("lungs", "No focal consolidation, cavitation or nodular opacity.", neg={"consolidation"}),
        _pleura_ok(rng),
        _bones_ok(rng),
    ]
    imp = [
        Imp(
            rng.choice(
                [
                    f"Calcified {s} upper lobe granuloma and {s} hilar nodes, "
                    "sequela of prior granulomatous infection.",
                    f"Sequela of old granulomatous disease in the {s} upper lobe and {s} hilum.",
                ]
            ),
            lat="granuloma",
            keys={"granuloma"},
        ),
        Imp(rng.choice(TB_NEG_IMPS), keys={"normal"}),
    ]
    return {
        "name": "healed granulomatous disease",
        "exam": "pa",
        "history": hist,
        "comparison": _none_comp(rng),
        "F": f,
        "I": imp,
    }


def sc_pcp(rng):
    cd4 = _cd4(rng)
    hist = rng.choice(
        [
            f"{_pt(rng)}, HIV not on ART, CD4 {cd4}. Progressive dyspnea and dry cough x 3 weeks, desaturates with "
            "ambulation. Evaluate for PCP.",
            f"AIDS (CD4 {cd4}), fever, hypoxia. r/o PJP.",
            f"HIV, off ART, CD4 {cd4}, elevated LDH, exertional dyspnea. Evaluate for Pneumocystis pneumonia.",
        ]
    )
    op = rng.choice(
        [
            "Bilateral symmetric perihilar ground-glass opacities with fine reticular interstitial markings.",
            "Diffuse bilateral hazy ground-glass opacities, most pronounced in the perihilar regions, sparing the "
            "lung apices.",
            "New bilateral interstitial and ground-glass opacities in a perihilar distribution.",
        ]
    )
    f = [F("lungs", op, aff={"consolidation"}, sig=True), _heart_ok(rng)]
    f.append(F("pleura", rng.choice(["No pleural effusion.", "No pleural effusions."]), neg={"effusion"}))
    f.append(F("pleura", rng.choice(["No pneumothorax.", "No pneumothorax is seen."]), neg={"pneumothorax"}))
    if rng.random() < 0.5:
        f.append(_hila_ok(rng))
    imp = [
        Imp(
            rng.choice(
                [
                    "Bilateral perihilar ground-glass opacities; in this clinical setting, most consistent with "
                    "Pneumocystis jirovecii pneumonia (PJP).",
                    "Diffuse bilateral ground-glass/interstitial opacities, highly suggestive of PCP given CD4 count.",
                    "Bilateral interstitial and ground-glass opacities, compatible with PJP. Atypical/viral pneumonia "
                    "is a less likely consideration.",
                ]
            ),
            keys={"consolidation"},
            sig=True,
        )
    ]
    if rng.random() < 0.4:
        imp.append(Imp("No pneumothorax or pleural effusion.", keys={"neg"}))
    if rng.random() < 0.4:
        imp.append(Imp("Recommend induced sputum or bronchoscopy with BAL for PJP DFA/PCR if clinically indicated."))
    return {
        "name": "PCP",
        "exam": rng.choice(["pa", "ap"]),
        "history": hist,
        "comparison": _prior(rng) if rng.random() < 0.5 else _none_comp(rng),
        "F": f,
        "I": imp,
    }


def sc_lobar(rng):
    s = _side(rng)
    lobe = rng.choice(["lower lobe", "upper lobe", "lower lobe"])
    hist = rng.choice(
        [
            f"{_pt(rng)}, HIV (CD4 {_cd4(rng, False)}), fever, productive cough and pleuritic chest pain.",
            "Fever, cough, leukocytosis. HIV on ART. r/o pneumonia.",
            f"HIV, {rng.choice(['CD4 210', 'CD4 95', 'CD4 330'])}, rigors and rusty sputum; pneumococcal urine "
            "antigen pending.",
            "Admitted from ID clinic with fever and hypoxia.",
        ]
    )
    eff = rng.random() < 0.45
    f = [
        F(
            "lungs",
            rng.choice(
                [
                    f"Dense consolidation in the {s} {lobe} with air bronchograms.",
                    f"There is focal airspace consolidation involving the {s} {lobe}.",
                    f"Lobar opacity with air bronchograms in the {s} {lobe}.",
                ]
            ),
            lat="lung",
            aff={"consolidation"},
            sig=True,
        ),
        F("lungs", f"The {'left' if s == 'right' else 'right'} lung is clear."),
        _heart_ok(rng),
    ]
    if eff:
        f.append(F("pleura", f"Small {s} pleural effusion.", lat="effusion", aff={"effusion"}))
        f.append(F("pleura", "No pneumothorax.", neg={"pneumothorax"}))
    else:
        f.append(_pleura_ok(rng))
    imp = [
        Imp(
            rng.choice(
                [
                    f"{cap(s)} {lobe} pneumonia.",
                    f"{cap(s)} {lobe} consolidation, consistent with pneumonia.",
                    f"Acute {s} {lobe} pneumonia.",
                ]
            ),
            lat="lung",
            keys={"consolidation"},
            sig=True,
        )
    ]
    omit = None
    if eff:
        imp.append(Imp(f"Small {s} parapneumonic effusion.", lat="effusion", keys={"effusion"}))
        omit = [f"Small {s} parapneumonic effusion."]
    if rng.random() < 0.5:
        imp.append(Imp("Recommend follow-up chest radiograph in 6-8 weeks after treatment to document resolution."))
    return {
        "name": "lobar pneumonia",
        "exam": rng.choice(["pa", "pa", "ap"]),
        "history": hist,
        "comparison": _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": omit,
    }


def sc_tb(rng):
    s = _side(rng)
    size = rng.choice(["1.8", "2.5", "3.1", "2.2", "4.0"])
    hist = rng.choice(
        [
            f"{_pt(rng)}, HIV, 6 weeks of cough, night sweats and 8 kg weight loss. Recently arrived from a "
            "TB-endemic country.",
            "Hemoptysis, fevers, weight loss. HIV not on treatment. Rule out TB.",
            "AFB smear positive sputum x1. HIV. Evaluate extent of disease.",
        ]
    )
    aden = rng.random() < 0.5
    f = [
        F(
            "lungs",
            rng.choice(
                [
                    f"Patchy consolidation in the {s} upper lobe with a {size} cm thick-walled cavity.",
                    f"Cavitary opacity in the apical segment of the {s} upper lobe measuring {size} cm.",
                ]
            ),
            lat="lung",
            aff={"consolidation"},
            sig=True,
        ),
        F("lungs", f"Scattered nodular opacities in the {s} mid lung, suggestive of endobronchial spread."),
        _heart_ok(rng),
    ]
    if aden:
        f.append(F("hila", f"Mild {s} hilar lymphadenopathy.", lat="adenopathy", aff={"adenopathy"}))
    f.append(_pleura_ok(rng))
    imp = [
        Imp(
            rng.choice(
                [
                    f"{cap(s)} upper lobe cavitary consolidation with probable endobronchial spread, "
                    "highly suspicious for active "
                    "pulmonary tuberculosis.",
                    f"Cavitary {s} upper lobe disease, consistent with reactivation tuberculosis "
                    "in this clinical context.",
                ]
            ),
            lat="lung",
            keys={"consolidation"},
            sig=True,
        )
    ]
    omit = None
    if aden:
        imp.append(Imp(f"Mild {s} hilar adenopathy.", lat="adenopathy", keys={"adenopathy"}))
        omit = [f"Mild {s} hilar adenopathy."]
    imp.append(Imp("Recommend airborne isolation and sputum AFB smears and cultures x3."))
    return {
        "name": "cavitary TB",
        "exam": "pa",
        "history": hist,
        "comparison": _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": omit,
    }


def sc_nodes(rng):
    s = _side(rng)
    hist = rng.choice(
        [
            f"HIV, CD4 {_cd4(rng)}, persistent fevers, MAC bacteremia on blood cultures.",
            "HIV with night sweats and weight loss, r/o TB vs lymphoma.",
            "Disseminated histoplasmosis suspected (urine antigen positive). HIV.",
        ]
    )
    f = [
        F(
            "hila",
            rng.choice(
                [
                    f"There is {s} paratracheal and {s} hilar lymphadenopathy.",
                    f"Lobulated enlargement of the {s} hilum and {s} paratracheal stripe, consistent with adenopathy.",
                ]
            ),
            lat="adenopathy",
            aff={"adenopathy"},
        ),
        _heart_ok(rng),
        _lungs_ok(rng),
        _pleura_ok(rng),
        _bones_ok(rng),
    ]
    imp = [
        Imp(f"{cap(s)} hilar and paratracheal lymphadenopathy.", lat="adenopathy", keys={"adenopathy"}),
        Imp(
            rng.choice(
                [
                    "In a patient with HIV, differential includes mycobacterial infection (TB or MAC), endemic fungal "
                    "infection and lymphoma. Recommend CT chest with contrast.",
                    "Considerations include MAC, TB, histoplasmosis and lymphoma; CT chest could further evaluate.",
                ]
            )
        ),
    ]
    return {"name": "lymphadenopathy", "exam": "pa", "history": hist, "comparison": _none_comp(rng), "F": f, "I": imp}


def sc_ks(rng):
    s = _side(rng)
    hist = rng.choice(
        [
            "HIV with known cutaneous Kaposi sarcoma, new cough and dyspnea.",
            f"AIDS, CD4 {_cd4(rng)}, oral and skin KS lesions. Worsening shortness of breath.",
        ]
    )
    f = [
        F(
            "lungs",
            rng.choice(
                [
                    "Bilateral perihilar nodular and flame-shaped opacities extending along the "
                    "bronchovascular bundles.",
                    "Ill-defined peribronchovascular nodular opacities radiating from both hila "
                    "into the mid and lower lungs.",
                ]
            ),
            aff={"nodule"},
        ),
        F("pleura", f"Moderate {s} pleural effusion.", lat="effusion", aff={"effusion"}, sig=True),
        F("pleura", "No pneumothorax.", neg={"pneumothorax"}),
        _heart_ok(rng),
    ]
    ks = rng.choice(
        [
            "Bilateral peribronchovascular nodular opacities, compatible with pulmonary Kaposi sarcoma in this "
            "patient with known cutaneous KS.",
            "Perihilar flame-shaped nodular opacities, in keeping with pulmonary KS; opportunistic infection is not "
            "excluded radiographically.",
        ]
    )
    imp = [
        Imp(ks, keys={"nodule"}),
        Imp(f"Moderate {s} pleural effusion.", lat="effusion", keys={"effusion"}, sig=True),
    ]
    return {
        "name": "Kaposi sarcoma",
        "exam": "pa",
        "history": hist,
        "comparison": _prior(rng) if rng.random() < 0.5 else _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": [ks],
    }


ABX = [
    ("cefazolin", "MSSA bacteremia"),
    ("daptomycin", "MRSA bacteremia"),
    ("vancomycin", "vertebral osteomyelitis"),
    ("ceftriaxone", "streptococcal endocarditis"),
    ("ertapenem", "diabetic foot osteomyelitis"),
    ("liposomal amphotericin B", "cryptococcal meningitis"),
    ("IV ganciclovir", "CMV retinitis"),
    ("nafcillin", "septic arthritis"),
]
PICC_TIP = ["cavoatrial junction", "distal SVC", "lower superior vena cava", "mid SVC"]


def sc_picc(rng, complication=None):
    a = _side(rng)
    drug, dx = rng.choice(ABX)
    tip = rng.choice(PICC_TIP)
    hist = rng.choice(
        [
            f"PICC placement for 6 weeks of {drug} for {dx}. Tip position.",
            f"{dx}, OPAT with {drug}. s/p PICC placement, confirm tip.",
            f"New {a} arm PICC. HIV, {dx}.",
        ]
    )
    pf = F(
        "lines",
        rng.choice(
            [
                f"{cap(a)} upper extremity PICC with tip projecting over the {tip}.",
                f"{cap(a)} arm PICC terminates at the {tip}.",
                f"Interval placement of a {a}-sided PICC, tip at the {tip}.",
            ]
        ),
        lat="picc",
    )
    f = [pf, _heart_ok(rng)]
    pi = Imp(
        rng.choice(
            [
                f"{cap(a)} PICC with tip at the {tip}.",
                f"{cap(a)} arm PICC tip in the {tip}; ready for use.",
                f"{cap(a)}-sided PICC terminating at the {tip}.",
            ]
        ),
        lat="picc",
        keys={"picc"},
    )
    name = "PICC placement"
    omit = None
    if complication == "ptx":
        s = _side(rng)
        f.append(
            F(
                "pleura",
                rng.choice(
                    [
                        f"New small {s} apical pneumothorax, approximately 1 cm.",
                        f"There is a small {s} apical pneumothorax.",
                    ]
                ),
                lat="pneumothorax",
                aff={"pneumothorax"},
                sig=True,
            )
        )
        f.append(_lungs_ok(rng))
        f.append(F("pleura", "No pleural effusion.", neg={"effusion"}))
        imp = [
            pi,
            Imp(f"Small {s} apical pneumothorax.", lat="pneumothorax", keys={"pneumothorax"}, sig=True),
            Imp("Findings discussed with the ordering provider, Dr. XXXX, by telephone at XXXX."),
        ]
        omit = [pi["t"]]
        name = "PICC + pneumothorax"
    elif complication == "effusion":
        s = _side(rng)
        f.append(
            F(
                "pleura",
                rng.choice(
                    [
                        f"New moderate {s} pleural effusion.",
                        f"Moderate {s} pleural effusion, new since the prior study.",
                    ]
                ),
                lat="effusion",
                aff={"effusion"},
                sig=True,
            )
        )
        f.append(F("pleura", "No pneumothorax.", neg={"pneumothorax"}))
        imp = [pi, Imp(f"New moderate {s} pleural effusion.", lat="effusion", keys={"effusion"}, sig=True)]
        omit = [pi["t"]]
        name = "PICC + new effusion"
    else:
        f.append(_lungs_ok(rng))
        f.append(_pleura_ok(rng))
        imp = [pi]
        if rng.random() < 0.5:
            imp.append(Imp("No pneumothorax.", keys={"neg"}))
    return {
        "name": name,
        "exam": "ap",
        "history": hist,
        "comparison": _prior(rng) if complication else _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": omit,
        "structured_ok": True,
    }


def sc_tb_effusion(rng):
    s = _side(rng)
    size = rng.choice(["Moderate", "Large", "Moderate-sized"])
    hist = rng.choice(
        [
            "HIV, fever and pleuritic chest pain for 3 weeks, IGRA positive.",
            f"{_pt(rng)}, HIV on ART, dyspnea and decreased breath sounds on the {s}.",
        ]
    )
    grn = rng.random() < 0.5
    f = [
        F(
            "pleura",
            f"{size} {s} pleural effusion with adjacent compressive atelectasis.",
            lat="effusion",
            aff={"effusion"},
            sig=True,
        ),
        F("lungs", f"The {'left' if s == 'right' else 'right'} lung is clear."),
        F("pleura", "No pneumothorax.", neg={"pneumothorax"}),
        _heart_ok(rng),
    ]
    imp = [
        Imp(
            f"{size} {s} pleural effusion. In this patient with HIV and positive IGRA, tuberculous pleuritis is a "
            "consideration; diagnostic thoracentesis recommended.",
            lat="effusion",
            keys={"effusion"},
            sig=True,
        )
    ]
    omit = None
    if grn:
        g = "Calcified granuloma in the left upper lobe." if s == "left" else "Calcified granuloma in the right apex."
        f.insert(2, F("lungs", g))
        omit = [g.replace("Calcified granuloma", "Calcified granuloma, sequela of prior granulomatous disease,")]
        imp.append(Imp(omit[0]))
    return {
        "name": "TB pleural effusion",
        "exam": "pa",
        "history": hist,
        "comparison": _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": omit,
    }


def sc_iris(rng):
    s = _side(rng)
    hist = rng.choice(
        [
            f"HIV, started ART 3 weeks ago (CD4 {_cd4(rng)}), on treatment for TB, new fever. Evaluate for IRIS.",
            "MAC on therapy, ART started last month, recurrent fevers and cough. Assess for IRIS.",
        ]
    )
    f = [
        F(
            "hila",
            f"Interval increase in {s} paratracheal and {s} hilar lymphadenopathy compared with the prior study.",
            lat="adenopathy",
            aff={"adenopathy"},
            sig=True,
        ),
        F("lungs", f"New patchy airspace opacity in the {s} upper lobe.", lat="lung", aff={"consolidation"}, sig=True),
        _heart_ok(rng),
        _pleura_ok(rng),
    ]
    a = Imp(f"Increased {s} hilar and paratracheal adenopathy.", lat="adenopathy", keys={"adenopathy"}, sig=True)
    b = Imp(f"New {s} upper lobe airspace opacity.", lat="lung", keys={"consolidation"}, sig=True)
    c = Imp(
        "Given recent initiation of ART, findings may represent immune reconstitution inflammatory syndrome "
        "(IRIS); superimposed infection is not excluded."
    )
    return {
        "name": "IRIS",
        "exam": "pa",
        "history": hist,
        "comparison": _prior(rng),
        "F": f,
        "I": [a, b, c],
        "I_omit": [a["t"]],
    }


def sc_nodule(rng):
    s = _side(rng)
    mm = rng.choice([8, 9, 11, 12, 14, 16, 18])
    lobe = rng.choice(["upper", "lower"])
    hist = rng.choice(
        [
            "HIV, positive serum cryptococcal antigen, headache. Chest evaluation.",
            f"HIV, CD4 {_cd4(rng)}, travel to Arizona, fever. r/o coccidioidomycosis.",
            "HIV clinic follow-up, cough. Histoplasma urine antigen positive.",
        ]
    )
    grn = rng.random() < 0.4
    f = [
        F(
            "lungs",
            f"There is a {mm} mm noncalcified nodule in the {s} {lobe} lobe.",
            lat="nodule",
            aff={"nodule"},
            sig=True,
        ),
        F("lungs", "The lungs are otherwise clear."),
        _heart_ok(rng),
        _pleura_ok(rng),
    ]
    if grn:
        f.append(F("bones", "Mild degenerative changes of the thoracic spine."))
    imp = [
        Imp(
            f"{mm} mm {s} {lobe} lobe pulmonary nodule. Given the clinical history, fungal infection (e.g. "
            f"{rng.choice(['cryptococcosis', 'coccidioidomycosis', 'histoplasmosis'])}) is a consideration. "
            "Recommend CT chest for further characterization.",
            lat="nodule",
            keys={"nodule"},
            sig=True,
        )
    ]
    omit = None
    if grn:
        imp.append(Imp("Mild thoracic spondylosis."))
        omit = ["Mild thoracic spondylosis."]
    return {
        "name": "fungal nodule",
        "exam": "pa",
        "history": hist,
        "comparison": _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": omit,
    }


def sc_followup(rng):
    s = _side(rng)
    hist = rng.choice(
        [
            f"Follow-up {s} lower lobe pneumonia, completed 7 days of antibiotics. HIV on ART.",
            "Follow-up pneumonia after treatment. HIV.",
        ]
    )
    f = [
        F(
            "lungs",
            f"Interval improvement of the {s} lower lobe consolidation, with minimal residual patchy opacity.",
            lat="lung",
            aff={"consolidation"},
        ),
        _heart_ok(rng),
        _pleura_ok(rng),
    ]
    imp = [
        Imp(
            rng.choice(
                [
                    f"Improving {s} lower lobe pneumonia.",
                    f"Near-complete resolution of {s} lower lobe pneumonia with minimal residual opacity.",
                ]
            ),
            lat="lung",
            keys={"consolidation"},
        )
    ]
    return {"name": "pneumonia follow-up", "exam": "pa", "history": hist, "comparison": _prior(rng), "F": f, "I": imp}


def sc_resolved_pcp(rng):
    hist = rng.choice(
        ["Follow-up PCP, completed 21 days TMP-SMX. HIV now on ART.", "HIV, treated PJP, follow-up film."]
    )
    f = [
        F("lungs", "Interval resolution of the previously seen bilateral perihilar ground-glass opacities."),
        F("lungs", "The lungs are now clear.", neg={"consolidation"}),
        _heart_ok(rng),
        _pleura_ok(rng),
    ]
    imp = [
        Imp(
            rng.choice(
                [
                    "Resolution of bilateral opacities. No acute cardiopulmonary process.",
                    "Resolved PJP. No acute cardiopulmonary abnormality.",
                ]
            ),
            keys={"normal"},
        )
    ]
    return {"name": "resolved PCP", "exam": "pa", "history": hist, "comparison": _prior(rng), "F": f, "I": imp}


def sc_ptx_pcp(rng):
    s = _side(rng)
    hist = rng.choice(
        [
            "Known PJP on treatment, sudden worsening dyspnea and chest pain.",
            "AIDS with PCP, acute pleuritic pain. r/o pneumothorax.",
        ]
    )
    f = [
        F(
            "lungs",
            "Diffuse bilateral ground-glass opacities with scattered thin-walled cysts (pneumatoceles) in both "
            "upper lobes, similar to prior.",
            aff={"consolidation"},
        ),
        F(
            "pleura",
            rng.choice(
                [
                    f"New moderate {s} pneumothorax with visible pleural line.",
                    f"There is a new {s} apical pneumothorax measuring approximately 2 cm.",
                ]
            ),
            lat="pneumothorax",
            aff={"pneumothorax"},
            sig=True,
        ),
        F("pleura", "No pleural effusion.", neg={"effusion"}),
        _heart_ok(rng),
    ]
    a = Imp(f"New {s} pneumothorax.", lat="pneumothorax", keys={"pneumothorax"}, sig=True)
    b = Imp(
        "Diffuse ground-glass opacities and upper lobe pneumatoceles, consistent with known PJP.",
        keys={"consolidation"},
    )
    c = Imp("Critical result communicated to Dr. XXXX at XXXX, read back confirmed.")
    return {
        "name": "PJP with pneumothorax",
        "exam": "ap",
        "history": hist,
        "comparison": _prior(rng),
        "F": f,
        "I": [a, b, c],
        "I_omit": [b["t"]],
        "structured_ok": True,
    }


def sc_edema(rng):
    hist = rng.choice(
        [
            "HIV-associated cardiomyopathy, worsening dyspnea and leg swelling.",
            "HIVAN on hemodialysis, missed session, short of breath.",
        ]
    )
    f = [
        F("heart", "The heart is enlarged.", aff={"cardiomegaly"}),
        F(
            "lungs",
            rng.choice(
                [
                    "Pulmonary vascular congestion with interstitial edema and Kerley B lines.",
                    "Cephalization of the pulmonary vasculature with diffuse interstitial edema.",
                ]
            ),
            aff={"edema"},
            sig=True,
        ),
        F("pleura", "Small bilateral pleural effusions.", aff={"effusion"}),
        F("pleura", "No pneumothorax.", neg={"pneumothorax"}),
    ]
    a = Imp("Cardiomegaly.", keys={"cardiomegaly"})
    b = Imp("Interstitial pulmonary edema.", keys={"edema"}, sig=True)
    c = Imp("Small bilateral pleural effusions.", keys={"effusion"})
    return {
        "name": "edema/congestion",
        "exam": rng.choice(["pa", "ap"]),
        "history": hist,
        "comparison": _prior(rng),
        "F": f,
        "I": [a, b, c],
        "I_omit": [a["t"], c["t"]],
        "structured_ok": True,
    }


def sc_miliary(rng):
    hist = rng.choice(
        [
            "HIV, CD4 " + str(_cd4(rng)) + ", fever of unknown origin, pancytopenia.",
            "Disseminated TB suspected. HIV, fevers and weight loss.",
        ]
    )
    f = [
        F(
            "lungs",
            "Innumerable tiny 1-2 mm nodules diffusely distributed throughout both lungs in a miliary pattern.",
            aff={"nodule"},
        ),
        _heart_ok(rng),
        _pleura_ok(rng),
    ]
    imp = [
        Imp(
            "Miliary pattern, highly concerning for disseminated tuberculosis or endemic fungal infection in this "
            "immunocompromised patient.",
            keys={"nodule"},
        )
    ]
    return {"name": "miliary", "exam": "pa", "history": hist, "comparison": _none_comp(rng), "F": f, "I": imp}


def sc_emboli(rng):
    cm = rng.choice(["1.5", "2.0", "2.4", "3.0"])
    hist = rng.choice(
        [
            "Injection drug use, MSSA bacteremia, tricuspid valve vegetation on echo.",
            "PWID with fever and positive blood cultures for S. aureus. HIV.",
        ]
    )
    picc = rng.random() < 0.5
    a = _side(rng)
    f = []
    if picc:
        f.append(F("lines", f"{cap(a)} arm PICC with tip at the cavoatrial junction.", lat="picc"))
    f += [
        F(
            "lungs",
            f"Multiple bilateral peripheral nodules measuring up to {cm} cm, several with central cavitation, "
            "predominantly in the lower lobes.",
            aff={"nodule"},
            sig=True,
        ),
        _heart_ok(rng),
        _pleura_ok(rng),
    ]
    imp = [
        Imp("Multiple bilateral cavitary nodules, consistent with septic pulmonary emboli.", keys={"nodule"}, sig=True)
    ]
    omit = None
    if picc:
        p = Imp(f"{cap(a)} arm PICC at the cavoatrial junction.", lat="picc", keys={"picc"})
        imp.append(p)
        omit = [p["t"]]
    return {
        "name": "septic emboli",
        "exam": rng.choice(["pa", "ap"]),
        "history": hist,
        "comparison": _none_comp(rng),
        "F": f,
        "I": imp,
        "I_omit": omit,
        "structured_ok": True,
    }


SCENARIOS = [
    (sc_normal, 9),
    (sc_granuloma, 3),
    (sc_pcp, 4),
    (sc_lobar, 4),
    (sc_tb, 3),
    (sc_nodes, 2),
    (sc_ks, 2),
    (lambda rng: sc_picc(rng), 4),
    (lambda rng: sc_picc(rng, "ptx"), 1),
    (lambda rng: sc_picc(rng, "effusion"), 1),
    (sc_tb_effusion, 2),
    (sc_iris, 1),
    (sc_nodule, 2),
    (sc_followup, 2),
    (sc_resolved_pcp, 1),
    (sc_ptx_pcp, 1),
    (sc_edema, 1),
    (sc_miliary, 1),
    (sc_emboli, 1),
]


# --------------------------------------------------------------------------------------------------------------
# injections
# --------------------------------------------------------------------------------------------------------------

NEG_PHRASES = {
    "effusion": ["No pleural effusion.", "No pleural effusions.", "Pleural spaces are clear."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax identified."],
    "consolidation": ["Lungs are clear.", "No focal consolidation or pneumonia.", "No acute airspace disease."],
    "cardiomegaly": ["Heart size is normal.", "Normal heart size."],
    "adenopathy": ["No hilar or mediastinal lymphadenopathy."],
    "edema": ["No pulmonary edema.", "No evidence of CHF or pulmonary edema."],
    "nodule": ["No pulmonary nodules or masses.", "No suspicious pulmonary nodule."],
}


def assertion(concept, rng):
    s = _side(rng)
    return rng.choice(
        {
            "effusion": [
                f"Moderate {s} pleural effusion.",
                f"Small {s} pleural effusion, new.",
                f"{cap(s)} pleural effusion; diagnostic thoracentesis could be considered.",
            ],
            "pneumothorax": [f"Small {s} apical pneumothorax.", f"{cap(s)} pneumothorax, approximately 2 cm."],
            "consolidation": [
                f"{cap(s)} lower lobe pneumonia.",
                f"Patchy {s} basilar airspace disease, concerning for pneumonia.",
                f"Focal {s} upper lobe consolidation; in this patient with HIV, TB should be excluded.",
            ],
            "cardiomegaly": ["Moderate cardiomegaly.", "Cardiomegaly; pericardial effusion cannot be excluded."],
            "adenopathy": [f"{cap(s)} hilar lymphadenopathy; consider mycobacterial infection."],
            "edema": ["Interstitial pulmonary edema.", "Mild pulmonary vascular congestion and interstitial edema."],
        }[concept]
    )


def placeholder_swap(text, rng):
    """Replace one word / value of the text by an unfilled template field. Returns (new, old, token) or None."""
    rules = [
        (
            r"\b\d+(?:\.\d+)? ?(cm|mm)\b",
            lambda m: rng.choice(
                [f"XX {m.group(1)}", f"__ {m.group(1)}", f"<<size>> {m.group(1)}", f"[***] {m.group(1)}", "[size]"]
            ),
        ),
        (
            r"\b(?:cavoatrial junction|distal SVC|lower superior vena cava|mid SVC)\b",
            lambda m: rng.choice(["[location]", "[***]", "<<tip location>>", "[ ]"]),
        ),
        (r"\b(?:right|left)\b", lambda m: rng.choice(["[right/left]", "[side]", "[ ]", "[***]"])),
        (
            r"\b(?:small|moderate|large|mild|Small|Moderate|Large|Mild)\b",
            lambda m: rng.choice(["[small/moderate/large]", "[***]", "<<size>>", "[ ]"]),
        ),
        (
            r"\b(?:normal|clear|intact|unremarkable)\b",
            lambda m: rng.choice(["[normal/abnormal]", "[***]", "***", "[ ]", "___"]),
        ),
        (r"\b(?:upper|lower|mid)\b", lambda m: rng.choice(["[lobe]", "[***]", "___"])),
    ]
    order = list(range(len(rules)))
    rng.shuffle(order)
    for k in order:
        pat, fn = rules[k]
        ms = list(re.finditer(pat, text))
        ms = [m for m in ms if "XXXX" not in text[max(0, m.start() - 6) : m.end() + 6]]
        if ms:
            m = rng.choice(ms)
            tok = fn(m)
            return text[: m.start()] + tok + text[m.end() :], m.group(0), tok
    words = [m for m in re.finditer(r"\b[a-z]{4,}\b", text) if m.group(0) not in ("with", "there", "that", "this")]
    if not words:
        return None
    m = rng.choice(words)
    tok = rng.choice(["[***]", "***", "[ ]", "___"])
    return text[: m.start()] + tok + text[m.end() :], m.group(0), tok


MISSING_MODES = [
    ("imp", "empty"),
    ("imp", "signature"),
    ("imp", "absent"),
    ("imp", "empty"),
    ("find", "empty"),
    ("find", "absent"),
    ("find", "empty"),
    ("imp", "signature"),
]
MODE_WORDS = {
    "empty": "emptied (header kept, nothing under it)",
    "signature": "header kept with only the sign-off under it",
    "absent": "removed with its header",
}


# --------------------------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------------------------


def _pick_scenario(rng, ok=lambda s: True, tries=200):
    fns, weights = zip(*SCENARIOS, strict=True)
    for _ in range(tries):
        sc = rng.choices(fns, weights=weights)[0](rng)
        if ok(sc):
            return sc
    raise RuntimeError("no scenario fits")


def _parts_from_sc(sc, rng, style):
    exam = rng.choice(EXAM_AP if sc["exam"] == "ap" else EXAM_PA)
    tech = rng.choice(TECH_AP if sc["exam"] == "ap" else TECH_PA)
    return {
        "exam": exam,
        "history": sc["history"],
        "comparison": sc["comparison"],
        "technique": tech,
        "findings": [(x["cat"], x["t"]) for x in sc["F"]],
        "structured": style["structured"],
        "impression": [x["t"] for x in sc["I"]],
    }


def _lat_keys(sc):
    fk = {x["lat"] for x in sc["F"] if x["lat"]}
    ik = {x["lat"] for x in sc["I"] if x["lat"]}
    return sorted(fk & ik)


def composed_case(rng, kind, sub=None):
    style = pick_style(rng, structured_ok=True)
    if kind is None:
        sc = _pick_scenario(rng)
        parts = _parts_from_sc(sc, rng, style)
        return render(parts, style, rng), f"composed ({sc['name']}); clean"
    if kind == "missing_section":
        where, mode = sub
        ok = (
            (lambda s: all("normal" in i["keys"] for i in s["I"]))
            if (where, mode) == ("find", "absent")
            else (lambda s: True)
        )
        sc = _pick_scenario(rng, ok)
        parts = _parts_from_sc(sc, rng, style)
        sec = "FINDINGS" if where == "find" else "IMPRESSION"
        rep = render(
            parts,
            style,
            rng,
            find_mode=mode if where == "find" else "normal",
            imp_mode=mode if where == "imp" else "normal",
        )
        return rep, f"composed ({sc['name']}): {sec} {MODE_WORDS[mode]}"
    if kind == "laterality_conflict":
        sc = _pick_scenario(rng, lambda s: bool(_lat_keys(s)))
        key = rng.choice(_lat_keys(sc))
        sec = rng.choice(["F", "I"])
        cands = [x for x in sc[sec] if x["lat"] == key and side_of(x["t"]) in ("left", "right")]
        if not cands:
            sec = "I" if sec == "F" else "F"
            cands = [x for x in sc[sec] if x["lat"] == key and side_of(x["t"]) in ("left", "right")]
        x = rng.choice(cands)
        old = x["t"]
        x["t"] = flip_sides(old)
        parts = _parts_from_sc(sc, rng, style)
        name = "FINDINGS" if sec == "F" else "IMPRESSION"
        other = "IMPRESSION" if sec == "F" else "FINDINGS"
        return render(parts, style, rng), (
            f"composed ({sc['name']}): side flipped in {name} ('{old}' -> '{x['t']}'); {other} keeps "
            f"the {side_of(old)} side"
        )
    if kind == "negation_conflict":
        if sub == "assert":

            def ok(s):
                aff = set().union(*(x["aff"] for x in s["F"]))
                return bool(set().union(*(x["neg"] for x in s["F"])) - aff - {"nodule"})

            sc = _pick_scenario(rng, ok)
            aff = set().union(*(x["aff"] for x in sc["F"]))
            negs = sorted(set().union(*(x["neg"] for x in sc["F"])) - aff - {"nodule"})
            c = rng.choice(negs)
            src = next(x["t"] for x in sc["F"] if c in x["neg"])
            a = assertion(c, rng)
            items = [
                x
                for x in sc["I"]
                if "normal" not in x["keys"]
                and not (c == "pneumothorax" and "neg" in x["keys"])
                and not (c == "effusion" and "neg" in x["keys"])
            ]
            pos = rng.choice([0, len(items)]) if items else 0
            items.insert(pos, Imp(a))
            sc["I"] = items
            parts = _parts_from_sc(sc, rng, style)
            return render(parts, style, rng), (
                f"composed ({sc['name']}): IMPRESSION asserts '{a}' while FINDINGS say '{src}'"
            )
        # impression negates a finding the findings affirm

        def ok2(s):
            return any(c in NEG_PHRASES for x in s["F"] for c in x["aff"])

        sc = _pick_scenario(rng, ok2)
        cands = sorted({c for x in sc["F"] for c in x["aff"] if c in NEG_PHRASES})
        c = rng.choice(cands)
        src = next(x["t"] for x in sc["F"] if c in x["aff"])
        diffuse = c == "consolidation" and re.search(r"ground-glass|interstitial", src)
        neg = rng.choice(["Lungs are clear.", "No acute pulmonary opacity."] if diffuse else NEG_PHRASES[c])
        items = [x for x in sc["I"] if c not in x["keys"]]
        items.insert(rng.choice([0, len(items)]) if items else 0, Imp(neg))
        sc["I"] = items
        parts = _parts_from_sc(sc, rng, style)
        return render(parts, style, rng), (
            f"composed ({sc['name']}): IMPRESSION says '{neg}' while FINDINGS affirm '{src}'"
        )
    if kind == "impression_omits_finding":
        if sub == "other":
            sc = _pick_scenario(rng, lambda s: bool(s.get("I_omit")))
            sigs = [x["t"] for x in sc["I"] if x["sig"] and x["t"] not in sc["I_omit"]]
            sc["I"] = [Imp(t) for t in sc["I_omit"]]
            how = f"IMPRESSION lists only other findings ({' '.join(sc['I_omit'])})"
        else:
            sc = _pick_scenario(rng, lambda s: any(x["sig"] for x in s["F"]))
            sigs = [x["t"] for x in sc["I"] if x["sig"]]
            st = rng.choice(NORMAL_IMPS[:4])
            sc["I"] = [Imp(st)]
            how = f"IMPRESSION replaced by '{st}'"
        fsig = [x["t"] for x in sc["F"] if x["sig"]]
        parts = _parts_from_sc(sc, rng, style)
        return render(parts, style, rng), (
            f"composed ({sc['name']}): FINDINGS affirm '{fsig[0]}'; {how}; dropped: {' '.join(sigs) or '-'}"
        )
    if kind == "placeholder":
        sc = _pick_scenario(rng)
        where = rng.random()
        if where < 0.1:
            res = placeholder_swap(sc["history"], rng)
            if res:
                sc["history"] = res[0]
                parts = _parts_from_sc(sc, rng, style)
                return render(parts, style, rng), (
                    f"composed ({sc['name']}): history field '{res[1]}' left as placeholder '{res[2]}'"
                )
        sec = "F" if where < 0.65 else "I"
        for _ in range(20):
            x = rng.choice(sc[sec])
            res = placeholder_swap(x["t"], rng)
            if res:
                break
        x["t"] = res[0]
        parts = _parts_from_sc(sc, rng, style)
        name = "FINDINGS" if sec == "F" else "IMPRESSION"
        return render(parts, style, rng), (
            f"composed ({sc['name']}): '{res[1]}' in {name} left as unfilled field '{res[2]}'"
        )
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------------------------

OTHER_BAD = re.compile(
    r"\b(?:recommend\w*|follow\w*|consider|correlat\w*|resolution|limited|compar\w*|XXXX XXXX)\b|\?", re.I
)
MINOR_FINDING = re.compile(
    r"\b(?:degenerative|spondylo\w+|scoliosis|tortuous|tortuosity|hernia|clips?|sternotomy|fracture|granulom\w*|"
    r"atheroscl\w+|calcifi\w+|cardiomegaly|enlarged|hyperinflat\w+|emphysema|pacemaker|kyphosis)\b",
    re.I,
)
SIG_OR_LUNG = SIGNIFICANT | LUNG_GROUP | {"nodule", "adenopathy"}


def _stop(s):
    return s if s.endswith((".", "!", "?")) else s + "."


def _iu_parts(r, f_sents, i_sents, rng, style, applied):
    f_sents, i_sents = [_stop(s) for s in f_sents], [_stop(s) for s in i_sents]
    return {
        "exam": rng.choice(EXAM_PA),
        "history": r["indication"] or None,
        "comparison": r["comparison"] or rng.choice(["None.", "None available."]),
        "technique": rng.choice(TECH_PA),
        "findings": [("", reword(s, rng, applied)) for s in f_sents],
        "structured": False,
        "impression": [reword(s, rng, applied) for s in i_sents],
    }


def _iu_note(applied):
    return "re-laid out in clinic template" + (f", reworded to '{', '.join(applied)}'" if applied else "")


def iu_clean(r, t, rng):
    style = pick_style(rng)
    applied = []
    parts = _iu_parts(r, split_sentences(r["findings"]), split_sentences(r["impression"]), rng, style, applied)
    return render(parts, style, rng), f"IU {r['uid']}: {_iu_note(applied)}; no error injected"


def iu_missing(r, t, rng, sub):
    where, mode = sub
    if (where, mode) == ("find", "absent") and not (not affirmed(t["im"]) and len(r["impression"].split()) <= 12):
        mode = "empty"
    style = pick_style(rng)
    applied = []
    parts = _iu_parts(r, split_sentences(r["findings"]), split_sentences(r["impression"]), rng, style, applied)
    rep = render(
        parts,
        style,
        rng,
        find_mode=mode if where == "find" else "normal",
        imp_mode=mode if where == "imp" else "normal",
    )
    sec = "FINDINGS" if where == "find" else "IMPRESSION"
    return rep, f"IU {r['uid']}: {_iu_note(applied)}; {sec} {MODE_WORDS[mode]}"


def iu_placeholder(r, t, rng):
    style = pick_style(rng)
    f_s, i_s = split_sentences(r["findings"]), split_sentences(r["impression"])
    sec = "F" if rng.random() < 0.65 else "I"
    lst = f_s if sec == "F" else i_s
    order = list(range(len(lst)))
    rng.shuffle(order)
    for k in order:
        res = placeholder_swap(lst[k], rng)
        if res:
            lst[k] = res[0]
            break
    else:
        return None
    applied = []
    parts = _iu_parts(r, f_s, i_s, rng, style, applied)
    if res[2] not in "\n".join(parts["impression"] + [x for _, x in parts["findings"]]):
        return None
    name = "FINDINGS" if sec == "F" else "IMPRESSION"
    return render(
        parts, style, rng
    ), f"IU {r['uid']}: {_iu_note(applied)}; '{res[1]}' in {name} replaced by unfilled field '{res[2]}'"


MID = re.compile(r"\b(?:middle lobe|lingula\w*|RML)\b", re.I)


def _group(c):
    return "lung" if c in LUNG_GROUP else c


def iu_laterality(r, t, rng):
    f_s, i_s = split_sentences(r["findings"]), split_sentences(r["impression"])
    options = []
    for fmx, imx in t["lat"]:
        g = _group(fmx["concept"])
        side = fmx["side"]
        opp = "left" if side == "right" else "right"
        if any(_group(m["concept"]) == g and m["side"] in (opp, "both") for m in affirmed(t["fm"]) + affirmed(t["im"])):
            continue
        if MID.search(fmx["sentence"] + " " + imx["sentence"]):
            continue
        if side_of(fmx["sentence"]) == side and fmx["sentence"] in f_s:
            options.append(("F", fmx["sentence"], imx["sentence"]))
        if side_of(imx["sentence"]) == side and imx["sentence"] in i_s:
            options.append(("I", imx["sentence"], fmx["sentence"]))
    if not options:
        return None
    sec, sent, other = rng.choice(sorted(set(options)))
    new = flip_sides(sent)
    if sec == "F":
        f_s[f_s.index(sent)] = new
    else:
        i_s[i_s.index(sent)] = new
    style = pick_style(rng)
    applied = []
    parts = _iu_parts(r, f_s, i_s, rng, style, applied)
    name, oname = ("FINDINGS", "IMPRESSION") if sec == "F" else ("IMPRESSION", "FINDINGS")
    return render(parts, style, rng), (
        f"IU {r['uid']}: {_iu_note(applied)}; side flipped in {name} ('{sent}' -> '{new}'); {oname} keeps '{other}'"
    )


def _other_findings(r, t):
    f_aff = {m["concept"] for m in affirmed(t["fm"])}
    keep = []
    for s in split_sentences(r["impression"]):
        ms = mentions(s)
        if any(m["affirmed"] and m["concept"] in SIG_OR_LUNG for m in ms):
            continue
        if any(not m["affirmed"] and m["concept"] in f_aff for m in ms):
            continue
        if OTHER_BAD.search(s) or len(s.split()) < 3 or NORMAL_IMPRESSION.search(s):
            continue
        if not (affirmed(ms) or MINOR_FINDING.search(s)):
            continue
        keep.append(s)
    if not keep:
        for s in split_sentences(r["findings"]):
            ms = mentions(s)
            if any(m["affirmed"] and m["concept"] in SIG_OR_LUNG for m in ms) or HEDGE.search(s):
                continue
            if any(not m["affirmed"] for m in ms) or OTHER_BAD.search(s):
                continue
            if MINOR_FINDING.search(s) and len(s.split()) >= 3:
                keep.append(s)
                if len(keep) == 2:
                    break
    return keep


def iu_omission(r, t, rng, sub):
    f_s = split_sentences(r["findings"])
    sig = t["sig"][0]["sentence"]
    if sub == "other":
        keep = _other_findings(r, t)
        if not keep:
            return None
        i_s = keep
        how = f"IMPRESSION replaced by other findings only ('{' '.join(keep)}')"
    else:
        st = rng.choice(NORMAL_IMPS[:4])
        i_s = [st]
        how = f"IMPRESSION '{r['impression']}' replaced by '{st}'"
    style = pick_style(rng)
    applied = []
    parts = _iu_parts(r, f_s, i_s, rng, style, applied)
    return render(parts, style, rng), f"IU {r['uid']}: {_iu_note(applied)}; FINDINGS affirm '{sig}'; {how}"


def iu_negation_assert(r, t, rng):
    f_s = split_sentences(r["findings"])
    opts = []
    for s in f_s:
        ms = mentions(s)
        neg = {m["concept"] for m in ms if not m["affirmed"]}
        if re.search(r"\b(?:large|significant|sizable|definite|moderate|gross\w*|acute|overt|frank)\b", s, re.I):
            continue
        for c in ("effusion", "pneumothorax", "edema", "consolidation"):
            if c in neg:
                opts.append((c, s))
        if lungs_clear(s) and "consolidation" not in neg:
            opts.append(("consolidation", s))
        if heart_normal(s) and not re.search(
            r"borderline|upper|top|mild|allow|accentuat|magnif|project|tortu", s, re.I
        ):
            opts.append(("cardiomegaly", s))
    f_aff = {m["concept"] for m in affirmed(t["fm"])}
    opts = [o for o in opts if o[0] not in f_aff]
    if not opts:
        return None
    c, src = rng.choice(sorted(set(opts)))
    a = assertion(c, rng)
    i_s = [a]
    style = pick_style(rng)
    applied = []
    parts = _iu_parts(r, f_s, i_s, rng, style, applied)
    return render(parts, style, rng), (
        f"IU {r['uid']}: {_iu_note(applied)}; IMPRESSION '{r['impression']}' replaced by '{a}' while FINDINGS say "
        f"'{src}'"
    )


def iu_negation_deny(r, t, rng):
    cands = [
        m
        for m in affirmed(t["fm"])
        if m["concept"] in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema") and not m["hedged"]
    ]
    if not cands:
        return None
    m = rng.choice(cands)
    c = m["concept"]
    group = LUNG_GROUP if c == "consolidation" else {c}
    i_s = split_sentences(r["impression"])
    keep, dropped = [], []
    for s in i_s:
        ms = mentions(s)
        if any(x["affirmed"] and x["concept"] in group for x in ms):
            if any(x["affirmed"] and x["concept"] in SIGNIFICANT and x["concept"] not in group for x in ms):
                return None
            dropped.append(s)
        else:
            keep.append(s)
    keep = [s for s in keep if not NORMAL_IMPRESSION.search(s) or c != "consolidation"]
    neg = rng.choice(NEG_PHRASES[c] if c != "consolidation" else ["Lungs are clear.", "No focal consolidation."])
    keep.insert(rng.choice([0, len(keep)]), neg)
    style = pick_style(rng)
    applied = []
    parts = _iu_parts(r, split_sentences(r["findings"]), keep, rng, style, applied)
    return render(parts, style, rng), (
        f"IU {r['uid']}: {_iu_note(applied)}; FINDINGS affirm '{m['sentence']}' but IMPRESSION says '{neg}'"
        + (f" (dropped '{' '.join(dropped)}')" if dropped else "")
    )


# --------------------------------------------------------------------------------------------------------------
# the set
# --------------------------------------------------------------------------------------------------------------


def build(seed) -> list[dict]:
    shared = shared_dir()
    archive, dev = iu_archive(shared), dev_path(shared)
    if not archive.exists():
        raise FileNotFoundError(f"IU archive not found: {archive}")
    rng = random.Random(f"heldout147-{seed}")
    pools = {k: list(v) for k, v in iu_pools(str(archive), str(dev)).items()}
    for v in pools.values():
        rng.shuffle(v)
    used = set()
    cases = []

    def take(pool, n, fn, kind, subs=None):
        got = 0
        for r, t in pools[pool]:
            if got >= n:
                break
            if r["uid"] in used:
                continue
            sub = subs[got % len(subs)] if subs else None
            res = fn(r, t, rng, sub) if subs else fn(r, t, rng)
            if res is None:
                continue
            used.add(r["uid"])
            cases.append({"injected": kind, "detail": res[1], "report": res[0]})
            got += 1
        return got

    half = N_PER_KIND // 2
    # omissions: as many "other findings" impressions as the archive allows (up to half), the rest normal
    n_other = take("sig", half // 2, iu_omission, "impression_omits_finding", subs=["other"])
    take("sig", half - n_other, iu_omission, "impression_omits_finding", subs=["normal"])
    take("lat", half, iu_laterality, "laterality_conflict")
    n_deny = take("consistent", 4, iu_negation_deny, "negation_conflict")
    n_deny += take("sig", 8 - n_deny, iu_negation_deny, "negation_conflict")
    take("negatable", half - n_deny, iu_negation_assert, "negation_conflict")
    n_cons = take("consistent", 25, iu_clean, None)
    take("normal", N_CLEAN // 2 - n_cons, iu_clean, None)
    take("normal", half, iu_missing, "missing_section", subs=MISSING_MODES)
    take("normal", half, iu_placeholder, "placeholder")
    n_iu = {k: sum(1 for c in cases if c["injected"] == k) for k in [None, *KINDS]}
    expected = {None: N_CLEAN // 2, **{k: half for k in KINDS}}
    if n_iu != expected:
        raise RuntimeError(f"IU pools too small for seed {seed}: {n_iu}")

    # composed half
    for _ in range(N_CLEAN // 2):
        rep, det = composed_case(rng, None)
        cases.append({"injected": None, "detail": det, "report": rep})
    plan = {
        "missing_section": [MISSING_MODES[k % len(MISSING_MODES)] for k in range(half)],
        "laterality_conflict": [None] * half,
        "negation_conflict": ["assert", "deny"] * (half // 2),
        "impression_omits_finding": ["normal", "other"] * (half // 2),
        "placeholder": [None] * half,
    }
    for kind in KINDS:
        for sub in plan[kind]:
            rep, det = composed_case(rng, kind, sub)
            cases.append({"injected": kind, "detail": det, "report": rep})
    rng.shuffle(cases)
    return [
        {"id": f"h147-{seed}-{k}", "injected": c["injected"], "detail": c["detail"], "report": c["report"]}
        for k, c in enumerate(cases)
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind to stderr")
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {row['id']}  injected={kind}\n--- {row['detail']}\n{row['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
