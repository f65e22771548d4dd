"""Held-out report-error set v12: reports as they arrive after real software and real people.

Written blind: without reading the checker, its tests, its docs or any other generator. Only the
scorer's format, the IU archive and the dev set's ``uid`` field were read.

Styles (mixed, none dominating; header spellings and order vary):
  * pasted from RIS/EHR systems: leftover HTML (``<br>``, ``&nbsp;``, ``<b>FINDINGS</b>``), RTF
    remnants (``\\par``, ``\\b0``), all-caps teletype output wrapped by the sending system, runs of
    blank lines and double spaces, headers glued to text ("FINDINGS:The lungs"), semicolon-joined
    findings on one line;
  * realistic typos, doubled words and dictation homophones at a realistic rate;
  * English of radiologists trained in other languages (German, Dutch, Spanish, French, Chinese,
    Japanese, Arabic phrasing; headers such as Assessment, Evaluation, Result, Opinion, Diagnosis,
    Conclusion, Imaging diagnosis);
  * US private-practice teleradiology (hedged, long recommendation paragraph, disclaimer);
    VA/military (short numbered items, diagnostic code); old-style narrative with only a final
    conclusion.

Half of every group is composed from the phrase bank below, half is real IU (Open-i) reports (dev
uids excluded) lightly re-worded and re-laid-out in these styles (``XXXX`` is Open-i's mask).

usage: python -m bench.make_heldout12 OUT.jsonl --seed S [--show N]
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
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
STYLES = [
    "html",
    "rtf",
    "teletype",
    "glued",
    "semicolon",
    "german",
    "dutch",
    "spanish",
    "french",
    "chinese",
    "japanese",
    "arabic",
    "telerad",
    "va",
    "narrative",
]
FOREIGN = {"german", "dutch", "spanish", "french", "chinese", "japanese", "arabic"}


def opp(side: str) -> str:
    return {"right": "left", "left": "right"}[side]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------- terms (any wording of a concept)
TERMS = {
    "consolidation": r"consolidat|pneumoni|air ?-?space|infiltrat|opacit|opacif|condensation|shadow|infect|densit",
    "effusion": r"effus|effussion|pleural fluid|fluid|costophrenic|blunt|sinus|recess|cp angle",
    "pneumothorax": r"pneumothora|pnuemothorax|ptx|pleural air|collapsed lung|pleural line",
    "nodule": r"nodul|lesion|mass|opacit|densit|\bct\b|granulom|coin|neoplas|tumou?r",
    "mass": r"nodul|lesion|mass|opacit|densit|\bct\b|neoplas|tumou?r|malignan|hil",
    "edema": r"o?edema|congest|chf|failure|overload|decompens|interstitial|kerley|vascular|cephaliz|redistribut",
    "collapse": r"collapse|atelecta|volume loss|opacit|sail",
    "mediastinum": r"mediastin|aort|dissect|widen",
    "free_air": r"free air|pneumoperiton|subdiaphragm|free gas|perforat|under the (right |left )?(hemi)?diaph",
    "cardiomegaly": r"cardiomegal|heart|cardiac|ctr|cardiothoracic",
    "atelectasis": r"atelecta|opacit|scar",
}


def mentions(text: str, concept: str) -> bool:
    return re.search(TERMS[concept], text, re.I) is not None


# ---------------------------------------------------------------- composed findings bank
LOBES = {
    "right": ["right lower lobe", "right middle lobe", "right upper lobe", "right lung base"],
    "left": ["left lower lobe", "left upper lobe", "left lung base"],
}


def _lobe(rng, side):
    return rng.choice(LOBES[side]).replace(side, "{side}")


def finding(rng, concept, style, side=None):
    """A finding as templates with {side}; returns dict(concept, side, f, i, sig, neg_i)."""
    side = side or rng.choice(["right", "left"])
    fo = style in FOREIGN
    d = {"concept": concept, "side": side, "lat": True, "slots": {}}
    if concept == "consolidation":
        loc = _lobe(rng, side)
        if style == "german":
            f = rng.choice(
                [
                    f"Inhomogeneous infiltrate in the {loc}, compatible with pneumonic infiltration.",
                    f"New infiltrate {loc}.",
                ]
            )
        elif style == "french":
            f = f"Focus of alveolar condensation in the {loc} with air bronchogram."
        elif style == "chinese":
            f = f"Patchy increased density shadow in the {loc}, margins unclear."
        elif style == "spanish":
            f = f"Alveolar consolidation is observed in the {loc}, with air bronchogram."
        else:
            f = rng.choice(
                [
                    f"There is patchy airspace consolidation in the {loc}.",
                    f"Focal consolidation in the {loc} with air bronchograms.",
                    f"New airspace opacity in the {loc}, consistent with consolidation.",
                ]
            )
        i = rng.choice(
            [
                f"{cap(loc)} pneumonia.",
                f"{cap(loc)} consolidation, likely pneumonia in the appropriate clinical setting.",
                f"Findings compatible with {loc} pneumonia.",
            ]
        )
        if style == "german":
            i = f"Pneumonia {loc}."
        d.update(
            f=f,
            i=i,
            sig=True,
            neg_i=rng.choice(["No focal consolidation.", "Lungs are clear.", "No pneumonic infiltrate."]),
        )
    elif concept == "effusion":
        size = rng.choice(["moderate", "large", "moderate", "small"])
        new = size == "small"
        if fo and style in ("spanish", "french"):
            f = f"{cap(size)} {{side}} pleural effusion"
            f"{' that was not present previously' if new else ''}, obliterating the costophrenic sinus."
        elif style == "chinese":
            f = "{Side} costophrenic angle is blunted, "
            f"{size} amount of pleural effusion{', newly appeared' if new else ''}."
        else:
            f = rng.choice(
                [
                    f"{cap(size)} {{side}} pleural effusion{', new since the prior study' if new else ''}.",
                    f"There is a {size} {{side}} pleural effusion"
                    f"{', new compared to the previous examination' if new else ''}.",
                ]
            )
        i = f"{'New ' if new else ''}{size} {{side}} pleural effusion."
        d.update(
            f=f,
            i=cap(i),
            sig=True,
            neg_i=rng.choice(["No pleural effusion.", "No effusion.", "Costophrenic angles are clear."]),
        )
        d["slots"]["grade"] = size
    elif concept == "pneumothorax":
        size = rng.choice(["small", "moderate", "large", "small"])
        f = rng.choice(
            [
                f"There is a {size} {{side}} apical pneumothorax.",
                f"{cap(size)} {{side}} pneumothorax with visible pleural line at the apex.",
                f"{{Side}} pneumothorax, {size} in size, without mediastinal shift.",
            ]
        )
        i = f"{cap(size)} {{side}} pneumothorax."
        d.update(f=f, i=i, sig=True, neg_i="No pneumothorax.")
        d["slots"]["grade"] = size
    elif concept == "nodule":
        mm = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
        zone = rng.choice(["mid lung zone", "upper lung zone", "lower lung zone"])
        f = rng.choice(
            [
                f"{mm} mm nodular opacity projecting over the {{side}} {zone}.",
                f"There is a {mm} mm rounded nodule in the {{side}} {zone}.",
                f"A well-circumscribed nodule of {mm} mm is seen in the {{side}} {zone}.",
            ]
        )
        i = rng.choice(
            [
                f"{mm} mm {{side}} pulmonary nodule. CT chest recommended for further characterization.",
                f"{{Side}} lung nodule ({mm} mm), further evaluation with CT advised.",
            ]
        )
        d.update(f=f, i=cap(i), sig=True, neg_i="No pulmonary nodule.")
        d["slots"]["mm"] = f"{mm} mm"
    elif concept == "mass":
        cm = rng.choice(["3.5", "4", "4.5", "5", "6"])
        f = rng.choice(
            [
                f"There is a {cm} cm mass in the {{side}} upper lobe.",
                f"Lobulated {{side}} hilar mass measuring approximately {cm} cm.",
            ]
        )
        i = rng.choice(
            [
                f"{{Side}} lung mass ({cm} cm), suspicious for neoplasm. CT chest with contrast recommended.",
                f"{cm} cm {{side}} pulmonary mass, concerning for malignancy.",
            ]
        )
        d.update(f=f, i=cap(i), sig=True, neg_i="No pulmonary mass.")
        d["slots"]["mm"] = f"{cm} cm"
    elif concept == "collapse":
        lobe = rng.choice(["lower", "upper"])
        f = f"Complete collapse of the {{side}} {lobe} lobe, with " + (
            "retrocardiac triangular opacity and loss of the {side} hemidiaphragm contour."
            if lobe == "lower"
            else "elevation of the {side} hilum and tracheal shift."
        )
        i = f"{{Side}} {lobe} lobe collapse."
        d.update(f=f, i=i, sig=True, neg_i="No atelectasis.")
    elif concept == "atelectasis":
        f = rng.choice(
            [
                "Linear subsegmental atelectasis at the {side} lung base.",
                "Plate-like atelectasis in the {side} lower zone.",
            ]
        )
        i = "Minor {side} basal atelectasis."
        d.update(f=f, i=cap(i), sig=False, neg_i="No atelectasis.")
    elif concept == "granuloma":
        f = "Calcified granuloma in the {side} upper lobe."
        i = "Old granulomatous disease, {side} upper lobe."
        d.update(f=f, i=i, sig=False, neg_i=None)
    elif concept == "rib":
        n = rng.choice(["5th", "6th", "7th", "8th"])
        f = f"Healing fracture of the {{side}} {n} rib laterally with callus formation."
        i = f"Healing {{side}} {n} rib fracture."
        d.update(f=f, i=i, sig=False, neg_i=None)
    elif concept == "edema":
        d["lat"] = False
        f = rng.choice(
            [
                "Cephalization of the pulmonary vessels with Kerley B lines and peribronchial cuffing, "
                "consistent with interstitial edema.",
                "Pulmonary vascular congestion with bilateral perihilar haziness, in keeping with pulmonary edema.",
                "Increased interstitial markings with septal lines, compatible with interstitial pulmonary edema.",
            ]
        )
        if style == "german":
            f = "Signs of pulmonary venous congestion with interstitial edema."
        i = rng.choice(
            ["Pulmonary edema.", "Congestive heart failure with interstitial edema.", "Interstitial pulmonary edema."]
        )
        if style == "german":
            i = "Cardiac decompensation with interstitial pulmonary edema."
        d.update(f=f, i=i, sig=True, neg_i=rng.choice(["No pulmonary edema.", "No signs of congestion."]))
    elif concept == "cardiomegaly":
        d["lat"] = False
        g = rng.choice(["mild", "moderate"])
        f = rng.choice([f"The heart is {g}ly enlarged.", f"{cap(g)} cardiomegaly."])
        if style == "japanese":
            f = f"Cardiomegaly with CTR {rng.choice([56, 58, 61])}%."
        i = f"{cap(g)} cardiomegaly."
        d.update(
            f=f, i=i, sig=False, neg_i=rng.choice(["Heart size is normal.", "Normal cardiac size.", "No cardiomegaly."])
        )
        d["slots"]["grade"] = g
    elif concept == "mediastinum":
        d["lat"] = False
        f = rng.choice(
            [
                "The superior mediastinum is widened, measuring approximately 9 cm at the level of the aortic arch.",
                "New widening of the mediastinum with indistinct aortic knob.",
            ]
        )
        i = "Widened mediastinum; CT angiography of the chest is recommended to exclude aortic injury."
        d.update(f=f, i=i, sig=True, neg_i="Mediastinum is of normal width.")
    elif concept == "free_air":
        f = "Free air is seen beneath the {side} hemidiaphragm."
        i = "Free intraperitoneal air (pneumoperitoneum). Referring physician notified."
        d.update(f=f, i=i, sig=True, neg_i="No free air under the diaphragm.")
        d["lat"] = False  # impression has no side
    return d


def fmt(t: str, side: str) -> str:
    return cap(t.replace("{side}", side).replace("{Side}", cap(side)))


# normal sentences by style: (concept it rules out or None, sentence)
NORMALS = {
    "native": [
        ("cardiomegaly", "The heart is normal in size."),
        ("mediastinum", "The mediastinal contours are unremarkable."),
        ("consolidation", "The lungs are clear without focal consolidation."),
        ("effusion", "No pleural effusion."),
        ("pneumothorax", "No pneumothorax."),
        (None, "Osseous structures are intact."),
        ("edema", "Pulmonary vascularity is within normal limits."),
    ],
    "native2": [
        ("cardiomegaly", "Cardiomediastinal silhouette is within normal limits."),
        ("consolidation", "No focal airspace disease."),
        ("effusion+pneumothorax", "No pleural effusion or pneumothorax."),
        (None, "No acute osseous abnormality."),
        ("edema", "No pulmonary edema."),
    ],
    "german": [
        ("cardiomegaly", "Regular heart size."),
        ("mediastinum", "Slender mediastinum."),
        ("consolidation", "No pneumonic infiltrates."),
        ("effusion", "No pleural effusions, costophrenic recesses free."),
        ("pneumothorax", "No pneumothorax."),
        ("edema", "No signs of pulmonary venous congestion."),
        (None, "Age-appropriate skeletal structures."),
    ],
    "dutch": [
        ("cardiomegaly", "Normal aspect of heart."),
        ("mediastinum", "Normal mediastinum."),
        ("consolidation", "No signs of consolidation."),
        ("effusion", "No pleural fluid."),
        ("pneumothorax", "No pneumothorax."),
        ("edema", "No signs of decompensation."),
    ],
    "spanish": [
        ("cardiomegaly", "Cardiothoracic index within normal limits."),
        ("mediastinum", "Mediastinum centered and of normal width."),
        ("consolidation", "No pulmonary infiltrates or consolidations are observed."),
        ("effusion", "Free costophrenic angles."),
        ("pneumothorax", "No pneumothorax is observed."),
        (None, "Bony structures without alterations."),
    ],
    "french": [
        ("cardiomegaly", "Cardiac silhouette of normal size."),
        ("consolidation", "No focus of parenchymal condensation."),
        ("effusion", "Pleural sinuses are free."),
        ("pneumothorax", "Absence of pneumothorax."),
        ("mediastinum", "Mediastinum not enlarged."),
        (None, "No visible bone lesion."),
    ],
    "chinese": [
        ("consolidation", "Lung markings of both lungs are clear, no obvious abnormal density shadow."),
        ("cardiomegaly", "Heart shadow is not enlarged."),
        ("mediastinum", "Mediastinum is centered."),
        ("effusion", "Bilateral diaphragmatic surfaces are smooth and costophrenic angles are sharp."),
        ("pneumothorax", "No pneumothorax sign."),
    ],
    "japanese": [
        ("consolidation", "No abnormal shadow in bilateral lung fields."),
        ("cardiomegaly", "CTR 46%, no cardiomegaly."),
        ("effusion", "Bilateral CP angles are sharp."),
        ("pneumothorax", "No pneumothorax."),
        ("mediastinum", "No mediastinal widening."),
    ],
    "arabic": [
        ("consolidation", "Both lung fields are clear."),
        ("cardiomegaly", "Heart is average in size."),
        ("effusion", "Both CP angles are free."),
        ("pneumothorax", "No pneumothorax."),
        ("mediastinum", "Mediastinum is central."),
        (None, "Bony thoracic cage is intact."),
    ],
    "telerad": [
        ("cardiomegaly", "The cardiac silhouette appears within normal limits for size given the AP technique."),
        ("mediastinum", "The mediastinal contours are grossly unremarkable."),
        (
            "consolidation",
            "No definite focal consolidation is identified, "
            "although a subtle early infiltrate cannot be entirely excluded radiographically.",
        ),
        ("effusion", "No pleural effusion is seen."),
        ("pneumothorax", "No pneumothorax is appreciated."),
        (None, "Visualized osseous structures are grossly intact, within the limits of radiography."),
    ],
}

NORMAL_IMP = {
    "native": [
        "No acute cardiopulmonary process.",
        "No acute cardiopulmonary abnormality.",
        "No acute disease in the chest.",
        "Negative chest.",
    ],
    "german": ["No pathological findings in the chest.", "No evidence of acute cardiopulmonary disease."],
    "dutch": ["No abnormalities.", "No signs of acute pathology."],
    "spanish": ["Chest radiograph without significant alterations.", "No acute pathology is identified."],
    "french": ["Normal chest radiograph.", "No acute abnormality."],
    "chinese": ["No obvious abnormality in heart, lungs and diaphragm.", "No obvious abnormality on chest radiograph."],
    "japanese": ["No obvious abnormal findings.", "No significant abnormality."],
    "arabic": ["Normal chest X-ray.", "Unremarkable study."],
    "telerad": [
        "No acute cardiopulmonary process radiographically, within the limitations of a single portable view.",
        "No radiographic evidence of acute cardiopulmonary disease.",
    ],
}

INDICATIONS = [
    "cough",
    "shortness of breath",
    "chest pain",
    "fever and cough",
    "pre-operative",
    "dyspnea on exertion",
    "follow up pneumonia",
    "fall, chest wall pain",
    "hypoxia",
    "R/O pneumonia",
    "productive cough x 2 weeks",
]

HEADERS = {
    "html": [
        ("<b>FINDINGS</b>", "<b>IMPRESSION</b>"),
        ("<b>Findings:</b>", "<b>Impression:</b>"),
        ("FINDINGS:", "IMPRESSION:"),
    ],
    "rtf": [("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:")],
    "teletype": [("FINDINGS:", "IMPRESSION:"), ("FINDINGS", "CONCLUSION"), ("REPORT:", "IMPRESSION:")],
    "glued": [("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:"), ("FINDINGS:", "IMP:")],
    "semicolon": [("FINDINGS:", "IMPRESSION:"), ("Findings:", "Impression:")],
    "german": [
        ("Findings:", "Assessment:"),
        ("Findings:", "Evaluation:"),
        ("Report:", "Assessment:"),
        ("Findings:", "Judgement:"),
    ],
    "dutch": [("Report:", "Conclusion:"), ("Findings:", "Conclusion:")],
    "spanish": [("Findings:", "Conclusion:"), ("Description:", "Diagnosis:"), ("Report:", "Result:")],
    "french": [("Results:", "Conclusion:"), ("Findings:", "Conclusion:")],
    "chinese": [
        ("Imaging findings:", "Imaging diagnosis:"),
        ("Findings:", "Impression:"),
        ("Image findings:", "Diagnosis:"),
    ],
    "japanese": [("Findings:", "Diagnosis:"), ("Findings:", "Impression:")],
    "arabic": [("Findings:", "Opinion:"), ("Findings:", "Comment:"), ("Findings:", "Conclusion:")],
    "telerad": [("FINDINGS:", "IMPRESSION:")],
    "va": [("Report:", "Impression:"), ("FINDINGS:", "IMPRESSION:")],
    "narrative": [("", "CONCLUSION:"), ("", "OPINION:"), ("", "IMPRESSION:")],
}

RECOMMEND = [
    "Clinical correlation is recommended. If symptoms persist or worsen, follow-up radiographs,"
    " or CT of the chest if clinically "
    "warranted, may be obtained for further evaluation. Comparison with any outside prior imaging, if available, "
    "would be helpful "
    "and an addendum can be issued upon request.",
    "Recommend correlation with clinical history, physical examination and laboratory values. "
    "Please note that radiography has "
    "limited sensitivity and a normal or near-normal radiograph does not exclude early or subtle disease; "
    "consider short-interval "
    "follow-up as clinically indicated.",
]
DISCLAIMER = [
    "This study was interpreted remotely by a board-certified radiologist via teleradiology. "
    "Preliminary results, if any, "
    "were communicated per protocol.",
    "Electronically signed by: ___, MD  ___ (Teleradiology Services)",
]


class Case:
    """Structured report: sentences of FINDINGS and items of IMPRESSION, plus rendering state."""

    def __init__(self, style, findings, impression, indication="", comparison="", source="composed", uid=None):
        self.style, self.findings, self.impression = style, list(findings), list(impression)
        self.indication, self.comparison, self.source, self.uid = indication, comparison, source, uid
        self.f_state = self.i_state = "ok"  # ok | empty | absent
        self.protect: set[str] = set()
        self.normal_code = True
        self.significant = False
        self.meta: dict = {}


def compose(rng, style, abnormal: bool, need=None):
    """Compose a report; returns (Case, list of finding dicts with rendered f/i, normal-sentence concepts)."""
    bank_key = style if style in NORMALS else rng.choice(["native", "native2"])
    normals = list(NORMALS[bank_key])
    finds = []
    if abnormal:
        pool = [
            "consolidation",
            "effusion",
            "pneumothorax",
            "nodule",
            "mass",
            "collapse",
            "atelectasis",
            "granuloma",
            "rib",
            "edema",
            "cardiomegaly",
            "mediastinum",
            "free_air",
        ]
        weights = [5, 5, 3, 3, 1, 2, 3, 2, 1, 3, 4, 1, 1]
        chosen = list(need or [])
        k = rng.choice([1, 1, 2, 2, 3]) - len(chosen)
        while k > 0:
            c = rng.choices(pool, weights)[0]
            if c not in chosen:
                chosen.append(c)
                k -= 1
        sides = {}
        for c in chosen:
            fd = finding(rng, c, style)
            # keep one side per concept family simple: avoid two findings sharing concept terms on opposite sides
            sides[c] = fd["side"]
            finds.append(fd)
        blocked = {fd["concept"] for fd in finds}
        if "collapse" in blocked or "atelectasis" in blocked or "nodule" in blocked or "mass" in blocked:
            blocked.add("consolidation")
        if "edema" in blocked:
            blocked.add("consolidation")
        kept = []
        for c, x in normals:
            parts = (c or "").split("+")
            if c is None:
                if "rib" not in blocked:
                    kept.append((c, x))
            elif not any(p in blocked for p in parts):
                kept.append((c, x))
            elif len(parts) > 1:
                kept += [
                    (p, {"effusion": "No pleural effusion.", "pneumothorax": "No pneumothorax."}[p])
                    for p in parts
                    if p not in blocked
                ]
        normals = kept
    for fd in finds:
        fd["F"], fd["I"] = fmt(fd["f"], fd["side"]), fmt(fd["i"], fd["side"])
    # order: abnormal findings in anatomical-ish mix with normals
    sent = [("N", c, s) for c, s in normals]
    for fd in finds:
        sent.insert(rng.randrange(len(sent) + 1), ("A", fd["concept"], fd))
    findings = [x if kind == "N" else x["F"] for kind, c, x in sent]
    imp_style = style if style in NORMAL_IMP else "native"
    sig = [fd for fd in finds if fd["sig"]]
    minor = [fd for fd in finds if not fd["sig"]]
    if not finds:
        impression = [rng.choice(NORMAL_IMP[imp_style])]
    else:
        impression = [fd["I"] for fd in sig] + [
            fd["I"]
            for fd in minor
            if rng.random() < 0.75 or not sig or (fd["concept"] == "cardiomegaly" and fd["slots"]["grade"] != "mild")
        ]
    neg_concepts = {p for c, _ in normals if c for p in c.split("+")}
    ind = rng.choice(INDICATIONS)
    comp = rng.choice(
        [
            "None.",
            "None available.",
            "Prior chest radiograph from 3 months earlier.",
            "PA/lateral of last year.",
            "No prior studies.",
        ]
    )
    case = Case(style, findings, impression, ind, comp)
    case.normal_code = not finds
    case.significant = bool(sig)
    return case, finds, neg_concepts


# ---------------------------------------------------------------- IU reports
def load_iu(shared: Path):
    dev = set()
    for line in open(shared / "eval" / "report_errors_dev.jsonl"):
        line = line.strip()
        if line:
            dev.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in dev:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            out.append(
                {
                    "uid": uid,
                    **{k.lower(): d.get(k, "") for k in ("INDICATION", "COMPARISON", "FINDINGS", "IMPRESSION")},
                }
            )
    out.sort(key=lambda r: int(r["uid"][3:]))
    return out, dev


def split_sents(text: str):
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.\.+", ".", text)
    parts = re.split(r"(?<=[.])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def split_imp(text: str):
    text = re.sub(r"\s+", " ", text).strip()
    items = re.split(r"\s*(?:^|\s)\d\.\s+", " " + text)
    items = [i.strip() for i in items if i.strip()]
    out = []
    for it in items:
        out.extend(split_sents(it))
    return out


REWORD = [
    (r"\bThere is no\b", ["No"]),
    (r"\bThere are no\b", ["No"]),
    (
        r"\bNo acute cardiopulmonary abnormality\b",
        ["No acute cardiopulmonary findings", "No acute abnormality of the chest"],
    ),
    (r"\bThe lungs are clear\b", ["Lungs are clear", "Both lungs are clear"]),
    (r"\bHeart size is normal\b", ["Normal heart size", "Heart size normal"]),
    (r"\bwithin normal limits\b", ["normal", "within normal range"]),
    (r"\bNo pneumothorax\b", ["No pneumothorax", "No evidence of pneumothorax"]),
    (r"\bis identified\b", ["is seen", "is noted"]),
]
FOREIGN_REWORD = {
    "german": [
        (r"\bNo focal consolidation\b", "No pneumonic infiltrates"),
        (r"\bHeart size is normal\b", "Regular heart size"),
        (r"\bNormal heart size\b", "Regular heart size"),
    ],
    "spanish": [(r"\bNo pleural effusion\b", "No pleural effusion is observed"), (r"\bis seen\b", "is observed")],
    "french": [
        (r"\bNo pneumothorax\b", "Absence of pneumothorax"),
        (r"\bNo pleural effusion\b", "No pleural effusion visible"),
    ],
    "chinese": [(r"\bThe lungs are clear\b", "Both lung fields are clear"), (r"\bis seen\b", "is visible")],
    "japanese": [(r"\bis seen\b", "is pointed out"), (r"\bNo pneumothorax\b", "Pneumothorax is not seen")],
    "arabic": [
        (r"\bThe lungs are clear\b", "Both lung fields are clear"),
        (r"\bHeart size is normal\b", "Heart is average in size"),
    ],
    "dutch": [(r"\bNo focal consolidation\b", "No signs of consolidation")],
}


def reword(rng, sents, style):
    out = []
    for s in sents:
        for pat, reps in REWORD:
            if re.search(pat, s) and rng.random() < 0.4:
                s = re.sub(pat, rng.choice(reps), s, count=1)
        for pat, rep in FOREIGN_REWORD.get(style, []):
            if re.search(pat, s) and rng.random() < 0.6:
                s = re.sub(pat, rep, s, count=1)
        out.append(s)
    return out


def iu_case(rng, r, style):
    c = Case(
        style,
        reword(rng, split_sents(r["findings"]), style),
        reword(rng, split_imp(r["impression"]), style),
        r["indication"],
        r["comparison"],
        source="iu",
        uid=r["uid"],
    )
    c.normal_code = all(
        re.match(r"(no |negative|normal|unremarkable|clear|stable)", x, re.I) for x in c.impression
    ) and not re.search(r"\b(left|right|opacit|cardiomegaly|effusion)\b", r["impression"], re.I)
    return c


NEG = re.compile(
    r"\b(no|not|without|negative|free|clear|resolved|resolution|removed|absence|absent|exclude|excluded|"
    r"normal|unremarkable|stable|unchanged|chronic|old|healed|prior|previous|may|possible|possibly|probable|"
    r"likely|questionable|suggest|suspect|could|cannot|versus|vs|small|tiny|trace|minimal|mild|borderline|"
    r"subsegmental|linear|scar|scarring|granuloma|calcified|improv|decreas|resolv|postoperative|surgical)\b",
    re.I,
)
NEG_STEM = re.compile(r"\b(improv|decreas|resolv|resid|persist|again|interval|clear|diminish|less|small)", re.I)
SIG_IU = {
    "pneumothorax": r"\bpneumothorax\b",
    "consolidation": r"\b(consolidation|airspace disease|airspace opacity|pneumonia|infiltrate)\b",
    "edema": r"\b(pulmonary edema|interstitial edema|vascular congestion)\b",
    "effusion": r"\b(moderate|large) (right|left|bilateral)? ?pleural effusions?\b",
    "mass": r"\bmass\b",
    "collapse": r"\bcollapse\b",
}


def iu_affirmed(sents, concept):
    """Indices of sentences that plainly affirm a significant finding of `concept`."""
    hits = []
    for k, s in enumerate(sents):
        if (
            re.search(SIG_IU[concept], s, re.I)
            and not NEG.search(s)
            and not NEG_STEM.search(s)
            and "XXXX" not in s
            and "?" not in s
        ):
            hits.append(k)
    return hits


def iu_clean_ok(r):
    f, i = r["findings"], r["impression"]
    if not f.strip() or not i.strip() or len(f) < 40:
        return False
    if re.search(r"\b(right|left)\b", i, re.I):
        for sd in ("right", "left"):
            if re.search(rf"\b{sd}\b", i, re.I) and not re.search(rf"\b{sd}\b", f, re.I):
                return False
    fs = split_sents(f)
    for c in SIG_IU:
        if iu_affirmed(fs, c) and not mentions(i, c):
            return False
    return "___" not in f + i and "[" not in f + i


# ---------------------------------------------------------------- noise overlays
TYPOS = {
    "effusion": "effussion",
    "pneumothorax": "pnuemothorax",
    "cardiomegaly": "cardiomegally",
    "hemidiaphragm": "hemidiaphram",
    "pleural": "plural",
    "silhouette": "silhoutte",
    "consolidation": "consolodation",
    "atelectasis": "atelectesis",
    "tortuous": "torturous",
    "discrete": "discreet",
    "callus": "callous",
    "osseous": "osseus",
    "mediastinum": "mediastinun",
    "vascularity": "vascularty",
    "unremarkable": "unremarkabe",
}


def noisy(rng, text, protect):
    if rng.random() < 0.22:
        cands = [w for w in TYPOS if re.search(rf"\b{w}\b", text, re.I) and w not in protect]
        if cands:
            w = rng.choice(cands)
            ms = list(re.finditer(rf"\b{w}\b", text))
            if ms:
                m = rng.choice(ms)
                text = text[: m.start()] + TYPOS[w] + text[m.end() :]
    if rng.random() < 0.10:
        ms = list(re.finditer(r"\b(the|is|of|and) ", text))
        if ms:
            m = rng.choice(ms)
            text = text[: m.end()] + m.group(0) + text[m.end() :]
    if rng.random() < 0.15:
        text = re.sub(r"\. ", lambda m: ".  " if rng.random() < 0.5 else ". ", text)
    return text


# ---------------------------------------------------------------- rendering
def _fin_text(case, rng, style):
    f = case.findings
    if style == "semicolon":
        return "; ".join(s.rstrip(".") for s in f) + "."
    if style == "va" and rng.random() < 0.6:
        return "\n".join(f"{k}. {s}" for k, s in enumerate(f, 1))
    return " ".join(f)


def _imp_text(case, rng, style):
    items = case.impression
    if style == "va" or (len(items) > 1 and rng.random() < 0.5):
        return "\n".join(f"{k}. {s}" for k, s in enumerate(items, 1))
    return " ".join(items)


def render(case: Case, rng) -> tuple[str, str, str]:
    """Return (report, findings_text, impression_text)."""
    st = case.style
    fh, ih = rng.choice(HEADERS[st])
    ftxt = _fin_text(case, rng, st) if case.f_state == "ok" else ""
    itxt = _imp_text(case, rng, st) if case.i_state == "ok" else ""
    ind = case.indication or "Not given."
    comp = case.comparison or "None."
    lines = []
    if st == "html":
        br = rng.choice(["<br>", "<br/>", "<BR>"])
        sep = rng.choice([br, br + br, br + "&nbsp;" + br])
        out = f"<b>EXAM:</b> XR CHEST 2 VIEWS{br}<b>HISTORY:</b>&nbsp;{ind}{br}<b>COMPARISON:</b> {comp}{sep}"
        if case.f_state != "absent":
            out += f"{fh}{br}{ftxt.replace(chr(10), br)}{sep}"
        if case.i_state != "absent":
            out += f"{ih}{br}{itxt.replace(chr(10), br) if itxt else '&nbsp;'}{br}"
        out += f"&nbsp;{br}Dictated by: Dr. ___{br}"
        report = out
    elif st == "rtf":
        out = "{\\rtf1\\ansi\\deff0 {\\fonttbl{\\f0 Arial;}}\\f0\\fs20 "
        out += f"\\b CLINICAL INDICATION:\\b0  {ind}\\par\n\\b COMPARISON:\\b0  {comp}\\par\n\\par\n"
        if case.f_state != "absent":
            out += f"\\b {fh}\\b0 \\par\n{ftxt}\\par\n\\par\n"
        if case.i_state != "absent":
            out += f"\\b {ih}\\b0 \\par\n{itxt}\\par\n"
        out += "}"
        if rng.random() < 0.5:  # partially stripped by the interface
            out = out.replace("{\\rtf1\\ansi\\deff0 {\\fonttbl{\\f0 Arial;}}\\f0\\fs20 ", "").rstrip("}")
        report = out
    elif st == "teletype":
        width = rng.choice([60, 64, 66, 70])
        lines = ["RADIOLOGY REPORT - FINAL", "EXAM: CHEST PA/LAT", f"CLINICAL HX: {ind}", f"COMPARISON: {comp}", ""]
        if case.f_state != "absent":
            lines.append(fh)
            lines += textwrap.wrap(ftxt, width) if ftxt else [""]
            lines.append("")
        if case.i_state != "absent":
            lines.append(ih)
            for it in itxt.split("\n") if itxt else [""]:
                lines += textwrap.wrap(it, width) or [""]
            lines.append("")
        lines.append(rng.choice(["-- END OF REPORT --", "END OF REPORT", "=== FINAL ==="]))
        report = "\n".join(lines).upper()
    elif st == "glued":
        nl = "\n" * rng.choice([1, 3, 4])
        parts = [f"INDICATION:{ind}", f"COMPARISON:{comp}"]
        if case.f_state != "absent":
            parts.append(f"{fh}{ftxt}")
        if case.i_state != "absent":
            parts.append(f"{ih}{itxt}")
        report = nl.join(parts)
    elif st == "semicolon":
        parts = [f"CLINICAL: {ind}", f"TECHNIQUE: PA and lateral views; comparison: {comp}"]
        if case.f_state != "absent":
            parts.append(f"{fh} {ftxt}")
        if case.i_state != "absent":
            parts.append(f"{ih} {itxt}")
        report = "\n".join(parts)
    elif st in FOREIGN:
        pre = {
            "german": [f"Clinical question: {ind.rstrip('.')}?", f"Comparison: {comp}"],
            "dutch": [f"Clinical data: {ind}.", f"Comparison: {comp}"],
            "spanish": [f"Clinical data: {ind}.", "Study: PA and lateral chest radiograph."],
            "french": [f"Indication: {ind}.", "Technique: chest radiograph, frontal and lateral."],
            "chinese": ["Examination: Chest DR, PA and lateral.", f"Clinical diagnosis: {ind}"],
            "japanese": [f"Clinical information: {ind}", "Chest X-ray, PA standing."],
            "arabic": ["Plain X-ray chest PA view.", f"Clinical data: {ind}"],
        }[st]
        sep = "\n\n" if rng.random() < 0.6 else "\n"
        parts = ["\n".join(pre)]
        if case.f_state != "absent":
            parts.append(f"{fh}\n{ftxt}" if rng.random() < 0.5 else f"{fh} {ftxt}")
        if case.i_state != "absent":
            parts.append(f"{ih}\n{itxt}" if "\n" in itxt or rng.random() < 0.5 else f"{ih} {itxt}")
        tail = {
            "german": "With kind regards",
            "dutch": "Kind regards,",
            "french": "Best regards, Dr. ___",
            "spanish": "Sincerely, Dr. ___",
            "chinese": "Reporting physician: ___  Reviewing physician: ___",
            "japanese": "Reading physician: ___",
            "arabic": "With best regards",
        }[st]
        parts.append(tail)
        report = sep.join(parts)
    elif st == "telerad":
        parts = [
            "EXAMINATION: " + ("XR CHEST 1 VIEW PORTABLE" if case.source == "composed" else "XR CHEST 2 VIEWS PA/LAT"),
            f"CLINICAL HISTORY: {ind}",
            "TECHNIQUE: "
            + (
                "Single frontal view of the chest."
                if case.source == "composed"
                else "PA and lateral views of the chest."
            ),
            f"COMPARISON: {comp}",
        ]
        if case.f_state != "absent":
            parts.append(f"{fh}\n{ftxt}")
        if case.i_state != "absent":
            parts.append(f"{ih}\n{itxt}")
        parts.append("RECOMMENDATIONS: " + rng.choice(RECOMMEND))
        parts.append(rng.choice(DISCLAIMER))
        report = "\n\n".join(parts)
    elif st == "va":
        code = (
            "NORMAL" if case.normal_code else "ABNORMALITY, ATTN. NEEDED" if case.significant else "MINOR ABNORMALITY"
        )
        parts = [
            "Exm Date: ___",
            "Req Phys: ___",
            "Exam: CHEST 2 VIEWS PA&LAT",
            "Status: VERIFIED",
            "",
            f"Clinical History:\n  {ind}",
            "",
        ]
        if case.f_state != "absent":
            parts.append(f"{fh}\n{ftxt}\n")
        if case.i_state != "absent":
            parts.append(f"{ih}\n{itxt}\n")
        parts.append(f"Primary Diagnostic Code: {code}")
        parts.append("Interpreting Staff:\n  ___, Staff Radiologist")
        report = "\n".join(parts)
    else:  # narrative
        head = rng.choice(
            ["PA AND LATERAL CHEST:", "CHEST, TWO VIEWS:", "Chest radiograph, PA and lateral projections."]
        )
        body = ftxt
        if case.f_state == "empty":
            body = ""
        lead = f"{head} " + (
            f"Compared with {comp.rstrip('.').lower()}. " if comp not in ("None.", "None available.") else ""
        )
        parts = [lead + body] if case.f_state != "absent" else []
        if case.i_state != "absent":
            parts.append(f"{ih} {itxt}")
        report = "\n\n".join(parts)
    return report, ftxt, itxt


# ---------------------------------------------------------------- placeholders
PH_SIDE = ["[LEFT/RIGHT]", "[right/left]", "***", "[side]"]
PH_SIZE = ["___ mm", "XX mm", "[size] mm", "__ mm"]
PH_CM = ["___ cm", "XX cm", "__ cm"]
PH_GRADE = ["[mild/moderate/severe]", "[small/moderate/large]", "[***]", "<grade>"]
PH_NORMAL = [
    ("cardiomegaly", "Heart size is [normal/enlarged]."),
    ("cardiomegaly", "CTR ___%."),
    ("consolidation", "Lungs: [***]."),
    ("effusion", "No pleural effusion or [***]."),
    (None, "Bones: <insert>."),
    ("pneumothorax", "Pneumothorax: [none/small/large]."),
]


# ---------------------------------------------------------------- injections
class Skip(Exception):
    pass


def inject_composed(rng, kind, style):
    if kind == "missing_section":
        abn = rng.random() < 0.5
        case, finds, _ = compose(rng, style, abn)
        r = rng.random()
        if r < 0.45:
            case.i_state = "absent" if style != "html" or rng.random() < 0.5 else "empty"
            detail = (
                "IMPRESSION removed" if case.i_state == "absent" else "IMPRESSION header left with nothing under it"
            )
        elif r < 0.75:
            case.i_state = "empty"
            detail = "IMPRESSION header kept, content deleted"
        else:
            if style == "narrative":
                case.f_state = "empty"
                case.impression = [rng.choice(NORMAL_IMP["native"])]
                detail = "narrative body deleted; only a bare conclusion left"
            else:
                case.f_state = "empty"
                detail = "FINDINGS header kept, content deleted"
        return case, detail, set()
    if kind == "laterality_conflict":
        lat = rng.choice(
            ["consolidation", "effusion", "pneumothorax", "nodule", "collapse", "atelectasis", "mass", "granuloma"]
        )
        case, finds, _ = compose(rng, style, True, need=[lat])
        fd = next(f for f in finds if f["concept"] == lat)
        if "middle lobe" in fd["f"] + fd["i"]:
            raise Skip
        if fd["I"] not in case.impression:
            case.impression.append(fd["I"])
        new = opp(fd["side"])
        if rng.random() < 0.5:
            k = case.findings.index(fd["F"])
            case.findings[k] = fmt(fd["f"], new)
            case.meta = {"f": case.findings[k], "i": fd["I"], "fs": new, "is": fd["side"]}
            detail = f"{lat}: side flipped to {new} in FINDINGS (IMPRESSION says {fd['side']})"
        else:
            k = case.impression.index(fd["I"])
            case.impression[k] = fmt(fd["i"], new)
            case.meta = {"f": fd["F"], "i": case.impression[k], "fs": fd["side"], "is": new}
            detail = f"{lat}: side flipped to {new} in IMPRESSION (FINDINGS say {fd['side']})"
        # other findings must not use the flipped concept on the other side
        return case, detail, {"right", "left", lat}
    if kind == "negation_conflict":
        if rng.random() < 0.55:
            c = rng.choice(
                ["consolidation", "effusion", "pneumothorax", "cardiomegaly", "edema", "cardiomegaly", "mass"]
            )
            case, finds, _ = compose(rng, style, True, need=[c])
            fd = next(f for f in finds if f["concept"] == c)
            neg = fd["neg_i"]
            if (
                c == "consolidation"
                and neg == "Lungs are clear."
                and any(f["concept"] in ("nodule", "mass", "collapse", "atelectasis") for f in finds)
            ):
                neg = "No focal consolidation."
            if fd["I"] in case.impression:
                case.impression[case.impression.index(fd["I"])] = neg
            else:
                case.impression.insert(0, neg)
            case.meta = {"f": fd["F"], "i": neg}
            detail = f"FINDINGS affirm {c} ({fd['F']!r}); IMPRESSION says {neg!r}"
            return case, detail, {c}
        case, finds, negs = compose(rng, style, rng.random() < 0.4)
        opts = [c for c in sorted(negs) if c in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "edema")]
        if not opts:
            raise Skip
        c = rng.choice(opts)
        fd = finding(rng, c, style)
        add = fmt(fd["i"], fd["side"])
        if (
            case.impression
            and re.match(r"(No |Normal|Negative|Unremarkable|Chest radiograph without|No obvious)", case.impression[0])
            and len(finds) == 0
        ):
            case.impression = [add]
        else:
            case.impression.insert(0, add)
        case.normal_code = False
        neg_sent = next(s for cc, s in NORMALS_ALL() if cc == c and s in " ".join(case.findings))
        case.meta = {"f": neg_sent, "i": add}
        detail = f"IMPRESSION asserts {add!r}; FINDINGS rule it out ({neg_sent!r})"
        return case, detail, {c}
    if kind == "impression_omits_finding":
        c = rng.choice(
            [
                "consolidation",
                "effusion",
                "pneumothorax",
                "nodule",
                "edema",
                "collapse",
                "mass",
                "mediastinum",
                "free_air",
                "consolidation",
                "effusion",
                "pneumothorax",
            ]
        )
        normal_imp = rng.random() < 0.5
        for _ in range(30):
            case, finds, _ = compose(rng, style, True, need=[c])
            fd = next(f for f in finds if f["concept"] == c)
            others = [f for f in finds if f is not fd and not mentions(f["I"], c)]
            if normal_imp or others:
                break
        else:
            raise Skip
        if (
            fd["concept"] == "effusion"
            and fd["slots"].get("grade") == "small"
            and "new" not in fd["F"].lower()
            and "not present previously" not in fd["F"]
            and "newly" not in fd["F"]
        ):
            raise Skip
        if normal_imp:
            imps = NORMAL_IMP.get(style, NORMAL_IMP["native"])
            case.impression = [rng.choice(imps)]
            case.normal_code = True
            detail = f"FINDINGS: {fd['F']!r}; IMPRESSION replaced by a normal macro"
        else:
            case.impression = [f["I"] for f in others]
            detail = f"FINDINGS: {fd['F']!r}; IMPRESSION lists other findings only"
        return case, detail, {c}
    if kind == "placeholder":
        if rng.random() < 0.65:
            c = rng.choice(
                ["nodule", "effusion", "pneumothorax", "consolidation", "mass", "cardiomegaly", "atelectasis"]
            )
            case, finds, _ = compose(rng, style, True, need=[c])
            fd = next(f for f in finds if f["concept"] == c)
            sec = case.findings if rng.random() < 0.6 else case.impression
            src = fd["F"] if sec is case.findings else fd["I"]
            if src not in sec:
                sec, src = case.findings, fd["F"]
            k = sec.index(src)
            opts = []
            if "mm" in fd["slots"] and fd["slots"]["mm"] in src:
                unit = fd["slots"]["mm"].split()[1]
                opts.append((fd["slots"]["mm"], rng.choice(PH_SIZE if unit == "mm" else PH_CM)))
            if "grade" in fd["slots"] and re.search(rf"\b{fd['slots']['grade']}", src, re.I):
                opts.append(("grade", rng.choice(PH_GRADE)))
            if fd["lat"] and re.search(rf"\b{fd['side']}\b", src, re.I):
                opts.append(("side", rng.choice(PH_SIDE)))
            if not opts:
                raise Skip
            what, ph = rng.choice(opts)
            if what == "side":
                new = re.sub(rf"\b{fd['side']}\b", ph, src, count=1, flags=re.I)
            elif what == "grade":
                g = fd["slots"]["grade"]
                new = re.sub(rf"\b{g}(ly)?\b", ph, src, count=1, flags=re.I)
            else:
                new = src.replace(what, ph, 1)
            sec[k] = new
            detail = f"{what} of {c} left as template field {ph!r}"
            return case, detail, set()
        case, finds, negs = compose(rng, style, False)
        c, ph = rng.choice(PH_NORMAL)
        if c is None or c not in negs:
            case.findings.append(ph)
        else:
            idx = next(
                (k for k, s in enumerate(case.findings) if any(s == ns for cc, ns in NORMALS_ALL() if cc == c)), None
            )
            if idx is None:
                case.findings.append(ph)
            else:
                case.findings[idx] = ph
        return case, f"template line left unfilled: {ph!r}", set()
    raise ValueError(kind)


def NORMALS_ALL():
    return [(p, x) for v in NORMALS.values() for c, x in v for p in (c or "-").split("+")] + [
        ("effusion", "No pleural effusion."),
        ("pneumothorax", "No pneumothorax."),
    ]


def _bare_normal(imp: str) -> bool:
    return (
        re.fullmatch(
            r"(no acute (cardiopulmonary|cardiopulmonary abnormality|disease|abnormality|process|findings)[^.]*|"
            r"negative (chest|for acute[^.]*)|normal chest[^.]*|no active disease[^.]*)\.?",
            imp.strip(),
            re.I,
        )
        is not None
    )


SIDEWORD = re.compile(r"\b(right|left)\b", re.I)
CONCEPT_WORDS = (
    r"(effusion|pneumothorax|opacit|consolidat|atelecta|airspace|infiltrat|pneumonia|nodul|mass|granulom|fracture"
    r"|collapse|hemidiaphragm|scar|density)"
)


def inject_iu(rng, kind, r, style):
    case = iu_case(rng, r, style)
    F, Im = case.findings, case.impression
    if not F or not Im:
        raise Skip
    if kind == "missing_section":
        x = rng.random()
        if x < 0.4:
            case.i_state = "absent"
            return case, "IMPRESSION removed", set()
        if x < 0.75:
            case.i_state = "empty"
            return case, "IMPRESSION header kept, content deleted", set()
        if all(_bare_normal(s) for s in Im) and rng.random() < 0.5 and style != "narrative":
            case.f_state = "absent"
            return case, "FINDINGS removed; impression is a bare normal statement", set()
        case.f_state = "empty"
        return case, "FINDINGS header kept, content deleted", set()
    if kind == "laterality_conflict":
        ftext, itext = " ".join(F), " ".join(Im)
        if re.search(r"bilateral|both|bibasilar|\bleft\b.*\bright\b|\bright\b.*\bleft\b", ftext + " " + itext, re.I):
            raise Skip
        sides = {m.lower() for m in SIDEWORD.findall(ftext + " " + itext)}
        if len(sides) != 1:
            raise Skip
        side = sides.pop()
        groups = [
            r"effusion|pleural",
            r"pneumothorax",
            r"opacit|consolidat|airspace|air space|infiltrat|pneumonia|atelecta|densit|scar",
            r"nodul|mass|granulom",
            r"fracture|\brib\b",
            r"hemidiaphragm",
        ]
        fk = ik = []
        for g in rng.sample(groups, len(groups)):
            fk = [k for k, x in enumerate(F) if re.search(rf"\b{side}\b", x, re.I) and re.search(g, x, re.I)]
            ik = [k for k, x in enumerate(Im) if re.search(rf"\b{side}\b", x, re.I) and re.search(g, x, re.I)]
            if fk and ik:
                break
        if not fk or not ik or any("middle lobe" in x.lower() for x in F + Im):
            raise Skip
        new = opp(side)

        def flip(s):
            return re.sub(
                rf"\b{side}\b",
                lambda m: (
                    new
                    if m.group(0).islower()
                    else cap(new)
                    if m.group(0)[0].isupper() and not m.group(0).isupper()
                    else new.upper()
                ),
                s,
                flags=re.I,
            )

        if rng.random() < 0.5 or len(ik) > 1:
            if len(fk) > 1 and len(ik) == 1:
                k = ik[0]
                Im[k] = flip(Im[k])
                case.meta = {"f": F[fk[0]], "i": Im[k], "fs": side, "is": new}
                return case, f"side flipped {side}->{new} in IMPRESSION: {Im[k]!r}", {"right", "left"}
            for k in fk:
                F[k] = flip(F[k])
            case.meta = {"f": F[fk[0]], "i": Im[ik[0]], "fs": new, "is": side}
            return (
                case,
                f"side flipped {side}->{new} in FINDINGS sentence(s): {[F[k] for k in fk]!r}",
                {"right", "left"},
            )
        for k in ik:
            Im[k] = flip(Im[k])
        case.meta = {"f": F[fk[0]], "i": Im[ik[0]], "fs": side, "is": new}
        return case, f"side flipped {side}->{new} in IMPRESSION: {[Im[k] for k in ik]!r}", {"right", "left"}
    if kind == "negation_conflict":
        ftext = " ".join(F)
        # (a) findings affirm, impression negates
        aff = []
        for c, pat, neg in [
            (
                "cardiomegaly",
                r"\b(cardiomegaly|heart is (mildly |moderately )?enlarged|enlarged heart)\b",
                "Heart size is normal.",
            ),
            ("effusion", r"\bpleural effusion\b", "No pleural effusion."),
            ("consolidation", r"\b(consolidation|airspace disease|infiltrate|pneumonia)\b", "Lungs are clear."),
            ("pneumothorax", r"\bpneumothorax\b", "No pneumothorax."),
            ("edema", r"\b(pulmonary edema|vascular congestion)\b", "No pulmonary edema."),
        ]:
            for k, s in enumerate(F):
                if re.search(pat, s, re.I) and not re.search(
                    r"\b(no|not|without|negative|resolved|free|clear|exclude|may|possib|questionab|\?)", s, re.I
                ):
                    aff.append((c, k, neg))
                    break
        if aff and rng.random() < 0.6:
            c, k, neg = rng.choice(aff)
            keep = [s for s in Im if not mentions(s, c) and not re.search(r"\b(no acute|normal|clear)\b", s, re.I)]
            case.impression = [neg] + keep if rng.random() < 0.5 else keep + [neg]
            case.impression = [s for s in case.impression if s]
            case.meta = {"f": F[k], "i": neg}
            return case, f"FINDINGS affirm {c} ({F[k]!r}); IMPRESSION now says {neg!r}", {c}
        # (b) findings negate explicitly, impression asserts
        opts = []
        for c, pat, add in [
            (
                "pneumothorax",
                r"\bno (evidence of |visible |definite )?pneumothorax\b|\bpneumothorax is not\b",
                "Small {side} apical pneumothorax.",
            ),
            (
                "effusion",
                r"\bno (pleural effusion|effusion|pleural effusions)\b|\bwithout (pleural )?effusion",
                "Moderate {side} pleural effusion.",
            ),
            (
                "consolidation",
                r"\bno (focal )?(consolidation|airspace disease|infiltrates?)\b",
                "{Side} lower lobe pneumonia.",
            ),
        ]:
            if re.search(pat, ftext, re.I):
                opts.append((c, add, pat))
        if not opts:
            raise Skip
        c, add, pat = rng.choice(opts)
        s = fmt(add, rng.choice(["right", "left"]))
        case.meta = {"f": next(x for x in F if re.search(pat, x, re.I)), "i": s}
        rest = [
            x
            for x in Im
            if not mentions(x, c) and not re.match(r"(no |negative|normal|unremarkable|clear|stable)", x, re.I)
        ]
        case.impression = [s] + rest
        case.normal_code = False
        return case, f"IMPRESSION asserts {s!r}; FINDINGS rule out {c}", {c}
    if kind == "impression_omits_finding":
        cands = [(c, k) for c in SIG_IU for k in iu_affirmed(F, c)]
        if not cands:
            raise Skip
        c, k = rng.choice(cands)
        if rng.random() < 0.5:
            case.impression = [rng.choice(NORMAL_IMP.get(style, NORMAL_IMP["native"]))]
            case.normal_code = True
            return case, f"FINDINGS: {F[k]!r}; IMPRESSION replaced by a normal macro", {c}
        keep = [s for s in Im if not mentions(s, c) and not re.search(r"\b(no acute|normal|clear|negative)\b", s, re.I)]
        if not keep:
            case.impression = [rng.choice(NORMAL_IMP.get(style, NORMAL_IMP["native"]))]
            case.normal_code = True
            return case, f"FINDINGS: {F[k]!r}; IMPRESSION replaced by a normal macro", {c}
        case.impression = keep
        return case, f"FINDINGS: {F[k]!r}; IMPRESSION sentences naming it deleted, others kept", {c}
    if kind == "placeholder":
        opts = []
        for secname, sec in (("FINDINGS", F), ("IMPRESSION", Im)):
            for k, s in enumerate(sec):
                if "XXXX" in s:
                    continue
                if re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", s):
                    opts.append((secname, sec, k, "measure"))
                if re.search(r"\b(right|left)\b", s, re.I):
                    opts.append((secname, sec, k, "side"))
                if re.search(r"\b(mild|moderate|small|large|minimal)\b", s, re.I) and not re.search(
                    r"\b(no|not|without|negative)\b", s, re.I
                ):
                    opts.append((secname, sec, k, "grade"))
                if re.fullmatch(r"(the )?heart size is normal\.?|normal heart size\.?|heart size normal\.?", s, re.I):
                    opts.append((secname, sec, k, "heart"))
        if not opts:
            raise Skip
        secname, sec, k, what = rng.choice(opts)
        s = sec[k]
        if what == "measure":
            m = re.search(r"\b\d+(\.\d+)? ?(cm|mm)\b", s)
            ph = rng.choice(PH_SIZE if m.group(2) == "mm" else PH_CM)
            sec[k] = s[: m.start()] + ph + s[m.end() :]
        elif what == "side":
            ph = rng.choice(PH_SIDE)
            sec[k] = re.sub(r"\b(right|left)\b", ph, s, count=1, flags=re.I)
        elif what == "grade":
            ph = rng.choice(PH_GRADE)
            sec[k] = re.sub(r"\b(mild|moderate|small|large|minimal)\b", ph, s, count=1, flags=re.I)
        else:
            ph = "[normal/enlarged]"
            sec[k] = "Heart size is [normal/enlarged]."
        return case, f"{what} in {secname} replaced by template field {ph!r}: {sec[k]!r}", set()
    raise ValueError(kind)


# ---------------------------------------------------------------- verification
PH_RE = re.compile(
    r"\[(LEFT/RIGHT|right/left|side|size|\*\*\*|mild/moderate/severe|small/moderate/large|normal/enlarged|none/small/large)\]"
    r"|\*\*\*|___ ?(mm|cm|%)|__ (mm|cm)|XX (mm|cm)|<insert>|<grade>|: \[\*\*\*\]",
    re.I,
)


def verify(kind, case: Case, report, ftxt, itxt, detail):
    low = report.lower()
    if kind is None or kind != "placeholder":
        assert not PH_RE.search(report), ("placeholder-like token", report)
    if kind is None or kind != "missing_section":
        assert ftxt.strip() and itxt.strip() and case.f_state == case.i_state == "ok"
        assert ftxt.split()[0].lower()[:6] in low or ftxt.split()[0].upper()[:6] in report
    if kind == "missing_section":
        assert not (case.f_state == "ok" and case.i_state == "ok")
        if case.f_state == "absent":
            assert all(_bare_normal(s) or s in sum(NORMAL_IMP.values(), []) for s in case.impression), case.impression
    if kind in ("laterality_conflict", "negation_conflict"):
        m = case.meta
        assert m["f"] in ftxt.replace("\n", " ") or m["f"].rstrip(".") in ftxt, (m, ftxt)
        assert m["i"] in itxt.replace("\n", " ") or m["i"].rstrip(".") in itxt, (m, itxt)
    if kind == "laterality_conflict":
        m = case.meta
        assert re.search(rf"\b{m['fs']}\b", m["f"], re.I) and not re.search(rf"\b{m['is']}\b", m["f"], re.I), m
        assert re.search(rf"\b{m['is']}\b", m["i"], re.I) and not re.search(rf"\b{m['fs']}\b", m["i"], re.I), m
        assert re.search(r"\bright\b", low) and re.search(r"\bleft\b", low), report
        fs = {m.lower() for m in SIDEWORD.findall(ftxt)}
        is_ = {m.lower() for m in SIDEWORD.findall(itxt)}
        assert fs and is_ and (fs != is_ or case.source == "composed"), (fs, is_, report)
    elif kind == "impression_omits_finding":
        c = re.search(r"^FINDINGS: ", detail) and None
        assert c is None
    elif kind == "placeholder":
        assert PH_RE.search(report), report


def make_one(rng, kind, source, style, iu_pool):
    for _ in range(200):
        try:
            if source == "composed":
                case, detail, prot = (
                    inject_composed(rng, kind, style)
                    if kind
                    else (compose(rng, style, rng.random() < 0.55)[0], "", set())
                )
            else:
                pool = iu_pool[kind]
                r = pool[rng.randrange(len(pool))]
                if kind is None:
                    case, detail, prot = iu_case(rng, r, style), "", set()
                else:
                    if not r["findings"] or not r["impression"]:
                        raise Skip
                    case, detail, prot = inject_iu(rng, kind, r, style)
            if source == "iu" and case.uid in USED:
                raise Skip
            report, ftxt, itxt = render(case, rng)
            protect = set(prot)
            for c in prot:
                protect.update(w for w in TYPOS if re.search(TERMS.get(c, "^$"), w))
            if kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding"):
                protect.update(TYPOS)  # keep the words of the injected error intact
            report = noisy(rng, report, protect)
            if kind == "impression_omits_finding":
                c = next(iter(prot))
                assert not mentions(itxt, c), (c, itxt)
                for s in case.impression:
                    assert not mentions(s, c)
            if kind == "negation_conflict":
                pass
            verify(kind, case, report, ftxt, itxt, detail)
            if source == "iu":
                USED.add(case.uid)
            return {
                "injected": kind,
                "detail": detail or "unmodified",
                "report": report,
                "_src": source,
                "_style": style,
                "_uid": case.uid,
            }
        except Skip:
            continue
    raise RuntimeError(f"could not build {kind} {source} {style}")


USED: set[str] = set()


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if (
        not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists()
        or not (p / "eval" / "report_errors_dev.jsonl").exists()
    ):
        print(
            f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder "
            "(with data/iu_reports/NLMCXR_reports.tgz and eval/report_errors_dev.jsonl)",
            file=sys.stderr,
        )
        sys.exit(2)
    return p


def build(seed: int, shared: Path):
    USED.clear()
    iu, _dev = load_iu(shared)
    both = [r for r in iu if r["findings"] and r["impression"]]
    pools = {k: both for k in KINDS}
    pools[None] = [r for r in both if iu_clean_ok(r)]
    pools["impression_omits_finding"] = [
        r for r in both if any(iu_affirmed(split_sents(r["findings"]), c) for c in SIG_IU)
    ]
    pools["laterality_conflict"] = [
        r for r in both if SIDEWORD.search(r["findings"]) and SIDEWORD.search(r["impression"])
    ]
    rng = random.Random(seed)
    rows = []
    for kind, n in [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]:
        for source in ("composed", "iu"):
            styles = []
            while len(styles) < n // 2:
                s = list(STYLES)
                rng.shuffle(s)
                styles += s
            for st in styles[: n // 2]:
                rows.append(make_one(rng, kind, source, st, pools))
    rng.shuffle(rows)
    for k, row in enumerate(rows):
        row["id"] = "h12-" + hashlib.sha1(f"{seed}:{k}:{row['report']}".encode()).hexdigest()[:12]
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1301)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(
                json.dumps(
                    {"id": row["id"], "injected": row["injected"], "detail": row["detail"], "report": row["report"]}
                )
                + "\n"
            )
    if a.show:
        for kind in [None] + KINDS:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {kind} [{row['_src']}/{row['_style']}] {row['detail']}\n{row['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
