"""Held-out report-check set 127, written blind (without reading the checker).

Setting: Guyana and Belize, English-reporting public and private hospitals (Georgetown Public Hospital
Corporation, the regional hospitals of Guyana, Karl Heusner Memorial Hospital in Belize City and the
Belize regional hospitals), reported by radiologists trained in the Caribbean, Cuba, India and the UK.
The day-to-day mix: accident and emergency, medical and surgical wards, outpatient clinics, pre-op and
employment medicals, and TB programme referrals.  British spellings (oedema, haziness, visualised),
"zones" rather than lobes, CTR figures, "?PTB" and "x 3/52" style histories, CONCLUSION / OPINION /
COMMENT as often as IMPRESSION, and a typed sign-off.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder).  Half of each group is composed from the phrase bank below,
half are real IU reports (never a dev-set uid) re-laid-out in the setting's style and lightly re-worded.

    python -m bench.make_heldout127 OUT.jsonl --seed S [--show N]
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

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_path() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# ----------------------------------------------------------------------------------------------
# IU reports
# ----------------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_UID_RE = re.compile(r'<uId id="([^"]+)"')


def _unescape(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&")).strip()


@functools.lru_cache(maxsize=1)
def dev_uids() -> frozenset[str]:
    uids = set()
    with open(dev_path(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    uids.add(uid)
    return frozenset(uids)


@functools.lru_cache(maxsize=1)
def iu_reports() -> tuple[dict, ...]:
    """All IU reports with both FINDINGS and IMPRESSION, dev uids excluded, sorted by uid."""
    excluded = dev_uids()
    out = []
    with tarfile.open(reports_tgz(), "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            raw = tf.extractfile(m).read().decode("utf-8", "replace")
            um = _UID_RE.search(raw)
            if not um or um.group(1) in excluded:
                continue
            sec = {k.lower(): _unescape(v) for k, v in _LABEL_RE.findall(raw)}
            f, i = sec.get("findings", ""), sec.get("impression", "")
            if len(f) < 40 or len(i) < 5:
                continue
            if re.search(r"\[|\]|\*\*|_{2,}|<|>|\{", f + i):
                continue
            out.append({"uid": um.group(1), "findings": f, "impression": i,
                        "indication": sec.get("indication", ""), "comparison": sec.get("comparison", "")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


_NEG = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|free of|normal|removed|"
                  r"cannot|unremarkable|absence|exclude|excluded|rule out|versus|vs|possible|"
                  r"may|questionable|\?)\b", re.I)
SIG_TERMS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|pneumonia|infiltrate",
    "oedema": r"edema|oedema|vascular congestion|interstitial congestion",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
    "mediastinum": r"widen(ed|ing) (of the )?mediastin|mediastinal widening",
    "free air": r"free (air|gas)|pneumoperitoneum",
}
MINOR_CUES = re.compile(r"\b(small|trace|tiny|minimal|minimally|mild|mildly|blunting|chronic|stable|old|"
                        r"scar|scarring|unchanged|subsegmental|atelecta|improv|decreas|residual|healed)", re.I)
NORMAL_IMP = re.compile(r"^(1\. )?(no acute|normal|negative|no active|no evidence of acute|no radiographic|"
                        r"no cardiopulmonary|clear lungs|no significant|unremarkable)", re.I)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def affirmed(text: str, term_re: str) -> list[str]:
    """Sentences of text that mention the term without a negation or hedge."""
    hits = []
    for s in sentences(text):
        if re.search(term_re, s, re.I) and not _NEG.search(s):
            hits.append(s)
    return hits


def sig_affirmed(text: str, strict: bool = False) -> set[str]:
    found = set()
    for name, rx in SIG_TERMS.items():
        for s in affirmed(text, rx):
            if strict and MINOR_CUES.search(s):
                continue
            found.add(name)
    return found


_NOT_NORMAL = r"nodul|\bmass|\bnew\b|increas|cavit|widen|enlarg|cardiomegaly|fractur|collapse|opacit|infiltrat"


def iu_is_normal(r: dict) -> bool:
    return (bool(NORMAL_IMP.search(r["impression"])) and not sig_affirmed(r["findings"])
            and not affirmed(r["findings"], _NOT_NORMAL) and len(sentences(r["impression"])) <= 2)


REWORD = [
    (r"\bx-XXXX\b", "X-ray"), (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhage", "haemorrhage"),
    (r"\besophag", "oesophag"), (r"\btumor\b", "tumour"), (r"\bvisualized\b", "visualised"),
    (r"\bVisualized\b", "Visualised"), (r"\bcharacterized\b", "characterised"), (r"\blocalized\b", "localised"),
    (r"\bcalcified granulomas?\b", lambda m: m.group(0).replace("granuloma", "granuloma")),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal outline"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal outline"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality seen"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bosseous structures\b", "bony structures"), (r"\bOsseous structures\b", "Bony structures"),
    (r"\bfrontal and lateral\b", "PA and lateral"), (r"\bcentimeters?\b", "cm"), (r"\bmillimeters?\b", "mm"),
    (r"\s+", " "), (r"\.(\s*\.)+", "."), (r"\s+\.", "."),
]


def reword(text: str) -> str:
    for rx, rep in REWORD:
        text = re.sub(rx, rep, text)
    return text.strip()


# ----------------------------------------------------------------------------------------------
# Setting: hospitals, layouts, histories, sign-off
# ----------------------------------------------------------------------------------------------

HOSPITALS = [
    "GEORGETOWN PUBLIC HOSPITAL CORPORATION - DEPARTMENT OF RADIOLOGY",
    "Georgetown Public Hospital Corporation, Radiology Department",
    "KARL HEUSNER MEMORIAL HOSPITAL AUTHORITY - IMAGING DEPARTMENT",
    "Karl Heusner Memorial Hospital, Belize City - Radiology",
    "NEW AMSTERDAM REGIONAL HOSPITAL - X-RAY DEPARTMENT",
    "Linden Hospital Complex, Radiology Unit",
    "West Demerara Regional Hospital - X-Ray Dept.",
    "Suddie Public Hospital - X-Ray",
    "Western Regional Hospital, Belmopan - Imaging",
    "Southern Regional Hospital, Dangriga - Radiology",
    "Northern Regional Hospital, Orange Walk - X-Ray Department",
    "St. Joseph Mercy Hospital, Georgetown - Diagnostic Imaging",
    "Davis Memorial Hospital - Radiology",
    "Belize Medical Associates - Imaging Centre",
    "Bartica Regional Hospital - X-Ray",
    "",
]
EXAMS = [
    "CHEST X-RAY PA VIEW", "CXR PA (erect)", "X-RAY CHEST PA", "CHEST PA AND LATERAL", "CXR - PA view",
    "X-RAY: CHEST (PA)", "CHEST RADIOGRAPH, PA", "CXR AP (portable, ward)", "CHEST X-RAY AP SUPINE (A&E)",
    "Chest X-ray PA & Lat", "CXR PA/LAT",
]
SIGNERS = [
    "Dr. R. Persaud, MBBS, DMRD", "Dr. S. Ramnarine, MBBS, FRCR", "Dr. A. Khan, MD (Rad)",
    "Dr. M. Singh, DNB (Radiology)",
    "Dr. L. Fraser, MBBS, DM (Radiology) UWI", "Dr. Y. Castillo, Especialista en Imagenologia",
    "Dr. J. Chan, MBBS, FRCR", "Dr. D. Usher, DM Radiology (UWI)", "Dr. P. Gonzalez, MD", "Dr. K. Sharma, MD, DMRD",
    "Dr. N. Ali, MBBS", "Dr. T. Williams, MBBS, DM (Rad)", "Dr. O. Perez, MD", "Dr. V. Narine, FRCR",
]
SIGN_FMT = [
    "{name}\nConsultant Radiologist", "Reported by: {name}", "{name}\nRadiologist", "Signed: {name}",
    "-- {name}, Consultant Radiologist", "Thank you for the referral.\n{name}", "{name}",
]
HISTORIES_NORMAL = [
    "Pre-employment medical.", "Pre-op assessment, for elective hernia repair.", "Cough x 2/52. ?LRTI.",
    "Chest pain, atypical. Known HTN.", "Visa medical.", "TB contact, asymptomatic. Sputum AFB pending.",
    "Fever and cough x 1/52.", "RTA - driver, seat belted. Chest wall pain.", "Routine check, DM and HTN.",
    "SOB on exertion. ?cardiac.", "Fall from bicycle, left chest pain.", "Asthmatic, wheeze.",
    "HIV+, on ART, cough x 3/52. ?PTB.", "Work permit medical (Belize).", "Productive cough, smoker.",
    "Pre-op, for cholecystectomy.", "Chop wound to back, ?haemothorax.", "Food handler's medical.",
    "Weight loss and night sweats, ?PTB.", "Haemoptysis x 2 days.", "Stab wound right chest.",
    "Post-partum, SOB.", "Known sickle cell, chest pain, ?acute chest syndrome.", "Fever, ?dengue, SOB.",
]
COMPARISONS = [
    "None.", "No previous films available.", "Nil.", "None available for comparison.",
    "Previous CXR of 14/03/2025.", "Prior film of 02/11/2024.", "Old films not available.", "",
]
TECHNIQUES = [
    "PA erect view. Adequate inspiration and penetration.", "Single PA view. Satisfactory exposure.",
    "PA and lateral views.", "AP portable film; heart size not accurately assessed on AP projection.",
    "PA view, slightly rotated.", "",
]
LAYOUTS = [
    {"exam": "EXAMINATION", "hist": "CLINICAL HISTORY", "cmp": "COMPARISON", "tech": "TECHNIQUE",
     "find": "FINDINGS", "imp": "IMPRESSION", "caps": True},
    {"exam": "Exam", "hist": "Clinical details", "cmp": "Previous", "tech": None, "find": "Report",
     "imp": "Conclusion", "caps": False},
    {"exam": "EXAM", "hist": "INDICATION", "cmp": "COMPARISON", "tech": None, "find": "FINDINGS",
     "imp": "OPINION", "caps": True},
    {"exam": None, "hist": "HISTORY", "cmp": None, "tech": "VIEW", "find": "REPORT", "imp": "COMMENT",
     "caps": True},
    {"exam": "Examination", "hist": "Clinical information", "cmp": "Comparison", "tech": "Technique",
     "find": "Findings", "imp": "Impression", "caps": False},
    {"exam": "PROCEDURE", "hist": "CLINICAL INDICATION", "cmp": "COMPARISON", "tech": None,
     "find": "FINDINGS", "imp": "CONCLUSION", "caps": True},
]


def render(rng: random.Random, c: dict) -> str:
    """c: exam, hist, cmp, tech, findings (list|None), impression (list|None), plus layout choices."""
    lay = c["layout"]
    out = []
    if c.get("hospital"):
        out.append(c["hospital"])
    if lay["exam"] and c.get("exam"):
        out.append(f"{lay['exam']}: {c['exam']}")
    elif c.get("exam"):
        out.append(c["exam"])
    if c.get("hist"):
        out.append(f"{lay['hist']}: {c['hist']}")
    if lay["cmp"] and c.get("cmp"):
        out.append(f"{lay['cmp']}: {c['cmp']}")
    if lay["tech"] and c.get("tech"):
        out.append(f"{lay['tech']}: {c['tech']}")
    head = "\n".join(out)
    body = []
    fstyle = c.get("fstyle", "para")
    if c["findings"] is not None:
        fl = c["findings"]
        if not fl:
            body.append(f"{lay['find']}:")
        elif fstyle == "lines":
            body.append(f"{lay['find']}:\n" + "\n".join(fl))
        elif fstyle == "bullets":
            body.append(f"{lay['find']}:\n" + "\n".join("- " + s for s in fl))
        else:
            body.append(f"{lay['find']}:\n" + " ".join(fl))
    if c["impression"] is not None:
        il = c["impression"]
        if not il:
            body.append(f"{lay['imp']}:")
        elif len(il) == 1:
            body.append(f"{lay['imp']}:\n{il[0]}")
        else:
            body.append(f"{lay['imp']}:\n" + "\n".join(f"{k + 1}. {s}" for k, s in enumerate(il)))
    text = head + "\n\n" + "\n\n".join(body)
    if c.get("sign"):
        text += "\n\n" + c["sign"]
    return text.strip()


def frame(rng: random.Random, hist: str | None = None, cmp: str | None = None) -> dict:
    lay = rng.choice(LAYOUTS)
    exam = rng.choice(EXAMS)
    tech = rng.choice(TECHNIQUES)
    if "AP" in exam and "PA" not in exam:
        tech = rng.choice(["AP portable film.", "AP supine film; heart size not assessable.", ""])
    elif "LAT" in exam.upper():
        tech = rng.choice(["PA and lateral views.", "PA erect and left lateral views.", ""])
    elif "AP" in tech or "lateral" in tech:
        tech = "PA erect view."
    return {
        "layout": lay, "hospital": rng.choice(HOSPITALS), "exam": exam,
        "hist": hist if hist is not None else rng.choice(HISTORIES_NORMAL),
        "cmp": cmp if cmp is not None else rng.choice(COMPARISONS), "tech": tech,
        "fstyle": rng.choice(["para", "para", "lines", "bullets"]),
        "sign": rng.choice(SIGN_FMT).format(name=rng.choice(SIGNERS)) if rng.random() < 0.85 else "",
    }


# ----------------------------------------------------------------------------------------------
# Phrase bank
# ----------------------------------------------------------------------------------------------

NORMAL_SLOTS = {
    "lungs": ["Both lung fields are clear.", "The lungs are clear. No focal consolidation.",
              "No active lung parenchymal lesion is seen.", "Lung fields are clear bilaterally.",
              "Normal lung markings. No focal opacity.", "Both lungs are well expanded and clear."],
    "pleura": ["Both costophrenic angles are clear.", "No pleural effusion or pneumothorax.",
               "CP angles are sharp bilaterally.", "No pleural collection seen. No pneumothorax."],
    "heart": ["Heart size is within normal limits (CTR 0.45).", "Cardiac silhouette is normal in size and outline.",
              "The heart is not enlarged.", "Heart size normal, CTR less than 0.5.", "Normal cardiac size and shape."],
    "med": ["Mediastinum is central and not widened.", "Trachea is central. Hila are normal.",
            "Normal mediastinal contour. Both hila are normal in size and density.", "Trachea central, hila normal."],
    "dia": ["Both hemidiaphragms are well outlined.", "Domes of diaphragm are normal in position and contour.",
            "Diaphragmatic outlines are smooth.", ""],
    "bones": ["Bony thorax is intact.", "No bony abnormality seen.", "Visualised bones and soft tissues are normal.",
              "No rib fracture identified.", ""],
}
NORMAL_IMPS = [
    "Normal chest X-ray.", "No active cardiopulmonary disease.", "No significant abnormality detected.",
    "Normal study.", "No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
    "Essentially normal chest.", "No radiological evidence of active lung disease.", "NAD.",
    "Chest X-ray within normal limits.",
]
ZONES = ["upper", "mid", "lower"]

# significant findings: slot replaced, findings templates, impression templates
SIG = {
    "consolidation": {"slot": "lungs", "sided": True, "hist": ["Fever and productive cough x 5/7.", "?Pneumonia.",
                                                               "Cough, fever, crepitations {side} base."],
                      "f": ["There is patchy consolidation in the {side} {zone} zone with air bronchograms.",
                            "Ill-defined airspace opacity is seen in the {side} {zone} zone.",
                            "Homogeneous opacity in the {side} {zone} zone consistent with consolidation.",
                            "Patchy inhomogeneous shadowing noted in the {side} {zone} zone."],
                      "i": ["{Side} {zone} zone consolidation, likely pneumonia.",
                            "{Side} {zone} zone pneumonia. Suggest follow-up film after treatment.",
                            "Features in keeping with {side} {zone} zone consolidation/infection.",
                            "{Side} {zone} zone airspace disease - infective process."],
                      "assert": ["{Side} {zone} zone pneumonia.", "Consolidation {side} {zone} zone."],
                      "negi": ["No consolidation.", "Lungs are clear."]},
    "effusion": {"slot": "pleura", "sided": True,
        "hist": ["SOB, reduced air entry {side} base.", "Dyspnoea, ?effusion."],
                 "f": ["Moderate {side} pleural effusion obliterating the costophrenic angle, with a meniscus.",
                       "Large {side} pleural effusion with opacification of the {side} lower and mid zones.",
                       "There is a moderate sized {side} pleural effusion."],
                 "i": ["Moderate {side} pleural effusion.", "{Side} pleural effusion - ?cause. Suggest ultrasound.",
                       "Large {side} pleural effusion; diagnostic tap advised."],
                 "assert": ["{Side} pleural effusion.", "Moderate {side} pleural effusion."],
                 "negi": ["No pleural effusion.", "CP angles clear."]},
    "pneumothorax": {"slot": "pleura", "sided": True,
                     "hist": ["Stab wound {side} chest.", "Sudden onset SOB, tall thin male.",
                              "Chop wound, ?pneumothorax."],
                     "f": ["There is a {side} pneumothorax with the lung edge seen in the {side} upper zone. "
                           "No mediastinal shift.",
                           "{Side} sided pneumothorax, approximately 2 cm rim at the level of the hilum.",
                           "A visceral pleural line is seen in the {side} apex with absent lung markings lateral to "
                           "it, in keeping with pneumothorax."],
                     "i": ["{Side} pneumothorax. A&E informed.", "{Side} sided pneumothorax - clinical team notified.",
                           "Moderate {side} pneumothorax."],
                     "assert": ["{Side} pneumothorax.", "Small {side} apical pneumothorax."],
                     "negi": ["No pneumothorax.", "No pneumothorax seen."]},
    "oedema": {"slot": "lungs", "sided": False, "hist": ["SOB, orthopnoea, known CCF.", "CKD on dialysis, SOB.",
                                                        "Bilateral pedal oedema, SOB."],
               "f": ["There is upper lobe diversion with bilateral perihilar haziness and Kerley B lines, in keeping "
                     "with pulmonary oedema.",
                     "Bilateral perihilar bat-wing opacities with prominent upper lobe vessels.",
                     "Pulmonary venous congestion with interstitial oedema; septal lines at both bases."],
               "i": ["Pulmonary oedema.", "Features of congestive cardiac failure with interstitial oedema.",
                     "Pulmonary venous congestion / interstitial oedema."],
               "assert": ["Pulmonary oedema.", "Features of left ventricular failure with pulmonary oedema."],
               "negi": ["No pulmonary oedema.", "No features of cardiac failure."]},
    "mass": {"slot": "lungs", "sided": True,
        "hist": ["Weight loss, haemoptysis, smoker.", "Chronic cough, 60 yr smoker."],
             "f": ["A well defined rounded opacity measuring about {cm} cm is seen in the {side} {zone} zone.",
                   "There is a {cm} cm mass lesion in the {side} {zone} zone with lobulated margins.",
                   "Solitary pulmonary nodule of {mm} mm noted in the {side} {zone} zone."],
             "i": ["{Side} {zone} zone mass lesion. CT chest recommended.",
                   "{Side} {zone} zone SPN - CT thorax advised to characterise.",
                   "Suspicious {side} {zone} zone lesion; neoplasm to be excluded."],
             "assert": ["{Side} {zone} zone mass.", "{Side} {zone} zone nodule; CT advised."],
             "negi": ["No mass lesion.", "No lung nodule or mass."]},
    "free air": {"slot": "dia", "sided": False, "hist": ["Acute abdomen, ?perforated DU.", "Severe epigastric pain, "
                                                        "guarding. Erect CXR."],
                 "f": ["Free gas is seen under the right hemidiaphragm.",
                       "There is a crescent of free intraperitoneal air beneath both hemidiaphragms."],
                 "i": ["Pneumoperitoneum - ?perforated viscus. Surgical team informed.",
                       "Free air under the diaphragm, in keeping with hollow viscus perforation."],
                 "assert": ["Free gas under the diaphragm.", "Pneumoperitoneum."],
                 "negi": ["No free air under the diaphragm.", "No pneumoperitoneum."]},
    "mediastinum": {"slot": "med", "sided": False,
        "hist": ["RTA, high speed, chest pain.", "Fall from height, chest trauma."],
                    "f": ["The superior mediastinum appears widened, measuring about 9 cm at the level of the aortic "
                          "knuckle.", "Widening of the mediastinum with loss of the aortic knuckle outline."],
                    "i": ["Widened mediastinum - ?aortic injury. CT angiogram recommended urgently.",
                          "Mediastinal widening; suggest urgent CT."],
                    "assert": ["Widened mediastinum.", "Mediastinal widening."],
                    "negi": ["Mediastinum is not widened.", "Normal mediastinum."]},
    "tb": {"slot": "lungs", "sided": True, "hist": ["?PTB, cough x 6/52, weight loss.", "TB programme referral.",
                                                   "Sputum AFB positive."],
           "f": ["Fibro-nodular opacities are seen in the {side} upper zone with a small cavity.",
                 "Patchy infiltrates with cavitation in the {side} upper zone."],
           "i": ["{Side} upper zone cavitating lesion - features suggestive of active pulmonary TB.",
                 "Findings compatible with {side} upper zone pulmonary tuberculosis, ?active. Correlate with sputum."],
           "assert": [], "negi": []},
    "collapse": {"slot": "lungs", "sided": True, "hist": ["Post-op day 2, SOB, desaturating."],
                 "f": ["Triangular opacity behind the heart with loss of the {side} hemidiaphragm outline - "
                       "{side} lower lobe collapse."],
                 "i": ["{Side} lower lobe collapse."], "assert": [], "negi": []},
    "rib fracture": {"slot": "bones", "sided": True,
        "hist": ["RTA, {side} chest wall tenderness.", "Assault, chest pain."],
                     "f": ["Fractures of the {side} 5th, 6th and 7th ribs posterolaterally.",
                           "Displaced fracture of the {side} 8th rib laterally."],
                     "i": ["{Side} rib fractures. No pneumothorax.", "Fractured {side} ribs, no underlying "
                                                                     "pneumothorax or haemothorax."],
                     "assert": [], "negi": []},
}
# findings a radiologist may leave out of the impression without error
MINOR = {
    "granuloma": {"slot": None, "f": ["A small calcified granuloma is seen in the {side} mid zone.",
                                      "Calcified focus in the {side} {zone} zone - old granuloma."]},
    "spine": {"slot": None, "f": ["Degenerative changes of the thoracic spine.", "Mild thoracic spondylosis."]},
    "aorta": {"slot": None, "f": ["Unfolded aorta with calcification of the aortic knuckle.",
                                  "Aortic knuckle is calcified."]},
    "mild cardiomegaly": {"slot": "heart", "f": ["Mild cardiomegaly, CTR 0.53.", "Heart borderline in size.",
                                                "Heart is mildly enlarged."]},
    "small effusion": {"slot": "pleura", "f": ["Minimal blunting of the {side} costophrenic angle - trace effusion "
                                               "or pleural thickening.", "Small {side} pleural effusion."]},
    "old fracture": {"slot": None, "f": ["Old healed fracture of the {side} clavicle.",
                                         "Old healed {side} rib fractures."]},
    "fibrosis": {"slot": None, "f": ["Fibrotic strands in the {side} upper zone - old healed TB.",
                                     "Apical pleural thickening on the {side}."]},
}
CARDIO = {"f": ["The heart is enlarged, CTR 0.62.", "Cardiomegaly (CTR 0.6) with a globular cardiac outline.",
                "Moderate cardiomegaly, CTR 0.58."],
          "i": ["Cardiomegaly.", "Cardiomegaly - correlate with echo.", "Cardiomegaly, ?cardiomyopathy."]}


def fill(t: str, side: str, zone: str, rng: random.Random) -> str:
    return t.format(side=side, Side=side.capitalize(), zone=zone, cm=rng.choice(["2.5", "3", "4", "4.5", "5"]),
                    mm=rng.choice(["8", "10", "12", "15", "18"]))


def normal_findings(rng: random.Random, skip: set[str] = frozenset()) -> dict[str, str]:
    return {k: ("" if k in skip else rng.choice(v)) for k, v in NORMAL_SLOTS.items()}


def ordered(slots: dict[str, str], extra_before: dict[str, str] | None = None) -> list[str]:
    order = ["lungs", "pleura", "heart", "med", "dia", "bones"]
    out = []
    for k in order:
        if extra_before and k in extra_before:
            out.append(extra_before[k])
        if slots.get(k):
            out.append(slots[k])
    return out


def compose(rng: random.Random, want_sig: str | None, n_minor: int, sided_only: bool = False) -> dict:
    """Compose a consistent (clean) report as structured parts. Returns dict with frame plus meta."""
    side = rng.choice(["right", "left"])
    zone = rng.choice(ZONES)
    meta = {"side": side, "zone": zone, "sig": want_sig, "minors": []}
    slots = normal_findings(rng)
    add: dict[str, str] = {}
    imp: list[str] = []
    hist = None
    if want_sig:
        s = SIG[want_sig]
        if want_sig == "tb":
            zone = "upper"
        if want_sig == "free air":
            slots["dia"] = ""
        slots[s["slot"]] = ""
        ftxt = fill(rng.choice(s["f"]), side, zone, rng)
        add[s["slot"]] = ftxt
        itxt = fill(rng.choice(s["i"]), side, zone, rng)
        imp.append(itxt)
        meta.update(ftxt=ftxt, itxt=itxt, zone=zone)
        hist = fill(rng.choice(s["hist"]), side, zone, rng)
        if want_sig == "pneumothorax":
            slots["pleura"] = ""
        if want_sig == "effusion":
            slots["pleura"] = "No pneumothorax."
    minors = [m for m in MINOR if not MINOR[m]["slot"] or (MINOR[m]["slot"] not in add and slots.get(MINOR[m]["slot"]))]
    rng.shuffle(minors)
    for m in minors[:n_minor]:
        if sided_only and ("{side}" in " ".join(MINOR[m]["f"])):
            continue
        mside = side if rng.random() < 0.5 else rng.choice(["right", "left"])
        txt = fill(rng.choice(MINOR[m]["f"]), mside, rng.choice(ZONES), rng)
        meta["minors"].append(m)
        slot = MINOR[m]["slot"]
        if slot:
            slots[slot] = ""
            add[slot] = txt
        else:
            if m in ("spine", "old fracture"):
                keep = "" if "fracture" in slots["bones"] else slots["bones"]
                slots["bones"] = (keep + " " + txt).strip()
            if m not in ("spine", "old fracture"):
                add.setdefault("dia", "")
                add["dia"] = (add["dia"] + " " + txt).strip()
        if rng.random() < 0.35:
            mi = {"granuloma": "Old granulomatous disease.", "spine": "Thoracic spondylosis.",
                  "aorta": "Unfolded, calcified aorta.", "mild cardiomegaly": "Mild cardiomegaly.",
                  "small effusion": "Small {side} pleural effusion / thickening.",
                  "old fracture": "Old healed fracture.", "fibrosis": "Old fibrotic changes {side} upper zone."}[m]
            imp.append(mi.format(side=mside))
    findings = ordered(slots, add)
    findings = [f for f in findings if f]
    if not imp:
        imp = [rng.choice(NORMAL_IMPS)]
    elif not want_sig and rng.random() < 0.6:
        imp.insert(0, rng.choice(["No active lung disease.", "No acute cardiopulmonary abnormality.",
                                  "No consolidation or effusion."]))
    c = frame(rng, hist=hist)
    c["findings"] = findings
    c["impression"] = imp
    c["meta"] = meta
    return c


def flip(text: str) -> str:
    return re.sub(r"\b(right|left|Right|Left|RIGHT|LEFT)\b",
                  lambda m: {"right": "left", "left": "right", "Right": "Left", "Left": "Right",
                             "RIGHT": "LEFT", "LEFT": "RIGHT"}[m.group(0)], text)


SIDED_SIG = ["consolidation", "effusion", "pneumothorax", "mass", "tb", "collapse", "rib fracture"]
OMIT_SIG = ["consolidation", "effusion", "pneumothorax", "oedema", "mass", "free air", "mediastinum"]
PLACEHOLDERS = ["[ ]", "[***]", "***", "[...]", "<>", "[  ]", "{ }", "<<>>", "[insert]", "[?]"]

# ----------------------------------------------------------------------------------------------
# Composed cases
# ----------------------------------------------------------------------------------------------


def comp_clean(rng: random.Random, k: int) -> tuple[dict, str]:
    r = rng.random()
    if r < 0.55:
        c = compose(rng, None, rng.choice([0, 0, 0, 1]))
        return c, "composed normal"
    if r < 0.70:
        c = compose(rng, None, rng.choice([1, 2]))
        return c, "composed, minor/incidental findings only"
    if r < 0.95:
        sig = rng.choice(OMIT_SIG + ["tb", "tb", "rib fracture", "collapse"])
        c = compose(rng, sig, rng.choice([0, 0, 1]))
        if rng.random() < 0.2 and "mild cardiomegaly" not in c["meta"]["minors"]:
            c["findings"].insert(1, rng.choice(CARDIO["f"]))
            c["findings"] = [f for f in c["findings"] if f not in NORMAL_SLOTS["heart"]]
            c["impression"].append(rng.choice(CARDIO["i"]))
        return c, f"composed, {sig} reported in both sections"
    # impression-only report whose impression describes the image
    c = frame(rng)
    c["findings"] = None
    c["impression"] = [rng.choice([
        "Normal chest X-ray: heart size normal, lungs clear, no effusion or pneumothorax.",
        "Heart and lungs normal. Costophrenic angles clear. Bony thorax intact.",
        "Normal PA chest. The lungs are clear and the heart is not enlarged. No pleural effusion.",
    ])]
    c["meta"] = {}
    return c, "composed impression-only report that itself describes the film"


def comp_missing(rng: random.Random, k: int) -> tuple[dict, str]:
    sig = rng.choice([None, None] + OMIT_SIG + ["tb"])
    c = compose(rng, sig, rng.choice([0, 1]))
    mode = k % 5
    if mode == 0:
        c["impression"] = []
        return c, "impression section left empty (header only)"
    if mode == 1:
        c["impression"] = None
        return c, "impression/conclusion section absent; findings only"
    if mode == 2:
        c["findings"] = []
        c["impression"] = [rng.choice(["Please correlate clinically.", "Clinical correlation advised.",
                                       "Discussed with the A&E doctor on duty.", "Follow up as clinically indicated.",
                                       "See above."])]
        return c, "findings left empty; impression does not describe the film"
    if mode == 3:
        c["findings"] = None
        c["impression"] = [rng.choice(["Kindly correlate with sputum AFB.", "Suggest repeat film in 6/52.",
                                       "Compare with previous films when available.", "For clinical review."])]
        return c, "findings absent; impression is only a recommendation"
    c["impression"] = [""]
    c["sign"] = c["sign"] or "Reported by: " + rng.choice(SIGNERS)
    return c, "conclusion header with no text before sign-off"


def comp_laterality(rng: random.Random, k: int) -> tuple[dict, str]:
    sig = SIDED_SIG[k % len(SIDED_SIG)]
    c = compose(rng, sig, rng.choice([0, 1]), sided_only=True)
    m = c["meta"]
    if k % 3 == 0:
        idx = c["findings"].index(m["ftxt"])
        c["findings"][idx] = flip(m["ftxt"])
        return c, f"side of {sig} flipped in findings ({m['side']} -> {flip(m['side'])}); impression keeps {m['side']}"
    idx = c["impression"].index(m["itxt"])
    c["impression"][idx] = flip(m["itxt"])
    return c, f"side of {sig} flipped in impression ({m['side']} -> {flip(m['side'])})"


def comp_negation(rng: random.Random, k: int) -> tuple[dict, str]:
    mode = k % 5
    side, zone = rng.choice(["right", "left"]), rng.choice(ZONES)
    if mode in (0, 1):
        # findings normal (negates by meaning or explicitly), impression asserts
        sig = rng.choice(["consolidation", "effusion", "pneumothorax", "oedema", "mass"])
        c = compose(rng, None, 0)
        c["hist"] = fill(rng.choice(SIG[sig]["hist"]), side, zone, rng)
        a = fill(rng.choice(SIG[sig]["assert"]), side, zone, rng)
        if sig in ("pneumothorax", "effusion"):
            c["findings"] = [f for f in c["findings"] if f not in NORMAL_SLOTS["pleura"]]
            c["findings"].insert(1, rng.choice(["No pleural effusion or pneumothorax.", "No pneumothorax or effusion.",
                                                "Both pleural spaces are clear; no pneumothorax."]))
        c["impression"] = [a]
        return c, f"findings normal (lungs/pleura clear) but impression asserts {sig}: '{a}'"
    if mode == 2:
        c = compose(rng, None, 0)
        c["findings"] = [f for f in c["findings"] if f not in NORMAL_SLOTS["heart"]]
        c["findings"].insert(2, rng.choice(["Heart size is normal (CTR 0.46).", "The heart is not enlarged."]))
        c["impression"] = [rng.choice(CARDIO["i"])]
        return c, "findings say heart size normal; impression says cardiomegaly"
    if mode == 3:
        sig = rng.choice(["consolidation", "effusion", "pneumothorax", "oedema", "mass", "free air"])
        c = compose(rng, sig, 0)
        neg = rng.choice(SIG[sig]["negi"])
        c["impression"] = [neg, rng.choice(["Otherwise normal chest.", "No other abnormality."])]
        return c, f"findings affirm {sig}; impression negates it: '{neg}'"
    # normal macro left in findings alongside a pasted finding (two sentences of findings conflict)
    sig = rng.choice(["consolidation", "effusion", "pneumothorax"])
    c = compose(rng, sig, 0)
    macro = {"consolidation": "Both lung fields are clear.", "effusion": "Both costophrenic angles are clear.",
             "pneumothorax": "No pneumothorax."}[sig]
    c["findings"].insert(0, macro)
    return c, f"normal macro '{macro}' left in findings that also affirm {sig} (impression reports it)"


def comp_omits(rng: random.Random, k: int) -> tuple[dict, str]:
    sig = OMIT_SIG[k % len(OMIT_SIG)]
    c = compose(rng, sig, rng.choice([0, 1, 1]))
    m = c["meta"]
    if m["minors"] and rng.random() < 0.5 and len(c["impression"]) > 1:
        c["impression"] = [x for x in c["impression"] if x != m["itxt"]]
        return c, f"impression lists only the incidental finding; {sig} in findings is omitted"
    c["impression"] = [rng.choice(NORMAL_IMPS)]
    return c, f"normal macro pasted over impression; findings affirm {sig}"


def comp_placeholder(rng: random.Random, k: int) -> tuple[dict, str]:
    tok = PLACEHOLDERS[k % len(PLACEHOLDERS)]
    mode = k % 4
    if mode == 0:
        c = compose(rng, rng.choice(SIDED_SIG[:4]), 0)
        m = c["meta"]
        idx = c["findings"].index(m["ftxt"])
        new = re.sub(r"\b" + m["side"] + r"\b", tok, m["ftxt"], count=1, flags=re.I)
        c["findings"][idx] = new
        return c, f"side in findings left as template field {tok}"
    if mode == 1:
        c = compose(rng, None, 0)
        c["findings"] = [f for f in c["findings"] if f not in NORMAL_SLOTS["heart"]]
        c["findings"].insert(2, f"Heart size within normal limits, CTR {tok}.")
        return c, f"CTR value left as template field {tok}"
    if mode == 2:
        c = compose(rng, "mass", 0)
        m = c["meta"]
        idx = c["findings"].index(m["ftxt"])
        new = re.sub(r"\b\d+(\.\d+)? (cm|mm)\b", f"{tok} mm", m["ftxt"])
        if new == m["ftxt"]:
            new = m["ftxt"].rstrip(".") + f", measuring {tok} mm."
        c["findings"][idx] = new
        return c, f"nodule/mass size left as template field {tok}"
    c = compose(rng, None, rng.choice([0, 1]))
    if rng.random() < 0.5:
        c["cmp"] = f"Previous film dated {tok}."
        c["layout"] = dict(c["layout"], cmp=c["layout"]["cmp"] or "COMPARISON")
        return c, f"comparison date left as template field {tok}"
    c["impression"] = [c["impression"][0].rstrip(".") + f". {tok}"] + c["impression"][1:]
    return c, f"unfilled template field {tok} left at the end of the impression"


# ----------------------------------------------------------------------------------------------
# IU-based cases
# ----------------------------------------------------------------------------------------------


def iu_frame(rng: random.Random, r: dict) -> dict:
    hist = reword(r["indication"]) if r["indication"] else rng.choice(HISTORIES_NORMAL)
    cmp = reword(r["comparison"]) if r["comparison"] else ""
    c = frame(rng, hist=hist, cmp=cmp)
    c["findings"] = [reword(s) for s in sentences(r["findings"])]
    imp = reword(r["impression"])
    items = [x.strip() for x in re.split(r"(?:^|\s)\d\.\s+", imp) if x.strip()]
    c["impression"] = items or [imp]
    c["uid"] = r["uid"]
    return c


def iu_pools(rng: random.Random) -> dict[str, list[dict]]:
    allr = list(iu_reports())
    rng.shuffle(allr)
    pools: dict[str, list[dict]] = {"normal": [], "abn_clean": [], "lat": [], "omit": []}
    for r in allr:
        f, i = r["findings"], r["impression"]
        if iu_is_normal(r):
            pools["normal"].append(r)
            continue
        fs, is_ = sig_affirmed(f), sig_affirmed(i)
        if not NORMAL_IMP.search(i) and fs <= is_:
            pools["abn_clean"].append(r)
        strong_f = sig_affirmed(f, strict=True)
        if strong_f and strong_f <= is_ and not NORMAL_IMP.search(i):
            pools["omit"].append(r)
        iw = re.findall(r"\b(right|left)\b", i, re.I)
        fw = re.findall(r"\b(right|left)\b", f, re.I)
        if (len(iw) == 1 and not re.search(r"bilateral|both", i, re.I) and fw
                and {w.lower() for w in fw} == {iw[0].lower()} and not NORMAL_IMP.search(i)
                and not re.search(r"ventric|atri|catheter|pacer|pacemaker|\bport\b|\btip\b|\btube\b|"
                                  r"picc|jugular|subclavian|breast|mastectomy", f + " " + i, re.I)):
            pools["lat"].append(r)
    return pools


def take(pool: list[dict], used: set[str]) -> dict:
    for r in pool:
        if r["uid"] not in used:
            used.add(r["uid"])
            return r
    raise RuntimeError("IU pool exhausted")


def iu_clean(rng: random.Random, pools: dict, used: set[str], k: int) -> tuple[dict, str]:
    if k % 4 == 3:
        r = take(pools["abn_clean"], used)
        return iu_frame(rng, r), f"IU {r['uid']} unmodified (abnormal, reported in impression), re-laid-out"
    r = take(pools["normal"], used)
    return iu_frame(rng, r), f"IU {r['uid']} unmodified (normal), re-laid-out"


def iu_missing(rng: random.Random, pools: dict, used: set[str], k: int) -> tuple[dict, str]:
    r = take(pools["normal"] if k % 2 else pools["abn_clean"], used)
    c = iu_frame(rng, r)
    if k % 3 == 0:
        c["impression"] = None
        return c, f"IU {r['uid']}: impression section removed"
    c["impression"] = []
    return c, f"IU {r['uid']}: impression emptied (header left)"


_STOP = {"right", "left", "there", "which", "within", "these", "again", "noted", "appears", "likely",
         "present", "compatible", "consistent", "represent", "representing", "given", "could", "would"}


def _content(s: str) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", s)} - _STOP
    return {w[:6] for w in words}


def iu_laterality(rng: random.Random, pools: dict, used: set[str], k: int) -> tuple[dict, str]:
    side_rx = r"\b(right|left)\b"
    for _ in range(200):
        r = take(pools["lat"], used)
        c = iu_frame(rng, r)
        ji = [j for j, s in enumerate(c["impression"]) if re.search(side_rx, s, re.I)]
        jf = [j for j, s in enumerate(c["findings"]) if re.search(side_rx, s, re.I)]
        if len(ji) != 1 or not jf:
            continue
        isent = c["impression"][ji[0]]
        best = max(jf, key=lambda j: len(_content(c["findings"][j]) & _content(isent)))
        if not _content(c["findings"][best]) & _content(isent):
            continue
        if k % 2 == 0:
            c["impression"][ji[0]] = flip(isent)
            return c, f"IU {r['uid']}: side flipped in impression: '{c['impression'][ji[0]]}'"
        if len(jf) > 1 and any(j != best and _content(c["findings"][j]) & _content(isent) for j in jf):
            continue
        c["findings"][best] = flip(c["findings"][best])
        return c, f"IU {r['uid']}: side flipped in findings: '{c['findings'][best]}'"
    raise RuntimeError("no laterality candidate")


NEG_SWAP = [
    (r"pleural effusion|effusion", "effusion", ["Small {side} pleural effusion.", "{Side} pleural effusion."]),
    (r"pneumothora", "pneumothorax", ["{Side} apical pneumothorax.", "Small {side} pneumothorax."]),
    (r"consolidation|airspace disease|lungs are clear|focal (airspace|opacit|infiltrat)", "consolidation",
     ["{Side} lower zone consolidation, ?pneumonia.", "{Side} basal pneumonia."]),
    (r"heart size|cardiac silhouette|heart is normal|cardiomediastinal", "cardiomegaly",
     ["Cardiomegaly.", "Cardiomegaly, CTR 0.6."]),
    (r"edema|oedema", "oedema", ["Pulmonary oedema.", "Interstitial pulmonary oedema."]),
]


def iu_negation(rng: random.Random, pools: dict, used: set[str], k: int) -> tuple[dict, str]:
    side = rng.choice(["right", "left"])
    for _ in range(50):
        r = take(pools["normal"], used)
        c = iu_frame(rng, r)
        order = NEG_SWAP[k % len(NEG_SWAP):] + NEG_SWAP[:k % len(NEG_SWAP)]
        for rx, name, asserts in order:
            hit = [s for s in c["findings"] if re.search(rx, s, re.I) and (
                _NEG.search(s) or (name == "cardiomegaly" and re.search(r"normal|within normal", s, re.I)))]
            if name == "cardiomegaly":
                hit = [s for s in hit if re.search(r"normal", s, re.I) and not re.search(r"enlarg", s, re.I)]
            if hit:
                a = fill(rng.choice(asserts), side, "lower", rng)
                c["impression"] = [a]
                return c, f"IU {r['uid']}: findings negate {name} ('{hit[0]}') but impression replaced by '{a}'"
        used.discard(r["uid"])
        pools["normal"].remove(r)
        pools["normal"].append(r)
    raise RuntimeError("no negation candidate")


def iu_omits(rng: random.Random, pools: dict, used: set[str], k: int) -> tuple[dict, str]:
    if k % 2 == 0 and any(r["uid"] not in used for r in pools["omit"]):
        r = take(pools["omit"], used)
        c = iu_frame(rng, r)
        old = " ".join(c["impression"])
        c["impression"] = [rng.choice(NORMAL_IMPS)]
        return c, f"IU {r['uid']}: impression '{old[:80]}' replaced by normal statement; findings affirm " \
                  f"{', '.join(sorted(sig_affirmed(r['findings'], strict=True)))}"
    # normal IU report: a negated sentence in findings turned into an affirmed significant finding
    r = take(pools["normal"], used)
    c = iu_frame(rng, r)
    side = rng.choice(["right", "left"])
    new = rng.choice([
        f"There is a moderate {side} pleural effusion.", f"There is a {side} pneumothorax with visible lung edge.",
        f"There is focal consolidation in the {side} lower zone.", f"There is a {rng.choice(['2', '3'])} cm mass in "
                                                                   f"the {side} mid zone.",
        "There is free air under the right hemidiaphragm."])
    j = None
    for idx, s in enumerate(c["findings"]):
        if ("effusion" in new and re.search("effusion", s, re.I)) or (
                "pneumothorax" in new and re.search("pneumothora", s, re.I)) or (
                "consolidation" in new and re.search("consolidat|focal", s, re.I)):
            j = idx
            break
    if j is None:
        c["findings"].insert(min(1, len(c["findings"])), new)
        if "consolidation" in new or "mass" in new:
            c["findings"] = [s for s in c["findings"] if not re.search(r"lungs? (are|is) clear|clear lungs", s, re.I)]
    else:
        c["findings"][j] = new
    # the sentence must not be contradicted by a remaining normal sentence
    kw = {"effusion": "effusion", "pneumothorax": "pneumothora", "consolidation": "consolidat|lungs are clear|focal"}
    for key, rx in kw.items():
        if key in new:
            c["findings"] = [s for s in c["findings"] if s == new or not re.search(rx, s, re.I)]
    return c, f"IU {r['uid']}: findings now affirm '{new}', normal impression kept"


def iu_placeholder(rng: random.Random, pools: dict, used: set[str], k: int) -> tuple[dict, str]:
    r = take(pools["normal"] if k % 3 else pools["abn_clean"], used)
    c = iu_frame(rng, r)
    tok = PLACEHOLDERS[(k * 3) % len(PLACEHOLDERS)]
    targets = []
    for sec in ("findings", "impression"):
        for j, s in enumerate(c[sec]):
            for m in re.finditer(r"\b(right|left|normal|clear|mild|small|stable|acute|enlarged|\d+(?:\.\d+)?)\b", s):
                targets.append((sec, j, m.start(), m.end(), m.group(0)))
    if not targets:
        c["findings"][0] = c["findings"][0].rstrip(".") + f" {tok}."
        return c, f"IU {r['uid']}: template field {tok} left in findings"
    sec, j, a, b, word = rng.choice(targets)
    s = c[sec][j]
    c[sec][j] = s[:a] + tok + s[b:]
    return c, f"IU {r['uid']}: '{word}' in {sec} replaced by unfilled field {tok}"


# ----------------------------------------------------------------------------------------------


COMPOSERS = {
    None: (comp_clean, iu_clean), "missing_section": (comp_missing, iu_missing),
    "laterality_conflict": (comp_laterality, iu_laterality), "negation_conflict": (comp_negation, iu_negation),
    "impression_omits_finding": (comp_omits, iu_omits), "placeholder": (comp_placeholder, iu_placeholder),
}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h127-{seed}")
    pools = iu_pools(rng)
    used: set[str] = set()
    rows = []
    for kind in [None, *KINDS]:
        n = N_CLEAN if kind is None else N_KIND
        comp, iu = COMPOSERS[kind]
        for k in range(n):
            if k < n // 2:
                c, detail = comp(rng, k)
                src = "composed"
            else:
                c, detail = iu(rng, pools, used, k - n // 2)
                src = "iu"
            rows.append({"injected": kind, "detail": detail if kind else "", "report": render(rng, c),
                         "_src": src, "_uid": c.get("uid")})
    rng.shuffle(rows)
    out = []
    for n, row in enumerate(rows):
        out.append({"id": f"h127-{seed}-{n}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
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
        for kind in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
