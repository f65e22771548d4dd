# ruff: noqa: E741  (F / I name the findings and impression sentence lists throughout)
"""Held-out report-error set 161: acute surgical / emergency general surgery chest films (UK and US).

Written blind (without looking at the checker).  Usage:

    python -m bench.make_heldout161 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of
the five kinds of ``shared/eval/README.md``.  Half of every group is composed from the phrase bank
below (erect films for free gas, post-laparotomy basal atelectasis and effusions, pancreatitis with
left effusions, small-bowel obstruction and aspiration, NG tube checks, subphrenic collections), half
is real IU reports re-laid out and lightly re-worded in this setting's style.

``MEDRAG_SHARED_DIR`` overrides where the shared folder is (default ``../shared`` beside the repo root).
Standard library only.
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
from functools import cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared"


def iu_archive_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------
# small text helpers


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def flip_side_word(m: re.Match) -> str:
    w = m.group(0)
    new = "right" if w.lower() == "left" else "left"
    if w.isupper():
        return new.upper()
    if w[0].isupper():
        return new.capitalize()
    return new


SIDE_RE = re.compile(r"\b(left|right)\b", re.I)


def flip_sides(sentence: str) -> str:
    return SIDE_RE.sub(flip_side_word, sentence)


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", (text or "").strip())
    if not text:
        return []
    text = re.sub(r"\.(\s*\.)+", ".", text)
    parts = re.split(r"(?<=[.!?])(?<!Dr\.)(?<!St\.)\s*(?=[A-Z\[(])|(?<=[.!?])\s+(?=\d+\.\s)", text)
    out: list[str] = []
    carry = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if re.fullmatch(r"\d+\.", p):
            carry = ""  # drop old numbering; we renumber ourselves
            continue
        p = re.sub(r"^\d+\.\s*", "", p)
        out.append(carry + p)
        carry = ""
    return [s if s.endswith((".", "!", "?")) else s + "." for s in out if s]


# ----------------------------------------------------------------------------------------------
# the setting: headers, sign-offs, indications, comparisons

UK_INDICATIONS = [
    "Acute abdomen, ?perforation. Erect CXR please.",
    "Sudden onset epigastric pain, peritonitic. ?free gas.",
    "Known DU, acute generalised peritonism. ?perf.",
    "Day 1 post emergency laparotomy. Desaturating on 2L O2.",
    "Day 2 post Hartmann's procedure. Reduced air entry at the bases.",
    "Acute pancreatitis (Glasgow 3). Increasing SOB. ?effusion.",
    "Gallstone pancreatitis, left-sided chest pain and tachypnoea.",
    "Adhesional SBO, vomiting ++. ?aspiration.",
    "NG tube inserted on the ward, aspirate pH 6. Confirm position prior to use.",
    "Fine bore NG tube placement check.",
    "Day 5 post right hemicolectomy, spiking temperatures. ?subphrenic collection ?chest source.",
    "Post laparoscopic cholecystectomy, shoulder tip pain, pyrexial.",
    "Pre-op, emergency laparotomy. Smoker.",
    "Post right IJ line insertion in theatre recovery.",
    "Perforated appendix, washout day 3, new O2 requirement.",
]
US_INDICATIONS = [
    "Acute abdominal pain, evaluate for free air.",
    "Rule out pneumoperitoneum. Diffuse abdominal tenderness.",
    "POD 1 exploratory laparotomy, hypoxia.",
    "POD 2 small bowel resection, decreased breath sounds at the bases.",
    "Acute pancreatitis with shortness of breath.",
    "Small bowel obstruction, emesis, concern for aspiration.",
    "Nasogastric tube placement.",
    "Dobhoff placement, confirm position.",
    "Postoperative fever, evaluate for pneumonia versus subphrenic abscess.",
    "Preoperative evaluation, emergency surgery.",
    "Status post central line placement.",
    "Perforated viscus status post repair, leukocytosis.",
]
PERF_INDICATION_RE = re.compile(r"perf|free gas|free air|pneumoperitoneum|peritoni", re.I)

UK_COMPARISONS = [
    "None available.",
    "Nil.",
    "Previous film of XXXX.",
    "CXR XXXX (pre-operative).",
    "No previous imaging.",
    "Compared with the admission film of XXXX.",
]
US_COMPARISONS = [
    "None.",
    "XXXX.",
    "Chest radiograph from XXXX.",
    "Prior study dated XXXX.",
    "No prior studies available.",
]

UK_SIGNOFFS = [
    "Reported by: Dr XXXX, Consultant Radiologist (GMC XXXX)",
    "Dr XXXX\nConsultant Radiologist",
    "Reported by Dr XXXX, ST4 Radiology Registrar. Verified by Dr XXXX, Consultant Radiologist.",
    "Dr XXXX, Radiology SpR, on behalf of Dr XXXX (Consultant).",
    "Authorised by: Dr XXXX, Consultant Radiologist. Date/time: XXXX",
    "Reported by: ___ (Consultant Radiologist)",
]
US_SIGNOFFS = [
    "Electronically signed by: XXXX, MD on XXXX at XXXX",
    "Dictated by: XXXX, MD\nSigned: XXXX, MD XXXX",
    "Attending radiologist: XXXX, MD. I have personally reviewed the images and agree with the findings.",
    "Read by: XXXX, MD (resident). Attending: XXXX, MD.",
    "Electronically signed: ___, MD",
]
COMMS_UK = [
    "Discussed with the on-call surgical registrar (bleep XXXX) at XXXX hrs.",
    "Findings telephoned to the surgical SHO at XXXX.",
    "Urgent alert sent via the CRIS flagging system.",
]
COMMS_US = [
    "Findings were discussed with Dr. XXXX by telephone at XXXX.",
    "Critical result communicated to the surgical team at XXXX, read back confirmed.",
]

LAYOUTS = ["uk_trust", "us_portable", "uk_terse", "us_structured", "inline", "uk_comment"]
UK_LAYOUTS = {"uk_trust", "uk_terse", "uk_comment"}

FIND_HEADERS = {
    "uk_trust": ["Findings:", "FINDINGS:"],
    "us_portable": ["FINDINGS:"],
    "uk_terse": ["REPORT:", "Report:"],
    "us_structured": ["FINDINGS:"],
    "inline": ["FINDINGS:", "Findings:"],
    "uk_comment": ["Findings:", "Report:"],
}
IMP_HEADERS = {
    "uk_trust": ["Conclusion:", "CONCLUSION:", "Impression:"],
    "us_portable": ["IMPRESSION:"],
    "uk_terse": ["OPINION:", "Conclusion:", "Summary:"],
    "us_structured": ["IMPRESSION:", "Impression:"],
    "inline": ["IMPRESSION:", "Impression:"],
    "uk_comment": ["Comment:", "COMMENT:", "Conclusion:"],
}
EXAM_LINES = {
    "uk_trust": ["XR Chest (erect PA)", "XR CHEST AP ERECT (MOBILE)", "Chest X-ray PA erect"],
    "us_portable": [
        "EXAM: XR CHEST 1 VIEW PORTABLE",
        "EXAMINATION: CHEST, SINGLE UPRIGHT AP VIEW",
        "EXAM: XR CHEST PA AND LATERAL",
    ],
    "uk_terse": ["CXR AP erect (ward)", "CXR PA erect", "CXR mobile AP sitting"],
    "us_structured": ["EXAM: Chest radiograph, upright portable", "PROCEDURE: XR CHEST 1V"],
    "inline": ["CHEST RADIOGRAPH, ERECT.", "UPRIGHT CHEST, ONE VIEW."],
    "uk_comment": ["Chest radiograph (erect)", "Erect chest radiograph"],
}
STRUCT_CATS = [
    ("lines", "LINES/TUBES:"),
    ("lungs", "LUNGS:"),
    ("pleura", "PLEURA:"),
    ("heart", "HEART/MEDIASTINUM:"),
    ("abdomen", "UPPER ABDOMEN:"),
    ("other", "OTHER:"),
]


def categorise(sentence: str) -> str:
    s = sentence.lower()
    if re.search(r"\b(ng|ngt|nasogastric|tube|line|catheter|picc|cvc|dobhoff|pacemaker|clips?|sternotomy)\b", s):
        return "lines"
    if re.search(
        r"free (gas|air)|pneumoperitoneum|subdiaphragm|subphrenic|bowel|hemidiaphragm is|hemidiaphragm\.|abdomen", s
    ):
        return "abdomen"
    if re.search(r"effusion|pneumothorax|costophrenic|pleura", s):
        return "pleura"
    if re.search(r"heart|cardi|mediastin|aort|hila", s):
        return "heart"
    if re.search(
        r"lung|consolidat|atelecta|oedema|edema|airspace|opacit|nodul|zone|lobe|interstitial|vascular|overload", s
    ):
        return "lungs"
    return "other"


def render(
    layout: str,
    rng: random.Random,
    *,
    uk: bool,
    indication: str,
    comparison: str,
    findings: list[str] | None,
    impression: list[str] | None,
    numbered: bool,
    missing: str | None = None,
    comms: str | None = None,
) -> str:
    """Lay out one report.  ``missing``: None, 'find_empty', 'find_sig', 'imp_empty', 'imp_sig', 'imp_removed'.
    ``findings`` None means the report has no FINDINGS section at all (impression-only report)."""
    fh = rng.choice(FIND_HEADERS[layout])
    ih = rng.choice(IMP_HEADERS[layout])
    exam = rng.choice(EXAM_LINES[layout])
    sign = rng.choice(UK_SIGNOFFS if uk else US_SIGNOFFS)
    imp = impression or []

    def findings_block() -> str:
        f = findings or []
        if layout == "us_structured":
            rows = []
            for cat, head in STRUCT_CATS:
                sents = [s for s in f if categorise(s) == cat]
                if sents:
                    rows.append(f"{head} {' '.join(sents)}")
            return "\n".join(rows)
        if layout in ("uk_trust", "us_portable") and rng.random() < 0.5:
            return "\n".join(f)
        if layout == "uk_comment" and rng.random() < 0.4:
            return "\n".join("- " + s for s in f)
        return " ".join(f)

    def impression_block() -> str:
        if numbered and len(imp) > 1:
            return "\n".join(f"{k}. {s}" for k, s in enumerate(imp, 1))
        return " ".join(imp)

    fb = findings_block()
    ib = impression_block()
    sign_used = False
    if missing == "find_empty":
        fb = ""
    elif missing == "find_sig":
        fb, sign_used = sign, True
    if missing == "imp_empty":
        ib = ""
    elif missing == "imp_sig":
        ib, sign_used = sign, True
    drop_imp = missing == "imp_removed"

    inline = layout in ("uk_terse", "inline")
    lines: list[str] = [exam]
    if layout == "us_portable":
        tech = (
            "PA and lateral views of the chest." if "LATERAL" in exam else "Single frontal upright view of the chest."
        )
        lines += [f"HISTORY: {indication}", f"TECHNIQUE: {tech}", f"COMPARISON: {comparison}", ""]
    elif layout == "us_structured":
        lines += [f"INDICATION: {indication}", f"COMPARISON: {comparison}", ""]
    elif layout == "uk_trust":
        lines += [f"Clinical details: {indication}", f"Comparison: {comparison}", ""]
    elif layout == "uk_terse":
        lines[0] = f"{exam} - {indication}"
        lines += [f"Comparison: {comparison}"]
    elif layout == "inline":
        lines += [f"Indication: {indication} Comparison: {comparison}"]
    else:  # uk_comment
        lines += [f"History: {indication}", f"Comparison: {comparison}", ""]

    def section(head: str, body: str) -> list[str]:
        if inline:
            return [f"{head} {body}".rstrip()] if "\n" not in body else [head, body]
        return [head, body] if body else [head]

    if findings is not None:
        lines += section(fh, fb)
        if not inline:
            lines.append("")
    if not drop_imp:
        lines += section(ih, ib)
    if comms and not drop_imp and missing not in ("imp_empty", "imp_sig"):
        lines.append(comms)
    if not sign_used:
        lines += ["", sign]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# ----------------------------------------------------------------------------------------------
# composed phrase bank


def style(uk: bool) -> dict:
    return {
        "uk": uk,
        "gas": "gas" if uk else "air",
        "oed": "oedema" if uk else "edema",
        "oes": "oesophagus" if uk else "esophagus",
    }


def mk(key, side, F, I, sig, cat, neg_I=None, omit_ok=False, blocks=(), lat_I=True):
    return {
        "key": key,
        "side": side,
        "F": F,
        "I": I,
        "sig": sig,
        "cat": cat,
        "neg_I": neg_I,
        "omit_ok": omit_ok,
        "blocks": tuple(blocks) + (key,),
        "lat_I": lat_I,
    }


def it_free_gas(rng, st, side=None, postop=False, side_in_I=None):
    gas = st["gas"]
    side = side or rng.choice(["right", "right", "left", "both"])
    where = f"the {side} hemidiaphragm" if side != "both" else "both hemidiaphragms"
    F = rng.choice(
        [
            f"There is free {gas} beneath {where}.",
            f"Crescentic lucency under {where}, in keeping with free intraperitoneal {gas}.",
            f"Free subdiaphragmatic {gas} is seen under {where}.",
            f"Large volume pneumoperitoneum with {gas} outlining the bowel wall (Rigler sign) under {where}.",
        ]
    )
    if side_in_I is None:
        side_in_I = side != "both" and rng.random() < 0.5
    if postop:
        I = rng.choice(
            [
                f"Free {gas} under the diaphragm, which may be expected in the early postoperative period.",
                "Pneumoperitoneum, likely post-surgical; correlate clinically.",
            ]
        )
    elif side_in_I:
        I = rng.choice(
            [
                f"Free {gas} under {where}, consistent with a perforated viscus.",
                f"Pneumoperitoneum with free {gas} beneath {where}.",
            ]
        )
    else:
        I = rng.choice(
            [
                "Pneumoperitoneum, in keeping with a perforated viscus.",
                f"Free intraperitoneal {gas} - perforation until proven otherwise.",
                f"Free {gas} under the diaphragm.",
            ]
        )
    neg = rng.choice(
        [f"No free {gas} under the diaphragm.", "No pneumoperitoneum.", f"No free subdiaphragmatic {gas}."]
    )
    return mk(
        "freegas",
        side if side != "both" else None,
        F,
        I,
        True,
        "abdomen",
        neg,
        blocks=("subphrenic",),
        lat_I=side_in_I and not postop,
    )


def it_effusion(rng, st, side=None, size=None, reason=""):
    side = side or rng.choice(["left", "right", "bilateral"])
    if side == "bilateral":
        size = "small"
    size = size or rng.choice(["small", "small", "moderate", "large", "increasing"])
    if side == "bilateral":
        F = rng.choice(
            [
                "Small bilateral pleural effusions.",
                "Blunting of both costophrenic angles, in keeping with small effusions.",
            ]
        )
        I = rng.choice(["Small bilateral pleural effusions.", "Small bilateral effusions."])
        return mk("effusion", None, F, I, False, "pleura", "No pleural effusion.", omit_ok=True)
    if size == "small":
        F = rng.choice(
            [
                f"Small {side} pleural effusion.",
                f"Blunting of the {side} costophrenic angle, in keeping with a small effusion.",
                f"There is a small {side} pleural effusion with adjacent basal atelectasis.",
            ]
        )
        I = rng.choice([f"Small {side} pleural effusion{reason}.", f"Small {side} effusion{reason}."])
    elif size == "moderate":
        F = rng.choice(
            [
                f"Moderate {side} pleural effusion with a meniscus extending to the mid zone.",
                f"There is a moderate-sized {side} pleural effusion.",
                f"{cap(side)} pleural effusion, moderate in size, obscuring the {side} hemidiaphragm.",
            ]
        )
        I = rng.choice([f"Moderate {side} pleural effusion{reason}.", f"{cap(side)} pleural effusion{reason}."])
    elif size == "large":
        F = rng.choice(
            [
                f"Large {side} pleural effusion occupying the lower half of the hemithorax.",
                f"There is a large {side} pleural effusion with mediastinal shift to the "
                f"{'right' if side == 'left' else 'left'}.",
            ]
        )
        I = rng.choice(
            [f"Large {side} pleural effusion{reason}.", f"Large {side} effusion; consider ultrasound-guided drainage."]
        )
    else:
        F = rng.choice(
            [
                f"The {side} pleural effusion has increased since the previous film and is now moderate in size.",
                f"Increasing {side} pleural effusion compared with the prior study.",
            ]
        )
        I = rng.choice([f"Increasing {side} pleural effusion{reason}.", f"Enlarging {side} effusion."])
    return mk(
        "effusion",
        side,
        F,
        I,
        size != "small",
        "pleura",
        rng.choice(["No pleural effusion.", "No effusion."]),
        omit_ok=size == "small",
        blocks=("costo",),
    )


def it_atelectasis(rng, st, side=None):
    side = side or rng.choice(["left", "right", "bibasal"])
    if side == "bibasal":
        F = rng.choice(["Bibasal linear atelectasis.", "Bibasal subsegmental atelectasis."])
        I = rng.choice(["Bibasal atelectasis.", "Minor bibasal atelectasis."])
        return mk("atelectasis", None, F, I, False, "lungs", omit_ok=True)
    F = rng.choice(
        [
            f"Linear atelectasis at the {side} base.",
            f"Plate atelectasis in the {side} lower zone.",
            f"Subsegmental atelectasis at the {side} lung base.",
        ]
    )
    I = rng.choice(
        [
            f"{cap(side)} basal atelectasis.",
            f"Minor {side} basal atelectasis.",
            f"{cap(side)} basal atelectasis; encourage physiotherapy.",
        ]
    )
    return mk("atelectasis", side, F, I, False, "lungs", omit_ok=True)


def it_consolidation(rng, st, side=None):
    side = side or rng.choice(["right", "right", "left"])
    F = rng.choice(
        [
            f"Airspace consolidation in the {side} lower zone.",
            f"Patchy consolidation at the {side} base with air bronchograms.",
            f"New area of consolidation in the {side} lower lobe.",
            f"Airspace opacity in the {side} lower lobe, new since the prior film.",
        ]
    )
    I = rng.choice(
        [
            f"{cap(side)} lower zone consolidation, likely aspiration.",
            f"{cap(side)} basal consolidation in keeping with aspiration pneumonia.",
            f"{cap(side)} lower lobe pneumonia.",
        ]
    )
    return mk(
        "consolidation",
        side,
        F,
        I,
        True,
        "lungs",
        rng.choice(["Lungs are clear.", "No consolidation.", "No focal consolidation."]),
        blocks=("lungs",),
    )


def it_pneumothorax(rng, st, side=None):
    side = side or rng.choice(["right", "left"])
    F = rng.choice(
        [
            f"Small {side} apical pneumothorax with a 1.5 cm apical rim.",
            f"There is a {side} pneumothorax, the visceral pleural edge lying 2 cm from the chest wall.",
            f"{cap(side)} apical pneumothorax, new since the previous film.",
        ]
    )
    I = rng.choice(
        [
            f"{cap(side)} pneumothorax.",
            f"New small {side} apical pneumothorax.",
            f"{cap(side)} apical pneumothorax following line insertion.",
        ]
    )
    return mk("pneumothorax", side, F, I, True, "pleura", "No pneumothorax.")


def it_oedema(rng, st):
    o = st["oed"]
    F = rng.choice(
        [
            f"Upper lobe blood diversion with bilateral perihilar haziness and Kerley B lines, "
            f"in keeping with pulmonary {o}.",
            f"Increased interstitial markings with septal lines, consistent with interstitial {o}.",
            "Bilateral perihilar airspace shadowing and vascular congestion, in keeping with fluid overload.",
        ]
    )
    I = rng.choice([f"Pulmonary {o}, ?fluid overload.", "Features of fluid overload.", f"Interstitial pulmonary {o}."])
    return mk(
        "oedema",
        None,
        F,
        I,
        True,
        "lungs",
        rng.choice([f"No pulmonary {o}.", "No features of fluid overload."]),
        blocks=("lungs",),
    )


def it_ng(rng, st, bad=False):
    if bad:
        F = rng.choice(
            [
                f"The NG tube is coiled within the {st['oes']}, tip at the level of the aortic arch.",
                f"The nasogastric tube tip lies in the mid {st['oes']}.",
            ]
        )
        I = rng.choice(
            [
                f"NG tube tip in the {st['oes']} - not safe to use; advance and re-check.",
                "Malpositioned NG tube, requires repositioning.",
            ]
        )
        return mk("ng", None, F, I, False, "lines")
    F = rng.choice(
        [
            "The NG tube tip lies below the left hemidiaphragm, within the stomach.",
            "Nasogastric tube passes below the diaphragm with its tip projected over the gastric fundus.",
            "NG tube tip in the stomach, side holes beyond the gastro-oesophageal junction."
            if st["uk"]
            else "Enteric tube tip and side port project over the stomach.",
            "Fine bore NG tube follows the expected course, bisects the carina and crosses the diaphragm "
            "in the midline, tip in the stomach.",
        ]
    )
    I = rng.choice(
        [
            "NG tube in satisfactory position.",
            "NG tube tip in the stomach.",
            "NG tube appropriately sited; safe to use." if st["uk"] else "Enteric tube in appropriate position.",
        ]
    )
    return mk("ng", None, F, I, False, "lines", omit_ok=False)


def it_cvc(rng, st, side=None):
    side = side or rng.choice(["right", "right", "left"])
    F = rng.choice(
        [
            f"{cap(side)} internal jugular central venous catheter with its tip in the SVC.",
            f"{cap(side)} IJ line with the tip projected over the cavoatrial junction.",
        ]
    )
    I = rng.choice(
        [f"{cap(side)} IJ line in satisfactory position.", f"{cap(side)} internal jugular CVC, tip in the SVC."]
    )
    return mk("cvc", side, F, I, False, "lines")


def it_hemidiaphragm(rng, st, side=None):
    side = side or rng.choice(["right", "left"])
    F = rng.choice([f"The {side} hemidiaphragm is elevated.", f"Elevation of the {side} hemidiaphragm."])
    I = rng.choice(
        [
            f"Elevated {side} hemidiaphragm; if there is concern for a collection, ultrasound or CT would be helpful.",
            f"Raised {side} hemidiaphragm.",
        ]
    )
    return mk("hemidiaphragm", side, F, I, False, "abdomen")


def it_subphrenic(rng, st, side=None):
    side = side or rng.choice(["right", "right", "left"])
    F = rng.choice(
        [
            f"Gas-fluid level beneath the {side} hemidiaphragm, separate from the gastric bubble, "
            "suspicious for a subphrenic collection.",
            f"Loculated {st['gas']} and fluid under the {side} hemidiaphragm, which appears separate from bowel.",
        ]
    )
    I = rng.choice(
        [
            f"Probable {side} subphrenic collection; CT abdomen and pelvis recommended.",
            f"Appearances suspicious for a {side} subphrenic abscess.",
        ]
    )
    return mk("subphrenic", side, F, I, False, "abdomen", blocks=("freegas",))


def it_nodule(rng, st, side=None, big=None):
    side = side or rng.choice(["right", "left"])
    big = rng.random() < 0.5 if big is None else big
    n = rng.choice([8, 9, 12, 15]) if big else rng.choice([3, 4, 5])
    F = f"{n} mm nodule projected over the {side} mid zone."
    if big:
        I = rng.choice(
            [
                f"{n} mm {side} mid zone nodule - non-urgent CT chest recommended.",
                f"{cap(side)} mid zone nodule ({n} mm); suggest CT for further characterisation.",
            ]
        )
    else:
        I = rng.choice([f"Tiny {side} mid zone nodule, likely a granuloma.", f"{n} mm {side} nodule, probably benign."])
    return mk("nodule", side, F, I, big, "lungs", omit_ok=not big)


def it_cardiomegaly(rng, st):
    F = rng.choice(
        [
            "The heart is mildly enlarged.",
            "Borderline cardiomegaly, accentuated by the AP projection.",
            "Mild cardiomegaly, unchanged.",
        ]
    )
    I = rng.choice(["Mild cardiomegaly.", "Borderline heart size."])
    return mk("heart", None, F, I, False, "heart", omit_ok=True)


def it_bowel(rng, st):
    F = rng.choice(
        [
            "Dilated gas-filled small bowel loops are noted in the upper abdomen.",
            "Several dilated loops of small bowel are partly imaged beneath the diaphragm.",
        ]
    )
    I = rng.choice(
        [
            "Dilated small bowel loops in keeping with the known obstruction.",
            "Dilated small bowel, in keeping with SBO.",
        ]
    )
    return mk("bowel", None, F, I, False, "abdomen", omit_ok=True)


BACKGROUND = {  # topic: (findings negatives, impression assertions with {side}/{Side})
    "lungs": (
        ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "Clear lung fields."],
        ["{Side} lower zone consolidation, likely aspiration.", "{Side} basal pneumonia."],
    ),
    "costo": (
        ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."],
        ["Moderate {side} pleural effusion.", "{Side} pleural effusion."],
    ),
    "pneumothorax": (["No pneumothorax."], ["Small {side} apical pneumothorax.", "{Side} pneumothorax."]),
    "heart": (
        ["Heart size is normal.", "Normal cardiomediastinal contours.", "The cardiac silhouette is not enlarged."],
        ["Cardiomegaly.", "Enlarged cardiac silhouette."],
    ),
    "oedema": (["No pulmonary {oed}.", "No features of fluid overload."], ["Pulmonary {oed}.", "Fluid overload."]),
    "freegas": (
        ["No free {gas} under the diaphragm.", "No free subdiaphragmatic {gas}.", "No pneumoperitoneum."],
        ["Free {gas} under the {side} hemidiaphragm, in keeping with perforation.", "Pneumoperitoneum."],
    ),
}
BACKGROUND_ORDER = ["lungs", "costo", "pneumothorax", "heart", "oedema", "freegas"]
LUNG_ITEMS = {"consolidation", "oedema", "atelectasis", "nodule"}

NORMAL_GENERIC = {
    True: [
        "No acute cardiopulmonary abnormality.",
        "Normal chest radiograph.",
        "No significant abnormality.",
        "No acute chest pathology.",
        "Unremarkable chest radiograph.",
    ],
    False: [
        "No acute cardiopulmonary process.",
        "No acute cardiopulmonary abnormality.",
        "Normal chest.",
        "No acute findings in the chest.",
    ],
}
NORMAL_GAS = {
    True: ["No free gas. No acute chest pathology.", "No free subdiaphragmatic gas. Clear lungs."],
    False: ["No free air. No acute cardiopulmonary process.", "No pneumoperitoneum."],
}


SCENARIOS = ["perforation", "postop", "pancreatitis", "sbo", "ngcheck", "collection", "line", "preop"]


def scenario_items(rng, st, scen: str) -> tuple[str, list[dict]]:
    uk = st["uk"]
    ind_pool = UK_INDICATIONS if uk else US_INDICATIONS

    def ind(pat):
        c = [x for x in ind_pool if re.search(pat, x)]
        return rng.choice(c or ind_pool)

    items: list[dict] = []
    if scen == "perforation":
        indication = ind(r"(?i)perf|free|pneumoperit|peritoni|abdominal pain")
        if rng.random() < 0.55:
            items.append(it_free_gas(rng, st))
        if rng.random() < 0.3:
            items.append(it_atelectasis(rng, st))
    elif scen == "postop":
        indication = ind(r"(?i)day [12] post|POD|Hartmann|washout")
        r = rng.random()
        items.append(it_atelectasis(rng, st))
        if r < 0.4:
            items.append(it_effusion(rng, st, side="right" if items[0]["side"] == "left" else None))
        elif r < 0.55:
            items.append(it_oedema(rng, st))
        if rng.random() < 0.35:
            items.insert(0, it_ng(rng, st))
        if rng.random() < 0.2:
            items.append(it_free_gas(rng, st, postop=True))
    elif scen == "pancreatitis":
        indication = ind(r"(?i)pancreatitis")
        items.append(
            it_effusion(rng, st, side="left", reason=rng.choice(["", ", likely reactive to pancreatitis", ""]))
        )
        if rng.random() < 0.5:
            items.append(it_atelectasis(rng, st, side="left"))
        if rng.random() < 0.15:
            items.append(it_oedema(rng, st))
    elif scen == "sbo":
        indication = ind(r"SBO|(?i:obstruction|aspiration)")
        if rng.random() < 0.6:
            items.append(it_consolidation(rng, st))
        if rng.random() < 0.5:
            items.insert(0, it_ng(rng, st))
        if rng.random() < 0.5:
            items.append(it_bowel(rng, st))
    elif scen == "ngcheck":
        indication = ind(r"\bNG\b|(?i:nasogastric|dobhoff)")
        items.append(it_ng(rng, st, bad=rng.random() < 0.2))
        if rng.random() < 0.3:
            items.append(it_atelectasis(rng, st))
    elif scen == "collection":
        indication = ind(r"(?i)collection|abscess|fever|pyrexial")
        side = rng.choice(["right", "right", "left"])
        items.append(it_hemidiaphragm(rng, st, side=side))
        if rng.random() < 0.6:
            items.append(it_subphrenic(rng, st, side=side))
        if rng.random() < 0.6:
            items.append(it_effusion(rng, st, side=side, size=rng.choice(["small", "moderate"])))
    elif scen == "line":
        indication = ind(r"(?i)\bline\b")
        side = rng.choice(["right", "left"])
        items.append(it_cvc(rng, st, side=side))
        if rng.random() < 0.35:
            items.append(it_pneumothorax(rng, st, side=side))
    else:  # preop
        indication = ind(r"(?i)pre-?op")
        r = rng.random()
        if r < 0.25:
            items.append(it_nodule(rng, st))
        elif r < 0.45:
            items.append(it_cardiomegaly(rng, st))
    return indication, items


def add_item(rng, st, items: list[dict], kinds_wanted: tuple[str, ...]) -> None:
    have = {i["key"] for i in items}
    makers = {
        "effusion": lambda: it_effusion(
            rng, st, size=rng.choice(["moderate", "large", "increasing"]), side=rng.choice(["left", "right"])
        ),
        "consolidation": lambda: it_consolidation(rng, st),
        "pneumothorax": lambda: it_pneumothorax(rng, st),
        "oedema": lambda: it_oedema(rng, st),
        "freegas": lambda: it_free_gas(rng, st),
        "nodule": lambda: it_nodule(rng, st, big=True),
        "atelectasis": lambda: it_atelectasis(rng, st),
        "cvc": lambda: it_cvc(rng, st),
        "subphrenic": lambda: it_subphrenic(rng, st),
    }
    choices = [k for k in kinds_wanted if k not in have]
    blocked = set()
    for i in items:
        blocked.update(i["blocks"])
    choices = [k for k in choices if k not in blocked]
    if not choices:
        return
    it = makers[rng.choice(choices)]()
    # keep sides distinct from existing same-side statements to stay unambiguous
    items.append(it)


def background(rng, st, items: list[dict], indication: str) -> list[tuple[str, str]]:
    blocked = set()
    for i in items:
        blocked.update(i["blocks"])
    keys = {i["key"] for i in items}
    out = []
    for topic in BACKGROUND_ORDER:
        if topic in blocked:
            continue
        if topic == "lungs" and keys & LUNG_ITEMS:
            if keys & {"consolidation", "oedema"}:
                continue
            sent = rng.choice(["The lungs are otherwise clear.", "Otherwise clear lungs."])
            out.append((topic, sent))
            continue
        must = topic == "freegas" and PERF_INDICATION_RE.search(indication)
        if must or topic == "lungs" or rng.random() < 0.55:
            sent = rng.choice(BACKGROUND[topic][0]).format(gas=st["gas"], oed=st["oed"])
            out.append((topic, sent))
    return out


def order_findings(items: list[dict], bg: list[tuple[str, str]]) -> list[str]:
    order = {"lines": 0, "lungs": 1, "pleura": 2, "heart": 3, "abdomen": 4}
    bg_cat = {
        "lungs": "lungs",
        "costo": "pleura",
        "pneumothorax": "pleura",
        "heart": "heart",
        "oedema": "lungs",
        "freegas": "abdomen",
    }
    rows = [(order[i["cat"]], 0, i["F"]) for i in items] + [(order[bg_cat[t]], 1, s) for t, s in bg]
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


def pick_comparison(rng: random.Random, uk: bool, text: str) -> str:
    pool = UK_COMPARISONS if uk else US_COMPARISONS
    if re.search(r"previous|prior|since|unchanged|increas", text, re.I):
        pool = [c for c in pool if "XXXX" in c]
    return rng.choice(pool)


def compose_case(rng: random.Random, kind: str | None) -> tuple[str, str]:
    uk = rng.random() < 0.55
    st = style(uk)
    layout = rng.choice([lo for lo in LAYOUTS if (lo in UK_LAYOUTS) == uk or lo == "inline"])
    omit_mode = rng.choice(["normal", "others"])
    for _attempt in range(500):
        scen = rng.choice(SCENARIOS)
        indication, items = scenario_items(rng, st, scen)
        if kind == "impression_omits_finding" and not any(i["sig"] for i in items):
            add_item(rng, st, items, ("effusion", "consolidation", "pneumothorax", "oedema", "freegas", "nodule"))
        if kind == "laterality_conflict" and not any(i["side"] and i["lat_I"] for i in items):
            add_item(rng, st, items, ("effusion", "consolidation", "pneumothorax", "atelectasis", "cvc", "subphrenic"))
        if kind == "negation_conflict" and rng.random() < 0.5 and not any(i["neg_I"] for i in items):
            add_item(rng, st, items, ("effusion", "consolidation", "pneumothorax", "oedema", "freegas"))
        bg = background(rng, st, items, indication)
        imp_items = [i for i in items if not (kind is None and i["omit_ok"] and rng.random() < 0.25)]
        imp_items.sort(key=lambda i: not i["sig"])
        detail = f"composed ({scen}, {layout})"
        missing = None
        comms = None
        impression_only = False
        if any(i["key"] in ("freegas", "pneumothorax", "subphrenic") for i in items) and rng.random() < 0.5:
            comms = rng.choice(COMMS_UK if uk else COMMS_US)

        def normal_imp(generic=False, bg=bg):
            pool = NORMAL_GENERIC[uk] + ([] if generic or "freegas" not in {t for t, _ in bg} else NORMAL_GAS[uk])
            return [rng.choice(pool)]

        impression = [i["I"] for i in imp_items] or normal_imp()
        findings = order_findings(items, bg)

        if kind is None:
            if rng.random() < 0.06 and layout != "us_structured":
                impression_only = True
                impression = list(findings)
                detail += "; impression-only report (impression describes the findings)"
            else:
                detail += "; clean"
        elif kind == "missing_section":
            missing = rng.choice(["find_empty", "find_sig", "imp_empty", "imp_sig", "imp_removed"])
            detail += {
                "find_empty": "; FINDINGS header kept, body emptied",
                "find_sig": "; FINDINGS body replaced by the sign-off only",
                "imp_empty": "; IMPRESSION/conclusion header kept, body emptied",
                "imp_sig": "; IMPRESSION/conclusion holds only the sign-off",
                "imp_removed": "; IMPRESSION/conclusion section removed",
            }[missing]
        elif kind == "laterality_conflict":
            cands = [i for i in items if i["side"] and i["lat_I"] and i in imp_items]
            if not cands:
                continue
            it = rng.choice(cands)
            if rng.random() < 0.5:
                findings = [flip_sides(s) if s == it["F"] else s for s in findings]
                detail += (
                    f"; side flipped in FINDINGS sentence about {it['key']} ({it['side']} -> other side); "
                    f"impression keeps {it['side']}"
                )
            else:
                impression = [flip_sides(s) if s == it["I"] else s for s in impression]
                detail += (
                    f"; side flipped in IMPRESSION about {it['key']} ({it['side']} -> other side); "
                    f"findings keep {it['side']}"
                )
        elif kind == "negation_conflict":
            aff = [i for i in imp_items if i["neg_I"]]
            bgt = [(t, s) for t, s in bg if t in BACKGROUND]
            if aff and (rng.random() < 0.5 or not bgt):
                it = rng.choice(aff)
                impression = [it["neg_I"] if s == it["I"] else s for s in impression]
                detail += f"; IMPRESSION now negates {it['key']} ('{it['neg_I']}') which FINDINGS affirm"
            elif bgt:
                t, s = rng.choice(bgt)
                side = rng.choice(["left", "right"])
                a = rng.choice(BACKGROUND[t][1]).format(side=side, Side=cap(side), gas=st["gas"], oed=st["oed"])
                base = [i["I"] for i in imp_items]
                impression = [a] + base if rng.random() < 0.6 else base + [a]
                detail += f"; IMPRESSION asserts '{a}' but FINDINGS say '{s}'"
            else:
                continue
        elif kind == "impression_omits_finding":
            sig = [i for i in imp_items if i["sig"]]
            if not sig:
                continue
            it = rng.choice(sig)
            others = [i for i in imp_items if i is not it and not i["sig"]]
            if omit_mode == "others" and not others:
                continue
            if omit_mode == "others":
                impression = [i["I"] for i in others]
                detail += f"; IMPRESSION lists only other findings and leaves out the {it['key']} ('{it['F']}')"
            else:
                impression = normal_imp(generic=True)
                detail += f"; IMPRESSION replaced by a normal statement, leaving out the {it['key']} ('{it['F']}')"
                comms = None
            # drop any other significant findings too so the omission is unambiguous
            if any(i["sig"] for i in others):
                continue
        elif kind == "placeholder":
            secs = [("F", k) for k in range(len(findings))] + [("I", k) for k in range(len(impression))]
            rng.shuffle(secs)
            done = False
            for sec, k in secs:
                src = findings if sec == "F" else impression
                new, what = put_placeholder(rng, src[k])
                if new:
                    src[k] = new
                    detail += f"; placeholder in {'FINDINGS' if sec == 'F' else 'IMPRESSION'}: {what}"
                    done = True
                    break
            if not done:
                continue
        numbered = not impression_only and (layout in ("us_portable", "us_structured") or rng.random() < 0.3)
        text = render(
            layout,
            rng,
            uk=uk,
            indication=indication,
            comparison=pick_comparison(rng, uk, " ".join(findings + impression)),
            findings=None if impression_only else findings,
            impression=impression,
            numbered=numbered,
            missing=missing,
            comms=comms,
        )
        return text, detail
    raise RuntimeError("could not compose case")


# ----------------------------------------------------------------------------------------------
# placeholders

SIZE_WORDS = r"small|moderate|large|mild|minimal|minor|tiny|trace|normal|clear|stable|unchanged|satisfactory|elevated"


def put_placeholder(rng: random.Random, sentence: str) -> tuple[str | None, str]:
    opts = []
    for m in re.finditer(r"\b(\d+(?:\.\d+)?)\s?(mm|cm)\b", sentence):
        tok = rng.choice(["XX", "__", "[***]", "<<measurement>>", "[ ]", "xx"])
        opts.append((m.start(), m.end(), f"{tok} {m.group(2)}", f"'{m.group(0)}' -> '{tok} {m.group(2)}'"))
    for m in re.finditer(rf"\b({SIZE_WORDS})\b", sentence, re.I):
        tok = rng.choice(
            ["[***]", "[ ]", "<<size>>", "[size]", "***", "[mild/moderate/large]"]
            if m.group(0).lower() in ("small", "moderate", "large", "mild", "minimal", "minor", "tiny", "trace")
            else ["[***]", "[ ]", "***", "<<finding>>", "[normal/abnormal]"]
        )
        opts.append((m.start(), m.end(), tok, f"'{m.group(0)}' -> '{tok}'"))
    for m in SIDE_RE.finditer(sentence):
        tok = rng.choice(["[side]", "[LEFT/RIGHT]", "<<side>>", "[***]"])
        opts.append((m.start(), m.end(), tok, f"'{m.group(0)}' -> '{tok}'"))
    for m in re.finditer(r"\b(stomach|SVC|cavoatrial junction|fundus|lower zone|base)\b", sentence):
        tok = rng.choice(["[position]", "<<location>>", "[***]", "[ ]"])
        opts.append((m.start(), m.end(), tok, f"'{m.group(0)}' -> '{tok}'"))
    if not opts:
        return None, ""
    a, b, tok, what = rng.choice(opts)
    return sentence[:a] + tok + sentence[b:], what


# ----------------------------------------------------------------------------------------------
# IU archive

GROUPS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "airspace": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|opacification",
    "edema": r"edema|oedema|congestion|congestive",
    "heart": r"cardiomegaly|heart|cardiac|cardiomediastinal",
    "mass": r"\bmass",
    "nodule": r"nodul",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal|subdiaphragmatic",
    "mediastinum": r"mediastin",
    "atelectasis": r"atelecta",
    "diaphragm": r"hemidiaphragm",
    "line": r"picc|catheter|central line|port\b|tube",
    "granuloma": r"granulom",
    "scar": r"scar",
}
AFFIRM = {"heart": r"cardiomegaly|enlarg", "mediastinum": r"widen", "airspace": GROUPS["airspace"]}
NEG_RE = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|cleared|clear|normal|removed|absent|"
    r"exclude[ds]?|unremarkable|none|nor)\b",
    re.I,
)
HEDGE_RE = re.compile(
    r"\b(may|might|possibl[ey]|versus|vs|could|cannot|question|questionable|suggest|"
    r"differential|likely|probabl[ey]|consider|concern)\b|\?",
    re.I,
)
SIG_GROUPS = ["effusion", "pneumothorax", "airspace", "edema", "heart", "mass", "nodule", "freeair", "mediastinum"]
NORMAL_IMP_RE = re.compile(
    r"no acute|normal|negative|unremarkable|no active|no significant|no evidence of acute|"
    r"clear|no radiographic evidence",
    re.I,
)


@cache
def mentions(s: str, g: str) -> bool:
    return re.search(GROUPS[g], s, re.I) is not None


@cache
def affirmed(s: str, g: str) -> bool:
    return mentions(s, g) and re.search(AFFIRM.get(g, GROUPS[g]), s, re.I) is not None and not NEG_RE.search(s)


@cache
def negated(s: str, g: str) -> bool:
    return mentions(s, g) and NEG_RE.search(s) is not None


@cache
def sig_affirmed(s: str, g: str) -> bool:
    """Significant in the sense of the omission rule (conservative: when in doubt, significant)."""
    if not affirmed(s, g):
        return False
    low = s.lower()
    if g == "heart":
        return not re.search(r"mild|borderline|minimal|stable|unchanged|upper limits|top normal", low)
    if g == "effusion":
        return not re.search(r"small|trace|tiny|minimal", low) or re.search(r"increas|new|enlarg", low) is not None
    if g == "nodule":
        return not re.search(r"calcifi|granulom", low)
    if g == "airspace" and re.fullmatch(r".*\bopacit.*", low) and re.search(r"calcifi|granulom|nodul", low):
        return False
    return True


_IU_CACHE: dict[str, list[dict]] = {}


def load_iu() -> list[dict]:
    path = iu_archive_path()
    if str(path) in _IU_CACHE:
        return _IU_CACHE[str(path)]
    out = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else "CXR" + Path(m.name).stem
            d = {}
            for a in root.iter("AbstractText"):
                d[a.get("Label")] = (a.text or "").strip()
            out.append(
                {
                    "uid": uid,
                    "num": int(re.sub(r"\D", "", uid) or 0),
                    "findings": d.get("FINDINGS", ""),
                    "impression": d.get("IMPRESSION", ""),
                    "comparison": d.get("COMPARISON", ""),
                    "indication": d.get("INDICATION", ""),
                }
            )
    out.sort(key=lambda r: r["num"])
    _IU_CACHE[str(path)] = out
    return out


def dev_uids() -> set[str]:
    p = dev_set_path()
    if not p.exists():
        return set()
    return {json.loads(line)["uid"] for line in p.open() if line.strip()}


BAD_TEXT_RE = re.compile(r"\[|\]|\*|<|>|___|\bXX\b|\bxx\b|&lt;|&gt;|\{|\}")


def iu_consistent(F: list[str], I: list[str]) -> bool:
    """Conservative check that an archive report is internally consistent (no archive contradiction)."""
    ftxt, itxt = " ".join(F), " ".join(I)
    if len(F) < 2 or not I or len(ftxt) > 900 or len(itxt) > 400:
        return False
    if BAD_TEXT_RE.search(ftxt + itxt):
        return False
    if re.search(
        r"\b(previously|as above|see above|addendum|findings above|dictated)\b|opportunity to assist|"
        r"questions about this|certified radiologist",
        itxt,
        re.I,
    ):
        return False
    if any(re.search(r"\bacute\b", s, re.I) and not NEG_RE.search(s) for s in F + I):
        return False
    for g in GROUPS:
        f_aff = any(affirmed(s, g) for s in F)
        f_neg = any(negated(s, g) for s in F)
        i_aff = any(affirmed(s, g) for s in I)
        i_neg = any(negated(s, g) for s in I)
        if (f_aff and i_neg) or (f_neg and i_aff):
            return False
    # every significant affirmed finding must be mentioned in the impression
    for g in SIG_GROUPS:
        if any(sig_affirmed(s, g) for s in F) and not any(mentions(s, g) for s in I):
            return False
    if any(re.search(r"\b(new|increas|enlarging|worsen)", s, re.I) and not NEG_RE.search(s) for s in F):
        if not any(re.search(r"\b(new|increas|enlarging|worsen|interval)", s, re.I) for s in I):
            return False
    # normal impression only beside findings without anything significant
    if all(NORMAL_IMP_RE.search(s) for s in I):
        if any(sig_affirmed(s, g) for s in F for g in SIG_GROUPS):
            return False
    # sides: what the impression places on a side, the findings place on the same side
    for s in I:
        sides = {m.lower() for m in SIDE_RE.findall(s)}
        if not sides:
            continue
        for g in GROUPS:
            if not mentions(s, g):
                continue
            fs = {m.lower() for t in F if mentions(t, g) for m in SIDE_RE.findall(t)}
            if fs and not sides <= fs:
                return False
            if not fs and g in SIG_GROUPS and not any(mentions(t, g) for t in F):
                return False
    return True


REWORD = [
    (r"\bThere (?:is|are) no\b", "No"),
    (r"(?<=[.] )There (?:is|are) no\b", "No"),
    (
        r"\bNo evidence of (?=(?:focal |pleural |pulmonary |large )?"
        r"(?:pneumothorax|effusion|consolidation|edema|pleural|focal|airspace))",
        "No ",
    ),
    (r"\bwithin normal limits\b", "normal"),
    (r"\bacute cardiopulmonary (?:disease|process|abnormality|findings)\b", "acute cardiopulmonary abnormality"),
    (r"\bchest x-ray\b", "chest radiograph"),
    (r"\bThe lungs are clear\b", "Lungs are clear"),
    (r"\bvisualized\b", "visualised"),
]
UK_SPELL = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\besophag", "oesophag"),
    (r"\bhemorrhag", "haemorrhag"),
    (r"\bhemithorax\b", "hemithorax"),
    (r"\bfree air\b", "free gas"),
    (r"\bFree air\b", "Free gas"),
    (r"\bcentimeter", "centimetre"),
    (r"\bopacity\b", "opacity"),
    (r"\bcolor\b", "colour"),
]


def reword(text: str, uk: bool) -> tuple[str, int]:
    n = 0
    for pat, rep in REWORD + (UK_SPELL if uk else []):
        text, k = re.subn(pat, rep, text)
        n += k
    return text, n


def iu_setting(rng: random.Random, rec: dict, uk: bool) -> tuple[list[str], list[str], str, str, list[str]]:
    """Return reworded findings/impression sentences, indication, comparison, and notes."""
    notes = []
    ftxt, n1 = reword(rec["findings"], uk)
    itxt, n2 = reword(rec["impression"], uk)
    F, I = split_sentences(ftxt), split_sentences(itxt)
    if n1 + n2:
        notes.append(f"{n1 + n2} phrase(s) reworded{' with UK spelling' if uk else ''}")
    inds = UK_INDICATIONS if uk else US_INDICATIONS
    if not re.search(r"tube|catheter|line|picc", ftxt + itxt, re.I):
        inds = [x for x in inds if not re.search(r"\bNG\b|(?i:nasogastric|dobhoff|\bline\b|fine bore)", x)]
    indication = rng.choice(inds)
    comp = rec["comparison"].strip()
    if not comp or re.fullmatch(r"(?i)none\.?|none available\.?|no prior\.?", comp) or len(comp) > 80:
        comp = pick_comparison(rng, uk, ftxt + " " + itxt)
    if PERF_INDICATION_RE.search(indication) and not re.search(
        r"diaphragm|free air|free gas|pneumoperit|abdom", ftxt + itxt, re.I
    ):
        F.append(
            rng.choice(
                ["No free gas under the diaphragm.", "No free subdiaphragmatic gas."]
                if uk
                else ["No free air under the diaphragm.", "No pneumoperitoneum."]
            )
        )
        notes.append("added the setting's free-gas negative to FINDINGS")
    return F, I, indication, comp, notes


NEG_ASSERT = {  # group: (findings negation pattern, impression assertion templates)
    "effusion": (
        r"effusion",
        ["Moderate {side} pleural effusion.", "{Side} pleural effusion.", "{Side} pleural effusion, likely reactive."],
    ),
    "pneumothorax": (
        r"pneumothora",
        ["Small {side} apical pneumothorax.", "{Side} pneumothorax.", "Shallow {side} pneumothorax; no tension."],
    ),
    "airspace": (
        r"lungs are clear|clear lungs|consolidation|airspace|air space|infiltrate",
        ["{Side} lower zone consolidation.", "{Side} basal pneumonia, ?aspiration."],
    ),
    "edema": (r"edema|oedema", ["Pulmonary {oed}.", "Features of fluid overload."]),
    "heart": (
        r"heart size|cardiac silhouette|heart is normal|cardiomediastinal silhouette|cardiomegaly",
        ["Cardiomegaly.", "Enlarged heart."],
    ),
    "freeair": (
        r"free (air|gas)|pneumoperitoneum|subdiaphragmatic",
        ["Free {gas} under the {side} hemidiaphragm.", "Pneumoperitoneum."],
    ),
}
IMP_NEGATE = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax."],
    "airspace": ["Lungs are clear.", "No focal consolidation."],
    "edema": ["No pulmonary {oed}."],
    "heart": ["Heart size is normal."],
}
OMIT_TARGETS = ["pneumothorax", "effusion", "airspace", "edema", "mass", "freeair", "mediastinum"]
STRICT_AIRSPACE = r"consolidat|airspace|air space|infiltrat|pneumonia"
LAT_GROUPS = [
    "effusion",
    "pneumothorax",
    "airspace",
    "atelectasis",
    "nodule",
    "mass",
    "diaphragm",
    "line",
    "granuloma",
    "scar",
]


_OK_CACHE: dict[tuple[str, bool], bool] = {}


def iu_try(rng: random.Random, rec: dict, kind: str | None, uk: bool, mode: str = ""):
    """Return (findings, impression, indication, comparison, detail_bits, missing) or None if unsuitable."""
    key = (rec["uid"], uk)
    if key not in _OK_CACHE:
        _OK_CACHE[key] = iu_consistent(
            split_sentences(reword(rec["findings"], uk)[0]), split_sentences(reword(rec["impression"], uk)[0])
        )
    if not _OK_CACHE[key]:
        return None
    F, I, indication, comp, notes = iu_setting(rng, rec, uk)
    st = style(uk)
    missing = None
    if kind is None:
        notes.append("clean")
    elif kind == "missing_section":
        missing = rng.choice(["find_empty", "find_sig", "imp_empty", "imp_sig", "imp_removed"])
        notes.append(
            {
                "find_empty": "FINDINGS header kept, body emptied",
                "find_sig": "FINDINGS body replaced by the sign-off",
                "imp_empty": "IMPRESSION header kept, body emptied",
                "imp_sig": "IMPRESSION holds only the sign-off",
                "imp_removed": "IMPRESSION section removed",
            }[missing]
        )
    elif kind == "laterality_conflict":
        opts = []
        for a_name, A, B in (("FINDINGS", F, I), ("IMPRESSION", I, F)):
            for k, s in enumerate(A):
                sides = {m.lower() for m in SIDE_RE.findall(s)}
                if len(sides) != 1 or re.search(r"bilateral|both|bibasilar", s, re.I):
                    continue
                side = next(iter(sides))
                other = "right" if side == "left" else "left"
                for g in LAT_GROUPS:
                    if not mentions(s, g):
                        continue
                    bs = [t for t in B if mentions(t, g)]
                    if any(side in t.lower().split() or re.search(rf"\b{side}\b", t, re.I) for t in bs) and not any(
                        re.search(rf"\b{other}\b|bilateral|both", t, re.I) for t in bs
                    ):
                        opts.append((a_name, A, k, g, side))
        if not opts:
            return None
        a_name, A, k, g, side = rng.choice(opts)
        old = A[k]
        A[k] = flip_sides(old)
        notes.append(f"{a_name} sentence '{old}' flipped to the other side; the other section keeps {side} ({g})")
    elif kind == "negation_conflict":
        done = False
        if mode == "negate":
            cands = []
            for k, s in enumerate(I):
                for g in IMP_NEGATE:
                    others = [h for h in SIG_GROUPS if h != g and mentions(s, h)]
                    if (
                        affirmed(s, g)
                        and not others
                        and not HEDGE_RE.search(s)
                        and any(affirmed(t, g) and not HEDGE_RE.search(t) for t in F)
                        and not any(mentions(t, g) for j, t in enumerate(I) if j != k)
                    ):
                        if g == "heart" and not re.search(r"cardiomegaly|enlarg", s, re.I):
                            continue
                        if g == "airspace" and not re.search(STRICT_AIRSPACE, s, re.I):
                            continue
                        cands.append((k, g))
            if cands:
                k, g = rng.choice(cands)
                old = I[k]
                I[k] = rng.choice(IMP_NEGATE[g]).format(oed=st["oed"])
                notes.append(f"IMPRESSION '{old}' replaced by '{I[k]}' while FINDINGS affirm it")
                done = True
        if mode == "negate" and not done:
            return None
        if not done:
            cands = []
            for g, (pat, _) in NEG_ASSERT.items():
                fn = [s for s in F if re.search(pat, s, re.I) and NEG_RE.search(s) and not HEDGE_RE.search(s)]
                if fn and not any(affirmed(s, g) for s in F) and not any(mentions(s, g) for s in I):
                    if g == "heart" and not all(re.search(r"normal|not enlarged", s, re.I) for s in fn):
                        continue
                    cands.append((g, fn[0]))
            if not cands:
                return None
            g, fsent = rng.choice(cands)
            side = rng.choice(["left", "right"])
            a = rng.choice(NEG_ASSERT[g][1]).format(side=side, Side=cap(side), gas=st["gas"], oed=st["oed"])
            keep = [s for s in I if not NORMAL_IMP_RE.search(s)]
            I[:] = [a] + keep
            notes.append(f"IMPRESSION now asserts '{a}' but FINDINGS say '{fsent}'")
    elif kind == "impression_omits_finding":
        cands = []
        for g in OMIT_TARGETS:
            fs = [
                s
                for s in F
                if sig_affirmed(s, g)
                and not HEDGE_RE.search(s)
                and not re.search(
                    r"stable|unchanged|chronic|old|healed|calcifi|granulom|scar|small|mild|minimal|trace|again|"
                    r"persist|redemonstrat|streaky|strandy|linear|subsegmental|thin|tiny|improv|decreas|resolv|clearing|"
                    r"interval|residual|prior",
                    s,
                    re.I,
                )
            ]
            if g == "airspace":
                fs = [s for s in fs if re.search(STRICT_AIRSPACE, s, re.I)]
            if g == "effusion":
                fs = [s for s in fs if re.search(r"moderate|large|increas|new|layering", s, re.I)]
            if fs and any(affirmed(s, g) or (g == "airspace" and mentions(s, g)) for s in I):
                cands.append((g, fs[0]))
        if not cands:
            return None
        g, fsent = rng.choice(cands)
        rest = [
            s
            for s in I
            if not mentions(s, g) and not NORMAL_IMP_RE.search(s) and not any(sig_affirmed(s, h) for h in SIG_GROUPS)
        ]
        if mode == "others" and not rest:
            return None
        if mode == "others":
            I[:] = rest
            notes.append(f"IMPRESSION keeps only its other findings, leaving out '{fsent}'")
        else:
            I[:] = [rng.choice(NORMAL_GENERIC[uk])]
            notes.append(f"IMPRESSION replaced by a normal statement ('{I[0]}'), leaving out '{fsent}'")
        # other significant findings must not remain unmentioned for a reason other than this one
    elif kind == "placeholder":
        secs = [("FINDINGS", F, k) for k in range(len(F))] + [("IMPRESSION", I, k) for k in range(len(I))]
        rng.shuffle(secs)
        for name, A, k in secs:
            new, what = put_placeholder(rng, A[k])
            if new:
                A[k] = new
                notes.append(f"placeholder in {name}: {what}")
                break
        else:
            return None
    return F, I, indication, comp, notes, missing


# ----------------------------------------------------------------------------------------------
# build


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h161-{seed}")
    iu = load_iu()
    dev = dev_uids()
    pool = [r for r in iu if r["uid"] not in dev and r["findings"] and r["impression"]]
    rng.shuffle(pool)
    used: set[str] = set()
    rows: list[dict] = []
    groups: list[str | None] = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_PER_KIND)]
    # IU cases first for the rarer kinds so that the pool is spent where it is needed
    plan = []
    for kind in [None] + KINDS:
        n = N_CLEAN if kind is None else N_PER_KIND
        plan += [(kind, "iu")] * (n // 2) + [(kind, "composed")] * (n - n // 2)
    order = sorted(
        range(len(plan)),
        key=lambda j: {"laterality_conflict": 0, "impression_omits_finding": 1, "negation_conflict": 2}.get(
            plan[j][0] or "", 3
        ),
    )
    made: dict[int, dict] = {}
    for j in order:
        kind, src = plan[j]
        crng = random.Random(f"h161-{seed}-{j}")
        if src == "composed":
            text, detail = compose_case(crng, kind)
        else:
            mode = {
                "negation_conflict": ["assert", "negate"][j % 2],
                "impression_omits_finding": ["normal", "others"][j % 2],
            }.get(kind or "", "")
            for rec in pool:
                if rec["uid"] in used:
                    continue
                uk = crng.random() < 0.55
                got = iu_try(crng, rec, kind, uk, mode)
                if got is None:
                    continue
                F, I, indication, comp, notes, missing = got
                layout = crng.choice([lo for lo in LAYOUTS if (lo in UK_LAYOUTS) == uk or lo == "inline"])
                numbered = len(I) > 1 and (layout in ("us_portable", "us_structured") or crng.random() < 0.4)
                text = render(
                    layout,
                    crng,
                    uk=uk,
                    indication=indication,
                    comparison=comp,
                    findings=F,
                    impression=I,
                    numbered=numbered,
                    missing=missing,
                )
                detail = f"IU {rec['uid']}: re-laid out ({layout}), setting indication; " + "; ".join(notes)
                used.add(rec["uid"])
                break
            else:
                raise RuntimeError(f"IU pool exhausted for {kind}")
        made[j] = {"injected": kind, "detail": detail, "report": text}
    assert len(groups) == len(plan)
    rows = [made[j] for j in range(len(plan))]
    rng.shuffle(rows)
    return [{"id": f"h161-{seed}-{k}", **r} for k, r in enumerate(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            shown = [r for r in rows if r["injected"] == kind][: a.show]
            for r in shown:
                print(f"===== {r['id']}  injected={kind}\n# {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
