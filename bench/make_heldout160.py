"""Held-out report-error set 160: inclusion health and homeless services (UK and US).

Chest radiograph reports as written for street-medicine clinics, hostel / shelter TB screening
(Find&Treat style mobile units, shelter clearance films) and safety-net emergency departments:
TB screening and active TB, aspiration and alcohol-related pneumonia, rib fractures old and new,
COPD in heavy smokers, septic emboli in people who inject drugs, cold exposure.

usage: python -m bench.make_heldout160 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each of the five kinds; half of every group composed from the phrase
bank below, half real IU reports (never a dev-set uid, each used at most once) re-laid out and
lightly re-worded in the setting's style.  Standard library only.
"""

from __future__ import annotations

import argparse
import io
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
N_PER_KIND = 40

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared"


# ---------------------------------------------------------------------------------------------
# styles (layouts) of the setting
# ---------------------------------------------------------------------------------------------

STYLES = {
    "us_ed": {
        "dialect": "us",
        "exam": [
            "EXAM: XR CHEST 2 VIEWS",
            "EXAMINATION: CHEST, PA AND LATERAL",
            "EXAM: XR CHEST 1 VIEW (PORTABLE)",
            "EXAM: CHEST RADIOGRAPH, SINGLE AP VIEW",
            "EXAM: XR CHEST PA/LAT",
        ],
        "hist": ["CLINICAL HISTORY:", "INDICATION:", "HISTORY:", "REASON FOR EXAM:"],
        "comp": ["COMPARISON:"],
        "tech": [
            "TECHNIQUE: PA and lateral views of the chest.",
            "TECHNIQUE: Single frontal view of the chest.",
            None,
            None,
        ],
        "find": ["FINDINGS:"],
        "imp": ["IMPRESSION:"],
        "numbered": 0.6,
        "sign": [
            "Electronically signed by: XXXX, MD on XXXX",
            "Dictated by: XXXX, MD  Transcribed: XXXX",
            "Attending Radiologist: XXXX, MD",
            "I have personally reviewed the images and agree with the report. XXXX, MD",
        ],
    },
    "us_clinic": {
        "dialect": "us",
        "exam": [
            "Exam: Chest X-ray, PA and lateral",
            "Exam: CXR 2V",
            "Study: Chest radiograph PA/lateral - street medicine clinic",
            "Exam: CXR PA/LAT (mobile clinic)",
        ],
        "hist": ["History:", "Reason for exam:", "Indication:"],
        "comp": ["Comparison:"],
        "tech": [None],
        "find": ["Findings:"],
        "imp": ["Impression:"],
        "numbered": 0.45,
        "sign": ["Read by: XXXX, MD", "Interpreting radiologist: XXXX, MD (teleradiology)", "-- XXXX, MD, Radiology"],
    },
    "uk_hosp": {
        "dialect": "uk",
        "exam": ["XR Chest PA", "CXR PA", "XR Chest (AP mobile)", "Examination: Chest X-ray PA", "XR CHEST PA"],
        "hist": ["Clinical details:", "Clinical history:", "Clinical indication:"],
        "comp": ["Comparison:", "Previous:"],
        "tech": [None],
        "find": ["Findings:", "Report:", "FINDINGS:"],
        "imp": ["Conclusion:", "Impression:", "Opinion:", "CONCLUSION:", "Comment:"],
        "numbered": 0.35,
        "sign": [
            "Reported by Dr XXXX, Consultant Radiologist",
            "Dr XXXX, ST4 Radiology Registrar. Verified by Dr XXXX, Consultant Radiologist.",
            "Dr XXXX FRCR, Consultant Radiologist",
            "Reported by: Dr XXXX (GMC XXXX)",
        ],
    },
    "uk_screen": {
        "dialect": "uk",
        "exam": [
            "Mobile digital CXR (PA) - Find&Treat TB screening",
            "CXR PA - hostel screening session",
            "Chest X-ray PA (mobile screening unit)",
            "CXR PA (outreach TB screening, day centre)",
        ],
        "hist": ["Referral:", "Clinical details:"],
        "comp": ["Comparison:", "Previous films:"],
        "tech": [None],
        "find": ["Findings:", "Report:"],
        "imp": ["Conclusion:", "Summary:", "Impression:"],
        "numbered": 0.3,
        "sign": [
            "Reported by Dr XXXX, Consultant Radiologist (Find&Treat reporting)",
            "Reporter: Dr XXXX, Consultant Radiologist",
            "Dr XXXX, Consultant Thoracic Radiologist",
        ],
    },
}
STYLE_NAMES = ["us_ed", "us_clinic", "uk_hosp", "uk_screen"]
STYLE_WEIGHTS = [4, 2, 3, 2]

HISTORIES = {
    "tb_screen": {
        "us": [
            "Shelter TB clearance. Asymptomatic.",
            "PPD positive, asymptomatic. Rule out active TB.",
            "QuantiFERON positive. Homeless shelter intake.",
            "TB screening for shelter admission.",
            "Experiencing homelessness, positive TB skin test. No symptoms.",
        ],
        "uk": [
            "Routine hostel TB screening.",
            "Find&Treat screening, hostel resident. Asymptomatic.",
            "NFA. Screening CXR - no symptoms.",
            "IGRA positive, hostel resident. ?latent vs active TB.",
            "Day centre outreach screening.",
        ],
    },
    "tb_active": {
        "us": [
            "Cough x 6 weeks, night sweats, weight loss. Lives in shelter.",
            "Hemoptysis, fevers. Homeless. Eval for TB.",
            "Chronic cough, 10 kg weight loss, unstably housed. R/o TB.",
        ],
        "uk": [
            "NFA. Productive cough 6/52, night sweats, weight loss. ?TB",
            "Rough sleeper, haemoptysis. ?TB",
            "Hostel resident, cough and weight loss. Contact of smear-positive TB case.",
        ],
    },
    "aspiration": {
        "us": [
            "Found down, EtOH intoxication, hypoxic. Eval aspiration.",
            "Alcohol use disorder, witnessed seizure, fever. R/o aspiration pneumonia.",
            "Homeless, intoxicated, vomiting, cough and fever.",
        ],
        "uk": [
            "Rough sleeper found collapsed, alcohol excess, reduced sats. ?aspiration",
            "Alcohol withdrawal seizure, pyrexial. ?aspiration pneumonia",
            "Known alcohol dependence, productive cough, raised CRP. ?LRTI",
        ],
    },
    "trauma": {
        "us": [
            "Assault, chest wall pain. Eval rib fracture / pneumothorax.",
            "Fall while intoxicated, chest wall tenderness.",
            "Found down after assault. Trauma eval.",
        ],
        "uk": [
            "Assaulted, chest wall pain. ?rib fractures ?pneumothorax",
            "Fall down stairs in hostel, intoxicated. Chest wall pain.",
            "Rough sleeper, assaulted last night. Pleuritic pain.",
        ],
    },
    "copd": {
        "us": [
            "Heavy smoker (40 pack-years), worsening dyspnea.",
            "COPD exacerbation, homeless, cough.",
            "Smoker, chronic cough, dyspnea on exertion.",
        ],
        "uk": [
            "Heavy smoker, SOBOE. ?COPD",
            "Known COPD, increased breathlessness and sputum.",
            "60 pack-year smoker, weight loss. ?malignancy",
        ],
    },
    "ivdu": {
        "us": [
            "IVDU, fevers, new murmur. Eval septic emboli.",
            "Injection drug use, fever, tachycardia, blood cultures pending.",
            "Heroin use, fever and pleuritic chest pain.",
        ],
        "uk": [
            "PWID, pyrexial, new murmur. ?septic emboli ?endocarditis",
            "Injecting drug use, fever, groin abscess. ?septic emboli",
            "Known IVDU, rigors, pleuritic chest pain.",
        ],
    },
    "cold": {
        "us": [
            "Found outdoors, hypothermia, cough.",
            "Cold exposure, sleeping outside, shortness of breath.",
            "Hypothermic, found on the street. Chest eval.",
        ],
        "uk": [
            "Rough sleeper, hypothermic on arrival. ?chest infection",
            "Found outside overnight, cold exposure, SOB.",
            "Hypothermia, productive cough.",
        ],
    },
}

NORMAL_IMP = {
    "us": [
        "No acute cardiopulmonary abnormality.",
        "No acute cardiopulmonary process.",
        "No acute cardiopulmonary disease.",
        "Negative chest radiograph.",
    ],
    "uk": ["No acute abnormality.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.", "Normal CXR."],
}
NORMAL_PREFIX = {
    "us": ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process."],
    "uk": ["No acute abnormality.", "No acute cardiopulmonary abnormality."],
}
TB_NEG_IMP = {
    "us": ["No radiographic evidence of active pulmonary tuberculosis.", "No radiographic findings of active TB."],
    "uk": ["No radiographic features to suggest active TB.", "No features of active TB."],
}

# normal statements per topic (affirming nothing); *_part: when something else occupies the lungs
NORMALS = {
    "us": {
        "heart_med": [
            "The cardiomediastinal silhouette is within normal limits.",
            "Heart size and mediastinal contours are normal.",
            "Normal cardiomediastinal silhouette.",
        ],
        "heart": ["Heart size is normal.", "Normal cardiac size."],
        "med": ["Mediastinal contours are normal."],
        "hila": ["Hila are unremarkable."],
        "lung": [
            "The lungs are clear.",
            "Lungs are clear bilaterally.",
            "No focal airspace consolidation.",
            "The lungs are well expanded and clear.",
        ],
        "lung_part": ["The lungs are otherwise clear.", "Elsewhere the lungs are clear."],
        "eff_ptx": ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax."],
        "eff": ["No pleural effusion."],
        "ptx": ["No pneumothorax."],
        "bones": [
            "No acute osseous abnormality.",
            "No acute bony abnormality.",
            "No displaced rib fracture is identified.",
        ],
        "abdomen": ["No free air under the diaphragm."],
    },
    "uk": {
        "heart_med": [
            "Heart and mediastinum normal.",
            "The heart size and mediastinal contours are normal.",
            "Normal cardiomediastinal outline.",
        ],
        "heart": ["Heart size normal.", "The heart is not enlarged."],
        "med": ["Mediastinal contour normal."],
        "hila": ["Both hila are normal."],
        "lung": ["The lungs are clear.", "Lungs clear.", "No focal consolidation.", "Lung fields are clear."],
        "lung_part": ["The lungs are otherwise clear.", "Elsewhere the lungs are clear."],
        "eff_ptx": [
            "No pleural effusion or pneumothorax.",
            "No effusion or pneumothorax.",
            "Costophrenic angles clear; no pneumothorax.",
        ],
        "eff": ["No pleural effusion.", "Costophrenic angles are clear."],
        "ptx": ["No pneumothorax."],
        "bones": ["No acute bony injury.", "No acute bony abnormality.", "Bones intact."],
        "abdomen": ["No free subdiaphragmatic gas."],
    },
}

# phrase bank: each item has variants (find, imp) per dialect; {side}/{Side}/{size}/{mag}/{Mag}/{r1}/{r2}
ITEMS = {
    "asp_consol": {
        "sided": True,
        "sig": True,
        "topics": ["lung"],
        "chronic": False,
        "us": [
            (
                "Patchy airspace opacity in the {side} lower lobe, compatible with consolidation.",
                "{Side} lower lobe pneumonia, likely aspiration given the history.",
            ),
            (
                "Consolidation of the {side} lower lobe with air bronchograms.",
                "{Side} lower lobe consolidation concerning for aspiration pneumonia.",
            ),
            (
                "New {side} basilar airspace consolidation compared with the prior study.",
                "New {side} basilar pneumonia.",
            ),
            (
                "Dense consolidation in the posterior segment of the {side} upper lobe.",
                "{Side} upper lobe pneumonia; aspiration in the setting of intoxication is a consideration.",
            ),
        ],
        "uk": [
            (
                "Patchy consolidation in the {side} lower zone.",
                "{Side} lower zone consolidation, likely aspiration pneumonia in this clinical context.",
            ),
            (
                "Airspace shadowing at the {side} base with air bronchograms, consistent with consolidation.",
                "{Side} basal pneumonia.",
            ),
            (
                "New area of consolidation in the {side} lower zone since the previous film.",
                "New {side} lower zone consolidation - infection/aspiration.",
            ),
            (
                "Dense consolidation in the {side} mid and lower zones.",
                "Extensive {side} sided pneumonia, probably aspiration.",
            ),
        ],
        "neg_imp": {
            "us": ["No focal consolidation.", "No pneumonia."],
            "uk": ["No consolidation.", "No focal consolidation."],
        },
        "neg_find": {
            "us": ["The lungs are clear.", "No focal airspace consolidation."],
            "uk": ["The lungs are clear.", "No consolidation."],
        },
        "rec": {
            "us": "Follow-up radiograph in 6-8 weeks after treatment to document resolution.",
            "uk": "Suggest repeat CXR in 6 weeks to ensure resolution.",
        },
    },
    "tb_cavity": {
        "sided": True,
        "sig": True,
        "topics": ["lung"],
        "chronic": False,
        "size": (15, 45),
        "us": [
            (
                "Patchy consolidation in the {side} upper lobe with a {size} mm thick-walled cavity.",
                "{Side} upper lobe cavitary consolidation, highly suspicious for active pulmonary tuberculosis.",
            ),
            (
                "Nodular and patchy opacities in the apical segment of the "
                "{side} upper lobe with cavitation measuring {size} mm.",
                "Cavitary {side} upper lobe disease, most consistent with reactivation tuberculosis.",
            ),
        ],
        "uk": [
            (
                "Patchy consolidation in the {side} upper zone containing a {size} mm thick-walled cavity.",
                "{Side} upper zone cavitating consolidation - appearances highly suspicious for active pulmonary TB.",
            ),
            (
                "Nodular shadowing and cavitation at the {side} apex, the cavity measuring {size} mm.",
                "Cavitating {side} apical change consistent with active TB.",
            ),
        ],
        "neg_imp": {"us": ["No focal consolidation or cavitation."], "uk": ["No consolidation or cavitation."]},
        "neg_find": {
            "us": ["The lungs are clear.", "No consolidation or cavitation."],
            "uk": ["The lungs are clear.", "No consolidation or cavitation."],
        },
        "rec": {
            "us": "Recommend airborne isolation and sputum AFB smear and culture x3.",
            "uk": "Please isolate, send 3 sputum samples for AFB and refer to the TB service.",
        },
    },
    "tb_nodes": {
        "sided": True,
        "sig": False,
        "topics": ["hila"],
        "chronic": False,
        "us": [
            (
                "The {side} hilum is enlarged and lobulated, consistent with hilar lymphadenopathy.",
                "{Side} hilar lymphadenopathy; in this context tuberculosis "
                "is the primary concern, with lymphoma as a differential.",
            )
        ],
        "uk": [
            (
                "Bulky lobulated {side} hilum in keeping with lymphadenopathy.",
                "{Side} hilar lymphadenopathy - ?TB ?lymphoma.",
            )
        ],
        "neg_imp": {"us": ["Normal hila."], "uk": ["Normal hila."]},
        "neg_find": {"us": ["Both hila are normal in size."], "uk": ["Both hila are normal in size and density."]},
        "rec": {"us": "CT chest with contrast recommended.", "uk": "Recommend CT chest."},
    },
    "miliary": {
        "sided": False,
        "sig": False,
        "topics": ["lung"],
        "chronic": False,
        "us": [
            (
                "Innumerable tiny 1-2 mm nodules are distributed uniformly through both lungs.",
                "Diffuse miliary nodular pattern; miliary tuberculosis is the principal concern.",
            )
        ],
        "uk": [
            ("Innumerable 1-2 mm nodules throughout both lungs in a miliary pattern.", "Miliary pattern - ?miliary TB.")
        ],
        "neg_imp": {"us": ["Lungs clear."], "uk": ["Clear lungs."]},
        "neg_find": {"us": ["The lungs are clear."], "uk": ["The lungs are clear."]},
        "rec": {
            "us": "Urgent infectious disease consultation recommended.",
            "uk": "Urgent referral to the TB team advised.",
        },
    },
    "eff_large": {
        "sided": True,
        "sig": True,
        "topics": ["eff"],
        "chronic": False,
        "us": [
            ("{Mag} {side} pleural effusion.", "{Mag} {side} pleural effusion."),
            (
                "{Mag} {side} pleural effusion with compressive atelectasis of the adjacent lower lobe.",
                "{Mag} {side} pleural effusion; consider diagnostic thoracentesis.",
            ),
            ("{Mag} {side} pleural effusion layering posteriorly on the lateral view.", "{Mag} {side} effusion."),
        ],
        "uk": [
            (
                "{Mag} {side} pleural effusion with a meniscus.",
                "{Mag} {side} pleural effusion - ?parapneumonic ?TB. Suggest ultrasound and diagnostic aspiration.",
            ),
            ("{Mag} {side} pleural effusion.", "{Mag} {side} pleural effusion."),
            ("{Mag} {side} pleural effusion obscuring the {side} hemidiaphragm.", "{Side} pleural effusion, {mag}."),
        ],
        "neg_imp": {"us": ["No pleural effusion."], "uk": ["No pleural effusion."]},
        "neg_find": {"us": ["No pleural effusion."], "uk": ["No pleural effusion.", "Costophrenic angles are clear."]},
    },
    "eff_small": {
        "sided": True,
        "sig": False,
        "topics": ["eff"],
        "chronic": False,
        "us": [
            ("Small {side} pleural effusion.", "Small {side} pleural effusion."),
            ("Blunting of the {side} costophrenic angle, consistent with a small effusion.", "Small {side} effusion."),
        ],
        "uk": [
            ("Small {side} pleural effusion.", "Small {side} pleural effusion."),
            ("Blunting of the {side} costophrenic angle due to a small effusion.", "Small {side} effusion."),
        ],
    },
    "ptx": {
        "sided": True,
        "sig": True,
        "topics": ["ptx"],
        "chronic": False,
        "size": (1, 4),
        "us": [
            (
                "{Side} apical pneumothorax measuring {size} cm from the apex. No mediastinal shift.",
                "{Side} pneumothorax.",
            ),
            (
                "A {side} pneumothorax is present with the visceral pleural "
                "line {size} cm from the chest wall at the apex.",
                "{Side} apical pneumothorax without radiographic signs of tension.",
            ),
        ],
        "uk": [
            (
                "{Side} pneumothorax with a {size} cm rim at the level of the hilum. No mediastinal shift.",
                "{Side} pneumothorax ({size} cm at the hilum).",
            ),
            ("{Side} apical pneumothorax, {size} cm.", "{Side} pneumothorax. No features of tension."),
        ],
        "neg_imp": {"us": ["No pneumothorax."], "uk": ["No pneumothorax."]},
        "neg_find": {"us": ["No pneumothorax."], "uk": ["No pneumothorax."]},
        "rec": {"us": "Findings discussed with the ED physician at XXXX.", "uk": "Discussed with the ED team at XXXX."},
    },
    "rib_acute": {
        "sided": True,
        "sig": False,
        "topics": ["bones"],
        "chronic": False,
        "us": [
            (
                "Acute mildly displaced fractures of the {side} {r1} and {r2} ribs laterally.",
                "Acute {side} {r1} and {r2} rib fractures.",
            ),
            ("Nondisplaced acute fracture of the {side} {r1} rib posterolaterally.", "Acute {side} {r1} rib fracture."),
        ],
        "uk": [
            (
                "Acute fractures of the {side} {r1} and {r2} ribs laterally.",
                "Acute {side} {r1} and {r2} rib fractures.",
            ),
            ("Undisplaced acute fracture of the {side} {r1} rib.", "Acute {side} {r1} rib fracture."),
        ],
        "neg_imp": {"us": ["No acute rib fracture."], "uk": ["No acute rib fracture."]},
        "neg_find": {"us": ["No rib fracture is seen."], "uk": ["No rib fracture seen."]},
    },
    "rib_old": {
        "sided": True,
        "sig": False,
        "topics": ["bones_old"],
        "chronic": True,
        "us": [
            ("Old healed fractures of the {side} {r1} and {r2} ribs posteriorly.", "Old healed {side} rib fractures."),
            ("Healed {side} {r1} and {r2} rib fractures with callus formation.", "Remote {side} rib fractures."),
        ],
        "uk": [
            ("Old united fractures of the {side} {r1} and {r2} ribs.", "Old healed {side} rib fractures."),
            ("Healed {side} {r1} rib fracture with callus.", "Old {side} rib fracture."),
        ],
    },
    "clav_old": {
        "sided": True,
        "sig": False,
        "topics": ["bones_old"],
        "chronic": True,
        "us": [("Old healed fracture of the {side} clavicle.", "Old healed {side} clavicle fracture.")],
        "uk": [("Old united fracture of the {side} clavicle.", "Old {side} clavicular fracture.")],
    },
    "septic": {
        "sided": False,
        "sig": True,
        "topics": ["lung"],
        "chronic": False,
        "size": (8, 25),
        "us": [
            (
                "Multiple bilateral peripheral nodules measuring up to {size} mm, several of which are cavitating.",
                "Multiple bilateral cavitating nodules, in keeping with septic "
                "pulmonary emboli in this patient with IV drug use.",
            )
        ],
        "uk": [
            (
                "Multiple peripheral nodules in both lungs, the largest {size} mm, several cavitating.",
                "Multiple cavitating pulmonary nodules - septic emboli likely given history of injecting drug use.",
            )
        ],
        "neg_imp": {"us": ["No pulmonary nodules."], "uk": ["No pulmonary nodules."]},
        "neg_find": {"us": ["The lungs are clear."], "uk": ["The lungs are clear."]},
        "rec": {
            "us": "Echocardiography recommended to assess for tricuspid valve endocarditis.",
            "uk": "Suggest echocardiography (?right-sided endocarditis).",
        },
    },
    "copd": {
        "sided": False,
        "sig": False,
        "topics": ["lung_minor"],
        "chronic": True,
        "us": [
            (
                "The lungs are hyperinflated with flattening of the hemidiaphragms.",
                "Hyperinflation, consistent with COPD.",
            ),
            (
                "Hyperexpanded lungs with increased retrosternal airspace and flattened hemidiaphragms.",
                "Emphysematous changes.",
            ),
        ],
        "uk": [
            ("Hyperexpanded lungs with flattened hemidiaphragms.", "Hyperexpanded lungs in keeping with COPD."),
            ("The lungs are hyperinflated.", "Hyperinflation consistent with COPD."),
        ],
    },
    "bullae": {
        "sided": True,
        "sig": False,
        "topics": ["lung_minor"],
        "chronic": True,
        "us": [("Large bulla in the {side} upper lobe.", "Bullous emphysema, {side} upper lobe.")],
        "uk": [("Large bulla at the {side} apex.", "Bullous emphysema at the {side} apex.")],
    },
    "mass": {
        "sided": True,
        "sig": True,
        "topics": ["lung"],
        "chronic": False,
        "size": (3, 7),
        "us": [
            (
                "A {size} cm spiculated mass in the {side} upper lobe.",
                "{Side} upper lobe mass, suspicious for primary lung malignancy in a heavy smoker.",
            )
        ],
        "uk": [
            (
                "{size} cm irregular mass in the {side} upper zone.",
                "{Side} upper zone mass, highly suspicious for bronchogenic carcinoma.",
            )
        ],
        "neg_imp": {"us": ["No lung mass."], "uk": ["No lung mass."]},
        "neg_find": {"us": ["No lung mass or nodule is identified."], "uk": ["No lung mass or nodule."]},
        "rec": {
            "us": "CT chest with contrast recommended.",
            "uk": "Urgent CT chest and referral on the lung cancer pathway.",
        },
    },
    "nodule": {
        "sided": True,
        "sig": True,
        "topics": ["lung"],
        "chronic": False,
        "size": (8, 19),
        "us": [
            ("{size} mm nodule in the {side} mid lung.", "{size} mm {side} mid lung nodule."),
            (
                "A {size} mm pulmonary nodule projects over the {side} lower lobe.",
                "{size} mm {side} lower lobe nodule.",
            ),
        ],
        "uk": [
            ("{size} mm nodule in the {side} mid zone.", "{size} mm {side} mid zone nodule."),
            ("A {size} mm rounded nodule in the {side} lower zone.", "{size} mm {side} lower zone nodule."),
        ],
        "rec": {
            "us": "CT chest recommended for further characterization.",
            "uk": "CT recommended for further characterisation.",
        },
    },
    "granuloma": {
        "sided": True,
        "sig": False,
        "topics": ["lung_minor"],
        "chronic": True,
        "us": [
            (
                "Small calcified granuloma in the {side} upper lobe.",
                "Calcified granuloma, sequela of prior granulomatous infection.",
            )
        ],
        "uk": [("Small calcified granuloma in the {side} upper zone.", "Calcified granuloma, old healed infection.")],
    },
    "old_tb": {
        "sided": True,
        "sig": False,
        "topics": ["lung_minor"],
        "chronic": True,
        "prior": True,
        "us": [
            (
                "Fibrocalcific scarring and volume loss in the {side} upper lobe with "
                "upward retraction of the {side} hilum, unchanged from XXXX.",
                "Stable {side} upper lobe fibrocalcific changes, consistent with old healed tuberculosis.",
            )
        ],
        "uk": [
            (
                "Fibrocalcific scarring and volume loss at the {side} apex, unchanged since XXXX.",
                "Old {side} apical fibrocalcific TB scarring, unchanged.",
            )
        ],
    },
    "edema": {
        "sided": False,
        "sig": True,
        "topics": ["lung", "heart"],
        "chronic": False,
        "us": [
            (
                "The heart is enlarged. There is pulmonary vascular congestion "
                "with interstitial edema and Kerley B lines.",
                "Cardiomegaly with pulmonary edema, consistent with congestive heart failure.",
            )
        ],
        "uk": [
            (
                "Cardiomegaly with upper lobe blood diversion, Kerley B lines and "
                "perihilar airspace shadowing in keeping with pulmonary oedema.",
                "Cardiac failure with pulmonary oedema.",
            )
        ],
        "neg_imp": {"us": ["No pulmonary edema."], "uk": ["No pulmonary oedema."]},
        "neg_find": {"us": ["The lungs are clear."], "uk": ["The lungs are clear."]},
        "rec": {"us": "Consider echocardiography (alcohol-related cardiomyopathy?).", "uk": "Suggest echocardiogram."},
    },
    "cardio_mild": {
        "sided": False,
        "sig": False,
        "topics": ["heart"],
        "chronic": False,
        "us": [("Mild cardiomegaly.", "Mild cardiomegaly."), ("The heart is mildly enlarged.", "Mild cardiomegaly.")],
        "uk": [
            ("The heart is mildly enlarged (CTR 0.56).", "Mild cardiomegaly."),
            ("Mild cardiomegaly.", "Mild cardiomegaly."),
        ],
        "neg_imp": {"us": ["Normal heart size."], "uk": ["Heart size normal."]},
        "neg_find": {"us": ["Heart size is normal."], "uk": ["Heart size normal."]},
    },
    "mediastinum": {
        "sided": False,
        "sig": True,
        "topics": ["med"],
        "chronic": False,
        "size": (9, 11),
        "us": [
            (
                "The superior mediastinum is widened, measuring {size} "
                "cm at the level of the aortic arch on this AP film.",
                "Widened mediastinum.",
            )
        ],
        "uk": [("Widened superior mediastinum ({size} cm) on this AP film.", "Widened mediastinum.")],
        "neg_imp": {"us": ["Normal mediastinal contour."], "uk": ["Mediastinum not widened."]},
        "neg_find": {"us": ["The mediastinum is not widened."], "uk": ["Mediastinum is not widened."]},
        "rec": {
            "us": "In the setting of trauma, CT angiography of the chest is recommended to exclude aortic injury.",
            "uk": "Recommend CT aortogram to exclude aortic injury given the mechanism.",
        },
    },
    "freeair": {
        "sided": False,
        "sig": True,
        "topics": ["abdomen"],
        "chronic": False,
        "us": [("Free intraperitoneal air beneath the right hemidiaphragm.", "Pneumoperitoneum.")],
        "uk": [("Free gas under the right hemidiaphragm.", "Free subdiaphragmatic gas - pneumoperitoneum.")],
        "neg_imp": {"us": ["No pneumoperitoneum."], "uk": ["No pneumoperitoneum."]},
        "neg_find": {"us": ["No free air under the diaphragm."], "uk": ["No free gas under the diaphragm."]},
        "rec": {
            "us": "Urgent surgical evaluation recommended; discussed with the ED physician at XXXX.",
            "uk": "Urgent surgical review; discussed with the surgical registrar at XXXX.",
        },
    },
}

SCENARIOS = {
    "tb_screen": ["granuloma", "old_tb", "rib_old", "copd", "clav_old"],
    "tb_active": ["tb_cavity", "tb_nodes", "miliary", "eff_large", "eff_small", "rib_old"],
    "aspiration": ["asp_consol", "eff_small", "copd", "rib_old", "cardio_mild", "eff_large"],
    "trauma": ["rib_acute", "ptx", "rib_old", "mediastinum", "freeair", "clav_old", "eff_small"],
    "copd": ["copd", "bullae", "mass", "nodule", "asp_consol", "ptx", "granuloma"],
    "ivdu": ["septic", "eff_large", "asp_consol", "eff_small", "rib_old"],
    "cold": ["asp_consol", "edema", "cardio_mild", "copd", "rib_old"],
}
SCEN_NAMES = ["tb_screen", "tb_active", "aspiration", "trauma", "copd", "ivdu", "cold"]

EXCLUSIVE = {
    "lung": "lung",
    "eff": "eff",
    "ptx": "ptx",
    "bones": "frac",
    "bones_old": "frac",
    "heart": "heart",
    "med": "med",
    "hila": "hila",
    "abdomen": "abdomen",
}

OMIT_ITEMS = [
    "asp_consol",
    "tb_cavity",
    "eff_large",
    "ptx",
    "septic",
    "mass",
    "nodule",
    "edema",
    "mediastinum",
    "freeair",
]
NEG_ITEMS = [
    "asp_consol",
    "tb_cavity",
    "eff_large",
    "ptx",
    "rib_acute",
    "septic",
    "mass",
    "edema",
    "cardio_mild",
    "mediastinum",
    "freeair",
    "tb_nodes",
]
LAT_ITEMS = [
    "asp_consol",
    "tb_cavity",
    "tb_nodes",
    "eff_large",
    "eff_small",
    "ptx",
    "rib_acute",
    "rib_old",
    "mass",
    "nodule",
    "old_tb",
    "bullae",
    "clav_old",
]
MINOR_FOR_OMIT = ["copd", "rib_old", "granuloma", "clav_old", "cardio_mild", "old_tb", "bullae"]

ORD = {3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th", 9: "9th", 10: "10th"}

SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")


def flip_sides(text: str) -> str:
    def sub(m):
        w = m.group(1)
        o = {"right": "left", "left": "right"}[w.lower()]
        if w.isupper():
            return o.upper()
        if w[0].isupper():
            return o.capitalize()
        return o

    return SIDE_RE.sub(sub, text)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# ---------------------------------------------------------------------------------------------
# composed reports
# ---------------------------------------------------------------------------------------------


def instantiate(
    rng: random.Random, key: str, dialect: str, side: str | None = None, variant: int | None = None
) -> dict:
    spec = ITEMS[key]
    if spec["sided"] and side is None:
        side = rng.choice(["right", "left"])
    variants = spec[dialect]
    vi = rng.randrange(len(variants)) if variant is None else variant % len(variants)
    f, i = variants[vi]
    lo, hi = spec.get("size", (2, 4))
    size = rng.randint(lo, hi)
    if key == "ptx":
        size = rng.choice(["1", "1.5", "2", "2.5", "3", "4"])
    r1 = rng.randint(4, 9)
    mag = rng.choice(["moderate", "large"])
    fields = {
        "side": side or "",
        "Side": cap(side or ""),
        "size": size,
        "r1": ORD[r1],
        "r2": ORD[r1 + 1],
        "mag": mag,
        "Mag": cap(mag),
    }
    item = {
        "key": key,
        "side": side,
        "sig": spec["sig"],
        "topics": spec["topics"],
        "chronic": spec["chronic"],
        "find": f.format(**fields),
        "imp": cap(i.format(**fields)),
        "neg_imp": rng.choice(spec["neg_imp"][dialect]) if "neg_imp" in spec else None,
        "neg_find": rng.choice(spec["neg_find"][dialect]) if "neg_find" in spec else None,
        "rec": spec.get("rec", {}).get(dialect),
        "needs_prior": ("New " in f or "since the previous" in f or spec.get("prior", False) or "XXXX" in f),
        "in_find": True,
        "in_imp": True,
    }
    return item


def excl_keys(item: dict) -> set:
    return {EXCLUSIVE[t] for t in item["topics"] if t in EXCLUSIVE}


def pick_extras(
    rng: random.Random, scen: str, chosen: list[dict], n: int, dialect: str, only: list[str] | None = None
) -> list[dict]:
    pool = [k for k in SCENARIOS[scen] if (only is None or k in only)]
    rng.shuffle(pool)
    out = []
    for k in pool:
        if len(out) >= n:
            break
        if any(c["key"] == k for c in chosen + out):
            continue
        cand = instantiate(rng, k, dialect)
        used = set()
        for c in chosen + out:
            used |= excl_keys(c)
        if excl_keys(cand) & used:
            continue
        # keep sides unambiguous: a second sided finding in the same family never shares a group
        out.append(cand)
    return out


def build_findings(rng: random.Random, dialect: str, items: list[dict], forced_neg: dict | None = None) -> list[str]:
    """Findings sentences: items that are in the findings plus normal statements for free topics."""
    nb = NORMALS[dialect]
    present = [it for it in items if it["in_find"]]
    occ = set()
    for it in present:
        occ |= set(it["topics"])
    slots: dict[str, list[str]] = {k: [] for k in ["heart", "med", "hila", "lung", "pleura", "bones", "abdomen"]}
    for it in present:
        t = it["topics"][0]
        slot = {
            "lung": "lung",
            "lung_minor": "lung",
            "heart": "heart",
            "med": "med",
            "hila": "hila",
            "eff": "pleura",
            "ptx": "pleura",
            "bones": "bones",
            "bones_old": "bones",
            "abdomen": "abdomen",
        }[t]
        slots[slot].append(it["find"])
    forced_topic = None
    if forced_neg:
        forced_topic = forced_neg["topic"]
    # heart / mediastinum
    if "heart" not in occ and "med" not in occ and forced_topic not in ("heart", "med"):
        if rng.random() < 0.85:
            slots["heart"].append(rng.choice(nb["heart_med"]))
    else:
        if "heart" not in occ and forced_topic != "heart":
            slots["heart"].append(rng.choice(nb["heart"]))
        if "med" not in occ and forced_topic != "med" and rng.random() < 0.5:
            slots["med"].append(rng.choice(nb["med"]))
    if "hila" not in occ and forced_topic != "hila" and rng.random() < 0.2:
        slots["hila"].append(rng.choice(nb["hila"]))
    # lungs
    if forced_topic != "lung":
        if "lung" in occ or "lung_minor" in occ:
            slots["lung"].append(rng.choice(nb["lung_part"]))
        else:
            slots["lung"].append(rng.choice(nb["lung"]))
    # pleura
    eff_free = "eff" not in occ and forced_topic != "eff"
    ptx_free = "ptx" not in occ and forced_topic != "ptx"
    if eff_free and ptx_free:
        slots["pleura"].append(rng.choice(nb["eff_ptx"]))
    elif eff_free:
        slots["pleura"].append(rng.choice(nb["eff"]))
    elif ptx_free:
        slots["pleura"].append(rng.choice(nb["ptx"]))
    # bones
    if "bones" not in occ and forced_topic != "bones" and rng.random() < 0.75:
        slots["bones"].append(rng.choice(nb["bones"]))
    if "abdomen" not in occ and forced_topic != "abdomen" and rng.random() < 0.15:
        slots["abdomen"].append(rng.choice(nb["abdomen"]))
    if forced_neg:
        slot = {
            "lung": "lung",
            "heart": "heart",
            "med": "med",
            "hila": "hila",
            "eff": "pleura",
            "ptx": "pleura",
            "bones": "bones",
            "abdomen": "abdomen",
        }[forced_topic]
        slots[slot].insert(0, forced_neg["text"])
    out = []
    for k in ["heart", "med", "hila", "lung", "pleura", "bones", "abdomen"]:
        out.extend(slots[k])
    return out


def normal_impression(rng: random.Random, dialect: str, scen: str, tb_line_ok: bool) -> list[str]:
    lines = [rng.choice(NORMAL_IMP[dialect])]
    if tb_line_ok and scen in ("tb_screen", "tb_active") and rng.random() < 0.7:
        if rng.random() < 0.4:
            lines = [rng.choice(TB_NEG_IMP[dialect])]
        else:
            lines.append(rng.choice(TB_NEG_IMP[dialect]))
    return lines


TB_LUNG_KEYS = {
    "tb_cavity",
    "tb_nodes",
    "miliary",
    "asp_consol",
    "septic",
    "mass",
    "nodule",
    "edema",
    "eff_large",
    "eff_small",
}


def build_impression(rng: random.Random, dialect: str, scen: str, items: list[dict]) -> tuple[list[str], list[str]]:
    """Impression sentences and recommendations for a consistent report."""
    listed = sorted((it for it in items if it["in_imp"]), key=lambda it: (not it["sig"], it["chronic"]))
    recs = [it["rec"] for it in listed if it["rec"] and it["sig"] and rng.random() < 0.7]
    if not listed:
        tb_ok = not any(it["key"] in TB_LUNG_KEYS for it in items if it["in_find"])
        return normal_impression(rng, dialect, scen, tb_ok), recs
    lines = [it["imp"] for it in listed]
    if all(it["chronic"] for it in listed) and rng.random() < 0.5:
        lines.insert(0, rng.choice(NORMAL_PREFIX[dialect]))
    return lines, recs


def pick_style(rng: random.Random) -> str:
    return rng.choices(STYLE_NAMES, weights=STYLE_WEIGHTS)[0]


def comparison_text(rng: random.Random, dialect: str, needs_prior: bool) -> str:
    if needs_prior or rng.random() < 0.35:
        return rng.choice(
            ["XXXX.", "Chest radiograph XXXX.", "Prior CXR dated XXXX."]
            if dialect == "us"
            else ["CXR XXXX.", "Previous film XXXX.", "XXXX (Find&Treat mobile unit)."]
        )
    return rng.choice(["None.", "None available."] if dialect == "us" else ["None.", "No previous imaging available."])


def layout(
    rng: random.Random,
    style: str,
    history: str,
    comparison: str,
    findings: list[str],
    impression: list[str],
    recs: list[str],
    missing: str | None = None,
    fmt: dict | None = None,
) -> tuple[str, dict]:
    """Assemble a report; returns (text, format choices) so the same format can be reused."""
    st = STYLES[style]
    if fmt is None:
        fmt = {
            "exam": rng.choice(st["exam"]),
            "hist": rng.choice(st["hist"]),
            "comp": rng.choice(st["comp"]),
            "tech": None,
            "find": rng.choice(st["find"]),
            "imp": rng.choice(st["imp"]),
            "sign": rng.choice(st["sign"]),
            "numbered": rng.random() < st["numbered"],
            "find_lines": rng.random() < 0.3,
            "inline": rng.random() < 0.35,
            "rec_header": rng.random() < 0.4,
        }
        single = bool(re.search(r"1 VIEW|SINGLE", fmt["exam"]))
        techs = [t for t in st["tech"] if t is None or (("Single" in t) == single)]
        fmt["tech"] = rng.choice(techs)
    parts = [fmt["exam"], f"{fmt['hist']} {history}", f"{fmt['comp']} {comparison}"]
    if fmt["tech"]:
        parts.append(fmt["tech"])
    body = []
    if missing != "find_empty":
        ftxt = "\n".join(findings) if fmt["find_lines"] else " ".join(findings)
    else:
        ftxt = ""
    if ftxt:
        if fmt["inline"] and not fmt["find_lines"]:
            body.append(f"{fmt['find']} {ftxt}")
        else:
            body.append(f"{fmt['find']}\n{ftxt}")
    else:
        body.append(fmt["find"])
    imp_lines = list(impression)
    rec_lines = list(recs)
    if rec_lines and not fmt["rec_header"]:
        imp_lines = imp_lines + rec_lines
        rec_lines = []
    if fmt["numbered"] and len(imp_lines) > 1:
        itxt = "\n".join(f"{n}. {s}" for n, s in enumerate(imp_lines, 1))
    else:
        itxt = " ".join(imp_lines)
    tail = []
    if missing in ("imp_empty", "imp_sig", "imp_removed"):
        if missing == "imp_empty":
            body.append(fmt["imp"])
        elif missing == "imp_sig":
            body.append(f"{fmt['imp']}\n{fmt['sign']}")
        rec_lines = []
    else:
        if fmt["inline"] and len(imp_lines) == 1:
            body.append(f"{fmt['imp']} {itxt}")
        else:
            body.append(f"{fmt['imp']}\n{itxt}")
    if rec_lines:
        tail.append(
            ("RECOMMENDATION: " if STYLES[style]["dialect"] == "us" else "Recommendation: ") + " ".join(rec_lines)
        )
    if missing not in ("imp_empty", "imp_sig"):
        tail.append(fmt["sign"])
    text = "\n".join(parts) + "\n\n" + "\n\n".join(body) + ("\n\n" + "\n".join(tail) if tail else "")
    return text, fmt


def compose_case(rng: random.Random, kind: str | None, sub: int) -> tuple[str, str]:
    """One composed report; returns (report, detail)."""
    style = pick_style(rng)
    dialect = STYLES[style]["dialect"]
    forced_neg = None
    missing = None
    items: list[dict] = []
    detail = ""
    if kind is None or kind in ("missing_section", "placeholder"):
        r = rng.random()
        if r < 0.35:
            scen = rng.choice(["tb_screen", "tb_screen", "aspiration", "trauma", "cold", "copd"])
            n_items = 0
        else:
            scen = rng.choice(SCEN_NAMES)
            n_items = rng.choice([1, 1, 2, 2, 3])
        items = pick_extras(rng, scen, [], n_items, dialect)
        for it in items:
            if it["key"] in ("granuloma", "rib_old", "clav_old", "copd") and rng.random() < 0.25:
                it["in_imp"] = False
        detail = "clean composed: " + (
            ", ".join(it["key"] + (f" ({it['side']})" if it["side"] else "") for it in items) or "normal"
        )
    elif kind == "laterality_conflict":
        key = LAT_ITEMS[sub % len(LAT_ITEMS)]
        scen = rng.choice([s for s in SCEN_NAMES if key in SCENARIOS[s]])
        main = instantiate(rng, key, dialect)
        extras = pick_extras(rng, scen, [main], rng.choice([0, 1, 1]), dialect)
        # no other item may carry the same family of words on the other side
        extras = [
            e
            for e in extras
            if not (
                e["side"]
                and e["key"] in ("rib_old", "rib_acute", "clav_old")
                and key in ("rib_old", "rib_acute", "clav_old")
            )
        ]
        items = [main] + extras
        where = "findings" if rng.random() < 0.5 else "impression"
        old_side = main["side"]
        if where == "findings":
            main["find"] = flip_sides(main["find"])
        else:
            main["imp"] = flip_sides(main["imp"])
        new_side = "left" if old_side == "right" else "right"
        detail = (
            f"composed: {key}; side flipped {old_side}->{new_side} in the {where} sentence, "
            f"the other section keeps {old_side}"
        )
    elif kind == "negation_conflict":
        key = NEG_ITEMS[sub % len(NEG_ITEMS)]
        scen = rng.choice([s for s in SCEN_NAMES if key in SCENARIOS[s]])
        main = instantiate(rng, key, dialect)
        extras = pick_extras(rng, scen, [main], rng.choice([0, 1]), dialect, only=MINOR_FOR_OMIT)
        items = [main] + extras
        if sub % 2 == 0:
            # findings negate it, impression asserts it
            main["in_find"] = False
            forced_neg = {"topic": main["topics"][0], "text": main["neg_find"]}
            main["rec"] = None
            detail = f"composed: findings say '{main['neg_find']}' but the impression asserts '{main['imp']}'"
        else:
            # findings affirm it, impression negates it
            detail = f"composed: findings affirm '{main['find']}' but the impression says '{main['neg_imp']}'"
            main["imp"] = main["neg_imp"]
            main["rec"] = None
            main["chronic"] = True  # allows a normal opening line as radiologists write it
    elif kind == "impression_omits_finding":
        key = OMIT_ITEMS[sub % len(OMIT_ITEMS)]
        scen = rng.choice([s for s in SCEN_NAMES if key in SCENARIOS[s]])
        main = instantiate(rng, key, dialect)
        main["in_imp"] = False
        if sub % 4 < 2:
            extras = pick_extras(rng, scen, [main], 1, dialect, only=MINOR_FOR_OMIT)
            if not extras:
                extras = pick_extras(rng, "tb_screen", [main], 1, dialect, only=MINOR_FOR_OMIT)
            for e in extras:
                e["in_imp"] = True
                e["chronic"] = False
            items = [main] + extras
            detail = (
                f"composed: findings affirm '{main['find']}'; impression lists only other findings "
                f"({', '.join(e['key'] for e in extras)})"
            )
        else:
            items = [main]
            detail = f"composed: findings affirm '{main['find']}'; impression replaced by a normal statement"
    else:
        raise ValueError(kind)

    if kind == "impression_omits_finding" and not any(it["in_imp"] for it in items):
        imp_lines, recs = [rng.choice(NORMAL_IMP[dialect])], []
    else:
        imp_lines, recs = build_impression(rng, dialect, scen, items)
    if kind == "impression_omits_finding":
        recs = []
    findings = build_findings(rng, dialect, items, forced_neg)
    history = rng.choice(HISTORIES[scen][dialect])
    comparison = comparison_text(rng, dialect, any(it["needs_prior"] for it in items))

    if kind == "missing_section":
        missing = rng.choice(["find_empty", "imp_empty", "imp_sig", "imp_removed"])
        detail = f"composed: {missing.replace('_', ' ')} (" + detail.split(": ", 1)[1] + ")"
    text, _ = layout(rng, style, history, comparison, findings, imp_lines, recs, missing=missing)
    if kind == "placeholder":
        text, what = put_placeholder(rng, text)
        detail = f"composed: placeholder {what} (" + detail.split(": ", 1)[1] + ")"
    return text, detail


# ---------------------------------------------------------------------------------------------
# placeholders
# ---------------------------------------------------------------------------------------------

SIZE_PH = ["XX", "<<size>>", "[ ]", "[***]", "[size]"]
SIDE_PH = ["[side]", "<<side>>", "[ ]", "[Right/Left]", "[***]"]
WORD_PH = ["[***]", "[ ]", "<<finding>>", "***", "[finding]"]
HEADER_PH = {
    "hist": ["[clinical details]", "[***]", "<<indication>>", "[ ]"],
    "comp": ["[date of prior]", "[ ]", "<<comparison>>"],
}
NORMAL_OPTIONS = [
    (re.compile(r"Heart size is normal\."), ["Heart size is [normal/enlarged].", "Heart size is [ ]."]),
    (re.compile(r"Heart size normal\."), ["Heart size [normal/enlarged].", "Heart size [***]."]),
    (re.compile(r"The lungs are clear\."), ["The lungs are [clear].", "The lungs are [***]."]),
    (re.compile(r"No pleural effusion\."), ["No pleural effusion [ ].", "[No] pleural effusion."]),
]


def put_placeholder(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    head_end = lines.index("") if "" in lines else 2
    body_idx = [
        i
        for i in range(head_end, len(lines))
        if lines[i]
        and not re.match(
            r"^(FINDINGS|IMPRESSION|Findings|Impression|Report|Conclusion|"
            r"CONCLUSION|Opinion|Comment|Summary|RECOMMENDATION|Recommendation)\b",
            lines[i],
        )
    ]
    body_idx += [i for i in range(head_end, len(lines)) if re.match(r"^\S+:\s+\S", lines[i])]
    sign_line = len(lines) - 1
    body_idx = sorted({i for i in body_idx if i != sign_line})
    opts = []
    for i in body_idx:
        ln = lines[i]
        for m in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?)(?= ?(?:mm|cm)\b)", ln):
            opts.append(("size", i, m.start(1), m.end(1)))
        for m in SIDE_RE.finditer(ln):
            opts.append(("side", i, m.start(1), m.end(1)))
        for m in re.finditer(
            r"\b(consolidation|effusion|pneumothorax|pneumonia|nodule|mass|fractures?|granuloma|hyperinflation|"
            r"cardiomegaly|emboli|scarring|lymphadenopathy|cavity|pneumoperitoneum|oedema|edema)\b",
            ln,
        ):
            opts.append(("word", i, m.start(1), m.end(1)))
        for rx, reps in NORMAL_OPTIONS:
            for m in rx.finditer(ln):
                opts.append(("normal", i, m.start(), m.end(), reps))
    weights = {"size": 3, "side": 2, "word": 2, "normal": 3}
    r = rng.random()
    if r < 0.15 or not opts:
        # header field left as its template placeholder
        which = "hist" if rng.random() < 0.6 else "comp"
        for i in range(0, head_end):
            m = (
                re.match(
                    r"^((?:CLINICAL HISTORY|INDICATION|HISTORY|REASON FOR EXAM|"
                    r"History|Reason for exam|Indication|Clinical details|"
                    r"Clinical history|Clinical indication|Referral):)\s.*$",
                    lines[i],
                )
                if which == "hist"
                else re.match(r"^((?:COMPARISON|Comparison|Previous|Previous films):)\s.*$", lines[i])
            )
            if m:
                ph = rng.choice(HEADER_PH[which])
                lines[i] = f"{m.group(1)} {ph}"
                return "\n".join(
                    lines
                ), f"'{ph}' left as the {'clinical details' if which == 'hist' else 'comparison'} field"
    opt = rng.choices(opts, weights=[weights[o[0]] for o in opts])[0]
    i = opt[1]
    ln = lines[i]
    if opt[0] == "normal":
        ph_line = rng.choice(opt[4])
        lines[i] = ln[: opt[2]] + ph_line + ln[opt[3] :]
        what = f"template choice left unfilled: '{ph_line}'"
    else:
        ph = rng.choice({"size": SIZE_PH, "side": SIDE_PH, "word": WORD_PH}[opt[0]])
        lines[i] = ln[: opt[2]] + ph + ln[opt[3] :]
        what = f"'{ph}' in place of the {opt[0]} '{ln[opt[2] : opt[3]]}'"
    return "\n".join(lines), what


# ---------------------------------------------------------------------------------------------
# IU reports
# ---------------------------------------------------------------------------------------------

GROUPS = {
    "effusion": r"effusion|pleural fluid",
    "ptx": r"pneumothora",
    "airspace": r"consolidat|airspace|air space|infiltrat|pneumonia|opacit|shadowing",
    "edema": r"edema|oedema|vascular congestion|pulmonary congestion|\bcongestion|congestive|\bchf\b|heart failure",
    "cardiomegaly": r"cardiomegaly|(?:heart|cardiac silhouette|cardiac "
    "size|heart size|cardiac shadow|cardiomediastinal silhouette) "
    r"(?:is |appears |remains )?(?:mildly |moderately |markedly |slightly |borderline |stably )?(?:enlarged|large)"
    r"|enlarged (?:heart|cardiac)|enlargement of the (?:heart|cardiac)|cardiac enlargement",
    "nodule": r"nodul|\bmass\b|\bmasses\b|\blesion",
    "atelectasis": r"atelecta|collapse",
    "fracture": r"fracture",
    "mediastinum": r"widen",
    "freeair": r"free air|pneumoperitoneum|free gas|free intraperitoneal|subdiaphragmatic air",
    "granuloma": r"granulom",
    "hilar": r"\bhil(?:ar|um|a)\b",
    "diaphragm": r"diaphragm",
    "scar": r"scar|fibros|fibrot",
}
GROUP_RX = {g: re.compile(p) for g, p in GROUPS.items()}
ABNORMAL = [
    "effusion",
    "ptx",
    "airspace",
    "edema",
    "cardiomegaly",
    "nodule",
    "atelectasis",
    "fracture",
    "mediastinum",
    "freeair",
]
PRE_NEG = re.compile(r"\b(?:no|without|negative for|free of|absence of|resolution of|removal of|no evidence of|not)\b")
POST_NEG = re.compile(
    r"\b(?:not (?:seen|identified|visualized|appreciated|present|evident|demonstrated)|resolved|has cleared|"
    r"have cleared|are absent|is absent|no longer)\b"
)
BREAK = re.compile(r"\bbut\b|\bhowever\b|;|\balthough\b|\bwhich\b|\bwith\b")
LUNGS_CLEAR = re.compile(
    r"\b(?:lungs?|lung fields?)\b(?: (?:are|is|appear|remain|fields "
    r"are))? (?:grossly |essentially |now )?clear|clear lungs"
)
HEART_NORMAL = re.compile(
    r"heart size (?:is |appears |remains )?(?:within )?normal|normal heart size|heart is normal in size|"
    r"heart (?:is )?not enlarged|normal (?:cardiac|heart) (?:size|silhouette|"
    r"contour)|cardiac (?:silhouette|size|contour|shadow) "
    r"(?:is |appears |remains )?(?:within normal limits|normal)|cardiomediastinal "
    r"(?:silhouette|contours?) (?:is |are |appears )?"
    r"(?:within normal limits|normal|unremarkable|stable and within normal limits)|normal cardiomediastinal|"
    r"heart (?:size )?(?:and [a-z ]+ )?(?:is |are )?(?:within normal limits|normal)"
)
CP_CLEAR = re.compile(r"costophrenic (?:angles?|recesses) (?:are |is )?(?:clear|sharp)")
HEDGE = re.compile(
    r"possib|\bmay\b|might|could|question|\?|versus|\bvs\b|cannot be|not excluded|suspicious|likely|suggest|concern|"
    r"differential|atelecta|probabl|\bor\b|early|subtle|minimal|mild|trace|tiny|small|vague|faint|equivocal"
)
STABLE = re.compile(
    r"stable|unchanged|chronic|\bold\b|prior|previous|again|persist|scar|improv|resolv|decreas|healed|calcifi|clearing|"
    r"no change|similar|remain|known|residual|compared"
)
NORMAL_IMP_RX = re.compile(
    r"^(?:no acute|no active|normal chest|negative chest|no evidence of acute|no radiographic evidence of acute|"
    r"no acute cardiopulmonary|normal (?:two view )?chest|no (?:significant|acute) (?:abnormality|findings|disease)|"
    r"unremarkable|clear lungs|no acute disease|no acute findings|normal study|normal\.)"
)
QUALIFIED_NEG = re.compile(
    r"large|significant|definite|moderate|sizable|gross|substantial|typical|overt|frank|discrete"
)
SIGNIFICANT_TERMS = {
    "effusion": re.compile(r"moderate|large|layering|loculat|sizable|substantial"),
    "ptx": re.compile(r"."),
    "airspace": re.compile(r"consolidat|airspace|air space|infiltrat|pneumonia"),
    "edema": re.compile(r"edema|oedema"),
    "nodule": re.compile(r"\bmass\b"),
    "mediastinum": re.compile(r"mediastin"),
    "freeair": re.compile(r"."),
}


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])", text)
    out = []
    for p in parts:
        p = re.sub(r"^\(?\d{1,2}[.)](?!\d)\s*", "", p).strip()
        if p and re.search(r"[A-Za-z]{2}", p):
            out.append(p)
    return out


def analyze(sent: str) -> dict:
    """group -> {'aff': bool, 'neg': bool, 'sides': set of affirmed sides}"""
    s = sent.lower()
    res: dict[str, dict] = {}

    def mark(g, state, sides=()):
        d = res.setdefault(g, {"aff": False, "neg": False, "sides": set()})
        d[state] = True
        d["sides"] |= set(sides)

    if LUNGS_CLEAR.search(s) and "otherwise" not in s and "remaining" not in s and "elsewhere" not in s:
        for g in ("airspace", "edema", "nodule", "atelectasis"):
            mark(g, "neg")
    if HEART_NORMAL.search(s):
        mark("cardiomegaly", "neg")
    if CP_CLEAR.search(s):
        mark("effusion", "neg")
    post = POST_NEG.search(s)
    sides_in = [m.group(0) for m in re.finditer(r"\b(?:right|left)\b", s)]
    if re.search(r"bilateral|both|bibasilar|bibasal", s):
        sides_in += ["right", "left"]
    for g, rx in GROUP_RX.items():
        for m in rx.finditer(s):
            p = m.start()
            seg_start = 0
            for b in BREAK.finditer(s[:p]):
                seg_start = b.end()
            negated = bool(PRE_NEG.search(s[seg_start:p])) or bool(post and post.start() > p)
            if negated:
                mark(g, "neg")
            else:
                mark(g, "aff", sides_in)
    return res


def section_analysis(sents: list[str]) -> dict:
    out: dict[str, dict] = {}
    for s in sents:
        for g, d in analyze(s).items():
            o = out.setdefault(g, {"aff": False, "neg": False, "sides": set()})
            o["aff"] |= d["aff"]
            o["neg"] |= d["neg"]
            o["sides"] |= d["sides"]
    return out


def is_normal_impression(sents: list[str]) -> bool:
    if not sents:
        return False
    for s in sents:
        sl = s.lower()
        if not NORMAL_IMP_RX.search(sl):
            return False
        if any(d["aff"] for d in analyze(s).values()):
            return False
    return True


def significant_sentence(s: str) -> str | None:
    """Group of a clearly significant, affirmed, unhedged, not stable finding in this sentence, else None."""
    sl = s.lower()
    if HEDGE.search(sl) or STABLE.search(sl):
        return None
    a = analyze(s)
    for g, rx in SIGNIFICANT_TERMS.items():
        if g in a and a[g]["aff"] and not a[g]["neg"] and rx.search(sl):
            if g == "effusion" and re.search(r"small|trace|tiny|minimal|blunt", sl):
                continue
            if g == "airspace" and re.search(r"streaky|linear|band|plate", sl):
                continue
            if g == "edema" and re.search(r"subpleural|fissur", sl):
                continue
            return g
    return None


def load_iu(shared: Path) -> list[dict]:
    tgz = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(tgz, "r:gz") as tf:
        members = sorted((m for m in tf.getmembers() if m.isfile() and m.name.endswith(".xml")), key=lambda m: m.name)
        for m in members:
            data = tf.extractfile(m).read()
            try:
                root = ET.parse(io.BytesIO(data)).getroot()
            except ET.ParseError:
                continue
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            out.append(
                {
                    "uid": uid_el.get("id"),
                    "findings": d.get("FINDINGS", ""),
                    "impression": d.get("IMPRESSION", ""),
                    "indication": d.get("INDICATION", ""),
                    "comparison": d.get("COMPARISON", ""),
                }
            )
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return out


def load_dev_uids(shared: Path) -> set:
    uids = set()
    p = shared / "eval" / "report_errors_dev.jsonl"
    if p.exists():
        with open(p) as fh:
            for line in fh:
                line = line.strip()
                if line:
                    uids.add(json.loads(line).get("uid"))
    return uids


UK_SPELL = [
    (r"\bedema\b", "oedema"),
    (r"\bEdema\b", "Oedema"),
    (r"\bhemithorax\b", "hemithorax"),
    (r"\bhemorrhage\b", "haemorrhage"),
    (r"\bhiatal hernia\b", "hiatus hernia"),
    (r"\bcharacterized\b", "characterised"),
    (r"\bcalcified granulomas?\b", "calcified granuloma(s)"),
    (r"\bcentimeter", "centimetre"),
    (r"\bapproximately\b", "approx."),
]
REWORD = [
    (r"^There is no ", "No ", "'There is no' -> 'No'"),
    (r"^There are no ", "No ", "'There are no' -> 'No'"),
    (
        r"\bThe heart is normal in size\.",
        "Heart size is normal.",
        "'The heart is normal in size' -> 'Heart size is normal'",
    ),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process", "'abnormality' -> 'process'"),
    (r"\bcostophrenic\b", "CP", "'costophrenic' -> 'CP'"),
    (r"\btuberculosis\b", "TB", "'tuberculosis' -> 'TB'"),
    (r"\bchronic obstructive pulmonary disease\b", "COPD", "-> 'COPD'"),
    (r"^No acute cardiopulmonary disease\b", "No acute cardiopulmonary abnormality", "'disease' -> 'abnormality'"),
]


def reword(sent: str, dialect: str, rng: random.Random, changes: list[str]) -> str:
    out = sent
    for pat, rep, label in REWORD:
        if pat == r"\bcostophrenic\b" and dialect == "uk":
            continue
        if re.search(pat, out) and rng.random() < 0.6:
            out = re.sub(pat, rep, out)
            if f"reworded {label}" not in changes:
                changes.append(f"reworded {label}")
    if dialect == "uk":
        for pat, rep in UK_SPELL:
            if re.search(pat, out):
                out = re.sub(pat, rep, out)
                if "UK spelling" not in changes:
                    changes.append("UK spelling")
    out = out[:1].upper() + out[1:]
    return out


def clean_iu_ok(r: dict) -> bool:
    """Strict consistency check for an unmodified IU report to stand as a clean case."""
    finds, imps = r["fs"], r["is"]
    text = " ".join(finds + imps)
    if re.search(r"\[|\]|\*\*|<<|>>|___|&lt;|&gt;", text):
        return False
    if re.search(r"\b(?:knee|ankle|wrist|elbow|hand|foot|pelvis)\b", text.lower()):
        return False  # mixed non-chest reports
    fa, ia = section_analysis(finds), section_analysis(imps)
    for g in ABNORMAL + ["granuloma", "hilar", "scar", "diaphragm"]:
        f, i = fa.get(g), ia.get(g)
        if f and i:
            if (f["aff"] and i["neg"] and not i["aff"]) or (f["neg"] and not f["aff"] and i["aff"]):
                return False
            if (f["aff"] and i["neg"]) or (f["neg"] and i["aff"]):
                return False
            if f["sides"] and i["sides"] and f["sides"] != i["sides"]:
                return False
        if i and i["aff"] and g in ABNORMAL and not (f and f["aff"]):
            return False
    for s in finds:
        g = significant_sentence(s)
        if g and not (ia.get(g) and ia[g]["aff"]):
            return False
    for s in finds:
        sl = s.lower()
        for g in ("effusion", "ptx", "airspace", "edema", "nodule", "mediastinum", "freeair"):
            d = analyze(s).get(g)
            if d and d["aff"] and not (ia.get(g) and ia[g]["aff"]):
                # any affirmed finding of these kinds in the findings must be carried to the impression,
                # unless it is small/old/stable and the impression is not normal
                if is_normal_impression(imps) or not re.search(
                    r"small|trace|tiny|minimal|stable|unchanged|old|calcif|granulom", sl
                ):
                    return False
    if is_normal_impression(imps):
        for g in ABNORMAL:
            if fa.get(g) and fa[g]["aff"]:
                return False
    # sides mentioned in the impression at all must be stated in the findings
    fs_sides = set(re.findall(r"\b(right|left)\b", " ".join(finds).lower()))
    is_sides = set(re.findall(r"\b(right|left)\b", " ".join(imps).lower()))
    if is_sides - fs_sides:
        return False
    return True


def prepare_iu(shared: Path) -> list[dict]:
    dev = load_dev_uids(shared)
    pool = []
    for r in load_iu(shared):
        if r["uid"] in dev:
            continue
        if not r["findings"] or not r["impression"]:
            continue
        if re.search(r"\[|\]|\*\*|<<|>>|___|&lt;|&gt;|[<>]", r["findings"] + r["impression"]):
            continue
        r = dict(r)
        r["fs"] = split_sentences(r["findings"])
        r["is"] = split_sentences(r["impression"])
        if not r["fs"] or not r["is"]:
            continue
        pool.append(r)
    return pool


def iu_candidates(pool: list[dict]) -> dict[str, list]:
    cands: dict[str, list] = {"clean": [], "lat": [], "neg_a": [], "neg_b": [], "omit": [], "any": []}
    for r in pool:
        finds, imps = r["fs"], r["is"]
        cands["any"].append(r)
        ok = clean_iu_ok(r)
        if ok:
            cands["clean"].append(r)
        if not ok:
            continue  # all injections start from a consistent report
        fa, ia = section_analysis(finds), section_analysis(imps)
        low = " ".join(finds + imps).lower()
        # laterality: a group placed on one side in both sections; the other side nowhere in the report
        if not re.search(r"bilateral|both|bibasilar|bibasal", low):
            for side in ("right", "left"):
                other = "left" if side == "right" else "right"
                if re.search(rf"\b{side}\b", low) and not re.search(rf"\b{other}\b", low):
                    for g in (
                        "effusion",
                        "ptx",
                        "airspace",
                        "nodule",
                        "atelectasis",
                        "fracture",
                        "granuloma",
                        "hilar",
                        "scar",
                        "diaphragm",
                    ):
                        fi = [
                            k
                            for k, s in enumerate(finds)
                            if g in analyze(s) and analyze(s)[g]["aff"] and re.search(rf"\b{side}\b", s.lower())
                        ]
                        ii = [
                            k
                            for k, s in enumerate(imps)
                            if g in analyze(s) and analyze(s)[g]["aff"] and re.search(rf"\b{side}\b", s.lower())
                        ]
                        if fi and ii:
                            cands["lat"].append((r, side, g, fi, ii))
                            break
        # negation (a): the findings negate a finding, the impression is normal
        if is_normal_impression(imps):
            # only plain negations: "no large effusion" does not deny a small one
            negs = [
                g
                for g in ("effusion", "ptx", "airspace", "cardiomegaly", "edema")
                if fa.get(g)
                and fa[g]["neg"]
                and not fa[g]["aff"]
                and not any(g in analyze(s) and QUALIFIED_NEG.search(s.lower()) for s in finds)
            ]
            if negs:
                cands["neg_a"].append((r, negs))
        # significant finding in findings that the impression carries
        sig = []
        for k, s in enumerate(finds):
            g = significant_sentence(s)
            if g and ia.get(g) and ia[g]["aff"]:
                sig.append((k, g))
        if sig:
            k, g = sig[0]
            # the impression sentences that name it
            named = [j for j, s in enumerate(imps) if g in analyze(s) and analyze(s)[g]["aff"]]
            others = [j for j in range(len(imps)) if j not in named]
            if named:
                cands["omit"].append((r, g, k, named, others))
                if g in ("effusion", "ptx", "airspace", "edema"):
                    cands["neg_b"].append((r, g, k, named, others))
        # negation (b) for cardiomegaly too
        if (
            fa.get("cardiomegaly")
            and fa["cardiomegaly"]["aff"]
            and not fa["cardiomegaly"]["neg"]
            and ia.get("cardiomegaly")
            and ia["cardiomegaly"]["aff"]
        ):
            named = [
                j for j, s in enumerate(imps) if "cardiomegaly" in analyze(s) and analyze(s)["cardiomegaly"]["aff"]
            ]
            borderline = any(
                "cardiomegaly" in analyze(s) and re.search(r"borderline|upper limit|top normal|top-normal", s.lower())
                for s in finds
            )
            if (
                named
                and not borderline
                and all(len([g for g in analyze(imps[j]) if g in ABNORMAL]) == 1 for j in named)
            ):
                cands["neg_b"].append((r, "cardiomegaly", None, named, [j for j in range(len(imps)) if j not in named]))
    return cands


NEG_IMP_FOR = {
    "effusion": {"us": "No pleural effusion.", "uk": "No pleural effusion."},
    "ptx": {"us": "No pneumothorax.", "uk": "No pneumothorax."},
    "airspace": {"us": "The lungs are clear.", "uk": "Lungs clear."},
    "edema": {"us": "No pulmonary edema.", "uk": "No pulmonary oedema."},
    "cardiomegaly": {"us": "Normal heart size.", "uk": "Heart size normal."},
}
ASSERT_FOR = {
    "effusion": {
        "us": ["Moderate {side} pleural effusion.", "Small {side} pleural effusion."],
        "uk": ["Moderate {side} pleural effusion.", "Small {side} pleural effusion."],
    },
    "ptx": {"us": ["Small {side} apical pneumothorax."], "uk": ["Small {side} pneumothorax."]},
    "airspace": {
        "us": ["{Side} lower lobe pneumonia.", "{Side} lower lobe consolidation, likely aspiration."],
        "uk": ["{Side} lower zone consolidation.", "{Side} basal pneumonia, ?aspiration."],
    },
    "edema": {"us": ["Pulmonary edema."], "uk": ["Pulmonary oedema."]},
    "cardiomegaly": {"us": ["Cardiomegaly."], "uk": ["Cardiomegaly."]},
}
PRONOUN_START = re.compile(r"^(?:this|it|these|they|which|measur|findings?|appearances?)\b", re.I)
BENIGN_F = re.compile(
    r"degenerat|spondyl|granulom|hyperexpan|hyperinfla|emphysem|copd|tortuous|atherosclero|calcifi|scoliosis|"
    r"sternotomy|clips|healed|old"
)


def iu_layout(
    rng: random.Random, r: dict, finds: list[str], imps: list[str], changes: list[str], missing: str | None = None
) -> str:
    style = r["_style"]
    dialect = STYLES[style]["dialect"]
    hist = r["indication"] or rng.choice(HISTORIES[rng.choice(SCEN_NAMES)][dialect])
    hist = re.sub(r"\s+", " ", hist).strip()
    if hist and not hist.endswith("."):
        hist += "."
    comp = re.sub(r"\s+", " ", r["comparison"]).strip() or ("None." if rng.random() < 0.5 else "None available.")
    if not comp.endswith("."):
        comp += "."
    text, _ = layout(rng, style, hist, comp, finds, imps, [], missing=missing)
    changes.insert(0, f"re-laid out as {style}")
    return text


def iu_case(rng: random.Random, kind: str | None, cand, sub: int) -> tuple[str, str]:
    if kind == "laterality_conflict":
        r, side, g, fi, ii = cand
    elif kind == "negation_conflict" and isinstance(cand, tuple) and len(cand) == 2:
        r, negs = cand
    elif isinstance(cand, tuple):
        r = cand[0]
    else:
        r = cand
    style = pick_style(rng)
    r = dict(r)
    r["_style"] = style
    dialect = STYLES[style]["dialect"]
    changes: list[str] = []
    finds = [reword(s, dialect, rng, changes) for s in r["fs"]]
    imps = [reword(s, dialect, rng, changes) for s in r["is"]]
    uid = r["uid"]
    what = "clean"
    missing = None
    if kind is None:
        pass
    elif kind == "missing_section":
        missing = rng.choice(["find_empty", "imp_empty", "imp_sig", "imp_removed"])
        what = f"{missing.replace('_', ' ')}"
    elif kind == "laterality_conflict":
        other = "left" if side == "right" else "right"
        # a findings sentence is flipped only when it is the one findings sentence placing this finding on that side
        if len(fi) == 1 and rng.random() < 0.5:
            k = fi[0]
            finds[k] = flip_sides(finds[k])
            what = f"{side}->{other} in findings sentence '{finds[k]}' ({g}); impression keeps {side}"
        else:
            k = rng.choice(ii)
            imps[k] = flip_sides(imps[k])
            what = f"{side}->{other} in impression sentence '{imps[k]}' ({g}); findings keep {side}"
    elif kind == "negation_conflict":
        if len(cand) == 2:
            g = rng.choice(negs)
            side = rng.choice(["right", "left"])
            tmpl = rng.choice(ASSERT_FOR[g][dialect])
            new = tmpl.format(side=side, Side=side.capitalize())
            imps = [new]
            what = f"impression replaced by '{new}' though the findings negate {g}"
        else:
            _, g, k, named, others = cand
            neg = NEG_IMP_FOR[g][dialect]
            newI = []
            for j, s in enumerate(imps):
                if j == named[0]:
                    newI.append(neg)
                elif j in named:
                    continue
                else:
                    newI.append(s)
            imps = newI
            what = f"impression sentence on {g} replaced by '{neg}' though the findings affirm it"
    elif kind == "impression_omits_finding":
        _, g, k, named, others = cand
        keep = [
            imps[j]
            for j in others
            if not NORMAL_IMP_RX.search(imps[j].lower())
            and not re.search(r"recommend|follow|correlat|consider|suggest|comparison|^\W*$", imps[j].lower())
            and not PRONOUN_START.search(imps[j])
        ]
        # kept sentences must not mention the omitted finding in any way
        keep = [s for s in keep if g not in analyze(s)]
        if sub % 2 == 1 and not keep:
            ben = [s for s in finds if BENIGN_F.search(s.lower()) and not any(x in analyze(s) for x in ABNORMAL)]
            if not ben:
                # another affirmed, lesser finding of the findings (never a normal or negative statement)
                ben = [
                    s
                    for j, s in enumerate(finds)
                    if j != k
                    and g not in analyze(s)
                    and not significant_sentence(s)
                    and not PRE_NEG.search(s.lower())
                    and not POST_NEG.search(s.lower())
                    and not re.search(
                        r"normal|unremarkable|intact|clear|obtained|consists|views?\b|xxxx xxxx", s.lower()
                    )
                    and not PRONOUN_START.search(s)
                    and not any(d["neg"] for d in analyze(s).values())
                ]
            if ben:
                keep = ben[:2]
        if sub % 2 == 1 and keep:
            imps = keep
            what = f"impression keeps only other findings, leaving out '{finds[k]}'"
        else:
            imps = [rng.choice(NORMAL_IMP[dialect])]
            what = f"impression replaced by '{imps[0]}', leaving out '{finds[k]}'"
    elif kind == "placeholder":
        pass
    text = iu_layout(rng, r, finds, imps, changes, missing=missing)
    if kind == "placeholder":
        text, ph = put_placeholder(rng, text)
        what = f"placeholder {ph}"
    return text, f"IU {uid}: {what}; " + ", ".join(changes)


# ---------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------

_POOL_CACHE: dict[str, dict] = {}


def get_candidates() -> dict:
    key = str(shared_dir().resolve())
    if key not in _POOL_CACHE:
        _POOL_CACHE[key] = iu_candidates(prepare_iu(shared_dir()))
    return _POOL_CACHE[key]


CLEAN_BLOCKLIST: set = set()


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h160-{seed}")
    cands = get_candidates()
    used: set = set()

    def take(lst, n, key=lambda c: c if isinstance(c, dict) else c[0]):
        lst = list(lst)
        rng.shuffle(lst)
        out = []
        for c in lst:
            u = key(c)["uid"]
            if u in used or u in CLEAN_BLOCKLIST:
                continue
            used.add(u)
            out.append(c)
            if len(out) == n:
                break
        if len(out) < n:
            raise RuntimeError("not enough IU candidates")
        return out

    rows: list[tuple[str | None, str, str]] = []
    half = N_PER_KIND // 2
    # IU-based, rarest pools first
    omit = take(cands["omit"], half)
    neg_b = take(cands["neg_b"], half // 2)
    lat = take(cands["lat"], half)
    neg_a = take(cands["neg_a"], half - half // 2)
    for n, c in enumerate(omit):
        rows.append(("impression_omits_finding",) + iu_case(rng, "impression_omits_finding", c, n))
    for c in neg_a + neg_b:
        rows.append(("negation_conflict",) + iu_case(rng, "negation_conflict", c, 0))
    for c in lat:
        rows.append(("laterality_conflict",) + iu_case(rng, "laterality_conflict", c, 0))
    for kind in ("missing_section", "placeholder"):
        for c in take(cands["clean"], half):
            rows.append((kind,) + iu_case(rng, kind, c, 0))
    for c in take(cands["clean"], N_CLEAN // 2):
        rows.append((None,) + iu_case(rng, None, c, 0))
    # composed
    for kind in KINDS:
        offset = rng.randrange(100)
        for n in range(half):
            rows.append((kind,) + compose_case(rng, kind, n + offset))
    for n in range(N_CLEAN // 2):
        rows.append((None,) + compose_case(rng, None, n))
    rng.shuffle(rows)
    return [
        {"id": f"h160-{seed}-{k}", "injected": kind, "detail": detail, "report": report}
        for k, (kind, report, detail) in enumerate(rows)
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {r['id']}  injected={kind}\n--- {r['detail']}\n{r['report']}\n", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
