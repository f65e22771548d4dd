"""Held-out report-error set 166: chest films from radiation oncology / radiotherapy departments (UK and US).

Written blind (without sight of the checker). 400 cases: 200 clean and 40 of each of the five kinds of
``shared/eval/README.md``. Half of every group is composed from a phrase bank in the setting's style, half is
real IU reports (never a dev-set uid, each used once) re-laid out and lightly re-worded in the setting's style.

usage: python -m bench.make_heldout166 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
PREFIX = "h166"


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ----------------------------------------------------------------------------------------------------------
# spelling and small text helpers
# ----------------------------------------------------------------------------------------------------------

UK_TO_US = [
    ("oedema", "edema"), ("Oedema", "Edema"), ("haem", "hem"), ("Haem", "Hem"), ("oesophag", "esophag"),
    ("Oesophag", "Esophag"), ("tumour", "tumor"), ("visualised", "visualized"), ("centre", "center"),
    ("opacification", "opacification"), ("localised", "localized"), ("characterised", "characterized"),
]
US_TO_UK = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\btumor", "tumour"), (r"\bTumor", "Tumour"), (r"\bvisualized", "visualised"), (r"\bVisualized", "Visualised"),
    (r"\bhemorrhag", "haemorrhag"), (r"\bhemithorax", "hemithorax"), (r"\blocalized", "localised"),
    (r"\bcharacterized", "characterised"), (r"\brecognized", "recognised"),
]


def to_us(text: str) -> str:
    for a, b in UK_TO_US:
        text = text.replace(a, b)
    return text


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def sent(s: str) -> str:
    s = s.strip()
    if s and s[-1] not in ".?!":
        s += "."
    return cap(s)


def other_side(side: str) -> str:
    return "left" if side == "right" else "right"


def fill(template: str, side: str | None, zone: dict) -> str:
    out = template
    if side:
        out = out.replace("{Side}", cap(side)).replace("{side}", side)
    for k, v in zone.items():
        out = out.replace("{" + k + "}", v)
    return sent(out)


# ----------------------------------------------------------------------------------------------------------
# phrase bank (written in UK spelling; converted for US reports)
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Item:
    key: str
    group: str
    side: str | None
    f: str  # findings sentence template
    i: str | None  # impression sentence template (None: not needed in the impression)
    sig: bool  # significant: leaving it out of the impression is an omission
    tags: tuple  # normal statements with these tags may not stand beside it
    neg: str | None = None  # an impression sentence that negates it (negation conflict)
    size: str | None = None  # a size token in f that a template field can stand for
    i_alt: list = field(default_factory=list)


def bank_item(key: str, rng: random.Random, side: str | None) -> Item:
    c = rng.choice
    if key == "rt_fibrosis":
        f = c([
            "{Side} paramediastinal fibrotic change with volume loss and elevation of the {side} hilum, in keeping "
            "with post-radiotherapy change, unchanged",
            "Linear scarring and volume loss in the {side} upper {zone} conforming to the previous radiotherapy "
            "field, stable compared with the prior film",
            "Established {side} perihilar radiation fibrosis with a straight lateral margin and traction "
            "bronchiectasis, no change",
        ])
        i = c(["Stable {side}-sided post-radiotherapy fibrosis", "Established {side} paramediastinal radiation "
               "fibrosis, unchanged", "Stable {side} perihilar treatment-related fibrosis"])
        return Item(key, "fibrosis", side, f, i, False, ("lungs", "hilar", "fibrosis"))
    if key == "breast_fibrosis":
        f = c(["Thin band of subpleural reticulation in the anterior {side} upper {zone} within the tangential "
               "breast field, stable", "Minor {side} apical pleuroparenchymal scarring in the tangential field, "
               "unchanged"])
        i = c(["Stable minor {side} apical post-radiotherapy change", None])
        return Item(key, "fibrosis", side, f, i, False, ("lungs", "fibrosis"))
    if key == "lobectomy":
        lobe = c(["upper", "lower"])
        f = c([f"Post {{side}} {lobe} lobectomy with expected volume loss, elevation of the {{side}} hemidiaphragm "
               "and a staple line at the {side} hilum",
               f"Appearances following {{side}} {lobe} lobectomy with {{side}} hilar surgical clips and ipsilateral "
               "volume loss, stable"])
        i = c([f"Post {{side}} {lobe} lobectomy appearances, stable", f"Stable post-surgical change, {{side}} {lobe} "
               "lobectomy"])
        return Item(key, "lobectomy", side, f, i, False, ("hilar",))
    if key == "mastectomy":
        f = c(["{Side} mastectomy with surgical clips in the {side} axilla",
               "Absent {side} breast shadow and {side} axillary clips in keeping with mastectomy and axillary "
               "clearance"])
        i = c(["Post {side} mastectomy and axillary clearance", "{Side} mastectomy", None])
        return Item(key, "mastectomy", side, f, i, False, ())
    if key == "expander":
        f = "{Side} breast tissue expander in situ with its metallic port projected over the {side} lower {zone}"
        i = c(["{Side} breast tissue expander in situ", None])
        return Item(key, "expander", side, f, i, False, ())
    if key == "fiducial":
        n = c(["Two", "Three", "Four"])
        f = c([f"{n} fiducial markers projected over the {{side}} lower {{zone}}, in a stable position",
               f"{n} gold seed fiducials overlie the {{side}} {{mid}}, unchanged in position"])
        i = c(["Fiducial markers in situ in the {side} lung", "{Side}-sided fiducial markers unchanged", None])
        return Item(key, "fiducial", side, f, i, False, ())
    if key == "port":
        f = c(["{Side}-sided chest wall port with the catheter tip at the cavoatrial junction",
               "{Side} subclavian Port-a-Cath with tip projected over the lower SVC",
               "{Side} arm PICC with tip in the SVC"])
        i = c(["{Side}-sided central venous device in satisfactory position", None])
        return Item(key, "line", side, f, i, False, ())
    if key == "cardiomegaly_mild":
        f = c(["Mild cardiomegaly, unchanged", "Borderline cardiothoracic ratio, stable",
               "Heart size at the upper limit of normal, as before"])
        i = c(["Stable mild cardiomegaly", None])
        return Item(key, "cardiomegaly", None, f, i, False, ("cardiomegaly",), neg=c(["Heart size normal",
                    "Normal cardiac size"]))
    if key == "nodule_small":
        n = c(["3", "4", "5"])
        f = f"A {n} mm nodule in the {{side}} lower {{zone}} is unchanged since the prior study"
        i = c([f"Stable {n} mm {{side}} lower {{zone}} nodule", None])
        return Item(key, "nodule", side, f, i, False, ("nodule", "lungs"), size=n)
    if key == "effusion_small":
        f = c(["Small {side} pleural effusion, unchanged", "Blunting of the {side} costophrenic angle in keeping "
               "with a small effusion, as before"])
        i = c(["Small stable {side} pleural effusion", None])
        return Item(key, "effusion", side, f, i, False, ("effusion",))
    if key == "oesophagectomy":
        f = "Post oesophagectomy with the gastric conduit projected along the paramediastinal region, unchanged"
        i = c(["Post oesophagectomy appearances", None])
        return Item(key, "oesophagectomy", None, f, i, False, ("widened",))
    # ---- significant findings ----
    if key == "pneumonitis":
        f = c(["New patchy airspace opacity in the {side} upper {zone} and perihilar region, confined to the "
               "radiotherapy field with a straight lateral margin",
               "Ill-defined ground-glass and patchy consolidation in the {side} paramediastinal region, conforming "
               "to the treatment field, new since the previous film"])
        i = c(["{Side} paramediastinal changes conforming to the treatment field, in keeping with radiation "
               "pneumonitis", "Radiation pneumonitis in the {side} upper {zone}",
               "New {side} perihilar opacity within the radiotherapy field, consistent with radiation pneumonitis "
               "rather than recurrence"])
        return Item(key, "consolidation", side, f, i, True, ("lungs", "consolidation"),
                    neg=c(["No evidence of radiation pneumonitis", "Lungs clear", "No consolidation"]))
    if key == "consolidation":
        f = c(["Dense consolidation in the {side} lower {zone} with air bronchograms, outside the treatment field",
               "New airspace consolidation at the {side} base, separate from the radiotherapy field"])
        i = c(["{Side} lower {zone} consolidation, likely infective. Suggest follow-up film after treatment",
               "{Side} basal pneumonia", "New {side} lower {zone} consolidation in keeping with infection"])
        return Item(key, "consolidation", side, f, i, True, ("lungs", "consolidation"),
                    neg=c(["No consolidation", "Lungs clear", "No focal airspace disease"]))
    if key == "effusion_large":
        f, i = c([("Moderate {side} pleural effusion, increased since the previous film",
                   "Increasing {side} pleural effusion, ?malignant. Suggest ultrasound and diagnostic aspiration"),
                  ("Large {side} pleural effusion with opacification of the lower half of the {side} hemithorax",
                   "Large {side} pleural effusion"),
                  ("New moderate-sized {side} pleural effusion", "New moderate {side} pleural effusion"),
                  ("Moderate {side} pleural effusion, new since the last film",
                   "New {side} effusion, likely malignant given the history; pleural ultrasound advised")])
        return Item(key, "effusion", side, f, i, True, ("effusion",), neg=c(["No pleural effusion",
                    "Costophrenic angles clear"]))
    if key == "pneumothorax":
        n = c(["1.5", "2", "2.5", "3"])
        f = c([f"{{Side}} apical pneumothorax measuring {n} cm at the apex, following the recent fiducial insertion",
               f"New {{side}} pneumothorax with a {n} cm apical rim, no mediastinal shift"])
        i = c(["{Side} pneumothorax. Discussed with the clinical oncology team", "New {side} apical pneumothorax",
               "{Side} pneumothorax post procedure"])
        return Item(key, "pneumothorax", side, f, i, True, ("pneumothorax",), neg="No pneumothorax", size=n)
    if key == "nodule_new":
        n = c(["8", "11", "12", "14", "17", "21"])
        f = c([f"New {n} mm nodule in the {{side}} {{mid}}, outside the treated volume",
               f"A new {n} mm rounded opacity is seen in the {{side}} lower {{zone}}"])
        i = c(["New {side} pulmonary nodule, suspicious for metastasis. CT thorax advised",
               "New {side} lung nodule outside the radiotherapy field; recommend CT chest to assess for recurrence"])
        return Item(key, "nodule", side, f, i, True, ("nodule", "lungs"),
                    neg=c(["No suspicious pulmonary nodule", "No evidence of new lung nodule"]), size=n)
    if key == "mass":
        a, b = c([("4.2", "3.1"), ("5.0", "3.8"), ("3.6", "2.4"), ("6.1", "4.5")])
        f = c([f"Enlarging {{side}} hilar mass, now measuring {a} cm (previously {b} cm)",
               f"The {{side}} perihilar mass has increased in size to {a} cm from {b} cm"])
        i = c(["Enlarging {side} hilar mass, concerning for local recurrence rather than treatment-related change",
               "Interval growth of the {side} hilar mass; features favour recurrence. Recommend CT and MDT "
               "discussion"])
        return Item(key, "nodule", side, f, i, True, ("nodule", "hilar", "lungs"), neg="No hilar mass", size=a)
    if key == "oedema":
        f = c(["Upper lobe blood diversion, perihilar haze and septal lines in keeping with pulmonary oedema",
               "Interstitial pulmonary oedema with Kerley B lines and peribronchial cuffing"])
        i = c(["Pulmonary oedema", "Features of fluid overload / pulmonary oedema",
               "Interstitial pulmonary oedema; ?cardiotoxicity, correlate clinically"])
        return Item(key, "edema", None, f, i, True, ("edema", "lungs"), neg=c(["No pulmonary oedema",
                    "No features of fluid overload"]))
    if key == "widened":
        n = c(["8", "9", "10"])
        f = f"The superior mediastinum is widened compared with the previous film, now {n} cm"
        i = c(["New widening of the superior mediastinum, ?nodal recurrence. CT thorax recommended",
               "Widened superior mediastinum, new since the last film"])
        return Item(key, "widened", None, f, i, True, ("widened",), neg="Mediastinum not widened", size=n)
    raise KeyError(key)


# normal statements for the findings: (text, tags)
NORMALS = {
    "heart": [("Heart size is normal", ("cardiomegaly",)), ("The heart is not enlarged", ("cardiomegaly",)),
              ("Cardiac size within normal limits", ("cardiomegaly",)),
              ("Normal cardiomediastinal contours", ("cardiomegaly", "widened", "hilar"))],
    "mediastinum": [("Mediastinal contours are normal", ("widened",)),
                    ("The mediastinum is central and not widened", ("widened",)),
                    ("Hila are normal in size and position", ("hilar",))],
    "lungs": [("The lungs are clear", ("lungs", "consolidation", "edema", "nodule", "fibrosis")),
              ("No focal consolidation", ("consolidation",)),
              ("No consolidation or suspicious pulmonary nodule", ("consolidation", "nodule")),
              ("Clear lungs", ("lungs", "consolidation", "edema", "nodule", "fibrosis"))],
    "lungs_otherwise": [("The lungs are otherwise clear", ()), ("Lungs otherwise clear", ()),
                        ("No other focal lung abnormality", ())],
    "pleura": [("No pleural effusion", ("effusion",)), ("Costophrenic angles are clear", ("effusion",)),
               ("No pleural effusion or pneumothorax", ("effusion", "pneumothorax"))],
    "ptx": [("No pneumothorax", ("pneumothorax",))],
    "oedema": [("No pulmonary oedema", ("edema",)), ("Pulmonary vasculature is normal", ("edema",))],
    "bones": [("No destructive bony lesion", ("bone",)), ("No focal lytic or sclerotic bone lesion", ("bone",)),
              ("The visualised skeleton is unremarkable", ("bone",))],
}

# assertions to put in an impression against a normal statement of the findings
ASSERT = {
    "effusion": ["{Side} pleural effusion", "New {side} pleural effusion", "Small {side} pleural effusion"],
    "pneumothorax": ["Small {side} apical pneumothorax", "{Side} pneumothorax"],
    "consolidation": ["{Side} lower {zone} consolidation", "{Side} basal pneumonia",
                      "Patchy airspace opacity in the {side} upper {zone}, in keeping with radiation pneumonitis"],
    "cardiomegaly": ["Cardiomegaly", "Enlarged cardiac silhouette"],
    "edema": ["Mild pulmonary oedema", "Interstitial oedema"],
    "widened": ["Widened superior mediastinum"],
    "nodule": ["New {side} {mid} nodule, suspicious for metastasis"],
    "hilar": ["Enlarged {side} hilum, ?nodal recurrence"],
}

NORMAL_IMP_UK = ["No acute abnormality", "No evidence of recurrence", "No active disease",
                 "No evidence of radiation pneumonitis or recurrent disease", "No acute cardiopulmonary abnormality"]
NORMAL_IMP_US = ["No acute cardiopulmonary process", "No radiographic evidence of recurrent disease",
                 "No acute cardiopulmonary abnormality", "No acute findings"]
OMIT_NORMAL_UK = ["No acute abnormality", "No active disease", "No acute cardiopulmonary abnormality",
                  "Stable post-treatment appearances"]
OMIT_NORMAL_US = ["No acute cardiopulmonary process", "No acute cardiopulmonary abnormality", "No acute findings"]
NORMAL_IMP_FULL_UK = ["Normal chest radiograph", "Clear chest", "No abnormality detected"]
NORMAL_IMP_FULL_US = ["Normal chest radiograph", "Negative chest", "No acute cardiopulmonary disease"]

SCENARIOS = {
    "lung_crt": dict(
        hist=["Stage IIIA NSCLC {side} upper lobe, completed concurrent chemoradiotherapy (60 Gy in 30 fractions) "
              "{m} months ago. {sym}", "{Side} lung SCC treated with radical chemoRT, {m} months post treatment. "
              "{sym}", "Post CRT for {side} NSCLC, on durvalumab. {sym}"],
        bg=["rt_fibrosis", "rt_fibrosis", "port"], sig=["pneumonitis", "consolidation", "effusion_large", "mass",
                                                        "nodule_new", "widened"]),
    "sabr": dict(
        hist=["SABR to {side} lower lobe T1 NSCLC (54 Gy in 3 fractions), {m} months post treatment. {sym}",
              "SBRT {side} lung nodule, fiducials in situ. {sym}"],
        bg=["fiducial", "fiducial", "nodule_small"], sig=["pneumothorax", "nodule_new", "consolidation"]),
    "lobectomy": dict(
        hist=["Post {side} lobectomy for adenocarcinoma, adjuvant chemotherapy and PORT. {sym}",
              "{Side} lobectomy, now post-operative radiotherapy. {sym}"],
        bg=["lobectomy", "lobectomy", "cardiomegaly_mild"], sig=["effusion_large", "pneumothorax", "consolidation",
                                                                 "nodule_new"]),
    "breast": dict(
        hist=["{Side} breast cancer, mastectomy and adjuvant chest wall radiotherapy. {sym}",
              "Ca {side} breast, post mastectomy, completed radiotherapy to chest wall and supraclavicular fossa. "
              "{sym}", "{Side} breast cancer on trastuzumab after mastectomy and radiotherapy. {sym}"],
        bg=["mastectomy", "mastectomy", "breast_fibrosis", "expander", "port"],
        sig=["effusion_large", "nodule_new", "pneumonitis", "oedema", "consolidation"]),
    "oesophagus": dict(
        hist=["Oesophageal cancer, post neoadjuvant chemoradiotherapy. {sym}",
              "Post oesophagectomy after chemoRT. {sym}"],
        bg=["oesophagectomy", "port", "cardiomegaly_mild"], sig=["consolidation", "effusion_large", "oedema"]),
    "lymphoma": dict(
        hist=["Hodgkin lymphoma, post mediastinal radiotherapy. {sym}", "DLBCL, consolidation RT to mediastinum "
              "completed. {sym}"],
        bg=["port", "cardiomegaly_mild", "effusion_small"], sig=["widened", "effusion_large", "consolidation"]),
}
SYMPTOMS = ["Breathless.", "Cough and low-grade fever.", "?pneumonitis.", "Routine surveillance.",
            "Pleuritic chest pain.", "Desaturating on the ward.", "Increasing SOB.", "Follow-up.",
            "Surveillance imaging.", "Dry cough, ?radiation pneumonitis."]

NAMES = ["A. Okafor", "J. Whitfield", "S. Raman", "E. MacLeod", "P. Doherty", "R. Nakamura", "H. Osei",
         "L. Brennan", "M. Kowalski", "C. Fernandes", "D. Abernethy", "T. Lindqvist"]


# ----------------------------------------------------------------------------------------------------------
# layout
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Doc:
    uk: bool
    exam: str = ""
    hist: str = ""
    comparison: str = ""
    findings: list = field(default_factory=list)
    impression: list = field(default_factory=list)
    signoff: str = ""
    top: str = ""
    technique: str = ""


@dataclass
class Style:
    fh: str
    ih: str
    hh: str
    ch: str
    inline_f: bool
    inline_i: bool
    f_mode: str  # prose | lines | bullets
    i_mode: str  # prose | numbered | paren | bullets | lines


def pick_style(rng: random.Random, uk: bool) -> Style:
    c = rng.choice
    if uk:
        fh = c(["Findings:", "Findings:", "FINDINGS:", "Report:"])
        ih = c(["Conclusion:", "Conclusion:", "Impression:", "CONCLUSION:", "Opinion:", "Summary:", "Comment:"])
        hh = c(["Clinical details:", "Clinical information:", "Clinical history:", "Indication:"])
        ch = c(["Comparison:", "Compared with:", "Previous imaging:"])
    else:
        fh = c(["FINDINGS:", "FINDINGS:", "Findings:", "FINDINGS"])
        ih = c(["IMPRESSION:", "IMPRESSION:", "Impression:", "IMPRESSION", "CONCLUSION:"])
        hh = c(["CLINICAL HISTORY:", "INDICATION:", "HISTORY:", "REASON FOR EXAM:"])
        ch = c(["COMPARISON:", "COMPARISON:", "Comparison:"])
    if not fh.endswith(":"):
        inline_f = False
    else:
        inline_f = rng.random() < 0.4
    inline_i = ih.endswith(":") and rng.random() < 0.4
    f_mode = c(["prose", "prose", "lines", "bullets"])
    i_mode = c(["prose", "numbered", "numbered", "paren", "bullets", "lines"]) if uk else \
        c(["prose", "numbered", "numbered", "numbered", "lines"])
    return Style(fh, ih, hh, ch, inline_f, inline_i, f_mode, i_mode)


def block(lines: list, mode: str) -> str:
    if mode == "prose":
        return " ".join(lines)
    if mode == "lines":
        return "\n".join(lines)
    if mode == "bullets":
        return "\n".join("- " + x for x in lines)
    if mode == "numbered":
        return "\n".join(f"{k}. {x}" for k, x in enumerate(lines, 1))
    if mode == "paren":
        return "\n".join(f"{k}) {x}" for k, x in enumerate(lines, 1))
    raise ValueError(mode)


def render(doc: Doc, st: Style, missing: str | None = None) -> str:
    """missing: None | find_empty | imp_empty | imp_sig_only | imp_removed."""
    out = []
    if doc.top:
        out.append(doc.top)
    if doc.exam:
        out.append(doc.exam)
    if doc.hist:
        out.append(f"{st.hh} {doc.hist}")
    if doc.technique:
        out.append(doc.technique)
    if doc.comparison:
        out.append(f"{st.ch} {doc.comparison}")
    out.append("")
    if missing == "find_empty":
        out += [st.fh, ""]
    else:
        body = block(doc.findings, st.f_mode)
        if st.inline_f and st.f_mode == "prose":
            out.append(f"{st.fh} {body}")
        else:
            out += [st.fh, body]
        out.append("")
    if missing == "imp_removed":
        pass
    elif missing in ("imp_empty", "imp_sig_only"):
        out.append(st.ih)
        if missing == "imp_empty":
            out.append("")
    else:
        if len(doc.impression) == 1 and st.i_mode in ("numbered", "paren", "bullets"):
            body = doc.impression[0]
        else:
            body = block(doc.impression, st.i_mode)
        if st.inline_i and "\n" not in body:
            out.append(f"{st.ih} {body}")
        else:
            out += [st.ih, body]
        out.append("")
    if doc.signoff and missing != "imp_empty":
        out.append(doc.signoff)
    text = "\n".join(out).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def make_signoff(rng: random.Random, uk: bool) -> str:
    c = rng.choice
    n1, n2 = c(NAMES), c(NAMES)
    if uk:
        return c([
            f"Dr {n1}, Consultant Radiologist",
            f"Dr {n1}, Consultant Radiologist. GMC No. ___",
            f"Reported by: Dr {n1} (ST4 Radiology Registrar)\nVerified by: Dr {n2}, Consultant Radiologist",
            f"Electronically signed: Dr {n1} FRCR, Consultant Thoracic Radiologist, ___",
            f"Reported by: {n1}, Consultant Reporting Radiographer",
            "Dr ___, Consultant Radiologist",
        ])
    return c([
        f"Electronically signed by: {n1}, MD on ___ at ___",
        f"Dictated by: {n1}, MD\nSigned by: {n2}, MD",
        f"Attending radiologist: {n1}, MD. I have personally reviewed the images and agree with this report.",
        "Electronically signed by: ___, MD",
        f"Radiologist: {n1}, MD  Signed: ___",
    ])


def make_frame(rng: random.Random, uk: bool, doc: Doc, comparison: bool = True) -> None:
    c = rng.choice
    if uk:
        doc.exam = c(["Examination: XR Chest PA", "CHEST X-RAY (PA)", "XR CHEST", "Exam: Chest radiograph PA erect",
                      "CXR PA"])
        if rng.random() < 0.4:
            doc.top = c(["Patient: ___   NHS No: ___", "Hospital No: ___", "Referrer: Clinical Oncology (Dr ___)",
                         "Requested by: Radiotherapy Review Clinic"])
        if comparison:
            doc.comparison = c(["CXR ___", "Previous film of ___", "CT thorax ___ and CXR ___", "XXXX"])
    else:
        doc.exam = c(["EXAM: XR CHEST PA AND LATERAL", "EXAMINATION: Chest, 2 views", "PROCEDURE: CR CHEST 1 VIEW",
                      "EXAM: Chest radiograph, frontal and lateral"])
        if rng.random() < 0.4:
            doc.top = c(["MRN: ___   DOB: ___", "Ordering service: Radiation Oncology", "Accession #: ___",
                         "Ordering physician: ___, MD (Radiation Oncology)"])
        if rng.random() < 0.3:
            doc.technique = "TECHNIQUE: Single frontal view." if "1 VIEW" in doc.exam else \
                "TECHNIQUE: PA and lateral views of the chest."
        if comparison:
            doc.comparison = c(["___", "Chest radiograph from ___", "CT chest ___ and radiograph ___", "XXXX"])
    doc.signoff = make_signoff(rng, uk)


# ----------------------------------------------------------------------------------------------------------
# composed cases
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Composed:
    uk: bool
    zone: dict
    items: list
    normals: list  # (text, tags)
    imp: list  # [(text, item or None)]
    doc: Doc


def compose_base(rng: random.Random, want_sig: bool | None = None, need_sided: bool = False) -> Composed:
    uk = rng.random() < 0.5
    zone = {"zone": "zone", "mid": "mid zone"} if uk else {"zone": rng.choice(["lobe", "lung"]), "mid": "mid lung"}
    for _ in range(100):
        sc_name = rng.choice(sorted(SCENARIOS))
        sc = SCENARIOS[sc_name]
        side = rng.choice(["left", "right"])
        keys = []
        nbg = rng.choice([0, 1, 1, 2])
        for k in rng.sample(sc["bg"], min(nbg, len(sc["bg"]))):
            if k not in keys:
                keys.append(k)
        sig = rng.random() < 0.5 if want_sig is None else want_sig
        if sig:
            keys.append(rng.choice(sc["sig"]))
        items, groups = [], []
        for k in keys:
            # significant findings lie on either side; treatment changes on the treated side
            s = side if k not in ("consolidation", "nodule_new", "effusion_large", "pneumothorax") or \
                rng.random() < 0.5 else other_side(side)
            it = bank_item(k, rng, s)
            if it.group in groups:
                continue
            groups.append(it.group)
            if it.side is None:
                it.side = None
            items.append(it)
        if need_sided and not any(it.side and it.i and "{side}" in it.i.lower() for it in items):
            continue
        break
    hist = rng.choice(sc["hist"]).replace("{m}", rng.choice(["3", "4", "6", "9", "12", "18"]))
    hist = hist.replace("{sym}", rng.choice(SYMPTOMS))
    hist = sent(fill(hist, side, zone))
    doc = Doc(uk=uk, hist=hist)
    make_frame(rng, uk, doc)
    # normal statements avoiding the items' tags
    used_tags = [t for it in items for t in it.tags]
    normals = []
    for slot in ["heart", "mediastinum", "lungs", "pleura", "ptx", "oedema", "bones"]:
        if slot in ("oedema", "mediastinum", "bones") and rng.random() < 0.5:
            continue
        cands = [nt for nt in NORMALS[slot] if not any(t in used_tags for t in nt[1])]
        if slot == "lungs" and any("lungs" in it.tags for it in items):
            cands = NORMALS["lungs_otherwise"] + [nt for nt in cands if "lungs" not in nt[1]]
        if slot == "ptx" and any(nt[0].endswith("pneumothorax") for nt in normals):
            continue
        if cands:
            normals.append(rng.choice(cands))
    imp = []
    for it in sorted(items, key=lambda x: not x.sig):
        if it.i is not None and (it.sig or rng.random() < 0.8):
            imp.append((fill(it.i, it.side, zone), it))
    if not any(it.sig for it in items):
        if not items:
            imp.append((sent(rng.choice(NORMAL_IMP_FULL_UK if uk else NORMAL_IMP_FULL_US)), None))
        elif not imp or rng.random() < 0.6:
            imp.append((sent(rng.choice(NORMAL_IMP_UK if uk else NORMAL_IMP_US)), None))
    return Composed(uk, zone, items, normals, imp, doc)


def finish(cb: Composed, rng: random.Random, f_override: dict | None = None) -> None:
    """Build doc.findings/impression from items and normal statements (items first, normals after)."""
    f_override = f_override or {}
    fl = []
    for k, it in enumerate(cb.items):
        fl.append(f_override.get(k, fill(it.f, it.side, cb.zone)))
    normals = [sent(t) for t, _ in cb.normals]
    # heart statements usually lead in UK and US templates
    lines = fl + normals if rng.random() < 0.6 else normals[:1] + fl + normals[1:]
    cb.doc.findings = lines
    cb.doc.impression = [t for t, _ in cb.imp]
    if not cb.uk:
        cb.doc.findings = [to_us(x) for x in cb.doc.findings]
        cb.doc.impression = [to_us(x) for x in cb.doc.impression]
        cb.doc.hist = to_us(cb.doc.hist)


def composed_case(kind: str | None, rng: random.Random, variant: int) -> tuple[str, str]:
    if kind is None:
        cb = compose_base(rng)
        finish(cb, rng)
        st = pick_style(rng, cb.uk)
        nsig = sum(it.sig for it in cb.items)
        return render(cb.doc, st), f"composed clean: {len(cb.items)} finding(s), {nsig} significant"
    if kind == "missing_section":
        cb = compose_base(rng)
        finish(cb, rng)
        st = pick_style(rng, cb.uk)
        mode = ["find_empty", "imp_empty", "imp_sig_only", "imp_removed"][variant % 4]
        what = {"find_empty": "FINDINGS header kept with nothing under it",
                "imp_empty": "IMPRESSION header kept with nothing under it (no sign-off)",
                "imp_sig_only": "IMPRESSION header with only the sign-off under it",
                "imp_removed": "IMPRESSION section removed"}[mode]
        return render(cb.doc, st, missing=mode), f"composed: {what} ({st.fh.rstrip(':')}/{st.ih.rstrip(':')})"
    if kind == "laterality_conflict":
        cb = compose_base(rng, need_sided=True)
        cands = [(k, it) for k, it in enumerate(cb.items) if it.side and it.i and "{side}" in it.i.lower()
                 and any(imp_it is it for _, imp_it in cb.imp)]
        if not cands:
            return composed_case(kind, rng, variant)
        k, it = rng.choice(cands)
        flip = other_side(it.side)
        if variant % 2 == 0:  # flip in the impression
            cb.imp = [(fill(it.i, flip, cb.zone) if x is it else t, x) for t, x in cb.imp]
            finish(cb, rng)
            where = f"impression now says {flip}, findings keep {it.side}"
        else:
            finish(cb, rng, {k: fill(it.f, flip, cb.zone)})
            where = f"findings now say {flip}, impression keeps {it.side}"
        st = pick_style(rng, cb.uk)
        return render(cb.doc, st), f"composed: side flipped for {it.key} ({where})"
    if kind == "negation_conflict":
        if variant % 2 == 0:  # impression asserts what the findings negate
            cb = compose_base(rng)
            cands = [nt for nt in cb.normals if any(t in ASSERT for t in nt[1])]
            if not cands:
                return composed_case(kind, rng, variant)
            nt = rng.choice(cands)
            tag = rng.choice([t for t in nt[1] if t in ASSERT])
            a = fill(rng.choice(ASSERT[tag]), rng.choice(["left", "right"]), cb.zone)
            keep = [(t, x) for t, x in cb.imp if x is not None]
            cb.imp = [(a, None)] + keep
            finish(cb, rng)
            st = pick_style(rng, cb.uk)
            return render(cb.doc, st), f"composed: impression asserts '{a}' against findings '{nt[0]}'"
        cb = compose_base(rng, want_sig=True)
        cands = [it for it in cb.items if it.neg and any(x is it for _, x in cb.imp)]
        if not cands:
            return composed_case(kind, rng, variant)
        it = rng.choice(cands)
        cb.imp = [(sent(it.neg), None) if x is it else (t, x) for t, x in cb.imp]
        finish(cb, rng)
        st = pick_style(rng, cb.uk)
        return render(cb.doc, st), f"composed: impression says '{it.neg}' though findings affirm {it.key}"
    if kind == "impression_omits_finding":
        for _ in range(200):
            cb = compose_base(rng, want_sig=True)
            sig = [it for it in cb.items if it.sig]
            if not sig:
                continue
            it = sig[0]
            others = [(t, x) for t, x in cb.imp if x is not it and x is not None]
            if others or variant % 2 == 0:
                break
        if variant % 2 == 0 or not others:
            cb.imp = [(sent(rng.choice(OMIT_NORMAL_UK if cb.uk else OMIT_NORMAL_US)), None)]
            how = "impression replaced by a normal statement"
        else:
            cb.imp = others
            how = "impression lists only the other findings"
        finish(cb, rng)
        st = pick_style(rng, cb.uk)
        return render(cb.doc, st), f"composed: findings affirm {it.key}; {how}"
    if kind == "placeholder":
        cb = compose_base(rng)
        finish(cb, rng)
        st = pick_style(rng, cb.uk)
        opt = variant % 6
        doc = cb.doc
        if opt == 0:
            sized = [k for k, it in enumerate(cb.items) if it.size]
            if sized:
                k = sized[0]
                tok = rng.choice(["XX", "<<size>>", "[size]", "[***]"])
                line = fill(cb.items[k].f, cb.items[k].side, cb.zone)
                line = to_us(line) if not cb.uk else line
                j = doc.findings.index(line)
                doc.findings[j] = line.replace(cb.items[k].size, tok, 1)
                return render(doc, st), f"composed: size in findings left as '{tok}'"
            opt = 1
        if opt == 1:
            sided = [j for j, x in enumerate(doc.findings) if re.search(r"\b(left|right|Left|Right)\b", x)]
            if sided:
                j = rng.choice(sided)
                tok = rng.choice(["[left/right]", "[side]", "<<side>>", "[***]"])
                doc.findings[j] = re.sub(r"\b(left|right|Left|Right)\b", tok, doc.findings[j], count=1)
                return render(doc, st), f"composed: side in findings left as template field '{tok}'"
            opt = 2
        if opt == 2:
            tok = rng.choice(["[date of previous study]", "<<prior date>>", "[ ]", "[***]"])
            doc.comparison = tok
            return render(doc, st), f"composed: comparison field left unfilled '{tok}'"
        if opt == 3:
            tok = rng.choice(["Recommendation: [***]", "Follow-up: [ ]", "[Insert recommendation]",
                              "Recommend <<follow-up interval>> review"])
            doc.impression = doc.impression + [tok]
            return render(doc, st), f"composed: unfilled template line in impression '{tok}'"
        if opt == 4:
            tok = rng.choice(["[Reporting radiologist]", "<<RADIOLOGIST NAME>>", "[Name], MD", "[***]"])
            doc.signoff = ("Dr " + tok + ", Consultant Radiologist") if cb.uk else ("Electronically signed by: " + tok)
            return render(doc, st), f"composed: sign-off name field left '{tok}'"
        tok = rng.choice(["[ ]", "***", "[***]", "<<findings>>"])
        field_line = rng.choice(["Lines/tubes: " + tok, "Heart: " + tok, "Bones: " + tok, "Fiducials: " + tok])
        doc.findings = doc.findings + [field_line]
        return render(doc, st), f"composed: template field left in findings '{field_line}'"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------------------

GROUPS = {
    "effusion": r"effusion|blunting",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space|infiltrat|pneumonia|pneumonitis|opacit|densit",
    "atelectasis": r"atelecta|collapse",
    "edema": r"edema|oedema|congesti|fluid overload|\bchf\b|heart failure",
    "cardiomegaly": r"cardiomegaly|enlarged (?:heart|cardiac)|(?:heart|cardiac silhouette|cardiac size|heart size)"
                    r"[^.;]{0,30}\b(?:enlarged|enlargement|large)\b|cardiac enlargement|"
                    r"enlargement of the (?:heart|cardiac)",
    "nodule": r"nodul|\bmass(?:es)?\b|tumou?r|\blesion|neoplas|malignan|metasta",
    "widened": r"widen",
    "fracture": r"fractur",
}
SIG_GROUPS = ["effusion", "pneumothorax", "consolidation", "edema", "widened", "nodule"]
SIG_PAT = {"effusion": r"effusion", "pneumothorax": r"pneumothora", "consolidation": r"consolidat|air ?space|"
           r"infiltrat|pneumonia", "edema": r"edema|oedema|congesti", "widened": r"widen", "nodule": r"\bmass\b"}
BENIGN = (r"degenerat|spondyl|osteophyt|scolio|kyphos|calcif|granulom|tortu|ectati|hyperinfla|hyperexpan|emphysem|"
          r"copd|scar|fibros|hernia|surg|clip|sternotom|wire|catheter|\bport\b|pacemaker|prosthe|elevat|thicken|"
          r"prominen|deformit|flatten|chronic|interstitial|status post|post-?operative|changes|atheroscl|"
          r"eventration|hilar|lymph|stent|device|picc|line\b|tube")
ANY_ABN = "|".join(list(GROUPS.values()) + [BENIGN])
NEG_CUE = re.compile(r"\b(?:no|not|without|negative for|free of|clear of|resolved|resolution of|absence of|nor|"
                     r"removal of|exclude[sd]?)\b", re.I)
RESET = re.compile(r"\b(?:but|however|although|though|whereas|except)\b|[;:]", re.I)
POST_NEG = re.compile(r"^[^.;]{0,40}?\b(?:is|are|was|were|has|have)\s+(?:not|no longer|resolved|cleared)\b|"
                      r"^[^.;]{0,30}?\b(?:resolved|not (?:seen|identified|present|evident|visualized|appreciated))\b",
                      re.I)
AMBIG = re.compile(r"\bno (?:\w+ ){0,2}change|not (?:significantly )?changed|unchanged|stable|\bversus\b|\bvs\b|"
                   r"\bor\b[^.]{0,30}\b(?:atelecta|scar|pneumonia|infiltrat)", re.I)
HEDGE = re.compile(r"\b(?:possib|may\b|could|question|suspect|cannot|can't|likely|small|trace|tiny|minimal|mild|"
                   r"subtle|slight|probabl|atelecta|scar|chronic|old|healed|resolv|improv|decreas|stable|unchanged|"
                   r"versus|vs|consider|early|vague|faint|borderline|bibasilar|subsegmental|linear|streaky|"
                   r"discoid|plate|persist|suggest|\bor\b|\?)", re.I)
QUALIFIED = re.compile(r"\b(?:large|significant|sizable|sizeable|definite|lobar|gross)\b", re.I)
SIDE = re.compile(r"\b(left|right|bilateral(?:ly)?|bibasilar|both)\b", re.I)
NORMAL_IMP = re.compile(r"no acute|normal chest|no active|negative chest|"
                        r"no (?:radiographic )?evidence of (?:acute|active)|negative for acute|"
                        r"no (?:acute )?(?:cardiopulmonary|pulmonary) (?:abnormalit|disease|process)|"
                        r"^normal\b|no significant abnormalit|within normal limits", re.I)
MEANING_NEG = {
    "cardiomegaly": re.compile(r"heart (?:size )?(?:is )?(?:normal|within normal|upper normal)|"
                               r"normal (?:heart|cardiac) size|heart is normal|"
                               r"cardiac (?:silhouette|size|contours?) (?:is |are )?(?:normal|within normal)|"
                               r"cardiomediastinal (?:silhouette|contours?)[^.]{0,20}(?:normal|unremarkable|"
                               r"within)|heart size and[^.]{0,40}(?:normal|within)", re.I),
    "consolidation": re.compile(r"lungs? (?:are |is )?(?:grossly |otherwise )?clear|clear lungs|lungs are normal|"
                                r"no (?:focal )?(?:air ?space|consolidat)", re.I),
}
MEANING_NEG["edema"] = re.compile(r"lungs? (?:are |is )?(?:grossly )?clear|clear lungs|vascularity (?:is )?(?:normal|"
                                  r"within)|vasculature (?:is )?(?:normal|within)", re.I)
MEANING_NEG["atelectasis"] = MEANING_NEG["edema"]
MEANING_NEG["nodule"] = MEANING_NEG["edema"]


def split_sents(text: str) -> list:
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"(?:\s*\.){2,}", ".", text)
    text = re.sub(r"\s+\.", ".", text)
    text = re.sub(r"(?<=[a-z])\.(?=[A-Z][a-z])", ". ", text)
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+(?=[A-Za-z])", "", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text)
    return [sent(p) for p in parts if len(p.strip(" .,")) > 1]


def states(s: str, pat: str) -> list:
    out = []
    for m in re.finditer(pat, s, re.I):
        before = s[: m.start()]
        r = list(RESET.finditer(before))
        if r:
            before = before[r[-1].end():]
        after = s[m.end():]
        if AMBIG.search(before) or AMBIG.search(re.split(r"[;,]", after)[0]):
            out.append("amb")
        elif NEG_CUE.search(before) or POST_NEG.search(after):
            out.append("neg")
        else:
            out.append("aff")
    return out


def analyse(sents: list) -> dict:
    """Per group: list of (sentence index, state)."""
    res = {}
    for g, pat in GROUPS.items():
        for k, s in enumerate(sents):
            for stt in states(s, pat):
                res.setdefault(g, []).append((k, stt))
    return res


def sides_of(s: str) -> list:
    out = []
    for m in SIDE.finditer(s):
        w = m.group(1).lower()
        if w in ("left", "right"):
            out.append(w)
        else:
            out += ["left", "right"]
    return out


@dataclass
class IU:
    uid: str
    indication: str
    comparison: str
    f: list
    i: list
    fa: dict
    ia: dict
    normal: bool = False
    consistent: bool = False
    sig: list = field(default_factory=list)  # (group, findings sentence index) unqualified significant
    igroups: list = field(default_factory=list)  # sentences per numbered impression item (one item if unnumbered)


def group_state(an: dict, g: str) -> list:
    return [s for _, s in an.get(g, [])]


def meaning_neg(sents: list, g: str) -> bool:
    pat = MEANING_NEG.get(g)
    return bool(pat) and any(pat.search(s) and not re.search(r"\b(?:left|right)\b", s, re.I) for s in sents)


def classify(r: IU) -> None:
    all_text = " ".join(r.f + r.i)
    if re.search(r"[\[\]*<>_{}]|XX+\s*(?:cm|mm)\b", all_text):
        return
    if any("amb" in group_state(an, g) for an in (r.fa, r.ia) for g in GROUPS):
        amb = True
    else:
        amb = False
    imp_text = " ".join(r.i)
    imp_normal = bool(NORMAL_IMP.search(imp_text))
    # normal-normal
    f_abn = any(st == "aff" or st == "amb" for s in r.f for st in states(s, ANY_ABN))
    i_abn = any(st == "aff" or st == "amb" for s in r.i for st in states(s, ANY_ABN))
    if re.search(r"thank|opportunity|questions about|spine:|chest:", all_text, re.I):
        return
    if any(x not in sides_of(" ".join(r.f)) for x in sides_of(" ".join(r.i))):
        return
    if not f_abn and not i_abn and imp_normal and not re.search(r"otherwise|change|stable|but|however", all_text, re.I):
        r.normal = r.consistent = True
        return
    if amb:
        return
    ok = True
    for g in GROUPS:
        fs, is_ = group_state(r.fa, g), group_state(r.ia, g)
        f_aff, i_aff = "aff" in fs, "aff" in is_
        f_neg = "neg" in fs or meaning_neg(r.f, g)
        i_neg = "neg" in is_ or meaning_neg(r.i, g)
        if f_aff != i_aff:
            ok = False
        if (f_aff and i_neg) or (i_aff and f_neg):
            ok = False
        if f_aff and i_aff:
            fside = [x for k, st in r.fa[g] if st == "aff" for x in sides_of(r.f[k])]
            iside = [x for k, st in r.ia[g] if st == "aff" for x in sides_of(r.i[k])]
            if fside and iside and not any(x in fside for x in iside):
                ok = False
            if any(x not in fside for x in iside):
                ok = False
    if any(x not in sides_of(" ".join(r.f)) for x in sides_of(imp_text)):
        ok = False
    if re.search(r"cannot (?:be )?exclude|can't exclude|not (?:be )?excluded", all_text, re.I):
        ok = False
    if not ok:
        return
    r.consistent = True
    for g in SIG_GROUPS:
        for k, s in enumerate(r.f):
            if "aff" not in states(s, SIG_PAT[g]) or HEDGE.search(s) or (g, k) in r.sig:
                continue
            if re.search(r"XXXX(?:\W+\w+){0,3}\W+(?:\w+\W+)?(?:" + SIG_PAT[g] + ")", s, re.I) or \
                    re.search(r"pericardi|chronic|scar", " ".join(r.f), re.I):
                continue
            r.sig.append((g, k))


@lru_cache(maxsize=4)
def load_iu(shared: str) -> tuple:
    tgz = Path(shared) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = Path(shared) / "eval" / "report_errors_dev.jsonl"
    dev_uids = {json.loads(line)["uid"] for line in dev.read_text().splitlines() if line.strip()}
    rows = []
    with tarfile.open(tgz) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev_uids:
                continue
            sec = {(a.get("Label") or "").lower(): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = split_sents(sec.get("findings", "")), split_sents(sec.get("impression", ""))
            if not f or not i:
                continue
            r = IU(uid, sec.get("indication", ""), sec.get("comparison", ""), f, i, analyse(f), analyse(i))
            chunks = [x for x in re.split(r"(?:^|\s)\d{1,2}[.)]\s*(?=[A-Za-z])", sec.get("impression", "")) if
                      len(x.strip(" .,")) > 1]
            r.igroups = [len(split_sents(x)) for x in chunks] if len(chunks) > 1 else [len(i)]
            if sum(r.igroups) != len(i):
                r.igroups = [len(i)]
            classify(r)
            if r.consistent:
                rows.append(r)
    rows.sort(key=lambda r: int(r.uid[3:]))
    return tuple(rows), frozenset(dev_uids)


REWORD = [
    (r"\bchest x-XXXX\b", "chest radiograph"), (r"\bx-XXXX\b", "X-ray"),
    (r"^No acute cardiopulmonary disease\.$", "No acute cardiopulmonary abnormality."),
    (r"^No acute cardiopulmonary abnormality\.$", "No acute cardiopulmonary process."),
    (r"^No acute cardiopulmonary abnormalities\.$", "No acute cardiopulmonary abnormality."),
    (r"^Negative chest\.$", "Negative chest radiograph."),
    (r"^There is no ", "No "), (r"^There are no ", "No "),
    (r"^The heart is normal in size\.$", "Heart size is normal."),
    (r"^Lungs are clear\.$", "The lungs are clear."),
    (r"^Heart size normal\.$", "Normal heart size."),
]
UK_REWORD = [
    (r"^No acute cardiopulmonary (?:process|abnormality)\.$", "No acute abnormality."),
    (r"^Normal chest\.$", "Normal chest radiograph."),
    (r"^No active disease\.$", "No active disease."),
]


def restyle(sents: list, uk: bool, changes: list) -> list:
    out = []
    for s in sents:
        t = s
        for pat, rep in REWORD + (UK_REWORD if uk else []):
            t2 = re.sub(pat, rep, t)
            if t2 != t:
                if len(changes) < 4:
                    changes.append(f"'{t}'->'{t2}'")
                t = t2
        t = cap(t)
        if uk:
            for pat, rep in US_TO_UK:
                t2 = re.sub(pat, rep, t)
                if t2 != t and "UK spelling" not in changes:
                    changes.append("UK spelling")
                t = t2
        out.append(t)
    return out


def iu_doc(r: IU, rng: random.Random, uk: bool, changes: list, f: list | None = None,
           i: list | None = None) -> Doc:
    doc = Doc(uk=uk)
    make_frame(rng, uk, doc, comparison=False)
    ind = r.indication.strip()
    doc.hist = sent(ind) if ind else ""
    comp = r.comparison.strip().rstrip(".")
    doc.comparison = re.sub(r"\bx-XXXX\b", "X-ray", comp) + "." if comp else ("None." if rng.random() < 0.5 else "")
    doc.findings = restyle(f if f is not None else r.f, uk, changes)
    imp = restyle(i if i is not None else r.i, uk, changes)
    if i is None or len(i) == len(r.i):  # keep the report's own items (numbered, or one paragraph)
        items, a = [], 0
        for n in r.igroups:
            items.append(" ".join(imp[a:a + n]))
            a += n
        imp = items
    doc.impression = imp
    return doc


def flip_sentence(s: str, side: str) -> str:
    to = other_side(side)
    return re.sub(rf"\b{side}\b", to, re.sub(rf"\b{cap(side)}\b", cap(to), s))


def iu_candidates(r: IU, kind: str | None) -> list:
    """Possible injections of `kind` into this report (empty: not usable)."""
    if kind in (None, "missing_section", "placeholder"):
        return [None]
    if kind == "laterality_conflict":
        out = []
        for g in GROUPS:
            for sec in ("i", "f"):
                an, oan = (r.ia, r.fa) if sec == "i" else (r.fa, r.ia)
                ss, oss = (r.i, r.f) if sec == "i" else (r.f, r.i)
                aff = [k for k, st in an.get(g, []) if st == "aff"]
                oaff = [k for k, st in oan.get(g, []) if st == "aff"]
                if not aff or not oaff:
                    continue
                for side in ("left", "right"):
                    osides = [x for k in oaff for x in sides_of(oss[k])]
                    if side not in osides or other_side(side) in osides:
                        continue
                    # the sentence to flip: the only one of its section stating this group, one side only
                    if len(set(aff)) != 1:
                        continue
                    k = aff[0]
                    if sides_of(ss[k]) and all(x == side for x in sides_of(ss[k])):
                        if sec == "f" and sum(side in sides_of(x) for x in r.f) != 1:
                            continue
                        out.append((sec, k, side, g))
        return out
    if kind == "negation_conflict":
        out = []
        for g in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema"):
            fneg = any(st == "neg" and not sides_of(r.f[k]) and not QUALIFIED.search(r.f[k])
                       for k, st in r.fa.get(g, [])) or meaning_neg(r.f, g)
            if fneg and "aff" not in group_state(r.fa, g) and "aff" not in group_state(r.ia, g):
                out.append(("assert", g))
        for g, _k in r.sig:
            mention = [s for s in r.i if re.search(GROUPS[g], s, re.I)]
            if mention and "aff" in group_state(r.ia, g) and not any(
                    re.search(p, s, re.I) for s in mention for gg, p in GROUPS.items() if gg != g) and \
                    ("deny", g) not in out:
                out.append(("deny", g))
        return out
    if kind == "impression_omits_finding":
        return [("omit", g, k) for g, k in r.sig]
    raise ValueError(kind)


IU_ASSERT = {
    "effusion": ["{Side} pleural effusion.", "Small {side} pleural effusion.", "New {side} pleural effusion."],
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "consolidation": ["{Side} lower lobe consolidation.", "{Side} basilar airspace disease, likely pneumonia.",
                      "Patchy {side} upper zone opacity in keeping with radiation pneumonitis."],
    "cardiomegaly": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
    "edema": ["Mild pulmonary oedema.", "Interstitial pulmonary oedema."],
}
IU_DENY = {
    "effusion": ["No pleural effusion.", "Costophrenic angles clear."],
    "pneumothorax": ["No pneumothorax."],
    "consolidation": ["Lungs clear.", "No focal consolidation."],
    "edema": ["No pulmonary oedema."],
    "widened": ["Mediastinum not widened."],
    "nodule": ["No pulmonary mass.", "No suspicious lung mass."],
}
RELATED = {
    "effusion": r"effusion|blunt|pleural|fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space|infiltrat|pneumonia|pneumonitis|opacit|densit|atelecta|infect|aspirat",
    "edema": r"edema|oedema|congesti|fluid|chf|heart failure|overload|vascular",
    "widened": r"widen|mediastin|aort|adenopath|lymph|mass",
    "nodule": r"mass|nodul|lesion|tumou?r|neoplas|malignan|metasta|densit|opacit|carcinoma|cancer",
}


def iu_case(r: IU, kind: str | None, cand: tuple | None, rng: random.Random, variant: int) -> tuple[str, str]:
    uk = rng.random() < 0.5
    changes = []
    st = pick_style(rng, uk)
    lay = f"re-laid out {'UK' if uk else 'US'} style ({st.fh.rstrip(':')}/{st.ih.rstrip(':')})"
    head = f"IU {r.uid}: "

    def tail() -> str:
        return f"; {lay}" + (f"; reworded {', '.join(changes)}" if changes else "")

    if kind is None:
        doc = iu_doc(r, rng, uk, changes)
        return render(doc, st), head + "unmodified content" + tail()
    if kind == "missing_section":
        doc = iu_doc(r, rng, uk, changes)
        mode = ["find_empty", "imp_empty", "imp_sig_only", "imp_removed"][variant % 4]
        what = {"find_empty": "FINDINGS emptied (header kept)", "imp_empty": "IMPRESSION emptied (header kept)",
                "imp_sig_only": "IMPRESSION emptied, only the sign-off under its header",
                "imp_removed": "IMPRESSION section removed"}[mode]
        return render(doc, st, missing=mode), head + what + tail()
    if kind == "laterality_conflict":
        sec, k, side, g = cand
        f, i = list(r.f), list(r.i)
        if sec == "i":
            old = i[k]
            i[k] = flip_sentence(old, side)
            new = i[k]
        else:
            old = f[k]
            f[k] = flip_sentence(old, side)
            new = f[k]
        doc = iu_doc(r, rng, uk, changes, f, i)
        where = "impression" if sec == "i" else "findings"
        return render(doc, st), head + f"{side}->{other_side(side)} in {where} sentence '{old}' -> '{new}' ({g}; " \
            f"the other section keeps {side})" + tail()
    if kind == "negation_conflict":
        if cand[0] == "assert":
            g = cand[1]
            a = rng.choice(IU_ASSERT[g]).replace("{Side}", cap(rng.choice(["left", "right"])))
            a = a.replace("{side}", rng.choice(["left", "right"]))
            keep = [s for s in r.i if not NORMAL_IMP.search(s)]
            i = [a] + keep
            doc = iu_doc(r, rng, uk, changes, None, i)
            return render(doc, st), head + f"impression now asserts '{a}' ({g}) which the findings negate" + tail()
        g = cand[1]
        d = rng.choice(IU_DENY[g])
        i = [d if re.search(GROUPS[g], s, re.I) else s for s in r.i]
        doc = iu_doc(r, rng, uk, changes, None, i)
        what = f"impression sentence on {g} replaced by '{d}' though findings affirm it"
        return render(doc, st), head + what + tail()
    if kind == "impression_omits_finding":
        _, g, k = cand
        others = [s for s in r.i if not re.search(RELATED[g], s, re.I) and not NORMAL_IMP.search(s) and not
                  re.match(r"(?:this|these|it|which|recommend|consider|follow|suggest|please|findings?|correlat)\b",
                           s, re.I)]
        if variant % 2 == 0 or not others:
            i = [rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                             "No acute cardiopulmonary process.", "No evidence of recurrence.",
                             "Stable appearances."])]
            how = f"impression replaced by '{i[0]}'"
        else:
            i = others
            how = "impression reduced to the other findings"
        doc = iu_doc(r, rng, uk, changes, None, i)
        return render(doc, st), head + f"findings affirm {g} ('{r.f[k]}'); {how}" + tail()
    if kind == "placeholder":
        f, i = list(r.f), list(r.i)
        opts = []
        for sec, ss in (("findings", f), ("impression", i)):
            for k, s in enumerate(ss):
                for m in re.finditer(r"\b(left|right|small|mild|moderate|large|minimal|\d+(?:\.\d+)?)\b", s, re.I):
                    opts.append((sec, k, m.start(), m.end(), m.group(1)))
        if not opts or variant % 3 == 2:
            for sec, ss in (("findings", f), ("impression", i)):
                for k, s in enumerate(ss):
                    for m in re.finditer(r"\b(pneumothorax|effusion|consolidation|heart|lungs|mediastinum|"
                                         r"abnormality|disease)\b", s, re.I):
                        opts.append((sec, k, m.start(), m.end(), m.group(1)))
        sec, k, a, b, word = rng.choice(opts)
        w = word.lower()
        if w in ("left", "right"):
            tok = rng.choice(["[side]", "[left/right]", "[***]"])
        elif w in ("small", "mild", "moderate", "large", "minimal"):
            tok = rng.choice(["<<size>>", "[***]", "[ ]"])
        elif re.match(r"\d", w):
            tok = rng.choice(["XX", "[ ]", "<<number>>"])
        else:
            tok = rng.choice(["[***]", "[ ]", "***"])
        ss = f if sec == "findings" else i
        ss[k] = ss[k][:a] + tok + ss[k][b:]
        doc = iu_doc(r, rng, uk, changes, f, i)
        return render(doc, st), head + f"'{word}' in {sec} replaced by placeholder '{tok}'" + tail()
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------------


def build(seed: int) -> list:
    rng = random.Random(f"h166-{seed}")
    pool, _dev = load_iu(str(shared_dir()))
    order = list(pool)
    rng.shuffle(order)
    used = set()
    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    cases = []
    # the scarcer injections pick their IU reports first
    iu_plan = sorted(groups, key=lambda g: ["impression_omits_finding", "laterality_conflict",
                                            "negation_conflict"].index(g[0])
                     if g[0] in ("laterality_conflict", "impression_omits_finding", "negation_conflict") else 9)
    iu_pick = {}
    for kind, n in iu_plan:
        want = n // 2
        chosen = []
        # clean: about 60% normal reports, the rest consistent abnormal ones
        for r in order:
            if len(chosen) >= want:
                break
            if r.uid in used:
                continue
            cands = iu_candidates(r, kind)
            if not cands:
                continue
            if kind is None and not r.normal and sum(not x[0].normal for x in chosen) >= want * 2 // 5:
                continue
            if kind == "negation_conflict" and cands and len(chosen) % 2 == 1:
                deny = [c for c in cands if c[0] == "deny"]
                cands = deny or cands
            chosen.append((r, rng.choice(cands)))
            used.add(r.uid)
        if len(chosen) < want:
            raise RuntimeError(f"not enough IU reports for {kind}: {len(chosen)}/{want}")
        iu_pick[kind] = chosen
    for kind, n in groups:
        half = n // 2
        for v in range(half):
            text, detail = composed_case(kind, rng, v)
            cases.append({"injected": kind, "detail": detail, "report": text})
        for v, (r, cand) in enumerate(iu_pick[kind]):
            text, detail = iu_case(r, kind, cand, rng, v)
            cases.append({"injected": kind, "detail": detail, "report": text})
    rng.shuffle(cases)
    return [{"id": f"{PREFIX}-{seed}-{k}", **c} for k, c in enumerate(cases)]


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            shown = [r for r in rows if r["injected"] == kind]
            comp = [r for r in shown if not r["detail"].startswith("IU ")][: a.show]
            iu = [r for r in shown if r["detail"].startswith("IU ")][: a.show]
            for r in comp + iu:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
