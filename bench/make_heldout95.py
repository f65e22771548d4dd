"""Held-out report-check set 95, written blind (without sight of the checker).

Setting: UK independent-sector (private) hospitals and clinics (BUPA, Spire, Nuffield Health, HCA,
Circle): insured outpatients, pre-operative films for elective surgery, health-assessment medicals and
the NHS-funded patients they see, reported by NHS consultants in private practice.  Reports use British
spelling (oedema, haemidiaphragm, oesophagus), zones rather than lobes, "Clinical details / Comparison /
Findings / Conclusion (Opinion, Impression, Comment)" layouts with an exam line and a consultant sign-off.

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder.  Half of each group is composed from the phrase bank below,
half are real IU (Open-i) reports, never one in the dev set, re-laid-out and lightly re-worded in the
setting's style.  ``detail`` says what was changed and, for IU cases, the source uid (``src=CXR123``).

    python -m bench.make_heldout95 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import functools
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


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ---------------------------------------------------------------------------------------------
# IU reports
# ---------------------------------------------------------------------------------------------

_ABS = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


@functools.lru_cache(maxsize=2)
def load_iu(base: str) -> tuple[dict, ...]:
    path = Path(base) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = _UID.search(raw)
            if not mu:
                continue
            rec = {"uid": mu.group(1)}
            for lab, txt in _ABS.findall(raw):
                txt = re.sub(r"\s+", " ", txt.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
                rec[lab.lower()] = txt.strip()
            out.append(rec)
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


@functools.lru_cache(maxsize=2)
def dev_uids(base: str) -> frozenset:
    uids = set()
    with open(Path(base) / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                uids.add(json.loads(line).get("uid"))
    return frozenset(u for u in uids if u)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


NEG = re.compile(r"\b(no|not|without|negative for|free of|resolved|resolution|clear of|removal|normal)\b", re.I)
HEDGE = re.compile(
    r"(\?|\bpossib|\bquestion|\bcannot\b|\bcould\b|\bmay\b|\bmight\b|\bversus\b|\bvs\b|\bdifferential|\bsubtle|"
    r"\bchronic|\bstable|\bunchanged|\bold\b|\bscar|\bhealed|\bcalcifi|\bprevious|\bagain|\bredemonstrat|"
    r"\bpersist|\bimprov|\bdecreas|\bresolv|\bprior\b|\bno\b|\bnot\b|\bwithout\b|\bnormal|\bnegative|\bfree\b|"
    r"\babsent|\bclear|\bexclude|\bprobabl|\blikely|\bsuspect|\bconcern|\bsuggest|\bborderline|\bminimal|"
    r"\bslight|\btrace\b|\btiny|\btwo\b|[a-z]/[a-z]|\bsecondary to|\baccentuat|\btechnique|\bmarrow)",
    re.I,
)
SIG = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat",
    "airspace disease": r"airspace (disease|opacit|consolidat)",
    "infiltrate": r"infiltrat",
    "pneumonia": r"pneumonia",
    "oedema": r"\bedema|oedema",
    "congestion": r"congest",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
    "widened mediastinum": r"widen\w* (of the )?mediastin|mediastin\w* (is )?widen",
}
SMALL = re.compile(r"\b(small|trace|tiny|minimal|minute|blunting|subpulmonic|loculated)\b", re.I)
BIG = re.compile(r"\b(moderate|large|massive|sizeable|substantial|increas\w*|new|interval|develop\w*)", re.I)
BROAD = dict(SIG, nodule=r"nodul", opacity=r"opacit", atelectasis=r"atelecta", cardiomegaly=r"cardiomegaly")


def negated_at(sent: str, pat: str) -> bool | None:
    m = re.search(pat, sent, re.I)
    if not m:
        return None
    return bool(NEG.search(sent[: m.start()]))


def affirmed_significant(findings: str) -> list[tuple[str, str]]:
    """(term, sentence) for plainly affirmed, unhedged significant findings (conservative)."""
    hits = []
    for s in sentences(findings):
        if HEDGE.search(s) or "XXXX" in s:  # the mask often hides a hedge or a size
            continue
        for term, pat in SIG.items():
            if re.search(pat, s, re.I):
                if term == "effusion" and (SMALL.search(s) or re.search(r"pericard", s, re.I) or not BIG.search(s)):
                    continue
                hits.append((term, s))
    return hits


def clean_ok(rec: dict) -> bool:
    f, i = rec.get("findings", ""), rec.get("impression", "")
    if len(f) < 25 or len(i) < 4:
        return False
    txt = f + " " + i
    if re.search(r"\[|\]|_{2,}|\*\*|<<|see (above|findings)|as above", txt, re.I):
        return False
    for s in sentences(f):
        for term, pat in BROAD.items():
            neg = negated_at(s, pat)
            if neg is False:
                if term in ("opacity", "atelectasis", "cardiomegaly") and not re.search(r"\b(new|increas)", s, re.I):
                    continue
                if term == "effusion" and SMALL.search(s):
                    continue
                if not any(negated_at(t, pat) is False for t in sentences(i)):
                    return False
        if re.search(r"\b(new|increas\w*)\b", s, re.I) and not NEG.search(s):
            if not re.search(r"\b(new|increas\w*)\b", i, re.I):
                return False
    for s in sentences(i):
        for pat in BROAD.values():
            if negated_at(s, pat) is False and any(negated_at(t, pat) for t in sentences(f)):
                if not any(negated_at(t, pat) is False for t in sentences(f)):
                    return False
        for pat in BROAD.values():
            if negated_at(s, pat) is True and any(negated_at(t, pat) is False for t in sentences(f)):
                return False
    # opposite sides for the same finding across sections
    for pat in BROAD.values():
        fs = {x for s in sentences(f) if re.search(pat, s, re.I) for x in re.findall(r"\b(left|right)\b", s, re.I)}
        is_ = {x for s in sentences(i) if re.search(pat, s, re.I) for x in re.findall(r"\b(left|right)\b", s, re.I)}
        fs = {x.lower() for x in fs}
        is_ = {x.lower() for x in is_}
        if fs and is_ and not (fs & is_):
            return False
    return True


UK_SPELL = [
    (r"\bedema", "oedema"),
    (r"\bEdema", "Oedema"),
    (r"\besophag", "oesophag"),
    (r"\bEsophag", "Oesophag"),
    (r"\btumor", "tumour"),
    (r"hemorrhag", "haemorrhag"),
    (r"\bcenter", "centre"),
    (r"\bcentered", "centred"),
    (r"\bvisualized", "visualised"),
    (r"\bVisualized", "Visualised"),
    (r"\bdyspnea", "dyspnoea"),
    (r"\bDyspnea", "Dyspnoea"),
    (r"\bhemoptysis", "haemoptysis"),
    (r"\bHemoptysis", "Haemoptysis"),
    (r"\banesthe", "anaesthe"),
    (r"\bischemi", "ischaemi"),
    (r"\borthopedic", "orthopaedic"),
    (r"\bhematoma", "haematoma"),
    (r"\bleukemia", "leukaemia"),
    (r"\bx-ray", "X-ray"),
    (r"\bchest radiograph", "chest radiograph"),
    (r"\bhyperinflated", "hyperexpanded"),
    (r"\bcalcified granuloma", "calcified granuloma"),
    (r"\banemia", "anaemia"),
    (r"\bfavor", "favour"),
]
REWORD = [
    (
        r"^No acute cardiopulmonary (abnormality|disease|process)\.*$",
        [
            "No acute cardiopulmonary abnormality.",
            "No active cardiopulmonary disease.",
            "No acute cardiopulmonary abnormality demonstrated.",
        ],
    ),
    (r"^Normal chest( x-XXXX| X-ray| radiograph)?\.*$", ["Normal chest radiograph.", "Normal chest X-ray."]),
    (r"^No active disease\.*$", ["No active disease.", "No active intrathoracic disease."]),
]


def ukify(text: str, rng: random.Random) -> str:
    t = re.sub(r"\.(\s*\.)+", ".", text.strip())
    for a, b in UK_SPELL:
        t = re.sub(a, b, t)
    for pat, opts in REWORD:
        if re.match(pat, t, re.I):
            t = rng.choice(opts)
    t = t.replace("The cardiomediastinal silhouette", "The cardiomediastinal contour")
    t = re.sub(r"\bNo pneumothorax or pleural effusion", "No pleural effusion or pneumothorax", t)
    if t and not t.endswith((".", "?", "!")):
        t += "."
    return t


# ---------------------------------------------------------------------------------------------
# Setting: layout, histories, sign-offs
# ---------------------------------------------------------------------------------------------

SITES = [
    "Spire Manchester Hospital",
    "Spire Bushey Hospital",
    "Spire Leeds Hospital",
    "Nuffield Health Cambridge Hospital",
    "Nuffield Health Brighton Hospital",
    "The Wellington Hospital (HCA)",
    "London Bridge Hospital (HCA)",
    "Circle Reading Hospital",
    "Circle Bath Hospital",
    "BMI The Alexandra Hospital",
    "BUPA Cromwell Hospital",
    "Nuffield Health Leicester Hospital",
    "Spire Parkway Hospital",
    "Ramsay Oaklands Hospital",
]
EXAMS = [
    "XR Chest PA",
    "XR CHEST",
    "CR Chest PA",
    "Chest X-ray PA",
    "X-RAY CHEST (PA)",
    "Chest radiograph PA erect",
    "XR Chest",
    "CXR PA",
    "Chest X-ray (PA view)",
    "Plain film chest",
]
HISTORIES_PREOP = [
    "Pre-op assessment. Elective right total hip replacement. Ex-smoker.",
    "Pre-operative assessment for left total knee replacement. HTN.",
    "Pre-op, laparoscopic cholecystectomy. Asymptomatic.",
    "Pre-op bariatric surgery (sleeve gastrectomy). BMI 44.",
    "Pre-operative CXR requested by anaesthetist. Smoker 20 pack years. For hernia repair.",
    "Pre-op assessment, elective lumbar decompression. Mild SOBOE.",
    "Pre-op for shoulder arthroscopy. Asthmatic.",
    "Pre-assessment clinic: for TKR, history of COPD.",
    "Pre-op. Hysterectomy. Recent URTI.",
    "Pre-operative. Prostatectomy. Previous TB contact.",
]
HISTORIES_HA = [
    "Health assessment. Asymptomatic.",
    "Corporate health screen. Ex-smoker.",
    "Well-man health assessment. Smoker.",
    "Insurance medical. No symptoms.",
    "Routine health assessment, 55 y/o. Family history of lung cancer.",
    "Occupational health medical.",
    "Health MOT. Non-smoker. Nil of note.",
]
HISTORIES_SYMPT = [
    "Persistent cough for 6 weeks. Non-smoker.",
    "Cough and fever, raised CRP. ?LRTI.",
    "SOB on exertion. ?cause.",
    "Chest pain, ?musculoskeletal. Normal ECG.",
    "Recurrent chest infections.",
    "Post COVID, persistent breathlessness.",
    "Haemoptysis x1. Ex-smoker.",
    "Known COPD, increasing SOB.",
    "GP referral. Weight loss and cough. Smoker.",
    "Productive cough 3 weeks, not settled with antibiotics.",
    "Fall 2 weeks ago, left sided chest wall pain.",
    "Palpitations, ankle swelling. ?heart failure.",
    "Pleuritic right sided chest pain.",
    "Hoarse voice. ENT referral.",
    "Follow-up of pneumonia treated 6 weeks ago.",
    "NHS referral (e-RS). Chronic cough. Ex-smoker 30 pack years.",
]
COMPARISONS = [
    "None.",
    "None available.",
    "No previous imaging available for comparison.",
    "Nil.",
    "Previous chest radiograph 14/03/2023.",
    "CXR 2019 (NHS PACS image exchange).",
    "Prior film 06/11/2024.",
    "No prior imaging on our system.",
]
TECHNIQUES = [
    "PA erect.",
    "Single PA projection.",
    "PA view, good inspiration.",
    "Erect PA, adequate inspiration.",
    "PA and lateral views.",
]
RADIOLOGISTS = [
    "Dr A Khan",
    "Dr S Patel",
    "Dr J McAllister",
    "Dr R Whitfield",
    "Dr C O'Neill",
    "Dr H Okafor",
    "Dr E Lawson",
    "Dr P Srinivasan",
    "Dr M Hughes",
    "Dr L Fairbairn",
    "Dr T Osei",
    "Dr K Wright",
    "Dr D Fraser",
]
QUALS = ["FRCR", "MBBS FRCR", "MB ChB FRCR", "MRCP FRCR", "BSc MBBS FRCR"]


def signoff(rng: random.Random) -> str:
    name = rng.choice(RADIOLOGISTS)
    q = rng.choice(QUALS)
    gmc = rng.randint(3000000, 7999999)
    return rng.choice(
        [
            f"Reported by: {name} {q}, Consultant Radiologist",
            f"{name}, Consultant Radiologist. GMC {gmc}",
            f"Electronically signed by {name} {q} (Consultant Radiologist)",
            f"Dictated and verified by {name}, Consultant Radiologist, GMC No. {gmc}",
            f"{name} {q}\nConsultant Radiologist",
            f"Reporter: {name}. Verified.",
        ]
    )


def layout(p: dict, rng: random.Random) -> str:
    """p: exam, history, comparison, technique, findings, impression (None = omit section; '' = empty)."""
    style = rng.randrange(5)
    imp_h = rng.choice(["Conclusion", "Opinion", "Impression", "Comment", "Conclusion", "Summary"])
    lines = []
    if rng.random() < 0.35:
        lines.append(rng.choice(SITES) + " - Department of Radiology")
    if style == 0:
        lines.append(p["exam"])
        if p.get("referrer"):
            lines.append(f"Referrer: {p['referrer']}")
        lines.append("")
        lines.append(f"Clinical details: {p['history']}")
        if p.get("comparison") is not None:
            lines.append(f"Comparison: {p['comparison']}")
        lines.append("")
        if p["findings"] is not None:
            lines.append(f"Findings: {p['findings']}".rstrip())
            lines.append("")
        if p["impression"] is not None:
            lines.append(f"{imp_h}: {p['impression']}".rstrip())
    elif style == 1:
        lines.append(f"EXAMINATION: {p['exam'].upper()}")
        lines.append(f"CLINICAL HISTORY: {p['history']}")
        if p.get("comparison") is not None:
            lines.append(f"COMPARISON: {p['comparison']}")
        if p.get("technique"):
            lines.append(f"TECHNIQUE: {p['technique']}")
        lines.append("")
        if p["findings"] is not None:
            lines.append(f"FINDINGS:\n{p['findings']}".rstrip())
            lines.append("")
        if p["impression"] is not None:
            lines.append(f"{imp_h.upper()}:\n{p['impression']}".rstrip())
    elif style == 2:
        lines.append(f"Examination: {p['exam']}")
        lines.append(f"Clinical information: {p['history']}")
        lines.append("")
        if p["findings"] is not None:
            comp = p.get("comparison")
            lead = (
                f"Comparison is made with the {comp[0].lower()}{comp[1:]} "
                if comp and comp.startswith(("Previous", "Prior"))
                else ""
            )
            body = (lead.strip() + " " + p["findings"]).strip() if lead else p["findings"]
            lines.append(f"Report:\n{body}".rstrip())
            lines.append("")
        if p["impression"] is not None:
            lines.append(f"{imp_h}:\n{p['impression']}".rstrip())
    elif style == 3:
        lines.append(p["exam"])
        lines.append(f"History: {p['history']}")
        if p.get("comparison") is not None:
            lines.append(f"Previous: {p['comparison']}")
        if p.get("technique"):
            lines.append(f"Technique: {p['technique']}")
        lines.append("")
        if p["findings"] is not None:
            lines.append(f"FINDINGS: {p['findings']}".rstrip())
        if p["impression"] is not None:
            lines.append(f"{imp_h.upper()}: {p['impression']}".rstrip())
    else:
        lines.append(f"Exam: {p['exam']}")
        lines.append(f"Indication: {p['history']}")
        if p.get("comparison") is not None:
            lines.append(f"Comparison: {p['comparison']}")
        lines.append("")
        if p["findings"] is not None:
            lines.append(f"Findings:\n{p['findings']}".rstrip())
            lines.append("")
        if p["impression"] is not None:
            lines.append(f"{imp_h}:\n{p['impression']}".rstrip())
    lines.append("")
    lines.append(p.get("signoff") or signoff(rng))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def history(rng: random.Random, abnormal: bool = False) -> str:
    r = rng.random()
    if abnormal and r < 0.7:
        return rng.choice(HISTORIES_SYMPT)
    if r < 0.4:
        return rng.choice(HISTORIES_PREOP)
    if r < 0.65:
        return rng.choice(HISTORIES_HA)
    return rng.choice(HISTORIES_SYMPT)


def base_parts(rng: random.Random, abnormal: bool = False) -> dict:
    return {
        "exam": rng.choice(EXAMS),
        "history": history(rng, abnormal),
        "comparison": rng.choice(COMPARISONS) if rng.random() < 0.8 else None,
        "technique": rng.choice(TECHNIQUES) if rng.random() < 0.5 else None,
        "referrer": rng.choice(
            [
                "Mr J Barnes, Consultant Orthopaedic Surgeon",
                "Dr F Ahmed (GP)",
                "Dr N Reid, Consultant Respiratory Physician",
                "Private GP service",
                "Mr P Grant, Consultant General Surgeon",
            ]
        )
        if rng.random() < 0.3
        else None,
    }


# ---------------------------------------------------------------------------------------------
# Phrase bank
# ---------------------------------------------------------------------------------------------

HEART_N = [
    "The heart is not enlarged.",
    "Heart size is normal.",
    "Normal cardiac size and contour.",
    "The cardiothoracic ratio is within normal limits.",
    "Heart size and mediastinal contours are normal.",
]
MEDI_N = [
    "The mediastinum is central and not widened.",
    "Mediastinal contours are unremarkable.",
    "The trachea is central.",
    "Hila are normal in size and density.",
    "The hilar regions are unremarkable.",
]
LUNG_N = [
    "The lungs are clear.",
    "Both lungs are clear.",
    "Clear lung fields.",
    "No focal consolidation, collapse or mass lesion.",
    "No focal lung abnormality.",
]
PLEURA_N = [
    "No pleural effusion.",
    "The costophrenic angles are clear.",
    "No pleural effusion or pneumothorax.",
    "Both costophrenic angles are sharp.",
]
PTX_N = ["No pneumothorax.", "No pneumothorax is seen."]
BONE_N = [
    "The visualised bones are unremarkable.",
    "Bony thorax is intact.",
    "No bony abnormality.",
    "Visualised skeleton is unremarkable.",
    "Soft tissues and bones are unremarkable.",
]
DIAPH_N = [
    "Both hemidiaphragms are clearly defined.",
    "Normal appearance of the hemidiaphragms.",
    "No free gas under the diaphragm.",
]

INCIDENTAL = [  # chronic / incidental: may be left out of the conclusion
    (
        "There is a small calcified granuloma in the {side} mid zone.",
        "Calcified granuloma {side} mid zone, of no significance.",
    ),
    ("Mild degenerative change in the thoracic spine.", "Degenerative thoracic spine."),
    ("The aorta is unfolded.", "Unfolded aorta."),
    ("Calcification of the aortic knuckle.", "Aortic knuckle calcification."),
    ("Old healed fractures of the {side} 6th and 7th ribs.", "Old healed {side} rib fractures."),
    ("Minor linear scarring at the {side} base.", "Minor {side} basal scarring."),
    ("Bilateral nipple shadows are noted.", None),
    ("Cervical rib on the {side}.", None),
]
NORMAL_CONC = [
    "Normal chest radiograph.",
    "Normal chest X-ray.",
    "No active intrathoracic disease.",
    "No acute cardiopulmonary abnormality.",
    "No significant abnormality detected.",
    "Clear chest. No active disease.",
    "Normal appearances.",
    "Satisfactory pre-operative chest radiograph. No abnormality.",
    "No radiographic abnormality to account for symptoms.",
    "Unremarkable chest radiograph.",
]

# Significant findings (always mentioned in a clean conclusion).  Each: findings sentence, conclusion
# phrase, explicit negation in the findings section it clashes with, a conclusion that negates it
# explicitly, and alternative wording for the same finding (for the laterality flip).
SIGNIF = [
    {
        "key": "consolidation",
        "sided": True,
        "f": [
            "There is consolidation in the {side} lower zone.",
            "Patchy airspace shadowing in the {side} lower zone.",
            "Dense consolidation in the {side} mid and lower zones with air bronchograms.",
            "Ill-defined airspace opacification at the {side} base.",
        ],
        "c": [
            "{Side} lower zone consolidation in keeping with infection. Suggest follow-up radiograph in 6 weeks to "
            "confirm resolution.",
            "{Side} basal pneumonia.",
            "{Side} lower zone consolidation, likely infective.",
            "Features of {side} lower lobe pneumonia. Repeat CXR after treatment recommended.",
        ],
        "negf": ["The lungs are clear.", "No focal consolidation.", "Clear lung fields."],
        "negc": ["The lungs are clear.", "No consolidation.", "No focal consolidation or collapse."],
    },
    {
        "key": "effusion",
        "sided": True,
        "f": [
            "Moderate {side} pleural effusion.",
            "There is a moderate-sized {side} pleural effusion with adjacent basal atelectasis.",
            "Large {side} pleural effusion occupying the lower third of the hemithorax.",
            "Moderate {side} effusion with a meniscus.",
        ],
        "c": [
            "Moderate {side} pleural effusion.",
            "{Side} pleural effusion. Clinical correlation and ultrasound if aspiration is considered.",
            "Large {side} pleural effusion.",
            "{Side} sided effusion.",
        ],
        "negf": ["No pleural effusion.", "The costophrenic angles are clear."],
        "negc": ["No pleural effusion.", "No effusion."],
    },
    {
        "key": "pneumothorax",
        "sided": True,
        "f": [
            "There is a {side} apical pneumothorax with a 2 cm rim.",
            "{Side} sided pneumothorax, lung edge visible in the upper zone.",
            "Small {side} apical pneumothorax (1.5 cm at the apex).",
        ],
        "c": [
            "{Side} apical pneumothorax. Findings telephoned to the referring clinician.",
            "{Side} pneumothorax.",
            "Small {side} apical pneumothorax; urgent clinical review advised.",
        ],
        "negf": ["No pneumothorax.", "No pneumothorax is seen."],
        "negc": ["No pneumothorax."],
    },
    {
        "key": "nodule",
        "sided": True,
        "f": [
            "There is a 12 mm rounded nodule in the {side} mid zone.",
            "A 9 mm nodule projects over the {side} upper zone.",
            "Well-defined 2 cm mass in the {side} upper zone.",
            "15 mm soft tissue nodule at the {side} hilum.",
        ],
        "c": [
            "{Side} mid zone nodule. CT chest recommended.",
            "{Side} upper zone nodule; further assessment with CT advised.",
            "{Side} upper zone mass, suspicious. Urgent CT chest recommended (2WW pathway).",
            "{Side} hilar nodule. Recommend CT thorax.",
        ],
        "negf": ["No focal lung lesion.", "No mass lesion.", "No pulmonary nodule seen."],
        "negc": ["No lung nodule or mass.", "No focal lung lesion."],
    },
    {
        "key": "oedema",
        "sided": False,
        "f": [
            "The heart is enlarged with upper lobe venous diversion and bilateral small effusions.",
            "Cardiomegaly. Upper lobe blood diversion, Kerley B lines and perihilar haziness.",
            "Bilateral perihilar airspace shadowing with septal lines, in keeping with pulmonary oedema.",
        ],
        "c": [
            "Cardiomegaly with pulmonary venous congestion, in keeping with cardiac failure.",
            "Features of left ventricular failure.",
            "Pulmonary oedema.",
        ],
        "negf": ["No pulmonary oedema.", "Pulmonary vasculature is normal."],
        "negc": ["No pulmonary oedema.", "No features of cardiac failure."],
    },
    {
        "key": "cardiomegaly",
        "sided": False,
        "f": ["The heart is enlarged (CTR 0.6).", "Cardiomegaly.", "The cardiac silhouette is enlarged."],
        "c": ["Cardiomegaly.", "Enlarged heart; echocardiography may be helpful.", "Cardiomegaly. Lungs clear."],
        "negf": ["The heart is not enlarged.", "Heart size is normal.", "Normal cardiac size."],
        "negc": ["Normal heart size.", "Heart size normal."],
    },
]
# cardiomegaly is not among the significant findings that must reach the conclusion; only used for
# clean (mentioned) and negation cases.
OMIT_KEYS = ["consolidation", "effusion", "pneumothorax", "nodule", "oedema"]


def normal_conc(rng: random.Random, p: dict) -> str:
    opts = [c for c in NORMAL_CONC if "pre-operative" not in c and "symptoms" not in c]
    h = p.get("history") or ""
    if re.search(r"pre-?op|pre-assess", h, re.I):
        opts += [
            "Satisfactory pre-operative chest radiograph. No abnormality.",
            "No contraindication to surgery on the chest radiograph. Normal appearances.",
        ]
    elif re.search(r"cough|SOB|pain|breath|haemoptysis|infection|palpitation", h, re.I):
        opts += ["No radiographic abnormality to account for symptoms."]
    return rng.choice(opts)


def pick_sig(key: str) -> dict:
    return next(s for s in SIGNIF if s["key"] == key)


def normal_findings(rng: random.Random, drop: set | None = None) -> list[list[str]]:
    """Return groups of normal sentences by topic, so a topic can be replaced."""
    drop = drop or set()
    groups = {
        "heart": [rng.choice(HEART_N)],
        "medi": [rng.choice(MEDI_N)] if rng.random() < 0.6 else [],
        "lung": [rng.choice(LUNG_N)],
        "pleura": [rng.choice(PLEURA_N)],
        "ptx": [rng.choice(PTX_N)] if rng.random() < 0.5 else [],
        "diaph": [rng.choice(DIAPH_N)] if rng.random() < 0.3 else [],
        "bone": [rng.choice(BONE_N)] if rng.random() < 0.6 else [],
    }
    if groups["pleura"][0].endswith("or pneumothorax."):
        groups["ptx"] = []
    for d in drop:
        groups[d] = []
    return groups


TOPIC_OF = {
    "consolidation": "lung",
    "effusion": "pleura",
    "pneumothorax": "ptx",
    "nodule": "lung",
    "oedema": "heart",
    "cardiomegaly": "heart",
}


def flat(groups: dict) -> str:
    order = ["heart", "medi", "lung", "pleura", "ptx", "diaph", "bone", "extra"]
    return " ".join(s for k in order for s in groups.get(k, []))


def side_fmt(t: str, side: str) -> str:
    return t.replace("{side}", side).replace("{Side}", side.capitalize())


def fix_effusion_lung(groups: dict, key: str) -> None:
    # a normal "no pleural effusion or pneumothorax" must not sit beside an affirmed effusion/pneumothorax
    if key in ("effusion", "pneumothorax"):
        groups["pleura"] = [] if key == "effusion" else [rng_safe_pleura(groups)]
        groups["ptx"] = []
    if key == "oedema":
        groups["pleura"] = []
        groups["lung"] = []


def rng_safe_pleura(groups: dict) -> str:
    cur = groups.get("pleura") or ["No pleural effusion."]
    return "No pleural effusion." if "pneumothorax" in cur[0] else cur[0]


def composed_clean(rng: random.Random) -> tuple[dict, str]:
    p = base_parts(rng)
    r = rng.random()
    if r < 0.58:  # normal
        g = normal_findings(rng)
        conc = normal_conc(rng, p)
        if rng.random() < 0.3:
            side = rng.choice(["left", "right"])
            f, c = rng.choice(INCIDENTAL)
            g["extra"] = [side_fmt(f, side)]
            if c and rng.random() < 0.5:
                conc = (
                    side_fmt(c, side)
                    + " "
                    + rng.choice(["Otherwise normal.", "No active disease.", "No acute abnormality."])
                )
        p["findings"], p["impression"] = flat(g), conc
        detail = "composed normal"
        if rng.random() < 0.12:  # impression-only report that itself describes the image
            p["findings"] = None
            p["impression"] = rng.choice(
                [
                    "Normal heart size. Clear lungs. No pleural effusion or pneumothorax. Normal chest radiograph.",
                    "Heart and mediastinum normal. Lungs clear with no focal lesion. No effusion. No active disease.",
                    "The heart is not enlarged and the lungs are clear. No pleural effusion. "
                    "Satisfactory pre-operative film.",
                ]
            )
            detail = "composed normal, conclusion-only report describing the film"
    elif r < 0.75:  # minor / chronic findings
        g = normal_findings(rng)
        choice = rng.randrange(4)
        if choice == 0:
            g["heart"] = [
                rng.choice(
                    [
                        "The heart is borderline enlarged.",
                        "Mild cardiomegaly, unchanged.",
                        "Heart size at the upper limit of normal.",
                    ]
                )
            ]
            conc = rng.choice(
                [
                    "No active disease.",
                    "Borderline heart size. Lungs clear.",
                    "Mild cardiomegaly. No acute abnormality.",
                ]
            )
        elif choice == 1:
            g["lung"] = [
                rng.choice(
                    [
                        "The lungs are hyperexpanded with flattened hemidiaphragms.",
                        "Hyperinflated lungs consistent with known COPD. No focal consolidation.",
                    ]
                )
            ]
            conc = rng.choice(
                [
                    "Hyperexpanded lungs in keeping with COPD. No acute change.",
                    "Changes of COPD. No consolidation or pneumothorax.",
                ]
            )
        elif choice == 2:
            side = rng.choice(["left", "right"])
            g["pleura"] = [f"Blunting of the {side} costophrenic angle, likely a small effusion or pleural thickening."]
            g["ptx"] = []
            conc = rng.choice(
                [
                    "No active disease.",
                    f"Minor blunting of the {side} costophrenic angle. Otherwise clear.",
                    f"Small {side} effusion or pleural thickening; otherwise normal.",
                ]
            )
        else:
            g["extra"] = [
                rng.choice(
                    [
                        "There is a retrocardiac air-fluid level in keeping with a hiatus hernia.",
                        "Median sternotomy wires and mediastinal clips from previous CABG.",
                        "Dual chamber pacemaker with leads in satisfactory position.",
                    ]
                )
            ]
            conc = rng.choice(
                [
                    "Hiatus hernia. No active lung disease.",
                    "Post-CABG. No acute abnormality.",
                    "No acute cardiopulmonary abnormality.",
                ]
            )
        p["findings"], p["impression"] = flat(g), conc
        detail = "composed, minor/chronic finding"
    else:  # significant finding, correctly reported
        key = rng.choice(
            ["consolidation", "consolidation", "effusion", "nodule", "oedema", "pneumothorax", "cardiomegaly"]
        )
        sig = pick_sig(key)
        side = rng.choice(["left", "right"])
        g = normal_findings(rng, drop={TOPIC_OF[key]})
        fix_effusion_lung(g, key)
        g[TOPIC_OF[key]] = [side_fmt(rng.choice(sig["f"]), side)]
        p["history"] = history(rng, True)
        p["findings"] = flat(g)
        p["impression"] = side_fmt(rng.choice(sig["c"]), side)
        detail = f"composed, {key} reported in conclusion"
    p["signoff"] = None
    return p, detail


def composed_error(kind: str, rng: random.Random, i: int) -> tuple[dict, str]:
    p = base_parts(rng, abnormal=True)
    side = rng.choice(["left", "right"])
    other = "left" if side == "right" else "right"
    if kind == "missing_section":
        variant = i % 4
        if variant in (0, 1):
            key = rng.choice(["consolidation", "effusion", "nodule", None, None])
            g = normal_findings(rng)
            if key:
                sig = pick_sig(key)
                g[TOPIC_OF[key]] = []
                fix_effusion_lung(g, key)
                g[TOPIC_OF[key]] = [side_fmt(rng.choice(sig["f"]), side)]
            p["findings"] = flat(g)
            p["impression"] = "" if variant == 0 else None
            return p, ("conclusion header left empty" if variant == 0 else "conclusion section absent") + (
                f" (findings describe {key})" if key else " (findings described)"
            )
        p["findings"] = "" if variant == 2 else None
        p["impression"] = rng.choice(
            [
                "As above.",
                "No significant change.",
                "Stable appearances since previous.",
                "See report.",
                "Unchanged.",
                "For clinical correlation.",
            ]
        )
        if variant == 2 and rng.random() < 0.5:
            p["findings"] = ""
        return p, "findings section empty/absent; conclusion does not describe the film"
    if kind == "laterality_conflict":
        key = rng.choice(["consolidation", "consolidation", "effusion", "pneumothorax", "nodule"])
        sig = pick_sig(key)
        g = normal_findings(rng, drop={TOPIC_OF[key]})
        fix_effusion_lung(g, key)
        fs = side_fmt(rng.choice(sig["f"]), side)
        if i % 5 == 4 and key in ("effusion", "consolidation"):
            # conflict within the findings: a second sentence puts the same process on the other side
            second = (
                f"The {other} costophrenic angle is obliterated by this effusion."
                if key == "effusion"
                else f"The {other} hemidiaphragm is obscured by the consolidation."
            )
            g[TOPIC_OF[key]] = [fs, second]
            p["findings"] = flat(g)
            p["impression"] = side_fmt(rng.choice(sig["c"]), side)
            return p, f"findings: {key} on the {side}, then a second sentence places it on the {other}"
        g[TOPIC_OF[key]] = [fs]
        p["findings"] = flat(g)
        p["impression"] = side_fmt(rng.choice(sig["c"]), other)
        return p, f"findings place {key} on the {side}; conclusion says {other}"
    if kind == "negation_conflict":
        key = rng.choice(["consolidation", "effusion", "pneumothorax", "nodule", "oedema", "cardiomegaly"])
        sig = pick_sig(key)
        if i % 2 == 0:
            # findings negate, conclusion affirms
            g = normal_findings(rng, drop={TOPIC_OF[key]})
            g[TOPIC_OF[key]] = [rng.choice(sig["negf"])]
            if key == "oedema":
                g["lung"] = [rng.choice(["The lungs are clear.", "Clear lung fields."])]
            p["findings"] = flat(g)
            p["impression"] = side_fmt(rng.choice(sig["c"]), side)
            return p, f"findings negate {key} ({g[TOPIC_OF[key]][0]!r}); conclusion affirms it"
        g = normal_findings(rng, drop={TOPIC_OF[key]})
        fix_effusion_lung(g, key)
        g[TOPIC_OF[key]] = [side_fmt(rng.choice(sig["f"]), side)]
        p["findings"] = flat(g)
        p["impression"] = rng.choice(sig["negc"]) + rng.choice(
            ["", " Otherwise normal.", " No acute abnormality.", " No other abnormality."]
        )
        return p, f"findings affirm {key}; conclusion negates it"
    if kind == "impression_omits_finding":
        key = OMIT_KEYS[i % len(OMIT_KEYS)]
        sig = pick_sig(key)
        g = normal_findings(rng, drop={TOPIC_OF[key]})
        fix_effusion_lung(g, key)
        fs = side_fmt(rng.choice([f for f in sig["f"] if not f.startswith("Small")]), side)
        if key == "consolidation" and rng.random() < 0.3:
            fs = f"New consolidation in the {side} lower zone compared with the previous film."
            p["comparison"] = rng.choice(["Previous chest radiograph 14/03/2023.", "Prior film 06/11/2024."])
        g[TOPIC_OF[key]] = [fs]
        if rng.random() < 0.3:
            f, c = rng.choice(INCIDENTAL[:4])
            g["extra"] = [side_fmt(f, other)]
            conc = side_fmt(c, other) + " " + rng.choice(["Otherwise normal.", "No active disease."])
        else:
            conc = normal_conc(rng, p)
        p["findings"] = flat(g)
        p["impression"] = conc
        return p, f"findings describe {key} ({fs!r}); conclusion is a normal statement that omits it"
    # placeholder
    g = normal_findings(rng)
    conc = normal_conc(rng, p)
    v = i % 12
    detail = ""
    if v == 0:
        sig = pick_sig("nodule")
        g["lung"] = [f"There is a [***] mm nodule in the {side} mid zone."]
        conc = side_fmt(sig["c"][0], side)
        detail = "nodule size left as [***]"
    elif v == 1:
        p["comparison"] = "Previous chest radiograph dated [DATE]."
        detail = "comparison date field [DATE] not filled"
    elif v == 2:
        sig = pick_sig("consolidation")
        g["lung"] = ["There is consolidation in the [LEFT/RIGHT] lower zone."]
        conc = rng.choice(
            [
                "Lower zone consolidation in keeping with infection. Follow-up radiograph in 6 weeks.",
                "Consolidation, likely infective.",
            ]
        )
        detail = "side field [LEFT/RIGHT] not chosen"
    elif v == 3:
        g["heart"] = ["Cardiothoracic ratio: <<CTR>>."]
        detail = "template field <<CTR>> not filled"
    elif v == 4:
        conc = "*** " + conc
        detail = "dictation marker *** left in the conclusion"
    elif v == 5:
        p["history"] = "[Clinical details]"
        detail = "clinical details template field not filled"
    elif v == 6:
        g["pleura"] = ["No pleural effusion."]
        g["ptx"] = ["[ ] pneumothorax."]
        detail = "pick-list field [ ] left blank before 'pneumothorax'"
    elif v == 7:
        g["extra"] = ["Further comment: {free text}."]
        detail = "template free-text field {free text} left in"
    elif v == 8:
        g["heart"] = ["Heart size: [normal / enlarged]."]
        detail = "pick-list [normal / enlarged] not chosen"
    elif v == 9:
        p["signoff"] = "Reported by: Dr [REPORTER NAME], Consultant Radiologist"
        detail = "reporter name field left as [REPORTER NAME]"
    elif v == 10:
        g["lung"] = [f"Small {side} apical pneumothorax measuring ** cm at the apex."]
        g["ptx"] = []
        g["pleura"] = ["No pleural effusion."]
        conc = f"Small {side} apical pneumothorax. Result phoned to referrer."
        detail = "pneumothorax depth left as **"
    else:
        p["comparison"] = "Compared with ***."
        detail = "comparison field left as ***"
    p["findings"] = flat(g)
    p["impression"] = conc
    return p, detail


# ---------------------------------------------------------------------------------------------
# IU-derived cases
# ---------------------------------------------------------------------------------------------


def iu_parts(rec: dict, rng: random.Random) -> dict:
    p = base_parts(rng)
    ind = rec.get("indication", "").strip()
    p["history"] = ukify(ind, rng) if ind else rng.choice(HISTORIES_HA + HISTORIES_PREOP)
    comp = rec.get("comparison", "").strip()
    if comp:
        p["comparison"] = "None available." if re.match(r"^none\.?$", comp, re.I) else ukify(comp, rng)
    else:
        p["comparison"] = None
    p["technique"] = rng.choice(["PA and lateral views.", "PA and lateral.", None])
    p["findings"] = ukify(rec["findings"], rng)
    p["impression"] = ukify(rec["impression"], rng)
    return p


SIDE_SENT = re.compile(r"\b(left|right)\b", re.I)


def flip_side(s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        o = "right" if w.lower() == "left" else "left"
        return o.capitalize() if w[0].isupper() else o

    return SIDE_SENT.sub(rep, s)


LAT_TERMS = [
    "effusion",
    "pneumothora",
    "opacit",
    "consolidat",
    "atelecta",
    "nodul",
    "granuloma",
    "infiltrat",
    "airspace",
    "pneumonia",
    "mass",
    "scar",
    "fracture",
    "hemidiaphragm",
    "density",
    "lobe",
]
LAT_SKIP = re.compile(
    r"coronary|atri|ventric|heart border|subclavian|jugular|catheter|port\b|picc|line|tube|"
    r"pacemaker|clip|shoulder|humer|clavic|mastectom|breast|arch|middle lobe|lingul",
    re.I,
)


def lat_candidate(rec: dict) -> list:
    f, i = rec.get("findings", ""), rec.get("impression", "")
    fs, is_ = sentences(f), sentences(i)
    opts = []
    for sec, here, there in (("impression", is_, fs), ("findings", fs, is_)):
        for k, s in enumerate(here):
            sides = {x.lower() for x in SIDE_SENT.findall(s)}
            if len(sides) != 1 or re.search(r"bilateral|both", s, re.I) or LAT_SKIP.search(s):
                continue
            side = sides.pop()
            terms = [t for t in LAT_TERMS if re.search(t, s, re.I)]
            if not terms:
                continue
            other_side = "right" if side == "left" else "left"
            if re.search(rf"\b{other_side}\b", " ".join(there), re.I):
                continue
            match = [
                t for t in there if any(re.search(x, t, re.I) for x in terms) and re.search(rf"\b{side}\b", t, re.I)
            ]
            if match:
                opts.append((sec, k))
    return opts


def iu_error(kind: str, rec: dict, rng: random.Random, i: int) -> tuple[dict, str]:
    p = iu_parts(rec, rng)
    uid = rec["uid"]
    if kind == "missing_section":
        if i % 3 == 2:
            p["findings"] = "" if rng.random() < 0.6 else None
            return p, f"src={uid}: findings emptied; the conclusion ({p['impression']!r}) does not describe the film"
        p["impression"] = "" if rng.random() < 0.6 else None
        return p, f"src={uid}: conclusion emptied"
    if kind == "laterality_conflict":
        sec, k = rng.choice(lat_candidate(rec))
        ss = sentences(p[sec])
        # ukify may not change the sentence split; find by index with guard
        k = min(k, len(ss) - 1)
        old = ss[k]
        ss[k] = flip_side(old)
        p[sec] = " ".join(ss)
        return p, f"src={uid}: side flipped in {sec}: {old!r} -> {ss[k]!r}"
    if kind == "impression_omits_finding":
        hits = affirmed_significant(rec["findings"])
        conc = normal_conc(rng, p)
        p["impression"] = conc
        return p, f"src={uid}: conclusion replaced by {conc!r}; findings affirm {hits[0][0]} ({hits[0][1]!r})"
    if kind == "negation_conflict":
        if i % 2 == 0:
            hits = affirmed_significant(rec["findings"])
            term, sent = hits[0]
            neg = {
                "pneumothorax": "No pneumothorax.",
                "consolidation": "No consolidation.",
                "airspace disease": "Lungs clear. No airspace disease.",
                "infiltrate": "The lungs are clear.",
                "pneumonia": "No evidence of pneumonia.",
                "oedema": "No pulmonary oedema.",
                "congestion": "No pulmonary venous congestion.",
                "effusion": "No pleural effusion.",
                "mass": "No lung mass.",
                "widened mediastinum": "Mediastinum not widened.",
            }[term]
            p["impression"] = neg + rng.choice(["", " No acute abnormality.", " Otherwise normal."])
            return p, f"src={uid}: conclusion negates {term} that findings affirm ({sent!r})"
        f = rec["findings"]
        side = rng.choice(["left", "right"]).capitalize()
        opts = []
        if re.search(r"\bno (focal )?(pleural )?effusion|without (pleural )?effusion|no .{0,40}effusion", f, re.I):
            opts.append(("effusion", f"{side} pleural effusion."))
        if re.search(r"\bno .{0,40}pneumothora", f, re.I):
            opts.append(("pneumothorax", f"{side} apical pneumothorax."))
        if re.search(r"lungs are clear|no (focal )?(airspace|consolidation)|no .{0,30}consolidat", f, re.I):
            opts.append(("consolidation", f"{side} lower zone consolidation, likely infective."))
        if re.search(
            r"heart size (is )?(within )?normal|normal heart size|heart is normal in size|"
            r"cardiac (silhouette|size) (is )?(within )?normal",
            f,
            re.I,
        ):
            opts.append(("cardiomegaly", "Cardiomegaly."))
        term, conc = rng.choice(opts)
        p["impression"] = conc
        return p, f"src={uid}: conclusion replaced by {conc!r}; findings negate {term}"
    # placeholder
    fld = rng.choice(["findings", "impression", "findings"])
    words = list(re.finditer(r"\b[A-Za-z]{4,}\b", p[fld]))
    words = [w for w in words if w.group(0) != "XXXX"]
    w = rng.choice(words)
    ph = rng.choice(["[***]", "[ ]", "<<>>", "***", "[insert]", "[...]", "<< >>", "[TBC]"])
    if re.fullmatch(r"left|right", w.group(0), re.I):
        ph = "[LEFT/RIGHT]"
    p[fld] = p[fld][: w.start()] + ph + p[fld][w.end() :]
    return p, f"src={uid}: {w.group(0)!r} in {fld} replaced by {ph}"


ABN_ANY = dict(
    BROAD,
    enlarged=r"enlarg",
    density=r"densit",
    granuloma=r"granulom",
    hernia=r"hernia",
    fracture=r"fractur",
    elevat=r"elevat",
    hyper=r"hyperinfl|hyperexpan|emphysem|copd",
    device=r"catheter|tube|pacemaker|sternotomy|clip|picc|port\b",
)


def plain_normal(rec: dict) -> bool:
    """No abnormal term affirmed anywhere in findings or impression (for impression replacement)."""
    for s in sentences(rec.get("findings", "") + " " + rec.get("impression", "")):
        for pat in ABN_ANY.values():
            if negated_at(s, pat) is False:
                return False
    return True


def neg_b_ok(rec: dict) -> bool:
    f = rec.get("findings", "")
    if not plain_normal(rec):
        return False
    return bool(
        re.search(
            r"\bno .{0,40}(effusion|pneumothora|consolidat)|lungs are clear|heart size (is )?"
            r"(within )?normal|normal heart size",
            f,
            re.I,
        )
    )


def omit_ok(rec: dict) -> bool:
    f, i = rec.get("findings", ""), rec.get("impression", "")
    if len(f) < 25 or len(i) < 4 or re.search(r"\[|_{2,}|\*\*", f + i):
        return False
    if not affirmed_significant(f):
        return False
    # the reporting radiologist concluded on a significant finding (so replacing it drops one)
    return any(negated_at(s, pat) is False for s in sentences(i) for pat in SIG.values())


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------

GENERIC_IMP = re.compile(
    r"(1\.\s*)?(no acute (cardiopulmonary |pulmonary |intrathoracic |radiographic )*(abnormalit(y|ies)|disease|process|"
    r"findings?)|no active disease|stable (exam|examination|appearance)|no interval change)( identified| seen)?\.*",
    re.I,
)


def build(seed: int) -> list[dict]:
    base = str(shared_dir())
    rng = random.Random(f"h95-{seed}")
    dev = dev_uids(base)
    iu = [r for r in load_iu(base) if r["uid"] not in dev and r.get("findings") and r.get("impression")]
    iu = [r for r in iu if not re.search(r"\[|_{2,}|\*\*", r["findings"] + r["impression"])]
    used: set = set()
    ok = {
        r["uid"]: clean_ok(r)
        and all(re.search(SIG[t], r["impression"], re.I) for t, _ in affirmed_significant(r["findings"]))
        for r in iu
    }

    def take(pred, n: int) -> list[dict]:
        pool = [r for r in iu if r["uid"] not in used and pred(r)]
        got = rng.sample(pool, n)
        used.update(r["uid"] for r in got)
        return got

    rows: list[dict] = []

    def add(kind, parts, detail):
        rows.append({"injected": kind, "detail": detail, "report": layout(parts, rng)})

    half_c = N_CLEAN // 2
    half_k = N_KIND // 2
    for _ in range(half_c):
        p, d = composed_clean(rng)
        add(None, p, d)
    for r in take(lambda r: ok[r["uid"]], half_c):
        add(None, iu_parts(r, rng), f"src={r['uid']}: unmodified, re-laid-out")
    for kind in KINDS:
        for i in range(half_k):
            p, d = composed_error(kind, rng, i)
            add(kind, p, "composed: " + d)
        if kind == "missing_section":
            recs = take(lambda r: ok[r["uid"]], half_k - half_k // 3) + take(
                lambda r: (
                    ok[r["uid"]]
                    and len(r["impression"].split()) <= 8
                    and re.search(r"no acute|no active|stable|unchanged|no change|no interval", r["impression"], re.I)
                    and GENERIC_IMP.fullmatch(r["impression"].strip()) is not None
                ),
                half_k // 3,
            )
            gen = recs[half_k - half_k // 3 :]
            rest = recs[: half_k - half_k // 3]
            for i in range(half_k):
                r = gen.pop() if i % 3 == 2 else rest.pop()
                p, d = iu_error(kind, r, rng, i)
                add(kind, p, d)
            continue
        if kind == "laterality_conflict":
            recs = take(lambda r: ok[r["uid"]] and bool(lat_candidate(r)), half_k)
        elif kind == "impression_omits_finding":
            recs = take(omit_ok, half_k)
        elif kind == "negation_conflict":
            a = take(omit_ok, half_k // 2)
            b = take(
                lambda r: ok[r["uid"]] and neg_b_ok(r) and not affirmed_significant(r["findings"]), half_k - half_k // 2
            )
            recs = [x for pair in zip(a, b, strict=False) for x in pair]
        else:
            recs = take(lambda r: ok[r["uid"]], half_k)
        for i, r in enumerate(recs):
            p, d = iu_error(kind, r, rng, i)
            add(kind, p, d)
    rng.shuffle(rows)
    return [{"id": f"h95-{seed}-{n}", **row} for n, row in enumerate(rows)]


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
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
