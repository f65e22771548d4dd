"""Held-out test set 17 for the offline chest X-ray report checker (written blind).

Written without reading the checker, its tests, its docs or any other held-out generator: only the
scorer's format, the shared eval README, the IU (Open-i) archive and the `uid` field of the dev set
(to exclude those reports) were looked at.

Theme: how real report language says yes, no and maybe.
- negation in many forms: "negative for", "without", "free of", "no evidence of X or Y", "neither X nor Y",
  "X is not identified/appreciated/demonstrated", "has resolved", "has cleared", "no longer seen",
  coordinated negative lists, negations that stop ("no effusion, but there is a small pneumothorax"),
  pseudo-negations that affirm ("no change in the moderate left effusion", "not only ... but also");
- certainty: "cannot be excluded", "likely", "probable", "suspicious for", "consistent with", "favoured
  over", "versus", "differential includes", "less likely", "equivocal" (hedged findings appear only in clean
  reports, and only where the impression carries the same hedge);
- implied sides: lingula, middle lobe, "right greater than left", "ipsilateral" to a named tube, sides in
  parentheses or after the finding ("effusion (left)", "pneumothorax, right");
- sentence shapes: long compound sentences, fragments, subordinate clauses ("Given the right effusion, ..."),
  reported speech ("The clinician's query of pneumothorax is not confirmed").

Layouts: five plain US-style layouts (FINDINGS/IMPRESSION in capitals with colons, sentence-case "Findings:" with the
text on the same line, one sentence per line without colons, numbered impressions, history/comparison/exam header
lines, sign-off lines). The errors are slips: a side flipped while dictating, an impression pasted from a normal macro
beside an affirmed finding (also one hidden behind "no change in..." or after "no X, but..."), an impression that
asserts what FINDINGS ruled out (including "has resolved" / "query not confirmed"), a template field left unfilled,
a section left empty or missing.

Half of each group is composed from the phrase bank below, half is real IU reports (dev uids excluded),
re-laid-out and with their negations re-worded in the same styles. Open-i's `XXXX` is kept as it is (the
collection's de-identification mask); composed reports never use it. Composed reports may carry MIMIC-style
`___` identifier masks ("Dr. ___", "at ___"), which are not errors.

usage: python -m bench.make_heldout17 OUT.jsonl --seed S [--show N]
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


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------------------------------
# IU archive
# --------------------------------------------------------------------------------------------------

def load_iu(shared):
    dev = set()
    for line in open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8"):
        dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tar:
        for m in tar.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            sec = {}
            for a in root.iter("AbstractText"):
                sec[a.get("Label", "").lower()] = re.sub(r"\s+", " ", (a.text or "").strip())
            out.append({"uid": uid, "findings": sec.get("findings", ""), "impression": sec.get("impression", ""),
                        "indication": sec.get("indication", ""), "comparison": sec.get("comparison", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    # template leftovers in the archive itself ("[... >]") would read as placeholders: leave those reports out
    odd = re.compile(r"[\[\]<>{}]|\*\*\*|___")
    out = [r for r in out if not any(odd.search(v) for k, v in r.items() if k != "uid")]
    return [r for r in out if r["uid"] not in dev], dev


def sents(text):
    text = re.sub(r"\s+\.", ".", text.strip())
    text = re.sub(r"\.\.+", ".", text)
    text = re.sub(r"(\b[A-Za-z]{3,}\.)\s+([a-z])", lambda m: m.group(1) + " " + m.group(2).upper(), text)
    text = re.sub(r"(^|\s)\d\.\s+", " ", text).strip()
    parts = re.split(r"(?<=[.])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip().strip(".")]


NEG_CUE = re.compile(r"\b(no|not|without|negative|clear|free of|resolved|normal|unremarkable|within normal|"
                     r"absence|neither|nor)\b", re.I)
ABN = re.compile(r"\b(effusion|pneumothora\w*|edema|oedema|consolidat\w*|airspace|air space|opacit\w*|infiltrat\w*|"
                 r"mass|nodul\w*|collapse|atelecta\w*|cardiomegaly|enlarge\w*|widen\w*|pneumonia|congest\w*|"
                 r"fractur\w*|density|densities|scarring|fibros\w*|emphysema|hyperinfla\w*|granulom\w*|"
                 r"calcifi\w*|effusions|blunting|tortu\w*|ectatic|degenerat\w*|scolio\w*|spondylo\w*|"
                 r"osteophyt\w*|copd|hernia|elevat\w*|prominen\w*|interstitial|markings|tube|catheter|"
                 r"pacemaker|clips?|sternotomy|wires?|surgical|postoperative|kyphos\w*|deformit\w*|lesion)", re.I)
ACUTE = re.compile(r"\b(effusion|pneumothora\w*|edema|oedema|consolidat\w*|airspace|air space|opacit\w*|"
                   r"infiltrat\w*|mass|nodul\w*|collapse|atelecta\w*|cardiomegaly|enlarge\w*|widen\w*|pneumonia|"
                   r"congest\w*|fractur\w*|density|densities|blunting|interstitial|lesion)", re.I)
HEDGE = re.compile(r"\b(possibl\w*|may|might|cannot|can not|question\w*|suspicious|likely|probabl\w*|versus|vs|"
                   r"equivocal|suggest\w*|concern\w*|could|differential|borderline|suspect\w*|\?)", re.I)
NORMAL_IMP = re.compile(r"^(\d\.\s*)?(no acute|no active|normal chest|negative|no evidence of acute|no radiographic|"
                        r"no acute cardiopulmonary|no significant|unremarkable|normal)", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)


def is_neg_sentence(s):
    return bool(NEG_CUE.search(s))


def iu_is_normal(r):
    """Findings say nothing abnormal (everything named is negated) and the impression is a normal statement."""
    if r["findings"].count("XXXX") + r["impression"].count("XXXX") > 1:
        return False
    for s in sents(r["findings"]):
        if ABN.search(s) and not is_neg_sentence(s):
            return False
        if HEDGE.search(s) or SIDE.search(s) or re.search(r"\b(but|however|except|although|mild|small)\b", s, re.I):
            return False
    imp = r["impression"]
    if not NORMAL_IMP.match(imp) or ACUTE.search(re.sub(r"\bno\b.*", "", imp, flags=re.I)):
        return False
    if HEDGE.search(imp) or SIDE.search(imp) or len(sents(imp)) > 2:
        return False
    return True


def iu_is_consistent_abnormal(r):
    """Every affirmed acute-type term of FINDINGS is also named in the IMPRESSION, on the same side, unhedged."""
    f, imp = r["findings"], r["impression"]
    if f.count("XXXX") + imp.count("XXXX") > 1 or HEDGE.search(f) or HEDGE.search(imp):
        return False
    if NORMAL_IMP.match(imp):
        return False
    fs, is_ = set(SIDE.findall(f.lower())), set(SIDE.findall(imp.lower()))
    if fs != is_:
        return False
    for s in sents(f):
        if is_neg_sentence(s):
            continue
        for m in ACUTE.finditer(s):
            stem = m.group(0).lower()[:6]
            if stem not in imp.lower():
                return False
    return bool(ABN.search(imp))


# --------------------------------------------------------------------------------------------------
# re-wording of real negations in the theme's forms
# --------------------------------------------------------------------------------------------------

def _split_list(s):
    items = re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", s)
    return [i.strip() for i in items if i.strip()]


def coord_neg(items, rng, style=None):
    """A negated coordinated list in one of the theme's forms."""
    items = [i for i in items if i]
    style = style or rng.choice(["no", "no_ev", "neg_for", "neither", "not_seen", "without", "absent"])
    if len(items) == 1:
        x = items[0]
        be = "are" if x.endswith("s") and not x.endswith(("sis", "ss", "us")) else "is"
        forms = {"no": f"No {x}.", "no_ev": f"No evidence of {x}.", "neg_for": f"Negative for {x}.",
                 "neither": f"{x[0].upper() + x[1:]} {be} not identified.",
                 "not_seen": f"{x[0].upper() + x[1:]} {be} not {rng.choice(['appreciated', 'demonstrated', 'seen'])}.",
                 "without": f"No radiographic evidence of {x}.", "absent": f"There is no {x}."}
        return forms[style]
    body = ", ".join(items[:-1]) + (", or " if len(items) > 2 else " or ") + items[-1]
    if style == "neither" and len(items) == 2:
        verb = rng.choice(["is seen", "is identified", "is present"])
        return f"Neither {items[0]} nor {items[1]} {verb}."
    if style == "neither":
        style = "no"
    forms = {"no": f"No {body}.", "no_ev": f"No evidence of {body}.", "neg_for": f"Negative for {body}.",
             "not_seen": f"No {body} {'are' if re.search(r'(?<![su])s$', items[-1]) else 'is'} "
                         f"{rng.choice(['appreciated', 'demonstrated', 'identified'])}.",
             "without": f"There is no evidence of {body}.", "absent": f"There is no {body}."}
    return forms[style]


def reword_iu_sentence(s, rng):
    m = re.match(r"^(?:There (?:is|are) )?[Nn]o (?:evidence of |radiographic evidence of )?(.+?)\.$", s)
    stop = re.compile(r"\b(no|not|but|with|without|change|acute|active|definite|significant|is|are|seen|"
                      r"identified|noted|present|demonstrated|visualized|appreciated)\b", re.I)
    if m and not stop.search(m.group(1)) and "XXXX" not in s:
        items = _split_list(m.group(1))
        if 1 <= len(items) <= 4 and all(len(i.split()) <= 4 for i in items):
            return coord_neg(items, rng)
    if re.match(r"^(The )?[Ll]ungs are clear\.?$", s):
        return rng.choice(["The lungs are free of focal consolidation.", "Lungs clear.",
                           "The lungs are clear bilaterally.", "Clear lungs without focal airspace disease."])
    if re.match(r"^(The )?[Hh]eart (size )?is (normal|within normal limits)( in size)?\.?$", s):
        return rng.choice(["Normal heart size.", "Heart size within normal limits.", "The heart is not enlarged."])
    return s


# --------------------------------------------------------------------------------------------------
# composed reports: phrase bank
# --------------------------------------------------------------------------------------------------

LOBES = {"right": ["right upper lobe", "middle lobe", "right lower lobe", "right base"],
         "left": ["left upper lobe", "lingula", "left lower lobe", "left base"]}
INDICATIONS = ["Cough and fever.", "Shortness of breath.", "Pleuritic chest pain.", "Hypoxia.",
               "Fever, rule out pneumonia.", "Follow-up of effusion.", "Dyspnoea on exertion.",
               "Pre-operative assessment.",
               "Fall, chest wall pain.", "Post procedure, assess for pneumothorax.", "Productive cough for two weeks.",
               "Sepsis, unknown source.", "Chest tightness.", "Known heart failure, increasing breathlessness.",
               "Haemoptysis.", "Abnormal breath sounds at the base.", "___ with cough and low-grade fever.",
               "Query aspiration."]
COMPARISONS = ["None.", "None available.", "Prior radiograph from 3 days earlier.", "Chest radiograph of last month.",
               "Prior study of ___.", "CT chest from last year.", "Radiograph dated ___.", "Yesterday's portable film."]
EXAMS = ["CHEST, PA AND LATERAL", "CHEST 2 VIEWS", "CHEST, SINGLE AP PORTABLE VIEW", "XR CHEST PA/LAT",
         "CHEST RADIOGRAPH, FRONTAL AND LATERAL", "PORTABLE CHEST"]
NORMAL_IMPS = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
               "No radiographic evidence of acute cardiopulmonary disease.", "Normal chest radiograph.",
               "No active disease in the chest.", "No acute intrathoracic abnormality.",
               "Negative chest radiograph.", "Unremarkable chest."]
BARE_IMPS = ["No acute disease.", "No acute cardiopulmonary process.", "Negative.", "Normal study.",
             "No acute abnormality."]

# synonyms by which an impression may name a finding (used to check omissions and to keep clean ones honest)
SYN = {
    "effusion": ["effusion", "fluid", "pleural", "costophrenic", "hydrothorax"],
    "pneumothorax": ["pneumothora", "ptx", "pleural air", "air"],
    "consolidation": ["consolidat", "airspace", "air space", "pneumonia", "opacit", "infiltrat", "infect",
                      "aspiration"],
    "edema": ["edema", "oedema", "congest", "failure", "chf", "fluid", "vascular", "overload"],
    "nodule": ["nodul", "mass", "lesion", "opacit", "density", "neoplas", "malignan"],
    "mass": ["mass", "nodul", "lesion", "opacit", "density", "neoplas", "malignan", "tumou", "tumor"],
    "collapse": ["collapse", "atelecta", "volume loss", "opacit"],
    "mediastinum": ["mediastin", "aort", "vascular injury"],
    "free_air": ["free air", "pneumoperitoneum", "subdiaphragmatic", "air", "perforat"],
}


class Finding:
    """One affirmed finding with its FINDINGS sentences and IMPRESSION phrases."""

    def __init__(self, cat, side, sig, fx, ix, minor=False, hedged=False):
        self.cat, self.side, self.sig, self.fx, self.ix = cat, side, sig, fx, ix
        self.minor, self.hedged = minor, hedged


def cap(s):
    return s[0].upper() + s[1:] if s else s


def mk_effusion(rng, side=None, size=None, new=False):
    side = side or rng.choice(["left", "right"])
    size = size or rng.choice(["small", "moderate", "moderate", "large"])
    newp = "new " if new else ""
    fx = rng.choice([
        f"There is a {newp}{size} {side} pleural effusion.",
        f"{cap(newp)}{size} pleural effusion ({side}).",
        f"{cap(newp)}{size} {side} pleural effusion with blunting of the {side} costophrenic angle.",
        f"{cap(newp)}{size} pleural effusion, {side}.",
        f"Blunting of the {side} costophrenic angle and a meniscus at the {side} base, in keeping with a {newp}{size} "
        f"effusion.",
    ])
    ix = rng.choice([f"{cap(newp)}{size} {side} pleural effusion.", f"{cap(newp)}{size} {side}-sided pleural effusion.",
                     f"{cap(side)} pleural effusion, {size}."])
    return Finding("effusion", side, size != "small" or new, cap(fx), cap(ix))


def mk_pneumothorax(rng, side=None, tube=False):
    side = side or rng.choice(["left", "right"])
    size = rng.choice(["small apical", "small", "moderate", "large"])
    if tube:
        fx = (f"A {side}-sided chest drain is in place. There is a {size} ipsilateral pneumothorax."
              if rng.random() < 0.5 else
              f"{cap(side)} intercostal drain in situ, with a {size} residual pneumothorax on the same side.")
        ix = (f"Small {side} apical" if size == "small apical" else f"{cap(size)} {side}") + \
            f" pneumothorax despite the {side} chest drain."
    else:
        desc = f"small {side} apical" if size == "small apical" else f"{size} {side}"
        fx = rng.choice([f"There is a {desc} pneumothorax.", f"{cap(size)} pneumothorax, {side}.",
                         f"A {size} pneumothorax is present on the {side}, with a visible visceral pleural line.",
                         f"{cap(size)} pneumothorax ({side})."])
        ix = rng.choice([f"{cap(desc)} pneumothorax.", f"{cap(side)} {size} pneumothorax."])
    return Finding("pneumothorax", side, True, fx, ix)


def mk_consolidation(rng, side=None, lobe=None):
    side = side or rng.choice(["left", "right"])
    lobe = lobe or rng.choice(LOBES[side])
    word = rng.choice(["consolidation", "airspace consolidation", "airspace opacity", "airspace disease"])
    where = {"lingula": "the lingula", "middle lobe": "the middle lobe"}.get(lobe, f"the {lobe}")
    fx = rng.choice([
        f"There is {word} in {where}.",
        f"{cap(word)} in {where}, with air bronchograms.",
        f"Focal {word} is present in {where}.",
        f"New {word} in {where}." if rng.random() < 0.3 else f"Patchy {word} in {where}.",
    ])
    if lobe in ("lingula", "middle lobe"):
        ix = rng.choice([f"{cap(lobe)} consolidation, consistent with pneumonia.",
                         f"{cap(lobe)} pneumonia.", f"Consolidation in the {lobe}, likely pneumonia."])
    else:
        ix = rng.choice([f"{cap(lobe)} consolidation, consistent with pneumonia.", f"{cap(lobe)} pneumonia.",
                         f"{cap(side)}-sided consolidation in keeping with infection.",
                         f"Probable {lobe} pneumonia."])
    return Finding("consolidation", side, True, fx, ix)


def mk_edema(rng):
    fx = rng.choice(["There is pulmonary vascular congestion with interstitial oedema and Kerley B lines.",
                     "Upper lobe venous diversion, peribronchial cuffing and septal lines, consistent with "
                     "interstitial edema.",
                     "Diffuse bilateral perihilar haziness and vascular indistinctness, in keeping with "
                     "pulmonary edema.",
                     "Increased interstitial markings with vascular cephalisation, compatible with "
                     "mild pulmonary oedema."])
    ix = rng.choice(["Pulmonary edema.", "Interstitial pulmonary oedema, consistent with fluid overload.",
                     "Findings consistent with congestive heart failure.", "Mild pulmonary edema."])
    return Finding("edema", None, True, fx, ix)


def mk_nodule(rng, side=None, big=True):
    side = side or rng.choice(["left", "right"])
    lobe = rng.choice([x for x in LOBES[side] if "base" not in x])
    mm = rng.choice([7, 8, 9, 11, 12, 14, 16]) if big else rng.choice([3, 4, 5])
    where = {"lingula": "the lingula", "middle lobe": "the middle lobe"}.get(lobe, f"the {lobe}")
    art = "An" if mm in (8, 11) else "A"
    fx = rng.choice([f"{art} {mm} mm nodule is seen in {where}.",
                     f"Rounded {mm} mm nodular opacity projecting over {where}.",
                     f"There is {art.lower()} {mm} mm pulmonary nodule in {where}, not calcified."])
    ix = rng.choice([f"{mm} mm {lobe} nodule; CT chest is recommended.",
                     f"{cap(lobe)} pulmonary nodule ({mm} mm). Recommend CT for further characterisation."])
    return Finding("nodule", side, big, fx, ix)


def mk_mass(rng, side=None):
    side = side or rng.choice(["left", "right"])
    cm = rng.choice(["3.2", "4.0", "4.5", "5.1", "6"])
    fx = rng.choice([f"There is a {cm} cm mass in the {side} upper zone.",
                     f"A lobulated {cm} cm mass projects over the {side} hilum.",
                     f"{cm} cm mass, {side} perihilar region."])
    ix = rng.choice([f"{cm} cm {side} lung mass, suspicious for malignancy. CT chest recommended.",
                     f"{cap(side)} perihilar mass; further evaluation with contrast-enhanced CT advised."])
    return Finding("mass", side, True, fx, ix)


def mk_collapse(rng, side=None):
    side = side or rng.choice(["left", "right"])
    lobe = rng.choice(["lower lobe", "upper lobe"])
    fx = rng.choice([f"Complete collapse of the {side} {lobe} with volume loss and shift of the fissure.",
                     (f"There is {side} {lobe} collapse, with a triangular density behind the heart and loss of the "
                      f"{side} hemidiaphragm outline." if side == "left" else
                      f"There is {side} {lobe} collapse, with a triangular density at the right base obscuring the "
                      f"right hemidiaphragm.") if lobe == "lower lobe" else
                     f"There is {side} {lobe} collapse with elevation of the {side} hilum."])
    ix = rng.choice([f"{cap(side)} {lobe} collapse.", f"Collapse of the {side} {lobe}; consider mucus plugging."])
    return Finding("collapse", side, True, fx, ix)


def mk_mediastinum(rng):
    fx = rng.choice(["The mediastinum is widened, measuring 9 cm at the level of the aortic knob.",
                     "Widened superior mediastinum with loss of the aortic knob contour."])
    ix = rng.choice(["Widened mediastinum. CT angiography is recommended to exclude aortic injury.",
                     "Mediastinal widening; CT advised."])
    return Finding("mediastinum", None, True, fx, ix)


def mk_free_air(rng):
    fx = rng.choice(["There is free gas beneath the right hemidiaphragm.",
                     "Crescentic lucency under both hemidiaphragms, in keeping with free intraperitoneal air."])
    ix = rng.choice(["Free intraperitoneal air (pneumoperitoneum). Surgical team informed.",
                     "Pneumoperitoneum; urgent surgical review advised."])
    return Finding("free_air", None, True, fx, ix)


def mk_minor(rng, exclude=(), allow_resolved=False):
    """Non-significant findings an impression may list or leave out."""
    opts = [
        ("cardiomegaly", None, "The heart is mildly enlarged, unchanged.", "Stable mild cardiomegaly."),
        ("granuloma", "right", "Calcified granuloma in the right upper lobe.", "Calcified right upper lobe granuloma."),
        ("granuloma", "left", "Small calcified granuloma projecting over the left mid zone.",
         "Calcified granuloma, left mid zone, old granulomatous disease."),
        ("spine", None, "Multilevel degenerative change of the thoracic spine.", "Degenerative thoracic spine."),
        ("aorta", None, "The aorta is tortuous and calcified.", "Aortic atherosclerosis."),
        ("hyperinflation", None, "The lungs are hyperinflated with flattened hemidiaphragms.",
         "Hyperinflation consistent with COPD."),
        ("scar", "left", "Linear scarring at the left base.", "Left basilar scarring."),
        ("scar", "right", "Minor linear atelectasis at the right base.", "Minor right basal atelectasis."),
        ("sternotomy", None, "Median sternotomy wires are intact.", "Post sternotomy."),
        ("resolved", "left", "The previously seen lingular consolidation has cleared.",
         "Interval resolution of the lingular pneumonia."),
        ("resolved", "right", "The right middle lobe opacity seen on the prior study is no longer seen.",
         "Resolved right middle lobe pneumonia."),
        ("resolved", "left", "The left pleural effusion has resolved, with sharp costophrenic angles.",
         "Resolution of the left pleural effusion."),
        ("hernia", None, "Retrocardiac air-fluid level, consistent with a hiatus hernia rather than a lung abscess.",
         "Hiatus hernia."),
    ]
    opts = [o for o in opts if o[0] not in exclude and (allow_resolved or o[0] != "resolved")]
    if {"consolidation", "effusion", "collapse", "hedged"} & set(exclude):
        opts = [o for o in opts if o[0] != "resolved"]
    c = rng.choice(opts)
    return Finding(c[0], c[1], False, c[2], c[3], minor=True)


def mk_hedged(rng):
    """Hedged findings for clean reports: the impression keeps the same hedge."""
    side = rng.choice(["left", "right"])
    opts = [
        (f"Subtle opacity at the {side} base, possibly reflecting atelectasis; early pneumonia cannot be excluded.",
         f"Subtle {side} basilar opacity, likely atelectasis, although early pneumonia cannot be excluded."),
        (f"Ill-defined opacity in the {side} lower zone, favoured to represent atelectasis over consolidation.",
         f"{cap(side)} lower zone opacity, atelectasis favoured over pneumonia."),
        (f"Questionable small {side} pleural effusion, equivocal on the lateral view.",
         f"Equivocal small {side} pleural effusion."),
        (f"Streaky {side} basilar opacity, which could represent atelectasis versus aspiration.",
         f"{cap(side)} basilar opacity: atelectasis versus aspiration."),
        ("Hazy bilateral perihilar opacity; the differential includes early oedema and atypical infection, the latter "
         "less likely.", "Bilateral perihilar haziness, probably early oedema; atypical infection less likely."),
        (f"A nodular density over the {side} mid zone likely represents a nipple shadow.",
         f"Probable {side} nipple shadow; repeat with nipple markers if clinically required."),
    ]
    fx, ix = rng.choice(opts)
    return Finding("hedged", side, False, fx, ix, hedged=True)


def mk_bilateral(rng):
    a, b = rng.sample(["right", "left"], 2)
    opts = [
        (f"Bilateral pleural effusions, {a} greater than {b}.", f"Bilateral pleural effusions, {a} more than {b}."),
        (f"Bilateral basal airspace opacities, worse on the {a}.",
         f"Bilateral basal consolidation, {a} worse than {b}, in keeping with infection."),
    ]
    fx, ix = rng.choice(opts)
    cat = "effusion" if "effusion" in fx else "consolidation"
    return Finding(cat, "bilateral", True, fx, ix)


SIG_MAKERS = {"effusion": mk_effusion, "pneumothorax": mk_pneumothorax, "consolidation": mk_consolidation,
              "edema": lambda rng: mk_edema(rng), "nodule": mk_nodule, "mass": mk_mass, "collapse": mk_collapse,
              "mediastinum": lambda rng: mk_mediastinum(rng), "free_air": lambda rng: mk_free_air(rng)}

NEG_NAMES = {"effusion": ["pleural effusion", "effusion"], "pneumothorax": ["pneumothorax"],
             "consolidation": ["focal consolidation", "focal airspace disease", "consolidation"],
             "edema": ["pulmonary edema", "pulmonary oedema", "interstitial edema"]}


def neg_sentences(rng, present):
    """Negations for the standard categories that are not present, in the theme's forms."""
    absent = [c for c in ["consolidation", "effusion", "pneumothorax", "edema"] if c not in present]
    rng.shuffle(absent)
    out = []
    while absent:
        k = min(len(absent), rng.choice([1, 2, 2, 3]))
        grp, absent = absent[:k], absent[k:]
        names = [rng.choice(NEG_NAMES[c]) for c in grp]
        r = rng.random()
        if r < 0.12 and "consolidation" in grp and len(grp) == 1:
            out.append(rng.choice(["The lungs are free of focal consolidation.", "The lungs are clear.",
                                   "Lungs clear of consolidation."]) if present <= {"cardiomegaly", "granuloma",
                                                                                     "spine", "aorta", "sternotomy",
                                                                                     "hernia"} else
                       "No focal consolidation.")
        elif r < 0.2 and grp == ["pneumothorax"]:
            out.append(rng.choice(["The clinician's query of pneumothorax is not confirmed.",
                                   "The query of pneumothorax raised on the request is not borne out: none is seen."]))
        elif r < 0.28 and grp == ["effusion"] and "resolved" not in present:
            out.append(rng.choice(["The costophrenic angles are sharp, without effusion.",
                                   "The previously noted pleural effusion has resolved.",
                                   "The pleural effusion seen on the prior study is no longer seen."]))
        else:
            out.append(coord_neg(names, rng))
    return out


HEART_NORMAL = ["The heart size is normal.", "Cardiomediastinal silhouette within normal limits.",
                "Normal cardiac and mediastinal contours.", "The heart is not enlarged, and the mediastinum is normal."]
BONES = ["No acute osseous abnormality.", "Bones intact.", "The visualised bones are unremarkable.",
         "No displaced rib fracture is demonstrated.", ""]


def join_findings(rng, sentences):
    """Sometimes fuse neighbouring sentences into long compound ones (theme: sentence shapes)."""
    out, i = [], 0
    while i < len(sentences):
        s = sentences[i]
        if i + 1 < len(sentences) and rng.random() < 0.3 and s.endswith(".") and ", and" not in s \
                and sentences[i + 1].startswith("No ") and not s.startswith("The clinician"):
            nxt = sentences[i + 1]
            sep = rng.choice(["; ", ", and "])
            fused = s[:-1] + sep + (nxt[0].lower() + nxt[1:] if not nxt.startswith(("CT", "I ")) else nxt)
            fused = fused.replace(", and no ", ", and there is no ")
            out.append(fused)
            i += 2
        else:
            out.append(s)
            i += 1
    return out


# --------------------------------------------------------------------------------------------------
# layouts
# --------------------------------------------------------------------------------------------------

LAYOUTS = ["classic", "sentence_caps", "prose_lines", "numbered_imp", "teaching"]


def render(layout, parts, rng, drop=None, empty=None):
    """parts: exam, indication, comparison, findings(list), impression(list). drop/empty: a section name."""
    f_hdr = {"classic": "FINDINGS:", "sentence_caps": "Findings:", "prose_lines": "FINDINGS",
             "numbered_imp": "FINDINGS:", "teaching": "Findings:"}[layout]
    i_hdr = {"classic": "IMPRESSION:", "sentence_caps": "Impression:", "prose_lines": "IMPRESSION",
             "numbered_imp": "IMPRESSION:", "teaching": "Impression:"}[layout]
    lines = []
    if parts.get("exam"):
        lines.append(("EXAM: " if layout in ("classic", "numbered_imp") else "Examination: ") + parts["exam"])
    if parts.get("indication"):
        lines.append(("HISTORY: " if layout != "sentence_caps" else "Clinical history: ") + parts["indication"])
    if parts.get("comparison"):
        lines.append(("COMPARISON: " if layout != "sentence_caps" else "Comparison: ") + parts["comparison"])
    if parts.get("technique"):
        lines.append("TECHNIQUE: " + parts["technique"])
    lines.append("")
    fl = parts["findings"]
    if drop != "findings":
        if empty == "findings":
            lines += [f_hdr, ""]
        elif layout == "prose_lines":
            lines += [f_hdr] + fl + [""]
        elif layout == "teaching":
            lines += [f_hdr + " " + " ".join(fl), ""]
        else:
            lines += [f_hdr, " ".join(fl), ""]
    il = parts["impression"]
    if drop != "impression":
        if empty == "impression":
            lines += [i_hdr, ""]
        elif layout == "numbered_imp" and len(il) > 1:
            lines += [i_hdr] + [f"{n}. {x}" for n, x in enumerate(il, 1)]
        elif layout in ("teaching", "sentence_caps"):
            lines += [i_hdr + " " + " ".join(il)]
        else:
            lines += [i_hdr, " ".join(il)]
    if parts.get("signoff"):
        lines += ["", parts["signoff"]]
    return "\n".join(lines).strip() + "\n"


SIGNOFFS = ["", "", "Electronically signed by: ___, MD", "Dictated by Dr. ___. Transcribed ___.",
            "Reported by: Consultant Radiologist", "Findings discussed with Dr. ___ by telephone at ___."]


# --------------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------------

def base_parts(rng):
    return {"exam": rng.choice(EXAMS) if rng.random() < 0.7 else "",
            "indication": rng.choice(INDICATIONS), "comparison": rng.choice(COMPARISONS) if rng.random() < 0.7 else "",
            "signoff": rng.choice(SIGNOFFS)}


def assemble(rng, positives, imp_list=None, pseudo=None, stop=None, subord=None):
    """Build findings sentences for the positives + negations of the absent standard categories."""
    present = {p.cat for p in positives}
    for p in positives:
        if p.hedged or p.side == "bilateral":
            low = p.fx.lower()
            present |= {c for c, w in [("effusion", "effusion"), ("edema", "oedema"), ("consolidation", "opacit"),
                                       ("consolidation", "oedema")] if w in low}
    fl = []
    heart = [p for p in positives if p.cat == "cardiomegaly"]
    fl.append(heart[0].fx if heart else rng.choice(HEART_NORMAL))
    pos_sent = []
    for p in positives:
        if p.cat == "cardiomegaly":
            continue
        pos_sent.append(p.fx)
    negs = neg_sentences(rng, present)
    cands = [n for n in negs if n.startswith("No ") and n.endswith(".") and " is " not in n]
    if stop and cands:
        # a negation that stops: "No X, but there is Y."
        n = cands[0]
        negs.remove(n)
        body = stop.fx[0].lower() + stop.fx[1:]
        if body.startswith(("small", "moderate", "large", "new")):
            body = "a " + body
        body = body if body.startswith(("there", "a ")) else "there is " + body
        pos_sent.remove(stop.fx)
        pos_sent.insert(0, f"{n[:-1]}, but {body}")
    body = pos_sent + negs
    rng.shuffle(body) if rng.random() < 0.3 else None
    if not positives and rng.random() < 0.5:
        body = [coord_neg(["focal consolidation", "pleural effusion", "pneumothorax"], rng, style="no")
                .replace("No ", "The lungs are clear, without ", 1).replace(" or ", ", or ")
                .replace(", , or", ", or")]
    fl += body
    b = rng.choice(BONES)
    if b:
        fl.append(b)
    return fl


def impression_for(rng, positives, normal_if_empty=True):
    il = []
    sig = [p for p in positives if not p.minor]
    minor = [p for p in positives if p.minor]
    for p in sig:
        il.append(p.ix)
    for p in minor:
        if rng.random() < 0.7 or not sig:
            il.append(p.ix)
    if not il and normal_if_empty:
        il.append(rng.choice(NORMAL_IMPS))
    elif not any(p.cat == "pneumothorax" for p in positives) and rng.random() < 0.3:
        il.append(rng.choice(["No pneumothorax.", "No evidence of pneumothorax."]))
    return il


def pick_positives(rng, n_sig, n_minor, cats=None, hedged=False, allow_resolved=False):
    cats = cats or list(SIG_MAKERS)
    pos, used = [], set()
    for _ in range(n_sig):
        choices = [c for c in cats if c not in used]
        c = rng.choice(choices)
        used.add(c)
        if c == "edema":
            used.add("effusion") if rng.random() < 0.0 else None
        pos.append(SIG_MAKERS[c](rng))
    for _ in range(n_minor):
        m = mk_minor(rng, exclude={p.cat for p in pos}, allow_resolved=allow_resolved)
        pos.append(m)
    if hedged:
        h = mk_hedged(rng)
        if not (h.fx.count("effusion") and "effusion" in used):
            pos.append(h)
    return pos


def composed_clean(rng):
    parts = base_parts(rng)
    r = rng.random()
    detail = "composed clean"
    if r < 0.3:
        pos = pick_positives(rng, 0, rng.choice([0, 0, 1]), allow_resolved=True)
    elif r < 0.45:
        pos = pick_positives(rng, 0, rng.choice([0, 1]), hedged=True)
    elif r < 0.6:
        pos = [mk_bilateral(rng)]
        pos += pick_positives(rng, 0, rng.choice([0, 1]), allow_resolved=pos[0].cat == "pneumothorax")
    else:
        pos = pick_positives(rng, rng.choice([1, 1, 2]), rng.choice([0, 1]), allow_resolved=True,
                             cats=["effusion", "pneumothorax", "consolidation", "edema", "nodule", "mass", "collapse"])
        if rng.random() < 0.15:
            pos.append(mk_nodule(rng, big=False))
    # prune duplicate categories (a bilateral effusion plus a unilateral one, etc.)
    seen, uniq = set(), []
    for p in pos:
        key = p.cat if p.cat not in ("hedged",) else "hedged"
        if key in seen or (p.cat == "hedged" and "effusion" in p.fx and "effusion" in seen):
            continue
        seen.add(key)
        uniq.append(p)
    pos = uniq
    fl = assemble(rng, pos)
    sig = [p for p in pos if p.sig]
    # pseudo-negation about an affirmed finding (theme)
    if sig and rng.random() < 0.4:
        p = sig[0]
        if p.cat == "effusion" and p.side in OPP:
            size = re.search(r"(small|moderate|large)", p.fx, re.I).group(1).lower()
            new_fx = rng.choice([f"No change in the {size} {p.side} pleural effusion.",
                                 f"No significant change in the size of the {size} {p.side} pleural effusion.",
                                 f"The {size} {p.side} effusion is not significantly changed."])
            fl[fl.index(p.fx)] = new_fx
            p.ix = f"Unchanged {size} {p.side} pleural effusion."
            detail += ", pseudo-negation"
        elif p.cat == "pneumothorax" and "drain" not in p.fx:
            size = re.search(r"(small apical|small|moderate|large)", p.fx, re.I).group(1).lower()
            desc = f"small {p.side} apical" if size == "small apical" else f"{size} {p.side}"
            fl[fl.index(p.fx)] = f"No significant change in the size of the {desc} pneumothorax."
            p.ix = f"Stable {desc} pneumothorax."
            detail += ", pseudo-negation"
    # subordinate clause (theme)
    eff = [p for p in pos if p.cat == "effusion" and p.side in OPP]
    if eff and rng.random() < 0.5:
        p = eff[0]
        fl.append(f"Given the {p.side} effusion, underlying {p.side} basal consolidation cannot be assessed.")
        p.ix = p.ix.rstrip(".") + "; underlying consolidation cannot be excluded."
        detail += ", subordinate clause"
    il = impression_for(rng, pos)
    if rng.random() < 0.5:
        fl = join_findings(rng, fl)
    parts["findings"], parts["impression"] = fl, il
    return render(rng.choice(LAYOUTS), parts, rng), detail, pos, il


def composed_injected(rng, kind):
    parts = base_parts(rng)
    layout = rng.choice(LAYOUTS)
    if kind == "missing_section":
        pos = pick_positives(rng, rng.choice([0, 1]), rng.choice([0, 1]),
                             cats=["effusion", "pneumothorax", "consolidation", "nodule"])
        fl = assemble(rng, pos)
        il = impression_for(rng, pos)
        parts["findings"], parts["impression"] = fl, il
        mode = rng.choice(["imp_absent", "imp_empty", "find_empty", "find_absent"])
        if mode == "find_absent":
            parts["impression"] = [rng.choice(BARE_IMPS)]
            text = render(layout, parts, rng, drop="findings")
            return text, "FINDINGS section absent; impression is a bare normal statement", {"mode": mode}
        if mode == "imp_absent":
            parts["signoff"] = ""
            text = render(layout, parts, rng, drop="impression")
            return text, "IMPRESSION section absent (report ends after findings)", {"mode": mode}
        if mode == "imp_empty":
            text = render(layout, parts, rng, empty="impression")
            return text, "IMPRESSION header left with nothing under it", {"mode": mode}
        text = render(layout, parts, rng, empty="findings")
        return text, "FINDINGS header left with nothing under it", {"mode": mode}

    if kind == "laterality_conflict":
        mode = rng.choice(["effusion", "pneumothorax", "consolidation", "implied", "ipsilateral", "nodule", "collapse",
                           "mass"])
        if mode == "implied":
            side = rng.choice(["left", "right"])
            lobe = "lingula" if side == "left" else "middle lobe"
            p = mk_consolidation(rng, side=side, lobe=lobe)
            p.ix = rng.choice([f"{cap(OPP[side])}-sided pneumonia.", f"{cap(OPP[side])} lung consolidation, "
                                                                    f"consistent with pneumonia."])
            flipped_in = "impression"
            detail = f"{lobe} ({side}) consolidation in FINDINGS; IMPRESSION places the pneumonia on the {OPP[side]}"
        elif mode == "ipsilateral":
            p = mk_pneumothorax(rng, tube=True)
            side = p.side
            p.ix = re.sub(rf"\b{side}\b", OPP[side], p.ix.split(" despite")[0], count=1) + "; drain in situ."
            flipped_in = "impression"
            detail = f"pneumothorax ipsilateral to the {side} drain; IMPRESSION calls it {OPP[side]}"
        else:
            p = SIG_MAKERS[mode](rng) if mode != "effusion" else mk_effusion(rng, size=rng.choice(["small", "moderate",
                                                                                               "large"]))
            side = p.side
            flipped_in = rng.choice(["impression", "impression", "findings"])
            if mode == "consolidation" and ("middle lobe" in p.fx or "lingula" in p.fx):
                flipped_in = "impression"
            if flipped_in == "impression":
                p.ix = re.sub(rf"\b{side}\b", OPP[side], p.ix)
                p.ix = re.sub(rf"\b{cap(side)}\b", cap(OPP[side]), p.ix)
                if side not in p.fx and cap(side) not in p.fx:
                    p.fx = p.fx.rstrip(".") + f" ({side})."
            else:
                p.fx = re.sub(rf"\b{side}\b", OPP[side], p.fx)
                p.fx = re.sub(rf"\b{cap(side)}\b", cap(OPP[side]), p.fx)
                if side not in p.ix.lower():
                    p.ix = p.ix.rstrip(".") + f", {side}."
            detail = f"{mode}: FINDINGS say {side if flipped_in == 'impression' else OPP[side]}, IMPRESSION says " \
                     f"{OPP[side] if flipped_in == 'impression' else side} (side flipped in {flipped_in})"
        pos = [p] + pick_positives(rng, 0, rng.choice([0, 1]))
        pos = [x for x in pos if not (x.minor and x.side)]
        fl = assemble(rng, pos)
        il = impression_for(rng, pos)
        parts["findings"], parts["impression"] = fl, il
        return render(layout, parts, rng), detail, {"p": p, "side": side, "flipped_in": flipped_in}

    if kind == "negation_conflict":
        mode = rng.choice(["imp_asserts", "imp_asserts", "imp_negates", "imp_negates_meaning", "resolved_persist",
                           "query_confirmed", "stop"])
        if mode in ("imp_asserts", "query_confirmed", "resolved_persist"):
            pos = pick_positives(rng, 0, rng.choice([0, 1]))
            pos = [x for x in pos if x.cat != "hedged"]
            cat = {"imp_asserts": rng.choice(["effusion", "pneumothorax", "consolidation", "edema"]),
                   "query_confirmed": "pneumothorax", "resolved_persist": "effusion"}[mode]
            fl = assemble(rng, pos)
            neg_idx = None
            if mode == "query_confirmed":
                fl = [s for s in fl if "pneumothora" not in s.lower()]
                fl.insert(1, "The clinician's query of pneumothorax is not confirmed.")
            elif mode == "resolved_persist":
                fl = [s for s in fl if "effusion" not in s.lower()]
                side = rng.choice(["left", "right"])
                fl.insert(1, rng.choice([f"The {side} pleural effusion has resolved.",
                                         f"The previously seen {side} pleural effusion is no longer seen.",
                                         f"The {side} costophrenic angle has cleared."]))
            else:
                hits = [i for i, s in enumerate(fl) if any(w in s.lower() for w in SYN[cat][:2]) or
                        (cat == "consolidation" and "lungs are clear" in s.lower())]
                neg_idx = hits[0] if hits else None
                if neg_idx is None:
                    fl.insert(1, coord_neg([NEG_NAMES[cat][0]], rng))
            side = rng.choice(["left", "right"]) if mode != "resolved_persist" else side
            a = {"effusion": f"Small {side} pleural effusion.", "pneumothorax": f"Small {side} apical pneumothorax.",
                 "consolidation": f"{cap(side)} lower lobe consolidation, consistent with pneumonia.",
                 "edema": "Mild interstitial pulmonary oedema."}[cat]
            if mode == "resolved_persist":
                a = rng.choice([f"Persistent {side} pleural effusion.", f"Unchanged {side} pleural effusion."])
            il = [a] + [p.ix for p in pos if rng.random() < 0.6]
            detail = {"imp_asserts": f"IMPRESSION asserts {cat}, FINDINGS negate it",
                      "query_confirmed": "FINDINGS: query of pneumothorax not confirmed; IMPRESSION asserts one",
                      "resolved_persist": "FINDINGS: effusion resolved; IMPRESSION calls it persistent"}[mode]
            parts["findings"], parts["impression"] = fl, il
            return render(layout, parts, rng), detail, {"cat": cat, "mode": mode}
        # FINDINGS affirm, IMPRESSION rules out
        cat = rng.choice(["effusion", "pneumothorax", "consolidation", "edema"])
        p = SIG_MAKERS[cat](rng)
        pos = [p] + pick_positives(rng, 0, rng.choice([0, 1]))
        pos = [x for x in pos if x.cat not in ("hedged",)]
        fl = assemble(rng, pos, stop=p if mode == "stop" else None)
        others = [x.ix for x in pos if x is not p]
        if mode == "imp_negates_meaning":
            neg = {"effusion": rng.choice(["Clear costophrenic angles.", "No pleural abnormality."]),
                   "pneumothorax": "Lungs fully expanded.",
                   "consolidation": rng.choice(["The lungs are clear.", "Clear lungs."]),
                   "edema": rng.choice(["Normal pulmonary vasculature; no failure.",
                                        "No evidence of heart failure."])}[cat]
        else:
            neg = {"effusion": rng.choice(["No pleural effusion.", "Negative for pleural effusion.",
                                           "No effusion or pneumothorax."]),
                   "pneumothorax": rng.choice(["No pneumothorax.", "Negative for pneumothorax.",
                                               "Neither pneumothorax nor effusion."]),
                   "consolidation": rng.choice(["No consolidation.", "No focal consolidation or effusion.",
                                                "Negative for pneumonia."]),
                   "edema": rng.choice(["No pulmonary edema.", "No evidence of pulmonary oedema."])}[cat]
            if cat == "pneumothorax" and "effusion" in neg and any(x.cat == "effusion" for x in pos):
                neg = "No pneumothorax."
            if cat == "consolidation" and "effusion" in neg and any(x.cat == "effusion" for x in pos):
                neg = "No consolidation."
        il = others + [neg] if others and rng.random() < 0.5 else [neg] + others
        parts["findings"], parts["impression"] = fl, il
        return render(layout, parts, rng), f"FINDINGS affirm {cat}; IMPRESSION rules it out ('{neg}')", \
            {"cat": cat, "mode": mode, "p": p}

    if kind == "impression_omits_finding":
        cat = rng.choice(["effusion", "pneumothorax", "consolidation", "edema", "nodule", "mass", "collapse",
                          "mediastinum", "free_air", "new_effusion"])
        p = mk_effusion(rng, size="small", new=True) if cat == "new_effusion" else SIG_MAKERS[cat](rng)
        if p.cat == "effusion" and "small" in p.fx.lower() and "new" not in p.fx.lower():
            p = mk_effusion(rng, size="moderate")
        with_others = rng.random() < 0.5
        pos = [p]
        if with_others:
            pos += [mk_minor(rng, exclude={"scar"})]
            if rng.random() < 0.4:
                pos += [mk_minor(rng, exclude={"scar", pos[1].cat})]
        mode = "plain"
        stop = None
        if p.cat in ("effusion", "pneumothorax") and rng.random() < 0.5 and "drain" not in p.fx:
            mode = rng.choice(["pseudo", "stop"])
        if mode == "stop":
            stop = p
        fl = assemble(rng, pos, stop=stop)
        if mode == "pseudo":
            size = re.search(r"(small apical|small|moderate|large)", p.fx, re.I).group(1).lower()
            noun = "pleural effusion" if p.cat == "effusion" else "pneumothorax"
            if p.cat == "effusion" and size == "small":
                size = "moderate"
            desc = f"small {p.side} apical" if size == "small apical" else f"{size} {p.side}"
            fl[fl.index(p.fx)] = rng.choice([f"No significant change in the size of the {desc} {noun}.",
                                             f"Not only is the {desc} {noun} unchanged, but there is also "
                                             f"compressive atelectasis of the adjacent lung." if p.cat == "effusion"
                                             else f"No change in the {desc} {noun}."])
        others = [x for x in pos if x is not p]
        if others:
            il = [x.ix for x in others]
        else:
            il = [rng.choice(NORMAL_IMPS)]
        parts["findings"], parts["impression"] = fl, il
        return render(layout, parts, rng), f"FINDINGS affirm {p.cat} ({mode}); IMPRESSION " \
            f"{'lists other findings' if others else 'calls the study normal'} and omits it", \
            {"p": p, "with_others": bool(others)}

    if kind == "placeholder":
        mode = rng.choice(["size_cm", "side", "grade", "finding", "mm", "insert", "imp_side"])
        if mode in ("size_cm", "mm"):
            p = mk_nodule(rng) if mode == "mm" else mk_mass(rng)
            pos = [p]
            if mode == "mm":
                p.fx = re.sub(r"\d+ mm", rng.choice(["XX mm", "___ mm", "[***] mm"]), p.fx)
            else:
                p.fx = re.sub(r"[\d.]+ cm", rng.choice(["___ cm", "[size] cm", "XX cm"]), p.fx)
            tok = re.search(r"(XX|___|\[\*\*\*\]|\[size\]) (mm|cm)", p.fx).group(0)
        elif mode in ("side", "imp_side"):
            p = rng.choice([mk_effusion, mk_pneumothorax, mk_consolidation])(rng)
            tok = rng.choice(["[LEFT/RIGHT]", "[right/left]", "[side]", "***"])
            if mode == "side" or p.side not in p.ix.lower():
                p.fx = re.sub(rf"\b{p.side}\b", tok, p.fx, count=1)
                if tok not in p.fx:
                    p.fx = re.sub(rf"\b{cap(p.side)}\b", tok, p.fx, count=1)
            else:
                p.ix = re.sub(rf"\b{p.side}\b", tok, p.ix, count=1)
                if tok not in p.ix:
                    p.ix = re.sub(rf"\b{cap(p.side)}\b", tok, p.ix, count=1)
            pos = [p]
        elif mode == "grade":
            p = mk_effusion(rng)
            tok = rng.choice(["[small/moderate/large]", "[***]", "<size>"])
            p.fx = re.sub(r"\b(small|moderate|large)\b", tok, p.fx, count=1, flags=re.I)
            pos = [p]
        elif mode == "finding":
            p = None
            pos = pick_positives(rng, 0, rng.choice([0, 1]))
            tok = rng.choice(["[***]", "<insert finding>", "[finding]"])
        else:
            p = None
            pos = pick_positives(rng, 1, 0, cats=["effusion", "consolidation", "pneumothorax"])
            tok = rng.choice(["<insert>", "[ ]", "{comparison}"])
        fl = assemble(rng, pos)
        il = impression_for(rng, pos)
        if mode == "finding":
            fl.insert(len(fl) - 1, f"There is {tok} at the {rng.choice(['left', 'right'])} base.")
        if mode == "insert":
            if tok == "{comparison}":
                fl.append(f"Compared with {tok}, the appearances are otherwise unchanged.")
            else:
                il.append(f"Recommend follow-up radiograph in {tok} weeks.")
        parts["findings"], parts["impression"] = fl, il
        return render(layout, parts, rng), f"unfilled template field {tok!r} ({mode})", {"tok": tok}
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------------

def iu_parts(r, rng, reword=True):
    fl = [reword_iu_sentence(s, rng) if reword else s for s in sents(r["findings"])]
    il = [reword_iu_sentence(s, rng) if reword and not NORMAL_IMP.match(s) else s for s in sents(r["impression"])]
    il = [re.sub(r"^\d\.\s+", "", s) for s in il]
    return {"exam": rng.choice(EXAMS) if rng.random() < 0.4 else "",
            "indication": re.sub(r"\.\.+", ".", r["indication"]), "comparison": re.sub(r"\.\.+", ".", r["comparison"]),
            "findings": fl, "impression": il, "signoff": ""}


NEG_TERMS = {"effusion": r"effusion", "pneumothorax": r"pneumothora",
             "consolidation": r"consolidation|airspace|air space", "edema": r"edema"}


def iu_negated_cats(r):
    cats = set()
    for s in sents(r["findings"]):
        if not is_neg_sentence(s):
            continue
        for c, pat in NEG_TERMS.items():
            m = re.search(pat, s, re.I)
            # "no large effusion", "no overt edema" do not rule out a small effusion or mild edema
            if m and not re.search(r"\b(large|significant|overt|definite|gross|obvious|sizable|moderate|frank|"
                                   r"acute|XXXX)\b", s[:m.start()], re.I):
                cats.add(c)
        if re.search(r"lungs are clear", s, re.I):
            cats.add("consolidation")
    return cats


LAT_EXCL = re.compile(r"middle lobe|lingula|pacemaker|catheter|tube|\bline\b|\bport\b|wire|clip|atri|ventric|picc|"
                      r"stent|device|lead|XXXX|bilateral|both|\bno\b|without|\bnot\b|resolv", re.I)


def _one_side(s):
    sd = {x.lower() for x in SIDE.findall(s)}
    return sd.pop() if len(sd) == 1 else None


def iu_lat_candidate(r):
    """A FINDINGS sentence and an IMPRESSION sentence naming the same finding on the same (single) side."""
    fsl, isl = sents(r["findings"]), sents(r["impression"])
    if re.search(r"bilateral|bibasilar|\bboth\b|biapical|multifocal|diffuse", r["impression"] + r["findings"], re.I):
        return None
    for isent in isl:
        side = _one_side(isent)
        if not side or LAT_EXCL.search(isent) or HEDGE.search(isent):
            continue
        it = {m.lower()[:5] for m in ABN.findall(isent)}
        for fsent in fsl:
            if _one_side(fsent) != side or LAT_EXCL.search(fsent) or HEDGE.search(fsent):
                continue
            ft = {m.lower()[:5] for m in ABN.findall(fsent)}
            if not (ft & it):
                continue
            # the opposite side must not be used anywhere for that finding
            term = sorted(ft & it)[0]
            if any(OPP[side] in x.lower() and term in x.lower() for x in fsl + isl):
                continue
            return side, fsent, isent
    return None


def flip(s, side):
    s = re.sub(rf"\b{side}\b", OPP[side], s)
    return re.sub(rf"\b{cap(side)}\b", cap(OPP[side]), s)


def iu_injected(r, kind, rng, pools):
    parts = iu_parts(r, rng)
    layout = rng.choice(LAYOUTS)
    if kind == "missing_section":
        mode = rng.choice(["imp_absent", "imp_empty", "find_empty", "find_absent"])
        if mode == "find_absent":
            parts["impression"] = [rng.choice(BARE_IMPS)] if not re.match(
                r"^(no acute (cardiopulmonary )?(disease|process|abnormality)|normal chest|negative)\.?$",
                r["impression"].strip().rstrip("."), re.I) else [r["impression"]]
            return render(layout, parts, rng, drop="findings"), "FINDINGS section absent; impression is a bare " \
                                                               "normal statement", {"mode": mode}
        if mode == "imp_absent":
            return render(layout, parts, rng, drop="impression"), "IMPRESSION section absent", {"mode": mode}
        if mode == "imp_empty":
            return render(layout, parts, rng, empty="impression"), "IMPRESSION header left empty", {"mode": mode}
        return render(layout, parts, rng, empty="findings"), "FINDINGS header left empty", {"mode": mode}
    if kind == "laterality_conflict":
        side, fs, is_ = r["_lat"]
        parts = iu_parts(r, rng, reword=False)
        if rng.random() < 0.6:
            parts["impression"] = [flip(s, side) if s == is_ else s for s in parts["impression"]]
            where, new = "impression", flip(is_, side)
        else:
            parts["findings"] = [flip(s, side) if s == fs else s for s in parts["findings"]]
            where, new = "findings", flip(fs, side)
        keep = is_ if where == "findings" else fs
        return render(layout, parts, rng), f"side flipped in {where}: '{fs if where == 'findings' else is_}' " \
                                           f"now says {OPP[side]}; other section: '{keep}'", \
            {"side": side, "where": where, "new": new, "keep": keep}
    if kind == "negation_conflict":
        cats = sorted(iu_negated_cats(r))
        cat = rng.choice(cats)
        side = rng.choice(["left", "right"])
        a = {"effusion": rng.choice([f"Small {side} pleural effusion.", f"{cap(side)} pleural effusion."]),
             "pneumothorax": rng.choice([f"Small {side} pneumothorax.", f"{cap(side)} apical pneumothorax."]),
             "consolidation": rng.choice([f"{cap(side)} lower lobe consolidation, consistent with pneumonia.",
                                          f"Airspace disease in the {side} lower lobe, likely pneumonia."]),
             "edema": "Mild pulmonary edema."}[cat]
        parts["impression"] = [a]
        return render(layout, parts, rng), f"IMPRESSION replaced by '{a}'; FINDINGS negate {cat}", {"cat": cat}
    if kind == "impression_omits_finding":
        # an impression that says "clear lungs" or "no infiltrate" would rule the finding out (a negation conflict),
        # not merely leave it out: only impressions silent on the lungs and pleura are used
        if re.search(r"clear|lung|infiltrat|consolid|airspace|air space|opacit|effusion|pneumothora|edema|pleura|"
                     r"pneumonia|nodul|mass|atelecta|collapse|congest|failure", r["impression"], re.I):
            raise AssertionError("impression speaks about the lungs")
        cat = rng.choice(["effusion", "pneumothorax", "consolidation", "edema", "nodule", "mass", "collapse"])
        p = mk_effusion(rng, size=rng.choice(["moderate", "large"])) if cat == "effusion" else SIG_MAKERS[cat](rng)
        drop = {"effusion": r"effusion|costophrenic|pleural", "pneumothorax": r"pneumothora|pleural",
                "consolidation": r"consolidat|airspace|air space|clear|opacit|infiltrat|focal",
                "edema": r"edema|vascular|clear|interstitial|vasculature",
                "nodule": r"nodul|mass|clear|opacit", "mass": r"nodul|mass|clear|opacit|hil|mediastin",
                "collapse": r"collapse|atelecta|clear|opacit|volume|consolidat|airspace"}[cat]
        fl = [s for s in parts["findings"] if not re.search(drop, s, re.I) and not re.search(r"no acute|normal chest",
                                                                                           s, re.I)]
        gone = [c for c in ["effusion", "pneumothorax", "consolidation"] if c != cat and c != p.cat and
                not any(re.search(NEG_TERMS[c], s, re.I) for s in fl)]
        if cat in ("collapse", "consolidation", "edema"):
            gone = [c for c in gone if c != "consolidation"]
        if gone:
            fl.append(coord_neg([NEG_NAMES[c][0] for c in gone], rng))
        fl.insert(rng.randint(1, max(1, len(fl) - 1)) if len(fl) > 1 else 0, p.fx)
        parts["findings"] = fl
        return render(layout, parts, rng), f"FINDINGS now affirm {cat} ('{p.fx}'); IMPRESSION left as " \
                                           f"'{r['impression']}' omits it", {"p": p}
    if kind == "placeholder":
        fl = parts["findings"]
        opts = []
        for i, s in enumerate(fl):
            if re.search(r"\b(left|right)\b", s) and "XXXX" not in s:
                opts.append(("side", i))
            if re.search(r"\b(mild|small|moderate)\b", s, re.I):
                opts.append(("grade", i))
            if re.search(r"granuloma|nodule", s, re.I) and not re.search(r"\bno\b", s, re.I):
                opts.append(("measure", i))
            if re.match(r"^(Normal heart size|Heart size within normal limits|The heart is not enlarged)", s):
                opts.append(("heart", i))
            if re.match(r"^(No|Negative for|There is no) ", s):
                opts.append(("neg", i))
        strong = [o for o in opts if o[0] != "neg"]
        kind2, i = rng.choice(strong if strong and rng.random() < 0.75 else opts)
        s = fl[i]
        if kind2 == "side":
            tok = rng.choice(["[LEFT/RIGHT]", "[side]", "***"])
            s2 = re.sub(r"\b(left|right)\b", tok, s, count=1)
        elif kind2 == "grade":
            tok = rng.choice(["[mild/moderate/severe]", "[***]", "<grade>"])
            s2 = re.sub(r"\b(mild|small|moderate)\b", tok, s, count=1, flags=re.I)
        elif kind2 == "measure":
            tok = rng.choice(["___ mm", "XX mm", "[***] mm"])
            s2 = re.sub(r"(granuloma|nodule)", rf"\1 measuring {tok}", s, count=1, flags=re.I)
        elif kind2 == "heart":
            tok = rng.choice(["[normal/enlarged]", "[***]"])
            s2 = f"Heart size is {tok}."
        else:
            tok = rng.choice(["[***]", "<insert finding>", "[finding]"])
            m = re.match(r"^(No|Negative for|There is no) (.+?)\.$", s)
            items = _split_list(m.group(2)) if m else []
            if len(items) >= 2 and rng.random() < 0.6:
                items[rng.randrange(len(items))] = tok
                s2 = f"{m.group(1)} " + ", ".join(items[:-1]) + (", or " if len(items) > 2 else " or ") \
                    + items[-1] + "."
            else:
                s2 = s.rstrip(".") + f". There is {tok} at the {rng.choice(['left', 'right'])} lung base."
        fl[i] = s2
        return render(layout, parts, rng), f"template field {tok!r} left in '{s}'", {"tok": tok}
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------------
# verification
# --------------------------------------------------------------------------------------------------

SEC_RE = re.compile(r"^(FINDINGS|Findings|IMPRESSION|Impression):?", re.M)
PH_RE = re.compile(r"\[(LEFT/RIGHT|right/left|side|size|\*\*\*|small/moderate/large|mild/moderate/severe|"
                   r"normal/enlarged|finding| )\]|<[a-z ]+>|\{comparison\}|\bXX (mm|cm)\b|___ (mm|cm)|\*\*\*")


def split_sections(text):
    f = re.search(r"^(?:FINDINGS|Findings):?[ \n]?(.*?)(?=^(?:IMPRESSION|Impression)|\Z)", text, re.M | re.S)
    i = re.search(r"^(?:IMPRESSION|Impression):?[ \n]?(.*?)(?=\n\n|\Z)", text, re.M | re.S)
    return (f.group(1).strip() if f else None), (i.group(1).strip() if i else None)


def check_case(kind, text, info):
    f, i = split_sections(text)
    if kind != "placeholder":
        assert not PH_RE.search(text), text
    if kind is None or kind != "missing_section":
        assert f and i, text
    if kind is None:
        return
    if kind == "missing_section":
        m = info["mode"]
        if m == "find_absent":
            assert f is None and i and not ACUTE.search(re.sub(r"\bno\b.*", "", i, flags=re.I)), text
        elif m == "imp_absent":
            assert i is None and f, text
        elif m == "imp_empty":
            assert i == "" and f, text
        else:
            assert f == "" and i, text
    elif kind == "laterality_conflict":
        side = info["side"]
        if "p" in info:
            fl_, il_ = f.lower(), i.lower()
            p = info["p"]
            if info["flipped_in"] == "impression":
                assert OPP[side] in il_ and side not in il_, text
                assert side in fl_ or "lingula" in fl_ or "middle lobe" in fl_, text
            else:
                assert side in il_ and OPP[side] in fl_, text
            assert p.cat
        else:
            new, keep = info["new"], info["keep"]
            assert _one_side(new) == OPP[side] and _one_side(keep) == side, text
            assert new in (i if info["where"] == "impression" else f), text
            assert keep in (f if info["where"] == "impression" else i), text
    elif kind == "negation_conflict":
        cat = info["cat"]
        pat = {"effusion": "effusion|costophrenic|pleural", "pneumothorax": "pneumothora|expanded",
               "consolidation": "consolidat|airspace|pneumonia|lungs", "edema": "edema|oedema|failure|vasculature"}[cat]
        assert re.search(pat, i, re.I), text
        if "p" in info:
            assert info["p"].fx.split()[-1].rstrip(".").lower() in f.lower() or cat[:5] in f.lower(), text
    elif kind == "impression_omits_finding":
        p = info["p"]
        il_ = i.lower()
        for w in SYN[p.cat]:
            assert w not in il_, (w, text)
        assert p.sig
    elif kind == "placeholder":
        assert PH_RE.search(text), text


# --------------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------------

def build(seed, shared):
    rng = random.Random(seed)
    iu, dev = load_iu(shared)
    iu = [r for r in iu if r["findings"] and r["impression"]]
    normal = [r for r in iu if iu_is_normal(r)]
    abnormal_ok = [r for r in iu if iu_is_consistent_abnormal(r)]
    lat = []
    for r in iu:
        c = iu_lat_candidate(r)
        if c:
            lat.append(dict(r, _lat=c))
    neg_ok = [r for r in normal if iu_negated_cats(r)]
    omit_others = [r for r in iu if not NORMAL_IMP.match(r["impression"]) and not ACUTE.search(r["impression"])
                   and not HEDGE.search(r["impression"]) and r["impression"].count("XXXX") == 0
                   and all(is_neg_sentence(s) or not ACUTE.search(s) for s in sents(r["findings"]))
                   and not HEDGE.search(r["findings"]) and len(r["impression"]) < 160]
    used = set()

    def take(pool, n):
        cand = [r for r in pool if r["uid"] not in used]
        rng.shuffle(cand)
        got = cand[:n]
        if len(got) < n:
            raise SystemExit(f"IU pool too small ({len(got)} < {n})")
        used.update(r["uid"] for r in got)
        return got

    cases = []
    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    for r in take(normal, 70) + take(abnormal_ok, half_c - 70):
        parts = iu_parts(r, rng)
        text = render(rng.choice(LAYOUTS), parts, rng)
        check_case(None, text, {})
        cases.append({"injected": None, "detail": f"IU {r['uid']} unmodified (re-laid-out, negations re-worded)",
                      "report": text, "_src": "iu", "_uid": r["uid"]})
    for _ in range(half_c):
        text, detail, _pos, _il = composed_clean(rng)
        check_case(None, text, {})
        cases.append({"injected": None, "detail": detail, "report": text, "_src": "composed"})
    def inject_iu(kind, pool, n):
        cand = [r for r in pool if r["uid"] not in used]
        rng.shuffle(cand)
        got = 0
        for r in cand:
            if got == n:
                break
            for _try in range(10):
                try:
                    text, detail, info = iu_injected(r, kind, rng, None)
                    check_case(kind, text, info)
                    break
                except (AssertionError, IndexError):
                    continue
            else:
                continue  # this report does not lend itself to the kind; try the next one
            used.add(r["uid"])
            got += 1
            cases.append({"injected": kind, "detail": f"IU {r['uid']}: {detail}", "report": text, "_src": "iu",
                          "_uid": r["uid"]})
        if got < n:
            raise SystemExit(f"IU pool too small for {kind} ({got} < {n})")

    for kind in KINDS:
        if kind == "laterality_conflict":
            inject_iu(kind, lat, half_k)
        elif kind == "negation_conflict":
            inject_iu(kind, neg_ok, half_k)
        elif kind == "impression_omits_finding":
            inject_iu(kind, normal, half_k // 2)
            inject_iu(kind, omit_others, half_k - half_k // 2)
        else:
            inject_iu(kind, normal + abnormal_ok, half_k)
        for _ in range(half_k):
            for _try in range(50):
                text, detail, info = composed_injected(rng, kind)
                try:
                    check_case(kind, text, info)
                    break
                except AssertionError:
                    continue
            else:
                raise SystemExit(f"could not compose {kind}")
            cases.append({"injected": kind, "detail": detail, "report": text, "_src": "composed"})
    assert not (used & dev)
    rng.shuffle(cases)
    for n, c in enumerate(cases):
        c["id"] = "h17-" + hashlib.sha256(f"{seed}:{n}:{c['report']}".encode()).hexdigest()[:12]
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists() or \
            not (shared / "eval" / "report_errors_dev.jsonl").exists():
        print(f"shared data not found under {shared}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    cases = build(a.seed, shared)
    with open(a.out, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps({"id": c["id"], "injected": c["injected"], "detail": c["detail"],
                                 "report": c["report"]}, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][:a.show]:
                print(f"===== {kind} | {c['_src']} | {c['detail']}\n{c['report']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
