"""Held-out report-check set 124, written blind (without reading the checker).

Setting: Cyprus and Malta, English-reporting public and private hospitals (Nicosia, Limassol, Larnaca and
Paphos General, Mater Dei and Gozo General, and private clinics), radiologists trained in the UK, Greece and
locally. Chest radiograph reports as dictated there: an exam line ("XR CHEST PA", "Examination: Chest X-ray
(PA erect)"), "Clinical details / Clinical information / Hx" (LRTI, SOB, pre-op, work-permit medical, ?pneumonia),
comparison, sometimes technique, "Findings" or "Report", then "Conclusion", "Opinion", "Impression" or "Comment",
and a sign-off line. British spellings (oedema, haemithorax not used, opacification), zones rather than lobes,
CTR, CP angles, "no active lung lesion", "NAD"-free but terse macros.

Every line: {"id": "h124-<seed>-<n>", "injected": KIND or null, "detail": ..., "report": free text}.
400 rows: 200 clean and 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder; half of each group composed from a phrase bank, half real IU
reports (none whose uid is in the dev set) re-laid-out and lightly re-worded in the setting's style.

    python -m bench.make_heldout124 OUT.jsonl --seed S [--show N]
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40

_REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else _REPO.parent / "shared"


def _paths() -> tuple[Path, Path]:
    sd = shared_dir()
    return sd / "data" / "iu_reports" / "NLMCXR_reports.tgz", sd / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------------------
# setting: hospitals, people, headers
# ----------------------------------------------------------------------------------------------------------

HOSPITALS_PUBLIC = [
    "Nicosia General Hospital", "Limassol General Hospital", "Larnaca General Hospital", "Paphos General Hospital",
    "Famagusta General Hospital (Paralimni)", "Mater Dei Hospital", "Gozo General Hospital",
    "Makarios III Hospital",
]
HOSPITALS_PRIVATE = [
    "American Medical Center, Nicosia", "Mediterranean Hospital of Cyprus", "Apollonion Private Hospital",
    "Aretaeio Hospital", "Ygia Polyclinic", "Evangelismos Private Hospital", "St James Hospital, Zabbar",
    "Saint Thomas Hospital, Qormi", "German Oncology Center", "Iasis Hospital, Paphos",
]
RADIOLOGISTS = [
    "A. Georgiou", "M. Constantinou", "E. Christodoulou", "N. Ioannou", "P. Charalambous", "S. Papadopoulos",
    "C. Kyriacou", "G. Hadjipanayis", "I. Stylianou", "K. Demetriou", "J. Borg", "M. Camilleri", "R. Vella",
    "C. Farrugia", "S. Zammit", "K. Grech", "L. Galea", "D. Micallef", "A. Azzopardi", "T. Pace",
]
TITLES = [
    "Consultant Radiologist", "Radiologist", "Consultant Radiologist, FRCR", "MD, Radiologist",
    "Resident Specialist, Radiology", "Specialist Radiologist", "MD, FRCR",
]

CLIN_NORMALISH = [
    "Pre-op assessment.", "Pre-operative CXR, elective lap chole.", "Work permit medical.",
    "Work permit screening.", "Routine medical.", "Chest pain, ECG normal.", "Cough for 2 weeks.",
    "Cough, fever. ?LRTI", "SOB on exertion.", "Smoker, chronic cough.", "Fall at home, chest wall pain.",
    "?Pneumonia", "Fever ?source.", "Known asthmatic, wheeze.", "Hypertension. Routine.",
    "Pre-employment medical.", "Visa medical, TB screening.", "Palpitations.", "Post-COVID follow up.",
    "Dyspnoea.", "Haemoptysis x1.", "Pre-op, TKR.", "RTA, chest contusion.", "Admission CXR.",
    "Chest infection?", "Wheeze and cough, COPD.", "Follow-up.", "Left sided chest pain.",
    "Right sided chest pain.", "Generalised weakness.",
]

EXAM_LINES = [
    "XR CHEST PA", "Examination: Chest X-ray (PA)", "EXAM: CHEST PA", "Chest X-ray PA erect",
    "XR Chest PA and lateral", "CXR PA", "EXAMINATION: CHEST RADIOGRAPH, PA VIEW", "Chest X-ray (AP sitting)",
    "XR THORAX PA", "Chest PA + lateral", "Exam: Chest X-Ray, single frontal view",
]
TECHNIQUES = [
    "Technique: Single PA erect view.", "Technique: PA and lateral views.", "Technique: AP sitting, portable.",
    "Technique: PA view, adequate inspiration.", "Technique: Erect PA projection.",
]
COMPARISONS_NONE = ["None.", "None available.", "No previous films.", "Nil.", "No prior imaging available."]
COMPARISONS_PRIOR = [
    "Previous CXR 03/02/2024.", "Comparison with previous study of 14/11/2023.", "CXR of 22.05.2024.",
    "Prior film dated 09/01/2025.", "Previous chest X-ray from 2022.", "Compared with CXR 17/07/2024.",
    "Previous radiograph 28/10/2024 (PACS).",
]

# header spellings: (findings header, impression header)
LAYOUTS = [
    ("Findings:", "Conclusion:"),
    ("FINDINGS:", "IMPRESSION:"),
    ("Report:", "Opinion:"),
    ("Findings:", "Impression:"),
    ("REPORT:", "CONCLUSION:"),
    ("Findings:", "Comment:"),
    ("Findings:", "Opinion:"),
    ("FINDINGS:", "CONCLUSION:"),
]


def _header_block(rng: random.Random, clin: str, comp: str, *, hx_label: str | None = None) -> list[str]:
    lines = []
    r = rng.random()
    if r < 0.45:
        lines.append(rng.choice(HOSPITALS_PUBLIC) + " - Department of Radiology")
    elif r < 0.75:
        lines.append(rng.choice(HOSPITALS_PRIVATE))
    lines.append(rng.choice(EXAM_LINES))
    lines.append("")
    hx = hx_label or rng.choice(
        ["Clinical details:", "Clinical information:", "Clinical history:", "History:", "Hx:", "Indication:"]
    )
    lines.append(f"{hx} {clin}")
    if comp:
        lines.append(f"{rng.choice(['Comparison:', 'Comparison:', 'Previous:', 'COMPARISON:'])} {comp}")
    if rng.random() < 0.3:
        lines.append(rng.choice(TECHNIQUES))
    lines.append("")
    return lines


def _signoff(rng: random.Random) -> str:
    name = rng.choice(RADIOLOGISTS)
    title = rng.choice(TITLES)
    r = rng.random()
    if r < 0.3:
        return f"Dr {name}\n{title}"
    if r < 0.55:
        return f"Reported by: Dr {name}, {title}"
    if r < 0.75:
        return f"Electronically signed by Dr {name} ({title})"
    if r < 0.9:
        return f"Dictated by Dr {name} / verified by Dr {rng.choice(RADIOLOGISTS)}"
    return f"Dr {name}"


def _render(
    rng: random.Random,
    clin: str,
    comp: str,
    findings: str | None,
    impression: str | None,
    *,
    layout: tuple[str, str] | None = None,
    keep_empty_headers: bool = True,
    signoff: str | None = None,
    hx_label: str | None = None,
) -> str:
    fh, ih = layout or rng.choice(LAYOUTS)
    lines = _header_block(rng, clin, comp, hx_label=hx_label)
    inline = rng.random() < 0.35
    if findings is not None and (findings.strip() or keep_empty_headers):
        if inline:
            lines.append(f"{fh} {findings}".rstrip())
        else:
            lines.append(fh)
            lines.append(findings)
        lines.append("")
    if impression is not None and (impression.strip() or keep_empty_headers):
        if inline:
            lines.append(f"{ih} {impression}".rstrip())
        else:
            lines.append(ih)
            lines.append(impression)
        lines.append("")
    lines.append(signoff if signoff is not None else _signoff(rng))
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# ----------------------------------------------------------------------------------------------------------
# phrase bank
# ----------------------------------------------------------------------------------------------------------

SIDES = ["right", "left"]
ZONES = ["lower zone", "mid zone", "upper zone", "base"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _opp(side: str) -> str:
    return "left" if side == "right" else "right"


# normal statements by component: each a list of variants
NORMAL = {
    "heart": [
        "The heart is not enlarged.", "Heart size is within normal limits.", "Normal cardiac size (CTR < 0.5).",
        "Cardiac silhouette normal in size and configuration.", "The heart size is normal.",
        "Heart size normal.", "CTR within normal limits.",
    ],
    "mediastinum": [
        "Mediastinal contours are unremarkable.", "Trachea central. Mediastinum not widened.",
        "Normal mediastinal outline.", "Both hila are normal in size and density.",
        "Hilar and mediastinal contours are within normal limits.",
    ],
    "lungs": [
        "The lungs are clear.", "Both lung fields are clear.", "No focal lung lesion seen.",
        "No active lung lesion.", "Lung fields are clear with no consolidation.",
        "No focal consolidation or mass lesion.", "Clear lungs bilaterally.",
    ],
    "pleura": [
        "Costophrenic angles are clear.", "No pleural effusion.", "Both CP angles are sharp.",
        "No pleural fluid.", "No pleural effusion or pneumothorax.",
    ],
    "ptx": ["No pneumothorax.", "No pneumothorax seen."],
    "bones": [
        "No bony abnormality seen.", "Bony thorax intact.", "Visualised bones are unremarkable.",
        "No acute bony injury.", "Osseous structures appear normal.",
    ],
    "diaphragm": [
        "Both hemidiaphragms are well defined.", "Diaphragmatic contours normal.",
        "No free air under the diaphragm.",
    ],
}

LUNGS_OTHERWISE = [
    "The lungs are otherwise clear.", "No other focal lung lesion.", "Lung fields otherwise clear.",
    "No other focal consolidation.",
]

NORMAL_IMPRESSIONS = [
    "No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "Normal chest X-ray.",
    "No active chest disease.", "No significant abnormality detected.", "No acute chest pathology.",
    "No radiological evidence of active lung disease.", "Normal study.", "Unremarkable chest radiograph.",
    "No acute findings.", "No acute cardiopulmonary process identified.",
]


def _minor_findings(rng: random.Random) -> list[dict]:
    """Chronic / incidental / mild findings: may or may not appear in the impression."""
    s = rng.choice(SIDES)
    z = rng.choice(["upper zone", "mid zone", "lower zone"])
    return [
        {"key": "granuloma", "occ": "lungs2", "side": s,
         "f": rng.choice([f"Small calcified granuloma in the {s} {z}.", f"Calcified granuloma projected over the {s} "
                          f"{z}, of no significance.", f"Tiny calcified nodule {s} {z}, in keeping with an old "
                          "granuloma."]),
         "i": f"Calcified granuloma {s} {z}, incidental."},
        {"key": "spine", "occ": "bones",
         "f": rng.choice(["Degenerative changes of the thoracic spine.", "Spondylotic changes in the thoracic spine.",
                          "Mild degenerative changes are noted in the thoracic spine."]),
         "i": "Degenerative thoracic spine."},
        {"key": "aorta", "occ": "mediastinum",
         "f": rng.choice(["Unfolded thoracic aorta.", "Calcification of the aortic knuckle.",
                          "The aorta is unfolded with mural calcification."]),
         "i": "Unfolded, calcified aorta."},
        {"key": "rib", "occ": "bones", "side": s,
         "f": rng.choice([f"Old healed fracture of the {s} {rng.choice(['5th', '6th', '7th', '8th'])} rib.",
                          f"Healed {s} rib fractures noted."]),
         "i": f"Old healed {s} rib fracture."},
        {"key": "cardio_mild", "occ": "heart",
         "f": rng.choice(["Heart size at the upper limit of normal.", "Borderline cardiomegaly, unchanged.",
                          "Mild cardiomegaly, stable compared with the previous film.",
                          "Mildly enlarged cardiac silhouette, unchanged."]),
         "i": rng.choice(["Stable mild cardiomegaly.", "Borderline heart size, unchanged."]),
         "neg_i": "Normal heart size."},
        {"key": "hyperinfl", "occ": "lungs",
         "f": rng.choice(["The lungs are hyperinflated, in keeping with COPD. No focal consolidation.",
                          "Hyperexpanded lungs with flattened hemidiaphragms. No focal lung lesion."]),
         "i": "Hyperinflated lungs in keeping with COPD, no acute process."},
        {"key": "small_eff", "occ": "pleura", "side": s,
         "f": rng.choice([f"Minor blunting of the {s} costophrenic angle, likely a small effusion or pleural "
                          "thickening.", f"Trace {s} pleural effusion.", f"Small {s} pleural effusion."]),
         "i": f"Small {s} pleural effusion.", "neg_i": "No pleural effusion."},
        {"key": "atel", "occ": "lungs2", "side": s,
         "f": rng.choice([f"Linear atelectasis at the {s} base.", f"Minor plate atelectasis {s} lower zone."]),
         "i": f"Minor {s} basal atelectasis."},
        {"key": "sternotomy", "occ": "mediastinum",
         "f": "Median sternotomy wires and mediastinal clips from previous CABG.",
         "i": "Post CABG appearances."},
        {"key": "pacemaker", "occ": "extra",
         "f": rng.choice(["Left-sided dual chamber pacemaker with leads in satisfactory position.",
                          "Left pectoral pacemaker in situ, leads projected over the right atrium and ventricle."]),
         "i": "Pacemaker in situ."},
        {"key": "apical", "occ": "lungs2", "side": s,
         "f": f"Apical pleural thickening on the {s}, likely old.", "i": f"{_cap(s)} apical pleural thickening."},
        {"key": "hiatus", "occ": "extra", "f": "Retrocardiac gas-filled structure in keeping with a hiatus hernia.",
         "i": "Hiatus hernia."},
    ]


def _significant_findings(rng: random.Random) -> list[dict]:
    s = rng.choice(SIDES)
    z = rng.choice(["lower zone", "mid zone", "lower zone", "upper zone"])
    size_mm = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
    cm = rng.choice([2.5, 3, 3.5, 4, 5])
    ptx_cm = rng.choice([1, 1.5, 2, 3])
    eff_grade = rng.choice(["moderate", "large", "moderate-sized", "moderate to large"])
    return [
        {"key": "consolidation", "occ": "lungs", "side": s, "sig": True, "term": "consolidation",
         "f": rng.choice([f"Airspace opacification in the {s} {z} in keeping with consolidation.",
                          f"Patchy consolidation in the {s} {z}, with air bronchograms.",
                          f"There is an area of consolidation at the {s} {z}.",
                          f"Ill-defined airspace shadowing in the {s} {z}, consistent with infection."]),
         "i": rng.choice([f"{_cap(s)} {z} consolidation, likely infective. Follow-up CXR in 6 weeks recommended.",
                          f"{_cap(s)} {z} pneumonia.", f"Consolidation {s} {z}, in keeping with LRTI.",
                          f"Features of {s} {z} pneumonia; suggest repeat film after treatment."]),
         "neg_f": "The lungs are clear.", "neg_i": "No consolidation."},
        {"key": "effusion", "occ": "pleura", "occ2": ("diaphragm",), "side": s, "sig": True, "term": "pleural effusion",
         "f": rng.choice([f"{_cap(eff_grade)} {s} pleural effusion with adjacent basal atelectasis.",
                          f"There is a {eff_grade} {s} pleural effusion, obscuring the {s} hemidiaphragm.",
                          f"{_cap(s)} pleural effusion, {eff_grade}, with a meniscus extending to the mid zone."]),
         "i": rng.choice([f"{_cap(eff_grade)} {s} pleural effusion.", f"{_cap(s)} pleural effusion ({eff_grade}).",
                          f"{_cap(eff_grade)} {s} effusion; consider ultrasound-guided aspiration."]),
         "neg_f": "No pleural effusion.", "neg_i": "No pleural effusion."},
        {"key": "pneumothorax", "occ": "ptx", "side": s, "sig": True, "term": "pneumothorax",
         "f": rng.choice([f"{_cap(s)} apical pneumothorax with a rim of {ptx_cm} cm.",
                          f"There is a {s}-sided pneumothorax, {ptx_cm} cm at the level of the hilum.",
                          f"Visible pleural edge at the {s} apex in keeping with a pneumothorax (about {ptx_cm} cm)."]),
         "i": rng.choice([f"{_cap(s)} pneumothorax ({ptx_cm} cm). Clinical team informed.",
                          f"{_cap(s)}-sided pneumothorax.",
                          f"{_cap(s)} apical pneumothorax, discussed with the ward."]),
         "neg_f": "No pneumothorax.", "neg_i": "No pneumothorax."},
        {"key": "nodule", "occ": "lungs2", "side": s, "sig": True, "term": "nodule",
         "f": rng.choice([f"A {size_mm} mm nodule is seen in the {s} mid zone.",
                          f"Rounded {size_mm} mm opacity in the {s} upper zone, suspicious for a pulmonary nodule.",
                          f"Well-defined {size_mm} mm pulmonary nodule projected over the {s} lower zone."]),
         "i": rng.choice([f"{size_mm} mm {s} lung nodule. CT chest advised.",
                          f"{_cap(s)} pulmonary nodule ({size_mm} mm); further assessment with CT recommended."])},
        {"key": "mass", "occ": "lungs2", "side": s, "sig": True, "term": "mass",
         "f": rng.choice([f"There is a {cm} cm mass in the {s} hilar region.",
                          f"Lobulated {cm} cm mass in the {s} upper zone.",
                          f"{_cap(s)} perihilar mass measuring approximately {cm} cm."]),
         "i": rng.choice([f"{_cap(s)} hilar mass, suspicious for malignancy. CT chest recommended.",
                          f"{cm} cm {s} lung mass. Urgent CT thorax advised."])},
        {"key": "oedema", "occ": "lungs", "sig": True, "term": "oedema",
         "f": rng.choice(["The heart is enlarged. Upper lobe venous diversion, perihilar haziness and Kerley B lines, "
                          "in keeping with pulmonary oedema.",
                          "Cardiomegaly with bilateral perihilar airspace shadowing and septal lines, consistent with "
                          "interstitial and alveolar oedema.",
                          "Pulmonary venous congestion with interstitial oedema. Small bilateral effusions."]),
         "i": rng.choice(["Features of pulmonary oedema / fluid overload.", "Pulmonary oedema.",
                          "Congestive cardiac failure with pulmonary oedema."]),
         "neg_i": "No pulmonary oedema.", "neg_f": "The lungs are clear.", "no_heart": True},
        {"key": "mediastinum", "occ": "mediastinum", "sig": True, "term": "widened mediastinum",
         "f": rng.choice(["The mediastinum is widened, measuring 9 cm at the level of the aortic knuckle.",
                          "Widening of the superior mediastinum."]),
         "i": rng.choice(["Widened mediastinum. CT aortogram recommended to exclude aortic injury.",
                          "Widened superior mediastinum; CT thorax advised."]),
         "neg_i": "Normal mediastinum."},
        {"key": "freeair", "occ": "diaphragm", "sig": True, "term": "free air",
         "f": rng.choice(["Free gas is seen under the right hemidiaphragm.",
                          "Crescent of free air beneath both hemidiaphragms."]),
         "i": rng.choice(["Pneumoperitoneum. Surgical team informed urgently.",
                          "Free subdiaphragmatic air, in keeping with perforation."]),
         "neg_i": "No free air."},
        {"key": "new_opacity", "occ": "lungs", "side": s, "sig": True, "term": "new opacity",
         "f": rng.choice([f"New patchy opacity at the {s} base compared with the previous film.",
                          f"Increasing airspace opacification in the {s} lower zone since the previous study."]),
         "i": rng.choice([f"New {s} basal opacity, likely infective.",
                          f"Progression of {s} lower zone airspace shadowing."]),
         "neg_f": "The lungs are clear.", "neg_i": "No new lung lesion."},
        {"key": "cardiomegaly", "occ": "heart", "sig": False, "term": "cardiomegaly",
         "f": rng.choice(["The heart is enlarged (CTR 0.6).", "Cardiomegaly, CTR approximately 0.62.",
                          "Marked cardiomegaly."]),
         "i": "Cardiomegaly.", "neg_i": "Normal heart size.", "neg_f": "Heart size is within normal limits."},
    ]


SIG_WEIGHTS = {
    "consolidation": 10, "effusion": 6, "pneumothorax": 3, "nodule": 4, "mass": 2, "oedema": 4,
    "mediastinum": 1, "freeair": 1, "new_opacity": 3, "cardiomegaly": 0,
}


def _pick_sig(rng: random.Random, need_side: bool = False, exclude: tuple[str, ...] = ()) -> dict:
    cands = [f for f in _significant_findings(rng) if SIG_WEIGHTS.get(f["key"], 0) > 0 and f["key"] not in exclude]
    if need_side:
        cands = [f for f in cands if f.get("side")]
    weights = [SIG_WEIGHTS[f["key"]] for f in cands]
    return rng.choices(cands, weights=weights, k=1)[0]


def _normal_sentences(rng: random.Random, occupied: set[str]) -> list[str]:
    out = []
    order = ["heart", "mediastinum", "lungs", "pleura", "ptx", "bones", "diaphragm"]
    if rng.random() < 0.4:
        order = ["lungs", "pleura", "ptx", "heart", "mediastinum", "bones", "diaphragm"]
    abnormal = bool(occupied - {"extra"})
    for comp in order:
        if comp in occupied:
            continue
        if comp == "lungs" and abnormal:
            out.append(rng.choice(LUNGS_OTHERWISE))
            continue
        if comp in ("diaphragm", "mediastinum", "bones") and rng.random() < 0.35:
            continue
        if comp == "ptx" and ("pleura" in occupied or rng.random() < 0.4):
            if "pleura" not in occupied:
                continue
        choices = NORMAL[comp]
        if comp == "pleura" and "ptx" in occupied:
            choices = [c for c in choices if "pneumothorax" not in c]
        out.append(rng.choice(choices))
    # avoid saying "no pneumothorax" twice
    seen_ptx = False
    final = []
    for s in out:
        if "pneumothorax" in s:
            if seen_ptx:
                continue
            seen_ptx = True
        final.append(s)
    return final


def _compose(rng: random.Random, mode: str) -> dict:
    """mode: normal | minor | sig | sig_minor. Returns a case with findings list and sentences."""
    items: list[dict] = []
    if mode in ("minor", "sig_minor"):
        m = rng.choice(_minor_findings(rng))
        items.append(m)
    if mode in ("sig", "sig_minor"):
        excl = tuple(x["key"] for x in items)
        sig = _pick_sig(rng, exclude=excl)
        # avoid clashing occupancy
        while any(sig["occ"] == x["occ"] for x in items):
            sig = _pick_sig(rng, exclude=excl)
        items.insert(0, sig)
    return {"items": items}


def _findings_text(rng: random.Random, items: list[dict], *, override: dict | None = None) -> tuple[str, list[str]]:
    occupied = {x["occ"] for x in items}
    for x in items:
        occupied.update(x.get("occ2", ()))
    if any(x.get("no_heart") for x in items):
        occupied.add("heart")
        occupied.add("pleura")
    normals = _normal_sentences(rng, occupied)
    abn = [(override or {}).get(x["key"], x["f"]) for x in items]
    if rng.random() < 0.5:
        sents = abn + normals
    else:
        # abnormality slotted where its component would be
        sents = normals[:2] + abn + normals[2:]
    return " ".join(sents), sents


def _impression_text(rng: random.Random, items: list[dict]) -> str:
    sig = [x for x in items if x.get("sig")]
    minor = [x for x in items if not x.get("sig")]
    parts = [x["i"] for x in sig]
    for m in minor:
        if not sig and rng.random() < 0.6:
            parts.append(m["i"])
        elif sig and rng.random() < 0.3:
            parts.append(m["i"])
    if not sig:
        macro = rng.choice(NORMAL_IMPRESSIONS)
        if parts:
            parts = [rng.choice(["No acute cardiopulmonary abnormality.", "No active lung disease.",
                                 "No acute findings."])] + parts
        else:
            parts = [macro]
    if len(parts) > 1 and rng.random() < 0.5:
        return "\n".join(f"{i + 1}. {p}" for i, p in enumerate(parts))
    return " ".join(parts)


def _clin(rng: random.Random) -> str:
    return rng.choice(CLIN_NORMALISH)


def _comp(rng: random.Random, items: list[dict]) -> str:
    if any(x["key"] in ("cardio_mild", "new_opacity") for x in items):
        return rng.choice(COMPARISONS_PRIOR)
    return rng.choice(COMPARISONS_NONE + COMPARISONS_PRIOR[:3]) if rng.random() < 0.8 else ""


def _bank_mode(rng: random.Random) -> str:
    return rng.choices(["normal", "minor", "sig", "sig_minor"], weights=[55, 22, 15, 8])[0]


def bank_clean(rng: random.Random) -> tuple[str, str]:
    c = _compose(rng, _bank_mode(rng))
    items = c["items"]
    clin, comp = _clin(rng), _comp(rng, items)
    if not items and rng.random() < 0.12:
        # short impression-only report whose single section describes the film
        imp = rng.choice([
            "Clear lungs. Normal heart size. No pleural effusion or pneumothorax. Normal chest radiograph.",
            "Lungs clear, heart not enlarged, CP angles sharp. No active chest disease.",
            "Normal cardiomediastinal outline. Lung fields clear. No effusion. No acute abnormality.",
        ])
        return _render(rng, clin, comp, None, imp, layout=("Findings:", rng.choice(["Impression:", "Conclusion:"]))), \
            "impression-only report, descriptive"
    f, _ = _findings_text(rng, items)
    imp = _impression_text(rng, items)
    return _render(rng, clin, comp, f, imp), "composed: " + (", ".join(x["key"] for x in items) or "normal")


def bank_missing(rng: random.Random) -> tuple[str, str]:
    c = _compose(rng, rng.choices(["normal", "minor", "sig", "sig_minor"], weights=[40, 25, 25, 10])[0])
    items = c["items"]
    clin, comp = _clin(rng), _comp(rng, items)
    f, _ = _findings_text(rng, items)
    r = rng.random()
    if r < 0.4:
        return _render(rng, clin, comp, f, "", keep_empty_headers=True), "impression/conclusion header left empty"
    if r < 0.65:
        return _render(rng, clin, comp, f, None), "impression/conclusion section absent; findings only"
    if r < 0.8:
        return _render(rng, clin, comp, f, rng.choice(["", " ", "-"]), keep_empty_headers=True), \
            "conclusion left blank"
    # findings emptied, impression a bare conclusion that does not describe the film
    imp2 = rng.choice(["No acute abnormality.", "As above.", "See above.", "No change.", "Satisfactory.",
                       "Stable appearances."])
    return _render(rng, clin, comp, "", imp2, keep_empty_headers=True), \
        f"findings section empty; impression only '{imp2}'"


def bank_laterality(rng: random.Random) -> tuple[str, str]:
    sig = _pick_sig(rng, need_side=True)
    items = [sig]
    if rng.random() < 0.3:
        m = rng.choice([x for x in _minor_findings(rng) if not x.get("side") and x["occ"] != sig["occ"]])
        items.append(m)
    s = sig["side"]
    o = _opp(s)
    clin, comp = _clin(rng), _comp(rng, items)
    r = rng.random()
    if r < 0.6:
        f, _ = _findings_text(rng, items)
        imp = _impression_text(rng, items)
        imp2 = _flip_side(imp, s, o, rng)
        return _render(rng, clin, comp, f, imp2), f"impression puts the {sig['key']} on the {o}; findings say {s}"
    if r < 0.85:
        f_flipped = _flip_side(sig["f"], s, o, rng)
        f, _ = _findings_text(rng, items, override={sig["key"]: f_flipped})
        imp = _impression_text(rng, items)
        return _render(rng, clin, comp, f, imp), f"findings put the {sig['key']} on the {o}; impression says {s}"
    # two findings sentences disagree (a later sentence repeats the finding on the other side)
    f, _ = _findings_text(rng, items)
    extra = {
        "consolidation": rng.choice([f"The {o}-sided consolidation contains air bronchograms.",
                                     f"No cavitation within the {o} consolidation."]),
        "effusion": f"The {o} effusion obscures the hemidiaphragm.",
        "pneumothorax": f"No mediastinal shift despite the {o} pneumothorax.",
        "nodule": f"The {o} nodule is not calcified.",
        "mass": f"The {o} mass has lobulated margins.",
        "new_opacity": f"The {o} basal opacity is ill-defined.",
    }[sig["key"]]
    imp = _impression_text(rng, items)
    return _render(rng, clin, comp, f + " " + extra, imp), \
        f"second findings sentence places the {sig['key']} on the {o}; elsewhere {s}"


def _flip_side(text: str, s: str, o: str, rng: random.Random) -> str:
    abbrev = rng.random() < 0.2
    rep_low = o
    rep_cap = _cap(o)
    if abbrev:
        rep_low = {"right": "rt", "left": "lt"}[o]
        rep_cap = {"right": "Rt", "left": "Lt"}[o]
    text = re.sub(rf"\b{s}\b", rep_low, text)
    text = re.sub(rf"\b{_cap(s)}\b", rep_cap, text)
    return text


def bank_negation(rng: random.Random) -> tuple[str, str]:
    clin = _clin(rng)
    r = rng.random()
    if r < 0.45:
        # normal findings, impression affirms something the findings negate
        f, sents = _findings_text(rng, [])
        joined = " ".join(sents).lower()
        opts = []
        s = rng.choice(SIDES)
        if "lungs are clear" in joined or "lung fields are clear" in joined or "clear lungs" in joined \
                or "no focal consolidation" in joined or "no consolidation" in joined:
            opts.append((f"{_cap(s)} lower zone consolidation, likely infective.", "consolidation vs clear lungs"))
        if "pleural effusion" in joined or "cp angles" in joined or "costophrenic angles are clear" in joined \
                or "pleural fluid" in joined:
            opts.append((f"Small {s} pleural effusion.", "effusion vs no effusion / clear CP angles"))
        if "pneumothorax" in joined:
            opts.append((f"Small {s} apical pneumothorax.", "pneumothorax vs no pneumothorax"))
        if "heart" in joined or "ctr" in joined or "cardiac" in joined:
            opts.append(("Cardiomegaly. No acute lung pathology.", "cardiomegaly vs normal heart size"))
        if not opts:
            f = f + " " + "The lungs are clear."
            opts.append((f"{_cap(s)} basal consolidation.", "consolidation vs clear lungs"))
        imp, why = rng.choice(opts)
        return _render(rng, clin, _comp(rng, []), f, imp), "impression affirms what findings negate: " + why
    if r < 0.8:
        # findings affirm, impression negates it explicitly or by meaning
        sig = _pick_sig(rng, exclude=("nodule", "mass", "mediastinum", "freeair"))
        f, _ = _findings_text(rng, [sig])
        neg = {
            "consolidation": ["Clear lungs. No acute cardiopulmonary abnormality.", "No consolidation. Normal study.",
                              "Lungs are clear."],
            "new_opacity": ["No new lung lesion. Stable appearances.", "Lungs clear."],
            "effusion": ["No pleural effusion. No acute abnormality.", "No pleural effusion or pneumothorax.",
                         "CP angles clear."],
            "pneumothorax": ["No pneumothorax.", "No pneumothorax. Normal chest X-ray."],
            "oedema": ["No pulmonary oedema.", "Normal heart size. Clear lungs."],
        }[sig["key"]]
        imp = rng.choice(neg)
        return _render(rng, clin, _comp(rng, [sig]), f, imp), f"findings affirm {sig['key']}; impression '{imp}'"
    # cardiomegaly affirmed vs normal heart size, or the reverse
    card = [x for x in _significant_findings(rng) if x["key"] == "cardiomegaly"][0]
    if rng.random() < 0.5:
        f, _ = _findings_text(rng, [card])
        imp = rng.choice(["Normal heart size. No acute chest pathology.", "Heart size normal, lungs clear.",
                          "No cardiomegaly. No active lung disease."])
        return _render(rng, clin, _comp(rng, [card]), f, imp), "findings: cardiomegaly; impression: heart normal"
    f, _ = _findings_text(rng, [])
    if "heart" not in f.lower() and "ctr" not in f.lower() and "cardiac" not in f.lower():
        f = "Heart size is within normal limits. " + f
    imp = rng.choice(["Cardiomegaly.", "Cardiomegaly, otherwise no acute abnormality.",
                      "Enlarged heart; correlate with echo."])
    return _render(rng, clin, _comp(rng, []), f, imp), "findings: normal heart size; impression: cardiomegaly"


def bank_omits(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["sig", "sig", "sig_minor"])
    c = _compose(rng, mode)
    items = c["items"]
    sig = items[0]
    clin, comp = _clin(rng), _comp(rng, items)
    f, _ = _findings_text(rng, items)
    minors = [x for x in items if not x.get("sig")]
    r = rng.random()
    if minors and r < 0.5:
        imp = rng.choice(["No acute cardiopulmonary abnormality. ", "No acute findings. ", ""]) + minors[0]["i"]
    else:
        imp = rng.choice(["No acute cardiopulmonary abnormality.", "No significant abnormality detected.",
                          "No acute chest pathology.", "Normal chest radiograph.", "No active chest disease.",
                          "Unremarkable study.", "No acute process."])
    return _render(rng, clin, comp, f, imp), f"findings: {sig['key']}; impression '{imp}' omits it"


PLACEHOLDERS = ["[***]", "[ ]", "[*]", "***", "<< >>", "[...]", "{ }", "[TBC]", "<insert>", "[  ]"]


def bank_placeholder(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.35:
        sig = _pick_sig(rng, need_side=True, exclude=("oedema",))
        items = [sig]
        clin, comp = _clin(rng), _comp(rng, items)
        f, _ = _findings_text(rng, items)
        imp = _impression_text(rng, items)
        ph = rng.choice(PLACEHOLDERS + ["[side]", "[SIZE]", "[measurement]"])
        # blank one number or the side in the findings
        m = re.search(r"\d+(\.\d+)? (mm|cm)", f)
        if m and rng.random() < 0.6:
            f2 = f[: m.start()] + ph + " " + m.group(2) + f[m.end():]
            what = "measurement"
        else:
            s = sig["side"]
            f2 = re.sub(rf"\b{s}\b", ph, f, count=1)
            if f2 == f:
                f2 = re.sub(rf"\b{_cap(s)}\b", ph, f, count=1)
            what = "side"
        return _render(rng, clin, comp, f2, imp), f"findings {what} left as template field {ph}"
    c = _compose(rng, _bank_mode(rng))
    items = c["items"]
    clin, comp = _clin(rng), _comp(rng, items)
    f, _ = _findings_text(rng, items)
    imp = _impression_text(rng, items)
    ph = rng.choice(PLACEHOLDERS)
    if r < 0.5:
        return _render(rng, clin, rng.choice(["Previous CXR dated ", "Compared with CXR of "]) + ph + ".", f, imp), \
            f"comparison date left as {ph}"
    if r < 0.62:
        return _render(rng, rng.choice(["[clinical details]", "<Clinical history>", "[***]", "{Indication}"]),
                       comp, f, imp), "clinical details field not filled"
    if r < 0.72:
        return _render(rng, clin, comp, f, imp, signoff=rng.choice(["Dr [***]", "Reported by: [Radiologist]",
                                                                      "Dr <name>, Consultant Radiologist"])), \
            "sign-off name field not filled"
    if r < 0.86:
        f2 = f + " " + rng.choice(["CTR [ ].", "Additional comment: [***].", "Lines and tubes: [ ]."])
        return _render(rng, clin, comp, f2, imp), "template field in findings not filled"
    imp2 = imp + " " + rng.choice(["[***]", "Recommend: [ ].", "Follow-up: [*]."])
    return _render(rng, clin, comp, f, imp2), "template field in impression not filled"


# ----------------------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------------------

_AT = re.compile(r'<AbstractText Label="(\w+)"\s*(?:/>|>(.*?)</AbstractText>)', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')
_MAJOR = re.compile(r"<major>(.*?)</major>", re.S)

_IU_CACHE: list[dict] | None = None


def load_iu() -> list[dict]:
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    tgz, _ = _paths()
    out = []
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            x = fh.read().decode("utf-8", "replace")
            um = _UID.search(x)
            if not um:
                continue
            sec = {}
            for lab, txt in _AT.findall(x):
                sec[lab.upper()] = html.unescape((txt or "").strip())
            out.append({
                "uid": um.group(1),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "major": [html.unescape(t.strip()) for t in _MAJOR.findall(x)],
            })
    out.sort(key=lambda d: int(re.sub(r"\D", "", d["uid"]) or 0))
    _IU_CACHE = out
    return out


def dev_uids() -> set[str]:
    _, dev = _paths()
    uids = set()
    with open(dev, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                u = json.loads(line).get("uid")
                if u:
                    uids.add(u)
    return uids


_SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\bcenter", "centre"), (r"\b([Dd])yspnea\b", r"\1yspnoea"), (r"\bhemoptysis", "haemoptysis"),
    (r"\bhemorrhag", "haemorrhag"), (r"\bhematoma", "haematoma"),
    (r"\btumor\b", "tumour"), (r"\bischemi", "ischaemi"), (r"\banemi", "anaemi"), (r"\bfiber", "fibre"),
    (r"\bhemithorax", "hemithorax"), (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"),
    (r"\borthopedic", "orthopaedic"), (r"\bcolor\b", "colour"), (r"\bleukemia", "leukaemia"),
    (r"\bcharacterized\b", "characterised"), (r"\bcharacterize\b", "characterise"),
]
_REWORD = [
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal outline"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal outline"),
    (r"\bThere is no evidence of\b", "No evidence of"),
    (r"(^|(?<=\. ))There is no\b", r"\1No"),
    (r"(^|(?<=\. ))There are no\b", r"\1No"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary pathology"),
    (r"\bchest x-XXXX\b", "chest X-ray"),
    (r"\bbony\b", "bony"),
    (r"\bosseous structures\b", "bones"),
    (r"\bOsseous structures\b", "Bones"),
    (r"\bcostophrenic\b", "costophrenic"),
]


def restyle(text: str) -> str:
    t = re.sub(r"\s+", " ", text).strip()
    t = re.sub(r"\.\.+", ".", t)
    for a, b in _SPELL:
        t = re.sub(a, b, t)
    for a, b in _REWORD:
        t = re.sub(a, b, t)
    return t


def _numbered_to_lines(imp: str) -> str:
    parts = re.split(r"\s*(?=\b\d\. )", imp)
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) > 1 and all(re.match(r"\d\. ", p) for p in parts):
        return "\n".join(parts)
    return imp


def _sentences(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+", t) if s.strip()]


NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|cleared|clearing|nor|absence|"
    r"exclude|excluded|rather than)\b", re.I)
HEDGE = re.compile(r"\b(possibl|may\b|might\b|could\b|cannot|can't|questionabl|suggest|suspect|versus|vs\b|likely|"
                   r"probabl|equivocal|subtle|minimal|mild|trace\b|tiny|small|borderline|chronic|stable|unchang|"
                   r"old\b|healed|prior\b|previous|resolv|improv|decreas|residual|scar|persist|or\b)", re.I)

GROUPS = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|air ?space (disease|opacit)|pneumonia|infiltrat", re.I),
    "oedema": re.compile(r"oedema|edema|vascular congestion|pulmonary congestion|congestive|interstitial fluid", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
    "mediastinum": re.compile(r"widen(ed|ing) (of the )?(superior )?mediastin|mediastinal widening", re.I),
    "freeair": re.compile(r"free (air|gas)|pneumoperitoneum|subdiaphragmatic (air|gas)", re.I),
    "cardiomegaly": re.compile(r"cardiomegaly|heart (size )?is enlarged|enlarged (heart|cardiac)|"
                               r"cardiac (silhouette|size) is enlarged|heart size is increased", re.I),
    "nodule": re.compile(r"nodul", re.I),
    "opacity": re.compile(r"opacit|density|atelecta", re.I),
}
IMP_MENTIONS = {
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|air ?space|pneumonia|infiltrat|opacit|atelecta|infect", re.I),
    "oedema": re.compile(r"oedema|edema|congest|failure|fluid|overload", re.I),
    "effusion": re.compile(r"effusion|fluid|blunting", re.I),
    "mass": re.compile(r"mass|malignan|neoplas|tumou?r|lesion", re.I),
    "mediastinum": re.compile(r"mediastin", re.I),
    "freeair": re.compile(r"free (air|gas)|pneumoperitoneum|subdiaphragmatic", re.I),
    "cardiomegaly": re.compile(r"cardiomegaly|heart|cardiac|enlarge", re.I),
    "nodule": re.compile(r"nodul|granuloma|lesion", re.I),
    "opacity": re.compile(r"opacit|density|atelecta|consolidat|pneumonia|infiltrat|scar|airspace|air space", re.I),
}


def _clauses(t: str) -> list[str]:
    out = []
    for s in _sentences(t):
        out.extend(c for c in re.split(r",|;|\bbut\b|\bhowever\b|\bwith\b|\band\b", s) if c.strip())
    return out


def affirmed_groups(text: str, strict: bool = False) -> set[str]:
    """Groups affirmed in some clause (negation cue before the term => negated). strict: unhedged only."""
    found = set()
    for c in _clauses(text):
        for g, rx in GROUPS.items():
            m = rx.search(c)
            if not m:
                continue
            before = c[: m.start()]
            if NEG_CUE.search(before):
                continue
            if strict and (HEDGE.search(c) or NEG_CUE.search(c)):
                continue
            found.add(g)
    return found


def negated_groups(text: str) -> set[str]:
    found = set()
    for c in _clauses(text):
        for g, rx in GROUPS.items():
            m = rx.search(c)
            if m and NEG_CUE.search(c[: m.start()]):
                found.add(g)
    return found


NORMAL_IMP = re.compile(r"^\s*(no acute|normal|negative|no active|no evidence of acute|unremarkable|clear lungs|"
                        r"no radiographic evidence of acute|no significant)", re.I)
LUNGS_CLEAR = re.compile(r"lungs? (are |is )?(clear|normal)|clear lungs", re.I)


def _sides(t: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b(right|left)\b", t, re.I)}


def _ok_text(r: dict) -> bool:
    t = r["findings"] + " " + r["impression"]
    if "[" in t or "___" in t or "<" in t or "*" in t:
        return False
    if re.search(r"\bKUB\b|abdom|bowel", t, re.I):
        return False
    if len(r["findings"]) > 650 or len(r["impression"]) > 350:
        return False
    return True


def clean_real_ok(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not f or not i or not _ok_text(r):
        return False
    if len(f) < 40:
        return False
    fa = affirmed_groups(f)
    fn = negated_groups(f)
    ia = affirmed_groups(i)
    for g in fa:
        if g == "opacity":
            continue
        if g == "cardiomegaly":
            if re.search(r"mild|borderline|stable|unchanged|upper limits? of normal|slight", f, re.I):
                continue
        if g == "effusion" and re.search(r"small|trace|tiny|minimal|blunting", f, re.I) \
                and not IMP_MENTIONS[g].search(i):
            continue
        if not IMP_MENTIONS[g].search(i):
            return False
    if NORMAL_IMP.match(i) and (fa - {"opacity", "nodule", "cardiomegaly"}):
        return False
    for g in ia:
        if g in fn and g not in fa:
            return False
        if g in ("consolidation", "opacity", "nodule", "mass") and LUNGS_CLEAR.search(f) and g not in fa:
            return False
    si, sf = _sides(i), _sides(f)
    if si - sf:
        return False
    if "cardiomegaly" in ia and re.search(r"heart size (is )?(normal|within normal)|normal heart size", f, re.I):
        return False
    return True


def _iu_parts(rng: random.Random, r: dict) -> tuple[str, str, str, str]:
    clin = restyle(r["indication"]) or _clin(rng)
    comp = restyle(r["comparison"]) if r["comparison"] else rng.choice(COMPARISONS_NONE)
    if re.fullmatch(r"(none|none\.|no prior|none available\.?)", comp.strip().lower()):
        comp = rng.choice(COMPARISONS_NONE)
    return clin, comp, restyle(r["findings"]), _numbered_to_lines(restyle(r["impression"]))


def real_clean(rng: random.Random, r: dict) -> tuple[str, str]:
    clin, comp, f, i = _iu_parts(rng, r)
    return _render(rng, clin, comp, f, i), f"IU {r['uid']} re-laid-out"


def real_missing(rng: random.Random, r: dict) -> tuple[str, str]:
    clin, comp, f, i = _iu_parts(rng, r)
    nonfind = re.fullmatch(r"(no acute (cardiopulmonary|cardiopulmonary abnormality|disease|process|findings)[^.]*\.?)",
                           i.strip(), re.I)
    if nonfind and rng.random() < 0.4:
        return _render(rng, clin, comp, "", i, keep_empty_headers=True), \
            f"IU {r['uid']}: findings section emptied; impression '{i}' does not describe the film"
    if rng.random() < 0.6:
        return _render(rng, clin, comp, f, "", keep_empty_headers=True), f"IU {r['uid']}: impression emptied"
    return _render(rng, clin, comp, f, None), f"IU {r['uid']}: impression section dropped"


def _lat_candidate(r: dict) -> str | None:
    f, i = r["findings"], r["impression"]
    sf, si = _sides(f), _sides(i)
    if len(sf | si) != 1 or not sf or not si:
        return None
    side = next(iter(sf))
    # the side must qualify an abnormal finding in both sections
    abn = re.compile(r"opacit|consolidat|effusion|pneumothora|nodul|mass|atelecta|infiltrat|airspace|granuloma|"
                     r"pneumonia|fracture|scar|density|lobe", re.I)

    def has(t: str) -> bool:
        for s in _sentences(t):
            if re.search(rf"\b{side}\b", s, re.I) and abn.search(s) and not re.match(r"\s*no\b", s, re.I):
                return True
        return False

    return side if has(f) and has(i) else None


def real_laterality(rng: random.Random, r: dict) -> tuple[str, str]:
    clin, comp, f, i = _iu_parts(rng, r)
    side = _lat_candidate(r) or "right"
    o = _opp(side)
    if rng.random() < 0.6:
        i2 = _flip_side(i, side, o, rng)
        return _render(rng, clin, comp, f, i2), f"IU {r['uid']}: impression side flipped {side}->{o}"
    sents = _sentences(f)
    idx = [k for k, s in enumerate(sents) if re.search(rf"\b{side}\b", s, re.I)]
    k = rng.choice(idx)
    sents[k] = _flip_side(sents[k], side, o, rng)
    return _render(rng, clin, comp, " ".join(sents), i), \
        f"IU {r['uid']}: findings sentence side flipped {side}->{o} ('{sents[k]}')"


def _neg_candidate(r: dict) -> bool:
    return "normal" in [m.lower() for m in r["major"]] and clean_real_ok(r)


def real_negation(rng: random.Random, r: dict) -> tuple[str, str]:
    clin, comp, f, i = _iu_parts(rng, r)
    fl = f.lower()
    s = rng.choice(SIDES)
    opts = []
    if re.search(r"no (focal )?(airspace|consolidation|focal)|lungs are clear|clear lungs|lungs clear", fl):
        opts += [f"{_cap(s)} lower zone consolidation.", f"Patchy {s} basal consolidation, likely infective.",
                 f"{_cap(s)} lower lobe pneumonia."]
    if re.search(r"no (pleural )?effusion|no .{0,30}pleural effusion|effusions?\b.{0,20}(absent|not seen)", fl):
        opts += [f"Small {s} pleural effusion.", "Bilateral small pleural effusions.",
                 f"{_cap(s)} pleural effusion."]
    if "pneumothora" in fl and re.search(r"no .{0,40}pneumothora", fl):
        opts += [f"Small {s} apical pneumothorax."]
    if re.search(r"heart size (is )?(normal|within normal)|normal (heart|cardiac) size|heart is normal in size|"
                 r"(cardiac|cardiomediastinal) (silhouette|outline|contours?) (is |are )?(normal|within normal)", fl):
        opts += ["Cardiomegaly.", "Cardiomegaly. No acute lung pathology."]
    imp = rng.choice(opts) if opts else "Cardiomegaly with pulmonary oedema."
    if rng.random() < 0.3 and not imp.startswith("Cardiomegaly"):
        imp = imp + " Otherwise no acute abnormality."
    return _render(rng, clin, comp, f, imp), f"IU {r['uid']}: impression replaced by '{imp}', which findings negate"


def _neg_ok(r: dict) -> bool:
    fl = restyle(r["findings"]).lower()
    return bool(re.search(r"no (focal )?(airspace|consolidation|focal)|lungs are clear|clear lungs|lungs clear|"
                          r"no (pleural )?effusion|no .{0,30}pleural effusion|no .{0,40}pneumothora|"
                          r"heart size (is )?(normal|within normal)|normal (heart|cardiac) size", fl))


def _omit_candidate(r: dict) -> str | None:
    f, i = r["findings"], r["impression"]
    if not f or not i or not _ok_text(r):
        return None
    strict = affirmed_groups(f, strict=True) & {"pneumothorax", "consolidation", "oedema", "effusion", "mass",
                                                "mediastinum", "freeair"}
    sents = _sentences(f)
    for g in list(strict):
        for k, s in enumerate(sents):
            if not GROUPS[g].search(s):
                continue
            nxt = sents[k + 1] if k + 1 < len(sents) else ""
            if HEDGE.search(s) or (re.match(r"\s*(this|these|it|which)\b", nxt, re.I) and HEDGE.search(nxt)):
                strict.discard(g)
                break
    for g in sorted(strict):
        if IMP_MENTIONS[g].search(i) and not NORMAL_IMP.match(i):
            return g
    return None


OMIT_MACROS = [
    "No acute cardiopulmonary abnormality.", "No acute chest pathology.", "No significant abnormality detected.",
    "No active chest disease.", "Normal chest radiograph.", "No acute findings.", "No acute process identified.",
]


def real_omits(rng: random.Random, r: dict, g: str) -> tuple[str, str]:
    clin, comp, f, i = _iu_parts(rng, r)
    imp = rng.choice(OMIT_MACROS)
    return _render(rng, clin, comp, f, imp), f"IU {r['uid']}: findings affirm {g}; impression replaced by '{imp}'"


def real_placeholder(rng: random.Random, r: dict) -> tuple[str, str]:
    clin, comp, f, i = _iu_parts(rng, r)
    ph = rng.choice(PLACEHOLDERS)
    where = rng.random()
    if where < 0.55:
        words = [m for m in re.finditer(r"\b(right|left|mild|small|normal|clear|within|stable|enlarged|lungs|"
                                        r"heart|upper|lower|moderate|\d+)\b", f, re.I)]
        if words:
            m = rng.choice(words)
            f2 = f[: m.start()] + ph + f[m.end():]
            return _render(rng, clin, comp, f2, i), f"IU {r['uid']}: findings word '{m.group(0)}' replaced by {ph}"
    if where < 0.8:
        words = [m for m in re.finditer(r"\b(right|left|small|normal|mild|stable|clear)\b", i, re.I)]
        if words:
            m = rng.choice(words)
            i2 = i[: m.start()] + ph + i[m.end():]
            return _render(rng, clin, comp, f, i2), f"IU {r['uid']}: impression word '{m.group(0)}' replaced by {ph}"
    if where < 0.9:
        return _render(rng, clin, "Previous CXR dated " + ph + ".", f, i), \
            f"IU {r['uid']}: comparison date left as {ph}"
    return _render(rng, clin, comp, f, i, signoff=f"Dr {ph}\nConsultant Radiologist"), \
        f"IU {r['uid']}: sign-off name left as {ph}"


# ----------------------------------------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(seed * 1000003 + 124)
    iu = load_iu()
    dev = dev_uids()
    pool = [r for r in iu if r["uid"] not in dev]
    used: set[str] = set()

    def take(cands: list[dict], n: int) -> list[dict]:
        cands = [c for c in cands if c["uid"] not in used]
        picked = rng.sample(cands, n)
        used.update(c["uid"] for c in picked)
        return picked

    half_c = N_CLEAN // 2
    half_k = N_KIND // 2
    rows: list[tuple[str | None, str, str]] = []

    # --- real IU ---
    clean_c = [r for r in pool if clean_real_ok(r)]
    normal_c = [r for r in clean_c if "normal" in [m.lower() for m in r["major"]]]
    abn_c = [r for r in clean_c if "normal" not in [m.lower() for m in r["major"]]]
    n_norm = int(half_c * 0.7)
    for r in take(normal_c, n_norm) + take(abn_c, half_c - n_norm):
        rep, det = real_clean(rng, r)
        rows.append((None, det, rep))
    omit_c = [(r, _omit_candidate(r)) for r in pool]
    omit_c = [(r, g) for r, g in omit_c if g]
    omit_pick = take([r for r, _ in omit_c], half_k)
    gmap = {r["uid"]: g for r, g in omit_c}
    for r in omit_pick:
        rep, det = real_omits(rng, r, gmap[r["uid"]])
        rows.append(("impression_omits_finding", det, rep))
    lat_c = [r for r in pool if r["findings"] and r["impression"] and _ok_text(r) and _lat_candidate(r)]
    for r in take(lat_c, half_k):
        rep, det = real_laterality(rng, r)
        rows.append(("laterality_conflict", det, rep))
    neg_c = [r for r in pool if _neg_candidate(r) and _neg_ok(r)]
    for r in take(neg_c, half_k):
        rep, det = real_negation(rng, r)
        rows.append(("negation_conflict", det, rep))
    miss_c = [r for r in pool if r["findings"] and r["impression"] and _ok_text(r) and len(r["findings"]) > 60]
    for r in take(miss_c, half_k):
        rep, det = real_missing(rng, r)
        rows.append(("missing_section", det, rep))
    for r in take(clean_c, half_k):
        rep, det = real_placeholder(rng, r)
        rows.append(("placeholder", det, rep))

    # --- phrase bank ---
    for _ in range(N_CLEAN - half_c):
        rep, det = bank_clean(rng)
        rows.append((None, det, rep))
    makers = {
        "missing_section": bank_missing, "laterality_conflict": bank_laterality, "negation_conflict": bank_negation,
        "impression_omits_finding": bank_omits, "placeholder": bank_placeholder,
    }
    for kind in KINDS:
        for _ in range(N_KIND - half_k):
            rep, det = makers[kind](rng)
            rows.append((kind, "bank: " + det, rep))

    rng.shuffle(rows)
    return [
        {"id": f"h124-{seed}-{n}", "injected": k, "detail": d, "report": t}
        for n, (k, d, t) in enumerate(rows)
    ]


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
        for kind in [None, *KINDS]:
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
