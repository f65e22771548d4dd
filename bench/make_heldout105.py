"""Held-out report-check set 105, written blind.

Setting: cardiothoracic surgery units in UK and US hospitals -- pre-operative chest films
before cardiac surgery, post-operative day 1-5 films after CABG and valve surgery on the
cardiothoracic ward and step-down unit (lines, drains and epicardial pacing wires, then
their removal), and outpatient follow-up films at six weeks -- reported by consultant
(UK) and attending (US) radiologists in their own headers, spellings and sign-off lines.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder).  Half of each group is composed
from a phrase bank written for this setting; half are real IU reports (never one whose uid
is in the dev set) re-laid-out and lightly re-worded in the setting's style.

    python -m bench.make_heldout105 OUT.jsonl --seed S [--show N]

Standard library only; deterministic for a seed.
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def dev_uids(shared: Path | None = None) -> set[str]:
    shared = shared or shared_dir()
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: list[dict] | None = None


def load_iu(shared: Path | None = None) -> list[dict]:
    """All IU reports with findings and impression, sorted by uid number (one pass)."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    shared = shared or shared_dir()
    rows = []
    path = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = re.search(r'<uId id="([^"]+)"', x)
            if not mu:
                continue
            sec = {}
            for lab, txt in re.findall(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', x, re.S):
                sec[lab.upper()] = " ".join(html.unescape(txt).split())
            rows.append({
                "uid": mu.group(1),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = rows
    return rows


# ---------------------------------------------------------------------------
# text helpers

UK_SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bedematous\b", "oedematous"),
    (r"\bhemorrhage\b", "haemorrhage"), (r"\bhemothorax\b", "haemothorax"),
    (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"), (r"\bcenter\b", "centre"),
    (r"\bhilum\b", "hilum"), (r"\bmeters\b", "metres"), (r"\bcentimeter", "centimetre"),
    (r"\bhemidiaphragm", "hemidiaphragm"), (r"\bfavor\b", "favour"), (r"\bfavored\b", "favoured"),
]


def uk(text: str) -> str:
    for a, b in UK_SPELL:
        text = re.sub(a, b, text)
    return text


def sentences(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


NEG = re.compile(r"\b(no|not|without|negative|resolved|resolution|removed|free|clear|cleared|"
                 r"nor|absent|normal|unremarkable|interval removal)\b", re.I)
HEDGE = re.compile(r"(\bmay\b|possib|cannot|question|\?|suggest|could|versus|\bvs\b|likely|probab|"
                   r"concern|stable|unchanged|chronic|\bold\b|healed|scar|resolv|improv|"
                   r"atelecta|granulom|small|trace|tiny|minimal|mild|subsegmental|calcif)", re.I)
SIG_GROUPS = {
    "pneumothorax": ["pneumothora"],
    "consolidation": ["consolidat", "airspace", "air space", "pneumonia", "infiltrat"],
    "edema": ["edema", "congest", "heart failure", "chf"],
    "effusion": ["effusion"],
    "mass": [" mass"],
}
SMALL = re.compile(r"\b(small|trace|tiny|minimal|minor|blunting|thickening)\b", re.I)


def _group_hits(sent: str) -> list[str]:
    low = " " + sent.lower()
    return [g for g, stems in SIG_GROUPS.items() if any(s in low for s in stems)]


def _mentions(text: str, group: str) -> bool:
    low = " " + text.lower()
    return any(s in low for s in SIG_GROUPS[group])


def _sides(text: str) -> set[str]:
    return set(w.lower() for w in re.findall(r"\b(left|right)\b", text, re.I))


def real_ok_clean(r: dict) -> bool:
    """True when a real report looks complete and self-consistent enough to sign."""
    f, imp = r["findings"], r["impression"]
    if not f or not imp or len(f) > 900 or len(imp) > 400:
        return False
    if any(ch in f + imp + r["indication"] + r["comparison"] for ch in "[]<>{}*_"):
        return False
    fs, ims = sentences(f), sentences(imp)
    for s in fs:
        if NEG.search(s):
            continue
        low = s.lower()
        if re.search(r"\bnew\b|increas|widen|enlarging|worsen", low):
            return False
        for g in _group_hits(s):
            if g == "effusion" and SMALL.search(s):
                continue
            if not _mentions(imp, g):
                return False
            for t in ims:
                if _mentions(t, g) and NEG.search(t):
                    return False
    for t in ims:
        if NEG.search(t):
            continue
        for g in _group_hits(t):
            for s in fs:
                if _mentions(s, g) and NEG.search(s):
                    return False
            if g in ("consolidation", "edema") and re.search(r"lungs are clear|clear lungs", f, re.I):
                return False
        if re.search(r"cardiomegaly|enlarged heart|heart is enlarged", t, re.I) and re.search(
                r"heart size (is )?normal|normal heart size|heart is normal", f, re.I):
            return False
    for term in ("cardiomegaly", "pneumothora", "effusion", "consolidat", "edema", "pneumonia", "infiltrat",
                 "atelecta", "nodul", "fracture", "granuloma", "opacit", "enlarged"):
        f_neg = any(term in s.lower() and NEG.search(s) for s in fs)
        f_aff = any(term in s.lower() and not NEG.search(s) for s in fs)
        i_neg = any(term in t.lower() and NEG.search(t) for t in ims)
        i_aff = any(term in t.lower() and not NEG.search(t) for t in ims)
        if (f_neg and i_aff and not f_aff) or (f_aff and i_neg and not i_aff):
            return False
    si, sf = _sides(imp), _sides(f)
    if si and not si <= sf:
        return False
    if "bilateral" not in (f + imp).lower() and si and sf and si != sf and len(sf) == 1:
        return False
    return True


# ---------------------------------------------------------------------------
# rendering in the setting's styles

UK_RADS = ["Dr A. Patel", "Dr R. Okonkwo", "Dr H. McAllister", "Dr S. Chaudhry", "Dr E. Lloyd-Jones",
           "Dr M. Fitzgerald", "Dr K. Sivakumar", "Dr J. Whitmore", "Dr C. Brennan", "Dr T. Adeyemi"]
US_RADS = ["Jonathan R. Miller, MD", "Priya Raman, MD", "David K. Chen, MD", "Laura S. Bennett, MD",
           "Michael A. Torres, MD", "Sarah O'Neill, MD", "Robert J. Kowalski, MD", "Angela Wu, MD",
           "Steven P. Grant, MD", "Rachel Goldberg, MD"]


def _date(rng: random.Random, style: str) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024, 2025])
    return f"{d:02d}/{m:02d}/{y}" if style == "uk" else f"{m:02d}/{d:02d}/{y}"


def signoff(rng: random.Random, style: str) -> str:
    if style == "uk":
        name = rng.choice(UK_RADS)
        gmc = rng.randint(3000000, 7999999)
        return rng.choice([
            f"Reported by: {name}, Consultant Cardiothoracic Radiologist (GMC {gmc})",
            f"{name}\nConsultant Radiologist\nVerified {_date(rng, style)} "
            f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}",
            f"Report authorised by {name}, Consultant Radiologist, on {_date(rng, style)}",
            f"Dictated and verified by {name}, Consultant Radiologist.",
        ])
    name = rng.choice(US_RADS)
    return rng.choice([
        f"Electronically signed by: {name} on {_date(rng, style)} {rng.randint(7, 19)}:{rng.randint(0, 59):02d}",
        f"Attending Radiologist: {name}\nSigned: {_date(rng, style)}",
        f"I have personally reviewed the images and agree with the report above.\n{name}, Attending Radiologist",
        f"Dictated by: {name}\nFinalized: {_date(rng, style)}",
    ])


def render(rng: random.Random, style: str, parts: dict) -> str:
    """parts: exam, history, comparison, technique, findings (str or None), impression (str or None).

    A value of None drops the section; an empty string keeps an empty header.
    """
    layout = rng.randrange(3)
    out = []
    if style == "uk":
        hx_h = ["Clinical details:", "Clinical information:", "CLINICAL DETAILS:"][layout]
        cmp_h = ["Comparison:", "Previous:", "COMPARISON:"][layout]
        f_h = ["Findings:", "Report:", "FINDINGS:"][layout]
        i_h = rng.choice(["Conclusion:", "Opinion:", "Comment:", "CONCLUSION:", "Impression:"])
        tech_h = "Technique:"
    else:
        hx_h = ["HISTORY:", "CLINICAL INDICATION:", "INDICATION:"][layout]
        cmp_h = "COMPARISON:"
        f_h = "FINDINGS:"
        i_h = rng.choice(["IMPRESSION:", "IMPRESSION:", "CONCLUSION:"])
        tech_h = "TECHNIQUE:"
    if parts.get("exam"):
        out.append(("EXAM: " if style == "us" and rng.random() < 0.6 else "") + parts["exam"])
    if parts.get("history"):
        out.append(f"{hx_h} {parts['history']}")
    if parts.get("comparison"):
        out.append(f"{cmp_h} {parts['comparison']}")
    if parts.get("technique") and (style == "us" or rng.random() < 0.3):
        out.append(f"{tech_h} {parts['technique']}")
    sep_inline = rng.random() < 0.5
    for head, key in ((f_h, "findings"), (i_h, "impression")):
        val = parts.get(key)
        if val is None:
            continue
        if val == "":
            out.append(head)
        elif sep_inline:
            out.append(f"{head} {val}")
        else:
            out.append(f"{head}\n{val}")
    out.append(signoff(rng, style))
    text = "\n\n".join(out)
    return uk(text) if style == "uk" else text


def format_impression(rng: random.Random, items: list[str], style: str) -> str:
    if len(items) > 1 and (style == "us" and rng.random() < 0.6 or rng.random() < 0.2):
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(items))
    return " ".join(items)


# ---------------------------------------------------------------------------
# phrase bank

def _cap(s: str) -> str:
    return s[0].upper() + s[1:] if s else s


def _sub(text: str, side: str | None, n: int) -> str:
    if side:
        text = text.replace("{S}", side.capitalize()).replace("{s}", side)
    return text.replace("{n}", str(n))


# item: key, group (for negation), lateral?, significant?, findings variants, impression variants
ITEMS = {
    # lines and hardware
    "ett": (None, False, False, ["Endotracheal tube tip {n} cm above the carina.",
                                  "ET tube in satisfactory position, tip {n} cm above the carina."],
            ["ET tube satisfactory."], (3, 6)),
    "cvc": (None, True, False, ["{S} internal jugular central venous catheter, tip in the SVC.",
                                "{S} IJ central line with its tip at the cavoatrial junction.",
                                "{S} internal jugular line tip projects over the lower SVC."],
            ["{S} IJ line satisfactory.", "{S} internal jugular line in a satisfactory position."], (0, 0)),
    "pac": (None, False, False, ["Swan-Ganz catheter tip in the proximal right pulmonary artery.",
                                 "Pulmonary artery catheter with tip in the right main pulmonary artery."],
            ["Swan-Ganz catheter in satisfactory position."], (0, 0)),
    "ngt": (None, False, False, ["NG tube passes below the diaphragm, tip in the stomach.",
                                 "Nasogastric tube tip is below the left hemidiaphragm."],
            ["NG tube satisfactory."], (0, 0)),
    "mdrain": (None, False, False, ["Mediastinal drain in situ.", "Mediastinal and pericardial drains in situ."],
               [], (0, 0)),
    "pdrain": ("ptx", True, False, ["{S} pleural drain in situ.", "{S} chest drain in place."],
               ["{S} chest drain in situ."], (0, 0)),
    "pacing": (None, False, False, ["Epicardial pacing wires are noted.", "Temporary epicardial pacing wires in situ."],
               [], (0, 0)),
    # findings
    "atel": ("lungs", True, False, ["{S} basal atelectasis.", "Linear atelectasis at the {s} base.",
                                    "Patchy {s} basal atelectasis, as expected after surgery.",
                                    "Plate atelectasis in the {s} lower zone."],
             ["{S} basal atelectasis.", "Minor {s} basal atelectasis."], (0, 0)),
    "biatel": ("lungs", False, False, ["Bibasal atelectasis.", "Mild bibasilar subsegmental atelectasis."],
               ["Bibasal atelectasis.", "Mild bibasilar atelectasis."], (0, 0)),
    "smalleff": ("eff", True, False, ["Small {s} pleural effusion.",
                                      "Blunting of the {s} costophrenic angle in keeping with a small effusion.",
                                      "Small {s} effusion, similar to the previous film."],
                 ["Small {s} pleural effusion.", "Small {s} effusion."], (0, 0)),
    "modeff": ("eff", True, True, ["Moderate {s} pleural effusion, increased since the previous film.",
                                   "The {s} pleural effusion has increased and is now moderate in size.",
                                   "Moderate-sized {s} pleural effusion with adjacent basal collapse."],
               ["Moderate {s} pleural effusion, increased.", "Enlarging {s} pleural effusion, now moderate.",
                "Moderate {s} pleural effusion."],
               (0, 0)),
    "ptx": ("ptx", True, True, ["Small {s} apical pneumothorax, {n} mm at the apex.",
                                "There is a small {s} apical pneumothorax.",
                                "New shallow {s} pneumothorax following drain removal, {n} mm apical depth."],
            ["Small {s} apical pneumothorax.", "Small {s} pneumothorax following drain removal."], (5, 15)),
    "edema": ("edema", False, True, ["Upper lobe venous diversion with interstitial edema and septal lines.",
                                     "Pulmonary venous congestion with mild interstitial edema.",
                                     "Increased interstitial markings and Kerley B lines, in keeping with edema."],
              ["Pulmonary venous congestion / interstitial edema.", "Features of fluid overload."], (0, 0)),
    "consol": ("consol", True, True, ["New {s} lower lobe consolidation.",
                                      "Airspace consolidation in the {s} lower zone, new since the previous film.",
                                      "Dense {s} basal consolidation with air bronchograms."],
               ["{S} lower lobe consolidation, in keeping with infection in this clinical setting.",
                "New {s} basal consolidation."], (0, 0)),
    "sce": (None, True, False, ["Small volume of subcutaneous emphysema in the {s} chest wall.",
                                "A little surgical emphysema in the {s} lateral chest wall."],
            ["Minor {s} chest wall surgical emphysema."], (0, 0)),
    "megaly": ("heart", False, False, ["Mild cardiomegaly.", "The heart is mildly enlarged, unchanged.",
                                       "Borderline cardiomegaly (CTR approximately 0.52)."],
               ["Mild cardiomegaly.", "Stable mild cardiomegaly."], (0, 0)),
    "aorta": (None, False, False, ["Unfolded thoracic aorta with calcification of the aortic knuckle.",
                                   "Atherosclerotic calcification of the aortic arch."],
              ["Aortic unfolding and calcification."], (0, 0)),
    "granuloma": (None, True, False, ["Small calcified granuloma in the {s} upper zone.",
                                      "Calcified granuloma projected over the {s} mid zone, unchanged."],
                  [], (0, 0)),
    "spine": (None, False, False, ["Degenerative changes in the thoracic spine.",
                                   "Mild degenerative change of the thoracic spine."], [], (0, 0)),
    "hyper": ("lungs", False, False, ["The lungs are hyperinflated, in keeping with COPD.",
                                      "Hyperexpanded lungs with flattened hemidiaphragms."],
              ["Hyperinflation consistent with COPD."], (0, 0)),
    "nodule": ("lungs", True, True, ["{n} mm rounded nodule in the {s} mid zone.",
                                     "A {n} mm pulmonary nodule projects over the {s} upper zone."],
               ["{n} mm {s} lung nodule. CT chest is recommended prior to surgery.",
                "Indeterminate {n} mm {s} nodule; suggest CT thorax."], (7, 14)),
    "blunt": ("eff", True, False, ["Minor blunting of the {s} costophrenic angle, likely residual pleural thickening.",
                                   "Trace residual {s} pleural effusion."],
              ["Minor residual {s} pleural change."], (0, 0)),
    "scar": ("lungs", True, False, ["Linear scarring at the {s} base.", "Band of scarring in the {s} lower zone."],
             [], (0, 0)),
}

HARDWARE = {
    "cabg": ["Median sternotomy wires and mediastinal surgical clips from recent CABG.",
             "Sternotomy wires and coronary bypass graft markers.",
             "Intact median sternotomy wires; surgical clips along the left heart border."],
    "avr": ["Median sternotomy wires and a prosthetic aortic valve.",
            "Sternotomy wires. Aortic valve replacement in situ."],
    "mvr": ["Median sternotomy wires and a mitral annuloplasty ring.",
            "Sternotomy wires; mitral annuloplasty ring in situ."],
}

NEGATIVES = {
    "ptx": ["No pneumothorax.", "There is no pneumothorax.", "No pneumothorax is seen."],
    "eff": ["No pleural effusion.", "Costophrenic angles are clear.", "No significant pleural effusion."],
    "consol": ["No focal consolidation.", "No airspace consolidation.", "No consolidation."],
    "edema": ["No pulmonary edema.", "Pulmonary vasculature is normal.", "No features of cardiac failure."],
    "heart": ["Heart size is normal.", "Cardiothoracic ratio is within normal limits.", "Normal heart size."],
    "lungs": ["The lungs are clear.", "Clear lungs.", "Both lungs are clear."],
}

# affirmation used for a negation conflict against a negative sentence of the group
AFFIRM = {
    "ptx": ["Small {s} apical pneumothorax.", "Shallow {s} pneumothorax."],
    "eff": ["Small {s} pleural effusion.", "Moderate {s} pleural effusion."],
    "consol": ["{S} lower lobe consolidation.", "{S} basal consolidation, likely infective."],
    "edema": ["Mild interstitial pulmonary edema.", "Pulmonary venous congestion."],
    "heart": ["Cardiomegaly.", "Moderate cardiomegaly."],
    "lungs": ["{S} lower lobe consolidation.", "Patchy {s} basal airspace opacity in keeping with infection."],
}

# explicit negation of a group in the impression, against an affirmed finding
DENY = {
    "ptx": ["No pneumothorax.", "No pneumothorax following drain removal.", "No pneumothorax or effusion."],
    "eff": ["No pleural effusion.", "No pneumothorax or pleural effusion.", "Costophrenic angles clear."],
    "consol": ["No consolidation.", "Lungs clear.", "No focal consolidation or collapse."],
    "edema": ["No pulmonary edema.", "No evidence of cardiac failure.", "No pulmonary venous congestion."],
}

SCEN = {
    "preop": dict(
        exams={"uk": ["XR Chest PA", "CHEST X-RAY PA", "Chest radiograph (PA)"],
               "us": ["CHEST PA AND LATERAL", "XR CHEST 2 VIEWS", "CHEST 2V"]},
        tech={"uk": "PA erect.", "us": "PA and lateral views of the chest."},
        hist=["Pre-op CABG.", "Pre-operative assessment, severe aortic stenosis for AVR.",
              "Three-vessel coronary disease, listed for CABG.", "Pre-op mitral valve repair.",
              "Preoperative evaluation prior to CABG.", "Pre-admission clinic, for elective AVR.",
              "Severe MR, workup for surgery.", "NSTEMI, for inpatient CABG. Pre-op film."],
        normal_imp=["No acute cardiopulmonary abnormality.", "No active lung disease.",
                    "No acute cardiopulmonary process.", "No contraindication to surgery demonstrated."],
        pool=[("megaly", 0.18), ("aorta", 0.2), ("granuloma", 0.08), ("spine", 0.15), ("hyper", 0.08),
              ("scar", 0.05)],
        sig=["nodule", "edema", "modeff", "consol"],
        lat=["granuloma", "nodule", "smalleff", "scar", "consol"],
        negs=["ptx", "eff", "consol", "edema", "heart", "lungs"],
    ),
    "early": dict(
        exams={"uk": ["XR Chest AP (mobile)", "CXR PORTABLE AP", "Mobile chest radiograph"],
               "us": ["CHEST 1 VIEW PORTABLE", "XR CHEST PORTABLE AP", "PORTABLE CHEST"]},
        tech={"uk": "AP supine, mobile.", "us": "Single portable AP view."},
        hist=["Day 1 post CABG.", "POD 1 CABG x3, extubated.", "Post op day 2 AVR. Check lines.",
              "CABG yesterday, on CTICU.", "Day 2 post mitral valve repair, step down unit.",
              "Post CABG day 1. Lines and drains.", "Routine post-operative film, day 1 after AVR and CABG.",
              "Desaturating day 2 post CABG."],
        normal_imp=["Satisfactory post-operative appearances.", "Expected appearances following cardiac surgery.",
                    "Lines and tubes in satisfactory position.", "Post-operative changes as expected."],
        pool=[("cvc", 0.8), ("pac", 0.2), ("ett", 0.2), ("ngt", 0.2), ("mdrain", 0.7), ("pdrain", 0.5),
              ("pacing", 0.6), ("atel", 0.45), ("biatel", 0.15), ("smalleff", 0.25), ("sce", 0.12)],
        sig=["ptx", "edema", "modeff", "consol"],
        lat=["atel", "smalleff", "ptx", "pdrain", "cvc", "consol", "sce"],
        negs=["ptx", "eff", "consol", "edema"],
    ),
    "late": dict(
        exams={"uk": ["XR Chest PA", "CXR (PA erect)", "Chest X-ray, erect"],
               "us": ["CHEST PA AND LATERAL", "CHEST 2V", "XR CHEST 2 VIEWS"]},
        tech={"uk": "Erect PA.", "us": "PA and lateral views."},
        hist=["Post removal of chest drains.", "Day 4 post CABG, pacing wires removed today.",
              "Post drain removal, day 3 AVR.", "Step-down unit, day 5 post CABG, prior to discharge.",
              "Day 3 post CABG. Drains out. ?pneumothorax.", "Pre-discharge film, day 5 post mitral valve repair."],
        normal_imp=["Satisfactory post-operative appearances.", "No pneumothorax following drain removal.",
                    "Satisfactory appearances prior to discharge.", "Expected post-sternotomy appearances."],
        pool=[("atel", 0.45), ("biatel", 0.1), ("smalleff", 0.35), ("sce", 0.08), ("megaly", 0.1)],
        sig=["ptx", "modeff", "consol", "edema"],
        lat=["atel", "smalleff", "ptx", "consol"],
        negs=["ptx", "eff", "consol", "edema"],
    ),
    "fu": dict(
        exams={"uk": ["XR Chest PA", "CHEST X-RAY PA", "Outpatient chest radiograph"],
               "us": ["CHEST PA AND LATERAL", "XR CHEST 2 VIEWS", "CHEST 2V"]},
        tech={"uk": "PA erect.", "us": "PA and lateral views."},
        hist=["Six week follow-up post CABG.", "Cardiac surgery clinic, 6 weeks post AVR.",
              "6/52 post CABG, routine review.", "Follow-up 6 weeks post mitral valve repair, mild SOB.",
              "Outpatient review 6 weeks after CABG."],
        normal_imp=["Satisfactory appearances six weeks after sternotomy.", "No acute cardiopulmonary abnormality.",
                    "Stable post-surgical chest.", "Normal post-operative appearances."],
        pool=[("blunt", 0.3), ("scar", 0.15), ("megaly", 0.15), ("spine", 0.1), ("aorta", 0.1)],
        sig=["modeff", "consol", "edema", "nodule"],
        lat=["blunt", "scar", "modeff", "consol", "smalleff"],
        negs=["ptx", "eff", "consol", "edema", "heart"],
    ),
}


class Case:
    """A bank report as sentences with tags, so that errors can be injected precisely."""

    def __init__(self, rng: random.Random, style: str, scen: str):
        self.rng, self.style, self.scen = rng, style, scen
        sc = SCEN[scen]
        self.exam = rng.choice(sc["exams"][style])
        self.history = rng.choice(sc["hist"])
        self.technique = sc["tech"][style]
        if scen == "preop" and rng.random() < 0.5:
            self.comparison = "None."
        else:
            self.comparison = rng.choice([
                "Previous film of XXXX.", "Pre-operative film.", "Chest radiograph XXXX.",
                "Yesterday's film.", "Prior radiograph XXXX.", "Previous CXR dated XXXX."])
            if scen == "preop" and self.comparison in ("Yesterday's film.", "Pre-operative film."):
                self.comparison = "None available."
            if scen == "fu" and self.comparison == "Yesterday's film.":
                self.comparison = "Pre-discharge film XXXX."
        self.items: list[dict] = []  # dicts: key, side, n, f, i
        self.hardware = None
        if scen != "preop":
            h = self.history.lower()
            kind = "avr" if "avr" in h else ("mvr" if "mitral" in h else "cabg")
            self.hardware = rng.choice(HARDWARE[kind])

    def add(self, key: str, side: str | None = None, with_imp: bool | None = None) -> dict:
        group, lateral, sig, fv, iv, nr = ITEMS[key]
        rng = self.rng
        if lateral and side is None:
            if key in ("cvc",):
                side = "right" if rng.random() < 0.85 else "left"
            elif key in ("atel", "pdrain"):
                side = "left" if rng.random() < 0.75 else "right"
            else:
                side = rng.choice(["left", "right"])
        n = rng.randint(*nr) if nr[1] else 0
        if self.comparison.startswith("None"):
            stale = re.compile(r"\b(new|New|increas\w*|previous|unchanged|Enlarging|similar|Stable)\b")
            fv = [v for v in fv if not stale.search(v)] or fv
            iv = [v for v in iv if not stale.search(v)] or iv
        if self.scen != "late":
            fv = [v for v in fv if "drain removal" not in v] or fv
            iv = [v for v in iv if "drain removal" not in v] or iv
        if with_imp is None:
            with_imp = sig or (bool(iv) and rng.random() < 0.55)
        it = {"key": key, "group": group, "side": side if lateral else None, "sig": sig,
              "f": _sub(rng.choice(fv), side, n), "i": _sub(rng.choice(iv), side, n) if (iv and with_imp) else None}
        self.items.append(it)
        return it

    def has(self, key: str) -> bool:
        return any(it["key"] == key for it in self.items)

    def groups_affirmed(self) -> set:
        return {it["group"] for it in self.items if it["group"]} | (
            {"lungs"} if any(it["key"] in ("edema", "consol", "nodule") for it in self.items) else set())

    def fill(self, n_sig: int = 0, force: str | None = None):
        rng, sc = self.rng, SCEN[self.scen]
        for key, p in sc["pool"]:
            if rng.random() < p and not self._clash(key):
                self.add(key)
        for _ in range(n_sig):
            key = force or rng.choice(sc["sig"])
            force = None
            if not self.has(key) and not self._clash(key):
                self.add(key)
        return self

    def _clash(self, key: str) -> bool:
        group = ITEMS[key][0]
        if key in ("pac", "ett", "ngt") and self.scen == "early" and self.history.startswith("POD 1 CABG x3, ext"):
            return key == "ett"
        if group == "eff" and any(it["group"] == "eff" for it in self.items):
            return True
        if group == "lungs" and key in ("atel", "biatel") and any(it["key"] in ("atel", "biatel") for it in self.items):
            return True
        return self.has(key)

    def negatives(self, force: str | None = None) -> list[tuple[str, str]]:
        rng, sc = self.rng, SCEN[self.scen]
        aff = self.groups_affirmed()
        out = []
        lung_items = any(it["group"] == "lungs" or it["key"] in ("consol", "edema", "atel", "biatel")
                         for it in self.items)
        for g in sc["negs"]:
            if g in aff or (g == "heart" and self.has("megaly")):
                continue
            if g == "lungs" and lung_items:
                continue
            if g == force or rng.random() < 0.6:
                out.append((g, rng.choice(NEGATIVES[g])))
        if lung_items and rng.random() < 0.4:
            out.append(("", "The lungs are otherwise clear."))
        if force and force not in [g for g, _ in out]:
            out.append((force, rng.choice(NEGATIVES[force])))
        return out

    def findings_sentences(self, negs: list[tuple[str, str]]) -> list[str]:
        rng = self.rng
        hw = [it["f"] for it in self.items if it["key"] in ("ett", "cvc", "pac", "ngt", "mdrain", "pdrain", "pacing")]
        rest = [it["f"] for it in self.items if it["f"] not in hw]
        out = []
        if self.hardware:
            out.append(self.hardware)
        out += hw
        heart_neg = "heart" in [g for g, _ in negs]
        if self.scen == "preop" and not self.has("megaly") and rng.random() < 0.5 and not heart_neg:
            out.append(rng.choice(["Normal cardiomediastinal contours.", "Cardiomediastinal silhouette is normal."]))
        elif self.scen != "preop" and rng.random() < 0.5:
            out.append(rng.choice(["Cardiomediastinal contours are within expected post-operative limits.",
                                   "Cardiac silhouette unchanged in size.",
                                   "Mediastinal contour is unchanged from the post-operative baseline."]))
        out += rest
        out += [s for _, s in negs]
        if rng.random() < 0.3:
            out.append(rng.choice(["No acute bony abnormality.", "Bones are unremarkable.",
                                   "Sternotomy wires intact." if self.hardware else "No acute osseous abnormality."]))
        return out

    def impression_sentences(self) -> list[str]:
        rng = self.rng
        imp = [it["i"] for it in self.items if it["i"] and it["sig"]]
        minor = [it["i"] for it in self.items if it["i"] and not it["sig"]]
        if self.scen == "early" and any(it["key"] in ("ett", "cvc", "pac", "ngt") for it in self.items):
            if rng.random() < 0.5:
                minor = [m for m in minor if " line " not in m and "tube" not in m and "catheter" not in m]
                minor.insert(0, "Lines and tubes satisfactorily positioned.")
        if not imp:
            lead = rng.choice(SCEN[self.scen]["normal_imp"])
            if lead.startswith("Normal") and minor:
                lead = "No acute cardiopulmonary abnormality."
            if lead.startswith("No pneumothorax") and any(it["group"] == "ptx" and it["sig"] for it in self.items):
                lead = "Satisfactory post-operative appearances."
            return [lead] + minor
        return imp + minor


def bank_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    style = "uk" if rng.random() < 0.5 else "us"
    scen = rng.choices(["preop", "early", "late", "fu"], weights=[35, 30, 20, 15])[0]
    c = Case(rng, style, scen)
    detail = ""
    sc = SCEN[scen]
    if kind is None:
        n_sig = 1 if rng.random() < 0.2 else 0
        c.fill(n_sig)
        negs = c.negatives()
        fs, ims = c.findings_sentences(negs), c.impression_sentences()
        if rng.random() < 0.06 and len(fs) <= 5:
            # impression-only report whose impression describes the image
            return render(rng, style, dict(exam=c.exam, history=c.history, comparison=c.comparison,
                                            findings=None, impression=" ".join(fs))), "none (impression-only report)"
        return _emit(c, fs, ims), "none"
    if kind == "impression_omits_finding":
        c.fill(1)
        if not any(it["sig"] for it in c.items):
            c.add(rng.choice([k for k in sc["sig"] if not c._clash(k)]))
        sig = [it for it in c.items if it["sig"]]
        target = rng.choice(sig)
        for it in sig:
            it["i"] = None
        negs = c.negatives()
        fs = c.findings_sentences(negs)
        minor = [it["i"] for it in c.items if it["i"]]
        macro = rng.choice(["Satisfactory post-operative appearances.", "No acute cardiopulmonary abnormality.",
                            "Stable appearances.", "Expected post-operative appearances."]
                           + (["Lines and tubes in satisfactory position."] if scen == "early" else [])
                           if scen != "preop" else
                           ["No acute cardiopulmonary abnormality.", "No active disease.",
                            "Fit for surgery from a chest radiograph point of view.",
                            "No acute cardiopulmonary process."])
        ims = [macro] + (minor if rng.random() < 0.5 else [])
        detail = f"impression replaced by a normal macro; omits: {target['f']}"
        return _emit(c, fs, ims), detail
    if kind == "laterality_conflict":
        c.fill(0)
        cands = [it for it in c.items if it["side"] and it["i"]]
        if not cands or rng.random() < 0.6:
            key = rng.choice([k for k in sc["lat"] if not c._clash(k) and ITEMS[k][4]] or ["ptx"])
            c.add(key, with_imp=True)
            cands = [c.items[-1]]
        it = rng.choice(cands)
        old, new = it["side"], ("right" if it["side"] == "left" else "left")
        where = rng.choice(["impression", "findings"])
        if where == "impression":
            it["i"] = _flip(it["i"], old, new)
        else:
            it["f"] = _flip(it["f"], old, new)
        negs = c.negatives()
        fs, ims = c.findings_sentences(negs), c.impression_sentences()
        detail = f"side flipped {old}->{new} in the {where} for: {it['f'] if where == 'impression' else it['i']}"
        return _emit(c, fs, ims), detail
    if kind == "negation_conflict":
        c.fill(0)
        mode = rng.random()
        if mode < 0.5:
            # findings negate a group, impression affirms it
            cand = [g for g in sc["negs"] if g not in c.groups_affirmed() and not (g == "heart" and c.has("megaly"))]
            if any(it["group"] == "lungs" or it["key"] in ("atel", "biatel") for it in c.items):
                cand = [g for g in cand if g != "lungs"]
            g = rng.choice(cand or ["ptx"])
            if g == "ptx":
                c.items = [it for it in c.items if it["group"] != "ptx"]
            negs = c.negatives(force=g)
            fs = c.findings_sentences(negs)
            neg_s = [s for gg, s in negs if gg == g][0]
            side = rng.choice(["left", "right"])
            aff = _sub(rng.choice(AFFIRM[g]), side, 0)
            ims = c.impression_sentences()
            if rng.random() < 0.5:
                ims = [aff] + [s for s in ims if s not in SCEN[scen]["normal_imp"]]
            else:
                ims = ims + [aff]
            detail = f"findings say '{neg_s}' but impression asserts '{aff}'"
        else:
            # findings affirm, impression denies
            g = rng.choice(["ptx", "eff", "consol", "edema"])
            key = {"ptx": "ptx", "eff": rng.choice(["smalleff", "modeff"]), "consol": "consol", "edema": "edema"}[g]
            for it in list(c.items):
                if it["group"] == ITEMS[key][0]:
                    c.items.remove(it)
            it = c.add(key, with_imp=False)
            negs = c.negatives()
            fs = c.findings_sentences(negs)
            deny = rng.choice(DENY[g])
            others = [x["i"] for x in c.items if x["i"]]
            lead = rng.choice(SCEN[scen]["normal_imp"][:1] + ["No acute cardiopulmonary abnormality."])
            if deny == "Lungs clear.":
                others = [o for o in others if "atelectasis" not in o]
            ims = [lead, deny] + others if rng.random() < 0.5 else [deny] + others
            detail = f"findings affirm '{it['f']}' but impression says '{deny}'"
        return _emit(c, fs, ims), detail
    if kind == "missing_section":
        c.fill(1 if rng.random() < 0.25 else 0)
        negs = c.negatives()
        fs, ims = c.findings_sentences(negs), c.impression_sentences()
        r = rng.random()
        if r < 0.4:
            return _emit(c, fs, ims, imp_override=""), "impression header left empty"
        if r < 0.7:
            return _emit(c, fs, ims, imp_override=None), "impression section absent; report ends after findings"
        stub = rng.choice(["As above.", "See above.", "See findings.", "As described."])
        how = rng.choice(["", None])
        return (_emit(c, fs, [stub], find_override=how),
                f"findings {'header empty' if how == '' else 'section absent'}; impression only '{stub}'")
    if kind == "placeholder":
        c.fill(1 if rng.random() < 0.2 else 0)
        negs = c.negatives()
        fs, ims = c.findings_sentences(negs), c.impression_sentences()
        r = rng.random()
        lat = [i for i, s in enumerate(fs) if re.search(r"\b(left|right|Left|Right)\b", s)]
        num = [i for i, s in enumerate(fs) if re.search(r"\b\d+ (mm|cm)\b", s)]
        tok = rng.choice(["[***]", "***", "[ ]", "<<>>", "[side]", "[LEFT/RIGHT]", "{side}"])
        if r < 0.3 and lat:
            i = rng.choice(lat)
            fs[i] = re.sub(r"\b(left|right|Left|Right)\b", tok if tok != "{side}" else "[side]", fs[i], count=1)
            return _emit(c, fs, ims), f"side in findings left as template field: {fs[i]}"
        if r < 0.5 and num:
            i = rng.choice(num)
            t2 = rng.choice(["[ ]", "***", "[#]", "[x]"])
            fs[i] = re.sub(r"\b\d+ (mm|cm)\b", lambda m: f"{t2} {m.group(1)}", fs[i], count=1)
            return _emit(c, fs, ims), f"measurement left unfilled: {fs[i]}"
        if r < 0.65:
            c.comparison = rng.choice(["[date]", "[***]", "***", "Previous film dated [ ].", "<comparison>"])
            return _emit(c, fs, ims), f"comparison left as template field: {c.comparison}"
        if r < 0.78:
            c.history = rng.choice(["[Clinical history]", "***"] + (
                ["Pre-op [procedure].", "Pre-operative assessment for [***]."] if scen == "preop" else
                ["Day [#] post CABG.", "Post op day *** CABG.", "POD [ ] post cardiac surgery."]))
            return _emit(c, fs, ims), f"history field unfilled: {c.history}"
        # a word in an impression sentence
        t2 = rng.choice(["[***]", "***", "[ ]", "[...]"])
        ims = list(ims)
        j = rng.randrange(len(ims))
        words = ims[j].split()
        k = max(range(len(words)), key=lambda x: len(words[x].strip(".,")))
        old = words[k]
        words[k] = t2 + ("." if old.endswith(".") else "")
        ims[j] = " ".join(words)
        return _emit(c, fs, ims), f"word '{old.strip('.,')}' in impression replaced by {t2}"
    raise ValueError(kind)


def _flip(text: str, old: str, new: str) -> str:
    text = re.sub(rf"\b{old}\b", new, text)
    return re.sub(rf"\b{old.capitalize()}\b", new.capitalize(), text)


def _emit(c: Case, fs: list[str], ims: list[str], imp_override="keep", find_override="keep") -> str:
    rng = c.rng
    findings = " ".join(fs) if (c.style == "us" or rng.random() < 0.7) else "\n".join(fs)
    imp = format_impression(rng, ims, c.style)
    parts = dict(exam=c.exam, history=c.history, comparison=c.comparison, technique=c.technique,
                 findings=findings if find_override == "keep" else find_override,
                 impression=imp if imp_override == "keep" else imp_override)
    return render(rng, c.style, parts)


# ---------------------------------------------------------------------------
# real IU reports

REWORD = [
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal contour"),
    (r"^There is no ", "No "),
    (r"^There are no ", "No "),
    (r"\bvisualized\b", "visualised"),
    (r"\.\.+", "."),
]


def reword(text: str, style: str, rng: random.Random) -> str:
    out = []
    for s in sentences(text):
        if rng.random() < 0.7:
            for a, b in REWORD:
                s = re.sub(a, b, s)
        else:
            s = re.sub(r"\.\.+", ".", s)
        if style == "us":
            s = s.replace("visualised", "visualized")
        out.append(s)
    return " ".join(out)


def real_render(rng: random.Random, r: dict, findings, impression) -> str:
    style = "uk" if rng.random() < 0.5 else "us"
    hist = r["indication"]
    if rng.random() < 0.35 or not hist:
        pre = rng.choice(["Pre-op cardiac surgery assessment.", "Pre-op CABG.", "Pre-operative AVR work-up.",
                          "Cardiac surgery pre-admission clinic."])
        hist = f"{pre} {hist}".strip()
    exam = rng.choice(["CHEST PA AND LATERAL", "XR CHEST 2 VIEWS"] if style == "us"
                      else ["XR Chest PA and lateral", "CHEST X-RAY PA/LAT"])
    f = reword(findings, style, rng) if findings else findings
    i = reword(impression, style, rng) if impression else impression
    if i and style == "us" and re.match(r"^\d\.", i):
        i = re.sub(r"\s+(?=\d\.\s)", "\n", i)
    parts = dict(exam=exam, history=hist, comparison=r["comparison"] or "None.",
                 technique="PA and lateral views of the chest.", findings=f, impression=i)
    return render(rng, style, parts)


def _affirmed_sig(r: dict) -> list[tuple[int, str]]:
    out = []
    for k, s in enumerate(sentences(r["findings"])):
        if NEG.search(s) or HEDGE.search(s):
            continue
        for g in _group_hits(s):
            if g == "effusion" and not re.search(r"\b(moderate|large)\b", s, re.I):
                continue
            if g == "effusion" and re.search(r"XXXX (moderate|large|sized)", s):
                continue
            if _mentions(r["impression"], g):
                out.append((k, g))
    return out


LAT_CLASSES = {
    "eff": ["effusion", "costophrenic", "blunt"],
    "ptx": ["pneumothora"],
    "air": ["opacit", "consolidat", "airspace", "air space", "infiltrat", "pneumonia", "atelecta", "density",
            "lobe", "base", "basilar", "basal"],
    "nod": ["nodul", "granuloma", "mass", "calcif"],
    "bone": ["fracture", "rib", "clavicle", "shoulder", "humer"],
    "dev": ["catheter", "picc", "port", "line", "tube", "pacemaker", "generator", "lead"],
    "scar": ["scar", "fibros", "thicken"],
    "dia": ["hemidiaphragm", "diaphragm"],
    "hil": ["hilar", "hilum", "hila"],
    "apex": ["apex", "apical", "upper lobe", "upper lung"],
}


def _lat_classes(sent: str) -> set[str]:
    low = sent.lower()
    return {k for k, stems in LAT_CLASSES.items() if any(st in low for st in stems)}


LAT_LOC = {
    "base": ["base", "basal", "basilar", "lower lobe", "lower lung", "costophrenic", "lingula"],
    "apex": ["apex", "apical", "upper lobe", "upper lung", "upper zone"],
    "mid": ["midlung", "mid lung", "middle", "mid zone"],
    "hil": ["hil"],
}


def _lat_match(a: str, b: str) -> bool:
    shared = _lat_classes(a) & _lat_classes(b)
    if shared & {"eff", "ptx", "nod", "bone", "dev", "dia"}:
        return True
    la, lb = a.lower(), b.lower()
    locs = {k for k, st in LAT_LOC.items() if any(x in la for x in st)} & {
        k for k, st in LAT_LOC.items() if any(x in lb for x in st)}
    return bool(shared and locs)


IMP_GROUP = {"ptx": "pneumothora", "eff": "effusion", "consol": "consolidat|airspace|pneumonia",
             "edema": "edema", "heart": "cardiomegaly|enlarg", "lungs": "opaci|consolidat|pneumonia"}


def real_pools(uids_excl: set[str]) -> dict:
    rows = [r for r in load_iu() if r["uid"] not in uids_excl]
    clean = [r for r in rows if real_ok_clean(r)]
    omit = []
    for r in clean:
        a = _affirmed_sig(r)
        if a:
            omit.append((r, a))
    lat = []
    for r in clean:
        sf, si = _sides(r["findings"]), _sides(r["impression"])
        if len(sf) == 1 and sf == si and "bilat" not in (r["findings"] + r["impression"]).lower():
            side = next(iter(sf))
            isents = [s for s in sentences(r["impression"]) if re.search(rf"\b{side}\b", s, re.I)]
            fsents = [s for s in sentences(r["findings"]) if re.search(rf"\b{side}\b", s, re.I)]
            pairs = [(a, b) for a in fsents for b in isents if _lat_match(a, b)]
            if pairs:
                lat.append((r, side, pairs))
    neg = []
    for r in clean:
        fsents = sentences(r["findings"])
        opts = []
        for g, pat in (("ptx", r"\bno\b[^.]*pneumothora"), ("eff", r"\bno\b[^.]*effusion"),
                       ("consol", r"\bno\b[^.]*(consolidation|airspace|air space)"),
                       ("edema", r"\bno\b[^.]*edema"),
                       ("heart", r"heart size (is )?(normal|within normal)|normal heart size|heart is normal in size"),
                       ("lungs", r"lungs are clear")):
            hits = [s for s in fsents if re.search(pat, s, re.I)]
            if hits and not re.search(IMP_GROUP[g], r["impression"], re.I):
                opts.append((g, hits[0]))
        if opts:
            neg.append((r, opts))
    return {"clean": clean, "omit": omit, "lat": lat, "neg": neg}


NORMAL_MACROS = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                 "No active disease.", "Normal chest radiograph.", "No acute disease."]


def real_case(rng: random.Random, kind: str | None, pick) -> tuple[str, str]:
    if kind is None:
        r = pick("clean")
        return real_render(rng, r, r["findings"], r["impression"]), f"none (IU {r['uid']} re-laid-out)"
    if kind == "missing_section":
        r = pick("clean")
        how = rng.choice(["", None])
        return (real_render(rng, r, r["findings"], how),
                f"IU {r['uid']}: impression {'header left empty' if how == '' else 'section dropped'}")
    if kind == "placeholder":
        r = pick("clean")
        tok = rng.choice(["[***]", "***", "[ ]", "<<>>", "[...]", "[ *** ]"])
        sec = rng.choice(["findings", "findings", "impression", "comparison"])
        if sec == "comparison":
            tok2 = rng.choice(["[date]", "[***]", "***", "<comparison>"])
            r2 = dict(r, comparison=tok2)
            return (real_render(rng, r2, r["findings"], r["impression"]),
                    f"IU {r['uid']}: comparison left as template field {tok2}")
        text = r[sec]
        words = text.split()
        cand = [k for k, w in enumerate(words) if re.fullmatch(r"[A-Za-z]{4,}[.,]?", w) and "XXXX" not in w
                and w.strip(".,").lower() not in ("there", "which", "with", "without", "this", "that", "from", "were")]
        k = rng.choice(cand)
        old = words[k]
        words[k] = tok + ("." if old.endswith(".") else ("," if old.endswith(",") else ""))
        new = " ".join(words)
        f, i = (new, r["impression"]) if sec == "findings" else (r["findings"], new)
        return real_render(rng, r, f, i), f"IU {r['uid']}: word '{old.strip('.,')}' in {sec} replaced by {tok}"
    if kind == "impression_omits_finding":
        r, a = pick("omit")
        k, g = rng.choice(a)
        macro = rng.choice(NORMAL_MACROS[:3] + ["Satisfactory appearances.", "No acute abnormality."])
        return (real_render(rng, r, r["findings"], macro),
                f"IU {r['uid']}: impression replaced by '{macro}'; omits {g}: {sentences(r['findings'])[k]}")
    if kind == "laterality_conflict":
        r, side, pairs = pick("lat")
        new = "right" if side == "left" else "left"
        fsent, isent = rng.choice(pairs)
        if rng.random() < 0.5:
            flipped = _flip(isent.replace(side.upper(), new.upper()), side, new)
            imp = r["impression"].replace(isent, flipped, 1)
            return (real_render(rng, r, r["findings"], imp),
                    f"IU {r['uid']}: {side}->{new} in impression: {flipped} (findings: {fsent})")
        flipped = _flip(fsent.replace(side.upper(), new.upper()), side, new)
        f = r["findings"].replace(fsent, flipped, 1)
        return (real_render(rng, r, f, r["impression"]),
                f"IU {r['uid']}: {side}->{new} in findings: {flipped} (impression: {isent})")
    if kind == "negation_conflict":
        r, opts = pick("neg")
        g, neg_s = rng.choice(opts)
        side = rng.choice(["left", "right"])
        aff = _sub(rng.choice(AFFIRM[g]), side, 0)
        imp = aff if rng.random() < 0.6 else f"{aff} {r['impression']}"
        return (real_render(rng, r, r["findings"], imp),
                f"IU {r['uid']}: findings say '{neg_s}' but impression asserts '{aff}'")
    raise ValueError(kind)


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h105-{seed}")
    excl = dev_uids()
    pools = real_pools(excl)
    used: set[str] = set()
    orders = {}
    for name, pool in pools.items():
        lst = list(pool)
        rng.shuffle(lst)
        orders[name] = lst

    def pick(name):
        lst = orders[name]
        while lst:
            item = lst.pop()
            r = item if name == "clean" else item[0]
            if r["uid"] not in used:
                used.add(r["uid"])
                return item
        raise RuntimeError(f"pool {name} exhausted")

    plan = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_KIND)]
    rows = []
    counts: dict = {}
    for kind in plan:
        c = counts.get(kind, 0)
        counts[kind] = c + 1
        half = (N_CLEAN if kind is None else N_KIND) // 2
        crng = random.Random(f"{seed}-{kind}-{c}")
        if c < half:
            report, detail = bank_case(crng, kind)
            detail = f"[bank] {detail}"
        else:
            report, detail = real_case(crng, kind, pick)
        rows.append({"injected": kind, "detail": detail, "report": report})
    rng.shuffle(rows)
    return [{"id": f"h105-{seed}-{n}", **row} for n, row in enumerate(rows)]


def main(argv=None) -> int:
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
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
