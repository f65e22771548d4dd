"""Held-out report-check set no. 46: the everyday mix of a large US academic hospital.

Written BLIND: without reading the checker, its tests, its docs or any other generator; only the
scorer's format, the IU archive and the dev set's ``uid`` field (to exclude those reports) were used.

Theme: the plain bulk of chest-film reporting at an academic centre and its community sites -- ICU
portables with lines and tubes and their follow-ups, post-operative floors (CABG, lobectomy,
laparotomy), ED films, outpatient PA/lateral -- dictated by several attendings and residents, each
with their own habits:

* ``caps_numbered``  -- EXAM/HISTORY/TECHNIQUE/COMPARISON, "FINDINGS:" paragraph, numbered impression,
  e-signature line;
* ``mixed_prose``    -- "Findings:" / "Impression:" inline prose, free text;
* ``organ_rows``     -- templated rows (Lines/tubes, Lungs, Pleura, Heart and mediastinum, Bones);
* ``resident``       -- resident-dictated report with attending attestation;
* ``community``      -- compact community-site report with dictation/transcription footer;
* ``ed_final``       -- ED final report, one sentence per line, results-communication line.

Half of every group is composed from the phrase bank below, half are real IU (Open-i) reports,
excluding the dev uids, re-laid-out in these styles with light re-wording (``XXXX`` kept).  Each
injected report carries one error that looks like a real slip: a side flipped while dictating, a
normal macro pasted into one section, a template field left unfilled, a section never dictated.

usage: python -m bench.make_heldout46 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
STYLES = ["caps_numbered", "mixed_prose", "organ_rows", "resident", "community", "ed_final"]

# --------------------------------------------------------------------------- shared folder / IU


def dev_uids(d: Path) -> set[str]:
    p = d / "eval" / "report_errors_dev.jsonl"
    if not p.is_file():
        return set()
    return {json.loads(line)["uid"] for line in p.open() if line.strip()}


def load_iu(d: Path) -> list[dict]:
    exclude = dev_uids(d)
    out = []
    with tarfile.open(d / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid = root.find("uId").get("id")
            if uid in exclude:
                continue
            sec = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if sec.get("FINDINGS") and sec.get("IMPRESSION"):
                out.append({"uid": uid, **sec})
    out.sort(key=lambda r: int(r["uid"][3:]))
    return out


# --------------------------------------------------------------------------- vocabulary

NEG_CUE = re.compile(
    r"\b(no|not|without|negative|clear|resolved|resolution|free|normal|unremarkable|removed|"
    r"exclude[sd]?|possibl[ey]|may|could|versus|vs|question\w*|cannot|suspicious|likely|probabl[ey]|"
    r"concern\w*|old|chronic|healed|scar\w*|stable|unchanged|granulomas?|prior|previous\w*|"
    r"decreas\w*|improv\w*|minimal|tiny|trace|small|mild|borderline)\b", re.I)

GROUP_RE = {
    "effusion": r"effusion|pleural fluid",
    "ptx": r"pneumothora",
    "consol": r"consolidat|air ?space (disease|opacit)|infiltrat|pneumonia",
    "edema": r"edema|vascular congestion|congestive",
    "cardio": r"cardiomegaly|heart (size )?is (mildly |moderately |markedly )?enlarged|"
              r"enlarged (heart|cardiac)|cardiac (silhouette )?is enlarged",
    "atel": r"atelecta",
    "nodule": r"nodule|granuloma",
    "mass": r"\bmass\b",
}
# words that would count as naming an omitted finding in the impression, in any wording
OMIT_TERMS = {
    "effusion": r"effusion|pleural fluid|fluid|hydrothorax",
    "ptx": r"pneumothora|ptx|pleural air|apical lucency",
    "consol": r"consolidat|air ?-?space|opacit|infiltrat|pneumonia|aspiration|infect|density",
    "edema": r"edema|oedema|congest|overload|chf|failure|interstitial|kerley|vascular",
    "nodule": r"nodul|mass|lesion|opacit|neoplas|malignan|tumou?r|density",
    "mass": r"nodul|mass|lesion|opacit|neoplas|malignan|tumou?r|density|hil",
    "collapse": r"collapse|atelecta|volume loss|opacit|lobe",
    "mediast": r"mediastin|aort|widen",
    "freeair": r"free air|pneumoperitoneum|subdiaphragm|intraperitoneal|air under|air beneath",
}
SIDE_RE = re.compile(r"\b(left|right|Left|Right|LEFT|RIGHT)\b")


def flip_sides(s: str) -> str:
    sw = {"left": "right", "right": "left", "Left": "Right", "Right": "Left",
          "LEFT": "RIGHT", "RIGHT": "LEFT"}
    return SIDE_RE.sub(lambda m: sw[m.group(1)], s)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# --------------------------------------------------------------------------- composed phrase bank

NAMES_ATT = ["Rebecca L. Hartman, MD", "Samuel K. Osei, MD", "David Cho, MD", "Maria T. Alvarez, MD",
             "Jonathan P. Weiss, MD", "Priya Raman, MD", "Thomas E. Gallagher, MD"]
NAMES_RES = ["Kevin Nguyen, MD", "Ashley Brooks, MD", "Omar Haddad, MD", "Lauren Fischer, MD"]


def fdate(rng: random.Random) -> str:
    return f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/20{rng.choice(['24', '25'])}"


def ftime(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.choice(['04', '12', '27', '38', '45', '51'])}"


def atom(key, group, side, f, i, sig, row, neg_f=None, neg_i=None):
    return {"key": key, "group": group, "side": side, "f": f, "i": i, "sig": sig, "row": row,
            "neg_f": neg_f, "neg_i": neg_i}


def a_effusion(rng, side=None, size=None, change=None):
    side = side or rng.choice(["left", "right", "left", "right", "bilateral"])
    size = size or rng.choice(["small", "small", "moderate", "moderate", "large"])
    if side == "bilateral":
        f = rng.choice([f"{cap(size)} bilateral pleural effusions.",
                        f"There are {size} bilateral pleural effusions, right greater than left."
                        .replace("right greater than left", "layering dependently")])
        i = f"{cap(size)} bilateral pleural effusions."
    elif change == "new":
        f = rng.choice([f"New {size} {side} pleural effusion.",
                        f"There is a new {size} {side} pleural effusion."])
        i = f"New {size} {side} pleural effusion."
    elif change == "increased":
        f = rng.choice([f"Interval increase in the {side} pleural effusion, now {size}.",
                        f"The {side} pleural effusion has increased since the prior study and is now {size}."])
        i = f"Increasing {side} pleural effusion, now {size}."
    elif change == "unchanged":
        f = f"Unchanged {size} {side} pleural effusion."
        i = f"Stable {size} {side} pleural effusion."
    else:
        f = rng.choice([f"{cap(size)} {side} pleural effusion.",
                        f"There is a {size} {side} pleural effusion with adjacent compressive atelectasis.",
                        f"Blunting of the {side} costophrenic angle, consistent with a {size} pleural effusion.",
                        f"{cap(size)} {side} pleural effusion layering posteriorly."])
        i = rng.choice([f"{cap(size)} {side} pleural effusion.",
                        f"{cap(size)} {side} pleural effusion with adjacent atelectasis."])
    sig = size in ("moderate", "large") or change in ("new", "increased")
    return atom("effusion", "effusion", None if side == "bilateral" else side, f, i, sig, "pleura",
                rng.choice(["No pleural effusion.", "The costophrenic angles are sharp.",
                            "No pleural effusion or pneumothorax."]),
                "No pleural effusion.")


def a_ptx(rng, side=None):
    side = side or rng.choice(["left", "right"])
    n = rng.choice(["0.8", "1.2", "1.5", "2", "2.5"])
    f = rng.choice([f"Small {side} apical pneumothorax, measuring approximately {n} cm.",
                    f"There is a small {side} apical pneumothorax.",
                    f"{cap(side)} apical pneumothorax measuring {n} cm from the apex to the cupola.",
                    f"Thin pleural line at the {side} apex consistent with a small pneumothorax."])
    i = rng.choice([f"Small {side} apical pneumothorax.",
                    f"Small {side} pneumothorax. Findings were communicated to the care team "
                    "at the time of dictation."])
    return atom("ptx", "ptx", side, f, i, True, "pleura",
                rng.choice(["No pneumothorax.", "No pleural effusion or pneumothorax."]), "No pneumothorax.")


def a_consol(rng, side=None, new=False):
    side = side or rng.choice(["left", "right"])
    lobe = rng.choice(["lower", "lower", "upper"])
    nw = "New " if new else ""
    f = rng.choice([f"{nw}Focal consolidation in the {side} {lobe} lobe.".replace("New Focal", "New focal"),
                    f"{nw}Patchy airspace opacity in the {side} {lobe} lobe.".replace("New Patchy", "New patchy"),
                    f"There is {'new ' if new else ''}consolidation of the {side} {lobe} lobe with air bronchograms.",
                    f"{nw}Airspace disease at the {side} lung base, obscuring the {side} hemidiaphragm."
                    .replace("New Airspace", "New airspace")])
    if "base" in f:
        i = rng.choice([f"{cap(side)} basilar airspace disease, concerning for pneumonia.",
                        f"{cap(side)} basilar consolidation, which may represent pneumonia or aspiration "
                        "in the appropriate clinical setting."])
    else:
        i = rng.choice([f"{cap(side)} {lobe} lobe pneumonia.",
                        f"{cap(side)} {lobe} lobe consolidation, concerning for pneumonia.",
                        f"Findings compatible with {side} {lobe} lobe pneumonia. Recommend follow-up "
                        "radiographs after treatment to document resolution."])
    if new:
        i = "New " + i[0].lower() + i[1:]
    return atom("consol", "consol", side, f, i, True, "lungs",
                rng.choice(["The lungs are clear.", "No focal consolidation.",
                            "Lungs are clear without focal airspace disease."]),
                rng.choice(["No focal consolidation.", "Clear lungs."]))


def a_atel(rng, side=None):
    side = side or rng.choice(["left", "right"])
    f = rng.choice([f"Linear atelectasis at the {side} lung base.",
                    f"Mild {side} basilar atelectasis.",
                    f"Streaky opacity at the {side} base, likely subsegmental atelectasis."])
    i = f"{cap(side)} basilar atelectasis."
    return atom("atel", "atel", side, f, i, False, "lungs")


def a_bibasilar(rng):
    f = rng.choice(["Low lung volumes with bibasilar atelectasis.", "Mild bibasilar atelectasis."])
    return atom("bibasilar", "atel", None, f, "Bibasilar atelectasis.", False, "lungs")


def a_edema(rng):
    sev = rng.choice(["mild", "moderate"])
    f = rng.choice([f"{cap(sev)} interstitial pulmonary edema.",
                    "Pulmonary vascular congestion with interstitial edema and Kerley B lines.",
                    f"Bilateral perihilar haziness and vascular indistinctness consistent with {sev} pulmonary edema.",
                    f"Increased {sev} pulmonary edema compared with the prior study."])
    i = rng.choice([f"{cap(sev)} pulmonary edema.",
                    "Pulmonary vascular congestion and interstitial edema, consistent with volume overload.",
                    f"Findings consistent with {sev} congestive heart failure."])
    return atom("edema", "edema", None, f, i, True, "lungs",
                rng.choice(["No pulmonary edema.", "Pulmonary vascularity is within normal limits."]),
                "No pulmonary edema.")


def a_cardio(rng):
    f, i = rng.choice([("The heart is mildly enlarged.", "Mild cardiomegaly."),
                       ("Moderate cardiomegaly.", "Moderate cardiomegaly."),
                       ("Stable cardiomegaly.", "Stable cardiomegaly."),
                       ("The cardiac silhouette is enlarged.", "Cardiomegaly.")])
    return atom("cardio", "cardio", None, f, i,
                False, "heart",
                rng.choice(["Heart size is normal.", "The cardiac silhouette is normal in size."]),
                "Normal heart size.")


def a_nodule(rng, side=None, big=None):
    side = side or rng.choice(["left", "right"])
    big = rng.random() < 0.6 if big is None else big
    n = rng.choice([8, 9, 11, 12, 14, 17]) if big else rng.choice([3, 4])
    zone = rng.choice(["upper", "mid"])
    art = "an" if n in (8, 11) else "a"
    f = rng.choice([f"{n} mm nodule projecting over the {side} {zone} lung zone.",
                    f"There is {art} {n} mm rounded nodular opacity in the {side} {zone} lung.",
                    f"{cap(art)} {n} mm pulmonary nodule is seen in the {side} {zone} lung zone on the frontal view."])
    if big:
        i = rng.choice([f"{n} mm {side} {zone} lung nodule. Recommend nonemergent CT chest "
                        "for further characterization.",
                        f"{cap(side)} {zone} lung nodule measuring {n} mm; CT chest is recommended."])
    else:
        i = f"{n} mm {side} {zone} lung nodule, likely a granuloma."
    return atom("nodule", "nodule", side, f, i, big, "lungs")


def a_mass(rng, side=None):
    side = side or rng.choice(["left", "right"])
    n = rng.choice(["3.2", "4.5", "5", "2.8"])
    f = rng.choice([f"Lobulated {n} cm mass in the {side} upper lobe.",
                    f"There is a {n} cm mass in the {side} hilar region.",
                    f"{n} cm spiculated mass in the {side} upper lung zone."])
    i = rng.choice([f"{cap(side)} upper lobe mass, concerning for neoplasm. Recommend CT chest with contrast.",
                    f"{n} cm {side} lung mass, suspicious for malignancy. Further evaluation with CT is recommended."])
    return atom("mass", "mass", side, f, i, True, "lungs")


def a_collapse(rng, side=None):
    side = side or rng.choice(["left", "right"])
    f = rng.choice([f"Opacification of the {side} lower lobe with volume loss, consistent with lobar collapse.",
                    f"Complete collapse of the {side} lower lobe with leftward shift of the heart."
                    .replace("leftward", "ipsilateral"),
                    f"{cap(side)} lower lobe collapse with loss of the {side} hemidiaphragm contour."])
    i = rng.choice([f"{cap(side)} lower lobe collapse. Consider mucous plugging; bronchoscopy as clinically indicated.",
                    f"Collapse of the {side} lower lobe."])
    return atom("collapse", "collapse", side, f, i, True, "lungs")


def a_mediast(rng):
    n = rng.choice(["8.5", "9", "9.5"])
    f = rng.choice([f"The mediastinum appears widened, measuring {n} cm at the level of the aortic knob.",
                    "Widened superior mediastinum, accentuated by supine AP technique."])
    i = rng.choice(["Widened mediastinum. Recommend CT angiography of the chest to exclude aortic injury.",
                    "Mediastinal widening, which may be partly technical; CTA chest is recommended."])
    return atom("mediast", "mediast", None, f, i, True, "heart",
                "Mediastinal contours are normal.", "Normal mediastinal contours.")


def a_freeair(rng):
    f = rng.choice(["Lucency beneath the right hemidiaphragm, consistent with free intraperitoneal air.",
                    "Moderate amount of free air under both hemidiaphragms."])
    i = rng.choice(["Free intraperitoneal air. Given recent laparotomy, this may be postoperative; "
                    "correlate clinically.",
                    "Pneumoperitoneum, likely postsurgical given laparotomy 2 days ago."])
    return atom("freeair", "freeair", "right" if "right" in f else None, f, i, True, "abdomen",
                "No free air beneath the diaphragm.", "No free air under the diaphragm.")


EXTRAS = [
    lambda r: atom("gran", "nodule", None, f"Calcified granuloma in the {r.choice(['left', 'right'])} upper lobe.",
                   "Calcified granuloma, benign.", False, "lungs"),
    lambda r: atom("dj", "bone", None, "Degenerative changes of the thoracic spine.",
                   "Degenerative changes of the thoracic spine.", False, "bones"),
    lambda r: atom("hyper", "copd", None, "The lungs are hyperinflated with flattening of the hemidiaphragms.",
                   "Hyperinflation, consistent with COPD.", False, "lungs"),
    lambda r: atom("athero", "aorta", None, "Atherosclerotic calcification of the aortic arch.",
                   "Aortic atherosclerosis.", False, "heart"),
    lambda r: atom("tort", "aorta", None, "The thoracic aorta is tortuous.", "Tortuous aorta.", False, "heart"),
    lambda r: atom("hh", "abd", None, "Small hiatal hernia.", "Small hiatal hernia.", False, "heart"),
    lambda r: atom("ribfx", "bone", None,
                   f"Healed fractures of the {r.choice(['left', 'right'])} lateral sixth and seventh ribs.",
                   "Old healed rib fractures.", False, "bones"),
    lambda r: atom("clips", "surg", None, "Surgical clips in the right upper quadrant.", "Cholecystectomy clips.",
                   False, "abdomen"),
]

DEVICES = {
    "ett": ("Endotracheal tube tip terminates {n} cm above the carina.", "Endotracheal tube in satisfactory position."),
    "og": ("Enteric tube courses below the diaphragm with the tip in the stomach.", "Enteric tube tip in the stomach."),
    "ij": ("Right internal jugular central venous catheter with tip in the distal SVC.",
           "Right IJ catheter tip in the distal SVC."),
    "picc": ("Left upper extremity PICC terminates at the cavoatrial junction.",
             "Left PICC tip at the cavoatrial junction."),
    "ct": ("{side} chest tube in place.", "{side} chest tube in place."),
    "stern": ("Median sternotomy wires and mediastinal clips.", "Post-CABG changes."),
    "drains": ("Mediastinal drains in place.", "Mediastinal drains in place."),
    "pacer": ("Left chest wall dual-chamber pacemaker with leads in the right atrium and right ventricle.",
              "Cardiac pacemaker, leads in expected position."),
    "swan": ("Right IJ Swan-Ganz catheter with tip in the right main pulmonary artery.",
             "Swan-Ganz catheter tip in the right pulmonary artery."),
}

NEGATIVES = [  # (sentence, groups it would contradict, row)
    ("No pneumothorax.", {"ptx"}, "pleura"),
    ("No pleural effusion.", {"effusion"}, "pleura"),
    ("No pleural effusion or pneumothorax.", {"effusion", "ptx"}, "pleura"),
    ("No large pleural effusion or pneumothorax.", {"effusion", "ptx"}, "pleura"),
    ("The lungs are clear.", {"consol", "atel", "edema", "nodule", "mass", "collapse", "copd"}, "lungs"),
    ("Lungs are well expanded and clear.", {"consol", "atel", "edema", "nodule", "mass", "collapse", "copd"}, "lungs"),
    ("No focal consolidation.", {"consol", "collapse"}, "lungs"),
    ("No focal airspace disease.", {"consol", "collapse"}, "lungs"),
    ("Heart size is normal.", {"cardio"}, "heart"),
    ("The cardiomediastinal silhouette is within normal limits.", {"cardio", "mediast", "aorta"}, "heart"),
    ("Normal heart size and mediastinal contours.", {"cardio", "mediast", "aorta"}, "heart"),
    ("Stable cardiomediastinal silhouette.", {"mediast", "cardio"}, "heart"),
    ("No pulmonary edema.", {"edema"}, "lungs"),
    ("Pulmonary vascularity is within normal limits.", {"edema"}, "lungs"),
    ("No acute osseous abnormality.", set(), "bones"),
    ("Visualized osseous structures are intact.", set(), "bones"),
    ("The costophrenic angles are sharp.", {"effusion"}, "pleura"),
    ("No free air under the diaphragm.", {"freeair"}, "abdomen"),
]

NORMAL_IMP = ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
              "No radiographic evidence of acute cardiopulmonary disease.", "No acute intrathoracic process.",
              "No active disease in the chest.", "No acute cardiopulmonary findings."]

CONTEXTS = {
    "icu": dict(exam=["XR CHEST PORTABLE AP", "CHEST (PORTABLE AP)", "XR CHEST 1 VIEW PORTABLE"],
                hist=["Intubated patient, evaluate tube position.", "Respiratory failure, on ventilator.",
                      "Septic shock, hypoxia.", "Line placement.", "Daily ICU film.", "Increasing oxygen requirement."],
                tech="Single portable AP view of the chest."),
    "postop": dict(exam=["XR CHEST PORTABLE AP", "XR CHEST 1 VIEW"],
                   hist=["Status post CABG, postoperative day 1.", "Status post right upper lobectomy.",
                         "Post-op day 2 after exploratory laparotomy, fever.", "Status post chest tube removal.",
                         "Postoperative hypoxia."],
                   tech="Single AP upright view of the chest."),
    "ed": dict(exam=["XR CHEST 2 VIEWS PA AND LATERAL", "XR CHEST 1 VIEW", "CHEST (PA AND LAT)"],
               hist=["Shortness of breath.", "Chest pain.", "Cough and fever.", "Motor vehicle collision, chest pain.",
                     "Fall, left chest wall pain.", "Hypoxia.", "Syncope."],
               tech="PA and lateral views of the chest."),
    "outpt": dict(exam=["XR CHEST 2 VIEWS PA AND LATERAL", "CHEST PA AND LATERAL"],
                  hist=["Chronic cough.", "Preoperative evaluation.", "Follow-up pneumonia.",
                        "History of smoking, dyspnea on exertion.", "Positive PPD.", "Follow-up pulmonary nodule."],
                  tech="PA and lateral views of the chest."),
}


def compose(rng: random.Random, need: str | None = None) -> dict:
    """A composed report as data; ``need`` asks for a feature the later injection uses."""
    ctx = rng.choice(["icu", "icu", "postop", "ed", "ed", "outpt", "outpt"])
    c = CONTEXTS[ctx]
    atoms, devices = [], []
    if ctx == "icu":
        devices = rng.sample(["ett", "og", "ij", "picc", "swan"], rng.randint(1, 3))
        pool = [a_edema, a_effusion, a_atel, a_bibasilar, a_consol, a_cardio, a_collapse, a_ptx]
    elif ctx == "postop":
        devices = rng.choice([["stern", "drains", "ct"], ["stern", "ct"], ["ct"], [], ["ij", "stern"]])
        pool = [a_effusion, a_atel, a_bibasilar, a_ptx, a_consol, a_edema, a_freeair]
    elif ctx == "ed":
        pool = [a_consol, a_effusion, a_edema, a_cardio, a_ptx, a_mediast, a_atel, a_nodule]
    else:
        pool = [a_nodule, a_mass, a_consol, a_effusion, a_cardio, a_atel]
    k = rng.choice([0, 0, 1, 1, 1, 2, 2, 3]) if need is None else rng.choice([0, 1, 1, 2])
    for fn in rng.sample(pool, min(k, len(pool))):
        atoms.append(fn(rng))
    if need == "sided_sig":
        fn = rng.choice([a_effusion, a_ptx, a_consol, a_nodule, a_atel, a_collapse])
        atoms.append(fn(rng, side=rng.choice(["left", "right"])))
    elif need == "sig":
        atoms.append(rng.choice([a_effusion, a_ptx, a_consol, a_edema, a_nodule, a_mass, a_collapse,
                                 a_mediast, a_freeair])(rng))
    elif need == "neg":
        atoms.append(rng.choice([a_effusion, a_ptx, a_consol, a_edema, a_cardio, a_cardio])(rng))
    if rng.random() < 0.4:
        atoms.append(rng.choice(EXTRAS)(rng))
    # one atom per key
    seen, uniq = set(), []
    for a in atoms[::-1]:
        if a["key"] not in seen and not (a["group"] in ("nodule",) and "nodule" in seen):
            seen.add(a["key"])
            seen.add(a["group"])
            uniq.append(a)
    atoms = uniq[::-1]
    ct_side = rng.choice(["Left", "Right"])
    if "ct" in devices and any(a["key"] == "ptx" for a in atoms):
        ct_side = cap(next(a["side"] for a in atoms if a["key"] == "ptx"))
    devs = []
    for d in devices:
        f, i = DEVICES[d]
        devs.append((f.format(n=rng.choice([3, 4, 4.5, 5, 6]), side=ct_side),
                     i.format(side=ct_side)))
    groups = {a["group"] for a in atoms}
    alltext = " ".join(a["f"] for a in atoms).lower()
    if "atelecta" in alltext:
        groups.add("atel")
    if re.search(r"opacit|consolidat|airspace", alltext):
        groups.add("consol")
    negs = [n for n in NEGATIVES if not (n[1] & groups)]
    rng.shuffle(negs)
    chosen, rows = [], set()
    for s, _g, row in negs:
        if row not in rows and len(chosen) < rng.randint(2, 4) + 1:
            chosen.append(atom("neg", "neg", None, s, None, False, row))
            rows.add(row)
    if "freeair" not in groups:
        chosen = [a for a in chosen if a["row"] != "abdomen"]
    findings = atoms + chosen
    order = {"lungs": 0, "pleura": 1, "heart": 2, "abdomen": 3, "bones": 4}
    findings.sort(key=lambda a: order[a["row"]])
    for a in findings:
        a["text"] = a["f"]
    lines = [{"text": f, "row": "lines"} for f, _ in devs] + [
        {"text": a["f"], "row": a["row"], "atom": a} for a in findings]
    imp = []
    if devs and (ctx == "icu" or rng.random() < 0.5):
        if len(devs) > 1 and rng.random() < 0.5:
            imp.append({"text": rng.choice(["Support devices in satisfactory position.",
                                            "Lines and tubes in standard position."])})
        else:
            imp.extend({"text": i} for _, i in devs[:2])
    for a in atoms:
        if a["sig"] or rng.random() < 0.6:
            imp.append({"text": a["i"], "atom": a})
    if not any("atom" in x for x in imp):
        if ctx in ("icu", "postop") and rng.random() < 0.5:
            imp.append({"text": rng.choice(["No acute change.", "No new focal consolidation.",
                                            "Otherwise no acute cardiopulmonary process."])})
        else:
            imp.append({"text": rng.choice(NORMAL_IMP)})
    comp = rng.choice(["None.", f"Chest radiograph dated {fdate(rng)}.", f"{fdate(rng)}.",
                       f"PA and lateral chest radiograph from {fdate(rng)}.", "No prior studies available."])
    if ctx in ("icu", "postop"):
        comp = rng.choice([f"Portable chest radiograph from {fdate(rng)} at {ftime(rng)}.",
                           "Prior study from earlier today.", f"{fdate(rng)}."])
    hist = rng.choice(c["hist"])
    if ctx == "icu":
        hist = rng.choice(c["hist"][1:] if "ett" not in devices else c["hist"])
        if "ett" not in devices and hist == "Line placement." and not ({"ij", "picc", "swan"} & set(devices)):
            hist = "Hypoxia."
    if ctx == "postop":
        cabg = "stern" in devices
        hist = rng.choice(["Status post CABG, postoperative day 1.", "Status post aortic valve replacement."]
                          if cabg else [h for h in c["hist"] if "CABG" not in h])
        if any(a["key"] == "freeair" for a in atoms):
            hist = "Post-op day 2 after exploratory laparotomy, fever."
    alltxt = " ".join(x["text"] for x in lines)
    if re.search(r"prior|interval|unchanged|stable|again", alltxt, re.I) and comp in (
            "None.", "No prior studies available."):
        comp = f"Chest radiograph dated {fdate(rng)}."
    exam = rng.choice(c["exam"])
    tech = c["tech"]
    if "1 VIEW" in exam or "PORTABLE" in exam:
        tech = "Single portable AP view of the chest." if "PORTABLE" in exam or ctx == "icu" \
            else "Single AP upright view of the chest."
    return {"source": "composed", "ctx": ctx, "exam": exam, "hist": hist,
            "tech": tech, "comp": comp, "findings": lines, "impression": imp,
            "fmode": "ok", "imode": "ok", "mask_line": any(a["sig"] for a in atoms) and rng.random() < 0.3}


# --------------------------------------------------------------------------- IU reports as data

REWORD = [
    (r"^The heart is normal in size\.$", ["Heart size is normal.", "Normal heart size."]),
    (r"^The lungs are clear\.$", ["Lungs are clear.", "The lungs are clear bilaterally."]),
    (r"^The mediastinum is unremarkable\.$", ["Mediastinal contours are unremarkable."]),
    (r"^Heart size normal\.$", ["Heart size is normal."]),
    (r"^No pneumothorax or pleural effusion\.$", ["No pleural effusion or pneumothorax."]),
    (r"^No acute cardiopulmonary abnormality\.$", ["No acute cardiopulmonary process.",
                                                    "No acute cardiopulmonary abnormality identified."]),
    (r"^No acute disease\.$", ["No acute disease in the chest.", "No acute cardiopulmonary disease."]),
    (r"^No active disease\.$", ["No active cardiopulmonary disease."]),
    (r"^Normal chest x-XXXX\.?$", ["Normal chest radiograph.", "Normal chest x-XXXX."]),
    (r"^No acute cardiopulmonary disease\.$", ["No acute cardiopulmonary process."]),
    (r"^There is no pneumothorax\.$", ["No pneumothorax."]),
    (r"^There is no pleural effusion\.$", ["No pleural effusion."]),
]


def split_sents(t: str) -> list[str]:
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"(?:(?<=^)|(?<=\s))\d{1,2}\.\s+(?=[A-Za-z])", "", t)
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", t)
    out = []
    for p in parts:
        p = re.sub(r"\s*\.(\s*\.)+$", ".", p.strip())
        if p and re.search(r"[A-Za-z]", p) and not re.search(
                r"opportunity to assist|questions about this examination|certified radiologist", p, re.I):
            out.append(p)
    return out


def reword(rng: random.Random, s: str) -> str:
    if not s.endswith((".", "?", "!")):
        s += "."
    for pat, alts in REWORD:
        if re.match(pat, s) and rng.random() < 0.7:
            return rng.choice(alts)
    return s


def row_of(s: str) -> str:
    lo = s.lower()
    if re.search(r"effusion|pneumothora|pleura|costophrenic", lo):
        return "pleura"
    if re.search(r"heart|cardi|mediastin|aort|hilar|hila", lo):
        return "heart"
    if re.search(r"bon[ey]|osseous|spine|\\bribs?\\b|fracture|degenerat|vertebr|clavic|shoulder|scoliosis", lo):
        return "bones"
    if re.search(r"abdom|diaphragm|bowel|gallbladder|cholecyst|upper quadrant", lo):
        return "abdomen"
    return "lungs"


def iu_rep(rng: random.Random, r: dict) -> dict:
    fs = [reword(rng, s) for s in split_sents(r["FINDINGS"])]
    im = [reword(rng, s) for s in split_sents(r["IMPRESSION"])]
    hist = (r.get("INDICATION") or "").strip() or "Not provided."
    comp = (r.get("COMPARISON") or "").strip() or "None."
    exam = rng.choice(["XR CHEST 2 VIEWS PA AND LATERAL", "CHEST PA AND LATERAL", "XR CHEST PA/LAT"])
    hist = re.sub(r"[.;,:\s]+$", "", hist) + "."
    return {"source": "iu", "uid": r["uid"], "ctx": "outpt", "exam": exam, "hist": hist,
            "tech": "PA and lateral views of the chest.", "comp": comp,
            "findings": [{"text": s, "row": row_of(s)} for s in fs],
            "impression": [{"text": s} for s in im], "fmode": "ok", "imode": "ok", "mask_line": False}


def affirmed(s: str, group: str) -> bool:
    return bool(re.search(GROUP_RE[group], s, re.I)) and not NEG_CUE.search(s)


def mentions(s: str, group: str) -> bool:
    return bool(re.search(GROUP_RE[group], s, re.I))


def iu_clean_ok(rep: dict) -> bool:
    f = " ".join(x["text"] for x in rep["findings"])
    i = " ".join(x["text"] for x in rep["impression"])
    if re.search(r"\[|\*\*\*|___|<", f + i):
        return False
    for g in ("effusion", "ptx", "consol", "edema", "mass", "cardio", "atel", "nodule"):
        fa = any(mentions(x["text"], g) and not re.search(r"\b(no|without|negative|not)\b", x["text"], re.I)
                 for x in rep["findings"])
        ia = any(mentions(x["text"], g) and not re.search(r"\b(no|without|negative|not)\b", x["text"], re.I)
                 for x in rep["impression"])
        fneg = any(mentions(x["text"], g) and re.search(r"\b(no|without|negative)\b", x["text"], re.I)
                   for x in rep["findings"])
        ineg = any(mentions(x["text"], g) and re.search(r"\b(no|without|negative)\b", x["text"], re.I)
                   for x in rep["impression"])
        if g in ("effusion", "ptx", "consol", "edema", "mass") and fa and not re.search(OMIT_TERMS[g], i, re.I):
            return False
        if (fa and ineg and not ia) or (ia and fneg and not fa):
            return False
    if re.search(r"normal|clear", i, re.I) and any(affirmed(x["text"], "cardio") for x in rep["findings"]):
        return False
    for side in ("left", "right"):
        if re.search(rf"\b{side}\b", i, re.I) and not re.search(rf"\b{side}\b", f, re.I):
            return False
    return True


# --------------------------------------------------------------------------- rendering


def numbered(items: list[str], rng_bit: int) -> str:
    if len(items) == 1 and rng_bit:
        return items[0]
    return "\n".join(f"{n}. {t}" for n, t in enumerate(items, 1))


def render(rep: dict, style: str, rng: random.Random) -> str:
    fl = [x["text"] for x in rep["findings"]]
    il = [x["text"] for x in rep["impression"]]
    att, res = rng.choice(NAMES_ATT), rng.choice(NAMES_RES)
    dt = f"{fdate(rng)} {ftime(rng)}"
    hdr_f, hdr_i = ("Findings:", "Impression:") if style in ("mixed_prose", "community") and rng.random() < 0.8 \
        else ("FINDINGS:", "IMPRESSION:")
    out = []
    if style == "caps_numbered":
        out += [f"EXAM: {rep['exam']}", f"HISTORY: {rep['hist']}", f"TECHNIQUE: {rep['tech']}",
                f"COMPARISON: {rep['comp']}", ""]
        fblock = " ".join(fl)
        iblock = numbered(il, rng.random() < 0.5)
    elif style == "mixed_prose":
        ex = rep["exam"].title().replace("Xr ", "XR ").replace("Pa", "PA").replace(" And ", " and ")
        out += [f"Exam: {ex.replace('Ap', 'AP').replace('Lat', 'lat').replace('lateral', 'Lateral')}",
                f"Indication: {rep['hist']}", f"Comparison: {rep['comp']}", ""]
        fblock = " ".join(fl)
        iblock = " ".join(il)
    elif style == "organ_rows":
        out += [f"EXAMINATION: {rep['exam']}", f"CLINICAL INDICATION: {rep['hist']}",
                f"COMPARISON: {rep['comp']}", ""]
        labels = [("lines", "Lines/tubes:"), ("lungs", "Lungs:"), ("pleura", "Pleura:"),
                  ("heart", "Heart and mediastinum:"), ("abdomen", "Upper abdomen:"), ("bones", "Bones:")]
        rows = []
        for key, lab in labels:
            got = [x["text"] for x in rep["findings"] if x["row"] == key]
            if got:
                rows.append(f"{lab} {' '.join(got)}")
        fblock = "\n".join(rows)
        iblock = numbered(il, 0) if len(il) > 1 else (il[0] if il else "")
    elif style == "resident":
        out += [f"EXAMINATION: {rep['exam']}", f"INDICATION: {rep['hist']}", f"TECHNIQUE: {rep['tech']}",
                f"COMPARISON: {rep['comp']}", ""]
        fblock = " ".join(fl)
        iblock = numbered(il, 1)
    elif style == "community":
        out += [rep["exam"], "", f"HISTORY: {rep['hist']}", f"COMPARISON: {rep['comp']}", ""]
        fblock = " ".join(fl)
        iblock = " ".join(il)
    else:  # ed_final
        out += ["FINAL REPORT", f"EXAMINATION: {rep['exam']}", f"INDICATION: {rep['hist']}",
                f"COMPARISON: {rep['comp']}", ""]
        fblock = "\n".join(fl)
        iblock = numbered(il, 1)
    inline = style in ("mixed_prose", "community")
    if rep["fmode"] != "absent":
        body = fblock if rep["fmode"] == "ok" else ""
        if inline and body:
            out += [f"{hdr_f} {body}", ""]
        else:
            out += [hdr_f] + ([body] if body else []) + [""]
    if rep["imode"] != "absent":
        body = iblock if rep["imode"] == "ok" else ""
        if inline and body:
            out += [f"{hdr_i} {body}"]
        else:
            out += [hdr_i] + ([body] if body else [])
    tail = []
    if rep.get("mask_line"):
        tail.append("Findings were discussed with Dr. ___ by telephone at ___ on ___.")
    if style == "caps_numbered":
        tail.append(f"Electronically signed by: {att} on {dt}")
    elif style == "resident":
        tail += [f"Resident: {res}", f"Attending: {att}",
                 "I have personally reviewed the images and agree with the resident's report."]
    elif style == "community":
        tail.append(f"Dictated by: {att}  D: {dt}  T: {dt}")
    elif style == "ed_final" and rng.random() < 0.5:
        tail.append(f"Signed: {att} {dt}")
    if tail:
        out += [""] + tail
    return "\n".join(out).strip() + "\n"


def sections(text: str) -> tuple[str | None, str | None]:
    """Findings and impression text of a rendered report (None when the header is absent)."""
    m_f = re.search(r"^(FINDINGS|Findings):[ \t]*", text, re.M)
    m_i = re.search(r"^(IMPRESSION|Impression):[ \t]*", text, re.M)
    stop = re.compile(r"\n\s*\n(?=(Electronically|Resident:|Dictated|Signed|Findings were discussed))")
    f = i = None
    if m_f:
        end = m_i.start() if m_i else len(text)
        f = text[m_f.end():end].strip()
        f = stop.split(f)[0].strip()
    if m_i:
        i = stop.split(text[m_i.end():])[0].strip()
    return f, i


# --------------------------------------------------------------------------- injections


class Skip(Exception):
    pass


def _atoms(rep, pred):
    return [x for x in rep["findings"] if "atom" in x and pred(x["atom"])]


def _imp_for(rep, a):
    return [x for x in rep["impression"] if x.get("atom") is a]


def inject(rep: dict, kind: str, rng: random.Random) -> tuple[str, dict]:
    """Mutate rep; return detail and a check record used after rendering."""
    iu = rep["source"] == "iu"
    if kind == "missing_section":
        inormal = len(rep["impression"]) == 1 and re.match(
            r"^(No acute|No active|Normal chest|Negative|No radiographic evidence)", rep["impression"][0]["text"])
        opts = ["imp_empty", "imp_absent", "find_empty"] + (["find_absent"] if inormal and rep["findings"] else [])
        o = rng.choice(opts)
        if o == "imp_empty":
            rep["imode"] = "empty"
            return "IMPRESSION header left with nothing under it", {"sec": "I"}
        if o == "imp_absent":
            rep["imode"] = "absent"
            return "IMPRESSION section never dictated (absent)", {"sec": "I"}
        if o == "find_empty":
            rep["fmode"] = "empty"
            return "FINDINGS header left empty", {"sec": "F"}
        rep["fmode"] = "absent"
        return ("FINDINGS section absent; impression is a bare normal statement that does not describe findings",
                {"sec": "F"})
    if kind == "laterality_conflict":
        if iu:
            cands = []
            for fx in rep["findings"]:
                for g in ("effusion", "ptx", "consol", "atel", "nodule", "mass"):
                    if mentions(fx["text"], g) and len(SIDE_RE.findall(fx["text"])) == 1 \
                            and not re.search(r"\b(no|without)\b", fx["text"], re.I):
                        side = SIDE_RE.findall(fx["text"])[0].lower()
                        for ix in rep["impression"]:
                            sides = {s.lower() for s in SIDE_RE.findall(ix["text"])}
                            if sides == {side} and (mentions(ix["text"], g) or mentions(ix["text"], "consol")
                                                    or mentions(ix["text"], "atel")):
                                cands.append((fx, ix, side))
            if not cands:
                raise Skip
            fx, ix, side = rng.choice(cands)
        else:
            ats = _atoms(rep, lambda a: a["side"] in ("left", "right") and a["key"] != "freeair")
            pairs = [(x, _imp_for(rep, x["atom"])[0]) for x in ats if _imp_for(rep, x["atom"])]
            pairs = [(fx, ix, fx["atom"]["side"]) for fx, ix in pairs
                     if SIDE_RE.search(ix["text"]) and SIDE_RE.search(fx["text"])]
            if not pairs:
                raise Skip
            fx, ix, side = rng.choice(pairs)
        tgt = fx if rng.random() < 0.5 else ix
        where = "FINDINGS" if tgt is fx else "IMPRESSION"
        old = tgt["text"]
        tgt["text"] = flip_sides(old)
        other = "right" if side == "left" else "left"
        return (f"{where}: side flipped {side}->{other} in '{tgt['text']}' (other section keeps {side})",
                {"lat": (tgt["text"], where, other)})
    if kind == "negation_conflict":
        if iu:
            cands = []
            for g, nf, ni in (("effusion", "No pleural effusion.", "No pleural effusion."),
                              ("consol", "The lungs are clear.", "No focal consolidation."),
                              ("cardio", "Heart size is normal.", "Normal heart size."),
                              ("edema", "No pulmonary edema.", "No pulmonary edema."),
                              ("ptx", "No pneumothorax.", "No pneumothorax.")):
                fa = [x for x in rep["findings"] if affirmed(x["text"], g) or
                      (g == "cardio" and mentions(x["text"], g) and not re.search(r"\bno\b", x["text"], re.I))]
                ia = [x for x in rep["impression"] if mentions(x["text"], g)
                      and not re.search(r"\b(no|without|not)\b", x["text"], re.I)]
                if fa and ia:
                    cands.append((g, fa, ia, nf, ni))
            if not cands:
                raise Skip
            g, fa, ia, nf, ni = rng.choice(cands)
            if rng.random() < 0.5:
                fa[0]["text"] = nf
                keep, gone = [], False
                for x in rep["findings"]:
                    if any(x is y for y in fa[1:]) or "otherwise" in x["text"].lower() or (
                            gone and re.match(r"(This|It|These|They)\b", x["text"])):
                        gone = True
                        continue
                    gone = x is fa[0]
                    keep.append(x)
                rep["findings"] = keep
                return (f"FINDINGS sentence on {g} replaced by normal macro '{nf}' while IMPRESSION affirms it",
                        {"neg": ("F", nf)})
            ia[0]["text"] = ni
            rep["impression"] = [x for x in rep["impression"] if x not in ia[1:]]
            return f"IMPRESSION states '{ni}' while FINDINGS affirm {g}", {"neg": ("I", ni)}
        ats = _atoms(rep, lambda a: a["neg_f"] and _imp_for(rep, a))
        if not ats:
            raise Skip
        fx = rng.choice(ats)
        a = fx["atom"]
        ix = _imp_for(rep, a)[0]
        grp = {"effusion": {"effusion"}, "ptx": {"ptx"}, "consol": {"consol"}, "edema": {"edema"},
               "cardio": {"cardio"}, "mediast": {"mediast"}, "freeair": {"freeair"}}[a["group"]]
        if rng.random() < 0.5:
            # findings pasted from the normal template: drop any duplicate negative of the same row
            rep["findings"] = [x for x in rep["findings"] if not (x.get("atom", {}).get("key") == "neg"
                                                                  and x["row"] == fx["row"])]
            fx["text"] = a["neg_f"]
            return (f"FINDINGS normal macro '{a['neg_f']}' while IMPRESSION affirms: '{ix['text']}'",
                    {"neg": ("F", a["neg_f"])})
        ix["text"] = a["neg_i"]
        del grp
        return f"IMPRESSION states '{a['neg_i']}' while FINDINGS affirm: '{fx['text']}'", {"neg": ("I", a["neg_i"])}
    if kind == "impression_omits_finding":
        if iu:
            cands = []
            for x in rep["findings"]:
                s = x["text"]
                if NEG_CUE.search(s) or re.search(r"XXXX|\b(appears?|suggest\w*|or|and/or|versus|differential|"
                                                  r"might|question\w*|borderline)\b", s, re.I):
                    continue
                for g, pat in (("ptx", r"pneumothorax"),
                               ("consol", r"consolidation|airspace disease|infiltrate|pneumonia"),
                               ("edema", r"edema|vascular congestion"),
                               ("effusion", r"(moderate|large)[\w\s-]*effusion"), ("mass", r"\bmass\b")):
                    if re.search(pat, s, re.I):
                        cands.append((x, g))
            if not cands:
                raise Skip
            x, g = rng.choice(cands)
            rest = [i for i in rep["impression"] if not re.search(OMIT_TERMS[g], i["text"], re.I)
                    and not re.search(r"\b(no|without|normal|clear)\b|characteri|further|recommend|follow|XXXX",
                                      i["text"], re.I)]
            if rest and rng.random() < 0.85:
                rep["impression"] = rest
                how = "IMPRESSION keeps only the other findings"
            else:
                rep["impression"] = [{"text": rng.choice(NORMAL_IMP)}]
                how = "IMPRESSION replaced by a normal statement"
            return f"{how}; FINDINGS affirm {g}: '{x['text']}'", {"omit": (g, x["text"])}
        ats = _atoms(rep, lambda a: a["sig"])
        if not ats:
            raise Skip
        fx = rng.choice(ats)
        a = fx["atom"]
        g = a["group"]
        if rng.random() < 0.5:
            rep["impression"] = [{"text": rng.choice(NORMAL_IMP)}]
            how = "IMPRESSION is a pasted normal statement"
        else:
            rest = [i for i in rep["impression"] if i.get("atom") is not a]
            rest = [i for i in rest if not re.search(OMIT_TERMS[g], i["text"], re.I)]
            if not rest:
                ex = rng.choice(EXTRAS)(rng)
                rep["findings"].append({"text": ex["f"], "row": ex["row"], "atom": ex})
                rest = [{"text": ex["i"], "atom": ex}]
            rep["impression"] = rest
            how = "IMPRESSION lists other findings only"
        return f"{how}; FINDINGS affirm significant {a['key']}: '{fx['text']}'", {"omit": (g, fx["text"])}
    if kind == "placeholder":
        opts = []
        for x in rep["findings"] + rep["impression"]:
            s = x["text"]
            if re.search(r"\d+(\.\d+)? ?(cm|mm)\b", s):
                opts.append((x, "meas"))
            if len(SIDE_RE.findall(s)) == 1 and not re.search(r"\b(no|without)\b", s, re.I):
                opts.append((x, "side"))
            if re.search(r"\b(small|moderate|large|mild|mildly|moderately)\b", s):
                opts.append((x, "grade"))
            if re.match(r"^(Heart size is normal|The heart is normal in size|Normal heart size)", s):
                opts.append((x, "heart"))
            if re.match(r"^(The lungs are clear|Lungs are clear)", s):
                opts.append((x, "lungs"))
        if not opts:
            raise Skip
        x, how = rng.choice(opts)
        s = x["text"]
        if how == "meas":
            ph = rng.choice(["___ cm", "*** cm", "XX mm", "[***] mm", "___ mm"])
            unit = ph.split()[-1]
            new = re.sub(r"\d+(\.\d+)? ?(cm|mm)\b", ph if unit in ("cm", "mm") else ph, s, count=1)
            if ph.endswith(("cm", "mm")):
                m = re.search(r"\d+(\.\d+)? ?(cm|mm)\b", s)
                new = s[:m.start()] + ph.split()[0] + " " + m.group(2) + s[m.end():]
        elif how == "side":
            ph = rng.choice(["[LEFT/RIGHT]", "[***]", "***", "[right/left]", "<side>"])
            new = SIDE_RE.sub(ph, s, count=1)
        elif how == "grade":
            w = re.search(r"\b(small|moderate|large|mild|mildly|moderately)\b", s).group(1)
            ph = rng.choice(["***", "[***]"] if w.endswith("ly") else
                            ["[small/moderate/large]", "***", "[***]", "[mild/moderate/severe]", "<grade>"])
            new = re.sub(r"\b(small|moderate|large|mild|mildly|moderately)\b", ph, s, count=1)
        elif how == "heart":
            ph = rng.choice(["[normal/enlarged]", "***", "[***]"])
            new = f"Heart size is {ph}."
        else:
            ph = rng.choice(["[clear/***]", "***", "<insert>", "[***]"])
            new = f"The lungs are {ph}."
        new = cap(new) if not new.startswith(("[", "*", "<", "_")) else new
        x["text"] = new
        return f"unfilled template field {ph!r}: '{s}' -> '{new}'", {"ph": ph}
    raise ValueError(kind)


def verify(kind: str | None, text: str, chk: dict) -> bool:
    f, i = sections(text)
    bad_ph = re.compile(r"\[\*\*\*\]|\*\*\*|\[[A-Za-z]+/[A-Za-z/*]+\]|<(insert|side|grade)>|\bXX mm|___ ?(cm|mm)")
    if kind is None:
        return bool(f) and bool(i) and not bad_ph.search(text)
    if kind == "missing_section":
        return (not f) if chk["sec"] == "F" else (not i)
    if not f or not i:
        return False
    if kind == "laterality_conflict":
        s, where, new = chk["lat"]
        other = "left" if new == "right" else "right"
        here, there = (f, i) if where == "FINDINGS" else (i, f)
        return s in here and re.search(rf"\b{new}\b", s, re.I) and re.search(rf"\b{other}\b", there, re.I) \
            and not re.search(rf"\b{other}\b", s, re.I)
    if kind == "negation_conflict":
        sec, s = chk["neg"]
        return s in (f if sec == "F" else i)
    if kind == "impression_omits_finding":
        g, s = chk["omit"]
        return s in f and not re.search(OMIT_TERMS[g], i, re.I)
    if kind == "placeholder":
        return chk["ph"] in text and bool(bad_ph.search(text))
    return False


# --------------------------------------------------------------------------- build


def build(seed: int, iu: list[dict]) -> list[dict]:
    rng = random.Random(seed * 7919 + 46)
    pool = iu[:]
    rng.shuffle(pool)
    pos = 0
    used: set[str] = set()
    rows = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for src in ["composed"] * (n // 2) + ["iu"] * (n - n // 2):
            for _try in range(4000):
                if src == "composed":
                    need = {None: None, "missing_section": None, "laterality_conflict": "sided_sig",
                            "negation_conflict": "neg", "impression_omits_finding": "sig",
                            "placeholder": None}[kind]
                    rep = compose(rng, need)
                else:
                    if pos >= len(pool):
                        pos = 0
                    r = pool[pos]
                    pos += 1
                    if r["uid"] in used:
                        continue
                    rep = iu_rep(rng, r)
                    if not rep["findings"] or not rep["impression"]:
                        continue
                    if kind is None and not iu_clean_ok(rep):
                        continue
                    if kind is not None and re.search(r"\[|\*\*\*|___", r["FINDINGS"] + r["IMPRESSION"]):
                        continue
                style = rng.choice(STYLES if src == "composed" else [x for x in STYLES if x != "organ_rows"])
                detail, chk = "", {}
                if kind:
                    try:
                        detail, chk = inject(rep, kind, rng)
                    except Skip:
                        continue
                text = render(rep, style, rng)
                if not verify(kind, text, chk):
                    continue
                if src == "iu":
                    used.add(rep["uid"])
                if kind is None:
                    detail = "unmodified"
                rows.append({"injected": kind, "detail": f"[{src}/{style}] {detail}", "report": text,
                             "_uid": rep.get("uid")})
                break
            else:
                raise RuntimeError(f"could not build a {kind} case from {src}")
    rng.shuffle(rows)
    out = []
    for n, r in enumerate(rows):
        h = hashlib.sha256(f"46|{seed}|{n}|{r['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h46-{h}", "injected": r["injected"], "detail": r["detail"], "report": r["report"],
                    "_uid": r["_uid"]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    if not os.environ.get("MEDRAG_SHARED_DIR") and not (
            Path(__file__).resolve().parent.parent.parent / "shared").is_dir():
        print("MEDRAG_SHARED_DIR is not set and <repo>/../shared does not exist; "
              "set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    d = Path(os.environ.get("MEDRAG_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
    if not (d / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(f"IU reports not found under {d}; set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        return 2
    rows = build(a.seed, load_iu(d))
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for k in [None] + KINDS:
            for r in [r for r in rows if r["injected"] == k][:a.show]:
                print(f"===== {k} | {r['detail']}\n{r['report']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
