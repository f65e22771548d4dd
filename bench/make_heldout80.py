"""Held-out report-check set 80, written blind.

Setting: hospitals in the Philippines -- public medical centres and private hospitals in Manila,
Cebu and Davao -- with chest X-ray reports written in English by Filipino radiologists:
outpatient films, pre-employment (PEME), annual physical and OFW medical exams, ED and ward
films; PTB, pneumonia and heart disease common.  Reports use the local dictation habits: an
exam line ("CHEST PA", "CHEST PA/LAT", "CHEST AP (portable)"), "Clinical data", a findings block
(often headed by the view itself), "IMPRESSION" / "CONCLUSION" / "OPINION", and a sign-off with
the radiologist's name and FPCR / DPBR.  Most films are normal or near-normal.

Rows: 400 = 200 clean + 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of every group is composed from the phrase bank
below; the other half are real IU (Open-i) reports, never a dev-set uid, re-laid-out in the
setting's style and lightly re-worded.  ``XXXX`` is the IU de-identification mask, not a blank.

    python -m bench.make_heldout80 OUT.jsonl --seed S [--show N]
"""
from __future__ import annotations

import argparse
import functools
import html
import json
import os
import random
import re
import sys
import tarfile
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


# --------------------------------------------------------------------------------------------
# IU loading
# --------------------------------------------------------------------------------------------

_ABS_RE = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="(CXR\d+)"')
_MAJOR_RE = re.compile(r"<major>(.*?)</major>", re.S)


def _clean_text(s: str) -> str:
    s = html.unescape(s or "")
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\.\.+$", ".", s)
    s = s.replace(". .", ".")
    return s


@functools.lru_cache(maxsize=4)
def _load_iu(base: str) -> tuple:
    path = Path(base) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            t = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID_RE.search(t)
            if not um:
                continue
            secs = {k.upper(): _clean_text(v) for k, v in _ABS_RE.findall(t)}
            majors = tuple(x.strip() for x in _MAJOR_RE.findall(t))
            out.append(
                {
                    "uid": um.group(1),
                    "indication": secs.get("INDICATION", ""),
                    "comparison": secs.get("COMPARISON", ""),
                    "findings": secs.get("FINDINGS", ""),
                    "impression": secs.get("IMPRESSION", ""),
                    "normal": majors == ("normal",),
                }
            )
    out.sort(key=lambda r: int(r["uid"][3:]))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _dev_uids(base: str) -> frozenset:
    uids = set()
    p = Path(base) / "eval" / "report_errors_dev.jsonl"
    if p.exists():
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    u = json.loads(line).get("uid")
                    if u:
                        uids.add(u)
    return frozenset(uids)


# --------------------------------------------------------------------------------------------
# Style bank (setting)
# --------------------------------------------------------------------------------------------

RADIOLOGISTS = [
    "MARIA CRISTINA L. REYES, MD, FPCR",
    "JOSE MARI C. DELA CRUZ, MD, DPBR",
    "Ma. Theresa G. Villanueva, MD, FPCR",
    "RAMON P. ANG, MD, FPCR",
    "Kristine Joy B. Tan, MD, DPBR",
    "ARNEL S. BAUTISTA, MD, FPCR, FCTMRISP",
    "Rosario D. Magbanua, MD, DPBR",
    "EDGARDO V. SORIANO, MD, FPCR",
    "Liza Mae O. Fernandez, MD",
    "GERARDO T. CO, MD, FPCR",
    "Ana Patricia R. Lim, MD, DPBR",
    "Ferdinand A. Abella, MD, FPCR",
]
RESIDENTS = [
    "Carlo Miguel S. Ramos, MD",
    "Janine P. Castillo, MD",
    "Mark Anthony D. Torres, MD",
    "Shiela Marie C. Uy, MD",
]
DEPTS = [
    "DEPARTMENT OF RADIOLOGY",
    "DEPARTMENT OF RADIOLOGY AND IMAGING SERVICES",
    "SECTION OF DIAGNOSTIC RADIOLOGY",
    "RADIOLOGY SECTION - OUTPATIENT DEPARTMENT",
    "ROENTGENOLOGICAL REPORT",
    "X-RAY RESULT",
    "RADIOLOGIC REPORT",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

CLIN_NORMAL = [
    "Pre-employment", "PEME", "Pre-employment medical exam", "For OFW medical",
    "OFW medical examination", "Annual physical exam", "APE", "For clearance",
    "Pre-op clearance", "Routine", "For school requirement", "Medical certificate",
    "Pre-employment, asymptomatic", "Executive check-up", "For visa application",
    "Cough x 3 days", "Cough and colds", "Fever", "HPN, for cardiopulmonary clearance",
    "T2DM, pre-op", "Chest pain", "DOB", "BA, on maintenance",
]
CLIN_ABN = [
    "Cough x 2 weeks", "Cough, fever x 5 days", "Productive cough, weight loss",
    "t/c PTB", "r/o PTB", "r/o pneumonia", "CAP-MR", "Fever, cough, DOB", "Hemoptysis",
    "HPN, DOB", "CHF, for follow-up", "Chest pain, DOB", "Hx of PTB, completed treatment",
    "Smoker, chronic cough", "Post-trauma, chest pain", "Fall, right chest pain",
    "Body weakness, fever", "HCVD", "Dengue, r/o pleural effusion", "ESRD on HD, DOB",
    "Sudden onset DOB", "Night sweats, weight loss",
]
EXAMS = [
    "CHEST PA", "CHEST PA", "CHEST PA", "CHEST PA VIEW", "CHEST PA/LAT", "CHEST PA AND LATERAL",
    "CHEST AP (portable)", "CHEST AP", "CHEST PA, APICOLORDOTIC",
]

NORMAL_STATEMENTS = {
    "lungs": [
        "Both lung fields are clear.",
        "The lungs are clear.",
        "No infiltrates are seen in both lung fields.",
        "Both lungs are clear of infiltrates.",
        "The lung parenchyma is clear.",
        "No active parenchymal infiltrates are seen.",
    ],
    "hila": [
        "Hila are not prominent.",
        "Both hila are unremarkable.",
        "The hilar shadows are not enlarged.",
    ],
    "heart": [
        "Heart is not enlarged.",
        "The heart is normal in size.",
        "Cardiac size is within normal limits.",
        "Heart size and configuration are normal.",
        "The heart is not enlarged.",
        "Heart is not enlarged (CTR 0.44).",
        "The heart is not enlarged, CTR 0.47.",
        "Cardiothoracic ratio is 0.46; the heart is not enlarged.",
    ],
    "aorta": [
        "Aorta is unremarkable.",
        "The aorta is not dilated.",
        "Mediastinum is not widened.",
        "Trachea is at the midline.",
    ],
    "pleura": [
        "Both costophrenic sulci are sharp.",
        "Diaphragm and sulci are intact.",
        "Both hemidiaphragms and costophrenic sulci are intact.",
        "No pleural effusion.",
        "The costophrenic sulci are sharp and the hemidiaphragms are smooth.",
    ],
    "bones": [
        "Visualized bony thorax is intact.",
        "The osseous structures are unremarkable.",
        "Bony thorax is intact.",
        "The included bones are intact.",
        "Soft tissues and bony thorax are unremarkable.",
    ],
}
ORGAN_ORDER = ["lungs", "hila", "heart", "aorta", "pleura", "bones"]

NORMAL_IMPRESSIONS = [
    "Normal chest findings.",
    "Normal chest.",
    "Essentially normal chest findings.",
    "No significant chest findings.",
    "Normal chest radiograph.",
    "Negative chest study.",
    "Essentially negative chest.",
    "No radiographic evidence of active chest disease.",
    "No acute cardiopulmonary disease.",
    "Normal chest study.",
]
# generic macros used when an impression is pasted over: they do not name a specific organ
NORMAL_MACROS = [
    "Normal chest findings.",
    "Essentially normal chest findings.",
    "No significant chest findings.",
    "Normal chest.",
    "Negative chest study.",
    "No acute cardiopulmonary disease.",
    "No radiographic abnormality seen.",
    "Essentially normal chest radiograph.",
]

NTH = {3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th", 9: "9th"}

# Finding bank.  organ: which normal statement it displaces; sig: significant for the omission
# rule; omit_ok: may be left out of the impression in a clean report; negate: an impression
# sentence that negates it (by meaning).
BANK = {
    "ptb": {
        "organ": "lungs", "lat": True, "sig": False, "omit_ok": False, "w": 10,
        "f": [
            "Fibrohazy densities are seen in the {side} upper lobe.",
            "Hazy and reticulonodular densities are noted in the {side} apical region.",
            "Fibrohazy and nodular densities are seen in the {side} upper lung field.",
            "There are hazy densities in the {side} upper lobe with some fibrotic strands.",
        ],
        "i": [
            "Pulmonary tuberculosis, minimal, {side} upper lobe, activity undetermined.",
            "PTB, minimal, {side}.",
            "Consider PTB, {side} upper lobe. Suggest sputum AFB correlation.",
            "Pulmonary tuberculosis, {side} upper lobe. Kindly correlate with sputum studies.",
            "Minimal PTB, {side} upper lobe, activity to be determined.",
        ],
        "neg": ["Both lung fields are clear.", "No active lung infiltrates."],
    },
    "pneumonia": {
        "organ": "lungs", "lat": True, "sig": True, "omit_ok": False, "w": 8,
        "f": [
            "Hazy densities are seen in the {side} lower lung field.",
            "Patchy airspace opacities are noted in the {side} lower lobe.",
            "There are ill-defined hazy densities in the {side} paracardiac region.",
            "Confluent alveolar densities with air bronchograms are seen in the {side} lower lobe.",
            "Consolidation is noted in the {side} lower lobe.",
        ],
        "i": [
            "Pneumonia, {side} lower lobe.",
            "Community-acquired pneumonia, {side} base.",
            "{Side} lower lobe pneumonia.",
            "Pneumonia, {side}. Follow-up study after treatment is suggested.",
            "Consider pneumonia, {side} lower lobe.",
        ],
        "neg": ["Both lung fields are clear.", "No pneumonic infiltrates."],
    },
    "effusion_mod": {
        "organ": "pleura", "lat": True, "sig": True, "omit_ok": False, "w": 4,
        "f": [
            "There is a homogeneous density with a meniscus sign in the {side} hemithorax, reaching "
            "the level of the {rib} posterior rib.",
            "A moderate amount of pleural fluid is seen on the {side}, obliterating the {side} "
            "costophrenic sulcus and hemidiaphragm.",
            "Moderate pleural effusion is noted on the {side}.",
        ],
        "i": [
            "Pleural effusion, {side}, moderate.",
            "Moderate pleural effusion, {side}.",
            "{Side} pleural effusion, moderate in amount.",
        ],
        "neg": ["No pleural effusion.", "Costophrenic sulci are sharp."],
    },
    "effusion_small": {
        "organ": "pleura", "lat": True, "sig": False, "omit_ok": True, "w": 4,
        "f": [
            "The {side} costophrenic sulcus is blunted.",
            "There is blunting of the {side} costophrenic sulcus.",
            "Minimal fluid is seen blunting the {side} costophrenic sulcus.",
        ],
        "i": [
            "Minimal pleural effusion, {side}.",
            "Small pleural effusion, {side}.",
            "Blunted {side} costophrenic sulcus, may represent minimal effusion or pleural "
            "thickening.",
        ],
        "neg": ["No pleural effusion.", "Both costophrenic sulci are sharp."],
    },
    "cardiomegaly": {
        "organ": "heart", "lat": False, "sig": False, "omit_ok": False, "w": 9,
        "f": [
            "The heart is enlarged with left ventricular prominence.",
            "Heart is enlarged, with a cardiothoracic ratio of 0.{ctr}.",
            "The cardiac shadow is enlarged.",
            "Cardiac size is enlarged with the apex displaced downward and to the left.",
        ],
        "i": [
            "Cardiomegaly.",
            "Cardiomegaly with left ventricular prominence.",
            "Hypertensive cardiovascular disease.",
            "Cardiomegaly, consider hypertensive heart disease.",
        ],
        "neg": ["Heart is not enlarged.", "Normal heart size."],
    },
    "cardiomegaly_mild": {
        "organ": "heart", "lat": False, "sig": False, "omit_ok": True, "w": 4,
        "f": [
            "The heart is borderline in size.",
            "Heart is slightly enlarged.",
            "The cardiac silhouette is mildly enlarged.",
        ],
        "i": ["Borderline heart size.", "Mild cardiomegaly."],
        "neg": ["Heart is not enlarged.", "Normal cardiac size."],
    },
    "atheromatous": {
        "organ": "aorta", "lat": False, "sig": False, "omit_ok": True, "w": 10,
        "f": [
            "The aorta is atheromatous.",
            "Calcific plaques are seen in the aortic knob.",
            "The aortic knob is calcified.",
            "The aorta is tortuous with calcific plaques.",
        ],
        "i": ["Atheromatous aorta.", "Atherosclerotic aorta.", "Aortic atherosclerosis."],
        "neg": ["Aorta is unremarkable."],
    },
    "congestion": {
        "organ": "hila", "also": ["lungs"], "lat": False, "sig": True, "omit_ok": False, "w": 4,
        "f": [
            "There is cephalization of the pulmonary vasculature with perihilar haziness.",
            "Pulmonary vascular markings are congested.",
            "Hazy perihilar densities with Kerley B lines are seen.",
        ],
        "i": [
            "Pulmonary congestion.",
            "Pulmonary venous congestion.",
            "Pulmonary edema.",
        ],
        "neg": ["No pulmonary congestion."],
    },
    "pneumothorax": {
        "organ": "pleura", "lat": True, "sig": True, "omit_ok": False, "w": 2,
        "f": [
            "There is a {side} pneumothorax with the visceral pleural line seen about {cm} cm from "
            "the lateral chest wall.",
            "A radiolucent area devoid of lung markings is seen in the {side} hemithorax, "
            "consistent with pneumothorax.",
        ],
        "i": [
            "Pneumothorax, {side}, approximately {pct}%.",
            "{Side} pneumothorax.",
        ],
        "neg": ["No pneumothorax."],
    },
    "nodule": {
        "organ": "lungs", "lat": True, "sig": True, "omit_ok": False, "w": 2,
        "f": [
            "A {cm} cm nodular density is seen in the {side} mid lung field.",
            "There is a {cm} cm rounded nodular opacity in the {side} upper lung field.",
        ],
        "i": [
            "Nodular density, {side} mid lung. Suggest chest CT scan for further evaluation.",
            "{Side} lung nodule, {cm} cm. CT scan is recommended.",
        ],
        "neg": ["No lung nodules."],
    },
    "granuloma": {
        "organ": "lungs", "lat": True, "sig": False, "omit_ok": True, "w": 5,
        "f": [
            "A small calcified granuloma is seen in the {side} upper lung field.",
            "A punctate calcific density is noted in the {side} mid lung field.",
        ],
        "i": ["Calcified granuloma, {side}.", "Healed granuloma, {side} lung."],
        "neg": [],
    },
    "fibrosis_old": {
        "organ": "lungs", "lat": True, "sig": False, "omit_ok": False, "w": 5,
        "f": [
            "Fibrotic strands are seen in the {side} apex.",
            "Linear fibrotic densities are noted in the {side} upper lobe with apical pleural "
            "thickening.",
        ],
        "i": [
            "Fibrotic changes, {side} apex, probably old PTB.",
            "Old PTB, {side} upper lobe.",
            "Healed PTB, {side} upper lobe.",
        ],
        "neg": [],
    },
    "bronchitic": {
        "organ": "hila", "lat": False, "sig": False, "omit_ok": True, "w": 4,
        "f": [
            "Bronchovascular markings are accentuated in both lower lung fields.",
            "There are prominent bronchovascular markings.",
        ],
        "i": ["Bronchitis.", "Consider bronchitis.", "Bronchitic changes."],
        "neg": [],
    },
    "spondylosis": {
        "organ": "bones", "lat": False, "sig": False, "omit_ok": True, "w": 5,
        "f": [
            "Marginal osteophytes are noted in the thoracic vertebrae.",
            "There are degenerative changes of the thoracic spine.",
            "Thoracic spine shows spur formation.",
        ],
        "i": ["Thoracic spondylosis.", "Degenerative changes, thoracic spine."],
        "neg": [],
    },
    "old_rib_fx": {
        "organ": "bones", "lat": True, "sig": False, "omit_ok": True, "w": 2,
        "f": ["Old healed fracture of the {side} {rib} rib is noted."],
        "i": ["Old healed fracture, {side} {rib} rib."],
        "neg": [],
    },
    "widened_med": {
        "organ": "aorta", "lat": False, "sig": True, "omit_ok": False, "w": 1,
        "f": [
            "The superior mediastinum is widened.",
            "There is widening of the mediastinum, measuring about {cm} cm at the level of the "
            "aortic knob.",
        ],
        "i": [
            "Widened mediastinum. Suggest chest CT scan.",
            "Mediastinal widening, further evaluation with CT is suggested.",
        ],
        "neg": ["Mediastinum is not widened."],
    },
}
SIG_KEYS = [k for k, v in BANK.items() if v["sig"]]
LAT_KEYS = [k for k, v in BANK.items() if v["lat"]]


def _orgs(key: str) -> set:
    return {BANK[key]["organ"], *BANK[key].get("also", [])}


def _fill(t: str, side: str | None, params: dict) -> str:
    s = side or "right"
    return t.format(side=s, Side=s.capitalize(), **params)


def _params(rng: random.Random) -> dict:
    return {
        "rib": NTH[rng.choice([5, 6, 7, 8])],
        "ctr": str(rng.choice([55, 56, 58, 60, 62, 65])),
        "cm": rng.choice(["1.2", "1.5", "1.8", "2.0", "2.3", "0.9", "1.0", "3.1"]),
        "pct": str(rng.choice([10, 15, 20, 25, 30, 40])),
    }


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


def _date(rng: random.Random) -> str:
    y = rng.choice([2023, 2024, 2025, 2026])
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    style = rng.random()
    if style < 0.4:
        return f"{MONTHS[m - 1]} {d}, {y}"
    if style < 0.75:
        return f"{m:02d}/{d:02d}/{y}"
    return f"{MONTHS[m - 1][:3]}. {d}, {y}"


def _signoff(rng: random.Random) -> str:
    rad = rng.choice(RADIOLOGISTS)
    r = rng.random()
    if r < 0.45:
        return f"{rad}\nRadiologist"
    if r < 0.65:
        return f"Read by: {rad}"
    if r < 0.85:
        return f"{rng.choice(RESIDENTS)}\nRadiology Resident\n\n{rad}\nConsultant Radiologist"
    return f"Dictated by: {rad}\nDate read: {_date(rng)}"


def _header(rng: random.Random, exam: str, clin: str | None, comparison: str | None,
            demo: bool = True) -> list[str]:
    lines = []
    if rng.random() < 0.55:
        lines.append(rng.choice(DEPTS))
    age = rng.randint(19, 78)
    sex = rng.choice(["M", "F"])
    r = rng.random() if demo else 1.0
    if not demo and rng.random() < 0.4:
        lines.append(f"Date: {_date(rng)}")
    if r < 0.35:
        lines.append(f"Age/Sex: {age}/{sex}    Date: {_date(rng)}")
    elif r < 0.55:
        lines.append(f"Patient: XXXX    Age: {age}    Sex: {'Male' if sex == 'M' else 'Female'}")
    ex_lab = rng.choice(["Examination", "EXAMINATION", "Exam", "Procedure", "X-RAY NO. XXXX -"])
    lines.append(f"{ex_lab}: {exam}" if not ex_lab.endswith("-") else f"{ex_lab} {exam}")
    if clin:
        lab = rng.choice(["Clinical data", "CLINICAL DATA", "Clinical History", "History",
                          "Clinical impression", "Indication"])
        lines.append(f"{lab}: {clin}")
    if comparison:
        lab = rng.choice(["Comparison", "COMPARISON", "Previous study"])
        lines.append(f"{lab}: {comparison}")
    return lines


def _findings_block(rng: random.Random, sentences: list[str], exam: str, hdr: str | None = None
                    ) -> str:
    if hdr is None:
        hdr = rng.choice(["FINDINGS:", "FINDINGS:", "Findings:", f"{exam}:", "REPORT:",
                          "RADIOGRAPHIC FINDINGS:"])
    if not sentences:
        return hdr
    if rng.random() < 0.5:
        body = "\n".join(sentences)
    else:
        body = " ".join(sentences)
    return f"{hdr}\n{body}"


def _imp_block(rng: random.Random, items: list[str], hdr: str | None = None) -> str:
    if hdr is None:
        hdr = rng.choice(["IMPRESSION:", "IMPRESSION:", "IMPRESSION:", "Impression:",
                          "CONCLUSION:", "OPINION:", "IMPRESSION/CONCLUSION:"])
    if not items:
        return hdr
    if len(items) == 1:
        return f"{hdr}\n{items[0]}"
    return hdr + "\n" + "\n".join(f"{i + 1}. {t}" for i, t in enumerate(items))


# --------------------------------------------------------------------------------------------
# Composed cases
# --------------------------------------------------------------------------------------------


def _pick_items(rng: random.Random, profile: str) -> list[dict]:
    """Return list of {key, side} dicts without organ or key collisions."""
    items: list[dict] = []
    if profile == "normal":
        return items
    if profile == "incidental":
        pool = ["atheromatous", "granuloma", "spondylosis", "old_rib_fx", "cardiomegaly_mild",
                "bronchitic", "fibrosis_old"]
        n = 1 if rng.random() < 0.75 else 2
    else:
        pool = list(BANK)
        n = rng.choice([1, 1, 1, 2, 2, 3])
    weights = [BANK[k]["w"] for k in pool]
    used_organs: set = set()
    tries = 0
    while len(items) < n and tries < 30:
        tries += 1
        k = rng.choices(pool, weights)[0]
        org = BANK[k]["organ"]
        if org in used_organs and org != "lungs":
            continue
        if "lungs" in _orgs(k) and org != "lungs" and "lungs" in used_organs:
            continue
        if any(it["key"] == k for it in items):
            continue
        if org == "lungs" and any(BANK[it["key"]]["organ"] == "lungs" for it in items) and \
                rng.random() < 0.6:
            continue
        used_organs |= _orgs(k)
        items.append({"key": k, "side": rng.choice(["right", "left"]) if BANK[k]["lat"] else None})
    return items


def _add_item(items: list[dict], rng: random.Random, key: str, side: str | None = None) -> dict:
    orgs = _orgs(key)
    items[:] = [it for it in items if not (_orgs(it["key"]) & orgs) and it["key"] != key]
    it = {"key": key, "side": side or (rng.choice(["right", "left"]) if BANK[key]["lat"] else None)}
    items.insert(rng.randint(0, len(items)), it)
    return it


def _render_items(rng: random.Random, items: list[dict], params: dict) -> None:
    for it in items:
        b = BANK[it["key"]]
        it["ftext"] = _fill(rng.choice(b["f"]), it["side"], params)
        it["itext"] = _fill(rng.choice(b["i"]), it["side"], params)


def _findings_sentences(rng: random.Random, items: list[dict], force_normal: str | None = None,
                        forced_text: str | None = None) -> list[str]:
    out = []
    occupied = set().union(*[_orgs(it["key"]) for it in items]) if items else set()
    for org in ORGAN_ORDER:
        for it in items:
            if BANK[it["key"]]["organ"] == org:
                out.append(it["ftext"])
        if org in occupied:
            continue
        if org == force_normal:
            out.append(forced_text or rng.choice(NORMAL_STATEMENTS[org]))
        elif org in ("lungs", "heart", "pleura") or rng.random() < 0.55:
            out.append(rng.choice(NORMAL_STATEMENTS[org]))
    return out


def _clean_impression(rng: random.Random, items: list[dict]) -> list[str]:
    imp = []
    for it in items:
        b = BANK[it["key"]]
        if b["omit_ok"] and rng.random() < 0.4:
            continue
        imp.append(it["itext"])
    if not imp:
        return [rng.choice(NORMAL_IMPRESSIONS)]
    return imp


def _assemble(rng: random.Random, head: list[str], fblock: str | None, iblock: str | None
              ) -> str:
    parts = ["\n".join(head)]
    if fblock is not None:
        parts.append(fblock)
    if iblock is not None:
        parts.append(iblock)
    parts.append(_signoff(rng))
    return "\n\n".join(parts)


PLACEHOLDERS = ["[  ]", "[ ]", "(  )", "***", "< >", "[***]", "{ }", "[__]".replace("_", " "),
                "[?]", "[blank]"]


def compose(rng: random.Random, kind: str | None) -> tuple[str, str]:
    params = _params(rng)
    exam = rng.choice(EXAMS)
    if kind is None:
        profile = rng.choices(["normal", "incidental", "abnormal"], [0.58, 0.17, 0.25])[0]
    elif kind in ("impression_omits_finding", "laterality_conflict"):
        profile = rng.choice(["normal", "incidental", "abnormal"])
    else:
        profile = rng.choices(["normal", "incidental", "abnormal"], [0.5, 0.2, 0.3])[0]
    items = _pick_items(rng, profile)
    detail = ""
    force_normal = forced_text = None
    imp_override: list[str] | None = None

    if kind == "impression_omits_finding":
        key = rng.choice(["pneumonia", "pneumonia", "pneumonia", "effusion_mod", "effusion_mod",
                          "congestion", "congestion", "pneumothorax", "nodule", "widened_med"])
        target = _add_item(items, rng, key)
    elif kind == "laterality_conflict":
        key = rng.choices(["ptb", "pneumonia", "effusion_mod", "effusion_small", "pneumothorax",
                           "nodule", "granuloma", "fibrosis_old", "old_rib_fx"],
                          [10, 10, 5, 4, 3, 3, 2, 4, 2])[0]
        target = _add_item(items, rng, key)
    elif kind == "negation_conflict":
        pass
    _render_items(rng, items, params)
    clin_pool = CLIN_ABN if any(not BANK[i["key"]]["omit_ok"] for i in items) else CLIN_NORMAL
    clin = rng.choice(clin_pool) if rng.random() < 0.85 else None
    if clin_pool is CLIN_NORMAL and "AP" in exam.split():
        exam = "CHEST PA"
    comparison = None
    if rng.random() < 0.2:
        comparison = rng.choice(["None.", "None available.", f"Study dated {_date(rng)}."])
    head = _header(rng, exam, clin, comparison)

    if kind == "negation_conflict":
        mode = rng.random()
        if mode < 0.6 or not items:
            # impression affirms something the findings explicitly call normal
            choices = [("heart", "cardiomegaly"), ("lungs", "pneumonia"), ("lungs", "ptb"),
                       ("pleura", "effusion_small"), ("pleura", "effusion_mod"),
                       ("hila", "congestion")]
            occupied = set().union(*[_orgs(it["key"]) for it in items]) if items else set()
            choices = [c for c in choices if c[0] not in occupied]
            org, key = rng.choice(choices)
            normal_txt = {
                "heart": rng.choice(NORMAL_STATEMENTS["heart"]),
                "lungs": rng.choice(NORMAL_STATEMENTS["lungs"]),
                "pleura": rng.choice(["Both costophrenic sulci are sharp.", "No pleural effusion.",
                                      "Both hemidiaphragms and costophrenic sulci are intact."]),
                "hila": rng.choice(["Pulmonary vascular markings are normal.",
                                    "No pulmonary congestion.",
                                    "The pulmonary vasculature is not congested."]),
            }[org]
            force_normal, forced_text = org, normal_txt
            fake = {"key": key, "side": rng.choice(["right", "left"]) if BANK[key]["lat"] else None}
            _render_items(rng, [fake], params)
            imp_override = _clean_impression(rng, items)
            if imp_override and imp_override[0] in NORMAL_IMPRESSIONS:
                imp_override = []
            imp_override.insert(rng.randint(0, len(imp_override)), fake["itext"])
            detail = f"findings say '{normal_txt}' but impression reads '{fake['itext']}'"
        else:
            # impression negates a finding the findings affirm
            cand = [it for it in items
                    if it["key"] in ("cardiomegaly", "cardiomegaly_mild", "effusion_small", "ptb",
                                     "atheromatous", "effusion_mod", "pneumonia")]
            if not cand:
                key = rng.choice(["cardiomegaly", "cardiomegaly", "effusion_small", "ptb",
                                  "atheromatous"])
                it = _add_item(items, rng, key)
                _render_items(rng, [it], params)
                cand = [it]
            it = rng.choice(cand)
            neg = rng.choice(BANK[it["key"]]["neg"])
            rest = [x["itext"] for x in items if x is not it and not BANK[x["key"]]["omit_ok"]]
            imp_override = rest + [neg]
            if rng.random() < 0.4 and not rest:
                imp_override.append(rng.choice(["Otherwise, normal chest findings.",
                                                "Rest of the chest is unremarkable."]))
            detail = f"findings affirm '{it['ftext']}' but impression says '{neg}'"

    fs = _findings_sentences(rng, items, force_normal, forced_text)
    imp = imp_override if imp_override is not None else _clean_impression(rng, items)
    fblock: str | None = None
    iblock: str | None = None

    if kind == "impression_omits_finding":
        others = [it for it in items if it is not target]
        if others and rng.random() < 0.5:
            imp = [it["itext"] for it in others]
            if rng.random() < 0.5:
                imp.append("Otherwise, normal chest findings.")
        else:
            imp = [rng.choice(NORMAL_MACROS)]
        detail = (f"findings affirm '{target['ftext']}' ({target['key']}) but impression omits it: "
                  f"{' '.join(imp)}")
    elif kind == "laterality_conflict":
        if target["itext"] not in imp:
            imp.insert(0, target["itext"])
        other = "left" if target["side"] == "right" else "right"
        flipped_par = dict(params)
        if rng.random() < 0.55:
            # flip the impression
            b = BANK[target["key"]]
            new_i = _fill(rng.choice(b["i"]), other, flipped_par)
            imp = [new_i if x == target["itext"] else x for x in imp]
            detail = (f"findings place {target['key']} on the {target['side']} "
                      f"('{target['ftext']}') but impression says '{new_i}'")
        else:
            b = BANK[target["key"]]
            new_f = _fill(rng.choice(b["f"]), other, flipped_par)
            fs = [new_f if x == target["ftext"] else x for x in fs]
            detail = (f"findings flipped to '{new_f}' while impression keeps the "
                      f"{target['side']}: '{target['itext']}'")

    fblock = _findings_block(rng, fs, exam)
    iblock = _imp_block(rng, imp)

    if kind == "missing_section":
        r = rng.random()
        if r < 0.4:
            iblock = _imp_block(rng, [])
            detail = "impression header left empty while findings are described"
        elif r < 0.65:
            iblock = None
            detail = "impression section absent; findings only"
        elif r < 0.85:
            fblock = _findings_block(rng, [], exam, rng.choice(["FINDINGS:", "Findings:",
                                                                  "REPORT:"]))
            iblock = _imp_block(rng, [rng.choice([
                "No significant interval change.", "Stable chest findings.",
                "Unchanged from the previous study.", "Please see above.",
                "Compared with the previous study, no interval change."])])
            detail = "findings section left empty; impression does not describe the image"
        else:
            fblock = None
            iblock = _imp_block(rng, [rng.choice([
                "Interval follow-up; no significant change.", "Findings as dictated.",
                "Follow-up study.", "Kindly correlate clinically."])])
            detail = "findings absent; impression is non-descriptive"
    elif kind == "placeholder":
        text = _assemble(rng, head, fblock, iblock)
        ph = rng.choice(PLACEHOLDERS)
        text, d = _insert_placeholder(rng, text, ph)
        return text, d
    return _assemble(rng, head, fblock, iblock), detail


_PH_TARGETS = [
    (r"\b(right|left)\b(?= (upper|lower|mid|apical|hemithorax|paracardiac|costophrenic|lung|"
     r"apex|pneumothorax|pleural|\d))", "side"),
    (r"\b\d+(\.\d+)?(?= cm)", "size"),
    (r"(?<=0\.)\d\d\b", "CTR"),
    (r"\b\d{1,2}/\d{1,2}/\d{4}\b", "date"),
    (r"(?<=CTR 0\.)\d\d\b|(?<=ratio is 0\.)\d\d\b", "CTR"),
    (r"\b(January|February|March|April|May|June|July|August|September|October|November|"
     r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d{1,2}, \d{4}", "date"),
    (r"(?<=Age/Sex: )\d+", "age"),
    (r"\b(upper|lower|middle)\b(?= (lobe|lung))", "lobe"),
    (r"\b(minimal|small|moderate|mild|mildly|slightly)\b", "grade"),
]


def _insert_placeholder(rng: random.Random, text: str, ph: str) -> tuple[str, str]:
    clinical, admin = [], []
    for pat, what in _PH_TARGETS:
        for m in re.finditer(pat, text):
            (admin if what in ("date", "age") else clinical).append((m.start(), m.end(), what))
    cands = clinical if clinical and rng.random() < 0.8 else (admin or clinical)
    if cands:
        s, e, what = rng.choice(cands)
        word = text[s:e]
        return text[:s] + ph + text[e:], f"{what} '{word}' replaced by unfilled field '{ph}'"
    # fall back: an unfilled template line in the clinical data or comparison
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        m = re.match(r"(Clinical data|CLINICAL DATA|Clinical History|History|Indication|"
                     r"Clinical impression): ", ln)
        if m:
            lines[i] = m.group(0) + ph
            return "\n".join(lines), f"'{m.group(1)}' field left unfilled as '{ph}'"
    for i, ln in enumerate(lines):
        if re.match(r"(Examination|EXAMINATION|Exam|Procedure)", ln):
            lines.insert(i + 1, f"Clinical data: {ph}")
            return "\n".join(lines), f"template line 'Clinical data' left unfilled as '{ph}'"
    lines.insert(1, f"Date of exam: {ph}")
    return "\n".join(lines), f"template line 'Date of exam' left unfilled as '{ph}'"


# --------------------------------------------------------------------------------------------
# IU cases
# --------------------------------------------------------------------------------------------

_REWORD = [
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Both lung fields are clear"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bcostophrenic angles?\b", "costophrenic sulci"),
    (r"\bHeart size is normal\b", "Heart is not enlarged"),
    (r"\bThe heart is normal in size\b", "The heart is not enlarged"),
    (r"\bcardiac silhouette\b", "cardiac shadow"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary findings"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary process\b", "No active cardiopulmonary process"),
    (r"\bpulmonary vascularity\b", "pulmonary vascular markings"),
    (r"\bwithin normal limits\b", "within normal limits"),
    (r"\bNo focal consolidation\b", "No focal infiltrates or consolidation"),
    (r"\bhemidiaphragms are\b", "hemidiaphragms are"),
]

_SIG_IU = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace (disease|opacit)|air space (disease|opacit)|"
                     r"infiltrat|pneumonia",
    "edema": r"edema|vascular congestion|pulmonary congestion|heart failure",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
}
_NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free|clear|resolved|resolution|resolving|removed|nor|absence|"
    r"exclude|excluded|rule out|ruled out|evaluate|clearing|cleared|improved|improving|"
    r"decreased|previous|previously|prior|history|possible|possibly|may|versus|vs|or|"
    r"cannot|could|questionable|suspected|likely|concern)\b", re.I)
_SMALL = re.compile(r"\b(small|trace|tiny|minimal|minimally|mild|subtle|blunting|blunted)\b", re.I)


def _sents(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]


def _affirmed_sig(findings: str) -> list[tuple[str, str]]:
    out = []
    for s in _sents(findings):
        for k, pat in _SIG_IU.items():
            if re.search(pat, s, re.I) and not _NEG_CUE.search(s):
                if k == "effusion" and _SMALL.search(s):
                    continue
                out.append((k, s))
    return out


def _any_sig(findings: str) -> list[str]:
    """Keys mentioned in findings in a sentence with no negation cue at all (loose)."""
    out = []
    for s in _sents(findings):
        low = s.lower()
        for k, pat in _SIG_IU.items():
            if re.search(pat, low) and not re.search(r"\b(no|without|negative|nor|clear)\b", low):
                out.append(k)
    return out


def _reword(rng: random.Random, t: str) -> str:
    for pat, rep in _REWORD:
        if rng.random() < 0.6:
            t = re.sub(pat, rep, t)
    return t


def _split_numbered(imp: str) -> list[str]:
    parts = re.split(r"(?:(?<=^)|(?<=\s))\d\.\s+", imp)
    parts = [p.strip() for p in parts if p.strip()]
    return parts or [imp]


def _iu_render(rng: random.Random, r: dict, findings: str | None, imp: str | None,
               imp_hdr_empty: bool = False, find_hdr_empty: bool = False) -> str:
    exam = rng.choice(["CHEST PA AND LATERAL", "CHEST PA/LAT", "CHEST PA AND LATERAL VIEWS",
                       "CHEST PA/LATERAL"])
    clin = r["indication"] or None
    if clin is None and rng.random() < 0.5:
        clin = rng.choice(CLIN_NORMAL)
    comp = r["comparison"] or None
    head = _header(rng, exam, clin, comp, demo=False)
    fblock = None
    if find_hdr_empty:
        fblock = _findings_block(rng, [], exam, rng.choice(["FINDINGS:", "Findings:"]))
    elif findings:
        fblock = _findings_block(rng, _sents(findings), exam)
    iblock = None
    if imp_hdr_empty:
        iblock = _imp_block(rng, [])
    elif imp:
        iblock = _imp_block(rng, _split_numbered(imp))
    return _assemble(rng, head, fblock, iblock)


def _flip(t: str) -> str:
    def rep(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return re.sub(r"\b(right|left)\b", rep, t, flags=re.I)


_LAT_FIND = re.compile(r"opacit|effusion|pneumonia|consolidat|atelecta|infiltrat|nodul|granulom|"
                       r"pneumothora|airspace|scar|densit|mass|fractur|lobe|base|apex|lung", re.I)

_IU_NEGATIONS = [
    (re.compile(r"\bno (?:\w+ ){0,3}(?:pleural )?effusions?\b|\bwithout (?:\w+ )?effusion", re.I),
     ["{Side} pleural effusion.", "Pleural effusion, {side}.", "Moderate {side} pleural effusion.",
      "Small {side} pleural effusion."], "effusion"),
    (re.compile(r"\bno (?:\w+ ){0,3}pneumothora|\bor pneumothora", re.I),
     ["{Side} pneumothorax.", "Small {side} apical pneumothorax."], "pneumothorax"),
    (re.compile(r"heart (size )?is (normal|not enlarged|within normal)|normal heart size|"
                r"heart size (is )?(normal|within normal)|cardiac (silhouette|shadow) is "
                r"(normal|within normal)|cardiomediastinal silhouette is (normal|within normal)|"
                r"heart and mediastinum are (normal|within normal)", re.I),
     ["Cardiomegaly.", "Cardiomegaly with left ventricular prominence.",
      "Enlarged cardiac silhouette, consider hypertensive heart disease."], "heart size"),
    (re.compile(r"lungs? (fields )?are clear|no (focal )?(infiltrates|consolidation|airspace)|"
                r"no focal (airspace|consolidation|infiltrat)", re.I),
     ["Pneumonia, {side} lower lobe.", "{Side} lower lobe consolidation.",
      "Pulmonary tuberculosis, {side} upper lobe, activity undetermined.",
      "Hazy infiltrates, {side} lower lung, consider pneumonia."], "lung clear"),
]


def _iu_case(rng: random.Random, r: dict, kind: str | None) -> tuple[str, str] | None:
    f = _reword(rng, r["findings"])
    i = _reword(rng, r["impression"])
    if kind is None:
        return _iu_render(rng, r, f, i), ""
    if kind == "missing_section":
        short_nd = len(i) < 70 and re.match(
            r"(no (acute|active)|stable|unchanged|no interval|negative)", i, re.I)
        if short_nd and rng.random() < 0.4:
            return (_iu_render(rng, r, None, i, find_hdr_empty=True),
                    "findings section emptied; impression is a non-descriptive one-liner")
        if rng.random() < 0.55:
            return (_iu_render(rng, r, f, None, imp_hdr_empty=True),
                    "impression emptied (header left blank)")
        return _iu_render(rng, r, f, None), "impression section removed"
    if kind == "impression_omits_finding":
        aff = _affirmed_sig(f)
        if not aff:
            return None
        aff = [a for a in aff if a[0] != "effusion" or
               re.search(r"\b(moderate|large|layering|loculated)\b", a[1], re.I)]
        if not aff:
            return None
        k, s = aff[0]
        if not re.search(_SIG_IU[k], i, re.I):
            return None
        macro = rng.choice(NORMAL_MACROS)
        return (_iu_render(rng, r, f, macro),
                f"findings affirm {k} ('{s}'); impression replaced by normal macro '{macro}'")
    if kind == "laterality_conflict":
        both = f + " " + i
        sides = {w.lower() for w in re.findall(r"\b(right|left)\b", both, re.I)}
        if len(sides) != 1:
            return None
        side = sides.pop()
        isents = [s for s in _sents(i) if re.search(rf"\b{side}\b", s, re.I) and
                  _LAT_FIND.search(s)]
        fsents = [s for s in _sents(f) if re.search(rf"\b{side}\b", s, re.I) and
                  _LAT_FIND.search(s)]
        if not isents or not fsents:
            return None
        if rng.random() < 0.55:
            ni = _flip(i)
            return (_iu_render(rng, r, f, ni),
                    f"impression side flipped {side}->opposite: '{_flip(isents[0])}' vs findings "
                    f"'{fsents[0]}'")
        s0 = rng.choice(fsents)
        nf = f.replace(s0, _flip(s0), 1)
        return (_iu_render(rng, r, nf, i),
                f"findings sentence flipped: '{_flip(s0)}' vs impression '{isents[0]}'")
    if kind == "negation_conflict":
        if not r["normal"]:
            return None
        opts = []
        for pat, affs, what in _IU_NEGATIONS:
            m = pat.search(f)
            if m:
                sent = next((x for x in _sents(f) if m.group(0) in x), m.group(0))
                opts.append((sent, affs, what))
        if not opts:
            return None
        neg, affs, what = rng.choice(opts)
        side = rng.choice(["right", "left"])
        aff = _fill(rng.choice(affs), side, {})
        if rng.random() < 0.6:
            ni = aff
        else:
            ni = "1. " + aff + " 2. " + rng.choice(["Kindly correlate clinically.",
                                                   "Suggest follow-up study.",
                                                   "Clinical correlation is recommended."])
        return (_iu_render(rng, r, f, ni),
                f"findings negate {what} ('{neg}') but impression affirms '{aff}'")
    if kind == "placeholder":
        text = _iu_render(rng, r, f, i)
        ph = rng.choice(PLACEHOLDERS)
        # only inside findings/impression text or dates
        return _insert_placeholder(rng, text, ph)
    return None


def _iu_ok(r: dict, dev: frozenset) -> bool:
    if r["uid"] in dev or not r["findings"] or not r["impression"]:
        return False
    both = r["findings"] + " " + r["impression"]
    if re.search(r"\[|\]|_{2,}|\*\*|<|>|\{", both):
        return False
    return 40 <= len(r["findings"]) <= 700 and len(r["impression"]) <= 400


def _iu_clean_ok(r: dict) -> bool:
    for k in set(_any_sig(r["findings"])):
        if not re.search(_SIG_IU[k], r["impression"], re.I):
            return False
    if re.search(r"\b(right|left)\b", r["impression"], re.I):
        # keep simple lateralised cases only when the sides agree with the findings
        si = {w.lower() for w in re.findall(r"\b(right|left)\b", r["impression"], re.I)}
        sf = {w.lower() for w in re.findall(r"\b(right|left)\b", r["findings"], re.I)}
        if not si <= sf:
            return False
    return True


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------


def build_with_sources(seed: int) -> tuple[list[dict], list[str]]:
    """Rows plus the IU uids used (for tests)."""
    base = str(shared_dir())
    rng = random.Random(f"h80-{seed}")
    iu = [r for r in _load_iu(base) if _iu_ok(r, _dev_uids(base))]
    order = list(range(len(iu)))
    rng.shuffle(order)
    used: set = set()
    uids: list[str] = []
    rows: list[dict] = []

    def take_iu(kind: str | None, n: int, pred) -> None:
        got = 0
        for idx in order:
            if got >= n:
                break
            if idx in used:
                continue
            r = iu[idx]
            if not pred(r):
                continue
            sub = random.Random(f"h80-{seed}-{r['uid']}-{kind}")
            res = _iu_case(sub, r, kind)
            if res is None:
                continue
            used.add(idx)
            uids.append(r["uid"])
            rows.append({"injected": kind, "detail": res[1], "report": res[0]})
            got += 1
        if got < n:
            raise RuntimeError(f"not enough IU reports for {kind}: {got}/{n}")

    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in groups:
        for _ in range(n // 2):
            text, detail = compose(rng, kind)
            rows.append({"injected": kind, "detail": detail, "report": text})
        if kind is None:
            n_norm = int(n // 2 * 0.6)
            take_iu(None, n_norm, lambda r: r["normal"])
            take_iu(None, n // 2 - n_norm, lambda r: not r["normal"] and _iu_clean_ok(r))
        elif kind == "negation_conflict":
            take_iu(kind, n // 2, lambda r: r["normal"])
        else:
            take_iu(kind, n // 2, lambda r: True)

    perm = list(range(len(rows)))
    rng.shuffle(perm)
    out = []
    for n, p in enumerate(perm):
        row = rows[p]
        out.append({"id": f"h80-{seed}-{n}", "injected": row["injected"],
                    "detail": row["detail"], "report": row["report"]})
    return out, uids


def build(seed: int) -> list[dict]:
    return build_with_sources(seed)[0]


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
            sel = [r for r in rows if r["injected"] == kind][: a.show]
            for r in sel:
                print(f"=== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
