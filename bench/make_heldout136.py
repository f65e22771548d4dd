"""Held-out report-error set 136, written blind: Hawaii, Guam and the Northern Mariana Islands.

US-style chest radiograph reports as written at Queen's, Tripler Army Medical Center, Guam Memorial, the
Commonwealth Health Center (Saipan) and by mainland teleradiology: emergency, ward, clinic and
immigration/employment screening films. 200 clean reports and 40 of each of the five error kinds of
``shared/eval/README.md``; half of every group composed from a phrase bank, half real IU reports re-laid out
and lightly re-worded in the setting's style.

usage: python -m bench.make_heldout136 OUT.jsonl --seed S [--show N]
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
N_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------- IU archive
def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"(\s*\.){2,}", ".", text)
    text = re.sub(r"\s+([.,;])", r"\1", text)
    if text and text[-1] not in ".!?":
        text += "."
    return text


@functools.lru_cache(maxsize=4)
def load_iu(archive: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".xml"):
                continue
            root = ET.parse(tar.extractfile(member)).getroot()
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            secs = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            rows.append(
                {
                    "uid": uid_el.get("id"),
                    "findings": _tidy(secs.get("FINDINGS", "")),
                    "impression": _tidy(secs.get("IMPRESSION", "")),
                    "indication": _tidy(secs.get("INDICATION", "")),
                    "comparison": _tidy(secs.get("COMPARISON", "")),
                }
            )
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


def load_dev_uids(path: str) -> frozenset:
    with open(path) as fh:
        return frozenset(json.loads(line)["uid"] for line in fh if line.strip())


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text.strip())
    out: list[str] = []
    carry = ""
    for p in parts:
        if re.fullmatch(r"\d{1,2}[.)]", p.strip()):
            carry = ""
            continue
        p = re.sub(r"^\d{1,2}[.)](\s+|$)", "", p.strip())
        if not p:
            continue
        out.append(carry + p)
    return [s for s in out if re.search(r"[A-Za-z]", s)]


def split_items(text: str) -> list[str]:
    """Impression items: numbered groups when numbered, otherwise sentences."""
    if re.match(r"^\s*1[.)]\s", text):
        chunks = re.split(r"(?:^|\s)\d{1,2}[.)]\s+", text)
        items = [c.strip() for c in chunks if re.search(r"[A-Za-z]", c)]
        return [_tidy(i) for i in items]
    return split_sentences(text)


# ------------------------------------------------------------------------------------- concept heuristics
C = {
    "effusion": r"effusion|pleural fluid",
    "ptx": r"pneumothora",
    "consolidation": r"consolidat|air ?space (disease|opacit|process)|infiltrat|pneumoni|infect",
    "edema": r"edema|vascular congestion|pulmonary congestion|\bchf\b|heart failure|"
             r"interstitial (prominence|marking)",
    "cardiomegaly": r"cardiomegaly|(heart|cardiac silhouette|cardiac size|heart size)[^.]{0,25}"
                    r"\b(enlarge|large|prominent)|enlarged (heart|cardiac)|cardiac enlargement",
    "mass": r"\bmass|nodul|neoplas|malignan|tumor|lesion",
    "opacity": r"opacit|densit",
    "atelectasis": r"atelecta",
    "fracture": r"fracture",
    "widened": r"widen",
    "free_air": r"free air|pneumoperitoneum|free intraperitoneal|subdiaphragmatic air",
    "hyperinflation": r"hyperinfla|hyperexpan|emphysema|copd",
    "granuloma": r"granulom",
    "device": r"catheter|picc|\bport\b|tube|pacemaker|\bline\b|\blead",
    "diaphragm": r"hemidiaphragm|diaphragm",
}
SIG_FILTER = ["effusion", "ptx", "consolidation", "edema", "cardiomegaly", "mass", "opacity", "widened", "free_air",
              "fracture", "atelectasis"]
MENTION = {
    "opacity": ["opacity", "consolidation", "atelectasis", "mass", "edema", "granuloma"],
    "consolidation": ["consolidation", "opacity"],
    "atelectasis": ["atelectasis", "opacity", "consolidation"],
    "edema": ["edema", "cardiomegaly"],
    "cardiomegaly": ["cardiomegaly", "edema"],
    "mass": ["mass", "opacity", "granuloma"],
}
NEG_CUE = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution of|clear of|absence of|removal of"
                     r"|rather than|exclude|excluded)\b", re.I)
POST_NEG = re.compile(r"\b(not (seen|identified|present|visualized|evident|appreciated|demonstrated|visible)"
                      r"|absent|resolved|no longer|has cleared)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|probabl\w*|questionabl\w*|cannot|can not|could|versus|vs|suggest\w*|"
                   r"likely|suspicious|differential|concern\w*|equivocal|borderline|minimal|subtle|early|"
                   r"atelecta\w*|scar\w*|chronic|old|healed|stable|unchanged|calcified|trace|tiny|small|mild\w*)\b",
                   re.I)
LUNGS_CLEAR = re.compile(r"lungs (are |appear )?(grossly |otherwise )?clear|clear lungs|lungs are normal", re.I)
HEART_NORMAL = re.compile(r"heart size (is )?(within )?normal|normal heart size|heart (is )?normal in size|"
                          r"cardiac silhouette (is )?(within normal limits|normal)|"
                          r"cardiomediastinal silhouette (is )?(within normal limits|normal|unremarkable)|"
                          r"normal (cardiomediastinal|cardiac) silhouette", re.I)
NORMAL_IMP = re.compile(r"^(no (acute|active|evidence of|radiographic)|negative|normal|clear lungs|unremarkable|"
                        r"there is no (radiographic evidence of )?acute)", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
SIDE_SKIP = re.compile(r"\bheart\b|middle lobe|lingul|ventric|atri(um|al)|aortic arch|cardiac|paratracheal|hilar|hilum|"
                       r"bilateral|both|\bleft and right\b|\bright and left\b", re.I)


def positive(s: str, c: str) -> bool:
    m = re.search(C[c], s, re.I)
    if not m:
        return False
    before = s[: m.start()]
    cue = list(NEG_CUE.finditer(before))
    if cue and not re.search(r"\b(but|however|though|although|there is|there are|with)\b", before[cue[-1].end():],
                             re.I):
        return False
    return not POST_NEG.search(s[m.end():])


def negated(s: str, c: str) -> bool:
    m = re.search(C[c], s, re.I)
    if not m:
        return False
    return bool(NEG_CUE.search(s[: m.start()]) or POST_NEG.search(s[m.end():]))


def mentions(sents: list[str], c: str) -> bool:
    fams = MENTION.get(c, [c])
    return any(re.search(C[f], s, re.I) for s in sents for f in fams)


def sides(s: str) -> set[str]:
    return {m.lower() for m in SIDE.findall(s)}


def base_consistent(findings: str, impression: str) -> bool:
    """Conservative: keep only IU reports whose two sections plainly agree."""
    text = findings + " " + impression
    if re.search(r"\[|\*\*\*|<<|___|\bXX\b", text) or len(findings) < 30 or len(findings) > 700:
        return False
    if len(impression) > 420 or re.search(r"impression|findings", findings, re.I):
        return False
    F, Im = split_sentences(findings), split_sentences(impression)
    if not F or not Im:
        return False
    for c in C:
        fpos = any(positive(s, c) for s in F)
        fneg = any(negated(s, c) for s in F)
        ipos = any(positive(s, c) for s in Im)
        ineg = any(negated(s, c) for s in Im)
        if (fpos and ineg) or (ipos and fneg):
            return False
        if c in SIG_FILTER and fpos and not mentions(Im, c):
            return False
        if ipos and c in ("consolidation", "edema", "mass", "opacity") and any(LUNGS_CLEAR.search(s) for s in F):
            return False
        if ipos and c == "cardiomegaly" and any(HEART_NORMAL.search(s) for s in F):
            return False
        if fpos and c in ("consolidation", "edema", "mass", "opacity") and any(LUNGS_CLEAR.search(s) for s in Im):
            return False
        if fpos and c == "cardiomegaly" and any(HEART_NORMAL.search(s) for s in Im):
            return False
    # laterality: a finding placed on one side in one section must not sit only on the other side in the other
    for a, b in ((F, Im), (Im, F)):
        for s in a:
            sd = sides(s)
            if len(sd) != 1:
                continue
            for c in C:
                if not positive(s, c):
                    continue
                other = set()
                for t in b:
                    if re.search(C[c], t, re.I):
                        other |= sides(t)
                if other and not (sd & other):
                    return False
    if NORMAL_IMP.match(impression) and any(positive(s, c) for s in F for c in SIG_FILTER):
        return False
    return True


# ---------------------------------------------------------------------------------------- setting material
FACILITIES = [
    ("The Queen's Medical Center, Honolulu", "HST"),
    ("Tripler Army Medical Center", "HST"),
    ("Guam Memorial Hospital Authority", "ChST"),
    ("Commonwealth Health Center, Saipan", "ChST"),
    ("Hilo Medical Center", "HST"),
    ("U.S. Naval Hospital Guam", "ChST"),
    ("Maui Memorial Medical Center", "HST"),
    ("Kapiolani Medical Center", "HST"),
]
EXAMS_2V = ["XR CHEST 2 VIEWS", "CHEST PA AND LATERAL", "XR CHEST PA/LAT", "CHEST, 2 VIEWS (PA/LAT)",
            "RAD CHEST 2V"]
EXAMS_1V = ["XR CHEST 1 VIEW PORTABLE", "CHEST AP PORTABLE", "XR CHEST PORTABLE AP", "CHEST 1 VIEW"]
EXAMS_SCREEN = ["CHEST PA (SCREENING)", "XR CHEST PA ONLY", "CHEST PA VIEW"]
HIST = {
    "ed": ["Cough and fever x 3 days.", "Shortness of breath.", "Chest pain, r/o acute process.", "SOB, hypoxia.",
           "Fever, productive cough.", "Motor vehicle collision, chest wall pain.", "Fall, chest wall pain.",
           "Dyspnea on exertion, hx DM2, HTN.", "Hemoptysis.", "Pleuritic chest pain.", "Weakness, fever."],
    "ward": ["Hypoxia.", "ESRD on HD, volume overload?", "Fever on antibiotics, follow-up.", "Post line placement.",
             "s/p CABG, POD 2.", "Increasing O2 requirement.", "Diabetic foot infection, pre-op.", "Desaturation."],
    "clinic": ["Chronic cough x 1 month.", "Positive QuantiFERON, asymptomatic.", "Positive PPD.",
               "Follow-up pneumonia.", "Smoker, weight loss.", "Pre-op evaluation.", "Rheumatic heart disease, f/u.",
               "Annual PHA.", "Wheezing."],
    "screen": ["Immigration medical examination (I-693).", "Pre-employment screening, CW-1 worker.",
               "Health certificate, food handler.", "TB screening, recent arrival from Chuuk.",
               "Pre-deployment screening.", "TB clearance for school employment.", "Class B TB follow-up."],
}
COMPARISONS = ["None.", "None available.", "No prior studies available for comparison.", "XXXX.",
               "Chest radiograph XXXX.", "Prior study from outside facility, XXXX.", "CXR XXXX (GMH).", "XXXX, XXXX."]
COMPARISONS_PRIOR = ["Chest radiograph XXXX.", "CXR XXXX.", "Prior chest 2 views, XXXX.", "Portable chest XXXX."]
NORMAL_FULL = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.", "Normal chest.",
               "Negative chest.", "No acute cardiopulmonary disease.", "Normal chest radiograph.",
               "No acute intrathoracic abnormality.", "No active disease.", "Unremarkable chest radiograph."]
NORMAL_SOFT = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
               "No acute cardiopulmonary disease.", "No acute intrathoracic abnormality.", "No acute findings."]
NORMAL_SCREEN = ["No radiographic evidence of active pulmonary tuberculosis.", "Normal chest. No findings of TB.",
                 "No active disease. Cleared from radiographic standpoint."]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def flip(side: str) -> str:
    return {"right": "left", "left": "right"}[side]


# --------------------------------------------------------------------------------------- composed entities
# Sentences are templates over {side} {Side} {S} (R/L) and other slots; entity dicts carry everything needed to
# render them, flip one side, negate or drop them.
def _fmt(t: str, side: str | None, slots: dict) -> str:
    kw = dict(slots)
    if side:
        kw.update(side=side, Side=_cap(side), S=side[0].upper())
    return t.format(**kw)


def ent_pneumonia(rng: random.Random, side: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    lobe = rng.choice(["lower lobe", "lower lobe", "upper lobe"])
    ab = f"{side[0].upper()}{'LL' if lobe == 'lower lobe' else 'UL'}"
    find = rng.choice([
        "Patchy airspace consolidation in the {side} " + lobe + ".",
        "There is focal consolidation in the {side} " + lobe + " with air bronchograms.",
        "New airspace opacity in the {side} " + lobe + ".",
        "Dense consolidation at the {side} lung base." if lobe == "lower lobe" else
        "Dense consolidation in the {side} apex and upper lobe.",
    ])
    imp = rng.choice([
        "{Side} " + lobe + " pneumonia.",
        ab.replace(ab[0], "{S}", 1) + " pneumonia.",
        "{Side} " + lobe + " consolidation compatible with pneumonia in the appropriate clinical setting.",
        "Findings consistent with {side} " + lobe + " pneumonia.",
    ])
    rec = rng.choice(["", "Recommend follow-up PA and lateral chest radiograph in 6-8 weeks to document resolution.",
                      "Follow-up after treatment recommended."])
    return dict(key="pneumonia", side=side, sig=True, tags={"consolidation", "lung_any"}, find=[find], imp=[imp],
                rec=rec, optional=False, neg="No focal consolidation.", slots={})


def ent_effusion(rng: random.Random, side: str | None = None, size: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    size = size or rng.choice(["moderate", "large", "moderate"])
    find = rng.choice([
        "{Size} {side} pleural effusion with adjacent compressive atelectasis.",
        "There is a {size} {side} pleural effusion.",
        "{Size} {side} pleural effusion, increased since prior." if size != "small" else
        "Blunting of the {side} costophrenic angle consistent with a small pleural effusion.",
    ])
    imp = rng.choice(["{Size} {side} pleural effusion.", "{Size} {side} effusion.",
                      "{Size} {side} pleural effusion; consider thoracentesis if clinically indicated."
                      if size != "small" else "Small {side} pleural effusion."])
    return dict(key="effusion", side=side, sig=size != "small", tags={"effusion"}, find=[find], imp=[imp], rec="",
                optional=False, neg="No pleural effusion.", slots={"size": size, "Size": _cap(size)})


def ent_ptx(rng: random.Random, side: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    cm = rng.choice(["1.5", "2", "2.5", "3"])
    find = rng.choice([
        "Small {side} apical pneumothorax measuring approximately " + cm + " cm.",
        "There is a {side} pneumothorax with a visible pleural line " + cm + " cm from the apex.",
        "{Side} pneumothorax, approximately " + cm + " cm at the apex. No mediastinal shift.",
    ])
    imp = rng.choice(["{Side} pneumothorax, approximately " + cm + " cm.", "Small {side} apical pneumothorax.",
                      "{Side} apical pneumothorax."])
    rec = rng.choice(["Findings discussed with Dr. XXXX at XXXX.", "Critical result called to the ED provider.", ""])
    return dict(key="ptx", side=side, sig=True, tags={"ptx"}, find=[find], imp=[imp], rec=rec, optional=False,
                neg="No pneumothorax.", slots={})


def ent_chf(rng: random.Random) -> dict:
    find = [rng.choice(["The heart is enlarged.", "Cardiomegaly.", "Moderate cardiomegaly."]),
            rng.choice(["Pulmonary vascular congestion with interstitial edema.",
                        "There is interstitial pulmonary edema with Kerley B lines.",
                        "Increased interstitial markings and cephalization compatible with pulmonary edema."]),
            "Small bilateral pleural effusions."]
    imp = [rng.choice(["Cardiomegaly with pulmonary edema and small bilateral effusions, consistent with CHF.",
                       "Congestive heart failure with interstitial edema and small bilateral effusions.",
                       "Findings compatible with fluid overload/CHF: cardiomegaly, edema, small effusions."])]
    return dict(key="chf", side=None, sig=True, tags={"edema", "cardiomegaly", "effusion", "lung_any", "diffuse"},
                find=find, imp=imp, rec="", optional=False, neg="No pulmonary edema.", slots={})


def ent_mass(rng: random.Random, side: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    if rng.random() < 0.5:
        size = rng.choice(["2.3 cm", "3.1 cm", "4 cm"])
        find = rng.choice(["There is a " + size + " spiculated mass in the {side} upper lobe.",
                           "A " + size + " mass projects over the {side} upper lobe."])
        imp = rng.choice(["{Side} upper lobe mass, " + size + ", suspicious for malignancy.",
                          size + " {side} upper lobe mass. Neoplasm is a concern."])
    else:
        size = rng.choice(["8 mm", "1.1 cm", "12 mm", "9 mm"])
        art = "An" if size[0] in "8" or size.startswith("11") else "A"
        find = rng.choice([art + " " + size + " nodule projects over the {side} mid lung.",
                           "There is a new " + size + " nodule in the {side} lower lung zone."])
        imp = rng.choice(["{Side} lung nodule measuring " + size + ".", size + " {side} pulmonary nodule."])
    rec = rng.choice(["Recommend CT chest with contrast for further evaluation.", "Recommend chest CT.",
                      "Recommend CT chest and comparison with any outside films."])
    return dict(key="mass", side=side, sig=True, tags={"mass", "lung_any"}, find=[find], imp=[imp], rec=rec,
                optional=False, neg="No suspicious pulmonary nodule or mass.", slots={})


def ent_cavity(rng: random.Random, side: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    find = rng.choice(["Cavitary lesion in the {side} upper lobe measuring 3 cm with surrounding consolidation.",
                       "Thick-walled cavity in the {side} apex with adjacent patchy airspace disease."])
    imp = rng.choice(["Cavitary {side} upper lobe lesion with surrounding airspace disease, concerning for active "
                      "tuberculosis.", "{Side} upper lobe cavitary consolidation, suspicious for active TB."])
    rec = rng.choice(["Recommend airborne isolation and sputum AFB x3.",
                      "Recommend sputum AFB smear and culture; notify TB control."])
    return dict(key="cavity", side=side, sig=True, tags={"consolidation", "mass", "lung_any"}, find=[find],
                imp=[imp], rec=rec, optional=False, neg="No cavitary lesion.", slots={})


def ent_widened(rng: random.Random) -> dict:
    find = ["The mediastinum is widened, measuring " + rng.choice(["9", "9.5", "10"]) + " cm at the level of the "
            "aortic arch."]
    imp = [rng.choice(["Widened mediastinum. In the setting of trauma, recommend CTA chest to exclude aortic injury.",
                       "Mediastinal widening; CTA chest recommended."])]
    return dict(key="widened", side=None, sig=True, tags={"widened_med"}, find=find, imp=imp, rec="",
                optional=False, neg="Normal mediastinal contours.", slots={})


def ent_free_air(rng: random.Random) -> dict:
    find = [rng.choice(["There is free air beneath the right hemidiaphragm.",
                        "Free intraperitoneal air under the right hemidiaphragm."])]
    imp = [rng.choice(["Pneumoperitoneum. Findings called to Dr. XXXX at XXXX.",
                       "Free air under the right hemidiaphragm, compatible with pneumoperitoneum."])]
    return dict(key="free_air", side=None, sig=True, tags={"free_air"}, find=find, imp=imp, rec="",
                optional=False, neg="No free air under the diaphragm.", slots={})


def ent_incidental(rng: random.Random, key: str | None = None, side: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    key = key or rng.choice(["granuloma", "degen", "old_fx", "aorta", "small_nodule", "atelectasis", "old_tb",
                             "mild_cm", "sternotomy", "hyperinflation"])
    table = {
        "granuloma": ("Calcified granuloma in the {side} upper lobe.", "Calcified {side} upper lobe granuloma, "
                      "sequela of prior granulomatous disease.", {"lung_any", "granuloma"}, True),
        "degen": ("Degenerative changes of the thoracic spine.", "Thoracic spondylosis.", {"spine"}, False),
        "old_fx": ("Old healed fracture of the {side} posterior 6th rib.", "Old healed {side} rib fracture.",
                   {"fracture_old"}, True),
        "aorta": ("The thoracic aorta is tortuous with atherosclerotic calcification.",
                  "Aortic atherosclerosis.", {"aorta"}, False),
        "small_nodule": ("4 mm nodular density in the {side} lower lung zone, likely a granuloma.",
                         "Subcentimeter {side} lower lung nodular density, likely benign.", {"lung_any", "nodule"},
                         True),
        "atelectasis": ("Linear subsegmental atelectasis at the {side} lung base.",
                        "{Side} basilar subsegmental atelectasis.", {"lung_any", "atelectasis"}, True),
        "old_tb": ("Fibronodular scarring and volume loss at the {side} apex with calcified granulomas.",
                   "{Side} apical fibrocalcific changes, likely old healed TB. No radiographic evidence of active "
                   "disease.", {"lung_any", "scar"}, True),
        "mild_cm": ("Mild cardiomegaly, unchanged from prior.", "Stable mild cardiomegaly.", {"cardiomegaly"}, False),
        "sternotomy": ("Median sternotomy wires and CABG clips.", "Postsurgical changes of CABG.", {"surgery"}, False),
        "hyperinflation": ("The lungs are hyperinflated with flattening of the hemidiaphragms.",
                           "Hyperinflation, compatible with COPD.", {"lung_any", "hyper"}, False),
    }
    f, i, tags, sided = table[key]
    return dict(key=key, side=side if sided else None, sig=False, tags=tags, find=[f], imp=[i], rec="",
                optional=key != "old_tb", neg="", slots={})


def ent_line(rng: random.Random, side: str | None = None) -> dict:
    side = side or rng.choice(["right", "left"])
    kind = rng.choice(["ij", "picc", "hd"])
    if kind == "ij":
        find = "{Side} internal jugular central venous catheter with tip in the distal SVC."
        imp = rng.choice(["{Side} IJ central line with tip in the SVC.", "{S} IJ CVC tip in the distal SVC."])
    elif kind == "picc":
        find = "{Side} upper extremity PICC with tip at the cavoatrial junction."
        imp = rng.choice(["{Side} PICC tip at the cavoatrial junction.", "{Side} arm PICC in good position."])
    else:
        find = "{Side} IJ tunneled dialysis catheter with tips in the right atrium."
        imp = "{Side} IJ dialysis catheter in expected position."
    return dict(key="line", side=side, sig=False, tags={"device"}, find=[find], imp=[imp], rec="", optional=False,
                neg="", slots={})


# normal statements by region: (region, text, tags it would contradict)
NORMALS = [
    ("lungs", "The lungs are clear.", {"lung_any"}),
    ("lungs", "Lungs are clear bilaterally.", {"lung_any"}),
    ("lungs", "The lungs are well expanded and clear.", {"lung_any", "hyper"}),
    ("lungs", "No focal consolidation.", {"consolidation", "mass", "diffuse"}),
    ("lungs", "No focal airspace disease.", {"consolidation", "mass", "diffuse"}),
    ("lungs", "The lungs are otherwise clear.", {"diffuse", "consolidation", "mass", "ONLY_IF_LUNG"}),
    ("pleura", "No pleural effusion or pneumothorax.", {"effusion", "ptx"}),
    ("pleura", "No effusion or pneumothorax.", {"effusion", "ptx"}),
    ("pleura", "No pleural effusion.", {"effusion"}),
    ("pleura", "No pneumothorax.", {"ptx"}),
    ("pleura", "Costophrenic angles are sharp. No pneumothorax.", {"effusion", "ptx"}),
    ("heart", "Heart size is normal.", {"cardiomegaly"}),
    ("heart", "The cardiomediastinal silhouette is within normal limits.", {"cardiomegaly", "widened_med"}),
    ("heart", "Normal heart size and mediastinal contours.", {"cardiomegaly", "widened_med"}),
    ("heart", "The cardiac silhouette is normal in size.", {"cardiomegaly"}),
    ("heart", "Mediastinal contours are normal.", {"widened_med"}),
    ("bones", "No acute osseous abnormality.", {"fracture_acute"}),
    ("bones", "Visualized osseous structures are intact.", {"fracture_acute", "fracture_old"}),
    ("bones", "No acute fracture.", {"fracture_acute"}),
    ("abdomen", "No free air under the diaphragm.", {"free_air"}),
    ("abdomen", "Visualized upper abdomen is unremarkable.", {"free_air"}),
]
# what each normal statement negates, and an impression sentence that asserts it (negation_conflict, variant a)
ASSERT_AGAINST = {
    "lungs": [("consolidation", "{Side} lower lobe pneumonia."), ("consolidation", "{Side} basilar consolidation."),
              ("edema", "Mild interstitial pulmonary edema.")],
    "pleura_eff": [("effusion", "Small {side} pleural effusion."), ("effusion", "Moderate {side} pleural effusion."),
                   ("effusion", "Small bilateral pleural effusions.")],
    "pleura_ptx": [("ptx", "Small {side} apical pneumothorax.")],
    "heart": [("cardiomegaly", "Cardiomegaly."), ("cardiomegaly", "Enlarged cardiac silhouette."),
              ("cardiomegaly", "Mild cardiomegaly.")],
    "abdomen": [("free_air", "Free air under the right hemidiaphragm.")],
}


REGION_PATS = [
    ("lines", r"catheter|picc|\btube|\bline\b|pacemaker|\bport\b|\bleads?\b|generator"),
    ("lungs", r"^(the |both )?lungs?\b|^clear lungs|lung|airspace|consolidat|opacit|infiltrat|atelecta|nodul|mass|"
              r"granulom|pneumonia"),
    ("pleura", r"effusion|pneumothora|pleura|costophrenic"),
    ("heart", r"heart|cardi|mediastin|aort|hila"),
    ("bones", r"osseous|osseus|bone|bony|spine|\brib|fracture|clavicle|shoulder|sternotomy|spondyl|skelet|"
              r"soft tissue|kyphosis|scoliosis"),
    ("abdomen", r"diaphragm|free air|abdomen|bowel"),
]


def region_of(s: str) -> str:
    low = s.lower()
    best = ("lungs", 10**6)
    for region, pat in REGION_PATS:
        m = re.search(pat, low)
        if m and m.start() < best[1]:
            best = (region, m.start())
    return best[0]


# ------------------------------------------------------------------------------------------------- layouts
def _sign(rng: random.Random, style: str, tz: str) -> list[str]:
    if style == "tamc":
        rank = rng.choice(["MAJ, MC, USA", "CPT, MC, USA", "LCDR, MC, USN", "Maj, USAF, MC", "LTC, MC, USA"])
        return [f"Interpreted By: XXXX, {rank}", f"Approved By: XXXX, {rank}", f"Date Approved: XXXX {tz}"]
    if style == "telerad":
        return [rng.choice(["Preliminary interpretation by XXXX, MD (teleradiology). Final report to follow from "
                            "the on-site radiologist.", "Read remotely by XXXX, MD, board-certified radiologist, "
                            "licensed in Hawaii and Guam."]), f"Signed: XXXX {tz}"]
    return rng.choice([
        [f"Electronically signed by: XXXX, MD on XXXX at XXXX {tz}"],
        ["Dictated by: XXXX, MD", f"Signed: XXXX, MD  XXXX {tz}"],
        ["I have personally reviewed the images and agree with the findings.", "Attending radiologist: XXXX, MD"],
        [f"Electronically signed: XXXX, MD  Date/Time: XXXX {tz}"],
        ["Radiologist: XXXX, MD", "Transcribed by PS360"],
    ])


def render(parts: dict, rng: random.Random, style: str, missing: str | None = None) -> tuple[str, str]:
    """parts: exam, history, comparison, findings (list of sentences), impression (list of items), facility, tz,
    normal (bool). missing: None or one of findings_empty, impression_empty, impression_sig_only,
    impression_removed. Returns (text, layout description)."""
    fac, tz = parts["facility"], parts["tz"]
    if style == "tamc" and not re.search(r"Tripler|Naval", fac):
        fac, tz = rng.choice([("Tripler Army Medical Center", "HST"), ("U.S. Naval Hospital Guam", "ChST")])
    up = rng.random() < 0.7
    fh = "FINDINGS:" if up else "Findings:"
    ih = "IMPRESSION:" if up else "Impression:"
    numbered = len(parts["impression"]) > 1 and rng.random() < 0.8
    if numbered:
        imp_lines = [f"{i + 1}. {t}" for i, t in enumerate(parts["impression"])]
    else:
        imp_lines = [" ".join(parts["impression"])]
    structured = style in ("structured", "screen", "tamc") and rng.random() < 0.75
    if structured:
        labels = {"lines": "Lines/tubes", "lungs": "Lungs", "pleura": "Pleura", "heart": "Heart/mediastinum",
                  "bones": "Bones/soft tissues", "abdomen": "Upper abdomen"}
        if style == "screen":
            labels = {k: v.upper() for k, v in labels.items()}
        groups: dict[str, list[str]] = {}
        for s in parts["findings"]:
            groups.setdefault(region_of(s), []).append(s)
        find_lines = []
        if style == "structured" and "lines" not in groups:
            find_lines.append(f"{labels['lines']}: None.")
        for r in ["lines", "lungs", "pleura", "heart", "bones", "abdomen"]:
            if r in groups:
                find_lines.append(f"{labels[r]}: " + " ".join(groups[r]))
    else:
        find_lines = [" ".join(parts["findings"])]
        if rng.random() < 0.2 and len(parts["findings"]) > 3:
            find_lines = [" ".join(parts["findings"][:2]), " ".join(parts["findings"][2:])]
    sign = _sign(rng, style, tz)
    hist, comp, exam = parts["history"], parts["comparison"], parts["exam"]
    head: list[str]
    if style == "tamc":
        if "Guam" in fac:
            loc = rng.choice(["USNH GUAM ER", "USNH GUAM MED CLINIC", "USNH GUAM WARD 2"])
        else:
            loc = rng.choice(["TAMC ED", "TAMC 4B", "SCHOFIELD BARRACKS FMC", "TAMC IM CLINIC"])
        head = [f"Procedure: {exam}", f"Requesting Location: {loc}",
                f"Reason For Exam: {hist}", f"Comparison: {comp}"]
    elif style == "telerad":
        head = ["PRELIMINARY REPORT - TELERADIOLOGY", f"Site: {fac}", f"EXAM: {exam}", f"HISTORY: {hist}",
                f"COMPARISON: {comp}"]
    elif style == "screen":
        head = [fac.upper(), "DEPARTMENT OF RADIOLOGY", f"EXAMINATION: {exam}", f"PURPOSE: {hist}",
                f"COMPARISON: {comp}"]
    elif style == "inline":
        head = [f"{exam} -- Hx: {hist} Comparison: {comp}"]
    else:
        head = [fac, f"EXAM: {exam}", f"CLINICAL HISTORY: {hist}", f"COMPARISON: {comp}",
                "TECHNIQUE: " + ("Frontal and lateral views of the chest." if "2" in exam or "LAT" in exam
                                 else "Single frontal view of the chest.")]
    lines = list(head) + [""]
    # findings
    if missing == "findings_empty":
        lines += [fh, ""]
    elif missing == "findings_removed":
        pass
    elif style == "inline":
        lines += [fh + " " + " ".join(find_lines), ""]
    else:
        lines += [fh] + find_lines + [""]
    # impression
    if missing == "impression_empty":
        lines += [ih, "", ""]
    elif missing == "impression_sig_only":
        lines += [ih]
    elif missing == "impression_removed":
        pass
    elif style == "inline" and not numbered:
        lines += [ih + " " + imp_lines[0], ""]
    else:
        lines += [ih] + imp_lines + [""]
    if style == "tamc" and missing not in ("impression_empty", "impression_sig_only", "impression_removed"):
        lines += ["Result Code: " + ("NORMAL" if parts.get("normal") else "ABNORMAL"), ""]
    lines += sign
    text = "\n".join(lines).strip() + "\n"
    text = re.sub(r"\n{3,}", "\n\n", text) if missing != "impression_empty" else text
    return text, f"layout {style}{' with subheadings' if structured else ''}{', numbered' if numbered else ''}"


STYLES = ["queens", "tamc", "telerad", "screen", "inline", "structured"]


def pick_style(rng: random.Random, encounter: str) -> str:
    if encounter == "screen":
        return rng.choice(["screen", "screen", "queens", "tamc", "structured"])
    if encounter == "ed":
        return rng.choice(["telerad", "telerad", "queens", "inline", "tamc", "structured"])
    return rng.choice(["queens", "tamc", "inline", "structured", "queens"])


def _setting(rng: random.Random, encounter: str) -> tuple[str, str, str]:
    fac, tz = rng.choice(FACILITIES)
    if encounter == "screen":
        exam = rng.choice(EXAMS_SCREEN)
    elif encounter in ("ed", "ward") and rng.random() < 0.4:
        exam = rng.choice(EXAMS_1V)
    else:
        exam = rng.choice(EXAMS_2V)
    return fac, tz, exam


# ------------------------------------------------------------------------------------------ placeholders
PH_NUM = ["XX", "___", "***", "[ ]", "<<size>>", "[***]"]
PH_SIDE = ["[right/left]", "***", "[ ]", "[side]", "[***]", "{RIGHT/LEFT}"]
PH_SEV = ["[mild/moderate/severe]", "***", "[size]", "<<size>>", "[***]", "[ ]"]
PH_WORD = ["***", "[ ]", "[***]", "___", "<<>>"]


def inject_placeholder(parts: dict, rng: random.Random) -> str:
    """Replace one word of findings/impression (or the comparison) by an unfilled template field."""
    cands = []
    for sec in ("findings", "impression"):
        for i, t in enumerate(parts[sec]):
            for m in re.finditer(r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm)\b)", t):
                cands.append((3, sec, i, m.span(), PH_NUM))
            for m in re.finditer(r"\b(?:right|left|Right|Left)\b", t):
                cands.append((2, sec, i, m.span(), PH_SIDE))
            for m in re.finditer(r"\b(?:small|moderate|large|mild|Small|Moderate|Large|Mild)\b", t):
                cands.append((2, sec, i, m.span(), PH_SEV))
            for m in re.finditer(r"\b(?:normal|clear|intact|unremarkable|sharp|acute|lobe|effusion|base)\b", t):
                cands.append((1, sec, i, m.span(), [p for p in PH_WORD if p != "___"]))
    if not cands:
        raise ValueError("no slot for a placeholder")
    if rng.random() < 0.12:
        old = parts["comparison"]
        parts["comparison"] = rng.choice(["[DATE]", "***", "<<prior exam date>>", "[Comparison]"])
        return f"comparison '{old}' replaced by the unfilled field '{parts['comparison']}'"
    weights = [w for w, *_ in cands]
    _, sec, i, (a, b), bank = rng.choices(cands, weights=weights)[0]
    t = parts[sec][i]
    ph = rng.choice(bank)
    parts[sec][i] = t[:a] + ph + t[b:]
    return f"'{t[a:b]}' in {sec} sentence '{t}' replaced by the unfilled field '{ph}'"


# ----------------------------------------------------------------------------------------- composed cases
SCENARIOS = ["normal", "normal", "incidental", "incidental", "pneumonia", "pneumonia", "effusion", "ptx", "chf",
             "mass", "cavity", "widened", "free_air", "line", "line"]
SIG_SCEN = ["pneumonia", "pneumonia", "effusion", "ptx", "chf", "mass", "cavity", "widened", "free_air"]


def _incidentals(rng: random.Random, ents: list[dict], n: int) -> list[dict]:
    out = []
    for _ in range(n * 4):
        if len(out) >= n:
            break
        e = ent_incidental(rng)
        used = set().union(*[x["tags"] for x in ents + out]) - {"lung_any"} if ents + out else set()
        if e["key"] in {x["key"] for x in ents + out} or (e["tags"] - {"lung_any"}) & used:
            continue
        out.append(e)
    return out


def compose_entities(rng: random.Random, scen: str) -> tuple[str, list[dict]]:
    enc = {"normal": rng.choice(["ed", "clinic", "screen", "screen", "ward"]),
           "incidental": rng.choice(["clinic", "screen", "ed", "ward"]),
           "pneumonia": rng.choice(["ed", "ward", "clinic"]), "effusion": rng.choice(["ed", "ward"]),
           "ptx": "ed", "chf": rng.choice(["ed", "ward"]), "mass": rng.choice(["clinic", "ed"]),
           "cavity": rng.choice(["clinic", "screen"]), "widened": "ed", "free_air": "ed",
           "line": "ward"}[scen]
    ents: list[dict] = []
    if scen == "incidental":
        ents = _incidentals(rng, [], rng.choice([1, 1, 2]))
    elif scen == "pneumonia":
        ents = [ent_pneumonia(rng)]
        if rng.random() < 0.3:
            ents.append(ent_effusion(rng, side=ents[0]["side"], size="small"))
    elif scen == "effusion":
        ents = [ent_effusion(rng)]
    elif scen == "ptx":
        ents = [ent_ptx(rng)]
    elif scen == "chf":
        ents = [ent_chf(rng)]
        if rng.random() < 0.4:
            e = ent_line(rng)
            ents.append(e)
    elif scen == "mass":
        ents = [ent_mass(rng)]
    elif scen == "cavity":
        ents = [ent_cavity(rng)]
    elif scen == "widened":
        ents = [ent_widened(rng)]
    elif scen == "free_air":
        ents = [ent_free_air(rng)]
    elif scen == "line":
        ents = [ent_line(rng)]
    if scen not in ("normal", "incidental") and rng.random() < 0.35:
        ents += _incidentals(rng, ents, 1)
    return enc, ents


def _render_ent(e: dict, which: str, flip_idx: int | None = None) -> list[str]:
    out = []
    for j, t in enumerate(e[which]):
        side = e["side"]
        if flip_idx == j and side:
            side = flip(side)
        out.append(_fmt(t, side, e["slots"]))
    return out


def compose_findings(rng: random.Random, ents: list[dict], flip_ent: int | None = None) -> tuple[list, list]:
    tags = set().union(*[e["tags"] for e in ents]) if ents else set()
    rows: list[tuple[str, str]] = []
    for k, e in enumerate(ents):
        for s in _render_ent(e, "find", 0 if flip_ent == k else None):
            rows.append((region_of(s), s))
    used = []
    for region, p in (("lungs", 1), ("pleura", 1), ("heart", 1), ("bones", 0.8), ("abdomen", 0.25)):
        if rng.random() > p:
            continue
        opts = []
        for r, text, neg in NORMALS:
            if r != region:
                continue
            if "ONLY_IF_LUNG" in neg:
                if "lung_any" in tags and not (neg - {"ONLY_IF_LUNG"}) & tags - {"consolidation", "mass"}:
                    opts.append((r, text, neg))
                continue
            if not (neg & tags):
                opts.append((r, text, neg))
        if opts:
            r, text, neg = rng.choice(opts)
            rows.append((r, text))
            used.append((r, text, neg))
    order = ["lines", "lungs", "pleura", "heart", "bones", "abdomen"]
    rows.sort(key=lambda x: order.index(x[0]))
    return [s for _, s in rows], used


def compose_impression(rng: random.Random, ents: list[dict], enc: str, force: bool = False,
                       flip_ent: int | None = None, skip: int | None = None) -> list[str]:
    items = []
    for k, e in enumerate(ents):
        if k == skip:
            continue
        if e["sig"] or not e["optional"] or force or rng.random() < 0.5:
            txt = " ".join(_render_ent(e, "imp", 0 if flip_ent == k else None))
            if e["rec"] and rng.random() < 0.7:
                txt += " " + e["rec"]
            items.append(txt)
    if not items:
        if not ents:
            items = [rng.choice(NORMAL_SCREEN if enc == "screen" else NORMAL_FULL)]
        else:
            items = [rng.choice(NORMAL_SOFT)]
    elif ents and not any(e["sig"] for e in ents) and rng.random() < 0.4 and skip is None:
        items.append(rng.choice(["No acute cardiopulmonary process.", "No acute cardiopulmonary disease."]))
    return items


def composed_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    for _ in range(200):
        res = _try_composed(rng, kind)
        if res:
            return res
    raise RuntimeError(f"could not compose {kind}")


def _try_composed(rng: random.Random, kind: str | None) -> tuple[str, str] | None:
    if kind in ("impression_omits_finding",):
        scen = rng.choice(SIG_SCEN)
    elif kind == "laterality_conflict":
        scen = rng.choice(["pneumonia", "pneumonia", "effusion", "ptx", "mass", "cavity", "line", "incidental"])
    elif kind == "negation_conflict":
        scen = rng.choice(SCENARIOS)
    else:
        scen = rng.choice(SCENARIOS)
    enc, ents = compose_entities(rng, scen)
    fac, tz, exam = _setting(rng, enc)
    style = pick_style(rng, enc)
    hist = rng.choice(SCEN_HIST.get(scen, HIST[enc]) if rng.random() < 0.7 else HIST[enc])
    if scen in ("widened", "free_air"):
        hist = rng.choice(SCEN_HIST[scen])
    comp = rng.choice(COMPARISONS_PRIOR if scen in ("line", "chf") or rng.random() < 0.3 else COMPARISONS)
    parts = dict(facility=fac, tz=tz, exam=exam, history=hist, comparison=comp)
    missing = None
    what = f"composed {scen} ({enc})"
    if kind == "laterality_conflict":
        sided = [k for k, e in enumerate(ents) if e["side"] and any("{s" in t.lower() for t in e["imp"])
                 and any("{s" in t.lower() for t in e["find"])]
        if not sided:
            return None
        k = rng.choice(sided)
        if rng.random() < 0.5:
            parts["findings"], _ = compose_findings(rng, ents, flip_ent=k)
            parts["impression"] = compose_impression(rng, ents, enc, force=True)
            where = "findings"
        else:
            parts["findings"], _ = compose_findings(rng, ents)
            parts["impression"] = compose_impression(rng, ents, enc, force=True, flip_ent=k)
            where = "impression"
        e = ents[k]
        what += f"; {e['key']} is {e['side']} in one section, flipped to {flip(e['side'])} in the {where}"
    elif kind == "negation_conflict":
        parts["findings"], used = compose_findings(rng, ents)
        parts["impression"] = compose_impression(rng, ents, enc)
        neg_ok = [k for k, e in enumerate(ents) if e["neg"] and e["key"] in
                  ("pneumonia", "effusion", "ptx", "chf", "mass", "cavity")]
        if neg_ok and rng.random() < 0.45:
            k = rng.choice(neg_ok)
            e = ents[k]
            items = compose_impression(rng, ents, enc, skip=k)
            items = [i for i in items if i not in NORMAL_SOFT + NORMAL_FULL]
            neg = e["neg"]
            if e["key"] == "effusion" and rng.random() < 0.5:
                neg = "No pleural effusion or pneumothorax."
            pos = rng.randrange(len(items) + 1)
            parts["impression"] = items[:pos] + [neg] + items[pos:]
            what += f"; findings affirm {e['key']} ('{_render_ent(e, 'find')[0]}'), impression says '{neg}'"
        else:
            opts = []
            for r, text, negs in used:
                if "ONLY_IF_LUNG" in negs or "otherwise" in text:
                    continue
                keys = []
                if r == "lungs":
                    keys = ["lungs"] if "lung_any" in negs else []
                    if "consolidation" in negs:
                        keys = ["lungs"]
                elif r == "pleura":
                    keys = (["pleura_eff"] if "effusion" in negs else []) + (["pleura_ptx"] if "ptx" in negs else [])
                elif r == "heart" and "cardiomegaly" in negs:
                    keys = ["heart"]
                elif r == "abdomen":
                    keys = ["abdomen"]
                for key in keys:
                    for concept, assertion in ASSERT_AGAINST[key]:
                        if concept == "edema" and "lung_any" not in negs:
                            continue
                        opts.append((text, assertion))
            if not opts:
                return None
            text, assertion = rng.choice(opts)
            assertion = _fmt(assertion, rng.choice(["right", "left"]), {})
            if any(e["sig"] for e in ents):
                parts["impression"] = parts["impression"] + [assertion]
            else:
                parts["impression"] = [assertion]
            what += f"; findings state '{text}', impression asserts '{assertion}'"
    elif kind == "impression_omits_finding":
        sig = [k for k, e in enumerate(ents) if e["sig"]]
        if not sig:
            return None
        k = sig[0]
        parts["findings"], _ = compose_findings(rng, ents)
        others = [j for j in range(len(ents)) if j != k]
        if others and rng.random() < 0.6:
            parts["impression"] = compose_impression(rng, ents, enc, force=True, skip=k)
            how = "impression lists only the other findings"
        else:
            parts["impression"] = [rng.choice(NORMAL_SOFT)]
            how = "impression replaced by a normal statement"
        what += f"; findings affirm {ents[k]['key']} ('{_render_ent(ents[k], 'find')[0]}'), {how}"
    else:
        parts["findings"], _ = compose_findings(rng, ents)
        parts["impression"] = compose_impression(rng, ents, enc)
        if kind == "missing_section":
            missing = rng.choice(["findings_empty", "findings_empty", "impression_empty", "impression_sig_only",
                                  "impression_removed"])
            what += "; " + MISSING_DESC[missing]
        elif kind == "placeholder":
            what += "; " + inject_placeholder(parts, rng)
        elif rng.random() < 0.06 and style not in ("inline",):
            # impression-only report whose impression itself describes the findings: clean
            parts["impression"] = [" ".join(parts["findings"])] + [
                i for i in parts["impression"] if not re.match(r"No acute|Normal|Negative|Unremark", i)]
            missing = "findings_removed"
            what += "; impression-only report (no FINDINGS section, the impression describes the findings)"
    parts["normal"] = not any(e["imp"] for e in ents) or parts["impression"][0] in NORMAL_SOFT + NORMAL_FULL
    text, lay = render(parts, rng, style, missing)
    return text, f"{what}; {lay}"


SCEN_HIST = {
    "widened": ["MVC, rollover, chest pain.", "Motorcycle crash, chest trauma.", "Fall from height, trauma."],
    "free_air": ["Abdominal pain, r/o free air.", "Acute abdomen.", "Epigastric pain, peritoneal signs."],
    "ptx": ["Motor vehicle collision, chest wall pain.", "Sudden onset chest pain and SOB.", "Stab wound to chest.",
            "Spontaneous pneumothorax follow-up? Sudden dyspnea."],
    "chf": ["ESRD on HD, volume overload?", "SOB, leg swelling, hx CHF.", "Dyspnea, orthopnea."],
    "mass": ["Smoker, weight loss.", "Hemoptysis.", "Chronic cough, 40 pack-year smoker."],
    "cavity": ["Positive QuantiFERON, cough x 2 months.", "Cough, night sweats, weight loss.",
               "TB screening, recent arrival from Chuuk.", "Immigration medical examination (I-693)."],
    "pneumonia": ["Cough and fever x 3 days.", "Fever, productive cough.", "Fever, hypoxia.", "r/o pna."],
    "line": ["Post line placement.", "PICC placement, tip check.", "New HD catheter."],
}


MISSING_DESC = {
    "findings_empty": "FINDINGS header left with nothing under it",
    "impression_empty": "IMPRESSION header left with nothing under it",
    "impression_sig_only": "IMPRESSION header with only the signature under it",
    "impression_removed": "IMPRESSION section removed",
}


# -------------------------------------------------------------------------------------------- IU cases
REWORD = [
    (r"^No acute cardiopulmonary abnormalit(y|ies)\.$", "No acute cardiopulmonary process."),
    (r"^No acute disease\.$", "No acute cardiopulmonary disease."),
    (r"^There (is|are) no\b", "No"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bpneumothorax or pleural effusion\b", "pleural effusion or pneumothorax"),
    (r"\bair space\b", "airspace"),
    (r"^Normal chest\.$", "Normal chest radiograph."),
    (r"^No evidence of active disease\.$", "No active disease."),
    (r"^The lungs are clear\b", "Lungs are clear"),
    (r"\bNo acute bony abnormalit(y|ies)\b", "No acute osseous abnormality"),
    (r"\bx-ray\b", "radiograph"),
    (r"\bcardio mediastinal\b", "cardiomediastinal"),
    (r"\bwithin normal limits\b", "WNL"),
    (r"\bIn addition, ", ""),
]


def iu_parts(row: dict, rng: random.Random) -> tuple[dict, int]:
    changes = 0

    def rew(s: str) -> str:
        nonlocal changes
        for pat, rep in REWORD:
            if rng.random() < 0.7:
                new = re.sub(pat, rep, s)
                if new != s:
                    changes += 1
                    s = _cap(new)
        return s

    findings = [rew(s) for s in split_sentences(row["findings"])]
    impression = [rew(s) for s in split_items(row["impression"])]
    fac, tz = rng.choice(FACILITIES)
    enc_screen = re.search(r"pre-?op|ppd|\btb\b|screen|employ|immigra|physical", row["indication"], re.I)
    parts = dict(facility=fac, tz=tz, exam=rng.choice(EXAMS_2V),
                 history=row["indication"] or "Not provided.", comparison=row["comparison"] or "None.",
                 findings=findings, impression=impression,
                 normal=bool(NORMAL_IMP.match(" ".join(impression))))
    parts["style"] = rng.choice(STYLES if enc_screen else [s for s in STYLES if s != "screen"])
    return parts, changes


def _imp_sents(items: list[str]) -> list[tuple[int, str]]:
    return [(i, s) for i, it in enumerate(items) for s in split_sentences(it)]


GROUPS = {
    "airspace": ["consolidation", "opacity", "atelectasis"],
    "pleural": ["effusion"],
    "ptx": ["ptx"],
    "nodule": ["mass", "granuloma"],
    "fracture": ["fracture"],
    "device": ["device"],
    "diaphragm": ["diaphragm"],
}


def _groups(s: str) -> set[str]:
    return {g for g, cs in GROUPS.items() if any(positive(s, c) for c in cs)}


def _flip_sentence(s: str) -> str:
    return SIDE.sub(lambda m: _case_like(flip(m.group(0).lower()), m.group(0)), s)


def _case_like(word: str, like: str) -> str:
    return _cap(word) if like[0].isupper() else word


def iu_laterality(parts: dict, rng: random.Random) -> str | None:
    F = parts["findings"]
    Im = _imp_sents(parts["impression"])
    opts = []
    for fi, f in enumerate(F):
        sf = sides(f)
        if len(sf) != 1 or SIDE_SKIP.search(f):
            continue
        for ii, i in Im:
            si = sides(i)
            if si != sf or SIDE_SKIP.search(i):
                continue
            common = _groups(f) & _groups(i)
            for g in sorted(common):  # (in a fixed order: a set's follows the hash seed)
                related = [t for t in F + [x for _, x in Im] if any(re.search(C[c], t, re.I) for c in GROUPS[g])]
                if all(sides(t) <= sf for t in related):
                    opts.append((fi, f, ii, i, g))
    if not opts:
        return None
    firm = [o for o in opts if not SOFT_HEDGE.search(o[1] + " " + o[3]) and "XXXX" not in o[1] + o[3]]
    fi, f, ii, i, g = rng.choice(firm or opts)
    s = next(iter(sides(f)))
    if rng.random() < 0.5:
        parts["findings"][fi] = _flip_sentence(f)
        return (f"{g} finding is {s} in both sections; findings sentence '{f}' flipped to "
                f"'{parts['findings'][fi]}' (impression keeps '{i}')")
    parts["impression"][ii] = parts["impression"][ii].replace(i, _flip_sentence(i), 1)
    return (f"{g} finding is {s} in both sections; impression sentence '{i}' flipped to '{_flip_sentence(i)}' "
            f"(findings keep '{f}')")


NEG_ASSERT = {
    "effusion": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion.", "Bilateral pleural effusions."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "consolidation": ["{Side} lower lobe pneumonia.", "{Side} basilar consolidation, likely pneumonia.",
                      "RLL pneumonia."],
    "edema": ["Mild pulmonary edema.", "Pulmonary vascular congestion with interstitial edema."],
    "cardiomegaly": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
}
NEG_REPLACE = {
    "cardiomegaly": ["Normal heart size.", "Heart size is normal."],
    "effusion": ["No pleural effusion.", "No pleural effusions."],
    "ptx": ["No pneumothorax."],
    "consolidation": ["No focal consolidation.", "Lungs are clear."],
}
SOFT_HEDGE = re.compile(r"\b(may|might|possibl\w*|questionabl\w*|cannot|could|versus|borderline|equivocal|"
                        r"suggest\w*|probabl\w*|no longer|resolv\w*|previous\w*|prior)\b", re.I)
QUAL = re.compile(r"\b(large|significant|definite|sizable|new|acute|gross|visible|focal)\b", re.I)


def iu_negation(parts: dict, rng: random.Random) -> str | None:
    F = parts["findings"]
    Im = _imp_sents(parts["impression"])
    isents = [s for _, s in Im]
    opts_a = []
    for f in F:
        for c in ("effusion", "ptx", "consolidation", "edema"):
            qual_ok = c == "consolidation" and re.search(r"no focal (consolidation|airspace)", f, re.I)
            explicit = re.search(r"\b(no|without|negative for)\b", f, re.I)
            if negated(f, c) and explicit and (qual_ok or not QUAL.search(f)) \
                    and not any(positive(t, c) for t in F) and not mentions(isents, c):
                opts_a.append((f, c))
        if LUNGS_CLEAR.search(f) and "otherwise" not in f.lower() and not mentions(isents, "consolidation"):
            opts_a.append((f, "consolidation"))
        if HEART_NORMAL.search(f) and not mentions(isents, "cardiomegaly"):
            opts_a.append((f, "cardiomegaly"))
    opts_b = []
    for c, reps in NEG_REPLACE.items():
        fs = [f for f in F if positive(f, c) and not SOFT_HEDGE.search(f)
              and not re.search(r"minimal|subtle|trace|tiny|XXXX", f, re.I)]
        if not fs:
            continue
        for idx, it in enumerate(parts["impression"]):
            if positive(it, c) and not SOFT_HEDGE.search(it) and len(split_sentences(it)) == 1 and \
                    not any(positive(it, o) for o in SIG_FILTER if o not in MENTION.get(c, [c]) + [c]):
                opts_b.append((fs[0], c, idx, rng.choice(reps)))
    if opts_b and (rng.random() < 0.35 or not opts_a):
        f, c, idx, rep = rng.choice(opts_b)
        old = parts["impression"][idx]
        parts["impression"][idx] = rep
        parts["normal"] = False
        return f"findings affirm {c} ('{f}'); impression item '{old}' replaced by '{rep}'"
    if not opts_a:
        return None
    f, c = rng.choice(opts_a)
    assertion = _fmt(rng.choice(NEG_ASSERT[c]), rng.choice(["right", "left"]), {})
    if parts["normal"]:
        parts["impression"] = [assertion]
        how = "impression replaced by"
    else:
        parts["impression"] = parts["impression"] + [assertion]
        how = "impression item added:"
    parts["normal"] = False
    return f"findings state '{f}'; {how} '{assertion}'"


def _size_mm(s: str) -> float:
    best = 0.0
    for m in re.finditer(r"(\d+(?:\.\d+)?) ?(mm|cm)\b", s):
        v = float(m.group(1)) * (10 if m.group(2) == "cm" else 1)
        best = max(best, v)
    return best


def iu_omission(parts: dict, rng: random.Random, variant: str) -> str | None:
    F = parts["findings"]
    cands = []
    for f in F:
        if HEDGE.search(f) or re.search(r"\bno\b|without|negative|XXXX|appear|\bor\b|again|persist|improv|"
                                        r"decreas|resolv|vague|\bnot\b", f, re.I):
            continue
        for c in ("ptx", "consolidation", "edema", "effusion", "mass", "widened", "free_air"):
            if not positive(f, c):
                continue
            if c == "mass" and not (re.search(r"\bmass", f, re.I) or _size_mm(f) >= 6):
                continue
            if c == "edema" and not re.search(r"edema|congestion|chf|heart failure", f, re.I):
                continue
            if c == "widened" and not re.search(r"mediastin", f, re.I):
                continue
            if c == "effusion" and not re.search(r"moderate|large|sizable", f, re.I):
                continue
            cands.append((f, c))
    if not cands:
        return None
    f, c = rng.choice(cands)
    fam = MENTION.get(c, [c])
    if variant == "normal":
        parts["impression"] = [rng.choice(NORMAL_SOFT)]
        parts["normal"] = True
        return f"findings affirm {c} ('{f}'); impression replaced by '{parts['impression'][0]}'"
    keep = [it for it in parts["impression"] if not mentions([it], c) and not NORMAL_IMP.match(it)
            and not re.match(r"(recommend|follow|please|correlat|this|these|it|findings|xxxx|comparison|consider)\b",
                             it, re.I)
            and not re.search(r"compared|prior|previous|unchanged|smaller|larger|improved", it, re.I)
            and not any(re.search(C[x], it, re.I) for x in fam)]
    if not keep:
        extra = [s for s in F if not NEG_CUE.search(s) and not re.search(
            r"normal|clear|unremarkable|intact|within|WNL|stable|size", s, re.I)
            and not any(positive(s, x) for x in SIG_FILTER)]
        if not extra:
            return None
        keep = extra[:2]
    parts["impression"] = keep
    parts["normal"] = False
    return f"findings affirm {c} ('{f}'); impression now lists only: {' '.join(keep)}"


def iu_case(row: dict, rng: random.Random, kind: str | None, sub: str = "") -> tuple[str, str] | None:
    parts, changes = iu_parts(row, rng)
    style = parts["style"]
    missing = None
    if kind == "laterality_conflict":
        what = iu_laterality(parts, rng)
    elif kind == "negation_conflict":
        what = iu_negation(parts, rng)
    elif kind == "impression_omits_finding":
        what = iu_omission(parts, rng, sub)
    elif kind == "missing_section":
        imp = " ".join(parts["impression"])
        modes = ["impression_empty", "impression_sig_only", "impression_removed"]
        if not (LUNGS_CLEAR.search(imp) or HEART_NORMAL.search(imp)):
            modes += ["findings_empty", "findings_empty"]
        missing = rng.choice(modes)
        what = MISSING_DESC[missing]
    elif kind == "placeholder":
        try:
            what = inject_placeholder(parts, rng)
        except ValueError:
            return None  # no word of this report to blank (seed 13702 met one): another report is taken
    else:
        what = "unmodified content"
    if what is None:
        return None
    text, lay = render(parts, rng, style, missing)
    return text, f"IU {row['uid']}: re-laid out ({lay}), {changes} phrase(s) re-worded; {what}"


# ------------------------------------------------------------------------------------------------- build
def iu_pool(shared: Path | None = None) -> list[dict]:
    shared = shared or shared_dir()
    dev = load_dev_uids(str(dev_set(shared)))
    rows = load_iu(str(iu_archive(shared)))
    return [r for r in rows if r["uid"] not in dev and r["findings"] != "." and r["impression"] != "."
            and r["findings"] and r["impression"] and base_consistent(r["findings"], r["impression"])]


@functools.lru_cache(maxsize=2)
def _pool_cached(shared: str) -> tuple[dict, ...]:
    return tuple(iu_pool(Path(shared)))


def build(seed: int) -> list[dict]:
    rng = random.Random(f"heldout136-{seed}")
    pool = list(_pool_cached(str(shared_dir())))
    rng.shuffle(pool)
    half = N_KIND // 2
    rows: list[dict] = []
    used: set[str] = set()

    def take(kind: str | None, n: int, sub_fn=None) -> None:
        got = 0
        for r in pool:
            if got >= n:
                break
            if r["uid"] in used:
                continue
            sub = sub_fn(got) if sub_fn else ""
            crng = random.Random(f"{seed}-{r['uid']}-{kind}-{sub}")
            res = iu_case(r, crng, kind, sub)
            if res is None:
                continue
            used.add(r["uid"])
            got += 1
            rows.append({"injected": kind, "detail": res[1], "report": res[0], "uid": r["uid"]})
        if got < n:
            raise RuntimeError(f"only {got} IU reports for {kind}")

    take("laterality_conflict", half)
    take("impression_omits_finding", half, lambda g: "normal" if g % 2 == 0 else "other")
    take("negation_conflict", half)
    take("missing_section", half)
    take("placeholder", half)
    take(None, N_CLEAN // 2)
    for kind in [None] * (N_CLEAN // 2) + [k for k in KINDS for _ in range(half)]:
        text, detail = composed_case(rng, kind)
        rows.append({"injected": kind, "detail": detail, "report": text, "uid": None})
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h136-{seed}-{k}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if args.show:
        for kind in [None] + KINDS:
            for src in ("IU", "composed"):
                ex = [r for r in rows if r["injected"] == kind and r["detail"].startswith(src)][: args.show]
                for r in ex:
                    print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
