"""Held-out report-check set 112, written blind.

Setting: government, mission and NGO-supported hospitals of Liberia and Sierra Leone (Monrovia, Freetown,
Bo, Kenema).  Chest X-ray reports in English dictated or typed by the few consultant radiologists there,
radiology residents and medical officers, for OPD, emergency, medical wards, TB and HIV programmes and
pre-employment medicals.  House style: exam line ("EXAMINATION: CHEST X-RAY (PA VIEW)"), clinical
history with the usual shorthand ("Cough x 3/52", "?PTB", "HIV +ve on ART"), comparison, technique,
FINDINGS or REPORT, IMPRESSION / CONCLUSION / OPINION, and a sign-off line; British spelling
(oedema, haemoptysis, visualised), zones rather than lobes, CTR quoted, "Rt"/"Lt" in places.  Most films
are normal or near-normal; the abnormal ones are the ordinary mix (pneumonia, TB, effusion,
cardiomegaly / failure, old healed TB, bronchitic change, spondylosis).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase bank below,
half are real IU (Open-i) reports (never one whose uid is in the dev set) re-laid-out in the house style
with light British re-wording.  Errors are ordinary slips: a side flipped, a normal macro pasted over
the impression, a normal template line left in the findings, a template field not filled, a section
left empty.

    python -m bench.make_heldout112 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
from functools import lru_cache
from pathlib import Path

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_PER_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# setting: places, people, exam lines, histories
# --------------------------------------------------------------------------------------------

HOSPITALS = [
    "RADIOLOGY DEPARTMENT, JOHN F. KENNEDY MEDICAL CENTER, MONROVIA",
    "REDEMPTION HOSPITAL, NEW KRU TOWN, MONROVIA - X-RAY UNIT",
    "ELWA HOSPITAL, PAYNESVILLE, MONROVIA - DEPARTMENT OF RADIOLOGY",
    "CONNAUGHT HOSPITAL, FREETOWN - RADIOLOGY DEPARTMENT",
    "34 MILITARY HOSPITAL, WILBERFORCE, FREETOWN - X-RAY DEPT",
    "BO GOVERNMENT HOSPITAL - RADIOLOGY UNIT",
    "MERCY HOSPITAL, BO - X-RAY DEPARTMENT",
    "KENEMA GOVERNMENT HOSPITAL - DEPARTMENT OF RADIOLOGY",
    "CHOITHRAM MEMORIAL HOSPITAL, HILL STATION, FREETOWN",
    "NATIONAL LEPROSY AND TB CONTROL PROGRAMME CHEST CLINIC, FREETOWN",
]

SIGNERS = [
    ("Dr. M. S. Kamara", "Consultant Radiologist"),
    ("Dr. A. B. Sesay", "Consultant Radiologist"),
    ("Dr. F. Koroma", "Radiology Resident"),
    ("Dr. I. Conteh", "Medical Officer"),
    ("Dr. H. Bangura", "Consultant Radiologist, FWACS"),
    ("Dr. J. K. Flomo", "Consultant Radiologist"),
    ("Dr. P. Kollie", "Radiology Resident (LCPS)"),
    ("Dr. E. T. Dolo", "Medical Officer"),
    ("Dr. S. Kromah", "Consultant Radiologist"),
    ("Dr. W. G. Tarr", "Radiology Resident"),
    ("Dr. A. Jalloh", "Medical Officer i/c X-ray"),
    ("Dr. R. Mansaray", "Consultant Radiologist"),
]

EXAM_PA = [
    "EXAMINATION: CHEST X-RAY (PA VIEW)",
    "EXAM: CHEST X-RAY PA",
    "X-RAY CHEST PA VIEW",
    "CHEST RADIOGRAPH (PA ERECT)",
    "EXAMINATION: CXR PA",
    "INVESTIGATION: CHEST X-RAY",
    "X-RAY: CHEST (PA)",
]
EXAM_AP = [
    "EXAMINATION: CHEST X-RAY (AP SUPINE, PORTABLE)",
    "CHEST X-RAY AP VIEW (WARD FILM)",
    "EXAM: CXR AP SITTING",
]

HIST_NORMALISH = [
    "Pre-employment medical.",
    "Pre-employment medical examination.",
    "Routine medical check-up.",
    "Medical for travel (visa).",
    "Cough x 2/52.",
    "Cough for 3 weeks, ?PTB.",
    "Chest pain, OPD.",
    "Fever and cough x 1/52.",
    "Presumptive TB, cough > 2 weeks.",
    "TB screening, household contact of smear positive case.",
    "HIV +ve on ART, cough.",
    "PLHIV, routine TB screening.",
    "Known hypertensive, for cardiac assessment.",
    "Difficulty in breathing.",
    "Pre-operative assessment.",
    "End of TB treatment, follow-up.",
    "RTA, chest pain.",
    "Sickle cell disease, chest pain.",
    "Weight loss and night sweats.",
    "Haemoptysis x 1/52.",
    "Asthmatic, wheeze.",
    "Student medical.",
    "Fever, ?pneumonia.",
    "Body weakness and cough.",
]

COMPARISONS = [
    "None.",
    "None available.",
    "No previous film.",
    "No prior films for comparison.",
    "Previous film of {d} reviewed.",
    "Compared with the film of {d}.",
]

TECHNIQUE = [
    "Single PA erect view.",
    "PA view. Film adequately inspired and well centred.",
    "PA erect film, adequate exposure.",
    "Adequate inspiration, no rotation.",
    "Slightly rotated film, otherwise adequate.",
    "PA view, suboptimal inspiration.",
]
TECHNIQUE_AP = [
    "AP supine portable film.",
    "AP sitting film taken on the ward.",
]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2021, 2022, 2023, 2024])}"


# --------------------------------------------------------------------------------------------
# normal phrase bank by structure
# --------------------------------------------------------------------------------------------

NORMAL = {
    "lungs": [
        "Both lung fields are clear.",
        "The lung fields are clear bilaterally.",
        "Both lungs are well expanded and clear.",
        "No focal lung lesion is seen. Lung markings are normal.",
        "Both lung fields are normal in translucency with no focal opacity.",
    ],
    "pleura": [
        "Both costophrenic angles are clear.",
        "The costophrenic angles are sharp.",
        "No pleural effusion or pneumothorax.",
        "Both CP angles are preserved.",
    ],
    "heart": [
        "The heart is normal in size and shape (CTR {ctr}).",
        "Cardiac size is within normal limits, CTR {ctr}.",
        "Heart size and configuration are normal.",
        "The cardiac shadow is normal in size.",
    ],
    "media": [
        "The trachea is central. Both hila are normal.",
        "Mediastinum is not widened. Hilar shadows are normal.",
        "Normal mediastinal and hilar outlines.",
    ],
    "diaph": [
        "Both hemidiaphragms are normal in position and outline.",
        "The domes of the diaphragm are smooth and well outlined.",
        "Both hemidiaphragms are intact.",
    ],
    "bones": [
        "The visualised bony thorax is intact.",
        "Bony thorax and soft tissues are unremarkable.",
        "No bony abnormality seen.",
        "The ribs and thoracic spine are normal.",
    ],
}
ORDER = ["lungs", "pleura", "heart", "media", "diaph", "bones"]

NORMAL_IMP = [
    "Normal chest X-ray.",
    "Normal chest radiograph.",
    "No active lung disease.",
    "Normal study.",
    "No significant abnormality detected.",
    "Normal chest study.",
    "Essentially normal chest radiograph.",
    "No active chest disease.",
    "Normal cardiopulmonary findings.",
]
NORMAL_IMP_MEDICAL = [
    "Normal chest X-ray. Fit from the chest X-ray point of view.",
    "Normal chest radiograph. No radiological evidence of active pulmonary TB.",
]
NORMAL_IMP_TB = [
    "No radiological evidence of active pulmonary tuberculosis.",
    "Normal chest X-ray. No features of PTB seen.",
]
# generic "normal" statements pasted over an impression (impression_omits_finding)
OMIT_IMP = [
    "Normal chest X-ray.",
    "Normal chest radiograph.",
    "No active chest disease.",
    "No significant abnormality detected.",
    "Essentially normal study.",
    "No acute cardiopulmonary abnormality.",
    "No active lung disease seen.",
    "Normal study. Fit from the chest X-ray point of view.",
]
# impressions that do not describe the image at all (findings-empty missing_section)
NONDESC_IMP = [
    "Kindly correlate clinically.",
    "Please correlate with clinical findings and sputum GeneXpert.",
    "Advise review with previous films.",
    "Clinical correlation is advised.",
    "For follow-up as clinically indicated.",
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _side_words(side: str, rng: random.Random, abbrev_ok: bool) -> dict:
    other = "left" if side == "right" else "right"
    ab = {"right": "Rt", "left": "Lt"}
    use_ab = abbrev_ok and rng.random() < 0.25
    return {
        "side": side,
        "Side": _cap(side),
        "iside": ab[side] if use_ab else _cap(side),
        "other": other,
    }


# --------------------------------------------------------------------------------------------
# entities: what a finding looks like in findings and impression
#   occ: structures whose normal line it replaces; sig: significant (omission is an error)
#   neg_imp: impression statement that negates it; rest: sentence kept for the rest of that structure
# --------------------------------------------------------------------------------------------


def _ent(rng: random.Random, key: str) -> dict:
    side = rng.choice(["right", "left"])
    zone = rng.choice(["lower", "lower", "mid"])
    sz = f"{rng.randint(25, 55) / 10:.1f} cm"
    ctr_big = f"0.{rng.randint(57, 68)}"
    e: dict = {"key": key, "side": None, "sig": False, "neg_imp": None, "rest": None}
    if key == "consolidation":
        e.update(
            side=side,
            sig=True,
            occ=["lungs"],
            f=rng.choice(
                [
                    "There is an ill-defined homogeneous opacity in the {side} "
                    + zone
                    + " zone with air bronchograms.",
                    "Patchy air-space opacities are seen in the {side} " + zone + " zone.",
                    "Non-homogeneous opacity is noted in the {side} " + zone + " zone, in keeping with consolidation.",
                ]
            ),
            imp=rng.choice(
                [
                    "{iside} " + zone + " zone consolidation, likely pneumonia.",
                    "{iside} " + zone + " zone pneumonia.",
                    "Features in keeping with {side} " + zone + " zone lobar pneumonia.",
                ]
            ),
            neg_imp=rng.choice(["Both lung fields are clear.", "The lungs are clear.", "No consolidation."]),
            rest=rng.choice(["The {other} lung is clear.", "The rest of the lung fields are clear."]),
        )
    elif key == "ptb":
        e.update(
            side=side,
            sig=True,
            occ=["lungs"],
            f=rng.choice(
                [
                    "There are patchy opacities in the {side} upper zone with a thick-walled cavity measuring about "
                    + sz
                    + ".",
                    "Fluffy opacities with areas of cavitation are seen in the {side} upper and mid zones.",
                    "Ill-defined nodular and patchy opacities are seen in the {side} upper zone.",
                ]
            ),
            imp=rng.choice(
                [
                    "Features in keeping with active pulmonary tuberculosis, {side} upper zone. "
                    "Sputum GeneXpert advised.",
                    "{iside} upper zone opacities, suggestive of PTB.",
                    "Radiological features of active PTB ({side} upper zone).",
                ]
            ),
            neg_imp=rng.choice(["Both lung fields are clear.", "No radiological evidence of active pulmonary TB."]),
            rest=rng.choice(["The {other} lung is clear.", "The rest of the lung fields are clear."]),
        )
    elif key == "effusion":
        size = rng.choice(["Moderate", "Moderate", "Large"])
        e.update(
            side=side,
            sig=True,
            occ=["lungs", "pleura"],
            f=rng.choice(
                [
                    "There is a homogeneous opacity in the {side} lower zone with a meniscus, "
                    "obliterating the {side} costophrenic angle and hemidiaphragm.",
                    "Homogeneous opacification of the {side} lower and mid zones with a concave upper border, "
                    "obscuring the {side} CP angle.",
                    "There is a "
                    + size.lower()
                    + " {side} pleural effusion obliterating the {side} costophrenic angle.",
                ]
            ),
            imp=rng.choice(
                [
                    size + " {side} pleural effusion.",
                    "{iside} sided pleural effusion (" + size.lower() + "). Aspiration and fluid analysis advised.",
                    size + " {side} pleural effusion, ?tuberculous.",
                ]
            ),
            neg_imp=rng.choice(["No pleural effusion.", "Both costophrenic angles are clear."]),
            rest=rng.choice(["The {other} lung and CP angle are clear.", "The {other} lung field is clear."]),
        )
    elif key == "small_effusion":
        e.update(
            side=side,
            occ=["pleura"],
            f=rng.choice(
                [
                    "There is blunting of the {side} costophrenic angle.",
                    "The {side} CP angle is blunted, likely a small effusion.",
                ]
            ),
            imp=rng.choice(
                [
                    "Small {side} pleural effusion.",
                    "Blunted {side} CP angle, small effusion or pleural thickening.",
                ]
            ),
            neg_imp="No pleural effusion.",
            rest="The {other} costophrenic angle is clear.",
        )
    elif key == "pneumothorax":
        e.update(
            side=side,
            sig=True,
            occ=["lungs", "pleura"],
            f=rng.choice(
                [
                    "The {side} hemithorax is hyperlucent and devoid of lung markings, with a visible lung edge.",
                    "There is a {side} pneumothorax with partial collapse of the {side} lung.",
                    "A visceral pleural line is seen in the {side} hemithorax with no lung markings beyond it.",
                ]
            ),
            imp=rng.choice(
                [
                    "{iside} pneumothorax.",
                    "{iside} sided pneumothorax. Urgent chest tube insertion advised.",
                    "{Side} pneumothorax with partial lung collapse.",
                ]
            ),
            neg_imp="No pneumothorax.",
            rest="The {other} lung is clear.",
        )
    elif key == "cardiomegaly":
        e.update(
            occ=["heart"],
            sig=False,
            neg_sig=True,
            f=rng.choice(
                [
                    "The heart is enlarged, CTR " + ctr_big + ".",
                    "Cardiomegaly is noted with a CTR of " + ctr_big + ".",
                    "The cardiac shadow is enlarged (CTR " + ctr_big + ") with a globular configuration.",
                ]
            ),
            imp=rng.choice(
                [
                    "Cardiomegaly.",
                    "Cardiomegaly, ?hypertensive heart disease.",
                    "Cardiomegaly. Echocardiography advised.",
                ]
            ),
            neg_imp=rng.choice(["Normal heart size.", "Heart size is normal.", "The heart is not enlarged."]),
        )
    elif key == "ccf":
        e.update(
            occ=["heart", "lungs"],
            sig=True,
            f=rng.choice(
                [
                    "The heart is enlarged (CTR "
                    + ctr_big
                    + "). There is upper lobe blood diversion with bilateral perihilar haziness and Kerley B lines.",
                    "Cardiomegaly with CTR "
                    + ctr_big
                    + ". Bilateral perihilar alveolar opacities (bat-wing) in keeping with pulmonary oedema.",
                    "Cardiomegaly (CTR " + ctr_big + ") with prominent upper lobe veins and interstitial oedema.",
                ]
            ),
            imp=rng.choice(
                [
                    "Cardiomegaly with pulmonary venous congestion, in keeping with congestive cardiac failure.",
                    "Cardiomegaly and pulmonary oedema.",
                    "Features of congestive cardiac failure.",
                ]
            ),
            neg_imp=rng.choice(["Normal heart size. The lungs are clear.", "No pulmonary oedema."]),
        )
    elif key == "mass":
        e.update(
            side=side,
            sig=True,
            occ=["lungs"],
            f=rng.choice(
                [
                    "A well-defined rounded opacity measuring about " + sz + " is seen in the {side} mid zone.",
                    "There is a lobulated soft tissue mass in the {side} upper zone, about " + sz + " in diameter.",
                ]
            ),
            imp=rng.choice(
                [
                    "{iside} lung mass. CT chest advised.",
                    "{Side} mid zone rounded opacity, ?neoplasm ?tuberculoma. CT scan advised.",
                ]
            ),
            neg_imp="Both lung fields are clear.",
            rest="The {other} lung is clear.",
        )
    elif key == "miliary":
        e.update(
            occ=["lungs"],
            sig=True,
            f="Multiple tiny nodular opacities are distributed diffusely throughout both lung fields.",
            imp=rng.choice(["Miliary mottling, likely miliary TB.", "Miliary pattern, ?miliary tuberculosis."]),
            neg_imp="Both lung fields are clear.",
        )
    elif key == "mediastinum":
        e.update(
            occ=["media"],
            sig=True,
            f="The superior mediastinum is widened, measuring about " + f"{rng.randint(85, 105) / 10:.1f}" + " cm.",
            imp="Widened superior mediastinum. CT chest advised.",
            neg_imp="Mediastinum is not widened.",
        )
    elif key == "hilar":
        e.update(
            side=side,
            occ=["media"],
            f="The {side} hilum is bulky, suggestive of hilar lymphadenopathy.",
            imp="{iside} hilar lymphadenopathy, ?TB.",
            neg_imp="Normal hila.",
        )
    elif key == "old_tb":
        e.update(
            side=side,
            occ=["lungs"],
            f=rng.choice(
                [
                    "Fibrotic strands and a few calcified nodules are seen in the {side} upper zone "
                    "with mild volume loss.",
                    "There are fibrocalcific changes in the {side} upper zone.",
                ]
            ),
            imp=rng.choice(
                ["Fibrotic changes {side} upper zone, likely old healed PTB.", "Old healed PTB, {side} upper zone."]
            ),
            rest="The rest of the lung fields are clear.",
        )
    elif key == "bronchitic":
        e.update(
            occ=["lungs"],
            f=rng.choice(
                [
                    "Prominent bronchovascular markings are seen in both lower zones.",
                    "There are increased bronchovascular markings bilaterally.",
                ]
            ),
            imp=rng.choice(["Bronchitic changes.", "Bronchitic chest."]),
        )
    elif key == "granuloma":
        e.update(
            side=side,
            occ=["lungs"],
            rest="The lungs are otherwise clear.",
            f="A small calcified granuloma is noted in the {side} mid zone.",
            imp="Calcified granuloma, {side} mid zone.",
        )
    elif key == "spondylosis":
        e.update(
            occ=["bones"],
            f=rng.choice(
                ["Marginal osteophytes are noted in the thoracic spine.", "Degenerative changes of the thoracic spine."]
            ),
            imp="Thoracic spondylosis.",
        )
    elif key == "aorta":
        e.update(
            occ=["media"],
            f="The aorta is unfolded with calcification of the aortic knuckle.",
            imp="Unfolded atherosclerotic aorta.",
        )
    elif key == "borderline":
        e.update(
            occ=["heart"],
            f="The heart size is at the upper limit of normal (CTR 0.5" + str(rng.randint(0, 2)) + ").",
            imp="Borderline cardiac size.",
        )
    elif key == "rib":
        e.update(
            side=side,
            occ=["bones"],
            f="There is an old healed fracture of the {side} " + rng.choice(["5th", "6th", "7th"]) + " rib.",
            imp="Old healed {side} rib fracture.",
        )
    elif key == "diaph":
        e.update(
            side=side,
            occ=["diaph"],
            f="The {side} hemidiaphragm is elevated.",
            imp="Elevated {side} hemidiaphragm.",
        )
    else:  # pragma: no cover
        raise ValueError(key)
    return e


SIG_KEYS = [
    "consolidation",
    "consolidation",
    "ptb",
    "ptb",
    "effusion",
    "effusion",
    "pneumothorax",
    "ccf",
    "ccf",
    "mass",
    "miliary",
    "mediastinum",
]
MINOR_KEYS = [
    "old_tb",
    "old_tb",
    "bronchitic",
    "bronchitic",
    "granuloma",
    "spondylosis",
    "spondylosis",
    "aorta",
    "borderline",
    "rib",
    "diaph",
    "small_effusion",
]
SIDED_KEYS = [
    "consolidation",
    "ptb",
    "effusion",
    "pneumothorax",
    "mass",
    "hilar",
    "old_tb",
    "small_effusion",
    "granuloma",
    "rib",
    "diaph",
]
# minor findings a radiologist may leave out of the impression of a signed report
OMITTABLE_MINOR = {"granuloma", "spondylosis", "aorta", "borderline", "rib"}


def _fill(t: str, sw: dict) -> str:
    return t.format(**sw) if "{" in t else t


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------


def _layout(rng: random.Random) -> dict:
    return {
        "hosp": rng.random() < 0.45,
        "fhdr": rng.choice(["FINDINGS:", "FINDINGS:", "FINDINGS:", "Findings:", "REPORT:", "OBSERVATION:"]),
        "ihdr": rng.choice(["IMPRESSION:", "IMPRESSION:", "CONCLUSION:", "CONCLUSION:", "OPINION:", "Impression:"]),
        "hhdr": rng.choice(
            ["CLINICAL HISTORY:", "CLINICAL INFORMATION:", "INDICATION:", "Clinical details:", "HISTORY:"]
        ),
        "chdr": rng.choice(["COMPARISON:", "COMPARISON:", "Previous films:"]),
        "thdr": rng.choice(["TECHNIQUE:", "Technique:", "VIEW:"]),
        "lines": rng.random() < 0.4,
        "numbered": rng.random() < 0.35,
        "show_cmp": rng.random() < 0.6,
        "show_tech": rng.random() < 0.5,
    }


def render(case: dict) -> str:
    lay = case["layout"]
    parts = []
    if lay["hosp"]:
        parts.append(case["hosp"])
    parts.append(case["exam"])
    if case.get("history") is not None:
        parts.append(f"{lay['hhdr']} {case['history']}")
    if lay["show_cmp"] and case.get("comparison"):
        parts.append(f"{lay['chdr']} {case['comparison']}")
    if lay["show_tech"] and case.get("technique"):
        parts.append(f"{lay['thdr']} {case['technique']}")
    f = case.get("findings")
    if f is not None:
        if isinstance(f, list):
            body = "\n".join(f) if lay["lines"] else " ".join(f)
        else:
            body = f
        parts.append(f"{lay['fhdr']}\n{body}" if body else lay["fhdr"])
    imp = case.get("impression")
    if imp is not None:
        if isinstance(imp, list):
            if len(imp) > 1 and lay["numbered"]:
                body = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(imp))
            else:
                body = " ".join(imp)
        else:
            body = imp
        parts.append(f"{lay['ihdr']}\n{body}" if body else lay["ihdr"])
    parts.append(case["sign"])
    return "\n\n".join(parts)


def _shell(rng: random.Random, history: str | None = None, ap: bool = False) -> dict:
    name, title = rng.choice(SIGNERS)
    sign = rng.choice(
        [
            f"{name}\n{title}",
            f"Reported by: {name} ({title})",
            f"{name}, {title}",
        ]
    )
    if "Resident" in title and rng.random() < 0.5:
        sign += f"\nVerified by: {rng.choice([s[0] for s in SIGNERS if 'Consultant' in s[1]])}"
    cmp_ = rng.choice(COMPARISONS).replace("{d}", _date(rng))
    return {
        "layout": _layout(rng),
        "hosp": rng.choice(HOSPITALS),
        "exam": rng.choice(EXAM_AP if ap else EXAM_PA),
        "history": history if history is not None else rng.choice(HIST_NORMALISH),
        "comparison": cmp_,
        "technique": rng.choice(TECHNIQUE_AP if ap else TECHNIQUE),
        "sign": sign,
    }


# --------------------------------------------------------------------------------------------
# composed cases
# --------------------------------------------------------------------------------------------


def _normal_lines(rng: random.Random, skip: set) -> dict:
    out = {}
    for s in ORDER:
        if s in skip:
            continue
        if s in ("diaph", "media") and rng.random() < 0.35:
            continue
        out[s] = rng.choice(NORMAL[s]).replace("{ctr}", f"0.{rng.randint(42, 49)}")
    return out


def _compose(
    rng: random.Random, keys: list[str], *, flip_imp: bool = False, flip_find: bool = False, abbrev_ok: bool = True
) -> dict:
    """A consistent composed case. Returns case dict plus 'ents' and 'flines' (ordered list of
    (structure, sentence)) and 'imp' (list)."""
    ents = [_ent(rng, k) for k in keys]
    # laterality of the first sided entity may be flipped in one section
    occ = set()
    for e in ents:
        occ.update(e["occ"])
    normals = _normal_lines(rng, occ)
    flines: list[tuple[str, str]] = []
    imp: list[str] = []
    for i, e in enumerate(ents):
        sw = _side_words(e["side"] or "right", rng, abbrev_ok)
        e["sw"] = sw
        swf = sw
        swi = sw
        if i == 0 and e["side"] and (flip_imp or flip_find):
            fl = _side_words(sw["other"], rng, abbrev_ok)
            if flip_imp:
                swi = fl
            else:
                swf = fl
        e["f_txt"] = _fill(e["f"], swf)
        e["imp_txt"] = _fill(e["imp"], swi)
        struct = e["occ"][0] if e["occ"] else "lungs"
        flines.append((struct, e["f_txt"]))
        if e.get("rest"):
            flines.append((struct, _fill(e["rest"], swf)))
        imp.append(e["imp_txt"])
    # order by structure
    lines = []
    for s in ORDER:
        if s in normals:
            lines.append((s, normals[s]))
        lines.extend(fl for fl in flines if fl[0] == s)
    lines.extend(fl for fl in flines if fl[0] not in ORDER)
    return {"ents": ents, "lines": lines, "imp": imp}


def _history_for(rng: random.Random, keys: list[str]) -> str:
    k = keys[0] if keys else None
    if k in ("consolidation",):
        return rng.choice(
            ["Fever and cough x 1/52.", "Fever, productive cough, ?pneumonia.", "Difficulty in breathing, fever."]
        )
    if k in ("ptb", "miliary", "hilar"):
        return rng.choice(
            [
                "Cough for 3 weeks, ?PTB.",
                "Presumptive TB.",
                "HIV +ve, cough and weight loss.",
                "Chronic cough, night sweats.",
            ]
        )
    if k in ("effusion", "small_effusion"):
        return rng.choice(
            ["Chest pain and breathlessness.", "Dyspnoea and chest pain.", "Fever, chest pain, ?effusion."]
        )
    if k == "pneumothorax":
        return rng.choice(
            ["Sudden onset chest pain and breathlessness.", "RTA, chest trauma.", "Known PTB, sudden dyspnoea."]
        )
    if k in ("ccf", "cardiomegaly", "borderline", "aorta"):
        return rng.choice(
            [
                "Known hypertensive, dyspnoea.",
                "Bilateral leg swelling, orthopnoea.",
                "Hypertension, for cardiac assessment.",
            ]
        )
    if k == "mediastinum":
        return "RTA, chest trauma."
    if k == "mass":
        return rng.choice(["Haemoptysis and weight loss.", "Chronic cough, smoker."])
    return rng.choice(HIST_NORMALISH)


def _pick_keys(rng: random.Random, kind: str) -> list[str]:
    if kind == "normal":
        return []
    if kind == "minor":
        ks = [rng.choice(MINOR_KEYS)]
    elif kind == "sig":
        ks = [rng.choice(SIG_KEYS + ["cardiomegaly", "cardiomegaly", "hilar"])]
    elif kind == "sig_strict":
        ks = [rng.choice(SIG_KEYS)]
    elif kind == "sided":
        ks = [rng.choice(SIDED_KEYS)]
    else:
        raise ValueError(kind)
    if rng.random() < 0.25:
        m = rng.choice(["spondylosis", "aorta", "granuloma", "bronchitic", "rib"])
        occ0 = _ent(random.Random(0), ks[0])["occ"]
        occm = _ent(random.Random(0), m)["occ"]
        if m not in ks and not set(occ0) & set(occm) and not (ks[0] in ("ccf", "miliary") and m == "bronchitic"):
            ks.append(m)
    return ks


def _finish(rng: random.Random, keys: list[str], comp: dict, imp: list[str] | None) -> dict:
    ap = bool(keys) and keys[0] in ("pneumothorax", "mediastinum") and rng.random() < 0.5
    case = _shell(rng, _history_for(rng, keys), ap=ap)
    case["findings"] = [s for _, s in comp["lines"]]
    case["impression"] = imp if imp is not None else comp["imp"]
    return case


def composed_clean(rng: random.Random) -> tuple[dict, str]:
    r = rng.random()
    if r < 0.58:
        comp = _compose(rng, [])
        hist = rng.choice(HIST_NORMALISH)
        case = _shell(rng, hist)
        case["findings"] = [s for _, s in comp["lines"]]
        if "medical" in hist.lower() and rng.random() < 0.6:
            case["impression"] = [rng.choice(NORMAL_IMP_MEDICAL)]
        elif ("TB" in hist or "PLHIV" in hist) and rng.random() < 0.6:
            case["impression"] = [rng.choice(NORMAL_IMP_TB)]
        else:
            case["impression"] = [rng.choice(NORMAL_IMP)]
        return case, "normal"
    if r < 0.78:
        keys = _pick_keys(rng, "minor")
        comp = _compose(rng, keys)
        imp = comp["imp"]
        if keys[0] in OMITTABLE_MINOR and rng.random() < 0.4:
            imp = [
                rng.choice(
                    ["No active cardiopulmonary disease.", "No active lung disease.", "No acute chest pathology."]
                )
            ]
        elif rng.random() < 0.4:
            imp = imp + [
                "No active lung disease."
                if keys[0] not in ("old_tb", "bronchitic")
                else "No active cardiopulmonary disease otherwise."
            ]
        return _finish(rng, keys, comp, imp), "minor:" + "+".join(keys)
    keys = _pick_keys(rng, "sig")
    comp = _compose(rng, keys)
    imp = comp["imp"]
    if len(keys) > 1 and keys[1] in OMITTABLE_MINOR and rng.random() < 0.5:
        imp = imp[:1]
    return _finish(rng, keys, comp, imp), "abnormal:" + "+".join(keys)


def composed_error(rng: random.Random, kind: str) -> tuple[dict, str]:
    if kind == "laterality_conflict":
        keys = _pick_keys(rng, "sided")
        in_imp = rng.random() < 0.7
        comp = _compose(rng, keys, flip_imp=in_imp, flip_find=not in_imp)
        e = comp["ents"][0]
        where = "impression" if in_imp else "findings"
        return _finish(
            rng, keys, comp, None
        ), f"{e['key']}: side flipped in the {where} (findings '{e['f_txt']}' vs impression '{e['imp_txt']}')"
    if kind == "impression_omits_finding":
        keys = _pick_keys(rng, "sig_strict")
        comp = _compose(rng, keys)
        if len(keys) > 1 and rng.random() < 0.6:
            imp = [comp["ents"][1]["imp_txt"]]
            if rng.random() < 0.5:
                imp.append("No other significant abnormality.")
            how = "impression mentions only the minor finding"
        else:
            imp = [rng.choice(OMIT_IMP)]
            how = "normal macro pasted as impression"
        e = comp["ents"][0]
        return _finish(rng, keys, comp, imp), f"{e['key']} in findings ('{e['f_txt']}'); {how}: {' '.join(imp)}"
    if kind == "negation_conflict":
        v = rng.choice(["imp_negates", "imp_negates", "imp_affirms", "imp_affirms", "find_macro"])
        if v == "imp_negates":
            keys = [
                rng.choice(
                    [
                        "consolidation",
                        "ptb",
                        "effusion",
                        "pneumothorax",
                        "cardiomegaly",
                        "cardiomegaly",
                        "ccf",
                        "mass",
                        "miliary",
                    ]
                )
            ]
            comp = _compose(rng, keys)
            e = comp["ents"][0]
            imp = [e["neg_imp"]]
            if rng.random() < 0.5:
                imp.append(rng.choice(["No other abnormality.", "Otherwise normal chest X-ray."]))
            return _finish(
                rng, keys, comp, imp
            ), f"findings affirm {e['key']} ('{e['f_txt']}'); impression negates it: {' '.join(imp)}"
        if v == "imp_affirms":
            keys = [rng.choice(["consolidation", "effusion", "pneumothorax", "cardiomegaly", "cardiomegaly", "ptb"])]
            e = _ent(rng, keys[0])
            comp = _compose(rng, [])
            # the normal line of that structure must be present in findings
            struct = e["occ"][-1] if keys[0] in ("effusion", "pneumothorax") else e["occ"][0]
            have = {s for s, _ in comp["lines"]}
            if struct not in have:
                comp["lines"].insert(0, (struct, rng.choice(NORMAL[struct]).replace("{ctr}", "0.46")))
            if struct == "pleura" and keys[0] == "pneumothorax":
                comp["lines"] = [
                    (s, "No pleural effusion or pneumothorax." if s == "pleura" else t) for s, t in comp["lines"]
                ]
            sw = _side_words(e["side"] or "right", rng, True)
            imp = [_fill(e["imp"], sw)]
            neg_line = [t for s, t in comp["lines"] if s == struct][0]
            return _finish(
                rng, keys, comp, imp
            ), f"findings negate ('{neg_line}'); impression affirms {keys[0]}: {imp[0]}"
        # normal template line left in findings next to the finding
        keys = [rng.choice(["consolidation", "ptb", "effusion", "cardiomegaly", "pneumothorax", "mass"])]
        comp = _compose(rng, keys)
        e = comp["ents"][0]
        struct = {"effusion": "pleura", "pneumothorax": "pleura"}.get(keys[0], e["occ"][0])
        macro = {
            "lungs": rng.choice(["Both lung fields are clear.", "The lung fields are clear bilaterally."]),
            "pleura": "No pleural effusion or pneumothorax."
            if keys[0] == "pneumothorax"
            else rng.choice(["Both costophrenic angles are clear.", "No pleural effusion."]),
            "heart": rng.choice(["The heart is normal in size.", "Cardiac size is within normal limits."]),
        }[struct]
        # drop the "rest" sentence and put the macro first
        lines = [
            (s, t)
            for s, t in comp["lines"]
            if not (
                s == e["occ"][0] and t != e["f_txt"] and ("rest" in t or "other" in t.lower() or e["sw"]["other"] in t)
            )
        ]
        lines.insert(0, (struct, macro))
        comp["lines"] = lines
        return _finish(
            rng, keys, comp, None
        ), f"normal template line '{macro}' left in findings beside {e['key']} ('{e['f_txt']}')"
    if kind == "missing_section":
        kk = rng.random()
        keys = (
            _pick_keys(rng, "sig") if rng.random() < 0.5 else ([] if rng.random() < 0.6 else _pick_keys(rng, "minor"))
        )
        comp = _compose(rng, keys)
        case = _finish(rng, keys, comp, None)
        if kk < 0.4:
            case["impression"] = ""
            return case, "impression header left empty"
        if kk < 0.7:
            case["impression"] = None
            return case, "impression/conclusion section absent"
        case["findings"] = "" if rng.random() < 0.6 else None
        case["impression"] = [rng.choice(NONDESC_IMP)]
        return case, "findings " + (
            "left empty" if case["findings"] == "" else "absent"
        ) + "; impression only a recommendation"
    if kind == "placeholder":
        r = rng.random()
        keys = _pick_keys(rng, "sided") if r < 0.5 else ([] if r < 0.85 else _pick_keys(rng, "minor"))
        comp = _compose(rng, keys)
        case = _finish(rng, keys, comp, None)
        return _apply_placeholder(rng, case)
    raise ValueError(kind)


PH_SIDE = ["[R/L]", "[right/left]", "[side]", "[ ]", "[***]", "......"]
PH_NUM = ["[ ]", "[CTR]", "...", "[***]", "[  ]", "[value]"]
PH_WORD = ["[ ]", "[...]", "[***]", "......", "<<  >>", "[insert]"]
PH_FIELD = ["[ ]", "[...]", "......", "[clinical history]", "<< >>", "[indication]"]


def _sub_once(rng: random.Random, text: str, pattern: str, tokens: list[str]) -> tuple[str, str] | None:
    ms = list(re.finditer(pattern, text))
    if not ms:
        return None
    m = rng.choice(ms)
    tok = rng.choice(tokens)
    return text[: m.start()] + tok + text[m.end() :], f"'{m.group(0)}' -> '{tok}'"


def _apply_placeholder(rng: random.Random, case: dict) -> tuple[dict, str]:
    """Replace one word/value of a rendered case's field with an unfilled template blank."""
    targets = []
    f = case["findings"]
    imp = case["impression"]
    ftxt = " ".join(f) if isinstance(f, list) else (f or "")
    itxt = " ".join(imp) if isinstance(imp, list) else (imp or "")
    side_pat = r"\b(right|left|Right|Left|Rt|Lt)\b"
    num_pat = r"\b0\.\d\d\b|\b\d\.\d cm\b|\b\d\.\d\b"
    word_pat = (
        r"\b(normal|clear|enlarged|upper|lower|mid|blunted|Normal|intact|sharp|central|moderate|Moderate|Large)\b"
    )
    for sec, txt in (("findings", ftxt), ("impression", itxt)):
        if re.search(side_pat, txt):
            targets += [(sec, side_pat, PH_SIDE)] * 3
        if re.search(num_pat, txt):
            targets += [(sec, num_pat, PH_NUM)] * 2
        if re.search(word_pat, txt):
            targets += [(sec, word_pat, PH_WORD)] * 2
    field_opts = [("history", None, PH_FIELD)]
    if case["layout"]["show_cmp"] and "/" in (case.get("comparison") or ""):
        field_opts.append(("comparison", r"\d\d/\d\d/\d{4}", ["[date]", "../../....", "[ ]"]))
    if rng.random() < 0.15 or not targets:
        sec, pat, toks = rng.choice(field_opts)
        if sec == "history":
            tok = rng.choice(toks)
            old = case["history"]
            case["history"] = tok
            return case, f"clinical history field left as template blank '{tok}' (was '{old}')"
        res = _sub_once(rng, case["comparison"], pat, toks)
        case["comparison"] = res[0]
        return case, f"comparison date blank: {res[1]}"
    sec, pat, toks = rng.choice(targets)
    val = case[sec]
    if isinstance(val, list):
        idx = [i for i, s in enumerate(val) if re.search(pat, s)]
        i = rng.choice(idx)
        res = _sub_once(rng, val[i], pat, toks)
        val = list(val)
        val[i] = res[0]
    else:
        res = _sub_once(rng, val, pat, toks)
        val = res[0]
    case[sec] = val
    return case, f"{sec}: {res[1]}"


# --------------------------------------------------------------------------------------------
# real IU reports
# --------------------------------------------------------------------------------------------

_AT = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')
_MAJ = re.compile(r"<major>([^<]*)</major>")


@lru_cache(maxsize=2)
def load_iu(path: str) -> tuple[dict, ...]:
    out = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            u = _UID.search(x)
            if not u:
                continue
            sec = {k.lower(): _unesc(v.strip()) for k, v in _AT.findall(x)}
            out.append(
                {
                    "uid": u.group(1),
                    "indication": sec.get("indication", ""),
                    "comparison": sec.get("comparison", ""),
                    "findings": sec.get("findings", ""),
                    "impression": sec.get("impression", ""),
                    "major": [s.lower() for s in _MAJ.findall(x)],
                }
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


def _unesc(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


def dev_uids() -> set:
    out = set()
    p = dev_path()
    if p.exists():
        with open(p) as fh:
            for line in fh:
                line = line.strip()
                if line:
                    u = json.loads(line).get("uid")
                    if u:
                        out.add(u)
    return out


BRIT = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bedematous\b", "oedematous"),
    (r"\bhemidiaphragm", "hemidiaphragm"),
    (r"\bhemorrhage", "haemorrhage"),
    (r"\bcenter(ed)?\b", r"centre\1"),
    (r"\besophag", "oesophag"),
    (r"\btumor\b", "tumour"),
    (r"\bvisualized\b", "visualised"),
    (r"\bVisualized\b", "Visualised"),
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bX-XXXX\b", "X-ray"),
    (r"\bfavor\b", "favour"),
    (r"\bgray\b", "grey"),
    (r"\bhemithorax\b", "hemithorax"),
    (r"\banemia\b", "anaemia"),
    (r"\bleukemia\b", "leukaemia"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal outline"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal outline"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary process\b", "No active cardiopulmonary disease"),
    (r"\bpleural effusions\b", "pleural effusion"),
]


def _britify(s: str) -> str:
    for a, b in BRIT:
        s = re.sub(a, b, s)
    s = re.sub(r"\.\.+", ".", s)
    s = re.sub(r"\.\s+\.", ".", s)
    return s.strip()


def _sents(s: str) -> list[str]:
    return [x.strip() for x in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", s) if x.strip()]


SIG_WORDS = (
    r"(effusion|pneumothorax|consolidation|airspace disease|air space disease|airspace opacit|"
    r"infiltrate|pneumonia|edema|oedema|mass\b|congestion)"
)
NEG_CUES = (
    r"(\bno\b|\bnot\b|without|negative|resolved|resolution|clear|free of|\bfree\b|removed|small|trace|tiny|minimal|"
    r"possible|possibly|may\b|could|cannot|\?|question|versus|vs|stable|unchanged|chronic|improv|decreas|old|"
    r"previous|prior|history|exclude|rule out|suspicious|borderline|mild|vague|subtle|faint|questionable|equivocal)"
)
BENIGN_MAJOR = (
    "granuloma",
    "calcified granuloma",
    "granulomatous disease",
    "spine",
    "thoracic vertebrae",
    "osteophyte",
    "spondylosis",
    "aorta",
    "cicatrix",
    "calcinosis",
    "scoliosis",
    "kyphosis",
    "diaphragm",
    "lung/hyperdistention",
    "emphysema",
    "pulmonary emphysema",
    "pulmonary disease, chronic obstructive",
    "hyperdistention",
)
BAD_MAJOR = (
    "effusion",
    "pneumothorax",
    "consolidation",
    "pneumonia",
    "edema",
    "mass",
    "opacity",
    "infiltrate",
    "airspace",
    "congestion",
    "atelectasis",
    "nodule",
    "cardiomegaly",
    "technical quality",
    "catheter",
    "tube",
    "fracture",
    "lesion",
    "density",
    "markings",
    "hernia",
    "implanted",
    "surgical",
    "device",
    "medical device",
    "sutures",
    "shift",
    "collapse",
    "cavit",
    "thickening",
    "cyst",
    "foreign",
)


def _ok_text(r: dict) -> bool:
    t = r["findings"] + " " + r["impression"] + " " + r["indication"] + " " + r["comparison"]
    if re.search(r"\[|\]|_{2,}|\*\*|<|>|\.\.\.", t):
        return False
    return len(r["findings"]) > 40 and len(r["impression"]) > 5


def _affirmed_sig(sent: str) -> str | None:
    m = re.search(SIG_WORDS, sent, re.I)
    if not m or re.search(NEG_CUES, sent, re.I):
        return None
    return m.group(1).lower()


def _real_case(rng: random.Random, r: dict) -> dict:
    case = _shell(rng, None)
    ind = _britify(re.sub(r"^,(?:[\s,]*V?\d+(?:\.\d+)?)*[\s,]*", "", r["indication"])) if r["indication"] else ""
    case["history"] = ind if ind else rng.choice(HIST_NORMALISH)
    cmp_ = _britify(r["comparison"]) if r["comparison"] else ""
    case["comparison"] = cmp_ or "None."
    case["technique"] = rng.choice(["PA and lateral views.", "PA and lateral chest.", "Two views of the chest."])
    case["exam"] = rng.choice(
        [
            "EXAMINATION: CHEST X-RAY (PA AND LATERAL)",
            "X-RAY CHEST PA/LAT",
            "CXR PA & LATERAL",
            "EXAM: CHEST RADIOGRAPH, 2 VIEWS",
        ]
    )
    f = _sents(_britify(r["findings"]))
    imp = _britify(r["impression"])
    imp_l = [re.sub(r"^\d+\.\s*", "", x) for x in re.split(r"\s*(?=\b\d+\.\s+[A-Z])", imp) if x.strip()]
    case["findings"] = f
    case["impression"] = imp_l if imp_l else [imp]
    return case


def _pools(dev: set) -> dict:
    rows = [r for r in load_iu(str(reports_tgz())) if r["uid"] not in dev and _ok_text(r)]
    pools = {"normal": [], "benign": [], "omit": [], "lat": [], "cardio": [], "negsrc": []}
    for r in rows:
        maj = r["major"]
        f, imp = r["findings"], r["impression"]
        if maj == ["normal"]:
            pools["normal"].append(r)
            if re.search(
                r"\bno (pleural )?effusion|no pneumothorax|heart size (is )?normal|normal heart size|"
                r"lungs are clear|no focal (airspace )?consolidation",
                f,
                re.I,
            ):
                pools["negsrc"].append(r)
            continue
        jm = " ".join(maj)
        if any(b in jm for b in BENIGN_MAJOR) and not any(b in jm for b in BAD_MAJOR) and "normal" not in maj:
            if not re.search(SIG_WORDS, f + " " + imp, re.I) or all(_affirmed_sig(s) is None for s in _sents(f)):
                pools["benign"].append(r)
        # omission candidates: a findings sentence affirming a significant finding named in impression
        for s in _sents(f):
            w = _affirmed_sig(s)
            if w == "effusion" and not re.search(r"moderate|large|loculated|sizable|significant|increas|new", s, re.I):
                continue
            if w and any(w[:6] in x.lower() and not re.search(NEG_CUES, x, re.I) for x in _sents(imp)):
                pools["omit"].append((r, s, w))
                break
        # laterality candidates
        lat = _lat_candidate(r)
        if lat:
            pools["lat"].append((r, lat))
        if (
            re.search(r"\b(cardiomegaly|heart (size )?is enlarged|enlarged heart|enlargement of the cardiac)", f, re.I)
            and re.search(r"cardiomegaly|enlarge", imp, re.I)
            and not re.search(r"\b(mild|borderline|stable|top normal|upper limits)", f + imp, re.I)
            and not re.search(r"\bno cardiomegaly|not enlarged", f + imp, re.I)
        ):
            pools["cardio"].append(r)
    return pools


LAT_GROUPS = [
    r"effusion",
    r"pneumothorax",
    r"(opacit|airspace|air space|consolidation|infiltrate|pneumonia)",
    r"atelectasis",
    r"(nodule|granuloma|calcified)",
    r"fracture",
    r"(scarring|scar)",
]


def _lat_candidate(r: dict):
    fs, is_ = _sents(r["findings"]), _sents(r["impression"])
    for g in LAT_GROUPS:
        for side, other in (("right", "left"), ("left", "right")):
            fi = [
                s
                for s in fs
                if re.search(g, s, re.I)
                and re.search(rf"\b{side}\b", s, re.I)
                and not re.search(rf"\b{other}\b|bilateral|middle|lingula", s, re.I)
            ]
            ii = [
                s
                for s in is_
                if re.search(g, s, re.I)
                and re.search(rf"\b{side}\b", s, re.I)
                and not re.search(rf"\b{other}\b|bilateral|middle|lingula", s, re.I)
            ]
            clash = [s for s in fs + is_ if re.search(g, s, re.I) and re.search(rf"\b{other}\b|bilateral", s, re.I)]
            if fi and ii and not clash:
                return (side, fi[0], ii[0])
    return None


def _flip(s: str) -> str:
    def rep(m):
        w = m.group(0)
        o = {"right": "left", "left": "right"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o

    return re.sub(r"\b(right|left)\b", rep, s, flags=re.I)


NEG_AFFIRM = [
    (
        r"\bno (pleural )?effusion|without (pleural )?effusion|costophrenic angles are (clear|sharp)",
        ["{Side} pleural effusion.", "Small {side} pleural effusion.", "{Side} sided pleural effusion."],
    ),
    (r"\bno pneumothorax|without pneumothorax", ["{Side} pneumothorax.", "Small {side} apical pneumothorax."]),
    (
        r"heart size (is )?(normal|within normal)|normal heart size|heart is normal in size|"
        r"cardiac silhouette is normal|"
        r"cardiomediastinal silhouette is (normal|within normal)",
        ["Cardiomegaly.", "Cardiomegaly with CTR 0.6.", "Enlarged heart."],
    ),
    (
        r"lungs are clear|no focal (airspace )?consolidation|no (focal )?airspace disease",
        ["{Side} lower zone consolidation.", "{Side} basal pneumonia.", "Patchy {side} upper zone opacity, ?PTB."],
    ),
]


def real_case(rng: random.Random, kind: str, pools: dict, used: set) -> tuple[dict, str, str]:
    def take(pool):
        for _ in range(500):
            it = rng.choice(pool)
            r = it[0] if isinstance(it, tuple) else it
            if r["uid"] not in used:
                used.add(r["uid"])
                return it
        raise RuntimeError("pool exhausted")

    if kind == "clean":
        r = take(pools["normal"] if rng.random() < 0.75 or not pools["benign"] else pools["benign"])
        return _real_case(rng, r), r["uid"], ""
    if kind == "missing_section":
        r = take(pools["normal"] + pools["benign"] + [x[0] for x in pools["omit"]])
        c = _real_case(rng, r)
        if rng.random() < 0.55:
            c["impression"] = ""
            d = "impression header left empty"
        else:
            c["impression"] = None
            d = "impression section absent"
        return c, r["uid"], d
    if kind == "impression_omits_finding":
        r, s, w = take(pools["omit"])
        c = _real_case(rng, r)
        c["impression"] = [rng.choice(OMIT_IMP)]
        return (
            c,
            r["uid"],
            f"findings affirm {w} ('{_britify(s)}'); impression replaced by normal macro: {c['impression'][0]}",
        )
    if kind == "laterality_conflict":
        r, (side, fs, is_) = take(pools["lat"])
        c = _real_case(rng, r)
        fsb, isb = _britify(fs), _britify(is_)
        if rng.random() < 0.6:
            c["impression"] = [_flip(x) if x.strip() in isb or isb in x else x for x in c["impression"]]
            if c["impression"] == [x for x in c["impression"] if side not in x.lower()]:
                pass
            d = f"side flipped in impression ('{isb}' -> '{_flip(isb)}'); findings: '{fsb}'"
        else:
            c["findings"] = [_flip(x) if x == fsb else x for x in c["findings"]]
            d = f"side flipped in findings ('{fsb}' -> '{_flip(fsb)}'); impression: '{isb}'"
        return c, r["uid"], d
    if kind == "negation_conflict":
        if rng.random() < 0.5:
            r = take(pools["negsrc"])
            c = _real_case(rng, r)
            ftxt = " ".join(c["findings"])
            opts = [(p, a) for p, a in NEG_AFFIRM if re.search(p, ftxt, re.I)]
            p, alts = rng.choice(opts)
            sw = _side_words(rng.choice(["right", "left"]), rng, False)
            a = _fill(rng.choice(alts), sw)
            c["impression"] = [a] + (
                [rng.choice(["Otherwise normal.", "No other acute abnormality."])] if rng.random() < 0.5 else []
            )
            neg = re.search(p, ftxt, re.I).group(0)
            return c, r["uid"], f"findings negate ('{neg}'); impression affirms: {a}"
        if rng.random() < 0.5 and pools["cardio"]:
            r = take(pools["cardio"])
            c = _real_case(rng, r)
            a = rng.choice(
                [
                    "Normal heart size. No active cardiopulmonary disease.",
                    "Heart size is normal. Lungs clear.",
                    "The heart is not enlarged. No acute disease.",
                ]
            )
            c["impression"] = [a]
            return c, r["uid"], f"findings describe cardiomegaly; impression negates it: {a}"
        r, s, w = take(pools["omit"])
        c = _real_case(rng, r)
        if "effusion" in w:
            a = "No pleural effusion."
        elif "pneumothorax" in w:
            a = "No pneumothorax."
        elif "edema" in w or "oedema" in w or "congestion" in w:
            a = "No pulmonary oedema or vascular congestion."
        elif "mass" in w:
            a = "No lung mass seen."
        else:
            a = rng.choice(["The lungs are clear.", "No focal consolidation.", "Both lung fields are clear."])
        c["impression"] = [a] + (["No active cardiopulmonary disease."] if rng.random() < 0.4 else [])
        return c, r["uid"], f"findings affirm {w} ('{_britify(s)}'); impression negates it: {' '.join(c['impression'])}"
    if kind == "placeholder":
        r = take(pools["normal"] + pools["benign"] + [x[0] for x in pools["omit"]])
        c = _real_case(rng, r)
        c, d = _apply_placeholder(rng, c)
        return c, r["uid"], d
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    """The 400 cases for a seed: id, injected, detail, report."""
    return [{k: r[k] for k in ("id", "injected", "detail", "report")} for r in _build(seed)]


def _build(seed: int) -> list[dict]:
    rng = random.Random(f"h112-{seed}")
    dev = dev_uids()
    pools = _pools(dev)
    if os.environ.get("H112_POOLS"):
        print({k: len(v) for k, v in pools.items()}, file=sys.stderr)
    used: set = set()
    items = []
    plan = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in plan:
        for i in range(n):
            if i < n // 2:
                if kind is None:
                    case, d = composed_clean(rng)
                    d = ""
                else:
                    case, d = composed_error(rng, kind)
                src = "composed"
            else:
                case, uid, d = real_case(rng, kind or "clean", pools, used)
                src = "iu:" + uid
            text = render(case)
            items.append({"injected": kind, "detail": d, "report": text, "_src": src})
    rng.shuffle(items)
    out = []
    for n, it in enumerate(items):
        out.append(
            {
                "id": f"h112-{seed}-{n}",
                "injected": it["injected"],
                "detail": it["detail"],
                "report": it["report"],
                "source": it["_src"],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = _build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}, ensure_ascii=False) + "\n")
    if a.show:
        for k in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == k][: a.show]
            for r in sel:
                print("=" * 80)
                print(f"{r['id']}  injected={r['injected']}  src={r['source']}\n  detail: {r['detail']}\n")
                print(r["report"])
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
