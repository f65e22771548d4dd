"""Held-out report-error set 165: haematology / bone-marrow and stem-cell transplant units (UK and US).

Written blind (without reading the checker). Writes 400 chest X-ray reports as free text with section
headers: 200 clean and 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). In every group half of the reports are
composed from a phrase bank in the style of these units (neutropenic fever films, Hickman/PICC line
checks, halo nodules, engraftment / fluid overload, mediastinal lymphoma, GVHD), half are real IU
reports re-laid out and lightly re-worded in the same style (never a dev-set uid, each IU report at
most once per set).

usage: python -m bench.make_heldout165 OUT.jsonl --seed S [--show N]
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------

SIDE_RE = re.compile(r"\b(left|right|Left|Right|LEFT|RIGHT)\b")


def flip_sides(text: str) -> str:
    def sub(m):
        w = m.group(0)
        o = "right" if w.lower() == "left" else "left"
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o

    return SIDE_RE.sub(sub, text)


def sides_in(text: str) -> list:
    return sorted({m.group(0).lower() for m in SIDE_RE.finditer(text)})


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class S(dict):
    """One sentence (findings) or item (impression) with its tags."""

    def __init__(self, text, key=None, side=None, sig=False, neg=False, cat="lungs", deps=()):
        super().__init__(text=text, key=key, side=side, sig=sig, neg=neg, cat=cat, deps=tuple(deps))


# ----------------------------------------------------------------------------------------------
# phrase bank: the setting
# ----------------------------------------------------------------------------------------------

SURNAMES = ["Patel", "Okafor", "Hughes", "Murray", "Chen", "Walsh", "Adeyemi", "Fitzgerald", "Nguyen",
            "Kowalski", "Shah", "Brennan", "Rossi", "Goldberg", "Ramirez", "Campbell", "Iqbal", "O'Neill",
            "Lindqvist", "Mensah", "Baxter", "Sandhu", "Keane", "Morales"]
FIRST = ["A", "J", "S", "R", "M", "K", "P", "H", "D", "E", "L", "T"]
US_FIRST = ["Sarah", "David", "Priya", "Michael", "Laura", "James", "Aisha", "Robert", "Emily", "Daniel"]


def uk_signature(rng):
    a, b = rng.sample(SURNAMES, 2)
    return rng.choice([
        f"Dr {rng.choice(FIRST)} {a}, Consultant Radiologist",
        f"Reported by: Dr {a}, ST{rng.randint(2, 5)} Radiology Registrar\n"
        f"Verified by: Dr {rng.choice(FIRST)} {b}, Consultant Radiologist",
        f"Dr {rng.choice(FIRST)}. {a}\nConsultant Radiologist (Haemato-oncology imaging)",
        f"Reported by Dr {a} (Consultant Radiologist), GMC {rng.randint(3000000, 7999999)}",
        f"Typed by: {rng.choice(FIRST)}{rng.choice(FIRST)}   Authorised: Dr {a}, Consultant Radiologist",
        f"Dr {a} / Dr {b}, Radiology",
    ])


def us_signature(rng):
    a, b = rng.sample(SURNAMES, 2)
    return rng.choice([
        f"Electronically signed by: {rng.choice(US_FIRST)} {a}, MD",
        f"Electronically signed by: {rng.choice(US_FIRST)} {a}, MD on ___",
        f"Resident: {rng.choice(US_FIRST)} {b}, MD\nAttending: {rng.choice(US_FIRST)} {a}, MD\n"
        "I have personally reviewed the images and agree with the findings above.",
        f"Dictated by: {a}, MD   Signed: XXXX",
        f"{rng.choice(US_FIRST)} {a}, MD - Thoracic Imaging",
    ])


def uk_comparison(rng):
    return rng.choice([
        "Previous film 2 days ago.", "Compared with the film of yesterday.", "CXR ___.", "None available.",
        f"Chest radiograph of {rng.randint(2, 9)} days ago.", "Pre-transplant baseline film.",
        "No previous imaging on PACS.", "Comparison made with CXR dated XXXX.",
    ])


def us_comparison(rng):
    return rng.choice([
        "Chest radiograph from ___.", "Prior study from 1 day earlier.", "XXXX.", "None.",
        f"Portable chest radiograph {rng.randint(2, 6)} days prior.", "Pre-transplant PA and lateral chest.",
        "CT chest ___ and chest radiograph ___.",
    ])


LINES = [
    ("tunnelled central venous catheter (Hickman line)", "Hickman line"),
    ("Hickman line", "Hickman line"),
    ("PICC", "PICC"),
    ("arm PICC line", "PICC"),
    ("internal jugular tunnelled line", "tunnelled line"),
    ("port-a-cath", "port"),
    ("double-lumen central line", "central line"),
]
TIP_OK = ["at the cavoatrial junction", "in the lower SVC", "projected over the distal SVC",
          "at the SVC/right atrial junction", "in the expected position of the lower superior vena cava"]


def line_sentences(rng, side, us):
    long, short = rng.choice(LINES)
    tip = rng.choice(TIP_OK)
    sd = side.capitalize()
    f = rng.choice([
        f"{sd}-sided {long} with the tip {tip}.",
        f"{sd} {long}, tip {tip}.",
        f"{sd} {long} in situ, its tip {tip}.",
    ])
    if us:
        f = f.replace("tunnelled", "tunneled")
    imp = rng.choice([
        f"{sd} {short} in satisfactory position.",
        f"Satisfactory position of the {side} {short}.",
        f"{sd} {short} tip appropriately sited.",
    ])
    return S(f, "line", side, cat="lines"), S(imp, "line", side, cat="lines"), short


def lungs_clear(rng, us):
    return rng.choice([
        S("The lungs are clear.", "consol", neg=True),
        S("Lungs clear.", "consol", neg=True),
        S("No focal consolidation, collapse or mass.", "consol", neg=True),
        S("The lungs are well expanded and clear.", "consol", neg=True),
        S("No consolidation." if not us else "No focal airspace consolidation.", "consol", neg=True),
    ])


def pleura_clear(rng):
    return rng.choice([
        S("No pleural effusion.", "effusion", neg=True, cat="pleura"),
        S("Costophrenic angles are clear, no pleural effusion.", "effusion", neg=True, cat="pleura"),
        S("There is no pleural effusion.", "effusion", neg=True, cat="pleura"),
    ])


def no_ptx(rng):
    return rng.choice([
        S("No pneumothorax.", "ptx", neg=True, cat="pleura"),
        S("There is no pneumothorax.", "ptx", neg=True, cat="pleura"),
        S("No pneumothorax is seen.", "ptx", neg=True, cat="pleura"),
    ])


def heart_normal(rng, us):
    return rng.choice([
        S("Heart size is normal.", "cardio", neg=True, cat="heart"),
        S("Normal heart size.", "cardio", neg=True, cat="heart"),
        S("Heart not enlarged. Mediastinal contours normal." if not us else
          "The cardiomediastinal silhouette is within normal limits.", "cardio", neg=True, cat="heart"),
        S("Cardiac and mediastinal contours are within normal limits.", "cardio", neg=True, cat="heart"),
    ])


def bones(rng):
    return rng.choice([
        S("No acute bony abnormality.", cat="bones"),
        S("Visualised bones are unremarkable.", cat="bones"),
        S("Mild degenerative change in the thoracic spine.", cat="bones"),
        S("No destructive bone lesion.", cat="bones"),
    ])


NORMAL_IMP_UK = ["No acute abnormality.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
                 "No significant abnormality demonstrated."]
NORMAL_IMP_US = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                 "No acute radiographic abnormality of the chest."]

NEUTROPENIC_IND = [
    "Neutropenic fever, day {d} of induction chemotherapy for AML. ?Chest source.",
    "Febrile neutropenia. Temp 38.{t}. Day +{d} post autologous SCT for myeloma.",
    "Day +{d} post allogeneic stem cell transplant for AML. Pyrexial, neutrophils 0.{t}. Source?",
    "ALL on induction. Neutropenic sepsis, no localising signs.",
    "DLBCL, cycle {c} R-CHOP. Fever and cough. ?Pneumonia.",
    "MDS, post allo-BMT day +{d}. New fever. Please assess for infection.",
    "Post BMT, neutropenic, spiking temperatures on piperacillin-tazobactam.",
]
FUNGAL_IND = [
    "Persistent neutropenic fever despite 72 hours of broad-spectrum antibiotics. ?Fungal infection.",
    "AML, prolonged neutropenia, raised galactomannan. ?Invasive aspergillosis.",
    "Day +{d} post allo-SCT, fever not settling on meropenem. ?Fungal.",
]
OVERLOAD_IND = [
    "Day +{d} post allogeneic SCT. Weight up {t} kg, bibasal crackles. ?Fluid overload ?engraftment syndrome.",
    "Post BMT, hypoxic, positive fluid balance. ?Pulmonary oedema.",
    "Engraftment, rash and fever, new oxygen requirement.",
]
LYMPHOMA_IND = [
    "Hodgkin lymphoma, known mediastinal mass. Interim assessment after cycle {c} ABVD.",
    "Primary mediastinal B-cell lymphoma. Increasing breathlessness.",
    "DLBCL with bulky mediastinal disease. Baseline chest radiograph.",
    "Lymphoma, post cycle {c}. Stridor? Mediastinal disease.",
]
GVHD_IND = [
    "Chronic GVHD post allo-SCT. Progressive breathlessness. ?Bronchiolitis obliterans.",
    "Day +{d} post allograft, GVHD of skin and gut, now dry cough and falling FEV1.",
]
LINE_IND = [
    "Post insertion of {side} {line}. Tip position please.",
    "{Side} {line} inserted today for chemotherapy. Check position.",
    "New {line} ({side}) placed in IR. ?Tip.",
]
PTX_IND = [
    "Pleuritic chest pain and breathlessness following {side} {line} insertion. ?Pneumothorax.",
    "Desaturated after {side} central line insertion. ?PTX.",
]


def fill(rng, template, **kw):
    side = kw.get("side", "right")
    return template.format(d=rng.randint(3, 28), t=rng.randint(1, 9), c=rng.randint(1, 6), side=side,
                           Side=side.capitalize(), line=kw.get("line", "Hickman line"))


def opp(side):
    return "left" if side == "right" else "right"


# --- scenarios: each returns (scenario name, indication, findings [S], impression [S]) ---------------------


def sc_neutropenic_normal(rng, us):
    side = rng.choice(["right", "left"])
    fnd, imp = [], []
    if rng.random() < 0.6:
        lf, li, _ = line_sentences(rng, side, us)
        fnd.append(lf)
        if rng.random() < 0.6:
            imp.append(li)
    fnd += [lungs_clear(rng, us), pleura_clear(rng), no_ptx(rng), heart_normal(rng, us)]
    if rng.random() < 0.4:
        fnd.append(bones(rng))
    main = rng.choice([
        S("No focal consolidation to account for the pyrexia.", "consol", neg=True),
        S("No radiographic evidence of pneumonia.", "consol", neg=True),
        S(rng.choice(NORMAL_IMP_US if us else NORMAL_IMP_UK), "normal"),
        S("No radiographic source of sepsis identified.", "normal"),
    ])
    imp.insert(0, main)
    if rng.random() < 0.35:
        imp.append(S(rng.choice([
            "Note that the chest radiograph is insensitive in neutropenic patients; "
            "if fever persists, CT chest is advised.",
            "If pyrexia persists, consider low-dose CT chest to look for fungal infection.",
            "A normal film does not exclude early infection in a neutropenic patient; correlate clinically.",
        ]), "rec"))
    return "neutropenic_normal", fill(rng, rng.choice(NEUTROPENIC_IND)), fnd, imp


def sc_line_check(rng, us):
    side = rng.choice(["right", "left"])
    lf, li, short = line_sentences(rng, side, us)
    fnd = [lf, no_ptx(rng), lungs_clear(rng, us)]
    if rng.random() < 0.5:
        fnd.append(heart_normal(rng, us))
    imp = [li, S(rng.choice(["No pneumothorax.", "No pneumothorax following insertion."]), "ptx", neg=True)]
    ind = fill(rng, rng.choice(LINE_IND), side=side, line=short)
    return "line_check", ind, fnd, imp


def sc_line_malposition(rng, us):
    side = rng.choice(["right", "left"])
    sd = side.capitalize()
    fnd = [
        S(rng.choice([
            f"{sd} arm PICC with its tip directed cranially into the ipsilateral internal jugular vein.",
            f"The {side} PICC has looped back on itself in the {side} axillary region, tip in the subclavian vein.",
            f"{sd}-sided Hickman line, tip projected high in the brachiocephalic vein.",
        ]), "line_mal", side, sig=False, cat="lines"),
        no_ptx(rng), lungs_clear(rng, us),
    ]
    imp = [
        S(rng.choice([
            f"Malpositioned {side} PICC; the tip is not in the SVC. Repositioning advised before use.",
            f"{sd} central line tip sub-optimally sited, not in the SVC. Suggest withdraw/reposition.",
        ]), "line_mal", side, cat="lines"),
        S("Ward informed by telephone." if not us else "Findings communicated to the BMT team.", "rec"),
    ]
    ind = fill(rng, rng.choice(LINE_IND), side=side, line=rng.choice(["PICC", "Hickman line"]))
    return "line_malposition", ind, fnd, imp


def sc_pneumothorax(rng, us):
    side = rng.choice(["right", "left"])
    sd = side.capitalize()
    size = rng.choice(["Small", "Moderate", "Shallow", "Large"])
    mm = rng.randint(8, 35)
    fnd = []
    lf, li, short = line_sentences(rng, side, us)
    fnd.append(lf)
    fnd.append(S(rng.choice([
        f"{size} {side} apical pneumothorax, rim measuring {mm} mm at the apex.",
        f"There is a {size.lower()} {side} pneumothorax with a visible pleural edge.",
        f"{sd} pneumothorax, {mm} mm interpleural distance at the level of the hilum.",
    ]), "ptx", side, sig=True, cat="pleura"))
    fnd.append(S("No mediastinal shift.", "shift", neg=True, cat="heart"))
    fnd.append(S(rng.choice(["The lungs are otherwise clear.", "No focal consolidation."]), "consol", neg=True))
    imp = [
        S(rng.choice([
            f"{sd} pneumothorax following line insertion.",
            f"{size} {side} apical pneumothorax (iatrogenic).",
            f"{sd}-sided pneumothorax post central line insertion.",
        ]), "ptx", side, sig=True, cat="pleura"),
        S(rng.choice(["Line tip in satisfactory position.", "Line tip appropriately sited."]), "line", cat="lines"),
        S(rng.choice(["Discussed with the haematology SpR on the ward at the time of reporting.",
                      "Result telephoned to the BMT fellow.", "Urgent finding communicated to the clinical team."]),
          "rec", deps=("ptx",)),
    ]
    ind = fill(rng, rng.choice(PTX_IND), side=side, line=short)
    return "pneumothorax", ind, fnd, imp


def sc_fungal_nodule(rng, us):
    side = rng.choice(["right", "left"])
    sd = side.capitalize()
    zone = rng.choice(["upper", "mid", "lower"])
    mm = rng.randint(9, 35)
    fnd = [S(rng.choice([
        f"There is a {mm} mm ill-defined nodular opacity in the {side} {zone} zone.",
        f"New {mm} mm nodule in the {side} {zone} zone with a hazy margin.",
        f"A rounded {mm} mm opacity is present in the {side} {zone} zone, not seen previously.",
    ]), "nodule", side, sig=True)]
    if rng.random() < 0.5:
        fnd.append(S("No cavitation is seen.", "cavity", neg=True))
    fnd += [pleura_clear(rng), heart_normal(rng, us)]
    if rng.random() < 0.5:
        lf, li, _ = line_sentences(rng, rng.choice(["right", "left"]), us)
        fnd.insert(0, lf)
    imp = [
        S(rng.choice([
            f"New {side} {zone} zone nodule in a neutropenic patient, concerning for invasive fungal infection.",
            f"{sd} {zone} zone nodular opacity; in this clinical context angioinvasive fungal infection "
            "should be considered.",
            f"{mm} mm {side} {zone} zone nodule, ?fungal.",
        ]), "nodule", side, sig=True),
        S(rng.choice(["CT chest recommended (halo sign?).", "Suggest CT chest for further characterisation.",
                      "Recommend non-contrast CT chest."]), "rec", deps=("nodule",)),
    ]
    return "fungal_nodule", fill(rng, rng.choice(FUNGAL_IND)), fnd, imp


def sc_consolidation(rng, us):
    side = rng.choice(["right", "left"])
    zone = rng.choice(["lower", "mid and lower", "upper", "mid"])
    zs = "s" if " and " in zone else ""
    lobe = {"lower": "lower lobe", "upper": "upper lobe", "mid": "middle lobe" if side == "right" else "lingula",
            "mid and lower": "lower lobe"}[zone]
    fnd = [S(rng.choice([
        f"New patchy consolidation in the {side} {zone} zone{zs} with air bronchograms.",
        f"Airspace opacification in the {side} {zone} zone{zs}, new since the previous film.",
        f"There is consolidation in the {side} {lobe}." if us else
        f"Dense consolidation in the {side} {zone} zone{zs}.",
    ]), "consol", side, sig=True)]
    small_eff = rng.random() < 0.35
    if small_eff:
        fnd.append(S(f"Small {side} pleural effusion.", "effusion", side, sig=False, cat="pleura"))
    else:
        fnd.append(pleura_clear(rng))
    fnd += [no_ptx(rng), heart_normal(rng, us)]
    if rng.random() < 0.4:
        lf, li, _ = line_sentences(rng, rng.choice(["right", "left"]), us)
        fnd.insert(0, lf)
    where = f"{side} {lobe}" if us else f"{side} {zone} zone"
    imp = [S(rng.choice([
        f"{cap(where)} consolidation, in keeping with infection in this neutropenic patient.",
        f"New {where} consolidation consistent with pneumonia.",
        f"{cap(where)} pneumonia.",
    ]), "consol", side, sig=True)]
    if small_eff and rng.random() < 0.5:
        imp.append(S(f"Small {side} parapneumonic effusion.", "effusion", side, cat="pleura"))
    if rng.random() < 0.5:
        imp.append(S(rng.choice(["Follow-up radiograph after treatment to document resolution.",
                                 "Suggest repeat film in 6 weeks to confirm resolution."]), "rec", deps=("consol",)))
    return "consolidation", fill(rng, rng.choice(NEUTROPENIC_IND)), fnd, imp


def sc_overload(rng, us):
    oed = "edema" if us else "oedema"
    fnd = [
        S(rng.choice([
            "Upper lobe venous diversion with bilateral perihilar haze and septal lines.",
            "Increased interstitial markings with Kerley B lines and peribronchial cuffing, "
            f"in keeping with interstitial {oed}.",
            "Bilateral perihilar airspace shadowing and upper lobe blood diversion, new since the previous film.",
        ]), "oedema", sig=True),
        rng.choice([
            S("Small bilateral pleural effusions.", "effusion", sig=False, cat="pleura"),
            S("Bilateral pleural effusions, moderate on the right and small on the left.", "effusion", sig=True,
              cat="pleura"),
            pleura_clear(rng),
        ]),
        rng.choice([
            S("Heart size at the upper limit of normal.", "cardio_border", cat="heart"),
            S("Borderline cardiomegaly.", "cardio_border", cat="heart"),
            S("The vascular pedicle is widened.", "pedicle", cat="heart"),
        ]),
    ]
    if rng.random() < 0.6:
        lf, li, _ = line_sentences(rng, rng.choice(["right", "left"]), us)
        fnd.insert(0, lf)
    imp = [S(rng.choice([
        f"Features of fluid overload / pulmonary {oed}.",
        f"Interstitial pulmonary {oed}; in the context of day +10 to +14 post-transplant, "
        "engraftment syndrome is a consideration.",
        "Appearances in keeping with fluid overload.",
        f"New pulmonary {oed}.",
    ]), "oedema", sig=True)]
    if fnd[-2]["key"] == "effusion" and fnd[-2]["sig"]:
        imp.append(S("Bilateral pleural effusions, larger on the right.", "effusion", cat="pleura"))
    return "overload", fill(rng, rng.choice(OVERLOAD_IND)), fnd, imp


def sc_lymphoma(rng, us):
    side = rng.choice(["right", "left"])
    fnd = [
        S(rng.choice([
            f"Widening of the superior mediastinum with a lobulated {side} paratracheal contour, "
            "consistent with known lymphadenopathy.",
            f"Lobulated mediastinal widening, most marked on the {side}, in keeping with nodal disease.",
            f"Mediastinal widening with a bulky {side} hilar and paratracheal soft tissue mass.",
        ]), "mediast", side, sig=True, cat="heart"),
        S("The trachea is central." if rng.random() < 0.5 else "Trachea midline.", cat="heart"),
        lungs_clear(rng, us), pleura_clear(rng),
    ]
    trend = rng.choice(["smaller than", "unchanged from", "larger than"])
    imp = [S(rng.choice([
        f"Mediastinal widening due to known lymphoma, {trend} the previous film.",
        f"Widened mediastinum with {side} paratracheal nodal mass, {trend} on the prior study.",
        f"Bulky {side}-sided mediastinal nodal disease, {trend} previously.",
    ]), "mediast", side if rng.random() < 0.7 else None, sig=True, cat="heart")]
    if "{side}" not in imp[0]["text"] and side not in imp[0]["text"]:
        imp[0]["side"] = None
    if rng.random() < 0.5:
        imp.append(S("Lungs and pleural spaces are clear.", "consol", neg=True, deps=("effusion", "ptx")))
    return "lymphoma", fill(rng, rng.choice(LYMPHOMA_IND)), fnd, imp


def sc_effusion(rng, us):
    side = rng.choice(["right", "left"])
    sd = side.capitalize()
    size = rng.choice(["Moderate", "Large", "Moderate-sized"])
    fnd = [
        S(rng.choice([
            f"{size} {side} pleural effusion with adjacent basal atelectasis.",
            f"{size} {side} pleural effusion, increased since the previous film.",
            f"There is a {size.lower()} {side} pleural effusion obscuring the {side} hemidiaphragm.",
        ]), "effusion", side, sig=True, cat="pleura"),
        S(f"The {opp(side)} lung is clear.", "consol", neg=True),
        no_ptx(rng), heart_normal(rng, us),
    ]
    if rng.random() < 0.5:
        lf, li, _ = line_sentences(rng, rng.choice(["right", "left"]), us)
        fnd.insert(0, lf)
    imp = [S(rng.choice([
        f"{size} {side} pleural effusion.",
        f"{sd} pleural effusion, now {size.lower()}; ultrasound-guided aspiration could be considered "
        "if clinically indicated.",
        f"Increasing {side} pleural effusion ({size.lower()}).",
    ]), "effusion", side, sig=True, cat="pleura")]
    ind = fill(rng, rng.choice(NEUTROPENIC_IND + ["Lymphoma, increasing breathlessness. ?Effusion."]))
    return "effusion", ind, fnd, imp


def sc_gvhd(rng, us):
    fnd = [
        S(rng.choice(["The lungs are hyperinflated with flattening of the hemidiaphragms.",
                      "Hyperexpanded lungs with flattened hemidiaphragms and mild bronchial wall thickening."]),
          "hyperinfl"),
        rng.choice([S("No focal consolidation.", "consol", neg=True),
                    S("No consolidation or effusion.", "consol", neg=True, deps=("effusion",))]),
        heart_normal(rng, us), no_ptx(rng),
    ]
    imp = [
        S(rng.choice([
            "Hyperinflation, which in the context of chronic GVHD may reflect bronchiolitis obliterans syndrome.",
            "Hyperexpanded lungs; bronchiolitis obliterans is a possibility given the history of GVHD.",
        ]), "hyperinfl"),
        S(rng.choice(["Correlation with lung function and HRCT with expiratory images suggested.",
                      "Suggest HRCT with inspiratory and expiratory imaging."]), "rec"),
    ]
    return "gvhd", fill(rng, rng.choice(GVHD_IND)), fnd, imp


def sc_ggo(rng, us):
    fnd = [
        S(rng.choice([
            "New bilateral perihilar and mid zone ground-glass opacification.",
            "Diffuse bilateral hazy ground-glass opacity, new compared with the previous film.",
        ]), "ggo", sig=True),
        pleura_clear(rng), no_ptx(rng),
    ]
    if rng.random() < 0.6:
        lf, li, _ = line_sentences(rng, rng.choice(["right", "left"]), us)
        fnd.insert(0, lf)
    haem = "hemorrhage" if us else "haemorrhage"
    imp = [
        S(f"New bilateral ground-glass opacification. Differential includes PJP, viral pneumonitis, "
          f"diffuse alveolar {haem} and drug toxicity.", "ggo", sig=True),
        S("CT chest would be helpful.", "rec", deps=("ggo",)),
    ]
    ind = fill(rng, rng.choice(NEUTROPENIC_IND + ["Post allo-SCT, hypoxia and dry cough. ?PJP ?CMV pneumonitis."]))
    return "ggo", ind, fnd, imp


def sc_minor(rng, us):
    side = rng.choice(["right", "left"])
    fnd = []
    if rng.random() < 0.5:
        lf, li, _ = line_sentences(rng, side, us)
        fnd.append(lf)
    minor = rng.sample([
        S("Stable mild cardiomegaly.", "cardio_mild", cat="heart"),
        S(f"A {rng.randint(3, 5)} mm calcified nodule in the {side} lower zone is unchanged, likely a granuloma.",
          "granuloma", side),
        S(f"Old healed {side} rib fractures.", "fracture", side, cat="bones"),
        S("Small bilateral pleural effusions, unchanged.", "effusion", sig=False, cat="pleura"),
        S(f"Minor linear atelectasis at the {side} base.", "atelect", side),
    ], 2)
    fnd += minor
    keys = {m["key"] for m in minor}
    fnd.append(lungs_clear(rng, us) if "atelect" not in keys and "granuloma" not in keys else
               S("No focal consolidation.", "consol", neg=True))
    if "effusion" not in keys:
        fnd.append(no_ptx(rng))
    normal = NORMAL_IMP_US if us else NORMAL_IMP_UK + ["No acute change.", "No new abnormality."]
    imp = [S(rng.choice(normal), "normal")]
    ind = fill(rng, rng.choice(NEUTROPENIC_IND + LYMPHOMA_IND[:1] + ["Pre-transplant work-up. Myeloma."]))
    return "minor", ind, fnd, imp


SCENARIOS = [
    (sc_neutropenic_normal, 26), (sc_line_check, 12), (sc_line_malposition, 4), (sc_pneumothorax, 6),
    (sc_fungal_nodule, 9), (sc_consolidation, 13), (sc_overload, 8), (sc_lymphoma, 7), (sc_effusion, 6),
    (sc_gvhd, 4), (sc_ggo, 5), (sc_minor, 10),
]


def pick_scenario(rng, us):
    fns = [f for f, _ in SCENARIOS]
    wts = [w for _, w in SCENARIOS]
    return rng.choices(fns, weights=wts)[0](rng, us)


# ----------------------------------------------------------------------------------------------
# injections on tagged sentences
# ----------------------------------------------------------------------------------------------

AFFIRM_BANK = {
    "effusion": ["Moderate {side} pleural effusion.", "{Side} pleural effusion.", "Bilateral pleural effusions."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "consol": ["{Side} lower zone consolidation, likely infective.", "Bibasal consolidation in keeping with infection.",
               "{Side} basal pneumonia."],
    "cardio": ["Cardiomegaly.", "The heart is enlarged.", "Cardiomegaly, new since the prior film."],
}
NEGATE_BANK = {
    "consol": ["No focal consolidation.", "The lungs are clear.", "No consolidation."],
    "ptx": ["No pneumothorax."],
    "effusion": ["No pleural effusion.", "No effusion."],
    "nodule": ["No pulmonary nodule or mass.", "No focal lung lesion."],
    "oedema": ["No pulmonary {oed}.", "No features of fluid overload."],
    "mediast": ["Normal mediastinal contour.", "The mediastinum is not widened."],
    "ggo": ["The lungs are clear.", "No airspace opacification."],
}


def affirm_text(rng, key, side_ok, us):
    opts = AFFIRM_BANK[key]
    if not side_ok and key != "ptx":
        opts = [o for o in opts if "{side}" not in o.lower()]
    side = rng.choice(["right", "left"])
    return rng.choice(opts).format(side=side, Side=side.capitalize())


def negate_text(rng, key, us):
    return rng.choice(NEGATE_BANK[key]).format(oed="edema" if us else "oedema")


def inject_composed(rng, kind, fnd, imp, us, variant):
    """Return (findings, impression, missing_mode, detail) or None if not applicable."""
    fnd = [S(**{k: v for k, v in s.items()}) for s in fnd]
    imp = [S(**{k: v for k, v in s.items()}) for s in imp]
    if kind == "laterality_conflict":
        pairs = []
        for i, f in enumerate(fnd):
            for j, m in enumerate(imp):
                if f["side"] and f["side"] == m["side"] and f["key"] == m["key"] and not f["neg"] and not m["neg"] \
                        and sides_in(f["text"]) == [f["side"]] and sides_in(m["text"]) == [m["side"]]:
                    pairs.append((i, j))
        if not pairs:
            return None
        i, j = rng.choice(pairs)
        if variant % 2 == 0:
            old = fnd[i]["text"]
            fnd[i]["text"] = flip_sides(old)
            det = (f"FINDINGS sentence flipped {fnd[i]['side']}->{opp(fnd[i]['side'])}: '{fnd[i]['text']}' "
                   f"while IMPRESSION keeps '{imp[j]['text']}'")
        else:
            old = imp[j]["text"]
            imp[j]["text"] = flip_sides(old)
            det = (f"IMPRESSION item flipped {imp[j]['side']}->{opp(imp[j]['side'])}: '{imp[j]['text']}' "
                   f"while FINDINGS keep '{fnd[i]['text']}'")
        return fnd, imp, None, det
    if kind == "negation_conflict":
        aff_f = {f["key"] for f in fnd if not f["neg"] and f["key"]}
        opts_a = [f for f in fnd if f["neg"] and f["key"] in AFFIRM_BANK and f["key"] not in aff_f]
        opts_b = [(j, m) for j, m in enumerate(imp) if m["sig"] and not m["neg"] and m["key"] in NEGATE_BANK
                  and m["key"] in aff_f]
        if variant % 2 == 1 and not opts_b:
            return None
        if variant % 2 == 1:
            j, m = rng.choice(opts_b)
            key = m["key"]
            new = negate_text(rng, key, us)
            src = next(f for f in fnd if f["key"] == key and not f["neg"])
            imp = [x for k, x in enumerate(imp) if k == j or (x["key"] != key and key not in x["deps"])]
            imp = [S(new, key, neg=True) if x is m else x for x in imp]
            det = f"IMPRESSION negates '{new}' although FINDINGS affirm '{src['text']}'"
            return fnd, imp, None, det
        if not opts_a:
            return None
        f = rng.choice(opts_a)
        key = f["key"]
        side_ok = not any(sides_in(x["text"]) for x in fnd if x["key"] not in ("line",))
        new = affirm_text(rng, key, side_ok, us)
        imp = [x for x in imp if x["key"] not in ("normal", key) and key not in x["deps"] and x["key"] != "rec"]
        imp.insert(0, S(new, key, sig=True))
        det = f"IMPRESSION asserts '{new}' although FINDINGS state '{f['text']}'"
        return fnd, imp, None, det
    if kind == "impression_omits_finding":
        targets = [f for f in fnd if f["sig"] and not f["neg"] and any(m["key"] == f["key"] for m in imp)]
        if not targets:
            return None
        f = rng.choice(targets)
        key = f["key"]
        rest = [m for m in imp if m["key"] != key and key not in m["deps"] and m["key"] != "rec"]
        if variant % 2 == 1 and not rest:
            return None
        if variant % 2 == 0:
            new = rng.choice(NORMAL_IMP_US if us else NORMAL_IMP_UK)
            imp = [S(new, "normal")]
            det = f"IMPRESSION replaced by normal statement '{new}'; FINDINGS affirm '{f['text']}'"
        else:
            imp = rest
            det = f"IMPRESSION lists other findings only ({'; '.join(m['text'] for m in rest)}) and omits '{f['text']}'"
        return fnd, imp, None, det
    if kind == "missing_section":
        mode = ["findings_empty", "impression_empty", "impression_sig_only", "impression_removed"][variant % 4]
        return fnd, imp, mode, {"findings_empty": "FINDINGS emptied, header kept",
                                "impression_empty": "IMPRESSION emptied, header kept",
                                "impression_sig_only": "IMPRESSION header followed only by the signature",
                                "impression_removed": "IMPRESSION section removed"}[mode]
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------
# placeholders
# ----------------------------------------------------------------------------------------------

def inject_placeholder(rng, fnd_txt, imp_txt):
    """Replace one clinical word in findings or impression by an unfilled template field."""
    cands = []
    for sec, lst in (("FINDINGS", fnd_txt), ("IMPRESSION", imp_txt)):
        for i, t in enumerate(lst):
            for m in re.finditer(r"\b(left|right)\b", t, re.I):
                cands.append((sec, i, m.span(), "side", m.group(0)))
            for m in re.finditer(r"\b\d+(?:\.\d+)? ?(mm|cm)\b", t):
                cands.append((sec, i, m.span(), "size", m.group(0)))
            for m in re.finditer(r"\b(small|moderate|large|mild|minimal|shallow)\b", t, re.I):
                cands.append((sec, i, m.span(), "grade", m.group(0)))
            for m in re.finditer(r"\b(upper|lower|mid|middle)\b(?= (zone|lobe))", t, re.I):
                cands.append((sec, i, m.span(), "zone", m.group(0)))
            for m in re.finditer(r"cavoatrial junction|lower SVC|distal SVC|superior vena cava", t):
                cands.append((sec, i, m.span(), "tip", m.group(0)))
            for m in re.finditer(r"\b(consolidation|effusion|pneumothorax|nodule|opacity|atelectasis|cardiomegaly|"
                                 r"granuloma|degenerative|hyperinflated|infiltrate|pneumonia|edema|oedema)\b", t, re.I):
                cands.append((sec, i, m.span(), "word", m.group(0)))
    if not cands:
        return None
    sec, i, (a, b), typ, word = rng.choice(cands)
    ph = rng.choice({
        "side": ["[side]", "[LEFT/RIGHT]", "[***]", "***", "___", "<<side>>"],
        "size": ["XX mm", "<<size>> mm", "[***] mm", "__ mm", "[size]", "XX cm"],
        "grade": ["[size]", "<<grade>>", "[***]", "[small/moderate/large]"],
        "zone": ["[zone]", "[***]", "<<zone>>", "[upper/mid/lower]"],
        "tip": ["[tip position]", "<<tip location>>", "[***]", "[level]"],
        "word": ["[***]", "[ ]", "<<finding>>", "[FINDING]", "***"],
    }[typ])
    lst = fnd_txt if sec == "FINDINGS" else imp_txt
    lst[i] = lst[i][:a] + ph + lst[i][b:]
    return f"{sec}: '{word}' replaced by unfilled field '{ph}'"


# ----------------------------------------------------------------------------------------------
# layouts
# ----------------------------------------------------------------------------------------------

UK_LAYOUTS = ["uk_ward", "uk_block", "uk_bmt"]
US_LAYOUTS = ["us_struct", "us_para"]

CAT_LABEL = [("lines", "Lines/tubes"), ("lungs", "Lungs"), ("pleura", "Pleura"),
             ("heart", "Heart and mediastinum"), ("bones", "Bones/soft tissues")]


def guess_cat(text):
    t = text.lower()
    if re.search(r"picc|catheter|\bline\b|port|pacemaker|\btube\b|hickman|generator|sternotomy|clip", t):
        return "lines"
    if re.search(r"effusion|pneumothora|costophrenic|pleura", t):
        return "pleura"
    if re.search(r"heart|cardi|mediastin|aort|hil(um|ar)|trachea|silhouette", t):
        return "heart"
    if re.search(r"bone|spine|rib|fractur|degenerat|osseous|vertebr|spondyl|scoliosis|shoulder|thoracic", t):
        return "bones"
    return "lungs"


def render(layout, rng, ind, comp, fnd, imp, cats, missing=None, may_number=True):
    """fnd / imp: lists of sentence strings. Returns report text."""
    us = layout.startswith("us")
    sig = us_signature(rng) if us else uk_signature(rng)
    numbered = may_number and len(imp) > 1 and rng.random() < 0.7
    out = []
    if layout == "uk_ward":
        out.append(rng.choice(["CHEST X-RAY (AP MOBILE)", "XR Chest PA", "CXR - portable AP", "XR CHEST"]))
        out.append(f"Clinical details: {ind}")
        if comp:
            out.append(f"Comparison: {comp}")
        fh, ih = "Findings:", rng.choice(["Conclusion:", "Impression:", "Opinion:"])
        fbody = " ".join(fnd)
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp)) if numbered else " ".join(imp)
        inline = rng.random() < 0.6
    elif layout == "uk_block":
        out.append(rng.choice(["Examination: Chest radiograph, PA erect", "Examination: CXR (AP sitting, ward)",
                               "Examination: XR Thorax"]))
        out.append(f"Clinical information: {ind}")
        if comp:
            out.append(f"Previous imaging: {comp}")
        out.append("")
        fh = rng.choice(["REPORT:", "FINDINGS:", "Findings:"])
        ih = rng.choice(["OPINION:", "CONCLUSION:", "IMPRESSION:"])
        fbody = "\n".join(fnd)
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp)) if numbered else " ".join(imp)
        inline = False
    elif layout == "uk_bmt":
        out.append(rng.choice(["Haematology/BMT Unit - Chest radiograph", "BMT ward CXR", "Haem-Onc: Chest X-ray AP"]))
        out.append(f"Indication: {ind}")
        if comp:
            out.append(f"Comparison: {comp}")
        fh = rng.choice(["Findings:", "FINDINGS:"])
        ih = rng.choice(["Comment:", "Conclusion:", "Summary:", "Impression:"])
        fbody = "\n".join(f"- {s}" for s in fnd)
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp)) if numbered else " ".join(imp)
        inline = False
    elif layout == "us_struct":
        exam, tech = rng.choice([
            ("EXAM: XR CHEST 1 VIEW PORTABLE", "Single frontal portable view of the chest."),
            ("EXAMINATION: CHEST, SINGLE VIEW (AP PORTABLE)", "AP upright portable radiograph."),
            ("EXAM: CHEST PA AND LATERAL", "PA and lateral views of the chest."),
        ])
        out.append(exam)
        out.append(f"CLINICAL HISTORY: {ind}")
        out.append(f"TECHNIQUE: {tech}")
        out.append(f"COMPARISON: {comp or 'None.'}")
        out.append("")
        fh, ih = "FINDINGS:", "IMPRESSION:"
        groups = []
        for c, lab in CAT_LABEL:
            txt = " ".join(s for s, k in zip(fnd, cats, strict=True) if k == c)
            if txt:
                groups.append(f"{lab}: {txt}")
        fbody = "\n".join(groups) if rng.random() < 0.7 else " ".join(fnd)
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp)) if len(imp) > 1 and may_number else " ".join(imp)
        inline = False
    elif layout == "us_para":
        out.append(f"INDICATION: {ind}")
        out.append(f"COMPARISON: {comp or 'None.'}")
        fh, ih = "FINDINGS:", "IMPRESSION:"
        fbody = " ".join(fnd)
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(imp)) if numbered else " ".join(imp)
        inline = rng.random() < 0.5
    elif layout == "impression_only":
        out.append(rng.choice(["CXR AP mobile", "XR Chest"]))
        out.append(f"Clinical details: {ind}")
        fh, ih = None, rng.choice(["IMPRESSION:", "Report and impression:"])
        fbody, ibody, inline = "", " ".join(fnd + imp), False
    else:
        raise ValueError(layout)

    def section(h, body):
        if inline:
            return [f"{h} {body}".rstrip()]
        return [h, body] if body else [h]

    if fh is not None:
        out += section(fh, "" if missing == "findings_empty" else fbody)
        if not inline:
            out.append("")
    if missing in ("impression_empty",):
        out += [ih]
        return "\n".join(out).rstrip() + "\n"
    if missing == "impression_sig_only":
        out += [ih, sig]
        return "\n".join(out).rstrip() + "\n"
    if missing != "impression_removed":
        out += section(ih, ibody)
    out += ["", sig]
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------------------------
# composed cases
# ----------------------------------------------------------------------------------------------

US_SPELL = [("tunnelled", "tunneled"), ("oedema", "edema"), ("haemorrhage", "hemorrhage"),
            ("characterisation", "characterization"), ("localising", "localizing"), ("Visualised", "Visualized"),
            ("haemato", "hemato"), ("Haemato", "Hemato"), ("centre", "center")]


def us_spelling(text):
    for a, b in US_SPELL:
        text = text.replace(a, b)
    return text


def composed_case(rng, kind, variant):
    for _ in range(400):
        us = rng.random() < 0.45
        name, ind, fnd, imp = pick_scenario(rng, us)
        layout = rng.choice(US_LAYOUTS if us else UK_LAYOUTS)
        comp = (us_comparison if us else uk_comparison)(rng) if rng.random() < 0.8 else ""
        missing = None
        if kind is None:
            det = f"composed {name}; clean; layout {layout}"
            if name in ("neutropenic_normal", "line_check", "consolidation") and rng.random() < 0.12:
                layout = "impression_only"
                det = f"composed {name}; clean; FINDINGS absent, descriptive IMPRESSION only"
        elif kind == "placeholder":
            det = None
        else:
            res = inject_composed(rng, kind, fnd, imp, us, variant)
            if res is None:
                continue
            fnd, imp, missing, d = res
            det = f"composed {name}; {d}; layout {layout}"
        ftxt = [s["text"] for s in fnd]
        itxt = [s["text"] for s in imp]
        if us:
            ind, ftxt, itxt = us_spelling(ind), [us_spelling(t) for t in ftxt], [us_spelling(t) for t in itxt]
            det = us_spelling(det) if det else det
        needs_prior = re.search(r"previous|prior|new since|unchanged|increas", " ".join(ftxt + itxt), re.I)
        if comp in ("", "None.", "None available.", "No previous imaging on PACS.") and needs_prior:
            comp = (us_comparison if us else uk_comparison)(rng)
            while comp in ("None.", "None available.", "No previous imaging on PACS."):
                comp = (us_comparison if us else uk_comparison)(rng)
        if kind == "placeholder":
            d = inject_placeholder(rng, ftxt, itxt)
            if d is None:
                continue
            det = f"composed {name}; {d}; layout {layout}"
        text = render(layout, rng, ind, comp, ftxt, itxt, [s["cat"] for s in fnd], missing)
        return text, det
    raise RuntimeError("could not compose case")


# ----------------------------------------------------------------------------------------------
# IU reports: parsing, analysis and selection
# ----------------------------------------------------------------------------------------------

GROUPS = {
    "ptx": r"pneumothora",
    "effusion": r"effusion|pleural fluid",
    "consol": r"consolidat|air ?space (disease|opacit|process|filling)|infiltrat|pneumonia|pneumonitis",
    "opacity": r"opacit|densit",
    "oedema": r"\bo?edema|vascular congestion|venous congestion|fluid overload|\bchf\b|heart failure",
    "cardio": r"cardiomegaly|enlarged heart|(heart|cardiac silhouette|cardiac size|heart size) (is |are )?(again )?"
              r"(mildly |moderately |markedly |severely |slightly |borderline )?enlarged|enlargement of the cardiac",
    "nodule": r"nodul|\bmass\b|\bmasses\b",
    "mediast": r"mediastin\w* (widening|mass|adenopathy|lymphadenopathy)|widen\w* (of the )?(superior )?mediastin",
}
NOTABLE = list(GROUPS)
FAMILY = {"consol": "air", "opacity": "air"}
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|absence|absent|resolved|removed)\b")
HEDGE = re.compile(r"and/or|[a-z]/[a-z]|\b(either|possible|possibly|may|might|could|cannot|can't|suspicious|"
                   r"suspected|question\w*|suggest\w*|"
                   r"consider\w*|versus|vs|likely|probable|probably|concern\w*|differential|equivocal|indeterminate|"
                   r"early|subtle|underlying|difficult|exclude\w*|borderline|vs\.)\b|\?")
CHANGE = re.compile(r"\b(resolv\w*|resolution|clear(ed|ing)|no longer|removed|improv\w*|decreas\w*|smaller|near)\b")
LUNGS_CLEAR = re.compile(r"\blungs? (are |is )?(now )?(clear|well expanded and clear|grossly clear)|\bclear lungs\b")
HEART_NORMAL = re.compile(r"(heart|cardiac) (size )?(is |are )?(normal|within normal limits|not enlarged)|"
                          r"normal heart size|heart size (is )?(normal|within normal)|"
                          r"(cardiomediastinal|cardiac) (silhouette|contours?) "
                          r"(is |are )?(normal|within normal limits|unremarkable)|normal (cardiac|cardiomediastinal) "
                          r"(silhouette|contours?)|heart and mediastinum (are )?"
                          r"(normal|unremarkable|within normal limits)")
NORMAL_IMP = re.compile(r"^(no acute|normal chest|no active|negative|no (radiographic )?evidence of (acute|active)|"
                        r"unremarkable|no significant|normal (radiograph|study|exam|examination)|"
                        r"no acute cardiopulmonary|no evidence of acute|clear lungs|chest: no acute|"
                        r"heart size normal\. lungs are clear)")
MINOR_MOD = re.compile(r"\b(mild|mildly|minimal|stable|borderline|slight|slightly|upper limits? of normal|chronic|"
                       r"calcified|calcification|tiny|trace|small)\b")
LAT_FAM = {
    "air": r"consolidat|air ?space|infiltrat|pneumonia|opacit|atelecta|densit|scar",
    "eff": r"effusion|costophrenic|pleural fluid|pleural thickening",
    "ptx": r"pneumothora",
    "nod": r"nodul|\bmass\b|granulom|lesion",
    "diaph": r"diaphragm",
    "line": r"picc|catheter|\bline\b|\bport\b|pacemaker|\btube\b|pacer|generator|defibrillator",
    "frac": r"fractur",
    "hil": r"\bhil(um|ar)\b|lymph",
}
LATERALITY_ALLOWED_FAMS = ["air", "eff", "ptx", "nod", "diaph", "line", "hil"]


def split_sentences(text):
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+(?=[A-Za-z])", " ", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    out = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        p = re.sub(r"(\s*\.)+$", ".", p)
        if not p.endswith((".", "?", "!")):
            p += "."
        out.append(cap(p))
    return out


def clause_status(sentence):
    """Return {group: set(status)} with status in aff/neg/hedge/changed, plus extra keys."""
    low = sentence.lower()
    res = {}
    if LUNGS_CLEAR.search(low):
        for g in ("consol", "opacity", "oedema"):
            res.setdefault(g, set()).add("neg")
    if HEART_NORMAL.search(low):
        res.setdefault("cardio", set()).add("neg")
    for clause in re.split(r";|:|\bbut\b|\bhowever\b|\balthough\b|\bexcept\b|\bwhile\b|\bwhereas\b", low):
        hedge = bool(HEDGE.search(clause))
        change = bool(CHANGE.search(clause))
        for g, pat in GROUPS.items():
            for m in re.finditer(pat, clause):
                st = res.setdefault(g, set())
                pre = clause[:m.start()]
                st.add("neg" if NEG_CUE.search(pre) else "aff")
                if hedge:
                    st.add("hedge")
                if change:
                    st.add("changed")
                if MINOR_MOD.search(clause):
                    st.add("minor")
                if g == "effusion" and re.search(r"\b(small|tiny|trace|minimal|blunting)\b", clause):
                    st.add("small")
                if g == "effusion" and re.search(r"\b(moderate|large|massive|moderate-sized)\b", clause):
                    st.add("large")
                if g == "nodule":
                    sizes = [float(x) * (10 if u == "cm" else 1) for x, u in
                             re.findall(r"(\d+(?:\.\d+)?) ?(mm|cm)\b", clause)]
                    if sizes and max(sizes) >= 6:
                        st.add("big")
                    if "mass" in m.group(0):
                        st.add("big")
    return res


def analyse(fnd, imp):
    fs = [clause_status(s) for s in fnd]
    ims = [clause_status(s) for s in imp]

    def agg(lst):
        out = {}
        for d in lst:
            for g, st in d.items():
                out.setdefault(g, set()).update(st)
        return out

    return fs, ims, agg(fs), agg(ims)


def notable_aff(st, g):
    """Finding affirmed and not trivially minor (for clean-normal gating)."""
    if "aff" not in st:
        return False
    if g == "cardio" and "minor" in st:
        return False
    if g == "effusion" and "small" in st and "large" not in st:
        return True  # small effusion still counted notable for the normal-impression gate
    return True


def fam(g):
    return FAMILY.get(g, g)


def lat_fams(text):
    low = text.lower()
    return [f for f, pat in LAT_FAM.items() if re.search(pat, low)]


def side_consistent(fnd, imp):
    fmap, imap = {}, {}
    for lst, mp in ((fnd, fmap), (imp, imap)):
        for s in lst:
            sd = sides_in(s)
            if not sd:
                continue
            for f in lat_fams(s):
                mp.setdefault(f, set()).update(sd)
    for f, sides in imap.items():
        if f in fmap and not sides <= fmap[f]:
            return False
        if f in fmap and not fmap[f] <= sides and len(fmap[f]) == 1:
            return False
    return True


def classify_iu(fnd, imp):
    """Return 'normal', 'abnormal' (consistent) or None (not usable as a clean base)."""
    fs, ims, F, IM = analyse(fnd, imp)
    for sec in (F, IM):
        for st in sec.values():
            if st & {"hedge", "changed"}:
                return None
    for g in NOTABLE:
        f, i = F.get(g, set()), IM.get(g, set())
        if ("aff" in f and "neg" in i) or ("neg" in f and "aff" in i):
            return None
    if not side_consistent(fnd, imp):
        return None
    imp_normal = all(NORMAL_IMP.match(s.lower()) for s in imp)
    any_normal = any(NORMAL_IMP.match(s.lower()) for s in imp)
    f_notable = [g for g in NOTABLE if notable_aff(F.get(g, set()), g)]
    if imp_normal:
        return "normal" if not f_notable else None
    if any_normal and f_notable:
        return None
    fam_f = {fam(g) for g in f_notable}
    fam_i = {fam(g) for g in NOTABLE if "aff" in IM.get(g, set())}
    # every notable finding in FINDINGS must be in the IMPRESSION (except small effusion / minor cardiomegaly)
    for g in f_notable:
        st = F[g]
        if g == "effusion" and "small" in st and "large" not in st:
            continue
        if g == "nodule" and "minor" in st and "big" not in st:
            continue
        if fam(g) not in fam_i:
            return None
    if not fam_i <= fam_f | {"cardio"}:
        return None
    if "cardio" in fam_i and "cardio" not in fam_f:
        return None
    if not fam_i:
        return "other"
    return "abnormal"


def omission_targets(fnd, imp):
    _, ims, F, IM = analyse(fnd, imp)
    out = []
    for g in ("ptx", "consol", "oedema", "effusion", "nodule", "mediast"):
        st = F.get(g, set())
        if "aff" not in st or "aff" not in IM.get(g, set()):
            continue
        if g == "effusion" and not ("large" in st and "small" not in st):
            continue
        if g == "nodule" and "big" not in st:
            continue
        if g in ("consol", "oedema") and "minor" in st:
            continue
        out.append(g)
    return out


OTHER_FINDING = re.compile(r"cardiomegaly|heart|atelecta|scar|granulom|degenerat|spine|spondyl|aort|emphysema|copd|"
                           r"hyperinfl|hyperexpan|catheter|\bline\b|\bport\b|pacemaker|deformity|fracture|effusion|"
                           r"nodul|hernia|calcif|clips|sternotomy|elevat|diaphragm|shift|kyphosis|scoliosis")
NOT_OTHER = re.compile(r"resolution|follow|recommend|suggest|seen on|\bview|obtained|improv|prior|previous|"
                       r"parapneumonic|pneumoni|infect|consolidat|airspace|air space|infiltrat")


STRICT_NEG = {
    "ptx": re.compile(r"^(there is |there are )?no (evidence of |visible |definite )?(\w+ ){0,2}pneumothora"),
    "effusion": re.compile(r"^(there is |there are )?no (evidence of |visible |definite |large |significant )?"
                           r"(pleural )?effusion"),
    "consol": re.compile(r"^(there is |there are )?no (evidence of )?(focal )?(consolidation|airspace|air space|"
                         r"infiltrate|pneumonia)|^(the )?lungs? (are |is )?clear"),
    "cardio": HEART_NORMAL,
}


def iu_reword(sentences, uk):
    out = []
    for s in sentences:
        t = s
        t = re.sub(r"\b[Cc]hest [xX]-XXXX\b", "chest radiograph", t)
        t = re.sub(r"\b[xX]-XXXX\b", "radiograph", t)
        t = re.sub(r"^There (is|are) no\b", "No", t)
        t = re.sub(r"^The lungs are clear\b", "Lungs are clear", t)
        t = re.sub(r"^Heart size is normal\b", "Heart size normal", t)
        t = re.sub(r"\bcardiopulmonary disease\b", "cardiopulmonary abnormality", t)
        t = re.sub(r"\bNo acute pulmonary disease\b", "No acute pulmonary abnormality", t)
        if uk:
            t = re.sub(r"\b(E|e)dema\b", lambda m: ("O" if m.group(1) == "E" else "o") + "edema", t)
            t = re.sub(r"\b(H|h)emorrhag", lambda m: m.group(1) + "aemorrhag", t)
            t = re.sub(r"\b(E|e)sophag", lambda m: ("O" if m.group(1) == "E" else "o") + "esophag", t)
            t = re.sub(r"\bcenter", "centre", t)
            t = re.sub(r"\btumor", "tumour", t)
            t = re.sub(r"\bhilum\b", "hilum", t)
            t = re.sub(r"\b(upper|lower|mid) lobes?\b", lambda m: m.group(1) + " zone", t)
            t = re.sub(r"\bmidlung\b", "mid zone", t)
            t = re.sub(r"\bbibasilar\b", "bibasal", t)
            t = re.sub(r"\bvisualized\b", "visualised", t)
        out.append(t)
    return out


def load_iu(shared: Path):
    tgz = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = shared / "eval" / "report_errors_dev.jsonl"
    dev_uids = set()
    with open(dev) as fh:
        for line in fh:
            line = line.strip()
            if line:
                dev_uids.add(json.loads(line)["uid"])
    reports = []
    with tarfile.open(tgz) as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else None
            if not uid or uid in dev_uids:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if not f or not i:
                continue
            if re.search(r"\[|\]|_{2,}|\*|<<|>>", f + i + d.get("INDICATION", "") + d.get("COMPARISON", "")):
                continue
            fs, ims = split_sentences(f), split_sentences(i)
            if len(fs) < 2 or len(fs) > 9 or not ims or len(ims) > 6:
                continue
            if any(re.fullmatch(r"(chest|kub|abdomen|sternum|thoracic spine|ribs?|lateral|pa and lateral( views)?|"
                                r"frontal|impression|findings|comparison)\.", s.lower()) for s in fs + ims) \
                    or re.search(r"\b(KUB|abdomen|abdominal)\b", f + i):
                continue
            if any(len(s) > 260 for s in fs + ims):
                continue
            items = re.findall(r"(?:^|\s)\d{1,2}[.)]\s", " " + i)
            reports.append({"uid": uid, "findings": fs, "impression": ims, "numbered": len(items) == len(ims) > 1,
                            "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", "")})
    return reports, dev_uids


_IU_CACHE = {}


def iu_pool(shared: Path):
    key = str(shared)
    if key not in _IU_CACHE:
        reports, dev = load_iu(shared)
        for r in reports:
            r["cls"] = classify_iu(r["findings"], r["impression"])
        _IU_CACHE[key] = ([r for r in reports if r["cls"]], dev)
    return _IU_CACHE[key]


def uid_num(uid):
    return uid.replace("CXR", "")


def iu_lat_pairs(r):
    if "_lat" not in r:
        r["_lat"] = _iu_lat_pairs(r)
    return r["_lat"]


def _iu_lat_pairs(r):
    pairs = []
    for i, f in enumerate(r["findings"]):
        fs = sides_in(f)
        if len(fs) != 1 or re.search(r"\bbilateral|\bboth\b|\bbibasilar", f.lower()):
            continue
        for j, m in enumerate(r["impression"]):
            ms = sides_in(m)
            if ms != fs or re.search(r"\bbilateral|\bboth\b|\bbibasilar", m.lower()):
                continue
            common = [x for x in lat_fams(f) if x in lat_fams(m) and x in LATERALITY_ALLOWED_FAMS]
            if not common:
                continue
            if NEG_CUE.match(f.lower()) or NEG_CUE.match(m.lower()):
                continue
            if re.search(r"\bventric|atri(um|al)\b|\bleft in place\b", f.lower() + " " + m.lower()):
                continue
            if HEDGE.search(f.lower()) or HEDGE.search(m.lower()):
                continue
            pairs.append((i, j))
    return pairs


def iu_neg_a_options(r):
    if "_nega" not in r:
        r["_nega"] = _iu_neg_a_options(r)
    return r["_nega"]


def iu_neg_b_options(r):
    if "_negb" not in r:
        r["_negb"] = _iu_neg_b_options(r)
    return r["_negb"]


def iu_omission_targets(r):
    if "_omit" not in r:
        r["_omit"] = omission_targets(r["findings"], r["impression"])
    return r["_omit"]


def _iu_neg_a_options(r):
    _, _, F, IM = analyse(r["findings"], r["impression"])
    opts = []
    for i, s in enumerate(r["findings"]):
        low = s.lower()
        for g, pat in STRICT_NEG.items():
            if pat.search(low) if g == "cardio" else pat.match(low):
                if "aff" in F.get(g, set()) or "aff" in IM.get(g, set()):
                    continue
                if g == "consol" and ("aff" in F.get("opacity", set()) or "aff" in IM.get("opacity", set())):
                    continue
                opts.append((i, g))
    return opts


def _iu_neg_b_options(r):
    fs, ims, F, IM = analyse(r["findings"], r["impression"])
    opts = []
    for j, st in enumerate(ims):
        groups = [g for g in NOTABLE if "aff" in st.get(g, set())]
        if len(groups) != 1:
            continue
        g = groups[0]
        if g not in NEGATE_BANK or "aff" not in F.get(g, set()):
            continue
        if g == "effusion" and "small" in F[g] and "large" not in F[g]:
            continue
        if len(sides_in(r["impression"][j])) > 1:
            continue
        opts.append((j, g))
    return opts


def iu_case(rng, r, kind, variant):
    """Build one IU-based row (text, detail) or None if the report does not suit the kind."""
    fnd, imp = list(r["findings"]), list(r["impression"])
    uk = rng.random() < 0.6
    layout = rng.choice(UK_LAYOUTS if uk else US_LAYOUTS)
    us = not uk
    missing = None
    what = ""
    if kind == "laterality_conflict":
        pairs = iu_lat_pairs(r)
        if not pairs:
            return None
        i, j = rng.choice(pairs)
        if variant % 2 == 0:
            fnd[i] = flip_sides(fnd[i])
            what = f"FINDINGS sentence side flipped to '{fnd[i]}' while IMPRESSION keeps '{imp[j]}'"
        else:
            imp[j] = flip_sides(imp[j])
            what = f"IMPRESSION sentence side flipped to '{imp[j]}' while FINDINGS keep '{fnd[i]}'"
    elif kind == "negation_conflict":
        a_opts, b_opts = iu_neg_a_options(r), iu_neg_b_options(r)
        if variant % 2 == 1 and b_opts:
            j, g = rng.choice(b_opts)
            new = negate_text(rng, g, us)
            old = imp[j]
            imp = [s for k, s in enumerate(imp) if k == j or "aff" not in clause_status(s).get(g, set())]
            imp = [new if s == old else s for s in imp]
            what = f"IMPRESSION item '{old}' replaced by '{new}' although FINDINGS affirm it"
        elif a_opts and variant % 2 == 0:
            i, g = rng.choice(a_opts)
            side_ok = not any(sides_in(s) for s in fnd + imp)
            new = affirm_text(rng, g, side_ok, us)
            keep = [s for s in imp if not NORMAL_IMP.match(s.lower()) and g not in clause_status(s)]
            imp = [new] + keep
            what = f"IMPRESSION now asserts '{new}' although FINDINGS state '{fnd[i]}'"
        else:
            return None
    elif kind == "impression_omits_finding":
        targets = iu_omission_targets(r)
        if not targets:
            return None
        g = rng.choice(targets)
        famg = fam(g)
        gone = [s for s in imp if any(fam(h) == famg for h, st in clause_status(s).items() if st & {"aff", "neg"})]
        rest = [s for s in imp if s not in gone and not NORMAL_IMP.match(s.lower())]
        src = next(s for s in fnd if "aff" in clause_status(s).get(g, set()))
        rest = [s for s in rest if OTHER_FINDING.search(s.lower()) and not NOT_OTHER.search(s.lower())]
        if not rest:
            # other findings taken from FINDINGS: affirmed, nothing notable, not about the omitted finding
            rest = [s for s in fnd if not clause_status(s) and not NEG_CUE.search(s.lower())
                    and not re.search(r"\b(normal|unremarkable|clear|stable|within)\b", s.lower())
                    and famg not in [fam(x) for x in lat_fams(s)] and s != src
                    and OTHER_FINDING.search(s.lower()) and not NOT_OTHER.search(s.lower())][:2]
        if variant % 2 == 0:
            new = rng.choice(NORMAL_IMP_US if us else NORMAL_IMP_UK)
            imp = [new]
            what = f"IMPRESSION replaced by '{new}'; FINDINGS affirm '{src}'"
        else:
            if not rest:
                return None
            imp = rest
            what = f"IMPRESSION keeps only other findings ({' '.join(rest)}); omits '{src}'"
    elif kind == "missing_section":
        missing = ["findings_empty", "impression_empty", "impression_sig_only", "impression_removed"][variant % 4]
        what = {"findings_empty": "FINDINGS emptied, header kept",
                "impression_empty": "IMPRESSION emptied, header kept",
                "impression_sig_only": "IMPRESSION header followed only by the signature",
                "impression_removed": "IMPRESSION section removed"}[missing]
    fnd = iu_reword(fnd, uk)
    imp = iu_reword(imp, uk)
    if kind == "placeholder":
        d = inject_placeholder(rng, fnd, imp)
        if d is None:
            return None
        what = d
    ind = r["indication"] or "Not stated."
    ind = ind if ind.endswith((".", "?", ";")) else ind + "."
    if rng.random() < 0.4:
        ind = rng.choice(["Haematology clinic. ", "Referred from BMT day unit. ", "Haem-onc outpatient. ",
                          "Requested by haematology SpR. "]) + ind
    comp = r["comparison"]
    cats = [guess_cat(s) for s in fnd]
    text = render(layout, rng, ind, comp, fnd, imp, cats, missing, may_number=r["numbered"])
    how = f"re-laid out as {layout}{', UK spellings/zones' if uk else ''}"
    if kind is None:
        det = f"IU {r['uid']}: clean ({r['cls']}); {how}"
    else:
        det = f"IU {r['uid']}: {what}; {how}"
    return text, det


# ----------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------

def build(seed) -> list:
    rng = random.Random(f"heldout165-{seed}")
    pool, _ = iu_pool(shared_dir())
    order = list(pool)
    rng.shuffle(order)
    used = set()
    rows = []

    def take_iu(kind, n):
        got = []
        for v in range(n):
            res = None
            for variant in (v, v + 1):  # fall back to the other variant if the pool has none left
                for r in order:
                    if r["uid"] in used:
                        continue
                    if kind is None and r["cls"] == "normal" and sum(1 for x in got if "(normal)" in x[1]) >= n * 0.55:
                        continue
                    if kind in ("missing_section", "placeholder") and r["cls"] == "normal" and rng.random() < 0.4:
                        continue
                    res = iu_case(rng, r, kind, variant)
                    if res is not None:
                        used.add(r["uid"])
                        got.append(res)
                        break
                if res is not None:
                    break
            if res is None:
                raise RuntimeError(f"IU pool exhausted for {kind}")
        return got

    plan = [("impression_omits_finding", N_KIND), ("laterality_conflict", N_KIND), ("negation_conflict", N_KIND),
            ("missing_section", N_KIND), ("placeholder", N_KIND), (None, N_CLEAN)]
    for kind, n in plan:
        for text, det in take_iu(kind, n // 2):
            rows.append({"injected": kind, "detail": det, "report": text})
        for v in range(n - n // 2):
            text, det = composed_case(rng, kind, v)
            rows.append({"injected": kind, "detail": det, "report": text})
    rng.shuffle(rows)
    return [{"id": f"h165-{seed}-{k}", **row} for k, row in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            ex = [r for r in rows if r["injected"] == kind]
            ex = [r for r in ex if r["detail"].startswith("IU")][: a.show] + \
                 [r for r in ex if not r["detail"].startswith("IU")][: a.show]
            for r in ex:
                print(f"===== {r['id']}  injected={kind}\n-- {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
