"""Held-out report-check set 125, written blind.

Setting: Namibia -- state and private hospitals in Windhoek and the regions (Windhoek Central,
Katutura, Oshakati, Onandjokwe, Rundu, Walvis Bay, Keetmanshoop, and private practices in
Windhoek), reported by radiologists trained in South Africa, Germany and the UK. British
spelling, South African abbreviations (PTB, RVD, CCF, MVA, CTR, SOB, LRTI), "Opinion" /
"Conclusion" / "Impression" sections, exam line, clinical history, comparison, technique and
sign-off lines. Most films are normal or near-normal; findings are the ordinary ones
(pneumonia, effusions, old and active TB, cardiomegaly/CCF, trauma, COPD, nodules).

400 cases: 200 clean and 40 each of missing_section, laterality_conflict, negation_conflict,
impression_omits_finding and placeholder. Half of each group is composed from a phrase bank,
half are real IU reports (never a dev-set uid) re-laid-out and lightly re-worded.

    python -m bench.make_heldout125 OUT.jsonl --seed S [--show N]
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

KINDS = [
    "missing_section",
    "laterality_conflict",
    "negation_conflict",
    "impression_omits_finding",
    "placeholder",
]
N_CLEAN = 200
N_KIND = 40

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def dev_uids() -> set[str]:
    out = set()
    with open(shared_dir() / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: list[dict] | None = None


def load_iu() -> list[dict]:
    """All IU reports, parsed once per process."""
    global _IU_CACHE
    if _IU_CACHE is not None:
        return _IU_CACHE
    rows = []
    path = shared_dir() / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    lab_re = re.compile(r'<AbstractText Label="([A-Z]+)">(.*?)</AbstractText>', re.S)
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.name.endswith(".xml"):
                continue
            x = tf.extractfile(m).read().decode("utf-8", "replace")
            u = re.search(r'<uId id="([^"]+)"', x)
            if not u:
                continue
            secs = {k.lower(): html.unescape(v).strip() for k, v in lab_re.findall(x)}
            majors = re.findall(r"<major>(.*?)</major>", x)
            rows.append({
                "uid": u.group(1),
                "findings": secs.get("findings", ""),
                "impression": secs.get("impression", ""),
                "indication": secs.get("indication", ""),
                "comparison": secs.get("comparison", ""),
                "majors": [html.unescape(s) for s in majors],
            })
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE = rows
    return rows


# --------------------------------------------------------------------------- setting style

HOSPITALS = [
    "Windhoek Central Hospital - Department of Radiology",
    "Katutura Intermediate Hospital, X-ray Department",
    "Oshakati Intermediate Hospital - Radiology",
    "Onandjokwe Intermediate Hospital",
    "Rundu Intermediate Hospital - X-ray",
    "Walvis Bay State Hospital",
    "Keetmanshoop State Hospital",
    "Otjiwarongo State Hospital",
    "Windhoek Radiology Practice (Mediclinic Windhoek)",
    "Roman Catholic Hospital, Windhoek - Radiology",
    "Lady Pohamba Private Hospital - Imaging",
    "Swakopmund Private Radiology",
]
EXAMS = [
    "CHEST X-RAY PA",
    "CXR PA AND LATERAL",
    "X-RAY CHEST: PA ERECT",
    "CHEST RADIOGRAPH (PA + LAT)",
    "CXR - PA VIEW",
    "Examination: Chest X-ray",
    "Exam: CXR PA/LAT",
    "RADIOGRAPH OF THE CHEST",
]
TECHNIQUES = [
    "Technique: PA erect view.",
    "Technique: PA and lateral views.",
    "Technique: Adequately inspired and well centred.",
    "Technique: PA erect. Adequate inspiration, slight rotation to the right.",
    "Views: PA and lateral.",
    "Technique: PA chest, good inspiratory effort.",
]
RADS = [
    "Dr T. Shikongo", "Dr M. van der Merwe", "Dr K. Hoffmann", "Dr N. Amupolo",
    "Dr J. Botha", "Dr H. Schneider", "Dr L. Nghipandulwa", "Dr S. Pillay",
    "Dr A. Kandjii", "Dr R. Steyn", "Dr P. Mwashekele", "Dr C. Wilson",
    "Dr E. Fischer", "Dr G. Haufiku",
]
QUALS = ["MBChB, FC Rad Diag (SA)", "MBChB, MMed (Rad)", "FRCR", "Facharzt fuer Radiologie",
         "MB ChB (UCT), FCRad(D)SA", "MBBS, FRCR"]
HIST = {
    "normal": [
        "Pre-employment medical.", "Routine medical - mining company.", "TB contact screening.",
        "Chronic cough for 2 weeks. ?PTB.", "RVD on ART, routine screening.", "Pre-op assessment.",
        "Chest pain, ?cause.", "SOB on exertion.", "Cough and fever. ?LRTI.",
        "Hypertension, routine work-up.", "Visa / immigration medical.", "Asthma, acute exacerbation.",
        "MVA, chest trauma. ?fractures.", "Fall at home, left chest wall pain.",
        "Weight loss and night sweats.", "Follow-up after completing TB treatment.",
    ],
}
HX_LABELS = ["Clinical history:", "Clinical information:", "Clinical details:", "History:",
             "Indication:", "Clinical info:"]
CMP_LABELS = ["Comparison:", "Previous:", "Prior studies:", "Comparison:"]
F_LABELS = ["Findings:", "FINDINGS:", "Report:", "Findings", "Description:"]
I_LABELS = ["Impression:", "IMPRESSION:", "Conclusion:", "CONCLUSION:", "Opinion:", "OPINION:",
            "Comment:", "Summary:"]
CMP_NONE = ["None.", "None available.", "No previous films available.", "Nil.",
            "No prior imaging on PACS."]


def signoff(rng: random.Random) -> str:
    r = rng.choice(RADS)
    v = rng.randrange(5)
    if v == 0:
        return f"{r}\nRadiologist"
    if v == 1:
        return f"Reported by: {r} ({rng.choice(QUALS)})"
    if v == 2:
        return f"{r}, Consultant Radiologist\nElectronically signed"
    if v == 3:
        return f"Kind regards,\n{r}"
    return f"Reported: {r} / verified"


def render(c: dict, rng: random.Random) -> str:
    """c: exam, history, comparison, technique, findings, impression, sign.
    findings/impression None -> section absent; "" -> header left empty."""
    upper = rng.random() < 0.4
    parts = []
    if rng.random() < 0.45:
        parts.append(rng.choice(HOSPITALS))
    parts.append(c.get("exam") or rng.choice(EXAMS))
    if c.get("history") is not None:
        parts.append(f"{rng.choice(HX_LABELS)} {c['history']}".strip())
    if c.get("comparison") is not None:
        parts.append(f"{rng.choice(CMP_LABELS)} {c['comparison']}".strip())
    if c.get("technique"):
        parts.append(c["technique"])
    fl = rng.choice(F_LABELS)
    il = rng.choice(I_LABELS)
    if upper:
        fl, il = fl.upper(), il.upper()
    if c.get("findings") is not None:
        f = c["findings"]
        parts.append(f"{fl}\n{f}" if f else fl)
    if c.get("impression") is not None:
        i = c["impression"]
        parts.append(f"{il}\n{i}" if i else il)
    if c.get("sign"):
        parts.append(c["sign"])
    return "\n\n".join(parts)


# British spelling and light re-wording for the IU reports
SPELL = [
    (r"\bedema", "oedema"), (r"\bEdema", "Oedema"), (r"hemorrha", "haemorrha"),
    (r"esophag", "oesophag"), (r"Esophag", "Oesophag"), (r"visualized", "visualised"),
    (r"Visualized", "Visualised"), (r"\bcenter", "centre"), (r"recognized", "recognised"),
    (r"\banemia", "anaemia"), (r"ischemi", "ischaemi"), (r"\bx-XXXX", "X-ray"),
    (r"\bX-XXXX", "X-ray"), (r"\bcolor", "colour"), (r"hematoma", "haematoma"),
    (r"leukocyt", "leucocyt"), (r"\btumor", "tumour"), (r"\bfavor", "favour"),
    (r"\bcalcified granuloma", "calcified granuloma"), (r"\bopacified", "opacified"),
]
REWORD = [
    (r"\bNo acute cardiopulmonary (abnormality|disease|process|findings?)\b",
     ["No active cardiopulmonary disease", "No acute cardiopulmonary abnormality",
      "No acute cardiopulmonary pathology"]),
    (r"\bThere is no evidence of\b", ["No evidence of", "There is no evidence of"]),
    (r"\bThe lungs are clear\b", ["Both lung fields are clear", "The lungs are clear"]),
    (r"\bchest x-ray\b", ["chest radiograph", "CXR"]),
    (r"\bcardiomediastinal silhouette\b", ["cardiomediastinal contour", "cardiomediastinal silhouette"]),
    (r"\bpneumothorax\b", ["pneumothorax"]),
]


def restyle(text: str, rng: random.Random) -> str:
    t = re.sub(r"\.\.+", ".", text or "")
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\.(\s*\.)+", ".", t)
    for a, b in SPELL:
        t = re.sub(a, b, t)
    for a, opts in REWORD:
        t = re.sub(a, lambda m, o=opts: rng.choice(o), t)
    return t


SIG_WORDS = re.compile(
    r"pneumothora|effusion|consolidat|oedema|edema|pneumonia|infiltrat|airspace|mass\b|nodule|"
    r"congest|cardiomegaly|enlarged|widen|opacit|collapse|atelecta|fractur|free air|"
    r"pneumoperitoneum", re.I)
NEG_SENT = re.compile(r"^(no|without|negative|there (is|are) no|not|none)\b|\bno (evidence|"
                      r"focal|acute|large|pleural|pneumothorax|effusion|definite|visible|"
                      r"consolidation|airspace|edema|oedema)|\bnot (seen|identified|enlarged)|"
                      r"\bresolved\b|\bclear\b|\bnormal\b|within normal|unremarkable", re.I)
HEDGE = re.compile(r"cannot be excluded|possible|question|may represent|versus|\bvs\b|"
                   r"could|suggest|likely|probabl|\?", re.I)
SIDE = re.compile(r"\b(left|right|Left|Right|LEFT|RIGHT)\b")


def sents(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", t.strip()) if s]


def flip_side(s: str, count: int = 1) -> str:
    sw = {"left": "right", "right": "left", "Left": "Right", "Right": "Left",
          "LEFT": "RIGHT", "RIGHT": "LEFT"}
    return SIDE.sub(lambda m: sw[m.group(1)], s, count=count)


GROUPS = {
    "effusion": r"effusion",
    "pneumothorax": r"pneumothora",
    "airspace": r"opacit|consolidat|airspace|infiltrat|pneumonia|atelecta|density|densities",
    "nodule": r"nodul|mass\b|granuloma",
    "fracture": r"fractur",
    "hemidiaphragm": r"hemidiaphragm",
}


def group_of(s: str) -> set[str]:
    return {g for g, p in GROUPS.items() if re.search(p, s, re.I)}


# --------------------------------------------------------------------------- phrase bank

NORMAL = {
    "heart": ["Heart size is within normal limits (CTR 0.45).", "The heart is not enlarged.",
              "Cardiac size and contour are normal.", "Normal heart size, CTR < 0.5.",
              "The cardiac silhouette is normal in size."],
    "mediastinum": ["Mediastinum is not widened. Trachea is central.",
                    "Normal mediastinal contour; hila are normal in size and position.",
                    "The trachea is midline and the mediastinum is of normal width.",
                    "Hilar shadows are normal."],
    "lungs": ["Both lung fields are clear.", "The lungs are clear with no focal consolidation.",
              "No focal lung lesion, consolidation or cavitation seen.",
              "Lung fields are clear. No features of active PTB.",
              "Normal pulmonary vascularity; lungs are clear."],
    "pleura": ["Costophrenic angles are clear.", "No pleural effusion or pneumothorax.",
               "Both costophrenic angles are sharp. No pneumothorax.",
               "Pleural spaces are clear. Hemidiaphragms are well outlined."],
    "bones": ["Bony thorax is intact.", "Visualised bones and soft tissues are unremarkable.",
              "No rib fractures seen. Soft tissues normal.", "The bony thorax appears normal."],
}
NORMAL_IMP = [
    "Normal chest radiograph.", "No active chest disease.", "No radiological abnormality detected.",
    "Normal chest. No features of active pulmonary TB.", "No acute cardiopulmonary abnormality.",
    "Normal study.", "No significant abnormality.", "Normal chest X-ray.",
    "No radiological evidence of active PTB. Normal heart size.",
]
# macros used to paste over an impression (no explicit negation of a named finding)
NORMAL_MACRO = [
    "No active chest disease.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
    "No significant abnormality detected.", "Normal study.", "NAD.",
    "No acute disease.", "Normal chest X-ray. No active disease.",
]
NONDESC_IMP = ["No significant change.", "Stable appearances.", "No acute disease.",
               "No active disease.", "As compared, no interval change."]

ZONES = ["upper", "mid", "lower"]

# key: (domain, significant, lateral, findings templates, impression templates,
#       explicit findings negation, impression negation)
ABN = {
    "consolidation": ("lungs", True, True,
                      ["Dense airspace consolidation in the {side} {zone} zone with air bronchograms.",
                       "Patchy consolidation is present in the {side} {zone} zone.",
                       "There is a homogeneous opacity with air bronchograms in the {side} {zone} "
                       "zone, in keeping with consolidation."],
                      ["{Side} {zone} zone consolidation, in keeping with pneumonia.",
                       "{Side} {zone} zone pneumonia. Suggest follow-up film after treatment.",
                       "Consolidation {side} {zone} zone, most likely infective."],
                      ["Both lung fields are clear.", "The lungs are clear with no consolidation."],
                      ["Lungs are clear.", "No consolidation."]),
    "eff_big": ("pleura", True, True,
                ["There is a {size} {side} pleural effusion with a meniscus reaching the {level}.",
                 "{Size} {side}-sided pleural effusion obscuring the {side} hemidiaphragm."],
                ["{Size} {side} pleural effusion.", "{Size} {side} pleural effusion. ?Parapneumonic / TB "
                 "- suggest diagnostic tap."],
                ["No pleural effusion.", "Both costophrenic angles are clear, no effusion."],
                ["No pleural effusion.", "Costophrenic angles clear."]),
    "pneumothorax": ("pleura", True, True,
                     ["There is a {side} pneumothorax with the lung edge about {cm} cm from the "
                      "lateral chest wall. No mediastinal shift.",
                      "{Side} apical pneumothorax, rim {cm} cm. Trachea central."],
                     ["{Side} pneumothorax (about {cm} cm rim). Findings phoned to the casualty doctor.",
                      "{Side}-sided pneumothorax, no tension features."],
                     ["No pneumothorax.", "No pneumothorax or pleural effusion."],
                     ["No pneumothorax.", "No pneumothorax seen."]),
    "oedema": ("heart", True, False,
               ["The heart is enlarged (CTR 0.62). Upper lobe venous diversion with bilateral "
                "perihilar haziness and Kerley B lines.",
                "Cardiomegaly with pulmonary venous congestion and interstitial oedema; small "
                "bilateral effusions."],
               ["Cardiomegaly with pulmonary oedema, in keeping with CCF.",
                "Congestive cardiac failure: cardiomegaly and interstitial oedema."],
               ["Heart size is normal and the lungs are clear."],
               ["Normal heart size. Lungs clear."]),
    "nodule": ("lungs", True, True,
               ["A well-defined {mm} mm nodule is seen in the {side} {zone} zone.",
                "There is a rounded {mm} mm opacity in the {side} {zone} zone."],
               ["{mm} mm {side} {zone} zone nodule. CT chest recommended.",
                "Solitary {side} {zone} zone nodule ({mm} mm) - further evaluation with CT advised."],
               ["No focal lung lesion seen.", "Lungs are clear; no nodule or mass."],
               ["No lung nodule.", "Lungs clear."]),
    "mass": ("mediastinum", True, True,
             ["There is a lobulated {cm} cm mass at the {side} hilum.",
              "Enlarged, lobulated {side} hilum, in keeping with a {cm} cm hilar mass."],
             ["{Side} hilar mass, suspicious for malignancy. CT chest advised.",
              "{Side} hilar mass - ?bronchogenic carcinoma, ?lymphadenopathy. Recommend CT."],
             ["Hila are normal in size and position."],
             ["Normal hila.", "No hilar mass."]),
    "ptb": ("lungs", True, True,
            ["Cavitating consolidation in the {side} upper zone with surrounding nodular opacities.",
             "Patchy consolidation with a thin-walled cavity in the {side} upper zone."],
            ["Features in keeping with active pulmonary TB ({side} upper zone cavitation). "
             "Sputum GeneXpert advised.",
             "{Side} upper zone cavitating consolidation - active PTB likely."],
            ["Lung fields are clear. No features of active PTB."],
            ["No features of active PTB.", "Lungs clear."]),
    "mediastinum": ("mediastinum", True, False,
                    ["The superior mediastinum is widened, measuring {mw} cm at the level of the "
                     "aortic knuckle (supine AP film)."],
                    ["Widened mediastinum - CT angiogram advised to exclude aortic injury.",
                     "Widened superior mediastinum in the setting of trauma; CTA recommended."],
                    ["Mediastinum is not widened."],
                    ["Mediastinum normal width.", "Mediastinum not widened."]),
    # minor / chronic
    "mild_cardio": ("heart", False, False,
                    ["The heart is mildly enlarged (CTR 0.55).", "Mild cardiomegaly, CTR 0.56."],
                    ["Mild cardiomegaly.", "Mildly enlarged heart; no failure."],
                    ["Heart size is normal (CTR 0.45)."],
                    ["Normal heart size."]),
    "granuloma": ("lungs", False, True,
                  ["Lungs are clear apart from a small calcified granuloma in the {side} {zone} zone."],
                  ["Calcified granuloma {side} {zone} zone, of no clinical significance.",
                   "Old calcified granuloma ({side} {zone} zone)."],
                  [], []),
    "ribs": ("bones", False, True,
             ["Old healed fractures of the {side} {r1}th and {r2}th ribs laterally.",
              "Healed {side} {r1}th and {r2}th rib fractures with callus."],
             ["Old healed {side} rib fractures.", "Healed {side} rib fractures, no acute injury."],
             [], []),
    "oldtb": ("lungs", False, True,
              ["Fibrotic strands and volume loss in the {side} upper zone with upward hilar "
               "retraction, in keeping with old healed TB.",
               "Fibro-calcific changes in the {side} upper zone (post-TB)."],
              ["Post-TB fibrotic changes {side} upper zone. No radiological features of active TB.",
               "Old healed TB {side} upper zone; compare with previous films if available."],
              [], []),
    "aorta": ("mediastinum", False, False,
              ["The aorta is unfolded with calcification of the aortic knuckle.",
               "Unfolded thoracic aorta; mediastinum otherwise normal."],
              ["Unfolded, atherosclerotic aorta.", "Unfolded aorta."], [], []),
    "copd": ("lungs", False, False,
             ["The lungs are hyperinflated with flattened hemidiaphragms; no focal lesion.",
              "Hyperexpanded lungs with attenuated peripheral vasculature."],
             ["Hyperinflation in keeping with COPD.", "Features of COPD. No active disease."],
             [], []),
    "spine": ("bones", False, False,
              ["Degenerative changes of the thoracic spine.",
               "Mild thoracic spondylosis."],
              ["Degenerative thoracic spine.", "Thoracic spondylosis."], [], []),
    "eff_small": ("pleura", False, True,
                  ["Small {side} pleural effusion blunting the costophrenic angle."],
                  ["Small {side} pleural effusion.", "Minimal {side} effusion."],
                  ["No pleural effusion."], ["No effusion."]),
    "plate": ("lungs", False, True,
              ["Linear atelectasis at the {side} base.", "Plate atelectasis {side} lower zone."],
              ["Minor {side} basal atelectasis.", "Linear {side} basal atelectasis."], [], []),
}
SIG_KEYS = [k for k, v in ABN.items() if v[1]]
MINOR_KEYS = [k for k, v in ABN.items() if not v[1]]
HX_FOR = {
    "consolidation": ["Fever and productive cough. ?pneumonia.", "Cough, pyrexia, ?LRTI.",
                      "RVD, CD4 low, fever and cough."],
    "eff_big": ["SOB, reduced air entry.", "Pleuritic chest pain and dyspnoea.", "?PTB, SOB."],
    "pneumothorax": ["Sudden onset chest pain and SOB.", "Stab wound to chest.", "MVA, SOB."],
    "oedema": ["Known hypertensive, orthopnoea and bilateral leg oedema.", "?CCF.",
               "Dyspnoea, raised JVP."],
    "nodule": ["Chronic cough, smoker.", "Weight loss.", "Haemoptysis."],
    "mass": ["Haemoptysis and weight loss. Smoker.", "Persistent cough, 30 pack-years."],
    "ptb": ["Cough > 2 weeks, night sweats. ?PTB.", "RVD, weight loss, ?PTB.",
            "TB contact, productive cough."],
    "mediastinum": ["MVA, high-speed, chest trauma.", "Polytrauma - MVA rollover."],
}


def fill(t: str, p: dict) -> str:
    return t.format(**p)


def make_params(rng: random.Random) -> dict:
    side = rng.choice(["right", "left"])
    other = "left" if side == "right" else "right"
    size = rng.choice(["moderate", "large", "moderate"])
    r1 = rng.randint(4, 8)
    return {
        "side": side, "Side": side.capitalize(), "other": other, "Other": other.capitalize(),
        "zone": rng.choice(ZONES), "size": size, "Size": size.capitalize(),
        "level": rng.choice(["mid zone", "lower third of the hemithorax", "hilum"]),
        "cm": rng.choice([2, 3, 4, 5]), "mw": rng.choice([9, 10, 11]),
        "mm": rng.choice([7, 8, 9, 11, 12, 14, 16, 18, 22]),
        "r1": r1, "r2": r1 + 1,
    }


def other_params(p: dict) -> dict:
    q = dict(p)
    q["side"], q["other"] = p["other"], p["side"]
    q["Side"], q["Other"] = p["Other"], p["Side"]
    return q


def bank_case(rng: random.Random, abns: list[str]) -> dict:
    """Compose a consistent report with the given abnormalities (domain slots)."""
    p = make_params(rng)
    findings: dict[str, list[str]] = {d: [rng.choice(NORMAL[d])] for d in NORMAL}
    imp: list[str] = []
    info = []
    for k in abns:
        dom, sig, lat, fts, its, negf, negi = ABN[k]
        fi = rng.randrange(len(fts))
        ii = rng.randrange(len(its))
        f = fill(fts[fi], p)
        i = fill(its[ii], p)
        if k in ("granuloma", "oldtb", "consolidation", "nodule", "ptb", "copd", "plate") \
                and dom == "lungs":
            findings["lungs"] = [f]
        elif k == "oedema":
            findings["heart"] = [f]
            findings["lungs"] = []
            findings["pleura"] = [] if "effusions" in f else ["No pneumothorax."]
        elif k == "mediastinum":
            findings["mediastinum"] = [f]
        else:
            findings[dom] = [f]
        if dom == "lungs" and k in ("consolidation", "nodule", "ptb"):
            # keep pleura statement neutral
            findings["pleura"] = [rng.choice(["No pleural effusion.", "Costophrenic angles are clear."])]
        if k in ("eff_big", "eff_small", "pneumothorax"):
            findings["pleura"] = [f]
        imp.append(i)
        info.append({"key": k, "fi": fi, "ii": ii, "f": f, "i": i, "p": p})
    exam = rng.choice(EXAMS)
    if "mediastinum" in abns:
        exam = "CHEST X-RAY AP SUPINE (RESUS)"
        tech = "Technique: AP supine trauma film."
    else:
        tech = rng.choice(TECHNIQUES) if rng.random() < 0.5 else ""
    hx = None
    for k in abns:
        if k in HX_FOR:
            hx = rng.choice(HX_FOR[k])
    if hx is None:
        hx = rng.choice(HIST["normal"])
    order = ["heart", "mediastinum", "lungs", "pleura", "bones"]
    if rng.random() < 0.4:
        order = ["lungs", "pleura", "heart", "mediastinum", "bones"]
    if not imp:
        imp_txt = rng.choice(NORMAL_IMP)
    else:
        if len(imp) > 1 and rng.random() < 0.6:
            imp_txt = " ".join(f"{n + 1}. {s}" for n, s in enumerate(imp))
        else:
            imp_txt = " ".join(imp)
        if not any(ABN[k][1] for k in abns) and rng.random() < 0.5:
            imp_txt += " " + rng.choice(["No active disease.", "No acute cardiopulmonary abnormality.",
                                          "No features of active PTB."])
    cmp_ = rng.choice(CMP_NONE) if rng.random() < 0.7 else \
        f"CXR of {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(18, 24)}."
    return {
        "exam": exam, "history": hx, "comparison": cmp_, "technique": tech,
        "fd": findings, "order": order, "imp": imp_txt, "info": info, "p": p,
        "sign": signoff(rng),
    }


def fjoin(c: dict, rng: random.Random) -> str:
    out = []
    for d in c["order"]:
        out.extend(c["fd"][d])
    if rng.random() < 0.2:
        return "\n".join(f"- {s}" for s in out)
    return " ".join(out)


def pick_abns(rng: random.Random) -> list[str]:
    r = rng.random()
    if r < 0.58:
        return []
    if r < 0.85:
        ks = rng.sample(MINOR_KEYS, rng.choice([1, 1, 2]))
    else:
        ks = [rng.choice(SIG_KEYS)]
        if rng.random() < 0.3:
            ks.append(rng.choice(["spine", "aorta", "granuloma"]))
    # one lung-slot abnormality at most, one pleura-slot at most
    seen, out = set(), []
    for k in ks:
        d = ABN[k][0]
        if d in seen:
            continue
        seen.add(d)
        out.append(k)
    return out


def as_case(c: dict, rng: random.Random, findings: str | None, impression: str | None) -> str:
    return render({
        "exam": c["exam"], "history": c["history"], "comparison": c["comparison"],
        "technique": c["technique"], "findings": findings, "impression": impression,
        "sign": c["sign"],
    }, rng)


def bank_clean(rng: random.Random) -> tuple[str, str]:
    abns = pick_abns(rng)
    c = bank_case(rng, abns)
    f = fjoin(c, rng)
    imp = c["imp"]
    # chronic findings sometimes left out of a normal-sounding impression (allowed)
    if abns and all(k in ("spine", "granuloma", "aorta") for k in abns) and rng.random() < 0.4:
        imp = rng.choice(["No active chest disease.", "No acute cardiopulmonary abnormality."])
    if not abns and rng.random() < 0.08:
        # impression-only report that describes the film: complete
        only = rng.choice([
            "Normal chest radiograph: heart size normal, lungs clear, no effusion or pneumothorax, "
            "bony thorax intact.",
            "Heart and mediastinum normal. Lungs clear. No pleural fluid. Bones intact. "
            "Normal study.",
        ])
        return as_case(c, rng, None, only), "composed clean (impression-only, descriptive)"
    return as_case(c, rng, f, imp), "composed clean: " + (", ".join(abns) or "normal")


def bank_missing(rng: random.Random) -> tuple[str, str]:
    abns = pick_abns(rng)
    c = bank_case(rng, abns)
    f = fjoin(c, rng)
    v = rng.randrange(4)
    if v == 3:
        return as_case(c, rng, "", rng.choice(NONDESC_IMP)), \
            "findings section left empty; impression non-descriptive"
    if v == 2:
        return as_case(c, rng, f, None), "impression/conclusion section absent"
    return as_case(c, rng, f, ""), "impression header present but left empty"


def bank_laterality(rng: random.Random) -> tuple[str, str]:
    k = rng.choice(["consolidation", "eff_big", "pneumothorax", "nodule", "mass", "ptb",
                    "ribs", "eff_small", "oldtb", "granuloma", "consolidation", "eff_big"])
    extra = [e for e in [rng.choice(["spine", "aorta"])] if ABN[e][0] != ABN[k][0]]
    extra = extra if rng.random() < 0.25 else []
    c = bank_case(rng, [k] + extra)
    info = c["info"][0]
    p = info["p"]
    q = other_params(p)
    its = ABN[k][4]
    wrong_i = fill(its[info["ii"]], q)
    v = rng.randrange(3)
    if v == 0:
        c["imp"] = c["imp"].replace(info["i"], wrong_i)
        det = f"impression side flipped: findings {p['side']}, impression '{wrong_i}'"
    elif v == 1:
        wrong_f = fill(ABN[k][3][info["fi"]], q)
        for d in c["fd"]:
            c["fd"][d] = [wrong_f if s == info["f"] else s for s in c["fd"][d]]
        det = f"findings side flipped to {q['side']}; impression keeps {p['side']}"
    else:
        fu = {
            "consolidation": "Follow-up film in 6 weeks to confirm resolution of the {side} {zone} "
                             "zone consolidation.",
            "eff_big": "Repeat film after drainage of the {side} effusion.",
            "pneumothorax": "Repeat CXR after insertion of a {side} intercostal drain.",
            "nodule": "CT chest for the {side} nodule.",
            "mass": "Refer to the chest clinic for CT of the {side} hilum.",
            "ptb": "Isolate; sputum for GeneXpert ({side} upper zone cavity).",
            "ribs": "The {side} rib fractures are old and healed.",
            "eff_small": "Follow-up of the {side} effusion recommended.",
            "oldtb": "Compare with old films of the {side} upper zone.",
            "granuloma": "The {side} granuloma needs no follow-up.",
        }[k]
        c["imp"] = c["imp"] + " " + fill(fu, q)
        det = f"added impression sentence names {q['side']} side; rest says {p['side']}"
    return as_case(c, rng, fjoin(c, rng), c["imp"]), det


def bank_negation(rng: random.Random) -> tuple[str, str]:
    k = rng.choice(["consolidation", "eff_big", "pneumothorax", "oedema", "nodule", "mild_cardio",
                    "ptb", "eff_small", "mass", "mediastinum"])
    c = bank_case(rng, [k])
    info = c["info"][0]
    dom, sig, lat, fts, its, negf, negi = ABN[k]
    if rng.random() < 0.5:
        nf = rng.choice(negf)
        for d in c["fd"]:
            c["fd"][d] = [nf if s == info["f"] else s for s in c["fd"][d]]
        if k == "oedema":
            c["fd"]["lungs"] = []
        det = f"findings negate ('{nf}') what impression asserts ('{info['i']}')"
    else:
        ni = rng.choice(negi)
        rest = rng.choice(["No active disease.", "Otherwise normal chest.", ""])
        c["imp"] = (ni + " " + rest).strip()
        det = f"impression negates ('{ni}') what findings affirm ('{info['f']}')"
    return as_case(c, rng, fjoin(c, rng), c["imp"]), det


def bank_omits(rng: random.Random) -> tuple[str, str]:
    k = rng.choice(SIG_KEYS)
    extra = []
    if rng.random() < 0.35:
        extra = [e for e in [rng.choice(["spine", "aorta", "ribs"])] if ABN[e][0] != ABN[k][0]]
    c = bank_case(rng, [k] + extra)
    if extra and rng.random() < 0.6:
        c["imp"] = c["info"][1]["i"] + " " + rng.choice(["No active disease.", "Otherwise normal.", ""])
        c["imp"] = c["imp"].strip()
        det = f"impression mentions only the minor finding, omits {k}"
    else:
        c["imp"] = rng.choice(NORMAL_MACRO)
        det = f"normal macro pasted over impression; findings affirm {k}"
    return as_case(c, rng, fjoin(c, rng), c["imp"]), det


PH = ["[***]", "***", "[ ]", "< >", "<<>>", "[..]", "{ }", "[**]"]


def bank_placeholder(rng: random.Random) -> tuple[str, str]:
    v = rng.randrange(8)
    abns = pick_abns(rng)
    if v == 2:
        abns = ["nodule"]
    if v == 5:
        abns = [rng.choice(["eff_small", "eff_big", "consolidation"])]
    if v in (0, 6):
        abns = [k for k in abns if ABN[k][0] != "heart"]
    c = bank_case(rng, abns)
    tok = rng.choice(PH)
    det = ""
    if v == 0:
        c["fd"]["heart"] = [f"Heart size normal, CTR {tok}."]
        det = f"CTR value left as {tok}"
    elif v == 1:
        c["comparison"] = rng.choice([f"CXR dated {tok}.", f"{tok}", "<date of previous study>"])
        det = "comparison field not filled"
    elif v == 2:
        inf = c["info"][0]
        new_i = inf["i"].replace(str(inf["p"]["mm"]), tok, 1)
        c["imp"] = c["imp"].replace(inf["i"], new_i)
        det = f"nodule size in impression left as {tok}"
    elif v == 3:
        c["history"] = rng.choice([tok, "[clinical details]", "<<indication>>"])
        det = "clinical history field not filled"
    elif v == 4:
        c["sign"] = rng.choice(["Reported by: [Radiologist name]", "Dr <<name>>\nRadiologist",
                                f"Dr {tok}, Radiologist"])
        det = "radiologist name field not filled in sign-off"
    elif v == 5:
        inf = c["info"][0]
        s = inf["p"]["side"]
        new_i = re.sub(rf"\b{s}\b|\b{s.capitalize()}\b", "[left/right]", inf["i"], count=1)
        c["imp"] = c["imp"].replace(inf["i"], new_i)
        det = "side pick-list left unresolved in impression"
    elif v == 6:
        c["fd"]["heart"] = ["Heart size: [normal/enlarged]."]
        det = "heart-size pick-list left unresolved"
    else:
        c["technique"] = rng.choice([f"Technique: {tok} view(s).", "Technique: [PA/AP] erect."])
        det = "technique field not filled"
    return as_case(c, rng, fjoin(c, rng), c["imp"]), det


# --------------------------------------------------------------------------- IU pools

CHRONIC = {"Calcified Granuloma", "Granulomatous Disease", "Calcinosis", "Thoracic Vertebrae",
           "Spine", "Scoliosis", "Osteophyte", "Spondylosis", "Cicatrix", "Aorta",
           "Atherosclerosis", "Kyphosis", "Granuloma", "Arthritis", "Aorta, Thoracic"}


def is_clean_text(r: dict) -> bool:
    txt = r["findings"] + " " + r["impression"]
    if "[" in txt or "___" in txt or "*" in txt:
        return False
    for s in sents(r["findings"]) + sents(r["impression"]):
        if SIG_WORDS.search(s) and not NEG_SENT.search(s):
            return False
    return True


def iu_pools(rows: list[dict]) -> dict[str, list[dict]]:
    dev = dev_uids()
    pools = {"normal": [], "minor": [], "lat": [], "omit": []}
    for r in rows:
        if r["uid"] in dev or not r["findings"] or not r["impression"]:
            continue
        if len(r["findings"]) < 40:
            continue
        heads = {m.split("/")[0] for m in r["majors"]}
        if heads == {"normal"} and is_clean_text(r):
            pools["normal"].append(r)
        elif heads and heads <= CHRONIC and is_clean_text(r):
            if not SIDE.search(r["findings"] + r["impression"]):
                pools["minor"].append(r)
        # laterality candidates: exactly one side word type across the report
        sides = {m.lower() for m in SIDE.findall(r["findings"] + " " + r["impression"])}
        if len(sides) == 1 and "bilateral" not in (r["findings"] + r["impression"]).lower():
            fs = [s for s in sents(r["findings"]) if SIDE.search(s) and not NEG_SENT.search(s)]
            is_ = [s for s in sents(r["impression"]) if SIDE.search(s) and not NEG_SENT.search(s)]
            if fs and is_:
                g = set().union(*[group_of(s) for s in fs]) & set().union(*[group_of(s) for s in is_])
                if g:
                    pools["lat"].append(r)
        # omission candidates: impression affirms a significant finding, findings too
        om = re.compile(r"pneumonia|consolidat|airspace disease|infiltrat|edema|pneumothora|"
                        r"\bmass\b|(moderate|large) (right|left|bilateral)?\s*pleural effusion|"
                        r"congestive heart failure|\bCHF\b", re.I)
        bad = re.compile(r"stable|chronic|unchanged|resolv|improv|old|healed|small|trace|tiny|"
                         r"minimal|scar|atelecta|decreas|\bno\b|without|not\b", re.I)
        isig = [s for s in sents(r["impression"]) if om.search(s) and not bad.search(s)
                and not HEDGE.search(s)]
        if isig and not any(bad.search(s) for s in sents(r["impression"]) if om.search(s)):
            g = set().union(*[group_of(s) | ({"edema"} if re.search("edema|CHF|congest", s, re.I)
                                                else set()) for s in isig])
            ok = False
            for s in sents(r["findings"]):
                if NEG_SENT.search(s) and re.match(r"(?i)(no|there is no|there are no)\b", s):
                    continue
                sg = group_of(s) | ({"edema"} if re.search("edema|congest", s, re.I) else set())
                if sg & g and not re.search(r"(?i)\bno\b|without|small|trace|resolv", s):
                    ok = True
            if ok and "normal" not in r["impression"].lower():
                pools["omit"].append(r)
    return pools


def iu_sections(r: dict, rng: random.Random) -> dict:
    comp = restyle(r["comparison"], rng)
    if not comp or re.fullmatch(r"(?i)none\.?", comp):
        comp = rng.choice(CMP_NONE)
    hx = restyle(r["indication"], rng) or rng.choice(HIST["normal"])
    return {
        "exam": rng.choice(EXAMS), "history": hx, "comparison": comp,
        "technique": rng.choice(TECHNIQUES) if rng.random() < 0.35 else "",
        "findings": restyle(r["findings"], rng), "impression": restyle(r["impression"], rng),
        "sign": signoff(rng),
    }


def iu_clean(r: dict, rng: random.Random) -> tuple[str, str]:
    c = iu_sections(r, rng)
    return render(c, rng), f"real IU {r['uid']} re-laid-out, unmodified content"


def iu_missing(r: dict, rng: random.Random) -> tuple[str, str]:
    c = iu_sections(r, rng)
    imp = c["impression"]
    nondesc = re.fullmatch(r"(?i)(no acute|no active|negative|stable|no interval|unchanged)"
                           r"[^.]{0,50}\.?", imp or "")
    if nondesc and rng.random() < 0.5:
        c["findings"] = ""
        return render(c, rng), f"IU {r['uid']}: findings removed; impression '{imp}' non-descriptive"
    c["impression"] = "" if rng.random() < 0.6 else None
    return render(c, rng), f"IU {r['uid']}: impression removed"


def iu_laterality(r: dict, rng: random.Random) -> tuple[str, str] | None:
    c = iu_sections(r, rng)
    fs = sents(c["findings"])
    is_ = sents(c["impression"])
    fi = [n for n, s in enumerate(fs) if SIDE.search(s) and not NEG_SENT.search(s)]
    ii = [n for n, s in enumerate(is_) if SIDE.search(s) and not NEG_SENT.search(s)]
    pairs = [(a, b) for a in fi for b in ii if group_of(fs[a]) & group_of(is_[b])]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    if rng.random() < 0.6:
        new = flip_side(is_[b], count=0)
        is_[b] = new
        c["impression"] = " ".join(is_)
        det = f"IU {r['uid']}: impression sentence side flipped: '{new}'"
    else:
        new = flip_side(fs[a], count=0)
        fs[a] = new
        c["findings"] = " ".join(fs)
        det = f"IU {r['uid']}: findings sentence side flipped: '{new}'"
    return render(c, rng), det


def iu_negation(r: dict, rng: random.Random) -> tuple[str, str] | None:
    c = iu_sections(r, rng)
    f = c["findings"]
    opts = []
    if re.search(r"(?i)\bno\b[^.]*pneumothora|pneumothora[^.]*(not seen|absent)", f):
        opts.append(rng.choice(["Small {s} apical pneumothorax.",
                                "{S}-sided pneumothorax; clinical correlation."]))
    if re.search(r"(?i)\bno\b[^.]*effusion", f):
        opts.append(rng.choice(["Small {s} pleural effusion.", "Bilateral small pleural effusions.",
                                "Blunting of the {s} costophrenic angle by a small effusion."]))
    if re.search(r"(?i)(heart|cardiac)[^.]*(normal|within normal|not enlarged)|normal (heart|cardiac)"
                 r"|(cardiomediastinal|cardiac) (silhouette|contour)[^.]*(normal|unremarkable)", f):
        opts.append(rng.choice(["Cardiomegaly.", "Cardiomegaly (CTR 0.6).", "Enlarged heart."]))
    if re.search(r"(?i)lungs? (fields? )?(are|is) clear|clear lungs|\bno\b[^.]*(consolidat|airspace)", f):
        opts.append(rng.choice(["{S} lower zone consolidation, in keeping with pneumonia.",
                                "Patchy {s} basal consolidation - ?LRTI.",
                                "{S} upper zone consolidation. ?PTB - sputum GeneXpert advised."]))
    if not opts:
        return None
    side = rng.choice(["right", "left"])
    stmt = rng.choice(opts).format(s=side, S=side.capitalize())
    v = rng.randrange(3)
    if v == 0:
        c["impression"] = stmt
    elif v == 1:
        c["impression"] = f"1. {stmt} 2. No other active disease."
    else:
        c["impression"] = stmt + " " + rng.choice(["Otherwise normal.", "No other abnormality."])
    return render(c, rng), f"IU {r['uid']}: impression asserts '{stmt}' which findings negate"


def iu_omits(r: dict, rng: random.Random) -> tuple[str, str]:
    c = iu_sections(r, rng)
    old = c["impression"]
    c["impression"] = rng.choice(NORMAL_MACRO)
    return render(c, rng), f"IU {r['uid']}: impression '{old[:80]}' replaced by normal macro"


def iu_placeholder(r: dict, rng: random.Random) -> tuple[str, str] | None:
    c = iu_sections(r, rng)
    tok = rng.choice(PH)
    v = rng.randrange(5)
    if v == 0:
        c["comparison"] = rng.choice([f"Previous CXR dated {tok}.", tok, "<date>"])
        return render(c, rng), f"IU {r['uid']}: comparison field not filled"
    if v == 1:
        c["sign"] = rng.choice(["Reported by: [Radiologist name]", f"Dr {tok}\nRadiologist"])
        return render(c, rng), f"IU {r['uid']}: radiologist name not filled in sign-off"
    # replace one content word in findings or impression
    sec = rng.choice(["findings", "impression"]) if v != 4 else "findings"
    ws = list(re.finditer(r"\b(normal|clear|heart|lungs?|pneumothorax|effusion|"
                          r"mediastin\w+|silhouette|size|osseous|bony|structures|contour|"
                          r"consolidation|thoracic|limits|acute|pleural|focal)\b", c[sec]))
    if not ws:
        return None
    m = rng.choice(ws)
    c[sec] = c[sec][:m.start()] + tok + c[sec][m.end():]
    return render(c, rng), f"IU {r['uid']}: '{m.group(0)}' in {sec} replaced by {tok}"


# --------------------------------------------------------------------------- build

BANK = {
    None: bank_clean, "missing_section": bank_missing, "laterality_conflict": bank_laterality,
    "negation_conflict": bank_negation, "impression_omits_finding": bank_omits,
    "placeholder": bank_placeholder,
}


def build(seed: int) -> list[dict]:
    rng = random.Random(f"h125-{seed}")
    pools = iu_pools(load_iu())
    for v in pools.values():
        rng.shuffle(v)
    used: set[str] = set()

    def take(pool: str) -> dict:
        for r in pools[pool]:
            if r["uid"] not in used:
                used.add(r["uid"])
                return r
        raise RuntimeError(f"pool {pool} exhausted")

    cases: list[tuple[str | None, str, str]] = []
    # clean
    for _ in range(N_CLEAN // 2):
        cases.append((None,) + bank_clean(rng)[::-1])
    for n in range(N_CLEAN // 2):
        r = take("minor" if n % 3 == 0 else "normal")
        cases.append((None,) + iu_clean(r, rng)[::-1])
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            cases.append((kind,) + BANK[kind](rng)[::-1])
        got = 0
        while got < N_KIND // 2:
            if kind == "laterality_conflict":
                res = iu_laterality(take("lat"), rng)
            elif kind == "impression_omits_finding":
                res = iu_omits(take("omit"), rng)
            elif kind == "negation_conflict":
                res = iu_negation(take("normal"), rng)
            elif kind == "placeholder":
                res = iu_placeholder(take(rng.choice(["normal", "minor"])), rng)
            else:
                res = iu_missing(take(rng.choice(["normal", "normal", "minor"])), rng)
            if res is None:
                continue
            cases.append((kind, res[1], res[0]))
            got += 1
    rng.shuffle(cases)
    return [{"id": f"h125-{seed}-{n}", "injected": k, "detail": d, "report": t}
            for n, (k, d, t) in enumerate(cases)]


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
        for k in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == k][: a.show]:
                print(f"=== {r['id']} {k} | {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} cases to {a.out}")


if __name__ == "__main__":
    main()
