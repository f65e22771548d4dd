"""Held-out set 7 for the offline report checks, written blind to the checker.

    python -m bench.make_heldout7 OUT.jsonl [--seed 801] [--show N]

400 cases in the dev set's format (``../shared/eval/README.md``): 200 unmodified, 40 of each injected kind.
Half are composed here from a phrase bank in the styles of US academic (MIMIC-like), ICU portable,
emergency teleradiology, UK/Australian and structured-template reports (uids ``syn7-<n>``); half are real
IU reports outside the dev set, re-laid out and re-worded by the rules below. Layout and style are drawn
independently of the kind, so neither tells it. Stdlib only; deterministic per seed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
IU_TGZ = SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"
DEV_SET = SHARED / "eval" / "report_errors_dev.jsonl"

KINDS = ("missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder")
N_CLEAN = 200
N_PER_KIND = 40
DEFAULT_SEED = 801

# ---------------------------------------------------------------------------------------------------------
# Side words: a left/right swap keeps the case of each word; lobe abbreviations swap too.
_SIDE_WORD = re.compile(r"\b(left|right|rll|lll|rul|lul)\b", re.IGNORECASE)
_SIDE_SWAP = {"left": "right", "right": "left", "rll": "lll", "lll": "rll", "rul": "lul", "lul": "rul"}
_SIDE_OF = {"left": "left", "right": "right", "rll": "right", "lll": "left", "rul": "right", "lul": "left"}


def _match_case(word: str, template: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def swap_sides(sentence: str) -> str:
    """``sentence`` with every left/right word (and RLL/LLL, RUL/LUL) swapped, case kept."""
    return _SIDE_WORD.sub(lambda m: _match_case(_SIDE_SWAP[m.group(0).lower()], m.group(0)), sentence)


def side_tokens(sentence: str) -> list[str]:
    """The sides ('left'/'right') that the sentence's side words name, in order."""
    return [_SIDE_OF[m.group(0).lower()] for m in _SIDE_WORD.finditer(sentence)]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------------------
# A report under construction: the same shape for composed and real reports.


@dataclass
class Fact:
    """One affirmed finding of a report, where it is said, and what an injection may do with it."""

    group: str  # effusion, pneumothorax, consolidation, edema, cardiomegaly, nodule, mass, fracture, ...
    side: str | None  # 'left', 'right', or None (bilateral, midline, no side)
    significant: bool  # acute and significant: an impression that leaves it out is an error
    f_idx: int  # its sentence in FINDINGS
    i_idx: int | None  # its item in IMPRESSION, None when the impression does not name it


@dataclass
class Draft:
    """A report as sentences, before layout: FINDINGS sentences and IMPRESSION items."""

    uid: str
    source: str  # 'syn' or 'iu'
    indication: str
    comparison: str
    findings: list[str]
    impression: list[str]
    facts: list[Fact] = field(default_factory=list)
    negated_groups: set[str] = field(default_factory=set)  # groups FINDINGS negates (explicitly or by meaning)
    organ_lines: list[tuple[str, list[int]]] | None = None  # structured template: organ label, sentence indexes
    examination: str = "CHEST (PA AND LATERAL)"


# ---------------------------------------------------------------------------------------------------------
# Phrase bank: the composed reports.

NORMAL_IMPRESSIONS = (
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "No acute intrathoracic abnormality.",
    "No radiographic evidence of acute cardiopulmonary disease.",
    "Normal chest.",
    "No active disease.",
    "No acute findings in the chest.",
    "Unremarkable chest X-ray.",
    "No acute abnormality.",
    "Clear lungs. No acute cardiopulmonary abnormality.",
    "No acute chest pathology.",
    "Normal study.",
    "No evidence of acute cardiopulmonary disease.",
    "No significant abnormality detected.",
)

LUNG_CLEAR = (
    "The lungs are clear.",
    "Lungs are clear bilaterally.",
    "The lungs are well expanded and clear.",
    "Clear lungs.",
    "The lung fields are clear.",
    "Lungs: clear.",
    "Both lungs are clear.",
    "The lungs are clear without focal airspace disease.",
)
NO_CONSOLIDATION = ("No focal consolidation.", "No focal airspace opacity.", "There is no consolidation.")
PLEURA_CLEAR = (
    "No pleural effusion or pneumothorax.",
    "There is no pleural effusion or pneumothorax.",
    "No effusion or pneumothorax is seen.",
    "No pneumothorax. No pleural effusion.",
    "The costophrenic angles are sharp and there is no pneumothorax.",
    "Pleural spaces are clear.",
)
NO_EFFUSION = ("No pleural effusion.", "There is no pleural effusion.", "No effusion is seen.")
NO_PTX = ("No pneumothorax.", "There is no pneumothorax.", "No pneumothorax is identified.", "No PTX.")
HEART_NORMAL = (
    "Heart size is normal.",
    "The heart is normal in size.",
    "Normal heart size.",
    "The cardiac silhouette is not enlarged.",
    "Heart size within normal limits.",
)
CARDIOMEDIASTINAL_NORMAL = (
    "The cardiomediastinal silhouette is within normal limits.",
    "Normal cardiomediastinal contours.",
    "Cardiac and mediastinal contours are unremarkable.",
    "Heart size and mediastinal contours are normal.",
    "Cardiomediastinal silhouette is normal.",
)
BONES_NORMAL = (
    "No acute osseous abnormality.",
    "Visualized osseous structures are intact.",
    "No displaced rib fracture.",
    "Bones are unremarkable.",
    "No acute bony injury.",
    "The visualised bones are unremarkable.",
)

SIZES_EFF = ("trace", "small", "small", "moderate", "large")
ORDINALS = ("third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


@dataclass
class Phrase:
    """A composed finding: its FINDINGS sentence and, when it belongs there, its IMPRESSION item."""

    group: str
    side: str | None
    significant: bool
    finding: str
    impression: str | None
    organ: str  # structured-template line: lungs, pleura, heart, bones, devices, other
    lung: bool = False  # a parenchymal finding: the lungs are then not 'clear'


def _change(rng: random.Random, has_prior: bool) -> tuple[str, str]:
    """An interval-change phrase for FINDINGS and the matching one for IMPRESSION ('' when none)."""
    if not has_prior or rng.random() < 0.45:
        return "", ""
    return rng.choice(
        (
            (", new since the prior study", ", new"),
            (", new compared with ___", ", new"),
            (", increased since the prior exam", ", increased"),
            (", slightly larger than before", ", increasing"),
            (", decreased compared with the prior radiograph", ", decreasing"),
            (", smaller than on the previous film", ", improving"),
            (", unchanged", ", unchanged"),
            (", stable from the prior study", ", stable"),
        )
    )


def _effusion(rng: random.Random, has_prior: bool) -> Phrase:
    size = rng.choice(SIZES_EFF)
    side = rng.choice(("left", "right", "left", "right", "bilateral"))
    chg_f, chg_i = _change(rng, has_prior)
    if side == "bilateral":
        finding = rng.choice(
            (
                f"{_cap(size)} bilateral pleural effusions{chg_f}.",
                f"Bilateral {size} pleural effusions{chg_f}.",
                f"There are {size} bilateral effusions with adjacent basilar atelectasis{chg_f}.",
            )
        )
        impression = rng.choice(
            (f"{_cap(size)} bilateral pleural effusions{chg_i}.", f"Bilateral {size} effusions{chg_i}.")
        )
        sd = None
    else:
        sd = side
        options = [
            f"There is a {size} {side} pleural effusion{chg_f}.",
            f"{_cap(size)} {side}-sided pleural effusion{chg_f}.",
            f"{_cap(size)} {side} pleural effusion with adjacent compressive atelectasis{chg_f}.",
            f"{_cap(size)} {side} pleural effusion layering dependently{chg_f}.",
        ]
        if size in ("trace", "small") and not chg_f:
            options.append(f"Blunting of the {side} costophrenic angle, consistent with a {size} effusion.")
            options.append(f"Meniscus at the {side} base in keeping with a {size} pleural effusion.")
        if size == "large":
            options.append(f"Large {side} pleural effusion with near-complete opacification of the hemithorax{chg_f}.")
        finding = rng.choice(options)
        impression = rng.choice(
            (
                f"{_cap(size)} {side} pleural effusion{chg_i}.",
                f"{_cap(side)} {size} effusion{chg_i}.",
                f"{_cap(size)} {side}-sided effusion{chg_i}.",
            )
        )
    significant = size in ("moderate", "large") or chg_i in (", new", ", increased", ", increasing")
    if not significant and rng.random() < 0.25:
        impression = None
    return Phrase("effusion", sd, significant, finding, impression, "pleura")


def _pneumothorax(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    cm = rng.choice(("0.8", "1", "1.5", "2", "2.5", "3", "3.5", "4"))
    chg_f, chg_i = _change(rng, has_prior)
    if chg_i in (", unchanged", ", stable", ", decreasing", ", improving"):
        chg_f, chg_i = "", ""
    variant = rng.randrange(6)
    if variant == 0:
        finding = f"There is a {side} apical pneumothorax measuring {cm} cm{chg_f}."
        impression = f"{_cap(side)} apical pneumothorax, {cm} cm{chg_i}."
    elif variant == 1:
        finding = f"Small {side} apical pneumothorax{chg_f}."
        impression = f"Small {side} apical pneumothorax{chg_i}."
    elif variant == 2:
        finding = f"{_cap(side)} pneumothorax with the visceral pleural line {cm} cm from the apex{chg_f}."
        impression = f"{_cap(side)} PTX ({cm} cm apical){chg_i}."
    elif variant == 3:
        finding = "Large " + side + " pneumothorax with contralateral mediastinal shift."
        impression = f"Large {side} pneumothorax with mediastinal shift, concerning for tension physiology."
    elif variant == 4:
        finding = f"{_cap(side)} hemopneumothorax with an air-fluid level at the base{chg_f}."
        impression = f"{_cap(side)} hemopneumothorax{chg_i}."
    else:
        finding = f"Moderate {side} pneumothorax{chg_f}, approximately {cm} cm apicolateral pleural separation."
        impression = f"Moderate {side} pneumothorax{chg_i}."
    if rng.random() < 0.3:
        impression += rng.choice(
            (
                " Findings were discussed with Dr. ___ by telephone at ___.",
                " Results communicated to the referring clinician at the time of reporting.",
                " Urgent finding telephoned to the ED.",
            )
        )
    return Phrase("pneumothorax", side, True, finding, impression, "pleura")


_LOBES = {
    "right": ("right upper lobe", "right middle lobe", "right lower lobe", "right lung base", "right perihilar region"),
    "left": ("left upper lobe", "left lower lobe", "left lung base", "left mid lung zone", "left perihilar region"),
}
_LOBE_ABBR = {"right upper lobe": "RUL", "right lower lobe": "RLL", "left upper lobe": "LUL", "left lower lobe": "LLL"}


def _consolidation(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    lobe = rng.choice(_LOBES[side])
    chg_f, chg_i = _change(rng, has_prior)
    noun = rng.choice(("consolidation", "airspace opacity", "airspace disease", "focal opacity", "opacification"))
    finding = rng.choice(
        (
            f"{_cap(noun)} in the {lobe}{chg_f}.",
            f"There is {noun} in the {lobe}{chg_f}.",
            f"Patchy {noun} at the {lobe}{chg_f}.",
            f"Dense {lobe} consolidation with air bronchograms{chg_f}.",
            f"Focal {noun} projecting over the {lobe}{chg_f}.",
        )
    )
    short = _LOBE_ABBR.get(lobe, lobe) if rng.random() < 0.3 else lobe
    impression = rng.choice(
        (
            f"{_cap(short)} pneumonia{chg_i}.",
            f"{_cap(short)} consolidation, likely pneumonia{chg_i}.",
            f"{_cap(noun)} in the {lobe}, concerning for pneumonia in the appropriate clinical setting.",
            f"{_cap(lobe)} airspace disease{chg_i}, may represent pneumonia or aspiration.",
            f"{_cap(short)} infiltrate{chg_i}.",
        )
    )
    return Phrase("consolidation", side, True, finding, impression, "lungs", lung=True)


def _atelectasis(rng: random.Random, has_prior: bool) -> Phrase:
    where = rng.choice(("bibasilar", "left basilar", "right basilar", "left retrocardiac", "right infrahilar"))
    kind = rng.choice(("linear", "subsegmental", "plate-like", "discoid", "mild"))
    side = "left" if where.startswith("left") else "right" if where.startswith("right") else None
    finding = rng.choice(
        (f"{_cap(kind)} {where} atelectasis.", f"There is {kind} atelectasis in the {where} region.")
        if where != "bibasilar"
        else (f"{_cap(kind)} bibasilar atelectasis.", f"Bibasilar {kind} atelectasis.")
    )
    impression = rng.choice((f"{_cap(where)} atelectasis.", None, None))
    return Phrase("atelectasis", side, False, finding, impression, "lungs", lung=True)


def _edema(rng: random.Random, has_prior: bool) -> Phrase:
    oedema = "oedema" if rng.random() < 0.2 else "edema"
    variant = rng.randrange(6)
    degree = rng.choice(("mild", "moderate", "severe"))
    if variant == 0:
        finding, impression = f"{_cap(degree)} pulmonary {oedema}.", f"{_cap(degree)} pulmonary {oedema}."
    elif variant == 1:
        finding = f"{_cap(degree)} interstitial pulmonary {oedema} with Kerley B lines."
        impression = f"{_cap(degree)} interstitial {oedema}, consistent with fluid overload."
    elif variant == 2:
        finding = "Pulmonary vascular congestion with peribronchial cuffing."
        impression = rng.choice(("Pulmonary vascular congestion.", "Findings consistent with mild CHF."))
    elif variant == 3:
        finding = f"Perihilar haziness and vascular indistinctness consistent with {degree} {oedema}."
        impression = f"{_cap(degree)} pulmonary {oedema}."
    elif variant == 4:
        finding = f"Upper lobe blood diversion and interstitial {oedema}."
        impression = f"Interstitial pulmonary {oedema}, likely cardiogenic."
    elif has_prior:
        finding = (
            f"Increased interstitial markings and vascular congestion, worse than the prior, compatible with {oedema}."
        )
        impression = f"Worsening pulmonary {oedema}."
    else:
        finding = f"Bilateral perihilar airspace opacities in a batwing pattern, consistent with {oedema}."
        impression = f"Alveolar pulmonary {oedema}."
    return Phrase("edema", None, True, finding, impression, "lungs", lung=True)


def _cardiomegaly(rng: random.Random, has_prior: bool) -> Phrase:
    degree = rng.choice(("mild", "mild", "moderate", "marked"))
    stable = has_prior and rng.random() < 0.4
    adv = {"mild": "mildly", "moderate": "moderately", "marked": "markedly"}[degree]
    finding = rng.choice(
        (
            f"The heart is {adv} enlarged{', unchanged' if stable else ''}.",
            f"{_cap(degree)} cardiomegaly{', stable' if stable else ''}.",
            f"The cardiac silhouette is {adv} enlarged.",
            f"{_cap(degree)} enlargement of the cardiac silhouette.",
            "Cardiomegaly and tortuous calcified aorta are unchanged." if stable else f"{_cap(degree)} cardiomegaly.",
        )
    )
    significant = degree != "mild" and not stable
    impression = rng.choice(
        (f"{_cap(degree)} cardiomegaly{', stable' if stable else ''}.", "Cardiomegaly.", "Enlarged heart.")
    )
    if not significant and rng.random() < 0.4:
        impression = None
    return Phrase("cardiomegaly", None, significant, finding, impression, "heart")


def _nodule(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    loc = rng.choice((f"{side} upper lobe", f"{side} mid lung", f"{side} lung base", f"{side} lower lobe"))
    size_mm = rng.choice((4, 5, 7, 8, 9, 11, 12, 15, 18, 22))
    size = f"{size_mm} mm" if size_mm < 10 or rng.random() < 0.5 else f"{size_mm / 10:.1f} cm"
    finding = rng.choice(
        (
            f"{size} nodule in the {loc}.",
            f"There is a {size} rounded nodular opacity in the {loc}.",
            f"A {size} pulmonary nodule projects over the {loc}.",
            f"New {size} nodule in the {loc}." if has_prior else f"{size} nodule in the {loc}.",
        )
    )
    finding = _cap(finding)
    significant = size_mm >= 6
    impression = rng.choice(
        (
            f"{size} {loc} nodule. Recommend chest CT for further characterisation.",
            f"{size} nodule in the {loc}; non-urgent CT chest recommended.",
            f"Pulmonary nodule in the {loc} measuring {size}.",
        )
    )
    if not significant and rng.random() < 0.4:
        impression = None
    return Phrase("nodule", side, significant, finding, _cap(impression) if impression else None, "lungs", lung=True)


def _mass(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    cm = rng.choice(("2.8", "3.4", "4.1", "5", "6.2"))
    variant = rng.randrange(3)
    if variant == 0:
        finding = f"{cm} cm mass in the {side} upper lobe with spiculated margins."
        impression = f"{cm} cm {side} upper lobe mass, suspicious for malignancy. CT chest recommended."
    elif variant == 1:
        finding = f"{_cap(side)} hilar mass measuring approximately {cm} cm."
        impression = f"{_cap(side)} hilar mass ({cm} cm). Further evaluation with contrast-enhanced CT advised."
    else:
        finding = f"Masslike opacity in the {side} lower lobe measuring {cm} cm."
        impression = f"{cm} cm masslike opacity in the {side} lower lobe; neoplasm not excluded. Recommend CT."
    return Phrase("mass", side, True, finding, impression, "lungs", lung=True)


def _mediastinum(rng: random.Random, has_prior: bool) -> Phrase:
    cm = rng.choice(("8.5", "9", "9.5", "10"))
    finding = rng.choice(
        (
            f"The mediastinum is widened, measuring {cm} cm at the level of the aortic arch.",
            f"Widened superior mediastinum ({cm} cm).",
            "Wide mediastinal contour with loss of the aortopulmonary window.",
        )
    )
    impression = rng.choice(
        (
            "Widened mediastinum; CT angiography recommended to exclude aortic injury.",
            "Mediastinal widening. Recommend CTA chest.",
        )
    )
    return Phrase("mediastinum", None, True, finding, impression, "heart")


def _hilar(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    finding = rng.choice((f"{_cap(side)} hilar enlargement.", f"The {side} hilum is enlarged and lobulated."))
    impression = rng.choice(
        (f"{_cap(side)} hilar enlargement, possibly adenopathy; CT suggested.", f"Enlarged {side} hilum. Recommend CT.")
    )
    return Phrase("hilar", side, True, finding, impression, "heart")


def _fracture(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    i = rng.randrange(len(ORDINALS) - 2)
    if rng.random() < 0.35:
        finding = rng.choice(
            (
                f"Healed {side} {ORDINALS[i]} rib fracture.",
                f"Old healed fracture of the {side} clavicle.",
                f"Remote {side} {ORDINALS[i]} and {ORDINALS[i + 1]} rib fractures.",
            )
        )
        return Phrase(
            "old_fracture", side, False, finding, rng.choice((None, None, "Old " + side + " rib fractures.")), "bones"
        )
    variant = rng.randrange(3)
    if variant == 0:
        finding = f"Acute displaced fractures of the {side} {ORDINALS[i]} through {ORDINALS[i + 2]} ribs."
        impression = f"Acute displaced {side} {ORDINALS[i]} to {ORDINALS[i + 2]} rib fractures."
    elif variant == 1:
        finding = f"Nondisplaced fracture of the lateral {side} {ORDINALS[i]} rib."
        impression = f"Acute {side} {ORDINALS[i]} rib fracture."
    else:
        finding = f"Comminuted fracture of the mid {side} clavicle."
        impression = f"{_cap(side)} clavicle fracture."
    return Phrase("fracture", side, True, finding, impression, "bones")


def _free_air(rng: random.Random, has_prior: bool) -> Phrase:
    finding = rng.choice(
        (
            "Free intraperitoneal air beneath both hemidiaphragms.",
            "Lucency beneath the diaphragm consistent with pneumoperitoneum.",
        )
    )
    impression = rng.choice(
        (
            "Pneumoperitoneum. Findings telephoned to the surgical team.",
            "Free subdiaphragmatic air, urgent surgical review.",
        )
    )
    return Phrase("free_air", None, True, finding, impression, "other")


def _devices(rng: random.Random, has_prior: bool) -> list[Phrase]:
    out: list[Phrase] = []
    pool = rng.sample(("ett", "ng", "ij", "picc", "tube", "pacer", "sternotomy"), rng.randint(1, 3))
    for dev in pool:
        side = rng.choice(("left", "right"))
        if dev == "ett":
            cm = rng.choice(("3", "4", "4.5", "5", "6"))
            if rng.random() < 0.2:
                out.append(
                    Phrase(
                        "device_malposition",
                        None,
                        True,
                        "The endotracheal tube tip is at the carina and angled toward the mainstem bronchus.",
                        "ETT tip at the carina; recommend withdrawal by 2-3 cm.",
                        "devices",
                    )
                )
            else:
                out.append(
                    Phrase(
                        "ett",
                        None,
                        False,
                        rng.choice(
                            (
                                f"Endotracheal tube terminates {cm} cm above the carina.",
                                f"ET tube tip {cm} cm above the carina.",
                            )
                        ),
                        rng.choice((f"ETT in satisfactory position, {cm} cm above the carina.", None)),
                        "devices",
                    )
                )
        elif dev == "ng":
            out.append(
                Phrase(
                    "ng",
                    None,
                    False,
                    rng.choice(
                        (
                            "Enteric tube courses below the diaphragm with tip in the stomach.",
                            "NG tube tip in the gastric body.",
                            "Orogastric tube with side port beyond the gastroesophageal junction.",
                        )
                    ),
                    rng.choice(("Enteric tube in the stomach.", None)),
                    "devices",
                )
            )
        elif dev == "ij":
            tip = rng.choice(("the mid SVC", "the low SVC", "the cavoatrial junction", "the upper SVC"))
            out.append(
                Phrase(
                    "line",
                    side,
                    False,
                    rng.choice(
                        (
                            f"{_cap(side)} internal jugular central venous catheter terminates in {tip}.",
                            f"{_cap(side)} IJ central line with tip in {tip}.",
                        )
                    ),
                    rng.choice((f"{_cap(side)} IJ line tip in {tip}.", None)),
                    "devices",
                )
            )
        elif dev == "picc":
            tip = rng.choice(("the mid SVC", "the cavoatrial junction", "the distal SVC"))
            out.append(
                Phrase(
                    "line",
                    side,
                    False,
                    rng.choice(
                        (f"{_cap(side)} arm PICC with tip in {tip}.", f"{_cap(side)}-sided PICC terminates in {tip}.")
                    ),
                    rng.choice((f"{_cap(side)} PICC tip in {tip}.", None)),
                    "devices",
                )
            )
        elif dev == "tube":
            out.append(
                Phrase(
                    "chest_tube",
                    side,
                    False,
                    rng.choice(
                        (
                            f"{_cap(side)} basal chest tube in place, tip projecting toward the apex.",
                            f"{_cap(side)}-sided pigtail pleural catheter in situ.",
                        )
                    ),
                    rng.choice((f"{_cap(side)} chest tube in place.", None)),
                    "devices",
                )
            )
        elif dev == "pacer":
            out.append(
                Phrase(
                    "pacer",
                    None,
                    False,
                    rng.choice(
                        (
                            f"{_cap(side)} chest wall dual-chamber pacemaker with leads in the right atrium and right"
                            " ventricle.",
                            f"{_cap(side)}-sided cardiac device with a lead terminating in the right ventricle.",
                        )
                    ),
                    None,
                    "devices",
                )
            )
        else:
            out.append(
                Phrase(
                    "postop",
                    None,
                    False,
                    rng.choice(
                        (
                            "Median sternotomy wires and mediastinal surgical clips from prior CABG.",
                            "Post-surgical changes of prior median sternotomy.",
                        )
                    ),
                    None,
                    "devices",
                )
            )
    return out


def _chronic(rng: random.Random, has_prior: bool) -> Phrase:
    side = rng.choice(("left", "right"))
    finding, organ = rng.choice(
        (
            ("Degenerative changes of the thoracic spine.", "bones"),
            ("Calcified and tortuous thoracic aorta.", "heart"),
            (f"Calcified granuloma in the {side} upper lobe.", "lungs"),
            (f"Postsurgical changes of {side} upper lobectomy with volume loss.", "lungs"),
            (f"Surgical clips in the {side} axilla.", "other"),
            ("Multilevel degenerative disc disease.", "bones"),
            (f"Elevation of the {side} hemidiaphragm.", "other"),
        )
    )
    return Phrase("chronic", None, False, finding, None, organ)


_ABNORMAL: tuple[tuple[Callable[[random.Random, bool], Phrase], float], ...] = (
    (_effusion, 0.24),
    (_pneumothorax, 0.12),
    (_consolidation, 0.2),
    (_atelectasis, 0.14),
    (_edema, 0.12),
    (_cardiomegaly, 0.18),
    (_nodule, 0.08),
    (_mass, 0.04),
    (_mediastinum, 0.03),
    (_hilar, 0.03),
    (_fracture, 0.08),
    (_free_air, 0.02),
    (_chronic, 0.14),
)

INDICATIONS = {
    "academic": (
        "___-year-old man with shortness of breath. Evaluate for pneumonia.",
        "___-year-old woman with fever and cough.",
        "History: ___ with chest pain, rule out acute process.",
        "___ with CHF exacerbation, assess for edema.",
        "Preoperative evaluation.",
    ),
    "icu": (
        "Intubated patient, evaluate tube and line positions.",
        "Post right IJ placement.",
        "Hypoxia in the ICU.",
        "Sepsis, on ventilator.",
        "Status post chest tube placement.",
    ),
    "ed": ("Trauma, MVC.", "Fall, chest wall pain.", "Acute dyspnea.", "Chest pain.", "Cough and fever x 3 days."),
    "uk": (
        "SOB. ?LRTI.",
        "Productive cough, ?consolidation.",
        "Chest pain, ?PTX.",
        "Ex-smoker, haemoptysis.",
        "Pyrexia.",
    ),
}
COMPARISONS = {
    "academic": ("___", "Chest radiograph from ___.", "Prior study dated ___.", "None."),
    "icu": ("Portable chest radiograph from earlier today.", "Yesterday's film.", "___."),
    "ed": ("None available.", "Outside films from 2019.", "None."),
    "uk": ("Previous chest radiograph 14/02/2023.", "No previous imaging.", "CXR 03/11/2024."),
}


def compose_draft(rng: random.Random, number: int) -> Draft:
    """A consistent composed report: findings with their impression items, normals for organs not involved."""
    flavour = rng.choice(("academic", "academic", "icu", "ed", "uk", "structured"))
    ind_key = "academic" if flavour == "structured" else flavour
    indication = rng.choice(INDICATIONS[ind_key])
    comparison = rng.choice(COMPARISONS[ind_key])
    has_prior = not comparison.lower().startswith(("none", "no previous"))
    phrases: list[Phrase] = []
    if flavour == "icu" or rng.random() < 0.12:
        phrases.extend(_devices(rng, has_prior))
    n_abnormal = rng.choices((0, 1, 2, 3), weights=(0.28, 0.34, 0.26, 0.12))[0]
    makers, weights = zip(*_ABNORMAL, strict=True)
    chosen: list[Callable[[random.Random, bool], Phrase]] = []
    while len(chosen) < n_abnormal:
        maker = rng.choices(makers, weights=weights)[0]
        if maker not in chosen:
            chosen.append(maker)
    for maker in chosen:
        phrases.append(maker(rng, has_prior))
    # A pneumothorax and an effusion on the same report are kept apart in the pleura line.
    groups = {p.group for p in phrases}
    lung_involved = any(p.lung for p in phrases)
    # Normal statements for what is not involved.
    normals: list[tuple[str, str, set[str]]] = []  # text, organ, groups it negates
    if not lung_involved:
        normals.append((rng.choice(LUNG_CLEAR), "lungs", {"consolidation", "edema", "nodule", "mass"}))
    elif "consolidation" not in groups and rng.random() < 0.5:
        normals.append((rng.choice(NO_CONSOLIDATION), "lungs", {"consolidation"}))
    pleural = {"effusion", "pneumothorax"} & groups
    if not pleural:
        normals.append((rng.choice(PLEURA_CLEAR), "pleura", {"effusion", "pneumothorax"}))
    elif pleural == {"effusion"}:
        normals.append((rng.choice(NO_PTX), "pleura", {"pneumothorax"}))
    elif pleural == {"pneumothorax"} and not any("hemopneumothorax" in p.finding for p in phrases):
        normals.append((rng.choice(NO_EFFUSION), "pleura", {"effusion"}))
    if "cardiomegaly" not in groups:
        pool = HEART_NORMAL if ({"mediastinum", "hilar"} & groups) else HEART_NORMAL + CARDIOMEDIASTINAL_NORMAL
        normals.append((rng.choice(pool), "heart", {"cardiomegaly"}))
    if "fracture" not in groups and "old_fracture" not in groups and rng.random() < 0.7:
        normals.append((rng.choice(BONES_NORMAL), "bones", {"fracture"}))
    order = {"devices": 0, "lungs": 1, "pleura": 2, "heart": 3, "bones": 4, "other": 5}
    items: list[tuple[int, str, Phrase | None, set[str]]] = [(order[p.organ], p.finding, p, set()) for p in phrases]
    items += [(order[organ], text, None, negs) for text, organ, negs in normals]
    if flavour != "structured":
        rng.shuffle(items)
        items.sort(key=lambda it: it[0] if it[0] in (0,) else 1)  # devices first, then the rest shuffled
    else:
        items.sort(key=lambda it: it[0])
    findings = [text for _, text, _, _ in items]
    draft = Draft(f"syn7-{number}", "syn", indication, comparison, findings, [])
    draft.examination = (
        "CHEST (PORTABLE AP)" if flavour == "icu" else rng.choice(("CHEST (PA AND LATERAL)", "CHEST 1 VIEW"))
    )
    for _, _, _, negs in items:
        draft.negated_groups |= negs
    # Impression: significant findings first.
    with_items = sorted(
        ((i, p) for i, (_, _, p, _) in enumerate(items) if p is not None and p.impression),
        key=lambda ip: not ip[1].significant,
    )
    for f_idx, phrase in with_items:
        draft.facts.append(Fact(phrase.group, phrase.side, phrase.significant, f_idx, len(draft.impression)))
        draft.impression.append(phrase.impression or "")
    for f_idx, (_, _, phrase, _) in enumerate(items):
        if phrase is not None and not phrase.impression:
            draft.facts.append(Fact(phrase.group, phrase.side, phrase.significant, f_idx, None))
    if not draft.impression:
        draft.impression.append(rng.choice(NORMAL_IMPRESSIONS))
    elif not any(p.significant for _, p in with_items) and rng.random() < 0.5:
        draft.impression.append(rng.choice(("No acute cardiopulmonary process.", "Otherwise no acute abnormality.")))
    if flavour == "structured":
        labels = {
            "devices": "Lines/tubes",
            "lungs": "Lungs",
            "pleura": "Pleura",
            "heart": "Heart and mediastinum",
            "bones": "Bones",
            "other": "Other",
        }
        lines: list[tuple[str, list[int]]] = []
        for organ, label in labels.items():
            idxs = [i for i, (o, _, _, _) in enumerate(items) if o == order[organ]]
            if idxs:
                lines.append((label, idxs))
        draft.organ_lines = lines
    return draft


# ---------------------------------------------------------------------------------------------------------
# Real IU reports: read, screened, re-worded.

_GROUP_PATTERNS = {
    "effusion": r"effusions?|pleural fluid|hydrothorax|ha?emothorax",
    "pneumothorax": r"pneumothora(?:x|ces)|\bptx\b",
    "consolidation": r"consolidat\w*|air\s?-?space (?:disease|opacit\w+|process)|infiltrat\w*|pneumonia|\bpna\b",
    "opacity": r"opacit(?:y|ies)|opacification",
    "edema": r"o?edema|vascular congestion|\bchf\b|heart failure|fluid overload",
    "cardiomegaly": r"cardiomegaly|enlarged (?:heart|cardiac)|(?:heart|cardiac silhouette|cardiac shadow)"
    r"(?: size)? (?:is |appears )?(?:\w+ )?enlarged|cardiac enlargement",
    "nodule": r"nodul\w*",
    "mass": r"\bmass(?:es)?\b|masslike|mass-like",
    "atelectasis": r"atelecta\w*",
    "fracture": r"fractur\w*",
}
_GROUP_RE = {g: re.compile(p, re.IGNORECASE) for g, p in _GROUP_PATTERNS.items()}
_NEG = re.compile(
    r"\b(no|not|without|negative|free of|clear|resolved|resolution|resolving|removed|absent|absence|normal|"
    r"unremarkable|exclude|excluded|rule out|ruled out|nor)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(may|might|possible|possibly|probable|probably|cannot|could|question|questionable|suspect|suspected|"
    r"suggest|suggests|suggestive|versus|vs|or|likely|consider|concern|concerning|differential|borderline|"
    r"upper limits?|low lung volumes?|versus)\b|\?",
    re.IGNORECASE,
)
_NOT_ACUTE = re.compile(
    r"\b(old|healed|healing|chronic|stable|unchanged|prior|previous|previously|again|persistent|persists|remote|"
    r"history|calcified|granuloma|granulomas|scar|scarring|redemonstrat\w*|known)\b",
    re.IGNORECASE,
)
_NORMAL_ITEM = re.compile(
    r"\b(no acute|no active|normal|unremarkable|negative|no evidence of acute|no significant|clear)\b", re.IGNORECASE
)
_LUNGS_CLEAR = re.compile(r"\blungs? (?:fields )?(?:are |is )?(?:\w+ )?clear|clear lungs", re.IGNORECASE)
_HEART_NORMAL = re.compile(
    r"heart (?:size )?(?:is )?(?:within normal|normal)|normal heart size|heart is normal in size|"
    r"heart size is normal|cardiomediastinal silhouette (?:is )?(?:within normal|normal|unremarkable)|"
    r"normal cardiomediastinal|heart and mediastinum (?:are )?normal|cardiac silhouette (?:is )?normal",
    re.IGNORECASE,
)
_SIZE_MM = re.compile(r"(\d+(?:\.\d+)?)\s*(mm|cm)\b", re.IGNORECASE)


def groups_in(sentence: str) -> set[str]:
    """The finding groups a sentence names (own vocabulary, independent of any checker)."""
    return {g for g, rx in _GROUP_RE.items() if rx.search(sentence)}


def _affirmed(sentence: str) -> bool:
    return not _NEG.search(sentence) and not _HEDGE.search(sentence)


_NEG_QUALIFIED = re.compile(
    r"\b(large|significant|sizable|sizeable|definite|gross|appreciable|moderate|overt|frank|otherwise|except|but)\b",
    re.IGNORECASE,
)


def _negated_groups_in(sentence: str) -> set[str]:
    """Groups a FINDINGS sentence negates outright: named under a negation cue, or ruled out by meaning. A
    qualified or one-sided negation ("no large effusion", "no effusion on the right", "lungs otherwise
    clear") rules out too little to be contradicted, so it does not count."""
    if _NEG_QUALIFIED.search(sentence) or side_tokens(sentence) or _HEDGE.search(sentence.replace(" or ", " ")):
        return set()
    out: set[str] = set()
    if _LUNGS_CLEAR.search(sentence):
        out |= {"consolidation", "edema"}
    if _HEART_NORMAL.search(sentence):
        out.add("cardiomegaly")
    if re.match(r"\s*(no|there is no|there are no|without)\b", sentence, re.IGNORECASE):
        out |= groups_in(sentence) & {"effusion", "pneumothorax", "consolidation", "edema"}
    return out


def _significant_iu(sentence: str, groups: set[str]) -> bool:
    if not _affirmed(sentence) or _NOT_ACUTE.search(sentence):
        return False
    if groups & {"pneumothorax", "consolidation", "edema", "mass"}:
        return True
    if "effusion" in groups and re.search(r"\b(moderate|large|sizable|massive)\b", sentence, re.IGNORECASE):
        return True
    if "cardiomegaly" in groups and re.search(
        r"\b(moderate|moderately|marked|markedly|severe|massive)\b", sentence, re.IGNORECASE
    ):
        return True
    if "nodule" in groups:
        for num, unit in _SIZE_MM.findall(sentence):
            if float(num) * (10 if unit.lower() == "cm" else 1) >= 6:
                return True
    return bool(groups and re.search(r"\b(new|increased|increasing|worsening|worsened)\b", sentence, re.IGNORECASE))


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    return [p.strip() for p in parts if p.strip()]


def split_items(text: str) -> list[str]:
    """Impression items: numbered items when numbered, else sentences."""
    text = re.sub(r"\s+", " ", text).strip()
    if re.match(r"1[.)]\s", text):
        parts = re.split(r"(?:^|\s)\d[.)]\s+", text)
        return [p.strip() for p in parts if p.strip()]
    return split_sentences(text)


def read_iu(path: Path = IU_TGZ) -> dict[str, dict[str, str]]:
    """uid -> {'COMPARISON', 'INDICATION', 'FINDINGS', 'IMPRESSION'} (missing ones empty), sorted by uid."""
    out: dict[str, dict[str, str]] = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            root = ElementTree.parse(handle).getroot()
            uid_el = root.find("uId")
            uid = uid_el.get("id", "") if uid_el is not None else ""
            sections = {k: "" for k in ("COMPARISON", "INDICATION", "FINDINGS", "IMPRESSION")}
            for el in root.iter("AbstractText"):
                label = (el.get("Label") or "").upper()
                if label in sections:
                    sections[label] = (el.text or "").strip()
            if uid:
                out[uid] = sections
    return dict(sorted(out.items()))


def dev_uids(path: Path = DEV_SET) -> set[str]:
    with path.open() as fh:
        return {json.loads(line)["uid"] for line in fh if line.strip()}


_REWORDINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (pattern, flags marker, replacements)
    (r"\bThe lungs are clear\b", "", ("Lungs are clear", "The lungs are clear", "Both lungs are clear")),
    (
        r"\bNo acute cardiopulmonary (?:abnormality|disease|process|findings?)\b",
        "",
        (
            "No acute cardiopulmonary process",
            "No acute cardiopulmonary abnormality",
            "No acute cardiopulmonary disease",
            "No acute intrathoracic abnormality",
        ),
    ),
    (r"\bThere is no evidence of\b", "", ("No evidence of", "There is no evidence of", "No radiographic evidence of")),
    (r"\bNo pleural effusions?\b", "", ("No pleural fluid", "No pleural effusion", "No effusion")),
    (r"\bHeart size is normal\b", "", ("Normal heart size", "Heart size is normal", "The heart is normal in size")),
    (r"\bwithin normal limits\b", "", ("within normal limits", "normal")),
    (r"\bpneumothorax\b", "", ("pneumothorax", "pneumothorax", "PTX")),
)
_UK_SPELLING = (
    (r"\bedema\b", "oedema"),
    (r"\bhemorrhage\b", "haemorrhage"),
    (r"\bhemothorax\b", "haemothorax"),
    (r"\bcharacterization\b", "characterisation"),
    (r"\bcalcified granuloma\b", "calcified granuloma"),
)


def reword(text: str, rng: random.Random, uk: bool) -> str:
    """The same meaning in other words: de-doubled periods, stock phrases swapped, UK spellings."""
    text = re.sub(r"\.\.+", ".", text) if rng.random() < 0.7 else text
    for pattern, _, choices in _REWORDINGS:
        if rng.random() < 0.5:
            text = re.sub(pattern, lambda m, c=choices: _match_case(rng.choice(c), m.group(0)), text)
    if uk:
        for pattern, repl in _UK_SPELLING:
            text = re.sub(pattern, repl, text)
    return text


def iu_draft(uid: str, sections: dict[str, str], rng: random.Random) -> Draft:
    """A real report as a draft, re-worded, with the facts my own rules find in it."""
    uk = rng.random() < 0.2
    findings = [reword(s, rng, uk) for s in split_sentences(sections["FINDINGS"])]
    impression = [reword(s, rng, uk) for s in split_items(sections["IMPRESSION"])]
    draft = Draft(uid, "iu", sections["INDICATION"], sections["COMPARISON"], findings, impression)
    for i, sentence in enumerate(findings):
        draft.negated_groups |= _negated_groups_in(sentence)
        groups = groups_in(sentence)
        if not groups or not _affirmed(sentence):
            continue
        sides = side_tokens(sentence)
        side = sides[0] if len(sides) == 1 else None
        i_idx = None
        for j, item in enumerate(impression):
            if _compatible(groups, groups_in(item)) and _affirmed(item):
                item_sides = side_tokens(item)
                if side is None or (len(item_sides) == 1 and item_sides[0] == side):
                    i_idx = j
                    break
        for group in sorted(groups):
            draft.facts.append(Fact(group, side, _significant_iu(sentence, groups), i, i_idx))
    return draft


def _compatible(a: set[str], b: set[str]) -> bool:
    lung = {"consolidation", "opacity", "atelectasis"}
    focal = {"nodule", "mass", "opacity"}
    return bool(a & b) or (bool(a & lung) and bool(b & lung)) or (bool(a & focal) and bool(b & focal))


def iu_screen(draft: Draft) -> bool:
    """A real report is used only when it has both sections, no placeholder-like text, and no inconsistency
    that my own rules see (an omitted significant finding, an opposite side), so that 'clean' means clean."""
    if not draft.findings or not draft.impression:
        return False
    text = " ".join(draft.findings + draft.impression + [draft.indication, draft.comparison])
    if re.search(r"\[|\]|_{2,}|\*|<|>|\{|\}|\bX{1,3}\b|\bX\.X\b|\?\?", text):
        return False
    imp_text = " ".join(draft.impression)
    imp_groups = groups_in(imp_text)
    for fact in draft.facts:
        if fact.significant and not _compatible({fact.group}, imp_groups):
            return False
        if fact.side and fact.group != "opacity":
            for item in draft.impression:
                if (
                    _compatible({fact.group}, groups_in(item))
                    and fact.side not in side_tokens(item)
                    and side_tokens(item)
                ):
                    return False
    return True


# ---------------------------------------------------------------------------------------------------------
# Injections. Each returns a detail string, or None when the draft offers no fitting place.

AFFIRM_BY_GROUP = {
    "effusion": (
        "Small {s} pleural effusion.",
        "{S} pleural effusion.",
        "Moderate {s} effusion.",
        "{S}-sided pleural effusion, new.",
    ),
    "pneumothorax": (
        "Small {s} apical pneumothorax.",
        "{S} pneumothorax.",
        "{S} PTX, approximately 1.5 cm at the apex.",
    ),
    "consolidation": (
        "{S} lower lobe pneumonia.",
        "{S} basilar consolidation.",
        "Airspace disease in the {s} lower lobe, consistent with pneumonia.",
        "{S} upper lobe infiltrate.",
    ),
    "edema": (
        "Mild pulmonary edema.",
        "Pulmonary edema.",
        "Interstitial pulmonary oedema.",
        "Congestive heart failure with pulmonary edema.",
    ),
    "cardiomegaly": ("Cardiomegaly.", "Moderate cardiomegaly.", "Enlarged cardiac silhouette."),
}
NEGATE_EXPLICIT = {
    "effusion": ("No pleural effusion.", "No pleural effusions.", "No effusion."),
    "pneumothorax": ("No pneumothorax.", "No evidence of pneumothorax.", "There is no pneumothorax."),
    "consolidation": ("No focal consolidation.", "No pneumonia.", "No airspace disease."),
    "edema": ("No pulmonary edema.", "No edema or vascular congestion."),
    "cardiomegaly": ("No cardiomegaly.",),
    "nodule": ("No pulmonary nodule.",),
    "mass": ("No mass.", "No pulmonary mass or nodule."),
    "fracture": ("No acute fracture.", "No acute bony injury."),
    "hilar": ("Hila are normal.",),
    "mediastinum": ("The mediastinum is not widened.",),
}
NEGATE_BY_MEANING = {
    "consolidation": ("The lungs are clear.", "Clear lungs.", "Lungs are clear bilaterally."),
    "edema": ("Normal pulmonary vascularity.", "The lungs are clear."),
    "cardiomegaly": ("Heart size is normal.", "Normal heart size.", "The cardiac silhouette is normal in size."),
    "nodule": ("The lungs are clear.",),
    "mass": ("The lungs are clear.",),
    "mediastinum": ("Normal mediastinal contours.",),
}
_NEGATABLE = {
    "effusion",
    "pneumothorax",
    "consolidation",
    "edema",
    "cardiomegaly",
    "nodule",
    "mass",
    "fracture",
    "hilar",
    "mediastinum",
}


def _laterality(draft: Draft, rng: random.Random, variant: float) -> str | None:
    options: list[tuple[str, int, int]] = []  # section, index, other index
    device_options: list[tuple[str, int, int]] = []
    for fact in draft.facts:
        if fact.side is None or fact.i_idx is None or fact.group == "chronic":
            continue
        f_sent, i_sent = draft.findings[fact.f_idx], draft.impression[fact.i_idx]
        if fact.group == "opacity" and not groups_in(i_sent) - {"opacity"}:
            continue  # a sided opacity counts when the impression names what it is (pneumonia, atelectasis)
        if len(side_tokens(f_sent)) != 1 or len(side_tokens(i_sent)) != 1:
            continue
        if re.search(r"middle lobe|\brml\b|lingul", f_sent + " " + i_sent, re.IGNORECASE):
            continue  # no left middle lobe, no right lingula: a flip there would not read as a real report
        target = device_options if fact.group in ("line", "chest_tube") else options
        target.append(("FINDINGS", fact.f_idx, fact.i_idx))
        target.append(("IMPRESSION", fact.i_idx, fact.f_idx))
    # Findings first; a line's side is flipped only where the report has no sided finding to flip.
    options = options or device_options
    if not options:
        return None
    section, idx, other_idx = rng.choice(sorted(set(options)))
    sentences = draft.findings if section == "FINDINGS" else draft.impression
    others = draft.impression if section == "FINDINGS" else draft.findings
    original = sentences[idx]
    sentences[idx] = swap_sides(original)
    side = side_tokens(original)[0]
    return (
        f'{section}: "{original}" -> "{sentences[idx]}" (left/right flipped; the other section says '
        f'"{others[other_idx]}", on the {side})'
    )


def _negation(draft: Draft, rng: random.Random, variant: float) -> str | None:
    moves: list[tuple[str, object]] = []
    affirmable = sorted(g for g in draft.negated_groups if g in AFFIRM_BY_GROUP)
    affirmed_groups = {f.group for f in draft.facts}
    for g in affirmable:
        if g not in affirmed_groups and not (g == "consolidation" and "opacity" in affirmed_groups):
            moves.append(("imp_affirms", g))
    for fact in draft.facts:
        if fact.group in _NEGATABLE and (draft.source == "syn" or fact.significant or fact.group == "cardiomegaly"):
            if draft.source == "iu" and not _affirmed(draft.findings[fact.f_idx]):
                continue
            if draft.source == "iu" and fact.i_idx is None and fact.group != "cardiomegaly":
                continue  # as for omissions: trust a real finding only when its impression names it too
            moves.append(("imp_negates", fact))
            if fact.i_idx is not None:
                moves.append(("find_negates", fact))
    if not moves:
        return None
    # The move first, then its target: each direction gets its share whatever the report offers most of.
    # The direction is drawn once per case (``variant``), so that each gets its third of the cases.
    move = ("imp_affirms", "imp_negates", "find_negates")[min(int(variant * 3), 2)]
    if move not in {mv for mv, _ in moves}:
        return None
    arg = rng.choice([a for mv, a in moves if mv == move])
    if move == "imp_affirms":
        group = str(arg)
        side = rng.choice(("left", "right"))
        text = rng.choice(AFFIRM_BY_GROUP[group]).format(s=side, S=_cap(side))
        kept = [
            it
            for it in draft.impression
            if not (_NORMAL_ITEM.search(it) and not groups_in(it)) and not _compatible({group}, groups_in(it))
        ]
        draft.impression[:] = [text, *kept]
        negating = next(
            (s for s in draft.findings if group in _negated_groups_in(s) or _neg_text_matches(s, group)),
            "by its normal statements",
        )
        return f'IMPRESSION now affirms {group}: "{text}"; FINDINGS negates it ("{negating}")'
    assert isinstance(arg, Fact)
    fact = arg
    by_meaning = fact.group in NEGATE_BY_MEANING and rng.random() < 0.45
    lung_others = [
        f
        for f in draft.facts
        if f.group in ("consolidation", "edema", "nodule", "mass", "atelectasis", "opacity") and f.f_idx != fact.f_idx
    ]
    if by_meaning and NEGATE_BY_MEANING[fact.group][0].startswith("The lungs") and lung_others:
        by_meaning = False
    pool = NEGATE_BY_MEANING[fact.group] if by_meaning else NEGATE_EXPLICIT[fact.group]
    text = rng.choice(pool)
    if move == "imp_negates":
        if fact.i_idx is not None and not groups_in(draft.impression[fact.i_idx]) - {fact.group, "opacity"}:
            old = draft.impression[fact.i_idx]
            draft.impression[fact.i_idx] = text
        else:
            old = ""
            draft.impression.insert(rng.randrange(len(draft.impression) + 1), text)
        return f'IMPRESSION negates {fact.group} that FINDINGS affirms ("{draft.findings[fact.f_idx]}"): "{text}"' + (
            f' replaced "{old}"' if old else " added"
        )
    assert fact.i_idx is not None
    old = draft.findings[fact.f_idx]
    draft.findings[fact.f_idx] = text
    return (
        f'FINDINGS negates {fact.group} that IMPRESSION affirms ("{draft.impression[fact.i_idx]}"): "{old}" -> "{text}"'
    )


def _neg_text_matches(sentence: str, group: str) -> bool:
    return bool(_NEG.search(sentence) and _GROUP_RE.get(group, re.compile("$^")).search(sentence))


# Acute findings whose absence from the impression a radiologist would call an error.
_OMISSION_GROUPS = {
    "effusion",
    "pneumothorax",
    "consolidation",
    "edema",
    "cardiomegaly",
    "nodule",
    "mass",
    "mediastinum",
    "free_air",
}


def _omission(draft: Draft, rng: random.Random, variant: float) -> str | None:
    targets = [f for f in draft.facts if f.significant and f.group in _OMISSION_GROUPS]
    if draft.source == "iu":
        # A real finding counts only where its own radiologist named it in the impression: this keeps out
        # garbled sentences ("The lungs focal airspace consolidation.") that read as affirmed but are not.
        named = groups_in(" ".join(draft.impression))
        targets = [f for f in targets if f.i_idx is not None and f.group in named]
    if not targets:
        return None
    fact = rng.choice(targets)
    old = " ".join(draft.impression)
    new = rng.choice(NORMAL_IMPRESSIONS)
    draft.impression[:] = split_sentences(new)
    return f'FINDINGS affirms {fact.group} ("{draft.findings[fact.f_idx]}"); IMPRESSION "{old}" replaced by "{new}"'


_NOT_PLAIN_NORMAL = re.compile(
    r"\b(with|but|except|suggest\w*|consistent|compatible|changes?|emphysema|copd|hyperinfla\w*|granulom\w*|"
    r"degenerative|stable|unchanged|calcifi\w*|scar\w*|chronic|post\w*|status|s/p|mild|small|old|healed)\b",
    re.IGNORECASE,
)


def _plain_normal(item: str) -> bool:
    """An impression item that only says the study is normal (describes no finding)."""
    return bool(_NORMAL_ITEM.search(item)) and not groups_in(item) and not _NOT_PLAIN_NORMAL.search(item)


def _missing(draft: Draft, rng: random.Random, variant: float) -> str | None:
    # FINDINGS is removed only where the impression only says "normal": an impression that itself describes
    # findings makes a missing FINDINGS section a lesser matter.
    if variant < 0.35:
        if not all(_plain_normal(item) for item in draft.impression):
            return None
        draft.findings[:] = []
        return "FINDINGS emptied"
    draft.impression[:] = []
    return "IMPRESSION emptied"


PLACEHOLDERS_ANY = ("[***]", "***", "**", "[ ]", "[  ]", "<<>>", "<< >>", "[*]", "<***>", "[...]", "[TBD]", "<enter>")
PLACEHOLDERS_TYPED = {
    "side": ("{SIDE}", "[SIDE]", "<side>", "[left/right]", "{LATERALITY}"),
    "finding": ("{FINDING}", "[FINDING]", "<finding>", "[DIAGNOSIS]"),
    "place": ("[LOCATION]", "{LOBE}", "<location>", "[ZONE]"),
}
_FINDING_WORDS = re.compile(
    r"\b(effusions?|pneumothorax|consolidation|atelectasis|edema|oedema|cardiomegaly|nodule|mass|fracture|"
    r"pneumonia|opacity|infiltrate|congestion|granuloma)\b",
    re.IGNORECASE,
)
_PLACE_WORDS = re.compile(r"\b(upper|lower|middle|apical|basilar|base|hilar|perihilar|lingula|retrocardiac)\b", re.I)
_MEASURE = re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm)\b)")


def _placeholder(draft: Draft, rng: random.Random, variant: float) -> str | None:
    # Candidates by what the blank stands for: a measurement, a side, a finding, a place, or any word.
    slots: dict[str, list[tuple[str, list[str], int, re.Match[str]]]] = {
        "measure": [],
        "side": [],
        "finding": [],
        "place": [],
        "word": [],
    }
    patterns = {
        "measure": _MEASURE,
        "side": _SIDE_WORD,
        "finding": _FINDING_WORDS,
        "place": _PLACE_WORDS,
        "word": re.compile(r"\b[a-z]{5,}\b"),
    }
    for section, sentences in (("FINDINGS", draft.findings), ("IMPRESSION", draft.impression)):
        for idx, sentence in enumerate(sentences):
            for slot, rx in patterns.items():
                slots[slot] += [(section, sentences, idx, m) for m in rx.finditer(sentence)]
    weights = {"measure": 1.2, "side": 1.0, "finding": 1.5, "place": 0.7, "word": 1.0}
    available = [slot for slot in slots if slots[slot]]
    if not available:
        return None
    slot = rng.choices(available, weights=[weights[s] for s in available])[0]
    section, sentences, idx, m = rng.choice(slots[slot])
    if slot == "measure":
        token = rng.choice(("XX", "X.X", "__", "___", "??", "[X]"))
    elif slot in PLACEHOLDERS_TYPED and rng.random() < 0.6:
        token = rng.choice(PLACEHOLDERS_TYPED[slot])
    else:
        token = rng.choice(PLACEHOLDERS_ANY)
    sentence = sentences[idx]
    sentences[idx] = sentence[: m.start()] + token + sentence[m.end() :]
    return f'{section}: "{m.group(0)}" replaced by placeholder "{token}" in "{sentences[idx]}"'


INJECTORS: dict[str, Callable[[Draft, random.Random, float], str | None]] = {
    "missing_section": _missing,
    "laterality_conflict": _laterality,
    "negation_conflict": _negation,
    "impression_omits_finding": _omission,
    "placeholder": _placeholder,
}


# ---------------------------------------------------------------------------------------------------------
# Layout: the style of a case is drawn apart from its kind.

FINDINGS_HEADERS = (
    "FINDINGS:",
    "Findings:",
    "FINDINGS",
    "Findings",
    "REPORT:",
    "Report:",
    "DESCRIPTION:",
    "FINDINGS/DISCUSSION:",
)
IMPRESSION_HEADERS = (
    "IMPRESSION:",
    "Impression:",
    "IMPRESSION",
    "CONCLUSION:",
    "Conclusion:",
    "OPINION:",
    "Opinion:",
    "SUMMARY:",
    "Comment:",
    "ASSESSMENT:",
)


@dataclass
class Layout:
    shape: str  # 'split' or 'free'
    numbering: str  # 'none', 'lines', 'inline', 'dash'
    bullets: bool
    caps: bool
    header_mode: str  # free: 'inline', 'own_line', 'no_colon', 'mimic', 'uk', 'telerad', 'no_findings_header'
    findings_header: str
    impression_header: str


def draw_layout(rng: random.Random, shape: str) -> Layout:
    mode = rng.choice(("inline", "inline", "own_line", "no_colon", "mimic", "uk", "telerad", "no_findings_header"))
    fh, ih = rng.choice(FINDINGS_HEADERS), rng.choice(IMPRESSION_HEADERS)
    if mode == "no_colon":
        fh, ih = rng.choice((("Findings", "Impression"), ("FINDINGS", "IMPRESSION"), ("Report", "Conclusion")))
    elif mode == "uk":
        fh, ih = rng.choice((("Report:", "Conclusion:"), ("Findings:", "Opinion:"), ("FINDINGS:", "COMMENT:")))
    elif mode == "mimic":
        fh, ih = "FINDINGS:", "IMPRESSION:"
    return Layout(
        shape=shape,
        numbering=rng.choice(("none", "none", "lines", "inline", "dash")),
        bullets=rng.random() < 0.12,
        caps=rng.random() < 0.06,
        header_mode=mode,
        findings_header=fh,
        impression_header=ih,
    )


def _findings_body(draft: Draft, layout: Layout) -> str:
    if not draft.findings:
        return ""
    if draft.organ_lines:
        lines = []
        for label, idxs in draft.organ_lines:
            texts = [draft.findings[i] for i in idxs if i < len(draft.findings)]
            if texts:
                lines.append(f"{label}: " + " ".join(texts))
        return "\n".join(lines)
    if layout.bullets:
        return "\n".join(f"- {s}" for s in draft.findings)
    return " ".join(draft.findings)


def _impression_body(draft: Draft, layout: Layout) -> str:
    items = draft.impression
    if not items:
        return ""
    if len(items) == 1 or layout.numbering == "none":
        return " ".join(items)
    if layout.numbering == "lines":
        return "\n".join(f"{n}. {it}" for n, it in enumerate(items, 1))
    if layout.numbering == "dash":
        return "\n".join(f"- {it}" for it in items)
    return " ".join(f"{n}. {it}" for n, it in enumerate(items, 1))


def _section(header: str, body: str, mode: str) -> str:
    if mode in ("own_line", "mimic", "telerad") or "\n" in body:
        return f"{header}\n{body}" if body else header
    return f"{header} {body}".rstrip()


def render(draft: Draft, layout: Layout, case_id: str, kind: str | None, detail: str) -> dict[str, object]:
    findings, impression = _findings_body(draft, layout), _impression_body(draft, layout)
    indication, comparison = draft.indication, draft.comparison
    case: dict[str, object] = {"id": case_id, "uid": draft.uid, "injected": kind, "detail": detail}
    if layout.shape == "split":
        if layout.caps:
            findings, impression, indication, comparison = (
                findings.upper(),
                impression.upper(),
                indication.upper(),
                comparison.upper(),
            )
        case.update(indication=indication, comparison=comparison, findings=findings, impression=impression)
        return case
    blocks: list[str] = []
    mode = layout.header_mode
    if mode == "mimic":
        blocks.append("FINAL REPORT")
        blocks.append(f"EXAMINATION: {draft.examination}")
        if indication:
            blocks.append(f"INDICATION: {indication}")
        technique = {"CHEST (PORTABLE AP)": "Portable AP view of the chest.", "CHEST 1 VIEW": "Single frontal view."}
        blocks.append("TECHNIQUE: " + technique.get(draft.examination, "PA and lateral views of the chest."))
        if comparison:
            blocks.append(f"COMPARISON: {comparison}")
    elif mode == "uk":
        if indication:
            blocks.append(f"Clinical details: {indication}")
        if comparison:
            blocks.append(f"Comparison: {comparison}")
    elif mode == "telerad":
        blocks.append("EXAM: XR CHEST " + ("1 VIEW PORTABLE" if "PORTABLE" in draft.examination else "2 VIEWS"))
        if indication:
            blocks.append(f"HISTORY: {indication}")
        if comparison:
            blocks.append(f"COMPARISON: {comparison}")
    else:
        if indication:
            blocks.append(f"INDICATION: {indication}")
        if comparison:
            blocks.append(f"COMPARISON: {comparison}")
    if findings or detail == "FINDINGS emptied (header kept)":
        if mode == "no_findings_header":
            blocks.append(findings)
        else:
            blocks.append(_section(layout.findings_header, findings, mode))
    if impression or detail == "IMPRESSION emptied (header kept)":
        blocks.append(_section(layout.impression_header, impression, mode))
    text = "\n\n".join(b for b in blocks if b)
    case["report"] = text.upper() if layout.caps else text
    return case


# ---------------------------------------------------------------------------------------------------------
# The set.


def build_cases(
    seed: int = DEFAULT_SEED, iu: dict[str, dict[str, str]] | None = None, exclude: set[str] | None = None
) -> list[dict[str, object]]:
    """The 400 cases for ``seed``: 200 composed, 200 real; per source 100 clean and 20 of each kind."""
    rng = random.Random(seed)
    iu = read_iu() if iu is None else iu
    exclude = dev_uids() if exclude is None else exclude
    plan = [
        (source, kind)
        for source in ("syn", "iu")
        for kind in [None] * (N_CLEAN // 2) + [k for k in KINDS for _ in range(N_PER_KIND // 2)]
    ]
    shapes = ["split"] * (len(plan) // 2) + ["free"] * (len(plan) - len(plan) // 2)
    rng.shuffle(shapes)
    uids = [u for u in iu if u not in exclude]
    rng.shuffle(uids)
    used: set[str] = set()
    syn_number = 0
    built: list[tuple[Draft, str | None, str, Layout]] = []
    # Hardest-to-place kinds first, so the real reports that fit them are not used up by easy kinds.
    priority = {
        "laterality_conflict": 0,
        "impression_omits_finding": 1,
        "negation_conflict": 2,
        "missing_section": 3,
        "placeholder": 4,
        None: 5,
    }
    order = sorted(range(len(plan)), key=lambda i: (plan[i][0], priority[plan[i][1]], i))
    for i in order:
        source, kind = plan[i]
        layout = draw_layout(rng, shapes[i])
        variant = rng.random()  # which way the injection goes, drawn once per case
        for _attempt in range(5000):
            if source == "syn":
                syn_number += 1
                draft = compose_draft(rng, syn_number)
            else:
                uid = next((u for u in uids if u not in used), None)
                if uid is None:
                    raise RuntimeError("ran out of IU reports")
                used.add(uid)
                draft = iu_draft(uid, iu[uid], rng)
                if not iu_screen(draft):
                    continue
            if draft.organ_lines is not None and shapes[i] == "free" and layout.header_mode == "no_findings_header":
                layout.header_mode = "own_line"
            if kind is None:
                detail = ""
            else:
                found = INJECTORS[kind](draft, rng, variant)
                if found is None:
                    if source == "iu":
                        used.discard(draft.uid)  # may still serve another kind
                        uids.remove(draft.uid)
                        uids.append(draft.uid)
                    continue
                detail = found
                if kind == "missing_section" and shapes[i] == "free" and rng.random() < 0.3:
                    detail += " (header kept)"
            built.append((draft, kind, detail, layout))
            break
        else:
            raise RuntimeError(f"no {source} report fits {kind}")
    rng.shuffle(built)
    return [render(d, lay, f"h7-{n:03d}", kind, detail) for n, (d, kind, detail, lay) in enumerate(built)]


def write_cases(cases: Sequence[dict[str, object]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for case in cases:
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")


def show(cases: Sequence[dict[str, object]], n: int, seed: int) -> None:
    counts = Counter(str(c["injected"]) for c in cases)
    shapes = Counter("report" if "report" in c else "split" for c in cases)
    print("counts:", dict(sorted(counts.items())), "shapes:", dict(shapes))
    rng = random.Random(seed + 1)
    for kind in (None, *KINDS):
        group = [c for c in cases if c["injected"] == kind]
        for case in rng.sample(group, min(n, len(group))):
            print("=" * 100)
            print(json.dumps(case, indent=1, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--show", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    for needed in (IU_TGZ, DEV_SET):
        if not needed.exists():
            print(f"error: {needed} is missing (the shared data folder is needed)", file=sys.stderr)
            return 2
    cases = build_cases(args.seed)
    write_cases(cases, args.out)
    print(f"wrote {len(cases)} cases to {args.out}")
    if args.show:
        show(cases, args.show, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
