"""Held-out report-check set 87, written blind (without reading the checker).

Setting: government and private hospitals in Saudi Arabia and the UAE; chest X-ray reports dictated in English by
expatriate radiologists (Egyptian, Indian, Pakistani, British and Filipino trained) for the emergency department,
the wards, ICU portables and pre-employment / residency-visa (iqama) medicals. Mostly normal or near-normal films,
ordinary findings in ordinary proportions, the setting's headers (exam line, clinical history, comparison,
technique, findings, impression / conclusion / opinion, sign-off), British spellings and local abbreviations.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder). Half of each group is composed from the phrase bank below, half are real
IU (Open-i) reports, never one whose uid is in the dev set, re-laid-out in the setting's style with light re-wording
(British spellings). ``XXXX`` (the collection's mask) is kept as is and is never a placeholder.

    python -m bench.make_heldout87 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import tarfile
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


# --------------------------------------------------------------------------------------------------------------
# real IU reports
# --------------------------------------------------------------------------------------------------------------

_UID = re.compile(r'<uId id="([^"]+)"')
_ABS = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)
_MAJOR = re.compile(r"<major>(.*?)</major>")

_CACHE: dict[str, list[dict]] = {}


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


def load_iu() -> list[dict]:
    key = str(shared_dir())
    if key in _CACHE:
        return _CACHE[key]
    reps = []
    tgz = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            u = _UID.search(txt)
            if not u:
                continue
            sec = {k.upper(): html.unescape(v).strip() for k, v in _ABS.findall(txt)}
            reps.append({
                "uid": u.group(1),
                "findings": sec.get("FINDINGS", ""),
                "impression": sec.get("IMPRESSION", ""),
                "indication": sec.get("INDICATION", ""),
                "comparison": sec.get("COMPARISON", ""),
                "normal": any(x.strip().lower() == "normal" for x in _MAJOR.findall(txt)),
            })
    reps.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _CACHE[key] = reps
    return reps


def sents(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.])\s+(?=[A-Z0-9])", text.strip()) if s.strip()]


NEG = re.compile(r"\b(no|not|without|negative|resolved|resolving|resolution|clear|cleared|free|removed|"
                 r"unremarkable|normal|improved|improving|interval|previously|prior)\b", re.I)
HEDGE = re.compile(r"\b(small|trace|tiny|minimal|mild|question|questionable|possible|possibly|may|might|could|"
                   r"versus|cannot|can not|stable|unchanged|chronic|old|likely|suspect|subtle|probable|vs)\b", re.I)
SIG = re.compile(r"(pneumothorax|consolidation|airspace disease|air space disease|pneumonia|pulmonary edema|"
                 r"infiltrate|(?:moderate|large) (?:sized )?(?:left |right |bilateral )?pleural effusion)", re.I)
SIDE = re.compile(r"\b(right|left)\b", re.I)
FIND_NOUN = re.compile(r"(effusion|pneumonia|opacit|consolidat|nodul|atelecta|pneumothorax|infiltrat|airspace|"
                       r"air space|granuloma|fracture|mass|scar|lobe)", re.I)
ODD = re.compile(r"(\[|\]|\*\*|<|>|_{2,}|\?\?)")


def sig_sentence(findings: str) -> str | None:
    for s in sents(findings):
        if SIG.search(s) and not NEG.search(s) and not HEDGE.search(s):
            return s
    return None


def flip_side(word: str) -> str:
    o = "left" if word.lower() == "right" else "right"
    if word.isupper():
        return o.upper()
    if word[0].isupper():
        return o.capitalize()
    return o


SPELL = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bhemorrhage\b", "haemorrhage"),
    (r"\besophag", "oesophag"), (r"\btumor\b", "tumour"), (r"\bcenter\b", "centre"), (r"\bcentered\b", "centred"),
    (r"\bhematoma\b", "haematoma"), (r"\bhemidiaphragm", "hemidiaphragm"), (r"\bleukocytosis\b", "leucocytosis"),
    (r"\bsulcus\b", "sulcus"), (r"\bx-ray\b", "X-ray"), (r"\bX-XXXX\b", "X-XXXX"), (r"\bvisualized\b", "visualised"),
    (r"\bVisualized\b", "Visualised"), (r"\bcalcified granulomas\b", "calcified granulomata"),
    (r"\bopacified\b", "opacified"), (r"\bfavor\b", "favour"), (r"\borthopedic\b", "orthopaedic"),
    (r"\banesthesia\b", "anaesthesia"), (r"\bsize is normal\b", "size is within normal limits"),
]


def reword(text: str, rng: random.Random) -> str:
    for a, b in SPELL:
        text = re.sub(a, b, text)
    text = re.sub(r"\.(\s*\.)+", ".", text)
    if rng.random() < 0.3:
        text = text.replace("No acute cardiopulmonary abnormality", "No acute cardiopulmonary abnormality seen")
        text = text.replace("No acute cardiopulmonary disease", "No acute cardiopulmonary disease detected")
    return text


# --------------------------------------------------------------------------------------------------------------
# layout of the setting
# --------------------------------------------------------------------------------------------------------------

DOCTORS = [
    "Dr. Ahmed Fathy Abdelaziz, Consultant Radiologist", "Dr. Mohamed El-Sayed, Specialist Radiologist",
    "Dr. Rajesh K. Nair, MD (Radiodiagnosis), Specialist Radiologist", "Dr. Sreelatha Menon, Consultant Radiologist",
    "Dr. Sana Qureshi, FCPS, Specialist Radiologist", "Dr. Imran Malik, Consultant Radiologist",
    "Dr. James Whitfield, FRCR, Consultant Radiologist", "Dr. Helen Carter, FRCR",
    "Dr. Maria Cristina Santos, FPCR, Radiologist", "Dr. Jose Ramon Dela Cruz, Specialist Radiologist",
    "Dr. Hany Mostafa, Registrar Radiology", "Dr. Priya Raghavan, DNB, Specialist Radiologist",
]
HOSP = ["Radiology Department", "Department of Medical Imaging", "Diagnostic Imaging Services", "Radiology Dept."]


def signoff(rng: random.Random) -> str:
    d = rng.choice(DOCTORS)
    r = rng.random()
    if r < 0.3:
        return f"Reported by: {d}"
    if r < 0.55:
        return f"{d}\n{rng.choice(HOSP)}"
    if r < 0.75:
        return f"Electronically signed by {d}"
    if r < 0.9:
        return f"Thank you for the referral.\n{d}"
    return f"Dictated and verified by {d}"


def headers(rng: random.Random, style: str) -> tuple[str, str, str, str]:
    """(history, comparison, findings, impression) header words for a radiologist's training style."""
    if style == "egypt":
        return (rng.choice(["Clinical data", "Clinical history", "History"]), "Comparison",
                rng.choice(["Findings", "FINDINGS", "Radiological findings"]), rng.choice(["Opinion", "OPINION",
                                                                                         "Impression"]))
    if style == "india":
        return (rng.choice(["Clinical history", "Clinical details", "CLINICAL HISTORY"]),
                rng.choice(["Comparison", "Previous study"]), rng.choice(["Findings", "FINDINGS", "Observations"]),
                rng.choice(["Impression", "IMPRESSION"]))
    if style == "uk":
        return (rng.choice(["Clinical details", "Indication", "Clinical information"]), "Comparison",
                rng.choice(["Findings", "Report"]), rng.choice(["Conclusion", "Impression", "Summary"]))
    return (rng.choice(["Clinical history", "History", "CLINICAL INFORMATION"]), "Comparison",
            rng.choice(["FINDINGS", "Findings"]), rng.choice(["IMPRESSION", "Impression", "CONCLUSION"]))


def assemble(rng: random.Random, style: str, exam: str, hist: str | None, comp: str | None, tech: str | None,
             findings: str | None, impression: str | None, h_find: str | None = None, h_imp: str | None = None,
             drop_imp_header: bool = False, drop_find_header: bool = False) -> str:
    hh, hc, hf, hi = headers(rng, style)
    hf = h_find or hf
    hi = h_imp or hi
    upper = rng.random() < 0.35
    lines = []
    ex = rng.choice(["EXAMINATION", "EXAM", "Examination", "Procedure", "STUDY"])
    lines.append(f"{ex}: {exam}")
    if hist is not None:
        lines.append(f"{hh.upper() if upper else hh}: {hist}")
    if comp is not None:
        lines.append(f"{hc.upper() if upper else hc}: {comp}")
    if tech is not None:
        lines.append(f"{'TECHNIQUE' if upper else 'Technique'}: {tech}")
    body = []
    if not drop_find_header:
        body.append(f"{hf.upper() if upper else hf}:" + (f"\n{findings}" if findings else ""))
    if not drop_imp_header:
        body.append(f"{hi.upper() if upper else hi}:" + (f"\n{impression}" if impression else ""))
    return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n\n" + signoff(rng)


# --------------------------------------------------------------------------------------------------------------
# phrase bank for composed reports
# --------------------------------------------------------------------------------------------------------------

STYLES = ["egypt", "india", "pakistan", "uk", "philippines"]

SETTINGS = {
    "medical": dict(
        exam=["CHEST X-RAY PA VIEW", "X-RAY CHEST PA", "CHEST RADIOGRAPH (PA)", "CXR PA VIEW - MEDICAL FITNESS"],
        hist=["Pre-employment medical.", "Residency visa medical examination.", "Iqama renewal medical.",
              "Medical fitness for work permit.", "Pre-employment screening, asymptomatic.",
              "Visa medical - R/O pulmonary TB.", "New hire medical, no complaints.", "Routine medical check up."]),
    "ed": dict(
        exam=["CHEST X-RAY PA VIEW", "X-RAY CHEST PA/LAT", "CXR PA AND LATERAL", "CHEST X-RAY (ERECT PA)"],
        hist=["Cough and fever x 3 days.", "C/o shortness of breath.", "Chest pain, r/o pathology.",
              "RTA, c/o chest pain.", "Fall from height at construction site, left chest pain.",
              "K/C/O DM and HTN, presented with fever and productive cough.", "SOB on exertion, known cardiac pt.",
              "Fever, cough, body aches. R/O pneumonia.", "Asthmatic, wheeze.", "Epigastric pain, vomiting.",
              "Pleuritic chest pain.", "Trauma - assaulted, chest wall tenderness."]),
    "ward": dict(
        exam=["CHEST X-RAY PA VIEW", "X-RAY CHEST AP (SITTING)", "CXR AP ERECT", "CHEST X-RAY PA"],
        hist=["Post-op day 2, low grade fever.", "CKD on HD, SOB.", "Known CHF, increasing dyspnoea.",
              "Follow up pneumonia.", "Pre-op assessment for lap chole.", "Hypoxia, desaturation on ward.",
              "Elderly patient, reduced air entry at bases.", "Fever under investigation."]),
    "icu": dict(
        exam=["CHEST X-RAY AP PORTABLE", "PORTABLE CXR (SUPINE AP)", "X-RAY CHEST AP BEDSIDE", "MOBILE CXR AP"],
        hist=["Intubated patient, post ETT insertion.", "ICU patient, check line position.",
              "Ventilated, post CVC insertion.", "Sepsis, on ventilator.", "Post cardiac arrest, intubated.",
              "Desaturating on ventilator.", "Post NG tube insertion, confirm position."]),
}

TECH = {
    "medical": ["Single erect PA view.", "PA view, adequate inspiration.", "Erect PA projection."],
    "ed": ["Erect PA view.", "PA view, good inspiratory effort.", "PA projection."],
    "ward": ["Single AP sitting view.", "Erect PA view.", "AP view (patient unable to stand).", "PA view."],
    "icu": ["Single supine AP portable view.", "Semi-erect AP portable.", "Bedside AP view."],
}

NORMAL_LINES = {
    "lungs": ["Both lung fields are clear.", "The lungs are clear.", "No focal lung lesion is seen.",
              "Both lungs show normal translucency with no active parenchymal lesion.",
              "No consolidation or collapse.", "Lung fields are clear bilaterally, no focal opacity."],
    "pleura": ["Both costophrenic angles are clear.", "No pleural effusion or pneumothorax.",
               "Bilateral CP angles are free.", "No pleural abnormality."],
    "heart": ["Cardiac size is within normal limits.", "Heart size is normal.", "CTR is within normal limits.",
              "Cardiac silhouette is normal in size and configuration."],
    "medi": ["Mediastinum is central, not widened.", "Trachea is central. Both hila are normal.",
             "Mediastinal and hilar contours are unremarkable.", "Aortic knuckle and hila are normal."],
    "diaph": ["Both domes of diaphragm are normal in position and outline.", "Hemidiaphragms are well defined.",
              "Both hemidiaphragms are smooth."],
    "bones": ["Bony thoracic cage appears intact.", "Visualised bony structures are unremarkable.",
              "No bony abnormality is seen.", "Bony thorax is unremarkable.", "Soft tissues and bones are normal."],
}

NORMAL_IMP = {
    "any": ["No significant abnormality detected.", "Normal chest X-ray.", "Normal study.",
            "No active chest disease.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
            "No radiological abnormality seen.", "Unremarkable chest X-ray.", "No acute cardiopulmonary findings."],
    "medical": ["No radiological evidence of active pulmonary tuberculosis. Normal chest X-ray.",
                "Normal chest X-ray. No evidence of active or old TB.", "Chest X-ray within normal limits. FIT.",
                "No active lung lesion. Normal study."],
}

OTHERWISE_IMP = ["No acute cardiopulmonary abnormality.", "No active lung disease.", "No acute chest findings.",
                 "No active lung lesion.", "No acute cardiopulmonary process."]

ORD = ["4th", "5th", "6th", "7th", "8th", "9th"]


def fnd(key, occ, find, imp, sig, side=None, chronic=False, neg_imp=None, neg_find_line=None, settings=None):
    return dict(key=key, occ=occ, find=find, imp=imp, sig=sig, side=side, chronic=chronic, neg_imp=neg_imp,
                neg_find_line=neg_find_line, settings=settings or ["ed", "ward", "icu", "medical"])


def make_finding(rng: random.Random, key: str, side: str | None = None) -> dict:
    s = side or rng.choice(["right", "left"])
    S = s.capitalize()
    if key == "consolidation":
        zone = rng.choice(["lower", "mid", "mid and lower", "upper"])
        find = rng.choice([
            f"Patchy consolidation is seen in the {s} {zone} zone.",
            f"Air space opacification is noted in the {s} {zone} zone, likely pneumonic consolidation.",
            f"Inhomogeneous opacity in the {s} {zone} zone with air bronchogram.",
            f"There is consolidation of the {s} lower lobe with silhouetting of the {s} hemidiaphragm."])
        imp = rng.choice([f"{S} {zone} zone consolidation, likely pneumonia. Kindly correlate clinically.",
                          f"{S} sided pneumonic consolidation.", f"Features of {s} {zone} zone pneumonia.",
                          f"{S} {zone} zone consolidation - ? infective. Follow up film after treatment advised."])
        return fnd(key, ["lungs", "diaph"], find, imp, True, s, neg_imp=rng.choice(
            ["No consolidation.", "Lungs are clear.", "No pneumonic consolidation seen."]),
            settings=["ed", "ward", "icu"])
    if key == "effusion_small":
        find = rng.choice([f"Blunting of the {s} costophrenic angle, suggestive of a small pleural effusion.",
                           f"Small {s} pleural effusion.", f"Minimal {s} pleural effusion is seen.",
                           f"Obliterated {s} CP angle due to a small effusion."])
        imp = rng.choice([f"Small {s} pleural effusion.", f"Minimal {s} pleural effusion.",
                          f"Small {s} sided effusion."])
        return fnd(key, ["pleura"], find, imp, False, s, neg_imp=rng.choice(
            ["No pleural effusion.", "No effusion.", "Clear costophrenic angles."]), settings=["ed", "ward", "icu"])
    if key == "effusion_mod":
        size = rng.choice(["moderate", "moderate to large", "large"])
        find = rng.choice([f"There is a {size} {s} pleural effusion with underlying basal atelectasis.",
                           f"Homogeneous opacity in the {s} lower zone with meniscus sign, in keeping with a {size} "
                           f"pleural effusion.",
                           f"{S} {size} pleural effusion obscuring the {s} hemidiaphragm."])
        imp = rng.choice([f"{S.capitalize()} {size} pleural effusion.", f"{size.capitalize()} {s} pleural effusion.",
                          f"{size.capitalize()} {s} sided pleural effusion. Suggest ultrasound guided tap if "
                          f"clinically indicated."])
        return fnd(key, ["pleura", "diaph", "lungs"], find, imp, True, s, neg_imp=rng.choice(
            ["No pleural effusion.", "No effusion."]), settings=["ed", "ward", "icu"])
    if key == "pneumothorax":
        find = rng.choice([f"{S} sided pneumothorax with visible visceral pleural line, no mediastinal shift.",
                           f"There is a {s} apical pneumothorax.",
                           f"Small {s} pneumothorax along the lateral chest wall, about 1.5 cm rim."])
        imp = rng.choice([f"{S} pneumothorax. Findings conveyed to the treating physician.",
                          f"{S} sided pneumothorax - urgent clinical attention.",
                          f"{S} pneumothorax, no tension."])
        return fnd(key, ["pleura", "lungs"], find, imp, True, s, neg_imp="No pneumothorax.",
                   settings=["ed", "icu"])
    if key == "cardiomegaly":
        find = rng.choice(["Heart is mildly enlarged.", "Mild cardiomegaly (CTR about 0.55).",
                           "The cardiac silhouette is mildly enlarged."])
        imp = rng.choice(["Mild cardiomegaly.", "Mildly enlarged heart.", "Cardiomegaly, mild."])
        return fnd(key, ["heart"], find, imp, False, None, neg_imp=rng.choice(
            ["Normal heart size.", "Heart size is within normal limits."]), settings=["ed", "ward", "icu"])
    if key == "oedema":
        find = rng.choice(["Cardiomegaly with upper lobe venous diversion and bilateral perihilar haziness, "
                           "in keeping with pulmonary oedema.",
                           "Bilateral perihilar bat-wing opacities with Kerley B lines and prominent pulmonary "
                           "vasculature.",
                           "Enlarged heart with pulmonary venous congestion and interstitial oedema."])
        imp = rng.choice(["Cardiomegaly with pulmonary oedema.", "Features of pulmonary oedema / fluid overload.",
                          "Congestive cardiac failure with pulmonary oedema."])
        return fnd(key, ["lungs", "heart"], find, imp, True, None, neg_imp=rng.choice(
            ["No pulmonary oedema.", "No features of cardiac failure."]), settings=["ward", "icu", "ed"])
    if key == "atelectasis":
        find = rng.choice([f"Linear plate atelectasis at the {s} lung base.",
                           f"Subsegmental atelectasis in the {s} lower zone.",
                           f"Band atelectasis in the {s} base."])
        imp = rng.choice([f"{S} basal atelectasis.", f"Minor {s} basal atelectasis.",
                          f"Subsegmental atelectasis, {s} base."])
        return fnd(key, ["lungs"], find, imp, False, s, settings=["ward", "icu", "ed"])
    if key == "nodule":
        n = rng.choice([8, 9, 10, 12, 14, 15, 18])
        zone = rng.choice(["upper", "mid", "lower"])
        find = rng.choice([f"A well defined nodule about {n} mm is seen in the {s} {zone} zone.",
                           f"Rounded opacity measuring {n} mm in the {s} {zone} zone.",
                           f"There is a {n} mm soft tissue nodule projected over the {s} {zone} zone."])
        imp = rng.choice([f"{n} mm nodule in the {s} {zone} zone. CT chest is recommended for further evaluation.",
                          f"{S} {zone} zone nodule ({n} mm) - further evaluation with CT advised.",
                          f"Indeterminate {s} {zone} zone pulmonary nodule; suggest CT chest."])
        return fnd(key, ["lungs"], find, imp, True, s, neg_imp="No pulmonary nodule or mass.",
                   settings=["medical", "ed", "ward"])
    if key == "granuloma":
        find = rng.choice([f"Small calcified granuloma in the {s} upper zone.",
                           f"A tiny calcified focus in the {s} mid zone, likely a granuloma."])
        imp = rng.choice(["Calcified granuloma, likely old healed.", f"Old calcified granuloma, {s} lung."])
        return fnd(key, ["lungs"], find, imp, False, s, chronic=True)
    if key == "oldtb":
        find = rng.choice([f"Fibrotic strands with few calcific foci in the {s} upper zone with mild volume loss.",
                           f"Fibro-calcific changes noted in the {s} apical region."])
        imp = rng.choice([f"Fibro-calcific changes in the {s} upper zone, likely old healed TB. Kindly correlate "
                          f"with sputum AFB if clinically indicated.",
                          f"{S} apical fibrosis, likely sequelae of old healed tuberculosis."])
        return fnd(key, ["lungs"], find, imp, False, s, chronic=True, settings=["medical", "ed"])
    if key == "spine":
        find = rng.choice(["Degenerative changes in the dorsal spine.", "Marginal osteophytes in the thoracic spine.",
                           "Spondylotic changes of the dorsal spine."])
        imp = rng.choice(["Dorsal spondylosis.", "Degenerative changes of the dorsal spine."])
        return fnd(key, ["bones"], find, imp, False, None, chronic=True, settings=["ed", "ward", "medical"])
    if key == "oldrib":
        o = rng.choice(ORD)
        find = rng.choice([f"Old healed fracture of the {s} {o} rib.", f"Healed {s} {o} rib fracture with callus."])
        imp = f"Old healed {s} {o} rib fracture."
        return fnd(key, ["bones"], find, imp, False, s, chronic=True)
    if key == "aorta":
        find = rng.choice(["Unfolded aorta.", "Calcification of the aortic knuckle.", "Unfolded and atherosclerotic "
                           "thoracic aorta."])
        imp = rng.choice(["Unfolded aorta.", "Atherosclerotic aorta."])
        return fnd(key, ["medi"], find, imp, False, None, chronic=True, settings=["ed", "ward"])
    if key == "copd":
        find = rng.choice(["Both lungs are hyperinflated with flattened hemidiaphragms.",
                           "Hyperinflated lung fields with increased retrosternal airspace and flat domes of "
                           "diaphragm."])
        imp = rng.choice(["Hyperinflated lungs, in keeping with COPD.", "Features of chronic obstructive airway "
                          "disease."])
        return fnd(key, ["lungs", "diaph"], find, imp, False, None, settings=["ed", "ward"])
    if key == "bronchitic":
        find = rng.choice(["Increased bronchovascular markings in both lower zones.",
                           "Prominent bronchovascular markings bilaterally with peribronchial cuffing."])
        imp = rng.choice(["Bronchitic changes.", "Prominent bronchovascular markings - ? bronchitis."])
        return fnd(key, ["lungs"], find, imp, False, None, settings=["ed"])
    if key == "lines":
        cm = rng.choice(["3", "4", "4.5", "5"])
        find = rng.choice([
            f"ETT tip is about {cm} cm above the carina. NG tube is seen traversing below the diaphragm. "
            f"{S} internal jugular central line with tip in the SVC.",
            f"Endotracheal tube in situ, tip {cm} cm above the carina. {S} IJ CVC tip projects over the SVC. "
            f"Nasogastric tube tip in the stomach.",
            f"{S} subclavian central venous catheter with tip at the cavo-atrial junction. ETT tip {cm} cm above "
            f"the carina."])
        imp = rng.choice([f"ETT and {s} IJ line in satisfactory position.",
                          f"Lines and tubes in satisfactory position ({s} CVC tip in SVC).",
                          f"Satisfactory position of ETT and {s} sided CVC. No pneumothorax."])
        return fnd(key, ["medi"], find, imp, False, s, settings=["icu"])
    if key == "freeair":
        find = rng.choice([f"Free gas is seen under the {s} hemidiaphragm.",
                           f"Crescent of free intraperitoneal air beneath the {s} dome of diaphragm."])
        imp = rng.choice(["Pneumoperitoneum - free air under the diaphragm. Findings communicated to the "
                          "surgical team.", f"Free gas under the {s} hemidiaphragm, suggestive of hollow viscus "
                          "perforation. Urgent surgical consultation."])
        return fnd(key, ["diaph"], find, imp, True, s, neg_imp="No free air under the diaphragm.", settings=["ed"])
    if key == "mediastinum":
        find = rng.choice(["The superior mediastinum appears widened (about 9 cm) on this AP film.",
                           "Widened mediastinum with indistinct aortic knuckle."])
        imp = rng.choice(["Widened mediastinum; CT aortogram recommended to exclude aortic injury.",
                          "Widened superior mediastinum - suggest CT chest with contrast."])
        return fnd(key, ["medi"], find, imp, True, None, neg_imp="Mediastinum is not widened.", settings=["ed"])
    if key == "ribfx":
        o = rng.choice(ORD)
        find = rng.choice([f"Undisplaced fracture of the {s} {o} rib laterally.",
                           f"Fracture of the {s} {o} rib posteriorly with minimal displacement."])
        imp = rng.choice([f"Fracture {s} {o} rib. No pneumothorax.", f"Acute {s} {o} rib fracture, no "
                          f"pneumothorax or haemothorax."])
        return fnd(key, ["bones"], find, imp, False, s, settings=["ed"])
    raise KeyError(key)


# weights for clean composed abnormal reports (ordinary mix)
CLEAN_MIX = [("cardiomegaly", 6), ("consolidation", 6), ("effusion_small", 4), ("atelectasis", 4),
             ("granuloma", 4), ("spine", 4), ("aorta", 3), ("copd", 3), ("bronchitic", 3), ("oedema", 3),
             ("lines", 4), ("effusion_mod", 2), ("oldtb", 2), ("oldrib", 2), ("nodule", 1), ("pneumothorax", 1),
             ("ribfx", 2)]
SIG_KEYS = ["consolidation", "effusion_mod", "pneumothorax", "oedema", "nodule", "freeair", "mediastinum"]
SIG_W = [8, 5, 3, 5, 2, 1, 1]
SIDE_KEYS = ["consolidation", "effusion_small", "effusion_mod", "pneumothorax", "atelectasis", "nodule", "lines",
             "ribfx", "oldtb"]


def wpick(rng: random.Random, pairs: list) -> str:
    keys = [k for k, _ in pairs]
    ws = [w for _, w in pairs]
    return rng.choices(keys, ws)[0]


def setting_for(rng: random.Random, finds: list[dict]) -> str:
    allowed = set(["medical", "ed", "ward", "icu"])
    for f in finds:
        allowed &= set(f["settings"])
    if not finds:
        allowed.discard("icu")
    opts = [s for s in ["ed", "ward", "icu", "medical"] if s in allowed] or ["ed"]
    w = {"medical": 4, "ed": 4, "ward": 2, "icu": 2}
    return rng.choices(opts, [w[o] for o in opts])[0]


def findings_text(rng: random.Random, finds: list[dict], drop_normal: set | None = None) -> list[str]:
    occ = set()
    for f in finds:
        occ |= set(f["occ"])
    lines = [f["find"] for f in finds]
    focal = ("consolidation", "nodule", "granuloma", "atelectasis", "oldtb")
    if finds and all(f["key"] in focal for f in finds) and rng.random() < 0.5:
        lines.append(rng.choice(["Rest of the lung fields are clear.", "Remaining lungs are clear."]))
    order = ["lungs", "pleura", "heart", "medi", "diaph", "bones"]
    normals = []
    for a in order:
        if a in occ or (drop_normal and a in drop_normal):
            continue
        if a in ("diaph", "medi") and rng.random() < 0.35:
            continue
        normals.append(rng.choice(NORMAL_LINES[a]))
    if rng.random() < 0.5:
        return lines + normals
    return normals[:1] + lines + normals[1:] if normals and not lines else lines + normals


def compose_base(rng: random.Random, finds: list[dict]) -> dict:
    setting = setting_for(rng, finds)
    st = SETTINGS[setting]
    style = rng.choice(STYLES)
    comp = rng.choice(["None.", "None available.", "No previous film for comparison.", "Nil.",
                       "Previous CXR of last year, no significant interval change in the normal areas."]
                      if setting != "icu" else ["Previous portable film of yesterday.", "None.",
                                                "CXR dated two days ago."])
    if comp.startswith("Previous CXR of last"):
        comp = "Previous chest X-ray of last year."
    exam = rng.choice(st["exam"])
    ap = bool(re.search(r"\bAP\b", exam))
    techs = [t for t in TECH[setting] if bool(re.search(r"\bAP\b", t)) == ap] or [None]
    if "LAT" in exam:
        techs = ["PA and lateral views.", "Erect PA and left lateral views."]
    return dict(setting=setting, style=style, exam=exam, hist=rng.choice(st["hist"]),
                comp=comp if rng.random() < 0.7 else None,
                tech=rng.choice(techs) if rng.random() < 0.55 else None)


def impression_for(rng: random.Random, setting: str, finds: list[dict], allow_omit: bool = True) -> str:
    parts = []
    for f in finds:
        if allow_omit and f["chronic"] and rng.random() < 0.35:
            continue
        parts.append(f["imp"])
    if not parts:
        if finds:
            return rng.choice(OTHERWISE_IMP)
        return rng.choice(NORMAL_IMP["any"] + (NORMAL_IMP["medical"] * 2 if setting == "medical" else []))
    if len(parts) > 1 and rng.random() < 0.6:
        return "\n".join(f"{i}. {p}" for i, p in enumerate(parts, 1))
    return " ".join(parts)


def join_find(rng: random.Random, lines: list[str]) -> str:
    if rng.random() < 0.35:
        return "\n".join(f"- {x}" for x in lines)
    if rng.random() < 0.5:
        return "\n".join(lines)
    return " ".join(lines)


def render(rng: random.Random, base: dict, find_lines: list[str] | None, imp: str | None, **kw) -> str:
    fx = join_find(rng, find_lines) if find_lines else None
    return assemble(rng, base["style"], base["exam"], base["hist"], base["comp"], base["tech"], fx, imp, **kw)


def composed_clean(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.62:
        finds = []
    else:
        k = wpick(rng, CLEAN_MIX)
        finds = [make_finding(rng, k)]
        if rng.random() < 0.25:
            k2 = wpick(rng, [p for p in CLEAN_MIX if p[0] not in (k, "oedema", "cardiomegaly", "copd")
                             and p[0] not in ("consolidation", "effusion_mod", "pneumothorax")])
            finds.append(make_finding(rng, k2))
    base = compose_base(rng, finds)
    imp = impression_for(rng, base["setting"], finds)
    return render(rng, base, findings_text(rng, finds), imp), ""


def composed_omits(rng: random.Random) -> tuple[str, str]:
    k = rng.choices(SIG_KEYS, SIG_W)[0]
    f = make_finding(rng, k)
    finds = [f]
    extra = None
    if rng.random() < 0.3:
        extra = make_finding(rng, rng.choice(["spine", "granuloma", "aorta", "cardiomegaly"]))
        if (extra["key"], k) in (("cardiomegaly", "oedema"), ("aorta", "mediastinum")):
            extra = None
        else:
            finds.append(extra)
    base = compose_base(rng, finds)
    if extra is not None and rng.random() < 0.6:
        imp = extra["imp"] + " " + rng.choice(["Otherwise normal study.", "No other significant abnormality.",
                                              "No acute cardiopulmonary abnormality."])
    else:
        pool = NORMAL_IMP["any"] + OTHERWISE_IMP + (NORMAL_IMP["medical"] if base["setting"] == "medical" else [])
        imp = rng.choice(pool)
    return render(rng, base, findings_text(rng, finds), imp), (
        f"findings affirm '{f['find']}' but the impression ('{imp}') leaves it out (normal macro pasted)")


def composed_laterality(rng: random.Random) -> tuple[str, str]:
    k = rng.choice(SIDE_KEYS)
    f = make_finding(rng, k)
    finds = [f]
    base = compose_base(rng, finds)
    s = f["side"]
    o = "left" if s == "right" else "right"
    fl = findings_text(rng, finds)
    imp = impression_for(rng, base["setting"], finds, allow_omit=False)
    if rng.random() < 0.55:
        new = re.sub(rf"\b{s}\b", o, imp, count=1)
        new = re.sub(rf"\b{s.capitalize()}\b", o.capitalize(), new, count=1) if new == imp else new
        imp = new
        det = f"impression puts the {k} on the {o}; findings say {s}"
    else:
        i = fl.index(f["find"])
        line = fl[i]
        new = re.sub(rf"\b{s}\b", o, line, count=1)
        if new == line:
            new = re.sub(rf"\b{s.capitalize()}\b", o.capitalize(), line, count=1)
        fl[i] = new
        det = f"findings put the {k} on the {o}; impression says {s}"
    return render(rng, base, fl, imp), det


def composed_negation(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.45:
        k = rng.choice(["consolidation", "effusion_small", "effusion_mod", "pneumothorax", "cardiomegaly", "oedema",
                        "nodule", "freeair"])
        f = make_finding(rng, k)
        base = compose_base(rng, [f])
        fl = findings_text(rng, [f])
        neg = f["neg_imp"]
        imp = neg + " " + rng.choice(["No other abnormality.", "Otherwise normal chest X-ray.", "", ""])
        return render(rng, base, fl, imp.strip()), f"findings affirm '{f['find']}' but impression says '{neg}'"
    if r < 0.8:
        k = rng.choice(["consolidation", "effusion_small", "pneumothorax", "cardiomegaly", "effusion_mod"])
        f = make_finding(rng, k)
        base = compose_base(rng, [f])
        neg_line = {"consolidation": "Both lung fields are clear, no consolidation.",
                    "effusion_small": "Both costophrenic angles are clear. No pleural effusion.",
                    "effusion_mod": "No pleural effusion.", "pneumothorax": "No pneumothorax.",
                    "cardiomegaly": "Heart size is normal."}[k]
        fl = findings_text(rng, [], drop_normal=set(f["occ"]))
        fl.insert(rng.randrange(len(fl) + 1), neg_line)
        imp = f["imp"]
        return render(rng, base, fl, imp), f"findings state '{neg_line}' but impression asserts '{imp}'"
    # two sentences of the findings contradict each other
    k = rng.choice(["consolidation", "effusion_small", "cardiomegaly"])
    f = make_finding(rng, k)
    base = compose_base(rng, [f])
    clash = {"consolidation": "Both lung fields are clear.", "effusion_small": "Both CP angles are clear.",
             "cardiomegaly": "Cardiac size is within normal limits."}[k]
    fl = findings_text(rng, [f])
    fl.insert(0, clash)
    imp = f["imp"]
    return render(rng, base, fl, imp), f"findings say '{clash}' and also '{f['find']}'"


PH_FIELD = ["[***]", "***", "[ ]", "<<>>", "[...]", "[    ]", "<  >", "[R/L]", "[RIGHT/LEFT]", "{ }", "[xx]"]


def composed_placeholder(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.35:
        k = rng.choice(SIDE_KEYS)
        f = make_finding(rng, k)
        base = compose_base(rng, [f])
        fl = findings_text(rng, [f])
        imp = impression_for(rng, base["setting"], [f], allow_omit=False)
        tok = rng.choice(["[R/L]", "[right/left]", "[***]", "[ ]", "<side>", "***"])
        i = fl.index(f["find"])
        fl[i] = re.sub(rf"\b{f['side']}\b", tok, fl[i], count=1, flags=re.I)
        return render(rng, base, fl, imp), f"side in '{f['find']}' left as template field {tok}"
    if r < 0.55:
        f = make_finding(rng, rng.choice(["nodule", "lines", "cardiomegaly"]))
        base = compose_base(rng, [f])
        fl = findings_text(rng, [f])
        imp = impression_for(rng, base["setting"], [f], allow_omit=False)
        i = fl.index(f["find"])
        tok = rng.choice(["...", "[ ]", "**", "[xx]", "( )"])
        new = re.sub(r"\b\d+(\.\d+)?\b", tok, fl[i], count=1)
        if new == fl[i]:
            new = fl[i].replace("mildly", tok, 1).replace("Mild ", f"{tok} ", 1)
        if new == fl[i]:
            new = fl[i].rstrip(".") + f" (CTR {tok})."
        fl[i] = new
        return render(rng, base, fl, imp), f"measurement field left unfilled ({tok}) in '{f['find']}'"
    if r < 0.75:
        base = compose_base(rng, [])
        fl = findings_text(rng, [])
        imp = impression_for(rng, base["setting"], [])
        tok = rng.choice(["[***]", "***", "<<clinical history>>", "[ ]", "[Clinical details]", "____?"])
        if tok == "____?":
            tok = "[ ]"
        base["hist"] = tok
        return render(rng, base, fl, imp), f"clinical history field left as {tok}"
    if r < 0.87:
        base = compose_base(rng, [])
        fl = findings_text(rng, [])
        imp = impression_for(rng, base["setting"], [])
        tok = rng.choice(["[date]", "[DATE OF PREVIOUS]", "<<date>>", "***"])
        base["comp"] = rng.choice([f"Previous CXR dated {tok}.", f"Compared with study of {tok}."])
        return render(rng, base, fl, imp), f"comparison date field left as {tok}"
    f = make_finding(rng, rng.choice(["cardiomegaly", "consolidation", "effusion_small"]))
    base = compose_base(rng, [f])
    fl = findings_text(rng, [f])
    tok = rng.choice(["[***]", "<<>>", "[ ]"])
    imp = f["imp"] + " " + rng.choice([f"Suggest {tok}.", f"Recommend {tok} correlation.", f"{tok}"])
    return render(rng, base, fl, imp), f"impression ends with unfilled field {tok}"


def composed_missing(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    finds = [] if rng.random() < 0.5 else [make_finding(rng, wpick(rng, CLEAN_MIX))]
    base = compose_base(rng, finds)
    fl = findings_text(rng, finds)
    if r < 0.4:
        return render(rng, base, fl, None), "impression header present but left empty"
    if r < 0.6:
        return render(rng, base, fl, None, drop_imp_header=True), "no impression/conclusion section at all"
    if r < 0.75:
        return render(rng, base, fl, rng.choice(["-", "."])), "impression contains only a stray punctuation mark"
    imp = rng.choice(["As above.", "Please see above.", "Comparison with previous is advised.",
                      "Kindly correlate clinically.", "Follow up as clinically indicated."])
    return render(rng, base, None, imp), f"findings section empty; impression only says '{imp}'"


# --------------------------------------------------------------------------------------------------------------
# real reports, re-laid-out
# --------------------------------------------------------------------------------------------------------------

def real_layout(rng: random.Random, rep: dict, findings: str | None, impression: str | None, **kw) -> str:
    style = rng.choice(STYLES)
    exam = rng.choice(["CHEST RADIOGRAPH", "X-RAY CHEST", "CXR", "CHEST X-RAY"])
    if re.search(r"\blateral\b", (findings or "") + " " + (impression or ""), re.I):
        exam = rng.choice(["CHEST X-RAY PA AND LATERAL", "X-RAY CHEST PA/LAT", "CXR 2 VIEWS"])
    ind = rep["indication"]
    hist = reword(ind, rng) if ind else None
    comp = rep["comparison"]
    if comp:
        comp = {"None.": rng.choice(["None.", "None available.", "Nil."])}.get(comp, comp)
        comp = reword(comp, rng)
    else:
        comp = None
    fx = reword(findings, rng) if findings else findings
    ix = reword(impression, rng) if impression else impression
    return assemble(rng, style, exam, hist, comp, None, fx, ix, **kw)


def real_ok(rep: dict) -> bool:
    text = " ".join([rep["findings"], rep["impression"], rep["indication"], rep["comparison"]])
    return bool(rep["findings"] and rep["impression"]) and not ODD.search(text)


def real_clean_ok(rep: dict) -> bool:
    s = sig_sentence(rep["findings"])
    if s:
        m = SIG.search(s).group(1).lower().split()[-1][:6]
        if m not in rep["impression"].lower():
            return False
    return True


def real_omits(rng: random.Random, rep: dict) -> tuple[str, str] | None:
    s = sig_sentence(rep["findings"])
    if not s:
        return None
    imp = rng.choice(NORMAL_IMP["any"] + OTHERWISE_IMP)
    return real_layout(rng, rep, rep["findings"], imp), f"impression replaced by '{imp}'; findings affirm '{s}'"


def real_laterality(rng: random.Random, rep: dict) -> tuple[str, str] | None:
    fs = sents(rep["findings"])
    ims = sents(rep["impression"])
    for j, isent in enumerate(ims):
        sides = {m.lower() for m in SIDE.findall(isent)}
        nouns = {m.lower()[:6] for m in FIND_NOUN.findall(isent)}
        if len(sides) != 1 or not nouns or NEG.search(isent) and not re.search(r"\b(lobe|base|upper|lower)\b", isent):
            continue
        side = sides.pop()
        for i, fsent in enumerate(fs):
            fsides = {m.lower() for m in SIDE.findall(fsent)}
            fnouns = {m.lower()[:6] for m in FIND_NOUN.findall(fsent)}
            if fsides != {side} or not (nouns & fnouns) or re.match(r"\s*no\b", fsent, re.I):
                continue
            other = "left" if side == "right" else "right"
            if re.search(rf"\b{other}\b", rep["findings"] + " " + rep["impression"], re.I):
                return None
            if rng.random() < 0.5:
                ims2 = list(ims)
                ims2[j] = SIDE.sub(lambda m: flip_side(m.group(0)), isent)
                det = f"impression sentence flipped to '{ims2[j]}'; findings: '{fsent}'"
                return real_layout(rng, rep, rep["findings"], " ".join(ims2)), det
            fs2 = list(fs)
            fs2[i] = SIDE.sub(lambda m: flip_side(m.group(0)), fsent)
            det = f"findings sentence flipped to '{fs2[i]}'; impression: '{isent}'"
            return real_layout(rng, rep, " ".join(fs2), rep["impression"]), det
    return None


NEG_SRC = [
    (re.compile(r"\bno (?:\w+ )?pleural effusions?\b|\bno (?:\w+ )?effusions?\b", re.I),
     ["Small right pleural effusion.", "Small left pleural effusion.", "Bilateral small pleural effusions.",
      "Blunted left CP angle due to a small effusion."]),
    (re.compile(r"\bno (?:\w+ )?pneumothorax\b|pneumothorax is not", re.I),
     ["Small right apical pneumothorax.", "Small left pneumothorax."]),
    (re.compile(r"heart (?:size )?is normal|heart size (?:is )?(?:within )?normal|normal heart size|"
                r"cardiac silhouette is normal|heart is normal in size", re.I),
     ["Cardiomegaly.", "Mild cardiomegaly.", "Enlarged cardiac silhouette."]),
    (re.compile(r"lungs are clear|no (?:focal )?(?:airspace )?consolidation", re.I),
     ["Right lower zone consolidation, likely pneumonia.", "Left basal pneumonic consolidation.",
      "Patchy airspace opacity in the right mid zone - ? infection."]),
]


def real_negation(rng: random.Random, rep: dict) -> tuple[str, str] | None:
    s = sig_sentence(rep["findings"])
    if s and rng.random() < 0.4:
        kw = SIG.search(s).group(1).lower()
        neg = ("No pneumothorax." if "pneumothorax" in kw else "No pleural effusion." if "effusion" in kw
               else "No pulmonary oedema." if "edema" in kw else rng.choice(["No consolidation.", "Lungs are clear."]))
        imp = neg + " " + rng.choice(["No acute cardiopulmonary abnormality.", "", "Otherwise unremarkable."])
        return real_layout(rng, rep, rep["findings"], imp.strip()), f"impression says '{neg}'; findings: '{s}'"
    opts = [(rx, outs) for rx, outs in NEG_SRC if rx.search(rep["findings"])]
    if not opts:
        return None
    rx, outs = rng.choice(opts)
    if sig_sentence(rep["findings"]):
        return None
    m = rx.search(rep["findings"]).group(0)
    add = rng.choice(outs)
    if rng.random() < 0.5:
        imp = add
    else:
        imp = rep["impression"].rstrip(" .") + ". " + add
    return real_layout(rng, rep, rep["findings"], imp), f"findings say '{m}' but impression asserts '{add}'"


def real_placeholder(rng: random.Random, rep: dict) -> tuple[str, str] | None:
    r = rng.random()
    f = rep["findings"]
    tok = rng.choice(["[***]", "***", "[ ]", "<<>>", "[...]", "{ }"])
    if r < 0.45:
        cands = [m for m in re.finditer(r"\b(right|left|mild|mildly|small|normal|clear|moderate|upper|lower)\b", f,
                                         re.I)]
        if not cands:
            return None
        m = rng.choice(cands)
        f2 = f[:m.start()] + tok + f[m.end():]
        return real_layout(rng, rep, f2, rep["impression"]), f"word '{m.group(0)}' in findings replaced by {tok}"
    if r < 0.7:
        ims = rep["impression"]
        cands = [m for m in re.finditer(r"\b(acute|right|left|mild|normal|no|stable|cardiopulmonary|disease)\b", ims,
                                        re.I)]
        if not cands:
            return None
        m = rng.choice(cands)
        i2 = ims[:m.start()] + tok + ims[m.end():]
        return real_layout(rng, rep, f, i2), f"word '{m.group(0)}' in impression replaced by {tok}"
    if r < 0.85:
        rep2 = dict(rep, indication=rng.choice(["[***]", "<<clinical history>>", "[ ]", "***"]))
        return real_layout(rng, rep2, f, rep["impression"]), f"clinical history left as {rep2['indication']}"
    rep2 = dict(rep, comparison=rng.choice(["Previous study dated [date].", "CXR of <<date>>.",
                                            "Prior film dated ***."]))
    return real_layout(rng, rep2, f, rep["impression"]), f"comparison date left unfilled: {rep2['comparison']}"


def real_missing(rng: random.Random, rep: dict) -> tuple[str, str] | None:
    r = rng.random()
    short = len(rep["impression"].split()) <= 7 and not FIND_NOUN.search(rep["impression"])
    if r < 0.3 and short:
        return real_layout(rng, rep, None, rep["impression"]), "findings section left empty"
    if r < 0.7:
        return real_layout(rng, rep, rep["findings"], None), "impression section left empty"
    return real_layout(rng, rep, rep["findings"], None, drop_imp_header=True), "impression section absent"


REAL_FN = {"impression_omits_finding": real_omits, "laterality_conflict": real_laterality,
           "negation_conflict": real_negation, "placeholder": real_placeholder, "missing_section": real_missing}
COMP_FN = {"impression_omits_finding": composed_omits, "laterality_conflict": composed_laterality,
           "negation_conflict": composed_negation, "placeholder": composed_placeholder,
           "missing_section": composed_missing}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h87-{seed}")
    dev = dev_uids()
    pool = [r for r in load_iu() if r["uid"] not in dev and real_ok(r)]
    rng.shuffle(pool)
    used: set[str] = set()
    rows: list[dict] = []

    def take_real(kind: str, n: int) -> None:
        got = 0
        for rep in pool:
            if got >= n:
                break
            if rep["uid"] in used:
                continue
            res = REAL_FN[kind](rng, rep)
            if res is None:
                continue
            used.add(rep["uid"])
            rows.append({"injected": kind, "detail": f"real IU report {rep['uid']}: {res[1]}", "report": res[0],
                         "_uid": rep["uid"]})
            got += 1
        if got < n:
            raise RuntimeError(f"only {got} real reports usable for {kind}")

    # scarce kinds first
    for kind in ["laterality_conflict", "impression_omits_finding", "negation_conflict", "missing_section",
                 "placeholder"]:
        take_real(kind, N_KIND // 2)
    # real clean: about 60 % tagged normal, the rest ordinary abnormal reports
    normals = [r for r in pool if r["uid"] not in used and r["normal"]]
    abn = [r for r in pool if r["uid"] not in used and not r["normal"] and real_clean_ok(r)]
    n_norm = 60
    for rep in normals[:n_norm] + abn[:N_CLEAN // 2 - n_norm]:
        used.add(rep["uid"])
        rows.append({"injected": None, "detail": f"real IU report {rep['uid']}, unmodified content",
                     "report": real_layout(rng, rep, rep["findings"], rep["impression"]),
                     "_uid": rep["uid"]})
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            rep, det = COMP_FN[kind](rng)
            rows.append({"injected": kind, "detail": f"composed: {det}", "report": rep, "_uid": None})
    for _ in range(N_CLEAN // 2):
        rep, _d = composed_clean(rng)
        rows.append({"injected": None, "detail": "composed, clean", "report": rep, "_uid": None})
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        out.append({"id": f"h87-{seed}-{n}", "injected": r["injected"], "detail": r["detail"], "report": r["report"]})
    return out


def main(argv: list[str] | None = None) -> None:
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
                print(f"===== {r['id']} [{kind}] {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}")


if __name__ == "__main__":
    main()
