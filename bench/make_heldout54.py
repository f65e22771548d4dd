"""Held-out report-check set 54: everyday chest lists of private hospital groups in Asia and the Gulf.

Written BLIND: without reading the checker, its tests, its docs or any other generator. Only the
scorer's format, the eval README, the Open-i IU archive and the dev set's `uid` field were used.

Styles (all plain English reporting, several readers per style):
  gulf_op      -- Gulf private hospital outpatient template: header block, bulleted findings.
  gulf_visa    -- pre-employment / residence-visa medical, TB-screening conclusion.
  my_clinic    -- Malaysian private hospital: prose findings with CTR, "Impression:".
  ph_roentgen  -- Philippine "roentgenological report": prose, "essentially normal chest", PTB wording.
  hk_terse     -- Hong Kong private: terse lines ("Heart size normal."), "Conclusion:" or "Impression:".
  ward_ap      -- inpatient mobile AP film from any of the groups.

Half of every group is composed from the phrase bank below, half is a real IU report (dev uids
excluded) re-laid-out in one of the styles with light re-wording.  Each injected report carries exactly
one error, verified in code.

usage: python -m bench.make_heldout54 OUT.jsonl --seed S [--show N]
"""

# ruff: noqa: E501  (long phrase-bank lines are kept whole for reading)
from __future__ import annotations

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
STYLES = ["gulf_op", "gulf_visa", "my_clinic", "ph_roentgen", "hk_terse", "ward_ap"]
BRITISH = {"my_clinic", "hk_terse", "gulf_visa"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        sys.stderr.write(f"shared data not found at {p}; set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return p


# ----------------------------------------------------------------------------------------------
# phrase bank
# ----------------------------------------------------------------------------------------------

# normal lines: (category, text, groups it rules out)
LUNG_ALL = {"consolidation", "nodule", "mass", "edema", "tb_active", "tb_old", "collapse", "granuloma",
            "bronchitic", "pneumothorax"}
NORMAL_LINES = {
    "lungs": [
        ("Both lung fields are clear.", LUNG_ALL),
        ("The lungs are clear.", LUNG_ALL),
        ("Bilateral lung fields are clear.", LUNG_ALL),
        ("No focal consolidation or collapse is seen.", LUNG_ALL),
        ("No active lung lesion is seen.", LUNG_ALL),
        ("The lungs are well expanded and clear.", LUNG_ALL),
        ("No focal lung opacity.", LUNG_ALL),
    ],
    "pleura": [
        ("Both costophrenic angles are sharp.", {"effusion"}),
        ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
        ("Both CP angles are clear.", {"effusion"}),
        ("The costophrenic sulci are intact.", {"effusion"}),
        ("No pleural effusion.", {"effusion"}),
        ("No pneumothorax.", {"pneumothorax"}),
    ],
    "heart": [
        ("Heart size is within normal limits.", {"cardiomegaly"}),
        ("The heart is not enlarged.", {"cardiomegaly"}),
        ("Cardiac size is normal (CTR {ctr_n}).", {"cardiomegaly"}),
        ("Cardiomediastinal silhouette is normal.", {"cardiomegaly", "mass"}),
        ("The heart is normal in size and configuration.", {"cardiomegaly"}),
    ],
    "mediast": [
        ("Mediastinum is central and not widened.", set()),
        ("Trachea is central. Both hila are normal.", {"mass"}),
        ("Hilar shadows are unremarkable.", {"mass"}),
    ],
    "diaphragm": [
        ("Both hemidiaphragms are smooth and normally sited.", {"elevated_hd", "effusion", "collapse", "hyperinflation"}),
        ("Both domes of diaphragm are normal in position and outline.", {"elevated_hd", "effusion", "collapse", "hyperinflation"}),
        ("No free air under the diaphragm.", set()),
    ],
    "bones": [
        ("The visualised bony thorax is intact.", {"rib_fx"}),
        ("No bony abnormality is seen.", {"rib_fx", "spondylosis"}),
        ("Osseous structures and soft tissues are unremarkable.", {"rib_fx", "spondylosis"}),
        ("Visualised bones are unremarkable.", {"rib_fx", "spondylosis"}),
    ],
}
OTHERWISE_LUNGS = ["The rest of the lung fields are clear.", "Lungs are otherwise clear.",
                   "No other focal lung lesion.", "The remaining lung parenchyma is clear."]

# finding bank. sig: significant per spec (impression must carry it)
F = {
    "consolidation": dict(sided=True, sig=True, f=[
        "Patchy air-space opacity is seen in the {side} lower zone, suggestive of consolidation.",
        "There is consolidation in the {side} lower lobe with air bronchograms.",
        "Ill-defined inhomogeneous opacities are noted in the {side} mid and lower zones.",
        "Patchy consolidation is present in the {side} lower zone, obscuring the {side} hemidiaphragm.",
        "Airspace shadowing in the {side} mid zone.",
    ], i=[
        "{Side} lower zone consolidation, likely infective.",
        "Features suggestive of {side} lower lobe pneumonia.",
        "{Side} sided pneumonia. Suggest follow-up radiograph after treatment.",
        "Consolidation in the {side} lung - ?infective. Clinical correlation advised.",
        "{Side} lower zone pneumonic consolidation.",
    ]),
    "effusion": dict(sided=True, sig=True, f=[
        "Moderate {side} pleural effusion with a meniscus.",
        "There is a moderate-sized {side} pleural effusion obscuring the {side} hemidiaphragm.",
        "Large {side} pleural effusion occupying the lower half of the {side} hemithorax.",
        "Homogeneous opacity at the {side} base with a meniscus, in keeping with a moderate pleural effusion.",
    ], i=[
        "Moderate {side} pleural effusion.",
        "{Side} pleural effusion, moderate in size.",
        "{Side} pleural effusion; ultrasound-guided tapping may be considered if clinically indicated.",
        "Significant {side} pleural effusion.",
    ]),
    "small_effusion": dict(sided=True, sig=False, group="effusion", f=[
        "Blunting of the {side} costophrenic angle, suggestive of a small pleural effusion.",
        "Small {side} pleural effusion.",
        "Minimal blunting of the {side} CP angle.",
    ], i=["Small {side} pleural effusion.", "Minimal {side} pleural effusion / thickening."]),
    "pneumothorax": dict(sided=True, sig=True, f=[
        "A {side} apical pneumothorax is seen, the lung edge about {cm} cm from the chest wall.",
        "{Side} pneumothorax with a visible visceral pleural line. No mediastinal shift.",
        "There is a {side} sided pneumothorax with partial collapse of the {side} lung.",
    ], i=["{Side} pneumothorax.", "{Side} apical pneumothorax. Clinical team informed.",
          "{Side} sided pneumothorax - urgent clinical attention."]),
    "nodule": dict(sided=True, sig=True, f=[
        "A {mm} mm nodular opacity is seen in the {side} mid zone.",
        "Well-defined rounded opacity measuring about {mm} mm in the {side} upper zone.",
        "A solitary {mm} mm nodule projects over the {side} lower zone.",
    ], i=["{Side} lung nodule ({mm} mm). CT thorax is recommended for further evaluation.",
          "Solitary pulmonary nodule on the {side}; further evaluation with CT advised.",
          "{Side} pulmonary nodule - suggest CT chest."]),
    "mass": dict(sided=True, sig=True, f=[
        "A lobulated soft-tissue mass measuring approximately {cmm} cm is seen in the {side} hilar region.",
        "There is a large mass lesion in the {side} upper zone, about {cmm} cm in diameter.",
    ], i=["{Side} hilar mass, suspicious for neoplasm. CT thorax recommended.",
          "{Side} upper zone mass lesion - further assessment with contrast CT suggested."]),
    "collapse": dict(sided=True, sig=True, f=[
        "There is collapse of the {side} lower lobe, with a triangular opacity and loss of the {side} hemidiaphragm outline.",
        "Volume loss with a dense triangular opacity at the {side} base, in keeping with {side} lower lobe collapse.",
    ], i=["{Side} lower lobe collapse.", "Collapse of the {side} lower lobe; suggest bronchoscopy if persistent."]),
    "tb_active": dict(sided=True, sig=True, f=[
        "Patchy opacities with a thin-walled cavity are seen in the {side} upper zone.",
        "Fibro-nodular and patchy confluent opacities in the {side} upper zone with a small cavity.",
    ], i=["{Side} upper zone cavitating consolidation, suspicious for active pulmonary tuberculosis. Suggest sputum AFB.",
          "Findings suggestive of active pulmonary tuberculosis, {side} upper lobe; correlate with sputum studies."]),
    "edema": dict(sided=False, sig=True, f=[
        "Upper lobe blood diversion with bilateral perihilar haziness and Kerley B lines, consistent with pulmonary {oedema}.",
        "Bilateral perihilar alveolar opacities with upper lobe venous distension, in keeping with pulmonary congestion.",
    ], i=["Pulmonary {oedema}, likely cardiogenic.", "Features of fluid overload / pulmonary congestion."]),
    "cardiomegaly": dict(sided=False, sig=False, f=[
        "The heart is enlarged, CTR {ctr_b}.", "Cardiomegaly is noted (CTR {ctr_b}).",
        "The cardiac silhouette is enlarged.",
    ], i=["Cardiomegaly.", "Cardiomegaly; suggest echocardiographic correlation.", "Enlarged cardiac shadow."]),
    "tb_old": dict(sided=True, sig=False, f=[
        "Fibrotic strands and calcific densities are seen in the {side} upper zone.",
        "Linear fibrotic opacities with mild volume loss at the {side} apex.",
    ], i=["Fibrocalcific changes in the {side} upper zone, likely old healed tuberculosis. No radiological sign of active disease.",
          "PTB, {side} upper lobe, probably inactive (old healed); comparison with previous films suggested."]),
    "granuloma": dict(sided=True, sig=False, f=["A {mms} mm calcified granuloma in the {side} mid zone.",
                                              "Small calcified granuloma projected over the {side} upper zone."],
                      i=["Calcified granuloma, {side} lung.", "{Side} calcified granuloma, of no clinical significance."]),
    "aorta": dict(sided=False, sig=False, f=["Unfolded aorta with calcification of the aortic knuckle.",
                                             "Atheromatous aortic arch."],
                  i=["Aortic atherosclerosis.", "Unfolded, atheromatous aorta."]),
    "spondylosis": dict(sided=False, sig=False, f=["Degenerative osteophytes are seen in the thoracic spine.",
                                                   "Mild spondylotic changes of the thoracic spine."],
                        i=["Thoracic spondylosis.", "Degenerative changes of the thoracic spine."]),
    "rib_fx": dict(sided=True, sig=False, f=["Old healed fracture of the {side} {nth} rib laterally."],
                   i=["Old healed {side} {nth} rib fracture."]),
    "elevated_hd": dict(sided=True, sig=False, f=["The {side} hemidiaphragm is elevated.",
                                                  "Elevated {side} hemidiaphragm."],
                        i=["Elevated {side} hemidiaphragm."]),
    "pleural_thick": dict(sided=True, sig=False, f=["{Side} apical pleural thickening."],
                          i=["{Side} apical pleural thickening."]),
    "bronchitic": dict(sided=False, sig=False, f=["Increased bronchovascular markings in both lower zones.",
                                                  "Prominent bronchovascular markings with peribronchial thickening."],
                       i=["Bronchitic changes.", "Features suggestive of small airway disease; clinical correlation."]),
    "hyperinflation": dict(sided=False, sig=False, f=["Both lungs are hyperinflated with flattened hemidiaphragms."],
                           i=["Hyperinflated lungs, suggestive of COPD."]),
}
SIG_KEYS = [k for k, v in F.items() if v["sig"]]
MINOR_KEYS = [k for k, v in F.items() if not v["sig"]]

# words that name a finding in any wording (for omission/negation checks)
SYN = {
    "consolidation": r"consolidat|pneumon|air.?space|opacit|infect|infiltr|shadow|LRTI|densit|lobe",
    "effusion": r"effusion|fluid|pleura|costophrenic|CP angle|blunt|hydrothorax|meniscus",
    "pneumothorax": r"pneumothora|PTX|pleural (air|edge|line)|lung edge|collaps",
    "nodule": r"nodul|lesion|mass|opacit|densit|\bCT\b|neoplas|malignan|granulom|coin",
    "mass": r"nodul|lesion|mass|opacit|densit|\bCT\b|neoplas|malignan|tumou?r|hil",
    "edema": r"o?edema|congest|failure|overload|venous|kerley|CCF|fluid|interstitial|perihilar",
    "collapse": r"collaps|atelecta|volume loss|opacit|lobe|consolidat",
    "tb_active": r"tubercul|\bTB\b|PTB|cavit|consolidat|opacit|infect|AFB|granulom|koch",
    "cardiomegaly": r"cardiomegal|heart|cardiac|CTR|cardiothoracic",
}

NEG_IMP = {  # impression sentences that plainly rule a group out
    "effusion": ["No pleural effusion.", "No pleural effusion or pneumothorax."],
    "pneumothorax": ["No pneumothorax.", "No pleural effusion or pneumothorax."],
    "consolidation": ["Lungs are clear.", "No consolidation.", "Clear lungs."],
    "cardiomegaly": ["Heart size is normal.", "No cardiomegaly.", "Normal heart size."],
    "edema": ["No pulmonary {oedema}.", "No features of heart failure."],
    "nodule": ["No focal lung lesion.", "Lungs are clear."],
    "collapse": ["Lungs are clear.", "No collapse or consolidation."],
}
NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No significant abnormality detected.",
              "Normal chest X-ray.", "No active lung lesion.", "Unremarkable chest radiograph.",
              "No acute cardiopulmonary abnormality seen.", "Normal study."]
PH_NORMAL_IMP = ["Essentially normal chest findings.", "Normal chest.", "Essentially negative chest study."]
MED_NORMAL_IMP = ["No radiological evidence of active pulmonary tuberculosis.",
                  "Normal chest radiograph. No radiological evidence of active pulmonary TB.",
                  "No active lung lesion. Chest X-ray within normal limits.",
                  "Normal chest X-ray. No evidence of active or old pulmonary tuberculosis."]
NONACUTE_IMP = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                "No active lung lesion.", "No other significant abnormality."]
BARE_IMP = ["No acute disease.", "No acute cardiopulmonary process.", "Nil acute.", "No active disease."]

INDICATIONS = {
    "gulf_op": ["Cough for 2 weeks.", "Chest pain.", "Fever and cough.", "Shortness of breath on exertion.",
                "Routine check-up.", "Follow-up of chest infection.", "Known hypertensive, dyspnoea."],
    "gulf_visa": ["Pre-employment medical.", "Residence visa medical screening.", "Visa renewal medical.",
                  "Pre-employment screening - food handler.", "Work permit medical examination."],
    "my_clinic": ["Cough and fever for 5 days.", "Pre-operative assessment.", "Executive health screening.",
                  "Persistent cough, smoker.", "Chest discomfort.", "Fomema medical examination."],
    "ph_roentgen": ["Annual physical examination.", "Pre-employment.", "Cough, 3 weeks.", "OFW medical.",
                    "Fever, productive cough.", "Pre-operative work-up."],
    "hk_terse": ["Cough.", "Body check.", "SOB.", "Fever, ?chest infection.", "Pre-op.", "Chest pain."],
    "ward_ap": ["Desaturation.", "Post-admission baseline.", "Fever on ward.", "Fluid status.",
                "Breathlessness, ?pneumonia.", "Hypoxia."],
}
READERS = {
    "gulf_op": ["Dr. Ahmed Rahman, Consultant Radiologist", "Dr. Priya Menon, Specialist Radiologist",
                "Dr. Hossam El-Sayed, MD, Consultant Radiology", "Dr. Sarah Collins, FRCR"],
    "gulf_visa": ["Dr. K. Nair, MD (Radiodiagnosis)", "Dr. Omar Haddad, Specialist Radiologist",
                  "Dr. Fatima Al Zaabi, Radiologist"],
    "my_clinic": ["Dr. Siti Aminah binti Yusof, MMed (Rad)", "Dr. Lim Chee Keong, Consultant Radiologist",
                  "Dr. R. Subramaniam, FRCR"],
    "ph_roentgen": ["MARIA CRISTINA D. SANTOS, MD, FPCR", "JOSE R. MENDOZA, MD, DPBR", "ANNA L. REYES, MD"],
    "hk_terse": ["Dr. Wong Ka Ho, FRCR, FHKCR", "Dr. Chan Mei Ling, FHKAM (Radiology)", "Dr. David Leung"],
    "ward_ap": ["Dr. Priya Menon", "Dr. Lim Chee Keong", "Dr. Chan Mei Ling", "Dr. J. Mendoza"],
}


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def other(side):
    return "left" if side == "right" else "right"


def fill(t, rng, side="right", params=None, brit=False):
    p = dict(params or {})
    p.setdefault("side", side)
    p["Side"] = p["side"].capitalize()
    p.setdefault("other", other(p["side"]))
    p.setdefault("mm", rng.choice([8, 9, 10, 12, 14, 15, 18, 20]))
    p.setdefault("mms", rng.choice([3, 4, 5]))
    p.setdefault("cm", rng.choice(["1.5", "2", "2.5", "3"]))
    p.setdefault("cmm", rng.choice(["3.5", "4", "4.5", "5", "6"]))
    p.setdefault("nth", rng.choice(["5th", "6th", "7th", "8th"]))
    p.setdefault("ctr_n", rng.choice(["0.42", "0.44", "0.45", "0.47", "0.48"]))
    p.setdefault("ctr_b", rng.choice(["0.58", "0.60", "0.62", "0.64"]))
    p["oedema"] = "oedema" if brit else "edema"
    return t.format(**p)


def has(rx, text):
    return re.search(rx, text, re.I) is not None


SIDE_RX = r"\b(right|left|Right|Left|RIGHT|LEFT)\b"


def flip_sides(s):
    m = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
    return re.sub(SIDE_RX, lambda x: m[x.group(1)], s)


def sentences(text):
    text = re.sub(r"\s+", " ", text or "").strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p for p in parts if p]


# ----------------------------------------------------------------------------------------------
# layout
# ----------------------------------------------------------------------------------------------

def layout(style, rng, ind, comp, fsents, imp, fmode="present", imode="present", masked=False):
    """fsents: list of findings sentences; imp: impression text. fmode/imode: present|empty|absent."""
    reader = "Dr. ___" if masked else rng.choice(READERS[style])
    bullets = style in ("gulf_op", "gulf_visa") and rng.random() < 0.75
    if bullets:
        ftxt = "\n".join(("- " if rng.random() < 0.6 else "* ") + s for s in fsents)
    elif style == "hk_terse":
        ftxt = "\n".join(fsents)
    else:
        ftxt = " ".join(fsents)
    imp_lines = sentences(imp)
    if len(imp_lines) > 1 and rng.random() < 0.4 and style != "ph_roentgen":
        imp = "\n".join(f"{i}. {s}" for i, s in enumerate(imp_lines, 1))
    lines = []
    if style == "gulf_op":
        lines += [rng.choice(["DEPARTMENT OF RADIOLOGY", "RADIOLOGY REPORT", "DIAGNOSTIC IMAGING REPORT"]),
                  f"Patient ID: {'___' if masked else 'MRN ' + str(rng.randint(100000, 999999))}    Visit: "
                  + rng.choice(["OPD", "OP", "Clinic"]),
                  "Examination: " + rng.choice(["X-RAY CHEST PA VIEW", "XR CHEST PA", "CHEST X-RAY (PA)"]),
                  f"Clinical details: {ind}", ""]
        if comp:
            lines += [f"Comparison: {comp}", ""]
        fh, ih = rng.choice([("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:")])
    elif style == "gulf_visa":
        lines += [rng.choice(["MEDICAL FITNESS - CHEST RADIOGRAPH", "PRE-EMPLOYMENT MEDICAL: CHEST X-RAY",
                              "VISA SCREENING CHEST X-RAY REPORT"]),
                  f"Applicant: {'___' if masked else 'Ref. ' + str(rng.randint(10000, 99999))}",
                  "View: PA erect", f"Purpose: {ind}", ""]
        fh, ih = rng.choice([("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:"), ("FINDINGS:", "OPINION:")])
    elif style == "my_clinic":
        lines += ["CHEST RADIOGRAPH (" + rng.choice(["PA ERECT", "PA VIEW", "PA"]) + ")",
                  f"Clinical information: {ind}"]
        if comp:
            lines.append(f"Comparison: {comp}")
        lines.append("")
        fh, ih = rng.choice([("Findings:", "Impression:"), ("FINDINGS", "IMPRESSION")])
    elif style == "ph_roentgen":
        lines += [rng.choice(["ROENTGENOLOGICAL REPORT", "RADIOLOGIC REPORT", "X-RAY REPORT"]),
                  "Examination: " + rng.choice(["CHEST PA", "CHEST PA/LATERAL", "CHEST PA VIEW"]),
                  f"Clinical data: {ind}", ""]
        fh, ih = rng.choice([("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:")])
    elif style == "hk_terse":
        lines += ["XR CHEST " + rng.choice(["PA", "PA ERECT", "PA + LAT"]), f"History: {ind}"]
        if comp:
            lines.append(f"Comparison: {comp}")
        lines.append("")
        fh, ih = rng.choice([("Findings:", "Conclusion:"), ("Findings:", "Impression:"), ("FINDINGS:", "IMPRESSION:")])
    else:
        lines += ["CHEST X-RAY " + rng.choice(["AP (MOBILE)", "AP SUPINE", "AP SITTING (PORTABLE)"]),
                  "Location: " + rng.choice(["Ward 5B", "Medical ward", "HDU", "Surgical ward"]),
                  f"Indication: {ind}"]
        if comp:
            lines.append(f"Comparison: {comp}")
        lines.append("")
        fh, ih = rng.choice([("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:")])
    same_line = style in ("hk_terse", "ph_roentgen") and not bullets and rng.random() < 0.3
    for head, body, mode in ((fh, ftxt, fmode), (ih, imp, imode)):
        if mode == "absent":
            continue
        if mode == "empty":
            lines += [head, ""]
        elif same_line and "\n" not in body:
            lines += [f"{head} {body}", ""]
        else:
            lines += [head, body, ""]
    if style == "ph_roentgen":
        lines.append(reader + "\nRadiologist")
    else:
        lines.append(rng.choice(["Reported by: ", "Radiologist: ", "Signed: ", ""]) + reader)
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------------------------
# composed reports
# ----------------------------------------------------------------------------------------------

def normal_lines(rng, style, exclude, brit, otherwise_ok):
    out = []
    cats = ["lungs", "pleura", "heart", "mediast", "diaphragm", "bones"]
    if style == "hk_terse":
        cats = rng.sample(cats[:3], 3) if rng.random() < 0.5 else cats[:3] + ["bones"]
    elif rng.random() < 0.3:
        cats = [c for c in cats if c not in ("mediast", "diaphragm")]
    for c in cats:
        opts = [t for t, neg in NORMAL_LINES[c] if not (neg & exclude)]
        if c == "lungs" and not opts:
            if otherwise_ok:
                out.append(rng.choice(OTHERWISE_LUNGS))
            continue
        if opts:
            t = fill(rng.choice(opts), rng, brit=brit)
            if style == "hk_terse":
                t = (t.replace("Heart size is within normal limits.", "Heart size normal.")
                     .replace("The lungs are clear.", "Lungs clear.").replace("No pleural effusion.", "No effusion."))
            out.append(t)
    return out


def group_of(key):
    return F[key].get("group", key)


def compose(rng, style, kind):
    """Return (findings sentences, impression, fmode, imode, detail, check) for one composed case."""
    brit = style in BRITISH
    side = rng.choice(["right", "left"])
    nt = {"findings": [], "imp": [], "present": set()}

    def add(key, sd=None, to_imp=True, params=None):
        sd = sd or rng.choice(["right", "left"])
        p = dict(params or {})
        p.setdefault("mm", rng.choice([8, 9, 10, 12, 14, 15, 18, 20]))
        p.setdefault("nth", rng.choice(["5th", "6th", "7th", "8th"]))
        p.setdefault("cm", rng.choice(["1.5", "2", "2.5", "3"]))
        p.setdefault("cmm", rng.choice(["3.5", "4", "4.5", "5", "6"]))
        fs = fill(rng.choice(F[key]["f"]), rng, sd, p, brit)
        im = fill(rng.choice(F[key]["i"]), rng, sd, p, brit)
        nt["findings"].append(fs)
        if to_imp:
            nt["imp"].append(im)
        nt["present"].add(group_of(key))
        nt["present"].add(key)
        return fs, im

    def build(imp_override=None, exclude_extra=frozenset()):
        excl = set(nt["present"]) | set(exclude_extra)
        focal = not ({"edema", "bronchitic"} & excl)
        norm = normal_lines(rng, style, excl, brit, focal)
        fs = list(nt["findings"])
        # abnormal lines go first (or after heart line in ph style)
        if rng.random() < 0.7 or not norm or norm[0] in OTHERWISE_LUNGS:
            sents = fs + norm
        else:
            sents = norm[:1] + fs + norm[1:]
        if imp_override is not None:
            return sents, imp_override
        if nt["imp"]:
            imp = " ".join(nt["imp"])
            if rng.random() < 0.3:
                imp += " " + rng.choice(["No other significant abnormality.", "Otherwise unremarkable."])
        else:
            imp = pick_normal(rng, style, bool(nt["findings"]))
        return sents, imp

    if kind is None:
        r = rng.random()
        if r < 0.5:
            pass
        elif r < 0.8:
            for k in rng.sample(MINOR_KEYS, rng.choice([1, 1, 2])):
                add(k, to_imp=rng.random() < 0.5 or k in ("tb_old", "cardiomegaly"))
            # minor findings left out of the impression are fine
        else:
            add(rng.choice(SIG_KEYS), side)
            if rng.random() < 0.4:
                add(rng.choice(["cardiomegaly", "aorta", "spondylosis"]))
        sents, imp = build()
        return sents, imp, "present", "present", "", None
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_absent", "find_empty", "find_absent"])
        if mode.startswith("imp") and rng.random() < 0.5:
            add(rng.choice(MINOR_KEYS + SIG_KEYS))
        sents, imp = build()
        if mode.startswith("find"):
            imp = rng.choice(BARE_IMP)
        fm = {"find_empty": "empty", "find_absent": "absent"}.get(mode, "present")
        im = {"imp_empty": "empty", "imp_absent": "absent"}.get(mode, "present")
        return sents, imp, fm, im, mode.replace("_", " "), ("missing", mode)
    if kind == "laterality_conflict":
        key = rng.choice(["consolidation", "effusion", "pneumothorax", "nodule", "collapse", "tb_active",
                          "tb_old", "small_effusion", "granuloma", "rib_fx", "elevated_hd", "mass"])
        fs, im = add(key, side)
        if rng.random() < 0.4:
            add(rng.choice(["cardiomegaly", "aorta", "spondylosis", "bronchitic"]))
        where = rng.choice(["findings", "impression"])
        if where == "findings":
            nt["findings"][0] = flip_sides(fs)
        else:
            nt["imp"][0] = flip_sides(im)
        sents, imp = build()
        return sents, imp, "present", "present", f"{key}: {side} in {'impression' if where == 'findings' else 'findings'}, " \
            f"flipped to {other(side)} in {where}", ("lat", key, side, where)
    if kind == "negation_conflict":
        mode = rng.choice(["template_left", "template_left", "imp_negates", "imp_negates"])
        if mode == "template_left":
            key = rng.choice(["effusion", "small_effusion", "consolidation", "cardiomegaly", "nodule", "pneumothorax"])
            grp = group_of(key)
            # findings stay the normal template, including a line that rules the finding out
            p = {}
            im = fill(rng.choice(F[key]["i"]), rng, side, p, brit)
            norm_opts = []
            for c, lst in NORMAL_LINES.items():
                norm_opts += [(c, t) for t, neg in lst if grp in neg]
            cat, neg_line = rng.choice(norm_opts)
            sents = normal_lines(rng, style, {grp}, brit, False)
            sents = [fill(neg_line, rng, brit=brit)] + sents if rng.random() < 0.5 else sents + [fill(neg_line, rng, brit=brit)]
            imp = im + (" " + rng.choice(["Otherwise no significant abnormality.", ""]) if rng.random() < 0.5 else "")
            return sents, imp.strip(), "present", "present", \
                f"impression reports {key.replace('_', ' ')} ({side}); findings template says: {neg_line}", \
                ("neg", grp, "imp_affirms")
        key = rng.choice(["effusion", "consolidation", "cardiomegaly", "pneumothorax", "small_effusion", "edema"])
        grp = group_of(key)
        add(key, side, to_imp=False)
        if key == "small_effusion":
            nt["findings"][0] = f"Small {side} pleural effusion."
        if rng.random() < 0.5:
            other_k = rng.choice([k for k in ["consolidation", "tb_old", "aorta", "spondylosis", "granuloma"]
                                  if group_of(k) != grp and not (grp == "consolidation" and k in ("tb_old", "granuloma"))])
            add(other_k)
        neg = fill(rng.choice(NEG_IMP[grp]), rng, brit=brit)
        lead = " ".join(nt["imp"])
        if lead:
            imp = lead + " " + neg
        else:
            macro = [fill(m, rng, brit=brit) for m in ("Lungs are clear.", "No pleural effusion or pneumothorax.",
                                                       "Heart size is normal.", "No pulmonary {oedema}.")]
            macro = [m for m in macro if m != neg and not (grp in ("consolidation", "nodule", "collapse") and "Lungs" in m)
                     and not (grp == "effusion" and "effusion" in m) and not (grp == "pneumothorax" and "pneumo" in m)]
            imp = " ".join(rng.sample(macro, 1) + [neg] if rng.random() < 0.5 else [neg] + rng.sample(macro, 1))
        sents, imp = build(imp_override=imp.strip())
        return sents, imp, "present", "present", f"findings affirm {key.replace('_', ' ')}; impression: {neg}", \
            ("neg", grp, "imp_negates")
    if kind == "impression_omits_finding":
        key = rng.choice(["consolidation", "effusion", "pneumothorax", "nodule", "mass", "collapse", "tb_active", "edema"])
        grp = group_of(key)
        add(key, side, to_imp=False)
        mode = rng.choice(["normal", "others"])
        if mode == "others":
            cands = [k for k in ["cardiomegaly", "aorta", "spondylosis", "tb_old", "granuloma", "rib_fx", "small_effusion",
                                 "hyperinflation", "elevated_hd"]
                     if not has(SYN[grp], " ".join(F[k]["i"])) and group_of(k) != grp]
            for k in rng.sample(cands, rng.choice([1, 2])):
                add(k)
            imp = " ".join(nt["imp"])
        else:
            imp = rng.choice(NONACUTE_IMP[:3] + (MED_NORMAL_IMP if style == "gulf_visa" else [])
                             + (PH_NORMAL_IMP if style == "ph_roentgen" else []))
        sents, imp = build(imp_override=imp)
        return sents, imp, "present", "present", f"findings: {nt['findings'][0]} -- impression ({mode}) omits it", \
            ("omit", grp)
    if kind == "placeholder":
        mode = rng.choice(["side", "size", "ctr", "grade", "finding"])
        if mode == "side":
            key = rng.choice(["consolidation", "effusion", "nodule", "small_effusion", "granuloma", "pneumothorax"])
            fs, im = add(key, side)
            ph = rng.choice(["[LEFT/RIGHT]", "[right/left]", "[***]", "<side>", "___"])
            where = rng.choice(["findings", "impression"])
            if where == "findings":
                nt["findings"][0] = re.sub(r"\b" + side + r"\b", ph, fs, count=1, flags=re.I)
            else:
                nt["imp"][0] = re.sub(r"\b" + side + r"\b", ph, im, count=1, flags=re.I)
            detail = f"side of {key} left as {ph} in {where}"
        elif mode == "size":
            key = rng.choice(["nodule", "mass", "pneumothorax"])
            ph = rng.choice(["___", "XX", "[***]", "__"])
            fs, im = add(key, side, params={"mm": ph, "cmm": ph, "cm": ph})
            if ph not in nt["findings"][0]:
                nt["findings"][0] = fs + f" It measures {ph} mm."
            if ph in nt["imp"][0]:
                nt["imp"][0] = re.sub(r"\s*\(" + re.escape(ph) + r" mm\)", "", nt["imp"][0])
            detail = f"size of {key} left as {ph}"
        elif mode == "ctr":
            ph = rng.choice(["___", "0.__", "[***]", "XX"])
            sents, imp = build()
            sents = [s for s in sents if "CTR" not in s]
            sents.insert(min(2, len(sents)), f"Cardiothoracic ratio: {ph}.")
            return sents, imp, "present", "present", f"template CTR field left as {ph}", ("ph", ph)
        elif mode == "grade":
            ph = rng.choice(["[mild/moderate/severe]", "[***]", "<grade>", "___"])
            add("effusion", side)
            nt["findings"][0] = f"{ph.capitalize() if ph[0].isalpha() else ph} {side} pleural effusion is present."
            nt["imp"][0] = f"{side.capitalize()} pleural effusion."
            detail = f"grade of effusion left as {ph}"
        else:
            ph = rng.choice(["[***]", "<insert finding>", "[FINDING]", "***"])
            sents, imp = build()
            sd = rng.choice(["right", "left"])
            sents.insert(1, rng.choice([f"There is {ph} in the {sd} lower zone.", f"{ph} is noted at the {sd} base.",
                                        f"{sd.capitalize()} lower zone: {ph}."]))
            return sents, imp, "present", "present", f"template finding field left as {ph}", ("ph", ph)
        sents, imp = build()
        return sents, imp, "present", "present", detail, ("ph", ph)
    raise ValueError(kind)


def pick_normal(rng, style, has_minor):
    if has_minor:
        return rng.choice(NONACUTE_IMP[:3])
    if style == "gulf_visa":
        return rng.choice(MED_NORMAL_IMP)
    if style == "ph_roentgen":
        return rng.choice(PH_NORMAL_IMP + NORMAL_IMP[:2])
    return rng.choice(NORMAL_IMP)


# ----------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------

def load_iu(shared):
    dev = set()
    dp = shared / "eval" / "report_errors_dev.jsonl"
    if dp.exists():
        with open(dp) as fh:
            dev = {json.loads(line)["uid"] for line in fh if line.strip()}
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 40 or len(i) < 5 or re.search(r"[\[\]<>_*]", f + i):
                continue
            mesh = [e.text or "" for e in root.iter("major")]
            out.append(dict(uid=uid, findings=f, impression=i, indication=d.get("INDICATION", ""),
                            comparison=d.get("COMPARISON", ""), mesh=mesh))
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out, dev


REWORD = [
    (r"\bThe lungs are clear\b", ["Both lung fields are clear", "The lungs are clear", "Lungs are clear"]),
    (r"\bNo pneumothorax or pleural effusion\b", ["No pleural effusion or pneumothorax", "No pneumothorax or pleural effusion"]),
    (r"\bx-XXXX\b", ["X-ray", "x-XXXX"]),
    (r"\b(?<!the )Heart size is normal\b", ["Heart size is normal", "The heart is not enlarged", "Cardiac size is normal"]),
    (r"\bThere is no\b", ["There is no", "No", "There is no"]),
    (r"\bNo acute cardiopulmonary (abnormality|disease|process)\b",
     ["No acute cardiopulmonary abnormality", "No acute cardiopulmonary process", "No active lung lesion"]),
    (r"\bwithin normal limits(?=\.)", ["within normal limits", "normal"]),
]


def reword(text, rng, brit):
    def sub(m, alts):
        a = rng.choice(alts)
        return a[0].upper() + a[1:] if m.group(0)[0].isupper() else a[0].lower() + a[1:]
    for rx, alts in REWORD:
        text = re.sub(rx, lambda m, alts=alts: sub(m, alts), text, flags=re.I)
    text = re.sub(r"\bx-ray\b", "X-ray", text)
    if brit:
        text = re.sub(r"\bedema", "oedema", text)
        text = re.sub(r"\bEdema", "Oedema", text)
    return re.sub(r"\.\.+", ".", text)


NEGCUE = r"\b(no|not|without|negative|resolv\w*|clear|free|absen\w*|small|trace|minimal|tiny|previous|prior|stable|" \
         r"chronic|unchanged|old|healed|possibl\w*|may|could|question\w*|versus|cannot|likely|vs|suggest\w*|" \
         r"concern\w*|suspic\w*|probabl\w*|develop\w*|early|consider\w*|exclude\w*|subtle|mild|minor|borderline|scar\w*|atelecta\w*|linear|calcif\w*|granulom\w*)\b|\?"
SIG_RX = {
    "pneumothorax": r"pneumothorax",
    "effusion": r"(moderate|large|sizable|sizeable)\b[^.]*effusion",
    "consolidation": r"consolidation|airspace disease|air space disease|airspace opacit",
    "edema": r"\bedema|oedema",
    "mass": r"\bmass\b",
}
NEG_FIND_RX = {
    "effusion": r"\bno\b[^.]*\beffusions?\b|without[^.]*effusion|costophrenic (angles|sulci|recesses) are (sharp|clear)",
    "pneumothorax": r"\bno\b[^.]*pneumothora|without[^.]*pneumothora",
    "cardiomegaly": r"heart (size )?(is )?(normal|within normal)|normal heart size|cardiac (silhouette|size) (is )?(normal|within normal)"
                    r"|cardiomediastinal silhouette (is )?(normal|within normal|unremarkable)|heart is not enlarged|cardiac size is normal",
    "consolidation": r"no (focal )?(consolidation|airspace)|lungs are clear|lung fields are clear|without[^.]*(consolidation|airspace)",
    "edema": r"\bno\b[^.]*o?edema|without[^.]*o?edema",
}
IMP_AFFIRM = {
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion.", "Moderate {side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "cardiomegaly": ["Cardiomegaly.", "Mild cardiomegaly. No active lung lesion.", "Enlarged cardiac silhouette."],
    "consolidation": ["{Side} lower zone consolidation, likely infective.", "{Side} basal pneumonia."],
    "edema": ["Mild pulmonary {oedema}.", "Features of pulmonary congestion / interstitial {oedema}."],
}


def iu_affirmed_sig(findings):
    """(group, sentence) of a plainly affirmed significant finding in IU findings, or None."""
    for s in sentences(findings):
        if has(NEGCUE, s):
            continue
        for g, rx in SIG_RX.items():
            if has(rx, s):
                return g, s
    return None


LAT_WORDS = r"effusion|pneumothorax|consolidation|atelectasis|opacit\w*|infiltrate|airspace|granulom\w*|nodul\w*|" \
            r"\bmass\b|scarring|fracture|pneumonia|hemidiaphragm|density|thickening|calcifi\w*|pleural|catheter|port\b|" \
            r"chest tube|picc|pacemaker|subclavian|jugular"


def iu_case(rng, rec, style, kind):
    """Return (findings sentences, impression, fmode, imode, detail, check) or None if rec unsuitable."""
    brit = style in BRITISH
    f = reword(rec["findings"], rng, brit)
    i = reword(re.sub(r"(^|\s)\d+\.(?=\s|$)", " ", rec["impression"]).strip(), rng, brit)
    i = re.sub(r"\s*\.(\s*\.)+", ".", i)
    fs = sentences(f)
    if kind is None:
        return fs, i, "present", "present", "", None
    if kind == "missing_section":
        mode = rng.choice(["imp_empty", "imp_absent", "find_empty", "find_absent"])
        if mode.startswith("find"):
            if not re.fullmatch(r"(no acute (cardiopulmonary|cardiothoracic|pulmonary) (abnormality|disease|process|findings?)|"
                                r"no active (lung lesion|disease)|negative( chest)?( x-ray)?|no acute disease)\.?",
                                i.strip(), re.I):
                return None
        fm = {"find_empty": "empty", "find_absent": "absent"}.get(mode, "present")
        im = {"imp_empty": "empty", "imp_absent": "absent"}.get(mode, "present")
        return fs, i, fm, im, mode.replace("_", " "), ("missing", mode)
    if kind == "laterality_conflict":
        isents = sentences(i)
        for gi, s in enumerate(isents):
            sides = set(w.lower() for w in re.findall(SIDE_RX, s))
            if len(sides) != 1 or has(r"bilateral|both", s):
                continue
            sd = sides.pop()
            words = set(re.findall(LAT_WORDS, s.lower()))
            for fi, t in enumerate(fs):
                tsides = set(w.lower() for w in re.findall(SIDE_RX, t))
                shared = words & set(re.findall(LAT_WORDS, t.lower()))
                if tsides == {sd} and shared and not has(r"bilateral|both|atri|ventric|heart border", t + " " + s):
                    key = sorted(shared)[0]
                    # nothing else in the report may carry the same finding on the other side
                    if any(has(key, u) and other(sd) in u.lower() for u in fs + isents):
                        continue
                    where = rng.choice(["findings", "impression"])
                    if where == "findings":
                        fs[fi] = flip_sides(t)
                    else:
                        isents[gi] = flip_sides(s)
                    return fs, " ".join(isents), "present", "present", \
                        f"'{key}': {sd} kept in one section, flipped to {other(sd)} in {where}", ("lat_iu", fi, gi, sd, where)
        return None
    if kind == "negation_conflict":
        grp = rng.choice(list(NEG_FIND_RX))
        if not has(NEG_FIND_RX[grp], f) or "normal" not in rec["mesh"]:
            return None
        aff = fill(rng.choice(IMP_AFFIRM[grp]), rng, rng.choice(["right", "left"]), brit=brit)
        return fs, aff, "present", "present", f"impression replaced by '{aff}'; findings rule it out", ("neg", grp, "iu")
    if kind == "impression_omits_finding":
        a = iu_affirmed_sig(f)
        if not a:
            return None
        grp, s = a
        syn = SYN.get(grp, grp)
        keep = [t for t in sentences(i) if not has(syn, t) and not has(r"normal|no acute|negative|unremarkable", t)
                and not re.fullmatch(r"\d+\.?", t)]
        if keep and rng.random() < 0.6:
            imp = " ".join(re.sub(r"^\d+\.\s*", "", t) for t in keep)
            mode = "others"
        else:
            imp = rng.choice(NONACUTE_IMP[:3] + ["No acute abnormality."])
            mode = "normal"
        return fs, imp, "present", "present", f"findings: '{s}' -- impression ({mode}) omits it", ("omit", grp)
    if kind == "placeholder":
        for fi, t in enumerate(fs):
            m = re.search(r"\b(right|left)\b", t, re.I)
            if m and rng.random() < 0.7:
                ph = rng.choice(["[LEFT/RIGHT]", "[***]", "<side>"])
                fs[fi] = t[:m.start()] + ph + t[m.end():]
                return fs, i, "present", "present", f"side in findings left as {ph}", ("ph", ph)
        for fi, t in enumerate(fs):
            m = re.search(r"\b(mild|moderate|small|large)\b", t, re.I)
            if m:
                ph = rng.choice(["[mild/moderate/severe]", "[***]", "___"])
                fs[fi] = t[:m.start()] + ph + t[m.end():]
                return fs, i, "present", "present", f"grade left as {ph}", ("ph", ph)
        ph = rng.choice(["___", "0.__", "[***]"])
        fs.insert(min(1, len(fs)), f"Cardiothoracic ratio: {ph}.")
        return fs, i, "present", "present", f"template CTR field left as {ph}", ("ph", ph)
    raise ValueError(kind)


def iu_clean_ok(rec):
    if "normal" in rec["mesh"]:
        return True
    minor = r"^(Calcified Granuloma|Spine|Thoracic Vertebrae|Osteophyte|Aorta|Spondylosis|Cicatrix|Granulomatous Disease)"
    text = rec["findings"] + " " + rec["impression"]
    return (all(re.match(minor, m) for m in rec["mesh"]) and rec["mesh"]
            and not has(r"\b(right|left)\b", text) and iu_affirmed_sig(rec["findings"]) is None)


# ----------------------------------------------------------------------------------------------
# verification
# ----------------------------------------------------------------------------------------------

def split_sections(report):
    """Findings and impression text of one of our own layouts (None when the header is absent)."""
    fm = re.search(r"^(FINDINGS:?|Findings:)[ \t]*(.*?)(?=^(IMPRESSION|Impression|Conclusion|OPINION)|^Reported by|^Radiologist|^Signed|\Z)",
                   report, re.M | re.S)
    im = re.search(r"^(IMPRESSION:?|Impression:|Conclusion:|OPINION:)[ \t]*(.*)", report, re.M | re.S)
    f = fm.group(2).strip() if fm else None
    i = None
    if im:
        i = im.group(2)
        i = re.split(r"\n\s*\n", i.strip() + "\n\n")[0].strip() if i.strip() else ""
        # the signature paragraph is not part of the impression
        if re.match(r"(Reported by|Radiologist|Signed|Dr\.|[A-Z .,]+MD)", i):
            i = ""
    return f, i


def verify(kind, check, report):
    f, i = split_sections(report)
    if kind is None:
        assert f and i, report
        assert not re.search(r"\[|\]|<|>|\*\*\*|(?<![X-])XX\b|\b__+\s*(mm|cm)\b|\b0\.__", report), report
        return
    tag = check[0]
    if tag == "missing":
        mode = check[1]
        if mode == "find_empty":
            assert f == "" and i, report
        elif mode == "find_absent":
            assert f is None and i, report
        elif mode == "imp_empty":
            assert i == "" and f, report
        else:
            assert i is None and f, report
        if mode.startswith("find"):
            assert len(i) < 40 and not has(r"effusion|consolidat|pneumo|heart|cardi|nodul|opacit|lung", i), i
        return
    assert f and i, report
    if tag in ("lat", "lat_iu"):
        fsides = set(w.lower() for w in re.findall(SIDE_RX, f))
        isides = set(w.lower() for w in re.findall(SIDE_RX, i))
        assert fsides and isides and (fsides != isides or len(fsides) == 1 and fsides != isides), (f, i)
        if tag == "lat":
            side, where = check[2], check[3]
            want_f = other(side) if where == "findings" else side
            want_i = side if where == "findings" else other(side)
            assert want_f in fsides and want_i in isides, (f, i)
        return
    if tag == "neg":
        grp = check[1]
        if check[2] in ("imp_affirms", "iu"):
            assert has(SYN.get(grp, grp), i), i
            negs = [t for t, n in sum(NORMAL_LINES.values(), []) if grp in n]
            assert has(NEG_FIND_RX.get(grp, "^$"), f) or any(n.split("(")[0][:20] in f for n in negs), (grp, f)
        else:
            assert has(r"\bno\b|normal|clear", i) and has(SYN.get(grp, grp), f), (f, i)
        return
    if tag == "omit":
        grp = check[1]
        assert not has(SYN.get(grp, grp), i), (grp, i)
        return
    if tag == "ph":
        assert check[1] in report, (check, report)
        return
    raise AssertionError(tag)


# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------

def build_cases(seed, shared):
    rng = random.Random(seed)
    iu, _dev = load_iu(shared)
    pool = list(iu)
    rng.shuffle(pool)
    used = set()
    cases = []
    groups = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in groups:
        half = n // 2
        for j in range(half):  # composed
            style = STYLES[(j + rng.randrange(6)) % 6]
            for _ in range(200):
                out = compose(rng, style, kind)
                sents, imp, fm, im, detail, check = out
                masked = rng.random() < 0.15
                comp = rng.choice(["None.", "No previous film available.", "", "", "Previous film dated ___" if masked
                                   else "Previous film from last year."]) if style in ("gulf_op", "my_clinic", "hk_terse", "ward_ap") else ""
                rep = layout(style, rng, rng.choice(INDICATIONS[style]), comp, sents, imp, fm, im, masked)
                try:
                    verify(kind, check, rep)
                except AssertionError:
                    continue
                cases.append(dict(injected=kind, detail=detail or "none (clean, composed)", report=rep,
                                  style=style, source="composed"))
                break
            else:
                raise RuntimeError(f"could not compose {kind}")
        got = 0
        for rec in pool:
            if got >= n - half:
                break
            if rec["uid"] in used or (kind is None and not iu_clean_ok(rec)):
                continue
            if kind is not None and kind != "impression_omits_finding" and kind != "laterality_conflict" \
                    and "normal" not in rec["mesh"] and rng.random() < 0.5:
                continue
            style = rng.choice(STYLES)
            out = iu_case(rng, rec, style, kind)
            if out is None:
                continue
            sents, imp, fm, im, detail, check = out
            comp = rec["comparison"] if rec["comparison"] and style != "gulf_visa" and style != "ph_roentgen" else ""
            ind = rec["indication"] if rec["indication"] and style not in ("gulf_visa",) else rng.choice(INDICATIONS[style])
            rep = layout(style, rng, ind, comp, sents, imp, fm, im, False)
            try:
                verify(kind, check, rep)
            except AssertionError:
                continue
            used.add(rec["uid"])
            cases.append(dict(injected=kind, detail=(detail or "none (clean)") + f" [IU {rec['uid']}]",
                              report=rep, style=style, source="iu", uid=rec["uid"]))
            got += 1
        if got < n - half:
            raise RuntimeError(f"not enough IU reports for {kind}")
    rng.shuffle(cases)
    for c in cases:
        c["id"] = "h54-" + hashlib.sha1(f"{seed}|{c['report']}".encode()).hexdigest()[:12]
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5401)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    cases = build_cases(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({"id": c["id"], "injected": c["injected"], "detail": c["detail"],
                                 "report": c["report"]}) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == k][: a.show]:
                print(f"===== {k} | {c['style']} | {c['source']} | {c['detail']}\n{c['report']}")
    print(f"wrote {len(cases)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
