"""Held-out report-error set 144: Oman (MoH and private hospitals, English reporting), written blind.

usage: python -m bench.make_heldout144 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines ``{"id", "injected", "detail", "report"}``: 200 clean reports and 40 of each of the
five kinds (missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder).
Half of every group is composed from a phrase bank in the style of Omani radiology departments (Royal Hospital,
SQUH, regional referral hospitals, polyclinics, private hospitals; expatriate pre-employment / visa films beside
ward and ED work); the other half are real IU reports (``NLMCXR_reports.tgz``; never a dev-set uid, each used at
most once) re-laid out and lightly re-worded in that style.

``MEDRAG_SHARED_DIR`` overrides where the shared folder is (default: ``../shared`` beside the repository root).
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
from functools import lru_cache, partial
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def iu_archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------------------
# setting: headers, sign-offs, hospitals, indications
# ----------------------------------------------------------------------------------------------------------

HOSPITALS = [
    "ROYAL HOSPITAL, MUSCAT - DEPARTMENT OF RADIOLOGY",
    "SULTAN QABOOS UNIVERSITY HOSPITAL - RADIOLOGY & MOLECULAR IMAGING",
    "Khoula Hospital - Department of Radiology",
    "Nizwa Hospital - Radiology Department",
    "Sohar Hospital, Ministry of Health - Radiology",
    "Sultan Qaboos Hospital, Salalah - Department of Radiology",
    "Ibri Regional Hospital - X-ray Department",
    "Sur Regional Hospital - Radiology",
    "Rustaq Hospital - Department of Radiology",
    "Al Nahdha Hospital - Radiology",
    "Ibra Hospital - Radiology Department",
    "Bausher Polyclinic - X-ray Unit",
    "Seeb Health Centre (Polyclinic) - Radiology",
    "Muscat Private Hospital - Department of Radiology",
    "Badr Al Samaa Hospital, Ruwi - Radiology",
    "Starcare Hospital, Al Khoud - Imaging",
    "Aster Al Raffah Hospital, Ghubra - Radiology",
    "Burjeel Hospital Muscat - Radiology Department",
    "Expatriate Medical Fitness Centre, Wattayah - Radiology",
]

EXAM_TITLES = [
    "X-RAY CHEST PA VIEW",
    "X-RAY CHEST (PA VIEW)",
    "CHEST X-RAY PA",
    "CXR PA VIEW",
    "X-Ray Chest PA/Lateral",
    "CHEST RADIOGRAPH (PA ERECT)",
    "X-RAY CHEST AP (PORTABLE)",
    "X-RAY CHEST AP SUPINE (MOBILE)",
]

SIGNOFFS = [
    "Dr. Salim Al Hinai\nSenior Consultant Radiologist",
    "Dr. Aisha Al Busaidi, Consultant Radiologist",
    "Reported by: Dr. Khalid Al Kindi (Senior Specialist, Radiology)",
    "Dr. Maryam Al Lawati\nSpecialist Radiologist",
    "Dr. Hamed Al Harthy, FRCR\nConsultant Radiologist",
    "Dr. Fatma Al Rawahi - Specialist Radiologist",
    "Dr. Suresh Nair, MD (Radiodiagnosis)\nSpecialist Radiologist",
    "Dr. Priya Menon, DNB (Radiology)\nSpecialist Radiologist",
    "Reported by: Dr. Rajesh Kumar, DMRD",
    "Dr. Mohamed Abdel-Rahman, MD\nSenior Specialist Radiologist",
    "Dr. Hany Soliman\nConsultant Radiologist",
    "Dr. Abdelrahman Osman, MD (Radiology)\nSpecialist Radiologist",
    "Dr. Mohammed Elhassan - Consultant Radiologist",
    "Dr. James Whitfield, FRCR\nConsultant Radiologist",
    "Dr. Sarah Collins\nConsultant Radiologist",
    "Electronically signed by Dr. Nasser Al Balushi, Consultant Radiologist",
    "Verified by: Dr. Zainab Al Maskari, Senior Consultant Radiologist",
]

FINDINGS_HEADERS = ["FINDINGS:"] * 6 + ["Findings:"] * 3 + ["OBSERVATIONS:", "Observations:", "REPORT:", "FINDINGS"]
IMPRESSION_HEADERS = (["IMPRESSION:"] * 6 + ["Impression:"] * 3
                      + ["CONCLUSION:", "Conclusion:", "OPINION:", "IMPRESSION / CONCLUSION:", "COMMENT:"])
HISTORY_LABELS = ["Clinical details:", "Clinical history:", "Clinical information:", "Indication:", "History:",
                  "Clinical notes:"]
COMPARISON_LABELS = ["Comparison:", "Comparison:", "Previous:", "Compared with:"]

INDICATIONS = {
    "preemp": [
        "Pre-employment medical (expatriate).",
        "Expatriate medical fitness - visa.",
        "Pre-employment screening. Asymptomatic.",
        "Residence visa medical. No complaints.",
        "Visa renewal medical examination.",
        "Routine medical (domestic worker). TB screening.",
    ],
    "ed": [
        "Cough and fever for 4 days. ? chest infection.",
        "SOB, fever. Known DM/HTN.",
        "c/o chest pain. R/O pneumothorax.",
        "RTA, chest wall tenderness.",
        "Known SCD with chest pain and fever. ? acute chest syndrome.",
        "Productive cough, fever. ? pneumonia.",
        "Acute exacerbation of bronchial asthma.",
        "Fall from height. Chest trauma.",
        "Fever and cough for 2 weeks, weight loss.",
        "Breathlessness. k/c/o IHD.",
    ],
    "ward": [
        "Post CABG follow-up.",
        "k/c/o CKD on haemodialysis, SOB.",
        "Follow-up of pneumonia on antibiotics.",
        "Post ICD insertion.",
        "Bilateral leg swelling and orthopnoea. k/c/o CCF.",
        "Post-op day 2, desaturation.",
        "ICU patient, intubated. Check tube position.",
        "k/c/o COPD, increasing SOB.",
        "Pre-operative assessment.",
    ],
}

COMPARISONS_NONE = ["None.", "No previous films available.", "Nil.", "None available."]
COMPARISONS_PRIOR = [
    "Previous film dated 12/03/2023.",
    "Compared with CXR of 04/11/2022.",
    "Prior chest X-ray dated 21/07/2024.",
    "Previous study of 02/01/2024 (Al-Shifa).",
    "Film of 15/09/2023.",
]

RECOMMENDATIONS = [
    "Kindly correlate clinically.",
    "Clinical correlation is advised.",
    "Suggest clinical correlation.",
    "Please correlate clinically.",
]

NORMAL_IMPRESSIONS = [
    "Normal chest X-ray.",
    "No significant abnormality detected.",
    "No active lung lesion.",
    "No acute cardiopulmonary abnormality.",
    "Normal study.",
    "No active chest disease.",
    "Chest X-ray within normal limits.",
]
NORMAL_IMPRESSIONS_PREEMP = [
    "Normal chest X-ray. No radiological evidence of active pulmonary tuberculosis.",
    "No radiological evidence of active or old pulmonary TB.",
    "Normal chest radiograph.",
    "No active lung lesion. No radiological features of pulmonary TB.",
]

# ----------------------------------------------------------------------------------------------------------
# phrase bank: normal background sentences (each keyed by what it states to be normal)
# ----------------------------------------------------------------------------------------------------------

BACKGROUND = {
    "trachea": ["Trachea is central.", "Trachea is in the midline.", "Trachea is central and not deviated."],
    "heart": ["Cardiac size is within normal limits.", "Heart size is normal.", "CTR is within normal limits.",
              "Cardiac shadow is normal in size and configuration."],
    "mediastinum": ["Mediastinum is not widened.", "Mediastinal contours are normal.",
                    "Mediastinal shadow is within normal limits."],
    "hila": ["Both hila are normal.", "Hilar shadows are unremarkable.", "Both hilar shadows are normal."],
    "lungs": ["Both lung fields are clear.", "No focal lung lesion is seen.", "Lung fields are clear.",
              "No active parenchymal lesion is seen in either lung.",
              "Both lungs show normal translucency with no focal opacity."],
    "cp": ["Both costophrenic angles are clear.", "Both CP angles are free.", "No pleural effusion.",
           "Both CP angles are sharp."],
    "ptx": ["No pneumothorax.", "No evidence of pneumothorax."],
    "diaphragm": ["Both domes of diaphragm are normal in position and outline.",
                  "Both hemidiaphragms are normal in contour.", "Domes of diaphragm are well defined."],
    "bones": ["Bony thorax is unremarkable.", "Visualised bones are intact.", "Bony cage appears normal."],
    "soft": ["Soft tissues are unremarkable.", "Chest wall soft tissues are normal."],
}
BACKGROUND_ORDER = ["trachea", "heart", "mediastinum", "hila", "lungs", "cp", "ptx", "diaphragm", "bones", "soft"]
TB_NEGATIVE = ["No radiological evidence of active or old pulmonary tuberculosis.",
               "No features suggestive of pulmonary TB."]


def _f(key, find, imp, *, sig=False, lat=False, blocks=(), neg_imp=(), ctx=("ed", "ward"), imp_optional=False,
       zones=("",), sizes=("",)):
    return {"key": key, "find": find, "imp": imp, "sig": sig, "lat": lat, "blocks": set(blocks),
            "neg_imp": list(neg_imp), "ctx": ctx, "imp_optional": imp_optional, "zones": zones, "sizes": sizes}


# {side}/{Side}: right/left (or Rt/Lt in the abbreviating style), one side per finding.
FINDINGS_BANK = [
    _f("consolidation",
       ["Inhomogeneous opacity with air bronchograms is seen in the {side} lower zone.",
        "Patchy consolidation noted in the {side} mid and lower zones.",
        "Ill-defined air-space opacity in the {side} lower zone obscuring the {side} dome of diaphragm.",
        "Non-homogeneous opacity in the {side} para-cardiac region with air bronchogram."],
       ["{Side} lower zone consolidation - likely infective.",
        "Features suggestive of {side} lower lobe pneumonia.",
        "{Side} basal pneumonic consolidation.",
        "Consolidation in the {side} lower zone, consistent with chest infection."],
       sig=True, lat=True, blocks=("lungs", "diaphragm"),
       neg_imp=["Both lung fields are clear.", "No consolidation.", "No active lung lesion."]),
    _f("acs",
       ["New bilateral lower zone air-space opacities compared with the previous film.",
        "Interval development of patchy consolidation in both lower zones."],
       ["New bilateral basal consolidation - in a known case of SCD, acute chest syndrome should be considered.",
        "Bilateral lower zone consolidation, new since the prior film. ? acute chest syndrome."],
       sig=True, blocks=("lungs", "diaphragm"), neg_imp=["Lungs are clear.", "No consolidation."],
       ctx=("ed",)),
    _f("effusion",
       ["Homogeneous opacity in the {side} lower zone obliterating the {side} CP angle with a meniscus sign, "
        "suggestive of moderate pleural effusion.",
        "Moderate {side} pleural effusion is seen.",
        "Large {side}-sided pleural effusion with mild shift of the mediastinum to the opposite side."],
       ["Moderate {side} pleural effusion.", "{Side}-sided moderate pleural effusion.",
        "{Side} pleural effusion (moderate)."],
       sig=True, lat=True, blocks=("cp", "diaphragm", "mediastinum", "trachea"),
       neg_imp=["No pleural effusion.", "CP angles are clear."]),
    _f("pneumothorax",
       ["A visceral pleural line is seen in the {side} hemithorax with absent lung markings peripheral to it, "
        "in keeping with pneumothorax.",
        "{Side}-sided pneumothorax with a rim of about 2 cm at the apex.",
        "{Side} apical pneumothorax is noted. No mediastinal shift."],
       ["{Side} pneumothorax.", "{Side}-sided pneumothorax - urgent clinical attention advised.",
        "{Side} apical pneumothorax."],
       sig=True, lat=True, blocks=("ptx", "lungs"), neg_imp=["No pneumothorax."]),
    _f("oedema",
       ["Bilateral perihilar haziness with upper lobe venous diversion and Kerley B lines.",
        "Prominent pulmonary vasculature with upper lobe diversion and bilateral hazy opacities, "
        "s/o pulmonary oedema.",
        "Bilateral fluffy perihilar opacities (bat-wing pattern)."],
       ["Pulmonary oedema.", "Features of pulmonary venous congestion / interstitial oedema.",
        "Findings in keeping with pulmonary oedema - ? fluid overload."],
       sig=True, blocks=("lungs", "hila"), neg_imp=["No pulmonary oedema.", "Lungs are clear."],
       ctx=("ward", "ed")),
    _f("mass",
       ["A well-defined rounded opacity measuring about {size} is seen in the {side} {zone} zone.",
        "Lobulated mass lesion in the {side} {zone} zone measuring approximately {size}."],
       ["{Side} {zone} zone mass lesion - CT chest is recommended for further evaluation.",
        "{Side} {zone} zone mass. Suggest CECT chest."],
       sig=True, lat=True, blocks=("lungs",), neg_imp=["No focal lung lesion."], zones=("upper", "mid", "lower"),
       sizes=("3.2 x 2.8 cm", "4 cm", "5.5 x 4 cm")),
    _f("nodule",
       ["A {size} non-calcified nodule is noted in the {side} {zone} zone.",
        "Solitary pulmonary nodule measuring {size} in the {side} {zone} zone."],
       ["{Side} {zone} zone pulmonary nodule ({size}) - further evaluation with CT is advised.",
        "Solitary {side} lung nodule ({size}). Suggest CT chest."],
       sig=True, lat=True, blocks=("lungs",), neg_imp=["No focal lung lesion."], zones=("upper", "mid", "lower"),
       sizes=("12 mm", "1.5 cm", "9 mm", "2 cm")),
    _f("cavity",
       ["Thick-walled cavitating lesion with surrounding patchy infiltrates in the {side} upper zone.",
        "Fluffy infiltrates with a small cavity in the {side} upper zone."],
       ["{Side} upper zone cavitating lesion with infiltrates - suspicious for active pulmonary TB. "
        "Sputum for AFB is advised.",
        "{Side} upper lobe cavitary infiltrate, likely active Koch's. Suggest sputum AFB."],
       sig=True, lat=True, blocks=("lungs",), neg_imp=["No active lung lesion."], ctx=("ed", "preemp")),
    _f("free_air",
       ["Free gas is seen under the {side} dome of diaphragm.",
        "Crescentic lucency under the {side} hemidiaphragm, in keeping with free intraperitoneal air."],
       ["Pneumoperitoneum (free gas under the {side} dome of diaphragm) - surgical review advised.",
        "Free air under the {side} hemidiaphragm."],
       sig=True, lat=True, blocks=(), neg_imp=["No free gas under the diaphragm."], ctx=("ed",)),
    _f("mediastinum",
       ["Superior mediastinum is widened (about 9 cm at the level of the aortic knuckle).",
        "Widened superior mediastinum with loss of the aortic knuckle outline."],
       ["Widened mediastinum - CT aortogram is recommended to exclude aortic injury.",
        "Mediastinal widening. Suggest urgent CT."],
       sig=True, blocks=("mediastinum",), neg_imp=["Mediastinum is normal."], ctx=("ed",)),
    _f("effusion_increase",
       ["The {side} pleural effusion has increased compared with the previous film and now reaches the mid zone."],
       ["Interval increase in the {side} pleural effusion."],
       sig=True, lat=True, blocks=("cp", "diaphragm"), neg_imp=["No pleural effusion."], ctx=("ward",)),
    # ---- minor findings (an impression may leave these out) ----
    _f("cardiomegaly",
       ["Mild cardiomegaly (CTR 0.56).", "Cardiac size is mildly enlarged, CTR about 0.55.",
        "Cardiothoracic ratio is increased (0.57) - mild cardiomegaly."],
       ["Mild cardiomegaly.", "Mild cardiomegaly (CTR 0.56)."],
       blocks=("heart",), neg_imp=["Normal cardiac size.", "Heart size is normal."], imp_optional=True),
    _f("granuloma",
       ["A small calcified granuloma is noted in the {side} {zone} zone.",
        "Tiny calcified focus in the {side} {zone} zone - calcified granuloma."],
       ["Calcified granuloma in the {side} {zone} zone - old healed lesion.",
        "{Side} {zone} zone calcified granuloma."],
       lat=True, blocks=("lungs",), neg_imp=[], ctx=("preemp", "ed", "ward"), imp_optional=True,
       zones=("upper", "mid", "lower")),
    _f("old_tb",
       ["Fibrotic strands with few calcific foci are seen in the {side} upper zone.",
        "Fibro-calcific changes in the {side} apical region with mild volume loss."],
       ["Fibro-calcific changes in the {side} upper zone - likely old healed Koch's. Suggest sputum for AFB "
        "to rule out activity.",
        "{Side} upper zone fibrotic changes, likely sequelae of old TB."],
       lat=True, blocks=("lungs", "tb"), neg_imp=["No radiological evidence of old or active pulmonary TB."],
       ctx=("preemp",)),
    _f("blunting",
       ["Blunting of the {side} CP angle - minimal effusion.", "Small {side} pleural effusion."],
       ["Small {side} pleural effusion.", "Minimal {side} pleural effusion."],
       lat=True, blocks=("cp",), neg_imp=["No pleural effusion."], imp_optional=True),
    _f("spine",
       ["Degenerative changes (marginal osteophytes) are seen in the dorsal spine.",
        "Mild dorsal spondylosis."],
       ["Dorsal spondylosis.", "Degenerative changes of the dorsal spine."],
       blocks=("bones",), ctx=("preemp", "ed", "ward"), imp_optional=True),
    _f("aorta",
       ["Unfolded aorta with calcification of the aortic knuckle.", "Aortic knuckle calcification noted."],
       ["Atherosclerotic aorta.", "Unfolded, calcified aorta."],
       blocks=("mediastinum",), ctx=("ed", "ward"), imp_optional=True),
    _f("copd",
       ["Lungs are hyperinflated with flattened domes of diaphragm and increased retrosternal air space.",
        "Hyperinflated lung fields with prominent bronchovascular markings."],
       ["COPD changes.", "Hyperinflation, in keeping with COPD / chronic airway disease."],
       blocks=("lungs", "diaphragm"), ctx=("ed", "ward"), imp_optional=True),
    _f("lines",
       ["ETT tip is about 4 cm above the carina. NG tube is seen in the stomach.",
        "{Side} IJV central line with its tip in the SVC.",
        "Endotracheal tube tip is 5 cm above the carina; {side} subclavian CVC tip at the cavo-atrial junction."],
       ["Tubes and lines in satisfactory position.", "ETT and central line in satisfactory position."],
       lat=True, blocks=(), ctx=("ward",), imp_optional=True),
    _f("rib_fracture",
       ["Fracture of the {side} {zone} laterally.", "Undisplaced fracture of the {side} {zone} is seen."],
       ["Fracture of the {side} {zone}.", "Undisplaced fracture of the {side} {zone}."],
       lat=True, blocks=("bones",), neg_imp=["No rib fracture."], ctx=("ed",),
       zones=("6th and 7th ribs", "5th rib", "8th rib")),
    _f("cervical_rib",
       ["{Side} cervical rib is noted.", "Incidental {side} cervical rib."],
       ["Incidental {side} cervical rib.", "{Side} cervical rib (normal variant)."],
       lat=True, blocks=("bones",), ctx=("preemp",), imp_optional=True),
    _f("sternotomy",
       ["Median sternotomy wires and mediastinal clips are noted.", "Post CABG sternotomy sutures noted."],
       ["Post CABG status.", "Post-sternotomy status."],
       blocks=(), ctx=("ward",), imp_optional=True),
]
BANK = {f["key"]: f for f in FINDINGS_BANK}
SIG_KEYS = [f["key"] for f in FINDINGS_BANK if f["sig"]]
MINOR_KEYS = [f["key"] for f in FINDINGS_BANK if not f["sig"]]
LAT_SIG_KEYS = [k for k in SIG_KEYS if BANK[k]["lat"] and k not in ("effusion_increase",)]
# findings whose impression line states the side (usable for a laterality flip)
LAT_KEYS = LAT_SIG_KEYS + ["granuloma", "old_tb", "blunting", "rib_fracture", "cervical_rib"]

# assertion an impression may make about something a background sentence negates
ASSERT_AGAINST = {
    "cp": ["{Side} pleural effusion.", "Moderate {side}-sided pleural effusion."],
    "lungs": ["{Side} lower zone consolidation - ? pneumonia.", "Patchy infiltrates in the {side} mid zone."],
    "heart": ["Cardiomegaly.", "Cardiomegaly with CTR of 0.6."],
    "ptx": ["Small {side} apical pneumothorax.", "{Side}-sided pneumothorax."],
    "hila": ["Bilateral hilar lymphadenopathy - ? sarcoidosis.", "Enlarged {side} hilum."],
    "mediastinum": ["Widened mediastinum."],
}

# ----------------------------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------------------------


def _side(word, style_abbrev, cap):
    if style_abbrev:
        w = "Rt" if word == "right" else "Lt"
        return w
    return word.capitalize() if cap else word


def fill(template, side, abbrev=False, zone="", size=""):
    template = template.replace("{zone}", zone).replace("{size}", size)
    if side is None:
        return template
    return template.replace("{side}", _side(side, abbrev, False)).replace("{Side}", _side(side, abbrev, True))


SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT|Rt|Lt)\b")
SWAP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT",
        "Rt": "Lt", "Lt": "Rt"}


def flip_sides(sentence):
    return SIDE_RE.sub(lambda m: SWAP[m.group(1)], sentence)


def new_style(rng, ctx):
    return {
        "hospital": rng.choice(HOSPITALS) if rng.random() < 0.75 else None,
        "patient_line": rng.random() < 0.3,
        "title": rng.choice(EXAM_TITLES[:6]) if ctx != "ward" else rng.choice(EXAM_TITLES),
        "hist_label": rng.choice(HISTORY_LABELS),
        "cmp_label": rng.choice(COMPARISON_LABELS),
        "fh": rng.choice(FINDINGS_HEADERS),
        "ih": rng.choice(IMPRESSION_HEADERS),
        "find_layout": rng.choice(["para", "para", "lines", "bullets"]),
        "imp_layout": rng.choice(["plain", "numbered", "numbered", "bullets"]),
        "signoff": rng.choice(SIGNOFFS),
        "inline_headers": rng.random() < 0.25,
        "upper": rng.random() < 0.1,
    }


def _imp_lines(sents, layout):
    if len(sents) == 1 and layout != "bullets":
        return [sents[0]]
    if layout == "numbered":
        return [f"{i}. {s}" for i, s in enumerate(sents, 1)]
    if layout == "bullets":
        return [f"- {s}" for s in sents]
    return [" ".join(sents)]


def render(r, st, *, drop=None, drop_how=None):
    """r: dict with history, comparison, findings (list), impression (list), recommendation (str|None)."""
    out = []
    if st["hospital"]:
        out.append(st["hospital"])
    if st["patient_line"]:
        out.append("Name: XXXX    MRN: XXXX    Age/Sex: XXXX")
    out.append(f"Examination: {st['title']}" if st["hospital"] else st["title"])
    if r.get("history"):
        out.append(f"{st['hist_label']} {r['history']}")
    if r.get("comparison"):
        out.append(f"{st['cmp_label']} {r['comparison']}")
    out.append("")
    sign = st["signoff"]
    inline = st["inline_headers"]
    # findings
    f_sents = r["findings"]
    if drop == "findings":
        if drop_how == "signature":
            out += [st["fh"], sign, ""]
            sign = None
        else:  # header kept, nothing under it
            out += [st["fh"], ""]
    else:
        if st["find_layout"] == "para":
            body = [" ".join(f_sents)]
        elif st["find_layout"] == "lines":
            body = list(f_sents)
        else:
            body = [f"- {s}" for s in f_sents]
        if inline and len(body) == 1:
            out += [f"{st['fh'].rstrip(':')}: {body[0]}", ""]
        else:
            out += [st["fh"], *body, ""]
    # impression
    if drop == "impression":
        if drop_how == "removed":
            out.append(sign)
        elif drop_how == "signature":
            out += [st["ih"], sign]
        else:
            out += [st["ih"]]
    else:
        body = _imp_lines(r["impression"], st["imp_layout"])
        if inline and len(body) == 1:
            out.append(f"{st['ih'].rstrip(':')}: {body[0]}")
        else:
            out += [st["ih"], *body]
        if r.get("recommendation"):
            out.append(r["recommendation"])
        if sign:
            out += ["", sign]
    text = "\n".join(out).rstrip() + "\n"
    if st["upper"]:
        text = text.upper().replace("XXXX", "XXXX")
    return text


# ----------------------------------------------------------------------------------------------------------
# composed reports
# ----------------------------------------------------------------------------------------------------------


GENERIC_NORMAL_LINES = ["No active lung lesion.", "No acute cardiopulmonary abnormality.",
                        "Lung fields are otherwise clear."]


def compose(rng, *, want_sig=None, want_lat=None, n_minor=None, ctx=None, normal=False, bg_keep=()):
    """A consistent composed report; returns (r, meta). meta['items']: list of finding dicts with indices."""
    if ctx is None:
        ctx = rng.choice(["preemp", "preemp", "ed", "ed", "ward"])
    abbrev = rng.random() < 0.15
    items = []
    used = set()

    def add(key, side=None):
        f = BANK[key]
        if f["lat"] and side is None:
            side = rng.choice(["right", "left"])
        items.append({"key": key, "side": side if f["lat"] else None, "zone": rng.choice(f["zones"]),
                      "size": rng.choice(f["sizes"])})
        used.add(key)

    if not normal:
        if want_sig:
            add(want_sig, want_lat)
        elif want_lat:
            add(want_lat)
        elif rng.random() < 0.45:
            pool = [k for k in SIG_KEYS if ctx in BANK[k]["ctx"]] or SIG_KEYS
            add(rng.choice(pool))
        k = n_minor if n_minor is not None else rng.choice([0, 1, 1, 2])
        pool = [m for m in MINOR_KEYS if ctx in BANK[m]["ctx"] and m not in used]
        for m in rng.sample(pool, min(k, len(pool))):
            if m in ("blunting",) and any(BANK[i["key"]]["key"].startswith("effusion") for i in items):
                continue
            add(m)
        if not items:
            add(rng.choice([m for m in MINOR_KEYS if ctx in BANK[m]["ctx"]]))
    blocks = set().union(*[BANK[i["key"]]["blocks"] for i in items]) if items else set()
    # findings sentences: background in anatomical order with abnormal items inserted after a sensible slot
    find = []
    bg_used = {}
    abn_sents = []
    for it in items:
        f = BANK[it["key"]]
        s = fill(rng.choice(f["find"]), it["side"], abbrev, it["zone"], it["size"])
        it["find_text"] = s
        abn_sents.append(s)
    bg_keys = [k for k in BACKGROUND_ORDER if k not in blocks]
    # drop a few background keys at random (reports vary in completeness) but keep the requested ones
    bg_keys = [k for k in bg_keys if k in bg_keep or rng.random() < 0.75]
    for k in bg_keys:
        bg_used[k] = rng.choice(BACKGROUND[k])
    insert_at = rng.randint(0, 2)
    bg_list = [bg_used[k] for k in bg_keys]
    find = bg_list[:insert_at] + abn_sents + bg_list[insert_at:]
    if ctx == "preemp" and "tb" not in blocks and rng.random() < 0.5 and not any(
            BANK[i["key"]]["sig"] for i in items):
        find.append(rng.choice(TB_NEGATIVE))
        bg_used["tb"] = find[-1]
    # impression
    imp = []
    for it in items:
        f = BANK[it["key"]]
        if f["imp_optional"] and rng.random() < 0.3 and any(BANK[j["key"]]["sig"] for j in items):
            it["imp_text"] = None
            continue
        s = fill(rng.choice(f["imp"]), it["side"], abbrev, it["zone"], it["size"])
        it["imp_text"] = s
        imp.append(s)
    if not imp:
        imp = [rng.choice(NORMAL_IMPRESSIONS_PREEMP if ctx == "preemp" else NORMAL_IMPRESSIONS)]
    elif not any(BANK[i["key"]]["sig"] for i in items) and rng.random() < 0.4:
        imp.append(rng.choice(GENERIC_NORMAL_LINES))
    if ctx == "preemp":
        history = rng.choice(INDICATIONS["preemp"])
    else:
        history = rng.choice(INDICATIONS[ctx])
    comparison = None
    r_cmp = rng.random()
    if r_cmp < 0.3:
        comparison = rng.choice(COMPARISONS_PRIOR)
    elif r_cmp < 0.55:
        comparison = rng.choice(COMPARISONS_NONE)
    if any(i["key"] in ("acs", "effusion_increase") for i in items) and not comparison or (
            comparison in COMPARISONS_NONE and any(i["key"] in ("acs", "effusion_increase") for i in items)):
        comparison = rng.choice(COMPARISONS_PRIOR)
    rec = rng.choice(RECOMMENDATIONS) if rng.random() < 0.3 and ctx != "preemp" else None
    r = {"history": history, "comparison": comparison, "findings": find, "impression": imp,
         "recommendation": rec}
    return r, {"items": items, "ctx": ctx, "abbrev": abbrev, "bg": bg_used, "blocks": blocks}


def composed_case(rng, kind, variant):
    st = None
    if kind is None:
        normal = variant % 3 == 0
        r, meta = compose(rng, normal=normal)
        st = new_style(rng, meta["ctx"])
        desc = "normal" if normal else ", ".join(i["key"] for i in meta["items"])
        return render(r, st), f"composed clean ({meta['ctx']}): {desc}"
    if kind == "missing_section":
        r, meta = compose(rng, normal=variant % 4 == 0)
        st = new_style(rng, meta["ctx"])
        if variant % 2 == 0:
            how = ["empty", "signature"][(variant // 2) % 2]
            return render(r, st, drop="findings", drop_how=how), f"composed: FINDINGS emptied ({how}, header kept)"
        how = ["empty", "signature", "removed"][(variant // 2) % 3]
        return render(r, st, drop="impression", drop_how=how), f"composed: IMPRESSION emptied ({how})"
    if kind == "laterality_conflict":
        key = LAT_KEYS[variant % len(LAT_KEYS)]
        r, meta = compose(rng, want_sig=key if BANK[key]["sig"] else None,
                          want_lat=None if BANK[key]["sig"] else key, n_minor=rng.choice([0, 1]))
        it = next(i for i in meta["items"] if i["key"] == key)
        if it.get("imp_text") is None:  # make sure the impression states the side
            it["imp_text"] = fill(rng.choice(BANK[key]["imp"]), it["side"], meta["abbrev"], it["zone"], it["size"])
            r["impression"].insert(0, it["imp_text"])
            r["impression"] = [s for s in r["impression"] if s not in NORMAL_IMPRESSIONS + NORMAL_IMPRESSIONS_PREEMP]
        # other lateralised items must not sit on the flipped-to side in the section we flip
        in_imp = variant % 2 == 0
        if in_imp:
            idx = r["impression"].index(it["imp_text"])
            r["impression"][idx] = flip_sides(it["imp_text"])
            where = f"IMPRESSION sentence flipped {it['side']}->{SWAP[it['side']]} ({key}); FINDINGS keep {it['side']}"
        else:
            idx = r["findings"].index(it["find_text"])
            r["findings"][idx] = flip_sides(it["find_text"])
            where = f"FINDINGS sentence flipped {it['side']}->{SWAP[it['side']]} ({key}); IMPRESSION keeps {it['side']}"
        st = new_style(rng, meta["ctx"])
        return render(r, st), "composed: " + where
    if kind == "negation_conflict":
        if variant % 2 == 0:
            # impression asserts what the findings negate
            target = ["cp", "lungs", "heart", "ptx", "hila", "lungs", "cp", "heart"][(variant // 2) % 8]
            r, meta = compose(rng, normal=rng.random() < 0.6, bg_keep=(target,))
            if target not in meta["bg"]:
                # the blocking finding took the slot; fall back to a normal report
                r, meta = compose(rng, normal=True, bg_keep=(target,))
            side = rng.choice(["right", "left"])
            claim = fill(rng.choice(ASSERT_AGAINST[target]), side, meta["abbrev"])
            generic = NORMAL_IMPRESSIONS + NORMAL_IMPRESSIONS_PREEMP + GENERIC_NORMAL_LINES
            r["impression"] = [claim, *[s for s in r["impression"] if s not in generic]]
            st = new_style(rng, meta["ctx"])
            return render(r, st), (f"composed: IMPRESSION asserts '{claim}' but FINDINGS state "
                                   f"'{meta['bg'][target]}'")
        # impression negates what the findings affirm
        keys = ["consolidation", "effusion", "pneumothorax", "oedema", "cardiomegaly", "mass", "old_tb",
                "rib_fracture", "nodule", "free_air"]
        key = keys[(variant // 2) % len(keys)]
        r, meta = compose(rng, want_sig=key if BANK[key]["sig"] else None,
                          want_lat=None if BANK[key]["sig"] else key, n_minor=rng.choice([0, 1]),
                          ctx="preemp" if key == "old_tb" else ("ed" if key in ("rib_fracture", "free_air") else None))
        it = next(i for i in meta["items"] if i["key"] == key)
        neg = rng.choice(BANK[key]["neg_imp"])
        others = [s for s in r["impression"] if s != it.get("imp_text") and s not in NORMAL_IMPRESSIONS]
        # an "other" line must not itself restate the finding
        r["impression"] = [neg, *others] if rng.random() < 0.5 else [*others, neg]
        st = new_style(rng, meta["ctx"])
        return render(r, st), f"composed: FINDINGS affirm '{it['find_text']}' but IMPRESSION says '{neg}'"
    if kind == "impression_omits_finding":
        pool = [k for k in SIG_KEYS]
        key = pool[variant % len(pool)]
        normal_repl = variant % 2 == 0
        ctx = "ed" if key in ("free_air", "mediastinum", "acs") else ("ward" if key == "effusion_increase" else None)
        if ctx is None:
            ctx = rng.choice(["ed", "ward"])
        r, meta = compose(rng, want_sig=key, n_minor=0 if normal_repl else rng.choice([1, 2]), ctx=ctx)
        it = next(i for i in meta["items"] if i["key"] == key)
        if normal_repl:
            r["impression"] = [rng.choice(NORMAL_IMPRESSIONS)]
            how = f"IMPRESSION replaced by '{r['impression'][0]}'"
        else:
            minors = [i for i in meta["items"] if i["key"] != key]
            if not minors:
                extra = rng.choice(["spine", "aorta", "cardiomegaly", "sternotomy"])
                f = BANK[extra]
                s = rng.choice(f["find"])
                r["findings"].append(s)
                minors = [{"key": extra, "side": None, "imp_text": rng.choice(f["imp"])}]
            lines = []
            for m in minors:
                t = m.get("imp_text") or fill(rng.choice(BANK[m["key"]]["imp"]), m["side"], meta["abbrev"],
                                              m.get("zone", ""), m.get("size", ""))
                lines.append(t)
            r["impression"] = lines
            how = "IMPRESSION lists only the other findings: " + " / ".join(lines)
        r["recommendation"] = rng.choice(RECOMMENDATIONS) if rng.random() < 0.3 else None
        st = new_style(rng, meta["ctx"])
        return render(r, st), f"composed: FINDINGS affirm '{it['find_text']}' ({key}); {how}"
    if kind == "placeholder":
        r, meta = compose(rng, normal=variant % 3 == 0)
        st = new_style(rng, meta["ctx"])
        r, what = put_placeholder(rng, r, variant)
        return render(r, st), "composed: " + what
    raise ValueError(kind)


PLACEHOLDERS_SIZE = ["XX", "[ ]", "<<size>>", "[***]", "__"]
PLACEHOLDERS_SIDE = ["[right/left]", "<<side>>", "[SIDE]", "[ ]", "[***]"]
PLACEHOLDERS_WORD = ["[***]", "[ ]", "***", "<<finding>>", "[ *** ]"]
NUM_RE = re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:cm|mm)\b)")
WORD_RE = re.compile(r"\b(normal|clear|intact|unremarkable|central|mild|moderate|small|sharp|free|large|"
                     r"satisfactory|stable)\b", re.I)


def put_placeholder(rng, r, variant):
    """Replace one word of findings/impression/comparison by an unfilled template field."""
    mode = variant % 5
    sections = [("findings", r["findings"]), ("impression", r["impression"])]
    if mode == 4 and r.get("comparison") and r["comparison"] not in COMPARISONS_NONE:
        r = dict(r)
        ph = rng.choice(["[date of previous study]", "<<date>>", "[previous date]"])
        r["comparison"] = f"Previous film dated {ph}."
        return r, f"comparison date replaced by template field '{ph}'"
    order = [(name, i) for name, lst in sections for i in range(len(lst))]
    rng.shuffle(order)
    regs = [(NUM_RE, PLACEHOLDERS_SIZE, "size"), (SIDE_RE, PLACEHOLDERS_SIDE, "side"),
            (WORD_RE, PLACEHOLDERS_WORD, "word")]
    regs = regs[mode % 3:] + regs[: mode % 3]
    for reg, phs, label in regs:
        for name, i in order:
            s = r[name][i]
            m = reg.search(s)
            if m:
                ph = rng.choice(phs)
                new = s[: m.start()] + ph + s[m.end():]
                r = dict(r)
                r[name] = list(r[name])
                r[name][i] = new
                return r, f"{name.upper()}: {label} '{m.group(0)}' replaced by '{ph}'"
    name, i = order[0]
    s = r[name][i]
    words = [m for m in re.finditer(r"\b[A-Za-z]{4,}\b", s)][1:] or list(re.finditer(r"\b[A-Za-z]{3,}\b", s))
    m = rng.choice(words)
    ph = rng.choice(PLACEHOLDERS_WORD)
    r = dict(r)
    r[name] = list(r[name])
    r[name][i] = s[: m.start()] + ph + s[m.end():]
    return r, f"{name.upper()}: word '{m.group(0)}' replaced by '{ph}'"


# ----------------------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def load_iu(path_str):
    rows = []
    with tarfile.open(path_str) as tf:
        for m in tf.getmembers():
            if not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            rows.append({"uid": uid, "num": int(uid[3:]), "indication": d.get("INDICATION", ""),
                         "comparison": d.get("COMPARISON", ""), "findings": d.get("FINDINGS", ""),
                         "impression": d.get("IMPRESSION", "")})
    rows.sort(key=lambda x: x["num"])
    return rows


def dev_uids():
    out = set()
    p = dev_path()
    if p.exists():
        with open(p) as fh:
            for line in fh:
                m = re.search(r'"uid"\s*:\s*"([^"]+)"', line)
                if m:
                    out.add(m.group(1))
    return out


def split_sents(text):
    text = re.sub(r"\.\s*\.", ".", text.strip())
    text = re.sub(r"(?<!\d)\b(\d)\.\s+", r"\n", text)  # numbered lists "1. ... 2. ..."
    parts = []
    for chunk in text.split("\n"):
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", chunk.strip()):
            s = s.strip()
            if s and re.search(r"[A-Za-z]", s):
                parts.append(s if s[-1] in ".!?" else s + ".")
    return parts


NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|resolved|resolving|resolution|removed|clear|clearing|"
                     r"cleared|absence|absent|nor|exclude|excluded|normal|unremarkable)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|cannot|could|question\w*|versus|vs|equivocal|subtle|minimal|trace|"
                   r"tiny|small|mild|chronic|stable|unchanged|old|scar\w*|improv\w*|decreas\w*|previous\w*|prior|"
                   r"healed|calcifi\w*|suspect\w*|concern\w*|suggest\w*|likely|probabl\w*|consider\w*|"
                   r"atelecta\w*|suspicious|appear\w*|again|remain\w*|persist\w*|or|vague|streaky|continued|"
                   r"XXXX)\b", re.I)
FAMILIES = {
    "effusion": r"effusions?",
    "pneumothorax": r"pneumothora(?:x|ces)",
    "opacity": r"consolidations?|pneumonias?|air ?space|infiltrates?|opacit(?:y|ies)|opacification|atelecta\w*",
    "oedema": r"o?edema|congesti\w+",
    "heart": r"cardiomegaly|heart (?:size )?(?:is )?(?:mildly |moderately |markedly )?enlarged|"
             r"enlarged (?:heart|cardiac)|cardiac enlargement",
    "nodule": r"nodules?|nodular|mass(?:es)?",
}
FAM_RE = {k: re.compile(r"\b(?:" + v + r")\b", re.I) for k, v in FAMILIES.items()}
SIG_RE = re.compile(r"\b(pneumothorax|consolidation|pneumonia|airspace disease|air space disease|infiltrates?|"
                    r"edema|vascular congestion|mass|(?:moderate|large) (?:\w+ )?(?:pleural )?effusions?)\b", re.I)
ABNORMAL_RE = re.compile(r"\b(effusions?|pneumothorax|consolidation|pneumonia|airspace|air space|infiltrates?|"
                         r"opacit\w+|edema|congestion|cardiomegaly|enlarged|enlargement|nodules?|nodular|mass|"
                         r"atelecta\w*|fracture\w*|emphysema|hyperexpan\w*|hyperinfla\w*|scar\w*|fibros\w*|"
                         r"interstitial|density|densities|widen\w*|lesion|thickening|tortuous|prominen\w*|"
                         r"elevat\w*|blunt\w*|deformit\w*|catheter|tube|pacemaker|hernia|collapse|granulom\w*|"
                         r"calcifi\w*|degenerat\w*|spondylo\w*|osteophyt\w*|scoliosis|kyphosis|sternotomy|"
                         r"clips?|surgical|postoperative|cabg|stent|wires?|lucenc\w*|cavit\w*|effacement|"
                         r"hilar|adenopathy|low lung volumes?|streaky|bronch\w*|copd|granulomatous)\b", re.I)
MINOR_RE = re.compile(r"\b(calcified granulom\w*|granulom\w*|degenerative|spondylo\w*|osteophyt\w*|"
                      r"tortuous|calcifi\w*|scoliosis)\b", re.I)
NORMAL_IMP_RE = re.compile(r"^(no\b|normal\b|negative\b|clear\b|unremarkable\b|heart size (?:is )?normal|"
                           r"lungs (?:are )?clear)", re.I)
SIDE_WORD = re.compile(r"\b(right|left|bilateral\w*|both|bibasilar|bibasal)\b", re.I)


def affirmed(sent):
    """True when a sentence states something without any negation or hedge cue."""
    return not NEG_CUE.search(sent) and not HEDGE.search(sent)


def negated_before(sent, fam):
    m = FAM_RE[fam].search(sent)
    if not m:
        return False
    head = sent[: m.start()]
    return bool(re.search(r"\b(no|not|without|negative for|free of|absence of)\b", head, re.I)) and not re.search(
        r"\b(but|however|although|with)\b", sent[: m.start()], re.I) or bool(
        re.search(r"\b(resolved|has resolved|cleared)\b", sent[m.end():], re.I))


def fam_status(sents):
    """family -> ('aff'|'neg'|'other', sides) over a list of sentences."""
    out = {}
    for s in sents:
        for fam, rx in FAM_RE.items():
            if not rx.search(s):
                continue
            st = "neg" if negated_before(s, fam) else ("aff" if not NEG_CUE.search(s) else "other")
            sides = {w.lower() for w in SIDE_WORD.findall(s)}
            prev = out.setdefault(fam, {"aff": False, "neg": False, "other": False, "sides": set()})
            prev[st] = True
            if st == "aff":
                prev["sides"] |= sides
    return out


def is_normal_impression(sents):
    return bool(sents) and all(NORMAL_IMP_RE.search(s) and not re.search(
        r"\b(but|however|except|with)\b", s, re.I) and not (ABNORMAL_RE.search(s) and not NEG_CUE.search(s))
        for s in sents)


def findings_nothing_significant(sents):
    for s in sents:
        hits = [m.group(0) for m in ABNORMAL_RE.finditer(s)]
        if not hits:
            continue
        if all(MINOR_RE.fullmatch(h) or re.fullmatch(r"calcifi\w*|granulom\w*|degenerat\w*|spondylo\w*|"
                                                       r"osteophyt\w*|tortuous|scoliosis", h, re.I) for h in hits):
            continue
        if re.match(r"^(no|there is no|there are no|without|negative)\b", s, re.I) and not re.search(
                r"\b(but|however|although|with|except)\b", s, re.I):
            continue
        if re.search(r"\bno\b", s, re.I) and not re.search(r"\b(but|however|although|except|there is a|"
                                                            r"there are)\b", s, re.I) and re.match(
                r"^(the )?(lungs?|heart|cardiomediastinal|mediastin\w*|pulmonary|osseous|bony|cardiac)", s, re.I):
            continue
        return False
    return True


def sig_families(sents):
    fams = set()
    for s in sents:
        if not affirmed_sig(s):
            continue
        for fam, rx in FAM_RE.items():
            if rx.search(s):
                fams.add(fam)
    return fams


def affirmed_sig(s):
    if not SIG_RE.search(s) or NEG_CUE.search(s) or HEDGE.search(s):
        return False
    return True


def consistent(fs, ims):
    """Clean candidate: sections agree (strict)."""
    if is_normal_impression(ims):
        return findings_nothing_significant(fs)
    fst, ist = fam_status(fs), fam_status(ims)
    for fam in set(fst) | set(ist):
        a, b = fst.get(fam), ist.get(fam)
        if a and b and ((a["aff"] and b["neg"] and not a["neg"]) or (b["aff"] and a["neg"] and not a["aff"])):
            return False
        if a and b and a["sides"] and b["sides"]:
            sa = {x for x in a["sides"] if x in ("right", "left")}
            sb = {x for x in b["sides"] if x in ("right", "left")}
            if sb - sa:
                return False
        if b and b["aff"] and not a:
            return False
    # every family the findings affirm must be named in the impression
    for fam, a in fst.items():
        if a["aff"] and fam not in ist:
            return False
    # every strongly affirmed significant finding must be named in the impression
    for s in fs:
        if affirmed_sig(s):
            fams = [f for f, rx in FAM_RE.items() if rx.search(s)]
            if not any(f in ist for f in fams):
                return False
    # sides: a side named in the impression must be named in the findings
    side_f = {w.lower() for s in fs for w in re.findall(r"\b(right|left)\b", s, re.I)}
    side_i = {w.lower() for s in ims for w in re.findall(r"\b(right|left)\b", s, re.I)}
    return side_i <= side_f


REWORD = [
    (r"\bx-XXXX\b", "X-ray", "x-XXXX->X-ray"),
    (r"\bedema\b", "oedema", "edema->oedema"),
    (r"\bEdema\b", "Oedema", None),
    (r"\bhemidiaphragms\b", "domes of diaphragm", "hemidiaphragm->dome of diaphragm"),
    (r"\b(right|left) hemidiaphragm\b", r"\1 dome of diaphragm", "hemidiaphragm->dome of diaphragm"),
    (r"\bcostophrenic angles?\b", "CP angle", "costophrenic->CP"),
    (r"\bcardiac silhouette\b", "cardiac shadow", "silhouette->shadow"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow", "silhouette->shadow"),
    (r"\bthoracic spine\b", "dorsal spine", "thoracic->dorsal spine"),
    (r"\b[Tt]he lungs are clear\b", "Both lung fields are clear", "lungs clear->both lung fields clear"),
    (r"^Lungs are clear\b", "Both lung fields are clear", "lungs clear->both lung fields clear"),
    (r"\b[Hh]eart size is normal\b", "Cardiac size is normal", "heart size->cardiac size"),
    (r"^No acute cardiopulmonary (?:abnormality|disease|process)\b", "No active cardiopulmonary disease",
     "no acute cardiopulmonary ...->no active cardiopulmonary disease"),
    (r"^Normal chest\.?$", "Normal chest X-ray.", "normal chest->normal chest X-ray"),
    (r"\besophag", "oesophag", "esophag->oesophag"),
    (r"\bhemorrhag", "haemorrhag", "hemorrhage->haemorrhage"),
    (r"\btumor\b", "tumour", "tumor->tumour"),
    (r"\bcentimeters?\b", "cm", "centimeter->cm"),
    (r"^There is no\b", "No", "there is no->no"),
    (r"^There are no\b", "No", "there are no->no"),
]


def _fix_plural_cp(s):
    # "CP angle are" -> "CP angles are" after the costophrenic rewrite
    return re.sub(r"\bCP angle (are|is)\b", lambda m: "CP angles are" if m.group(1) == "are" else "CP angle is", s)


def reword(sents, applied):
    out = []
    for s in sents:
        s0 = s
        for pat, rep, label in REWORD:
            s2 = re.sub(pat, rep, s)
            if s2 != s and label:
                applied.add(label)
            s = s2
        if s != s0:
            s = _fix_plural_cp(s)
            if "costophrenic" in s0.lower() and re.search(r"costophrenic angles\b", s0, re.I):
                s = s.replace("CP angle ", "CP angles ", 1) if "CP angles" not in s else s
            s = s[0].upper() + s[1:]
        out.append(s)
    return out


def iu_indication(raw):
    t = raw.strip().rstrip(".")
    if not t or re.fullmatch(r"[X\s,.]+", t):
        return None
    return t + "."


def iu_comparison(raw, rng):
    t = raw.strip().rstrip(".")
    if not t:
        return None
    if re.fullmatch(r"(?i)none|none available|no prior|none\.", t):
        return rng.choice(COMPARISONS_NONE)
    if re.fullmatch(r"[X\s,.]+", t):
        return "Previous film dated XXXX."
    return t + "."


def iu_base(rep, rng, applied, ctx="ed"):
    fs = reword(split_sents(rep["findings"]), applied)
    ims = reword(split_sents(rep["impression"]), applied)
    r = {"history": iu_indication(rep["indication"]), "comparison": iu_comparison(rep["comparison"], rng),
         "findings": fs, "impression": ims,
         "recommendation": rng.choice(RECOMMENDATIONS) if rng.random() < 0.15 else None}
    return r


BLANK_RE = re.compile(r"\[\s*\]|\*\*\*|<<|>>|\[\*+\]|_{2,}")


def usable(rep):
    f, i = rep["findings"], rep["impression"]
    if not f or not i or BLANK_RE.search(f + " " + i):
        return False
    if len(f) < 40 or len(split_sents(f)) < 2:
        return False
    return True


def iu_clean_ok(rep):
    fs, ims = split_sents(rep["findings"]), split_sents(rep["impression"])
    if re.search(r"\b(compared|comparison|prior|previous|interval|again|unchanged|stable|since)\b",
                 rep["impression"], re.I) and not re.search(r"\b(stable|unchanged)\b", rep["findings"], re.I):
        return False
    return consistent(fs, ims)


def lat_candidate(rep):
    """One-sided report (only 'right' or only 'left' anywhere, nothing bilateral) with the side in both sections
    in a sentence naming a finding."""
    text = rep["findings"] + " " + rep["impression"]
    sides = {w.lower() for w in re.findall(r"\b(right|left)\b", text, re.I)}
    if len(sides) != 1 or re.search(r"\b(bilateral\w*|both|bibasilar|biapical)\b", text, re.I):
        return None
    side = sides.pop()
    fs, ims = split_sents(rep["findings"]), split_sents(rep["impression"])

    fi, ii = lat_sents(fs, side), lat_sents(ims, side)
    if not fi or not ii:
        return None
    # the finding named on that side must share a family across the sections
    ff = {f for k in fi for f, rx in FAM_RE.items() if rx.search(fs[k])}
    fi_ = {f for k in ii for f, rx in FAM_RE.items() if rx.search(ims[k])}
    if not (ff & fi_) and not ({"opacity"} & (ff | fi_) and (ff | fi_) <= {"opacity", "effusion", "nodule"}):
        return None
    if not consistent(fs, ims):
        return None
    return side


def lat_sents(sents, side):
    """Indices of sentences that place an affirmed finding on `side`."""
    return [k for k, s in enumerate(sents) if re.search(r"\b" + side + r"\b", s, re.I)
            and any(rx.search(s) for rx in FAM_RE.values()) and not NEG_CUE.search(s)
            and not re.search(r"middle lobe|lingul", s, re.I)]


def negated_any(s):
    return bool(re.match(r"^(no|there is no|there are no|without|negative)\b", s, re.I))


def omit_candidate(rep):
    """Findings affirm a significant finding the impression names; return family or None."""
    fs, ims = split_sents(rep["findings"]), split_sents(rep["impression"])
    fams = set()
    for s in fs:
        if not affirmed_sig(s):
            continue
        for m in SIG_RE.finditer(s):
            fams.add(sig_family(m.group(0)))
    if not fams or not consistent(fs, ims) or re.search(r"\b(unchanged|stable|no change)\b", rep["impression"], re.I):
        return None
    ist = fam_status(ims)
    for f in ("pneumothorax", "opacity", "oedema", "nodule", "effusion"):
        if f in fams and f in ist and ist[f]["aff"]:
            return f
    return None


def sig_family(term):
    t = term.lower()
    if "pneumothorax" in t:
        return "pneumothorax"
    if "effusion" in t:
        return "effusion"
    if "edema" in t or "congestion" in t:
        return "oedema"
    if "mass" in t:
        return "nodule"
    return "opacity"


OMIT_FAMILY_RE = {
    "opacity": re.compile(r"\b(consolidation|pneumonia|air ?space|infiltrat\w*|opacit\w+|opacification|"
                          r"infection|infectious|atelecta\w*|process)\b", re.I),
    "effusion": re.compile(r"\b(effusions?|fluid)\b", re.I),
    "pneumothorax": re.compile(r"\bpneumothora\w+\b", re.I),
    "oedema": re.compile(r"\b(o?edema|congesti\w+|overload|failure|chf)\b", re.I),
    "nodule": re.compile(r"\b(mass\w*|nodul\w*|neoplas\w*|malignan\w*|lesion)\b", re.I),
}


def neg_assert_candidate(rep):
    """A normal report whose findings explicitly negate something; returns (family, sentence)."""
    fs, ims = split_sents(rep["findings"]), split_sents(rep["impression"])
    if not is_normal_impression(ims) or not findings_nothing_significant(fs):
        return None
    for s in fs:
        for fam, pat in (("pneumothorax", r"\bno\b.*\bpneumothorax"), ("effusion", r"\bno\b.*\beffusion"),
                         ("opacity", r"\bno\b.*\b(consolidation|airspace disease|infiltrate)"),
                         ("lungs", r"^(the )?lungs are clear\b"),
                         ("heart", r"^(the )?heart size is normal|^heart size normal|"
                                   r"^(the )?cardiac silhouette is normal")):
            if re.search(pat, s, re.I) and not re.search(r"\b(large|significant)\b", s, re.I):
                return fam, s
    return None


def neg_deny_candidate(rep):
    """Findings affirm a finding the impression also names; returns family."""
    fs, ims = split_sents(rep["findings"]), split_sents(rep["impression"])
    if not consistent(fs, ims):
        return None
    fst, ist = fam_status(fs), fam_status(ims)
    for fam in ("heart", "effusion", "opacity", "pneumothorax", "oedema"):
        a, b = fst.get(fam), ist.get(fam)
        if a and a["aff"] and not a["neg"] and not a["other"] and b and b["aff"]:
            # the affirming findings sentence must be free of hedges
            rx = DENY_RX.get(fam) or OMIT_FAMILY_RE[fam]
            if any(rx.search(s) and any(FAM_RE[o].search(s) for o in FAM_RE if o != fam) for s in ims):
                continue  # removing that impression line would drop another finding too
            if any(FAM_RE[fam].search(s) and not NEG_CUE.search(s) and not re.search(
                    r"\b(may|possibl\w*|probabl\w*|suspect\w*|likely|question\w*|versus|cannot|could)\b", s,
                    re.I) for s in fs):
                return fam
    return None


DENY_RX = {"heart": re.compile(r"\b(cardiomegaly|heart|cardiac|cardiomediastinal)\b", re.I)}
DENY_PHRASES = {
    "heart": ["Normal cardiac size.", "Heart size is within normal limits."],
    "effusion": ["No pleural effusion.", "Both CP angles are clear."],
    "opacity": ["Both lung fields are clear.", "No focal lung opacity. Lungs are clear."],
    "pneumothorax": ["No pneumothorax."],
    "oedema": ["No pulmonary oedema."],
}
ASSERT_PHRASES = {
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side}-sided pneumothorax."],
    "effusion": ["{Side} pleural effusion.", "Moderate {side} pleural effusion."],
    "opacity": ["{Side} lower zone consolidation - ? pneumonia.", "{Side} basal pneumonic patch."],
    "lungs": ["Patchy consolidation in the {side} lower zone.", "{Side} mid zone infiltrates - ? infective."],
    "heart": ["Cardiomegaly.", "Cardiomegaly (CTR 0.6)."],
}


def iu_case(rep, rng, kind, variant):
    applied = set()
    r = iu_base(rep, rng, applied)
    st = new_style(rng, "ed")
    pre = f"IU {rep['uid']}: re-laid out ({st['fh'].rstrip(':')} / {st['ih'].rstrip(':')})"
    if applied:
        pre += "; reworded " + ", ".join(sorted(applied))
    if kind is None:
        return render(r, st), pre + "; unmodified content"
    if kind == "missing_section":
        if variant % 2 == 0:
            how = ["empty", "signature"][(variant // 2) % 2]
            return render(r, st, drop="findings", drop_how=how), pre + f"; FINDINGS emptied ({how}, header kept)"
        how = ["empty", "signature", "removed"][(variant // 2) % 3]
        return render(r, st, drop="impression", drop_how=how), pre + f"; IMPRESSION emptied ({how})"
    if kind == "laterality_conflict":
        side = lat_candidate(rep)
        idx = partial(lat_sents, side=side)
        in_imp = variant % 2 == 0
        sec = "impression" if in_imp else "findings"
        cand = idx(r[sec])
        if not cand:
            sec = "findings" if in_imp else "impression"
            cand = idx(r[sec])
        k = cand[0]
        old = r[sec][k]
        r[sec][k] = flip_sides(old)
        other = "FINDINGS" if sec == "impression" else "IMPRESSION"
        return render(r, st), pre + f"; {sec.upper()} sentence '{old}' flipped to '{r[sec][k]}' ({other} keep {side})"
    if kind == "negation_conflict":
        if variant % 2 == 0:
            fam, sent = neg_assert_candidate(rep)
            side = rng.choice(["right", "left"])
            claim = fill(rng.choice(ASSERT_PHRASES[fam]), side)
            r["impression"] = [claim]
            return render(r, st), pre + f"; IMPRESSION replaced by '{claim}' though FINDINGS say '{sent}'"
        fam = neg_deny_candidate(rep)
        neg = rng.choice(DENY_PHRASES[fam])
        rx = DENY_RX.get(fam) or OMIT_FAMILY_RE[fam]
        keep = [s for s in r["impression"] if not rx.search(s)]
        keep = [re.sub(r"^\d\.\s*", "", s) for s in keep]
        r["impression"] = [neg, *keep]
        return render(r, st), pre + f"; FINDINGS affirm {fam}; IMPRESSION lines naming it replaced by '{neg}'"
    if kind == "impression_omits_finding":
        fam = omit_candidate(rep)
        rx = OMIT_FAMILY_RE[fam]
        keep = [s for s in r["impression"] if not rx.search(s) and not NORMAL_IMP_RE.search(s)]
        keep = [s for s in keep if not re.search(r"\b(lobe|basilar|base|zone|recommend\w*|follow\w*|resolution|"
                                                 r"consider|suggest\w*|treatment|represents?|this)\b", s, re.I)]
        if variant % 2 == 0 or not keep:
            imp = rng.choice(NORMAL_IMPRESSIONS)
            r["impression"] = [imp]
            how = f"IMPRESSION replaced by '{imp}'"
        else:
            r["impression"] = keep
            how = "IMPRESSION keeps only: " + " / ".join(keep)
        return render(r, st), pre + f"; FINDINGS affirm {fam} (significant), {how}"
    if kind == "placeholder":
        r, what = put_placeholder(rng, r, variant if variant % 5 != 4 else 0)
        return render(r, st), pre + "; " + what
    raise ValueError(kind)


def iu_pools(rows, banned):
    pools = {k: [] for k in [None, *KINDS]}
    for rep in rows:
        if rep["uid"] in banned or not usable(rep):
            continue
        if iu_clean_ok(rep):
            pools[None].append(rep)
        if lat_candidate(rep):
            pools["laterality_conflict"].append(rep)
        if omit_candidate(rep):
            pools["impression_omits_finding"].append(rep)
        if neg_assert_candidate(rep):
            pools.setdefault("neg_assert", []).append(rep)
        if neg_deny_candidate(rep):
            pools.setdefault("neg_deny", []).append(rep)
        pools["missing_section"].append(rep)
        text = rep["findings"] + " " + rep["impression"]
        if any(rx.search(text) for rx in (NUM_RE, SIDE_RE, WORD_RE)):
            pools["placeholder"].append(rep)
    return pools


# ----------------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------------


def build(seed):
    rng = random.Random(f"heldout144-{seed}")
    rows_iu = load_iu(str(iu_archive()))
    banned = dev_uids()
    pools = iu_pools(rows_iu, banned)
    used = set()

    def take(pool, n):
        cand = [p for p in pool if p["uid"] not in used]
        picked = rng.sample(cand, n)
        for p in picked:
            used.add(p["uid"])
        return picked

    cases = []
    # scarce pools first
    n_iu = {None: N_CLEAN // 2, **{k: N_PER_KIND // 2 for k in KINDS}}
    iu_assign = {}
    iu_assign["laterality_conflict"] = take(pools["laterality_conflict"], n_iu["laterality_conflict"])
    iu_assign["impression_omits_finding"] = take(pools["impression_omits_finding"], n_iu["impression_omits_finding"])
    neg_a = take(pools["neg_assert"], n_iu["negation_conflict"] // 2)
    neg_d = take(pools["neg_deny"], n_iu["negation_conflict"] - len(neg_a))
    iu_assign["negation_conflict"] = [x for pair in zip(neg_a, neg_d, strict=True) for x in pair]
    iu_assign[None] = take(pools[None], n_iu[None])
    iu_assign["placeholder"] = take(pools["placeholder"], n_iu["placeholder"])
    iu_assign["missing_section"] = take(pools["missing_section"], n_iu["missing_section"])

    for kind in [None, *KINDS]:
        n = N_CLEAN if kind is None else N_PER_KIND
        for v in range(n // 2):
            text, detail = composed_case(rng, kind, v)
            cases.append({"injected": kind, "detail": detail, "report": text, "source": "composed"})
        for v, rep in enumerate(iu_assign[kind]):
            text, detail = iu_case(rep, rng, kind, v)
            cases.append({"injected": kind, "detail": detail, "report": text, "source": rep["uid"]})
    rng.shuffle(cases)
    out = []
    for k, c in enumerate(cases):
        out.append({"id": f"h144-{seed}-{k}", "injected": c["injected"], "detail": c["detail"],
                    "report": c["report"]})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    if not iu_archive().exists():
        sys.exit(f"IU archive not found: {iu_archive()} (set MEDRAG_SHARED_DIR)")
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            sel = [r for r in rows if r["injected"] == kind]
            comp = [r for r in sel if not r["detail"].startswith("IU ")][: a.show]
            iu = [r for r in sel if r["detail"].startswith("IU ")][: a.show]
            for r in comp + iu:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
