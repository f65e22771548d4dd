"""Held-out report-check set 88, written blind.

Setting: US urgent-care centre chains and walk-in clinics (cough, fever, chest pain, minor falls,
pre-participation sports and work physicals), whose chest films are read by an outsourced
(teleradiology) group that dictates short templated reports: an exam line, clinical history,
comparison, technique, findings (prose or "Lungs: / Pleura: / Heart/Mediastinum: / Bones:" lines),
impression or conclusion, and an electronic sign-off.  Most films are normal or near-normal.

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of every group is composed from the phrase bank
below, half are real IU (Open-i) reports, never one whose uid is in the development set,
re-laid-out and lightly re-worded in the setting's style.  Written without looking at the checker.

    python -m bench.make_heldout88 OUT.jsonl --seed S [--show N]
"""

# ruff: noqa: E501  (phrase banks read better unwrapped)
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------- IU reports

_IU_CACHE: dict[str, list[dict]] = {}


def dev_uids(shared: Path) -> set[str]:
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def _unescape(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def load_iu(shared: Path) -> list[dict]:
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz", "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            um = re.search(r'<uId id="([^"]+)"', txt)
            if not um:
                continue
            sec = {}
            for lab, body in re.findall(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', txt, re.S):
                sec[lab.lower()] = " ".join(_unescape(body).split())
            rows.append({
                "uid": um.group(1),
                "findings": sec.get("findings", ""),
                "impression": sec.get("impression", ""),
                "indication": sec.get("indication", ""),
                "comparison": sec.get("comparison", ""),
                "major": [_unescape(x) for x in re.findall(r"<major>(.*?)</major>", txt)],
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


# --------------------------------------------------------------------------- text helpers

NEG_RE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|"
                    r"absent|removed|exclude|excluded|rule out|r/o|nor|neither)\b", re.I)
OLD_RE = re.compile(r"\b(stable|unchanged|chronic|old|healed|improv\w*|decreas\w*|resolv\w*|"
                    r"again|prior|previous\w*|persistent|redemonstrat\w*|known|remote|history)\b", re.I)
SMALL_RE = re.compile(r"\b(small|trace|tiny|minimal|trivial|blunting|minor|slight\w*)\b", re.I)
HEDGE_RE = re.compile(r"\b(may|might|possibl\w*|could|versus|vs|question\w*|equivocal|subtle|mild|minimal|"
                      r"scattered|atelecta\w*|low lung volumes|cannot|can't|suggest\w*|vague|faint)\b", re.I)

SIG_GROUPS = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|airspace (disease|opacit)|infiltrat", re.I),
    "edema": re.compile(r"\bedema\b|congestion", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
    "mediastinum": re.compile(r"widen\w* (of the )?mediastin|mediastin\w* (is )?widen", re.I),
    "free air": re.compile(r"free air|pneumoperitoneum|free intraperitoneal", re.I),
}
IMP_COVER = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "consolidation": re.compile(r"consolidat|pneumonia|airspace|infiltrat|opacit|infect", re.I),
    "edema": re.compile(r"edema|congest|fluid overload|failure|chf", re.I),
    "mass": re.compile(r"mass|neoplas|malignan|lesion|nodul", re.I),
    "mediastinum": re.compile(r"mediastin", re.I),
    "free air": re.compile(r"free air|pneumoperitoneum|intraperitoneal", re.I),
}

def imp_covers(g: str, imp: str) -> bool:
    return any(IMP_COVER[g].search(x) and not re.search(r"\b(no|without|negative)\b", x, re.I)
               for x in sentences(imp))


LAT_GROUPS = [
    re.compile(r"effusion", re.I),
    re.compile(r"pneumothora", re.I),
    re.compile(r"consolidat|pneumonia|airspace|infiltrat|opacit", re.I),
    re.compile(r"atelecta", re.I),
    re.compile(r"nodul|granuloma|mass", re.I),
    re.compile(r"fractur", re.I),
]

SIDE_RE = re.compile(r"\b(right|left)\b", re.I)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text.strip())
    return [p for p in parts if p]


def affirmed_sig(findings: str) -> list[str]:
    """Significant, apparently new finding groups that the findings affirm."""
    got = []
    for s in sentences(findings):
        if NEG_RE.search(s) or OLD_RE.search(s):
            continue
        for g, rx in SIG_GROUPS.items():
            if rx.search(s):
                if g == "effusion" and SMALL_RE.search(s):
                    continue
                if g == "consolidation" and HEDGE_RE.search(s):
                    continue
                if g == "effusion" and re.search(r"pericardi", s, re.I):
                    continue
                if re.search(r"\b(may|might|possibl\w*|could|versus|question\w*|equivocal|subtle|suggest\w*|cannot)\b", s, re.I):
                    continue
                if g not in got:
                    got.append(g)
    return got


def any_sig_mention(findings: str) -> list[str]:
    got = []
    for s in sentences(findings):
        if NEG_RE.search(s):
            continue
        for g, rx in SIG_GROUPS.items():
            if rx.search(s) and g not in got:
                got.append(g)
    return got


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new
    return SIDE_RE.sub(rep, s)


def one_side(s: str) -> str | None:
    sides = {m.group(0).lower() for m in SIDE_RE.finditer(s)}
    return sides.pop() if len(sides) == 1 else None


def side_consistent(findings: str, impression: str) -> bool:
    for fs in sentences(findings):
        fside = one_side(fs)
        if not fside:
            continue
        for isent in sentences(impression):
            iside = one_side(isent)
            if iside and iside != fside:
                for rx in LAT_GROUPS:
                    if rx.search(fs) and rx.search(isent):
                        return False
    return True


REWORD = [
    (r"\bThere is no evidence of\b", "No evidence of"),
    (r"\bThere is no\b", "No"),
    (r"\bThere are no\b", "No"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bThe heart size is normal\b", "Heart size is normal"),
    (r"\bThe cardiomediastinal silhouette is\b", "Cardiomediastinal silhouette is"),
    (r"\bCardiomediastinal silhouette is within normal limits\b", "Cardiomediastinal silhouette is WNL"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary findings\b", "No acute cardiopulmonary process"),
    (r"\bbony structures\b", "osseous structures"),
    (r"\bx-XXXX\b", "x-ray"),
    (r"\.\.", "."),
]


def reword(text: str, rng: random.Random) -> str:
    for pat, rep in REWORD:
        if rng.random() < 0.6:
            text = re.sub(pat, rep, text)
    return re.sub(r"\s+", " ", text).strip()


def usable_real(r: dict) -> bool:
    t = r["findings"] + " " + r["impression"] + " " + r["indication"] + " " + r["comparison"]
    if re.search(r"\[|\]|\*\*\*|___|\{|<<", t):
        return False
    return len(r["findings"]) > 40 and len(r["impression"]) > 5 and len(t) < 1400


# --------------------------------------------------------------------------- phrase bank

FIRST = ["A. Patel", "R. Nguyen", "J. Kowalski", "M. Alvarez", "S. Okafor", "D. Brennan", "L. Chen",
         "K. Hoffman", "T. Ramirez", "E. Goldberg", "P. Sandoval", "C. Whitfield", "N. Desai", "B. Larsen"]
GROUPS = ["Summit Teleradiology", "Pinnacle Imaging Associates", "Lakeshore Radiology Partners",
          "Crescent Reading Group", "Northstar Remote Radiology", "Bluewater Imaging Group"]

EXAM_2V = ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "CHEST 2 VIEWS (PA/LAT)",
           "X-RAY CHEST, 2 VIEWS", "DX CHEST PA & LATERAL", "CXR 2V", "RADIOGRAPH CHEST, FRONTAL AND LATERAL"]
EXAM_1V = ["XR CHEST 1 VIEW", "CHEST SINGLE VIEW (PA)", "DX CHEST PA ONLY", "X-RAY CHEST, 1 VIEW"]
EXAM_RIB = ["XR RIBS UNILATERAL W/ PA CHEST, {SIDE}", "XR CHEST 2V AND {SIDE} RIBS", "RIBS {SIDE} 3 VIEWS WITH CHEST"]

HIST_COUGH = ["Cough x 5 days.", "Cough and fever.", "Productive cough, fever 101.2 F.", "Cough, congestion x 1 week.",
              "Persistent cough 3 weeks.", "URI symptoms, r/o pneumonia.", "Fever, cough, body aches.",
              "Cough, wheezing.", "Cough, SOB.", "41 yo M with cough and subjective fevers.",
              "Pt c/o cough and chills x 4 days.", "R/O PNA.", "Cough, hx smoker.", "Fever and cough, flu negative."]
HIST_CP = ["Chest pain.", "Atypical chest pain.", "Chest wall pain.", "Chest pain, SOB.", "Pleuritic chest pain.",
           "Left sided chest pain x 2 days.", "CP, r/o acute process.", "Chest tightness."]
HIST_FALL = ["Fall, chest wall pain.", "Slipped on ice, rib pain.", "Fall from ladder, {side} rib pain.",
             "Minor MVC, chest wall tenderness.", "Fell at home, {side} sided chest pain.",
             "Trauma, {side} chest wall contusion.", "Tripped and fell onto {side} side."]
HIST_PHYS = ["Pre-employment physical.", "Positive PPD.", "Positive TB screen, asymptomatic.",
             "Sports physical.", "DOT physical.", "Positive QuantiFERON.", "Work physical, TB screening.",
             "Pre-participation physical, asymptomatic.", "Immigration physical."]
COMP = ["None.", "None available.", "No prior studies.", "None on file.", "None available for comparison.",
        "XR chest 08/14/2023.", "Chest radiograph 11/02/2022.", "CXR 3/5/2024.", "Prior exam dated 06/21/2021.",
        "01/09/2024.", "Outside films not available."]
TECH_2V = ["PA and lateral views of the chest.", "2 views of the chest were obtained.", "Frontal and lateral views.",
           "PA and lateral chest radiographs.", "Two views."]
TECH_1V = ["Single frontal view of the chest.", "Single PA view.", "1 view."]

N_LUNGS = ["The lungs are clear.", "Lungs are clear.", "Lungs are clear bilaterally.",
           "No focal consolidation.", "Lungs are well expanded and clear.", "Clear lungs.",
           "No focal airspace disease."]
N_PLEURA = ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
            "No pneumothorax or pleural effusion.", "Costophrenic angles are sharp. No pneumothorax.",
            "No pleural effusion. No pneumothorax."]
N_HEART = ["Heart size is normal.", "Cardiomediastinal silhouette is within normal limits.",
           "Normal cardiomediastinal contours.", "Heart and mediastinum are normal.",
           "Cardiac silhouette is normal in size.", "Normal heart size and mediastinal contours."]
N_BONES = ["No acute osseous abnormality.", "Osseous structures are intact.", "No acute bony abnormality.",
           "Visualized osseous structures are unremarkable.", "No acute fracture."]
N_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.", "Negative chest.",
         "No acute findings in the chest.", "Normal chest radiograph.", "No radiographic evidence of acute cardiopulmonary disease.",
         "No acute cardiopulmonary abnormality.", "No acute process."]
N_IMP_SAFE = ["No acute cardiopulmonary process.", "No acute cardiopulmonary disease.", "Negative chest x-ray.",
              "No acute findings.", "No acute cardiopulmonary abnormality.", "No acute process identified.",
              "No radiographic evidence of acute disease.", "Normal chest radiograph."]

# Finding bank.  organ: which normal line it replaces; f: findings text; i: impression text (None: often
# left out, allowed); sig: significant per the labelling rules; sides: allowed sides (None: no side).
# rest: normal text kept for the organ.
BANK = [
    dict(key="pna_ll", organ="lungs", sig=True, sides=["right", "left"], w=6,
         f=["Patchy airspace opacity in the {side} lower lobe.", "Focal consolidation in the {side} lower lobe.",
            "Hazy airspace opacity at the {side} lung base.", "Ill-defined airspace opacity in the {side} lower lung zone."],
         i=["{Side} lower lobe pneumonia.", "{Side} lower lobe consolidation, compatible with pneumonia in the appropriate clinical setting.",
            "{Side} basilar airspace disease concerning for pneumonia. Recommend follow-up PA and lateral in 6-8 weeks to document resolution.",
            "Findings suspicious for {side} lower lobe pneumonia."],
         rest="Lungs are otherwise clear."),
    dict(key="pna_ul", organ="lungs", sig=True, sides=["right", "left"], w=2,
         f=["Patchy consolidation in the {side} upper lobe.", "Airspace opacity in the {side} upper lobe."],
         i=["{Side} upper lobe pneumonia.", "{Side} upper lobe airspace disease, likely pneumonia."],
         rest="The remainder of the lungs is clear."),
    dict(key="pna_rml", organ="lungs", sig=True, sides=["right"], w=2,
         f=["Opacity in the right middle lobe obscuring the right heart border.", "Right middle lobe airspace opacity."],
         i=["Right middle lobe pneumonia.", "Right middle lobe infiltrate, likely pneumonia."],
         rest=""),
    dict(key="eff_mod", organ="pleura", sig=True, sides=["right", "left"], w=2,
         f=["Moderate {side} pleural effusion.", "Moderate-sized {side} pleural effusion.", "Moderate {side} pleural effusion layering posteriorly."],
         i=["Moderate {side} pleural effusion.", "Moderate {side} pleural effusion. Consider decubitus views or CT as clinically indicated."],
         rest="No pneumothorax."),
    dict(key="eff_small", organ="pleura", sig=False, sides=["right", "left"], w=2,
         f=["Small {side} pleural effusion.", "Blunting of the {side} costophrenic angle, likely a small effusion."],
         i=["Small {side} pleural effusion."],
         rest="No pneumothorax."),
    dict(key="ptx", organ="pleura", sig=True, sides=["right", "left"], w=2,
         f=["Small {side} apical pneumothorax measuring approximately 1 cm.", "Small {side} apical pneumothorax.",
            "Thin {side} apical pleural line with absent lung markings laterally, compatible with small pneumothorax."],
         i=["Small {side} apical pneumothorax. Findings called to the urgent care provider at time of dictation.",
            "Small {side} pneumothorax. Recommend follow-up radiograph.", "{Side} apical pneumothorax, small."],
         rest="No pleural effusion."),
    dict(key="nodule", organ="lungs", sig=True, sides=["right", "left"], w=2,
         f=["9 mm nodular opacity in the {side} upper lobe.", "There is a 1.2 cm nodule in the {side} mid lung.",
            "Rounded 8 mm nodule projecting over the {side} lower lung zone."],
         i=["{Side} pulmonary nodule. Recommend nonemergent chest CT for further evaluation.",
            "Indeterminate {side} lung nodule; CT chest recommended.", "{Side} lung nodule, CT chest suggested for further characterization."],
         rest="Lungs are otherwise clear."),
    dict(key="edema", organ="lungs", sig=True, sides=None, w=1,
         f=["Pulmonary vascular congestion with mild interstitial edema.", "Interstitial prominence with Kerley B lines, consistent with mild pulmonary edema."],
         i=["Mild pulmonary edema.", "Vascular congestion and mild interstitial edema, suggest correlation for CHF."],
         rest=""),
    dict(key="rib_fx", organ="bones", sig=False, sides=["right", "left"], w=2,
         f=["Acute minimally displaced fracture of the {side} lateral 6th rib.", "Nondisplaced fracture of the {side} posterolateral 8th rib.",
            "Acute fracture of the {side} anterior 5th rib."],
         i=["Acute {side} rib fracture. No pneumothorax.", "{Side} rib fracture without pneumothorax.", "Acute nondisplaced {side} rib fracture."],
         rest=""),
    dict(key="atel", organ="lungs", sig=False, sides=["right", "left"], w=2,
         f=["Linear atelectasis at the {side} lung base.", "Mild subsegmental atelectasis in the {side} lower lobe."],
         i=["Mild {side} basilar atelectasis.", "{Side} basilar subsegmental atelectasis. No consolidation."],
         rest="No focal consolidation."),
    dict(key="bronch", organ="lungs", sig=False, sides=None, w=3,
         f=["Mild central peribronchial thickening.", "Mild bronchial wall thickening without focal consolidation."],
         i=["Mild peribronchial thickening, can be seen with bronchitis or reactive airways disease. No pneumonia.",
            "Bronchitic changes. No focal pneumonia."],
         rest=""),
    dict(key="granuloma", organ="lungs", sig=False, sides=["right", "left"], w=3, opt=True,
         f=["Calcified granuloma in the {side} upper lobe.", "Small calcified granuloma in the {side} mid lung."],
         i=["Calcified {side} lung granuloma, benign."],
         rest="Lungs are otherwise clear."),
    dict(key="copd", organ="lungs", sig=False, sides=None, w=2,
         f=["Lungs are hyperinflated but clear.", "Hyperinflation with flattening of the diaphragms. No focal consolidation."],
         i=["Hyperinflation suggesting COPD. No acute process.", "COPD. No acute cardiopulmonary process."],
         rest=""),
    dict(key="cmeg_mild", organ="heart", sig=False, sides=None, w=2, opt=True,
         f=["Heart size is mildly enlarged.", "Mild cardiomegaly.", "Borderline cardiomegaly."],
         i=["Mild cardiomegaly.", "Borderline heart size. No acute process."],
         rest=""),
    dict(key="dj", organ="bones", sig=False, sides=None, w=3, opt=True,
         f=["Mild degenerative changes of the thoracic spine.", "Degenerative changes in the thoracic spine."],
         i=["Mild thoracic spondylosis."],
         rest="No acute osseous abnormality."),
    dict(key="old_fx", organ="bones", sig=False, sides=["right", "left"], w=1, opt=True,
         f=["Old healed {side} rib fractures.", "Remote healed fracture of the {side} clavicle."],
         i=["Old {side} rib fractures."],
         rest="No acute fracture."),
]
BANK_BY_KEY = {b["key"]: b for b in BANK}


def _sub(s: str, side: str | None) -> str:
    if side is None:
        return s
    return s.replace("{side}", side).replace("{Side}", side.capitalize()).replace("{SIDE}", side.upper())


def pick_finding(rng: random.Random, keys: list[str] | None = None, sig: bool | None = None,
                 sided: bool | None = None) -> dict:
    cands = [b for b in BANK if (keys is None or b["key"] in keys)
             and (sig is None or b["sig"] == sig)
             and (sided is None or (b["sides"] is not None) == sided)]
    b = rng.choices(cands, weights=[c["w"] for c in cands])[0]
    side = rng.choice(b["sides"]) if b["sides"] else None
    return {"key": b["key"], "organ": b["organ"], "sig": b["sig"], "side": side,
            "f": _sub(rng.choice(b["f"]), side), "i": _sub(rng.choice(b["i"]), side),
            "rest": b["rest"], "opt": b.get("opt", False)}


def make_case(rng: random.Random, findings: list[dict], history: str | None = None) -> dict:
    """A structured synthetic case; rendered later."""
    one_view = rng.random() < 0.2
    keys = [f["key"] for f in findings]
    side = next((f["side"] for f in findings if f["side"]), "right")
    if history is None:
        if "rib_fx" in keys or "old_fx" in keys and rng.random() < 0.5:
            history = rng.choice(HIST_FALL)
        elif any(k.startswith("pna") or k in ("bronch", "eff_mod", "eff_small", "atel") for k in keys):
            history = rng.choice(HIST_COUGH + HIST_COUGH + HIST_CP)
        elif "ptx" in keys:
            history = rng.choice(HIST_CP + HIST_FALL)
        else:
            history = rng.choice(HIST_COUGH + HIST_CP + HIST_FALL + HIST_PHYS + HIST_PHYS)
    history = _sub(history, side)
    exam = rng.choice(EXAM_1V if one_view else EXAM_2V)
    if "rib_fx" in keys and rng.random() < 0.5:
        exam = _sub(rng.choice(EXAM_RIB), side)
    organs = {"lungs": rng.choice(N_LUNGS), "pleura": rng.choice(N_PLEURA),
              "heart": rng.choice(N_HEART), "bones": rng.choice(N_BONES)}
    lines = {k: [] for k in organs}
    for f in findings:
        lines[f["organ"]].append(f["f"])
    for k in organs:
        if lines[k]:
            rest = next((f["rest"] for f in findings if f["organ"] == k), "")
            if rest:
                lines[k].append(rest)
        else:
            lines[k].append(organs[k])
    imp = []
    for f in findings:
        if f["opt"] and rng.random() < 0.6:
            continue
        imp.append(f["i"])
    if not imp or all(not f["sig"] for f in findings) and rng.random() < 0.3:
        if not any(re.search(r"no acute", x, re.I) for x in imp):
            imp.append(rng.choice(N_IMP) if not imp else rng.choice(
                ["Otherwise no acute cardiopulmonary process.", "No other acute findings.",
                 "Otherwise negative chest."]))
    return {"exam": exam, "history": history, "comparison": rng.choice(COMP),
            "technique": rng.choice(TECH_1V if one_view else TECH_2V),
            "lines": lines, "imp": imp, "findings": findings, "style": rng.randrange(5),
            "imp_header": rng.choice(["IMPRESSION", "IMPRESSION", "IMPRESSION", "Impression", "CONCLUSION"]),
            "drop_imp": False, "empty_fnd": False, "fnd_text": None}


def signoff(rng: random.Random) -> str:
    name = rng.choice(FIRST)
    d = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.choice([2023, 2024, 2025])}"
    t = f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}"
    opts = [
        f"Electronically signed by: {name}, MD on {d} {t} {rng.choice(['EST', 'CST', 'PST', 'MST'])}",
        f"Dictated by: {name}, M.D.\nSigned: {d} {t}",
        f"{name}, MD\n{rng.choice(GROUPS)}\nSigned {d} {t}",
        f"Read by: {name}, DO ({rng.choice(GROUPS)})\nFinalized {d} {t}",
        f"This report was dictated using voice recognition software.\nElectronically signed: {name}, MD {d} {t}",
    ]
    return rng.choice(opts)


def render(c: dict, rng: random.Random) -> str:
    st = c["style"]
    out = []
    if st in (0, 1):
        out.append(f"EXAM: {c['exam']}")
        out.append(f"CLINICAL HISTORY: {c['history']}")
        out.append(f"COMPARISON: {c['comparison']}")
        out.append(f"TECHNIQUE: {c['technique']}")
    elif st == 2:
        out.append(f"PROCEDURE: {c['exam']}")
        out.append(f"INDICATION: {c['history']}")
        out.append(f"COMPARISON: {c['comparison']}")
    elif st == 3:
        out.append(c["exam"])
        out.append(f"HISTORY: {c['history']}")
        out.append(f"COMPARISON: {c['comparison']}")
        out.append(f"VIEWS: {c['technique']}")
    else:
        out.append(f"Exam: {c['exam'].capitalize()}")
        out.append(f"Reason for exam: {c['history']}")
        out.append(f"Comparison: {c['comparison']}")
    # findings
    if c["fnd_text"] is not None:
        ftxt = c["fnd_text"]
    elif st in (1, 2):
        labels = {"lungs": "Lungs", "pleura": "Pleura", "heart": "Heart/Mediastinum", "bones": "Bones/Soft tissues"}
        if st == 2:
            labels = {"lungs": "LUNGS", "pleura": "PLEURA", "heart": "HEART AND MEDIASTINUM", "bones": "BONES"}
        ftxt = "\n".join(f"{labels[k]}: {' '.join(c['lines'][k])}" for k in ("lungs", "pleura", "heart", "bones"))
    else:
        order = ["heart", "lungs", "pleura", "bones"] if st == 3 else ["lungs", "pleura", "heart", "bones"]
        ftxt = " ".join(" ".join(c["lines"][k]) for k in order)
    fh = "Findings" if st == 4 else "FINDINGS"
    if c["empty_fnd"]:
        out.append(f"{fh}:" if not c.get("fnd_gone") else "")
    else:
        out.append(f"{fh}:\n{ftxt}" if st in (1, 2) else f"{fh}: {ftxt}")
    if c["drop_imp"] == "absent":
        pass
    elif c["drop_imp"]:
        out.append(f"{c['imp_header']}:")
    else:
        if len(c["imp"]) > 1 and rng.random() < 0.6:
            body = "\n".join(f"{n}. {x}" for n, x in enumerate(c["imp"], 1))
            out.append(f"{c['imp_header']}:\n{body}")
        else:
            out.append(f"{c['imp_header']}: {' '.join(c['imp'])}")
    out.append(signoff(rng))
    return "\n\n".join(x for x in out if x != "")


# --------------------------------------------------------------------------- synthetic cases

def syn_clean(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.58:
        fnd = []
    elif r < 0.83:
        fnd = [pick_finding(rng, keys=["granuloma", "dj", "cmeg_mild", "old_fx", "copd", "bronch", "atel"])]
        if rng.random() < 0.2:
            g = pick_finding(rng, keys=["dj", "granuloma"])
            if g["key"] != fnd[0]["key"]:
                fnd.append(g)
    else:
        fnd = [pick_finding(rng, keys=["pna_ll", "pna_ul", "pna_rml", "eff_small", "rib_fx", "ptx", "nodule", "eff_mod", "edema"])]
    c = make_case(rng, fnd)
    if not fnd and rng.random() < 0.15:
        # combined section: impression that itself describes the image
        c["fnd_text"] = None
        txt = rng.choice([
            "Normal heart size. Lungs clear without consolidation, effusion or pneumothorax. No acute osseous abnormality.",
            "The lungs are clear. No pleural effusion or pneumothorax. Normal cardiomediastinal silhouette. No acute cardiopulmonary process.",
            "Heart and mediastinum normal. Clear lungs. No effusion or pneumothorax. Negative chest.",
        ])
        out = [f"EXAM: {c['exam']}", f"HISTORY: {c['history']}", f"COMPARISON: {c['comparison']}",
               f"FINDINGS/IMPRESSION: {txt}", signoff(rng)]
        return "\n\n".join(out), ""
    return render(c, rng), ""


def syn_missing(rng: random.Random) -> tuple[str, str]:
    fnd = [] if rng.random() < 0.5 else [pick_finding(rng)]
    c = make_case(rng, fnd)
    r = rng.random()
    if r < 0.45:
        c["drop_imp"] = True
        det = "impression header left empty"
    elif r < 0.7:
        c["drop_imp"] = "absent"
        det = "impression section absent; report ends after findings"
    else:
        c["empty_fnd"] = True
        c["imp"] = [rng.choice(N_IMP_SAFE)]
        if rng.random() < 0.3:
            c["imp"] = [rng.choice(["See above.", "As above.", "Please see findings."])]
        det = "findings section left empty; impression does not describe the image"
    return render(c, rng), det


def syn_laterality(rng: random.Random) -> tuple[str, str]:
    f = pick_finding(rng, keys=["pna_ll", "pna_ul", "eff_mod", "eff_small", "ptx", "nodule", "rib_fx", "atel", "granuloma"])
    f["opt"] = False
    c = make_case(rng, [f])
    r = rng.random()
    if r < 0.5:
        c["imp"] = [flip_side(x) if f["i"] == x else x for x in c["imp"]]
        det = f"impression side flipped to {flip_side(f['side'])} for {f['key']} described on the {f['side']} in findings"
    elif r < 0.85:
        lines = c["lines"][f["organ"]]
        c["lines"][f["organ"]] = [flip_side(x) if x == f["f"] else x for x in lines]
        det = f"findings side flipped to {flip_side(f['side'])} for {f['key']} reported on the {f['side']} in impression"
    else:
        # the second sentence in findings contradicts the first
        other = flip_side(f["side"])
        extra = {"pna_ll": f"The {other} lower lobe opacity likely reflects pneumonia.",
                 "pna_ul": f"The {other} upper lobe consolidation likely reflects pneumonia.",
                 "eff_mod": f"The {other} effusion layers posteriorly on the lateral view.",
                 "eff_small": f"The {other} effusion is small.",
                 "ptx": f"The {other} pneumothorax is apical only.",
                 "nodule": f"The {other} lung nodule is not calcified.",
                 "rib_fx": f"No displacement of the {other} rib fracture fragments.",
                 "atel": f"The {other} basilar atelectasis is linear.",
                 "granuloma": f"The {other} granuloma is densely calcified."}[f["key"]]
        c["lines"][f["organ"]].insert(1, extra)
        c["imp"] = [x for x in c["imp"]] or c["imp"]
        det = f"findings: second sentence places the {f['key']} on the {other}, first sentence and impression on the {f['side']}"
    return render(c, rng), det


def syn_negation(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.5:
        # findings normal; impression asserts something the findings negate
        c = make_case(rng, [])
        side = rng.choice(["right", "left"])
        which = rng.choice(["eff", "ptx", "pna", "cmeg", "pna"])
        assert_txt = {
            "eff": rng.choice([f"Small {side} pleural effusion.", f"Moderate {side} pleural effusion."]),
            "ptx": f"Small {side} apical pneumothorax.",
            "pna": rng.choice([f"{side.capitalize()} lower lobe pneumonia.", f"Patchy {side} basilar infiltrate, likely pneumonia.",
                               f"{side.capitalize()} lower lobe consolidation."]),
            "cmeg": rng.choice(["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."]),
        }[which]
        organ = {"eff": "pleura", "ptx": "pleura", "pna": "lungs", "cmeg": "heart"}[which]
        neg = {"pleura": {"eff": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.", "No pleural effusion. No pneumothorax."],
                          "ptx": ["No pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion."]},
               "lungs": {"pna": ["The lungs are clear.", "Lungs are clear bilaterally.", "No focal consolidation."]},
               "heart": {"cmeg": ["Heart size is normal.", "Cardiac silhouette is normal in size.", "Normal heart size and mediastinal contours."]}}
        c["lines"][organ] = [rng.choice(neg[organ][which])]
        c["imp"] = [assert_txt] if rng.random() < 0.6 else [assert_txt, "Otherwise no acute process."]
        det = f"impression asserts '{assert_txt}' while findings say '{c['lines'][organ][0]}'"
    else:
        f = pick_finding(rng, keys=["pna_ll", "pna_ul", "pna_rml", "eff_mod", "ptx", "cmeg_mild", "eff_small"])
        if f["key"] == "cmeg_mild":
            f["f"] = rng.choice(["Heart size is mildly enlarged.", "Mild cardiomegaly.", "The cardiac silhouette is enlarged."])
        c = make_case(rng, [f])
        neg_txt = {"pna_ll": ["Lungs are clear. No acute cardiopulmonary process.", "No pneumonia.", "No focal consolidation."],
                   "pna_ul": ["Clear lungs.", "No focal airspace disease. No acute process."],
                   "pna_rml": ["No pneumonia.", "Lungs are clear."],
                   "eff_mod": ["No pleural effusion.", "No effusion or pneumothorax. No acute process."],
                   "eff_small": ["No pleural effusion or pneumothorax.", "No effusion."],
                   "ptx": ["No pneumothorax.", "No pneumothorax. No acute cardiopulmonary process."],
                   "cmeg_mild": ["Normal heart size. No acute process.", "Heart size normal. Lungs clear."]}[f["key"]]
        c["imp"] = [rng.choice(neg_txt)]
        det = f"impression '{c['imp'][0]}' negates findings '{f['f']}'"
    return render(c, rng), det


def syn_omits(rng: random.Random) -> tuple[str, str]:
    f = pick_finding(rng, sig=True)
    fnd = [f]
    if rng.random() < 0.3:
        fnd.append(pick_finding(rng, keys=["dj", "granuloma", "old_fx"]))
    c = make_case(rng, fnd)
    r = rng.random()
    if r < 0.6:
        c["imp"] = [rng.choice(N_IMP_SAFE)]
        det = f"normal impression macro; findings affirm {f['key']}: '{f['f']}'"
    else:
        keep = [x for x in fnd[1:]]
        inc = keep[0]["i"] if keep else rng.choice(["No acute osseous abnormality.", "No acute fracture."])
        c["imp"] = [inc, rng.choice(["Otherwise no acute cardiopulmonary process.", "No acute cardiopulmonary disease."])]
        det = f"impression lists only an incidental item; findings affirm {f['key']}: '{f['f']}'"
    return render(c, rng), det


PH_TOKENS = ["***", "[***]", "[ ]", "[  ]", "<<>>", "[DATE]", "[INSERT]", "{ }", "[...]"]


def syn_placeholder(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.2:
        c = make_case(rng, [])
        tok = rng.choice(["***", "[***]", "[DATE]", "[ ]"])
        c["comparison"] = tok
        det = f"comparison field left as {tok}"
    elif r < 0.35:
        c = make_case(rng, [])
        tok = rng.choice(["***", "[***]", "[ ]", "<<>>"])
        c["history"] = tok
        det = f"clinical history field left as {tok}"
    elif r < 0.6:
        f = pick_finding(rng, sided=True, keys=["pna_ll", "pna_ul", "eff_small", "eff_mod", "ptx", "rib_fx", "atel"])
        f["opt"] = False
        c = make_case(rng, [f])
        tok = rng.choice(["[right/left]", "[RIGHT/LEFT]", "[side]", "***", "[ ]"])
        which = rng.choice(["f", "i"])
        if which == "f":
            c["lines"][f["organ"]] = [re.sub(rf"\b{f['side']}\b", tok, x, count=1) if x == f["f"] else x
                                      for x in c["lines"][f["organ"]]]
        else:
            c["imp"] = [re.sub(rf"\b{f['side']}\b|\b{f['side'].capitalize()}\b", tok, x, count=1) if x == f["i"] else x
                        for x in c["imp"]]
        det = f"side left as template field {tok} in {'findings' if which == 'f' else 'impression'}"
    elif r < 0.75:
        f = pick_finding(rng, keys=["nodule"])
        c = make_case(rng, [f])
        tok = rng.choice(["*** mm", "[ ] mm", "[***] mm", "[size] cm"])
        side = f["side"]
        f_txt = f"{tok} nodular opacity in the {side} upper lobe."
        c["lines"]["lungs"] = [f_txt if x == f["f"] else x for x in c["lines"]["lungs"]]
        det = f"nodule size left as {tok}"
    else:
        c = make_case(rng, [] if rng.random() < 0.6 else [pick_finding(rng, keys=["dj", "granuloma", "bronch"])])
        tok = rng.choice([t for t in PH_TOKENS if t != "[DATE]"])
        organ = rng.choice(["heart", "lungs", "pleura", "bones"])
        old = c["lines"][organ][-1]
        words = [m for m in re.finditer(r"\b(normal|clear|intact|unremarkable|acute|pneumothorax|effusion|sharp|mild|focal)\b", old)]
        if words:
            m = rng.choice(words)
            new = old[:m.start()] + tok + old[m.end():]
        else:
            new = old.rstrip(".") + f" {tok}."
        c["lines"][organ][-1] = new
        det = f"template field {tok} left unfilled in findings: '{new}'"
    return render(c, rng), det


# --------------------------------------------------------------------------- real cases

def real_layout(r: dict, rng: random.Random, findings: str | None = None, impression: str | None = None,
                drop_imp=False, empty_fnd=False, history: str | None = None, comparison: str | None = None) -> str:
    fnd = r["findings"] if findings is None else findings
    imp = r["impression"] if impression is None else impression
    hist = history if history is not None else (r["indication"] or rng.choice(HIST_COUGH + HIST_CP + HIST_PHYS))
    comp = comparison if comparison is not None else (r["comparison"] or "None.")
    hist = reword(hist, rng)
    comp = reword(comp, rng)
    st = rng.randrange(4)
    ih = rng.choice(["IMPRESSION", "IMPRESSION", "Impression", "CONCLUSION"])
    out = []
    if st == 0:
        out += [f"EXAM: {rng.choice(EXAM_2V)}", f"CLINICAL HISTORY: {hist}", f"COMPARISON: {comp}",
                f"TECHNIQUE: {rng.choice(TECH_2V)}"]
    elif st == 1:
        out += [f"PROCEDURE: {rng.choice(EXAM_2V)}", f"INDICATION: {hist}", f"COMPARISON: {comp}"]
    elif st == 2:
        out += [rng.choice(EXAM_2V), f"HISTORY: {hist}", f"COMPARISON: {comp}"]
    else:
        out += [f"Exam: {rng.choice(EXAM_2V).capitalize()}", f"Reason for exam: {hist}", f"Comparison: {comp}"]
    fh = "Findings" if st == 3 else "FINDINGS"
    out.append(f"{fh}:" if empty_fnd else f"{fh}: {fnd}")
    if drop_imp == "absent":
        pass
    elif drop_imp:
        out.append(f"{ih}:")
    else:
        out.append(f"{ih}: {imp}")
    out.append(signoff(rng))
    return "\n\n".join(out)


def real_pools(rows: list[dict]) -> dict:
    normal, abn_ok, omits, lat, neg_norm = [], [], [], [], []
    for r in rows:
        if not usable_real(r):
            continue
        f, i = r["findings"], r["impression"]
        sig = affirmed_sig(f)
        mention = any_sig_mention(f)
        is_norm = r["major"] == ["normal"]
        consistent = side_consistent(f, i)
        if is_norm and not mention and consistent:
            normal.append(r)
        elif consistent and all(imp_covers(g, i) for g in mention) and not is_norm and nodule_ok(f, i):
            abn_ok.append(r)
        if sig and all(imp_covers(g, i) for g in sig) and not re.search(r"\bno acute\b|\bnormal chest\b", i, re.I):
            omits.append(r)
        if consistent and lat_candidate(f, i):
            lat.append(r)
        if is_norm:
            neg_norm.append(r)
    return {"normal": normal, "abn_ok": abn_ok, "omits": omits, "lat": lat, "neg_norm": neg_norm}


def nodule_ok(f: str, i: str) -> bool:
    """A non-calcified nodule described in the findings is also in the impression."""
    for x in sentences(f):
        if re.search(r"nodul|rounded opacit|\bmass\b", x, re.I) and not NEG_RE.search(x) \
                and not re.search(r"calcifi|granulom|nipple|stable|unchanged", x, re.I):
            return bool(re.search(r"nodul|mass|opacit|lesion|neoplas", i, re.I))
    return True


def lat_candidate(f: str, i: str) -> list[tuple[str, int]]:
    """(section, sentence index) pairs that can be flipped: a sided finding sentence whose finding the
    other section places on the same side."""
    out = []
    fs, is_ = sentences(f), sentences(i)
    for a, sa in enumerate(fs):
        side = one_side(sa)
        if not side or NEG_RE.search(sa):
            continue
        for b, sb in enumerate(is_):
            if one_side(sb) != side or NEG_RE.search(sb):
                continue
            if any(rx.search(sa) and rx.search(sb) for rx in LAT_GROUPS):
                out.append(("findings", a))
                out.append(("impression", b))
    return out


def real_clean(r, rng):
    return real_layout(r, rng), ""


def real_missing(r, rng):
    x = rng.random()
    generic = re.fullmatch(r"(no acute[\w\s]*|normal chest[\w\s-]*|negative[\w\s]*)\.*", r["impression"].strip(), re.I)
    if x < 0.3 and generic:
        return real_layout(r, rng, empty_fnd=True), "findings section emptied; impression is a generic normal line"
    if x < 0.65:
        return real_layout(r, rng, drop_imp=True), "impression emptied (header left)"
    return real_layout(r, rng, drop_imp="absent"), "impression section removed"


def real_lat(r, rng):
    f, i = r["findings"], r["impression"]
    cands = lat_candidate(f, i)
    sec, idx = rng.choice(cands)
    ss = sentences(f if sec == "findings" else i)
    old = ss[idx]
    ss[idx] = flip_side(old)
    new = " ".join(ss)
    det = f"side flipped in {sec}: '{old}' -> '{ss[idx]}'"
    if sec == "findings":
        return real_layout(r, rng, findings=new), det
    return real_layout(r, rng, impression=new), det


NEG_PATTERNS = [
    ("eff", re.compile(r"\bno\b[^.]*\beffusion", re.I)),
    ("ptx", re.compile(r"\bno\b[^.]*\bpneumothora", re.I)),
    ("pna", re.compile(r"lungs are clear|no focal (airspace|consolidation|opacit)|no (focal )?consolidation|clear lungs", re.I)),
    ("cmeg", re.compile(r"heart (size )?is (normal|within normal)|heart size (is )?normal|normal heart size|"
                        r"cardiac silhouette is normal|heart is normal in size|cardiomediastinal silhouette (is )?(normal|within normal|WNL)", re.I)),
]


def real_neg(r, rng):
    f = r["findings"]
    avail = [k for k, rx in NEG_PATTERNS if rx.search(f)]
    k = rng.choice(avail)
    side = rng.choice(["right", "left"])
    a = {"eff": [f"Small {side} pleural effusion.", f"{side.capitalize()} pleural effusion."],
         "ptx": [f"Small {side} pneumothorax.", f"{side.capitalize()} apical pneumothorax."],
         "pna": [f"{side.capitalize()} lower lobe pneumonia.", f"{side.capitalize()} basilar airspace disease, likely pneumonia.",
                 f"Patchy {side} lower lobe infiltrate."],
         "cmeg": ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged heart."]}[k]
    txt = rng.choice(a)
    if rng.random() < 0.6:
        imp = txt
    else:
        imp = txt + " " + rng.choice(["Otherwise no acute process.", "No other acute findings."])
    m = [rx for kk, rx in NEG_PATTERNS if kk == k][0].search(f)
    return real_layout(r, rng, impression=imp), f"impression asserts '{txt}' while findings say '{m.group(0)}...'"


def real_omits(r, rng):
    sig = affirmed_sig(r["findings"])
    imp = rng.choice(N_IMP_SAFE)
    return real_layout(r, rng, impression=imp), f"impression replaced by '{imp}'; findings affirm {', '.join(sig)}"


def real_placeholder(r, rng):
    f, i = r["findings"], r["impression"]
    x = rng.random()
    if x < 0.15:
        tok = rng.choice(["***", "[***]", "[DATE]"])
        return real_layout(r, rng, comparison=tok), f"comparison left as {tok}"
    sec = "findings" if x < 0.75 else "impression"
    txt = f if sec == "findings" else i
    words = [m for m in re.finditer(r"\b(right|left|normal|clear|mild|small|acute|upper|lower|stable)\b", txt, re.I)]
    tok = rng.choice(["***", "[***]", "[ ]", "<<>>", "[...]", "{ }", "[INSERT]"])
    if words:
        m = rng.choice(words)
        if m.group(0).lower() in ("right", "left") and rng.random() < 0.6:
            tok = rng.choice(["[right/left]", "[side]", "[RIGHT/LEFT]"])
        new = txt[:m.start()] + tok + txt[m.end():]
        det = f"'{m.group(0)}' in {sec} replaced by {tok}"
    else:
        new = txt.rstrip() + f" {tok}"
        det = f"{tok} left at end of {sec}"
    if sec == "findings":
        return real_layout(r, rng, findings=new), det
    return real_layout(r, rng, impression=new), det


# --------------------------------------------------------------------------- build

SYN = {None: syn_clean, "missing_section": syn_missing, "laterality_conflict": syn_laterality,
       "negation_conflict": syn_negation, "impression_omits_finding": syn_omits, "placeholder": syn_placeholder}
REAL = {None: real_clean, "missing_section": real_missing, "laterality_conflict": real_lat,
        "negation_conflict": real_neg, "impression_omits_finding": real_omits, "placeholder": real_placeholder}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h88-{seed}")
    shared = shared_dir()
    dev = dev_uids(shared)
    rows = [r for r in load_iu(shared) if r["uid"] not in dev]
    pools = real_pools(rows)
    used: set[str] = set()

    def take(pool: list[dict], ok=lambda r: True) -> dict:
        cands = [r for r in pool if r["uid"] not in used and ok(r)]
        r = rng.choice(cands)
        used.add(r["uid"])
        return dict(r, findings=reword(r["findings"], rng), impression=reword(r["impression"], rng))

    cases = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_KIND
        for j in range(n):
            if j < n // 2:
                text, det = SYN[kind](rng)
                src = "bank"
            else:
                if kind is None:
                    r = take(pools["normal"] if rng.random() < 0.7 else pools["abn_ok"])
                elif kind == "missing_section":
                    r = take(pools["normal"] + pools["abn_ok"])
                elif kind == "laterality_conflict":
                    r = take(pools["lat"])
                elif kind == "negation_conflict":
                    r = take(pools["neg_norm"], lambda r: any(rx.search(r["findings"]) for _, rx in NEG_PATTERNS))
                elif kind == "impression_omits_finding":
                    r = take(pools["omits"])
                else:
                    r = take(pools["normal"] + pools["abn_ok"])
                text, det = REAL[kind](r, rng)
                src = r["uid"]
            cases.append({"injected": kind, "detail": det, "report": text, "_src": src})
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        det = c["detail"]
        if c["_src"] != "bank":
            det = (f"IU {c['_src']}: " + det) if det else f"IU {c['_src']}"
        out.append({"id": f"h88-{seed}-{n}", "injected": c["injected"], "detail": det, "report": c["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Held-out report-check set 88 (US urgent-care teleradiology).")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][:a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
