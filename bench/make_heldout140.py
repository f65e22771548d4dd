"""Held-out report-error set 140: bariatric and upper-GI surgery units (UK and US), written blind.

Pre-operative films of obese patients (limited by body habitus) and post-operative films after sleeve
gastrectomy, Roux-en-Y gastric bypass and oesophagectomy: basal atelectasis, effusions, free gas after surgery,
subphrenic collections, anastomotic leak questions, drains and NG tubes.

usage: python -m bench.make_heldout140 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each of the five kinds; half of every group composed from the phrase bank below,
half real IU reports (never a dev-set uid, each used once) re-laid out and lightly re-worded.
Standard library only.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# --------------------------------------------------------------------------------------------------------------
# spelling: the phrase bank is written in UK English; US layouts convert it
# --------------------------------------------------------------------------------------------------------------

_US = [
    (r"\boedema", "edema"), (r"\bOedema", "Edema"), (r"oesophag", "esophag"), (r"Oesophag", "Esophag"),
    (r"haemo", "hemo"), (r"Haemo", "Hemo"), (r"haema", "hema"), (r"anaesth", "anesth"), (r"centimetre", "centimeter"),
    (r"\bfree gas\b", "free air"), (r"\bFree gas\b", "Free air"),
    (r"\bfree intraperitoneal gas\b", "free intraperitoneal air"),
    (r"\bsubdiaphragmatic gas\b", "subdiaphragmatic air"),
    (r"\bhiatus hernia\b", "hiatal hernia"), (r"\bHiatus hernia\b", "Hiatal hernia"), (r"\bin situ\b", "in place"),
    (r"\bintercostal drain\b", "chest tube"), (r"\bIntercostal drain\b", "Chest tube"),
    (r"\bNG tube\b", "enteric tube"),
]
_UK = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\bhemorrhag", "haemorrhag"), (r"\banesth", "anaesth"), (r"\bhiatal hernia\b", "hiatus hernia"),
    (r"\bchest x-XXXX\b", "chest radiograph"), (r"\bx-XXXX\b", "radiograph"),
]
_US_IU = [(r"\bchest x-XXXX\b", "chest x-ray"), (r"\bx-XXXX\b", "x-ray")]


def usify(text: str) -> str:
    for a, b in _US:
        text = re.sub(a, b, text)
    return text


# --------------------------------------------------------------------------------------------------------------
# phrase bank: items of findings, each with its impression phrase
# --------------------------------------------------------------------------------------------------------------

SIDES = ("left", "right")
CATS = ["lines", "lungs", "pleura", "heart", "abdomen", "bones"]
CAT_TITLE = {"lines": "Lines/tubes", "lungs": "Lungs", "pleura": "Pleura", "heart": "Heart and mediastinum",
             "abdomen": "Upper abdomen", "bones": "Bones/soft tissues"}
CAT_NORMAL = {
    "lungs": ["The lungs are clear.", "Lungs clear.", "The lungs are clear with no focal consolidation.",
              "No focal lung abnormality.", "Clear lungs."],
    "pleura": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.",
               "The costophrenic angles are clear and there is no pneumothorax.", "No pneumothorax or pleural fluid."],
    "heart": ["Heart size is normal.", "The cardiomediastinal contours are normal.",
              "Normal cardiac size and mediastinal contours.", "Heart not enlarged."],
    "abdomen": ["No free gas under the diaphragm.", "No free subdiaphragmatic gas.",
                "No pneumoperitoneum."],
    "bones": ["No acute bony abnormality.", "Bones unremarkable.", "No acute osseous abnormality."],
}
STRUCT_NORMAL = {
    "lungs": ["Clear.", "Clear, no consolidation."], "pleura": ["No effusion or pneumothorax."],
    "heart": ["Normal size and contour.", "Normal cardiomediastinal silhouette."],
    "abdomen": ["No free gas.", "No subdiaphragmatic free gas."], "bones": ["No acute abnormality."],
    "lines": ["None."],
}
# which normal statement negates which concept (used for negation_conflict)
NEG_BY_CAT = {"effusion": "pleura", "pneumothorax": "pleura", "consolidation": "lungs", "oedema": "lungs",
              "atelectasis": "lungs", "free_gas": "abdomen"}
NEG_IMP = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax.", "No pneumothorax is seen."],
    "consolidation": ["No consolidation.", "Lungs clear.", "No evidence of pneumonia."],
    "oedema": ["No pulmonary oedema.", "No evidence of fluid overload."],
    "atelectasis": ["Lungs clear.", "The lungs are clear."],
    "free_gas": ["No free intraperitoneal gas.", "No pneumoperitoneum."],
}


def _item(concept, cat, find, imp, side=None, sig=False, must=False, minor=False, blocks=None):
    return {"concept": concept, "cat": cat, "find": find, "imp": imp, "side": side, "sig": sig,
            "must": must or sig, "minor": minor, "blocks": set(blocks if blocks is not None else [cat])}


def it_atelectasis(r, ctx):
    s = r.choice(SIDES + ("both",))
    if s == "both":
        f = r.choice(["Bibasal atelectasis.", "Linear atelectasis at both lung bases.",
                      "Bibasal subsegmental atelectasis, in keeping with reduced inspiratory effort.",
                      "Low lung volumes with bibasal atelectasis."])
        i = r.choice(["Bibasal atelectasis.", "Bibasal atelectasis, in keeping with post-operative splinting.",
                      "Basal atelectasis."])
        return _item("atelectasis", "lungs", f, i)
    f = r.choice([f"Linear atelectasis at the {s} base.", f"Plate atelectasis in the {s} lower zone.",
                  f"Subsegmental atelectasis at the {s} lung base.",
                  f"Band of atelectasis in the {s} mid to lower zone."])
    i = r.choice([f"{s.capitalize()} basal atelectasis.", f"{s.capitalize()} lower zone atelectasis.",
                  f"Atelectasis at the {s} base."])
    return _item("atelectasis", "lungs", f, i, side=s)


def it_effusion(r, ctx):
    s = r.choice(SIDES + ("both",)) if ctx != "oesoph" else r.choice(["right", "right", "left"])
    size = r.choice(["small", "small", "moderate", "large"])
    if s == "both":
        f = r.choice([f"{size.capitalize()} bilateral pleural effusions.",
                      f"Bilateral {size} pleural effusions with blunting of both costophrenic angles."])
        i = f"{size.capitalize()} bilateral pleural effusions."
        return _item("effusion", "pleura", f, i, sig=size != "small", blocks=["pleura", "lungs"])
    if size == "small":
        f = r.choice([f"Blunting of the {s} costophrenic angle in keeping with a small effusion.",
                      f"Small {s} pleural effusion.", f"Small {s}-sided pleural effusion."])
        i = r.choice([f"Small {s} pleural effusion.", f"Small {s} effusion."])
    else:
        f = r.choice([f"{size.capitalize()} {s} pleural effusion with adjacent basal atelectasis.",
                      f"{size.capitalize()} {s}-sided pleural effusion, increased since the previous film.",
                      f"There is a {size} {s} pleural effusion."])
        i = r.choice([f"{size.capitalize()} {s} pleural effusion.", f"{size.capitalize()} {s} effusion."])
        if "increased" in f:
            i = i[:-1] + ", increasing."
    return _item("effusion", "pleura", f, i, side=s, sig=size != "small",
                 blocks=["pleura"] if size == "small" else ["pleura", "lungs"])


def it_ptx(r, ctx):
    s = r.choice(SIDES) if ctx != "oesoph" else r.choice(["right", "right", "left"])
    size = r.choice(["small", "small", "moderate", "shallow"])
    f = r.choice([f"{size.capitalize()} {s} apical pneumothorax.",
                  f"There is a {size} {s} pneumothorax, with a rim of 1.5 cm at the apex.",
                  f"{size.capitalize()} {s}-sided pneumothorax, new since the previous film.",
                  f"{s.capitalize()} apical pneumothorax, {size}."])
    i = r.choice([f"{size.capitalize()} {s} pneumothorax.", f"{s.capitalize()} apical pneumothorax.",
                  f"{size.capitalize()} {s} pneumothorax. Clinical team informed."])
    return _item("pneumothorax", "pleura", f, i, side=s, sig=True)


def it_free_gas(r, ctx):
    s = r.choice(["right", "both"])
    loc = "under the right hemidiaphragm" if s == "right" else "under both hemidiaphragms"
    grade = r.choice(["small", "moderate", "increasing"])
    if grade == "increasing":
        f = f"Free gas {loc}, increased in volume compared with the previous film."
        i = r.choice(["Increasing free intraperitoneal gas - ?anastomotic or staple line leak. Suggest CT with oral "
                      "contrast.", "Increasing pneumoperitoneum compared with the previous film; leak not excluded."])
    else:
        f = r.choice([f"{grade.capitalize()} volume of free gas {loc}.",
                      f"{grade.capitalize()} amount of free subdiaphragmatic gas {loc}."])
        i = r.choice(["Free subdiaphragmatic gas, likely post-operative; correlate clinically.",
                      "Free intraperitoneal gas, in keeping with recent laparoscopic surgery. Interpret in the "
                      "clinical context.", "Pneumoperitoneum, expected post-operatively."])
    return _item("free_gas", "abdomen", f, i, side="right" if s == "right" else None, sig=True)


def it_subphrenic(r, ctx):
    s = "left" if r.random() < 0.75 else "right"
    f = r.choice([f"Air-fluid level beneath the {s} hemidiaphragm, separate from the gastric bubble.",
                  f"Gas-containing lucency with an air-fluid level under the {s} hemidiaphragm."])
    i = r.choice([f"{s.capitalize()} subphrenic air-fluid level, ?collection. CT abdomen recommended.",
                  f"Appearances raise concern for a {s} subphrenic collection."])
    return _item("collection", "abdomen", f, i, side=s, must=True)


def it_consol(r, ctx):
    s = r.choice(SIDES)
    zone = r.choice(["lower zone", "mid zone", "base"])
    f = r.choice([f"Patchy consolidation in the {s} {zone}.",
                  f"New airspace opacification in the {s} {zone}.",
                  f"Ill-defined consolidation at the {s} {zone} with air bronchograms."])
    i = r.choice([f"{s.capitalize()} {zone} consolidation, ?aspiration pneumonia.",
                  f"{s.capitalize()} {zone} consolidation - infection/aspiration.",
                  f"{s.capitalize()} sided pneumonia."])
    return _item("consolidation", "lungs", f, i, side=s, sig=True)


def it_oedema(r, ctx):
    f = r.choice(["Upper lobe venous diversion and bilateral perihilar haziness, in keeping with pulmonary oedema.",
                  "Interstitial oedema with septal lines and small fissural fluid.",
                  "Increased bilateral perihilar airspace shadowing and vascular congestion, in keeping with "
                  "fluid overload."])
    i = r.choice(["Pulmonary oedema.", "Fluid overload / pulmonary oedema.", "Features of pulmonary oedema."])
    return _item("oedema", "lungs", f, i, sig=True)


def it_cardio(r, ctx):
    f, i = r.choice([("Heart size at the upper limit of normal on this AP projection.", "Heart size at the upper limit "
                      "of normal."), ("Mild cardiomegaly, stable.", "Stable mild cardiomegaly."),
                     ("Borderline cardiomegaly, exaggerated by the AP projection.", "Borderline cardiomegaly.")])
    return _item("cardiomegaly", "heart", f, i)


def it_ng(r, ctx):
    if ctx == "oesoph":
        f = r.choice(["NG tube tip projects over the intrathoracic gastric conduit.",
                      "Nasogastric tube in situ with its tip in the gastric conduit, just above the hiatus.",
                      "NG tube tip lies within the conduit at the level of T10."])
        i = r.choice(["NG tube tip within the gastric conduit.", "NG tube in satisfactory position."])
    else:
        f = r.choice(["NG tube tip is below the diaphragm, in the stomach.",
                      "Nasogastric tube in situ, tip projected below the left hemidiaphragm."])
        i = "NG tube in satisfactory position."
    return _item("ng", "lines", f, i, minor=True)


def it_drain(r, ctx):
    if ctx == "oesoph":
        s = r.choice(["right", "right", "left"])
        f = r.choice([f"{s.capitalize()} intercostal drain in situ, tip at the {s} apex.",
                      f"{s.capitalize()}-sided chest drain with its tip projected over the {s} upper zone."])
        i = r.choice([f"{s.capitalize()} chest drain in situ.", f"{s.capitalize()} intercostal drain in satisfactory "
                      "position."])
        return _item("drain", "lines", f, i, side=s, minor=True)
    s = r.choice(["left", "left", "right"])
    f = r.choice([f"Surgical drain projected over the {s} upper quadrant.",
                  f"Abdominal drain in the {s} upper quadrant."])
    i = f"{s.capitalize()} upper quadrant drain in situ."
    return _item("drain", "lines", f, i, side=s, minor=True)


def it_cvc(r, ctx):
    s = r.choice(SIDES)
    f = r.choice([f"{s.capitalize()} internal jugular central venous catheter with tip in the SVC.",
                  f"{s.capitalize()} IJ line, tip projected over the lower SVC."])
    i = r.choice([f"{s.capitalize()} IJ line tip in the SVC.", "Central line in satisfactory position."])
    return _item("cvc", "lines", f, i, side=s, minor=True)


def it_staples(r, ctx):
    f = r.choice(["Surgical staple line projected over the left upper quadrant, in keeping with recent sleeve "
                  "gastrectomy.", "Post-surgical staples in the left upper quadrant.",
                  "Staple lines in the upper abdomen, in keeping with gastric bypass."])
    i = "Post-surgical changes in the upper abdomen."
    return _item("staples", "abdomen", f, i, minor=True, blocks=[])


def it_conduit(r, ctx):
    f = r.choice(["Post-oesophagectomy appearances with the gastric conduit in the right paramediastinal region.",
                  "Right paramediastinal gastric conduit, as expected after oesophagectomy."])
    i = "Expected post-oesophagectomy appearances."
    return _item("conduit", "heart", f, i, minor=True)


def it_emphysema(r, ctx):
    s = r.choice(SIDES)
    f = r.choice([f"Surgical emphysema in the {s} chest wall.",
                  f"Subcutaneous emphysema tracking along the {s} lateral chest wall and lower neck."])
    i = f"{s.capitalize()} chest wall surgical emphysema."
    return _item("emphysema", "bones", f, i, side=s, must=True)


def it_mediastinum(r, ctx):
    f = r.choice(["The mediastinum is widened, new since the previous film.",
                  "New widening of the superior mediastinum compared with the day 1 film."])
    i = r.choice(["New mediastinal widening - ?haematoma or anastomotic leak. Suggest CT with oral contrast.",
                  "Widened mediastinum, new. Urgent CT recommended; discussed with the surgical team."])
    return _item("mediastinum", "heart", f, i, sig=True)


def it_nodule(r, ctx):
    s = r.choice(SIDES)
    mm = r.choice([7, 8, 9, 11, 12, 14])
    zone = r.choice(["upper zone", "mid zone", "lower zone"])
    f = r.choice([f"{mm} mm nodule in the {s} {zone}.", f"Well-defined {mm} mm pulmonary nodule projected over the "
                  f"{s} {zone}."])
    i = r.choice([f"{mm} mm {s} {zone} nodule. CT chest recommended.",
                  f"{s.capitalize()} {zone} pulmonary nodule ({mm} mm); suggest CT for further assessment."])
    return _item("nodule", "lungs", f, i, side=s, sig=True)


def it_granuloma(r, ctx):
    s = r.choice(SIDES)
    f = f"Small calcified granuloma in the {s} upper zone."
    i = "Old granulomatous disease."
    return _item("granuloma", "lungs", f, i, side=s, minor=True, blocks=[])


def it_hh(r, ctx):
    f = r.choice(["Retrocardiac gas-filled structure in keeping with a hiatus hernia.",
                  "Large hiatus hernia projected behind the heart."])
    i = "Hiatus hernia."
    return _item("hiatus", "heart", f, i, minor=True, blocks=[])


def it_band(r, ctx):
    f = r.choice(["Laparoscopic adjustable gastric band in situ in the left upper quadrant; port projected over the "
                  "anterior abdominal wall.", "Gastric band in situ with a normal orientation."])
    i = "Gastric band in situ."
    return _item("band", "abdomen", f, i, minor=True, blocks=[])


def it_hemidiaphragm(r, ctx):
    s = r.choice(SIDES)
    f = f"Elevated {s} hemidiaphragm."
    i = f"Elevated {s} hemidiaphragm."
    return _item("hemidiaphragm", "abdomen", f, i, side=s, blocks=[])


def it_spine(r, ctx):
    f = r.choice(["Degenerative changes in the thoracic spine.", "Mild thoracic spondylosis."])
    return _item("spine", "bones", f, "Degenerative thoracic spine.", minor=True)


POOLS = {
    "preop": [it_cardio, it_hh, it_granuloma, it_spine, it_nodule, it_hemidiaphragm, it_band, it_atelectasis,
              it_consol, it_effusion],
    "sleeve": [it_staples, it_atelectasis, it_effusion, it_free_gas, it_subphrenic, it_consol, it_drain, it_ptx,
               it_ng, it_cvc, it_oedema, it_hemidiaphragm],
    "bypass": [it_staples, it_atelectasis, it_effusion, it_free_gas, it_consol, it_drain, it_cvc, it_oedema,
               it_subphrenic, it_cardio],
    "oesoph": [it_ng, it_drain, it_conduit, it_atelectasis, it_effusion, it_ptx, it_emphysema, it_mediastinum,
               it_consol, it_oedema, it_cvc],
}

HIST = {
    "preop": ["Pre-operative assessment prior to laparoscopic sleeve gastrectomy. BMI 51.",
              "Pre-op CXR - listed for Roux-en-Y gastric bypass. OSA on CPAP.",
              "Morbid obesity (BMI 47), for bariatric surgery. Ex-smoker.",
              "Pre-op for revisional bariatric surgery (band to sleeve).",
              "Oesophageal adenocarcinoma, baseline film prior to Ivor Lewis oesophagectomy.",
              "Preop eval, BMI 55, planned lap RYGB. Asthmatic.",
              "Bariatric pre-assessment clinic. Short of breath on exertion.",
              "Morbid obesity, preoperative clearance for sleeve gastrectomy."],
    "sleeve": ["Day 1 post laparoscopic sleeve gastrectomy, desaturating. ?atelectasis",
               "POD 2 s/p lap sleeve gastrectomy, tachycardic, r/o leak.",
               "Post sleeve gastrectomy, left shoulder tip pain, ?subphrenic collection.",
               "Day 3 post LSG, pyrexia 38.4. ?chest source ?leak.",
               "Post-op sleeve, low saturations on ward."],
    "bypass": ["Day 1 post laparoscopic RYGB, hypoxic. ?aspiration",
               "POD 1 s/p Roux-en-Y gastric bypass, tachycardia, SOB.",
               "Post gastric bypass, rising CRP. ?collection ?chest infection",
               "Day 4 post revisional bypass, pyrexial.",
               "s/p lap RYGB, chest pain, r/o pneumothorax."],
    "oesoph": ["Day 1 post Ivor Lewis oesophagectomy. Check NG tube and chest drain position.",
               "Day 5 post oesophagectomy, pyrexia, ?anastomotic leak.",
               "Post oesophagectomy, increasing O2 requirement on ITU.",
               "Day 2 post three-stage oesophagectomy. Line and tube check.",
               "Post-op oesophagectomy, chest drain removed today. ?pneumothorax",
               "POD 3 s/p esophagectomy, new fever, r/o leak."],
}
TECH_PREOP = ["PA chest. Image quality limited by body habitus.",
              "PA and lateral views. Limited by large body habitus.",
              "Single PA view; soft tissue attenuation due to body habitus.", "PA erect chest."]
TECH_POST = ["AP semi-erect portable chest.", "Single AP portable view of the chest, obtained on the ward.",
             "AP supine mobile film. Rotated.", "AP sitting film on ITU. Limited by patient habitus."]
COMPARISON_PRE = ["None.", "No previous imaging.", "None available.", "XXXX."]
COMPARISON_POST = ["Pre-operative film XXXX.", "Previous film of XXXX.", "Chest radiograph dated XXXX.",
                   "Comparison made with yesterday's film.", "Prior study XXXX."]
EXAM_UK = ["XR CHEST", "CHEST X-RAY (MOBILE)", "XR Chest PA", "CXR - WARD", "Chest radiograph"]
EXAM_US = ["EXAM: XR CHEST 1 VIEW PORTABLE", "EXAM: CHEST PA AND LATERAL", "EXAM: XR CHEST 1V",
           "EXAMINATION: Chest radiograph, portable"]
NORMAL_IMP_UK = ["No acute abnormality.", "Normal chest radiograph.", "NAD.",
                 "No significant abnormality demonstrated.",
                 "No active lung disease.", "Nil acute."]
NORMAL_IMP_US = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                 "Normal chest radiograph.", "No acute intrathoracic abnormality."]
PREOP_NORMAL_EXTRA = ["Satisfactory pre-operative chest radiograph.", "No contraindication to surgery identified on "
                      "this film."]
SIGN_UK = ["Dr XXXX, Consultant Radiologist\nGMC No. XXXX",
           "Reported by: Dr XXXX (ST4 Radiology Registrar)\nVerified by: Dr XXXX, Consultant Radiologist",
           "Dr XXXX\nConsultant GI Radiologist",
           "Electronically signed by Dr XXXX, Consultant Radiologist, on XXXX",
           "Reported by Dr ___, Consultant Radiologist"]
SIGN_US = ["Electronically signed by: XXXX, MD on XXXX",
           "Dictated by: XXXX, MD (Resident)\nI have personally reviewed the images and agree with the findings.\n"
           "Attending: XXXX, MD", "Signed: XXXX, MD\nReport status: Final",
           "Interpreted by XXXX, MD. Dictated XXXX, transcribed XXXX."]

# layouts: (name, uk?, findings header, impression header, structured findings?)
LAYOUTS = [
    ("uk_cris", True, "Findings:", "Conclusion:"),
    ("uk_cris_opinion", True, "Findings:", "Opinion:"),
    ("uk_comment", True, "REPORT:", "COMMENT:"),
    ("uk_caps", True, "FINDINGS:", "IMPRESSION:"),
    ("us_structured", False, "FINDINGS:", "IMPRESSION:"),
    ("us_prose", False, "FINDINGS:", "IMPRESSION:"),
    ("us_inline", False, "Findings:", "Impression:"),
    ("uk_summary", True, "Findings:", "Summary:"),
]
LAYOUT_BY_NAME = {lay[0]: lay for lay in LAYOUTS}


# --------------------------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------------------------

def render(parts: dict) -> str:
    """parts: layout, hist, tech, comparison, exam, findings (str), impression (list of str), sign, and
    fmode / imode: 'normal' | 'empty' | 'sign' | 'absent'."""
    name, uk, fh, ih = LAYOUT_BY_NAME[parts["layout"]]
    fmode, imode = parts.get("fmode", "normal"), parts.get("imode", "normal")
    sign = parts["sign"]
    imp = parts["impression"]
    if len(imp) > 1 and parts.get("numbered", True):
        imp_txt = "\n".join(f"{k}. {s}" for k, s in enumerate(imp, 1))
    else:
        imp_txt = " ".join(imp)
    inline = name == "us_inline"
    out = []
    if name.startswith("us"):
        out.append(parts["exam_us"])
        out.append(f"{'INDICATION' if name == 'us_inline' else 'CLINICAL HISTORY'}: {parts['hist']}")
        out.append(f"TECHNIQUE: {parts['tech']}")
        out.append(f"COMPARISON: {parts['comparison']}")
    else:
        out.append(parts["exam_uk"])
        hlab = {"uk_cris": "Clinical details", "uk_cris_opinion": "Clinical information", "uk_comment": "Clinical "
                "history", "uk_caps": "CLINICAL DETAILS", "uk_summary": "Indication"}[name]
        out.append(f"{hlab}: {parts['hist']}")
        if parts.get("tech_uk"):
            out.append(parts["tech"])
        if parts.get("cmp_uk"):
            out.append(f"Comparison: {parts['comparison']}")
    out.append("")

    def section(header, body, mode):
        if mode == "absent":
            return
        if mode == "empty":
            out.append(header)
            out.append("")
            return
        if mode == "sign":
            out.append(header)
            out.append(sign)
            out.append("")
            return
        if inline:
            out.append(f"{header} {body.replace(chr(10), ' ')}")
        else:
            out.append(header)
            out.append(body)
        out.append("")

    section(fh, parts["findings"], fmode)
    section(ih, imp_txt, imode)
    if not (imode == "sign" or (imode == "absent" and fmode == "sign")):
        out.append(sign)
    text = "\n".join(out).strip() + "\n"
    return text if uk else usify(text)


def findings_text(parts_items: list[dict], normals: dict, structured: bool, r: random.Random) -> str:
    if structured:
        lines = []
        for c in CATS:
            sents = [i["find"] for i in parts_items if i["cat"] == c]
            if sents:
                lines.append(f"{CAT_TITLE[c]}: {' '.join(sents)}")
            elif c in normals:
                lines.append(f"{CAT_TITLE[c]}: {normals[c]}")
        return "\n".join(lines)
    pairs = [(CATS.index(i["cat"]), 0, i["find"]) for i in parts_items]
    pairs += [(CATS.index(c), 1 if r.random() < 0.5 else -1, s) for c, s in normals.items()]
    pairs.sort(key=lambda p: (p[0], p[1]))
    sents = [p[2] for p in pairs]
    return " ".join(sents) if r.random() < 0.6 else "\n".join(sents)


# --------------------------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------------------------

def _base_parts(r: random.Random, ctx: str, layout: str) -> dict:
    pre = ctx == "preop"
    return {
        "layout": layout, "hist": r.choice(HIST[ctx]), "tech": r.choice(TECH_PREOP if pre else TECH_POST),
        "comparison": r.choice(COMPARISON_PRE if pre else COMPARISON_POST), "exam_uk": r.choice(EXAM_UK),
        "exam_us": r.choice(EXAM_US[1:3] if pre else [EXAM_US[0], EXAM_US[3]]),
        "tech_uk": r.random() < 0.5, "cmp_uk": r.random() < 0.6,
        "sign": r.choice(SIGN_UK if LAYOUT_BY_NAME[layout][1] else SIGN_US), "numbered": r.random() < 0.8,
    }


def _pick_items(r, ctx, n, need=None):
    """n items of distinct concepts from the context pool; `need` is a predicate one item must meet."""
    for _ in range(200):
        items, seen = [], set()
        pool = POOLS[ctx][:]
        r.shuffle(pool)
        for fn in pool:
            if len(items) >= n:
                break
            it = fn(r, ctx)
            if it["concept"] in seen:
                continue
            seen.add(it["concept"])
            items.append(it)
        if need is None or any(need(i) for i in items):
            return items
    raise RuntimeError("could not pick items")


def _normals(r, items, exclude=()):
    blocked = set().union(*[i["blocks"] for i in items]) if items else set()
    out = {}
    for c, opts in CAT_NORMAL.items():
        if c in blocked or c in exclude:
            continue
        if r.random() < 0.75:
            out[c] = r.choice(opts)
    return out


def _impression_for(r, items, uk, ctx):
    must = [i for i in items if i["must"]]
    others = [i for i in items if not i["must"]]
    chosen = must[:]
    for i in others:
        if not i["minor"] or r.random() < 0.5:
            chosen.append(i)
    if not chosen or all(i["minor"] for i in chosen):
        normal = r.choice(NORMAL_IMP_UK if uk else NORMAL_IMP_US)
        if ctx == "preop" and r.random() < 0.3:
            normal = r.choice(PREOP_NORMAL_EXTRA)
        if chosen and r.random() < 0.5:
            return [i["imp"] for i in chosen] + [normal], chosen
        return [normal], []
    chosen.sort(key=lambda i: (not i["must"], i["minor"]))
    return [i["imp"] for i in chosen], chosen


def _flip(text: str) -> str:
    def f(m):
        w = m.group(0)
        o = {"left": "right", "right": "left"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(left|right|Left|Right)\b", f, text)


def compose(r: random.Random, kind: str | None) -> tuple[str, str]:
    layout = r.choice([lay[0] for lay in LAYOUTS])
    uk = LAYOUT_BY_NAME[layout][1]
    structured = layout == "us_structured"
    ctx = r.choice(["preop", "preop", "sleeve", "bypass", "oesoph"])
    if kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding") and ctx == "preop" \
            and r.random() < 0.7:
        ctx = r.choice(["sleeve", "bypass", "oesoph"])
    parts = _base_parts(r, ctx, layout)
    detail = f"composed ({layout}, {ctx})"

    if kind is None:
        n = r.choice([0, 0, 1, 1, 2, 3]) if ctx == "preop" else r.choice([1, 2, 2, 3, 3, 4])
        items = _pick_items(r, ctx, n)
        normals = _normals(r, items)
        imp, _ = _impression_for(r, items, uk, ctx)
        if r.random() < 0.05 and items and not structured:
            # impression-only report that itself describes the findings: not an error
            parts["fmode"] = "absent"
            imp = [i["find"] for i in items]
            detail += ": clean, no FINDINGS section, descriptive impression"
        else:
            detail += ": clean"
        parts.update(findings=findings_text(items, normals, structured, r), impression=imp)
        return render(parts), detail

    if kind == "missing_section":
        items = _pick_items(r, ctx, r.choice([1, 2, 3]))
        normals = _normals(r, items)
        imp, _ = _impression_for(r, items, uk, ctx)
        parts.update(findings=findings_text(items, normals, structured, r), impression=imp)
        which = r.choice(["imp_empty", "imp_sign", "imp_absent", "find_empty", "find_sign", "imp_empty"])
        if which.startswith("imp"):
            parts["imode"] = which[4:]
            detail += f": IMPRESSION ({LAYOUT_BY_NAME[layout][3]}) " + {
                "empty": "header kept, left empty", "sign": "header kept with only the signature under it",
                "absent": "section removed"}[which[4:]]
        else:
            parts["fmode"] = which[5:]
            detail += f": FINDINGS ({LAYOUT_BY_NAME[layout][2]}) " + {
                "empty": "header kept, left empty", "sign": "header kept with only the signature under it"}[which[5:]]
        return render(parts), detail

    if kind == "laterality_conflict":
        def lat_ok(i):
            return (i["side"] in SIDES and i["concept"] not in ("granuloma",)
                    and re.search(i["side"], i["imp"], re.I) and re.search(i["side"], i["find"], re.I))
        items = _pick_items(r, ctx, r.choice([1, 2, 3]), lat_ok)
        target = r.choice([i for i in items if lat_ok(i)])
        target["must"] = True
        normals = _normals(r, items)
        imp, _ = _impression_for(r, items, uk, ctx)
        if target["imp"] not in imp:
            imp.insert(0, target["imp"])
        orig = target["side"]
        if r.random() < 0.5:
            new = _flip(target["imp"])
            imp = [new if s == target["imp"] else s for s in imp]
            detail += f": impression '{new}' says {_flip(orig)}; findings place the {target['concept']} on the {orig}"
        else:
            old = target["find"]
            target["find"] = _flip(old)
            detail += (f": findings sentence flipped {orig}->{_flip(orig)} ('{target['find']}'); impression keeps "
                       f"{orig} ('{target['imp']}')")
        parts.update(findings=findings_text(items, normals, structured, r), impression=imp)
        return render(parts), detail

    if kind == "negation_conflict":
        concepts = list(NEG_BY_CAT)

        def neg_ok(i):
            return i["concept"] in concepts
        items = _pick_items(r, ctx, r.choice([1, 2, 3]), neg_ok)
        target = r.choice([i for i in items if neg_ok(i)])
        target["must"] = True
        cat = NEG_BY_CAT[target["concept"]]
        if r.random() < 0.5:
            # findings negate (by the normal statement of the category), impression asserts
            rest = [i for i in items if i["cat"] != cat and cat not in i["blocks"]]
            normals = _normals(r, rest)
            normals[cat] = r.choice(CAT_NORMAL[cat] if not structured else STRUCT_NORMAL[cat] + CAT_NORMAL[cat][:1])
            imp, _ = _impression_for(r, rest, uk, ctx)
            if len(imp) == 1 and imp[0] in NORMAL_IMP_UK + NORMAL_IMP_US + PREOP_NORMAL_EXTRA:
                imp = []
            imp.insert(0, target["imp"])
            detail += (f": findings say '{normals[cat]}' but impression asserts '{target['imp']}'")
            parts.update(findings=findings_text(rest, normals, structured, r), impression=imp)
        else:
            normals = _normals(r, items)
            imp, _ = _impression_for(r, items, uk, ctx)
            neg = r.choice(NEG_IMP[target["concept"]])
            imp = [s for s in imp if s != target["imp"]]
            if len(imp) == 1 and imp[0] in NORMAL_IMP_UK + NORMAL_IMP_US + PREOP_NORMAL_EXTRA:
                imp = []
            imp.append(neg) if r.random() < 0.5 else imp.insert(0, neg)
            detail += f": findings affirm '{target['find']}' but impression says '{neg}'"
            parts.update(findings=findings_text(items, normals, structured, r), impression=imp)
        return render(parts), detail

    if kind == "impression_omits_finding":
        def om_ok(i):
            return i["sig"]
        mode = r.choice(["normal", "others"])
        c2 = ctx
        if mode == "normal":
            items = _pick_items(r, c2, r.choice([1, 2]), om_ok)
            target = r.choice([i for i in items if om_ok(i)])
            items = [i for i in items if i is target or (i["minor"] and not i["must"])]
            normals = _normals(r, items)
            imp = [r.choice(NORMAL_IMP_UK if uk else NORMAL_IMP_US)]
            detail += f": findings affirm '{target['find']}'; impression replaced by the normal statement '{imp[0]}'"
        else:
            for _ in range(100):
                items = _pick_items(r, c2, r.choice([2, 3, 3, 4]), om_ok)
                target = r.choice([i for i in items if om_ok(i)])
                others = [i for i in items if i is not target and not (i["sig"] or i["must"])]
                if others:
                    break
            items = [i for i in items if i is target or i in others]
            normals = _normals(r, items)
            imp = [i["imp"] for i in others]
            detail += f": findings affirm '{target['find']}'; impression lists only the other findings"
        parts.update(findings=findings_text(items, normals, structured, r), impression=imp)
        return render(parts), detail

    if kind == "placeholder":
        for _ in range(50):
            items = _pick_items(r, ctx, r.choice([1, 2, 3]))
            normals = _normals(r, items)
            imp, _ = _impression_for(r, items, uk, ctx)
            parts.update(findings=findings_text(items, normals, structured, r), impression=imp)
            try:
                new, what = put_placeholder(r, render(parts))
            except LookupError:
                continue
            return new, detail + f": {what}"
        raise RuntimeError("no place for a placeholder")
    raise ValueError(kind)


PH_SIDE = ["[side]", "[left/right]", "[***]", "<<side>>", "[ ]"]
PH_SIZE = ["[size]", "[small/moderate/large]", "[***]", "<<size>>", "[ ]"]
PH_NUM = ["XX", "<<size>>", "[***]", "___", "[measurement]"]
PH_LOC = ["[***]", "[ ]", "<<location>>", "[level]", "***"]
PH_WORD = ["[***]", "[ ]", "***", "<<finding>>", "[normal/abnormal]"]


def _body_span(text: str) -> tuple[int, int]:
    """character range of the findings and impression sections (after the first findings-type header)."""
    m = re.search(r"^(Findings:|FINDINGS:|REPORT:)", text, re.M)
    start = m.start() if m else 0
    return start, len(text)


def put_placeholder(r: random.Random, text: str) -> tuple[str, str]:
    start, end = _body_span(text)
    body = text[start:end]
    pats = [
        (r"\b\d+(\.\d+)? ?(cm|mm)\b", PH_NUM, "measurement"),
        (r"\b(left|right|Left|Right)\b", PH_SIDE, "side"),
        (r"\b(small|moderate|large|mild|Small|Moderate|Large|Mild)\b", PH_SIZE, "size"),
        (r"\b(clear|normal|satisfactory|unremarkable)\b", PH_WORD, "word"),
        (r"\b(SVC|stomach|conduit|apex|hemidiaphragm|hemidiaphragms|base|zone|lobe)\b", PH_LOC, "location"),
    ]
    cands = []
    for pat, opts, what in pats:
        for m in re.finditer(pat, body):
            line_start = body.rfind("\n", 0, m.start()) + 1
            line = body[line_start:body.find("\n", m.end()) if "\n" in body[m.end():] else len(body)]
            if re.search(r"signed|Signed|Dr |, MD|Reported|Verified|Attending|GMC|status|Dictated|Interpreted|"
                         r"Consultant|COMPARISON|Comparison", line):
                continue
            cands.append((m, opts, what))
    if not cands:
        raise LookupError("no word to blank")
    m, opts, what = r.choice(cands)
    ph = r.choice(opts)
    word = m.group(0)
    if what == "measurement":
        unit = m.group(2)
        rep = f"{ph} {unit}"
    else:
        rep = ph
    new_body = body[:m.start()] + rep + body[m.end():]
    return text[:start] + new_body + text[end:], f"'{word}' replaced by the unfilled field '{rep}'"


# --------------------------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------------------------

CONCEPT_RE = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace (?:disease|opacit)|air space (?:disease|opacit)|infiltrat|pneumonia",
    "edema": r"edema|oedema|vascular congestion|\bchf\b|heart failure",
    "cardiomegaly": (r"cardiomegaly|heart (?:size )?is (?:mildly |moderately |markedly )?enlarged|"
                     r"enlarged (?:heart|cardiac)"),
    "nodule": r"nodul|\bmass\b",
    "atelectasis": r"atelecta",
    "opacity": r"opacit|densit",
}
SIG_CONCEPTS = ("effusion", "pneumothorax", "consolidation", "edema", "nodule", "opacity")
NEG_CUE = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|free of|normal|removed)\b", re.I)
HEDGE_CUE = re.compile(r"(\b(exclude|excluded|cannot|can't|versus|vs|or|possibl\w*|may|could|question|suspect\w*|"
                       r"concern\w*|suggest\w*|differential)\b|\?)", re.I)
NORMAL_IMP_RE = re.compile(r"^\s*(1\.\s*)?(no acute|normal|negative|no active|no evidence of acute|unremarkable|"
                           r"no radiographic evidence of acute|no acute cardiopulmonary|clear lungs|no significant)",
                           re.I)
QUALIFIER = re.compile(r"\b(small|trace|tiny|minimal|mild|stable|chronic|unchanged|old|scar|scarring|calcified|"
                       r"granulom|borderline|prior|previous|healed|minor|subsegmental|residual|probabl|likely|"
                       r"versus|or|possibl|may|could|cannot)\w*", re.I)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def concept_state(sent: str) -> dict:
    """concept -> 'aff' | 'neg' for concepts mentioned in one sentence."""
    out = {}
    low = sent.lower()
    for c, pat in CONCEPT_RE.items():
        m = re.search(pat, low)
        if not m:
            continue
        before = low[:m.start()]
        out[c] = "neg" if NEG_CUE.search(before) else "hedge" if HEDGE_CUE.search(before) else "aff"
    return out


def _sides(sent: str) -> set:
    return {w.lower() for w in re.findall(r"\b(left|right)\b", sent, re.I)}


def analyse(rep: dict) -> dict | None:
    """None when the archive report itself is not clean enough to serve (conflicts, omissions, oddities)."""
    fnd, imp = rep["FINDINGS"], rep["IMPRESSION"]
    if re.search(r"[\[\]<>*{}]|_{2,}|&", fnd + imp) or len(fnd) > 700 or len(imp) > 300 or len(fnd) < 40:
        return None
    fs, is_ = sentences(fnd), sentences(imp)
    aF, nF, aI, nI = {}, set(), {}, set()
    for s in fs:
        for c, st in concept_state(s).items():
            if st == "aff":
                aF.setdefault(c, []).append(s)
            elif st == "neg":
                nF.add(c)
    for s in is_:
        for c, st in concept_state(s).items():
            if st == "aff":
                aI.setdefault(c, []).append(s)
            elif st == "neg":
                nI.add(c)
    normal_imp = bool(NORMAL_IMP_RE.search(imp)) and not aI
    for c in aI:
        if c not in aF:
            return None                      # impression asserts what findings do not describe (or negate)
    for c in nI:
        if c in aF:
            return None
    if normal_imp and aF:
        return None
    for c in SIG_CONCEPTS:
        if c in aF and c not in aI and any(not QUALIFIER.search(s) for s in aF[c]):
            return None                      # the archive's own omission
    for c in aI:
        si = set().union(*[_sides(s) for s in aI[c]])
        sf = set().union(*[_sides(s) for s in aF[c]])
        if si and sf and not si <= sf:
            return None
        if si and not sf:
            return None
    if not normal_imp and not aI and not NORMAL_IMP_RE.search(imp):
        # impression of things the concept list does not know: accept only side-consistent ones
        if _sides(imp) - _sides(fnd):
            return None
    return {"aF": aF, "nF": nF, "aI": aI, "nI": nI, "normal": normal_imp, "fs": fs, "is": is_}


def load_iu(shared: Path) -> list[dict]:
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            if line.strip():
                dev.add(json.loads(line)["uid"])
    reps = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            t = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', t)
            if not u or u.group(1) in dev:
                continue
            secs = {lab: html.unescape(txt).strip()
                    for lab, txt in re.findall(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', t, re.S)}
            if not secs.get("FINDINGS") or not secs.get("IMPRESSION"):
                continue
            secs["uid"] = u.group(1)
            a = analyse(secs)
            if a is None:
                continue
            secs["a"] = a
            reps.append(secs)
    reps.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    return reps


REWORD = [
    (r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bwithin normal limits\b", "normal"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"), (r"\bcardiac silhouette\b", "heart size"),
    (r"\bThe lungs are clear\b", "Lungs are clear"), (r"\bosseous structures\b", "bones"),
    (r"\bbibasilar\b", "bibasal"), (r"\bbasilar\b", "basal"),
]


def reword(text: str, uk: bool, log: list) -> str:
    for a, b in REWORD + (_UK if uk else _US_IU):
        new = re.sub(a, b, text)
        if new != text:
            lab = f"{a.replace(chr(92) + 'b', '')}->{b}"
            if lab not in log:
                log.append(lab)
            text = new
    return text


IU_HIST_UK = ["Pre-operative assessment prior to bariatric surgery. BMI 46.", "Pre-op CXR, listed for laparoscopic "
              "sleeve gastrectomy.", "Bariatric pre-assessment, OSA.", "Day 3 post laparoscopic sleeve gastrectomy, "
              "SOB.", "Post bariatric surgery, pyrexia. ?chest", "Pre-op for Roux-en-Y gastric bypass. Smoker."]
IU_HIST_US = ["Preop eval for lap RYGB, BMI 49.", "Preoperative clearance, bariatric surgery.",
              "s/p sleeve gastrectomy, cough.", "Bariatric surgery workup.", "POD 4 s/p gastric bypass, dyspnea."]


def iu_parts(r: random.Random, rep: dict) -> tuple[dict, list, list, list]:
    """layout parts, findings sentences, impression items, change log"""
    layout = r.choice([lay[0] for lay in LAYOUTS if lay[0] != "us_structured"])
    uk = LAYOUT_BY_NAME[layout][1]
    log = []
    fnd = reword(rep["FINDINGS"], uk, log)
    imp = reword(rep["IMPRESSION"], uk, log)
    imp_items = [re.sub(r"^\d\.\s*", "", s.strip()) for s in re.split(r"\s*(?:^|\s)\d\.\s*(?=[A-Z])", imp)]
    imp_items = [s for s in imp_items if re.search(r"[A-Za-z]{3}", s)]
    if len(imp_items) <= 1:
        imp_items = [imp.strip()]
    hist_orig = (rep.get("INDICATION") or "").strip()
    if hist_orig and hist_orig.lower() not in ("xxxx", "none", "none.") and r.random() < 0.35:
        hist = hist_orig
    else:
        hist = r.choice(IU_HIST_UK if uk else IU_HIST_US)
        log.append("setting indication")
    comp = (rep.get("COMPARISON") or "None.").strip() or "None."
    parts = {"layout": layout, "hist": hist, "tech": r.choice(["PA and lateral chest. Limited by body habitus.",
                                                               "PA and lateral views.", "Two views of the chest."]),
             "comparison": comp, "exam_uk": r.choice(EXAM_UK[2:]), "exam_us": r.choice(EXAM_US[1:3]),
             "tech_uk": r.random() < 0.5, "cmp_uk": r.random() < 0.6,
             "sign": r.choice(SIGN_UK if uk else SIGN_US), "numbered": r.random() < 0.85}
    fs = sentences(fnd)
    parts["findings"] = " ".join(fs) if r.random() < 0.7 else "\n".join(fs)
    parts["impression"] = imp_items
    return parts, fs, imp_items, log


def _lat_candidates(rep):
    a = rep["a"]
    out = []
    for c, isents in a["aI"].items():
        si = set().union(*[_sides(s) for s in isents])
        sf = set().union(*[_sides(s) for s in a["aF"][c]])
        if len(si) == 1 and si == sf:
            out.append(c)
    return out


def _neg_candidates(rep):
    a = rep["a"]
    aff = [c for c in a["aI"] if c in NEG_IU_IMP]
    negd = [c for c in sorted(a["nF"]) if c in AFF_IU_IMP and c not in a["aF"] and c not in a["aI"]
            and any(re.search(r"\b(no|without|negative for)\b.*(" + CONCEPT_RE[c] + ")", x, re.I) for x in a["fs"])]
    return aff, negd


def _om_candidates(rep):
    a = rep["a"]
    out = []
    for c in ("effusion", "pneumothorax", "consolidation", "edema", "nodule"):
        if c in a["aF"] and c in a["aI"] and any(not QUALIFIER.search(s) for s in a["aF"][c]):
            out.append(c)
    return out


NEG_IU_IMP = {"effusion": ["No pleural effusion."], "pneumothorax": ["No pneumothorax."],
              "consolidation": ["Lungs are clear.", "No focal consolidation."], "edema": ["No pulmonary edema."],
              "cardiomegaly": ["Heart size is normal.", "Normal heart size."], "atelectasis": ["Lungs are clear."],
              "opacity": ["Lungs are clear."]}
AFF_IU_IMP = {"effusion": "Small {s} pleural effusion.", "pneumothorax": "Small {s} apical pneumothorax.",
              "consolidation": "{S} lower zone consolidation, ?aspiration.", "edema": "Mild pulmonary edema."}


def iu_case(r: random.Random, rep: dict, kind: str | None) -> tuple[str, str]:
    parts, fs, imp, log = iu_parts(r, rep)
    uk = LAYOUT_BY_NAME[parts["layout"]][1]

    def sp(t):
        return reword(t, True, []) if uk else t
    head = f"IU {rep['uid']}: re-laid out ({parts['layout']})"
    if log:
        head += ", reworded " + ", ".join(log)
    if kind is None:
        return render_iu(parts), head + "; clean"
    if kind == "missing_section":
        which = r.choice(["imp_empty", "imp_sign", "imp_absent", "find_empty", "find_sign", "imp_empty"])
        if which.startswith("imp"):
            parts["imode"] = which[4:]
            what = "IMPRESSION " + {"empty": "emptied, header kept", "sign": "emptied, only the signature under its "
                                    "header", "absent": "removed"}[which[4:]]
        else:
            parts["fmode"] = which[5:]
            what = "FINDINGS " + {"empty": "emptied, header kept", "sign": "emptied, only the signature under its "
                                  "header"}[which[5:]]
        return render_iu(parts), f"{head}; {what}"
    if kind == "laterality_conflict":
        c = r.choice(_lat_candidates(rep))

        def flip_in(items):
            hits = []
            for k, item in enumerate(items):
                ss = sentences(item)
                hits += [(k, j, ss) for j, x in enumerate(ss)
                         if concept_state(x).get(c) == "aff" and len(_sides(x)) == 1
                         and not re.search(r"\b(no|not|without|resolved|less)\b", x, re.I)]
            if len(hits) != 1:
                return None
            k, j, ss = hits[0]
            ss[j] = _flip(ss[j])
            items[k] = " ".join(ss)
            return ss[j]

        for sec in (["imp", "find"] if r.random() < 0.5 else ["find", "imp"]):
            if sec == "imp":
                done = flip_in(imp)
                if done:
                    return render_iu(parts), (f"{head}; impression sentence about {c} flipped ('{done}'), "
                                              "findings keep the original side")
            else:
                done = flip_in(fs)
                if done:
                    parts["findings"] = ("\n" if "\n" in parts["findings"] else " ").join(fs)
                    return render_iu(parts), (f"{head}; findings sentence about {c} flipped ('{done}'), "
                                              "impression keeps the original side")
        raise LookupError
    if kind == "negation_conflict":
        aff, negd = _neg_candidates(rep)
        if aff and (not negd or r.random() < 0.5):
            c = r.choice(aff)
            neg = sp(r.choice(NEG_IU_IMP[c]))
            keep = [s for s in imp if not concept_state(s).get(c) == "aff" and not NORMAL_IMP_RE.search(s)]
            parts["impression"] = keep + [neg] if r.random() < 0.5 else [neg] + keep
            return render_iu(parts), f"{head}; findings affirm {c}, impression now says '{neg}'"
        c = r.choice(negd)
        s = r.choice(SIDES)
        aff_s = sp(AFF_IU_IMP[c].format(s=s, S=s.capitalize()))
        keep = [" ".join(y for y in sentences(x) if not NORMAL_IMP_RE.search(y)) for x in imp]
        parts["impression"] = [aff_s] + [x for x in keep if re.search(r"[A-Za-z]{3}", x)]
        return render_iu(parts), f"{head}; findings negate {c}, impression now asserts '{aff_s}'"
    if kind == "impression_omits_finding":
        c = r.choice(_om_candidates(rep))
        related = CONCEPT_RE[c] + (r"|pneumoni|infect|aspiration" if c == "consolidation" else "")
        keep = [s for s in imp if c not in concept_state(s) and not re.search(related, s, re.I)]
        if keep and r.random() < 0.6:
            parts["impression"] = keep
            return render_iu(parts), f"{head}; impression items about {c} dropped, the others kept"
        normal = r.choice(NORMAL_IMP_UK[:2] if uk else NORMAL_IMP_US[:2])
        parts["impression"] = [normal]
        return render_iu(parts), f"{head}; findings affirm {c}, impression replaced by '{normal}'"
    if kind == "placeholder":
        text = render_iu(parts)
        new, what = put_placeholder(r, text)
        return new, f"{head}; {what}"
    raise ValueError(kind)


def render_iu(parts: dict) -> str:
    # IU text is already in the chosen spelling; render() would US-ify UK phrases only, which IU text does not use
    return render(parts)


def _iu_eligible(rep, kind):
    a = rep["a"]
    if kind is None or kind in ("missing_section", "placeholder"):
        return True
    if kind == "laterality_conflict":
        return bool(_lat_candidates(rep))
    if kind == "negation_conflict":
        aff, negd = _neg_candidates(rep)
        return bool(aff or negd)
    if kind == "impression_omits_finding":
        return bool(_om_candidates(rep)) and not a["normal"]
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------------------------

_IU_CACHE: dict = {}


def _iu(shared: Path) -> list[dict]:
    key = str(shared)
    if key not in _IU_CACHE:
        _IU_CACHE[key] = load_iu(shared)
    return _IU_CACHE[key]


def build(seed: int) -> list[dict]:
    r = random.Random(f"h140-{seed}")
    reps = _iu(shared_dir())
    plan = [None] * (N_CLEAN // 2) + [k for k in KINDS for _ in range(N_KIND // 2)]
    rows = []
    used = set()
    # IU: scarce kinds first
    # (ties broken by name: a set's own order follows the hash seed, and the scarce kinds' order decides which IU
    # reports each kind gets)
    order = sorted(set(plan), key=lambda k: ({"laterality_conflict": 0, "impression_omits_finding": 1,
                                              "negation_conflict": 2}.get(k, 5), str(k)))
    iu_rows = []
    pool = reps[:]
    r.shuffle(pool)
    for kind in order:
        n = plan.count(kind)
        got = 0
        for rep in pool:
            if got == n:
                break
            if rep["uid"] in used or not _iu_eligible(rep, kind):
                continue
            if kind is None and not rep["a"]["normal"] and r.random() < 0.4:
                continue                     # clean IU: a majority normal, a good share abnormal
            try:
                text, detail = iu_case(random.Random(f"{seed}-{rep['uid']}-{kind}"), rep, kind)
            except (LookupError, IndexError):
                continue
            used.add(rep["uid"])
            iu_rows.append((kind, text, detail, rep["uid"]))
            got += 1
        if got < n:
            raise RuntimeError(f"not enough IU reports for {kind}: {got}/{n}")
    comp_rows = []
    for kind in plan:
        text, detail = compose(r, kind)
        comp_rows.append((kind, text, detail, None))
    allrows = iu_rows + comp_rows
    r.shuffle(allrows)
    for k, (kind, text, detail, _uid) in enumerate(allrows):
        row = {"id": f"h140-{seed}-{k}", "injected": kind, "detail": detail, "report": text}
        rows.append(row)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if args.show:
        for kind in [None] + KINDS:
            sel = [x for x in rows if x["injected"] == kind]
            comp = [y for y in sel if not y["detail"].startswith("IU")]
            for x in comp[: (args.show + 1) // 2] + [y for y in sel if y["detail"].startswith("IU")][: args.show // 2]:
                print(f"=== {x['id']} [{kind}] {x['detail']}\n{x['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
