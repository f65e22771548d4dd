"""Held-out report-error set 143: sickle cell and haemoglobinopathy services (UK, US, West Africa).

Written blind (without the checker's rules).  400 cases: 200 clean and 40 of each of the five
error kinds of ``shared/eval/README.md``; in every group half are composed from the phrase bank
below and half are real IU chest X-ray reports (never a dev-set uid, each used at most once),
re-laid out and lightly re-worded in the setting's style.

usage: python -m bench.make_heldout143 OUT.jsonl --seed S [--show N]
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
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# spelling: UK / West African services write British English, US services American English
# --------------------------------------------------------------------------------------------
US_TO_UK = [
    (r"\bedema", "oedema"),
    (r"\bEdema", "Oedema"),
    (r"hemorrhag", "haemorrhag"),
    (r"\banemi", "anaemi"),
    (r"\bAnemi", "Anaemi"),
    (r"esophag", "oesophag"),
    (r"Esophag", "Oesophag"),
    (r"visualized", "visualised"),
    (r"Visualized", "Visualised"),
    (r"hematom", "haematom"),
    (r"ischemi", "ischaemi"),
    (r"\btumor", "tumour"),
    (r"centimeter", "centimetre"),
    (r"\bhemoglobin", "haemoglobin"),
    (r"\bHemoglobin", "Haemoglobin"),
    (r"\bhemato", "haemato"),
    (r"\bHemato", "Haemato"),
    (r"hemolytic", "haemolytic"),
    (r"tachypne", "tachypnoe"),
    (r"\bbibasilar\b", "bibasal"),
    (r"\bbasilar\b", "basal"),
    (r"\bBibasilar\b", "Bibasal"),
    (r"thalassemi", "thalassaemi"),
    (r"\bcharacteriz", "characteris"),
    (r"\borganiz", "organis"),
    (r"\bcenter\b", "centre"),
]
UK_TO_US = [
    (r"oedema", "edema"),
    (r"Oedema", "Edema"),
    (r"haem", "hem"),
    (r"Haem", "Hem"),
    (r"anaemi", "anemi"),
    (r"Anaemi", "Anemi"),
    (r"thalassaemi", "thalassemi"),
    (r"oesophag", "esophag"),
    (r"visualised", "visualized"),
    (r"Visualised", "Visualized"),
    (r"tachypnoe", "tachypne"),
    (r"characteris", "characteriz"),
    (r"\bcentre\b", "center"),
    (r"\bbibasal\b", "bibasilar"),
    (r"\bBibasal\b", "Bibasilar"),
    (r"ischaemi", "ischemi"),
    (r"tumour", "tumor"),
]
# light re-wording of IU phrasing, same meaning, applied to both sections alike
IU_REWORD = [
    (r"(^|(?<=\. ))There (?:is|are) no ", r"\1No "),
    (r"\bpulmonary vascularity\b", "pulmonary vasculature"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bOsseous structures\b", "Bony structures"),
    (r"\bHeart size normal\b", "Heart size is normal"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal contour"),
    (r"\bair space\b", "airspace"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary abnormality"),
    (r"\bNegative for acute cardiopulmonary disease\b", "No acute cardiopulmonary abnormality"),
    (r"\bchest x-XXXX\b", "chest radiograph"),
]


REWORD_NAME = {r"\1No ": "'There is no' -> 'No'"}


def _apply(pairs, text: str) -> str:
    for a, b in pairs:
        text = re.sub(a, b, text)
    return text


def respell(text: str, style: str) -> str:
    return _apply(UK_TO_US if style == "us" else US_TO_UK, text)


# --------------------------------------------------------------------------------------------
# layouts of the three services
# --------------------------------------------------------------------------------------------
STYLES = {
    "uk": {
        "title": [
            "XR Chest PA",
            "XR CHEST",
            "Chest X-ray (PA)",
            "XR Chest AP (Day Unit)",
            "CXR - Haematology Day Unit",
            "XR Chest PA - Red Cell Exchange Clinic",
        ],
        "clinical": [
            "Clinical details:",
            "Clinical Details:",
            "Clinical indication:",
            "History:",
            "Clinical information:",
        ],
        "comparison": ["Comparison:", "Previous:", "Compared with:"],
        "technique": [None, None, "Technique: PA erect.", "Technique: AP sitting, day unit portable."],
        "findings": ["Findings:", "Findings:", "FINDINGS:", "Report:", "Observations:"],
        "impression": ["Conclusion:", "Conclusion:", "Impression:", "CONCLUSION:", "Opinion:", "Summary:"],
        "recommend": ["Recommendation:", "Advice:"],
        "signoff": [
            "Dr H. Whitfield, Consultant Radiologist",
            "Reported by: Dr S. Patel, Consultant Radiologist (GMC XXXX)",
            "Dr R. Okafor-Hughes, Consultant Haematology Radiologist",
            "Dictated by Dr L. Brennan, ST4 Radiology; verified by Dr M. Ashworth, Consultant Radiologist",
            "Reported by Dr A. Nwosu, Consultant Radiologist",
            "Electronically authorised: Dr C. Hamilton, Consultant Radiologist",
        ],
    },
    "us": {
        "title": [
            "EXAM: XR CHEST PA AND LATERAL",
            "EXAMINATION: CHEST 2 VIEWS",
            "EXAM: PORTABLE CHEST, 1 VIEW",
            "EXAM: CHEST RADIOGRAPH, SINGLE VIEW (INFUSION CENTER)",
            "XR CHEST 2V",
        ],
        "clinical": ["CLINICAL HISTORY:", "INDICATION:", "HISTORY:", "REASON FOR EXAM:"],
        "comparison": ["COMPARISON:"],
        "technique": [
            None,
            "TECHNIQUE: PA and lateral views of the chest.",
            "TECHNIQUE: Single frontal view.",
            "TECHNIQUE: Frontal and lateral radiographs of the chest.",
        ],
        "findings": ["FINDINGS:", "FINDINGS:", "Findings:"],
        "impression": ["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"],
        "recommend": ["RECOMMENDATION:"],
        "signoff": [
            "Electronically signed by: Karen M. Doyle, MD",
            "Dictated by: James Whitaker, MD. Signed: XXXX",
            "Signed by Rachel Kim, MD on XXXX",
            "Attending radiologist: Marcus Ellison, MD",
            "I have personally reviewed the images and agree with the report. -- Daniel Ortiz, MD",
        ],
    },
    "wa": {
        "title": [
            "CHEST RADIOGRAPH (PA VIEW)",
            "CHEST X-RAY REPORT",
            "CHEST X-RAY (PA)",
            "RADIOLOGY REPORT: CHEST X-RAY",
            "CHEST RADIOGRAPH - SICKLE CELL CLINIC",
        ],
        "clinical": ["Clinical Information:", "Clinical Summary:", "Clinical Details:", "Indication:"],
        "comparison": ["Previous Study:", "Comparison:"],
        "technique": [None, None, "Technique: Erect PA chest radiograph.", "Projection: PA"],
        "findings": ["Findings:", "FINDINGS:", "Report:", "Radiological Findings:"],
        "impression": ["Conclusion:", "Impression:", "CONCLUSION:", "Radiological Impression:"],
        "recommend": ["Recommendation:", "Recommendations:"],
        "signoff": [
            "Dr. A. O. Adeyemi, Consultant Radiologist",
            "Dr. K. Mensah (Senior Registrar) / Dr. E. Boateng (Consultant)",
            "Signed: Dr. F. N. Okeke, FWACS, Consultant Radiologist",
            "Dr. Y. Sesay, Consultant Radiologist",
            "Reporting Radiologist: Dr. B. Nnamdi, FMCR",
        ],
    },
}
STYLE_NAMES = {"uk": "UK NHS", "us": "US academic", "wa": "West African teaching hospital"}


def _date(rng: random.Random, style: str) -> str:
    if rng.random() < 0.25:
        return "XXXX"
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2021, 2022, 2023, 2024])
    return f"{m:02d}/{d:02d}/{y}" if style == "us" else f"{d:02d}/{m:02d}/{y}"


def layout(
    rng: random.Random,
    style: str,
    *,
    clinical: str,
    comparison: str | None,
    findings: list,
    impression: list[str],
    recommendation: str | None = None,
    missing: str | None = None,
    structured: bool = False,
    technique: bool = True,
) -> tuple[str, dict]:
    """Render the report text.  ``findings`` is a list of sentences or of (region, sentence) pairs.

    missing: None, 'findings_empty', 'impression_empty', 'impression_signature', 'impression_removed'.
    Returns the text and a dict of the header words used."""
    st = STYLES[style]
    fh, ih = rng.choice(st["findings"]), rng.choice(st["impression"])
    inline = rng.random() < 0.45
    lines = [rng.choice(st["title"])]
    if rng.random() < 0.3:
        lines.append(f"Date of examination: {_date(rng, style)}")
    lines.append("")
    ch = rng.choice(st["clinical"])
    lines.append(f"{ch} {clinical}")
    if comparison:
        lines.append(f"{rng.choice(st['comparison'])} {comparison}")
    tech = rng.choice(st["technique"])
    if tech and technique:
        lines.append(tech)
    lines.append("")
    sents = [f[1] if isinstance(f, tuple) else f for f in findings]
    if missing == "findings_empty":
        lines.append(fh)
        lines.append("")
    elif structured and all(isinstance(f, tuple) for f in findings):
        lines.append(fh)
        by_region: dict[str, list[str]] = {}
        for reg, s in findings:
            by_region.setdefault(reg, []).append(s)
        for reg, ss in by_region.items():
            lines.append(f"{REGION_LABEL[reg]}: {' '.join(ss)}")
        lines.append("")
    else:
        bullets = rng.random() < 0.2 and len(sents) > 2
        if bullets:
            lines.append(fh)
            lines.extend(f"- {s}" for s in sents)
        elif inline:
            lines.append(f"{fh} {' '.join(sents)}")
        else:
            lines.extend([fh, " ".join(sents)])
        lines.append("")
    signoff = rng.choice(st["signoff"])
    if missing in ("impression_empty", "impression_signature", "impression_removed"):
        if missing == "impression_empty":
            lines.append(ih)
            lines.append("")
        elif missing == "impression_signature":
            lines.append(ih)
            lines.append(signoff)
        else:
            lines.append(signoff)
        return "\n".join(lines).rstrip() + "\n", {"findings": fh, "impression": ih}
    numbered = len(impression) > 1 and rng.random() < 0.75
    if numbered:
        lines.append(ih)
        lines.extend(f"{i}. {s}" for i, s in enumerate(impression, 1))
    else:
        text = " ".join(impression)
        lines.extend([f"{ih} {text}"] if inline else [ih, text])
    if recommendation:
        if style == "wa" or rng.random() < 0.4:
            lines.append("")
            lines.append(f"{rng.choice(st['recommend'])} {recommendation}")
        else:
            lines[-1] = lines[-1] + " " + recommendation
    lines.append("")
    lines.append(signoff)
    return "\n".join(lines).rstrip() + "\n", {"findings": fh, "impression": ih}


REGION_LABEL = {
    "lines": "Lines",
    "lungs": "Lungs",
    "pleura": "Pleura",
    "heart": "Heart",
    "mediastinum": "Mediastinum",
    "bones": "Bones",
    "abdomen": "Upper abdomen",
}
REGION_ORDER = list(REGION_LABEL)

# --------------------------------------------------------------------------------------------
# phrase bank (composed reports)
# --------------------------------------------------------------------------------------------
# key: (group, polarity, significant, sided, region, findings templates, impression templates, impression required)
BANK = {
    "consol_new": (
        "consol",
        "aff",
        True,
        True,
        "lungs",
        [
            "New airspace opacification in the {side} {zone} zone, in keeping with consolidation.",
            "There is dense consolidation of the {side} {zone} lobe with air bronchograms, "
            "new since the previous film.",
            "Patchy consolidation has developed in the {side} {zone} zone since the last film.",
            "{Side} {zone} lobe consolidation, not present on the previous radiograph.",
            "Increasing airspace shadowing in the {side} {zone} zone, consistent with consolidation.",
        ],
        [
            "{Side} {zone} lobe consolidation, in keeping with acute chest syndrome in this clinical context.",
            "New {side} {zone} zone consolidation - appearances consistent with acute chest syndrome.",
            "Acute chest syndrome: {side} {zone} lobe consolidation.",
            "Features of acute chest syndrome with new {side} {zone} zone consolidation.",
            "{Side} {zone} zone pneumonic consolidation / ACS.",
        ],
        True,
    ),
    "consol_bilat": (
        "consol",
        "aff",
        True,
        False,
        "lungs",
        [
            "Bilateral lower zone airspace opacification, more extensive than on the previous film.",
            "Extensive bilateral consolidation, worse at the bases and increased since the previous study.",
            "New patchy consolidation in both lower lobes.",
        ],
        [
            "Bilateral basal consolidation in keeping with acute chest syndrome, progressing.",
            "Extensive bilateral airspace consolidation, consistent with severe acute chest syndrome.",
            "Bilateral lower lobe consolidation - acute chest syndrome.",
        ],
        True,
    ),
    "consol_resolving": (
        "consol",
        "aff",
        False,
        True,
        "lungs",
        [
            "Partial resolution of the {side} {zone} lobe consolidation, with residual patchy opacity.",
            "The {side} {zone} zone consolidation is improving; some residual shadowing remains.",
            "Residual patchy opacity in the {side} {zone} zone, much improved compared with the previous film.",
        ],
        [
            "Improving {side} {zone} lobe consolidation.",
            "Resolving {side} {zone} zone consolidation.",
            "Residual {side} {zone} zone opacity from the recent acute chest syndrome, improving.",
        ],
        True,
    ),
    "consol_resolved": (
        "consol",
        "neg",
        False,
        True,
        "lungs",
        [
            "The {side} {zone} lobe consolidation seen on the previous film has resolved.",
            "Complete resolution of the previous {side} {zone} zone consolidation.",
            "The previously noted {side} {zone} zone opacity has cleared.",
        ],
        [
            "Resolution of the {side} {zone} lobe consolidation.",
            "{Side} {zone} zone consolidation has cleared; no residual abnormality.",
            "Interval clearance of the {side} {zone} zone changes of acute chest syndrome.",
        ],
        True,
    ),
    "atel": (
        "atel",
        "aff",
        False,
        True,
        "lungs",
        [
            "Linear atelectasis at the {side} base.",
            "Plate-like atelectasis in the {side} lower zone.",
            "Subsegmental atelectasis at the {side} base, probably related to splinting.",
        ],
        [
            "Minor {side} basal atelectasis.",
            "{Side} basal subsegmental atelectasis, likely secondary to splinting from chest wall pain.",
        ],
        False,
    ),
    "eff_small": (
        "effusion",
        "aff",
        False,
        True,
        "pleura",
        [
            "Small {side} pleural effusion.",
            "Blunting of the {side} costophrenic angle, in keeping with a small effusion.",
            "There is a small {side} pleural effusion.",
        ],
        [
            "Small {side} pleural effusion.",
            "Small {side} effusion.",
        ],
        False,
    ),
    "eff_mod": (
        "effusion",
        "aff",
        True,
        True,
        "pleura",
        [
            "Moderate {side} pleural effusion with a meniscus reaching the mid zone.",
            "There is a moderate {side} pleural effusion, increased since the previous film.",
            "Moderate-sized {side} pleural effusion obscuring the {side} hemidiaphragm.",
        ],
        [
            "Moderate {side} pleural effusion.",
            "Moderate {side} pleural effusion, increasing.",
        ],
        True,
    ),
    "eff_bilat": (
        "effusion",
        "aff",
        False,
        False,
        "pleura",
        [
            "Small bilateral pleural effusions.",
            "Bilateral costophrenic angle blunting in keeping with small effusions.",
        ],
        [
            "Small bilateral pleural effusions.",
        ],
        False,
    ),
    "ptx": (
        "ptx",
        "aff",
        True,
        True,
        "pleura",
        [
            "There is a {side} apical pneumothorax with a rim of approximately 1.5 cm.",
            "Small {side} apical pneumothorax following line insertion.",
            "A {side} pneumothorax is present, with the lung edge visible in the upper zone.",
        ],
        [
            "{Side} apical pneumothorax. Discussed with the haematology team at the time of reporting.",
            "{Side} pneumothorax following line insertion; clinical team informed.",
            "{Side} pneumothorax.",
        ],
        True,
    ),
    "oedema": (
        "oedema",
        "aff",
        True,
        False,
        "lungs",
        [
            "Upper lobe blood diversion with bilateral perihilar haziness and septal lines, "
            "in keeping with pulmonary oedema.",
            "New interstitial pulmonary oedema with Kerley B lines.",
            "Bilateral perihilar airspace shadowing and septal lines consistent with pulmonary oedema.",
        ],
        [
            "Pulmonary oedema - ? fluid overload following transfusion.",
            "Features of fluid overload with pulmonary oedema.",
            "New interstitial pulmonary oedema.",
        ],
        True,
    ),
    "interstitial": (
        "interstitial",
        "aff",
        False,
        False,
        "lungs",
        [
            "Coarse reticular markings at both lung bases, unchanged, "
            "in keeping with chronic changes from previous episodes of ACS.",
            "Stable bibasal interstitial scarring.",
        ],
        [
            "Stable chronic bibasal interstitial change (post-ACS scarring).",
            "Chronic basal scarring, unchanged.",
        ],
        False,
    ),
    "nodule": (
        "nodule",
        "aff",
        True,
        True,
        "lungs",
        [
            "A new {n} mm nodule projects over the {side} mid zone.",
            "There is a {n} mm rounded nodular opacity in the {side} mid zone, not seen previously.",
        ],
        [
            "New {n} mm {side} mid zone nodule - CT chest recommended for further characterisation.",
            "{Side} mid zone {n} mm pulmonary nodule; CT advised.",
        ],
        True,
    ),
    "cardio": (
        "cardio",
        "aff",
        False,
        False,
        "heart",
        [
            "The heart is enlarged (CTR {ctr}), unchanged, in keeping with chronic anaemia.",
            "Cardiomegaly (CTR {ctr}), stable.",
            "The cardiac silhouette is enlarged, as before.",
            "Cardiothoracic ratio {ctr} - stable cardiomegaly.",
        ],
        [
            "Stable cardiomegaly, in keeping with the high-output state of chronic anaemia.",
            "Cardiomegaly, unchanged.",
            "Cardiomegaly consistent with known chronic haemolytic anaemia.",
        ],
        False,
    ),
    "pa": (
        "pa",
        "aff",
        False,
        False,
        "mediastinum",
        [
            "Prominent central pulmonary arteries.",
            "The main pulmonary artery segment is prominent.",
        ],
        [
            "Prominent pulmonary arteries - ? pulmonary hypertension; echocardiography suggested if not already done.",
            "Enlarged central pulmonary arteries, may reflect pulmonary hypertension.",
        ],
        False,
    ),
    "line_ij": (
        "line",
        "aff",
        False,
        True,
        "lines",
        [
            "{Side} internal jugular dual-lumen apheresis catheter (Vascath) with its tip at the cavoatrial junction.",
            "{Side} IJ Vascath in situ, tip projected over the lower SVC.",
            "A {side} internal jugular exchange catheter has been inserted; its tip lies in the lower SVC.",
        ],
        [
            "{Side} internal jugular Vascath in satisfactory position.",
            "Satisfactory position of the {side} IJ line.",
            "{Side} IJ apheresis line, tip at the cavoatrial junction.",
        ],
        False,
    ),
    "line_port": (
        "line",
        "aff",
        False,
        True,
        "lines",
        [
            "{Side} subclavian Portacath with its tip in the lower SVC.",
            "{Side}-sided chest wall port, catheter tip at the cavoatrial junction.",
        ],
        [
            "{Side} Portacath, tip in satisfactory position.",
            "{Side} chest wall port in situ, unchanged.",
        ],
        False,
    ),
    "line_picc": (
        "line",
        "aff",
        False,
        True,
        "lines",
        [
            "{Side} arm PICC line with its tip at the cavoatrial junction.",
            "A {side}-sided PICC is seen, tip in the SVC.",
        ],
        [
            "{Side} PICC tip at the cavoatrial junction.",
            "{Side} PICC in satisfactory position.",
        ],
        False,
    ),
    "hvert": (
        "bone",
        "aff",
        False,
        False,
        "bones",
        [
            "H-shaped vertebral bodies in the mid and lower thoracic spine, characteristic of sickle cell disease.",
            "Central endplate depressions of several thoracic vertebrae (H-shaped vertebrae).",
            "Biconcave 'H-shaped' thoracic vertebrae, unchanged.",
        ],
        [
            "H-shaped thoracic vertebrae in keeping with known sickle cell disease.",
            "Thoracic vertebral changes typical of sickle cell disease.",
        ],
        False,
    ),
    "avn": (
        "bone_hum",
        "aff",
        False,
        True,
        "bones",
        [
            "Sclerosis and flattening of the {side} humeral head, in keeping with avascular necrosis.",
            "Articular surface collapse and sclerosis of the {side} humeral head (AVN).",
        ],
        [
            "{Side} humeral head avascular necrosis.",
            "AVN of the {side} humeral head, unchanged.",
        ],
        False,
    ),
    "hum_infarct": (
        "bone_hum",
        "aff",
        False,
        True,
        "bones",
        [
            "Mottled medullary sclerosis in the {side} proximal humerus, consistent with old bone infarction.",
            "Serpiginous sclerosis in the {side} humeral shaft from a previous bone infarct.",
        ],
        [
            "Old bone infarct in the {side} proximal humerus.",
            "Chronic {side} humeral bone infarct.",
        ],
        False,
    ),
    "clips": (
        "clips",
        "aff",
        False,
        False,
        "abdomen",
        [
            "Cholecystectomy clips in the right upper quadrant.",
            "Surgical clips project over the gallbladder fossa.",
        ],
        ["Post cholecystectomy."],
        False,
    ),
    "spleen": (
        "spleen",
        "aff",
        False,
        False,
        "abdomen",
        [
            "Small calcified spleen in the left upper quadrant (autosplenectomy).",
            "Calcification in the region of the spleen, in keeping with autosplenectomy.",
        ],
        ["Autosplenectomy."],
        False,
    ),
}

# normal statements: (region, variants, groups they deny)
LUNG_DENY = {"consol", "atel", "oedema", "interstitial", "nodule"}
NORMALS = [
    (
        "lungs",
        ["The lungs are clear.", "Clear lungs.", "Both lung fields are clear.", "The lungs are clear bilaterally."],
        LUNG_DENY,
    ),
    ("lungs", ["No focal consolidation.", "No consolidation.", "No focal airspace opacity."], {"consol"}),
    ("lungs", ["No features of pulmonary oedema."], {"oedema"}),
    (
        "pleura",
        [
            "No pleural effusion.",
            "No effusion.",
            "Costophrenic angles are clear.",
            "Both costophrenic angles are sharp.",
        ],
        {"effusion"},
    ),
    ("pleura", ["No pneumothorax."], {"ptx"}),
    ("pleura", ["No pleural effusion or pneumothorax."], {"effusion", "ptx"}),
    (
        "heart",
        [
            "Heart size is normal.",
            "The heart is not enlarged.",
            "Cardiothoracic ratio is within normal limits.",
            "Normal cardiac size and contour.",
        ],
        {"cardio"},
    ),
    (
        "mediastinum",
        ["Mediastinal contours are normal.", "Normal mediastinal and hilar contours.", "The hila are normal."],
        {"med"},
    ),
    ("mediastinum", ["Pulmonary vasculature is normal."], {"oedema", "pa"}),
    ("bones", ["No acute bony abnormality.", "Visualised bones are unremarkable."], {"bone", "bone_hum"}),
    ("abdomen", ["No free gas under the diaphragm.", "The hemidiaphragms are well defined."], set()),
]
OTHERWISE_CLEAR = ("lungs", ["The lungs are otherwise clear.", "Lungs otherwise clear."], set())

BANK_GROUPS = {v[0] for v in BANK.values()}
# impression normal statements: (text, groups denied, used only when nothing at all is abnormal)
IMP_NORMALS = [
    ("No acute cardiopulmonary abnormality.", set(), False),
    ("No radiographic evidence of acute chest syndrome.", {"consol"}, False),
    ("No features of acute chest syndrome.", {"consol"}, False),
    ("No consolidation. No features of acute chest syndrome.", {"consol"}, False),
    ("Clear lungs; no evidence of acute chest syndrome.", LUNG_DENY, False),
    ("Normal chest radiograph.", BANK_GROUPS | {"med", "pa"}, True),
    ("Essentially normal chest X-ray.", BANK_GROUPS | {"med", "pa"}, True),
    ("No acute abnormality.", set(), False),
]
# generic normal impressions that name no finding (used when a significant finding is left out)
GENERIC_NORMAL_IMP = [
    "No acute cardiopulmonary abnormality.",
    "No acute abnormality.",
    "No acute chest radiographic abnormality.",
    "Satisfactory appearances.",
    "No significant abnormality demonstrated.",
    "Stable appearances.",
]
# impression negations (for negation_conflict) and assertions
IMP_DENY = {
    "consol": [
        "No consolidation to suggest acute chest syndrome.",
        "Lungs clear; no acute chest syndrome.",
        "No focal consolidation.",
    ],
    "effusion": ["No pleural effusion.", "No effusion."],
    "ptx": ["No pneumothorax.", "No pneumothorax following line insertion."],
    "oedema": ["No pulmonary oedema.", "No features of fluid overload."],
    "cardio": ["Normal heart size.", "Heart size is normal."],
}
IMP_ASSERT_IU = {
    "consol": ["New {side} basal consolidation.", "{Side} lower lobe pneumonia."],
    "effusion": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "oedema": ["Mild pulmonary oedema.", "Interstitial pulmonary oedema."],
    "cardio": ["Cardiomegaly.", "Mild cardiomegaly."],
}
IMP_ASSERT = {
    "consol": [
        "{Side} lower lobe consolidation in keeping with acute chest syndrome.",
        "New {side} basal consolidation.",
    ],
    "effusion": ["Small {side} pleural effusion.", "Moderate {side} pleural effusion."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax following line insertion."],
    "oedema": ["Mild pulmonary oedema ? fluid overload.", "Interstitial pulmonary oedema."],
    "cardio": ["Cardiomegaly in keeping with chronic anaemia.", "Stable cardiomegaly."],
}

SCENARIOS = {
    # name: (clinical details, [(item key(s), probability)])
    "acs": (
        [
            "HbSS. Chest pain, fever and SpO2 91% on air. ? acute chest syndrome.",
            "Sickle cell disease (HbSS) admitted in painful crisis, now febrile and tachypnoeic. ?ACS",
            "Known SCA, VOC day 3, new chest pain and desaturation. Rule out acute chest syndrome.",
            "HbSC, pleuritic chest pain and cough. ACS?",
            "SCD with fever, hypoxia and chest pain - acute chest syndrome?",
        ],
        [
            (["consol_new", "consol_new", "consol_bilat"], 0.8),
            (["eff_small", "eff_bilat"], 0.35),
            (["atel"], 0.3),
            (["cardio"], 0.5),
            (["line_ij", "line_picc"], 0.25),
            (["hvert"], 0.2),
        ],
    ),
    "dayunit": (
        [
            "HbSS on regular red cell exchange programme. Annual review chest film.",
            "Transfusion clinic: chronic transfusion for stroke prevention. Routine CXR.",
            "Haemoglobinopathy day unit. Beta thalassaemia major, routine annual review.",
            "Sickle cell disease, pre-exchange transfusion assessment.",
            "HbSS, attending day unit for top-up transfusion. Mild cough.",
        ],
        [
            (["cardio"], 0.6),
            (["hvert"], 0.35),
            (["line_port", "line_picc"], 0.35),
            (["interstitial"], 0.2),
            (["pa"], 0.15),
            (["clips", "spleen"], 0.25),
            (["avn", "hum_infarct"], 0.15),
        ],
    ),
    "line": (
        [
            "Vascath inserted for red cell exchange. Position?",
            "Post insertion of apheresis line for exchange transfusion - line position and ? pneumothorax.",
            "New central line for automated red cell exchange. Please check tip.",
            "Tunnelled line placed today (HbSS, exchange programme). Tip position.",
        ],
        [(["line_ij"], 1.0), (["cardio"], 0.4), (["hvert"], 0.2), (["ptx"], 0.12)],
    ),
    "followup": (
        [
            "Follow-up of acute chest syndrome treated 6 weeks ago.",
            "HbSS, recent ACS. Repeat film to confirm resolution.",
            "Sickle cell clinic follow-up; consolidation on admission film.",
        ],
        [(["consol_resolving", "consol_resolved"], 1.0), (["cardio"], 0.4), (["eff_small"], 0.15), (["hvert"], 0.15)],
    ),
    "overload": (
        [
            "Breathless after top-up transfusion. ? fluid overload.",
            "HbSS, increasing SOB and bibasal crackles post transfusion.",
        ],
        [(["oedema"], 1.0), (["eff_bilat"], 0.5), (["cardio"], 0.6), (["line_picc", "line_port"], 0.3)],
    ),
    "bone": (
        [
            "HbSS with chronic shoulder pain. Chest film requested by haematology.",
            "Sickle cell anaemia, back and shoulder pain. CXR.",
        ],
        [(["avn", "hum_infarct"], 1.0), (["hvert"], 0.5), (["cardio"], 0.4)],
    ),
    "normal": (
        [
            "HbSC, cough and low-grade fever. ? infection.",
            "Sickle cell trait, pre-operative chest film.",
            "HbSS, chest pain. Exclude ACS.",
            "Known sickle cell disease, fever. ?chest source.",
            "Screening CXR, new patient to the haemoglobinopathy service.",
        ],
        [],
    ),
    "nodule": (
        [
            "HbSS, persistent cough for 4 weeks.",
            "Sickle cell disease, haemoptysis.",
        ],
        [(["nodule"], 1.0), (["cardio"], 0.4), (["hvert"], 0.2)],
    ),
}
SCENARIO_WEIGHTS = {
    "acs": 26,
    "dayunit": 22,
    "line": 14,
    "followup": 14,
    "overload": 6,
    "bone": 8,
    "normal": 16,
    "nodule": 3,
}


class Item:
    def __init__(self, key: str, rng: random.Random, side: str | None = None):
        self.key = key
        (self.group, self.polarity, self.sig, self.sided, self.region, ftpl, itpl, self.required) = BANK[key]
        self.ftpl, self.itpl = rng.choice(ftpl), rng.choice(itpl)
        self.params = {
            "side": side or rng.choice(["right", "left"]),
            "zone": rng.choice(["lower", "lower", "upper"]),
            "ctr": f"0.{rng.randint(55, 63)}",
            "n": str(rng.randint(8, 16)),
        }
        if not self.sided:
            self.params["side"] = None

    def _fmt(self, tpl: str, side: str | None) -> str:
        p = dict(self.params, side=side or "", Side=(side or "").capitalize())
        return tpl.format(**p)

    def finding(self, flip: bool = False) -> str:
        return self._fmt(self.ftpl, _other(self.params["side"]) if flip else self.params["side"])

    def impression(self, flip: bool = False) -> str:
        return self._fmt(self.itpl, _other(self.params["side"]) if flip else self.params["side"])


def _other(side: str | None) -> str | None:
    return {"right": "left", "left": "right"}.get(side or "", side)


def make_scenario(rng: random.Random, style: str, *, need=None) -> tuple[str, str, list[Item]]:
    """need: None, 'sided' (a sided item stated in both sections), 'sig' (exactly one significant item plus
    at least one other), 'sig_alone' (exactly one significant item), ('aff', group), ('free', group)."""
    for _ in range(5000):
        names = list(SCENARIO_WEIGHTS)
        name = rng.choices(names, weights=[SCENARIO_WEIGHTS[n] for n in names])[0]
        clin_opts, plan = SCENARIOS[name]
        items: list[Item] = []
        for keys, p in plan:
            if rng.random() < p:
                key = rng.choice(keys)
                if any(BANK[key][0] == it.group for it in items):
                    continue
                items.append(Item(key, rng))
        sig = [it for it in items if it.sig and it.polarity == "aff"]
        if need == "sided" and not any(it.sided for it in items):
            continue
        if need in ("sig", "sig_alone") and len(sig) != 1:
            continue
        if need == "sig" and len(items) < 2:
            continue
        if need is None and len(sig) > 2:
            continue
        if isinstance(need, tuple):
            mode, grp = need
            affirmed = {it.group for it in items if it.polarity == "aff"}
            if mode == "aff" and grp not in affirmed:
                continue
            if mode == "free" and grp in {it.group for it in items}:
                continue
        clin = rng.choice(clin_opts)
        return name, clin, items
    raise RuntimeError(f"no scenario for {need}")


def compose_findings(
    rng: random.Random, items: list[Item], *, force_deny: str | None = None, flip_item: Item | None = None
) -> list[tuple[str, str]]:
    affirmed = {it.group for it in items if it.polarity == "aff"}
    out = [(it.region, it.finding(flip=it is flip_item)) for it in items]
    normals = [n for n in NORMALS if not (n[2] & affirmed)]
    if force_deny:
        forced = [n for n in normals if force_deny in n[2]]
        chosen = [rng.choice(forced)]
    else:
        chosen = []
    covered = {it.region for it in items}
    for n in rng.sample(normals, len(normals)):
        if n in chosen or len(chosen) >= rng.randint(2, 5):
            continue
        if n[0] in covered and n[0] != "pleura":
            continue
        if any(c[0] == n[0] and (c[2] & n[2] or not n[2]) for c in chosen):
            continue
        chosen.append(n)
    lung_aff = any(it.region == "lungs" and it.polarity == "aff" for it in items)
    if lung_aff and rng.random() < 0.5 and not any(c[2] & LUNG_DENY for c in chosen):
        chosen.append(OTHERWISE_CLEAR)
    out += [(c[0], rng.choice(c[1])) for c in chosen]
    out.sort(key=lambda rs: REGION_ORDER.index(rs[0]))
    return out


def compose_impression(
    rng: random.Random, items: list[Item], *, include=None, flip_item: Item | None = None, allow_normal: bool = True
) -> list[str]:
    """Impression in agreement with the items.  include: items that must be listed."""
    include = include or []
    imps = []
    for it in items:
        if it.required or it in include or it.sided and rng.random() < 0.6 or rng.random() < 0.55:
            if it.group in ("clips", "spleen") and it not in include and rng.random() < 0.7:
                continue
            imps.append(it.impression(flip=it is flip_item))
    affirmed = {it.group for it in items if it.polarity == "aff"}
    any_sig = any(it.sig and it.polarity == "aff" for it in items)
    chest_aff = any(
        it.polarity == "aff" and it.region in ("lungs", "pleura") and it.group != "interstitial" for it in items
    )
    if allow_normal and not any_sig and not chest_aff and (not imps or rng.random() < 0.5):
        opts = [t for t, deny, only_empty in IMP_NORMALS if not (deny & affirmed) and (not only_empty or not items)]
        imps.insert(0, rng.choice(opts))
        # beside a normal statement, list every chest finding (nothing left for the reader to infer)
        for it in items:
            if it.polarity == "aff" and it.region in ("heart", "lungs", "pleura", "mediastinum"):
                txt = it.impression(flip=it is flip_item)
                if txt not in imps:
                    imps.append(txt)
    if not imps and chest_aff:
        imps = [it.impression(flip=it is flip_item) for it in items if it.region in ("lungs", "pleura")]
    if not imps and allow_normal:
        imps = [rng.choice([t for t, deny, _ in IMP_NORMALS if not (deny & affirmed) and not _])]
    return imps


def recommendation_for(rng: random.Random, items: list[Item], style: str) -> str | None:
    keys = {it.key for it in items}
    if keys & {"consol_new", "consol_bilat", "consol_resolving"} and rng.random() < 0.5:
        return rng.choice(
            [
                "Suggest repeat chest radiograph in 6-8 weeks to confirm resolution.",
                "Follow-up chest X-ray after treatment is advised.",
                "Recommend follow-up radiograph in 6 weeks to document clearance.",
            ]
        )
    if rng.random() < 0.15:
        return (
            rng.choice(["Clinical correlation is advised.", "Kindly correlate clinically."])
            if style == "wa"
            else "Correlate clinically."
        )
    return None


PLACEHOLDERS = {
    "number": ["[***]", "XX", "<<value>>", "[ ]"],
    "size": ["XX mm", "<<size>> mm", "[***] mm", "___ mm"],
    "side": ["[side]", "<<side>>", "[LEFT/RIGHT]", "[***]"],
    "word": ["[***]", "[ ]", "***", "<<descriptor>>"],
    "location": ["[LOCATION]", "<<tip position>>", "[***]"],
    "clinical": ["[Clinical details]", "<<indication>>", "[***]"],
}


def insert_placeholder(rng: random.Random, findings: list, impression: list[str], clinical: str):
    """Replace one word (or short field) by a template placeholder.  Returns new findings, impression,
    clinical, and a description."""
    targets = []
    for i, f in enumerate(findings):
        targets.append(("F", i, f[1] if isinstance(f, tuple) else f))
    for i, s in enumerate(impression):
        targets.append(("I", i, s))
    rules = [
        (r"\b0\.\d\d\b", "number"),
        (r"\b\d+(?:\.\d+)? ?(?:mm|cm)\b", "size"),
        (r"\b(?:right|left)\b", "side"),
        (r"\bcavoatrial junction\b", "location"),
        (r"\blower SVC\b", "location"),
        (
            r"\b(?:small|moderate|mild|minor|dense|patchy|normal|clear|stable|satisfactory|enlarged|prominent|new)\b",
            "word",
        ),
    ]
    rng.shuffle(targets)
    for sec, i, text in targets:
        for pat, kind in rng.sample(rules, len(rules)):
            ms = [
                m for m in re.finditer(pat, text, flags=re.I) if "XXXX" not in text[max(0, m.start() - 5) : m.end() + 5]
            ]
            if not ms:
                continue
            m = rng.choice(ms)
            ph = rng.choice(PLACEHOLDERS[kind])
            new = text[: m.start()] + ph + text[m.end() :]
            desc = f"'{m.group(0)}' -> '{ph}' in {'FINDINGS' if sec == 'F' else 'IMPRESSION'}"
            if sec == "F":
                f = findings[i]
                findings = findings[:i] + [(f[0], new) if isinstance(f, tuple) else new] + findings[i + 1 :]
            else:
                impression = impression[:i] + [new] + impression[i + 1 :]
            return findings, impression, clinical, desc
    ph = rng.choice(PLACEHOLDERS["clinical"])
    return findings, impression, ph, f"clinical details replaced by '{ph}'"


MISSING_VARIANTS = [
    "findings_empty",
    "findings_empty",
    "impression_empty",
    "impression_signature",
    "impression_removed",
]
MISSING_DESC = {
    "findings_empty": "FINDINGS emptied (header kept, nothing under it)",
    "impression_empty": "IMPRESSION emptied (header kept, nothing under it, no sign-off)",
    "impression_signature": "IMPRESSION emptied (header kept with only the sign-off under it)",
    "impression_removed": "IMPRESSION section removed (report ends with findings and sign-off)",
}


def composed_case(rng: random.Random, kind: str | None, k: int) -> dict:
    style = rng.choice(["uk", "uk", "us", "wa", "wa"])
    need = None
    neg_mode = None
    if kind == "laterality_conflict":
        need = "sided"
    elif kind == "impression_omits_finding":
        omit_mode = "normal" if k % 2 == 0 else "list"
        need = "sig_alone" if omit_mode == "normal" else "sig"
    elif kind == "negation_conflict":
        neg_mode = rng.choice(["assert", "deny"])
        grp = rng.choice(list(IMP_DENY))
        need = ("free", grp) if neg_mode == "assert" else ("aff", grp)
    name, clin, items = make_scenario(rng, style, need=need)
    if name == "followup" or any(it.key in ("consol_new", "consol_resolving", "consol_resolved") for it in items):
        comparison = rng.choice(
            [f"{_date(rng, style)}.", f"Previous film {_date(rng, style)}.", f"Admission film of {_date(rng, style)}."]
        )
    else:
        comparison = rng.choice(
            [None, f"{_date(rng, style)}.", "None.", "None available.", f"Previous film {_date(rng, style)}."]
        )
    rec = recommendation_for(rng, items, style)
    detail = f"composed {STYLE_NAMES[style]}, {name}"
    missing = None
    findings = compose_findings(
        rng, items, force_deny=need[1] if isinstance(need, tuple) and need[0] == "free" else None
    )
    impression = compose_impression(rng, items)
    if kind is None:
        detail += ": clean"
    elif kind == "missing_section":
        missing = rng.choice(MISSING_VARIANTS)
        detail += ": " + MISSING_DESC[missing]
        rec = None
    elif kind == "laterality_conflict":
        cands = [it for it in items if it.sided]
        target = rng.choice(cands)
        target.itpl = rng.choice([t for t in BANK[target.key][6] if "{side}" in t.lower()])
        where = rng.choice(["F", "I"])
        findings = compose_findings(rng, items, flip_item=target if where == "F" else None)
        impression = compose_impression(rng, items, include=[target], flip_item=target if where == "I" else None)
        side = target.params["side"]
        detail += (
            f": '{side}' -> '{_other(side)}' in the {'FINDINGS' if where == 'F' else 'IMPRESSION'} sentence on the "
            f"{target.key.replace('_', ' ')}; the other section keeps {side}"
        )
    elif kind == "negation_conflict":
        grp = need[1]
        if neg_mode == "assert":
            impression = [s for s in compose_impression(rng, items, allow_normal=False)]
            side = rng.choice(["right", "left"])
            asrt = rng.choice(IMP_ASSERT[grp]).format(side=side, Side=side.capitalize())
            impression = [asrt] + impression if rng.random() < 0.6 else impression + [asrt]
            denied = [f[1] for f in findings if any(grp in n[2] and f[1] in n[1] for n in NORMALS)]
            detail += f": IMPRESSION asserts '{asrt}' while FINDINGS state '{denied[0]}'"
        else:
            target = next(it for it in items if it.group == grp and it.polarity == "aff")
            deny = rng.choice(IMP_DENY[grp])
            others = [s for s in compose_impression(rng, [it for it in items if it is not target], allow_normal=False)]
            impression = others + [deny] if rng.random() < 0.5 else [deny] + others
            detail += f": IMPRESSION states '{deny}' while FINDINGS affirm '{target.finding()}'"
    elif kind == "impression_omits_finding":
        target = next(it for it in items if it.sig and it.polarity == "aff")
        if omit_mode == "normal":
            impression = [rng.choice(GENERIC_NORMAL_IMP)]
            detail += f": IMPRESSION replaced by a normal statement; FINDINGS affirm '{target.finding()}'"
        else:
            rest = [it for it in items if it is not target]
            impression = [it.impression() for it in rest]
            detail += f": IMPRESSION lists the other findings only; leaves out '{target.finding()}'"
        rec = None
    text_parts = dict(findings=findings, impression=impression, clinical=clin)
    if kind == "placeholder":
        f2, i2, c2, desc = insert_placeholder(rng, findings, impression, clin)
        text_parts = dict(findings=f2, impression=i2, clinical=c2)
        detail += f": placeholder, {desc}"
    structured = style != "us" and rng.random() < 0.3
    text, _ = layout(
        rng,
        style,
        clinical=text_parts["clinical"],
        comparison=comparison,
        findings=text_parts["findings"],
        impression=text_parts["impression"],
        recommendation=rec,
        missing=missing,
        structured=structured,
    )
    return {"injected": kind, "detail": detail, "report": respell(text, style)}


# --------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=2)
def load_iu(path: str) -> tuple:
    out = []
    with tarfile.open(path, "r:gz") as tar:
        for m in tar:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(m).read())
            uid = root.find("uId").get("id")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            out.append(
                (uid, d.get("INDICATION", ""), d.get("COMPARISON", ""), d.get("FINDINGS", ""), d.get("IMPRESSION", ""))
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return tuple(out)


def dev_uids() -> set[str]:
    with open(dev_set()) as fh:
        return {json.loads(line)["uid"] for line in fh if line.strip()}


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return text


def split_sents(text: str) -> list[str]:
    text = tidy(text)
    if not text:
        return []
    text = re.sub(r"(?<=[^.\s])\s+(\d{1,2})\.\s+(?=[A-Z])", r". \1. ", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    out: list[str] = []
    carry = ""
    for p in parts:
        if re.fullmatch(r"\d+\.", p):
            carry = p
            continue
        p = (carry + " " + p).strip() if carry else p
        carry = ""
        p = re.sub(r"^\d+[.)]\s*", "", p).strip()
        if p:
            out.append(p if p[-1] in ".!?" else p + ".")
    return out


GROUP_RX = {
    "consol": r"consolidat\w*|airspace|air space|infiltrat\w*|pneumoni\w*|opacit\w*|opacification|densit(?:y|ies)",
    "effusion": r"effusions?|blunt\w*",
    "ptx": r"pneumothora\w*",
    "oedema": r"o?edema|congesti\w*|kerley",
    "nodule": r"nodul\w*|\bmass(?:es)?\b|lesion",
    "atel": r"atelecta\w*|scar\w*",
    "emph": r"emphysem\w*|hyperinfla\w*|hyperexpan\w*|copd|chronic obstructive",
    "fracture": r"fractur\w*",
    "hernia": r"hernia",
    "med": r"mediastin\w* (?:is )?widen\w*|widen\w* (?:of the )?mediastin\w*",
    "granuloma": r"granulom\w*",
    "degen": r"degenerat\w*|spondylo\w*|osteophyt\w*",
    "device": r"pacemaker|catheter|\btube\b|picc|\bline\b|port\b|sternotomy|clips?\b|hardware|prosthe\w*|stent",
    "other": r"tortuous|ectatic|ectasia|calcifi\w*|deformit\w*|scoliosis|kyphosis|elevat\w*|thicken\w*|"
    r"prominen\w*|aneurysm|enlarg\w*|hilar|lymphadeno\w*|cyst|cavit\w*|interstitial|fibros\w*|"
    r"abnormalit\w*",
}
SIG_GROUPS = {"consol", "effusion", "ptx", "oedema", "nodule", "med", "cardio"}
BENIGN = {"granuloma", "degen"}
NEG_PRE = re.compile(
    r"\b(no|not|without|negative for|free of|absence of|resolution of|resolved|clear of|"
    r"removal of|rather than|nor)\b",
    re.I,
)
SCOPE_END = re.compile(
    r"\b(but|however|although|though|which|otherwise|except|there is|there are|there has)\b|[;:]", re.I
)
NEG_POST = re.compile(
    r"^[^.;]{0,40}?\b(is|are|has|have|appears?|remains?)?\s*(normal|within normal limits|unremarkable|clear|"
    r"resolved|not (?:seen|identified|present|enlarged|appreciated)|negative|absent|cleared)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|might|possibl\w*|probabl\w*|question\w*|cannot be excluded|can not be excluded|could|"
    r"suggest\w*|versus|vs|likely|suspect\w*|concern\w*|differential|consider\w*|equivocal|"
    r"not excluded|borderline|vague|subtle|XXXX)\b|\?",
    re.I,
)
HEART = re.compile(r"\b(heart|cardiac|cardiomediastinal|cardio mediastinal|cardiomegaly)\b", re.I)
LUNGS_CLEAR = re.compile(r"\blungs? (?:are |is |appear |remain )?(?:clear|normal)\b|\bclear lungs\b", re.I)
NORMAL_IMP = re.compile(
    r"\b(no acute|negative|normal chest|no active|no evidence of acute|no radiographic evidence|"
    r"unremarkable|no significant|within normal limits|stable chest|no interval change)\b",
    re.I,
)
SIDE_RX = re.compile(r"\b(right|left)\b", re.I)


def _negated(sent: str, start: int, end: int) -> bool:
    before = sent[:start]
    cues = list(NEG_PRE.finditer(before))
    if cues:
        last = cues[-1]
        if not SCOPE_END.search(before[last.end() :]):
            return True
    return bool(NEG_POST.match(sent[end:]))


def analyse_sentence(sent: str) -> dict[str, str]:
    """group -> 'aff' | 'neg' | 'unc' for one sentence (strongest seen)."""
    out: dict[str, str] = {}

    def put(g, st):
        rank = {"neg": 0, "unc": 1, "aff": 2}
        if g not in out or rank[st] > rank[out[g]]:
            out[g] = st

    hedged = bool(HEDGE.search(sent))
    for g, rx in GROUP_RX.items():
        for m in re.finditer(rx, sent, flags=re.I):
            if _negated(sent, m.start(), m.end()):
                put(g, "neg")
            else:
                put(g, "unc" if hedged else "aff")
    if HEART.search(sent):
        if re.search(r"cardiomegaly|enlarg|large heart|increased in size", sent, re.I):
            m = re.search(r"cardiomegaly|enlarg|large heart|increased in size", sent, re.I)
            if _negated(sent, m.start(), m.end()):
                put("cardio", "neg")
            else:
                put("cardio", "unc" if hedged else "aff")
        elif re.search(r"normal|within normal limits|unremarkable|not enlarged", sent, re.I):
            put("cardio", "neg")
    if LUNGS_CLEAR.search(sent) and not re.search(r"otherwise", sent, re.I):
        for g in ("consol", "oedema", "atel", "nodule"):
            if g not in out:
                put(g, "neg")
    return out


def analyse(sents: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in sents:
        for g, st in analyse_sentence(s).items():
            out.setdefault(g, set()).add(st)
    return out


def sides(sents: list[str]) -> set[str]:
    return {m.group(1).lower() for s in sents for m in SIDE_RX.finditer(s)}


def is_normal_impression(isents: list[str]) -> bool:
    a = analyse(isents)
    return all(st <= {"neg"} for g, st in a.items()) and any(NORMAL_IMP.search(s) for s in isents)


def consistent(fs: list[str], is_: list[str]) -> bool:
    """Conservative: True only when the two sections plainly agree."""
    text = " ".join(fs + is_)
    if re.search(r"\[|\]|<<|\*\*\*|___|\{", text):
        return False
    if re.search(
        r"\b(see above|as above|see findings|see report|as described|discussed|dictated|addendum|notif\w*|"
        r"primordial|critical result|KUB|bowel|abdomen)\b",
        text,
        re.I,
    ):
        return False
    if not fs or not is_ or len(" ".join(fs)) < 40 or len(" ".join(fs)) > 900 or len(" ".join(is_)) > 500:
        return False
    fa, ia = analyse(fs), analyse(is_)
    for g in set(fa) & set(ia):
        f = {"aff" if s == "unc" else s for s in fa[g]}
        i = {"aff" if s == "unc" else s for s in ia[g]}
        if f != i or len(f) > 1:
            return False
    if is_normal_impression(is_):
        for g, st in fa.items():
            if g not in BENIGN and st & {"aff", "unc"}:
                return False
        return True
    if any(NORMAL_IMP.search(s) for s in is_) and any(
        g for g, st in ia.items() if st & {"aff", "unc"} and g not in BENIGN
    ):
        # mixed impressions ("no acute disease. stable cardiomegaly"): keep only if nothing significant left out
        pass
    for g in SIG_GROUPS:
        if fa.get(g, set()) & {"aff", "unc"} and not ia.get(g, set()) & {"aff", "unc"}:
            return False
    for g, st in fa.items():
        if (
            st & {"aff", "unc"}
            and g not in BENIGN
            and g not in ia
            and g not in ("device", "other", "emph", "degen", "fracture", "hernia", "atel")
        ):
            return False
    if not sides(is_) <= sides(fs):
        return False
    for s in fs + is_:
        if re.search(r"\bright\b", s, re.I) and re.search(r"\bleft\b", s, re.I) and s in is_:
            return False
    return True


def side_pairs(fs: list[str], is_: list[str]):
    """(findings index, impression index, side, group) where both sentences place the same finding on one side."""
    pairs = []
    lat_groups = ("consol", "effusion", "ptx", "atel", "nodule", "granuloma", "fracture")
    for fi, f in enumerate(fs):
        fsd = sides([f])
        if len(fsd) != 1 or re.search(r"bilateral|both|bibasilar", f, re.I):
            continue
        fa = analyse_sentence(f)
        for ii, s in enumerate(is_):
            isd = sides([s])
            if isd != fsd or re.search(r"bilateral|both|bibasilar", s, re.I):
                continue
            ia = analyse_sentence(s)
            shared = [g for g in lat_groups if fa.get(g) in ("aff", "unc") and ia.get(g) in ("aff", "unc")]
            if not shared:
                shared = [g for g in lat_groups if g in fa and g in ia and fa[g] == ia[g]]
            if shared:
                side = next(iter(fsd))
                opposite = [x for x in fs + is_ if _other(side) in sides([x]) and shared[0] in analyse_sentence(x)]
                if not opposite:
                    pairs.append((fi, ii, side, shared[0]))
    return pairs


def flip_sides(sent: str) -> str:
    return SIDE_RX.sub(lambda m: _case_like(m.group(1), _other(m.group(1).lower())), sent)


def _case_like(src: str, word: str) -> str:
    if src.isupper():
        return word.upper()
    return word.capitalize() if src[0].isupper() else word


def sig_affirmed(fs: list[str]) -> list[tuple[int, str]]:
    """Findings sentences that plainly affirm a significant finding (not hedged, not small)."""
    out = []
    for i, s in enumerate(fs):
        if HEDGE.search(s):
            continue
        a = analyse_sentence(s)
        for g in ("consol", "effusion", "ptx", "oedema", "nodule", "med"):
            if a.get(g) != "aff":
                continue
            if g == "effusion" and re.search(r"\b(small|tiny|trace|minimal|trivial|mild|blunt\w*)\b", s, re.I):
                continue
            if g == "consol" and not re.search(
                r"consolidat|pneumoni|airspace disease|infiltrat|airspace opacit|"
                r"(?:lobe|basilar|base|zone|lingula)\w* (?:airspace |focal )?opacit|"
                r"opacit\w* (?:in|within|at) the (?:right|left)",
                s,
                re.I,
            ):
                continue
            if g == "consol" and re.search(
                r"\b(atelecta|scar|chronic|old|calcifi|granulom|stable|unchanged|streak|linear|"
                r"minimal|mild|subtle|band|discoid|plate|nodul|small)\w*",
                s,
                re.I,
            ):
                continue
            if g == "nodule":
                sizes = [
                    float(x) * (10 if u.lower() == "cm" else 1)
                    for x, u in re.findall(r"(\d+(?:\.\d+)?) ?(mm|cm)\b", s, re.I)
                ]
                if not (re.search(r"\bmass\b", s, re.I) or (sizes and max(sizes) >= 6)):
                    continue
                if re.search(r"calcifi|granulom|stable|unchanged", s, re.I):
                    continue
            if g == "oedema" and re.search(r"\b(no|without)\b", s, re.I):
                continue
            nxt = fs[i + 1] if i + 1 < len(fs) else ""
            if re.search(r"chronic|scar|atelecta|may|could|possibl|artifact|XXXX", nxt, re.I):
                continue
            out.append((i, g))
            break
    return out


STRONG = {
    "consol": r"consolidat|pneumoni|infiltrat|airspace disease",
    "effusion": r"effusion",
    "ptx": r"pneumothora",
    "oedema": r"o?edema|congesti",
    "cardio": r"cardiomegaly|enlarg",
}


def deny_groups(fs: list[str], is_: list[str]) -> list[str]:
    """Groups plainly affirmed (strong wording, not hedged) in both sections, so that an impression denying
    them contradicts the findings."""
    fa, ia = analyse(fs), analyse(is_)
    out = []
    for g in IMP_DENY:
        if fa.get(g) != {"aff"} or ia.get(g) != {"aff"}:
            continue
        if any(analyse_sentence(s).get(g) == "aff" and re.search(STRONG[g], s, re.I) for s in fs):
            out.append(g)
    return out


def iu_pools(seed_uids_excluded: frozenset) -> dict:
    rows = load_iu(str(iu_archive()))
    pools = {
        "clean": [],
        "missing_section": [],
        "laterality_conflict": [],
        "negation_assert": [],
        "negation_deny": [],
        "omit_normal": [],
        "omit_list": [],
        "placeholder": [],
    }
    for uid, ind, comp, fnd, imp in rows:
        if uid in seed_uids_excluded:
            continue
        fs, is_ = split_sents(fnd), split_sents(imp)
        if not consistent(fs, is_):
            continue
        rec = (uid, tidy(ind), tidy(comp), fs, is_)
        pools["clean"].append(rec)
        pools["missing_section"].append(rec)
        pools["placeholder"].append(rec)
        if side_pairs(fs, is_):
            pools["laterality_conflict"].append(rec)
        fa, ia = analyse(fs), analyse(is_)
        if any(fa.get(g) == {"neg"} and g not in ia for g in IMP_ASSERT):
            pools["negation_assert"].append(rec)
        if deny_groups(fs, is_) and not HEDGE.search(" ".join(is_)):
            pools["negation_deny"].append(rec)
        sa = sig_affirmed(fs)
        if sa and not is_normal_impression(is_) and len(fs) <= 8 and len(is_) <= 4:
            g = sa[0][1]
            i_g = [x for x in is_ if analyse_sentence(x).get(g) in ("aff", "unc")]
            if (
                i_g
                and not any(re.search(r"chronic|scar|atelecta|stable|unchanged|artifact", x, re.I) for x in i_g)
                and len([x for x in sa if x[1] != g]) == 0
            ):
                keep = drop_sentences(is_, lambda s, g=g: g in analyse_sentence(s) or bool(NORMAL_IMP.search(s)))
                pools["omit_normal"].append(rec)
                if keep:
                    pools["omit_list"].append(rec)
    return pools


def drop_sentences(sents: list[str], drop) -> list[str]:
    """Drop the sentences for which drop(s) is true, and the sentences right after them that only refer back
    to them ("This may represent ...")."""
    out, dropping = [], False
    for s in sents:
        if drop(s) or dropping and re.match(r"(This|These|It|Which|They|Findings? (?:is|are|may|could))\b", s):
            dropping = True
            continue
        dropping = False
        out.append(s)
    return out


def iu_case(rng: random.Random, rec, kind: str | None, k: int, mode: str | None = None) -> dict:
    uid, ind, comp, fs, is_ = rec
    style = rng.choice(["uk", "us", "wa"])
    changes = []
    missing = None
    fs, is_ = list(fs), list(is_)
    if kind == "missing_section":
        missing = rng.choice(MISSING_VARIANTS)
        changes.append(MISSING_DESC[missing])
    elif kind == "laterality_conflict":
        fi, ii, side, g = rng.choice(side_pairs(fs, is_))
        if rng.random() < 0.5:
            old = fs[fi]
            fs[fi] = flip_sides(old)
            changes.append(
                f"'{side}' flipped to '{_other(side)}' in FINDINGS sentence '{old}'; IMPRESSION keeps {side}"
            )
        else:
            old = is_[ii]
            is_[ii] = flip_sides(old)
            changes.append(f"'{side}' flipped to '{_other(side)}' in IMPRESSION sentence '{old}'; FINDINGS keep {side}")
    elif kind == "negation_conflict" and mode == "assert":
        fa, ia = analyse(fs), analyse(is_)
        g = rng.choice([g for g in IMP_ASSERT if fa.get(g) == {"neg"} and g not in ia])
        side = rng.choice(["right", "left"])
        asrt = rng.choice(IMP_ASSERT_IU[g]).format(side=side, Side=side.capitalize())
        if is_normal_impression(is_):
            is_ = [asrt]
            changes.append(f"IMPRESSION replaced by '{asrt}', which FINDINGS negate")
        else:
            is_ = is_ + [asrt]
            changes.append(f"'{asrt}' added to IMPRESSION, which FINDINGS negate")
    elif kind == "negation_conflict":
        g = rng.choice(deny_groups(fs, is_))
        idx = [i for i, s in enumerate(is_) if analyse_sentence(s).get(g) == "aff"]
        deny = rng.choice(IMP_DENY[g])
        old = [is_[i] for i in idx]
        is_ = drop_sentences(is_, lambda s: s in old)
        is_.insert(min(min(idx), len(is_)), deny)
        changes.append(f"IMPRESSION sentence {old!r} replaced by '{deny}' though FINDINGS affirm it")
    elif kind == "impression_omits_finding":
        fi, g = sig_affirmed(fs)[0]
        if mode == "normal":
            is_ = [rng.choice(GENERIC_NORMAL_IMP)]
            changes.append(f"IMPRESSION replaced by a normal statement; FINDINGS affirm '{fs[fi]}'")
        else:
            is_ = drop_sentences(is_, lambda s: g in analyse_sentence(s) or bool(NORMAL_IMP.search(s)))
            changes.append(f"IMPRESSION kept only its other findings, leaving out '{fs[fi]}'")
    clinical = ind or "Not given."
    if kind == "placeholder":
        fs, is_, clinical, desc = insert_placeholder(rng, fs, is_, clinical)
        changes.append(f"placeholder: {desc}")
    reworded = sorted({REWORD_NAME.get(b, b) for a, b in IU_REWORD for s in fs + is_ if re.search(a, s)})
    fs = [tidy(_apply(IU_REWORD, s)) for s in fs]
    is_ = [tidy(_apply(IU_REWORD, s)) for s in is_]
    fs = [s[0].upper() + s[1:] for s in fs]
    is_ = [s[0].upper() + s[1:] for s in is_]
    text, hdr = layout(
        rng,
        style,
        clinical=clinical,
        comparison=comp or None,
        findings=fs,
        impression=is_,
        missing=missing,
        technique=False,
    )
    text = respell(text, style)
    desc = (
        f"{uid.replace('CXR', 'IU CXR')}: re-laid out as {STYLE_NAMES[style]} ({hdr['findings']} / {hdr['impression']})"
    )
    desc += ", British spelling" if style != "us" else ""
    if reworded:
        desc += ", re-worded: " + ", ".join(w if w.startswith("'") else f"-> '{w}'" for w in reworded)
    desc += "; " + ("; ".join(changes) if changes else "clean")
    return {"injected": kind, "detail": desc, "report": text}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h143-{seed}")
    pools = iu_pools(frozenset(dev_uids()))
    used: set[str] = set()

    def take(pool_name: str, n: int) -> list:
        cands = [r for r in pools[pool_name] if r[0] not in used]
        picked = rng.sample(cands, n)
        used.update(r[0] for r in picked)
        return picked

    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    # IU first for the scarcer pools so that the plentiful ones draw from what is left
    iu_jobs: list[tuple] = []
    for rec in take("laterality_conflict", N_PER_KIND // 2):
        iu_jobs.append((rec, "laterality_conflict", None))
    for rec in take("omit_list", N_PER_KIND // 4):
        iu_jobs.append((rec, "impression_omits_finding", "list"))
    for rec in take("omit_normal", N_PER_KIND // 2 - N_PER_KIND // 4):
        iu_jobs.append((rec, "impression_omits_finding", "normal"))
    for rec in take("negation_deny", N_PER_KIND // 4):
        iu_jobs.append((rec, "negation_conflict", "deny"))
    for rec in take("negation_assert", N_PER_KIND // 2 - N_PER_KIND // 4):
        iu_jobs.append((rec, "negation_conflict", "assert"))
    for rec in take("missing_section", N_PER_KIND // 2):
        iu_jobs.append((rec, "missing_section", None))
    for rec in take("placeholder", N_PER_KIND // 2):
        iu_jobs.append((rec, "placeholder", None))
    for rec in take("clean", N_CLEAN // 2):
        iu_jobs.append((rec, None, None))
    for i, (rec, kind, mode) in enumerate(iu_jobs):
        rows.append(iu_case(rng, rec, kind, i, mode))
    for kind, n in plan:
        for j in range(n // 2):
            rows.append(composed_case(rng, kind, j))
    rng.shuffle(rows)
    return [
        {"id": f"h143-{seed}-{k}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]}
        for k, r in enumerate(rows)
    ]


def main(argv=None) -> int:
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
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']} [{kind or 'clean'}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
