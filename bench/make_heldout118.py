"""Held-out report-check set 118, written blind (without reading the checker or its development set's texts).

Setting: US outpatient pulmonology and respiratory clinics -- COPD, asthma, interstitial lung disease and
pulmonary nodule follow-up, pre- and post-treatment films, and referrals from primary care.  Reports are laid
out the way US radiologists dictate them for these clinics (EXAM / CLINICAL HISTORY / COMPARISON / TECHNIQUE /
FINDINGS / IMPRESSION, sometimes a structured Lungs / Pleura / Heart / Bones template, sometimes CONCLUSION,
numbered impressions, an electronic sign-off line).  Most films are normal or near normal; chronic findings
(hyperinflation, emphysema, granulomas, stable fibrotic change, degenerative spine) are common, acute ones less so.

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase bank below, half are
real IU (Open-i) reports -- never one whose uid is in the development set -- re-laid-out in the setting's style
with light re-wording.  Blanks left by dictation templates are written as this setting's systems show them
(``***``, ``[***]``, ``[ ]``, bracketed pick lists); ``XXXX`` is the collection's de-identification mask.

    python -m bench.make_heldout118 OUT.jsonl --seed S [--show N]
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
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r'<AbstractText Label="([A-Z]+)"\s*>(.*?)</AbstractText>', re.S)
_LABEL_EMPTY_RE = re.compile(r'<AbstractText Label="([A-Z]+)"\s*/>')
_UID_RE = re.compile(r'<uId id="([^"]+)"')
_MAJOR_RE = re.compile(r"<major>(.*?)</major>", re.S)


def _clean(text: str) -> str:
    text = html.unescape(text or "")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    text = re.sub(r"\s+([.,;])", r"\1", text)
    return text


@lru_cache(maxsize=2)
def dev_uids(shared: str) -> frozenset:
    uids = set()
    with open(Path(shared) / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    uids.add(uid)
    return frozenset(uids)


@lru_cache(maxsize=2)
def load_iu(shared: str) -> tuple:
    """All IU reports not in the dev set, as tuples of dicts sorted by uid number."""
    exclude = dev_uids(shared)
    out = []
    with tarfile.open(Path(shared) / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for member in tf:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            raw = tf.extractfile(member).read().decode("utf-8", "replace")
            m = _UID_RE.search(raw)
            if not m or m.group(1) in exclude:
                continue
            sec = {lab: _clean(txt) for lab, txt in _LABEL_RE.findall(raw)}
            if any(re.search(r"\b(IMPRESSION|FINDINGS|Exam|Comparison|History):", t) for t in sec.values()):
                continue  # section text that embeds another report's headers
            for lab in _LABEL_EMPTY_RE.findall(raw):
                sec.setdefault(lab, "")
            majors = tuple(_clean(x) for x in _MAJOR_RE.findall(raw))
            out.append({
                "uid": m.group(1),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "majors": majors,
            })
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


CHRONIC_MAJORS = {
    "Calcified Granuloma", "Granulomatous Disease", "Granuloma", "Thoracic Vertebrae", "Spine", "Osteophyte",
    "Spondylosis", "Emphysema", "Pulmonary Disease, Chronic Obstructive", "Aorta", "Aorta, Thoracic",
    "Atherosclerosis", "Scoliosis", "Cicatrix", "Calcinosis", "Hyperostosis, Diffuse Idiopathic Skeletal",
    "Lung",
}
ACUTE_WORDS = re.compile(
    r"pneumothora|effusion|consolidat|pneumonia|infiltrat|edema|oedema|congest|mass\b|nodule|opacit|atelecta|"
    r"enlarg|cardiomegaly|widen|fracture|airspace|density|increas|new\b|worse|progress|recommend|ct\b|follow",
    re.I,
)
NEGATED_ONLY = re.compile(
    r"\b(no|without|negative for|free of|resolved|not)\b[^.]*?"
    r"(pneumothora|effusion|consolidat|pneumonia|infiltrat|edema|congest|mass|nodule|opacit|atelecta|airspace"
    r"|fracture|enlarg|cardiomegaly|widen)",
    re.I,
)
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)


def _sentences(text: str) -> list:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p for p in parts if p]


def _normal_tagged(r: dict) -> bool:
    return r["majors"] == ("normal",) and r["findings"] and r["impression"]


def _acute_free(text: str) -> bool:
    """True when every sentence mentioning an acute word is itself a negation of it."""
    for s in _sentences(text):
        if ACUTE_WORDS.search(s) and not NEGATED_ONLY.search(s):
            return False
    return True


def _pools(shared: str) -> dict:
    recs = load_iu(shared)
    normal = [r for r in recs if _normal_tagged(r) and len(r["findings"]) > 60]
    chronic = []
    for r in recs:
        if not r["findings"] or not r["impression"] or r["majors"] == ("normal",):
            continue
        heads = {m.split("/")[0] for m in r["majors"]}
        if not heads <= CHRONIC_MAJORS:
            continue
        if not _acute_free(r["findings"]) or not _acute_free(r["impression"]):
            continue
        if SIDE_RE.search(r["findings"] + r["impression"]) is None and "Lung" in heads:
            continue
        chronic.append(r)
    later = []
    for r in recs:
        f, i = r["findings"], r["impression"]
        if not f or not i:
            continue
        sides_all = {s.lower() for s in SIDE_RE.findall(f + " " + i + " " + r["indication"])}
        if len(sides_all) != 1:
            continue
        if not SIDE_RE.search(f) or not SIDE_RE.search(i):
            continue
        later.append(r)
    return {"normal": normal, "chronic": chronic, "later": later}


# ----------------------------------------------------------------------------------------------------------------
# Shared style pieces
# ----------------------------------------------------------------------------------------------------------------

EXAM_LINES = [
    "EXAM: XR CHEST PA AND LATERAL",
    "EXAM: XR CHEST 2 VIEWS",
    "EXAMINATION: CHEST, 2 VIEWS (PA/LAT)",
    "EXAM: CHEST X-RAY PA AND LATERAL (CPT 71046)",
    "PROCEDURE: XR Chest 2 Views",
    "EXAM: Radiographs of the chest, 2 views",
    "CHEST TWO VIEWS",
]
TECHNIQUE = [
    "PA and lateral views of the chest.",
    "Frontal and lateral views of the chest were obtained.",
    "Two views of the chest, PA and lateral.",
    "PA and lateral chest radiographs, upright, full inspiration.",
]
HIST_LABELS = ["CLINICAL HISTORY", "HISTORY", "INDICATION", "REASON FOR EXAM", "CLINICAL INDICATION"]
IMP_LABELS = ["IMPRESSION", "IMPRESSION", "IMPRESSION", "IMPRESSION", "CONCLUSION"]
RADS = ["R. Patel, MD", "K. Nguyen, MD", "S. Alvarez, MD", "M. Brooks, MD", "J. Okafor, MD", "L. Chen, DO",
        "D. Weinstein, MD", "A. Kowalski, MD"]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2022, 2023, 2024])}"


def _signoff(rng: random.Random) -> str:
    rad = rng.choice(RADS)
    t = f"{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}"
    return rng.choice([
        f"Electronically signed by: {rad} on {_date(rng)} {t}",
        f"Dictated by: {rad}\nSigned: {_date(rng)} {t}",
        f"Interpreting radiologist: {rad}",
        f"This report was electronically signed by {rad}.",
        "",
        "",
    ])


# ----------------------------------------------------------------------------------------------------------------
# Composed reports
# ----------------------------------------------------------------------------------------------------------------

HISTORIES = [
    "COPD, routine follow-up.", "COPD, annual film.", "Chronic obstructive pulmonary disease. Increased dyspnea on "
    "exertion.", "Asthma, persistent cough.", "Moderate persistent asthma, baseline prior to biologic therapy.",
    "Chronic cough x 3 months. Referred by PCP.", "Shortness of breath. PCP referral.",
    "Interstitial lung disease, on antifibrotic therapy. Follow-up.", "Pulmonary fibrosis, surveillance.",
    "Pulmonary nodule follow-up.", "Former smoker, 35 pack-years. Dyspnea.", "Abnormal PFTs.",
    "Sarcoidosis, follow-up.", "Wheezing.", "Recent pneumonia treated with antibiotics, follow-up for clearing.",
    "Post-treatment follow-up, completed course of prednisone for COPD exacerbation.",
    "Pre-treatment baseline before starting methotrexate.", "Chronic bronchitis.", "Bronchiectasis, follow-up.",
    "Hemoptysis, resolved. Referred by primary care.", "Dyspnea, evaluate.", "Positive PPD, asymptomatic.",
    "Pre-op pulmonary evaluation.", "Alpha-1 antitrypsin deficiency, follow-up.",
]
COMPARISONS = ["None.", "None available.", "{d}.", "Chest radiograph {d}.", "PA and lateral chest {d}.",
               "CT chest {d} and chest radiograph {d2}.", "Prior radiograph from {d}.", "{d} (outside study)."]

NORMALS = [  # (keys, organ, text)
    [({"clear"}, "lungs", "The lungs are clear."), ({"clear"}, "lungs", "Lungs are clear bilaterally."),
     ({"clear"}, "lungs", "No focal airspace opacity."),
     ({"clear"}, "lungs", "The lungs are well expanded and clear.")],
    [({"consolidation"}, "lungs", "No focal consolidation."), ({"consolidation", "nodule"}, "lungs",
     "No focal consolidation or suspicious pulmonary nodule."), ({"consolidation"}, "lungs",
     "No focal infiltrate.")],
    [({"edema"}, "lungs", "No pulmonary edema."), ({"edema"}, "lungs", "Pulmonary vascularity is normal."),
     ({"edema"}, "lungs", "No vascular congestion.")],
    [({"effusion", "ptx"}, "pleura", "No pleural effusion or pneumothorax."),
     ({"effusion"}, "pleura", "No pleural effusion."), ({"effusion", "ptx"}, "pleura",
     "No effusion or pneumothorax."), ({"effusion"}, "pleura", "Costophrenic angles are sharp.")],
    [({"ptx"}, "pleura", "No pneumothorax."), ({"ptx"}, "pleura", "There is no pneumothorax.")],
    [({"heart"}, "heart", "Heart size is normal."), ({"heart"}, "heart", "The cardiac silhouette is normal in size."),
     ({"heart", "mediast"}, "heart", "Cardiomediastinal silhouette is within normal limits."),
     ({"heart"}, "heart", "Normal heart size.")],
    [({"mediast"}, "heart", "Mediastinal and hilar contours are unremarkable."),
     ({"mediast"}, "heart", "The mediastinum is not widened."), ({"mediast"}, "heart", "Normal hilar contours.")],
    [({"bones"}, "bones", "No acute osseous abnormality."), ({"bones"}, "bones", "Osseous structures are intact."),
     ({"bones"}, "bones", "Visualized bones are unremarkable.")],
]
NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary process.", "No acute cardiopulmonary disease.", "No active disease in the chest.",
    "No acute cardiopulmonary abnormality.", "Negative chest.", "No radiographic evidence of acute disease.",
    "No acute findings.",
]
PURE_NORMAL_IMPRESSIONS = ["Normal chest radiograph.", "Normal chest.", "Normal PA and lateral chest.",
                           "No acute cardiopulmonary process. Normal chest radiograph."]

ZONES = ["upper", "mid", "lower"]


def _item(kind: str, rng: random.Random, side: str) -> dict:
    """One affirmed finding: findings text, impression text, keys it contradicts, significance, side."""
    S = side.capitalize()
    n = rng.choice([6, 7, 8, 9, 10, 12, 14, 15, 18])
    zone = rng.choice(ZONES)
    lobe = rng.choice(["upper", "lower"])
    d = {"kind": kind, "side": side, "sig": False, "imp_optional": False, "organ": "lungs", "conf": set()}
    if kind == "hyperinflation":
        d.update(F=rng.choice(["The lungs are hyperinflated with flattening of the hemidiaphragms.",
                               "Hyperexpanded lungs with flattened diaphragms and increased retrosternal airspace.",
                               "Lungs are hyperinflated, consistent with known COPD."]),
                 I=rng.choice(["Hyperinflation consistent with COPD.", "Changes of COPD.",
                               "Hyperinflated lungs compatible with obstructive airways disease."]),
                 imp_optional=True, side="")
    elif kind == "emphysema":
        d.update(F=rng.choice(["Emphysematous changes, most pronounced in the upper lobes.",
                               "Upper lobe predominant lucency and attenuation of vascular markings consistent "
                               "with emphysema."]),
                 I=rng.choice(["Emphysema.", "Emphysema without acute superimposed process."]), side="")
    elif kind == "granuloma":
        d.update(F=rng.choice([f"Calcified granuloma in the {side} {zone} lung.",
                               f"Small calcified granuloma projects over the {side} {zone} lung zone.",
                               f"Punctate calcified nodule in the {side} {zone} lung, consistent with an old "
                               "granuloma."]),
                 I=rng.choice(["Old granulomatous disease.", f"Calcified {side} {zone} lung granuloma."]),
                 imp_optional=True, conf={"clear"})
    elif kind == "ild_stable":
        d.update(F=rng.choice(["Bibasilar reticular interstitial opacities, unchanged from prior.",
                               "Stable coarse reticular markings at both lung bases with mild volume loss.",
                               "Chronic bibasilar interstitial changes are stable."]),
                 I=rng.choice(["Stable bibasilar interstitial fibrotic changes consistent with known ILD.",
                               "Stable chronic interstitial lung disease. No acute process."]),
                 conf={"clear"}, side="")
    elif kind == "scar":
        d.update(F=rng.choice([f"Linear scarring at the {side} lung base.",
                               f"Minimal {side} apical pleural-parenchymal scarring.",
                               f"Linear subsegmental scarring in the {side} {zone} lung, unchanged."]),
                 I=f"Chronic {side} lung scarring.", imp_optional=True)
    elif kind == "degenerative":
        d.update(F=rng.choice(["Degenerative changes of the thoracic spine.",
                               "Mild multilevel degenerative disc disease of the thoracic spine.",
                               "Thoracic spondylosis."]),
                 I="Degenerative thoracic spine.", imp_optional=True, organ="bones", side="")
    elif kind == "aorta":
        d.update(F=rng.choice(["Atherosclerotic calcification of the aortic arch.", "The thoracic aorta is tortuous.",
                               "Aortic atherosclerosis."]),
                 I="Aortic atherosclerosis.", imp_optional=True, organ="heart", side="")
    elif kind == "mild_cm":
        d.update(F=rng.choice(["The heart is mildly enlarged, unchanged.", "Mild cardiomegaly, stable from prior.",
                               "Cardiac silhouette is borderline enlarged, similar to prior."]),
                 I=rng.choice(["Stable mild cardiomegaly.", "Stable borderline cardiomegaly."]),
                 imp_optional=True, organ="heart", conf={"heart"}, side="")
    elif kind == "small_nodule":
        m = rng.choice([3, 4, 5])
        d.update(F=f"Stable {m} mm nodule in the {side} {lobe} lobe, unchanged since {_date(rng)}.",
                 I=f"Stable {m} mm {side} {lobe} lobe nodule.", conf={"nodule", "clear"})
    elif kind == "old_rib":
        d.update(F=rng.choice([f"Old healed {side} rib fractures.", f"Remote healed fracture of the {side} "
                               f"{rng.choice(['fifth', 'sixth', 'seventh'])} rib."]),
                 I="Old healed rib fractures.", imp_optional=True, organ="bones")
    elif kind == "bronchial":
        d.update(F=rng.choice(["Mild peribronchial thickening.", "Mild central bronchial wall thickening."]),
                 I=rng.choice(["Mild bronchial wall thickening, which can be seen with asthma or bronchitis.",
                               "Mild peribronchial thickening, may reflect reactive airways disease."]),
                 conf={"clear"}, side="")
    elif kind == "trace_eff":
        d.update(F=rng.choice([f"Trace {side} pleural effusion.", f"Blunting of the {side} costophrenic angle, likely "
                               "a trace effusion or pleural thickening, unchanged."]),
                 I=rng.choice([f"Trace {side} pleural effusion.",
                               f"Stable blunting of the {side} costophrenic angle."]),
                 imp_optional=True, organ="pleura", conf={"effusion"})
    # significant ones
    elif kind == "pneumonia":
        d.update(F=rng.choice([f"Patchy airspace consolidation in the {side} lower lobe.",
                               f"There is a focal consolidation in the {side} {lobe} lobe.",
                               f"New airspace opacity in the {side} lung base, compatible with pneumonia."]),
                 I=rng.choice([f"{S} lower lobe pneumonia.", f"{S} basilar consolidation concerning for pneumonia.",
                               f"Findings consistent with {side}-sided pneumonia. Recommend follow-up radiograph "
                               "after treatment."]),
                 sig=True, conf={"clear", "consolidation"})
        if "lobe" in d["F"] and "upper" in d["F"]:
            d["I"] = f"{S} upper lobe consolidation concerning for pneumonia."
    elif kind == "nodule":
        art = "an" if n in (8, 18) else "a"
        d.update(F=rng.choice([f"There is {art} {n} mm nodule in the {side} {lobe} lobe, new since prior.",
                               f"A {n} mm nodular opacity projects over the {side} {zone} lung.",
                               f"{n} mm {side} {lobe} lobe pulmonary nodule, increased from prior."]),
                 I=f"{n} mm {side} lung nodule. Recommend CT chest for further evaluation.",
                 sig=True, conf={"clear", "nodule"})
    elif kind == "effusion":
        g = rng.choice(["moderate", "moderate", "large"])
        d.update(F=rng.choice([f"{g.capitalize()} {side} pleural effusion.",
                               f"There is a {g} {side} pleural effusion with adjacent compressive atelectasis."]),
                 I=f"{g.capitalize()} {side} pleural effusion.", sig=True, organ="pleura", conf={"effusion"})
    elif kind == "ptx":
        d.update(F=rng.choice([f"Small {side} apical pneumothorax.",
                               f"There is a small {side} pneumothorax, measuring about 1 cm at the apex."]),
                 I=f"Small {side} apical pneumothorax.", sig=True, organ="pleura", conf={"ptx"})
    elif kind == "edema":
        d.update(F=rng.choice(["Interstitial edema with vascular congestion and Kerley B lines.",
                               "Pulmonary vascular congestion with mild interstitial edema."]),
                 I=rng.choice(["Mild interstitial pulmonary edema.", "Vascular congestion and mild edema."]),
                 sig=True, conf={"clear", "edema"}, side="")
    elif kind == "mass":
        c = rng.choice(["3.1", "3.5", "4.2", "5.0"])
        d.update(F=rng.choice([f"There is a {c} cm mass in the {side} {lobe} lobe.",
                               f"{c} cm {side} perihilar mass."]),
                 I=f"{c} cm {side} lung mass, suspicious for neoplasm. CT chest recommended.",
                 sig=True, conf={"clear", "nodule", "mediast"})
    elif kind == "ild_worse":
        d.update(F="Increased bibasilar reticular opacities compared with prior.",
                 I="Progression of bibasilar interstitial lung disease.", sig=True, conf={"clear"}, side="")
    else:  # pragma: no cover
        raise ValueError(kind)
    return d


CHRONIC_KINDS = ["hyperinflation", "hyperinflation", "emphysema", "granuloma", "granuloma", "ild_stable", "scar",
                 "degenerative", "degenerative", "aorta", "mild_cm", "small_nodule", "old_rib", "bronchial",
                 "trace_eff"]
SIG_KINDS = ["pneumonia", "pneumonia", "nodule", "nodule", "effusion", "ptx", "edema", "mass", "ild_worse"]
SIDED = {"granuloma", "scar", "small_nodule", "old_rib", "trace_eff", "pneumonia", "nodule", "effusion", "ptx",
         "mass"}


def _compose(rng: random.Random, profile: str, force: list | None = None) -> dict:
    """A composed case.  profile: normal | chronic | sig."""
    items = []
    kinds = list(force or [])
    if not force:
        if profile == "chronic":
            kinds = rng.sample(CHRONIC_KINDS, rng.choice([1, 1, 2]))
        elif profile == "sig":
            kinds = [rng.choice(SIG_KINDS)] + (rng.sample(CHRONIC_KINDS, 1) if rng.random() < 0.4 else [])
    clash = {"ild_worse": "ild_stable", "effusion": "trace_eff", "ptx": "trace_eff", "nodule": "small_nodule",
             "mass": "small_nodule"}
    seen = set()
    for k in kinds:
        if k in seen or any(clash.get(o) == k for o in kinds):
            continue
        seen.add(k)
        items.append(_item(k, rng, rng.choice(["right", "left"])))
    conf = set().union(*[it["conf"] for it in items]) if items else set()
    normals = []
    for group in NORMALS:
        opts = [o for o in group if not (o[0] & conf)]
        if opts and rng.random() < 0.85:
            normals.append(rng.choice(opts))
    # de-duplicate keys a little: drop ptx-only if already covered
    covered: set = set()
    kept = []
    for keys, organ, text in normals:
        if keys <= covered:
            continue
        covered |= keys
        kept.append((keys, organ, text))
    hist = rng.choice(HISTORIES)
    has_ild = any(it["kind"].startswith("ild") for it in items)
    while (not has_ild and re.search(r"fibrosis|interstitial", hist, re.I)) or (
            not items and re.search(r"nodule|sarcoid|bronchiectasis|pneumonia", hist, re.I)):
        hist = rng.choice(HISTORIES)
    if any(it["kind"] == "small_nodule" for it in items) or any(it["kind"] == "nodule" for it in items):
        hist = rng.choice(["Pulmonary nodule follow-up.", "Follow-up of lung nodule.", hist])
    if any(it["kind"].startswith("ild") for it in items):
        hist = rng.choice(["Interstitial lung disease, follow-up.", "Pulmonary fibrosis on nintedanib.", hist])
    comp = rng.choice(COMPARISONS).format(d=_date(rng), d2=_date(rng))
    return {"items": items, "normals": kept, "history": hist, "comparison": comp, "profile": profile}


def _case_impression(rng: random.Random, case: dict) -> list:
    lines = []
    for it in case["items"]:
        if it["sig"] or not it["imp_optional"] or rng.random() < 0.5:
            lines.append(it["I"])
    if not any(it["sig"] for it in case["items"]):
        if not case["items"]:
            lines = [rng.choice(NORMAL_IMPRESSIONS + PURE_NORMAL_IMPRESSIONS)]
        elif rng.random() < 0.7 or not lines:
            lines.insert(0, rng.choice(NORMAL_IMPRESSIONS))
    return lines


def _render(rng: random.Random, hist: str, comp: str, findings: list | str, impression: list | str,
            style: dict, *, drop_imp_header: bool = False, drop_find_header: bool = False) -> str:
    """findings: list of (organ, sentence) or a string; impression: list of lines or string."""
    out = [style["exam"], ""]
    out += [f"{style['hist_label']}: {hist}", ""]
    out += [f"COMPARISON: {comp}", ""]
    if style["technique"]:
        out += [f"TECHNIQUE: {style['technique']}", ""]
    if isinstance(findings, str):
        ftxt = findings
    elif style["structured"] and findings:
        groups = {"lungs": [], "pleura": [], "heart": [], "bones": []}
        for organ, s in findings:
            groups[organ].append(s)
        names = {"lungs": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum", "bones": "Bones"}
        ftxt = "\n".join(f"{names[o]}: {' '.join(v) if v else 'Unremarkable.'}" for o, v in groups.items())
    else:
        ftxt = " ".join(s for _, s in findings)
    if not drop_find_header:
        out += ["FINDINGS:" + ("\n" if style["newline"] else " ") + ftxt if ftxt else "FINDINGS:", ""]
    if isinstance(impression, str):
        itxt = impression
    elif len(impression) > 1 and style["numbered"]:
        itxt = "\n".join(f"{i}. {s}" for i, s in enumerate(impression, 1))
    else:
        itxt = " ".join(impression)
    if not drop_imp_header:
        out += [f"{style['imp_label']}:" + (("\n" if style["newline"] else " ") + itxt if itxt else ""), ""]
    sign = style["sign"]
    if sign:
        out.append(sign)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def _style(rng: random.Random) -> dict:
    return {
        "exam": rng.choice(EXAM_LINES),
        "hist_label": rng.choice(HIST_LABELS),
        "technique": rng.choice(TECHNIQUE) if rng.random() < 0.6 else "",
        "structured": rng.random() < 0.25,
        "newline": rng.random() < 0.5,
        "numbered": rng.random() < 0.6,
        "imp_label": rng.choice(IMP_LABELS),
        "sign": _signoff(rng),
    }


def _findings_list(rng: random.Random, case: dict) -> list:
    lst = [(o, t) for _, o, t in case["normals"]]
    for it in case["items"]:
        pos = rng.randint(0, len(lst))
        lst.insert(pos, (it["organ"], it["F"]))
    order = {"lungs": 0, "pleura": 1, "heart": 2, "bones": 3}
    if rng.random() < 0.5:
        lst.sort(key=lambda x: order[x[0]])
    return lst


def composed_clean(rng: random.Random) -> dict:
    r = rng.random()
    profile = "normal" if r < 0.55 else ("chronic" if r < 0.85 else "sig")
    case = _compose(rng, profile)
    st = _style(rng)
    text = _render(rng, case["history"], case["comparison"], _findings_list(rng, case),
                   _case_impression(rng, case), st)
    return {"injected": None, "detail": f"composed clean ({profile})", "report": text}


def _flip(word: str) -> str:
    m = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
    return m.get(word, word)


def _flip_sides(text: str) -> str:
    return SIDE_RE.sub(lambda m: _flip(m.group(0)), text)


def composed_error(rng: random.Random, kind: str, variant: int) -> dict:
    st = _style(rng)
    if kind == "missing_section":
        prof = rng.choice(["normal", "normal", "chronic", "sig"])
        case = _compose(rng, prof)
        fl = _findings_list(rng, case)
        imp = _case_impression(rng, case)
        if variant % 4 == 3:
            # findings left empty; the impression does not describe the image
            vague = rng.choice(["No significant interval change.", "Unchanged from prior.", "See above.",
                                "Stable compared with prior exam.", "As above."])
            if vague in ("No significant interval change.", "Unchanged from prior.",
                         "Stable compared with prior exam."):
                case["comparison"] = f"Chest radiograph {_date(rng)}."
            text = _render(rng, case["history"], case["comparison"], "", vague, st,
                           drop_find_header=rng.random() < 0.3)
            return {"injected": kind, "detail": f"findings section left empty; impression only '{vague}'",
                    "report": text}
        drop = variant % 4 == 1
        text = _render(rng, case["history"], case["comparison"], fl, "", st, drop_imp_header=drop)
        return {"injected": kind, "detail": "impression " + ("section omitted" if drop else "header left empty")
                + f" ({prof} findings)", "report": text}
    if kind == "laterality_conflict":
        sided = ["granuloma", "small_nodule", "pneumonia", "nodule", "effusion", "ptx", "mass", "trace_eff",
                 "pneumonia", "nodule"]
        k = rng.choice(sided)
        if k in ("granuloma", "trace_eff"):
            case = _compose(rng, "chronic", [k])
            case["items"][0]["imp_optional"] = False
        else:
            case = _compose(rng, "sig" if k not in ("small_nodule",) else "chronic", [k])
        it = case["items"][0]
        while not (SIDE_RE.search(it["F"]) and SIDE_RE.search(it["I"])):
            it.update({x: y for x, y in _item(k, rng, it["side"]).items() if x in ("F", "I")})
        where = "impression" if variant % 3 else "findings"
        if where == "impression":
            it["I"] = _flip_sides(it["I"])
        else:
            it["F"] = _flip_sides(it["F"])
        text = _render(rng, case["history"], case["comparison"], _findings_list(rng, case),
                       _case_impression(rng, case), st)
        return {"injected": kind, "detail": f"{k}: side flipped in the {where} ({it['side']} in the other section)",
                "report": text}
    if kind == "negation_conflict":
        if variant % 2 == 0:
            # impression asserts what findings negate
            case = _compose(rng, rng.choice(["normal", "normal", "chronic"]))
            keys = set().union(*[k for k, _, _ in case["normals"]]) if case["normals"] else set()
            side = rng.choice(["right", "left"])
            opts = []
            if "effusion" in keys:
                opts.append((f"Small {side} pleural effusion.", "effusion"))
            if "ptx" in keys:
                opts.append((f"Small {side} apical pneumothorax.", "pneumothorax"))
            if "clear" in keys or "consolidation" in keys:
                opts.append((f"{side.capitalize()} lower lobe pneumonia.", "consolidation"))
            if "heart" in keys:
                opts.append(("Mild cardiomegaly.", "heart size"))
            if "edema" in keys:
                opts.append(("Mild pulmonary edema.", "edema"))
            if not opts:
                case["normals"].append(({"effusion"}, "pleura", "No pleural effusion."))
                opts.append((f"Small {side} pleural effusion.", "effusion"))
            sent, what = rng.choice(opts)
            imp = [sent] + ([rng.choice(["Otherwise no acute cardiopulmonary process.", "Otherwise unremarkable."])]
                            if rng.random() < 0.5 else [])
            text = _render(rng, case["history"], case["comparison"], _findings_list(rng, case), imp, st)
            return {"injected": kind, "detail": f"impression asserts {what}; findings negate it", "report": text}
        # impression negates what findings affirm (non-significant findings, so not an omission)
        k = rng.choice(["mild_cm", "trace_eff", "hyperinflation", "small_nodule"])
        case = _compose(rng, "chronic", [k])
        neg = {"mild_cm": ["Normal heart size. No acute cardiopulmonary process.", "Heart size is normal."],
               "trace_eff": ["No pleural effusion.", "No effusion or pneumothorax. No acute process."],
               "hyperinflation": ["Normal lung volumes. No acute cardiopulmonary disease.",
                                  "Lungs are normally inflated. No acute process."],
               "small_nodule": ["No pulmonary nodules identified.", "No acute process. No lung nodule seen."]}[k]
        text = _render(rng, case["history"], case["comparison"], _findings_list(rng, case), rng.choice(neg), st)
        return {"injected": kind, "detail": f"impression negates {k} affirmed in findings", "report": text}
    if kind == "impression_omits_finding":
        k = rng.choice(SIG_KINDS)
        case = _compose(rng, "sig", [k] + (rng.sample(CHRONIC_KINDS, 1) if rng.random() < 0.4 else []))
        chronic = [it for it in case["items"] if not it["sig"] and it["kind"] not in ("trace_eff", "mild_cm")]
        imp = [rng.choice(NORMAL_IMPRESSIONS + ["Stable chest.", "No acute cardiopulmonary process. Stable chest."])]
        if chronic and rng.random() < 0.6:
            imp.append(chronic[0]["I"])
        text = _render(rng, case["history"], case["comparison"], _findings_list(rng, case), imp, st)
        return {"injected": kind, "detail": f"findings affirm {k}; impression omits it", "report": text}
    if kind == "placeholder":
        prof = rng.choice(["normal", "normal", "chronic", "sig"])
        case = _compose(rng, prof)
        fl = _findings_list(rng, case)
        imp = _case_impression(rng, case)
        blank = rng.choice(["***", "[***]", "[ ]", "***", "[ ]"])
        site = variant % 6
        if site == 0:
            case["comparison"] = rng.choice([f"{blank}", f"Chest radiograph dated {blank}.", f"Prior from {blank}."])
            where = "comparison"
        elif site == 1:
            case["history"] = rng.choice([blank, f"{blank}. Referred by PCP.", f"COPD. {blank}"])
            where = "history"
        elif site == 2:
            idx = rng.randrange(len(fl))
            o, s = fl[idx]
            s2 = re.sub(r"\bnormal\b|\bclear\b|\bunremarkable\b|\bintact\b", blank, s, count=1)
            if s2 == s:
                s2 = s.rstrip(".") + f" {blank}."
            fl[idx] = (o, s2)
            where = "findings"
        elif site == 3:
            st["technique"] = rng.choice(["[PA/lateral] [upright/portable]", f"{blank} views of the chest.",
                                          "PA and lateral views of the chest. Dose: *** mGy."])
            where = "technique"
        elif site == 4:
            imp = list(imp)
            imp[-1] = imp[-1].rstrip(".") + "." + rng.choice([f" {blank}", " Follow-up in [ ] months.",
                                                                f" Recommend {blank}."])
            where = "impression"
        else:
            st["sign"] = rng.choice([f"Electronically signed by: {blank} on {_date(rng)}",
                                     f"Dictated by: {rng.choice(RADS)}\nSigned: {blank}"])
            where = "sign-off"
        text = _render(rng, case["history"], case["comparison"], fl, imp, st)
        return {"injected": kind, "detail": f"unfilled template field '{blank}' left in the {where}", "report": text}
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------------
# IU re-layout
# ----------------------------------------------------------------------------------------------------------------

REWORDS = [
    (r"\bNo acute cardiopulmonary abnormality\b", ["No acute cardiopulmonary process",
                                                     "No acute cardiopulmonary abnormality"]),
    (r"\bNo active disease\b", ["No active cardiopulmonary disease", "No active disease"]),
    (r"\bThe lungs are clear\b", ["The lungs are clear", "Lungs are clear"]),
    (r"\bThe heart is normal in size\b", ["Heart size is normal", "The heart is normal in size"]),
    (r"\bThere is no pneumothorax\b", ["No pneumothorax", "There is no pneumothorax"]),
    (r"\bx-XXXX\b", ["x-XXXX"]),
]


def _reword(rng: random.Random, text: str) -> str:
    for pat, opts in REWORDS:
        text = re.sub(pat, lambda m, o=opts: rng.choice(o), text)
    return text


def _iu_hist(rng: random.Random, r: dict) -> str:
    h = r["indication"] or rng.choice(["Dyspnea.", "Cough.", "COPD follow-up."])
    if rng.random() < 0.25:
        h = rng.choice(["Referred by PCP. ", "Outpatient pulmonary clinic. ", ""]) + h
    return h


def _iu_render(rng: random.Random, r: dict, findings: str, impression: str, st: dict, **kw) -> str:
    comp = r["comparison"] or "None."
    imp = impression
    sents = _sentences(imp)
    if len(sents) > 1 and re.match(r"^\d\.", imp) is None and st["numbered"] and rng.random() < 0.5:
        imp_lines = sents
    else:
        imp_lines = imp
    if isinstance(imp_lines, str):
        imp_val = imp_lines
    else:
        imp_val = imp_lines
    st = dict(st)
    st["structured"] = False
    return _render(rng, _iu_hist(rng, r), comp, findings, imp_val, st, **kw)


def iu_clean(rng: random.Random, r: dict) -> dict:
    st = _style(rng)
    f = _reword(rng, r["findings"])
    i = _reword(rng, r["impression"])
    return {"injected": None, "detail": f"IU {r['uid']} re-laid-out", "report": _iu_render(rng, r, f, i, st),
            "uid": r["uid"]}


NEG_TARGETS = [  # (regex in findings, impression assertion, what)
    (r"\bno (pleural )?effusions?\b|\b(no|without)\b[^.]*pleural effusion",
     "Small {side} pleural effusion.", "effusion"),
    (r"\b(no|without)\b[^.]*pneumothora", "Small {side} apical pneumothorax.", "pneumothorax"),
    (r"\blungs are clear|no focal (airspace )?(consolidation|opacity|infiltrate)|no (focal )?airspace disease",
     "{Side} lower lobe airspace disease, likely pneumonia.", "consolidation"),
    (r"(heart|cardiac)[^.]*(normal|within normal limits|unremarkable)",
     "Mild cardiomegaly.", "cardiomegaly"),
    (r"\bno (pulmonary )?edema|no (vascular )?congestion", "Mild interstitial pulmonary edema.", "edema"),
]
SIG_INSERTS = [  # (findings sentence, regex of findings sentences it contradicts, what)
    ("There is a new {n} mm nodule in the {side} upper lobe.", r"nodule|clear|mass", "nodule"),
    ("Focal consolidation in the {side} lower lobe.", r"consolidat|clear|airspace|infiltrat|opacit", "consolidation"),
    ("Moderate {side} pleural effusion.", r"effusion|costophrenic", "effusion"),
    ("Small {side} apical pneumothorax.", r"pneumothora", "pneumothorax"),
    ("Mild interstitial edema with cephalization of the pulmonary vessels.", r"edema|vascula|clear|congest",
     "edema"),
    ("Increased patchy airspace opacity at the {side} base compared with prior.",
     r"consolidat|clear|airspace|infiltrat|opacit", "new airspace opacity"),
]


def iu_error(rng: random.Random, kind: str, r: dict, variant: int) -> dict | None:
    st = _style(rng)
    f = _reword(rng, r["findings"])
    i = _reword(rng, r["impression"])
    side = rng.choice(["right", "left"])
    base = {"injected": kind, "uid": r["uid"]}
    if kind == "missing_section":
        drop = variant % 3 == 1
        text = _iu_render(rng, r, f, "", st, drop_imp_header=drop)
        return base | {"detail": f"IU {r['uid']}: impression " + ("omitted" if drop else "left empty"),
                       "report": text}
    if kind == "laterality_conflict":
        where = "impression" if variant % 2 == 0 else "findings"
        src = i if where == "impression" else f
        ss = _sentences(src)
        idx = [k for k, s in enumerate(ss) if SIDE_RE.search(s) and not re.search(r"middle lobe|lingula", s, re.I)]
        if not idx:
            return None
        k = idx[0]
        ss[k] = _flip_sides(ss[k])
        new = " ".join(ss)
        if where == "impression":
            i = new
        else:
            f = new
        return base | {"detail": f"IU {r['uid']}: side flipped in {where} sentence '{ss[k]}'",
                       "report": _iu_render(rng, r, f, i, st)}
    if kind == "negation_conflict":
        opts = [(a, w) for pat, a, w in NEG_TARGETS if re.search(pat, f, re.I)]
        if re.search(r"upper limits?|borderline|top normal|large|significant|mild|minimal|small|trace", f, re.I):
            return None  # hedged negations ("no large effusion", "upper limits of normal") are not clean targets
        if not opts:
            return None
        a, w = rng.choice(opts)
        a = a.format(side=side, Side=side.capitalize())
        i2 = a if rng.random() < 0.5 else a + " " + rng.choice(["Otherwise no acute process.", "Otherwise negative."])
        return base | {"detail": f"IU {r['uid']}: impression asserts {w}, findings negate it",
                       "report": _iu_render(rng, r, f, i2, st)}
    if kind == "impression_omits_finding":
        sent, contra, w = SIG_INSERTS[variant % len(SIG_INSERTS)]
        sent = sent.format(n=rng.choice([7, 9, 10, 12, 13]), side=side)
        ss = [s for s in _sentences(f) if not re.search(contra, s, re.I)]
        ss.insert(rng.randint(0, len(ss)), sent)
        if not re.search(r"\bnormal\b|no acute|no active|negative|unremarkable|clear", i, re.I):
            i = rng.choice(NORMAL_IMPRESSIONS)
        if re.search(contra, i, re.I):
            i = rng.choice(NORMAL_IMPRESSIONS)
        return base | {"detail": f"IU {r['uid']}: '{sent}' added to findings; impression left normal",
                       "report": _iu_render(rng, r, " ".join(ss), i, st)}
    if kind == "placeholder":
        blank = rng.choice(["***", "[***]", "[ ]", "***"])
        site = variant % 4
        if site == 0:
            r2 = dict(r, comparison=rng.choice([blank, f"Chest radiograph {blank}.", f"{blank} (prior study)."]))
            return base | {"detail": f"IU {r['uid']}: comparison left as '{blank}'",
                           "report": _iu_render(rng, r2, f, i, st)}
        if site == 1:
            ss = _sentences(f)
            cands = [k for k, s in enumerate(ss) if re.search(r"\b(normal|clear|unremarkable|intact|stable)\b", s)]
            if not cands:
                return None
            k = rng.choice(cands)
            ss[k] = re.sub(r"\b(normal|clear|unremarkable|intact|stable)\b", blank, ss[k], count=1)
            return base | {"detail": f"IU {r['uid']}: one findings word replaced by '{blank}'",
                           "report": _iu_render(rng, r, " ".join(ss), i, st)}
        if site == 2:
            st["technique"] = rng.choice([f"{blank} views of the chest.", "[PA/AP] and lateral views of the chest."])
            return base | {"detail": f"IU {r['uid']}: technique field left unfilled",
                           "report": _iu_render(rng, r, f, i, st)}
        i2 = i.rstrip(".") + "." + rng.choice([f" {blank}", " Follow-up in *** months.", f" Recommend {blank}."])
        return base | {"detail": f"IU {r['uid']}: unfilled field appended to impression",
                       "report": _iu_render(rng, r, f, i2, st)}
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------------------------


def build(seed: int) -> list:
    shared = str(shared_dir())
    rng = random.Random(f"h118-{seed}")
    pools = _pools(shared)
    used: set = set()

    def take(pool: list, n: int, pred=None) -> list:
        cands = [r for r in pool if r["uid"] not in used and (pred is None or pred(r))]
        picked = rng.sample(cands, n)
        used.update(r["uid"] for r in picked)
        return picked

    rows: list = []
    half_c = N_CLEAN // 2
    for _ in range(half_c):
        rows.append(composed_clean(rng))
    n_chronic = 25
    for r in take(pools["normal"], half_c - n_chronic):
        rows.append(iu_clean(rng, r))
    for r in take(pools["chronic"], n_chronic):
        rows.append(iu_clean(rng, r))
    half_k = N_KIND // 2
    for kind in KINDS:
        for v in range(half_k):
            rows.append(composed_error(rng, kind, v))
        pool = pools["later"] if kind == "laterality_conflict" else pools["normal"]
        if kind == "missing_section":
            pool = pools["normal"] + pools["chronic"] + pools["later"]
            pool = sorted({r["uid"]: r for r in pool}.values(), key=lambda r: int(r["uid"][3:]))
        got = 0
        v = 0
        cands = [r for r in pool if r["uid"] not in used]
        rng.shuffle(cands)
        for r in cands:
            if got >= half_k:
                break
            row = iu_error(rng, kind, r, v)
            if row is None:
                continue
            used.add(r["uid"])
            rows.append(row)
            got += 1
            v += 1
        if got < half_k:
            raise RuntimeError(f"not enough IU reports for {kind}")
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h118-{seed}-{n}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
    return out


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"=== {row['id']} {kind} :: {row['detail']}\n{row['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
