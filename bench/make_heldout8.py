"""Held-out report-error set 8: 400 chest X-ray reports, 200 unmodified and 40 per injected kind.

About 60% are composed here from a phrase bank (structured RSNA-style, Canadian, Indian, ED preliminary,
ICU serial, speech-recognition dictation, terse and long numbered impressions); about 40% are real IU
reports (dev-set uids left out), re-laid out and re-worded by this module's own rules. Written blind to
the checker: nothing here is derived from it.

    python -m bench.make_heldout8 OUT.jsonl --seed 901 [--show 3]
"""

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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_PER_KIND = 40
IU_CLEAN = 80  # 40% of the set comes from real IU reports, the same share in every kind
IU_PER_KIND = 16
DEFAULT_SEED = 901


def shared_dir() -> Path:
    """../shared next to the checkout, or MEDRAG_SHARED_DIR."""
    return Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


# --------------------------------------------------------------------------------------------------
# Synthetic reports: a case is a list of findings, each with its FINDINGS sentence and IMPRESSION line.
# --------------------------------------------------------------------------------------------------

SIGNIFICANT = {"effusion", "pneumothorax", "consolidation", "collapse", "oedema", "cardiomegaly", "nodule", "mass"}


@dataclass
class Finding:
    key: str
    organ: str  # lungs, pleura, heart, bones, lines
    side: str | None  # left, right, bilateral or None
    text: str  # the FINDINGS sentence
    imp: str | None  # the IMPRESSION line (None: minor, not summarised)
    omittable: bool = False  # a significant acute finding whose omission from the impression is an error
    flippable: bool = False  # its sentences name one side of a paired organ

    def __post_init__(self) -> None:
        self.text = _tidy(self.text)
        self.imp = _tidy(self.imp) if self.imp else self.imp


@dataclass
class Style:
    name: str
    uk: bool = False
    numbered: bool = False
    subheads: bool = False
    dictation: bool = False


STYLES = (
    Style("rsna", subheads=True, numbered=True),
    Style("canadian", uk=True),
    Style("indian", uk=True),
    Style("ed_prelim"),
    Style("icu", numbered=True),
    Style("dictation", dictation=True),
    Style("terse"),
    Style("numbered", numbered=True),
)

LOBES = {
    "right": ["right upper lobe", "right lower lobe", "right middle lobe", "right lower lobe"],
    "left": ["left upper lobe", "left lower lobe", "lingula", "left lower lobe"],
}
SEGMENTS = {
    "right upper lobe": ["apical", "posterior", "anterior"],
    "right lower lobe": ["superior", "posterior basal", "lateral basal"],
    "left upper lobe": ["apicoposterior", "anterior"],
    "left lower lobe": ["superior", "posterior basal", "lateral basal"],
}
ZONES = ["upper zone", "mid zone", "lower zone"]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tidy(text: str) -> str:
    """Capitalised, with "an" before the numbers that are read with a vowel sound."""
    text = re.sub(r"\b([Aa]) (8|11|18)\b", lambda m: f"{m.group(1)}n {m.group(2)}", text)
    return _cap(text.replace("  ", " "))


def _q(text: str) -> str:
    """A quoted sentence for ``detail``, always in single quotes."""
    return f"'{text}'"


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def _side(rng: random.Random, bilateral_share: float = 0.0) -> str:
    if rng.random() < bilateral_share:
        return "bilateral"
    return _pick(rng, ("left", "right"))


def make_effusion(rng: random.Random, temporal: str) -> Finding:
    side = _side(rng, 0.2)
    size = _pick(rng, ("small", "moderate", "moderate", "large"))
    kind = _pick(rng, ("free", "free", "loculated", "subpulmonic"))
    if side == "bilateral":
        text = _pick(rng, (
            f"{_cap(size)} bilateral pleural effusions with blunting of both costophrenic angles.",
            f"There are {size} bilateral pleural effusions, {temporal or 'right greater than left'}.",
            f"Bilateral {size} effusions layering posteriorly.",
        ))
        imp = _pick(rng, (f"{_cap(size)} bilateral pleural effusions.", f"Bilateral pleural effusions ({size})."))
        return Finding("effusion", "pleura", side, text, imp, omittable=size != "small")
    tword = f"{temporal} " if temporal else ""
    if kind == "loculated":
        text = _pick(rng, (
            f"There is a {tword}loculated {side} pleural collection along the lateral chest wall.",
            f"{_cap(tword)}{size} loculated {side} pleural effusion with a lentiform contour.",
        ))
        imp = _pick(rng, (f"Loculated {side} pleural effusion; empyema should be considered clinically.",
                          f"{_cap(tword)}loculated {side} pleural fluid collection."))
    elif kind == "subpulmonic":
        text = _pick(rng, (
            f"Apparent elevation of the {side} hemidiaphragm with lateral peaking in keeping with a "
            f"{tword}subpulmonic {side} effusion.",
            f"{_cap(tword)}{size} {side} subpulmonic pleural effusion.",
        ))
        imp = f"{_cap(size)} {side} subpulmonic pleural effusion."
    else:
        text = _pick(rng, (
            f"{_cap(tword)}{size} {side} pleural effusion.",
            f"There is a {tword}{size} {side}-sided pleural effusion with a meniscus.",
            f"Blunting of the {side} costophrenic angle in keeping with a {tword}{size} effusion.",
            f"{_cap(tword)}{size} {side} pleural effusion with adjacent compressive atelectasis.",
            f"The {side} hemithorax shows a {tword}{size} pleural effusion.",
        ))
        imp = _pick(rng, (f"{_cap(tword)}{size} {side} pleural effusion.", f"{_cap(size)} {side} effusion.",
                          f"{_cap(tword)}{size} {side}-sided pleural effusion."))
    return Finding("effusion", "pleura", side, text, imp, omittable=size != "small" or bool(temporal),
                   flippable=True)


def make_pneumothorax(rng: random.Random, temporal: str) -> Finding:
    side = _side(rng)
    site = _pick(rng, ("apical", "apical", "basal", "lateral"))
    cm = _pick(rng, ("0.8", "1.2", "1.5", "2", "2.5", "3", "4"))
    tword = f"{temporal} " if temporal else ""
    variant = rng.randrange(5)
    if variant == 0:
        text = (f"{_cap(tword)}{side} {site} pneumothorax measuring {cm} cm from the {site} pleural line "
                "to the chest wall.")
        imp = f"{_cap(tword)}{side} {site} pneumothorax, {cm} cm."
    elif variant == 1:
        text = (f"Large {tword}{side} pneumothorax with mediastinal shift to the "
                f"{'right' if side == 'left' else 'left'} and flattening of the {side} hemidiaphragm, "
                "in keeping with tension.")
        imp = f"{_cap(tword)}{side} tension pneumothorax. Urgent decompression advised."
    elif variant == 2:
        text = f"{_cap(tword)}{side} hydropneumothorax with an air-fluid level at the {side} base."
        imp = f"{_cap(side)} hydropneumothorax."
    elif variant == 3:
        text = f"A visceral pleural edge is seen at the {side} apex: {tword}small {side} apical pneumothorax."
        imp = f"{_cap(tword)}small {side} apical pneumothorax."
    else:
        text = f"Deep sulcus sign on the {side} consistent with a {tword}{side} basal pneumothorax on this supine film."
        imp = f"{_cap(side)} basal pneumothorax."
    return Finding("pneumothorax", "pleura", side, text, imp, omittable=True, flippable=True)


def make_consolidation(rng: random.Random, temporal: str) -> Finding:
    side = _side(rng, 0.1)
    tword = f"{temporal} " if temporal else ""
    if side == "bilateral":
        text = f"{_cap(tword)}patchy bilateral lower zone airspace opacities with air bronchograms."
        imp = _pick(rng, ("Bilateral lower lobe pneumonia.", "Bilateral basal consolidation, likely infective."))
        return Finding("consolidation", "lungs", side, text, imp, omittable=True)
    lobe = _pick(rng, LOBES[side])
    seg = SEGMENTS.get(lobe)
    segment = f"the {_pick(rng, seg)} segment of the " if seg and rng.random() < 0.3 else "the "
    text = _pick(rng, (
        f"{_cap(tword)}consolidation in {segment}{lobe} with air bronchograms.",
        f"There is {tword}airspace opacity in {segment}{lobe}.",
        f"{_cap(tword)}dense airspace consolidation of {segment}{lobe}, silhouetting the adjacent border.",
        f"Patchy {tword}airspace shadowing in the {side} {_pick(rng, ZONES)} corresponding to {segment}{lobe}.",
        f"{_cap(tword)}focal airspace disease within {segment}{lobe}.",
    ))
    short = {"right upper lobe": "RUL", "right lower lobe": "RLL", "left upper lobe": "LUL",
             "left lower lobe": "LLL", "right middle lobe": "RML", "lingula": "lingular"}[lobe]
    imp = _pick(rng, (
        f"{_cap(lobe)} pneumonia.",
        f"{_cap(tword)}{lobe} consolidation, likely pneumonia in the appropriate clinical setting.",
        f"{short} consolidation compatible with pneumonia.",
        f"Airspace disease in the {lobe}, consistent with infection.",
    ))
    imp = re.sub(r"\b([Ll])ingula (pneumonia|consolidation)", r"\1ingular \2", imp)
    flip = lobe not in ("right middle lobe", "lingula")
    return Finding("consolidation", "lungs", side, text, imp, omittable=True, flippable=flip)


def make_collapse(rng: random.Random, temporal: str) -> Finding:
    side = _side(rng)
    tword = f"{temporal} " if temporal else ""
    if side == "left":
        text = _pick(rng, (
            f"{_cap(tword)}retrocardiac opacity with loss of the medial left hemidiaphragm outline in keeping with "
            "left lower lobe collapse.",
            f"{_cap(tword)}left lower lobe collapse, with a triangular density behind the heart.",
        ))
        imp = _pick(rng, ("Left lower lobe collapse.", f"{_cap(tword)}collapse of the left lower lobe."))
    else:
        text = _pick(rng, (
            f"{_cap(tword)}right upper lobe collapse with elevation of the horizontal fissure.",
            f"{_cap(tword)}volume loss and opacification of the right lower lobe consistent with collapse.",
        ))
        lobe = "right upper lobe" if "upper" in text else "right lower lobe"
        imp = f"{_cap(tword)}{lobe} collapse."
    return Finding("collapse", "lungs", side, text, imp, omittable=True, flippable=True)


def make_oedema(rng: random.Random, temporal: str) -> Finding:
    tword = f"{temporal} " if temporal else ""
    variant = rng.randrange(4)
    if variant == 0:
        text = f"{_cap(tword)}interstitial oedema with Kerley B lines and peribronchial cuffing."
        imp = "Interstitial pulmonary oedema."
    elif variant == 1:
        text = (f"{_cap(tword)}bilateral perihilar alveolar opacities in a batwing distribution, "
                "in keeping with alveolar oedema.")
        imp = _pick(rng, ("Alveolar pulmonary oedema.", "Pulmonary oedema, likely cardiogenic."))
    elif variant == 2:
        text = (f"Upper lobe venous diversion with {tword}septal lines at both bases, "
                "consistent with pulmonary venous congestion.")
        imp = "Pulmonary venous congestion / early interstitial oedema."
    else:
        text = (f"{_cap(tword)}vascular redistribution and hazy bilateral airspace opacity "
                "consistent with pulmonary oedema.")
        imp = _pick(rng, ("Pulmonary oedema, in keeping with congestive cardiac failure.", "Fluid overload."))
    return Finding("oedema", "lungs", "bilateral", text, imp, omittable=True)


def make_cardiomegaly(rng: random.Random, temporal: str) -> Finding:
    ctr = _pick(rng, ("0.58", "0.60", "0.62", "0.65", "0.68"))
    degree = _pick(rng, ("moderate", "marked", "moderate"))
    tword = f"{temporal} " if temporal in ("new", "increasing") else ""
    text = _pick(rng, (
        f"The heart is {degree}ly enlarged with a cardiothoracic ratio of {ctr}.",
        f"{_cap(degree)} {tword}cardiomegaly (CTR {ctr}).",
        f"The cardiac silhouette is {tword.replace('increasing ', 'increasingly ')}enlarged, CTR approximately {ctr}.",
        f"Cardiothoracic ratio measures {ctr}, indicating cardiomegaly.",
    ))
    imp = _pick(rng, ("Cardiomegaly.", f"{_cap(degree)} cardiomegaly.", "Enlarged cardiac silhouette."))
    return Finding("cardiomegaly", "heart", None, text, imp, omittable=True)


def make_nodule(rng: random.Random, temporal: str) -> Finding:
    side = _side(rng)
    mm = rng.choice((7, 8, 9, 11, 12, 14, 18, 22))
    zone = _pick(rng, ZONES)
    tword = f"{temporal} " if temporal in ("new", "enlarging") else ""
    text = _pick(rng, (
        f"A {tword}{mm} mm rounded nodule projects over the {side} {zone}.",
        f"{_cap(tword)}{mm} mm well-defined nodular opacity in the {side} {zone}, without calcification.",
        f"There is a {tword}{mm} mm pulmonary nodule in the {side} {zone}.",
    ))
    imp = _pick(rng, (f"{mm} mm {side} {zone} nodule. CT chest recommended for further assessment.",
                      f"{_cap(side)} {zone} pulmonary nodule ({mm} mm); recommend CT."))
    return Finding("nodule", "lungs", side, text, imp, omittable=True, flippable=True)


def make_mass(rng: random.Random, temporal: str) -> Finding:
    side = _side(rng)
    cm = _pick(rng, ("3.2", "4.5", "5", "6.1"))
    where = _pick(rng, (f"{side} upper lobe", f"{side} lower lobe", f"{side} upper zone"))
    text = _pick(rng, (
        f"A {cm} cm spiculated mass is present in the {where}.",
        f"{cm} cm lobulated mass in the {where} with ipsilateral hilar fullness.",
    ))
    imp = _pick(rng, (f"{cm} cm {where} mass, suspicious for malignancy. CT chest with contrast advised.",
                      f"{_cap(where)} mass; bronchogenic carcinoma must be excluded."))
    return Finding("mass", "lungs", side, text, imp, omittable=True, flippable=True)


def make_minor(rng: random.Random) -> Finding:
    side = _side(rng)
    options: list[tuple[str, str, str | None, str, str | None]] = [
        ("atelectasis", "lungs", side, f"Minor plate-like atelectasis at the {side} base.", None),
        ("atelectasis", "lungs", "bilateral", "Discoid atelectasis at both lung bases.", None),
        ("atelectasis", "lungs", "bilateral", "Mild bibasilar subsegmental atelectasis.", None),
        ("emphysema", "lungs", None, "Hyperinflated lungs with flattened hemidiaphragms, in keeping with emphysema.",
         "Emphysema."),
        ("scarring", "lungs", side, f"Stable {side} apical pleuroparenchymal scarring.", None),
        ("granuloma", "lungs", side, f"Calcified granuloma in the {side} mid zone, unchanged.", None),
        ("postsurgical", "heart", None, "Median sternotomy wires and CABG clips are noted.", None),
        ("postsurgical", "lungs", side,
         f"Post {side} upper lobectomy with volume loss and surgical clips in the {side} hilum.",
         f"Post-surgical changes of {side} upper lobectomy."),
        ("bones", "bones", None, "Degenerative changes of the thoracic spine.", None),
        ("bones", "bones", side, f"Old healed fractures of the {side} posterolateral 6th and 7th ribs.", None),
        ("hernia", "heart", None, "Small hiatus hernia behind the heart.", None),
        ("aorta", "heart", None, "Unfolded, mildly calcified thoracic aorta.", None),
        ("cardiomegaly", "heart", None, "Globular enlargement of the cardiac silhouette ? pericardial effusion.",
         "Globular cardiac silhouette, pericardial effusion not excluded; echocardiography suggested."),
        ("mediastinum", "heart", "bilateral", "Bilateral hilar enlargement with lobulated contours, likely adenopathy.",
         "Bilateral hilar lymphadenopathy; sarcoidosis or lymphoma are the main considerations."),
        ("mediastinum", "heart", None, "The superior mediastinum is widened, measuring 9 cm at the aortic knuckle.",
         "Widened superior mediastinum; CT aortogram advised if clinically indicated."),
        ("ribfx", "bones", side, f"Acute minimally displaced fractures of the {side} 5th to 7th ribs laterally.",
         f"Acute {side} 5th-7th rib fractures."),
    ]
    key, organ, fside, text, imp = options[rng.randrange(len(options))]
    flippable = key in ("scarring", "granuloma", "postsurgical", "ribfx") and fside in ("left", "right")
    flippable = flippable and imp is not None
    return Finding(key, organ, fside, text, imp, flippable=flippable)


def make_line(rng: random.Random) -> Finding:
    side = _side(rng)
    text = _pick(rng, (
        f"Endotracheal tube tip {_pick(rng, ('3', '4', '5'))} cm above the carina.",
        "Nasogastric tube courses below the diaphragm with its tip in the stomach.",
        f"{_cap(side)} internal jugular central venous catheter with its tip in the SVC.",
        f"{_cap(side)} PICC line tip at the cavoatrial junction.",
        f"{_cap(side)}-sided chest drain in situ, tip at the apex.",
        f"{_cap(side)} chest wall dual-chamber pacemaker with leads in the right atrium and right ventricle.",
    ))
    return Finding("line", "lines", side, text, None)


SIGNIFICANT_MAKERS: dict[str, Callable[[random.Random, str], Finding]] = {
    "effusion": make_effusion,
    "pneumothorax": make_pneumothorax,
    "consolidation": make_consolidation,
    "collapse": make_collapse,
    "oedema": make_oedema,
    "cardiomegaly": make_cardiomegaly,
    "nodule": make_nodule,
    "mass": make_mass,
}

# Normal statements in FINDINGS: text and the finding keys it denies. Many negation forms.
NORMAL_LUNGS: list[tuple[str, set[str]]] = [
    ("The lungs are clear.", {"consolidation", "collapse", "oedema", "nodule", "mass", "atelectasis"}),
    ("Lungs clear bilaterally.", {"consolidation", "collapse", "oedema", "nodule", "mass", "atelectasis"}),
    ("Both lung fields are clear.", {"consolidation", "collapse", "oedema", "nodule", "mass", "atelectasis"}),
    ("No focal consolidation.", {"consolidation"}),
    ("No airspace disease is identified.", {"consolidation"}),
    ("Negative for focal airspace opacity.", {"consolidation"}),
    ("Without convincing consolidation.", {"consolidation"}),
    ("Pulmonary oedema is not appreciated.", {"oedema"}),
    ("No evidence of interstitial or alveolar oedema.", {"oedema"}),
    ("Pulmonary vasculature is within normal limits.", {"oedema"}),
    ("No suspicious pulmonary nodule or mass.", {"nodule", "mass"}),
    ("Lungs are free of focal consolidation.", {"consolidation"}),
    ("Lobar collapse is excluded.", {"collapse"}),
]
NORMAL_PLEURA: list[tuple[str, set[str]]] = [
    ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}),
    ("No pleural effusion.", {"effusion"}),
    ("No pneumothorax.", {"pneumothorax"}),
    ("Pleural spaces are clear.", {"effusion", "pneumothorax"}),
    ("Pleural effusion is absent.", {"effusion"}),
    ("Pneumothorax is not identified.", {"pneumothorax"}),
    ("Costophrenic angles are sharp.", {"effusion"}),
    ("Both CP angles are clear.", {"effusion"}),
    ("Negative for pneumothorax.", {"pneumothorax"}),
]
NORMAL_HEART: list[tuple[str, set[str]]] = [
    ("Heart size is normal.", {"cardiomegaly"}),
    ("The cardiomediastinal silhouette is within normal limits.", {"cardiomegaly", "mediastinum"}),
    ("Cardiac size is within normal limits; CTR 0.45.", {"cardiomegaly"}),
    ("Normal heart size and mediastinal contours.", {"cardiomegaly", "mediastinum"}),
    ("The heart is not enlarged.", {"cardiomegaly"}),
    ("Cardiomegaly is not present.", {"cardiomegaly"}),
]
NORMAL_BONES = ["No acute osseous abnormality.", "Bony thorax is unremarkable.", "Visualised bones are intact.",
                "No displaced rib fracture."]

NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary abnormality.",
    "No acute cardiopulmonary process.",
    "Normal chest radiograph.",
    "No acute intrathoracic findings.",
    "No active disease in the chest.",
    "Unremarkable chest X-ray.",
    "NAD.",
    "Normal study.",
    "No acute findings.",
    "Clear chest.",
]

NO_ACUTE_IMPRESSIONS = [i for i in NORMAL_IMPRESSIONS if "acute" in i or "active" in i]

# Resolution statements (FINDINGS) for the ICU style, with the key they deny and the consistent impression.
RESOLVED = [
    ("The previously seen {side} pneumothorax has resolved.", "pneumothorax", "Resolution of the {side} pneumothorax."),
    ("The {side} pleural effusion has cleared.", "effusion", "Interval resolution of the {side} effusion."),
    ("{Side} lower lobe consolidation is no longer seen.", "consolidation",
     "Resolved {side} lower lobe consolidation."),
]
PERSISTS = {
    "pneumothorax": "Persistent small {side} pneumothorax.",
    "effusion": "Persistent {side} pleural effusion.",
    "consolidation": "Ongoing {side} lower lobe consolidation.",
}

NEGATED_IMPRESSION = {
    "effusion": ["No pleural effusion.", "Pleural spaces clear."],
    "pneumothorax": ["No pneumothorax.", "Pneumothorax excluded."],
    "consolidation": ["Lungs are clear.", "No consolidation."],
    "collapse": ["Lungs clear, no collapse.", "No lobar collapse."],
    "oedema": ["No pulmonary oedema.", "No evidence of failure."],
    "cardiomegaly": ["Heart size normal.", "Normal cardiac size."],
    "nodule": ["No pulmonary nodule.", "No focal lung lesion."],
    "mass": ["No mass lesion.", "No focal lung lesion."],
}

INDICATIONS = ["Shortness of breath.", "Cough and fever for 3 days.", "Chest pain.", "Post-op day 1, desaturation.",
               "Fall, left chest wall pain.", "Known CCF, increasing dyspnoea.", "Pre-operative assessment.",
               "Hypoxia.", "Line placement check.", "Haemoptysis, smoker.", "Follow-up pneumonia.", ""]
COMPARISONS = ["None.", "Radiograph from yesterday.", "Prior study 03/2024.", "No prior imaging available.",
               "CXR 6 hours earlier.", "Compared with the film of the previous day at 06:10.", ""]
RECOMMEND = {
    "consolidation": "Follow-up radiograph in 6-8 weeks after treatment to confirm resolution.",
    "nodule": "Recommend non-contrast CT chest.",
    "pneumothorax": "Findings telephoned to the treating team at the time of reporting.",
    "mass": "Urgent referral to the lung cancer pathway suggested.",
}


@dataclass
class SynCase:
    style: Style
    findings: list[Finding]
    normals: list[tuple[str, str, set[str]]]  # (organ, sentence, denied keys)
    impression: list[str]
    indication: str
    comparison: str
    exam: str
    extra_imp: list[str] = field(default_factory=list)


def compose_synthetic(rng: random.Random) -> SynCase:
    style = STYLES[rng.randrange(len(STYLES))]
    findings: list[Finding] = []
    icu = style.name == "icu"
    temporal_words = ["new", "increasing", ""] if icu else ["", "", "", "new"]
    n_sig = rng.choice((0, 0, 1, 1, 1, 2, 2, 3))
    keys = list(SIGNIFICANT_MAKERS)
    used: set[str] = set()
    for _ in range(n_sig):
        key = _pick(rng, keys)
        if key in used or (key == "mass" and "nodule" in used) or (key == "nodule" and "mass" in used):
            continue
        used.add(key)
        findings.append(SIGNIFICANT_MAKERS[key](rng, _pick(rng, temporal_words)))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        minor = make_minor(rng)
        if minor.key not in used and not (minor.key == "atelectasis" and "collapse" in used):
            used.add(minor.key)
            findings.append(minor)
    if icu or rng.random() < 0.12:
        for _ in range(rng.choice((1, 2, 3))):
            line = make_line(rng)
            if line.text not in {f.text for f in findings}:
                findings.append(line)
    present = {f.key for f in findings}
    if any("hydropneumothorax" in f.text for f in findings):
        present.add("effusion")  # the fluid of a hydropneumothorax: no normal statement may deny it
    if any("atelectasis" in f.text for f in findings):
        present.add("atelectasis")  # compressive atelectasis: "the lungs are clear" would contradict it
    if any("tension" in f.text for f in findings):
        present.add("mediastinum")  # shifted: "normal mediastinal contours" would contradict it
    normals: list[tuple[str, str, set[str]]] = []
    lung_findings = any(f.organ == "lungs" for f in findings)
    for organ, bank in (("lungs", NORMAL_LUNGS), ("pleura", NORMAL_PLEURA), ("heart", NORMAL_HEART)):
        choices = [(t, d) for t, d in bank if not d & present]
        if organ == "lungs" and lung_findings:
            choices = [(t, d) for t, d in choices if len(d) == 1]
        rng.shuffle(choices)
        taken: set[str] = set()
        for text, denied in choices[: rng.choice((1, 1, 2))]:
            if denied & taken:
                continue
            taken |= denied
            normals.append((organ, text, denied))
    if icu and rng.random() < 0.35:
        template, key, imp = _pick_tuple(rng, RESOLVED)
        side = _side(rng)
        if key not in present and not any(key in d for _, _, d in normals):
            organ = "lungs" if key == "consolidation" else "pleura"
            normals.append((organ, template.format(side=side, Side=_cap(side)), {key, f"resolved:{side}"}))
    if rng.random() < 0.6 and not any(f.organ == "bones" for f in findings):
        normals.append(("bones", _pick(rng, NORMAL_BONES), set()))
    always = ("cardiomegaly", "mediastinum", "ribfx")  # significant even when not an omission source
    impression = [f.imp for f in findings
                  if f.imp and (f.omittable or f.flippable or f.key in always or rng.random() < 0.5)]
    for _organ, _sentence, denied in normals:
        resolved = [d for d in denied if d.startswith("resolved:")]
        if resolved:
            side = resolved[0].split(":")[1]
            key = next(iter(denied - {resolved[0]}))
            imp = next(i for _, k, i in RESOLVED if k == key)
            impression.append(imp.format(side=side))
    if not impression:
        # Normal wording only for a normal film; minor findings get "no acute ..." wording.
        impression = [_pick(rng, NORMAL_IMPRESSIONS if not findings else NO_ACUTE_IMPRESSIONS)]
    extra: list[str] = []
    if any(f.key == "line" for f in findings):
        extra.append(_pick(rng, ("Support lines and tubes in satisfactory position.", "Lines and tubes as described.")))
    if style.numbered:
        for key in sorted(present & set(RECOMMEND)):
            extra.append(RECOMMEND[key])
    exam = _pick(rng, {
        "rsna": ("EXAM: XR CHEST 2 VIEWS",),
        "canadian": ("CHEST PA AND LATERAL", "X-RAY CHEST 2 VIEWS"),
        "indian": ("X-RAY CHEST PA VIEW", "SKIAGRAM CHEST PA VIEW"),
        "ed_prelim": ("ED PRELIMINARY READ - CHEST 1 VIEW",),
        "icu": ("AP PORTABLE CHEST (SEMI-ERECT)", "PORTABLE CHEST, ICU"),
    }.get(style.name, ("CHEST RADIOGRAPH", "CXR PA")))
    return SynCase(style, findings, normals, impression, _pick(rng, INDICATIONS),
                   _pick(rng, COMPARISONS) if not icu else _pick(rng, COMPARISONS[1:6]), exam, extra)


def _pick_tuple(rng: random.Random, options: Sequence[tuple[str, str, str]]) -> tuple[str, str, str]:
    return options[rng.randrange(len(options))]


UK = [(r"\bedema\b", "oedema"), (r"\bhemothorax\b", "haemothorax")]
US = [(r"\boedema\b", "edema"), (r"\bOedema\b", "Edema"), (r"\bhaem", "hem"), (r"\bcharacteris", "characteriz"),
      (r"\bdyspnoea\b", "dyspnea"), (r"\bVisualised\b", "Visualized"), (r"\bCCF\b", "CHF")]


def _spell(text: str, style: Style) -> str:
    rules = UK if style.uk else US
    for pattern, repl in rules:
        text = re.sub(pattern, repl, text)
    return text


INDIAN = {
    "The lungs are clear.": "Bilateral lung fields are clear.",
    "Both CP angles are clear.": "Both costophrenic angles are clear.",
    "Heart size is normal.": "Cardiac size is within normal limits.",
    "Bony thorax is unremarkable.": "Bony thorax appears normal.",
}


def _dictate(text: str, rng: random.Random) -> str:
    """Speech-recognition slips that keep the meaning: spoken punctuation, doubled words, lower case."""
    words = text.split(" ")
    if len(words) > 4 and rng.random() < 0.4:
        i = rng.randrange(1, len(words) - 1)
        if words[i].isalpha():
            words.insert(i, words[i])
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace(". ", " period. ", 1)
    if rng.random() < 0.3:
        text = text.replace("cardiomediastinal", "cardio mediastinal")
    if rng.random() < 0.3:
        text = text[:1].lower() + text[1:]
    return text


def render_findings(case: SynCase, rng: random.Random, sentences: dict[int, str]) -> str:
    """FINDINGS text from the case; ``sentences`` overrides finding sentences by index."""
    by_organ: dict[str, list[str]] = {"lines": [], "lungs": [], "pleura": [], "heart": [], "bones": []}
    for index, finding in enumerate(case.findings):
        by_organ[finding.organ].append(sentences.get(index, finding.text))
    for organ, text, _ in case.normals:
        if case.style.name == "indian":
            text = INDIAN.get(text, text)
        by_organ[organ].append(text)
    if case.style.subheads:
        heads = [("Tubes/lines", "lines"), ("Lungs and airways", "lungs"), ("Pleura", "pleura"),
                 ("Heart and mediastinum", "heart"), ("Bones", "bones")]
        lines = []
        for head, organ in heads:
            body = " ".join(by_organ[organ]) or ("None." if organ == "lines" else "Unremarkable.")
            if organ == "lines" and not by_organ[organ] and rng.random() < 0.5:
                continue
            lines.append(f"{head}: {body}")
        text = "\n".join(lines)
    else:
        order = ["lines", "lungs", "pleura", "heart", "bones"]
        if case.style.name in ("indian", "canadian") and rng.random() < 0.5:
            order = ["lines", "heart", "lungs", "pleura", "bones"]
        all_sentences = [s for organ in order for s in by_organ[organ]]
        joiner = "\n" if case.style.name in ("icu", "ed_prelim") and rng.random() < 0.5 else " "
        text = joiner.join(all_sentences)
        if case.style.dictation:
            text = _dictate(text, rng)
    return _spell(text, case.style)


def render_impression(case: SynCase, lines: list[str], rng: random.Random) -> str:
    items = lines + case.extra_imp
    if case.style.name == "terse":  # one line: every finding's line, no recommendations
        text = " ".join(lines + [e for e in case.extra_imp if "ines" in e])
    elif case.style.numbered and len(items) > 1:
        text = "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    else:
        text = " ".join(items)
    if case.style.name == "ed_prelim":
        text += "\nPreliminary interpretation; final report to follow."
    if case.style.name == "indian" and rng.random() < 0.5:
        text += " Suggested clinical correlation."
    if case.style.dictation:
        text = _dictate(text, rng)
    return _spell(text, case.style)


# --------------------------------------------------------------------------------------------------
# Layout: split fields or one free text with headers.
# --------------------------------------------------------------------------------------------------

FINDINGS_HEADS = ["FINDINGS:", "FINDINGS:", "Findings:", "FINDINGS", "Report:", "Observations:"]
IMPRESSION_HEADS = ["IMPRESSION:", "IMPRESSION:", "Impression:", "IMPRESSION", "CONCLUSION:", "Opinion:"]


def layout(fields: dict[str, str], free_text: bool, rng: random.Random, exam: str = "",
           drop: str | None = None) -> dict[str, str]:
    """The case's text fields: split (indication, comparison, findings, impression) or one ``report``.
    ``drop`` names a section removed with its header (free text) or emptied (split)."""
    if not free_text:
        out = {k: fields.get(k, "") for k in ("indication", "comparison", "findings", "impression")}
        if drop:
            out[drop] = ""
        return out
    parts: list[str] = []
    if exam:
        parts.append(exam)
    if fields.get("indication"):
        parts.append(f"{_pick(rng, ('INDICATION:', 'Clinical history:', 'History:', 'Reason for exam:'))} "
                     f"{fields['indication']}")
    if fields.get("comparison"):
        parts.append(f"{_pick(rng, ('COMPARISON:', 'Comparison:', 'Prior:'))} {fields['comparison']}")
    for name, heads in (("findings", FINDINGS_HEADS), ("impression", IMPRESSION_HEADS)):
        if drop == name:
            continue
        head = _pick(rng, heads)
        body = fields.get(name, "")
        sep = "\n" if not head.endswith(":") or "\n" in body or rng.random() < 0.3 else " "
        parts.append(f"{head}{sep}{body}".rstrip())
    report = "\n\n".join(parts) if rng.random() < 0.6 else "\n".join(parts)
    if rng.random() < 0.08:  # some RIS systems still store reports in capitals
        report = report.upper()
    return {"report": report}


# --------------------------------------------------------------------------------------------------
# Placeholders and side flips, shared by both sources.
# --------------------------------------------------------------------------------------------------

GENERIC_PLACEHOLDERS = ["[***]", "***", "[ ]", "[  ]", "[insert]", "[TBD]", "[____]", "<>", "{ }", "[Select]",
                        "<FINDING>", "{{finding}}", "@FINDING@"]
SIDE_PLACEHOLDERS = ["<<side>>", "@SIDE@", "[left/right]", "***LATERALITY***", "{SIDE}", "[right/left]"]
SIZE_PLACEHOLDERS = ["{SIZE}", "[mild/moderate/severe]", "[small/moderate/large]", "{{size}}", "<severity>"]
NUMBER_PLACEHOLDERS = ["[##]", "{x}", "[measurement]", "<mm>", "***"]
SIDE_SWAP = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT",
             "LLL": "RLL", "RLL": "LLL", "LUL": "RUL", "RUL": "LUL"}
SIDE_RE = re.compile(r"\b(" + "|".join(SIDE_SWAP) + r")\b")


def flip_sides(sentence: str) -> str:
    return SIDE_RE.sub(lambda m: SIDE_SWAP[m.group(1)], sentence)


def put_placeholder(text: str, rng: random.Random) -> tuple[str, str] | None:
    """Replace one word (a size, side, number or finding word; never ``XXXX``) with a placeholder."""
    preferred = re.compile(r"\b(left|right|small|moderate|large|mild|normal|clear|\d+(\.\d+)?(?= ?(mm|cm)\b)|"
                           r"heart|lungs|"
                           r"effusion|pneumothorax|consolidation|lobe|base|apex|cardiomegaly|silhouette)\b", re.I)
    matches = [m for m in preferred.finditer(text) if "XXXX" not in m.group(0)]
    if not matches:
        matches = [m for m in re.finditer(r"\b[A-Za-z]{4,}\b", text) if m.group(0) != "XXXX"]
    if not matches:
        return None
    m = matches[rng.randrange(len(matches))]
    word = m.group(0).lower()
    if word in ("left", "right"):
        mark = _pick(rng, SIDE_PLACEHOLDERS + GENERIC_PLACEHOLDERS)
    elif word in ("small", "moderate", "large", "mild"):
        mark = _pick(rng, SIZE_PLACEHOLDERS + GENERIC_PLACEHOLDERS)
    elif word[:1].isdigit():
        mark = _pick(rng, NUMBER_PLACEHOLDERS + GENERIC_PLACEHOLDERS)
    else:
        mark = _pick(rng, GENERIC_PLACEHOLDERS)
    return text[: m.start()] + mark + text[m.end():], f"'{m.group(0)}' replaced by {mark}"


# --------------------------------------------------------------------------------------------------
# Synthetic cases for each kind.
# --------------------------------------------------------------------------------------------------


def synthetic_case(rng: random.Random, kind: str | None) -> tuple[dict[str, str], str] | None:
    """One synthetic case of ``kind`` (None: unmodified): its text fields and detail, or None when this
    draw of content does not allow the kind (the caller draws again)."""
    case = compose_synthetic(rng)
    imp_lines = list(case.impression)
    overrides: dict[int, str] = {}
    detail = ""
    drop: str | None = None
    significant = [i for i, f in enumerate(case.findings) if f.omittable]
    if kind == "laterality_conflict":
        candidates = [i for i, f in enumerate(case.findings) if f.flippable and f.imp in imp_lines and f.side
                      in ("left", "right") and not any(g.key == f.key and g.side == {"left": "right", "right":
                                                       "left"}[f.side] for g in case.findings)]
        if not candidates:
            return None
        i = _pick_int(rng, candidates)
        finding = case.findings[i]
        if rng.random() < 0.5:
            overrides[i] = flip_sides(finding.text)
            detail = (f"FINDINGS sentence flipped to {flip_sides(finding.side or '')}: {_q(overrides[i])}; "
                      f"impression keeps {finding.side}")
        else:
            j = imp_lines.index(finding.imp or "")
            imp_lines[j] = flip_sides(imp_lines[j])
            detail = (f"IMPRESSION line flipped to {flip_sides(finding.side or '')}: {_q(imp_lines[j])}; "
                      f"findings keep {finding.side}")
    elif kind == "negation_conflict":
        if rng.random() < 0.65:
            if not significant:
                return None
            i = _pick_int(rng, significant)
            finding = case.findings[i]
            neg = _pick(rng, NEGATED_IMPRESSION[finding.key])
            imp_lines = [neg if line == finding.imp else line for line in imp_lines]
            if neg not in imp_lines:
                return None
            detail = f"IMPRESSION negates {finding.key} ({_q(neg)}) that FINDINGS affirms: {_q(finding.text)}"
        else:
            denied = [(text, d) for _, text, d in case.normals if d & set(NEGATED_IMPRESSION)]
            if not denied:
                return None
            text, keys = denied[rng.randrange(len(denied))]
            resolved = [k for k in keys if k.startswith("resolved:")]
            if resolved:
                side = resolved[0].split(":")[1]
                key = next(iter(keys - {resolved[0]}))
                assertion = PERSISTS[key].format(side=side)
                imp_lines = [line for line in imp_lines if "esol" not in line]
            else:
                key = _pick(rng, sorted(keys & set(SIGNIFICANT_MAKERS)))
                assertion = SIGNIFICANT_MAKERS[key](rng, "").imp or ""
            if set(imp_lines) & set(NORMAL_IMPRESSIONS):
                imp_lines = []
            imp_lines.insert(0, assertion)
            detail = f"IMPRESSION asserts {key} ({_q(assertion)}) that FINDINGS denies: {_q(text)}"
    elif kind == "impression_omits_finding":
        if not significant:
            return None
        omitted = [case.findings[i].key for i in significant]
        imp_lines = [_pick(rng, NORMAL_IMPRESSIONS)]
        case.extra_imp = [e for e in case.extra_imp if "ines" in e]
        detail = f"IMPRESSION replaced by a normal statement; FINDINGS affirm {', '.join(omitted)}"
    elif kind == "missing_section":
        if rng.random() < 0.5:
            if not set(imp_lines) <= set(NORMAL_IMPRESSIONS):  # the impression alone must describe no finding
                return None
            drop = "findings"
        else:
            drop = "impression"
    findings_text = render_findings(case, rng, overrides)
    impression_text = render_impression(case, imp_lines, rng)
    fields = {"indication": case.indication, "comparison": case.comparison,
              "findings": findings_text, "impression": impression_text}
    if kind == "missing_section":
        detail = f"{(drop or '').upper()} " + _pick(rng, ("removed with its header", "emptied"))
    if kind == "placeholder":
        section = "findings" if rng.random() < 0.6 else "impression"
        placed = put_placeholder(fields[section], rng)
        if placed is None:
            return None
        fields[section], what = placed
        detail = f"{section.upper()}: {what}"
    free_text = rng.random() < 0.5
    if kind == "missing_section" and drop and not free_text and "emptied" not in detail:
        detail = detail.replace("removed with its header", "emptied")
    if kind == "missing_section" and free_text and "emptied" in detail:
        fields[drop or ""] = ""
        drop = None
    return layout(fields, free_text, rng, case.exam if rng.random() < 0.7 else "", drop), detail


def _pick_int(rng: random.Random, options: Sequence[int]) -> int:
    return options[rng.randrange(len(options))]


# --------------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------------

GROUPS = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace (disease|opacit)|air space (disease|opacit)|infiltrat|pneumonia",
    "oedema": r"\bedema|vascular congestion",
    "cardiomegaly": r"cardiomegaly|(heart|cardiac silhouette|heart size) (is )?"
                    r"(mildly |moderately |markedly )?enlarged",
    "atelectasis": r"atelecta",
    "nodule": r"nodul|\bmass\b",
    "granuloma": r"granulom",
    "opacity": r"opacit|density",
}
NEG = re.compile(r"\b(no|not|without|negative|clear|resolved|normal|free|absence|removed|exclude)\b", re.I)
SOFT = re.compile(r"\b(may|might|possibl\w*|question\w*|suspect\w*|cannot|could|versus|vs|or|likely|mild\w*|small|"
                  r"trace|minimal|borderline|stable|unchanged|chronic|old|tiny|slight\w*|minor|improv\w*|"
                  r"decreas\w*|prior|previous\w*|healed|calcified|scar\w*|top|upper limits|probabl\w*|"
                  r"persist\w*|again|continued|redemonstrat\w*|known)\b", re.I)
SENT = re.compile(r"(?<=\.)\s+")


def _sentences(text: str) -> list[str]:
    return [s for s in SENT.split(text.strip()) if s]


def _groups(sentence: str) -> set[str]:
    return {g for g, p in GROUPS.items() if re.search(p, sentence, re.I)}


def read_iu(tgz: Path) -> dict[str, dict[str, str]]:
    reports: dict[str, dict[str, str]] = {}
    with tarfile.open(tgz) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            root = ET.fromstring(handle.read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            fields = {(el.get("Label") or "").lower(): " ".join((el.text or "").split())
                      for el in root.iter("AbstractText")}
            fields["_major"] = "|".join(el.text or "" for el in root.iter("major"))
            reports[uid_el.get("id", "")] = fields
    return reports


REWORD = [
    (r"\bNo acute cardiopulmonary (abnormality|disease|process)\b",
     ["No acute cardiopulmonary findings", "No acute intrathoracic abnormality", "No acute chest disease"]),
    (r"\bHeart size (is )?normal\b", ["Normal heart size", "Heart size is within normal limits"]),
    (r"\bThe heart is normal in size\b", ["Heart size is normal", "The cardiac silhouette is normal in size"]),
    (r"\bThe lungs are clear\b", ["Lungs are clear", "The lungs are clear bilaterally"]),
    (r"\bNo pneumothorax or pleural effusion\b", ["No pleural effusion or pneumothorax"]),
    (r"\bThere is no pneumothorax\b", ["No pneumothorax is seen"]),
    (r"\bThere is no pleural effusion\b", ["No pleural effusion is present"]),
    (r"\bNo focal consolidation\b", ["No focal airspace consolidation"]),
    (r"\bwithin normal limits\b", ["normal", "within normal limits"]),
]


def _same_case(matched: str, replacement: str) -> str:
    """The replacement with the matched text's first-letter case (mid-sentence stays lower case)."""
    return replacement[:1].lower() + replacement[1:] if matched[:1].islower() else replacement


def reword(text: str, rng: random.Random, uk: bool) -> str:
    for pattern, options in REWORD:
        if rng.random() < 0.6:
            text = re.sub(pattern, lambda m, o=options: _same_case(m.group(0), _pick(rng, o)), text, flags=re.I)
    if uk:
        text = re.sub(r"\bedema\b", "oedema", text)
    return text


def iu_consistent(fields: dict[str, str]) -> bool:
    """A real report kept unmodified: tagged normal, or every affirmed finding group of FINDINGS named
    in the impression, the sides agreeing, and the impression denying none of them."""
    findings, impression = fields.get("findings", ""), fields.get("impression", "")
    if not findings or not impression or len(findings) < 40:
        return False
    if fields["_major"] == "normal":
        return not any(_groups(s) - {"opacity"} and not NEG.search(s) for s in _sentences(findings + " " + impression))
    affirmed = [s for s in _sentences(findings) if _groups(s) and not NEG.search(s)]
    if not affirmed:
        return False
    imp_groups = {g for s in _sentences(impression) if not NEG.search(s) for g in _groups(s)}
    neg_imp = {g for s in _sentences(impression) if NEG.search(s) for g in _groups(s)}
    for s in affirmed:
        if not _groups(s) <= imp_groups or _groups(s) & neg_imp:
            return False
    sides = {w for w in re.findall(r"\b(left|right)\b", findings.lower())}
    imp_sides = {w for w in re.findall(r"\b(left|right)\b", impression.lower())}
    return sides == imp_sides


def iu_case(fields: dict[str, str], kind: str | None, rng: random.Random) -> tuple[dict[str, str], str] | None:
    """A re-laid-out, re-worded real report with one injected ``kind`` (None: unmodified)."""
    uk = rng.random() < 0.3
    findings = reword(fields.get("findings", ""), rng, uk)
    impression = reword(fields.get("impression", ""), rng, uk)
    if not findings or not impression:
        return None
    detail = ""
    drop: str | None = None
    f_sents, i_sents = _sentences(findings), _sentences(impression)
    lower = (findings + " " + impression).lower()
    if kind is None:
        if not iu_consistent(fields):
            return None
    elif kind == "laterality_conflict":
        sides = set(re.findall(r"\b(left|right)\b", lower))
        if len(sides) != 1 or re.search(r"bilateral|bibasilar|both|biapical|middle lobe|lingul", lower):
            return None
        side = next(iter(sides))
        fs = [s for s in f_sents if side in s.lower() and _groups(s) and not NEG.search(s)]
        ims = [s for s in i_sents if side in s.lower() and _groups(s) and not NEG.search(s)]
        pairs = [(a, b) for a in fs for b in ims if _groups(a) & _groups(b) or
                 (_groups(a) | _groups(b)) <= {"opacity", "consolidation", "atelectasis"}]
        if not pairs:
            return None
        a, b = pairs[rng.randrange(len(pairs))]
        if rng.random() < 0.5:
            findings = findings.replace(a, flip_sides(a), 1)
            detail = f"FINDINGS sentence flipped to {flip_sides(side)}: {_q(flip_sides(a))}; impression: {_q(b)}"
        else:
            impression = impression.replace(b, flip_sides(b), 1)
            detail = f"IMPRESSION sentence flipped to {flip_sides(side)}: {_q(flip_sides(b))}; findings: {_q(a)}"
    elif kind == "negation_conflict":
        affirmed_pairs = [(a, b) for a in f_sents for b in i_sents
                          if not NEG.search(a) and not NEG.search(b) and not SOFT.search(a)
                          and _groups(a) & _groups(b) & set(NEGATED_IMPRESSION)]
        if affirmed_pairs and rng.random() < 0.5:
            a, b = affirmed_pairs[rng.randrange(len(affirmed_pairs))]
            key = sorted(_groups(a) & _groups(b) & set(NEGATED_IMPRESSION))[0]
            neg = _pick(rng, NEGATED_IMPRESSION[key])
            impression = impression.replace(b, neg, 1)
            detail = f"IMPRESSION negates {key}: {_q(b)} replaced by {_q(neg)}; FINDINGS: {_q(a)}"
        else:
            if fields["_major"] != "normal":
                return None
            denials = {
                "effusion": re.compile(r"\bno\b[^.]*\beffusion", re.I),
                "pneumothorax": re.compile(r"\bno\b[^.]*pneumothora", re.I),
                "consolidation": re.compile(r"lungs are clear|no (focal )?(airspace|consolidation)", re.I),
                "cardiomegaly": re.compile(r"heart (size )?(is )?(normal|within normal)|normal heart size", re.I),
            }
            options = [(k, s) for s in f_sents for k, p in denials.items()
                       if p.search(s) and not re.search(r"large|small|significant|definite|acute", s, re.I)]
            if not options:
                return None
            key, sentence = options[rng.randrange(len(options))]
            assertion = SIGNIFICANT_MAKERS[key](rng, "").imp or ""
            if uk is False:
                assertion = assertion.replace("oedema", "edema")
            impression = assertion
            detail = f"IMPRESSION asserts {key}: replaced by {_q(assertion)}; FINDINGS denies it: {_q(sentence)}"
    elif kind == "impression_omits_finding":
        acute = [s for s in f_sents if _groups(s) & {"effusion", "pneumothorax", "consolidation", "oedema",
                                                     "cardiomegaly"} and not NEG.search(s) and not SOFT.search(s)]
        if not acute:
            return None
        impression = _pick(rng, NORMAL_IMPRESSIONS)
        detail = f"IMPRESSION replaced by {_q(impression)}; FINDINGS: {_q(acute[0])}"
    elif kind == "missing_section":
        if rng.random() < 0.5 and fields["_major"] == "normal":
            drop = "findings"
        else:
            drop = "impression"
    out_fields = {"indication": fields.get("indication", ""), "comparison": fields.get("comparison", ""),
                  "findings": findings, "impression": impression}
    if kind == "placeholder":
        section = "findings" if rng.random() < 0.6 else "impression"
        placed = put_placeholder(out_fields[section], rng)
        if placed is None:
            return None
        out_fields[section], what = placed
        detail = f"{section.upper()}: {what}"
    free_text = rng.random() < 0.5
    if drop:
        how = "removed with its header" if free_text and rng.random() < 0.5 else "emptied"
        detail = f"{drop.upper()} {how}"
        if how == "emptied":
            out_fields[drop] = ""
            drop = None if free_text else drop
    if rng.random() < 0.5:
        for name in ("findings", "impression"):
            out_fields[name] = "\n".join(_sentences(out_fields[name])) if rng.random() < 0.3 else out_fields[name]
    imp_sentences = _sentences(out_fields["impression"])
    if len(imp_sentences) > 1 and not re.match(r"\s*\d\.", out_fields["impression"]) and rng.random() < 0.35:
        out_fields["impression"] = "\n".join(f"{n}. {s}" for n, s in enumerate(imp_sentences, 1))
    return layout(out_fields, free_text, rng, "", drop), detail


# --------------------------------------------------------------------------------------------------
# The set
# --------------------------------------------------------------------------------------------------


def build(seed: int, shared: Path) -> list[dict[str, object]]:
    rng = random.Random(seed)
    tgz = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    dev = shared / "eval" / "report_errors_dev.jsonl"
    reports = read_iu(tgz)
    dev_uids = {json.loads(line)["uid"] for line in dev.read_text().splitlines() if line.strip()}
    # Reports with template-like marks of their own ("[<", "***") are left out: they would blur placeholders.
    pool = sorted(uid for uid, fields in reports.items() if uid not in dev_uids
                  and not re.search(r"[\[\]{}<>@]|\*\*|__", " ".join(fields.values())))
    rng.shuffle(pool)
    plan: list[tuple[str, str | None]] = [("iu", None)] * IU_CLEAN + [("syn", None)] * (N_CLEAN - IU_CLEAN)
    for kind in KINDS:
        plan += [("iu", kind)] * IU_PER_KIND + [("syn", kind)] * (N_PER_KIND - IU_PER_KIND)
    cases: list[dict[str, object]] = []
    used: set[str] = set()
    syn_n = 0
    cursor = 0
    for source, kind in plan:
        if source == "syn":
            for _ in range(500):
                made = synthetic_case(rng, kind)
                if made:
                    break
            else:
                raise RuntimeError(f"no synthetic case for {kind}")
            syn_n += 1
            uid = f"syn8-{syn_n}"
        else:
            made = None
            for step in range(len(pool)):
                uid = pool[(cursor + step) % len(pool)]
                if uid in used:
                    continue
                made = iu_case(reports[uid], kind, rng)
                if made:
                    used.add(uid)
                    cursor = (cursor + step + 1) % len(pool)
                    break
            if made is None:
                raise RuntimeError(f"no IU report for {kind}")
        text, detail = made
        case: dict[str, object] = {"uid": uid, "injected": kind, "detail": detail if kind else ""}
        case.update(text)
        cases.append(case)
    rng.shuffle(cases)
    for index, case in enumerate(cases):
        digest = hashlib.sha256(f"{seed}:{index}:{case['uid']}".encode()).hexdigest()[:10]
        case["id"] = f"h8-{digest}"
    return [{"id": c["id"], **{k: v for k, v in c.items() if k != "id"}} for c in cases]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--show", type=int, default=0, help="print counts and N random cases per kind")
    args = parser.parse_args(argv)
    shared = shared_dir()
    needed = [shared / "data" / "iu_reports" / "NLMCXR_reports.tgz", shared / "eval" / "report_errors_dev.jsonl"]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        print(f"make_heldout8: missing shared data: {', '.join(missing)} (set MEDRAG_SHARED_DIR)", file=sys.stderr)
        return 2
    cases = build(args.seed, shared)
    args.out.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"wrote {len(cases)} cases to {args.out}")
    if args.show:
        counts = Counter(str(c["injected"]) for c in cases)
        for kind, n in sorted(counts.items()):
            print(f"{kind}: {n}")
        show_rng = random.Random(args.seed + 1)
        for kind in (None, *KINDS):
            group = [c for c in cases if c["injected"] == kind]
            for c in show_rng.sample(group, min(args.show, len(group))):
                print("=" * 70)
                print(json.dumps(c, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
