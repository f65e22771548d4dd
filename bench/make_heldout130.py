"""Held-out report-error set 130: Gulf hospitals (Qatar, Kuwait, Bahrain), written blind.

    python -m bench.make_heldout130 OUT.jsonl --seed S [--show N]

Writes 400 chest X-ray reports as JSON lines {"id", "injected", "detail", "report"}: 200 clean and 40 of each of
the five error kinds of ../shared/eval/README.md. Half of every group is composed from a phrase bank in the style
of English-reporting Gulf government and private hospitals (expatriate radiologists trained in the UK, India,
Pakistan, Egypt, the Philippines and North America; emergency, ward, outpatient and pre-employment/visa films);
the other half are real IU reports (never a dev-set uid, each at most once a set) re-laid out and lightly
re-worded in that style. Written without sight of the checker. Standard library only.
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
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


# ----------------------------------------------------------------------------------------------------------------
# shared data


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def _clean_ws(text):
    return " ".join((text or "").split())


@functools.lru_cache(maxsize=4)
def load_iu(shared):
    path = Path(shared) / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            a = {x.get("Label"): _clean_ws(x.text) for x in root.iter("AbstractText")}
            mesh = tuple(_clean_ws(x.text) for x in root.iter("major"))
            out.append(
                {
                    "uid": uid,
                    "num": int(uid[3:]),
                    "indication": a.get("INDICATION", ""),
                    "comparison": a.get("COMPARISON", ""),
                    "findings": a.get("FINDINGS", ""),
                    "impression": a.get("IMPRESSION", ""),
                    "normal": mesh == ("normal",),
                }
            )
    out.sort(key=lambda r: r["num"])
    return tuple(out)


@functools.lru_cache(maxsize=4)
def dev_uids(shared):
    path = Path(shared) / "eval" / "report_errors_dev.jsonl"
    uids = set()
    with open(path) as fh:
        for line in fh:
            if line.strip():
                uids.add(json.loads(line)["uid"])
    return frozenset(uids)


# ----------------------------------------------------------------------------------------------------------------
# a small reader of IU text (my own, for choosing and editing reports)

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")
_NUMBERING = re.compile(r"(?:(?<=\s)|^)\d{1,2}[.)]\s+")
_CLAUSE = re.compile(r"\bbut\b|\bhowever\b|\balthough\b|\bwhereas\b|;|\bwith\b|\band\b(?= (?:the|there|a|an)\b)", re.I)
_NEG = re.compile(
    r"\b(?:no|not|without|negative|free of|clear of|resolved|resolution|removed|absence|absent|excluded?|nor|"
    r"neither|rather than|interval clearing)\b",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:possible|possibly|may|might|could|questionable|question|cannot|can not|versus|vs|suspicious|suspected|"
    r"concern|differential|equivocal|borderline|difficult|probable|probably)\b",
    re.I,
)
_MILD = re.compile(
    r"\b(?:small|tiny|trace|minimal|mild|mildly|minor|subtle|slight|slightly|stable|unchanged|chronic|old|healed|"
    r"calcified|residual|persistent|improv\w*|decreas\w*|resolv\w*|scar\w*|lingular|streaky|linear|platelike)\b",
    re.I,
)
CONCEPTS = {
    "effusion": r"effusions?|pleural fluid|blunt\w*",
    "pneumothorax": r"pneumothora\w*",
    "airspace": r"consolidat\w*|air[- ]?space|infiltrat\w*|pneumonia|pneumonitis|parapneumonic",
    "opacity": r"opacit\w*|opacification|densit\w*|shadowing",
    "atelect": r"atelecta\w*|collapse\w*|scar\w*|fibros\w*|fibrotic",
    "edema": r"o?edema|congesti\w*|kerley",
    "heart": r"cardiomegaly|(?:heart|cardiac)\b[^.,;]{0,30}\benlarge\w*|enlarge\w* (?:heart|cardiac)",
    "nodule": r"nodul\w*|mass(?:es)?\b|granulom\w*|lesions?\b",
    "mediastinum": r"widen\w*",
    "free_air": r"free (?:air|gas)|pneumoperitoneum|subdiaphragmatic (?:air|gas)",
    "hyper": r"hyperinfl\w*|hyperexpan\w*|emphysem\w*|copd",
}
_CONCEPT_RE = {k: re.compile(r"\b(?:" + v + r")", re.I) for k, v in CONCEPTS.items()}
FAMILY = {
    "airspace": "lung",
    "opacity": "lung",
    "atelect": "lung",
    "effusion": "effusion",
    "pneumothorax": "pneumothorax",
    "edema": "edema",
    "heart": "heart",
    "nodule": "nodule",
    "mediastinum": "mediastinum",
    "free_air": "free_air",
    "hyper": "hyper",
}
_LUNGS_CLEAR = re.compile(
    r"\blungs?\b[^.;]{0,30}\b(?:clear|normal|unremarkable)\b|\bclear lungs?\b|\blung fields?\b[^.;]{0,20}\bclear\b",
    re.I,
)
_HEART_NORMAL = re.compile(
    r"\b(?:heart|cardiac|cardiomediastinal)\b[^.;]{0,45}\b(?:normal|within normal limits|unremarkable|not enlarged)\b|"
    r"\bnormal (?:heart|cardiac)\b",
    re.I,
)
_MEDIAST_NORMAL = re.compile(r"\bmediastin\w*\b[^.;]{0,40}\b(?:normal|unremarkable|within normal limits)\b", re.I)
_SIDE = re.compile(r"\b(left|right|bilateral|bilaterally|both|bibasilar|bibasal|biapical)\b", re.I)
_SIZE = re.compile(r"\b(\d+(?:\.\d+)?) ?(mm|cm)\b", re.I)
_GENERIC_NORMAL = re.compile(
    r"\b(?:no acute|no active|normal|negative|unremarkable|no evidence|no radiographic|no significant|clear)\b", re.I
)


def split_sentences(text):
    text = _NUMBERING.sub("", _clean_ws(text))
    out = []
    for s in _SPLIT.split(text):
        s = s.strip()
        s = re.sub(r"(?:\s*\.){2,}$", ".", s)
        if s and s.strip(". ") and not re.fullmatch(r"[.\s]+", s):
            out.append(s)
    return out


def _sides(text):
    sides = set()
    for m in _SIDE.finditer(text):
        w = m.group(1).lower()
        if w == "left":
            sides.add("L")
        elif w == "right":
            sides.add("R")
        else:
            sides.update("LR")
    return sides


@dataclass
class Mention:
    concept: str
    pos: bool
    hedged: bool
    qualifying: bool
    sides: set
    sentence: int
    clause: str


def analyse(sentences):
    """Mentions of the concepts in a section: affirmed or negated, by clause; plus negations by meaning."""
    mentions = []
    for si, sent in enumerate(sentences):
        for clause in _CLAUSE.split(sent):
            for concept, rx in _CONCEPT_RE.items():
                for m in rx.finditer(clause):
                    before = clause[: m.start()]
                    neg = bool(_NEG.search(before)) or bool(_POST_NEG.search(clause[m.end() :]))
                    hedged = bool(_HEDGE.search(before))
                    sub = _subclause(clause, m.start(), m.end())
                    mentions.append(
                        Mention(concept, not neg, hedged, _qualifies(concept, sub), _sides(clause), si, clause)
                    )
                    break
        if _LUNGS_CLEAR.search(sent) and not re.search(r"\bnot clear\b", sent, re.I):
            for c in ("airspace", "opacity", "edema", "nodule", "atelect"):
                mentions.append(Mention(c, False, False, False, set(), si, sent))
        if _HEART_NORMAL.search(sent):
            mentions.append(Mention("heart", False, False, False, set(), si, sent))
        if _MEDIAST_NORMAL.search(sent):
            mentions.append(Mention("mediastinum", False, False, False, set(), si, sent))
    return mentions


_NOT_NEW = re.compile(
    r"\b(?:again|persist\w*|stable|unchanged|chronic|improv\w*|decreas\w*|resolv\w*|old|prior|residual|probabl[ey]|"
    r"minimal\w*|mild\w*|subtle|slight\w*|trace|tiny|similar|atelecta\w*|scar\w*|discoid|subsegmental|known)\b|"
    r"without (?:significant |interval )?change",
    re.I,
)
_POST_NEG = re.compile(
    r"\b(?:not|no longer) (?:appreciated|seen|identified|visuali[sz]ed|present|evident)\b|"
    r"\bless (?:apparent|perceptible|conspicuous)\b|\bhas resolved\b",
    re.I,
)
_OTHER_FINDING = re.compile(
    r"\b(?:fractur\w*|cathet\w*|tube|line|picc|pacemaker|degenerat\w*|spondyl\w*|hernia|granulom\w*|cardiomegaly|"
    r"enlarged|hil(?:um|ar)|scoliosis|clips?|sternotomy|contrast|volumes?|deformit\w*|emphysema|copd|hyperexpan\w*|"
    r"hyperinfl\w*|aort\w*|mediastin\w*|effusions?|atelecta\w*|opacit\w*|nodul\w*|congestion|edema|oedema|"
    r"kyphosis|calcifi\w*|arthroplasty|osteopeni\w*|shift)\b",
    re.I,
)


def _subclause(clause, start, end):
    """The part of a clause around a match, between commas and 'and's."""
    cuts = [0] + [m.end() for m in re.finditer(r",|\band\b", clause)]
    lo = max(c for c in cuts if c <= start)
    nxt = [m.start() for m in re.finditer(r",|\band\b", clause) if m.start() >= end]
    return clause[lo : nxt[0] if nxt else len(clause)]


def _qualifies(concept, clause):
    """A finding whose omission from the impression a consultant would call an omission."""
    low = clause.lower()
    if _NOT_NEW.search(low):
        return False
    if re.search(r"\b(?:new|increas\w*|enlarging|worsen\w*)\b", low) and concept in (
        "effusion",
        "pneumothorax",
        "airspace",
        "opacity",
        "edema",
        "nodule",
    ):
        return not _HEDGE.search(low)
    if concept == "pneumothorax":
        return not re.search(r"\b(?:resolved|tiny|trace)\b", low)
    if concept == "effusion":
        return bool(re.search(r"\b(?:moderate|large|massive|sizable|sizeable|substantial)\b", low)) and not re.search(
            r"\bsmall\b", low
        )
    if concept == "airspace":
        return not _MILD.search(low)
    if concept == "edema":
        return not re.search(r"\b(?:chronic|stable|unchanged|resolv\w*|improv\w*|soft tissue)\b", low)
    if concept == "nodule":
        if re.search(r"granulom|calcif", low):
            return False
        if re.search(r"\bmass\b", low):
            return True
        for m in _SIZE.finditer(low):
            mm = float(m.group(1)) * (10 if m.group(2) == "cm" else 1)
            if mm >= 6:
                return True
        return False
    if concept in ("mediastinum", "free_air"):
        return not _MILD.search(low)
    return False


SIGNIFICANT = {
    "effusion",
    "pneumothorax",
    "airspace",
    "opacity",
    "atelect",
    "edema",
    "heart",
    "nodule",
    "mediastinum",
    "free_air",
    "hyper",
}
OMIT_FAMILIES = {"effusion", "pneumothorax", "lung", "edema", "nodule", "mediastinum", "free_air"}
_PLACEHOLDERISH = re.compile(r"[\[\]{}<>*]|__|\bXX\b|\bx{2,}\b(?!X)", re.I)


def _minor(m):
    return m.concept == "nodule" and re.search(r"granulom|calcif", m.clause, re.I)


def consistent(fs, isents):
    """Whether an IU report is, to my reading, internally consistent (a clean base)."""
    F, I_ = analyse(fs), analyse(isents)
    for c in CONCEPTS:
        fpos = any(m.pos for m in F if m.concept == c)
        fneg = any(not m.pos for m in F if m.concept == c)
        ipos = any(m.pos for m in I_ if m.concept == c)
        ineg = any(not m.pos for m in I_ if m.concept == c)
        if (fpos and ineg) or (fneg and ipos):
            return False
    fams = {FAMILY[m.concept] for m in F + I_ if m.pos}
    for fam in fams:
        fs_ = set().union(*[m.sides for m in F if m.pos and FAMILY[m.concept] == fam] or [set()])
        is_ = set().union(*[m.sides for m in I_ if m.pos and FAMILY[m.concept] == fam] or [set()])
        if fs_ and is_ and fs_ != is_:
            return False
    ipos_fams = {FAMILY[m.concept] for m in I_ if m.pos}
    for m in F:
        if m.pos and m.concept in SIGNIFICANT and not _minor(m) and FAMILY[m.concept] not in ipos_fams:
            return False
    if not ipos_fams and not any(_GENERIC_NORMAL.search(s) for s in isents):
        return False
    return True


def iu_usable(r):
    f, i = r["findings"], r["impression"]
    if len(f) < 40 or len(i) < 8:
        return False
    if re.match(r"(?:see|as) (?:above|findings|discussed)", i, re.I):
        return False
    text = " ".join([f, i, r["indication"], r["comparison"]])
    if _PLACEHOLDERISH.search(text.replace("XXXX", "")):
        return False
    if re.search(r"\b(?:dictat|addendum|called|notified|discussed with)\w*", text, re.I):
        return False
    if len(f) > 700 or len(i) > 400:
        return False
    fs, isents = split_sentences(f), split_sentences(i)
    if not fs or not isents:
        return False
    return consistent(fs, isents)


# ----------------------------------------------------------------------------------------------------------------
# the setting's words

STYLES = ["uk", "in", "pk", "eg", "ph", "na"]
STYLE_WEIGHTS = [26, 24, 12, 14, 12, 12]

TITLES = {
    "uk": ["XR CHEST PA", "CHEST X-RAY PA", "XR CHEST AP (PORTABLE)", "CHEST RADIOGRAPH"],
    "in": ["X-RAY CHEST PA VIEW", "X-RAY CHEST PA VIEW", "CHEST X-RAY (PA VIEW)", "X-RAY CHEST AP VIEW (BEDSIDE)"],
    "pk": ["X-RAY CHEST P/A VIEW", "CHEST X-RAY PA VIEW", "X-RAY CHEST AP (PORTABLE)"],
    "eg": ["Plain X-ray chest PA view", "CHEST X-RAY PA VIEW", "Chest radiograph (PA view)"],
    "ph": ["CHEST PA", "CHEST PA VIEW", "CHEST PA AND LATERAL", "CHEST AP (PORTABLE)"],
    "na": ["EXAM: XR CHEST 2 VIEWS (PA/LAT)", "EXAM: XR CHEST 1 VIEW", "EXAMINATION: CHEST RADIOGRAPH, PA AND LATERAL"],
}
HIST_HEAD = {
    "uk": ["Clinical details:", "CLINICAL DETAILS:", "Clinical information:"],
    "in": ["Clinical history:", "CLINICAL HISTORY:", "Clinical details:"],
    "pk": ["Clinical history:", "Clinical information:", "Reason for exam:"],
    "eg": ["Clinical data:", "Clinical history:", "Indication:"],
    "ph": ["Clinical data:", "Clinical history:", "History:"],
    "na": ["HISTORY:", "INDICATION:", "CLINICAL INDICATION:"],
}
COMP_HEAD = {
    "uk": ["Comparison:", "COMPARISON:"],
    "in": ["Comparison:", "Previous:"],
    "pk": ["Comparison:"],
    "eg": ["Comparison:", "Previous study:"],
    "ph": ["Comparison:"],
    "na": ["COMPARISON:"],
}
F_HEAD = {
    "uk": ["FINDINGS:", "Findings:"],
    "in": ["OBSERVATIONS:", "FINDINGS:", "Observations:"],
    "pk": ["FINDINGS:", "Findings:", "REPORT:"],
    "eg": ["Findings:", "FINDINGS:"],
    "ph": ["FINDINGS:", "Findings:"],
    "na": ["FINDINGS:"],
}
I_HEAD = {
    "uk": ["IMPRESSION:", "CONCLUSION:", "Opinion:", "IMPRESSION:"],
    "in": ["IMPRESSION:", "Impression:", "IMPRESSION:"],
    "pk": ["IMPRESSION:", "CONCLUSION:"],
    "eg": ["CONCLUSION:", "Impression:", "OPINION:", "IMPRESSION:"],
    "ph": ["IMPRESSION:", "Impression:"],
    "na": ["IMPRESSION:"],
}
SIGNOFF = {
    "uk": [
        "Dr XXXX\nConsultant Radiologist",
        "Reported by: Dr XXXX, FRCR (Consultant Radiologist)",
        "Dr XXXX, Specialist Registrar / Dr XXXX, Consultant Radiologist",
    ],
    "in": [
        "Dr. XXXX\nMBBS, MD (Radiodiagnosis)\nSpecialist Radiologist",
        "Thanks for referral.\nDr. XXXX, DMRD, DNB",
        "Dr. XXXX\nSpecialist Radiology",
    ],
    "pk": ["Dr. XXXX\nMBBS, FCPS (Radiology)\nSpecialist Radiologist", "Reported by: Dr. XXXX (FCPS)"],
    "eg": ["Dr. XXXX\nMSc, MD Radiodiagnosis\nSpecialist Radiologist", "Reported by: Dr. XXXX, Radiology Specialist"],
    "ph": ["XXXX, MD, FPCR\nRadiologist", "XXXX, MD, DPBR\nConsultant Radiologist"],
    "na": ["Electronically signed by: XXXX, MD on XXXX", "Signed: XXXX, MD, ABR-certified radiologist"],
}
MASKED_SIGNOFF = ["Reporting radiologist: Dr. ___", "Dictated by: Dr. ___ / Verified by: Dr. ___"]

CONTEXTS = {
    "er": [
        "Fever and productive cough for 4 days.",
        "Shortness of breath.",
        "Chest pain, rule out pneumothorax.",
        "RTA, blunt chest trauma.",
        "Cough and fever, ? chest infection.",
        "Sudden onset chest pain and SOB.",
        "Fall from height at work site, chest pain.",
        "Haemoptysis.",
        "Known asthmatic with acute wheeze.",
        "Epigastric pain, ? perforation.",
        "Fever, SOB, known diabetic.",
    ],
    "ward": [
        "Post-op day 2, desaturation.",
        "Known CCF, increasing SOB.",
        "Follow-up of pneumonia on IV antibiotics.",
        "CKD on haemodialysis, SOB.",
        "Fever on the ward, ? aspiration.",
    ],
    "opd": [
        "Chronic cough for 3 weeks.",
        "Follow-up of known sarcoidosis.",
        "Hypertensive, routine check-up.",
        "Smoker with chronic cough.",
        "Pre-operative assessment.",
        "Weight loss and night sweats.",
        "Follow-up chest X-ray after treatment of pneumonia.",
    ],
    "visa": [
        "Pre-employment medical examination.",
        "Residency visa medical screening.",
        "Medical commission - fitness examination.",
        "Routine medical for new worker (TB screening).",
        "Visa renewal medical.",
    ],
}
INDICATION_FOR = {
    "consolidation": [
        "Fever and productive cough for 4 days.",
        "Cough and fever, ? chest infection.",
        "Fever, SOB, known diabetic.",
        "Follow-up of pneumonia on IV antibiotics.",
        "Fever on the ward, ? aspiration.",
        "High-grade fever with chills, crepitations on auscultation.",
    ],
    "tb": ["Chronic cough and weight loss.", "Weight loss and night sweats.", "Haemoptysis."],
    "lines": ["Post central line insertion.", "ICU patient, ventilated.", "Line position check."],
    "ptx": [
        "Sudden onset chest pain and SOB.",
        "RTA, blunt chest trauma.",
        "Chest pain, rule out pneumothorax.",
        "Tall thin young male with acute pleuritic chest pain.",
    ],
    "effusion": ["Known CCF, increasing SOB.", "SOB, reduced air entry on auscultation.", "CKD on haemodialysis, SOB."],
    "oedema": ["Known CCF, increasing SOB.", "CKD on haemodialysis, SOB.", "Acute SOB, bilateral basal crepitations."],
    "mass": ["Smoker with chronic cough.", "Weight loss and haemoptysis.", "Chronic cough for 3 weeks."],
    "nodule": ["Smoker with chronic cough.", "Chronic cough for 3 weeks.", "Incidental finding, ? nodule."],
    "widened": [
        "RTA, blunt chest trauma.",
        "Severe chest pain radiating to the back.",
        "Fall from height, chest pain.",
    ],
    "free_air": ["Epigastric pain, ? perforation.", "Acute abdomen, ? perforated viscus.", "Severe abdominal pain."],
}
CONTEXT_WEIGHTS = {"er": 34, "ward": 22, "opd": 20, "visa": 24}
RECS = {
    "infection": [
        "Suggest clinical correlation and follow-up film after treatment.",
        "Advise follow-up chest X-ray in 6 weeks to document resolution.",
        "Kindly correlate clinically.",
    ],
    "mass": ["CT chest with contrast is recommended for further evaluation.", "Suggest CT chest for characterisation."],
    "tb": ["Suggest sputum for AFB and clinical correlation.", "Kindly correlate with sputum AFB and Mantoux test."],
    "urgent": ["Findings communicated to the treating physician.", "Urgent clinical attention is advised."],
    "general": ["Suggested clinical correlation.", "Kindly correlate clinically.", "Clinical correlation is advised."],
}


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def side_word(side, rng=None, style="uk"):
    word = {"R": "right", "L": "left"}[side]
    if rng is not None and style in ("in", "pk") and rng.random() < 0.2:
        return {"R": "Rt.", "L": "Lt."}[side]
    return word


_FLIP = {"left": "right", "right": "left", "lt": "rt", "rt": "lt"}


def flip_sides(text):
    def sub(m):
        w = m.group(0)
        new = _FLIP[w.lower()]
        if w.isupper():
            return new.upper()
        if w[0].isupper():
            return new.capitalize()
        return new

    return re.sub(r"\b(?:left|right|lt|rt)\b", sub, text, flags=re.I)


# ----------------------------------------------------------------------------------------------------------------
# normal statements by style and component

NORMAL = {
    "trachea": {
        "uk": ["Trachea is central."],
        "in": ["Trachea is central.", "Trachea is in midline."],
        "pk": ["Trachea is central."],
        "eg": ["Central trachea."],
        "ph": ["The trachea is at midline."],
        "na": ["The trachea is midline."],
    },
    "mediastinum": {
        "uk": ["Mediastinal contours are normal.", "Mediastinum is not widened."],
        "in": ["Mediastinum is normal.", "Mediastinal shadow is within normal limits."],
        "pk": ["Mediastinum is central and not widened."],
        "eg": ["Normal mediastinal shadow."],
        "ph": ["The mediastinum is not widened."],
        "na": ["The mediastinal contours are within normal limits."],
    },
    "heart": {
        "uk": ["Heart size is normal.", "Normal heart size.", "The cardiac size is within normal limits."],
        "in": ["Cardiac size is within normal limits.", "Heart size is normal.", "CT ratio is within normal limits."],
        "pk": ["Cardiac silhouette is normal in size.", "Heart is normal in size."],
        "eg": ["Normal cardiac shadow.", "Normal cardiac size (CTR less than 0.5)."],
        "ph": ["The heart is not enlarged.", "Heart is normal in size and configuration."],
        "na": ["The cardiac silhouette is normal in size.", "Heart size is within normal limits."],
    },
    "hila": {
        "uk": ["Hila are normal."],
        "in": ["Both hila are normal.", "Bilateral hilar shadows are normal."],
        "pk": ["Both hila are normal in size and density."],
        "eg": ["Normal both hilar shadows."],
        "ph": ["The hila are not prominent."],
        "na": ["The hila are unremarkable."],
    },
    "lungs": {
        "uk": ["Lungs are clear.", "The lungs are clear.", "No focal lung lesion."],
        "in": ["Both lung fields are clear.", "Bilateral lung fields are clear.", "No active lung parenchymal lesion."],
        "pk": ["Both lung fields are clear.", "No focal consolidation or mass lesion is seen."],
        "eg": ["Clear both lung fields.", "Both lung fields show no focal lesions."],
        "ph": ["Both lung fields are clear.", "No infiltrates are seen in both lung fields."],
        "na": ["The lungs are clear.", "No focal airspace consolidation."],
    },
    "pleura": {
        "uk": ["No pleural effusion.", "Costophrenic angles are clear."],
        "in": ["Both costophrenic angles are clear.", "Both CP angles are free."],
        "pk": ["Both costophrenic angles are sharp.", "Both CP angles are clear."],
        "eg": ["Free both costophrenic angles.", "Sharp costophrenic angles."],
        "ph": ["Both costophrenic sulci are intact.", "No pleural effusion."],
        "na": ["No pleural effusion.", "There is no pleural effusion."],
    },
    "ptx": {
        "uk": ["No pneumothorax."],
        "in": ["No pneumothorax."],
        "pk": ["No pneumothorax is seen."],
        "eg": ["No pneumothorax."],
        "ph": ["No pneumothorax."],
        "na": ["There is no pneumothorax."],
    },
    "diaphragm": {
        "uk": ["Diaphragmatic outlines are normal."],
        "in": ["Both domes of diaphragm are normal in position and contour.", "Both domes of diaphragm are normal."],
        "pk": ["Both hemidiaphragms are normal in position."],
        "eg": ["Normal both domes of the diaphragm."],
        "ph": ["Both hemidiaphragms are intact."],
        "na": ["The hemidiaphragms are normal in contour."],
    },
    "bones": {
        "uk": ["No bony abnormality.", "Visualised bones are unremarkable."],
        "in": ["Bony thorax is normal.", "Visualised bony cage is normal."],
        "pk": ["Bony thorax appears normal."],
        "eg": ["Intact bony thorax."],
        "ph": ["The visualized osseous structures are unremarkable."],
        "na": ["No acute osseous abnormality.", "Visualized osseous structures are intact."],
    },
}
COMPONENT_ORDER = {
    "uk": ["heart", "mediastinum", "lungs", "pleura", "ptx", "hila", "bones"],
    "in": ["trachea", "lungs", "hila", "pleura", "heart", "mediastinum", "diaphragm", "bones"],
    "pk": ["trachea", "mediastinum", "heart", "lungs", "hila", "pleura", "ptx", "diaphragm", "bones"],
    "eg": ["trachea", "heart", "mediastinum", "lungs", "hila", "pleura", "diaphragm", "bones"],
    "ph": ["lungs", "heart", "trachea", "diaphragm", "pleura", "bones"],
    "na": ["heart", "mediastinum", "lungs", "pleura", "ptx", "bones"],
}
ESSENTIAL = {"heart", "lungs", "pleura"}
OTHERWISE_CLEAR = {
    "uk": ["The lungs are otherwise clear."],
    "in": ["Rest of the lung fields are clear."],
    "pk": ["Rest of both lung fields are clear."],
    "eg": ["Otherwise clear lung fields."],
    "ph": ["The rest of the lung fields are clear."],
    "na": ["The lungs are otherwise clear."],
}
OTHER_SIDE_CP = {
    "uk": "The {side} costophrenic angle is clear.",
    "in": "{Side} CP angle is clear.",
    "pk": "{Side} costophrenic angle is sharp.",
    "eg": "Free {side} costophrenic angle.",
    "ph": "The {side} costophrenic sulcus is intact.",
    "na": "No {side} pleural effusion.",
}
STRUCT_LABEL = {
    "trachea": "Trachea",
    "mediastinum": "Mediastinum",
    "heart": "Heart",
    "hila": "Hila",
    "lungs": "Lungs",
    "pleura": "Pleura",
    "ptx": "Pleura",
    "diaphragm": "Diaphragm",
    "bones": "Bones",
    "devices": "Lines/tubes",
}

# normal impressions: 'strict' only with nothing in the findings; 'noacute' also beside incidental findings;
# 'generic' (no organ named) is what an omission puts in place of the impression
NORMAL_IMP = {
    "uk": {
        "strict": ["Normal chest radiograph.", "Normal study."],
        "noacute": ["No acute cardiopulmonary abnormality.", "No active disease."],
    },
    "in": {
        "strict": ["No significant abnormality detected.", "Normal chest X-ray.", "No obvious abnormality seen."],
        "noacute": ["No active lung lesion seen.", "No significant active abnormality detected."],
    },
    "pk": {
        "strict": ["Normal chest X-ray.", "No significant abnormality seen."],
        "noacute": ["No active chest disease.", "No acute cardiopulmonary pathology."],
    },
    "eg": {
        "strict": ["Unremarkable chest X-ray.", "Normal plain chest radiograph."],
        "noacute": ["No significant radiological abnormality.", "No active chest lesion."],
    },
    "ph": {
        "strict": ["Essentially normal chest findings.", "Normal chest."],
        "noacute": ["No active pulmonary disease.", "Essentially normal chest findings."],
    },
    "na": {
        "strict": ["Normal chest radiographs.", "No radiographic abnormality."],
        "noacute": ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality."],
    },
}
VISA_IMP = [
    "No radiological evidence of active pulmonary tuberculosis.",
    "No evidence of active pulmonary Koch's.",
    "No radiographic evidence of active pulmonary TB.",
]
GENERIC_NORMAL_IMP = [
    "No acute cardiopulmonary abnormality.",
    "No significant abnormality detected.",
    "Normal chest radiograph.",
    "Essentially normal chest findings.",
    "No acute cardiopulmonary process.",
    "Unremarkable chest X-ray.",
    "No significant radiological abnormality.",
]


# ----------------------------------------------------------------------------------------------------------------
# findings that can be in a composed report


@dataclass
class Entity:
    key: str
    find: str
    imp: str
    comp: str  # which normal statement it displaces
    side: str | None = None
    mention: str = "must"  # must | optional | incidental
    omit_ok: bool = False  # a significant finding whose omission is an error
    lat: bool = False  # a finding with a side that may be flipped
    neg_imp: list = field(default_factory=list)  # an impression that would negate it
    blocks: tuple = ()
    rec: str | None = None
    diffuse: bool = False


def _zone(rng, style):
    if style in ("na",):
        return pick(rng, ["lower lobe", "base", "upper lobe", "mid lung"])
    return pick(rng, ["lower zone", "mid zone", "upper zone", "lower zone", "mid and lower zones"])


def ent_consolidation(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    z = _zone(rng, style)
    new = "New " if prior and rng.random() < 0.6 else ""
    find = pick(
        rng,
        [
            f"{new}Patchy consolidation is seen in the {s} {z}.",
            f"{new}Ill-defined air-space opacity in the {s} {z} with air bronchograms.",
            f"{new}Inhomogeneous patchy opacities are noted in the {s} {z}.",
            f"{new}Homogeneous opacity in the {s} lower zone with silhouetting of the {s} hemidiaphragm."
            if z == "lower zone"
            else f"{new}Homogeneous opacity in the {s} {z}.",
            f"{new}Air-space shadowing in the {s} {z}.",
        ],
    ).strip()
    if new:
        find = "New " + find[4].lower() + find[5:-1] + ", not present on the previous film."
    lobe = {
        "lower zone": "lower lobe",
        "mid zone": "middle lobe" if side == "R" else "lingular",
        "upper zone": "upper lobe",
        "mid and lower zones": "lower lobe",
    }.get(z, z)
    imp = pick(
        rng,
        [
            f"{cap(s)} {z} consolidation, likely infective.",
            f"{cap(s)} {lobe} pneumonia.",
            f"Features suggestive of {s} {lobe} pneumonia.",
            f"{cap(s)} {z} consolidation - ? infective. Follow-up after treatment advised.",
            f"{'New ' if new else ''}{s} {z} air-space disease, consistent with pneumonia in the clinical context.",
        ],
    )
    return Entity(
        "consolidation",
        find,
        cap(imp),
        "lungs",
        side,
        "must",
        True,
        True,
        ["No consolidation.", "Lungs are clear.", "No evidence of pneumonia."],
        ("lungs", "diaphragm"),
        "infection",
    )


def ent_tb(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = pick(
        rng,
        [
            f"Fibro-cavitary lesion in the {s} upper zone with surrounding patchy infiltrates.",
            f"Ill-defined patchy opacities with a thick-walled cavity in the {s} upper zone.",
            f"Nodular and patchy air-space opacities in the {s} upper zone with an area of cavitation.",
        ],
    )
    imp = pick(
        rng,
        [
            f"{cap(s)} upper zone cavitating lesion, likely active pulmonary tuberculosis.",
            f"Features suggestive of active Koch's in the {s} upper zone.",
            f"{cap(s)} upper lobe cavitary disease - suspicious for active pulmonary TB.",
        ],
    )
    return Entity(
        "tb",
        find,
        imp,
        "lungs",
        side,
        "must",
        True,
        True,
        ["No active lung lesion.", "Lungs are clear."],
        ("lungs",),
        "tb",
    )


def ent_ptx(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    n = pick(rng, ["1.5", "2", "2.5", "3", "4"])
    find = pick(
        rng,
        [
            f"There is a {s} pneumothorax with a visible lung edge, measuring about {n} cm at the apex.",
            f"{cap(s)}-sided pneumothorax with a visible pleural edge.",
            f"A rim of {s} apical pneumothorax is seen, about {n} cm.",
            f"{cap(s)} pneumothorax with an apical pleural separation of {n} cm.",
        ],
    )
    imp = pick(
        rng,
        [
            f"{cap(s)} pneumothorax.",
            f"{cap(s)}-sided pneumothorax as described.",
            f"{cap(s)} pneumothorax ({n} cm at the apex).",
        ],
    )
    return Entity(
        "ptx",
        find,
        imp,
        "ptx",
        side,
        "must",
        True,
        True,
        ["No pneumothorax.", "No evidence of pneumothorax."],
        ("ptx",),
        "urgent",
    )


def ent_effusion_large(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    if prior and rng.random() < 0.6:
        find = f"The {s} pleural effusion has increased in size since the previous film and is now moderate."
        imp = f"Increasing {s} pleural effusion."
    else:
        size = pick(rng, ["Moderate", "Large", "Moderate-sized"])
        find = pick(
            rng,
            [
                f"{size} {s} pleural effusion.",
                f"Obliteration of the {s} costophrenic angle with a meniscus reaching the mid zone, in keeping with a "
                f"{size.lower()} effusion.",
                f"{size} {s} sided pleural effusion with underlying passive collapse.",
            ],
        )
        imp = pick(
            rng,
            [
                f"{size} {s} pleural effusion.",
                f"{cap(s)} sided pleural effusion ({size.lower()}).",
                f"{size} {s} pleural effusion - suggest ultrasound-guided tap if clinically indicated.",
            ],
        )
    return Entity(
        "effusion",
        find,
        cap(imp),
        "pleura",
        side,
        "must",
        True,
        True,
        ["No pleural effusion.", "No significant pleural effusion."],
        ("pleura",),
    )


def ent_effusion_small(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = pick(
        rng,
        [
            f"Blunting of the {s} costophrenic angle, likely a small effusion.",
            f"Small {s} pleural effusion.",
            f"Minimal {s} pleural effusion.",
        ],
    )
    imp = pick(
        rng,
        [
            f"Small {s} pleural effusion.",
            f"Minimal {s} pleural effusion.",
            f"Blunted {s} costophrenic angle - small effusion.",
        ],
    )
    return Entity(
        "effusion_small", find, imp, "pleura", side, "optional", False, True, ["No pleural effusion."], ("pleura",)
    )


def ent_oedema(rng, side, style, prior=False):
    find = pick(
        rng,
        [
            "Bilateral perihilar haziness with upper lobe venous diversion and Kerley B lines.",
            "Prominent pulmonary vasculature with upper lobe diversion, in keeping with pulmonary venous congestion.",
            "Bilateral perihilar air-space shadowing in a bat-wing distribution with septal lines.",
            "Upper lobe blood diversion, peribronchial cuffing and interstitial septal thickening.",
        ],
    )
    imp = pick(
        rng,
        [
            "Pulmonary oedema.",
            "Features of pulmonary venous congestion / fluid overload.",
            "Cardiogenic pulmonary oedema.",
            "Interstitial pulmonary oedema.",
        ],
    )
    if style == "na":
        imp = imp.replace("oedema", "edema")
        find = find.replace("oedema", "edema")
    return Entity(
        "oedema",
        find,
        imp,
        "lungs",
        None,
        "must",
        True,
        False,
        ["No pulmonary oedema.", "No features of fluid overload."],
        ("lungs", "hila"),
        diffuse=True,
    )


def ent_mass(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    n = pick(rng, ["3", "3.5", "4.2", "5"])
    find = pick(
        rng,
        [
            f"A well-defined rounded opacity measuring about {n} cm is seen in the {s} upper zone.",
            f"Lobulated soft tissue mass in the {s} hilar region measuring approximately {n} cm.",
            f"A {n} cm mass lesion is noted in the {s} mid zone.",
        ],
    )
    imp = pick(
        rng,
        [
            f"{cap(s)} lung mass lesion.",
            f"{cap(s)} lung mass ({n} cm) - neoplasm to be excluded.",
            f"Mass lesion in the {s} lung, ? neoplastic.",
        ],
    )
    return Entity(
        "mass",
        find,
        imp,
        "lungs",
        side,
        "must",
        True,
        True,
        ["No mass lesion.", "No focal lung lesion."],
        ("lungs", "hila"),
        "mass",
    )


def ent_nodule_big(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    n = pick(rng, ["8", "10", "12", "14", "15"])
    find = pick(
        rng,
        [
            f"A {n} mm nodule is seen in the {s} mid zone.",
            f"Well-defined {n} mm pulmonary nodule in the {s} upper zone.",
            f"Non-calcified nodular opacity measuring {n} mm in the {s} lower zone.",
        ],
    )
    imp = pick(
        rng,
        [
            f"{cap(s)} pulmonary nodule ({n} mm).",
            f"{n} mm {s} lung nodule.",
            f"Solitary pulmonary nodule in the {s} lung, {n} mm.",
        ],
    )
    return Entity(
        "nodule",
        find,
        imp,
        "lungs",
        side,
        "must",
        True,
        True,
        ["No pulmonary nodule.", "No focal lung lesion."],
        ("lungs",),
        "mass",
    )


def ent_nodule_small(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    n = pick(rng, ["3", "4", "5"])
    find = pick(
        rng,
        [
            f"A {n} mm nodular opacity in the {s} mid zone, likely a granuloma.",
            f"Tiny {n} mm nodule in the {s} lower zone.",
        ],
    )
    imp = f"Tiny {n} mm {s} lung nodule, likely granuloma."
    return Entity(
        "nodule_small", find, imp, "lungs", side, "optional", False, True, ["No pulmonary nodule."], ("lungs",)
    )


def ent_widened(rng, side, style, prior=False):
    n = pick(rng, ["8.5", "9", "10"])
    find = pick(
        rng,
        [
            f"The superior mediastinum appears widened, measuring about {n} cm on this AP film.",
            "Widened mediastinum with loss of the aortic knuckle outline.",
            f"The mediastinum is widened ({n} cm at the level of the aortic knuckle).",
        ],
    )
    imp = pick(
        rng,
        [
            "Widened mediastinum - CT chest (angiography) is recommended.",
            "Widened superior mediastinum; suggest CT correlation to exclude aortic injury.",
            "Mediastinal widening.",
        ],
    )
    return Entity(
        "widened",
        find,
        imp,
        "mediastinum",
        None,
        "must",
        True,
        False,
        ["Mediastinum is not widened.", "Normal mediastinal contour."],
        ("mediastinum",),
        "urgent",
    )


def ent_free_air(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = pick(
        rng,
        [
            f"Free gas is seen under the {s} hemidiaphragm.",
            f"Crescentic lucency beneath the {s} dome of the diaphragm, consistent with free intraperitoneal air.",
            f"Air under the {s} dome of diaphragm.",
        ],
    )
    imp = pick(
        rng,
        [
            "Pneumoperitoneum - suggest urgent surgical review.",
            f"Free air under the {s} hemidiaphragm, in keeping with hollow viscus perforation.",
            f"Free gas under the {s} dome of diaphragm.",
        ],
    )
    return Entity(
        "free_air",
        find,
        imp,
        "diaphragm",
        side,
        "must",
        True,
        True,
        ["No free air under the diaphragm.", "No pneumoperitoneum."],
        ("diaphragm",),
        "urgent",
    )


def ent_collapse(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    lobe = pick(rng, ["upper", "lower"])
    find = (
        f"Triangular opacity in the {s} {lobe} zone with "
        f"{'elevation of the horizontal fissure' if lobe == 'upper' and side == 'R' else 'volume loss'}."
    )
    imp = f"{cap(s)} {lobe} lobe collapse."
    return Entity("collapse", find, imp, "lungs", side, "must", False, True, ["No collapse."], ("lungs",), "mass")


def ent_atelectasis(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = pick(rng, [f"Linear atelectatic band in the {s} lower zone.", f"Plate atelectasis at the {s} base."])
    imp = f"{cap(s)} basal atelectasis."
    return Entity("atelectasis", find, imp, "lungs", side, "optional", False, True, [], ("lungs",))


def ent_cardiomegaly(rng, side, style, prior=False):
    mild = rng.random() < 0.5
    if mild:
        find = pick(rng, ["Mild cardiomegaly.", "The heart is mildly enlarged.", "Borderline cardiomegaly (CTR 0.52)."])
        imp = pick(rng, ["Mild cardiomegaly.", "Borderline cardiomegaly."])
        return Entity(
            "cardiomegaly_mild", find, imp, "heart", None, "optional", False, False, ["Normal heart size."], ("heart",)
        )
    find = pick(
        rng,
        [
            "Cardiomegaly with a CTR of about 0.62.",
            "The cardiac silhouette is enlarged.",
            "Enlarged cardiac shadow (CTR 0.6).",
        ],
    )
    imp = pick(rng, ["Cardiomegaly.", "Cardiomegaly - suggest echocardiography.", "Enlarged heart."])
    return Entity(
        "cardiomegaly",
        find,
        imp,
        "heart",
        None,
        "must",
        False,
        False,
        ["Normal heart size.", "Heart is not enlarged."],
        ("heart",),
    )


def ent_hyperinflation(rng, side, style, prior=False):
    find = pick(
        rng,
        [
            "Both lungs are hyperinflated with flattened hemidiaphragms.",
            "Hyperinflated lung fields with flattening of both domes of diaphragm.",
        ],
    )
    imp = pick(rng, ["Hyperinflated lungs, suggestive of COPD.", "Features of chronic obstructive airway disease."])
    return Entity("hyperinflation", find, imp, "diaphragm", None, "must", False, False, [], ("diaphragm",))


def ent_bronchitic(rng, side, style, prior=False):
    find = pick(
        rng,
        [
            "Prominent bronchovascular markings in both lower zones.",
            "Increased bronchovascular markings bilaterally with peribronchial thickening.",
        ],
    )
    imp = pick(rng, ["Bronchitic changes.", "Prominent bronchovascular markings - ? bronchitis / reactive airway."])
    return Entity("bronchitic", find, imp, "lungs", None, "must", False, False, [], ("lungs",), diffuse=True)


def ent_elevated(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = f"Elevated {s} hemidiaphragm."
    imp = pick(rng, [f"Elevated {s} hemidiaphragm.", f"Raised {s} dome of diaphragm."])
    return Entity("elevated", find, imp, "diaphragm", side, "optional", False, True, [], ("diaphragm",))


def ent_spondylosis(rng, side, style, prior=False):
    find = pick(
        rng,
        [
            "Degenerative changes in the dorsal spine.",
            "Spondylotic changes of the thoracic spine.",
            "Osteophytes along the dorsal spine.",
        ],
    )
    return Entity("spondylosis", find, "Dorsal spondylosis.", "bones", None, "incidental", blocks=("bones",))


def ent_granuloma(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = pick(
        rng,
        [
            f"A calcified granuloma is noted in the {s} mid zone.",
            f"Small calcified focus in the {s} upper zone, likely an old granuloma.",
        ],
    )
    return Entity(
        "granuloma",
        find,
        f"Calcified granuloma in the {s} lung (old healed).",
        "lungs",
        side,
        "incidental",
        lat=True,
        blocks=("lungs",),
    )


def ent_old_tb(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    find = pick(
        rng,
        [
            f"Few fibrotic strands are seen in the {s} upper zone.",
            f"Fibrotic strands with small calcific foci in the {s} apical region.",
        ],
    )
    imp = pick(
        rng,
        [
            f"Fibrotic strands in the {s} upper zone, likely old healed Koch's. No evidence of active disease.",
            f"Old healed fibrotic lesion in the {s} upper zone.",
        ],
    )
    return Entity("old_tb", find, imp, "lungs", side, "incidental", lat=True, blocks=("lungs",))


def ent_aorta(rng, side, style, prior=False):
    find = pick(rng, ["Unfolded aorta with calcification of the aortic knuckle.", "Calcified aortic knuckle."])
    return Entity("aorta", find, "Atherosclerotic aorta.", "mediastinum", None, "incidental", blocks=("mediastinum",))


def ent_cervical_rib(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    return Entity(
        "cervical_rib",
        f"{cap(s)} cervical rib is noted.",
        f"{cap(s)} cervical rib (incidental).",
        "bones",
        side,
        "incidental",
        blocks=("bones",),
    )


def ent_old_fracture(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    nth = pick(rng, ["6th", "7th", "8th"])
    return Entity(
        "old_fracture",
        f"Old healed fracture of the {s} {nth} rib.",
        f"Old healed {s} rib fracture.",
        "bones",
        side,
        "incidental",
        blocks=("bones",),
    )


def ent_lines(rng, side, style, prior=False):
    s = side_word(side, rng, style)
    parts = pick(
        rng,
        [
            [f"{cap(s)} internal jugular central venous catheter with its tip in the SVC."],
            [
                "Endotracheal tube tip is about 4 cm above the carina.",
                "Nasogastric tube is seen coursing below the diaphragm.",
            ],
            [f"{cap(s)} IJV haemodialysis catheter with tip at the cavoatrial junction."],
        ],
    )
    imp = pick(rng, ["Lines and tubes in satisfactory position.", "Support devices in appropriate position."])
    return Entity("lines", " ".join(parts), imp, "devices", side, "optional")


def ent_sternotomy(rng, side, style, prior=False):
    return Entity(
        "sternotomy",
        "Median sternotomy wires and mediastinal clips are noted.",
        "Post-CABG status.",
        "bones",
        None,
        "incidental",
        blocks=("bones",),
    )


SIG = [
    ent_consolidation,
    ent_ptx,
    ent_effusion_large,
    ent_oedema,
    ent_mass,
    ent_nodule_big,
    ent_widened,
    ent_free_air,
    ent_tb,
]
SIG_WEIGHTS = [30, 10, 14, 12, 5, 7, 4, 4, 6]
OTHER = [
    ent_effusion_small,
    ent_nodule_small,
    ent_collapse,
    ent_atelectasis,
    ent_cardiomegaly,
    ent_hyperinflation,
    ent_bronchitic,
    ent_elevated,
]
INCIDENTAL = [ent_spondylosis, ent_granuloma, ent_old_tb, ent_aorta, ent_cervical_rib, ent_old_fracture, ent_sternotomy]


# ----------------------------------------------------------------------------------------------------------------
# a report, rendered


@dataclass
class Report:
    style: str
    title: str
    meta: list  # lines before the findings
    f_sents: list  # sentences, or (label, sentence) for the structured layout
    i_items: list
    recs: list
    signoff: str
    f_head: str | None = "FINDINGS:"
    i_head: str = "IMPRESSION:"
    f_layout: str = "prose"  # prose | bullets | lines | structured
    i_layout: str = "block"  # inline | block | numbered | dashes
    missing: tuple | None = None
    impression_only: bool = False


def choose_layout(rng, rep, structured_ok=True):
    st = rep.style
    if st == "in" or st == "pk":
        rep.f_layout = pick(rng, ["bullets", "lines", "prose", "bullets"])
    elif st == "eg":
        rep.f_layout = pick(rng, ["lines", "bullets", "prose"])
    elif st == "uk":
        rep.f_layout = pick(rng, ["prose", "prose", "lines", "structured" if structured_ok else "prose"])
    elif st == "na":
        rep.f_layout = pick(rng, ["prose", "lines", "structured" if structured_ok else "prose"])
    else:
        rep.f_layout = pick(rng, ["prose", "prose", "lines"])
    rep.i_layout = (
        pick(rng, ["inline", "block", "numbered"])
        if len(rep.i_items) < 2
        else pick(rng, ["numbered", "numbered", "dashes", "block"])
    )
    rep.f_head = pick(rng, F_HEAD[st])
    rep.i_head = pick(rng, I_HEAD[st])


def render(rep):
    out = [rep.title, *rep.meta, ""]
    sig_used = False
    if not rep.impression_only:
        if rep.f_head:
            out.append(rep.f_head)
        if rep.missing and rep.missing[0] == "findings":
            if rep.missing[1] == "signature":
                out.append(rep.signoff)
                sig_used = True
        else:
            out.extend(_render_findings(rep))
        out.append("")
    if rep.missing and rep.missing[0] == "impression":
        if rep.missing[1] == "empty":
            out.append(rep.i_head)
        elif rep.missing[1] == "signature":
            out.append(rep.i_head)
            out.append(rep.signoff)
            sig_used = True
    else:
        out.extend(_render_impression(rep))
    if not sig_used:
        out.extend(["", rep.signoff])
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _render_findings(rep):
    if rep.f_layout == "structured":
        rows, seen = [], {}
        for label, s in rep.f_sents:
            if label in seen:
                rows[seen[label]] = rows[seen[label]] + " " + s
            else:
                seen[label] = len(rows)
                rows.append(f"{label}: {s}")
        return rows
    sents = [s for _, s in rep.f_sents] if rep.f_sents and isinstance(rep.f_sents[0], tuple) else list(rep.f_sents)
    if rep.f_layout == "bullets":
        return [f"- {s}" for s in sents]
    if rep.f_layout == "lines":
        return sents
    return [" ".join(sents)]


def _render_impression(rep):
    items, recs = rep.i_items, rep.recs
    if rep.i_layout == "inline" and len(items) == 1:
        return [f"{rep.i_head} {items[0]}", *recs]
    lines = [rep.i_head]
    if rep.i_layout == "numbered" and len(items) + len(recs) > 1:
        lines += [f"{k}. {s}" for k, s in enumerate(items + recs, 1)]
        return lines
    if rep.i_layout == "dashes":
        lines += [f"- {s}" for s in items]
    else:
        lines += items
    return lines + recs


# ----------------------------------------------------------------------------------------------------------------
# composed reports


@dataclass
class Scenario:
    style: str
    context: str
    entities: list
    prior: bool
    rep: Report | None = None
    normal_key: str | None = None  # the normal component forced in, for negation conflicts


def _meta(rng, style, context, prior, indication=None, comparison=None, title=None):
    lines = [f"{pick(rng, HIST_HEAD[style])} {indication or pick(rng, CONTEXTS[context])}"]
    if comparison is not None:
        lines.append(f"{pick(rng, COMP_HEAD[style])} {comparison}")
    elif prior:
        lines.append(
            f"{pick(rng, COMP_HEAD[style])} "
            + pick(
                rng,
                [
                    "Previous chest X-ray dated XXXX.",
                    "CXR of XXXX.",
                    "Prior radiograph from XXXX.",
                    "Compared with the previous film of XXXX.",
                ],
            )
        )
    elif rng.random() < 0.5:
        lines.append(f"{pick(rng, COMP_HEAD[style])} " + pick(rng, ["None.", "No prior available.", "None available."]))
    if style in ("uk", "na") and title and rng.random() < 0.3:
        if re.search(r"\bAP\b", title):
            tech = "AP portable (supine) view."
        elif re.search(r"LAT|2 VIEWS", title):
            tech = "PA and lateral views."
        else:
            tech = "Single frontal (PA) view."
        lines.append(("TECHNIQUE: " if style == "na" else "Technique: ") + tech)
    if rng.random() < 0.35:
        lines.insert(0, "Patient: XXXX   MRN: XXXX   Date: XXXX")
    return lines


def make_scenario(rng, want=None, context=None):
    """want: None (anything), 'sig' (a significant finding), 'lat' (a sided finding in both sections),
    'omit' (a finding whose omission counts), 'normal' (nothing)."""
    style = rng.choices(STYLES, STYLE_WEIGHTS)[0]
    if context is None:
        context = rng.choices(list(CONTEXT_WEIGHTS), list(CONTEXT_WEIGHTS.values()))[0]
        if want in ("sig", "lat", "omit") and context == "visa" and rng.random() < 0.7:
            context = "er"
    prior = context in ("ward", "opd") and rng.random() < 0.6 or context == "er" and rng.random() < 0.2
    ents = []
    used_keys = set()

    def add(fn, side=None):
        if side is None:
            side = pick(rng, ["R", "L"])
        e = fn(rng, side, style, prior)
        if e.key in used_keys or any(x.comp == e.comp and x.comp in ("pleura", "ptx", "heart") for x in ents):
            return None
        if any(x.comp == e.comp == "lungs" and not x.diffuse and not e.diffuse for x in ents):
            return None  # one focal lung finding a report, so 'the lungs are otherwise clear' stays simple
        used_keys.add(e.key)
        ents.append(e)
        return e

    if want == "normal":
        pass
    elif want in ("sig", "omit"):
        add(rng.choices(SIG, SIG_WEIGHTS)[0])
    elif want == "lat":
        fn = pick(
            rng,
            [
                ent_consolidation,
                ent_consolidation,
                ent_ptx,
                ent_effusion_large,
                ent_effusion_small,
                ent_mass,
                ent_nodule_big,
                ent_collapse,
                ent_tb,
                ent_free_air,
                ent_old_tb,
                ent_elevated,
                ent_atelectasis,
            ],
        )
        e = add(fn)
        e.mention = "must"
    elif context == "visa":
        r = rng.random()
        if r < 0.35:
            add(pick(rng, [ent_granuloma, ent_old_tb, ent_spondylosis, ent_cervical_rib, ent_old_fracture]))
        elif r < 0.42:
            add(ent_tb)
    else:
        r = rng.random()
        if r < 0.45:
            add(rng.choices(SIG, SIG_WEIGHTS)[0])
        elif r < 0.65:
            add(pick(rng, OTHER))
    if want != "normal" and context != "visa" and rng.random() < 0.45:
        add(pick(rng, OTHER))
    if want != "normal" and context == "ward" and rng.random() < 0.5:
        add(ent_lines)
    if want != "normal" and rng.random() < 0.25:
        add(pick(rng, INCIDENTAL))
    return Scenario(style, context, ents, prior)


def build_findings(rng, sc, no_other_side=False, force=None, structured=False):
    style = sc.style
    blocked = set()
    for e in sc.entities:
        blocked.update(e.blocks)
    comps = [c for c in COMPONENT_ORDER[style] if c not in blocked]
    keep = [c for c in comps if c in ESSENTIAL or c == force or rng.random() < 0.75]
    sents = []
    placed = set()

    def normal_sentence(c):
        if (
            c == "pleura"
            and "ptx" in keep
            and "ptx" not in blocked
            and style in ("uk", "na")
            and force not in ("ptx", "pleura")
            and rng.random() < 0.5
        ):
            placed.add("ptx")
            return pick(rng, ["No pleural effusion or pneumothorax.", "No pneumothorax or pleural effusion."])
        return pick(rng, NORMAL[c][style])

    for c in COMPONENT_ORDER[style]:
        if c in keep and c not in placed:
            sents.append((c, normal_sentence(c)))
            placed.add(c)
        for e in sc.entities:
            if e.comp == c or (c == COMPONENT_ORDER[style][-1] and e.comp not in COMPONENT_ORDER[style]):
                if ("ent", e.key) in placed:
                    continue
                placed.add(("ent", e.key))
                sents.append((e.comp, e.find))
                if e.comp == "lungs" and not e.diffuse and rng.random() < 0.6:
                    sents.append(("lungs", pick(rng, OTHERWISE_CLEAR[style])))
                if e.comp == "pleura" and e.side and not no_other_side and rng.random() < 0.4:
                    other = "L" if e.side == "R" else "R"
                    sents.append(
                        ("pleura", OTHER_SIDE_CP[style].format(side=side_word(other), Side=cap(side_word(other))))
                    )
    for e in sc.entities:
        if ("ent", e.key) not in placed:
            sents.append((e.comp, e.find))
    # de-duplicate 'otherwise clear' lines
    out, seen = [], set()
    for c, s in sents:
        if s in seen:
            continue
        seen.add(s)
        out.append((STRUCT_LABEL.get(c, "Other"), s) if structured else (c, s))
    return out


def build_impression(rng, sc, drop=None, forbid_normal_strict=False):
    """Impression items that agree with the findings; drop: an entity key to leave out."""
    style = sc.style
    ents = [e for e in sc.entities if e.key != drop]
    items, recs = [], []
    must = [e for e in ents if e.mention == "must"]
    has_sig = bool(must)
    for e in ents:
        if (
            e.mention == "must"
            or (e.mention == "optional" and (not has_sig or rng.random() < 0.5))
            or (e.mention == "incidental" and rng.random() < 0.5)
        ):
            if e.mention == "optional" and not has_sig:
                has_sig = True
            items.append(e.imp)
            if e.rec and rng.random() < 0.5:
                recs.append(pick(rng, RECS[e.rec]))
    if not items:
        if sc.entities and drop is None:
            items = [pick(rng, NORMAL_IMP[style]["noacute"] + (VISA_IMP if sc.context == "visa" else []))]
        elif sc.context == "visa" and rng.random() < 0.5:
            items = [pick(rng, VISA_IMP)]
        else:
            items = [pick(rng, NORMAL_IMP[style]["strict"] + NORMAL_IMP[style]["noacute"])]
        if rng.random() < 0.25:
            recs.append(pick(rng, RECS["general"]))
    elif rng.random() < 0.25 and not any("clinical" in r.lower() for r in recs):
        recs.append(pick(rng, RECS["general"]))
    return items, recs


def compose_report(rng, sc, f_sents, i_items, recs, structured=False):
    style = sc.style
    titles = TITLES[style]
    if sc.context in ("visa", "opd"):
        titles = [t for t in titles if not re.search(r"\bAP\b", t)]
    title = pick(rng, titles)
    indication = None
    keys = [e.key for e in sc.entities if e.key in INDICATION_FOR]
    if keys and sc.context != "visa":
        indication = pick(rng, INDICATION_FOR[keys[0]])
    meta = _meta(rng, style, sc.context, sc.prior, indication=indication, title=title)
    rep = Report(
        style,
        title,
        meta,
        f_sents,
        i_items,
        recs,
        pick(rng, SIGNOFF[style]) if rng.random() > 0.08 else pick(rng, MASKED_SIGNOFF),
    )
    choose_layout(rng, rep, structured_ok=False)
    if structured:
        rep.f_layout = "structured"
    return rep


def _with_structured(rng, sc):
    return sc.style in ("uk", "na") and rng.random() < 0.3


def composed_clean(rng):
    want = rng.choices([None, "normal", "sig"], [50, 25, 25])[0]
    sc = make_scenario(rng, want)
    structured = _with_structured(rng, sc)
    f = build_findings(rng, sc, structured=structured)
    items, recs = build_impression(rng, sc)
    rep = compose_report(rng, sc, f, items, recs, structured)
    note = ""
    r = rng.random()
    if r < 0.04 and sc.style == "ph":
        rep.f_head = None
        note = "; findings under the title with no FINDINGS header"
    elif r < 0.07 and sc.context in ("ward", "er") and not structured:
        # a short impression-only report that itself describes the findings (not an error)
        rep.impression_only = True
        rep.i_items = [s for _, s in f][:6]
        rep.i_layout = "block"
        rep.recs = []
        note = "; impression-only report that describes the findings itself"
    names = ", ".join(e.key for e in sc.entities) or "normal"
    return render(rep), f"composed {sc.style}/{sc.context}: {names}{note}; clean"


def composed_missing(rng):
    sc = make_scenario(rng, rng.choice([None, "normal", "sig"]))
    structured = _with_structured(rng, sc)
    f = build_findings(rng, sc, structured=structured)
    items, recs = build_impression(rng, sc)
    rep = compose_report(rng, sc, f, items, recs, structured)
    which = rng.choice(["findings", "impression"])
    how = rng.choice(["empty", "signature"] if which == "findings" else ["empty", "signature", "removed"])
    rep.missing = (which, how)
    if which == "findings" and rep.f_head is None:
        rep.f_head = "FINDINGS:"
    what = {
        "empty": "header kept with nothing under it",
        "signature": "header with only the signature under it",
        "removed": "section removed",
    }[how]
    return render(rep), f"composed {sc.style}/{sc.context}: {which.upper()} emptied ({what})"


def composed_laterality(rng):
    sc = make_scenario(rng, "lat")
    target = sc.entities[0]
    structured = _with_structured(rng, sc)
    f = build_findings(rng, sc, no_other_side=True, structured=structured)
    items, recs = build_impression(rng, sc)
    if target.imp not in items:
        items.insert(0, target.imp)
    where = rng.choice(["findings", "impression"])
    if where == "findings":
        f = [(c, flip_sides(s) if s == target.find else s) for c, s in f]
        old, new = target.find, flip_sides(target.find)
    else:
        items = [flip_sides(s) if s == target.imp else s for s in items]
        old, new = target.imp, flip_sides(target.imp)
    # the recommendation lines carry no side
    rep = compose_report(rng, sc, f, items, recs, structured)
    return render(rep), f"composed {sc.style}/{sc.context}: {where.upper()} side flipped: '{old}' -> '{new}'"


ASSERT_FOR = {
    "pleura": lambda s: pick_a(
        ["Small {s} pleural effusion.", "{S} pleural effusion.", "Mild {s} pleural effusion."], s
    ),
    "ptx": lambda s: pick_a(["{S} pneumothorax.", "Small {s} apical pneumothorax."], s),
    "lungs": lambda s: pick_a(
        ["{S} lower zone consolidation, likely pneumonia.", "{S} basal pneumonia.", "Patchy {s} mid zone infiltrates."],
        s,
    ),
    "heart": lambda s: pick_a(["Cardiomegaly.", "Enlarged cardiac silhouette.", "Mild cardiomegaly."], s),
    "mediastinum": lambda s: pick_a(["Widened mediastinum.", "Mediastinal widening."], s),
}
_ASSERT_RNG = random.Random(0)


def pick_a(options, side):
    opt = options[_ASSERT_RNG.randrange(len(options))]
    return opt.format(s=side, S=cap(side))


def composed_negation(rng):
    global _ASSERT_RNG
    _ASSERT_RNG = random.Random(rng.random())
    if rng.random() < 0.5:
        # (a) the impression asserts what the findings negate
        sc = make_scenario(rng, rng.choice(["normal", "normal", None]))
        blocked = {b for e in sc.entities for b in e.blocks}
        choices = [c for c in ("pleura", "ptx", "lungs", "heart", "mediastinum") if c not in blocked]
        choices = [c for c in choices if c in COMPONENT_ORDER[sc.style]]
        c = pick(rng, choices)
        structured = _with_structured(rng, sc)
        f = build_findings(rng, sc, force=c, structured=structured)
        neg_sent = next(s for k, s in f if k == c or (structured and STRUCT_LABEL[c] == k))
        items, recs = build_impression(rng, sc)
        assertion = ASSERT_FOR[c](side_word(pick(rng, ["R", "L"])))
        if any(e.mention != "incidental" for e in sc.entities):
            items = items + [assertion]
        else:
            items, recs = [assertion], []
        rep = compose_report(rng, sc, f, items, recs, structured)
        return render(rep), (
            f"composed {sc.style}/{sc.context}: IMPRESSION asserts '{assertion}' while FINDINGS say '{neg_sent}'"
        )
    # (b) the impression negates what the findings affirm
    sc = make_scenario(rng, "sig")
    target = next(e for e in sc.entities if e.neg_imp)
    structured = _with_structured(rng, sc)
    f = build_findings(rng, sc, structured=structured)
    items, recs = build_impression(rng, sc, drop=target.key)
    neg = pick(rng, target.neg_imp)
    if sc.style == "na":
        neg = neg.replace("oedema", "edema")
    recs = [r for r in recs if not (target.rec and r in RECS[target.rec])]
    if items and not any(items[0] in v for v in NORMAL_IMP[sc.style].values()) and items[0] not in VISA_IMP:
        items = [neg] + items
    else:
        items, recs = [neg], []
    rep = compose_report(rng, sc, f, items, recs, structured)
    return render(rep), (
        f"composed {sc.style}/{sc.context}: IMPRESSION says '{neg}' while FINDINGS say '{target.find}'"
    )


def composed_omission(rng, normal_route):
    sc = make_scenario(rng, "omit")
    target = sc.entities[0]
    if normal_route:
        sc.entities = [target] + [e for e in sc.entities[1:] if e.mention == "incidental"]
    elif len([e for e in sc.entities if e is not target]) == 0:
        for fn in (ent_cardiomegaly, ent_effusion_small, ent_spondylosis, ent_atelectasis, ent_hyperinflation):
            e = fn(rng, pick(rng, ["R", "L"]), sc.style, sc.prior)
            if e.comp != target.comp and not set(e.blocks) & set(target.blocks):
                sc.entities.append(e)
                break
    structured = _with_structured(rng, sc)
    f = build_findings(rng, sc, structured=structured)
    if normal_route:
        items, recs = [pick(rng, GENERIC_NORMAL_IMP)], []
        how = "IMPRESSION replaced by a normal statement"
    else:
        others = [e for e in sc.entities if e is not target]
        for e in others:
            e.mention = "must"
        items, recs = build_impression(rng, sc, drop=target.key)
        recs = [r for r in recs if not (target.rec and r in RECS[target.rec])]
        how = "IMPRESSION lists the other findings only"
    rep = compose_report(rng, sc, f, items, recs, structured)
    return render(rep), f"composed {sc.style}/{sc.context}: '{target.find}' left out of the impression; {how}"


PLACEHOLDERS_SIZE = ["[__]", "XX", "<<size>>", "___", "[size]", "**"]
PLACEHOLDERS_SIDE = ["[side]", "<<side>>", "[RIGHT/LEFT]", "___", "[ ]"]
PLACEHOLDERS_WORD = ["[***]", "***", "[ ]", "<<finding>>", "[normal/abnormal]", "[ *** ]", "{***}"]


def composed_placeholder(rng):
    sc = make_scenario(rng, rng.choice([None, "sig", "normal"]))
    structured = _with_structured(rng, sc)
    f = build_findings(rng, sc, structured=structured)
    items, recs = build_impression(rng, sc)
    rep = compose_report(rng, sc, f, items, recs, structured)
    options = []
    for k, (_c, s) in enumerate(f):
        if _SIZE.search(s):
            options.append(("size", k))
        if re.search(r"\b(?:left|right)\b", s):
            options.append(("side", k))
        if re.search(r"\b(?:normal|clear|free|intact|central|unremarkable|sharp)\b", s):
            options.append(("word", k))
    if sc.entities:
        options.append(("rec", None))
    options.append(("meta", None))
    kind, k = pick(rng, options)
    if kind == "size":
        c, s = f[k]
        tok = pick(rng, PLACEHOLDERS_SIZE)
        new = _SIZE.sub(lambda m: f"{tok} {m.group(2)}", s, count=1)
        f[k] = (c, new)
        what = f"size in '{s}' left as '{tok}'"
    elif kind == "side":
        c, s = f[k]
        tok = pick(rng, PLACEHOLDERS_SIDE)
        new = re.sub(r"\b(?:left|right)\b", tok, s, count=1)
        f[k] = (c, new)
        what = f"side in '{s}' left as '{tok}'"
    elif kind == "word":
        c, s = f[k]
        tok = pick(rng, PLACEHOLDERS_WORD)
        new = re.sub(r"\b(?:normal|clear|free|intact|central|unremarkable|sharp)\b", tok, s, count=1)
        f[k] = (c, new)
        what = f"'{s}' -> '{new}'"
    elif kind == "rec":
        line = pick(
            rng,
            [
                "Suggest follow-up chest X-ray in [ ] weeks.",
                "Advise follow-up in <<interval>>.",
                "Recommend [CT chest / follow-up X-ray].",
                "Suggest correlation with [***].",
                "Follow-up film after ___ weeks of treatment is advised.",
            ],
        )
        recs.append(line)
        what = f"template recommendation left unfilled: '{line}'"
    else:
        tok = pick(rng, ["[Clinical history]", "[ ]", "<<indication>>", "***", "[reason for exam]"])
        head = pick(rng, HIST_HEAD[sc.style])
        rep.meta = [m for m in rep.meta if not m.startswith(tuple(HIST_HEAD[sc.style]))]
        rep.meta.insert(0 if not rep.meta or not rep.meta[0].startswith("Patient") else 1, f"{head} {tok}")
        what = f"clinical history field left as '{tok}'"
    rep.f_sents = f
    rep.recs = recs
    return render(rep), f"composed {sc.style}/{sc.context}: placeholder: {what}"


# ----------------------------------------------------------------------------------------------------------------
# IU reports in the setting's style

UK_SPELL = [
    (r"\bedema\b", "oedema"),
    (r"\bedematous\b", "oedematous"),
    (r"\bhemorrhage\b", "haemorrhage"),
    (r"\besophag", "oesophag"),
    (r"\bvisualized\b", "visualised"),
    (r"\bcentimeter", "centimetre"),
    (r"\bcalcified granulomas?\b", lambda m: m.group(0)),
    (r"\bbibasilar\b", "bibasal"),
    (r"\bhilar\b", "hilar"),
]
REWORD = [
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Lung fields are clear"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bNegative for acute\b", "No evidence of acute"),
    (r"\bNo acute cardiopulmonary (?:process|disease)\b", "No acute cardiopulmonary abnormality"),
    (r"\bairspace\b", "air-space"),
    (r"\bcostophrenic angles\b", "CP angles"),
    (r"\bradiographic\b", "radiological"),
]


def reword(text, style, rng):
    changes = []
    if style != "na":
        for pat, rep in UK_SPELL:
            new = re.sub(pat, rep, text)
            if new != text and isinstance(rep, str) and rep != "hilar":
                changes.append(rep)
            text = new
    for pat, rep in REWORD:
        if re.search(pat, text) and (pat == r"\bx-XXXX\b" or rng.random() < 0.5):
            text = re.sub(pat, rep, text)
            changes.append(rep)
    return text, changes


def iu_report(rng, r, f_sents=None, i_sents=None):
    """A Report in the setting's layout from an IU record (sentences optionally already edited)."""
    style = rng.choices(STYLES, STYLE_WEIGHTS)[0]
    fs = f_sents if f_sents is not None else split_sentences(r["findings"])
    isents = i_sents if i_sents is not None else split_sentences(r["impression"])
    changes = set()
    out_f, out_i = [], []
    for s in fs:
        t, ch = reword(s, style, rng)
        changes.update(ch)
        out_f.append(t)
    for s in isents:
        t, ch = reword(s, style, rng)
        changes.update(ch)
        out_i.append(t)
    ind = r["indication"] or "Not given."
    comp = r["comparison"] or None
    title = pick(rng, TITLES[style])
    meta = _meta(rng, style, "opd", False, indication=ind, comparison=comp, title=title)
    rep = Report(
        style,
        title,
        meta,
        out_f,
        out_i,
        [],
        pick(rng, SIGNOFF[style]) if rng.random() > 0.08 else pick(rng, MASKED_SIGNOFF),
    )
    choose_layout(rng, rep, structured_ok=False)
    if rng.random() < 0.15:
        rep.recs = [pick(rng, RECS["general"])]
    desc = f"{style} layout ({rep.f_head} / {rep.i_head}, {rep.f_layout} findings, {rep.i_layout} impression)"
    if changes:
        desc += "; re-worded: " + ", ".join(sorted(changes))
    return rep, desc


def _reword_one(s, style):
    return reword(s, style, random.Random(0))[0]


# kind-specific IU pools


def iu_lat_candidates(r):
    fs, isents = split_sentences(r["findings"]), split_sentences(r["impression"])
    F, I_ = analyse(fs), analyse(isents)
    fsides = _sides(" ".join(fs))
    isides = _sides(" ".join(isents))
    if (
        len(fsides) != 1
        or fsides != isides
        or re.search(r"\b(?:both|bilateral\w*|bibas\w*|biapical)\b", r["findings"] + " " + r["impression"], re.I)
    ):
        return []
    side = next(iter(fsides))
    out = []
    for fam in sorted({FAMILY[m.concept] for m in F if m.pos and m.sides == {side}}):
        if fam in ("heart", "hyper"):
            continue
        fi = {m.sentence for m in F if m.pos and m.sides == {side} and FAMILY[m.concept] == fam}
        ii = {m.sentence for m in I_ if m.pos and m.sides == {side} and FAMILY[m.concept] == fam}
        if fi and ii:
            out += [("findings", k) for k in sorted(fi)] + [("impression", k) for k in sorted(ii)]
    return out


def iu_omit_candidates(r):
    fs, isents = split_sentences(r["findings"]), split_sentences(r["impression"])
    F, I_ = analyse(fs), analyse(isents)
    out = []
    for fam in sorted(OMIT_FAMILIES):
        qual = [m for m in F if m.pos and not m.hedged and m.qualifying and FAMILY[m.concept] == fam]
        if fam == "lung":
            qual = [m for m in qual if not re.search(r"atelecta|scar", fs[m.sentence], re.I)]
        qual = [m for m in qual if not _OLD_SENT.search(fs[m.sentence])]
        if not qual or not any(m.pos and FAMILY[m.concept] == fam for m in I_):
            continue
        if any(m.pos and FAMILY[m.concept] == fam and _NOT_NEW.search(m.clause) for m in I_):
            continue  # the impression calls it stable, mild or old: leaving that out is not an omission
        if any(m.pos and not m.qualifying and FAMILY[m.concept] == fam and _MILD.search(m.clause) for m in F):
            continue  # keep it unambiguous: no mild/stable mention of the same family
        keep = [k for k, s in enumerate(isents) if not any(FAMILY[m.concept] == fam for m in analyse([s]))]
        if fam in ("lung", "edema", "nodule"):
            keep = [k for k in keep if not _LUNGS_CLEAR.search(isents[k])]
        keep = [
            k
            for k in keep
            if not re.search(
                r"\b(?:follow|recommend|resolution|treatment|antibiotic|benefit|helpful|useful|is suggested|consider|"
                r"correlat|comparison|compared|improved|prior)",
                isents[k],
                re.I,
            )
        ]
        keep = [k for k in keep if _OTHER_FINDING.search(isents[k]) and not _GENERIC_NORMAL.search(isents[k])]
        other_sig = {FAMILY[m.concept] for m in F if m.pos and m.concept in SIGNIFICANT and not _minor(m)} - {fam}
        kept_text = [isents[k] for k in keep]
        kept_pos = {FAMILY[m.concept] for m in analyse(kept_text) if m.pos}
        if other_sig - kept_pos:
            continue  # every other significant finding must still be in what is kept
        keep_f = None
        if not keep and not other_sig:
            # no other finding in the impression: list the other (minor) findings the findings affirm
            keep_f = [
                k
                for k, s in enumerate(fs)
                if _OTHER_FINDING.search(s)
                and not _NEG.search(s)
                and not _HEDGE.search(s)
                and not _GENERIC_NORMAL.search(s)
                and not any(
                    m.pos and (FAMILY[m.concept] == fam or m.concept in SIGNIFICANT) and not _minor(m)
                    for m in analyse([s])
                )
            ] or None
        out.append((fam, qual[0].clause, keep or None, not other_sig, keep_f))
    return out


_OLD_SENT = re.compile(r"\b(?:similar|stable|unchanged|chronic|again|persist\w*|redemonstrat\w*)\b", re.I)


NEG_SENT = {
    "effusion": ["No pleural effusion.", "No pleural effusion is seen."],
    "pneumothorax": ["No pneumothorax.", "No evidence of pneumothorax."],
    "airspace": ["No consolidation.", "Both lung fields are clear.", "No focal consolidation or infiltrate."],
    "edema": ["No pulmonary oedema.", "No features of pulmonary oedema."],
    "heart": ["Heart size is normal.", "No cardiomegaly."],
    "nodule": ["No focal lung lesion.", "No pulmonary nodule or mass."],
}
ASSERT_SENT = {
    "effusion": [
        "Small {s} pleural effusion.",
        "{S} pleural effusion.",
        "Blunted {s} CP angle due to a small effusion.",
    ],
    "pneumothorax": ["{S} pneumothorax.", "Small {s} apical pneumothorax."],
    "airspace": [
        "{S} lower zone consolidation, likely pneumonia.",
        "{S} basal pneumonia.",
        "Patchy {s} lower lobe infiltrate.",
    ],
    "edema": ["Pulmonary oedema.", "Features of interstitial pulmonary oedema."],
    "heart": ["Cardiomegaly.", "Mild cardiomegaly."],
}


def iu_neg_candidates(r):
    """(direction, concept, finding sentence index)."""
    fs, isents = split_sentences(r["findings"]), split_sentences(r["impression"])
    F, I_ = analyse(fs), analyse(isents)
    out = []
    inormal = not any(m.pos for m in I_)
    if inormal:
        for c in ("effusion", "pneumothorax", "airspace", "heart", "edema"):
            negs = [m for m in F if m.concept == c and not m.pos]
            if negs and not any(m.concept == c and m.pos for m in F):
                out.append(("a", c, negs[0].sentence))
    for c in ("effusion", "pneumothorax", "airspace", "edema", "heart", "nodule"):
        pos = [m for m in F if m.concept == c and m.pos and not m.hedged and not _minor(m)]
        if c == "effusion":
            pos = [m for m in pos if re.search(r"effusion|fluid", m.clause, re.I)]
        if not pos or not any(m.concept == c and m.pos for m in I_) or any(m.concept == c and not m.pos for m in F):
            continue
        dropped = {m.sentence for m in I_ if m.concept == c and m.pos}
        if any(m.pos and m.sentence in dropped and FAMILY[m.concept] != FAMILY[c] for m in I_):
            continue  # the replaced sentence would take another finding with it
        out.append(("b", c, pos[0].sentence))
    return out


def iu_case(rng, r, kind, plan=None):
    """Returns (report text, detail)."""
    fs, isents = split_sentences(r["findings"]), split_sentences(r["impression"])
    head = f"IU {r['uid']}: "
    if kind is None:
        rep, desc = iu_report(rng, r)
        return render(rep), head + f"re-laid out, {desc}; clean"
    if kind == "missing_section":
        rep, desc = iu_report(rng, r)
        which = rng.choice(["findings", "impression"])
        how = rng.choice(["empty", "signature"] if which == "findings" else ["empty", "signature", "removed"])
        rep.missing = (which, how)
        rep.recs = []
        what = {
            "empty": "header kept with nothing under it",
            "signature": "header with only the signature under it",
            "removed": "section removed",
        }[how]
        return render(rep), head + f"{desc}; {which.upper()} emptied ({what})"
    if kind == "laterality_conflict":
        where, k = plan
        if where == "findings":
            old = fs[k]
            fs = fs[:k] + [flip_sides(old)] + fs[k + 1 :]
        else:
            old = isents[k]
            isents = isents[:k] + [flip_sides(old)] + isents[k + 1 :]
        rep, desc = iu_report(rng, r, fs, isents)
        return render(rep), head + f"{desc}; {where.upper()} side flipped: '{old}' -> '{flip_sides(old)}'"
    if kind == "negation_conflict":
        direction, c, k = plan
        if direction == "a":
            side = side_word(pick(rng, ["R", "L"]))
            new = pick(rng, ASSERT_SENT[c]).format(s=side, S=cap(side))
            rep, desc = iu_report(rng, r, fs, [new])
            return render(rep), head + (f"{desc}; IMPRESSION replaced by '{new}' while FINDINGS say '{fs[k]}'")
        neg = pick(rng, NEG_SENT[c])
        kept = [s for s in isents if not any(m.concept == c and m.pos for m in analyse([s]))]
        kept = [s for s in kept if not re.search(r"\b(?:follow|recommend|treatment)", s, re.I)]
        rep, desc = iu_report(rng, r, fs, [neg] + kept)
        if rep.style == "na":
            rep.i_items = [s.replace("oedema", "edema") for s in rep.i_items]
        return render(rep), head + (
            f"{desc}; IMPRESSION sentence(s) on {c} replaced by '{neg}' while FINDINGS say '{fs[k]}'"
        )
    if kind == "impression_omits_finding":
        fam, clause, keep, _, keep_f, route_normal = plan
        if route_normal:
            new = [pick(rng, GENERIC_NORMAL_IMP)]
            how = f"IMPRESSION replaced by '{new[0]}'"
        elif keep:
            new = [isents[k] for k in keep]
            how = "IMPRESSION keeps only the other findings: '" + " ".join(new) + "'"
        else:
            new = [fs[k] for k in keep_f]
            how = "IMPRESSION replaced by the other (minor) findings: '" + " ".join(new) + "'"
        rep, desc = iu_report(rng, r, fs, new)
        rep.recs = []
        return render(rep), head + f"{desc}; '{clause.strip()}' ({fam}) left out; {how}"
    if kind == "placeholder":
        rep, desc = iu_report(rng, r)
        options = []
        for sec, sents in (("findings", rep.f_sents), ("impression", rep.i_items)):
            for k, s in enumerate(sents):
                if _SIZE.search(s):
                    options.append(("size", sec, k))
                if re.search(r"\b(?:left|right)\b", s):
                    options.append(("side", sec, k))
                if re.search(r"\b(?:small|mild|moderate|large|minimal)\b", s):
                    options.append(("sev", sec, k))
                if re.search(r"\b(?:normal|clear|unremarkable|intact)\b", s):
                    options.append(("word", sec, k))
        kind2, sec, k = pick(rng, options)
        sents = rep.f_sents if sec == "findings" else rep.i_items
        s = sents[k]
        if kind2 == "size":
            tok = pick(rng, PLACEHOLDERS_SIZE)
            new = _SIZE.sub(lambda m: f"{tok} {m.group(2)}", s, count=1)
        elif kind2 == "side":
            tok = pick(rng, PLACEHOLDERS_SIDE)
            new = re.sub(r"\b(?:left|right)\b", tok, s, count=1)
        elif kind2 == "sev":
            tok = pick(rng, ["[***]", "[ ]", "<<severity>>", "***", "[mild/moderate/severe]"])
            new = re.sub(r"\b(?:small|mild|moderate|large|minimal)\b", tok, s, count=1)
        else:
            tok = pick(rng, PLACEHOLDERS_WORD)
            new = re.sub(r"\b(?:normal|clear|unremarkable|intact)\b", tok, s, count=1)
        sents[k] = new
        return render(rep), head + f"{desc}; one word in {sec.upper()} left as '{tok}': '{s}' -> '{new}'"
    raise ValueError(kind)


def _has_placeholder_word(r):
    text = r["findings"] + " " + r["impression"]
    return bool(
        re.search(
            r"\b(?:left|right|small|mild|moderate|large|minimal|normal|clear|unremarkable|intact)\b|"
            r"\d ?(?:mm|cm)\b",
            text,
        )
    )


# ----------------------------------------------------------------------------------------------------------------
# the set


def _iu_pools(shared):
    dev = dev_uids(shared)
    usable = [r for r in load_iu(shared) if r["uid"] not in dev and iu_usable(r)]
    return usable


@functools.lru_cache(maxsize=4)
def _iu_pools_cached(shared):
    usable = _iu_pools(shared)
    lat = {r["uid"]: iu_lat_candidates(r) for r in usable}
    omit = {r["uid"]: iu_omit_candidates(r) for r in usable}
    neg = {r["uid"]: iu_neg_candidates(r) for r in usable}
    return usable, lat, omit, neg


def _omit_route(cand, route_normal):
    return cand[3] if route_normal else (cand[2] is not None or cand[4] is not None)


def build(seed, shared=None):
    shared = str(shared or shared_dir())
    rng = random.Random(f"heldout130:{seed}")
    usable, lat, omit, neg = _iu_pools_cached(shared)
    pool = list(usable)
    rng.shuffle(pool)
    used = set()
    rows = []

    def take(pred, n):
        got = []
        for r in pool:
            if len(got) == n:
                break
            if r["uid"] not in used and pred(r):
                got.append(r)
                used.add(r["uid"])
        if len(got) < n:
            raise RuntimeError(f"not enough IU reports ({len(got)} of {n})")
        return got

    def add(kind, report, detail):
        rows.append({"injected": kind, "detail": detail, "report": report})

    half = N_KIND // 2
    # IU, the rarest needs first
    for r in take(lambda r: lat[r["uid"]], half):
        plan = pick(rng, lat[r["uid"]])
        add("laterality_conflict", *iu_case(rng, r, "laterality_conflict", plan))
    for route_normal, n in ((False, half // 2), (True, half - half // 2)):

        def ok(r, route_normal=route_normal):
            return any(_omit_route(c, route_normal) for c in omit[r["uid"]])

        for r in take(ok, n):
            cands = [c for c in omit[r["uid"]] if _omit_route(c, route_normal)]
            add(
                "impression_omits_finding",
                *iu_case(rng, r, "impression_omits_finding", (*pick(rng, cands), route_normal)),
            )
    for direction, n in (("b", half // 2), ("a", half - half // 2)):

        def ok(r, direction=direction):
            return any(c[0] == direction for c in neg[r["uid"]])

        for r in take(ok, n):
            plan = pick(rng, [c for c in neg[r["uid"]] if c[0] == direction])
            add("negation_conflict", *iu_case(rng, r, "negation_conflict", plan))
    for r in take(_has_placeholder_word, half):
        add("placeholder", *iu_case(rng, r, "placeholder"))
    for r in take(lambda r: True, half):
        add("missing_section", *iu_case(rng, r, "missing_section"))
    n_clean_iu = N_CLEAN // 2
    n_normal = n_clean_iu * 3 // 5
    for r in take(lambda r: r["normal"], n_normal):
        add(None, *iu_case(rng, r, None))
    for r in take(lambda r: not r["normal"], n_clean_iu - n_normal):
        add(None, *iu_case(rng, r, None))
    # composed
    for _ in range(N_CLEAN // 2):
        add(None, *composed_clean(rng))
    for _ in range(half):
        add("missing_section", *composed_missing(rng))
    for _ in range(half):
        add("laterality_conflict", *composed_laterality(rng))
    for _ in range(half):
        add("negation_conflict", *composed_negation(rng))
    for k in range(half):
        add("impression_omits_finding", *composed_omission(rng, normal_route=k % 2 == 0))
    for _ in range(half):
        add("placeholder", *composed_placeholder(rng))
    rng.shuffle(rows)
    return [{"id": f"h130-{seed}-{k}", **row} for k, row in enumerate(rows)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if args.show:
        for kind in [None, *KINDS]:
            shown = [r for r in rows if r["injected"] == kind]
            comp = [r for r in shown if not r["detail"].startswith("IU ")][: args.show]
            iu = [r for r in shown if r["detail"].startswith("IU ")][: args.show]
            for r in comp + iu:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
