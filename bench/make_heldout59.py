"""Held-out report-check set 59: the everyday chest list of a children's hospital (US and UK).

Written blind: without reading the checker, its tests, its docs or any other generator. Only the scorer's
format, the IU archive and the `uid` field of the dev set (to exclude those reports) were used.

Styles (several readers): a US children's hospital PACS report (EXAM / HISTORY / COMPARISON / FINDINGS /
IMPRESSION, numbered impressions, some de-identified archive lines with MIMIC-style ``___`` masks for ages and
names), a US one-line-header portable style, a UK paediatric radiology department report ("Clinical details",
"Findings:", "Impression:", consultant sign-off) and a UK registrar/ED request-reply style. Content: bronchiolitis,
viral illness, asthma, community-acquired and round pneumonia, suspected inhaled foreign body (inspiratory /
expiratory views), fever without source, pneumonia follow-ups, prominent thymus, parapneumonic effusion, lobar
collapse. Half of every group is composed from the phrase bank below, half are real IU (Open-i) reports, not in
the dev set, re-laid-out in the same styles with light rewording (``XXXX`` is Open-i's mask and is kept).

usage: python -m bench.make_heldout59 OUT.jsonl --seed S [--show N]
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
OPP = {"right": "left", "left": "right"}
PLACEHOLDER_RE = re.compile(r"\[[^\]]*\]|\*\*\*|<insert[^>]*>|\bXX (?:mm|cm)\b|___ ?(?:cm|mm)\b|\[ \]")

FAMILY = {
    "consol": [
        "consolidat",
        "pneumonia",
        "opacit",
        "airspace",
        "air space",
        "infiltrat",
        "atelecta",
        "collapse",
        "density",
        "lobe",
        "lingula",
        "infection",
        "lrti",
    ],
    "eff": ["effusion", "fluid", "pleural"],
    "ptx": ["pneumothora", "air leak", "pleural air", "pneumomediast"],
    "collapse": ["collapse", "atelecta", "volume loss", "lobe", "opacit", "density"],
}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data/iu_reports/NLMCXR_reports.tgz").exists():
        print(f"IU archive not found under {p}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return p


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# ----------------------------------------------------------------------------------------------- phrase bank
AGES_US = [
    "3-month-old",
    "5-month-old",
    "8-month-old",
    "11-month-old",
    "15-month-old",
    "2-year-old",
    "3-year-old",
    "4-year-old",
    "6-year-old",
    "8-year-old",
    "11-year-old",
    "14-year-old",
    "16-year-old",
]
AGES_UK = [
    "3 month old",
    "7 month old",
    "10 month old",
    "14 month old",
    "2 year old",
    "3yo",
    "5 year old",
    "7 yr old",
    "9 year old",
    "12 year old",
    "15 year old",
]
SEX = ["boy", "girl", "male", "female"]
HIST = {
    "normal": [
        "fever without source",
        "fever for 3 days, no focus found",
        "cough and fever",
        "tachypnea, rule out pneumonia",
        "chest pain after coughing",
        "persistent cough",
    ],
    "viral": [
        "cough, wheeze and fever",
        "bronchiolitis, increasing oxygen requirement",
        "RSV positive, increased work of breathing",
        "coryzal symptoms and tachypnoea, ?bronchiolitis",
        "viral illness with hypoxia",
    ],
    "asthma": [
        "asthma exacerbation, not responding to nebulizers",
        "known asthma, acute wheeze, ?pneumothorax",
        "wheezing, shortness of breath",
        "asthma, chest tightness",
    ],
    "cap": [
        "fever and cough, decreased breath sounds",
        "fever, crackles on auscultation",
        "?pneumonia, high CRP",
        "fever and abdominal pain, ?lower lobe pneumonia",
        "cough and fever for 5 days",
    ],
    "fb": [
        "choking episode while eating peanuts, ?inhaled foreign body",
        "sudden onset cough while playing with small toys",
        "?aspirated foreign body, unilateral wheeze",
    ],
    "fu": [
        "pneumonia 3 weeks ago, follow-up",
        "round pneumonia treated with antibiotics, follow up",
        "treated pneumonia, recheck",
        "persistent fever despite antibiotics",
    ],
}
NORM_LUNG = [
    "The lungs are clear.",
    "The lungs are well expanded and clear.",
    "Lung volumes are normal and there is no focal airspace opacity.",
    "No focal consolidation.",
    "Clear lungs.",
]
NORM_HEART = [
    "The cardiothymic silhouette is normal.",
    "Heart size is normal.",
    "Normal cardiothymic contours.",
    "The cardiomediastinal silhouette is within normal limits.",
    "The heart is not enlarged.",
]
NORM_PLEURA = [
    "No pleural effusion or pneumothorax.",
    "There is no pleural effusion or pneumothorax.",
    "No pleural fluid.",
    "Pleural spaces are clear.",
]
BONES = [
    "The visualized osseous structures are unremarkable.",
    "No acute osseous abnormality.",
    "Bones and soft tissues are normal for age.",
    "",
    "",
]
NORM_IMP = [
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "Normal appearances.",
    "No acute cardiopulmonary process.",
    "No acute abnormality.",
]
NORM_IMP_PNEU = ["No radiographic evidence of pneumonia.", "No focal pneumonia.", "No consolidation."]


def S(tpl, tag="", **kw):
    return {"tpl": tpl, "tag": tag, "p": dict(kw)}


def render_s(s) -> str:
    p = dict(s["p"])
    if "side" in p:
        p.setdefault("opp", OPP.get(p["side"], p["side"]))
    return cap(s["tpl"].format(**p))


def sc_normal(r):
    F = [
        S(r.choice(NORM_LUNG), "norm_lung"),
        S(r.choice(NORM_HEART), "norm_heart"),
        S(r.choice(NORM_PLEURA), "norm_pleura"),
    ]
    if r.random() < 0.25:
        F.insert(1, S("Prominent thymic shadow, a normal appearance at this age.", "thymus"))
    b = r.choice(BONES)
    if b:
        F.append(S(b, "bones"))
    imp = r.choice(NORM_IMP + NORM_IMP_PNEU)
    return "normal", F, [S(imp, "neg_consol" if imp in NORM_IMP_PNEU else "norm")]


def sc_viral(r):
    grade = r.choice(["mild", "moderate", "mild", "diffuse"])
    F = [
        S(
            r.choice(
                [
                    "There is {grade} central peribronchial thickening.",
                    "{grade} bilateral perihilar peribronchial thickening.",
                    "{grade} peribronchial cuffing and increased perihilar markings.",
                ]
            ),
            "viral",
            grade=grade,
        )
    ]
    infl = r.random() < 0.6
    if infl:
        F.append(
            S(
                r.choice(
                    [
                        "The lungs are hyperinflated.",
                        "Mild hyperinflation, with flattening of the hemidiaphragms.",
                        "Lung volumes are increased.",
                    ]
                ),
                "hyper",
            )
        )
    atel = r.random() < 0.45
    side = r.choice(["right", "left"])
    if atel:
        F.append(
            S(
                r.choice(
                    [
                        "Streaky opacity in the {side} upper lobe, likely subsegmental atelectasis.",
                        "Linear density at the {side} base in keeping with subsegmental atelectasis.",
                        "Small area of atelectasis in the {side} lower lobe.",
                    ]
                ),
                "atel",
                side=side,
            )
        )
    F.append(
        S(
            r.choice(["No focal consolidation.", "No lobar consolidation.", "No focal airspace consolidation."]),
            "neg_consol",
        )
    )
    F.append(S(r.choice(NORM_PLEURA), "norm_pleura"))
    F.append(S(r.choice(NORM_HEART), "norm_heart"))
    imp = r.choice(
        [
            "Peribronchial thickening{h}, consistent with viral lower respiratory tract infection"
            " or reactive airways disease.",
            "Findings in keeping with bronchiolitis.",
            "Appearances are those of a viral LRTI / bronchiolitis.",
            "Peribronchial thickening{h} compatible with viral illness.",
        ]
    )
    IMP = [S(imp, "viral", h=" and hyperinflation" if infl else "")]
    if atel:
        IMP.append(
            S(
                r.choice(["Subsegmental atelectasis at the {side} {where}.", "Minor {side} {where} atelectasis."]),
                "atel",
                side=side,
                where="base" if "base" in F[-4]["tpl"] else ("upper lobe" if "upper" in F[-4]["tpl"] else "lower lobe"),
            )
        )
    if r.random() < 0.5:
        IMP.append(
            S(r.choice(["No focal pneumonia.", "No consolidation to suggest bacterial pneumonia."]), "neg_consol")
        )
    return "viral", F, IMP


def sc_asthma(r):
    F = [
        S(
            r.choice(
                [
                    "The lungs are hyperinflated with flattened hemidiaphragms.",
                    "Hyperinflated lungs.",
                    "Lungs are hyperexpanded, with 10 posterior ribs visible above the diaphragm.",
                ]
            ),
            "hyper",
        ),
        S(
            r.choice(
                [
                    "Mild central peribronchial thickening.",
                    "There is peribronchial wall thickening.",
                    "Bronchial wall thickening centrally.",
                ]
            ),
            "viral",
        ),
        S(r.choice(["No focal consolidation.", "No consolidation."]), "neg_consol"),
        S(
            r.choice(
                [
                    "No pneumothorax or pneumomediastinum.",
                    "No pneumothorax. No pneumomediastinum.",
                    "No evidence of air leak.",
                ]
            ),
            "neg_ptx",
        ),
        S(r.choice(NORM_HEART), "norm_heart"),
    ]
    IMP = [
        S(
            r.choice(
                [
                    "Hyperinflation and peribronchial thickening, consistent with asthma.",
                    "Findings compatible with reactive airways disease.",
                    "Appearances in keeping with acute asthma.",
                ]
            ),
            "viral",
        )
    ]
    if r.random() < 0.6:
        IMP.append(S(r.choice(["No pneumothorax.", "No air leak."]), "neg_ptx"))
    return "asthma", F, IMP


def sc_cap(r):
    side = r.choice(["right", "left"])
    lobe = r.choice(["lower lobe", "upper lobe", "lower lobe"])
    F = [
        S(
            r.choice(
                [
                    "There is focal consolidation in the {side} {lobe} with air bronchograms.",
                    "Dense airspace opacity in the {side} {lobe}, consistent with consolidation.",
                    "Consolidation of the {side} {lobe}.",
                    "Patchy consolidation is present in the {side} {lobe}.",
                ]
            ),
            "consol",
            side=side,
            lobe=lobe,
        )
    ]
    eff = r.choice(["none", "none", "small"])
    if eff == "small":
        F.append(
            S(
                r.choice(
                    [
                        "Small {side} pleural effusion.",
                        "There is a small {side} pleural effusion with blunting of the costophrenic angle.",
                    ]
                ),
                "eff_small",
                side=side,
            )
        )
    else:
        F.append(S(r.choice(["No pleural effusion.", "No pleural effusion or pneumothorax."]), "neg_eff"))
    F.append(
        S(
            r.choice(
                [
                    "The remainder of the lungs are clear.",
                    "The other lung fields are clear.",
                    "Left lung clear." if side == "right" else "Right lung clear.",
                ]
            ),
            "rest",
        )
    )
    F.append(S(r.choice(NORM_HEART), "norm_heart"))
    IMP = [
        S(
            r.choice(
                [
                    "{side} {lobe} pneumonia.",
                    "{side} {lobe} consolidation consistent with pneumonia.",
                    "Findings consistent with {side} {lobe} pneumonia.",
                    "{side} {lobe} community-acquired pneumonia.",
                ]
            ),
            "consol",
            side=side,
            lobe=lobe,
        )
    ]
    if eff == "small":
        IMP.append(
            S(
                r.choice(["Small {side} parapneumonic effusion.", "Small associated {side} pleural effusion."]),
                "eff_small",
                side=side,
            )
        )
    return "cap", F, IMP


def sc_round(r):
    side = r.choice(["right", "left"])
    size = r.choice(["2.8", "3.5", "4.1", "3"])
    F = [
        S(
            "There is a rounded opacity in the {side} lower lobe measuring {size} cm, with ill-defined margins.",
            "consol",
            side=side,
            size=size,
        ),
        S(r.choice(["No pleural effusion.", "No pleural effusion or pneumothorax."]), "neg_eff"),
        S("No hilar or mediastinal lymphadenopathy.", "neg_node"),
        S(r.choice(NORM_HEART), "norm_heart"),
    ]
    IMP = [
        S(
            r.choice(
                [
                    "Round pneumonia in the {side} lower lobe.",
                    "Rounded {side} lower lobe opacity, most likely round pneumonia in this age group.",
                ]
            ),
            "consol",
            side=side,
        ),
        S(
            r.choice(
                [
                    "Suggest follow-up radiograph after treatment to confirm resolution.",
                    "Follow-up film in 4-6 weeks recommended.",
                ]
            ),
            "rec",
        ),
    ]
    return "fu" if r.random() < 0.3 else "cap", F, IMP


def sc_eff(r):
    side = r.choice(["right", "left"])
    grade = r.choice(["moderate", "large", "moderate"])
    F = [
        S("Consolidation in the {side} lower lobe.", "consol", side=side),
        S(
            r.choice(
                [
                    "There is a {grade} {side} pleural effusion.",
                    "{grade} {side} pleural effusion, extending to the mid zone.",
                ]
            ),
            "eff",
            side=side,
            grade=grade,
        ),
        S("No mediastinal shift.", "neg_shift"),
        S(r.choice(NORM_HEART), "norm_heart"),
    ]
    IMP = [
        S(
            r.choice(
                [
                    "{side} lower lobe pneumonia with a {grade} parapneumonic effusion.",
                    "{side} lower lobe pneumonia and {grade} pleural effusion.",
                ]
            ),
            "consol",
            side=side,
            grade=grade,
        )
    ]
    if r.random() < 0.6:
        IMP.append(S("Ultrasound is suggested to assess for loculation.", "rec"))
    return "cap", F, IMP


def sc_collapse(r):
    side = r.choice(["right", "left"])
    F = [
        S("The lungs are hyperinflated.", "hyper"),
        S(
            "Triangular density behind the heart with loss of the medial {side} hemidiaphragm,"
            " in keeping with {side} lower lobe collapse."
            if side == "left"
            else "Opacity at the {side} base obscuring the medial hemidiaphragm,"
            " in keeping with {side} lower lobe collapse.",
            "collapse",
            side=side,
        ),
        S("No pleural effusion.", "neg_eff"),
        S(r.choice(NORM_HEART), "norm_heart"),
    ]
    IMP = [
        S(
            r.choice(
                [
                    "{side} lower lobe collapse, likely mucus plugging in the setting of asthma.",
                    "Collapse of the {side} lower lobe.",
                ]
            ),
            "collapse",
            side=side,
        )
    ]
    return "asthma", F, IMP


def sc_fb(r):
    if r.random() < 0.45:
        F = [
            S("Inspiratory and expiratory frontal views.", "tech"),
            S("No radiopaque foreign body.", "neg_fb"),
            S("Both lungs deflate symmetrically on the expiratory image.", "sym"),
            S(r.choice(NORM_HEART), "norm_heart"),
        ]
        IMP = [
            S(
                "No radiographic evidence of an aspirated foreign body."
                " A normal radiograph does not exclude a non-radiopaque foreign body.",
                "neg_fb",
            )
        ]
        return "fb", F, IMP
    side = r.choice(["right", "left"])
    F = [
        S("Inspiratory and expiratory frontal views were obtained.", "tech"),
        S(
            r.choice(
                [
                    "The {side} lung remains hyperlucent on the expiratory image, with mediastinal shift to the {opp}.",
                    "On expiration the {side} lung fails to deflate and the mediastinum shifts towards the {opp}.",
                ]
            ),
            "airtrap",
            side=side,
        ),
        S("No radiopaque foreign body is seen.", "neg_fb"),
        S(r.choice(NORM_HEART), "norm_heart"),
    ]
    IMP = [
        S(
            r.choice(
                [
                    "Air trapping in the {side} lung,"
                    " concerning for an aspirated foreign body in the {side} main bronchus.",
                    "{side}-sided air trapping, suspicious for inhaled foreign body.",
                ]
            ),
            "airtrap",
            side=side,
        )
    ]
    if r.random() < 0.5:
        IMP.append(S("Discussed with the ED team; bronchoscopy advised.", "comm"))
    return "fb", F, IMP


def sc_fu(r):
    side = r.choice(["right", "left"])
    F = [
        S(
            r.choice(
                [
                    "Interval improvement in the {side} lower lobe consolidation, with minor residual opacity.",
                    "Residual patchy opacity at the {side} base, much improved.",
                ]
            ),
            "consol",
            side=side,
        ),
        S(
            r.choice(["The previously seen {side} pleural effusion has resolved.", "No pleural effusion."]),
            "neg_eff",
            side=side,
        ),
        S(r.choice(NORM_HEART), "norm_heart"),
    ]
    IMP = [
        S(
            r.choice(["Improving {side} lower lobe pneumonia.", "Resolving {side} basal pneumonia."]),
            "consol",
            side=side,
        )
    ]
    return "fu", F, IMP


COMPOSERS = [
    sc_normal,
    sc_normal,
    sc_normal,
    sc_viral,
    sc_viral,
    sc_asthma,
    sc_cap,
    sc_cap,
    sc_round,
    sc_eff,
    sc_collapse,
    sc_fb,
    sc_fu,
]


# ----------------------------------------------------------------------------------------------- layouts
READERS_US = [
    "J. Morales, MD",
    "Priya Raman, MD",
    "K. O'Donnell, MD, Pediatric Radiology",
    "Daniel Cho, MD",
    "S. Whitfield, MD (attending)",
]
READERS_UK = [
    "Dr A. Patel, Consultant Paediatric Radiologist",
    "Dr H. Morgan, ST4 Radiology / Dr C. Reid, Consultant",
    "Dr F. Okafor, Consultant Radiologist",
    "Reported by Dr L. Byrne (Paediatric Radiology)",
]
EXAMS_US = ["XR CHEST 2 VIEWS", "XR CHEST PA AND LATERAL", "XR CHEST 1 VIEW (AP)", "CHEST, FRONTAL AND LATERAL"]
EXAMS_UK = ["XR Chest", "Chest X-ray (AP)", "CXR PA", "XR Chest (single view)"]
AGE_BY = {
    "viral": (
        ["2-month-old", "4-month-old", "7-month-old", "10-month-old", "14-month-old", "20-month-old"],
        ["6 week old", "3 month old", "5 month old", "9 month old", "13 month old", "18 month old"],
    ),
    "asthma": (
        ["4-year-old", "7-year-old", "9-year-old", "12-year-old", "15-year-old"],
        ["4 year old", "6yo", "8 year old", "11 yr old", "14 year old"],
    ),
    "fb": (
        ["11-month-old", "18-month-old", "2-year-old", "3-year-old"],
        ["10 month old", "20 month old", "2 year old", "3yo"],
    ),
}


def layout(r, style, findings, impression, history, comparison, masked=False, omit=None, exam=None):
    """Return the full report; omit: None | 'imp_absent' | 'imp_empty' | 'find_empty' | 'find_absent'."""
    fx = "" if omit in ("find_empty",) else findings
    ix = "" if omit in ("imp_empty",) else impression
    if style == "us1":
        parts = [f"EXAM: {exam or r.choice(EXAMS_US)}", f"HISTORY: {history}", f"COMPARISON: {comparison}"]
        if omit != "find_absent":
            parts.append(f"FINDINGS:\n{fx}".rstrip())
        if omit != "imp_absent":
            parts.append(f"IMPRESSION:\n{ix}".rstrip())
        tail = (
            "Findings discussed with Dr. ___ by telephone at ___." if masked and not omit and r.random() < 0.5 else ""
        )
        sig = f"Electronically signed by: {r.choice(READERS_US)}" if not masked else "Electronically signed by: ___, MD"
        return "\n\n".join(parts + ([tail] if tail else []) + [sig])
    if style == "us2":
        exam = exam or r.choice(EXAMS_US)
        tech = (
            "Inspiratory and expiratory frontal views."
            if "EXPIR" in exam
            else "Single AP view of the chest."
            if "1 VIEW" in exam
            else r.choice(["Frontal and lateral views of the chest.", "PA and lateral radiographs."])
        )
        parts = [exam, f"INDICATION: {history}", f"TECHNIQUE: {tech}", f"COMPARISON: {comparison}"]
        if omit != "find_absent":
            parts.append(f"FINDINGS: {fx}".rstrip())
        if omit != "imp_absent":
            parts.append(f"IMPRESSION: {ix}".rstrip())
        return "\n".join(parts) + f"\n\n{r.choice(READERS_US)}"
    if style == "uk1":
        parts = [exam or r.choice(EXAMS_UK), f"Clinical details: {history}"]
        if comparison.lower() not in ("none.", "none"):
            parts.append(f"Comparison: {comparison}")
        if omit != "find_absent":
            parts.append(f"Findings:\n{fx}".rstrip())
        if omit != "imp_absent":
            parts.append(f"Impression:\n{ix}".rstrip())
        return "\n\n".join(parts + [r.choice(READERS_UK)])
    # uk2: request/reply, compact
    parts = [
        f"{exam or r.choice(EXAMS_UK)}   Requested by: {r.choice(['Paediatric ED', 'PAU', 'Ward 7', 'GP'])}",
        f"Clinical information: {history}",
        "",
    ]
    if omit != "find_absent":
        parts.append(f"FINDINGS: {fx}".rstrip())
    if omit != "imp_absent":
        parts.append(f"IMPRESSION: {ix}".rstrip())
    return "\n".join(parts) + f"\n\n{r.choice(READERS_UK)}"


def join_imp(r, style, sents):
    sents = [s for s in sents if s]
    if len(sents) > 1 and style in ("us1", "us2") and r.random() < 0.6:
        return ("\n" if style == "us1" else " ").join(f"{i}. {s}" for i, s in enumerate(sents, 1))
    return " ".join(sents)


def join_find(r, style, sents):
    sents = [s for s in sents if s]
    return " ".join(sents)


def history_for(r, kind, style):
    us = style.startswith("us")
    masked = us and r.random() < 0.2
    pool = AGE_BY.get(kind, (AGES_US, AGES_UK))[0 if us else 1]
    age = "___-month-old" if masked and kind == "viral" else ("___-year-old" if masked else r.choice(pool))
    h = r.choice(HIST[kind])
    if us:
        return f"{age} {r.choice(SEX)} with {h}.", masked
    return f"{age}. {cap(h)}." if r.random() < 0.5 else f"{cap(h)}. {age}.", masked


def comparison_for(r, kind, style):
    if kind == "fu":
        return r.choice(["Chest radiograph from 3 weeks prior.", "CXR 12 days ago.", "Previous film of last month."])
    return r.choice(["None.", "None.", "None available.", "Chest radiograph from last year.", "None."])


# ----------------------------------------------------------------------------------------------- IU source
def load_iu(shared: Path, exclude: set[str]):
    out = []
    with tarfile.open(shared / "data/iu_reports/NLMCXR_reports.tgz") as t:
        for m in sorted((m for m in t.getmembers() if m.isfile() and m.name.endswith(".xml")), key=lambda m: m.name):
            root = ET.fromstring(t.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in exclude:
                continue
            d = {
                a.get("Label"): " ".join((a.text or "").replace("<BR>", " ").split())
                for a in root.iter("AbstractText")
            }
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if not f or not i or len(f) > 700 or len(i) > 300 or PLACEHOLDER_RE.search(f + " " + i) or "___" in f + i:
                continue
            out.append(
                {
                    "uid": uid,
                    "findings": f,
                    "impression": i,
                    "indication": d.get("INDICATION", "") or "XXXX",
                    "comparison": d.get("COMPARISON", "") or "None.",
                }
            )
    return out


REWORD = [
    ("cardiomediastinal silhouette", "cardiomediastinal contours"),
    ("No acute cardiopulmonary abnormality", "No acute cardiopulmonary abnormality seen"),
    ("within normal limits", "normal"),
    ("are unremarkable", "are normal"),
    ("There is no ", "No "),
]


def reword(r, text):
    for a, b in REWORD:
        if a in text and r.random() < 0.5:
            text = text.replace(a, b)
    return text


def sentences(text):
    return [s for s in re.split(r"(?<=\.)\s+", text.strip()) if s]


SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
FAMS = {
    "eff": r"effusion",
    "lung": r"opacit|airspace|air space|consolidat|infiltrat|pneumonia|atelecta|density|scar",
    "nod": r"nodul|granulom|calcifi",
    "ptx": r"pneumothora",
}


def fam_of(sent):
    return {k for k, v in FAMS.items() if re.search(v, sent, re.I)}


NORMAL_IMP_RE = re.compile(r"^(1\. )?(no acute|normal chest|no active|negative chest|no evidence of acute)", re.I)
CLEAR_RE = re.compile(r"lungs? (are |is )?(\w+ )?(clear|expanded and clear)|no focal (consolidation|airspace)", re.I)


def with_side(w, new):
    return new.capitalize() if w[0].isupper() else new


# ----------------------------------------------------------------------------------------------- IU injections
def iu_case(r, rec, kind):
    """Return (findings, impression, detail, omit) or None if this IU report does not suit the kind."""
    f, i = rec["findings"], rec["impression"]
    if kind is None:
        if (
            "no " in i.lower()
            and re.search(r"\b(effusion|pneumothorax)\b", i, re.I)
            and not re.search(r"\bno\b", f, re.I)
        ):
            return None
        return f, i, "", None
    if kind == "missing_section":
        opt = r.choice(["imp_absent", "imp_empty", "find_empty", "imp_absent"])
        if NORMAL_IMP_RE.match(i) and len(i) < 60 and r.random() < 0.3:
            opt = "find_absent"
        return (
            f,
            i,
            {
                "imp_absent": "IMPRESSION section removed",
                "imp_empty": "IMPRESSION header left empty",
                "find_empty": "FINDINGS header left empty",
                "find_absent": "FINDINGS removed; impression is a bare normal statement",
            }[opt],
            opt,
        )
    if kind == "laterality_conflict":
        fs, is_ = sentences(f), sentences(i)
        for k, s in enumerate(is_):
            sides = {m.lower() for m in SIDE_RE.findall(s)}
            fam = fam_of(s)
            if len(sides) != 1 or not fam:
                continue
            side = sides.pop()
            match = [x for x in fs if side in x.lower() and fam & fam_of(x)]
            if (
                not match
                or re.search(rf"\b{OPP[side]}\b", f + " " + i, re.I)
                or re.search(r"bilateral|both", s, re.I)
            ):
                continue
            if r.random() < 0.5:
                is_[k] = SIDE_RE.sub(lambda m, sd=side: with_side(m.group(0), OPP[sd]), s)
                return f, " ".join(is_), f"IMPRESSION: '{side}' flipped to '{OPP[side]}' in '{is_[k]}'", None
            j = fs.index(match[0])
            fs[j] = SIDE_RE.sub(lambda m, sd=side: with_side(m.group(0), OPP[sd]), fs[j])
            return " ".join(fs), i, f"FINDINGS: '{side}' flipped to '{OPP[side]}' in '{fs[j]}'", None
        return None
    if kind == "negation_conflict":
        if not NORMAL_IMP_RE.match(i):
            return None
        side = r.choice(["right", "left"])
        if re.search(r"\b(large|significant|sizable|definite|visible|small|trace|moderate|blunting)\b", f, re.I):
            return None
        if re.search(r"\bno (pleural )?effusion|\bno [^.]{0,30}pleural effusion", f, re.I):
            new = r.choice(
                [f"Small {side} pleural effusion.", f"Small {side} pleural effusion, otherwise no acute abnormality."]
            )
            return f, new, f"FINDINGS say no pleural effusion; IMPRESSION replaced by '{new}'", None
        if re.search(r"\bno pneumothorax|\bno [^.]{0,30}pneumothorax", f, re.I):
            new = f"Small {side} apical pneumothorax."
            return f, new, f"FINDINGS say no pneumothorax; IMPRESSION replaced by '{new}'", None
        if CLEAR_RE.search(f):
            new = r.choice(
                [f"{cap(side)} lower lobe pneumonia.", f"Patchy {side} basilar consolidation, likely pneumonia."]
            )
            return f, new, f"FINDINGS say the lungs are clear / no consolidation; IMPRESSION replaced by '{new}'", None
        return None
    if kind == "impression_omits_finding":
        fs = sentences(f)
        side = r.choice(["right", "left"])
        for j, s in enumerate(fs):
            low = s.lower()
            if re.fullmatch(r"(there is )?no (evidence of )?pneumothorax\.", low):
                new, fam = f"There is a small {side} apical pneumothorax.", "ptx"
            elif re.fullmatch(r"(there is )?no (evidence of )?(pleural effusion|pleural effusions)\.", low):
                new, fam = f"Moderate {side} pleural effusion.", "eff"
            elif re.fullmatch(
                r"(there is )?no (pleural effusion or pneumothorax|pneumothorax or pleural effusion)\.", low
            ):
                new, fam = f"Moderate {side} pleural effusion. No pneumothorax.", "eff"
            else:
                continue
            if any(w in i.lower() for w in FAMILY[fam]):
                return None
            if re.search(r"effusion" if fam == "eff" else "pneumothora", " ".join(fs[:j] + fs[j + 1 :]), re.I):
                return None
            fs[j] = new
            return " ".join(fs), i, f"FINDINGS now affirm '{new}'; IMPRESSION ('{i[:60]}') does not mention it", None
        return None
    if kind == "placeholder":
        where = r.choice(["f", "i"])
        txt = f if where == "f" else i
        m = re.search(r"\b(right|left|mild|small|moderate|large|minimal)\b", txt, re.I)
        if not m:
            other = i if where == "f" else f
            m = re.search(r"\b(right|left|mild|small|moderate|large|minimal)\b", other, re.I)
            if not m:
                return None
            where, txt = ("i" if where == "f" else "f"), other
        w = m.group(1).lower()
        ph = (
            r.choice(["[LEFT/RIGHT]", "***", "[right/left]"])
            if w in OPP
            else r.choice(["[mild/moderate/severe]", "***", "[ ]"])
        )
        txt = txt[: m.start()] + ph + txt[m.end() :]
        f2, i2 = (txt, i) if where == "f" else (f, txt)
        return f2, i2, f"word {m.group(1)} in {'FINDINGS' if where == 'f' else 'IMPRESSION'} replaced by '{ph}'", None
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------- composed injections
def omission_base(r):
    """Significant finding added to findings of a scenario whose impression cannot mention it."""
    want_normal = r.random() < 0.5
    kind, F, IMP = (sc_normal if want_normal else r.choice([sc_viral, sc_asthma]))(r)
    side = r.choice(["right", "left"])
    opts = [
        ("consol", "There is new focal consolidation in the {side} lower lobe.", "neg_consol"),
        ("consol", "Patchy airspace opacity in the {side} upper lobe, with air bronchograms.", "neg_consol"),
        ("ptx", "Small {side} apical pneumothorax.", "neg_ptx"),
        ("eff", "There is a moderate {side} pleural effusion.", "norm_pleura"),
        (
            "collapse",
            "{side} upper lobe collapse, with elevation of the horizontal fissure."
            if side == "right"
            else "Left lower lobe collapse behind the heart.",
            "neg_consol",
        ),
    ]
    fam, tpl, drop = r.choice(opts)
    F = [
        s for s in F if s["tag"] not in (drop, "norm_lung", "norm_pleura" if fam in ("eff", "ptx") else "x", "neg_ptx")
    ]
    if fam == "ptx":
        F.append(S("No pleural effusion.", "neg_eff"))
    F.insert(1 if len(F) > 1 else 0, S(tpl, "ADDED", side=side))
    if not any(s["tag"] in ("viral", "hyper") for s in F):
        F.insert(2, S(r.choice(["The lungs are otherwise clear.", "The remainder of the lungs is clear."]), "rest"))
    if want_normal:
        IMP = [S(r.choice(NORM_IMP), "norm")]
    else:
        IMP = [s for s in IMP if s["tag"] in ("viral",) and "pneumonia" not in s["tpl"]]
        IMP[0]["tpl"] = IMP[0]["tpl"].replace("viral lower respiratory tract infection or ", "")
    return (
        kind,
        F,
        IMP,
        fam,
        f"FINDINGS affirm '{render_s(F[1 if len(F) > 1 else 0])}'; IMPRESSION "
        + ("is a normal statement" if want_normal else "lists other findings only"),
    )


def composed(r, kind):
    omit, detail = None, ""
    if kind == "impression_omits_finding":
        for _ in range(100):
            hk, F, IMP, fam, detail = omission_base(r)
            if IMP and not any(w in " ".join(render_s(x) for x in IMP).lower() for w in FAMILY[fam]):
                return hk, F, IMP, detail, omit, fam
        raise RuntimeError("no omission composition")
    pool = COMPOSERS
    if kind == "laterality_conflict":
        pool = [sc_cap, sc_cap, sc_round, sc_eff, sc_collapse, sc_fb, sc_fu, sc_viral]
    for _ in range(50):
        hk, F, IMP = r.choice(pool)(r)
        if kind is None:
            return hk, F, IMP, "", None, None
        if kind == "missing_section":
            opt = r.choice(["imp_absent", "imp_empty", "find_empty"])
            if all(s["tag"] in ("norm", "neg_consol") for s in IMP) and r.random() < 0.4:
                opt = "find_absent"
            return hk, F, IMP, f"section change: {opt}", opt, None
        if kind == "laterality_conflict":
            cand = [
                s
                for s in IMP
                if "side" in s["p"] and s["tag"] in ("consol", "eff_small", "collapse", "airtrap", "atel")
            ]
            if not cand:
                continue
            s = r.choice(cand)
            target = s
            if r.random() < 0.35:
                fc = [x for x in F if x["tag"] == s["tag"] and "side" in x["p"]]
                if fc:
                    target = fc[0]
            old = target["p"]["side"]
            target["p"]["side"] = OPP[old]
            return (
                hk,
                F,
                IMP,
                f"side flipped {old}->{OPP[old]} in {'IMPRESSION' if target is s else 'FINDINGS'}: "
                f"'{render_s(target)}'",
                None,
                None,
            )
        if kind == "negation_conflict":
            tags = {s["tag"] for s in F}
            side = r.choice(["right", "left"])
            if "consol" in tags and r.random() < 0.4:
                new = r.choice(["No focal consolidation.", "No focal pneumonia.", "Lungs are clear."])
                IMP = [S(new, "NEG")] + [s for s in IMP if s["tag"] in ("rec", "comm") and r.random() < 0.3]
                return hk, F, IMP, f"FINDINGS affirm consolidation; IMPRESSION says '{new}'", None, None
            if "neg_eff" in tags and "consol" in tags:
                c = next(s for s in IMP if s["tag"] == "consol")
                if "effusion" in c["tpl"]:
                    continue
                IMP.append(S("Small {side} parapneumonic effusion.", "NEG", side=c["p"]["side"]))
                return (
                    hk,
                    F,
                    IMP,
                    "FINDINGS say no pleural effusion; IMPRESSION adds a parapneumonic effusion",
                    None,
                    None,
                )
            if "eff_small" in tags and r.random() < 0.7:
                IMP = [x for x in IMP if x["tag"] != "eff_small"] + [
                    S(r.choice(["No pleural effusion.", "No effusion."]), "NEG")
                ]
                return hk, F, IMP, "FINDINGS affirm a small effusion; IMPRESSION says no effusion", None, None
            if "neg_consol" in tags and hk == "viral":
                IMP = [x for x in IMP if x["tag"] != "neg_consol"]
                IMP.insert(1, S("Superimposed {side} lower lobe pneumonia.", "NEG", side=side))
                return (
                    hk,
                    F,
                    IMP,
                    "FINDINGS say no focal consolidation; IMPRESSION adds a lower lobe pneumonia",
                    None,
                    None,
                )
            if "norm_lung" in tags and "thymus" not in tags:
                IMP = [S("{side} lower lobe pneumonia.", "NEG", side=side)]
                return (
                    hk,
                    F,
                    IMP,
                    "FINDINGS say the lungs are clear; IMPRESSION gives a lower lobe pneumonia",
                    None,
                    None,
                )
            continue
        if kind == "placeholder":
            opts = []
            for sec in (F, IMP):
                for s in sec:
                    for key in ("side", "size", "grade"):
                        if key in s["p"] and "{" + key + "}" in s["tpl"]:
                            opts.append((s, key))
                    if s["tag"] == "norm_heart":
                        opts.append((s, "heart"))
            if not opts:
                continue
            s, key = r.choice(opts)
            if key == "side":
                ph = r.choice(["[LEFT/RIGHT]", "***", "[right/left]", "[ ]"])
            elif key == "size":
                ph = r.choice(["___", "XX", "[***]"])
            elif key == "grade":
                ph = r.choice(["[mild/moderate/severe]", "***", "[ ]", "<insert grade>"])
            else:
                s["tpl"] = r.choice(
                    ["The cardiothymic silhouette is [normal/enlarged].", "Heart size: ***.", "Heart: [ ]."]
                )
                return hk, F, IMP, f"heart-size template field left: '{s['tpl']}'", None, None
            s["p"][key] = ph
            return hk, F, IMP, f"{key} left as template field '{ph}' in '{render_s(s)}'", None, None
    raise RuntimeError("no composition for " + str(kind))


# ----------------------------------------------------------------------------------------------- checks
def check(kind, report, fx, ix, detail, omit, fam):
    low = report.lower()
    if kind is None:
        assert not PLACEHOLDER_RE.search(report), report
        assert "findings" in low and "impression" in low and fx.strip() and ix.strip()
        return
    if kind == "missing_section":
        if omit == "imp_absent":
            assert "impression" not in low
        elif omit == "find_absent":
            assert "findings:" not in low and (NORMAL_IMP_RE.match(ix) or ix in NORM_IMP + NORM_IMP_PNEU), ix
        else:
            assert re.search(
                r"(findings|impression):\s*(\n\n|\n[A-Z][a-z]+ |\n\S+,|$|\nelectron|\ndr|\nj\.|\n[A-Za-z])",
                report,
                re.I,
            )
    elif kind == "laterality_conflict":
        assert SIDE_RE.search(fx) and SIDE_RE.search(ix)
    elif kind == "placeholder":
        assert PLACEHOLDER_RE.search(report) or "***" in report
    elif kind == "impression_omits_finding":
        words = FAMILY[fam]
        assert not any(w in ix.lower() for w in words), (fam, ix)
        assert any(w in fx.lower() for w in words)
    elif kind == "negation_conflict":
        assert detail
    for quoted in re.findall(r"'([^']*)'", detail):
        if len(quoted) > 6 and not quoted.startswith("No acute") and "..." not in quoted:
            assert quoted in report, (quoted, report)


# ----------------------------------------------------------------------------------------------- main
STYLES = ["us1", "us2", "uk1", "uk2"]


def build(seed: int):
    shared = shared_dir()
    dev = shared / "eval/report_errors_dev.jsonl"
    exclude = {json.loads(line)["uid"] for line in dev.open()} if dev.exists() else set()
    iu = load_iu(shared, exclude)
    r = random.Random(seed)
    r.shuffle(iu)
    used, rows = set(), []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    pos = 0
    for kind, n in plan:
        for j in range(n):
            style = r.choice(STYLES)
            if j % 2 == 0:  # composed
                hk, F, IMP, detail, omit, fam = composed(r, kind)
                history, masked = history_for(r, hk, style)
                fx = join_find(r, style, [render_s(s) for s in F])
                ix = join_imp(r, style, [render_s(s) for s in IMP])
                src = "composed"
            else:
                while True:
                    rec = iu[pos % len(iu)]
                    pos += 1
                    if rec["uid"] in used:
                        if pos > 4 * len(iu):
                            raise RuntimeError("IU pool exhausted")
                        continue
                    rec = dict(rec, findings=reword(r, rec["findings"]), impression=reword(r, rec["impression"]))
                    res = iu_case(r, rec, kind)
                    if res:
                        break
                used.add(rec["uid"])
                fx, ix, detail, omit = res
                history, masked = rec["indication"].rstrip(".") + ".", False
                fam = "eff" if "effusion" in str(detail).split("IMPRESSION")[0] else "ptx"
                src = f"IU {rec['uid']}"
            exam = None
            if src == "composed" and hk == "fb":
                exam = (
                    "XR CHEST INSPIRATORY AND EXPIRATORY"
                    if style.startswith("us")
                    else "XR Chest - inspiratory/expiratory"
                )
            comp = comparison_for(r, hk, style) if src == "composed" else rec["comparison"]
            report = layout(r, style, fx, ix, history, comp, masked, omit, exam)
            check(kind, report, fx, ix, detail, omit, fam)
            cid = hashlib.sha1(f"59|{seed}|{len(rows)}|{report}".encode()).hexdigest()[:16]
            rows.append({"id": cid, "injected": kind, "detail": detail or "", "report": report, "_src": src})
    r.shuffle(rows)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=59)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    if (
        not os.environ.get("MEDRAG_SHARED_DIR")
        and not (Path(__file__).resolve().parent.parent.parent / "shared").exists()
    ):
        print("MEDRAG_SHARED_DIR is not set and ../shared does not exist", file=sys.stderr)
        sys.exit(2)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps({k: row[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {kind} | {row['_src']} | {row['detail']}\n{row['report']}\n")


if __name__ == "__main__":
    main()
