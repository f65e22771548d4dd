"""Held-out report-check set 99, written blind.

Setting: English NHS acute trusts' respiratory outpatient and rapid-access lung-cancer
(two-week-wait, 2WW) pathways. GP-referred symptomatic chest films and chest-clinic
follow-ups of pneumonia and pulmonary nodules, reported by consultant chest radiologists and
reporting radiographers, in British spelling and UK dictation style (exam line, clinical
details, comparison, optional technique, findings/report, conclusion/opinion/comment, sign-off).

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of each group is composed from
the phrase bank below; half are real IU (Open-i) reports, never one whose uid is in the dev
set, re-laid-out in the setting's headers, British spelling and light re-wording, with the
error injected by rule.

    python -m bench.make_heldout99 OUT.jsonl --seed S [--show N]
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
from functools import lru_cache
from pathlib import Path

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def iu_path() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------- real IU reports

_ABS = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
_UID = re.compile(r'<uId id="([^"]+)"')


def _tidy(text: str) -> str:
    text = html.unescape(text or "")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return text


@lru_cache(maxsize=4)
def load_iu(path: str) -> tuple:
    out = []
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID.search(raw)
            if not um:
                continue
            secs = {k: _tidy(v) for k, v in _ABS.findall(raw)}
            out.append({
                "uid": um.group(1),
                "indication": secs.get("INDICATION", ""),
                "comparison": secs.get("COMPARISON", ""),
                "findings": secs.get("FINDINGS", ""),
                "impression": secs.get("IMPRESSION", ""),
            })
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


@lru_cache(maxsize=4)
def dev_uids(path: str) -> frozenset:
    uids = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    uids.add(uid)
    return frozenset(uids)


def sentences(text: str) -> list[str]:
    text = (text or "").strip()
    if not text:
        return []
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text) if s.strip()]


TERMS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace|air space|infiltrat|pneumonia",
    "oedema": r"o?edema|congesti",
    "nodule": r"nodul|\bmass\b|\bmasses\b|lesion",
    "cardiomegaly": r"cardiomegaly|heart (size )?(is )?(mildly |moderately |markedly )?enlarged|"
                    r"enlarged (heart|cardiac)|cardiac enlargement",
    "atelectasis": r"atelecta|collapse",
    "freeair": r"free air|pneumoperitoneum|free intraperitoneal",
    "mediastinum": r"widen",
    "fracture": r"fracture",
}
SIG = {"effusion", "pneumothorax", "consolidation", "oedema", "nodule", "freeair", "mediastinum"}
NEG = re.compile(r"\b(no|not|without|negative|clear|clears|resolved|resolution|free|absent|"
                 r"absence|normal|removed|unremarkable)\b", re.I)
HEDGE = re.compile(r"stable|unchanged|chronic|\bold\b|healed|scar|calcif|granulom|resolv|improv|"
                   r"decreas|previous|prior|possib|\bmay\b|could|question|suspect|versus|\bvs\b|"
                   r"cannot|can not|atelecta|small|minimal|trace|tiny|mild|borderline|likely|"
                   r"probabl|subsegmental|nipple|XXXX", re.I)
SIDE = re.compile(r"\b(left|right)\b", re.I)
BAD_CHARS = re.compile(r"[\[\]\*_<>{}#]|\bxx\b", re.I)


def term_info(text: str):
    """Per sentence: (sentence, terms affirmed, terms mentioned)."""
    info = []
    for s in sentences(text):
        low = s.lower()
        mentioned = {t for t, p in TERMS.items() if re.search(p, low)}
        pos = set() if NEG.search(low) else set(mentioned)
        info.append((s, pos, mentioned))
    return info


def _sides(s: str) -> set:
    return {m.lower() for m in SIDE.findall(s)}


def real_is_clean(r: dict) -> bool:
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) > 900 or len(i) > 360 or len(f) < 40:
        return False
    for t in (f, i, r["indication"], r["comparison"]):
        if BAD_CHARS.search(t):
            return False
    fi, ii = term_info(f), term_info(i)
    pos_f = set().union(*[p for _, p, _ in fi]) if fi else set()
    any_f = set().union(*[m for _, _, m in fi]) if fi else set()
    pos_i = set().union(*[p for _, p, _ in ii]) if ii else set()
    any_i = set().union(*[m for _, _, m in ii]) if ii else set()
    if (pos_f & SIG) - any_i:
        return False
    if pos_i - pos_f:
        return False
    if pos_f & (any_i - pos_i):
        return False
    if (any_i - pos_i) & (any_f - pos_f) & pos_i:
        return False
    if re.search(r"lungs? (are |is )?clear|clear lungs|normal chest", i, re.I) and pos_f & {
            "consolidation", "nodule", "atelectasis", "oedema", "effusion", "pneumothorax"}:
        return False
    if re.search(r"heart size (is )?normal|normal heart|heart is normal", i, re.I) and \
            "cardiomegaly" in pos_f:
        return False
    if re.search(r"heart size (is )?normal|normal heart|heart is normal|not enlarged", f, re.I) \
            and "cardiomegaly" in any_i:
        return False
    for t in TERMS:
        sf = set().union(*[_sides(s) for s, _, m in fi if t in m]) if fi else set()
        si = set().union(*[_sides(s) for s, _, m in ii if t in m]) if ii else set()
        if sf and si and sf != si:
            return False
    return True


BRIT = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"esophag", "oesophag"),
    (r"Esophag", "Oesophag"), (r"hemorrhag", "haemorrhag"), (r"hematoma", "haematoma"),
    (r"ischemi", "ischaemi"), (r"\btumor", "tumour"), (r"\bcenter", "centre"),
    (r"orthopedic", "orthopaedic"), (r"leukemi", "leukaemi"), (r"\banemi", "anaemi"),
    (r"\bfavor", "favour"), (r"\bgray\b", "grey"), (r"pediatric", "paediatric"),
    (r"visualized", "visualised"), (r"Visualized", "Visualised"), (r"\bfiber", "fibre"),
    (r"hemidiaphragm", "hemidiaphragm"), (r"\bhemithorax", "hemithorax"),
    (r"Cardiomediastinal silhouette", "Cardiomediastinal contour"),
    (r"cardiomediastinal silhouette", "cardiomediastinal contour"),
    (r"pulmonary vascularity", "pulmonary vasculature"),
    (r"osseous structures", "bony structures"),
    (r"\bx-ray\b", "X-ray"), (r"\bxray\b", "X-ray"),
    (r"cardiopulmonary disease", "cardiopulmonary abnormality"),
    (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary abnormality"),
]


def britishise(text: str) -> str:
    for a, b in BRIT:
        text = re.sub(a, b, text)
    return text


# --------------------------------------------------------------------------- phrase bank

NAMES_DR = ["A. Patel", "R. Ahmed", "H. McLeod", "C. Brennan", "S. Khan", "J. Whitfield",
            "E. Osei", "M. Fraser", "L. Hughes", "P. Nair", "K. Doyle", "F. Rahman"]
NAMES_RAD = ["Emma Clarke", "Tom Okafor", "Sarah Jennings", "Gareth Price", "Aisha Begum",
             "Helen Walsh", "Rachel Moore", "Daniel Evans"]
EXAMS = ["XR Chest PA", "XR CHEST", "CHEST X-RAY (PA)", "Examination: XR Chest",
         "CXR PA", "Exam: Chest radiograph PA", "XR Thorax PA", "Chest PA"]
HEADERS = [
    ("Clinical details", "Comparison", "Findings", "Conclusion"),
    ("CLINICAL HISTORY", "COMPARISON", "REPORT", "IMPRESSION"),
    ("Indication", "Previous", "Findings", "Opinion"),
    ("History", "Comparison", "Report", "Comment"),
    ("Clinical information", "Comparison", "FINDINGS", "CONCLUSION"),
    ("Clinical details", "Previous imaging", "Report", "Summary"),
    ("Clinical indication", "Comparison", "Findings", "Impression"),
]
CLIN_GENERIC = [
    "Cough for 6 weeks. Ex-smoker, 30 pack years. 2WW.",
    "Persistent cough >3/52. Current smoker. ?malignancy.",
    "Haemoptysis x2. 2WW referral from GP.",
    "Unexplained weight loss and fatigue. Smoker.",
    "SOBOE, worsening over 3 months.",
    "Cough and chest pain. Non-smoker.",
    "Raised platelets. Cough. Age over 40.",
    "Recurrent LRTI. Known COPD.",
    "Hoarse voice for 4 weeks. Ex-smoker.",
    "Previous asbestos exposure. Breathless.",
    "New finger clubbing noted by GP.",
    "Chest clinic review. Asthma, poorly controlled.",
    "Ongoing breathlessness following COVID-19 infection last year.",
    "Rapid access lung clinic. Cough and weight loss.",
    "Fatigue, appetite loss. Ex-smoker. Suspected lung cancer pathway.",
    "Productive cough 2 months, not settling with antibiotics.",
    "Chronic cough. ?bronchiectasis.",
    "Dyspnoea. ?ILD. Crackles at bases.",
]
CLIN_PNEUMONIA_FU = [
    "Follow-up of {side} {zone} zone pneumonia treated in primary care 6/52 ago.",
    "CAP in January. Repeat film to confirm resolution.",
    "Chest clinic follow-up after admission with {side} sided pneumonia.",
    "6 week post-pneumonia film. Smoker.",
]
CLIN_NODULE_FU = [
    "Known {side} lung nodule, interval follow-up.",
    "Chest clinic. Nodule follow-up as per plan.",
    "Follow-up of {side} {zone} zone opacity seen on previous CXR.",
]
COMP_NONE = ["None.", "No previous imaging available.", "Nil.", "None available.",
             "No previous chest imaging on PACS."]
COMP_PRIOR = ["Previous CXR {date}.", "Compared with the chest radiograph of {date}.",
              "CXR {date} (GP request).", "Chest X-ray dated {date}.", "{date}."]
TECH = ["PA erect.", "PA view.", "Single PA projection.", "PA erect, adequate inspiration."]

NORMAL_STYLES = [
    [("The heart is not enlarged.", {"heart"}), ("The lungs are clear.", {"lung"}),
     ("No pleural effusion or pneumothorax.", {"eff", "ptx"}),
     ("The hila and mediastinum are unremarkable.", {"hila", "mediast"}),
     ("No bony abnormality.", {"bone"})],
    [("Heart size normal.", {"heart"}),
     ("Lungs and pleural spaces are clear.", {"lung", "eff", "ptx", "pleura"}),
     ("Normal hilar and mediastinal contours.", {"hila", "mediast"}),
     ("No focal lung lesion.", {"nodule", "lung"})],
    [("Cardiomediastinal contours are within normal limits.", {"heart", "mediast", "hila"}),
     ("No focal consolidation, collapse or mass lesion.", {"cons", "nodule", "lung"}),
     ("Costophrenic angles are sharp.", {"eff"}), ("No pneumothorax.", {"ptx"})],
    [("The heart size is normal.", {"heart"}),
     ("Clear lungs with no suspicious pulmonary lesion.", {"lung", "nodule"}),
     ("Hila are normal in size and density.", {"hila"}),
     ("Pleural spaces are clear.", {"eff", "ptx", "pleura"}),
     ("The visualised skeleton is unremarkable.", {"bone"})],
    [("Normal cardiac and mediastinal outline.", {"heart", "mediast"}),
     ("No consolidation or effusion.", {"cons", "eff", "lung"}),
     ("No pneumothorax.", {"ptx"}),
     ("No lung mass or hilar lymphadenopathy.", {"nodule", "hila", "lung"})],
    [("Heart and mediastinum normal.", {"heart", "mediast"}),
     ("Lungs clear.", {"lung"}), ("Costophrenic angles clear.", {"eff"}),
     ("No pneumothorax.", {"ptx"})],
]
NORMAL_IMP = ["Normal chest radiograph.", "No significant abnormality.",
              "Normal chest X-ray. No features to suggest malignancy.",
              "No radiological evidence of malignancy or active lung disease.",
              "Normal appearances.", "No abnormality detected.",
              "Normal CXR.", "Normal study. No CXR features of lung cancer."]
NOACUTE_IMP = ["No acute abnormality.", "No active lung disease.",
               "No radiographic features of malignancy.", "No acute cardiopulmonary abnormality.",
               "No acute findings.", "No focal active disease."]
OMIT_MACROS = ["No acute abnormality.", "Normal chest radiograph.",
               "No acute cardiopulmonary abnormality.", "No significant abnormality seen.",
               "Unremarkable chest radiograph.", "Normal appearances.", "No acute change.",
               "Normal chest X-ray."]
NONDESC_IMP = ["As above.", "Follow-up as planned.", "Discussed with the respiratory team.",
               "Please see above.", "For review in chest clinic.", "Result sent to referrer."]

# item: key, sig, lat, conflicts, find variants, imp variants (must mention), neg_imp, opt_imp
ITEMS = {
    "cons": dict(
        sig=True, lat=True, omit=True, conflicts={"lung", "cons"},
        find=["There is patchy consolidation in the {side} {zone} zone.",
              "Airspace opacification in the {side} {zone} zone, consistent with consolidation.",
              "Consolidation with air bronchograms in the {side} {zone} zone.",
              "New area of consolidation in the {side} {zone} zone since the previous film."],
        imp=["{Side} {zone} zone consolidation, in keeping with infection. Suggest repeat chest "
             "radiograph in 6 weeks to confirm resolution.",
             "Features of {side} {zone} zone pneumonia. Follow-up CXR after treatment advised.",
             "{Side} {zone} zone consolidation. Recommend follow-up film at 6-8 weeks to exclude "
             "an underlying lesion."],
        neg_imp=["No consolidation.", "Lungs clear.", "No evidence of pneumonia.",
                 "No focal lung abnormality."],
        assert_imp=["{Side} {zone} zone consolidation, likely infective.",
                    "Early {side} {zone} zone pneumonia."],
    ),
    "persist": dict(
        sig=True, lat=True, omit=True, conflicts={"lung", "cons"}, fu="pneumonia",
        find=["Persistent consolidation in the {side} {zone} zone, little changed since {date}.",
              "The {side} {zone} zone consolidation has increased since the film of {date}."],
        imp=["Non-resolving {side} {zone} zone consolidation. CT chest recommended to exclude "
             "an underlying obstructing lesion.",
             "Persistent {side} {zone} zone consolidation; CT thorax advised."],
        neg_imp=["Resolution of the previous consolidation.", "Lungs now clear."],
    ),
    "effmod": dict(
        sig=True, lat=True, omit=True, conflicts={"eff", "pleura"},
        find=["Moderate {side} pleural effusion.",
              "{Side} pleural effusion extending to the mid zone.",
              "There is a moderate-sized {side} pleural effusion with meniscus."],
        imp=["Moderate {side} pleural effusion. Consider ultrasound and pleural referral.",
             "{Side} pleural effusion, moderate in size. Further assessment with CT advised given "
             "the history."],
        neg_imp=["No pleural effusion.", "Costophrenic angles clear."],
        assert_imp=["Small {side} pleural effusion.", "{Side} pleural effusion."],
    ),
    "nodule": dict(
        sig=True, lat=True, omit=True, conflicts={"nodule", "lung"},
        find=["A {n} mm nodule is projected over the {side} {zone} zone.",
              "There is a {n} mm rounded opacity in the {side} {zone} zone.",
              "{n} mm well-defined nodule in the {side} {zone} zone."],
        imp=["{n} mm {side} {zone} zone nodule. CT chest recommended.",
             "Indeterminate {side} {zone} zone nodule. CT thorax advised via the lung cancer "
             "pathway."],
        neg_imp=["No focal lung lesion.", "No suspicious pulmonary nodule or mass."],
        assert_imp=["{Side} {zone} zone nodule; CT recommended."],
    ),
    "mass": dict(
        sig=True, lat=True, omit=True, conflicts={"nodule", "lung", "hila"},
        find=["There is a {cm} cm mass in the {side} upper zone.",
              "A {cm} cm spiculated mass projects over the {side} upper zone.",
              "Ill-defined {cm} cm mass lesion in the {side} mid zone adjacent to the hilum."],
        imp=["{Side} lung mass, highly suspicious for primary bronchogenic carcinoma. Urgent CT "
             "chest and upper abdomen recommended; flagged to the lung cancer MDT.",
             "{Side} sided lung mass. Suspicious for malignancy. Urgent CT staging advised."],
        neg_imp=["No features to suggest malignancy.", "No mass lesion seen."],
        assert_imp=["{Side} upper zone mass, suspicious for malignancy. Urgent CT advised."],
    ),
    "ptx": dict(
        sig=True, lat=True, omit=True, conflicts={"ptx", "pleura"},
        find=["There is a {side} apical pneumothorax with a 1.5 cm rim.",
              "Small {side} pneumothorax, visceral pleural line seen at the apex.",
              "{Side} pneumothorax, 2 cm at the level of the hilum."],
        imp=["{Side} pneumothorax. Referring clinician informed by telephone.",
             "{Side} apical pneumothorax; discussed with the respiratory registrar."],
        neg_imp=["No pneumothorax."],
        assert_imp=["Small {side} apical pneumothorax."],
    ),
    "oedema": dict(
        sig=True, lat=False, omit=True, conflicts={"lung", "heart", "eff"},
        find=["Cardiomegaly with upper lobe blood diversion, perihilar haze and septal lines.",
              "The heart is enlarged. Bilateral interstitial pulmonary oedema with small "
              "effusions."],
        imp=["Cardiomegaly and pulmonary oedema, in keeping with cardiac failure.",
             "Features of fluid overload / pulmonary oedema."],
        neg_imp=["No features of heart failure.", "No pulmonary oedema."],
        assert_imp=["Mild pulmonary venous congestion."],
    ),
    "hilar": dict(
        sig=True, lat=True, omit=False, conflicts={"hila", "mediast"},
        find=["The {side} hilum is enlarged and lobulated.", "{Side} hilar enlargement."],
        imp=["{Side} hilar enlargement, possibly lymphadenopathy. CT chest recommended.",
             "Bulky {side} hilum. CT advised."],
        neg_imp=["Normal hila."],
        assert_imp=["{Side} hilar enlargement. CT chest advised."],
    ),
    "collapse": dict(
        sig=True, lat=True, omit=False, conflicts={"lung", "cons"},
        find=["Triangular density behind the heart with loss of the {side} hemidiaphragm "
              "outline, in keeping with {side} lower lobe collapse."],
        imp=["{Side} lower lobe collapse. Urgent CT chest recommended."],
        neg_imp=["No collapse or consolidation."],
    ),
    "stablenod": dict(
        sig=True, lat=True, omit=False, conflicts={"nodule", "lung"}, fu="nodule",
        find=["The {n} mm {side} {zone} zone nodule is unchanged in size since {date}."],
        imp=["Stable {side} {zone} zone nodule. Continue follow-up as per the nodule pathway."],
        neg_imp=["No focal lung lesion."],
    ),
    # ---- minor / incidental
    "granuloma": dict(
        sig=False, lat=True, conflicts={"nodule", "lung"},
        find=["Small calcified granuloma in the {side} {zone} zone.",
              "Tiny calcified nodule in the {side} {zone} zone, a healed granuloma."],
        opt_imp=["Incidental calcified granuloma in the {side} {zone} zone."],
    ),
    "hyperexp": dict(
        sig=False, lat=False, conflicts=set(),
        find=["The lungs are hyperexpanded, in keeping with COPD.",
              "Hyperinflated lungs with flattened hemidiaphragms."],
        opt_imp=["Hyperexpanded lungs consistent with COPD."],
    ),
    "cardio": dict(
        sig=False, lat=False, conflicts={"heart"},
        find=["The heart is at the upper limit of normal size.", "Mild cardiomegaly.",
              "Borderline cardiac enlargement, CTR 0.52."],
        opt_imp=["Mild cardiomegaly.", "Borderline heart size."],
        neg_imp=["Normal heart size.", "Heart not enlarged."],
    ),
    "aorta": dict(
        sig=False, lat=False, conflicts={"mediast"},
        find=["Unfolded, calcified thoracic aorta.", "Aortic unfolding."],
        opt_imp=["Unfolded aorta."],
    ),
    "spine": dict(
        sig=False, lat=False, conflicts={"bone"},
        find=["Degenerative changes in the thoracic spine.",
              "Mild thoracic spondylosis."],
        opt_imp=["Incidental thoracic spondylosis."],
    ),
    "rib": dict(
        sig=False, lat=True, conflicts={"bone"},
        find=["Old healed fracture of the {side} {ord} rib."],
        opt_imp=["Old {side} {ord} rib fracture."],
    ),
    "blunt": dict(
        sig=False, lat=True, conflicts={"eff", "pleura"},
        find=["Minor blunting of the {side} costophrenic angle, pleural thickening or a trace "
              "of fluid."],
        opt_imp=["Minor {side} costophrenic angle blunting."],
    ),
    "apical": dict(
        sig=False, lat=False, conflicts={"pleura"},
        find=["Bilateral apical pleural thickening."],
        opt_imp=["Apical pleural thickening, of no concern."],
    ),
    "scar": dict(
        sig=False, lat=True, conflicts={"lung"},
        find=["Linear scarring at the {side} base.",
              "Band of linear atelectasis at the {side} base."],
        opt_imp=["Minor {side} basal scarring."],
    ),
    "clips": dict(
        sig=False, lat=False, conflicts=set(),
        find=["Cholecystectomy clips noted.", "Surgical clips in the right upper quadrant."],
        opt_imp=[],
    ),
    "resolved": dict(
        sig=False, lat=True, conflicts=set(), fu="pneumonia", must=True,
        find=["The previously seen {side} {zone} zone consolidation has resolved.",
              "Interval resolution of the {side} {zone} zone consolidation seen on {date}."],
        imp=["Resolution of the {side} {zone} zone consolidation. No further imaging needed.",
             "{Side} {zone} zone pneumonia has resolved. Discharge back to GP."],
        neg_imp=[],
    ),
}
SIG_OMIT = [k for k, v in ITEMS.items() if v.get("omit")]
SIG_CLEAN = [k for k, v in ITEMS.items() if v["sig"]]
MINOR = [k for k, v in ITEMS.items() if not v["sig"] and k != "resolved"]
LAT_IMP = [k for k, v in ITEMS.items() if v["lat"] and (v.get("imp") or v.get("opt_imp"))]
ORD = ["5th", "6th", "7th", "8th", "9th"]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2023, 2024, 2025])}"


def _params(rng: random.Random) -> dict:
    side = rng.choice(["right", "left"])
    return {"side": side, "Side": side.capitalize(), "zone": rng.choice(["upper", "mid", "lower"]),
            "n": rng.randint(7, 18), "cm": rng.choice(["3", "3.5", "4", "4.5", "5", "6"]),
            "ord": rng.choice(ORD), "date": _date(rng)}


def _fmt(s: str, p: dict) -> str:
    return s.format(**p)


def _opp(p: dict) -> dict:
    q = dict(p)
    q["side"] = "left" if p["side"] == "right" else "right"
    q["Side"] = q["side"].capitalize()
    return q


class Rep:
    """A report as sections, rendered to free text at the end."""

    def __init__(self, rng: random.Random):
        self.exam = rng.choice(EXAMS)
        self.hdr = rng.choice(HEADERS)
        self.upper_block = rng.random() < 0.3
        self.blank = rng.random() < 0.6
        self.clin = ""
        self.comp = ""
        self.tech = rng.choice(TECH) if rng.random() < 0.3 else ""
        self.find: list[str] | None = []
        self.imp: list[str] | None = []
        r = rng.random()
        if r < 0.45:
            self.sign = f"Dr {rng.choice(NAMES_DR)}, Consultant Radiologist"
        elif r < 0.65:
            self.sign = f"Dr {rng.choice(NAMES_DR)}\nConsultant Chest Radiologist"
        elif r < 0.85:
            self.sign = f"Reported by: {rng.choice(NAMES_RAD)}, Reporting Radiographer"
        else:
            self.sign = f"{rng.choice(NAMES_RAD)}, Consultant Radiographer (Thoracic)"
        if rng.random() < 0.4:
            day, mon = rng.randint(1, 28), rng.randint(1, 12)
            self.sign += f"\nReported: {day:02d}/{mon:02d}/2026 {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"

    def _sec(self, name: str, body: str | None) -> str | None:
        if body is None:
            return None
        if self.upper_block:
            return f"{name.upper()}:\n{body}".rstrip()
        return f"{name}: {body}".rstrip()

    def render(self) -> str:
        parts = [self.exam]
        h = self.hdr
        if self.clin:
            parts.append(self._sec(h[0], self.clin))
        if self.comp:
            parts.append(self._sec(h[1], self.comp))
        if self.tech:
            parts.append(self._sec("Technique", self.tech))
        parts.append(self._sec(h[2], None if self.find is None else " ".join(self.find)))
        parts.append(self._sec(h[3], None if self.imp is None else " ".join(self.imp)))
        parts.append(self.sign)
        sep = "\n\n" if self.blank else "\n"
        return sep.join(p for p in parts if p is not None)


def synth_base(rng: random.Random, profile: str, items: list[str] | None = None):
    """Compose a clean synthetic report. Returns (Rep, chosen item list, params)."""
    rep = Rep(rng)
    p = _params(rng)
    if items is None:
        if profile == "normal":
            items = ["resolved"] if rng.random() < 0.15 else []
        elif profile == "minor":
            items = rng.sample(MINOR, rng.choice([1, 1, 2]))
        else:
            items = [rng.choice(SIG_CLEAN)]
            if rng.random() < 0.3:
                items.append(rng.choice(["spine", "aorta", "hyperexp", "clips", "apical"]))
    fu = next((ITEMS[k].get("fu") for k in items if ITEMS[k].get("fu")), None)
    if fu == "pneumonia":
        rep.clin = _fmt(rng.choice(CLIN_PNEUMONIA_FU), p)
    elif fu == "nodule":
        rep.clin = _fmt(rng.choice(CLIN_NODULE_FU), p)
    else:
        rep.clin = rng.choice(CLIN_GENERIC)
    if fu or any("{date}" in s for k in items for s in ITEMS[k]["find"]) or rng.random() < 0.35:
        rep.comp = _fmt(rng.choice(COMP_PRIOR), p)
    else:
        rep.comp = rng.choice(COMP_NONE)
    style = rng.choice(NORMAL_STYLES)
    conflicts = set().union(*[ITEMS[k]["conflicts"] for k in items]) if items else set()
    normal = [(s, t) for s, t in style if not (t & conflicts)]
    abn = [_fmt(rng.choice(ITEMS[k]["find"]), p) for k in items]
    rep.find = abn + [s for s, _ in normal] if rng.random() < 0.8 else [s for s, _ in normal] + abn
    rep.normal_tags = set().union(*[t for _, t in normal]) if normal else set()
    rep.normal_sents = normal
    imp = []
    for k in items:
        it = ITEMS[k]
        if it.get("imp"):
            imp.append(_fmt(rng.choice(it["imp"]), p))
        elif it.get("opt_imp") and rng.random() < 0.4:
            imp.append(_fmt(rng.choice(it["opt_imp"]), p))
    if not items:
        imp = imp or [rng.choice(NORMAL_IMP)]
    elif not any(ITEMS[k]["sig"] for k in items):
        imp.append(rng.choice(NOACUTE_IMP))
    elif rng.random() < 0.3:
        imp.append("No other significant abnormality.")
    rep.imp = imp
    return rep, items, p


def synth_profile(rng: random.Random) -> str:
    r = rng.random()
    return "normal" if r < 0.58 else ("minor" if r < 0.86 else "sig")


# --------------------------------------------------------------------------- synthetic injections

PH_TOKENS = ["[***]", "***", "[ ]", "[...]", "<<>>", "[*]", "{ }", "[Select]", "<...>"]


def synth_clean(rng):
    prof = synth_profile(rng)
    if prof == "normal" and rng.random() < 0.08:
        # impression-only report that itself describes the image
        rep, _, _ = synth_base(rng, "normal", items=[])
        desc = [s for s, _ in rep.normal_sents]
        rep.find = None
        rep.imp = desc + [rng.choice(NORMAL_IMP)]
        return rep.render(), "clean (impression-only, descriptive)"
    rep, items, _ = synth_base(rng, prof)
    return rep.render(), f"clean ({prof}: {', '.join(items) or 'normal'})"


def synth_missing(rng):
    prof = synth_profile(rng)
    rep, items, _ = synth_base(rng, prof)
    v = rng.random()
    if v < 0.45:
        rep.imp = []
        return rep.render(), "impression/conclusion header left empty"
    if v < 0.7:
        rep.imp = None
        return rep.render(), "impression/conclusion section absent; findings only"
    if v < 0.9:
        rep.find = []
        rep.imp = [rng.choice(NONDESC_IMP)]
        return rep.render(), "findings header left empty; impression non-descriptive"
    rep.find = None
    rep.imp = [rng.choice(NONDESC_IMP)]
    return rep.render(), "findings section absent; impression non-descriptive"


def synth_laterality(rng):
    k = rng.choice(LAT_IMP)
    extra = [rng.choice(["spine", "aorta", "hyperexp", "clips"])] if rng.random() < 0.3 else []
    rep, items, p = synth_base(rng, "sig", items=[k] + extra)
    it = ITEMS[k]
    q = _opp(p)
    imp_src = it.get("imp") or it.get("opt_imp")
    v = rng.random()
    if v < 0.45:
        rep.imp[0] = _fmt(rng.choice(imp_src), q)
        where = "impression"
    elif v < 0.85:
        rep.find[rep.find.index(next(s for s in rep.find if p["side"] in s.lower()))] = \
            _fmt(rng.choice(it["find"]), q)
        if not it.get("imp") and not any(p["side"] in s.lower() for s in rep.imp):
            rep.imp.insert(0, _fmt(rng.choice(imp_src), p))
        where = "findings"
    elif ITEMS[k]["sig"]:
        if not any(p["side"] in s.lower() for s in rep.imp):
            rep.imp.insert(0, _fmt(rng.choice(imp_src), p))
        rep.imp.append(rng.choice([
            "CT to assess the {side}-sided abnormality.",
            "CT chest advised to further characterise the {side}-sided finding.",
        ]).format(**q))
        where = "added impression recommendation"
    else:
        rep.imp[0] = _fmt(rng.choice(imp_src), q)
        where = "impression"
    if not any(p["side"] in s.lower() or q["side"] in s.lower() for s in rep.imp):
        rep.imp.insert(0, _fmt(rng.choice(imp_src), p if where == "findings" else q))
    return rep.render(), f"{k}: side flipped to {q['side']} in {where} (rest says {p['side']})"


def synth_negation(rng):
    v = rng.random()
    if v < 0.45:
        # normal findings negate X; impression asserts X
        rep, _, p = synth_base(rng, "normal", items=[])
        cands = [k for k, it in ITEMS.items() if it.get("assert_imp")
                 and it["conflicts"] & rep.normal_tags]
        k = rng.choice(cands)
        rep.imp = [_fmt(rng.choice(ITEMS[k]["assert_imp"]), p)]
        if rng.random() < 0.3:
            rep.imp.append("Otherwise no acute abnormality.")
        return rep.render(), f"impression asserts {k}; findings negate it"
    if v < 0.85:
        k = rng.choice([k for k in SIG_CLEAN if ITEMS[k].get("neg_imp")])
        rep, _, p = synth_base(rng, "sig", items=[k])
        neg = _fmt(rng.choice(ITEMS[k]["neg_imp"]), p)
        rep.imp = [neg] if rng.random() < 0.6 else [neg, rng.choice(NOACUTE_IMP)]
        return rep.render(), f"findings affirm {k}; impression negates it ({neg})"
    rep, _, p = synth_base(rng, "minor", items=["cardio"])
    neg = rng.choice(ITEMS["cardio"]["neg_imp"])
    rep.imp = [neg, rng.choice(NOACUTE_IMP)]
    return rep.render(), f"findings describe cardiomegaly; impression says {neg}"


def synth_omits(rng):
    k = rng.choice(SIG_OMIT)
    extra = []
    if rng.random() < 0.35:
        extra = [rng.choice(["spine", "aorta", "hyperexp", "apical", "clips"])]
    rep, _, p = synth_base(rng, "sig", items=[k] + extra)
    if extra and ITEMS[extra[0]]["opt_imp"] and rng.random() < 0.5:
        rep.imp = [_fmt(ITEMS[extra[0]]["opt_imp"][0], p), rng.choice(NOACUTE_IMP)]
        how = f"impression mentions only {extra[0]}"
    else:
        rep.imp = [rng.choice(OMIT_MACROS)]
        how = "impression is a normal macro"
    return rep.render(), f"findings affirm {k}; {how}"


def synth_placeholder(rng):
    prof = synth_profile(rng)
    rep, items, p = synth_base(rng, prof)
    tok = rng.choice(PH_TOKENS)
    slots = ["comp", "clin", "findword", "impword"]
    if any(ITEMS[k]["lat"] for k in items):
        slots += ["side", "side"]
    if any(k in ("nodule", "stablenod") for k in items):
        slots += ["size", "size"]
    if any("weeks" in s for s in rep.imp):
        slots.append("weeks")
    slot = rng.choice(slots)
    if slot == "comp":
        rep.comp = rng.choice(["Previous CXR dated **/**/****.", f"CXR {tok}.",
                               "Compared with [date]."])
    elif slot == "clin":
        rep.clin = rng.choice(["[Clinical details]", "<Enter clinical history>",
                               f"Cough. {tok}"])
    elif slot == "side":
        ph = rng.choice(["[side]", tok, "[left/right]"])
        i = next(i for i, s in enumerate(rep.find) if p["side"] in s.lower())
        rep.find[i] = re.sub(r"\b" + p["side"] + r"\b", ph, rep.find[i], count=1, flags=re.I)
    elif slot == "size":
        ph = rng.choice(["[ ]", "xx", "[size]", "***"])
        i = next(i for i, s in enumerate(rep.find) if re.search(r"\d+ mm", s))
        rep.find[i] = re.sub(r"\d+ mm", f"{ph} mm", rep.find[i], count=1)
    elif slot == "weeks":
        i = next(i for i, s in enumerate(rep.imp) if "weeks" in s)
        rep.imp[i] = re.sub(r"\d+(-\d+)? weeks", f"{rng.choice(['[ ]', '***', '[x]'])} weeks",
                            rep.imp[i], count=1)
    elif slot == "findword":
        i = rng.randrange(len(rep.find))
        words = [m for m in re.finditer(r"\b[a-z]{4,}\b", rep.find[i])]
        m = rng.choice(words)
        rep.find[i] = rep.find[i][:m.start()] + tok + rep.find[i][m.end():]
    else:
        i = rng.randrange(len(rep.imp))
        words = [m for m in re.finditer(r"\b[A-Za-z]{4,}\b", rep.imp[i])]
        m = rng.choice(words)
        rep.imp[i] = rep.imp[i][:m.start()] + tok + rep.imp[i][m.end():]
    return rep.render(), f"unfilled template field in {slot}"


SYNTH = {
    None: synth_clean,
    "missing_section": synth_missing,
    "laterality_conflict": synth_laterality,
    "negation_conflict": synth_negation,
    "impression_omits_finding": synth_omits,
    "placeholder": synth_placeholder,
}


# --------------------------------------------------------------------------- real injections

def real_render(rng: random.Random, r: dict, find, imp, comp=None, clin=None) -> str:
    rep = Rep(rng)
    ind = r["indication"] if clin is None else clin
    rep.clin = britishise(ind) if ind else rng.choice(["Not stated.", "Chest clinic review.",
                                                       "GP referral."])
    c = r["comparison"] if comp is None else comp
    rep.comp = britishise(c) if c else rng.choice(COMP_NONE)
    rep.find = None if find is None else ([britishise(find)] if find else [])
    rep.imp = None if imp is None else ([britishise(imp)] if imp else [])
    return rep.render()


def _omit_sentence(r: dict):
    """A findings sentence affirming a significant finding also affirmed in the impression."""
    ii = term_info(r["impression"])
    pos_i = set().union(*[p for _, p, _ in ii]) if ii else set()
    fi = term_info(r["findings"])
    for j, (s, pos, _) in enumerate(fi):
        nxt = fi[j + 1][0] if j + 1 < len(fi) else ""
        if HEDGE.search(s) or re.search(r"artifact|artefact|\bmay\b|possib|versus", nxt, re.I):
            continue
        for t in ("pneumothorax", "consolidation", "oedema", "effusion", "nodule"):
            if t in pos and t in pos_i:
                if t == "effusion" and not re.search(r"moderate|large|layering", s, re.I):
                    continue
                if t == "nodule":
                    mm = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*mm", s)]
                    if not (re.search(r"\bmass\b", s, re.I) or any(x >= 6 for x in mm)
                            or re.search(r"\d\s*cm", s)):
                        continue
                return t, s
    return None


def _lat_pair(r: dict):
    fi, ii = term_info(r["findings"]), term_info(r["impression"])
    for t in TERMS:
        fs = [(s, _sides(s)) for s, pos, _ in fi if t in pos]
        is_ = [(s, _sides(s)) for s, pos, _ in ii if t in pos]
        if len(fs) != 1 or len(is_) != 1:
            continue
        (sf, a), (si, b) = fs[0], is_[0]
        if len(a) == 1 and a == b and "bilat" not in (sf + si).lower():
            return t, sf, si, next(iter(a))
    return None


def _flip(s: str, side: str) -> str:
    other = "left" if side == "right" else "right"

    def rep(m):
        w = m.group(0)
        return other.capitalize() if w[0].isupper() else other
    return re.sub(r"\b" + side + r"\b", rep, s, flags=re.I)


NEG_PATTERNS = [
    ("effusion", r"no (\w+ )?(pleural )?effusion|without (pleural )?effusion|no .{0,30}effusion",
     ["Small {side} pleural effusion.", "{Side} pleural effusion.",
      "Bilateral small pleural effusions."]),
    ("pneumothorax", r"no (\w+ )?pneumothora|no .{0,30}pneumothora",
     ["Small {side} apical pneumothorax.", "{Side} pneumothorax; referrer informed."]),
    ("consolidation", r"lungs? (are |is )?clear|clear lungs|no (focal )?(consolidation|airspace)",
     ["{Side} lower zone consolidation, likely infective. Follow-up CXR in 6 weeks.",
      "Patchy {side} basal airspace opacity in keeping with pneumonia."]),
    ("cardiomegaly", r"heart size (is )?(normal|within normal)|normal heart size|heart is normal|"
                     r"cardiomediastinal (silhouette|contour)s? (is |are )?(normal|within normal)",
     ["Cardiomegaly.", "Enlarged heart. No acute lung abnormality."]),
]


def real_negation(rng, r):
    f = r["findings"]
    opts = [(t, pat, ph) for t, pat, ph in NEG_PATTERNS if re.search(pat, f, re.I)]
    if re.search(r"\bno (large|significant|sizable|sizeable|substantial|definite|new|gross|"
                 r"appreciable|obvious|large-volume|focal)\b", f, re.I):
        opts = [o for o in opts if o[0] in ("cardiomegaly",)]
    om = _omit_sentence(r)
    if om and (not opts or rng.random() < 0.4):
        t, s = om
        neg = {"consolidation": ["No focal consolidation.", "The lungs are clear."],
               "effusion": ["No pleural effusion."], "pneumothorax": ["No pneumothorax."],
               "oedema": ["No pulmonary oedema."],
               "nodule": ["No suspicious pulmonary nodule or mass."]}[t]
        imp = rng.choice(neg) + rng.choice(["", " No acute abnormality."])
        return real_render(rng, r, f, imp), f"findings affirm {t}; impression replaced by '{imp}'"
    if not opts:
        return None
    t, _, ph = rng.choice(opts)
    p = _params(rng)
    imp = _fmt(rng.choice(ph), p)
    return real_render(rng, r, f, imp), f"findings negate {t}; impression replaced by '{imp}'"


def real_omits(rng, r):
    om = _omit_sentence(r)
    if not om:
        return None
    t, s = om
    ii = sentences(r["impression"])
    keep = [x for x in ii if not re.search(TERMS[t], x, re.I)]
    if keep and rng.random() < 0.4 and all(_GENERIC_IMP.search(re.sub(r"^\d+\.\s*", "", x))
                                           for x in keep):
        imp = " ".join(keep)
        how = "impression sentence(s) mentioning it removed"
    else:
        imp = rng.choice(OMIT_MACROS)
        how = f"impression replaced by '{imp}'"
    return real_render(rng, r, r["findings"], imp), f"findings affirm {t} ({s}); {how}"


def real_laterality(rng, r):
    lp = _lat_pair(r)
    if not lp:
        return None
    t, sf, si, side = lp
    f, i = r["findings"], r["impression"]
    if rng.random() < 0.5:
        f = f.replace(sf, _flip(sf, side), 1)
        where = "findings"
    else:
        i = i.replace(si, _flip(si, side), 1)
        where = "impression"
    return real_render(rng, r, f, i), f"{t}: {side} flipped in {where}"


_GENERIC_IMP = re.compile(r"^(no acute|negative|normal|no active|no evidence|no radiographic|"
                          r"no significant|unremarkable)", re.I)


def real_missing(rng, r):
    i = r["impression"]
    if _GENERIC_IMP.search(i) and len(i) < 70 and rng.random() < 0.35:
        if rng.random() < 0.7:
            return real_render(rng, r, "", i), "findings emptied (header kept); generic impression"
        return real_render(rng, r, None, i), "findings section removed; generic impression"
    if rng.random() < 0.65:
        return real_render(rng, r, r["findings"], ""), "impression emptied (header kept)"
    return real_render(rng, r, r["findings"], None), "impression section removed"


def real_placeholder(rng, r):
    f, i = r["findings"], r["impression"]
    tok = rng.choice(PH_TOKENS)
    v = rng.random()
    if v < 0.15:
        return real_render(rng, r, f, i, comp=rng.choice(["CXR **/**/****.", f"{tok}"])), \
            "comparison left as template field"
    target = "findings" if v < 0.7 else "impression"
    text = f if target == "findings" else i
    sides = list(re.finditer(r"\b(left|right)\b", text, re.I))
    if sides and rng.random() < 0.5:
        m = rng.choice(sides)
        ph = rng.choice(["[side]", tok])
    else:
        words = [m for m in re.finditer(r"\b[a-z]{4,}\b", text)]
        if not words:
            return None
        m = rng.choice(words)
        ph = tok
    new = text[:m.start()] + ph + text[m.end():]
    if target == "findings":
        f = new
    else:
        i = new
    return real_render(rng, r, f, i), f"'{m.group(0)}' in {target} replaced by {ph}"


REAL = {
    "missing_section": real_missing,
    "laterality_conflict": real_laterality,
    "negation_conflict": real_negation,
    "impression_omits_finding": real_omits,
    "placeholder": real_placeholder,
}


# --------------------------------------------------------------------------- assembly

def build(seed: int) -> list[dict]:
    rng = random.Random(f"h99-{seed}")
    exclude = dev_uids(str(dev_path()))
    pool = [r for r in load_iu(str(iu_path())) if r["uid"] not in exclude and real_is_clean(r)]
    rng.shuffle(pool)
    used: set[str] = set()
    rows: list[dict] = []

    def take(fn, n, kind):
        got = 0
        for r in pool:
            if got >= n:
                break
            if r["uid"] in used:
                continue
            res = fn(rng, r)
            if res is None:
                continue
            text, detail = res
            used.add(r["uid"])
            rows.append({"injected": kind, "detail": f"IU {r['uid']}: {detail}", "report": text,
                         "_uid": r["uid"]})
            got += 1
        if got < n:
            raise RuntimeError(f"not enough real candidates for {kind}: {got}/{n}")

    # scarce kinds first
    take(real_laterality, N_KIND // 2, "laterality_conflict")
    take(real_omits, N_KIND // 2, "impression_omits_finding")
    take(real_negation, N_KIND // 2, "negation_conflict")
    take(real_missing, N_KIND // 2, "missing_section")
    take(real_placeholder, N_KIND // 2, "placeholder")
    take(lambda g, r: (real_render(g, r, r["findings"], r["impression"]), "clean, re-laid-out"),
         N_CLEAN // 2, None)

    for kind, fn in SYNTH.items():
        n = N_CLEAN // 2 if kind is None else N_KIND // 2
        for _ in range(n):
            text, detail = fn(rng)
            rows.append({"injected": kind, "detail": f"synthetic: {detail}", "report": text})

    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h99-{seed}-{n}", "injected": row["injected"],
                    "detail": row["detail"], "report": row["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if a.show:
        for kind in (None,) + KINDS:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {row['id']} [{kind}] {row['detail']}\n{row['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
