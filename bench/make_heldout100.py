"""Held-out report-check set 100, written blind.

Setting: national and provincial hospitals of Fiji, Papua New Guinea, Samoa, Tonga and Solomon
Islands (Colonial War Memorial Suva, Lautoka, Labasa, Port Moresby General, Angau Memorial,
Tupua Tamasese Meaole Apia, Vaiola Nuku'alofa, National Referral Hospital Honiara).  Chest X-ray
reports written in English by local and expatriate radiologists and medical officers for
outpatients, emergency, medical wards, TB and diabetes clinics, and pre-employment /
overseas-work (RSE, PALM, visa) medicals.  British spelling, zone-based description, the
abbreviations of the region (c/o, SOB, /52, PTB, DM2, CCF, NAD, CTR), exam line, clinical
history, comparison, technique, findings, impression / conclusion / opinion and sign-off lines.

400 cases: 200 clean (``injected`` null) and 40 each of ``missing_section``,
``laterality_conflict``, ``negation_conflict``, ``impression_omits_finding`` and ``placeholder``.
Half of every group is composed from the phrase bank below, half are real IU reports
(never one whose uid is in the development set) re-laid-out and lightly re-worded in the
setting's style.  ``XXXX`` in the real reports is the collection's de-identification mask.

    python -m bench.make_heldout100 OUT.jsonl --seed S [--show N]
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

KINDS = (
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
)
N_CLEAN = 200
N_PER_KIND = 40

_REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else _REPO.parent / "shared"


def reports_tgz() -> Path:
    return shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"


def dev_jsonl() -> Path:
    return shared_dir() / "eval" / "report_errors_dev.jsonl"


# --------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------

_IU_CACHE: list[dict] | None = None


def load_dev_uids() -> set[str]:
    uids = set()
    with open(dev_jsonl(), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    uids.add(uid)
    return uids


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<BR>", " ", text or "", flags=re.I)).strip()


def load_iu() -> list[dict]:
    """All IU reports as dicts (uid, findings, impression, indication, comparison, normal)."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    out = []
    with tarfile.open(reports_tgz(), "r:gz") as tf:
        for member in tf:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            fh = tf.extractfile(member)
            if fh is None:
                continue
            root = ET.fromstring(fh.read())
            uid_el = root.find(".//uId")
            if uid_el is None:
                continue
            rec = {"uid": uid_el.get("id"), "findings": "", "impression": "",
                   "indication": "", "comparison": ""}
            for at in root.iter("AbstractText"):
                label = (at.get("Label") or "").lower()
                if label in rec:
                    rec[label] = _clean(at.text)
            majors = [(m.text or "").strip().lower() for m in root.iter("major")]
            rec["normal"] = majors == ["normal"]
            out.append(rec)
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = out
    return out


# --------------------------------------------------------------------------------------------
# Setting: headers, people, histories
# --------------------------------------------------------------------------------------------

HOSPITALS = [
    "COLONIAL WAR MEMORIAL HOSPITAL, SUVA",
    "CWM Hospital - Department of Radiology",
    "LAUTOKA HOSPITAL - RADIOLOGY",
    "Labasa Hospital, X-ray Department",
    "PORT MORESBY GENERAL HOSPITAL - RADIOLOGY DEPARTMENT",
    "Angau Memorial Provincial Hospital, Lae - Radiology",
    "TUPUA TAMASESE MEAOLE HOSPITAL, APIA - MEDICAL IMAGING",
    "Vaiola Hospital, Nuku'alofa - Radiology Unit",
    "NATIONAL REFERRAL HOSPITAL, HONIARA - X-RAY DEPARTMENT",
]

_PA_TECH = ["PA erect film. Adequate inspiration and penetration.",
            "Single PA view. Satisfactory exposure.",
            "PA erect. Patient slightly rotated.",
            "PA view, good inspiratory effort."]
EXAMS = {
    "Chest X-ray PA view": _PA_TECH,
    "CXR PA": _PA_TECH,
    "CHEST PA ERECT": _PA_TECH,
    "CHEST X-RAY (PA)": _PA_TECH,
    "Chest radiograph, PA": _PA_TECH,
    "Chest PA and lateral": ["PA and lateral views. Adequate inspiration.",
                             "Erect PA and left lateral views."],
    "XR Chest AP (mobile)": ["AP sitting mobile film, patient unable to stand.",
                             "Portable AP film in the ward. Mildly rotated."],
}

SIGNERS = [
    ("Dr S. Naidu", "Consultant Radiologist"),
    ("Dr A. Prasad", "Radiologist"),
    ("Dr Litia Vunibaka", "Medical Officer, Radiology"),
    ("Dr J. Kila", "Consultant Radiologist"),
    ("Dr Mathias Wari", "Registrar, Radiology"),
    ("Dr Fa'amoe Leota", "Senior Medical Officer, Radiology"),
    ("Dr Sione Taufa", "Radiologist"),
    ("Dr 'Ana Fifita", "Medical Officer Radiology"),
    ("Dr R. Sharma", "Consultant Radiologist"),
    ("Dr P. Anderson", "Visiting Radiologist"),
    ("Dr K. Ramanathan", "Consultant Radiologist"),
    ("Dr Jonathan Tagini", "Radiology Registrar"),
    ("Dr H. Mua", "Principal Medical Officer, Radiology"),
]

HISTORY_SYMPT = [
    "c/o cough and fever x 3/52. ? PTB",
    "SOB, ? CCF. Known HTN and DM2.",
    "Productive cough x 2/52. Smoker.",
    "Fever, cough. R/O pneumonia.",
    "Haemoptysis x 2 days. ? PTB",
    "Weight loss, night sweats.",
    "Sudden onset chest pain and SOB.",
    "DM2, fever and cough x 1/52.",
    "Pleuritic chest pain, febrile.",
    "Ward patient, desaturating. ? chest infection",
    "Chronic cough, loss of weight. Sputum AFB pending.",
]

HISTORY_NORMAL = [
    "Pre-employment medical.",
    "Overseas work medical - RSE scheme (NZ).",
    "PALM scheme medical, Australia.",
    "Visa medical. Asymptomatic.",
    "TB contact screening. Asymptomatic.",
    "Routine screening, TB clinic.",
    "DM2 clinic review. Cough x 1/52.",
    "c/o cough and fever x 3/52. ? PTB",
    "Chest pain, ? cause. HTN.",
    "SOB on exertion. Known HTN.",
    "Productive cough x 2/52. Smoker.",
    "Fever, cough. R/O pneumonia.",
    "Pre-op CXR for elective surgery.",
    "Haemoptysis x 2 days. ? PTB",
    "Weight loss, night sweats. HIV neg.",
    "Fall at home, chest wall pain. ? rib fracture",
    "Known asthmatic, wheeze.",
    "Completed PTB treatment 2021. Review.",
    "Diabetic foot sepsis, fever. Ward CXR.",
    "Student medical, overseas scholarship.",
    "Seafarer medical.",
    "Post-partum, fever and cough.",
]

COMPARISON = [
    "None.",
    "Nil available.",
    "No previous films.",
    "No prior imaging for comparison.",
    "Previous film dated {date}.",
    "CXR of {date}.",
    "Compared with film of {date}.",
]


def _date(rng: random.Random, years: tuple = (2021, 2022, 2023)) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice(years)}"


# --------------------------------------------------------------------------------------------
# Phrase bank: normal sentences and findings
# --------------------------------------------------------------------------------------------

NORMAL = {
    "lungs": ["The lungs are clear.", "Both lung fields are clear.",
              "Lung fields are clear with no focal lesion.",
              "No active lung parenchymal lesion is seen.", "Clear lung fields bilaterally."],
    "consol": ["No consolidation or collapse.", "No focal consolidation.",
               "No airspace opacity or collapse is seen."],
    "pleura": ["Both costophrenic angles are clear.", "No pleural effusion.",
               "CP angles are sharp. No effusion.", "No pleural fluid or thickening."],
    "ptx": ["No pneumothorax.", "No pneumothorax seen."],
    "heart": ["Heart size is within normal limits.", "Cardiac size is normal (CTR 0.45).",
              "The heart is not enlarged.", "Normal cardiac size and shape.",
              "Heart size normal, CTR 0.48."],
    "medi": ["Mediastinum is central and not widened.", "Hila are normal in size and position.",
             "Trachea is central. Mediastinal contours are normal.",
             "Both hila are normal."],
    "diaph": ["Both hemidiaphragms are well outlined.", "Domes of the diaphragm are normal.",
              "Hemidiaphragms are smooth and in normal position."],
    "bones": ["Bony thorax is intact.", "No bony abnormality seen.",
              "Visualised bones are unremarkable.", "Ribs and thoracic spine are intact."],
}
NORMAL_ORDER = ["heart", "medi", "lungs", "consol", "pleura", "ptx", "diaph", "bones"]

NORMAL_IMPRESSION = [
    "Normal chest X-ray.",
    "No active disease in the chest.",
    "Normal study.",
    "NAD.",
    "Normal chest radiograph.",
    "No radiological evidence of active pulmonary TB. Normal chest.",
    "Normal CXR. No features of active TB.",
    "No abnormality detected.",
]
MEDICAL_IMPRESSION = [
    "Normal chest X-ray. Fit from a radiological point of view.",
    "Normal chest radiograph. No evidence of active or old TB.",
    "Normal CXR. No radiological contraindication to employment.",
]

# for reports with minor (chronic/incidental) findings left out of the impression
MINOR_OMIT_IMPRESSION = [
    "No acute cardiopulmonary abnormality.",
    "No active lung disease.",
    "No acute disease.",
    "No active chest disease seen.",
]

# normal statements pasted over an impression (impression_omits_finding)
OMIT_MACROS = [
    "Normal chest X-ray.",
    "No acute cardiopulmonary abnormality.",
    "No active chest disease.",
    "No significant abnormality detected.",
    "NAD.",
    "No acute disease.",
    "Normal study. No radiological evidence of active TB.",
    "Unremarkable chest radiograph.",
]

ZONE_FOR = {"lower": "lower", "mid": "mid", "upper": "upper"}

# Each finding: sig = must be in the impression; sided; conflicts = normal groups it contradicts;
# f = findings sentences, i = impression sentences, negimp = impression wording that negates it.
FINDINGS = [
    {"name": "consolidation", "sig": True, "sided": True, "conflicts": {"lungs", "consol"},
     "f": ["There is consolidation in the {side} lower zone with air bronchograms.",
           "Patchy airspace opacities are seen in the {side} mid and lower zones.",
           "Homogeneous opacity in the {side} lower zone obscuring the {side} hemidiaphragm, "
           "consistent with consolidation.",
           "Ill-defined consolidation is noted in the {side} upper zone."],
     "i": ["{Side} lung consolidation, in keeping with pneumonia.",
           "{Side} sided pneumonia. Follow-up film after treatment advised.",
           "Consolidation {side} lung, likely infective. Correlate clinically."],
     "negimp": ["Lungs are clear. No consolidation.", "Clear lung fields. No active disease.",
                "No pneumonia."]},
    {"name": "moderate pleural effusion", "sig": True, "sided": True, "conflicts": {"pleura"},
     "f": ["Moderate {side} pleural effusion with a meniscus.",
           "There is a large {side} pleural effusion opacifying the lower half of the {side} "
           "hemithorax.",
           "Moderate-sized {side} pleural effusion obliterating the {side} costophrenic angle."],
     "i": ["{Side} pleural effusion. Suggest ultrasound-guided tap.",
           "Significant {side} pleural effusion, ? cause. Correlate clinically.",
           "{Side} pleural effusion."],
     "negimp": ["No pleural effusion.", "Costophrenic angles clear. No effusion."]},
    {"name": "pneumothorax", "sig": True, "sided": True, "conflicts": {"ptx", "lungs"},
     "f": ["There is a {side} pneumothorax with a visible lung edge; no mediastinal shift.",
           "{Side} apical pneumothorax measuring about 2 cm.",
           "Large {side} pneumothorax with partial collapse of the {side} lung."],
     "i": ["{Side} pneumothorax. Urgent clinical review advised; ED informed.",
           "{Side} pneumothorax.", "{Side} sided pneumothorax, no tension features."],
     "negimp": ["No pneumothorax.", "No pneumothorax. No active disease."]},
    {"name": "cavitating upper zone lesion", "sig": True, "sided": True,
     "conflicts": {"lungs", "consol"},
     "f": ["Patchy opacities with a thick-walled cavity in the {side} upper zone.",
           "Fibro-cavitating changes with surrounding airspace shadowing in the {side} upper "
           "zone."],
     "i": ["{Side} upper zone cavitating lesion, suspicious for active pulmonary TB. Sputum "
           "AFB / GeneXpert recommended.",
           "Features suggestive of active PTB, {side} upper zone."],
     "negimp": ["No radiological evidence of active TB. Lungs clear.",
                "Clear lungs. No features of PTB."]},
    {"name": "cardiomegaly with congestion", "sig": True, "sided": False,
     "conflicts": {"heart", "lungs"},
     "f": ["Heart is enlarged (CTR 0.62) with upper lobe blood diversion and perihilar haziness. "
           "Kerley B lines at both bases.",
           "Cardiomegaly with prominent upper lobe vessels and bilateral interstitial oedema."],
     "i": ["Cardiomegaly with pulmonary venous congestion / interstitial oedema, in keeping with "
           "CCF.",
           "Features of congestive cardiac failure."],
     "negimp": ["Heart size normal. Lung fields clear.", "Normal heart size. No oedema."]},
    {"name": "lung nodule", "sig": True, "sided": True, "conflicts": {"lungs"},
     "f": ["A {n} mm rounded nodule is seen in the {side} mid zone.",
           "Well-defined {n} mm opacity in the {side} lower zone, not calcified."],
     "i": ["{n} mm nodule {side} lung. CT chest advised.",
           "Non-calcified {side} lung nodule ({n} mm); suggest CT for further evaluation."],
     "negimp": ["Lungs are clear. No focal lesion.", "No lung nodule or mass."]},
    # minor / chronic / incidental
    {"name": "mild cardiomegaly", "sig": False, "sided": False, "conflicts": {"heart"},
     "f": ["Heart is mildly enlarged (CTR 0.54).", "Mild cardiomegaly.",
           "Borderline cardiac size, CTR 0.52."],
     "i": ["Mild cardiomegaly.", "Borderline cardiomegaly, unchanged."],
     "negimp": ["Heart size normal.", "Normal cardiac size."]},
    {"name": "small pleural effusion", "sig": False, "sided": True, "conflicts": {"pleura"},
     "f": ["Blunting of the {side} costophrenic angle, likely a small effusion.",
           "Small {side} pleural effusion."],
     "i": ["Small {side} pleural effusion."],
     "negimp": ["No pleural effusion."]},
    {"name": "old healed TB", "sig": False, "sided": True, "conflicts": {"lungs"},
     "f": ["Fibrotic strands and calcified foci in the {side} upper zone with mild volume loss.",
           "Fibro-calcific changes at the {side} apex."],
     "i": ["Old healed PTB changes {side} upper zone. No active disease.",
           "Fibrocalcific changes {side} apex, likely old TB."],
     "negimp": ["Lungs are clear."]},
    {"name": "calcified granuloma", "sig": False, "sided": True, "conflicts": {"lungs"},
     "f": ["Small calcified granuloma in the {side} mid zone.",
           "Punctate calcified granuloma projected over the {side} lower zone."],
     "i": ["Calcified granuloma {side} lung, incidental."],
     "negimp": ["Lungs are clear."]},
    {"name": "hyperinflation", "sig": False, "sided": False, "conflicts": {"diaph"},
     "f": ["Lungs are hyperinflated with flattened hemidiaphragms.",
           "Hyperexpanded lungs, flattened domes of the diaphragm."],
     "i": ["Hyperinflated lungs, in keeping with COPD / asthma.", "Changes of COPD."],
     "negimp": ["Normal lung volumes."]},
    {"name": "old rib fracture", "sig": False, "sided": True, "conflicts": {"bones"},
     "f": ["Old healed fracture of the {side} {ord} rib.",
           "Healed {side} {ord} rib fracture with callus."],
     "i": ["Old healed {side} rib fracture."],
     "negimp": ["No rib fracture."]},
    {"name": "degenerative spine", "sig": False, "sided": False, "conflicts": {"bones"},
     "f": ["Mild degenerative changes of the thoracic spine.",
           "Spondylotic changes in the dorsal spine."],
     "i": ["Thoracic spondylosis."], "negimp": []},
    {"name": "unfolded aorta", "sig": False, "sided": False, "conflicts": set(),
     "f": ["Unfolded thoracic aorta with calcification of the aortic knuckle."],
     "i": ["Unfolded, calcified aorta."], "negimp": []},
    {"name": "basal atelectasis", "sig": False, "sided": True, "conflicts": {"lungs"},
     "f": ["Linear plate atelectasis at the {side} base."],
     "i": ["Minor {side} basal atelectasis."], "negimp": []},
]
SIG = [f for f in FINDINGS if f["sig"]]
MINOR = [f for f in FINDINGS if not f["sig"]]


def _fill(tpl: str, side: str | None, n: int, ordn: str) -> str:
    side = side or ""
    return tpl.format(side=side, Side=side.capitalize(), n=n, ord=ordn)


class _Inst:
    """A finding with its side and numbers chosen."""

    def __init__(self, rng: random.Random, fd: dict, side: str | None = None):
        self.fd = fd
        self.side = (side or rng.choice(["right", "left"])) if fd["sided"] else None
        self.n = rng.choice([7, 8, 9, 10, 12, 14, 15, 18])
        self.ordn = rng.choice(["5th", "6th", "7th", "8th", "posterior 6th", "lateral 7th"])
        self.fi = rng.randrange(len(fd["f"]))
        self.ii = rng.randrange(len(fd["i"]))

    def f(self, side: str | None = None) -> str:
        return _fill(self.fd["f"][self.fi], side or self.side, self.n, self.ordn)

    def i(self, side: str | None = None) -> str:
        return _fill(self.fd["i"][self.ii], side or self.side, self.n, self.ordn)


def _opp(side: str) -> str:
    return "left" if side == "right" else "right"


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------

def _layout(rng: random.Random, sec: dict, style: int | None = None) -> str:
    """Lay out sections.  sec keys: exam, history, comparison, technique, findings, impression;
    a value None means the section (and its header) is absent; '' means header left empty."""
    style = rng.randrange(5) if style is None else style
    signer, role = rng.choice(SIGNERS)
    hosp = rng.choice(HOSPITALS)
    imp_hdr = rng.choice(["IMPRESSION", "CONCLUSION", "OPINION", "Impression", "Conclusion",
                          "Opinion"])
    fnd_hdr = rng.choice(["FINDINGS", "Findings", "FINDINGS", "Radiological findings"])
    lines: list[str] = []
    if style in (0, 2, 4):
        lines.append(hosp)
    if style == 0:
        lines.append(f"Examination: {sec['exam']}")
        lines.append(f"Clinical history: {sec['history']}")
        if sec.get("comparison") is not None:
            lines.append(f"Comparison: {sec['comparison']}")
    elif style == 1:
        lines.append(f"EXAM: {sec['exam'].upper()}")
        lines.append(f"CLINICAL NOTES: {sec['history']}")
        if sec.get("technique"):
            lines.append(f"TECHNIQUE: {sec['technique']}")
        if sec.get("comparison") is not None:
            lines.append(f"COMPARISON: {sec['comparison']}")
    elif style == 2:
        lines.append(f"{sec['exam'].upper()}")
        lines.append(f"History: {sec['history']}")
    elif style == 3:
        lines.append(f"Exam: {sec['exam']}  Date: {sec['date']}")
        lines.append(f"Indication: {sec['history']}")
        if sec.get("comparison") is not None:
            lines.append(f"Comparison: {sec['comparison']}")
    else:
        lines.append(f"Examination: {sec['exam']}")
        lines.append(f"Clinical details: {sec['history']}")
        if sec.get("technique"):
            lines.append(f"Technique: {sec['technique']}")
    out = "\n".join(lines) + "\n\n"
    if sec.get("findings") is not None:
        out += f"{fnd_hdr}:\n{sec['findings']}\n\n" if style in (0, 2, 4) else \
            f"{fnd_hdr.upper()}: {sec['findings']}\n\n"
    if sec.get("impression") is not None:
        out += f"{imp_hdr}:\n{sec['impression']}\n\n" if style in (0, 2, 4) else \
            f"{imp_hdr.upper()}: {sec['impression']}\n\n"
    if style in (0, 4):
        out += f"{signer}\n{role}"
    elif style == 1:
        out += f"Reported by: {signer}, {role}"
    elif style == 2:
        out += f"{signer} ({role})"
    else:
        out += f"Electronically signed: {signer}, {role}, {sec['date']}"
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


def _base_sections(rng: random.Random, sympt: bool = False) -> dict:
    hist = rng.choice(HISTORY_SYMPT if sympt else HISTORY_NORMAL)
    comp = rng.choice(COMPARISON).format(date=_date(rng))
    exam = rng.choice(sorted(EXAMS))
    return {
        "exam": exam, "history": hist, "comparison": comp,
        "technique": rng.choice(EXAMS[exam]) if rng.random() < 0.4 else None,
        "date": _date(rng, (2024, 2025)),
    }


def _normal_sentences(rng: random.Random, exclude: set[str]) -> list[str]:
    keys = [k for k in NORMAL_ORDER if k not in exclude]
    # most dictations do not mention every structure
    drop = set(rng.sample(keys, k=rng.randint(0, 2))) - {"lungs", "heart"}
    return [rng.choice(NORMAL[k]) for k in keys if k not in drop]


def _is_medical(hist: str) -> bool:
    return any(w in hist.lower() for w in ("medical", "visa", "rse", "palm"))


def _compose_findings(rng: random.Random, insts: list[_Inst], override: dict | None = None
                      ) -> list[str]:
    exclude = set()
    for it in insts:
        exclude |= it.fd["conflicts"]
    sents = _normal_sentences(rng, exclude)
    ab = [(override or {}).get(id(it), it.f()) for it in insts]
    # abnormal findings lead, as most radiologists dictate them
    if rng.random() < 0.6:
        return ab + sents
    return sents[:1] + ab + sents[1:]


# --------------------------------------------------------------------------------------------
# Synthetic cases
# --------------------------------------------------------------------------------------------

def _synth_clean(rng: random.Random) -> tuple[dict, str]:
    r = rng.random()
    sec = _base_sections(rng, sympt=r >= 0.85)
    if r < 0.6:
        insts: list[_Inst] = []
        imp = rng.choice(MEDICAL_IMPRESSION if _is_medical(sec["history"]) and rng.random() < 0.6
                         else NORMAL_IMPRESSION)
    elif r < 0.85:
        insts = [_Inst(rng, fd) for fd in rng.sample(MINOR, k=rng.choice([1, 1, 2]))]
        if rng.random() < 0.5:
            imp = " ".join(it.i() for it in insts)
        else:
            imp = rng.choice(MINOR_OMIT_IMPRESSION)
    else:
        sig = _Inst(rng, rng.choice(SIG))
        insts = [sig]
        if rng.random() < 0.3:
            mi = rng.choice([m for m in MINOR if not (m["conflicts"] & sig.fd["conflicts"])])
            insts.append(_Inst(rng, mi))
        imp = sig.i()
    sec["findings"] = " ".join(_compose_findings(rng, insts))
    sec["impression"] = imp
    if rng.random() < 0.06:
        # impression-only style, impression itself describes the film (complete report)
        sec["findings"] = None
        if not insts:
            sec["impression"] = rng.choice([
                "Heart size normal. Lungs clear. No pleural effusion or pneumothorax. Normal "
                "chest X-ray.",
                "Clear lung fields, normal cardiac size, sharp costophrenic angles. No active "
                "disease."])
        else:
            sec["impression"] = " ".join(it.f() for it in insts) + " " + imp
    return sec, ""


def _synth_missing(rng: random.Random) -> tuple[dict, str]:
    sec, _ = _synth_clean(rng)
    if sec["findings"] is None:
        sec["findings"] = " ".join(_normal_sentences(rng, set()))
        sec["impression"] = rng.choice(NORMAL_IMPRESSION)
    if rng.random() < 0.75:
        mode = rng.choice(["empty", "absent", "empty"])
        sec["impression"] = "" if mode == "empty" else None
        return sec, f"impression section {mode} (findings dictated, no conclusion)"
    mode = rng.choice(["empty", "absent"])
    sec["findings"] = "" if mode == "empty" else None
    sec["impression"] = rng.choice([
        "As above.", "Please correlate clinically.", "Follow-up film in 6 weeks advised.",
        "Discussed with the ward MO.", "Compare with previous films when available.",
        "Refer to report above."])
    return sec, f"findings section {mode}; impression does not describe the film"


def _synth_laterality(rng: random.Random) -> tuple[dict, str]:
    sec = _base_sections(rng, sympt=rng.random() < 0.7)
    sided = [f for f in FINDINGS if f["sided"] and f["name"] not in ("basal atelectasis",)]
    it = _Inst(rng, rng.choice(sided))
    insts = [it]
    if rng.random() < 0.3:
        extra = rng.choice([m for m in MINOR if not m["sided"]])
        insts.append(_Inst(rng, extra))
    wrong = _opp(it.side)
    if rng.random() < 0.65:
        sec["findings"] = " ".join(_compose_findings(rng, insts))
        sec["impression"] = it.i(wrong)
        detail = f"{it.fd['name']}: findings {it.side}, impression says {wrong}"
    else:
        sec["findings"] = " ".join(_compose_findings(rng, insts, {id(it): it.f(wrong)}))
        sec["impression"] = it.i()
        detail = f"{it.fd['name']}: impression {it.side}, findings flipped to {wrong}"
    if len(insts) > 1 and rng.random() < 0.5:
        sec["impression"] += " " + insts[1].i()
    return sec, detail


def _synth_negation(rng: random.Random) -> tuple[dict, str]:
    sec = _base_sections(rng, sympt=rng.random() < 0.6)
    if rng.random() < 0.5:
        # normal findings, impression asserts something the findings negate
        sents = _normal_sentences(rng, set())
        sents_txt = " ".join(sents)
        side = rng.choice(["right", "left"])
        options = []
        for k in ("pleura", "ptx", "heart", "consol", "lungs"):
            if any(s in sents for s in NORMAL[k]):
                options.append(k)
        k = rng.choice(options)
        claim = {
            "pleura": [f"Small {side} pleural effusion.", f"{side.capitalize()} pleural effusion."],
            "ptx": [f"Small {side} apical pneumothorax.", f"{side.capitalize()} pneumothorax."],
            "heart": ["Cardiomegaly.", "Cardiomegaly, ? cardiomyopathy. Suggest echo."],
            "consol": [f"{side.capitalize()} lower zone consolidation - pneumonia.",
                       f"{side.capitalize()} basal pneumonia."],
            "lungs": [f"{side.capitalize()} upper zone infiltrates, suspicious for PTB.",
                      f"Patchy consolidation {side} mid zone."],
        }[k]
        sec["findings"] = sents_txt
        sec["impression"] = rng.choice(claim)
        detail = f"findings negate ({k}); impression asserts: {sec['impression']}"
    else:
        cands = [f for f in FINDINGS if f["negimp"] and f["name"] not in
                 ("degenerative spine", "basal atelectasis", "old rib fracture", "hyperinflation",
                  "old healed TB", "calcified granuloma")]
        it = _Inst(rng, rng.choice(cands))
        if it.fd["name"] == "mild cardiomegaly":
            it.fi = rng.choice([0, 1])  # not the borderline wording
        sec["findings"] = " ".join(_compose_findings(rng, [it]))
        sec["impression"] = rng.choice(it.fd["negimp"])
        if rng.random() < 0.3 and not sec["impression"].startswith("No radiological"):
            sec["impression"] += " " + rng.choice(["Otherwise normal.", "No active disease."])
        detail = f"findings affirm {it.fd['name']}; impression negates it"
    return sec, detail


def _synth_omits(rng: random.Random) -> tuple[dict, str]:
    sec = _base_sections(rng, sympt=rng.random() < 0.8)
    it = _Inst(rng, rng.choice(SIG))
    insts = [it]
    if rng.random() < 0.3:
        mi = rng.choice([m for m in MINOR if not (m["conflicts"] & it.fd["conflicts"])])
        insts.append(_Inst(rng, mi))
    sec["findings"] = " ".join(_compose_findings(rng, insts))
    sec["impression"] = rng.choice(OMIT_MACROS)
    return sec, f"findings affirm {it.fd['name']} ({it.side or 'n/a'}); normal macro in impression"


PH_TOKENS = ["[***]", "[ ]", "***", "<<  >>", "[  ]", "(specify)", "[...]"]


def _synth_placeholder(rng: random.Random) -> tuple[dict, str]:
    sec, _ = _synth_clean(rng)
    if sec["findings"] is None:
        sec["findings"] = " ".join(_normal_sentences(rng, set()))
    mode = rng.choice(["side", "ctr", "heart_opt", "comparison", "imp_word", "signer",
                       "find_word", "nodule"])
    if mode == "side":
        m = re.search(r"\b(right|left)\b", sec["findings"] + " " + (sec["impression"] or ""))
        if not m:
            mode = "heart_opt"
        else:
            tok = rng.choice(["[side]", "[R/L]", "[***]", "***"])
            if re.search(r"\b(right|left)\b", sec["findings"]):
                sec["findings"] = re.sub(r"\b(right|left)\b", tok, sec["findings"], count=1)
                where = "findings"
            else:
                sec["impression"] = re.sub(r"\b(right|left)\b", tok, sec["impression"], count=1)
                where = "impression"
            return sec, f"side left as {tok} in {where}"
    if mode in ("ctr", "heart_opt") and re.search(r"enlarg|cardiomegaly|CTR 0\.[56]",
                                                  sec["findings"] + " " + sec["impression"]):
        mode = "comparison"
    if mode in ("ctr", "heart_opt"):
        for h in NORMAL["heart"]:
            sec["findings"] = sec["findings"].replace(h + " ", "").replace(h, "")
    if mode == "ctr":
        tok = rng.choice(["[ ]", "***", "0.[ ]", "[__]".replace("_", " ")])
        s = f"Heart size normal, CTR {tok}."
        sec["findings"] = s + " " + sec["findings"]
        return sec, f"CTR value left as {tok}"
    if mode == "heart_opt":
        tok = rng.choice(["[normal/enlarged]", "normal / enlarged [delete]", "[select]"])
        sec["findings"] = f"Heart size: {tok}. " + sec["findings"]
        return sec, f"template option not chosen: {tok}"
    if mode == "comparison":
        tok = rng.choice(["DD/MM/YYYY", "[date]", "<<date>>", "[***]"])
        sec["comparison"] = f"Previous film of {tok}."
        sec.setdefault("technique", None)
        sec["_force_style"] = rng.choice([0, 1, 3])
        return sec, f"comparison date left as {tok}"
    if mode == "signer":
        tok = rng.choice(["[Radiologist name]", "Dr [***]", "<<Reporting doctor>>"])
        sec["_signer"] = tok
        return sec, f"sign-off left as {tok}"
    if mode == "nodule":
        it = _Inst(rng, next(f for f in SIG if f["name"] == "lung nodule"))
        tok = rng.choice(["[ ]", "***", "[size]", "[...]"])
        sec["findings"] = f"A {tok} mm rounded nodule is seen in the {it.side} mid zone. " + \
            " ".join(_normal_sentences(rng, {"lungs"}))
        sec["impression"] = f"{it.side.capitalize()} mid zone nodule. CT chest advised."
        return sec, f"nodule size left as {tok}"
    target = "impression" if mode == "imp_word" and sec["impression"] else "findings"

    def _words(txt: str) -> list:
        return [m for m in re.finditer(r"\b[a-z]{5,}\b", txt)
                if m.group(0) not in ("there", "which", "their")]
    if not _words(sec[target]):
        target = "findings"
    text = sec[target]
    words = _words(text)
    m = rng.choice(words)
    tok = rng.choice(PH_TOKENS)
    sec[target] = text[:m.start()] + tok + text[m.end():]
    return sec, f"'{m.group(0)}' in {target} replaced by {tok}"


# --------------------------------------------------------------------------------------------
# Real IU reports, re-worded in the setting's style
# --------------------------------------------------------------------------------------------

_BRIT = [
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"\bedematous\b", "oedematous"),
    (r"\bhemidiaphragm", "hemidiaphragm"), (r"\bhemorrhage", "haemorrhage"),
    (r"\bhemothorax", "haemothorax"), (r"\bcenter", "centre"), (r"\bcentered", "centred"),
    (r"\bhilum\b", "hilum"), (r"\bcalcified granulomas?\b", "calcified granuloma"),
    (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"),
    (r"\bx-ray\b", "X-ray"), (r"\bX-ray\b", "X-ray"), (r"\bgray\b", "grey"),
    (r"\btumor", "tumour"), (r"\bopacified\b", "opacified"), (r"\bfavor", "favour"),
    (r"\besophag", "oesophag"), (r"\banterior-posterior\b", "AP"),
]
_REWORD = [
    (r"^The lungs are clear\.", "Both lung fields are clear."),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality"),
    (r"\bNo acute cardiopulmonary disease\b", "No active cardiopulmonary disease"),
    (r"\bNo acute cardiopulmonary process\b", "No acute cardiopulmonary abnormality"),
    (r"\bThe heart is normal in size\b", "Heart size is within normal limits"),
    (r"\bThe heart size is normal\b", "Heart size is within normal limits"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
    (r"\bosseous structures\b", "bony structures"),
    (r"\bNegative chest\b", "Normal chest X-ray"),
    (r"\bcostophrenic\b", "costophrenic"),
]


def _reword(text: str, rng: random.Random) -> str:
    if not text:
        return text
    for pat, rep in _BRIT:
        text = re.sub(pat, rep, text)
    for pat, rep in _REWORD:
        if rng.random() < 0.7:
            text = re.sub(pat, rep, text)
    text = re.sub(r"\.\.+", ".", text)
    return text.strip()


def _real_sections(rng: random.Random, rec: dict) -> dict:
    sec = _base_sections(rng)
    ind = rec["indication"] or rng.choice(HISTORY_NORMAL)
    sec["history"] = re.sub(r"\.\.+", ".", ind)
    comp = rec["comparison"]
    if not comp or comp.lower().startswith("none"):
        comp = rng.choice(["None.", "Nil available.", "No previous films."])
    sec["comparison"] = re.sub(r"\.\.+", ".", comp)
    sec["findings"] = _reword(rec["findings"], rng) if rec["findings"] else None
    sec["impression"] = _reword(rec["impression"], rng) if rec["impression"] else None
    return sec


_NEG_CUE = re.compile(
    r"\b(no|not|without|negative|resolved|resolution|clear\w*|free|stable|unchanged|removed|improv\w*|"
    r"decreas\w*|possib\w*|may|might|could|cannot|question\w*|suspect\w*|versus|vs|"
    r"chronic|scar\w*|old|healed|prior|previous|history|likely|probabl\w*|concern|"
    r"small|trace|tiny|minimal|mild|atelecta\w*|or)\b", re.I)
_SIG_WORDS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat",
    "pneumonia": r"pneumonia",
    "airspace disease": r"airspace (disease|opacit)",
    "edema": r"oedema|edema",
    "effusion": r"effusion",
    "infiltrate": r"infiltrate",
    "mass": r"\bmass\b",
}


def _sents(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;])\s+", text or "") if s.strip()]


def _affirmed(text: str, pat: str) -> list[str]:
    return [s for s in _sents(text) if re.search(pat, s, re.I) and not _NEG_CUE.search(s)]


def _mentions(text: str, pat: str) -> bool:
    return bool(re.search(pat, text or "", re.I))


_BAD_REAL = re.compile(r"\[|\]|___|\*\*|<<|\?\?")


def _usable(rec: dict) -> bool:
    txt = rec["findings"] + " " + rec["impression"]
    return bool(rec["findings"]) and bool(rec["impression"]) and not _BAD_REAL.search(txt) \
        and len(rec["findings"]) > 40


def _real_clean_ok(rec: dict) -> bool:
    if not _usable(rec):
        return False
    f, i = rec["findings"], rec["impression"]
    # impression must carry every significant affirmed finding of the findings
    for pat in _SIG_WORDS.values():
        loose = [s for s in _sents(f) if re.search(pat, s, re.I)
                 and not re.search(r"\b(no|not|without|negative|resolved|clear|free)\b", s, re.I)]
        if loose and not _mentions(i, pat):
            return False
    for side in ("left", "right"):
        if _mentions(i, rf"\b{side}\b") and not _mentions(f, rf"\b{side}\b"):
            return False
    # impression must not assert what the findings negate or vice versa (rough screen)
    if re.search(r"\b(normal|clear|no acute|negative)\b", i, re.I) and not rec["normal"]:
        for pat in _SIG_WORDS.values():
            if _affirmed(f, pat):
                return False
    if re.search(r"lungs? (are )?clear|clear lungs", i, re.I) and re.search(
            r"granulom|nodul|opacit|scar|densit|atelecta|emphysem|interstitial", f, re.I):
        return False
    if re.search(r"\bmm\b|\bcm\b", f) and re.search(r"nodul|mass", f, re.I) \
            and not re.search(r"nodul|mass|granuloma", i, re.I):
        return False
    return True


_LAT_KEYS = (r"effusion|pneumothora|opacit|consolidat|atelecta|nodul|granuloma|infiltrate|"
             r"airspace|pneumonia|mass|fracture|scar|density|densit|catheter|port|"
             r"lobe|base|basilar|apex|apical|hil|pleural|hemidiaphragm")


def _lat_candidate(rec: dict) -> tuple[str, int, str, str] | None:
    """Return (section, sentence index, side, key) for a flippable sentence."""
    f, i = rec["findings"], rec["impression"]
    for sec_name, own, other in (("impression", i, f), ("findings", f, i)):
        for idx, s in enumerate(_sents(own)):
            sides = re.findall(r"\b(left|right)\b", s, re.I)
            if not sides or len({x.lower() for x in sides}) != 1:
                continue
            if re.search(r"bilateral|both|\bbi", s, re.I):
                continue
            side = sides[0].lower()
            keys = re.findall(_LAT_KEYS, s, re.I)
            for key in keys:
                # other section must place the same kind of finding on the same side only
                oth = [o for o in _sents(other) if re.search(key, o, re.I)]
                if oth and all(re.search(rf"\b{side}\b", o, re.I) for o in oth) and \
                        not any(re.search(rf"\b{_opp(side)}\b", o, re.I) for o in oth):
                    return sec_name, idx, side, key.lower()
    return None


def _flip(s: str) -> str:
    def rep(m):
        w = m.group(0)
        new = "left" if w.lower() == "right" else "right"
        return new.capitalize() if w[0].isupper() else new
    return re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", rep, s)


def _real_case(rng: random.Random, rec: dict, kind: str | None) -> tuple[dict, str] | None:
    sec = _real_sections(rng, rec)
    f, i = sec["findings"] or "", sec["impression"] or ""
    if kind is None:
        anat = {w.lower()[:4] for w in re.findall(
            r"lung|heart|cardi|effusion|pneumothorax|mediastin|pleura", i, re.I)}
        if rng.random() < 0.12 and len(i) > 80 and len(anat) >= 2 \
                and not re.search(r"\bas above\b|\bsee\b", i, re.I):
            sec["findings"] = None  # impression-only report that describes the film
            return sec, ""
        return sec, ""
    if kind == "missing_section":
        mode = rng.choice(["empty", "absent", "empty"])
        sec["impression"] = "" if mode == "empty" else None
        return sec, f"impression section {mode}"
    if kind == "laterality_conflict":
        cand = _lat_candidate({"findings": f, "impression": i})
        if not cand:
            return None
        name, idx, side, key = cand
        ss = _sents(sec[name])
        ss[idx] = _flip(ss[idx])
        sec[name] = " ".join(ss)
        return sec, f"{name}: '{key}' flipped {side} -> {_opp(side)}"
    if kind == "negation_conflict":
        if rec["normal"]:
            side = rng.choice(["right", "left"])
            if _mentions(f, r"\bno (\w+ )?(pleural )?effusion|effusions?\b.*\bno\b|"
                            r"without (\w+ )?effusion|no pneumothorax or (pleural )?effusion"):
                neg_s = [x for x in _sents(f) if re.search(r"effusion", x, re.I)]
                if any(re.search(r"\blarge\b", x, re.I) for x in neg_s):
                    claim = rng.choice([f"Large {side} pleural effusion.",
                                        f"Moderate to large {side} pleural effusion."])
                else:
                    claim = rng.choice([f"Small {side} pleural effusion.",
                                        f"{side.capitalize()} pleural effusion, new."])
                what = "effusion"
            elif _mentions(f, r"heart (size )?is normal|normal (heart|cardiac)|heart size "
                              r"(is )?(within normal|normal)|cardiomediastinal silhouette "
                              r"(is )?(normal|within)|normal cardiomediastinal"):
                claim = rng.choice(["Cardiomegaly.", "Enlarged cardiac silhouette."])
                what = "heart size"
            elif _mentions(f, r"no pneumothorax|without pneumothorax|no pleural effusion or "
                              r"pneumothorax"):
                claim = f"Small {side} pneumothorax."
                what = "pneumothorax"
            elif _mentions(f, r"lungs are clear|lung fields are clear|clear lungs|no focal "
                              r"(airspace )?(consolidation|disease)"):
                claim = rng.choice([f"{side.capitalize()} lower lobe pneumonia.",
                                    f"{side.capitalize()} upper lobe airspace disease."])
                what = "lungs clear"
            else:
                return None
            sec["impression"] = claim if rng.random() < 0.6 else \
                claim + " " + rng.choice(["Otherwise no acute abnormality.",
                                          "No other active disease."])
            return sec, f"findings negate {what}; impression asserts: {claim}"
        for name, pat, neg in (
                ("pneumothorax", r"pneumothora", "No pneumothorax."),
                ("consolidation", r"consolidat|airspace (disease|opacit)|pneumonia|infiltrate",
                 "Lungs are clear."),
                ("edema", r"oedema", "No pulmonary oedema."),
                ("effusion", r"effusion", "No pleural effusion."),
                ("cardiomegaly", r"cardiomegaly|heart (size )?is enlarged|enlarged heart|"
                                 r"enlarged cardiac", "Heart size is normal.")):
            if _affirmed(f, pat) and _mentions(i, pat):
                keep = [s for s in _sents(i) if not re.search(pat, s, re.I) and len(s) > 12
                        and not re.search(r"\b(left|right|lobe|bilateral)\b", s, re.I)]
                sec["impression"] = " ".join([neg] + keep[:1])
                return sec, f"findings affirm {name}; impression negates it ({neg})"
        return None
    if kind == "impression_omits_finding":
        for name, pat in _SIG_WORDS.items():
            aff = _affirmed(f, pat)
            if name == "effusion":
                aff = [a for a in aff if re.search(r"\b(moderate|large|massive)\b", a, re.I)]
            if aff and _mentions(i, pat) and not re.search(r"\b(no|not|without)\b.{0,30}" + pat,
                                                           i, re.I):
                sec["impression"] = rng.choice(OMIT_MACROS)
                return sec, f"findings affirm {name} ('{aff[0][:70]}'); normal macro in impression"
        return None
    if kind == "placeholder":
        target = rng.choice(["findings", "findings", "impression"])
        text = sec[target]
        words = [m for m in re.finditer(r"\b[a-zA-Z]{4,}\b", text)
                 if m.group(0) != "XXXX" and m.group(0).lower() not in ("there", "with", "this")]
        if not words:
            return None
        m = rng.choice(words)
        tok = rng.choice(PH_TOKENS + ["[side]" if m.group(0).lower() in ("left", "right")
                                      else "[***]"])
        sec[target] = text[:m.start()] + tok + text[m.end():]
        return sec, f"'{m.group(0)}' in {target} replaced by {tok}"
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------

_SYNTH = {
    None: _synth_clean,
    "missing_section": _synth_missing,
    "laterality_conflict": _synth_laterality,
    "negation_conflict": _synth_negation,
    "impression_omits_finding": _synth_omits,
    "placeholder": _synth_placeholder,
}


def _render(rng: random.Random, sec: dict) -> str:
    style = sec.pop("_force_style", None)
    signer = sec.pop("_signer", None)
    text = _layout(rng, sec, style)
    if signer:
        lines = text.split("\n")
        # replace the doctor's name in the sign-off with the unfilled field
        for k in range(len(lines) - 1, -1, -1):
            if "Dr " in lines[k]:
                lines[k] = re.sub(r"Dr [A-Z][\w'. ]*?(?=,|\n|$| \()", signer, lines[k], count=1)
                break
        text = "\n".join(lines)
    return text


def _build(seed: int) -> list[dict]:
    rng = random.Random(f"h100-{seed}")
    dev = load_dev_uids()
    pool = [r for r in load_iu() if r["uid"] not in dev]
    order = list(pool)
    rng.shuffle(order)
    used: set[str] = set()
    rows: list[dict] = []

    groups = [(None, N_CLEAN)] + [(k, N_PER_KIND) for k in KINDS]
    for kind, n in groups:
        n_real = n // 2
        n_syn = n - n_real
        for _ in range(n_syn):
            sec, detail = _SYNTH[kind](rng)
            rows.append({"injected": kind, "detail": detail or "", "report": _render(rng, sec),
                         "_uid": None})
        got = 0
        if kind is None:
            normals = [r for r in order if r["normal"] and r["uid"] not in used and _usable(r)]
            abn = [r for r in order if not r["normal"] and r["uid"] not in used
                   and _real_clean_ok(r)]
            n_norm = int(n_real * 0.65)
            picks = normals[:n_norm] + abn[:n_real - n_norm]
            for rec in picks:
                sec, detail = _real_case(rng, rec, None)
                used.add(rec["uid"])
                rows.append({"injected": None, "detail": "", "report": _render(rng, sec),
                             "_uid": rec["uid"]})
                got += 1
        else:
            for rec in order:
                if got >= n_real:
                    break
                if rec["uid"] in used or not _usable(rec):
                    continue
                if kind in ("missing_section", "placeholder") and not (
                        rec["normal"] or _real_clean_ok(rec)):
                    continue
                if kind == "laterality_conflict" and not _real_clean_ok(rec):
                    continue
                if kind == "negation_conflict" and not rec["normal"] and not _real_clean_ok(rec):
                    continue
                res = _real_case(rng, rec, kind)
                if res is None:
                    continue
                sec, detail = res
                used.add(rec["uid"])
                rows.append({"injected": kind, "detail": detail, "report": _render(rng, sec),
                             "_uid": rec["uid"]})
                got += 1
        if got < n_real:
            raise RuntimeError(f"only {got} real reports for {kind}")
    rng.shuffle(rows)
    for n, row in enumerate(rows):
        row["id"] = f"h100-{seed}-{n}"
    return rows


def build(seed: int) -> list[dict]:
    return [{"id": r["id"], "injected": r["injected"], "detail": r["detail"],
             "report": r["report"]} for r in _build(seed)]


def source_uids(seed: int) -> set[str]:
    """IU uids of the real reports used for a seed (for tests)."""
    return {r["_uid"] for r in _build(seed) if r["_uid"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args(argv)
    rows = build(args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.show:
        for kind in (None,) + KINDS:
            for r in [r for r in rows if r["injected"] == kind][:args.show]:
                print(f"===== {r['id']}  {kind}  {r['detail']}")
                print(r["report"])
                print()
    print(f"wrote {len(rows)} cases to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
