"""Held-out report-check set 86, written blind (without reading the checker).

Setting: Welsh NHS district general hospitals (Cardiff and Vale, Swansea Bay, Betsi Cadwaladr
university health boards): chest radiographs from the emergency department, the acute medical
unit, the wards and GP direct-access referrals, reported by consultant radiologists and reporting
radiographers in British English (exam line, clinical details, comparison, technique, findings or
report, conclusion/impression/opinion, sign-off).

400 cases: 200 clean and 40 each of ``missing_section``, ``laterality_conflict``,
``negation_conflict``, ``impression_omits_finding`` and ``placeholder``.  Half of each group is
composed from the phrase bank below; half are real IU (Open-i) reports, never one whose uid is in
the dev set, re-laid-out and lightly re-worded (British spelling, local headers and sign-off).

    python -m bench.make_heldout86 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
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

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def _archive() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def _dev_file() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None
_LABEL_RE = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="([^"]+)"')


def dev_uids() -> set[str]:
    out = set()
    with open(_dev_file(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def _unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&apos;", "'").replace("&amp;", "&")
    )


def load_iu() -> list[dict]:
    """All IU reports (uid, indication, comparison, findings, impression), sorted by uid."""
    global _IU_CACHE
    if _IU_CACHE is None:
        rows = []
        with tarfile.open(_archive(), "r:gz") as tf:
            for m in tf:
                if not m.isfile() or not m.name.endswith(".xml"):
                    continue
                raw = tf.extractfile(m).read().decode("utf-8", "replace")
                um = _UID_RE.search(raw)
                if not um:
                    continue
                sec = {k: _unescape(v).strip() for k, v in _LABEL_RE.findall(raw)}
                rows.append({
                    "uid": um.group(1),
                    "indication": sec.get("INDICATION", ""),
                    "comparison": sec.get("COMPARISON", ""),
                    "findings": sec.get("FINDINGS", ""),
                    "impression": sec.get("IMPRESSION", ""),
                })
        rows.sort(key=lambda r: (len(r["uid"]), r["uid"]))
        _IU_CACHE = rows
    return _IU_CACHE


# ----------------------------------------------------------------------------------------------
# British re-wording
# ----------------------------------------------------------------------------------------------

_BRIT = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"),
    (r"esophag", "oesophag"), (r"Esophag", "Oesophag"),
    (r"hemorrhag", "haemorrhag"), (r"ischemi", "ischaemi"), (r"anemi", "anaemi"),
    (r"leukemi", "leukaemi"), (r"\btumor", "tumour"), (r"\bcenter", "centre"),
    (r"\bhemithora", "hemithora"), (r"\bfavor", "favour"), (r"\bcolor", "colour"),
    (r"\bhumerus", "humerus"), (r"hematoma", "haematoma"), (r"hemidiaphram", "hemidiaphragm"),
    (r"\bcentimeter", "centimetre"), (r"\bmillimeter", "millimetre"), (r"\bgray\b", "grey"),
    (r"\bx-XXXX\b", "radiograph"), (r"\bX-XXXX\b", "radiograph"),
    (r"cardio mediastinal", "cardiomediastinal"), (r"Cardio mediastinal", "Cardiomediastinal"),
    (r"\b(visual|character|local|recogn|organ|minim|emphas|stabil|util)iz", r"\1is"),
    (r"\b(Visual|Character|Local|Recogn|Organ|Minim|Emphas|Stabil|Util)iz", r"\1is"),
    (r"\bfindings are consistent with\b", "appearances are in keeping with"),
    (r"\bconsistent with\b", "in keeping with"),
    (r"\bNo acute cardiopulmonary (abnormality|disease|process)\b", "No acute cardiopulmonary abnormality"),
    (r"\bNo acute cardiopulmonary findings\b", "No acute abnormality"),
    (r"\bNo acute disease\b", "No acute abnormality"),
    (r"\bNegative chest\b", "Normal chest radiograph"),
    (r"yspnea", "yspnoea"), (r"iarrhea", "iarrhoea"), (r"\b([Pp])ediatric", r"\1aediatric"),
    (r"nesthe", "naesthe"), (r"rthopedic", "rthopaedic"), (r"\b([Hh])emoptysis", r"\1aemoptysis"),
    (r"\b([Hh])emodialysis", r"\1aemodialysis"), (r"\bfiber", "fibre"),
    (r"\bpostoperative\b", "post-operative"), (r"\bpostsurgical\b", "post-surgical"),
]


def britishise(text: str, rng: random.Random) -> str:
    t = " ".join(text.split())
    for pat, rep in _BRIT:
        t = re.sub(pat, rep, t)
    if rng.random() < 0.5:
        t = re.sub(r"\bThe lungs are clear\b", "The lungs are clear", t)
        t = re.sub(r"\bThere is no pneumothorax or pleural effusion\b",
                   "No pneumothorax or pleural effusion", t)
        t = re.sub(r"\bHeart size normal\b", "Heart not enlarged", t)
    t = re.sub(r"\s+([.,;])", r"\1", t)
    t = re.sub(r"(?<=[A-Za-z0-9)])\.(\s*\.)+(?!\.)", ".", t)
    return t.strip()


# ----------------------------------------------------------------------------------------------
# Layout bank
# ----------------------------------------------------------------------------------------------

SITES = [
    "University Hospital of Wales, Cardiff", "University Hospital Llandough",
    "Morriston Hospital, Swansea", "Singleton Hospital, Swansea",
    "Neath Port Talbot Hospital", "Ysbyty Gwynedd, Bangor", "Ysbyty Glan Clwyd, Bodelwyddan",
    "Wrexham Maelor Hospital", "Llandudno General Hospital",
]
SOURCES = {
    "ED": ["Emergency Department", "ED", "A&E", "Minor Injuries Unit"],
    "AMU": ["Acute Medical Unit", "AMU", "Medical Assessment Unit", "SDEC"],
    "WARD": ["Ward 7 (Respiratory)", "Ward B2", "Care of the Elderly ward", "Surgical ward",
             "Ward 14 (Gastroenterology)", "Stroke unit"],
    "GP": ["GP direct access", "GP referral", "GP (Primary Care)"],
}
RADIOLOGISTS = [
    ("Dr Rhys Evans", "Consultant Radiologist"), ("Dr Catrin Williams", "Consultant Radiologist"),
    ("Dr Owain Pritchard", "Consultant Radiologist"), ("Dr Sarah Mahoney", "Consultant Radiologist"),
    ("Dr Anil Mehta", "Consultant Radiologist"), ("Dr Eleri Roberts", "Consultant Radiologist"),
    ("Siân Hughes", "Reporting Radiographer"), ("Gareth Lloyd", "Reporting Radiographer"),
    ("Lowri Jenkins", "Consultant Radiographer"), ("Mark Davies", "Reporting Radiographer"),
    ("Dr Ffion Parry", "Radiology Registrar (ST4)"),
]
EXAM_LINES = {
    "PA": ["XR Chest PA", "XR CHEST", "Chest X-ray PA", "CR Chest PA", "Examination: XR Chest PA"],
    "AP": ["XR Chest AP (mobile)", "XR CHEST AP PORTABLE", "Chest X-ray AP erect",
           "CR Chest AP supine (trolley)", "Examination: XR Chest AP mobile"],
    "PALAT": ["XR Chest PA and lateral", "Chest X-ray PA + lateral", "XR CHEST PA/LAT"],
}
HIST_HEADERS = ["Clinical details:", "Clinical history:", "Clinical information:", "History:",
                "Clinical indication:"]
COMP_HEADERS = ["Comparison:", "Previous:", "Compared with:", "Comparison:"]
FIND_HEADERS = ["Findings:", "Report:", "FINDINGS:", "Findings:"]
IMP_HEADERS = ["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:", "Summary:", "Impression:"]
TECH_LINES = {
    "PA": ["PA erect projection.", "Single PA view.", "PA view, adequate inspiration.",
           "Technique: PA erect.", ""],
    "AP": ["AP mobile film, patient semi-erect.", "AP projection on the trolley.",
           "Technique: AP portable. Rotated to the right.", "AP erect, slightly rotated.", ""],
    "PALAT": ["PA and lateral views.", "Technique: PA and lateral.", ""],
}

HISTORY = {
    "ED": [
        "SOB, productive cough, pyrexial. ?LRTI", "Central chest pain. ?pathology",
        "Fall at home, right-sided chest wall pain. ?rib fractures",
        "Sudden onset pleuritic chest pain, SOB. ?pneumothorax", "Collapse. ?aspiration",
        "Tachycardic, SpO2 91% on air. Raised CRP.", "Chest pain, trop negative. Rule out pathology.",
        "Haemoptysis x2 today.", "Shortness of breath, bilateral leg oedema. ?fluid overload",
        "RTC, seatbelt injury. Chest wall tenderness.", "Sepsis ?source",
    ],
    "AMU": [
        "Increasing SOBOE, known CCF. ?overload", "Infective exacerbation of COPD.",
        "Raised inflammatory markers, confusion. ?chest source", "New AF. Breathless.",
        "Known lung cancer, worsening SOB. ?effusion", "Pyrexia of unknown origin.",
        "Reduced air entry left base on auscultation.", "Hyponatraemia. ?underlying lesion",
        "Productive cough, crackles right base.",
    ],
    "WARD": [
        "Post-op day 2 laparotomy, desaturating.", "NG tube position check.",
        "Temperature spike, ?aspiration pneumonia", "Reassess consolidation after antibiotics.",
        "Increasing oxygen requirement.", "Post right pleural drain removal.",
        "Pre-op assessment, elective hip replacement.", "Fluid balance positive, ?overload",
    ],
    "GP": [
        "Persistent cough > 3 weeks. Ex-smoker, 40 pack years.", "Weight loss and cough. 2WW.",
        "Follow-up of LLL pneumonia treated in January. ?resolution",
        "Chronic cough, never smoker.", "SOBOE, ?COPD", "Hoarse voice 6 weeks, smoker.",
        "Asbestos exposure, breathless.", "Recurrent chest infections.",
        "Raised platelets, fatigue.",
    ],
}
COMPARISONS = [
    "None.", "None available.", "No previous imaging.", "CXR {d}.", "Previous film {d}.",
    "XR Chest {d}.", "Chest radiograph {d} (Ysbyty Glan Clwyd).", "CT chest {d}.",
]
SIGN_FORMATS = [
    "Reported by: {name}, {role}", "{name}\n{role}", "Dictated by {name} ({role})",
    "Electronically signed: {name}, {role}, {date}", "{name}, {role}. Verified {date}.",
]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2022, 2023, 2024, 2025])}"


SIDE = {"right": "left", "left": "right"}


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# ----------------------------------------------------------------------------------------------
# Phrase bank: findings.  Each generator returns a dict:
#   key: family, side: right/left/None, sig: significant (must be in the impression),
#   find: findings sentence(s), imp: impression sentence, neg_find / neg_imp: negated phrases
# ----------------------------------------------------------------------------------------------

ZONES = ["lower zone", "base", "mid zone", "lower lobe"]


def f_consolidation(rng, side):
    zone = rng.choice(ZONES)
    find = rng.choice([
        f"Patchy airspace opacification in the {side} {zone}, in keeping with consolidation.",
        f"There is consolidation at the {side} {zone} with air bronchograms.",
        f"Ill-defined airspace shadowing in the {side} {zone} consistent with infection.",
        f"New {side} {zone} consolidation.",
    ])
    imp = rng.choice([
        f"{cap(side)} {zone} consolidation, likely infective. Suggest repeat CXR in 6 weeks to confirm resolution.",
        f"{cap(side)} {zone} pneumonia.",
        f"Appearances in keeping with {side} {zone} consolidation/infection in the appropriate clinical context.",
        f"{cap(side)} sided consolidation. Follow-up film after treatment advised.",
    ])
    return {"key": "consolidation", "side": side, "sig": True, "find": find, "imp": imp,
            "term": "consolidation"}


def f_effusion(rng, side, size):
    if size == "small":
        find = rng.choice([
            f"Blunting of the {side} costophrenic angle in keeping with a small effusion.",
            f"Small {side} pleural effusion.",
            f"Trace of {side} pleural fluid.",
        ])
        imp = rng.choice([f"Small {side} pleural effusion.", f"Small {side} effusion."])
        sig = False
    else:
        find = rng.choice([
            f"Moderate {side} pleural effusion with overlying atelectasis.",
            f"Large {side} pleural effusion occupying the lower half of the {side} hemithorax. No mediastinal shift.",
            f"Moderate-sized {side} pleural effusion, meniscus reaching the mid zone.",
            f"There is a moderate {side} pleural effusion.",
        ])
        imp = rng.choice([
            f"Moderate {side} pleural effusion.", f"{cap(side)} pleural effusion, moderate to large.",
            f"Sizeable {side} pleural effusion. Consider ultrasound-guided aspiration if clinically indicated.",
        ])
        sig = True
    return {"key": "effusion", "side": side, "sig": sig, "find": find, "imp": imp,
            "term": "effusion"}


def f_pneumothorax(rng, side):
    cm = rng.choice(["1.5", "2", "2.5", "3", "4"])
    find = rng.choice([
        f"There is a {side} pneumothorax measuring {cm} cm at the level of the hilum.",
        f"{cap(side)} apical pneumothorax, apical rim {cm} cm. No mediastinal shift.",
        f"Visceral pleural edge seen in the {side} upper zone in keeping with a pneumothorax "
        f"({cm} cm interpleural distance at the hilum).",
    ])
    imp = rng.choice([
        f"{cap(side)} pneumothorax ({cm} cm at the hilum). Discussed with ED.",
        f"{cap(side)}-sided pneumothorax.",
        f"{cap(side)} pneumothorax, no tension features. Findings communicated to the referring team.",
    ])
    return {"key": "pneumothorax", "side": side, "sig": True, "find": find, "imp": imp,
            "term": "pneumothorax"}


def f_oedema(rng, side=None):
    find = rng.choice([
        "Cardiomegaly with upper lobe venous diversion, bilateral perihilar haze and septal lines. "
        "Small bilateral effusions.",
        "Bilateral interstitial shadowing with Kerley B lines and upper lobe blood diversion.",
        "Enlarged heart. Bilateral perihilar airspace shadowing and fluid in the horizontal fissure.",
        "Upper lobe venous diversion and interstitial oedema.",
    ])
    imp = rng.choice([
        "Appearances in keeping with pulmonary oedema.", "Cardiac failure with interstitial oedema.",
        "Fluid overload / pulmonary oedema.", "Features of left ventricular failure.",
    ])
    return {"key": "oedema", "side": None, "sig": True, "find": find, "imp": imp,
            "term": "oedema"}


def f_nodule(rng, side):
    mm = rng.choice([8, 10, 12, 14, 15, 18, 22])
    zone = rng.choice(["upper zone", "mid zone", "lower zone"])
    find = rng.choice([
        f"There is a {mm} mm rounded nodule projected over the {side} {zone}.",
        f"A {mm} mm nodular opacity in the {side} {zone}, not clearly seen on the previous film.",
        f"Well-defined {mm} mm soft tissue nodule in the {side} {zone}.",
    ])
    imp = rng.choice([
        f"{mm} mm {side} {zone} nodule. CT chest recommended.",
        f"{cap(side)} {zone} nodule: recommend CT thorax for further characterisation.",
        f"{cap(side)} {zone} pulmonary nodule ({mm} mm). Suggest CT. Flagged for follow-up.",
    ])
    return {"key": "nodule", "side": side, "sig": True, "find": find, "imp": imp,
            "term": "nodule"}


def f_mass(rng, side):
    cm = rng.choice(["3", "4", "4.5", "5", "6"])
    find = rng.choice([
        f"There is a {cm} cm mass in the {side} hilar region.",
        f"Lobulated {cm} cm mass in the {side} upper zone.",
        f"{cap(side)} perihilar mass approximately {cm} cm.",
    ])
    imp = rng.choice([
        f"{cap(side)} hilar mass, suspicious for malignancy. Urgent CT chest recommended; "
        "referred via the suspected cancer pathway.",
        f"{cap(side)} upper zone mass. Recommend urgent CT staging.",
        f"{cap(side)} sided mass lesion, likely neoplastic. CT thorax advised.",
    ])
    return {"key": "mass", "side": side, "sig": True, "find": find, "imp": imp, "term": "mass"}


def f_atelectasis(rng, side):
    find = rng.choice([
        f"Linear atelectasis at the {side} base.", f"Subsegmental atelectasis in the {side} lower zone.",
        f"Plate atelectasis at the {side} base.",
    ])
    imp = rng.choice([f"Minor {side} basal atelectasis.", f"{cap(side)} basal atelectasis."])
    return {"key": "atelectasis", "side": side, "sig": False, "find": find, "imp": imp,
            "term": "atelectasis"}


def f_ribfx(rng, side):
    ribs = rng.choice(["6th", "7th", "8th", "9th"])
    find = rng.choice([
        f"Old healed fractures of the {side} {ribs} and adjacent rib.",
        f"Healed {side} {ribs} rib fracture.",
    ])
    imp = f"Old {side} rib fractures."
    return {"key": "ribfx", "side": side, "sig": False, "find": find, "imp": imp, "term": "rib"}


INCIDENTAL = [
    ("Calcified granuloma in the {side} mid zone.", "Calcified granuloma."),
    ("Unfolded thoracic aorta.", "Unfolded aorta."),
    ("Degenerative change in the thoracic spine.", "Degenerative thoracic spine."),
    ("Sternotomy wires and mediastinal clips in keeping with previous CABG.", "Previous CABG."),
    ("Dual chamber pacemaker with leads in satisfactory position.", "Pacemaker in situ."),
    ("Lungs are hyperinflated in keeping with COPD.", "Hyperinflation in keeping with COPD."),
    ("Aortic knuckle calcification.", "Aortic calcification."),
    ("Right-sided central venous line with tip in the SVC.", "CVC tip in the SVC."),
    ("Degenerative changes of both shoulders.", "Degenerative shoulders."),
]


def f_cardiomegaly(rng, level):
    if level == "borderline":
        find = rng.choice(["Heart size at the upper limit of normal.", "Borderline cardiomegaly.",
                           "Cardiothoracic ratio borderline, unchanged."])
        imp = "Borderline heart size."
    else:
        ctr = rng.choice(["0.58", "0.6", "0.62", "0.65"])
        find = rng.choice([f"The heart is enlarged (CTR {ctr}).", "Cardiomegaly.",
                           "Cardiac enlargement."])
        imp = rng.choice(["Cardiomegaly.", "Enlarged heart."])
    # a definitely enlarged heart is reported in the conclusion; borderline may be left out
    return {"key": "cardiomegaly", "side": None, "sig": level == "definite", "find": find, "imp": imp,
            "term": "cardiomegaly", "level": level}


NORMAL_HEART = ["Heart size is normal.", "Heart not enlarged.", "Normal heart size.",
                "The cardiomediastinal contours are within normal limits.",
                "Cardiac and mediastinal outlines are normal."]
NORMAL_LUNGS = ["The lungs are clear.", "Lungs clear.", "No focal lung lesion or consolidation.",
                "Clear lungs.", "No consolidation or collapse."]
NORMAL_PLEURA = ["No pleural effusion or pneumothorax.", "Costophrenic angles are clear.",
                 "No effusion. No pneumothorax.", "Pleural spaces clear."]
NORMAL_BONES = ["No bony abnormality.", "Bones intact.", "Visualised bones unremarkable.",
                "No acute bony injury identified.", ""]
NORMAL_IMPS = ["Normal chest radiograph.", "No acute abnormality.", "Normal chest.",
               "No active lung disease.", "No significant abnormality demonstrated.",
               "No acute cardiopulmonary abnormality.", "Normal study.", "NAD."]
AP_HEART = ["Heart size difficult to assess on this AP projection.",
            "Heart size cannot be accurately assessed on an AP film."]


def normal_sentences(rng, view, skip=()):
    out = []
    if "heart" not in skip:
        out.append(rng.choice(AP_HEART if view == "AP" and rng.random() < 0.4 else NORMAL_HEART))
    if "lungs" not in skip:
        out.append(rng.choice(NORMAL_LUNGS))
    if "pleura" not in skip:
        out.append(rng.choice(NORMAL_PLEURA))
    b = rng.choice(NORMAL_BONES)
    if b:
        out.append(b)
    return out


# ----------------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------------


def render(parts: dict, rng: random.Random) -> str:
    """parts: exam, site, source, history, comparison, technique, findings (str or None),
    impression (str or None), fh, ih, hh, ch, sign.  None section = header left out."""
    lines = []
    head = parts["exam"]
    if parts.get("site") and rng.random() < 0.5:
        head += f"  ({parts['site']})"
    lines.append(head)
    if parts.get("source"):
        lines.append(f"Referrer: {parts['source']}")
    lines.append("")
    if parts.get("history") is not None:
        lines.append(f"{parts['hh']} {parts['history']}".rstrip())
    if parts.get("comparison") is not None:
        lines.append(f"{parts['ch']} {parts['comparison']}".rstrip())
    if parts.get("technique"):
        lines.append(f"Technique: {parts['technique']}" if not parts["technique"].startswith("Technique")
                     else parts["technique"])
    lines.append("")
    if parts.get("findings") is not None:
        if parts.get("inline", False) and parts["findings"]:
            lines.append(f"{parts['fh']} {parts['findings']}")
        else:
            lines.append(parts["fh"])
            if parts["findings"]:
                lines.append(parts["findings"])
        lines.append("")
    if parts.get("impression") is not None:
        if parts.get("inline", False) and parts["impression"]:
            lines.append(f"{parts['ih']} {parts['impression']}")
        else:
            lines.append(parts["ih"])
            if parts["impression"]:
                lines.append(parts["impression"])
        lines.append("")
    lines.append(parts["sign"])
    return "\n".join(lines).strip() + "\n"


def base_parts(rng: random.Random, view: str | None = None, setting: str | None = None) -> dict:
    setting = setting or rng.choices(["ED", "AMU", "WARD", "GP"], [4, 3, 2, 3])[0]
    if view is None:
        view = "AP" if setting == "WARD" and rng.random() < 0.6 else (
            "AP" if setting in ("ED", "AMU") and rng.random() < 0.3 else "PA")
    name, role = rng.choice(RADIOLOGISTS)
    d = _date(rng)
    sign = rng.choice(SIGN_FORMATS).format(name=name, role=role, date=d)
    return {
        "setting": setting, "view": view,
        "exam": rng.choice(EXAM_LINES[view]), "site": rng.choice(SITES),
        "source": rng.choice(SOURCES[setting]) if rng.random() < 0.6 else None,
        "history": rng.choice(HISTORY[setting]), "hh": rng.choice(HIST_HEADERS),
        "comparison": rng.choice(COMPARISONS).format(d=_date(rng)) if rng.random() < 0.75 else None,
        "ch": rng.choice(COMP_HEADERS),
        "technique": rng.choice(TECH_LINES[view]) if rng.random() < 0.5 else "",
        "fh": rng.choice(FIND_HEADERS), "ih": rng.choice(IMP_HEADERS),
        "inline": rng.random() < 0.35, "sign": sign,
    }


# ----------------------------------------------------------------------------------------------
# Composed cases
# ----------------------------------------------------------------------------------------------

SIDED_SIG = ["consolidation", "effusion_big", "pneumothorax", "nodule", "mass"]


def make_finding(rng, key, side=None):
    side = side or rng.choice(["right", "left"])
    if key == "consolidation":
        return f_consolidation(rng, side)
    if key == "effusion_big":
        return f_effusion(rng, side, "big")
    if key == "effusion_small":
        return f_effusion(rng, side, "small")
    if key == "pneumothorax":
        return f_pneumothorax(rng, side)
    if key == "nodule":
        return f_nodule(rng, side)
    if key == "mass":
        return f_mass(rng, side)
    if key == "oedema":
        return f_oedema(rng)
    if key == "atelectasis":
        return f_atelectasis(rng, side)
    if key == "ribfx":
        return f_ribfx(rng, side)
    raise KeyError(key)


def _skip_for(f) -> set:
    k = f["key"]
    if k in ("consolidation", "nodule", "mass", "atelectasis", "oedema"):
        return {"lungs"} | ({"heart", "pleura"} if k == "oedema" else set())
    if k in ("effusion", "pneumothorax"):
        return {"pleura"}
    if k == "cardiomegaly":
        return {"heart"}
    return set()


def compose_findings(rng, view, main: list[dict], incidental: list[tuple]) -> tuple[list, list]:
    """Return findings sentences and impression sentences for a consistent report."""
    skip = set()
    for f in main:
        skip |= _skip_for(f)
    fs = [f["find"] for f in main]
    norm = normal_sentences(rng, view, skip)
    # the normal "lungs clear" must not clash with a lung finding: they were skipped above
    if rng.random() < 0.5:
        fs = norm[:1] + fs + norm[1:]
    else:
        fs = fs + norm
    for inc_f, _ in incidental:
        fs.append(inc_f.format(side=rng.choice(["right", "left"])))
    imps = []
    for f in main:
        if f["sig"] or rng.random() < 0.6:
            imps.append(f["imp"])
    for _, inc_i in incidental:
        if rng.random() < 0.3:
            imps.append(inc_i)
    if not imps:
        imps.append(rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.",
                                "No active disease.", "No other significant abnormality."]))
    elif not any(f["sig"] for f in main) and rng.random() < 0.5:
        imps.append("No acute abnormality.")
    return fs, imps


def join_imp(imps: list[str], rng) -> str:
    if len(imps) > 1 and rng.random() < 0.5:
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(imps))
    return " ".join(imps)


def composed_clean(rng) -> tuple[str, str]:
    p = base_parts(rng)
    r = rng.random()
    main, inc = [], []
    if r < 0.45:
        if rng.random() < 0.4:
            inc = [rng.choice(INCIDENTAL)]
        fs = normal_sentences(rng, p["view"]) + [i[0].format(side=rng.choice(["right", "left"])) for i in inc]
        imps = [rng.choice(NORMAL_IMPS)]
        if inc and rng.random() < 0.3:
            imps = [inc[0][1], "No acute abnormality."]
        p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
        if not inc and rng.random() < 0.15:
            # single-section report whose conclusion itself describes the film (complete)
            p["findings"] = None
            p["impression"] = " ".join(normal_sentences(rng, p["view"])) + " " + rng.choice(
                ["Normal chest radiograph.", "No acute abnormality.", "Normal appearances."])
        return render(p, rng), "normal"
    if r < 0.62:
        main = [rng.choice([f_cardiomegaly(rng, rng.choice(["borderline", "definite"])),
                            make_finding(rng, "effusion_small"), make_finding(rng, "atelectasis"),
                            make_finding(rng, "ribfx")])]
        inc = rng.sample(INCIDENTAL, rng.choice([0, 1]))
    else:
        key = rng.choices(["consolidation", "effusion_big", "oedema", "pneumothorax", "nodule",
                           "mass"], [6, 2, 3, 1, 1, 1])[0]
        main = [make_finding(rng, key)]
        inc = rng.sample(INCIDENTAL, rng.choice([0, 0, 1]))
    fs, imps = compose_findings(rng, p["view"], main, inc)
    p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
    return render(p, rng), "findings: " + ", ".join(f["key"] for f in main)


def composed_missing(rng) -> tuple[str, str]:
    p = base_parts(rng)
    if rng.random() < 0.5:
        main = [make_finding(rng, rng.choice(["consolidation", "effusion_big", "oedema",
                                              "effusion_small", "nodule"]))]
        fs, _ = compose_findings(rng, p["view"], main, [])
    else:
        fs = normal_sentences(rng, p["view"])
    mode = rng.random()
    if mode < 0.35:
        p["findings"], p["impression"] = " ".join(fs), ""
        detail = "conclusion header left with no text"
    elif mode < 0.7:
        p["findings"], p["impression"] = " ".join(fs), None
        detail = "conclusion section missing entirely after findings"
    else:
        p["findings"] = "" if rng.random() < 0.6 else None
        p["impression"] = rng.choice(["As above.", "See findings.", "See report above.",
                                      "As described above.", "See above. Discussed with referrer."])
        p["inline"] = False
        detail = "findings empty/absent; impression only refers to them"
    return render(p, rng), detail


def composed_laterality(rng) -> tuple[str, str]:
    p = base_parts(rng)
    key = rng.choice(["consolidation", "consolidation", "effusion_big", "effusion_small",
                      "pneumothorax", "nodule", "mass", "atelectasis"])
    side = rng.choice(["right", "left"])
    f = make_finding(rng, key, side)
    f["sig"] = True  # force it into the impression
    fs, imps = compose_findings(rng, p["view"], [f], [])
    other = SIDE[side]
    where = rng.random()
    if where < 0.65:
        i = imps.index(f["imp"])
        imps[i] = _flip(imps[i], side, other)
        detail = f"{f['key']} {side} in findings, flipped to {other} in impression"
    else:
        i = fs.index(f["find"])
        fs[i] = _flip(fs[i], side, other)
        detail = f"{f['key']} flipped to {other} in findings, impression keeps {side}"
    p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
    return render(p, rng), detail


def _flip(s: str, a: str, b: str) -> str:
    def rep(m):
        w = m.group(0)
        return b.capitalize() if w[0].isupper() else b
    return re.sub(rf"\b{a}\b", rep, s, flags=re.I)


NEG_ASSERT = {
    "consolidation": ("lungs", ["{S} lower zone consolidation.", "{S} basal pneumonia.",
                                "Consolidation in the {s} lower lobe, likely infective."]),
    "effusion": ("pleura", ["Moderate {s} pleural effusion.", "{S} pleural effusion.",
                            "Small {s} pleural effusion."]),
    "pneumothorax": ("pleura", ["{S} apical pneumothorax.", "Small {s} pneumothorax."]),
    "cardiomegaly": ("heart", ["Cardiomegaly.", "Enlarged heart, ?cardiac failure.",
                               "Cardiomegaly with no overt failure."]),
}


def composed_negation(rng) -> tuple[str, str]:
    p = base_parts(rng, view="PA" if rng.random() < 0.7 else None)
    mode = rng.random()
    side = rng.choice(["right", "left"])
    if mode < 0.5:
        # findings normal, impression asserts a finding the findings negate
        key = rng.choice(list(NEG_ASSERT))
        fs = [rng.choice(NORMAL_HEART) if key == "cardiomegaly" else "Heart size normal.",
              rng.choice(["The lungs are clear.", "No consolidation.", "Lungs are clear with no focal lesion."]),
              rng.choice(["No pleural effusion or pneumothorax.", "No pleural effusion. No pneumothorax."])]
        if key == "cardiomegaly":
            fs[0] = rng.choice(["Heart size is normal.", "Normal heart size.", "Heart not enlarged."])
        imp = rng.choice(NEG_ASSERT[key][1]).format(s=side, S=side.capitalize())
        p["findings"], p["impression"] = " ".join(fs), imp
        detail = f"findings negate {key}; impression asserts it"
    else:
        key = rng.choice(["consolidation", "effusion_big", "pneumothorax", "cardiomegaly"])
        f = (f_cardiomegaly(rng, "definite") if key == "cardiomegaly" else make_finding(rng, key, side))
        fs, _ = compose_findings(rng, p["view"], [f], [])
        neg = {
            "consolidation": ["Lungs clear. No acute abnormality.", "No consolidation.",
                              "Clear lungs, no focal consolidation."],
            "effusion": ["No pleural effusion.", "No effusion or pneumothorax.",
                         "Costophrenic angles clear; no effusion."],
            "pneumothorax": ["No pneumothorax.", "No pneumothorax or effusion.",
                             "No evidence of pneumothorax."],
            "cardiomegaly": ["Normal heart size. Lungs clear.", "Heart size normal. No acute abnormality."],
        }[f["key"]]
        p["findings"], p["impression"] = " ".join(fs), rng.choice(neg)
        detail = f"findings affirm {f['key']}; impression negates it"
    return render(p, rng), detail


def composed_omits(rng) -> tuple[str, str]:
    p = base_parts(rng)
    key = rng.choices(["consolidation", "effusion_big", "oedema", "pneumothorax", "nodule", "mass"],
                      [5, 3, 3, 2, 3, 1])[0]
    f = make_finding(rng, key)
    inc = rng.sample(INCIDENTAL, rng.choice([0, 1]))
    fs, _ = compose_findings(rng, p["view"], [f], inc)
    if inc and rng.random() < 0.6:
        imp = inc[0][1] + rng.choice([" No acute abnormality.", " Otherwise normal.", ""])
        detail = f"impression mentions only the incidental finding, omits {f['key']}"
    else:
        imp = rng.choice(["No acute abnormality.", "Normal chest radiograph.",
                          "No acute cardiopulmonary abnormality.", "No significant abnormality.",
                          "No active disease.", "Stable appearances."])
        detail = f"impression replaced by a normal statement, omits {f['key']}"
    if key == "oedema":
        imp = imp.replace("Stable appearances.", "No acute abnormality.")
    p["findings"], p["impression"] = " ".join(fs), imp
    return render(p, rng), detail


PH_TOKENS = ["[***]", "***", "[ ]", "[...]", "<>", "[insert]", "[field]", "[  ]", "**"]
SIZE_TOKENS = PH_TOKENS + ["xx", "XX"]


def composed_placeholder(rng) -> tuple[str, str]:
    p = base_parts(rng)
    mode = rng.random()
    tok = rng.choice(PH_TOKENS)
    if mode < 0.35:
        f = make_finding(rng, rng.choice(["consolidation", "effusion_small", "nodule", "effusion_big"]))
        fs, imps = compose_findings(rng, p["view"], [f], [])
        side = f["side"]
        # leave the side field in the findings or impression unfilled
        if rng.random() < 0.5:
            i = fs.index(f["find"])
            fs[i] = re.sub(rf"\b{side}\b", tok, fs[i], count=1, flags=re.I)
            where = "findings"
        else:
            imps = [re.sub(rf"\b{side}\b", tok, s, count=1, flags=re.I) for s in imps]
            where = "impression"
        p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
        detail = f"side field left as {tok} in {where}"
    elif mode < 0.55:
        tok = rng.choice(SIZE_TOKENS)
        f = make_finding(rng, rng.choice(["nodule", "pneumothorax", "mass"]))
        fs, imps = compose_findings(rng, p["view"], [f], [])
        i = fs.index(f["find"])
        fs[i] = re.sub(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", tok, fs[i], count=1)
        imps = [cap(re.sub(r"\s*\(?\b\d+(\.\d+)? ?(mm|cm)\b( at the hilum)?\)?", "", s)
                    .replace("  ", " ").strip()) for s in imps]
        p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
        detail = f"measurement field left as {tok}"
    elif mode < 0.75:
        fs, imps = normal_sentences(rng, p["view"]), [rng.choice(NORMAL_IMPS)]
        p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
        p["comparison"] = rng.choice(["CXR {t}.", "Previous film dated {t}.", "{t}"]).format(
            t=rng.choice(["[date]", "[***]", "***", "[ ]", "<date>"]))
        detail = "comparison date field left unfilled"
    else:
        fs, imps = normal_sentences(rng, p["view"]), [rng.choice(NORMAL_IMPS)]
        if rng.random() < 0.5:
            p["findings"] = " ".join(fs)
            p["impression"] = rng.choice(["No acute abnormality. [***]", "Normal chest radiograph. ***",
                                          "[Conclusion]", "No acute abnormality. [ ]"])
            detail = "impression template field left in"
        else:
            p["history"] = rng.choice(["[clinical details]", "***", "[ ]", "<history>"])
            p["findings"], p["impression"] = " ".join(fs), join_imp(imps, rng)
            detail = "clinical details field left unfilled"
    return render(p, rng), detail


COMPOSED = {
    None: composed_clean, "missing_section": composed_missing,
    "laterality_conflict": composed_laterality, "negation_conflict": composed_negation,
    "impression_omits_finding": composed_omits, "placeholder": composed_placeholder,
}


# ----------------------------------------------------------------------------------------------
# IU-derived cases
# ----------------------------------------------------------------------------------------------

FAM = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace (disease|opacit)|pneumonia|infiltrat",
    "oedema": r"\bedema|oedema|vascular congestion|\bchf\b|heart failure",
    "mass": r"\bmass\b",
    "cardiomegaly": r"cardiomegaly|heart (size )?is enlarged|enlarged heart|enlargement of the cardiac",
}
NEG_CUE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear|free|exclude|excluded|less likely|"
    r"rather than|versus|vs|cannot|can't|possible|possibly|may|might|questionable|question|"
    r"suspect|suspected|or|could|improv\w*|decreas\w*|removed|previous|prior|history)\b",
    re.I)
NORMAL_IMP_RE = re.compile(
    r"^(\d\.\s*)?(no acute|normal|negative|no active|no evidence of acute|no radiographic evidence|"
    r"clear lungs|no significant|unremarkable)", re.I)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.])\s+(?=[A-Z0-9])", text) if s.strip()]


def affirmed(text: str, fam: str) -> list[str]:
    out = []
    for s in sentences(text):
        m = re.search(FAM[fam], s, re.I)
        if not m:
            continue
        if NEG_CUE.search(s):
            continue
        if fam == "effusion" and re.search(r"small|trace|tiny|minimal|blunting", s, re.I):
            continue
        out.append(s)
    return out


HEDGE = re.compile(r"\b(minimal|mild|minor|subtle|trace|tiny|small|probable|probably|likely|stable|"
                   r"unchanged|chronic|residual|persistent|old|streaky|scarring|atelectasis)\b", re.I)


def strong_affirmed(text: str, fam: str) -> bool:
    """An unhedged, significant statement of the finding (a small pneumothorax still counts)."""
    for s in affirmed(text, fam):
        h = HEDGE.findall(s)
        if fam == "pneumothorax":
            h = [w for w in h if w.lower() != "small"]
        if not h:
            return True
    return False


def mentions(text: str, fam: str) -> bool:
    return bool(re.search(FAM[fam], text, re.I))


def any_affirmed(text: str) -> list[str]:
    return [f for f in FAM if affirmed(text, f)]


def iu_normalish(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not f or not i:
        return False
    if not NORMAL_IMP_RE.match(i):
        return False
    if any_affirmed(f):
        return False
    strong = re.compile(r"\b(no|without|negative|clear|free|not)\b", re.I)
    for sent in sentences(f) + sentences(i):
        if any(re.search(FAM[k], sent, re.I) for k in FAM) and not strong.search(sent):
            return False
        if re.search(r"\b(possible|possibly|may|might|question|suspect|concern|cannot)", sent, re.I):
            return False
    if re.search(r"nodul|opacit|atelecta|scar|granulom|fractur|enlarg|increase|new\b|"
                 r"widen|free air|emphysema|hyperinfla", f, re.I):
        return False
    return len(i.split()) <= 14 and len(f.split()) >= 8


def iu_layout(r: dict, rng: random.Random, findings=..., impression=..., indication=...,
              comparison=...) -> str:
    view = "PALAT" if rng.random() < 0.5 else "PA"
    p = base_parts(rng, view=view, setting=rng.choices(["ED", "AMU", "WARD", "GP"], [3, 3, 1, 3])[0])
    ind = r["indication"] if indication is ... else indication
    comp = r["comparison"] if comparison is ... else comparison
    fnd = r["findings"] if findings is ... else findings
    imp = r["impression"] if impression is ... else impression
    p["history"] = britishise(ind, rng) if ind else rng.choice(HISTORY[p["setting"]])
    if comp is None:
        p["comparison"] = None
    else:
        p["comparison"] = britishise(comp, rng) if comp else "None."
    p["findings"] = None if fnd is None else britishise(fnd, rng)
    p["impression"] = None if imp is None else britishise(imp, rng)
    if p["impression"] and re.match(r"^1\.", p["impression"]):
        p["impression"] = re.sub(r"\s+(?=\d\.\s)", "\n", p["impression"])
        p["inline"] = False
    return render(p, rng)


OMIT_FAMS = ["effusion", "pneumothorax", "consolidation", "oedema", "mass"]


def iu_candidates(pool: list[dict]) -> dict:
    c = {"clean_normal": [], "clean_abn": [], "missing": [], "lat": [], "neg_assert": [],
         "neg_negate": [], "omit": [], "place": []}
    for r in pool:
        f, i = r["findings"], r["impression"]
        if not f or not i:
            continue
        norm = iu_normalish(r)
        if norm:
            c["clean_normal"].append(r)
        affs = any_affirmed(f)
        if affs and not NORMAL_IMP_RE.match(i) and all(mentions(i, a) or a == "cardiomegaly"
                                                        and mentions(i, "cardiomegaly") for a in affs):
            if not re.search(r"nodul", f, re.I):
                c["clean_abn"].append(r)
        sig = [a for a in affs if a in OMIT_FAMS and mentions(i, a) and strong_affirmed(f, a)
               and not (a == "effusion" and re.search(r"small|trace|tiny|minimal", i, re.I))]
        if sig and not NORMAL_IMP_RE.match(i):
            c["omit"].append((r, sig[0]))
        # laterality: exactly one side word in each section, same side, and the finding family
        for side in ("right", "left"):
            o = SIDE[side]
            if (re.search(rf"\b{side}\b", f, re.I) and not re.search(rf"\b{o}\b", f, re.I)
                    and re.search(rf"\b{side}\b", i, re.I) and not re.search(rf"\b{o}\b", i, re.I)
                    and not re.search(r"\bbilateral|both\b", i, re.I) and lat_pair(r, side)):
                c["lat"].append((r, side))
        if norm:
            # findings explicitly negate effusion / pneumothorax / consolidation or say heart normal
            negs = []
            if (re.search(r"\bno\b[^.]*effusion", f, re.I)
                    and not re.search(r"\bno\b[^.]*(large|significant|sizab|sizeab|moderate)[^.]*effusion", f, re.I)):
                negs.append("effusion")
            if (re.search(r"\bno\b[^.]*pneumothora", f, re.I)
                    and not re.search(r"\bno\b[^.]*(large|significant|sizab|sizeab)[^.]*pneumothora", f, re.I)):
                negs.append("pneumothorax")
            if re.search(r"\bno\b[^.]*(consolidat|airspace)|lungs are clear", f, re.I):
                negs.append("consolidation")
            if re.search(r"heart (size )?(is )?(normal|within normal)|normal heart size|"
                         r"cardiac silhouette is normal|heart size is normal", f, re.I):
                negs.append("cardiomegaly")
            if negs:
                c["neg_assert"].append((r, negs))
            c["missing"].append(r)
            c["place"].append(r)
        else:
            c["missing"].append(r)
        for a in affs:
            if a == "cardiomegaly" and re.search(r"apparent|borderline|upper limit|accentuat|probabl|"
                                                 r"likely|possibl|no cardiomegaly", f + " " + i, re.I):
                continue
            if a in ("effusion", "pneumothorax", "consolidation", "cardiomegaly") and mentions(i, a):
                c["neg_negate"].append((r, a))
                break
    return c


def iu_clean(r, rng):
    return iu_layout(r, rng), f"IU {r['uid']} re-laid-out"


def iu_missing(r, rng):
    if rng.random() < 0.5:
        return iu_layout(r, rng, impression=""), f"IU {r['uid']}: impression emptied (header kept)"
    return iu_layout(r, rng, impression=None), f"IU {r['uid']}: impression section dropped"


STOP = {"right", "left", "there", "which", "with", "without", "within", "the", "and", "this",
        "that", "seen", "noted", "again", "since", "from", "prior", "previous", "lung",
        "chest", "side", "sided", "possible", "likely", "small", "mild", "minimal", "stable",
        "unchanged", "evidence", "status", "post", "identified", "compatible", "keeping",
        "consistent", "xxxx", "lateral", "views", "view", "image", "change", "changes"}


def _words(s: str) -> set:
    return {w for w in re.findall(r"[a-z]{4,}", s.lower()) if w not in STOP}


def lat_pair(r: dict, side: str):
    """Findings sentences and impression sentences on `side` that share a finding word."""
    fs = [s for s in sentences(r["findings"]) if re.search(rf"\b{side}\b", s, re.I)]
    im = [s for s in sentences(r["impression"]) if re.search(rf"\b{side}\b", s, re.I)]
    iw = set().union(*[_words(s) for s in im]) if im else set()
    shared = [s for s in fs if _words(s) & iw]
    return shared


def iu_laterality(r, side, rng):
    o = SIDE[side]
    if rng.random() < 0.6:
        imp = _flip(r["impression"], side, o)
        return (iu_layout(r, rng, impression=imp),
                f"IU {r['uid']}: '{side}' flipped to '{o}' in impression")
    fs = sentences(r["findings"])
    shared = set(lat_pair(r, side))
    idx = [k for k, s in enumerate(fs) if s in shared]
    k = rng.choice(idx)
    fs[k] = _flip(fs[k], side, o)
    return (iu_layout(r, rng, findings=" ".join(fs)),
            f"IU {r['uid']}: '{side}' flipped to '{o}' in findings sentence {k + 1}")


def iu_neg_assert(r, negs, rng):
    key = rng.choice(negs)
    side = rng.choice(["right", "left"])
    a = rng.choice(NEG_ASSERT[key][1]).format(s=side, S=side.capitalize())
    if rng.random() < 0.5:
        imp = a
    else:
        imp = a + " " + rng.choice(["Otherwise no acute abnormality.", "No other abnormality.",
                                    "Otherwise normal."])
    return (iu_layout(r, rng, impression=imp),
            f"IU {r['uid']}: findings negate {key}; impression replaced by '{imp}'")


def iu_neg_negate(r, fam, rng):
    imp = {
        "effusion": ["No pleural effusion.", "No effusion or pneumothorax."],
        "pneumothorax": ["No pneumothorax.", "No pneumothorax identified."],
        "consolidation": ["Lungs clear. No consolidation.", "No focal consolidation."],
        "cardiomegaly": ["Normal heart size. No acute abnormality.", "Heart size normal."],
    }[fam]
    imp = rng.choice(imp)
    return (iu_layout(r, rng, impression=imp),
            f"IU {r['uid']}: findings affirm {fam}; impression replaced by '{imp}'")


def iu_omit(r, fam, rng):
    imp = rng.choice(["No acute abnormality.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
                      "No significant abnormality.", "No active disease."])
    return (iu_layout(r, rng, impression=imp),
            f"IU {r['uid']}: impression mentioning {fam} replaced by '{imp}'")


def iu_placeholder(r, rng):
    tok = rng.choice(PH_TOKENS)
    mode = rng.random()
    f = r["findings"]
    if mode < 0.4:
        # blank a key word in the findings (a normal-report keyword), template-style
        cands = [w for w in ("pneumothorax", "effusion", "consolidation", "normal", "clear",
                             "heart", "lungs", "mediastinal") if re.search(rf"\b{w}\b", f, re.I)]
        if cands:
            w = rng.choice(cands)
            f2 = re.sub(rf"\b{w}\b", tok, f, count=1, flags=re.I)
            return (iu_layout(r, rng, findings=f2),
                    f"IU {r['uid']}: '{w}' in findings replaced by {tok}")
    if mode < 0.7:
        i = r["impression"].rstrip()
        i2 = i + (" " if i.endswith(".") else ". ") + rng.choice(["[***]", "***", "[ ]", "[...]"])
        if rng.random() < 0.5:
            words = i.split()
            k = rng.randrange(len(words))
            words[k] = tok + ("." if words[k].endswith(".") else "")
            i2 = " ".join(words)
        return iu_layout(r, rng, impression=i2), f"IU {r['uid']}: impression template field left: '{i2}'"
    comp = rng.choice(["CXR [date].", "Previous film dated ***.", "[ ]", "XR Chest <date>."])
    return iu_layout(r, rng, comparison=comp), f"IU {r['uid']}: comparison field left as '{comp}'"


# ----------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------


LAST_UIDS: set[str] = set()  # IU uids used by the latest build() call


def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    exclude = dev_uids()
    pool = [r for r in load_iu() if r["uid"] not in exclude]
    cand = iu_candidates(pool)
    used: set[str] = set()

    def pick(lst, n):
        lst = [x for x in lst if (x[0] if isinstance(x, tuple) else x)["uid"] not in used]
        out = []
        lst = lst[:]
        rng.shuffle(lst)
        for x in lst:
            r = x[0] if isinstance(x, tuple) else x
            if r["uid"] in used:
                continue
            used.add(r["uid"])
            out.append(x)
            if len(out) == n:
                break
        if len(out) < n:
            raise RuntimeError(f"not enough IU candidates ({len(out)} < {n})")
        return out

    rows: list[tuple] = []
    half = N_PER_KIND // 2
    # IU-derived
    for x in pick(cand["omit"], half):
        rows.append(("impression_omits_finding", *iu_omit(x[0], x[1], rng)))
    for x in pick(cand["lat"], half):
        rows.append(("laterality_conflict", *iu_laterality(x[0], x[1], rng)))
    n_neg_negate = half // 2
    nn_cardio = [x for x in cand["neg_negate"] if x[1] == "cardiomegaly"]
    nn_other = [x for x in cand["neg_negate"] if x[1] != "cardiomegaly"]
    for x in pick(nn_cardio, n_neg_negate // 3) + pick(nn_other, n_neg_negate - n_neg_negate // 3):
        rows.append(("negation_conflict", *iu_neg_negate(x[0], x[1], rng)))
    for x in pick(cand["neg_assert"], half - n_neg_negate):
        rows.append(("negation_conflict", *iu_neg_assert(x[0], x[1], rng)))
    for x in pick(cand["missing"], half):
        rows.append(("missing_section", *iu_missing(x, rng)))
    for x in pick(cand["place"], half):
        rows.append(("placeholder", *iu_placeholder(x, rng)))
    n_clean_iu = N_CLEAN // 2
    n_abn = n_clean_iu * 3 // 10
    for x in pick(cand["clean_abn"], n_abn):
        rows.append((None, *iu_clean(x, rng)))
    for x in pick(cand["clean_normal"], n_clean_iu - n_abn):
        rows.append((None, *iu_clean(x, rng)))
    # composed
    for kind in KINDS:
        for _ in range(half):
            rows.append((kind, *COMPOSED[kind](rng)))
    for _ in range(N_CLEAN // 2):
        rows.append((None, *composed_clean(rng)))
    rng.shuffle(rows)
    LAST_UIDS.clear()
    LAST_UIDS.update(used)
    out = []
    for n, (kind, text, detail) in enumerate(rows):
        out.append({"id": f"h86-{seed}-{n}", "injected": kind,
                    "detail": detail if kind else "", "report": text})
    return out


def main(argv=None) -> int:
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
                print(f"===== {r['id']} [{kind}] {r['detail']}")
                print(r["report"])
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
