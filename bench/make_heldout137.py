"""Held-out report-error set 137: Myanmar private and teaching hospitals (Yangon, Mandalay), written blind.

usage: python -m bench.make_heldout137 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each of the five kinds
of ../shared/eval/README.md. Half of every group is composed from a phrase bank in the style of chest X-ray
reports from Yangon and Mandalay (English, radiologists trained locally, in India and in Singapore: TB, pneumonia,
effusions, heart disease, pre-employment and overseas-employment films); the other half are real IU reports
(never a dev-set uid, each used once per set) re-laid out and lightly re-worded in that style.

Standard library only. MEDRAG_SHARED_DIR overrides the shared folder (default ../shared beside the repo root).
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
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


# ----------------------------------------------------------------------------------------------------------------
# shared data
# ----------------------------------------------------------------------------------------------------------------


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def _paths(base: Path):
    return base / "data" / "iu_reports" / "NLMCXR_reports.tgz", base / "eval" / "report_errors_dev.jsonl"


def data_available(base: Path | None = None) -> bool:
    tgz, dev = _paths(base or shared_dir())
    return tgz.is_file() and dev.is_file()


def _clean_text(t: str | None) -> str:
    t = re.sub(r"\s+", " ", t or "").strip()
    t = re.sub(r"\.(\s*\.)+", ".", t)  # the archive's ". ." and ".."
    return t


@functools.lru_cache(maxsize=4)
def load_iu(base: str) -> tuple[dict, ...]:
    tgz, dev = _paths(Path(base))
    dev_uids = set()
    with open(dev) as fh:
        for line in fh:
            if line.strip():
                dev_uids.add(json.loads(line)["uid"])
    out = []
    with tarfile.open(tgz) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            uid = uid_el.get("id")
            if uid in dev_uids:
                continue
            sec = {a.get("Label"): _clean_text(a.text) for a in root.iter("AbstractText")}
            out.append(
                {
                    "uid": uid,
                    "comparison": sec.get("COMPARISON", ""),
                    "indication": sec.get("INDICATION", ""),
                    "findings": sec.get("FINDINGS", ""),
                    "impression": sec.get("IMPRESSION", ""),
                }
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out), frozenset(dev_uids)


# ----------------------------------------------------------------------------------------------------------------
# a small, conservative reading of IU text (only to choose which real reports fit which case)
# ----------------------------------------------------------------------------------------------------------------

CONCEPT = {
    "effusion": re.compile(r"effusion", re.I),
    "pneumothorax": re.compile(r"pneumothora", re.I),
    "consolidation": re.compile(r"consolidat|air ?space|pneumonia|infiltrat", re.I),
    "edema": re.compile(r"edema|oedema|vascular congestion|venous congestion|interstitial prominence|chf|engorge|"
                        r"increased (lung|pulmonary) vascularity|vascular (prominence|engorgement)", re.I),
    "cardiomegaly": re.compile(r"cardiomegaly|enlarged heart|heart (size )?is enlarged|enlargement of the cardiac"
                               r"|cardiac enlargement|heart size is increased|silhouette is enlarged|heart is large",
                               re.I),
    "nodule": re.compile(r"nodul|mass\b|masses|granulom", re.I),
    "opacity": re.compile(r"opacit|density|densities", re.I),
    "atelectasis": re.compile(r"atelecta|collapse", re.I),
    "fracture": re.compile(r"fracture", re.I),
    "mediastinum": re.compile(r"mediastin(um|al) (is )?widen|widened mediastin|widening of the mediastin", re.I),
    "free_air": re.compile(r"free air|pneumoperitoneum|subdiaphragmatic air", re.I),
    "hyperinflation": re.compile(r"hyperinfla|hyperexpan|emphysema|copd", re.I),
}
SIGNIFICANT = {"effusion", "pneumothorax", "consolidation", "edema", "nodule", "mediastinum", "free_air"}
ABNORMAL = {"effusion", "pneumothorax", "consolidation", "edema", "cardiomegaly", "nodule", "opacity", "atelectasis",
            "mediastinum", "free_air"}
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|removed|absent|nor|excluded|"
                     r"interval clearing|cleared)\b", re.I)
HEDGE = re.compile(r"\b(may|might|possibl\w*|could|cannot|can not|questionable|question|suspicious|suggest\w*|"
                   r"concern\w*|versus|vs|likely|probabl\w*|differential|borderline|upper limits?|no definite|"
                   r"less likely|not excluded|subtle|minimal|trace|tiny|small)\b|\?", re.I)
MEANING_NEG = [
    (re.compile(r"lungs? (are |is )?(clear|normal|well expanded and clear)|clear lungs", re.I),
     {"consolidation", "edema", "opacity"}),
    (re.compile(r"(heart|cardiac) (size )?(is |are )?(normal|within normal limits)|normal (heart|cardiac) size|"
                r"heart size (is )?(normal|within normal)|cardiomediastinal silhouette (is |are )?(normal|within normal"
                r"|unremarkable|stable and normal)|normal cardiomediastinal|heart and mediastinum (are )?"
                r"(normal|unremarkable|within)|cardiac silhouette (is )?(normal|within normal)", re.I),
     {"cardiomegaly"}),
]
NORMAL_IMP = re.compile(r"no acute|no active|no evidence of active|no visible active|^clear lungs|"
                        r"normal chest|negative chest|no evidence of acute|no radiographic evidence"
                        r"|no significant|^normal\b|negative for acute|unremarkable chest|no (acute )?(cardiopulmonary"
                        r"|pulmonary) (disease|abnormality|process)", re.I)
SIDE = re.compile(r"\b(right|left)\b", re.I)


def split_sentences(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    if re.match(r"^\s*1[.)]\s", text):
        parts = re.split(r"(?:^|\s)\d{1,2}[.)]\s+", text)
    else:
        parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r",|;| but | however| and there is | and there are | with (?=[a-z]+ )", sentence) if c]


def sentence_polarity(sentence: str) -> dict:
    """concept -> set of 'aff' / 'neg' / 'hedge' found in the sentence."""
    out: dict[str, set] = {}
    for cl in clauses(sentence):
        neg_whole = NEG_CUE.match(cl.strip()) is not None
        for c, rx in CONCEPT.items():
            m = rx.search(cl)
            if not m:
                continue
            if neg_whole or NEG_CUE.search(cl[: m.start()]):
                pol = "neg"
            elif HEDGE.search(cl):
                pol = "hedge"
            else:
                pol = "aff"
            out.setdefault(c, set()).add(pol)
    for rx, cs in MEANING_NEG:
        if rx.search(sentence):
            for c in cs:
                out.setdefault(c, set()).add("neg")
    return out


def section_polarity(sents: list[str]) -> tuple[set, set, set]:
    aff, neg, hedge = set(), set(), set()
    for s in sents:
        for c, pols in sentence_polarity(s).items():
            if "aff" in pols:
                aff.add(c)
            if "neg" in pols:
                neg.add(c)
            if "hedge" in pols:
                hedge.add(c)
    return aff, neg, hedge


GROUP = {"consolidation": "parench", "opacity": "parench", "atelectasis": "parench", "edema": "parench"}


def groups_of(concepts) -> set:
    return {GROUP.get(c, c) for c in concepts}


def sides_of(s: str) -> set:
    return {m.lower() for m in SIDE.findall(s)}


def analyse(r: dict) -> dict | None:
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) < 40 or len(f) > 650 or len(i) > 330:
        return None
    text = f + " " + i
    if text.count("XXXX") > 2 or re.search(r"\[|\]|\*\*|<<|>>|__|\bXX\b", text):
        return None
    if re.search(r"\b(foot|hindfoot|knee|ankle|wrist|hand|pelvis|hip|abdomen)\b", text, re.I):
        return None  # a report of another body part mixed in
    fs, is_ = split_sentences(f), split_sentences(i)
    if not fs or not is_ or len(fs) > 9 or len(is_) > 4:
        return None
    fa, fn, fh = section_polarity(fs)
    ia, in_, ih = section_polarity(is_)
    # agreement between the sections
    if (fa & in_) or (ia & fn) or (fh & in_) or (ih & fn):
        return None
    # a normal impression only beside findings with nothing abnormal
    normal_imp = all(NORMAL_IMP.search(s) for s in is_)
    if normal_imp and (fa | fh) & ABNORMAL:
        return None
    if normal_imp and any(re.search(r"\b(enlarg\w*|large|upper limits?)\b", s, re.I) and not NEG_CUE.search(s)
                          for s in fs):
        return None
    # an enlarged heart in the findings is named in the impression
    if any(re.search(r"heart|cardiac", s, re.I) and re.search(r"\b(enlarg\w*|large)\b", s, re.I)
           and not NEG_CUE.search(s) for s in fs) and not re.search(r"cardiomegaly|heart|cardiac|enlarg", i, re.I):
        return None
    # every abnormal finding the findings name is in the impression, and the other way round
    if groups_of((fa | fh) & ABNORMAL - {"cardiomegaly"}) - groups_of(ia | ih):
        return None
    if groups_of((ia | ih) & ABNORMAL) - groups_of(fa | fh):
        return None
    # every significant affirmed finding is in the impression
    imp_concepts = set(ia) | set(ih)
    if (fa & SIGNIFICANT) - imp_concepts:
        return None
    if "cardiomegaly" in fa and "cardiomegaly" not in ia:
        return None
    # sides: every side the impression names is named in findings for the same thing
    f_sides = sides_of(f)
    for s in is_:
        ss = sides_of(s)
        if not ss:
            continue
        if not ss <= f_sides:
            return None
        cs = groups_of(sentence_polarity(s))
        for t in fs:
            ts = sides_of(t)
            if ts and cs & groups_of(sentence_polarity(t)) and len(ts) == 1 and len(ss) == 1 and ts != ss:
                return None
    return {"fs": fs, "is": is_, "fa": fa, "fn": fn, "fh": fh, "ia": ia, "in": in_, "ih": ih,
            "normal_imp": normal_imp}


# ----------------------------------------------------------------------------------------------------------------
# the setting: headers, templates, sign-offs
# ----------------------------------------------------------------------------------------------------------------

HOSPITALS = [
    "SHWE YADANAR SPECIALIST HOSPITAL, YANGON\nDepartment of Radiology & Imaging",
    "GOLDEN LOTUS GENERAL HOSPITAL (Mandalay)\nDEPARTMENT OF RADIOLOGY",
    "YANGON GENERAL HOSPITAL – DEPARTMENT OF RADIOLOGY",
    "MANDALAY GENERAL HOSPITAL\nRadiology Department",
    "Ayeyar Myittar Medical Centre, Yangon – Imaging Unit",
    "NORTH OKKALAPA GENERAL HOSPITAL\nDepartment of Radiodiagnosis",
    "Thiri Mingalar Diagnostic Centre (Chan Aye Thar Zan, Mandalay)",
    "SEIN PANN POLYCLINIC & IMAGING CENTRE, YANGON",
    "INSEIN PRIVATE HOSPITAL – X-RAY DEPARTMENT",
]
RADIOLOGISTS = [
    ("Dr. Aye Aye Thant", "M.B.,B.S., M.Med.Sc (Diagnostic Radiology)", "Consultant Radiologist"),
    ("Dr. Kyaw Zin Htet", "MBBS, MMedSc (Radiology), Dr.Med.Sc", "Senior Consultant Radiologist"),
    ("Dr. Thandar Soe", "MBBS (Ygn), MD (Radio-diagnosis) (India)", "Consultant Radiologist"),
    ("Dr. Myo Min Oo", "M.B.,B.S., M.Med.Sc (Radiology), FRCR (UK)", "Consultant Radiologist"),
    ("Dr. Nwe Ni Win", "MBBS, DMRD, M.Med.Sc (Radiology)", "Radiologist"),
    ("Dr. Htet Aung Lin", "MBBS, MMed (Diagnostic Radiology) (Singapore)", "Visiting Consultant Radiologist"),
    ("Dr. Su Mon Lwin", "M.B.,B.S., M.Med.Sc (Radiology)", "Assistant Lecturer / Radiologist"),
    ("Dr. Zaw Win Naing", "MBBS, DNB (Radiodiagnosis)", "Consultant Radiologist"),
    ("Dr. Khin Myat Noe", "M.B.,B.S., M.Med.Sc (Radiology), Dip. Med. Ed", "Lecturer & Consultant Radiologist"),
]
EXAMS_PA = ["X-RAY CHEST PA VIEW", "CHEST X-RAY (PA ERECT)", "CXR PA VIEW", "X-RAY CHEST (PA)",
            "Chest radiograph – PA view", "RADIOGRAPH OF CHEST PA VIEW"]
EXAMS_IU = ["X-RAY CHEST PA & LATERAL VIEWS", "CHEST X-RAY (PA AND LATERAL)", "CXR PA & LAT", "Chest radiograph – PA "
            "and lateral views", "X-RAY CHEST PA/LAT"]
FINDINGS_HDR = ["FINDINGS:", "Findings:", "FINDINGS", "REPORT:", "Observations:", "RADIOLOGICAL FINDINGS:",
                "X-RAY FINDINGS:", "Findings :"]
IMPRESSION_HDR = ["IMPRESSION:", "Impression:", "IMPRESSION", "CONCLUSION:", "Conclusion:", "OPINION:",
                  "Radiological impression:", "Impression :"]
CLIN_HDR = ["Clinical history:", "Clinical data:", "Clinical details:", "Clinical Hx:", "Indication:",
            "Clinical information:", "Reason for exam:"]
COMP_HDR = ["Comparison:", "Previous film:", "Comparison with:", "Prior study:"]
THANKS = ["Thanks for the referral.", "Thank you for referring.", "Kindly correlate clinically.", ""]
OVERSEAS = ["Malaysia", "Thailand", "Singapore", "Japan", "Korea", "Dubai (UAE)", "Qatar", "Macau"]
CLIN_NORMAL = [
    "Pre-employment medical check-up.", "Routine medical check-up.", "Pre-op assessment (lap. cholecystectomy).",
    "Annual health check.", "Pre-op for hernia repair.", "Contact with sputum positive PTB patient. Asymptomatic.",
    "Cough for 1 week.", "Fever and cough x 5 days.", "K/C/O HT, DM. Routine check.", "Chest pain. ? cause",
    "Completed ATT (DOTS) 3 years ago. Now well.",
]
CLIN_BY_ENTITY = {
    "active_tb": ["Fever, cough for 1 month, LOW. ? PTB", "Evening pyrexia, cough with haemoptysis. R/O PTB",
                  "Chronic cough > 3 wk, weight loss."],
    "old_tb": ["Past h/o PTB, completed ATT.", "Pre-employment medical check-up.", "H/o TB treatment 2015."],
    "pneumonia": ["Fever with productive cough x 5 days.", "High fever, cough, SOB.", "? LRTI"],
    "effusion": ["SOB, pleuritic chest pain.", "Dyspnoea x 2 wk. ? effusion", "Fever, cough, SOB. ? TB pleurisy"],
    "cp_blunt": ["Cough.", "Routine check-up.", "Old TB, on follow-up."],
    "cardiomegaly": ["K/C/O HT. Exertional dyspnoea.", "Palpitation.", "HT, DM on treatment."],
    "congestion": ["Orthopnoea, PND, leg oedema.", "K/C/O IHD. SOB at rest.", "SOB, ? CCF"],
    "mitral": ["K/C/O RHD. SOB on exertion.", "Palpitation, murmur. ? MS", "RHD, on penicillin prophylaxis."],
    "pneumothorax": ["Sudden onset SOB and chest pain.", "Acute dyspnoea.", "Chest pain after coughing bout."],
    "nodule": ["Chronic smoker. Cough.", "Incidental finding on outside film.", "Cough, weight loss."],
    "mass": ["Chronic smoker, haemoptysis, LOW.", "Cough with blood-stained sputum.", "Weight loss, hoarseness."],
    "mediastinum": ["Dysphagia, weight loss.", "Chest pain radiating to back.", "Neck swelling, SOB."],
    "free_air": ["Acute abdomen. ? perforation", "Severe epigastric pain, guarding.", "Peritonitis. Erect CXR."],
    "copd": ["Chronic smoker, SOB.", "K/C/O COPD. Exacerbation.", "Chronic cough and wheeze."],
    "bronchiectasis": ["Chronic productive cough.", "Recurrent chest infection.", "Cough with copious sputum."],
    "inc_effusion": ["Known pleural effusion, follow-up.", "TB pleurisy on ATT, follow-up.", "SOB increasing."],
    "res_pneumonia": ["Pneumonia on antibiotics, follow-up.", "Follow-up after treatment for pneumonia."],
}
DATES = ["12.03.2024", "03/11/2023", "27.08.2024", "05-01-2025", "19.06.2023", "14/02/2024", "08.10.2024"]
NORMAL_IMPRESSIONS = [
    "No active lung lesion.", "Normal chest X-ray.", "No significant abnormality detected.", "Normal study.",
    "No radiological abnormality seen in the chest.", "Chest X-ray within normal limits.",
    "No active lung lesion. Normal cardiac size.", "NAD (no abnormality detected).",
    "No radiological evidence of active pulmonary TB or other active lung lesion.",
]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# ----------------------------------------------------------------------------------------------------------------
# the phrase bank: each finding with its FINDINGS sentence and its IMPRESSION line, side and size as fields
# ----------------------------------------------------------------------------------------------------------------

# f / i: templates; {s} side word, {S} same capitalised; {z} zone; {n} size in cm; {d} date; {size} grade
ENTITIES = {
    "active_tb": dict(
        sided=True, sig=True, region="lung", neg_ok=True,
        f=["Patchy ill-defined opacities with a thick-walled cavity (about {n} cm) are seen in the {s} upper zone.",
           "Inhomogeneous patchy consolidation with breakdown (cavitation, about {n} cm) in the {s} upper zone.",
           "Fluffy acinar shadows with a {n} cm cavity are seen in the {s} upper and mid zones."],
        i=["Features are suggestive of active pulmonary tuberculosis ({s} upper zone, with cavitation).",
           "{S} upper zone consolidation with cavitation – s/o active PTB.",
           "Active Koch's lesion with cavity in the {s} upper zone."],
        rec=["Suggest sputum AFB x 2 and GeneXpert MTB/RIF.", "Sputum for AFB and Xpert MTB/RIF is advised.",
             "Sputum AFB / GeneXpert correlation is suggested."],
        neg_i=["No radiological evidence of active pulmonary TB.", "Both lung fields are clear."],
        size=["2", "2.5", "3"],
    ),
    "old_tb": dict(
        sided=True, sig=False, region="lung",
        f=["Fibrotic strands and calcified nodular opacities are seen in the {s} upper zone with mild volume loss.",
           "Fibrocalcific lesions are noted in the {s} apical region.",
           "Fibrotic opacities with specks of calcification in the {s} upper zone."],
        i=["Old healed (fibrocalcific) PTB, {s} upper zone.",
           "Fibrocalcific lesion in {s} upper zone – s/o old healed Koch's.",
           "Healed {s} apical TB (fibrocalcific)."],
        rec=["Suggest sputum AFB to exclude activity if clinically indicated.", ""],
        neg_i=["Both lung fields are clear.", "No lung lesion is seen."],
    ),
    "pneumonia": dict(
        sided=True, sig=True, region="lung", neg_ok=True,
        f=["Inhomogeneous airspace opacity with air bronchograms is seen in the {s} {z} zone.",
           "Patchy consolidation is seen in the {s} {z} zone.",
           "Ill-defined non-homogeneous opacity in the {s} {z} zone with air bronchogram."],
        i=["{S} {z} zone consolidation – likely pneumonia.", "{S} {z} zone pneumonia.",
           "Pneumonic consolidation, {s} {z} zone.", "Features s/o {s} {z} zone pneumonia."],
        rec=["Follow-up film after a course of antibiotics is suggested.", "Please correlate clinically.",
             "Suggest repeat CXR after 2 weeks of treatment."],
        neg_i=["Both lung fields are clear.", "No consolidation."],
        zone=["lower", "mid", "lower"],
    ),
    "effusion": dict(
        sided=True, sig=True, region="cp", neg_ok=True,
        f=["Homogeneous opacity obliterating the {s} costophrenic angle with a concave upper border (meniscus sign), "
           "extending up to the {s} mid zone.",
           "Dense homogeneous opacity in the {s} lower zone with meniscus sign, obscuring the {s} dome of diaphragm.",
           "{S} pleural effusion of {size} amount is seen (homogeneous opacity with meniscus sign)."],
        i=["{Size} {s} pleural effusion.", "{S}-sided pleural effusion ({size}).",
           "{S} pleural effusion, {size} in amount."],
        rec=["Suggest pleural fluid aspiration and analysis (ADA, AFB) if clinically indicated.",
             "USG chest for marking and tapping is suggested.", "Please correlate clinically."],
        neg_i=["No pleural effusion.", "Both CP angles are clear."],
        grade=["moderate", "moderate", "large"],
    ),
    "cp_blunt": dict(
        sided=True, sig=False, region="cp",
        f=["Blunting of the {s} costophrenic angle.", "{S} CP angle is blunted."],
        i=["Minimal {s} pleural effusion / pleural thickening.", "Blunted {s} CP angle – small effusion or "
           "pleural thickening.", "Small {s} pleural effusion."],
        rec=[""],
        neg_i=["No pleural effusion.", "Both CP angles are clear."],
    ),
    "cardiomegaly": dict(
        sided=False, sig=False, region="heart", neg_ok=True,
        f=["Cardiac shadow is mildly enlarged (CTR about 0.55).", "Heart is mildly enlarged in size (CTR 0.56).",
           "Mild cardiomegaly (CTR = 0.54)."],
        i=["Mild cardiomegaly.", "Mild cardiomegaly – suggest echocardiography.", "Mildly enlarged heart."],
        rec=["Echocardiography is suggested.", ""],
        neg_i=["Heart size is normal.", "No cardiomegaly.", "Normal cardiac size."],
    ),
    "congestion": dict(
        sided=False, sig=True, region="heart+lungs",
        f=["Cardiac shadow is enlarged (CTR about 0.62). Upper lobe venous diversion with bilateral perihilar haziness "
           "and Kerley B lines at both bases.",
           "Cardiomegaly (CTR 0.6) with prominent upper lobe vessels (cephalisation) and bat-wing perihilar "
           "opacities."],
        i=["Cardiomegaly with pulmonary venous congestion / interstitial oedema – ? cardiac failure.",
           "Cardiomegaly with pulmonary oedema (CCF)."],
        omit_keep=["Cardiomegaly.", "Cardiomegaly (CTR 0.6)."],
        rec=["Suggest echocardiography and clinical correlation.", "Echo is suggested."],
    ),
    "mitral": dict(
        sided=False, sig=False, region="heart",
        f=["Cardiac shadow shows mitral configuration with straightening of the left heart border and a double "
           "density along the right heart border.",
           "Heart shows mitral configuration with prominent pulmonary conus and left atrial appendage."],
        i=["Mitral configuration of the heart – ? rheumatic mitral stenosis.", "Mitral configuration – ? RHD (MS)."],
        rec=["Echocardiography is suggested.", "Suggest echo for confirmation."],
    ),
    "pneumothorax": dict(
        sided=True, sig=True, region="pleura", neg_ok=True,
        f=["The {s} hemithorax is hyperlucent with absent lung markings peripherally; a visceral pleural line is seen.",
           "{S}-sided pneumothorax with partially collapsed {s} lung.",
           "Hyperlucent {s} hemithorax devoid of lung markings with collapsed {s} lung towards the hilum."],
        i=["{S} pneumothorax.", "{S}-sided pneumothorax – urgent ICD insertion may be considered.",
           "Pneumothorax on the {s} side."],
        rec=["Urgent clinical attention is suggested.", "Informed to the attending doctor."],
        neg_i=["No pneumothorax."],
    ),
    "nodule": dict(
        sided=True, sig=True, region="lung",
        f=["A well-defined rounded opacity measuring about {n} cm is seen in the {s} mid zone.",
           "Solitary rounded soft tissue opacity ({n} cm) is noted in the {s} mid zone."],
        i=["Solitary pulmonary nodule ({n} cm), {s} mid zone – suggest CT chest for further evaluation.",
           "{S} mid zone nodule ({n} cm) – ? granuloma / ? neoplasm."],
        rec=["CT chest is suggested.", "Suggest CECT chest."],
        size=["1.2", "1.5", "2", "2.4"],
    ),
    "mass": dict(
        sided=True, sig=True, region="lung",
        f=["A large lobulated soft tissue opacity (about {n} cm) is seen at the {s} hilum.",
           "Ill-defined mass lesion measuring about {n} cm at the {s} hilar region."],
        i=["{S} hilar mass – ? bronchogenic carcinoma.", "Mass lesion at {s} hilum – ? neoplastic."],
        rec=["Suggest CECT chest and bronchoscopy.", "CT chest is suggested."],
        size=["5 x 4", "6 x 5", "4.5 x 4"],
    ),
    "mediastinum": dict(
        sided=False, sig=True, region="med",
        f=["The superior mediastinum is widened (about 9 cm at the level of the aortic knuckle).",
           "Widening of the superior mediastinum is noted."],
        i=["Widened superior mediastinum – ? lymphadenopathy / ? aortic pathology.",
           "Superior mediastinal widening – ? retrosternal goitre / lymph nodes."],
        rec=["CT chest is suggested.", "Suggest CECT thorax."],
    ),
    "free_air": dict(
        sided=False, sig=True, region="diaph",
        f=["Free gas is seen under both domes of diaphragm.", "Crescentic lucency of free gas under both domes of "
           "diaphragm."],
        i=["Pneumoperitoneum (free gas under diaphragm) – ? hollow viscus perforation.",
           "Gas under diaphragm – s/o perforation."],
        rec=["Urgent surgical consultation is suggested.", "Informed to the surgical team."],
    ),
    "spondylosis": dict(
        sided=False, sig=False, region="bone", minor=True,
        f=["Degenerative changes with marginal osteophytes are seen in the dorsal spine.",
           "Dorsal spondylotic changes are noted."],
        i=["Dorsal spondylosis.", "Degenerative dorsal spine."],
        rec=[""],
    ),
    "aorta": dict(
        sided=False, sig=False, region="med", minor=True,
        f=["Aortic knuckle is unfolded with mural calcification.", "Unfolded aorta with calcified aortic knuckle."],
        i=["Unfolded, atherosclerotic aorta.", "Atherosclerotic aortic knuckle."],
        rec=[""],
    ),
    "granuloma": dict(
        sided=True, sig=False, region="lung", minor=True,
        f=["A tiny calcified nodule (about 4 mm) is seen in the {s} mid zone – calcified granuloma.",
           "A 3 mm calcified focus in the {s} mid zone."],
        i=["Small calcified granuloma, {s} mid zone.", "Calcified granuloma in the {s} mid zone."],
        rec=[""],
    ),
    "copd": dict(
        sided=False, sig=False, region="lungs",
        f=["Both lungs are hyperinflated with flattened domes of diaphragm and a narrow tubular heart.",
           "Hyperinflated lung fields with increased translucency and low flat diaphragm."],
        i=["Features of COPD (hyperinflated lungs).", "Hyperinflation – s/o COPD / emphysema."],
        rec=["Please correlate with PFT.", ""],
    ),
    "bronchiectasis": dict(
        sided=True, sig=False, region="lung",
        f=["Ring and tubular shadows are seen in the {s} lower zone.", "Crowded bronchovascular markings with ring "
           "shadows in the {s} lower zone."],
        i=["Bronchiectatic changes, {s} lower zone.", "{S} lower zone bronchiectasis."],
        rec=["HRCT chest may be considered.", ""],
        neg_i=["Both lung fields are clear."],
    ),
    "inc_effusion": dict(
        sided=True, sig=True, region="cp", needs_date=True,
        f=["Compared with the previous film dated {d}, the {s} pleural effusion has increased in amount.",
           "The {s} pleural effusion is larger than on the previous film of {d}, now reaching the {s} mid zone."],
        i=["Increasing {s} pleural effusion (compared with {d}).", "{S} pleural effusion – increased since the "
           "previous film."],
        rec=["Suggest therapeutic tapping if clinically indicated.", "Please correlate clinically."],
    ),
    "res_pneumonia": dict(
        sided=True, sig=False, region="lung", needs_date=True,
        f=["Compared with the previous film dated {d}, the {s} lower zone consolidation is resolving.",
           "Residual patchy opacity in the {s} lower zone, much improved compared with the film of {d}."],
        i=["Resolving {s} lower zone pneumonia.", "Resolving {s} lower zone consolidation (improved since {d})."],
        rec=["Follow-up film after completion of treatment.", ""],
    ),
}

SIG_KEYS = [k for k, e in ENTITIES.items() if e["sig"]]
SIDED_KEYS = [k for k, e in ENTITIES.items() if e["sided"]]


def side_word(side: str, abbr: bool) -> str:
    if abbr:
        return "Rt" if side == "right" else "Lt"
    return side


class Ent:
    """One finding of a composed report, rendered to a findings sentence and an impression line."""

    def __init__(self, key: str, rng: random.Random, side: str | None, date: str | None):
        e = ENTITIES[key]
        self.key, self.e = key, e
        self.side = side
        self.fi = rng.randrange(len(e["f"]))
        self.ii = rng.randrange(len(e["i"]))
        self.rec = rng.choice(e["rec"])
        self.z = rng.choice(e.get("zone", ["lower"]))
        self.n = rng.choice(e.get("size", ["2"]))
        self.grade = rng.choice(e.get("grade", ["moderate"]))
        self.d = date or ""

    def fields(self, side: str | None, abbr: bool) -> dict:
        s = side_word(side, abbr) if side else ""
        return {"s": s, "S": cap(s), "z": self.z, "n": self.n, "size": self.grade, "Size": cap(self.grade),
                "d": self.d}

    def f(self, abbr: bool, side: str | None = None, **over) -> str:
        flds = self.fields(side or self.side, abbr)
        flds.update(over)
        return self.e["f"][self.fi].format(**flds)

    def i(self, abbr: bool, side: str | None = None, **over) -> str:
        flds = self.fields(side or self.side, abbr)
        flds.update(over)
        return self.e["i"][self.ii].format(**flds)


def other(side: str) -> str:
    return "left" if side == "right" else "right"


# ----------------------------------------------------------------------------------------------------------------
# rendering one report
# ----------------------------------------------------------------------------------------------------------------


def make_frame(rng: random.Random, iu: bool) -> dict:
    """Layout choices for one report (header words, list styles, sign-off)."""
    layout = rng.choice(["private", "teaching", "overseas", "plain", "private", "teaching"]) if not iu else \
        rng.choice(["private", "teaching", "plain", "private"])
    rad = rng.choice(RADIOLOGISTS)
    fr = {
        "layout": layout,
        "hospital": rng.choice(HOSPITALS),
        "exam": rng.choice(EXAMS_IU if iu else EXAMS_PA),
        "fhdr": rng.choice(FINDINGS_HDR),
        "ihdr": rng.choice(IMPRESSION_HDR),
        "chdr": rng.choice(CLIN_HDR),
        "cmphdr": rng.choice(COMP_HDR),
        "fstyle": rng.choice(["bullets", "narrative", "lines", "bullets", "narrative"]),
        "istyle": rng.choice(["numbered", "numbered", "dash", "paren"]),
        "inline_imp": rng.random() < 0.3,
        "rad": rad,
        "signoff": rng.choice(["full", "reported", "short", "typed"]),
        "thanks": rng.choice(THANKS),
        "mask": rng.choice(["XXXX", "XXXX", "___"]),
        "age": rng.randint(19, 78),
        "sex": rng.choice(["M", "F"]),
        "abbr": rng.random() < 0.35,
        "country": rng.choice(OVERSEAS),
    }
    return fr


def render_signoff(fr: dict) -> list[str]:
    name, quals, post = fr["rad"]
    if fr["signoff"] == "full":
        return [name, quals, post]
    if fr["signoff"] == "reported":
        return [f"Reported by: {name}, {quals}", post]
    if fr["signoff"] == "typed":
        return [f"{name} ({post})", quals, f"Typed by: {fr['mask']}"]
    return [f"{name}", "Radiologist"]


def render_list(items: list[str], style: str) -> list[str]:
    if len(items) == 1:
        return items[:]
    if style == "numbered":
        return [f"{k}. {t}" for k, t in enumerate(items, 1)]
    if style == "paren":
        return [f"({k}) {t}" for k, t in enumerate(items, 1)]
    return [f"- {t}" for t in items]


def render(case: dict) -> str:
    """case: frame + clinical, comparison, findings (list), impression (list), recs (list), remark,
    drop: None | ('findings'|'impression', 'empty'|'signoff'|'removed')."""
    fr = case["frame"]
    mask = fr["mask"]
    lines: list[str] = []
    lay = fr["layout"]
    if lay in ("private", "overseas"):
        lines += fr["hospital"].split("\n")
        lines.append(f"Name: {mask}    Age/Sex: {fr['age']} Y / {fr['sex']}    Reg. No.: {mask}")
        lines.append(f"Referred by: {case.get('referrer', 'Dr. ' + mask)}    Date: {mask}")
    elif lay == "teaching":
        lines.append(fr["hospital"].split("\n")[0])
        lines.append(f"Ward/OPD: {mask}    Hosp. No.: {mask}")
    if lay == "overseas":
        lines.append(f"OVERSEAS EMPLOYMENT MEDICAL EXAMINATION – {fr['country'].upper()}")
    lines.append("")
    lines.append(f"Examination: {fr['exam']}" if lay != "plain" else fr["exam"])
    if case.get("clinical"):
        lines.append(f"{fr['chdr']} {case['clinical']}")
    if case.get("comparison"):
        lines.append(f"{fr['cmphdr']} {case['comparison']}")
    lines.append("")
    drop = case.get("drop")
    sign = render_signoff(fr)

    f_items = case["findings"]
    if drop and drop[0] == "findings":
        if drop[1] != "removed":
            lines.append(fr["fhdr"])
            lines.append("")
    else:
        if fr["fstyle"] == "narrative":
            lines.append(fr["fhdr"])
            lines.append(" ".join(f_items))
        elif fr["fstyle"] == "bullets":
            lines.append(fr["fhdr"])
            lines += [f"- {t}" for t in f_items]
        else:
            lines.append(fr["fhdr"])
            lines += f_items
        lines.append("")

    imp = case["impression"]
    if drop and drop[0] == "impression":
        if drop[1] == "empty":
            lines.append(fr["ihdr"])
            lines.append("")
            tail = [case["remark"]] if case.get("remark") else []
            return "\n".join(lines + tail + [""] + sign).strip() + "\n"
        if drop[1] == "signoff":
            lines.append(fr["ihdr"])
            return "\n".join(lines + sign).strip() + "\n"
        # removed: findings then the sign-off
        return "\n".join(lines + sign).strip() + "\n"

    if fr["inline_imp"] and len(imp) == 1:
        lines.append(f"{fr['ihdr']} {imp[0]}")
    else:
        lines.append(fr["ihdr"])
        lines += render_list(imp, fr["istyle"])
    recs = [r for r in case.get("recs", []) if r]
    if recs:
        lines.append("")
        pre = "Advice: " if lay == "teaching" else "Suggestion: " if lay == "private" else ""
        if recs[0].lower().startswith(("suggest", "adv")):
            pre = ""
        lines.append(pre + " ".join(recs))
    if case.get("remark"):
        lines.append("")
        lines.append(case["remark"])
    lines.append("")
    lines += sign
    if fr["thanks"]:
        lines.append(fr["thanks"])
    return "\n".join(lines).strip() + "\n"


# ----------------------------------------------------------------------------------------------------------------
# composed reports
# ----------------------------------------------------------------------------------------------------------------

COMPAT_BLOCK = {
    ("congestion", "cardiomegaly"), ("congestion", "mitral"), ("cardiomegaly", "mitral"),
    ("congestion", "copd"), ("effusion", "cp_blunt"), ("inc_effusion", "effusion"), ("inc_effusion", "cp_blunt"),
    ("mediastinum", "aorta"), ("res_pneumonia", "pneumonia"), ("pneumothorax", "effusion"),
    ("pneumothorax", "inc_effusion"), ("free_air", "copd"), ("active_tb", "old_tb"), ("mass", "nodule"),
    ("pneumothorax", "cp_blunt"),
}


def compatible(keys: list[str], new: str) -> bool:
    if new in keys:
        return False
    for k in keys:
        if (k, new) in COMPAT_BLOCK or (new, k) in COMPAT_BLOCK:
            return False
    if ENTITIES[new].get("needs_date") and any(ENTITIES[k].get("needs_date") for k in keys):
        return False
    return True


COMMON_ABNORMAL = ["active_tb", "active_tb", "old_tb", "old_tb", "old_tb", "pneumonia", "pneumonia", "effusion",
                   "effusion", "cp_blunt", "cardiomegaly", "cardiomegaly", "congestion", "mitral", "pneumothorax",
                   "nodule", "mass", "mediastinum", "free_air", "spondylosis", "aorta", "granuloma", "copd",
                   "bronchiectasis", "inc_effusion", "res_pneumonia"]


def pick_entities(rng: random.Random, first: str | None, n_extra: int, exclude: set = frozenset(),
                  allowed: list[str] | None = None) -> list[str]:
    keys = [first] if first else []
    pool = allowed or COMMON_ABNORMAL
    tries = 0
    while len(keys) < (1 if first else 0) + n_extra and tries < 100:
        tries += 1
        k = rng.choice(pool)
        if k in exclude or not compatible(keys, k):
            continue
        keys.append(k)
    return keys


def normal_lines(rng: random.Random, ents: list[Ent], force: set = frozenset()) -> list[tuple[str, str]]:
    """Normal statements for the regions no finding occupies, as (region, sentence)."""
    regions = {e.e["region"] for e in ents}
    keys = {e.key for e in ents}
    out = []
    lung_occ = any(r in ("lung", "heart+lungs", "lungs") for r in regions)
    big_pleural = "pneumothorax" in keys or any(e.key in ("effusion", "inc_effusion") for e in ents)
    if big_pleural and not lung_occ:
        out.append(("lung_opp", rng.choice(["The opposite lung field is clear.", "No focal lesion in the "
                                             "opposite lung.", "Rest of the lung fields are clear."])))
    elif not lung_occ:
        out.append(("lung", rng.choice(["Both lung fields are clear.", "No active lung lesion is seen in both lung "
                                         "fields.", "Both lung fields show normal bronchovascular markings with no "
                                         "focal lesion.", "Lung fields are clear."])))
    elif "lung" in regions and not ({"heart+lungs", "lungs"} & regions):
        out.append(("lung_rest", rng.choice(["Rest of the lung fields are clear.", "The remaining lung fields are "
                                              "clear.", "No other focal lung lesion."])))
    if "cp" not in regions and "pleura" not in regions:
        out.append(("cp", rng.choice(["Both costophrenic angles are clear.", "Both CP angles are sharp.",
                                      "No pleural effusion.", "Both CP angles are clear."])))
    elif "cp" in regions and rng.random() < 0.5:
        out.append(("cp_rest", "The other CP angle is clear."))
    if ("pleura" not in regions and (rng.random() < 0.25 or "pneumothorax" in force)):
        out.append(("pleura", rng.choice(["No pneumothorax.", "No evidence of pneumothorax."])))
    if not ({"heart", "heart+lungs"} & regions):
        out.append(("heart", rng.choice(["Cardiac size is within normal limits.", "Heart is normal in size and shape "
                                          "(CTR < 0.5).", "CTR is within normal limits.", "Cardiac shadow is normal "
                                          "in size and configuration.", "Heart size is normal."])))
    if "med" not in regions and "mass" not in keys:
        out.append(("med", rng.choice(["Trachea is central.", "Both hila are normal.", "Mediastinum is not widened.",
                                       "Trachea is central and both hila are normal in size and density."])))
    elif "mass" in keys:
        out.append(("med", "Trachea is central."))
    if "diaph" not in regions and "copd" not in keys and not any(
            e.key == "effusion" and "dome" in e.e["f"][e.fi] for e in ents):
        out.append(("diaph", rng.choice(["Both domes of diaphragm are normal in position and contour.",
                                         "Both hemidiaphragms are smooth and well defined.",
                                         "Both domes of diaphragm are normal."])))
    if "bone" not in regions:
        out.append(("bone", rng.choice(["Bony thorax is intact.", "Visualised bones and soft tissues are "
                                        "unremarkable.", "No bony abnormality is seen.", "Bony cage and soft tissue "
                                        "shadows are normal."])))
    if "pneumothorax" in force and not any(r == "pleura" for r, _ in out):
        out.append(("pleura", "No pneumothorax."))
    return out


def compose_base(rng: random.Random, keys: list[str], fr: dict, sides: dict | None = None) -> dict:
    date = rng.choice(DATES)
    used_lung_sides: set = set()
    ents = []
    for k in keys:
        side = None
        if ENTITIES[k]["sided"]:
            side = (sides or {}).get(k) or rng.choice(["right", "left"])
            if ENTITIES[k]["region"] == "lung" and side in used_lung_sides and not (sides or {}).get(k):
                side = other(side)
            used_lung_sides.add(side)
        ents.append(Ent(k, rng, side, date))
    needs_date = any(e.e.get("needs_date") for e in ents)
    if keys:
        clinical = rng.choice(CLIN_BY_ENTITY.get(keys[0], CLIN_NORMAL))
    else:
        clinical = rng.choice(CLIN_NORMAL)
    if fr["layout"] == "overseas":
        clinical = rng.choice([f"Overseas employment ({fr['country']}).", "Pre-departure medical for overseas "
                               "work.", f"Medical check-up for work permit – {fr['country']}."])
    comparison = None
    if needs_date:
        comparison = f"CXR dated {date}."
    elif rng.random() < 0.3:
        comparison = rng.choice(["None.", "Nil.", "No previous film available.", "Not available."])
    return {"frame": fr, "ents": ents, "clinical": clinical, "comparison": comparison, "abbr": fr["abbr"]}


def entity_order(ents: list[Ent]) -> list[Ent]:
    # significant first, minor last (how impressions are ranked)
    return sorted(ents, key=lambda e: (not e.e["sig"], bool(e.e.get("minor"))))


def finish(rng: random.Random, base: dict, findings: list[str], impression: list[str], recs: list[str]) -> dict:
    fr = base["frame"]
    remark = None
    if fr["layout"] == "overseas":
        if any(e.key in ("active_tb",) for e in base["ents"]):
            remark = "Remark: Not fit (radiologically) – pending sputum examination."
        elif not base["ents"]:
            remark = rng.choice(["Remark: Radiologically fit.", "Remark: Fit from the radiological point of view.",
                                 "Remark: FIT."])
        else:
            remark = "Remark: For medical officer's decision."
    return {**base, "findings": findings, "impression": impression, "recs": recs, "remark": remark}


def compose_sections(rng: random.Random, base: dict, force: set = frozenset()) -> tuple[list, list, list, list]:
    """(findings items with owner, impression items with owner, recs) for a consistent report."""
    abbr = base["abbr"]
    ents = base["ents"]
    normals = normal_lines(rng, ents, force)
    # radiologists' order: lungs, pleura, heart, mediastinum, diaphragm, bones; a finding before the
    # "rest is normal" line of its region
    rank = {"lung": 0, "lungs": 0, "lung_rest": 0.5, "heart+lungs": 0.2, "pleura": 1, "lung_opp": 2.7, "cp": 2,
            "cp_rest": 2.5, "heart": 3, "med": 4, "diaph": 5, "bone": 6}
    items = [(rank[e.e["region"]], 0, e.key, e.f(abbr)) for e in ents]
    items += [(rank[r], 1, r, s) for r, s in normals]
    items.sort(key=lambda x: (x[0], x[1]))
    f_all = [(k, t) for _, _, k, t in items]
    imp = []
    for e in entity_order(ents):
        if e.e.get("minor") and rng.random() < 0.35 and len(ents) > 1:
            continue  # minor findings are often left out of the conclusion
        imp.append((e.key, e.i(abbr)))
    recs = [(e.key, e.rec) for e in ents if e.rec]
    return f_all, imp, recs, normals


def normal_impression(rng: random.Random, ents: list[Ent]) -> list[str]:
    minor = [e for e in ents if e.e.get("minor")]
    base = rng.choice([s for s in NORMAL_IMPRESSIONS if "cardiac" not in s.lower() or not ents])
    if minor and rng.random() < 0.5:
        return [base, *[e.i(False) for e in minor]]
    return [base]


def composed_case(rng: random.Random, kind: str | None, variant: int) -> tuple[dict, str]:
    fr = make_frame(rng, iu=False)
    abbr = fr["abbr"]
    detail_layout = f"composed ({fr['layout']} template, findings {fr['fstyle']}, impression header " \
                    f"'{fr['ihdr'].rstrip(': ')}')"

    if kind is None:
        if fr["layout"] == "overseas" or rng.random() < 0.35:
            keys = [] if rng.random() < 0.85 else pick_entities(rng, None, 1, allowed=["spondylosis", "aorta",
                                                                                          "granuloma", "old_tb"])
        else:
            keys = pick_entities(rng, None, rng.choice([1, 1, 2, 2, 3]))
        base = compose_base(rng, keys, fr)
        f_all, imp, recs, _ = compose_sections(rng, base)
        if not base["ents"]:
            impression = normal_impression(rng, [])
        else:
            impression = [t for _, t in imp] or normal_impression(rng, base["ents"])
        case = finish(rng, base, [t for _, t in f_all], impression, [r for _, r in recs])
        if variant % 9 == 4 and not base["ents"]:
            # descriptive impression with no FINDINGS section: not an error
            case["findings"] = []
            case["impression"] = [" ".join([t for _, t in f_all] + impression)]
            case["drop"] = ("findings", "removed")
            return case, detail_layout + "; clean; no FINDINGS section, the impression describes the film"
        what = "normal film" if not base["ents"] else "findings: " + ", ".join(e.key for e in base["ents"])
        return case, f"{detail_layout}; clean; {what}"

    if kind == "missing_section":
        keys = [] if rng.random() < 0.4 else pick_entities(rng, None, rng.choice([1, 2]))
        base = compose_base(rng, keys, fr)
        f_all, imp, recs, _ = compose_sections(rng, base)
        impression = [t for _, t in imp] or normal_impression(rng, base["ents"])
        case = finish(rng, base, [t for _, t in f_all], impression, [r for _, r in recs])
        v = variant % 5
        if v in (0, 1):
            case["drop"] = ("impression", "empty")
            how = "IMPRESSION emptied (header kept, nothing under it)"
        elif v == 2:
            case["drop"] = ("impression", "signoff")
            how = "IMPRESSION emptied (header with only the sign-off under it)"
        elif v == 3:
            case["drop"] = ("impression", "removed")
            how = "IMPRESSION section removed (findings then sign-off)"
        else:
            case["drop"] = ("findings", "empty")
            how = "FINDINGS emptied (header kept, nothing under it)"
        return case, f"{detail_layout}; {how}"

    if kind == "laterality_conflict":
        first = rng.choice(["active_tb", "old_tb", "pneumonia", "effusion", "pneumothorax", "nodule", "mass",
                            "bronchiectasis", "cp_blunt", "inc_effusion", "res_pneumonia", "effusion", "pneumonia"])
        keys = pick_entities(rng, first, rng.choice([0, 0, 1]), allowed=["cardiomegaly", "spondylosis", "aorta",
                                                                          "mitral", "copd"])
        base = compose_base(rng, keys, fr)
        f_all, imp, recs, _ = compose_sections(rng, base)
        target = base["ents"][0]
        # the target must be in the impression
        if not any(k == target.key for k, _ in imp):
            imp.insert(0, (target.key, target.i(abbr)))
        where = "findings" if variant % 2 == 0 else "impression"
        flipped = other(target.side)
        if where == "findings":
            f_all = [(k, target.f(abbr, side=flipped) if k == target.key else t) for k, t in f_all]
        else:
            imp = [(k, target.i(abbr, side=flipped) if k == target.key else t) for k, t in imp]
        case = finish(rng, base, [t for _, t in f_all], [t for _, t in imp], [r for _, r in recs])
        return case, (f"{detail_layout}; {target.key} is {target.side} in the "
                      f"{'impression' if where == 'findings' else 'findings'}, flipped to {flipped} in the {where}")

    if kind == "negation_conflict":
        if variant % 2 == 0:
            # IMPRESSION asserts a finding that FINDINGS negate (explicitly or by meaning)
            x = rng.choice(["effusion", "pneumonia", "cardiomegaly", "pneumothorax", "active_tb", "effusion"])
            region = ENTITIES[x]["region"]
            allowed = [k for k in ["spondylosis", "aorta", "granuloma", "old_tb", "bronchiectasis"]
                       if ENTITIES[k]["region"] != region and not (region == "lung" and
                                                                   ENTITIES[k]["region"] == "lung")]
            keys = pick_entities(rng, None, rng.choice([0, 0, 1]), allowed=allowed) if allowed else []
            base = compose_base(rng, keys, fr)
            f_all, imp, recs, normals = compose_sections(rng, base, force={x})
            xe = Ent(x, rng, rng.choice(["right", "left"]) if ENTITIES[x]["sided"] else None, None)
            neg_sentence = next((s for r, s in normals if r == {"lung": "lung", "cp": "cp", "heart": "heart",
                                                                  "pleura": "pleura"}[region]), None)
            impression = [xe.i(abbr)] + [t for _, t in imp]
            case = finish(rng, base, [t for _, t in f_all], impression, [r for _, r in recs] + [xe.rec])
            return case, f"{detail_layout}; impression asserts '{xe.i(abbr)}' but findings say '{neg_sentence}'"
        # IMPRESSION negates a finding that FINDINGS affirm (non-significant findings, so no omission on top)
        x = rng.choice(["cardiomegaly", "cp_blunt", "old_tb", "bronchiectasis", "cardiomegaly"])
        keys = pick_entities(rng, x, rng.choice([0, 1]), allowed=["spondylosis", "aorta", "granuloma", "pneumonia",
                                                                  "effusion", "nodule"])
        base = compose_base(rng, keys, fr)
        f_all, imp, recs, _ = compose_sections(rng, base)
        xe = base["ents"][0]
        neg = rng.choice(ENTITIES[x]["neg_i"])
        others = [t for k, t in imp if k != x]
        # a region-wide negation must not also deny another finding of that region
        if neg.startswith(("Both lung", "No lung")) and any(
                ENTITIES[e.key]["region"] == "lung" for e in base["ents"][1:]):
            neg = "No fibrotic lesion in the lungs." if x == "old_tb" else "No bronchiectasis."
        if neg.startswith("Both CP") and any(ENTITIES[e.key]["region"] == "cp" for e in base["ents"][1:]):
            neg = "No pleural effusion."
        impression = others + [neg] if others and rng.random() < 0.5 else [neg] + others
        recs2 = [r for k, r in recs if k != x]
        case = finish(rng, base, [t for _, t in f_all], impression, recs2)
        return case, f"{detail_layout}; findings affirm {x} ('{xe.f(abbr)}'), impression says '{neg}'"

    if kind == "impression_omits_finding":
        x = rng.choice(SIG_KEYS)
        if variant % 2 == 0:
            # impression replaced by a normal statement
            keys = pick_entities(rng, x, rng.choice([0, 0, 1]), allowed=["spondylosis", "aorta"])
            base = compose_base(rng, keys, fr)
            f_all, imp, recs, _ = compose_sections(rng, base)
            impression = normal_impression(rng, base["ents"])
            case = finish(rng, base, [t for _, t in f_all], impression, [])
            xe = base["ents"][0]
            return case, f"{detail_layout}; findings affirm {x} ('{xe.f(abbr)}'); impression is a normal statement"
        keys = pick_entities(rng, x, rng.choice([1, 2]), allowed=["cardiomegaly", "old_tb", "spondylosis", "aorta",
                                                                  "granuloma", "cp_blunt", "bronchiectasis", "mitral",
                                                                  "copd", "pneumonia", "nodule", "effusion"])
        if len(keys) == 1:
            keys.append("spondylosis")
        base = compose_base(rng, keys, fr)
        f_all, imp, recs, _ = compose_sections(rng, base)
        xe = base["ents"][0]
        imp_keys = {k for k, _ in imp}
        impression = [t for k, t in imp if k != x]
        for e in base["ents"][1:]:
            if e.key not in imp_keys:
                impression.append(e.i(abbr))
        if x == "congestion":
            impression.insert(0, rng.choice(ENTITIES["congestion"]["omit_keep"]))
        case = finish(rng, base, [t for _, t in f_all], impression, [r for k, r in recs if k != x])
        return case, f"{detail_layout}; findings affirm {x} ('{xe.f(abbr)}'); impression lists only the other findings"

    if kind == "placeholder":
        v = variant % 10
        if v in (0, 1):
            x = rng.choice(["nodule", "mass", "active_tb"])
            tok = rng.choice(["[***]", "<<size>>", "XX", "___", "......", "[ ]"])
            keys = pick_entities(rng, x, rng.choice([0, 1]), allowed=["spondylosis", "aorta", "cardiomegaly"])
            base = compose_base(rng, keys, fr)
            f_all, imp, recs, _ = compose_sections(rng, base)
            xe = base["ents"][0]
            new = xe.f(abbr, n=tok)
            f_all = [(k, new if k == x else t) for k, t in f_all]
            case = finish(rng, base, [t for _, t in f_all], [t for _, t in imp], [r for _, r in recs])
            return case, f"{detail_layout}; size in the {x} sentence left as '{tok}'"
        if v in (2, 3):
            x = rng.choice(["effusion", "pneumonia", "cp_blunt", "old_tb", "pneumothorax"])
            tok = rng.choice(["[Rt/Lt]", "[side]", "[RIGHT/LEFT]", "<<side>>", "[***]"])
            keys = pick_entities(rng, x, rng.choice([0, 1]), allowed=["spondylosis", "aorta", "cardiomegaly"])
            base = compose_base(rng, keys, fr)
            f_all, imp, recs, _ = compose_sections(rng, base)
            xe = base["ents"][0]
            sect = "findings" if v == 2 else "impression"
            fl = {"s": tok, "S": tok}
            if sect == "findings":
                f_all = [(k, xe.f(abbr, **fl) if k == x else t) for k, t in f_all]
            else:
                if not any(k == x for k, _ in imp):
                    imp.insert(0, (x, xe.i(abbr)))
                imp = [(k, xe.i(abbr, **fl) if k == x else t) for k, t in imp]
            case = finish(rng, base, [t for _, t in f_all], [t for _, t in imp], [r for _, r in recs])
            return case, f"{detail_layout}; side of {x} in the {sect} left as template field '{tok}'"
        if v in (4, 5, 6):
            # a normal-template line with its field unfilled
            keys = [] if rng.random() < 0.5 else pick_entities(rng, None, 1)
            base = compose_base(rng, keys, fr)
            f_all, imp, recs, normals = compose_sections(rng, base)
            repl = {
                "heart": ["Cardiac size is [normal/enlarged].", "Heart size: CTR = [ ].", "CTR is ___ .",
                          "Heart is [***] in size."],
                "lung": ["Both lung fields are [***].", "Both lung fields are [clear/not clear].",
                         "Lung fields: <<lung findings>>."],
                "cp": ["Both CP angles are [clear/blunted].", "Both costophrenic angles are [ ].",
                       "CP angles: <<CP angles>>."],
                "med": ["Trachea is [central/deviated].", "Trachea is [ ]."],
                "bone": ["Bony thorax: [***].", "Bony thorax is <<bones>>."],
            }
            cands = [(r, s) for r, s in normals if r in repl]
            r, s = rng.choice(cands)
            new = rng.choice(repl[r])
            f_all = [(k, new if t == s else t) for k, t in f_all]
            impression = [t for _, t in imp] or normal_impression(rng, base["ents"])
            case = finish(rng, base, [t for _, t in f_all], impression, [r_ for _, r_ in recs])
            return case, f"{detail_layout}; findings line '{s}' left as template '{new}'"
        if v in (7, 8):
            x = rng.choice(["effusion", "cardiomegaly", "pneumonia"])
            keys = pick_entities(rng, x, 0)
            base = compose_base(rng, keys, fr)
            f_all, imp, recs, _ = compose_sections(rng, base)
            xe = base["ents"][0]
            if x == "effusion":
                tok = rng.choice(["<<grade>>", "[mild/moderate/large]", "[***]"])
                ii = next(j for j, t in enumerate(ENTITIES["effusion"]["i"]) if "{Size}" in t)
                xe.ii = ii
                new = xe.i(abbr, Size=tok, size=tok)
            elif x == "cardiomegaly":
                tok = rng.choice(["[ ]", "___", "XX", "[***]"])
                new = f"Mild cardiomegaly (CTR {tok})."
            else:
                tok = rng.choice(["[zone]", "<<zone>>", "[***]"])
                new = xe.i(abbr, z=tok)
            imp = [(k, new if k == x else t) for k, t in imp]
            case = finish(rng, base, [t for _, t in f_all], [t for _, t in imp], [r for _, r in recs])
            return case, f"{detail_layout}; impression line left as '{new}' (template field '{tok}')"
        # header field
        keys = [] if rng.random() < 0.5 else pick_entities(rng, None, 1)
        base = compose_base(rng, keys, fr)
        f_all, imp, recs, _ = compose_sections(rng, base)
        impression = [t for _, t in imp] or normal_impression(rng, base["ents"])
        case = finish(rng, base, [t for _, t in f_all], impression, [r for _, r in recs])
        if rng.random() < 0.5 or base["comparison"]:
            tok = rng.choice(["[Clinical history]", "<<clinical details>>", "[ ]", "[***]"])
            case["clinical"] = tok
            where = "clinical history"
        else:
            tok = rng.choice(["[previous study]", "<<comparison>>", "[***]"])
            case["comparison"] = tok
            where = "comparison"
        return case, f"{detail_layout}; {where} field left unfilled as '{tok}'"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------------
# IU reports re-laid out in the setting's style
# ----------------------------------------------------------------------------------------------------------------

REWORD = [
    (r"\b[Tt]he lungs are clear bilaterally\b", "Both lung fields are clear"),
    (r"\b[Bb]oth lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear bilaterally\b", "Both lung fields are clear"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Both lung fields are clear"),
    (r"\blungs are clear\b", "both lung fields are clear"),
    (r"\bNo acute cardiopulmonary (abnormality|disease|process)\b", r"No active cardiopulmonary \1"),
    (r"\bno acute cardiopulmonary (abnormality|disease|process)\b", r"no active cardiopulmonary \1"),
    (r"\b[Hh]eart size is normal\b", "Cardiac size is within normal limits"),
    (r"\bNormal heart size\b", "Normal cardiac size"),
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\b(right|left) hemidiaphragm\b", r"\1 dome of diaphragm"),
    (r"\bhemidiaphragms\b", "domes of diaphragm"),
    (r"\bpulmonary vascularity\b", "pulmonary vasculature"),
    (r"\bcostophrenic\b", "CP"),
    (r"\b[Cc]ardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bhyperinflated\b", "hyperinflated"),
    (r"\bx-XXXX\b", "X-ray"),
    (r"\bhilar\b", "hilar"),
]


def reword(s: str) -> str:
    for pat, rep in REWORD:
        s = re.sub(pat, rep, s)
    if not s.endswith((".", "?", "!")):
        s += "."
    return s


def iu_case(rng: random.Random, r: dict, a: dict) -> tuple[dict, str]:
    fr = make_frame(rng, iu=True)
    fr["abbr"] = False
    findings = [reword(s) for s in a["fs"]]
    impression = [reword(s) for s in a["is"]]
    clinical = r["indication"].rstrip(".") + "." if r["indication"] else None
    comparison = r["comparison"].rstrip(".") + "." if r["comparison"] else None
    case = {"frame": fr, "ents": [], "clinical": clinical, "comparison": comparison, "findings": findings,
            "impression": impression, "recs": [], "remark": None}
    layout = f"re-laid out ({fr['layout']} template, findings {fr['fstyle']}, impression header " \
             f"'{fr['ihdr'].rstrip(': ')}'), lightly re-worded"
    return case, layout


def flip_side(s: str) -> str:
    def rep(m):
        w = m.group(0)
        o = "left" if w.lower() == "right" else "right"
        return o.capitalize() if w[0].isupper() else o
    return SIDE.sub(rep, s)


def iu_laterality_candidates(a: dict) -> list[tuple[str, int, int]]:
    """(section to flip, findings sentence idx, impression sentence idx) pairs where both name the same single
    side for a shared located finding."""
    out = []
    located = {"effusion", "pneumothorax", "consolidation", "nodule", "opacity", "atelectasis", "fracture"}
    for fi, fs in enumerate(a["fs"]):
        if any(re.search(r"middle lobe|lingul|not (well )?(seen|visuali[sz]ed)|no longer|resolved|removed", t, re.I)
               for t in [fs, *a["is"]]):
            continue
        s1 = sides_of(fs)
        if len(s1) != 1:
            continue
        c1 = groups_of(c for c, p in sentence_polarity(fs).items() if p & {"aff", "hedge"} and c in located)
        for ii, is_ in enumerate(a["is"]):
            s2 = sides_of(is_)
            c2 = groups_of(c for c, p in sentence_polarity(is_).items() if p & {"aff", "hedge"} and c in located)
            if s2 == s1 and c1 & c2:
                out.append(("findings", fi, ii))
                out.append(("impression", fi, ii))
    return out


NEG_ASSERT = {
    "effusion": ["Small {s} pleural effusion.", "{S} pleural effusion.", "Bilateral small pleural effusions."],
    "pneumothorax": ["Small {s} apical pneumothorax.", "{S}-sided pneumothorax."],
    "consolidation": ["{S} lower zone consolidation – likely pneumonia.", "Patchy consolidation in the {s} mid zone."],
    "cardiomegaly": ["Cardiomegaly.", "Mild cardiomegaly – suggest echocardiography."],
}
NEG_DENY = {
    "cardiomegaly": ["Heart size is normal.", "No cardiomegaly.", "Normal cardiac size."],
    "effusion": ["No pleural effusion.", "Both CP angles are clear."],
    "consolidation": ["No consolidation.", "No active lung lesion; no consolidation."],
    "nodule": ["No pulmonary nodule."],
}


# impression lines that cannot stand for "the other findings" when one finding is left out
KEEP_NOT = re.compile(r"mass|nodul|neoplas|malig|\bct\b|lobe|basilar|bases?\b|lingula|recommend|follow|suggest|"
                      r"correlat|comparison|old films|\bmay\b|\bit\b|\bthis\b|\bthese\b|shift|measur|notif|critical|"
                      r"document|called|discussed|midline", re.I)


def iu_injected(rng: random.Random, kind: str, r: dict, a: dict, variant: int) -> tuple[dict, str] | None:
    case, layout = iu_case(rng, r, a)
    head = f"IU {r['uid']}: {layout}"
    if kind == "missing_section":
        v = variant % 5
        if v in (0, 1):
            case["drop"] = ("impression", "empty")
            return case, f"{head}; IMPRESSION emptied (header kept, nothing under it)"
        if v == 2:
            case["drop"] = ("impression", "signoff")
            return case, f"{head}; IMPRESSION emptied (header with only the sign-off under it)"
        if v == 3:
            case["drop"] = ("impression", "removed")
            return case, f"{head}; IMPRESSION section removed"
        if not a["normal_imp"]:
            return None  # FINDINGS emptied only beside an impression that does not itself describe the film
        case["drop"] = ("findings", "empty")
        return case, f"{head}; FINDINGS emptied (header kept, nothing under it)"

    if kind == "laterality_conflict":
        cands = iu_laterality_candidates(a)
        want = "findings" if variant % 2 == 0 else "impression"
        pref = [c for c in cands if c[0] == want] or cands
        if not pref:
            return None
        sect, fi, ii = rng.choice(pref)
        if sect == "findings":
            old = case["findings"][fi]
            case["findings"][fi] = flip_side(old)
            new = case["findings"][fi]
        else:
            old = case["impression"][ii]
            case["impression"][ii] = flip_side(old)
            new = case["impression"][ii]
        return case, f"{head}; side flipped in the {sect}: '{old}' -> '{new}'"

    if kind == "negation_conflict":
        if variant % 2 == 0:
            if not a["normal_imp"]:
                return None
            plain_neg = {}
            for s in a["fs"]:
                if re.search(r"\b(large|significant|definite|visible|visuali[sz]ed|gross\w*|acute|sizable|focal)\b",
                             s, re.I):
                    continue
                for c, pols in sentence_polarity(s).items():
                    if pols == {"neg"}:
                        plain_neg.setdefault(c, s)
            opts = [c for c in NEG_ASSERT if c in plain_neg and c not in a["fa"] and c not in a["fh"]]
            if not opts:
                return None
            c = rng.choice(opts)
            side = rng.choice(["right", "left"])
            t = rng.choice(NEG_ASSERT[c]).format(s=side, S=side.capitalize())
            neg_sent = plain_neg[c]
            case["impression"] = [t]
            return case, f"{head}; impression replaced by '{t}' while findings say '{reword(neg_sent)}'"
        opts = []
        for c in NEG_DENY:
            if c not in a["fa"]:
                continue
            if c == "nodule" and not any(
                    re.search(r"nodul|mass", t, re.I) and not re.search(r"granulom|calcif", t, re.I)
                    and "aff" in sentence_polarity(t).get("nodule", ()) for t in a["fs"]):
                continue
            keep = []
            ok = True
            for s in a["is"]:
                pol = sentence_polarity(s)
                if c in pol:
                    if set(pol) != {c} or "XXXX" in s:
                        ok = False
                    continue
                keep.append(s)
            if ok:
                opts.append((c, keep))
        if not opts:
            return None
        c, keep = rng.choice(opts)
        deny = rng.choice(NEG_DENY[c])
        aff_sent = next(s for s in a["fs"] if c in sentence_polarity(s) and "aff" in sentence_polarity(s)[c])
        imp = [reword(s) for s in keep if not NORMAL_IMP.search(s)]
        case["impression"] = imp + [deny] if imp else [deny]
        return case, f"{head}; findings affirm {c} ('{reword(aff_sent)}'), impression now says '{deny}'"

    if kind == "impression_omits_finding":
        omit = []
        for s in a["fs"]:
            if HEDGE.search(s) or NEG_CUE.search(s) or re.search(r"improv|resolv|decreas|chronic|scar|\bold\b|stable|"
                                                                 r"unchanged|healed", s, re.I):
                continue
            pol = sentence_polarity(s)
            for c in ("consolidation", "pneumothorax", "edema", "effusion", "nodule", "mediastinum", "free_air"):
                if pol.get(c) == {"aff"} and not NEG_CUE.search(s):
                    if c == "effusion" and not re.search(r"moderate|large", s, re.I):
                        continue
                    if c == "nodule" and not re.search(r"\bmass\b|\b([6-9]|\d\d)\s?mm|\d(\.\d)?\s?cm", s, re.I):
                        continue
                    if c == "nodule" and re.search(r"granulom|calcif", s, re.I):
                        continue
                    omit.append((c, s))
        if not omit:
            return None
        c, fsent = rng.choice(omit)
        if variant % 2 == 0:
            t = rng.choice(["No active lung lesion.", "No active cardiopulmonary disease.", "Normal chest X-ray.",
                            "No significant abnormality detected."])
            case["impression"] = [t]
            return case, f"{head}; findings affirm {c} ('{reword(fsent)}'); impression replaced by '{t}'"
        related = {c, "opacity", "atelectasis"} | ({"consolidation"} if c == "edema" else set())
        keep = []
        for s in a["is"]:
            pol = sentence_polarity(s)
            if related & set(pol) or KEEP_NOT.search(s):
                continue
            if NORMAL_IMP.search(s):
                continue
            keep.append(reword(s))
        if not keep:
            # build the impression from the other affirmed findings
            for s in a["fs"]:
                pol = sentence_polarity(s)
                if related & set(pol) or any("neg" in p for p in pol.values()):
                    continue
                if NEG_CUE.search(s) or KEEP_NOT.search(s):
                    continue
                if re.search(r"\b(normal|clear|unremarkable|intact|within|limits|stable|unchanged|views?|"
                             r"obtained|lobe|bases?|basilar|midline|XXXX)\b", s, re.I) or len(s) < 12:
                    continue
                if set(pol) & SIGNIFICANT:
                    continue
                keep.append(reword(s))
        if not keep:
            return None
        case["impression"] = keep[:3]
        return case, f"{head}; findings affirm {c} ('{reword(fsent)}'); impression lists only '{' '.join(keep[:3])}'"

    if kind == "placeholder":
        sites = []
        for sect in ("findings", "impression"):
            for j, s in enumerate(case[sect]):
                for m in re.finditer(r"\b(small|moderate|large|mild|minimal|normal|clear)\b", s):
                    sites.append((sect, j, m.start(), m.end(), m.group(0)))
                for m in re.finditer(r"\b\d+(\.\d+)?(?= ?(mm|cm)\b)", s):
                    sites.append((sect, j, m.start(), m.end(), m.group(0)))
                for m in SIDE.finditer(s):
                    sites.append((sect, j, m.start(), m.end(), m.group(0)))
        if not sites:
            return None
        v = variant % 3
        if v == 0 and a["fs"] and rng.random() < 0.5:
            # comparison / clinical field left unfilled
            tok = rng.choice(["[previous study]", "<<comparison>>", "[***]"])
            case["comparison"] = tok
            return case, f"{head}; comparison field left unfilled as '{tok}'"
        sect, j, st, en, word = rng.choice(sites)
        if word[0].isdigit():
            tok = rng.choice(["XX", "___", "[ ]", "<<size>>"])
        elif word.lower() in ("right", "left"):
            tok = rng.choice(["[side]", "[Rt/Lt]", "<<side>>", "[***]"])
        else:
            tok = rng.choice(["[***]", "[ ]", "<<" + ("finding" if word in ("normal", "clear") else "size") + ">>",
                              "[normal/abnormal]" if word == "normal" else "[***]"])
        s = case[sect][j]
        case[sect][j] = s[:st] + tok + s[en:]
        return case, f"{head}; '{word}' in the {sect} replaced by the template field '{tok}'"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------------------------
# the set
# ----------------------------------------------------------------------------------------------------------------


def build(seed: int, base: Path | None = None) -> list[dict]:
    base = Path(base) if base else shared_dir()
    iu, _dev = load_iu(str(base))
    rng = random.Random(f"h137-{seed}")
    analysed = [(r, a) for r in iu if (a := analyse(r)) is not None]
    analysed = [(r, a) for r, a in analysed if r["uid"] not in IU_DROP]
    order = list(range(len(analysed)))
    rng.shuffle(order)
    used: set = set()
    rows: list[dict] = []

    def take(pred, n):
        got = []
        for k in order:
            r, a = analysed[k]
            if r["uid"] in used:
                continue
            if pred(r, a):
                got.append((r, a))
                used.add(r["uid"])
                if len(got) == n:
                    break
        if len(got) < n:
            raise RuntimeError(f"only {len(got)} IU reports fit")
        return got

    half_c, half_k = N_CLEAN // 2, N_KIND // 2

    # IU-based injected cases first (they need particular reports), then clean ones
    # the scarcest first; within a kind the odd variants (the scarcer half) first
    for kind in ["impression_omits_finding", "laterality_conflict", "negation_conflict", "placeholder",
                 "missing_section"]:
        for parity in (1, 0):
            want = half_k // 2 if parity else half_k - half_k // 2
            made = 0
            for k in order:
                if made == want:
                    break
                r, a = analysed[k]
                if r["uid"] in used:
                    continue
                if kind == "laterality_conflict" and not iu_laterality_candidates(a):
                    continue
                variant = parity + 2 * made
                sub = random.Random(f"h137-{seed}-{kind}-{r['uid']}")
                res = iu_injected(sub, kind, r, a, variant)
                if res is None:
                    continue
                used.add(r["uid"])
                case, detail = res
                rows.append({"injected": kind, "detail": detail, "report": render(case)})
                made += 1
            if made < want:
                raise RuntimeError(f"only {made} IU reports for {kind} (variant parity {parity})")

    # clean IU: a mix of normal and abnormal reports
    abn = take(lambda r, a: not a["normal_imp"], half_c // 2)
    nor = take(lambda r, a: a["normal_imp"], half_c - len(abn))
    for r, a in abn + nor:
        sub = random.Random(f"h137-{seed}-clean-{r['uid']}")
        case, layout = iu_case(sub, r, a)
        rows.append({"injected": None, "detail": f"IU {r['uid']}: {layout}; clean", "report": render(case)})

    # composed
    for kind, n in [(None, half_c)] + [(k, half_k) for k in KINDS]:
        for v in range(n):
            sub = random.Random(f"h137-{seed}-composed-{kind}-{v}")
            case, detail = composed_case(sub, kind, v)
            rows.append({"injected": kind, "detail": detail, "report": render(case)})

    rng.shuffle(rows)
    return [{"id": f"h137-{seed}-{k}", **row} for k, row in enumerate(rows)]


# IU reports whose own text holds a contradiction or an ambiguity the filter does not see (found by reading)
IU_DROP: set[str] = set()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.show:
        for kind in [None, *KINDS]:
            ex = [r for r in rows if r["injected"] == kind]
            comp = [r for r in ex if not r["detail"].startswith("IU ")][: (args.show + 1) // 2]
            ius = [r for r in ex if r["detail"].startswith("IU ")][: args.show - len(comp)]
            for r in comp + ius:
                print(f"===== {r['id']}  injected={kind}\n--- {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
