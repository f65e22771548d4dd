"""Held-out report-checker test set no. 18 (written blind).

Written without looking at the checker, its tests, its docs or any other held-out generator: only the
scorer's format, the shared eval README, the IU (Open-i) archive and the dev-set uids were read.

Themes / styles: reports from outside the usual hospital workflow and less common chest studies:
portable and bedside films in odd positions (supine, semi-erect, AP lordotic) with limitation lines
(rotated, underpenetrated, apices excluded, repeated to include the costophrenic angles); more than one film in
one report (pre/post chest drain, inspiration/expiration, "Film 1 ... Film 2 ..."); chest reports that also cover
ribs, thoracic spine and the upper abdomen (free gas, bowel gas, NG tube tips); screening and occupational
programmes (immigration/visa TB screening with a category line, pre-employment, diving and aviation medicals,
ILO/B-reader style, pre-operative clearance); outsourced night-hawk and locum templates whose two sections are
called REPORT/OPINION, Findings/Conclusion/Recommendation, KEY FINDINGS/DIAGNOSIS, REPORT/SUMMARY,
Report/Comment, with critical-result lines ("Discussed with Dr ___ at ___ hours") and disclaimers.

usage: python -m bench.make_heldout18 OUT.jsonl --seed S [--show N]
Half of every group is composed from the phrase bank below, half are real IU reports (dev uids excluded)
re-laid-out in the same styles. Every injected case carries exactly one error, checked in code.
"""
from __future__ import annotations

import argparse
import hashlib
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
N_CLEAN, N_KIND = 200, 40
OPP = {"right": "left", "left": "right"}


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        sys.stderr.write(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder\n")
        sys.exit(2)
    return p


def dev_uids(shared: Path) -> set[str]:
    out = set()
    path = shared / "eval" / "report_errors_dev.jsonl"
    if path.is_file():
        for line in path.open():
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def load_iu(shared: Path) -> list[dict]:
    excl = dev_uids(shared)
    rows = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in tf.getmembers():
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(io.BytesIO(tf.extractfile(m).read())).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            f, i = d.get("FINDINGS", ""), d.get("IMPRESSION", "")
            if uid in excl or len(f) < 30 or len(i) < 5:
                continue
            if re.search(r"_{2,}|\[|\*\*|<", f + i):
                continue
            rows.append({"uid": uid, "indication": d.get("INDICATION", ""), "comparison": d.get("COMPARISON", ""),
                         "findings": f, "impression": i})
    rows.sort(key=lambda r: int(r["uid"][3:]))
    return rows


# ----------------------------------------------------------------------------------------------------------
# phrase bank: items.  Templates use {side}/{Side}/{opp}; n = measurement.
# grp: negation group it excludes; sig: must be in a consistent impression; omit: may be left out as injection
# ----------------------------------------------------------------------------------------------------------
ITEMS = {
    "ptx": dict(sig=True, omit=True, sided=True, grp="ptx",
                terms=r"pneumothora|ptx|pleural (line|air)|air in the pleural",
                find=["There is a {side} apical pneumothorax with an apical rim of {n} mm.",
                      "{Side} pneumothorax, the visceral pleural line lying {n} mm from the apex of the chest wall.",
                      "Thin visceral pleural line at the {side} apex with absent lung markings beyond it: {side} "
                      "apical pneumothorax, depth {n} mm."],
                imp=["{Side} apical pneumothorax.", "Small {side} pneumothorax, no tension features.",
                     "{Side}-sided pneumothorax as described."], n=(8, 25)),
    "eff_big": dict(sig=True, omit=True, sided=True, grp="eff", terms=r"effusion|fluid|meniscus|costophrenic|pleural",
                    find=[], imp=[],
                    pairs=[(None, "Moderate {side} pleural effusion with a meniscus reaching the mid zone.",
                            "Moderate {side} pleural effusion."),
                           (None, "Large {side} pleural effusion obscuring the {side} hemidiaphragm, with mild shift "
                            "of the mediastinum to the {opp}.", "Large {side} effusion; ultrasound-guided aspiration "
                            "could be considered."),
                           (None, "Moderate-sized {side} pleural effusion, seen as a veil-like haze over the lower "
                            "{side} hemithorax.", "{Side} pleural effusion, moderate.")]),
    "eff_small": dict(sig=False, omit=False, sided=True, grp="eff", terms=r"effusion|fluid|costophrenic|pleural",
                      find=["Small {side} pleural effusion blunting the costophrenic angle.",
                            "Blunting of the {side} costophrenic angle in keeping with a small effusion."],
                      imp=["Small {side} pleural effusion.", "Trace {side} effusion."]),
    "consol": dict(sig=True, omit=True, sided=True, grp="lung",
                   terms=r"consolidat|airspace|air-space|air space|pneumoni|infect|opacif|opacit|shadowing|infiltrat"
                         r"|changes?\b",
                   find=["Airspace consolidation in the {side} lower zone with air bronchograms.",
                         "Patchy consolidation in the {side} mid and lower zones.",
                         "New {side} lower lobe airspace opacity, silhouetting the {side} hemidiaphragm."],
                   imp=["{Side} lower zone consolidation in keeping with infection.",
                        "{Side} lower lobe pneumonia.", "{Side} basal consolidation; follow-up film after "
                        "treatment is advised."]),
    "oedema": dict(sig=True, omit=True, sided=False, grp="oed",
                   terms=r"o?edema|congest|venous|overload|failure|kerley|fluid|vascular",
                   find=["Upper lobe venous diversion, septal lines at both bases and bilateral perihilar haziness, "
                         "consistent with pulmonary oedema.",
                         "Interstitial pulmonary oedema with Kerley B lines and peribronchial cuffing."],
                   imp=["Pulmonary oedema.", "Appearances consistent with cardiac failure / fluid overload."]),
    "freeair": dict(sig=True, omit=True, sided=False, grp="air",
                    terms=r"free (air|gas)|pneumoperitoneum|subdiaphragm|under the (right |left )?(hemi)?diaphragm",
                    find=["Free gas is present beneath the right hemidiaphragm.",
                          "There is a crescent of free intraperitoneal gas under both hemidiaphragms."],
                    imp=["Pneumoperitoneum.", "Free subdiaphragmatic gas, surgical review advised."]),
    "mediast": dict(sig=True, omit=True, sided=False, grp="heart",
                    terms=r"mediastin|aort|cardiomediastinal",
                    find=["The superior mediastinum is widened, measuring {n} mm at the level of the aortic knuckle.",
                          "Widened mediastinum ({n} mm), with loss of the aortic knuckle contour."],
                    imp=["Widened mediastinum; CT aortogram recommended.", "Mediastinal widening."], n=(85, 110)),
    "nodule": dict(sig=True, omit=True, sided=True, grp="lung",
                   terms=r"nodul|mass|lesion|opacit|density|shadow",
                   find=[], imp=[], n=(8, 18),
                   pairs=[(None, "There is a {n} mm rounded nodule in the {side} mid zone.",
                           "{n} mm {side} mid zone nodule; CT chest recommended."),
                          (None, "A {n} mm soft tissue nodule projects over the {side} upper zone, not seen on the "
                           "previous film.", "New {side} upper zone pulmonary nodule, CT advised.")]),
    "mass": dict(sig=True, omit=True, sided=True, grp="lung", terms=r"mass|lesion|hil(ar|um)|opacit|neoplas|tumou?r",
                 find=[], imp=[], n=(3, 6),
                 pairs=[(None, "Lobulated {n} cm mass at the {side} hilum.",
                         "{Side} hilar mass, suspicious for malignancy."),
                        (None, "A {n} cm mass is seen in the {side} upper zone.",
                         "{Side} upper zone mass; CT staging advised.")]),
    "collapse": dict(sig=True, omit=True, sided=True, grp="lung", terms=r"collaps|atelecta|volume loss|lobe",
                     find=[], imp=[],
                     pairs=[("left", "Triangular density behind the heart with loss of the medial left "
                             "hemidiaphragm outline: left lower lobe collapse.", "Left lower lobe collapse."),
                            ("right", "Right upper lobe collapse with elevation of the horizontal fissure and the "
                             "right hilum.", "Right upper lobe collapse; bronchoscopy may be considered."),
                            ("left", "Left upper lobe collapse, with a veil-like opacity over the left upper zone and "
                             "elevation of the left hilum.", "Left upper lobe collapse.")]),
    "cardio_mild": dict(sig=False, omit=False, sided=False, grp="heart", terms=r"cardiomegal|heart|cardiac|ctr",
                        find=["The heart is mildly enlarged, unchanged from the previous film.",
                              "Borderline cardiomegaly, stable."],
                        imp=["Stable mild cardiomegaly.", "Borderline heart size."]),
    "granuloma": dict(sig=False, omit=False, sided=True, grp=None, terms=r"granulom|calcif",
                      find=[], imp=[],
                      pairs=[(None, "Small calcified granuloma in the {side} upper zone.",
                              "Calcified {side} upper zone granuloma, inactive."),
                             (None, "Calcified granuloma projected over the {side} mid zone.",
                              "Old granulomatous disease.")]),
    "smallnod": dict(sig=False, omit=False, sided=True, grp=None, terms=r"nodul",
                     find=["Tiny {n} mm calcified nodule in the {side} lower zone, likely benign."],
                     imp=["Tiny calcified {side} nodule."], n=(2, 4)),
    "oldrib": dict(sig=False, omit=False, sided=True, grp=None, terms=r"fractur|rib",
                   find=["Old healed fractures of the {side} 6th and 7th ribs.",
                         "Healed {side} posterior rib fractures."],
                   imp=["Old {side} rib fractures."]),
    "newrib": dict(sig=True, omit=False, sided=True, grp="bone", terms=r"fractur|rib",
                   find=["Acute undisplaced fractures of the {side} 8th and 9th ribs laterally.",
                         "Minimally displaced fracture of the {side} 5th rib anterolaterally."],
                   imp=["Acute {side} rib fractures.", "Fractured {side} ribs as described."]),
    "degen": dict(sig=False, omit=False, sided=False, grp=None, terms=r"degenerat|spondylo|osteophyt",
                  find=["Degenerative change in the thoracic spine.", "Mild thoracic spondylosis."],
                  imp=["Thoracic spondylosis."]),
}

NEG = {
    "ptx": ["No pneumothorax.", "No pneumothorax is seen.", "No visible pleural edge to suggest pneumothorax."],
    "eff": ["No pleural effusion.", "Costophrenic angles are clear.", "No effusion."],
    "lung": ["The lungs are clear.", "No focal consolidation.", "Lung fields are clear."],
    "heart": ["Heart size is normal.", "Cardiothoracic ratio is within normal limits.",
              "Normal cardiomediastinal contours."],
    "oed": ["No pulmonary oedema.", "Pulmonary vascularity is normal."],
    "bone": ["No acute bony injury.", "No acute rib fracture identified."],
}
AFFIRM = {  # impression assertions contradicting NEG[grp]
    "ptx": ["Small {side} apical pneumothorax.", "{Side} pneumothorax."],
    "eff": ["{Side} pleural effusion.", "Small-to-moderate {side} effusion."],
    "lung": ["{Side} basal consolidation.", "{Side} lower lobe pneumonia."],
    "heart": ["Cardiomegaly.", "Enlarged cardiac silhouette."],
    "oed": ["Pulmonary oedema.", "Congestive cardiac failure."],
    "bone": ["Acute {side} rib fractures."],
}
DENY = {  # impression denials contradicting an affirmed item of grp
    "ptx": ["No pneumothorax.", "No pneumothorax demonstrated."],
    "eff": ["No pleural effusion.", "No effusion."],
    "lung": ["Lungs are clear.", "No consolidation."],
    "heart": ["Normal heart size.", "Heart size within normal limits."],
    "oed": ["No pulmonary oedema.", "No features of heart failure."],
    "bone": ["No rib fracture.", "No acute bony abnormality."],
}
NORMAL_IMP = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.", "No acute disease.",
              "Unremarkable chest X-ray.", "No active chest disease.", "No significant abnormality detected."]

DEVICES = [
    "Endotracheal tube tip {n} cm above the carina.", "NG tube passes below the diaphragm, tip in the gastric "
    "fundus.", "Right internal jugular line, tip at the cavo-atrial junction.", "ECG leads overlie the chest.",
    "Left subclavian central line with tip in the SVC.",
]


def rside(rng):
    return rng.choice(["right", "left"])


class Item:
    def __init__(self, rng, key):
        spec = ITEMS[key]
        self.key, self.spec = key, spec
        self.side = rside(rng) if spec["sided"] else None
        if spec.get("pairs"):
            side, self.ft, self.it = rng.choice(spec["pairs"])
            self.side = side or self.side
        else:
            self.ft, self.it = rng.choice(spec["find"]), rng.choice(spec["imp"])
        self.side_f = self.side_i = self.side
        self.n = rng.randint(*spec["n"]) if "n" in spec else None
        self.in_imp = spec["sig"] or rng.random() < 0.45

    @staticmethod
    def fill(t, side, n):
        s = side or ""
        return t.format(side=s, Side=s.capitalize(), opp=OPP.get(s, ""), n=n)

    def f(self):
        t = self.fill(self.ft, self.side, self.n)
        return flip(t) if self.side_f != self.side else t

    def i(self):
        t = self.fill(self.it, self.side, self.n)
        t = flip(t) if self.side_i != self.side else t
        return t[0].upper() + t[1:]


# scenario: technique lines, exam name, allowed items, extra findings lines
SCEN = {
    "portable": dict(exam=["XR CHEST PORTABLE AP", "CHEST (BEDSIDE) SUPINE AP", "PORTABLE CHEST SEMI-ERECT"],
                     tech=["Single supine AP film. Patient rotated to the {side}.",
                           "Semi-erect AP bedside film, underpenetrated. Lung apices excluded from the field.",
                           "AP lordotic projection; the clavicles project above the apices.",
                           "Supine portable film, limited by rotation and patient habitus.",
                           "Repeated to include the costophrenic angles; the second exposure is adequate."],
                     items=["eff_big", "eff_small", "consol", "oedema", "ptx", "collapse", "cardio_mild", "mediast"],
                     devices=True),
    "drain": dict(exam=["CHEST - PRE AND POST INTERCOSTAL DRAIN", "CXR x2 (pre/post chest drain)"],
                  tech=["Two films: Film 1 pre-procedure, Film 2 following drain insertion."],
                  items=["consol", "cardio_mild", "collapse", "degen"], drain=True),
    "inspexp": dict(exam=["CHEST PA INSPIRATION AND EXPIRATION", "CXR INSP/EXP FOR ?PTX"],
                    tech=["PA inspiratory and expiratory films."], items=["ptx", "granuloma", "smallnod",
                                                                          "eff_small", "collapse"]),
    "ribs": dict(exam=["XR RIBS {SIDE} WITH PA CHEST", "RIB SERIES + CHEST"],
                 tech=["PA chest and oblique views of the {side} ribs."],
                 items=["newrib", "oldrib", "ptx", "eff_small", "eff_big", "consol", "degen"]),
    "abdo": dict(exam=["ERECT CHEST (INCLUDING UPPER ABDOMEN)", "CHEST AND UPPER ABDOMEN, ERECT"],
                 tech=["Erect PA chest including both hemidiaphragms and upper abdomen."],
                 items=["freeair", "consol", "eff_small", "eff_big", "collapse", "degen"], abdo=True),
    "screen": dict(exam=["CHEST X-RAY - IMMIGRATION MEDICAL (TB SCREENING)", "VISA MEDICAL CHEST RADIOGRAPH",
                         "PRE-EMPLOYMENT CHEST X-RAY", "CHEST X-RAY - DIVING MEDICAL",
                         "CHEST PA - AVIATION MEDICAL (CLASS 1)", "CHEST PA - ILO CLASSIFICATION (B READ)"],
                   tech=["Single PA view, good inspiration.", "PA erect, adequate exposure."],
                   items=["granuloma", "smallnod", "nodule", "mass", "consol", "cardio_mild", "degen", "oldrib",
                          "collapse", "eff_big"]),
    "preop": dict(exam=["PRE-OPERATIVE CHEST X-RAY", "CHEST PA (PRE-OP ASSESSMENT)"],
                  tech=["PA erect view."], items=["cardio_mild", "degen", "granuloma", "nodule", "mass", "consol",
                                                   "eff_big", "eff_small", "oedema"]),
    "nighthawk": dict(exam=["XR CHEST 1 VIEW", "CHEST PA/AP", "XR CHEST PA AND LATERAL"],
                      tech=["", "AP erect view.", "PA view."],
                      items=["consol", "eff_big", "eff_small", "ptx", "oedema", "nodule", "collapse", "cardio_mild",
                             "mediast", "newrib", "granuloma"]),
}

INDIC = {
    "portable": ["Intubated, post-op day 1.", "Hypoxia on ICU.", "Line position check.", "Desaturating overnight.",
                 "Post CVC insertion."],
    "drain": ["Dyspnoea, effusion on previous film; drain inserted on the ward.", "Breathless. Chest drain."],
    "inspexp": ["Sudden pleuritic chest pain. ?pneumothorax.", "Tall thin male, chest pain on the {side}. ?PTX"],
    "ribs": ["Fall onto the {side} side, point tenderness.", "Assault, {side} chest wall pain."],
    "abdo": ["Acute abdominal pain, ?perforation.", "Epigastric pain and vomiting."],
    "screen": ["Visa application, routine TB screening.", "Pre-employment health check (healthcare worker).",
               "Occupational dust exposure; periodic surveillance.", "Fitness to dive assessment.",
               "Pilot medical, routine."],
    "preop": ["Pre-op for elective hip replacement.", "Pre-operative assessment, smoker.", "Pre-op, ASA 2."],
    "nighthawk": ["Cough and fever.", "SOB.", "Chest pain, ?cause.", "Fever, productive cough, raised CRP.",
                  "Fall, chest pain."],
}

SCREEN_INDIC = {
    "IMMIGRATION": ["Visa application, routine TB screening.", "Permanent residence medical. TB screening.",
                    "Panel physician referral: student visa TB screen."],
    "VISA": ["Visa application, routine TB screening.", "Work visa medical, asymptomatic."],
    "EMPLOYMENT": ["Pre-employment health check (healthcare worker).", "New starter, occupational health clearance."],
    "DIVING": ["Fitness to dive assessment.", "Commercial diver, annual medical."],
    "AVIATION": ["Pilot medical, routine.", "Initial class 1 aviation medical."],
    "ILO": ["Occupational dust exposure (silica); periodic surveillance.", "Former coal miner, surveillance read."],
}

# section-name pairs (findings header, impression header)
LAYOUTS = [
    ("REPORT", "OPINION"), ("Findings", "Conclusion/Recommendation"), ("KEY FINDINGS", "DIAGNOSIS"),
    ("REPORT", "SUMMARY"), ("Report", "Comment"), ("FINDINGS", "IMPRESSION"), ("Findings", "Conclusion"),
    ("RADIOLOGICAL FINDINGS", "CONCLUSION"), ("OBSERVATIONS", "OPINION"),
]
DISCLAIMERS = [
    "This report was issued by a remote reporting service. Prior imaging was not available unless stated.",
    "Preliminary overnight report - the final report will be issued by the local radiology department.",
    "Electronically signed. Reported off-site under contract; please contact the on-call service for queries.",
    "This examination was reported by a locum consultant radiologist.",
    "Note: this report is intended for the referring clinician; correlate clinically.",
    "Reported via teleradiology. Images reviewed on a diagnostic workstation.",
]
COMPANIES = ["NightView Teleradiology", "RadNet Overnight Reporting", "Meridian Remote Radiology",
             "OnCall Imaging Services", "Telerad Partners (offshore hub)"]


def render(rng, style, parts, fh, ih, f_lines, i_lines, *, drop_f=False, drop_i=False):
    """Lay a report out.  f_lines / i_lines may be [] (header with nothing under it)."""
    out = []
    out.extend(parts["top"])
    for lab, val in parts["meta"]:
        if val:
            out.append(f"{lab}: {val}")
    inline = style % 3 == 1
    sep = "\n" if style % 2 == 0 else " "
    cap = style % 4 == 3
    for head, lines, drop in ((fh, f_lines, drop_f), (ih, i_lines, drop_i)):
        if drop:
            continue
        h = head.upper() if cap else head
        if not lines:
            out.append(h + ":")
            out.append("")
            continue
        if inline and len(lines) <= 6:
            out.append(h + ": " + " ".join(lines))
        else:
            out.append(h + ":")
            if style % 5 == 2 and len(lines) > 1 and head == ih:
                out.extend(f"{k + 1}. {x}" for k, x in enumerate(lines))
            else:
                out.append(sep.join(lines) if sep == " " else "\n".join(lines))
    out.extend(parts["tail"])
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def wrap_parts(rng, scen, exam, indic, comp, tech, crit):
    top, tail = [], []
    if scen in ("nighthawk", "portable", "drain") or rng.random() < 0.3:
        co = rng.choice(COMPANIES)
        top.append(f"{co} - {'PRELIMINARY' if rng.random() < 0.5 else 'FINAL'} REPORT")
        top.append(f"Exam: {exam}")
        top.append(f"Received {rng.randint(0, 5):02d}:{rng.randint(0, 59):02d}  Reported "
                   f"{rng.randint(6, 7):02d}:{rng.randint(0, 59):02d} (remote)")
        tail.append(rng.choice(DISCLAIMERS))
    else:
        top.append(exam)
        if rng.random() < 0.4:
            tail.append(rng.choice(DISCLAIMERS))
    if crit:
        tail.insert(0, rng.choice(["Discussed with Dr ___ at ___ hours.",
                                   "Critical result: telephoned to Dr ___ (ED) at ___ hrs, read back confirmed.",
                                   "Urgent finding communicated to the referring team (Dr ___) on ___."]))
    if rng.random() < 0.5:
        tail.append(rng.choice(["Dr ___, Locum Consultant Radiologist", "Reported by: Dr ___ FRCR",
                                "Reporting radiologist: ___, MD (remote)", "Signed: Dr ___"]))
    lab_ind = rng.choice(["CLINICAL DETAILS", "Clinical details", "History", "CLINICAL INFORMATION", "Indication"])
    meta = [(lab_ind, re.sub(r"\.(\s*\.)+", ".", indic)), ("Comparison", re.sub(r"\.(\s*\.)+", ".", comp))]
    if tech:
        meta.append((rng.choice(["Technique", "TECHNIQUE", "Projection", "Film quality"]), tech))
    return {"top": top, "tail": tail, "meta": meta}


def ilo_line(rng, items):
    big = any(it.spec["grp"] == "lung" for it in items)
    other = "large opacities none; other abnormality: yes (see report)" if big else "large opacities none"
    return (f"ILO classification: film quality {rng.choice(['1', '2 (underexposed)', '1'])}; small opacities "
            f"profusion 0/0; {other}; pleural abnormalities consistent with pneumoconiosis: no.")


# ----------------------------------------------------------------------------------------------------------
# composed cases
# ----------------------------------------------------------------------------------------------------------
NEED = {"laterality_conflict": lambda it: it.side and it.in_imp,
        "impression_omits_finding": lambda it: it.spec["omit"],
        }


def exam_for(rng, scen, tech):
    t = tech.lower()
    if "lordotic" in t:
        return "XR CHEST AP LORDOTIC (BEDSIDE)"
    if "supine" in t:
        return rng.choice(["CHEST (BEDSIDE) SUPINE AP", "XR CHEST PORTABLE AP"])
    if "semi-erect" in t:
        return rng.choice(["PORTABLE CHEST SEMI-ERECT", "XR CHEST PORTABLE AP"])
    if scen == "portable":
        return "XR CHEST PORTABLE AP"
    if "ap erect" in t:
        return rng.choice(["XR CHEST 1 VIEW", "CHEST AP ERECT"])
    if "pa view" in t:
        return rng.choice(["XR CHEST 1 VIEW", "CHEST PA"])
    return rng.choice(["CHEST PA/AP", "XR CHEST PA AND LATERAL", "XR CHEST 1 VIEW"])


def compose(rng, kind):
    scen = rng.choice(list(SCEN))
    while kind == "impression_omits_finding" and scen == "drain":
        scen = rng.choice(list(SCEN))
    sc = SCEN[scen]
    side0 = rside(rng)
    pool = list(sc["items"])
    nitems = rng.choice([0, 0, 1, 1, 1, 2, 2, 3]) if kind is None else rng.choice([1, 1, 2, 2, 3])
    keys = []
    if kind == "laterality_conflict":
        keys.append(rng.choice([k for k in pool if ITEMS[k]["sided"]] or ["consol"]))
    elif kind == "impression_omits_finding":
        keys.append(rng.choice([k for k in pool if ITEMS[k]["omit"]] or ["consol"]))
    for k in rng.sample(pool, len(pool)):
        if len(keys) >= nitems:
            break
        if k in keys or any(ITEMS[k]["grp"] and ITEMS[k]["grp"] == ITEMS[j]["grp"] for j in keys):
            continue
        keys.append(k)
    omit_normal = kind == "impression_omits_finding" and rng.random() < 0.5
    if omit_normal:
        keys = keys[:1] + [k for k in keys[1:] if not ITEMS[k]["sig"]]
    elif kind == "impression_omits_finding" and len(keys) == 1:
        minor = [k for k in ("granuloma", "degen", "cardio_mild", "oldrib", "eff_small")
                 if not (ITEMS[k]["grp"] and ITEMS[k]["grp"] == ITEMS[keys[0]]["grp"])]
        keys.append(rng.choice(minor))
    items = [Item(rng, k) for k in keys]
    if scen in ("ribs", "inspexp") and items and items[0].side:
        side0 = items[0].side
    if scen == "ribs":
        for it in items:
            if it.key in ("newrib", "oldrib", "ptx") and "pairs" not in it.spec:
                it.side = it.side_f = it.side_i = side0
    if kind == "laterality_conflict":
        items[0].in_imp = True
    exam = rng.choice(sc["exam"]).replace("{SIDE}", side0.upper())
    indic = rng.choice(INDIC[scen]).format(side=side0)
    if scen == "screen":
        for key, opts in SCREEN_INDIC.items():
            if key in exam:
                indic = rng.choice(opts)
    tech = rng.choice(sc["tech"]).format(side=side0)
    while "ptx" in keys and "apices" in tech:
        tech = rng.choice(sc["tech"]).format(side=side0)
    if scen in ("portable", "nighthawk"):
        exam = exam_for(rng, scen, tech)
    if scen in ("screen", "preop"):
        comp = rng.choice(["None.", "None available.", "", "Previous screening film dated ___ reviewed."])
    else:
        comp = rng.choice(["None.", "None available.", "Previous film from ___ (outside hospital) not available.",
                           "CXR ___ (earlier this admission).", ""])
    grps = {it.spec["grp"] for it in items}
    negs = []
    order = ["heart", "lung", "oed", "eff", "ptx"] + (["bone"] if scen == "ribs" else [])
    for g in order:
        if g not in grps and not (g == "lung" and items):
            negs.append((g, rng.choice(NEG[g])))
        elif g == "lung" and g not in grps:
            negs.append((g, "No focal consolidation."))
    if rng.random() < 0.4:
        negs = [n for n in negs if n[0] not in ("oed",)]
    extra_f = []
    if sc.get("devices") and rng.random() < 0.7:
        extra_f.append(rng.choice(DEVICES).format(n=rng.randint(3, 6)))
    if sc.get("abdo"):
        if "freeair" not in keys:
            negs.append(("air", rng.choice(["No free gas under the diaphragm.", "No pneumoperitoneum."])))
        extra_f.append(rng.choice(["Normal bowel gas pattern in the visualised upper abdomen.",
                                   "Gas-filled loops of non-dilated small bowel in the left upper quadrant.",
                                   "NG tube tip in the stomach, well below the gastro-oesophageal junction."]))
    if scen == "ribs" and "newrib" not in keys and "oldrib" not in keys:
        extra_f.append("No displaced rib fracture on the dedicated views; undisplaced fractures may not be visible.")
    if scen == "screen" and "ILO" in exam:
        extra_f.append(ilo_line(rng, items))
    # findings lines
    state = {"items": items, "negs": negs, "extra_f": extra_f, "scen": scen, "imp_extra": [], "imp_normal": None,
             "drop_f": False, "drop_i": False, "empty_f": False, "empty_i": False, "fsub": None, "deny": None}
    detail = ""
    if kind == "laterality_conflict":
        it = items[0]
        if rng.random() < 0.5:
            it.side_i = OPP[it.side]
            detail = f"impression puts the {it.key} on the {it.side_i}; findings on the {it.side}"
        else:
            it.side_f = OPP[it.side]
            detail = f"findings put the {it.key} on the {it.side_f}; impression on the {it.side}"
    elif kind == "impression_omits_finding":
        it = items[0]
        it.in_imp = False
        if omit_normal:
            for o in items[1:]:
                o.in_imp = False
            state["imp_normal"] = rng.choice(NORMAL_IMP[:3] + ["No acute abnormality."])
            detail = f"{it.key} in findings, impression a normal macro"
        else:
            for o in items[1:]:
                o.in_imp = True
            detail = f"{it.key} in findings, impression lists other findings only"
    elif kind == "negation_conflict":
        cands_a = [g for g, _ in negs if g in AFFIRM]
        cands_b = [it for it in items if it.spec["grp"] in DENY]
        if cands_b and (rng.random() < 0.5 or not cands_a):
            it = rng.choice(cands_b)
            it.in_imp = False
            state["deny"] = rng.choice(DENY[it.spec["grp"]])
            detail = f"findings affirm {it.key}; impression says '{state['deny']}'"
        else:
            g = rng.choice(cands_a)
            s = rside(rng)
            aff = Item.fill(rng.choice(AFFIRM[g]), s, None)
            state["imp_extra"].insert(0, aff)
            state["neg_target"] = g
            detail = f"findings negate ({g}); impression asserts '{aff}'"
    f_lines = [it.f() for it in items]
    if scen == "drain":
        d = rside(rng) if not items or not items[0].side else items[0].side
        f_lines = ([f"Film 1 (pre-drain): large {d} pleural effusion with mediastinal shift to the {OPP[d]}."]
                   + [f"Film 2 (post-drain): {d} basal intercostal drain in situ. The {d} effusion has largely "
                      f"drained, with only a small residual {d} effusion. No pneumothorax following drain "
                      f"insertion. Mediastinum now central."]
                   + f_lines)
        negs = [n for n in negs if n[0] not in ("eff", "ptx")]
        items.insert(0, _fixed("drain", d, rng))
        state["items"] = items
    f_lines = f_lines + [n for _, n in negs] + extra_f
    if scen == "inspexp":
        f_lines = ["Inspiratory film: " + f_lines[0]] + f_lines[1:]
        if any(it.key == "ptx" for it in items):
            f_lines.append("Expiratory film: the pneumothorax is more conspicuous; no mediastinal shift.")
        else:
            f_lines.append(rng.choice(["Expiratory film: no pneumothorax is demonstrated.",
                                       "Expiratory film: no pleural edge seen; no air trapping."]))
    i_lines = []
    if state["imp_normal"]:
        i_lines = [state["imp_normal"]]
        # keep a non-significant minor finding mention sometimes
    else:
        i_lines = [it.i() for it in items if it.in_imp]
        if state["deny"]:
            i_lines.append(state["deny"])
        i_lines = state["imp_extra"] + i_lines
        if not i_lines:
            i_lines = [rng.choice(NORMAL_IMP[:3] + NORMAL_IMP[4:5] if items else NORMAL_IMP)]
    if scen == "screen" and ("TB" in exam or "VISA" in exam):
        tb_ok = not any(it.key in ("consol", "mass", "nodule", "collapse", "eff_big") for it in items)
        i_lines.append("TB category: " + ("A - no radiological features of active or previous tuberculosis."
                                          if tb_ok and not any(it.key == "granuloma" for it in items) else
                                          "B - further assessment by the panel physician."))
    if scen == "screen" and ("DIVING" in exam or "AVIATION" in exam):
        i_lines.append(rng.choice(["No radiological contraindication identified.",
                                   "Fitness decision rests with the examining medical officer."]))
    if kind == "placeholder":
        f_lines, detail = place_hold(rng, f_lines, i_lines)
        if f_lines is None:
            return None
    if kind == "missing_section":
        mode = rng.choice(["drop_i", "empty_i", "empty_i", "drop_f", "empty_f"])
        if mode in ("drop_f", "empty_f"):
            i_lines = [rng.choice(NORMAL_IMP[:3] + ["No acute abnormality."])]
            for it in items:
                it.in_imp = False
        if mode == "drop_i":
            state["drop_i"] = True
        elif mode == "empty_i":
            i_lines = []
        elif mode == "drop_f":
            state["drop_f"] = True
        else:
            f_lines = []
        detail = {"drop_i": "IMPRESSION-equivalent section absent", "empty_i": "IMPRESSION header with nothing",
                  "drop_f": "FINDINGS section absent, bare normal impression",
                  "empty_f": "FINDINGS header with nothing under it"}[mode]
    crit = any(it.spec["sig"] and it.in_imp for it in items if it.key in ITEMS) and rng.random() < 0.6
    crit = crit and kind != "missing_section" and scen in ("nighthawk", "portable", "drain", "ribs", "abdo")
    parts = wrap_parts(rng, scen, exam, indic, comp, tech, crit)
    fh, ih = rng.choice(LAYOUTS)
    style = rng.randrange(60)
    rep = render(rng, style, parts, fh, ih, f_lines, i_lines, drop_f=state["drop_f"], drop_i=state["drop_i"])
    case = {"report": rep, "detail": detail or "unmodified", "fh": fh, "ih": ih, "f": f_lines, "i": i_lines,
            "items": items, "state": state, "kind": kind}
    if not verify(case):
        return None
    return case


def _fixed(key, side, rng):
    it = Item.__new__(Item)
    it.key, it.side, it.side_f, it.side_i, it.n = key, side, side, side, None
    it.spec = dict(sig=True, omit=False, sided=True, grp="eff", terms=r"effusion|drain")
    it.ft = ""
    it.it = rng.choice(["Satisfactory {side} intercostal drain position with good drainage of the {side} effusion; "
                        "small residual effusion.", "{Side} chest drain in good position, effusion largely drained."])
    it.in_imp = True
    return it


PH_NUM = ["XX", "__", "[ ]", "***", "<number>"]
PH_SIDE = ["[LEFT/RIGHT]", "[right/left]", "***", "[side]", "<<side>>", "___"]


def place_hold(rng, f_lines, i_lines):
    opts = []
    for k, ln in enumerate(f_lines):
        for m in re.finditer(r"\b(\d+(?:\.\d+)?) ?(mm|cm)\b", ln):
            opts.append(("num", k, m))
        for m in re.finditer(r"\b(right|left)\b", ln, re.I):
            opts.append(("side", k, m))
        for m in re.finditer(r"\b(small|moderate|large|mild|mildly|tiny|minimal)\b", ln, re.I):
            if not re.search(r"\b(no|not|without)\b", ln[:m.start()], re.I):
                opts.append(("grade", k, m))
        for m in re.finditer(r"\b(?:is|are|appears?) (normal)\b", ln):
            opts.append(("normal", k, m))
    if not opts:
        return None, ""
    pri = [o for o in opts if o[0] in ("num", "side")]
    typ, k, m = rng.choice(pri if pri and rng.random() < 0.8 else opts)
    ln = f_lines[k]
    if typ == "num":
        ph = rng.choice(PH_NUM)
        new = ln[:m.start(1)] + ph + ln[m.end(1):]
    elif typ == "side":
        ph = rng.choice(PH_SIDE)
        new = ln[:m.start()] + ph + ln[m.end():]
    elif typ == "grade":
        w = m.group(0).lower()
        ph = rng.choice(["[***]", "<grade>"] if w.endswith("ly") else
                        ["[small/moderate/large]", "[***]", "<grade>"] if w in ("small", "moderate", "large") else
                        ["[mild/moderate/severe]", "[***]", "<grade>"])
        new = ln[:m.start()] + ph + ln[m.end():]
    else:
        ph = rng.choice(["[normal/enlarged]", "[***]", "<normal/abnormal>"])
        new = ln[:m.start(1)] + ph + ln[m.end(1):]
    out = list(f_lines)
    out[k] = new
    return out, f"{typ} '{m.group(0)}' replaced by '{ph}' in findings"


# ----------------------------------------------------------------------------------------------------------
# verification of composed/IU cases
# ----------------------------------------------------------------------------------------------------------
PH_RE = re.compile(r"\[(?:LEFT/RIGHT|right/left|side|\*\*\*|small/moderate/large|mild/moderate/severe|normal/enlarged|"
                   r" )\]|<<side>>|<(?:number|grade|normal/abnormal)>|\*\*\*|\bXX\b|__ ?(?:mm|cm)|___ "
                   r"(?:lower|upper|mid|apical|pleural|pneumo|basal|hilar|hilum|apex|hemi\w+|effusion|base|cm|mm|rib|lobe|"
                   r"costophrenic|sided|lung|side|chest|perihilar|\w+ ribs?)|"
                   r"\b(?:lower|upper|mid) zone ___|___(?:-sided)")


def verify(case):
    kind, rep = case["kind"], case["report"]
    fj, ij = " ".join(case["f"]), " ".join(case["i"])
    st = case["state"]
    has_ph = bool(PH_RE.search(rep))
    if kind != "placeholder" and has_ph:
        return False
    if "XXXX" in rep and case.get("composed", True) and "iu" not in case:
        return False
    if kind is None or kind not in ("missing_section",):
        if not fj.strip() or not ij.strip() or st["drop_f"] or st["drop_i"]:
            return False
    if kind == "placeholder":
        return has_ph
    if kind == "missing_section":
        return st["drop_f"] or st["drop_i"] or not case["f"] or not case["i"]
    items = [it for it in case["items"] if it.key in ITEMS]
    if kind is None:
        for it in items:
            if it.spec["sig"] and not it.in_imp:
                return False
        return True
    if kind == "laterality_conflict":
        it = items[0]
        return it.side_f != it.side_i and re.search(rf"\b{it.side_f}\b", it.f().lower()) is not None and \
            re.search(rf"\b{it.side_i}\b", it.i().lower()) is not None
    if kind == "impression_omits_finding":
        it = items[0]
        if it.f() not in fj or any(o.spec["sig"] and not o.in_imp for o in items[1:]):
            return False
        if re.search(it.spec["terms"], ij, re.I):
            return False
        if re.search(r"clear|normal heart|no consolidation|no effusion|no pneumothorax", ij, re.I):
            return False
        return bool(it.spec["sig"])
    if kind == "negation_conflict":
        if st.get("deny"):
            tgt = [it for it in items if not it.in_imp and it.spec["grp"] and st["deny"] in DENY[it.spec["grp"]]]
            return bool(tgt) and st["deny"] in ij and any(it.f() in fj for it in tgt)
        g = st.get("neg_target")
        return bool(g) and any(n in fj for n in NEG[g]) and st["imp_extra"][0] in ij
    return False


# ----------------------------------------------------------------------------------------------------------
# IU cases
# ----------------------------------------------------------------------------------------------------------
SIDE_RE = re.compile(r"\b(right|left)\b", re.I)
FIND_TERMS = r"effusion|pneumothorax|opacit|consolidat|airspace|atelecta|granulom|nodul|infiltrat|pneumonia|scar" \
             r"|fracture|hemidiaphragm|mass|calcif|thickening|lobe|basilar|base|apex|apical|hilar|density|lung"
NORMAL_IU = re.compile(r"^(no acute|normal chest|negative|no active|no evidence of active|no radiographic evidence"
                       r" of acute|no acute cardiopulmonary)[^.]*\.?$", re.I)
REWORD = [
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality detected"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal outline"),
    (r"\bThe lungs are clear\b", "Both lungs are clear"),
    (r"\bthe lungs are clear\b", "both lungs are clear"),
    (r"\bwithin normal limits\b", "within normal limits"),
    (r"\bpleural effusion\b", "pleural effusion"),
    (r"\bedema\b", "oedema"),
    (r"\bNo pneumothorax\b", "No pneumothorax seen"),
    (r"\bx-XXXX\b", "X-ray"),
]


def sents(t):
    t = re.sub(r"\.(\s*\.)+", ".", t)
    return [s for s in re.split(r"(?<=[.])\s+", t.strip()) if s and not re.fullmatch(r"[\s.\d]*", s)]


def reword(rng, t):
    for pat, rep in REWORD:
        if rng.random() < 0.5:
            t = re.sub(pat, rep, t)
    return t


OMIT_INS = {
    "ptx": (["There is a {side} apical pneumothorax measuring {n} mm.", "New {side} pneumothorax, apical rim {n} mm."],
            r"pneumothora|pleural", r"pneumothora|ptx|pleural"),
    "eff_big": (["Moderate {side} pleural effusion with meniscus to the mid zone.",
                 "New moderate {side} pleural effusion."],
                r"effusion|costophrenic|pleural|sulc", r"effusion|fluid|pleural|costophrenic"),
    "consol": (["Focal consolidation in the {side} lower lobe with air bronchograms.",
                "New airspace opacity in the {side} lower lobe."],
               r"consolidat|airspace|air space|clear|infiltrat|opacit|pneumonia|focal",
               r"consolidat|airspace|air space|clear|infiltrat|opacit|pneumonia|infect|focal"),
    "oedema": (["Diffuse interstitial oedema with vascular congestion and Kerley B lines."],
               r"o?edema|vascular|congest|interstitial|clear",
               r"o?edema|vascular|congest|interstitial|failure|fluid|clear"),
    "nodule": (["New {n} mm nodule in the {side} upper lobe.", "{n} mm noncalcified nodule in the {side} mid lung."],
               r"nodul|mass|clear|granulom|opacit", r"nodul|mass|lesion|opacit|density|clear|granulom"),
}


def iu_base(rng, r):
    ind = r["indication"]
    if re.search(r"\btb\b|ppd|tubercul|quantiferon|immigra", ind, re.I):
        return "screen", rng.choice(["CHEST X-RAY (TB SCREENING)", "CHEST PA AND LATERAL - TB SCREEN",
                                     "TB SCREENING CHEST X-RAY - 2 VIEWS"])
    if re.search(r"pre-?op|surgery", ind, re.I):
        return "preop", rng.choice(["PRE-OPERATIVE CHEST X-RAY", "CHEST PA/LAT (PRE-OP)"])
    if re.search(r"employ|occupation|physical|routine|screen", ind, re.I):
        return "screen", rng.choice(["PRE-EMPLOYMENT CHEST X-RAY", "CHEST 2 VIEWS (OCCUPATIONAL HEALTH)"])
    return "nighthawk", rng.choice(["XR CHEST PA AND LATERAL", "CHEST 2 VIEWS", "CHEST PA/LAT"])


def iu_case(rng, r, kind, want_normal=None):
    fs, is_ = sents(r["findings"]), sents(r["impression"])
    detail = "unmodified"
    drop_f = drop_i = False
    low_i = r["impression"].lower()
    if kind is None and not iu_consistent(r):
        return None
    if kind == "laterality_conflict":
        sides = {m.lower() for m in SIDE_RE.findall(r["impression"])}
        if len(sides) != 1 or re.search(r"bilateral|both", low_i):
            return None
        s = sides.pop()
        i_terms = set(re.findall(FIND_TERMS, low_i))
        fidx = [k for k, x in enumerate(fs) if re.search(rf"\b{s}\b", x, re.I) and
                set(re.findall(FIND_TERMS, x.lower())) & i_terms and not re.search(OPP[s], x, re.I)]
        if not fidx or not i_terms or re.search(rf"\b{OPP[s]}\b", r["findings"], re.I):
            return None
        if rng.random() < 0.5:
            is_ = [flip(x) for x in is_]
            detail = f"impression side flipped {s}->{OPP[s]}"
        else:
            for k in fidx:
                fs[k] = flip(fs[k])
            detail = f"findings side flipped {s}->{OPP[s]} in: {' '.join(fs[k] for k in fidx)}"
    elif kind == "negation_conflict":
        fl = r["findings"].lower()
        opts = []
        if re.search(r"\bno (evidence of )?pneumothora|without[^.]*pneumothora|no[^.]*or pneumothora", fl):
            opts.append(rng.choice(["Small {side} apical pneumothorax.", "{Side} pneumothorax."]))
        if re.search(r"\bno (\w+ )?pleural effusion|without[^.]*effusion|no[^.]*or pleural effusion", fl):
            opts.append(rng.choice(["{Side} pleural effusion.", "Small {side} pleural effusion."]))
        if re.search(r"heart size (is )?(normal|within normal)|normal heart size|heart is normal in size", fl):
            opts.append(rng.choice(["Cardiomegaly.", "Enlarged heart."]))
        if re.search(r"lungs are clear|lungs clear", fl) and not re.search(r"\b(right|left)\b", fl):
            opts.append(rng.choice(["{Side} lower lobe pneumonia.", "{Side} basilar consolidation."]))
        if not opts or not NORMAL_IU.match(r["impression"]):
            return None
        s = rside(rng)
        aff = Item.fill(rng.choice(opts), s, None)
        is_ = [aff[0].upper() + aff[1:]]
        detail = f"impression replaced by '{is_[0]}', which findings rule out"
    elif kind == "impression_omits_finding":
        key = rng.choice(list(OMIT_INS))
        temps, f_rm, i_bad = OMIT_INS[key]
        if re.search(i_bad, low_i) or re.search(r"\b(right|left)\b", low_i) and rng.random() < 0.5:
            return None
        keep = [x for x in fs if not re.search(f_rm, x, re.I)]
        if len(keep) < 1:
            return None
        n = rng.randint(8, 20)
        ins = Item.fill(rng.choice(temps), rside(rng), n)
        ins = ins[0].upper() + ins[1:]
        keep.insert(rng.randint(0, len(keep)), ins)
        fs = keep
        nm = "normal" if NORMAL_IU.match(r["impression"]) else "other"
        if want_normal is not None and want_normal != (nm == "normal"):
            return None
        detail = f"added to findings: '{ins}'; impression ({nm}) does not mention it"
    elif kind == "placeholder":
        fs, detail = place_hold(rng, fs, is_)
        if fs is None:
            return None
    elif kind == "missing_section":
        mode = rng.choice(["drop_i", "empty_i", "drop_f", "empty_f"])
        if mode in ("drop_f", "empty_f") and not NORMAL_IU.match(r["impression"]):
            mode = "empty_i"
        if mode == "drop_i":
            drop_i = True
        elif mode == "empty_i":
            is_ = []
        elif mode == "drop_f":
            drop_f = True
        else:
            fs = []
        detail = {"drop_i": "impression section removed", "empty_i": "impression header left empty",
                  "drop_f": "findings removed; impression is a bare normal statement",
                  "empty_f": "findings header left empty"}[mode]
    scen, exam = iu_base(rng, r)
    fs = [reword(rng, x) for x in fs]
    is_ = [reword(rng, x) for x in is_]
    parts = wrap_parts(rng, scen, exam, r["indication"], r["comparison"], rng.choice(["", "PA and lateral."]), False)
    fh, ih = rng.choice(LAYOUTS)
    rep = render(rng, rng.randrange(60), parts, fh, ih, fs, is_, drop_f=drop_f, drop_i=drop_i)
    # checks
    if kind != "placeholder" and PH_RE.search(rep):
        return None
    if kind == "placeholder" and not PH_RE.search(rep):
        return None
    if kind == "missing_section" and not (drop_f or drop_i or not fs or not is_):
        return None
    if kind != "missing_section" and (not fs or not is_):
        return None
    if kind == "impression_omits_finding" and re.search(OMIT_INS[key][2], " ".join(is_), re.I):
        return None
    if kind == "laterality_conflict":
        ij = " ".join(is_).lower()
        fj = " ".join(fs).lower()
        if not (re.search(r"\b(right|left)\b", ij) and re.search(r"\b(right|left)\b", fj)):
            return None
    return {"report": rep, "detail": detail + f" [IU {r['uid']}]", "uid": r["uid"]}


SIG_TERMS = r"pneumothora|effusion|consolidat|o?edema|nodul|mass|collapse|pneumoperitoneum|widen"


def iu_consistent(r):
    """Light screen so that unmodified IU reports used as clean are plainly self-consistent."""
    imp = r["impression"].lower()
    for x in sents(r["findings"]):
        lx = x.lower()
        for t in set(re.findall(SIG_TERMS, lx)):
            if re.search(r"\b(no|not|without|negative|resolved|clear|free|removed|nor|or)\b", lx):
                continue
            if t not in imp:
                return False
    si = {m.lower() for m in SIDE_RE.findall(imp)}
    sf = {m.lower() for m in SIDE_RE.findall(r["findings"])}
    return si <= sf


def flip(t):
    return SIDE_RE.sub(lambda m: _case(m.group(0), OPP[m.group(0).lower()]), t)


def _case(orig, new):
    return new.capitalize() if orig[0].isupper() else new


# ----------------------------------------------------------------------------------------------------------
def build(seed: int, shared: Path) -> list[dict]:
    rng = random.Random(seed * 7919 + 18)
    iu = load_iu(shared)
    order = list(range(len(iu)))
    rng.shuffle(order)
    used: set[int] = set()
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    rows = []
    for kind, n in plan:
        half = n // 2
        got = 0
        while got < half:
            c = compose(rng, kind)
            if c is None:
                continue
            rows.append({"injected": kind, "detail": c["detail"], "report": c["report"], "src": "composed"})
            got += 1
        got = 0
        for idx in order:
            if got >= n - half:
                break
            if idx in used:
                continue
            c = iu_case(rng, dict(iu[idx]), kind, got % 2 == 0 if kind == "impression_omits_finding" else None)
            if c is None:
                continue
            used.add(idx)
            rows.append({"injected": kind, "detail": c["detail"], "report": c["report"], "src": "iu",
                         "uid": c["uid"]})
            got += 1
        if got < n - half:
            raise RuntimeError(f"not enough IU reports for {kind}")
    rng.shuffle(rows)
    out = []
    for k, r in enumerate(rows):
        h = hashlib.sha256(f"{seed}:{k}:{r['report']}".encode()).hexdigest()[:16]
        out.append({"id": f"h18-{h}", "injected": r["injected"], "detail": r["detail"], "report": r["report"],
                    "_uid": r.get("uid")})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1901)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    rows = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][:a.show]:
                print(f"===== {kind} | {r['detail']}\n{r['report']}")
    print(f"wrote {len(rows)} cases to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
