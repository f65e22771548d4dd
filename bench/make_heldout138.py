"""Held-out report-error set 138: Brunei and Malaysian Borneo (Sabah, Sarawak) chest X-ray reporting.

Written blind (without the checker's rules). 400 cases a seed: 200 clean reports and 40 of each of the five
kinds of ``shared/eval/README.md``. Half of every group is composed from the phrase bank below (government and
private hospitals, emergency, ward, TB clinic, FOMEMA foreign-worker screening and outpatient films), half are
real IU reports (never a dev-set uid, each used at most once a set) re-laid out and lightly re-worded in the
setting's style (British spelling, its headers, sign-offs and words for normal).

    python -m bench.make_heldout138 OUT.jsonl --seed S [--show N]

``MEDRAG_SHARED_DIR`` overrides where the shared folder is (default ``../shared`` beside the repo root).
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
from functools import lru_cache
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
PREFIX = "h138"


# --------------------------------------------------------------------------------------------------------------
# shared data


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def iu_archive(base: Path | None = None) -> Path:
    return (base or shared_dir()) / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_set(base: Path | None = None) -> Path:
    return (base or shared_dir()) / "eval" / "report_errors_dev.jsonl"


@lru_cache(maxsize=4)
def _load_iu(tgz: str) -> tuple[dict, ...]:
    rows = []
    with tarfile.open(tgz) as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            parts = {}
            for a in root.iter("AbstractText"):
                parts[(a.get("Label") or "").upper()] = " ".join((a.text or "").split())
            uid = uid_el.get("id")
            rows.append(
                {
                    "uid": uid,
                    "num": int(re.sub(r"\D", "", uid) or 0),
                    "findings": parts.get("FINDINGS", ""),
                    "impression": parts.get("IMPRESSION", ""),
                    "indication": parts.get("INDICATION", ""),
                    "comparison": parts.get("COMPARISON", ""),
                }
            )
    rows.sort(key=lambda r: r["num"])
    return tuple(rows)


@lru_cache(maxsize=4)
def _dev_uids(path: str) -> frozenset:
    uids = set()
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                uids.add(json.loads(line)["uid"])
    return frozenset(uids)


# --------------------------------------------------------------------------------------------------------------
# reading IU reports: sentences, clauses, finding families, negation, sides

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_NUMBERING = re.compile(r"(?:^|(?<=\s))\d{1,2}[.)]\s+(?=[A-Za-z])")


def _sentences(text: str) -> list[str]:
    """Sentences of a section; a numbered list's numbers are dropped."""
    out = []
    for item in _NUMBERING.split(text or ""):
        for s in _SENT_SPLIT.split(item.strip()):
            s = s.strip()
            s = re.sub(r"(\s*\.)+$", ".", s)
            if re.search(r"[A-Za-z]{2}", s):
                if not s.endswith((".", "?", "!")):
                    s += "."
                out.append(s)
    return out


def _impression_items(text: str) -> list[str]:
    """A numbered impression keeps its items whole; otherwise one item a sentence."""
    numbered = [p for p in _NUMBERING.split(text or "") if re.search(r"[A-Za-z]{2}", p)]
    if len(_NUMBERING.findall(text or "")) >= 2 and len(numbered) >= 2:
        return [" ".join(_sentences(p)) for p in numbered if _sentences(p)]
    return _sentences(text)


FAMILIES = {
    "effusion": r"effusion|hydrothorax|pleural fluid",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|air\s?space (disease|opacit|process|infiltrat)|pneumoni|infiltrat",
    "oedema": r"o?edema|vascular congestion|pulmonary congestion|venous congestion|fluid overload",
    "cardiomegaly": r"cardiomegaly|(heart|cardiac silhouette|cardiac size|heart size|cardiac shadow)\b[^.,;]{0,25}"
    r"\benlarge|enlarged (heart|cardiac)|cardiac enlargement",
    "nodule": r"nodul|\bmass(es)?\b|granuloma",
    "opacity": r"opacit|densit|haziness|shadowing",
    "atelectasis": r"atelecta|collapse",
    "freeair": r"free (intraperitoneal |subdiaphragmatic )?air|pneumoperitoneum|air under",
    "widemed": r"widen\w* (of the )?(superior )?mediastin|mediastin\w* (is |appears )?widen",
    "fracture": r"fracture",
    "hyperinflation": r"hyperinfla|hyperexpan|emphysema|copd|hyperlucen",
}
_FAM_RE = {k: re.compile(v, re.I) for k, v in FAMILIES.items()}
# families read together for the sides a finding is placed on (a basal opacity may be called pneumonia)
GROUP = {"consolidation": "lung", "opacity": "lung", "atelectasis": "lung", "nodule": "lung"}
SIGNIFICANT = {"effusion", "pneumothorax", "consolidation", "oedema", "nodule", "opacity", "atelectasis", "freeair",
               "widemed", "cardiomegaly", "fracture"}
_NEG_CUE = re.compile(
    r"\b(no|not|without|negative|free of|clear of|absence|absent|exclude[sd]?|resolved|resolution|removed|"
    r"rule out|ruled out|neither|nor|clearing|cleared)\b",
    re.I,
)
_NEG_AFTER = re.compile(
    r"\b(ha(s|ve) (since )?(resolved|cleared|been removed)|no longer|(is|are) not (seen|present|visible|identified|"
    r"evident|appreciated|demonstrated|visuali[sz]ed|perceptible)|resolved|been removed)\b",
    re.I,
)
_NOT_NEG = re.compile(
    r"\bno (significant |interval |appreciable |substantial )?(change|changes|interval change)\b|"
    r"\bnot (significantly )?changed\b|\bnot (well )?(seen|visualized|visualised) on the lateral\b",
    re.I,
)
_HEDGE = re.compile(
    r"\b(may|might|could|possibl[ey]|questionabl[ey]|cannot be excluded|not excluded|suspicious|concerning|"
    r"versus|vs|suggest\w*|likely|probabl[ey]|favou?r\w*|differential|consider)\b|\?",
    re.I,
)
_SMALL = re.compile(r"\b(small|tiny|trace|minimal|minute|trivial|mild|little|blunting)\b", re.I)
_SIDE = re.compile(r"\b(right|left)\b", re.I)
_BILAT = re.compile(r"\b(bilateral\w*|both|bibasal|bibasilar|bi-?basilar|biapical)\b", re.I)
_LUNGS_CLEAR = re.compile(
    r"\blungs? (fields? )?(are |is |remain |appear |appears )?(\w+ )?(clear|normal|unremarkable)\b|\bclear lungs\b|"
    r"\blung fields are clear\b",
    re.I,
)
_HEART_NORMAL = re.compile(
    r"\b(heart|cardiac)( size| silhouette| contour| shadow)?( and \w+( \w+)?)? (is |are |appears |remains )?"
    r"(normal|within normal limits|not enlarged)\b|\bnormal (heart|cardiac) (size|silhouette)\b|"
    r"\bheart size (is )?normal\b",
    re.I,
)
_PLEURA_CLEAR = re.compile(
    r"\bpleural spaces? (are |is )?clear\b|\bcostophrenic angles? (are |is )?(sharp|clear|preserved)\b|"
    r"\bcp angles? (are |is )?(sharp|clear|preserved)\b",
    re.I,
)
_NORMAL_IMP = re.compile(
    r"\bno (acute|active|significant|radiographic|radiological)\b|\bnormal (chest|study|radiograph|exam|examination)\b|"
    r"\bnegative (chest|for acute|study|exam)\b|\bno (acute )?abnormalit|\bwithin normal limits\b|"
    r"\bno evidence of (acute|active)\b|\bunremarkable\b|\bclear lungs\b|\bno abnormality\b|\bnad\b",
    re.I,
)
_CLAUSE_SPLIT = re.compile(r",?\s*\b(?:but|however|although|though|whereas)\b\s*|;\s*|:\s*|(?<=\.)\s+", re.I)


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(sentence) if c and c.strip()]


def _sides(text: str) -> set[str]:
    return {m.lower() for m in _SIDE.findall(text)}


def analyse(text: str | list[str]) -> dict:
    """Per family: sides where affirmed, whether negated, whether hedged; plus per-sentence facts."""
    aff: dict[str, set[str]] = {}
    neg: set[str] = set()
    hedged: set[str] = set()
    small_eff = False
    sents = _sentences(text) if isinstance(text, str) else list(text)
    per_sentence = []
    for s in sents:
        s_aff: set[str] = set()
        s_neg: set[str] = set()
        for cl in _clauses(s):
            probe = _NOT_NEG.sub(" stable ", cl)
            after = bool(_NEG_AFTER.search(probe))
            for fam, rx in _FAM_RE.items():
                for m in rx.finditer(probe):
                    before = probe[: m.end()]
                    if after or _NEG_CUE.search(before):
                        neg.add(fam)
                        s_neg.add(fam)
                    else:
                        aff.setdefault(fam, set()).update(_sides(probe))
                        if _BILAT.search(probe):
                            aff[fam].update({"right", "left"})
                        s_aff.add(fam)
                        if _HEDGE.search(probe):
                            hedged.add(fam)
                        if fam == "effusion" and _SMALL.search(probe):
                            small_eff = True
            if _LUNGS_CLEAR.search(probe):
                neg.update({"consolidation", "oedema"})
                s_neg.update({"consolidation", "oedema"})
            if _HEART_NORMAL.search(probe):
                neg.add("cardiomegaly")
                s_neg.add("cardiomegaly")
            if _PLEURA_CLEAR.search(probe):
                neg.add("effusion")
                s_neg.add("effusion")
        per_sentence.append({"text": s, "aff": s_aff, "neg": s_neg, "hedged": bool(_HEDGE.search(s)),
                             "sides": _sides(s) | ({"right", "left"} if _BILAT.search(s) else set()),
                             "bilat": bool(_BILAT.search(s))})
    return {"aff": aff, "neg": neg, "hedged": hedged, "small_eff": small_eff, "sents": per_sentence}


def _group_sides(aff: dict[str, set[str]], fam: str) -> set[str]:
    g = GROUP.get(fam, fam)
    out: set[str] = set()
    for f, sides in aff.items():
        if GROUP.get(f, f) == g:
            out |= sides
    return out


def _groups(fams) -> set[str]:
    return {GROUP.get(f, f) for f in fams}


_ODD = re.compile(r"\[|\]|\*\*|<<|>>|__|\{|\}|\bXX\b|\bXXX\b|@@", re.I)


def iu_clean_problem(r: dict) -> str | None:
    """Why an IU report is not a safe clean base (None when it is): the archive's own contradictions."""
    f, i = r["findings"], r["impression"]
    if len(_sentences(f)) < 2 or not _sentences(i):
        return "short"
    if len(f) > 700 or len(i) > 400:
        return "long"
    if _ODD.search(f + " " + i + " " + r["indication"] + " " + r["comparison"]):
        return "odd token"
    A, B = analyse(f), analyse(i)
    # sides: the impression places nothing on a side the findings do not, group by group
    if _sides(i) - _sides(f):
        return "side only in impression"
    for fam in B["aff"]:
        si = _group_sides(B["aff"], fam)
        sf = _group_sides(A["aff"], fam)
        if si and si != sf:
            return f"sides differ for {fam}"
    # negation either way
    for fam in FAMILIES:
        if fam in B["aff"] and fam in A["neg"]:
            return f"impression affirms negated {fam}"
        if fam in A["aff"] and fam in B["neg"]:
            return f"impression negates affirmed {fam}"
    # impression findings must come from the findings
    if _groups(B["aff"]) - _groups(A["aff"]) - {"hyperinflation", "fracture"}:
        return "impression finding absent from findings"
    normal_imp = bool(_NORMAL_IMP.search(i)) and not B["aff"]
    sig_f = {fam for fam in A["aff"] if fam in SIGNIFICANT}
    if normal_imp and sig_f:
        return "normal impression beside findings"
    if not normal_imp and not B["aff"] and sig_f:
        return "impression unclear"
    missing = _groups(sig_f) - _groups(B["aff"])
    if missing:
        return "impression leaves out " + ",".join(sorted(missing))
    return None


# --------------------------------------------------------------------------------------------------------------
# the setting: Brunei (RIPAS, Suri Seri Begawan, Tutong, Jerudong), Sabah (Queen Elizabeth, Duchess of Kent,
# Tawau), Sarawak (Sarawak General, Miri, Sibu, Bintulu) and private centres; British / Malaysian English

HOSPITALS = [
    "RIPAS Hospital, Bandar Seri Begawan",
    "Suri Seri Begawan Hospital, Kuala Belait",
    "PMMPMHAMB Hospital, Tutong",
    "Queen Elizabeth Hospital, Kota Kinabalu",
    "Hospital Duchess of Kent, Sandakan",
    "Hospital Tawau",
    "Sarawak General Hospital, Kuching",
    "Hospital Miri",
    "Hospital Sibu",
    "Hospital Bintulu",
    "Hospital Keningau",
    "Hospital Limbang",
]
PRIVATE = [
    "Jerudong Park Medical Centre",
    "KPJ Sabah Specialist Hospital",
    "Gleneagles Kota Kinabalu",
    "Normah Medical Specialist Centre",
    "Timberland Medical Centre",
    "Borneo Medical Centre",
]
EXAMS = {
    "fomema": ["CHEST X-RAY (PA)", "CHEST RADIOGRAPH PA VIEW", "CXR PA ERECT", "X-RAY THORAX PA"],
    "tb": ["CHEST X-RAY PA", "CXR PA ERECT", "CHEST RADIOGRAPH (PA VIEW)", "X-RAY CHEST PA"],
    "ed": ["CXR PA ERECT", "CHEST X-RAY (AP ERECT)", "CXR AP SUPINE (MOBILE)", "CHEST X-RAY PA", "CXR AP SITTING"],
    "ward": ["CXR AP (MOBILE)", "CHEST X-RAY AP SUPINE", "CXR AP SITTING (WARD)", "CHEST RADIOGRAPH AP"],
    "opd": ["CHEST X-RAY PA", "CHEST RADIOGRAPH PA AND LATERAL", "CXR PA ERECT", "X-RAY THORAX PA VIEW"],
}
HISTORY = {
    "fomema": [
        "FOMEMA medical examination (foreign worker).",
        "Foreign worker medical screening.",
        "Pre-employment medical check-up.",
        "Annual medical screening - plantation worker.",
        "Renewal of work permit - medical examination.",
        "Pre-employment screening, asymptomatic.",
    ],
    "tb": [
        "Cough for 3 weeks with loss of weight. ? PTB.",
        "On anti-TB treatment, 2 months. For review.",
        "Contact tracing - household contact of smear-positive PTB.",
        "Sputum AFB positive. Baseline CXR.",
        "Completed 6 months anti-TB treatment. For review.",
        "Chronic cough, night sweats, LOW and LOA.",
        "Haemoptysis x 1 week. Ex-smoker.",
    ],
    "ed": [
        "Fever and productive cough for 5 days.",
        "Sudden onset shortness of breath.",
        "Fall from height, chest pain.",
        "MVA, motorcyclist. Chest wall tenderness.",
        "Epigastric pain, guarding. ? perforated viscus.",
        "Chest pain, to rule out acute pathology.",
        "SOB, bilateral leg swelling, orthopnoea.",
        "Fever 1 week, diabetic, rice farmer. ? melioidosis.",
        "Alleged assault, chest pain.",
        "Tachypnoea, reduced air entry.",
    ],
    "ward": [
        "Post-operative day 2, desaturation.",
        "CCF, for review.",
        "Post chest tube insertion.",
        "Intubated, check ETT position.",
        "Post CVC insertion.",
        "Hospital-acquired pneumonia, for review.",
        "Fluid overload, on diuretics.",
        "Post thoracocentesis.",
    ],
    "opd": [
        "Chronic cough.",
        "Hypertension, routine review.",
        "Pre-operative assessment.",
        "Smoker, 30 pack-years.",
        "Diabetes mellitus, annual review.",
        "COPD, follow up.",
        "Asthma, for review.",
        "Medical check-up.",
        "Incidental finding on previous film, for follow up.",
    ],
}
HIST_BY_KEY = {
    "pneumonia": ["Fever and productive cough for 5 days.", "Fever, cough, crepitations on auscultation.",
                  "Cough with purulent sputum, febrile.", "CAP, for baseline."],
    "ptx": ["Sudden onset shortness of breath.", "Sudden pleuritic chest pain, young thin male.",
            "Fall from height, chest pain.", "Post CVC insertion, desaturation."],
    "rib_fx": ["MVA, motorcyclist. Chest wall tenderness.", "Alleged assault, chest pain.",
               "Fall from height, chest pain."],
    "free_air": ["Epigastric pain, guarding. ? perforated viscus.", "Acute abdomen. Erect CXR for free air."],
    "widemed": ["MVA, high-speed, chest trauma.", "Chest pain radiating to the back. ? aortic dissection."],
    "oedema": ["SOB, bilateral leg swelling, orthopnoea.", "Known IHD, worsening SOB.",
               "ESRF, missed dialysis, SOB."],
    "multifocal": ["Fever 1 week, diabetic, rice farmer. ? melioidosis.", "Fever with septic shock, diabetic."],
    "effusion_mod": ["SOB, reduced air entry.", "Known malignancy, SOB.", "Dull on percussion."],
    "effusion_large": ["SOB, reduced air entry.", "Known malignancy, worsening SOB."],
    "effusion_increasing": ["Parapneumonic effusion, for review.", "Worsening SOB."],
    "lines": ["Intubated, check ETT position.", "Post CVC insertion.", "Post intubation."],
    "nodule": ["Smoker, 30 pack-years.", "Incidental finding on previous film, for follow up.", "Chronic cough."],
    "mass": ["Haemoptysis and loss of weight.", "Smoker, LOW and LOA."],
    "active_ptb": ["Cough for 3 weeks with loss of weight. ? PTB.", "Sputum AFB positive. Baseline CXR.",
                   "Chronic cough, night sweats, LOW and LOA."],
    "new_consolidation": ["Post-operative day 3, spiking temperature.", "Hospital-acquired pneumonia, for review."],
    "resolving_pneumonia": ["Treated pneumonia, for review.", "Completed antibiotics, for review."],
    "improving_ptb": ["On anti-TB treatment, 2 months. For review.", "Completed intensive phase, for review."],
    "copd": ["COPD, follow up.", "Chronic smoker, SOB on exertion."],
}
HIST_HEAD = ["Clinical history:", "Clinical History:", "Clinical information:", "Clinical notes:", "CLINICAL DATA:",
             "Indication:", "Clinical details:", "History:"]
COMP_HEAD = ["Comparison:", "Previous study:", "Comparison:", "Previous film:"]
FIND_HEAD = ["FINDINGS:", "Findings:", "REPORT:", "Report:", "FINDINGS", "RADIOLOGICAL FINDINGS:", "Findings :"]
IMP_HEAD = ["IMPRESSION:", "Impression:", "CONCLUSION:", "Conclusion:", "COMMENT:", "Comment:", "OPINION:",
            "Opinion:", "IMPRESSION", "Impression :"]
QUAL = [
    "Technique: PA erect. Adequate inspiration, not rotated.",
    "Film quality: Satisfactory.",
    "Adequate inspiratory effort. Patient is not rotated.",
    "Suboptimal inspiration.",
    "Patient slightly rotated to the left.",
    "Film is slightly rotated.",
]
SIGN = [
    "Reported by: Dr XXXX\nRadiologist",
    "Reported by Dr XXXX, Consultant Radiologist",
    "Dr XXXX\nMD (UKM), MMed Rad (UM)\nConsultant Radiologist",
    "Dr XXXX\nMBBS (Mal), FRCR (UK)\nConsultant Radiologist",
    "Dr XXXX, MBBS, MD (Radiodiagnosis)\nSpecialist Radiologist",
    "Dr XXXX, FRANZCR\nConsultant Radiologist",
    "Dictated by: Dr XXXX (Medical Officer, Radiology)\nVerified by: Dr XXXX (Radiologist)",
    "Electronically signed by Dr XXXX, Radiologist, on XXXX",
    "Thank you.\nDr XXXX\nRadiologist",
    "Thank you.\nReported by Dr XXXX\nMMC No: XXXX",
    "Dr XXXX\nRadiologist\nDate reported: XXXX",
]
NORMAL_IMP = {
    "any": [
        "No active lung lesion.",
        "Normal chest radiograph.",
        "No significant abnormality detected.",
        "Normal chest X-ray.",
        "No acute cardiopulmonary abnormality.",
        "Chest radiograph within normal limits.",
        "No active cardiopulmonary disease.",
        "No abnormality detected.",
        "Normal study.",
    ],
    "fomema": [
        "Normal chest X-ray. No radiological evidence of active pulmonary tuberculosis.",
        "No evidence of active pulmonary tuberculosis.",
        "Normal chest radiograph. No active lung lesion.",
        "Chest X-ray: normal.",
    ],
    "tb": ["No radiological evidence of active pulmonary tuberculosis.", "No active lung lesion seen."],
}
# generic normal impressions that negate no one finding in particular (used for the omission cases)
GENERIC_NORMAL = [
    "No active cardiopulmonary disease.",
    "No acute cardiopulmonary abnormality.",
    "No significant abnormality detected.",
    "No acute abnormality.",
    "Chest radiograph within normal limits.",
    "Normal chest X-ray.",
]
GENERIC_RECS = ["Suggest clinical correlation.", "Kindly correlate clinically.", "Please correlate clinically."]


# --------------------------------------------------------------------------------------------------------------
# re-wording IU text in the setting's style (meaning, sides and negations kept)

_SPELLING = [
    (r"\bedema\b", "oedema"),
    (r"\bedematous\b", "oedematous"),
    (r"\bvisualized\b", "visualised"),
    (r"\bvisualization\b", "visualisation"),
    (r"\blocalized\b", "localised"),
    (r"\besophag", "oesophag"),
    (r"\bhemorrhag", "haemorrhag"),
    (r"\bhematoma", "haematoma"),
    (r"\bhemithora", "hemithora"),
    (r"\bhemidiaphragm", "hemidiaphragm"),
    (r"\btumor", "tumour"),
    (r"\bcentimeter", "centimetre"),
    (r"\bmillimeter", "millimetre"),
    (r"\bcaliber\b", "calibre"),
    (r"\banemia\b", "anaemia"),
    (r"\bischemi", "ischaemi"),
    (r"\bfavor", "favour"),
    (r"\bcolor\b", "colour"),
    (r"\bcharacterized\b", "characterised"),
    (r"\bstabilized\b", "stabilised"),
    (r"\brecognized\b", "recognised"),
    (r"\borthopedic", "orthopaedic"),
    (r"\bleukemia", "leukaemia"),
    (r"\bhemoptysis\b", "haemoptysis"),
    (r"\bdyspnea\b", "dyspnoea"),
    (r"\btachypnea\b", "tachypnoea"),
    (r"\bx-XXXX\b", "X-ray"),
]
_REWORD = [
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Lung fields are clear"),
    (r"\bBoth lungs are clear\b", "Both lung fields are clear"),
    (r"\bcostophrenic angles\b", "CP angles"),
    (r"\bNo acute cardiopulmonary (disease|abnormality|process)\b", r"No active cardiopulmonary \1"),
    (r"\bNo acute disease\b", "No active disease"),
    (r"\bNegative for acute\b", "No evidence of acute"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bcardiac silhouette\b", "cardiac shadow"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bbibasilar\b", "bibasal"),
    (r"\bbasilar\b", "basal"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bHeart size normal\b", "Heart size is normal"),
    (r"\bstatus post\b", "post"),
    (r"\bchest x-ray\b", "CXR"),
]


def _case_like(src: str, new: str) -> str:
    if src[:1].isupper() and new[:1].islower():
        return new[:1].upper() + new[1:]
    if src[:1].islower() and new[:1].isupper() and not new[:2].isupper():
        return new[:1].lower() + new[1:]
    return new


_SPELLING_RE = [(re.compile(p, re.I), r) for p, r in _SPELLING]
_REWORD_RE = [(re.compile(p, re.I), r) for p, r in _REWORD]


def restyle(text: str, rng: random.Random, changes: list[str]) -> str:
    """British spelling always; a random part of the setting's usual re-wordings."""
    for rx, rep in _SPELLING_RE:
        new = rx.sub(lambda m, rep=rep: _case_like(m.group(0), m.expand(rep)), text)
        if new != text and "UK spelling" not in changes:
            changes.append("UK spelling")
        text = new
    for rx, rep in _REWORD_RE:
        m0 = rx.search(text)
        if m0 and rng.random() < 0.6:
            src = m0.group(0)
            text = rx.sub(lambda m, rep=rep: _case_like(m.group(0), m.expand(rep)), text)
            note = f"'{src}'->'{_case_like(src, m0.expand(rep))}'"
            if note not in changes:
                changes.append(note)
    return text


# --------------------------------------------------------------------------------------------------------------
# phrase bank: normal statements (category -> (text, families it negates, full-normal?))

NORMALS = {
    "mediastinum": [
        ("Trachea is central.", set(), False),
        ("The trachea is central and the mediastinum is not widened.", {"widemed"}, True),
        ("Mediastinum is not widened.", {"widemed"}, True),
        ("Trachea is central. Mediastinal contour is normal.", {"widemed"}, True),
    ],
    "heart": [
        ("Heart size is normal.", {"cardiomegaly"}, True),
        ("Heart is not enlarged.", {"cardiomegaly"}, True),
        ("Cardiac size is within normal limits.", {"cardiomegaly"}, True),
        ("CTR is less than 50%.", {"cardiomegaly"}, True),
        ("Heart size is normal (CTR {nctr}).", {"cardiomegaly"}, True),
        ("The cardiac shadow is normal in size and configuration.", {"cardiomegaly"}, True),
    ],
    "lungs": [
        ("Both lung fields are clear.", {"consolidation", "oedema"}, True),
        ("Lung fields are clear.", {"consolidation", "oedema"}, True),
        ("Bilateral lung fields are clear. No consolidation or collapse.", {"consolidation", "oedema"}, True),
        ("No active lung lesion seen.", {"consolidation"}, True),
        ("No focal consolidation, mass or nodule seen.", {"consolidation", "nodule"}, True),
        ("Both lungs are clear with normal vascular markings.", {"consolidation", "oedema"}, True),
    ],
    "hila": [
        ("Both hila are normal.", set(), False),
        ("Hilar shadows are not enlarged.", set(), False),
    ],
    "pleura": [
        ("Both costophrenic angles are sharp.", {"effusion"}, True),
        ("CP angles are clear.", {"effusion"}, True),
        ("No pleural effusion.", {"effusion"}, True),
        ("Costophrenic angles are preserved.", {"effusion"}, True),
        ("No pleural effusion or pneumothorax.", {"effusion", "pneumothorax"}, True),
    ],
    "ptx": [
        ("No pneumothorax.", {"pneumothorax"}, True),
        ("No pneumothorax seen.", {"pneumothorax"}, True),
    ],
    "diaphragm": [
        ("Both hemidiaphragms are normal in position and outline.", set(), False),
        ("Domes of diaphragm are normal.", set(), False),
        ("Both domes of diaphragm are smooth and well defined.", set(), False),
    ],
    "bones": [
        ("Bony thorax is intact.", set(), False),
        ("No bony abnormality seen.", set(), False),
        ("Visualised bony structures are unremarkable.", set(), False),
        ("No obvious rib fracture.", {"fracture"}, True),
    ],
    "soft": [("Soft tissues are unremarkable.", set(), False), ("Soft tissue shadows are normal.", set(), False)],
}
FREE_AIR_NORMAL = ("No free air under the diaphragm.", {"freeair"}, True)
LUNG_REST = ["The rest of the lung fields are clear.", "The other lung zones are clear.",
             "The remaining lung fields are clear."]
LUNG_OTHER_SIDE = ["The {opp} lung is clear.", "{Opp} lung field is clear."]
PLEURA_OTHER_SIDE = ["The {opp} costophrenic angle is sharp.", "{Opp} CP angle is clear."]
LABEL = {"lines": "Lines/tubes", "mediastinum": "Mediastinum", "heart": "Heart", "hila": "Hila", "lungs": "Lungs",
         "pleura": "Pleura", "ptx": "Pleura", "diaphragm": "Diaphragm", "bones": "Bones", "soft": "Soft tissues"}
ORDER_ANAT = ["lines", "mediastinum", "heart", "hila", "lungs", "pleura", "ptx", "diaphragm", "bones", "soft"]
ORDER_LUNG = ["lines", "lungs", "pleura", "ptx", "heart", "mediastinum", "hila", "diaphragm", "bones", "soft"]


def _fd(fam, cat, side, variants, *, sig=False, omit_ok=False, flip=True, neg=(), rec=(), block=(), comp=False):
    """side: 'lr' (right or left), 'none'; variants: [(findings sentences, impression phrases)] kept paired."""
    return {"fam": fam, "cat": cat, "side": side, "variants": variants, "sig": sig, "omit_ok": omit_ok,
            "flip": flip and side == "lr", "neg": list(neg), "rec": list(rec), "block": set(block) | {cat},
            "comp": comp}


NEG_CONS = ["No consolidation.", "No focal consolidation.", "Lung fields are clear."]
NEG_EFF = ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."]
BANK = {
    "pneumonia": _fd("consolidation", "lungs", "lr", [
        (["Patchy air space opacities are seen in the {side} {zone} zone.",
          "There is consolidation in the {side} {zone} zone with air bronchograms.",
          "Inhomogeneous opacity over the {side} {zone} zone, in keeping with consolidation."],
         ["{Side} {zone} zone consolidation, likely pneumonia.", "Features suggestive of {side} {zone} zone pneumonia.",
          "{Side} {zone} zone pneumonia.", "Consolidation of the {side} {zone} zone, likely infective."]),
        (["Air space consolidation of the {side} lower lobe obscuring the {side} hemidiaphragm.",
          "Dense consolidation in the {side} lower lobe with air bronchograms."],
         ["{Side} lower lobe pneumonia.", "{Side} lower lobe consolidation, likely infective in nature."]),
    ], sig=True, neg=NEG_CONS + ["No pneumonia."],
        rec=["Suggest repeat CXR in 6 weeks post treatment to ensure resolution.",
             "Kindly correlate with clinical and septic parameters."]),
    "new_consolidation": _fd("consolidation", "lungs", "lr", [
        (["New patchy consolidation in the {side} lower zone compared to the previous film.",
          "Compared with the previous film, there is new air space opacity in the {side} lower zone."],
         ["New {side} lower zone consolidation, likely hospital-acquired pneumonia.",
          "Interval development of {side} lower zone consolidation."]),
    ], sig=True, neg=NEG_CONS, comp=True),
    "resolving_pneumonia": _fd("consolidation", "lungs", "lr", [
        (["The previously seen {side} {zone} zone consolidation has resolved."],
         ["Resolved {side} {zone} zone pneumonia.", "Interval resolution of the {side} {zone} zone consolidation."]),
    ], flip=False, comp=True),
    "multifocal": _fd("consolidation", "lungs", "none", [
        (["Multifocal patchy consolidation in both lungs, some with ill-defined nodular opacities.",
          "Bilateral multifocal air space opacities, more in the mid and lower zones."],
         ["Bilateral multifocal pneumonia; melioidosis is a consideration in this clinical setting.",
          "Bilateral multifocal consolidation, likely infective."]),
    ], sig=True, neg=["Lung fields are clear.", "No consolidation."],
        rec=["Suggest correlation with blood culture and melioidosis serology."]),
    "active_ptb": _fd("consolidation", "lungs", "lr", [
        (["Patchy consolidation and reticulonodular opacities in the {side} upper zone with a cavity measuring "
          "{cm} cm.",
          "Patchy consolidation with cavitation in the {side} upper lobe.",
          "Fibronodular opacities and consolidation with a cavity over the {side} upper zone."],
         ["{Side} upper zone changes are suggestive of active pulmonary tuberculosis.",
          "Features in keeping with active PTB, {side} upper lobe.",
          "{Side} upper lobe cavitating consolidation, likely active PTB."]),
    ], sig=True, neg=["No evidence of active pulmonary tuberculosis.", "Lung fields are clear."],
        rec=["Suggest sputum AFB x 3 and GeneXpert.", "Suggest sputum AFB and clinical correlation."]),
    "improving_ptb": _fd("consolidation", "lungs", "lr", [
        (["Compared with the previous film, the {side} upper zone opacities have decreased."],
         ["Improving {side} upper zone PTB changes.", "Interval improvement of the {side} upper zone PTB changes."]),
    ], flip=False, comp=True),
    "old_ptb": _fd("fibrosis", "lungs", "lr", [
        (["Fibrotic strands with calcified foci at the {side} apex.",
          "Fibrocalcific changes in the {side} upper zone with volume loss."],
         ["{Side} apical fibrocalcific changes, likely old healed PTB.", "Old PTB changes in the {side} upper zone.",
          "{Side} upper zone fibrosis, likely old PTB. No features of active disease."]),
    ]),
    "granuloma": _fd("granuloma", "lungs", "lr", [
        (["A small calcified granuloma is seen in the {side} {zone} zone.",
          "Calcified granuloma noted in the {side} {zone} zone."],
         ["Calcified granuloma in the {side} {zone} zone, likely old granulomatous disease.",
          "{Side} {zone} zone calcified granuloma."]),
    ], omit_ok=True),
    "effusion_small": _fd("effusion", "pleura", "lr", [
        (["Blunting of the {side} costophrenic angle, suggestive of a small pleural effusion.",
          "Small {side} pleural effusion."],
         ["Small {side} pleural effusion.", "{Side} small pleural effusion."]),
    ], omit_ok=True, neg=NEG_EFF),
    "effusion_bi_small": _fd("effusion", "pleura", "none", [
        (["Both costophrenic angles are blunted due to small pleural effusions."],
         ["Small bilateral pleural effusions."]),
    ], omit_ok=True, neg=NEG_EFF),
    "effusion_mod": _fd("effusion", "pleura", "lr", [
        (["Homogeneous opacity in the {side} lower zone with a meniscus sign, in keeping with a moderate pleural "
          "effusion.", "Moderate {side} pleural effusion obscuring the {side} hemidiaphragm."],
         ["Moderate {side} pleural effusion.", "{Side} pleural effusion (moderate)."]),
    ], sig=True, neg=NEG_EFF, rec=["Suggest ultrasound thorax +/- tapping if clinically indicated."],
        block={"lungs"}),
    "effusion_large": _fd("effusion", "pleura", "lr", [
        (["Large {side} pleural effusion with contralateral mediastinal shift.",
          "Opacification of almost the whole {side} hemithorax due to a large pleural effusion, with the mediastinum "
          "shifted to the {opp}."],
         ["Large {side} pleural effusion with mass effect.", "Massive {side} pleural effusion."]),
    ], sig=True, neg=NEG_EFF, block={"mediastinum", "lungs"}),
    "effusion_increasing": _fd("effusion", "pleura", "lr", [
        (["The {side} pleural effusion has increased in size compared with the previous film.",
          "Interval increase of the {side} pleural effusion, now up to the {side} mid zone."],
         ["Increasing {side} pleural effusion.", "Interval increase in the {side} pleural effusion."]),
    ], sig=True, neg=NEG_EFF, comp=True, block={"lungs"}),
    "ptx": _fd("pneumothorax", "ptx", "lr", [
        (["{Side} pneumothorax with the visceral pleural line about {cm} cm from the chest wall. No mediastinal shift.",
          "There is a {side} pneumothorax, rim about {cm} cm."],
         ["{Side} pneumothorax.", "{Side} pneumothorax (about {cm} cm rim)."]),
        (["There is a {side} apical pneumothorax.", "A small {side} apical pneumothorax is seen."],
         ["{Side} apical pneumothorax.", "Small {side} apical pneumothorax."]),
    ], sig=True, neg=["No pneumothorax."], rec=["Findings conveyed to the ED medical officer via phone."],
        block={"pleura_combo"}),
    "rib_fx": _fd("fracture", "bones", "lr", [
        (["Fracture of the {side} {rib} rib laterally.", "Undisplaced fracture of the {side} {rib} rib."],
         ["{Side} {rib} rib fracture.", "Fracture of the {side} {rib} rib."]),
    ], neg=["No rib fracture."]),
    "oedema": _fd("oedema", "lungs", "none", [
        (["Upper lobe blood diversion with bilateral perihilar haziness and Kerley B lines.",
          "Prominent pulmonary vasculature with upper lobe diversion and interstitial oedema.",
          "Bilateral perihilar air space shadowing in a bat-wing distribution."],
         ["Features of pulmonary oedema.", "Pulmonary venous congestion, in keeping with fluid overload.",
          "Pulmonary oedema, likely cardiogenic."]),
    ], sig=True, neg=["No pulmonary oedema.", "No features of fluid overload."]),
    "cardiomegaly": _fd("cardiomegaly", "heart", "none", [
        (["Cardiomegaly with CTR of {ctr}.", "The heart is enlarged (CTR {ctr})."],
         ["Cardiomegaly.", "Cardiomegaly (CTR {ctr})."]),
        (["Heart is enlarged.", "The cardiac shadow is enlarged."], ["Cardiomegaly."]),
    ], neg=["Heart size is normal.", "No cardiomegaly."]),
    "cardiomegaly_mild": _fd("cardiomegaly", "heart", "none", [
        (["Heart size is at the upper limit of normal (CTR 0.52)."], ["Borderline cardiomegaly."]),
        (["Mild cardiomegaly, unchanged from the previous film."], ["Stable mild cardiomegaly."]),
    ], omit_ok=True),
    "nodule": _fd("nodule", "lungs", "lr", [
        (["A well-defined rounded nodule measuring {mm} mm is seen in the {side} {zone} zone.",
          "Solitary pulmonary nodule of about {mm} mm in the {side} {zone} zone."],
         ["{Side} {zone} zone pulmonary nodule ({mm} mm).", "Solitary {side} {zone} zone nodule, {mm} mm."]),
    ], sig=True, neg=["No lung nodule or mass seen."],
        rec=["Suggest CT thorax for further characterisation.", "Suggest comparison with previous films if any."]),
    "nodule_small": _fd("nodule", "lungs", "lr", [
        (["A {smm} mm nodular opacity is noted in the {side} {zone} zone."],
         ["Small {side} {zone} zone nodule ({smm} mm).", "Tiny {side} {zone} zone nodule."]),
    ], omit_ok=True),
    "mass": _fd("nodule", "lungs", "lr", [
        (["Large lobulated mass measuring {mcm} x {mcm2} cm at the {side} hilum."],
         ["{Side} hilar mass, suspicious of bronchogenic carcinoma.", "{Side} hilar mass."]),
        (["Ill-defined mass of about {mcm} cm in the {side} upper zone with spiculated margins."],
         ["{Side} upper zone mass, suspicious of malignancy.", "Spiculated {side} upper zone mass."]),
    ], sig=True, neg=["No lung mass.", "No lung nodule or mass seen."], block={"hila"},
        rec=["Suggest contrast-enhanced CT thorax.", "Suggest CT thorax and referral to the respiratory team."]),
    "free_air": _fd("freeair", "diaphragm", "lr", [
        (["Free air is seen under the {side} hemidiaphragm.", "Crescent of free air under the {side} dome of the "
          "diaphragm."], ["Pneumoperitoneum, suggestive of hollow viscus perforation.",
                          "Free air under the diaphragm - perforated viscus until proven otherwise."]),
        (["Free air under both domes of the diaphragm."], ["Pneumoperitoneum.", "Free intraperitoneal air."]),
    ], sig=True, neg=["No free air under the diaphragm."], rec=["Findings conveyed to the surgical team."],
        flip=False),
    "widemed": _fd("widemed", "mediastinum", "none", [
        (["The superior mediastinum is widened, measuring about {mw} cm.",
          "Widened mediastinum with loss of the aortic knuckle outline."],
         ["Widened mediastinum. Suggest CT aortogram to exclude aortic injury.", "Widened superior mediastinum."]),
    ], sig=True, neg=["Mediastinum is not widened."]),
    "unfolded_aorta": _fd("aorta", "mediastinum", "none", [
        (["Unfolded thoracic aorta with calcification of the aortic knuckle.", "Aortic knuckle is calcified."],
         ["Atherosclerotic, unfolded thoracic aorta.", "Aortic atherosclerosis."]),
    ], omit_ok=True),
    "copd": _fd("hyperinflation", "lungs", "none", [
        (["Hyperinflated lungs with flattened hemidiaphragms.",
          "Both lungs are hyperinflated with flattened domes of diaphragm."],
         ["Hyperinflated lungs, in keeping with COPD.", "Features of chronic obstructive airway disease."]),
    ], block={"diaphragm"}),
    "bronchiectasis": _fd("bronchiectasis", "lungs", "none", [
        (["Tram-track and ring shadows in both lower zones."], ["Bilateral lower zone bronchiectasis."]),
    ]),
    "atelectasis": _fd("atelectasis", "lungs", "lr", [
        (["Plate atelectasis at the {side} base."], ["{Side} basal plate atelectasis."]),
        (["Linear atelectasis in the {side} lower zone."], ["{Side} lower zone linear atelectasis."]),
    ]),
    "spondylosis": _fd("spine", "bones", "none", [
        (["Degenerative changes of the thoracic spine."], ["Thoracic spondylosis."]),
    ], omit_ok=True),
    "lines": _fd("lines", "lines", "none", [
        (["ETT tip is about {ett} cm above the carina."], ["ETT in satisfactory position."]),
        (["ETT tip is about {ett} cm above the carina. Nasogastric tube tip is below the diaphragm."],
         ["ETT and nasogastric tube in satisfactory position.", "Tubes in satisfactory position."]),
        (["Right internal jugular CVC with the tip projected over the SVC."], ["CVC in satisfactory position."]),
    ], flip=False),
    "sternotomy": _fd("sternotomy", "bones", "none", [
        (["Sternotomy wires and mediastinal surgical clips are noted."], ["Post CABG changes."]),
    ], omit_ok=True),
}
# impressions that assert a finding a full-normal statement of the findings negates (negation_conflict)
ASSERT = {
    "effusion": ["{Side} pleural effusion.", "Moderate {side} pleural effusion.", "Bilateral pleural effusions."],
    "pneumothorax": ["{Side} pneumothorax.", "Small {side} apical pneumothorax."],
    "cardiomegaly": ["Cardiomegaly.", "Cardiomegaly (CTR 0.60)."],
    "consolidation": ["{Side} lower zone consolidation, likely pneumonia.", "{Side} upper zone changes suggestive of "
                      "active pulmonary tuberculosis.", "Bilateral lower zone pneumonia."],
    "oedema": ["Pulmonary oedema.", "Features of fluid overload."],
    "nodule": ["{Side} mid zone lung nodule. Suggest CT thorax."],
    "widemed": ["Widened mediastinum."],
    "freeair": ["Free air under the diaphragm, suggestive of perforation."],
    "fracture": ["{Side} 5th rib fracture."],
}
# setting -> (weight, scenario finding keys)
SCENARIOS = {
    "fomema": [(10, []), (2, ["old_ptb"]), (1, ["granuloma"]), (2, ["active_ptb"]), (1, ["cardiomegaly_mild"]),
               (1, ["nodule_small"])],
    "tb": [(3, []), (4, ["active_ptb"]), (2, ["active_ptb", "effusion_small"]), (2, ["old_ptb"]),
           (2, ["improving_ptb"]), (1, ["effusion_mod"]), (1, ["old_ptb", "copd"])],
    "ed": [(4, []), (4, ["pneumonia"]), (2, ["pneumonia", "effusion_small"]), (3, ["ptx"]), (1, ["rib_fx", "ptx"]),
           (2, ["rib_fx"]), (2, ["free_air"]), (1, ["widemed"]), (2, ["oedema", "cardiomegaly"]),
           (1, ["oedema", "cardiomegaly", "effusion_bi_small"]), (2, ["multifocal"]), (1, ["effusion_large"]),
           (1, ["cardiomegaly"])],
    "ward": [(2, []), (2, ["effusion_mod"]), (1, ["effusion_large"]), (2, ["lines", "pneumonia"]), (2, ["lines"]),
             (2, ["effusion_increasing"]), (2, ["new_consolidation"]), (2, ["resolving_pneumonia"]),
             (2, ["cardiomegaly", "effusion_small"]), (1, ["oedema", "effusion_bi_small"]),
             (1, ["lines", "atelectasis"])],
    "opd": [(8, []), (2, ["nodule"]), (1, ["mass"]), (2, ["copd"]), (2, ["cardiomegaly"]), (2, ["unfolded_aorta"]),
            (1, ["bronchiectasis"]), (1, ["nodule_small"]), (1, ["copd", "nodule"]),
            (1, ["cardiomegaly", "unfolded_aorta"]), (1, ["granuloma"]), (1, ["spondylosis"]),
            (1, ["cardiomegaly_mild", "sternotomy"])],
}
SETTING_W = {"fomema": 4, "tb": 2, "ed": 3, "ward": 2, "opd": 3}
EXTRAS = ["unfolded_aorta", "spondylosis", "cardiomegaly_mild", "granuloma", "atelectasis", "copd",
          "effusion_small", "rib_fx", "old_ptb"]
RIBS = ["4th", "5th", "6th", "7th", "8th", "9th"]


# --------------------------------------------------------------------------------------------------------------
# rendering a report (composed or IU) in one of the setting's layouts


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def _fmt(tpl: str, p: dict, side: str | None = None) -> str:
    side = side or p.get("side", "right")
    opp = _other(side)
    return tpl.format(side=side, Side=side.capitalize(), opp=opp, Opp=opp.capitalize(),
                      **{k: v for k, v in p.items() if k != "side"})


def _flip_sides(text: str) -> str:
    def sw(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        return new.capitalize() if w[0].isupper() else new

    return _SIDE.sub(sw, text)


def _layout(rng: random.Random, setting: str) -> dict:
    if setting == "fomema":
        kind = rng.choice(["fomema", "fomema", "gov", "private"])
    elif setting == "iu":
        kind = rng.choice(["gov", "gov", "private", "plain", "plain"])
    else:
        kind = rng.choice(["gov", "gov", "private", "plain"])
    find_style = rng.choice(["prose", "prose", "lines", "lines", "dash", "labelled", "numbered"])
    if kind == "fomema" and rng.random() < 0.6:
        find_style = "labelled"
    return {
        "kind": kind,
        "hospital": rng.choice(PRIVATE if kind == "private" else HOSPITALS),
        "dept": rng.choice(["DEPARTMENT OF RADIOLOGY", "DEPARTMENT OF DIAGNOSTIC IMAGING", "RADIOLOGY DEPARTMENT",
                            "DIAGNOSTIC IMAGING SERVICES"]),
        "hist_head": rng.choice(HIST_HEAD),
        "comp_head": rng.choice(COMP_HEAD),
        "find_head": rng.choice(FIND_HEAD),
        "imp_head": "Conclusion:" if kind == "fomema" and rng.random() < 0.6 else rng.choice(IMP_HEAD),
        "find_style": find_style,
        "imp_style": rng.choice(["prose", "numbered", "numbered", "lines", "dash"]),
        "inline_imp": rng.random() < 0.25,
        "sign": rng.choice(SIGN),
        "date_line": rng.random() < 0.4,
    }


def render(rep: dict) -> str:
    lay = rep["layout"]
    out: list[str] = []
    k = lay["kind"]
    if k == "gov":
        out += [lay["dept"], lay["hospital"], "", f"Examination: {rep['exam']}"]
    elif k == "private":
        out += [lay["hospital"], "RADIOLOGY REPORT", "", rep["exam"]]
    elif k == "fomema":
        out += ["FOMEMA - CHEST X-RAY REPORT", "Worker name: XXXX", "Passport No: XXXX", "",
                f"Examination: {rep['exam']}"]
    else:
        out += [rep["exam"]]
    if lay["date_line"]:
        out.append("Date of examination: XXXX")
    if rep.get("history"):
        out.append(f"{lay['hist_head']} {rep['history']}")
    if rep.get("comparison"):
        out.append(f"{lay['comp_head']} {rep['comparison']}")
    if rep.get("quality"):
        out.append(rep["quality"])
    out.append("")
    missing = rep.get("missing")
    finds = [f["text"] for f in rep["finds"]]
    labels = [f.get("label") for f in rep["finds"]]
    imps = [i["text"] for i in rep["imps"]] + list(rep.get("recs", []))
    if rep.get("merged"):
        # impression-only layout: the impression itself describes the findings
        out.append(lay["imp_head"])
        out.append(" ".join(finds))
        out += imps
        out += ["", lay["sign"]]
        return "\n".join(out).strip() + "\n"
    out.append(lay["find_head"])
    if missing != "findings":
        style = lay["find_style"]
        if style == "labelled" and all(labels):
            grouped: dict[str, list[str]] = {}
            for lab, t in zip(labels, finds, strict=True):
                grouped.setdefault(lab, []).append(t)
            out += [f"{lab}: {' '.join(ts)}" for lab, ts in grouped.items()]
        elif style == "lines" or (style == "labelled"):
            out += finds
        elif style == "dash":
            out += [f"- {t}" for t in finds]
        elif style == "numbered":
            out += [f"{n}. {t}" for n, t in enumerate(finds, 1)]
        else:
            out.append(" ".join(finds))
    out.append("")
    if missing == "impression_removed":
        out.append(lay["sign"])
        return "\n".join(out).strip() + "\n"
    if missing == "impression_signature":
        out += [lay["imp_head"], lay["sign"]]
        return "\n".join(out).strip() + "\n"
    if missing == "impression_empty":
        out += [lay["imp_head"], "", "", lay["sign"]]
        return "\n".join(out).strip() + "\n"
    style = lay["imp_style"]
    items = [i["text"] for i in rep["imps"]]
    recs = list(rep.get("recs", []))
    if lay["inline_imp"] and (style == "prose" or len(items) == 1):
        out.append(f"{lay['imp_head'].rstrip(' :').rstrip(':')}: {' '.join(items + recs)}")
    elif style == "numbered" and len(items) > 1:
        out.append(lay["imp_head"])
        out += [f"{n}. {t}" for n, t in enumerate(items, 1)]
        out += recs
    elif style == "dash":
        out.append(lay["imp_head"])
        out += [f"- {t}" for t in items]
        out += recs
    elif style == "lines":
        out.append(lay["imp_head"])
        out += items + recs
    else:
        out.append(lay["imp_head"])
        out.append(" ".join(items + recs))
    out += ["", lay["sign"]]
    return "\n".join(out).strip() + "\n"


# --------------------------------------------------------------------------------------------------------------
# composing a report from the phrase bank


def _params(rng: random.Random, key: str) -> dict:
    zones = {"pneumonia": ["lower", "lower", "lower", "mid", "upper"], "resolving_pneumonia": ["lower", "mid"],
             "granuloma": ["upper", "mid", "lower"], "nodule": ["upper", "mid", "lower"],
             "nodule_small": ["mid", "lower"]}
    mm = rng.randint(8, 25)
    return {
        "side": rng.choice(["right", "left"]),
        "zone": rng.choice(zones.get(key, ["lower"])),
        "cm": rng.choice(["1.5", "2", "2.5", "3", "3.5"]),
        "mm": mm,
        "smm": rng.choice([3, 4, 5]),
        "mcm": rng.choice([4, 5, 6, 7]),
        "mcm2": rng.choice([3, 4, 5]),
        "mw": rng.choice([9, 10, 11]),
        "ctr": rng.choice(["0.58", "0.60", "0.62", "0.65"]),
        "ett": rng.choice([3, 4, 5]),
        "rib": rng.choice(RIBS),
    }


def _inst(rng: random.Random, key: str) -> dict:
    f = BANK[key]
    vi = rng.randrange(len(f["variants"]))
    fts, its = f["variants"][vi]
    return {"key": key, "f": f, "ft": rng.choice(fts), "it": rng.choice(its), "p": _params(rng, key),
            "omitted": False}


def _pick_weighted(rng: random.Random, pairs):
    tot = sum(w for w, _ in pairs)
    x = rng.random() * tot
    for w, v in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][1]


def compose(rng: random.Random, need: str | None = None) -> dict:
    """A consistent composed report. need: 'sig' (a significant finding), 'two' (a significant finding and another
    one), 'flip' (a finding placed on a side in both sections), 'neg' (a finding with an impression negation),
    'normal_source' (a full-normal statement with a family to assert), None."""
    for _ in range(500):
        setting = _pick_weighted(rng, [(w, s) for s, w in SETTING_W.items()])
        keys = list(_pick_weighted(rng, SCENARIOS[setting]))
        want_extra = need == "two" or rng.random() < 0.2
        if want_extra and keys:
            pool = [e for e in EXTRAS if e not in keys]
            if setting != "ed":
                pool = [e for e in pool if e != "rib_fx"]
            if setting in ("ed", "ward"):
                pool = [e for e in pool if e != "old_ptb"]
            rng.shuffle(pool)
            fams = {BANK[k]["fam"] for k in keys}
            cats = {BANK[k]["cat"] for k in keys}
            for e in pool:
                if BANK[e]["fam"] in fams or (BANK[e]["cat"] == "heart" and "heart" in cats):
                    continue
                if e == "old_ptb" and "active_ptb" in keys:
                    continue
                keys.append(e)
                break
        insts = [_inst(rng, k) for k in keys]
        sig = [i for i in insts if i["f"]["sig"]]
        if need == "sig" and not sig:
            continue
        if need == "two" and not (sig and len(insts) >= 2):
            continue
        if need == "flip" and not any(_flippable(i) for i in insts):
            continue
        if need == "neg" and not any(i["f"]["neg"] for i in insts):
            continue
        rep = _assemble(rng, setting, insts, keep_all=need in ("two", "flip", "neg"))
        if need == "normal_source" and not _assert_sources(rep):
            continue
        return rep
    raise RuntimeError("could not compose a report for " + str(need))


def _assemble(rng: random.Random, setting: str, insts: list[dict], keep_all: bool = False) -> dict:
    fams = {i["f"]["fam"] for i in insts}
    blocked = set().union(*(i["f"]["block"] for i in insts)) if insts else set()
    needs_comp = any(i["f"]["comp"] for i in insts)
    finds: list[dict] = []
    by_cat: dict[str, list[dict]] = {}
    for i in insts:
        by_cat.setdefault(i["f"]["cat"], []).append(
            {"cat": i["f"]["cat"], "text": _fmt(i["ft"], i["p"]), "inst": i, "neg": set(), "full": False})
    lung_lr = [i for i in insts if i["f"]["cat"] == "lungs"]
    if not lung_lr:  # a big effusion blocks the lung statement: the other lung is described instead
        lung_lr = [i for i in insts if i["f"]["fam"] == "effusion" and i["f"]["side"] == "lr"][:1]
    include = {"heart": 1.0, "lungs": 1.0, "pleura": 1.0, "mediastinum": 0.8, "bones": 0.65, "diaphragm": 0.45,
               "hila": 0.3, "soft": 0.2, "ptx": 0.6 if setting in ("ed", "ward") else 0.25}
    pleura_has_ptx = False
    for cat in ORDER_ANAT:
        if cat == "lines":
            continue
        if cat in blocked:
            if cat == "lungs" and lung_lr and rng.random() < 0.7:
                if len(lung_lr) == 1 and lung_lr[0]["f"]["side"] == "lr":
                    pool = LUNG_REST + LUNG_OTHER_SIDE
                elif all(i["f"]["side"] == "lr" for i in lung_lr):
                    pool = LUNG_REST
                else:
                    pool = []
                if pool:
                    t = rng.choice(pool)
                    by_cat.setdefault("lungs", []).append(
                        {"cat": "lungs", "text": _fmt(t, lung_lr[0]["p"]), "inst": None, "neg": set(),
                         "full": False})
            if cat == "pleura" and rng.random() < 0.4:
                eff = [i for i in insts if i["f"]["fam"] == "effusion" and i["f"]["side"] == "lr"]
                if eff:
                    t = rng.choice(PLEURA_OTHER_SIDE)
                    by_cat["pleura"].append({"cat": "pleura", "text": _fmt(t, eff[0]["p"]), "inst": None,
                                             "neg": set(), "full": False})
            if cat == "lungs" and any(i["key"] in ("copd", "bronchiectasis") for i in insts) and len(lung_lr) == 1:
                by_cat["lungs"].append({"cat": "lungs", "text": "No focal consolidation.", "inst": None,
                                        "neg": {"consolidation"}, "full": True})
            continue
        if cat == "ptx" and pleura_has_ptx:
            continue
        if rng.random() > include[cat]:
            continue
        choices = [c for c in NORMALS[cat] if not (c[1] & fams)]
        if cat == "diaphragm" and setting == "ed" and "freeair" not in fams and rng.random() < 0.5:
            choices = [FREE_AIR_NORMAL]
        if not choices:
            continue
        text, neg, full = rng.choice(choices)
        if cat == "pleura" and "pneumothorax" in neg:
            pleura_has_ptx = True
        text = text.format(nctr=rng.choice(["0.45", "0.46", "0.48"]))
        by_cat.setdefault(cat, []).append({"cat": cat, "text": text, "inst": None, "neg": set(neg), "full": full})
    order = ORDER_ANAT if rng.random() < 0.7 else ORDER_LUNG
    if rng.random() < 0.25:  # abnormal first
        for cat in order:
            finds += [x for x in by_cat.get(cat, []) if x["inst"]]
        for cat in order:
            finds += [x for x in by_cat.get(cat, []) if not x["inst"]]
    else:
        for cat in order:
            finds += by_cat.get(cat, [])
    for x in finds:
        x["label"] = LABEL[x["cat"]]
    # impression
    ordered = sorted(insts, key=lambda i: (not i["f"]["sig"], insts.index(i)))
    imps: list[dict] = []
    for i in ordered:
        if i["f"]["omit_ok"] and not keep_all and rng.random() < 0.25:
            i["omitted"] = True
            continue
        imps.append({"text": _fmt(i["it"], i["p"]), "inst": i, "normal": False})
    recs: list[str] = []
    if not imps:
        pool = NORMAL_IMP["any"] + NORMAL_IMP.get(setting, [])
        if insts:  # minor findings left out: a normal that claims nothing about them
            pool = ["No active lung lesion.", "No active cardiopulmonary disease.",
                    "No acute cardiopulmonary abnormality."]
        imps.append({"text": rng.choice(pool), "inst": None, "normal": True})
    else:
        if setting in ("fomema", "tb") and "consolidation" not in fams and rng.random() < 0.5:
            imps.append({"text": "No evidence of active pulmonary tuberculosis.", "inst": None, "normal": True,
                         "neg": {"consolidation"}})
        elif rng.random() < 0.15 and not any(i["f"]["sig"] for i in insts):
            imps.append({"text": "No active lung lesion.", "inst": None, "normal": True})
        for it in imps:
            i = it["inst"]
            if i and i["f"]["rec"] and rng.random() < 0.5:
                recs.append(rng.choice(i["f"]["rec"]))
                it["rec"] = recs[-1]
    if rng.random() < 0.2:
        recs.append(rng.choice(GENERIC_RECS))
    history = rng.choice(HISTORY[setting])
    keyed = [i["key"] for i in insts if i["key"] in HIST_BY_KEY]
    if keyed and setting != "fomema" and rng.random() < 0.75:
        history = rng.choice(HIST_BY_KEY[keyed[0]])
    comparison = None
    if needs_comp:
        comparison = rng.choice(["Previous CXR dated XXXX.", "CXR dated XXXX.", "Previous film of XXXX."])
    elif rng.random() < 0.35:
        comparison = rng.choice(["No previous film for comparison.", "None available.", "Previous CXR dated XXXX.",
                                 "Nil."])
    return {
        "source": "composed",
        "setting": setting,
        "layout": _layout(rng, setting),
        "exam": rng.choice(EXAMS[setting]),
        "history": history,
        "comparison": comparison,
        "quality": rng.choice(QUAL) if rng.random() < 0.3 else None,
        "insts": insts,
        "finds": finds,
        "imps": imps,
        "recs": recs,
        "missing": None,
    }


def _flippable(i: dict) -> bool:
    """A finding placed on a side in both sections (its findings sentence and its impression phrase)."""
    return bool(i["f"]["flip"] and _SIDE.search(_fmt(i["ft"], i["p"])) and _SIDE.search(_fmt(i["it"], i["p"])))


def _assert_sources(rep: dict) -> list[tuple[int, str]]:
    present = {i["f"]["fam"] for i in rep["insts"]}
    imp_neg = set().union(*(it.get("neg", set()) for it in rep["imps"]))
    out = []
    for n, x in enumerate(rep["finds"]):
        if x["full"]:
            for fam in sorted(x["neg"]):
                if fam in ASSERT and fam not in present and fam not in imp_neg:
                    out.append((n, fam))
    return out


def _describe(rep: dict) -> str:
    keys = [i["key"].replace("_", " ") for i in rep["insts"]]
    return f"composed ({rep['setting']}, {rep['layout']['kind']} layout; findings: {', '.join(keys) or 'normal'})"


# --------------------------------------------------------------------------------------------------------------
# injecting one error into a composed report

PH_SIDE = ["[right/left]", "[side]", "[Rt/Lt]", "[R/L]"]
PH_NUM = ["XX", "__", "[ ]", "***", "<<size>>"]
PH_WORD = ["[***]", "***", "[ ]", "<<select>>", "[normal/abnormal]"]
PH_HIST = ["[clinical history]", "<<Clinical details>>", "[ ]", "***", "[indication]"]
PH_REC = ["Suggest follow-up CXR in [ ] weeks.", "Recommendation: <<recommendation>>", "Suggest [***].",
          "Suggest CT thorax for [***].", "Suggest repeat CXR in XX weeks."]
_NUM_UNIT = re.compile(r"\b\d+(\.\d+)?(?=\s?(cm|mm)\b)|(?<=CTR )\d\.\d+|(?<=CTR of )\d\.\d+")


def _rerender(x: dict, side: str | None = None, which: str = "ft") -> str:
    i = x["inst"]
    return _fmt(i[which], i["p"], side)


def inject_composed(rng: random.Random, kind: str | None, mode: str | None = None) -> tuple[dict, str]:
    if kind is None:
        rep = compose(rng)
        return rep, "clean"
    if kind == "missing_section":
        rep = compose(rng)
        mode = rng.choice(["findings", "findings", "impression_empty", "impression_signature", "impression_removed"])
        rep["missing"] = mode
        what = {"findings": "FINDINGS emptied (header kept, nothing under it)",
                "impression_empty": "IMPRESSION emptied (header kept, nothing under it)",
                "impression_signature": "IMPRESSION emptied (only the signature under its header)",
                "impression_removed": "IMPRESSION section removed"}[mode]
        return rep, what
    if kind == "laterality_conflict":
        rep = compose(rng, "flip")
        cands = [i for i in rep["insts"] if _flippable(i) and not i["omitted"]]
        i = rng.choice(cands)
        side = i["p"]["side"]
        if rng.random() < 0.5:
            x = next(x for x in rep["finds"] if x["inst"] is i)
            old = x["text"]
            x["text"] = _fmt(i["ft"], i["p"], _other(side))
            where = "FINDINGS"
        else:
            x = next(x for x in rep["imps"] if x["inst"] is i)
            old = x["text"]
            x["text"] = _fmt(i["it"], i["p"], _other(side))
            where = "IMPRESSION"
        return rep, f"laterality flipped in {where}: '{old}' -> '{x['text']}' (other section says {side})"
    if kind == "negation_conflict":
        if rng.random() < 0.5:
            rep = compose(rng, "normal_source")
            n, fam = rng.choice(_assert_sources(rep))
            p = _params(rng, "x")
            text = _fmt(rng.choice(ASSERT[fam]), p)
            if all(it["normal"] for it in rep["imps"]):
                rep["imps"] = [{"text": text, "inst": None, "normal": False}]
                rep["recs"] = [r for r in rep["recs"] if r in GENERIC_RECS]
            else:
                rep["imps"].insert(rng.randrange(len(rep["imps"]) + 1), {"text": text, "inst": None,
                                                                          "normal": False})
            return rep, f"IMPRESSION asserts '{text}' while FINDINGS say '{rep['finds'][n]['text']}'"
        rep = compose(rng, "neg")
        cands = [it for it in rep["imps"] if it["inst"] and it["inst"]["f"]["neg"]]
        it = rng.choice(cands)
        i = it["inst"]
        negs = list(i["f"]["neg"])
        others_lung = [o for o in rep["imps"] if o is not it and o["inst"] and o["inst"]["f"]["cat"] == "lungs"]
        if others_lung:
            negs = [t for t in negs if "clear" not in t] or negs
        old = it["text"]
        it["text"] = rng.choice(negs)
        it["inst"] = None
        it["normal"] = True
        if it.get("rec") in rep["recs"]:
            rep["recs"].remove(it["rec"])
        return rep, f"IMPRESSION negates the finding: '{old}' -> '{it['text']}' (FINDINGS: '{_fmt(i['ft'], i['p'])}')"
    if kind == "impression_omits_finding":
        mode = mode or rng.choice(["normal", "others"])
        rep = compose(rng, "two" if mode == "others" else "sig")
        sig = [i for i in rep["insts"] if i["f"]["sig"] and i["key"] not in ("resolving_pneumonia",)]
        i = rng.choice(sig)
        gone = _fmt(i["ft"], i["p"])
        if mode == "normal":
            others_major = [o for o in rep["insts"] if o is not i and not o["f"]["omit_ok"]]
            if not others_major:
                rep["imps"] = [{"text": rng.choice(GENERIC_NORMAL), "inst": None, "normal": True}]
                rep["recs"] = [r for r in rep["recs"] if r in GENERIC_RECS]
                return rep, f"IMPRESSION replaced by a normal statement; FINDINGS affirm '{gone}'"
        keep = [it for it in rep["imps"] if it["inst"] is not i]
        dropped = [it for it in rep["imps"] if it["inst"] is i]
        for it in dropped:
            if it.get("rec") in rep["recs"]:
                rep["recs"].remove(it["rec"])
        keep = [it for it in keep if not (it["normal"] and it["text"].startswith("No evidence of active pulmonary"))
                or i["f"]["fam"] != "consolidation"]
        if not [it for it in keep if it["inst"]]:
            rep["imps"] = [{"text": rng.choice(GENERIC_NORMAL), "inst": None, "normal": True}]
            rep["recs"] = [r for r in rep["recs"] if r in GENERIC_RECS]
            return rep, f"IMPRESSION replaced by a normal statement; FINDINGS affirm '{gone}'"
        for it in keep:
            if it["inst"]:
                it["inst"]["omitted"] = False
        rep["imps"] = keep
        return rep, f"IMPRESSION lists the other findings but leaves out '{gone}'"
    if kind == "placeholder":
        rep = compose(rng)
        return rep, _placeholder_composed(rng, rep)
    raise ValueError(kind)


def _placeholder_composed(rng: random.Random, rep: dict) -> str:
    options = ["hist", "rec", "word"]
    side_lines = [x for x in rep["finds"] + rep["imps"] if _SIDE.search(x["text"])]
    num_lines = [x for x in rep["finds"] if _NUM_UNIT.search(x["text"])]
    if side_lines:
        options += ["side", "side"]
    if num_lines:
        options += ["num", "num"]
    opt = rng.choice(options)
    if opt == "side":
        x = rng.choice(side_lines)
        tok = rng.choice(PH_SIDE)
        old = x["text"]
        x["text"] = _SIDE.sub(tok, old, count=1)
        return f"side left as a template field {tok}: '{old}' -> '{x['text']}'"
    if opt == "num":
        x = rng.choice(num_lines)
        tok = rng.choice(PH_NUM)
        old = x["text"]
        x["text"] = _NUM_UNIT.sub(tok, old, count=1)
        return f"measurement left unfilled {tok}: '{old}' -> '{x['text']}'"
    if opt == "hist":
        tok = rng.choice(PH_HIST)
        old = rep["history"]
        rep["history"] = tok
        return f"clinical history field left unfilled {tok} (was '{old}')"
    if opt == "rec":
        tok = rng.choice(PH_REC)
        rep["recs"].append(tok)
        return f"template recommendation line left unfilled: '{tok}'"
    fillable = re.compile(r"\b(normal|clear|sharp|central|intact|unremarkable|enlarged|widened|preserved|"
                          r"defined|seen)\b")
    normals = [x for x in rep["finds"] if not x["inst"]]
    normals = [x for x in normals if fillable.search(x["text"])] or normals
    x = rng.choice(normals)
    tok = rng.choice(PH_WORD)
    old = x["text"]
    words = list(fillable.finditer(old))
    if words:
        m = words[-1]
        x["text"] = old[: m.start()] + tok + old[m.end():]
    else:
        x["text"] = re.sub(r"\.$", f" {tok}.", old)
    return f"template field left unfilled {tok}: '{old}' -> '{x['text']}'"


# --------------------------------------------------------------------------------------------------------------
# IU reports re-laid out in the setting's style, and their injections

IU_EXAMS = ["CHEST X-RAY PA AND LATERAL", "CHEST RADIOGRAPH (PA/LATERAL)", "CXR PA & LATERAL",
            "X-RAY THORAX PA AND LATERAL VIEWS", "CHEST X-RAY (PA + LAT)"]
NEG_IU = {
    "effusion": ["No pleural effusion."],
    "pneumothorax": ["No pneumothorax."],
    "consolidation": ["No focal consolidation.", "No pneumonia."],
    "oedema": ["No pulmonary oedema."],
    "cardiomegaly": ["Heart size is normal.", "No cardiomegaly."],
    "nodule": ["No lung nodule or mass."],
    "atelectasis": ["No atelectasis."],
    "opacity": ["Lung fields are clear."],
}
ASSERT_IU = {
    "effusion": ["{Side} pleural effusion.", "Moderate {side} pleural effusion.", "Bilateral pleural effusions."],
    "pneumothorax": ["{Side} pneumothorax.", "Small {side} apical pneumothorax."],
    "cardiomegaly": ["Cardiomegaly.", "Mild cardiomegaly."],
    "consolidation": ["{Side} lower zone consolidation, likely pneumonia.", "{Side} lower lobe pneumonia."],
}
OMIT_TARGETS = {"effusion", "pneumothorax", "consolidation", "oedema", "freeair", "widemed", "nodule"}
_NOT_ACUTE = re.compile(r"\b(stable|unchanged|chronic|again|persistent|old|scar\w*|prior|healed|calcifi\w*|"
                        r"residual|resolving|improv\w*|decreas\w*|granuloma\w*|clearing|cleared|less|"
                        r"atelecta\w*|streaky|linear|discoid|subsegmental|plate|or|versus|appears? to|"
                        r"postoperative|post-operative|vague|subtle|faint)\b|/|XXXX", re.I)
_CONS_WORD = re.compile(r"consolidat|pneumoni|infiltrat|air\s?space disease", re.I)
# words that would still name the left-out finding in what remains of the impression
_MENTIONS = {
    "effusion": r"effusion|fluid|hydrothorax",
    "pneumothorax": r"pneumothora",
    "consolidation": r"pneumoni|consolidat|air\s?space|infiltrat|opacit|infect",
    "oedema": r"o?edema|congest|overload|failure",
    "freeair": r"\bair\b|pneumoperitoneum|perforat",
    "nodule": r"mass|nodul|lesion|neoplas|malignan|cancer|carcinoma|tumou?r",
    "widemed": r"mediastin",
}
_BIG_EFF = re.compile(r"\b(moderate|large|massive|sizable|sizeable|increas\w*|new|interval development)\b", re.I)
_STOP = {"with", "without", "there", "this", "that", "from", "right", "left", "again", "none", "both", "these",
         "those", "have", "been", "were", "which", "since", "prior", "when", "also", "than", "into", "seen",
         "noted", "negative", "cannot", "excluded", "versus", "otherwise", "possible", "likely", "probable",
         "small", "large", "moderate", "mild", "minimal", "bilateral", "lower", "upper", "middle", "base",
         "basal", "apical", "lobe", "zone", "side", "sided"}
# IU reports whose own text reads inconsistent on a second look (dropped from every group)
IU_BLOCK: set[str] = set()


def _sec_sides(sents: list[dict], g: str) -> set[str]:
    out: set[str] = set()
    for s in sents:
        if g in _groups(s["aff"]):
            out |= s["sides"]
    return out


def iu_options(F: list[dict], Im: list[dict]) -> dict:
    """What can be injected into a (restyled, analysed) IU report without a second error."""
    opts: dict = {}
    # laterality
    lat = []
    for sec, sents in (("impression", Im), ("findings", F)):
        for n, s in enumerate(sents):
            if s["bilat"] or len(_sides(s["text"])) != 1:
                continue
            side = next(iter(_sides(s["text"])))
            ok = [g for g in _groups(s["aff"]) if _sec_sides(F, g) == {side} and _sec_sides(Im, g) == {side}]
            if ok:
                lat.append((sec, n))
    opts["laterality"] = lat
    # negation
    i_aff = set().union(*(s["aff"] for s in Im)) if Im else set()
    i_neg = set().union(*(s["neg"] for s in Im)) if Im else set()
    f_aff = set().union(*(s["aff"] for s in F)) if F else set()
    i_text = " ".join(s["text"] for s in Im)
    normal_imp = not i_aff and bool(_NORMAL_IMP.search(i_text))
    neg_a = []
    if normal_imp:
        for n, s in enumerate(F):
            if re.search(r"\b(large|significant|definite|sizable|sizeable|gross|substantial|moderate|acute)\b",
                         s["text"], re.I):
                continue
            for fam in sorted(s["neg"]):
                if fam in ASSERT_IU and fam not in f_aff and fam not in i_neg:
                    neg_a.append((fam, n))
    opts["neg_assert"] = neg_a
    neg_b = []
    for n, s in enumerate(Im):
        if len(s["aff"]) != 1:
            continue
        fam = next(iter(s["aff"]))
        g = GROUP.get(fam, fam)
        if fam not in NEG_IU or any(g in _groups(o["aff"]) for m, o in enumerate(Im) if m != n):
            continue
        f_sents = [x for x in F if fam in x["aff"]]
        if f_sents and all(not x["hedged"] for x in f_sents) and not s["hedged"]:
            neg_b.append((fam, n))
    opts["neg_deny"] = neg_b
    # omission
    om = []
    for fam in sorted(OMIT_TARGETS & f_aff):
        f_sents = [x for x in F if fam in x["aff"]]
        if any(x["hedged"] or _NOT_ACUTE.search(x["text"]) for x in f_sents):
            continue
        if fam == "effusion" and not all(_BIG_EFF.search(x["text"]) and not _SMALL.search(x["text"])
                                         for x in f_sents):
            continue
        if fam == "nodule" and not all(re.search(r"\bmass\b", x["text"], re.I) for x in f_sents):
            continue
        if fam == "consolidation" and not all(_CONS_WORD.search(x["text"]) for x in f_sents):
            continue
        g = GROUP.get(fam, fam)
        drop = [n for n, s in enumerate(Im) if g in _groups(s["aff"])]
        if not drop:
            continue
        others = [n for n in range(len(Im)) if n not in drop]
        pure = all(_groups(Im[n]["aff"]) == {g} for n in drop)
        rest = " ".join(Im[n]["text"] for n in others)
        listing = pure and any(Im[n]["aff"] for n in others) and not re.search(_MENTIONS[fam], rest, re.I)
        om.append((fam, drop if listing else None))
    opts["omit"] = om
    return opts


def _iu_rep(rng: random.Random, r: dict) -> tuple[dict, list[str]]:
    changes: list[str] = []
    F = [restyle(s, rng, changes) for s in _sentences(r["findings"])]
    Im = [restyle(s, rng, changes) for s in _impression_items(r["impression"])]
    hist = r["indication"].strip()
    history = restyle(hist, rng, changes) if len(re.sub(r"XXXX|[^A-Za-z]", "", hist)) >= 3 else None
    comp = r["comparison"].strip()
    if not comp or re.fullmatch(r"(none|none available|no prior|n/?a)\.?", comp, re.I):
        comparison = rng.choice([None, "No previous film for comparison.", "Nil.", "None available."])
    else:
        comparison = restyle(comp, rng, changes)
    lay = _layout(rng, "iu")
    rep = {
        "source": "iu",
        "setting": "iu",
        "layout": lay,
        "exam": rng.choice(IU_EXAMS),
        "history": history,
        "comparison": comparison,
        "quality": None,
        "finds": [{"text": t, "label": None, "inst": None} for t in F],
        "imps": [{"text": t, "inst": None} for t in Im],
        "recs": [],
        "missing": None,
        "F": analyse(F)["sents"],
        "I": analyse(Im)["sents"],
    }
    return rep, changes


def _iu_prefix(r: dict, rep: dict, changes: list[str]) -> str:
    lay = rep["layout"]
    what = f"re-laid out ({lay['kind']} layout, headers '{lay['find_head'].strip(' :')}' / " \
           f"'{lay['imp_head'].strip(' :')}')"
    if changes:
        what += "; re-worded: " + ", ".join(changes)
    return f"IU {r['uid']}: {what}"


def inject_iu(rng: random.Random, rep: dict, kind: str | None, opts: dict, sub: str | None) -> str:
    F, Im = rep["finds"], rep["imps"]
    if kind is None:
        return "clean"
    if kind == "missing_section":
        mode = rng.choice(["findings", "findings", "impression_empty", "impression_signature", "impression_removed"])
        rep["missing"] = mode
        return {"findings": "FINDINGS emptied (header kept, nothing under it)",
                "impression_empty": "IMPRESSION emptied (header kept, nothing under it)",
                "impression_signature": "IMPRESSION emptied (only the signature under its header)",
                "impression_removed": "IMPRESSION section removed"}[mode]
    if kind == "laterality_conflict":
        sec, n = rng.choice(opts["laterality"])
        x = (Im if sec == "impression" else F)[n]
        old = x["text"]
        x["text"] = _flip_sides(old)
        return f"laterality flipped in {sec.upper()}: '{old}' -> '{x['text']}'"
    if kind == "negation_conflict":
        if sub == "assert":
            fam, n = rng.choice(opts["neg_assert"])
            text = _fmt(rng.choice(ASSERT_IU[fam]), {"side": rng.choice(["right", "left"])})
            if rng.random() < 0.5:
                rep["imps"] = [{"text": text, "inst": None}]
            else:
                rest = " ".join(i["text"] for i in Im)
                rep["imps"] = [{"text": text, "inst": None},
                               {"text": "Otherwise " + rest[0].lower() + rest[1:], "inst": None}]
            return f"IMPRESSION now asserts '{text}' while FINDINGS say '{F[n]['text']}'"
        fam, n = rng.choice(opts["neg_deny"])
        old = Im[n]["text"]
        negs = NEG_IU[fam]
        if fam == "oedema" and not any(re.search(r"o?edema", x["text"], re.I) for x in F):
            negs = ["No pulmonary vascular congestion."]
        Im[n]["text"] = rng.choice(negs)
        return f"IMPRESSION sentence '{old}' replaced by '{Im[n]['text']}' (FINDINGS affirm {fam})"
    if kind == "impression_omits_finding":
        cands = [(fam, drop) for fam, drop in opts["omit"] if (drop is not None) == (sub == "others")]
        fam, drop = rng.choice(cands)
        gone = [x["text"] for x in F if fam in _iu_aff(rep, x)]
        if sub == "others":
            removed = [Im[n]["text"] for n in drop]
            rep["imps"] = [x for n, x in enumerate(Im) if n not in drop]
            return f"IMPRESSION keeps the other findings but '{' '.join(removed)}' removed; FINDINGS affirm " \
                   f"'{' '.join(gone)}'"
        text = rng.choice(GENERIC_NORMAL)
        rep["imps"] = [{"text": text, "inst": None}]
        return f"IMPRESSION replaced by '{text}'; FINDINGS affirm '{' '.join(gone)}'"
    if kind == "placeholder":
        return _placeholder_iu(rng, rep)
    raise ValueError(kind)


def _iu_aff(rep: dict, x: dict) -> set[str]:
    for s in rep["F"]:
        if s["text"] == x["text"]:
            return s["aff"]
    return set()


def _placeholder_iu(rng: random.Random, rep: dict) -> str:
    lines = rep["finds"] + rep["imps"]
    side_lines = [x for x in lines if _SIDE.search(x["text"])]
    num_lines = [x for x in lines if _NUM_UNIT.search(x["text"])]
    options = ["word", "word", "word"] + (["side"] if side_lines else []) + (["num", "num"] if num_lines else [])
    if rep["history"]:
        options.append("hist")
    opt = rng.choice(options)
    if opt == "side":
        x = rng.choice(side_lines)
        tok = rng.choice(PH_SIDE)
        old = x["text"]
        x["text"] = _SIDE.sub(tok, old, count=1)
        return f"side replaced by a template field {tok}: '{old}' -> '{x['text']}'"
    if opt == "num":
        x = rng.choice(num_lines)
        tok = rng.choice(PH_NUM)
        old = x["text"]
        x["text"] = _NUM_UNIT.sub(tok, old, count=1)
        return f"measurement replaced by {tok}: '{old}' -> '{x['text']}'"
    if opt == "hist":
        tok = rng.choice(PH_HIST)
        old = rep["history"]
        rep["history"] = tok
        return f"clinical history replaced by an unfilled field {tok} (was '{old}')"
    for _ in range(50):
        x = rng.choice(lines)
        words = [m for m in re.finditer(r"\b[A-Za-z]{4,}\b", x["text"])
                 if m.group(0).lower() not in _STOP and not m.group(0).isupper()
                 and not any(rx.search(m.group(0)) for rx in _FAM_RE.values())]
        if words:
            m = rng.choice(words)
            tok = rng.choice(PH_WORD[:4])
            if m.group(0).lower() in ("normal", "unremarkable", "clear", "intact"):
                tok = rng.choice(PH_WORD)
            old = x["text"]
            x["text"] = old[: m.start()] + tok + old[m.end():]
            return f"word '{m.group(0)}' replaced by {tok}: '{old}' -> '{x['text']}'"
    raise RuntimeError("no word to replace")


# --------------------------------------------------------------------------------------------------------------
# the set


def iu_pool(base: Path | None = None) -> list[dict]:
    """IU reports safe as clean bases: both sections, no dev uid, no contradiction of their own."""
    return list(_iu_pool(str(iu_archive(base)), str(dev_set(base))))


@lru_cache(maxsize=4)
def _iu_pool(tgz: str, dev_path: str) -> tuple[dict, ...]:
    dev = _dev_uids(dev_path)
    return tuple(r for r in _load_iu(tgz)
                 if r["uid"] not in dev and r["uid"] not in IU_BLOCK and iu_clean_problem(r) is None)


@lru_cache(maxsize=8192)
def _static_ok(findings: str, impression: str) -> frozenset:
    """Which restrictive slots the un-restyled report could fill (a pre-filter; the restyled text decides)."""
    o = iu_options(analyse(_sentences(findings))["sents"], analyse(_impression_items(impression))["sents"])
    ok = set()
    if o["laterality"]:
        ok.add(("laterality_conflict", None))
    if any(d is not None for _, d in o["omit"]):
        ok.add(("impression_omits_finding", "others"))
    if any(d is None for _, d in o["omit"]):
        ok.add(("impression_omits_finding", "normal"))
    if o["neg_deny"]:
        ok.add(("negation_conflict", "deny"))
    if o["neg_assert"]:
        ok.add(("negation_conflict", "assert"))
    return frozenset(ok)


_OPEN_SLOTS = {("placeholder", None), ("missing_section", None), (None, None)}


def _fill_iu(seed: int, pool: list[dict], need: dict, rows: list[dict], used: set[str]) -> dict:
    got = {k: 0 for k in need}
    for r in pool:
        if got == need:
            break
        if r["uid"] in used:
            continue
        open_slots = {k for k in need if got[k] < need[k]}
        if not (open_slots & _OPEN_SLOTS) and not (open_slots & _static_ok(r["findings"], r["impression"])):
            continue
        rrng = random.Random(f"{PREFIX}-{seed}-{r['uid']}")
        rep, changes = _iu_rep(rrng, r)
        opts = iu_options(rep["F"], rep["I"])
        ok = {
            ("impression_omits_finding", "others"): any(d is not None for _, d in opts["omit"]),
            ("laterality_conflict", None): bool(opts["laterality"]),
            ("negation_conflict", "deny"): bool(opts["neg_deny"]),
            ("negation_conflict", "assert"): bool(opts["neg_assert"]),
            ("impression_omits_finding", "normal"): any(d is None for _, d in opts["omit"]),
            ("placeholder", None): True,
            ("missing_section", None): True,
            (None, None): True,
        }
        slot = next((k for k in need if got[k] < need[k] and ok[k]), None)
        if slot is None:
            continue
        got[slot] += 1
        used.add(r["uid"])
        kind, sub = slot
        what = inject_iu(rrng, rep, kind, opts, sub)
        rows.append({"injected": kind, "detail": f"{_iu_prefix(r, rep, changes)}; {what}", "report": render(rep)})
    return got


def build(seed: int, base: Path | None = None) -> list[dict]:
    rng = random.Random(f"{PREFIX}-{seed}")
    half_clean, half_kind = N_CLEAN // 2, N_PER_KIND // 2
    rows: list[dict] = []
    # IU half: restrictive slots first; a sub-kind the archive cannot fill passes its share to its sibling
    need = {("impression_omits_finding", "others"): half_kind // 2,
            ("laterality_conflict", None): half_kind,
            ("negation_conflict", "deny"): half_kind // 2,
            ("negation_conflict", "assert"): half_kind - half_kind // 2,
            ("impression_omits_finding", "normal"): half_kind - half_kind // 2,
            ("placeholder", None): half_kind,
            ("missing_section", None): half_kind,
            (None, None): half_clean}
    pool = iu_pool(base)
    rng.shuffle(pool)
    used: set[str] = set()
    got = _fill_iu(seed, pool, need, rows, used)
    sibling = {("impression_omits_finding", "others"): ("impression_omits_finding", "normal"),
               ("negation_conflict", "deny"): ("negation_conflict", "assert"),
               ("negation_conflict", "assert"): ("negation_conflict", "deny")}
    need2 = {k: 0 for k in need}
    for k in need:
        short = need[k] - got[k]
        if short and k in sibling:
            need2[sibling[k]] += short
        elif short:
            raise RuntimeError(f"IU pool too small for seed {seed}: {k}")
    if any(need2.values()):
        got2 = _fill_iu(seed, pool, need2, rows, used)
        if got2 != need2:
            raise RuntimeError(f"IU pool too small for seed {seed}: {got2} of {need2}")
    iu_others = got[("impression_omits_finding", "others")]
    # composed half; the omission cases that list other findings make up for the IU half's shortfall
    omit_modes = ["others"] * (N_PER_KIND // 2 - iu_others)
    omit_modes += ["normal"] * (half_kind - len(omit_modes))
    rng.shuffle(omit_modes)
    for kind in [None] * half_clean + [k for k in KINDS for _ in range(half_kind)]:
        mode = omit_modes.pop() if kind == "impression_omits_finding" else None
        rep, what = inject_composed(rng, kind, mode)
        rows.append({"injected": kind, "detail": f"{_describe(rep)}: {what}", "report": render(rep)})
    rng.shuffle(rows)
    return [{"id": f"{PREFIX}-{seed}-{k}", **row} for k, row in enumerate(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind to stderr")
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {row['id']}  injected={kind}\n-- {row['detail']}\n{row['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
