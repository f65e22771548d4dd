"""Held-out report-check set no. 14: serial follow-up, measurements, post-operative chests, hedging, shorthand.

Written blind: without reading the checker (medrag_core), its tests, docs or any other held-out generator;
only the scorer's format, the IU archive and the dev set's `uid` field (to exclude those reports) were used.

    python -m bench.make_heldout14 OUT.jsonl --seed S [--show N]

writes 400 shuffled JSONL lines (200 clean, 40 each of the five injected kinds), half composed from the
phrase bank below and half real IU (Open-i) reports re-laid-out and re-worded.  Styles / themes:

- serial follow-up wording: new, increasing, decreasing, resolving, resolved, unchanged, "interval
  development of", "slightly more conspicuous", "now seen", "no longer seen";
- measurements: nodules and masses in mm / cm ("1.2 x 0.8 cm", "sub-centimetre"), effusions by height or
  fraction of the hemithorax, pneumothorax by apical distance or percentage, CTR;
- post-operative chests: lobectomy, pneumonectomy (expected opacified hemithorax), CABG, lung transplant,
  chest drain removal, talc pleurodesis;
- hedged differentials and recommendations: "? consolidation", "may represent", "differential includes",
  Fleischner-style CT follow-up, "clinical correlation";
- clinician shorthand: B/L, bilat, Rt/Lt, R/L, RLL, c/w, s/p, w/, w/o, r/o, +ve/-ve, up/down arrows, Nil, WNL;
- technique caveats: portable semi-erect AP, lateral decubitus, inspiratory/expiratory, apical lordotic.

Layouts vary (headers FINDINGS / Findings / IMP / CONCLUSION, inline or block, numbered or dashed impression
lists, separate RECOMMENDATION, sign-off lines with de-identification masks ``___`` for names and dates).
Every injected case is checked in code for the error it carries; clean cases are checked for consistency.
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

# ----------------------------------------------------------------------------------------------------------
# shared vocabulary: families, side detection, placeholders

TERMS = {
    "ptx": r"pneumothora|\bptx\b|pleural air|lung edge|apical (air|lucency)",
    "effusion": r"effusion|fluid|hydrothora|costophrenic|\bCP\b|meniscus",
    "consol": r"consolidat|air ?-?space|pneumoni|infect|opacit|infiltrat|aspiration|\bLRTI\b|bronchogram|pneumonitis",
    "edema": r"o?edema|congest|failure|fluid (overload|balance)|kerley|venous diversion|\bCCF\b|\bCHF\b|"
    r"redistribution|septal lines|interstitial",
    "nodule": r"nodul|lesion|opacit|mass|granulom|density|neoplas|malignan|fleischner|\bCT\b",
    "mass": r"mass|lesion|neoplas|tumou?r|malignan|carcinoma|primary|hil(ar|um)|opacit|nodul|\bCT\b",
    "collapse": r"collapse|atelecta|volume loss|opacit|plug|bronchoscop|consolidat",
    "atelect": r"atelecta|collapse|scar|opacit",
    "cardiomeg": r"cardi|heart|\bCTR\b",
    "freeair": r"free (gas|air)|pneumoperitoneum|subdiaphragmatic|perforat|laparotomy",
    "opacity": r"opacit|consolidat|air ?space|pneumoni|infiltrat|atelecta|nodul|mass|scar|density|fibros|lesion",
    "granuloma": r"granulom|calcifi|nodul",
}
# IU detection regexes (what names the family in a findings sentence)
IU_FAM = {
    "ptx": r"pneumothora",
    "effusion": r"effusion",
    "consol": r"consolidat|air ?space (disease|opacit)|pneumonia|infiltrat",
    "edema": r"\bo?edema\b|vascular congestion|pulmonary congestion",
    "mass": r"\bmass(es)?\b",
    "collapse": r"collapse",
    "cardiomeg": r"cardiomegaly|heart (size )?is (mildly |moderately |markedly |severely )?enlarged|"
    r"enlarged (heart|cardiac)|cardiac enlargement",
    "nodule": r"\bnodules?\b",
    "atelect": r"atelecta",
    "opacity": r"opacit",
    "granuloma": r"granulom",
}
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear|resolved|resolution|removed|nor|absence|none|"
                     r"normal|unremarkable)\b", re.I)
HEDGE = re.compile(r"possib|\bmay\b|might|cannot|can't|question|\?|suspicio|versus|\bvs\b|differential|could|"
                   r"suggest|consider|equivocal|borderline|minimal|subtle|vague|probabl|likely|concern|"
                   r"exclude|chronic|old|healed|prior|previous|stable|unchanged|again|and/or|\bor\b", re.I)
SIG_SIZE = re.compile(r"\b(moderate|large|massive)\b", re.I)
NEWINC = re.compile(r"\bnew\b|increas|worsen|progress|enlarging", re.I)
PH_RE = re.compile(r"_{2,}\s*(?:mm|cm|%)|___ x|\bXX\s*(?:mm|cm)\b|\[[^\]]*\]|<insert[^>]*>|\*\*\*")
NORMAL_BARE = re.compile(r"^(no acute (cardiopulmonary |intrathoracic |pulmonary )?(disease|abnormality|process|"
                         r"findings?|abnormalities)|no active (cardiopulmonary )?disease|normal chest[\w -]*|"
                         r"negative chest[\w -]*|no acute cardiopulmonary abnormality)\.?$", re.I)
NORMALS = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.", "No acute abnormality.",
           "No acute intrathoracic process.", "No active disease.", "No acute cardiopulmonary disease."]
NORMALS_SHORT = ["Nil acute.", "Nil acute change.", "No acute change.", "No acute cardiopulmonary process."]

_SIDE_W = re.compile(r"\b(left|right|lt|rt)\b", re.I)
_SIDE_L = re.compile(r"(?<![/\w])([RL])(?![/\w])")
_SIDE_LOBE = re.compile(r"\b([RL])(?:UL|ML|LL)\b")


def sides(text):
    out = set()
    for m in _SIDE_W.finditer(text):
        out.add("left" if m.group(1).lower() in ("left", "lt") else "right")
    for rx in (_SIDE_L, _SIDE_LOBE):
        for m in rx.finditer(text):
            out.add("left" if m.group(1) == "L" else "right")
    return out


def other(side):
    return {"left": "right", "right": "left"}[side]


def flip_text(s):
    """Swap left/right (and lobe abbreviations) in one raw sentence, keeping case."""
    def sw(m):
        w = m.group(0)
        t = {"left": "right", "right": "left", "LUL": "RUL", "RUL": "LUL", "LLL": "RLL", "RLL": "LLL"}
        n = t.get(w.lower(), t.get(w))
        if w.isupper() and len(w) > 3:
            return n.upper()
        return n.capitalize() if w[0].isupper() and len(w) > 3 else n
    return re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT|LUL|RUL|LLL|RLL)\b", sw, s)


def cap(s):
    return s[:1].upper() + s[1:] if s else s


# ----------------------------------------------------------------------------------------------------------
# style: shorthand transform and layout

class Style:
    def __init__(self, r, abbr, uk=False):
        self.abbr, self.uk = abbr, uk
        self.rules = []
        if abbr:
            lr = r.choice([("Lt", "Rt"), ("L", "R"), ("Lt", "Rt")])
            if r.random() < 0.6:
                self.rules.append((r"\b(right|left) (upper|middle|lower) lobe\b",
                                   lambda m: m.group(1)[0].upper() + m.group(2)[0].upper() + "L"))
            self.rules.append((r"\bleft\b", lambda m, x=lr[0]: x))
            self.rules.append((r"\bright\b", lambda m, x=lr[1]: x))
            opts = [
                (r"\bbilateral(ly)?\b", r.choice(["B/L", "bilat", "B/L"])),
                (r"\bconsistent with\b|\bin keeping with\b", "c/w"),
                (r"\bstatus post\b", "s/p"),
                (r"\bwithout\b", "w/o"),
                (r"\bwith\b", "w/"),
                (r"\b(has )?increased( in size)?\b|\bincreasing\b", "\u2191"),
                (r"\b(is )?decreas(ed|ing)( in size)?\b", "\u2193"),
                (r"\bpneumothorax\b", "PTX"),
                (r"\bwithin normal limits\b", "WNL"),
                (r"\bcompared with\b|\bcompared to\b", "cf."),
                (r"\bapproximately\b", r.choice(["~", "approx."])),
                (r"\bcostophrenic\b", "CP"),
                (r"\bintercostal chest drain\b|\bchest drain\b|\bchest tube\b", r.choice(["ICD", "chest drain"])),
                (r"\bcentral venous catheter\b", "CVC"),
                (r"\bpositive\b", "+ve"),
                (r"\bnegative\b", "-ve"),
                (r"\brule out\b", "r/o"),
                (r"\bsecondary to\b", "2/2"),
                (r"\bversus\b", "vs"),
                (r"^No (?=\S+( \S+)?\.$)", "Nil "),
                (r"\band\b", "&"),
                (r"\bprevious(ly)?\b", "prev."),
            ]
            for pat, rep in opts:
                if r.random() < 0.65:
                    self.rules.append((pat, rep))

    def tx(self, s):
        for pat, rep in self.rules:
            s = re.sub(pat, rep, s, flags=0 if pat.startswith("^No") else re.I)
        s = re.sub(r"  +", " ", s).replace("~ ", "~")
        if self.uk:
            s = re.sub(r"\bedema\b", "oedema", s)
            s = s.replace("characterization", "characterisation")
        return cap(s)


def layout(r, doc):
    """doc: hdr [(label, text)], F list|None, I list|None, R list, sign str, lay dict -> text."""
    lay = doc["lay"]
    lines = []
    for lab, txt in doc["hdr"]:
        lines.append(f"{lab}: {txt}")
    if lines:
        lines.append("")
    fh, ih, inline = lay["fh"], lay["ih"], lay["inline"]
    if doc["F"] is not None:
        body = ("\n".join(doc["F"]) if lay["flines"] else " ".join(doc["F"])) if doc["F"] else ""
        if inline and body and not lay["flines"]:
            lines.append(f"{fh} {body}")
        else:
            lines.append(fh)
            if body:
                lines.append(body)
        lines.append("")
    if doc["I"] is not None:
        items = list(doc["I"])
        if lay["rec_in_imp"]:
            items += doc["R"]
        if not items:
            lines.append(ih)
        elif len(items) == 1 and lay["ilist"] != "dash":
            if inline:
                lines.append(f"{ih} {items[0]}")
            else:
                lines += [ih, items[0]]
        else:
            lines.append(ih)
            for k, it in enumerate(items, 1):
                lines.append(f"{k}. {it}" if lay["ilist"] == "num" else (f"- {it}" if lay["ilist"] == "dash"
                                                                          else it))
        lines.append("")
    if doc["R"] and not lay["rec_in_imp"]:
        lines.append(f"{lay['rh']} {' '.join(doc['R'])}")
        lines.append("")
    if doc["sign"]:
        lines.append(doc["sign"])
    return "\n".join(lines).strip() + "\n"


def new_layout(r, shorthand):
    fh = r.choice(["FINDINGS:", "FINDINGS:", "Findings:", "FINDINGS / INTERVAL CHANGE:", "Findings (cf. prior):"])
    ih = r.choice(["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"]
                  + (["IMP:", "Imp:"] if shorthand else []))
    return {"fh": fh, "ih": ih, "inline": r.random() < 0.3, "flines": r.random() < 0.25,
            "ilist": r.choice(["num", "num", "dash", "plain"]), "rec_in_imp": r.random() < 0.4,
            "rh": r.choice(["RECOMMENDATION:", "Recommendation:", "Rec:", "Advice:"])}


SIGNS = ["Dictated by: ___, MD", "Reported by Dr ___, Consultant Radiologist", "Electronically signed: ___ ___ at ___",
         "Verified by ___ (Radiology) on ___", "Findings discussed with Dr ___ by telephone at ___ on ___.",
         "-- ___ / RAD", "Reporting radiologist: Dr ___"]


# ----------------------------------------------------------------------------------------------------------
# composed reports: entity builders.  Each builder makes the same random draws whatever the side, so that the
# same seed re-rendered with the other side gives the flipped sentence.

def E(fam, side, sig, f, i, neg_f=None, neg_i=None, rec=None, i_req=False, flip=True, **kw):
    d = {"fam": fam, "side": side, "sig": sig, "f": f, "i": i, "neg_f": neg_f, "neg_i": neg_i, "rec": rec,
         "i_req": i_req or sig, "flip": flip and side in ("left", "right") and i is not None}
    d.update(kw)
    return d


def b_effusion(r, S):
    size = r.choice(["trace", "small", "small", "moderate", "moderate", "large"])
    ch = r.choice(["new", "increased", "decreased", "unchanged", "unchanged", "none"])
    if size == "trace" and ch == "decreased":
        ch = "unchanged"
    if size == "large" and ch == "decreased":
        size = "moderate"
    h = r.randint(1, 3)
    desc = {"trace": f"blunting the {S} costophrenic angle only",
            "small": r.choice([f"blunting the {S} costophrenic angle",
                               f"meniscus {h} cm above the {S} costophrenic angle"]),
            "moderate": r.choice([f"meniscus to the level of the {S} mid zone",
                                  f"occupying approximately one third of the {S} hemithorax",
                                  f"fluid height approximately {h + 5} cm"]),
            "large": r.choice([f"occupying approximately two thirds of the {S} hemithorax",
                               f"opacifying the lower half of the {S} hemithorax with contralateral "
                               "mediastinal shift"])}[size]
    v = r.random() < 0.5
    f = {"new": (f"Interval development of a {size} {S} pleural effusion, {desc}." if v
                 else f"New {size} {S} pleural effusion, {desc}."),
         "increased": (f"The {S} pleural effusion has increased and is now {size}, {desc}." if v
                       else f"Increasing {S} pleural effusion, now {size}, {desc}."),
         "decreased": f"The {S} pleural effusion is decreasing, now {size}, {desc}.",
         "unchanged": f"{cap(size)} {S} pleural effusion, {desc}, unchanged from the prior study.",
         "none": f"{cap(size)} {S} pleural effusion, {desc}."}[ch]
    chw = {"new": ", new", "increased": ", increasing", "decreased": ", decreasing", "unchanged": ", unchanged",
           "none": ""}[ch]
    i = f"{cap(size)} {S} pleural effusion{chw}."
    rec = ("Diagnostic/therapeutic aspiration could be considered if clinically indicated."
           if size in ("moderate", "large") and r.random() < 0.3 else None)
    sig = size in ("moderate", "large") or ch in ("new", "increased")
    return E("effusion", S, sig, f, i, r.choice(["No pleural effusion.", "The costophrenic angles are clear.",
                                                 "No effusion."]),
             r.choice(["No pleural effusion.", "No effusion."]), rec, size=size, ch=ch)


def b_ptx(r, S):
    x = r.choice([1.2, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
    p = r.choice([10, 15, 20, 25])
    mk = r.randrange(4)
    meas = [f"apex-to-cupola distance {x} cm", f"estimated at approximately {p}%",
            f"{int(x * 10)} mm apical rim", f"apical distance {x} cm"][mk]
    ch = r.choice(["new", "smaller", "unchanged", "increased", "none"])
    ctx = r.choice(["", f" following removal of the {S} chest drain", f" post {S} CT-guided lung biopsy", ""])
    prev = [f"{x + 1.0} cm", f"{p + 10}%", f"{int(x * 10) + 10} mm", f"{x + 1.0} cm"][mk]
    f = {"new": f"New {S} apical pneumothorax{ctx}, {meas}.",
         "smaller": f"The {S} pneumothorax is smaller, {meas} (previously {prev}).",
         "unchanged": f"{cap(S)} apical pneumothorax, {meas}, unchanged.",
         "increased": f"The {S} pneumothorax has increased in size, now {meas}.",
         "none": f"{cap(S)} pneumothorax, {meas}."}[ch]
    chw = {"new": " (new)", "smaller": ", decreasing", "unchanged": ", unchanged", "increased": ", increasing",
           "none": ""}[ch]
    i = f"{cap(S)} pneumothorax{chw}, {meas}."
    rec = r.choice([None, "Repeat film in 4-6 hours suggested.", None])
    return E("ptx", S, True, f, i, r.choice(["No pneumothorax.", "No pneumothorax is seen."]),
             r.choice(["No pneumothorax.", "No residual pneumothorax."]), rec, ch=ch)


def b_consol(r, S):
    zone = r.choice(["lower lobe", "upper lobe", "base", "mid zone", "perihilar region"])
    loc = f"{S} {zone}"
    hedge = r.choice(["", " - ? consolidation", ", likely infective",
                      ", may represent consolidation or aspiration", ""])
    ch = r.choice(["new", "interval", "conspicuous", "increasing", "decreasing", "unchanged", "now"])
    f = {"new": f"New airspace opacity in the {loc}{hedge}.",
         "interval": f"Interval development of consolidation in the {loc}.",
         "conspicuous": f"The patchy airspace opacity in the {loc} is slightly more conspicuous than on the "
                        "prior film.",
         "increasing": f"Increasing consolidation in the {loc} with air bronchograms.",
         "decreasing": f"Consolidation in the {loc} is decreasing but not yet resolved.",
         "unchanged": f"Persistent consolidation in the {loc}, not significantly changed.",
         "now": f"Consolidation is now seen in the {loc}{hedge}."}[ch]
    chw = {"new": " (new)", "interval": " (new)", "conspicuous": ", slightly progressed", "increasing": ", worsening",
           "decreasing": ", improving", "unchanged": ", persistent", "now": " (new)"}[ch]
    i = r.choice([f"{cap(loc)} consolidation{chw}, likely infective.",
                  f"{cap(loc)} airspace opacity{chw}; differential includes pneumonia and aspiration.",
                  f"{cap(loc)} consolidation{chw}, consistent with pneumonia in the appropriate clinical setting."])
    rec = r.choice([None, "Follow-up radiograph in 6-8 weeks after treatment to document resolution.",
                    "Clinical correlation recommended.", None])
    return E("consol", S, True, f, i, r.choice(["The lungs are clear.", "No focal consolidation.",
                                                "No airspace opacity."]),
             r.choice(["Lungs clear.", "No consolidation.", "No focal consolidation."]), rec, ch=ch)


def b_edema(r, S=None):
    ch = r.choice(["new", "increasing", "improving", "unchanged"])
    f = {"new": "Interval development of upper lobe venous diversion, perihilar haze and septal lines consistent "
                "with interstitial edema.",
         "increasing": "Pulmonary edema has increased since the prior film, with bilateral perihilar airspace "
                       "shadowing and Kerley B lines.",
         "improving": "Pulmonary edema is improving but persists, with residual interstitial lines.",
         "unchanged": "Persistent interstitial pulmonary edema, unchanged."}[ch]
    chw = {"new": "new", "increasing": "worse", "improving": "improving", "unchanged": "unchanged"}[ch]
    i = r.choice([f"Pulmonary edema, {chw}.", f"Interstitial edema ({chw}); correlate with fluid balance."])
    return E("edema", "bilateral", True, f, i, r.choice(["Pulmonary vascularity is normal.", "No pulmonary edema."]),
             r.choice(["No pulmonary edema.", "No features of cardiac failure."]), None, ch=ch)


def b_nodule(r, S):
    small = r.random() < 0.4
    mm = r.choice([3, 4, 5]) if small else r.choice([7, 8, 9, 12, 14, 16, 18])
    fmt = r.random()
    if small:
        size = f"{mm} mm"
    elif mm >= 12 and fmt < 0.4:
        size = f"{mm / 10:.1f} x {(mm - 4) / 10:.1f} cm"
    elif mm >= 12 and fmt < 0.7:
        size = f"{mm / 10:.1f} cm"
    elif mm < 10 and fmt < 0.3:
        size = f"sub-centimetre ({mm} mm)"
    else:
        size = f"{mm} mm"
    zone = r.choice(["upper zone", "mid zone", "lower zone", "apex"])
    ch = r.choice(["new", "now", "larger", "unchanged", "first"])
    if small:
        ch = "stable"
    f = {"new": f"New {size} nodule in the {S} {zone}.",
         "now": f"A {size} nodular opacity is now seen in the {S} {zone}, not visible on the prior.",
         "larger": f"The {S} {zone} nodule measures {size}, slightly larger than previously ({mm - 2} mm).",
         "unchanged": f"{cap(size)} {S} {zone} nodule, unchanged in size over the comparison interval.",
         "first": f"{cap(size)} rounded nodule projected over the {S} {zone}.",
         "stable": f"Stable {size} nodule in the {S} {zone}, likely a granuloma."}[ch]
    chw = {"new": ", new", "now": ", new", "larger": ", slightly enlarging", "unchanged": ", stable", "first": "",
           "stable": ", stable"}[ch]
    i = f"{cap(size)} {S} {zone} nodule{chw}."
    if small:
        rec = None
    elif mm <= 8 and ch == "unchanged":
        rec = "Per Fleischner guidance, CT at 6-12 months is suggested."
    else:
        rec = r.choice(["CT chest recommended for further characterization.",
                        "Recommend CT chest; clinical correlation."])
    sig = mm >= 6 or ch in ("new", "now", "larger")
    return E("nodule", S, sig, f, i, "No pulmonary nodule or mass.", "No pulmonary nodule.", rec, mm=mm, ch=ch)


def b_mass(r, S):
    a, b = r.choice([3.5, 4.2, 4.8, 5.6]), r.choice([2.9, 3.1, 3.4])
    loc = r.choice([f"{S} hilar", f"{S} upper zone", f"{S} perihilar"])
    ch = r.choice(["increased", "unchanged", "new", "decreased"])
    f = {"increased": f"{cap(loc)} mass measuring {a} x {b} cm, increased from {a - 0.6:.1f} x {b - 0.5:.1f} cm.",
         "unchanged": f"{cap(loc)} mass, {a} x {b} cm, unchanged.",
         "new": f"New {a} x {b} cm {loc} mass.",
         "decreased": f"The {loc} mass has decreased following treatment, now {a} x {b} cm."}[ch]
    chw = {"increased": "increasing", "unchanged": "unchanged", "new": "new",
           "decreased": "decreasing (treatment response)"}[ch]
    i = f"{cap(loc)} mass, {chw}." + (" Differential includes primary bronchogenic carcinoma." if ch == "new" else "")
    rec = "CT chest recommended." if ch == "new" else None
    return E("mass", S, True, f, i, "No hilar or pulmonary mass.", "No mass lesion.", rec, ch=ch)


def b_collapse(r, S):
    lobe = r.choice(["lower", "upper"])
    f = {"lower": f"Triangular opacity at the {S} base with loss of the medial {S} hemidiaphragm outline, consistent "
                  f"with {S} lower lobe collapse, new since the previous film.",
         "upper": f"{cap(S)} upper lobe collapse with volume loss and tracheal deviation toward the {S}, new compared "
                  f"with the previous film."}[lobe]
    i = f"{cap(S)} {lobe} lobe collapse (new); ? mucus plugging."
    rec = r.choice(["Physiotherapy and repeat film suggested.", None, "Bronchoscopy may be considered."])
    return E("collapse", S, True, f, i, "No lobar collapse.", "No collapse.", rec)


def b_atelect(r, S):
    f = r.choice([f"Linear atelectasis at the {S} base.", f"Plate-like atelectasis in the {S} lower zone, unchanged."])
    i = f"Minor {S} basal atelectasis."
    return E("atelect", S, False, f, i, "No atelectasis.", "No atelectasis.", None)


def b_cardiomeg(r, S=None):
    f = r.choice(["The heart is mildly enlarged (CTR approximately 0.56), unchanged.",
                  "Borderline cardiomegaly, stable.", "Mild cardiomegaly, unchanged from the prior study."])
    i = "Stable mild cardiomegaly."
    return E("cardiomeg", None, False, f, i, "Heart size is normal.", "Normal heart size.", None)


def b_postop(r, S):
    kind = r.choice(["lobectomy", "pneumonectomy", "cabg", "transplant_bil", "transplant_single", "pleurodesis"])
    lobe = r.choice(["upper", "lower"])
    if kind == "lobectomy":
        f = (f"Status post {S} {lobe} lobectomy with volume loss in the {S} hemithorax, surgical clips at the {S} "
             f"hilum and mild elevation of the {S} hemidiaphragm, as expected.")
        i = f"Expected appearances following {S} {lobe} lobectomy."
    elif kind == "pneumonectomy":
        f = (f"Status post {S} pneumonectomy: the {S} hemithorax is opacified with mediastinal shift toward the "
             f"operated side, an expected post-operative appearance; the post-pneumonectomy space is unchanged.")
        i = f"Stable appearances post {S} pneumonectomy."
    elif kind == "cabg":
        f, i, S = "Median sternotomy wires and mediastinal surgical clips from prior CABG.", "Post-CABG changes.", None
    elif kind == "transplant_bil":
        f = "Status post bilateral lung transplantation; clamshell sternotomy wires intact."
        i, S = "Stable appearance post bilateral lung transplant.", None
    elif kind == "transplant_single":
        f = f"Status post {S} single lung transplant; the native lung is hyperexpanded and emphysematous, unchanged."
        i = f"Post {S} single lung transplant, stable."
    else:
        f = (f"Status post {S} talc pleurodesis with high-density pleural thickening along the {S} lateral chest wall, "
             "unchanged.")
        i = f"Post {S} pleurodesis changes."
    hist = {"lobectomy": "Post lobectomy, follow-up.", "pneumonectomy": "Post pneumonectomy, routine film.",
            "cabg": "Post CABG, day 3.", "transplant_bil": "Transplant clinic review.",
            "transplant_single": "Transplant clinic review.", "pleurodesis": "Post pleurodesis review."}[kind]
    return E("postop", S, False, f, i, None, None, None, kind=kind, hist=hist,
             i_req=kind in ("pneumonectomy", "lobectomy", "transplant_single"))


def b_drain(r, S):
    f = f"The {S} intercostal chest drain has been removed; no pneumothorax."
    i = f"No pneumothorax following removal of the {S} chest drain."
    return E("drain", S, False, f, i, None, None, None, i_req=True, flip=False,
             hist="Chest drain removed this morning, ? PTX.")


def b_device(r, S):
    k = r.choice(["cvc", "ett", "drain"])
    d = r.choice([3, 4, 5])
    f = {"cvc": f"{cap(S)} internal jugular central venous catheter, tip projecting over the lower SVC.",
         "ett": f"Endotracheal tube tip {d} cm above the carina; nasogastric tube tip below the diaphragm.",
         "drain": f"{cap(S)} basal intercostal chest drain in situ."}[k]
    return E("device", S, False, f, "Lines and tubes in satisfactory position.", None, None, None, flip=False,
             kind=k)


def b_freeair(r, S):
    f = (f"Free gas beneath the {S} hemidiaphragm, in keeping with pneumoperitoneum; the patient is day 1 after "
         "laparotomy, so this may be post-operative.")
    i = "Pneumoperitoneum, likely post-operative; correlate clinically."
    return E("freeair", S, True, f, i, "No free subdiaphragmatic gas.", "No free air.", None, flip=False)


def b_resolved(r, S):
    k = r.choice(["ptx", "consol", "effusion"])
    f = {"ptx": f"The previously seen {S} pneumothorax is no longer seen.",
         "consol": f"Previously noted {S} basal consolidation has resolved.",
         "effusion": f"The {S} pleural effusion has resolved."}[k]
    i = {"ptx": f"Resolved {S} pneumothorax.", "consol": f"Resolution of {S} basal consolidation.",
         "effusion": f"Resolved {S} pleural effusion."}[k]
    return E("resolved_" + k, S, False, f, i, None, None, None, flip=False)


BUILD = {"effusion": b_effusion, "ptx": b_ptx, "consol": b_consol, "edema": b_edema, "nodule": b_nodule,
         "mass": b_mass, "collapse": b_collapse, "atelect": b_atelect, "cardiomeg": b_cardiomeg, "postop": b_postop,
         "drain": b_drain, "device": b_device, "freeair": b_freeair, "resolved": b_resolved}

THEMES = {
    "serial": ["effusion", "consol", "edema", "nodule", "ptx", "resolved", "resolved", "atelect", "cardiomeg"],
    "measure": ["nodule", "nodule", "mass", "effusion", "ptx", "cardiomeg"],
    "postop": ["postop", "postop", "postop", "drain", "effusion", "atelect", "ptx", "device"],
    "hedged": ["consol", "nodule", "mass", "collapse", "atelect", "effusion"],
    "shorthand": ["effusion", "consol", "ptx", "atelect", "cardiomeg", "nodule", "device", "edema"],
    "technique": ["effusion", "ptx", "device", "edema", "collapse", "freeair", "nodule"],
}
HIST = {
    "serial": ["Follow-up pneumonia.", "Known effusion, follow-up.", "SOB, ? fluid overload. Follow-up.",
               "Progress film.", "___-year-old man, ongoing fever on antibiotics.", "Re-assess post treatment."],
    "measure": ["Lung nodule surveillance.", "Known lung cancer, restaging.", "Incidental nodule on prior CXR.",
                "___ yo F, weight loss, ex-smoker."],
    "postop": ["Post-op day 2.", "Post-op check.", "Routine post-surgical film."],
    "hedged": ["Cough and fever.", "Haemoptysis, ex-smoker.", "Raised CRP, ? chest source.", "? LRTI.",
               "Dyspnoea, r/o pneumonia."],
    "shorthand": ["SOB ++, ? LRTI", "Desat on ward. ? PTX ? collapse", "Pyrexial, crackles R base", "CCF, ? worse",
                  "___ y/o M, productive cough x 5/7"],
    "technique": ["Unwell.", "SOB.", "Chest pain.", "Follow-up.", "Ward review."],
}
TECH_POOL = {"portable": ["device", "device", "edema", "effusion", "collapse", "freeair", "consol", "postop"],
             "decub": ["effusion", "consol", "atelect"], "exp": ["ptx", "nodule", "atelect"],
             "lordotic": ["nodule", "mass", "atelect", "consol"]}
TECH_FIRST = {"decub": "effusion", "exp": "ptx", "lordotic": "nodule"}
HIST_FAM = {
    "effusion": ["Known effusion, follow-up.", "SOB, reduced breath sounds at the base.", "Effusion f/u"],
    "ptx": ["? PTX post procedure.", "Pleuritic chest pain, ? pneumothorax.", "Post lung biopsy."],
    "consol": ["Cough, fever, ? pneumonia.", "Raised CRP, ? chest source.", "Follow-up pneumonia on antibiotics."],
    "edema": ["SOB, ? fluid overload.", "CCF, ? worse", "Positive fluid balance, desaturating."],
    "nodule": ["Nodule surveillance.", "Incidental nodule on prior CXR.", "Ex-smoker, nodule follow-up."],
    "mass": ["Known lung cancer, restaging.", "Haemoptysis, weight loss."],
    "collapse": ["Desaturation, ? collapse.", "Reduced air entry, ? mucus plug."],
    "postop": ["Post-op check.", "Routine post-surgical film."],
    "freeair": ["Post laparotomy, abdominal pain.", "Day 1 post laparotomy, SOB."],
}
COMPARE = ["CXR from yesterday.", "Multiple priors, most recent ___.", "CXR ___ (2 days prior).",
           "CT chest ___ and CXR ___.", "Prior film 6 weeks ago.", "Previous radiograph 3 months ago.",
           "cf. CXR ___", "Yesterday's portable film."]


def compose(r, theme, n_ents=None, normal=False):
    """Build a consistent composed report: (entities, doc-skeleton with keyed sentences)."""
    shorthand = theme == "shorthand" or r.random() < 0.25
    sty = Style(r, shorthand, uk=r.random() < 0.35)
    pool = THEMES[theme]
    k = 0 if normal else (n_ents or r.choice([1, 2, 2, 3]))
    exam0 = None
    if theme == "technique":
        exam0 = r.choice(["portable", "decub", "exp", "lordotic", "portable"])
        pool = TECH_POOL[exam0]
    fams, ents = [], []
    for t in range(30):
        if len(ents) >= k:
            break
        fam = r.choice(pool)
        if t == 0 and exam0 in TECH_FIRST and not normal:
            fam = TECH_FIRST[exam0]
        if fam in fams:
            continue
        if fam == "drain" and "ptx" in fams or fam == "ptx" and "drain" in fams:
            continue
        if fam == "resolved" and any(f.startswith("resolved") for f in fams):
            continue
        side = r.choice(["left", "right"])
        seed = r.randrange(10 ** 9)
        e = BUILD[fam](random.Random(seed), side)
        if e["fam"].startswith("resolved_") and e["fam"][9:] in fams:
            continue
        if e["fam"] in ("effusion", "ptx", "consol") and "resolved_" + e["fam"] in fams:
            continue
        e["seed"], e["builder"] = seed, fam
        fams.append(fam if fam != "resolved" else e["fam"])
        ents.append(e)
    present = {e["fam"] for e in ents}
    pneum = any(e.get("kind") == "pneumonectomy" for e in ents)
    if pneum:
        pside = next(e["side"] for e in ents if e.get("kind") == "pneumonectomy")
        for k2, e in enumerate(ents):
            if e.get("kind") != "pneumonectomy" and e["side"] == pside:
                e2 = BUILD[e["builder"]](random.Random(e["seed"]), other(pside))
                e2["seed"], e2["builder"] = e["seed"], e["builder"]
                ents[k2] = e2
    exam_opts = {"technique": ["portable", "decub", "exp", "lordotic", "portable"]}.get(theme, ["pa", "pa_lat",
                                                                                            "portable", "pa"])
    exam = exam0 or r.choice(exam_opts)
    if any(e.get("kind") == "ett" for e in ents):
        exam = "portable"
    if exam == "exp" and "ptx" not in present:
        exam = "portable"
    if exam == "decub" and "effusion" not in present:
        exam = "portable"
    eff_side = next((e["side"] for e in ents if e["fam"] == "effusion"), "right")
    exam_txt = {"pa": r.choice(["CXR PA", "Chest X-ray, PA view", "XR CHEST 1V PA"]),
                "pa_lat": r.choice(["Chest PA and lateral", "CXR PA/LAT", "XR CHEST 2V"]),
                "portable": r.choice(["CXR AP portable (semi-erect)", "Mobile AP chest, semi-erect",
                                      "Portable AP CXR, supine"]),
                "decub": f"CXR PA + {eff_side} lateral decubitus",
                "exp": "CXR PA inspiratory and expiratory",
                "lordotic": "CXR PA + apical lordotic view"}[exam]
    caveat = {"portable": r.choice(["Supine AP film limits assessment for small effusion and pneumothorax."
                                    if "supine" in exam_txt else
                                    "Semi-erect AP projection; cardiomediastinal size not reliably assessed.",
                                    "Patient rotated, limited inspiratory effort."]),
              "decub": f"{cap(eff_side)} side down decubitus view obtained to assess for free-flowing fluid.",
              "exp": "Expiratory film obtained to increase sensitivity for a small pneumothorax.",
              "lordotic": "Lordotic projection distorts the cardiac contour; apices better seen.",
              "pa": None, "pa_lat": None}[exam]
    if exam == "decub":
        for e in ents:
            if e["fam"] == "effusion" and r.random() < 0.6:
                e["f"] = e["f"][:-1] + f"; layers freely on the decubitus view, depth {r.randint(12, 30)} mm."
    F = []
    for e in sorted(ents, key=lambda e: (e["fam"] not in ("device", "postop", "drain"), r.random())):
        F.append([id(e), e["f"]])
    fill = []
    if not ({"ptx", "drain", "resolved_ptx"} & present) and r.random() < 0.8:
        fill.append(r.choice(["No pneumothorax.", "No pneumothorax is seen."]))
    if not ({"effusion", "resolved_effusion"} & present) and r.random() < 0.8 and exam != "decub" and not pneum:
        fill.append(r.choice(["No pleural effusion.", "No effusion.", "The costophrenic angles are clear."]))
    paren = {"consol", "edema", "nodule", "mass", "collapse", "atelect"}
    if not (paren & present):
        fill.append("The remaining lung is clear." if pneum else r.choice(["The lungs are clear.", "Lungs clear.",
                                                                           "The lungs are otherwise clear."]))
    elif not ({"consol", "collapse"} & present) and r.random() < 0.6:
        fill.append("No focal consolidation.")
    if not ({"cardiomeg", "mass"} & present) and not pneum:
        if exam == "portable" and caveat and "cardiomediastinal" in caveat:
            pass
        elif exam == "portable" or exam == "lordotic":
            fill.append("Cardiac size difficult to assess on this projection.")
        else:
            fill.append(r.choice(["Heart size is normal.", "Cardiomediastinal silhouette within normal limits.",
                                  "Normal cardiomediastinal contours."]))
    if r.random() < 0.5:
        fill.append(r.choice(["No acute osseous abnormality.", "Bones unremarkable.", "Visualized bones intact."]))
    F += [[None, s] for s in fill]
    hdr = []
    hl = r.choice([("EXAM", "HISTORY", "TECHNIQUE", "COMPARISON"),
                   ("Examination", "Clinical", "Technique", "Comparison"),
                   ("XR", "Hx", "Tech", "Cf"), ("Exam", "Indication", "Technique", "Prior")])
    hdr.append((hl[0], exam_txt))
    main_fam = next((e["fam"] for e in ents if e["fam"] in HIST_FAM), None)
    main_hist = next((e["hist"] for e in ents if e.get("hist")), None)
    if main_hist and r.random() < 0.7:
        hdr.append((hl[1], main_hist))
    else:
        hdr.append((hl[1], r.choice(HIST_FAM[main_fam]) if main_fam and r.random() < 0.6 else r.choice(HIST[theme])))
    cav_in_f = caveat and r.random() < 0.5
    if caveat and not cav_in_f:
        hdr.append((hl[2], caveat))
    if normal and r.random() < 0.5:
        hdr.append((hl[3], r.choice(["None.", "No priors available."])))
    else:
        hdr.append((hl[3], r.choice(COMPARE)))
    if cav_in_f:
        F.insert(0, [None, caveat])
    Im = []
    for e in ents:
        if e["i"] and (e["i_req"] or r.random() < 0.55):
            Im.append([id(e), e["i"]])
    if not Im:
        Im.append([None, r.choice(NORMALS_SHORT if shorthand else NORMALS)])
    elif r.random() < 0.2:
        Im.append([None, "No other acute abnormality."])
    R, seen = [], set()
    for e in ents:
        if e["rec"] and e["rec"] not in seen and any(k2 == id(e) for k2, _ in Im):
            seen.add(e["rec"])
            R.append([id(e), e["rec"]])
    sign = r.choice(SIGNS) if r.random() < 0.45 else ""
    sk = {"hdr": hdr, "F": F, "I": Im, "R": R, "sign": sign, "lay": new_layout(r, shorthand)}
    return ents, sk, sty


def flipped(e, where):
    e2 = BUILD[e["builder"]](random.Random(e["seed"]), other(e["side"]))
    return e2[where]


def finish(r, sk, sty, ph=None):
    """Transform sentences to the report's style; optionally inject a placeholder after the transform."""
    doc = {"hdr": sk["hdr"], "sign": sk["sign"], "lay": sk["lay"]}
    for key in ("F", "I", "R"):
        v = sk[key]
        doc[key] = None if v is None else [sty.tx(s) for _, s in v]
    if sk["R"] and doc["I"] is None:
        doc["R"] = []
    return doc


# ----------------------------------------------------------------------------------------------------------
# placeholder injection (operates on styled sentences)

PH_MEAS = re.compile(r"\b\d+(?:\.\d+)?(?: x \d+(?:\.\d+)?)? ?(mm|cm|%)")
PH_SIDE = re.compile(r"\b(left|right|Lt|Rt|Left|Right)\b")
PH_GRADE = re.compile(r"\b(mild|moderate|small|large|trace|minimal|severe|Mild|Moderate|Small|Large)\b")
PH_FIND = re.compile(r"\b(effusion|consolidation|nodule|atelectasis|opacity|pneumothorax|PTX|edema|oedema|"
                     r"granuloma|scarring|cardiomegaly|mass)\b")
CAVEAT = re.compile(r"projection|film limits|decubitus view|xpiratory film|Lordotic|rotated", re.I)
PH_REC = re.compile(r"\b(6-12 months|6-8 weeks|4-6 hours)\b")


def inject_placeholder(r, doc, mode):
    """Replace one measurement / side / grade / finding word / interval in F or I by a template blank."""
    rx = {"meas": PH_MEAS, "side": PH_SIDE, "grade": PH_GRADE, "finding": PH_FIND, "rec": PH_REC}[mode]
    slots = []
    for sec in ("F", "I", "R"):
        for k, s in enumerate(doc[sec] or []):
            if CAVEAT.search(s):
                continue
            for m in rx.finditer(s):
                slots.append((sec, k, m))
    if not slots:
        return None
    sec, k, m = r.choice(slots)
    s = doc[sec][k]
    if mode == "meas":
        unit = m.group(1)
        rep = r.choice([f"___ {unit}", f"XX {unit}", f"[***] {unit}", f"___ x ___ {unit}" if " x " in m.group(0)
                        else f"__ {unit}"])
    elif mode == "side":
        rep = r.choice(["[LEFT/RIGHT]", "[left/right]", "[side]", "[R/L]", "[***]"])
    elif mode == "grade":
        rep = r.choice(["[mild/moderate/severe]", "[small/moderate/large]", "[***]", "***", "[grade]"])
    elif mode == "finding":
        rep = r.choice(["[***]", "<insert finding>", "[finding]", "***"])
    else:
        unit = m.group(0).split()[-1]
        rep = r.choice([{"months": "[3/6/12] months", "weeks": "[***] weeks", "hours": "[***] hours"}[unit],
                        "[interval]", "<insert interval>"])
    doc[sec][k] = s[:m.start()] + rep + s[m.end():]
    return f"placeholder '{rep}' replaces '{m.group(0)}' in {'FINDINGS' if sec == 'F' else 'IMPRESSION'}"


# ----------------------------------------------------------------------------------------------------------
# composed cases

def composed_case(r, kind, mode):
    theme = r.choice(list(THEMES))
    if kind == "missing_section" and mode == "drop_F":
        ents, sk, sty = compose(r, theme, normal=True)
        sk["F"] = None
        sk["I"] = [[None, r.choice(["No acute disease.", "No acute cardiopulmonary abnormality.", "Nil acute.",
                                    "No acute abnormality."])]]
        sk["R"] = []
        doc = finish(r, sk, sty)
        return doc, "FINDINGS section absent; IMPRESSION is a bare normal statement"
    ents, sk, sty = compose(r, theme)
    if kind is None:
        return finish(r, sk, sty), ""
    eid = {id(e): e for e in ents}
    if kind == "missing_section":
        if mode == "drop_I":
            sk["I"], sk["R"] = None, []
            detail = "IMPRESSION section removed"
        elif mode == "empty_I":
            sk["I"], sk["R"] = [], []
            detail = "IMPRESSION header left with nothing under it"
        else:
            sk["F"] = []
            detail = "FINDINGS header left with nothing under it"
        return finish(r, sk, sty), detail
    if kind == "placeholder":
        doc = finish(r, sk, sty)
        detail = inject_placeholder(r, doc, mode)
        return (doc, detail) if detail else None
    if kind == "laterality_conflict":
        cands = [e for e in ents if e["flip"] and any(k == id(e) for k, _ in sk["I"])]
        if not cands:
            return None
        e = r.choice(cands)
        where = "F" if mode == "F" else "I"
        lst = sk[where]
        for row in lst:
            if row[0] == id(e):
                row[1] = flipped(e, "f" if where == "F" else "i")
        doc = finish(r, sk, sty)
        fs = sides(sty.tx(next(s for k, s in sk["F"] if k == id(e))))
        is_ = sides(sty.tx(next(s for k, s in sk["I"] if k == id(e))))
        new = other(e["side"])
        ok = (fs == {new} and is_ == {e["side"]}) if where == "F" else (fs == {e["side"]} and is_ == {new})
        if not ok:
            return None
        sec = "FINDINGS" if where == "F" else "IMPRESSION"
        return doc, f"{e['fam']} moved from {e['side']} to {new} in {sec} (other section keeps {e['side']})"
    if kind == "negation_conflict":
        if mode == "imp_neg":
            cands = [e for e in ents if e["neg_i"]]
            if not cands:
                return None
            e = r.choice(cands)
            rows = [row for row in sk["I"] if row[0] != id(e)]
            rows = [row for row in rows if row[0] is not None]
            pos = r.randint(0, len(rows))
            rows.insert(pos, [-1, e["neg_i"]])
            sk["I"] = rows
            sk["R"] = [row for row in sk["R"] if row[0] != id(e)]
            detail = f"IMPRESSION says '{e['neg_i']}' while FINDINGS affirm {e['fam']}"
        else:
            cands = [e for e in ents if e["neg_f"] and any(k == id(e) for k, _ in sk["I"])]
            if not cands:
                return None
            e = r.choice(cands)
            for row in sk["F"]:
                if row[0] == id(e):
                    row[1] = e["neg_f"]
                    row[0] = -1
            # drop a filler that now duplicates the negation
            seen, newf = set(), []
            for row in sk["F"]:
                if row[1] in seen:
                    continue
                seen.add(row[1])
                newf.append(row)
            sk["F"] = newf
            detail = f"FINDINGS say '{e['neg_f']}' while IMPRESSION affirms {e['fam']}"
        doc = finish(r, sk, sty)
        return doc, detail
    if kind == "impression_omits_finding":
        cands = [e for e in ents if e["sig"] and e["fam"] not in ("postop", "device", "drain")
                 and not (e["fam"] == "effusion" and e["size"] in ("trace", "small"))
                 and not (e["fam"] == "nodule" and e["mm"] < 6)]
        if not cands:
            return None
        e = r.choice(cands)
        if mode == "normal":
            sk["I"] = [[None, r.choice(NORMALS_SHORT if sty.abbr else NORMALS)]]
            sk["R"] = []
        else:
            rows = [row for row in sk["I"] if row[0] not in (id(e), None)]
            if not rows:
                return None
            sk["I"] = rows
            sk["R"] = [row for row in sk["R"] if row[0] != id(e)]
        doc = finish(r, sk, sty)
        imp = " ".join(doc["I"] + doc["R"])
        if re.search(TERMS[e["fam"]], imp, re.I):
            return None
        if mode != "normal" and all(eid.get(row[0], {}).get("fam") in (None,) for row in sk["I"]):
            return None
        why = "impression replaced by a normal statement" if mode == "normal" else "impression lists other findings"
        return doc, f"FINDINGS: '{sty.tx(e['f'])}' not in IMPRESSION ({why})"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------
# IU reports

def load_iu(shared):
    dev = set()
    for line in open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8"):
        dev.add(json.loads(line)["uid"])
    recs = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            u = root.find(".//uId")
            uid = u.attrib.get("id") if u is not None else None
            if not uid or uid in dev:
                continue
            sec = {}
            for a in root.iter("AbstractText"):
                sec[a.attrib.get("Label", "").upper()] = (a.text or "").strip()
            recs.append({"uid": uid, **{k.lower(): sec.get(k, "") for k in ("COMPARISON", "INDICATION", "FINDINGS",
                                                                               "IMPRESSION")}})
    recs.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    return recs, dev


def sents(text):
    t = re.sub(r"\.(\s*\.)+", ".", text or "").strip()
    t = re.sub(r"(^|\s)\d{1,2}[.)]\s+", r"\1", t)
    out = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t) if s.strip()]
    return [s if s.endswith((".", "?", "!")) else s + "." for s in out if len(s) > 1]


def occurrences(sentence, fam):
    """For each mention of the family: (negated, clause)."""
    res = []
    for clause in re.split(r"[,;:]|\bbut\b|\bhowever\b", sentence):
        for m in re.finditer(IU_FAM[fam], clause, re.I):
            res.append((bool(NEG_CUE.search(clause[:m.start()])), clause))
    return res


def affirmed(sentence, fam, strict=False):
    for neg, _clause in occurrences(sentence, fam):
        if not neg and not (strict and (HEDGE.search(sentence) or NEG_CUE.search(sentence))):
            return True
    return False


def term_affirmed(sentence, pattern):
    """A mention of the pattern with no negation cue before it in its clause."""
    for clause in re.split(r"[,;:]|\bbut\b|\bhowever\b", sentence):
        for m in re.finditer(pattern, clause, re.I):
            if not NEG_CUE.search(clause[:m.start()]):
                return True
    return False


def negated(sentence, fam):
    return any(neg for neg, _ in occurrences(sentence, fam))


def sig_clause(sentence, fam):
    if fam in ("ptx", "consol", "edema", "mass", "collapse"):
        return True
    if fam == "effusion":
        return bool(SIG_SIZE.search(sentence)) and "small" not in sentence.lower()
    return False


NOT_FINDING = re.compile(r"(recommend|follow|clinical|critical|if |the above|these|xxxx|findings (were|discussed))",
                         re.I)
BAD_IU = re.compile(r"\[|\]|___|<|>|\*\*\*|\bXX\b|\bX{5,}", re.I)
LUNG_CLEAR = re.compile(r"lungs? (are |is )?clear|clear lungs|heart (size )?(is )?normal|normal heart|"
                        r"normal (cardiac|heart) size", re.I)


def iu_clean_ok(F, Im):
    """Heuristic: an IU report whose sections are consistent enough to serve as a clean case."""
    ftxt, itxt = " ".join(F), " ".join(Im)
    if BAD_IU.search(ftxt + " " + itxt) or len(ftxt) < 40 or not Im:
        return False
    for fam in IU_FAM:
        f_aff = [s for s in F if affirmed(s, fam)]
        i_aff = [s for s in Im if affirmed(s, fam)]
        if f_aff and (any(sig_clause(s, fam) or NEWINC.search(s) for s in f_aff)):
            if not re.search(TERMS[fam], itxt, re.I):
                return False
        if f_aff and any(negated(s, fam) for s in Im):
            return False
        if i_aff and any(negated(s, fam) for s in F) and not f_aff:
            return False
        if f_aff and i_aff:
            fs = set().union(*[sides(s) for s in f_aff])
            is_ = set().union(*[sides(s) for s in i_aff])
            if fs and is_ and fs != is_:
                return False
    parenchymal = any(affirmed(s, fam) for s in F for fam in ("consol", "opacity", "atelect", "nodule", "mass",
                                                              "edema", "collapse", "granuloma", "cardiomeg"))
    if parenchymal and LUNG_CLEAR.search(itxt):
        return False
    if any(affirmed(s, "cardiomeg") for s in Im) and re.search(r"heart (size )?(is )?normal|normal heart", ftxt, re.I):
        return False
    if NEWINC.search(ftxt) and any(NORMAL_BARE.match(s) for s in Im) and len(Im) == 1:
        return False
    return True


IU_NEG = {"effusion": ["No pleural effusion.", "No effusion."], "ptx": ["No pneumothorax."],
          "consol": ["The lungs are clear.", "No focal consolidation.", "No pneumonia."],
          "edema": ["No pulmonary edema.", "No evidence of failure."],
          "cardiomeg": ["Heart size is normal.", "Normal cardiac size."],
          "atelect": ["The lungs are clear.", "No atelectasis."], "opacity": ["The lungs are clear."],
          "nodule": ["No pulmonary nodules."], "mass": ["No mass."]}


def iu_style(r, rec):
    shorthand = r.random() < 0.5
    sty = Style(r, shorthand, uk=r.random() < 0.25)
    hdr = []
    hl = r.choice([("EXAM", "HISTORY", "COMPARISON"), ("Examination", "Clinical", "Comparison"),
                   ("XR", "Hx", "Cf"), ("Exam", "Indication", "Prior")])
    hdr.append((hl[0], r.choice(["Chest PA and lateral", "CXR PA/LAT", "XR CHEST 2V", "Chest, 2 views"])))
    ind = re.sub(r"^[\W\d]+", "", (rec["indication"] or "").strip()).rstrip(".")
    if re.search(r"[a-wyz]", ind, re.I) and ind.lower() not in ("none", "xxxx"):
        hdr.append((hl[1], ind + "."))
    comp = (rec["comparison"] or "").strip()
    if not comp or comp.lower().startswith("none"):
        comp = r.choice(["None.", "No prior imaging available.", "Nil."])
    hdr.append((hl[2], comp))
    return sty, hdr, shorthand


def reword(r, s):
    """Meaning-preserving re-wording of an IU sentence."""
    s = re.sub(r"^There (is|are) no\b", "No", s)
    m = re.match(r"^There (is|are) (an? )?(.+)$", s)
    if m and r.random() < 0.7 and not re.match(r"(no|not)\b", m.group(3)):
        s = cap(m.group(3))
    s = re.sub(r"\bNo evidence of\b", r.choice(["No", "No evidence of"]), s)
    return s


def iu_case(r, rec, kind, mode):
    F, Im = sents(rec["findings"]), sents(rec["impression"])
    if not F or not Im:
        return None
    if not iu_clean_ok(F, Im):
        return None
    sty, hdr, shorthand = iu_style(r, rec)
    F = [reword(r, s) for s in F]
    Im = [reword(r, s) for s in Im]
    detail = ""
    marks = {}
    if kind == "missing_section":
        if not iu_clean_ok(F, Im):
            return None
        if mode == "drop_F":
            if not (len(Im) == 1 and NORMAL_BARE.match(Im[0])):
                return None
            F = None
            detail = "FINDINGS section absent; IMPRESSION is a bare normal statement"
        elif mode == "drop_I":
            Im = None
            detail = "IMPRESSION section removed"
        elif mode == "empty_I":
            Im = []
            detail = "IMPRESSION header left with nothing under it"
        else:
            F = []
            detail = "FINDINGS header left with nothing under it"
    elif kind == "laterality_conflict":
        if not iu_clean_ok(F, Im):
            return None
        fams = ["effusion", "ptx", "consol", "opacity", "atelect", "nodule", "granuloma", "mass", "collapse"]
        r.shuffle(fams)
        for fam in fams:
            bad = re.compile(r"\bRML\b|middle lobe|lingula|previous|prior|no longer|resolved", re.I)
            fi = [k for k, s in enumerate(F) if re.search(IU_FAM[fam], s, re.I) and len(sides(s)) == 1
                  and not bad.search(s) and not NEG_CUE.search(s)]
            ii = [k for k, s in enumerate(Im) if re.search(TERMS[fam], s, re.I) and len(sides(s)) == 1
                  and not bad.search(s) and not NEG_CUE.search(s)]
            if not fi or not ii:
                continue
            side = sides(F[fi[0]]).pop()
            if any(sides(F[k]) != {side} for k in fi) or any(sides(Im[k]) != {side} for k in ii):
                continue
            tgt, idx = (F, fi) if mode == "F" else (Im, ii)
            for k in idx:
                tgt[k] = flip_text(tgt[k])
            marks = {"lat": (mode, idx, fi if mode == "I" else ii, side)}
            detail = (f"{fam} flipped {side}->{other(side)} in {'FINDINGS' if mode == 'F' else 'IMPRESSION'} "
                      f"(other section keeps {side})")
            break
        else:
            return None
    elif kind == "negation_conflict":
        fams = list(IU_NEG)
        r.shuffle(fams)
        done = False
        for fam in fams:
            if mode == "imp_neg":
                if not any(affirmed(s, fam, strict=True) for s in F):
                    continue
                keep = [s for s in Im if not re.search(TERMS[fam], s, re.I)]
                neg = r.choice(IU_NEG[fam])
                keep.insert(r.randint(0, len(keep)), neg)
                Im = keep
                detail = f"IMPRESSION says '{neg}' while FINDINGS affirm {fam}"
            else:
                if not any(affirmed(s, fam, strict=True) for s in Im) or fam in ("opacity", "atelect"):
                    continue
                hits = [k for k, s in enumerate(F) if re.search(IU_FAM[fam], s, re.I) and affirmed(s, fam)]
                if not hits:
                    continue
                neg = r.choice(IU_NEG[fam])
                newf = [s for k, s in enumerate(F) if k not in hits]
                if any(term_affirmed(s, TERMS[fam]) for s in newf):
                    continue
                F = newf
                F.insert(min(hits[0], len(F)), neg)
                detail = f"FINDINGS say '{neg}' while IMPRESSION affirms {fam}"
            marks = {"neg": (mode, neg, fam)}
            done = True
            break
        if not done:
            return None
    elif kind == "impression_omits_finding":
        fams = ["ptx", "consol", "edema", "mass", "collapse", "effusion"]
        r.shuffle(fams)
        for fam in fams:
            hits = [s for s in F if affirmed(s, fam, strict=True) and sig_clause(s, fam)
                    and not (fam == "consol" and re.search(r"atelecta", s, re.I)
                             and not re.search(r"consolidat|pneumonia|infiltrat", s, re.I))]
            if not hits or not re.search(TERMS[fam], " ".join(Im), re.I):
                continue
            if mode == "normal":
                newi = [r.choice(NORMALS_SHORT if shorthand else NORMALS)]
            else:
                newi = [s for s in Im if not re.search(TERMS[fam], s, re.I)]
                if not newi or all(NORMAL_BARE.match(s) or NOT_FINDING.match(s) for s in newi):
                    continue
            Im = newi
            marks = {"omit": fam}
            why = "impression replaced by a normal statement" if mode == "normal" else "impression lists other findings"
            detail = f"FINDINGS: '{hits[0]}' not in IMPRESSION ({why})"
            break
        else:
            return None
    elif kind == "placeholder":
        if not iu_clean_ok(F, Im):
            return None
    sk = {"hdr": hdr, "F": None if F is None else [[None, s] for s in F],
          "I": None if Im is None else [[None, s] for s in Im], "R": [], "sign": "", "lay": new_layout(r, shorthand)}
    doc = finish(r, sk, sty)
    if kind == "placeholder":
        detail = inject_placeholder(r, doc, mode)
        if not detail:
            return None
    if "lat" in marks:
        where, idx, oidx, side = marks["lat"]
        a, b = (doc["F"], doc["I"]) if where == "F" else (doc["I"], doc["F"])
        if any(sides(a[k]) != {other(side)} for k in idx) or any(sides(b[k]) != {side} for k in oidx):
            return None
    if "omit" in marks and re.search(TERMS[marks["omit"]], " ".join(doc["I"]), re.I):
        return None
    return doc, detail


# ----------------------------------------------------------------------------------------------------------
# verification and driver

def sections_ok(doc):
    return bool(doc["F"]) and bool(doc["I"])


def check(doc, text, kind, origin):
    if origin == "composed" and "XXXX" in text:
        return False
    ph = PH_RE.search(text)
    if kind == "placeholder":
        return bool(ph) and sections_ok(doc)
    if ph:
        return False
    if kind == "missing_section":
        if doc["F"] is None:
            return len(doc["I"]) == 1 and bool(NORMAL_BARE.match(doc["I"][0].strip()) or doc["I"][0] in NORMALS_SHORT)
        return not doc["F"] or not doc["I"]
    return sections_ok(doc)


MODES = {"missing_section": ["drop_I", "empty_I", "empty_F", "drop_F"], "laterality_conflict": ["F", "I"],
         "negation_conflict": ["imp_neg", "find_neg"], "impression_omits_finding": ["normal", "others"],
         "placeholder": ["meas", "side", "grade", "finding", "meas", "rec"], None: [None]}


def build(seed, shared):
    r = random.Random(seed)
    recs, dev = load_iu(shared)
    iu_pool = list(recs)
    r.shuffle(iu_pool)
    used = set()
    cases = []
    plan = [(None, N_CLEAN // 2)] + [(k, N_KIND // 2) for k in KINDS]
    for kind, n in plan:
        modes = MODES[kind]
        # composed half
        got = 0
        tries = 0
        while got < n:
            tries += 1
            if tries > 5000:
                raise RuntimeError(f"cannot compose {kind}")
            mode = modes[got % len(modes)]
            res = composed_case(r, kind, mode)
            if not res:
                continue
            doc, detail = res
            text = layout(r, doc)
            if not check(doc, text, kind, "composed"):
                continue
            cases.append({"injected": kind, "detail": detail, "report": text, "origin": "composed"})
            got += 1
        # IU half
        modes_iu = [m for m in modes if m != "rec"]
        got = 0
        for _ in range(10 ** 6):
            if got >= n:
                break
            mode = modes_iu[got % len(modes_iu)]
            cand = None
            for rec in iu_pool:
                if rec["uid"] in used:
                    continue
                rr = random.Random(f"{seed}:{rec['uid']}:{kind}:{mode}")
                res = iu_case(rr, rec, kind, mode)
                if not res:
                    continue
                doc, detail = res
                text = layout(rr, doc)
                if not check(doc, text, kind, "iu"):
                    continue
                cand = (rec, doc, detail, text)
                break
            if cand is None:
                raise RuntimeError(f"IU pool exhausted for {kind}/{mode}")
            rec, doc, detail, text = cand
            used.add(rec["uid"])
            cases.append({"injected": kind, "detail": detail, "report": text, "origin": "iu", "uid": rec["uid"]})
            got += 1
            # rotate pool so different modes draw from different parts of the archive
            iu_pool.append(iu_pool.pop(0))
    assert not (used & dev)
    for k, c in enumerate(cases):
        c["id"] = hashlib.sha1(f"h14:{seed}:{k}:{c['report']}".encode()).hexdigest()[:16]
    r.shuffle(cases)
    return cases


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    need = [p / "data" / "iu_reports" / "NLMCXR_reports.tgz", p / "eval" / "report_errors_dev.jsonl"]
    if not all(x.exists() for x in need):
        sys.stderr.write(f"shared data not found under {p}: set MEDRAG_SHARED_DIR to the shared folder "
                         "(with data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)\n")
        sys.exit(2)
    return p


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1501)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    cases = build(a.seed, shared)
    with open(a.out, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps({"id": c["id"], "injected": c["injected"], "detail": c["detail"],
                                 "report": c["report"]}, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [c for c in cases if c["injected"] == kind][: a.show]
            for c in sel:
                print(f"===== {kind} [{c['origin']}] {c['detail']}")
                print(c["report"])
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
