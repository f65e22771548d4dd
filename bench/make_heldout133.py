"""Held-out report-error set 133: UK and Irish care-of-the-elderly, stroke and orthogeriatric wards.

usage: python -m bench.make_heldout133 OUT.jsonl --seed S [--show N]

Writes 400 chest X-ray reports, one JSON object a line:
``{"id": "h133-S-k", "injected": null | KIND, "detail": "...", "report": "..."}``.
200 are clean and 40 carry one injected error of each of the five kinds (missing_section,
laterality_conflict, negation_conflict, impression_omits_finding, placeholder). Half of every group
is composed from a phrase bank written in the ward's style (frail older in-patients: aspiration after
a stroke, falls with rib fractures, heart failure, hiatus hernia, NG tube checks, unfolded aorta,
old TB); the other half are real IU reports (never one of the dev set, each used at most once)
re-laid out with UK/Irish headers, spelling and sign-off lines.

The set was written blind: without reading the checker it is meant to test.
Standard library only. ``MEDRAG_SHARED_DIR`` overrides where the shared folder is.
"""
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


def shared_dir():
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


# --------------------------------------------------------------------------------------------------
# IU archive
# --------------------------------------------------------------------------------------------------

_IU_CACHE = {}


def load_iu(sd=None):
    sd = Path(sd or shared_dir())
    key = str(sd)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    dev = set()
    with open(sd / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    reports = []
    with tarfile.open(sd / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            sec = {}
            for a in root.iter("AbstractText"):
                sec[a.get("Label")] = " ".join((a.text or "").split())
            f, i = sec.get("FINDINGS", ""), sec.get("IMPRESSION", "")
            if uid in dev or not f or not i:
                continue
            if re.search(r"\[|\]|\*|<|>|___|\{", f + " " + i):
                continue
            if re.search(r"\bknee\b|lumbosacral|lumbar spine|thoracic spine:|\bRibs\.|\bChest\.|humeral head|abdomen",
                         f + " " + i, re.I):
                continue
            if f.count("XXXX") > 3 or i.count("XXXX") > 1 or len(i) < 8 or len(f) < 40:
                continue
            reports.append({"uid": uid, "findings": f, "impression": i,
                            "indication": sec.get("INDICATION", ""), "comparison": sec.get("COMPARISON", "")})
    reports.sort(key=lambda r: int(r["uid"][3:]))
    _IU_CACHE[key] = (reports, dev)
    return reports, dev


# --------------------------------------------------------------------------------------------------
# text analysis used to pick IU reports (conservative, for choosing, not a checker)
# --------------------------------------------------------------------------------------------------

FAM = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space|infiltrat|pneumonia",
    "lungop": r"opacit|densit|atelecta|collapse|scar",
    "oedema": r"o?edema|congesti|heart failure|\bchf\b|interstitial",
    "cardiomegaly": r"cardiomegaly|enlarge|cardiac silhouette is prominent",
    "nodule": r"nodul|\bmass",
    "fracture": r"fractur",
    "widened": r"widen",
    "freeair": r"free air|pneumoperitoneum|free gas",
}
SIG = ["effusion", "pneumothorax", "consolidation", "oedema", "nodule", "widened", "freeair"]
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|absence|absent|resolved|resolution|clear of|removed|nor|"
                     r"cleared|clearing|"
                     r"exclude|excluded|normal)\b", re.I)
AMB_CUE = re.compile(r"\b(but|however|although|though|whereas|except|possib\w*|may|might|could|cannot|can't|"
                     r"question\w*|versus|vs|suspicious|concern\w*|differential|suggest\w*|resolv\w*|improv\w*|"
                     r"otherwise|limited|obscur\w*|difficult|evaluat\w*|underlying|decreas\w*|equivocal|"
                     r"borderline|upper limits?|prominent|minimal|trace|tiny|small|likely|probabl\w*)\b|\?", re.I)
HEART_NORMAL = re.compile(r"heart (size )?(is )?(normal|within normal)|heart size[^.]{0,40}(normal|unremarkable)|"
                          r"normal (heart|cardiac)|cardiomediastinal[^.]{0,50}(normal|unremarkable)|"
                          r"cardiac (silhouette|contours?|size)[^.]{0,40}normal|heart is normal|not enlarged", re.I)
LUNGS_CLEAR = re.compile(r"\blungs? (are |is )?(\w+ )?clear\b|\bclear lungs\b", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
NORMAL_IMP = re.compile(r"^\s*(1\.\s*)?(no (acute|active|evidence|radiographic|significant)|normal|negative|"
                        r"unremarkable|stable|clear)", re.I)


def sentences(text):
    text = text.strip()
    if re.search(r"(^|\s)\d\.\s", text):
        parts = re.split(r"\s*(?=(?:^|(?<=\s))\d\.\s)", text)
        return [p.strip() for p in parts if p.strip()]
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def fam_status(sent, fam):
    """'aff', 'neg', 'amb' or None for one family in one sentence."""
    m = re.search(FAM[fam], sent, re.I)
    if fam == "cardiomegaly" and HEART_NORMAL.search(sent) and not m:
        return "neg"
    if fam in ("consolidation", "lungop", "oedema", "nodule") and LUNGS_CLEAR.search(sent) and not m:
        return "neg" if not re.search(r"otherwise|remain", sent, re.I) else "amb"
    if not m:
        return None
    if fam == "cardiomegaly" and not re.search(r"heart|cardi", sent, re.I):
        return None
    prefix = sent[: m.start()]
    if NEG_CUE.search(prefix):
        return "amb" if AMB_CUE.search(sent) else "neg"
    if NEG_CUE.search(sent[m.end():]) and fam != "cardiomegaly":
        return "amb"
    if fam == "cardiomegaly" and re.search(r"not|normal|no\b", sent, re.I):
        return "amb"
    return "amb" if AMB_CUE.search(sent) else "aff"


def analyse(text):
    out = {f: set() for f in FAM}
    for s in sentences(text):
        for f in FAM:
            st = fam_status(s, f)
            if st:
                out[f].add(st)
    return out


def is_normal_imp(text):
    a = analyse(text)
    if any(("aff" in v or "amb" in v) for v in a.values()):
        return False
    return bool(NORMAL_IMP.search(text)) and not SIDE.search(text)


_CONS = {}
_MEMO = {}


def memo(fn):
    """Candidate tests depend only on the report: remember them per uid."""

    @functools.wraps(fn)
    def wrapper(r):
        key = (fn.__name__, r["uid"])
        if key not in _MEMO:
            _MEMO[key] = fn(r)
        return _MEMO[key]

    return wrapper


def iu_consistent(r):
    """Conservative: True when findings and impression plainly agree (memoised per report)."""
    if r["uid"] not in _CONS:
        _CONS[r["uid"]] = _iu_consistent(r)
    return _CONS[r["uid"]]


def _iu_consistent(r):
    f, i = r["findings"], r["impression"]
    af, ai = analyse(f), analyse(i)
    lung = ("consolidation", "lungop")
    for fam in FAM:
        f_aff = bool(af[fam] & {"aff", "amb"})
        f_neg = "neg" in af[fam]
        i_aff = bool(ai[fam] & {"aff", "amb"})
        i_neg = bool(ai[fam] & {"neg", "amb"})
        if fam in lung:
            f_aff = any(af[x] & {"aff", "amb"} for x in lung)
            i_aff = any(ai[x] & {"aff", "amb"} for x in lung)
        if f_aff and i_neg:
            return False
        if i_aff and not f_aff:
            return False
        if fam in SIG and f_aff and not i_aff:
            return False
        if f_neg and i_aff and not f_aff:
            return False
    if is_normal_imp(i):
        for fam in FAM:
            if af[fam] & {"aff", "amb"}:
                return False
    # sides: every side the impression names must be named by the findings for the same thing
    fs = {m.lower() for m in SIDE.findall(f)}
    for s in sentences(i):
        for side in {m.lower() for m in SIDE.findall(s)}:
            if side not in fs:
                return False
            fams = [x for x in FAM if re.search(FAM[x], s, re.I)]
            for x in fams:
                ok = any(re.search(FAM[x], fsent, re.I) and re.search(rf"\b{side}\b|bilateral|both", fsent, re.I)
                         for fsent in sentences(f))
                if not ok:
                    return False
    if re.search(r"\b(see|as above|discussed|called|notified|phoned|findings)\b", i, re.I):
        return False
    return True


# --------------------------------------------------------------------------------------------------
# UK/Irish re-wording of IU text
# --------------------------------------------------------------------------------------------------

UK_SUBS = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"esophag", "oesophag"), (r"Esophag", "Oesophag"),
    (r"hemorrhag", "haemorrhag"), (r"ischemi", "ischaemi"), (r"anemi", "anaemi"),
    (r"\bbibasilar\b", "bibasal"), (r"\bBibasilar\b", "Bibasal"), (r"\bbasilar\b", "basal"),
    (r"\bBasilar\b", "Basal"),
    (r"\btortuous (thoracic )?aorta\b", r"unfolded \1aorta"), (r"\bTortuous (thoracic )?aorta\b", r"Unfolded \1aorta"),
    (r"cardiopulmonary process", "cardiopulmonary abnormality"), (r"\bchest x-XXXX\b", "chest radiograph"),
    (r"\bChest x-XXXX\b", "Chest radiograph"), (r"\bx-XXXX\b", "radiograph"),
    (r"\bair space disease\b", "airspace opacification"), (r"\bairspace disease\b", "airspace opacification"),
    (r"\bcentimeters?\b", "cm"), (r"\bmillimeters?\b", "mm"), (r"\bPostoperative\b", "Post-operative"),
    (r"\bpostoperative\b", "post-operative"), (r"\bcongestive heart failure\b", "congestive cardiac failure"),
    (r"\bCHF\b", "CCF"), (r"\bgranulomas\b", "granulomata"), (r"\bcalcified granuloma\b", "calcified granuloma"),
    (r"\bposterior-anterior\b", "PA"), (r"\.\.", "."), (r"\s+,", ","),
]


@functools.cache
def uk(text):
    for a, b in UK_SUBS:
        text = re.sub(a, b, text)
    return text.strip()


# --------------------------------------------------------------------------------------------------
# the ward's voice: layouts, headers, sign-offs
# --------------------------------------------------------------------------------------------------

NAMES = ["A. Murphy", "S. Patel", "C. Byrne", "R. Thompson", "N. O'Sullivan", "J. MacLeod", "H. Evans", "P. Kelly",
         "M. Ahmed", "L. Walsh", "D. Hughes", "F. Gallagher", "K. Nair", "E. Roberts", "G. Doherty", "T. Fitzgerald",
         "B. Okafor", "I. Campbell", "S. Ni Bhriain", "R. Chaudhry"]

LAYOUTS = [
    # exam line, clinical header, comparison header, findings header, impression header, style
    {"exam": "XR CHEST PA", "clin": "Clinical details:", "comp": "Comparison:", "f": "Findings:",
     "i": "Conclusion:", "inline": False, "fbul": False, "num": False},
    {"exam": "CHEST X-RAY (AP MOBILE)", "clin": "CLINICAL HISTORY:", "comp": "COMPARISON:", "f": "REPORT:",
     "i": "OPINION:", "inline": False, "fbul": False, "num": False},
    {"exam": "Examination: CXR", "clin": "Indication:", "comp": "Previous:", "f": "FINDINGS:", "i": "IMPRESSION:",
     "inline": False, "fbul": False, "num": True},
    {"exam": "", "clin": "Clinical information:", "comp": "Comparison:", "f": "Findings:", "i": "Comment:",
     "inline": False, "fbul": True, "num": False},
    {"exam": "CXR PA (erect)", "clin": "Clinical Hx:", "comp": "Comparison:", "f": "Findings:", "i": "Impression:",
     "inline": True, "fbul": False, "num": False},
    {"exam": "Chest Radiograph", "clin": "Clinical Details:", "comp": "Comparison:", "f": "Report:",
     "i": "Conclusion:", "inline": False, "fbul": False, "num": True},
    {"exam": "XR Chest AP (portable, ward)", "clin": "History:", "comp": "Prior:", "f": "FINDINGS:",
     "i": "CONCLUSION:", "inline": False, "fbul": True, "num": True},
    {"exam": "CXR", "clin": "Clinical:", "comp": "Compared with:", "f": "Findings:", "i": "Summary:",
     "inline": True, "fbul": False, "num": False},
]


def signoff(rng, irish=False):
    n1, n2 = rng.sample(NAMES, 2)
    opts = [
        f"Dr {n1}, Consultant Radiologist",
        f"Reported by: Dr {n1} (ST{rng.choice([2, 3, 4, 5])} Radiology Registrar)\nVerified by: Dr {n2}, "
        "Consultant Radiologist",
        f"Electronically signed by Dr {n1}, Consultant Radiologist",
        f"Dr {n1} FRCR\nConsultant Radiologist",
        f"Reported by: {n1}, Consultant Reporting Radiographer",
        f"Dictated by Dr {n1} (SpR)   Authorised by Dr {n2}",
        f"Dr {n1}, Consultant Radiologist (signed electronically on XXXX)",
    ]
    if irish:
        opts.append(f"Dr {n1} MB BCh BAO FFR RCSI\nConsultant Radiologist")
    return rng.choice(opts)


def render(rng, layout, exam, clinical, comparison, findings, impression, sign, fmode="ok", imode="ok"):
    """findings: list of sentences; impression: list of items. modes: ok / empty / sig / absent."""
    L = layout
    lines = []
    if layout["exam"] and exam is not None:
        lines.append(exam if exam else layout["exam"])
    if clinical:
        lines.append(f"{L['clin']} {clinical}")
    if comparison:
        lines.append(f"{L['comp']} {comparison}")
    lines.append("")

    def block(header, body_lines):
        if L["inline"] and len(body_lines) == 1:
            return [f"{header} {body_lines[0]}", ""]
        return [header, *body_lines, ""]

    if fmode == "ok":
        if L["fbul"]:
            body = [f"- {s}" for s in findings]
        else:
            body = [" ".join(findings)]
        lines += block(L["f"], body)
    elif fmode == "empty":
        lines += [L["f"], ""]
    if imode == "ok":
        if L["num"] and len(impression) > 1:
            body = [f"{k + 1}. {s}" for k, s in enumerate(impression)]
        else:
            body = [" ".join(impression)]
        lines += block(L["i"], body)
        lines.append(sign)
    elif imode == "empty":
        lines += [L["i"], "", sign]
    elif imode == "sig":
        lines += [L["i"], sign]
    elif imode == "absent":
        lines.append(sign)
    else:
        lines.append(sign)
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# --------------------------------------------------------------------------------------------------
# phrase bank: findings items
# --------------------------------------------------------------------------------------------------
# Each item: key, region, fam (what a filler must not deny), sided, sig (omission-worthy), notable (belongs
# in a clean impression), f (findings templates), i (impression templates), ineg (impression denials),
# iassert (impression assertions for when the findings deny fam).

ITEMS = {
    "consolidation": dict(
        region="lungs", fam="consolidation", sided=True, sig=True, notable=True,
        f=["Patchy consolidation in the {side} lower zone.",
           "Airspace opacification at the {side} base with air bronchograms, in keeping with consolidation.",
           "New consolidation in the {side} lower zone, not present on the previous film.",
           "Ill-defined airspace shadowing in the {side} mid and lower zones, in keeping with consolidation.",
           "Consolidation at the {side} base, obscuring the {side} hemidiaphragm."],
        i=["{Side} basal consolidation, in keeping with aspiration pneumonia given the history.",
           "{Side} lower zone consolidation - likely infective/aspiration.",
           "{Side} lower lobe pneumonia.",
           "{Side} basal consolidation, consistent with infection in this clinical context."],
        ineg=["The lungs are clear.", "No consolidation.", "No focal consolidation."]),
    "effusion": dict(
        region="pleura", fam="effusion", sided=True, sig=True, notable=True,
        f=["Moderate {side} pleural effusion with a meniscus laterally.",
           "Large {side} pleural effusion occupying the lower half of the {side} hemithorax.",
           "Moderate-sized {side} pleural effusion obscuring the {side} hemidiaphragm.",
           "The {side} pleural effusion has increased in size since the previous film and is now moderate."],
        i=["{Side} pleural effusion.", "{Side} pleural effusion - consider diagnostic aspiration if clinically "
           "indicated.", "Significant {side} pleural effusion."],
        ineg=["No pleural effusion.", "Costophrenic angles clear, no effusion."]),
    "pneumothorax": dict(
        region="pleura", fam="pneumothorax", sided=True, sig=True, notable=True,
        f=["There is a small {side} apical pneumothorax, with a 1.5 cm rim at the apex.",
           "{Side} sided pneumothorax, with the lung edge visible 3 cm from the chest wall at the level of the hilum.",
           "Shallow {side} apical pneumothorax."],
        i=["{Side} pneumothorax. Findings telephoned to the ward FY1 at the time of reporting.",
           "{Side} pneumothorax - discussed with the orthogeriatric registrar.",
           "{Side} apical pneumothorax."],
        ineg=["No pneumothorax.", "No pneumothorax demonstrated."]),
    "oedema": dict(
        region="lungs", fam="oedema", sided=False, sig=True, notable=True,
        f=["Upper lobe venous diversion, Kerley B lines and perihilar haziness in keeping with pulmonary oedema.",
           "Bilateral perihilar airspace shadowing and septal lines, consistent with interstitial and alveolar "
           "oedema.",
           "Pulmonary venous congestion with interstitial oedema."],
        i=["Appearances in keeping with pulmonary oedema/congestive cardiac failure.",
           "Pulmonary oedema - in keeping with fluid overload.",
           "Cardiac failure."],
        ineg=["No pulmonary oedema.", "No radiographic features of cardiac failure."]),
    "bil_effusion": dict(
        region="pleura", fam="effusion", sided=False, sig=True, notable=True,
        f=["Bilateral pleural effusions, moderate on the right and small on the left.",
           "Moderate bilateral pleural effusions, with blunting of both costophrenic angles and fluid tracking "
           "up the lateral chest walls."],
        i=["Bilateral pleural effusions.", "Bilateral pleural effusions in keeping with fluid overload."],
        ineg=["No pleural effusion."]),
    "mass": dict(
        region="lungs", fam="nodule", sided=True, sig=True, notable=True,
        f=["There is a 3 cm rounded mass in the {side} upper zone.",
           "A 4.5 cm spiculated mass projects over the {side} hilum.",
           "Lobulated 35 mm mass in the {side} mid zone."],
        i=["{Side} lung mass, suspicious for malignancy. Recommend CT chest with contrast.",
           "{Side} lung mass - CT thorax advised; please refer via the lung cancer pathway if appropriate.",
           "{Side} lung mass. Further assessment with CT recommended."],
        ineg=["No lung mass."]),
    "nodule": dict(
        region="lungs", fam="nodule", sided=True, sig=True, notable=True,
        f=["A 12 mm nodule projected over the {side} mid zone.",
           "There is a 9 mm rounded opacity in the {side} upper zone, not seen previously.",
           "15 mm nodular opacity at the {side} base."],
        i=["{Side} pulmonary nodule - recommend CT chest.",
           "{Side} lung nodule. CT chest advised.",
           "{Side} lung nodule, further evaluation with CT recommended."],
        ineg=["No pulmonary nodule."]),
    "freegas": dict(
        region="abdomen", fam="freegas", sided=False, sig=True, notable=True,
        f=["Free gas is seen beneath both hemidiaphragms.",
           "There is free intraperitoneal gas under the diaphragm."],
        i=["Pneumoperitoneum - in keeping with a perforated viscus. Surgical team informed by telephone.",
           "Free subdiaphragmatic gas. Urgent surgical review advised."],
        ineg=["No free subdiaphragmatic gas."]),
    "rib_fx": dict(
        region="bones", fam="fracture", sided=True, sig=False, notable=True,
        f=["Acute fractures of the {side} 6th to 8th ribs laterally.",
           "Displaced fracture of the {side} 7th rib posterolaterally.",
           "Undisplaced fractures of the {side} 5th and 6th ribs anterolaterally."],
        i=["Acute {side} rib fractures.", "{Side} rib fractures as described.",
           "Fractures of the {side} ribs."],
        ineg=["No rib fracture identified.", "No acute bony injury."]),
    "ngt_mal": dict(
        region="lines", fam="ngt", sided=True, sig=False, notable=True,
        f=["The NG tube passes into the {side} main bronchus and its tip projects over the {side} lower zone.",
           "The fine-bore NG tube deviates from the midline at the carina and follows the {side} main bronchus."],
        i=["NG tube in the {side} bronchial tree - DO NOT USE. Remove and re-site. Discussed with the nurse in "
           "charge.", "Malpositioned NG tube within the {side} lower lobe bronchus. Not safe to use."],
        ineg=[]),
    "cardiomegaly": dict(
        region="heart", fam="cardiomegaly", sided=False, sig=False, notable=True,
        f=["The heart is enlarged (CTR 0.6).", "Cardiomegaly.", "The heart is enlarged, unchanged.",
           "Mild cardiomegaly."],
        i=["Cardiomegaly.", "Enlarged heart."],
        ineg=["Heart size is normal.", "Normal heart size."]),
    "small_eff": dict(
        region="pleura", fam="effusion", sided=True, sig=False, notable=True,
        f=["Small {side} pleural effusion.", "Blunting of the {side} costophrenic angle, in keeping with a small "
           "effusion."],
        i=["Small {side} pleural effusion.", "Small {side} effusion."],
        ineg=["No pleural effusion."]),
    "collapse": dict(
        region="lungs", fam="collapse", sided=True, sig=False, notable=True,
        f=["Triangular retrocardiac density with loss of the medial {side} hemidiaphragm, in keeping with "
           "{side} lower lobe collapse."],
        i=["{Side} lower lobe collapse.", "{Side} lower lobe collapse - ?mucus plugging."],
        ineg=[]),
    "atelectasis": dict(
        region="lungs", fam="atelectasis", sided=True, sig=False, notable=True,
        f=["Linear atelectasis at the {side} base.", "Plate atelectasis in the {side} lower zone."],
        i=["{Side} basal atelectasis.", "Minor {side} basal atelectasis."],
        ineg=[]),
    "old_tb": dict(
        region="lungs", fam="tb", sided=True, sig=False, notable=False,
        f=["{Side} apical pleural thickening and calcified granulomata, in keeping with old TB.",
           "{Side} upper lobe volume loss with apical scarring and calcification, consistent with previous TB."],
        i=["Old {side} apical TB changes.", "Old {side} upper lobe TB."],
        ineg=[]),
    # incidentals, never sided
    "aorta": dict(region="heart", fam="aorta", sided=False, sig=False, notable=False,
                  f=["The aorta is unfolded.", "Unfolded thoracic aorta with calcification of the aortic knuckle.",
                     "Unfolded aorta."],
                  i=["Unfolded aorta.", "Unfolded thoracic aorta."], ineg=[]),
    "hiatus": dict(region="heart", fam="hiatus", sided=False, sig=False, notable=False,
                   f=["Large hiatus hernia projected behind the heart, containing an air-fluid level.",
                      "Retrocardiac gas-filled structure in keeping with a hiatus hernia."],
                   i=["Hiatus hernia.", "Hiatus hernia noted."], ineg=[]),
    "degen": dict(region="bones", fam="degen", sided=False, sig=False, notable=False,
                  f=["Degenerative change in the thoracic spine and both shoulders.",
                     "Thoracic kyphosis with degenerative change.",
                     "Osteopenic bones with degenerative change in the thoracic spine."],
                  i=["Degenerative changes.", "Degenerative bony changes."], ineg=[]),
    "old_rib": dict(region="bones", fam="oldrib", sided=False, sig=False, notable=False,
                    f=["Old healed rib fractures are noted.", "Healed rib fractures from previous trauma."],
                    i=["Old healed rib fractures."], ineg=[]),
    "copd": dict(region="lungs", fam="copd", sided=False, sig=False, notable=False,
                 f=["The lungs are hyperexpanded, in keeping with COPD.", "Hyperinflated lungs with flattened "
                    "hemidiaphragms, consistent with emphysema."],
                 i=["Hyperexpanded lungs in keeping with COPD.", "Background emphysema."], ineg=[]),
    "sternotomy": dict(region="lines", fam="sternotomy", sided=False, sig=False, notable=False,
                       f=["Median sternotomy wires and prosthetic valve noted.", "Median sternotomy wires."],
                       i=["Post sternotomy."], ineg=[]),
    "ppm": dict(region="lines", fam="ppm", sided=False, sig=False, notable=False,
                f=["Dual-chamber pacemaker in situ with leads in satisfactory position.",
                   "Pacemaker in situ, leads unchanged."],
                i=["Pacemaker in situ."], ineg=[]),
}

NGT_OK_F = ["The NG tube is seen to follow the oesophagus, bisect the carina, cross the diaphragm in the midline "
            "and the tip is clearly visible below the diaphragm.",
            "NG tube descends in the midline, bisects the carina and its tip lies in the expected position of the "
            "stomach, well below the diaphragm.",
            "Fine-bore NG tube in situ, tip projected over the gastric air bubble."]
NGT_OK_I = ["NG tube tip in the stomach. Meets local criteria for use.", "NG tube in satisfactory position.",
            "Satisfactory NG tube position, tip in the stomach."]

FILLERS = {
    "cardiomegaly": ["Heart size is normal.", "The heart is not enlarged.", "Normal heart size.",
                     "Cardiac size is within normal limits."],
    "consolidation": ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "Clear lung fields.",
                      "No focal lung lesion or consolidation."],
    "effusion": ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax seen."],
    "fracture": ["No acute bony injury seen.", "No displaced rib fracture is seen.", "No acute bony abnormality."],
    "oedema": ["No pulmonary oedema.", "No features of cardiac failure."],
}
LUNG_OTHERWISE = ["The lungs are otherwise clear.", "Remainder of the lungs clear.", "Elsewhere the lungs are clear."]
ASSERT = {  # impression assertions of a family the findings deny (for negation_conflict)
    "cardiomegaly": ["Cardiomegaly.", "Enlarged heart."],
    "consolidation": ["{Side} basal consolidation - likely aspiration.", "{Side} lower zone pneumonia."],
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "fracture": ["Acute {side} rib fractures.", "Fractured {side} 7th rib."],
    "oedema": ["Pulmonary oedema.", "Appearances in keeping with cardiac failure."],
}

SCENARIOS = [
    # weight, indications, primary items (weight), chance of a normal primary
    (5, ["Post stroke, NBM, spiking temperature. ?aspiration", "Dense R hemiparesis, unsafe swallow, desaturating. "
         "?aspiration pneumonia", "CVA day 4, wet voice and pyrexia. ?aspiration", "Stroke, coughing on fluids. "
         "?aspiration"],
     {"consolidation": 6, "atelectasis": 2, "collapse": 1, "small_eff": 1}, 0.25),
    (4, ["Fall at home, L chest wall pain. ?rib #", "Unwitnessed fall on ward, tender R ribs", "Fall, "
         "bruising to chest wall. ?rib fractures ?pneumothorax", "Found on floor, chest pain on inspiration"],
     {"rib_fx": 6, "pneumothorax": 2, "old_rib": 1}, 0.3),
    (4, ["SOB, bilateral leg oedema, raised BNP. ?CCF", "Known AF, worsening breathlessness, orthopnoea",
         "Fluid overload ?pulmonary oedema", "Increasing O2 requirement, fine bibasal creps. ?LVF"],
     {"oedema": 4, "bil_effusion": 3, "cardiomegaly": 3, "small_eff": 2, "effusion": 2}, 0.2),
    (4, ["NG tube placement check", "Fine-bore NGT inserted - position?", "NGT check prior to feeding",
         "Re-sited NG tube. Please confirm position"],
     {"ngt_ok": 7, "ngt_mal": 3}, 0.0),
    (4, ["Pre-op, #NOF", "Fractured neck of femur, pre-operative", "#NOF for DHS, pre-op CXR",
         "Pre-op. Hip fracture. Ex-smoker"],
     {"cardiomegaly": 2, "copd": 1, "small_eff": 1}, 0.6),
    (3, ["Productive cough, raised CRP. ?LRTI", "Confusion, ?source of sepsis", "New O2 requirement, febrile",
         "Delirium, raised inflammatory markers ?chest source"],
     {"consolidation": 5, "effusion": 2, "small_eff": 1}, 0.35),
    (2, ["Known old TB. Chronic cough", "Weight loss, ex-smoker. ?malignancy", "Haemoptysis",
         "Follow-up of abnormal CXR"],
     {"old_tb": 3, "mass": 2, "nodule": 2, "copd": 1}, 0.2),
    (1, ["Epigastric pain, vomiting. Known hiatus hernia", "Dysphagia and reflux"],
     {"hiatus": 4}, 0.2),
    (1, ["Acute abdominal pain, ?perforation. Erect CXR", "Post-op day 3 laparotomy, distended, ?free gas"],
     {"freegas": 3}, 0.4),
]
INCIDENTALS = {"aorta": 5, "degen": 4, "hiatus": 2, "old_tb": 1, "copd": 2, "sternotomy": 1, "ppm": 1, "old_rib": 1}
TECH = ["AP semi-erect film, patient slightly rotated.", "Suboptimal inspiration.", "AP portable film.",
        "Patient rotated.", "Limited mobile AP film; heart size difficult to assess."]
NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active disease seen.",
               "No significant abnormality.", "No acute chest pathology.", "No acute change."]
PURE_NORMAL_IMPS = ["Normal chest radiograph.", "Normal CXR.", "No abnormality detected.",
                    "No significant abnormality.", "No acute cardiopulmonary abnormality."]
COMPARISONS = ["None available.", "No previous imaging for comparison.", "CXR 14/03/2023.", "Previous film XXXX.",
               "CXR of 3 days ago.", "XXXX", "Previous CXR dated 02/11/2022.", "None."]
RECS = {"consolidation": ["Suggest follow-up CXR in 6 weeks after treatment to confirm resolution.",
                          "Recommend repeat film in 6-8 weeks to ensure resolution."],
        "effusion": ["Consider ultrasound-guided aspiration if clinically indicated."]}


def wpick(rng, weights):
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def fill(t, side):
    if side is None:
        assert "{side}" not in t.lower(), t
        return t
    return t.replace("{side}", side).replace("{Side}", side.capitalize())


class Case:
    """A composed report: findings sentences with their items, impression items."""

    def __init__(self, rng):
        self.rng = rng
        self.layout = rng.choice(LAYOUTS)
        self.items = []  # (key, side)
        self.tech = None
        self.indication = ""
        self.comparison = None

    def build_findings(self, force_fill=None, avoid_fill=()):
        rng = self.rng
        keys = [k for k, _ in self.items]
        fams = {ITEMS[k]["fam"] for k in keys if k in ITEMS}
        regions = {}
        sents = []  # (text, key or None)
        if self.tech:
            sents.append((self.tech, None))
        order = ["lines", "heart", "lungs", "pleura", "bones", "abdomen"]
        for key, side in self.items:
            if key == "ngt_ok":
                regions.setdefault("lines", []).append((rng.choice(NGT_OK_F), key))
                continue
            it = ITEMS[key]
            regions.setdefault(it["region"], []).append((fill(rng.choice(it["f"]), side), key))
        heart_assessable = not (self.tech and "heart size" in self.tech)
        for reg in order:
            sents += regions.get(reg, [])
            fills = []
            if reg == "heart" and "cardiomegaly" not in fams and heart_assessable:
                fills.append("cardiomegaly")
            if reg == "lungs":
                lung_items = [k for k in keys if k in ITEMS and ITEMS[k]["region"] == "lungs"]
                if not lung_items:
                    fills.append("consolidation")
                elif "oedema" not in keys and "consolidation" not in avoid_fill:
                    if rng.random() < 0.6:
                        sents.append((rng.choice(LUNG_OTHERWISE), None))
            if reg == "pleura":
                if "effusion" not in fams:
                    fills.append("effusion")
                if "pneumothorax" not in fams:
                    fills.append("pneumothorax")
            if reg == "bones" and "fracture" not in fams and "oldrib" not in fams:
                fills.append("fracture")
            for fam in fills:
                if fam in avoid_fill:
                    continue
                if fam == force_fill or rng.random() < 0.7:
                    sents.append((rng.choice(FILLERS[fam]), "fill:" + fam))
        if force_fill and not any(k == "fill:" + force_fill for _, k in sents):
            if force_fill == "oedema" or force_fill == "consolidation" and any(
                    k == "fill:consolidation" for _, k in sents):
                sents.insert(len(sents) - 1 if len(sents) > 1 else 0, (rng.choice(FILLERS[force_fill]),
                                                                       "fill:" + force_fill))
            else:
                sents.append((rng.choice(FILLERS[force_fill]), "fill:" + force_fill))
        self.fsents = sents
        return sents

    def imp_for(self, key, side):
        if key == "ngt_ok":
            return self.rng.choice(NGT_OK_I)
        return fill(self.rng.choice(ITEMS[key]["i"]), side)


def compose_items(rng, allow_sided=True, need_sig=None, one_sided=False, exclude=()):
    """Pick a scenario and its findings. Returns (indication, items, comparison needed)."""
    while True:
        sc = rng.choices(SCENARIOS, [s[0] for s in SCENARIOS])[0]
        _, inds, prim, p_norm = sc
        if need_sig and not any(k in ITEMS and ITEMS[k]["sig"] for k in prim):
            continue
        break
    items = []
    if need_sig:
        choices = {k: w for k, w in prim.items() if k in ITEMS and ITEMS[k]["sig"] and k not in exclude}
        if not choices:
            choices = {k: 1 for k in ITEMS if ITEMS[k]["sig"] and k not in exclude}
        items.append(wpick(rng, choices))
    elif rng.random() >= p_norm:
        items.append(wpick(rng, {k: w for k, w in prim.items() if k not in exclude} or {"aorta": 1}))
        if rng.random() < 0.3:
            extra = wpick(rng, prim)
            both_sig = all(k in ITEMS and ITEMS[k]["sig"] for k in (extra, items[0]))
            both_ngt = {extra, items[0]} >= {"ngt_ok", "ngt_mal"}
            if extra not in items and extra not in exclude and not both_sig and not both_ngt:
                items.append(extra)
    n_inc = rng.choices([0, 1, 2], [4, 4, 2])[0]
    for _ in range(n_inc):
        k = wpick(rng, INCIDENTALS)
        if k not in items and k not in exclude:
            items.append(k)
    # sides: one side for all sided items keeps each case unambiguous
    side = rng.choices(["right", "left"], [6, 4])[0]
    if items and items[0] in ("rib_fx",):
        side = rng.choice(["right", "left"])
    out = []
    for k in items:
        sided = k in ITEMS and ITEMS[k]["sided"]
        out.append((k, side if sided else None))
    if "ngt_ok" in items or "ngt_mal" in items:
        out = [x for x in out if x[0] in ("ngt_ok", "ngt_mal") or x[0] in INCIDENTALS and x[0] != "old_tb"]
    return rng.choice(inds), out


def clean_impression(case, rng, include_incidentals=None):
    notable = [(k, s) for k, s in case.items if k == "ngt_ok" or ITEMS[k]["notable"]]
    inc = [(k, s) for k, s in case.items if k != "ngt_ok" and not ITEMS[k]["notable"]]
    imp = [case.imp_for(k, s) for k, s in notable]
    if include_incidentals is None:
        include_incidentals = rng.random() < 0.5
    if include_incidentals:
        imp += [case.imp_for(k, s) for k, s in inc]
    if not imp:
        pool = NORMAL_IMPS if case.items else PURE_NORMAL_IMPS
        imp = [rng.choice(pool)]
    elif not any(ITEMS.get(k, {}).get("sig") for k, _ in case.items) and rng.random() < 0.3 and \
            not any(k in ("ngt_ok", "ngt_mal") for k, _ in case.items):
        imp.append(rng.choice(["No acute abnormality otherwise.", "No other acute abnormality."]))
    for k, _ in notable:
        fam = ITEMS.get(k, {}).get("fam")
        if k in ("consolidation", "effusion") and rng.random() < 0.35:
            imp.append(rng.choice(RECS[fam]))
            break
    return imp


def finish(case, rng, findings, impression, fmode="ok", imode="ok"):
    irish = rng.random() < 0.3
    comp = case.comparison
    if comp is None:
        comp = rng.choice(COMPARISONS) if rng.random() < 0.75 else ""
    return render(rng, case.layout, None if rng.random() < 0.2 else "", case.indication, comp,
                  findings, impression, signoff(rng, irish), fmode, imode)


def needs_comparison(texts):
    return any(re.search(r"previous|since|new\b|unchanged|increased|stable|not seen previously", t, re.I)
               for t in texts)


def new_case(rng, **kw):
    c = Case(rng)
    c.indication, c.items = compose_items(rng, **kw)
    if rng.random() < 0.25 and not any(k in ("ngt_ok", "ngt_mal") for k, _ in c.items):
        c.tech = rng.choice([t for t in TECH if "AP" not in t] if "PA" in c.layout["exam"] else TECH)
    return c


def set_comparison(case, rng, texts):
    if needs_comparison(texts):
        case.comparison = rng.choice(["CXR 14/03/2023.", "Previous film XXXX.", "CXR of 3 days ago.",
                                      "Previous CXR dated 02/11/2022.", "XXXX"])


def composed_clean(rng):
    c = new_case(rng)
    fs = c.build_findings()
    imp = clean_impression(c, rng)
    ftexts = [t for t, _ in fs]
    set_comparison(c, rng, ftexts + imp)
    names = ", ".join(k for k, _ in c.items) or "normal"
    if rng.random() < 0.06 and c.items:
        # impression-only style: the conclusion describes the findings itself (no FINDINGS header)
        desc = [fill(rng.choice(ITEMS[k]["f"]), s) if k != "ngt_ok" else rng.choice(NGT_OK_F) for k, s in c.items]
        set_comparison(c, rng, desc)
        rep = finish(c, rng, [], desc, fmode="absent")
        return rep, f"composed: clean, impression-only layout ({names})"
    return finish(c, rng, ftexts, imp), f"composed: clean ({names})"


def flip_side(text):
    return SIDE.sub(lambda m: {"left": "right", "right": "left", "Left": "Right", "Right": "Left",
                               "LEFT": "RIGHT", "RIGHT": "LEFT"}[m.group(0)], text)


def composed_laterality(rng):
    while True:
        c = new_case(rng)
        sided = [(k, s) for k, s in c.items if s and ITEMS[k]["notable"]]
        if len(sided) != 1:
            continue
        if any(k in ("ngt_ok", "ppm") or (s and (k, s) != sided[0]) for k, s in c.items):
            continue
        break
    key, side = sided[0]
    fs = c.build_findings()
    imp = clean_impression(c, rng)
    target_imp = c.imp_for(key, side)
    # make sure the impression carries the sided item exactly once
    imp = [x for x in imp if not SIDE.search(x)]
    imp.insert(0, target_imp)
    ftexts = [t for t, _ in fs]
    set_comparison(c, rng, ftexts + imp)
    if rng.random() < 0.5:
        idx = next(j for j, (_, k) in enumerate(fs) if k == key)
        old = ftexts[idx]
        ftexts[idx] = flip_side(old)
        det = f"composed: findings side flipped in '{ftexts[idx]}' (impression keeps {side}: '{imp[0]}')"
    else:
        old = imp[0]
        imp[0] = flip_side(old)
        det = f"composed: impression side flipped in '{imp[0]}' (findings keep {side})"
    return finish(c, rng, ftexts, imp), det


def composed_negation(rng):
    if rng.random() < 0.5:
        # impression asserts what the findings deny
        fam = rng.choice(list(ASSERT))
        while True:
            c = new_case(rng, exclude=("ngt_ok", "ngt_mal"))
            fams = {ITEMS[k]["fam"] for k, _ in c.items if k in ITEMS}
            keys = {k for k, _ in c.items}
            bad = {"cardiomegaly": {"cardiomegaly"}, "consolidation": {"consolidation", "oedema", "collapse",
                                                                          "atelectasis", "nodule"},
                   "effusion": {"effusion"}, "pneumothorax": {"pneumothorax"}, "fracture": {"fracture", "oldrib"},
                   "oedema": {"oedema", "consolidation"}}[fam]
            if fams & bad or (fam == "cardiomegaly" and c.tech and "heart" in c.tech):
                continue
            if fam == "consolidation" and keys & {"copd", "old_tb"}:
                continue
            break
        fs = c.build_findings(force_fill=fam)
        ftexts = [t for t, _ in fs]
        denial = next(t for t, k in fs if k == "fill:" + fam)
        sides = {s for _, s in c.items if s}
        side = next(iter(sides)) if sides else rng.choice(["right", "left"])
        claim = fill(rng.choice(ASSERT[fam]), side)
        others = [c.imp_for(k, s) for k, s in c.items if ITEMS[k]["notable"]]
        imp = [claim] + others
        set_comparison(c, rng, ftexts + imp)
        return finish(c, rng, ftexts, imp), f"composed: impression asserts '{claim}' but findings say '{denial}'"
    # impression denies what the findings affirm
    while True:
        c = new_case(rng)
        cands = [(k, s) for k, s in c.items if k in ITEMS and ITEMS[k]["ineg"] and ITEMS[k]["notable"]]
        if cands:
            break
    key, side = rng.choice(cands)
    fs = c.build_findings()
    ftexts = [t for t, _ in fs]
    aff = next(t for t, k in fs if k == key)
    denial = rng.choice(ITEMS[key]["ineg"])
    fam = ITEMS[key]["fam"]
    others = [c.imp_for(k, s) for k, s in c.items if k != key and (k == "ngt_ok" or ITEMS[k]["notable"])
              and not (ITEMS.get(k, {}).get("fam") == fam)]
    if denial.startswith("The lungs are clear") and any(ITEMS.get(k, {}).get("region") == "lungs"
                                                        for k, _ in c.items if k != key):
        denial = "No consolidation."
    imp = others + [denial] if others and rng.random() < 0.5 else [denial] + others
    set_comparison(c, rng, ftexts + imp)
    return finish(c, rng, ftexts, imp), f"composed: findings affirm '{aff}' but impression says '{denial}'"


def composed_omission(rng):
    normal = rng.random() < 0.5
    while True:
        c = new_case(rng, need_sig=True)
        sig = [(k, s) for k, s in c.items if ITEMS[k]["sig"]]
        if len(sig) != 1:
            continue
        key, side = sig[0]
        others = [(k, s) for k, s in c.items if k != key]
        if normal and any(ITEMS[k]["notable"] for k, _ in others):
            continue
        break
    if not normal and not others:
        k = rng.choice(["aorta", "degen", "hiatus", "cardiomegaly", "copd"])
        if key == "oedema" and k == "copd":
            k = "aorta"
        c.items.append((k, None))
        others = [(k, None)]
    fs = c.build_findings()
    ftexts = [t for t, _ in fs]
    aff = next(t for t, k in fs if k == key)
    if normal:
        imp = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                           "No significant abnormality.", "Normal chest radiograph.", "No active disease."])]
        det = f"composed: findings affirm '{aff}'; impression replaced by a normal statement"
    else:
        imp = [c.imp_for(k, s) for k, s in others]
        det = f"composed: findings affirm '{aff}'; impression lists only the other findings"
    set_comparison(c, rng, ftexts)
    return finish(c, rng, ftexts, imp), det


PLACEHOLDERS_SIDE = ["[side]", "[***]", "<<side>>", "[ ]", "***", "[left/right]"]
PLACEHOLDERS_WORD = ["[***]", "[ ]", "***", "<<insert>>", "[...]", "[finding]"]
PLACEHOLDERS_SIZE = ["<<size>>", "[***]", "[ ]", "[small/moderate/large]", "***"]
PLACEHOLDERS_NUM = ["XX", "[XX]", "<<size>>", "__"]


def put_placeholder(text, rng):
    """Replace one word of text with an unfilled template field. Returns (new, what) or None."""
    opts = []
    m = re.search(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", text)
    if m:
        opts.append((m, rng.choice(PLACEHOLDERS_NUM)))
    m = re.search(r"\b(small|moderate|large|mild|minor|shallow)\b", text, re.I)
    if m:
        opts.append((m, rng.choice(PLACEHOLDERS_SIZE)))
    m = SIDE.search(text)
    if m:
        opts.append((m, rng.choice(PLACEHOLDERS_SIDE)))
    m = re.search(r"\b(normal|clear|unremarkable|satisfactory|enlarged|unfolded|stomach)\b", text, re.I)
    if m:
        ph = "[normal/enlarged]" if m.group(0).lower() in ("normal", "enlarged") and re.search(
            r"heart|cardiac", text, re.I) else rng.choice(PLACEHOLDERS_WORD)
        opts.append((m, ph))
    if not opts:
        return None
    m, ph = rng.choice(opts)
    return text[: m.start()] + ph + text[m.end():], f"'{m.group(0)}' -> '{ph}'"


def composed_placeholder(rng):
    c = new_case(rng)
    fs = c.build_findings()
    ftexts = [t for t, _ in fs]
    imp = clean_impression(c, rng)
    set_comparison(c, rng, ftexts + imp)
    for _ in range(20):
        if rng.random() < 0.65:
            j = rng.randrange(len(ftexts))
            r = put_placeholder(ftexts[j], rng)
            if r:
                ftexts[j] = r[0]
                return finish(c, rng, ftexts, imp), f"composed: findings {r[1]} in '{r[0]}'"
        else:
            j = rng.randrange(len(imp))
            r = put_placeholder(imp[j], rng)
            if r:
                imp[j] = r[0]
                return finish(c, rng, ftexts, imp), f"composed: impression {r[1]} in '{r[0]}'"
    # template field left in: a measurement nobody filled in
    ftexts.append(rng.choice(["Cardiothoracic ratio: [***].", "CTR: XX.", "NG tube tip lies XX cm below the "
                                                                          "diaphragm."]))
    return finish(c, rng, ftexts, imp), f"composed: template field left in '{ftexts[-1]}'"


MISSING_MODES = ["f_empty", "f_empty", "i_empty", "i_sig", "i_absent"]


def apply_missing(rng, findings, impression):
    mode = rng.choice(MISSING_MODES)
    fmode, imode = {"f_empty": ("empty", "ok"), "i_empty": ("ok", "empty"), "i_sig": ("ok", "sig"),
                    "i_absent": ("ok", "absent")}[mode]
    what = {"f_empty": "FINDINGS header kept with nothing under it", "i_empty": "IMPRESSION header kept empty",
            "i_sig": "IMPRESSION header with only the signature under it", "i_absent": "IMPRESSION section removed"}
    return fmode, imode, what[mode]


def composed_missing(rng):
    c = new_case(rng)
    fs = c.build_findings()
    ftexts = [t for t, _ in fs]
    imp = clean_impression(c, rng)
    set_comparison(c, rng, ftexts + imp)
    fmode, imode, what = apply_missing(rng, ftexts, imp)
    return finish(c, rng, ftexts, imp, fmode, imode), f"composed: {what}"


# --------------------------------------------------------------------------------------------------
# IU-based cases
# --------------------------------------------------------------------------------------------------

IU_EXAMS = ["XR CHEST PA AND LATERAL", "CXR PA + lateral", "Chest X-ray, PA and lateral", "XR Chest 2 views"]
UK_IND = [(r"\bXXXX-year-old (male|female|man|woman)\b", r"XXXX-year-old \1")]


def iu_render(rng, r, findings, impression, fmode="ok", imode="ok"):
    layout = rng.choice(LAYOUTS)
    ind = uk(r["indication"]) or rng.choice(["Not stated.", ""])
    comp = uk(r["comparison"])
    if not comp or comp.lower().strip(". ") in ("none", "no comparison", "none available"):
        comp = rng.choice(["None available.", "No previous imaging for comparison.", "None."])
    exam = rng.choice(IU_EXAMS) if layout["exam"] else None
    irish = rng.random() < 0.3
    return render(rng, layout, exam, ind, comp, findings, impression, signoff(rng, irish), fmode, imode)


def iu_sents(text):
    return sentences(uk(text))


def strip_num(items):
    return [re.sub(r"^\d\.\s*", "", x).strip() for x in items if re.sub(r"^\d\.\s*", "", x).strip()]


def iu_clean(rng, r):
    f, i = iu_sents(r["findings"]), strip_num(iu_sents(r["impression"]))
    return iu_render(rng, r, f, i), f"IU {r['uid']}: clean; re-laid out with UK headers/spelling and a sign-off"


def iu_missing(rng, r):
    f, i = iu_sents(r["findings"]), strip_num(iu_sents(r["impression"]))
    fmode, imode, what = apply_missing(rng, f, i)
    return iu_render(rng, r, f, i, fmode, imode), f"IU {r['uid']}: re-laid out; {what}"


def side_sents(text, side):
    return [s for s in sentences(text) if re.search(rf"\b{side}\b", s, re.I)]


def affirmed(s):
    return not re.search(r"\b(no|not|without|negative|resolved|normal|clear)\b", s, re.I)


@memo
def lat_candidate(r):
    if not iu_consistent(r):
        return None
    f, i = uk(r["findings"]), uk(r["impression"])
    fs = {m.lower() for m in SIDE.findall(f)}
    is_ = {m.lower() for m in SIDE.findall(i)}
    if len(fs) != 1 or fs != is_:
        return None
    side = next(iter(fs))
    fss, iss = side_sents(f, side), side_sents(i, side)
    if not fss or not iss or not all(affirmed(s) for s in fss + iss):
        return None
    if re.search(r"\b(bilateral|both|bibasal)\b", f + " " + i, re.I):
        return None
    if re.search(r"atri|ventric|middle lobe|lingul|jugular|subclavian|catheter|PICC|port\b", f + " " + i, re.I):
        return None
    if not any(re.search(FAM[x], s, re.I) for s in iss for x in FAM) and not re.search(
            r"lobe|base|apex|apical|hemidiaphragm|lung|hilum|hilar|zone", " ".join(iss), re.I):
        return None
    return side, len(fss), len(iss)


def iu_laterality(rng, r, info):
    side, nf, ni = info
    f, i = iu_sents(r["findings"]), strip_num(iu_sents(r["impression"]))
    in_imp = ni == 1 and (nf != 1 or rng.random() < 0.5)
    if not in_imp and nf != 1:
        in_imp = True
    if in_imp:
        j = next(k for k, s in enumerate(i) if re.search(rf"\b{side}\b", s, re.I))
        i[j] = flip_side(i[j])
        det = f"impression side flipped to '{i[j]}' (findings keep {side})"
    else:
        j = next(k for k, s in enumerate(f) if re.search(rf"\b{side}\b", s, re.I))
        f[j] = flip_side(f[j])
        det = f"findings side flipped to '{f[j]}' (impression keeps {side})"
    return iu_render(rng, r, f, i), f"IU {r['uid']}: re-laid out; {det}"


NEG_FOR = {"effusion": ["No pleural effusion."], "pneumothorax": ["No pneumothorax."],
           "consolidation": ["The lungs are clear.", "No consolidation."],
           "oedema": ["No pulmonary oedema."], "cardiomegaly": ["Heart size is normal.", "Normal heart size."]}
BROAD = {"effusion": r"effusion|pleural|costophrenic", "pneumothorax": r"pneumothora",
         "consolidation": r"consolidat|air ?space|infiltrat|pneumonia|opacit|atelecta|lung|follow|resolution|treat",
         "oedema": r"o?edema|congest|failure|interstitial|vascular|ccf|chf|kerley|fluid",
         "cardiomegaly": r"cardiomegaly|enlarge|heart|cardiac|silhouette"}


def aff_sentence(r, fam):
    """First plainly affirmed findings sentence for fam, or None."""
    for s in sentences(uk(r["findings"])):
        if fam_status(s, fam) == "aff":
            if fam == "effusion" and re.search(r"small|trace|tiny|minimal|blunting|stable|unchanged|chronic", s,
                                               re.I):
                continue
            if re.search(r"\b(stable|unchanged|chronic|old|healed|scar)", s, re.I) and fam != "cardiomegaly":
                continue
            return s
        st = fam_status(re.sub(r"\b(likely|probabl[ey]|compatible with|consistent with)\b", "", s), fam)
        if st == "aff" and fam in ("consolidation", "oedema", "pneumothorax") and not re.search(
                r"\b(stable|unchanged|chronic|old|healed|scar|small|trace|tiny|minimal)", s, re.I):
            return s
    return None


@memo
def neg_b_candidate(r):
    if not iu_consistent(r):
        return None
    ai = analyse(uk(r["impression"]))
    for fam in ["effusion", "pneumothorax", "consolidation", "oedema", "cardiomegaly"]:
        s = aff_sentence(r, fam)
        if s and ai[fam] & {"aff", "amb"}:
            return fam, s
    return None


@memo
def neg_a_candidate(r):
    if not iu_consistent(r) or not is_normal_imp(uk(r["impression"])):
        return None
    f = uk(r["findings"])
    af = analyse(f)
    opts = []
    for fam in ["effusion", "pneumothorax", "consolidation", "cardiomegaly"]:
        if af[fam] == {"neg"} and not any(af[x] & {"aff", "amb"} for x in FAM):
            den = next(s for s in sentences(f) if fam_status(s, fam) == "neg")
            opts.append((fam, den))
    return opts or None


def iu_negation(rng, r, info, mode):
    f, i = iu_sents(r["findings"]), strip_num(iu_sents(r["impression"]))
    if mode == "a":
        fam, den = rng.choice(info)
        claim = fill(rng.choice(ASSERT[fam]), rng.choice(["right", "left"]))
        i = [claim]
        det = f"impression replaced by '{claim}' although findings say '{den}'"
    else:
        fam, aff = info
        keep = [x for x in i if not re.search(BROAD[fam], x, re.I)]
        denial = rng.choice(NEG_FOR[fam])
        i = keep + [denial] if keep and rng.random() < 0.5 else [denial] + keep
        det = f"impression now says '{denial}' although findings affirm '{aff}'"
    return iu_render(rng, r, f, i), f"IU {r['uid']}: re-laid out; {det}"


INCIDENTAL = re.compile(r"degenerat|spondylo|granulom|unfolded|calcif|hiatal|hiatus|sternotomy|kyphosis|"
                        r"osteopen|cardiomegaly|emphysema|hyperinflat|hyperexpan|scoliosis|atheroscler|low lung volume|"
                        r"hypoinflat|tortuous|elevat|heart is enlarged|heart size is enlarged|sternotomy|clips|"
                        r"catheter|pacemaker|kyphosis|hilar", re.I)


@memo
def omit_candidate(r):
    if not iu_consistent(r):
        return None
    for fam in ["pneumothorax", "consolidation", "oedema", "effusion", "widened", "freeair"]:
        s = aff_sentence(r, fam)
        if s and re.search(r"cleared|resolv|atelecta|scar|fibros|chronic", s + " " + r["impression"], re.I):
            continue
        if s:
            rest = [x for x in strip_num(iu_sents(r["impression"])) if not re.search(
                BROAD.get(fam, FAM[fam]) + r"|recommend|follow|resolution|treatment|acute|infect|aspiration", x,
                re.I)]
            rest = [x for x in rest if not NORMAL_IMP.search(x) and analyse(x)[fam] == set()]
            if not rest:
                # otherwise list the minor findings the report also describes
                rest = [x for x in sentences(uk(r["findings"])) if INCIDENTAL.search(x) and not re.search(
                    BROAD.get(fam, FAM[fam]) + r"|\b(no|not|without|normal)\b", x, re.I) and not any(
                    analyse(x)[g] & {"aff", "amb"} for g in SIG)][:2]
            # the remaining items must not still speak of the omitted finding or of the same place
            return fam, s, rest
    return None


def iu_omission(rng, r, info, normal):
    fam, aff, rest = info
    f = iu_sents(r["findings"])
    if normal or not rest:
        i = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.", "No active disease.",
                         "Normal chest radiograph.", "No significant abnormality."])]
        det = f"findings affirm '{aff}'; impression replaced by the normal statement '{i[0]}'"
    else:
        i = rest
        det = f"findings affirm '{aff}'; impression keeps only the other findings: '{' '.join(rest)}'"
    return iu_render(rng, r, f, i), f"IU {r['uid']}: re-laid out; {det}"


def iu_placeholder(rng, r):
    f, i = iu_sents(r["findings"]), strip_num(iu_sents(r["impression"]))
    for _ in range(30):
        in_f = rng.random() < 0.65
        arr = f if in_f else i
        j = rng.randrange(len(arr))
        if "XXXX" in arr[j]:
            continue
        res = put_placeholder(arr[j], rng)
        if res:
            arr[j] = res[0]
            where = "findings" if in_f else "impression"
            return iu_render(rng, r, f, i), f"IU {r['uid']}: re-laid out; {where} {res[1]} in '{res[0]}'"
    return None


# --------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------

# IU reports whose two sections disagree in ways the filters above do not see (read and dropped by hand)
IU_BLOCK = {"CXR695"}


def build(seed):
    rng = random.Random(f"h133-{seed}")
    reports, dev = load_iu()
    pool = [r for r in reports if r["uid"] not in dev and r["uid"] not in IU_BLOCK]
    rng.shuffle(pool)
    used = set()
    rows = []

    def take(pred, n, strict=True):
        got = []
        for r in pool:
            if len(got) == n:
                break
            if r["uid"] in used:
                continue
            info = pred(r)
            if info:
                used.add(r["uid"])
                got.append((r, info))
        if len(got) < n and strict:
            raise RuntimeError(f"not enough IU reports for {pred.__name__}")
        return got

    half = N_KIND // 2
    # scarce pools first
    omit_n = take(lambda r: (lambda c: c if c and c[2] else None)(omit_candidate(r)), half // 2, strict=False)
    lat = take(lat_candidate, half)
    omit_r = take(omit_candidate, half - len(omit_n))
    negb = take(neg_b_candidate, half // 2)
    nega = take(neg_a_candidate, half - half // 2)
    clean_pred = iu_consistent
    miss = take(clean_pred, half)
    ph = take(clean_pred, half + 5)
    clean_abn = take(lambda r: iu_consistent(r) and not is_normal_imp(uk(r["impression"])), 35)
    clean_norm = take(clean_pred, N_CLEAN // 2 - 35)

    for r, _ in clean_abn + clean_norm:
        rep, det = iu_clean(rng, r)
        rows.append((None, det, rep))
    for r, _ in miss:
        rep, det = iu_missing(rng, r)
        rows.append(("missing_section", det, rep))
    for r, info in lat:
        rep, det = iu_laterality(rng, r, info)
        rows.append(("laterality_conflict", det, rep))
    for r, info in negb:
        rep, det = iu_negation(rng, r, info, "b")
        rows.append(("negation_conflict", det, rep))
    for r, info in nega:
        rep, det = iu_negation(rng, r, info, "a")
        rows.append(("negation_conflict", det, rep))
    # omission: half listing the other findings, half replaced by a normal statement
    for r, info in omit_n:
        rep, det = iu_omission(rng, r, info, normal=False)
        rows.append(("impression_omits_finding", det, rep))
    for r, info in omit_r:
        rep, det = iu_omission(rng, r, info, normal=True)
        rows.append(("impression_omits_finding", det, rep))
    n_ph = 0
    for r, _ in ph:
        if n_ph == half:
            used.discard(r["uid"])
            continue
        out = iu_placeholder(rng, r)
        if out:
            rows.append(("placeholder", out[1], out[0]))
            n_ph += 1
        else:
            used.discard(r["uid"])
    if n_ph < half:
        raise RuntimeError("not enough IU placeholder cases")

    makers = {None: composed_clean, "missing_section": composed_missing, "laterality_conflict": composed_laterality,
              "negation_conflict": composed_negation, "impression_omits_finding": composed_omission,
              "placeholder": composed_placeholder}
    seen = set()
    for kind, n in [(None, N_CLEAN // 2)] + [(k, half) for k in KINDS]:
        made = 0
        while made < n:
            rep, det = makers[kind](rng)
            body = rep.split("\n", 3)[-1]
            if body in seen:
                continue
            seen.add(body)
            rows.append((kind, det, rep))
            made += 1

    rng.shuffle(rows)
    return [{"id": f"h133-{seed}-{k}", "injected": kind, "detail": det, "report": rep}
            for k, (kind, det, rep) in enumerate(rows)]


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
            ex = [r for r in rows if r["injected"] == kind]
            comp = [r for r in ex if not r["detail"].startswith("IU ")][: a.show]
            iu_ = [r for r in ex if r["detail"].startswith("IU ")][: a.show]
            for r in comp + iu_:
                print(f"===== {kind or 'clean'} | {r['id']} | {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
