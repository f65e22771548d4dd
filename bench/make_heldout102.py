"""Held-out report-check set 102, written blind.

Setting: Nepalese and Bhutanese government, teaching and private hospitals (Kathmandu, Lalitpur,
Pokhara, Dharan, Thimphu), chest X-ray reports written in English: OPD, emergency, medical wards,
TB and DOTS clinics, pre-employment and foreign-employment (Gulf labour) medicals.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict, negation_conflict,
impression_omits_finding, placeholder).  Half of each group is composed from a phrase bank in the
setting's dictation style (hospital header, patient line, "X-RAY CHEST PA VIEW", clinical history,
findings as "Both lung fields are clear. Both CP angles are clear...", impression / conclusion /
opinion, advice line, sign-off with NMC / BMHC number); the other half are real Indiana University
reports (never one whose uid is in the dev set) re-laid-out in that style and lightly re-worded.

Usage: python -m bench.make_heldout102 OUT.jsonl --seed S [--show N]
Standard library only.  `XXXX` is the de-identification mask, never a placeholder.
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared"


def data_paths() -> tuple[Path, Path]:
    sd = shared_dir()
    return (sd / "data" / "iu_reports" / "NLMCXR_reports.tgz",
            sd / "eval" / "report_errors_dev.jsonl")


def dev_uids() -> set[str]:
    out = set()
    with open(data_paths()[1], encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out




def load_iu() -> list[dict]:
    rows = []
    with tarfile.open(data_paths()[0], "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            try:
                root = ET.fromstring(tf.extractfile(m).read())
            except ET.ParseError:
                continue
            u = root.find("uId")
            if u is None or not u.get("id"):
                continue
            rec = {"uid": u.get("id")}
            for at in root.iter("AbstractText"):
                lab = (at.get("Label") or "").lower()
                if lab:
                    rec[lab] = " ".join((at.text or "").split())
            rows.append(rec)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return rows


# ----------------------------------------------------------------------------- setting bank

HOSPITALS = [
    ("TRIBHUVAN UNIVERSITY TEACHING HOSPITAL", "Maharajgunj, Kathmandu", "NP"),
    ("BIR HOSPITAL (NAMS)", "Mahaboudha, Kathmandu", "NP"),
    ("PATAN HOSPITAL, PATAN ACADEMY OF HEALTH SCIENCES", "Lagankhel, Lalitpur", "NP"),
    ("CIVIL SERVICE HOSPITAL", "Minbhawan, Kathmandu", "NP"),
    ("KATHMANDU MEDICAL COLLEGE TEACHING HOSPITAL", "Sinamangal, Kathmandu", "NP"),
    ("NEPAL MEDICITI HOSPITAL", "Bhaisepati, Lalitpur", "NP"),
    ("GRANDE INTERNATIONAL HOSPITAL", "Dhapasi, Kathmandu", "NP"),
    ("MANIPAL TEACHING HOSPITAL", "Phulbari, Pokhara", "NP"),
    ("WESTERN REGIONAL HOSPITAL, POKHARA ACADEMY OF HEALTH SCIENCES", "Ramghat, Pokhara", "NP"),
    ("GANDAKI MEDICAL COLLEGE TEACHING HOSPITAL", "Prithvi Chowk, Pokhara", "NP"),
    ("B.P. KOIRALA INSTITUTE OF HEALTH SCIENCES", "Dharan, Sunsari", "NP"),
    ("XXXX DIAGNOSTIC & MEDICAL CHECK-UP CENTRE (GAMCA APPROVED)", "Kathmandu", "NP"),
    ("JIGME DORJI WANGCHUCK NATIONAL REFERRAL HOSPITAL", "Thimphu", "BT"),
    ("JDWNRH - DEPARTMENT OF RADIOLOGY", "Thimphu", "BT"),
]
DEPTS = ["DEPARTMENT OF RADIOLOGY AND IMAGING", "DEPARTMENT OF RADIODIAGNOSIS & IMAGING",
         "Department of Radiology", "RADIOLOGY DEPARTMENT", "Dept. of Radiodiagnosis"]

CONTEXTS = {
    "opd": (30, ["Cough for 2 weeks.", "Fever and cough x 5 days.", "Chest pain ? cause.",
                 "Shortness of breath on exertion x 1 month.",
                 "K/C/O HTN and DM, on medication. Routine check-up.",
                 "Productive cough with low grade fever since 1 month.",
                 "Chronic smoker, chronic cough.", "Haemoptysis, 1 episode.",
                 "Burning chest pain, ? GERD. To rule out chest pathology.",
                 "Allergic cough, wheeze on and off.", "Generalised weakness, weight loss.",
                 "Known case of COPD, increased breathlessness."]),
    "er": (12, ["RTA, chest trauma. Pain left chest.", "Fall from tree. Right sided chest pain.",
                "Acute onset breathlessness.", "High grade fever with chills, ? pneumonia.",
                "Sudden onset chest pain, ? pneumothorax.", "Physical assault, chest pain.",
                "Fever, cough, tachypnoea. SpO2 88% in room air.", "Pre-operative (emergency laparotomy)."]),
    "ward": (12, ["Admitted with community acquired pneumonia. Follow-up.",
                  "CKD on MHD, bilateral pedal oedema and SOB.",
                  "Alcoholic liver disease, abdominal distension.",
                  "Post-op day 2, fever spikes.", "Pre-anaesthetic check-up.",
                  "Known case of RHD, orthopnoea.", "Sepsis, on IV antibiotics. ICD in situ? No.",
                  "Organophosphorus poisoning, on ventilator support."]),
    "tb": (18, ["Presumptive TB. Sputum AFB negative x 2.",
                "On ATT, 2 months completed. Follow-up film.",
                "Household contact of sputum-positive TB case.",
                "Completed ATT 1 year back, persistent cough.",
                "Sputum GeneXpert: MTB not detected. Cough > 2 weeks.",
                "DOTS centre referral. Cough, evening rise of temperature, weight loss.",
                "Case of MDR-TB on treatment, follow-up."]),
    "med": (28, ["Pre-employment medical examination.",
                 "Foreign employment medical check-up (Qatar).",
                 "Medical examination for overseas employment (Saudi Arabia).",
                 "Routine pre-employment check-up (Malaysia).",
                 "Foreign employment medical (UAE).", "Medical fitness for employment (Kuwait).",
                 "Health check-up for work visa.", "Pre-employment medical (Government service)."]),
}
HIST_HDR = ["Clinical history:", "Clinical details:", "History:", "C/O:", "Clinical information:",
            "Indication:", "Clinical Hx:"]
MED_HDR = ["Purpose:", "Indication:", "Clinical history:"]
SEP = ["", "-" * 40, "=" * 40, "_" * 0]


def _date(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"{rng.randint(2080, 2082)}/{rng.randint(1, 12):02d}/{rng.randint(1, 30):02d}"
    return f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(2023, 2025)}"


def _patient_line(rng, ctx, country, sex=None, age=None):
    age = age or (rng.randint(19, 45) if ctx == "med" else rng.randint(16, 84))
    sex = sex or (rng.choice("MMMF") if ctx == "med" else rng.choice("MF"))
    idname = "CID No." if country == "BT" else rng.choice(["Hosp. No.", "Reg. No.", "IP No.", "OPD No."])
    dept = {"opd": "OPD", "er": "Emergency", "ward": "Medical Ward", "tb": "DOTS / TB clinic",
            "med": "Medical check-up"}[ctx]
    s = rng.random()
    if s < 0.4:
        return (f"Name: XXXX    Age/Sex: {age} Y/{sex}    {idname} XXXX\n"
                f"Ref. by: Dr. XXXX ({dept})    Date: {_date(rng)}")
    if s < 0.7:
        return (f"Patient's name: XXXX | Age: {age} yrs | Sex: {'Male' if sex == 'M' else 'Female'}"
                f" | {idname} XXXX | {dept} | Date: {_date(rng)}")
    return f"Pt. Name: XXXX  {age}/{sex}  {idname} XXXX  Dept: {dept}  Date: {_date(rng)}"


def _exam_line(rng, ctx, lateral=False):
    if lateral:
        return rng.choice(["X-RAY CHEST PA AND LATERAL VIEWS", "X-RAY CHEST PA & LAT VIEW",
                           "Examination: Digital X-ray chest PA and lateral views",
                           "CHEST X-RAY (PA/LATERAL)"])
    if ctx in ("er", "ward") and rng.random() < 0.45:
        return rng.choice(["X-RAY CHEST AP VIEW (PORTABLE)", "X-RAY CHEST AP SUPINE VIEW",
                           "Examination: X-ray chest AP view (bedside)"])
    return rng.choice(["X-RAY CHEST PA VIEW", "X-RAY CHEST PA VIEW", "CHEST X-RAY (PA VIEW)",
                       "Examination: X-ray chest PA view", "Investigation: Digital X-ray chest PA view",
                       "X-RAY OF CHEST - PA VIEW", "CXR PA VIEW"])


def _signoff(rng, country):
    reg = "BMHC Reg. No. XXXX" if country == "BT" else "NMC No. XXXX"
    return rng.choice([
        f"Dr. XXXX\nMD (Radiodiagnosis)\nConsultant Radiologist\n{reg}",
        f"Reported by: Dr. XXXX, MD Radiology ({reg})",
        f"Dr. XXXX\nRadiologist\n{reg}",
        f"Dr. XXXX, MBBS, MD (Radiodiagnosis)\nAssociate Professor\n{reg}",
        f"Resident: Dr. XXXX\nConsultant: Dr. XXXX, {reg}",
        f"Electronically signed by Dr. XXXX, Consultant Radiologist ({reg})",
    ])


def _compare(rng, ctx):
    r = rng.random()
    if ctx in ("tb", "ward") and r < 0.35:
        return f"Previous X-ray dated {_date(rng)}."
    if r < 0.55:
        return None
    return rng.choice(["None.", "No previous films available.", "Previous film not available for comparison.",
                       "None available."])


def _technique(rng, ctx):
    if rng.random() < 0.7:
        return None
    return rng.choice(["Single frontal PA view of the chest in erect posture, adequate inspiration.",
                       "Digital radiograph, PA view. Adequately penetrated, no rotation.",
                       "PA erect view. Patient well centred.",
                       "AP view, suboptimal inspiration." if ctx in ("er", "ward") else
                       "PA view, good inspiratory effort."])


NORMAL = {
    "trachea": ["Trachea is central.", "Trachea is in midline.", "Trachea is central in position."],
    "lungs": ["Both lung fields are clear.", "Bilateral lung fields appear clear. No focal lesion seen.",
              "Lung fields are clear with normal bronchovascular markings.",
              "No active parenchymal lesion is seen in either lung.",
              "Both lungs are clear. No consolidation or collapse."],
    "hila": ["Both hila are normal.", "Bilateral hilar shadows are normal in size and density.",
             "Hila appear normal."],
    "cp": ["Both costophrenic angles are clear.", "Bilateral CP angles are sharp.",
           "Both CP angles are clear.", "Bilateral costophrenic angles are clear. No pleural effusion."],
    "heart": ["Cardiac size is within normal limits.", "Heart size is normal (CTR < 0.5).",
              "Cardiac shadow is normal in size and configuration.", "CT ratio is within normal limits.",
              "Heart is normal in size and shape."],
    "medi": ["Mediastinum is central and not widened.", "Mediastinal contour is normal.",
             "Mediastinum appears normal."],
    "diaph": ["Both domes of diaphragm are normal in position and contour.",
              "Bilateral domes of diaphragm are smooth and normally placed.",
              "Both hemidiaphragms are normal."],
    "bones": ["Visualised bony thorax is normal.", "Bony cage appears normal.",
              "No obvious bony abnormality is seen.",
              "Visualised ribs, clavicles and thoracic spine appear normal."],
    "soft": ["Soft tissues of the chest wall are normal.", "Visualised soft tissues appear unremarkable."],
}
ORDERS = [["trachea", "lungs", "hila", "cp", "heart", "medi", "diaph", "bones", "soft"],
          ["lungs", "cp", "heart", "hila", "diaph", "bones"],
          ["lungs", "hila", "heart", "cp", "diaph", "bones", "soft"],
          ["trachea", "medi", "heart", "lungs", "cp", "diaph", "bones"],
          ["lungs", "heart", "cp"]]

NORMAL_IMP = ["Normal chest X-ray.", "No significant abnormality detected.",
              "No significant abnormality detected in the present study.", "No active lung pathology seen.",
              "Normal study.", "Chest X-ray within normal limits.", "No radiological abnormality detected.",
              "NAD.", "Normal chest radiograph.", "No obvious abnormality detected."]
TB_IMP = ["No radiological evidence of active pulmonary tuberculosis.",
          "No radiological features suggestive of pulmonary TB.",
          "Normal chest X-ray. No evidence of active Koch's."]
MED_IMP = ["Chest X-ray is normal. No abnormality detected.", "No abnormality detected.",
           "Normal chest X-ray. No evidence of active or old pulmonary TB.", "Normal study."]
ADVICE = ["Adv: clinical correlation.", "Please correlate clinically.", "Suggested: clinical correlation.",
          "Adv: follow-up X-ray after course of antibiotics.", "Adv: sputum AFB / GeneXpert correlation.",
          "Adv: CECT chest for further evaluation.", "Adv: USG chest for quantification and guided tap.",
          "Adv: 2D echo correlation.", "Suggested: HRCT chest."]
IMP_HDR = ["IMPRESSION:", "Impression:", "CONCLUSION:", "OPINION:", "Impression-", "IMPRESSION -"]
FIND_HDR = ["FINDINGS:", "Findings:", "OBSERVATIONS:", "REPORT:", "Observation:", "FINDINGS -"]

ZONES = ["upper", "mid", "lower"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _other(side):
    return "left" if side == "right" else "right"


def _ab(side, rng, p=0.2):
    if rng.random() < p:
        return {"right": "Rt", "left": "Lt"}[side]
    return side


def finding(rng, name, side=None):
    """One abnormal finding: findings sentences, impression sentence, group, side, significance,
    normal lines it replaces, and the advice that usually goes with it."""
    side = side or rng.choice(["right", "left"])
    S, o = side, _other(side)
    z = rng.choice(["mid", "lower", "lower", "mid and lower"])
    if name == "consolidation":
        f = rng.choice([
            f"Inhomogeneous opacity with air bronchogram is seen in the {S} {z} zone.",
            f"Patchy area of consolidation is noted in the {S} {z} zone.",
            f"Ill-defined air-space opacity is seen in the {S} {z} zone with air bronchograms.",
            f"Non-homogeneous patchy opacities are seen in the {S} {z} zone, s/o consolidation."])
        imp = rng.choice([
            f"{_cap(_ab(S, rng))} {z} zone consolidation - likely pneumonia.",
            f"Features suggestive of {S} lower lobe pneumonia." if "lower" in z else
            f"Consolidation in {S} {z} zone, likely infective.",
            f"Pneumonic consolidation in the {S} {z} zone."])
        return dict(find=[f, "Rest of the lung fields are clear."], imp=imp, group="consolidation",
                    side=S, sig=True, drop={"lungs"},
                    adv="Adv: follow-up X-ray after course of antibiotics.", name=name)
    if name == "effusion":
        f = rng.choice([
            f"Homogeneous opacity with a concave upper border (meniscus sign) is seen in the {S} lower zone "
            f"obliterating the {S} CP angle.",
            f"Moderate {S} pleural effusion is seen, obliterating the {S} costophrenic angle.",
            f"Opacification of the {S} lower and mid zones with obliteration of the {S} costophrenic angle "
            f"and meniscus sign, suggestive of moderate pleural effusion."])
        imp = rng.choice([f"Moderate {S}-sided pleural effusion.", f"{_cap(S)} pleural effusion (moderate).",
                          f"Moderate pleural effusion on the {S} side."])
        return dict(find=[f, f"{_cap(o)} CP angle is clear.", "Rest of the lung fields are clear."], imp=imp,
                    group="effusion", side=S, sig=True, drop={"cp", "lungs"},
                    adv="Adv: USG chest for quantification and guided tap.", name=name)
    if name == "small_effusion":
        f = rng.choice([f"Blunting of the {S} costophrenic angle is seen.", f"{_cap(S)} CP angle is blunted.",
                        f"Minimal blunting of the {S} CP angle."])
        imp = rng.choice([f"Minimal {S} pleural effusion.", f"Blunted {S} CP angle - minimal effusion / "
                          f"pleural thickening."])
        return dict(find=[f, f"{_cap(o)} CP angle is clear."], imp=imp, group="effusion", side=S, sig=False,
                    drop={"cp"}, adv="Please correlate clinically.", name=name)
    if name == "pneumothorax":
        f = rng.choice([
            f"Hyperlucent {S} hemithorax with absent lung markings peripherally and a visible visceral pleural "
            f"line, s/o pneumothorax.",
            f"{_cap(S)}-sided pneumothorax is seen with partially collapsed {S} lung.",
            f"A visceral pleural line is seen in the {S} apical region with no lung markings beyond it - "
            f"pneumothorax."])
        imp = rng.choice([f"{_cap(S)} pneumothorax.", f"{_cap(S)}-sided pneumothorax. Urgent clinical "
                          f"attention advised.", f"Pneumothorax on the {S} side."])
        return dict(find=[f, f"{_cap(o)} lung field is clear."], imp=imp, group="pneumothorax", side=S,
                    sig=True, drop={"lungs"}, adv="Informed to the treating team.", name=name)
    if name == "mass":
        a, b = rng.randint(30, 62), rng.randint(25, 50)
        zz = rng.choice(ZONES)
        f = rng.choice([
            f"A well-defined rounded opacity measuring approx. {a / 10:.1f} x {b / 10:.1f} cm is seen in the "
            f"{S} {zz} zone.",
            f"A lobulated soft tissue mass of about {a / 10:.1f} cm is noted in the {S} {zz} zone."])
        imp = rng.choice([f"{_cap(S)} {zz} zone mass lesion.", f"Mass lesion in the {S} {zz} zone - "
                          f"? neoplastic."])
        return dict(find=[f, "Rest of the lung fields are clear."], imp=imp, group="mass", side=S, sig=True,
                    drop={"lungs"}, adv="Adv: CECT chest for further evaluation.", name=name)
    if name == "nodule":
        n = rng.randint(8, 19)
        zz = rng.choice(ZONES)
        f = rng.choice([f"A {n} mm nodular opacity is seen in the {S} {zz} zone.",
                        f"A well-defined nodule measuring about {n} mm is noted in the {S} {zz} zone."])
        imp = rng.choice([f"{_cap(S)} {zz} zone nodule ({n} mm).", f"Solitary pulmonary nodule in the "
                          f"{S} {zz} zone."])
        return dict(find=[f, "Rest of the lung fields are clear."], imp=imp, group="nodule", side=S, sig=True,
                    drop={"lungs"}, adv="Adv: CT chest for further evaluation.", name=name)
    if name == "mediastinum":
        f = rng.choice(["Superior mediastinum appears widened.", "The mediastinum is widened (about 9 cm)."])
        imp = rng.choice(["Widened superior mediastinum.", "Mediastinal widening - ? haematoma."])
        return dict(find=[f], imp=imp, group="mediastinum", side=None, sig=True, drop={"medi"},
                    adv="Adv: CECT chest for further evaluation.", name=name)
    if name == "oedema":
        ctr = rng.choice(["0.58", "0.6", "0.62", "0.65"])
        f = rng.choice([
            "Prominent upper lobe vessels (cephalisation) with bilateral perihilar haziness and Kerley B lines.",
            "Bilateral perihilar bat-wing haziness with upper lobe venous diversion."])
        imp = rng.choice(["Cardiomegaly with features of pulmonary venous congestion.",
                          "Cardiomegaly with pulmonary oedema.",
                          "Features s/o pulmonary oedema with cardiomegaly."])
        return dict(find=[f, f"Cardiac size is enlarged (CTR {ctr})."], imp=imp, group="oedema", side=None,
                    sig=True, drop={"lungs", "heart", "hila"}, adv="Adv: 2D echo correlation.", name=name)
    if name == "cardiomegaly":
        ctr = rng.choice(["0.58", "0.6", "0.62"])
        f = rng.choice([f"Cardiomegaly is noted (CTR {ctr}).", f"Cardiac size is enlarged (CTR ~{ctr})."])
        imp = rng.choice(["Cardiomegaly.", "Cardiomegaly. Lung fields are clear."])
        return dict(find=[f], imp=imp, group="cardiomegaly", side=None, sig=False, drop={"heart"},
                    adv="Adv: 2D echo correlation.", name=name)
    if name == "mild_cardio":
        f = rng.choice(["Cardiac size is borderline enlarged (CTR ~0.52).",
                        "Heart size is at the upper limit of normal."])
        return dict(find=[f], imp="Borderline cardiomegaly.", group="cardiomegaly", side=None, sig=False,
                    drop={"heart"}, adv=None, name=name, minor=True)
    if name == "bronchitic":
        f = rng.choice(["Bilateral bronchovascular markings are prominent, more in the lower zones.",
                        "Prominent bronchovascular markings are seen in both lung fields.",
                        "Increased bronchovascular markings in bilateral perihilar and lower zones."])
        imp = rng.choice(["Prominent bronchovascular markings - ? bronchitis.",
                          "Bronchitic changes.", "Features s/o bronchitis."])
        return dict(find=[f], imp=imp, group="bronchitic", side=None, sig=False, drop={"lungs"},
                    adv="Please correlate clinically.", name=name)
    if name == "oldtb":
        f = rng.choice([
            f"Fibrocalcific lesions are seen in the {S} upper zone with volume loss and upward retraction of "
            f"the {S} hilum.",
            f"Fibrotic strands and specks of calcification are seen in the {S} upper zone.",
            f"Fibro-nodular and calcific opacities are noted in the {S} upper zone."])
        imp = rng.choice([
            f"Fibrocalcific changes in the {S} upper zone - likely sequelae of old healed pulmonary "
            f"tuberculosis.", f"Old Koch's ({S} upper zone).",
            f"{_cap(S)} upper zone fibrocalcific lesion - healed Koch's."])
        return dict(find=[f, f"{_cap(o)} lung field is clear."], imp=imp, group="fibrosis", side=S,
                    sig=False, drop={"lungs", "hila"}, adv="Adv: sputum AFB / GeneXpert correlation.",
                    name=name)
    if name == "activetb":
        f = rng.choice([
            f"Consolidation with a thick-walled cavity (about 2.5 cm) is seen in the {S} upper zone with "
            f"surrounding fibronodular opacities.",
            f"Patchy consolidation with cavitation is noted in the {S} upper zone."])
        imp = rng.choice([f"Cavitary consolidation in the {S} upper zone - features s/o active pulmonary "
                          f"tuberculosis.", f"{_cap(S)} upper zone cavitating consolidation, likely active "
                          f"Koch's."])
        return dict(find=[f, f"{_cap(o)} lung field is clear."], imp=imp, group="consolidation", side=S,
                    sig=True, drop={"lungs"}, adv="Adv: sputum AFB / GeneXpert correlation.", name=name)
    if name == "copd":
        f = rng.choice(["Both lung fields are hyperinflated with flattened domes of diaphragm and a tubular "
                        "heart.", "Hyperinflated lung fields with increased intercostal spaces and flattened "
                        "hemidiaphragms."])
        imp = rng.choice(["Features s/o COPD.", "Hyperinflated lungs - COPD changes."])
        return dict(find=[f], imp=imp, group="copd", side=None, sig=False, drop={"lungs", "diaph", "heart"},
                    adv="Adv: PFT correlation.", name=name)
    if name == "granuloma":
        zz = rng.choice(ZONES)
        f = rng.choice([f"A small calcified granuloma is seen in the {S} {zz} zone.",
                        f"Tiny calcific focus in the {S} {zz} zone - calcified granuloma."])
        return dict(find=[f], imp=f"Calcified granuloma in the {S} {zz} zone.", group="granuloma", side=S,
                    sig=False, drop=set(), adv=None, name=name, minor=True)
    if name == "bony":
        f, imp = rng.choice([
            (f"{_cap(S)} cervical rib is noted.", f"{_cap(S)} cervical rib."),
            ("Mild scoliosis of the thoracic spine with convexity to the right.", "Mild thoracic scoliosis."),
            (f"Old healed fracture of the {S} 6th rib posterolaterally.", f"Old healed {S} 6th rib fracture."),
            ("Degenerative changes (osteophytes) in the thoracic spine.", "Degenerative thoracic spine.")])
        return dict(find=[f], imp=imp, group="bony", side=S if S in f else None, sig=False, drop={"bones"},
                    adv=None, name=name, minor=True)
    if name == "dome":
        f = f"{_cap(S)} dome of diaphragm is elevated."
        return dict(find=[f], imp=f"Elevated {S} dome of diaphragm.", group="dome", side=S, sig=False,
                    drop={"diaph"}, adv="Adv: USG abdomen correlation.", name=name)
    if name == "atelectasis":
        f = f"Linear plate-like opacity is seen in the {S} lower zone - subsegmental atelectasis."
        return dict(find=[f, "Rest of the lung fields are clear."], imp=f"Plate atelectasis in the {S} lower zone.",
                    group="atelectasis", side=S, sig=False, drop={"lungs"}, adv=None, name=name, minor=True)
    raise ValueError(name)


CLEAN_FIND = [("consolidation", 7), ("effusion", 3), ("small_effusion", 3), ("cardiomegaly", 5),
              ("mild_cardio", 3), ("bronchitic", 8), ("oldtb", 7), ("activetb", 2), ("copd", 3),
              ("granuloma", 3), ("bony", 3), ("dome", 1), ("atelectasis", 1), ("oedema", 2),
              ("pneumothorax", 1), ("nodule", 1), ("mass", 1)]
SIG = ["consolidation", "consolidation", "effusion", "effusion", "pneumothorax", "mass", "nodule",
       "mediastinum", "oedema", "oedema", "activetb"]
SIDED = ["consolidation", "effusion", "small_effusion", "pneumothorax", "mass", "nodule", "oldtb",
         "activetb", "dome"]


def _wpick(rng, items):
    tot = sum(w for _, w in items)
    r = rng.uniform(0, tot)
    for k, w in items:
        r -= w
        if r <= 0:
            return k
    return items[-1][0]


class Doc:
    """A report being composed: header parts, findings lines, impression lines, sign-off."""

    def __init__(self, rng, lateral=False, ctx=None, sex=None, age=None):
        self.rng = rng
        self.ctx = ctx or _wpick(rng, [(k, v[0]) for k, v in CONTEXTS.items()])
        h = rng.choice(HOSPITALS if self.ctx == "med" else [x for x in HOSPITALS if "GAMCA" not in x[0]])
        self.country = h[2]
        if self.country == "BT" and self.ctx == "med" and rng.random() < 0.5:
            self.ctx = "opd"
        self.head = f"{h[0]}\n{h[1]}\n{rng.choice(DEPTS)}"
        self.patient = _patient_line(rng, self.ctx, self.country, sex, age)
        self.exam = _exam_line(rng, self.ctx, lateral)
        hh = rng.choice(MED_HDR if self.ctx == "med" else HIST_HDR)
        self.hist = f"{hh} {rng.choice(CONTEXTS[self.ctx][1])}"
        c = _compare(rng, self.ctx)
        self.comp = f"{rng.choice(['Comparison:', 'Comparison -', 'Previous:'])} {c}" if c else None
        t = _technique(rng, self.ctx)
        self.tech = f"Technique: {t}" if t else None
        self.fhdr = rng.choice(FIND_HDR)
        self.ihdr = rng.choice(IMP_HDR)
        self.bullets = rng.random() < 0.3
        self.find: list[str] = []
        self.imp: list[str] = []
        self.adv: str | None = None
        self.sign = _signoff(rng, self.country)
        self.imp_mode = "normal"  # normal | blank | absent
        self.find_mode = "normal"
        self.sep = rng.choice(SEP)

    def normal_lines(self, drop=()):
        order = list(self.rng.choice(ORDERS))
        return [k for k in order if k not in drop], {k: self.rng.choice(NORMAL[k]) for k in NORMAL}

    def render(self) -> str:
        out = [self.head]
        if self.sep:
            out.append(self.sep)
        out.append(self.patient)
        out.append("")
        out.append(self.exam)
        out.append(self.hist)
        if self.comp:
            out.append(self.comp)
        if self.tech:
            out.append(self.tech)
        out.append("")
        if self.find_mode == "normal":
            fl = [f"- {x}" for x in self.find] if self.bullets else (
                [" ".join(self.find)] if self.rng.random() < 0.35 else list(self.find))
            out.append(self.fhdr)
            out.extend(fl)
            out.append("")
        elif self.find_mode == "blank":
            out.append(self.fhdr)
            out.append("")
        if self.imp_mode == "normal":
            if self.bullets and len(self.imp) > 1:
                out.append(self.ihdr)
                out.extend(f"{i + 1}. {x}" for i, x in enumerate(self.imp))
            elif len(self.imp) > 1 and self.rng.random() < 0.5:
                out.append(self.ihdr)
                out.extend(f"{i + 1}. {x}" for i, x in enumerate(self.imp))
            else:
                out.append(f"{self.ihdr} {' '.join(self.imp)}")
            if self.adv:
                out.append(self.adv)
        elif self.imp_mode == "blank":
            out.append(self.ihdr)
        out.append("")
        out.append(self.sign)
        return "\n".join(out).strip() + "\n"


def _normal_imp(rng, ctx):
    if ctx == "tb" and rng.random() < 0.6:
        return rng.choice(TB_IMP)
    if ctx == "med" and rng.random() < 0.6:
        return rng.choice(MED_IMP)
    return rng.choice(NORMAL_IMP)


def compose_base(rng, fnames=(), imp_mention_minor=None):
    """A consistent (clean) composed report with the given abnormal findings."""
    d = Doc(rng)
    fs = [finding(rng, n) for n in fnames]
    drop = set().union(*[f["drop"] for f in fs]) if fs else set()
    keys, lines = d.normal_lines(drop)
    body = []
    ab = [x for f in fs for x in f["find"]]
    # abnormal lines go where their organ would be, else first
    if "lungs" in drop or not keys:
        body = ab + [lines[k] for k in keys]
    else:
        body = [lines[k] for k in keys]
        pos = min(len(body), 1 + rng.randint(0, 2))
        body[pos:pos] = ab
    # de-duplicate "rest of lungs clear" style lines
    seen, clean_body = set(), []
    for b in body:
        if b in seen:
            continue
        seen.add(b)
        clean_body.append(b)
    d.find = clean_body
    imps = []
    for f in fs:
        minor = f.get("minor")
        if minor and (imp_mention_minor is False or (imp_mention_minor is None and rng.random() < 0.5)):
            continue
        imps.append(f["imp"])
    if not imps:
        imps = [_normal_imp(rng, d.ctx)]
    elif all(f.get("minor") or not f["sig"] for f in fs) and rng.random() < 0.3:
        imps.append("No other significant abnormality.")
    d.imp = imps
    advs = [f["adv"] for f in fs if f.get("adv")]
    if advs and rng.random() < 0.6:
        d.adv = advs[0]
    elif rng.random() < 0.1:
        d.adv = "Please correlate clinically."
    return d, fs


def composed_clean(rng):
    r = rng.random()
    if r < 0.06:  # impression-only descriptive report, complete
        d = Doc(rng)
        d.find_mode = "absent"
        d.imp = [rng.choice(["Both lung fields are clear. Cardiac size is normal. Both CP angles are clear. "
                             "No abnormality detected.",
                             "Lung fields clear, heart and mediastinum normal, CP angles sharp, bony thorax "
                             "normal. Normal chest X-ray."])]
        return d.render(), "impression-only descriptive normal report"
    if r < 0.62:
        d, _ = compose_base(rng)
        return d.render(), "normal report"
    names = [_wpick(rng, CLEAN_FIND)]
    if rng.random() < 0.15:
        extra = _wpick(rng, [("granuloma", 1), ("bony", 1), ("mild_cardio", 1)])
        if extra not in names and not (extra == "mild_cardio" and names[0] in ("cardiomegaly", "oedema", "copd")):
            names.append(extra)
    d, fs = compose_base(rng, names)
    return d.render(), "report with " + ", ".join(f["name"] for f in fs)


def composed_error(rng, kind):
    if kind == "missing_section":
        names = [] if rng.random() < 0.5 else [_wpick(rng, CLEAN_FIND)]
        d, fs = compose_base(rng, names)
        v = rng.random()
        if v < 0.4:
            d.imp_mode = "blank"
            d.adv = None
            return d.render(), "impression section left empty (header only)"
        if v < 0.7:
            d.imp_mode = "absent"
            d.adv = None
            return d.render(), "impression/conclusion section absent; findings go straight to sign-off"
        d.find_mode = rng.choice(["blank", "absent"])
        d.imp = [rng.choice(["As described above.", "Findings as above. Please correlate clinically.",
                             "Please correlate clinically.", "Adv: comparison with previous film.",
                             "As above."])]
        d.adv = None
        return d.render(), f"findings section {d.find_mode}; impression does not describe the image"
    if kind == "laterality_conflict":
        name = rng.choice(SIDED)
        d, fs = compose_base(rng, [name], imp_mention_minor=True)
        f = fs[0]
        s, o = f["side"], _other(f["side"])
        v = rng.random()
        if v < 0.7:
            new = _swap_side(f["imp"], s, o)
            d.imp = [new if x == f["imp"] else x for x in d.imp]
            return d.render(), f"impression puts the {name} on the {o}; findings on the {s}"
        # flip the side in the first findings sentence only (second keeps the original side)
        d.find = [_swap_side(x, s, o) if x in f["find"] else x for x in d.find]
        return d.render(), f"findings put the {name} on the {o}; impression says {s}"
    if kind == "negation_conflict":
        v = rng.random()
        if v < 0.4:
            # findings normal (negating), impression asserts a finding
            d, _ = compose_base(rng)
            name = rng.choice(["consolidation", "effusion", "small_effusion", "cardiomegaly", "pneumothorax"])
            f = finding(rng, name)
            keymap = {"consolidation": "lungs", "effusion": "cp", "small_effusion": "cp",
                      "cardiomegaly": "heart", "pneumothorax": None}
            key = keymap[name]
            if key is None:
                d.find.append(rng.choice(["No pneumothorax is seen.", "No evidence of pneumothorax."]))
                neg = d.find[-1]
            else:
                neg = rng.choice(NORMAL[key][:3])
                if not any(x in NORMAL[key] for x in d.find):
                    d.find.insert(0, neg)
                else:
                    neg = next(x for x in d.find if x in NORMAL[key])
            d.imp = [f["imp"]]
            d.adv = f.get("adv") if rng.random() < 0.5 else None
            return d.render(), f"impression asserts {name} ('{f['imp']}') but findings say '{neg}'"
        if v < 0.75:
            # findings affirm, impression negates it explicitly / by meaning
            name = rng.choice(["consolidation", "effusion", "cardiomegaly", "oedema", "pneumothorax"])
            d, fs = compose_base(rng, [name])
            negimp = {
                "consolidation": ["Both lung fields are clear. No significant abnormality.",
                                  "No consolidation seen. Normal chest X-ray."],
                "effusion": ["No pleural effusion.", "Both CP angles are clear. No significant abnormality."],
                "cardiomegaly": ["Heart size is normal. No active lung lesion.",
                                 "Normal cardiac size. No significant abnormality."],
                "oedema": ["No pulmonary oedema. Heart size normal.",
                           "Lung fields are clear. Cardiac size is normal."],
                "pneumothorax": ["No pneumothorax. Lung fields are clear.",
                                 "No evidence of pneumothorax."],
            }[name]
            d.imp = [rng.choice(negimp)]
            d.adv = None
            return d.render(), f"findings affirm {name}; impression replaced by '{d.imp[0]}'"
        # within the findings: a normal macro line left in that contradicts the abnormal line
        name = rng.choice(["consolidation", "effusion", "small_effusion", "cardiomegaly"])
        d, fs = compose_base(rng, [name])
        key = {"consolidation": "lungs", "effusion": "cp", "small_effusion": "cp", "cardiomegaly": "heart"}[name]
        macro = rng.choice(NORMAL[key][:3])
        d.find.insert(0 if key == "lungs" else len(d.find), macro)
        return d.render(), f"normal macro '{macro}' left in the findings beside the {name}"
    if kind == "impression_omits_finding":
        name = rng.choice(SIG)
        extra = [] if rng.random() < 0.7 else [rng.choice(["bronchitic", "granuloma", "bony", "mild_cardio"])]
        if name == "oedema" and extra == ["mild_cardio"] or name == "pneumothorax" and extra == ["bronchitic"]:
            extra = ["bony"]
        d, fs = compose_base(rng, [name] + extra, imp_mention_minor=True)
        f = fs[0]
        v = rng.random()
        others = [x["imp"] for x in fs[1:] if x["name"] in ("bronchitic",)]
        if others and v < 0.6:
            d.imp = others
            d.adv = "Please correlate clinically." if rng.random() < 0.4 else None
            return d.render(), f"impression mentions only the minor finding; omits {name}"
        d.imp = [_normal_imp(rng, d.ctx)]
        d.adv = None if rng.random() < 0.7 else "Please correlate clinically."
        return d.render(), f"normal impression pasted over; findings describe {name}"
    if kind == "placeholder":
        names = [] if rng.random() < 0.55 else [_wpick(rng, CLEAN_FIND)]
        d, fs = compose_base(rng, names)
        v = rng.randrange(9)
        if v == 0:
            d.exam = rng.choice(["X-RAY CHEST <VIEW>", "X-RAY CHEST [PA/AP] VIEW", "X-RAY CHEST .......... VIEW"])
            what = "exam view"
        elif v == 1:
            d.hist = d.hist.split(":")[0].split(" -")[0] + ": " + rng.choice(
                ["..............................", "[clinical details]", "<history>"])
            what = "clinical history"
        elif v == 2:
            d.comp = "Comparison: Previous film dated dd/mm/yyyy."
            what = "comparison date"
        elif v == 3:
            d.find.append(rng.choice(["CTR: ......", "Cardiothoracic ratio: [ ]", "CTR = <  >"]))
            what = "CTR value"
        elif v == 4:
            d.sign = rng.choice(["Dr. ........................\nMD (Radiodiagnosis)\nNMC No. .......",
                                 "Reported by: Dr. [Radiologist name]",
                                 "Dr. <<RADIOLOGIST>>\nConsultant Radiologist"])
            what = "radiologist name in sign-off"
        elif v in (5, 6) and fs and fs[0]["side"] and re.search(rf"\b{fs[0]['side']}\b", fs[0]["find"][0], re.I):
            s = fs[0]["side"]
            tok = rng.choice(["right/left", "Rt/Lt", "[side]", "(right / left)"])
            d.find = [re.sub(rf"\b{s}\b", tok, x, count=1, flags=re.I) if x == fs[0]["find"][0] else x
                      for x in d.find]
            what = "side of the finding"
        elif v == 7:
            d.imp = [rng.choice(["Normal chest X-ray. {{ADDITIONAL_FINDINGS}}",
                                 "No significant abnormality detected. [Add comment]",
                                 ]) if not fs else d.imp[0] + " <<comment>>"] + d.imp[1:]
            what = "impression comment field"
        else:
            d.find.insert(rng.randint(0, len(d.find)), rng.choice(
                ["[Insert findings]", "*** ", "{OTHER FINDINGS}", "Others: ........"]))
            what = "free-text field in findings"
        return d.render(), f"template field not filled: {what}"
    raise ValueError(kind)


def _swap_side(text, s, o):
    m = {"right": o if s == "right" else s, "left": o if s == "left" else s}
    if s == o:
        return text

    def rep(mt):
        w = mt.group(0)
        low = w.lower()
        base = {"rt": "right", "lt": "left"}.get(low, low)
        new = o if base == s else base
        if low in ("rt", "lt"):
            new = {"right": "Rt", "left": "Lt"}[new]
        elif w[0].isupper():
            new = new.capitalize()
        return new
    del m
    return re.sub(r"\b(right|left|Rt|Lt)\b", rep, text, flags=re.I)


# ----------------------------------------------------------------------------- real IU reports

SIGTERMS = {
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|infiltrat|airspace (?:disease|opacit)|air space (?:disease|opacit)",
    "effusion": r"effusion",
    "oedema": r"edema|oedema|vascular congestion|pulmonary congestion",
    "mass": r"\bmass\b",
}
NEG = re.compile(r"\b(no|not|without|negative|free of|removed|normal|"
                 r"exclude|excluded|rule out|cannot|can't|could|may|might|possible|possibly|"
                 r"questionable|question|suspicious|versus|vs|differential|consider|likely|"
                 r"small|trace|tiny|minimal|mild|subtle|chronic|stable|unchanged|old|"
                 r"calcified|prior|previous|history|known|again)\b|\?|\b(?:resol|clear|scar|granulom|atelecta|"
                 r"decreas|improv|residual|heal|redemonstrat|persist)", re.I)
PLAINNEG = re.compile(r"\b(no|not|without|negative|free of|resolved|clear|removed)\b", re.I)


def _sents(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t.strip()) if s]


def _affirmed(sent, pat):
    return re.search(pat, sent, re.I) and not NEG.search(sent)


def _mentions(text, pat):
    """A sentence in text mentions pat and does not plainly negate it."""
    return any(re.search(pat, s, re.I) and not PLAINNEG.search(s) for s in _sents(text))


def iu_ok(r):
    f, i = r.get("findings", ""), r.get("impression", "")
    if len(f) < 40 or len(i) < 8:
        return False
    if re.search(r"\[|\]|__|<|>|\{", f + i):
        return False
    if re.match(r"\s*(see|as above|as described|refer)", i, re.I):
        return False
    return True


def iu_clean_ok(r):
    """Stricter checks so that a real report kept as clean is one a consultant would sign."""
    f, i = r["findings"], r["impression"]
    for pat in SIGTERMS.values():
        fa = any(re.search(pat, s, re.I) and not PLAINNEG.search(s) for s in _sents(f))
        ia = _mentions(i, pat)
        fneg = any(re.search(pat, s, re.I) and PLAINNEG.search(s) for s in _sents(f))
        ineg = any(re.search(pat, s, re.I) and PLAINNEG.search(s) for s in _sents(i))
        if fa and not ia:
            return False
        if ia and fneg and not fa:
            return False
        if fa and ineg:
            return False
        # laterality consistency
        fs = {m.lower() for s in _sents(f) if re.search(pat, s, re.I) and not PLAINNEG.search(s)
              for m in re.findall(r"\b(right|left)\b", s, re.I)}
        is_ = {m.lower() for s in _sents(i) if re.search(pat, s, re.I) and not PLAINNEG.search(s)
               for m in re.findall(r"\b(right|left)\b", s, re.I)}
        if fs and is_ and not (fs & is_):
            return False
    if re.search(r"cardiomegaly|heart (?:size )?is enlarged|enlarged heart|cardiac silhouette is enlarged", f, re.I):
        if re.search(r"heart size (?:is )?normal|normal heart size|heart is normal", i, re.I):
            return False
    if re.search(r"heart size (?:is )?normal|normal heart size|heart is normal in size|normal cardiac",
                 f, re.I) and re.search(r"cardiomegaly|enlarged", i, re.I):
        return False
    if re.search(r"lungs are clear", f, re.I) and re.search(SIGTERMS["consolidation"], i, re.I) \
            and _mentions(i, SIGTERMS["consolidation"]):
        return False
    return True


REWORD = [
    (r"\bx-XXXX\b", "X-ray"),
    (r"\b(?:The|Both) lungs are clear bilaterally\b", "Both lung fields are clear"),
    (r"\bBoth lungs are clear\b", "Both lung fields are clear"),
    (r"\bThe lungs are clear\b", "Both lung fields are clear"),
    (r"\bLungs are clear\b", "Both lung fields are clear"),
    (r"\blungs are clear\b", "both lung fields are clear"),
    (r"\bThe heart is normal in size\b", "Cardiac size is normal"),
    (r"\bHeart size is normal\b", "Cardiac size is within normal limits"),
    (r"\bheart size is normal\b", "cardiac size is within normal limits"),
    (r"\bThe heart size is normal\b", "Cardiac size is within normal limits"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal shadow"),
    (r"\bCardiomediastinal silhouette\b", "Cardiomediastinal shadow"),
    (r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"),
    (r"\bhemidiaphragm\b", "dome of diaphragm"), (r"\bhemidiaphragms\b", "domes of diaphragm"),
    (r"\bcostophrenic\b", "CP"), (r"\bvisualized\b", "visualised"), (r"\bVisualized\b", "Visualised"),
    (r"\bosseous structures\b", "bony structures"), (r"\bOsseous structures\b", "Bony structures"),
    (r"\bopacity\b", "opacity"), (r"\bcentimeters?\b", "cm"), (r"\bmillimeters?\b", "mm"),
    (r"\bcalcified granuloma\b", "calcified granuloma"), (r"\bwith the previous\b", "with the previous film"),
    (r"\bpneumothorax or pleural effusion\b", "pneumothorax or pleural effusion"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality detected"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary disease seen"),
    (r"\bNo active disease\b", "No active lung pathology"),
    (r"\bNegative chest\b", "Normal chest"),
    (r"\bcolor\b", "colour"), (r"\bhilar\b", "hilar"),
]


def reword(t: str) -> str:
    if not t:
        return t
    for a, b in REWORD:
        t = re.sub(a, b, t)
    t = re.sub(r"\b(detected|seen) (detected|seen)\b", r"\1", t)
    t = re.sub(r"\.\.+", ".", t)
    t = re.sub(r"\.(\s*\.)+", ".", t)
    return t.strip()


def iu_render(rng, r, find, imp, imp_mode="normal", detail_pre=None):
    ind0 = r.get("indication", "")
    sex = "F" if re.search(r"\b(female|woman|f)\b", ind0, re.I) else (
        "M" if re.search(r"\b(male|man|m)\b", ind0, re.I) else None)
    if re.search(r"\btb\b|tubercul|ppd|quantiferon", ind0, re.I):
        ctx = "tb"
    elif re.search(r"pre-?op|employment|physical|screen", ind0, re.I):
        ctx = "med"
    else:
        ctx = rng.choice(["opd", "opd", "opd", "er", "ward"])
    d = Doc(rng, lateral=rng.random() < 0.6, ctx=ctx, sex=sex or rng.choice("MF"), age="XXXX" if ind0 else None)
    ind = reword(ind0) or rng.choice(CONTEXTS[d.ctx][1])
    d.hist = f"{rng.choice(HIST_HDR)} {ind}"
    comp = reword(r.get("comparison", ""))
    d.comp = f"Comparison: {comp}" if comp else None
    d.tech = None
    fs = _sents(find)
    d.find = fs if (d.bullets or rng.random() < 0.4) else [find]
    if not d.bullets and rng.random() < 0.5 and len(fs) > 1:
        d.find = [" ".join(fs)]
    im = re.split(r"\s*(?=\b\d\.\s)", imp)
    im = [re.sub(r"^\d\.\s*", "", x).strip() for x in im if x.strip()]
    d.imp = im if im else [imp]
    d.imp_mode = imp_mode
    d.adv = rng.choice(ADVICE[:3]) if rng.random() < 0.12 else None
    return d.render()


def _flip_word(sent, side):
    o = _other(side)
    return re.sub(rf"\b{side}\b", o, re.sub(rf"\b{side.capitalize()}\b", o.capitalize(), sent))


def iu_error(rng, r, kind):
    """Return (report, detail) or None when this report does not suit the kind."""
    f, i = reword(r["findings"]), reword(r["impression"])
    fs, is_ = _sents(f), _sents(i)
    if kind == "missing_section":
        mode = rng.choice(["blank", "absent", "blank"])
        return iu_render(rng, r, f, "", imp_mode=mode), f"impression {'emptied' if mode == 'blank' else 'removed'}"
    if kind == "placeholder":
        cands = []
        for where, ss in (("findings", fs), ("impression", is_)):
            for k, s in enumerate(ss):
                for m in re.finditer(r"\b(right|left|upper|lower|middle|mild|moderate|small|large|"
                                     r"\d+(?:\.\d+)?|lobe|base|apex|effusion|opacity|nodule|spine)\b", s):
                    cands.append((where, k, m))
        if not cands:
            return None
        where, k, m = rng.choice(cands)
        tok = rng.choice(["....", "[ ]", "<  >", "xx", "(  )", "{ }", "[select]", "***", "........"])
        ss = fs if where == "findings" else is_
        s = ss[k]
        ss = list(ss)
        ss[k] = s[:m.start()] + tok + s[m.end():]
        nf, ni = (" ".join(ss), i) if where == "findings" else (f, " ".join(ss))
        return iu_render(rng, r, nf, ni), f"'{m.group(0)}' in {where} replaced by unfilled field '{tok}'"
    if kind == "laterality_conflict":
        opts = []
        for g, pat in SIGTERMS.items():
            pat2 = pat + {"consolidation": r"|opacit|densit", "mass": r"|opacit|densit|nodul",
                          "effusion": r"|CP|costophrenic|blunt"}.get(g, "")
            for k, s in enumerate(is_):
                sides = re.findall(r"\b(right|left)\b", s, re.I)
                if len(sides) != 1 or PLAINNEG.search(s) or not re.search(pat, s, re.I) or "bilateral" in s.lower():
                    continue
                side = sides[0].lower()
                allsides = {x.lower() for t in fs + is_ if re.search(pat2, t, re.I) and not PLAINNEG.search(t)
                            for x in re.findall(r"\b(right|left)\b", t, re.I)}
                if allsides != {side}:
                    continue
                for j, t in enumerate(fs):
                    ts = re.findall(r"\b(right|left)\b", t, re.I)
                    if [x.lower() for x in ts] == [side] and re.search(pat2, t, re.I) and not PLAINNEG.search(t):
                        opts.append((k, j, side))
        if not opts:
            return None
        k, j, side = rng.choice(opts)
        if rng.random() < 0.6:
            is2 = list(is_)
            is2[k] = _flip_word(is_[k], side)
            return (iu_render(rng, r, f, " ".join(is2)),
                    f"impression sentence flipped {side}->{_other(side)}: '{is2[k]}'")
        fs2 = list(fs)
        fs2[j] = _flip_word(fs[j], side)
        return (iu_render(rng, r, " ".join(fs2), i),
                f"findings sentence flipped {side}->{_other(side)}: '{fs2[j]}'")
    if kind == "impression_omits_finding":
        for g, pat in SIGTERMS.items():
            if any(_affirmed(s, pat) for s in fs) and any(_affirmed(s, pat) for s in is_):
                if g == "effusion" and not any(_affirmed(s, pat) and re.search(r"moderate|large|layering",
                                                                              s, re.I) for s in fs):
                    continue
                ni = rng.choice(["No acute cardiopulmonary abnormality.", "No significant abnormality detected.",
                                 "Normal chest X-ray.", "No active lung pathology seen.",
                                 "No acute disease."])
                return iu_render(rng, r, f, ni), f"impression replaced by '{ni}'; findings affirm {g}"
        return None
    if kind == "negation_conflict":
        opts = []
        normal_imp = bool(re.match(r"\s*(no acute|no active|normal|negative|no evidence of acute|"
                                   r"no significant|both lung fields are clear|unremarkable)", i, re.I)) \
            and len(is_) <= 2
        if not normal_imp:
            pass
        elif re.search(r"\bno (?:\w+ )?(?:pleural )?effusions?\b|without (?:\w+ )?effusion", f, re.I) and \
                not any(_mentions(s, "effusion") for s in fs):
            side = rng.choice(["right", "left"])
            opts.append((rng.choice([f"{_cap(side)} pleural effusion.", "Bilateral pleural effusions.",
                                     f"Moderate {side} pleural effusion.",
                                     f"Minimal {side} pleural effusion (blunted {side} CP angle)."]),
                         "impression asserts effusion; findings negate it"))
        if normal_imp and re.search(r"\bno (?:\w+ )?pneumothora|without pneumothora", f, re.I) and \
                not any(_mentions(s, "pneumothora") for s in fs):
            side = rng.choice(["right", "left"])
            opts.append((rng.choice([f"Small {side} apical pneumothorax.", f"{_cap(side)}-sided pneumothorax.",
                                     f"Shallow {side} pneumothorax - adv. clinical correlation."]),
                         "impression asserts pneumothorax; findings negate it"))
        if normal_imp and re.search(r"lung fields are clear|lungs are (?:otherwise )?clear", f, re.I) and \
                not any(_mentions(s, SIGTERMS["consolidation"]) for s in fs):
            side = rng.choice(["right", "left"])
            opts.append((rng.choice([f"{_cap(side)} lower zone consolidation, likely pneumonia.",
                                     f"Patchy consolidation in the {side} mid zone.",
                                     f"Features s/o {side} lower lobe pneumonia.",
                                     f"{_cap(side)} basal consolidation - infective aetiology."]),
                         "impression asserts consolidation; findings say lungs clear"))
        if normal_imp and re.search(r"heart size is (?:within )?normal|cardiac size is (?:within )?normal|"
                                    r"normal heart size|"
                     r"heart is normal in size|cardiac silhouette is (?:within )?normal|"
                     r"heart (?:size )?(?:is )?within normal limits", f, re.I) and \
                not re.search(r"cardiomegaly|enlarg", f, re.I):
            opts.append((rng.choice(["Cardiomegaly.", "Cardiomegaly (CTR ~0.6). Adv: 2D echo.",
                                     "Cardiomegaly. Lungs clear."]),
                         "impression asserts cardiomegaly; findings say heart size normal"))
        if re.search(r"cardiomegaly|heart (?:size )?is enlarged|cardiac silhouette is enlarged", f, re.I) and \
                not re.search(r"\b(mild|minimal|borderline|no)\b[^.]*(cardiomegaly|enlarg)", f, re.I) and \
                re.search(r"cardiomegaly|enlarg", i, re.I):
            k = next(k for k, x in enumerate(is_) if re.search(r"cardiomegaly|enlarg", x, re.I))
            opts.append((k, "Heart size is normal.",
                         "impression says heart size normal; findings describe cardiomegaly"))
        for g in ("effusion", "pneumothorax"):
            pat = SIGTERMS[g]
            if any(_affirmed(s, pat) for s in fs) and any(_affirmed(s, pat) for s in is_):
                k = next(k for k, x in enumerate(is_) if _affirmed(x, pat))
                opts.append((k, f"No {'pleural effusion' if g == 'effusion' else 'pneumothorax'}.",
                             f"impression negates the {g} that findings affirm"))
        if not opts:
            return None
        o = rng.choice(opts)
        if len(o) == 2:
            ni, det = o
            return iu_render(rng, r, f, ni), f"{det}; impression replaced by '{ni}'"
        k, ns, det = o
        is2 = list(is_)
        is2[k] = ns
        return iu_render(rng, r, f, " ".join(is2)), f"{det}; impression sentence '{is_[k]}' replaced by '{ns}'"
    raise ValueError(kind)


# ----------------------------------------------------------------------------- build

LAST_UIDS: list[str] = []  # IU uids used by the latest build() (clean and injected)


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h102-{seed}")
    excl = dev_uids()
    iu = [r for r in load_iu() if r["uid"] not in excl and iu_ok(r)]
    rng.shuffle(iu)
    used: set[str] = set()
    rows: list[dict] = []

    def add(kind, detail, report, src):
        rows.append({"injected": kind, "detail": detail, "report": report, "_src": src})

    # real clean
    n = 0
    for r in iu:
        if n >= N_CLEAN // 2:
            break
        if r["uid"] in used or not iu_clean_ok(r):
            continue
        # keep the normal/abnormal mix of a real list: skip some abnormal ones
        abn = not re.search(r"no acute|normal|no active|negative|clear", r["impression"], re.I)
        if abn and rng.random() < 0.35:
            continue
        used.add(r["uid"])
        rep = iu_render(rng, r, reword(r["findings"]), reword(r["impression"]))
        add(None, "", rep, r["uid"])
        n += 1
    # real errors
    for kind in KINDS:
        n = 0
        for r in iu:
            if n >= N_KIND // 2:
                break
            if r["uid"] in used:
                continue
            if kind != "missing_section" and kind != "placeholder" and not iu_clean_ok(r):
                continue
            if kind in ("missing_section", "placeholder") and not iu_clean_ok(r):
                continue
            out = iu_error(rng, r, kind)
            if out is None:
                continue
            used.add(r["uid"])
            add(kind, out[1] + f" (IU {r['uid']})", out[0], r["uid"])
            n += 1
        if n < N_KIND // 2:
            raise RuntimeError(f"not enough IU reports for {kind}")
    # composed
    for _ in range(N_CLEAN // 2):
        rep, det = composed_clean(rng)
        add(None, "", rep, "composed:" + det)
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            rep, det = composed_error(rng, kind)
            add(kind, det, rep, "composed")
    rng.shuffle(rows)
    LAST_UIDS[:] = sorted(used)
    out = []
    for k, r in enumerate(rows):
        out.append({"id": f"h102-{seed}-{k}", "injected": r["injected"], "detail": r["detail"],
                    "report": r["report"]})
    return out


def main(argv=None) -> int:
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
            sel = [r for r in rows if r["injected"] == kind][:a.show]
            for r in sel:
                print(f"===== {r['id']}  [{kind}]  {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
