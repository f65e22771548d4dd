"""Held-out report-error set 162: palliative care, hospice and community oncology chest films.

Written blind (without sight of the checker). 400 cases: 200 clean, 40 of each of the five
kinds of ``shared/eval/README.md``; in every group half are composed from a phrase bank in the
setting's style and half are real IU reports, re-laid out and lightly re-worded.

usage: python -m bench.make_heldout162 OUT.jsonl --seed S [--show N]
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
PREFIX = "h162"


# ----------------------------------------------------------------------------------------------
# shared data
# ----------------------------------------------------------------------------------------------
def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


@functools.lru_cache(maxsize=4)
def dev_uids(path: str | None = None) -> frozenset:
    p = Path(path) if path else dev_path()
    out = []
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                out.append(json.loads(line)["uid"])
    return frozenset(out)


def _clean_text(s: str | None) -> str:
    s = (s or "").strip()
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s+\.", ".", s)
    s = re.sub(r"\.{2,}", ".", s)
    return s.strip()


@functools.lru_cache(maxsize=4)
def load_iu(path: str | None = None) -> tuple:
    """All IU reports with both FINDINGS and IMPRESSION, sorted by number."""
    p = Path(path) if path else iu_archive()
    rows = []
    with tarfile.open(p, "r:gz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find(".//uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            secs = {}
            for el in root.iter("AbstractText"):
                secs[(el.get("Label") or "").upper()] = _clean_text(el.text)
            f, i = secs.get("FINDINGS", ""), secs.get("IMPRESSION", "")
            if not f or not i:
                continue
            rows.append({"uid": uid, "findings": f, "impression": i,
                         "indication": secs.get("INDICATION", ""), "comparison": secs.get("COMPARISON", "")})
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(rows)


# ----------------------------------------------------------------------------------------------
# text helpers
# ----------------------------------------------------------------------------------------------
SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
_FLIP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}


def flip_sides(s: str) -> str:
    return SIDE_RE.sub(lambda m: _FLIP[m.group(1)], s)


def sides_in(s: str) -> list:
    return sorted({m.group(1).lower() for m in SIDE_RE.finditer(s)})


def split_sents(text: str) -> list:
    parts = re.split(r"(?<=[.!?])\s+(?=\S)", text.strip())
    out = []
    for p in parts:
        p = re.sub(r"^\d+[.)]\s*", "", p.strip())
        if not p or re.fullmatch(r"\d+[.)]?", p) or p == ".":
            continue
        if not p.endswith((".", "!", "?")):
            p += "."
        out.append(p[0].upper() + p[1:])
    return out


FAMILIES = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space (?:disease|opacit)|infiltrat|pneumonia",
    "oedema": r"edema|congesti",
    "cardiomegaly": r"cardiomegaly|(?:heart|cardiac silhouette|cardiac shadow|heart size) (?:is |are )?"
                    r"(?:mildly |moderately |markedly )?enlarged|enlarged (?:heart|cardiac)",
    "mass": r"\bmass(?:es)?\b",
    "nodule": r"nodul",
    "opacity": r"opacit|density|densities",
    "atelectasis": r"atelecta|collapse",
    "mediastinum": r"mediastinal widening|widen(?:ed|ing) (?:of the )?mediastin",
    "free_air": r"free (?:intraperitoneal )?air|pneumoperitoneum",
    "fracture": r"fractur",
}
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|absence|absent|"
                     r"nor|excluded|rather than)\b", re.I)
CLEAR_LUNGS = re.compile(r"lungs? (?:are |is )?(?:grossly |otherwise |now )?clear|clear lungs", re.I)
NORMAL_HEART = re.compile(r"heart size (?:is )?(?:normal|within normal)|normal (?:heart|cardiac) size|"
                          r"heart is (?:normal|not enlarged)|normal (?:size )?(?:cardiac|cardiomediastinal|heart) "
                          r"(?:silhouette|contour|shadow)|cardiomediastinal (?:silhouette|contours?) (?:is |are )?"
                          r"(?:normal|within normal|unremarkable|stable and normal)|cardiac silhouette is normal", re.I)
NO_ACUTE = re.compile(r"no (?:acute|active|significant)\b|normal chest|negative chest|no abnormality|"
                      r"no radiographic evidence of acute|within normal limits|unremarkable|\bnormal\b", re.I)
SIG_FAMS = ["effusion", "pneumothorax", "consolidation", "oedema", "mass", "mediastinum", "free_air"]
HEDGE = re.compile(r"\b(may|might|possibl\w*|probabl\w*|could|question\w*|suggest\w*|versus|vs|cannot|"
                   r"concerning|either)\b", re.I)
SMALL = re.compile(r"\b(small|trace|tiny|minimal|minute|trivial|blunting|blunted)\b", re.I)


def fams_of(s: str) -> list:
    return [f for f, rx in FAMILIES.items() if re.search(rx, s, re.I)]


def affirmed(s: str) -> list:
    """Families a sentence affirms (conservative: no negation cue anywhere in it)."""
    if NEG_CUE.search(s) or "?" in s:
        return []
    return fams_of(s)


def negated(s: str) -> list:
    """Families a sentence explicitly negates (cue before the term) or negates by meaning."""
    out = []
    m = NEG_CUE.search(s)
    if m and not re.search(r"change|interval|increas|decreas|improv|worse|stable|resolv|since|than|previous",
                           s, re.I):
        out += [f for f, rx in FAMILIES.items()
                if (t := re.search(rx, s[m.start():], re.I)) is not None and t.start() > 0]
    if CLEAR_LUNGS.search(s) and not SIDE_RE.search(s):
        out += ["consolidation", "oedema", "opacity"]
    if NORMAL_HEART.search(s):
        out += ["cardiomegaly"]
    return sorted(set(out))


def is_normal_sentence(s: str) -> bool:
    if affirmed(s):
        return False
    return bool(NO_ACUTE.search(s) or CLEAR_LUNGS.search(s) or NORMAL_HEART.search(s) or
                re.match(r"^(no|negative)\b", s, re.I))


def iu_clean_ok(f_s: list, i_s: list) -> bool:
    """Conservative consistency check for an IU report used as-is."""
    ftxt, itxt = " ".join(f_s), " ".join(i_s)
    if re.search(r"[\[\]<>*_{}]", ftxt + itxt):
        return False
    if len(ftxt) > 650 or len(itxt) > 350 or len(ftxt) < 25:
        return False
    f_aff = {x for s in f_s for x in affirmed(s)}
    i_aff = {x for s in i_s for x in affirmed(s)}
    f_neg = {x for s in f_s for x in negated(s)}
    i_neg = {x for s in i_s for x in negated(s)}
    f_any = {x for s in f_s for x in fams_of(s)}
    i_any = {x for s in i_s for x in fams_of(s)}
    # sentences with both a negation and a finding term we cannot read reliably: treat as both
    if (f_aff & i_neg) or (i_aff & f_neg):
        return False
    if (f_aff & (i_any - i_aff)) or (i_aff & (f_any - f_aff)):
        return False
    # a normal-type impression only beside findings with nothing in them
    if all(is_normal_sentence(s) for s in i_s):
        if f_aff - {"fracture"}:
            return False
        if any(re.search(r"\b(new|increas|worse|enlarg|widen|free air|hyperinfl|emphysema|copd|"
                         r"granulom|calcif|scar|degenerat|spondyl|kyphos|scolios|elevat|surgical|"
                         r"clips?|sternotomy|catheter|tube|pacer|pacemaker|prominen|tortuous|ectatic|"
                         r"osteophyt|hernia|deformity|chronic|interstitial|marking|flatten)", s, re.I)
               for s in f_s):
            return False
    if any(NO_ACUTE.search(s) for s in i_s) and (f_aff & set(SIG_FAMS + ["opacity", "nodule", "cardiomegaly"])):
        return False
    # significant findings must appear in the impression
    for fam in f_aff & set(SIG_FAMS + ["nodule", "cardiomegaly", "atelectasis", "opacity"]):
        if fam not in i_any:
            return False
    if any(re.search(r"\b(new|increas|worse|enlarging)", s, re.I) and affirmed(s) for s in f_s):
        if not i_aff:
            return False
    # sides: anything lateral in the impression must be stated on that side in the findings
    f_sides, i_sides = set(sides_in(ftxt)), set(sides_in(itxt))
    if i_sides - f_sides:
        return False
    for fam in i_aff | f_aff:
        fs = {x for s in f_s if fam in fams_of(s) for x in sides_in(s)}
        is_ = {x for s in i_s if fam in fams_of(s) for x in sides_in(s)}
        if fs and is_ and not (fs & is_):
            return False
    return True


# ----------------------------------------------------------------------------------------------
# spelling and light rewording
# ----------------------------------------------------------------------------------------------
US_MAP = [
    (r"\boedema\b", "edema"), (r"\bOedema\b", "Edema"), (r"\btumour\b", "tumor"), (r"\bTumour\b", "Tumor"),
    (r"\bhaemothorax\b", "hemothorax"), (r"\bhaemithorax\b", "hemithorax"),
    (r"\bin keeping with\b", "consistent with"), (r"\bIn keeping with\b", "Consistent with"),
    (r"\bindwelling pleural catheter\b", "tunneled pleural catheter (PleurX)"),
    (r"\bIndwelling pleural catheter\b", "Tunneled pleural catheter (PleurX)"), (r"\bIPC\b", "PleurX catheter"),
    (r"\bin situ\b", "in place"), (r"\blower zone\b", "lung base"), (r"\bupper zone\b", "upper lung"),
    (r"\bmid zone\b", "mid lung"), (r"\bthe previous film\b", "the prior study"), (r"\bprevious film\b", "prior study"),
    (r"\bfilm\b", "radiograph"), (r"\bcentimetre\b", "centimeter"), (r"\bfavour\b", "favor"),
    (r"\bhilar\b", "hilar"), (r"\bCT thorax\b", "CT chest"), (r"\bprojected over\b", "overlying"),
]
UK_MAP = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\btumor\b", "tumour"), (r"\bhemithorax\b", "haemithorax"),
    (r"\bhemorrhage\b", "haemorrhage"), (r"\bhemidiaphragms\b", "hemidiaphragms"), (r"\bcentimeter", "centimetre"),
    (r"\bfavor\b", "favour"), (r"\bopacification\b", "opacification"),
]


def to_us(s: str) -> str:
    for a, b in US_MAP:
        s = re.sub(a, b, s)
    return s


def to_uk(s: str) -> str:
    for a, b in UK_MAP:
        s = re.sub(a, b, s)
    return s


REWORD_UK = [
    (r"^There is no ", "No "), (r"^The lungs are clear\.$", "Lungs clear."),
    (r"^Heart size (?:is )?normal\.$", "Heart size normal."),
    (r"^No acute cardiopulmonary (?:abnormality|disease|process|findings?)\.$",
     "No acute cardiopulmonary abnormality."),
    (r"^No acute (?:disease|abnormality)\.$", "No acute abnormality seen."),
    (r"^(The )?[Cc]ardiomediastinal silhouette (?:is )?(?:normal|within normal limits)\.$",
     "Cardiomediastinal contour within normal limits."),
    (r"^No active disease\.$", "No active disease seen."),
    (r"^Negative chest(?: x-ray| radiograph)?\.$", "No acute abnormality."),
]
REWORD_US = [
    (r"^There is no ", "No "),
    (r"^No acute cardiopulmonary (?:abnormality|disease|findings?)\.$", "No acute cardiopulmonary process."),
    (r"^The lungs are clear\.$", "Lungs are clear."),
    (r"^Normal heart size\.$", "Heart size is normal."),
    (r"^Negative chest(?: x-ray| radiograph)?\.$", "No acute cardiopulmonary abnormality."),
]


def reword(sents: list, uk: bool) -> tuple:
    changed = 0
    out = []
    for s in sents:
        t = to_uk(s) if uk else s
        for a, b in (REWORD_UK if uk else REWORD_US):
            t2 = re.sub(a, b, t)
            if t2 != t:
                t = t2[0].upper() + t2[1:]
        changed += t != s
        out.append(t)
    return out, changed


# ----------------------------------------------------------------------------------------------
# layouts
# ----------------------------------------------------------------------------------------------
LAYOUTS = [
    dict(name="UK conclusion", uk=True, exam="XR CHEST PA", ind="Clinical details", cmp="Comparison",
         f="Findings", i="Conclusion", inline=False, num=0.5, bullets=False,
         sign=["Reported by: Dr XXXX, Consultant Radiologist"]),
    dict(name="UK report/opinion", uk=True, exam="CHEST X-RAY (AP SITTING)", ind="CLINICAL INFORMATION",
         cmp="COMPARED WITH", f="REPORT", i="OPINION", inline=True, num=0.3, bullets=False,
         sign=["Dr XXXX", "Consultant Radiologist"]),
    dict(name="UK comment", uk=True, exam="Chest radiograph", ind="Indication", cmp="Previous", f="Findings",
         i="Comment", inline=True, num=0.0, bullets=False,
         sign=["Reported by XXXX, Reporting Radiographer. Verified by Dr XXXX."]),
    dict(name="UK hospice summary", uk=True, exam="CXR (portable, ward)", ind="Clinical history", cmp="Comparison",
         f="FINDINGS", i="SUMMARY", inline=False, num=0.7, bullets=True,
         sign=["Dr XXXX, Consultant Radiologist", "Report authorised XXXX"]),
    dict(name="US portable", uk=False, exam="EXAM: XR CHEST 1 VIEW PORTABLE", ind="HISTORY", cmp="COMPARISON",
         tech="TECHNIQUE: Single portable AP view of the chest.", f="FINDINGS", i="IMPRESSION", inline=False,
         num=0.5, bullets=False, sign=["Electronically signed by: XXXX, MD on XXXX"]),
    dict(name="US two-view numbered", uk=False, exam="CHEST 2 VIEWS PA AND LATERAL", ind="INDICATION",
         cmp="COMPARISON", f="FINDINGS", i="IMPRESSION", inline=True, num=1.0, bullets=False,
         sign=["Dictated by: XXXX, MD", "Signed by: XXXX, MD"]),
    dict(name="US bulleted", uk=False, exam="Procedure: CHEST X-RAY", ind="Clinical indication", cmp="Comparison",
         f="Findings", i="Impression", inline=False, num=0.4, bullets=True,
         sign=["Interpreted by XXXX, MD. This report was electronically signed."]),
    dict(name="US hospice conclusion", uk=False, exam="XR CHEST AP (HOME HOSPICE / MOBILE)", ind="Reason for exam",
         cmp="Comparison", f="FINDINGS", i="CONCLUSION", inline=True, num=0.5, bullets=False,
         sign=["Read by: XXXX, DO", "Final report"]),
]


def render(lay: dict, rng: random.Random, ind: str, cmp: str, f_s: list, i_s: list,
           fmode: str = "ok", imode: str = "ok", numbered: bool | None = None) -> str:
    out = [lay["exam"], f"{lay['ind']}: {ind}" if ind else f"{lay['ind']}: Not given.",
           f"{lay['cmp']}: {cmp or 'None.'}"]
    if lay.get("tech"):
        out.append(lay["tech"])
    out.append("")
    if fmode == "ok":
        if lay["bullets"]:
            out.append(f"{lay['f']}:")
            out += [f"- {s}" for s in f_s]
        elif lay["inline"]:
            out.append(f"{lay['f']}: " + " ".join(f_s))
        else:
            out.append(f"{lay['f']}:")
            out.append(" ".join(f_s))
        out.append("")
    elif fmode == "empty":
        out.append(f"{lay['f']}:")
        out.append("")
    if numbered is None:
        numbered = len(i_s) > 1 and rng.random() < lay["num"]
    if imode == "ok":
        if numbered and len(i_s) > 1:
            out.append(f"{lay['i']}:")
            out += [f"{k + 1}. {s}" for k, s in enumerate(i_s)]
        elif lay["inline"]:
            out.append(f"{lay['i']}: " + " ".join(i_s))
        else:
            out.append(f"{lay['i']}:")
            out.append(" ".join(i_s))
        out.append("")
    elif imode == "empty":
        out.append(f"{lay['i']}:")
        out.append("")
    elif imode == "sig":
        out.append(f"{lay['i']}:")
    out += lay["sign"]
    return "\n".join(out).strip() + "\n"


# ----------------------------------------------------------------------------------------------
# composed phrase bank
# ----------------------------------------------------------------------------------------------
def S(t, c=None, side=None, sig=False, neg=None):
    return {"t": t, "c": c, "side": side, "sig": sig, "neg": neg}


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def sc_effusion(rng, side):
    size = rng.choice(["moderate", "large", "large", "moderate to large"])
    f = [S(f"{_cap(size)} {side} pleural effusion with compressive atelectasis of the {side} lower lobe.",
           "effusion", side, True)]
    if size.startswith("large") and rng.random() < 0.5:
        f.append(S("Mild mediastinal shift away from the effusion.", None))
    i = [S(rng.choice([f"{_cap(size)} {side} pleural effusion, in keeping with known malignant effusion.",
                       f"{_cap(size)} {side} pleural effusion, increased since the previous film.",
                       f"Re-accumulation of the {side} pleural effusion, now {size}."]), "effusion", side, True)]
    if rng.random() < 0.4:
        i.append(S("Consider therapeutic aspiration or IPC if symptomatic."))
    return dict(f=f, i=i, fams=["effusion"], lat=True,
                ind=["Known malignant pleural effusion, increasing breathlessness.",
                     "Metastatic breast cancer, SOB. ?re-accumulation of effusion.",
                     "Mesothelioma, worsening dyspnoea."])


def sc_ipc(rng, side):
    f = [S(f"{_cap(side)} indwelling pleural catheter in situ, its tip projected over the {side} lower zone.",
           "ipc", side),
         S(f"Small residual {side} pleural effusion.", "effusion", side),
         S("No pneumothorax.", neg="pneumothorax")]
    if rng.random() < 0.5:
        i = [S(f"{_cap(side)} IPC in satisfactory position with small residual {side} effusion.", "ipc", side)]
    else:
        i = [S(f"Satisfactory position of the {side} IPC.", "ipc", side),
             S(f"Small residual {side} pleural effusion.", "effusion", side)]
    i.append(S("No pneumothorax.", neg="pneumothorax"))
    return dict(f=f, i=i, fams=["effusion", "ipc", "pneumothorax"], lat=True,
                ind=["IPC inserted today, ?position ?pneumothorax.", "Post IPC insertion check.",
                     "IPC draining poorly, ?position."])


def sc_lymphangitis(rng, side):
    f = [S("Bilateral coarse reticular interstitial shadowing with septal lines, most marked at the bases, "
           "increased since the previous film.", "lymphangitis", None, True)]
    i = [S(rng.choice(["Appearances in keeping with lymphangitis carcinomatosa, progressed since the previous film.",
                       "Progressive interstitial shadowing, likely lymphangitis carcinomatosa."]),
           "lymphangitis", None, True)]
    return dict(f=f, i=i, fams=["lung", "lymphangitis"], lat=False,
                ind=["Metastatic gastric cancer, progressive breathlessness.",
                     "Breast cancer, dry cough and SOB, ?lymphangitis."])


def sc_mets(rng, side):
    n = rng.choice([12, 15, 18, 22, 25, 30])
    f = [S(f"Multiple rounded soft tissue nodules throughout both lungs, the largest measuring {n} mm in the "
           f"{side} mid zone, more numerous than on the previous film.", "nodule", side, True)]
    i = [S(rng.choice([f"Progression of pulmonary metastases, the largest in the {side} mid zone.",
                       f"Multiple pulmonary metastases, increased in number; largest deposit {side} mid zone."]),
           "nodule", side, True)]
    return dict(f=f, i=i, fams=["lung", "nodule"], lat=True,
                ind=["Metastatic colorectal cancer, restaging.", "Renal cell carcinoma, cough.",
                     "Sarcoma, on best supportive care, SOB."])


def sc_collapse(rng, side):
    lobe = rng.choice(["upper", "lower"])
    if lobe == "upper":
        f = [S(f"New collapse of the {side} upper lobe with elevation of the {side} hilum and loss of volume.",
               "collapse", side, True),
             S(f"Bulky {side} hilar mass.", "mass", side, True)]
    else:
        f = [S(f"New triangular density behind the heart with loss of the medial {side} hemidiaphragm outline, "
               f"in keeping with {side} lower lobe collapse.", "collapse", side, True),
             S(f"Bulky {side} hilar mass.", "mass", side, True)]
    i = [S(f"New {side} {lobe} lobe collapse, likely secondary to the {side} hilar tumour.", "collapse", side, True)]
    if rng.random() < 0.5:
        i.append(S("Bronchoscopic or radiotherapy opinion if it would help symptoms."))
    return dict(f=f, i=i, fams=["lung", "collapse", "mass"], lat=True,
                ind=["Lung cancer, acute increase in breathlessness.", "NSCLC on palliative treatment, haemoptysis."])


def sc_svc(rng, side):
    f = [S("SVC stent in situ projected over the superior mediastinum, unchanged in position.", "stent"),
         S("Superior mediastinal widening due to the known nodal mass, unchanged.", "mediastinum", None, True)]
    i = [S("SVC stent in stable position.", "stent"),
         S("Unchanged mediastinal widening from the known nodal mass.", "mediastinum", None, True)]
    return dict(f=f, i=i, fams=["stent", "mediastinum"], lat=False,
                ind=["SVC obstruction, stent placed last week, recurrent facial swelling.",
                     "Small cell lung cancer, SVC stent in situ, check."])


def sc_consol(rng, side):
    zone = rng.choice(["lower", "mid"])
    f = [S(f"Patchy consolidation in the {side} {zone} zone, not present previously.", "consolidation", side, True)]
    i = [S(rng.choice([f"New {side} {zone} zone consolidation, in keeping with infection in this context.",
                       f"{_cap(side)} {zone} zone pneumonia."]), "consolidation", side, True)]
    return dict(f=f, i=i, fams=["lung", "consolidation"], lat=True,
                ind=["Hospice inpatient, pyrexial with productive cough.", "Comfort care, ?aspiration pneumonia.",
                     "Neutropenic on chemotherapy, cough and fever."])


def sc_ptx(rng, side):
    n = rng.choice([8, 10, 15, 20])
    f = [S(f"{_cap(side)} apical pneumothorax with a rim of {n} mm following the recent pleural aspiration.",
           "pneumothorax", side, True)]
    i = [S(f"Small {side} apical pneumothorax post aspiration.", "pneumothorax", side, True)]
    if rng.random() < 0.5:
        i.append(S("Clinical team informed at the time of reporting."))
    return dict(f=f, i=i, fams=["pneumothorax"], lat=True,
                ind=["Pleural aspiration this morning, now chest pain.", "Post thoracentesis, ?pneumothorax."])


def sc_oedema(rng, side):
    f = [S("Upper lobe blood diversion with bilateral perihilar haziness and septal lines.", "oedema", None, True),
         S("Small bilateral pleural effusions.", "effusion")]
    i = [S(rng.choice(["Pulmonary oedema with small bilateral effusions, in keeping with fluid overload.",
                       "Interstitial pulmonary oedema and small bilateral effusions."]), "oedema", None, True)]
    return dict(f=f, i=i, fams=["lung", "oedema", "effusion"], lat=False,
                ind=["Leg swelling and SOB, on IV fluids.",
                     "Hospice patient, increasing breathlessness, ?fluid overload."])


def sc_mass(rng, side):
    n = rng.choice(["4", "5", "6", "7"])
    f = [S(f"{n} cm mass in the {side} upper zone, larger than on the previous film.", "mass", side, True)]
    i = [S(rng.choice([f"Enlarging {side} upper zone mass, in keeping with the known primary tumour.",
                       f"Growth of the {side} upper zone tumour."]), "mass", side, True)]
    return dict(f=f, i=i, fams=["lung", "mass"], lat=True,
                ind=["Lung cancer, not for active treatment, review.", "Known lung primary, chest pain."])


def sc_rib(rng, side):
    r = rng.choice(["fifth", "sixth", "seventh", "eighth"])
    f = [S(f"Lytic destructive lesion of the {side} {r} rib, in keeping with a bone metastasis.", "bone", side, True),
         S("No pathological fracture seen elsewhere.")]
    i = [S(f"Lytic metastasis of the {side} {r} rib.", "bone", side, True)]
    return dict(f=f, i=i, fams=["bone"], lat=True,
                ind=["Prostate cancer with bone metastases, chest wall pain.", "Myeloma, rib pain."])


def sc_cardiac(rng, side):
    f = [S("The cardiac silhouette is enlarged and globular, increased since the previous film.",
           "cardiomegaly", None, True)]
    i = [S("Enlarged globular cardiac silhouette, ?pericardial effusion; echocardiography if it would alter "
           "management.", "cardiomegaly", None, True)]
    return dict(f=f, i=i, fams=["cardiomegaly"], lat=False,
                ind=["Lung cancer, tachycardic and breathless.", "Breast cancer, ?pericardial effusion."])


def sc_line(rng, side):
    kind = rng.choice(["port", "picc"])
    if kind == "port":
        f = [S(f"{_cap(side)}-sided chest port with the catheter tip projected over the SVC.", "line", side)]
        i = [S(f"{_cap(side)} chest port, tip in the SVC.", "line", side)]
    else:
        f = [S(f"{_cap(side)} arm PICC with the tip at the cavoatrial junction.", "line", side)]
        i = [S(f"{_cap(side)} PICC tip at the cavoatrial junction.", "line", side)]
    return dict(f=f, i=i, fams=["line"], lat=True,
                ind=["Line inserted for chemotherapy, tip position.", "PICC for TPN/antibiotics, check position."])


def sc_normal(rng, side):
    f = []
    i = [S(rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality seen.",
                       "No significant abnormality.", "No active disease seen. Comfort care noted."]),
           "normal")]
    return dict(f=f, i=i, fams=["normal"], lat=False, normal=True,
                ind=["Hospice admission, breathless, ?cause.", "Comfort care, chest pain.",
                     "Community oncology, cough, on chemotherapy."])


SCENARIOS = [sc_effusion, sc_ipc, sc_lymphangitis, sc_mets, sc_collapse, sc_svc, sc_consol, sc_ptx, sc_oedema,
             sc_mass, sc_rib, sc_cardiac, sc_line]

BG_NEG = [
    ("pneumothorax", "No pneumothorax.", "No pneumothorax."),
    ("cardiomegaly", "Heart size is normal.", None),
    ("effusion", "No pleural effusion.", None),
    ("consolidation", "No focal consolidation.", None),
    ("lung", "The lungs are clear.", None),
    ("oedema", "No pulmonary oedema.", None),
    ("bone", "No destructive bone lesion.", None),
    ("mediastinum", "Mediastinal contours are within normal limits.", None),
]


def background(rng, fams: list, n: int) -> tuple:
    f, i = [], []
    opts = [b for b in BG_NEG if b[0] not in fams and not (b[0] == "lung" and "lung" in fams)]
    if "lung" in fams or "consolidation" in fams or "oedema" in fams:
        opts = [b for b in opts if b[0] != "lung"]
    rng.shuffle(opts)
    for fam, ft, it in opts[:n]:
        f.append(S(ft, neg="consolidation" if fam == "lung" else fam))
        if it and rng.random() < 0.4:
            i.append(S(it, neg=fam))
    return f, i


ASSERT = {
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "cardiomegaly": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
    "effusion": ["Moderate {side} pleural effusion.", "{Side} pleural effusion, likely malignant."],
    "consolidation": ["{Side} basal consolidation, likely infective.", "{Side} lower zone pneumonia."],
    "oedema": ["Pulmonary oedema.", "Interstitial oedema in keeping with fluid overload."],
}
NEGATE = {
    "effusion": ["No pleural effusion.", "No pleural effusion seen."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax seen."],
    "consolidation": ["Lungs clear.", "No consolidation."],
    "oedema": ["No pulmonary oedema.", "No features of fluid overload."],
    "cardiomegaly": ["Heart size is normal.", "Normal cardiac size."],
    "mass": ["No lung mass.", "No mass lesion seen."],
    "nodule": ["No pulmonary nodules.", "No pulmonary metastases."],
    "collapse": ["No lobar collapse.", "No collapse."],
    "lymphangitis": ["No interstitial abnormality.", "Lungs clear."],
    "mediastinum": ["Normal mediastinal contour.", "No mediastinal widening."],
}
NORMAL_IMP_UK = ["No acute abnormality.", "No acute cardiopulmonary abnormality.", "No significant abnormality seen."]
NORMAL_IMP_US = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.", "No acute findings."]
CMP_UK = ["Chest radiograph XXXX.", "Previous film of XXXX.", "CXR XXXX and XXXX.", "XXXX (portable)."]
CMP_US = ["XXXX.", "Chest radiograph dated XXXX.", "Prior study XXXX.", "Multiple priors, most recent XXXX."]
PLACEHOLDERS_SIZE = ["[size]", "<<size>>", "[***]", "[ ]", "[small/moderate/large]"]
PLACEHOLDERS_SIDE = ["[LEFT/RIGHT]", "<<side>>", "[side]", "[***]", "[ ]"]
PLACEHOLDERS_NUM = ["XX", "[ ]", "<<measurement>>", "***", "[**]"]
PLACEHOLDERS_WORD = ["[***]", "[ ]", "<<finding>>", "[***]", "[text]"]


def fill(s: dict, side_override: str | None = None) -> str:
    return s["t"]


def compatible(a: dict, b: dict) -> bool:
    fa, fb = set(a["fams"]), set(b["fams"])
    if fa & fb:
        return False
    both = fa | fb
    return not ("lung" in fa and "lung" in fb) and not ({"effusion", "ipc"} <= both and "effusion" in fa & fb)


def pick_scenarios(rng, n: int, pool: list, side: str | None = None, same_side: bool = False) -> list:
    out = []
    tries = 0
    while len(out) < n and tries < 50:
        tries += 1
        fn = rng.choice(pool)
        sd = side if (same_side and side) else rng.choice(["right", "left"])
        sc = fn(rng, sd)
        sc["name"] = fn.__name__[3:]
        sc["side"] = sd
        if all(compatible(sc, o) for o in out):
            out.append(sc)
    return out


def place_phrase(s: str, rng) -> tuple:
    """Replace a size, side or number in a sentence with a template placeholder."""
    cands = []
    for m in re.finditer(r"\b(small|moderate to large|moderate|large|mild|bulky)\b", s, re.I):
        cands.append((m.start(), m.end(), rng.choice(PLACEHOLDERS_SIZE), "size word"))
    for m in re.finditer(r"\b\d+(?:\.\d+)?(?= ?(?:mm|cm)\b)", s):
        cands.append((m.start(), m.end(), rng.choice(PLACEHOLDERS_NUM), "measurement"))
    for m in SIDE_RE.finditer(s):
        cands.append((m.start(), m.end(), rng.choice(PLACEHOLDERS_SIDE), "side"))
    if not cands:
        words = [m for m in re.finditer(r"\b[a-z]{5,}\b", s)
                 if m.group(0).lower() not in {"without", "there", "which", "their", "since", "within", "limits"}]
        if not words:
            return None
        m = rng.choice(words)
        cands.append((m.start(), m.end(), rng.choice(PLACEHOLDERS_WORD), "word"))
    a, b, ph, what = rng.choice(cands)
    return s[:a] + ph + s[b:], f"{what} '{s[a:b]}' -> '{ph}'"


def composed(rng: random.Random, kind: str | None, k: int) -> dict:
    lay = rng.choice(LAYOUTS)
    uk = lay["uk"]
    conv = (lambda x: x) if uk else to_us
    side = rng.choice(["right", "left"])
    detail = ""
    normal_case = False
    lat_pool = [sc_effusion, sc_ipc, sc_mets, sc_collapse, sc_consol, sc_ptx, sc_mass, sc_rib, sc_line]
    nonlat_pool = [sc_lymphangitis, sc_svc, sc_oedema, sc_cardiac]
    if kind == "laterality_conflict":
        scs = pick_scenarios(rng, 1, lat_pool, side, True)
        if rng.random() < 0.5:
            scs += [x for x in pick_scenarios(rng, 1, nonlat_pool) if compatible(x, scs[0])]
        if rng.random() < 0.3:
            extra = pick_scenarios(rng, 1, [sc_line, sc_rib, sc_ptx], side, True)
            scs += [x for x in extra if all(compatible(x, o) for o in scs)]
    elif kind is None and rng.random() < 0.18:
        scs = [dict(sc_normal(rng, side), name="normal", side=side)]
        normal_case = True
        if rng.random() < 0.4:
            scs += pick_scenarios(rng, 1, [sc_line], side, True)
    elif kind == "impression_omits_finding":
        sig_pool = [sc_effusion, sc_consol, sc_ptx, sc_oedema, sc_mass, sc_mets, sc_collapse, sc_cardiac]
        scs = pick_scenarios(rng, 1, sig_pool)
        if k % 2 == 1:
            other = pick_scenarios(rng, 3, [sc_line, sc_rib, sc_ipc, sc_lymphangitis])
            other = [o for o in other if compatible(o, scs[0])]
            if other:
                scs.append(other[0])
            else:
                scs.append(dict(sc_line(rng, side), name="line", side=side))
    else:
        scs = pick_scenarios(rng, 1 if rng.random() < 0.55 else 2, lat_pool + nonlat_pool)
    fams = sorted({f for sc in scs for f in sc["fams"]})
    f_s = [s for sc in scs for s in sc["f"]]
    i_s = [s for sc in scs for s in sc["i"]]
    if normal_case:
        bf, bi = background(rng, [f for f in fams if f != "normal"], 5)
        f_s = f_s + bf
        i_s = [s for s in i_s if s["c"] == "line"] + [s for s in i_s if s["c"] != "line"]
    else:
        bf, bi = background(rng, fams, rng.choice([1, 2, 3]))
        f_s = f_s + bf
        i_s = i_s + [b for b in bi if not any(x["neg"] == b["neg"] for x in i_s)]
    if kind != "laterality_conflict" and "bone" not in fams and rng.random() < 0.3:
        f_s.append(S(rng.choice(["Degenerative changes in the thoracic spine.",
                                 "Old healed fracture of a left lower rib."
                                 if kind is None and not any(x["side"] for x in f_s) else
                                 "Degenerative changes in the thoracic spine."])))
    if normal_case and not f_s:
        f_s = [S("Heart size is normal."), S("The lungs are clear.")]
    ind = rng.choice([x for sc in scs for x in sc["ind"]])
    cmp = rng.choice(CMP_UK if uk else CMP_US)
    if normal_case and rng.random() < 0.4:
        cmp = "None available."
    fmode, imode = "ok", "ok"
    ftxt = [fill(s) for s in f_s]
    itxt = [fill(s) for s in i_s]
    scnames = "+".join(sc["name"] for sc in scs)
    if kind is None:
        detail = f"composed clean ({scnames}), {lay['name']} layout"
        if not normal_case and rng.random() < 0.08:
            fmode = "absent"
            detail += "; impression-only report (no FINDINGS section), impression describes the findings"
            itxt = ftxt + itxt
    elif kind == "missing_section":
        mode = rng.choice(["f_empty", "i_empty", "i_sig", "i_absent", "i_empty", "i_sig"])
        if mode == "f_empty":
            fmode = "empty"
            detail = f"composed ({scnames}): FINDINGS header left with nothing under it"
        else:
            imode = {"i_empty": "empty", "i_sig": "sig", "i_absent": "absent"}[mode]
            detail = f"composed ({scnames}): IMPRESSION section " + {
                "empty": f"emptied ('{lay['i']}:' with nothing)", "sig": f"emptied ('{lay['i']}:' with only the "
                "sign-off under it)", "absent": "removed entirely"}[imode]
    elif kind == "laterality_conflict":
        cands = []
        for sec, lst in (("f", f_s), ("i", i_s)):
            other = i_s if sec == "f" else f_s
            for j, s in enumerate(lst):
                if s["side"] and s["c"] and any(o["c"] == s["c"] and o["side"] == s["side"] for o in other):
                    cands.append((sec, j))
        sec, j = rng.choice(cands)
        tgt = ftxt if sec == "f" else itxt
        old = tgt[j]
        tgt[j] = flip_sides(old)
        detail = (f"composed ({scnames}): {'FINDINGS' if sec == 'f' else 'IMPRESSION'} sentence flipped "
                  f"{side}->{_FLIP[side]}: '{conv(tgt[j])}'; the other section keeps {side}")
    elif kind == "negation_conflict":
        aff = [j for j, s in enumerate(i_s) if s["c"] in NEGATE and s["sig"]]
        negs = [j for j, s in enumerate(f_s) if s["neg"] in ASSERT]
        if not aff and not negs:
            fam = next(f for f in ("pneumothorax", "cardiomegaly", "effusion", "oedema") if f not in fams)
            extra = S({"pneumothorax": "No pneumothorax.", "cardiomegaly": "Heart size is normal.",
                       "effusion": "No pleural effusion.", "oedema": "No pulmonary oedema."}[fam], neg=fam)
            f_s.append(extra)
            ftxt.append(fill(extra))
            negs = [len(f_s) - 1]
        if aff and (not negs or rng.random() < 0.5):
            j = rng.choice(aff)
            c = i_s[j]["c"]
            new = rng.choice(NEGATE[c])
            itxt = [new] + [t for q, t in enumerate(itxt) if i_s[q]["c"] != c]
            detail = f"composed ({scnames}): IMPRESSION states '{conv(new)}' although FINDINGS describe {c}"
        else:
            j = rng.choice(negs)
            c = f_s[j]["neg"]
            sd = rng.choice(["right", "left"])
            new = rng.choice(ASSERT[c]).format(side=sd, Side=_cap(sd))
            itxt = [new] + [t for q, t in enumerate(itxt) if i_s[q]["neg"] != c]
            detail = (f"composed ({scnames}): IMPRESSION asserts '{conv(new)}' although FINDINGS say "
                      f"'{conv(ftxt[j])}'")
    elif kind == "impression_omits_finding":
        sig = scs[0]
        drop = sorted({s["c"] for s in sig["i"] if s["c"]})
        if k % 2 == 0:
            new = rng.choice(NORMAL_IMP_UK if uk else NORMAL_IMP_US)
            itxt = [new]
            detail = (f"composed ({scnames}): IMPRESSION replaced by normal statement '{conv(new)}'; FINDINGS "
                      f"affirm {sig['name']} ('{conv(ftxt[0])}')")
        else:
            itxt = [t for q, t in enumerate(itxt) if i_s[q]["c"] not in drop and i_s[q] not in sig["i"]]
            detail = (f"composed ({scnames}): IMPRESSION lists only the other findings, leaving out "
                      f"{sig['name']} ('{conv(ftxt[0])}')")
    elif kind == "placeholder":
        if rng.random() < 0.12:
            ph = rng.choice(["[date of previous film]", "<<comparison date>>", "[***]"])
            cmp = ph
            detail = f"composed ({scnames}): comparison field left as template placeholder '{ph}'"
        else:
            sec = "f" if rng.random() < 0.6 else "i"
            tgt = ftxt if sec == "f" else itxt
            order = list(range(len(tgt)))
            rng.shuffle(order)
            order.sort(key=lambda q: 0 if re.search(r"\d|small|moderate|large|right|left|bulky", tgt[q]) else 1)
            res = None
            for q in order:
                res = place_phrase(tgt[q], rng)
                if res:
                    tgt[q] = res[0]
                    break
            detail = f"composed ({scnames}): {'FINDINGS' if sec == 'f' else 'IMPRESSION'} {res[1]}"
    ftxt = [conv(t) for t in ftxt]
    itxt = [conv(t) for t in itxt]
    ind = conv(ind)
    report = render(lay, rng, ind, cmp, ftxt, itxt, fmode=fmode, imode=imode)
    return {"injected": kind, "detail": detail, "report": report}


# ----------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------
def _prep(r: dict, lay: dict) -> tuple:
    f_s, nf = reword(split_sents(r["findings"]), lay["uk"])
    i_s, ni = reword(split_sents(r["impression"]), lay["uk"])
    return f_s, i_s, nf + ni


def _sig_affirmed(s: str) -> list:
    out = []
    for fam in affirmed(s):
        if fam not in SIG_FAMS:
            continue
        if fam == "effusion" and SMALL.search(s):
            continue
        if HEDGE.search(s) or re.search(r"improv|decreas|resolv|clearing|smaller|residual|\bor\b|/|appear",
                                        s, re.I):
            continue
        if re.search(r"\b(stable|unchanged|chronic|old|healed|previous|prior|again)\b", s, re.I):
            continue
        out.append(fam)
    return out


def iu_case(rng: random.Random, r: dict, kind: str | None, k: int) -> dict | None:
    lay = rng.choice(LAYOUTS)
    f_s, i_s, nchg = _prep(r, lay)
    if not iu_clean_ok(f_s, i_s):
        return None
    uid = r["uid"]
    ind = _clean_text(r["indication"]) or ""
    cmp = _clean_text(r["comparison"]) or "None."
    if not lay["uk"]:
        ind = ind
    else:
        ind = to_uk(ind)
    what = f"re-laid out ({lay['name']} layout)" + (f", {nchg} sentence(s) re-worded" if nchg else "")
    fmode, imode = "ok", "ok"
    if kind is None:
        detail = f"IU {uid}: unmodified content, {what}"
    elif kind == "missing_section":
        mode = ["f_empty", "i_empty", "i_sig", "i_absent"][k % 4]
        if mode == "f_empty":
            fmode = "empty"
            detail = f"IU {uid}: {what}; FINDINGS emptied (header kept, nothing under it)"
        else:
            imode = mode[2:]
            detail = f"IU {uid}: {what}; IMPRESSION " + {
                "empty": "emptied (header kept, nothing under it)", "sig": "emptied (only the sign-off under the "
                "header)", "absent": "section removed"}[imode]
    elif kind == "laterality_conflict":
        all_sides = set(sides_in(" ".join(f_s + i_s)))
        if len(all_sides) != 1:
            return None
        side = sorted(all_sides)[0]
        odd = re.compile(r"bilateral|middle lobe|lingul", re.I)
        fl = [j for j, s in enumerate(f_s) if side in sides_in(s) and not odd.search(s)]
        il = [j for j, s in enumerate(i_s) if side in sides_in(s) and not odd.search(s)]
        if not fl or not il:
            return None
        # the side must be about a finding the other section also places there
        pairs = [(j, q) for j in fl for q in il
                 if not NEG_CUE.search(f_s[j] + " " + i_s[q]) and not re.search(r"previous|prior", f_s[j] + i_s[q])
                 and (set(fams_of(f_s[j])) & set(fams_of(i_s[q])) or
                 re.search(r"(upper|lower|middle) lobe|base|basilar|apex|apical|hilum|hilar|hemithorax|"
                           r"costophrenic|lung", f_s[j], re.I) and
                 re.search(r"(upper|lower|middle) lobe|base|basilar|apex|apical|hilum|hilar|hemithorax|"
                           r"costophrenic|lung", i_s[q], re.I))]
        if not pairs:
            return None
        j, q = rng.choice(pairs)
        if rng.random() < 0.5:
            old = f_s[j]
            f_s[j] = flip_sides(old)
            detail = f"IU {uid}: {what}; FINDINGS '{old}' -> '{f_s[j]}' (IMPRESSION keeps {side}: '{i_s[q]}')"
        else:
            old = i_s[q]
            i_s[q] = flip_sides(old)
            detail = f"IU {uid}: {what}; IMPRESSION '{old}' -> '{i_s[q]}' (FINDINGS keep {side}: '{f_s[j]}')"
    elif kind == "negation_conflict":
        f_aff = {x for s in f_s for x in affirmed(s)}
        i_aff = {x for s in i_s for x in affirmed(s)}
        f_neg = {x for s in f_s for x in negated(s)}
        f_firm = {x for s in f_s if not HEDGE.search(s) for x in affirmed(s)}
        if not any(re.search(r"\bnodules?\b", x, re.I) for x in f_s):
            f_firm.discard("nodule")
        both = sorted(c for c in (f_firm & i_aff) & set(NEGATE)
                      if all(set(fams_of(s)) <= {c, "opacity"} for s in i_s if c in fams_of(s)))
        assertable = sorted((f_neg & set(ASSERT)) - f_aff)
        if k % 2 == 0:
            if not both:
                return None
            c = rng.choice(both)
            new = rng.choice(NEGATE[c])
            if lay["uk"]:
                new = to_uk(new)
            else:
                new = to_us(new)
            rest = [s for s in i_s if c not in fams_of(s)]
            old = " ".join(i_s)
            i_s = [new] + rest
            detail = (f"IU {uid}: {what}; IMPRESSION now says '{new}' (was '{old}') although FINDINGS affirm "
                      f"{c}")
        else:
            if not assertable:
                return None
            c = rng.choice(assertable)
            negsent = next(s for s in f_s if c in negated(s))
            sd = sides_in(negsent)[0] if len(sides_in(negsent)) == 1 else rng.choice(["right", "left"])
            new = rng.choice(ASSERT[c]).format(side=sd, Side=_cap(sd))
            new = to_uk(new) if lay["uk"] else to_us(new)
            rest = [s for s in i_s if not is_normal_sentence(s) and c not in fams_of(s)]
            i_s = [new] + rest
            detail = f"IU {uid}: {what}; IMPRESSION asserts '{new}' although FINDINGS say '{negsent}'"
    elif kind == "impression_omits_finding":
        sigs = sorted({x for s in f_s for x in _sig_affirmed(s)})
        if not sigs:
            return None
        drop_any = [s for s in i_s if set(fams_of(s)) & (set(sigs) | {"opacity", "atelectasis"})]
        keep = [s for s in i_s if s not in drop_any]
        keep_find = [s for s in keep if not is_normal_sentence(s) and len(s) > 12]
        fsent = next(s for s in f_s if _sig_affirmed(s))
        if k % 2 == 1:
            if not keep_find:
                return None
            i_s = keep
            detail = (f"IU {uid}: {what}; IMPRESSION keeps only the other findings, leaving out "
                      f"{'/'.join(sigs)} ('{fsent}')")
        else:
            new = rng.choice(NORMAL_IMP_UK if lay["uk"] else NORMAL_IMP_US)
            i_s = [new]
            detail = (f"IU {uid}: {what}; IMPRESSION replaced by '{new}' although FINDINGS affirm "
                      f"{'/'.join(sigs)} ('{fsent}')")
    elif kind == "placeholder":
        sec = "f" if rng.random() < 0.6 else "i"
        tgt = f_s if sec == "f" else i_s
        order = list(range(len(tgt)))
        rng.shuffle(order)
        res = None
        for q in order:
            if "XXXX" in tgt[q]:
                continue
            res = place_phrase(tgt[q], rng)
            if res:
                tgt[q] = res[0]
                break
        if not res:
            return None
        detail = f"IU {uid}: {what}; {'FINDINGS' if sec == 'f' else 'IMPRESSION'} {res[1]}"
    else:
        raise ValueError(kind)
    report = render(lay, rng, ind, cmp, f_s, i_s, fmode=fmode, imode=imode)
    return {"injected": kind, "detail": detail, "report": report}


# ----------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------
def build(seed: int) -> list:
    rng = random.Random(f"h162-{seed}")
    dev = dev_uids()
    pool = [r for r in load_iu() if r["uid"] not in dev]
    order = list(range(len(pool)))
    rng.shuffle(order)
    used = set()
    rows = []
    plan = [("impression_omits_finding", N_PER_KIND // 2), ("laterality_conflict", N_PER_KIND // 2),
            ("negation_conflict", N_PER_KIND // 2), ("placeholder", N_PER_KIND // 2),
            ("missing_section", N_PER_KIND // 2), (None, N_CLEAN // 2)]
    for kind, n in plan:
        made = 0
        for idx in order:
            if made >= n:
                break
            r = pool[idx]
            if r["uid"] in used:
                continue
            sub = random.Random(f"h162-{seed}-{r['uid']}-{kind}")
            case = iu_case(sub, r, kind, made)
            if case is None:
                continue
            used.add(r["uid"])
            rows.append(case)
            made += 1
        if made < n:
            raise RuntimeError(f"only {made} IU cases for {kind}")
    for kind, n in plan:
        for k in range(n):
            rows.append(composed(rng, kind, k))
    rng.shuffle(rows)
    out = []
    for k, row in enumerate(rows):
        out.append({"id": f"{PREFIX}-{seed}-{k}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for src in ("composed", "IU"):
                sel = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ") == (src == "IU")]
                for r in sel[: a.show]:
                    print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
