"""Held-out report-error set 171, written blind: head and neck cancer / thyroid surgery chest films.

usage: python -m bench.make_heldout171 OUT.jsonl --seed S [--show N]

400 rows: 200 clean, 40 of each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of every group is composed from a phrase bank in the
style of UK and US head and neck / thyroid units (staging films, tracheostomy and NG/PEG checks,
aspiration after surgery or radiotherapy, retrosternal goitre, lung metastases); the other half are
real IU reports (never a dev-set uid, each used once) re-laid out and lightly re-worded in that style.
Standard library only; deterministic per seed and independent of PYTHONHASHSEED.
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

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# --------------------------------------------------------------------------------------------------
# small text helpers
# --------------------------------------------------------------------------------------------------

UK_SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"\besophag", "oesophag"), (r"\bEsophag", "Oesophag"),
    (r"\bhemorrh", "haemorrh"), (r"\bhematom", "haematom"), (r"\bhemithorax", "hemithorax"),
    (r"visualiz", "visualis"), (r"\btumor", "tumour"), (r"\bischemi", "ischaemi"), (r"centimeter", "centimetre"),
    (r"\bleukemi", "leukaemi"), (r"\banemi", "anaemi"), (r"\bcolor", "colour"), (r"\bhilar\b", "hilar"),
]
US_SPELL = [
    (r"\boedema", "edema"), (r"\bOedema", "Edema"), (r"\boesophag", "esophag"), (r"\bOesophag", "Esophag"),
    (r"\bhaem", "hem"), (r"\bHaem", "Hem"), (r"tumour", "tumor"), (r"visualis", "visualiz"),
    (r"\bupper zone\b", "upper lung zone"), (r"\bmid zone\b", "midlung zone"), (r"\blower zone\b", "lower lung zone"),
    (r"\bin situ\b", "in place"), (r"\bPortacath\b", "port catheter"), (r"\bcm above\b", "cm above"),
]


def spell(text: str, uk: bool) -> str:
    for pat, rep in UK_SPELL if uk else US_SPELL:
        text = re.sub(pat, rep, text)
    return text


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


SIDE_RE = re.compile(r"\b(left|right|Left|Right|LEFT|RIGHT)\b")


def flip_sides(sentence: str) -> str:
    swap = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT"}
    return SIDE_RE.sub(lambda m: swap[m.group(1)], sentence)


def sides_in(text: str) -> list[str]:
    return sorted({m.group(1).lower() for m in SIDE_RE.finditer(text)})


# --------------------------------------------------------------------------------------------------
# layouts: how these units lay a chest film report out
# --------------------------------------------------------------------------------------------------

UK_SIGNOFFS = [
    "Dr XXXX, Consultant Radiologist",
    "Reported by: Dr XXXX FRCR, Consultant Head and Neck Radiologist",
    "Dr R. Menon, Consultant Radiologist (GMC XXXX)",
    "Verified by Dr XXXX, Consultant Radiologist. This report has been electronically signed.",
    "Dr S. Okafor, ST4 Radiology Registrar / Dr XXXX, Consultant Radiologist",
    "Reported by Dr H. Lawson, Consultant Radiologist, Head and Neck MDT",
]
US_SIGNOFFS = [
    "Electronically signed by: XXXX, MD on XXXX",
    "Dictated by: XXXX, MD\nSigned: XXXX, MD",
    "Interpreting radiologist: J. Alvarez, MD. Electronically signed XXXX.",
    "I have personally reviewed the images and agree with the report above. XXXX, MD",
    "Attending: M. Chen, MD (Neuroradiology / Head and Neck)",
]

LAYOUTS = {
    # name: uk, exam titles, indication label, comparison label, findings header, impression header, inline
    "uk_plain": (True, ["XR Chest PA", "Chest X-ray PA", "CXR PA"], "Clinical details", "Comparison",
                 "Findings", "Conclusion"),
    "uk_caps": (True, ["CHEST RADIOGRAPH PA", "XR CHEST", "CHEST X-RAY (PA ERECT)"], "CLINICAL INFORMATION",
                "COMPARISON", "FINDINGS", "IMPRESSION"),
    "uk_report": (True, ["XR THORAX", "Chest PA", "CHEST (MOBILE AP)"], "Clinical history", "Previous",
                  "Report", "Opinion"),
    "uk_summary": (True, ["Staging chest radiograph", "Chest radiograph (ward, AP)", "Chest X-ray"], "Indication",
                   "Comparison", "Findings", "Summary"),
    "us_std": (False, ["EXAM: XR CHEST PA AND LATERAL", "EXAMINATION: CHEST, 2 VIEWS", "EXAM: CHEST PA/LAT"],
               "HISTORY", "COMPARISON", "FINDINGS", "IMPRESSION"),
    "us_portable": (False, ["PORTABLE CHEST, 1 VIEW", "EXAM: XR CHEST PORTABLE AP", "CHEST AP PORTABLE"],
                    "INDICATION", "COMPARISON", "FINDINGS", "IMPRESSION"),
    "us_struct": (False, ["EXAM: XR CHEST PA AND LATERAL", "EXAM: CHEST 2V"], "CLINICAL HISTORY", "COMPARISON",
                  "FINDINGS", "IMPRESSION"),
}
COMPOSED_LAYOUTS = sorted(LAYOUTS)
IU_LAYOUTS = [n for n in COMPOSED_LAYOUTS if n != "us_struct"]


def render(c: dict) -> str:
    """Lay a case out as free text. c: layout, title, indication, comparison, findings [(label, text)],
    impression [items], numbered, signoff, inline, miss (None | how a section is emptied)."""
    _uk, _titles, ind_h, cmp_h, f_h, i_h = LAYOUTS[c["layout"]]
    lines = [c["title"], f"{ind_h}: {c['indication']}"]
    if c["layout"] in ("us_std", "us_struct") and c.get("technique"):
        lines.append(f"TECHNIQUE: {c['technique']}")
    if c.get("comparison"):
        lines.append(f"{cmp_h}: {c['comparison']}")
    lines.append("")
    miss = c.get("miss")
    # findings
    if miss == "findings_removed":
        pass
    elif miss == "findings_empty":
        lines += [f"{f_h}:", ""]
    else:
        if c["layout"] == "us_struct":
            lines.append(f"{f_h}:")
            merged: list[list] = []
            for lab, txt in c["findings"]:
                if merged and merged[-1][0] == lab:
                    merged[-1][1] += " " + txt
                else:
                    merged.append([lab, txt])
            lines += [f"{lab}: {txt}" for lab, txt in merged]
        else:
            prose = " ".join(txt for _lab, txt in c["findings"])
            if c["inline"]:
                lines.append(f"{f_h}: {prose}")
            else:
                lines += [f"{f_h}:", prose]
        lines.append("")
    # impression
    if miss == "impression_removed":
        pass
    elif miss == "impression_empty":
        lines += [f"{i_h}:", ""]
    elif miss == "impression_signature":
        lines += [f"{i_h}:", c["signoff"]]
        return "\n".join(lines).rstrip() + "\n"
    else:
        items = c["impression"]
        if c["numbered"] and len(items) > 1:
            body = [f"{k}. {it}" for k, it in enumerate(items, 1)]
            lines += [f"{i_h}:"] + body
        elif c["inline"]:
            lines.append(f"{i_h}: {' '.join(items)}")
        else:
            lines += [f"{i_h}:", " ".join(items)]
        lines.append("")
    lines.append(c["signoff"])
    return "\n".join(lines).rstrip() + "\n"


def new_frame(rng: random.Random, layouts: list[str]) -> dict:
    layout = rng.choice(layouts)
    uk = LAYOUTS[layout][0]
    c = {
        "layout": layout,
        "uk": uk,
        "title": rng.choice(LAYOUTS[layout][1]),
        "signoff": rng.choice(UK_SIGNOFFS if uk else US_SIGNOFFS),
        "inline": rng.random() < 0.45,
        "numbered": rng.random() < (0.6 if not uk else 0.45),
        "miss": None,
    }
    one_view = re.search(r"PORTABLE|AP\b|ward|MOBILE", c["title"])
    c["technique"] = "Single frontal view." if one_view else rng.choice(
        ["PA and lateral views of the chest.", "Frontal and lateral radiographs."])
    return c


# --------------------------------------------------------------------------------------------------
# composed cases: phrase bank
# --------------------------------------------------------------------------------------------------

INDICATIONS = {
    "staging": [
        "New diagnosis SCC larynx (T3 N1) - staging.",
        "Oral cavity SCC, pre-operative staging CXR.",
        "Oropharyngeal SCC, HPV positive. Staging.",
        "Hypopharyngeal carcinoma for discussion at head and neck MDT - chest staging.",
        "Pre-op for total thyroidectomy, papillary thyroid carcinoma.",
        "Newly diagnosed squamous cell carcinoma of the tongue; smoker, 40 pack-years.",
    ],
    "postop": [
        "Day 2 post total laryngectomy and free flap reconstruction. Pyrexial, ?chest sepsis.",
        "Post surgical tracheostomy - check tube position.",
        "Desaturating on the ward following neck dissection.",
        "Post composite resection and free flap, increasing oxygen requirement.",
        "Post-op check following thyroidectomy, short of breath.",
        "Status post laryngectomy, new productive cough.",
    ],
    "ng": [
        "Fine-bore NG tube inserted - confirm position prior to feeding.",
        "NG tube re-sited after self-removal. Position check before use.",
        "Feeding tube placement, awaiting confirmation before starting feed.",
    ],
    "aspiration": [
        "Previous chemoradiotherapy for tongue base SCC. Coughing on swallow, ?aspiration.",
        "Known dysphagia after radiotherapy to the neck, recurrent chest infections.",
        "Post laryngectomy, fever and raised CRP. ?aspiration pneumonia.",
        "Head and neck cancer on PEG feeds, new cough and pyrexia.",
    ],
    "peg": [
        "PEG inserted yesterday prior to chemoradiotherapy; upper abdominal pain.",
        "Post radiologically inserted gastrostomy, tachycardic.",
    ],
    "thyroid": [
        "Multinodular goitre with stridor on exertion, ?retrosternal extension.",
        "Large goitre, pre-operative assessment for thyroidectomy.",
        "Known retrosternal goitre, increasing breathlessness.",
    ],
    "followup": [
        "Known pulmonary metastases from adenoid cystic carcinoma of the parotid - follow-up.",
        "Surveillance, 2 years post laryngectomy for SCC.",
        "Follow-up of lung nodules, previous nasopharyngeal carcinoma.",
        "Anaplastic thyroid cancer on treatment, restaging.",
    ],
}
SCENARIO_FACTS = {
    "staging": ["nodule_new", "hilar_mass", "copd", "granuloma", "cardiomegaly_mild", "mets"],
    "postop": ["trach", "consolidation", "effusion", "ptx", "surgical_emphysema", "atelectasis", "oedema",
               "cvc", "small_effusion", "laryngectomy"],
    "ng": ["ng", "trach", "consolidation", "atelectasis", "small_effusion"],
    "aspiration": ["consolidation", "rt_change", "atelectasis", "peg", "copd", "effusion", "laryngectomy"],
    "peg": ["peg", "free_air", "atelectasis", "small_effusion", "consolidation"],
    "thyroid": ["goitre", "cardiomegaly_mild", "copd", "clips", "raised_hemidiaphragm"],
    "followup": ["mets", "nodule_new", "granuloma", "rt_change", "laryngectomy", "raised_hemidiaphragm", "effusion"],
}
ORDER = ["Lines/tubes", "Lungs", "Pleura", "Heart and mediastinum", "Bones/soft tissues", "Upper abdomen"]


def _fact(rng: random.Random, key: str, sd: str, uk: bool) -> dict:
    """One finding: its findings sentence, its impression item, and what it means for the labels."""
    Sd = cap(sd)
    size = rng.randint(8, 28)
    f = {"key": key, "side": None, "target": False, "optional": False, "neg_imp": None, "occ": [],
         "excl": key, "label": "Lungs", "need_prior": False, "device": False, "group": key}
    if key == "consolidation":
        zone = rng.choice(["lower zone", "base", "lower zone"])
        f.update(side=sd, target=True, occ=["lungs"], group="consolidation",
                 find=rng.choice([f"Patchy consolidation in the {sd} {zone}, in keeping with aspiration.",
                                  f"New airspace opacification at the {sd} base.",
                                  f"There is consolidation in the {sd} {zone} with air bronchograms.",
                                  f"{Sd} lower lobe consolidation."]),
                 imp=rng.choice([f"{Sd} basal consolidation, likely aspiration pneumonia.",
                                 f"Appearances in keeping with aspiration pneumonia at the {sd} base.",
                                 f"{Sd} lower lobe pneumonia - ?aspiration. Suggest SLT swallow assessment."
                                 if uk else f"{Sd} lower lobe pneumonia, possibly aspiration. Recommend swallow "
                                 "evaluation.",
                                 f"{Sd} lower zone consolidation. Follow-up film after treatment advised to "
                                 "confirm resolution."]),
                 neg_imp=rng.choice(["No consolidation.", "No focal consolidation.",
                                     "No evidence of pneumonia."]))
    elif key == "nodule_new":
        zone = rng.choice(["upper", "mid", "lower"])
        f.update(side=sd, target=True, occ=["lungs"], group="nodule", excl="nodule", need_prior=True,
                 find=rng.choice([f"New {size} mm nodule in the {sd} {zone} zone, not present previously.",
                                  f"There is a new well-defined {size} mm nodule projected over the {sd} "
                                  f"{zone} zone.",
                                  f"A {size} mm rounded nodule has appeared in the {sd} {zone} zone since the "
                                  "previous film."]),
                 imp=rng.choice([f"New {size} mm {sd} {zone} zone nodule, suspicious for a metastasis. CT chest "
                                 "recommended.",
                                 f"New {sd} {zone} zone pulmonary nodule - ?metastasis ?second primary. Recommend "
                                 "CT thorax and discussion at the head and neck MDT.",
                                 f"{Sd}-sided {size} mm nodule, new. Staging CT chest advised."]),
                 neg_imp=rng.choice(["No pulmonary nodule.", "No evidence of pulmonary metastases.",
                                     "No suspicious pulmonary nodule."]))
    elif key == "mets":
        zone = rng.choice(["lower", "mid"])
        f.update(target=True, occ=["lungs"], group="nodule", excl="nodule", need_prior=True,
                 find=rng.choice([f"Multiple bilateral pulmonary nodules, the largest measuring {size} mm in the "
                                  f"{sd} {zone} zone, increased in size and number since the previous film.",
                                  "Numerous rounded nodules are present throughout both lungs, larger and more "
                                  f"numerous than before; the largest is {size} mm."]),
                 imp=rng.choice(["Progression of pulmonary metastatic disease.",
                                 "Increase in size and number of pulmonary metastases.",
                                 "Progressive bilateral lung metastases."]),
                 neg_imp=rng.choice(["No pulmonary metastases.", "No pulmonary nodules."]))
    elif key == "hilar_mass":
        cm = rng.choice(["3", "3.5", "4", "4.5", "5"])
        f.update(side=sd, target=True, occ=["lungs", "mediastinum"], group="nodule", excl="nodule",
                 find=rng.choice([f"There is a {cm} cm mass at the {sd} hilum.",
                                  f"A lobulated {cm} cm soft tissue mass projects over the {sd} hilum."]),
                 imp=rng.choice([f"{Sd} hilar mass, ?second primary lung cancer. Urgent CT chest recommended.",
                                 f"{cm} cm {sd} hilar mass. Given the history a synchronous bronchogenic primary "
                                 "needs to be excluded - CT thorax advised."]),
                 neg_imp=rng.choice(["Normal hila. No mass lesion.", "No hilar mass."]))
    elif key == "effusion":
        deg = rng.choice(["Moderate", "Large", "Moderate-sized"])
        f.update(side=sd, target=True, occ=["effusion"], excl="effusion", label="Pleura", group="effusion",
                 find=rng.choice([f"{deg} {sd} pleural effusion.",
                                  f"{deg} {sd} pleural effusion with adjacent basal atelectasis.",
                                  f"There is a {deg.lower()} {sd} pleural effusion, new since the last film."]),
                 imp=rng.choice([f"{deg} {sd} pleural effusion.",
                                 f"{deg} {sd} pleural effusion - ultrasound-guided aspiration could be "
                                 "considered if clinically indicated."]),
                 neg_imp=rng.choice(["No pleural effusion.", "No effusion."]))
    elif key == "small_effusion":
        f.update(side=sd, occ=["effusion"], excl="effusion", label="Pleura", group="effusion",
                 optional=rng.random() < 0.3,
                 find=rng.choice([f"Small {sd} pleural effusion.",
                                  f"Blunting of the {sd} costophrenic angle due to a small effusion."]),
                 imp=f"Small {sd} pleural effusion.", neg_imp="No pleural effusion.")
    elif key == "ptx":
        mm = rng.randint(8, 30)
        f.update(side=sd, target=True, occ=["ptx"], label="Pleura", group="pneumothorax",
                 find=rng.choice([f"Small {sd} apical pneumothorax, {mm} mm from the apex.",
                                  f"There is a {sd} apical pneumothorax with a {mm} mm rim at the apex.",
                                  f"{Sd}-sided pneumothorax, the lung edge visible {mm} mm below the apex."]),
                 imp=rng.choice([f"Small {sd} apical pneumothorax. Clinical team informed.",
                                 f"{Sd} apical pneumothorax.",
                                 f"{Sd} pneumothorax, presumably related to recent line insertion."]),
                 neg_imp="No pneumothorax.")
    elif key == "oedema":
        f.update(target=True, occ=["lungs", "oedema"], group="oedema",
                 find=rng.choice(["Upper lobe venous diversion, bilateral perihilar airspace shadowing and "
                                  "septal lines, in keeping with pulmonary oedema.",
                                  "Increased interstitial markings with peribronchial cuffing and Kerley B lines "
                                  "consistent with interstitial oedema."]),
                 imp=rng.choice(["Pulmonary oedema - ?fluid overload post-operatively.",
                                 "Appearances consistent with pulmonary oedema.",
                                 "Interstitial pulmonary oedema."]),
                 neg_imp=rng.choice(["No pulmonary oedema.", "No evidence of fluid overload."]))
    elif key == "free_air":
        f.update(target=True, occ=["subdiaphragm"], label="Upper abdomen", group="free air",
                 find=rng.choice(["Free gas is seen beneath both hemidiaphragms.",
                                  "There is free subdiaphragmatic gas under the right hemidiaphragm.",
                                  "Crescent of free intraperitoneal air beneath the diaphragm."]),
                 imp=rng.choice(["Pneumoperitoneum. This may be expected following recent PEG insertion but "
                                 "should be correlated clinically; the referring team has been informed.",
                                 "Free subdiaphragmatic gas after gastrostomy insertion - urgent clinical review "
                                 "recommended."]),
                 neg_imp="No free subdiaphragmatic gas.")
    elif key == "goitre":
        dev = sd
        f.update(side=dev, occ=["mediastinum"], label="Heart and mediastinum", group="goitre",
                 find=rng.choice([f"Soft tissue mass at the thoracic inlet extending into the superior "
                                  f"mediastinum, displacing the trachea to the {dev}, consistent with retrosternal "
                                  "goitre.",
                                  f"Widening of the superior mediastinum with deviation of the trachea to the {dev}, "
                                  "in keeping with the known retrosternal goitre."]),
                 imp=rng.choice([f"Retrosternal goitre with tracheal deviation to the {dev}.",
                                 f"Known retrosternal goitre displacing the trachea to the {dev}. CT neck and "
                                 "thorax would better assess extent and tracheal calibre."]),
                 neg_imp=rng.choice(["Trachea central. Normal mediastinal contours.",
                                     "No mediastinal widening."]))
    elif key == "trach":
        lev = rng.choice(["T2", "T3", "the clavicular heads"])
        f.update(device=True, label="Lines/tubes",
                 find=rng.choice([f"Tracheostomy tube in situ, tip projected over the trachea at the level of "
                                  f"{lev}.",
                                  f"Tracheostomy tube tip lies {rng.randint(4, 7)} cm above the carina."]),
                 imp=rng.choice(["Tracheostomy tube in satisfactory position.", "Tracheostomy tube appropriately "
                                 "sited."]))
    elif key == "ng":
        f.update(device=True, label="Lines/tubes",
                 find=rng.choice(["Fine-bore nasogastric tube passes down the midline, bisects the carina and "
                                  "crosses the diaphragm, with the tip projected below the left hemidiaphragm in "
                                  "the stomach.",
                                  "NG tube follows the expected course of the oesophagus with its tip in the "
                                  "gastric fundus."] if uk else
                                 ["Enteric tube courses below the diaphragm with the tip in the gastric body.",
                                  "Feeding tube tip projects over the stomach."]),
                 imp=rng.choice(["NG tube tip in the stomach - OK to use for feeding.",
                                 "Nasogastric tube satisfactorily positioned in the stomach."] if uk else
                                ["Enteric tube tip in the stomach.", "Feeding tube in appropriate position."]))
    elif key == "peg":
        f.update(device=True, label="Lines/tubes", optional=True,
                 find="Gastrostomy tube projected over the left upper quadrant.",
                 imp="Gastrostomy tube in situ.")
    elif key == "cvc":
        f.update(side=sd, device=True, label="Lines/tubes",
                 find=rng.choice([f"{Sd} internal jugular central venous catheter with the tip in the SVC.",
                                  f"{Sd}-sided Portacath, tip at the cavoatrial junction."]),
                 imp=rng.choice([f"{Sd} central line tip in the SVC.", f"{Sd}-sided central venous catheter "
                                 "satisfactorily positioned."]))
    elif key == "laryngectomy":
        f.update(device=True, label="Bones/soft tissues", optional=True,
                 find=rng.choice(["Post total laryngectomy appearances with a tracheostome.",
                                  "Appearances of previous laryngectomy."]),
                 imp="Post-laryngectomy appearances.")
    elif key == "surgical_emphysema":
        f.update(side=sd, label="Bones/soft tissues",
                 find=f"Surgical emphysema in the soft tissues of the {sd} neck and {sd} supraclavicular fossa, "
                      "in keeping with recent surgery.",
                 imp=f"Expected post-operative surgical emphysema in the {sd} neck.")
    elif key == "raised_hemidiaphragm":
        f.update(side=sd, label="Pleura",
                 find=rng.choice([f"Elevated {sd} hemidiaphragm, unchanged.",
                                  f"The {sd} hemidiaphragm is raised, as on the previous film."]),
                 imp=rng.choice([f"Stable elevation of the {sd} hemidiaphragm.",
                                 f"Unchanged raised {sd} hemidiaphragm, possibly phrenic nerve palsy."]))
    elif key == "cardiomegaly_mild":
        fi, im = rng.choice([("Mild cardiomegaly, unchanged.", "Stable mild cardiomegaly."),
                             ("The heart is mildly enlarged (CTR 0.56).", "Mild cardiomegaly."),
                             ("The heart is mildly enlarged, as before.", "Stable mild cardiomegaly.")])
        f.update(occ=["heart"], label="Heart and mediastinum", group="cardiomegaly", find=fi, imp=im,
                 neg_imp=rng.choice(["Heart size is normal.", "Normal cardiac size."]))
    elif key == "rt_change":
        f.update(occ=["lungs"], group="radiotherapy",
                 find="Bilateral apical pleural thickening and fibrotic change, in keeping with previous "
                      "radiotherapy.",
                 imp=rng.choice(["Post-radiotherapy change at both apices.",
                                 "Apical fibrosis related to previous radiotherapy."]))
    elif key == "copd":
        f.update(occ=["lungs"], group="hyperinflation", optional=True,
                 find=rng.choice(["The lungs are hyperinflated.", "Hyperexpanded lungs in keeping with COPD."]),
                 imp=rng.choice(["Hyperinflation in keeping with COPD.", "Emphysematous lungs."]))
    elif key == "atelectasis":
        f.update(side=sd, occ=["lungs"], group="atelectasis",
                 find=rng.choice([f"Minor linear atelectasis at the {sd} base.",
                                  f"Plate atelectasis in the {sd} lower zone."]),
                 imp=rng.choice([f"{Sd} basal atelectasis.", f"Minor {sd} basal atelectasis."]),
                 neg_imp="No atelectasis.")
    elif key == "granuloma":
        f.update(side=sd, occ=["lungs"], optional=True, group="granuloma",
                 find=rng.choice([f"Calcified granuloma in the {sd} mid zone, unchanged.",
                                  f"Small calcified nodule in the {sd} upper zone, consistent with an old "
                                  "granuloma."]),
                 imp=f"Old calcified granuloma, {sd} lung.")
    elif key == "clips":
        f.update(label="Bones/soft tissues", optional=True, device=True,
                 find="Surgical clips in the thyroid bed.", imp="Post-thyroidectomy clips.")
    else:  # pragma: no cover
        raise KeyError(key)
    f["find"] = spell(f["find"], uk)
    f["imp"] = spell(f["imp"], uk)
    if f["neg_imp"]:
        f["neg_imp"] = spell(f["neg_imp"], uk)
    return f


NORMALS = {
    "lungs": ["The lungs are clear.", "Lungs clear.", "Clear lungs.", "The lungs are clear with no focal lesion."],
    "lungs_other": ["The lungs are otherwise clear.", "No other focal lung abnormality."],
    "staging": ["No pulmonary nodule or mass to suggest metastatic disease.",
                "No suspicious pulmonary nodule or mass."],
    "effusion": ["No pleural effusion."],
    "ptx": ["No pneumothorax."],
    "pleura": ["No pleural effusion or pneumothorax.", "Costophrenic angles are clear and there is no pneumothorax."],
    "heart_med": ["Heart size is normal and the mediastinal contours are unremarkable.",
                  "The cardiomediastinal contours are within normal limits.", "Normal heart size and mediastinum."],
    "heart": ["Heart size is normal.", "Normal cardiac size."],
    "mediastinum": ["The mediastinum is not widened and the trachea is central.", "Mediastinal contours are normal."],
    "bones": ["No destructive bone lesion.", "Bones are unremarkable.", "No bony metastases identified."],
    "subdiaphragm": ["No free subdiaphragmatic gas."],
}
NORMAL_IMPRESSIONS = {
    True: ["Normal chest radiograph.", "No acute cardiopulmonary abnormality.", "No significant abnormality.",
           "Normal appearances.", "Clear chest. No evidence of pulmonary metastases."],
    False: ["No acute cardiopulmonary process.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
            "No radiographic evidence of intrathoracic metastatic disease."],
}
GENERIC_NORMAL = {True: ["No acute cardiopulmonary abnormality.", "No acute abnormality seen.",
                         "No significant acute abnormality."],
                  False: ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
                          "No acute findings."]}
COMPARISONS_PRIOR = {True: ["Previous chest radiograph XXXX.", "Compared with the pre-operative film of XXXX.",
                            "CXR XXXX and staging CT XXXX."],
                     False: ["XXXX.", "Chest radiograph dated XXXX.", "Prior study from XXXX."]}
COMPARISONS_ANY = {True: ["None available.", "None."], False: ["None.", "No prior studies available."]}


def compose_case(rng: random.Random, need: str | None = None, n_facts: int | None = None) -> dict:
    """A clean composed case. need: a fact property the case must have ("sided", "target", "neg",
    "no_target", ...) so that an error of a kind can be injected into it afterwards."""
    for _ in range(400):
        c = new_frame(rng, COMPOSED_LAYOUTS)
        uk = c["uk"]
        scen = rng.choice(sorted(SCENARIO_FACTS))
        c["indication"] = rng.choice(INDICATIONS[scen])
        k = n_facts if n_facts is not None else rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
        pool = list(SCENARIO_FACTS[scen])
        rng.shuffle(pool)
        base_side = rng.choice(["left", "right"])
        facts, excl = [], []
        for key in pool:
            if len(facts) >= k:
                break
            sd = base_side if rng.random() < 0.7 else rng.choice(["left", "right"])
            f = _fact(rng, key, sd, uk)
            if f["excl"] in excl:
                continue
            excl.append(f["excl"])
            facts.append(f)
        if scen == "ng" and not any(f["key"] == "ng" for f in facts):
            facts.insert(0, _fact(rng, "ng", base_side, uk))
        if scen == "thyroid" and rng.random() < 0.6 and not any(f["key"] == "goitre" for f in facts):
            facts.insert(0, _fact(rng, "goitre", base_side, uk))
        if need == "sided" and not any(f["side"] and not f["optional"] for f in facts):
            continue
        if need == "target" and not any(f["target"] for f in facts):
            continue
        if need == "neg" and not any(f["neg_imp"] for f in facts):
            continue
        if need == "target_other" and not (any(f["target"] for f in facts) and len(facts) >= 2):
            continue
        if need == "target_alone" and not (any(f["target"] for f in facts)
                                            and all(f["target"] or f["device"] for f in facts)
                                            and sum(f["target"] for f in facts) == 1):
            continue
        if need == "placeholder" and not facts and rng.random() < 0.3:
            continue
        break
    occ = [o for f in facts for o in f["occ"]]
    c["facts"] = facts
    c["scenario"] = scen
    need_prior = any(f["need_prior"] or re.search(r"\b(unchanged|previous|new|as before|since|increased)\b", f["find"],
                                                 re.I) for f in facts) or rng.random() < 0.5
    c["comparison"] = rng.choice(COMPARISONS_PRIOR[uk] if need_prior else COMPARISONS_ANY[uk])
    # findings: abnormal facts, then normal statements for what is free
    findings = [(f["label"], f["find"]) for f in facts]
    normals = []
    if "lungs" in occ:
        normals.append(("Lungs", rng.choice(NORMALS["lungs_other"])))
    else:
        normals.append(("Lungs", rng.choice(NORMALS["lungs"])))
        if scen in ("staging", "followup") and rng.random() < 0.7:
            normals.append(("Lungs", rng.choice(NORMALS["staging"])))
    if "effusion" not in occ and "ptx" not in occ:
        normals.append(("Pleura", rng.choice(NORMALS["pleura"] + NORMALS["effusion"])))
    elif "effusion" not in occ:
        normals.append(("Pleura", NORMALS["effusion"][0]))
    elif "ptx" not in occ:
        normals.append(("Pleura", NORMALS["ptx"][0]))
    if "heart" not in occ and "mediastinum" not in occ:
        normals.append(("Heart and mediastinum", rng.choice(NORMALS["heart_med"])))
    elif "heart" not in occ:
        normals.append(("Heart and mediastinum", rng.choice(NORMALS["heart"])))
    elif "mediastinum" not in occ:
        normals.append(("Heart and mediastinum", rng.choice(NORMALS["mediastinum"])))
    if rng.random() < 0.5:
        normals.append(("Bones/soft tissues", rng.choice(NORMALS["bones"])))
    if scen == "peg" and "subdiaphragm" not in occ:
        normals.append(("Upper abdomen", NORMALS["subdiaphragm"][0]))
    if c["layout"] == "us_struct":
        allf = sorted(findings + normals, key=lambda lt: ORDER.index(lt[0]))
    else:
        dev = [x for x, f in zip(findings, facts, strict=True) if f["device"]]
        allf = dev + [x for x in findings if x not in dev] + normals
    c["findings"] = [(lab, spell(t, uk)) for lab, t in allf]
    build_impression(rng, c)
    return c


def build_impression(rng: random.Random, c: dict, drop: tuple = ()) -> None:
    uk = c["uk"]
    facts = [f for f in c["facts"] if f["key"] not in drop]
    order = sorted(facts, key=lambda f: (not f["target"], f["device"]))
    items = []
    for f in order:
        if f["optional"] and rng.random() < 0.5:
            continue
        items.append(f["imp"])
    f_items = [f for f in order if f["imp"] in items]
    if not c["facts"]:
        items = [rng.choice(NORMAL_IMPRESSIONS[uk])]
    elif not any(not f["device"] for f in f_items) and not any(f["target"] for f in facts):
        items.append(rng.choice(GENERIC_NORMAL[uk]))
    elif rng.random() < 0.25 and items:
        items.append("No other acute abnormality." if uk else "No other acute findings.")
    c["impression"] = [spell(i, uk) for i in items]


# --------------------------------------------------------------------------------------------------
# injections on composed cases
# --------------------------------------------------------------------------------------------------

PH_SIDE = ["[left/right]", "[SIDE]", "<<side>>", "[***]", "[ ]"]
PH_SIZE = ["XX", "<<size>>", "[size]", "[***]", "[ ]"]
PH_WORD = ["[***]", "[ ]", "***", "<<finding>>", "[normal/abnormal]", "___"]
PH_WORDS = ["clear", "normal", "satisfactory", "stomach", "central", "unremarkable", "moderate", "large",
            "small", "consolidation", "effusion", "pneumothorax", "nodule", "goitre", "oedema", "edema", "SVC",
            "satisfactorily", "hyperinflated", "atelectasis", "mass", "cardiomegaly", "pneumonia", "within"]


def put_placeholder(rng: random.Random, text: str) -> tuple[str, str] | None:
    """Replace one word of text by an unfilled template field; return (new text, what was done)."""
    cands = []
    for m in re.finditer(r"\b(left|right)\b", text, re.I):
        cands.append((m.start(), m.end(), rng.choice(PH_SIDE)))
    for m in re.finditer(r"\b(\d+(?:\.\d+)?)(?= ?(?:mm|cm)\b)", text):
        cands.append((m.start(), m.end(), rng.choice(PH_SIZE)))
    for w in PH_WORDS:
        for m in re.finditer(rf"\b{w}\b", text):
            cands.append((m.start(), m.end(), rng.choice(PH_WORD)))
    if not cands:
        return None
    cands.sort()
    s, e, ph = rng.choice(cands)
    if ph == "XX" and not re.match(r" ?cm", text[e:]) and not re.match(r" ?mm", text[e:]):
        ph = "[size]"
    if ph == "___" and re.match(r"\d", text[s:e]):
        ph = "[***]"
    return text[:s] + ph + text[e:], f"'{text[s:e]}' -> '{ph}'"


def inject_composed(rng: random.Random, kind: str | None, idx: int) -> tuple[dict, str]:
    if kind is None:
        c = compose_case(rng)
        return c, f"composed ({c['scenario']}, {c['layout']}), clean: " + "; ".join(
            f["key"] for f in c["facts"]) if c["facts"] else f"composed ({c['scenario']}, {c['layout']}), normal"
    if kind == "missing_section":
        c = compose_case(rng)
        mode = ["impression_empty", "impression_signature", "impression_removed", "findings_empty"][idx % 4]
        c["miss"] = mode
        what = {"impression_empty": "IMPRESSION header kept with nothing under it",
                "impression_signature": "IMPRESSION header kept with only the sign-off under it",
                "impression_removed": "IMPRESSION section removed",
                "findings_empty": "FINDINGS header kept with nothing under it"}[mode]
        return c, f"composed ({c['layout']}): {what}"
    if kind == "laterality_conflict":
        c = compose_case(rng, need="sided")
        f = rng.choice([f for f in c["facts"] if f["side"] and not f["optional"]])
        if f["imp"] not in c["impression"]:
            c["impression"].insert(0, f["imp"])
        if idx % 2 == 0:
            i = c["impression"].index(f["imp"])
            c["impression"][i] = flip_sides(f["imp"])
            where = f"IMPRESSION item '{f['imp']}' -> '{c['impression'][i]}'"
        else:
            i = [t for _lab, t in c["findings"]].index(f["find"])
            lab, t = c["findings"][i]
            c["findings"][i] = (lab, flip_sides(t))
            where = f"FINDINGS sentence '{t}' -> '{flip_sides(t)}'"
        return c, f"composed ({c['layout']}): side flipped in {where}; the other section keeps {f['side']}"
    if kind == "negation_conflict":
        if idx % 2 == 0:
            c = compose_case(rng, need="neg")
            f = rng.choice([f for f in c["facts"] if f["neg_imp"]])
            if f["imp"] in c["impression"]:
                c["impression"][c["impression"].index(f["imp"])] = f["neg_imp"]
            else:
                c["impression"].insert(0, f["neg_imp"])
            return c, (f"composed ({c['layout']}): IMPRESSION negates '{f['find']}' of the FINDINGS "
                       f"with '{f['neg_imp']}'")
        c = compose_case(rng, n_facts=rng.choice([0, 0, 1]))
        uk = c["uk"]
        sd = rng.choice(["left", "right"])
        Sd = cap(sd)
        texts = [t for _lab, t in c["findings"]]
        opts = []
        for t in texts:
            if t in NORMALS["lungs"]:
                opts.append((t, rng.choice([f"{Sd} basal consolidation, likely aspiration.",
                                            f"{Sd} lower lobe pneumonia."])))
            if t in NORMALS["effusion"] or t in NORMALS["pleura"]:
                opts.append((t, spell(f"Moderate {sd} pleural effusion.", uk)))
            if t in NORMALS["pleura"] or t in NORMALS["ptx"]:
                opts.append((t, f"Small {sd} apical pneumothorax."))
            if t in NORMALS["heart"] or t in NORMALS["heart_med"]:
                opts.append((t, rng.choice(["Cardiomegaly.", "Enlarged heart."])))
            if t in NORMALS["staging"]:
                opts.append((t, spell(f"{rng.randint(9, 20)} mm {sd} mid zone nodule, suspicious for metastasis.",
                                      uk)))
            if t in NORMALS["subdiaphragm"]:
                opts.append((t, "Free subdiaphragmatic gas."))
        t, assertion = rng.choice(opts)
        keep = [i for i in c["impression"] if not any(i in v for v in (NORMAL_IMPRESSIONS[uk], GENERIC_NORMAL[uk]))
                and not i.startswith("No other")]
        c["impression"] = [assertion] + keep
        return c, f"composed ({c['layout']}): IMPRESSION asserts '{assertion}' which the FINDINGS negate ('{t}')"
    if kind == "impression_omits_finding":
        if idx % 2 == 0:
            c = compose_case(rng, need="target_alone")
            f = next(f for f in c["facts"] if f["target"])
            c["impression"] = [rng.choice(GENERIC_NORMAL[c["uk"]])]
            return c, (f"composed ({c['layout']}): FINDINGS '{f['find']}' but IMPRESSION replaced by a normal "
                       f"statement '{c['impression'][0]}'")
        c = compose_case(rng, need="target_other")
        f = rng.choice([f for f in c["facts"] if f["target"]])
        others = [g for g in c["facts"] if g is not f]
        for _ in range(20):
            build_impression(rng, c, drop=(f["key"],))
            if any(g["imp"] in c["impression"] for g in others):
                break
        c["impression"] = [i for i in c["impression"] if not i.startswith("No other")] or [others[0]["imp"]]
        return c, (f"composed ({c['layout']}): FINDINGS '{f['find']}' left out of the IMPRESSION, which lists "
                   "only the other findings")
    if kind == "placeholder":
        c = compose_case(rng, need="placeholder")
        for _ in range(50):
            if rng.random() < 0.6 or c["miss"]:
                i = rng.randrange(len(c["findings"]))
                lab, t = c["findings"][i]
                r = put_placeholder(rng, t)
                if r:
                    c["findings"][i] = (lab, r[0])
                    return c, f"composed ({c['layout']}): FINDINGS {r[1]}"
            else:
                i = rng.randrange(len(c["impression"]))
                r = put_placeholder(rng, c["impression"][i])
                if r:
                    c["impression"][i] = r[0]
                    return c, f"composed ({c['layout']}): IMPRESSION {r[1]}"
        raise RuntimeError("no placeholder slot")
    raise KeyError(kind)


# --------------------------------------------------------------------------------------------------
# IU reports
# --------------------------------------------------------------------------------------------------

def _tag(xml: str, label: str) -> str:
    m = re.search(rf'Label="{label}">(.*?)</AbstractText>', xml, re.S)
    if not m:
        return ""
    t = re.sub(r"\s+", " ", m.group(1)).strip()
    t = t.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return "" if t.lower() in ("none", "none.") else t


@functools.lru_cache(maxsize=4)
def load_iu(tgz: str) -> tuple[dict, ...]:
    out = []
    with tarfile.open(tgz) as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            xml = tf.extractfile(m).read().decode("utf-8", "replace")
            uid = re.search(r'<uId id="([^"]+)"', xml)
            if not uid:
                continue
            out.append({"uid": uid.group(1), "findings": _tag(xml, "FINDINGS"),
                        "impression": _tag(xml, "IMPRESSION"), "indication": _tag(xml, "INDICATION"),
                        "comparison": _tag(xml, "COMPARISON")})
    out.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    return tuple(out)


def dev_uids(shared: Path) -> list[str]:
    p = shared / "eval" / "report_errors_dev.jsonl"
    if not p.exists():
        return []
    return sorted({json.loads(line)["uid"] for line in p.open() if line.strip()})


GROUPS = [
    ("effusion", r"effusion"),
    ("pneumothorax", r"pneumothora"),
    ("consolidation", r"consolidat|air ?space|infiltrat|pneumonia"),
    ("edema", r"o?edema|congesti|fluid overload"),
    ("heart", r"cardiomegaly|\bheart\b|cardiac|cardiomediastinal"),
    ("nodule", r"nodul|\bmass(?:es)?\b|neoplas|malignan|metasta|tumou?r|lesion"),
    ("atelectasis", r"atelecta|collapse"),
    ("opacity", r"opacit|densit|shadowing"),
    ("free air", r"pneumoperitoneum|free (?:intraperitoneal )?(?:air|gas)|subdiaphragmatic"),
    ("misc", r"\b(?:new|increas\w*|enlarg\w*|wors\w*|progress\w*|widen\w*|prominen\w*|elevat\w*|deviat\w*|"
             r"hernia|fractur\w*|emphysema\w*|hyperinfla\w*|scar\w*|fibros\w*|thicken\w*|granuloma\w*|"
             r"calcifi\w*|effac\w*|blunt\w*|tortuous|tortuosity|device|catheter|tube|line|pacemaker|clips?|"
             r"sternotomy|surgical|postsurgical|postoperative|degenerat\w*|spondylo\w*|osteophyt\w*|"
             r"kyphosis|scoliosis|lucen\w*|cavit\w*|bronchiectasis|interstitial)\b"),
]
GROUP_RES = [(g, re.compile(p, re.I)) for g, p in GROUPS]
PRE_NEG = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|absent|nor|"
                     r"removal|removed|exclude\w*)\b", re.I)
POST_NEG = re.compile(r"\b(normal|clear|not|resolved|unremarkable|within normal limits|negative|absent|"
                      r"removed|no longer|is stable|are stable|unchanged|stable)\b", re.I)
RESET = re.compile(r"\bbut\b|\bhowever\b|;|\bwith\b(?! no)|\bthere (?:is|are)\b(?! no)|\bwhich\b|\balthough\b",
                   re.I)
HEDGE = re.compile(r"\b(may|might|could|possibl\w*|question\w*|versus|vs|cannot|differential|suspect\w*|"
                   r"concern\w*|or|likely|probabl\w*|suggest\w*|consider\w*|underlying|early|subtle|"
                   r"minimal|tiny|trace|small|mild|stable|unchanged|chronic|old|prior|previous|history|"
                   r"residual|improv\w*|decreas\w*|healed|known|again|persist\w*|redemonstrat\w*|"
                   r"borderline|partial\w*|similar|streaky|suspicious|significant change|no change)\b|\?|"
                   r"/atelecta|atelectasis/", re.I)
HEDGE_LIGHT = re.compile(r"\b(may|might|could|possibl\w*|question\w*|versus|vs|cannot|differential|suspect\w*|"
                         r"concern\w*|or|likely|probabl\w*|suggest\w*|consider\w*|early|subtle|borderline|"
                         r"upper limits?|vague|XXXX|improv\w*|resolv\w*|decreas\w*|reticul\w*|suspicious)\b|\?", re.I)
NORMAL_IMP = re.compile(r"^\s*(?:1\.\s*)?(?:no acute|no active|normal chest|negative|no evidence of (?:acute|active)|"
                        r"no radiographic evidence of (?:acute|active)|no acute cardiopulmonary|"
                        r"no significant|clear lungs|normal|unremarkable|no acute disease)", re.I)
CLEAR_LUNGS = re.compile(r"\blungs? (?:are |is )?(?:\w+ )?(?:and \w+ )?clear\b|\bclear lungs\b|"
                         r"\blungs (?:are )?(?:\w+ )?(?:and )?free of", re.I)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!])\s+(?=(?:\d+\.\s*)?[A-Z(])|\s+(?=\d+\.\s+[A-Z])", text)
    return [p.strip() for p in parts if p and p.strip()]


def clause_terms(sentence: str) -> list[tuple[str, bool, int, int]]:
    """(group, negated, start, end) for every group term in a sentence."""
    out = []
    for g, rx in GROUP_RES:
        for m in rx.finditer(sentence):
            before = sentence[: m.start()]
            negs = [x.end() for x in PRE_NEG.finditer(before)]
            resets = [x.end() for x in RESET.finditer(before)]
            neg = bool(negs) and (not resets or max(negs) > max(resets))
            after = re.split(r",|;|\bwith\b|\bbut\b|\bwhich\b", sentence[m.end():], maxsplit=1)[0]
            if POST_NEG.search(after):
                neg = True
            if g == "consolidation" and CLEAR_LUNGS.search(sentence):
                neg = True
            out.append((g, neg, m.start(), m.end()))
    if CLEAR_LUNGS.search(sentence):
        out.append(("consolidation", True, 0, 0))
    return out


def analyse(text: str) -> dict:
    sents = sentences(text)
    aff, neg = [], []
    for s in sents:
        for g, n, _a, _b in clause_terms(s):
            (neg if n else aff).append(g)
    return {"sents": sents, "aff": sorted(set(aff)), "neg": sorted(set(neg)), "sides": sides_in(text)}


COVER = {"opacity": {"opacity", "consolidation", "atelectasis", "nodule"},
         "consolidation": {"consolidation", "opacity", "atelectasis"},
         "atelectasis": {"atelectasis", "opacity", "consolidation"}}
SIG_GROUPS = ["effusion", "pneumothorax", "consolidation", "edema", "free air"]


def classify_iu(r: dict) -> dict | None:
    """Strict consistency check of a real report; returns its analysis, or None when it is not usable as
    a clean base (too short or long, or anything that might already be a contradiction)."""
    f, i = r["findings"], r["impression"]
    if not f or not i or len(f) < 60 or len(f) > 700 or len(i) > 300 or len(i) < 8:
        return None
    if re.search(r"\[|\]|\*\*|<<|__|\bXX\b", f + " " + i):
        return None
    if re.search(r"\b(KUB|knee|lumbar|lumbosacral|abdomen|pelvis|shoulder|hip|ankle|wrist|hand|foot|"
                 r"cervical spine)\b|^Chest\.", f + " " + i, re.I):
        return None
    A, B = analyse(f), analyse(i)
    normal_imp = bool(NORMAL_IMP.search(i)) and not B["aff"] and not B["sides"]
    if normal_imp:
        if A["aff"]:
            misc_only = [g for g in A["aff"] if g != "misc"]
            if misc_only:
                return None
            # misc words affirmed beside a normal impression: only harmless chronic ones
            bad = re.search(r"\b(new|increas\w*|enlarg\w*|wors\w*|progress\w*|widen\w*|deviat\w*|fractur\w*|"
                            r"lucen\w*|cavit\w*|effac\w*|blunt\w*|elevat\w*|prominen\w*|interstitial)\b", f, re.I)
            if bad and not re.search(r"\b(no|not|without)\b[^.]*\b" + re.escape(bad.group(1)), f, re.I):
                return None
        return {"type": "normal", "F": A, "I": B}
    if not B["aff"]:
        return None
    # abnormal: every affirmed finding group covered by the impression and no cross negation
    for g in A["aff"]:
        if g == "misc":
            continue
        if not (COVER.get(g, {g}) & set(B["aff"])):
            return None
    for g in B["aff"]:
        if g == "misc":
            continue
        if g not in A["aff"] and not (COVER.get(g, {g}) & set(A["aff"])):
            return None
    if set(B["neg"]) & set(A["aff"]) - {"misc", "heart"}:
        return None
    if "heart" in A["aff"] and "heart" in B["neg"]:
        return None
    if "heart" in B["aff"] and "heart" in A["neg"] and "heart" not in A["aff"]:
        return None
    sides = sorted(set(A["sides"]) | set(B["sides"]))
    if len(sides) > 1 or (B["sides"] and not A["sides"]):
        return None
    if NORMAL_IMP.search(i):
        return None
    return {"type": "abnormal", "F": A, "I": B}


def restyle(text: str, uk: bool, rng: random.Random, changes: list[str]) -> str:
    """Light, meaning-keeping re-wording in the units' house style."""
    before = text
    rules = [
        (r"\bThere (?:is|are) no\b", "No", "'There is no' -> 'No'"),
        (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour", "silhouette -> contour"),
        (r"\bcardiac silhouette\b", "heart size", "cardiac silhouette -> heart size"),
        (r"\bfocal airspace disease\b", "focal consolidation", "airspace disease -> consolidation"),
        (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality", ""),
        (r"\bpneumothorax or pleural effusion\b", "pleural effusion or pneumothorax", "word order"),
    ]
    if uk:
        rules += [(r"\bbasilar\b", "basal", "basilar -> basal"),
                  (r"\bmidlung(?: zone)?\b", "mid zone", "midlung -> mid zone"),
                  (r"\bx-XXXX\b", "X-ray", "")]
    for pat, rep, note in rules:
        if re.search(pat, text) and (rng.random() < 0.7 or not note):
            text = re.sub(pat, rep, text)
            if note and note not in changes:
                changes.append(note)
    if uk:
        t2 = spell(text, True)
        if t2 != text and "US->UK spelling" not in changes:
            changes.append("US->UK spelling")
        text = t2
    text = re.sub(r"\bNo ([A-Z])(?=[a-z])", lambda m: "No " + m.group(1).lower(), text)
    text = re.sub(r"\s+\.", ".", text).replace("..", ".")
    return text if text.strip() else before


def iu_case(rng: random.Random, r: dict) -> tuple[dict, list[str]]:
    c = new_frame(rng, IU_LAYOUTS)
    changes = [f"re-laid out ({c['layout']}: {LAYOUTS[c['layout']][4]}/{LAYOUTS[c['layout']][5]})"]
    ind = r["indication"] or "XXXX"
    c["indication"] = ind
    c["comparison"] = r["comparison"] or ("None." if rng.random() < 0.5 else "")
    f = restyle(r["findings"], c["uk"], rng, changes)
    i = restyle(r["impression"], c["uk"], rng, changes)
    c["findings"] = [("", s) for s in sentences(f)]
    items = [re.sub(r"^\d+\.(?!\d)\s*", "", s) for s in sentences(i)]
    c["impression"] = [x for x in items if x]
    c["numbered"] = c["numbered"] and len(c["impression"]) > 1
    c["facts"] = []
    return c, changes


ANAT = r"(?:lung|lobe|base|basilar|basal|hemithorax|upper|lower|mid|middle|apex|apical|hilar|hilum|pleural|" \
       r"costophrenic|hemidiaphragm|perihilar|midlung|lingula|chest|effusion|side|-sided|infrahilar|suprahilar)"
SIDE_ANAT = re.compile(rf"\b(left|right)(?:-sided)?\b(?:\s+\w+){{0,2}}?\s*{ANAT}|"
                       rf"{ANAT}\w*\s+(?:on the\s+)?(left|right)\b", re.I)


def _side_sentence(sents: list[str], side: str) -> list[int]:
    return [k for k, s in enumerate(sents) if SIDE_ANAT.search(s) and side in sides_in(s)]


def _terms(s: str) -> list[str]:
    """What a sentence is about: finding groups (widened by COVER) and the hemidiaphragm."""
    t = []
    for g, _n, _a, _b in clause_terms(s):
        if g != "misc":
            t += sorted(COVER.get(g, {g}))
    if re.search(r"hemidiaphragm", s, re.I):
        t.append("hemidiaphragm")
    return sorted(set(t))


def iu_candidates(r: dict, cl: dict) -> list[str]:
    """Kinds an IU report can carry (besides clean and missing_section, which any clean base can)."""
    kinds = ["placeholder"]
    fa, ia = cl["F"], cl["I"]
    if cl["type"] == "abnormal" and len(ia["sides"]) == 1 and ia["sides"] == fa["sides"]:
        s = ia["sides"][0]
        fi, ii = _side_sentence(fa["sents"], s), _side_sentence(ia["sents"], s)
        if fi and ii and any(set(_terms(fa["sents"][a])) & set(_terms(ia["sents"][b])) for a in fi for b in ii):
            kinds.append("laterality_conflict")
    if cl["type"] == "normal" and _negated_statement(fa["sents"]):
        kinds.append("negation_conflict")
    if cl["type"] == "abnormal" and _affirmed_groups(fa["sents"], ia["sents"]):
        kinds.append("negation_conflict")
    if cl["type"] == "abnormal" and _omission_target(fa["sents"], ia["sents"]):
        kinds.append("impression_omits_finding")
    return kinds


NEG_ASSERT = {
    "effusion": ["Moderate {sd} pleural effusion.", "Large {sd} pleural effusion."],
    "pneumothorax": ["{Sd} apical pneumothorax.", "Small {sd} pneumothorax."],
    "consolidation": ["{Sd} lower lobe consolidation, likely aspiration.", "{Sd} basal pneumonia."],
    "edema": ["Pulmonary oedema.", "Interstitial pulmonary oedema."],
    "heart": ["Cardiomegaly.", "The heart is enlarged."],
}
NEG_DENY = {
    "effusion": "No pleural effusion.", "pneumothorax": "No pneumothorax.", "consolidation": "No consolidation.",
    "edema": "No pulmonary oedema.", "heart": "Heart size is normal.", "nodule": "No pulmonary nodule or mass.",
    "atelectasis": "No atelectasis.",
}


def _negated_statement(fs: list[str]) -> list[tuple[str, str]]:
    out = []
    for s in fs:
        terms = clause_terms(s)
        for g in NEG_ASSERT:
            hits = [t for t in terms if t[0] == g]
            if hits and all(t[1] for t in hits) and not re.search(r"\b(large|significant|sizable|"
                                                                  r"substantial|definite|gross\w*)\b", s, re.I):
                if g == "heart" and not re.search(r"heart size|size of the heart|heart is normal|cardiac size|"
                                                  r"normal (?:heart|cardiac) size|heart (?:and \w+ )?(?:is|are) "
                                                  r"(?:normal|within normal)", s, re.I):
                    continue
                out.append((g, s))
    return out


HEART_BIG = re.compile(r"cardiomegaly|(?:heart|cardiac)[^.]*enlarg|enlarg\w* (?:of the )?(?:heart|cardiac)", re.I)


def _affirmed_groups(fs: list[str], isents: list[str]) -> list[str]:
    out = []
    for g in NEG_DENY:
        f_aff = [s for s in fs if any(t[0] == g and not t[1] for t in clause_terms(s)) and not HEDGE_LIGHT.search(s)]
        i_aff = [s for s in isents if any(t[0] == g and not t[1] for t in clause_terms(s))]
        if g == "heart":
            f_aff = [s for s in f_aff if HEART_BIG.search(s)]
            i_aff = [s for s in i_aff if HEART_BIG.search(s)]
        if f_aff and i_aff:
            out.append(g)
    return out


def _omission_target(fs: list[str], isents: list[str]) -> str | None:
    for g in SIG_GROUPS:
        clear = [s for s in fs if any(t[0] == g and not t[1] for t in clause_terms(s)) and not HEDGE.search(s)]
        if g == "effusion":
            clear = [s for s in clear if not re.search(r"small|trace|tiny|minimal|blunt", s, re.I)]
        if clear and any(any(t[0] == g and not t[1] for t in clause_terms(s)) for s in isents):
            return g
    return None


def inject_iu(rng: random.Random, kind: str | None, idx: int, r: dict, cl: dict) -> tuple[dict, str]:
    c, changes = iu_case(rng, r)
    head = f"IU {r['uid']}: " + ", ".join(changes)
    if kind is None:
        return c, head + "; otherwise unchanged (clean)"
    if kind == "missing_section":
        mode = ["impression_empty", "impression_signature", "impression_removed", "findings_empty"][idx % 4]
        c["miss"] = mode
        return c, head + f"; {mode.replace('_', ' ')}"
    if kind == "placeholder":
        for _ in range(60):
            where = rng.random() < 0.6
            seq = c["findings"] if where else [("", x) for x in c["impression"]]
            k = rng.randrange(len(seq))
            res = put_placeholder(rng, seq[k][1])
            if res:
                if where:
                    c["findings"][k] = ("", res[0])
                else:
                    c["impression"][k] = res[0]
                return c, head + f"; {'FINDINGS' if where else 'IMPRESSION'} word {res[1]}"
        raise RuntimeError("no placeholder slot in " + r["uid"])
    fs = [t for _l, t in c["findings"]]
    if kind == "laterality_conflict":
        s = sides_in(" ".join(c["impression"]))[0]
        fi, ii = _side_sentence(fs, s), _side_sentence(c["impression"], s)
        pairs = [(a, b) for a in fi for b in ii if set(_terms(fs[a])) & set(_terms(c["impression"][b]))]
        a, b = rng.choice(pairs)
        if idx % 2 == 0:
            old = c["impression"][b]
            c["impression"][b] = flip_sides(old)
            return c, head + f"; IMPRESSION '{old}' flipped to '{c['impression'][b]}' (FINDINGS: '{fs[a]}')"
        old = fs[a]
        c["findings"][a] = ("", flip_sides(old))
        return c, head + f"; FINDINGS '{old}' flipped to '{flip_sides(old)}' (IMPRESSION: '{c['impression'][b]}')"
    if kind == "negation_conflict":
        sd = rng.choice(["left", "right"])
        if cl["type"] == "normal":
            g, s = rng.choice(_negated_statement(fs))
            a = rng.choice(NEG_ASSERT[g]).format(sd=sd, Sd=cap(sd))
            a = spell(a, c["uk"])
            c["impression"] = [a]
            return c, head + f"; IMPRESSION replaced by '{a}', which the FINDINGS negate ('{s}')"
        g = rng.choice(_affirmed_groups(fs, c["impression"]))
        deny = spell(NEG_DENY[g], c["uk"])
        keep = [x for x in c["impression"] if not any(t[0] == g and not t[1] for t in clause_terms(x))]
        c["impression"] = keep + [deny] if keep and rng.random() < 0.5 else [deny] + keep
        fsent = next(s for s in fs if any(t[0] == g and not t[1] for t in clause_terms(s))
                     and not HEDGE_LIGHT.search(s) and (g != "heart" or HEART_BIG.search(s)))
        return c, head + f"; IMPRESSION item(s) on {g} replaced by '{deny}' although FINDINGS affirm '{fsent}'"
    if kind == "impression_omits_finding":
        g = _omission_target(fs, c["impression"])
        fsent = next(s for s in fs if any(t[0] == g and not t[1] for t in clause_terms(s)) and not HEDGE.search(s))
        fam = {"consolidation": r"consolidat|air ?space|infiltrat|pneumonia|opacit|atelecta|densit",
               "effusion": r"effusion|blunt|costophrenic|fluid",
               "edema": r"o?edema|congesti|fluid|vascular|heart failure",
               "pneumothorax": r"pneumothora", "free air": r"pneumoperitoneum|free|subdiaphragm"}[g]
        keep = [x for x in c["impression"] if not re.search(fam, x, re.I)
                and not re.match(r"(recommend|this|these|follow|ct\b|consider|correlat|further|if\b|suggest|"
                                 r"otherwise|which|given|findings)", x, re.I)]
        if idx % 2 == 1 and keep and not all(NORMAL_IMP.search(x) for x in keep):
            c["impression"] = keep
            return c, head + f"; IMPRESSION items on {g} removed (other findings kept) although FINDINGS: '{fsent}'"
        other = [x for x in fs if not re.search(fam, x, re.I) and not HEDGE_LIGHT.search(x)
                 and any(not t[1] for t in clause_terms(x)) and not PRE_NEG.search(x) and len(x) < 120]
        if idx % 2 == 1 and other:
            c["impression"] = other[:2]
            return c, head + (f"; IMPRESSION replaced by the other findings {other[:2]} leaving out FINDINGS "
                              f"'{fsent}'")
        norm = rng.choice(GENERIC_NORMAL[c["uk"]])
        c["impression"] = [norm]
        return c, head + f"; IMPRESSION replaced by '{norm}' although FINDINGS: '{fsent}'"
    raise KeyError(kind)


# --------------------------------------------------------------------------------------------------
# the set
# --------------------------------------------------------------------------------------------------

EXCLUDE_UIDS: list[str] = ["CXR1220"]  # real reports read and found to hold their own contradictions


def iu_pool(shared: Path) -> list[tuple[dict, dict, list[str]]]:
    dev = set(dev_uids(shared))
    pool = []
    for r in load_iu(str(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz")):
        if r["uid"] in dev or r["uid"] in EXCLUDE_UIDS:
            continue
        cl = classify_iu(r)
        if cl:
            pool.append((r, cl, iu_candidates(r, cl)))
    return pool


def build(seed: int) -> list[dict]:
    shared = shared_dir()
    rng = random.Random(1710000 + int(seed))
    pool = iu_pool(shared)
    order = list(range(len(pool)))
    rng.shuffle(order)
    used: list[str] = []
    rows = []

    def take(pred) -> tuple[dict, dict]:
        for k in order:
            r, cl, kinds = pool[k]
            if r["uid"] in used:
                continue
            if pred(cl, kinds):
                used.append(r["uid"])
                return r, cl
        raise RuntimeError("IU pool exhausted")

    half = N_KIND // 2
    # the rarest kinds first so that they get their reports
    plan = [("impression_omits_finding", half), ("laterality_conflict", half), ("negation_conflict", half),
            ("placeholder", half), ("missing_section", half), (None, N_CLEAN // 2)]
    for kind, n in plan:
        for j in range(n):
            if kind == "negation_conflict":
                want = "normal" if j % 2 == 0 else "abnormal"
                r, cl = take(lambda cl, ks, w=want: "negation_conflict" in ks and cl["type"] == w)
            elif kind in ("laterality_conflict", "impression_omits_finding"):
                r, cl = take(lambda cl, ks, k=kind: k in ks)
            elif kind is None:
                want = "normal" if j % 5 < 3 else "abnormal"
                r, cl = take(lambda cl, ks, w=want: cl["type"] == w)
            else:
                r, cl = take(lambda cl, ks: True)
            c, detail = inject_iu(rng, kind, j, r, cl)
            rows.append({"injected": kind, "detail": detail, "report": render(c), "uid": r["uid"]})
        for j in range(n):
            c, detail = inject_composed(rng, kind, j)
            rows.append({"injected": kind, "detail": detail, "report": render(c), "uid": None})
    rng.shuffle(rows)
    out = []
    for k, row in enumerate(rows):
        out.append({"id": f"h171-{seed}-{k}", "injected": row["injected"], "detail": row["detail"],
                    "report": row["report"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for row in [r for r in rows if r["injected"] == kind][: a.show]:
                print(f"===== {row['id']}  injected={kind}\n-- {row['detail']}\n{row['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
