"""Held-out report-check set 120, written blind.

Setting: English district general hospitals -- overnight on-call radiology registrars'
"hot reports" on emergency department and acute medical unit chest films, later verified
by a consultant radiologist.  British spelling (oedema, haemothorax), NHS abbreviations
(CXR, ED, AMU, SOB, ?LRTI, PTX, CP angle, CTR, NGT), exam line / clinical details /
comparison / technique / findings / conclusion-impression-opinion / sign-off layout.

400 cases per seed: 200 clean, 40 each of missing_section, laterality_conflict,
negation_conflict, impression_omits_finding and placeholder.  Half of every group is
composed from the phrase bank below, half are real IU (Open-i) reports (never a dev-set
uid) re-laid-out and lightly re-worded in this setting's style before any error is made.

    python -m bench.make_heldout120 OUT.jsonl --seed S [--show N]
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
from pathlib import Path

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_KIND = 40

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_jsonl() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ---------------------------------------------------------------------------
# real IU reports
# ---------------------------------------------------------------------------

_CACHE: dict = {}


def dev_uids() -> set[str]:
    out = set()
    with open(dev_jsonl(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


def _tidy(text: str | None) -> str:
    if not text:
        return ""
    t = re.sub(r"\s+", " ", text).strip()
    t = re.sub(r"\.\s*\.", ".", t)
    t = re.sub(r"\s+\.", ".", t)
    return t.strip()


def load_iu() -> list[dict]:
    if "iu" in _CACHE:
        return _CACHE["iu"]
    rows = []
    with tarfile.open(reports_tgz(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(tf.extractfile(m)).getroot()
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            rec = {"uid": uid_el.get("id"), "normal": False}
            for at in root.iter("AbstractText"):
                rec[at.get("Label", "").lower()] = uk_spell(_tidy(at.text))
            for mj in root.iter("major"):
                if (mj.text or "").strip().lower() == "normal":
                    rec["normal"] = True
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _CACHE["iu"] = rows
    return rows


# --- UK re-styling ---------------------------------------------------------

_SPELL = [
    (r"\bedema", "oedema"),
    (r"\bEdema", "Oedema"),
    (r"hemorrhag", "haemorrhag"),
    (r"Hemorrhag", "Haemorrhag"),
    (r"hematom", "haematom"),
    (r"\besophag", "oesophag"),
    (r"\bEsophag", "Oesophag"),
    (r"\btumor", "tumour"),
    (r"centimeter", "centimetre"),
    (r"millimeter", "millimetre"),
    (r"\banemi", "anaemi"),
    (r"leukemi", "leukaemi"),
    (r"ischemi", "ischaemi"),
    (r"\bfavor", "favour"),
    (r"\bcolor", "colour"),
    (r"\bgray\b", "grey"),
    (r"orthopedic", "orthopaedic"),
    (r"pediatric", "paediatric"),
    (r"\bhemithorax", "hemithorax"),
    (r"\bx-ray", "X-ray"),
]

_REWORD = [
    (r"\bThere is no evidence of pneumothorax\b", ["No pneumothorax", "No pneumothorax is seen"]),
    (r"\bThere is no pneumothorax\b", ["No pneumothorax"]),
    (r"\bThere is no pleural effusion\b", ["No pleural effusion"]),
    (r"\bThe lungs are clear\b", ["Lungs are clear", "The lungs are clear"]),
    (r"\bHeart size is normal\b(?! and)", ["Heart size normal", "Heart is not enlarged"]),
    (r"\bThe heart is normal in size\b(?! and)", ["Heart size is normal", "The heart is not enlarged"]),
    (
        r"\bNo acute cardiopulmonary abnormality\b(?! (seen|identified|demonstrated))",
        ["No acute cardiopulmonary abnormality", "No acute cardiopulmonary abnormality seen"],
    ),
    (r"\bNo acute cardiopulmonary disease\b", ["No acute cardiopulmonary disease", "No acute chest disease"]),
    (r"\bNo acute cardiopulmonary process\b", ["No acute cardiopulmonary process", "No acute cardiothoracic process"]),
    (r"\bcardiomediastinal silhouette\b", ["cardiomediastinal silhouette", "cardiomediastinal contour"]),
    (r"\bNo focal airspace disease\b", ["No focal airspace disease", "No focal airspace opacity"]),
]


def uk_spell(text: str) -> str:
    for pat, rep in _SPELL:
        text = re.sub(pat, rep, text)
    return text


def ukify(text: str, rng: random.Random) -> str:
    text = uk_spell(text)
    for pat, reps in _REWORD:
        if re.search(pat, text):
            text = re.sub(pat, rng.choice(reps), text)
    return text


# --- sentence analysis -----------------------------------------------------


def sents(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip()) if s]


NEG = re.compile(
    r"\b(no|not|without|negative|free of|resolved|resolution|clear|cleared|removed|exclude|"
    r"excluded|normal|unremarkable|absent|nor|none)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|might|could|possible|possibly|question\w*|cannot|versus|vs|or|likely|suspect\w*|"
    r"suggest\w*|concern\w*|differential|atelecta\w*|scar\w*|chronic\w*|stable|unchanged|old|"
    r"healed|minimal|mild\w*|small|tiny|trace|subtle|slight\w*|improv\w*|decreas\w*|resolv\w*|"
    r"residual|calcifi\w*|granulom\w*|prior|previous\w*|history|known|post\w*|surgical|"
    r"early|developing|borderline|equivocal|apparent|probabl\w*|represent\w*|consistent)\b",
    re.I,
)

FAM = {
    "pneumothorax": r"pneumothora",
    "effusion": r"effusion",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia",
    "oedema": r"oedema|vascular congestion|pulmonary congestion|venous congestion",
    "cardiomegaly": r"cardiomegaly|heart (size )?is enlarged|enlarged heart|enlarged cardiac|"
    r"cardiac silhouette is enlarged|heart is mildly enlarged",
}
SIG_FAMS = ["pneumothorax", "consolidation", "oedema"]  # effusion only when moderate/large
LUNGS_CLEAR = re.compile(r"\b(lungs? (are|is) clear|clear lungs|lungs clear)\b", re.I)
HEART_NORMAL = re.compile(
    r"\b(heart size (is )?(normal|within normal)|normal heart size|"
    r"heart is not enlarged|heart (is )?normal in size)\b",
    re.I,
)
SIDE = re.compile(r"\b(right|left)\b", re.I)
LAT_TERMS = re.compile(
    r"effusion|opacit|consolidat|atelecta|pneumothora|infiltrat|airspace|air space|pneumonia|"
    r"nodul|granulom|densit|scar|mass|fracture",
    re.I,
)
PH_TOKENS = re.compile(r"\[|\]|\*\*|<|>|\{|\}|_{2,}|\.{3}")


def affirmed(text: str, fam: str) -> list[str]:
    out = []
    for s in sents(text):
        if re.search(FAM[fam], s, re.I) and not NEG.search(s):
            out.append(s)
    return out


def negated(text: str, fam: str) -> bool:
    for s in sents(text):
        if re.search(FAM[fam], s, re.I) and NEG.search(s):
            return True
    if fam == "consolidation" and LUNGS_CLEAR.search(text):
        return True
    if fam == "cardiomegaly" and HEART_NORMAL.search(text):
        return True
    return False


def sig_sentences(text: str) -> list[tuple[str, str]]:
    """(fam, sentence) for firmly affirmed significant findings."""
    out = []
    for s in sents(text):
        if NEG.search(s) or HEDGE.search(s):
            continue
        for fam in SIG_FAMS:
            if re.search(FAM[fam], s, re.I):
                out.append((fam, s))
                break
        else:
            if re.search(r"\b(moderate|large)\b[^.]*effusion", s, re.I):
                out.append(("effusion", s))
            elif re.search(r"\bmass\b", s, re.I):
                out.append(("mass", s))
    return out


NORMAL_IMP = re.compile(
    r"^(\d\.\s*)?(no acute|normal chest|negative chest|no active|no evidence of acute|"
    r"no radiographic evidence)[^.]*\.?$",
    re.I,
)


def is_normal_imp(imp: str) -> bool:
    ss = sents(imp)
    return bool(ss) and all(NORMAL_IMP.match(s.strip()) for s in ss)


def sane(r: dict) -> bool:
    f, i = r.get("findings", ""), r.get("impression", "")
    if not f or not i:
        return False
    txt = f + " " + i + " " + r.get("indication", "") + " " + r.get("comparison", "")
    if PH_TOKENS.search(txt):
        return False
    if len(f) > 700 or len(i) > 400:
        return False
    for fam in FAM:
        if affirmed(f, fam) and negated(i, fam):
            return False
        if negated(f, fam) and affirmed(i, fam):
            return False
    if sig_sentences(f) and is_normal_imp(i):
        return False
    fs = {m.lower() for m in SIDE.findall(f)}
    isd = {m.lower() for m in SIDE.findall(i)}
    if isd and fs and not (isd & fs):
        return False
    return True


# ---------------------------------------------------------------------------
# layout in the setting's style
# ---------------------------------------------------------------------------

REGS = [
    "Dr A. Okafor",
    "Dr S. Patel",
    "Dr H. Williams",
    "Dr K. Nwosu",
    "Dr R. Chaudhry",
    "Dr L. Murphy",
    "Dr E. Davies",
    "Dr T. Hussain",
    "Dr M. O'Neill",
    "Dr J. Kaur",
    "Dr F. Ahmed",
    "Dr C. Hughes",
    "Dr P. Sandhu",
    "Dr G. Evans",
]
CONS = [
    "Dr N. Whitfield",
    "Dr D. Barker",
    "Dr S. Rahman",
    "Dr A. Cartwright",
    "Dr I. Moss",
    "Dr V. Reddy",
    "Dr J. Pennington",
    "Dr H. Armitage",
    "Dr B. Osei",
    "Dr R. Fairclough",
]
GRADES = ["ST3", "ST4", "ST5", "StR", "SpR", "ST2", "Registrar"]
TIMES = [
    "22:47",
    "23:15",
    "00:32",
    "01:08",
    "01:56",
    "02:24",
    "03:10",
    "03:41",
    "04:05",
    "04:52",
    "05:30",
    "06:18",
    "07:02",
    "21:40",
]


def signoff(rng: random.Random) -> str:
    reg, cons = rng.choice(REGS), rng.choice(CONS)
    g = rng.choice(GRADES)
    t = rng.choice(TIMES)
    opts = [
        f"Reported by: {reg} ({g}, on call) {t}\nVerified by: {cons}, Consultant Radiologist",
        f"Provisional report: {reg}, {g}.\nVerified: {cons} (Consultant Radiologist).",
        f"Hot report, {reg} ({g}) at {t}. Agree with provisional report - {cons}, Consultant Radiologist.",
        f"{reg}, {g} Radiology (on call)\nAuthorised by {cons}, Consultant Radiologist",
        f"Dictated: {reg} ({g}) {t}\nVerified: {cons}",
        f"Reported by {reg}, {g}. Verified by {cons}, Consultant.",
        f"Preliminary report by on-call registrar ({reg}). Verified by {cons}.",
    ]
    return rng.choice(opts)


def exam_line(rng: random.Random, view: str) -> str:
    v = {
        "PA": ["PA", "PA erect"],
        "AP": ["AP", "AP mobile", "AP erect", "AP portable"],
        "PALAT": ["PA and lateral", "PA + lateral", "PA/LAT"],
    }[view]
    vv = rng.choice(v)
    return rng.choice(
        [
            f"XR CHEST {vv.upper()}",
            f"Examination: XR Chest {vv}",
            f"CXR {vv}",
            f"Chest X-ray ({vv})",
            f"XR Chest {vv}",
            f"Exam: Chest radiograph, {vv}",
        ]
    )


FIND_H = ["Findings:", "FINDINGS:", "Report:", "Findings:"]
IMP_H = ["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:", "IMPRESSION:", "Summary:", "Comment:"]
HIST_H = ["Clinical details:", "Clinical history:", "Clinical information:", "History:", "Clinical indication:"]
COMP_H = ["Comparison:", "Previous:", "Compared with:", "Prior imaging:"]
TECH_H = ["Technique:", "Projection:"]


def layout(
    rng: random.Random,
    *,
    view: str,
    history: str,
    comparison: str,
    technique: str,
    findings: str | None,
    impression: str | None,
    imp_blank: bool = False,
    find_blank: bool = False,
    impression_only: bool = False,
    sign: str | None = None,
) -> str:
    parts = [exam_line(rng, view)]
    if history:
        parts.append(f"{rng.choice(HIST_H)} {history}")
    if comparison:
        parts.append(f"{rng.choice(COMP_H)} {comparison}")
    if technique:
        parts.append(f"{rng.choice(TECH_H)} {technique}")
    ih = rng.choice(IMP_H)
    if not impression_only:
        fh = rng.choice(FIND_H)
        if findings:
            parts.append(f"{fh}\n{findings}" if rng.random() < 0.4 else f"{fh} {findings}")
        elif find_blank:
            parts.append(fh)
    if impression:
        parts.append(f"{ih}\n{impression}" if rng.random() < 0.4 else f"{ih} {impression}")
    elif imp_blank:
        parts.append(ih)
    parts.append(sign if sign is not None else signoff(rng))
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------
# phrase bank
# ---------------------------------------------------------------------------

HIST_GENERIC = [
    "SOB. ?LRTI.",
    "Productive cough, pyrexial. ?Chest sepsis.",
    "Chest pain, troponin pending.",
    "Increasing SOB on exertion, bilateral leg swelling. ?Heart failure.",
    "COPD exacerbation. ?Consolidation.",
    "Pleuritic chest pain. ?PTX.",
    "Sepsis, unknown source.",
    "Raised CRP, cough.",
    "Collapse. Elderly patient, confused.",
    "NEWS 5, tachypnoeic, sats 89% on air.",
    "Haemoptysis. Ex-smoker.",
    "Acute confusion, ?source of infection.",
    "Tachycardia and hypoxia.",
    "Cough for 3 weeks. Smoker.",
    "Asthma exacerbation, not responding to nebulisers.",
    "Pyrexia, rigors. Type 2 diabetic.",
    "Fall from ladder. Chest pain.",
    "Fall at home, chest wall pain.",
    "Known lung cancer, increasing SOB.",
    "Hypoxic on AMU, crackles at bases.",
]
COMP_BANK = [
    "None.",
    "None available.",
    "No previous imaging.",
    "Previous CXR 14/03/2023.",
    "CXR 02/11/2024.",
    "Previous film from last admission.",
    "Prior CXR dated 21/06/2022.",
    "CXR 3 days ago.",
    "Nil available on PACS.",
]
TECH_PA = ["PA erect.", "PA view.", "Single PA projection.", ""]
TECH_AP = [
    "AP erect, rotated.",
    "AP sitting, portable.",
    "AP supine (patient unable to stand).",
    "Mobile AP film.",
    "AP semi-erect, suboptimal inspiration.",
]

N_HEART = [
    "Heart size is normal.",
    "The heart is not enlarged.",
    "Cardiac size within normal limits.",
    "Normal cardiothoracic ratio.",
    "Heart size normal.",
]
N_HEART_AP = [
    "Heart size difficult to assess on an AP film but not grossly enlarged.",
    "Cardiac size within normal limits for an AP projection.",
]
N_MED = [
    "Mediastinal contours are normal.",
    "Mediastinum is not widened.",
    "Normal mediastinal outline.",
    "Hila are normal.",
    "Normal hilar and mediastinal contours.",
]
N_LUNG = [
    "The lungs are clear.",
    "Lungs are clear.",
    "No focal consolidation.",
    "No focal lung lesion or consolidation.",
    "Clear lung fields.",
]
N_PLEURA = [
    "No pleural effusion.",
    "Costophrenic angles are clear.",
    "No pleural effusion or pneumothorax.",
    "Clear costophrenic angles bilaterally.",
]
N_PTX = ["No pneumothorax.", "No pneumothorax seen."]
N_BONE = [
    "No acute bony abnormality.",
    "Bones are unremarkable.",
    "No displaced rib fracture identified.",
    "Visualised bones are intact.",
]
N_IMP = [
    "No acute abnormality.",
    "Normal chest radiograph.",
    "No acute cardiopulmonary abnormality.",
    "Normal study.",
    "No radiographic evidence of acute chest pathology.",
    "Normal CXR.",
    "No acute chest pathology demonstrated.",
    "Unremarkable chest radiograph.",
]

ZONES = {
    "right": [
        "right lower zone",
        "right mid zone",
        "right base",
        "right upper zone",
        "right middle lobe",
        "right lower lobe",
    ],
    "left": [
        "left lower zone",
        "left base",
        "left mid zone",
        "left upper zone",
        "left lower lobe",
        "left retrocardiac region",
    ],
}


def other(side: str) -> str:
    return "left" if side == "right" else "right"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def normal_findings(rng: random.Random, ap: bool, skip: set[str] = frozenset()) -> list[str]:
    out = []
    if "heart" not in skip:
        out.append(rng.choice(N_HEART_AP if ap and rng.random() < 0.5 else N_HEART))
    if "med" not in skip and rng.random() < 0.7:
        out.append(rng.choice(N_MED))
    if "lung" not in skip:
        out.append(rng.choice(N_LUNG))
    if "pleura" not in skip:
        p = rng.choice(N_PLEURA)
        out.append(p)
        if "pneumothorax" not in p and "ptx" not in skip:
            out.append(rng.choice(N_PTX))
    elif "ptx" not in skip:
        out.append(rng.choice(N_PTX))
    if "bone" not in skip and rng.random() < 0.5:
        out.append(rng.choice(N_BONE))
    return out


# incidental / non-significant findings (may be left out of the conclusion)
def incidental(rng: random.Random) -> tuple[str, str, set[str]]:
    side = rng.choice(["right", "left"])
    opts = [
        ("Mild cardiomegaly, unchanged from previous.", "Stable mild cardiomegaly.", {"heart"}),
        ("Heart size at the upper limit of normal.", "", {"heart"}),
        ("Hyperexpanded lungs in keeping with known COPD.", "Background COPD.", {"lung"}),
        (f"Calcified granuloma in the {side} mid zone.", "", set()),
        (f"Old healed {side} rib fractures.", f"Old {side} rib fractures.", {"bone"}),
        ("Degenerative change in the thoracic spine.", "", {"bone"}),
        ("Unfolded thoracic aorta.", "", {"med"}),
        ("Aortic knuckle calcification.", "", {"med"}),
        (
            f"Minor blunting of the {side} costophrenic angle, likely a trace of fluid or pleural thickening.",
            f"Trivial {side} pleural change.",
            {"pleura"},
        ),
        (f"Small {side} pleural effusion.", "", {"pleura"}),
        (f"Linear atelectasis at the {side} base.", f"Minor {side} basal atelectasis.", set()),
        ("Median sternotomy wires and prosthetic aortic valve.", "Post CABG/AVR.", set()),
        ("Left-sided dual chamber pacemaker with leads in satisfactory position.", "Pacemaker in situ.", set()),
        (f"{cap(side)} PICC line with tip projected over the SVC.", f"{cap(side)} PICC tip in the SVC.", set()),
        ("Surgical clips in the right upper quadrant.", "", set()),
        ("Hiatus hernia projected behind the heart.", "Hiatus hernia.", set()),
    ]
    return rng.choice(opts)


# significant findings: (findings sentences, conclusion sentence, fam, side or None, negating impression)
def significant(rng: random.Random) -> dict:
    side = rng.choice(["right", "left"])
    zone = rng.choice(ZONES[side])
    k = rng.choices(["cons", "eff", "ptx", "oed", "nod", "free", "med"], [34, 18, 14, 16, 8, 5, 5])[0]
    if k == "cons":
        f = rng.choice(
            [
                f"Patchy consolidation in the {zone}.",
                f"Airspace opacification in the {zone}.",
                f"There is consolidation at the {zone} with air bronchograms.",
                f"New consolidation in the {zone}.",
            ]
        )
        i = rng.choice(
            [
                f"{cap(zone)} consolidation in keeping with infection.",
                f"{cap(side)} sided consolidation, likely pneumonia in this clinical context.",
                f"{cap(zone)} pneumonia. Suggest repeat CXR in 6 weeks to confirm resolution.",
            ]
        )
        return dict(
            f=[f],
            i=i,
            fam="consolidation",
            side=side,
            skip={"lung"},
            term=zone,
            neg_imp=rng.choice(["Lungs are clear.", "No consolidation.", "Clear lungs."]),
            label="consolidation",
        )
    if k == "eff":
        size = rng.choice(["Moderate", "Large", "Moderate-sized"])
        f = [
            rng.choice(
                [
                    f"{size} {side} pleural effusion.",
                    f"{size} {side} pleural effusion with a meniscus to the mid zone.",
                    f"{size} {side} pleural effusion with adjacent basal atelectasis.",
                ]
            )
        ]
        i = rng.choice(
            [
                f"{size} {side} pleural effusion.",
                f"{size} {side} effusion. Consider ultrasound-guided aspiration if clinically indicated.",
                f"{size} {side} pleural effusion - ?parapneumonic.",
            ]
        )
        return dict(
            f=f,
            i=i,
            fam="effusion",
            side=side,
            skip={"pleura", "lung"},
            term=f"{side} pleural effusion",
            neg_imp=rng.choice(["No pleural effusion.", "No effusion."]),
            label=f"{size.lower()} effusion",
        )
    if k == "ptx":
        cm = rng.choice(["1.5", "2", "2.5", "3", "4"])
        f = [
            rng.choice(
                [
                    f"{cap(side)} pneumothorax with a {cm} cm rim at the level of the hilum.",
                    f"There is a {side} apical pneumothorax measuring {cm} cm.",
                    f"{cap(side)} sided pneumothorax. No mediastinal shift.",
                ]
            )
        ]
        i = rng.choice(
            [
                f"{cap(side)} pneumothorax ({cm} cm at the hilum). "
                f"Discussed with the ED registrar at {rng.choice(TIMES)}.",
                f"{cap(side)} pneumothorax. Findings phoned to the ED team.",
                f"{cap(side)} apical pneumothorax. No tension.",
            ]
        )
        return dict(
            f=f,
            i=i,
            fam="pneumothorax",
            side=side,
            skip={"ptx", "pleura", "lung"},
            term=f"{side} pneumothorax",
            neg_imp=rng.choice(["No pneumothorax.", "No pneumothorax seen."]),
            label="pneumothorax",
        )
    if k == "oed":
        f = [
            rng.choice(
                [
                    "Cardiomegaly with upper lobe blood diversion, Kerley B lines and bilateral "
                    "perihilar airspace shadowing.",
                    "Enlarged heart. Bilateral perihilar haze and septal lines in keeping with pulmonary oedema.",
                    "Upper lobe venous diversion and interstitial oedema. Small bilateral effusions.",
                ]
            )
        ]
        i = rng.choice(
            [
                "Appearances in keeping with pulmonary oedema / fluid overload.",
                "Cardiac failure with pulmonary oedema.",
                "Pulmonary venous congestion and interstitial oedema.",
            ]
        )
        return dict(
            f=f,
            i=i,
            fam="oedema",
            side=None,
            skip={"heart", "lung", "pleura"},
            term="pulmonary oedema",
            neg_imp="No pulmonary oedema.",
            label="pulmonary oedema",
        )
    if k == "nod":
        mm = rng.choice(["8", "12", "15", "18", "25"])
        f = [
            rng.choice(
                [
                    f"{mm} mm nodule projected over the {zone}.",
                    f"Rounded {mm} mm opacity in the {zone}, not present previously.",
                ]
            )
        ]
        i = rng.choice(
            [
                f"{mm} mm {side} lung nodule. CT chest recommended.",
                f"New {side} pulmonary nodule ({mm} mm). Recommend CT chest with contrast.",
            ]
        )
        return dict(
            f=f,
            i=i,
            fam="nodule",
            side=side,
            skip={"lung"},
            term=f"{side} nodule",
            neg_imp="No lung lesion.",
            label=f"{mm} mm nodule",
        )
    if k == "free":
        f = [
            rng.choice(
                ["Free gas under the right hemidiaphragm.", "Free subdiaphragmatic gas beneath both hemidiaphragms."]
            )
        ]
        i = rng.choice(
            [
                "Pneumoperitoneum. Surgical team informed.",
                "Free intraperitoneal gas - ?perforated viscus. Discussed with surgical registrar.",
            ]
        )
        return dict(
            f=f,
            i=i,
            fam="free gas",
            side=None,
            skip=set(),
            term="free gas",
            neg_imp="No free subdiaphragmatic gas.",
            label="free subdiaphragmatic gas",
        )
    f = [rng.choice(["The mediastinum is widened.", "Widened superior mediastinum, new since previous film."])]
    i = rng.choice(
        [
            "Widened mediastinum. In view of the history, CT aortogram advised. Discussed with ED consultant.",
            "Mediastinal widening - CT recommended to exclude aortic pathology.",
        ]
    )
    return dict(
        f=f,
        i=i,
        fam="mediastinum",
        side=None,
        skip={"med"},
        term="widened mediastinum",
        neg_imp="Mediastinum is not widened.",
        label="widened mediastinum",
    )


HIST_BY = {
    "consolidation": [
        "Productive cough, pyrexial. ?Chest sepsis.",
        "SOB. ?LRTI.",
        "Raised CRP, cough.",
        "Pyrexia, rigors. Type 2 diabetic.",
        "Acute confusion, ?source of infection.",
        "COPD exacerbation. ?Consolidation.",
        "Sepsis, unknown source.",
        "Cough and fever. ?CAP.",
    ],
    "effusion": [
        "Increasing SOB.",
        "Known lung cancer, increasing SOB.",
        "Stony dull at base on examination.",
        "SOB, reduced air entry. ?Effusion.",
        "Decompensated liver disease, SOB.",
    ],
    "pneumothorax": [
        "Pleuritic chest pain. ?PTX.",
        "Sudden onset SOB and chest pain. ?Pneumothorax.",
        "Fall, chest wall pain.",
        "Asthma exacerbation, not responding to nebulisers.",
    ],
    "oedema": [
        "Increasing SOB on exertion, bilateral leg swelling. ?Heart failure.",
        "Hypoxic on AMU, crackles at bases.",
        "Orthopnoea and PND. ?LVF.",
        "AKI, fluid overloaded?",
    ],
    "nodule": ["Haemoptysis. Ex-smoker.", "Cough for 3 weeks. Smoker.", "Weight loss and cough. ?Malignancy."],
    "free gas": ["Abdominal pain, ?perforation. Erect CXR please.", "Acute abdomen, peritonitic. ?Perf."],
    "mediastinum": ["Central chest pain radiating to back. ?Dissection.", "RTC, high speed. Chest pain."],
}


DEVICES = [
    (
        "NG tube inserted, check position before feeding.",
        "NG tube passes below the diaphragm in the midline with its tip projected over the gastric fundus.",
        ["NG tube tip in the stomach - OK to use.", "NG tube in satisfactory position, tip in the stomach."],
    ),
    (
        "Fine bore NG tube placed on the ward. Position check please.",
        "Fine bore NG tube follows the expected course of the oesophagus and its tip lies below the diaphragm, "
        "within the stomach.",
        ["Fine bore NG tube in satisfactory position (tip in the stomach)."],
    ),
    (
        "Post intubation in ED, check ETT position.",
        "Endotracheal tube tip 4 cm above the carina.",
        ["ETT in satisfactory position.", "Satisfactory ETT position, 4 cm above the carina."],
    ),
    (
        "Post central line insertion.",
        "Right internal jugular central venous catheter with tip projected over the SVC.",
        ["Right IJ CVC tip in the SVC. No pneumothorax.", "Satisfactory CVC position. No pneumothorax."],
    ),
]
NO_PRIOR = {"None.", "None available.", "No previous imaging.", "Nil available on PACS."}


def deprior(x: str) -> str:
    """drop comparison wording when there is no previous film."""
    x = x.replace("Mild cardiomegaly, unchanged from previous.", "Mild cardiomegaly.")
    x = x.replace("Stable mild cardiomegaly.", "Mild cardiomegaly.")
    x = x.replace("New consolidation", "Consolidation").replace("New ", "")
    x = x.replace(", not present previously", "").replace(", new since previous film", "")
    return cap(x)


def _history(rng: random.Random, sig: dict | None) -> str:
    if sig and rng.random() < 0.85:
        return rng.choice(HIST_BY[sig["fam"]])
    return rng.choice(HIST_GENERIC)


def compose(rng: random.Random, kind: str | None) -> tuple[str, str]:
    """Return (report, detail)."""
    ap = rng.random() < 0.35
    view = "AP" if ap else "PA"
    technique = rng.choice(TECH_AP) if ap else rng.choice(TECH_PA)
    if rng.random() < 0.4:
        technique = ""
    comparison = rng.choice(COMP_BANK) if rng.random() < 0.7 else ""
    detail = ""

    # choose case content
    roll = rng.random()
    need_sig = kind in ("impression_omits_finding",) or (kind == "laterality_conflict")
    if need_sig:
        mode = "sig"
    elif kind is None:
        mode = "normal" if roll < 0.5 else ("incid" if roll < 0.72 else "sig")
    else:
        mode = "normal" if roll < 0.4 else ("incid" if roll < 0.6 else "sig")

    sig = None
    if mode == "sig":
        for _ in range(50):
            sig = significant(rng)
            if kind != "laterality_conflict" or sig["side"]:
                break
            if kind == "impression_omits_finding" and sig["fam"] == "nodule" and int(sig["label"].split()[0]) < 6:
                continue
    history = _history(rng, sig)
    dev = None
    if mode in ("normal", "incid") and kind in (None, "missing_section", "placeholder") and rng.random() < 0.14:
        dev = rng.choice(DEVICES)
        history = dev[0]
    inc = None
    if kind != "laterality_conflict" and (mode == "incid" or (mode == "sig" and rng.random() < 0.3)):
        for _ in range(20):
            inc = incidental(rng)
            if not (sig and (inc[2] & sig["skip"])):
                break
        else:
            inc = None

    skip = set(sig["skip"]) if sig else set()
    if inc:
        skip |= inc[2]
    fnd = list(sig["f"]) if sig else []
    if inc:
        fnd.append(inc[0])
    fnd += normal_findings(rng, ap, skip)
    # keep the main finding first most of the time
    if rng.random() < 0.3 and len(fnd) > 2:
        first = fnd.pop(0)
        fnd.insert(1, first)
    imp = []
    if dev:
        fnd.insert(0, dev[1])
        imp.append(rng.choice(dev[2]))
    if sig:
        imp.append(sig["i"])
    if inc and inc[1] and rng.random() < 0.6:
        imp.append(inc[1])
    if not imp:
        imp.append(rng.choice(N_IMP))
    elif not sig and rng.random() < 0.6:
        imp.insert(
            0, rng.choice(["No acute abnormality.", "No acute cardiopulmonary abnormality.", "No focal consolidation."])
        )
    if not comparison or comparison in NO_PRIOR:
        fnd = [deprior(x) for x in fnd]
        imp = [deprior(x) for x in imp]
    kw = dict(view=view, history=history, comparison=comparison, technique=technique)

    if kind is None:
        if mode == "normal" and not dev and rng.random() < 0.12:
            # impression-only descriptive report (complete)
            desc = rng.choice(
                [
                    "Lungs clear. Heart size normal. No pleural effusion or pneumothorax.",
                    "Clear lungs, normal heart size, no effusion, no pneumothorax. No acute abnormality.",
                    "Normal heart size and mediastinal contours. Lungs and pleural spaces clear.",
                ]
            )
            return layout(rng, **kw, findings=None, impression=desc, impression_only=True), ""
        return layout(rng, **kw, findings=" ".join(fnd), impression=" ".join(imp)), ""

    if kind == "missing_section":
        r = rng.random()
        if r < 0.45:
            detail = "conclusion section left empty (header only)"
            return layout(rng, **kw, findings=" ".join(fnd), impression=None, imp_blank=True), detail
        if r < 0.75:
            detail = "no conclusion/impression at all; findings only"
            return layout(rng, **kw, findings=" ".join(fnd), impression=None), detail
        detail = "findings section left empty; conclusion does not describe the film"
        ni = rng.choice(
            [
                "As above.",
                "Please see above.",
                "No significant change.",
                "Discussed with the on-call medical registrar.",
                "No acute cardiopulmonary abnormality.",
                "Comparison made with previous.",
                "No change.",
            ]
        )
        return layout(rng, **kw, findings=None, impression=ni, find_blank=True), detail

    if kind == "laterality_conflict":
        side, o = sig["side"], other(sig["side"])
        r = rng.random()
        flip = _flip
        if r < 0.55:
            imp[0] = flip(imp[0])
            detail = f"side flipped in conclusion: findings {side}, conclusion {o} ({sig['label']})"
        elif r < 0.85:
            fnd = [flip(s) if (s in sig["f"] or s in [deprior(x) for x in sig["f"]]) else s for s in fnd]
            detail = f"side flipped in findings: findings {o}, conclusion {side} ({sig['label']})"
        else:
            extra = rng.choice(
                [
                    f"Recommend follow-up CXR to ensure resolution of the {o}-sided abnormality.",
                    f"The {o} sided changes were discussed with the ED team.",
                    f"Correlate with clinical examination of the {o} chest.",
                ]
            )
            imp.append(extra)
            detail = f"added conclusion sentence refers to the {o} side; finding is {side} ({sig['label']})"
        return layout(rng, **kw, findings=" ".join(fnd), impression=" ".join(imp)), detail

    if kind == "negation_conflict":
        r = rng.random()
        if sig and r < 0.5 and sig["fam"] not in ("free gas",):
            imp = [sig["neg_imp"]] + (
                [rng.choice(["No acute abnormality.", "Otherwise normal."])] if rng.random() < 0.4 else []
            )
            detail = f"findings affirm {sig['label']}; conclusion says '{sig['neg_imp']}'"
            return layout(rng, **kw, findings=" ".join(fnd), impression=" ".join(imp)), detail
        # findings normal; conclusion asserts something the findings deny
        fnd = normal_findings(rng, ap)
        side = rng.choice(["right", "left"])
        choices = []
        if any(LUNGS_CLEAR.search(s) or "consolidation" in s.lower() or "Clear lung" in s for s in fnd):
            choices.append((f"{cap(rng.choice(ZONES[side]))} consolidation, likely infective.", "consolidation"))
        if any("effusion" in s.lower() or "costophrenic" in s.lower() for s in fnd):
            choices.append((f"Small {side} pleural effusion.", "pleural effusion"))
        if any("pneumothorax" in s.lower() for s in fnd):
            choices.append((f"Small {side} apical pneumothorax.", "pneumothorax"))
        if any(s in N_HEART for s in fnd):
            choices.append(("Cardiomegaly.", "cardiomegaly"))
        txt, lab = rng.choice(choices)
        imp = (
            [txt]
            if rng.random() < 0.6
            else [txt, rng.choice(["Otherwise no acute abnormality.", "Clinical correlation advised."])]
        )
        detail = f"findings negate {lab} (normal findings macro); conclusion asserts it"
        return layout(rng, **kw, findings=" ".join(fnd), impression=" ".join(imp)), detail

    if kind == "impression_omits_finding":
        r = rng.random()
        if inc and inc[1] and r < 0.35:
            imp = [inc[1]]
            detail = f"conclusion mentions only the incidental finding and omits {sig['label']}"
        else:
            imp = [rng.choice(N_IMP)]
            detail = f"normal conclusion macro pasted; findings report {sig['label']}"
        return layout(rng, **kw, findings=" ".join(fnd), impression=" ".join(imp)), detail

    if kind == "placeholder":
        text = layout(rng, **kw, findings=" ".join(fnd), impression=" ".join(imp))
        return insert_placeholder(rng, text, composed=True)
    raise ValueError(kind)


PH_SIDE = ["[side]", "[right/left]", "***", "[ ]", "<side>"]
PH_SIZE = ["[size]", "[small/moderate/large]", "***", "[ ]"]
PH_NUM = ["xx", "[ ]", "***", "[size]", "..."]
PH_GEN = ["[ ]", "***", "[***]", "< >", "[...]", "[   ]"]


def insert_placeholder(rng: random.Random, text: str, composed: bool) -> tuple[str, str]:
    lines = text.split("\n\n")
    # sign-off line is last; header is first: prefer body
    body_idx = [
        k
        for k, ln in enumerate(lines[1:-1], start=1)
        if not re.match(r"(Clinical|History|Comparison|Previous|Compared|Prior imaging|Technique|Projection)", ln)
    ]
    cands = []
    for k in body_idx:
        ln = lines[k]
        hdr = re.match(r"^[A-Za-z ]+:\s*", ln)
        start = hdr.end() if hdr else 0
        for m in re.finditer(r"\b(right|left|Right|Left)\b", ln[start:]):
            cands.append((k, start + m.start(), start + m.end(), "side"))
        for m in re.finditer(r"\b(small|moderate|large|mild|Moderate|Large|Small|Mild)\b", ln[start:]):
            cands.append((k, start + m.start(), start + m.end(), "size"))
        for m in re.finditer(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", ln[start:]):
            cands.append((k, start + m.start(), start + m.end(), "num"))
        for m in re.finditer(
            r"\b(consolidation|effusion|pneumothorax|nodule|heart|lungs|mediastinum|"
            r"zone|lobe|base|infection|oedema|angles|fracture|opacity|abnormality|"
            r"granuloma|atelectasis|normal|clear)\b",
            ln[start:],
        ):
            cands.append((k, start + m.start(), start + m.end(), "gen"))
    extra = rng.random() < (0.25 if composed else 0.12)
    if extra or not cands:
        # unfilled template field in the header or sign-off lines
        k = rng.choice(
            [
                j
                for j, ln in enumerate(lines)
                if re.match(r"(Comparison|Previous|Compared|Prior imaging|Clinical|History)", ln)
            ]
            or [len(lines) - 1]
        )
        ln = lines[k]
        if re.match(r"(Comparison|Previous|Compared|Prior imaging)", ln):
            h = ln.split(":", 1)[0]
            lines[k] = f"{h}: CXR {rng.choice(['[date]', '[ ]', '***', 'dd/mm/yyyy'])}."
            return "\n\n".join(lines), "comparison date field left unfilled"
        if re.match(r"(Clinical|History)", ln):
            h = ln.split(":", 1)[0]
            lines[k] = f"{h}: {rng.choice(['[Clinical details]', '[ ]', '***', '<enter history>'])}"
            return "\n\n".join(lines), "clinical details template field left unfilled"
        lines[k] = re.sub(r"Dr [A-Z]\. [A-Za-z']+", rng.choice(["Dr [ ]", "Dr ***", "[name]"]), ln, count=1)
        return "\n\n".join(lines), "reporter name field left unfilled in sign-off"
    k, a, b, typ = rng.choice(cands)
    ln = lines[k]
    word = ln[a:b]
    ph = rng.choice({"side": PH_SIDE, "size": PH_SIZE, "num": PH_NUM, "gen": PH_GEN}[typ])
    lines[k] = ln[:a] + ph + ln[b:]
    return "\n\n".join(lines), f"'{word}' replaced by unfilled field '{ph}'"


# ---------------------------------------------------------------------------
# real reports, restyled
# ---------------------------------------------------------------------------


def _flip(s: str) -> str:
    return re.sub(
        r"\b(right|Right|RIGHT|left|Left|LEFT)\b",
        lambda m: {
            "right": "left",
            "Right": "Left",
            "RIGHT": "LEFT",
            "left": "right",
            "Left": "Right",
            "LEFT": "RIGHT",
        }[m.group(0)],
        s,
    )


def _lat_candidates(f: str, i: str):
    """sentence pairs (findings sentence, impression sentence) on the same single side."""
    if re.search(r"bilateral|both|middle lobe|lingula", f + " " + i, re.I):
        return []
    fs = {m.lower() for m in SIDE.findall(f)}
    isd = {m.lower() for m in SIDE.findall(i)}
    if len(fs) != 1 or fs != isd:
        return []
    out = []
    for a in sents(f):
        if SIDE.search(a) and LAT_TERMS.search(a) and not NEG.search(a):
            for b in sents(i):
                if SIDE.search(b) and LAT_TERMS.search(b) and not NEG.search(b):
                    out.append((a, b))
    return out


NEG_ASSERT = {
    "pneumothorax": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "effusion": ["Small {side} pleural effusion.", "{Side} pleural effusion."],
    "consolidation": ["{Side} lower lobe consolidation, likely infective.", "{Side} basal pneumonia."],
    "cardiomegaly": ["Cardiomegaly.", "Enlarged heart."],
}
NEG_NEGATE = {
    "pneumothorax": "No pneumothorax.",
    "effusion": "No pleural effusion.",
    "consolidation": "Lungs are clear.",
    "oedema": "No pulmonary oedema.",
    "cardiomegaly": "Heart size is normal.",
    "mass": "No lung mass.",
}


def nega_fam(f: str, i: str) -> str | None:
    """a family the findings firmly affirm (the only significant one) and the impression names."""
    for fam in ("effusion", "pneumothorax", "consolidation", "cardiomegaly", "oedema"):
        aff = affirmed(f, fam)
        if (
            aff
            and not any(HEDGE.search(x) and fam != "cardiomegaly" for x in aff)
            and not negated(f, fam)
            and re.search(FAM[fam], i, re.I)
            and all(g == fam for g, _ in sig_sentences(f))
            and not (fam == "cardiomegaly" and affirmed(f, "oedema"))
        ):
            return fam
    return None


def negb_fams(f: str) -> list[str]:
    return [
        fam
        for fam in ("pneumothorax", "effusion", "consolidation", "cardiomegaly")
        if negated(f, fam) and not affirmed(f, fam)
    ]


def real_pools() -> dict:
    if "pools" in _CACHE:
        return _CACHE["pools"]
    dev = dev_uids()
    pools = {k: [] for k in ["clean_n", "clean_a", "omit", "lat", "negA", "negB", "missF"]}
    for r in load_iu():
        if r["uid"] in dev or not sane(r):
            continue
        f, i = r["findings"], r["impression"]
        sig = sig_sentences(f)
        if r["normal"]:
            pools["clean_n"].append(r)
        else:
            pools["clean_a"].append(r)
        if sig and not is_normal_imp(i):
            fam = sig[0][0]
            if fam == "mass" or re.search(FAM.get(fam, fam), i, re.I):
                pools["omit"].append(r)
        if _lat_candidates(f, i):
            pools["lat"].append(r)
        if not r["normal"] and not is_normal_imp(i) and nega_fam(f, i):
            pools["negA"].append(r)
        if r["normal"] and is_normal_imp(i):
            if negb_fams(f):
                pools["negB"].append(r)
            if len(i) < 60:
                pools["missF"].append(r)
    _CACHE["pools"] = pools
    return pools


def real_case(rng: random.Random, kind: str | None, used: set[str]) -> tuple[str, str, str]:
    for _ in range(30):
        out = _real_case(rng, kind, used)
        if out:
            return out
    raise RuntimeError(f"no real report found for {kind}")


def _real_case(rng: random.Random, kind: str | None, used: set[str]):
    pools = real_pools()
    pool = ""

    def pick(name):
        nonlocal pool
        pool = name
        cand = [r for r in pools[name] if r["uid"] not in used]
        r = rng.choice(cand)
        used.add(r["uid"])
        return r

    if kind is None:
        r = pick("clean_n" if rng.random() < 0.55 else "clean_a")
    elif kind == "missing_section":
        r = pick("missF" if rng.random() < 0.3 else ("clean_n" if rng.random() < 0.4 else "clean_a"))
    elif kind == "laterality_conflict":
        r = pick("lat")
    elif kind == "impression_omits_finding":
        r = pick("omit")
    elif kind == "negation_conflict":
        r = pick("negA" if rng.random() < 0.5 else "negB")
    else:
        r = pick("clean_n" if rng.random() < 0.4 else "clean_a")

    f = ukify(r["findings"], rng)
    i = ukify(r["impression"], rng)
    hist = re.sub(r"^[\s,.;:0-9V]+(?=[A-Za-z])", "", r.get("indication", "") or "")
    hist = re.sub(r"^(INDICATION|HISTORY|REASON)\s*:\s*", "", hist, flags=re.I)
    hist = ukify(hist, rng) if hist else rng.choice(["Not given.", "", "SOB.", "Chest pain.", "Cough."])
    comp = r.get("comparison", "")
    if comp and comp.lower().rstrip(".") in ("none", "none available"):
        comp = rng.choice(["None.", "None available.", "No previous imaging."])
    view = "PALAT" if re.search(r"lateral", f + i, re.I) or rng.random() < 0.5 else "PA"
    tech = (
        rng.choice(["", "", "PA and lateral views.", "Two views."])
        if view == "PALAT"
        else rng.choice(["", "PA erect."])
    )
    kw = dict(view=view, history=hist, comparison=comp, technique=tech)
    detail = ""
    uid = r["uid"]

    if kind is None:
        return layout(rng, **kw, findings=f, impression=i), "", uid
    if kind == "missing_section":
        if is_normal_imp(i) and len(i) < 60 and rng.random() < 0.5:
            return (
                layout(rng, **kw, findings=None, impression=i, find_blank=rng.random() < 0.75),
                "findings removed; conclusion is a bare normal statement",
                uid,
            )
        blank = rng.random() < 0.6
        return (
            layout(rng, **kw, findings=f, impression=None, imp_blank=blank),
            "conclusion " + ("left empty under its header" if blank else "omitted entirely"),
            uid,
        )
    if kind == "laterality_conflict":
        lc = _lat_candidates(f, i)
        if not lc:
            return None
        a, b = rng.choice(lc)
        if rng.random() < 0.5:
            i = i.replace(b, _flip(b), 1)
            detail = f"side flipped in conclusion sentence: '{_flip(b)}'"
        else:
            f = f.replace(a, _flip(a), 1)
            detail = f"side flipped in findings sentence: '{_flip(a)}'"
        return layout(rng, **kw, findings=f, impression=i), detail, uid
    if kind == "impression_omits_finding":
        if not sig_sentences(f):
            return None
        fam, s = sig_sentences(f)[0]
        ni = rng.choice(N_IMP)
        return layout(rng, **kw, findings=f, impression=ni), f"conclusion replaced by '{ni}'; findings: '{s}'", uid
    if kind == "negation_conflict":
        fam = nega_fam(f, i) if pool == "negA" else None
        if fam:
            ni = NEG_NEGATE[fam]
            if rng.random() < 0.4:
                ni += " " + rng.choice(["No acute abnormality.", "Otherwise normal."])
            return (
                layout(rng, **kw, findings=f, impression=ni),
                f"findings affirm {fam}; conclusion replaced by '{ni}'",
                uid,
            )
        opts = negb_fams(f)
        if not opts:
            return None
        fam = rng.choice(opts)
        side = rng.choice(["right", "left"])
        ni = rng.choice(NEG_ASSERT[fam]).format(side=side, Side=cap(side))
        return (
            layout(rng, **kw, findings=f, impression=ni),
            f"findings negate {fam}; conclusion replaced by '{ni}'",
            uid,
        )
    text = layout(rng, **kw, findings=f, impression=i)
    t, d = insert_placeholder(rng, text, composed=False)
    return t, d, uid


# ---------------------------------------------------------------------------


def build(seed: int) -> list[dict]:
    rng = random.Random(seed * 1000003 + 120)
    used: set[str] = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j < n // 2:
                rep, det = compose(rng, kind)
                src = "bank"
            else:
                rep, det, uid = real_case(rng, kind, used)
                src = f"IU {uid}"
            rows.append({"injected": kind, "detail": (det + f" [{src}]") if kind else f"[{src}]", "report": rep})
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h120-{seed}-{n}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


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
            got = [r for r in rows if r["injected"] == kind][: a.show]
            for r in got:
                print(f"==== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
