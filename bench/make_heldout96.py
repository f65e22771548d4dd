"""Held-out report-check set 96, written blind (without reading the checker or the other generators).

Setting: Sri Lankan and Bangladeshi government teaching hospitals and private hospitals (Colombo, Kandy, Dhaka,
Chittagong); chest X-ray reports dictated in English for OPD, emergency (ETU), wards, chest clinic / TB programme
and overseas-employment medicals. Headers such as "X-RAY CHEST PA VIEW", "Clinical details", BHT numbers,
"Opinion" / "Conclusion" / "Comment", the zone-based vocabulary (right lower zone, CP angles, CTR, domes of the
diaphragm, "? Koch's"), British spellings and consultant sign-off lines (MBBS, MD (Radiology) / FCPS / DMRD).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from the phrase bank below, half are
real IU reports (never one of the dev-set uids) re-laid-out in the setting's style with light, meaning-preserving
re-wording (British spellings, "Opinion:" headers, sign-off), then given the error, if any.

    python -m bench.make_heldout96 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def dev_uids() -> set[str]:
    out = set()
    p = shared_dir() / "eval" / "report_errors_dev.jsonl"
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


# ----------------------------------------------------------------------------------------------------------------
# IU archive
# ----------------------------------------------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None
_ABS_RE = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="([^"]+)"')


def _clean_txt(t: str) -> str:
    t = t.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\.(\s*\.)+", ".", t)
    return t


def load_iu() -> list[dict]:
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    rows = []
    with tarfile.open(path, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            mu = _UID_RE.search(raw)
            if not mu:
                continue
            rec = {"uid": mu.group(1)}
            for lab, txt in _ABS_RE.findall(raw):
                rec[lab.lower()] = _clean_txt(txt)
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = rows
    return rows


# ----------------------------------------------------------------------------------------------------------------
# text helpers
# ----------------------------------------------------------------------------------------------------------------

def sents(t: str) -> list[str]:
    t = (t or "").strip()
    if not t:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t)
    return [p.strip() for p in parts if p.strip()]


SIG_RE = re.compile(r"pneumothora|consolidat|airspace|air space|infiltrat|pneumonia|edema|oedema|effusion|\bmass|"
                    r"congest|free air|pneumoperitoneum|widen", re.I)
SIG_FAMILIES = [r"effusion|pleural fluid", r"pneumothora", r"consolidat|airspace|air space|infiltrat|pneumonia|opacit",
                r"edema|oedema|congest|failure", r"\bmass|nodul|lesion", r"free air|pneumoperitoneum", r"widen"]
NEG_RE = re.compile(r"\b(no|not|without|negative|free|clear|resolved|resolution|removed|normal|unremarkable|"
                    r"nor|absence|absent|none)\b", re.I)
HEDGE_RE = re.compile(r"\b(small|trace|tiny|minimal|mild|mildly|possible|possibly|may|could|question|questionable|"
                      r"cannot|can't|versus|vs|or|chronic|stable|unchanged|old|scar|scarring|improv\w*|decreas\w*|"
                      r"previous|prior|subtle|minor|likely|suggest\w*|borderline|atelecta\w*|healed|calcified|vague|suspect\w*|"
                      r"faint|streaky|subsegmental|interstitial|widen\w*|limited|evaluat\w*|assess\w*|exclude\w*|rule|similar|"
                      r"persistent|again|probabl\w*|clearing|substernal|lungs focal)\b", re.I)
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
FIND_WORD_RE = re.compile(r"opacit|effusion|pneumonia|atelecta|granulom|nodul|consolidat|airspace|infiltrat|"
                          r"pneumothora|fractur|scar|calcif|mass|densit|lobe|base|apex|apical|basilar|hilar|"
                          r"lingula|perihilar|midlung|lung", re.I)
PLACEHOLDERISH = re.compile(r"\[|\]|_|\*|<|>|\{|\}|\.\.\.|\?\?")
NORMAL_IMP_RE = re.compile(r"^(no acute|negative|normal chest|no active|no radiographic|no evidence of acute|"
                           r"no acute cardiopulmonary|no significant)", re.I)


def affirmed_sig(sentences: list[str], strict: bool) -> list[str]:
    out = []
    for s in sentences:
        if re.search(r"retrosternal|subpulmonic|soft tissue", s, re.I):
            continue
        if SIG_RE.search(s) and not NEG_RE.search(s):
            if strict and (HEDGE_RE.search(s) or "XXXX" in s):
                continue
            out.append(s)
    return out


def sides(t: str) -> set[str]:
    return {m.lower() for m in SIDE_RE.findall(t or "")}


def flip_side(s: str) -> str:
    def rep(m: re.Match) -> str:
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o
    return SIDE_RE.sub(rep, s)


BRIT = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"esophag", "oesophag"), (r"hemorrhag", "haemorrhag"),
    (r"\banemia", "anaemia"), (r"\btumor", "tumour"), (r"visualized", "visualised"), (r"Visualized", "Visualised"),
    (r"\bcentimeter", "centimetre"), (r"\bcolor", "colour"), (r"\bhematoma", "haematoma"),
    (r"\bhemithorax", "hemithorax"), (r"\bleukemia", "leukaemia"), (r"ischemi", "ischaemi"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bthe lungs are clear\b", "both lung fields are clear"),
    (r"\bosseous structures\b", "bony structures"), (r"\bNo acute cardiopulmonary (process|disease)\b",
                                                       "No active cardiopulmonary disease"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal shadow"),
    (r"\bcostophrenic angles?\b", lambda m: m.group(0).replace("costophrenic", "costophrenic (CP)")),
]


def britishise(t: str, rng: random.Random) -> str:
    for pat, rep in BRIT:
        if pat.startswith(r"\bcostophrenic") and rng.random() < 0.5:
            continue
        if "lungs are clear" in pat and rng.random() < 0.4:
            continue
        t = re.sub(pat, rep, t)
    return t


# ----------------------------------------------------------------------------------------------------------------
# the setting: headers, people, histories
# ----------------------------------------------------------------------------------------------------------------

HOSPITALS = [
    "Department of Radiology, National Hospital of Sri Lanka, Colombo",
    "Radiology Unit, Teaching Hospital Kandy",
    "Department of Radiology, Colombo South Teaching Hospital, Kalubowila",
    "Imaging Department, Asiri Central Hospital, Colombo 10",
    "Radiology Department, Nawaloka Hospital, Colombo 02",
    "National Hospital for Respiratory Diseases, Welisara - Radiology",
    "Department of Radiology & Imaging, Dhaka Medical College Hospital",
    "Department of Radiology & Imaging, Chittagong Medical College Hospital",
    "National Institute of Diseases of the Chest and Hospital (NIDCH), Mohakhali, Dhaka",
    "Department of Radiology & Imaging, Square Hospitals Ltd, Dhaka",
    "Imaging Department, Evercare Hospital Chattogram",
    "Department of Radiology, Kandy General Hospital (Peradeniya Road)",
]
SL_DOCS = [
    ("Dr. S. M. Perera", "MBBS, MD (Radiology)", "Consultant Radiologist"),
    ("Dr. K. A. Wijesinghe", "MBBS, MD (Radiology)", "Consultant Radiologist"),
    ("Dr. R. Jayawardena", "MBBS (Colombo), MD (Radiology)", "Consultant Radiologist"),
    ("Dr. T. Sivakumar", "MBBS (Jaffna), MD (Radiology)", "Consultant Radiologist"),
    ("Dr. N. Fernando", "MBBS, MD (Radiology), FRCR", "Consultant Radiologist"),
    ("Dr. H. M. Bandara", "MBBS", "Registrar in Radiology"),
]
BD_DOCS = [
    ("Dr. Md. Abdul Karim", "MBBS, DMRD, FCPS (Radiology)", "Associate Professor, Radiology & Imaging"),
    ("Dr. Nasreen Sultana", "MBBS, MD (Radiology & Imaging)", "Consultant Radiologist"),
    ("Dr. Mohammad Rafiqul Islam", "MBBS, DMRD", "Consultant Radiologist"),
    ("Dr. Farhana Akter", "MBBS, FCPS (Radiology & Imaging)", "Assistant Professor"),
    ("Dr. Tanvir Ahmed Chowdhury", "MBBS, MD (Radiology)", "Consultant, Radiology & Imaging"),
    ("Dr. Shirin Rahman", "MBBS, DMRD", "Medical Officer, Radiology"),
]

CONTEXTS = {
    "opd": (0.30, ["Cough for 3 weeks.", "Fever and cough for 5 days.", "Chest pain - left sided, non cardiac.",
                   "Shortness of breath on exertion.", "Known HTN, DM - routine check.", "Pre-operative assessment.",
                   "Chronic cough.", "Wheezing, known asthmatic.", "Loss of appetite and loss of weight.",
                   "Fever for 1 week.", "Pre-op - lap chole.", "Dry cough, smoker.", "Medical check up."]),
    "etu": (0.15, ["Acute shortness of breath.", "Fever with difficulty in breathing.", "Chest pain.",
                   "RTA - chest trauma.", "Fall from a tree, chest pain.", "Dengue fever day 5 - ? plasma leakage.",
                   "Sudden onset SOB.", "Alleged assault, chest pain."]),
    "ward": (0.15, ["Fever with productive cough.", "CKD on HD, SOB.", "IHD, orthopnoea.",
                    "Post-op day 2, desaturation.", "Leptospirosis - ? pulmonary haemorrhage.", "Fever, ? LRTI.",
                    "CCF - follow up.", "Post CABG follow up."]),
    "chest": (0.15, ["? PTB, sputum AFB pending.", "Chronic cough with weight loss.", "On ATT - 2 month follow up.",
                     "Contact of sputum positive PTB.", "Haemoptysis.", "Completed ATT - end of treatment film.",
                     "Cough > 2 weeks, evening pyrexia.", "Known COPD, follow up.",
                     "Chest clinic referral - ? Koch's."]),
    "medical": (0.25, ["Pre-employment medical (overseas).", "Foreign employment medical - Saudi Arabia.",
                       "SLBFE medical examination.", "BMET clearance medical - Saudi Arabia.",
                       "Routine medical for overseas employment - Qatar.",
                       "GAMCA medical check up.", "Pre-employment medical - Malaysia.", "Visa medical - Kuwait."]),
}

EXAM_LINES = {
    "pa": ["X-RAY CHEST PA VIEW", "Chest X-ray PA (erect)", "X-ray Chest P/A view", "CHEST RADIOGRAPH - PA",
           "Examination: Chest X-ray PA view", "X-RAY CHEST (P/A)", "CXR PA"],
    "ap": ["X-RAY CHEST AP VIEW (portable)", "Chest X-ray AP supine (bedside)", "CXR AP - portable",
           "X-ray Chest A/P view"],
    "pal": ["X-RAY CHEST PA & LATERAL VIEWS", "Chest radiograph PA and lateral", "X-ray Chest P/A & Lat view",
            "Examination: Chest X-ray PA and left lateral"],
}
HIST_HEAD = ["Clinical details:", "Clinical history:", "History:", "Clinical information:", "Indication:",
             "C/O:", "Clinical notes:"]
FIND_HEAD = ["Findings:", "FINDINGS:", "Report:", "Observations:", "FINDINGS"]
IMP_HEAD = ["Impression:", "IMPRESSION:", "Opinion:", "OPINION:", "Conclusion:", "CONCLUSION:", "Comment:"]
COMP_NONE = ["None.", "No previous films available.", "Nil.", "No prior films for comparison."]


def pick_context(rng: random.Random) -> str:
    r = rng.random()
    acc = 0.0
    for k, (w, _) in CONTEXTS.items():
        acc += w
        if r < acc:
            return k
    return "opd"


def signoff(rng: random.Random, country: str) -> str:
    name, qual, post = rng.choice(SL_DOCS if country == "sl" else BD_DOCS)
    style = rng.random()
    if style < 0.45:
        return f"{name}\n{qual}\n{post}"
    if style < 0.7:
        return f"Reported by: {name}, {qual}"
    if style < 0.85:
        reg = rng.choice(SL_DOCS if country == "sl" else BD_DOCS)[0]
        if reg == name:
            return f"{name} ({post})"
        return f"Dictated by: {reg}\nVerified by: {name}, {post}"
    return f"{name}, {post}"


def date_str(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2022, 2023, 2024])}"


# ----------------------------------------------------------------------------------------------------------------
# phrase bank for composed reports
# ----------------------------------------------------------------------------------------------------------------

NORMAL_LINES = {
    "trachea": ["Trachea is central.", "Trachea is in the midline.", "Trachea central."],
    "medi": ["Mediastinum is not widened.", "Mediastinal outline is normal.", "Superior mediastinum is normal."],
    "heart": ["Heart size is normal.", "Cardiac size is within normal limits.", "CTR is normal.",
              "Cardiac silhouette is normal in size and shape.", "Heart is not enlarged (CTR 0.45)."],
    "hila": ["Both hila are normal.", "Hilar shadows are normal.", "Both hilar shadows appear normal."],
    "lungs": ["Both lung fields are clear.", "Lung fields are clear.", "No focal lung lesion is seen.",
              "Both lungs are clear with normal bronchovascular markings.", "No active parenchymal lesion.",
              "Both lung fields show normal translucency. No focal opacity."],
    "cp": ["Both costophrenic angles are clear.", "CP angles are sharp.", "Both CP angles are clear.",
           "No pleural effusion.", "Both CP angles are free."],
    "diaph": ["Both domes of the diaphragm are normal in position and outline.", "Both hemidiaphragms are normal.",
              "Domes of diaphragm are normal."],
    "bones": ["Bony thorax is normal.", "Visualised bony cage is normal.", "No bony abnormality seen.",
              "Visualised ribs and spine are normal."],
    "soft": ["Soft tissues are normal.", "Soft tissue shadows are unremarkable."],
}
REGION_ORDER = ["trachea", "medi", "heart", "hila", "lungs", "cp", "diaph", "bones", "soft"]
REST_LUNG = ["Rest of the lung fields are clear.", "Remaining lung fields are clear.",
             "Rest of the lung parenchyma appears clear."]
NORMAL_IMP = ["Normal chest X-ray.", "No significant abnormality detected.", "No abnormality detected.",
              "Normal study.", "Chest X-ray within normal limits.", "No active lung lesion.",
              "No active cardiopulmonary disease.", "NAD.", "No radiological abnormality detected."]
MED_IMP = ["No radiological evidence of active pulmonary TB. Chest X-ray is normal.",
           "Normal chest X-ray. No evidence of active lung disease.", "Chest X-ray: normal. Fit as far as the chest."]
# generic normal statements used when a normal macro replaces the impression (no entity named)
GENERIC_NORMAL_IMP = ["Normal chest X-ray.", "No significant abnormality detected.", "Normal study.",
                      "No acute cardiopulmonary abnormality.", "Chest X-ray within normal limits.", "NAD.",
                      "No abnormality detected.", "No radiological abnormality detected."]

# scenario: region replaced; find/imp with {s} (side) tokens; sig: significant (must be in impression);
# lat: sided; neg: explicit negation of the entity for negation-conflict impressions; hist: fitting histories
SCEN = {
    "consol": dict(region="lungs", sig=True, lat=True, w=6, ctx="opd etu ward",
                   find=["Homogeneous opacity with air bronchograms is seen in the {s} lower zone.",
                         "Non-homogeneous opacity is noted in the {s} mid and lower zones.",
                         "Patchy consolidation is seen in the {s} lower zone obscuring the {s} heart border.",
                         "Ill-defined air-space opacity is seen in the {s} upper zone."],
                   imp=["{S} lower zone consolidation - likely pneumonia.",
                        "Features suggestive of {s} sided pneumonia.",
                        "{S} lung consolidation. Suggest follow up film after treatment.",
                        "Consolidation in the {s} lung - ? LRTI. Kindly correlate clinically."],
                   neg=["Both lung fields are clear.", "Lung fields are clear. No active lung lesion.",
                        "No consolidation."],
                   hist=["Fever and productive cough for 5 days.", "Fever, cough, crepts {s} base.",
                         "Fever with SOB, ? pneumonia."]),
    "tb": dict(region="lungs", sig=True, lat=True, w=4, ctx="chest opd",
               find=["Patchy consolidation with a thin walled cavity is seen in the {s} upper zone.",
                     "Ill-defined patchy opacities with areas of cavitation are seen in the {s} upper and mid zones.",
                     "Non-homogeneous opacities involving the {s} upper zone with a small cavity."],
               imp=["{S} upper zone cavitating consolidation - likely active PTB. Sputum for AFB advised.",
                    "Features are suggestive of active pulmonary tuberculosis ({s} upper zone).",
                    "{S} upper lobe cavitary lesion - ? Koch's. Kindly correlate with sputum AFB/GeneXpert."],
               neg=["Both lung fields are clear.", "No active lung lesion. Lung fields are clear."],
               hist=["Cough > 2 weeks with evening pyrexia.", "? PTB, sputum AFB pending.",
                     "Haemoptysis, weight loss."]),
    "effusion": dict(region="cp", sig=True, lat=True, w=4, ctx="ward etu opd chest",
                     find=["Homogeneous opacity with a meniscus is seen in the {s} lower zone obliterating the {s} CP "
                           "angle - moderate pleural effusion.",
                           "Moderate {s} sided pleural effusion obscuring the {s} dome of diaphragm.",
                           "Large {s} pleural effusion occupying the lower half of the {s} hemithorax."],
                     imp=["Moderate {s} pleural effusion.", "{S} sided pleural effusion - suggest USS chest and "
                          "diagnostic tap.", "{S} pleural effusion - ? tuberculous. Kindly correlate."],
                     neg=["No pleural effusion.", "Both CP angles are clear.", "CP angles free. No effusion."],
                     hist=["SOB with reduced air entry {s} side.", "Fever, pleuritic chest pain.",
                           "? Pleural effusion."]),
    "ptx": dict(region="lungs", sig=True, lat=True, w=2, ctx="etu ward",
                find=["{S} hemithorax is hyperlucent with absent lung markings and a visible lung edge - "
                      "{s} pneumothorax.",
                      "A {s} sided pneumothorax is seen with the lung edge about 3 cm from the chest wall.",
                      "Visceral pleural line is seen in the {s} apical region with no lung markings beyond it."],
                imp=["{S} sided pneumothorax.", "{S} pneumothorax - urgent clinical attention recommended.",
                     "{S} apical pneumothorax. Findings informed to the ETU team."],
                neg=["No pneumothorax.", "No pneumothorax. Lung fields are clear."],
                hist=["Sudden onset chest pain and SOB.", "RTA - chest trauma.", "Tall thin male, acute SOB."]),
    "chf": dict(region="lungs", sig=True, lat=False, w=3, ctx="ward etu",
                find=["Heart is enlarged (CTR 0.62) with upper lobe venous diversion and bilateral perihilar "
                      "haziness.",
                      "Bilateral perihilar bat-wing opacities with Kerley B lines, in keeping with pulmonary oedema.",
                      "Cardiomegaly with prominent upper lobe veins - pulmonary venous congestion."],
                imp=["Cardiomegaly with pulmonary venous congestion.", "Features of pulmonary oedema - ? LVF.",
                     "Cardiomegaly with features of congestive cardiac failure."],
                neg=["No pulmonary congestion. Lung fields are clear.", "Heart size normal. Lung fields clear."],
                hist=["IHD, orthopnoea.", "CKD on HD, SOB.", "SOB and bilateral ankle oedema."]),
    "mass": dict(region="lungs", sig=True, lat=True, w=1, ctx="opd chest",
                 find=["A well-defined rounded opacity measuring about 3.5 x 3.0 cm is seen in the {s} mid zone.",
                       "Lobulated mass lesion about 4 cm in the {s} hilar region.",
                       "A 2 cm nodular opacity is noted in the {s} upper zone."],
                 imp=["{S} mid zone mass lesion - CECT chest recommended.",
                      "{S} hilar mass - ? bronchogenic carcinoma. Suggest CECT chest.",
                      "{S} upper zone nodule - further evaluation with CT advised."],
                 neg=["Both lung fields are clear.", "No focal lung lesion."],
                 hist=["Smoker, haemoptysis.", "Loss of weight, chronic cough."]),
    "airfree": dict(region="diaph", sig=True, lat=True, w=1, ctx="etu",
                    find=["Free gas is seen under the {s} dome of the diaphragm.",
                          "Crescent of free air is noted under the {s} hemidiaphragm."],
                    imp=["Pneumoperitoneum - ? hollow viscus perforation. Urgent surgical opinion advised.",
                         "Free gas under the {s} dome of diaphragm - suggestive of perforation."],
                    neg=["No free gas under the diaphragm."],
                    hist=["Acute abdominal pain - erect CXR.", "? Perforated peptic ulcer."]),
    "cardio": dict(region="heart", sig=False, lat=False, w=5, ctx="opd ward",
                   find=["Heart is enlarged (CTR 0.58).", "Cardiomegaly is noted - CTR 0.6.",
                         "Cardiac silhouette is enlarged with left ventricular configuration."],
                   imp=["Cardiomegaly (CTR 0.58).", "Cardiomegaly.", "Cardiomegaly. Suggest 2D echo correlation."],
                   neg=["Heart size is normal.", "Normal cardiac size. No active lung lesion."],
                   hist=["Known HTN.", "IHD, SOB on exertion.", "Rheumatic heart disease - follow up."]),
    "copd": dict(region="lungs", sig=False, lat=False, w=4, ctx="opd chest ward",
                 find=["Both lung fields are hyperinflated with flattened domes of the diaphragm and a tubular heart.",
                       "Hyperinflated lungs with increased translucency and low flat diaphragms."],
                 imp=["Features suggestive of COPD.", "Hyperinflated lungs - in keeping with COPD / emphysema.",
                      "Changes of chronic obstructive airway disease."],
                 hist=["Known COPD, follow up.", "Smoker, chronic cough.", "Wheezing, known asthmatic."]),
    "bvm": dict(region="lungs", sig=False, lat=False, w=5, ctx="opd ward",
                find=["Bilateral prominent bronchovascular markings.",
                      "Increased bronchovascular markings in both lower zones."],
                imp=["Prominent bronchovascular markings - ? bronchitis. Kindly correlate clinically.",
                     "Bronchitic changes.", "Prominent bronchovascular markings."],
                hist=["Cough for 3 weeks.", "Recurrent wheeze.", "Smoker, chronic cough."]),
    "oldtb": dict(region="lungs", sig=False, lat=True, w=5, ctx="chest medical opd",
                  find=["Fibrotic strands with a few calcific foci are seen in the {s} upper zone.",
                        "Fibro-calcific opacities in the {s} apical region with slight upward pull of the {s} hilum.",
                        "Linear fibrotic opacities in the {s} upper zone."],
                  imp=["{S} upper zone fibrotic changes - likely old healed PTB.",
                       "Old healed Koch's lesion {s} upper zone. No evidence of active disease.",
                       "Fibro-calcific changes {s} apex - sequelae of old TB."],
                  hist=["Completed ATT - end of treatment film.", "Past history of PTB.",
                        "Pre-employment medical (overseas)."]),
    "granuloma": dict(region="lungs", sig=False, lat=True, w=4, ctx="medical opd",
                      find=["A small calcified granuloma is seen in the {s} mid zone.",
                            "Tiny calcified focus in the {s} upper zone - likely a granuloma."],
                      imp=["Calcified granuloma {s} mid zone.", "Small calcified granuloma - no active lesion."],
                      hist=[]),
    "cpblunt": dict(region="cp", sig=False, lat=True, w=3, ctx="opd ward medical",
                    find=["Blunting of the {s} costophrenic angle.", "Mild blunting of the {s} CP angle.",
                          "{S} CP angle is blunted - minimal effusion / pleural thickening."],
                    imp=["Minimal {s} pleural effusion or pleural thickening.", "Blunted {s} CP angle.",
                         "Minimal {s} pleural effusion."],
                    hist=["Dengue fever day 5 - ? plasma leakage.", "Past history of pleural effusion."]),
    "spondy": dict(region="bones", sig=False, lat=False, w=4, ctx="opd medical ward",
                   find=["Degenerative changes are seen in the thoracic spine.", "Osteophytes in the thoracic spine."],
                   imp=["Thoracic spondylosis.", "Degenerative changes of the thoracic spine."],
                   hist=[]),
    "aorta": dict(region="medi", sig=False, lat=False, w=3, ctx="opd ward",
                  find=["Aorta is unfolded with calcification of the aortic knuckle.", "Unfolded aorta."],
                  imp=["Atherosclerotic unfolded aorta.", "Unfolded aorta."],
                  hist=["Known HTN, DM - routine check."]),
    "cervrib": dict(region="bones", sig=False, lat=True, w=1, ctx="medical opd",
                    find=["{S} cervical rib is noted.", "A rudimentary {s} cervical rib is seen."],
                    imp=["{S} cervical rib.", "Incidental {s} cervical rib."],
                    hist=[]),
    "oldfrac": dict(region="bones", sig=False, lat=True, w=1, ctx="medical opd",
                    find=["Old healed fractures of the {s} 6th and 7th ribs.", "Healed fracture of the {s} clavicle."],
                    imp=["Old healed {s} rib fractures.", "Healed {s} clavicle fracture."],
                    hist=[]),
    "ribfrac": dict(region="bones", sig=False, lat=True, w=1, ctx="etu",
                    find=["Fractures are seen in the {s} 5th and 6th ribs laterally.",
                          "Undisplaced fracture of the {s} 7th rib."],
                    imp=["Fractures of the {s} 5th and 6th ribs. No pneumothorax.",
                         "Undisplaced {s} 7th rib fracture. No pneumothorax or haemothorax."],
                    hist=["RTA - chest trauma.", "Fall from a tree, chest pain.", "Alleged assault, chest pain."]),
    "hila": dict(region="hila", sig=False, lat=False, w=1, ctx="chest opd",
                 find=["Both hila are prominent - ? lymphadenopathy.", "Bilateral hilar prominence."],
                 imp=["Bilateral hilar prominence - ? lymphadenopathy. CECT chest may be helpful.",
                      "Bilateral hilar prominence. Kindly correlate clinically."],
                 hist=["Chronic cough with weight loss.", "Fever for 1 month."]),
}
SIG_SCEN = [k for k, v in SCEN.items() if v["sig"]]
MINOR_SCEN = [k for k, v in SCEN.items() if not v["sig"]]
# minor findings that a consultant may leave out of the impression of an otherwise normal film
OMITTABLE = ["granuloma", "spondy", "aorta", "cervrib", "oldfrac", "oldtb", "cpblunt"]
SIDE_FORMS = {"right": ["right", "right", "right", "Rt."], "left": ["left", "left", "left", "Lt."]}


def opp(side: str) -> str:
    return "left" if side == "right" else "right"


def fill(t: str, side: str, rng: random.Random) -> str:
    form = rng.choice(SIDE_FORMS[side])
    cap = form[0].upper() + form[1:]
    out = t.replace("{S}", cap).replace("{s}", form)
    return out


def wpick(rng: random.Random, keys: list[str], ctx: str) -> str:
    ws = []
    for k in keys:
        w = SCEN[k]["w"]
        if ctx in SCEN[k]["ctx"].split():
            w *= 3
        ws.append(w)
    return rng.choices(keys, weights=ws)[0]


class Comp:
    """A composed report under construction."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.country = rng.choice(["sl", "sl", "bd"]) if rng.random() < 0.5 else rng.choice(["sl", "bd"])
        self.ctx = pick_context(rng)
        view = "pa"
        if self.ctx in ("etu", "ward") and rng.random() < 0.35:
            view = "ap"
        self.view = view
        self.hist = rng.choice([h for h in CONTEXTS[self.ctx][1] if not (
            (self.country == "bd" and ("SLBFE" in h or "NPTCCD" in h)) or (self.country == "sl" and "BMET" in h))])
        self.comparison = None
        if self.ctx in ("chest", "ward") and rng.random() < 0.5:
            self.comparison = rng.choice(["Previous film dated " + date_str(rng) + ".", rng.choice(COMP_NONE)])
        elif rng.random() < 0.15:
            self.comparison = rng.choice(COMP_NONE)
        self.regions = {}
        keep = ["heart", "lungs", "cp"] + [r for r in REGION_ORDER if r not in ("heart", "lungs", "cp")
                                           and rng.random() < 0.6]
        for r in REGION_ORDER:
            if r in keep:
                self.regions[r] = [rng.choice(NORMAL_LINES[r])]
        if view == "ap" and "heart" in self.regions:
            self.regions["heart"] = ["Cardiac silhouette is within normal limits for an AP film."]
        self.imp: list[str] = []
        self.sig_items: list[dict] = []
        self.items: list[dict] = []

    def add(self, key: str, side: str | None = None, in_imp: bool = True) -> dict:
        rng = self.rng
        sc = SCEN[key]
        side = side or rng.choice(["right", "left"])
        fi = rng.randrange(len(sc["find"]))
        f = sc["find"][fi]
        i = sc["imp"][fi % len(sc["imp"])]  # paired, so zone / size / rib agree
        it = {"key": key, "side": side, "ftpl": f, "itpl": i, "ftxt": fill(f, side, rng),
              "itxt": fill(i, side, rng) if in_imp else None}
        reg = sc["region"]
        if reg == "lungs" or key == "effusion":
            items = [x for x in self.regions.get("lungs", []) if x.startswith("_")]
            rest = [x for x in self.regions.get("lungs", []) if x in REST_LUNG]
            if key in ("chf", "copd", "bvm"):
                rest = []
            elif not rest:
                rest = [rng.choice(REST_LUNG)]
            if key == "effusion":
                rest = []
            self.regions["lungs"] = items + rest
        if reg in ("cp", "heart", "diaph", "hila", "medi", "bones"):
            self.regions[reg] = [x for x in self.regions.get(reg, []) if x.startswith("_")]
        if key == "chf":
            self.regions["heart"] = [x for x in self.regions.get("heart", []) if x.startswith("_")]
        if key == "effusion":
            self.regions["diaph"] = []
        self.regions.setdefault(reg, [])
        self.regions[reg].insert(0, f"_ITEM{len(self.items)}")
        if key == "effusion" and not any(x in REST_LUNG for x in self.regions.get("lungs", [])):
            self.regions["cp"].insert(1, rng.choice(["Rest of the lung fields are clear.",
                                                     "Opposite CP angle and lung field are clear."]))
        self.items.append(it)
        if in_imp:
            self.imp.append(f"_IMP{len(self.items) - 1}")
        return it

    def findings_lines(self) -> list[str]:
        out = []
        for r in REGION_ORDER:
            for x in self.regions.get(r, []):
                if x.startswith("_ITEM"):
                    out.append(self.items[int(x[5:])]["ftxt"])
                else:
                    out.append(x)
        return out

    def imp_lines(self) -> list[str]:
        out = []
        for x in self.imp:
            if x.startswith("_IMP"):
                out.append(self.items[int(x[4:])]["itxt"])
            else:
                out.append(x)
        return out

    def render(self, findings: list[str] | None = None, imp: list[str] | None = None, drop_imp_head: bool = False,
               drop_find_head: bool = False, hist: str | None = None) -> str:
        rng = self.rng
        findings = self.findings_lines() if findings is None else findings
        imp = self.imp_lines() if imp is None else imp
        hosp = rng.choice([h for h in HOSPITALS if (("Dhaka" in h or "Chatt" in h or "Chitt" in h) ==
                                                     (self.country == "bd"))])
        lines = []
        if rng.random() < 0.6:
            lines.append(hosp)
        exam = rng.choice(EXAM_LINES[self.view])
        lines.append(exam)
        meta = []
        if rng.random() < 0.6:
            age = rng.randint(21, 48) if self.ctx == "medical" else rng.randint(16, 82)
            meta.append(f"Age/Sex: {age} Y / {rng.choice(['M', 'F'])}")
        if self.ctx == "ward" and self.country == "sl" and rng.random() < 0.6:
            meta.append(f"BHT No: {rng.randint(10000, 99999)}  Ward {rng.randint(1, 70)}")
        elif self.ctx == "ward" and rng.random() < 0.5:
            meta.append(f"Ward: {rng.choice(['Medicine', 'Surgery', 'Cardiology', 'Respiratory medicine'])}, "
                        f"Bed {rng.randint(1, 40)}")
        if self.ctx == "etu":
            meta.append(rng.choice(["Ref: ETU", "Referred from: Emergency", "Ref: Emergency Department"]))
        if self.ctx == "opd" and rng.random() < 0.5:
            meta.append(rng.choice(["Ref: OPD", "Referred by: Medical Clinic", "Ref: General OPD"]))
        if self.ctx == "chest" and rng.random() < 0.6:
            meta.append(rng.choice(["Ref: District Chest Clinic",
                                    "Ref: Chest Clinic (NPTCCD)" if self.country == "sl" else "Ref: NIDCH OPD",
                                    "Ref: DOTS corner", "Ref: Chest OPD"]))
        if rng.random() < 0.5:
            meta.append("Date: " + date_str(rng))
        lines.extend(meta)
        lines.append("")
        h = self.hist if hist is None else hist
        if h:
            lines.append(f"{rng.choice(HIST_HEAD)} {h}")
        if self.comparison:
            lines.append(f"{rng.choice(['Comparison:', 'Previous films:', 'Comparison -'])} {self.comparison}")
        if rng.random() < 0.25:
            tech = {"pa": "Erect PA view. Adequate inspiration, no rotation.",
                    "ap": "Supine AP portable film.", "pal": "Erect PA and lateral views."}[self.view]
            lines.append(f"Technique: {tech}")
        lines.append("")
        fh = rng.choice(FIND_HEAD)
        ih = rng.choice(IMP_HEAD)
        bullet = rng.random() < 0.5
        if not drop_find_head:
            if bullet:
                lines.append(fh)
                style = rng.choice(["- ", "* ", "", "\u2022 "])
                lines.extend(style + x for x in findings)
            else:
                lines.append((fh + " " + " ".join(findings)).rstrip())
        lines.append("")
        if not drop_imp_head:
            if len(imp) > 1 and rng.random() < 0.5:
                lines.append(ih)
                lines.extend(f"{n}. {x}" for n, x in enumerate(imp, 1))
            else:
                lines.append((ih + " " + " ".join(imp)).rstrip())
            lines.append("")
        lines.append(signoff(rng, self.country))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def comp_hist(c: Comp, it: dict) -> None:
    sc = SCEN[it["key"]]
    acute = it["key"] in ("airfree", "ptx", "chf", "ribfrac", "effusion")
    if sc["hist"] and (acute or (c.ctx != "medical" and c.rng.random() < 0.6)):
        c.hist = fill(c.rng.choice(sc["hist"]), it["side"], c.rng)


def comp_base(rng: random.Random, want: str) -> tuple[Comp, str]:
    """want: 'normal', 'minor', 'sig', 'lat', 'any'."""
    c = Comp(rng)
    if want == "any":
        r = rng.random()
        want = "normal" if r < 0.55 else ("minor" if r < 0.8 else "sig")
    if want == "normal":
        if c.ctx == "medical" and rng.random() < 0.5:
            c.imp = [rng.choice(MED_IMP)]
        else:
            c.imp = [rng.choice(NORMAL_IMP)]
        return c, "normal chest film"
    if want == "minor":
        k = wpick(rng, MINOR_SCEN, c.ctx)
        omit = k in OMITTABLE and rng.random() < 0.45
        it = c.add(k, in_imp=not omit)
        comp_hist(c, it)
        if omit:
            c.imp = [rng.choice(["No active lung lesion.", "No active cardiopulmonary disease.",
                                 "No acute abnormality.", "No evidence of active lung disease."])]
        return c, f"minor finding ({k}){' left out of the impression' if omit else ''}"
    if want in ("sig", "lat"):
        pool = SIG_SCEN if want == "sig" else [k for k, v in SCEN.items() if v["lat"] and k not in ("airfree",)]
        k = wpick(rng, pool, c.ctx)
        it = c.add(k)
        comp_hist(c, it)
        if rng.random() < 0.25:
            k2 = rng.choice(["spondy", "aorta", "granuloma", "bvm"] if k not in ("chf", "copd", "bvm")
                            else ["spondy", "aorta"])
            c.add(k2, in_imp=rng.random() < 0.5)
        if k == "tb" and rng.random() < 0.5:
            c.imp.append("Sputum for AFB advised." if "AFB" not in c.imp_lines()[0] else "Follow up film advised.")
        return c, f"{'significant ' if want == 'sig' else 'sided '}finding ({k})"
    raise ValueError(want)


def comp_clean(rng: random.Random) -> tuple[str, str]:
    c, d = comp_base(rng, "any")
    return c.render(), "composed clean: " + d


def comp_missing(rng: random.Random) -> tuple[str, str]:
    c, d = comp_base(rng, rng.choice(["normal", "normal", "minor", "sig"]))
    r = rng.random()
    if r < 0.45:
        return c.render(imp=[]), f"composed {d}; impression header left empty"
    if r < 0.7:
        return c.render(drop_imp_head=True), f"composed {d}; no impression/opinion section at all"
    imp = [rng.choice(["Kindly correlate clinically.", "Please see above.", "Findings as described.",
                       "Compared with the previous film.", "Suggest clinical correlation.",
                       "Report to be collected from the consultant."])]
    if rng.random() < 0.5:
        return c.render(findings=[], imp=imp), "composed: findings left empty; impression describes nothing"
    return c.render(findings=[], imp=imp, drop_find_head=True), "composed: no findings section; impression says nothing"


def comp_laterality(rng: random.Random) -> tuple[str, str]:
    for _ in range(50):
        c, d = comp_base(rng, "lat")
        it = c.items[0]
        if "{s}" in it["ftpl"].lower() and "{s}" in it["itpl"].lower():
            break
    where = rng.choice(["impression", "impression", "findings"])
    side = it["side"]
    if where == "impression":
        it["itxt"] = fill(it["itpl"], opp(side), rng)
    else:
        it["ftxt"] = fill(it["ftpl"], opp(side), rng)
    # keep the history free of sides so it cannot confuse which side is right
    c.hist = rng.choice(CONTEXTS[c.ctx][1]) if SIDE_RE.search(c.hist) or "Lt." in c.hist or "Rt." in c.hist else c.hist
    if "left sided" in c.hist:
        c.hist = "Chest pain."
    return c.render(), f"composed {d}: {side} in the other section, {opp(side)} in the {where}"


def comp_negation(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["imp_affirms", "imp_affirms", "imp_negates", "imp_negates"])
    if mode == "imp_affirms":
        c, d = comp_base(rng, "normal")
        k = rng.choice(["effusion", "consol", "cardio", "ptx", "cpblunt", "effusion", "consol"])
        side = rng.choice(["right", "left"])
        # make sure the findings explicitly negate the entity
        if k in ("effusion", "cpblunt"):
            c.regions["cp"] = [rng.choice(["Both CP angles are clear.", "No pleural effusion.",
                                           "Both costophrenic angles are clear."])]
        elif k == "consol":
            c.regions["lungs"] = [rng.choice(["Both lung fields are clear.", "Lung fields are clear.",
                                              "No focal consolidation is seen."])]
        elif k == "cardio":
            c.regions["heart"] = [rng.choice(["Heart size is normal.", "Cardiac size is within normal limits.",
                                              "Heart is not enlarged (CTR 0.44)."])]
        else:
            c.regions["lungs"] = [rng.choice(["No pneumothorax. Both lung fields are clear.",
                                              "Lung fields are clear. No pneumothorax."])]
            c.hist = rng.choice(["RTA - chest trauma.", "Chest pain after a fall."])
        imp = [fill(rng.choice(SCEN[k]["imp"]), side, rng)]
        return c.render(imp=imp), f"composed normal findings; impression asserts {k} ({side}) that findings negate"
    c, d = comp_base(rng, "sig")
    k = c.items[0]["key"]
    if k in ("mass", "airfree"):
        c, d = comp_base(rng, "normal")
        it = c.add(rng.choice(["consol", "effusion", "cardio"]))
        k = it["key"]
    neg = rng.choice(SCEN[k]["neg"])
    imp = [neg]
    if rng.random() < 0.4:
        imp.append(rng.choice(["No active lung lesion.", "Kindly correlate clinically.", "No bony injury."]
                              if k != "consol" else ["Kindly correlate clinically.", "No bony abnormality."]))
    return c.render(imp=imp), f"composed {d}; impression states '{neg}' (negates the finding)"


def comp_omits(rng: random.Random) -> tuple[str, str]:
    c, d = comp_base(rng, "sig")
    k = c.items[0]["key"]
    minor = [c.items[i]["itxt"] for i in range(1, len(c.items)) if c.items[i]["itxt"]]
    r = rng.random()
    if minor and r < 0.6:
        imp = minor
        how = "impression keeps only the minor finding"
    elif r < 0.3 and k != "chf":
        it = c.add("spondy" if rng.random() < 0.5 else "aorta")
        imp = [it["itxt"]]
        how = "impression mentions only an incidental finding"
    else:
        imp = [rng.choice(GENERIC_NORMAL_IMP)]
        how = "normal macro pasted over the impression"
    return c.render(imp=imp), f"composed {d}; {how}"


PH_TOKENS = ["[***]", "[ ]", "[  ]", "<< >>", "{ }", "[...]", "***", "[?]"]


def comp_placeholder(rng: random.Random) -> tuple[str, str]:
    mode = rng.choice(["side", "size", "heart", "hist", "comp", "word", "sign", "choice"])
    if mode in ("side", "choice"):
        for _ in range(50):
            c, d = comp_base(rng, "lat")
            it = c.items[0]
            if "{s}" in it["ftpl"].lower():
                break
        tok = rng.choice(["[right/left]", "[side]", "RIGHT/LEFT", "<side>", "[***]", "[ ]"])
        t = it["ftpl"]
        first = True

        def rep(m: re.Match) -> str:
            nonlocal first
            if first:
                first = False
                return tok
            return m.group(0)
        t2 = re.sub(r"\{[sS]\}", rep, t, count=1)
        it["ftxt"] = fill(t2, it["side"], rng)
        return c.render(), f"composed {d}; side in findings left as template field {tok}"
    c, d = comp_base(rng, rng.choice(["normal", "minor", "sig"]))
    tok = rng.choice(PH_TOKENS)
    if mode == "size":
        c.regions["heart"] = [rng.choice([f"Heart size is normal (CTR {tok}).", f"CTR: {tok}",
                                          f"Cardiac size within normal limits, CTR {tok}."])]
        if any(SCEN[i["key"]]["region"] == "heart" or i["key"] == "chf" for i in c.items):
            c.regions["heart"] = []
            c.items[0]["ftxt"] = re.sub(r"\d\.\d+", tok, c.items[0]["ftxt"]) if re.search(
                r"\d\.\d+", c.items[0]["ftxt"]) else c.items[0]["ftxt"] + f" CTR {tok}."
        return c.render(), f"composed {d}; CTR value left as {tok}"
    if mode == "heart":
        if any(i["key"] in ("cardio", "chf") for i in c.items):
            c, d = comp_base(rng, "normal")
        c.regions["heart"] = [rng.choice(["Heart size is [normal/enlarged].", "Heart size is <<normal>>.",
                                          f"Cardiac size is {tok}."])]
        return c.render(), "composed; heart-size template option not filled"
    if mode == "hist":
        h = rng.choice([f"{tok}", "<<clinical history>>", f"Cough for {tok} weeks."])
        return c.render(hist=h), f"composed {d}; clinical history field left as a template field"
    if mode == "comp":
        c.comparison = rng.choice([f"Previous film dated {tok}.", "[date of previous film]", f"Compared with {tok}."])
        return c.render(), f"composed {d}; comparison date not filled"
    if mode == "sign":
        txt = c.render()
        lines = txt.split("\n")
        lines[-1] = rng.choice(["Dr. <<Name>>", "Reported by: [Radiologist name]", "Dr. [***], Consultant Radiologist"])
        # keep the rest of a multi-line sign-off out of it
        body = txt.rsplit("\n\n", 1)[0]
        return body + "\n\n" + lines[-1], f"composed {d}; sign-off name left as template field"
    # word: replace a word in the impression
    imp = c.imp_lines()
    s = imp[0]
    words = [m for m in re.finditer(r"\b[A-Za-z]{4,}\b", s)]
    if not words:
        s = "No significant abnormality detected."
        words = [m for m in re.finditer(r"\b[A-Za-z]{4,}\b", s)]
    m = rng.choice(words)
    imp[0] = s[:m.start()] + tok + s[m.end():]
    return c.render(imp=imp), f"composed {d}; word '{m.group(0)}' in impression replaced by {tok}"


# ----------------------------------------------------------------------------------------------------------------
# real IU reports, re-laid-out
# ----------------------------------------------------------------------------------------------------------------

def iu_render(rng: random.Random, rec: dict, findings: str | None, impression: str | None,
              drop_imp_head: bool = False, drop_find_head: bool = False) -> str:
    country = rng.choice(["sl", "bd"])
    hosp = rng.choice([h for h in HOSPITALS if (("Dhaka" in h or "Chatt" in h or "Chitt" in h) == (country == "bd"))])
    lines = []
    if rng.random() < 0.6:
        lines.append(hosp)
    lines.append(rng.choice(EXAM_LINES["pal"] + EXAM_LINES["pa"][:3]))
    if rng.random() < 0.4:
        lines.append("Date: " + date_str(rng))
    lines.append("")
    ind = rec.get("indication") or ""
    if ind:
        lines.append(f"{rng.choice(HIST_HEAD)} {ind}")
    comp = rec.get("comparison") or ""
    if comp:
        lines.append(f"{rng.choice(['Comparison:', 'Previous films:', 'Comparison -'])} {comp}")
    lines.append("")
    fh, ih = rng.choice(FIND_HEAD), rng.choice(IMP_HEAD)
    if not drop_find_head:
        f = findings or ""
        if f and rng.random() < 0.35:
            lines.append(fh)
            lines.extend("- " + s for s in sents(f))
        else:
            lines.append((fh + " " + f).rstrip())
        lines.append("")
    if not drop_imp_head:
        lines.append((ih + " " + (impression or "")).rstrip())
        lines.append("")
    lines.append(signoff(rng, country))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def iu_pools(recs: list[dict]) -> dict[str, list[dict]]:
    pools = {"clean": [], "lat": [], "omit": [], "neg_aff": [], "neg_neg": [], "miss_f": [], "any": []}
    for r in recs:
        f, i = r.get("findings", ""), r.get("impression", "")
        if not f or not i or len(i) < 4 or len(f) < 20:
            continue
        if PLACEHOLDERISH.search(f + " " + i + " " + r.get("indication", "") + " " + r.get("comparison", "")):
            continue
        fs, is_ = sents(f), sents(i)
        fa, ia = affirmed_sig(fs, False), affirmed_sig(is_, False)
        fsides, isides = sides(f), sides(i)
        pools["any"].append(r)
        ok = True
        if fa and not SIG_RE.search(i):
            ok = False
        for fam in SIG_FAMILIES:
            if any(re.search(fam, x, re.I) for x in fa) and not re.search(fam, i, re.I):
                ok = False
        if re.search(r"\b(nodul|mass|new|increas|enlarg|cardiomegaly|widen)", f, re.I) and not re.search(
                r"nodul|mass|new|increas|enlarg|cardiomegaly|widen|heart|cardi|granuloma", i, re.I):
            ok = False
        for term in ("effusion", "pneumothora", "consolidat", "edema", "airspace", "infiltrat", "pneumonia"):
            neg_f = any(term in s.lower() and NEG_RE.search(s) for s in fs)
            aff_i = any(term in s.lower() and not NEG_RE.search(s) for s in is_)
            neg_i = any(term in s.lower() and NEG_RE.search(s) for s in is_)
            aff_f = any(term in s.lower() and not NEG_RE.search(s) for s in fs)
            if (neg_f and aff_i) or (neg_i and aff_f):
                ok = False
        if ia and re.search(r"lungs? (are|is) clear|clear lungs", f, re.I):
            ok = False
        if fsides and isides and not (fsides & isides):
            ok = False
        if ok:
            pools["clean"].append(r)
        # laterality: one side only, same in both sections, sharing a finding word
        if len(fsides) == 1 and fsides == isides:
            sd = next(iter(fsides))
            fsent = [s for s in fs if sd in s.lower()]
            isent = [s for s in is_ if sd in s.lower()]
            if len(isent) == 1 and not re.search(r"bilateral|both", isent[0], re.I):
                fw = {m.lower()[:5] for s in fsent for m in FIND_WORD_RE.findall(s)}
                iw = {m.lower()[:5] for m in FIND_WORD_RE.findall(isent[0])}
                if fw & iw and ok:
                    pools["lat"].append(r)
        strong = affirmed_sig(fs, True)
        if strong and not re.search(r"\bno\b.*\b(change|interval)|stable|unchanged", i, re.I):
            pools["omit"].append(r)
        if ok and not fa and NORMAL_IMP_RE.search(i) and len(i) < 70:
            pools["miss_f"].append(r)
            negs = [s for s in fs if NEG_RE.search(s) and re.search(
                r"effusion|pneumothora|lungs? (are|is) clear|heart size|cardiomediastinal|consolidat", s, re.I)]
            if negs:
                pools["neg_aff"].append(r)
        if ok and fa and len(fa) == 1 and re.search(r"effusion|consolidat|pneumonia|airspace|infiltrat", fa[0], re.I) \
                and not HEDGE_RE.search(fa[0]):
            pools["neg_neg"].append(r)
    return pools


def iu_clean(rng: random.Random, r: dict) -> tuple[str, str]:
    f, i = britishise(r["findings"], rng), britishise(r["impression"], rng)
    return iu_render(rng, r, f, i), f"[IU {r['uid']}] re-laid-out, unmodified content"


def iu_missing(rng: random.Random, r: dict, findings_side: bool) -> tuple[str, str]:
    f, i = britishise(r["findings"], rng), britishise(r["impression"], rng)
    if findings_side:
        if rng.random() < 0.6:
            return iu_render(rng, r, "", i), f"[IU {r['uid']}] findings emptied (header kept)"
        return iu_render(rng, r, "", i, drop_find_head=True), f"[IU {r['uid']}] findings section removed"
    if rng.random() < 0.6:
        return iu_render(rng, r, f, ""), f"[IU {r['uid']}] impression emptied (header kept)"
    return iu_render(rng, r, f, "", drop_imp_head=True), f"[IU {r['uid']}] impression section removed"


def iu_laterality(rng: random.Random, r: dict) -> tuple[str, str]:
    f, i = britishise(r["findings"], rng), britishise(r["impression"], rng)
    sd = next(iter(sides(f)))
    if rng.random() < 0.65:
        ss = sents(i)
        idx = next(n for n, s in enumerate(ss) if sd in s.lower())
        ss[idx] = flip_side(ss[idx])
        return iu_render(rng, r, f, " ".join(ss)), f"[IU {r['uid']}] {sd}->{opp(sd)} in impression sentence"
    ss = sents(f)
    iw = {m.lower()[:5] for m in FIND_WORD_RE.findall(i)}
    cands = [n for n, s in enumerate(ss) if sd in s.lower() and {m.lower()[:5] for m in FIND_WORD_RE.findall(s)} & iw]
    idx = rng.choice(cands)
    ss[idx] = flip_side(ss[idx])
    return iu_render(rng, r, " ".join(ss), i), f"[IU {r['uid']}] {sd}->{opp(sd)} in findings sentence"


def iu_omits(rng: random.Random, r: dict) -> tuple[str, str]:
    f = britishise(r["findings"], rng)
    imp = rng.choice(GENERIC_NORMAL_IMP)
    strong = affirmed_sig(sents(r["findings"]), True)
    return iu_render(rng, r, f, imp), f"[IU {r['uid']}] impression replaced by '{imp}'; findings: {strong[0][:80]}"


NEG_ASSERT = {
    "effusion": ["Small {s} pleural effusion.", "{S} pleural effusion.",
                 "Blunted {s} CP angle due to pleural effusion."],
    "ptx": ["Small {s} apical pneumothorax.", "{S} sided pneumothorax."],
    "lungs": ["{S} lower zone consolidation - ? pneumonia.", "Patchy consolidation in the {s} mid zone.",
              "{S} lower lobe pneumonia."],
    "heart": ["Cardiomegaly.", "Cardiomegaly with mild pulmonary congestion.", "Enlarged cardiac silhouette."],
}


def iu_negation(rng: random.Random, r: dict, affirm: bool) -> tuple[str, str]:
    f = britishise(r["findings"], rng)
    fs = sents(r["findings"])
    if affirm:
        opts = []
        for s in fs:
            if not NEG_RE.search(s):
                continue
            low = s.lower()
            if "effusion" in low:
                opts.append(("effusion", s))
            if "pneumothora" in low:
                opts.append(("ptx", s))
            if re.search(r"lungs? (are|is) clear|consolidat", low):
                opts.append(("lungs", s))
            if re.search(r"heart size|cardiomediastinal", low) and re.search(r"normal|within", low):
                opts.append(("heart", s))
        k, s = rng.choice(opts)
        side = rng.choice(["right", "left"])
        imp = fill(rng.choice(NEG_ASSERT[k]), side, rng)
        return iu_render(rng, r, f, imp), f"[IU {r['uid']}] impression replaced by '{imp}'; findings: '{s[:70]}'"
    fa = affirmed_sig(sents(r["findings"]), False)[0].lower()
    if "effusion" in fa:
        imp = rng.choice(["No pleural effusion.", "CP angles are clear. No effusion.",
                          "No pleural effusion or pneumothorax."])
    else:
        imp = rng.choice(["Both lung fields are clear.", "Lungs are clear. No consolidation.",
                          "No focal consolidation. Lung fields clear."])
    return iu_render(rng, r, f, imp), f"[IU {r['uid']}] impression replaced by '{imp}' against: '{fa[:70]}'"


PH_REAL = ["[***]", "[ ]", "<< >>", "[side]", "***", "{ }", "[...]", "[?]"]


def iu_placeholder(rng: random.Random, r: dict) -> tuple[str, str]:
    f, i = britishise(r["findings"], rng), britishise(r["impression"], rng)
    target = rng.choice(["f", "f", "i"])
    t = f if target == "f" else i
    words = [m for m in re.finditer(r"\b(right|left|[A-Za-z]{5,}|\d+(\.\d+)?)\b", t) if m.group(0) != "XXXX"]
    m = rng.choice(words)
    tok = rng.choice(PH_REAL)
    if m.group(0).lower() in ("right", "left"):
        tok = rng.choice(["[side]", "[right/left]", "[ ]", "<side>"])
    t2 = t[:m.start()] + tok + t[m.end():]
    if target == "f":
        return iu_render(rng, r, t2, i), f"[IU {r['uid']}] '{m.group(0)}' in findings -> {tok}"
    return iu_render(rng, r, f, t2), f"[IU {r['uid']}] '{m.group(0)}' in impression -> {tok}"


# ----------------------------------------------------------------------------------------------------------------
# build
# ----------------------------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h96-{seed}")
    dev = dev_uids()
    recs = [r for r in load_iu() if r["uid"] not in dev]
    pools = iu_pools(recs)
    used: set[str] = set()

    def take(pool: str, n: int) -> list[dict]:
        cand = [r for r in pools[pool] if r["uid"] not in used]
        rng.shuffle(cand)
        out = cand[:n]
        if len(out) < n:
            raise RuntimeError(f"IU pool {pool} too small: {len(out)} < {n}")
        used.update(r["uid"] for r in out)
        return out

    cases: list[tuple[str | None, str, str]] = []
    half_c, half_k = N_CLEAN // 2, N_KIND // 2
    for _ in range(half_c):
        rep, det = comp_clean(rng)
        cases.append((None, det, rep))
    # real clean: keep the natural normal-heavy mix of the pool
    for r in take("clean", half_c):
        rep, det = iu_clean(rng, r)
        cases.append((None, det, rep))
    comp_fns = {"missing_section": comp_missing, "laterality_conflict": comp_laterality,
                "negation_conflict": comp_negation, "impression_omits_finding": comp_omits,
                "placeholder": comp_placeholder}
    for kind in KINDS:
        for _ in range(half_k):
            rep, det = comp_fns[kind](rng)
            cases.append((kind, det, rep))
    # real injected

    def add(kind: str, res: tuple[str, str]) -> None:
        cases.append((kind, res[1], res[0]))

    n_mf = 6
    for r in take("miss_f", n_mf):
        add("missing_section", iu_missing(rng, r, True))
    for r in take("clean", half_k - n_mf):
        add("missing_section", iu_missing(rng, r, False))
    for r in take("lat", half_k):
        add("laterality_conflict", iu_laterality(rng, r))
    for r in take("neg_aff", 12):
        add("negation_conflict", iu_negation(rng, r, True))
    for r in take("neg_neg", half_k - 12):
        add("negation_conflict", iu_negation(rng, r, False))
    for r in take("omit", half_k):
        add("impression_omits_finding", iu_omits(rng, r))
    for r in take("clean", half_k):
        add("placeholder", iu_placeholder(rng, r))
    rng.shuffle(cases)
    rows = []
    for n, (kind, det, rep) in enumerate(cases):
        rows.append({"id": f"h96-{seed}-{n}", "injected": kind, "detail": det, "report": rep})
    return rows


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
                print(f"===== {r['id']}  {kind}  | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
