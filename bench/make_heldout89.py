"""Held-out report-check set 89, written blind.

Setting: Malaysian public hospitals and klinik kesihatan (KK) referrals in Kuala Lumpur, Penang and Johor
Bahru. Chest radiograph reports written in English by Malaysian radiologists and medical officers (MOs):
exam line, clinical history (with local abbreviations: c/o, x 3/7, 2/52, LOW/LOA, alleged MBA, FOMEMA /
pre-employment screening, contact of PTB), comparison, technique, findings (often zone-based:
upper/mid/lower zone, CP angles, CTR), impression / conclusion / opinion and a sign-off line. British
spellings (oedema, haemothorax, visualised). Mostly normal or near-normal films, with the ordinary
pathology of the setting: PTB (active and old/healed), pneumonia, heart failure / fluid overload, dengue
with pleural effusion, and post-trauma films (rib fractures, pneumothorax).

400 cases: 200 clean and 40 of each injected kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of each group is composed from the
phrase bank below; the other half are real IU reports (never a dev-set uid), re-laid-out in the local
style with light British re-wording, with the error (if any) injected into them.

    python -m bench.make_heldout89 OUT.jsonl --seed S [--show N]
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_PER_KIND = 40

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


# ----------------------------------------------------------------------------------------------
# setting furniture
# ----------------------------------------------------------------------------------------------

HOSPITALS = [
    "Jabatan Radiologi, Hospital Kuala Lumpur",
    "Department of Radiology, Hospital Kuala Lumpur",
    "Department of Radiology, Hospital Pulau Pinang",
    "Jabatan Radiologi, Hospital Pulau Pinang",
    "Department of Radiology, Hospital Sultanah Aminah, Johor Bahru",
    "Department of Radiology, Hospital Sultan Ismail, Johor Bahru",
    "Radiology Unit, Hospital Seberang Jaya",
    "Department of Radiology, Hospital Kuala Lumpur (Emergency & Trauma)",
]
CLINICS = [
    "Klinik Kesihatan Jinjang",
    "Klinik Kesihatan Kuala Lumpur",
    "Klinik Kesihatan Cheras",
    "Klinik Kesihatan Bayan Lepas",
    "Klinik Kesihatan Jalan Perak, Pulau Pinang",
    "Klinik Kesihatan Mahmoodiah, Johor Bahru",
    "Klinik Kesihatan Tampoi",
    "Klinik Kesihatan Larkin",
]
RADIOLOGISTS = [
    "Dr. Nurul Izzah binti Mohd Yusof",
    "Dr. Tan Wei Ling",
    "Dr. Kavitha a/p Subramaniam",
    "Dr. Muhammad Hafiz bin Abdullah",
    "Dr. Lim Chee Keong",
    "Dr. Siti Aishah binti Hassan",
    "Dr. Rajesh a/l Krishnan",
    "Dr. Wong Mei Yee",
    "Dr. Nor Azlina binti Osman",
    "Dr. Ong Boon Hock",
    "Dr. Farah Hanim binti Zainal",
    "Dr. Chong Kah Wai",
]
MOS = [
    "Dr. Amirul Hakim",
    "Dr. Priya Devi",
    "Dr. Lee Jia Hui",
    "Dr. Syafiqah Ramli",
    "Dr. Hariharan",
    "Dr. Chin Yee Min",
    "Dr. Aina Sofea",
]
EXAMS = [
    ("CHEST X-RAY (PA ERECT)", "PA erect view. Adequate inspiration and penetration."),
    ("CHEST RADIOGRAPH PA VIEW", "PA erect view. Patient slightly rotated."),
    ("CXR PA", "PA view. Adequate inspiration."),
    ("X-RAY THORAX PA", "PA erect view. Adequate inspiration and penetration."),
    ("CHEST X-RAY AP (SUPINE)", "AP supine view, suboptimal inspiration."),
    ("CHEST X-RAY AP SITTING (MOBILE)", "AP sitting mobile film. Patient slightly rotated."),
    ("CXR PA AND LATERAL", "PA and lateral views."),
]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2022, 2023, 2024, 2025])}"


def _abbr(place: str) -> str:
    for k, v in (("Kuala Lumpur", "HKL"), ("Pulau Pinang", "HPP"), ("Sultanah Aminah", "HSA JB"),
                 ("Sultan Ismail", "HSI JB"), ("Seberang Jaya", "HSJ")):
        if k in place:
            return v
    return "HKL"


def _signoff(rng: random.Random, clinic: bool, place: str) -> str:
    if clinic:
        return rng.choice([
            f"MO: {rng.choice(MOS)}",
            f"Seen by {rng.choice(MOS)} (MO, {place})",
            f"Reviewed by {rng.choice(MOS)}, MO",
        ])
    name = rng.choice(RADIOLOGISTS)
    return rng.choice([
        f"Reported by: {name}, Radiologist (MMC {rng.randint(30000, 79999)})",
        f"Reported by {name}\nConsultant Radiologist",
        f"{name}\nRadiologist, {_abbr(place)}",
        f"Dictated by: {name} | Verified: {rng.choice(RADIOLOGISTS)}",
        f"Reported by: {name} (Radiologist)",
    ])


# ----------------------------------------------------------------------------------------------
# phrase bank
# ----------------------------------------------------------------------------------------------

NORMAL_PARTS = {
    "trachea": ["Trachea is central.", "The trachea is centrally located.", "Trachea central.",
                "Trachea is in the midline."],
    "heart": ["Heart size is normal.", "Heart is not enlarged (CTR < 0.5).", "Cardiac size is within normal limits.",
              "CTR is {ctr}. Heart size normal.", "No cardiomegaly.", "Heart size is not enlarged."],
    "medi": ["Mediastinum is not widened.", "Both hila are normal.", "Hilar shadows are unremarkable.",
             "Mediastinal contour is normal."],
    "lungs": ["Both lung fields are clear.", "Lung fields are clear. No focal consolidation or mass lesion seen.",
              "No active lung lesion seen.", "No obvious consolidation, collapse or mass seen.",
              "Both lungs are clear with normal vascular markings.", "Lung parenchyma is clear."],
    "pleura": ["Both costophrenic angles are sharp.", "CP angles are clear.", "No pleural effusion.",
               "Bilateral costophrenic angles are preserved. No pleural effusion.",
               "No pleural effusion or pneumothorax."],
    "diaph": ["Both hemidiaphragms are normal in outline.", "Domes of diaphragm are smooth and well defined.",
              "No free air under the diaphragm."],
    "bones": ["Bony thorax is intact.", "Visualised bony structures are unremarkable.",
              "No bony abnormality seen.", "Soft tissues and bony thorax are unremarkable.",
              "No rib fracture seen."],
}
NORMAL_IMP = [
    "Normal chest radiograph.",
    "No significant abnormality detected.",
    "No active lung lesion.",
    "Normal study.",
    "Normal chest X-ray. No radiological evidence of active pulmonary tuberculosis.",
    "No acute cardiopulmonary abnormality.",
    "Chest radiograph within normal limits.",
    "No radiological abnormality seen.",
    "Normal CXR.",
]
NORMAL_HX = [
    "Pre-employment medical check-up.",
    "FOMEMA screening (foreign worker).",
    "Chronic cough for 3/52. No LOW/LOA.",
    "Fever x 3/7 with cough. To rule out pneumonia.",
    "Close contact of smear positive PTB case. Asymptomatic.",
    "HPT, DM on follow-up at KK. Routine CXR.",
    "Pre-op assessment for elective lap cholecystectomy.",
    "Dengue fever day 4, no warning signs.",
    "Alleged MBA, c/o left chest wall pain.",
    "Alleged fall from height 1 m, chest pain.",
    "Bronchial asthma in mild exacerbation.",
    "Cough x 2/52, non-productive. Ex-smoker.",
    "Annual medical check-up (civil servant).",
    "Antenatal mother, contact of PTB. Abdominal shield used.",
    "Prolonged cough, for TB screening.",
]
INCIDENTAL = [
    ("Unfolding of the thoracic aorta is noted.", None),
    ("Degenerative changes of the thoracic spine with marginal osteophytes.", None),
    ("Small calcified granuloma at the {side} mid zone.", "side"),
    ("Aortic knuckle calcification noted.", None),
    ("Healed fracture of the {side} {rib} rib.", "side"),
    ("Cervical rib noted on the {side}.", "side"),
]
RIBS = ["4th", "5th", "6th", "7th", "8th"]


def _side(rng: random.Random) -> str:
    return rng.choice(["right", "left"])


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _normal_findings(rng: random.Random, skip: tuple = ()) -> list[str]:
    out = []
    for key, opts in NORMAL_PARTS.items():
        if key in skip:
            continue
        if key in ("medi", "diaph", "trachea") and rng.random() < 0.35:
            continue
        out.append(rng.choice(opts).format(ctr=rng.choice(["0.42", "0.45", "0.46", "0.48"])))
    return out


# Each scenario returns a dict:
#  find: findings sentences, imp: impression sentences, hx: history,
#  side: side of the lateral finding (or None), fidx/iidx: index of the side-bearing sentences,
#  sig: significant for impression omission, term: a short name of the finding,
#  negimp: an impression that explicitly negates the finding (for negation_conflict), or None.

def sc_normal(rng):
    find = _normal_findings(rng)
    imp = [rng.choice(NORMAL_IMP)]
    return dict(find=find, imp=imp, hx=rng.choice(NORMAL_HX), side=None, sig=False, term="normal")


def sc_incidental(rng):
    find = _normal_findings(rng)
    text, needs = rng.choice(INCIDENTAL)
    side = _side(rng)
    if "fracture" in text:
        find = [x for x in find if "fracture" not in x]
    find.insert(rng.randint(len(find) - 2, len(find)), text.format(side=side, rib=rng.choice(RIBS)))
    imp = [rng.choice(NORMAL_IMP[:7])]
    return dict(find=find, imp=imp, hx=rng.choice(NORMAL_HX), side=None, sig=False, term="incidental")


def sc_mild_cardiomegaly(rng):
    find = _normal_findings(rng, skip=("heart",))
    find.insert(1, rng.choice([
        "Heart is mildly enlarged (CTR 0.55).",
        "Borderline cardiomegaly, CTR 0.52.",
        "Mild cardiomegaly, unchanged from previous.",
    ]))
    imp = rng.choice([
        ["Mild cardiomegaly. No active lung lesion."],
        ["No active lung lesion."],
        ["Borderline heart size. Lungs clear."],
    ])
    hx = rng.choice(["HPT on follow-up. SOB on exertion.", "Known IHD, routine review.",
                     "DM, HPT, dyslipidaemia. Annual CXR."])
    return dict(find=find, imp=imp, hx=hx, side=None, sig=False, term="cardiomegaly")


def sc_pneumonia(rng):
    side = _side(rng)
    zone = rng.choice(["lower", "mid", "lower", "upper"])
    find = [rng.choice(NORMAL_PARTS["trachea"]), rng.choice(NORMAL_PARTS["heart"]).format(ctr="0.46")]
    find.append(rng.choice([
        f"There is a patchy consolidation at the {side} {zone} zone with air bronchograms.",
        f"Air space opacity seen in the {side} {zone} zone, in keeping with consolidation.",
        f"Ill-defined consolidation over the {side} {zone} zone.",
        f"Heterogeneous opacity at {side} {zone} zone with air bronchogram.",
    ]))
    fidx = len(find) - 1
    other = "left" if side == "right" else "right"
    find.append(rng.choice([f"The {other} lung is clear.", f"{_cap(other)} lung field is clear."]))
    find.append(rng.choice(["No pleural effusion.", "CP angles are clear.", "Costophrenic angles are sharp."]))
    find.append(rng.choice(NORMAL_PARTS["bones"]))
    ab = "Rt" if side == "right" else "Lt"
    imp = [rng.choice([
        f"{_cap(side)} {zone} zone pneumonia.",
        f"Features are in keeping with {side} {zone} zone pneumonia.",
        f"{ab} {zone} zone consolidation, likely infective.",
        f"Consolidation at the {side} {zone} zone, suggestive of pneumonia. Suggest clinical correlation.",
    ])]
    hx = rng.choice(["Fever x 5/7, productive cough, SOB.", "Cough with yellowish sputum x 1/52, febrile.",
                     "Elderly, fever and reduced effort tolerance. ? CAP.", "T2DM, fever and cough x 4/7."])
    negimp = rng.choice(["No consolidation seen.", "No pneumonia. Lungs are clear.",
                         "Both lung fields are clear."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=fidx, iidx=0, sig=True,
                term="consolidation", negimp=negimp)


def sc_ptb(rng):
    side = _side(rng)
    find = [rng.choice(NORMAL_PARTS["trachea"]), rng.choice(NORMAL_PARTS["heart"]).format(ctr="0.44")]
    find.append(rng.choice([
        f"Patchy consolidation with a cavity measuring 2.5 cm is seen at the {side} upper zone.",
        f"Ill-defined nodular opacities and consolidation at the {side} upper zone with cavitation.",
        f"Fluffy air space opacities in the {side} upper and mid zones with a thick-walled cavity.",
    ]))
    fidx = len(find) - 1
    find.append(rng.choice(["No pleural effusion.", "CP angles are clear."]))
    find.append(rng.choice(["No hilar lymphadenopathy.", "Both hila are not enlarged."]))
    imp = [rng.choice([
        f"Features suggestive of active pulmonary tuberculosis ({side} upper zone). Suggest sputum AFB x 3.",
        f"{_cap(side)} upper zone cavitating consolidation, likely PTB. Kindly correlate with sputum AFB/GeneXpert.",
        f"Active PTB involving the {side} upper zone.",
    ])]
    hx = rng.choice(["Chronic cough 1/12, LOW/LOA, night sweats.", "Haemoptysis x 2/7. Contact of PTB.",
                     "Cough > 2/52, LOA, ? PTB.", "Foreign worker, FOMEMA screening. Cough."])
    negimp = rng.choice(["No cavitating lesion. No radiological evidence of active PTB.",
                         "No consolidation or cavity seen."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=fidx, iidx=0, sig=True,
                term="consolidation/cavity", negimp=negimp)


def sc_old_tb(rng):
    side = _side(rng)
    find = _normal_findings(rng, skip=("lungs",))
    find.insert(2, rng.choice([
        f"Fibrocalcified changes at the {side} upper zone with mild volume loss.",
        f"Fibrotic strands and calcified nodules in the {side} upper zone.",
        f"Old fibrotic scarring seen at the {side} apex, unchanged from previous film.",
    ]))
    imp = [rng.choice([
        f"Old/healed PTB changes at the {side} upper zone. No active lung lesion.",
        f"{_cap(side)} apical fibrocalcific changes, likely old PTB. No active disease.",
        f"Healed PTB ({side} upper zone). No new lesion.",
    ])]
    hx = rng.choice(["Hx of PTB, completed treatment 2019. Follow-up.", "Old PTB, c/o cough x 1/52.",
                     "FOMEMA screening."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=2, iidx=0, sig=False, term="fibrocalcific")


def sc_heart_failure(rng):
    ctr = rng.choice(["0.60", "0.62", "0.65", "0.58"])
    find = [f"Heart is enlarged with CTR of {ctr}." if rng.random() < 0.5 else f"Cardiomegaly (CTR {ctr}).",
            rng.choice(["There is upper lobe blood diversion.",
                        "Prominent upper lobe vessels noted (upper lobe diversion)."]),
            rng.choice(["Bilateral perihilar haziness with Kerley B lines, in keeping with pulmonary oedema.",
                        "Bilateral perihilar bat-wing opacities, suggestive of pulmonary oedema.",
                        "Interstitial oedema with septal lines at both bases."]),
            rng.choice(["Bilateral blunted costophrenic angles due to small pleural effusions.",
                        "Small bilateral pleural effusions."]),
            ]
    imp = [rng.choice([
        "Cardiomegaly with pulmonary oedema, in keeping with congestive cardiac failure.",
        "Features of fluid overload / CCF: cardiomegaly, upper lobe diversion and pulmonary oedema.",
        "Congestive cardiac failure with bilateral small effusions.",
    ])]
    hx = rng.choice(["Known IHD, SOB and orthopnoea x 3/7, bilateral LL oedema.", "ESRF on HD, missed dialysis, SOB.",
                     "HPT, DM, worsening SOB, ? APO.", "Acute pulmonary oedema, post-IV frusemide."])
    negimp = rng.choice(["No pulmonary oedema. Heart size normal.", "No features of fluid overload."])
    return dict(find=find, imp=imp, hx=hx, side=None, sig=True, term="pulmonary oedema", negimp=negimp)


def sc_dengue(rng):
    side = rng.choice(["right", "right", "left"])
    size = rng.choice(["moderate", "moderate", "large", "small"])
    find = [rng.choice(NORMAL_PARTS["heart"]).format(ctr="0.47"),
            rng.choice([f"There is a {size} {side} pleural effusion obscuring the {side} hemidiaphragm.",
                        f"{_cap(size)} {side} pleural effusion with meniscus sign.",
                        f"Blunting of the {side} costophrenic angle with a {size} pleural effusion."])]
    fidx = 1
    find.append("Lung fields are otherwise clear.")
    find.append(rng.choice(NORMAL_PARTS["bones"]))
    imp = [rng.choice([
        f"{_cap(size)} {side} pleural effusion, in keeping with plasma leakage in dengue.",
        f"{_cap(side)} pleural effusion ({size}). Clinical correlation with dengue is suggested.",
        f"{_cap(size)} {side}-sided pleural effusion.",
    ])]
    hx = rng.choice(["Dengue fever day 6, warning signs (abdominal pain, lethargy).",
                     "Dengue with warning signs, rising HCT. ? plasma leakage.",
                     "DHF day 5, SOB."])
    negimp = rng.choice(["No pleural effusion.", "Both costophrenic angles are clear. No effusion."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=fidx, iidx=0, sig=size != "small",
                term="pleural effusion", negimp=negimp)


def sc_trauma(rng):
    side = _side(rng)
    r1 = rng.randint(3, 6)
    ordn = {3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th"}
    ribs = f"{ordn[r1]} to {ordn[r1 + 2]}"
    find = [rng.choice(NORMAL_PARTS["trachea"]),
            f"Fractures of the {side} {ribs} ribs posterolaterally.",
            rng.choice([f"There is a {side} pneumothorax with the lung edge seen at the level of the {ordn[r1]} rib.",
                        f"{_cap(side)} pneumothorax with visceral pleural line, no mediastinal shift.",
                        f"{_cap(side)}-sided pneumothorax measuring about 2 cm from the lateral chest wall."]),
            rng.choice(["Subcutaneous emphysema over the chest wall.", "No haemothorax."]),
            rng.choice(NORMAL_PARTS["heart"]).format(ctr="0.45")]
    imp = [rng.choice([
        f"{_cap(side)} {ribs} rib fractures with {side} pneumothorax.",
        f"{_cap(side)} pneumothorax secondary to {side} rib fractures. Urgent chest tube review.",
        f"Multiple {side} rib fractures ({ribs}) and {side} pneumothorax.",
    ])]
    hx = rng.choice(["Alleged MBA, skidded alone, c/o chest pain and SOB.", "Alleged MVA, driver, chest pain.",
                     "Alleged assault, left/right chest pain.", "Alleged fall from motorcycle, SOB."])
    hx = hx.replace("left/right", side)
    negimp = rng.choice(["No pneumothorax.", f"{_cap(side)} rib fractures. No pneumothorax seen."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=1, iidx=0, sig=True, term="pneumothorax",
                negimp=negimp, partial=f"{_cap(side)} {ribs} rib fractures.")


def sc_rib_only(rng):
    side = _side(rng)
    rib = rng.choice(RIBS)
    find = _normal_findings(rng, skip=("bones",))
    find.append(f"Undisplaced fracture of the {side} {rib} rib laterally.")
    fidx = len(find) - 1
    find.append("No pneumothorax or haemothorax.")
    imp = [rng.choice([f"Undisplaced {side} {rib} rib fracture. No pneumothorax.",
                       f"{_cap(side)} {rib} rib fracture, no underlying pneumothorax."])]
    hx = rng.choice(["Alleged MBA, c/o chest wall pain.", "Alleged fall at home, chest wall tenderness."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=fidx, iidx=0, sig=False, term="rib fracture")


def sc_nodule(rng):
    side = _side(rng)
    zone = rng.choice(["upper", "mid", "lower"])
    size = rng.choice(["1.5 cm", "2.0 cm", "12 mm", "3 cm"])
    find = _normal_findings(rng, skip=("lungs",))
    find.insert(2, f"A well-defined rounded opacity measuring {size} is seen at the {side} {zone} zone.")
    imp = [rng.choice([f"{_cap(side)} {zone} zone nodule ({size}). Suggest CT thorax for further evaluation.",
                       f"Solitary pulmonary nodule in the {side} {zone} zone. Recommend CT thorax.",
                       f"{_cap(side)} {zone} zone lung lesion, ? neoplasm. CT thorax is recommended."])]
    hx = rng.choice(["Chronic smoker, LOW/LOA.", "Haemoptysis x 1/52, ex-smoker 40 pack-years.",
                     "Incidental finding on FOMEMA film, for review."])
    negimp = "No lung nodule or mass seen."
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=2, iidx=0, sig=True, term="nodule", negimp=negimp)


def sc_small_effusion(rng):
    side = _side(rng)
    find = _normal_findings(rng, skip=("pleura",))
    find.append(f"Blunting of the {side} costophrenic angle, likely small pleural effusion.")
    fidx = len(find) - 1
    imp = [rng.choice([f"Small {side} pleural effusion.", f"Blunted {side} CP angle, small effusion.",
                       f"Small {side} pleural effusion. Lungs are otherwise clear."])]
    hx = rng.choice(["Dengue fever day 5.", "CKD, for review.", "Fever and pleuritic chest pain."])
    return dict(find=find, imp=imp, hx=hx, side=side, fidx=fidx, iidx=0, sig=False, term="small effusion",
                negimp=rng.choice(["No pleural effusion.", "CP angles clear."]))


SCENARIOS_CLEAN = [
    (sc_normal, 46), (sc_incidental, 10), (sc_mild_cardiomegaly, 6), (sc_pneumonia, 9), (sc_ptb, 5),
    (sc_old_tb, 6), (sc_heart_failure, 5), (sc_dengue, 4), (sc_trauma, 3), (sc_rib_only, 3), (sc_nodule, 2),
    (sc_small_effusion, 2),
]
SIDED = [sc_pneumonia, sc_ptb, sc_old_tb, sc_dengue, sc_trauma, sc_rib_only, sc_nodule, sc_small_effusion]
SIGNIF = [sc_pneumonia, sc_ptb, sc_heart_failure, sc_dengue, sc_trauma, sc_nodule]


def _pick_scenario(rng, pool):
    fns = [f for f, _ in pool]
    ws = [w for _, w in pool]
    return rng.choices(fns, weights=ws)[0]


# ----------------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------------

def _frame(rng):
    clinic = rng.random() < 0.3
    place = rng.choice(CLINICS if clinic else HOSPITALS)
    exam, tech = rng.choice(EXAMS)
    return dict(
        clinic=clinic,
        place=place,
        exam=exam,
        comparison=rng.choice(["Nil.", "None.", f"Previous CXR dated {_date(rng)}.", "No previous film available.",
                               f"CXR {_date(rng)}.", "None available."]),
        technique=tech if rng.random() < 0.35 else None,
        fhead=rng.choice(["FINDINGS:", "Findings:", "REPORT:", "FINDINGS"]),
        ihead=rng.choice(["IMPRESSION:", "Impression:", "CONCLUSION:", "OPINION:", "Conclusion:"]),
        bullets=rng.random() < (0.6 if clinic else 0.25),
        signoff=_signoff(rng, clinic, place),
    )


def render(fr: dict, hx, findings, impression, comparison=None) -> str:
    """findings/impression: list of sentences, [] for an empty section, None for an absent one."""
    lines = [fr["place"]]
    if fr["clinic"]:
        lines.append(f"{fr['exam']}")
        lines.append(f"Hx: {hx}")
    else:
        lines.append(f"Examination: {fr['exam']}")
        lines.append(f"Clinical history: {hx}")
    lines.append(f"Comparison: {comparison if comparison is not None else fr['comparison']}")
    if fr["technique"] and not fr["clinic"]:
        lines.append(f"Technique: {fr['technique']}")
    lines.append("")
    if findings is not None:
        if not findings:
            lines.append(fr["fhead"])
        elif fr["bullets"]:
            lines.append(fr["fhead"])
            lines.extend(f"- {s}" for s in findings)
        else:
            lines.append(fr["fhead"])
            lines.append(" ".join(findings))
        lines.append("")
    if impression is not None:
        if not impression:
            lines.append(fr["ihead"])
        elif len(impression) > 1:
            lines.append(fr["ihead"])
            lines.extend(f"{i}. {s}" for i, s in enumerate(impression, 1))
        else:
            lines.append(f"{fr['ihead']} {impression[0]}" if fr["ihead"].endswith(":") and len(impression[0]) < 70
                         else f"{fr['ihead']}\n{impression[0]}")
        lines.append("")
    lines.append(fr["signoff"])
    return "\n".join(lines).strip() + "\n"


SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT|Rt|Lt)\b")
FLIP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT",
        "Rt": "Lt", "Lt": "Rt"}


def flip_sides(s: str) -> str:
    return SIDE_RE.sub(lambda m: FLIP[m.group(1)], s)


PLACEHOLDERS_SIDE = ["[LEFT/RIGHT]", "[ ]", "(side)", "<side>", "[***]", "[Rt/Lt]"]
PLACEHOLDERS_WORD = ["[ ]", "[***]", "< >", "[...]", "***", "[insert]", "{ }", "[?]"]


def _placeholder_in(rng, s: str):
    """Replace one word of a sentence by a template blank. Returns (new, what) or None."""
    m = list(SIDE_RE.finditer(s))
    if m and rng.random() < 0.6:
        mm = rng.choice(m)
        ph = rng.choice(PLACEHOLDERS_SIDE)
        return s[:mm.start()] + ph + s[mm.end():], f"side word '{mm.group(0)}' -> '{ph}'"
    nums = list(re.finditer(r"\b\d+(\.\d+)?\b(?! ?/)", s))
    if nums and rng.random() < 0.6:
        mm = rng.choice(nums)
        ph = rng.choice(["[ ]", "[***]", "......", "[size]", "< >"])
        return s[:mm.start()] + ph + s[mm.end():], f"number '{mm.group(0)}' -> '{ph}'"
    words = [w for w in re.finditer(r"\b[a-z]{5,}\b", s)
             if w.group(0) not in ("there", "which", "these", "their", "within", "without")]
    if not words:
        return None
    mm = rng.choice(words)
    ph = rng.choice(PLACEHOLDERS_WORD)
    return s[:mm.start()] + ph + s[mm.end():], f"word '{mm.group(0)}' -> '{ph}'"


# ----------------------------------------------------------------------------------------------
# synthetic cases
# ----------------------------------------------------------------------------------------------

NEG_PART = {"lungs": r"lung|consolidation", "effusion": r"effusion|CP angle|costophrenic",
            "ptx": r"pneumothorax", "heart": r"heart|CTR|cardi"}
NEG_TERM = {"lungs": "consolidation", "effusion": "pleural effusion", "ptx": "pneumothorax", "heart": "cardiomegaly"}
NEG_SENT = {
    "lungs": ["Both lung fields are clear. No consolidation.", "Lungs are clear. No focal consolidation.",
              "No consolidation or collapse seen.", "Lung fields are clear bilaterally."],
    "effusion": ["No pleural effusion.", "Both CP angles are sharp. No pleural effusion.",
                 "Costophrenic angles are clear, no effusion."],
    "ptx": ["No pneumothorax.", "Lungs are fully expanded, no pneumothorax.", "No pneumothorax or pleural effusion."],
    "heart": ["Heart size is normal.", "Heart is not enlarged (CTR 0.45).", "CTR 0.44, heart not enlarged.",
              "No cardiomegaly."],
}
ASSERT = {
    "lungs": ["{S} lower zone consolidation, likely pneumonia.", "Features of {s} lower zone pneumonia.",
              "{A} mid zone consolidation. To treat as CAP.", "Bilateral lower zone consolidation, likely pneumonia.",
              "Active PTB ({s} upper zone consolidation)."],
    "effusion": ["{S} pleural effusion.", "Moderate {s} pleural effusion.",
                 "Bilateral pleural effusions, likely plasma leakage.",
                 "{A} pleural effusion. Suggest ultrasound thorax."],
    "ptx": ["{S} pneumothorax.", "Small {s} apical pneumothorax. Suggest repeat CXR.",
            "{S} pneumothorax, for chest tube."],
    "heart": ["Cardiomegaly.", "Cardiomegaly with CTR 0.6.", "Cardiomegaly. No pulmonary oedema.",
              "Enlarged heart, suggest ECHO."],
}


def _assert(rng, key):
    s = _side(rng)
    return rng.choice(ASSERT[key]).format(s=s, S=_cap(s), A="Rt" if s == "right" else "Lt")


MISSING_FIND_IMP = ["As above.", "Please see above.", "Kindly correlate clinically.", "As described.",
                    "Findings as discussed with the team."]


def synth(rng: random.Random, kind):
    fr = _frame(rng)
    if kind is None:
        sc = _pick_scenario(rng, SCENARIOS_CLEAN)(rng)
        if sc["term"] == "normal" and rng.random() < 0.12:
            # impression-only MO note that itself describes the film (complete)
            imp = [rng.choice([
                "Trachea central, heart not enlarged, both lung fields clear, CP angles sharp. Normal CXR.",
                "Lungs clear, no consolidation, no effusion, heart size normal. No active PTB.",
                "Clear lung fields. Heart size normal. No pleural effusion or pneumothorax. Normal study.",
            ])]
            return render(fr, sc["hx"], None, imp), "clean impression-only MO note describing the film"
        return render(fr, sc["hx"], sc["find"], sc["imp"]), ""
    if kind == "missing_section":
        sc = _pick_scenario(rng, SCENARIOS_CLEAN)(rng)
        r = rng.random()
        if sc["term"] != "normal" and r < 0.45:
            return render(fr, sc["hx"], sc["find"], []), f"impression left empty ({sc['term']} described)"
        if r < 0.75:
            return render(fr, sc["hx"], sc["find"], None), f"impression section absent ({sc['term']})"
        if r < 0.9:
            return (render(fr, sc["hx"], [], [rng.choice(MISSING_FIND_IMP)]),
                    "findings left empty; impression only refers to them")
        return render(fr, sc["hx"], sc["find"], []), "impression header left blank"
    if kind == "laterality_conflict":
        fn = rng.choice(SIDED)
        sc = fn(rng)
        find, imp = list(sc["find"]), list(sc["imp"])
        if rng.random() < 0.5:
            imp[sc["iidx"]] = flip_sides(imp[sc["iidx"]])
            where = "impression"
        else:
            find[sc["fidx"]] = flip_sides(find[sc["fidx"]])
            where = "findings"
        hx = sc["hx"]
        if fn is sc_trauma:
            hx = re.sub(r"\b(left|right) chest", "chest", hx)
        return render(fr, hx, find, imp), f"{sc['term']}: side flipped in {where} ({sc['side']} elsewhere)"
    if kind == "negation_conflict":
        r = rng.random()
        if r < 0.55:
            sc = sc_normal(rng)
            key = rng.choice(["lungs", "lungs", "effusion", "effusion", "ptx", "heart", "heart"])
            find = [x for x in sc["find"] if not re.search(NEG_PART[key], x, re.I)]
            find.insert(rng.randint(1, 2), rng.choice(NEG_SENT[key]))
            imp = [_assert(rng, key)]
            if rng.random() < 0.25:
                imp.append(rng.choice(["No other significant abnormality.", "Otherwise no active lung lesion.",
                                       "Bony thorax intact."]))
            term = NEG_TERM[key]
            return render(fr, sc["hx"], find, imp), f"impression asserts {term}; findings negate it"
        sc = rng.choice([sc_pneumonia, sc_ptb, sc_heart_failure, sc_dengue, sc_trauma, sc_nodule])(rng)
        if sc["term"] == "pleural effusion" and "small" in " ".join(sc["find"]):
            sc["find"] = [x.replace("small", "moderate").replace("Small", "Moderate") for x in sc["find"]]
        return (render(fr, sc["hx"], sc["find"], [sc["negimp"]]),
                f"impression negates {sc['term']} that findings affirm")
    if kind == "impression_omits_finding":
        sc = rng.choice(SIGNIF)(rng)
        if sc["term"] == "pleural effusion":
            sc["find"] = [x.replace("small", "moderate").replace("Small", "Moderate") for x in sc["find"]]
        if sc["term"] == "pneumothorax" and rng.random() < 0.5:
            return (render(fr, sc["hx"], sc["find"], [sc["partial"]]),
                    "impression reports rib fractures only, omits the pneumothorax")
        macro = rng.choice(NORMAL_IMP[:8])
        return render(fr, sc["hx"], sc["find"], [macro]), f"{sc['term']} in findings; impression normal macro"
    if kind == "placeholder":
        sc = _pick_scenario(rng, SCENARIOS_CLEAN)(rng)
        find, imp = list(sc["find"]), list(sc["imp"])
        r = rng.random()
        if r < 0.15:
            ph = rng.choice(["dd/mm/yyyy", "[date]", "DD/MM/YYYY"])
            return (render(fr, sc["hx"], find, imp, comparison=f"Previous CXR dated {ph}."),
                    f"comparison date left as '{ph}'")
        if r < 0.25:
            ph = rng.choice(["[clinical history]", "<< >>", "[ ]", "***"])
            return render(fr, ph, find, imp), f"clinical history left as '{ph}'"
        for _ in range(10):
            target = "imp" if rng.random() < 0.4 else "find"
            lst = imp if target == "imp" else find
            i = rng.randrange(len(lst))
            res = _placeholder_in(rng, lst[i])
            if res:
                lst[i] = res[0]
                return render(fr, sc["hx"], find, imp), f"{target}: {res[1]}"
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------
# real IU reports
# ----------------------------------------------------------------------------------------------

_SECTION_RE = re.compile(r'<AbstractText Label="(\w+)">(.*?)</AbstractText>', re.S)


def load_iu(shared: Path) -> list[dict]:
    tgz = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            txt = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', txt)
            if not u:
                continue
            rec = {"uid": u.group(1)}
            for lab, body in _SECTION_RE.findall(txt):
                body = re.sub(r"\s+", " ", body).strip()
                body = body.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                rec[lab.lower()] = body
            out.append(rec)
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


def dev_uids(shared: Path) -> set[str]:
    p = shared / "eval" / "report_errors_dev.jsonl"
    uids = set()
    with open(p) as fh:
        for line in fh:
            line = line.strip()
            if line:
                uids.add(json.loads(line).get("uid"))
    return uids


BRIT = [("edema", "oedema"), ("Edema", "Oedema"), ("hemithorax", "haemithorax"), ("visualized", "visualised"),
        ("Visualized", "Visualised"), ("hemorrhage", "haemorrhage"), ("anemia", "anaemia"),
        ("esophag", "oesophag"), ("centimeter", "centimetre"), ("hemidiaphragm", "hemidiaphragm"),
        ("x-XXXX", "X-ray"), ("anteroposterior", "AP"), ("posteroanterior", "PA")]
SWAP = [("No acute cardiopulmonary abnormality", "No acute cardiopulmonary abnormality detected"),
        ("No acute cardiopulmonary disease", "No acute cardiopulmonary disease seen"),
        ("No acute cardiopulmonary process", "No acute cardiopulmonary process seen"),
        ("Normal chest", "Normal chest"), ("costophrenic angle", "costophrenic (CP) angle")]


def reword(s: str, rng: random.Random) -> str:
    for a, b in BRIT:
        s = s.replace(a, b)
    for a, b in SWAP:
        if a in s and rng.random() < 0.5:
            s = s.replace(a, b, 1)
    s = re.sub(r"\s+\.", ".", s)
    s = re.sub(r"\.\.+", ".", s)
    s = re.sub(r"\b(Negative|Normal) chest\.", r"\1 chest radiograph.", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s


def sentences(s: str) -> list[str]:
    s = re.sub(r"(?<=\s)\d\.\s+", "", " " + s).strip()
    return [x.strip() for x in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", s) if x.strip()]


SIG_TERMS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "consolidation": r"consolidat|pneumonia|infiltrate|airspace (disease|opacit)",
    "oedema": r"edema|oedema|congestion|vascular congestion",
    "mass": r"\bmass\b",
}
BROAD_TERMS = r"effusion|pneumothora|consolidat|pneumonia|infiltrat|airspace|edema|oedema|congest|\bmass\b|nodul|" \
              r"cardiomegaly|enlarge|opacit|atelecta|fracture|density|densities|widen|collapse|hyperinfla|emphysem|" \
              r"granulom|scar|tube|catheter|cavit|lesion|deformit|prominen|hernia|calcifi"
STRICT_NEG = re.compile(r"\b(no|not|without|negative|free|clear|resolved|removed|normal)\b", re.I)
SOFT = re.compile(r"\b(no|not|without|negative|free|clear|resolv\w*|removed|normal|improv\w*|decreas\w*|chronic|"
                  r"stable|old|healed|unchanged|may|might|possibl\w*|question|cannot|can't|difficult|exclude\w*|"
                  r"versus|vs|or|small|trace|tiny|minimal|mild|mildly|subtle|minor|previous\w*|prior|persistent|"
                  r"likely|atelecta\w*|scar\w*|suggest\w*|could|early|developing|concern|vague|streaky|linear|"
                  r"lateral|suspect\w*|again|known|redemonstrat\w*|clearing|cleared|healing)\b", re.I)
GROUPS = [r"cardiomegaly|enlarg", r"effusion", r"pneumothora", r"edema|oedema|congest",
          r"consolidat|pneumonia|infiltrat|airspace|opacit", r"nodul|mass", r"atelecta", r"fracture",
          r"granulom", r"emphysem|hyperinfla|hyperexpan", r"scar", r"hernia", r"effusion"]
HEDGE = re.compile(r"\b(may|might|versus|vs|possibl\w*|question\w*|atelecta\w*|or|cannot|no|not|resolv\w*|"
                   r"improv\w*|stable|chronic|small|mild|trace|tiny|minimal|streaky|subtle|suspect\w*|"
                   r"unchanged|decreas\w*|clearing|cleared|known|redemonstrat\w*)\b", re.I)
NORMAL_IMP_RE = re.compile(r"^(\d\.\s*)?(no acute|normal|negative|no active|no evidence of acute|clear lungs|"
                           r"no radiographic evidence of acute)[^.]*\.?$", re.I)


def positives(findings: str, pattern: str, neg: re.Pattern) -> list[str]:
    return [s for s in sentences(findings) if re.search(pattern, s, re.I) and not neg.search(s)]


def classify_iu(recs, excluded):
    pools = {"normal": [], "abn_clean": [], "omit": [], "lat": []}
    for r in recs:
        f, im = r.get("findings", ""), r.get("impression", "")
        if r["uid"] in excluded or not f or not im:
            continue
        allt = f + " " + im
        if re.search(r"\[|\*\*\*|___|\?", allt) or re.match(r"Chest radiograph\.", im):
            continue
        if allt.count("XXXX") > 2 or len(f) > 700 or len(f) < 60:
            continue
        strict_pos = positives(f, BROAD_TERMS, STRICT_NEG)
        imp_normal = bool(NORMAL_IMP_RE.match(im.strip())) and len(im) < 90
        if imp_normal and not strict_pos and not SIDE_RE.search(allt):
            pools["normal"].append(r)
            continue
        sides_f = {m.lower() for m in SIDE_RE.findall(f)}
        sides_i = {m.lower() for m in SIDE_RE.findall(im)}
        if not imp_normal and sides_i <= sides_f:
            sig_pos = [k for k, p in SIG_TERMS.items() if positives(f, p, STRICT_NEG)]
            grounded = all(re.search(g, f, re.I) for g in GROUPS
                           if any(re.search(g, x, re.I) and not STRICT_NEG.search(x) for x in sentences(im)))
            if grounded and all(re.search(SIG_TERMS[k], im, re.I) for k in sig_pos) and not re.search(
                    r"\b(new|increas\w*|worse\w*)\b", f, re.I):
                pools["abn_clean"].append(r)
        omit = [k for k, p in SIG_TERMS.items() if positives(f, p, SOFT)
                and any(re.search(p, x, re.I) and not HEDGE.search(x) for x in sentences(im))]
        if omit and not imp_normal and not re.search(
                r"\b(chronic|scar\w*|improv\w*|resolv\w*|residual|unchanged|remains?|again|known)\b", f, re.I):
            r = dict(r, omit_terms=omit)
            pools["omit"].append(r)
        if len(sides_f | sides_i) == 1 and sides_f and sides_i:
            side = next(iter(sides_f))
            fs = [s for s in sentences(f) if re.search(rf"\b{side}\b", s, re.I)]
            isents = [s for s in sentences(im) if re.search(rf"\b{side}\b", s, re.I)]
            words = r"effusion|opacit|consolidat|pneumothora|atelecta|nodul|infiltrat|airspace|granulom|fracture|" \
                    r"pneumonia|density|scar|mass|lesion|collapse|hemidiaphragm|base|apex|apical|lobe"
            fw = {w.lower() for s in fs for w in re.findall(words, s, re.I)}
            iw = {w.lower() for s in isents for w in re.findall(words, s, re.I)}
            if fw & iw and not STRICT_NEG.search(" ".join(isents)):
                pools["lat"].append(dict(r, side=side, latwords=sorted(fw & iw)))
    return pools


def _real_frame(rng, rec):
    fr = _frame(rng)
    fr["bullets"] = False
    comp = rec.get("comparison") or rng.choice(["Nil.", "None."])
    comp = reword(comp, rng)
    if comp.lower().startswith("none"):
        comp = rng.choice(["Nil.", "None.", "No previous film."])
    hx = reword(rec.get("indication") or rng.choice(NORMAL_HX), rng)
    return fr, hx, comp


def real_case(rng, kind, pools, used):
    def take(pool_name):
        pool = [r for r in pools[pool_name] if r["uid"] not in used]
        r = rng.choice(pool)
        used.add(r["uid"])
        return r

    if kind is None:
        rec = take("normal" if rng.random() < 0.72 else "abn_clean")
        fr, hx, comp = _real_frame(rng, rec)
        return rec["uid"], render(fr, hx, sentences(reword(rec["findings"], rng)),
                                  sentences(reword(rec["impression"], rng)), comp), ""
    if kind == "missing_section":
        rec = take("normal" if rng.random() < 0.5 else "abn_clean")
        fr, hx, comp = _real_frame(rng, rec)
        f, im = sentences(reword(rec["findings"], rng)), sentences(reword(rec["impression"], rng))
        r = rng.random()
        if r < 0.4:
            return rec["uid"], render(fr, hx, f, []), "impression emptied"
        if r < 0.75:
            return rec["uid"], render(fr, hx, f, None), "impression section dropped"
        if NORMAL_IMP_RE.match(rec["impression"].strip()) or r < 0.85:
            return rec["uid"], render(fr, hx, [], [rng.choice(MISSING_FIND_IMP)]), \
                "findings emptied; impression replaced by a referral to them"
        return rec["uid"], render(fr, hx, f, []), "impression emptied"
    if kind == "laterality_conflict":
        rec = take("lat")
        fr, hx, comp = _real_frame(rng, rec)
        f, im = sentences(reword(rec["findings"], rng)), sentences(reword(rec["impression"], rng))
        side = rec["side"]
        lw = "|".join(rec["latwords"])

        def ok(s):
            return re.search(rf"\b{side}\b", s, re.I) and re.search(lw, s, re.I)
        if rng.random() < 0.5:
            idx = [i for i, s in enumerate(im) if ok(s)]
            i = rng.choice(idx)
            im[i] = flip_sides(im[i])
            where = "impression"
        else:
            idx = [i for i, s in enumerate(f) if ok(s)]
            i = rng.choice(idx)
            f[i] = flip_sides(f[i])
            where = "findings"
        if SIDE_RE.search(hx) or re.search(r"\b(left|right)\b", hx, re.I):
            hx = rng.choice(["Shortness of breath.", "Cough x 1/52.", "Chest pain.", "Fever, for CXR."])
        return rec["uid"], render(fr, hx, f, im, comp), f"'{side}' flipped in one {where} sentence"
    if kind == "negation_conflict":
        for _ in range(50):
            rec = take("normal")
            f = reword(rec["findings"], rng)
            s = _side(rng)
            opts = []
            if re.search(r"no (\w+ )?(pleural )?effusion|without (\w+ )?effusion|no effusion", f, re.I):
                opts.append((_assert(rng, "effusion"), "pleural effusion"))
                opts.append((f"Moderate {s} pleural effusion, for correlation.", "pleural effusion"))
            if re.search(r"no (\w+ )?pneumothorax|pneumothorax", f, re.I) and re.search(r"\bno\b", f, re.I):
                opts.append((_assert(rng, "ptx"), "pneumothorax"))
            if re.search(r"lungs are clear|clear lungs|no (focal )?(airspace|consolidation)|lungs are (grossly )?clear"
                         r"|no focal", f, re.I):
                opts.append((rng.choice([f"{_cap(s)} lower zone consolidation, in keeping with pneumonia.",
                                         _assert(rng, "lungs")]), "consolidation"))
            if re.search(r"heart (size )?(is )?(within )?normal|normal (heart|cardiac)|heart size normal|"
                         r"cardiomediastinal silhouette (is )?(within )?normal", f, re.I):
                opts.append((_assert(rng, "heart"), "cardiomegaly"))
            if not opts:
                used.discard(rec["uid"])
                continue
            imp, term = rng.choice(opts)
            fr, hx, comp = _real_frame(rng, rec)
            return rec["uid"], render(fr, hx, sentences(f), [imp], comp), \
                f"impression replaced by '{imp}' ({term} negated in findings)"
        raise RuntimeError("no negation base")
    if kind == "impression_omits_finding":
        rec = take("omit")
        fr, hx, comp = _real_frame(rng, rec)
        macro = rng.choice(NORMAL_IMP[:8])
        return rec["uid"], render(fr, hx, sentences(reword(rec["findings"], rng)), [macro], comp), \
            f"{'/'.join(rec['omit_terms'])} in findings; impression replaced by '{macro}'"
    if kind == "placeholder":
        rec = take("normal" if rng.random() < 0.6 else "abn_clean")
        fr, hx, comp = _real_frame(rng, rec)
        f, im = sentences(reword(rec["findings"], rng)), sentences(reword(rec["impression"], rng))
        if rng.random() < 0.12:
            ph = rng.choice(["dd/mm/yyyy", "[date]"])
            return rec["uid"], render(fr, hx, f, im, f"Previous CXR dated {ph}."), f"comparison date '{ph}'"
        for _ in range(20):
            target = "imp" if rng.random() < 0.35 else "find"
            lst = im if target == "imp" else f
            i = rng.randrange(len(lst))
            res = _placeholder_in(rng, lst[i])
            if res and "XXXX" not in res[0][max(0, res[0].find("[") - 6):][:12]:
                lst[i] = res[0]
                return rec["uid"], render(fr, hx, f, im, comp), f"{target}: {res[1]}"
        raise RuntimeError("no placeholder slot")
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------

def build(seed: int) -> list[dict]:
    rng = random.Random(seed)
    shared = shared_dir()
    excluded = dev_uids(shared)
    pools = classify_iu(load_iu(shared), excluded)
    used: set[str] = set()
    plan = [None] * N_CLEAN + [k for k in KINDS for _ in range(N_PER_KIND)]
    rows = []
    counts: dict = {}
    for kind in plan:
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        total = N_CLEAN if kind is None else N_PER_KIND
        if n < total // 2:
            report, detail = synth(rng, kind)
            src = "bank"
        else:
            uid, report, detail = real_case(rng, kind, pools, used)
            src = f"IU {uid}"
        rows.append({"injected": kind, "detail": f"[{src}] {detail}".strip(), "report": report})
    rng.shuffle(rows)
    return [{"id": f"h89-{seed}-{i}", **r} for i, r in enumerate(rows)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for kind in [None, *KINDS]:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']} {kind} :: {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
