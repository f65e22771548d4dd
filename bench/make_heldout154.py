"""Held-out report-error set 154: hepatology / liver-unit chest films (UK and US), written blind.

usage: python -m bench.make_heldout154 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of
the five error kinds of ../shared/eval/README.md.  Half of every group is composed from a phrase
bank in the style of liver-unit radiologists (hepatic hydrothorax, raised hemidiaphragms, TIPSS
and biliary stents, post-transplant films, variceal-bleed aspiration ...); the other half are real
IU reports (never a dev-set uid, each used at most once) re-laid out and lightly re-worded in
that style.  Standard library only.
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
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# --------------------------------------------------------------------------------------------
# spelling / small helpers
# --------------------------------------------------------------------------------------------

_US = [
    ("oedema", "edema"),
    ("Oedema", "Edema"),
    ("haem", "hem"),
    ("Haem", "Hem"),
    ("oesophag", "esophag"),
    ("Oesophag", "Esophag"),
    ("TIPSS", "TIPS"),
    ("characterisation", "characterization"),
    ("centimetre", "centimeter"),
    ("tumour", "tumor"),
    ("anaesthe", "anesthe"),
    ("colour", "color"),
]
_UK = [
    ("edema", "oedema"),
    ("Edema", "Oedema"),
    ("esophag", "oesophag"),
    ("Esophag", "Oesophag"),
    ("tumor", "tumour"),
    ("hemorrhag", "haemorrhag"),
    ("hemothorax", "haemothorax"),
]


def spell(text: str, region: str) -> str:
    pairs = _US if region == "US" else _UK
    for a, b in pairs:
        if region == "US":
            text = text.replace(a, b)
        else:
            text = re.sub(r"(?<![oOaA])" + re.escape(a), b, text)
    return text


def swap_sides(text: str) -> str:
    def rep(m):
        w = m.group(0)
        out = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            return out.upper()
        if w[0].isupper():
            return out.capitalize()
        return out

    return re.sub(r"\b(right|left)\b", rep, text, flags=re.I)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


SURNAMES = [
    "Okafor",
    "Hargreaves",
    "Patel",
    "McAllister",
    "Nwosu",
    "Fitzgerald",
    "Chaudhry",
    "Lindqvist",
    "Brennan",
    "Adeyemi",
    "Whitfield",
    "Raman",
    "Kowalski",
    "Osei",
    "Gallagher",
    "Tan",
    "Iqbal",
    "Morrison",
    "Delgado",
    "Sutherland",
    "Varghese",
    "Holloway",
    "Nakamura",
    "Abernethy",
    "Costa",
]
INITIALS = "ABCDEFGHJKLMNPRSTW"


def person(rng) -> str:
    return f"{rng.choice(INITIALS)} {rng.choice(SURNAMES)}"


def uk_date(rng) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2022, 2023, 2024])}"


def us_date(rng) -> str:
    return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice([2022, 2023, 2024])}"


def a_date(rng, region) -> str:
    return uk_date(rng) if region == "UK" else us_date(rng)


def a_time(rng) -> str:
    return f"{rng.randint(7, 22):02d}:{rng.choice(['05', '12', '20', '34', '41', '48', '57'])}"


# --------------------------------------------------------------------------------------------
# layout: headers, sign-offs, exam lines
# --------------------------------------------------------------------------------------------

FIND_HDR = {
    "UK": ["Findings:", "FINDINGS:", "Findings:", "Report:", "FINDINGS"],
    "US": ["FINDINGS:", "FINDINGS:", "Findings:", "FINDINGS"],
}
IMP_HDR = {
    "UK": ["Conclusion:", "CONCLUSION:", "Impression:", "Opinion:", "Summary:", "IMPRESSION:", "Comment:"],
    "US": ["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"],
}
CLIN_HDR = {
    "UK": ["Clinical details:", "Clinical information:", "CLINICAL DETAILS:", "History:", "Clinical indication:"],
    "US": ["INDICATION:", "CLINICAL HISTORY:", "History:", "REASON FOR EXAM:", "Indication:"],
}
CMP_HDR = {
    "UK": ["Comparison:", "Comparison:", "Previous:", "COMPARISON:"],
    "US": ["COMPARISON:", "Comparison:", "PRIOR:"],
}
EXAMS = {
    "UK": [
        ("XR Chest PA", ""),
        ("CXR AP (portable, Liver ITU)", "AP supine film."),
        ("Chest X-ray AP erect", ""),
        ("XR CHEST", "Technique: AP sitting, ward film."),
        ("XR Chest AP supine", ""),
        ("Chest radiograph (ward 8, hepatology)", "AP sitting film."),
        ("CXR PA", ""),
    ],
    "US": [
        ("EXAM: XR CHEST 1 VIEW PORTABLE", "TECHNIQUE: Single portable AP view of the chest."),
        ("EXAMINATION: Chest radiograph, PA and lateral", ""),
        ("EXAM: CHEST 2 VIEWS", "TECHNIQUE: PA and lateral views."),
        ("EXAM: XR CHEST AP PORTABLE (TRANSPLANT ICU)", ""),
        ("EXAM: Chest, single frontal view", ""),
    ],
}


def signoff(rng, region, masked=False) -> str:
    name = "___" if masked else person(rng)
    if region == "UK":
        return rng.choice(
            [
                f"Dr {name}, Consultant Radiologist",
                f"Reported by: Dr {name} (Consultant Radiologist) {uk_date(rng)} {a_time(rng)}",
                f"Dr {name} ST4 Radiology / Verified by Dr {person(rng)}, Consultant",
                f"Dr {name}\nConsultant Radiologist, Liver Unit\nGMC {rng.randint(4000000, 7999999)}",
                f"Reported by Dr {name}, Consultant Hepatobiliary Radiologist",
            ]
        )
    return rng.choice(
        [
            f"Electronically signed by: {name}, MD on {us_date(rng)} {a_time(rng)}",
            f"Dictated by: {name}, MD\nAttending radiologist: {person(rng)}, MD",
            f"I have personally reviewed the images and agree with the report.\n{name}, MD",
            f"Signed: {name}, MD (Abdominal/Transplant Imaging) {us_date(rng)}",
            f"{name}, MD\nElectronically signed {us_date(rng)} {a_time(rng)}",
        ]
    )


def header_block(rng, region, clinical, comparison, masked=False):
    lines = []
    if rng.random() < 0.25:
        if masked:
            lines.append("Patient: ___   MRN: ___   DOB: ___")
        else:
            lines.append(
                f"Hospital no: {rng.randint(1000000, 9999999)}"
                if region == "UK"
                else f"Accession: {rng.randint(10000000, 99999999)}"
            )
    exam, tech = rng.choice(EXAMS[region])
    lines.append(exam)
    if clinical:
        lines.append(f"{rng.choice(CLIN_HDR[region])} {clinical}")
    if tech and rng.random() < 0.6:
        lines.append(tech)
    if comparison:
        lines.append(f"{rng.choice(CMP_HDR[region])} {comparison}")
    return lines


def render(rng, region, head_lines, find_hdr, find_body, imp_hdr, imp_body, sign, missing=None):
    """Assemble a report.  missing: None, or (section, how) with section in {findings, impression}
    and how in {empty, signature, removed}."""
    parts = ["\n".join(head_lines), ""]
    if missing and missing[0] == "findings":
        parts.append(find_hdr)
        parts.append("")
    else:
        inline = find_hdr.endswith(":") and "\n" not in find_body and rng.random() < 0.2
        parts.append(find_hdr + (" " if inline else "\n") + find_body)
        parts.append("")
    if missing and missing[0] == "impression":
        how = missing[1]
        if how == "removed":
            parts.append(sign)
        elif how == "signature":
            parts.append(imp_hdr)
            parts.append(sign)
        else:
            parts.append(imp_hdr)
            parts.append("")
            parts.append(sign)
    else:
        parts.append(imp_hdr + "\n" + imp_body)
        parts.append("")
        parts.append(sign)
    text = "\n".join(parts)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def format_impression(rng, sentences, region, numbered=None):
    sentences = [s.strip() for s in sentences if s.strip()]
    if numbered is None:
        numbered = len(sentences) > 1 and rng.random() < 0.55
    if numbered:
        return "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))
    if len(sentences) > 1 and rng.random() < 0.25:
        return "\n".join(f"- {s}" for s in sentences)
    return " ".join(sentences)


# --------------------------------------------------------------------------------------------
# composed reports: phrase bank
# --------------------------------------------------------------------------------------------

NORMAL_IMP = {
    "UK": [
        "No acute abnormality.",
        "NAD.",
        "No acute cardiopulmonary abnormality.",
        "Normal chest radiograph.",
        "No significant abnormality demonstrated.",
        "No active intrathoracic disease.",
        "No acute abnormality. Clear lungs.",
    ],
    "US": [
        "No acute cardiopulmonary process.",
        "No acute cardiopulmonary abnormality.",
        "Normal chest.",
        "No acute intrathoracic abnormality.",
        "No radiographic evidence of acute cardiopulmonary disease.",
    ],
}

# topic -> (slot, sentences); topics are blocked by items that concern them
NEGATIVES = {
    "lungs_clear": (
        "lungs",
        ["The lungs are clear.", "Lungs clear.", "Both lungs are clear.", "Clear lungs bilaterally."],
    ),
    "consolidation": ("lungs", ["No focal consolidation.", "No airspace consolidation.", "No focal airspace opacity."]),
    "effusion": ("pleura", ["No pleural effusion.", "No pleural effusions.", "No effusion."]),
    "cp_clear": ("pleura", ["The costophrenic angles are clear.", "Costophrenic angles are sharp."]),
    "pneumothorax": ("pleura", ["No pneumothorax.", "There is no pneumothorax."]),
    "heart": (
        "heart",
        [
            "Heart size is normal.",
            "Normal cardiac size.",
            "The heart is not enlarged.",
            "Cardiomediastinal contours are within normal limits.",
            "Heart size normal.",
        ],
    ),
    "oedema": ("lungs", ["No pulmonary oedema.", "No features of fluid overload.", "No pulmonary venous congestion."]),
    "free_gas": ("abdomen", ["No free gas under the diaphragm.", "No free subdiaphragmatic gas."]),
    "mediastinum": ("heart", ["Mediastinum is not widened.", "Normal mediastinal contours."]),
    "bones": ("bones", ["No acute bony abnormality.", "Bones unremarkable."]),
}

# impression assertion when the findings negate a topic (negation_conflict, composed variant a)
ASSERT_IMP = {
    "lungs_clear": [
        "{S} basal consolidation, likely aspiration.",
        "{S} lower zone pneumonia.",
        "Patchy airspace opacification at the {s} base ?aspiration.",
    ],
    "consolidation": [
        "{S} lower zone consolidation, in keeping with aspiration pneumonia.",
        "Consolidation at the {s} base.",
    ],
    "effusion": [
        "{S} pleural effusion, likely hepatic hydrothorax.",
        "Moderate {s} pleural effusion.",
        "Small bilateral pleural effusions.",
    ],
    "cp_clear": ["Small {s} pleural effusion.", "{S}-sided pleural effusion."],
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S} pneumothorax - discussed with the ward."],
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette.", "Moderate cardiomegaly."],
    "oedema": ["Pulmonary oedema.", "Features of fluid overload with interstitial oedema."],
    "free_gas": ["Free subdiaphragmatic gas.", "Pneumoperitoneum."],
}


def _it(find, imp, *, sig=False, group=None, blocks=(), slot="lungs", side=None, imp_side=True, neg_imp=None):
    return {
        "find": find,
        "imp": imp,
        "sig": sig,
        "group": group,
        "blocks": set(blocks),
        "slot": slot,
        "side": side,
        "imp_side": imp_side and side is not None,
        "neg_imp": neg_imp,
    }


def _side(rng, p_right=0.5):
    return "right" if rng.random() < p_right else "left"


def f_effusion_big(rng, cmp):
    s = _side(rng, 0.8)
    size = rng.choice(["Moderate", "Large", "Moderate to large", "Moderate"])
    find = rng.choice(
        [
            f"{size} {s} pleural effusion" + (f", increased since {cmp}." if cmp and rng.random() < 0.5 else "."),
            f"There is a {size.lower()} {s}-sided pleural effusion with associated {s} basal collapse.",
            f"{size} {s} pleural effusion obscuring the {s} hemidiaphragm.",
        ]
    )
    imp = rng.choice(
        [
            f"{size} {s} pleural effusion, in keeping with known hepatic hydrothorax.",
            f"{size} {s} pleural effusion - likely hepatic hydrothorax in this patient with cirrhosis.",
            f"{size} {s} effusion ?hydrothorax. Consider ultrasound-guided aspiration if clinically indicated.",
        ]
    )
    return _it(
        find,
        imp,
        sig=True,
        group="effusion",
        blocks=("effusion", "cp_clear"),
        slot="pleura",
        side=s,
        neg_imp=rng.choice(["No pleural effusion.", "No effusion."]),
    )


def f_effusion_small(rng, cmp):
    s = _side(rng, 0.75)
    find = rng.choice(
        [
            f"Small {s} pleural effusion.",
            f"Blunting of the {s} costophrenic angle, in keeping with a small effusion.",
            f"Small {s} effusion, unchanged.",
        ]
    )
    imp = rng.choice([f"Small {s} pleural effusion.", f"Small {s} effusion, stable.", f"Small {s} hydrothorax."])
    return _it(
        find,
        imp,
        group="effusion",
        blocks=("effusion", "cp_clear"),
        slot="pleura",
        side=s,
        neg_imp="No pleural effusion.",
    )


def f_hemidiaphragm(rng, cmp):
    if rng.random() < 0.35:
        find = rng.choice(
            [
                "Both hemidiaphragms are raised, in keeping with known ascites.",
                "Elevated hemidiaphragms bilaterally secondary to tense ascites, with low lung volumes.",
            ]
        )
        imp = rng.choice(
            ["Raised hemidiaphragms due to ascites.", "Low lung volumes with elevated hemidiaphragms (ascites)."]
        )
        return _it(find, imp, slot="abdomen")
    s = _side(rng, 0.75)
    cause = "hepatomegaly" if s == "right" else "splenomegaly"
    find = rng.choice(
        [
            f"The {s} hemidiaphragm is elevated, likely secondary to {cause}.",
            f"Elevation of the {s} hemidiaphragm, unchanged from {cmp or 'previous'}.",
            f"Raised {s} hemidiaphragm.",
        ]
    )
    imp = rng.choice(
        [
            f"Elevated {s} hemidiaphragm.",
            f"Raised {s} hemidiaphragm ({cause}).",
            f"Stable elevation of the {s} hemidiaphragm.",
        ]
    )
    return _it(find, imp, slot="abdomen", side=s)


def f_atelectasis(rng, cmp):
    if rng.random() < 0.4:
        find = rng.choice(
            ["Bibasal subsegmental atelectasis related to low lung volumes.", "Linear atelectasis at both lung bases."]
        )
        imp = rng.choice(["Bibasal atelectasis.", "Low lung volumes with basal atelectasis."])
        return _it(find, imp, blocks=("lungs_clear",))
    s = _side(rng, 0.7)
    find = rng.choice(
        [
            f"Linear atelectasis at the {s} base.",
            f"Plate atelectasis in the {s} lower zone.",
            f"Subsegmental atelectasis at the {s} lung base.",
        ]
    )
    imp = rng.choice(
        [f"{cap(s)} basal atelectasis.", f"Minor {s} basal atelectasis.", f"{cap(s)} basal linear atelectasis."]
    )
    return _it(find, imp, blocks=("lungs_clear",), side=s)


def f_consolidation(rng, cmp):
    s = _side(rng, 0.65)
    new = cmp and rng.random() < 0.5
    find = rng.choice(
        [
            f"Patchy consolidation in the {s} lower zone" + (f", new since {cmp}." if new else "."),
            f"Airspace opacification at the {s} base with air bronchograms.",
            f"There is new {s} lower lobe consolidation.",
            f"Ill-defined airspace shadowing in the {s} mid and lower zones.",
        ]
    )
    imp = rng.choice(
        [
            f"{cap(s)} lower lobe consolidation, likely aspiration pneumonia.",
            f"{cap(s)} basal consolidation - ?aspiration. Suggest follow-up film after treatment.",
            f"{cap(s)} lower zone pneumonia.",
            f"Aspiration pneumonia at the {s} base.",
        ]
    )
    return _it(
        find,
        imp,
        sig=True,
        group="consolidation",
        blocks=("lungs_clear", "consolidation"),
        side=s,
        neg_imp=rng.choice(["Lungs clear.", "No consolidation.", "No focal consolidation."]),
    )


def f_oedema(rng, cmp):
    find = rng.choice(
        [
            "Upper lobe venous diversion with bilateral perihilar airspace shadowing and septal lines, "
            "consistent with pulmonary oedema.",
            "Bilateral perihilar haziness and Kerley B lines in keeping with interstitial oedema.",
            "Increased interstitial markings with peribronchial cuffing and small septal lines, "
            "suggesting fluid overload.",
        ]
    )
    imp = rng.choice(
        [
            "Pulmonary oedema, ?fluid overload post transplant.",
            "Interstitial pulmonary oedema.",
            "Features of fluid overload.",
            "Pulmonary venous congestion with interstitial oedema.",
        ]
    )
    return _it(
        find,
        imp,
        sig=True,
        group="oedema",
        blocks=("lungs_clear", "oedema"),
        neg_imp=rng.choice(["No pulmonary oedema.", "Lungs clear."]),
    )


def f_pneumothorax(rng, cmp):
    s = _side(rng, 0.75)
    cm = rng.choice(["1.5", "2", "1", "2.5", "3"])
    find = rng.choice(
        [
            f"Small {s} apical pneumothorax measuring {cm} cm, following thoracentesis.",
            f"There is a {s} pneumothorax with a {cm} cm apical rim.",
            f"{cap(s)} apical pneumothorax ({cm} cm), new since the pre-aspiration film.",
        ]
    )
    imp = rng.choice(
        [
            f"{cap(s)} apical pneumothorax post aspiration. Discussed with the hepatology registrar at {a_time(rng)}.",
            f"{cap(s)} pneumothorax - clinical review advised.",
            f"{cap(s)} pneumothorax ({cm} cm).",
        ]
    )
    return _it(
        find,
        imp,
        sig=True,
        group="pneumothorax",
        blocks=("pneumothorax",),
        slot="pleura",
        side=s,
        neg_imp="No pneumothorax.",
    )


def f_nodule(rng, cmp):
    s = _side(rng)
    mm = rng.choice([9, 12, 14, 18, 22, 25])
    zone = rng.choice(["mid zone", "upper zone", "lower zone"])
    art = "An" if mm in (8, 11, 18) else "A"
    new = bool(cmp) and rng.random() < 0.6
    find = rng.choice(
        [
            f"{art} {mm} mm nodule in the {s} {zone}" + (f", not present on {cmp}." if new else "."),
            f"{'New ' if new else ''}{mm} mm rounded opacity in the {s} {zone}.",
            f"Well-defined {mm} mm pulmonary nodule projected over the {s} {zone}.",
        ]
    )
    imp = rng.choice(
        [
            f"{'New ' if new else ''}{mm} mm {s} {zone} nodule; in the context of HCC, metastasis needs exclusion. "
            "CT chest recommended.",
            f"{mm} mm {s} pulmonary nodule - suggest CT for characterisation.",
            f"{cap(s)} {zone} nodule ({mm} mm), ?metastasis.",
        ]
    )
    return _it(
        find,
        imp,
        sig=True,
        group="nodule",
        blocks=("lungs_clear",),
        side=s,
        neg_imp=rng.choice(["No pulmonary nodule.", "Lungs clear."]),
    )


def f_granuloma(rng, cmp):
    s = _side(rng)
    find = rng.choice(
        [
            f"{rng.choice([3, 4, 5])} mm calcified granuloma in the {s} mid zone, unchanged.",
            f"Small calcified granuloma at the {s} base.",
        ]
    )
    imp = rng.choice(["Calcified granuloma, of no significance.", f"Old calcified granuloma {s} lung."])
    return _it(find, imp, side=s, imp_side="granuloma " in imp and s in imp)


def f_tips(rng, cmp):
    find = rng.choice(
        [
            "TIPSS stent projected over the right upper quadrant, unchanged in position.",
            "A TIPSS stent is noted in the upper abdomen.",
            "Transjugular intrahepatic portosystemic shunt stent in situ.",
        ]
    )
    imp = rng.choice(["TIPSS in situ.", "TIPSS stent, unchanged position.", "Stable TIPSS stent."])
    return _it(find, imp, slot="abdomen")


def f_biliary(rng, cmp):
    if rng.random() < 0.5:
        find = rng.choice(["Biliary stent projected over the right upper quadrant.", "Metallic biliary stent in situ."])
        imp = "Biliary stent in situ."
        return _it(find, imp, slot="abdomen")
    s = "right"
    find = rng.choice(
        [
            f"Percutaneous biliary drain entering from the {s} flank, coiled over the liver.",
            f"{cap(s)}-sided percutaneous transhepatic biliary drain in situ.",
        ]
    )
    imp = rng.choice([f"{cap(s)} PTC drain in situ.", f"Percutaneous biliary drain ({s}) unchanged."])
    return _it(find, imp, slot="abdomen", side=s)


def f_cvc(rng, cmp):
    s = _side(rng, 0.8)
    where = rng.choice(["in the SVC", "at the cavoatrial junction", "in the lower SVC"])
    find = rng.choice(
        [
            f"{cap(s)} internal jugular central venous catheter with its tip {where}.",
            f"{cap(s)} IJ line, tip projected {where}.",
            f"New {s} internal jugular line, tip {where}.",
        ]
    )
    imp = rng.choice(
        [
            f"{cap(s)} IJ CVC tip {where}.",
            f"Satisfactory position of the {s} internal jugular line.",
            f"{cap(s)} internal jugular catheter {where}.",
        ]
    )
    return _it(find, imp, slot="lines", side=s)


def f_picc(rng, cmp):
    s = _side(rng, 0.6)
    find = f"{cap(s)} arm PICC line with the tip in the {rng.choice(['SVC', 'distal SVC'])}."
    imp = rng.choice([f"{cap(s)} PICC tip in the SVC.", f"Satisfactory {s}-sided PICC."])
    return _it(find, imp, slot="lines", side=s)


def f_ett(rng, cmp):
    cm = rng.choice([3, 4, 5, 6])
    find = rng.choice(
        [f"Endotracheal tube tip {cm} cm above the carina.", f"ETT in satisfactory position, {cm} cm above the carina."]
    )
    imp = rng.choice(
        ["ETT satisfactory.", "Endotracheal tube in a satisfactory position.", f"ETT tip {cm} cm above the carina."]
    )
    return _it(find, imp, slot="lines")


def f_ngt(rng, cmp):
    if rng.random() < 0.4:
        find = rng.choice(
            [
                "Minnesota tube in situ with the gastric balloon inflated below the diaphragm.",
                "Sengstaken-Blakemore tube in situ, gastric balloon projected over the gastric fundus.",
            ]
        )
        imp = rng.choice(["Minnesota tube in situ.", "Sengstaken tube, gastric balloon in the stomach."])
        return _it(find, imp, slot="lines")
    find = rng.choice(
        [
            "NG tube passes below the diaphragm with the tip in the stomach.",
            "Nasogastric tube tip projected over the gastric body.",
        ]
    )
    imp = rng.choice(["NGT tip in the stomach.", "NG tube satisfactorily sited.", "Nasogastric tube in the stomach."])
    return _it(find, imp, slot="lines")


def f_transplant(rng, cmp):
    find = rng.choice(
        [
            "Post liver transplant: surgical clips and two abdominal drains in the right upper quadrant.",
            "Expected post-operative appearances following orthotopic liver transplant, "
            "with skin staples and drains over the upper abdomen.",
            "Surgical clips in the right upper quadrant from the recent liver transplant.",
        ]
    )
    imp = rng.choice(
        [
            "Expected post-transplant appearances.",
            "Post liver transplant changes.",
            "Drains and clips in the upper abdomen.",
        ]
    )
    return _it(find, imp, slot="abdomen")


def f_free_gas(rng, cmp):
    find = rng.choice(
        [
            "Free gas beneath the right hemidiaphragm.",
            "Crescent of free subdiaphragmatic gas under both hemidiaphragms.",
            "Pneumoperitoneum with gas under the right hemidiaphragm.",
        ]
    )
    imp = rng.choice(
        [
            "Pneumoperitoneum - post-operative in the context of recent laparotomy, but correlate clinically.",
            "Free subdiaphragmatic gas; discussed with the transplant surgical team.",
            "Free intraperitoneal gas.",
        ]
    )
    return _it(find, imp, sig=True, group="free_gas", blocks=("free_gas",), slot="abdomen", neg_imp="No free gas.")


def f_cardiomegaly(rng, cmp):
    if rng.random() < 0.25:
        return _it(
            "Borderline cardiomegaly.",
            "Borderline heart size, unchanged.",
            group="heart",
            blocks=("heart",),
            slot="heart",
        )
    find = rng.choice(["Mild cardiomegaly, stable.", "The heart is mildly enlarged, unchanged.", "Mild cardiomegaly."])
    imp = rng.choice(["Stable mild cardiomegaly.", "Mild cardiomegaly.", "Mildly enlarged heart, unchanged."])
    return _it(
        find,
        imp,
        group="heart",
        blocks=("heart",),
        slot="heart",
        neg_imp=rng.choice(["Normal heart size.", "Heart size is normal."]),
    )


def f_pa(rng, cmp):
    find = rng.choice(["Prominent central pulmonary arteries.", "Enlarged main pulmonary artery and hilar vessels."])
    imp = rng.choice(
        [
            "Enlarged pulmonary arteries - ?portopulmonary hypertension; correlate with echocardiography.",
            "Prominent pulmonary arteries, which may reflect portopulmonary hypertension.",
        ]
    )
    return _it(find, imp, slot="heart")


def f_hps(rng, cmp):
    find = rng.choice(
        [
            "Prominent basal vascular markings bilaterally, giving a fine nodular pattern at the bases.",
            "Bibasal increased reticulonodular markings, likely vascular.",
        ]
    )
    imp = rng.choice(
        [
            "Bibasal prominent vascular markings, as may be seen in hepatopulmonary syndrome.",
            "Prominent basal vessels, compatible with the known hepatopulmonary syndrome.",
        ]
    )
    return _it(find, imp, blocks=("lungs_clear",))


def f_ribs(rng, cmp):
    s = _side(rng, 0.5)
    a = rng.choice([4, 5, 6, 7])
    find = rng.choice(
        [
            f"Old healed fractures of the {s} {a}th to {a + 2}th ribs.",
            f"Healed {s} posterior rib fractures.",
            f"Old united fractures of the {s} lateral {a}th and {a + 1}th ribs.",
        ]
    )
    imp = rng.choice([f"Old {s} rib fractures.", f"Healed {s} rib fractures, no acute injury seen."])
    return _it(find, imp, blocks=("bones",), slot="bones", side=s)


def f_varices(rng, cmp):
    find = rng.choice(
        [
            "Lobulated soft tissue along the left paraspinal line, "
            "likely paraoesophageal varices given known portal hypertension.",
            "Prominent azygos vein.",
        ]
    )
    imp = (
        "Probable paraoesophageal varices."
        if "varices" in find
        else "Prominent azygos vein, in keeping with portal hypertension."
    )
    return _it(find, imp, blocks=("mediastinum",), slot="heart")


def f_widened(rng, cmp):
    s = _side(rng, 0.7)
    since = f", new since {cmp}" if cmp else ""
    find = rng.choice(
        [
            f"The superior mediastinum is widened following the attempted {s} subclavian line{since}.",
            f"Widening of the superior mediastinum after {s} subclavian line insertion{since}.",
        ]
    )
    imp = rng.choice(
        [
            f"Mediastinal widening after {s} subclavian line attempt - ?haematoma. Discussed with the referring team.",
            f"Widened superior mediastinum following {s} subclavian cannulation; CT advised.",
        ]
    )
    return _it(
        find,
        imp,
        sig=True,
        group="mediastinum",
        blocks=("mediastinum",),
        slot="heart",
        side=s,
        neg_imp="Normal mediastinal contours.",
    )


def f_drain(rng, cmp):
    s = "right"
    find = rng.choice(
        [
            f"{cap(s)}-sided intercostal drain in situ with reduction in the size of the effusion; "
            "small residual effusion.",
            f"{cap(s)} pigtail chest drain in situ; small residual {s} effusion.",
        ]
    )
    imp = rng.choice(
        [
            f"{cap(s)} chest drain in situ with small residual effusion.",
            f"Drained {s} hydrothorax; small residual effusion.",
        ]
    )
    return _it(
        find,
        imp,
        group="effusion",
        blocks=("effusion", "cp_clear"),
        slot="pleura",
        side=s,
        neg_imp="No pleural effusion.",
    )


def f_emphysema(rng, cmp):
    find = rng.choice(
        ["The lungs are hyperexpanded, consistent with COPD.", "Hyperinflated lungs with flattened hemidiaphragms."]
    )
    imp = rng.choice(["Hyperexpanded lungs (COPD).", "Emphysematous change."])
    return _it(find, imp)


FACT = {
    "eff_big": f_effusion_big,
    "eff_small": f_effusion_small,
    "hemi": f_hemidiaphragm,
    "atel": f_atelectasis,
    "consol": f_consolidation,
    "oedema": f_oedema,
    "ptx": f_pneumothorax,
    "nodule": f_nodule,
    "gran": f_granuloma,
    "tips": f_tips,
    "biliary": f_biliary,
    "cvc": f_cvc,
    "picc": f_picc,
    "ett": f_ett,
    "ngt": f_ngt,
    "olt": f_transplant,
    "free_gas": f_free_gas,
    "cardio": f_cardiomegaly,
    "pa": f_pa,
    "hps": f_hps,
    "ribs": f_ribs,
    "varices": f_varices,
    "widened": f_widened,
    "drain": f_drain,
    "emph": f_emphysema,
}

# scenario -> (clinical details (UK, US), item keys to draw from)
SCENARIOS = [
    (
        [
            "Decompensated ALD cirrhosis, increasing SOB. ?hepatic hydrothorax.",
            "Cirrhosis with refractory ascites, breathless.",
        ],
        ["Cirrhosis with ascites, shortness of breath.", "ESLD, dyspnea, evaluate for hydrothorax."],
        ["eff_big", "eff_small", "hemi", "atel", "tips", "cardio"],
    ),
    (
        ["Variceal bleed, intubated for airway protection. ETT/NGT position.", "Upper GI bleed, ?aspiration."],
        ["Variceal hemorrhage, intubated. Tube placement.", "GI bleed, concern for aspiration."],
        ["ett", "ngt", "cvc", "consol", "atel"],
    ),
    (
        ["Day 2 post OLT. Increasing oxygen requirement.", "Post liver transplant, ITU film."],
        ["POD 2 s/p orthotopic liver transplant, hypoxia.", "S/p liver transplant, line check."],
        ["olt", "cvc", "eff_small", "atel", "oedema", "free_gas", "ett", "hemi", "widened"],
    ),
    (
        ["Post TIPSS, pyrexial.", "TIPSS insertion last week, new cough."],
        ["S/p TIPS, fever.", "Recent TIPS, cough."],
        ["tips", "consol", "eff_small", "hemi", "atel"],
    ),
    (
        ["PSC with biliary drain, spiking temperatures.", "Obstructive jaundice, PTC drain. Rigors."],
        ["Cholangitis, biliary drain in place.", "Biliary obstruction s/p PTBD, fever."],
        ["biliary", "atel", "eff_small", "consol", "hemi"],
    ),
    (
        ["Known hepatopulmonary syndrome, hypoxia.", "HPS on transplant list, worsening saturations."],
        ["Hepatopulmonary syndrome, hypoxemia.", "Cirrhosis with orthodeoxia."],
        ["hps", "pa", "hemi", "cardio"],
    ),
    (
        ["Liver transplant assessment.", "Pre-transplant workup, ALD."],
        ["Pre liver transplant evaluation.", "Transplant workup."],
        ["gran", "cardio", "ribs", "emph", "pa", "varices", "nodule"],
    ),
    (
        ["Alcohol withdrawal, fall, productive cough.", "Alcohol-related hepatitis, ?chest source of sepsis."],
        ["Alcoholic hepatitis, fever and cough.", "EtOH withdrawal, fall. Cough."],
        ["ribs", "consol", "emph", "atel", "eff_small"],
    ),
    (
        ["HCC, staging.", "Cirrhosis with HCC, pre-TACE."],
        ["HCC staging.", "Hepatocellular carcinoma, pre-treatment."],
        ["nodule", "gran", "hemi", "tips"],
    ),
    (
        ["New IJ line. Position?", "PICC inserted for TPN. Tip position please."],
        ["Line placement.", "PICC placement, confirm tip."],
        ["cvc", "picc", "ptx", "ngt", "widened"],
    ),
    (
        ["Post thoracentesis for hepatic hydrothorax. ?pneumothorax", "Chest drain for hydrothorax."],
        ["S/p thoracentesis, evaluate for pneumothorax.", "Chest tube for hepatic hydrothorax."],
        ["ptx", "drain", "eff_big", "eff_small", "atel", "hemi"],
    ),
]


def _negatives(rng, items, region, force=None):
    blocked = set().union(*[it["blocks"] for it in items]) if items else set()
    avail = [t for t in NEGATIVES if t not in blocked]
    # keep consistent pairs: if lungs_clear is blocked, consolidation/oedema may still be negated
    n = min(len(avail), rng.randint(2, 5))
    chosen = rng.sample(avail, n)
    if force and force not in chosen and force in avail:
        chosen.append(force)
    out = []
    for t in chosen:
        slot, sents = NEGATIVES[t]
        out.append({"topic": t, "slot": slot, "find": spell(rng.choice(sents), region)})
    return out


SLOT_ORDER = ["lines", "lungs", "pleura", "heart", "abdomen", "bones"]
SLOT_NAMES = {
    "UK": {
        "lines": "Lines/tubes:",
        "lungs": "Lungs:",
        "pleura": "Pleura:",
        "heart": "Heart and mediastinum:",
        "abdomen": "Upper abdomen/diaphragms:",
        "bones": "Bones/soft tissues:",
    },
    "US": {
        "lines": "Support devices:",
        "lungs": "Lungs:",
        "pleura": "Pleura:",
        "heart": "Heart/mediastinum:",
        "abdomen": "Upper abdomen:",
        "bones": "Bones:",
    },
}


def _findings_text(rng, region, entries, layout):
    """entries: list of (slot, sentence)."""
    if layout == "structured":
        lines = []
        for slot in SLOT_ORDER:
            sents = [s for sl, s in entries if sl == slot]
            if sents:
                lines.append(f"{SLOT_NAMES[region][slot]} {' '.join(sents)}")
        return "\n".join(lines)
    sents = [s for _, s in entries]
    if layout == "lines":
        return "\n".join(sents)
    return " ".join(sents)


def _order_entries(rng, item_entries, neg_entries):
    # radiologists usually lead with devices, then lungs/pleura, heart, then the rest
    allent = item_entries + neg_entries
    key = {s: i for i, s in enumerate(SLOT_ORDER)}
    rng.shuffle(allent)
    if rng.random() < 0.7:
        allent.sort(key=lambda e: key[e[0]])
    return allent


def compose(rng, kind, sub):
    """Return (report, detail) for a composed case of the given kind ('clean' for none)."""
    region = "UK" if rng.random() < 0.55 else "US"
    need = {
        "laterality_conflict": lambda its: any(it["imp_side"] for it in its),
        "impression_omits_finding": lambda its: (
            any(it["sig"] for it in its)
            and (sub != "others" or any(not it["sig"] for it in its))
            and (sub != "normal" or sum(it["sig"] for it in its) == 1)
        ),
        "negation_conflict": (lambda its: any(it["neg_imp"] for it in its))
        if sub == "imp_negates"
        else (lambda its: True),
    }.get(kind, lambda its: True)
    for _ in range(200):
        clin_uk, clin_us, keys = rng.choice(SCENARIOS)
        comparison = rng.random() < 0.6
        cmp_date = a_date(rng, region) if comparison else ""
        cmp_word = (
            (f"the film of {cmp_date}" if region == "UK" else f"the prior study of {cmp_date}") if comparison else ""
        )
        k = (
            rng.choice([0, 1, 1, 2, 2, 3])
            if kind in ("clean", "missing_section", "placeholder")
            else rng.choice([1, 2, 2, 3])
        )
        picked = rng.sample(keys, min(k, len(keys)))
        items = [FACT[key](rng, cmp_word) for key in picked]
        groups = [it["group"] for it in items if it["group"]]
        if len(groups) != len(set(groups)):
            continue
        if need(items):
            break
    else:  # pragma: no cover - the scenarios always allow one of each need within 200 draws
        raise RuntimeError("could not compose " + kind)
    for it in items:
        it["find"] = spell(it["find"], region)
        it["imp"] = spell(it["imp"], region)
        if it["neg_imp"]:
            it["neg_imp"] = spell(it["neg_imp"], region)
    clinical = spell(rng.choice(clin_uk if region == "UK" else clin_us), region)
    comparison_line = cmp_date if comparison else rng.choice(["None.", "None available.", ""])
    masked = rng.random() < 0.12
    detail = ""

    # negatives in findings
    force = None
    neg = _negatives(rng, items, region, force)
    if kind == "negation_conflict" and sub == "find_negates":
        assertable = [n for n in neg if n["topic"] in ASSERT_IMP]
        if not assertable:
            blocked = set().union(*[it["blocks"] for it in items]) if items else set()
            t = next(t for t in ["pneumothorax", "heart", "effusion", "oedema", "free_gas"] if t not in blocked)
            neg.append({"topic": t, "slot": NEGATIVES[t][0], "find": spell(NEGATIVES[t][1][0], region)})
            assertable = [neg[-1]]
    layout = rng.choice(["prose", "prose", "lines", "structured"])
    entries = _order_entries(rng, [(it["slot"], it["find"]) for it in items], [(n["slot"], n["find"]) for n in neg])

    # impression
    imp_sents = []
    sig = [it for it in items if it["sig"]]
    for it in items:
        if it["sig"] or rng.random() < 0.75:
            imp_sents.append(it["imp"])
    if not sig and (not imp_sents or rng.random() < 0.5):
        normal = rng.choice(NORMAL_IMP[region])
        if imp_sents:
            normal = rng.choice(
                ["Otherwise no acute abnormality.", "No acute cardiopulmonary abnormality."]
                if region == "UK"
                else ["Otherwise no acute cardiopulmonary process.", "No acute cardiopulmonary abnormality."]
            )
        if "Clear lungs" in normal and any("lungs_clear" in it["blocks"] for it in items):
            normal = "No acute abnormality."
        imp_sents.append(normal)
    elif sig and "pneumothorax" not in {t for it in items for t in it["blocks"]} and rng.random() < 0.3:
        imp_sents.append("No pneumothorax.")

    if kind == "laterality_conflict":
        cands = [it for it in items if it["imp_side"]]
        it = rng.choice(cands)
        if sub == "in_findings":
            idx = next(i for i, e in enumerate(entries) if e[1] == it["find"])
            entries[idx] = (entries[idx][0], swap_sides(it["find"]))
            detail = (
                f"composed: findings sentence flipped {it['side']}->{'left' if it['side'] == 'right' else 'right'} "
                f"('{entries[idx][1]}'); impression keeps '{it['imp']}'"
            )
        else:
            if it["imp"] not in imp_sents:
                imp_sents.insert(0, it["imp"])
            j = imp_sents.index(it["imp"])
            imp_sents[j] = swap_sides(it["imp"])
            detail = f"composed: impression sentence flipped to '{imp_sents[j]}'; findings say '{it['find']}'"
    elif kind == "negation_conflict":
        if sub == "find_negates":
            n = rng.choice(assertable)
            side = _side(rng, 0.7)
            a = spell(rng.choice(ASSERT_IMP[n["topic"]]).format(s=side, S=cap(side)), region)
            # any normal statement would contradict the assertion inside the impression itself: drop it
            imp_sents = [
                s
                for s in imp_sents
                if s not in NORMAL_IMP[region]
                and not s.startswith("Otherwise")
                and not (n["topic"] == "pneumothorax" and s == "No pneumothorax.")
            ]
            imp_sents.insert(rng.randint(0, len(imp_sents)), a)
            detail = f"composed: findings say '{n['find']}', impression asserts '{a}'"
        else:
            it = rng.choice([it for it in items if it["neg_imp"]])
            if it["imp"] in imp_sents:
                imp_sents[imp_sents.index(it["imp"])] = it["neg_imp"]
            else:
                imp_sents.insert(0, it["neg_imp"])
            detail = f"composed: findings affirm '{it['find']}', impression negates it: '{it['neg_imp']}'"
    elif kind == "impression_omits_finding":
        it = rng.choice(sig)
        others = [o for o in items if o is not it and not o["sig"]]
        if sub == "normal":
            imp_sents = [o["imp"] for o in others if rng.random() < 0.4]
            imp_sents.append(
                rng.choice(
                    [
                        "No acute abnormality.",
                        "No acute cardiopulmonary abnormality.",
                        "Otherwise no acute abnormality.",
                    ]
                )
                if imp_sents
                else rng.choice(NORMAL_IMP[region])
            )
            if any("lungs_clear" in o["blocks"] for o in items):
                imp_sents = [s for s in imp_sents if "Clear lungs" not in s] or ["No acute abnormality."]
            detail = f"composed: findings affirm '{it['find']}'; impression replaced by a normal statement"
        else:
            imp_sents = [o["imp"] for o in others]
            if "pneumothorax" not in {t for o in items for t in o["blocks"]} and rng.random() < 0.4:
                imp_sents.append("No pneumothorax.")
            detail = f"composed: findings affirm '{it['find']}'; impression lists only the other findings"
        # make sure no other significant item remains reported while this one is left out
        for o in sig:
            if o is not it and o["imp"] not in imp_sents:
                imp_sents.insert(0, o["imp"])

    find_body = _findings_text(rng, region, entries, layout)
    imp_body = format_impression(rng, imp_sents, region)

    if kind == "placeholder":
        find_body, imp_body, detail = _placeholder_composed(rng, region, find_body, imp_body, layout)

    fh = rng.choice(FIND_HDR[region])
    ih = rng.choice(IMP_HDR[region])
    if layout == "structured" and fh == "Report:":
        fh = "Findings:"
    head = header_block(rng, region, clinical, comparison_line, masked)
    sign = signoff(rng, region, masked)
    missing = None
    if kind == "missing_section":
        if sub == "findings":
            missing = ("findings", "empty")
            detail = f"composed: {fh.rstrip(':')} header kept with nothing under it"
        else:
            how = rng.choice(["empty", "signature", "removed"])
            missing = ("impression", how)
            detail = {
                "empty": f"composed: {ih.rstrip(':')} header kept, nothing under it",
                "signature": f"composed: {ih.rstrip(':')} header with only the signature under it",
                "removed": "composed: impression/conclusion section removed; report ends after findings",
            }[how]
    if kind == "clean":
        detail = f"composed ({region} {layout} layout): clean"
        if sub == "imp_only":
            # impression-only report that describes the findings itself: not an error
            body = " ".join(s for _, s in entries)
            head_txt = "\n".join(head)
            text = f"{head_txt}\n\n{ih}\n{body}\n\n{sign}\n"
            return text, f"composed ({region}): clean, impression-only report that describes the findings"
    text = render(rng, region, head, fh, find_body, ih, imp_body, sign, missing)
    return text, detail


PH_SIZE = ["<<size>>", "XX", "[***]", "[ ]", "__"]
PH_SIDE = ["[left/right]", "<<side>>", "[ ]", "[***]", "[RIGHT/LEFT]", "{SIDE}"]
PH_WORD = ["[***]", "[ ]", "***", "<<finding>>", "[insert finding]"]


def _placeholder_composed(rng, region, find_body, imp_body, layout):
    choices = []
    for sec, body in (("findings", find_body), ("impression", imp_body)):
        for m in re.finditer(r"\b(\d+(?:\.\d+)?)(\s?)(mm|cm)\b", body):
            choices.append((sec, m.span(1), rng.choice(PH_SIZE), m.group(0)))
        for m in re.finditer(r"\b(right|left)\b", body, flags=re.I):
            choices.append((sec, m.span(), rng.choice(PH_SIDE), m.group(0)))
        for m in re.finditer(r"\b(small|moderate|large|mild|normal|satisfactory|clear)\b", body, flags=re.I):
            choices.append(
                (
                    sec,
                    m.span(),
                    rng.choice(
                        PH_WORD + ["<<size>>"]
                        if m.group(0).lower() in ("small", "moderate", "large", "mild")
                        else PH_WORD
                    ),
                    m.group(0),
                )
            )
    if layout == "structured" or not choices or rng.random() < 0.15:
        # template line left unfilled
        line = rng.choice(
            [
                "Pleura: [ ]",
                "Lines/tubes: <<lines>>",
                "Bones: [***]",
                "Heart size: [normal/enlarged]",
                "TIPSS: [patent/not assessed]",
            ]
        )
        find_body = find_body + "\n" + line
        return find_body, imp_body, f"composed: unfilled template line '{line}' left in findings"
    sec, (a, b), ph, orig = rng.choice(choices)
    if sec == "findings":
        find_body = find_body[:a] + ph + find_body[b:]
    else:
        imp_body = imp_body[:a] + ph + imp_body[b:]
    return find_body, imp_body, f"composed: '{orig}' in {sec} replaced by placeholder '{ph}'"


# --------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def load_iu(path: str):
    rows = []
    with tarfile.open(path) as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            um = re.search(r'<uId id="([^"]+)"', x)
            if not um:
                continue
            d = {
                lab.lower(): html.unescape(txt).strip()
                for lab, txt in re.findall(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', x, re.S)
            }
            d["uid"] = um.group(1)
            rows.append(d)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return rows


def dev_uids(sd: Path) -> set:
    p = sd / "eval" / "report_errors_dev.jsonl"
    out = set()
    if p.exists():
        with open(p) as fh:
            for line in fh:
                if line.strip():
                    out.add(json.loads(line)["uid"])
    return out


def split_sents(text: str) -> list:
    text = text.strip()
    if re.match(r"^\s*1\.\s", text):
        parts = [p.strip() for p in re.split(r"(?:^|\s)\d{1,2}\.\s+", text) if p.strip()]
    else:
        parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text) if p.strip()]
    out = []
    for p in parts:
        p = re.sub(r"\.\s*\.$", ".", p)
        if not p.endswith((".", "?", "!")):
            p += "."
        if re.search(r"[A-Za-z]{2}", p):
            out.append(p)
    return out


GROUPS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air ?space (?:disease|opacit)|infiltrat|pneumonia",
    "oedema": r"\bedema|oedema|vascular congestion|pulmonary congestion",
    "heart": r"cardiomegaly|(?:heart|cardiac silhouette|cardiac shadow)(?: size)? (?:is |appears |remains )?"
    r"(?:mildly |moderately |markedly |slightly )?(?:enlarged|large)|enlarged (?:heart|cardiac)",
    "nodule": r"nodul|\bmass(?:es)?\b",
    "free_gas": r"free (?:intraperitoneal |subdiaphragmatic )?(?:air|gas)|pneumoperitoneum",
    "mediastinum": r"widen\w* (?:of )?(?:the )?(?:superior )?mediast|mediastin\w* (?:is |appears )?widen",
    "opacity": r"opacit|atelecta|density|densities",
}
NEG_CUE = re.compile(
    r"\b(no|not|without|negative for|free of|absence of|clear of|neither|nor|resolved|"
    r"rule out|ruled out)\b",
    re.I,
)
POST_NEG = re.compile(
    r"\b(resolved|has cleared|no longer|not seen|not identified|not present|not visualized|"
    r"is absent|are absent|excluded|not evident|not appreciated)\b",
    re.I,
)
BREAK = re.compile(r"\bbut\b|\bhowever\b|\balthough\b|;|\bwhich\b|\bthere is\b|\bthere are\b|\bwith\b", re.I)
LUNGS_CLEAR = re.compile(
    r"lungs? (?:are |is |remain |appear )?(?:otherwise )?(?:grossly )?clear|clear lungs|"
    r"lungs (?:are )?(?:well )?expanded and clear",
    re.I,
)
HEART_NORMAL = re.compile(
    r"heart size (?:is )?(?:within )?normal|normal heart size|heart (?:is )?(?:of )?normal (?:in )?size|"
    r"normal (?:cardiac|heart) size|heart is not enlarged|cardiac silhouette is (?:within )?normal|"
    r"normal cardiomediastinal|cardiomediastinal silhouette (?:is )?(?:within )?normal|"
    r"heart and mediastinum (?:are )?normal|heart (?:and|,) .{0,30}normal",
    re.I,
)
NORMAL_STMT = re.compile(
    r"^(?:no (?:acute|active|evidence of acute)|normal chest|negative chest|clear lungs|"
    r"no radiographic|no significant|unremarkable|stable chest|no interval|no change)",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|might|possibl\w*|question\w*|versus|vs|cannot|could|suggest\w*|subtle|minimal|trace|"
    r"tiny|small|mild|stable|unchanged|chronic|old|scar\w*|resolv\w*|improv\w*|decreas\w*|"
    r"atelecta\w*|borderline|likely|probabl\w*|consider\w*|differential|or|suspect\w*|vague|faint|"
    r"again|persistent|persists|redemonstrated|similar|residual|known|previously)\b",
    re.I,
)
CONTINUATION = re.compile(
    r"^(?:may|maybe|this|these|it|which|recommend\w*|comparison|follow-?up|consider|if|although|"
    r"however|correlat\w*|findings|the above|results|dr\b|discussed)",
    re.I,
)


def mention_state(sent: str, group: str):
    """None if the group is not mentioned; else 'neg' or 'aff' for the first mention."""
    m = re.search(GROUPS[group], sent, re.I)
    if not m:
        return None
    pre = sent[: m.start()]
    last_break = max([b.end() for b in BREAK.finditer(pre)] + [0])
    seg = pre[last_break:]
    if NEG_CUE.search(seg):
        return "neg"
    post = sent[m.end() : m.end() + 60]
    if POST_NEG.search(post):
        return "neg"
    return "aff"


def affirmed(sents, group):
    return [s for s in sents if mention_state(s, group) == "aff"]


def negated(sents, group):
    out = [s for s in sents if mention_state(s, group) == "neg"]
    if group in ("consolidation", "opacity", "nodule", "oedema"):
        out += [s for s in sents if LUNGS_CLEAR.search(s) and not mention_state(s, group) == "aff"]
    if group == "heart":
        out += [s for s in sents if HEART_NORMAL.search(s)]
    return out


SIDE_WORDS = re.compile(r"\b(right|left)\b", re.I)
BOTH_WORDS = re.compile(r"\b(bilateral\w*|both|bibasilar|bibasal)\b", re.I)
FIND_STEMS = [
    "effusion",
    "pneumothora",
    "opacit",
    "airspace",
    "air space",
    "consolidat",
    "infiltrat",
    "pneumonia",
    "atelecta",
    "nodul",
    "granulom",
    "mass",
    "diaphragm",
    "fractur",
    "rib",
    "clavic",
    "catheter",
    "port",
    "picc",
    "tube",
    "scar",
    "cavit",
    "costophrenic",
    "humer",
    "shoulder",
    "mastectomy",
    "lobectomy",
    "thoracotomy",
    "calcifi",
    "density",
    "densities",
    "lymph",
    "hilar",
    "hilum",
    "jugular",
    "subclavian",
    "line",
    "pacemaker",
    "pleural",
    "bulla",
    "emphysema",
    "surgical",
    "clip",
    "sternotomy",
    "lesion",
]


def sides_of(sent):
    s = {w.lower() for w in SIDE_WORDS.findall(sent)}
    if BOTH_WORDS.search(sent):
        s |= {"right", "left"}
    return s


def stems_of(sent):
    low = sent.lower()
    return {st for st in FIND_STEMS if re.search(r"\b" + re.escape(st), low)}


def _bad_text(t):
    return bool(re.search(r"\[|\]|\*\*|<<|>>|___|\{|\}", t))


def iu_consistent(F, Imp) -> bool:
    """Conservative check that an archive report is internally consistent (for clean use)."""
    if _bad_text(" ".join(F + Imp)):
        return False
    # laterality: impression and findings sentences about the same thing must share a side
    for si in Imp:
        a = sides_of(si)
        if not a:
            continue
        for sf in F:
            b = sides_of(sf)
            if b and not (a & b) and (stems_of(si) & stems_of(sf)):
                return False
    for g in ["effusion", "pneumothorax", "consolidation", "oedema", "heart", "nodule", "free_gas", "mediastinum"]:
        fa, ia = affirmed(F, g), affirmed(Imp, g)
        if fa and negated(Imp, g):
            return False
        if ia and negated(F, g) and not fa:
            return False
        if fa and not ia and g != "heart":
            return False
        if ia and not fa:
            return False
        if g == "heart" and fa and (not ia or NORMAL_STMT.search(Imp[0])):
            return False
    if affirmed(F, "opacity") and any(LUNGS_CLEAR.search(s) for s in Imp):
        return False
    news = [
        s
        for s in F
        if re.search(r"\b(new|increas\w*|worsen\w*|enlarging|interval development)\b", s, re.I)
        and not re.search(r"\bno new\b|\bnot increas|without (?:new|increas)", s, re.I)
    ]
    if news and not any(
        re.search(r"\b(new|increas\w*|worsen\w*|enlarging|interval|progress\w*)\b", s, re.I) for s in Imp
    ):
        return False
    # nodules/masses with size >= 6 mm stated in findings must be reported
    return True


def omit_candidates(F, Imp):
    """Significant findings affirmed (unhedged) in F and reported in I; returns list of (group, sentence)."""
    out = []
    for g in ["effusion", "pneumothorax", "consolidation", "oedema", "free_gas", "mediastinum", "nodule"]:
        for s in affirmed(F, g):
            if g != "pneumothorax" and HEDGE.search(s):
                continue
            if g == "pneumothorax" and re.search(
                r"\b(resolv\w*|decreas\w*|stable|unchanged|may|possibl\w*|question\w*|"
                r"probabl\w*|residual|tiny|trace|persist\w*|suspect\w*)\b",
                s,
                re.I,
            ):
                continue
            if g == "effusion" and not re.search(r"\b(moderate|large|sizable|sizeable)\b", s, re.I):
                continue
            if g == "nodule":
                mm = [
                    float(x) * (10 if u.lower() == "cm" else 1)
                    for x, u in re.findall(r"(\d+(?:\.\d+)?)\s?(mm|cm)\b", s)
                ]
                if not (re.search(r"\bmass\b", s, re.I) or (mm and max(mm) >= 6)):
                    continue
            if affirmed(Imp, g):
                out.append((g, s))
                break
    return out


def _rest(Imp, g):
    """Impression sentences that do not touch group g, when they still read as a list of findings."""
    rest = [x for x in Imp if not re.search(GROUPS[g], x, re.I) and not NORMAL_STMT.search(x)]
    if not rest or CONTINUATION.match(rest[0]) or not any(not CONTINUATION.match(x) for x in rest):
        return []
    if g == "consolidation" and any(re.search(r"opacit|atelecta|density", x, re.I) for x in rest):
        return []
    return rest


def laterality_candidates(F, Imp):
    """(section, index) of sentences whose side can be flipped against the other section."""
    out = []
    for sec, A, B in (("findings", F, Imp), ("impression", Imp, F)):
        for i, s in enumerate(A):
            sd = sides_of(s)
            if len(sd) != 1:
                continue
            side = next(iter(sd))
            opp = "left" if side == "right" else "right"
            st = stems_of(s) - {"pleural", "line", "surgical"}
            if not st:
                continue
            support = [b for b in B if sides_of(b) == {side} and (stems_of(b) & st)]
            against = [b for b in B if opp in sides_of(b) and (stems_of(b) & st)]
            if support and not against:
                out.append((sec, i))
    return out


def negation_candidates(F, Imp):
    """Returns list of (mode, group). mode 'assert': F negates group, I does not mention it;
    mode 'negate': F affirms group (unhedged) and I reports it."""
    out = []
    for g in ["effusion", "pneumothorax", "consolidation", "heart", "oedema"]:
        fa, fn = affirmed(F, g), negated(F, g)
        if fn and not fa and not affirmed(Imp, g) and not negated(Imp, g):
            qualified = any(
                re.search(
                    r"\b(large|significant|sizable|sizeable|gross\w*|overt|definite\w*|acute|"
                    r"displaced|visible|apparent)\b",
                    x,
                    re.I,
                )
                for x in fn
            )
            if not qualified:
                out.append(("assert", g))
            elif g == "effusion":
                out.append(("assert_large", g))
        ia = affirmed(Imp, g)
        hedged = any(
            re.search(
                r"\b(may|possibl\w*|question\w*|versus|cannot|or|appears?|suggest\w*|likely|"
                r"probabl\w*|vague|subtle|suspect\w*)\b",
                s,
                re.I,
            )
            for s in fa
        )
        others = [h for h in GROUPS if h != g]
        mixed = any(re.search(GROUPS[h], s, re.I) for s in ia for h in others)
        if fa and ia and not hedged and not mixed:
            out.append(("negate", g))
    return out


IU_ASSERT = {
    "effusion": [
        "{S} pleural effusion, likely hepatic hydrothorax.",
        "Moderate {s} pleural effusion.",
        "Bilateral pleural effusions.",
    ],
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S}-sided pneumothorax."],
    "consolidation": [
        "{S} lower lobe consolidation ?aspiration.",
        "{S} basal pneumonia.",
        "Airspace consolidation at the {s} base.",
    ],
    "heart": ["Cardiomegaly.", "Enlarged heart."],
    "oedema": ["Pulmonary oedema.", "Mild interstitial oedema."],
}
IU_NEGATE = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax."],
    "consolidation": ["Lungs clear.", "No focal consolidation.", "No consolidation."],
    "heart": ["Normal heart size.", "Heart size is normal."],
    "oedema": ["No pulmonary oedema.", "No oedema."],
}


def reword_iu(text: str, region: str, rng) -> tuple:
    changes = []
    t = text
    t2 = re.sub(r"\bchest x-XXXX\b", "chest radiograph", t, flags=re.I)
    t2 = re.sub(r"\bx-XXXX\b", "radiograph", t2)
    if t2 != t:
        changes.append("x-XXXX -> radiograph")
    t = t2
    t2 = re.sub(r"costophrenic XXXX", "costophrenic angles", t)
    if t2 != t:
        changes.append("costophrenic XXXX -> angles")
    t = t2
    t2 = spell(t, region)
    if t2 != t:
        changes.append("UK spelling" if region == "UK" else "US spelling")
    t = t2
    if region == "UK" and rng.random() < 0.6:
        t2 = re.sub(
            r"\bNo acute cardiopulmonary (?:disease|abnormality|process)\b", "No acute cardiopulmonary abnormality", t
        )
        t2 = re.sub(r"\bpneumothoraces\b", "pneumothorax", t2)
        if t2 != t:
            changes.append("wording")
        t = t2
    t = re.sub(r"\.\s*\.", ".", t)
    return t, changes


def iu_render(rng, r, F, Imp, region, kind, detail_change, missing=None, imp_numbered=None):
    clinical = r.get("indication") or ""
    clinical = re.sub(r"\s+", " ", clinical).strip()
    clinical = clinical.rstrip(". ,;")
    if clinical:
        clinical += "."
    if clinical and rng.random() < 0.3:
        clinical = (
            rng.choice(
                ["Liver unit inpatient. ", "Hepatology clinic. ", "Transplant assessment. ", "Hepatology ward. "]
            )
            + clinical
        )
    comp = re.sub(r"\s+", " ", r.get("comparison") or "").strip()
    layout = rng.choice(["prose", "prose", "lines"])
    fbody = "\n".join(F) if layout == "lines" else " ".join(F)
    ibody = format_impression(rng, Imp, region, imp_numbered)
    fh = rng.choice(FIND_HDR[region])
    ih = rng.choice(IMP_HDR[region])
    head = header_block(rng, region, clinical, comp, masked=rng.random() < 0.15)
    sign = signoff(rng, region, masked=rng.random() < 0.1)
    text = render(rng, region, head, fh, fbody, ih, ibody, sign, missing)
    return text, layout, fh, ih


def iu_case(rng, r, region, kind, sub, pick=None):
    """Build an IU-based case; returns (report, detail) or None if the report does not fit."""
    ftxt, _ = reword_iu(r["findings"], region, rng)
    itxt, ch2 = reword_iu(r["impression"], region, rng)
    _, ch1 = reword_iu(r["findings"], region, random.Random(0))
    F, Imp = split_sents(ftxt), split_sents(itxt)
    if not F or not Imp:
        return None
    changes = sorted(set(ch1 + ch2))
    num = rng.random() < 0.5 if len(Imp) > 1 else False
    change = ""
    missing = None
    if kind == "missing_section":
        if sub == "findings":
            missing = ("findings", "empty")
            change = "FINDINGS emptied (header kept, nothing under it)"
        else:
            how = rng.choice(["empty", "signature", "removed"])
            missing = ("impression", how)
            change = {
                "empty": "IMPRESSION emptied (header kept, nothing under it)",
                "signature": "IMPRESSION emptied (header with only the signature under it)",
                "removed": "IMPRESSION section removed",
            }[how]
    elif kind == "laterality_conflict":
        sec, i = pick
        A = F if sec == "findings" else Imp
        old = A[i]
        A[i] = swap_sides(old)
        change = f"{sec} sentence side flipped: '{old}' -> '{A[i]}'"
    elif kind == "negation_conflict":
        mode, g = pick
        side = _side(rng, 0.7)
        if mode in ("assert", "assert_large"):
            tmpl = (
                rng.choice(IU_ASSERT[g])
                if mode == "assert"
                else rng.choice(
                    ["Large {s} pleural effusion, likely hepatic hydrothorax.", "Large bilateral pleural effusions."]
                )
            )
            a = spell(tmpl.format(s=side, S=cap(side)), region)
            keep = [
                s for s in Imp if not NORMAL_STMT.search(s) and not LUNGS_CLEAR.search(s) and not HEART_NORMAL.search(s)
            ]
            Imp = [a] + keep
            change = f"findings negate {g}; impression now asserts '{a}'"
        else:
            neg = spell(rng.choice(IU_NEGATE[g]), region)
            idx = [j for j, s in enumerate(Imp) if mention_state(s, g) == "aff"]
            for j in reversed(idx):
                del Imp[j]
            Imp.insert(min(idx), neg)
            change = f"findings affirm {g}; impression sentence(s) on it replaced by '{neg}'"
    elif kind == "impression_omits_finding":
        g, s = pick[1]
        if pick[0] == "normal":
            Imp = [rng.choice(NORMAL_IMP[region])]
            change = f"findings affirm '{s}'; impression replaced by a normal statement"
        else:
            Imp = _rest(Imp, g)
            change = f"findings affirm '{s}'; impression keeps only the other findings"
    elif kind == "placeholder":
        cands = []
        for sec, A in (("findings", F), ("impression", Imp)):
            for j, s in enumerate(A):
                for m in re.finditer(r"\b(\d+(?:\.\d+)?)(?=\s?(?:mm|cm)\b)", s):
                    cands.append((sec, j, m.span(), rng.choice(["XX", "[***]", "<<size>>", "__"])))
                for m in re.finditer(r"\b(small|moderate|large|mild|minimal)\b", s, re.I):
                    cands.append((sec, j, m.span(), rng.choice(["[***]", "[ ]", "<<size>>", "***"])))
                for m in re.finditer(r"\b(right|left)\b", s, re.I):
                    cands.append((sec, j, m.span(), rng.choice(["[left/right]", "<<side>>", "[ ]", "[***]"])))
                for m in re.finditer(r"\b(normal|clear|unremarkable|stable)\b", s, re.I):
                    cands.append((sec, j, m.span(), rng.choice(["[***]", "[ ]", "[normal]", "<<finding>>"])))
        if not cands:
            return None
        sec, j, (a, b), ph = rng.choice(cands)
        A = F if sec == "findings" else Imp
        old = A[j]
        A[j] = old[:a] + ph + old[b:]
        change = f"'{old[a:b]}' in {sec} replaced by placeholder '{ph}'"
    if kind == "impression_omits_finding" and not Imp:
        return None
    text, layout, fh, ih = iu_render(rng, r, F, Imp, region, kind, change, missing, num)
    style = f"re-laid out as {region} liver-unit report ({fh.rstrip(':')}/{ih.rstrip(':')}, {layout})"
    if changes:
        style += "; reworded: " + ", ".join(changes)
    detail = f"IU {r['uid']}: {style}; " + (change if change else "no error injected")
    return text, detail


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------

SUBS = {
    "clean": None,
    "missing_section": ["findings"] * 8 + ["impression"] * 12,
    "laterality_conflict": ["in_findings"] * 10 + ["in_impression"] * 10,
    "negation_conflict": ["find_negates"] * 10 + ["imp_negates"] * 10,
    "impression_omits_finding": ["normal"] * 10 + ["others"] * 10,
    "placeholder": [None] * 20,
}


def _iu_pool(seed):
    sd = shared_dir()
    rows = load_iu(str(sd / "data" / "iu_reports" / "NLMCXR_reports.tgz"))
    dev = dev_uids(sd)
    pool = []
    for r in rows:
        if r["uid"] in dev or not r.get("findings") or not r.get("impression"):
            continue
        if len(r["findings"]) < 40:
            continue
        F, Imp = split_sents(r["findings"]), split_sents(r["impression"])
        if not F or not Imp or not iu_consistent(F, Imp):
            continue
        pool.append((r, F, Imp))
    rng = random.Random(f"iu-pool-{seed}")
    rng.shuffle(pool)
    return pool


def build(seed) -> list:
    seed = int(seed)
    rng = random.Random(f"h154-{seed}")
    cases = []  # (kind, report, detail)

    # composed half
    for kind in ["clean"] + KINDS:
        n = N_CLEAN // 2 if kind == "clean" else N_PER_KIND // 2
        subs = SUBS[kind] or (["imp_only"] * 6 + ["std"] * (n - 6))
        for i in range(n):
            crng = random.Random(f"{seed}-c-{kind}-{i}")
            text, detail = compose(crng, kind, subs[i])
            cases.append((None if kind == "clean" else kind, text, detail))

    # IU half
    pool = _iu_pool(seed)
    used = set()

    def take(kind, sub, n, finder):
        got = 0
        for r, F, Imp in pool:
            if got >= n:
                break
            if r["uid"] in used:
                continue
            pick = finder(F, Imp) if finder else True
            if not pick:
                continue
            crng = random.Random(f"{seed}-iu-{kind}-{sub}-{r['uid']}")
            region = "UK" if crng.random() < 0.55 else "US"
            if isinstance(pick, list):
                pick = crng.choice(pick)
            if kind == "impression_omits_finding":
                pick = (sub, pick)
            res = iu_case(crng, r, region, kind, sub, pick)
            if res is None:
                continue
            used.add(r["uid"])
            cases.append((None if kind == "clean" else kind, res[0], res[1]))
            got += 1
        if got < n:
            raise RuntimeError(f"not enough IU reports for {kind}/{sub}")

    def lat_finder(sec):
        def f(F, Imp):
            return [c for c in laterality_candidates(F, Imp) if c[0] == sec]

        return f

    def neg_finder(mode):
        def f(F, Imp):
            return [c for c in negation_candidates(F, Imp) if c[0].startswith(mode)]

        return f

    def omit_finder(sub):
        def f(F, Imp):
            c = omit_candidates(F, Imp)
            if sub == "others":
                c = [x for x in c if _rest(Imp, x[0])]
            return c

        return f

    take("laterality_conflict", "in_findings", 10, lat_finder("findings"))
    take("laterality_conflict", "in_impression", 10, lat_finder("impression"))
    take("impression_omits_finding", "others", 10, omit_finder("others"))
    take("impression_omits_finding", "normal", 10, omit_finder("normal"))
    take("negation_conflict", "negate", 10, neg_finder("negate"))
    take("negation_conflict", "assert", 10, neg_finder("assert"))
    take("missing_section", "findings", 8, None)
    take("missing_section", "impression", 12, None)
    take("placeholder", None, 20, None)
    take("clean", None, N_CLEAN // 2, None)

    order = list(range(len(cases)))
    rng.shuffle(order)
    rows = []
    for k, i in enumerate(order):
        kind, text, detail = cases[i]
        rows.append({"id": f"h154-{seed}-{k}", "injected": kind, "detail": detail, "report": text})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
            for iu in (False, True):
                ex = [r for r in rows if r["injected"] == kind and r["detail"].startswith("IU ") == iu][: a.show]
                for r in ex:
                    print(f"==== {r['id']}  injected={kind}  {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
