"""Held-out report-check set no. 16: subspecialty chest practice (written blind).

This generator was written without looking at the report checker, its tests, its docs or any other
held-out generator; only the scorer's format, the IU archive and the dev set's ``uid`` field were read.

Styles (themes): reports from subspecialty chest practice with dense vocabulary and many findings.

* thoracic oncology surveillance (known lung cancer or metastases, post-lobectomy / pneumonectomy
  chests, radiation fibrosis, lymphangitic spread, PleurX catheters, talc pleurodesis, ports, nodules
  with sizes and counts), often with a "Response assessment" line and a recommendation after the
  impression;
* cardiothoracic surgery / CTICU and cardiology device clinic (sternotomy wires, valve prostheses,
  CABG clips, LVAD, pacemaker / ICD leads, drains, expected post-operative basal atelectasis and small
  effusions), with "Lines and tubes" style findings and grouped impressions
  ("Post-surgical changes. Otherwise no acute process.");
* interstitial lung disease / airways clinic (fibrotic ILD, emphysema, bronchiectasis, sarcoidosis),
  findings by compartment, impressions ranked by importance;
* TB and occupational-lung clinic (cavitation, upper-lobe scarring, calcified granulomas, asbestos
  pleural plaques, silicosis).

Half of every group (clean and each kind) is composed from the phrase bank below (5-12 findings per
report, several chronic or expected); the other half are real IU (Open-i) reports, excluding the dev
set's uids, re-laid-out in the same clinic layouts with light re-wording (Open-i's ``XXXX`` mask is kept).
Composed reports may carry MIMIC-style ``___`` identifier masks (never ``XXXX``), which are not errors.

usage: python -m bench.make_heldout16 OUT.jsonl --seed S [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
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
OPP = {"right": "left", "left": "right", "Right": "Left", "Left": "Right", "RIGHT": "LEFT", "LEFT": "RIGHT"}
SIDE_RE = re.compile(r"\b(right|left|Right|Left|RIGHT|LEFT)\b")
PLACEHOLDER_RE = re.compile(
    r"\[(?:LEFT/RIGHT|RIGHT/LEFT|[Ss]ide|\*\*\*|size|mild/moderate/severe|small/moderate/large|finding|"
    r"lobe|level|\s)\]|<insert[^>]*>|<<[a-z ]+>>|\bXX (?:mm|cm)\b|___ ?(?:mm|cm)\b|\*\*\*|\{[a-z_]+\}"
)


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


# ---------------------------------------------------------------------------------------------
# phrase bank: {S}/{s} = side capitalised / lower case; every item knows its side so it can be flipped
# ---------------------------------------------------------------------------------------------

def fmt(tpl: str, side: str | None) -> str:
    if side is None:
        return tpl
    return tpl.replace("{S}", side.capitalize()).replace("{s}", side)


# chronic / expected items: (key, group, exclusive-category, sided, lat_ok, [(findings tpl, impression tpl|None)])
CHRONIC = [
    ("sternotomy", "dev", "sternotomy", False, False, [
        ("Median sternotomy wires are intact and aligned.", "Post-sternotomy changes."),
        ("Intact median sternotomy wires; no sternal wire fracture or displacement.", "Stable median sternotomy."),
        ("Sternal cerclage wires intact.", None)]),
    ("cabg", "dev", "cabg", False, False, [
        ("Surgical clips along the course of the bypass grafts from prior CABG.", "Prior CABG."),
        ("Vascular clips from left internal mammary artery harvest.", None)]),
    ("valve", "dev", "valve", False, False, [
        ("Prosthetic aortic valve in expected position.", "Aortic valve replacement."),
        ("Mechanical mitral valve prosthesis and tricuspid annuloplasty ring in situ.", None),
        ("TAVI prosthesis projects over the aortic root, unchanged in position.", None)]),
    ("pacer", "dev", "cied", True, False, [
        ("{S} chest wall dual-chamber pacemaker with leads in the right atrium and right ventricle, "
         "positions unchanged.", None),
        ("{S} subclavian single-chamber ICD, lead tip projecting over the RV apex; lead continuous.",
         "Stable ICD lead position."),
        ("{S} pectoral biventricular device (CRT-D); RA, RV and coronary sinus leads in stable position.",
         "CRT-D leads unchanged.")]),
    ("lvad", "dev", "lvad", False, False, [
        ("LVAD in situ, inflow cannula projecting over the cardiac apex; outflow graft and driveline "
         "unchanged.", "LVAD in situ.")]),
    ("port", "dev", "port", True, False, [
        ("{S} chest wall port-a-cath, catheter tip at the cavoatrial junction.", None),
        ("{S}-sided Port-a-Cath with tip in the lower SVC.", "Port-a-cath tip in the SVC."),
        ("Tunnelled {s} internal jugular port, tip in the right atrium near the cavoatrial junction.", None)]),
    ("cvc", "dev", "cvc", True, False, [
        ("{S} internal jugular central venous catheter, tip in the mid SVC.", None),
        ("{S} IJ introducer sheath with PA catheter, tip in the {s} main pulmonary artery.",
         "Swan-Ganz catheter in satisfactory position.")]),
    ("drains", "dev", "drains", False, False, [
        ("Mediastinal drains and temporary epicardial pacing wires in place.", None),
        ("Two mediastinal drains and a left pleural drain, unchanged in position.", "Drains in situ.")]),
    ("axclips", "bone", "axclips", True, False, [
        ("Surgical clips in the {s} axilla.", None),
        ("{S} mastectomy with axillary clips.", None)]),
    ("pleurx", "pleura", "effusion", True, True, [
        ("Tunnelled pleural catheter (PleurX) in the {s} lower hemithorax, pigtail coiled at the base; "
         "residual small {s} pleural effusion.", "{S} PleurX catheter in situ with small residual effusion."),
        ("Indwelling {s} pleural catheter in unchanged position with only a trace of {s} pleural fluid.",
         "{S} indwelling pleural catheter, effusion well controlled.")]),
    ("talc", "pleura", "talc", True, True, [
        ("Dense pleural thickening and high-density material along the {s} lateral chest wall, in keeping "
         "with prior talc pleurodesis.", "{S} talc pleurodesis."),
        ("{S} pleural thickening with hyperdense talc deposits at the {s} base, unchanged.",
         "Stable {s} talc pleurodesis.")]),
    ("lobectomy", "lung", "surgery", True, True, [
        ("Post-surgical volume loss in the {s} hemithorax after {s} upper lobectomy, with elevation of the "
         "{s} hemidiaphragm and a staple line at the {s} hilum.", "Stable changes of {s} upper lobectomy."),
        ("Status post {s} lower lobectomy: {s} hemithorax volume loss, suture line at the {s} hilum, "
         "{s} costophrenic angle blunted by pleural thickening.", "Expected appearance after {s} lower lobectomy.")]),
    ("pneumonectomy", "lung", "surgery", True, True, [
        ("Status post {s} pneumonectomy: the {s} hemithorax is completely opacified with ipsilateral "
         "mediastinal shift, as expected and unchanged.", "Expected appearance after {s} pneumonectomy."),
        ("Post-pneumonectomy space on the {s} is fully opacified; trachea and heart shifted to the {s}, "
         "stable.", "Stable {s} post-pneumonectomy space.")]),
    ("radfib", "lung", "radfib", True, True, [
        ("Paramediastinal fibrotic opacity in the {s} upper zone with traction bronchiectasis and hilar "
         "retraction, in keeping with radiation fibrosis, stable.", "Stable {s} paramediastinal radiation fibrosis."),
        ("Straight-edged band of fibrosis in the {s} perihilar region conforming to the radiation portal, "
         "unchanged.", "Post-radiation fibrosis {s} perihilar region.")]),
    ("granuloma", "lung", "granuloma", True, False, [
        ("Calcified granulomas in the {s} upper lobe and {s} hilum.", None),
        ("A few calcified granulomata at the {s} lung base.", "Sequelae of prior granulomatous infection.")]),
    ("tbscar", "lung", "tbscar", False, False, [
        ("Bilateral apical pleuroparenchymal scarring with upper lobe volume loss and elevation of both "
         "hila, compatible with old treated TB, unchanged.", "Stable sequelae of old TB."),
        ("Fibrocalcific change in both upper zones with hilar retraction, unchanged.",
         "Old fibrocalcific upper lobe disease, stable.")]),
    ("plaques", "pleura", "plaques", False, False, [
        ("Calcified pleural plaques along both hemidiaphragms and the lateral chest walls, consistent with "
         "prior asbestos exposure.", "Asbestos-related pleural plaques."),
        ("Bilateral holly-leaf calcified pleural plaques, unchanged.", "Stable calcified pleural plaques.")]),
    ("emphysema", "lung", "airways", False, False, [
        ("Hyperinflated lungs with flattened hemidiaphragms and widened retrosternal airspace, consistent "
         "with emphysema.", "Emphysema."),
        ("Hyperexpanded lungs with attenuated upper-zone vasculature and a bulla at the apex, in keeping "
         "with COPD.", "COPD with bullous change.")]),
    ("bronchiectasis", "lung", "airways2", False, False, [
        ("Tram-track and ring shadows at both lung bases consistent with bronchiectasis, unchanged.",
         "Known bronchiectasis, stable."),
        ("Bronchial wall thickening and cylindrical bronchiectasis in the lower zones.", None)]),
    ("ild", "lung", "interstitial", False, False, [
        ("Bilateral basal-predominant peripheral reticular opacities with reduced lung volumes, compatible "
         "with known fibrotic interstitial lung disease, not significantly changed.",
         "Fibrotic ILD, no significant change."),
        ("Coarse reticulation at both bases with honeycombing in the subpleural lower zones, stable.",
         "Stable UIP-pattern fibrosis.")]),
    ("sarcoid", "cardiac", "hilar", False, False, [
        ("Bilateral hilar and right paratracheal lymphadenopathy, stable since the prior examination.",
         "Stable bilateral hilar adenopathy, in keeping with sarcoidosis."),
        ("Lobulated hila with perihilar reticulonodular change, unchanged; known sarcoidosis.",
         "Stage II sarcoidosis, unchanged.")]),
    ("silicosis", "lung", "nodule", False, False, [
        ("Multiple small upper-zone nodules with eggshell calcification of the hilar nodes, consistent with "
         "silicosis, unchanged.", "Simple silicosis, stable.")]),
    ("cardiomegaly", "cardiac", "heart", False, False, [
        ("Mild cardiomegaly, stable.", None),
        ("Cardiac silhouette mildly enlarged, unchanged from prior.", "Stable mild cardiomegaly."),
        ("Borderline heart size.", None)]),
    ("aorta", "cardiac", "aorta", False, False, [
        ("Atherosclerotic calcification of the aortic knob.", None),
        ("Unfolded, calcified thoracic aorta.", None)]),
    ("spine", "bone", "spine", False, False, [
        ("Degenerative changes of the thoracic spine.", None),
        ("Multilevel thoracic spondylosis.", None)]),
    ("ribs", "bone", "ribs", True, False, [
        ("Old healed fractures of the {s} lateral ribs.", None),
        ("Surgical defect of the {s} fifth rib from thoracotomy.", None)]),
    ("postop_atel", "lung", "atelectasis", True, False, [
        ("Linear atelectasis at the {s} lung base, as expected post-operatively.", None),
        ("Plate-like atelectasis in the {s} lower zone.", "Basal plate atelectasis.")]),
    ("small_eff", "pleura", "effusion", True, True, [
        ("Small {s} pleural effusion with blunting of the {s} costophrenic angle.", "Small {s} pleural effusion."),
        ("Trace {s} pleural effusion.", None),
        ("Small {s} effusion, unchanged.", "Small {s} pleural effusion, unchanged.")]),
    ("small_nod", "lung", "nodule", True, False, [
        ("A 4 mm nodule in the {s} mid zone is unchanged.", None),
        ("Stable 3 mm {s} upper zone nodule.", None)]),
    ("hernia", "cardiac", "hernia", False, False, [
        ("Small hiatus hernia behind the heart.", None)]),
]

# significant items: must be in the impression of a clean report
# (key, group, category, sided, new_or_increasing, [(findings tpl, impression tpl)], omission terms)
SIGNIF = [
    ("ptx", "pleura", "ptx", True, True, [
        ("New small {s} apical pneumothorax, pleural edge 1.5 cm from the apex.", "New small {s} apical pneumothorax."),
        ("{S} pneumothorax measuring 2 cm at the level of the hilum, increased from a sliver previously.",
         "Enlarging {s} pneumothorax."),
        ("Shallow {s} basal pneumothorax, new.", "New small {s} basal pneumothorax.")],
        ("pneumothora", "ptx", "pleural air", "pleural gas")),
    ("eff", "pleura", "effusion", True, True, [
        ("Moderate {s} pleural effusion, increased since the prior study.",
         "Increasing moderate {s} pleural effusion."),
        ("Large {s} pleural effusion, new since the prior study, with compressive atelectasis of the {s} lower lobe.",
         "New large {s} pleural effusion."),
        ("{S} pleural effusion has reaccumulated and now occupies the lower third of the {s} hemithorax.",
         "Reaccumulated moderate {s} pleural effusion.")],
        ("effusion", "pleural fluid", "hydrothorax", "fluid")),
    ("consol", "lung", "consolidation", True, True, [
        ("New airspace consolidation in the {s} lower lobe with air bronchograms.",
         "{S} lower lobe consolidation, likely pneumonia."),
        ("Patchy consolidation in the {s} upper zone, new since the prior study.",
         "New {s} upper zone consolidation; infection favoured.")],
        ("consolidat", "airspace", "air-space", "air space", "pneumonia", "infiltrat", "infect", "opacit")),
    ("edema", "lung", "edema", False, True, [
        ("Upper lobe venous diversion, Kerley B lines and peribronchial cuffing, in keeping with interstitial "
         "pulmonary edema, new since the prior study.", "Interstitial pulmonary edema."),
        ("Increased perihilar haziness and vascular indistinctness compared with the prior, consistent with "
         "worsening pulmonary venous congestion.", "Worsening pulmonary venous congestion.")],
        ("edema", "oedema", "congest", "fluid overload", "failure", "kerley", "venous")),
    ("collapse", "lung", "atelectasis", True, True, [
        ("Complete collapse of the {s} lower lobe, new, with a retrocardiac triangular opacity and loss of the "
         "medial {s} hemidiaphragm contour.", "New {s} lower lobe collapse."),
        ("New {s} upper lobe collapse with elevation of the {s} hilum and tracheal deviation to the {s}.",
         "{S} upper lobe collapse, new; ?endobronchial obstruction.")],
        ("collapse", "atelecta", "lower lobe", "upper lobe", "volume loss")),
    ("nodule", "lung", "nodule", True, True, [
        ("New 14 mm nodule in the {s} mid zone.", "New 14 mm {s} mid zone nodule, suspicious for metastasis."),
        ("At least three new pulmonary nodules in the {s} lung, the largest 11 mm at the {s} base.",
         "New {s} pulmonary nodules, the largest 11 mm; metastases likely."),
        ("Innumerable bilateral pulmonary nodules up to 1.2 cm, increased in number and size since the prior "
         "study.", "Progression of bilateral pulmonary metastases.")],
        ("nodul", "mass", "lesion", "metasta", "neoplas", "malignan", "progress")),
    ("mass", "lung", "mass", True, True, [
        ("The {s} hilar mass has increased, now measuring 4.2 cm (previously 3.1 cm).",
         "Enlarging {s} hilar mass, in keeping with disease progression."),
        ("Enlarging mass in the {s} upper zone, now 5.0 x 3.8 cm.", "Enlarging {s} upper zone mass.")],
        ("mass", "hilar", "tumo", "neoplas", "progress", "malignan", "lesion")),
    ("lymphangitic", "lung", "interstitial", False, True, [
        ("Increasing bilateral reticulonodular opacities with septal lines, compatible with progressive "
         "lymphangitic carcinomatosis.", "Progressive lymphangitic carcinomatosis.")],
        ("lymphangit", "carcinomatosis", "septal", "reticul", "interstitial", "progress")),
    ("widemed", "cardiac", "mediastinum", False, True, [
        ("The superior mediastinum is widened, measuring 9.5 cm (previously 7.0 cm).",
         "Interval mediastinal widening; ?haematoma, recommend CT."),
        ("Mediastinal width has increased since the immediate post-operative film.",
         "Increasing mediastinal width.")],
        ("mediastin", "haematoma", "hematoma", "widen")),
    ("pericardial", "cardiac", "heart", False, True, [
        ("Interval enlargement of the cardiac silhouette with a globular configuration, raising concern for "
         "pericardial effusion.", "New globular cardiomegaly; pericardial effusion should be excluded."),
        ("Cardiac silhouette enlarged since the prior study, globular in shape.",
         "Increasing cardiac silhouette, ?pericardial effusion.")],
        ("pericard", "cardiac silhouette", "cardiomegaly", "heart", "tamponade", "cardiac enlarge")),
    ("cavity", "lung", "cavity", True, True, [
        ("New thick-walled cavity in the {s} upper lobe measuring 3 cm, with an air-fluid level.",
         "New {s} upper lobe cavity; reactivation TB or abscess."),
        ("New cavitating lesion at the {s} apex.", "New {s} apical cavitation; active TB to be excluded.")],
        ("cavit", "abscess", "reactivation", "active tb", "air-fluid")),
    ("freeair", "bone", "freeair", True, True, [
        ("Free gas beneath the {s} hemidiaphragm.", "Free subdiaphragmatic gas."),
        ("Crescent of free air under the {s} hemidiaphragm, new.", "New pneumoperitoneum.")],
        ("free air", "free gas", "pneumoperitoneum", "subdiaphragmatic", "perforat")),
    ("stablemets", "lung", "nodule", True, False, [
        ("Known pulmonary metastases, the largest 9 mm in the {s} lower zone, unchanged in size and number.",
         "Stable pulmonary metastases (largest 9 mm, {s} lower zone).")],
        ("nodul", "metasta", "lesion")),
]

NEGATIVES = {  # category -> (findings negative sentence options, negation-conflict impression affirmation)
    "ptx": (["No pneumothorax.", "No pneumothorax is seen."], ["Small {s} apical pneumothorax.",
                                                               "Shallow {s} pneumothorax."]),
    "effusion": (["No pleural effusion.", "Costophrenic angles are sharp; no effusion."],
                 ["Small bilateral pleural effusions.", "Moderate {s} pleural effusion."]),
    "edema": (["No pulmonary edema.", "Pulmonary vascularity is normal."],
              ["Mild interstitial pulmonary edema.", "Pulmonary venous congestion."]),
    "consolidation": (["No focal consolidation.", "No new airspace opacity."],
                      ["{S} basal consolidation.", "Patchy {s} lower lobe airspace disease."]),
    "heart": (["Heart size is normal.", "Cardiac size within normal limits."],
              ["Cardiomegaly.", "Moderate cardiomegaly."]),
    "mediastinum": (["Mediastinal contours are normal.", "Mediastinum is not widened."],
                    ["Widened mediastinum.", "Mediastinal widening."]),
}
# negation of a present item, as a slipped normal macro in the impression
NEG_MACRO = {
    "ptx": ["No pneumothorax.", "No pneumothorax post procedure."],
    "effusion": ["No pleural effusion.", "No effusion."],
    "consolidation": ["No consolidation.", "No focal airspace disease."],
    "edema": ["No pulmonary edema.", "No evidence of cardiac failure."],
    "atelectasis": ["No lobar collapse.", "No collapse."],
    "heart": ["Normal heart size.", "Heart size is normal."],
    "mediastinum": ["Normal mediastinal contours.", "Mediastinum not widened."],
    "nodule": ["No pulmonary nodules.", "No suspicious pulmonary nodule."],
    "mass": ["No mass lesion.", "No suspicious mass."],
    "cavity": ["No cavitation.", "No cavitating lesion."],
}

CLINIC = {
    "onc": {
        "title": ["THORACIC ONCOLOGY SURVEILLANCE - CHEST RADIOGRAPH PA/LAT", "CHEST X-RAY (ONCOLOGY FOLLOW-UP)",
                  "XR CHEST 2 VIEWS - Cancer Centre restaging"],
        "hist": ["Stage IIIA adenocarcinoma of the {s} upper lobe, post chemoradiation, on durvalumab. Restaging.",
                 "Metastatic colorectal carcinoma to lung, on FOLFIRI. Interval assessment.",
                 "NSCLC, status post {s} lobectomy, surveillance. New cough.",
                 "Malignant {s} pleural effusion with indwelling pleural catheter; breathlessness.",
                 "Mesothelioma, post talc pleurodesis; routine follow-up.",
                 "Breast cancer with lung metastases; new dyspnoea on ___ (per referral)."],
        "chronic": ["port", "lobectomy", "pneumonectomy", "radfib", "pleurx", "talc", "axclips", "granuloma",
                    "small_nod", "emphysema", "aorta", "spine", "ribs", "small_eff", "cardiomegaly"],
        "sig": ["nodule", "mass", "lymphangitic", "eff", "ptx", "consol", "collapse", "stablemets"],
    },
    "cts": {
        "title": ["CXR PORTABLE AP - CTICU", "CARDIAC SURGERY - CHEST RADIOGRAPH (POD {pod})",
                  "CHEST AP SUPINE - CARDIOTHORACIC WARD"],
        "hist": ["POD {pod} after CABG x3 and AVR. Drains in situ.", "POD {pod} after mitral valve replacement.",
                 "LVAD implant, routine post-operative film.", "Post CABG, increasing oxygen requirement.",
                 "Post Bentall procedure; drains removed today.",
                 "___-year-old man, POD {pod} after CABG; hypotension."],
        "chronic": ["sternotomy", "cabg", "valve", "lvad", "drains", "cvc", "pacer", "postop_atel", "small_eff",
                    "cardiomegaly", "aorta", "spine", "emphysema", "hernia"],
        "sig": ["ptx", "eff", "widemed", "pericardial", "edema", "collapse", "consol", "freeair"],
    },
    "cardio": {
        "title": ["CHEST X-RAY - HEART FAILURE / DEVICE CLINIC", "CXR PA/LAT - Cardiology outpatient",
                  "CHEST 2V (post device implant check)"],
        "hist": ["ICD generator change yesterday; lead check.",
                 "Heart failure clinic review, increasing breathlessness.",
                 "CRT-D upgrade; exclude pneumothorax.", "Prior CABG and AVR, ankle swelling.",
                 "LVAD destination therapy; routine review."],
        "chronic": ["pacer", "sternotomy", "cabg", "valve", "lvad", "cardiomegaly", "aorta", "spine", "small_eff",
                    "emphysema", "hernia", "granuloma"],
        "sig": ["edema", "eff", "ptx", "pericardial", "consol"],
    },
    "ild": {
        "title": ["CHEST RADIOGRAPH - INTERSTITIAL LUNG DISEASE CLINIC", "PA AND LATERAL CHEST (RESPIRATORY CLINIC)",
                  "CXR - Airways / ILD service"],
        "hist": ["IPF on nintedanib, worsening dyspnoea.", "Sarcoidosis, routine review.",
                 "Bronchiectasis with exacerbation, purulent sputum.",
                 "COPD GOLD 3, fever and increased breathlessness.",
                 "Rheumatoid-associated ILD, new hypoxia.", "Systemic sclerosis ILD; annual imaging."],
        "chronic": ["ild", "emphysema", "bronchiectasis", "sarcoid", "granuloma", "cardiomegaly", "aorta", "spine",
                    "small_nod", "port", "hernia"],
        "sig": ["consol", "ptx", "edema", "nodule", "eff", "collapse", "mass"],
    },
    "tbocc": {
        "title": ["CHEST RADIOGRAPH - TB / OCCUPATIONAL LUNG CLINIC", "PA CHEST (Occupational health review)",
                  "CXR PA - Chest clinic (TB follow-up)"],
        "hist": ["Treated pulmonary TB 2009; new haemoptysis.",
                 "Former shipyard worker, asbestos exposure; surveillance.",
                 "Quarry worker, 30 years silica exposure; annual review.", "TB contact; prior TB, weight loss.",
                 "Asbestosis claim review; breathlessness."],
        "chronic": ["tbscar", "granuloma", "plaques", "silicosis", "emphysema", "cardiomegaly", "aorta", "spine",
                    "ribs", "talc", "small_nod"],
        "sig": ["cavity", "consol", "mass", "nodule", "eff", "ptx", "collapse"],
    },
}

COMPARISONS = ["Comparison: multiple priors, most recent 3 months ago; CT chest 6 weeks ago.",
               "Comparison: ___ (prior PA/lateral).", "Prior: CXR 4 months ago, CT 2 months ago.",
               "Comparison: prior study one year ago.",
               "Comparison: CT chest and radiograph from the last clinic visit."]
COMPARISONS_INPT = ["Comparison: radiograph of the previous day.", "Compared with the immediate post-operative film.",
                    "Comparison: pre-operative PA chest and yesterday's portable film.",
                    "Comparison: ___ at 06:10."]
TECHNIQUE = ["Technique: PA and lateral.", "Technique: AP portable, semi-erect.", "Views: PA and left lateral.",
             "Single AP supine view.", ""]
NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute intrathoracic abnormality.",
              "No acute process.", "No acute cardiopulmonary abnormality identified."]
GROUP_IMP = {"onc": ["Stable post-treatment changes. No acute process.",
                     "Stable post-treatment appearances; no evidence of disease progression on radiograph."],
             "cts": ["Post-surgical changes. Otherwise no acute process.",
                     "Expected post-operative appearance. Otherwise no acute process."],
             "cardio": ["Stable device position. Otherwise no acute process.",
                        "Chronic changes as described. No acute cardiopulmonary process."],
             "ild": ["Chronic lung disease, unchanged. No acute superimposed process.",
                     "Stable chronic changes. No acute process."],
             "tbocc": ["Chronic changes as above, stable. No acute process.",
                       "Stable chronic appearances. No radiographic evidence of active disease."]}
RECS = ["Recommendation: continue routine surveillance.", "Recommendation: correlate with CT at next restaging.",
        "Findings discussed with Dr. ___ by telephone at ___.", "Report verified by: ___, MD.",
        "Electronically signed: Dr ___ (Consultant Thoracic Radiologist).", ""]


def rnd_side(rng):
    return rng.choice(["right", "left"])


def mk_item(spec, rng, side, sig):
    if sig:
        key, group, cat, sided, new, variants, terms = spec
    else:
        key, group, cat, sided, lat, variants = spec
        new, terms = False, ()
    ftpl, itpl = rng.choice(variants)
    return {"key": key, "group": group, "cat": cat, "side": side if sided else None, "ftpl": ftpl, "itpl": itpl,
            "sig": sig, "new": new, "terms": terms,
            "lat_ok": (sided and (sig or spec[4])) and "{" in ftpl and itpl is not None and "{" in itpl}


HIST_REQ = [(r"talc", "talc"), (r"indwelling", "pleurx"), (r"lobectomy", "lobectomy"), (r"LVAD", "lvad"),
            (r"ICD|CRT-D", "pacer"), (r"AVR|valve|Bentall", "valve"), (r"CABG", "cabg"), (r"POD|Post |Prior CABG",
                                                                                   "sternotomy"),
            (r"IPF|ILD", "ild"), (r"Sarcoid", "sarcoid"), (r"Bronchiectasis", "bronchiectasis"),
            (r"COPD", "emphysema"), (r"TB", "tbscar"), (r"asbestos|Asbestosis", "plaques"), (r"silica", "silicosis"),
            (r"metastases|to lung", "stablemets_or_nodule")]


ONC_SIDE = {"lobectomy", "pneumonectomy", "pleurx", "talc", "radfib"}
ILD_PRIMARY = {"ild", "bronchiectasis", "sarcoid", "silicosis"}


def compose_case(rng, clinic_key, need):
    """Build a structured composed report. need: set of requirements (e.g. 'sig', 'nosig', 'lat', 'neg')."""
    clinic = CLINIC[clinic_key]
    cmap = {c[0]: c for c in CHRONIC}
    smap = {s[0]: s for s in SIGNIF}
    items, cats = [], set()
    surg_side = None
    hist = rng.choice(clinic["hist"])
    hist_side = rnd_side(rng)
    req = [k for pat, k in HIST_REQ if re.search(pat, hist) and k in cmap]
    if "lvad" in req:
        req = [k for k in req if k not in ("cabg", "valve")]
    chronic_keys = [k for k in clinic["chronic"] if k not in req]
    rng.shuffle(chronic_keys)
    chronic_keys = req + chronic_keys
    n_chronic = rng.randint(4, 8)
    for k in chronic_keys:
        if len([i for i in items if not i["sig"]]) >= n_chronic:
            break
        spec = cmap[k]
        if spec[2] in cats or (k in ILD_PRIMARY and ILD_PRIMARY & {i["key"] for i in items}):
            continue
        if k == "lvad" and {"cabg", "valve"} & {i["key"] for i in items}:
            continue
        if k in ("cabg", "valve") and "lvad" in {i["key"] for i in items}:
            continue
        side = hist_side if k in ONC_SIDE or k in req else rnd_side(rng)
        if k in ("lobectomy", "pneumonectomy"):
            surg_side = side
        items.append(mk_item(spec, rng, side, False))
        cats.add(spec[2])
    pneumo = any(i["key"] == "pneumonectomy" for i in items)
    if pneumo:  # nothing can live in an empty hemithorax
        items = [i for i in items if i["key"] not in ("radfib", "pleurx", "talc", "small_eff", "postop_atel")]
        cats = {i["cat"] for i in items}
        for i in items:
            if i["side"] and i["group"] in ("lung", "pleura") and i["key"] != "pneumonectomy":
                i["side"] = OPP[surg_side]
    nsig = 0
    if "sig" in need:
        nsig = rng.choice([1, 1, 2])
    elif "nosig" not in need:
        nsig = rng.choice([0, 0, 1, 1, 2])
    sig_keys = clinic["sig"][:]
    rng.shuffle(sig_keys)
    if "lat" in need:  # sided significant item first
        sig_keys.sort(key=lambda k: not smap[k][3])
    added = 0
    for k in sig_keys:
        if added >= nsig:
            break
        spec = smap[k]
        if spec[2] in cats:
            continue
        side = rnd_side(rng)
        if pneumo and spec[3]:
            side = OPP[surg_side]
        if pneumo and k in ("lymphangitic", "edema"):
            continue
        if k == "mass" and "sarcoid" in {i["key"] for i in items}:
            continue
        items.append(mk_item(spec, rng, side, True))
        cats.add(spec[2])
        added += 1
    # negatives for absent categories
    negs = []
    for cat, (opts, _aff) in NEGATIVES.items():
        if cat in cats or (cat == "heart" and ({"lvad", "pneumonectomy"} & {i["key"] for i in items})):
            continue
        if cat == "effusion" and ("talc" in cats or pneumo):
            continue
        if cat == "consolidation" and ({"cavity", "atelectasis"} & cats):
            continue
        if cat == "mediastinum" and ({"sarcoid", "pneumonectomy", "mass"} & {i["key"] for i in items}):
            continue
        opts = [o for o in opts if not ("Costophrenic" in o and any("costophrenic" in i["ftpl"] for i in items))
                and not ("vascularity" in o and any("vasculature" in i["ftpl"] for i in items))]
        if rng.random() < 0.75:
            negs.append({"key": "neg_" + cat, "group": "pleura" if cat in ("ptx", "effusion") else
                         ("cardiac" if cat in ("heart", "mediastinum") else "lung"), "cat": "neg_" + cat,
                         "side": None, "ftpl": rng.choice(opts), "itpl": None, "sig": False, "new": False,
                         "terms": (), "lat_ok": False, "negcat": cat})
    case = {"clinic": clinic_key, "items": items, "negs": negs, "side_hist": hist_side,
            "hist": hist}
    # impression plan: significant first (ranked), then some chronic with impression phrases
    imp = [i for i in items if i["sig"]]
    chronic_imp = [i for i in items if not i["sig"] and i["itpl"]]
    rng.shuffle(chronic_imp)
    k = rng.randint(0, min(3, len(chronic_imp)))
    if "lat" in need and not any(i["lat_ok"] for i in imp):
        latc = [i for i in chronic_imp if i["lat_ok"]]
        if latc:
            chronic_imp.remove(latc[0])
            chronic_imp.insert(0, latc[0])
            k = max(k, 1)
    case["imp_items"] = imp + chronic_imp[:k]
    case["imp_close"] = None
    return case


def item_text(it, where):
    tpl = it["ftpl"] if where == "f" else it["itpl"]
    return fmt(tpl, it["side"])


GROUP_ORDER = ["dev", "lung", "pleura", "cardiac", "bone"]
GROUP_HEAD = {"dev": ["Lines and tubes:", "Devices:", "Support devices:"], "lung": ["Lungs:", "Lung parenchyma:"],
              "pleura": ["Pleura:", "Pleural spaces:"], "cardiac": ["Heart and mediastinum:", "Cardiomediastinal:"],
              "bone": ["Bones and soft tissues:", "Chest wall / upper abdomen:"]}


def render_composed(case, rng):
    """Return (parts dict, text). parts: pre, fhead, fbody, ihead, ibody, post."""
    clinic = CLINIC[case["clinic"]]
    pod = rng.randint(1, 5)
    title = rng.choice(clinic["title"]).replace("{pod}", str(pod))
    hist = fmt(case["hist"], case["side_hist"]).replace("{pod}", str(pod))
    layout = case.setdefault("layout", rng.choice(["para", "compart", "bullets", "lines"]))
    fitems = case["items"] + case["negs"]
    by_group = {g: [i for i in fitems if i["group"] == g] for g in GROUP_ORDER}
    for g in by_group:
        rng.shuffle(by_group[g])
    ordered = [i for g in GROUP_ORDER for i in by_group[g]]
    if layout == "compart":
        lines = []
        for g in GROUP_ORDER:
            if by_group[g]:
                lines.append(rng.choice(GROUP_HEAD[g]) + " " + " ".join(item_text(i, "f") for i in by_group[g]))
        fbody = "\n".join(lines)
    elif layout == "bullets":
        fbody = "\n".join("- " + item_text(i, "f") for i in ordered)
    elif layout == "lines":
        fbody = "\n".join(item_text(i, "f") for i in ordered)
    else:
        dev = " ".join(item_text(i, "f") for i in by_group["dev"])
        rest = " ".join(item_text(i, "f") for g in GROUP_ORDER[1:] for i in by_group[g])
        fbody = (dev + "\n\n" + rest).strip() if dev else rest
    ilist = [item_text(i, "i") for i in case["imp_items"]]
    if case.get("imp_override") is not None:
        ilist = case["imp_override"]
    elif not any(i["sig"] for i in case["imp_items"]):
        closer = rng.choice(GROUP_IMP[case["clinic"]] + NORMAL_IMP)
        if not ilist:
            ilist = [closer]
        else:
            ilist = ilist + [rng.choice(["No acute process.", "Otherwise no acute cardiopulmonary process.",
                                         "No other acute abnormality."])]
    else:
        if rng.random() < 0.4:
            ilist = ilist + [rng.choice(["Other chronic findings unchanged.", "Remaining findings stable.",
                                         "Otherwise stable appearances."])]
    istyle = case.setdefault("istyle", rng.choice(["num", "num", "prose", "dash"]))
    if len(ilist) == 1 or istyle == "prose":
        ibody = " ".join(ilist)
    elif istyle == "dash":
        ibody = "\n".join("- " + x for x in ilist)
    else:
        ibody = "\n".join(f"{n}. {x}" for n, x in enumerate(ilist, 1))
    if case.get("ibody_override") is not None:
        ibody = case["ibody_override"]
    hstyle = case.setdefault("hstyle", rng.randint(0, 3))
    fhead = ["FINDINGS:", "Findings:", "FINDINGS (compared with prior):", "REPORT / FINDINGS:"][hstyle]
    ihead = ["IMPRESSION:", "Impression:", "IMPRESSION (in order of importance):", "SUMMARY IMPRESSION:"][hstyle]
    if case["clinic"] == "onc" and rng.random() < 0.4:
        ihead = "IMPRESSION / RESPONSE ASSESSMENT:"
    inpt = case["clinic"] == "cts" or "yesterday" in hist
    comp = rng.choice(COMPARISONS_INPT if inpt else COMPARISONS)
    tech = rng.choice(TECHNIQUE[1:4:2] if inpt else TECHNIQUE[0:3:2] + [""])
    pre = [title, "Clinical details: " + hist, comp, tech]
    post = [rng.choice([x for x in RECS if case["clinic"] == "onc" or "restaging" not in x])]
    parts = {"pre": "\n".join(x for x in pre if x), "fhead": fhead, "fbody": fbody, "ihead": ihead,
             "ibody": ibody, "post": "\n".join(x for x in post if x)}
    return parts


def join_parts(p):
    out = [p["pre"]]
    if p["fhead"] is not None:
        out.append(p["fhead"] + ("\n" + p["fbody"] if p["fbody"] else ""))
    if p["ihead"] is not None:
        out.append(p["ihead"] + ("\n" + p["ibody"] if p["ibody"] else ""))
    if p["post"]:
        out.append(p["post"])
    return "\n\n".join(x for x in out if x).strip() + "\n"


# ---------------------------------------------------------------------------------------------
# composed injections
# ---------------------------------------------------------------------------------------------

def composed(rng, kind, idx):
    clinic_key = rng.choice(list(CLINIC))
    for _attempt in range(200):
        if kind is None:
            case = compose_case(rng, clinic_key, set())
            parts = render_composed(case, rng)
            return parts, "", case.get("check")
        if kind == "missing_section":
            case = compose_case(rng, clinic_key, set())
            variant = idx % 4
            if variant == 3:  # FINDINGS removed; the impression left is a bare normal macro
                case["imp_items"] = [i for i in case["imp_items"] if False]
                case["items"] = [i for i in case["items"] if not i["sig"]]
                case["imp_override"] = [rng.choice(NORMAL_IMP)]
            parts = render_composed(case, rng)
            if variant == 0:
                parts["ihead"], parts["ibody"] = None, ""
                return parts, "IMPRESSION section removed (header and text)", case.get("check")
            if variant == 1:
                parts["ibody"] = ""
                return parts, "IMPRESSION header left with nothing under it", case.get("check")
            if variant == 2:
                parts["fbody"] = ""
                return parts, "FINDINGS header left empty (findings text deleted)", case.get("check")
            parts["fhead"], parts["fbody"] = None, ""
            return parts, "FINDINGS section removed; impression is a bare normal statement", case.get("check")
        if kind == "laterality_conflict":
            case = compose_case(rng, clinic_key, {"lat", "sig"} if rng.random() < 0.6 else {"lat"})
            cands = [i for i in case["imp_items"] if i["lat_ok"]]
            if not cands:
                continue
            it = rng.choice(cands)
            orig = it["side"]
            where = rng.choice(["f", "i"])
            if where == "f":
                it["ftpl"] = it["ftpl"].replace("{S}", "{X}").replace("{s}", "{x}")
            else:
                it["itpl"] = it["itpl"].replace("{S}", "{X}").replace("{s}", "{x}")
            parts = render_composed(case, rng)
            fl = OPP[orig]
            for k in ("fbody", "ibody"):
                parts[k] = parts[k].replace("{X}", fl.capitalize()).replace("{x}", fl)
            sec = "FINDINGS" if where == "f" else "IMPRESSION"
            other = "IMPRESSION" if where == "f" else "FINDINGS"
            case["check"] = ("lat", where, fmt(it["ftpl" if where == "f" else "itpl"].replace("{X}", "{S}").replace(
                "{x}", "{s}"), fl), fmt(it["itpl" if where == "f" else "ftpl"], orig))
            return parts, f"{it['key']}: side flipped to {fl} in {sec}; {other} keeps {orig}", case.get("check")
        if kind == "negation_conflict":
            variant = rng.choice(["neg_present", "affirm_absent"])
            case = compose_case(rng, clinic_key, {"sig"} if variant == "neg_present" else set())
            if variant == "neg_present":
                cands = [i for i in case["items"] if i["cat"] in NEG_MACRO and (i["sig"] or i["key"] in
                                                                                 ("small_eff", "cardiomegaly"))]
                if not cands:
                    continue
                it = rng.choice(cands)
                macro = rng.choice(NEG_MACRO[it["cat"]])
                if it["key"] == "stablemets" or (it["cat"] == "heart" and it["key"] == "cardiomegaly"
                                                 and "Borderline" in it["ftpl"]):
                    continue
                others = [item_text(x, "i") for x in case["imp_items"] if x is not it]
                pos = rng.randint(0, len(others))
                closer = rng.choice(["", "", "Otherwise no acute process.", "Otherwise stable."])
                case["imp_override"] = others[:pos] + [macro] + others[pos:] + ([closer] if closer else [])
                parts = render_composed(case, rng)
                case["check"] = ("neg", item_text(it, "f"), macro)
                return parts, f"FINDINGS affirm '{item_text(it, 'f')}' but IMPRESSION says '{macro}'", case.get("check")
            negs = [n for n in case["negs"] if n["negcat"] in NEGATIVES]
            if not negs:
                continue
            n = rng.choice(negs)
            aff = fmt(rng.choice(NEGATIVES[n["negcat"]][1]), rnd_side(rng))
            if n["negcat"] == "consolidation" and "pneumonectomy" in {i["key"] for i in case["items"]}:
                continue
            rest = [item_text(x, "i") for x in case["imp_items"]]
            closer = rng.choice(["", "Otherwise no acute process.", "Otherwise stable appearances."])
            case["imp_override"] = [aff] + rest + ([closer] if closer else [])
            parts = render_composed(case, rng)
            case["check"] = ("neg", n["ftpl"], aff)
            return parts, f"FINDINGS state '{n['ftpl']}' but IMPRESSION asserts '{aff}'", case.get("check")
        if kind == "impression_omits_finding":
            normal = idx % 2 == 0
            case = compose_case(rng, clinic_key, {"sig"})
            sigs = [i for i in case["items"] if i["sig"] and i["new"]]
            if not sigs:
                continue
            tgt = rng.choice(sigs)
            if normal and len([i for i in case["items"] if i["sig"]]) > 1:
                continue
            case["imp_items"] = [i for i in case["imp_items"] if i is not tgt]
            if normal:
                case["imp_items"] = []
                case["imp_override"] = [rng.choice(GROUP_IMP[case["clinic"]] + NORMAL_IMP)]
            else:
                if not case["imp_items"]:
                    chron = [i for i in case["items"] if not i["sig"] and i["itpl"]]
                    if not chron:
                        continue
                    case["imp_items"] = chron[:rng.randint(1, min(3, len(chron)))]
                case["imp_override"] = [item_text(i, "i") for i in case["imp_items"]] + [
                    rng.choice(["Otherwise no acute process.", "Remaining appearances stable.",
                                "No other change."])]
            parts = render_composed(case, rng)
            low = parts["ibody"].lower()
            if any(t in low for t in tgt["terms"]):
                continue
            case["check"] = ("omit", item_text(tgt, "f"), tgt["terms"])
            how = "normal/grouped impression" if normal else "impression lists other findings"
            detail = f"significant finding '{item_text(tgt, 'f')}' left out of the IMPRESSION ({how})"
            return parts, detail, case.get("check")
        if kind == "placeholder":
            case = compose_case(rng, clinic_key, set())
            parts = render_composed(case, rng)
            out = place_blank(rng, parts)
            if out:
                return out[0], out[1], None
            continue
    raise RuntimeError(f"could not compose {kind}")


BLANKS = {
    "side": ["[LEFT/RIGHT]", "[side]", "***"],
    "size": ["___ cm", "XX mm", "[size] mm", "*** mm"],
    "grade": ["[mild/moderate/severe]", "[small/moderate/large]", "***"],
    "word": ["[***]", "<insert finding>", "[finding]", "***"],
    "pos": ["[level]", "<<location>>", "***"],
}


def place_blank(rng, parts):
    """Replace one measurement, side, grade, position or finding word with an unfilled template field."""
    opts = []
    for sec in ("fbody", "ibody"):
        txt = parts[sec]
        for m in re.finditer(r"\b\d+(?:\.\d+)? ?(?:mm|cm)\b", txt):
            opts.append((sec, m.span(), "size"))
        for m in SIDE_RE.finditer(txt):
            opts.append((sec, m.span(), "side"))
        for m in re.finditer(r"\b(Mild|mild|Moderate|moderate|Small|small|Large|large|Trace|trace)\b", txt):
            opts.append((sec, m.span(), "grade"))
        for m in re.finditer(r"\b(effusion|pneumothorax|consolidation|nodule|atelectasis|cardiomegaly|"
                             r"emphysema|bronchiectasis|fibrosis|mass|edema)\b", txt):
            start = max(txt.rfind(".", 0, m.start()), txt.rfind("\n", 0, m.start()), txt.rfind(":", 0, m.start()))
            if not NEG_CUE.search(txt[start + 1:m.start()]):
                opts.append((sec, m.span(), "word"))
        for m in re.finditer(r"(cavoatrial junction|mid SVC|lower SVC|RV apex|right atrium)", txt):
            opts.append((sec, m.span(), "pos"))
    if not opts:
        return None
    kind = rng.choice(sorted({o[2] for o in opts}))
    sec, (a, b), kind = rng.choice([o for o in opts if o[2] == kind])
    txt = parts[sec]
    blank = rng.choice(BLANKS[kind])
    if kind == "size":
        unit = "cm" if "cm" in txt[a:b] else "mm"
        blank = blank.replace("cm", unit).replace("mm", unit)
    if kind == "side" and txt[a].isupper() and blank == "[side]":
        blank = "[Side]"
    old = txt[a:b]
    parts[sec] = txt[:a] + blank + txt[b:]
    name = "FINDINGS" if sec == "fbody" else "IMPRESSION"
    return parts, f"{kind} '{old}' in {name} replaced by unfilled field '{blank}'"


# ---------------------------------------------------------------------------------------------
# IU archive
# ---------------------------------------------------------------------------------------------

def load_iu(shared: Path, dev_uids: set[str]):
    path = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    out = []
    with tarfile.open(path) as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            uid = uid_el.get("id") if uid_el is not None else m.name
            if uid in dev_uids:
                continue
            d = {a.get("Label"): re.sub(r"\.(\s*\.)+", ".", " ".join((a.text or "").split()))
                 for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if len(f) < 20 or len(i) < 5:
                continue
            if re.search(r"\[|\*\*\*|___|<", f + i):
                continue
            out.append({"uid": uid, "findings": f, "impression": i, "indication": d.get("INDICATION", ""),
                        "comparison": d.get("COMPARISON", "")})
    return out


def sents(text):
    return [s.strip() for s in re.split(r"(?<=[.])\s+(?=[A-Z0-9(])", text) if s.strip()]


NEG_CUE = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|free of|absent|normal|"
                     r"unremarkable|removed|or)\b", re.I)
SIG_GROUPS = {
    "ptx": r"pneumothora",
    "consolidation": r"consolidat|airspace disease|air space disease|infiltrat|pneumonia",
    "edema": r"edema|congestion|vascular congestion",
    "effusion": r"effusion",
    "mass": r"\bmass\b",
    "nodule": r"nodul",
    "heart": r"cardiomegaly|enlarged heart|heart (?:size )?is enlarged|cardiac enlargement",
    "atelectasis": r"atelecta|collapse",
    "opacity": r"opacit",
}
THEME_RE = re.compile(r"sternotomy|cabg|granulom|emphysema|copd|hyperinfl|pacemaker|pacer|icd|port|catheter|"
                      r"scar|fibros|interstitial|bronchiect|lobectomy|pneumonectomy|nodul|mass|metasta|cancer|"
                      r"calcif|plaque|sarcoid|hilar|atelecta|valve|clips|cardiomegaly|aort|chronic|effusion", re.I)


def affirmed(sent, pat):
    if not re.search(pat, sent, re.I):
        return False
    return not NEG_CUE.search(sent)


def iu_consistent(r):
    """Heuristic filter so that 'clean' real reports are internally consistent."""
    imp = r["impression"].lower()
    for g in ("ptx", "consolidation", "edema", "mass", "nodule", "atelectasis", "effusion", "heart", "opacity"):
        pat = SIG_GROUPS[g]
        if any(affirmed(s, pat) for s in sents(r["findings"])):
            mention = pat
            if g in ("consolidation", "opacity", "atelectasis"):
                mention = SIG_GROUPS["consolidation"] + "|opacit|atelecta|scar|airspace|pneumonia"
            if g == "heart":
                mention = r"cardiomegaly|heart|cardiac"
            if not re.search(mention, imp):
                return False
    if re.search(r"\b(new|increas|worse)", r["findings"], re.I) and not re.search(r"\b(new|increas|worse)", imp):
        return False
    for s in sents(r["impression"]):
        for m in SIDE_RE.finditer(s):
            side = m.group(1).lower()
            for pat in SIG_GROUPS.values():
                if re.search(pat, s, re.I):
                    fs = [x for x in sents(r["findings"]) if re.search(pat, x, re.I) and SIDE_RE.search(x)]
                    if fs and not any(re.search(r"\b" + side + r"\b", x, re.I) for x in fs):
                        return False
    if re.search(r"\b(normal chest|no acute)", imp) and any(
            affirmed(s, SIG_GROUPS["effusion"] + "|pneumothora|consolidat|edema") for s in sents(r["findings"])):
        return False
    return True


REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
    (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process"),
    (r"\bThe heart is normal in size\b", "Heart size is normal"),
    (r"\bThe lungs are clear\b", "Lungs clear"),
    (r"\bThere is no pneumothorax\b", "No pneumothorax"),
    (r"\bThere is no pleural effusion\b", "No pleural effusion"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
    (r"\bstatus post\b", "s/p"),
    (r"\bmediastinum\b", "mediastinal contours"),
    (r"\bThere are\b", "There are"),
]


def reword(text, rng):
    for pat, rep in REWORD:
        if rng.random() < 0.5:
            text = re.sub(pat, rep, text)
    text = re.sub(r"\bmediastinal contours (is|are) within normal limits", "mediastinal contours are normal", text)
    text = re.sub(r"\bmediastinal contours is\b", "mediastinal contours are", text)
    return text


def iu_clinic(r):
    t = (r["findings"] + " " + r["impression"] + " " + r["indication"]).lower()
    if re.search(r"sternotomy|cabg|valve|pacemaker|pacer|icd|cardiomegaly|heart failure", t):
        return "cts" if re.search(r"sternotomy|cabg|valve", t) else "cardio"
    if re.search(r"granulom|tuberc|\btb\b|calcified|plaque|asbest", t):
        return "tbocc"
    if re.search(r"emphysema|copd|hyperinfl|interstitial|fibros|bronchiect|sarcoid", t):
        return "ild"
    return "onc"


IU_TITLES = {"cts": ["CHEST PA/LAT - Cardiothoracic surgery follow-up", "CXR 2 VIEWS (post-CABG clinic)"],
             "cardio": ["CHEST X-RAY - Cardiology outpatient", "CXR PA/LAT - Heart failure service"],
             "tbocc": ["PA CHEST - Chest clinic", "CHEST RADIOGRAPH - TB / OCCUPATIONAL LUNG CLINIC"],
             "ild": ["PA AND LATERAL CHEST (RESPIRATORY CLINIC)", "CXR - Airways / ILD service"],
             "onc": ["CHEST X-RAY (THORACIC ONCOLOGY / NODULE CLINIC)", "XR CHEST 2 VIEWS - Cancer Centre",
                     "CHEST PA/LAT - Pulmonary clinic"]}


def render_iu(r, rng, fsents=None, isents=None, impression_text=None):
    title = rng.choice(IU_TITLES[iu_clinic(r)])
    fs = fsents if fsents is not None else sents(r["findings"])
    layout = rng.choice(["para", "lines", "bullets"])
    if layout == "para":
        fbody = " ".join(fs)
    elif layout == "lines":
        fbody = "\n".join(fs)
    else:
        fbody = "\n".join("- " + s for s in fs)
    if impression_text is None:
        imp = r["impression"]
        items = [x.strip() for x in re.split(r"(?:^|\s)\d\.\s+", imp) if x.strip()]
        if len(items) > 1:
            ibody = "\n".join(f"{n}. {x}" for n, x in enumerate(items, 1))
        else:
            ibody = imp
    else:
        ibody = impression_text
    no_prior = not r["comparison"] or r["comparison"].lower().startswith("none")
    hstyle = rng.choice([0, 1, 3] if no_prior else [0, 1, 2, 3])
    fhead = ["FINDINGS:", "Findings:", "FINDINGS (compared with prior):", "REPORT / FINDINGS:"][hstyle]
    ihead = ["IMPRESSION:", "Impression:", "IMPRESSION (in order of importance):", "SUMMARY IMPRESSION:"][hstyle]
    pre = [title]
    if r["indication"]:
        pre.append("Clinical details: " + r["indication"])
    if r["comparison"]:
        pre.append("Comparison: " + r["comparison"])
    post = rng.choice(["", "", "Report verified by: ___, MD.", "Electronically signed (chest imaging section)."])
    return {"pre": "\n".join(pre), "fhead": fhead, "fbody": fbody, "ihead": ihead, "ibody": ibody, "post": post}


SIG_SENT = {  # inserted new significant findings for real reports
    "ptx": ["New small {s} apical pneumothorax.", "Interval development of a small {s} apical pneumothorax.",
            "New {s} pneumothorax with a 1 cm apical pleural edge."],
    "consolidation": ["New patchy consolidation in the {s} lower lobe.", "New airspace opacity in the {s} lower zone.",
                      "New dense consolidation in the {s} upper lobe with air bronchograms."],
    "effusion": ["New moderate {s} pleural effusion.", "Moderate {s} pleural effusion, increased from prior.",
                 "New large {s} pleural effusion with meniscus to the mid zone."],
    "nodule": ["New 1.5 cm nodule in the {s} upper lobe.", "New 9 mm nodule projecting over the {s} mid zone.",
               "At least three new rounded nodules in the {s} lung, up to 12 mm."],
    "edema": ["New interstitial pulmonary edema with Kerley B lines.",
              "New perihilar haziness and septal lines consistent with interstitial edema."],
    "mass": ["Enlarging {s} hilar mass, now 3.5 cm.", "New lobulated 4 cm mass in the {s} upper zone."],
}
OMIT_TERMS = {
    "ptx": ("pneumothora", "ptx", "pleural air"),
    "consolidation": ("consolidat", "airspace", "air space", "pneumonia", "infiltrat", "infect", "opacit"),
    "effusion": ("effusion", "fluid"),
    "nodule": ("nodul", "mass", "lesion", "metasta", "neoplas"),
    "edema": ("edema", "oedema", "congest", "failure", "kerley"),
    "mass": ("mass", "hilar", "neoplas", "tumo", "lesion"),
}
FIND_TERMS = r"effusion|pneumothora|atelecta|opacit|consolidat|infiltrat|airspace|pneumonia|nodul|mass|granulom|" \
             r"scar|hemidiaphragm|fracture|catheter|port|pacemaker|hilar|upper lobe|lower lobe|middle lobe|base|" \
             r"apex|apical|basilar|lung"


def flip_sides(text):
    return SIDE_RE.sub(lambda mm: OPP[mm.group(1)], text)


MEANING_NEG = {  # findings wording that would contradict an inserted finding inside FINDINGS itself
    "ptx": r"pneumothora",
    "consolidation": r"clear|airspace|air space|consolidat|infiltrat|opacit",
    "effusion": r"costophrenic|effusion",
    "nodule": r"clear|nodul|mass",
    "edema": r"vascular|vasculature|edema|clear",
    "mass": r"hil(ar|um)|mass|clear",
}


def iu_case(rng, kind, idx, pool):
    """Make one real-report case of the given kind; pool is a shuffled list of IU dicts (consumed)."""
    while pool:
        r = dict(pool.pop())
        r["findings"], r["impression"] = reword(r["findings"], rng), reword(r["impression"], rng)
        if kind is None:
            if not iu_consistent(r):
                continue
            return r, render_iu(r, rng), ""
        if kind == "missing_section":
            v = idx % 4
            if v == 3:
                if not re.fullmatch(r"(No acute [a-z ]+|Normal chest[a-z -]*|No active disease|Negative chest[a-z -]*)"
                                    r"\.?", r["impression"], re.I):
                    continue
                p = render_iu(r, rng)
                p["fhead"], p["fbody"] = None, ""
                return r, p, "FINDINGS section removed; impression is a bare normal statement"
            p = render_iu(r, rng)
            if v == 0:
                p["ihead"], p["ibody"] = None, ""
                return r, p, "IMPRESSION section removed"
            if v == 1:
                p["ibody"] = ""
                return r, p, "IMPRESSION header left empty"
            p["fbody"] = ""
            return r, p, "FINDINGS header left empty"
        if kind == "laterality_conflict":
            fs, is_ = sents(r["findings"]), sents(r["impression"])
            pairs = []
            for a, s_i in enumerate(is_):
                sides = {m.group(1).lower() for m in SIDE_RE.finditer(s_i)}
                if len(sides) != 1 or re.match(r"(?i)no\b", s_i):
                    continue
                side = sides.pop()
                ti = set(x.lower() for x in re.findall(FIND_TERMS, s_i, re.I))
                for b, s_f in enumerate(fs):
                    sf = {m.group(1).lower() for m in SIDE_RE.finditer(s_f)}
                    if sf != {side} or re.match(r"(?i)no\b", s_f):
                        continue
                    tf = set(x.lower() for x in re.findall(FIND_TERMS, s_f, re.I))
                    if ti & tf or (re.search(r"lobe|base|apex|apical|basilar|lung", s_i, re.I) and tf):
                        pairs.append((a, b, side, ti | tf))
            if not pairs:
                continue
            a, b, side, terms = rng.choice(pairs)
            fl = OPP[side]
            where = rng.choice(["f", "i"])
            if re.search(r"\bleft\b[^.]{0,20}middle lobe", flip_sides(is_[a] if where == "i" else fs[b]), re.I):
                continue
            other = is_ if where == "f" else fs
            if any(re.search(r"\b" + fl + r"\b", x, re.I) and {t.lower() for t in re.findall(FIND_TERMS, x, re.I)}
                   & terms for x in other):
                continue  # the other section already has the flipped side for that finding: not a clean conflict
            if where == "f":
                # other findings sentences must not also carry the same side for that finding
                fs[b] = flip_sides(fs[b])
            else:
                is_[a] = flip_sides(is_[a])
            imp_text = " ".join(is_)
            items = [x.strip() for x in re.split(r"(?:^|\s)\d\.\s+", imp_text) if x.strip()]
            ibody = "\n".join(f"{n}. {x}" for n, x in enumerate(items, 1)) if len(items) > 1 else imp_text
            p = render_iu(r, rng, fsents=fs, impression_text=ibody)
            sec = "FINDINGS" if where == "f" else "IMPRESSION"
            moved = fs[b] if where == "f" else is_[a]
            r["_check"] = ("lat", moved, fl)
            return r, p, f"side flipped {side}->{fl} in {sec}: '{moved}'"
        if kind == "negation_conflict":
            fs = sents(r["findings"])
            if idx % 2 == 0:  # impression negates something the findings affirm
                cands = []
                for g in ("effusion", "ptx", "consolidation", "heart", "edema", "nodule"):
                    if any(affirmed(s, SIG_GROUPS[g]) and not re.search(r"calcif|granulom|borderline", s, re.I)
                           for s in fs):
                        cands.append(g)
                if not cands:
                    continue
                g = rng.choice(cands)
                macro = rng.choice(NEG_MACRO[g] if g != "nodule" else ["No pulmonary nodules."])
                keep = [s for s in sents(r["impression"]) if not re.search(SIG_GROUPS[g], s, re.I)
                        and not re.search(r"^\d\.?$", s)]
                keep = [re.sub(r"^\d\.\s*", "", s) for s in keep]
                imp = macro + (" " + " ".join(keep) if keep else "")
                p = render_iu(r, rng, impression_text=imp)
                aff = next(s for s in fs if affirmed(s, SIG_GROUPS[g])
                           and not re.search(r"calcif|granulom|borderline", s, re.I))
                r["_check"] = ("neg", aff, macro)
                return r, p, f"FINDINGS affirm '{aff}' but IMPRESSION says '{macro}'"
            # impression affirms something the findings rule out
            cands = []
            for g, pat, aff in (("ptx", r"^(There is )?no (evidence of )?pneumothora",
                                 "Small {s} apical pneumothorax."),
                                ("effusion", r"^(There is )?no (evidence of )?(pleural )?effusion",
                                 "Small {s} pleural effusion."),
                                ("heart", r"^(The )?(heart|cardiac) (size )?(is )?(normal|within normal)",
                                 "Mild cardiomegaly."),
                                ("lungs", r"^(The )?lungs are clear", "{S} lower lobe pneumonia.")):
                hit = [s for s in fs if re.search(pat, s, re.I)]
                if hit and not re.search(SIG_GROUPS.get(g, "pneumonia"), r["impression"], re.I):
                    cands.append((hit[0], fmt(aff, rnd_side(rng))))
            if not cands:
                continue
            neg, aff = rng.choice(cands)
            imp = r["impression"]
            if re.fullmatch(r"(?i)(no acute|normal)[^.]*\.?", imp.strip()):
                imp = aff + " Otherwise no acute process."
            else:
                imp = aff + " " + imp
            p = render_iu(r, rng, impression_text=imp)
            r["_check"] = ("neg", neg, aff)
            return r, p, f"FINDINGS state '{neg}' but IMPRESSION asserts '{aff}'"
        if kind == "impression_omits_finding":
            normal = idx % 2 == 0
            fs = sents(r["findings"])
            imp = r["impression"]
            imp_normal = bool(re.fullmatch(r"(?i)(no acute|normal|negative)[^.]*\.?", imp.strip()))
            if normal != imp_normal and not normal:
                continue
            real = [x for x in fs if affirmed(x, r"pneumothora|consolidat|airspace disease|air space disease|edema|"
                                                 r"\b(moderate|large)\b[^.]*effusion|\bmass\b")
                    and not re.search(r"known|thyroid|breast|chronic|stable|unchanged|prior", x, re.I)]
            if normal and real and rng.random() < 0.5 and iu_consistent(r):
                imp_text = rng.choice(NORMAL_IMP)
                grp = [g for g in ("ptx", "consolidation", "edema", "effusion", "mass")
                       if re.search(SIG_GROUPS[g] + "|airspace|air space", real[0], re.I)]
                terms = tuple(t for g in grp for t in OMIT_TERMS[g])
                if not terms or any(t in imp_text.lower() for t in terms):
                    continue
                p = render_iu(r, rng, impression_text=imp_text)
                r["_check"] = ("omit", real[0], terms)
                return r, p, f"IMPRESSION replaced by a normal macro; FINDINGS state '{real[0]}'"
            # choose a significant group not mentioned anywhere in the report, insert a new finding sentence
            groups = [g for g in SIG_SENT if not re.search("|".join(OMIT_TERMS[g]) + "|" + SIG_GROUPS[g],
                                                           r["findings"] + " " + imp, re.I)
                      and not re.search(MEANING_NEG[g], r["findings"], re.I)]
            if not groups or not iu_consistent(r):
                continue
            g = rng.choice(groups)
            side = rnd_side(rng)
            new = fmt(rng.choice(SIG_SENT[g]), side)
            if not r["comparison"] or r["comparison"].lower().startswith("none"):
                new = re.sub(r", increased from prior|, now 3.5 cm| new", "", new)
                new = re.sub(r"^(New |Interval development of a |Enlarging )(\w)", lambda mm: mm.group(2).upper(), new)
            pos = rng.randint(1, max(1, len(fs) - 1))
            fs2 = fs[:pos] + [new] + fs[pos:]
            imp_text = imp if not normal else (imp if imp_normal else rng.choice(NORMAL_IMP))
            if any(t in imp_text.lower() for t in OMIT_TERMS[g]):
                continue
            p = render_iu(r, rng, fsents=fs2, impression_text=None if imp_text == imp else imp_text)
            r["_check"] = ("omit", new, OMIT_TERMS[g])
            how = "normal impression" if normal else "impression lists other findings"
            return r, p, f"added '{new}' to FINDINGS; IMPRESSION omits it ({how})"
        if kind == "placeholder":
            if not iu_consistent(r):
                continue
            p = render_iu(r, rng)
            out = place_blank(rng, p)
            if out is None:
                continue
            return r, out[0], out[1]
    raise RuntimeError(f"IU pool exhausted for {kind}")


# ---------------------------------------------------------------------------------------------
# verification
# ---------------------------------------------------------------------------------------------

def verify(kind, parts, text, check):
    has_f = parts["fhead"] is not None and parts["fbody"].strip()
    has_i = parts["ihead"] is not None and parts["ibody"].strip()
    if kind is None or kind != "placeholder":
        masked = re.sub(r"(Dr\.? ___|at ___|on ___|___-year-old|___, MD|: ___ \()", "", text)
        assert not PLACEHOLDER_RE.search(masked), text
    if kind is None:
        assert has_f and has_i, text
        return
    if kind == "missing_section":
        assert not (has_f and has_i), text
        if parts["fhead"] is None:
            assert re.fullmatch(r"[A-Za-z ,-]+\.?", parts["ibody"].strip()), parts["ibody"]
        return
    assert has_f and has_i, text
    if kind == "placeholder":
        assert PLACEHOLDER_RE.search(parts["fbody"] + "\n" + parts["ibody"]), text
        return
    if check is None:
        raise AssertionError("no check")
    if check[0] == "lat":
        if len(check) == 4:  # composed
            _, where, flipped, orig = check
            sec, other = ("fbody", "ibody") if where == "f" else ("ibody", "fbody")
            assert flipped in parts[sec], (flipped, text)
            assert orig in parts[other], (orig, text)
            assert SIDE_RE.search(flipped) and SIDE_RE.search(orig)
            assert SIDE_RE.search(flipped).group(1).lower() != SIDE_RE.search(orig).group(1).lower()
        else:
            _, moved, fl = check
            assert moved in text and re.search(r"\b" + fl + r"\b", moved, re.I), text
    elif check[0] == "neg":
        _, fsent, isent = check
        assert fsent in parts["fbody"], (fsent, text)
        assert isent in parts["ibody"], (isent, text)
    elif check[0] == "omit":
        _, fsent, terms = check
        assert fsent in parts["fbody"], (fsent, text)
        low = parts["ibody"].lower()
        assert not any(t in low for t in terms), (terms, text)


# ---------------------------------------------------------------------------------------------

def build(seed: int, shared: Path):
    dev_path = shared / "eval" / "report_errors_dev.jsonl"
    dev_uids = set()
    if dev_path.exists():
        with open(dev_path) as fh:
            for line in fh:
                if line.strip():
                    dev_uids.add(json.loads(line).get("uid"))
    iu = load_iu(shared, dev_uids)
    rng = random.Random(seed * 7919 + 16)
    pool = iu[:]
    rng.shuffle(pool)
    # theme-rich reports first (they are popped from the end)
    pool.sort(key=lambda r: len(THEME_RE.findall(r["findings"] + r["impression"])) + rng.random() * 3)
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for idx in range(n):
            half = idx % 2
            if half == 0:
                case_rng = random.Random(f"{seed}-{kind}-{idx}-c")
                parts, detail, check = composed(case_rng, kind, idx // 2)
                src = "composed"
            else:
                r, parts, detail = iu_case(rng, kind, idx // 2, pool)
                src = r["uid"]
                check = r.pop("_check", None)
            text = join_parts(parts)
            rows.append({"kind": kind, "detail": detail, "report": text, "parts": parts, "src": src,
                         "check": check})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "data" / "iu_reports" / "NLMCXR_reports.tgz").exists():
        print(f"shared data not found at {shared}; set MEDRAG_SHARED_DIR to the shared folder "
              "(with data/iu_reports/NLMCXR_reports.tgz)", file=sys.stderr)
        return 2
    rows = build(a.seed, shared)
    for r in rows:
        verify(r["kind"], r["parts"], r["report"], r["check"])
    rng = random.Random(a.seed)
    rng.shuffle(rows)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            h = hashlib.sha256(f"{a.seed}|{r['report']}|{r['src']}".encode()).hexdigest()[:16]
            fh.write(json.dumps({"id": "h16-" + h, "injected": r["kind"], "detail": r["detail"],
                                 "report": r["report"]}, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            sel = [r for r in rows if r["kind"] == kind][:a.show]
            for r in sel:
                print("=" * 78)
                print(f"[{kind}] ({r['src']}) {r['detail']}")
                print("-" * 78)
                print(r["report"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
